//! The operator's door, for the command line. The operator runs the server and holds its
//! data directory and keys, so is outside the desk's trust boundary by nature (DESIGN §1):
//! this door says so in its name, and every action through it is audited as the operator.

use crate::config::Config;
use crate::domain::Role;
use crate::store::{ChainReport, Expired, PurgeReport, Purger};

use super::access::{EnrolmentLink, prepare_agent, reset_agent_as_operator};
use super::system::purge_batches;
use super::{Desk, DeskError};

/// The command line's door on the desk.
pub struct OperatorDesk {
    desk: Desk,
}

/// What `hushdesk agent add` prints once and never again.
pub struct NewAgentSecrets {
    /// Set when the password was generated.
    pub initial_password: Option<String>,
    /// Set when a second factor was set up: the URI to scan into an authenticator.
    pub provisioning_uri: Option<String>,
}

impl OperatorDesk {
    /// Opens the desk in the data directory as its operator.
    pub async fn open(config: &Config) -> anyhow::Result<OperatorDesk> {
        Ok(OperatorDesk {
            desk: Desk::open(config).await?,
        })
    }

    /// Creates an agent of any role, admins included (`hushdesk agent add`). `password`
    /// `None` generates one; `with_totp` sets up a second factor where the role does not
    /// require one. `Conflict(AgentName)` when the name is taken, `NotFound` for an unknown
    /// queue.
    pub async fn create_agent_as_operator(
        &self,
        name: &str,
        role: Role,
        password: Option<String>,
        with_totp: bool,
        queues: &[String],
    ) -> Result<NewAgentSecrets, DeskError> {
        let prepared = prepare_agent(&self.desk.keyring, name, role, password, with_totp, queues)?;
        let operator = self.desk.store.operator_scope();
        self.desk
            .store
            .create_agent_as_operator(&operator, prepared.agent)
            .await?;
        Ok(NewAgentSecrets {
            initial_password: prepared.initial_password,
            provisioning_uri: prepared.provisioning_uri,
        })
    }

    /// Resets an agent without a second admin (`hushdesk agent reset`); `None` when no
    /// agent has that name.
    pub async fn reset_agent_as_operator(
        &self,
        name: &str,
    ) -> anyhow::Result<Option<EnrolmentLink>> {
        let operator = self.desk.store.operator_scope();
        reset_agent_as_operator(&self.desk, &operator, name).await
    }

    /// What a purge as of `as_of` would delete (`hushdesk purge --dry-run`).
    pub async fn expired(&self, as_of: i64) -> Result<(Vec<Expired>, i64), DeskError> {
        let tickets = self.desk.store.expired_tickets(as_of, i64::MAX).await?;
        let attachments = self.desk.store.expired_attachments(as_of).await?;
        Ok((tickets, attachments))
    }

    /// Purges what is expired as of `as_of` (`hushdesk purge`).
    pub async fn purge(&self, as_of: i64, batch: i64) -> Result<PurgeReport, DeskError> {
        let operator = self.desk.store.operator_scope();
        purge_batches(&self.desk, Purger::Operator(&operator), as_of, batch).await
    }

    /// Places a legal hold (`hushdesk hold add`); the reason is redacted before it is kept.
    pub async fn place_hold(&self, reference: &str, reason: &str) -> Result<(), DeskError> {
        let reason = crate::domain::ReasonInput::parse(reason)?;
        let reason = self.desk.redact_standalone("hold", &reason.text);
        let operator = self.desk.store.operator_scope();
        Ok(self
            .desk
            .store
            .place_hold_as_operator(&operator, reference, &reason)
            .await?)
    }

    /// Releases a legal hold (`hushdesk hold release`).
    pub async fn release_hold(&self, reference: &str) -> Result<(), DeskError> {
        let operator = self.desk.store.operator_scope();
        Ok(self
            .desk
            .store
            .release_hold_as_operator(&operator, reference)
            .await?)
    }

    /// Walks the whole audit chain (`hushdesk audit verify`).
    pub async fn verify_audit_chain(&self) -> Result<ChainReport, DeskError> {
        Ok(self.desk.store.verify_audit_chain().await?)
    }

    /// The helpdesk's OpenPGP public key, armored (`hushdesk key export`).
    pub fn helpdesk_public_key(&self) -> anyhow::Result<String> {
        self.desk.helpdesk_public_key()
    }

    pub async fn close(&self) {
        self.desk.close().await;
    }
}
