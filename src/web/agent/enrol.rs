//! The enrolment page: an agent who was created or reset by someone else opens their
//! single-use link, chooses a password and, where needed, scans a new second factor and
//! confirms it with a first code. No session exists yet: the form's CSRF token is bound to
//! the link. Unknown, used and expired links all get the same 404.

use axum::Extension;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::access::{
    EnrolError, EnrolmentAnswer, EnrolmentForm, complete_enrolment, open_enrolment,
};
use crate::app::AppState;
use crate::auth::MIN_PASSWORD_CHARS;
use crate::web::error::{Rendered, WebError, WebResult};
use crate::web::extract::FormFields;

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "agent/enrol.html")]
pub struct EnrolPage {
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
    pub agent: String,
}

fn form_page(token: &str, form: EnrolmentForm, error: Option<String>) -> EnrolPage {
    EnrolPage {
        action: format!("{}{token}", crate::access::ENROLMENT_PATH),
        agent: form.agent.to_string(),
        role: form.role.id(),
        csrf: form.csrf,
        min_chars: MIN_PASSWORD_CHARS,
        second_factor: form.second_factor.map(|(uri, key)| SeedOffer { uri, key }),
        error,
    }
}

pub async fn show(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> WebResult<EnrolPage> {
    let form = open_enrolment(&state.desk, &token).await?;
    Ok(form_page(&token, form, None))
}

pub async fn submit(
    State(state): State<AppState>,
    Path(token): Path<String>,
    fields: FormFields,
) -> WebResult<Response> {
    let answer = EnrolmentAnswer {
        csrf: fields.get("csrf").unwrap_or_default(),
        password: fields.get("password").unwrap_or_default(),
        confirm: fields.get("confirm").unwrap_or_default(),
        code: fields.get("code").unwrap_or_default(),
    };
    let message = match complete_enrolment(&state.desk, &token, answer).await {
        Ok(agent) => {
            return Ok(EnrolledPage {
                agent: agent.to_string(),
            }
            .into_response());
        }
        Err(EnrolError::NotFound) => return Err(WebError::NotFound),
        Err(EnrolError::Csrf) => return Err(WebError::Forbidden),
        Err(EnrolError::Internal(e)) => return Err(e.into()),
        Err(other) => other.to_string(),
    };
    // Shown again with the same seed, so the code in the app still applies.
    let form = open_enrolment(&state.desk, &token).await?;
    let page = form_page(&token, form, Some(message));
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Extension(Rendered), page).into_response())
}
