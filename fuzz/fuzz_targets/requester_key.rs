//! OpenPGP public keys pasted into the form: any text is accepted as a key or refused.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = hushdesk::crypto::RequesterKey::parse(text);
});
