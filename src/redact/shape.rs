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
    /// Longest whole match in bytes when every open-ended repetition (`+`, `*`, `{n,}`)
    /// stops at `USUAL_REPEATS`: how far a match of ordinary length reaches.
    pub usual_len: usize,
    /// Most bytes a whole match can hold before its first digit; `None` when unbounded.
    pub lead: Option<usize>,
    /// Most bytes a whole match can hold after its last digit; `None` when unbounded.
    pub trail: Option<usize>,
}

/// The shape of `pattern`'s matches; `None` if it does not parse (the regex compiler reports why).
pub fn shape_of(pattern: &str) -> Option<Shape> {
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(pattern)
        .ok()?;
    let value = find_value_group(&hir).unwrap_or(&hir);
    let digits = digits_of(value);
    let edges = edges_of(&hir);
    Some(Shape {
        min_digits: if digits.letters { 0 } else { digits.min },
        max_len: hir.properties().maximum_len(),
        usual_len: usual_len(&hir),
        lead: edges.lead,
        trail: edges.trail,
    })
}

/// How many times an open-ended repetition is counted by `usual_len`: longer than Russian
/// endings (`[а-яё]*`), the gaps rules allow between a cue and its value, and the values of
/// ordinary length; a longer value that runs into a window's edge is followed to its end by
/// the engine anyway.
pub const USUAL_REPEATS: u32 = 40;

/// The longest match of `hir` in bytes with open-ended repetitions counted `USUAL_REPEATS`
/// times (saturating: a huge regex just gets the default reach).
fn usual_len(hir: &Hir) -> usize {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => 0,
        HirKind::Literal(literal) => literal.0.len(),
        HirKind::Class(Class::Bytes(_)) => 1,
        HirKind::Class(Class::Unicode(class)) => class
            .ranges()
            .last()
            .map_or(0, |range| range.end().len_utf8()),
        HirKind::Repetition(repetition) => {
            // A bounded repetition counts in full: its bound is the rule author's word.
            let times = repetition.max.unwrap_or(repetition.min.max(USUAL_REPEATS));
            usual_len(&repetition.sub).saturating_mul(times as usize)
        }
        HirKind::Capture(capture) => usual_len(&capture.sub),
        HirKind::Concat(subs) => subs.iter().map(usual_len).fold(0, usize::saturating_add),
        HirKind::Alternation(subs) => subs.iter().map(usual_len).max().unwrap_or(0),
    }
}

/// Where digits can stand in a match: the longest stretch before the first digit and after
/// the last, and the longest match without a digit at all. `None` lengths are unbounded.
#[derive(Debug, Clone, Copy)]
struct Edges {
    /// Some match holds a digit.
    has_digit: bool,
    lead: Option<usize>,
    trail: Option<usize>,
    /// Longest digit-free match; `Some(None)` unbounded; `None` if every match has a digit.
    digit_free: Option<Option<usize>>,
}

fn add(a: Option<usize>, b: Option<usize>) -> Option<usize> {
    a?.checked_add(b?)
}

fn longest(a: Option<usize>, b: Option<usize>) -> Option<usize> {
    Some(a?.max(b?))
}

/// Longest of two optional digit-free lengths (absent on one side means the other).
fn longest_free(a: Option<Option<usize>>, b: Option<Option<usize>>) -> Option<Option<usize>> {
    match (a, b) {
        (Some(x), Some(y)) => Some(longest(x, y)),
        (x, None) => x,
        (None, y) => y,
    }
}

fn edges_of(hir: &Hir) -> Edges {
    let digit_free = |len: Option<usize>| Edges {
        has_digit: false,
        lead: Some(0),
        trail: Some(0),
        digit_free: Some(len),
    };
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => digit_free(Some(0)),
        HirKind::Literal(literal) => {
            let bytes = &literal.0;
            match (
                bytes.iter().position(u8::is_ascii_digit),
                bytes.iter().rposition(u8::is_ascii_digit),
            ) {
                (Some(first), Some(last)) => Edges {
                    has_digit: true,
                    lead: Some(first),
                    trail: Some(bytes.len() - last - 1),
                    digit_free: None,
                },
                _ => digit_free(Some(bytes.len())),
            }
        }
        HirKind::Class(class) => {
            let width = hir.properties().maximum_len();
            let (any_digit, only_digits) = class_digit_kinds(class);
            Edges {
                has_digit: any_digit,
                lead: Some(0),
                trail: Some(0),
                digit_free: if only_digits { None } else { Some(width) },
            }
        }
        HirKind::Capture(capture) => edges_of(&capture.sub),
        HirKind::Repetition(repetition) => {
            let sub = edges_of(&repetition.sub);
            let max = repetition.max.map(|m| m as usize);
            // Iterations before the first digit (and after the last) are digit-free.
            let free_len = sub.digit_free.map(|len| match (len, max) {
                (Some(0), _) => Some(0),
                (Some(len), Some(max)) => len.checked_mul(max),
                _ => None,
            });
            let before = match sub.digit_free {
                None => Some(0),
                Some(_) => free_len.flatten(),
            };
            Edges {
                has_digit: sub.has_digit && max != Some(0),
                lead: add(before, sub.lead),
                trail: add(before, sub.trail),
                digit_free: if repetition.min == 0 {
                    longest_free(Some(Some(0)), free_len)
                } else {
                    free_len
                },
            }
        }
        HirKind::Concat(subs) => {
            let parts: Vec<Edges> = subs.iter().map(edges_of).collect();
            let mut result = digit_free(Some(0));
            // Lead: the first digit falls in part i, all parts before it digit-free.
            let mut free_before = Some(Some(0));
            let mut lead = Some(0);
            for part in &parts {
                if let Some(before) = free_before
                    && part.has_digit
                {
                    lead = longest(lead, add(before, part.lead));
                }
                free_before = match (free_before, part.digit_free) {
                    (Some(a), Some(b)) => Some(add(a, b)),
                    _ => None,
                };
            }
            let mut free_after = Some(Some(0));
            let mut trail = Some(0);
            for part in parts.iter().rev() {
                if let Some(after) = free_after
                    && part.has_digit
                {
                    trail = longest(trail, add(after, part.trail));
                }
                free_after = match (free_after, part.digit_free) {
                    (Some(a), Some(b)) => Some(add(a, b)),
                    _ => None,
                };
            }
            result.has_digit = parts.iter().any(|p| p.has_digit);
            result.lead = lead;
            result.trail = trail;
            result.digit_free = free_before;
            result
        }
        HirKind::Alternation(subs) => {
            let parts: Vec<Edges> = subs.iter().map(edges_of).collect();
            Edges {
                has_digit: parts.iter().any(|p| p.has_digit),
                lead: parts
                    .iter()
                    .filter(|p| p.has_digit)
                    .try_fold(0, |acc, p| Some(acc.max(p.lead?))),
                trail: parts
                    .iter()
                    .filter(|p| p.has_digit)
                    .try_fold(0, |acc, p| Some(acc.max(p.trail?))),
                digit_free: parts
                    .iter()
                    .fold(None, |acc, p| longest_free(acc, p.digit_free)),
            }
        }
    }
}

/// Whether a class can match an ASCII digit, and whether it matches nothing else.
fn class_digit_kinds(class: &Class) -> (bool, bool) {
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
    let (zero, nine) = (u32::from(b'0'), u32::from(b'9'));
    let any = ranges.iter().any(|&(s, e)| s <= nine && e >= zero);
    let only = !ranges.is_empty() && ranges.iter().all(|&(s, e)| s >= zero && e <= nine);
    (any, only)
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
    fn digits_stand_near_the_edges_of_digit_shapes() {
        let card = shape_of(r"(?:^|[^0-9])(?P<value>[0-9](?:[ \-]?[0-9]){11,18})(?-u:\b)").unwrap();
        assert_eq!((card.lead, card.trail), (Some(4), Some(0)));
        let phone = shape_of(r"(?:^|[^0-9+])(?P<value>(?:\+7|8)[\s\-]?\(?[0-9]{3}\)?)").unwrap();
        assert_eq!(phone.lead, Some(5));
        let cue = shape_of(r"(?i)cvv\W{0,6}(?P<value>[0-9]{3,4})").unwrap();
        assert!(cue.lead.unwrap() > 6);
        assert_eq!(shape_of(r"key\s*:\s*[0-9]+").unwrap().lead, None);
    }

    #[test]
    fn match_length_is_bounded_or_not() {
        assert_eq!(shape_of("abc[0-9]{3}").unwrap().max_len, Some(6));
        assert_eq!(shape_of("a[0-9]+").unwrap().max_len, None);
        // Open-ended repetitions count USUAL_REPEATS times, bounded ones their maximum;
        // Cyrillic letters two bytes each.
        assert_eq!(shape_of("a[0-9]+").unwrap().usual_len, 1 + 40);
        assert_eq!(
            shape_of("код[а-яё]*[ ]?[0-9]{4,6}").unwrap().usual_len,
            6 + 80 + 1 + 6
        );
        assert_eq!(shape_of("x{0,200}").unwrap().usual_len, 200);
    }
}
