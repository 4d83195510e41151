//! Who is asking, for agent and admin routes: the session cookie (HTML) or a bearer token
//! (JSON API), resolved by the desk into an `AgentDesk`. Forms additionally carry a CSRF
//! token bound to the session; `CsrfForm` checks it, so no handler can forget to.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use cookie::{Cookie, SameSite};

use super::error::WebError;
use super::extract::FormFields;
use super::lang::{Tr, for_agent};
use crate::desk::{AdminDesk, AgentDesk, DeskError, Session};
use crate::web::WebState;

/// Name of the agent session cookie.
pub const SESSION_COOKIE: &str = "hushdesk_session";

/// A signed-in agent on the HTML side.
pub struct CurrentAgent {
    pub desk: AgentDesk,
    /// The raw session token, needed to derive the CSRF token and to sign out.
    pub session: String,
    pub csrf: String,
    /// The language and time zone of this agent's pages.
    pub tr: Tr,
}

impl FromRequestParts<WebState> for CurrentAgent {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, WebError> {
        let session = session_cookie(parts).ok_or(WebError::Unauthenticated)?;
        let desk = resolve(state, &session, Session::Cookie).await?;
        let scope = desk.scope();
        let tr = for_agent(parts, state, scope.language(), scope.time_zone());
        Ok(CurrentAgent {
            csrf: state.desk.csrf_token(&session),
            tr,
            desk,
            session,
        })
    }
}

/// A signed-in admin on the HTML side. Anyone else gets the same 404 as a missing page.
pub struct CurrentAdmin {
    pub agent: CurrentAgent,
    pub admin: AdminDesk,
}

impl FromRequestParts<WebState> for CurrentAdmin {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, WebError> {
        let agent = CurrentAgent::from_request_parts(parts, state).await?;
        let admin = agent.desk.admin().ok_or(WebError::NotFound)?;
        Ok(CurrentAdmin { agent, admin })
    }
}

/// A form posted by a signed-in agent, with its CSRF token checked.
pub struct CsrfForm {
    pub agent: CurrentAgent,
    pub fields: FormFields,
}

impl FromRequest<WebState> for CsrfForm {
    type Rejection = WebError;

    async fn from_request(request: Request, state: &WebState) -> Result<Self, WebError> {
        let (mut parts, body) = request.into_parts();
        let agent = CurrentAgent::from_request_parts(&mut parts, state).await?;
        let fields = FormFields::from_request(Request::from_parts(parts, body), state).await?;
        let submitted = fields.get("csrf").unwrap_or_default();
        if !state.desk.csrf_matches(&agent.session, submitted) {
            return Err(WebError::Forbidden);
        }
        Ok(CsrfForm { agent, fields })
    }
}

/// A CSRF-checked form from an admin.
pub struct AdminForm {
    pub admin: AdminDesk,
    pub agent: CurrentAgent,
    pub fields: FormFields,
}

impl FromRequest<WebState> for AdminForm {
    type Rejection = WebError;

    async fn from_request(request: Request, state: &WebState) -> Result<Self, WebError> {
        let form = CsrfForm::from_request(request, state).await?;
        let admin = form.agent.desk.admin().ok_or(WebError::NotFound)?;
        Ok(AdminForm {
            admin,
            agent: form.agent,
            fields: form.fields,
        })
    }
}

/// An agent calling the JSON API with `Authorization: Bearer <token>`.
pub struct ApiAgent {
    pub desk: AgentDesk,
    pub token: String,
}

impl FromRequestParts<WebState> for ApiAgent {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, WebError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .ok_or(WebError::Unauthenticated)?
            .to_owned();
        let desk = resolve(state, &token, Session::Bearer).await?;
        Ok(ApiAgent { desk, token })
    }
}

/// The agent presenting an attachment download link: by session cookie (the pages send the
/// browser there) or else by bearer token (the API hands out the same links). The link is
/// bound to the agent who minted it, so whichever credential is shown must be theirs. No
/// CSRF check: the request is a GET that hands a file only to that agent, once.
pub struct LinkHolder {
    pub desk: AgentDesk,
}

impl FromRequestParts<WebState> for LinkHolder {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, WebError> {
        if let Some(session) = session_cookie(parts) {
            match resolve(state, &session, Session::Cookie).await {
                Ok(desk) => return Ok(LinkHolder { desk }),
                Err(WebError::Unauthenticated) => {}
                Err(other) => return Err(other),
            }
        }
        let api = ApiAgent::from_request_parts(parts, state).await?;
        Ok(LinkHolder { desk: api.desk })
    }
}

async fn resolve(state: &WebState, token: &str, kind: Session) -> Result<AgentDesk, WebError> {
    match state.desk.agent_session(token, kind).await {
        Ok(agent) => Ok(agent),
        Err(DeskError::NotFound) => Err(WebError::Unauthenticated),
        Err(other) => Err(other.into()),
    }
}

fn session_cookie(parts: &Parts) -> Option<String> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == SESSION_COOKIE)
        .map(|c| c.value().to_owned())
}

/// `Set-Cookie` for a new session: HttpOnly, SameSite=Strict, Secure behind TLS, and no
/// expiry, so it ends with the browser session (the server ends it sooner when idle).
pub fn session_cookie_header(token: &str, secure: bool) -> HeaderValue {
    let cookie = Cookie::build((SESSION_COOKIE, token.to_owned()))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .path("/")
        .build();
    HeaderValue::from_str(&cookie.to_string()).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// `Set-Cookie` that removes the session cookie.
pub fn clear_cookie_header(secure: bool) -> HeaderValue {
    let mut cookie = Cookie::build((SESSION_COOKIE, ""))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .path("/")
        .build();
    cookie.make_removal();
    HeaderValue::from_str(&cookie.to_string()).unwrap_or_else(|_| HeaderValue::from_static(""))
}
