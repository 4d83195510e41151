//! Intake: turns validated requester input into stored tickets and replies.
//! Every text goes through the redactor here, on its way to the store; kept data is sealed.
//! Shared by every channel (web form, JSON API, and later mail).

use std::sync::Arc;

use crate::auth::{AccessToken, digest_token};
use crate::crypto::{Keyring, PgpKeyError, RequesterKey, TicketKey, os_random};
use crate::domain::{InputError, NewTicketInput, Reference, ReplyInput};
use crate::redact::{MaskBook, MaskKey, RedactionCounts, Redactor};
use crate::store::{RequesterGrant, Store, StoreError, Tombstone};

/// The parts every channel needs to take in requester data.
#[derive(Clone)]
pub struct Desk {
    pub store: Store,
    pub redactor: Arc<Redactor>,
    pub keyring: Arc<Keyring>,
}

#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error("invalid input")]
    Invalid(Vec<InputError>),
    #[error(transparent)]
    PgpKey(#[from] PgpKeyError),
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<StoreError> for IntakeError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound => IntakeError::NotFound,
            other => IntakeError::Internal(other.into()),
        }
    }
}

/// A ticket just filed: the only moment the access token exists in clear.
pub struct Filed {
    pub reference: Reference,
    pub token: AccessToken,
    pub redactions: RedactionCounts,
}

/// How often to draw a fresh reference or mask number after a collision before giving up.
const ATTEMPTS: usize = 4;

impl Desk {
    /// Files a new ticket: redacts subject and body, seals contact and key, stores it all at once.
    pub async fn file_ticket(&self, input: NewTicketInput) -> Result<Filed, IntakeError> {
        let requester_key = input
            .pgp_key
            .as_deref()
            .map(RequesterKey::parse)
            .transpose()?;
        let ticket_key = TicketKey::generate();
        let seal = |bytes: &[u8]| ticket_key.seal(bytes).map_err(anyhow::Error::from);
        let sealed_contact = input
            .contact
            .as_ref()
            .map(|c| seal(c.as_str().as_bytes()))
            .transpose()?;
        let sealed_pgp_key = requester_key
            .as_ref()
            .map(|k| seal(&k.armored))
            .transpose()?;
        let sealed_ticket_key = self
            .keyring
            .seal_ticket_key(&ticket_key)
            .map_err(anyhow::Error::from)?;

        for _ in 0..ATTEMPTS {
            let reference = Reference::from_random(os_random().map_err(anyhow::Error::from)?);
            let token = AccessToken::generate().map_err(anyhow::Error::from)?;
            let mut book = MaskBook::new(self.mask_key(&reference), Vec::new());
            let subject =
                self.redactor
                    .redact_keeping(&input.subject, &mut book, &input.keep.subject);
            let body = self
                .redactor
                .redact_keeping(&input.body, &mut book, &input.keep.body);
            let mut redactions = subject.counts().clone();
            redactions.merge(body.counts());
            let record = crate::store::NewTicketRecord {
                reference: reference.clone(),
                token: digest_token(&self.keyring, &token),
                category: input.category,
                subject,
                body,
                sealed_ticket_key: sealed_ticket_key.clone(),
                sealed_contact: sealed_contact.clone(),
                sealed_pgp_key: sealed_pgp_key.clone(),
                mask_slots: book.fresh_slots().to_vec(),
            };
            match self.store.create_ticket(record).await {
                Ok(_) => {
                    tracing::info!(reference = %reference, findings = redactions.total(), "ticket filed");
                    return Ok(Filed {
                        reference,
                        token,
                        redactions,
                    });
                }
                Err(StoreError::Conflict("reference")) => continue,
                Err(other) => return Err(other.into()),
            }
        }
        Err(IntakeError::Internal(anyhow::anyhow!(
            "could not draw an unused reference"
        )))
    }

    /// Adds a requester reply, keeping the ticket's masks stable.
    pub async fn add_reply(
        &self,
        grant: &RequesterGrant,
        input: ReplyInput,
    ) -> Result<RedactionCounts, IntakeError> {
        for _ in 0..ATTEMPTS {
            let existing = self.store.mask_slots(grant).await?;
            let mut book = MaskBook::new(self.mask_key(grant.reference()), existing);
            let body = self.redactor.redact(&input.body, &mut book);
            match self
                .store
                .add_requester_reply(grant, &body, book.fresh_slots())
                .await
            {
                Ok(()) => {
                    tracing::info!(reference = %grant.reference(), findings = body.counts().total(), "requester replied");
                    return Ok(body.counts().clone());
                }
                Err(StoreError::Conflict("mask")) => continue,
                Err(other) => return Err(other.into()),
            }
        }
        Err(IntakeError::Internal(anyhow::anyhow!(
            "concurrent replies kept colliding"
        )))
    }

    /// The requester's "delete now": the ticket and all it holds, at once.
    pub async fn delete_now(&self, grant: RequesterGrant) -> Result<Tombstone, IntakeError> {
        let tombstone = self.store.delete_ticket(grant, "requester").await?;
        tracing::info!(reference = %tombstone.reference, "ticket deleted on the requester's request");
        Ok(tombstone)
    }

    fn mask_key(&self, reference: &Reference) -> MaskKey {
        MaskKey::from_bytes(self.keyring.mask_key(reference.as_str()))
    }
}

impl From<Vec<InputError>> for IntakeError {
    fn from(errors: Vec<InputError>) -> Self {
        IntakeError::Invalid(errors)
    }
}
