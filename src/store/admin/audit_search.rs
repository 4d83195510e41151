//! Reading the audit log with filters, a page at a time or as a whole export. Both reads
//! are audited in the same transaction that reads, so nobody reads the log unrecorded.

use super::super::audit::{AuditEntry, entry_from_row};
use super::super::engine::query;
use super::super::scope::AdminScope;
use super::super::{Store, StoreError, now_unix};
use super::config_audit;

/// What to look for; every field left `None` matches everything.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// The actor as the log names them: an agent's name, `(system)`, `(operator)`…
    pub actor: Option<String>,
    pub action: Option<String>,
    pub reference: Option<String>,
    /// From this moment on (inclusive), Unix seconds.
    pub from: Option<i64>,
    /// Before this moment (exclusive), Unix seconds.
    pub until: Option<i64>,
}

impl AuditFilter {
    /// The filter as the audit entry of a read records it: which fields were set, never
    /// their values (a reference typed in stays with the rows it finds).
    fn recorded(&self) -> String {
        let set: Vec<&str> = [
            ("actor", self.actor.is_some()),
            ("action", self.action.is_some()),
            ("reference", self.reference.is_some()),
            ("from", self.from.is_some()),
            ("until", self.until.is_some()),
        ]
        .iter()
        .filter(|(_, on)| *on)
        .map(|(name, _)| *name)
        .collect();
        if set.is_empty() {
            "none".to_owned()
        } else {
            set.join(",")
        }
    }
}

/// The most rows one export holds; a longer log is exported in time ranges.
pub const EXPORT_MAX_ROWS: i64 = 100_000;

const FILTERED: &str = "select seq, at, actor, action, reference, detail from audit_log \
     where ($1 is null or actor = $1) and ($2 is null or action = $2) \
     and ($3 is null or reference = $3) and ($4 is null or at >= $4) and ($5 is null or at < $5) \
     and ($6 is null or seq < $6) order by seq desc limit $7";

/// The most distinct actions the filter's picker lists.
const MAX_ACTIONS: i64 = 500;

impl Store {
    /// The actions the log holds, for the filter's picker. Walked one distinct value at a
    /// time down the `(action, seq)` index, so a long log costs one seek per action, not a
    /// scan of every entry.
    pub async fn audit_actions(&self, _admin: &AdminScope) -> Result<Vec<String>, StoreError> {
        let rows = query(
            "with recursive seen(action, n) as ( \
               select min(action), 1 from audit_log \
               union all \
               select (select min(action) from audit_log where action > seen.action), n + 1 \
               from seen where seen.action is not null and n < $1) \
             select action from seen where action is not null",
        )
        .bind(MAX_ACTIONS)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| Ok(row.try_get::<String, _>("action")?))
            .collect()
    }

    /// A page of the log matching `filter`, newest first, below entry `before`.
    pub async fn audit_search(
        &self,
        admin: &AdminScope,
        filter: &AuditFilter,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        self.audit_read(admin, filter, before, limit.clamp(1, 1000), "audit_read")
            .await
    }

    /// Every entry matching `filter` (at most `EXPORT_MAX_ROWS`, newest first), for a CSV
    /// download; audited as an export.
    pub async fn audit_export(
        &self,
        admin: &AdminScope,
        filter: &AuditFilter,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        self.audit_read(admin, filter, None, EXPORT_MAX_ROWS, "audit_exported")
            .await
    }

    async fn audit_read(
        &self,
        admin: &AdminScope,
        filter: &AuditFilter,
        before: Option<i64>,
        limit: i64,
        action: &'static str,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        let rows = query(FILTERED)
            .bind(filter.actor.as_deref())
            .bind(filter.action.as_deref())
            .bind(filter.reference.as_deref())
            .bind(filter.from)
            .bind(filter.until)
            .bind(before)
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
        let entries = rows
            .iter()
            .map(entry_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        config_audit(
            &mut tx,
            &self.audit_key,
            admin,
            action,
            format!("entries={} filter={}", entries.len(), filter.recorded()),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(entries)
    }
}
