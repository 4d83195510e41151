//! Managing queues: flags, names, archiving, members, routing and canned responses. Pickers
//! offer the queues in use and the agents that exist; archived queues are listed apart.

use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};

use super::{name_field, queue_field};
use crate::desk::{AdminView, CannedResponse, QueueRow};
use crate::domain::Category;
use crate::web::agent::Nav;
use crate::web::error::{WebError, WebResult};
use crate::web::session::{AdminForm, CurrentAdmin};

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "admin/queues.html")]
pub struct QueuesPage {
    pub t: crate::web::lang::Tr,
    pub nav: Nav,
    /// The queues in use.
    pub queues: Vec<QueueRow>,
    pub archived: Vec<QueueRow>,
    /// Every agent's name, for the member pickers.
    pub agents: Vec<String>,
    /// Every category with the queue it lands in.
    pub routes: Vec<(&'static str, String)>,
    pub canned: Vec<CannedResponse>,
}

pub async fn list(admin: CurrentAdmin) -> WebResult<QueuesPage> {
    let rules = admin.admin.routes().await?;
    let routes = Category::ALL
        .iter()
        .map(|c| {
            let queue = rules
                .iter()
                .find(|r| r.category == *c)
                .map_or_else(|| "general".to_owned(), |r| r.queue.clone());
            (c.id(), queue)
        })
        .collect();
    let (archived, queues): (Vec<QueueRow>, Vec<QueueRow>) = admin
        .admin
        .queues()
        .await?
        .into_iter()
        .partition(|q| q.archived);
    admin
        .admin
        .record_view(AdminView::Queues, queues.len() + archived.len())
        .await?;
    Ok(QueuesPage {
        nav: Nav::load(&admin.agent).await?,
        t: admin.agent.tr.clone(),
        queues,
        archived,
        agents: admin
            .admin
            .agents()
            .await?
            .into_iter()
            .map(|a| a.name)
            .collect(),
        routes,
        canned: admin.admin.canned_responses().await?,
    })
}

fn back() -> Response {
    Redirect::to("/admin/queues").into_response()
}

pub async fn create(form: AdminForm) -> WebResult<Response> {
    let name = queue_field("name", form.fields.get("name").unwrap_or_default())?;
    let restricted = form.fields.get("restricted") == Some("yes");
    form.admin.create_queue(&name, restricted).await?;
    Ok(back())
}

pub async fn flags(Path(queue): Path<String>, form: AdminForm) -> WebResult<Response> {
    let queue = queue_field("queue", &queue)?;
    form.admin
        .set_queue_flags(
            &queue,
            form.fields.get("restricted") == Some("yes"),
            form.fields.get("require_encryption") == Some("yes"),
        )
        .await?;
    Ok(back())
}

pub async fn rename(Path(queue): Path<String>, form: AdminForm) -> WebResult<Response> {
    let queue = queue_field("queue", &queue)?;
    let to = queue_field("name", form.fields.get("name").unwrap_or_default())?;
    form.admin.rename_queue(&queue, &to).await?;
    Ok(back())
}

pub async fn archive(Path(queue): Path<String>, form: AdminForm) -> WebResult<Response> {
    let queue = queue_field("queue", &queue)?;
    form.admin.set_queue_archived(&queue, true).await?;
    Ok(back())
}

pub async fn restore(Path(queue): Path<String>, form: AdminForm) -> WebResult<Response> {
    let queue = queue_field("queue", &queue)?;
    form.admin.set_queue_archived(&queue, false).await?;
    Ok(back())
}

pub async fn add_member(Path(queue): Path<String>, form: AdminForm) -> WebResult<Response> {
    let queue = queue_field("queue", &queue)?;
    let agent = name_field("agent", form.fields.get("agent").unwrap_or_default())?;
    form.admin
        .add_member(&queue, &agent, form.fields.get("owner") == Some("yes"))
        .await?;
    Ok(back())
}

pub async fn remove_member(Path(queue): Path<String>, form: AdminForm) -> WebResult<Response> {
    let queue = queue_field("queue", &queue)?;
    let agent = name_field("agent", form.fields.get("agent").unwrap_or_default())?;
    form.admin.remove_member(&queue, &agent).await?;
    Ok(back())
}

pub async fn route(form: AdminForm) -> WebResult<Response> {
    let category: Category = form
        .fields
        .get("category")
        .and_then(|c| c.parse().ok())
        .ok_or(WebError::BadRequest("bad-choose-category"))?;
    let queue = queue_field("queue", form.fields.get("queue").unwrap_or_default())?;
    form.admin.set_route(category, &queue).await?;
    Ok(back())
}

pub async fn add_canned(form: AdminForm) -> WebResult<Response> {
    let queue = queue_field("queue", form.fields.get("queue").unwrap_or_default())?;
    form.admin
        .add_canned_response(
            &queue,
            form.fields.get("title").unwrap_or_default(),
            form.fields.get("body").unwrap_or_default(),
        )
        .await?;
    Ok(back())
}

pub async fn edit_canned(Path(id): Path<i64>, form: AdminForm) -> WebResult<Response> {
    form.admin
        .edit_canned_response(
            id,
            form.fields.get("title").unwrap_or_default(),
            form.fields.get("body").unwrap_or_default(),
        )
        .await?;
    Ok(back())
}

/// A page that asks before an admin action that cannot be undone (no JavaScript needed).
#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "admin/confirm.html")]
pub struct AdminConfirmPage {
    pub t: crate::web::lang::Tr,
    pub nav: Nav,
    pub question: String,
    pub explanation: String,
    pub action: String,
    pub button: String,
    pub cancel: &'static str,
}

/// Deletes a canned response after asking: agents lose it from every ticket's picker at once.
pub async fn delete_canned(Path(id): Path<i64>, form: AdminForm) -> WebResult<Response> {
    if form.fields.get("confirm") != Some("yes") {
        let canned = form.admin.canned_responses().await?;
        let chosen = canned
            .iter()
            .find(|c| c.id == id)
            .ok_or(WebError::NotFound)?;
        let t = &form.agent.tr;
        return Ok(AdminConfirmPage {
            question: t.a2(
                "admin-canned-delete-question",
                "title",
                &chosen.title,
                "queue",
                &chosen.queue,
            ),
            explanation: t.t("admin-canned-delete-explanation"),
            action: format!("/admin/canned/{id}/delete"),
            button: t.t("admin-canned-delete-yes"),
            cancel: "/admin/queues",
            nav: Nav::load(&form.agent).await?,
            t: t.clone(),
        }
        .into_response());
    }
    form.admin.delete_canned_response(id).await?;
    Ok(back())
}
