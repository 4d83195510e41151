//! Ticket lists and ticket pages for agents, and the changes they make. Every read and
//! change goes through the agent's door, whose store calls repeat the scope in their SQL.

mod actions;
mod bulk;
mod list;
mod view;

pub(crate) use actions::SpamStep;
pub use actions::{
    ask_proof, assign, confirm_spam, deescalate, escalate, move_queue, note, priority, reply,
    restore_spam, spam, status,
};
pub use bulk::bulk;
pub(crate) use list::FilterFields;
pub use list::list;
pub use view::{confirm_spam_confirmation_page, confirm_spam_page, draft, show};

use crate::desk::{AgentDesk, TicketOp};
use crate::domain::Reference;
use crate::web::error::{FieldError, WebError, WebResult};

/// Passes on a ticket route's answer. A not-found answer (an unknown reference, one out of
/// the agent's scope, or a malformed one: the same 404 to them) is first recorded as a
/// failed lookup, so probing for tickets leaves a trace and can raise the probing alert.
/// Every route that takes a reference ends here.
pub(crate) async fn record_if_not_found<T>(
    agent: &AgentDesk,
    op: TicketOp,
    reference_text: &str,
    answer: WebResult<T>,
) -> WebResult<T> {
    if matches!(answer, Err(WebError::NotFound)) {
        agent.record_failed_lookup(op, reference_text).await?;
    }
    answer
}

/// A reference from the path; a malformed one is simply not found.
pub(crate) fn reference(text: &str) -> WebResult<Reference> {
    text.parse().map_err(|()| WebError::NotFound)
}

/// A field's problem, worded in the catalogue under `key`.
fn invalid(field: &'static str, key: &'static str) -> WebError {
    WebError::Invalid(vec![FieldError::keyed(field, key)])
}
