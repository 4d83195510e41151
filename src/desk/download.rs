//! Downloading sealed attachments through single-use links: the agent's door mints a link
//! and spends it. The bytes are opened here, the one place that holds the keyring, and only
//! after the store has recorded the download.

use crate::auth::{DownloadToken, digest_download_token};
use crate::domain::Reference;

use super::{AgentDesk, DeskError};

/// A link as minted: its token (shown once, in the link) and when it stops working.
pub struct DownloadLink {
    pub token: String,
    pub expires_at: i64,
}

impl std::fmt::Debug for DownloadLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DownloadLink(…, expires_at={})", self.expires_at)
    }
}

/// An opened attachment, on its way to the agent who downloaded it.
pub struct Download {
    /// The redacted name it is shown under.
    pub name: String,
    pub bytes: Vec<u8>,
}

impl AgentDesk {
    /// Whether this agent may download sealed attachments at all: admins configure the desk
    /// and never take its files, whatever queues they are in.
    pub fn may_download(&self) -> bool {
        self.scope.role() != crate::domain::Role::Admin
    }

    /// How long a minted link stays usable.
    pub fn download_link_minutes(&self) -> u64 {
        self.desk.policy.download_link_minutes
    }

    /// A single-use link to sealed attachment `attachment` of a ticket the agent may read,
    /// valid for the configured minutes. `NotFound` for anything else (and for admins).
    pub async fn attachment_link(
        &self,
        reference: &Reference,
        attachment: i64,
    ) -> Result<DownloadLink, DeskError> {
        let token = DownloadToken::generate().map_err(anyhow::Error::from)?;
        let digest = digest_download_token(&self.desk.keyring, token.as_str());
        let minutes = i64::try_from(self.desk.policy.download_link_minutes).unwrap_or(5);
        let expires_at = self
            .desk
            .store
            .mint_attachment_link(
                &self.scope,
                reference.as_str(),
                attachment,
                digest,
                minutes * 60,
            )
            .await?;
        Ok(DownloadLink {
            token: token.as_str().to_owned(),
            expires_at,
        })
    }

    /// Spends the link `token` and opens its attachment. `LinkSpent` for a link that is
    /// unknown, used, expired, someone else's or whose ticket the agent can no longer read:
    /// one answer for all, the reason only in the audit log.
    pub async fn download(&self, token: &str) -> Result<Download, DeskError> {
        let digest = digest_download_token(&self.desk.keyring, token);
        let sealed = self
            .desk
            .store
            .consume_attachment_link(&self.scope, digest, self.desk.watch())
            .await?
            .ok_or(DeskError::LinkSpent)?;
        let keyring = self.desk.keyring.clone();
        // Opening a file of megabytes is CPU work: off the async threads.
        let bytes = tokio::task::spawn_blocking(move || {
            keyring
                .open_ticket_key(&sealed.sealed_ticket_key)
                .and_then(|key| key.open(&sealed.sealed))
                .map(|bytes| (sealed.name, bytes))
        })
        .await
        .map_err(anyhow::Error::from)?
        .map_err(anyhow::Error::from)?;
        Ok(Download {
            name: bytes.0,
            bytes: bytes.1,
        })
    }
}
