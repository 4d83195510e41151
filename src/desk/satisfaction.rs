//! The requester's rating of a resolved ticket: one answer, a score or "no thanks", with an
//! optional comment redacted through the ticket's masks like any reply.

use crate::domain::ReplyInput;
use crate::redact::MaskBook;
use crate::store::{Conflict, RatingAnswer, RatingState, StoreError};

use super::intake::ATTEMPTS;
use super::{DeskError, RequesterDesk};

impl RequesterDesk {
    /// Where the ticket stands with its rating.
    pub async fn rating(&self) -> Result<RatingState, DeskError> {
        Ok(self.desk.store.rating(&self.grant).await?)
    }

    /// Answers the offer once. `comment` goes with a score only, and is redacted first;
    /// refused (`Conflict::NotRateable`) unless the ticket is resolved and still asks.
    pub async fn rate(
        &self,
        answer: RatingAnswer,
        comment: Option<ReplyInput>,
    ) -> Result<(), DeskError> {
        let comment = match answer {
            RatingAnswer::Score(_) => comment,
            RatingAnswer::Declined => None,
        };
        for _ in 0..ATTEMPTS {
            let existing = self.desk.store.mask_slots(&self.grant).await?;
            let book = MaskBook::new(self.desk.mask_key(self.grant.reference()), existing);
            let (redacted, book) = match &comment {
                Some(input) => {
                    let (text, book) = self.desk.redact_in(book, &input.body).await?;
                    (Some(text), book)
                }
                None => (None, book),
            };
            match self
                .desk
                .store
                .answer_rating(&self.grant, answer, redacted.as_ref(), book.fresh_slots())
                .await
            {
                Ok(()) => {
                    tracing::info!(reference = %self.grant.reference(), "rating answered");
                    return Ok(());
                }
                Err(StoreError::Conflict(Conflict::Mask)) => continue,
                Err(other) => return Err(other.into()),
            }
        }
        Err(DeskError::Internal(anyhow::anyhow!(
            "concurrent answers kept colliding"
        )))
    }
}
