//! The public status page: components, incidents and their updates, an Atom feed, and the
//! clear-signed text of each update with the key that signed it. No script, no cookie,
//! nothing from elsewhere; served on the main listener and on `status_listen`.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::desk::{IncidentRow, StatusBoard};
use crate::web::WebState;
use crate::web::error::{WebError, WebResult};
use crate::web::lang::{PageLang, Tr};

pub struct ComponentLine {
    pub name: String,
    pub state: &'static str,
    pub updated: String,
}

pub struct UpdateLine {
    pub number: i64,
    pub state: &'static str,
    pub when: String,
    pub paragraphs: Vec<Vec<String>>,
    pub signed_href: String,
}

pub struct IncidentLine {
    pub id: i64,
    pub title: String,
    pub opened: String,
    pub resolved: Option<String>,
    pub components: Vec<String>,
    pub postmortem: Vec<Vec<String>>,
    pub updates: Vec<UpdateLine>,
}

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "status/page.html")]
pub struct StatusPage {
    pub t: Tr,
    pub components: Vec<ComponentLine>,
    pub open: Vec<IncidentLine>,
    pub resolved: Vec<IncidentLine>,
    pub fingerprint: String,
}

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "status/incident.html")]
pub struct IncidentPage {
    pub t: Tr,
    pub incident: IncidentLine,
    pub fingerprint: String,
}

/// Plain text as paragraphs of lines: what people typed, shown as typed, never as markup.
pub(crate) fn paragraphs(text: &str) -> Vec<Vec<String>> {
    text.replace("\r\n", "\n")
        .split("\n\n")
        .map(|p| {
            p.lines()
                .map(str::trim_end)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .filter(|p| !p.is_empty())
        .collect()
}

pub(crate) fn signed_href(incident: i64, number: i64) -> String {
    format!("/status/incidents/{incident}/updates/{number}.asc")
}

pub(crate) fn incident_line(t: &Tr, incident: &IncidentRow) -> IncidentLine {
    IncidentLine {
        id: incident.id,
        title: incident.title.clone(),
        opened: t.time(incident.opened_at),
        resolved: incident.resolved_at.map(|at| t.time(at)),
        components: incident.components.clone(),
        postmortem: incident
            .postmortem
            .as_deref()
            .map(paragraphs)
            .unwrap_or_default(),
        updates: incident
            .updates
            .iter()
            .map(|u| UpdateLine {
                number: u.number,
                state: u.state.id(),
                when: t.time(u.posted_at),
                paragraphs: paragraphs(&u.body),
                signed_href: signed_href(incident.id, u.number),
            })
            .collect(),
    }
}

pub(crate) fn board_lines(
    t: &Tr,
    board: &StatusBoard,
) -> (Vec<ComponentLine>, Vec<IncidentLine>, Vec<IncidentLine>) {
    let components = board
        .components
        .iter()
        .map(|c| ComponentLine {
            name: c.name.clone(),
            state: c.state.id(),
            updated: t.time(c.updated_at),
        })
        .collect();
    let (open, resolved): (Vec<_>, Vec<_>) = board
        .incidents
        .iter()
        .partition(|i| i.resolved_at.is_none());
    (
        components,
        open.into_iter().map(|i| incident_line(t, i)).collect(),
        resolved.into_iter().map(|i| incident_line(t, i)).collect(),
    )
}

pub async fn show(State(state): State<WebState>, PageLang(t): PageLang) -> WebResult<StatusPage> {
    let board = state.desk.status_board().await?;
    let (components, open, resolved) = board_lines(&t, &board);
    Ok(StatusPage {
        t,
        components,
        open,
        resolved,
        fingerprint: state.helpdesk_fingerprint.to_string(),
    })
}

pub async fn incident(
    State(state): State<WebState>,
    PageLang(t): PageLang,
    Path(id): Path<i64>,
) -> WebResult<IncidentPage> {
    let incident = state.desk.status_incident(id).await?;
    Ok(IncidentPage {
        incident: incident_line(&t, &incident),
        t,
        fingerprint: state.helpdesk_fingerprint.to_string(),
    })
}

/// `/status/incidents/{id}/updates/{n}.asc`: the update as it was signed.
pub async fn signed(
    State(state): State<WebState>,
    Path((id, file)): Path<(i64, String)>,
) -> WebResult<Response> {
    let number: i64 = file
        .strip_suffix(".asc")
        .and_then(|n| n.parse().ok())
        .ok_or(WebError::NotFound)?;
    let text = state.desk.signed_update(id, number).await?;
    let mut response = text.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    Ok(response)
}

/// `/status/feed.atom`: every update on the page, newest first.
pub async fn feed(State(state): State<WebState>) -> WebResult<Response> {
    let board = state.desk.status_board().await?;
    let xml = super::status_feed::render(&state, &board);
    let mut response = xml.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/atom+xml; charset=utf-8"),
    );
    Ok(response)
}
