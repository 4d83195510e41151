//! Who may write the knowledge base: an admin grants an agent the articles of a queue, or
//! takes the grant back. Both are audited by the store.

use axum::response::{IntoResponse, Redirect, Response};

use crate::desk::KbEditorRow;
use crate::web::agent::Nav;
use crate::web::error::WebResult;
use crate::web::session::{AdminForm, CurrentAdmin};

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "admin/kb_editors.html")]
pub struct KbEditorsPage {
    pub t: crate::web::lang::Tr,
    pub nav: Nav,
    pub editors: Vec<KbEditorRow>,
}

pub async fn show(admin: CurrentAdmin) -> WebResult<KbEditorsPage> {
    Ok(KbEditorsPage {
        nav: Nav::load(&admin.agent).await?,
        t: admin.agent.tr.clone(),
        editors: admin.admin.kb_editors().await?,
    })
}

fn back() -> Response {
    Redirect::to("/admin/kb-editors").into_response()
}

pub async fn grant(form: AdminForm) -> WebResult<Response> {
    let agent = form.fields.get("agent").unwrap_or_default().trim();
    let queue = form.fields.get("queue").unwrap_or_default().trim();
    form.admin.kb_grant(agent, queue).await?;
    Ok(back())
}

pub async fn revoke(form: AdminForm) -> WebResult<Response> {
    let agent = form.fields.get("agent").unwrap_or_default();
    let queue = form.fields.get("queue").unwrap_or_default();
    form.admin.kb_revoke(agent, queue).await?;
    Ok(back())
}
