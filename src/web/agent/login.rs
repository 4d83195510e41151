//! Sign-in and sign-out pages for agents.

use axum::Extension;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use crate::access::{LoginError, login};
use crate::app::AppState;
use crate::store::Session;
use crate::web::error::{Rendered, WebResult};
use crate::web::extract::FormFields;
use crate::web::session::{CsrfForm, clear_cookie_header, session_cookie_header};

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "agent/login.html")]
pub struct LoginPage {
    pub name: String,
    pub error: Option<&'static str>,
}

pub async fn show() -> LoginPage {
    LoginPage {
        name: String::new(),
        error: None,
    }
}

pub async fn submit(State(state): State<AppState>, form: FormFields) -> WebResult<Response> {
    let name = form.get("name").unwrap_or_default();
    let password = form.get("password").unwrap_or_default();
    let code = form.get("totp").filter(|c| !c.trim().is_empty());
    match login(
        &state.desk,
        &state.config.agents,
        name,
        password,
        code,
        Session::Cookie,
    )
    .await
    {
        Ok(signed_in) => {
            let mut response = Redirect::to("/agent/tickets").into_response();
            response.headers_mut().insert(
                header::SET_COOKIE,
                session_cookie_header(signed_in.token.as_str(), state.config.secure_cookies()),
            );
            Ok(response)
        }
        Err(LoginError::Refused) => {
            let page = LoginPage {
                name: name.chars().take(64).collect(),
                error: Some(
                    "Sign-in failed. Check the name, password and code; after several failures the account is locked for a while.",
                ),
            };
            Ok((StatusCode::UNAUTHORIZED, Extension(Rendered), page).into_response())
        }
        Err(LoginError::Internal(err)) => Err(err.into()),
    }
}

pub async fn logout(State(state): State<AppState>, form: CsrfForm) -> WebResult<Response> {
    let digest = crate::auth::digest_session_token(&state.desk.keyring, &form.agent.session);
    state
        .desk
        .store
        .end_session(&form.agent.scope, digest)
        .await?;
    Ok(signed_out(&state))
}

pub async fn logout_everywhere(
    State(state): State<AppState>,
    form: CsrfForm,
) -> WebResult<Response> {
    state.desk.store.end_all_sessions(&form.agent.scope).await?;
    Ok(signed_out(&state))
}

fn signed_out(state: &AppState) -> Response {
    let mut response = Redirect::to("/agent/login").into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        clear_cookie_header(state.config.secure_cookies()),
    );
    response
}
