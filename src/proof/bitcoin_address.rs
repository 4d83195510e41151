//! Bitcoin addresses parsed into what a signature must match: the kind of script and the
//! 20-byte hash in it. Mainnet, testnet and regtest forms are all accepted, since a desk may
//! run against any of them and the hash alone decides ownership.

use ripemd::Ripemd160;
use sha2::{Digest, Sha256};

use super::ProofError;

/// A Bitcoin address whose owner can sign with one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BitcoinAddress {
    /// `1…`, `m…`, `n…`: pays to the hash of a public key.
    P2pkh([u8; 20]),
    /// `3…`, `2…`: pays to the hash of a script; the desk can only check the P2SH-P2WPKH one,
    /// whose script is `0 <hash160 of a compressed key>`.
    P2sh([u8; 20]),
    /// `bc1q…` with a 20-byte program: native segwit v0 key hash.
    P2wpkh([u8; 20]),
}

/// RIPEMD-160 of SHA-256: the hash every one of these address kinds carries.
pub(super) fn hash160(bytes: &[u8]) -> [u8; 20] {
    Ripemd160::digest(Sha256::digest(bytes)).into()
}

/// The script hash of the P2SH-P2WPKH address of the key whose hash160 is `key_hash`.
pub(super) fn nested_segwit_hash(key_hash: &[u8; 20]) -> [u8; 20] {
    // The redeem script `OP_0 PUSH20 <key hash>`.
    let mut redeem = [0u8; 22];
    redeem[1] = 0x14;
    redeem[2..].copy_from_slice(key_hash);
    hash160(&redeem)
}

impl BitcoinAddress {
    pub(super) fn parse(text: &str) -> Result<Self, ProofError> {
        let text = text.trim();
        let lower = text.to_ascii_lowercase();
        if ["bc1", "tb1", "bcrt1"].iter().any(|p| lower.starts_with(p)) {
            Self::parse_segwit(text)
        } else {
            Self::parse_base58(text)
        }
    }

    fn parse_segwit(text: &str) -> Result<Self, ProofError> {
        let (_, version, program) =
            bech32::segwit::decode(text).map_err(|_| ProofError::MalformedAddress)?;
        if version != bech32::segwit::VERSION_0 {
            // Taproot and later: a key-path signature is Schnorr, not this format.
            return Err(ProofError::UnsupportedAddress);
        }
        // A 32-byte v0 program is a script hash (P2WSH): no single key stands behind it.
        let hash =
            <[u8; 20]>::try_from(program.as_slice()).map_err(|_| ProofError::UnsupportedAddress)?;
        Ok(Self::P2wpkh(hash))
    }

    fn parse_base58(text: &str) -> Result<Self, ProofError> {
        // A base58check address is 25 bytes; anything far longer is not one.
        if text.len() > 64 {
            return Err(ProofError::MalformedAddress);
        }
        let bytes = bs58::decode(text)
            .with_check(None)
            .into_vec()
            .map_err(|_| ProofError::MalformedAddress)?;
        let Some((&version, payload)) = bytes.split_first() else {
            return Err(ProofError::MalformedAddress);
        };
        let hash = <[u8; 20]>::try_from(payload).map_err(|_| ProofError::MalformedAddress)?;
        match version {
            0x00 | 0x6f => Ok(Self::P2pkh(hash)),
            0x05 | 0xc4 => Ok(Self::P2sh(hash)),
            // Another coin's or another network's prefix: a well-formed address of something
            // the desk does not check.
            _ => Err(ProofError::UnsupportedAddress),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_kinds_are_told_apart() {
        // The hash160 of the generator point's compressed key (private key 1), in each form.
        let g = hex::decode("751e76e8199196d454941c45d1b3a323f1433bd6").unwrap();
        let g: [u8; 20] = g.try_into().unwrap();
        assert_eq!(
            BitcoinAddress::parse("1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH"),
            Ok(BitcoinAddress::P2pkh(g))
        );
        assert_eq!(
            BitcoinAddress::parse("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"),
            Ok(BitcoinAddress::P2wpkh(g))
        );
        assert_eq!(
            BitcoinAddress::parse("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4"),
            Ok(BitcoinAddress::P2wpkh(g))
        );
        assert_eq!(
            BitcoinAddress::parse("tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"),
            Ok(BitcoinAddress::P2wpkh(g))
        );
    }

    #[test]
    fn unsupported_and_malformed_addresses_are_refused() {
        // BIP-173's P2WSH and BIP-350's taproot examples.
        assert_eq!(
            BitcoinAddress::parse("bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3"),
            Err(ProofError::UnsupportedAddress)
        );
        assert_eq!(
            BitcoinAddress::parse("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"),
            Err(ProofError::UnsupportedAddress)
        );
        // One character changed breaks each checksum.
        assert_eq!(
            BitcoinAddress::parse("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5"),
            Err(ProofError::MalformedAddress)
        );
        assert_eq!(
            BitcoinAddress::parse("1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMJ"),
            Err(ProofError::MalformedAddress)
        );
        assert_eq!(BitcoinAddress::parse(""), Err(ProofError::MalformedAddress));
    }
}
