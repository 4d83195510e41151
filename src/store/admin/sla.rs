//! SLA targets set in the admin pages. They override the configuration file's `[sla]` per
//! priority; new tickets and priority changes read them in SQL (`store::tickets`,
//! `store::agent_tickets`), so every instance applies a change at once.

use super::super::engine::query;
use super::super::scope::AdminScope;
use super::super::{Store, StoreError, now_unix};
use super::config_audit;
use crate::domain::Priority;

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
