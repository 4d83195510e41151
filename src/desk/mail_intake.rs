//! What mail intake needs beyond the public front: the ticket behind a reply address, the
//! replay check of a signature, the queue's encryption rule, and the keyring that opens
//! OpenPGP mail. Crate-private: mail is the one caller.

use crate::crypto::Keyring;
use crate::domain::Category;
use crate::store::{RequesterGrant, StoreError};

use super::intake::OpenThread;
use super::{Desk, DeskError};

impl Desk {
    /// The keyring that decrypts and verifies incoming OpenPGP mail. Named for that one use:
    /// mail intake is the only caller (see the dependency rule in `lib.rs`).
    pub(crate) fn keyring_for_mail_intake(&self) -> &Keyring {
        &self.keyring
    }

    /// Files a new ticket from a mail: `pin` becomes its pinned key, `mail` says how it
    /// arrived and what it carried.
    pub(crate) async fn file_from_mail(
        &self,
        input: crate::domain::NewTicketInput,
        pin: Option<crate::crypto::RequesterKey>,
        mail: super::MailIntake,
    ) -> Result<super::Filed, DeskError> {
        self.file(input, pin, mail).await
    }

    /// The ticket a reply-address tag points at, with its secrets opened; `None` for a tag
    /// no ticket has.
    pub(crate) async fn thread_of_reply_tag(
        &self,
        tag: &str,
    ) -> Result<Option<(RequesterGrant, OpenThread)>, DeskError> {
        match self.store.reply_grant(self.reply_token_digest(tag)).await {
            Ok(grant) => {
                let open = self.open_thread(&grant).await?;
                Ok(Some((grant, open)))
            }
            Err(StoreError::NotFound) => Ok(None),
            Err(other) => Err(other.into()),
        }
    }

    /// Whether a message on this ticket already carried the signature with this digest.
    pub(crate) async fn signature_seen_on_ticket(
        &self,
        grant: &RequesterGrant,
        digest: &[u8; 32],
    ) -> Result<bool, DeskError> {
        Ok(self.store.signature_seen(grant, digest).await?)
    }

    /// Whether the queue a new ticket of `category` would land in takes only encrypted mail.
    pub(crate) async fn queue_requires_encryption(
        &self,
        category: Category,
    ) -> Result<bool, DeskError> {
        Ok(self.store.requires_encryption(category).await?)
    }
}
