//! Managing agents: list, add, disable and enable, and resets. Adding or resetting an agent
//! yields a single-use enrolment link, never a password or second-factor seed; resetting a
//! member of a restricted queue waits for a second admin.

use axum::Extension;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::name_field;
use crate::desk::AdminDesk;
use crate::desk::{Conflict, DecisionResult, DeskError, EnrolmentLink, PrepareError, ResetResult};
use crate::domain::Role;
use crate::web::WebState;
use crate::web::agent::Nav;
use crate::web::error::{Rendered, WebError, WebResult};
use crate::web::lang::Tr;
use crate::web::session::{AdminForm, CurrentAdmin, CurrentAgent};

pub struct AgentLine {
    pub name: String,
    pub role: &'static str,
    pub has_second_factor: bool,
    pub queues: String,
    pub disabled: bool,
    pub locked: bool,
    pub awaiting_enrolment: bool,
}

/// An enrolment link just issued, shown once to the admin who produced it.
pub struct IssuedLink {
    pub name: String,
    /// Absolute when `public_url` is configured, else the path on this helpdesk.
    pub link: String,
    pub relative: bool,
    pub expires_at: i64,
}

pub struct RequestLine {
    pub id: i64,
    pub agent: String,
    pub requested_by: String,
    pub at: i64,
    pub own: bool,
}

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "admin/agents.html")]
pub struct AgentsPage {
    pub t: crate::web::lang::Tr,
    pub nav: Nav,
    pub agents: Vec<AgentLine>,
    pub requests: Vec<RequestLine>,
    pub issued: Option<IssuedLink>,
    pub notice: Option<String>,
    pub error: Option<String>,
    /// The queues in use, for the new agent's checkboxes.
    pub queue_choices: Vec<String>,
}

/// What happened, to show above the list.
#[derive(Default)]
struct Outcome {
    issued: Option<IssuedLink>,
    notice: Option<String>,
    error: Option<String>,
    /// Set when the action was refused outright (403), not merely mistyped.
    refused: bool,
}

impl Outcome {
    fn refused(message: impl Into<String>) -> Self {
        Outcome {
            error: Some(message.into()),
            refused: true,
            ..Default::default()
        }
    }

    fn error(message: impl Into<String>) -> Self {
        Outcome {
            error: Some(message.into()),
            ..Default::default()
        }
    }

    fn notice(message: impl Into<String>) -> Self {
        Outcome {
            notice: Some(message.into()),
            ..Default::default()
        }
    }
}

async fn page(admin: &AdminDesk, agent: &CurrentAgent, outcome: Outcome) -> WebResult<AgentsPage> {
    let agents = admin.agents().await?;
    let requests = admin.pending_resets().await?;
    let queue_choices = admin
        .queues()
        .await?
        .into_iter()
        .filter(|q| !q.archived)
        .map(|q| q.name)
        .collect();
    Ok(AgentsPage {
        queue_choices,
        nav: Nav::load(agent).await?,
        t: agent.tr.clone(),
        agents: agents
            .into_iter()
            .map(|a| AgentLine {
                name: a.name,
                role: a.role.id(),
                has_second_factor: a.has_second_factor,
                queues: a.queues.join(", "),
                disabled: a.disabled,
                locked: a.locked,
                awaiting_enrolment: a.awaiting_enrolment,
            })
            .collect(),
        requests: requests
            .into_iter()
            .map(|r| RequestLine {
                id: r.id,
                agent: r.agent,
                requested_by: r.requested_by,
                at: r.at,
                own: r.own,
            })
            .collect(),
        issued: outcome.issued,
        notice: outcome.notice,
        error: outcome.error,
    })
}

async fn respond(form: &AdminForm, outcome: Outcome) -> WebResult<Response> {
    let status = if outcome.refused {
        StatusCode::FORBIDDEN
    } else {
        StatusCode::OK
    };
    let page = page(&form.admin, &form.agent, outcome).await?;
    Ok((status, Extension(Rendered), page).into_response())
}

/// The link as the admin should pass it on: after `public_url` when one is configured.
fn issued(state: &WebState, name: &str, link: &EnrolmentLink) -> IssuedLink {
    let (link_text, relative) = match &state.config.public_url {
        Some(base) => (
            format!("{}{}", base.trim_end_matches('/'), link.path()),
            false,
        ),
        None => (link.path(), true),
    };
    IssuedLink {
        name: name.to_owned(),
        link: link_text,
        relative,
        expires_at: link.expires_at,
    }
}

pub async fn list(admin: CurrentAdmin) -> WebResult<AgentsPage> {
    let shown = page(&admin.admin, &admin.agent, Outcome::default()).await?;
    admin
        .admin
        .record_view(crate::desk::AdminView::Agents, shown.agents.len())
        .await?;
    Ok(shown)
}

pub async fn create(State(state): State<WebState>, form: AdminForm) -> WebResult<Response> {
    let role: Role = form
        .fields
        .get("role")
        .and_then(|r| r.parse().ok())
        .ok_or(WebError::BadRequest("bad-choose-role"))?;
    let tr = &form.agent.tr;
    let name = form.fields.get("name").unwrap_or_default().to_owned();
    // Checkboxes from the queue list; the older free-text field is still read, for scripts.
    let queues: Vec<String> = form
        .fields
        .get_all("queue")
        .chain(
            form.fields
                .get("queues")
                .unwrap_or_default()
                .split_whitespace(),
        )
        .map(str::to_owned)
        .collect();
    let with_totp = form.fields.get("totp") == Some("yes");
    let created = form
        .admin
        .create_agent_with_link(&name, role, with_totp, &queues)
        .await;
    let outcome = match created {
        Err(DeskError::Conflict(Conflict::AdminByOperatorOnly)) => {
            Outcome::refused(tr.t("admin-agents-admin-by-operator"))
        }
        Ok(link) => Outcome {
            issued: Some(issued(&state, &name, &link)),
            ..Default::default()
        },
        Err(DeskError::NewAgent(refused)) => Outcome::error(new_agent_refusal(tr, &refused)),
        Err(DeskError::Conflict(Conflict::RestrictedQueueBeforeEnrolment)) => {
            Outcome::error(tr.t("conflict-restricted-queue-before-enrolment"))
        }
        Err(DeskError::Conflict(_)) => Outcome::error(tr.t("conflict-agent-name")),
        Err(DeskError::NotFound) => Outcome::error(tr.t("admin-agents-no-such-queue")),
        Err(other) => return Err(other.into()),
    };
    respond(&form, outcome).await
}

/// Voids an agent's password and second factor and issues an enrolment link, or files a
/// request for a second admin when the agent is in a restricted queue.
pub async fn reset(
    State(state): State<WebState>,
    Path(name): Path<String>,
    form: AdminForm,
) -> WebResult<Response> {
    let name = name_field("agent", &name)?;
    let tr = &form.agent.tr;
    let outcome = match form.admin.reset_agent(&name).await? {
        ResetResult::Link(link) => Outcome {
            issued: Some(issued(&state, name.as_str(), &link)),
            ..Default::default()
        },
        ResetResult::AwaitingSecondAdmin => {
            Outcome::notice(tr.a("admin-agents-reset-waits", "name", &name))
        }
        ResetResult::OwnAccount => Outcome::refused(tr.t("admin-agents-reset-own")),
    };
    respond(&form, outcome).await
}

pub async fn approve(
    state: State<WebState>,
    path: Path<i64>,
    form: AdminForm,
) -> WebResult<Response> {
    decide(state, path, form, true).await
}

pub async fn reject(
    state: State<WebState>,
    path: Path<i64>,
    form: AdminForm,
) -> WebResult<Response> {
    decide(state, path, form, false).await
}

/// A second admin's decision on a reset request. On approval the link goes to the
/// approving admin, once: the one who asked never sees it.
async fn decide(
    State(state): State<WebState>,
    Path(id): Path<i64>,
    form: AdminForm,
    approve: bool,
) -> WebResult<Response> {
    let decision = form.admin.decide_reset(id, approve).await?;
    let tr = &form.agent.tr;
    let outcome = match decision {
        DecisionResult::Approved { agent, link } => Outcome {
            issued: Some(issued(&state, agent.as_str(), &link)),
            ..Default::default()
        },
        DecisionResult::Rejected { agent } => {
            Outcome::notice(tr.a("admin-agents-reset-rejected", "name", &agent))
        }
        DecisionResult::OwnRequest => Outcome::refused(tr.t("admin-agents-own-request")),
        DecisionResult::OwnAccount => Outcome::refused(tr.t("admin-agents-own-account-request")),
    };
    respond(&form, outcome).await
}

/// Why a new agent was not created, in the reader's language.
fn new_agent_refusal(tr: &Tr, refused: &PrepareError) -> String {
    match refused {
        PrepareError::Name(e) => tr.a("admin-agents-bad-name", "problem", tr.t(e.key())),
        PrepareError::Queue(e) => tr.a("admin-agents-bad-queue", "problem", tr.t(e.key())),
        PrepareError::Password(crate::desk::PasswordError::TooShort) => {
            tr.n("enrol-too-short", crate::desk::MIN_PASSWORD_CHARS)
        }
        other => other.to_string(),
    }
}
