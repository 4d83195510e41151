//! SLA targets and business hours set in the admin pages. They override the configuration file's `[sla]` per
//! priority; new tickets and priority changes read them in SQL (`store::tickets`,
//! `store::agent_tickets`), so every instance applies a change at once.

use super::super::engine::{Executor, Row, query};
use super::super::scope::AdminScope;
use super::super::{Store, StoreError, now_unix};
use super::config_audit;
use crate::domain::{BusinessHours, Priority, SlaClock, WorkDays};

/// The targets an admin set for one priority, in hours.
#[derive(Debug, Clone)]
pub struct SlaOverride {
    pub priority: Priority,
    pub first_response_hours: i64,
    pub resolution_hours: i64,
    pub changed_at: i64,
}

/// The bounds the table's `check` enforces: one hour to one year.
const MAX_HOURS: i64 = crate::domain::MAX_SLA_HOURS;

impl Store {
    pub async fn sla_overrides(&self, _admin: &AdminScope) -> Result<Vec<SlaOverride>, StoreError> {
        let rows = query(
            "select priority, first_response_hours, resolution_hours, changed_at from sla_targets \
             order by priority",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(SlaOverride {
                    priority: row
                        .try_get::<String, _>("priority")?
                        .parse()
                        .map_err(|_| StoreError::Corrupt("sla priority"))?,
                    first_response_hours: row.try_get("first_response_hours")?,
                    resolution_hours: row.try_get("resolution_hours")?,
                    changed_at: row.try_get("changed_at")?,
                })
            })
            .collect()
    }

    /// Sets the targets of `priority` (`Some((first response, resolution))` in hours), or
    /// returns it to the configuration file's (`None`). Tickets already open keep their due
    /// times; the new targets apply to tickets filed or re-prioritised from now on.
    pub async fn set_sla_override(
        &self,
        admin: &AdminScope,
        priority: Priority,
        hours: Option<(i64, i64)>,
    ) -> Result<(), StoreError> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        let detail = match hours {
            Some((first, resolution)) => {
                if !(1..=MAX_HOURS).contains(&first) || !(1..=MAX_HOURS).contains(&resolution) {
                    return Err(StoreError::Conflict(super::Conflict::SlaHours));
                }
                query(
                    "insert into sla_targets (priority, first_response_hours, resolution_hours, changed_at) \
                     values ($1, $2, $3, $4) on conflict (priority) do update set \
                     first_response_hours = excluded.first_response_hours, \
                     resolution_hours = excluded.resolution_hours, changed_at = excluded.changed_at",
                )
                .bind(priority.id())
                .bind(first)
                .bind(resolution)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                format!(
                    "priority={priority} first_response_hours={first} resolution_hours={resolution}"
                )
            }
            None => {
                query("delete from sla_targets where priority = $1")
                    .bind(priority.id())
                    .execute(&mut *tx)
                    .await?;
                format!("priority={priority} from=configuration")
            }
        };
        config_audit(&mut tx, &self.audit_key, admin, "sla_changed", detail, now).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Business hours as stored, with when an admin last set them.
#[derive(Debug, Clone)]
pub struct StoredBusinessHours {
    pub hours: BusinessHours,
    pub changed_at: i64,
}

fn business_hours_of(row: &Row) -> Result<BusinessHours, StoreError> {
    let days: i64 = row.try_get("days")?;
    let opens: i64 = row.try_get("opens_minute")?;
    let closes: i64 = row.try_get("closes_minute")?;
    let holidays: String = row.try_get("holidays")?;
    BusinessHours::new(
        &row.try_get::<String, _>("time_zone")?,
        WorkDays::from_bits(u8::try_from(days).map_err(|_| StoreError::Corrupt("business days"))?),
        u16::try_from(opens).map_err(|_| StoreError::Corrupt("business hours"))?,
        u16::try_from(closes).map_err(|_| StoreError::Corrupt("business hours"))?,
        holidays.split_whitespace(),
    )
    .map_err(|_| StoreError::Corrupt("business hours"))
}

const SELECT_BUSINESS_HOURS: &str = "select time_zone, days, opens_minute, closes_minute, \
     holidays, changed_at from business_hours where id = 1";

/// The SLA clock in force. Due times read it (through `sla_in_force`) inside the transaction
/// that sets them, so every instance applies an admin's change at once.
async fn sla_clock<'c>(e: impl Executor<'c>) -> Result<SlaClock, StoreError> {
    let row = query(SELECT_BUSINESS_HOURS).fetch_optional(e).await?;
    Ok(match row {
        None => SlaClock::AroundTheClock,
        Some(row) => clock_of(business_hours_of(&row)),
    })
}

/// Stored hours that no longer parse (a time zone gone from a newer time zone database) let
/// the clock run around the clock: a due time too early is better than refusing the filing
/// that needs one.
fn clock_of(hours: Result<BusinessHours, StoreError>) -> SlaClock {
    match hours {
        Ok(hours) => SlaClock::BusinessHours(hours),
        Err(error) => {
            tracing::warn!(%error, "stored business hours unreadable; the SLA clock runs around the clock");
            SlaClock::AroundTheClock
        }
    }
}

/// The clock and the targets in force for `priority`, in seconds (an admin's, else
/// `configured`), in one statement: it runs for every filing inside the writer's transaction.
pub(in crate::store) async fn sla_in_force<'c>(
    e: impl Executor<'c>,
    priority: Priority,
    configured: (i64, i64),
) -> Result<(SlaClock, (i64, i64)), StoreError> {
    let row = query(
        "select s.first_response_hours * 3600 as first_response, \
         s.resolution_hours * 3600 as resolution, b.time_zone, b.days, b.opens_minute, \
         b.closes_minute, b.holidays \
         from (select 1 as one) base \
         left join sla_targets s on s.priority = $1 \
         left join business_hours b on b.id = 1",
    )
    .bind(priority.id())
    .fetch_one(e)
    .await?;
    let first_response: Option<i64> = row.try_get("first_response")?;
    let resolution: Option<i64> = row.try_get("resolution")?;
    let targets = match (first_response, resolution) {
        (Some(first), Some(resolution)) => (first, resolution),
        _ => configured,
    };
    let clock = if row.try_get::<Option<String>, _>("time_zone")?.is_some() {
        clock_of(business_hours_of(&row))
    } else {
        SlaClock::AroundTheClock
    };
    Ok((clock, targets))
}

impl Store {
    pub async fn business_hours(
        &self,
        _admin: &AdminScope,
    ) -> Result<Option<StoredBusinessHours>, StoreError> {
        let row = query(SELECT_BUSINESS_HOURS)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| {
            Ok(StoredBusinessHours {
                hours: business_hours_of(&row)?,
                changed_at: row.try_get("changed_at")?,
            })
        })
        .transpose()
    }

    /// The clock the scheduled jobs count working days by.
    pub(crate) async fn sla_clock_now(&self) -> Result<SlaClock, StoreError> {
        sla_clock(&self.pool).await
    }

    /// Sets business hours, or (`None`) lets the SLA clock run around the clock. Tickets
    /// already open keep their due times.
    pub async fn set_business_hours(
        &self,
        admin: &AdminScope,
        hours: Option<&BusinessHours>,
    ) -> Result<(), StoreError> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        let detail = match hours {
            Some(hours) => {
                let holidays: Vec<String> = hours.holidays().collect();
                query(
                    "insert into business_hours (id, time_zone, days, opens_minute, closes_minute, holidays, changed_at) \
                     values (1, $1, $2, $3, $4, $5, $6) on conflict (id) do update set \
                     time_zone = excluded.time_zone, days = excluded.days, \
                     opens_minute = excluded.opens_minute, closes_minute = excluded.closes_minute, \
                     holidays = excluded.holidays, changed_at = excluded.changed_at",
                )
                .bind(hours.zone_name())
                .bind(i64::from(hours.days().bits()))
                .bind(i64::from(hours.opens()))
                .bind(i64::from(hours.closes()))
                .bind(holidays.join(" "))
                .bind(now)
                .execute(&mut *tx)
                .await?;
                format!(
                    "time_zone={} days={:07b} opens_minute={} closes_minute={} holidays={}",
                    hours.zone_name(),
                    hours.days().bits(),
                    hours.opens(),
                    hours.closes(),
                    holidays.len()
                )
            }
            None => {
                query("delete from business_hours where id = 1")
                    .execute(&mut *tx)
                    .await?;
                "around_the_clock".to_owned()
            }
        };
        config_audit(
            &mut tx,
            &self.audit_key,
            admin,
            "business_hours_changed",
            detail,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
