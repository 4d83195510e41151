//! SLA targets per priority: the configuration file's, overridden here where an admin set
//! one, and the page says which is in force.

use axum::response::{IntoResponse, Redirect, Response};

use crate::desk::{AdminView, SlaInForce};
use crate::domain::{MAX_SLA_HOURS, Priority};
use crate::web::agent::Nav;
use crate::web::error::{FieldError, WebError, WebResult};
use crate::web::session::{AdminForm, CurrentAdmin};

pub struct SlaLine {
    pub priority: &'static str,
    pub first_response_hours: i64,
    pub resolution_hours: i64,
    pub configured_first_response_hours: i64,
    pub configured_resolution_hours: i64,
    /// When an admin set the targets in force; `None` while the file's apply.
    pub set_at: Option<i64>,
}

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "admin/sla.html")]
pub struct SlaPage {
    pub t: crate::web::lang::Tr,
    pub nav: Nav,
    pub lines: Vec<SlaLine>,
}

fn line(sla: SlaInForce) -> SlaLine {
    SlaLine {
        priority: sla.priority.id(),
        first_response_hours: sla.first_response_hours(),
        resolution_hours: sla.resolution_hours(),
        configured_first_response_hours: sla.configured_first_response_hours,
        configured_resolution_hours: sla.configured_resolution_hours,
        set_at: sla.set_here.map(|o| o.changed_at),
    }
}

pub async fn show(admin: CurrentAdmin) -> WebResult<SlaPage> {
    let lines: Vec<SlaLine> = admin
        .admin
        .sla_in_force()
        .await?
        .into_iter()
        .map(line)
        .collect();
    admin.admin.record_view(AdminView::Sla, lines.len()).await?;
    Ok(SlaPage {
        t: admin.agent.tr.clone(),
        nav: Nav::load(&admin.agent).await?,
        lines,
    })
}

fn priority(form: &AdminForm) -> WebResult<Priority> {
    form.fields
        .get("priority")
        .and_then(|p| p.parse().ok())
        .ok_or(WebError::BadRequest("bad-choose-priority"))
}

/// A target in whole hours, or the field's problem: not a number, or out of range (a
/// problem with what was typed, so 422 with the field named, not a conflict).
fn hours(form: &AdminForm, field: &'static str) -> Result<i64, FieldError> {
    let hours: i64 = form
        .fields
        .get(field)
        .and_then(|h| h.trim().parse().ok())
        .ok_or_else(|| FieldError::keyed(field, "admin-sla-whole-hours"))?;
    if !(1..=MAX_SLA_HOURS).contains(&hours) {
        return Err(FieldError::keyed(field, "errors-sla-hours"));
    }
    Ok(hours)
}

pub async fn set(form: AdminForm) -> WebResult<Response> {
    let priority = priority(&form)?;
    let (first, resolution) = match (
        hours(&form, "first_response_hours"),
        hours(&form, "resolution_hours"),
    ) {
        (Ok(first), Ok(resolution)) => (first, resolution),
        (first, resolution) => {
            return Err(WebError::Invalid(
                [first.err(), resolution.err()]
                    .into_iter()
                    .flatten()
                    .collect(),
            ));
        }
    };
    form.admin
        .set_sla(priority, Some((first, resolution)))
        .await?;
    Ok(Redirect::to("/admin/sla").into_response())
}

/// Returns a priority to the configuration file's targets.
pub async fn reset(form: AdminForm) -> WebResult<Response> {
    let priority = priority(&form)?;
    form.admin.set_sla(priority, None).await?;
    Ok(Redirect::to("/admin/sla").into_response())
}
