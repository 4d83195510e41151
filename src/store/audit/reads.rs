//! Agents' reads as the audit log records them. A read hands its record to the store's
//! group commit (`store::group_commit`) and waits; its entry is appended with everything
//! else waiting, in one write transaction, and the read is answered only once that is
//! committed: a batch that fails fails every read in it, so no content leaves unrecorded.

use super::super::agent_tickets::{ReadWatch, watch_reads};
use super::super::{StoreError, Tx};
use super::{Actor, AuditEvent, AuditKey, ChainHead};

/// One read as the audit log and the access watches record it.
pub(in crate::store) struct ReadRecord {
    pub(in crate::store) actor: Actor,
    pub(in crate::store) action: &'static str,
    pub(in crate::store) reference: Option<String>,
    /// Counts and names only, like every entry's detail.
    pub(in crate::store) detail: String,
    pub(in crate::store) at: i64,
    pub(in crate::store) watch: ReadWatch,
}

/// Appends the reads in order (chain order is commit order) and runs their watches, inside
/// `tx`, which holds the write lock; on PostgreSQL that lock also orders this instance's
/// appends among other instances'.
pub(in crate::store) async fn append_reads(
    tx: &mut Tx<'_>,
    key: &AuditKey,
    mut reads: Vec<&mut ReadRecord>,
) -> Result<(), StoreError> {
    if reads.is_empty() {
        return Ok(());
    }
    let mut head = ChainHead::read(tx).await?;
    for record in reads.iter_mut() {
        head.append(
            tx,
            key,
            AuditEvent {
                actor: &record.actor,
                action: record.action,
                reference: record.reference.as_deref(),
                detail: std::mem::take(&mut record.detail),
            },
            record.at,
        )
        .await?;
    }
    watch_reads(tx, reads.iter().map(|record| &**record)).await
}
