//! Errors seen by signed-in staff render inside the staff layout, with the navigation and a
//! way back to where they work, instead of the requester's page ("your link may have been
//! deleted"). Only for the staff sections, and only when the session cookie still names a
//! live session: anyone else gets the public page, which says nothing about staff.

use axum::http::request::Parts;
use axum::http::{HeaderMap, Request, Uri, header};
use axum::response::{IntoResponse, Response};

use super::{ErrorInfo, FieldError};
use crate::web::WebState;
use crate::web::agent::Nav;
use crate::web::lang::Tr;
use crate::web::session::CurrentAgent;

#[derive(askama::Template)]
#[template(path = "staff_error.html")]
struct StaffErrorPage<'a> {
    /// The agent's own language and time zone, not the browser's.
    t: Tr,
    nav: Nav,
    status: u16,
    message: &'a str,
    fields: &'a [FieldError],
    unsent: Option<&'a str>,
    request_id: Option<&'a str>,
    /// Where the way back leads: the section the request was in.
    back: &'static str,
}

/// What is kept of a request to a staff section to render its error later: its address
/// (for `?lang=`), cookies and `Accept-Language`. `None` elsewhere or without cookies.
pub(super) struct StaffRequest {
    uri: Uri,
    headers: HeaderMap,
    back: &'static str,
}

pub(super) fn staff_request<B>(request: &Request<B>) -> Option<StaffRequest> {
    let path = request.uri().path();
    let back = if path == "/admin" || path.starts_with("/admin/") {
        "/admin"
    } else if path.starts_with("/agent/") && path != "/agent/login" {
        "/agent/tickets"
    } else {
        return None;
    };
    let mut headers = HeaderMap::new();
    for name in [header::COOKIE, header::ACCEPT_LANGUAGE] {
        for value in request.headers().get_all(&name) {
            headers.append(name.clone(), value.clone());
        }
    }
    headers.contains_key(header::COOKIE).then(|| StaffRequest {
        uri: request.uri().clone(),
        headers,
        back,
    })
}

/// The error page in the staff layout, when the cookies hold a live session.
pub(super) async fn page(
    state: &WebState,
    request: StaffRequest,
    status: u16,
    info: &ErrorInfo,
    request_id: Option<&str>,
) -> Option<Response> {
    let (mut parts, ()) = Request::new(()).into_parts();
    parts.uri = request.uri;
    parts.headers = request.headers;
    let back = request.back;
    let agent = signed_in(&mut parts, state).await?;
    let back = if back == "/admin" && agent.desk.admin().is_none() {
        "/agent/tickets"
    } else {
        back
    };
    let message = info
        .key
        .map_or_else(|| info.message.clone(), |key| agent.tr.t(key));
    let page = StaffErrorPage {
        t: agent.tr.clone(),
        nav: Nav::load(&agent).await.ok()?,
        status,
        message: &message,
        fields: &info.fields,
        unsent: info.unsent.as_deref(),
        request_id,
        back,
    };
    let html = askama::Template::render(&page).ok()?;
    Some(axum::response::Html(html).into_response())
}

async fn signed_in(parts: &mut Parts, state: &WebState) -> Option<CurrentAgent> {
    use axum::extract::FromRequestParts;
    CurrentAgent::from_request_parts(parts, state).await.ok()
}
