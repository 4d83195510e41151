//! Signatures made outside this crate: by the PyPI libraries of
//! `tests/vectors/make_proof_vectors.py`, and published vectors of Bitcoin Core and BIP-322.
//! Each must verify, and each must stop verifying when one thing about it changes.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use proptest::prelude::*;
use serde::Deserialize;

use super::{ProofError, verify_bitcoin_message, verify_ethereum_message};

#[derive(Deserialize)]
struct Vector {
    kind: String,
    address: String,
    message: String,
    signature: String,
}

#[derive(Deserialize)]
struct Generated {
    bitcoin: Vec<Vector>,
    ethereum: Vec<Vector>,
}

#[derive(Deserialize)]
struct Published {
    valid: Vec<PublishedVector>,
}

#[derive(Deserialize)]
struct PublishedVector {
    source: String,
    address: String,
    message: String,
    signature: String,
}

fn generated() -> Generated {
    serde_json::from_str(include_str!("../../tests/vectors/proof_vectors.json")).unwrap()
}

fn published() -> Published {
    serde_json::from_str(include_str!(
        "../../tests/vectors/proof_public_vectors.json"
    ))
    .unwrap()
}

/// Another address of the same kind from the same set, made by a different key.
fn other_address<'a>(all: &'a [Vector], vector: &Vector) -> &'a str {
    all.iter()
        .find(|o| o.kind == vector.kind && o.address != vector.address)
        .map(|o| o.address.as_str())
        .unwrap()
}

fn flip_bitcoin_signature(signature: &str) -> String {
    let mut bytes = STANDARD.decode(signature).unwrap();
    // A bit of s: the header and length stay well formed, the signature does not.
    bytes[50] ^= 0x01;
    STANDARD.encode(bytes)
}

fn flip_ethereum_signature(signature: &str) -> String {
    let mut bytes = hex::decode(signature.trim_start_matches("0x")).unwrap();
    bytes[50] ^= 0x01;
    format!("0x{}", hex::encode(bytes))
}

#[test]
fn every_generated_bitcoin_signature_verifies_and_stops_when_anything_changes() {
    let all = generated().bitcoin;
    for kind in [
        "p2pkh-uncompressed",
        "p2pkh-compressed",
        "p2sh-p2wpkh",
        "p2wpkh",
        "electrum-p2wpkh",
        "electrum-p2sh-p2wpkh",
        "bip322-p2wpkh",
    ] {
        assert!(all.iter().any(|v| v.kind == kind), "no {kind} vector");
    }
    for v in &all {
        let label = format!("{} {} {:?}", v.kind, v.address, v.message);
        assert_eq!(
            verify_bitcoin_message(&v.address, &v.message, &v.signature),
            Ok(()),
            "{label}"
        );
        let tampered = format!("{}.", v.message);
        assert_eq!(
            verify_bitcoin_message(&v.address, &tampered, &v.signature),
            Err(ProofError::WrongSigner),
            "{label}"
        );
        assert!(
            verify_bitcoin_message(
                &v.address,
                &v.message,
                &flip_bitcoin_signature(&v.signature)
            )
            .is_err(),
            "{label}"
        );
        assert_eq!(
            verify_bitcoin_message(other_address(&all, v), &v.message, &v.signature),
            Err(ProofError::WrongSigner),
            "{label}"
        );
    }
}

#[test]
fn a_header_for_one_address_kind_does_not_prove_another() {
    let all = generated().bitcoin;
    let find = |kind: &str| all.iter().find(|v| v.kind == kind).unwrap();
    let uncompressed = find("p2pkh-uncompressed");
    let native = find("p2wpkh");
    let nested = find("p2sh-p2wpkh");
    let legacy = find("p2pkh-compressed");
    // An uncompressed key has no segwit address; BIP-137's segwit headers name their kind.
    for (address, signature) in [
        (&native.address, &uncompressed.signature),
        (&legacy.address, &native.signature),
        (&legacy.address, &nested.signature),
        (&native.address, &nested.signature),
    ] {
        assert_eq!(
            verify_bitcoin_message(address, &native.message, signature),
            Err(ProofError::SignatureForOtherAddressType),
            "{address} {signature}"
        );
    }
}

#[test]
fn every_generated_ethereum_signature_verifies_and_stops_when_anything_changes() {
    let all = generated().ethereum;
    assert!(!all.is_empty());
    for v in &all {
        let label = format!("{} {:?}", v.address, v.message);
        assert_eq!(
            verify_ethereum_message(&v.address, &v.message, &v.signature),
            Ok(()),
            "{label}"
        );
        // eth-account gives the checksummed form; the lower-case one carries no checksum.
        assert_eq!(
            verify_ethereum_message(&v.address.to_lowercase(), &v.message, &v.signature),
            Ok(()),
            "{label}"
        );
        // v as 0/1 instead of 27/28, and without the 0x.
        let bare = v.signature.trim_start_matches("0x");
        let v01 = format!(
            "{}{:02x}",
            &bare[..128],
            u8::from_str_radix(&bare[128..], 16).unwrap() - 27
        );
        assert_eq!(
            verify_ethereum_message(&v.address, &v.message, &v01),
            Ok(()),
            "{label}"
        );
        let tampered = format!("{}.", v.message);
        assert_eq!(
            verify_ethereum_message(&v.address, &tampered, &v.signature),
            Err(ProofError::WrongSigner),
            "{label}"
        );
        assert!(
            verify_ethereum_message(
                &v.address,
                &v.message,
                &flip_ethereum_signature(&v.signature)
            )
            .is_err(),
            "{label}"
        );
        let other = all.iter().find(|o| o.address != v.address).unwrap();
        assert_eq!(
            verify_ethereum_message(&other.address, &v.message, &v.signature),
            Err(ProofError::WrongSigner),
            "{label}"
        );
    }
}

#[test]
fn a_wrong_eip55_checksum_is_refused_before_any_signature_check() {
    let v = &generated().ethereum[0];
    assert!(verify_ethereum_message(&v.address, &v.message, &v.signature).is_ok());
    let flipped: String = v
        .address
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i >= 2 && c.is_ascii_alphabetic() {
                if c.is_ascii_uppercase() {
                    c.to_ascii_lowercase()
                } else {
                    c.to_ascii_uppercase()
                }
            } else {
                c
            }
        })
        .collect();
    assert_eq!(
        verify_ethereum_message(&flipped, &v.message, &v.signature),
        Err(ProofError::MalformedAddress)
    );
}

#[test]
fn published_vectors_verify_and_stop_on_another_message() {
    let published = published().valid;
    assert!(published.iter().any(|v| v.source == "bip-322"));
    for v in &published {
        let label = format!("{} {} {:?}", v.source, v.address, v.message);
        assert_eq!(
            verify_bitcoin_message(&v.address, &v.message, &v.signature),
            Ok(()),
            "{label}"
        );
        assert_eq!(
            verify_bitcoin_message(&v.address, "I never signed this", &v.signature),
            Err(ProofError::WrongSigner),
            "{label}"
        );
    }
}

#[test]
fn hostile_shapes_are_refused_with_a_reason() {
    let core = &published().valid[0];
    assert!(verify_bitcoin_message(&core.address, &core.message, &core.signature).is_ok());
    let zeros = STANDARD.encode([0u8; 65]);
    let header_only_zeros = STANDARD.encode([[31u8].as_slice(), &[0u8; 64]].concat());
    for (address, signature, expected) in [
        (
            core.address.as_str(),
            "not base64 at all",
            ProofError::MalformedSignature,
        ),
        (
            core.address.as_str(),
            zeros.as_str(),
            ProofError::MalformedSignature,
        ),
        (
            core.address.as_str(),
            header_only_zeros.as_str(),
            ProofError::MalformedSignature,
        ),
        (
            "invalid address",
            core.signature.as_str(),
            ProofError::MalformedAddress,
        ),
        // A P2WSH address is well formed but has no single key behind it.
        (
            "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3",
            core.signature.as_str(),
            ProofError::UnsupportedAddress,
        ),
    ] {
        assert_eq!(
            verify_bitcoin_message(address, &core.message, signature),
            Err(expected),
            "{address} {signature}"
        );
    }
}

proptest! {
    #[test]
    fn random_bitcoin_input_never_panics(address in ".{0,80}", message in ".{0,40}", signature in ".{0,200}") {
        let _ = verify_bitcoin_message(&address, &message, &signature);
    }

    #[test]
    fn random_compact_signatures_never_panic_nor_verify(header in 0u8..=255, rs in proptest::collection::vec(any::<u8>(), 0..70)) {
        let core = &published().valid[0];
        let signature = STANDARD.encode([[header].as_slice(), &rs].concat());
        prop_assert!(verify_bitcoin_message(&core.address, &core.message, &signature).is_err());
        let bip322 = &published().valid[3];
        prop_assert!(verify_bitcoin_message(&bip322.address, &bip322.message, &signature).is_err());
    }

    #[test]
    fn random_witnesses_never_panic_nor_verify(bytes in proptest::collection::vec(any::<u8>(), 0..160)) {
        let bip322 = &published().valid[3];
        let signature = STANDARD.encode(&bytes);
        prop_assert!(verify_bitcoin_message(&bip322.address, &bip322.message, &signature).is_err());
    }

    #[test]
    fn random_ethereum_input_never_panics(address in ".{0,60}", signature in "(0x)?[0-9a-fA-F]{0,140}") {
        let _ = verify_ethereum_message(&address, "m", &signature);
    }

    #[test]
    fn random_ethereum_signatures_never_verify(bytes in proptest::collection::vec(any::<u8>(), 65)) {
        let v = &generated().ethereum[0];
        prop_assert!(verify_ethereum_message(&v.address, &v.message, &hex::encode(&bytes)).is_err());
    }
}

/// The same signature with `s` replaced by `n − s` and the y parity of the header flipped.
fn high_s_twin(signature: &[u8], header_at: usize, base: u8, rs_at: usize) -> Vec<u8> {
    use k256::ecdsa::Signature;
    let low = Signature::from_slice(&signature[rs_at..rs_at + 64]).unwrap();
    let (r, s) = low.split_scalars();
    let high = Signature::from_scalars(r, -*s).unwrap();
    assert!(high.normalize_s().is_some());
    let mut twin = signature.to_vec();
    twin[rs_at..rs_at + 64].copy_from_slice(&high.to_bytes());
    twin[header_at] = base + ((twin[header_at] - base) ^ 0x01);
    twin
}

#[test]
fn a_high_s_signature_proves_the_same_key() {
    let all = generated();
    let btc = all.bitcoin.iter().find(|v| v.kind == "p2wpkh").unwrap();
    let bytes = STANDARD.decode(&btc.signature).unwrap();
    assert!(verify_bitcoin_message(&btc.address, &btc.message, &btc.signature).is_ok());
    let twin = STANDARD.encode(high_s_twin(&bytes, 0, 39, 1));
    assert_eq!(
        verify_bitcoin_message(&btc.address, &btc.message, &twin),
        Ok(())
    );

    let eth = &all.ethereum[0];
    let bytes = hex::decode(eth.signature.trim_start_matches("0x")).unwrap();
    let twin = hex::encode(high_s_twin(&bytes, 64, 27, 0));
    assert_eq!(
        verify_ethereum_message(&eth.address, &eth.message, &twin),
        Ok(())
    );
}
