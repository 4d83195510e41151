//! The compiled rule set and the scan that finds, resolves and masks.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use super::builtin::DEFAULT_RULE_FILES;
use super::masks::{MaskBook, Redacted, RedactionCounts};
use super::rules::{Rule, RuleError, compile_file, load_dir};

/// One thing the redactor found: which rule, and where (byte offsets into the input).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: Arc<str>,
    pub mask: String,
    pub start: usize,
    pub end: usize,
}

/// What a rule is, for people choosing or reviewing rules.
#[derive(Debug, Clone, Copy)]
pub struct RuleSummary<'a> {
    pub id: &'a str,
    pub mask: &'a str,
    pub description: &'a str,
    pub user_may_keep: bool,
}

/// A validated, compiled rule set. Cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct Redactor {
    rules: Vec<Rule>,
}

impl Redactor {
    /// The rules compiled into the binary.
    pub fn builtin() -> Result<Self, RuleError> {
        Self::from_sources(
            DEFAULT_RULE_FILES
                .iter()
                .map(|(n, t)| ((*n).to_owned(), (*t).to_owned())),
        )
    }

    /// Every `*.toml` file in `dir`, replacing the built-in rules.
    pub fn from_dir(dir: &Path) -> Result<Self, RuleError> {
        Self::from_sources(load_dir(dir)?)
    }

    fn from_sources(files: impl IntoIterator<Item = (String, String)>) -> Result<Self, RuleError> {
        let mut known_ids = HashSet::new();
        let mut rules = Vec::new();
        for (name, text) in files {
            rules.extend(compile_file(&name, &text, &mut known_ids)?);
        }
        if rules.is_empty() {
            return Err(RuleError::Empty("the rule set".into()));
        }
        Ok(Redactor { rules })
    }

    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }

    /// The rules, for listing: id, mask label, description.
    pub fn rules(&self) -> impl Iterator<Item = RuleSummary<'_>> {
        self.rules.iter().map(|r| RuleSummary {
            id: &r.id,
            mask: &r.mask,
            description: &r.description,
            user_may_keep: r.user_may_keep,
        })
    }

    /// Non-overlapping findings in text order. Where two overlap, the longer wins,
    /// then the rule listed first.
    pub fn find(&self, text: &str) -> Vec<Finding> {
        let lowered = if self.rules.iter().any(|r| !r.keywords.is_empty()) {
            text.to_lowercase()
        } else {
            String::new()
        };
        let mut candidates: Vec<(usize, usize, usize)> = Vec::new(); // (start, end, rule index)
        for (index, rule) in self.rules.iter().enumerate() {
            if !rule.keywords.is_empty()
                && !rule.keywords.iter().any(|k| lowered.contains(k.as_str()))
            {
                continue;
            }
            candidates.extend(
                rule.find_in(text)
                    .filter(|span| !span.is_empty())
                    .map(|span| (span.start, span.end, index)),
            );
        }
        candidates.sort_by(|a, b| {
            a.0.cmp(&b.0)
                .then((b.1 - b.0).cmp(&(a.1 - a.0)))
                .then(a.2.cmp(&b.2))
        });
        let mut findings: Vec<Finding> = Vec::with_capacity(candidates.len());
        let mut covered_until = 0;
        for (start, end, index) in candidates {
            if start < covered_until {
                continue;
            }
            covered_until = end;
            let rule = &self.rules[index];
            findings.push(Finding {
                rule: rule.id.clone(),
                mask: rule.mask.clone(),
                start,
                end,
            });
        }
        findings
    }

    /// Masks every finding in `text`, numbering values through `book` so that the same
    /// value gets the same mask everywhere in one ticket.
    pub fn redact(&self, text: &str, book: &mut MaskBook) -> Redacted<String> {
        let findings = self.find(text);
        let mut out = String::with_capacity(text.len());
        let mut counts = RedactionCounts::default();
        let mut last = 0;
        for finding in &findings {
            out.push_str(&text[last..finding.start]);
            let rule = self.rule(&finding.rule);
            let normalized = rule.map_or_else(
                || text[finding.start..finding.end].to_owned(),
                |r| r.normalize.apply(&text[finding.start..finding.end]),
            );
            out.push_str(&book.mask_for(&finding.mask, &normalized));
            counts.add(&finding.rule);
            last = finding.end;
        }
        out.push_str(&text[last..]);
        Redacted::new(out, counts)
    }

    fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| &*r.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redact::MaskKey;

    fn redactor() -> Redactor {
        Redactor::builtin().unwrap()
    }

    fn book() -> MaskBook {
        MaskBook::new(MaskKey::from_bytes([7; 32]), Vec::new())
    }

    #[test]
    fn builtin_rules_load_and_check_their_own_examples() {
        assert!(redactor().rule_count() >= 2);
    }

    #[test]
    fn emails_and_cards_are_masked_and_the_rest_is_kept() {
        let mut book = book();
        let out = redactor().redact(
            "Mail jane.doe+help@example.org, card 4111 1111 1111 1111, order 12345.",
            &mut book,
        );
        assert_eq!(out.as_str(), "Mail [EMAIL-1], card [CARD-1], order 12345.");
        assert_eq!(out.counts().get("email"), 1);
        assert_eq!(out.counts().get("payment_card"), 1);
    }

    #[test]
    fn the_same_value_keeps_its_mask_across_texts_of_one_ticket() {
        let redactor = redactor();
        let mut book = book();
        let first = redactor.redact("a@example.org and b@example.org", &mut book);
        let second = redactor.redact("again A@Example.org", &mut book);
        assert_eq!(first.as_str(), "[EMAIL-1] and [EMAIL-2]");
        assert_eq!(second.as_str(), "again [EMAIL-1]");
    }

    #[test]
    fn findings_report_byte_offsets_into_the_input() {
        let text = "Пишите: ivan@пример.рф";
        let findings = redactor().find(text);
        assert_eq!(findings.len(), 1);
        assert_eq!(&text[findings[0].start..findings[0].end], "ivan@пример.рф");
    }

    #[test]
    fn broken_rule_sets_are_refused_with_file_and_rule() {
        let cases = [
            (
                "[[rule]]\nid='x'\ndescription='d'\nmask='X'\nregex='('\nexamples=['a']\n",
                "bad regex",
            ),
            (
                "[[rule]]\nid='x'\ndescription='d'\nmask='X'\nregex='a'\nvalidator='nope'\nexamples=['a']\n",
                "unknown validator",
            ),
            (
                "[[rule]]\nid='x'\ndescription='d'\nmask='X'\nregex='a'\nexamples=['b']\n",
                "does not match",
            ),
            (
                "[[rule]]\nid='x'\ndescription='d'\nmask='X'\nregex='a'\nexamples=['a']\ncounterexamples=['a']\n",
                "counterexample",
            ),
            (
                "[[rule]]\nid='x'\ndescription='d'\nmask='X'\nregex='a'\nexamples=['a']\n[[rule]]\nid='x'\ndescription='d'\nmask='X'\nregex='a'\nexamples=['a']\n",
                "duplicate",
            ),
            (
                "[[rule]]\nid='x'\ndescription='d'\nmask='X'\nregex='a'\nexamples=['a']\nsecret=true\nuser_may_keep=true\n",
                "never be kept",
            ),
            (
                "[[rule]]\nid='x'\nmask='X'\nregex='a'\n",
                "not a valid rule file",
            ),
        ];
        for (text, expected) in cases {
            let err = Redactor::from_sources([("hostile.toml".to_owned(), text.to_owned())])
                .unwrap_err()
                .to_string();
            assert!(err.contains("hostile.toml"), "{err}");
            assert!(err.contains(expected), "{err} should mention {expected}");
        }
    }

    #[test]
    fn a_catastrophically_large_regex_is_refused_not_compiled() {
        let text = "[[rule]]\nid='x'\ndescription='d'\nmask='X'\nregex='(\\w{100}){100}'\nexamples=['a']\n";
        let err = Redactor::from_sources([("big.toml".to_owned(), text.to_owned())]).unwrap_err();
        assert!(err.to_string().contains("bad regex"), "{err}");
    }
}
