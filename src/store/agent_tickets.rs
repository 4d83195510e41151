//! Tickets as agents see and work them. Every function takes an `AgentScope` and repeats
//! the scope inside its SQL; what is out of scope is `NotFound`, exactly like what does
//! not exist. Every change appends its audit entry in the same transaction; reads hand theirs
//! to the store's audit writer and return only once it is committed.

mod downloads;
mod list_plans;
mod work;

use work::{EventKind, other_openers, record_change, record_opening, ticket_events};
pub use work::{NewerMessages, TicketChange, TicketEvent};

use super::engine::{Row, Sql, query, query_scalar};

use super::alerts::{Audience, particulars, raise, raise_queue_copy};
use super::audit::{ReadRecord, log_event, lookup_digest};
use super::error::Conflict;
use super::paging::{ListCursor, ListOrder, ListTotal, TicketPage};
use super::scope::{AgentScope, in_scope, in_scope_or_break_glass};
use super::terms::{Terms, insert_terms};
use super::tickets::{insert_mask_slots, parse_counts, parse_reference, read_mask_slots};
use super::{Store, StoreError, Tx, now_unix};
use crate::domain::search::SearchQuery;
use crate::domain::{Name, Priority, Reference, Role, Status, Tier};
use crate::redact::{MaskSlot, Redacted, RedactionCounts};
use list_plans::{Plan, count_matches, page_rows, plan_search};

/// Which tickets a list shows.
#[derive(Debug, Clone)]
pub struct ListFilter {
    pub queue: Option<Name>,
    pub status: StatusFilter,
    /// Text to look for in subjects and messages (which hold redacted text only).
    pub query: Option<String>,
    pub priority: Option<Priority>,
    pub tier: Option<Tier>,
    pub assignee: AssigneeFilter,
    /// Only tickets whose SLA is breached or due by this time (the "SLA at risk" view).
    pub due_by: Option<i64>,
    pub order: ListOrder,
    /// Where the previous page ended; `None` for the first page.
    pub after: Option<ListCursor>,
    /// Rows per page (clamped to 1–500).
    pub limit: i64,
}

impl ListFilter {
    /// Where the first page starts: the order's start, or in priority order with a priority
    /// filter, just before that priority's tickets, so the walk seeks straight to them.
    fn start(&self) -> ListCursor {
        match (self.order, self.priority) {
            (ListOrder::Priority, Some(priority)) => {
                ListCursor::just_before(ListOrder::Priority, priority.index() as i64 + 1)
            }
            _ => self.order.start(),
        }
    }
}

/// Whose tickets a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum AssigneeFilter {
    #[default]
    Anyone,
    /// Tickets nobody is assigned to.
    Nobody,
    /// Tickets assigned to this agent (the viewer's own name for "mine").
    Agent(Name),
}

impl AssigneeFilter {
    /// `$13` of the list statements.
    fn sql_mode(&self) -> &'static str {
        match self {
            AssigneeFilter::Anyone => "any",
            AssigneeFilter::Nobody => "nobody",
            AssigneeFilter::Agent(_) => "agent",
        }
    }

    /// `$14` of the list statements.
    fn sql_name(&self) -> Option<&str> {
        match self {
            AssigneeFilter::Agent(name) => Some(name.as_str()),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    /// Everything not resolved or closed.
    Active,
    /// Everything except tickets marked as spam.
    All,
    Only(Status),
    /// Tickets marked as spam, awaiting confirmation or confirmed: the only list that
    /// shows them, so a mark hides a ticket from ordinary work but not from review.
    Spam,
}

impl StatusFilter {
    fn sql_value(self) -> &'static str {
        match self {
            StatusFilter::Active => "active",
            StatusFilter::All => "all",
            StatusFilter::Only(status) => status.id(),
            StatusFilter::Spam => "spam",
        }
    }
}

/// One row of a ticket list.
#[derive(Debug, Clone)]
pub struct TicketSummary {
    pub reference: Reference,
    pub queue: String,
    pub tier: Tier,
    pub status: Status,
    pub priority: Priority,
    pub subject: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub first_response_at: Option<i64>,
    pub first_response_due: Option<i64>,
    pub resolution_due: Option<i64>,
    pub sla_breaches: i64,
    pub assignee: Option<String>,
}

/// A ticket with its whole conversation, internal notes included.
#[derive(Debug, Clone)]
pub struct AgentTicketView {
    pub summary: TicketSummary,
    pub category: String,
    pub reopen_count: i64,
    /// The requester's rating, its comment masked like the conversation.
    pub rating: super::RatingState,
    pub queue_restricted: bool,
    /// Opened through a break-glass exception rather than a membership.
    pub via_break_glass: bool,
    pub messages: Vec<AgentMessage>,
    /// Agents who could take this ticket (members of its queue at its tier or above).
    pub assignable: Vec<String>,
    /// Canned responses of the ticket's queue: (id, title).
    pub canned: Vec<(i64, String)>,
    /// Set when the ticket was closed as spam.
    pub spam: Option<SpamMark>,
    /// The viewer owns the ticket's queue (and so may restore a ticket marked as spam).
    pub viewer_owns_queue: bool,
    /// Status, priority, assignment, queue and tier changes, oldest first.
    pub events: Vec<TicketEvent>,
    /// Other agents who opened the ticket within the collision window.
    pub others_viewing: Vec<String>,
    /// The newest message's id (0 for none): what a form on this page has seen.
    pub last_message_id: i64,
    /// The viewer's other queues, where the ticket may be moved.
    pub move_targets: Vec<String>,
    /// What the requester proved they control, oldest first.
    pub proofs: Vec<super::ProofRecord>,
    /// Challenges still waiting for the requester's signature.
    pub open_challenges: Vec<super::ProofChallenge>,
}

/// Who closed a ticket as spam and who confirmed it. Until a second agent confirms, the
/// normal retention applies.
#[derive(Debug, Clone)]
pub struct SpamMark {
    /// `None` for tickets marked before marks were attributed.
    pub marked_by: Option<String>,
    pub confirmed_by: Option<String>,
}

#[derive(Debug, Clone)]
pub struct AgentMessage {
    /// `requester` or `agent`.
    pub author: String,
    /// The agent who wrote it; `None` for the requester and for automatic notices.
    pub agent_name: Option<String>,
    pub(super) id: i64,
    pub attachments: Vec<AttachmentInfo>,
    /// What happened, for messages that record an event ("Escalated L1 → L2").
    pub event: Option<String>,
    pub body: String,
    pub internal: bool,
    pub encrypted: bool,
    /// `verified`, `unverified` or `none`.
    pub signature: String,
    pub redactions: RedactionCounts,
    pub created_at: i64,
}

impl AgentMessage {
    /// The message's id, which names it to the knowledge base's ticket-to-draft step.
    pub fn message_id(&self) -> i64 {
        self.id
    }
}

/// An attachment as agents see it: text ones (redacted) can be read; sealed ones only
/// named, because their bytes are shown to nobody.
#[derive(Debug, Clone)]
pub struct AttachmentInfo {
    /// What a download link names (sealed ones only can be downloaded).
    pub id: i64,
    pub name: String,
    pub media_type: String,
    pub size: i64,
    pub text: Option<String>,
}

/// Where a ticket stands after an escalation.
#[derive(Debug, Clone, Copy)]
pub struct EscalationOutcome {
    pub tier: Tier,
    /// False when the ticket rose above the escalating agent's tier.
    pub still_in_scope: bool,
}

/// The per-priority SLA targets in seconds, from the configuration.
#[derive(Debug, Clone, Copy)]
pub struct SlaTargets {
    pub first_response: [i64; 4],
    pub resolution: [i64; 4],
    /// How long before a target is due a ticket counts as at risk.
    pub warning: i64,
}

/// How recently another agent must have opened a ticket for its page to warn of a collision.
pub const COLLISION_WINDOW_SECONDS: i64 = 10 * 60;

/// Thresholds for access alerts, from the configuration.
#[derive(Debug, Clone, Copy)]
pub struct AccessWatch {
    /// Distinct tickets an agent may be shown in an hour (opened, or as rows of lists and
    /// searches) before admins are alerted.
    pub hourly_view_threshold: i64,
    /// Distinct references an agent may ask for in vain in an hour before admins are alerted.
    pub probe_alert_threshold: i64,
    /// Attachments an agent may download in an hour before admins are alerted.
    pub hourly_download_threshold: i64,
}

/// What an agent tried to do with a ticket reference; recorded when the ticket was not
/// found, so the log tells a mistyped link from a sweep of guesses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketOp {
    View,
    Reply,
    Status,
    Priority,
    Assign,
    Escalate,
    Deescalate,
    Spam,
    ConfirmSpam,
    RestoreSpam,
    BreakGlass,
    Move,
    /// Asking the requester for a proof of ownership.
    ProofRequest,
    DownloadLink,
}

impl TicketOp {
    fn id(self) -> &'static str {
        match self {
            TicketOp::View => "view",
            TicketOp::Reply => "reply",
            TicketOp::Status => "status",
            TicketOp::Priority => "priority",
            TicketOp::Assign => "assign",
            TicketOp::Escalate => "escalate",
            TicketOp::Deescalate => "deescalate",
            TicketOp::Spam => "spam",
            TicketOp::ConfirmSpam => "spam_confirm",
            TicketOp::RestoreSpam => "spam_restore",
            TicketOp::BreakGlass => "break_glass",
            TicketOp::Move => "move",
            TicketOp::ProofRequest => "proof_request",
            TicketOp::DownloadLink => "download_link",
        }
    }
}

/// A ticket located for a change, under the caller's scope.
pub(super) struct Located {
    pub(super) id: i64,
    tier: Tier,
    status: Status,
    queue_id: i64,
    priority: Priority,
    assignee_id: Option<i64>,
    /// Marked as spam: its status is left alone until a queue owner restores it.
    spam: bool,
}

impl Store {
    /// Tickets in scope, newest activity first. Searching is audited as a search, listing
    /// as a list; neither records what was searched for.
    ///
    /// Every row shown counts as a ticket seen for the hourly-volume alert, exactly like
    /// opening it: subjects are content too, and paging through lists is a bulk lookup. Rows
    /// of a restricted queue the agent does not own alert its owners, as opening would.
    pub async fn agent_tickets(
        &self,
        scope: &AgentScope,
        filter: &ListFilter,
        watch: AccessWatch,
    ) -> Result<TicketPage, StoreError> {
        let now = now_unix();
        // The search box's text becomes term ranges here, in memory; neither it nor the
        // ranges are stored or logged. A search without a word in it (`%`, punctuation, a NUL)
        // looks for nothing and finds nothing.
        let searching = filter
            .query
            .as_deref()
            .is_some_and(|q| !q.trim().is_empty());
        let search = filter.query.as_deref().and_then(SearchQuery::parse);
        let limit = filter.limit.clamp(1, 500);
        // A position in another order is no position in this one: start from the top.
        let from = filter
            .after
            .filter(|cursor| cursor.order() == filter.order)
            .unwrap_or(filter.start());
        // The list is read from a snapshot without the write lock (a search can take a while);
        // its record then goes to the audit writer, which commits it before anything returns.
        let mut read = self.begin_read().await?;
        let plan = match &search {
            Some(search) => plan_search(&mut read, scope, filter, search, limit).await?,
            None if searching => Plan::Nothing,
            None => Plan::List,
        };
        // One row more than the page shows says whether another page follows.
        let mut rows = page_rows(&mut read, scope, filter, &plan, from, limit + 1).await?;
        let next = if rows.len() as i64 > limit {
            rows.truncate(limit as usize);
            rows.last()
                .map(|row| -> Result<ListCursor, StoreError> {
                    Ok(ListCursor {
                        order: filter.order,
                        key: row.try_get("order_key")?,
                        id: row.try_get("id")?,
                    })
                })
                .transpose()?
        } else {
            None
        };
        // How many match in all, counted no further than the limit whatever the desk's size;
        // a first page that holds every match is its own count.
        let counted: i64 = if filter.after.is_none() && next.is_none() {
            rows.len() as i64
        } else {
            count_matches(&mut read, scope, filter, &plan).await?
        };
        drop(read);
        let tickets = rows
            .iter()
            .map(summary_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        let shown = rows
            .iter()
            .map(|row| row.try_get::<i64, _>("id"))
            .collect::<Result<Vec<_>, _>>()?;
        let action = if searching { "search" } else { "list" };
        let mut detail = format!("results={}", tickets.len());
        if let Some(queue) = &filter.queue {
            detail.push_str(&format!(" queue={queue}"));
        }
        let restricted = RestrictedShown::Listed {
            action,
            queues: restricted_queues_shown(&rows)?,
        };
        self.group_commit
            .record_read(ReadRecord {
                actor: scope.actor(),
                action,
                reference: None,
                detail,
                at: now,
                watch: ReadWatch {
                    scope: scope.clone(),
                    thresholds: watch,
                    shown,
                    restricted,
                    opened: None,
                },
            })
            .await?;
        Ok(TicketPage {
            tickets,
            next,
            total: ListTotal::from_count(counted),
        })
    }

    /// One ticket with its conversation. Audited as a view; raises the hourly-volume and
    /// restricted-queue alerts.
    pub async fn agent_ticket(
        &self,
        scope: &AgentScope,
        reference: &str,
        watch: AccessWatch,
    ) -> Result<AgentTicketView, StoreError> {
        let now = now_unix();
        // Read from a snapshot without the write lock, then have the audit writer commit the
        // view and its alerts, before anything is returned.
        let mut read = self.begin_read().await?;
        let row = query(concat!(
            "select t.id, t.reference, q.name as queue, q.restricted, t.queue_id, t.tier, t.status, t.priority, \
             t.category, t.subject, t.created_at, t.updated_at, t.first_response_at, t.first_response_due, \
             t.resolution_due, t.sla_breaches, t.reopen_count, ag.name as assignee, \
             t.rating_answer, t.rating, t.rating_comment, ",
            in_scope!(),
            " as regular, \
             (select is_owner from queue_members o where o.queue_id = t.queue_id and o.agent_id = $1) as owner, \
             t.spam, sm.name as spam_marked_by, sc.name as spam_confirmed_by \
             from tickets t join queues q on q.id = t.queue_id left join agents ag on ag.id = t.assignee_id \
             left join agents sm on sm.id = t.spam_marked_by left join agents sc on sc.id = t.spam_confirmed_by \
             where t.reference = $3 and ",
            in_scope_or_break_glass!()
        ))
        .bind(scope.agent_id)
        .bind(now)
        .bind(reference)
        .fetch_optional(&mut *read)
        .await?
        .ok_or(StoreError::NotFound)?;
        let ticket_id: i64 = row.try_get("id")?;
        let queue_id: i64 = row.try_get("queue_id")?;
        let summary = summary_from_row(&row)?;
        let via_break_glass = !row.try_get::<bool, _>("regular")?;
        let queue_restricted = row.try_get::<i64, _>("restricted")? != 0;
        let is_owner = row.try_get::<Option<i64>, _>("owner")?.unwrap_or(0) != 0;
        let spam = if row.try_get::<i64, _>("spam")? != 0 {
            Some(SpamMark {
                marked_by: row.try_get("spam_marked_by")?,
                confirmed_by: row.try_get("spam_confirmed_by")?,
            })
        } else {
            None
        };

        let messages = query(
            "select m.id, m.author, m.body, m.internal, m.encrypted, m.signature, m.redactions, m.created_at, \
             m.event, a.name as agent_name from messages m left join agents a on a.id = m.agent_id \
             where m.ticket_id = $1 order by m.id",
        )
        .bind(ticket_id)
        .fetch_all(&mut *read)
        .await?
        .iter()
        .map(|row| {
            Ok(AgentMessage {
                author: row.try_get("author")?,
                id: row.try_get("id")?,
                attachments: Vec::new(),
                agent_name: row.try_get("agent_name")?,
                event: row.try_get("event")?,
                body: row.try_get("body")?,
                internal: row.try_get::<i64, _>("internal")? != 0,
                encrypted: row.try_get::<i64, _>("encrypted")? != 0,
                signature: row.try_get("signature")?,
                redactions: parse_counts(&row.try_get::<String, _>("redactions")?)?,
                created_at: row.try_get("created_at")?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
        let mut messages = messages;
        let attachments = query(
            "select id, message_id, name, media_type, size, text from attachments where ticket_id = $1 order by id",
        )
        .bind(ticket_id)
        .fetch_all(&mut *read)
        .await?;
        for row in &attachments {
            let message_id: i64 = row.try_get("message_id")?;
            if let Some(message) = messages.iter_mut().find(|m| m.id == message_id) {
                message.attachments.push(AttachmentInfo {
                    id: row.try_get("id")?,
                    name: row.try_get("name")?,
                    media_type: row.try_get("media_type")?,
                    size: row.try_get("size")?,
                    text: row.try_get("text")?,
                });
            }
        }
        let assignable = query_scalar(
            "select a.name from queue_members m join agents a on a.id = m.agent_id \
             where m.queue_id = $1 and a.disabled = 0 and a.tier >= $2 order by a.name",
        )
        .bind(queue_id)
        .bind(summary.tier.get())
        .fetch_all(&mut *read)
        .await?;
        let canned =
            query("select id, title from canned_responses where queue_id = $1 order by title")
                .bind(queue_id)
                .fetch_all(&mut *read)
                .await?
                .iter()
                .map(|r| Ok((r.try_get("id")?, r.try_get("title")?)))
                .collect::<Result<Vec<_>, StoreError>>()?;
        let category: String = row.try_get("category")?;
        let reopen_count: i64 = row.try_get("reopen_count")?;
        let rating = super::satisfaction::state_of(
            row.try_get("rating_answer")?,
            row.try_get("rating")?,
            row.try_get("rating_comment")?,
        );
        let events = ticket_events(&mut read, ticket_id).await?;
        let others_viewing =
            other_openers(&mut read, scope, ticket_id, now - COLLISION_WINDOW_SECONDS).await?;
        let move_targets = query_scalar(
            "select q.name from queues q join queue_members m on m.queue_id = q.id \
             where m.agent_id = $1 and q.id <> $2 order by q.name",
        )
        .bind(scope.agent_id)
        .bind(queue_id)
        .fetch_all(&mut *read)
        .await?;
        let last_message_id = messages.iter().map(|m| m.id).max().unwrap_or(0);
        let proofs = super::proofs::read_proofs(&mut read, ticket_id).await?;
        let open_challenges =
            super::proofs::read_open_challenges(&mut read, ticket_id, now).await?;

        drop(read);
        let restricted = if queue_restricted && !is_owner {
            RestrictedShown::Opened {
                queue_id,
                queue: summary.queue.clone(),
                reference: summary.reference.as_str().to_owned(),
            }
        } else {
            RestrictedShown::Nothing
        };
        self.group_commit
            .record_read(ReadRecord {
                actor: scope.actor(),
                action: if via_break_glass {
                    "view_break_glass"
                } else {
                    "view"
                },
                reference: Some(summary.reference.as_str().to_owned()),
                detail: String::new(),
                at: now,
                watch: ReadWatch {
                    scope: scope.clone(),
                    thresholds: watch,
                    shown: vec![ticket_id],
                    restricted,
                    opened: (!via_break_glass).then_some(ticket_id),
                },
            })
            .await?;
        Ok(AgentTicketView {
            summary,
            category,
            reopen_count,
            rating,
            queue_restricted,
            via_break_glass,
            messages,
            assignable,
            canned,
            spam,
            viewer_owns_queue: is_owner && !via_break_glass,
            events,
            others_viewing,
            last_message_id,
            move_targets,
            proofs,
            open_challenges,
        })
    }

    /// Records that an agent asked for a ticket that did not answer: unknown, out of their
    /// scope or malformed, which all look the same to them. The reference is kept only as
    /// a keyed digest, since what was typed could be anything. Raises the probing alert
    /// once per hour for an agent whose distinct misses reach the threshold.
    ///
    /// Every miss takes this same path whatever the reason, so the answer and the work done
    /// do not tell an unknown reference from one in another queue.
    pub async fn record_failed_lookup(
        &self,
        scope: &AgentScope,
        op: TicketOp,
        reference_text: &str,
        watch: AccessWatch,
    ) -> Result<(), StoreError> {
        let now = now_unix();
        let digest = lookup_digest(&self.audit_key, reference_text);
        let mut tx = self.begin_write().await?;
        log_event(
            &mut tx,
            &self.audit_key,
            &scope.actor(),
            "lookup_failed",
            None,
            format!("{DIGEST_FIELD}{digest} op={}", op.id()),
            now,
        )
        .await?;
        watch_probing(&mut tx, scope, watch, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Mask numbers already used in a ticket in scope, for redacting an agent's message.
    pub async fn agent_mask_slots(
        &self,
        scope: &AgentScope,
        reference: &str,
    ) -> Result<Vec<MaskSlot>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let id: i64 = query_scalar(concat!(
            "select t.id from tickets t where t.reference = $2 and ",
            in_scope!()
        ))
        .bind(scope.agent_id)
        .bind(reference)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
        read_mask_slots(&mut conn, id).await
    }

    /// Adds a public reply (sent to the requester) or an internal note. A public reply is
    /// the first response if none was given yet and puts the ticket to the requester.
    pub async fn add_agent_message(
        &self,
        scope: &AgentScope,
        reference: &str,
        body: &Redacted<String>,
        internal: bool,
        new_slots: &[MaskSlot],
    ) -> Result<(), StoreError> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        let ticket = locate(&mut tx, scope, reference).await?;
        insert_mask_slots(&mut tx, ticket.id, new_slots).await?;
        insert_agent_message(
            &mut tx,
            ticket.id,
            Some(scope.agent_id),
            body,
            internal,
            now,
            None,
        )
        .await?;
        if internal {
            query("update tickets set updated_at = $2 where id = $1")
                .bind(ticket.id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        } else {
            query(
                "update tickets set updated_at = $2, first_response_at = coalesce(first_response_at, $2), \
                 status = case when status in ('new', 'open', 'escalated') then 'pending_requester' else status end, \
                 pending_since = case when status in ('new', 'open', 'escalated') then $2 else pending_since end \
                 where id = $1",
            )
            .bind(ticket.id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            // A public reply hands the ticket to the requester: the history shows it like any
            // status change (the same rule as the statement above).
            if matches!(
                ticket.status,
                Status::New | Status::Open | Status::Escalated
            ) {
                record_change(
                    &mut tx,
                    ticket.id,
                    scope.agent_id,
                    EventKind::Status,
                    Some(&ticket.status),
                    Some(&Status::PendingRequester),
                    None,
                    now,
                )
                .await?;
            }
        }
        audit_change(
            &mut tx,
            self,
            scope,
            if internal { "note" } else { "reply" },
            reference,
            String::new(),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Raises the ticket one tier, with the reason kept as an internal note. The ticket is
    /// unassigned, and the escalating agent loses it if it rises above their tier.
    pub async fn escalate(
        &self,
        scope: &AgentScope,
        reference: &str,
        reason: &Redacted<String>,
    ) -> Result<EscalationOutcome, StoreError> {
        self.change_tier(scope, reference, reason, true).await
    }

    /// Lowers the ticket one tier, with the reason kept as an internal note.
    pub async fn deescalate(
        &self,
        scope: &AgentScope,
        reference: &str,
        reason: &Redacted<String>,
    ) -> Result<EscalationOutcome, StoreError> {
        self.change_tier(scope, reference, reason, false).await
    }

    async fn change_tier(
        &self,
        scope: &AgentScope,
        reference: &str,
        reason: &Redacted<String>,
        up: bool,
    ) -> Result<EscalationOutcome, StoreError> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        let ticket = locate(&mut tx, scope, reference).await?;
        if ticket.spam {
            return Err(StoreError::Conflict(Conflict::MarkedSpam));
        }
        let new_tier = if up {
            ticket.tier.up()
        } else {
            ticket.tier.down()
        }
        .ok_or(StoreError::Conflict(if up {
            Conflict::HighestTier
        } else {
            Conflict::LowestTier
        }))?;
        let new_status = if up { Status::Escalated } else { Status::Open };
        query(
            "update tickets set tier = $2, status = $3, assignee_id = null, updated_at = $4, \
             closed_at = null, pending_since = null where id = $1",
        )
        .bind(ticket.id)
        .bind(new_tier.get())
        .bind(new_status.id())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let event = format!(
            "{} {} → {}",
            if up { "Escalated" } else { "De-escalated" },
            ticket.tier,
            new_tier
        );
        insert_agent_message(
            &mut tx,
            ticket.id,
            Some(scope.agent_id),
            reason,
            true,
            now,
            Some(&event),
        )
        .await?;
        record_change(
            &mut tx,
            ticket.id,
            scope.agent_id,
            EventKind::Tier,
            Some(&ticket.tier),
            Some(&new_tier),
            None,
            now,
        )
        .await?;
        if ticket.assignee_id.is_some() {
            record_change(
                &mut tx,
                ticket.id,
                scope.agent_id,
                EventKind::Assignee,
                ticket.assignee_id.as_ref(),
                None,
                None,
                now,
            )
            .await?;
        }
        if ticket.status != new_status {
            record_change(
                &mut tx,
                ticket.id,
                scope.agent_id,
                EventKind::Status,
                Some(&ticket.status),
                Some(&new_status),
                None,
                now,
            )
            .await?;
        }
        audit_change(
            &mut tx,
            self,
            scope,
            if up { "escalate" } else { "deescalate" },
            reference,
            format!("tier={}->{}", ticket.tier.get(), new_tier.get()),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(EscalationOutcome {
            tier: new_tier,
            still_in_scope: scope.role.tier() >= new_tier,
        })
    }

    /// Sets a status an agent may set directly (not `new`, not `escalated`).
    pub async fn set_status(
        &self,
        scope: &AgentScope,
        reference: &str,
        status: Status,
    ) -> Result<(), StoreError> {
        if !status.agent_may_set() {
            return Err(StoreError::Conflict(Conflict::Status));
        }
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        let ticket = locate(&mut tx, scope, reference).await?;
        if ticket.spam {
            return Err(StoreError::Conflict(Conflict::MarkedSpam));
        }
        query(
            "update tickets set status = $2, updated_at = $3, \
             closed_at = case when $2 in ('resolved', 'closed') then coalesce(closed_at, $3) else null end, \
             pending_since = case when $2 = 'pending_requester' then $3 else null end \
             where id = $1",
        )
        .bind(ticket.id)
        .bind(status.id())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if status == Status::Resolved {
            super::satisfaction::offer_in(&mut tx, ticket.id, now).await?;
        }
        if ticket.status != status {
            record_change(
                &mut tx,
                ticket.id,
                scope.agent_id,
                EventKind::Status,
                Some(&ticket.status),
                Some(&status),
                None,
                now,
            )
            .await?;
        }
        audit_change(
            &mut tx,
            self,
            scope,
            "status",
            reference,
            format!("status={}->{}", ticket.status.id(), status.id()),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Changes the priority; SLA due times are recomputed from the ticket's creation, with the
    /// targets set in the admin pages where there are any, else `targets` (the file's).
    pub async fn set_priority(
        &self,
        scope: &AgentScope,
        reference: &str,
        priority: Priority,
        targets: SlaTargets,
    ) -> Result<(), StoreError> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        let ticket = locate(&mut tx, scope, reference).await?;
        let created_at: i64 = query_scalar("select created_at from tickets where id = $1")
            .bind(ticket.id)
            .fetch_one(&mut *tx)
            .await?;
        let (clock, (first_response, resolution)) = super::admin::sla_in_force(
            &mut *tx,
            priority,
            (
                targets.first_response[priority.index()],
                targets.resolution[priority.index()],
            ),
        )
        .await?;
        query(
            "update tickets set priority = $2, updated_at = $3, first_response_due = $4, \
             resolution_due = $5 where id = $1",
        )
        .bind(ticket.id)
        .bind(priority.id())
        .bind(now)
        .bind(clock.due(created_at, first_response))
        .bind(clock.due(created_at, resolution))
        .execute(&mut *tx)
        .await?;
        if ticket.priority != priority {
            record_change(
                &mut tx,
                ticket.id,
                scope.agent_id,
                EventKind::Priority,
                Some(&ticket.priority),
                Some(&priority),
                None,
                now,
            )
            .await?;
        }
        audit_change(
            &mut tx,
            self,
            scope,
            "priority",
            reference,
            format!("priority={priority}"),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Assigns the ticket to an agent who can work on it, or unassigns it (`None`).
    pub async fn assign(
        &self,
        scope: &AgentScope,
        reference: &str,
        assignee: Option<&Name>,
    ) -> Result<(), StoreError> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        let ticket = locate(&mut tx, scope, reference).await?;
        let assignee_id: Option<i64> = match assignee {
            None => None,
            Some(name) => Some(
                query_scalar(
                    "select a.id from agents a join queue_members m on m.agent_id = a.id \
                     where a.name = $1 and m.queue_id = $2 and a.tier >= $3 and a.disabled = 0",
                )
                .bind(name.as_str())
                .bind(ticket.queue_id)
                .bind(ticket.tier.get())
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::Conflict(Conflict::Assignee))?,
            ),
        };
        query("update tickets set assignee_id = $2, updated_at = $3 where id = $1")
            .bind(ticket.id)
            .bind(assignee_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        if ticket.assignee_id != assignee_id {
            record_change(
                &mut tx,
                ticket.id,
                scope.agent_id,
                EventKind::Assignee,
                ticket.assignee_id.as_ref(),
                assignee_id.as_ref(),
                None,
                now,
            )
            .await?;
        }
        audit_change(
            &mut tx,
            self,
            scope,
            "assign",
            reference,
            match assignee {
                Some(name) => format!("to={name}"),
                None => "to=(nobody)".into(),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Opens one ticket outside the agent's scope for a short time, for reading only.
    /// Refused (as not found) for admins, for restricted queues and for unknown tickets.
    /// The queue's members are alerted.
    pub async fn break_glass(
        &self,
        scope: &AgentScope,
        reference: &str,
        justification: &Redacted<String>,
        lasts_seconds: i64,
    ) -> Result<(), StoreError> {
        if scope.role == Role::Admin {
            return Err(StoreError::NotFound);
        }
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        let row = query(
            "select t.id, t.queue_id from tickets t join queues q on q.id = t.queue_id \
             where t.reference = $1 and q.restricted = 0",
        )
        .bind(reference)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let ticket_id: i64 = row.try_get("id")?;
        let queue_id: i64 = row.try_get("queue_id")?;
        query(
            "insert into break_glass (agent_id, ticket_id, justification, created_at, expires_at) \
             values ($1, $2, $3, $4, $5)",
        )
        .bind(scope.agent_id)
        .bind(ticket_id)
        .bind(justification.as_str())
        .bind(now)
        .bind(now + lasts_seconds)
        .execute(&mut *tx)
        .await?;
        raise_queue_copy(
            &mut tx,
            now,
            "break_glass",
            Audience::QueueMembers,
            queue_id,
            Some(scope.name.as_str()),
            Some(reference),
            particulars(&[("minutes", &(lasts_seconds / 60).to_string())]),
            None,
        )
        .await?;
        raise(
            &mut tx,
            now,
            "break_glass",
            Audience::Admins,
            None,
            Some(scope.name.as_str()),
            Some(reference),
            particulars(&[("minutes", &(lasts_seconds / 60).to_string())]),
        )
        .await?;
        audit_change(
            &mut tx,
            self,
            scope,
            "break_glass",
            reference,
            format!("minutes={}", lasts_seconds / 60),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The body of a canned response of the ticket's queue.
    pub async fn canned_body_for(
        &self,
        scope: &AgentScope,
        reference: &str,
        canned_id: i64,
    ) -> Result<String, StoreError> {
        query_scalar(concat!(
            "select c.body from canned_responses c join tickets t on t.queue_id = c.queue_id \
             where t.reference = $2 and c.id = $3 and ",
            in_scope!()
        ))
        .bind(scope.agent_id)
        .bind(reference)
        .bind(canned_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)
    }

    /// Queues this agent is a member of (the only queues they learn about).
    pub async fn agent_queues(&self, scope: &AgentScope) -> Result<Vec<String>, StoreError> {
        Ok(query_scalar(
            "select q.name from queues q join queue_members m on m.queue_id = q.id \
             where m.agent_id = $1 order by q.name",
        )
        .bind(scope.agent_id)
        .fetch_all(&self.pool)
        .await?)
    }
}

/// Finds a ticket in scope (memberships only: break-glass never allows changes).
pub(super) async fn locate(
    tx: &mut Tx<'_>,
    scope: &AgentScope,
    reference: &str,
) -> Result<Located, StoreError> {
    let row = query(concat!(
        "select t.id, t.tier, t.status, t.queue_id, t.priority, t.assignee_id, t.spam from tickets t \
         where t.reference = $2 and ",
        in_scope!()
    ))
    .bind(scope.agent_id)
    .bind(reference)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    Ok(Located {
        id: row.try_get("id")?,
        tier: Tier::new(row.try_get("tier")?).ok_or(StoreError::Corrupt("ticket tier"))?,
        status: row
            .try_get::<String, _>("status")?
            .parse()
            .map_err(|()| StoreError::Corrupt("ticket status"))?,
        queue_id: row.try_get("queue_id")?,
        priority: row
            .try_get::<String, _>("priority")?
            .parse()
            .map_err(|()| StoreError::Corrupt("ticket priority"))?,
        assignee_id: row.try_get("assignee_id")?,
        spam: row.try_get::<i64, _>("spam")? != 0,
    })
}

pub(super) async fn insert_agent_message(
    tx: &mut Tx<'_>,
    ticket_id: i64,
    agent_id: Option<i64>,
    body: &Redacted<String>,
    internal: bool,
    now: i64,
    event: Option<&str>,
) -> Result<(), StoreError> {
    query(
        "insert into messages (ticket_id, author, body, redactions, created_at, internal, agent_id, event) \
         values ($1, 'agent', $2, $3, $4, $5, $6, $7)",
    )
    .bind(ticket_id)
    .bind(body.as_str())
    .bind(serde_json::to_string(body.counts()).unwrap_or_else(|_| "{}".into()))
    .bind(now)
    .bind(i64::from(internal))
    .bind(agent_id)
    .bind(event)
    .execute(&mut **tx)
    .await?;
    // Agents' replies and notes are short: their terms are worked out under the lock.
    insert_terms(tx, ticket_id, &Terms::of(&[body.as_str()])).await?;
    Ok(())
}

pub(super) async fn audit_change(
    tx: &mut Tx<'_>,
    store: &Store,
    scope: &AgentScope,
    action: &'static str,
    reference: &str,
    detail: String,
    now: i64,
) -> Result<(), StoreError> {
    log_event(
        tx,
        &store.audit_key,
        &scope.actor(),
        action,
        Some(reference),
        detail,
        now,
    )
    .await
}

/// Records the tickets just shown to an agent, then raises one alert per hour for an agent
/// who has been shown more distinct tickets in the last hour than the threshold: the pattern
/// of a bulk lookup hidden in ordinary work. Opening a ticket and seeing it as a row of a
/// list or search count alike.
async fn watch_hourly_views(
    tx: &mut Tx<'_>,
    scope: &AgentScope,
    shown: &[i64],
    watch: AccessWatch,
    now: i64,
) -> Result<(), StoreError> {
    let hour_ago = now - 3600;
    if !shown.is_empty() {
        // One statement for up to 500 rows; the ids are ours, read a moment ago.
        let ids = serde_json::to_string(shown).map_err(|_| StoreError::Corrupt("ticket ids"))?;
        query(Sql::dialects(
            "insert into ticket_sightings (agent_id, ticket_id, seen_at) \
             select $1, value, $2 from json_each($3) where true \
             on conflict (agent_id, ticket_id) do update set seen_at = excluded.seen_at",
            "insert into ticket_sightings (agent_id, ticket_id, seen_at) \
             select $1, value::bigint, $2 from jsonb_array_elements_text($3::jsonb) as j(value) \
             on conflict (agent_id, ticket_id) do update set seen_at = excluded.seen_at",
        ))
        .bind(scope.agent_id)
        .bind(now)
        .bind(ids)
        .execute(&mut **tx)
        .await?;
    }
    query("delete from ticket_sightings where agent_id = $1 and seen_at <= $2")
        .bind(scope.agent_id)
        .bind(hour_ago)
        .execute(&mut **tx)
        .await?;
    let distinct: i64 = query_scalar("select count(*) from ticket_sightings where agent_id = $1")
        .bind(scope.agent_id)
        .fetch_one(&mut **tx)
        .await?;
    if distinct <= watch.hourly_view_threshold {
        return Ok(());
    }
    raise_once_per_hour(
        tx,
        scope,
        "hourly_views",
        particulars(&[
            ("count", &distinct.to_string()),
            ("threshold", &watch.hourly_view_threshold.to_string()),
        ]),
        now,
    )
    .await
}

/// What a read showed an agent, for the watches its audit entry carries to the writer.
pub(super) struct ReadWatch {
    scope: AgentScope,
    thresholds: AccessWatch,
    /// Tickets shown, opened or as rows.
    shown: Vec<i64>,
    restricted: RestrictedShown,
    /// The ticket opened, for the collision warning of other agents' pages.
    opened: Option<i64>,
}

/// Rows or a ticket of restricted queues the agent does not own, shown by one read.
enum RestrictedShown {
    Nothing,
    Opened {
        queue_id: i64,
        queue: String,
        reference: String,
    },
    /// Per queue: its id, its name and how many of its rows were shown.
    Listed {
        action: &'static str,
        queues: Vec<(i64, String, usize)>,
    },
}

/// Runs the access watches of a batch of reads inside the transaction that records them.
/// Sightings are merged per agent first (one upsert, one count and at most one alert for
/// all their reads in the batch): the same state and alerts as one read after another, for
/// a fraction of the time under the write lock.
pub(super) async fn watch_reads<'r>(
    tx: &mut Tx<'_>,
    reads: impl Iterator<Item = &'r ReadRecord> + Clone,
) -> Result<(), StoreError> {
    let mut agents: Vec<(&ReadWatch, Vec<i64>, i64)> = Vec::new();
    for read in reads.clone() {
        let watch = &read.watch;
        match agents
            .iter_mut()
            .find(|(seen, _, _)| seen.scope.agent_id == watch.scope.agent_id)
        {
            Some((_, shown, at)) => {
                shown.extend_from_slice(&watch.shown);
                *at = (*at).max(read.at);
            }
            None => agents.push((watch, watch.shown.clone(), read.at)),
        }
    }
    for (watch, mut shown, at) in agents {
        shown.sort_unstable();
        shown.dedup();
        watch_hourly_views(tx, &watch.scope, &shown, watch.thresholds, at).await?;
    }
    for read in reads {
        let scope = &read.watch.scope;
        if let Some(ticket_id) = read.watch.opened {
            record_opening(tx, scope.agent_id, ticket_id, read.at).await?;
        }
        match &read.watch.restricted {
            RestrictedShown::Nothing => {}
            RestrictedShown::Opened {
                queue_id,
                queue,
                reference,
            } => {
                raise(
                    tx,
                    read.at,
                    "restricted_access",
                    Audience::QueueOwners,
                    Some(*queue_id),
                    Some(scope.name.as_str()),
                    Some(reference.as_str()),
                    particulars(&[("queue", queue.as_str()), ("action", "opened")]),
                )
                .await?;
            }
            RestrictedShown::Listed { action, queues } => {
                watch_restricted_rows(tx, scope, queues, action, read.at).await?;
            }
        }
    }
    Ok(())
}

/// Per restricted queue the agent does not own: its id, name and how many of `rows` it has.
fn restricted_queues_shown(rows: &[Row]) -> Result<Vec<(i64, String, usize)>, StoreError> {
    let mut shown: Vec<(i64, String, usize)> = Vec::new();
    for row in rows {
        let restricted = row.try_get::<i64, _>("restricted")? != 0;
        let owner = row.try_get::<Option<i64>, _>("owner")?.unwrap_or(0) != 0;
        if !restricted || owner {
            continue;
        }
        let queue_id: i64 = row.try_get("queue_id")?;
        match shown.iter_mut().find(|(id, _, _)| *id == queue_id) {
            Some((_, _, count)) => *count += 1,
            None => shown.push((queue_id, row.try_get("queue")?, 1)),
        }
    }
    Ok(shown)
}

/// Alerts the owners of each restricted queue whose rows were just shown to an agent who does
/// not own it: subjects and references are content too, so a list is a read like opening a
/// ticket. At most once per agent, queue and hour, so paging through a list is one alert.
async fn watch_restricted_rows(
    tx: &mut Tx<'_>,
    scope: &AgentScope,
    shown: &[(i64, String, usize)],
    action: &str,
    now: i64,
) -> Result<(), StoreError> {
    for (queue_id, queue, count) in shown {
        // Only list alerts (they name no reference) count here: opening a ticket raises its
        // own alert every time, and must not hide the list that follows.
        let already: i64 = query_scalar(
            "select count(*) from alerts where kind = 'restricted_access' and agent_name = $1 \
             and queue_id = $2 and reference is null and at > $3",
        )
        .bind(scope.name.as_str())
        .bind(*queue_id)
        .bind(now - 3600)
        .fetch_one(&mut **tx)
        .await?;
        if already > 0 {
            continue;
        }
        raise(
            tx,
            now,
            "restricted_access",
            Audience::QueueOwners,
            Some(*queue_id),
            Some(scope.name.as_str()),
            None,
            particulars(&[
                ("count", &count.to_string()),
                ("queue", queue.as_str()),
                ("action", action),
            ]),
        )
        .await?;
    }
    Ok(())
}

/// Where the digest sits in a `lookup_failed` entry's detail: first, at a fixed length,
/// so distinct digests can be counted with plain `substr` on either engine.
const DIGEST_FIELD: &str = "ref_digest=";
const DIGEST_FIELD_LEN: i64 =
    DIGEST_FIELD.len() as i64 + 2 * super::audit::LOOKUP_DIGEST_BYTES as i64;

/// Raises one alert per hour for an agent whose failed lookups in the last hour name the
/// threshold's number of distinct references: someone sweeping for tickets they cannot see.
async fn watch_probing(
    tx: &mut Tx<'_>,
    scope: &AgentScope,
    watch: AccessWatch,
    now: i64,
) -> Result<(), StoreError> {
    let distinct: i64 = query_scalar(
        "select count(distinct substr(detail, 1, cast($3 as integer))) from audit_log \
         where agent_id = $1 and action = 'lookup_failed' and at > $2",
    )
    .bind(scope.agent_id)
    .bind(now - 3600)
    .bind(DIGEST_FIELD_LEN)
    .fetch_one(&mut **tx)
    .await?;
    if distinct < watch.probe_alert_threshold {
        return Ok(());
    }
    raise_once_per_hour(
        tx,
        scope,
        "probing",
        particulars(&[
            ("count", &distinct.to_string()),
            ("threshold", &watch.probe_alert_threshold.to_string()),
        ]),
        now,
    )
    .await
}

/// Raises an admin alert of `kind` about this agent unless one was raised in the last hour.
async fn raise_once_per_hour(
    tx: &mut Tx<'_>,
    scope: &AgentScope,
    kind: &'static str,
    detail: String,
    now: i64,
) -> Result<(), StoreError> {
    let already: i64 =
        query_scalar("select count(*) from alerts where kind = $1 and agent_name = $2 and at > $3")
            .bind(kind)
            .bind(scope.name.as_str())
            .bind(now - 3600)
            .fetch_one(&mut **tx)
            .await?;
    if already == 0 {
        raise(
            tx,
            now,
            kind,
            Audience::Admins,
            None,
            Some(scope.name.as_str()),
            None,
            detail,
        )
        .await?;
    }
    Ok(())
}

fn summary_from_row(row: &Row) -> Result<TicketSummary, StoreError> {
    Ok(TicketSummary {
        reference: parse_reference(row.try_get("reference")?)?,
        queue: row.try_get("queue")?,
        tier: Tier::new(row.try_get("tier")?).ok_or(StoreError::Corrupt("ticket tier"))?,
        status: row
            .try_get::<String, _>("status")?
            .parse()
            .map_err(|()| StoreError::Corrupt("ticket status"))?,
        priority: row
            .try_get::<String, _>("priority")?
            .parse()
            .map_err(|()| StoreError::Corrupt("ticket priority"))?,
        subject: row.try_get("subject")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        first_response_at: row.try_get("first_response_at")?,
        first_response_due: row.try_get("first_response_due")?,
        resolution_due: row.try_get("resolution_due")?,
        sla_breaches: row.try_get("sla_breaches")?,
        assignee: row.try_get("assignee")?,
    })
}
