//! What Vectorscan does differently from the Rust `regex` crate on the constructs the rules use,
//! checked against the installed library (`cargo test --release`), so the README's claims
//! can be re-run rather than believed.

#[cfg(test)]
mod tests {
    use hyperscan::prelude::*;

    fn utf8_ucp() -> CompileFlags {
        CompileFlags::UTF8 | CompileFlags::UCP
    }

    fn build(expr: &str, flags: CompileFlags) -> Result<BlockDatabase, String> {
        Pattern::with_flags(expr, flags)
            .map_err(|e| e.to_string())?
            .build()
            .map_err(|e| e.to_string())
    }

    /// Every (from, to) Vectorscan reports for `expr` on `text`.
    fn reports(expr: &str, flags: CompileFlags, text: &str) -> Vec<(u64, u64)> {
        let db = build(expr, flags).expect("compiles");
        let scratch = db.alloc_scratch().expect("scratch");
        let mut out = Vec::new();
        db.scan(text, &scratch, |_, from, to, _| {
            out.push((from, to));
            Matching::Continue
        })
        .expect("scan");
        out
    }

    #[test]
    fn word_boundaries_are_refused_in_ucp_mode_and_the_ascii_one_does_not_parse() {
        let unicode = build(r"\bкод\b", utf8_ucp()).err().expect("refused");
        assert!(unicode.contains(r"\b unsupported in UCP mode"), "{unicode}");
        let ascii = build(r"(?-u:\b)AKIA", utf8_ucp()).err().expect("refused");
        assert!(ascii.contains("Unrecognised character after (?"), "{ascii}");
        // Without UCP `\b` compiles, but a Cyrillic letter is then not a word character, so
        // "код" at the start of the text has no boundary before it: not the rule's language.
        assert!(reports(r"\bкод", CompileFlags::UTF8, "код 1234").is_empty());
        assert!(
            regex::Regex::new(r"\bкод")
                .expect("rust")
                .is_match("код 1234")
        );
    }

    #[test]
    fn caseless_mode_folds_cyrillic_in_utf8() {
        let flags = utf8_ucp() | CompileFlags::CASELESS;
        assert_eq!(reports("пароль", flags, "ПАРОЛЬ: x").len(), 1);
        assert_eq!(reports("(?i)пароль", utf8_ucp(), "ПаРоЛь: x").len(), 1);
        // `ё` and `Ё` are a simple case pair as well.
        assert_eq!(reports("(?i)ещё", utf8_ucp(), "ЕЩЁ").len(), 1);
    }

    #[test]
    fn without_som_only_the_end_of_a_match_is_known() {
        let text = "card 4111 1111 1111 1111 ok";
        let ends = reports(r"[0-9](?:[ \-]?[0-9]){11,18}", utf8_ucp(), text);
        // Every end offset at which some match ends is reported, and `from` is always 0.
        assert!(ends.iter().all(|&(from, _)| from == 0), "{ends:?}");
        let with_som = reports(
            r"[0-9](?:[ \-]?[0-9]){11,18}",
            utf8_ucp() | CompileFlags::SOM_LEFTMOST,
            text,
        );
        assert!(with_som.iter().all(|&(from, _)| from == 5), "{with_som:?}");
    }

    #[test]
    fn every_end_of_every_match_is_a_callback_not_one_leftmost_match() {
        // One 16-digit card with separators: the Rust regex finds one match; Vectorscan calls
        // back once for every digit from the 12th on that can end a match.
        let text = "4111 1111 1111 1111";
        let pattern = r"[0-9](?:[ \-]?[0-9]){11,18}";
        assert_eq!(
            regex::Regex::new(pattern)
                .expect("rust")
                .find_iter(text)
                .count(),
            1
        );
        assert_eq!(reports(pattern, utf8_ucp(), text).len(), 5);
        // An open-ended tail reports at every byte it can stop at.
        assert_eq!(
            reports(r"token=[^\s]{8,}", utf8_ucp(), "token=abcdefghijkl").len(),
            5
        );
    }

    #[test]
    fn prefilter_and_som_do_not_combine() {
        let e = build(
            "a+b",
            utf8_ucp() | CompileFlags::PREFILTER | CompileFlags::SOM_LEFTMOST,
        )
        .err()
        .expect("refused");
        assert!(
            e.contains("PREFILTER is not supported in combination"),
            "{e}"
        );
    }

    #[test]
    fn dollar_also_matches_before_a_final_newline() {
        // Rust's `$` (without `m`) is the end of the text only; PCRE's, and so Vectorscan's,
        // also matches before a newline that ends the text.
        assert_eq!(reports("1234$", utf8_ucp(), "code 1234\n").len(), 1);
        assert!(
            !regex::Regex::new("1234$")
                .expect("rust")
                .is_match("code 1234\n")
        );
    }
}
