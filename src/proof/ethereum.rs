//! Ethereum `personal_sign` (EIP-191 version 0x45) over a text challenge.

use sha3::{Digest, Keccak256};

use super::ProofError;
use super::recover::recover;

/// Checks that `signature_hex` (r‖s‖v, with or without `0x`) over `message` was made by the
/// key of `address`. A mixed-case address must carry a correct EIP-55 checksum: a typo in it
/// is caught here rather than reported as someone else's signature.
pub fn verify_ethereum_message(
    address: &str,
    message: &str,
    signature_hex: &str,
) -> Result<(), ProofError> {
    let expected = parse_address(address.trim())?;
    let signature = signature_hex.trim();
    let signature = strip_0x(signature).unwrap_or(signature);
    // 65 bytes are 130 hex digits; checking the length first keeps a huge paste undecoded.
    if signature.len() != 130 {
        return Err(ProofError::MalformedSignature);
    }
    let bytes = hex::decode(signature).map_err(|_| ProofError::MalformedSignature)?;
    let (rs, v) = bytes.split_at(64);
    let recid = match v {
        [v @ (27 | 28)] => v - 27,
        [v @ (0 | 1)] => *v,
        // EIP-155 `v` values belong to transactions, not to signed messages.
        _ => return Err(ProofError::MalformedSignature),
    };
    let key = recover(&message_hash(message.as_bytes()), rs, recid)?;
    let point = key.to_encoded_point(false);
    let Some(xy) = point.as_bytes().get(1..) else {
        return Err(ProofError::WrongSigner);
    };
    let hash = Keccak256::digest(xy);
    if hash[12..] == expected {
        Ok(())
    } else {
        Err(ProofError::WrongSigner)
    }
}

fn strip_0x(text: &str) -> Option<&str> {
    text.strip_prefix("0x").or_else(|| text.strip_prefix("0X"))
}

/// keccak256("\x19Ethereum Signed Message:\n" ‖ decimal byte length ‖ message).
fn message_hash(message: &[u8]) -> [u8; 32] {
    let mut hasher = Keccak256::new();
    hasher.update(b"\x19Ethereum Signed Message:\n");
    hasher.update(message.len().to_string().as_bytes());
    hasher.update(message);
    hasher.finalize().into()
}

/// The 20 bytes of a `0x` address, its EIP-55 checksum checked when it is mixed-case.
fn parse_address(text: &str) -> Result<[u8; 20], ProofError> {
    let digits = strip_0x(text).ok_or(ProofError::MalformedAddress)?;
    if digits.len() != 40 {
        return Err(ProofError::MalformedAddress);
    }
    let bytes = hex::decode(digits).map_err(|_| ProofError::MalformedAddress)?;
    let has_lower = digits.bytes().any(|c| c.is_ascii_lowercase());
    let has_upper = digits.bytes().any(|c| c.is_ascii_uppercase());
    if has_lower && has_upper && !checksum_holds(digits) {
        return Err(ProofError::MalformedAddress);
    }
    <[u8; 20]>::try_from(bytes.as_slice()).map_err(|_| ProofError::MalformedAddress)
}

/// EIP-55: a letter is upper-case exactly when the matching nibble of keccak256 of the
/// lower-case hex is 8 or more.
fn checksum_holds(digits: &str) -> bool {
    let hash = Keccak256::digest(digits.to_ascii_lowercase().as_bytes());
    digits.bytes().enumerate().all(|(i, c)| {
        let nibble = (hash[i / 2] >> if i % 2 == 0 { 4 } else { 0 }) & 0x0f;
        !c.is_ascii_alphabetic() || c.is_ascii_uppercase() == (nibble >= 8)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prefixed_hash_matches_viems_published_one() {
        // viem's test vector for `hashMessage("Hello world")`.
        assert_eq!(
            hex::encode(message_hash(b"Hello world")),
            "8144a6fa26be252b86456491fbcd43c1de7e022241845ffea1c3df066f7cfede"
        );
    }

    #[test]
    fn eip55_examples_hold_and_a_flipped_letter_does_not() {
        // From EIP-55 itself.
        for good in [
            "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            "fB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
            "dbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
            "D1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
        ] {
            assert!(checksum_holds(good), "{good}");
            assert!(parse_address(&format!("0x{good}")).is_ok(), "{good}");
        }
        assert!(!checksum_holds("5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"));
        assert_eq!(
            parse_address("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"),
            Err(ProofError::MalformedAddress)
        );
        // All one case carries no checksum and is taken as written.
        assert!(parse_address("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed").is_ok());
        assert!(parse_address("0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED").is_ok());
    }
}
