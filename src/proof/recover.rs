//! Public-key recovery from a compact secp256k1 signature, shared by the Bitcoin and Ethereum
//! message formats.

use k256::ecdsa::{RecoveryId, Signature, VerifyingKey};

use super::ProofError;

/// Recovers the key that made `rs` (r‖s, 64 bytes) over `prehash` with the recovery id `recid`
/// (0–3).
///
/// Bitcoin Core and Ethereum's `ecrecover` accept a high `s`, but `k256` refuses one, so a
/// high `s` is flipped to its low twin with the opposite y parity: both name the same key, and
/// a proof of control does not care which of the two the wallet chose.
pub(super) fn recover(
    prehash: &[u8; 32],
    rs: &[u8],
    recid: u8,
) -> Result<VerifyingKey, ProofError> {
    let signature = Signature::from_slice(rs).map_err(|_| ProofError::MalformedSignature)?;
    let recid = RecoveryId::from_byte(recid).ok_or(ProofError::MalformedSignature)?;
    let (signature, recid) = match signature.normalize_s() {
        Some(low) => (
            low,
            RecoveryId::new(!recid.is_y_odd(), recid.is_x_reduced()),
        ),
        None => (signature, recid),
    };
    // A signature whose r names no point on the curve recovers nothing: whoever sent it did not
    // sign this message, whatever they hold.
    VerifyingKey::recover_from_prehash(prehash, &signature, recid)
        .map_err(|_| ProofError::WrongSigner)
}
