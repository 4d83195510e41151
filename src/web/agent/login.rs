//! Sign-in and sign-out pages for agents. The sign-in form carries its own CSRF token
//! (login CSRF: without one, another site could sign a browser in to an account of its
//! choosing): a random nonce in a short-lived strict cookie, and an HMAC of it in the form.

use axum::Extension;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use cookie::{Cookie, SameSite};

use crate::desk::DeskError;
use crate::desk::{LOGIN_FORM_SECONDS, login_nonce};
use crate::desk::{Session, now_unix};
use crate::web::WebState;
use crate::web::error::{Rendered, WebResult};
use crate::web::extract::FormFields;
use crate::web::lang::{PageLang, Tr};
use crate::web::session::{CsrfForm, clear_cookie_header, session_cookie_header};

/// Name of the cookie holding the sign-in form's nonce; sent back to the form's URL only.
const LOGIN_COOKIE: &str = "hushdesk_login";

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "agent/login.html")]
pub struct LoginPage {
    pub t: crate::web::lang::Tr,
    pub name: String,
    pub error: Option<&'static str>,
    /// The hidden `csrf` field, bound to this browser's nonce cookie.
    pub form_token: String,
}

pub async fn show(State(state): State<WebState>, PageLang(tr): PageLang) -> WebResult<Response> {
    fresh_form(&state, tr, StatusCode::OK, String::new(), None)
}

pub async fn submit(
    State(state): State<WebState>,
    PageLang(tr): PageLang,
    headers: HeaderMap,
    form: FormFields,
) -> WebResult<Response> {
    let name = form.get("name").unwrap_or_default();
    let shown_name: String = name.chars().take(64).collect();
    let nonce = cookie_value(&headers, LOGIN_COOKIE);
    let submitted = form.get("csrf").unwrap_or_default();
    let Some(nonce) = nonce.filter(|nonce| {
        state
            .desk
            .login_form_token_valid(nonce, submitted, now_unix())
    }) else {
        // Checked before the password, so a forged post neither signs anyone in nor counts
        // toward a lockout.
        return fresh_form(
            &state,
            tr,
            StatusCode::FORBIDDEN,
            shown_name,
            Some("login-form-expired"),
        );
    };
    let password = form.get("password").unwrap_or_default();
    let code = form.get("totp").filter(|c| !c.trim().is_empty());
    match state
        .desk
        .sign_in(name, password, code, Session::Cookie)
        .await
    {
        Ok(signed_in) => {
            let secure = state.config.secure_cookies();
            let mut response = Redirect::to("/agent/tickets").into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::SET_COOKIE,
                session_cookie_header(signed_in.token.as_str(), secure),
            );
            headers.append(header::SET_COOKIE, login_cookie_header("", 0, secure));
            Ok(response)
        }
        Err(DeskError::SignInRefused) => {
            let page = LoginPage {
                t: tr,
                name: shown_name,
                error: Some("login-failed"),
                form_token: state.desk.login_form_token(&nonce, now_unix()),
            };
            Ok((StatusCode::UNAUTHORIZED, Extension(Rendered), page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

/// The sign-in form with a new nonce cookie and its token.
fn fresh_form(
    state: &WebState,
    t: Tr,
    status: StatusCode,
    name: String,
    error: Option<&'static str>,
) -> WebResult<Response> {
    let nonce = login_nonce().map_err(anyhow::Error::from)?;
    let page = LoginPage {
        t,
        name,
        error,
        form_token: state.desk.login_form_token(&nonce, now_unix()),
    };
    let mut response = (status, Extension(Rendered), page).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        login_cookie_header(&nonce, LOGIN_FORM_SECONDS, state.config.secure_cookies()),
    );
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// `Set-Cookie` for the sign-in nonce; `max_age` 0 removes it.
fn login_cookie_header(nonce: &str, max_age: i64, secure: bool) -> HeaderValue {
    let cookie = Cookie::build((LOGIN_COOKIE, nonce.to_owned()))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .path("/agent/login")
        .max_age(cookie::time::Duration::seconds(max_age))
        .build();
    HeaderValue::from_str(&cookie.to_string()).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

pub async fn logout(State(state): State<WebState>, form: CsrfForm) -> WebResult<Response> {
    form.agent.desk.end_session(&form.agent.session).await?;
    Ok(signed_out(&state))
}

pub async fn logout_everywhere(
    State(state): State<WebState>,
    form: CsrfForm,
) -> WebResult<Response> {
    form.agent.desk.end_all_sessions().await?;
    Ok(signed_out(&state))
}

fn signed_out(state: &WebState) -> Response {
    let mut response = Redirect::to("/agent/login").into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        clear_cookie_header(state.config.secure_cookies()),
    );
    response
}
