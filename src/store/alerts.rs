//! Alerts: unusual access raised where it happens, shown to admins and to the queue's
//! owners or members. Alerts carry names and references, never content.

use sqlx::Row;

use super::scope::{AdminScope, AgentScope};
use super::{Store, StoreError, Tx, now_unix};

/// Who is told about an alert besides admins.
#[derive(Debug, Clone, Copy)]
pub(super) enum Audience {
    Admins,
    QueueOwners,
    QueueMembers,
}

impl Audience {
    fn id(self) -> &'static str {
        match self {
            Audience::Admins => "admins",
            Audience::QueueOwners => "queue_owners",
            Audience::QueueMembers => "queue_members",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Alert {
    pub id: i64,
    pub at: i64,
    pub kind: String,
    pub queue: Option<String>,
    pub agent_name: Option<String>,
    pub reference: Option<String>,
    pub detail: String,
    pub acknowledged: bool,
}

/// Raises an alert about `agent_name` (when given). The agent it is about never sees it nor
/// acknowledges it, even as an admin: whoever probed, read in bulk or opened a restricted
/// ticket must not be able to mark their own alert as handled for everyone else.
#[allow(clippy::too_many_arguments)]
pub(super) async fn raise(
    tx: &mut Tx<'_>,
    now: i64,
    kind: &'static str,
    audience: Audience,
    queue_id: Option<i64>,
    agent_name: Option<&str>,
    reference: Option<&str>,
    detail: String,
) -> Result<(), StoreError> {
    sqlx::query(
        "insert into alerts (at, kind, audience, queue_id, agent_name, reference, detail, not_for_agent_id) \
         values ($1, $2, $3, $4, $5, $6, $7, (select id from agents where name = $5))",
    )
    .bind(now)
    .bind(kind)
    .bind(audience.id())
    .bind(queue_id)
    .bind(agent_name)
    .bind(reference)
    .bind(detail)
    .execute(&mut **tx)
    .await?;
    tracing::warn!(kind, agent = agent_name, reference, "alert raised");
    Ok(())
}

/// An alert about what one agent (usually an admin) did: everyone in the audience sees it
/// except that agent, so the one who acted cannot quietly acknowledge it away.
#[allow(clippy::too_many_arguments)]
pub(super) async fn raise_for_others(
    tx: &mut Tx<'_>,
    now: i64,
    kind: &'static str,
    audience: Audience,
    queue_id: Option<i64>,
    agent_name: &str,
    detail: String,
    not_for_agent_id: Option<i64>,
) -> Result<(), StoreError> {
    sqlx::query(
        "insert into alerts (at, kind, audience, queue_id, agent_name, detail, not_for_agent_id) \
         values ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(now)
    .bind(kind)
    .bind(audience.id())
    .bind(queue_id)
    .bind(agent_name)
    .bind(detail)
    .bind(not_for_agent_id)
    .execute(&mut **tx)
    .await?;
    tracing::warn!(kind, agent = agent_name, "alert raised");
    Ok(())
}

impl Store {
    /// Recent alerts, newest first, for the admin dashboard.
    pub async fn admin_alerts(
        &self,
        admin: &AdminScope,
        limit: i64,
    ) -> Result<Vec<Alert>, StoreError> {
        let rows = sqlx::query(
            "select al.id, al.at, al.kind, q.name as queue, al.agent_name, al.reference, al.detail, al.acknowledged \
             from alerts al left join queues q on q.id = al.queue_id \
             where al.not_for_agent_id is null or al.not_for_agent_id <> $2 order by al.id desc limit $1",
        )
        .bind(limit)
        .bind(admin.agent().agent_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(alert_from_row).collect()
    }

    /// Alerts about the queues this agent owns (or is a member of, for member-wide alerts).
    pub async fn agent_alerts(
        &self,
        scope: &AgentScope,
        since: i64,
    ) -> Result<Vec<Alert>, StoreError> {
        let rows = sqlx::query(
            "select al.id, al.at, al.kind, q.name as queue, al.agent_name, al.reference, al.detail, al.acknowledged \
             from alerts al join queues q on q.id = al.queue_id \
             join queue_members m on m.queue_id = al.queue_id and m.agent_id = $1 \
             where al.at >= $2 and (al.audience = 'queue_members' or (al.audience = 'queue_owners' and m.is_owner = 1)) \
             and (al.not_for_agent_id is null or al.not_for_agent_id <> $1) \
             order by al.id desc limit 50",
        )
        .bind(scope.agent_id)
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(alert_from_row).collect()
    }

    /// Marks an alert as handled. An alert about the admin themself answers as not found,
    /// like an unknown one, and the attempt is audited either way.
    pub async fn acknowledge_alert(&self, admin: &AdminScope, id: i64) -> Result<(), StoreError> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "update alerts set acknowledged = 1 where id = $1 \
             and (not_for_agent_id is null or not_for_agent_id <> $2)",
        )
        .bind(id)
        .bind(admin.agent().agent_id)
        .execute(&mut *tx)
        .await?;
        let acknowledged = done.rows_affected() == 1;
        super::audit::append(
            &mut tx,
            &self.audit_key,
            super::AuditEvent {
                actor: &admin.actor(),
                action: if acknowledged {
                    "alert_acknowledged"
                } else {
                    "alert_ack_refused"
                },
                reference: None,
                detail: format!("alert={id}"),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        if acknowledged {
            Ok(())
        } else {
            Err(StoreError::NotFound)
        }
    }
}

fn alert_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<Alert, StoreError> {
    Ok(Alert {
        id: row.try_get("id")?,
        at: row.try_get("at")?,
        kind: row.try_get("kind")?,
        queue: row.try_get("queue")?,
        agent_name: row.try_get("agent_name")?,
        reference: row.try_get("reference")?,
        detail: row.try_get("detail")?,
        acknowledged: row.try_get::<i64, _>("acknowledged")? != 0,
    })
}
