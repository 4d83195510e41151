//! The one pass over the text: where keywords stand, where digits stand (as runs, with their
//! count), where capitalised words stand. Rules then run only in windows around the anchors
//! they subscribe to (see ANCHORS.md for the contract rule authors rely on).

use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickKind};
use rustc_hash::FxHashMap;

use super::rules::RuleError;

/// How far before an anchor a match may start.
pub const BEFORE: usize = 64;
/// How far after a capitalised word a match may end.
pub const AFTER_CAPITALISED: usize = 192;
/// Keywords of at most this many characters that begin with a letter wake a rule that asks
/// for it (`keywords_at_word_start`) only where a word starts (or a camel-case word part:
/// `cardExp`): inside another word they are everyday text — `exp` in `expect`, `hi` in
/// `this`. A rule asks for it when its regex needs the word to start there anyway; glued
/// cues (`myotp=…`) still wake every other rule.
pub const SHORT_KEYWORD: usize = 4;
/// Gap up to which neighbouring windows of one rule are searched as one.
const MERGE_GAP: usize = 48;
/// Most characters (none a letter, digit or line break) between two digits of one run.
pub const RUN_GAP: usize = 3;

/// One automaton over every rule's keywords, and which rules each keyword wakes.
#[derive(Debug)]
pub struct KeywordIndex {
    automaton: Option<AhoCorasick>,
    rules_of: Vec<Vec<usize>>,
    /// Per pattern, the rules its hit wakes when it stands inside a word (see
    /// `SHORT_KEYWORD`): all of `rules_of` for a longer keyword, else those that do not ask
    /// for a word start.
    rules_inside_words: Vec<Vec<usize>>,
    /// One-byte keywords (`@`, `?`, `.`) are found by `memchr` instead: they are frequent,
    /// and in the automaton they would hide longer keywords that start with them.
    single_bytes: Vec<(u8, Vec<usize>)>,
}

impl KeywordIndex {
    /// `keywords[i]` are rule `i`'s keywords (lowercase), and whether its short keywords
    /// count only where a word starts.
    pub fn new(keywords: &[(&[String], bool)]) -> Result<KeywordIndex, RuleError> {
        let mut patterns: Vec<String> = Vec::new();
        let mut rules_of: Vec<Vec<usize>> = Vec::new();
        for (rule, (words, _)) in keywords.iter().enumerate() {
            for word in words.iter() {
                let folded = String::from_utf8(fold_case(word.as_bytes()))
                    .map_err(|e| RuleError::Empty(format!("keyword {word:?}: {e}")))?;
                match patterns.iter().position(|p| *p == folded) {
                    Some(existing) => rules_of[existing].push(rule),
                    None => {
                        patterns.push(folded);
                        rules_of.push(vec![rule]);
                    }
                }
            }
        }
        let mut single_bytes: Vec<(u8, Vec<usize>)> = Vec::new();
        let mut longer: Vec<String> = Vec::new();
        let mut longer_rules: Vec<Vec<usize>> = Vec::new();
        for (pattern, rules) in patterns.into_iter().zip(rules_of) {
            match pattern.as_bytes() {
                // A one-byte keyword is not a letter: folded text keeps it as it is.
                [byte] => single_bytes.push((*byte, rules)),
                _ => {
                    longer.push(pattern);
                    longer_rules.push(rules);
                }
            }
        }
        let (patterns, rules_of) = (longer, longer_rules);
        // One non-overlapping pass: a keyword inside a longer one (`key` in `api_key`) is not
        // reported on its own, so the longer one wakes its rules too.
        let inherited: Vec<Vec<usize>> = patterns
            .iter()
            .map(|outer| {
                let mut rules: Vec<usize> = patterns
                    .iter()
                    .zip(&rules_of)
                    .filter(|(inner, _)| outer.contains(inner.as_str()))
                    .flat_map(|(_, rules)| rules.iter().copied())
                    .collect();
                rules.sort_unstable();
                rules.dedup();
                rules
            })
            .collect();
        let rules_of = inherited;
        let rules_inside_words = patterns
            .iter()
            .zip(&rules_of)
            .map(|(pattern, rules)| {
                let short = pattern.chars().count() <= SHORT_KEYWORD
                    && pattern.starts_with(char::is_alphabetic);
                rules
                    .iter()
                    .copied()
                    .filter(|&rule| !short || !keywords[rule].1)
                    .collect()
            })
            .collect();
        let automaton = if patterns.is_empty() {
            None
        } else {
            Some(
                AhoCorasick::builder()
                    .match_kind(aho_corasick::MatchKind::LeftmostLongest)
                    .kind(Some(AhoCorasickKind::DFA))
                    .build(&patterns)
                    .map_err(|e| RuleError::Empty(format!("keyword automaton: {e}")))?,
            )
        };
        Ok(KeywordIndex {
            automaton,
            rules_of,
            rules_inside_words,
            single_bytes,
        })
    }

    /// Every keyword hit in `text` (the longest where they overlap), with the rules it wakes.
    ///
    /// The automaton runs over the text with ASCII and Cyrillic case folded (a copy of the
    /// same length, so offsets are the text's): one lower-case pattern per keyword finds it
    /// in any mix of cases, a stuck Caps Lock's `пАСПОРТ` too, and the automaton stays small.
    pub fn hits<'s>(&'s self, text: &'s str) -> impl Iterator<Item = (Range<usize>, &'s [usize])> {
        let longer: Vec<(Range<usize>, &'s [usize])> = match &self.automaton {
            None => Vec::new(),
            Some(automaton) => automaton
                .find_iter(&fold_case(text.as_bytes()))
                .filter_map(|m| {
                    let pattern = m.pattern().as_usize();
                    let rules = if starts_a_word(text, m.start()) {
                        &self.rules_of[pattern]
                    } else {
                        &self.rules_inside_words[pattern]
                    };
                    (!rules.is_empty()).then(|| (m.range(), rules.as_slice()))
                })
                .collect(),
        };
        let single = self.single_bytes.iter().flat_map(move |(byte, rules)| {
            memchr::memchr_iter(*byte, text.as_bytes())
                .map(move |at| (at..at + 1, rules.as_slice()))
        });
        longer.into_iter().chain(single)
    }
}

/// Whether a word, or a camel-case part of one (`apiKey`), starts at `at`. Only a letter of
/// the keyword's own script (Latin or Cyrillic) before it makes the keyword part of a longer
/// word: a digit, a mark or a letter of another script beside it says nothing about it
/// (`AИНН`, `3тел`).
fn starts_a_word(text: &str, at: usize) -> bool {
    let (Some(before), Some(first)) = (text[..at].chars().next_back(), text[at..].chars().next())
    else {
        return true;
    };
    let cyrillic = |c: char| matches!(c, '\u{400}'..='\u{4FF}');
    let same_script = (before.is_ascii_alphabetic() && first.is_ascii_alphabetic())
        || (cyrillic(before) && cyrillic(first));
    !same_script || (before.is_lowercase() && first.is_uppercase())
}

/// `text` with ASCII and basic Cyrillic letters in lower case, byte for byte the same
/// length: `A`–`Z` → `a`–`z`, `А`–`П` → `а`–`п`, `Р`–`Я` → `р`–`я`, `Ѐ`–`Џ` → `ѐ`–`џ` (each
/// two bytes before and after). Everything else is copied.
///
/// Written by hand because it must keep every offset: `str::to_lowercase` changes lengths
/// in other scripts, and the hits must point into the original text.
pub fn fold_case(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    fold_case_into(text, &mut out);
    out
}

/// `fold_case`, appended to `out` (a reused buffer).
pub fn fold_case_into(text: &[u8], out: &mut Vec<u8>) {
    // Each output byte is a function of the input byte and its two neighbours, written so the
    // compiler vectorises it: a Cyrillic capital is a lead byte 0xD0 and a second byte
    // 0x80..=0xAF, and both may change.
    out.reserve(text.len());
    match text {
        [] => {}
        [only] => out.push(fold_byte(0, *only, 0)),
        [first, second, ..] => {
            out.push(fold_byte(0, *first, *second));
            let n = text.len();
            let (previous, byte, next) = (&text[..n - 2], &text[1..n - 1], &text[2..]);
            out.extend(
                previous
                    .iter()
                    .zip(byte)
                    .zip(next)
                    .map(|((&p, &b), &x)| fold_byte(p, b, x)),
            );
            out.push(fold_byte(text[n - 2], text[n - 1], 0));
        }
    }
}

/// `fold_case` written into `out` (as long as `text`): for short words on the stack.
pub fn fold_case_to(text: &[u8], out: &mut [u8]) {
    for (i, (slot, &byte)) in out.iter_mut().zip(text).enumerate() {
        let previous = if i == 0 { 0 } else { text[i - 1] };
        let next = text.get(i + 1).copied().unwrap_or(0);
        *slot = fold_byte(previous, byte, next);
    }
}

/// One byte of `fold_case`, given the bytes either side of it. Branch-free arithmetic, so
/// the loop over the text vectorises.
#[inline(always)]
fn fold_byte(previous: u8, byte: u8, next: u8) -> u8 {
    let all = |condition: bool| 0u8.wrapping_sub(u8::from(condition));
    let ascii_upper = all(byte.wrapping_sub(b'A') < 26);
    // The lead byte of Р…Я and Ѐ…Џ becomes 0xD1 (р…я and ѐ…џ live there).
    let lead_moves = all(byte == 0xD0 && (next & 0xF0 == 0x80 || next & 0xF0 == 0xA0));
    // The second byte after 0xD0: А…П +0x20, Р…Я −0x20, Ѐ…Џ +0x10; а…п unchanged.
    let high = byte & 0xF0;
    let shift =
        (all(high == 0x90) & 0x20) | (all(high == 0xA0) & 0xE0) | (all(high == 0x80) & 0x10);
    let second = all(previous == 0xD0) & shift;
    byte.wrapping_add(ascii_upper & 0x20)
        .wrapping_add(lead_moves & 1)
        .wrapping_add(second)
}

/// ASCII digits joined by short gaps: `4111 1111`, `+7 (916) 123-45-67`, `45 10 № 123456`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigitRun {
    /// From the first digit to just after the last.
    pub span: Range<usize>,
    pub digits: usize,
}

/// Every digit run of `text`, in order.
pub fn digit_runs(text: &str) -> Vec<DigitRun> {
    let bytes = text.as_bytes();
    let mut runs = Vec::new();
    let mut i = 0;
    while let Some(offset) = bytes[i..].iter().position(u8::is_ascii_digit) {
        let start = i + offset;
        let mut end = start;
        let mut digits = 0;
        let mut j = start;
        loop {
            while j < bytes.len() && bytes[j].is_ascii_digit() {
                j += 1;
                digits += 1;
            }
            end = end.max(j);
            match gap_to_next_digit(text, j) {
                Some(next) => j = next,
                None => break,
            }
        }
        runs.push(DigitRun {
            span: start..end,
            digits,
        });
        i = end;
    }
    runs
}

/// Where the next digit of the same run starts, if the gap from `at` is short and holds no
/// letter or line break.
fn gap_to_next_digit(text: &str, at: usize) -> Option<usize> {
    let mut chars = text[at..].char_indices();
    for _ in 0..=RUN_GAP {
        let (offset, c) = chars.next()?;
        if c.is_ascii_digit() {
            return (offset > 0).then_some(at + offset);
        }
        if c.is_alphanumeric() || c == '\n' || c == '\r' {
            return None;
        }
    }
    None
}

/// Words starting with an upper-case letter (Latin, Cyrillic or any other script), as spans.
///
/// Read byte by byte: ASCII and two-byte Cyrillic (the bulk of what tickets hold) are
/// classified without decoding, other scripts through `char`. Same answer as walking
/// `char_indices` with `is_word_char` (a property test holds it to that), several times faster.
pub fn capitalised_words(text: &str) -> Vec<Range<usize>> {
    // Most bytes are lower-case letters, blanks and punctuation: they are stepped over with
    // one or two comparisons each, and only a byte that may begin a capital (an ASCII
    // capital, a Cyrillic capital's lead byte, another script's lead byte) is looked at
    // closely. Every other byte of the text is read once.
    let bytes = text.as_bytes();
    let mut words = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let b = bytes[at];
        let may_be_capital = match b {
            b'A'..=b'Z' => true,
            0x00..=0xBF => false,
            // а…п (0xD0 0xB0…0xBF), р…я and ѐ…џ (0xD1 0x80…0x9F): lower case.
            0xD0 => !matches!(bytes.get(at + 1), Some(0xB0..=0xBF)),
            0xD1 => !matches!(bytes.get(at + 1), Some(0x80..=0x9F)),
            _ => true,
        };
        if !may_be_capital {
            at += if matches!(b, 0xD0 | 0xD1) { 2 } else { 1 };
            continue;
        }
        let (class, len) = classify(text, at);
        if class != CharClass::Upper || previous_is_word(text, at) {
            at += len;
            continue;
        }
        let start = at;
        at += len;
        while at < bytes.len() {
            let b = bytes[at];
            if b.is_ascii_alphanumeric() {
                at += 1;
                continue;
            }
            if matches!(b, 0xD0 | 0xD1) && matches!(bytes.get(at + 1), Some(0x80..=0xBF)) {
                at += 2;
                continue;
            }
            let (class, len) = classify(text, at);
            if class == CharClass::NotWord {
                break;
            }
            at += len;
        }
        words.push(start..at);
    }
    words
}

/// Whether the char before `at` (a char boundary) is a word character.
fn previous_is_word(text: &str, at: usize) -> bool {
    let Some(&last) = at.checked_sub(1).and_then(|i| text.as_bytes().get(i)) else {
        return false;
    };
    if last < 0x80 {
        return last.is_ascii_alphanumeric();
    }
    let start = floor_char_boundary_before(text, at);
    classify(text, start).0 != CharClass::NotWord
}

/// The start of the char that ends at `at`.
fn floor_char_boundary_before(text: &str, at: usize) -> usize {
    let mut start = at - 1;
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    start
}

/// Capitalised words that are evidence of a personal name: a given name the dictionary
/// knows in any case form or spelling (`Ивану`, `JOHN`), and initials (one capital letter
/// followed by a dot: `J.`, `И.`). Every name a dictionary-checked rule accepts holds one.
/// `capitalised` are `text`'s capitalised words (`capitalised_words`).
pub fn name_evidence(text: &str, capitalised: &[Range<usize>]) -> Vec<Range<usize>> {
    // The same words come back again and again ("The", "Спасибо", a customer's name): each
    // spelling is looked up in the dictionary once per text.
    let mut known: FxHashMap<&str, bool> = FxHashMap::default();
    capitalised
        .iter()
        .filter(|word| {
            let spelled = &text[(*word).clone()];
            let mut chars = spelled.chars();
            if chars.next().is_some() && chars.next().is_none() {
                return text.as_bytes().get(word.end) == Some(&b'.');
            }
            // No given name is longer than this; most long capitalised words are not names.
            if spelled.len() > MAX_GIVEN_NAME_BYTES {
                return false;
            }
            *known.entry(spelled).or_insert_with(|| {
                super::validators::casefold::with_lowercase(
                    spelled,
                    super::text_validators::is_given_name_lowercase,
                )
            })
        })
        .cloned()
        .collect()
}

/// Longest given name in the dictionaries, in bytes, with room to spare.
const MAX_GIVEN_NAME_BYTES: usize = 48;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CharClass {
    NotWord,
    Upper,
    /// A word character that is not upper case (lower case, digit, other letters).
    Other,
}

/// The class and UTF-8 length of the char starting at `at` (a char boundary of `text`).
fn classify(text: &str, at: usize) -> (CharClass, usize) {
    let bytes = text.as_bytes();
    let b = bytes[at];
    if b < 0x80 {
        let class = if b.is_ascii_uppercase() {
            CharClass::Upper
        } else if b.is_ascii_alphanumeric() {
            CharClass::Other
        } else {
            CharClass::NotWord
        };
        return (class, 1);
    }
    // U+0400..=U+042F (Ѐ…Я) upper, U+0430..=U+045F (а…џ) lower: all letters.
    if let (0xD0, Some(&next)) = (b, bytes.get(at + 1)) {
        match next {
            0x80..=0xAF => return (CharClass::Upper, 2),
            0xB0..=0xBF => return (CharClass::Other, 2),
            _ => {}
        }
    }
    if let (0xD1, Some(0x80..=0x9F)) = (b, bytes.get(at + 1)) {
        return (CharClass::Other, 2);
    }
    let Some(c) = text[at..].chars().next() else {
        return (CharClass::NotWord, 1);
    };
    let class = if !super::repeats::is_word_char(c) {
        CharClass::NotWord
    } else if c.is_uppercase() {
        CharClass::Upper
    } else {
        CharClass::Other
    };
    (class, c.len_utf8())
}

/// Window ranges of one rule, kept merged as they are added in (roughly) text order.
#[derive(Debug, Default, Clone)]
pub struct Windows(Vec<Range<usize>>);

impl Windows {
    pub fn add(&mut self, window: Range<usize>) {
        match self.0.last_mut() {
            Some(last) if window.start <= last.end && window.end >= last.start => {
                last.start = last.start.min(window.start);
                last.end = last.end.max(window.end);
            }
            _ => self.0.push(window),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The windows sorted and merged, on char boundaries of `text`.
    pub fn finish(mut self, text: &str) -> Vec<Range<usize>> {
        for window in &mut self.0 {
            window.start = super::rules::floor_char_boundary(text, window.start);
            window.end = super::rules::ceil_char_boundary(text, window.end.min(text.len()));
        }
        if !self.0.is_sorted_by_key(|w| w.start) {
            self.0.sort_by_key(|w| w.start);
        }
        let mut merged: Vec<Range<usize>> = Vec::with_capacity(self.0.len());
        for window in self.0 {
            match merged.last_mut() {
                // Windows a few bytes apart are searched as one: a search has a fixed cost
                // that scanning the bytes between them does not outweigh.
                Some(last) if window.start <= last.end + MERGE_GAP => {
                    last.end = last.end.max(window.end)
                }
                _ => merged.push(window),
            }
        }
        merged
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digit_runs_join_separators_but_not_words_or_lines() {
        let text =
            "card 4111 1111 1111 1111, phone +7 (916) 123-45-67\nyear 2026 and 45 10 № 123456";
        let runs: Vec<(&str, usize)> = digit_runs(text)
            .into_iter()
            .map(|r| (&text[r.span], r.digits))
            .collect();
        assert_eq!(
            runs,
            [
                ("4111 1111 1111 1111", 16),
                ("7 (916) 123-45-67", 11),
                ("2026", 4),
                ("45 10 № 123456", 10),
            ]
        );
    }

    #[test]
    fn cyrillic_keywords_are_found_in_any_case_a_stuck_caps_lock_types() {
        let index = KeywordIndex::new(&[
            (&["инн".to_owned()], false),
            (&["паспорт".to_owned()], false),
        ])
        .expect("keywords compile");
        let text =
            "иНН 7707083893, ИнН 7707083893, пАСПОРТ 4510 123456, ПаСпОрТ 1, Паспортный, ИНН";
        let found: Vec<(&str, Vec<usize>)> = index
            .hits(text)
            .map(|(hit, rules)| (&text[hit], rules.to_vec()))
            .collect();
        assert_eq!(
            found,
            [
                ("иНН", vec![0]),
                ("ИнН", vec![0]),
                ("пАСПОРТ", vec![1]),
                ("ПаСпОрТ", vec![1]),
                ("Паспорт", vec![1]),
                ("ИНН", vec![0]),
            ]
        );
    }

    #[test]
    fn a_short_keyword_inside_another_word_wakes_only_rules_that_do_not_ask_for_a_word_start() {
        let phone = ["тел".to_owned(), "key".to_owned()];
        let suffix = ["вич".to_owned()];
        let index = KeywordIndex::new(&[(&phone, true), (&suffix, false)]).unwrap();
        let woken = |text: &str| -> Vec<(String, Vec<usize>)> {
            index
                .hits(text)
                .map(|(hit, rules)| (text[hit].to_owned(), rules.to_vec()))
                .collect()
        };
        assert_eq!(woken("пользователь monkey"), []);
        assert_eq!(
            woken("тел. 123, Тел: 4"),
            [("тел".into(), vec![0]), ("Тел".into(), vec![0])]
        );
        assert_eq!(
            woken("apiKey, api_key"),
            [("Key".into(), vec![0]), ("key".into(), vec![0])]
        );
        assert_eq!(woken("Петрович"), [("вич".into(), vec![1])]);
        // A mark of another script (Gujarati candrabindu) before it is no part of the word.
        assert_eq!(woken("\u{a81}тел"), [("тел".into(), vec![0])]);
        // Nor is a letter of another script or a digit.
        assert_eq!(
            woken("Aтел 3key"),
            [("тел".into(), vec![0]), ("key".into(), vec![0])]
        );
    }

    /// The char-walking definition `capitalised_words` must agree with.
    fn capitalised_words_reference(text: &str) -> Vec<Range<usize>> {
        let mut words = Vec::new();
        let mut previous_is_word = false;
        let mut current: Option<usize> = None;
        for (at, c) in text.char_indices() {
            let is_word = crate::redact::repeats::is_word_char(c);
            if is_word && !previous_is_word && c.is_uppercase() {
                current = Some(at);
            }
            if !is_word && let Some(start) = current.take() {
                words.push(start..at);
            }
            previous_is_word = is_word;
        }
        if let Some(start) = current {
            words.push(start..text.len());
        }
        words
    }

    proptest::proptest! {
        #[test]
        fn capitalised_words_agree_with_the_char_walk(
            text in "[A-Za-z0-9 .,_\\-ЀЁЄІЇАБВЯабвяёєіїѠѡѢÀÉéßΣσ\u{2000}\u{00A0}\n]{0,40}"
        ) {
            proptest::prop_assert_eq!(capitalised_words(&text), capitalised_words_reference(&text));
        }
    }

    #[test]
    fn name_evidence_is_given_names_in_any_case_and_initials() {
        let text =
            "Ивану Петрову, JOHN said to Maria. Smith J. Smith wrote, И.И. Иванов, Москва, A test";
        let found: Vec<&str> = name_evidence(text, &capitalised_words(text))
            .into_iter()
            .map(|r| &text[r])
            .collect();
        assert_eq!(found, ["Ивану", "JOHN", "Maria", "J", "И", "И"]);
    }

    proptest::proptest! {
        #[test]
        fn folding_keeps_lengths_and_lowers_ascii_and_cyrillic(
            text in "[A-Za-z0-9 .,ЀЁЄІЇАБВПРЯабвпряёєіїѠѡѢÀÉéßΣσ\\u{2000}\\u{00A0}\\n]{0,40}"
        ) {
            let folded = fold_case(text.as_bytes());
            let folded = String::from_utf8(folded).expect("folding keeps UTF-8 valid");
            proptest::prop_assert_eq!(folded.len(), text.len());
            for (a, b) in text.chars().zip(folded.chars()) {
                let basic = a.is_ascii_alphabetic() || ('\u{400}'..='\u{42F}').contains(&a);
                let expected = if basic { a.to_lowercase().next().unwrap_or(a) } else { a };
                proptest::prop_assert_eq!(b, expected);
            }
        }
    }

    #[test]
    fn capitalised_words_in_both_scripts() {
        let text = "Иван wrote to John, then МВД and eBay";
        let words: Vec<&str> = capitalised_words(text)
            .into_iter()
            .map(|r| &text[r])
            .collect();
        assert_eq!(words, ["Иван", "John", "МВД"]);
    }
}
