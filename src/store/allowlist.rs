//! The redaction allowlist admins keep: the organisation's own public values. Each change is
//! audited as a configuration change, naming the kind of value and the entry, never the
//! value itself; an addition also alerts the other admins.

use super::engine::{query, query_scalar};

use super::audit::log_event;
use super::error::Conflict;
use super::{AdminScope, Store, StoreError, now_unix};
use crate::redact::AllowEntry;

/// A stored entry as the admin page lists it.
#[derive(Debug, Clone)]
pub struct AllowRow {
    pub id: i64,
    pub value: String,
    pub kind: String,
    pub added_by: String,
    pub added_at: i64,
}

impl Store {
    /// Every stored entry, oldest first. Not scoped: the redactor needs the whole list to
    /// process anyone's text, and the values are the organisation's published ones.
    pub async fn allowlist(&self) -> Result<Vec<AllowRow>, StoreError> {
        let rows = query(
            "select id, value, kind, added_by, added_at from redaction_allowlist order by id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AllowRow {
                    id: r.try_get("id")?,
                    value: r.try_get("value")?,
                    kind: r.try_get("kind")?,
                    added_by: r.try_get("added_by")?,
                    added_at: r.try_get("added_at")?,
                })
            })
            .collect()
    }

    /// Adds an entry; `Conflict(Conflict::AllowlistEntry)` if the value, in any spelling, is there.
    pub async fn add_allowed(
        &self,
        admin: &AdminScope,
        entry: &AllowEntry,
    ) -> Result<(), StoreError> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        let id: i64 = query_scalar(
            "insert into redaction_allowlist (value, kind, canonical, added_by, added_at) \
             values ($1, $2, $3, $4, $5) returning id",
        )
        .bind(entry.value())
        .bind(entry.kind())
        .bind(entry.canonical_key())
        .bind(admin.agent().name().as_str())
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| StoreError::on_unique(e, Conflict::AllowlistEntry))?;
        let entries = count(&mut tx).await?;
        log_event(
            &mut tx,
            &self.audit_key,
            &admin.actor(),
            "allowlist_added",
            None,
            format!("entry={id} kind={} entries={entries}", entry.kind()),
            now,
        )
        .await?;
        // An entry weakens redaction for every ticket from now on: the other admins are told,
        // so one admin alone cannot quietly open a hole.
        super::alerts::raise(
            &mut tx,
            now,
            "allowlist_added",
            super::alerts::Audience::Admins,
            None,
            Some(admin.agent().name().as_str()),
            None,
            super::alerts::particulars(&[("entry", &id.to_string()), ("kind", entry.kind())]),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes an entry and checkpoints, so the value survives in no database file.
    pub async fn remove_allowed(&self, admin: &AdminScope, id: i64) -> Result<(), StoreError> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        let kind: String =
            query_scalar("delete from redaction_allowlist where id = $1 returning kind")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NotFound)?;
        let entries = count(&mut tx).await?;
        log_event(
            &mut tx,
            &self.audit_key,
            &admin.actor(),
            "allowlist_removed",
            None,
            format!("entry={id} kind={kind} entries={entries}"),
            now,
        )
        .await?;
        tx.commit().await?;
        // The row is zeroed in its page (`secure_delete`), but the write-ahead log still
        // holds the page as it was: checkpoint so the value leaves `-wal` too.
        self.checkpoint_fully().await
    }
}

async fn count(tx: &mut super::Tx<'_>) -> Result<i64, StoreError> {
    Ok(query_scalar("select count(*) from redaction_allowlist")
        .fetch_one(&mut **tx)
        .await?)
}
