//! The outgoing-mail queue. Messages are sealed with their ticket's key; a relay outage
//! leaves them here to be retried, and deleting the ticket deletes them. A message is
//! leased to one sending run at a time, so two runs (on one instance or several) never
//! send it twice, and one whose sender died is sent by another run once its lease ends.

use super::engine::{query, query_scalar};

use super::scope::{AgentScope, SystemScope, in_scope};
use super::tickets::{RequesterGrant, ThreadSecrets, parse_reference};
use super::{Store, StoreError, now_unix};
use crate::crypto::Sealed;
use crate::domain::{DeliveryFailure, Reference};

/// The right to write to one ticket's requester, and nothing more: open what a mail to
/// them needs (contact, key, reply address) and queue it sealed. It cannot read the ticket,
/// reply or delete as the requester. Made from a requester's grant, or for an agent's public
/// reply or status change from a scope whose SQL checks that the ticket is theirs.
#[derive(Debug, Clone)]
pub struct RequesterMailbox {
    ticket_id: i64,
    reference: Reference,
}

impl RequesterMailbox {
    pub fn reference(&self) -> &Reference {
        &self.reference
    }
}

impl RequesterGrant {
    /// Writing to the requester is part of what the grant covers.
    pub fn mailbox(&self) -> RequesterMailbox {
        RequesterMailbox {
            ticket_id: self.ticket_id,
            reference: self.reference.clone(),
        }
    }
}

impl RequesterMailbox {
    pub(super) fn for_ticket(ticket_id: i64, reference: Reference) -> Self {
        RequesterMailbox {
            ticket_id,
            reference,
        }
    }
}

/// A queued message that is due, leased to the run that took it.
#[derive(Debug)]
pub struct QueuedMail {
    pub id: i64,
    pub sealed_ticket_key: Sealed,
    pub sealed_message: Sealed,
    pub attempts: i64,
}

impl Store {
    /// Queues a sealed message for the ticket's requester.
    pub async fn enqueue_mail(
        &self,
        mailbox: &RequesterMailbox,
        sealed: &Sealed,
    ) -> Result<(), StoreError> {
        let now = now_unix();
        query(
            "insert into outbox (ticket_id, sealed_message, next_attempt_at, created_at) values ($1, $2, $3, $3)",
        )
        .bind(mailbox.ticket_id)
        .bind(sealed.as_bytes())
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Takes the oldest message due at `now` for sending until `lease_until` (`None`:
    /// nothing is due). The lease is its next attempt moved to `lease_until`, written in the
    /// same write transaction that picks it, so no other run takes it meanwhile; `mail_sent`
    /// and `mail_failed` end it.
    pub async fn lease_due_mail(
        &self,
        _system: &SystemScope,
        now: i64,
        lease_until: i64,
    ) -> Result<Option<QueuedMail>, StoreError> {
        let mut tx = self.begin_write().await?;
        let Some(row) = query(
            "select o.id, o.sealed_message, o.attempts, k.sealed_identity from outbox o \
             join ticket_keys k on k.ticket_id = o.ticket_id \
             where o.next_attempt_at <= $1 order by o.next_attempt_at, o.id limit 1",
        )
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?
        else {
            return Ok(None);
        };
        let queued = QueuedMail {
            id: row.try_get("id")?,
            sealed_ticket_key: Sealed::from_stored(row.try_get("sealed_identity")?),
            sealed_message: Sealed::from_stored(row.try_get("sealed_message")?),
            attempts: row.try_get("attempts")?,
        };
        query("update outbox set next_attempt_at = $2 where id = $1")
            .bind(queued.id)
            .bind(lease_until)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(queued))
    }

    pub async fn mail_sent(&self, _system: &SystemScope, id: i64) -> Result<(), StoreError> {
        query("delete from outbox where id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Records a failed attempt and when to try again.
    pub async fn mail_failed(
        &self,
        _system: &SystemScope,
        id: i64,
        next_attempt_at: i64,
        failure: DeliveryFailure,
    ) -> Result<(), StoreError> {
        query(
            "update outbox set attempts = attempts + 1, next_attempt_at = $2, last_error = $3 where id = $1",
        )
        .bind(id)
        .bind(next_attempt_at)
        .bind(failure.describe())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Whether any message of this ticket's requester arrived encrypted: then nothing may
    /// go back to them in plain text.
    pub async fn requester_wrote_encrypted(
        &self,
        mailbox: &RequesterMailbox,
    ) -> Result<bool, StoreError> {
        let count: i64 = query_scalar(
            "select count(*) from messages where ticket_id = $1 and author = 'requester' and encrypted = 1",
        )
        .bind(mailbox.ticket_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(count > 0)
    }

    /// The mailbox of a ticket in the agent's scope, for mailing the requester what the
    /// agent just did (a public reply, a final status). Not a grant: nothing else comes with it.
    pub async fn mailbox_for_agent(
        &self,
        scope: &AgentScope,
        reference: &str,
    ) -> Result<RequesterMailbox, StoreError> {
        let row = query(concat!(
            "select t.id, t.reference from tickets t where t.reference = $2 and ",
            in_scope!()
        ))
        .bind(scope.agent_id)
        .bind(reference)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        Ok(RequesterMailbox {
            ticket_id: row.try_get("id")?,
            reference: parse_reference(row.try_get("reference")?)?,
        })
    }

    /// What a mail to the requester needs, sealed.
    pub async fn mailbox_secrets(
        &self,
        mailbox: &RequesterMailbox,
    ) -> Result<ThreadSecrets, StoreError> {
        self.secrets_of(mailbox.ticket_id).await
    }
}
