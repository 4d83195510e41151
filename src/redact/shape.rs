//! What a rule's regex says about the values it can match, worked out once when the rule
//! loads: the fewest digits a value holds (so a card rule never runs at a four-digit year)
//! and the longest match (so a keyword window reaches far enough).

use regex_syntax::hir::{Class, Hir, HirKind};

/// Facts about a compiled rule's matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// Fewest ASCII digits in the value when the value cannot hold a letter; 0 when unknown.
    /// A value without letters keeps its digits in one digit run (see `anchors`).
    pub min_digits: usize,
    /// Longest whole match in bytes; `None` when unbounded.
    pub max_len: Option<usize>,
}

/// The shape of `pattern`'s matches; `None` if it does not parse (the regex compiler reports why).
pub fn shape_of(pattern: &str) -> Option<Shape> {
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(pattern)
        .ok()?;
    let value = find_value_group(&hir).unwrap_or(&hir);
    let digits = digits_of(value);
    Some(Shape {
        min_digits: if digits.letters { 0 } else { digits.min },
        max_len: hir.properties().maximum_len(),
    })
}

fn find_value_group(hir: &Hir) -> Option<&Hir> {
    match hir.kind() {
        HirKind::Capture(capture) if capture.name.as_deref() == Some("value") => Some(hir),
        HirKind::Capture(capture) => find_value_group(&capture.sub),
        HirKind::Repetition(repetition) => find_value_group(&repetition.sub),
        HirKind::Concat(subs) | HirKind::Alternation(subs) => {
            subs.iter().find_map(find_value_group)
        }
        _ => None,
    }
}

/// Fewest digits a match holds, and whether it can hold a letter.
#[derive(Debug, Clone, Copy)]
struct Digits {
    min: usize,
    letters: bool,
}

fn digits_of(hir: &Hir) -> Digits {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Digits {
            min: 0,
            letters: false,
        },
        HirKind::Literal(literal) => {
            let text = String::from_utf8_lossy(&literal.0);
            Digits {
                min: text.bytes().filter(u8::is_ascii_digit).count(),
                letters: text.chars().any(char::is_alphabetic),
            }
        }
        HirKind::Class(class) => class_digits(class),
        HirKind::Repetition(repetition) => {
            let sub = digits_of(&repetition.sub);
            Digits {
                min: sub.min.saturating_mul(repetition.min as usize),
                letters: sub.letters && repetition.max != Some(0),
            }
        }
        HirKind::Capture(capture) => digits_of(&capture.sub),
        HirKind::Concat(subs) => subs.iter().map(digits_of).fold(
            Digits {
                min: 0,
                letters: false,
            },
            |a, b| Digits {
                min: a.min.saturating_add(b.min),
                letters: a.letters || b.letters,
            },
        ),
        HirKind::Alternation(subs) => {
            let all: Vec<Digits> = subs.iter().map(digits_of).collect();
            Digits {
                min: all.iter().map(|d| d.min).min().unwrap_or(0),
                letters: all.iter().any(|d| d.letters),
            }
        }
    }
}

/// Classes bigger than this are taken to hold letters without looking at each character.
const CLASS_SCAN_LIMIT: u32 = 4096;

fn class_digits(class: &Class) -> Digits {
    let ranges: Vec<(u32, u32)> = match class {
        Class::Unicode(unicode) => unicode
            .ranges()
            .iter()
            .map(|r| (u32::from(r.start()), u32::from(r.end())))
            .collect(),
        Class::Bytes(bytes) => bytes
            .ranges()
            .iter()
            .map(|r| (u32::from(r.start()), u32::from(r.end())))
            .collect(),
    };
    let only_digits = !ranges.is_empty()
        && ranges
            .iter()
            .all(|&(s, e)| s >= u32::from(b'0') && e <= u32::from(b'9'));
    let size: u32 = ranges.iter().map(|&(s, e)| e - s + 1).sum();
    let letters = size > CLASS_SCAN_LIMIT
        || ranges
            .iter()
            .any(|&(s, e)| (s..=e).any(|c| char::from_u32(c).is_some_and(char::is_alphabetic)));
    Digits {
        min: usize::from(only_digits),
        letters,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn min_digits(pattern: &str) -> usize {
        shape_of(pattern).unwrap().min_digits
    }

    #[test]
    fn digit_shapes_count_their_digits() {
        assert_eq!(
            min_digits(r"(?:^|[^0-9])(?P<value>[0-9](?:[ \-]?[0-9]){11,18})(?-u:\b)"),
            12
        );
        assert_eq!(
            min_digits(
                r"(?P<value>(?:\+7|8)[\s\-]?\(?[0-9]{3}\)?[\s\-]?[0-9]{3}[\s\-]?[0-9]{2}[\s\-]?[0-9]{2})"
            ),
            11
        );
        assert_eq!(min_digits(r"(?i)cvv\W{0,6}(?P<value>[0-9]{3,4})"), 3);
    }

    #[test]
    fn values_that_can_hold_letters_are_not_counted() {
        assert_eq!(
            min_digits(r"(?P<value>[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30})"),
            0
        );
        assert_eq!(
            min_digits(r"(?P<value>[0-9]{1,2}\s+(?:march|марта)\s+[0-9]{4})"),
            0
        );
        assert_eq!(min_digits(r"[^\s]+[0-9]"), 0);
    }

    #[test]
    fn match_length_is_bounded_or_not() {
        assert_eq!(shape_of("abc[0-9]{3}").unwrap().max_len, Some(6));
        assert_eq!(shape_of("a[0-9]+").unwrap().max_len, None);
    }
}
