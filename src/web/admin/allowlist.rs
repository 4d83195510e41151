//! The redaction allowlist: the organisation's own public values (hotline, support
//! address, mail domain) that are never masked. Adding and removing are audited as
//! configuration changes; looking is audited as an admin view.

use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};

use crate::web::agent::Nav;
use crate::web::error::WebResult;
use crate::web::session::{AdminForm, CurrentAdmin};

pub struct EntryLine {
    pub id: i64,
    pub value: String,
    pub kind: String,
    pub added_by: String,
    pub added_at: i64,
}

pub struct ConfiguredLine {
    pub value: String,
    pub kind: String,
}

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "admin/allowlist.html")]
pub struct AllowlistPage {
    pub t: crate::web::lang::Tr,
    pub nav: Nav,
    pub entries: Vec<EntryLine>,
    pub configured: Vec<ConfiguredLine>,
}

pub async fn show(admin: CurrentAdmin) -> WebResult<AllowlistPage> {
    let view = admin.admin.allowlist().await?;
    let rows = view.stored;
    Ok(AllowlistPage {
        nav: Nav::load(&admin.agent).await?,
        t: admin.agent.tr.clone(),
        entries: rows
            .into_iter()
            .map(|r| EntryLine {
                id: r.id,
                value: r.value,
                kind: r.kind,
                added_by: r.added_by,
                added_at: r.added_at,
            })
            .collect(),
        configured: view
            .configured
            .into_iter()
            .map(|(value, kind)| ConfiguredLine { value, kind })
            .collect(),
    })
}

fn back() -> Response {
    Redirect::to("/admin/allowlist").into_response()
}

pub async fn add(form: AdminForm) -> WebResult<Response> {
    let value = form.fields.get("value").unwrap_or_default();
    form.admin.allow_value(value).await?;
    Ok(back())
}

pub async fn remove(Path(id): Path<i64>, form: AdminForm) -> WebResult<Response> {
    form.admin.remove_allowed(id).await?;
    Ok(back())
}
