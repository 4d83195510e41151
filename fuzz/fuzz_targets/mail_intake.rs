//! Received mail: any bytes are parsed, their OpenPGP layers opened against a real helpdesk
//! key, and either read or refused with a reason; never a panic.
#![no_main]

use std::sync::LazyLock;

use hushdesk::crypto::Keyring;
use libfuzzer_sys::fuzz_target;

static KEYRING: LazyLock<Keyring> = LazyLock::new(|| {
    let dir = std::env::temp_dir().join(format!("hushdesk-fuzz-keys-{}", std::process::id()));
    Keyring::open_or_create(&dir, "support@localhost").expect("a keyring in the temp dir")
});

fuzz_target!(|raw: &[u8]| {
    let _ = hushdesk::mail::inbound::open_for_inspection(&KEYRING, raw);
});
