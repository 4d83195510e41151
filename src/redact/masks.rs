//! `Redacted<T>` and the per-ticket mask numbering behind `[LABEL-n]`.

use std::collections::{BTreeMap, HashMap};

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::engine::{Finding, Redactor};

/// Text that has been through the redactor. Only `redact` can make one.
#[derive(Debug, Clone)]
pub struct Redacted<T> {
    value: T,
    counts: RedactionCounts,
}

impl<T> Redacted<T> {
    pub(super) fn new(value: T, counts: RedactionCounts) -> Self {
        Redacted { value, counts }
    }

    pub fn counts(&self) -> &RedactionCounts {
        &self.counts
    }

    pub fn into_inner(self) -> T {
        self.value
    }
}

impl Redacted<String> {
    pub fn as_str(&self) -> &str {
        &self.value
    }
}

/// How many findings each rule made; never the values.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct RedactionCounts(BTreeMap<String, u32>);

impl RedactionCounts {
    pub(super) fn add(&mut self, rule: &str) {
        *self.0.entry(rule.to_owned()).or_default() += 1;
    }

    pub fn get(&self, rule: &str) -> u32 {
        self.0.get(rule).copied().unwrap_or(0)
    }

    pub fn merge(&mut self, other: &RedactionCounts) {
        for (rule, count) in &other.0 {
            *self.0.entry(rule.clone()).or_default() += count;
        }
    }

    pub fn total(&self) -> u32 {
        self.0.values().sum()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, u32)> {
        self.0.iter().map(|(k, v)| (k.as_str(), *v))
    }
}

/// The key a ticket's value digests are made with. Derived from a server secret kept
/// outside the database, so a database reader cannot test guesses against the digests.
#[derive(Clone)]
pub struct MaskKey([u8; 32]);

impl MaskKey {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        MaskKey(bytes)
    }
}

/// A value's mask number within one ticket, as stored: a keyed digest, never the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaskSlot {
    pub digest: [u8; 32],
    pub label: String,
    pub n: u32,
}

/// The mask numbers a ticket has handed out so far, plus those handed out since loading.
pub struct MaskBook {
    /// HMAC keyed once: every digest starts from a copy of it (the key's two hash blocks are
    /// not recomputed per finding).
    keyed: Option<Hmac<Sha256>>,
    by_digest: HashMap<[u8; 32], u32>,
    next: HashMap<String, u32>,
    fresh: Vec<MaskSlot>,
}

impl MaskBook {
    pub fn new(key: MaskKey, existing: Vec<MaskSlot>) -> Self {
        let mut next: HashMap<String, u32> = HashMap::new();
        let mut by_digest = HashMap::new();
        for slot in existing {
            let highest = next.entry(slot.label.clone()).or_default();
            *highest = (*highest).max(slot.n);
            by_digest.insert(slot.digest, slot.n);
        }
        MaskBook {
            // HMAC accepts keys of any length, so this is never `None`; `digest` copes anyway.
            keyed: Hmac::<Sha256>::new_from_slice(&key.0).ok(),
            by_digest,
            next,
            fresh: Vec::new(),
        }
    }

    pub(super) fn mask_for(&mut self, label: &str, normalized_value: &str) -> String {
        let digest = self.digest(label, normalized_value);
        let n = match self.by_digest.get(&digest) {
            Some(&n) => n,
            None => {
                let counter = self.next.entry(label.to_owned()).or_default();
                *counter += 1;
                let n = *counter;
                self.by_digest.insert(digest, n);
                self.fresh.push(MaskSlot {
                    digest,
                    label: label.to_owned(),
                    n,
                });
                n
            }
        };
        format!("[{label}-{n}]")
    }

    fn digest(&self, label: &str, value: &str) -> [u8; 32] {
        let Some(mut mac) = self.keyed.clone() else {
            return [0; 32];
        };
        mac.update(label.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// Whether this ticket has numbered a value under `label` before.
    pub(super) fn has_label(&self, label: &str) -> bool {
        self.next.contains_key(label)
    }

    /// Whether this ticket has numbered exactly this (canonical) value under `label`.
    pub(super) fn knows(&self, label: &str, normalized_value: &str) -> bool {
        self.by_digest
            .contains_key(&self.digest(label, normalized_value))
    }

    /// Slots handed out since this book was loaded; the store saves them with the text.
    pub fn fresh_slots(&self) -> &[MaskSlot] {
        &self.fresh
    }
}

/// A finding and the mask it gets in one ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedMask {
    pub finding: Finding,
    /// `[PHONE-2]`: numbered as the ticket's store will number it.
    pub mask: String,
    /// The requester may choose to leave it as written.
    pub may_keep: bool,
}

impl Redactor {
    /// What `redact_keeping` replaces, in text order: every finding the organisation's
    /// allowlist does not cover, with the mask it gets through `book`. A preview shows exactly
    /// this, so its labels are the ones that will be stored.
    pub fn masks_for(&self, text: &str, book: &mut MaskBook) -> Vec<PlannedMask> {
        let allowlist = self.allowlist().current();
        let mut findings = self.find(text);
        let again = super::secrets_again::known_secrets_in(self, text, &findings, book);
        if !again.is_empty() {
            findings.extend(again);
            findings.sort_by_key(|f| f.start);
        }
        findings
            .into_iter()
            .filter_map(|finding| {
                let rule = self.rule(&finding.rule)?;
                // The value as the rules read it (editor spaces, quoted wraps, %XX undone).
                let reading = super::view::value_reading(text, finding.start..finding.end);
                let value = reading.as_str();
                if allowlist.allows(rule, value) {
                    return None;
                }
                let mask = book.mask_for(&finding.mask, &rule.normalize.apply(value));
                Some(PlannedMask {
                    may_keep: rule.user_may_keep && !rule.secret,
                    finding,
                    mask,
                })
            })
            .collect()
    }
}

impl Redactor {
    /// The mask `value` gets in a ticket as rule `rule` masks it in text (`[BTC-1]` for an
    /// address the conversation already holds, the next number for a new one), for a value
    /// the desk was given on its own: a proven address. `None` unless the rule finds exactly
    /// this whole value, so only what the rule itself recognises (checksum included) gets its
    /// label. The allowlist is not consulted: a proof's subject is always masked.
    pub fn mask_value(&self, rule: &str, value: &str, book: &mut MaskBook) -> Option<Mask> {
        let value = value.trim();
        let found = self
            .find(value)
            .into_iter()
            .find(|f| &*f.rule == rule && f.start == 0 && f.end == value.len())?;
        let compiled = self.rule(rule)?;
        let reading = super::view::value_reading(value, 0..value.len());
        Some(Mask(book.mask_for(
            &found.mask,
            &compiled.normalize.apply(reading.as_str()),
        )))
    }
}

/// One mask the redactor gave a value on its own (`[BTC-1]`): the only form in which a value
/// given apart from any text, such as a proven address, reaches the store. Only this module
/// makes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mask(String);

impl Mask {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl MaskBook {
    /// The mask of an OpenPGP key in a ticket, `[PGP-1]`, from its fingerprint (hex, any
    /// case). No rule finds fingerprints in text, so the label is this one's alone; like every
    /// mask it is stored as a keyed digest, never the fingerprint.
    pub fn mask_fingerprint(&mut self, fingerprint_hex: &str) -> Mask {
        Mask(self.mask_for("PGP", &fingerprint_hex.trim().to_ascii_uppercase()))
    }

    /// The mask of a code proven on a ticket, `[CODE-1]`, by where the code was found (a
    /// token list's name, or the hook): codes from one source share a mask, and the code
    /// itself, possibly a long-lived recovery code, leaves no digest behind.
    pub fn mask_code_source(&mut self, source: &str) -> Mask {
        Mask(self.mask_for("CODE", source))
    }
}

impl Redactor {
    /// Masks for several fields of one text taken in together (a subject and its body), in
    /// order. A secret first given in a later field is masked in the earlier ones too, so a
    /// password written in the body and repeated bare in the subject (which ticket lists
    /// show) is not left there.
    pub fn masks_for_fields(&self, texts: &[&str], book: &mut MaskBook) -> Vec<Vec<PlannedMask>> {
        let mut planned: Vec<Vec<PlannedMask>> = texts
            .iter()
            .map(|text| self.masks_for(text, book))
            .collect();
        for (i, text) in texts.iter().enumerate().take(texts.len().saturating_sub(1)) {
            // Values already numbered keep their numbers: the book knows them.
            planned[i] = self.masks_for(text, book);
        }
        planned
    }

    /// `redact_keeping` for several fields at once, with `masks_for_fields`.
    pub fn redact_fields_keeping(
        &self,
        fields: &[(&str, &[(usize, usize)])],
        book: &mut MaskBook,
    ) -> Vec<Redacted<String>> {
        let texts: Vec<&str> = fields.iter().map(|(text, _)| *text).collect();
        self.masks_for_fields(&texts, book)
            .into_iter()
            .zip(fields)
            .map(|(planned, (text, keep))| super::engine::apply_masks(text, planned, keep))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_given_alone_gets_the_mask_its_rule_gives_it_in_text() {
        let redactor = Redactor::builtin().unwrap();
        let mut book = MaskBook::new(MaskKey::from_bytes([7; 32]), Vec::new());
        let text = redactor.redact(
            "send to 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa or 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            &mut book,
        );
        assert_eq!(text.as_str(), "send to [BTC-1] or [ETH-1]");
        let mask = |rule: &str, value: &str, book: &mut MaskBook| {
            redactor
                .mask_value(rule, value, book)
                .map(|m| m.as_str().to_owned())
        };
        assert_eq!(
            mask(
                "bitcoin_address",
                " 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa ",
                &mut book
            )
            .as_deref(),
            Some("[BTC-1]")
        );
        // Normalised as the rule normalises: the lowercase form is the same address.
        assert_eq!(
            mask(
                "ethereum_address",
                "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
                &mut book
            )
            .as_deref(),
            Some("[ETH-1]")
        );
        assert_eq!(
            mask(
                "bitcoin_address",
                "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
                &mut book
            )
            .as_deref(),
            Some("[BTC-2]")
        );
        // Not the rule's, not the whole value, or a bad checksum: no mask.
        assert_eq!(
            mask(
                "ethereum_address",
                "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
                &mut book
            ),
            None
        );
        assert_eq!(
            mask(
                "bitcoin_address",
                "to 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
                &mut book
            ),
            None
        );
        assert_eq!(
            mask(
                "bitcoin_address",
                "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb",
                &mut book
            ),
            None
        );
        assert_eq!(book.mask_fingerprint("ab12").as_str(), "[PGP-1]");
        assert_eq!(book.mask_fingerprint("AB12").as_str(), "[PGP-1]");
    }

    proptest::proptest! {
        #[test]
        fn a_digest_from_the_keyed_copy_is_the_digest_keyed_afresh(
            key in proptest::array::uniform32(0u8..),
            label in "[A-Z]{1,8}",
            value in ".{0,40}",
        ) {
            let book = MaskBook::new(MaskKey::from_bytes(key), Vec::new());
            let mut fresh = Hmac::<Sha256>::new_from_slice(&key).map_err(|e| {
                proptest::test_runner::TestCaseError::fail(e.to_string())
            })?;
            fresh.update(label.as_bytes());
            fresh.update(&[0]);
            fresh.update(value.as_bytes());
            let expected: [u8; 32] = fresh.finalize().into_bytes().into();
            proptest::prop_assert_eq!(book.digest(&label, &value), expected);
        }
    }
}
