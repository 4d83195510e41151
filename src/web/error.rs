//! The one place errors become HTTP responses. Handlers return `WebResult` and use `?`;
//! a middleware renders every 4xx/5xx, ours or axum's, as JSON under `/api/` and as a page
//! elsewhere, and logs internal errors once with a request id.

use axum::Json;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::desk::{Conflict, DeskError, EnrolRefusal};

mod staff;
use crate::domain::InputError;
use crate::i18n::Lang;
use crate::web::lang::Tr;

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
    /// Something that existed for a while and is used up or over (410): a single-use link.
    /// Carries a catalogue key.
    #[error("{0}")]
    Gone(&'static str),
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
    /// In English, for the API and the log.
    pub message: String,
    /// The catalogue key pages show instead, in the reader's language.
    #[serde(skip)]
    pub key: Option<&'static str>,
    /// The values the catalogue's wording names (a mask token, a list of kinds).
    #[serde(skip)]
    pub args: Vec<(&'static str, String)>,
}

impl FieldError {
    /// A problem whose wording exists only in English (a parser's message).
    pub fn english(field: &'static str, message: String) -> Self {
        FieldError {
            field,
            message,
            key: None,
            args: Vec::new(),
        }
    }

    /// A problem worded in the catalogue under `key`.
    pub fn keyed(field: &'static str, key: &'static str) -> Self {
        FieldError {
            field,
            message: Lang::En.text(key),
            key: Some(key),
            args: Vec::new(),
        }
    }

    /// A problem worded in the catalogue under `key`, with the values it names.
    pub fn keyed_with(
        field: &'static str,
        key: &'static str,
        args: Vec<(&'static str, String)>,
    ) -> Self {
        FieldError {
            message: crate::web::lang::Tr::plain(Lang::En).args(key, &args),
            args,
            ..FieldError::keyed(field, key)
        }
    }
}

impl From<&InputError> for FieldError {
    fn from(err: &InputError) -> Self {
        FieldError {
            field: err.field(),
            message: err.to_string(),
            key: Some(err.key()),
            args: Vec::new(),
        }
    }
}

/// A file that refused its submission, worded with the file's name for whoever sent it.
fn attachment_error(refusal: &crate::desk::AttachmentRefusal) -> FieldError {
    use crate::desk::AttachmentRefusal as R;
    let name = || ("name", refusal.file_name().unwrap_or_default().to_owned());
    match refusal {
        R::Infected { signature, .. } => FieldError::keyed_with(
            "attachment",
            "attachment-infected",
            vec![name(), ("signature", signature.clone())],
        ),
        R::Unreadable { .. } => {
            FieldError::keyed_with("attachment", "attachment-unreadable", vec![name()])
        }
        R::TooLarge { .. } => {
            FieldError::keyed_with("attachment", "attachment-image-too-large", vec![name()])
        }
        R::Unscanned(_) => FieldError::keyed("attachment", "attachment-unscanned"),
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
                key: Some("input-bad-pgp-key"),
                args: Vec::new(),
            }]),
            DeskError::Canned(refusal) => WebError::Invalid(vec![FieldError::keyed_with(
                "body",
                refusal.key(),
                refusal.args(),
            )]),
            DeskError::NotAllowable(e) => {
                WebError::Invalid(vec![FieldError::keyed_with("value", e.key(), e.args())])
            }
            DeskError::Proof(refusal) => WebError::Invalid(vec![FieldError::keyed_with(
                refusal.field(),
                refusal.key(),
                refusal.args(),
            )]),
            DeskError::NotFound => WebError::NotFound,
            DeskError::LinkSpent => WebError::Gone("download-link-spent"),
            DeskError::SignInRefused => WebError::Unauthenticated,
            // Handlers render these on their pages; reaching here, they are still the
            // caller's to fix.
            DeskError::CurrentPassword(e) => {
                WebError::Invalid(vec![FieldError::english("current", e.to_string())])
            }
            DeskError::Enrolment(EnrolRefusal::Csrf | EnrolRefusal::NotHolder) => {
                WebError::Forbidden
            }
            DeskError::Enrolment(e) => {
                WebError::Invalid(vec![FieldError::english("password", e.to_string())])
            }
            DeskError::NewAgent(crate::desk::PrepareError::Name(e)) => {
                WebError::Invalid(vec![FieldError::keyed("name", e.key())])
            }
            DeskError::NewAgent(crate::desk::PrepareError::Queue(e)) => {
                WebError::Invalid(vec![FieldError::keyed("queue", e.key())])
            }
            DeskError::NewAgent(e) => {
                WebError::Invalid(vec![FieldError::english("name", e.to_string())])
            }
            DeskError::Conflict(what) => WebError::Conflict(conflict_key(what)),
            DeskError::TokenList(e) => {
                let args = match &e {
                    crate::domain::TokenListError::BadToken { line } => {
                        vec![("line", line.to_string())]
                    }
                    _ => Vec::new(),
                };
                WebError::Invalid(vec![FieldError::keyed_with(e.field(), e.key(), args)])
            }
            // Only mail intake sets a deadline; the web never meets this.
            DeskError::OverBudget => {
                WebError::Internal(anyhow::anyhow!("intake over its processing budget"))
            }
            DeskError::Busy => WebError::Busy,
            DeskError::Attachment(refusal) => WebError::Invalid(vec![attachment_error(&refusal)]),
            DeskError::Internal(e) => WebError::Internal(e),
        }
    }
}

/// The catalogue key of each refused change's one wording.
pub(crate) fn conflict_key(what: Conflict) -> &'static str {
    match what {
        Conflict::Held => "conflict-held",
        Conflict::RetentionDays => "conflict-retention-days",
        Conflict::HighestTier => "conflict-highest-tier",
        Conflict::LowestTier => "conflict-lowest-tier",
        Conflict::Status => "conflict-status",
        Conflict::ComponentName => "conflict-component-name",
        Conflict::IncidentResolved => "conflict-incident-resolved",
        Conflict::Assignee => "conflict-assignee",
        Conflict::AgentName => "conflict-agent-name",
        Conflict::AllowlistEntry => "conflict-allowlist-entry",
        Conflict::KbSlug => "conflict-kb-slug",
        Conflict::QueueName => "conflict-queue-name",
        Conflict::TokenListName => "conflict-token-list-name",
        Conflict::CannedResponseTitle => "conflict-canned-response-title",
        Conflict::AlreadySpam => "conflict-already-spam",
        Conflict::OwnSpamMark => "conflict-own-spam-mark",
        Conflict::NotAwaitingSpamConfirmation => "conflict-not-awaiting-spam-confirmation",
        Conflict::QueueOwnersOnly => "conflict-queue-owners-only",
        Conflict::NotSpam => "conflict-not-spam",
        Conflict::MarkedSpam => "conflict-marked-spam",
        Conflict::AdminByOperatorOnly => "conflict-admin-by-operator-only",
        Conflict::RestrictedQueueBeforeEnrolment => "conflict-restricted-queue-before-enrolment",
        Conflict::LastAdmin => "errors-last-admin",
        Conflict::SecondFactorFirst => "errors-second-factor-first",
        Conflict::FallbackQueue => "errors-fallback-queue",
        Conflict::SlaHours => "errors-sla-hours",
        Conflict::Queue => "agent-ticket-conflict-queue",
        Conflict::NotRateable => "conflict-not-rateable",
        // Retried (or, for a sign-in, refused) inside the desk; seen here only if every retry
        // collided.
        Conflict::Reference
        | Conflict::Mask
        | Conflict::Totp
        | Conflict::Locked
        | Conflict::UpdateNumber => "conflict-state",
    }
}

#[derive(Debug, Clone)]
pub struct ErrorInfo {
    /// In English, for the API.
    pub message: String,
    /// The catalogue key a page shows in its reader's language, when there is one.
    pub key: Option<&'static str>,
    pub fields: Vec<FieldError>,
    /// What a staff member wrote that was not posted (the ticket left their scope while they
    /// wrote), shown back to them on the staff error page so that it is not lost.
    pub unsent: Option<String>,
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
            WebError::Gone(_) => StatusCode::GONE,
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
        let info = match self {
            WebError::Invalid(fields) => {
                let message = fields
                    .iter()
                    .map(|f| format!("{}: {}", f.field, f.message))
                    .collect::<Vec<_>>()
                    .join("; ");
                ErrorInfo {
                    message,
                    key: Some(status_key(status)),
                    fields,
                    unsent: None,
                }
            }
            // A catalogue key is shown in the reader's language (the API gets its English);
            // a message not in the catalogue is shown as written.
            WebError::BadRequest(m) | WebError::UnsupportedMediaType(m) => {
                match Lang::En.try_text(m) {
                    Some(_) => ErrorInfo::keyed(m),
                    None => ErrorInfo {
                        message: m.to_owned(),
                        key: None,
                        fields: Vec::new(),
                        unsent: None,
                    },
                }
            }
            WebError::Conflict(key) | WebError::Gone(key) => ErrorInfo::keyed(key),
            WebError::Internal(err) => {
                response
                    .extensions_mut()
                    .insert(InternalDetail(std::sync::Arc::new(err)));
                ErrorInfo::keyed(status_key(status))
            }
            WebError::NotFound
            | WebError::Busy
            | WebError::PayloadTooLarge
            | WebError::Unauthenticated
            | WebError::TokenRequired
            | WebError::Forbidden => ErrorInfo::keyed(status_key(status)),
        };
        response.extensions_mut().insert(info);
        response
    }
}

/// The catalogue key of the general wording for a status.
fn status_key(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "error-400",
        401 => "error-401",
        403 => "error-403",
        404 => "error-404",
        405 => "error-405",
        408 => "error-408",
        409 => "error-409",
        410 => "error-410",
        413 => "error-413",
        414 => "error-414",
        415 => "error-415",
        422 => "error-422",
        429 => "error-429",
        500 => "error-500",
        503 => "error-503",
        _ => "error-other",
    }
}

impl ErrorInfo {
    fn keyed(key: &'static str) -> Self {
        ErrorInfo {
            message: Lang::En.text(key),
            key: Some(key),
            fields: Vec::new(),
            unsent: None,
        }
    }
}

/// A 404 for a staff form whose ticket is gone from the writer's scope, carrying the text
/// they wrote so that the staff error page can give it back. Anything else passes through.
pub fn not_found_keeping_text(answer: WebResult<Response>, text: &str) -> WebResult<Response> {
    match answer {
        Err(WebError::NotFound) if !text.trim().is_empty() => {
            let mut response = WebError::NotFound.into_response();
            if let Some(info) = response.extensions_mut().get_mut::<ErrorInfo>() {
                info.unsent = Some(text.to_owned());
            }
            Ok(response)
        }
        other => other,
    }
}

/// HTML error page.
#[derive(askama::Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    t: Tr,
    status: u16,
    message: &'a str,
    fields: &'a [FieldError],
    request_id: Option<&'a str>,
}

/// Renders every error response, whoever produced it.
pub async fn render_errors(
    axum::extract::State(state): axum::extract::State<crate::web::WebState>,
    request: Request,
    next: Next,
) -> Response {
    let wants_json = request.uri().path().starts_with("/api/");
    let staff_api = request.uri().path().starts_with("/api/v1/agent/");
    let staff = staff::staff_request(&request);
    let tr = crate::web::lang::for_request(request.method(), request.uri(), request.headers());
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
        .unwrap_or_else(|| ErrorInfo::keyed(status_key(status)));
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
        // Staff are told what a 404 means for them (outside their queues and tier), not the
        // requester's "your link may have been deleted".
        let message = if staff_api && info.key == Some("error-404") {
            Lang::En.text("errors-not-found")
        } else {
            info.message.clone()
        };
        let mut json = serde_json::json!({ "error": message });
        if !info.fields.is_empty() {
            json["fields"] = serde_json::to_value(&info.fields).unwrap_or_default();
        }
        if let Some(id) = &request_id {
            json["request_id"] = id.clone().into();
        }
        Json(json).into_response()
    } else if let Some(page) = match staff {
        Some(staff) => {
            staff::page(&state, staff, status.as_u16(), &info, request_id.as_deref()).await
        }
        None => None,
    } {
        page
    } else {
        let shown = info.key.map(|key| tr.t(key));
        let page = ErrorPage {
            t: tr,
            status: status.as_u16(),
            message: shown.as_deref().unwrap_or(&info.message),
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
