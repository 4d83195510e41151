//! The requester's portal: the form, the ticket page reached by its secret link, reply, delete.
//! Works without JavaScript and loads nothing from anywhere else.

pub mod form;
pub mod preview;
pub mod ticket;

use axum::http::{HeaderMap, header};

use crate::app::AppState;

/// The absolute base URL to print links with: the configured one, else this request's host.
pub(super) fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &state.config.public_url {
        return url.clone();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("localhost");
    format!("http://{host}")
}

/// Formats a Unix timestamp for people: `2026-11-22 05:48 UTC`.
pub(super) fn human_time(unix: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_default()
}
