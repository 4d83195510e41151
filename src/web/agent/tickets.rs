//! Ticket lists and ticket pages for agents, and the changes they make. Every read and
//! change goes through the agent's door, whose store calls repeat the scope in their SQL.

use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};

use super::{Nav, time_left};
use crate::desk::{
    AgentDesk, AgentScope, AgentTicketView, ListCursor, ListFilter, ListOrder, ListTotal,
    StatusFilter, TicketOp, TicketSummary,
};
use crate::domain::{Name, Priority, Reference, Status};
use crate::web::error::{FieldError, WebError, WebResult};
use crate::web::extract::FormFields;
use crate::web::lang::Tr;
use crate::web::public::human_time;
use crate::web::session::{CsrfForm, CurrentAgent};

#[derive(Debug, Default, serde::Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub queue: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub order: String,
    #[serde(default)]
    pub after: String,
    #[serde(default)]
    pub notice: String,
}

/// Tickets on one page of the list.
const PAGE_SIZE: i64 = 50;

pub struct Row {
    pub reference: String,
    pub subject: String,
    pub queue: String,
    pub tier: String,
    pub priority: &'static str,
    pub status: &'static str,
    pub sla: String,
    pub sla_late: bool,
    pub assignee: String,
    pub updated: String,
}

pub struct AlertLine {
    pub kind: String,
    pub when: String,
    pub text: String,
}

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "agent/tickets.html")]
pub struct ListPage {
    pub t: crate::web::lang::Tr,
    pub nav: Nav,
    pub notice: Option<&'static str>,
    pub alerts: Vec<AlertLine>,
    pub queues: Vec<String>,
    pub queue: String,
    pub statuses: Vec<(&'static str, &'static str)>,
    pub status: String,
    pub query: String,
    pub orders: Vec<(&'static str, &'static str)>,
    pub order: &'static str,
    pub tickets: Vec<Row>,
    /// "37 tickets", "More than 1,000 tickets".
    pub total: String,
    /// Links to the next page and back to the first, with the same filters.
    pub next_page: Option<String>,
    pub first_page: Option<String>,
}

/// The order control's choices: (value, label).
fn order_choices() -> Vec<(&'static str, &'static str)> {
    ListOrder::ALL
        .into_iter()
        .map(|order| {
            let label = match order {
                ListOrder::Urgency => "SLA urgency",
                ListOrder::Priority => "Priority",
                ListOrder::Updated => "Last updated",
                ListOrder::Created => "Newest",
            };
            (order.id(), label)
        })
        .collect()
}

pub(crate) fn parse_list_order(text: &str) -> WebResult<ListOrder> {
    match text {
        "" => Ok(ListOrder::default()),
        other => other
            .parse()
            .map_err(|()| WebError::BadRequest("Unknown order.")),
    }
}

/// A page's cursor, which must be one of `order`'s (a link from another order is refused
/// rather than read as a position in this one).
pub(crate) fn parse_list_cursor(text: &str, order: ListOrder) -> WebResult<Option<ListCursor>> {
    match text {
        "" => Ok(None),
        other => other
            .parse::<ListCursor>()
            .ok()
            .filter(|cursor| cursor.order() == order)
            .map(Some)
            .ok_or(WebError::BadRequest("Unknown page.")),
    }
}

/// The list's own address with the same filters, starting `after` a cursor if given.
fn list_link(query: &ListQuery, order: ListOrder, after: Option<ListCursor>) -> String {
    let mut link = form_urlencoded::Serializer::new(String::new());
    for (name, value) in [
        ("queue", &query.queue),
        ("status", &query.status),
        ("q", &query.q),
    ] {
        if !value.is_empty() {
            link.append_pair(name, value);
        }
    }
    link.append_pair("order", order.id());
    if let Some(cursor) = after {
        link.append_pair("after", &cursor.to_string());
    }
    format!("/agent/tickets?{}", link.finish())
}

fn total_text(total: ListTotal) -> String {
    match total {
        ListTotal::Exactly(1) => "1 ticket".into(),
        ListTotal::Exactly(n) => format!("{n} tickets"),
        ListTotal::MoreThan(n) => format!("More than {n} tickets"),
    }
}

/// The status filter's choices: (value, label).
fn status_choices() -> Vec<(&'static str, &'static str)> {
    let mut choices = vec![("active", "Active"), ("all", "All")];
    choices.extend(Status::ALL.iter().map(|s| (s.id(), s.id())));
    choices.push(("spam", "Marked as spam"));
    choices
}

pub(crate) fn parse_status_filter(text: &str, default: StatusFilter) -> WebResult<StatusFilter> {
    match text {
        "" => Ok(default),
        "active" => Ok(StatusFilter::Active),
        "all" => Ok(StatusFilter::All),
        "spam" => Ok(StatusFilter::Spam),
        other => other
            .parse()
            .map(StatusFilter::Only)
            .map_err(|()| WebError::BadRequest("Unknown status filter.")),
    }
}

pub(crate) fn parse_queue_filter(text: &str) -> WebResult<Option<Name>> {
    if text.is_empty() {
        return Ok(None);
    }
    Name::parse(text)
        .map(Some)
        .map_err(|_| WebError::BadRequest("Unknown queue."))
}

pub async fn list(agent: CurrentAgent, Query(query): Query<ListQuery>) -> WebResult<ListPage> {
    let order = parse_list_order(&query.order)?;
    let filter = ListFilter {
        queue: parse_queue_filter(&query.queue)?,
        status: parse_status_filter(&query.status, StatusFilter::Active)?,
        query: Some(query.q.clone()).filter(|q| !q.trim().is_empty()),
        order,
        after: parse_list_cursor(&query.after, order)?,
        limit: PAGE_SIZE,
    };
    let page = agent.desk.tickets(&filter).await?;
    let next_page = page
        .next
        .map(|cursor| list_link(&query, filter.order, Some(cursor)));
    let first_page = filter
        .after
        .is_some()
        .then(|| list_link(&query, filter.order, None));
    let now = crate::desk::now_unix();
    let alerts = agent
        .desk
        .alerts(now - 7 * 86_400)
        .await?
        .into_iter()
        .map(|a| AlertLine {
            kind: a.kind,
            when: human_time(a.at),
            text: format!(
                "{}{}{}",
                a.agent_name.map(|n| format!("{n}: ")).unwrap_or_default(),
                a.detail,
                a.reference.map(|r| format!(" ({r})")).unwrap_or_default()
            ),
        })
        .collect();
    Ok(ListPage {
        queues: agent.desk.queues().await?,
        nav: Nav::of(&agent),
        t: agent.tr.clone(),
        notice: notice_text(&query.notice),
        alerts,
        queue: query.queue,
        statuses: status_choices(),
        status: if query.status.is_empty() {
            "active".into()
        } else {
            query.status
        },
        query: query.q,
        orders: order_choices(),
        order: filter.order.id(),
        tickets: page
            .tickets
            .into_iter()
            .map(|t| row(&agent.tr, t, now))
            .collect(),
        total: total_text(page.total),
        next_page,
        first_page,
    })
}

fn notice_text(code: &str) -> Option<&'static str> {
    match code {
        "escalated-away" => {
            Some("The ticket was escalated above your tier and has left your list.")
        }
        _ => None,
    }
}

fn row(tr: &Tr, t: TicketSummary, now: i64) -> Row {
    let (sla, sla_late) = if t.first_response_at.is_none() {
        let (text, late) = time_left(tr, t.first_response_due, false, now);
        (format!("first response {text}"), late)
    } else {
        let (text, late) = time_left(tr, t.resolution_due, t.status.is_final(), now);
        (format!("resolution {text}"), late)
    };
    Row {
        reference: t.reference.to_string(),
        subject: t.subject,
        queue: t.queue,
        tier: t.tier.to_string(),
        priority: t.priority.id(),
        status: t.status.id(),
        sla,
        sla_late,
        assignee: t.assignee.unwrap_or_default(),
        updated: human_time(t.updated_at),
    }
}

pub struct MessageLine {
    pub class: &'static str,
    pub who: String,
    pub when: String,
    pub internal: bool,
    pub encrypted: bool,
    pub signature: String,
    pub event: Option<String>,
    pub body: String,
    pub attachments: Vec<crate::desk::AttachmentInfo>,
}

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "agent/ticket.html")]
pub struct TicketPage {
    pub t: crate::web::lang::Tr,
    pub nav: Nav,
    pub reference: String,
    pub subject: String,
    pub via_break_glass: bool,
    pub queue: String,
    pub restricted: bool,
    pub tier: String,
    pub status: &'static str,
    pub priority: &'static str,
    pub category: String,
    pub assignee: String,
    pub first_response: String,
    pub first_late: bool,
    pub resolution: String,
    pub resolution_late: bool,
    pub reopen_count: i64,
    pub messages: Vec<MessageLine>,
    pub canned: Vec<(i64, String)>,
    pub settable_statuses: Vec<(&'static str, &'static str)>,
    pub priorities: Vec<&'static str>,
    pub assignable: Vec<String>,
    pub spam: Option<SpamLine>,
}

/// The spam mark as the ticket page shows it, with what this viewer may do about it.
pub struct SpamLine {
    pub marked_by: String,
    pub confirmed_by: Option<String>,
    /// Not yet confirmed, and the viewer is not the agent who marked it.
    pub may_confirm: bool,
    /// The viewer owns the ticket's queue.
    pub may_restore: bool,
}

/// Passes on a ticket route's answer. A not-found answer (an unknown reference, one out of
/// the agent's scope, or a malformed one: the same 404 to them) is first recorded as a
/// failed lookup, so probing for tickets leaves a trace and can raise the probing alert.
/// Every route that takes a reference ends here.
pub(crate) async fn record_if_not_found<T>(
    agent: &AgentDesk,
    op: TicketOp,
    reference_text: &str,
    answer: WebResult<T>,
) -> WebResult<T> {
    if matches!(answer, Err(WebError::NotFound)) {
        agent.record_failed_lookup(op, reference_text).await?;
    }
    answer
}

/// A reference from the path; a malformed one is simply not found.
pub(crate) fn reference(text: &str) -> WebResult<Reference> {
    text.parse().map_err(|()| WebError::NotFound)
}

pub async fn show(
    agent: CurrentAgent,
    Path(reference_text): Path<String>,
) -> WebResult<TicketPage> {
    let answer: WebResult<_> = async {
        let reference = reference(&reference_text)?;
        let view = agent.desk.ticket(&reference).await?;
        Ok(page(
            agent.tr.clone(),
            Nav::of(&agent),
            agent.desk.scope(),
            view,
        ))
    }
    .await;
    record_if_not_found(&agent.desk, TicketOp::View, &reference_text, answer).await
}

fn page(tr: Tr, nav: Nav, viewer: &AgentScope, view: AgentTicketView) -> TicketPage {
    let now = crate::desk::now_unix();
    let t = view.summary;
    let (first_response, first_late) = match t.first_response_at {
        Some(at) => (format!("given {}", human_time(at)), false),
        None => time_left(&tr, t.first_response_due, false, now),
    };
    let (resolution, resolution_late) = time_left(&tr, t.resolution_due, t.status.is_final(), now);
    TicketPage {
        t: tr,
        nav,
        reference: t.reference.to_string(),
        subject: t.subject,
        via_break_glass: view.via_break_glass,
        queue: t.queue,
        restricted: view.queue_restricted,
        tier: t.tier.to_string(),
        status: t.status.id(),
        priority: t.priority.id(),
        category: view.category,
        assignee: t.assignee.unwrap_or_default(),
        first_response,
        first_late,
        resolution,
        resolution_late,
        reopen_count: view.reopen_count,
        messages: view
            .messages
            .into_iter()
            .map(|m| MessageLine {
                class: match (m.author.as_str(), m.internal) {
                    ("requester", _) => "theirs",
                    (_, true) => "note",
                    _ => "mine",
                },
                who: match (m.author.as_str(), m.agent_name) {
                    ("requester", _) => "Requester".into(),
                    (_, Some(name)) => name,
                    (_, None) => "hushdesk (automatic)".into(),
                },
                when: human_time(m.created_at),
                internal: m.internal,
                encrypted: m.encrypted,
                signature: m.signature,
                event: m.event,
                body: m.body,
                attachments: m.attachments,
            })
            .collect(),
        canned: view.canned,
        settable_statuses: Status::ALL
            .iter()
            .filter(|s| s.agent_may_set())
            .map(|s| (s.id(), s.id()))
            .collect(),
        priorities: Priority::ALL.iter().map(|p| p.id()).collect(),
        assignable: view.assignable,
        spam: view.spam.map(|mark| SpamLine {
            may_confirm: mark.confirmed_by.is_none()
                && mark.marked_by.as_deref() != Some(viewer.name().as_str()),
            marked_by: mark.marked_by.unwrap_or_else(|| "(not recorded)".into()),
            confirmed_by: mark.confirmed_by,
            may_restore: view.viewer_owns_queue,
        }),
    }
}

fn back_to(reference: &Reference) -> Response {
    Redirect::to(&format!("/agent/tickets/{reference}")).into_response()
}

pub async fn reply(Path(reference_text): Path<String>, form: CsrfForm) -> WebResult<Response> {
    let answer: WebResult<_> = async {
        let reference = reference(&reference_text)?;
        let internal = is_internal_note(&form.fields)?;
        let canned = match form.fields.get("canned").unwrap_or_default() {
            "" => None,
            id => Some(id.parse::<i64>().map_err(|_| WebError::NotFound)?),
        };
        form.agent
            .desk
            .add_message(
                &reference,
                form.fields.get("body").unwrap_or_default(),
                canned,
                internal,
            )
            .await?;
        Ok(back_to(&reference))
    }
    .await;
    record_if_not_found(&form.agent.desk, TicketOp::Reply, &reference_text, answer).await
}

pub async fn status(Path(reference_text): Path<String>, form: CsrfForm) -> WebResult<Response> {
    let answer: WebResult<_> = async {
        let reference = reference(&reference_text)?;
        let status = form
            .fields
            .get("status")
            .and_then(|s| s.parse::<Status>().ok())
            .ok_or_else(|| invalid("status", "choose a status"))?;
        form.agent.desk.set_status(&reference, status).await?;
        Ok(back_to(&reference))
    }
    .await;
    record_if_not_found(&form.agent.desk, TicketOp::Status, &reference_text, answer).await
}

pub async fn priority(Path(reference_text): Path<String>, form: CsrfForm) -> WebResult<Response> {
    let answer: WebResult<_> = async {
        let reference = reference(&reference_text)?;
        let priority = form
            .fields
            .get("priority")
            .and_then(|s| s.parse::<Priority>().ok())
            .ok_or_else(|| invalid("priority", "choose P1 to P4"))?;
        form.agent.desk.set_priority(&reference, priority).await?;
        Ok(back_to(&reference))
    }
    .await;
    record_if_not_found(
        &form.agent.desk,
        TicketOp::Priority,
        &reference_text,
        answer,
    )
    .await
}

pub async fn assign(Path(reference_text): Path<String>, form: CsrfForm) -> WebResult<Response> {
    let answer: WebResult<_> = async {
        let reference = reference(&reference_text)?;
        let assignee = match form.fields.get("assignee").unwrap_or_default() {
            "" => None,
            name => Some(Name::parse(name).map_err(|m| invalid("assignee", m))?),
        };
        form.agent
            .desk
            .assign(&reference, assignee.as_ref())
            .await?;
        Ok(back_to(&reference))
    }
    .await;
    record_if_not_found(&form.agent.desk, TicketOp::Assign, &reference_text, answer).await
}

pub async fn escalate(path: Path<String>, form: CsrfForm) -> WebResult<Response> {
    change_tier(path, form, true).await
}

pub async fn deescalate(path: Path<String>, form: CsrfForm) -> WebResult<Response> {
    change_tier(path, form, false).await
}

async fn change_tier(
    Path(reference_text): Path<String>,
    form: CsrfForm,
    up: bool,
) -> WebResult<Response> {
    let answer: WebResult<_> = async {
        let reference = reference(&reference_text)?;
        let outcome = form
            .agent
            .desk
            .change_tier(
                &reference,
                form.fields.get("reason").unwrap_or_default(),
                up,
            )
            .await?;
        if outcome.still_in_scope {
            Ok(back_to(&reference))
        } else {
            Ok(Redirect::to("/agent/tickets?notice=escalated-away").into_response())
        }
    }
    .await;
    let op = if up {
        TicketOp::Escalate
    } else {
        TicketOp::Deescalate
    };
    record_if_not_found(&form.agent.desk, op, &reference_text, answer).await
}

/// Closes the ticket as spam. It leaves the lists (but for the spam review) and keeps the
/// normal retention until a second agent confirms.
pub async fn spam(path: Path<String>, form: CsrfForm) -> WebResult<Response> {
    spam_step(path, form, SpamStep::Mark).await
}

/// A second agent confirms the spam mark: the short spam retention then applies.
pub async fn confirm_spam(path: Path<String>, form: CsrfForm) -> WebResult<Response> {
    spam_step(path, form, SpamStep::Confirm).await
}

/// A queue owner takes the spam mark off and opens the ticket again.
pub async fn restore_spam(path: Path<String>, form: CsrfForm) -> WebResult<Response> {
    spam_step(path, form, SpamStep::Restore).await
}

/// The three steps of the spam review, shared by the agent pages and the JSON API.
#[derive(Debug, Clone, Copy)]
pub(crate) enum SpamStep {
    Mark,
    Confirm,
    Restore,
}

impl SpamStep {
    pub(crate) fn op(self) -> TicketOp {
        match self {
            SpamStep::Mark => TicketOp::Spam,
            SpamStep::Confirm => TicketOp::ConfirmSpam,
            SpamStep::Restore => TicketOp::RestoreSpam,
        }
    }

    pub(crate) async fn run(self, agent: &AgentDesk, reference: &Reference) -> WebResult<()> {
        match self {
            SpamStep::Mark => agent.mark_spam(reference).await?,
            SpamStep::Confirm => agent.confirm_spam(reference).await?,
            SpamStep::Restore => agent.restore_spam(reference).await?,
        }
        Ok(())
    }
}

async fn spam_step(
    Path(reference_text): Path<String>,
    form: CsrfForm,
    step: SpamStep,
) -> WebResult<Response> {
    let answer: WebResult<_> = async {
        let reference = reference(&reference_text)?;
        step.run(&form.agent.desk, &reference).await?;
        Ok(back_to(&reference))
    }
    .await;
    record_if_not_found(&form.agent.desk, step.op(), &reference_text, answer).await
}

/// The reply form's "internal note" box, read strictly: a value that is not one a checkbox
/// sends must not quietly turn a note into a reply the requester reads.
fn is_internal_note(fields: &FormFields) -> WebResult<bool> {
    let mut values = fields.get_all("internal");
    let internal = match (values.next(), values.next()) {
        (None, _) => false,
        (Some("yes" | "on" | "true" | "1"), None) => true,
        _ => {
            return Err(invalid(
                "internal",
                "the internal-note box has an unexpected value: nothing was sent",
            ));
        }
    };
    Ok(internal)
}

fn invalid(field: &'static str, message: &str) -> WebError {
    WebError::Invalid(vec![FieldError::english(field, message.to_owned())])
}
