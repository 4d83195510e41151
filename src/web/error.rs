//! The one place errors become HTTP responses. Handlers return `WebResult` and use `?`;
//! a middleware renders every 4xx/5xx, ours or axum's, as JSON under `/api/` and as a page
//! elsewhere, and logs internal errors once with a request id.

use axum::Json;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::desk::{Conflict, DeskError, EnrolRefusal};
use crate::domain::InputError;

pub type WebResult<T> = Result<T, WebError>;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("not found")]
    NotFound,
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    #[error("{0}")]
    BadRequest(&'static str),
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("{0}")]
    UnsupportedMediaType(&'static str),
    /// Missing or bad credentials: 401 on the API, the sign-in page elsewhere.
    #[error("sign in first")]
    Unauthenticated,
    /// A machine endpoint (`/metrics`) without a valid bearer token: 401 with
    /// `WWW-Authenticate`, never the sign-in redirect a browser gets.
    #[error("bearer token required")]
    TokenRequired,
    /// A form without a valid CSRF token.
    #[error("forbidden")]
    Forbidden,
    /// The request is understood but does not apply as things stand (409).
    #[error("{0}")]
    Conflict(&'static str),
    /// The desk is too busy to take the request now (503 with `Retry-After`); nothing
    /// was changed.
    #[error("busy")]
    Busy,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// A problem with one input field, safe to show to whoever sent it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

impl From<&InputError> for FieldError {
    fn from(err: &InputError) -> Self {
        FieldError {
            field: err.field(),
            message: err.to_string(),
        }
    }
}

impl From<DeskError> for WebError {
    fn from(err: DeskError) -> Self {
        match err {
            DeskError::Invalid(errors) => {
                WebError::Invalid(errors.iter().map(FieldError::from).collect())
            }
            DeskError::PgpKey(e) => WebError::Invalid(vec![FieldError {
                field: "pgp_key",
                message: e.to_string(),
            }]),
            DeskError::Canned(message) => WebError::Invalid(vec![FieldError {
                field: "body",
                message,
            }]),
            DeskError::NotAllowable(e) => WebError::Invalid(vec![FieldError {
                field: "value",
                message: e.to_string(),
            }]),
            DeskError::NotFound => WebError::NotFound,
            DeskError::SignInRefused => WebError::Unauthenticated,
            // Handlers render these on their pages; reaching here, they are still the
            // caller's to fix.
            DeskError::CurrentPassword(e) => WebError::Invalid(vec![FieldError {
                field: "current",
                message: e.to_string(),
            }]),
            DeskError::Enrolment(EnrolRefusal::Csrf | EnrolRefusal::NotHolder) => {
                WebError::Forbidden
            }
            DeskError::Enrolment(e) => WebError::Invalid(vec![FieldError {
                field: "password",
                message: e.to_string(),
            }]),
            DeskError::NewAgent(e) => WebError::Invalid(vec![FieldError {
                field: "name",
                message: e.to_string(),
            }]),
            DeskError::Conflict(what) => WebError::Conflict(conflict_message(what)),
            // Only mail intake sets a deadline; the web never meets this.
            DeskError::OverBudget => {
                WebError::Internal(anyhow::anyhow!("intake over its processing budget"))
            }
            DeskError::Busy => WebError::Busy,
            DeskError::Internal(e) => WebError::Internal(e),
        }
    }
}

/// The one wording of each refused change.
fn conflict_message(what: Conflict) -> &'static str {
    match what {
        Conflict::Held => "This request is on hold and cannot be deleted right now.",
        Conflict::RetentionDays => "Retention must be between 1 and 36500 days.",
        Conflict::HighestTier => "The ticket is already at the highest tier.",
        Conflict::LowestTier => "The ticket is already at the lowest tier.",
        Conflict::Status => "That status cannot be set directly.",
        Conflict::Assignee => "That agent cannot work on this ticket.",
        Conflict::AgentName => "An agent with that name already exists.",
        Conflict::AllowlistEntry => {
            "That value is already on the allowlist, perhaps spelt differently."
        }
        Conflict::QueueName => "A queue with that name already exists.",
        Conflict::CannedResponseTitle => {
            "That queue already has a canned response with this title."
        }
        Conflict::AlreadySpam => "This ticket is already marked as spam.",
        Conflict::OwnSpamMark => "A second agent must confirm your own spam mark.",
        Conflict::NotAwaitingSpamConfirmation => "This ticket is not awaiting a spam confirmation.",
        Conflict::QueueOwnersOnly => "Only the owners of this ticket's queue can restore it.",
        Conflict::NotSpam => "This ticket is not marked as spam.",
        Conflict::MarkedSpam => {
            "This ticket is marked as spam; a queue owner must restore it before it changes."
        }
        Conflict::AdminByOperatorOnly => {
            "Admin accounts are created by the operator on the server's command line."
        }
        Conflict::RestrictedQueueBeforeEnrolment => {
            "Add the account to restricted queues once it has enrolled: its enrolment link must not lead into one."
        }
        Conflict::Queue => "A ticket can only move to another of your queues.",
        // Retried (or, for a sign-in, refused) inside the desk; seen here only if every retry
        // collided.
        Conflict::Reference | Conflict::Mask | Conflict::Totp | Conflict::Locked => {
            "The request conflicts with the current state."
        }
    }
}

#[derive(Debug, Clone)]
pub struct ErrorInfo {
    pub message: String,
    pub fields: Vec<FieldError>,
}

/// The internal error behind a 500, kept for the log only.
#[derive(Clone)]
struct InternalDetail(std::sync::Arc<anyhow::Error>);

/// Marks an error-status response whose body a handler already rendered (a form shown
/// again with its problems), so the renderer leaves it alone.
#[derive(Debug, Clone, Copy)]
pub struct Rendered;

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let status = match &self {
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            WebError::Unauthenticated | WebError::TokenRequired => StatusCode::UNAUTHORIZED,
            WebError::Forbidden => StatusCode::FORBIDDEN,
            WebError::Conflict(_) => StatusCode::CONFLICT,
            WebError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let mut response = status.into_response();
        if matches!(self, WebError::Busy) {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
        }
        if matches!(self, WebError::TokenRequired) {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"hushdesk\""),
            );
        }
        let (message, fields) = match self {
            WebError::Invalid(fields) => {
                let message = fields
                    .iter()
                    .map(|f| format!("{}: {}", f.field, f.message))
                    .collect::<Vec<_>>()
                    .join("; ");
                (message, fields)
            }
            WebError::BadRequest(m) | WebError::UnsupportedMediaType(m) | WebError::Conflict(m) => {
                (m.to_owned(), Vec::new())
            }
            WebError::Internal(err) => {
                response
                    .extensions_mut()
                    .insert(InternalDetail(std::sync::Arc::new(err)));
                (default_message(status).to_owned(), Vec::new())
            }
            WebError::NotFound
            | WebError::Busy
            | WebError::PayloadTooLarge
            | WebError::Unauthenticated
            | WebError::TokenRequired
            | WebError::Forbidden => (default_message(status).to_owned(), Vec::new()),
        };
        response
            .extensions_mut()
            .insert(ErrorInfo { message, fields });
        response
    }
}

fn default_message(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "The request could not be understood.",
        404 => {
            "Nothing here. If you followed a ticket link, the ticket may have been deleted or the link mistyped."
        }
        405 => "This address does not accept that kind of request.",
        413 => "The request is too large. Shorten the message and try again.",
        401 => "Sign in first: the credentials are missing, wrong, or expired.",
        403 => "The form expired or did not come from this site. Go back, reload and try again.",
        409 => "The request conflicts with the current state.",
        415 => "This content type is not accepted here.",
        422 => "Some fields need attention.",
        429 => "Too many requests from your network. Wait a few minutes and try again.",
        500 => {
            "Something went wrong on our side. Nothing you sent was stored half-way; please try again."
        }
        503 => "The desk is busy right now. Nothing was changed; please try again in a moment.",
        _ => "The request could not be completed.",
    }
}

/// HTML error page.
#[derive(askama::Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    message: &'a str,
    fields: &'a [FieldError],
    request_id: Option<&'a str>,
}

/// Renders every error response, whoever produced it.
pub async fn render_errors(request: Request, next: Next) -> Response {
    let wants_json = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let status = response.status();
    // A browser without a live session is sent to sign in rather than shown an error.
    if status == StatusCode::UNAUTHORIZED
        && !wants_json
        && response.extensions().get::<Rendered>().is_none()
        && !response.headers().contains_key(header::WWW_AUTHENTICATE)
    {
        let mut redirect = axum::response::Redirect::to("/agent/login").into_response();
        redirect
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        return redirect;
    }
    if !(status.is_client_error() || status.is_server_error())
        || response.extensions().get::<Rendered>().is_some()
    {
        return response;
    }
    let (mut parts, _body) = response.into_parts();
    let info = parts
        .extensions
        .remove::<ErrorInfo>()
        .unwrap_or_else(|| ErrorInfo {
            message: default_message(status).to_owned(),
            fields: Vec::new(),
        });
    let request_id = status.is_server_error().then(new_request_id);
    if let Some(id) = &request_id {
        match parts.extensions.remove::<InternalDetail>() {
            Some(detail) => {
                tracing::error!(request_id = %id, error = format!("{:#}", detail.0), "request failed")
            }
            None => tracing::error!(request_id = %id, status = status.as_u16(), "request failed"),
        }
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    let body = if wants_json {
        let mut json = serde_json::json!({ "error": info.message });
        if !info.fields.is_empty() {
            json["fields"] = serde_json::to_value(&info.fields).unwrap_or_default();
        }
        if let Some(id) = &request_id {
            json["request_id"] = id.clone().into();
        }
        Json(json).into_response()
    } else {
        let page = ErrorPage {
            status: status.as_u16(),
            message: &info.message,
            fields: &info.fields,
            request_id: request_id.as_deref(),
        };
        match askama::Template::render(&page) {
            Ok(html) => axum::response::Html(html).into_response(),
            Err(_) => info.message.clone().into_response(),
        }
    };
    let (body_parts, body) = body.into_parts();
    if let Some(content_type) = body_parts.headers.get(header::CONTENT_TYPE) {
        parts
            .headers
            .insert(header::CONTENT_TYPE, content_type.clone());
    }
    parts
        .headers
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Response::from_parts(parts, body)
}

fn new_request_id() -> String {
    crate::desk::os_random::<8>()
        .map(|b| b.iter().map(|x| format!("{x:02x}")).collect())
        .unwrap_or_else(|_| "unknown".into())
}

#[cfg(test)]
mod busy {
    use super::*;

    /// A desk too busy to take the request answers 503 with `Retry-After`, not 500:
    /// nothing was changed and the client may try again.
    #[test]
    fn a_busy_desk_is_503_with_retry_after() {
        let response = WebError::from(DeskError::Busy).into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(response.headers().contains_key(header::RETRY_AFTER));
        let broken = WebError::from(DeskError::Internal(anyhow::anyhow!("broken")));
        assert_eq!(
            broken.into_response().status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }
}
