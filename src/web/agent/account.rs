//! The agent's own account: language and time zone, password change, second factor (set up
//! or replace), and sign-out everywhere.

use axum::Extension;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::Nav;
use crate::desk::{DeskError, MIN_PASSWORD_CHARS, PasswordError, PasswordRefusal};
use crate::i18n::Lang;
use crate::web::WebState;
use crate::web::error::{FieldError, Rendered, WebError, WebResult};
use crate::web::lang::{zone_named, zone_names};
use crate::web::session::{CsrfForm, CurrentAgent, clear_cookie_header};

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "agent/account.html")]
pub struct AccountPage {
    pub t: crate::web::lang::Tr,
    pub nav: Nav,
    pub has_second_factor: bool,
    pub min_chars: usize,
    /// Catalogue keys of what just happened and of what went wrong.
    pub notice: Option<&'static str>,
    pub error: Option<&'static str>,
    pub enrolment_uri: Option<String>,
    pub language: Option<&'static str>,
    pub time_zone: String,
    pub zones: Vec<String>,
}

async fn page(
    agent: &CurrentAgent,
    notice: Option<&'static str>,
    error: Option<&'static str>,
) -> WebResult<AccountPage> {
    Ok(AccountPage {
        nav: Nav::load(agent).await?,
        t: agent.tr.clone(),
        has_second_factor: agent.desk.scope().has_second_factor(),
        min_chars: MIN_PASSWORD_CHARS,
        notice,
        error,
        enrolment_uri: None,
        language: agent.desk.scope().language().map(Lang::code),
        time_zone: agent
            .desk
            .scope()
            .time_zone()
            .unwrap_or_default()
            .to_owned(),
        zones: zone_names(),
    })
}

/// Saves the language and time zone of the agent's pages (the account page's form).
pub async fn save_preferences(form: CsrfForm) -> WebResult<Response> {
    // Empty means "follow the browser" / "the desk's zone"; anything else must be one we offer.
    let language = match form.fields.get("language").unwrap_or_default() {
        "" => None,
        code => Some(Lang::from_code(code).ok_or(WebError::BadRequest("bad-language"))?),
    };
    let zone = form.fields.get("time_zone").filter(|name| !name.is_empty());
    let offered = |name: &str| zone_named(name).is_some() && zone_names().iter().any(|z| z == name);
    if zone.is_some_and(|name| !offered(name)) {
        return Err(WebError::Invalid(vec![FieldError::keyed(
            "time_zone",
            "account-unknown-zone",
        )]));
    }
    form.agent.desk.save_preferences(language, zone).await?;
    Ok(Redirect::to("/agent/account?notice=saved").into_response())
}

/// The language switch in the staff navigation: saves the choice and goes back to the page
/// it was pressed on (only a path on this site).
pub async fn switch_language(form: CsrfForm) -> WebResult<Response> {
    let language = form
        .fields
        .get("language")
        .and_then(Lang::from_code)
        .ok_or(WebError::BadRequest("bad-language"))?;
    let zone = form.agent.desk.scope().time_zone().map(str::to_owned);
    form.agent
        .desk
        .save_preferences(Some(language), zone.as_deref())
        .await?;
    let back = form.fields.get("back").unwrap_or_default();
    // "/" is the requester's form: a staff page answering a POST (a confirmation) has no
    // address of its own to come back to, and its switch says "/"; the desk is the way back.
    let back = if is_local_path(back) && back != "/" {
        back
    } else {
        "/agent/tickets"
    };
    Ok(Redirect::to(back).into_response())
}

/// A path on this site and nothing else: one leading `/`, then only visible ASCII, no
/// backslash. Browsers drop tabs and newlines from addresses and read `\` as `/`, so
/// `/\t/evil.example` or `/\\evil.example` would leave the site.
fn is_local_path(path: &str) -> bool {
    path.starts_with('/')
        && !path[1..].starts_with('/')
        && path.bytes().all(|b| b.is_ascii_graphic() && b != b'\\')
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct AccountQuery {
    #[serde(default)]
    notice: String,
}

pub async fn show(
    agent: CurrentAgent,
    Query(query): Query<AccountQuery>,
) -> WebResult<AccountPage> {
    let notice = (query.notice == "saved").then_some("account-preferences-saved");
    page(&agent, notice, None).await
}

pub async fn change_password(State(state): State<WebState>, form: CsrfForm) -> WebResult<Response> {
    let current = form.fields.get("current").unwrap_or_default();
    let new = form.fields.get("new").unwrap_or_default().to_owned();
    if form.fields.get("confirm").unwrap_or_default() != new {
        return Ok(page(&form.agent, None, Some("account-passwords-differ"))
            .await?
            .into_response());
    }
    let confirmed = form.agent.desk.confirm_current_password(current).await;
    match confirmed {
        Ok(()) => {}
        Err(DeskError::CurrentPassword(PasswordRefusal::Wrong)) => {
            return Ok(page(&form.agent, None, Some("account-password-wrong"))
                .await?
                .into_response());
        }
        Err(DeskError::CurrentPassword(PasswordRefusal::Locked)) => {
            return Ok(page(&form.agent, None, Some("account-password-locked"))
                .await?
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
            Ok(page(&agent, Some("account-password-changed"), None)
                .await?
                .into_response())
        }
        Err(PasswordError::TooShort) => Ok(page(&form.agent, None, Some("account-password-short"))
            .await?
            .into_response()),
        Err(err @ PasswordError::Hash) => Err(anyhow::Error::from(err).into()),
    }
}

pub async fn start_totp(form: CsrfForm) -> WebResult<Response> {
    if form.agent.desk.scope().has_second_factor() {
        return Ok(page(&form.agent, None, Some("account-totp-exists"))
            .await?
            .into_response());
    }
    let uri = form.agent.desk.start_totp_enrolment().await?;
    Ok(AccountPage {
        enrolment_uri: Some(uri),
        ..page(&form.agent, None, None).await?
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
        return Ok(page(&agent, Some("account-totp-on"), None)
            .await?
            .into_response());
    }
    Ok(page(&form.agent, None, Some("account-totp-mismatch"))
        .await?
        .into_response())
}

/// Replacing a second factor: the current code first, then the new seed, confirmed by
/// `confirm_totp` with a first code from it. The old seed works until then.
pub async fn replace_totp(form: CsrfForm) -> WebResult<Response> {
    let code = form.fields.get("current_code").unwrap_or_default();
    match form.agent.desk.start_totp_replacement(code).await? {
        Some(uri) => Ok(AccountPage {
            enrolment_uri: Some(uri),
            ..page(&form.agent, None, None).await?
        }
        .into_response()),
        None => Ok((
            StatusCode::FORBIDDEN,
            Extension(Rendered),
            page(&form.agent, None, Some("account-totp-replace-refused")).await?,
        )
            .into_response()),
    }
}

#[cfg(test)]
mod tests {
    use super::is_local_path;

    #[test]
    fn only_paths_on_this_site_are_gone_back_to() {
        for good in [
            "/agent/account",
            "/agent/tickets?q=a%20b&order=priority",
            "/",
        ] {
            assert!(is_local_path(good), "{good}");
        }
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/x\ny",
            "https://evil.example/",
            "evil.example",
            "",
            "/ a",
            "\\\\evil",
        ] {
            assert!(!is_local_path(bad), "{bad:?}");
        }
    }
}
