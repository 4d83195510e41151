//! Digit-bearing shapes against the built-in rules, Russian and English: each case in
//! `shapes_numeric.txt` names what must be masked (exactly, with which label) and what
//! must survive beside it, so a case fails both on a miss and on a mask that spills over.

use super::{Finding, Redactor};

/// One case: the text, the spans that must be masked with their label, the spans to keep.
struct Case {
    line: String,
    text: String,
    masked: Vec<(std::ops::Range<usize>, String)>,
    kept: Vec<std::ops::Range<usize>>,
}

fn parse(line: &str) -> Case {
    let (label, written) = line.split_once(" | ").expect("a case is `LABEL | text`");
    let written = written.replace("\\n", "\n");
    let mut case = Case {
        line: line.to_owned(),
        text: String::new(),
        masked: Vec::new(),
        kept: Vec::new(),
    };
    let mut rest = written.as_str();
    while let Some(at) = rest.find(['{', '~']) {
        case.text.push_str(&rest[..at]);
        let close = if rest[at..].starts_with('{') {
            '}'
        } else {
            '~'
        };
        let inner_end = at + 1 + rest[at + 1..].find(close).expect("unclosed value");
        let inner = &rest[at + 1..inner_end];
        let start = case.text.len();
        if close == '}' {
            let (value, label) = inner.split_once('|').unwrap_or((inner, label.trim()));
            case.text.push_str(value);
            case.masked.push((start..case.text.len(), label.to_owned()));
        } else {
            case.text.push_str(inner);
            case.kept.push(start..case.text.len());
        }
        rest = &rest[inner_end + 1..];
    }
    case.text.push_str(rest);
    case
}

fn cases() -> Vec<Case> {
    include_str!("shapes_numeric.txt")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(parse)
        .collect()
}

/// What is wrong with the findings for one case, if anything.
fn problems(case: &Case, findings: &[Finding]) -> Vec<String> {
    let mut problems = Vec::new();
    for (span, label) in &case.masked {
        let exact = findings
            .iter()
            .any(|f| f.start == span.start && f.end == span.end && &f.mask == label);
        if !exact {
            let near: Vec<String> = findings
                .iter()
                .filter(|f| f.start < span.end && span.start < f.end)
                .map(|f| format!("{} {:?}", f.mask, &case.text[f.start..f.end]))
                .collect();
            problems.push(format!(
                "{label} {:?} not masked exactly (found {near:?})",
                &case.text[span.clone()]
            ));
        }
    }
    for span in &case.kept {
        for f in findings
            .iter()
            .filter(|f| f.start < span.end && span.start < f.end)
        {
            problems.push(format!(
                "{:?} was masked as {} ({:?})",
                &case.text[span.clone()],
                f.mask,
                &case.text[f.start..f.end]
            ));
        }
    }
    problems
}

#[test]
fn every_numeric_shape_is_masked_exactly_and_its_neighbours_survive() {
    let redactor = Redactor::builtin().unwrap();
    let cases = cases();
    assert!(cases.len() > 100, "the case file was read");
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            let problems = problems(case, &redactor.find(&case.text));
            (!problems.is_empty())
                .then(|| format!("{}\n    {}", case.line, problems.join("\n    ")))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn every_family_has_masked_and_kept_cases_in_both_languages() {
    let cases = cases();
    for label in [
        "ACCOUNT", "PASSPORT", "CVV", "OTP", "PIN", "DOB", "SSN", "MAC", "INN", "PHONE", "IP",
    ] {
        let of_label: Vec<&Case> = cases
            .iter()
            .filter(|c| c.masked.iter().any(|(_, l)| l == label))
            .collect();
        assert!(!of_label.is_empty(), "{label}: no positive case");
        let cyrillic = of_label.iter().any(|c| {
            c.text
                .chars()
                .any(|ch| ('а'..='я').contains(&ch.to_lowercase().next().unwrap_or(ch)))
        });
        let latin_only = of_label.iter().any(|c| {
            !c.text
                .chars()
                .any(|ch| ('а'..='я').contains(&ch.to_lowercase().next().unwrap_or(ch)))
        });
        if !matches!(label, "SSN" | "MAC") {
            assert!(
                cyrillic && latin_only,
                "{label}: needs Russian and English cases"
            );
        }
    }
    assert!(cases.iter().filter(|c| !c.kept.is_empty()).count() > 40);
}

#[test]
fn the_case_format_reads_masks_labels_and_kept_values() {
    let case = parse("ACCOUNT | р/с {4081}, {770-001|PASSPORT_DIVISION} ~30101~\\nx");
    assert_eq!(case.text, "р/с 4081, 770-001 30101\nx");
    assert_eq!(&case.text[case.masked[0].0.clone()], "4081");
    assert_eq!(case.masked[1].1, "PASSPORT_DIVISION");
    assert_eq!(&case.text[case.kept[0].clone()], "30101");
}
