//! Further occurrences of values already found: a secret given once with its cue and once
//! bare is masked both times. One pass over the text, looking up each token start in a table
//! keyed by the first eight bytes of every value (values are at least eight characters).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

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
}

fn prefix_key(bytes: &[u8]) -> Option<u64> {
    let head: [u8; 8] = bytes.get(..8)?.try_into().ok()?;
    Some(u64::from_le_bytes(head))
}

impl<'v> Repeats<'v> {
    /// `values` are (text, tag) pairs; texts shorter than eight bytes are left out.
    pub fn new(values: impl IntoIterator<Item = (&'v str, usize)>) -> Repeats<'v> {
        let mut by_prefix: HashMap<u64, Vec<SameLength<'v>>, BuildHasherDefault<PrefixHasher>> =
            HashMap::default();
        for (value, tag) in values {
            let bytes = value.as_bytes();
            if let Some(key) = prefix_key(bytes) {
                let lengths = by_prefix.entry(key).or_default();
                match lengths.iter_mut().find(|(len, _)| *len == bytes.len()) {
                    Some((_, same)) => {
                        same.entry(bytes).or_insert(tag);
                    }
                    None => lengths.push((bytes.len(), HashMap::from([(bytes, tag)]))),
                }
            }
        }
        Repeats { by_prefix }
    }

    /// Every occurrence of a value in `text` standing as a whole token (not glued to a letter
    /// or digit on either side), as (start, end, tag).
    pub fn occurrences(&self, text: &str) -> Vec<(usize, usize, usize)> {
        let mut found = Vec::new();
        if self.by_prefix.is_empty() {
            return found;
        }
        // Only positions holding the first two bytes of some value are looked up.
        let mut heads = vec![false; 1 << 16];
        for key in self.by_prefix.keys() {
            let [a, b, ..] = key.to_le_bytes();
            heads[usize::from(a) << 8 | usize::from(b)] = true;
        }
        let bytes = text.as_bytes();
        for (at, pair) in bytes.windows(2).enumerate() {
            if !heads[usize::from(pair[0]) << 8 | usize::from(pair[1])] {
                continue;
            }
            let Some(lengths) = prefix_key(&bytes[at..]).and_then(|key| self.by_prefix.get(&key))
            else {
                continue;
            };
            let glued_before = text
                .get(..at)
                .and_then(|before| before.chars().next_back())
                .is_some_and(is_word_char);
            if glued_before {
                continue;
            }
            for (len, same) in lengths {
                let end = at + len;
                let Some(&tag) = bytes.get(at..end).and_then(|candidate| same.get(candidate))
                else {
                    continue;
                };
                let glued_after = text
                    .get(end..)
                    .and_then(|rest| rest.chars().next())
                    .is_some_and(is_word_char);
                if !glued_after {
                    found.push((at, end, tag));
                }
            }
        }
        found
    }
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
