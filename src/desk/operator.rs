//! The operator's door, for the command line. The operator runs the server and holds its
//! data directory and keys, so is outside the desk's trust boundary by nature (DESIGN §1):
//! this door says so in its name, and every action through it is audited as the operator.

use crate::config::Config;
use crate::domain::{Name, Role};
use crate::store::{AgentRow, ChainReport, Expired, PurgeReport, Purger};

use super::access::{EnrolmentLink, prepare_agent, reset_agent_as_operator};
use super::system::purge_batches;
use super::{Desk, DeskError};

/// The command line's door on the desk.
pub struct OperatorDesk {
    pub(super) desk: Desk,
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

    /// Every agent with role, queues and state (`hushdesk agent list`); audited.
    pub async fn agents_as_operator(&self) -> Result<Vec<AgentRow>, DeskError> {
        let operator = self.desk.store.operator_scope();
        Ok(self.desk.store.list_agents_as_operator(&operator).await?)
    }

    /// Disables or enables an agent (`hushdesk agent disable|enable`). The rule of the admin
    /// pages holds here too: `Conflict(LastAdmin)` rather than a desk without an active admin.
    pub async fn set_agent_disabled_as_operator(
        &self,
        name: &str,
        disabled: bool,
    ) -> Result<(), DeskError> {
        let name = Name::parse(name).map_err(|_| DeskError::NotFound)?;
        let operator = self.desk.store.operator_scope();
        Ok(self
            .desk
            .store
            .set_agent_disabled_as_operator(&operator, &name, disabled)
            .await?)
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

    /// FOR BENCHMARKS ONLY (`hushdesk seed`): files `count` made-up tickets through the same
    /// intake as the web form (redacted, sealed, audited as filed by a requester), `workers`
    /// at a time, and closes them `closed_days_ago` days back when given, so a load run can
    /// start from a desk of any size and a purge run has expired tickets to delete. The
    /// texts vary with the ticket's number and hold values the redactor masks.
    pub async fn seed_for_benchmark(
        &self,
        count: usize,
        workers: usize,
        closed_days_ago: Option<i64>,
    ) -> Result<usize, DeskError> {
        use futures_util::StreamExt;
        let filed = futures_util::stream::iter(0..count)
            .map(|i| {
                let desk = &self.desk;
                async move {
                    let input = crate::domain::NewTicketInput::parse(
                        &format!("Order {i} charged twice"),
                        &format!(
                            "Hello, order 7{i:07} was charged twice on my card 4111 1111 1111 1111. \
                             Please write to seed{i}@example.org or call +7 912 345-{:02}-{:02}. \
                             Ticket number {i} of a benchmark seed.",
                            i % 100,
                            (i / 100) % 100
                        ),
                        ["billing", "functionality", "security", "onboarding"][i % 4],
                        None,
                        None,
                    )
                    .map_err(|errors| {
                        DeskError::from(
                            errors
                                .into_iter()
                                .next()
                                .unwrap_or(crate::domain::InputError::EmptyBody),
                        )
                    })?;
                    let filed = desk.file_from_web(input, Vec::new()).await?;
                    Ok::<_, DeskError>(filed.reference)
                }
            })
            .buffer_unordered(workers.max(1))
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(days) = closed_days_ago {
            let operator = self.desk.store.operator_scope();
            let closed_at = crate::store::now_unix() - days * 86_400;
            for chunk in filed.chunks(1000) {
                self.desk
                    .store
                    .close_for_benchmark(&operator, chunk, closed_at)
                    .await?;
            }
        }
        Ok(filed.len())
    }

    /// Rewrites the content tables so purged rows leave no bytes behind (`hushdesk
    /// compact`); returns the steps the database role was not allowed to run.
    pub async fn compact_content(&self) -> Result<Vec<String>, DeskError> {
        let operator = self.desk.store.operator_scope();
        Ok(self.desk.store.compact_content(&operator).await?)
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
