//! Managing queues: flags, members, routing and canned responses.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

use super::name_field;
use crate::app::AppState;
use crate::domain::Category;
use crate::store::{AdminView, CannedResponse, QueueRow};
use crate::web::agent::Nav;
use crate::web::error::{WebError, WebResult};
use crate::web::session::{AdminForm, CurrentAdmin};

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "admin/queues.html")]
pub struct QueuesPage {
    pub nav: Nav,
    pub queues: Vec<QueueRow>,
    /// Every category with the queue it lands in.
    pub routes: Vec<(&'static str, String)>,
    pub canned: Vec<CannedResponse>,
}

pub async fn list(State(state): State<AppState>, admin: CurrentAdmin) -> WebResult<QueuesPage> {
    let store = &state.desk.store;
    let rules = store.routes(&admin.admin).await?;
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
    let queues = store.list_queues(&admin.admin).await?;
    store
        .audit_admin_view(&admin.admin, AdminView::Queues, queues.len())
        .await?;
    Ok(QueuesPage {
        nav: Nav::of(&admin.agent),
        queues,
        routes,
        canned: store.canned_responses(&admin.admin).await?,
    })
}

fn back() -> Response {
    Redirect::to("/admin/queues").into_response()
}

pub async fn create(State(state): State<AppState>, form: AdminForm) -> WebResult<Response> {
    let name = name_field("name", form.fields.get("name").unwrap_or_default())?;
    let restricted = form.fields.get("restricted") == Some("yes");
    state
        .desk
        .store
        .create_queue(&form.admin, &name, restricted)
        .await?;
    Ok(back())
}

pub async fn flags(
    State(state): State<AppState>,
    Path(queue): Path<String>,
    form: AdminForm,
) -> WebResult<Response> {
    let queue = name_field("queue", &queue)?;
    state
        .desk
        .store
        .set_queue_flags(
            &form.admin,
            &queue,
            form.fields.get("restricted") == Some("yes"),
            form.fields.get("require_encryption") == Some("yes"),
        )
        .await?;
    Ok(back())
}

pub async fn add_member(
    State(state): State<AppState>,
    Path(queue): Path<String>,
    form: AdminForm,
) -> WebResult<Response> {
    let queue = name_field("queue", &queue)?;
    let agent = name_field("agent", form.fields.get("agent").unwrap_or_default())?;
    state
        .desk
        .store
        .add_member(
            &form.admin,
            &queue,
            &agent,
            form.fields.get("owner") == Some("yes"),
        )
        .await?;
    Ok(back())
}

pub async fn remove_member(
    State(state): State<AppState>,
    Path(queue): Path<String>,
    form: AdminForm,
) -> WebResult<Response> {
    let queue = name_field("queue", &queue)?;
    let agent = name_field("agent", form.fields.get("agent").unwrap_or_default())?;
    state
        .desk
        .store
        .remove_member(&form.admin, &queue, &agent)
        .await?;
    Ok(back())
}

pub async fn route(State(state): State<AppState>, form: AdminForm) -> WebResult<Response> {
    let category: Category = form
        .fields
        .get("category")
        .and_then(|c| c.parse().ok())
        .ok_or(WebError::BadRequest("Choose a category."))?;
    let queue = name_field("queue", form.fields.get("queue").unwrap_or_default())?;
    state
        .desk
        .store
        .set_route(&form.admin, category, &queue)
        .await?;
    Ok(back())
}

pub async fn add_canned(State(state): State<AppState>, form: AdminForm) -> WebResult<Response> {
    let queue = name_field("queue", form.fields.get("queue").unwrap_or_default())?;
    state
        .desk
        .add_canned_response(
            &form.admin,
            &queue,
            form.fields.get("title").unwrap_or_default(),
            form.fields.get("body").unwrap_or_default(),
        )
        .await?;
    Ok(back())
}

pub async fn delete_canned(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: AdminForm,
) -> WebResult<Response> {
    state
        .desk
        .store
        .delete_canned_response(&form.admin, id)
        .await?;
    Ok(back())
}
