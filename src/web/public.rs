//! The requester's portal: the form, the ticket page reached by its secret link, reply, delete.
//! Works without JavaScript and loads nothing from anywhere else.

pub mod form;
pub mod preview;
pub mod refused;
pub mod ticket;

use crate::web::WebState;

/// The access link to show for `path`: absolute with the configured `public_url`, else the
/// path alone. Never built from the request's `Host` header, which whoever sends the request
/// chooses: a link pointing at their host would hand them the secret token.
pub(super) fn access_link(state: &WebState, path: &str) -> String {
    match &state.config.public_url {
        Some(url) => format!("{url}{path}"),
        None => path.to_owned(),
    }
}

/// Formats a Unix timestamp for people: `2026-11-22 05:48 UTC`.
pub(super) fn human_time(unix: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_default()
}
