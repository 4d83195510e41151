//! `Sealed` is "ciphertext made by the crypto module"; outside the crate nothing may pass
//! arbitrary bytes off as sealed data.

fn forged() -> hushdesk::crypto::Sealed {
    hushdesk::crypto::Sealed::from_stored(b"not ciphertext".to_vec())
}

fn main() {}
