//! The agent's door: minted by the desk only after password and second factor (`sign_in`),
//! or from the live session they opened (`agent_session`). Every ticket operation repeats
//! the scope in its SQL; this door only saves the caller from passing it along.

use crate::auth::{PasswordError, TokenDigest, digest_session_token, hash_password};
use crate::domain::{Name, Priority, Reference, Role, Status};
use crate::store::{
    AgentScope, AgentTicketView, Alert, EscalationOutcome, ListFilter, Session, TicketOp,
    TicketPage,
};

use super::access::{self, SignedIn, session_policy};
use super::{AdminDesk, AgentMessageOutcome, Desk, DeskError, Mailed};

/// A signed-in agent.
#[derive(Clone)]
pub struct AgentDesk {
    pub(super) desk: Desk,
    pub(super) scope: AgentScope,
}

impl Desk {
    /// Checks a sign-in (password, then second factor, lockout) and opens a session of
    /// `kind`. The only way to an `AgentDesk` without an existing session.
    pub async fn sign_in(
        &self,
        name: &str,
        password: &str,
        code: Option<&str>,
        kind: Session,
    ) -> Result<SignedIn, DeskError> {
        access::login(self, name, password, code, kind).await
    }

    /// The agent whose live session `token` is; `NotFound` for an unknown, expired or
    /// malformed one.
    pub async fn agent_session(&self, token: &str, kind: Session) -> Result<AgentDesk, DeskError> {
        let digest = digest_session_token(&self.keyring, token);
        let scope = self
            .store
            .agent_session(digest, kind, session_policy(&self.policy))
            .await?;
        Ok(AgentDesk::new(self.clone(), scope))
    }
}

impl AgentDesk {
    pub(super) fn new(desk: Desk, scope: AgentScope) -> Self {
        AgentDesk { desk, scope }
    }

    pub fn scope(&self) -> &AgentScope {
        &self.scope
    }

    pub fn name(&self) -> &Name {
        self.scope.name()
    }

    pub fn role(&self) -> Role {
        self.scope.role()
    }

    /// The admin's door, for admins only.
    pub fn admin(&self) -> Option<AdminDesk> {
        self.scope
            .admin()
            .map(|admin| AdminDesk::new(self.desk.clone(), admin))
    }

    /// One page of the tickets in scope that match `filter`, in its order.
    pub async fn tickets(&self, filter: &ListFilter) -> Result<TicketPage, DeskError> {
        Ok(self
            .desk
            .store
            .agent_tickets(&self.scope, filter, self.desk.watch())
            .await?)
    }

    /// One ticket in scope (or opened by break-glass); the read is audited.
    pub async fn ticket(&self, reference: &Reference) -> Result<AgentTicketView, DeskError> {
        Ok(self
            .desk
            .store
            .agent_ticket(&self.scope, reference.as_str(), self.desk.watch())
            .await?)
    }

    /// Records a reference asked for in vain, so probing leaves a trace.
    pub async fn record_failed_lookup(
        &self,
        op: TicketOp,
        reference_text: &str,
    ) -> Result<(), DeskError> {
        Ok(self
            .desk
            .store
            .record_failed_lookup(&self.scope, op, reference_text, self.desk.watch())
            .await?)
    }

    /// Alerts about the agent's queues since `since`.
    pub async fn alerts(&self, since: i64) -> Result<Vec<Alert>, DeskError> {
        Ok(self.desk.store.agent_alerts(&self.scope, since).await?)
    }

    /// The queues the agent is a member of.
    pub async fn queues(&self) -> Result<Vec<String>, DeskError> {
        Ok(self.desk.store.agent_queues(&self.scope).await?)
    }

    /// A public reply (also mailed to the requester) or an internal note, redacted with the
    /// ticket's masks; `canned` puts a canned response of the ticket's queue before it.
    pub async fn add_message(
        &self,
        reference: &Reference,
        typed: &str,
        canned: Option<i64>,
        internal: bool,
    ) -> Result<AgentMessageOutcome, DeskError> {
        self.desk
            .agent_message(&self.scope, reference, typed, canned, internal)
            .await
    }

    /// Sets a ticket's status; a final one is mailed to the requester.
    pub async fn set_status(
        &self,
        reference: &Reference,
        status: Status,
    ) -> Result<Option<Mailed>, DeskError> {
        self.desk.set_status(&self.scope, reference, status).await
    }

    /// Escalates (`up`) or de-escalates, keeping the redacted reason as a note.
    pub async fn change_tier(
        &self,
        reference: &Reference,
        reason: &str,
        up: bool,
    ) -> Result<EscalationOutcome, DeskError> {
        self.desk
            .change_tier(&self.scope, reference, reason, up)
            .await
    }

    /// Opens one ticket outside the agent's scope for the configured time.
    pub async fn break_glass(
        &self,
        reference: &Reference,
        justification: &str,
    ) -> Result<(), DeskError> {
        let seconds = i64::try_from(self.desk.policy.break_glass_minutes * 60).unwrap_or(900);
        self.desk
            .break_glass(&self.scope, reference, justification, seconds)
            .await
    }

    pub async fn set_priority(
        &self,
        reference: &Reference,
        priority: Priority,
    ) -> Result<(), DeskError> {
        Ok(self
            .desk
            .store
            .set_priority(&self.scope, reference.as_str(), priority, self.desk.sla)
            .await?)
    }

    pub async fn assign(
        &self,
        reference: &Reference,
        assignee: Option<&Name>,
    ) -> Result<(), DeskError> {
        Ok(self
            .desk
            .store
            .assign(&self.scope, reference.as_str(), assignee)
            .await?)
    }

    pub async fn mark_spam(&self, reference: &Reference) -> Result<(), DeskError> {
        Ok(self
            .desk
            .store
            .mark_spam(&self.scope, reference.as_str())
            .await?)
    }

    pub async fn confirm_spam(&self, reference: &Reference) -> Result<(), DeskError> {
        Ok(self
            .desk
            .store
            .confirm_spam(&self.scope, reference.as_str())
            .await?)
    }

    pub async fn restore_spam(&self, reference: &Reference) -> Result<(), DeskError> {
        Ok(self
            .desk
            .store
            .restore_spam(&self.scope, reference.as_str())
            .await?)
    }

    /// Ends the session `token` (sign-out).
    pub async fn end_session(&self, token: &str) -> Result<(), DeskError> {
        let digest = self.session_digest(token);
        Ok(self.desk.store.end_session(&self.scope, digest).await?)
    }

    /// Ends every session of the agent; returns how many.
    pub async fn end_all_sessions(&self) -> Result<u64, DeskError> {
        Ok(self.desk.store.end_all_sessions(&self.scope).await?)
    }

    /// Saves the language and time zone of the agent's own pages.
    pub async fn save_preferences(
        &self,
        language: Option<crate::i18n::Lang>,
        time_zone: Option<&str>,
    ) -> Result<(), DeskError> {
        Ok(self
            .desk
            .store
            .save_preferences(&self.scope, language, time_zone)
            .await?)
    }

    /// Confirms the current password before a change, under the sign-in lockout rules.
    pub async fn confirm_current_password(&self, password: &str) -> Result<(), DeskError> {
        access::confirm_current_password(&self.desk, &self.scope, password).await
    }

    /// Sets a new password and signs out every other session; gives back the agent as the
    /// kept cookie session `token` now sees them. `Ok(Err(..))` when the password is refused.
    pub async fn change_password(
        &self,
        token: &str,
        new: String,
    ) -> Result<Result<AgentDesk, PasswordError>, DeskError> {
        let hashed = tokio::task::spawn_blocking(move || hash_password(&new))
            .await
            .map_err(anyhow::Error::from)?;
        let hash = match hashed {
            Ok(hash) => hash,
            Err(PasswordError::TooShort) => return Ok(Err(PasswordError::TooShort)),
            Err(err @ PasswordError::Hash) => return Err(anyhow::Error::from(err).into()),
        };
        let keep = self.session_digest(token);
        self.desk
            .store
            .change_password(&self.scope, hash, keep)
            .await?;
        Ok(Ok(self.desk.agent_session(token, Session::Cookie).await?))
    }

    /// Starts setting up a second factor; the `otpauth://` URI to scan.
    pub async fn start_totp_enrolment(&self) -> anyhow::Result<String> {
        access::start_totp_enrolment(&self.desk, &self.scope).await
    }

    /// Finishes the set-up when `code` matches; the agent as the session now sees them.
    pub async fn confirm_totp_enrolment(
        &self,
        token: &str,
        code: &str,
    ) -> Result<Option<AgentDesk>, DeskError> {
        if !access::confirm_totp_enrolment(&self.desk, &self.scope, code).await? {
            return Ok(None);
        }
        Ok(Some(self.desk.agent_session(token, Session::Cookie).await?))
    }

    /// Starts replacing the second factor, proven by a current code.
    pub async fn start_totp_replacement(
        &self,
        current_code: &str,
    ) -> anyhow::Result<Option<String>> {
        access::start_totp_replacement(&self.desk, &self.scope, current_code).await
    }

    fn session_digest(&self, token: &str) -> TokenDigest {
        digest_session_token(&self.desk.keyring, token)
    }
}
