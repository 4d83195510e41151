//! Administration: agents, queues, memberships, routing, canned responses, alerts and the
//! audit log. Every handler needs an `AdminDesk`; none can reach ticket content.

pub mod agents;
pub mod allowlist;
pub mod audit;
pub mod dashboard;
pub mod queues;
pub mod retention;

use crate::domain::Name;
use crate::web::error::{FieldError, WebError, WebResult};

/// A name from a form or path, with a readable error naming the field.
pub(crate) fn name_field(field: &'static str, text: &str) -> WebResult<Name> {
    Name::parse(text)
        .map_err(|message| WebError::Invalid(vec![FieldError::english(field, message.to_owned())]))
}
