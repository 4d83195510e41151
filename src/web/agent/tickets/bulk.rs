//! Bulk changes from the list: the chosen tickets' checkboxes plus one change (assign,
//! status, move, close). Each ticket is changed and audited on its own; a ticket out of the
//! agent's scope refuses the whole request before anything changes. Closing asks first.

use axum::response::{IntoResponse, Redirect, Response};

use super::super::Nav;
use super::{invalid, reference};
use crate::desk::BulkChange;
use crate::domain::{Name, Reference, Status};
use crate::web::error::WebResult;
use crate::web::session::CsrfForm;

/// The page that asks before the chosen tickets are closed (no JavaScript needed).
#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "agent/bulk_confirm.html")]
pub struct BulkConfirmPage {
    pub t: crate::web::lang::Tr,
    pub nav: Nav,
    pub references: Vec<String>,
    pub back: String,
}

/// Where the list the form came from is, for going back to it (only a list address).
fn back_link(form: &CsrfForm) -> String {
    match form.fields.get("back") {
        Some(back) if back.starts_with("/agent/tickets?") || back == "/agent/tickets" => {
            back.to_owned()
        }
        _ => "/agent/tickets".to_owned(),
    }
}

/// Whether the form closes its tickets: "Close", or "Set status" with closed chosen.
fn closes(form: &CsrfForm) -> bool {
    match form.fields.get("change") {
        Some("close") => true,
        Some("status") => {
            form.fields
                .get("status")
                .and_then(|s| s.parse::<Status>().ok())
                == Some(Status::Closed)
        }
        _ => false,
    }
}

pub async fn bulk(form: CsrfForm) -> WebResult<Response> {
    let references = form
        .fields
        .get_all("ticket")
        .map(reference)
        .collect::<WebResult<Vec<Reference>>>()?;
    if references.is_empty() {
        return Err(invalid("ticket", "agent-list-choose-some"));
    }
    let confirmed = form.fields.get("confirm") == Some("yes");
    let change = match form.fields.get("change").unwrap_or_default() {
        "assign" => BulkChange::Assign(match form.fields.get("assignee").unwrap_or_default() {
            "" => None,
            name => Some(Name::parse(name).map_err(|e| invalid("assignee", e.key()))?),
        }),
        // Closing asks first however it is chosen: "Close" or "Set status" to closed.
        "status" | "close" if !confirmed && closes(&form) => {
            return Ok(BulkConfirmPage {
                t: form.agent.tr.clone(),
                nav: Nav::load(&form.agent).await?,
                references: references.iter().map(ToString::to_string).collect(),
                back: back_link(&form),
            }
            .into_response());
        }
        "status" => BulkChange::Status(
            form.fields
                .get("status")
                .and_then(|s| s.parse::<Status>().ok())
                .ok_or_else(|| invalid("status", "agent-ticket-choose-status"))?,
        ),
        "move" => BulkChange::Move {
            queue: Name::parse_queue(form.fields.get("queue").unwrap_or_default())
                .map_err(|e| invalid("queue", e.key()))?,
            reason: form.fields.get("reason").unwrap_or_default().to_owned(),
        },
        "close" => BulkChange::Status(Status::Closed),
        _ => return Err(invalid("change", "agent-list-choose-change")),
    };
    form.agent.desk.bulk_change(&references, &change).await?;
    let back = back_link(&form);
    let separator = if back.contains('?') { '&' } else { '?' };
    Ok(Redirect::to(&format!("{back}{separator}notice=bulk-done")).into_response())
}
