//! A fast first look for rules whose regex has Unicode word boundaries (`\b`, `\B`, `\<`…).
//!
//! The regex crate's lazy DFA gives up on such a look-around as soon as it meets a non-ASCII
//! byte, so on Russian text these rules fall back to the slow NFA simulation over their whole
//! window. The same regex *without* the word look-arounds matches everything the rule matches
//! (and a little more), and it runs in the DFA. So it answers two questions cheaply: whether
//! a window can hold a match at all, and where the leftmost one can start at the earliest.
//! The rule's own regex then starts from there. The answer is exact, never a guess: no real
//! match starts before the first relaxed one.

use regex_automata::Input;
use regex_automata::meta;
use regex_automata::nfa::thompson::WhichCaptures;
use regex_syntax::hir::{Capture, Hir, HirKind, Look, Repetition};

/// The rule's regex with its Unicode word look-arounds dropped.
#[derive(Debug)]
pub struct Prefilter {
    relaxed: meta::Regex,
}

impl Prefilter {
    /// `None` when `pattern` needs no prefilter (its regex runs in the DFA already) or when
    /// the relaxed regex does not build (the rule's own regex is used alone then).
    pub fn for_pattern(pattern: &str, size_limit: usize) -> Option<Self> {
        let hir = regex_syntax::ParserBuilder::new()
            .build()
            .parse(pattern)
            .ok()?;
        if !hir.properties().look_set().contains_word_unicode() {
            return None;
        }
        let relaxed = meta::Builder::new()
            .configure(
                meta::Config::new()
                    .nfa_size_limit(Some(size_limit))
                    .hybrid_cache_capacity(size_limit)
                    .dfa_size_limit(Some(size_limit))
                    .which_captures(WhichCaptures::Implicit),
            )
            .build_from_hir(&without_word_looks(hir))
            .ok()?;
        Some(Prefilter { relaxed })
    }

    /// The earliest position in `span` where a match of the rule can start; `None` if none
    /// can start there at all.
    pub fn earliest_start(&self, text: &str, span: std::ops::Range<usize>) -> Option<usize> {
        self.relaxed
            .search(&Input::new(text).span(span))
            .map(|m| m.start())
    }
}

/// `hir` with every Unicode word look-around replaced by the empty regex.
fn without_word_looks(hir: Hir) -> Hir {
    match hir.into_kind() {
        HirKind::Look(look) if is_unicode_word_look(look) => Hir::empty(),
        HirKind::Empty => Hir::empty(),
        HirKind::Literal(literal) => Hir::literal(literal.0),
        HirKind::Class(class) => Hir::class(class),
        HirKind::Look(look) => Hir::look(look),
        HirKind::Repetition(repetition) => Hir::repetition(Repetition {
            sub: Box::new(without_word_looks(*repetition.sub)),
            ..repetition
        }),
        HirKind::Capture(capture) => Hir::capture(Capture {
            sub: Box::new(without_word_looks(*capture.sub)),
            ..capture
        }),
        HirKind::Concat(subs) => Hir::concat(subs.into_iter().map(without_word_looks).collect()),
        HirKind::Alternation(subs) => {
            Hir::alternation(subs.into_iter().map(without_word_looks).collect())
        }
    }
}

fn is_unicode_word_look(look: Look) -> bool {
    matches!(
        look,
        Look::WordUnicode
            | Look::WordUnicodeNegate
            | Look::WordStartUnicode
            | Look::WordEndUnicode
            | Look::WordStartHalfUnicode
            | Look::WordEndHalfUnicode
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_without_unicode_word_boundaries_need_no_prefilter() {
        assert!(Prefilter::for_pattern(r"[0-9]{4}", 1 << 20).is_none());
        assert!(Prefilter::for_pattern(r"(?-u:\b)[0-9]{4}", 1 << 20).is_none());
    }

    #[test]
    fn the_relaxed_look_never_starts_after_the_real_match() {
        let pattern = r"(?i)\bсрок\b[^0-9]{0,10}(?P<value>[0-9]{2}/[0-9]{2})";
        let real = meta::Regex::new(pattern).unwrap();
        let pre = Prefilter::for_pattern(pattern, 1 << 20).unwrap();
        for text in [
            "Пересрок 01/22, а Срок действия 03/29",
            "срок 01/22",
            "нет даты здесь, только срок",
            "просрочено 12/30",
        ] {
            let earliest = pre.earliest_start(text, 0..text.len());
            if let Some(m) = real.find(text) {
                assert!(earliest.is_some_and(|s| s <= m.start()), "{text}");
            }
        }
        let none = "ничего нет";
        assert_eq!(pre.earliest_start(none, 0..none.len()), None);
    }
}
