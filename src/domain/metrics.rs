//! The support lead's figures, worked out from ticket outcomes: live tickets' own timestamps
//! and the outcome rows purged tickets leave. Percentiles are taken here over the period's
//! rows, sorted in memory: a desk's tickets over a quarter are thousands, which sort in
//! well under a millisecond, and the same code serves both database engines.

use std::collections::BTreeMap;

/// How one ticket was handled, without anything that names it or what it said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub queue: String,
    pub priority: String,
    pub category: String,
    /// The UTC midnight of the day it was filed.
    pub filed_day: i64,
    /// From filing to the first public reply by an agent.
    pub first_response_seconds: Option<i64>,
    /// From filing to resolved or closed, while it is (or was, when purged) finished.
    pub resolution_seconds: Option<i64>,
    /// Whether the first response came by its due time; `None` while undecided or when the
    /// ticket had no target.
    pub sla_met: Option<bool>,
    /// Times it was reopened after being finished.
    pub reopened: i64,
    /// First contact resolution: finished, never reopened, with exactly one public agent
    /// reply and no requester message after it.
    pub fcr: bool,
}

impl Outcome {
    /// Finished once at least: finished now, or reopened since.
    pub fn resolved_once(&self) -> bool {
        self.resolution_seconds.is_some() || self.reopened > 0
    }
}

/// Whether a first response met its due time, as seen at `now`: met or missed once
/// answered, missed once the due time passed unanswered, undecided before.
pub fn sla_verdict(first_response_at: Option<i64>, due: Option<i64>, now: i64) -> Option<bool> {
    let due = due?;
    match first_response_at {
        Some(at) => Some(at <= due),
        None if now > due => Some(false),
        None => None,
    }
}

/// The UTC midnight of the day `unix` falls in.
pub fn day_of(unix: i64) -> i64 {
    unix - unix.rem_euclid(86_400)
}

/// The days a report covers: tickets filed from `from_day` (a UTC midnight) up to, not
/// including, `until_day`. Whole days, so a ticket counts the same before and after its
/// purge keeps only the day it was filed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from_day: i64,
    pub until_day: i64,
}

/// The longest period a report covers: ten years.
pub const MAX_PERIOD_DAYS: i64 = 3660;

impl Period {
    /// The last `days` days, today included.
    pub fn last_days(days: i64, now: i64) -> Period {
        let until_day = day_of(now) + 86_400;
        Period {
            from_day: until_day - days.clamp(1, MAX_PERIOD_DAYS) * 86_400,
            until_day,
        }
    }

    /// From one day to another, both included; `None` when `until` is before `from` or the
    /// span is longer than `MAX_PERIOD_DAYS`.
    pub fn between(from_day: i64, last_day: i64) -> Option<Period> {
        let (from_day, until_day) = (day_of(from_day), day_of(last_day) + 86_400);
        let days = (until_day - from_day) / 86_400;
        (1..=MAX_PERIOD_DAYS).contains(&days).then_some(Period {
            from_day,
            until_day,
        })
    }

    pub fn days(&self) -> i64 {
        (self.until_day - self.from_day) / 86_400
    }
}

/// `hits` out of `of`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rate {
    pub hits: i64,
    pub of: i64,
}

impl Rate {
    pub fn ratio(self) -> Option<f64> {
        (self.of > 0).then(|| self.hits as f64 / self.of as f64)
    }

    fn add(&mut self, hit: bool) {
        self.of += 1;
        self.hits += i64::from(hit);
    }
}

/// Median and 90th percentile by nearest rank (the smallest value with at least that share
/// of values at or below it), so each figure is a time some ticket really took.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Quantiles {
    pub count: usize,
    pub median: Option<i64>,
    pub p90: Option<i64>,
}

impl Quantiles {
    pub fn of(mut values: Vec<i64>) -> Quantiles {
        values.sort_unstable();
        Quantiles {
            count: values.len(),
            median: nearest_rank(&values, 50),
            p90: nearest_rank(&values, 90),
        }
    }
}

/// The `percent`th percentile of sorted values by nearest rank.
pub fn nearest_rank(sorted: &[i64], percent: usize) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (percent * sorted.len()).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

/// The figures of one group of tickets.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    pub tickets: usize,
    pub first_response: Quantiles,
    pub resolution: Quantiles,
    pub sla: Rate,
    pub fcr: Rate,
    pub reopen: Rate,
}

impl Figures {
    pub fn of<'a>(outcomes: impl IntoIterator<Item = &'a Outcome>) -> Figures {
        let mut first = Vec::new();
        let mut resolution = Vec::new();
        let mut figures = Figures::default();
        for o in outcomes {
            figures.tickets += 1;
            first.extend(o.first_response_seconds);
            resolution.extend(o.resolution_seconds);
            if let Some(met) = o.sla_met {
                figures.sla.add(met);
            }
            if o.resolution_seconds.is_some() {
                figures.fcr.add(o.fcr);
            }
            if o.resolved_once() {
                figures.reopen.add(o.reopened > 0);
            }
        }
        figures.first_response = Quantiles::of(first);
        figures.resolution = Quantiles::of(resolution);
        figures
    }
}

/// Figures per (queue, priority), in that order.
pub fn by_queue_and_priority(outcomes: &[Outcome]) -> BTreeMap<(String, String), Figures> {
    let mut groups: BTreeMap<(String, String), Vec<&Outcome>> = BTreeMap::new();
    for o in outcomes {
        groups
            .entry((o.queue.clone(), o.priority.clone()))
            .or_default()
            .push(o);
    }
    groups
        .into_iter()
        .map(|(key, group)| (key, Figures::of(group)))
        .collect()
}

/// Age buckets of the open backlog: under a day, one to three, three to seven, over seven.
pub const BACKLOG_BUCKETS: [&str; 4] = ["lt1d", "1to3d", "3to7d", "gt7d"];

/// Which backlog bucket a ticket of this age falls in.
pub fn backlog_bucket(age_seconds: i64) -> usize {
    const DAY: i64 = 86_400;
    match age_seconds {
        a if a < DAY => 0,
        a if a < 3 * DAY => 1,
        a if a < 7 * DAY => 2,
        _ => 3,
    }
}

/// Satisfaction of one queue over a period: offers, refusals and the scores given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Satisfaction {
    pub offered: i64,
    pub declined: i64,
    /// Count of each score, 1 to 5.
    pub scores: [i64; 5],
}

impl Satisfaction {
    pub fn add(&mut self, answer: &str, n: i64) {
        match answer {
            "offered" => self.offered += n,
            "declined" => self.declined += n,
            score => {
                if let Some(slot) = score
                    .parse::<usize>()
                    .ok()
                    .and_then(|s| s.checked_sub(1))
                    .and_then(|i| self.scores.get_mut(i))
                {
                    *slot += n;
                }
            }
        }
    }

    pub fn rated(&self) -> i64 {
        self.scores.iter().sum()
    }

    /// The mean score of those who rated.
    pub fn average(&self) -> Option<f64> {
        let rated = self.rated();
        let total: i64 = (1..=5).zip(self.scores).map(|(s, n)| s * n).sum();
        (rated > 0).then(|| total as f64 / rated as f64)
    }

    /// Offers answered with a score.
    pub fn response(&self) -> Rate {
        Rate {
            hits: self.rated(),
            of: self.offered,
        }
    }

    pub fn merge(&mut self, other: &Satisfaction) {
        self.offered += other.offered;
        self.declined += other.declined;
        for (mine, theirs) in self.scores.iter_mut().zip(other.scores) {
            *mine += theirs;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_picks_a_value_that_occurred() {
        let sorted = [10, 20, 30, 40];
        assert_eq!(nearest_rank(&sorted, 50), Some(20));
        assert_eq!(nearest_rank(&sorted, 90), Some(40));
        assert_eq!(nearest_rank(&[7], 90), Some(7));
        assert_eq!(nearest_rank(&[], 50), None);
        let ten: Vec<i64> = (1..=10).collect();
        assert_eq!(nearest_rank(&ten, 90), Some(9));
        assert_eq!(nearest_rank(&ten, 50), Some(5));
    }

    #[test]
    fn undecided_first_responses_are_not_counted() {
        assert_eq!(sla_verdict(None, Some(100), 50), None);
        assert_eq!(sla_verdict(None, Some(100), 150), Some(false));
        assert_eq!(sla_verdict(Some(100), Some(100), 150), Some(true));
        assert_eq!(sla_verdict(Some(101), Some(100), 150), Some(false));
        assert_eq!(sla_verdict(Some(1), None, 150), None);
    }

    #[test]
    fn satisfaction_averages_scores_and_counts_responses_against_offers() {
        let mut s = Satisfaction::default();
        for (answer, n) in [
            ("offered", 4),
            ("declined", 1),
            ("5", 2),
            ("2", 1),
            ("9", 3),
        ] {
            s.add(answer, n);
        }
        assert_eq!(s.average(), Some(4.0));
        assert_eq!(s.response(), Rate { hits: 3, of: 4 });
    }
}
