//! One agent: role and queue memberships from pickers, and disabling or enabling with a
//! confirmation step (a second form, so it works without JavaScript). The desk refuses
//! what must not happen (the last active admin, making an admin); this page says why.

use axum::Extension;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::{name_field, queue_field};
use crate::desk::{AdminDesk, Conflict, DeskError};
use crate::domain::{Name, Role};
use crate::web::agent::Nav;
use crate::web::error::{Rendered, WebResult};
use crate::web::session::{AdminForm, CurrentAdmin, CurrentAgent};

/// A queue in use, as a checkbox.
pub struct QueueChoice {
    pub name: String,
    pub restricted: bool,
    pub member: bool,
}

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "admin/agent.html")]
pub struct AgentPage {
    pub t: crate::web::lang::Tr,
    pub nav: Nav,
    pub name: String,
    pub role: &'static str,
    /// The roles this page may set: never admin, unless the agent is one already.
    pub roles: Vec<&'static str>,
    pub queues: Vec<QueueChoice>,
    pub disabled: bool,
    pub own_account: bool,
    /// The only active admin: neither demotion nor disabling is offered, since the desk
    /// would refuse both.
    pub last_admin: bool,
    pub error: Option<String>,
}

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "admin/agent_confirm.html")]
pub struct ConfirmPage {
    pub t: crate::web::lang::Tr,
    pub nav: Nav,
    pub name: String,
    pub disable: bool,
    pub own_account: bool,
}

async fn page(
    admin: &AdminDesk,
    agent: &CurrentAgent,
    name: &Name,
    error: Option<String>,
) -> WebResult<AgentPage> {
    let agents = admin.agents().await?;
    let active_admins = agents
        .iter()
        .filter(|a| a.role == Role::Admin && !a.disabled)
        .count();
    let shown = agents
        .into_iter()
        .find(|a| a.name == name.as_str())
        .ok_or(crate::web::error::WebError::NotFound)?;
    let last_admin = shown.role == Role::Admin && !shown.disabled && active_admins == 1;
    let queues = admin
        .queues()
        .await?
        .into_iter()
        .filter(|q| !q.archived)
        .map(|q| QueueChoice {
            member: shown.queues.contains(&q.name),
            name: q.name,
            restricted: q.restricted,
        })
        .collect();
    let roles = Role::ALL
        .into_iter()
        .filter(|r| *r != Role::Admin || shown.role == Role::Admin)
        .map(Role::id)
        .collect();
    Ok(AgentPage {
        t: agent.tr.clone(),
        nav: Nav::load(agent).await?,
        own_account: shown.name == agent.desk.name().as_str(),
        name: shown.name,
        role: shown.role.id(),
        roles,
        queues,
        disabled: shown.disabled,
        last_admin,
        error,
    })
}

pub async fn show(admin: CurrentAdmin, Path(name): Path<String>) -> WebResult<AgentPage> {
    let name = name_field("agent", &name)?;
    let shown = page(&admin.admin, &admin.agent, &name, None).await?;
    admin
        .admin
        .record_view(crate::desk::AdminView::Agents, 1)
        .await?;
    Ok(shown)
}

/// The page again with the desk's refusal, answered 409.
async fn refused(form: &AdminForm, name: &Name, why: Conflict) -> WebResult<Response> {
    let message = form.agent.tr.t(crate::web::error::conflict_key(why));
    let shown = page(&form.admin, &form.agent, name, Some(message)).await?;
    Ok((StatusCode::CONFLICT, Extension(Rendered), shown).into_response())
}

fn back_to(name: &Name) -> Response {
    Redirect::to(&format!("/admin/agents/{name}")).into_response()
}

pub async fn set_role(Path(name): Path<String>, form: AdminForm) -> WebResult<Response> {
    let name = name_field("agent", &name)?;
    let role: Role = form
        .fields
        .get("role")
        .and_then(|r| r.parse().ok())
        .ok_or(crate::web::error::WebError::BadRequest("bad-choose-role"))?;
    match form.admin.set_agent_role(&name, role).await {
        Ok(()) => Ok(back_to(&name)),
        Err(DeskError::Conflict(why)) => refused(&form, &name, why).await,
        Err(other) => Err(other.into()),
    }
}

pub async fn set_queues(Path(name): Path<String>, form: AdminForm) -> WebResult<Response> {
    let name = name_field("agent", &name)?;
    let queues = form
        .fields
        .get_all("queue")
        .map(|q| queue_field("queue", q))
        .collect::<WebResult<Vec<Name>>>()?;
    match form.admin.set_agent_queues(&name, &queues).await {
        Ok(()) => Ok(back_to(&name)),
        Err(DeskError::Conflict(why)) => refused(&form, &name, why).await,
        Err(other) => Err(other.into()),
    }
}

pub async fn disable(path: Path<String>, form: AdminForm) -> WebResult<Response> {
    set_disabled(path, form, true).await
}

pub async fn enable(path: Path<String>, form: AdminForm) -> WebResult<Response> {
    set_disabled(path, form, false).await
}

/// Without `confirm=yes` the change is only asked about: a page that names what will
/// happen, with the button that does it and a way back.
async fn set_disabled(
    Path(name): Path<String>,
    form: AdminForm,
    disable: bool,
) -> WebResult<Response> {
    let name = name_field("agent", &name)?;
    if form.fields.get("confirm") != Some("yes") {
        return Ok(ConfirmPage {
            t: form.agent.tr.clone(),
            nav: Nav::load(&form.agent).await?,
            own_account: name == *form.agent.desk.name(),
            name: name.to_string(),
            disable,
        }
        .into_response());
    }
    match form.admin.set_agent_disabled(&name, disable).await {
        // Disabling oneself ends one's own session: the agents page would only bounce to
        // the sign-in.
        Ok(()) => Ok(Redirect::to("/admin/agents").into_response()),
        Err(DeskError::Conflict(why)) => refused(&form, &name, why).await,
        Err(other) => Err(other.into()),
    }
}
