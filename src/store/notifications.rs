//! Notifications inside the desk, worked out from what the desk already records rather than
//! stored one by one: a new ticket in one of the agent's queues, the requester writing on a
//! ticket assigned to them, a ticket assigned to them by someone else, and one of their
//! tickets (assigned to them, or nobody's in their queues) entering the SLA warning window.
//! "Read" is one moment per agent. Only tickets in scope count; nothing here shows content.

use super::engine::{query, query_scalar};
use super::paging::urgency_key;
use super::scope::{AgentScope, in_scope};
use super::{Store, StoreError, now_unix};
use crate::domain::Reference;

/// How far back notifications go, however long ago they were read.
pub const NOTIFICATION_DAYS: i64 = 7;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotificationKind {
    NewTicket,
    RequesterReplied,
    AssignedToMe,
    SlaAtRisk,
}

impl NotificationKind {
    pub fn id(self) -> &'static str {
        match self {
            NotificationKind::NewTicket => "new_ticket",
            NotificationKind::RequesterReplied => "requester_replied",
            NotificationKind::AssignedToMe => "assigned_to_me",
            NotificationKind::SlaAtRisk => "sla_at_risk",
        }
    }

    fn parse(text: &str) -> Option<NotificationKind> {
        [
            NotificationKind::NewTicket,
            NotificationKind::RequesterReplied,
            NotificationKind::AssignedToMe,
            NotificationKind::SlaAtRisk,
        ]
        .into_iter()
        .find(|kind| kind.id() == text)
    }
}

#[derive(Debug, Clone)]
pub struct Notification {
    pub kind: NotificationKind,
    pub reference: Reference,
    pub at: i64,
    /// Newer than the agent's "mark as read".
    pub unread: bool,
}

/// The four sources, each `kind, ticket id, at` since `$2`, up to `$3` (now) with the SLA
/// warning `$4`. Each is a seek on an index: tickets by queue and creation, tickets by
/// assignee then messages by ticket, assignments by agent, tickets by queue and SLA key.
macro_rules! sources {
    () => {
        concat!(
            "select 'new_ticket' as kind, t.id as ticket_id, t.created_at as at \
             from queue_members mq join tickets t on t.queue_id = mq.queue_id \
             where mq.agent_id = $1 and t.created_at > $2 and t.spam = 0 and ",
            in_scope!(),
            " union all \
             select 'requester_replied', t.id, m.created_at from tickets t \
             join messages m on m.ticket_id = t.id \
             where t.assignee_id = $1 and m.author = 'requester' and m.created_at > $2 \
             and m.id > (select min(f.id) from messages f where f.ticket_id = t.id) and t.spam = 0 and ",
            in_scope!(),
            " union all \
             select 'assigned_to_me', t.id, e.at from ticket_events e join tickets t on t.id = e.ticket_id \
             where e.kind = 'assignee' and e.to_value = cast($1 as text) and e.at > $2 \
             and (e.agent_id is null or e.agent_id <> $1) and ",
            in_scope!(),
            " union all \
             select 'sla_at_risk', t.id, ",
            urgency_key!(),
            " - $4 from queue_members mq join tickets t on t.queue_id = mq.queue_id \
             where mq.agent_id = $1 and ",
            urgency_key!(),
            " > $2 + $4 and ",
            urgency_key!(),
            " <= $3 + $4 and (t.assignee_id is null or t.assignee_id = $1) and t.spam = 0 and ",
            in_scope!()
        )
    };
}

impl Store {
    /// How many notifications the agent has not read: one statement, for the navigation.
    pub async fn unread_notifications(
        &self,
        scope: &AgentScope,
        warning: i64,
    ) -> Result<i64, StoreError> {
        let now = now_unix();
        let since = self.read_mark(scope, now).await?;
        Ok(
            query_scalar(concat!("select count(*) from (", sources!(), ") n"))
                .bind(scope.agent_id)
                .bind(since)
                .bind(now)
                .bind(warning)
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// The agent's notifications of the last `NOTIFICATION_DAYS` days, newest first (at most
    /// 200), unread ones marked.
    pub async fn notifications(
        &self,
        scope: &AgentScope,
        warning: i64,
    ) -> Result<Vec<Notification>, StoreError> {
        let now = now_unix();
        let mark = self.read_mark(scope, now).await?;
        let rows = query(concat!(
            "select n.kind, n.at, t.reference from (",
            sources!(),
            ") n join tickets t on t.id = n.ticket_id order by n.at desc, t.id desc limit 200"
        ))
        .bind(scope.agent_id)
        .bind(now - NOTIFICATION_DAYS * 86_400)
        .bind(now)
        .bind(warning)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let at: i64 = row.try_get("at")?;
                Ok(Notification {
                    kind: NotificationKind::parse(&row.try_get::<String, _>("kind")?)
                        .ok_or(StoreError::Corrupt("notification kind"))?,
                    reference: super::tickets::parse_reference(row.try_get("reference")?)?,
                    at,
                    unread: at > mark,
                })
            })
            .collect()
    }

    /// Marks every notification up to now as read.
    pub async fn mark_notifications_read(&self, scope: &AgentScope) -> Result<(), StoreError> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        query(
            "insert into notification_marks (agent_id, read_at) values ($1, $2) \
             on conflict (agent_id) do update set read_at = excluded.read_at",
        )
        .bind(scope.agent_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Since when the agent has unread notifications: their mark, but no further back than
    /// `NOTIFICATION_DAYS`.
    async fn read_mark(&self, scope: &AgentScope, now: i64) -> Result<i64, StoreError> {
        let mark: Option<i64> =
            query_scalar("select read_at from notification_marks where agent_id = $1")
                .bind(scope.agent_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(mark
            .unwrap_or(i64::MIN)
            .max(now - NOTIFICATION_DAYS * 86_400))
    }
}
