//! The status page's staff side: components and their state, opening incidents, posting
//! updates, resolving with a post-mortem, and (admins) who else may post. Only admins and
//! agents holding the incident grant get here; anyone else gets the same 404 as a missing
//! page. Works without JavaScript: every action is a plain form.

use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};

use crate::desk::{IncidentDesk, Posted, UpdateForm, os_random};
use crate::domain::{Category, ComponentState, IncidentState};
use crate::web::WebState;
use crate::web::agent::Nav;
use crate::web::error::{WebError, WebResult};
use crate::web::public::status::{ComponentLine, IncidentLine, board_lines};
use crate::web::session::{AdminForm, CsrfForm, CurrentAgent};

/// An agent who may post on the status page.
pub struct Poster {
    pub agent: CurrentAgent,
    pub desk: IncidentDesk,
}

impl FromRequestParts<WebState> for Poster {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, WebError> {
        let agent = CurrentAgent::from_request_parts(parts, state).await?;
        let desk = agent
            .desk
            .incident_desk()
            .await?
            .ok_or(WebError::NotFound)?;
        Ok(Poster { agent, desk })
    }
}

/// A CSRF-checked form from someone who may post.
pub struct PosterForm {
    pub desk: IncidentDesk,
    pub fields: crate::web::FormFields,
}

impl FromRequest<WebState> for PosterForm {
    type Rejection = WebError;

    async fn from_request(request: Request, state: &WebState) -> Result<Self, WebError> {
        let form = CsrfForm::from_request(request, state).await?;
        let desk = form
            .agent
            .desk
            .incident_desk()
            .await?
            .ok_or(WebError::NotFound)?;
        Ok(PosterForm {
            desk,
            fields: form.fields,
        })
    }
}

pub struct ComponentChoice {
    pub id: i64,
    pub line: ComponentLine,
}

pub struct PosterLine {
    pub name: String,
    pub granted_by: String,
    pub granted: String,
}

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "agent/status.html")]
pub struct StatusDeskPage {
    pub t: crate::web::lang::Tr,
    pub nav: Nav,
    pub components: Vec<ComponentChoice>,
    pub component_states: Vec<&'static str>,
    pub incident_states: Vec<&'static str>,
    pub categories: Vec<&'static str>,
    pub open: Vec<IncidentLine>,
    /// A fresh one-time key for each form that posts an update.
    pub form_key: String,
    /// What the last post did, told once after the redirect.
    pub posted: Option<PostedNote>,
    /// Admins only: who else may post.
    pub posters: Option<Vec<PosterLine>>,
}

pub struct PostedNote {
    pub incident: i64,
    pub number: i64,
    pub notices: Option<i64>,
}

#[derive(serde::Deserialize)]
pub struct AfterPost {
    incident: Option<i64>,
    update: Option<i64>,
    notices: Option<i64>,
}

fn form_key() -> WebResult<String> {
    let bytes: [u8; 16] = os_random().map_err(|e| WebError::Internal(anyhow::anyhow!("{e}")))?;
    Ok(hex::encode(bytes))
}

pub async fn show(poster: Poster, Query(after): Query<AfterPost>) -> WebResult<StatusDeskPage> {
    let t = poster.agent.tr.clone();
    let board = poster.desk.board().await?;
    let (lines, open, _) = board_lines(&t, &board);
    let components = board
        .components
        .iter()
        .zip(lines)
        .map(|(c, line)| ComponentChoice { id: c.id, line })
        .collect();
    let posters = match poster.agent.desk.admin() {
        Some(admin) => {
            let posters = admin.incident_posters().await?;
            admin
                .record_view(crate::desk::AdminView::IncidentPosters, posters.len())
                .await?;
            Some(posters)
        }
        None => None,
    };
    let posters = posters.map(|posters| {
        posters
            .into_iter()
            .map(|p| PosterLine {
                name: p.name,
                granted_by: p.granted_by,
                granted: t.time(p.granted_at),
            })
            .collect()
    });
    Ok(StatusDeskPage {
        nav: Nav::load(&poster.agent).await?,
        components,
        component_states: ComponentState::ALL.iter().map(|s| s.id()).collect(),
        incident_states: IncidentState::ALL.iter().map(|s| s.id()).collect(),
        categories: Category::ALL.iter().map(|c| c.id()).collect(),
        open,
        form_key: form_key()?,
        posted: match (after.incident, after.update) {
            (Some(incident), Some(number)) => Some(PostedNote {
                incident,
                number,
                notices: after.notices,
            }),
            _ => None,
        },
        posters,
        t,
    })
}

fn back() -> Response {
    Redirect::to("/agent/status").into_response()
}

fn after_post(posted: Posted) -> Response {
    let mut to = format!(
        "/agent/status?incident={}&update={}",
        posted.incident_id, posted.number
    );
    if let Some(n) = posted.notices {
        to.push_str(&format!("&notices={n}"));
    }
    Redirect::to(&to).into_response()
}

pub async fn add_component(form: PosterForm) -> WebResult<Response> {
    form.desk
        .add_component(form.fields.get("name").unwrap_or_default())
        .await?;
    Ok(back())
}

pub async fn set_component_state(Path(id): Path<i64>, form: PosterForm) -> WebResult<Response> {
    let state = form
        .fields
        .get("state")
        .and_then(ComponentState::parse)
        .ok_or(WebError::BadRequest("status-bad-form"))?;
    form.desk.set_component_state(id, state).await?;
    Ok(back())
}

fn update_form(fields: &crate::web::FormFields) -> WebResult<UpdateForm<'_>> {
    Ok(UpdateForm {
        state: fields
            .get("state")
            .and_then(IncidentState::parse)
            .ok_or(WebError::BadRequest("status-bad-form"))?,
        text: fields.get("text").unwrap_or_default(),
        postmortem: fields.get("postmortem"),
        form_key: fields
            .get("form_key")
            .filter(|k| !k.is_empty() && k.len() <= 64)
            .ok_or(WebError::BadRequest("status-bad-form"))?,
        mail: fields.get("mail") == Some("1"),
    })
}

pub async fn open_incident(form: PosterForm) -> WebResult<Response> {
    let components: Vec<i64> = form
        .fields
        .get_all("component")
        .filter_map(|c| c.parse().ok())
        .collect();
    let categories: Vec<Category> = form
        .fields
        .get_all("category")
        .filter_map(|c| c.parse().ok())
        .collect();
    let first = update_form(&form.fields)?;
    if first.state == IncidentState::Resolved {
        return Err(WebError::BadRequest("status-bad-form"));
    }
    let posted = form
        .desk
        .open_incident(
            form.fields.get("title").unwrap_or_default(),
            &components,
            &categories,
            first,
        )
        .await?;
    Ok(after_post(posted))
}

pub async fn post_update(Path(id): Path<i64>, form: PosterForm) -> WebResult<Response> {
    let update = update_form(&form.fields)?;
    let posted = form.desk.post_update(id, update).await?;
    Ok(after_post(posted))
}

/// Admins give or take back the incident grant.
pub async fn set_poster(form: AdminForm) -> WebResult<Response> {
    let name = crate::web::admin::name_field("name", form.fields.get("name").unwrap_or_default())?;
    let granted = form.fields.get("grant") == Some("1");
    form.admin.set_incident_poster(&name, granted).await?;
    Ok(back())
}
