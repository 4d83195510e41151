//! A submission the desk turned away before reading it (too many from the network, the desk
//! busy, a failure on our side) comes back as the form with the requester's text still in
//! it and the real wait, instead of an error page that loses what they wrote. Nothing is
//! stored: the text only travels back in the answer.
//!
//! This sits outside the rate limits, so it sees their 429; it holds the body (bounded by the
//! same limit as the handlers) to give it back.

use axum::Extension;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::form::NewTicketPage;
use crate::web::WebState;
use crate::web::error::{Rendered, WebError};
use crate::web::extract::FormFields;
use crate::web::lang::{Tr, for_request};

/// The reply form again, with the text that was not sent.
#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "public/reply_refused.html")]
pub struct ReplyRefusedPage {
    pub t: Tr,
    pub refused: String,
    pub action: String,
    pub ticket_path: String,
    pub draft: String,
}

/// Which form a request posts, if it is one whose text we give back.
enum Form {
    NewTicket,
    Reply { ticket_path: String },
}

fn form_of(method: &Method, path: &str) -> Option<Form> {
    if method != Method::POST {
        return None;
    }
    match path {
        "/tickets" | "/tickets/preview" => Some(Form::NewTicket),
        _ => {
            let token = path.strip_prefix("/t/")?.strip_suffix("/reply")?;
            (!token.is_empty() && !token.contains('/')).then(|| Form::Reply {
                ticket_path: format!("/t/{token}"),
            })
        }
    }
}

pub async fn keep_form_text(
    State(state): State<WebState>,
    request: Request,
    next: Next,
) -> Response {
    let Some(form) = form_of(request.method(), request.uri().path()) else {
        return next.run(request).await;
    };
    // Only a form's own text can be given back in the form.
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !is_form {
        return next.run(request).await;
    }
    let tr = for_request(request.method(), request.uri(), request.headers());
    let action = request.uri().to_string();
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, state.config.max_body_bytes).await else {
        return WebError::PayloadTooLarge.into_response();
    };
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes.clone())))
        .await;
    let refused = match response.status() {
        StatusCode::TOO_MANY_REQUESTS => wait_text(&tr, &response),
        StatusCode::SERVICE_UNAVAILABLE => tr.t("refused-busy"),
        StatusCode::INTERNAL_SERVER_ERROR => tr.t("refused-other"),
        _ => return response,
    };
    if response.extensions().get::<Rendered>().is_some() {
        return response;
    }
    // A body that is not a form at all has no text to give back.
    let Ok(fields) = FormFields::parse(&bytes) else {
        return response;
    };
    let status = response.status();
    let retry_after = response.headers().get(header::RETRY_AFTER).cloned();
    let mut page = match form {
        Form::NewTicket => (
            status,
            Extension(Rendered),
            NewTicketPage {
                refused: Some(refused),
                ..NewTicketPage::refilled(&state, tr, &fields)
            },
        )
            .into_response(),
        Form::Reply { ticket_path } => (
            status,
            Extension(Rendered),
            ReplyRefusedPage {
                refused,
                action,
                ticket_path: tr.href(&ticket_path),
                draft: fields.get("body").unwrap_or_default().to_owned(),
                t: tr,
            },
        )
            .into_response(),
    };
    if let Some(value) = retry_after {
        page.headers_mut().insert(header::RETRY_AFTER, value);
    }
    page
}

/// "Please send it again in 40 seconds" / "in 3 minutes" / "in 2 hours", from the limit's own
/// `Retry-After`.
fn wait_text(tr: &Tr, response: &Response) -> String {
    let seconds = response
        .headers()
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(60)
        .max(1);
    if seconds < 120 {
        tr.n("refused-wait", seconds)
    } else if seconds < 2 * 3600 {
        tr.n("refused-wait-minutes", seconds.div_ceil(60))
    } else {
        tr.n("refused-wait-hours", seconds.div_ceil(3600))
    }
}
