//! BIP-322 "simple" signatures for P2WPKH addresses: the witness that would spend a virtual
//! output paying to the address, in a virtual transaction committing to the message. Newer
//! wallets (Sparrow, Bitcoin Core for segwit, Ledger) make these instead of BIP-137 ones.

use k256::ecdsa::signature::hazmat::PrehashVerifier;
use k256::ecdsa::{Signature, VerifyingKey};
use sha2::{Digest, Sha256};

use super::ProofError;
use super::bitcoin::push_compact_size;
use super::bitcoin_address::{BitcoinAddress, hash160};

const TAG: &[u8] = b"BIP0322-signed-message";
const SIGHASH_ALL: u8 = 0x01;

/// Checks a BIP-322 simple signature (the serialized witness stack) over `message`.
pub(super) fn verify_simple(
    address: BitcoinAddress,
    message: &[u8],
    witness: &[u8],
) -> Result<(), ProofError> {
    // BIP-322 "simple" carries only a witness, so the address must be one spent by witness
    // alone; the desk checks the single-key kind.
    let BitcoinAddress::P2wpkh(program) = address else {
        return Err(ProofError::MalformedSignature);
    };
    let (der_and_type, pubkey) = parse_witness(witness)?;
    let Some((&sighash_type, der)) = der_and_type.split_last() else {
        return Err(ProofError::MalformedSignature);
    };
    if sighash_type != SIGHASH_ALL || pubkey.len() != 33 {
        return Err(ProofError::MalformedSignature);
    }
    let signature = Signature::from_der(der).map_err(|_| ProofError::MalformedSignature)?;
    let key = VerifyingKey::from_sec1_bytes(pubkey).map_err(|_| ProofError::MalformedSignature)?;
    if hash160(pubkey) != program {
        return Err(ProofError::WrongSigner);
    }
    let to_spend = to_spend_txid(&program, &tagged_hash(message));
    key.verify_prehash(&sighash(&to_spend, &program), &signature)
        .map_err(|_| ProofError::WrongSigner)
}

/// Splits a two-item witness stack `[signature ‖ sighash type, public key]`.
fn parse_witness(bytes: &[u8]) -> Result<(&[u8], &[u8]), ProofError> {
    let mut rest = bytes;
    if take_compact_size(&mut rest)? != 2 {
        return Err(ProofError::MalformedSignature);
    }
    let signature = take_item(&mut rest)?;
    let pubkey = take_item(&mut rest)?;
    if !rest.is_empty() {
        return Err(ProofError::MalformedSignature);
    }
    Ok((signature, pubkey))
}

fn take_item<'a>(rest: &mut &'a [u8]) -> Result<&'a [u8], ProofError> {
    let len = take_compact_size(rest)?;
    let len = usize::try_from(len).map_err(|_| ProofError::MalformedSignature)?;
    if len > rest.len() {
        return Err(ProofError::MalformedSignature);
    }
    let (item, tail) = rest.split_at(len);
    *rest = tail;
    Ok(item)
}

/// Reads one compact size; the items here are short, so only the one-byte form is needed,
/// and a longer one is refused rather than trusted for its length.
fn take_compact_size(rest: &mut &[u8]) -> Result<u64, ProofError> {
    match rest.split_first() {
        Some((&n, tail)) if n < 0xfd => {
            *rest = tail;
            Ok(u64::from(n))
        }
        _ => Err(ProofError::MalformedSignature),
    }
}

fn tagged_hash(message: &[u8]) -> [u8; 32] {
    let tag = Sha256::digest(TAG);
    let mut hasher = Sha256::new();
    hasher.update(tag);
    hasher.update(tag);
    hasher.update(message);
    hasher.finalize().into()
}

fn sha256d(data: &[u8]) -> [u8; 32] {
    Sha256::digest(Sha256::digest(data)).into()
}

fn p2wpkh_script(program: &[u8; 20]) -> Vec<u8> {
    let mut script = vec![0x00, 0x14];
    script.extend_from_slice(program);
    script
}

/// The txid of the virtual transaction whose single output pays to the address and whose
/// input commits to the message.
fn to_spend_txid(program: &[u8; 20], message_hash: &[u8; 32]) -> [u8; 32] {
    let mut tx = Vec::with_capacity(128);
    tx.extend_from_slice(&0u32.to_le_bytes()); // version
    tx.push(1); // inputs
    tx.extend_from_slice(&[0u8; 32]);
    tx.extend_from_slice(&u32::MAX.to_le_bytes());
    tx.push(34); // scriptSig: OP_0 PUSH32 <message hash>
    tx.extend_from_slice(&[0x00, 0x20]);
    tx.extend_from_slice(message_hash);
    tx.extend_from_slice(&0u32.to_le_bytes()); // sequence
    tx.push(1); // outputs
    tx.extend_from_slice(&0u64.to_le_bytes());
    let script = p2wpkh_script(program);
    push_compact_size(&mut tx, script.len());
    tx.extend_from_slice(&script);
    tx.extend_from_slice(&0u32.to_le_bytes()); // lock time
    sha256d(&tx)
}

/// The BIP-143 SIGHASH_ALL digest of the virtual spending transaction: one input spending
/// `to_spend:0` with sequence 0, one zero-value `OP_RETURN` output, version and lock time 0.
fn sighash(to_spend: &[u8; 32], program: &[u8; 20]) -> [u8; 32] {
    let mut outpoint = to_spend.to_vec();
    outpoint.extend_from_slice(&0u32.to_le_bytes());
    let mut outputs = 0u64.to_le_bytes().to_vec();
    outputs.extend_from_slice(&[0x01, 0x6a]);

    let mut preimage = Vec::with_capacity(200);
    preimage.extend_from_slice(&0u32.to_le_bytes()); // version
    preimage.extend_from_slice(&sha256d(&outpoint)); // hashPrevouts
    preimage.extend_from_slice(&sha256d(&0u32.to_le_bytes())); // hashSequence
    preimage.extend_from_slice(&outpoint);
    preimage.extend_from_slice(&[0x19, 0x76, 0xa9, 0x14]); // scriptCode: P2PKH of the key
    preimage.extend_from_slice(program);
    preimage.extend_from_slice(&[0x88, 0xac]);
    preimage.extend_from_slice(&0u64.to_le_bytes()); // amount
    preimage.extend_from_slice(&0u32.to_le_bytes()); // sequence
    preimage.extend_from_slice(&sha256d(&outputs)); // hashOutputs
    preimage.extend_from_slice(&0u32.to_le_bytes()); // lock time
    preimage.extend_from_slice(&u32::from(SIGHASH_ALL).to_le_bytes());
    sha256d(&preimage)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_hashes_match_the_bip() {
        assert_eq!(
            hex::encode(tagged_hash(b"")),
            "c90c269c4f8fcbe6880f72a721ddfbf1914268a794cbb21cfafee13770ae19f1"
        );
        assert_eq!(
            hex::encode(tagged_hash(b"Hello World")),
            "f0eb03b1a75ac6d9847f55c624a99169b5dccba2a31f5b23bea77ba270de0a7a"
        );
    }
}
