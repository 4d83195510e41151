//! The redactor on arbitrary text: never panics, findings are in bounds, ordered, disjoint
//! and never start or end with white space, and every finding is replaced by a mask.
#![no_main]

use std::sync::LazyLock;

use hushdesk::redact::{MaskBook, MaskKey, Redactor};
use libfuzzer_sys::fuzz_target;

static REDACTOR: LazyLock<Redactor> = LazyLock::new(|| match Redactor::builtin() {
    Ok(r) => r,
    Err(e) => panic!("built-in rules: {e}"),
});

fuzz_target!(|text: &str| {
    let findings = REDACTOR.find(text);
    let mut last_end = 0;
    for f in &findings {
        assert!(f.start >= last_end && f.start < f.end && f.end <= text.len());
        assert!(text.is_char_boundary(f.start) && text.is_char_boundary(f.end));
        let value = &text[f.start..f.end];
        assert!(!value.starts_with(char::is_whitespace) && !value.ends_with(char::is_whitespace));
        last_end = f.end;
    }
    let mut book = MaskBook::new(MaskKey::from_bytes([3; 32]), Vec::new());
    let redacted = REDACTOR.redact(text, &mut book);
    assert_eq!(redacted.counts().total() as usize, findings.len());
});
