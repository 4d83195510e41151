//! The requester's door: made from the ticket's secret access token, it covers exactly that
//! ticket (read, reply, delete now), and the public front that precedes it (file, preview).

use crate::domain::{NewTicketInput, Reference, ReplyInput};
use crate::redact::{PlannedMask, RedactionCounts};
use crate::store::{RequesterGrant, TicketView};

use super::{Deletion, Desk, DeskError, Filed, IncomingAttachment, ReplyOutcome};

/// Someone holding one ticket's secret link.
#[derive(Clone)]
pub struct RequesterDesk {
    pub(super) desk: Desk,
    pub(super) grant: RequesterGrant,
}

impl Desk {
    /// The door of whoever presents `token`; unknown and malformed tokens take the same path
    /// and both answer `NotFound`.
    pub async fn requester(&self, presented_token: &str) -> Result<RequesterDesk, DeskError> {
        let digest = crate::auth::digest_presented_token(&self.keyring, presented_token);
        let grant = self.store.requester_grant(digest).await?;
        Ok(RequesterDesk {
            desk: self.clone(),
            grant,
        })
    }

    /// Files a new ticket from the web form or the JSON API.
    pub async fn file_ticket(&self, input: NewTicketInput) -> Result<Filed, DeskError> {
        self.file_from_web(input, Vec::new()).await
    }

    /// Files a new ticket from the web form with the files it carried: screened, then text
    /// redacted and the rest sealed, as for mail.
    pub async fn file_ticket_with_files(
        &self,
        input: NewTicketInput,
        files: Vec<IncomingAttachment>,
    ) -> Result<Filed, DeskError> {
        self.file_from_web(input, files).await
    }

    /// How many days sealed attachments are kept, for the pages that tell requesters.
    pub async fn sealed_attachment_days(&self) -> Result<i64, DeskError> {
        Ok(self.store.sealed_attachment_days().await?)
    }

    /// The masks a new ticket's subject and body would get, for the requester's preview.
    pub async fn preview(
        &self,
        subject: &str,
        body: &str,
    ) -> Result<(Vec<PlannedMask>, Vec<PlannedMask>), DeskError> {
        self.preview_masks(subject, body).await
    }
}

impl RequesterDesk {
    pub fn reference(&self) -> &Reference {
        self.grant.reference()
    }

    /// The ticket as its requester sees it.
    pub async fn view(&self) -> Result<TicketView, DeskError> {
        Ok(self.desk.store.requester_view(&self.grant).await?)
    }

    /// Adds a reply, keeping the ticket's masks stable.
    pub async fn reply(&self, input: ReplyInput) -> Result<RedactionCounts, DeskError> {
        let outcome = self.desk.add_reply(&self.grant, input, Vec::new()).await?;
        Ok(outcome.redactions)
    }

    /// Adds a reply with the files it carried (see `Desk::file_ticket_with_files`).
    pub async fn reply_with_files(
        &self,
        input: ReplyInput,
        files: Vec<IncomingAttachment>,
    ) -> Result<ReplyOutcome, DeskError> {
        self.desk.add_reply(&self.grant, input, files).await
    }

    /// The ticket's secret reply address, `support+TOKEN@domain`, if it has one.
    pub async fn reply_address(&self) -> Result<Option<String>, DeskError> {
        let token = self.desk.reply_token(&self.grant).await?;
        Ok(token.map(|token| self.desk.outgoing.support.with_tag(&token)))
    }

    /// "Delete now": the ticket and all it holds, with a signed receipt.
    pub async fn delete_now(self, lang: crate::i18n::Lang) -> Result<Deletion, DeskError> {
        self.desk.delete_now(self.grant, lang).await
    }
}
