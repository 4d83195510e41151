//! The requester's portal: the form, the ticket page reached by its secret link, reply, delete.
//! Works without JavaScript and loads nothing from anywhere else.

pub mod form;
pub mod kb;
pub mod preview;
pub mod refused;
pub mod status;
mod status_feed;
pub mod ticket;

use crate::web::WebState;

/// The access link to show for `path`: absolute with the configured `public_url`, else the
/// path alone. Never built from the request's `Host` header, which whoever sends the request
/// chooses: a link pointing at their host would hand them the secret token.
pub(crate) fn access_link(state: &WebState, path: &str) -> String {
    match &state.config.public_url {
        Some(url) => format!("{url}{path}"),
        None => path.to_owned(),
    }
}
