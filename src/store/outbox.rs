//! The outgoing-mail queue. Messages are sealed with their ticket's key; a relay outage
//! leaves them here to be retried, and deleting the ticket deletes them.

use sqlx::Row;

use super::tickets::RequesterGrant;
use super::{Store, StoreError, now_unix};
use crate::crypto::Sealed;

/// A queued message that is due.
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
        grant: &RequesterGrant,
        sealed: &Sealed,
    ) -> Result<(), StoreError> {
        let now = now_unix();
        sqlx::query(
            "insert into outbox (ticket_id, sealed_message, next_attempt_at, created_at) values ($1, $2, $3, $3)",
        )
        .bind(grant.ticket_id)
        .bind(sealed.as_bytes())
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Messages whose next attempt is due at `now`, oldest first.
    pub async fn due_mail(&self, now: i64, limit: i64) -> Result<Vec<QueuedMail>, StoreError> {
        let rows = sqlx::query(
            "select o.id, o.sealed_message, o.attempts, k.sealed_identity from outbox o \
             join ticket_keys k on k.ticket_id = o.ticket_id \
             where o.next_attempt_at <= $1 order by o.next_attempt_at, o.id limit $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(QueuedMail {
                    id: row.try_get("id")?,
                    sealed_ticket_key: Sealed::from_stored(row.try_get("sealed_identity")?),
                    sealed_message: Sealed::from_stored(row.try_get("sealed_message")?),
                    attempts: row.try_get("attempts")?,
                })
            })
            .collect()
    }

    pub async fn mail_sent(&self, id: i64) -> Result<(), StoreError> {
        sqlx::query("delete from outbox where id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Records a failed attempt and when to try again.
    pub async fn mail_failed(
        &self,
        id: i64,
        next_attempt_at: i64,
        error: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "update outbox set attempts = attempts + 1, next_attempt_at = $2, last_error = $3 where id = $1",
        )
        .bind(id)
        .bind(next_attempt_at)
        .bind(error)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Whether any message of this ticket's requester arrived encrypted: then nothing may
    /// go back to them in plain text.
    pub async fn requester_wrote_encrypted(
        &self,
        grant: &RequesterGrant,
    ) -> Result<bool, StoreError> {
        let count: i64 = sqlx::query_scalar(
            "select count(*) from messages where ticket_id = $1 and author = 'requester' and encrypted = 1",
        )
        .bind(grant.ticket_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(count > 0)
    }

    /// The requester grant of a ticket in the agent's scope, used only to write to its
    /// requester on the agent's behalf.
    pub async fn grant_for_reply(
        &self,
        scope: &super::AgentScope,
        reference: &str,
    ) -> Result<RequesterGrant, StoreError> {
        let row = sqlx::query(concat!(
            "select t.id, t.reference from tickets t where t.reference = $2 and ",
            super::scope::in_scope!()
        ))
        .bind(scope.agent_id)
        .bind(reference)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        Ok(RequesterGrant {
            ticket_id: row.try_get("id")?,
            reference: super::tickets::parse_reference(row.try_get("reference")?)?,
        })
    }
}
