//! The compiled rule set and the scan that finds, resolves and masks.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use aho_corasick::AhoCorasick;

use super::allowlist::SharedAllowlist;
use super::builtin::DEFAULT_RULE_FILES;
use super::masks::{MaskBook, Redacted, RedactionCounts};
use super::rules::{
    Rule, RuleError, Scope, ceil_char_boundary, compile_file, floor_char_boundary, load_dir,
};

/// One thing the redactor found: which rule, and where (byte offsets into the input).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: Arc<str>,
    pub mask: String,
    pub start: usize,
    pub end: usize,
}

/// How many extra looks `find` takes with masks in place; one almost always settles it.
const MAX_ROUNDS: usize = 3;

/// The text as it will read once masked (numbers aside), and for each copied run of the
/// original its (offset in the masked text, offset in the original, length).
fn render_with_masks(text: &str, findings: &[Finding]) -> (String, Vec<(usize, usize, usize)>) {
    let mut out = String::with_capacity(text.len());
    let mut segments = Vec::with_capacity(findings.len() + 1);
    let mut last = 0;
    for f in findings {
        segments.push((out.len(), last, f.start - last));
        out.push_str(&text[last..f.start]);
        out.push('[');
        out.push_str(&f.mask);
        out.push_str("-1]");
        last = f.end;
    }
    segments.push((out.len(), last, text.len() - last));
    out.push_str(&text[last..]);
    (out, segments)
}

/// How far around a digit a digit-scoped rule looks: room for a cue word before the
/// number ("код из смс", "date of birth") and for separators around it.
const DIGIT_REACH: usize = 96;

/// Merged ranges within `DIGIT_REACH` bytes of an ASCII digit, on char boundaries. Runs of
/// digits never straddle a boundary: each range reaches well past the digits it was made for.
fn regions_near_digits(text: &str) -> Vec<std::ops::Range<usize>> {
    let bytes = text.as_bytes();
    let mut regions: Vec<std::ops::Range<usize>> = Vec::new();
    for (i, b) in bytes.iter().enumerate() {
        if !b.is_ascii_digit() {
            continue;
        }
        match regions.last_mut() {
            Some(last) if i.saturating_sub(DIGIT_REACH) <= last.end => {
                last.end = (i + 1 + DIGIT_REACH).min(bytes.len())
            }
            _ => {
                regions.push(i.saturating_sub(DIGIT_REACH)..(i + 1 + DIGIT_REACH).min(bytes.len()))
            }
        }
    }
    for region in &mut regions {
        region.start = floor_char_boundary(text, region.start);
        region.end = ceil_char_boundary(text, region.end);
    }
    regions
}

/// How far around a mask a second look reaches: beyond the widest context window.
const SECOND_LOOK_REACH: usize = 640;

/// Merged ranges of the masked text within `SECOND_LOOK_REACH` of a mask, on char boundaries.
fn regions_near_masks(
    masked: &str,
    segments: &[(usize, usize, usize)],
) -> Vec<std::ops::Range<usize>> {
    let mut regions: Vec<std::ops::Range<usize>> = Vec::new();
    // Masks sit between consecutive copied segments.
    for pair in segments.windows(2) {
        let mask_start = pair[0].0 + pair[0].2;
        let mask_end = pair[1].0;
        let start = floor_char_boundary(masked, mask_start.saturating_sub(SECOND_LOOK_REACH));
        let end = ceil_char_boundary(masked, (mask_end + SECOND_LOOK_REACH).min(masked.len()));
        match regions.last_mut() {
            Some(last) if start <= last.end => last.end = last.end.max(end),
            _ => regions.push(start..end),
        }
    }
    regions
}

/// Maps a span of the masked text back to the original; `None` if it touches a mask.
fn map_back(
    segments: &[(usize, usize, usize)],
    start: usize,
    end: usize,
) -> Option<(usize, usize)> {
    segments
        .iter()
        .find(|&&(at, _, len)| start >= at && end <= at + len)
        .map(|&(at, original, _)| (original + start - at, original + end - at))
}

/// Shortest found value whose other occurrences are masked too.
const PROPAGATE_MIN_CHARS: usize = 8;

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
    /// Index of each rule's `value` capture group, looked up once.
    value_groups: Vec<Option<usize>>,
    /// One automaton over every rule's keywords, so one pass tells which rules can match.
    keywords: Option<AhoCorasick>,
    /// For each automaton pattern, the rules it belongs to.
    keyword_rules: Vec<Vec<usize>>,
    /// Rules without keywords: they always run.
    always: Vec<usize>,
    /// The organisation's own public values, never masked.
    allowlist: SharedAllowlist,
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

    /// One rule file's text, as if it were the whole rule set (for checking a file on its own).
    pub fn from_rule_file(name: &str, text: &str) -> Result<Self, RuleError> {
        Self::from_sources([(name.to_owned(), text.to_owned())])
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
        let mut patterns: Vec<String> = Vec::new();
        let mut keyword_rules: Vec<Vec<usize>> = Vec::new();
        let mut always = Vec::new();
        for (index, rule) in rules.iter().enumerate() {
            if rule.keywords.is_empty() {
                always.push(index);
            }
            for keyword in &rule.keywords {
                for variant in case_variants(keyword) {
                    match patterns.iter().position(|p| *p == variant) {
                        Some(existing) => keyword_rules[existing].push(index),
                        None => {
                            patterns.push(variant);
                            keyword_rules.push(vec![index]);
                        }
                    }
                }
            }
        }
        let keywords = if patterns.is_empty() {
            None
        } else {
            Some(
                AhoCorasick::builder()
                    .ascii_case_insensitive(true)
                    .kind(Some(aho_corasick::AhoCorasickKind::DFA))
                    .build(&patterns)
                    .map_err(|e| RuleError::Empty(format!("keyword automaton: {e}")))?,
            )
        };
        let value_groups = rules
            .iter()
            .map(|r| r.regex.capture_names().position(|n| n == Some("value")))
            .collect();
        Ok(Redactor {
            rules,
            value_groups,
            keywords,
            keyword_rules,
            always,
            allowlist: SharedAllowlist::default(),
        })
    }

    /// The allowlist this redactor consults; the desk replaces it when admins change it.
    pub fn allowlist(&self) -> &SharedAllowlist {
        &self.allowlist
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
            user_may_keep: r.user_may_keep && !r.secret,
        })
    }

    /// Time each rule takes on its own over `text`, with its match count: for benchmarks
    /// and for operators tuning a rule set (`cargo bench --bench quality -- --per-rule`).
    pub fn profile(&self, text: &str) -> Vec<(String, std::time::Duration, usize)> {
        self.rules
            .iter()
            .zip(&self.value_groups)
            .map(|(rule, group)| {
                let started = std::time::Instant::now();
                let n = rule.find_in_region(text, 0..text.len(), *group).count();
                (rule.id.to_string(), started.elapsed(), n)
            })
            .collect()
    }

    /// Whether findings of this rule may be kept by the requester.
    pub fn may_keep(&self, rule: &str) -> bool {
        self.rule(rule)
            .is_some_and(|r| r.user_may_keep && !r.secret)
    }

    /// Non-overlapping findings in text order. Where two overlap, the longer wins,
    /// then the rule listed first. Every further occurrence of a found value is found too,
    /// so a secret mentioned once in context and once bare is masked both times.
    ///
    /// Masking changes what stands next to what ("…1111+7 (916)…" becomes "[CARD-1]+7 (916)…"),
    /// which can reveal a value the first look missed. So the text is looked at again with
    /// the masks in place, until nothing new turns up: that makes redaction idempotent.
    pub fn find(&self, text: &str) -> Vec<Finding> {
        let mut findings = self.find_once(text);
        for _ in 0..MAX_ROUNDS {
            if findings.is_empty() {
                break;
            }
            let (masked, segments) = render_with_masks(text, &findings);
            // Only text near a mask can read differently now: look again there alone.
            let mut more: Vec<(usize, usize, usize)> = Vec::new();
            for region in regions_near_masks(&masked, &segments) {
                let base = region.start;
                more.extend(self.find_once(&masked[region]).into_iter().filter_map(|f| {
                    let index = self.rules.iter().position(|r| r.id == f.rule)?;
                    let (start, end) = map_back(&segments, base + f.start, base + f.end)?;
                    Some((start, end, index))
                }));
            }
            // `findings` is sorted and disjoint, so the one that could overlap is found by search.
            more.retain(|&(start, end, _)| {
                let i = findings.partition_point(|f| f.end <= start);
                findings.get(i).is_none_or(|f| f.start >= end)
            });
            if more.is_empty() {
                break;
            }
            let mut all: Vec<(usize, usize, usize)> = findings
                .iter()
                .filter_map(|f| {
                    Some((
                        f.start,
                        f.end,
                        self.rules.iter().position(|r| r.id == f.rule)?,
                    ))
                })
                .chain(more)
                .collect();
            resolve_overlaps(&mut all);
            findings = all
                .into_iter()
                .map(|candidate| self.to_finding(candidate))
                .collect();
        }
        findings
    }

    /// One look at the text: every active rule, then repeated values, then overlaps resolved.
    fn find_once(&self, text: &str) -> Vec<Finding> {
        let active = self.active_rules(text);
        let mut candidates: Vec<(usize, usize, usize)> = Vec::new(); // (start, end, rule index)
        // Rules that need a digit only run near one; computed once, lazily.
        let mut digit_regions: Option<Vec<std::ops::Range<usize>>> = None;
        for index in active {
            let rule = &self.rules[index];
            let group = self.value_groups[index];
            let mut push = |span: std::ops::Range<usize>| {
                if !span.is_empty() {
                    candidates.push((span.start, span.end, index));
                }
            };
            match rule.scope {
                Scope::Anywhere => rule
                    .find_in_region(text, 0..text.len(), group)
                    .for_each(&mut push),
                Scope::Digits => {
                    for region in digit_regions
                        .get_or_insert_with(|| regions_near_digits(text))
                        .iter()
                    {
                        rule.find_in_region(text, region.clone(), group)
                            .for_each(&mut push);
                    }
                }
            }
        }
        if candidates.is_empty() {
            return Vec::new();
        }
        let masks = existing_masks(text);
        candidates.retain(|&(start, end, _)| !masks.iter().any(|m| start < m.end && m.start < end));
        candidates.extend(self.repeated_values(text, &candidates, &masks));
        resolve_overlaps(&mut candidates);
        candidates
            .into_iter()
            .map(|candidate| self.to_finding(candidate))
            .collect()
    }

    /// Rules without keywords, and those whose keywords occur in `text`, in rule order.
    fn active_rules(&self, text: &str) -> Vec<usize> {
        let mut active = vec![false; self.rules.len()];
        for &index in &self.always {
            active[index] = true;
        }
        if let Some(automaton) = &self.keywords {
            let mut pending = self.rules.len() - self.always.len();
            for found in automaton.find_overlapping_iter(text) {
                for &index in &self.keyword_rules[found.pattern().as_usize()] {
                    if !active[index] {
                        active[index] = true;
                        pending = pending.saturating_sub(1);
                    }
                }
                if pending == 0 {
                    break;
                }
            }
        }
        active
            .iter()
            .enumerate()
            .filter(|(_, on)| **on)
            .map(|(i, _)| i)
            .collect()
    }

    /// Further occurrences of values already found, standing as whole tokens.
    fn repeated_values(
        &self,
        text: &str,
        found: &[(usize, usize, usize)],
        masks: &[std::ops::Range<usize>],
    ) -> Vec<(usize, usize, usize)> {
        let mut seen = HashSet::new();
        let mut values: Vec<(&str, usize)> = Vec::new();
        for &(start, end, index) in found {
            let value = &text[start..end];
            // Short values (a CVV, a PIN) would match unrelated numbers all over the text.
            if value.chars().count() >= PROPAGATE_MIN_CHARS && seen.insert(value) {
                values.push((value, index));
            }
        }
        if values.is_empty() {
            return Vec::new();
        }
        let found_spans: HashSet<(usize, usize)> = found.iter().map(|&(s, e, _)| (s, e)).collect();
        let Ok(automaton) = AhoCorasick::new(values.iter().map(|(v, _)| *v)) else {
            return Vec::new();
        };
        automaton
            .find_overlapping_iter(text)
            .filter(|m| is_token_boundary(text, m.start(), m.end()))
            .filter(|m| !masks.iter().any(|r| m.start() < r.end && r.start < m.end()))
            .filter(|m| !found_spans.contains(&(m.start(), m.end())))
            .map(|m| (m.start(), m.end(), values[m.pattern().as_usize()].1))
            .collect()
    }

    /// Masks every finding in `text`, numbering values through `book` so that the same
    /// value gets the same mask everywhere in one ticket.
    pub fn redact(&self, text: &str, book: &mut MaskBook) -> Redacted<String> {
        self.redact_keeping(text, book, &[])
    }

    /// Like `redact`, but leaves unmasked the findings at the spans in `keep` whose rule
    /// allows keeping. Secrets are masked whatever `keep` says.
    pub fn redact_keeping(
        &self,
        text: &str,
        book: &mut MaskBook,
        keep: &[(usize, usize)],
    ) -> Redacted<String> {
        let mut out = String::with_capacity(text.len());
        let mut counts = RedactionCounts::default();
        let mut last = 0;
        // A kept finding has taken its number too, so what a preview showed is what is stored.
        for planned in self.masks_for(text, book) {
            let (start, end) = (planned.finding.start, planned.finding.end);
            if planned.may_keep && keep.contains(&(start, end)) {
                continue;
            }
            out.push_str(&text[last..start]);
            out.push_str(&planned.mask);
            counts.add(&planned.finding.rule);
            last = end;
        }
        out.push_str(&text[last..]);
        Redacted::new(out, counts)
    }

    fn to_finding(&self, (start, end, index): (usize, usize, usize)) -> Finding {
        let rule = &self.rules[index];
        Finding {
            rule: rule.id.clone(),
            mask: rule.mask.clone(),
            start,
            end,
        }
    }

    pub(super) fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| &*r.id == id)
    }
}

/// The spellings a keyword is searched in. The automaton ignores ASCII case by itself;
/// other scripts (Cyrillic) get their lower, Capitalised and UPPER forms.
fn case_variants(keyword: &str) -> Vec<String> {
    let lower = keyword.to_lowercase();
    if lower.is_ascii() {
        return vec![lower];
    }
    let mut capitalised = String::new();
    let mut chars = lower.chars();
    if let Some(first) = chars.next() {
        capitalised.extend(first.to_uppercase());
        capitalised.push_str(chars.as_str());
    }
    let mut variants = vec![lower.clone(), capitalised, lower.to_uppercase()];
    variants.dedup();
    variants
}

/// Mask tokens already in the text (`[EMAIL-1]`): never matched again, so redacting
/// redacted text changes nothing.
fn existing_masks(text: &str) -> Vec<std::ops::Range<usize>> {
    let bytes = text.as_bytes();
    let mut masks = Vec::new();
    let mut i = 0;
    while let Some(offset) = memchr::memchr(b'[', &bytes[i..]) {
        let start = i + offset;
        let mut j = start + 1;
        while j < bytes.len()
            && (bytes[j].is_ascii_uppercase() || bytes[j].is_ascii_digit() || bytes[j] == b'_')
        {
            j += 1;
        }
        let label_end = j;
        if label_end > start + 1 && j < bytes.len() && bytes[j] == b'-' {
            j += 1;
            let digits_start = j;
            while j < bytes.len() && bytes[j].is_ascii_digit() {
                j += 1;
            }
            if j > digits_start && j < bytes.len() && bytes[j] == b']' {
                masks.push(start..j + 1);
                i = j + 1;
                continue;
            }
        }
        i = start + 1;
    }
    masks
}

/// Whether `start..end` is not glued to letters or digits on either side.
fn is_token_boundary(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

/// Keeps a non-overlapping set: earlier first, then longer, then the rule listed first.
fn resolve_overlaps(candidates: &mut Vec<(usize, usize, usize)>) {
    candidates.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then((b.1 - b.0).cmp(&(a.1 - a.0)))
            .then(a.2.cmp(&b.2))
    });
    let mut covered_until = 0;
    candidates.retain(|&(start, end, _)| {
        if start < covered_until {
            return false;
        }
        covered_until = end;
        true
    });
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
