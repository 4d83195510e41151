//! A secret given once in a ticket stays masked when it comes back without its cue.
//!
//! The rules find a password next to "password:"; the same string repeated later ("I tried
//! Tr0ub4dor&3 again", or bare in the subject) has no cue, so no rule sees it. The ticket's
//! mask book keeps a keyed digest of every value it has numbered, never the value, so each
//! word of a new text is checked against those digests under the labels of secret rules the
//! ticket has already used. Nothing is learnt or stored that the book did not hold already.

use std::ops::Range;

use super::engine::{Finding, Redactor};
use super::masks::MaskBook;

/// Shortest repeated secret looked for, in characters: shorter strings (a PIN, a CVV) would
/// match ordinary numbers and words, as the engine's own propagation of repeats also avoids.
const MIN_CHARS: usize = 8;
/// Longest word looked at: passwords and passphrases words are shorter; keys are found by rules.
const MAX_CHARS: usize = 256;
/// Punctuation that may stand around a word without being part of the secret.
const LEADING: &[char] = &['(', '[', '{', '"', '\'', '«', '<', '`'];
const TRAILING: &[char] = &[
    ')', ']', '}', '"', '\'', '»', '>', '`', '.', ',', ';', ':', '!', '?',
];

/// Words of `text`, outside `found`, that are a secret this ticket has already masked.
pub(super) fn known_secrets_in(
    redactor: &Redactor,
    text: &str,
    found: &[Finding],
    book: &MaskBook,
) -> Vec<Finding> {
    let mut labels_seen = std::collections::HashSet::new();
    let secret_rules: Vec<_> = redactor
        .secret_rules()
        .filter(|rule| book.has_label(&rule.mask) && labels_seen.insert(rule.mask.clone()))
        .collect();
    if secret_rules.is_empty() {
        return Vec::new();
    }
    let mut again = Vec::new();
    for word in words(text) {
        if overlaps(found, &word) {
            continue;
        }
        'variants: for span in variants(text, word) {
            let count = text[span.clone()].chars().count();
            if !(MIN_CHARS..=MAX_CHARS).contains(&count) {
                continue;
            }
            for rule in &secret_rules {
                if book.knows(&rule.mask, &rule.normalize.apply(&text[span.clone()])) {
                    again.push(Finding {
                        rule: rule.id.clone(),
                        mask: rule.mask.clone(),
                        start: span.start,
                        end: span.end,
                    });
                    break 'variants;
                }
            }
        }
    }
    again
}

/// Byte ranges of the runs of non-white-space characters.
fn words(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut start = None;
    text.char_indices()
        .chain(std::iter::once((text.len(), ' ')))
        .filter_map(move |(i, c)| match (c.is_whitespace(), start) {
            (false, None) => {
                start = Some(i);
                None
            }
            (true, Some(s)) => {
                start = None;
                Some(s..i)
            }
            _ => None,
        })
}

/// The word as written, then without the punctuation that may stand around it, longest
/// first: a password may itself end in `!`.
fn variants(text: &str, word: Range<usize>) -> Vec<Range<usize>> {
    let mut spans = vec![word.clone()];
    let inner = &text[word.clone()];
    let trimmed_start = inner.trim_start_matches(LEADING);
    let start = word.start + (inner.len() - trimmed_start.len());
    let mut end = word.end;
    for _ in 0..3 {
        let current = &text[start..end];
        let Some(last) = current.chars().next_back() else {
            break;
        };
        if start != word.start && !spans.contains(&(start..end)) {
            spans.push(start..end);
        }
        if !TRAILING.contains(&last) {
            break;
        }
        end -= last.len_utf8();
        spans.push(start..end);
    }
    spans.retain(|s| !s.is_empty());
    spans
}

fn overlaps(found: &[Finding], span: &Range<usize>) -> bool {
    found
        .iter()
        .any(|f| f.start < span.end && span.start < f.end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redact::MaskKey;

    fn book() -> MaskBook {
        MaskBook::new(MaskKey::from_bytes([9; 32]), Vec::new())
    }

    #[test]
    fn a_password_repeated_later_without_its_cue_is_masked_with_the_same_mask() {
        let redactor = Redactor::builtin().unwrap();
        let mut book = book();
        let first = redactor.redact("my password is Tr0ub4dor&3xyz, please reset it", &mut book);
        assert!(!first.as_str().contains("Tr0ub4dor"), "{}", first.as_str());
        let later = redactor.redact(
            "I tried Tr0ub4dor&3xyz again (Tr0ub4dor&3xyz!) today",
            &mut book,
        );
        assert_eq!(
            later.as_str(),
            "I tried [PASSWORD-1] again ([PASSWORD-1]!) today"
        );
    }

    #[test]
    fn without_an_earlier_secret_nothing_is_looked_up_and_ordinary_words_stay() {
        let redactor = Redactor::builtin().unwrap();
        let mut book = book();
        let text = "I tried Tr0ub4dor&3xyz again";
        assert_eq!(redactor.redact(text, &mut book).as_str(), text);
    }

    #[test]
    fn a_secret_given_in_the_body_is_masked_in_the_subject_too() {
        let redactor = Redactor::builtin().unwrap();
        let mut book = book();
        let out = redactor.redact_fields_keeping(
            &[
                ("Sup3rS3cretPass! does not work", &[]),
                ("password: Sup3rS3cretPass!", &[]),
            ],
            &mut book,
        );
        assert_eq!(out[0].as_str(), "[PASSWORD-1] does not work");
        assert_eq!(out[1].as_str(), "password: [PASSWORD-1]");
    }
}
