//! The support lead's figures for a period: handling times and rates per queue and priority,
//! the open backlog, satisfaction, the privacy and security counts. Counts only: no
//! reference, no content, no person. Reading them through an admin is audited, and so is an
//! export.

use std::collections::BTreeMap;

use crate::domain::metrics::{
    BACKLOG_BUCKETS, Figures, Outcome, Period, Quantiles, Rate, Satisfaction, backlog_bucket,
    by_queue_and_priority,
};
use crate::store::{MetricsReader, PrivacyMetrics, SecurityCounts, iso_week, now_unix, week_of};

use super::{AdminDesk, Desk, DeskError};

/// The knowledge base's figures over the weeks a period touches: whether an article helped,
/// and the share of would-be filings answered by an article instead ("don't send" on the
/// preview) among those plus the tickets filed. Counted per week with nothing about the
/// visitor, so they are read at week grain even when the period starts mid-week.
#[derive(Debug, Clone, Default)]
pub struct SelfService {
    pub helpful: Rate,
    pub self_service: Rate,
    pub helped: i64,
    pub not_helped: i64,
    pub deflected: i64,
}

/// Everything `/admin/metrics` and `/metrics` show for one period.
#[derive(Debug, Clone)]
pub struct LeadMetrics {
    pub period: Period,
    /// Per (queue, priority).
    pub groups: BTreeMap<(String, String), Figures>,
    pub overall: Figures,
    /// Open tickets per queue by age bucket (`BACKLOG_BUCKETS`), as they stand now.
    pub backlog: BTreeMap<String, [i64; BACKLOG_BUCKETS.len()]>,
    /// Per queue, over the ISO weeks the period touches.
    pub satisfaction: BTreeMap<String, Satisfaction>,
    pub satisfaction_total: Satisfaction,
    /// `None` while nobody has answered "Did this help?" or given up a filing in the
    /// period's weeks: the pages say "no data".
    pub kb: Option<SelfService>,
    pub privacy: PrivacyMetrics,
    pub security: SecurityCounts,
    /// First response on P1 tickets of the security category.
    pub security_p1_first_response: Quantiles,
}

/// One line of the CSV export: a week of filing, a queue and a priority.
#[derive(Debug, Clone)]
pub struct MetricsRow {
    pub week: String,
    pub queue: String,
    pub priority: String,
    pub figures: Figures,
}

impl Desk {
    /// The figures for `period`, counts only. Whoever calls decides who may read them:
    /// `/metrics` checks its token or an admin first, as for the privacy figures.
    pub async fn lead_metrics(&self, period: Period) -> Result<LeadMetrics, DeskError> {
        let now = now_unix();
        let outcomes = self
            .store
            .outcomes(period.from_day, period.until_day, now)
            .await?;
        let mut backlog: BTreeMap<String, [i64; 4]> = BTreeMap::new();
        for (queue, created_at) in self.store.backlog().await? {
            backlog.entry(queue).or_default()[backlog_bucket(now - created_at)] += 1;
        }
        let counts = self
            .store
            .satisfaction_counts(&iso_week(period.from_day), &iso_week(period.until_day - 1))
            .await?;
        let mut satisfaction: BTreeMap<String, Satisfaction> = BTreeMap::new();
        let mut satisfaction_total = Satisfaction::default();
        for c in &counts {
            satisfaction
                .entry(c.queue.clone())
                .or_default()
                .add(&c.answer, c.n);
            satisfaction_total.add(&c.answer, c.n);
        }
        let security_p1_first_response = Quantiles::of(
            outcomes
                .iter()
                .filter(|o| o.category == "security" && o.priority == "P1")
                .filter_map(|o| o.first_response_seconds)
                .collect(),
        );
        Ok(LeadMetrics {
            period,
            groups: by_queue_and_priority(&outcomes),
            overall: Figures::of(&outcomes),
            backlog,
            satisfaction,
            satisfaction_total,
            kb: self.self_service(period, &outcomes).await?,
            privacy: self.store.privacy_metrics().await?,
            security: self
                .store
                .security_counts(period.from_day, period.until_day)
                .await?,
            security_p1_first_response,
        })
    }
}

impl Desk {
    async fn self_service(
        &self,
        period: Period,
        outcomes: &[Outcome],
    ) -> Result<Option<SelfService>, DeskError> {
        let last_week = week_of(period.until_day - 1);
        let figures = self.store.kb_figures(week_of(period.from_day)).await?;
        let weeks = figures.weeks.iter().filter(|w| w.week <= last_week);
        let (mut helped, mut not_helped, mut deflected) = (0, 0, 0);
        for w in weeks {
            helped += w.helped;
            not_helped += w.not_helped;
            deflected += w.deflected;
        }
        if helped + not_helped + deflected == 0 {
            return Ok(None);
        }
        // Spam is already left out of the outcomes.
        let filed = outcomes.len() as i64;
        Ok(Some(SelfService {
            helpful: Rate {
                hits: helped,
                of: helped + not_helped,
            },
            self_service: Rate {
                hits: deflected,
                of: deflected + filed,
            },
            helped,
            not_helped,
            deflected,
        }))
    }
}

impl AdminDesk {
    /// The lead's figures read by this admin; the read is audited.
    pub async fn lead_metrics(&self, period: Period) -> Result<LeadMetrics, DeskError> {
        self.desk
            .store
            .audit_metrics_read(MetricsReader::Admin(&self.admin))
            .await?;
        self.desk.lead_metrics(period).await
    }

    /// The period's figures per week of filing, queue and priority, for a CSV download;
    /// audited as `metrics_exported`.
    pub async fn export_metrics(&self, period: Period) -> Result<Vec<MetricsRow>, DeskError> {
        let outcomes = self
            .desk
            .store
            .outcomes(period.from_day, period.until_day, now_unix())
            .await?;
        self.desk
            .store
            .audit_metrics_export(&self.admin, period.from_day, period.until_day)
            .await?;
        let mut weeks: BTreeMap<(String, String, String), Vec<&Outcome>> = BTreeMap::new();
        for o in &outcomes {
            weeks
                .entry((iso_week(o.filed_day), o.queue.clone(), o.priority.clone()))
                .or_default()
                .push(o);
        }
        Ok(weeks
            .into_iter()
            .map(|((week, queue, priority), group)| MetricsRow {
                week,
                queue,
                priority,
                figures: Figures::of(group),
            })
            .collect())
    }
}
