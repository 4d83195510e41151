//! Scheduled work: SLA breaches and closing tickets left waiting on the requester.
//! The jobs are plain functions taking `now`; the scheduler only wires them to cron.

use std::sync::Arc;

use anyhow::Context;
use tokio_cron_scheduler::{Job, JobScheduler};

use crate::config::Config;
use crate::desk::{AutoCloseReport, DeliveryReport, DeskError, PurgeReport, SlaReport, SystemDesk};

pub use crate::desk::working_deadline;

/// Marks missed SLA targets as of `now`.
pub async fn sla(desk: &SystemDesk, now: i64) -> Result<SlaReport, DeskError> {
    desk.sla(now).await
}

/// Closes tickets that have waited on the requester for more than `working_days`.
pub async fn auto_close(
    desk: &SystemDesk,
    working_days: u32,
    now: i64,
) -> Result<AutoCloseReport, DeskError> {
    desk.auto_close(working_days, now).await
}

/// Purges everything expired as of `as_of`, batch by batch, and reports what went.
pub async fn purge(desk: &SystemDesk, as_of: i64, batch: i64) -> Result<PurgeReport, DeskError> {
    desk.purge(as_of, batch).await
}

/// Sends queued mail through the relay.
pub async fn deliver_mail(
    desk: &SystemDesk,
    relay: &str,
    now: i64,
) -> anyhow::Result<DeliveryReport> {
    desk.deliver_mail(relay, now).await
}

/// Starts the scheduler with the SLA and auto-close job on the configured schedule.
pub async fn start(desk: SystemDesk, config: Arc<Config>) -> anyhow::Result<JobScheduler> {
    let scheduler = JobScheduler::new()
        .await
        .context("starting the scheduler")?;
    let days = config.sla.auto_close_working_days;
    let mail_desk = desk.clone();
    let desk_for_purge = desk.clone();
    let job = Job::new_async(config.sla.schedule.as_str(), move |_id, _scheduler| {
        let desk = desk.clone();
        Box::pin(async move {
            let now = crate::desk::now_unix();
            match sla(&desk, now).await {
                Ok(report) if report != SlaReport::default() => tracing::info!(
                    first_response = report.first_response_breaches,
                    resolution = report.resolution_breaches,
                    "SLA targets missed"
                ),
                Ok(_) => {}
                Err(err) => tracing::error!(error = %err, "SLA job failed"),
            }
            match auto_close(&desk, days, now).await {
                Ok(report) if report.closed > 0 => {
                    tracing::info!(closed = report.closed, "closed tickets left waiting")
                }
                Ok(_) => {}
                Err(err) => tracing::error!(error = %err, "auto-close job failed"),
            }
        })
    })
    .context("sla.schedule is not a valid cron line")?;
    scheduler.add(job).await.context("adding the SLA job")?;
    let purge_desk = desk_for_purge;
    let batch = config.retention.batch;
    let job = Job::new_async(
        config.retention.schedule.as_str(),
        move |_id, _scheduler| {
            let desk = purge_desk.clone();
            Box::pin(async move {
                let now = crate::desk::now_unix();
                match purge(&desk, now, batch).await {
                    Ok(report) if !report.purged.is_empty() || report.attachments_shredded > 0 => {
                        tracing::info!(
                            tickets = report.purged.len(),
                            attachments = report.attachments_shredded,
                            "purged expired data"
                        )
                    }
                    Ok(_) => {}
                    Err(err) => tracing::error!(error = %err, "purge job failed"),
                }
            })
        },
    )
    .context("retention.schedule is not a valid cron line")?;
    scheduler.add(job).await.context("adding the purge job")?;
    if let Some(relay) = config.mail.relay.clone() {
        let desk = mail_desk;
        let job = Job::new_async("*/15 * * * * *", move |_id, _scheduler| {
            let desk = desk.clone();
            let relay = relay.clone();
            Box::pin(async move {
                match deliver_mail(&desk, &relay, crate::desk::now_unix()).await {
                    Ok(report) if report.sent + report.failed > 0 => {
                        tracing::info!(sent = report.sent, failed = report.failed, "outgoing mail")
                    }
                    Ok(_) => {}
                    Err(err) => tracing::error!(error = %err, "outgoing mail job failed"),
                }
            })
        })
        .context("building the mail job")?;
        scheduler.add(job).await.context("adding the mail job")?;
    }
    scheduler.start().await.context("starting the scheduler")?;
    Ok(scheduler)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::{OffsetDateTime, Weekday};

    #[test]
    fn working_days_skip_the_weekend() {
        // Thursday 2026-11-19 12:00 UTC
        let thursday = 1_795_089_600;
        assert_eq!(
            OffsetDateTime::from_unix_timestamp(thursday)
                .unwrap()
                .weekday(),
            Weekday::Thursday
        );
        // Two working days later is Monday, four calendar days on.
        assert_eq!(working_deadline(thursday, 2), thursday + 4 * 86_400);
        assert_eq!(working_deadline(thursday, 1), thursday + 86_400);
        assert_eq!(working_deadline(thursday, 0), thursday);
    }
}
