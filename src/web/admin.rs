//! Administration: agents, queues, memberships, routing, canned responses, alerts and the
//! audit log. Every handler needs an `AdminDesk`; none can reach ticket content.

pub mod agent_edit;
pub mod agents;
pub mod alerts;
pub mod allowlist;
pub mod audit;
pub mod dashboard;
pub mod kb;
pub mod metrics;
pub mod proofs;
pub mod queues;
pub mod retention;
pub mod sla;

use crate::domain::{Name, NameError};
use crate::web::error::{FieldError, WebError, WebResult};

/// An agent's name from a form or path, with a readable error naming the field.
pub(crate) fn name_field(field: &'static str, text: &str) -> WebResult<Name> {
    Name::parse(text).map_err(|e| name_error(field, e))
}

/// A queue's name from a form or path, with a readable error naming the field.
pub(crate) fn queue_field(field: &'static str, text: &str) -> WebResult<Name> {
    Name::parse_queue(text).map_err(|e| name_error(field, e))
}

pub(crate) fn name_error(field: &'static str, error: NameError) -> WebError {
    WebError::Invalid(vec![FieldError::keyed(field, error.key())])
}
