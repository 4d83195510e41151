//! Hostile rule files: any text is either a valid rule set or refused with an error.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(redactor) = hushdesk::redact::Redactor::from_rule_file("fuzz.toml", text) {
        let _ = redactor.find("probe text 4111 1111 1111 1111 a@b.example");
    }
});
