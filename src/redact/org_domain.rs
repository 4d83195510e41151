//! Whether a mail domain can be an organisation's own: not a public suffix (`co.uk`, `msk.ru`)
//! and not a free-mail provider, whose addresses belong to the people who write in. The lists
//! are short on purpose: the big providers and the multi-label suffixes people actually meet,
//! enough to stop an admin from allowlisting every customer at `gmail.com` by mistake.

/// Public suffixes of more than one label: a domain directly under one of these is still
/// nobody's own (`co.uk`), the label before it makes the registrable part (`bank.co.uk`).
const MULTI_LABEL_SUFFIXES: &[&str] = &[
    "co.uk",
    "org.uk",
    "me.uk",
    "ltd.uk",
    "plc.uk",
    "net.uk",
    "ac.uk",
    "gov.uk",
    "com.ru",
    "org.ru",
    "net.ru",
    "pp.ru",
    "msk.ru",
    "spb.ru",
    "msk.su",
    "spb.su",
    "com.ua",
    "org.ua",
    "kiev.ua",
    "com.by",
    "com.kz",
    "org.kz",
    "com.au",
    "net.au",
    "org.au",
    "co.nz",
    "co.jp",
    "ne.jp",
    "or.jp",
    "co.kr",
    "com.cn",
    "com.hk",
    "com.tw",
    "com.sg",
    "co.in",
    "co.il",
    "co.za",
    "com.br",
    "com.ar",
    "com.mx",
    "com.tr",
    "github.io",
    "gitlab.io",
];

/// Free-mail brands under any top-level domain (`yandex.ru`, `yandex.kz`, `yahoo.co.uk`).
const FREE_MAIL_BRANDS: &[&str] = &[
    "gmail",
    "googlemail",
    "yahoo",
    "ymail",
    "outlook",
    "hotmail",
    "live",
    "msn",
    "icloud",
    "aol",
    "proton",
    "protonmail",
    "gmx",
    "yandex",
    "rambler",
    "tutanota",
    "tuta",
    "zoho",
    "zohomail",
    "mail",
    "fastmail",
    "hushmail",
    "posteo",
    "mailfence",
];

/// Free-mail domains that are not a brand under any top-level domain.
const FREE_MAIL_DOMAINS: &[&str] = &[
    "me.com",
    "mac.com",
    "pm.me",
    "web.de",
    "bk.ru",
    "inbox.ru",
    "list.ru",
    "internet.ru",
    "ya.ru",
    "ro.ru",
    "lenta.ru",
    "myrambler.ru",
    "autorambler.ru",
    "qip.ru",
    "ukr.net",
    "i.ua",
    "meta.ua",
    "tut.by",
    "t-online.de",
    "freenet.de",
    "orange.fr",
    "free.fr",
    "laposte.net",
    "libero.it",
    "seznam.cz",
    "wp.pl",
    "o2.pl",
    "interia.pl",
    "qq.com",
    "163.com",
    "126.com",
    "naver.com",
    "comcast.net",
    "att.net",
    "verizon.net",
    "btinternet.com",
    "rediffmail.com",
    "mailbox.org",
    "disroot.org",
    "riseup.net",
    "duck.com",
    "hey.com",
    "tutamail.com",
];

/// Why a domain cannot be the organisation's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotOwnDomain {
    /// A top-level domain or another public suffix: it would cover countless organisations.
    PublicSuffix,
    /// A free-mail provider: its addresses are people's, not an organisation's.
    FreeMail,
}

/// Checks an ASCII, lower-case domain (the e-mail rule's canonical form).
pub fn check(domain: &str) -> Result<(), NotOwnDomain> {
    let domain = domain.trim_end_matches('.');
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 || labels.iter().any(|l| l.is_empty()) {
        return Err(NotOwnDomain::PublicSuffix);
    }
    let suffix_labels = if MULTI_LABEL_SUFFIXES
        .iter()
        .any(|s| domain == *s || domain.ends_with(&format!(".{s}")))
    {
        2
    } else {
        1
    };
    if labels.len() <= suffix_labels {
        return Err(NotOwnDomain::PublicSuffix);
    }
    let registrable = labels[labels.len() - suffix_labels - 1..].join(".");
    let brand = labels[labels.len() - suffix_labels - 1];
    if FREE_MAIL_DOMAINS.contains(&registrable.as_str()) || FREE_MAIL_BRANDS.contains(&brand) {
        return Err(NotOwnDomain::FreeMail);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organisations_domains_pass_and_their_subdomains_too() {
        for domain in [
            "bank.example",
            "support.bank.co.uk",
            "bank.msk.ru",
            "пример.рф",
        ] {
            assert_eq!(check(domain), Ok(()), "{domain}");
        }
    }

    #[test]
    fn free_mail_in_any_spelling_is_refused() {
        for domain in [
            "gmail.com",
            "mail.ru",
            "yandex.ru",
            "yandex.kz",
            "ya.ru",
            "outlook.com",
            "yahoo.co.uk",
            "pm.me",
            "proton.me",
            "web.de",
            "bk.ru",
            "eu.mail.gmail.com",
        ] {
            assert_eq!(check(domain), Err(NotOwnDomain::FreeMail), "{domain}");
        }
    }

    #[test]
    fn public_suffixes_are_refused() {
        for domain in [
            "co.uk",
            "com.ru",
            "msk.ru",
            "ru",
            "com",
            "github.io",
            "a..b",
        ] {
            assert_eq!(check(domain), Err(NotOwnDomain::PublicSuffix), "{domain}");
        }
    }
}
