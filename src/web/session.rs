//! Who is asking, for agent and admin routes: the session cookie (HTML) or a bearer token
//! (JSON API), resolved by the store into an `AgentScope`. Forms additionally carry a CSRF
//! token bound to the session; `CsrfForm` checks it, so no handler can forget to.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use cookie::{Cookie, SameSite};

use super::error::WebError;
use super::extract::FormFields;
use crate::access::session_policy;
use crate::app::AppState;
use crate::auth::{csrf_matches, csrf_token, digest_session_token};
use crate::store::{AdminScope, AgentScope, Session, StoreError};

/// Name of the agent session cookie.
pub const SESSION_COOKIE: &str = "hushdesk_session";

/// A signed-in agent on the HTML side.
pub struct CurrentAgent {
    pub scope: AgentScope,
    /// The raw session token, needed to derive the CSRF token and to sign out.
    pub session: String,
    pub csrf: String,
}

impl FromRequestParts<AppState> for CurrentAgent {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let session = session_cookie(parts).ok_or(WebError::Unauthenticated)?;
        let scope = resolve(state, &session, Session::Cookie).await?;
        Ok(CurrentAgent {
            csrf: csrf_token(&state.desk.keyring, &session),
            scope,
            session,
        })
    }
}

/// A signed-in admin on the HTML side. Anyone else gets the same 404 as a missing page.
pub struct CurrentAdmin {
    pub agent: CurrentAgent,
    pub admin: AdminScope,
}

impl FromRequestParts<AppState> for CurrentAdmin {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let agent = CurrentAgent::from_request_parts(parts, state).await?;
        let admin = agent.scope.admin().ok_or(WebError::NotFound)?;
        Ok(CurrentAdmin { agent, admin })
    }
}

/// A form posted by a signed-in agent, with its CSRF token checked.
pub struct CsrfForm {
    pub agent: CurrentAgent,
    pub fields: FormFields,
}

impl FromRequest<AppState> for CsrfForm {
    type Rejection = WebError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, WebError> {
        let (mut parts, body) = request.into_parts();
        let agent = CurrentAgent::from_request_parts(&mut parts, state).await?;
        let fields = FormFields::from_request(Request::from_parts(parts, body), state).await?;
        let submitted = fields.get("csrf").unwrap_or_default();
        if !csrf_matches(&state.desk.keyring, &agent.session, submitted) {
            return Err(WebError::Forbidden);
        }
        Ok(CsrfForm { agent, fields })
    }
}

/// A CSRF-checked form from an admin.
pub struct AdminForm {
    pub admin: AdminScope,
    pub agent: CurrentAgent,
    pub fields: FormFields,
}

impl FromRequest<AppState> for AdminForm {
    type Rejection = WebError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, WebError> {
        let form = CsrfForm::from_request(request, state).await?;
        let admin = form.agent.scope.admin().ok_or(WebError::NotFound)?;
        Ok(AdminForm {
            admin,
            agent: form.agent,
            fields: form.fields,
        })
    }
}

/// An agent calling the JSON API with `Authorization: Bearer <token>`.
pub struct ApiAgent {
    pub scope: AgentScope,
    pub token: String,
}

impl FromRequestParts<AppState> for ApiAgent {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
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
        let scope = resolve(state, &token, Session::Bearer).await?;
        Ok(ApiAgent { scope, token })
    }
}

async fn resolve(state: &AppState, token: &str, kind: Session) -> Result<AgentScope, WebError> {
    let digest = digest_session_token(&state.desk.keyring, token);
    match state
        .desk
        .store
        .agent_session(digest, kind, session_policy(&state.config.agents))
        .await
    {
        Ok(scope) => Ok(scope),
        Err(StoreError::NotFound) => Err(WebError::Unauthenticated),
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
