//! The scheduler's door: SLA sweep, auto-close, purge and outgoing mail. Each is a plain
//! function of `now`, so tests drive them with a fixed clock. Audited as the system.
//! Each job first claims itself on the database, so of several instances sharing one
//! PostgreSQL only one runs it at a time; the others report an empty run.

use std::time::Duration;

use crate::domain::DeliveryFailure;
use crate::outbound::Relay;
use crate::store::{
    AutoCloseReport, JobClaim, PurgeReport, Purger, ScheduledJob, SlaReport, SystemScope,
};

use super::notice::{Notice, auto_close_text};
use super::{Desk, DeskError};
use crate::i18n::Lang;

/// The jobs' door. Only `Desk::open_with_scheduler` makes one, beside the desk it opens, so
/// code that holds a `Desk` (the web state does) cannot mint the scheduler's powers from it.
#[derive(Clone)]
pub struct SystemDesk {
    /// Seen by the desk's own modules only, so that opening can build the door.
    pub(super) desk: Desk,
}

/// How long a message taken for sending stays out of every other run's reach. Longer than
/// one send can last (the relay client waits at most 30 s per SMTP step), so a slow send is
/// never doubled; a sender that dies mid-send leaves its message due again this much later.
pub const MAIL_LEASE_SECONDS: i64 = 600;

/// What one delivery run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryReport {
    pub sent: u64,
    pub failed: u64,
}

impl SystemDesk {
    fn scope(&self) -> SystemScope {
        self.desk.store.system_scope()
    }

    /// Claims `job`, or `None` when another instance is running it right now.
    async fn claim(&self, job: ScheduledJob) -> Result<Option<JobClaim>, DeskError> {
        Ok(self.desk.store.claim_job(&self.scope(), job).await?)
    }

    /// Marks missed SLA targets as of `now`.
    pub async fn sla(&self, now: i64) -> Result<SlaReport, DeskError> {
        let Some(claim) = self.claim(ScheduledJob::Sla).await? else {
            return Ok(SlaReport::default());
        };
        let report = self.desk.store.sla_sweep(&self.scope(), now).await?;
        claim.release().await?;
        Ok(report)
    }

    /// Closes tickets that have waited on the requester for more than `working_days`, and
    /// tells each requester by mail.
    pub async fn auto_close(
        &self,
        working_days: u32,
        now: i64,
    ) -> Result<AutoCloseReport, DeskError> {
        let notices: Vec<_> = Lang::ALL
            .into_iter()
            .map(|lang| {
                let text = auto_close_text(lang, working_days);
                (lang, self.desk.redact_standalone("auto-close", &text))
            })
            .collect();
        let Some(claim) = self.claim(ScheduledJob::AutoClose).await? else {
            return Ok(AutoCloseReport::default());
        };
        // Working days are the desk's: its business days and holidays where an admin set them.
        let clock = self.desk.store.sla_clock_now().await?;
        let report = self
            .desk
            .store
            .auto_close_waiting(
                &self.scope(),
                now,
                |since| clock.after_working_days(since, working_days) <= now,
                &notices,
            )
            .await?;
        for mailbox in &report.mailboxes {
            if let Err(err) = self
                .desk
                .notify_requester(mailbox, Notice::AutoClosed { working_days })
                .await
            {
                tracing::warn!(error = %err, "queueing the closing notice failed");
            }
        }
        claim.release().await?;
        Ok(report)
    }

    /// Purges everything expired as of `as_of`, batch by batch.
    pub async fn purge(&self, as_of: i64, batch: i64) -> Result<PurgeReport, DeskError> {
        let Some(claim) = self.claim(ScheduledJob::Purge).await? else {
            return Ok(PurgeReport::default());
        };
        let scope = self.scope();
        let report = purge_batches(&self.desk, Purger::System(&scope), as_of, batch).await?;
        claim.release().await?;
        Ok(report)
    }

    /// Sends every queued message that is due through `relay` (`smtp://host:port`,
    /// `smtps://…`, or with `?tls=required`). Failures are retried later with growing waits.
    /// One instance runs the job per tick (its claim); each message is besides leased to the
    /// run that sends it, so no two runs send it, and a message whose sender died is sent by
    /// a later run once its lease (`MAIL_LEASE_SECONDS`) has run out.
    pub async fn deliver_mail(&self, relay: &str, now: i64) -> anyhow::Result<DeliveryReport> {
        let relay = Relay::connect(relay, &self.desk.outgoing.sender.address)?;
        let Some(claim) = self.claim(ScheduledJob::Mail).await? else {
            return Ok(DeliveryReport::default());
        };
        let report = self.deliver_claimed(&relay, now).await?;
        claim.release().await?;
        Ok(report)
    }

    async fn deliver_claimed(&self, relay: &Relay, now: i64) -> anyhow::Result<DeliveryReport> {
        let scope = self.scope();
        let store = &self.desk.store;
        let mut report = DeliveryReport::default();
        // At most this many per run, so one run never keeps the job from the next tick long.
        while report.sent + report.failed < 100 {
            let leased = store
                .lease_due_mail(&scope, now, now + MAIL_LEASE_SECONDS)
                .await?;
            let Some(queued) = leased else {
                break;
            };
            let opened = self
                .desk
                .keyring
                .open_ticket_key(&queued.sealed_ticket_key)
                .and_then(|key| key.open(&queued.sealed_message));
            let Ok(payload) = opened else {
                store
                    .mail_failed(&scope, queued.id, now + 86_400, DeliveryFailure::CannotOpen)
                    .await?;
                report.failed += 1;
                continue;
            };
            let Some(split) = payload.iter().position(|&b| b == 0) else {
                store
                    .mail_failed(&scope, queued.id, now + 86_400, DeliveryFailure::Malformed)
                    .await?;
                report.failed += 1;
                continue;
            };
            let recipient = String::from_utf8_lossy(&payload[..split]).into_owned();
            match relay.send(&recipient, &payload[split + 1..]).await {
                Ok(()) => {
                    store.mail_sent(&scope, queued.id).await?;
                    report.sent += 1;
                }
                Err(failure) => {
                    let wait = crate::outbound::backoff(queued.attempts);
                    tracing::warn!(
                        attempts = queued.attempts + 1,
                        retry_in = wait,
                        error = failure.describe(),
                        "relay refused or unreachable"
                    );
                    store
                        .mail_failed(&scope, queued.id, now + wait, failure)
                        .await?;
                    report.failed += 1;
                }
            }
        }
        Ok(report)
    }
}

/// How long one purge batch may hold the write lock: requests that arrive meanwhile wait
/// at most about this long for it. Short, because a writer of another process (a server
/// beside `hushdesk purge`) waits in SQLite's busy handler, whose sleeps grow past 10 ms
/// after the first few tries.
const PURGE_BATCH_LOCK: Duration = Duration::from_millis(10);

/// The first batch's size; later ones grow or shrink towards `PURGE_BATCH_LOCK`.
const FIRST_PURGE_BATCH: i64 = 8;

/// Batches between passive checkpoints while the purge runs (when nothing waits for the
/// lock), so the write-ahead log stays small on a long purge.
const CHECKPOINT_EVERY: u32 = 16;

/// Purges batch by batch, yielding to intake: each batch is sized to hold the write lock
/// for about `PURGE_BATCH_LOCK` (at most `max_batch` tickets), and after each the purge
/// pauses as long as the batch held the lock for every writer waiting, plus twice, so
/// requests queued behind a batch go first and a purge never takes more than a third of
/// the lock time (writers of another process are not counted as waiting: the two spare
/// turns are theirs). While it runs, the write-ahead log is checkpointed passively (never blocking a
/// writer) and only when no writer waits; once at the end fully, so nothing purged is left
/// in `-wal`.
pub(super) async fn purge_batches(
    desk: &Desk,
    by: Purger<'_>,
    as_of: i64,
    max_batch: i64,
) -> Result<PurgeReport, DeskError> {
    let store = &desk.store;
    let max_batch = max_batch.max(1);
    let mut batch = FIRST_PURGE_BATCH.min(max_batch);
    let mut total = PurgeReport::default();
    let mut since_checkpoint = 0;
    loop {
        let report = store.purge_expired(by, as_of, batch).await?;
        let deleted_something = !report.purged.is_empty() || report.attachments_shredded > 0;
        total.purged.extend(report.purged);
        total.attachments_shredded += report.attachments_shredded;
        total.lock_held += report.lock_held;
        if deleted_something {
            since_checkpoint += 1;
        }
        if !report.more {
            break;
        }
        batch = next_batch_size(batch, report.lock_held, max_batch);
        let waiting = store.waiting_writers();
        if waiting == 0 && since_checkpoint >= CHECKPOINT_EVERY {
            store.checkpoint_passive().await?;
            since_checkpoint = 0;
        }
        let pause = report
            .lock_held
            .saturating_mul(u32::try_from(waiting).unwrap_or(u32::MAX).saturating_add(2));
        tokio::time::sleep(pause.min(Duration::from_secs(1))).await;
    }
    if since_checkpoint > 0 {
        store.checkpoint_fully().await?;
    }
    Ok(total)
}

/// The next batch's size from how long the last one held the lock: doubled while well
/// under the target, halved when over it.
fn next_batch_size(batch: i64, lock_held: Duration, max_batch: i64) -> i64 {
    if lock_held > PURGE_BATCH_LOCK {
        (batch / 2).max(1)
    } else if lock_held < PURGE_BATCH_LOCK / 2 {
        batch.saturating_mul(2).min(max_batch)
    } else {
        batch
    }
}

/// The moment `days` working days (Monday to Friday, UTC) after `since` have passed: the
/// desk's count while no business hours are set.
pub fn working_deadline(since: i64, days: u32) -> i64 {
    crate::domain::SlaClock::AroundTheClock.after_working_days(since, days)
}

#[cfg(test)]
mod purge_pacing {
    use super::*;

    #[test]
    fn batches_grow_while_quick_and_shrink_when_over_the_lock_target() {
        let quick = PURGE_BATCH_LOCK / 4;
        let slow = PURGE_BATCH_LOCK * 2;
        assert_eq!(next_batch_size(8, quick, 200), 16);
        assert_eq!(
            next_batch_size(150, quick, 200),
            200,
            "never past the configured batch"
        );
        assert_eq!(next_batch_size(64, slow, 200), 32);
        assert_eq!(
            next_batch_size(1, slow, 200),
            1,
            "always at least one ticket"
        );
        assert_eq!(
            next_batch_size(40, PURGE_BATCH_LOCK * 3 / 4, 200),
            40,
            "on target: kept"
        );
    }
}
