//! The agent's working tools beyond one change at a time: the SLA-at-risk deadline, the
//! colleagues a list can be narrowed to, the collision check before a message is posted,
//! moving a ticket between the agent's queues, bulk changes, and desk notifications. Every
//! call goes through the agent's scope, repeated in the store's SQL.

use crate::domain::{Name, ReasonInput, Reference, Status};
use crate::store::{NewerMessages, Notification, TicketOp, now_unix};

use super::intake::foreign_mask;
use super::{AgentDesk, CannedRefusal, DeskError};

/// One change applied to every ticket chosen on the list.
#[derive(Debug, Clone)]
pub enum BulkChange {
    /// To an agent, or to nobody (`None`).
    Assign(Option<Name>),
    Status(Status),
    /// To another of the agent's queues, with the reason every move needs.
    Move {
        queue: Name,
        reason: String,
    },
}

impl BulkChange {
    /// What a single change of this kind is recorded as.
    fn op(&self) -> TicketOp {
        match self {
            BulkChange::Assign(_) => TicketOp::Assign,
            BulkChange::Status(_) => TicketOp::Status,
            BulkChange::Move { .. } => TicketOp::Move,
        }
    }
}

impl AgentDesk {
    /// Tickets breached or due before this moment are "SLA at risk".
    pub fn at_risk_deadline(&self) -> i64 {
        now_unix() + self.desk.sla.warning
    }

    /// `NotFound` unless the ticket is one the agent may change (unknown and out of scope
    /// alike), for a step that only asks before changing it.
    pub async fn may_change(&self, reference: &Reference) -> Result<(), DeskError> {
        let missing = self
            .desk
            .store
            .not_in_scope(&self.scope, &[reference.as_str()])
            .await?;
        match missing.is_empty() {
            true => Ok(()),
            false => Err(DeskError::NotFound),
        }
    }

    /// Agents who may work in any of this agent's queues.
    pub async fn colleagues(&self) -> Result<Vec<String>, DeskError> {
        Ok(self.desk.store.colleagues(&self.scope).await?)
    }

    /// What others wrote on a ticket after message id `seen` (the page the agent typed on).
    pub async fn newer_messages(
        &self,
        reference: &Reference,
        seen: i64,
    ) -> Result<NewerMessages, DeskError> {
        Ok(self
            .desk
            .store
            .newer_messages(&self.scope, reference.as_str(), seen)
            .await?)
    }

    /// Moves a ticket to another of the agent's queues; the reason is required, redacted
    /// with the ticket's masks and kept in its history.
    pub async fn move_to_queue(
        &self,
        reference: &Reference,
        queue: &Name,
        reason: &str,
    ) -> Result<(), DeskError> {
        let reason = ReasonInput::parse(reason).map_err(|e| vec![e])?;
        let reason = self
            .desk
            .redact_standalone_input(reference.as_str(), &reason.text)
            .await?;
        Ok(self
            .desk
            .store
            .move_to_queue(&self.scope, reference.as_str(), queue, &reason)
            .await?)
    }

    /// Applies one change to each ticket, each as its own audited change. Every reference
    /// must be in the agent's scope: one that is not refuses the whole request (`NotFound`,
    /// as for a single ticket) before anything changes, rather than being skipped.
    pub async fn bulk_change(
        &self,
        references: &[Reference],
        change: &BulkChange,
    ) -> Result<usize, DeskError> {
        let texts: Vec<&str> = references.iter().map(Reference::as_str).collect();
        let missing = self.desk.store.not_in_scope(&self.scope, &texts).await?;
        if !missing.is_empty() {
            // Each one leaves the trace a single failed lookup leaves, for the probing alert.
            for reference in missing {
                self.record_failed_lookup(change.op(), reference).await?;
            }
            return Err(DeskError::NotFound);
        }
        for reference in references {
            match change {
                BulkChange::Assign(assignee) => self.assign(reference, assignee.as_ref()).await?,
                BulkChange::Status(status) => {
                    self.set_status(reference, *status).await?;
                }
                BulkChange::Move { queue, reason } => {
                    self.move_to_queue(reference, queue, reason).await?;
                }
            }
        }
        Ok(references.len())
    }

    /// The text of a canned response of the ticket's queue, to put into the editor (it is
    /// sent only as what the agent then sends). One holding another text's mask is refused,
    /// as when it is sent directly.
    pub async fn canned_text(&self, reference: &Reference, id: i64) -> Result<String, DeskError> {
        let canned = self
            .desk
            .store
            .canned_body_for(&self.scope, reference.as_str(), id)
            .await?;
        if let Some(token) = foreign_mask(&canned) {
            return Err(CannedRefusal::ForeignMask {
                token: token.to_string(),
            }
            .into());
        }
        Ok(canned)
    }

    /// Unread notifications: the count in the staff navigation.
    pub async fn unread_notifications(&self) -> Result<i64, DeskError> {
        Ok(self
            .desk
            .store
            .unread_notifications(&self.scope, self.desk.sla.warning)
            .await?)
    }

    /// The last week's notifications, newest first.
    pub async fn notifications(&self) -> Result<Vec<Notification>, DeskError> {
        Ok(self
            .desk
            .store
            .notifications(&self.scope, self.desk.sla.warning)
            .await?)
    }

    pub async fn mark_notifications_read(&self) -> Result<(), DeskError> {
        Ok(self.desk.store.mark_notifications_read(&self.scope).await?)
    }
}
