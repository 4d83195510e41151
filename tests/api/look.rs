//! The stylesheet's palette against WCAG 2.1 AA, computed rather than judged by eye: every
//! colour pair the pages rely on, in the light and the dark scheme. Text needs 4.5:1
//! (1.4.3); the edges of controls, button fills and the focus ring need 3:1 (1.4.11). The
//! browser journeys measure what is actually rendered; this test names the pairs so a palette
//! change that breaks one fails here with the pair in the message.

const STYLESHEET: &str = include_str!("../../static/style.css");

const TEXT: f64 = 4.5;
const NON_TEXT: f64 = 3.0;

/// (foreground, background, minimum, where the pair is used).
const PAIRS: &[(&str, &str, f64, &str)] = &[
    ("fg", "bg", TEXT, "body text"),
    ("muted", "bg", TEXT, "hints, meta lines, the footer"),
    (
        "accent",
        "bg",
        TEXT,
        "links, outlined buttons, the skip link",
    ),
    ("err", "bg", TEXT, "errors, late SLA, bad-signature badge"),
    ("ok", "bg", TEXT, "verified-signature badge"),
    ("risk", "bg", TEXT, "the at-risk marker in the ticket list"),
    ("risk", "bg", NON_TEXT, "the at-risk marker's border"),
    ("on-accent", "accent", TEXT, "primary and reply buttons"),
    ("on-err", "err", TEXT, "danger buttons"),
    (
        "on-note",
        "note",
        TEXT,
        "internal-note button and its label",
    ),
    ("fg", "warn-bg", TEXT, "notices and warnings"),
    ("muted", "warn-bg", TEXT, "hints inside notices"),
    ("accent", "warn-bg", TEXT, "links inside notices"),
    ("err", "warn-bg", TEXT, "late marks inside notices"),
    ("fg", "note-tint", TEXT, "text of an internal note"),
    ("muted", "note-tint", TEXT, "meta line of an internal note"),
    ("accent", "note-tint", TEXT, "links inside an internal note"),
    (
        "control",
        "bg",
        NON_TEXT,
        "borders of inputs, selects, textareas",
    ),
    (
        "control",
        "note-tint",
        NON_TEXT,
        "borders of fields in the note form",
    ),
    (
        "control",
        "warn-bg",
        NON_TEXT,
        "borders of fields inside notices",
    ),
    (
        "accent",
        "bg",
        NON_TEXT,
        "fill of primary buttons against the page",
    ),
    (
        "err",
        "bg",
        NON_TEXT,
        "fill of danger buttons against the page",
    ),
    (
        "note",
        "bg",
        NON_TEXT,
        "fill of the note button, the note form's frame",
    ),
    (
        "note",
        "note-tint",
        NON_TEXT,
        "note form's frame against its own tint",
    ),
    ("focus", "bg", NON_TEXT, "focus ring on the page"),
    ("focus", "warn-bg", NON_TEXT, "focus ring inside notices"),
    (
        "focus",
        "note-tint",
        NON_TEXT,
        "focus ring inside the note form",
    ),
];

/// WCAG 2.1 relative luminance of `#rrggbb`.
fn luminance(hex: &str) -> f64 {
    let hex = hex.trim_start_matches('#');
    assert_eq!(hex.len(), 6, "colours in :root are #rrggbb, got #{hex}");
    let channel = |i: usize| {
        let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4)
}

fn contrast(a: &str, b: &str) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// The `--name: #hex` declarations of the first `:root { … }` block in `css`.
fn custom_properties(css: &str) -> Vec<(String, String)> {
    let start = css.find(":root").expect("a :root block");
    let open = start + css[start..].find('{').unwrap() + 1;
    let close = open + css[open..].find('}').unwrap();
    css[open..close]
        .split(';')
        .filter_map(|declaration| {
            let declaration = declaration.split("*/").last().unwrap_or(declaration).trim();
            let (name, value) = declaration.strip_prefix("--")?.split_once(':')?;
            Some((name.trim().to_owned(), value.trim().to_owned()))
        })
        .collect()
}

/// (light, dark) palettes: the plain `:root` and the one inside `prefers-color-scheme: dark`.
fn palettes(css: &str) -> [(&'static str, Vec<(String, String)>); 2] {
    let dark_at = css
        .find("@media (prefers-color-scheme: dark)")
        .expect("a dark scheme");
    [
        ("light", custom_properties(css)),
        ("dark", custom_properties(&css[dark_at..])),
    ]
}

/// Every pair below its minimum, in words.
fn contrast_failures(css: &str) -> Vec<String> {
    let mut failures = Vec::new();
    for (scheme, palette) in palettes(css) {
        let colour = |name: &str| {
            palette
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        };
        for &(fg, bg, minimum, used_for) in PAIRS {
            let (Some(f), Some(b)) = (colour(fg), colour(bg)) else {
                failures.push(format!("{scheme}: --{fg} or --{bg} is not defined"));
                continue;
            };
            let ratio = contrast(&f, &b);
            if ratio < minimum {
                failures.push(format!(
                    "{scheme}: --{fg} {f} on --{bg} {b} is {ratio:.2}:1, needs {minimum}:1 ({used_for})"
                ));
            }
        }
    }
    failures
}

#[test]
fn the_contrast_formula_matches_wcag_reference_values() {
    assert!((contrast("#000000", "#ffffff") - 21.0).abs() < 1e-9);
    assert!((contrast("#ffffff", "#ffffff") - 1.0).abs() < 1e-9);
    // #777 on white is the classic near miss: 4.48:1, just under AA for text.
    let near_miss = contrast("#777777", "#ffffff");
    assert!((4.47..4.49).contains(&near_miss), "{near_miss}");
}

#[test]
fn every_colour_pair_meets_wcag_aa_in_light_and_dark_schemes() {
    let failures = contrast_failures(STYLESHEET);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_check_catches_the_old_palettes_faint_borders_and_dark_buttons() {
    // The palette before this check: hairline control borders and white text on light blue.
    let old = ":root { --fg: #1b1f23; --muted: #57606a; --bg: #ffffff; --accent: #0b5cad; }
        @media (prefers-color-scheme: dark) { :root { --bg: #0d1117; --accent: #58a6ff;
        --on-accent: #ffffff; --control: #30363d; } }";
    let failures = contrast_failures(old);
    assert!(
        failures
            .iter()
            .any(|f| f.starts_with("dark: --on-accent #ffffff on --accent #58a6ff")),
        "{failures:?}"
    );
    assert!(
        failures
            .iter()
            .any(|f| f.starts_with("dark: --control #30363d on --bg #0d1117")),
        "{failures:?}"
    );
}

#[test]
fn colours_come_only_from_the_checked_palette() {
    // A literal colour in a rule would escape the pairs above.
    let dark_at = STYLESHEET
        .find("@media (prefers-color-scheme: dark)")
        .unwrap();
    let first_root_end = STYLESHEET.find('}').unwrap();
    let dark_root_end = dark_at + STYLESHEET[dark_at..].find("}\n}").unwrap();
    let rules = format!(
        "{}{}",
        &STYLESHEET[first_root_end..dark_at],
        &STYLESHEET[dark_root_end..]
    );
    let literal = regex::Regex::new(r"#[0-9a-fA-F]{3,8}\b|\brgba?\(|\bhsla?\(").unwrap();
    let found: Vec<&str> = literal.find_iter(&rules).map(|m| m.as_str()).collect();
    assert!(found.is_empty(), "literal colours outside :root: {found:?}");
    let variable = regex::Regex::new(r"var\(--([a-z-]+)\)").unwrap();
    for (scheme, palette) in palettes(STYLESHEET) {
        for used in variable.captures_iter(&rules) {
            assert!(
                palette.iter().any(|(n, _)| n == &used[1]),
                "--{} is used but not defined in the {scheme} scheme",
                &used[1]
            );
        }
    }
}
