//! Keys and sealing: the server's key files, age sealing at rest, OpenPGP keys.
//! The only module that touches age or sequoia; none of their types leak out.

mod files;
mod keyring;
mod pgp;
mod pgp_message;
mod seal;

pub use keyring::Keyring;
pub use pgp::{PgpKeyError, RequesterKey, armor_public_key};
pub use pgp_message::{
    Opened, PgpMessageError, SignatureCheck, SignerKeys, could_have_signed, fingerprint_of,
    same_fingerprint,
};

/// Verifies an inline- or cleartext-signed message that is not encrypted, against keys none
/// of which is pinned (e.g. the helpdesk's own published key).
pub fn verify_inline(data: &[u8], signers: &[Vec<u8>]) -> Result<Opened, PgpMessageError> {
    pgp_message::verify_inline(
        data,
        &SignerKeys {
            pinned: None,
            delivered: signers,
        },
        VERIFY_INLINE_LIMIT,
    )
}

/// What `verify_inline` opens at most: it checks the desk's own statements (deletion
/// receipts), which are a few lines. Mail is opened through `Keyring`, under the mail limit.
const VERIFY_INLINE_LIMIT: u64 = 1024 * 1024;

/// Verifies a detached signature over `data` (PGP/MIME `multipart/signed`).
pub fn verify_detached(data: &[u8], signature: &[u8], signers: &SignerKeys<'_>) -> SignatureCheck {
    pgp_message::verify_detached(data, signature, signers)
}
pub use seal::{SealError, Sealed, TicketKey};

/// What the database holds instead of a token: a keyed hash made by `Keyring`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct TokenDigest(pub [u8; 32]);

/// The operating system's random generator failed; nothing can be created safely.
#[derive(Debug, thiserror::Error)]
#[error("the operating system's random number generator failed")]
pub struct RandomError;

/// `N` bytes straight from the operating system's CSPRNG.
pub fn os_random<const N: usize>() -> Result<[u8; N], RandomError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|_| RandomError)?;
    Ok(bytes)
}
