//! Files served as they are: the stylesheet (embedded, so the binary runs from anywhere)
//! and the helpdesk's public OpenPGP key.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::app::AppState;

const STYLESHEET: &str = include_str!("../../static/style.css");

pub async fn stylesheet() -> Response {
    let mut response = STYLESHEET.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    response
}

pub async fn pgp_key(State(state): State<AppState>) -> Response {
    let mut response = state.helpdesk_public_key.to_string().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pgp-keys"),
    );
    response
}
