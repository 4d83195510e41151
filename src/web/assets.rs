//! Files served as they are: the stylesheet and the icon (embedded, so the binary runs from
//! anywhere) and the helpdesk's public OpenPGP key, also as a Web Key Directory (direct method).

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::web::WebState;
use crate::web::error::WebError;

const STYLESHEET: &str = include_str!("../../static/style.css");

pub async fn stylesheet() -> Response {
    embedded(
        STYLESHEET,
        "text/css; charset=utf-8",
        "public, max-age=3600",
    )
}

/// An embedded file with its type and how long browsers may keep it.
fn embedded(body: &'static str, content_type: &'static str, cache: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

const SHORTCUTS: &str = include_str!("../../static/shortcuts.js");

/// The agent desk's keyboard shortcuts (progressive enhancement; the desk works without).
pub async fn shortcuts() -> Response {
    embedded(
        SHORTCUTS,
        "text/javascript; charset=utf-8",
        "public, max-age=3600",
    )
}

pub async fn pgp_key(State(state): State<WebState>) -> Response {
    let mut response = state.helpdesk_public_key.to_string().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pgp-keys"),
    );
    response
}

/// `/.well-known/openpgpkey/hu/{hash}`: the helpdesk key in binary when `hash` names the
/// support address's local part, so mail clients find the key by address alone.
pub async fn wkd_key(
    State(state): State<WebState>,
    axum::extract::Path(hash): axum::extract::Path<String>,
) -> Result<Response, WebError> {
    if hash != state.desk.support_address().wkd_hash() {
        return Err(WebError::NotFound);
    }
    let key = state
        .desk
        .helpdesk_public_key_binary()
        .map_err(WebError::Internal)?;
    let mut response = key.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    Ok(response)
}

/// `/.well-known/openpgpkey/policy`: present and empty, as the WKD draft asks.
pub async fn wkd_policy() -> Response {
    let mut response = "".into_response();
    response.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

/// Browsers ask for `/favicon.ico` on every page; answering it keeps their consoles free of
/// 404 errors, which the browser tests treat as failures.
const ICON: &str = include_str!("../../static/icon.svg");

pub async fn icon() -> Response {
    embedded(ICON, "image/svg+xml", "public, max-age=86400")
}
