//! The one error the doors answer with. A refused change carries a typed `Conflict`, never
//! text to match on; the web edge (`web::error`) words each case once.

use crate::crypto::PgpKeyError;
use crate::domain::InputError;
use crate::redact::AllowError;
use crate::store::StoreError;

pub use crate::store::Conflict;

#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    #[error("invalid input")]
    Invalid(Vec<InputError>),
    #[error(transparent)]
    PgpKey(#[from] PgpKeyError),
    /// A canned response would carry personal data (or masks of some other text) into
    /// tickets; the text says what to do.
    #[error("{0}")]
    Canned(String),
    /// A value that cannot go on the redaction allowlist; the text says why.
    #[error(transparent)]
    NotAllowable(#[from] AllowError),
    /// No such thing, or not the caller's to see: deliberately the same.
    #[error("not found")]
    NotFound,
    /// The change does not apply to the data as it stands.
    #[error("conflict: {0}")]
    Conflict(Conflict),
    /// Wrong name, password or code, a locked or disabled account: deliberately one case.
    #[error("sign-in failed: check the name, password and code, or wait if the account was locked")]
    SignInRefused,
    /// The account page did not confirm the current password.
    #[error(transparent)]
    CurrentPassword(super::PasswordRefusal),
    /// The enrolment form was not accepted.
    #[error(transparent)]
    Enrolment(super::EnrolRefusal),
    /// A new agent's name, queues or password did not pass.
    #[error(transparent)]
    NewAgent(super::PrepareError),
    /// The database could not take the request in time (every connection busy, the write
    /// lock not granted); nothing was changed and the same request may be sent again.
    #[error("the desk is busy")]
    Busy,
    /// A mail's processing passed its deadline before it was stored; nothing was kept.
    #[error("the message took longer than its processing budget")]
    OverBudget,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<StoreError> for DeskError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound => DeskError::NotFound,
            StoreError::Conflict(what) => DeskError::Conflict(what),
            busy if busy.is_busy() => DeskError::Busy,
            other => DeskError::Internal(other.into()),
        }
    }
}

impl From<super::PrepareError> for DeskError {
    fn from(err: super::PrepareError) -> Self {
        match err {
            super::PrepareError::Internal(e) => DeskError::Internal(e),
            other => DeskError::NewAgent(other),
        }
    }
}

impl From<Vec<InputError>> for DeskError {
    fn from(errors: Vec<InputError>) -> Self {
        DeskError::Invalid(errors)
    }
}

impl From<InputError> for DeskError {
    fn from(error: InputError) -> Self {
        DeskError::Invalid(vec![error])
    }
}
