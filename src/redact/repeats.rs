//! Further occurrences of values already found: a secret given once with its cue and once
//! bare is masked both times. Values are at least eight bytes long. A few values are looked
//! for with one Aho-Corasick automaton (its SIMD prefilter skips most of the text); many
//! values with one pass that reads every fourth position against a bit table of the values'
//! four-byte pieces, and looks up exactly, by their first eight bytes, only the starts a piece
//! points to.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

/// Up to this many values the automaton is built: with few patterns it runs on a SIMD
/// prefilter at memory speed; with many its prefilter gives up and the table pass is faster.
const AUTOMATON_MAX_VALUES: usize = 48;

/// Up to this many text bytes times values, each value is searched for on its own.
const SEARCH_MAX_WORK: usize = 256 * 1024;

/// From this text length on the repeated-value automaton is a DFA (see `occurrences_by_automaton`).
const DFA_FROM_BYTES: usize = 64 * 1024;

/// Bits in the table of four-byte pieces: 2^21 bits (256 KiB) keep the four pieces of each
/// of tens of thousands of values (a dense ticket dump) at under one false alarm in ten.
const PIECE_BITS_LOG2: u32 = 21;

/// Hashes the one `u64` key by a multiplication: keys are raw text bytes, and the table is
/// built per call from the text's own values, so nothing outside can aim at collisions.
#[derive(Default)]
struct PrefixHasher(u64);

impl Hasher for PrefixHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn write_u64(&mut self, key: u64) {
        self.0 = key.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(29);
    }
}

/// Values of one length sharing one prefix, by their text.
type SameLength<'v> = (usize, HashMap<&'v [u8], usize>);

/// Values by the first eight bytes of their text, then by length: many values can share a
/// prefix (`jo.doe1…@example.org`), and each is still found with one lookup per length.
pub struct Repeats<'v> {
    by_prefix: HashMap<u64, Vec<SameLength<'v>>, BuildHasherDefault<PrefixHasher>>,
    /// (value, tag) in the order given, one entry per distinct value of eight bytes or more.
    values: Vec<(&'v [u8], usize)>,
}

fn prefix_key(bytes: &[u8]) -> Option<u64> {
    let head: [u8; 8] = bytes.get(..8)?.try_into().ok()?;
    Some(u64::from_le_bytes(head))
}

impl<'v> Repeats<'v> {
    /// `values` are (text, tag) pairs; texts shorter than eight bytes are left out, and a
    /// text given twice keeps its first tag.
    pub fn new(values: impl IntoIterator<Item = (&'v str, usize)>) -> Repeats<'v> {
        let mut by_prefix: HashMap<u64, Vec<SameLength<'v>>, BuildHasherDefault<PrefixHasher>> =
            HashMap::default();
        let mut distinct = Vec::new();
        for (value, tag) in values {
            let bytes = value.as_bytes();
            if let Some(key) = prefix_key(bytes) {
                let lengths = by_prefix.entry(key).or_default();
                match lengths.iter_mut().find(|(len, _)| *len == bytes.len()) {
                    Some((_, same)) => {
                        if let std::collections::hash_map::Entry::Vacant(slot) = same.entry(bytes) {
                            slot.insert(tag);
                            distinct.push((bytes, tag));
                        }
                    }
                    None => {
                        lengths.push((bytes.len(), HashMap::from([(bytes, tag)])));
                        distinct.push((bytes, tag));
                    }
                }
            }
        }
        Repeats {
            by_prefix,
            values: distinct,
        }
    }

    /// Whether no value is long enough to be looked for.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Every occurrence of a value in `text` standing as a whole token (not glued to a letter
    /// or digit on either side), as (start, end, tag), in no particular order.
    pub fn occurrences(&self, text: &str) -> Vec<(usize, usize, usize)> {
        if self.values.is_empty() {
            return Vec::new();
        }
        if text.len() * self.values.len() <= SEARCH_MAX_WORK {
            return self.occurrences_by_search(text);
        }
        if self.values.len() <= AUTOMATON_MAX_VALUES
            && let Some(found) = self.occurrences_by_automaton(text)
        {
            return found;
        }
        self.occurrences_by_table(text)
    }

    /// Occurrences that stand alone but for a neighbouring finding: a value glued to a span
    /// that is masked anyway stands alone once that span is masked (`…45-67+7 (916) 123-45-67`
    /// after the first number's mask). `spans` are the findings, disjoint. Looked up only at
    /// the findings' edges: one lookup per edge and value length.
    pub fn beside_findings(
        &self,
        text: &str,
        spans: &[(usize, usize)],
    ) -> Vec<(usize, usize, usize)> {
        if self.values.is_empty() {
            return Vec::new();
        }
        let starts: std::collections::HashSet<usize> = spans.iter().map(|&(s, _)| s).collect();
        let ends: std::collections::HashSet<usize> = spans.iter().map(|&(_, e)| e).collect();
        let free_before = |at: usize| ends.contains(&at) || !glued_before(text, at);
        let free_after = |at: usize| starts.contains(&at) || !glued_after(text, at);
        let mut lengths: Vec<usize> = self.values.iter().map(|(bytes, _)| bytes.len()).collect();
        lengths.sort_unstable();
        lengths.dedup();
        let mut found = Vec::new();
        let mut try_at = |start: usize, len: usize| {
            let end = start + len;
            if !(text.is_char_boundary(start) && text.is_char_boundary(end)) {
                return;
            }
            let Some(candidate) = text.as_bytes().get(start..end) else {
                return;
            };
            let tag = prefix_key(candidate)
                .and_then(|key| self.by_prefix.get(&key))
                .and_then(|same_prefix| same_prefix.iter().find(|(l, _)| *l == len))
                .and_then(|(_, same)| same.get(candidate).copied());
            if let Some(tag) = tag
                && free_before(start)
                && free_after(end)
            {
                found.push((start, end, tag));
            }
        };
        for &(start, end) in spans {
            for &len in &lengths {
                try_at(end, len);
                if let Some(before) = start.checked_sub(len) {
                    try_at(before, len);
                }
            }
        }
        found
    }

    /// Each value looked for on its own with `memmem` (every start, overlapping ones too):
    /// for a ticket-sized text, cheaper than building any automaton.
    fn occurrences_by_search(&self, text: &str) -> Vec<(usize, usize, usize)> {
        let haystack = text.as_bytes();
        let mut found = Vec::new();
        for (bytes, tag) in &self.values {
            let finder = memchr::memmem::Finder::new(bytes);
            let mut from = 0;
            while let Some(offset) = finder.find(&haystack[from..]) {
                let start = from + offset;
                let end = start + bytes.len();
                if stands_alone(text, start, end) {
                    found.push((start, end, *tag));
                }
                from = start + 1;
            }
        }
        found
    }

    /// The automaton's way; `None` if it cannot be built (then the table pass answers).
    fn occurrences_by_automaton(&self, text: &str) -> Option<Vec<(usize, usize, usize)>> {
        // Standard semantics, because every value found at every start is wanted (one value
        // may be a prefix of another), which only overlapping search reports.
        // A DFA costs tens of microseconds to build: worth it over a long text, not over a
        // ticket, where the contiguous NFA is built in a few and scans it just as well.
        let kind = if text.len() >= DFA_FROM_BYTES {
            AhoCorasickKind::DFA
        } else {
            AhoCorasickKind::ContiguousNFA
        };
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .kind(Some(kind))
            .build(self.values.iter().map(|(bytes, _)| bytes))
            .ok()?;
        let mut found = Vec::new();
        for hit in automaton.find_overlapping_iter(text) {
            let (start, end) = (hit.start(), hit.end());
            if stands_alone(text, start, end) {
                found.push((start, end, self.values[hit.pattern().as_usize()].1));
            }
        }
        Some(found)
    }

    /// The table's way, in text order. A value is at least eight bytes long, so wherever one
    /// starts, one of the four positions from its start that are multiples of four begins four
    /// bytes of its first eight: the text is read four bytes at a time at those positions
    /// only, against a bit table of every value's four-byte pieces at offsets 0 to 3, and
    /// only the four starts behind a piece that is in the table are looked up exactly.
    fn occurrences_by_table(&self, text: &str) -> Vec<(usize, usize, usize)> {
        let mut found = Vec::new();
        let mut pieces = vec![0u64; (1 << PIECE_BITS_LOG2) / 64];
        for (bytes, _) in &self.values {
            for offset in 0..4 {
                if let Some(piece) = piece_at(bytes, offset) {
                    let bit = piece_bit(piece);
                    pieces[bit / 64] |= 1 << (bit % 64);
                }
            }
        }
        let bytes = text.as_bytes();
        let mut at = 0;
        while let Some(piece) = piece_at(bytes, at) {
            let bit = piece_bit(piece);
            if pieces[bit / 64] & (1 << (bit % 64)) != 0 {
                for back in (0..4).rev() {
                    if let Some(start) = at.checked_sub(back) {
                        self.look_up(text, start, &mut found);
                    }
                }
            }
            at += 4;
        }
        found
    }

    /// Pushes every value that stands alone at `start` (a token start) onto `found`.
    fn look_up(&self, text: &str, start: usize, found: &mut Vec<(usize, usize, usize)>) {
        let bytes = text.as_bytes();
        // Most positions are inside a word: one byte read settles them.
        if start > 0 && bytes[start - 1].is_ascii_alphanumeric() {
            return;
        }
        let Some(lengths) = bytes
            .get(start..)
            .and_then(prefix_key)
            .and_then(|key| self.by_prefix.get(&key))
        else {
            return;
        };
        if glued_before(text, start) {
            return;
        }
        for (len, same) in lengths {
            let end = start + len;
            let Some(&tag) = bytes
                .get(start..end)
                .and_then(|candidate| same.get(candidate))
            else {
                continue;
            };
            if !glued_after(text, end) {
                found.push((start, end, tag));
            }
        }
    }
}

/// The four bytes at `at`, if there are four.
fn piece_at(bytes: &[u8], at: usize) -> Option<u32> {
    let piece: [u8; 4] = bytes.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(u32::from_le_bytes(piece))
}

/// The bit of the piece table a four-byte piece falls on.
fn piece_bit(piece: u32) -> usize {
    // The high bits of a multiplicative hash are the well-mixed ones.
    (u64::from(piece).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - PIECE_BITS_LOG2)) as usize
}

/// Whether `start..end` is not glued to a letter or digit on either side.
fn stands_alone(text: &str, start: usize, end: usize) -> bool {
    text.is_char_boundary(start)
        && text.is_char_boundary(end)
        && !glued_before(text, start)
        && !glued_after(text, end)
}

fn glued_before(text: &str, at: usize) -> bool {
    text.get(..at)
        .and_then(|before| before.chars().next_back())
        .is_some_and(is_word_char)
}

fn glued_after(text: &str, end: usize) -> bool {
    text.get(end..)
        .and_then(|rest| rest.chars().next())
        .is_some_and(is_word_char)
}

/// `char::is_alphanumeric`, with the scripts of most tickets (ASCII, Cyrillic) answered
/// without the Unicode tables: this runs on every character of the text.
pub fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    matches!(c, 'А'..='я' | 'Ё' | 'ё') || c.is_alphanumeric()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every (start, end, tag) where a value stands alone, by trying every value at every
    /// character boundary: what both ways of `occurrences` must report.
    fn every_occurrence(values: &[(&str, usize)], text: &str) -> Vec<(usize, usize, usize)> {
        let mut first_tag: Vec<(&str, usize)> = Vec::new();
        for &(value, tag) in values {
            if value.len() >= 8 && !first_tag.iter().any(|(v, _)| *v == value) {
                first_tag.push((value, tag));
            }
        }
        let mut found = Vec::new();
        for (start, _) in text.char_indices() {
            for &(value, tag) in &first_tag {
                let end = start + value.len();
                if text[start..].starts_with(value) && stands_alone(text, start, end) {
                    found.push((start, end, tag));
                }
            }
        }
        found.sort_unstable();
        found
    }

    fn sorted(mut found: Vec<(usize, usize, usize)>) -> Vec<(usize, usize, usize)> {
        found.sort_unstable();
        found
    }

    /// Values that share prefixes and contain one another, in Latin, Cyrillic and digits.
    fn value() -> impl Strategy<Value = String> {
        prop::sample::select(vec![
            "hunter2!!",
            "hunter2!!x",
            "4111 1111 1111 1111",
            "4111 1111",
            "ivan@example.org",
            "ivan@example.org.ru",
            "Пароль123",
            "+7 916 123-45-67",
            "12345678",
            "123456789",
            "23456789",
            "short",
        ])
        .prop_map(str::to_owned)
    }

    fn text_around(values: Vec<String>) -> impl Strategy<Value = (Vec<String>, String)> {
        let pieces = prop::collection::vec(
            prop_oneof![
                prop::sample::select(values.clone()),
                prop::sample::select(vec![" ", "x", "й", ", ", "\n", "[", "]", "1", "é"])
                    .prop_map(str::to_owned),
            ],
            0..40,
        );
        (Just(values), pieces.prop_map(|p| p.concat()))
    }

    proptest! {
        #[test]
        fn both_ways_find_exactly_every_standalone_occurrence(
            (values, text) in prop::collection::vec(value(), 1..8).prop_flat_map(text_around)
        ) {
            let tagged: Vec<(&str, usize)> =
                values.iter().enumerate().map(|(i, v)| (v.as_str(), i)).collect();
            let expected = every_occurrence(&tagged, &text);
            let repeats = Repeats::new(tagged.iter().copied());
            prop_assert_eq!(sorted(repeats.occurrences_by_table(&text)), expected.clone());
            let by_automaton = repeats.occurrences_by_automaton(&text).unwrap_or_default();
            prop_assert_eq!(sorted(by_automaton), expected.clone());
            prop_assert_eq!(sorted(repeats.occurrences_by_search(&text)), expected.clone());
            prop_assert_eq!(sorted(repeats.occurrences(&text)), expected);
        }
    }

    #[test]
    fn many_values_take_the_table_way_and_find_the_same() {
        let values: Vec<String> = (0..200).map(|i| format!("value-{i:04}-x")).collect();
        let text: String = (0..200)
            .rev()
            .map(|i| format!("a value-{i:04}-x, glued value-{i:04}-xy;"))
            .collect();
        let tagged: Vec<(&str, usize)> = values
            .iter()
            .enumerate()
            .map(|(i, v)| (v.as_str(), i))
            .collect();
        let repeats = Repeats::new(tagged.iter().copied());
        let found = sorted(repeats.occurrences(&text));
        assert_eq!(found.len(), 200);
        assert_eq!(found, every_occurrence(&tagged, &text));
    }

    #[test]
    fn a_value_glued_only_to_a_finding_is_found_beside_it() {
        let value = "+7 (916) 123-45-67";
        let repeats = Repeats::new([(value, 1)]);
        let text = "call +7 (916) 123-45-67+7 (916) 123-45-67-0/0 or x+7 (916) 123-45-67";
        let first = (5, 5 + value.len());
        assert!(
            !repeats
                .occurrences(text)
                .contains(&(first.1, first.1 + value.len(), 1))
        );
        let beside = repeats.beside_findings(text, &[first]);
        assert_eq!(beside, [(first.1, first.1 + value.len(), 1)]);
        // Glued to a letter that is no finding: still not a token.
        let after_x = text.rfind(value).unwrap();
        assert!(!beside.iter().any(|&(s, _, _)| s == after_x));
    }

    #[test]
    fn whole_token_occurrences_are_found_and_glued_ones_are_not() {
        let repeats = Repeats::new([("hunter2!!", 1), ("ivan@example.org", 2), ("short", 3)]);
        let text =
            "pw hunter2!! and again hunter2!!, not xhunter2!! nor hunter2!!x; ivan@example.org.";
        let found: Vec<(&str, usize)> = repeats
            .occurrences(text)
            .into_iter()
            .map(|(s, e, tag)| (&text[s..e], tag))
            .collect();
        assert_eq!(
            found,
            [("hunter2!!", 1), ("hunter2!!", 1), ("ivan@example.org", 2)]
        );
    }
}
