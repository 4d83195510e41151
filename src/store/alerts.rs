//! Alerts: unusual access raised where it happens, shown to admins and to the queue's
//! owners or members. Alerts carry names and references, never content.

use super::engine::{Row, query};

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
    /// The particulars as named values (`{"by":"mira","queue":"vip"}`), worded only when
    /// shown, in the reader's language; an alert raised before they were named holds an
    /// English sentence instead.
    pub detail: String,
    pub acknowledged: bool,
}

impl Alert {
    /// The particulars by name, or `None` for an alert that holds a sentence.
    pub fn args(&self) -> Option<Vec<(String, String)>> {
        let serde_json::Value::Object(map) = serde_json::from_str(&self.detail).ok()? else {
            return None;
        };
        Some(
            map.into_iter()
                .map(|(name, value)| match value {
                    serde_json::Value::String(text) => (name, text),
                    other => (name, other.to_string()),
                })
                .collect(),
        )
    }
}

/// An alert's particulars as they are stored: named values, so each reader sees them worded
/// in their own language (see `Alert::args`).
pub(super) fn particulars(pairs: &[(&str, &str)]) -> String {
    let map: serde_json::Map<String, serde_json::Value> = pairs
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).into()))
        .collect();
    serde_json::Value::Object(map).to_string()
}

/// Who may neither see nor acknowledge an alert: the agent it is about and the agent
/// whose action raised it. Whoever probed, read in bulk, opened a restricted ticket or
/// changed who may read what must not be able to mark it as handled for everyone else.
/// `is distinct from` is the null-safe comparison on both engines (SQLite since 3.39): an
/// alert without one of them hides nothing.
///
/// A macro, not a const, so that queries stay `&'static str` through `concat!`.
macro_rules! not_about_or_by_me {
    () => {
        " not_for_agent_id is distinct from $1 and actor_agent_id is distinct from $1 "
    };
}

/// Raises an alert about `agent_name` (when given), hidden from that agent.
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
    raise_caused_by(
        tx, now, kind, audience, queue_id, agent_name, reference, detail, None,
    )
    .await
}

/// Raises an alert about `agent_name` (when given) that the action of `actor_agent_id`
/// caused: hidden from both.
#[allow(clippy::too_many_arguments)]
pub(super) async fn raise_caused_by(
    tx: &mut Tx<'_>,
    now: i64,
    kind: &'static str,
    audience: Audience,
    queue_id: Option<i64>,
    agent_name: Option<&str>,
    reference: Option<&str>,
    detail: String,
    actor_agent_id: Option<i64>,
) -> Result<(), StoreError> {
    insert(
        tx,
        now,
        kind,
        audience,
        queue_id,
        agent_name,
        reference,
        detail,
        actor_agent_id,
        true,
    )
    .await
}

/// The copy of an event, raised to the admins too, that tells a queue's owners or members:
/// admins see every audience, so this copy is left out of their list and they see the event
/// once (before, they saw it once per audience).
#[allow(clippy::too_many_arguments)]
pub(super) async fn raise_queue_copy(
    tx: &mut Tx<'_>,
    now: i64,
    kind: &'static str,
    audience: Audience,
    queue_id: i64,
    agent_name: Option<&str>,
    reference: Option<&str>,
    detail: String,
    actor_agent_id: Option<i64>,
) -> Result<(), StoreError> {
    insert(
        tx,
        now,
        kind,
        audience,
        Some(queue_id),
        agent_name,
        reference,
        detail,
        actor_agent_id,
        false,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn insert(
    tx: &mut Tx<'_>,
    now: i64,
    kind: &'static str,
    audience: Audience,
    queue_id: Option<i64>,
    agent_name: Option<&str>,
    reference: Option<&str>,
    detail: String,
    actor_agent_id: Option<i64>,
    shown_to_admins: bool,
) -> Result<(), StoreError> {
    query(
        "insert into alerts (at, kind, audience, queue_id, agent_name, reference, detail, not_for_agent_id, actor_agent_id, shown_to_admins) \
         values ($1, $2, $3, $4, $5, $6, $7, (select id from agents where name = $5), $8, $9)",
    )
    .bind(now)
    .bind(kind)
    .bind(audience.id())
    .bind(queue_id)
    .bind(agent_name)
    .bind(reference)
    .bind(detail)
    .bind(actor_agent_id)
    .bind(i64::from(shown_to_admins))
    .execute(&mut **tx)
    .await?;
    tracing::warn!(kind, agent = agent_name, reference, "alert raised");
    Ok(())
}

/// An alert about the agent `agent_name` caused by what `actor_agent_id` (usually an admin)
/// did: everyone in the audience sees it except those two.
#[allow(clippy::too_many_arguments)]
pub(super) async fn raise_for_others(
    tx: &mut Tx<'_>,
    now: i64,
    kind: &'static str,
    audience: Audience,
    queue_id: Option<i64>,
    agent_name: &str,
    detail: String,
    actor_agent_id: Option<i64>,
) -> Result<(), StoreError> {
    raise_caused_by(
        tx,
        now,
        kind,
        audience,
        queue_id,
        Some(agent_name),
        None,
        detail,
        actor_agent_id,
    )
    .await
}

/// The admin dashboard's alerts: every unacknowledged one, so a flood of new alerts cannot
/// push an unhandled one out of sight, then the most recent acknowledged ones.
#[derive(Debug, Clone)]
pub struct AdminAlerts {
    pub unacknowledged: Vec<Alert>,
    pub recently_acknowledged: Vec<Alert>,
}

impl Store {
    /// An alert that no agent caused, about what arrived with a submission (a file that
    /// carries malware) or the desk's own trouble taking it (the virus scanner down).
    /// Named values only (the signature's name, a count), never a file's name or content.
    pub async fn raise_intake_alert(
        &self,
        kind: &'static str,
        pairs: &[(&str, &str)],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        raise(
            &mut tx,
            now_unix(),
            kind,
            Audience::Admins,
            None,
            None,
            None,
            particulars(pairs),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// All unacknowledged alerts and the `acknowledged_limit` latest acknowledged ones,
    /// newest first, for the admin dashboard.
    pub async fn admin_alerts(
        &self,
        admin: &AdminScope,
        acknowledged_limit: i64,
    ) -> Result<AdminAlerts, StoreError> {
        let me = admin.agent().agent_id;
        let unacknowledged = query(concat!(
            "select al.id, al.at, al.kind, q.name as queue, al.agent_name, al.reference, al.detail, al.acknowledged \
             from alerts al left join queues q on q.id = al.queue_id \
             where al.acknowledged = 0 and al.shown_to_admins = 1 and",
            not_about_or_by_me!(),
            "order by al.id desc",
        ))
        .bind(me)
        .fetch_all(&self.pool)
        .await?;
        let acknowledged = query(concat!(
            "select al.id, al.at, al.kind, q.name as queue, al.agent_name, al.reference, al.detail, al.acknowledged \
             from alerts al left join queues q on q.id = al.queue_id \
             where al.acknowledged = 1 and al.shown_to_admins = 1 and",
            not_about_or_by_me!(),
            "order by al.id desc limit $2",
        ))
        .bind(me)
        .bind(acknowledged_limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(AdminAlerts {
            unacknowledged: unacknowledged
                .iter()
                .map(alert_from_row)
                .collect::<Result<_, _>>()?,
            recently_acknowledged: acknowledged
                .iter()
                .map(alert_from_row)
                .collect::<Result<_, _>>()?,
        })
    }

    /// Alerts about the queues this agent owns (or is a member of, for member-wide alerts).
    pub async fn agent_alerts(
        &self,
        scope: &AgentScope,
        since: i64,
    ) -> Result<Vec<Alert>, StoreError> {
        let rows = query(concat!(
            "select al.id, al.at, al.kind, q.name as queue, al.agent_name, al.reference, al.detail, al.acknowledged \
             from alerts al join queues q on q.id = al.queue_id \
             join queue_members m on m.queue_id = al.queue_id and m.agent_id = $1 \
             where al.at >= $2 and (al.audience = 'queue_members' or (al.audience = 'queue_owners' and m.is_owner = 1)) \
             and",
            not_about_or_by_me!(),
            "order by al.id desc limit 50",
        ))
        .bind(scope.agent_id)
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(alert_from_row).collect()
    }

    /// Marks an alert as handled. An alert about the admin or caused by them answers as not found,
    /// like an unknown one, and the attempt is audited either way.
    pub async fn acknowledge_alert(&self, admin: &AdminScope, id: i64) -> Result<(), StoreError> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        let done = query(concat!(
            "update alerts set acknowledged = 1 where id = $2 and",
            not_about_or_by_me!(),
        ))
        .bind(admin.agent().agent_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let acknowledged = done.rows_affected() == 1;
        super::audit::append(
            &mut tx,
            &self.audit_key,
            super::audit::AuditEvent {
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

fn alert_from_row(row: &Row) -> Result<Alert, StoreError> {
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
