//! The organisation's own public values (its hotline, support address, mail domain): found
//! like any other value, but never masked, in whichever direction the text travels.
//! An entry is compared by its canonical form, so one entry covers every spelling; a secret
//! (card, password, code) can never be an entry.

use std::collections::HashSet;
use std::sync::{Arc, RwLock};

use super::engine::Redactor;
use super::org_domain::{self, NotOwnDomain};
use super::rules::{Normalize, Rule};

/// The kinds of value an organisation publishes to be reached: its phone numbers and
/// e-mail addresses (and, as `@domain`, every address at its mail domain). Anything else
/// the rules find (names, addresses, IPs, wallets) is someone's personal data.
const CONTACT_KINDS: &[&str] = &["PHONE", "EMAIL"];

/// Longest entry accepted: an e-mail address's limit, far above any phone.
const MAX_ENTRY_CHARS: usize = 254;

/// Why a value cannot be an allowlist entry; the text is shown to the admin as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AllowError {
    #[error("enter a value")]
    Empty,
    #[error("an entry is at most {MAX_ENTRY_CHARS} characters")]
    TooLong,
    #[error(
        "the redactor would not mask this, so it is already kept as written (to keep every \
         e-mail address at a domain, write it as @example.org)"
    )]
    NotFound,
    #[error("only part of this is a value the redactor masks: enter {0:?} alone")]
    Partial(String),
    #[error("this holds more than one value: add them one at a time")]
    Several,
    #[error(
        "{0} is a secret (card numbers, passwords, codes and the like): it is always masked \
         and cannot be allowed"
    )]
    Secret(String),
    #[error(
        "{0} values are the personal data of the people who write in: only the organisation's \
         own phone numbers, e-mail addresses and @domain can be allowed"
    )]
    NotContact(String),
    #[error(
        "{0} is a free-mail provider: its addresses belong to the people who write in, not to \
         the organisation; enter the organisation's own domain or address"
    )]
    FreeMail(String),
    #[error(
        "{0} is a public suffix shared by countless organisations: enter the organisation's own \
         domain (for example @bank.co.uk)"
    )]
    PublicSuffix(String),
}

impl AllowError {
    /// The catalogue key pages word the refusal with (the English above is for the log).
    pub fn key(&self) -> &'static str {
        match self {
            AllowError::Empty => "allow-empty",
            AllowError::TooLong => "allow-too-long",
            AllowError::NotFound => "allow-not-found",
            AllowError::Partial(_) => "allow-partial",
            AllowError::Several => "allow-several",
            AllowError::Secret(_) => "allow-secret",
            AllowError::NotContact(_) => "allow-not-contact",
            AllowError::FreeMail(_) => "allow-free-mail",
            AllowError::PublicSuffix(_) => "allow-public-suffix",
        }
    }

    /// The wording's arguments: the value or kind at fault, the longest entry.
    pub fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            AllowError::TooLong => vec![("max", MAX_ENTRY_CHARS.to_string())],
            AllowError::Partial(what)
            | AllowError::Secret(what)
            | AllowError::NotContact(what)
            | AllowError::FreeMail(what)
            | AllowError::PublicSuffix(what) => vec![("what", what.clone())],
            AllowError::Empty | AllowError::NotFound | AllowError::Several => Vec::new(),
        }
    }
}

/// What an entry covers, in canonical form.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Covers {
    /// One value: the mask label its rule gives it, and its canonical form.
    Value { label: String, canonical: String },
    /// Every e-mail address at this domain (ASCII form).
    EmailDomain(String),
}

/// A value checked against the rules: the redactor finds it, whole, and it is not a secret.
/// Only `AllowEntry::parse` makes one, so the store can only keep entries that mean something.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowEntry {
    value: String,
    covers: Covers,
}

impl AllowEntry {
    /// Checks `raw` against `redactor`'s rules. `@example.org` covers every address at the
    /// domain; anything else must be exactly one value the redactor would mask.
    pub fn parse(redactor: &Redactor, raw: &str) -> Result<AllowEntry, AllowError> {
        let value = raw.trim();
        if value.is_empty() {
            return Err(AllowError::Empty);
        }
        if value.chars().count() > MAX_ENTRY_CHARS {
            return Err(AllowError::TooLong);
        }
        let covers = match value.strip_prefix('@') {
            Some(domain) => Covers::EmailDomain(email_domain(redactor, domain)?),
            None => {
                let (rule, canonical) = single_value(redactor, value)?;
                if rule.normalize == Normalize::Email
                    && let Some((_, domain)) = canonical.rsplit_once('@')
                {
                    own_domain(domain)?;
                }
                Covers::Value {
                    label: rule.mask.clone(),
                    canonical,
                }
            }
        };
        Ok(AllowEntry {
            value: value.to_owned(),
            covers,
        })
    }

    /// The entry as the admin wrote it (trimmed).
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The kind of value, for people and the audit log: the mask label it would otherwise
    /// get (`PHONE`, `EMAIL`), or `EMAIL_DOMAIN`.
    pub fn kind(&self) -> &str {
        match &self.covers {
            Covers::Value { label, .. } => label,
            Covers::EmailDomain(_) => "EMAIL_DOMAIN",
        }
    }

    /// One key per value whatever its spelling: two entries with the same key are one entry.
    pub fn canonical_key(&self) -> String {
        match &self.covers {
            Covers::Value { label, canonical } => format!("{label}:{canonical}"),
            Covers::EmailDomain(domain) => format!("@{domain}"),
        }
    }
}

/// The one finding that makes up all of `value`, with its canonical form.
fn single_value<'r>(redactor: &'r Redactor, value: &str) -> Result<(&'r Rule, String), AllowError> {
    let findings = redactor.find(value);
    let finding = match findings.as_slice() {
        [] => return Err(AllowError::NotFound),
        [one] => one,
        _ => return Err(AllowError::Several),
    };
    let rule = redactor.rule(&finding.rule).ok_or(AllowError::NotFound)?;
    if rule.secret {
        return Err(AllowError::Secret(rule.mask.clone()));
    }
    if !CONTACT_KINDS.contains(&rule.mask.as_str()) {
        return Err(AllowError::NotContact(rule.mask.clone()));
    }
    let found = &value[finding.start..finding.end];
    if found.len() != value.len() {
        return Err(AllowError::Partial(found.to_owned()));
    }
    Ok((rule, rule.normalize.apply(found)))
}

/// The canonical domain of `@domain`: whatever the e-mail rule makes of an address there.
fn email_domain(redactor: &Redactor, domain: &str) -> Result<String, AllowError> {
    let probe = format!("postmaster@{domain}");
    let (rule, canonical) = single_value(redactor, &probe)?;
    match (rule.normalize, canonical.rsplit_once('@')) {
        (Normalize::Email, Some((_, domain))) => {
            own_domain(domain)?;
            Ok(domain.to_owned())
        }
        _ => Err(AllowError::NotFound),
    }
}

/// Refuses a mail domain that cannot be the organisation's own.
fn own_domain(domain: &str) -> Result<(), AllowError> {
    org_domain::check(domain).map_err(|refusal| match refusal {
        NotOwnDomain::FreeMail => AllowError::FreeMail(domain.to_owned()),
        NotOwnDomain::PublicSuffix => AllowError::PublicSuffix(domain.to_owned()),
    })
}

/// The entries in force: those of the configuration file and those admins stored.
#[derive(Debug, Default)]
pub struct Allowlist {
    configured: Vec<AllowEntry>,
    stored: Vec<AllowEntry>,
    values: HashSet<(String, String)>,
    email_domains: HashSet<String>,
}

impl Allowlist {
    fn new(configured: Vec<AllowEntry>, stored: Vec<AllowEntry>) -> Self {
        let mut values = HashSet::new();
        let mut email_domains = HashSet::new();
        for entry in configured.iter().chain(&stored) {
            match &entry.covers {
                Covers::Value { label, canonical } => {
                    values.insert((label.clone(), canonical.clone()));
                }
                Covers::EmailDomain(domain) => {
                    email_domains.insert(domain.clone());
                }
            }
        }
        Allowlist {
            configured,
            stored,
            values,
            email_domains,
        }
    }

    /// Entries from the configuration file: shown to admins, changed only in the file.
    pub fn configured(&self) -> &[AllowEntry] {
        &self.configured
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty() && self.email_domains.is_empty()
    }

    /// Whether `value`, found by `rule`, is one of the organisation's public values.
    /// A secret rule's finding never is, whatever the list says.
    pub(super) fn allows(&self, rule: &Rule, value: &str) -> bool {
        if self.is_empty() || rule.secret {
            return false;
        }
        let canonical = rule.normalize.apply(value);
        if rule.normalize == Normalize::Email
            && let Some((_, domain)) = canonical.rsplit_once('@')
            && self.email_domains.contains(domain)
        {
            return true;
        }
        self.values.contains(&(rule.mask.clone(), canonical))
    }
}

/// The allowlist a running redactor consults; replaced whole when admins change it, so a
/// redaction in progress sees one consistent list.
#[derive(Debug, Default)]
pub struct SharedAllowlist(RwLock<Arc<Allowlist>>);

impl SharedAllowlist {
    pub fn current(&self) -> Arc<Allowlist> {
        match self.0.read() {
            Ok(list) => list.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Sets the configuration file's entries (at start-up), keeping the stored ones.
    pub fn set_configured(&self, configured: Vec<AllowEntry>) {
        let stored = self.current().stored.clone();
        self.replace(Allowlist::new(configured, stored));
    }

    /// Sets the entries admins stored (after every change), keeping the configured ones.
    pub fn set_stored(&self, stored: Vec<AllowEntry>) {
        let configured = self.current().configured.clone();
        self.replace(Allowlist::new(configured, stored));
    }

    fn replace(&self, list: Allowlist) {
        let list = Arc::new(list);
        match self.0.write() {
            Ok(mut current) => *current = list,
            Err(poisoned) => *poisoned.into_inner() = list,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redact::{MaskBook, MaskKey};

    fn redactor() -> Redactor {
        Redactor::builtin().unwrap()
    }

    fn redact(redactor: &Redactor, text: &str) -> String {
        let mut book = MaskBook::new(MaskKey::from_bytes([1; 32]), Vec::new());
        redactor.redact(text, &mut book).into_inner()
    }

    #[test]
    fn one_entry_covers_every_spelling_of_the_hotline_and_nothing_else() {
        let redactor = redactor();
        let entry = AllowEntry::parse(&redactor, " 8-800-555-35-35 ").unwrap();
        assert_eq!(entry.value(), "8-800-555-35-35");
        assert_eq!(entry.kind(), "PHONE");
        redactor.allowlist().set_stored(vec![entry]);

        let out = redact(
            &redactor,
            "Call 8 800 555-35-35 or +7 (800) 555 35 35, not +7 912 345-67-89.",
        );

        assert_eq!(
            out,
            "Call 8 800 555-35-35 or +7 (800) 555 35 35, not [PHONE-1]."
        );
    }

    #[test]
    fn a_domain_entry_keeps_every_address_there() {
        let redactor = redactor();
        let entry = AllowEntry::parse(&redactor, "@Bank.Example").unwrap();
        assert_eq!(entry.canonical_key(), "@bank.example");
        redactor.allowlist().set_configured(vec![entry]);

        let out = redact(
            &redactor,
            "Write to Support@bank.example or me at ivan@mail.example.",
        );

        assert_eq!(out, "Write to Support@bank.example or me at [EMAIL-1].");
    }

    #[test]
    fn secrets_and_things_the_redactor_ignores_are_refused() {
        let redactor = redactor();
        assert_eq!(
            AllowEntry::parse(&redactor, "4111 1111 1111 1111"),
            Err(AllowError::Secret("CARD".into()))
        );
        assert_eq!(
            AllowEntry::parse(&redactor, "bank.example"),
            Err(AllowError::NotFound)
        );
        assert_eq!(AllowEntry::parse(&redactor, "  "), Err(AllowError::Empty));
        assert_eq!(
            AllowEntry::parse(&redactor, "call 8-800-555-35-35"),
            Err(AllowError::Partial("8-800-555-35-35".into()))
        );
        assert_eq!(
            AllowEntry::parse(&redactor, "a@bank.example b@bank.example"),
            Err(AllowError::Several)
        );
    }

    #[test]
    fn only_the_organisations_own_contact_values_are_accepted() {
        let redactor = redactor();
        assert_eq!(
            AllowEntry::parse(&redactor, "192.168.10.24"),
            Err(AllowError::NotContact("IP".into()))
        );
        assert_eq!(
            AllowEntry::parse(&redactor, "@Gmail.com"),
            Err(AllowError::FreeMail("gmail.com".into()))
        );
        assert_eq!(
            AllowEntry::parse(&redactor, "ivan.petrov@yandex.ru"),
            Err(AllowError::FreeMail("yandex.ru".into()))
        );
        assert!(matches!(
            AllowEntry::parse(&redactor, "@co.uk"),
            Err(AllowError::PublicSuffix(_) | AllowError::NotFound)
        ));
        // Positive control: the organisation's own address and domain.
        assert!(AllowEntry::parse(&redactor, "help@bank.co.uk").is_ok());
        assert!(AllowEntry::parse(&redactor, "@bank.msk.ru").is_ok());
    }

    #[test]
    fn spellings_of_one_value_share_a_key() {
        let redactor = redactor();
        let a = AllowEntry::parse(&redactor, "8 800 555-35-35").unwrap();
        let b = AllowEntry::parse(&redactor, "+7 (800) 555 35 35").unwrap();
        assert_eq!(a.canonical_key(), b.canonical_key());
    }
}
