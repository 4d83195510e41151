//! The redaction allowlist: the organisation's own public values (hotline, support
//! address, mail domain) that are never masked. Adding and removing are audited as
//! configuration changes; looking is audited as an admin view.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

use crate::app::AppState;
use crate::store::AdminView;
use crate::web::agent::Nav;
use crate::web::error::WebResult;
use crate::web::public::human_time;
use crate::web::session::{AdminForm, CurrentAdmin};

pub struct EntryLine {
    pub id: i64,
    pub value: String,
    pub kind: String,
    pub added_by: String,
    pub added_at: String,
}

pub struct ConfiguredLine {
    pub value: String,
    pub kind: String,
}

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "admin/allowlist.html")]
pub struct AllowlistPage {
    pub nav: Nav,
    pub entries: Vec<EntryLine>,
    pub configured: Vec<ConfiguredLine>,
}

pub async fn show(State(state): State<AppState>, admin: CurrentAdmin) -> WebResult<AllowlistPage> {
    let store = &state.desk.store;
    let rows = store.allowlist().await?;
    let configured = state.desk.redactor.allowlist().current();
    store
        .audit_admin_view(
            &admin.admin,
            AdminView::Allowlist,
            rows.len() + configured.configured().len(),
        )
        .await?;
    Ok(AllowlistPage {
        nav: Nav::of(&admin.agent),
        entries: rows
            .into_iter()
            .map(|r| EntryLine {
                id: r.id,
                value: r.value,
                kind: r.kind,
                added_by: r.added_by,
                added_at: human_time(r.added_at),
            })
            .collect(),
        configured: configured
            .configured()
            .iter()
            .map(|e| ConfiguredLine {
                value: e.value().to_owned(),
                kind: e.kind().to_owned(),
            })
            .collect(),
    })
}

fn back() -> Response {
    Redirect::to("/admin/allowlist").into_response()
}

pub async fn add(State(state): State<AppState>, form: AdminForm) -> WebResult<Response> {
    let value = form.fields.get("value").unwrap_or_default();
    state.desk.allow_value(&form.admin, value).await?;
    Ok(back())
}

pub async fn remove(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: AdminForm,
) -> WebResult<Response> {
    state.desk.remove_allowed(&form.admin, id).await?;
    Ok(back())
}
