//! Rule files: parsing, compiling and self-checking against each rule's own examples.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use regex_automata::{Anchored, Input, meta};
use serde::Deserialize;

use super::columns;
use super::prefilter::Prefilter;
use super::shape::shape_of;
use super::validators::Validator;
use super::validators::casefold::WordSet;
use super::view::View;

/// Why a rule set was refused. Names the file and the rule so an operator can fix it.
#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    #[error("{file}: cannot read: {reason}")]
    Read { file: String, reason: String },
    #[error("{file}: not a valid rule file: {reason}")]
    Syntax { file: String, reason: String },
    #[error("{file}: rule {rule:?}: {reason}")]
    Rule {
        file: String,
        rule: String,
        reason: String,
    },
    #[error("no rule files found in {0}")]
    Empty(String),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default)]
    rule: Vec<RuleSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSpec {
    id: String,
    description: String,
    mask: String,
    regex: String,
    #[serde(default)]
    keywords: Vec<String>,
    validator: Option<String>,
    /// Words of which at least one must occur near the match (any case).
    #[serde(default)]
    context: Vec<String>,
    /// Words that, near the match, mean it is something else ("version 1.2.3.4").
    #[serde(default)]
    exclude_context: Vec<String>,
    /// How far around the match, in bytes, context words are looked for.
    context_window: Option<usize>,
    /// Least Shannon entropy (bits per character) of the value, for generic secret shapes.
    min_entropy: Option<f64>,
    /// `digits`: every match contains an ASCII digit, so the rule only needs to run near one.
    /// `capitalised`: every match is near a word starting with a capital letter.
    #[serde(default)]
    scope: Scope,
    /// How far after a keyword hit a match may end, in bytes (see ANCHORS.md).
    reach: Option<usize>,
    /// Short keywords wake the rule only where a word starts (see ANCHORS.md).
    #[serde(default)]
    keywords_at_word_start: bool,
    #[serde(default)]
    normalize: Normalize,
    #[serde(default)]
    user_may_keep: bool,
    #[serde(default)]
    secret: bool,
    #[serde(default)]
    examples: Vec<String>,
    #[serde(default)]
    counterexamples: Vec<String>,
}

/// Where in a text a rule can match at all; lets the engine skip the rest.
#[derive(Debug, Default, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    #[default]
    Anywhere,
    /// Only near an ASCII digit: every match of the rule contains one.
    Digits,
    /// Only near a word starting with an upper-case letter (names).
    Capitalised,
    /// Only near evidence of a personal name: a capitalised word the given-name dictionary
    /// knows (any case form), or an initial (`J.`, `И.`).
    Name,
}

/// How a found value is put in canonical form before it is numbered, so that
/// `4111 1111 1111 1111` and `4111-1111-1111-1111` get the same mask. The forms themselves
/// are in `normalize.rs`.
#[derive(Debug, Default, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Normalize {
    #[default]
    None,
    Lowercase,
    Digits,
    /// Letters upper-cased, digits kept, everything else dropped (IBAN, MAC).
    Alnum,
    /// E.164: `+7 912 345-67-89`, `8 (912) 345 67 89` and `+79123456789` are one phone.
    Phone,
    /// As `Phone`, but ten digits without a prefix are a Russian number (+7), not NANP (+1).
    PhoneRu,
    /// Lower case, and an internationalised domain in one form (`пример.рф` = `xn--e1afmkfd.xn--p1ai`).
    Email,
    /// Case-folded, with runs of white space read as one space (`ИВАНОВ  Иван` = `Иванов Иван`).
    Name,
    /// A calendar date as `YYYY-MM-DD` (`12.03.1985`, `12 марта 1985 г.`, `March 12, 1985`).
    Date,
}

/// One compiled rule.
#[derive(Debug)]
pub struct Rule {
    pub id: Arc<str>,
    pub description: String,
    pub mask: String,
    pub regex: meta::Regex,
    /// A DFA-fast over-approximation of `regex`, for regexes the DFA cannot run (see `prefilter`).
    pub prefilter: Option<Prefilter>,
    /// Index of the `value` capture group: what is masked (else the whole match).
    pub value_group: Option<usize>,
    /// How far after a keyword hit a match may end.
    pub reach: usize,
    /// Whether its short keywords count only where a word starts (`SHORT_KEYWORD`).
    pub keywords_at_word_start: bool,
    /// Fewest digits in a value (0: unknown): digit runs with fewer are skipped.
    pub min_digits: usize,
    /// Most bytes a match holds before its first digit and after its last (at most 64):
    /// the window around a digit run.
    pub lead: usize,
    pub trail: usize,
    /// Lowercased literals; the rule only runs when one occurs in the text.
    pub keywords: Vec<String>,
    pub validator: Option<Validator>,
    /// Lowercased; empty means no context is required.
    pub context: WordSet,
    pub exclude_context: WordSet,
    pub context_window: usize,
    pub min_entropy: Option<f64>,
    pub scope: Scope,
    pub normalize: Normalize,
    /// The requester may choose to keep this finding unmasked (never for secrets).
    pub user_may_keep: bool,
    /// Never offered for keeping, and never kept.
    pub secret: bool,
    pub examples: Vec<String>,
    pub counterexamples: Vec<String>,
}

/// Largest compiled program a rule may produce: a hostile rule file must not exhaust memory.
const REGEX_SIZE_LIMIT: usize = 16 * 1024 * 1024;
const MASK_LABEL_MAX: usize = 24;
const DEFAULT_CONTEXT_WINDOW: usize = 48;
const MAX_CONTEXT_WINDOW: usize = 512;
/// Farthest a digit rule's match may reach before or after its digits (ANCHORS.md).
const DIGIT_MARGIN: usize = 64;
/// Default reach of a keyword window, and the bounds an explicit `reach` must keep.
const DEFAULT_REACH: usize = 512;
/// Added to a rule's usual match length for its default reach: the keyword's own length.
const REACH_MARGIN: usize = 32;
const MIN_REACH: usize = 16;
const MAX_REACH: usize = 1 << 20;

/// Parses and compiles the rules of one file; `known_ids` catches duplicates across files.
pub fn compile_file(
    file: &str,
    text: &str,
    known_ids: &mut HashSet<String>,
) -> Result<Vec<Rule>, RuleError> {
    let parsed: RuleFile = toml::from_str(text).map_err(|e| RuleError::Syntax {
        file: file.to_owned(),
        reason: e.message().to_owned(),
    })?;
    parsed
        .rule
        .into_iter()
        .map(|spec| compile_rule(file, spec, known_ids))
        .collect()
}

fn compile_rule(
    file: &str,
    spec: RuleSpec,
    known_ids: &mut HashSet<String>,
) -> Result<Rule, RuleError> {
    let fail = |reason: String| RuleError::Rule {
        file: file.to_owned(),
        rule: spec.id.clone(),
        reason,
    };
    let id_ok = !spec.id.is_empty()
        && spec.id.len() <= 64
        && spec
            .id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !id_ok {
        return Err(fail("id must be 1–64 characters of a-z, 0-9 and _".into()));
    }
    if !known_ids.insert(spec.id.clone()) {
        return Err(fail("duplicate rule id".into()));
    }
    let mask_ok = !spec.mask.is_empty()
        && spec.mask.len() <= MASK_LABEL_MAX
        && spec
            .mask
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    if !mask_ok {
        return Err(fail(format!(
            "mask must be 1–{MASK_LABEL_MAX} characters of A-Z, 0-9 and _"
        )));
    }
    if spec.secret && spec.user_may_keep {
        return Err(fail("a secret can never be kept by the user".into()));
    }
    if spec.description.trim().is_empty() {
        return Err(fail("description is empty".into()));
    }
    let regex = meta::Builder::new()
        .configure(
            meta::Config::new()
                .nfa_size_limit(Some(REGEX_SIZE_LIMIT))
                .hybrid_cache_capacity(REGEX_SIZE_LIMIT)
                .dfa_size_limit(Some(REGEX_SIZE_LIMIT)),
        )
        .build(&spec.regex)
        .map_err(|e| fail(format!("bad regex: {e}")))?;
    let value_group = regex
        .group_info()
        .to_index(regex_automata::PatternID::ZERO, "value");
    let shape = shape_of(&spec.regex).ok_or_else(|| fail("bad regex".into()))?;
    if let Some(reach) = spec.reach
        && !(MIN_REACH..=MAX_REACH).contains(&reach)
    {
        return Err(fail(format!(
            "reach must be between {MIN_REACH} and {MAX_REACH} bytes"
        )));
    }
    // A greedy match that runs into the window's edge is followed to its real end (see
    // `find_in_window`); a rule whose match must *begin* farther away says so with `reach`.
    // Without a `reach` of its own, a keyword rule's window ends where a match of ordinary
    // length that holds the keyword can end (see ANCHORS.md): a window past it costs time.
    let reach = spec.reach.unwrap_or(
        shape
            .usual_len
            .saturating_add(REACH_MARGIN)
            .clamp(MIN_REACH, DEFAULT_REACH),
    );
    let validator = spec
        .validator
        .as_deref()
        .map(|name| {
            Validator::from_name(name).ok_or_else(|| fail(format!("unknown validator {name:?}")))
        })
        .transpose()?;
    if let Some(entropy) = spec.min_entropy
        && !(0.0..=8.0).contains(&entropy)
    {
        return Err(fail(
            "min_entropy must be between 0 and 8 bits per character".into(),
        ));
    }
    let context_window = spec.context_window.unwrap_or(DEFAULT_CONTEXT_WINDOW);
    if context_window > MAX_CONTEXT_WINDOW {
        return Err(fail(format!(
            "context_window must be at most {MAX_CONTEXT_WINDOW} bytes"
        )));
    }
    if spec
        .keywords
        .iter()
        .chain(&spec.context)
        .chain(&spec.exclude_context)
        .any(|w| w.trim().is_empty())
    {
        return Err(fail("keywords and context words must not be empty".into()));
    }
    // Digit-scoped rules run only where digits are, keyword rules among them too (the engine
    // drops their keyword windows without a digit run), so every example needs one.
    if spec.scope == Scope::Digits
        && let Some(example) = spec
            .examples
            .iter()
            .find(|e| !e.bytes().any(|b| b.is_ascii_digit()))
    {
        return Err(fail(format!(
            "scope is digits but example {example:?} has no digit"
        )));
    }
    if spec.examples.is_empty() {
        return Err(fail("at least one example is required".into()));
    }
    let rule = Rule {
        id: Arc::from(spec.id.as_str()),
        description: spec.description,
        mask: spec.mask,
        prefilter: Prefilter::for_pattern(&spec.regex, REGEX_SIZE_LIMIT),
        regex,
        value_group,
        reach,
        keywords_at_word_start: spec.keywords_at_word_start,
        min_digits: shape.min_digits,
        lead: shape.lead.map_or(DIGIT_MARGIN, |l| l.min(DIGIT_MARGIN)),
        trail: shape.trail.map_or(DIGIT_MARGIN, |t| t.min(DIGIT_MARGIN)),
        keywords: spec.keywords.iter().map(|k| k.to_lowercase()).collect(),
        validator,
        context: WordSet::new(&lowercase_all(&spec.context)),
        exclude_context: WordSet::new(&lowercase_all(&spec.exclude_context)),
        context_window,
        min_entropy: spec.min_entropy,
        scope: spec.scope,
        normalize: spec.normalize,
        user_may_keep: spec.user_may_keep,
        secret: spec.secret,
        examples: spec.examples,
        counterexamples: spec.counterexamples,
    };
    for example in &rule.examples {
        if rule.find_in(View::of(example).as_str()).next().is_none() {
            return Err(fail(format!("example {example:?} does not match")));
        }
    }
    for counterexample in &rule.counterexamples {
        if rule
            .find_in(View::of(counterexample).as_str())
            .next()
            .is_some()
        {
            return Err(fail(format!("counterexample {counterexample:?} matches")));
        }
    }
    Ok(rule)
}

impl Rule {
    /// Validated matches of this rule alone over the whole text, as byte ranges. Keywords
    /// are not consulted here (the engine's anchors do that); context, validator and entropy are.
    pub fn find_in<'t>(
        &'t self,
        text: &'t str,
    ) -> impl Iterator<Item = std::ops::Range<usize>> + 't {
        self.find_in_window(text, 0..text.len(), &[])
    }

    /// Like `find_in`, but only matches lying inside `window` (offsets stay relative to
    /// `text`, and look-around sees the text beyond the window, so its edges fake nothing).
    /// Values overlapping a `barrier` (sorted, disjoint: mask tokens already in the text) are
    /// passed over and the search goes on behind them, as for a value that fails validation.
    pub fn find_in_window<'t>(
        &'t self,
        text: &'t str,
        window: std::ops::Range<usize>,
        barriers: &'t [std::ops::Range<usize>],
    ) -> impl Iterator<Item = std::ops::Range<usize>> + 't {
        // Each search resumes where the previous *value* ended, not where the whole match
        // ended: a rule may consume a delimiter after its value, and that delimiter can be
        // the one a neighbouring value needs in front of it ("1.2.3.4,5.6.7.8"). A candidate
        // that fails validation is retried one character further on, so a leading decoy
        // ("1234 4111 1111 1111 1111") cannot hide the real value behind it.
        let mut captures = self.regex.create_captures();
        let mut position = window.start;
        std::iter::from_fn(move || {
            while position <= window.end {
                if let Some(prefilter) = &self.prefilter {
                    position = position.max(prefilter.earliest_start(text, position..window.end)?);
                }
                let input = Input::new(text).span(position..window.end);
                self.regex.search_captures(&input, &mut captures);
                let mut whole = captures.get_match()?.range();
                if whole.end == window.end && window.end < text.len() {
                    // The window's edge may have cut the match: follow it to its real end.
                    let unbounded = Input::new(text)
                        .span(whole.start..text.len())
                        .anchored(Anchored::Yes);
                    self.regex.search_captures(&unbounded, &mut captures);
                    whole = captures.get_match()?.range();
                }
                // A match reading into a mask token took its label for words (the cue
                // `password` in `[PASSWORD-1]`): a mask stands for a value, never for a cue.
                // Only a one-character guard may stand on its closing bracket.
                let i = barriers.partition_point(|b| b.end <= whole.start);
                if let Some(mask) = barriers
                    .get(i)
                    .filter(|b| b.start <= whole.start && whole.start + 1 < b.end)
                {
                    position = next_boundary(text, mask.end.max(position + 1));
                    continue;
                }
                let span = self
                    .value_group
                    .and_then(|i| captures.get_group(i))
                    .map_or(whole.clone(), |s| s.range());
                let accepted = self
                    .accept(text, whole.clone(), span.clone())
                    .filter(|range| !overlaps_any(barriers, range));
                match accepted {
                    Some(range) => {
                        position = if range.end > position {
                            range.end
                        } else {
                            whole.end.max(position + 1)
                        };
                        position = next_boundary(text, position);
                        return Some(range);
                    }
                    None => {
                        position = next_boundary(text, span.start + 1)
                            .max(next_boundary(text, position + 1))
                    }
                }
            }
            None
        })
    }

    /// Applies validator, entropy and context to one regex match.
    fn accept(
        &self,
        text: &str,
        around: std::ops::Range<usize>,
        value: std::ops::Range<usize>,
    ) -> Option<std::ops::Range<usize>> {
        let mut range = value;
        if let Some(validator) = self.validator {
            let len = validator.valid_prefix_in(text, range.clone())?;
            range.end = range.start + len;
        }
        if range.is_empty() {
            return None;
        }
        if let Some(min) = self.min_entropy
            && shannon_entropy(&text[range.clone()]) < min
        {
            return None;
        }
        if self.context.is_empty() && self.exclude_context.is_empty() {
            return Some(range);
        }
        // In a table the column's header names the value, and the other cells say nothing.
        // There a word counts only where one begins: a label cell is often a name, and
        // "Пантелеймон" is no "тел.".
        let column = columns::column_of(text, range.start);
        let says = |words: &WordSet| match &column {
            Some(column) => {
                let labels = format!("{} {}", column.header, &text[column.cue_cells.clone()]);
                starts_a_word(&without_masks(&labels).to_lowercase(), words.words())
            }
            None => self.near(text, &around, words),
        };
        if !self.context.is_empty() && !says(&self.context) {
            return None;
        }
        if !self.exclude_context.is_empty() && says(&self.exclude_context) {
            return None;
        }
        Some(range)
    }

    /// Whether one of `words` occurs within the context window around `span`.
    fn near(&self, text: &str, span: &std::ops::Range<usize>, words: &WordSet) -> bool {
        let start = floor_char_boundary(text, span.start.saturating_sub(self.context_window));
        let end = ceil_char_boundary(text, (span.end + self.context_window).min(text.len()));
        let window = &text[start..end];
        // The window is folded once into a reused buffer and searched for every word in one
        // pass; the lower-cased copy is only for the rare text the fold cannot read exactly.
        words
            .any_in(unmasked_pieces(window))
            .unwrap_or_else(|| words.any_in_lowercase(&without_masks(window).to_lowercase()))
    }
}

fn lowercase_all(words: &[String]) -> Vec<String> {
    words.iter().map(|w| w.to_lowercase()).collect()
}

/// Whether one of `words` occurs in `text` where a word begins.
fn starts_a_word(text: &str, words: &[String]) -> bool {
    words.iter().any(|w| {
        text.match_indices(w.as_str()).any(|(at, _)| {
            text[..at]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric())
        })
    })
}

/// `text` without the mask tokens already in it (`[PHONE-1]`): a mask's label is not a word
/// the requester wrote, and must not serve as context for the value beside it.
fn without_masks(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('[') {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(unmasked_pieces(text).collect())
}

/// The pieces of `text` between its mask tokens, each token read as one space: what
/// `without_masks` joins, without building the string.
fn unmasked_pieces(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    let mut space_next = false;
    std::iter::from_fn(move || {
        if std::mem::take(&mut space_next) {
            return Some(" ");
        }
        if rest.is_empty() {
            return None;
        }
        let mut from = 0;
        while let Some(offset) = memchr::memchr(b'[', &rest.as_bytes()[from..]) {
            let open = from + offset;
            if let Some(len) = mask_token_len(&rest[open..]) {
                let piece = &rest[..open];
                rest = &rest[open + len..];
                space_next = true;
                return Some(piece);
            }
            from = open + 1;
        }
        Some(std::mem::take(&mut rest))
    })
}

/// Length of the mask token (`[PHONE-1]`) `text` starts with, if it starts with one.
fn mask_token_len(text: &str) -> Option<usize> {
    let inner_len = text.get(1..)?.find(']')?;
    let inner = &text[1..1 + inner_len];
    let (label, number) = inner.split_once('-')?;
    let token = !label.is_empty()
        && label
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b == b'_' || b.is_ascii_digit())
        && !number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit());
    token.then_some(inner_len + 2)
}

/// Whether `range` overlaps one of the sorted, disjoint `ranges`.
pub(super) fn overlaps_any(
    ranges: &[std::ops::Range<usize>],
    range: &std::ops::Range<usize>,
) -> bool {
    let i = ranges.partition_point(|r| r.end <= range.start);
    ranges.get(i).is_some_and(|r| r.start < range.end)
}

fn next_boundary(text: &str, mut i: usize) -> usize {
    while i < text.len() && !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

pub(super) fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

pub(super) fn ceil_char_boundary(text: &str, mut i: usize) -> usize {
    while i < text.len() && !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// Shannon entropy of the characters of `value`, in bits per character.
pub fn shannon_entropy(value: &str) -> f64 {
    // Secrets are mostly ASCII: counted in an array, other chars in a map, summed in char
    // order (no per-call hasher, and the same float result on every run).
    let mut ascii = [0u32; 128];
    let mut others: std::collections::BTreeMap<char, u32> = std::collections::BTreeMap::new();
    let mut total = 0usize;
    for c in value.chars() {
        match ascii.get_mut(c as usize) {
            Some(count) => *count += 1,
            None => *others.entry(c).or_insert(0) += 1,
        }
        total += 1;
    }
    if total == 0 {
        return 0.0;
    }
    ascii
        .iter()
        .chain(others.values())
        .filter(|&&n| n > 0)
        .map(|&n| {
            let p = f64::from(n) / total as f64;
            -p * p.log2()
        })
        .sum()
}

/// Loads every `*.toml` file of a directory, in name order.
pub fn load_dir(dir: &Path) -> Result<Vec<(String, String)>, RuleError> {
    let display = dir.display().to_string();
    let entries = std::fs::read_dir(dir).map_err(|e| RuleError::Read {
        file: display.clone(),
        reason: e.to_string(),
    })?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| RuleError::Read {
            file: display.clone(),
            reason: e.to_string(),
        })?;
        let path = entry.path();
        if path.extension().is_some_and(|ext| ext == "toml") {
            let name = path.display().to_string();
            let text = std::fs::read_to_string(&path).map_err(|e| RuleError::Read {
                file: name.clone(),
                reason: e.to_string(),
            })?;
            files.push((name, text));
        }
    }
    if files.is_empty() {
        return Err(RuleError::Empty(display));
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The straightforward `without_masks`, kept to check the piecewise one against.
    fn without_masks_by_copy(text: &str) -> String {
        let mut kept = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(open) = rest.find('[') {
            kept.push_str(&rest[..open]);
            let token_len = rest[open + 1..].find(']').filter(|&len| {
                let inner = &rest[open + 1..open + 1 + len];
                inner.split_once('-').is_some_and(|(label, number)| {
                    !label.is_empty()
                        && label
                            .bytes()
                            .all(|b| b.is_ascii_uppercase() || b == b'_' || b.is_ascii_digit())
                        && !number.is_empty()
                        && number.bytes().all(|b| b.is_ascii_digit())
                })
            });
            match token_len {
                Some(len) => {
                    kept.push(' ');
                    rest = &rest[open + len + 2..];
                }
                None => {
                    kept.push('[');
                    rest = &rest[open + 1..];
                }
            }
        }
        kept.push_str(rest);
        kept
    }

    /// Entropy with a hash map of counts, as it was first written.
    fn entropy_by_map(value: &str) -> f64 {
        let mut counts = std::collections::HashMap::new();
        for c in value.chars() {
            *counts.entry(c).or_insert(0usize) += 1;
        }
        let total = value.chars().count();
        counts
            .values()
            .map(|&n| {
                let p = n as f64 / total as f64;
                -p * p.log2()
            })
            .sum()
    }

    proptest::proptest! {
        #[test]
        fn unmasked_pieces_join_to_the_text_without_masks(
            text in "([a-zA-Z_ ]{0,4}|\\[|\\]|-|[0-9]|\\[[A-Z_]{1,5}-[0-9]{1,3}\\]|ё){0,20}",
        ) {
            let piecewise = without_masks(&text).into_owned();
            proptest::prop_assert_eq!(piecewise, without_masks_by_copy(&text));
        }

        #[test]
        fn entropy_agrees_with_the_map_version(value in "[a-zA-Z0-9!$ёЁ€]{0,40}") {
            let (fast, by_map) = (shannon_entropy(&value), entropy_by_map(&value));
            proptest::prop_assert!((fast - by_map).abs() < 1e-9, "{} vs {}", fast, by_map);
        }
    }

    #[test]
    fn context_is_read_around_the_value_without_masks() {
        let words = WordSet::new(&["phone".to_owned(), "счёт".to_owned()]);
        assert_eq!(
            words.any_in(unmasked_pieces("call [PHONE-1] now")),
            Some(false)
        );
        assert_eq!(words.any_in(unmasked_pieces("My PHONE: [X-1]")), Some(true));
        assert_eq!(words.any_in(unmasked_pieces("СЧЁТ № ")), Some(true));
    }
}
