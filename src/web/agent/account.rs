//! The agent's own account: password change, second factor (set up or replace), and
//! sign-out everywhere.

use axum::Extension;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::Nav;
use crate::desk::{DeskError, MIN_PASSWORD_CHARS, PasswordError, PasswordRefusal};
use crate::web::WebState;
use crate::web::error::{Rendered, WebResult};
use crate::web::session::{CsrfForm, CurrentAgent, clear_cookie_header};

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "agent/account.html")]
pub struct AccountPage {
    pub nav: Nav,
    pub has_second_factor: bool,
    pub min_chars: usize,
    pub notice: Option<&'static str>,
    pub error: Option<&'static str>,
    pub enrolment_uri: Option<String>,
}

fn page(
    agent: &CurrentAgent,
    notice: Option<&'static str>,
    error: Option<&'static str>,
) -> AccountPage {
    AccountPage {
        nav: Nav::of(agent),
        has_second_factor: agent.desk.scope().has_second_factor(),
        min_chars: MIN_PASSWORD_CHARS,
        notice,
        error,
        enrolment_uri: None,
    }
}

pub async fn show(agent: CurrentAgent) -> AccountPage {
    page(&agent, None, None)
}

pub async fn change_password(State(state): State<WebState>, form: CsrfForm) -> WebResult<Response> {
    let current = form.fields.get("current").unwrap_or_default();
    let new = form.fields.get("new").unwrap_or_default().to_owned();
    if form.fields.get("confirm").unwrap_or_default() != new {
        return Ok(page(&form.agent, None, Some("The two new passwords differ.")).into_response());
    }
    let confirmed = form.agent.desk.confirm_current_password(current).await;
    match confirmed {
        Ok(()) => {}
        Err(DeskError::CurrentPassword(PasswordRefusal::Wrong)) => {
            return Ok(
                page(&form.agent, None, Some("The current password is wrong.")).into_response(),
            );
        }
        Err(DeskError::CurrentPassword(PasswordRefusal::Locked)) => {
            return Ok(page(
                &form.agent,
                None,
                Some("Too many wrong passwords: password changes are locked for a while."),
            )
            .into_response());
        }
        // Whoever keeps guessing the password of the session they hold is probably not its
        // owner: end the session. The owner signs in again once the lockout is over.
        Err(DeskError::CurrentPassword(PasswordRefusal::LockedNow)) => {
            form.agent.desk.end_session(&form.agent.session).await?;
            let mut response = Redirect::to("/agent/login").into_response();
            response.headers_mut().insert(
                header::SET_COOKIE,
                clear_cookie_header(state.config.secure_cookies()),
            );
            return Ok(response);
        }
        Err(other) => return Err(other.into()),
    }
    match form
        .agent
        .desk
        .change_password(&form.agent.session, new)
        .await?
    {
        Ok(refreshed) => {
            let mut agent = form.agent;
            agent.desk = refreshed;
            Ok(page(
                &agent,
                Some("Password changed. Your other sessions were signed out."),
                None,
            )
            .into_response())
        }
        Err(PasswordError::TooShort) => {
            Ok(page(&form.agent, None, Some("The new password is too short.")).into_response())
        }
        Err(err @ PasswordError::Hash) => Err(anyhow::Error::from(err).into()),
    }
}

pub async fn start_totp(form: CsrfForm) -> WebResult<Response> {
    if form.agent.desk.scope().has_second_factor() {
        return Ok(page(
            &form.agent,
            None,
            Some("A second factor is already set up."),
        )
        .into_response());
    }
    let uri = form.agent.desk.start_totp_enrolment().await?;
    Ok(AccountPage {
        enrolment_uri: Some(uri),
        ..page(&form.agent, None, None)
    }
    .into_response())
}

pub async fn confirm_totp(form: CsrfForm) -> WebResult<Response> {
    let code = form.fields.get("code").unwrap_or_default();
    if let Some(refreshed) = form
        .agent
        .desk
        .confirm_totp_enrolment(&form.agent.session, code)
        .await?
    {
        let mut agent = form.agent;
        agent.desk = refreshed;
        return Ok(page(
            &agent,
            Some("Second factor on: signing in now needs a code."),
            None,
        )
        .into_response());
    }
    Ok(page(
        &form.agent,
        None,
        Some("That code did not match. Start the set-up again and enter the current code."),
    )
    .into_response())
}

/// Replacing a second factor: the current code first, then the new seed, confirmed by
/// `confirm_totp` with a first code from it. The old seed works until then.
pub async fn replace_totp(form: CsrfForm) -> WebResult<Response> {
    let code = form.fields.get("current_code").unwrap_or_default();
    match form.agent.desk.start_totp_replacement(code).await? {
        Some(uri) => Ok(AccountPage {
            enrolment_uri: Some(uri),
            ..page(&form.agent, None, None)
        }
        .into_response()),
        None => Ok((
            StatusCode::FORBIDDEN,
            Extension(Rendered),
            page(
                &form.agent,
                None,
                Some("That code did not match your current authenticator, or too many codes failed lately; try again later."),
            ),
        )
            .into_response()),
    }
}
