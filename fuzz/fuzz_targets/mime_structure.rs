//! Costly MIME shapes: deep nesting (multiparts, `message/rfc822` in `message/rfc822`, and the
//! two taking turns), many parts, boundaries declared and never used, built at
//! sizes a fuzzer would not reach by mutation alone and mixed with the fuzzer's bytes. Each
//! goes through the listener's pre-scan and, when that admits it, the parser and opener.
//! Run with `-timeout=1`: a unit that takes a second is a finding.
#![no_main]

use std::sync::LazyLock;

use hushdesk::crypto::Keyring;
use hushdesk::mail::structure::{
    MimeLimits, nested_messages, nested_mixed, nested_multiparts, prescan,
};
use libfuzzer_sys::fuzz_target;

static KEYRING: LazyLock<Keyring> = LazyLock::new(|| {
    let dir = std::env::temp_dir().join(format!("hushdesk-fuzz-keys-{}", std::process::id()));
    Keyring::open_or_create(&dir, "support@localhost").expect("a keyring in the temp dir")
});

/// A multipart with `children` parts, each declaring a boundary of its own that never comes,
/// followed by `padding` bytes: the parser searches to the end once per child.
fn unused_boundaries(children: usize, padding: usize, filler: &[u8]) -> Vec<u8> {
    let mut raw = b"From: <f@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=outer\r\n\r\n".to_vec();
    for i in 0..children {
        raw.extend_from_slice(
            format!("--outer\r\nContent-Type: multipart/mixed; boundary=missing{i}\r\n\r\n")
                .as_bytes(),
        );
        raw.extend_from_slice(filler);
        raw.extend_from_slice(b"\r\n");
    }
    raw.extend_from_slice(b"--outer--\r\n");
    raw.resize(raw.len() + padding, b'x');
    raw
}

fuzz_target!(|data: &[u8]| {
    let Some((&[kind, a, b, c], rest)) = data.split_first_chunk::<4>() else {
        return;
    };
    let size = usize::from(u16::from_le_bytes([a, b]));
    let raw = match kind % 6 {
        // Up to 65 535 nested multiparts (about 7.8 MB), the fuzzer's bytes innermost.
        0 => {
            let mut raw = nested_multiparts(size);
            let middle = raw.len() / 2;
            raw.splice(middle..middle, rest.iter().copied());
            raw
        }
        // The same, cut short: closing boundaries missing.
        1 => {
            let mut raw = nested_multiparts(size);
            raw.truncate(raw.len() * usize::from(c) / 255);
            raw.extend_from_slice(rest);
            raw
        }
        // Up to 1 023 children with unused boundaries and up to 4 MB after them.
        2 => unused_boundaries(size % 1024, usize::from(c) << 14, rest),
        // Up to 65 535 messages nested in messages (about 2 MB), the fuzzer's bytes innermost:
        // once a stack overflow that took the whole process down.
        3 => {
            let mut raw = nested_messages(size);
            raw.extend_from_slice(rest);
            raw
        }
        // Multiparts and nested messages taking turns, the fuzzer's bytes in the middle.
        4 => {
            let mut raw = nested_mixed(size);
            let middle = raw.len() * usize::from(c) / 255;
            raw.splice(middle..middle, rest.iter().copied());
            raw
        }
        // The fuzzer's bytes as they are.
        _ => rest.to_vec(),
    };
    if prescan(&raw, &MimeLimits::default()).is_ok() {
        let _ = hushdesk::mail::inbound::open_for_inspection(&KEYRING, &raw);
    }
});
