//! The search terms of a text: what the term index stores for subjects, bodies and
//! references, and what the search box is turned into. One pipeline for both sides and
//! both engines, so a match never depends on a database's collation or `like`.
//! Pure: it never keeps or logs the text it is given.

use std::collections::BTreeSet;

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;
use unicode_segmentation::UnicodeSegmentation;

use super::Reference;

/// Longer words are cut to this many characters on both sides: a pasted blob still
/// matches itself, and one row stays small.
const MAX_TERM_CHARS: usize = 64;

/// The most distinct terms one text adds to the index (a long mail keeps its first ones).
pub const MAX_TERMS_PER_TEXT: usize = 10_000;

/// The most terms a search asks for; words past these are ignored.
const MAX_QUERY_TERMS: usize = 16;

/// The terms `text` is found by: every word folded and stemmed, plus every placeholder or
/// reference-like token (`[EMAIL-1]`, `HD-7K2M9QX1`) folded whole.
pub fn index_terms(text: &str) -> BTreeSet<String> {
    let mut terms = BTreeSet::new();
    for token in tokens(text) {
        if terms.len() >= MAX_TERMS_PER_TEXT {
            break;
        }
        terms.insert(token.term);
    }
    terms
}

/// The term a ticket's own reference is indexed under, so typing it (in any case) finds
/// the ticket.
pub fn reference_term(reference: &Reference) -> String {
    fold(reference.as_str())
}

/// Every term a ticket's reference is indexed under: whole (`hd-7k2m9qx1`) and its code
/// alone (`7k2m9qx1`), as people read it out over the phone without the prefix.
pub fn reference_terms(reference: &Reference) -> [String; 2] {
    let whole = reference_term(reference);
    let code = whole
        .strip_prefix("hd-")
        .map(str::to_owned)
        .unwrap_or_else(|| whole.clone());
    [whole, code]
}

/// One index term a search asks for, as a range of stored terms: `from <= term < before`.
/// A whole word's range holds that term only; the last word's holds every term it begins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermRange {
    pub from: String,
    pub before: String,
}

/// What the search box asks for: every range must hold a term of the ticket. Built in
/// memory only; the text it came from is never stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    ranges: Vec<TermRange>,
}

impl SearchQuery {
    /// `None` when the text holds no searchable word (blank, punctuation only).
    pub fn parse(text: &str) -> Option<SearchQuery> {
        let tokens = tokens(text);
        let last_end = tokens.iter().map(|t| t.end).max()?;
        // A compound token's words are always indexed beside it: asking for them too would
        // only add work (every ticket holds `hd` through its reference's text).
        let compounds: Vec<(usize, usize)> = tokens
            .iter()
            .filter(|t| t.compound)
            .map(|t| (t.start, t.end))
            .collect();
        let mut ranges: Vec<TermRange> = Vec::new();
        for token in &tokens {
            let inside_compound = !token.compound
                && compounds
                    .iter()
                    .any(|&(start, end)| start <= token.start && token.end <= end);
            if inside_compound {
                continue;
            }
            // The word still being typed matches as a prefix.
            let range = if token.end == last_end {
                prefix_range(&token.term)
            } else {
                exact_range(&token.term)
            };
            if let Some(same) = ranges.iter_mut().find(|r| r.from == range.from) {
                // The same term asked for whole and as a prefix: whole is the narrower.
                if range.before < same.before {
                    *same = range;
                }
            } else if ranges.len() < MAX_QUERY_TERMS {
                ranges.push(range);
            }
        }
        (!ranges.is_empty()).then_some(SearchQuery { ranges })
    }

    pub fn ranges(&self) -> &[TermRange] {
        &self.ranges
    }
}

/// Terms never hold control characters, so `term + U+0001` bounds exactly one term.
fn exact_range(term: &str) -> TermRange {
    TermRange {
        from: term.to_owned(),
        before: format!("{term}\u{1}"),
    }
}

/// Every string that begins with `term` sorts (by code point, as both engines compare the
/// column) at or after it and before `term` with its last character raised by one.
fn prefix_range(term: &str) -> TermRange {
    let mut before: Vec<char> = term.chars().collect();
    while let Some(last) = before.pop() {
        if let Some(next) = next_char(last) {
            before.push(next);
            return TermRange {
                from: term.to_owned(),
                before: before.into_iter().collect(),
            };
        }
    }
    // Only U+10FFFF characters: nothing sorts after them but longer such runs.
    TermRange {
        from: term.to_owned(),
        before: format!("{term}\u{10FFFF}"),
    }
}

fn next_char(c: char) -> Option<char> {
    let mut code = u32::from(c) + 1;
    if (0xD800..=0xDFFF).contains(&code) {
        code = 0xE000;
    }
    char::from_u32(code)
}

struct Token {
    term: String,
    /// Byte offsets in the text, to tell the last word and the words inside a compound.
    start: usize,
    end: usize,
    compound: bool,
}

fn tokens(text: &str) -> Vec<Token> {
    let mut tokens: Vec<Token> = text
        .unicode_word_indices()
        .filter_map(|(start, word)| {
            let term = word_term(word);
            (!term.is_empty()).then_some(Token {
                term,
                start,
                end: start + word.len(),
                compound: false,
            })
        })
        .collect();
    tokens.extend(compounds(text));
    tokens
}

/// Placeholders and references: runs of letters and digits joined by `-` or `_`,
/// optionally in brackets, kept whole so `[EMAIL-1]` or `HD-7K2M9QX1` is found as one.
fn compounds(text: &str) -> impl Iterator<Item = Token> + '_ {
    text.split_whitespace().filter_map(move |chunk| {
        let trimmed = chunk.trim_matches(|c: char| !(c.is_alphanumeric() || c == '[' || c == ']'));
        let joined = trimmed.contains(['-', '_', '[', ']']);
        let plain = trimmed
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '[' | ']'));
        let has_word = trimmed.chars().any(char::is_alphanumeric);
        if !(joined && plain && has_word) {
            return None;
        }
        let start = offset_in(text, trimmed);
        Some(Token {
            term: truncate(fold(trimmed)),
            start,
            end: start + trimmed.len(),
            compound: true,
        })
    })
}

/// Where `part`, a slice of `text`, begins in it.
fn offset_in(text: &str, part: &str) -> usize {
    (part.as_ptr() as usize).saturating_sub(text.as_ptr() as usize)
}

/// A word's index term: folded, then stemmed in its language.
fn word_term(word: &str) -> String {
    let folded = fold(word);
    let stemmed = if folded.chars().any(is_cyrillic) {
        Stemmer::create(Algorithm::Russian)
            .stem(&folded)
            .into_owned()
    } else if folded.chars().all(|c| c.is_ascii_alphabetic()) {
        Stemmer::create(Algorithm::English)
            .stem(&folded)
            .into_owned()
    } else {
        folded
    };
    truncate(stemmed)
}

/// Case and accent folding: lower case in any script, `ё` as `е`, `ß` as `ss`, final `ς`
/// as `σ`, and Latin (and other non-Cyrillic) letters without their accents. Cyrillic
/// letters keep their own marks (`й` is a letter, not an accented `и`); stray combining
/// marks such as stress accents and control characters are dropped everywhere.
pub fn fold(text: &str) -> String {
    let lower = text.to_lowercase();
    let mut folded = String::with_capacity(lower.len());
    for c in lower.nfc() {
        // Control characters are no part of a word, even where segmentation glues one to
        // a letter (`\u{7f}` before a Myanmar letter): dropped, so no term holds one.
        if is_combining_mark(c) || c.is_control() {
            continue;
        }
        match c {
            'ё' => folded.push('е'),
            'ß' => folded.push_str("ss"),
            'ς' => folded.push('σ'),
            c if is_cyrillic(c) => folded.push(c),
            c => folded.extend(
                std::iter::once(c)
                    .nfd()
                    .filter(|&part| !is_combining_mark(part)),
            ),
        }
    }
    folded
}

fn is_cyrillic(c: char) -> bool {
    matches!(c, '\u{0400}'..='\u{04FF}' | '\u{0500}'..='\u{052F}')
}

fn truncate(term: String) -> String {
    match term.char_indices().nth(MAX_TERM_CHARS) {
        Some((cut, _)) => term[..cut].to_owned(),
        None => term,
    }
}

/// How a search finds a page, chosen as a cost-based planner would from how many index rows
/// its rarest word has (`m`) and how many of them match everything else (the agent's scope,
/// the filters, the other words: `e`, estimated from a sample). Costs, in look-ups (a cheap
/// index step, about 0.5 µs on SQLite; a full test of a ticket is about ten), for a page of
/// `page` rows on a desk of `tickets`:
/// - `Gather`: read the rarest word's tickets, test each fully, sort them: `10 m`.
/// - `MarkAndWalk`: note the rarest word's ticket ids (`m`), then walk the list's order looking
///   each ticket up in the notes, testing fully only the noted ones: `m + page * tickets / e`.
/// - `Walk`: walk the list's order testing every ticket fully: `10 page * tickets / e`.
///
/// When every row matches (`e = m`) and `s = sqrt(page * tickets)`, `Gather` is cheapest below
/// `s / 3`, `MarkAndWalk` up to `3 s` and `Walk` above, so no plan costs more than about
/// `s / 3` full tests. Words that are common apart but rare together (or outside the agent's
/// scope) lower `e`, which favours the plans that do not walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchPlan {
    Gather,
    MarkAndWalk,
    Walk,
}

/// The plans' costs for one desk size and page size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SearchCosts {
    /// Rows a walk passes per match to fill a page: `page * tickets`.
    walk_per_match: f64,
    /// Fewer rows than this are always gathered.
    gather_below: i64,
    /// From this many rows on, only walking is safe (gathering or noting them all costs at
    /// least this much, however few match), so a word's rows need counting no further.
    walk_from: i64,
}

/// How a sample of the rarest word's tickets fared: how many were tested, how many matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    pub tested: i64,
    pub matched: i64,
}

impl SearchCosts {
    pub fn new(tickets: i64, page: i64) -> SearchCosts {
        let page = page.max(1);
        let walked = tickets.max(0).saturating_mul(page);
        // `isqrt` of a non-negative i64 fits back in one.
        let balance = walked.isqrt();
        // Fewer than two pages of matches are always gathered (walking would pass the whole
        // desk to fill the second page).
        let gather_below = page.saturating_mul(2);
        SearchCosts {
            walk_per_match: walked as f64,
            gather_below,
            walk_from: balance.saturating_mul(3).max(gather_below),
        }
    }

    /// How far a word's index rows need counting: past this, the plan no longer changes.
    pub fn enough_rows(self) -> i64 {
        self.walk_from
    }

    /// The plan for a search whose rarest word has `rows` index rows (counted up to
    /// `enough_rows`), of which `sample` were tested against everything else.
    pub fn plan(self, rows: i64, sample: Sample) -> SearchPlan {
        if rows < self.gather_below {
            return SearchPlan::Gather;
        }
        if rows >= self.walk_from {
            return SearchPlan::Walk;
        }
        // Half a match more than seen, so that none seen still means "rare", not "none".
        let share = (sample.matched as f64 + 0.5) / (sample.tested.max(1) as f64);
        let matches = (rows as f64 * share).max(0.5);
        let rows = rows as f64;
        let gather = 10.0 * rows;
        let mark = rows + self.walk_per_match / matches;
        let walk = 10.0 * self.walk_per_match / matches;
        if gather <= mark && gather <= walk {
            SearchPlan::Gather
        } else if mark <= walk {
            SearchPlan::MarkAndWalk
        } else {
            SearchPlan::Walk
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn terms(text: &str) -> Vec<String> {
        index_terms(text).into_iter().collect()
    }

    /// Does the query find a text indexed under `index`?
    fn finds(query: &str, text: &str) -> bool {
        let index = index_terms(text);
        let Some(query) = SearchQuery::parse(query) else {
            return false;
        };
        query.ranges().iter().all(|range| {
            index.iter().any(|term| {
                range.from.as_str() <= term.as_str() && term.as_str() < range.before.as_str()
            })
        })
    }

    #[test]
    fn the_plan_follows_how_common_the_rarest_word_is_for_the_desk() {
        // 1,000,000 tickets, pages of 100, every row matching: gather below about 3,333
        // rows, note and walk up to 30,000, walk from there.
        let costs = SearchCosts::new(1_000_000, 100);
        let all = |n: i64| Sample {
            tested: n.min(200),
            matched: n.min(200),
        };
        assert_eq!(costs.plan(5, all(5)), SearchPlan::Gather);
        assert_eq!(costs.plan(3_200, all(3_200)), SearchPlan::Gather);
        assert_eq!(costs.plan(3_500, all(3_500)), SearchPlan::MarkAndWalk);
        assert_eq!(costs.plan(29_000, all(29_000)), SearchPlan::MarkAndWalk);
        assert_eq!(costs.enough_rows(), 30_000);
        assert_eq!(costs.plan(30_000, all(0)), SearchPlan::Walk);
        // Common apart, never together: walking would pass the whole desk; gather instead.
        let none = Sample {
            tested: 200,
            matched: 0,
        };
        assert_eq!(costs.plan(10_000, none), SearchPlan::Gather);
        // Two pages' worth are always gathered.
        let small = SearchCosts::new(10, 100);
        assert_eq!(small.plan(199, all(199)), SearchPlan::Gather);
        assert_eq!(small.enough_rows(), 200);
        assert_eq!(SearchCosts::new(0, 0).plan(0, none), SearchPlan::Gather);
        // No overflow at absurd sizes.
        let huge = SearchCosts::new(i64::MAX, 500);
        assert_eq!(huge.plan(i64::MAX, none), SearchPlan::Walk);
    }

    #[test]
    fn case_is_folded_in_cyrillic_and_latin() {
        assert_eq!(terms("ПАРОЛЬ"), terms("пароль"));
        assert_eq!(terms("ÜNÏCÖDÉ"), terms("ünïcödé"));
        assert_eq!(terms("ünïcödé"), terms("unicode"));
    }

    #[test]
    fn yo_is_e_and_short_i_stays_a_letter() {
        assert_eq!(fold("Ёлка"), "елка");
        assert_eq!(fold("мой"), "мой");
        assert_eq!(fold("паро\u{301}ль"), "пароль");
    }

    #[test]
    fn inflections_share_a_stem() {
        for form in ["пароли", "паролем", "пароля", "Пароль"] {
            assert_eq!(terms(form), terms("пароль"), "{form}");
        }
        assert_eq!(terms("payments"), terms("payment"));
        assert_eq!(terms("Charged"), terms("charge"));
    }

    #[test]
    fn placeholders_and_references_are_kept_whole() {
        let index = index_terms("Card [CARD-1], see HD-7K2M9QX1.");
        assert!(index.contains("[card-1]"), "{index:?}");
        assert!(index.contains("hd-7k2m9qx1"), "{index:?}");
        assert!(finds("[card-1]", "Card [CARD-1], see HD-7K2M9QX1."));
        assert!(finds("hd-7k2m", "see HD-7K2M9QX1."));
        assert!(!finds("[card-2]", "Card [CARD-1]"));
    }

    #[test]
    fn the_reference_term_is_what_a_typed_reference_asks_for() {
        let reference: Reference = "HD-7K2M9QX1".parse().expect("reference");
        let query = SearchQuery::parse("hd-7k2m9qx1").expect("query");
        assert_eq!(query.ranges().len(), 1);
        let range = &query.ranges()[0];
        let term = reference_term(&reference);
        assert!(range.from <= term && term < range.before);
    }

    #[test]
    fn a_reference_is_found_with_or_without_its_prefix() {
        let reference: Reference = "HD-7K2M9QX1".parse().expect("reference");
        let terms = reference_terms(&reference);
        for typed in ["HD-7K2M9QX1", "7k2m9qx1", "7K2M9", "hd-7k2"] {
            let query = SearchQuery::parse(typed).expect("query");
            assert!(
                query
                    .ranges()
                    .iter()
                    .all(|r| terms.iter().any(|t| r.from <= *t && *t < r.before)),
                "{typed}"
            );
        }
        let other = SearchQuery::parse("7K2M9QX2").expect("query");
        assert!(
            !other.ranges()[0..1]
                .iter()
                .all(|r| terms.iter().any(|t| r.from <= *t && *t < r.before))
        );
    }

    #[test]
    fn every_word_must_match_and_the_last_one_as_a_prefix() {
        let text = "My payment failed twice";
        assert!(finds("payment fail", text));
        assert!(finds("PAYM", text));
        assert!(!finds("paym refund", text));
        assert!(!finds("refund", text));
        // Only the last word is a prefix.
        assert!(!finds("paym failed", text));
    }

    #[test]
    fn blank_and_punctuation_ask_for_nothing() {
        assert_eq!(SearchQuery::parse("  ,.;  "), None);
        assert_eq!(SearchQuery::parse(""), None);
    }

    #[test]
    fn prefix_bounds_hold_exactly_the_terms_that_begin_with_it() {
        let range = prefix_range("abc");
        assert_eq!(range.before, "abd");
        let range = prefix_range("a\u{D7FF}");
        assert_eq!(range.before, "a\u{E000}");
        let range = prefix_range("a\u{10FFFF}");
        assert_eq!(range.before, "b");
    }

    #[test]
    fn long_words_are_cut_the_same_way_on_both_sides() {
        let long = "x".repeat(200);
        let index = index_terms(&long);
        assert_eq!(
            index.iter().next().map(|t| t.chars().count()),
            Some(MAX_TERM_CHARS)
        );
        assert!(finds(&long, &long));
    }

    proptest! {
        #[test]
        fn folding_is_idempotent(text in "\\PC{0,40}") {
            let once = fold(&text);
            prop_assert_eq!(fold(&once), once.clone());
        }

        #[test]
        fn a_word_in_any_case_gives_the_same_terms(word in "[a-zA-Zа-яёА-ЯЁ]{1,16}") {
            prop_assert_eq!(terms(&word.to_uppercase()), terms(&word.to_lowercase()));
        }

        #[test]
        fn a_text_is_found_by_any_of_its_words(words in proptest::collection::vec("[a-zа-яё]{1,12}", 1..8), pick in 0usize..8) {
            let text = words.join(" ");
            let word = &words[pick % words.len()];
            prop_assert!(finds(&word.to_uppercase(), &text));
        }

        #[test]
        fn terms_never_hold_control_characters(text in ".{0,60}") {
            for term in index_terms(&text) {
                prop_assert!(!term.chars().any(char::is_control));
            }
        }
    }
}
