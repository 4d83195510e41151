//! Deletion and retention: the one path every deletion takes (requester, schedule, spam),
//! legal holds, retention policies, and what tombstones keep for metrics. Deleting a ticket
//! deletes its per-ticket key with it, so anything sealed to that key is unreadable forever.

use super::engine::{Conn, Sql, query, query_scalar};

use super::agent_tickets::{audit_change, locate};
use super::alerts::Audience;
use super::audit::{Actor, log_event};
use super::error::Conflict;
use super::scope::AdminScope;
use super::tickets::{RequesterGrant, Tombstone, parse_reference};
use super::{Store, StoreError, Tx, now_unix};
use crate::domain::{Category, Name, Reference};
use crate::redact::Redacted;

/// Why a ticket was deleted; stored in its tombstone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeleteReason {
    Requester,
    Retention,
    Spam,
}

impl DeleteReason {
    pub fn id(self) -> &'static str {
        match self {
            DeleteReason::Requester => "requester",
            DeleteReason::Retention => "retention",
            DeleteReason::Spam => "spam",
        }
    }
}

/// A ticket whose retention has run out.
#[derive(Debug, Clone)]
pub struct Expired {
    id: i64,
    pub reference: Reference,
    pub reason: DeleteReason,
    pub closed_at: i64,
}

/// What one purge batch did (or, dry, would do).
#[derive(Debug, Default)]
pub struct PurgeReport {
    pub purged: Vec<Expired>,
    pub attachments_shredded: u64,
    /// More expired tickets remain than the batch took.
    pub more: bool,
    /// How long the batch held the write lock (for pacing the next one).
    pub lock_held: std::time::Duration,
}

/// The retention policy as admins see it.
#[derive(Debug, Clone)]
pub struct RetentionPolicy {
    pub default_days: i64,
    pub spam_days: i64,
    pub attachment_days: i64,
    /// ("queue:billing" or "category:security", days)
    pub overrides: Vec<(String, i64)>,
}

/// A legal hold as admins see it.
#[derive(Debug, Clone)]
pub struct Hold {
    pub reference: String,
    pub reason: String,
    pub placed_by: String,
    pub placed_at: i64,
}

const SECONDS_PER_DAY: i64 = 86_400;

impl Store {
    /// The requester's delete-now. Refused with `Conflict(Conflict::Held)` while a hold is on.
    pub async fn delete_ticket(&self, grant: RequesterGrant) -> Result<Tombstone, StoreError> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        let held: i64 = query_scalar("select count(*) from legal_holds where ticket_id = $1")
            .bind(grant.ticket_id)
            .fetch_one(&mut *tx)
            .await?;
        if held > 0 {
            return Err(StoreError::Conflict(Conflict::Held));
        }
        let tombstone = delete_in(
            &mut tx,
            &self.audit_key,
            &Actor::Requester,
            grant.ticket_id,
            DeleteReason::Requester,
            now,
        )
        .await?;
        tx.commit().await?;
        self.checkpoint_fully().await?;
        Ok(tombstone)
    }

    /// Tickets whose retention has run out as of `as_of`, oldest first; held ones never.
    pub async fn expired_tickets(
        &self,
        as_of: i64,
        limit: i64,
    ) -> Result<Vec<Expired>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        expired(&mut conn, as_of, limit).await
    }

    /// Deletes up to `batch` expired tickets in one transaction and shreds expired sealed
    /// attachments. The caller checkpoints (`checkpoint_fully`) when its run ends, so the
    /// freed (zeroed) pages reach the main file and nothing deleted stays in `-wal`.
    pub async fn purge_expired(
        &self,
        by: super::scope::Purger<'_>,
        as_of: i64,
        batch: i64,
    ) -> Result<PurgeReport, StoreError> {
        let actor = &by.actor();
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        let locked_at = std::time::Instant::now();
        let mut found = expired(&mut tx, as_of, batch + 1).await?;
        let more = found.len() as i64 > batch;
        found.truncate(usize::try_from(batch).unwrap_or(0));
        for ticket in &found {
            delete_in(
                &mut tx,
                &self.audit_key,
                actor,
                ticket.id,
                ticket.reason,
                now,
            )
            .await?;
        }
        let attachment_days: i64 =
            query_scalar("select days from retention_policies where scope = 'attachments'")
                .fetch_one(&mut *tx)
                .await?;
        let shredded = query(
            "delete from attachments where sealed is not null and created_at + $2 <= $1 \
             and not exists (select 1 from legal_holds h where h.ticket_id = attachments.ticket_id)",
        )
        .bind(as_of)
        .bind(attachment_days * SECONDS_PER_DAY)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if !found.is_empty() || shredded > 0 {
            log_event(
                &mut tx,
                &self.audit_key,
                actor,
                "purge_run",
                None,
                format!("tickets={} attachments={shredded}", found.len()),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(PurgeReport {
            purged: found,
            attachments_shredded: shredded,
            more,
            lock_held: locked_at.elapsed(),
        })
    }

    /// FOR BENCHMARKS ONLY (`hushdesk seed --closed-days-ago`): closes the seeded tickets as
    /// of `closed_at`, so a purge benchmark has expired tickets. Audited as the operator.
    pub async fn close_for_benchmark(
        &self,
        operator: &super::OperatorScope,
        references: &[Reference],
        closed_at: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        for reference in references {
            query(
                "update tickets set status = 'closed', closed_at = $2, updated_at = $2 \
                 where reference = $1",
            )
            .bind(reference.as_str())
            .bind(closed_at)
            .execute(&mut *tx)
            .await?;
        }
        log_event(
            &mut tx,
            &self.audit_key,
            &operator.actor(),
            "benchmark_seed_closed",
            None,
            format!("tickets={}", references.len()),
            now_unix(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Rewrites the tables that hold ticket content so that rows already deleted leave no
    /// bytes behind (`hushdesk compact`). On PostgreSQL a delete only marks rows dead:
    /// `VACUUM FULL` writes each table anew without them, then switching and checkpointing
    /// the write-ahead log recycles the segments that still hold them. Each `VACUUM FULL`
    /// holds its table's exclusive lock while it runs, so this is for a quiet hour, not for
    /// every purge. On SQLite deleted bytes are zeroed as they go (`secure_delete`); the
    /// write-ahead log is checkpointed and the file rebuilt without its free pages.
    /// A step the database role may not run (the WAL steps need `pg_checkpoint` and
    /// `execute on pg_switch_wal()`), or a server setting that defeats it (`wal_recycle`
    /// on), is reported, not fatal; the table rewrites are.
    pub async fn compact_content(
        &self,
        operator: &super::OperatorScope,
    ) -> Result<Vec<String>, StoreError> {
        let mut skipped = Vec::new();
        if self.pool.is_sqlite() {
            self.checkpoint_fully().await?;
            self.pool.run_maintenance("vacuum").await?;
            self.checkpoint_fully().await?;
        } else {
            // With `wal_recycle` on (PostgreSQL's default) an old segment is renamed for reuse
            // with its bytes intact, and no number of switches overwrites them reliably.
            let recycle: String = query_scalar("select current_setting('wal_recycle')")
                .fetch_one(&self.pool)
                .await?;
            if recycle == "on" {
                skipped.push(
                    "removing old WAL segments: wal_recycle is on, so they are reused with their \
                     old bytes (ALTER SYSTEM SET wal_recycle = off; SELECT pg_reload_conf();)"
                        .to_owned(),
                );
            }
            for statement in CONTENT_TABLE_REWRITES {
                self.pool.run_maintenance(statement).await?;
            }
            for _ in 0..3 {
                for statement in ["select pg_switch_wal()", "checkpoint"] {
                    if let Err(err) = self.pool.run_maintenance(statement).await {
                        let reason = match err.as_database_error() {
                            Some(db) => db.message().to_owned(),
                            None => "failed".to_owned(),
                        };
                        let note = format!("{statement}: {reason}");
                        if !skipped.contains(&note) {
                            skipped.push(note);
                        }
                    }
                }
            }
        }
        let mut tx = self.begin_write().await?;
        log_event(
            &mut tx,
            &self.audit_key,
            &operator.actor(),
            "content_compacted",
            None,
            format!("skipped={}", skipped.len()),
            now_unix(),
        )
        .await?;
        tx.commit().await?;
        Ok(skipped)
    }

    /// How many days sealed attachments are kept: what requesters are told before they
    /// attach a file, and beside each one.
    pub async fn sealed_attachment_days(&self) -> Result<i64, StoreError> {
        let days: i64 =
            query_scalar("select days from retention_policies where scope = 'attachments'")
                .fetch_one(&self.pool)
                .await?;
        Ok(days)
    }

    /// Sealed binary attachments that would be shredded as of `as_of`.
    pub async fn expired_attachments(&self, as_of: i64) -> Result<i64, StoreError> {
        Ok(query_scalar(
            "select count(*) from attachments a where a.sealed is not null \
             and a.created_at + (select days from retention_policies where scope = 'attachments') * 86400 <= $1 \
             and not exists (select 1 from legal_holds h where h.ticket_id = a.ticket_id)",
        )
        .bind(as_of)
        .fetch_one(&self.pool)
        .await?)
    }

    /// Copies what it can of the write-ahead log into the database without waiting for
    /// anyone and without blocking writers (a passive checkpoint), so the log stays small
    /// while a long purge runs beside intake. SQLite only; `checkpoint_fully` at the end
    /// leaves nothing purged in `-wal`.
    pub async fn checkpoint_passive(&self) -> Result<(), StoreError> {
        if self.pool.is_sqlite() {
            query("pragma wal_checkpoint(passive)")
                .fetch_one(&self.pool)
                .await?;
        }
        Ok(())
    }

    /// Checkpoints the write-ahead log until no reader holds old frames back (a few tries),
    /// so deleted content does not survive in `-wal`. SQLite only: PostgreSQL's heap and
    /// write-ahead log are the database server's to vacuum and recycle (see
    /// `migrations/postgres/README.md`, "Purge leaves bytes behind").
    pub async fn checkpoint_fully(&self) -> Result<(), StoreError> {
        if !self.pool.is_sqlite() {
            return Ok(());
        }
        for attempt in 0..10 {
            let row = query("pragma wal_checkpoint(truncate)")
                .fetch_one(&self.pool)
                .await?;
            let busy: i64 = row.try_get(0)?;
            if busy == 0 {
                return Ok(());
            }
            tokio::time::sleep(std::time::Duration::from_millis(50 * (attempt + 1))).await;
        }
        tracing::warn!(
            "the write-ahead log could not be fully checkpointed; the next purge retries"
        );
        Ok(())
    }

    /// Places a legal hold on a ticket (admin page).
    pub async fn place_hold(
        &self,
        admin: &AdminScope,
        reference: &str,
        reason: &Redacted<String>,
    ) -> Result<(), StoreError> {
        self.place_hold_as(&admin.actor(), reference, reason).await
    }

    /// Places a legal hold as the operator (`hushdesk hold add`).
    pub async fn place_hold_as_operator(
        &self,
        _operator: &super::OperatorScope,
        reference: &str,
        reason: &Redacted<String>,
    ) -> Result<(), StoreError> {
        self.place_hold_as(&Actor::Operator, reference, reason)
            .await
    }

    /// Releases a legal hold as the operator (`hushdesk hold release`).
    pub async fn release_hold_as_operator(
        &self,
        _operator: &super::OperatorScope,
        reference: &str,
    ) -> Result<(), StoreError> {
        self.release_hold_as(&Actor::Operator, reference).await
    }

    async fn place_hold_as(
        &self,
        actor: &Actor,
        reference: &str,
        reason: &Redacted<String>,
    ) -> Result<(), StoreError> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        let by = match actor {
            Actor::Agent { name, .. } => name.clone(),
            _ => "(operator)".to_owned(),
        };
        let placed = query(
            "insert into legal_holds (ticket_id, reason, placed_by, placed_at) \
             select id, $2, $3, $4 from tickets where reference = $1 \
             on conflict (ticket_id) do update set reason = excluded.reason, placed_by = excluded.placed_by",
        )
        .bind(reference)
        .bind(reason.as_str())
        .bind(&by)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if placed.rows_affected() != 1 {
            return Err(StoreError::NotFound);
        }
        log_event(
            &mut tx,
            &self.audit_key,
            actor,
            "hold_placed",
            Some(reference),
            String::new(),
            now,
        )
        .await?;
        super::alerts::raise(
            &mut tx,
            now,
            "hold_placed",
            Audience::Admins,
            None,
            Some(&by),
            Some(reference),
            super::alerts::particulars(&[]),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn release_hold(
        &self,
        admin: &AdminScope,
        reference: &str,
    ) -> Result<(), StoreError> {
        self.release_hold_as(&admin.actor(), reference).await
    }

    async fn release_hold_as(&self, actor: &Actor, reference: &str) -> Result<(), StoreError> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        let released = query(
            "delete from legal_holds where ticket_id = (select id from tickets where reference = $1)",
        )
        .bind(reference)
        .execute(&mut *tx)
        .await?;
        if released.rows_affected() != 1 {
            return Err(StoreError::NotFound);
        }
        log_event(
            &mut tx,
            &self.audit_key,
            actor,
            "hold_released",
            Some(reference),
            String::new(),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn holds(&self, _admin: &AdminScope) -> Result<Vec<Hold>, StoreError> {
        let rows = query(
            "select t.reference, h.reason, h.placed_by, h.placed_at from legal_holds h \
             join tickets t on t.id = h.ticket_id order by h.placed_at desc",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Hold {
                    reference: r.try_get("reference")?,
                    reason: r.try_get("reason")?,
                    placed_by: r.try_get("placed_by")?,
                    placed_at: r.try_get("placed_at")?,
                })
            })
            .collect()
    }

    pub async fn retention_policy(
        &self,
        _admin: &AdminScope,
    ) -> Result<RetentionPolicy, StoreError> {
        let rows = query("select scope, days from retention_policies order by scope")
            .fetch_all(&self.pool)
            .await?;
        let mut policy = RetentionPolicy {
            default_days: 30,
            spam_days: 2,
            attachment_days: 7,
            overrides: Vec::new(),
        };
        for row in &rows {
            let scope: String = row.try_get("scope")?;
            let days: i64 = row.try_get("days")?;
            match scope.as_str() {
                "default" => policy.default_days = days,
                "spam" => policy.spam_days = days,
                "attachments" => policy.attachment_days = days,
                _ => policy.overrides.push((scope, days)),
            }
        }
        Ok(policy)
    }

    /// Sets one policy; `days = None` removes a queue or category override.
    pub async fn set_retention(
        &self,
        admin: &AdminScope,
        scope: RetentionScope,
        days: Option<i64>,
    ) -> Result<(), StoreError> {
        let now = now_unix();
        let key = scope.key();
        let mut tx = self.begin_write().await?;
        match days {
            Some(days) => {
                if !(1..=36_500).contains(&days) {
                    return Err(StoreError::Conflict(Conflict::RetentionDays));
                }
                if let RetentionScope::Queue(queue) = &scope {
                    let exists: i64 = query_scalar("select count(*) from queues where name = $1")
                        .bind(queue.as_str())
                        .fetch_one(&mut *tx)
                        .await?;
                    if exists == 0 {
                        return Err(StoreError::NotFound);
                    }
                }
                query(
                    "insert into retention_policies (scope, days) values ($1, $2) \
                     on conflict (scope) do update set days = excluded.days",
                )
                .bind(&key)
                .bind(days)
                .execute(&mut *tx)
                .await?;
            }
            None => {
                if matches!(
                    scope,
                    RetentionScope::Default | RetentionScope::Spam | RetentionScope::Attachments
                ) {
                    return Err(StoreError::Conflict(Conflict::RetentionDays));
                }
                query("delete from retention_policies where scope = $1")
                    .bind(&key)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        log_event(
            &mut tx,
            &self.audit_key,
            &admin.actor(),
            "retention_changed",
            None,
            format!(
                "scope={key} days={}",
                days.map_or_else(|| "(removed)".to_owned(), |d| d.to_string())
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Closes a ticket as spam on one agent's word. The ticket leaves every list but the
    /// spam review, yet keeps the normal closed retention: one agent alone (perhaps a bribed
    /// one) cannot make evidence disappear early. A second agent's `confirm_spam` gives it
    /// the short spam retention; a queue owner's `restore_spam` undoes the mark.
    pub async fn mark_spam(
        &self,
        scope: &super::AgentScope,
        reference: &str,
    ) -> Result<(), StoreError> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        let ticket = locate(&mut tx, scope, reference).await?;
        let updated = query(
            "update tickets set spam = 1, spam_marked_by = $2, spam_marked_at = $3, \
             spam_confirmed_by = null, spam_confirmed_at = null, status = 'closed', \
             closed_at = coalesce(closed_at, $3), updated_at = $3 where id = $1 and spam = 0",
        )
        .bind(ticket.id)
        .bind(scope.agent_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() != 1 {
            return Err(StoreError::Conflict(Conflict::AlreadySpam));
        }
        audit_change(
            &mut tx,
            self,
            scope,
            "marked_spam",
            reference,
            "awaiting=confirmation".into(),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The second agent's word that a ticket marked as spam is spam: from then on the short
    /// spam retention applies, counted from this confirmation. The agent who marked it
    /// cannot confirm their own mark.
    pub async fn confirm_spam(
        &self,
        scope: &super::AgentScope,
        reference: &str,
    ) -> Result<(), StoreError> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        let ticket = locate(&mut tx, scope, reference).await?;
        let marked_by: Option<i64> = query_scalar(
            "select spam_marked_by from tickets where id = $1 and spam = 1 and spam_confirmed_by is null",
        )
        .bind(ticket.id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::Conflict(Conflict::NotAwaitingSpamConfirmation))?;
        if marked_by == Some(scope.agent_id) {
            return Err(StoreError::Conflict(Conflict::OwnSpamMark));
        }
        query(
            "update tickets set spam_confirmed_by = $2, spam_confirmed_at = $3, updated_at = $3 where id = $1",
        )
        .bind(ticket.id)
        .bind(scope.agent_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        audit_change(
            &mut tx,
            self,
            scope,
            "spam_confirmed",
            reference,
            String::new(),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Takes the spam mark off a ticket (confirmed or not, until it is purged) and opens it
    /// again. Only owners of the ticket's queue may: they answer for what their queue keeps.
    pub async fn restore_spam(
        &self,
        scope: &super::AgentScope,
        reference: &str,
    ) -> Result<(), StoreError> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        let ticket = locate(&mut tx, scope, reference).await?;
        let owner: i64 = query_scalar(
            "select count(*) from queue_members m join tickets t on t.queue_id = m.queue_id \
             where t.id = $1 and m.agent_id = $2 and m.is_owner = 1",
        )
        .bind(ticket.id)
        .bind(scope.agent_id)
        .fetch_one(&mut *tx)
        .await?;
        if owner == 0 {
            return Err(StoreError::Conflict(Conflict::QueueOwnersOnly));
        }
        let restored = query(
            "update tickets set spam = 0, spam_marked_by = null, spam_marked_at = null, \
             spam_confirmed_by = null, spam_confirmed_at = null, status = 'open', closed_at = null, \
             updated_at = $2 where id = $1 and spam = 1",
        )
        .bind(ticket.id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if restored.rows_affected() != 1 {
            return Err(StoreError::Conflict(Conflict::NotSpam));
        }
        audit_change(
            &mut tx,
            self,
            scope,
            "spam_restored",
            reference,
            String::new(),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// What a retention policy applies to.
#[derive(Debug, Clone)]
pub enum RetentionScope {
    Default,
    Spam,
    Attachments,
    Queue(Name),
    Category(Category),
}

impl RetentionScope {
    fn key(&self) -> String {
        match self {
            RetentionScope::Default => "default".into(),
            RetentionScope::Spam => "spam".into(),
            RetentionScope::Attachments => "attachments".into(),
            RetentionScope::Queue(q) => format!("queue:{q}"),
            RetentionScope::Category(c) => format!("category:{}", c.id()),
        }
    }
}

/// PostgreSQL: every table whose rows carry ticket content or a key to it, rewritten
/// without the dead rows a purge left. Static text: table names are not bound parameters.
const CONTENT_TABLE_REWRITES: [&str; 12] = [
    "vacuum full tickets",
    "vacuum full messages",
    "vacuum full ticket_terms",
    "vacuum full attachments",
    "vacuum full vault_entries",
    "vacuum full ticket_keys",
    "vacuum full outbox",
    "vacuum full mask_slots",
    "vacuum full seen_signatures",
    "vacuum full break_glass",
    "vacuum full legal_holds",
    "vacuum full redaction_allowlist",
];

async fn expired(conn: &mut Conn, as_of: i64, limit: i64) -> Result<Vec<Expired>, StoreError> {
    // Precedence: confirmed spam (counted from its confirmation), then a category override,
    // then a queue override, then the default. Spam on one agent's word alone keeps the
    // normal retention, so a single agent cannot shorten how long evidence is kept.
    let rows = query(
        "select * from (select t.id, t.reference, t.closed_at, t.spam_confirmed_by is not null as spam, \
           case when t.spam_confirmed_by is not null then t.spam_confirmed_at else t.closed_at end as since, \
           case when t.spam_confirmed_by is not null then (select days from retention_policies where scope = 'spam') \
           else coalesce( \
             (select days from retention_policies where scope = 'category:' || t.category), \
             (select p.days from retention_policies p join queues q on p.scope = 'queue:' || q.name where q.id = t.queue_id), \
             (select days from retention_policies where scope = 'default')) end as days \
         from tickets t \
         where t.status in ('resolved', 'closed') and t.closed_at is not null \
           and not exists (select 1 from legal_holds h where h.ticket_id = t.id)) x \
         where x.since + x.days * 86400 <= $1 order by x.closed_at, x.id limit $2",
    )
    .bind(as_of)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(Expired {
                id: row.try_get("id")?,
                reference: parse_reference(row.try_get("reference")?)?,
                reason: if row.try_get::<bool, _>("spam")? {
                    DeleteReason::Spam
                } else {
                    DeleteReason::Retention
                },
                closed_at: row.try_get("closed_at")?,
            })
        })
        .collect()
}

/// The one deletion path: tombstone, then the ticket and everything that cascades from it
/// (messages, attachments, vault entries, the per-ticket key, mask slots, queued mail,
/// holds, break-glass grants), audited in the same transaction.
async fn delete_in(
    tx: &mut Tx<'_>,
    key: &super::AuditKey,
    actor: &Actor,
    ticket_id: i64,
    reason: DeleteReason,
    now: i64,
) -> Result<Tombstone, StoreError> {
    // Redaction counts are JSON objects (`{"rule": count}`): `json_each` on SQLite,
    // `jsonb_each_text` on PostgreSQL, where `sum` is also cast back from `numeric`.
    macro_rules! tombstone_sql {
        ($redactions:literal) => {
            concat!(
                "select t.reference, \
                 (select count(*) from messages m where m.ticket_id = t.id) as messages, \
                 (select count(*) from attachments a where a.ticket_id = t.id) as attachments, \
                 exists (select 1 from vault_entries v where v.ticket_id = t.id and v.kind = 'contact') as had_contact, \
                 exists (select 1 from vault_entries v where v.ticket_id = t.id and v.kind = 'pgp_key') as had_key, ",
                $redactions,
                " as redactions from tickets t where t.id = $1"
            )
        };
    }
    let row = query(Sql::dialects(
        tombstone_sql!(
            "coalesce((select sum(j.value) from messages m, json_each(m.redactions) j where m.ticket_id = t.id), 0) \
             + coalesce((select sum(j.value) from json_each(t.subject_redactions) j), 0)"
        ),
        tombstone_sql!(
            "cast(coalesce((select sum(j.value::bigint) from messages m, jsonb_each_text(m.redactions::jsonb) j \
                            where m.ticket_id = t.id), 0) \
             + coalesce((select sum(j.value::bigint) from jsonb_each_text(t.subject_redactions::jsonb) j), 0) as bigint)"
        ),
    ))
    .bind(ticket_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    let reference: String = row.try_get("reference")?;
    super::outcomes::record_in(tx, ticket_id, reason, now).await?;
    query(
        "insert into tombstones (reference, category, created_at, deleted_at, reason, queue, closed_at, redactions) \
         select t.reference, t.category, t.created_at, $2, $3, q.name, t.closed_at, $4 \
         from tickets t left join queues q on q.id = t.queue_id where t.id = $1",
    )
    .bind(ticket_id)
    .bind(now)
    .bind(reason.id())
    .bind(row.try_get::<i64, _>("redactions")?)
    .execute(&mut **tx)
    .await?;
    // Children go by `on delete cascade`; foreign keys are on for every connection.
    query("delete from tickets where id = $1")
        .bind(ticket_id)
        .execute(&mut **tx)
        .await?;
    log_event(
        tx,
        key,
        actor,
        "ticket_deleted",
        Some(&reference),
        format!("reason={}", reason.id()),
        now,
    )
    .await?;
    Ok(Tombstone {
        reference: parse_reference(reference)?,
        deleted_at: now,
        messages: row.try_get("messages")?,
        attachments: row.try_get("attachments")?,
        had_contact: row.try_get::<bool, _>("had_contact")?,
        had_key: row.try_get::<bool, _>("had_key")?,
    })
}

/// Privacy metrics, for `/admin/` and `/metrics`. Counts only; no reference, no content.
#[derive(Debug, Default, Clone)]
pub struct PrivacyMetrics {
    pub tickets_live: i64,
    pub tickets_held: i64,
    pub deleted_total: i64,
    pub deleted_on_request: i64,
    pub purged_retention: i64,
    pub purged_spam: i64,
    /// Mean seconds from closing to purge, over purged tickets that had been closed.
    pub mean_time_to_delete: Option<f64>,
    /// Tickets deleted by the most recent purge run that deleted anything.
    pub last_purge_tickets: i64,
    pub redactions_per_ticket: Option<f64>,
    pub outbox_pending: i64,
}

impl Store {
    pub async fn privacy_metrics(&self) -> Result<PrivacyMetrics, StoreError> {
        // `avg` and `sum` are `numeric` on PostgreSQL: cast back to what SQLite returns.
        macro_rules! metrics_sql {
            ($redactions:literal) => {
                concat!(
                    "select \
                       (select count(*) from tickets) as live, \
                       (select count(*) from legal_holds) as held, \
                       (select count(*) from tombstones) as deleted, \
                       (select count(*) from tombstones where reason = 'requester') as on_request, \
                       (select count(*) from tombstones where reason = 'retention') as retention, \
                       (select count(*) from tombstones where reason = 'spam') as spam, \
                       (select cast(avg(deleted_at - closed_at) as double precision) from tombstones \
                        where closed_at is not null and reason <> 'requester') as ttd, \
                       (select count(*) from outbox) as outbox, ",
                    $redactions,
                    " as redactions, \
                       (select detail from audit_log where action = 'purge_run' order by seq desc limit 1) as last_run"
                )
            };
        }
        let row = query(Sql::dialects(
            metrics_sql!(
                "(select coalesce(sum(redactions), 0) from tombstones) \
                 + (select coalesce(sum(j.value), 0) from messages m, json_each(m.redactions) j) \
                 + (select coalesce(sum(j.value), 0) from tickets t, json_each(t.subject_redactions) j)"
            ),
            metrics_sql!(
                "cast((select coalesce(sum(redactions), 0) from tombstones) \
                 + (select coalesce(sum(j.value::bigint), 0) from messages m, jsonb_each_text(m.redactions::jsonb) j) \
                 + (select coalesce(sum(j.value::bigint), 0) from tickets t, jsonb_each_text(t.subject_redactions::jsonb) j) \
                 as bigint)"
            ),
        ))
        .fetch_one(&self.pool)
        .await?;
        let live: i64 = row.try_get("live")?;
        let deleted: i64 = row.try_get("deleted")?;
        let redactions: i64 = row.try_get("redactions")?;
        let last_run: Option<String> = row.try_get("last_run")?;
        let last_purge_tickets = last_run
            .as_deref()
            .and_then(|d| {
                d.split_whitespace()
                    .find_map(|kv| kv.strip_prefix("tickets="))
            })
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        let all = live + deleted;
        Ok(PrivacyMetrics {
            tickets_live: live,
            tickets_held: row.try_get("held")?,
            deleted_total: deleted,
            deleted_on_request: row.try_get("on_request")?,
            purged_retention: row.try_get("retention")?,
            purged_spam: row.try_get("spam")?,
            mean_time_to_delete: row.try_get("ttd")?,
            last_purge_tickets,
            redactions_per_ticket: (all > 0).then(|| redactions as f64 / all as f64),
            outbox_pending: row.try_get("outbox")?,
        })
    }
}
