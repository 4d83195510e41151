//! Renaming and archiving queues, and editing canned responses. The `general` queue is the
//! fallback of routing (a category without a rule, mail without a category), so it keeps its
//! name and stays in use.

use super::super::alerts::{Audience, particulars, raise};
use super::super::engine::query_scalar;
use super::super::error::Conflict;
use super::super::scope::AdminScope;
use super::super::{Store, StoreError, now_unix};
use super::config_audit;
use crate::domain::Name;
use crate::redact::Redacted;

/// The queue routing falls back to; see `store::tickets`.
const FALLBACK_QUEUE: &str = "general";

impl Store {
    /// Renames a queue. Its tickets, members, routing rules and canned responses follow, since
    /// they point at the queue, not at its name.
    pub async fn rename_queue(
        &self,
        admin: &AdminScope,
        from: &Name,
        to: &Name,
    ) -> Result<(), StoreError> {
        if from.as_str() == FALLBACK_QUEUE {
            return Err(StoreError::Conflict(Conflict::FallbackQueue));
        }
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        let queue_id: i64 =
            query_scalar("update queues set name = $2 where name = $1 returning id")
                .bind(from.as_str())
                .bind(to.as_str())
                .fetch_optional(&mut *tx)
                .await
                .map_err(|e| StoreError::on_unique(e, Conflict::QueueName))?
                .ok_or(StoreError::NotFound)?;
        config_audit(
            &mut tx,
            &self.audit_key,
            admin,
            "queue_renamed",
            format!("queue={from} to={to}"),
            now,
        )
        .await?;
        // The members find their tickets under the new name: tell them why.
        raise(
            &mut tx,
            now,
            "queue_renamed",
            Audience::QueueMembers,
            Some(queue_id),
            Some(admin.agent().name().as_str()),
            None,
            particulars(&[
                ("by", admin.agent().name().as_str()),
                ("from", from.as_str()),
                ("to", to.as_str()),
            ]),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Archives a queue (`archived`) or puts it back in use. An archived queue keeps its
    /// tickets and members, but takes no new tickets: its routing rules are removed in the
    /// same change, so their categories land in `general` from now on.
    pub async fn set_queue_archived(
        &self,
        admin: &AdminScope,
        name: &Name,
        archived: bool,
    ) -> Result<(), StoreError> {
        if name.as_str() == FALLBACK_QUEUE {
            return Err(StoreError::Conflict(Conflict::FallbackQueue));
        }
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        let queue_id: i64 = query_scalar(
            "update queues set archived_at = case when $2 = 1 then $3 else null end \
             where name = $1 returning id",
        )
        .bind(name.as_str())
        .bind(i64::from(archived))
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let rerouted: Vec<String> = if archived {
            query_scalar("delete from routing_rules where queue_id = $1 returning category")
                .bind(queue_id)
                .fetch_all(&mut *tx)
                .await?
        } else {
            Vec::new()
        };
        let detail = if archived {
            format!("queue={name} rerouted_to_general={}", rerouted.join(","))
        } else {
            format!("queue={name}")
        };
        config_audit(
            &mut tx,
            &self.audit_key,
            admin,
            if archived {
                "queue_archived"
            } else {
                "queue_restored"
            },
            detail,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Replaces a canned response's title and text; the texts come redacted, as when added.
    pub async fn update_canned_response(
        &self,
        admin: &AdminScope,
        id: i64,
        title: &Redacted<String>,
        body: &Redacted<String>,
    ) -> Result<(), StoreError> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        let queue_id: i64 = query_scalar(
            "update canned_responses set title = $2, body = $3 where id = $1 returning queue_id",
        )
        .bind(id)
        .bind(title.as_str())
        .bind(body.as_str())
        .fetch_optional(&mut *tx)
        .await
        .map_err(|e| StoreError::on_unique(e, Conflict::CannedResponseTitle))?
        .ok_or(StoreError::NotFound)?;
        let queue: String = query_scalar("select name from queues where id = $1")
            .bind(queue_id)
            .fetch_one(&mut *tx)
            .await?;
        config_audit(
            &mut tx,
            &self.audit_key,
            admin,
            "canned_changed",
            format!("canned={id} queue={queue}"),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The queue a canned response belongs to, for redacting its new text in that queue's
    /// context.
    pub async fn canned_response_queue(
        &self,
        _admin: &AdminScope,
        id: i64,
    ) -> Result<Name, StoreError> {
        let queue: String = query_scalar(
            "select q.name from canned_responses c join queues q on q.id = c.queue_id where c.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        Name::parse_queue(&queue).map_err(|_| StoreError::Corrupt("queue name"))
    }
}
