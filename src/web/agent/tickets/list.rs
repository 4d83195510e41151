//! The agent's ticket list: SLA order by default, keyset pages with a count, filters by
//! queue, status, priority, tier and assignee ("mine", "unassigned", or a colleague), the
//! "SLA at risk" view, search, and the checkboxes of bulk changes.

use axum::extract::Query;

use super::super::{Nav, time_left};
use crate::desk::{
    AgentDesk, AssigneeFilter, ListCursor, ListFilter, ListOrder, ListTotal, StatusFilter,
    TicketSummary,
};
use crate::domain::{Name, Priority, Status, Tier};
use crate::web::error::{WebError, WebResult};
use crate::web::lang::Tr;
use crate::web::session::CurrentAgent;

#[derive(Debug, Default, serde::Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub queue: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub priority: String,
    #[serde(default)]
    pub tier: String,
    /// `me`, `nobody`, or an agent's name; empty for anyone.
    #[serde(default)]
    pub assignee: String,
    /// `1` for the SLA-at-risk view.
    #[serde(default)]
    pub at_risk: String,
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
    /// As people read it.
    pub status: String,
    pub sla: String,
    pub sla_late: bool,
    /// Not late yet, but due within the desk's warning time (`sla.warning_minutes`).
    pub sla_at_risk: bool,
    pub assignee: String,
    pub updated: String,
}

pub struct AlertLine {
    pub kind: String,
    pub when: String,
    pub text: String,
}

/// A quick view of the list: a link that sets one filter.
pub struct ViewLink {
    /// A catalogue key.
    pub label: &'static str,
    pub href: String,
    pub current: bool,
}

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "agent/tickets.html")]
pub struct ListPage {
    pub t: Tr,
    pub nav: Nav,
    /// A catalogue key.
    pub notice: Option<&'static str>,
    pub alerts: Vec<AlertLine>,
    pub views: Vec<ViewLink>,
    pub queues: Vec<String>,
    pub queue: String,
    pub statuses: Vec<(&'static str, String)>,
    pub status: String,
    pub priorities: Vec<&'static str>,
    pub priority: String,
    pub tiers: Vec<&'static str>,
    pub tier: String,
    /// The assignee filter's choices: (value, label).
    pub assignees: Vec<(String, String)>,
    pub assignee: String,
    pub at_risk: bool,
    pub query: String,
    pub orders: Vec<(&'static str, String)>,
    pub order: &'static str,
    pub tickets: Vec<Row>,
    /// "37 tickets", "More than 1,000 tickets".
    pub total: String,
    /// Links to the next page and back to the first, with the same filters.
    pub next_page: Option<String>,
    pub first_page: Option<String>,
    /// This list's own address, where bulk changes come back to.
    pub here: String,
    /// Bulk changes: the statuses, colleagues and queues they offer.
    pub bulk_statuses: Vec<(&'static str, String)>,
    pub colleagues: Vec<String>,
}

/// The order control's choices: (value, label).
fn order_choices(tr: &Tr) -> Vec<(&'static str, String)> {
    ListOrder::ALL
        .into_iter()
        .map(|order| {
            let label = match order {
                ListOrder::Urgency => "agent-list-order-urgency",
                ListOrder::Priority => "agent-list-order-priority",
                ListOrder::Updated => "agent-list-order-updated",
                ListOrder::Created => "agent-list-order-created",
            };
            (order.id(), tr.t(label))
        })
        .collect()
}

pub(crate) fn parse_list_order(text: &str) -> WebResult<ListOrder> {
    match text {
        "" => Ok(ListOrder::default()),
        other => other
            .parse()
            .map_err(|()| WebError::BadRequest("bad-order")),
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
            .ok_or(WebError::BadRequest("bad-page")),
    }
}

pub(crate) fn parse_priority_filter(text: &str) -> WebResult<Option<Priority>> {
    match text {
        "" => Ok(None),
        other => other
            .parse()
            .map(Some)
            .map_err(|()| WebError::BadRequest("bad-priority")),
    }
}

/// `L1`…`L3` (as shown) or `1`…`3`.
pub(crate) fn parse_tier_filter(text: &str) -> WebResult<Option<Tier>> {
    if text.is_empty() {
        return Ok(None);
    }
    text.trim_start_matches(['L', 'l'])
        .parse::<i64>()
        .ok()
        .and_then(Tier::new)
        .map(Some)
        .ok_or(WebError::BadRequest("bad-tier"))
}

/// `me` (the viewer), `nobody`, or an agent's name.
pub(crate) fn parse_assignee_filter(text: &str, me: &Name) -> WebResult<AssigneeFilter> {
    match text {
        "" => Ok(AssigneeFilter::Anyone),
        "me" => Ok(AssigneeFilter::Agent(me.clone())),
        "nobody" => Ok(AssigneeFilter::Nobody),
        name => Name::parse(name)
            .map(AssigneeFilter::Agent)
            .map_err(|_| WebError::BadRequest("bad-assignee")),
    }
}

pub(crate) fn parse_at_risk(text: &str) -> WebResult<bool> {
    match text {
        "" | "0" | "false" => Ok(false),
        "1" | "true" | "on" | "yes" => Ok(true),
        _ => Err(WebError::BadRequest("bad-at-risk")),
    }
}

/// The filters the HTML list and the JSON API share.
pub(crate) struct FilterFields<'a> {
    pub queue: &'a str,
    pub status: &'a str,
    pub priority: &'a str,
    pub tier: &'a str,
    pub assignee: &'a str,
    pub at_risk: &'a str,
    pub q: &'a str,
    pub order: &'a str,
    pub after: &'a str,
}

impl FilterFields<'_> {
    pub(crate) fn filter(
        &self,
        agent: &AgentDesk,
        default_status: StatusFilter,
        limit: i64,
    ) -> WebResult<ListFilter> {
        let order = parse_list_order(self.order)?;
        Ok(ListFilter {
            queue: parse_queue_filter(self.queue)?,
            status: parse_status_filter(self.status, default_status)?,
            priority: parse_priority_filter(self.priority)?,
            tier: parse_tier_filter(self.tier)?,
            assignee: parse_assignee_filter(self.assignee, agent.name())?,
            due_by: parse_at_risk(self.at_risk)?.then(|| agent.at_risk_deadline()),
            query: Some(self.q.to_owned()).filter(|q| !q.trim().is_empty()),
            order,
            after: parse_list_cursor(self.after, order)?,
            limit,
        })
    }
}

impl ListQuery {
    fn fields(&self) -> FilterFields<'_> {
        FilterFields {
            queue: &self.queue,
            status: &self.status,
            priority: &self.priority,
            tier: &self.tier,
            assignee: &self.assignee,
            at_risk: &self.at_risk,
            q: &self.q,
            order: &self.order,
            after: &self.after,
        }
    }

    /// The list's own address with these filters, changed by `set`, starting `after` a
    /// cursor if given.
    fn link(&self, order: &str, after: Option<ListCursor>, set: &[(&str, &str)]) -> String {
        let mut link = form_urlencoded::Serializer::new(String::new());
        for (name, value) in [
            ("queue", &self.queue),
            ("status", &self.status),
            ("priority", &self.priority),
            ("tier", &self.tier),
            ("assignee", &self.assignee),
            ("at_risk", &self.at_risk),
            ("q", &self.q),
        ] {
            let value = set
                .iter()
                .find(|(set_name, _)| *set_name == name)
                .map_or(value.as_str(), |(_, v)| *v);
            if !value.is_empty() {
                link.append_pair(name, value);
            }
        }
        if !order.is_empty() {
            link.append_pair("order", order);
        }
        if let Some(cursor) = after {
            link.append_pair("after", &cursor.to_string());
        }
        format!("/agent/tickets?{}", link.finish())
    }
}

fn total_text(tr: &Tr, total: ListTotal) -> String {
    match total {
        ListTotal::Exactly(n) => tr.n("tickets-count", n),
        ListTotal::MoreThan(n) => tr.a("agent-list-total-more", "count", tr.num(n)),
    }
}

/// The status filter's choices: (value, label).
fn status_choices(tr: &Tr) -> Vec<(&'static str, String)> {
    let mut choices = vec![
        ("active", tr.t("agent-list-status-active")),
        ("all", tr.t("agent-list-status-all")),
    ];
    choices.extend(Status::ALL.iter().map(|s| (s.id(), tr.status(s.id()))));
    choices.push(("spam", tr.t("agent-list-status-spam")));
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
            .map_err(|()| WebError::BadRequest("bad-status-filter")),
    }
}

pub(crate) fn parse_queue_filter(text: &str) -> WebResult<Option<Name>> {
    if text.is_empty() {
        return Ok(None);
    }
    Name::parse_queue(text)
        .map(Some)
        .map_err(|_| WebError::BadRequest("bad-queue"))
}

pub async fn list(agent: CurrentAgent, Query(query): Query<ListQuery>) -> WebResult<ListPage> {
    let tr = agent.tr.clone();
    let filter = query
        .fields()
        .filter(&agent.desk, StatusFilter::Active, PAGE_SIZE)?;
    let page = agent.desk.tickets(&filter).await?;
    let order = filter.order.id();
    let next_page = page.next.map(|cursor| query.link(order, Some(cursor), &[]));
    let first_page = filter.after.is_some().then(|| query.link(order, None, &[]));
    let now = crate::desk::now_unix();
    let at_risk_before = agent.desk.at_risk_deadline();
    let alerts = agent
        .desk
        .alerts(now - 7 * 86_400)
        .await?
        .into_iter()
        .map(|a| {
            let words = crate::web::alert_words::of(&tr, &a);
            AlertLine {
                kind: words.kind,
                when: tr.time(a.at),
                text: format!(
                    "{}{}{}",
                    a.agent_name.map(|n| format!("{n}: ")).unwrap_or_default(),
                    words.detail,
                    a.reference.map(|r| format!(" ({r})")).unwrap_or_default()
                ),
            }
        })
        .collect();
    let colleagues = agent.desk.colleagues().await?;
    let mut assignees = vec![
        (String::new(), tr.t("agent-list-anyone")),
        ("me".to_owned(), tr.t("agent-list-view-mine")),
        ("nobody".to_owned(), tr.t("agent-list-view-unassigned")),
    ];
    assignees.extend(colleagues.iter().map(|name| (name.clone(), name.clone())));
    let at_risk = parse_at_risk(&query.at_risk)?;
    let views = vec![
        ViewLink {
            label: "agent-list-view-all",
            href: "/agent/tickets".into(),
            current: query.assignee.is_empty() && !at_risk,
        },
        ViewLink {
            label: "agent-list-view-mine",
            href: query.link(order, None, &[("assignee", "me"), ("at_risk", "")]),
            current: query.assignee == "me" && !at_risk,
        },
        ViewLink {
            label: "agent-list-view-unassigned",
            href: query.link(order, None, &[("assignee", "nobody"), ("at_risk", "")]),
            current: query.assignee == "nobody" && !at_risk,
        },
        ViewLink {
            label: "agent-list-view-at-risk",
            href: query.link("urgency", None, &[("assignee", ""), ("at_risk", "1")]),
            current: at_risk,
        },
    ];
    Ok(ListPage {
        queues: agent.desk.queues().await?,
        nav: Nav::load(&agent).await?,
        notice: notice_text(&query.notice),
        alerts,
        views,
        queue: query.queue.clone(),
        statuses: status_choices(&tr),
        status: if query.status.is_empty() {
            "active".into()
        } else {
            query.status.clone()
        },
        priorities: Priority::ALL.iter().map(|p| p.id()).collect(),
        priority: query.priority.clone(),
        tiers: vec!["L1", "L2", "L3"],
        tier: query.tier.clone(),
        assignees,
        assignee: query.assignee.clone(),
        at_risk,
        query: query.q.clone(),
        orders: order_choices(&tr),
        order,
        tickets: page
            .tickets
            .into_iter()
            .map(|t| row(&tr, t, now, at_risk_before))
            .collect(),
        total: total_text(&tr, page.total),
        next_page,
        first_page,
        here: query.link(order, filter.after, &[]),
        bulk_statuses: Status::ALL
            .iter()
            .filter(|s| s.agent_may_set())
            .map(|s| (s.id(), tr.status(s.id())))
            .collect(),
        colleagues,
        t: tr,
    })
}

/// The catalogue key of a notice named in the address.
fn notice_text(code: &str) -> Option<&'static str> {
    match code {
        "escalated-away" => Some("agent-list-notice-escalated-away"),
        "bulk-done" => Some("agent-list-notice-bulk-done"),
        _ => None,
    }
}

/// One ticket as a list row; `at_risk_before` is the moment before which a target still
/// open is at risk (now plus the warning time).
fn row(tr: &Tr, t: TicketSummary, now: i64, at_risk_before: i64) -> Row {
    let (due, done) = if t.first_response_at.is_none() {
        (t.first_response_due, false)
    } else {
        (t.resolution_due, t.status.is_final())
    };
    // A ticket closed before anyone answered has no clock running: neither time left nor met.
    let (text, sla_late) = if t.status.is_final() && t.first_response_at.is_none() {
        (tr.t("sla-stopped"), false)
    } else {
        time_left(tr, due, done, now)
    };
    let done = done || t.status.is_final();
    let key = if t.first_response_at.is_none() {
        "agent-list-sla-first"
    } else {
        "agent-list-sla-resolution"
    };
    let sla = tr.a(key, "sla", text);
    let sla_at_risk = !done && !sla_late && due.is_some_and(|due| due <= at_risk_before);
    Row {
        reference: t.reference.to_string(),
        subject: t.subject,
        queue: t.queue,
        tier: t.tier.to_string(),
        priority: t.priority.id(),
        status: tr.status(t.status.id()),
        sla,
        sla_late,
        sla_at_risk,
        assignee: t.assignee.unwrap_or_default(),
        updated: tr.time(t.updated_at),
    }
}
