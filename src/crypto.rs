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

/// What a clear-signed statement showed: its text, and which key made the good signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedStatement {
    pub text: String,
    /// The signing certificate's fingerprint, hex.
    pub fingerprint: String,
    /// Made by the ticket's pinned key, not by the key offered beside the statement.
    pub by_pinned_key: bool,
}

/// Why a statement was not accepted as signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StatementError {
    #[error("the text is not an OpenPGP signed message")]
    Malformed,
    #[error("the signature does not verify")]
    BadSignature,
    #[error("the statement is not signed by the pinned key or the key given with it")]
    UnknownSigner,
    /// The key given with it holds secret key material: refused unread, as the ticket form
    /// refuses one, so the requester learns to keep it to themself.
    #[error("the key given is a private key")]
    PrivateKey,
}

/// Verifies a clear-signed (`gpg --clearsign`) or inline-signed statement against the
/// ticket's pinned key and a key offered with it (either may be absent). Only a good
/// signature by one of those two counts; the offered key is only read, never kept.
pub fn verify_signed_statement(
    data: &[u8],
    pinned: Option<&[u8]>,
    offered: Option<&[u8]>,
) -> Result<SignedStatement, StatementError> {
    if offered.is_some_and(pgp::holds_secret_key) || pgp::holds_secret_key(data) {
        return Err(StatementError::PrivateKey);
    }
    let delivered: Vec<Vec<u8>> = offered.map(<[u8]>::to_vec).into_iter().collect();
    let opened = pgp_message::verify_inline(
        data,
        &SignerKeys {
            pinned,
            delivered: &delivered,
        },
        STATEMENT_LIMIT,
    )
    .map_err(|_| StatementError::Malformed)?;
    match opened.signature {
        SignatureCheck::Good {
            fingerprint,
            by_pinned_key,
            ..
        } => Ok(SignedStatement {
            text: String::from_utf8(opened.content).map_err(|_| StatementError::Malformed)?,
            fingerprint,
            by_pinned_key,
        }),
        SignatureCheck::Bad => Err(StatementError::BadSignature),
        SignatureCheck::Unverifiable => Err(StatementError::UnknownSigner),
        SignatureCheck::None => Err(StatementError::Malformed),
    }
}

/// What `verify_signed_statement` opens at most: a challenge is one line.
const STATEMENT_LIMIT: u64 = 64 * 1024;

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
