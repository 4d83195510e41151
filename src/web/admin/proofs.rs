//! Proof codes: the product's verification hook as configured (its host and last failure)
//! and the token lists admins import for requesters to prove ownership with. Tokens are
//! shown nowhere, not even right after their import: the desk keeps only their digests.

use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};

use crate::web::admin::queues::AdminConfirmPage;
use crate::web::agent::Nav;
use crate::web::error::{WebError, WebResult};
use crate::web::session::{AdminForm, CurrentAdmin};

pub struct ListLine {
    pub id: i64,
    pub name: String,
    pub total: i64,
    pub used: i64,
    pub imported_at: i64,
    pub imported_by: String,
}

/// What the last import stored, shown once after it.
pub struct Imported {
    pub stored: usize,
    pub duplicates: usize,
}

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "admin/proofs.html")]
pub struct ProofsPage {
    pub t: crate::web::lang::Tr,
    pub nav: Nav,
    pub hook_host: Option<String>,
    pub hook_last_failure: Option<i64>,
    pub lists: Vec<ListLine>,
    pub imported: Option<Imported>,
    pub failures_per_hour: i64,
}

#[derive(serde::Deserialize)]
pub struct ShowQuery {
    stored: Option<usize>,
    duplicates: Option<usize>,
}

pub async fn show(admin: CurrentAdmin, Query(query): Query<ShowQuery>) -> WebResult<ProofsPage> {
    let hook = admin.admin.proof_hook_status().await?;
    let lists = admin.admin.proof_token_lists().await?;
    Ok(ProofsPage {
        nav: Nav::load(&admin.agent).await?,
        t: admin.agent.tr.clone(),
        hook_host: hook.host,
        hook_last_failure: hook.last_failure_at,
        lists: lists
            .into_iter()
            .map(|l| ListLine {
                id: l.id,
                name: l.name,
                total: l.total,
                used: l.used,
                imported_at: l.imported_at,
                imported_by: l.imported_by,
            })
            .collect(),
        imported: query.stored.map(|stored| Imported {
            stored,
            duplicates: query.duplicates.unwrap_or(0),
        }),
        failures_per_hour: crate::desk::CODE_FAILURES_PER_HOUR,
    })
}

/// Imports the pasted list: one token a line.
pub async fn import(form: AdminForm) -> WebResult<Response> {
    let done = form
        .admin
        .import_proof_tokens(
            form.fields.get("name").unwrap_or_default(),
            form.fields.get("tokens").unwrap_or_default(),
        )
        .await?;
    Ok(Redirect::to(&format!(
        "/admin/proofs?stored={}&duplicates={}",
        done.stored, done.duplicates
    ))
    .into_response())
}

/// Deletes a list after asking: its unused tokens stop proving anything at once.
pub async fn delete(Path(id): Path<i64>, form: AdminForm) -> WebResult<Response> {
    if form.fields.get("confirm") != Some("yes") {
        let lists = form.admin.proof_token_lists().await?;
        let chosen = lists
            .iter()
            .find(|l| l.id == id)
            .ok_or(WebError::NotFound)?;
        let t = &form.agent.tr;
        return Ok(AdminConfirmPage {
            question: t.a("admin-proofs-delete-question", "name", &chosen.name),
            explanation: t.n(
                "admin-proofs-delete-explanation",
                chosen.total - chosen.used,
            ),
            action: format!("/admin/proofs/{id}/delete"),
            button: t.t("admin-proofs-delete-yes"),
            cancel: "/admin/proofs",
            nav: Nav::load(&form.agent).await?,
            t: t.clone(),
        }
        .into_response());
    }
    form.admin.delete_proof_token_list(id).await?;
    Ok(Redirect::to("/admin/proofs").into_response())
}
