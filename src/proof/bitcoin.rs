//! Bitcoin signed messages: BIP-137 compact signatures as Bitcoin Core, Electrum and hardware
//! wallets make them, and BIP-322 "simple" signatures for native segwit key-hash addresses.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

use super::ProofError;
use super::bip322;
use super::bitcoin_address::{BitcoinAddress, hash160, nested_segwit_hash};
use super::recover::recover;

const MAGIC: &[u8] = b"Bitcoin Signed Message:\n";

/// Base64 of a BIP-322 signature for one key runs to about 150 characters; twice that leaves
/// room and still refuses a pasted novel before decoding it.
const MAX_SIGNATURE_CHARS: usize = 400;

/// Checks that `signature_base64` over `message` was made by the key behind `address`.
pub fn verify_bitcoin_message(
    address: &str,
    message: &str,
    signature_base64: &str,
) -> Result<(), ProofError> {
    let address = BitcoinAddress::parse(address)?;
    let signature = signature_base64.trim();
    if signature.len() > MAX_SIGNATURE_CHARS {
        return Err(ProofError::MalformedSignature);
    }
    let bytes = STANDARD
        .decode(signature)
        .map_err(|_| ProofError::MalformedSignature)?;
    match bytes.as_slice() {
        [header @ 27..=42, rs @ ..] if rs.len() == 64 => {
            verify_compact(address, &message_hash(message.as_bytes()), *header, rs)
        }
        // Anything else can only be a BIP-322 witness, which starts with its item count.
        _ => bip322::verify_simple(address, message.as_bytes(), &bytes),
    }
}

/// The double SHA-256 of the magic and the message, each behind its compact-size length.
fn message_hash(message: &[u8]) -> [u8; 32] {
    let mut data = Vec::with_capacity(MAGIC.len() + message.len() + 10);
    push_compact_size(&mut data, MAGIC.len());
    data.extend_from_slice(MAGIC);
    push_compact_size(&mut data, message.len());
    data.extend_from_slice(message);
    Sha256::digest(Sha256::digest(&data)).into()
}

/// Bitcoin's variable-length integer ("compact size").
pub(super) fn push_compact_size(out: &mut Vec<u8>, n: usize) {
    let n = n as u64;
    if n < 0xfd {
        out.push(n as u8);
    } else if n <= 0xffff {
        out.push(0xfd);
        out.extend_from_slice(&(n as u16).to_le_bytes());
    } else if n <= 0xffff_ffff {
        out.push(0xfe);
        out.extend_from_slice(&(n as u32).to_le_bytes());
    } else {
        out.push(0xff);
        out.extend_from_slice(&n.to_le_bytes());
    }
}

/// What the header byte of a compact signature claims about the signing key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Claim {
    /// 27–30: a P2PKH address of an uncompressed key.
    Uncompressed,
    /// 31–34: a compressed key; Electrum signs for every address kind with these.
    Compressed,
    /// 35–38: BIP-137's P2SH-P2WPKH.
    NestedSegwit,
    /// 39–42: BIP-137's P2WPKH.
    NativeSegwit,
}

fn verify_compact(
    address: BitcoinAddress,
    prehash: &[u8; 32],
    header: u8,
    rs: &[u8],
) -> Result<(), ProofError> {
    let offset = header - 27;
    let claim = match offset / 4 {
        0 => Claim::Uncompressed,
        1 => Claim::Compressed,
        2 => Claim::NestedSegwit,
        _ => Claim::NativeSegwit,
    };
    let key = recover(prehash, rs, offset % 4)?;
    let encoded = key.to_encoded_point(claim != Claim::Uncompressed);
    let key_hash = hash160(encoded.as_bytes());
    let (expected, derived) = match (address, claim) {
        (BitcoinAddress::P2pkh(h), Claim::Uncompressed | Claim::Compressed) => (h, key_hash),
        (BitcoinAddress::P2sh(h), Claim::Compressed | Claim::NestedSegwit) => {
            (h, nested_segwit_hash(&key_hash))
        }
        (BitcoinAddress::P2wpkh(h), Claim::Compressed | Claim::NativeSegwit) => (h, key_hash),
        _ => return Err(ProofError::SignatureForOtherAddressType),
    };
    if expected == derived {
        Ok(())
    } else {
        Err(ProofError::WrongSigner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_hash_matches_bitcoin_cores() {
        // Bitcoin Core's `MessageHash("Trust no one")` (util_tests.cpp), as bitcoinrb prints it.
        assert_eq!(
            hex::encode(message_hash(b"Trust no one")),
            "aa8215d723ecd2f14867eeb7e19f192be7bc15a2352a24b991d4f5870cbaf6e8"
        );
    }

    #[test]
    fn compact_size_has_four_widths() {
        let mut out = Vec::new();
        for n in [0xfc, 0xfd, 0x1_0000, 0x1_0000_0000] {
            push_compact_size(&mut out, n);
        }
        assert_eq!(hex::encode(out), "fcfdfd00fe00000100ff0000000001000000");
    }
}
