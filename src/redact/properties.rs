//! Property tests of the redactor over arbitrary and adversarial text.

use proptest::prelude::*;

use super::{MaskBook, MaskKey, Redactor};

fn redactor() -> &'static Redactor {
    static REDACTOR: std::sync::OnceLock<Redactor> = std::sync::OnceLock::new();
    REDACTOR.get_or_init(|| Redactor::builtin().unwrap())
}

fn book() -> MaskBook {
    MaskBook::new(MaskKey::from_bytes([9; 32]), Vec::new())
}

/// Text that hits the rules: fragments of real findings glued with random separators.
fn adversarial() -> impl Strategy<Value = String> {
    let fragments = prop::sample::select(vec![
        "jane.doe@example.org",
        "4111 1111 1111 1111",
        "+7 (916) 123-45-67",
        "DE89 3704 0044 0532 0130 00",
        "CVV 123",
        "password: hunter22",
        "ИНН 7707083893",
        "Иванов Иван Иванович",
        "192.168.0.1",
        "2001:db8::1:2:3",
        "ghp_1234567890abcdefghijABCDEFGHIJ123456",
        "Authorization: Bearer abcdefgh12345678",
        "-----BEGIN PRIVATE KEY-----",
        "код из смс 123456",
        "[EMAIL-1]",
        "my name is John Smith",
        "version 1.2.3.4",
        "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "Set-Cookie: sid=abcdef",
        "https://u:p@host",
        "?token=abcdef123",
        "дата рождения 01.02.1990",
        "З",
        "é",
        "\n",
        " ",
        "-",
        ":",
        "@",
        ".",
    ]);
    prop::collection::vec(
        prop_oneof![fragments.prop_map(str::to_owned), "\\PC{0,6}"],
        0..24,
    )
    .prop_map(|parts| parts.concat())
}

/// Planted values, filler words and line breaks (plain, quoted, CRLF), in the spellings
/// editors produce: what a mask must cover without touching its neighbours.
fn planted_with_filler() -> impl Strategy<Value = String> {
    let values = prop::sample::select(vec![
        "4111 1111 1111 1111",
        "4111\u{a0}1111\u{a0}1111\u{a0}1111",
        "+7 (916) 123-45-67",
        "+7\u{2011}916\u{2011}123\u{2011}45\u{2011}67",
        "jane.doe@example.org",
        "mailto:ivan%40example.org",
        "?phone=%2B79161234567",
        "CVV 123",
        "ИНН 7707083893",
        "203.0.113.57",
        "Иванов Иван Иванович",
        "my name is John Smith",
        "код из смс 482913",
        "password: hunter22",
        "2026-11-02 12:30:45",
        "order 4417-2231",
    ]);
    let filler = prop::sample::select(vec![
        "hello",
        "Привет",
        "order",
        "Thanks",
        "на",
        "the",
        ",",
        ".",
        " ",
        "  ",
        "\t",
        "—",
        "1",
    ]);
    let breaks = prop::sample::select(vec!["\n", "\r\n", "\n> ", "\n>> ", "\n\n", "\n> \n> "]);
    prop::collection::vec(
        prop_oneof![
            3 => values.prop_map(str::to_owned),
            3 => filler.prop_map(str::to_owned),
            2 => breaks.prop_map(str::to_owned),
        ],
        0..30,
    )
    .prop_map(|parts| parts.join(" "))
}

/// `text` with each of `spans` cut out, and where they were: the text outside them.
fn outside(text: &str, spans: &[std::ops::Range<usize>]) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut last = 0;
    for span in spans {
        pieces.push(text[last..span.start].to_owned());
        last = span.end;
    }
    pieces.push(text[last..].to_owned());
    pieces
}

/// Spans of the mask tokens (`[CARD-1]`) in a redacted text.
fn mask_spans(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut spans = Vec::new();
    let mut from = 0;
    while let Some(open) = text[from..].find('[') {
        let start = from + open;
        let token = text[start..]
            .find(']')
            .map(|close| &text[start..=start + close])
            .filter(|t| {
                let inner = &t[1..t.len() - 1];
                inner.rsplit_once('-').is_some_and(|(label, n)| {
                    !label.is_empty()
                        && label
                            .bytes()
                            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
                        && !n.is_empty()
                        && n.bytes().all(|b| b.is_ascii_digit())
                })
            });
        match token {
            Some(token) => {
                spans.push(start..start + token.len());
                from = start + token.len();
            }
            None => from = start + 1,
        }
    }
    spans
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), adversarial()]
}

/// `text` with mask tokens blanked out, so a value that happens to spell a mask label
/// ("PASSWORD") is not counted as surviving inside `[PASSWORD-1]`.
fn without_masks(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        match rest[open..].find(']') {
            Some(close) if rest[open + 1..open + close].contains('-') => {
                out.push(' ');
                rest = &rest[open + close + 1..];
            }
            _ => {
                out.push('[');
                rest = &rest[open + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn findings_are_ordered_disjoint_and_on_char_boundaries(text in any_text()) {
        let findings = redactor().find(&text);
        let mut last_end = 0;
        for f in &findings {
            prop_assert!(f.start >= last_end && f.start < f.end && f.end <= text.len());
            prop_assert!(text.is_char_boundary(f.start) && text.is_char_boundary(f.end));
            last_end = f.end;
        }
    }

    #[test]
    fn redacting_twice_changes_nothing(text in any_text()) {
        let mut book = book();
        let once = redactor().redact(&text, &mut book);
        let twice = redactor().redact(once.as_str(), &mut book);
        prop_assert_eq!(once.as_str(), twice.as_str());
        prop_assert_eq!(twice.counts().total(), 0);
    }

    #[test]
    fn no_found_value_survives_in_the_output(text in any_text()) {
        let findings = redactor().find(&text);
        let output = redactor().redact(&text, &mut book());
        let visible = without_masks(output.as_str());
        for f in &findings {
            let value = &text[f.start..f.end];
            // Values of 8+ characters are masked wherever they stand as a token.
            if value.chars().count() >= 8 && !value.chars().all(char::is_whitespace) {
                let survives = visible.match_indices(value).any(|(i, m)| {
                    let before = visible[..i].chars().next_back();
                    let after = visible[i + m.len()..].chars().next();
                    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
                });
                prop_assert!(!survives, "{:?} survives in {:?}", value, output.as_str());
            }
        }
        prop_assert_eq!(output.counts().total() as usize, findings.len());
    }

    #[test]
    fn a_mask_covers_its_value_and_nothing_else(
        text in prop_oneof![planted_with_filler(), adversarial()]
    ) {
        let findings = redactor().find(&text);
        for f in &findings {
            let value = &text[f.start..f.end];
            prop_assert!(
                !value.starts_with(char::is_whitespace) && !value.ends_with(char::is_whitespace),
                "finding {:?} starts or ends with white space in {:?}", value, text
            );
        }
        // Inside a finding only the masked parts go; a quoted line wrap stays.
        // Mask tokens already in the input count as masks too.
        let mut parts: Vec<std::ops::Range<usize>> = findings
            .iter()
            .flat_map(|f| super::view::mask_parts(&text, f.start..f.end))
            .chain(mask_spans(&text))
            .collect();
        parts.sort_by_key(|p| p.start);
        let output = redactor().redact(&text, &mut book());
        let masked = output.as_str();
        prop_assert_eq!(
            outside(&text, &parts),
            outside(masked, &mask_spans(masked)),
            "text outside the findings changed: {:?} became {:?}", text, masked
        );
    }

    /// The relaxed first look (`prefilter`) may only skip text where the rule's own regex
    /// cannot start a match: it never starts after the rule's match.
    #[test]
    fn the_relaxed_first_look_never_skips_a_match(
        text in prop_oneof![planted_with_filler(), adversarial(), any::<String>()]
    ) {
        for rule in redactor().compiled_rules() {
            let Some(prefilter) = &rule.prefilter else { continue };
            for m in rule.regex.find_iter(&text) {
                let earliest = prefilter.earliest_start(&text, m.start()..text.len());
                prop_assert!(
                    earliest == Some(m.start()),
                    "rule {} matches at {} but the first look says {:?} in {:?}",
                    rule.id, m.start(), earliest, text
                );
            }
        }
    }
}
