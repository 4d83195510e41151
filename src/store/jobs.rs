//! What the scheduled jobs change: SLA breaches and closing tickets left waiting on the
//! requester. Plain functions taking `now`, so tests run them at any moment they like.

use super::engine::query;

use super::agent_tickets::insert_agent_message;
use super::audit::{Actor, log_event};
use super::{Store, StoreError, SystemScope};
use crate::i18n::Lang;
use crate::redact::Redacted;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SlaReport {
    pub first_response_breaches: u64,
    pub resolution_breaches: u64,
}

#[derive(Debug, Default)]
pub struct AutoCloseReport {
    pub closed: u64,
    /// The closed tickets, so their requesters can be told.
    pub mailboxes: Vec<super::RequesterMailbox>,
}

/// The scheduled jobs. Several instances on one database each run the scheduler; a job runs
/// on whichever claims it first, and the others skip that tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScheduledJob {
    Sla = 1,
    AutoClose = 2,
    Purge = 3,
    Mail = 4,
}

/// The right to run one scheduled job now; no other instance runs it while this lives.
#[must_use = "the job is claimed only while the claim lives"]
pub struct JobClaim(super::engine::JobClaim);

impl JobClaim {
    pub async fn release(self) -> Result<(), StoreError> {
        Ok(self.0.release().await?)
    }
}

impl Store {
    /// Claims `job` unless another instance is running it (`None`: skip this tick).
    pub async fn claim_job(
        &self,
        _system: &SystemScope,
        job: ScheduledJob,
    ) -> Result<Option<JobClaim>, StoreError> {
        Ok(self.pool.claim_job(job as i32).await?.map(JobClaim))
    }
}

/// Most tickets one run changes, so a backlog never holds the write lock for long.
const BATCH: i64 = 500;

impl Store {
    /// Marks missed SLA targets. A missed first response also raises the ticket one tier
    /// (if it can rise), so someone more senior sees it.
    pub async fn sla_sweep(
        &self,
        _system: &super::SystemScope,
        now: i64,
    ) -> Result<SlaReport, StoreError> {
        let mut tx = self.begin_write().await?;
        let late_first = query(
            "select id, reference, tier from tickets where first_response_at is null \
             and first_response_due < $1 and (sla_breaches & 1) = 0 \
             and status not in ('resolved', 'closed') order by id limit $2",
        )
        .bind(now)
        .bind(BATCH)
        .fetch_all(&mut *tx)
        .await?;
        for row in &late_first {
            let id: i64 = row.try_get("id")?;
            let tier: i64 = row.try_get("tier")?;
            let reference: String = row.try_get("reference")?;
            let new_tier = (tier + 1).min(3);
            query(
                "update tickets set sla_breaches = sla_breaches | 1, tier = $2, \
                 status = case when $2 > tier then 'escalated' else status end, \
                 assignee_id = case when $2 > tier then null else assignee_id end where id = $1",
            )
            .bind(id)
            .bind(new_tier)
            .execute(&mut *tx)
            .await?;
            log_event(
                &mut tx,
                &self.audit_key,
                &Actor::System,
                "sla_first_response_missed",
                Some(&reference),
                format!("tier={tier}->{new_tier}"),
                now,
            )
            .await?;
        }
        let late_resolution = query(
            "select id, reference from tickets where resolution_due < $1 and (sla_breaches & 2) = 0 \
             and status not in ('resolved', 'closed') order by id limit $2",
        )
        .bind(now)
        .bind(BATCH)
        .fetch_all(&mut *tx)
        .await?;
        for row in &late_resolution {
            let id: i64 = row.try_get("id")?;
            let reference: String = row.try_get("reference")?;
            query("update tickets set sla_breaches = sla_breaches | 2 where id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            log_event(
                &mut tx,
                &self.audit_key,
                &Actor::System,
                "sla_resolution_missed",
                Some(&reference),
                String::new(),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(SlaReport {
            first_response_breaches: late_first.len() as u64,
            resolution_breaches: late_resolution.len() as u64,
        })
    }

    /// Closes tickets that have waited on the requester past their deadline, leaving the
    /// requester a notice that says so (a reply reopens the ticket).
    pub async fn auto_close_waiting(
        &self,
        _system: &super::SystemScope,
        now: i64,
        is_past_deadline: impl Fn(i64) -> bool,
        notices: &[(Lang, Redacted<String>)],
    ) -> Result<AutoCloseReport, StoreError> {
        let mut tx = self.begin_write().await?;
        let waiting = query(
            "select id, reference, pending_since, language from tickets \
             where status = 'pending_requester' and pending_since is not null order by pending_since limit $1",
        )
        .bind(BATCH)
        .fetch_all(&mut *tx)
        .await?;
        let mut closed = 0;
        let mut mailboxes = Vec::new();
        for row in &waiting {
            let since: i64 = row.try_get("pending_since")?;
            if !is_past_deadline(since) {
                continue;
            }
            let id: i64 = row.try_get("id")?;
            let reference: String = row.try_get("reference")?;
            let reference_for_audit = reference.clone();
            // The notice in the language the requester wrote in.
            let language = super::tickets::stored_language(row.try_get("language")?);
            let Some((_, notice)) = notices
                .iter()
                .find(|(lang, _)| *lang == language)
                .or(notices.first())
            else {
                continue;
            };
            query(
                "update tickets set status = 'closed', closed_at = $2, updated_at = $2, \
                 pending_since = null, auto_closed = 1 where id = $1",
            )
            .bind(id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            insert_agent_message(
                &mut tx,
                id,
                None,
                notice,
                false,
                now,
                Some("Closed automatically"),
            )
            .await?;
            log_event(
                &mut tx,
                &self.audit_key,
                &Actor::System,
                "auto_closed",
                Some(&reference_for_audit),
                String::new(),
                now,
            )
            .await?;
            closed += 1;
            mailboxes.push(super::RequesterMailbox::for_ticket(
                id,
                super::tickets::parse_reference(reference)?,
            ));
        }
        tx.commit().await?;
        Ok(AutoCloseReport { closed, mailboxes })
    }
}
