//! What an agent's day on one ticket needs beside the conversation: the change history shown
//! in its timeline, who else has it open or wrote since the page was loaded, moving it to
//! another of the agent's queues, and the agents a list can be narrowed to. The history
//! holds only ids and enum values, and the redacted reason of a move.

use std::collections::HashMap;

use super::{Located, audit_change, locate};
use crate::domain::{Name, Priority, Status, Tier};
use crate::redact::Redacted;
use crate::store::engine::{query, query_scalar};
use crate::store::error::Conflict;
use crate::store::scope::AgentScope;
use crate::store::{Store, StoreError, Tx, now_unix};

/// What changed in a ticket's history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    Status,
    Priority,
    Assignee,
    Queue,
    Tier,
}

impl EventKind {
    fn id(self) -> &'static str {
        match self {
            EventKind::Status => "status",
            EventKind::Priority => "priority",
            EventKind::Assignee => "assignee",
            EventKind::Queue => "queue",
            EventKind::Tier => "tier",
        }
    }

    fn parse(text: &str) -> Option<EventKind> {
        [
            EventKind::Status,
            EventKind::Priority,
            EventKind::Assignee,
            EventKind::Queue,
            EventKind::Tier,
        ]
        .into_iter()
        .find(|kind| kind.id() == text)
    }
}

/// One change in a ticket's timeline, its ids resolved to what people read.
#[derive(Debug, Clone)]
pub enum TicketChange {
    Status {
        from: Status,
        to: Status,
    },
    Priority {
        from: Priority,
        to: Priority,
    },
    /// `None` is nobody.
    Assignee {
        from: Option<String>,
        to: Option<String>,
    },
    Queue {
        from: String,
        to: String,
        reason: String,
    },
    Tier {
        from: Tier,
        to: Tier,
    },
}

#[derive(Debug, Clone)]
pub struct TicketEvent {
    pub change: TicketChange,
    /// Who made the change; `None` when the agent is gone.
    pub agent_name: Option<String>,
    pub at: i64,
}

/// A value as stored in the history: an enum id, a tier number, or a row id as text.
pub(super) trait EventValue {
    fn event_value(&self) -> String;
}

impl EventValue for Status {
    fn event_value(&self) -> String {
        self.id().to_owned()
    }
}
impl EventValue for Priority {
    fn event_value(&self) -> String {
        self.id().to_owned()
    }
}
impl EventValue for Tier {
    fn event_value(&self) -> String {
        self.get().to_string()
    }
}
impl EventValue for i64 {
    fn event_value(&self) -> String {
        self.to_string()
    }
}

/// Appends one change to a ticket's history, inside the transaction that makes it.
#[allow(clippy::too_many_arguments)]
pub(super) async fn record_change<V: EventValue>(
    tx: &mut Tx<'_>,
    ticket_id: i64,
    agent_id: i64,
    kind: EventKind,
    from: Option<&V>,
    to: Option<&V>,
    reason: Option<&Redacted<String>>,
    now: i64,
) -> Result<(), StoreError> {
    query(
        "insert into ticket_events (ticket_id, agent_id, kind, from_value, to_value, reason, at) \
         values ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(ticket_id)
    .bind(agent_id)
    .bind(kind.id())
    .bind(from.map(EventValue::event_value))
    .bind(to.map(EventValue::event_value))
    .bind(reason.map(|r| r.as_str()))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A ticket's history, oldest first, with agent and queue ids read as names.
pub(super) async fn ticket_events(
    read: &mut Tx<'_>,
    ticket_id: i64,
) -> Result<Vec<TicketEvent>, StoreError> {
    let rows = query(
        "select e.kind, e.from_value, e.to_value, e.reason, e.at, a.name as agent_name \
         from ticket_events e left join agents a on a.id = e.agent_id \
         where e.ticket_id = $1 order by e.id",
    )
    .bind(ticket_id)
    .fetch_all(&mut **read)
    .await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    // Agents and queues are few: their names are read whole rather than joined per column.
    let mut names: HashMap<(bool, String), String> = HashMap::new();
    for row in query("select id, name from agents")
        .fetch_all(&mut **read)
        .await?
    {
        let id: i64 = row.try_get("id")?;
        names.insert((true, id.to_string()), row.try_get("name")?);
    }
    for row in query("select id, name from queues")
        .fetch_all(&mut **read)
        .await?
    {
        let id: i64 = row.try_get("id")?;
        names.insert((false, id.to_string()), row.try_get("name")?);
    }
    let corrupt = || StoreError::Corrupt("ticket event");
    let mut events = Vec::with_capacity(rows.len());
    for row in &rows {
        let kind = EventKind::parse(&row.try_get::<String, _>("kind")?).ok_or_else(corrupt)?;
        let from: Option<String> = row.try_get("from_value")?;
        let to: Option<String> = row.try_get("to_value")?;
        let agent = |value: Option<String>| {
            value.map(|id| {
                names
                    .get(&(true, id))
                    .cloned()
                    .unwrap_or_else(|| "?".into())
            })
        };
        let queue = |value: Option<String>| {
            value
                .and_then(|id| names.get(&(false, id)).cloned())
                .unwrap_or_else(|| "?".into())
        };
        let tier = |value: Option<String>| {
            value
                .and_then(|n| n.parse().ok())
                .and_then(Tier::new)
                .ok_or_else(corrupt)
        };
        let change = match kind {
            EventKind::Status => TicketChange::Status {
                from: from.and_then(|s| s.parse().ok()).ok_or_else(corrupt)?,
                to: to.and_then(|s| s.parse().ok()).ok_or_else(corrupt)?,
            },
            EventKind::Priority => TicketChange::Priority {
                from: from.and_then(|s| s.parse().ok()).ok_or_else(corrupt)?,
                to: to.and_then(|s| s.parse().ok()).ok_or_else(corrupt)?,
            },
            EventKind::Assignee => TicketChange::Assignee {
                from: agent(from),
                to: agent(to),
            },
            EventKind::Queue => TicketChange::Queue {
                from: queue(from),
                to: queue(to),
                reason: row
                    .try_get::<Option<String>, _>("reason")?
                    .unwrap_or_default(),
            },
            EventKind::Tier => TicketChange::Tier {
                from: tier(from)?,
                to: tier(to)?,
            },
        };
        events.push(TicketEvent {
            change,
            agent_name: row.try_get("agent_name")?,
            at: row.try_get("at")?,
        });
    }
    Ok(events)
}

/// Other agents who opened a ticket since `since`, by name.
pub(super) async fn other_openers(
    read: &mut Tx<'_>,
    scope: &AgentScope,
    ticket_id: i64,
    since: i64,
) -> Result<Vec<String>, StoreError> {
    Ok(query_scalar(
        "select a.name from ticket_openings o join agents a on a.id = o.agent_id \
         where o.ticket_id = $1 and o.agent_id <> $2 and o.at > $3 order by a.name",
    )
    .bind(ticket_id)
    .bind(scope.agent_id)
    .bind(since)
    .fetch_all(&mut **read)
    .await?)
}

/// Notes that an agent opened a ticket now (overwriting the last time).
pub(super) async fn record_opening(
    tx: &mut Tx<'_>,
    agent_id: i64,
    ticket_id: i64,
    now: i64,
) -> Result<(), StoreError> {
    query(
        "insert into ticket_openings (ticket_id, agent_id, at) values ($1, $2, $3) \
         on conflict (ticket_id, agent_id) do update set at = excluded.at",
    )
    .bind(ticket_id)
    .bind(agent_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// What was written on a ticket by someone else since the page showing message `seen` was
/// loaded: replies or notes by another agent, or the requester.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewerMessages {
    /// Names of agents who wrote since.
    pub agents: Vec<String>,
    /// The requester wrote since.
    pub requester: bool,
}

impl NewerMessages {
    pub fn any(&self) -> bool {
        self.requester || !self.agents.is_empty()
    }
}

impl Store {
    /// Messages added to a ticket in scope after message id `seen` by anyone but this agent.
    pub async fn newer_messages(
        &self,
        scope: &AgentScope,
        reference: &str,
        seen: i64,
    ) -> Result<NewerMessages, StoreError> {
        let rows = query(concat!(
            "select m.author, a.name as agent_name from messages m join tickets t on t.id = m.ticket_id \
             left join agents a on a.id = m.agent_id \
             where t.reference = $2 and m.id > $3 and (m.agent_id is null or m.agent_id <> $1) and ",
            crate::store::scope::in_scope!()
        ))
        .bind(scope.agent_id)
        .bind(reference)
        .bind(seen)
        .fetch_all(&self.pool)
        .await?;
        let mut newer = NewerMessages::default();
        for row in &rows {
            match row.try_get::<Option<String>, _>("agent_name")? {
                Some(name) if !newer.agents.contains(&name) => newer.agents.push(name),
                Some(_) => {}
                None => newer.requester |= row.try_get::<String, _>("author")? == "requester",
            }
        }
        Ok(newer)
    }

    /// Moves a ticket to another queue the agent is a member of, with a redacted reason kept
    /// in the ticket's history. The assignee stays only if they may work in the new queue.
    pub async fn move_to_queue(
        &self,
        scope: &AgentScope,
        reference: &str,
        queue: &Name,
        reason: &Redacted<String>,
    ) -> Result<(), StoreError> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        let ticket = locate(&mut tx, scope, reference).await?;
        move_located(&mut tx, self, scope, reference, &ticket, queue, reason, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Those of `references` that are not tickets the agent may change (unknown or out of
    /// scope alike).
    pub async fn not_in_scope<'r>(
        &self,
        scope: &AgentScope,
        references: &[&'r str],
    ) -> Result<Vec<&'r str>, StoreError> {
        let mut missing = Vec::new();
        for reference in references {
            let hit: Option<i64> = query_scalar(concat!(
                "select t.id from tickets t where t.reference = $2 and ",
                crate::store::scope::in_scope!()
            ))
            .bind(scope.agent_id)
            .bind(*reference)
            .fetch_optional(&self.pool)
            .await?;
            if hit.is_none() && !missing.contains(reference) {
                missing.push(*reference);
            }
        }
        Ok(missing)
    }

    /// Agents who may work in any of this agent's queues: the choices of the list's
    /// assignee filter and of bulk assignment.
    pub async fn colleagues(&self, scope: &AgentScope) -> Result<Vec<String>, StoreError> {
        Ok(query_scalar(
            "select distinct a.name from queue_members mine \
             join queue_members theirs on theirs.queue_id = mine.queue_id \
             join agents a on a.id = theirs.agent_id \
             where mine.agent_id = $1 and a.disabled = 0 order by a.name",
        )
        .bind(scope.agent_id)
        .fetch_all(&self.pool)
        .await?)
    }
}

/// Moves a located ticket (see `Store::move_to_queue`), inside the caller's transaction.
#[allow(clippy::too_many_arguments)]
pub(super) async fn move_located(
    tx: &mut Tx<'_>,
    store: &Store,
    scope: &AgentScope,
    reference: &str,
    ticket: &Located,
    queue: &Name,
    reason: &Redacted<String>,
    now: i64,
) -> Result<(), StoreError> {
    if ticket.spam {
        return Err(StoreError::Conflict(Conflict::MarkedSpam));
    }
    // Only a queue the agent is a member of: moving is within scope, never out of it.
    let target: i64 = query_scalar(
        "select q.id from queues q join queue_members m on m.queue_id = q.id \
         where q.name = $1 and m.agent_id = $2",
    )
    .bind(queue.as_str())
    .bind(scope.agent_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(StoreError::Conflict(Conflict::Queue))?;
    if target == ticket.queue_id {
        return Err(StoreError::Conflict(Conflict::Queue));
    }
    // The audit entry names both queues as they are called now: an id says nothing to
    // whoever reads the log, and a queue renamed later must not change what was recorded.
    let from: String = query_scalar("select name from queues where id = $1")
        .bind(ticket.queue_id)
        .fetch_one(&mut **tx)
        .await?;
    query(
        "update tickets set queue_id = $2, updated_at = $3, \
         assignee_id = case when exists (select 1 from queue_members m join agents a on a.id = m.agent_id \
             where m.queue_id = $2 and m.agent_id = tickets.assignee_id and a.tier >= tickets.tier) \
             then assignee_id else null end \
         where id = $1",
    )
    .bind(ticket.id)
    .bind(target)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    record_change(
        tx,
        ticket.id,
        scope.agent_id,
        EventKind::Queue,
        Some(&ticket.queue_id),
        Some(&target),
        Some(reason),
        now,
    )
    .await?;
    audit_change(
        tx,
        store,
        scope,
        "move",
        reference,
        format!("from={from} to={queue}"),
        now,
    )
    .await
}
