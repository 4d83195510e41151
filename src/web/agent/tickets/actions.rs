//! The changes an agent makes to one ticket: a reply, an internal note (two forms that
//! cannot be confused), status, priority, assignment ("assign to me" is the same form with
//! the agent's own name), escalation, moving to another of the agent's queues, and the spam
//! review. Closing as spam asks first on a page of its own.

use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};

use super::view::{Editor, held_back, inserted};
use super::{invalid, record_if_not_found, reference};
use crate::desk::{AgentDesk, TicketOp};
use crate::domain::{Name, Priority, Reference, Status};
use crate::web::error::{WebError, WebResult, not_found_keeping_text};
use crate::web::extract::FormFields;
use crate::web::session::CsrfForm;

fn back_to(reference: &Reference) -> Response {
    Redirect::to(&format!("/agent/tickets/{reference}")).into_response()
}

/// A reply to the requester. The old form's "internal" box is still read (strictly), so a
/// note posted that way stays a note; a `canned` field only puts the text into the editor.
pub async fn reply(Path(reference_text): Path<String>, form: CsrfForm) -> WebResult<Response> {
    let answer: WebResult<_> = async {
        let internal = is_internal_note(&form.fields)?;
        let editor = if internal {
            Editor::Note
        } else {
            Editor::Reply
        };
        post_message(&form, &reference_text, editor).await
    }
    .await;
    let answer = record_if_not_found(&form.agent.desk, TicketOp::Reply, &reference_text, answer);
    not_found_keeping_text(answer.await, form.fields.get("body").unwrap_or_default())
}

/// An internal note: only agents ever read it.
pub async fn note(Path(reference_text): Path<String>, form: CsrfForm) -> WebResult<Response> {
    let answer = post_message(&form, &reference_text, Editor::Note).await;
    let answer = record_if_not_found(&form.agent.desk, TicketOp::Reply, &reference_text, answer);
    not_found_keeping_text(answer.await, form.fields.get("body").unwrap_or_default())
}

/// Posts the form's text as a reply or a note, unless someone else wrote on the ticket since
/// the page was loaded (its `last_message`): then nothing is posted and the page comes back
/// with the warning and the text.
async fn post_message(
    form: &CsrfForm,
    reference_text: &str,
    editor: Editor,
) -> WebResult<Response> {
    let reference = reference(reference_text)?;
    let body = form.fields.get("body").unwrap_or_default();
    if let Some(canned) = form.fields.get("canned").filter(|id| !id.is_empty()) {
        // A canned response still chosen when Send is pressed is put into the editor like
        // Insert does, with the typed text: choosing one never sends anything.
        let id = canned.parse::<i64>().map_err(|_| WebError::NotFound)?;
        return inserted(&form.agent, &reference, editor, body, id).await;
    }
    if let Some(seen) = form.fields.get("last_message").filter(|s| !s.is_empty()) {
        let seen = seen
            .parse::<i64>()
            .map_err(|_| invalid("last_message", "agent-ticket-bad-message-number"))?;
        let newer = form.agent.desk.newer_messages(&reference, seen).await?;
        if newer.any() {
            return held_back(&form.agent, &reference, editor, body.to_owned(), &newer).await;
        }
    }
    form.agent
        .desk
        .add_message(&reference, body, None, editor == Editor::Note)
        .await?;
    Ok(back_to(&reference))
}

/// Moves the ticket to another of the agent's queues; the reason is required.
pub async fn move_queue(Path(reference_text): Path<String>, form: CsrfForm) -> WebResult<Response> {
    let answer: WebResult<_> = async {
        let reference = reference(&reference_text)?;
        let queue = Name::parse_queue(form.fields.get("queue").unwrap_or_default())
            .map_err(|e| invalid("queue", e.key()))?;
        form.agent
            .desk
            .move_to_queue(
                &reference,
                &queue,
                form.fields.get("reason").unwrap_or_default(),
            )
            .await?;
        Ok(back_to(&reference))
    }
    .await;
    record_if_not_found(&form.agent.desk, TicketOp::Move, &reference_text, answer).await
}

/// Asks the requester for a proof of ownership: a challenge their ticket page shows them.
pub async fn ask_proof(Path(reference_text): Path<String>, form: CsrfForm) -> WebResult<Response> {
    let answer: WebResult<_> = async {
        let reference = reference(&reference_text)?;
        form.agent
            .desk
            .ask_for_proof(
                &reference,
                form.fields.get("kind").unwrap_or_default(),
                form.fields.get("expected").unwrap_or_default(),
            )
            .await?;
        Ok(Redirect::to(&format!("/agent/tickets/{reference}#proofs")).into_response())
    }
    .await;
    record_if_not_found(
        &form.agent.desk,
        TicketOp::ProofRequest,
        &reference_text,
        answer,
    )
    .await
}

pub async fn status(Path(reference_text): Path<String>, form: CsrfForm) -> WebResult<Response> {
    let answer: WebResult<_> = async {
        let reference = reference(&reference_text)?;
        let status = form
            .fields
            .get("status")
            .and_then(|s| s.parse::<Status>().ok())
            .ok_or_else(|| invalid("status", "agent-ticket-choose-status"))?;
        form.agent.desk.set_status(&reference, status).await?;
        Ok(back_to(&reference))
    }
    .await;
    record_if_not_found(&form.agent.desk, TicketOp::Status, &reference_text, answer).await
}

pub async fn priority(Path(reference_text): Path<String>, form: CsrfForm) -> WebResult<Response> {
    let answer: WebResult<_> = async {
        let reference = reference(&reference_text)?;
        let priority = form
            .fields
            .get("priority")
            .and_then(|s| s.parse::<Priority>().ok())
            .ok_or_else(|| invalid("priority", "agent-ticket-choose-priority"))?;
        form.agent.desk.set_priority(&reference, priority).await?;
        Ok(back_to(&reference))
    }
    .await;
    record_if_not_found(
        &form.agent.desk,
        TicketOp::Priority,
        &reference_text,
        answer,
    )
    .await
}

pub async fn assign(Path(reference_text): Path<String>, form: CsrfForm) -> WebResult<Response> {
    let answer: WebResult<_> = async {
        let reference = reference(&reference_text)?;
        let assignee = match form.fields.get("assignee").unwrap_or_default() {
            "" => None,
            name => Some(Name::parse(name).map_err(|e| invalid("assignee", e.key()))?),
        };
        form.agent
            .desk
            .assign(&reference, assignee.as_ref())
            .await?;
        Ok(back_to(&reference))
    }
    .await;
    record_if_not_found(&form.agent.desk, TicketOp::Assign, &reference_text, answer).await
}

pub async fn escalate(path: Path<String>, form: CsrfForm) -> WebResult<Response> {
    change_tier(path, form, true).await
}

pub async fn deescalate(path: Path<String>, form: CsrfForm) -> WebResult<Response> {
    change_tier(path, form, false).await
}

async fn change_tier(
    Path(reference_text): Path<String>,
    form: CsrfForm,
    up: bool,
) -> WebResult<Response> {
    let answer: WebResult<_> = async {
        let reference = reference(&reference_text)?;
        let outcome = form
            .agent
            .desk
            .change_tier(
                &reference,
                form.fields.get("reason").unwrap_or_default(),
                up,
            )
            .await?;
        if outcome.still_in_scope {
            Ok(back_to(&reference))
        } else {
            Ok(Redirect::to("/agent/tickets?notice=escalated-away").into_response())
        }
    }
    .await;
    let op = if up {
        TicketOp::Escalate
    } else {
        TicketOp::Deescalate
    };
    record_if_not_found(&form.agent.desk, op, &reference_text, answer).await
}

/// Closes the ticket as spam. It leaves the lists (but for the spam review) and keeps the
/// normal retention until a second agent confirms.
/// Without `confirm=yes` (the confirmation page's button), only leads to that page.
pub async fn spam(path: Path<String>, form: CsrfForm) -> WebResult<Response> {
    if form.fields.get("confirm") != Some("yes") {
        let Path(reference_text) = path;
        let answer: WebResult<_> = async {
            let reference = reference(&reference_text)?;
            form.agent.desk.may_change(&reference).await?;
            Ok(Redirect::to(&format!("/agent/tickets/{reference}/spam")).into_response())
        }
        .await;
        return record_if_not_found(&form.agent.desk, TicketOp::Spam, &reference_text, answer)
            .await;
    }
    spam_step(path, form, SpamStep::Mark).await
}

/// A second agent confirms the spam mark: the short spam retention then applies.
pub async fn confirm_spam(path: Path<String>, form: CsrfForm) -> WebResult<Response> {
    // Confirming starts the spam retention that ends in a purge: asked first, however posted.
    if form.fields.get("confirm") != Some("yes") {
        return Ok(super::view::spam_confirmation(&form.agent, &path.0)
            .await?
            .into_response());
    }
    spam_step(path, form, SpamStep::Confirm).await
}

/// A queue owner takes the spam mark off and opens the ticket again.
pub async fn restore_spam(path: Path<String>, form: CsrfForm) -> WebResult<Response> {
    spam_step(path, form, SpamStep::Restore).await
}

/// The three steps of the spam review, shared by the agent pages and the JSON API.
#[derive(Debug, Clone, Copy)]
pub(crate) enum SpamStep {
    Mark,
    Confirm,
    Restore,
}

impl SpamStep {
    pub(crate) fn op(self) -> TicketOp {
        match self {
            SpamStep::Mark => TicketOp::Spam,
            SpamStep::Confirm => TicketOp::ConfirmSpam,
            SpamStep::Restore => TicketOp::RestoreSpam,
        }
    }

    pub(crate) async fn run(self, agent: &AgentDesk, reference: &Reference) -> WebResult<()> {
        match self {
            SpamStep::Mark => agent.mark_spam(reference).await?,
            SpamStep::Confirm => agent.confirm_spam(reference).await?,
            SpamStep::Restore => agent.restore_spam(reference).await?,
        }
        Ok(())
    }
}

async fn spam_step(
    Path(reference_text): Path<String>,
    form: CsrfForm,
    step: SpamStep,
) -> WebResult<Response> {
    let answer: WebResult<_> = async {
        let reference = reference(&reference_text)?;
        step.run(&form.agent.desk, &reference).await?;
        Ok(back_to(&reference))
    }
    .await;
    record_if_not_found(&form.agent.desk, step.op(), &reference_text, answer).await
}

/// The reply form's "internal note" box, read strictly: a value that is not one a checkbox
/// sends must not quietly turn a note into a reply the requester reads.
fn is_internal_note(fields: &FormFields) -> WebResult<bool> {
    let mut values = fields.get_all("internal");
    let internal = match (values.next(), values.next()) {
        (None, _) => false,
        (Some("yes" | "on" | "true" | "1"), None) => true,
        _ => {
            return Err(invalid("internal", "agent-ticket-bad-internal"));
        }
    };
    Ok(internal)
}
