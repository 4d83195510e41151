//! Case-insensitive reading of the text around a candidate without allocating per candidate:
//! validators and context checks run at every regex match, so lower-casing a fresh `String`
//! each time cost more than the regex. Every helper here answers exactly as the
//! `str::to_lowercase` version it replaces (proptests below compare them).

use std::cell::RefCell;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

/// Longest word lower-cased on the stack; longer ones take the allocating path.
const STACK_WORD: usize = 64;

/// Calls `f` with `word` as `str::to_lowercase` writes it, without allocating for words of
/// up to 64 bytes.
pub fn with_lowercase<R>(word: &str, f: impl FnOnce(&str) -> R) -> R {
    // Σ lowers by its position in the word (σ or final ς): only `str::to_lowercase` knows.
    if word.len() > STACK_WORD || word.contains('Σ') {
        return f(&word.to_lowercase());
    }
    let mut buffer = [0u8; STACK_WORD * 3];
    // ASCII and basic Cyrillic (U+0400–U+045F) lower by a fixed byte rule, the one the
    // keyword pass uses: no Unicode table lookups for the words most tickets hold.
    if within_basic_cyrillic(word.as_bytes()) {
        let lowered = &mut buffer[..word.len()];
        crate::redact::anchors::fold_case_to(word.as_bytes(), lowered);
        if let Ok(lower) = std::str::from_utf8(lowered) {
            return f(lower);
        }
    }
    let mut len = 0;
    for c in word.chars() {
        if c.is_ascii() {
            buffer[len] = c.to_ascii_lowercase() as u8;
            len += 1;
            continue;
        }
        for lower in c.to_lowercase() {
            // A char lowers to at most three chars of at most three bytes each: a 64-byte
            // word fits in 192, so this only guards the arithmetic.
            if len + lower.len_utf8() > buffer.len() {
                return f(&word.to_lowercase());
            }
            len += lower.encode_utf8(&mut buffer[len..]).len();
        }
    }
    match std::str::from_utf8(&buffer[..len]) {
        Ok(lower) => f(lower),
        Err(_) => f(&word.to_lowercase()),
    }
}

/// Whether `bytes` (UTF-8) hold only ASCII and U+0400–U+045F: lead bytes 0xD0 (any) and
/// 0xD1 followed by 0x80–0x9F. U+0460 on (0xD1 0xA0…) pairs capitals and small letters
/// that the byte rule does not know.
fn within_basic_cyrillic(bytes: &[u8]) -> bool {
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            0x00..=0x7F => i += 1,
            0xD0 => i += 2,
            0xD1 if bytes.get(i + 1).is_some_and(|&next| next < 0xA0) => i += 2,
            _ => return false,
        }
    }
    true
}

/// Whether every char of `word` is one `fold_into` keeps exact: ASCII and basic Cyrillic
/// (U+0400–U+045F), already lower case.
pub fn foldable_lowercase(word: &str) -> bool {
    word.chars().all(|c| {
        (c.is_ascii() && !c.is_ascii_uppercase()) || ('\u{0430}'..='\u{045F}').contains(&c)
    })
}

/// Appends `text` to `out` with ASCII and basic Cyrillic (А…Я, Ѐ…Џ) lower-cased in place
/// (same length), every other byte as it is. `false` when `text` holds one of the two chars
/// whose `to_lowercase` yields ASCII but which this fold leaves alone (İ → "i̇", Kelvin K →
/// "k"): then a search in the fold could differ from one in `to_lowercase`, and the caller
/// must take the slow path. Otherwise a word made of ASCII and basic Cyrillic lower-case
/// letters occurs in the fold exactly where it occurs in `text.to_lowercase()`.
pub fn fold_into(text: &str, out: &mut Vec<u8>) -> bool {
    let bytes = text.as_bytes();
    // The same fold the keyword pass uses (vectorised); the two chars it cannot keep exact
    // are looked for first, with memchr.
    if memchr::memchr2(0xC4, 0xE2, bytes).is_some()
        && (memchr::memmem::find(bytes, "İ".as_bytes()).is_some()
            || memchr::memmem::find(bytes, "\u{212A}".as_bytes()).is_some())
    {
        return false;
    }
    crate::redact::anchors::fold_case_into(bytes, out);
    true
}

thread_local! {
    /// One buffer per thread for folded windows: a candidate's checks reuse it.
    static FOLDED: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Calls `f` with the pieces of `pieces` folded (see `fold_into`) and joined, or returns
/// `None` when the text holds a char the fold cannot read exactly (İ, Kelvin K).
pub fn with_folded<'p, R>(
    pieces: impl IntoIterator<Item = &'p str>,
    f: impl FnOnce(&str) -> R,
) -> Option<R> {
    let run = |buffer: &mut Vec<u8>| {
        buffer.clear();
        for piece in pieces {
            if !fold_into(piece, buffer) {
                return None;
            }
        }
        // Folding maps whole chars to whole chars of the same length: still UTF-8.
        std::str::from_utf8(buffer).ok().map(f)
    };
    FOLDED.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buffer) => run(&mut buffer),
        // A check inside a check: a buffer of its own.
        Err(_) => run(&mut Vec::new()),
    })
}

/// Lower-case words looked for anywhere in a folded text, all at once.
#[derive(Debug, Clone)]
pub struct WordSet {
    words: Vec<String>,
    /// `None` when some word holds a char the fold does not keep exact: then every search
    /// takes the straightforward path.
    automaton: Option<AhoCorasick>,
}

impl WordSet {
    /// `words` must be lower case already (`to_lowercase`).
    pub fn new<S: AsRef<str>>(words: &[S]) -> Self {
        let words: Vec<String> = words.iter().map(|w| w.as_ref().to_owned()).collect();
        let automaton = words
            .iter()
            .all(|w| foldable_lowercase(w))
            .then(|| {
                AhoCorasick::builder()
                    .kind(Some(AhoCorasickKind::DFA))
                    .match_kind(MatchKind::Standard)
                    .build(&words)
                    .ok()
            })
            .flatten();
        WordSet { words, automaton }
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// Whether one of the words occurs in `lowered` (a `to_lowercase` of some text).
    pub fn any_in_lowercase(&self, lowered: &str) -> bool {
        self.words.iter().any(|w| lowered.contains(w.as_str()))
    }

    /// Whether one of the words occurs in `text` read in lower case, or `None` when the fast
    /// path cannot answer exactly (the caller lower-cases the text itself).
    pub fn any_in<'p>(&self, pieces: impl IntoIterator<Item = &'p str>) -> Option<bool> {
        let automaton = self.automaton.as_ref()?;
        with_folded(pieces, |folded| automaton.is_match(folded))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn with_lowercase_is_to_lowercase_in_ascii_and_basic_cyrillic(
            word in "[A-Za-zЀ-џѠѡ0-9'\\- ]{0,70}"
        ) {
            let lower = with_lowercase(&word, str::to_owned);
            proptest::prop_assert_eq!(lower, word.to_lowercase());
        }

        #[test]
        fn with_lowercase_is_to_lowercase(word in "[A-Za-zЀ-ӿÀ-ÿΣσİK0-9'\\- ]{0,80}") {
            let lower = with_lowercase(&word, str::to_owned);
            proptest::prop_assert_eq!(lower, word.to_lowercase());
        }

        #[test]
        fn word_sets_find_what_to_lowercase_finds(
            text in "[A-Za-zА-ЯЁа-яёЀ-ЏÀ-ÿİKΣ0-9 ./\\-]{0,60}",
            words in proptest::collection::vec("[a-zа-яё/. ]{1,4}", 1..6),
        ) {
            let set = WordSet::new(&words);
            let straightforward = set.any_in_lowercase(&text.to_lowercase());
            if let Some(fast) = set.any_in([text.as_str()]) {
                proptest::prop_assert_eq!(fast, straightforward);
            } else {
                proptest::prop_assert!(text.contains(['İ', 'K']));
            }
        }

        #[test]
        fn folding_keeps_lengths(text in "[A-Za-zА-Яа-яЀ-ӿÀ-ÿ0-9 ]{0,40}") {
            let mut out = Vec::new();
            proptest::prop_assert!(fold_into(&text, &mut out));
            proptest::prop_assert_eq!(out.len(), text.len());
        }
    }

    #[test]
    fn the_two_chars_that_lower_to_ascii_refuse_the_fast_path() {
        let set = WordSet::new(&["ki"]);
        assert_eq!(set.any_in(["\u{212A}I"]), None);
        assert_eq!(set.any_in(["Kİ"]), None);
        assert_eq!(set.any_in(["KI"]), Some(true));
        assert_eq!(set.any_in(["К"]), Some(false), "Cyrillic К is not k");
    }
}
