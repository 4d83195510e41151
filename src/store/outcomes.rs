//! What the support lead's figures are read from: live tickets' own timestamps, the outcome
//! row a purge leaves of each ticket (no reference, no content, no person), the open
//! backlog, and the security events the audit log and alerts record.

use super::engine::{Conn, query};
use super::retention::DeleteReason;
use super::{Store, StoreError, Tx};
use crate::domain::metrics::{Outcome, day_of, sla_verdict};

/// Security events over a period.
#[derive(Debug, Clone, Default)]
pub struct SecurityCounts {
    pub break_glass: i64,
    /// Lookups of references that were unknown or out of the agent's scope.
    pub failed_lookups: i64,
    /// Alerts raised, by kind, each event once.
    pub alerts: Vec<(String, i64)>,
}

/// The columns a live ticket's outcome is worked out from; the same for the metrics and for
/// the outcome row its purge writes, so the figures do not move when a ticket goes.
macro_rules! live_columns {
    () => {
        "select coalesce(q.name, '') as queue, t.priority, t.category, t.created_at, \
     t.first_response_at, t.first_response_due, t.status, t.closed_at, t.reopen_count, \
     (select count(*) from messages a where a.ticket_id = t.id and a.author = 'agent' and a.internal = 0) as agent_replies, \
     (select count(*) from messages r where r.ticket_id = t.id and r.author = 'requester' and r.id > \
        (select min(a.id) from messages a where a.ticket_id = t.id and a.author = 'agent' and a.internal = 0)) as followups \
     from tickets t left join queues q on q.id = t.queue_id "
    };
}

fn live_outcome(row: &super::engine::Row, now: i64) -> Result<Outcome, StoreError> {
    let created_at: i64 = row.try_get("created_at")?;
    let first_response_at: Option<i64> = row.try_get("first_response_at")?;
    let status: String = row.try_get("status")?;
    let closed_at: Option<i64> = row.try_get("closed_at")?;
    let finished = matches!(status.as_str(), "resolved" | "closed");
    let resolution_seconds = closed_at
        .filter(|_| finished)
        .map(|at| (at - created_at).max(0));
    let reopened: i64 = row.try_get("reopen_count")?;
    let agent_replies: i64 = row.try_get("agent_replies")?;
    let followups: i64 = row.try_get("followups")?;
    Ok(Outcome {
        queue: row.try_get("queue")?,
        priority: row.try_get("priority")?,
        category: row.try_get("category")?,
        filed_day: day_of(created_at),
        first_response_seconds: first_response_at.map(|at| (at - created_at).max(0)),
        resolution_seconds,
        sla_met: sla_verdict(first_response_at, row.try_get("first_response_due")?, now),
        reopened,
        fcr: finished && reopened == 0 && agent_replies == 1 && followups == 0,
    })
}

/// Writes the outcome of a ticket about to be deleted, in the deletion's transaction.
/// Spam leaves one too, marked by its reason, so the deletion counts agree; the figures
/// leave it out.
pub(super) async fn record_in(
    tx: &mut Tx<'_>,
    ticket_id: i64,
    reason: DeleteReason,
    now: i64,
) -> Result<(), StoreError> {
    let Some(row) = query(concat!(live_columns!(), "where t.id = $1"))
        .bind(ticket_id)
        .fetch_optional(&mut **tx)
        .await?
    else {
        return Ok(());
    };
    let o = live_outcome(&row, now)?;
    query(
        "insert into ticket_outcomes (queue, priority, category, filed_day, first_response_seconds, \
         resolution_seconds, sla_met, reopened, fcr, deleted_reason) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(o.queue)
    .bind(o.priority)
    .bind(o.category)
    .bind(o.filed_day)
    .bind(o.first_response_seconds)
    .bind(o.resolution_seconds)
    .bind(o.sla_met.map(i64::from))
    .bind(o.reopened)
    .bind(i64::from(o.fcr))
    .bind(reason.id())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// The outcomes of tickets filed on days `from_day` (a UTC midnight) up to, not
    /// including, `until_day`: live ones as seen at `now`, purged ones as they were left.
    /// Spam is left out of both.
    pub async fn outcomes(
        &self,
        from_day: i64,
        until_day: i64,
        now: i64,
    ) -> Result<Vec<Outcome>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let live = query(concat!(
            live_columns!(),
            "where t.spam = 0 and t.created_at >= $1 and t.created_at < $2"
        ))
        .bind(from_day)
        .bind(until_day)
        .fetch_all(&mut *conn)
        .await?;
        let mut outcomes = live
            .iter()
            .map(|row| live_outcome(row, now))
            .collect::<Result<Vec<_>, _>>()?;
        purged(&mut conn, from_day, until_day, &mut outcomes).await?;
        Ok(outcomes)
    }

    /// The open backlog: each unfinished ticket's queue and filing time.
    pub async fn backlog(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let rows = query(
            "select coalesce(q.name, '') as queue, t.created_at from tickets t \
             left join queues q on q.id = t.queue_id \
             where t.spam = 0 and t.status not in ('resolved', 'closed')",
        )
        .fetch_all(&mut *conn)
        .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("queue")?, row.try_get("created_at")?)))
            .collect()
    }

    /// Break-glass uses, failed reference lookups and alerts between `from` and `until`.
    pub async fn security_counts(
        &self,
        from: i64,
        until: i64,
    ) -> Result<SecurityCounts, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let row = query(
            "select \
               (select count(*) from audit_log where action = 'break_glass' and at >= $1 and at < $2) as break_glass, \
               (select count(*) from audit_log where action = 'lookup_failed' and at >= $1 and at < $2) as failed",
        )
        .bind(from)
        .bind(until)
        .fetch_one(&mut *conn)
        .await?;
        let alerts = query(
            "select kind, count(*) as n from alerts where shown_to_admins = 1 and at >= $1 and at < $2 \
             group by kind order by kind",
        )
        .bind(from)
        .bind(until)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("kind")?, r.try_get("n")?)))
        .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(SecurityCounts {
            break_glass: row.try_get("break_glass")?,
            failed_lookups: row.try_get("failed")?,
            alerts,
        })
    }
}

async fn purged(
    conn: &mut Conn,
    from_day: i64,
    until_day: i64,
    out: &mut Vec<Outcome>,
) -> Result<(), StoreError> {
    let rows = query(
        "select queue, priority, category, filed_day, first_response_seconds, resolution_seconds, \
         sla_met, reopened, fcr from ticket_outcomes \
         where deleted_reason <> 'spam' and filed_day >= $1 and filed_day < $2",
    )
    .bind(from_day)
    .bind(until_day)
    .fetch_all(&mut **conn)
    .await?;
    for row in &rows {
        let sla_met: Option<i64> = row.try_get("sla_met")?;
        let fcr: i64 = row.try_get("fcr")?;
        out.push(Outcome {
            queue: row.try_get("queue")?,
            priority: row.try_get("priority")?,
            category: row.try_get("category")?,
            filed_day: row.try_get("filed_day")?,
            first_response_seconds: row.try_get("first_response_seconds")?,
            resolution_seconds: row.try_get("resolution_seconds")?,
            sla_met: sla_met.map(|m| m != 0),
            reopened: row.try_get("reopened")?,
            fcr: fcr != 0,
        });
    }
    Ok(())
}
