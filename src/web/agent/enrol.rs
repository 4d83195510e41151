//! The enrolment page: an agent who was created or reset by someone else opens their
//! single-use link, chooses a password and, where needed, scans a new second factor and
//! confirms it with a first code. No session exists yet: the form's CSRF token is bound to
//! the link. Unknown, used and expired links all get the same 404.

use axum::Extension;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cookie::{Cookie, SameSite};

use crate::desk::MIN_PASSWORD_CHARS;
use crate::desk::{DeskError, EnrolRefusal, EnrolmentAnswer, EnrolmentForm};
use crate::web::WebState;
use crate::web::error::{Rendered, WebError, WebResult};
use crate::web::extract::FormFields;
use crate::web::lang::{PageLang, Tr};

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "agent/enrol.html")]
pub struct EnrolPage {
    pub t: crate::web::lang::Tr,
    pub action: String,
    pub agent: String,
    pub role: &'static str,
    pub csrf: String,
    pub min_chars: usize,
    /// The new seed to scan, when a second factor is part of enrolment.
    pub second_factor: Option<SeedOffer>,
    pub error: Option<String>,
}

/// The seed as an `otpauth://` URI and as a base32 key to type in.
pub struct SeedOffer {
    pub uri: String,
    pub key: String,
}

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "agent/enrolled.html")]
pub struct EnrolledPage {
    pub t: crate::web::lang::Tr,
    pub agent: String,
}

fn form_page(t: Tr, token: &str, form: EnrolmentForm, error: Option<String>) -> EnrolPage {
    EnrolPage {
        t,
        action: format!("{}{token}", crate::desk::ENROLMENT_PATH),
        agent: form.agent.to_string(),
        role: form.role.id(),
        csrf: form.csrf,
        min_chars: MIN_PASSWORD_CHARS,
        second_factor: form.second_factor.map(|(uri, key)| SeedOffer { uri, key }),
        error,
    }
}

/// Why the credentials were not taken, in the reader's language.
fn enrol_refusal_text(tr: &Tr, refusal: &EnrolRefusal) -> String {
    match refusal {
        EnrolRefusal::Csrf => tr.t("enrol-out-of-date"),
        EnrolRefusal::NotHolder => tr.t("enrol-other-browser"),
        EnrolRefusal::Mismatch => tr.t("enrol-mismatch"),
        EnrolRefusal::Password(crate::desk::PasswordError::TooShort) => {
            tr.n("enrol-too-short", crate::desk::MIN_PASSWORD_CHARS)
        }
        EnrolRefusal::Password(other) => other.to_string(),
        EnrolRefusal::Code => tr.t("enrol-code"),
    }
}

/// The cookie naming the browser that holds an enrolment (its seed): sent back to
/// enrolment pages only, never readable by scripts. `Lax`, not `Strict`, because the link is
/// usually followed from a webmail page and a reload after that must keep the seed already
/// scanned; a cross-site POST still goes without it, and the form has its own CSRF token.
const HOLDER_COOKIE: &str = "hushdesk_enrol";

fn holder_cookie_header(state: &WebState, nonce: &str) -> HeaderValue {
    let hours = i64::try_from(state.config.agents.enrolment_link_hours).unwrap_or(1);
    let cookie = Cookie::build((HOLDER_COOKIE, nonce.to_owned()))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.secure_cookies())
        .path("/agent/enrol")
        .max_age(cookie::time::Duration::hours(hours))
        .build();
    HeaderValue::from_str(&cookie.to_string()).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn holder_nonce(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == HOLDER_COOKIE)
        .map(|c| c.value().to_owned())
}

/// The page, with the holder cookie when this view made the browser the holder.
fn page_response(
    state: &WebState,
    t: Tr,
    token: &str,
    form: EnrolmentForm,
    status: StatusCode,
    error: Option<String>,
) -> Response {
    let new_holder = form.new_holder.clone();
    let page = form_page(t, token, form, error);
    let mut response = (status, Extension(Rendered), page).into_response();
    if let Some(nonce) = new_holder {
        response
            .headers_mut()
            .insert(header::SET_COOKIE, holder_cookie_header(state, &nonce));
    }
    // The page shows a seed: no cache may keep it.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

pub async fn show(
    State(state): State<WebState>,
    PageLang(tr): PageLang,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> WebResult<Response> {
    let nonce = holder_nonce(&headers);
    let form = state.desk.open_enrolment(&token, nonce.as_deref()).await?;
    Ok(page_response(
        &state,
        tr,
        &token,
        form,
        StatusCode::OK,
        None,
    ))
}

pub async fn submit(
    State(state): State<WebState>,
    PageLang(tr): PageLang,
    Path(token): Path<String>,
    headers: HeaderMap,
    fields: FormFields,
) -> WebResult<Response> {
    let nonce = holder_nonce(&headers);
    let answer = EnrolmentAnswer {
        csrf: fields.get("csrf").unwrap_or_default(),
        password: fields.get("password").unwrap_or_default(),
        confirm: fields.get("confirm").unwrap_or_default(),
        code: fields.get("code").unwrap_or_default(),
    };
    let message = match state
        .desk
        .complete_enrolment(&token, nonce.as_deref(), answer)
        .await
    {
        Ok(agent) => {
            return Ok(EnrolledPage {
                t: tr,
                agent: agent.to_string(),
            }
            .into_response());
        }
        Err(DeskError::Enrolment(EnrolRefusal::Csrf)) => return Err(WebError::Forbidden),
        // Only a GET hands the enrolment over: a POST from a browser that does not hold it
        // (a cookieless bot, the admin's browser) must not void the seed the agent scanned.
        Err(DeskError::Enrolment(EnrolRefusal::NotHolder)) => return Err(WebError::Forbidden),
        Err(DeskError::Enrolment(refusal)) => enrol_refusal_text(&tr, &refusal),
        Err(other) => return Err(other.into()),
    };
    // Shown again with the same seed (same browser), so the code in the app still applies.
    let form = state.desk.open_enrolment(&token, nonce.as_deref()).await?;
    Ok(page_response(
        &state,
        tr,
        &token,
        form,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some(message),
    ))
}
