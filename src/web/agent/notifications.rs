//! The agent's desk notifications: new tickets in their queues, requesters writing on their
//! tickets, tickets assigned to them, and their tickets entering the SLA warning window. The
//! page lists the last week's, newest first; "mark as read" clears the count in the
//! navigation.

use axum::response::{IntoResponse, Redirect, Response};

use super::Nav;
use crate::desk::NotificationKind;
use crate::web::error::WebResult;
use crate::web::lang::Tr;
use crate::web::session::{CsrfForm, CurrentAgent};

pub struct NotificationLine {
    /// A catalogue key.
    pub text: &'static str,
    pub kind: &'static str,
    pub reference: String,
    pub when: String,
    pub unread: bool,
}

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "agent/notifications.html")]
pub struct NotificationsPage {
    pub t: Tr,
    pub nav: Nav,
    pub lines: Vec<NotificationLine>,
}

fn text(kind: NotificationKind) -> &'static str {
    match kind {
        NotificationKind::NewTicket => "agent-list-notification-new-ticket",
        NotificationKind::RequesterReplied => "agent-list-notification-requester-replied",
        NotificationKind::AssignedToMe => "agent-list-notification-assigned-to-me",
        NotificationKind::SlaAtRisk => "agent-list-notification-sla-at-risk",
    }
}

pub async fn show(agent: CurrentAgent) -> WebResult<NotificationsPage> {
    let lines = agent
        .desk
        .notifications()
        .await?
        .into_iter()
        .map(|n| NotificationLine {
            text: text(n.kind),
            kind: n.kind.id(),
            reference: n.reference.to_string(),
            when: agent.tr.time(n.at),
            unread: n.unread,
        })
        .collect();
    Ok(NotificationsPage {
        t: agent.tr.clone(),
        nav: Nav::load(&agent).await?,
        lines,
    })
}

pub async fn mark_read(form: CsrfForm) -> WebResult<Response> {
    form.agent.desk.mark_notifications_read().await?;
    Ok(Redirect::to("/agent/notifications").into_response())
}
