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
    /// tickets.
    #[error(transparent)]
    Canned(#[from] CannedRefusal),
    /// A value that cannot go on the redaction allowlist; the text says why.
    #[error(transparent)]
    NotAllowable(#[from] AllowError),
    /// A proof of ownership was not recorded, or a challenge not made; nothing was stored.
    #[error(transparent)]
    Proof(#[from] super::ProofRefusal),
    /// A token list that cannot be imported.
    #[error(transparent)]
    TokenList(crate::domain::TokenListError),
    /// No such thing, or not the caller's to see: deliberately the same.
    #[error("not found")]
    NotFound,
    /// A download link that cannot be used (unknown, used, expired, another agent's, or its
    /// ticket no longer readable): deliberately one case.
    #[error("the download link is used, expired or not yours")]
    LinkSpent,
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
    /// A file of the submission refused it whole; nothing was stored.
    #[error(transparent)]
    Attachment(#[from] super::AttachmentRefusal),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Why a canned response was refused, with what the agent or admin must look for in it.
/// The English is for the API and the log; pages word it from `key` and `args`.
#[derive(Debug, thiserror::Error)]
pub enum CannedRefusal {
    /// Sending one that holds a mask of some other text.
    #[error(
        "this canned response contains {token}, a mask from some other text that would be read \
         as this ticket's: nothing was sent; an admin must rewrite the canned response"
    )]
    ForeignMaskNotSent { token: String },
    /// Putting such a one into the editor.
    #[error(
        "this canned response contains {token}, a mask from some other text that would be read \
         as this ticket's; an admin must rewrite the canned response"
    )]
    ForeignMask { token: String },
    /// Saving one that holds what the redactor masks.
    #[error(
        "the canned response holds what the redactor masks ({kinds}): remove it, or ask an \
         admin to allowlist the organisation's own contact"
    )]
    Masked { kinds: String },
    /// Saving one that holds a mask label.
    #[error(
        "a canned response cannot contain a mask label such as {token}: in a ticket it would \
         be read as that ticket's own value"
    )]
    MaskLabel { token: String },
}

impl CannedRefusal {
    /// The catalogue key of its wording.
    pub fn key(&self) -> &'static str {
        match self {
            CannedRefusal::ForeignMaskNotSent { .. } => "canned-foreign-mask-not-sent",
            CannedRefusal::ForeignMask { .. } => "canned-foreign-mask",
            CannedRefusal::Masked { .. } => "canned-masked",
            CannedRefusal::MaskLabel { .. } => "canned-mask-label",
        }
    }

    /// The wording's arguments: the mask or the kinds of value found.
    pub fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            CannedRefusal::ForeignMaskNotSent { token }
            | CannedRefusal::ForeignMask { token }
            | CannedRefusal::MaskLabel { token } => vec![("token", token.clone())],
            CannedRefusal::Masked { kinds } => vec![("kinds", kinds.clone())],
        }
    }
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
