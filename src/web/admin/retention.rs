//! Retention policies and legal holds.

use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};

use super::queue_field;
use crate::desk::{AdminView, RetentionPolicy, RetentionScope};
use crate::domain::{Category, ReasonInput, Reference};
use crate::web::agent::Nav;
use crate::web::error::{FieldError, WebError, WebResult};
use crate::web::session::{AdminForm, CurrentAdmin};

pub struct HoldLine {
    pub reference: String,
    pub reason: String,
    pub placed_by: String,
    pub since: i64,
}

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "admin/retention.html")]
pub struct RetentionPage {
    pub t: crate::web::lang::Tr,
    pub nav: Nav,
    pub policy: RetentionPolicy,
    pub queues: Vec<String>,
    pub categories: Vec<&'static str>,
    pub holds: Vec<HoldLine>,
}

pub async fn show(admin: CurrentAdmin) -> WebResult<RetentionPage> {
    let holds = admin.admin.holds().await?;
    admin
        .admin
        .record_view(AdminView::Retention, holds.len())
        .await?;
    Ok(RetentionPage {
        nav: Nav::load(&admin.agent).await?,
        t: admin.agent.tr.clone(),
        policy: admin.admin.retention_policy().await?,
        queues: admin
            .admin
            .queues()
            .await?
            .into_iter()
            .filter(|q| !q.archived)
            .map(|q| q.name)
            .collect(),
        categories: Category::ALL.iter().map(|c| c.id()).collect(),
        holds: holds
            .into_iter()
            .map(|h| HoldLine {
                reference: h.reference,
                reason: h.reason,
                placed_by: h.placed_by,
                since: h.placed_at,
            })
            .collect(),
    })
}

fn scope(text: &str) -> WebResult<RetentionScope> {
    let bad = || WebError::BadRequest("bad-retention-scope");
    Ok(match text {
        "default" => RetentionScope::Default,
        "spam" => RetentionScope::Spam,
        "attachments" => RetentionScope::Attachments,
        other => match other.split_once(':') {
            Some(("queue", name)) => RetentionScope::Queue(queue_field("scope", name)?),
            Some(("category", id)) => RetentionScope::Category(id.parse().map_err(|()| bad())?),
            _ => return Err(bad()),
        },
    })
}

fn back() -> Response {
    Redirect::to("/admin/retention").into_response()
}

pub async fn set(form: AdminForm) -> WebResult<Response> {
    let scope = scope(form.fields.get("scope").unwrap_or_default())?;
    let days: i64 = form
        .fields
        .get("days")
        .and_then(|d| d.trim().parse().ok())
        .ok_or_else(|| {
            WebError::Invalid(vec![FieldError::keyed(
                "days",
                "admin-retention-whole-days",
            )])
        })?;
    form.admin.set_retention(scope, Some(days)).await?;
    Ok(back())
}

pub async fn remove(form: AdminForm) -> WebResult<Response> {
    let scope = scope(form.fields.get("scope").unwrap_or_default())?;
    form.admin.set_retention(scope, None).await?;
    Ok(back())
}

pub async fn hold(form: AdminForm) -> WebResult<Response> {
    let reference: Reference = form
        .fields
        .get("reference")
        .unwrap_or_default()
        .trim()
        .to_ascii_uppercase()
        .parse()
        .map_err(|()| WebError::NotFound)?;
    let reason = ReasonInput::parse(form.fields.get("reason").unwrap_or_default())
        .map_err(|e| WebError::Invalid(vec![FieldError::from(&e)]))?;
    form.admin.place_hold(&reference, &reason.text).await?;
    Ok(back())
}

pub async fn release(Path(reference): Path<String>, form: AdminForm) -> WebResult<Response> {
    form.admin.release_hold(&reference).await?;
    Ok(back())
}
