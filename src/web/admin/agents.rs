//! Managing agents: list, add (secrets shown once), disable and enable.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

use super::name_field;
use crate::access::{PrepareError, prepare_agent};
use crate::app::AppState;
use crate::domain::Role;
use crate::store::{AdminScope, StoreError};
use crate::web::agent::Nav;
use crate::web::error::{WebError, WebResult};
use crate::web::session::{AdminForm, CurrentAdmin, CurrentAgent};

pub struct AgentLine {
    pub name: String,
    pub role: &'static str,
    pub has_second_factor: bool,
    pub queues: String,
    pub disabled: bool,
    pub locked: bool,
}

pub struct Created {
    pub name: String,
    pub password: Option<String>,
    pub otpauth: Option<String>,
}

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "admin/agents.html")]
pub struct AgentsPage {
    pub nav: Nav,
    pub agents: Vec<AgentLine>,
    pub created: Option<Created>,
    pub error: Option<String>,
}

async fn page(
    state: &AppState,
    admin: &AdminScope,
    agent: &CurrentAgent,
    created: Option<Created>,
    error: Option<String>,
) -> WebResult<AgentsPage> {
    let agents = state.desk.store.list_agents(admin).await?;
    Ok(AgentsPage {
        nav: Nav::of(agent),
        agents: agents
            .into_iter()
            .map(|a| AgentLine {
                name: a.name,
                role: a.role.id(),
                has_second_factor: a.has_second_factor,
                queues: a.queues.join(" "),
                disabled: a.disabled,
                locked: a.locked,
            })
            .collect(),
        created,
        error,
    })
}

pub async fn list(State(state): State<AppState>, admin: CurrentAdmin) -> WebResult<AgentsPage> {
    let shown = page(&state, &admin.admin, &admin.agent, None, None).await?;
    state
        .desk
        .store
        .audit_admin_view(
            &admin.admin,
            crate::store::AdminView::Agents,
            shown.agents.len(),
        )
        .await?;
    Ok(shown)
}

pub async fn create(State(state): State<AppState>, form: AdminForm) -> WebResult<Response> {
    let role: Role = form
        .fields
        .get("role")
        .and_then(|r| r.parse().ok())
        .ok_or(WebError::BadRequest("Choose a role."))?;
    let name = form.fields.get("name").unwrap_or_default();
    let queues: Vec<String> = form
        .fields
        .get("queues")
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    let with_totp = form.fields.get("totp") == Some("yes");
    let prepared = match prepare_agent(&state.desk.keyring, name, role, None, with_totp, &queues) {
        Ok(prepared) => prepared,
        Err(PrepareError::Internal(e)) => return Err(e.into()),
        Err(other) => {
            let error = Some(other.to_string());
            return Ok(page(&state, &form.admin, &form.agent, None, error)
                .await?
                .into_response());
        }
    };
    let created = Created {
        name: prepared.agent.name.to_string(),
        password: prepared.initial_password.clone(),
        otpauth: prepared.provisioning_uri.clone(),
    };
    let error = match state
        .desk
        .store
        .create_agent(&form.admin, prepared.agent)
        .await
    {
        Ok(()) => None,
        Err(StoreError::Conflict(_)) => Some("An agent with that name already exists.".to_owned()),
        Err(StoreError::NotFound) => Some("One of those queues does not exist.".to_owned()),
        Err(other) => return Err(other.into()),
    };
    let created = error.is_none().then_some(created);
    Ok(page(&state, &form.admin, &form.agent, created, error)
        .await?
        .into_response())
}

pub async fn disable(
    state: State<AppState>,
    path: Path<String>,
    form: AdminForm,
) -> WebResult<Response> {
    set_disabled(state, path, form, true).await
}

pub async fn enable(
    state: State<AppState>,
    path: Path<String>,
    form: AdminForm,
) -> WebResult<Response> {
    set_disabled(state, path, form, false).await
}

async fn set_disabled(
    State(state): State<AppState>,
    Path(name): Path<String>,
    form: AdminForm,
    disabled: bool,
) -> WebResult<Response> {
    let name = name_field("agent", &name)?;
    state
        .desk
        .store
        .set_agent_disabled(&form.admin, &name, disabled)
        .await?;
    Ok(Redirect::to("/admin/agents").into_response())
}

/// Issues a new one-time password (and second factor where one is needed), shown once.
pub async fn reset(
    State(state): State<AppState>,
    Path(name): Path<String>,
    form: AdminForm,
) -> WebResult<Response> {
    let name = name_field("agent", &name)?;
    let agents = state.desk.store.list_agents(&form.admin).await?;
    let Some(target) = agents.iter().find(|a| a.name == name.as_str()) else {
        return Err(WebError::NotFound);
    };
    let (password, otpauth) = match crate::access::reset_agent(
        &state.desk,
        &form.admin,
        name.as_str(),
        target.role,
        target.has_second_factor,
    )
    .await
    {
        Ok(secrets) => secrets,
        Err(PrepareError::Internal(e)) => return Err(e.into()),
        Err(other) => return Err(WebError::Internal(anyhow::anyhow!(other.to_string()))),
    };
    let created = Created {
        name: name.to_string(),
        password: Some(password),
        otpauth,
    };
    Ok(page(&state, &form.admin, &form.agent, Some(created), None)
        .await?
        .into_response())
}
