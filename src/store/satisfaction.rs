//! Satisfaction: the requester's one answer to "how did we do", kept with its ticket, and
//! counts by queue and ISO week that outlive it. The counts never hold a comment, a
//! reference or anything that leads back to a ticket.

use super::audit::{Actor, log_event};
use super::engine::{Conn, query};
use super::error::Conflict;
use super::tickets::{RequesterGrant, insert_mask_slots};
use super::{Store, StoreError, Tx, now_unix};
use crate::redact::{MaskSlot, Redacted};

/// What the requester answered, or may still answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RatingState {
    /// Not finished yet: nothing is asked.
    NotAsked,
    /// Resolved, waiting for one answer.
    Offered,
    Declined,
    /// A score from 1 to 5 and the comment as stored (redacted), if any.
    Rated {
        score: i64,
        comment: Option<String>,
    },
}

/// The requester's answer to the offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RatingAnswer {
    Declined,
    /// 1 to 5; the caller checked the range.
    Score(u8),
}

/// Counts over a range of weeks, per queue: offers, refusals and each score.
#[derive(Debug, Clone, Default)]
pub struct SatisfactionCount {
    pub queue: String,
    /// 'offered', 'declined' or a score '1' to '5'.
    pub answer: String,
    pub n: i64,
}

/// The ISO week of a moment, as stored: `2026-W48`.
pub fn iso_week(unix: i64) -> String {
    let date = time::OffsetDateTime::from_unix_timestamp(unix)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .date();
    let (year, week, _) = date.to_iso_week_date();
    format!("{year}-W{week:02}")
}

pub(super) fn state_of(
    answer: Option<String>,
    score: Option<i64>,
    comment: Option<String>,
) -> RatingState {
    match (answer.as_deref(), score) {
        (Some("offered"), _) => RatingState::Offered,
        (Some("declined"), _) => RatingState::Declined,
        (Some("rated"), Some(score)) => RatingState::Rated { score, comment },
        _ => RatingState::NotAsked,
    }
}

/// Offers the rating when a ticket is first resolved; a ticket asked once is never asked
/// again, whatever its later history.
pub(super) async fn offer_in(tx: &mut Tx<'_>, ticket_id: i64, now: i64) -> Result<(), StoreError> {
    let offered = query(
        "update tickets set rating_answer = 'offered' where id = $1 and rating_answer is null and spam = 0",
    )
    .bind(ticket_id)
    .execute(&mut **tx)
    .await?;
    if offered.rows_affected() == 1 {
        count_in(tx, ticket_id, "offered", now).await?;
    }
    Ok(())
}

/// Adds one to the ticket's queue's count for this week.
async fn count_in(
    tx: &mut Conn,
    ticket_id: i64,
    answer: &'static str,
    now: i64,
) -> Result<(), StoreError> {
    query(
        "insert into satisfaction_counts (queue, week, answer, n) \
         select coalesce(q.name, ''), $2, $3, 1 from tickets t left join queues q on q.id = t.queue_id \
         where t.id = $1 \
         on conflict (queue, week, answer) do update set n = satisfaction_counts.n + 1",
    )
    .bind(ticket_id)
    .bind(iso_week(now))
    .bind(answer)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// Where the ticket stands with its rating, for its requester's page.
    pub async fn rating(&self, grant: &RequesterGrant) -> Result<RatingState, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let row = query("select rating_answer, rating, rating_comment from tickets where id = $1")
            .bind(grant.ticket_id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(state_of(
            row.try_get("rating_answer")?,
            row.try_get("rating")?,
            row.try_get("rating_comment")?,
        ))
    }

    /// Records the one answer to an open offer: refused with `Conflict::NotRateable` when
    /// the ticket is not finished, was never offered, or was answered already.
    pub async fn answer_rating(
        &self,
        grant: &RequesterGrant,
        answer: RatingAnswer,
        comment: Option<&Redacted<String>>,
        new_slots: &[MaskSlot],
    ) -> Result<(), StoreError> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        let (state, score, comment, counted) = match answer {
            RatingAnswer::Declined => ("declined", None, None, "declined"),
            RatingAnswer::Score(score) => (
                "rated",
                Some(i64::from(score)),
                comment.map(Redacted::as_str),
                SCORES[usize::from(score.clamp(1, 5)) - 1],
            ),
        };
        let updated = query(
            "update tickets set rating_answer = $2, rating = $3, rating_comment = $4, rated_at = $5 \
             where id = $1 and rating_answer = 'offered' and status in ('resolved', 'closed')",
        )
        .bind(grant.ticket_id)
        .bind(state)
        .bind(score)
        .bind(comment)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() != 1 {
            return Err(StoreError::Conflict(Conflict::NotRateable));
        }
        if comment.is_some() {
            insert_mask_slots(&mut tx, grant.ticket_id, new_slots).await?;
        }
        count_in(&mut tx, grant.ticket_id, counted, now).await?;
        log_event(
            &mut tx,
            &self.audit_key,
            &Actor::Requester,
            "rating_answered",
            Some(grant.reference.as_str()),
            format!("answer={counted}"),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Satisfaction counts for the weeks `from_week..=to_week` (`2026-W48`; the format
    /// sorts as text).
    pub async fn satisfaction_counts(
        &self,
        from_week: &str,
        to_week: &str,
    ) -> Result<Vec<SatisfactionCount>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let rows = query(
            "select queue, answer, n from satisfaction_counts \
             where week >= $1 and week <= $2 order by week, queue, answer",
        )
        .bind(from_week)
        .bind(to_week)
        .fetch_all(&mut *conn)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(SatisfactionCount {
                    queue: row.try_get("queue")?,
                    answer: row.try_get("answer")?,
                    n: row.try_get("n")?,
                })
            })
            .collect()
    }
}

const SCORES: [&str; 5] = ["1", "2", "3", "4", "5"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_are_iso_weeks_that_sort_as_text() {
        // 2026-11-26 is a Thursday of ISO week 48; 2021-01-03 belongs to 2020's week 53.
        assert_eq!(iso_week(1_795_651_200), "2026-W48");
        assert_eq!(iso_week(1_609_632_000), "2020-W53");
        assert!(iso_week(1_609_632_000) < iso_week(1_795_651_200));
    }
}
