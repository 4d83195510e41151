//! The audit writer for agents' reads, one per store. A read hands its record over and
//! waits; the writer appends everything waiting in one write transaction, commits, and only
//! then answers each reader. It must never answer a reader before its entry is committed:
//! a batch that fails fails every read in it, so no content leaves unrecorded.

use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

use tokio::sync::{mpsc, oneshot};

use super::super::agent_tickets::{ReadWatch, watch_reads};
use super::super::engine::Pool;
use super::super::{StoreError, begin_write_on};
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

/// The failure of a whole batch, shared by every reader in it.
type Answer = Result<(), Arc<StoreError>>;

struct Pending {
    record: ReadRecord,
    answer: oneshot::Sender<Answer>,
}

/// Reads queued beyond this wait to hand their record over: a bound on memory when the
/// database stalls, not a limit on throughput.
const QUEUED_READS: usize = 1024;
/// Most reads appended in one transaction, so one batch never holds the write lock for long.
const BATCH_LIMIT: usize = 256;

/// Where reads hand their records; cheap to clone. The writer stops when the last handle
/// (the last clone of its store) is dropped.
#[derive(Clone, Debug)]
pub(in crate::store) struct ReadAuditor {
    queue: mpsc::Sender<Pending>,
}

impl ReadAuditor {
    /// Starts the store's writer on the current runtime.
    pub(in crate::store) fn start(
        pool: Pool,
        key: AuditKey,
        waiting_writers: Arc<AtomicUsize>,
    ) -> ReadAuditor {
        let (queue, received) = mpsc::channel(QUEUED_READS);
        tokio::spawn(write_batches(received, pool, key, waiting_writers));
        ReadAuditor { queue }
    }

    /// Appends `record` to the chain (with its watches) and returns once that is committed.
    pub(in crate::store) async fn record(&self, record: ReadRecord) -> Result<(), StoreError> {
        let (answer, answered) = oneshot::channel();
        let writer_gone =
            || StoreError::ReadNotRecorded(Arc::new(StoreError::Backend(sqlx::Error::PoolClosed)));
        self.queue
            .send(Pending { record, answer })
            .await
            .map_err(|_| writer_gone())?;
        match answered.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(failed)) => Err(StoreError::ReadNotRecorded(failed)),
            Err(_) => Err(writer_gone()),
        }
    }
}

async fn write_batches(
    mut received: mpsc::Receiver<Pending>,
    pool: Pool,
    key: AuditKey,
    waiting_writers: Arc<AtomicUsize>,
) {
    let mut batch = Vec::with_capacity(BATCH_LIMIT);
    // Whatever queued while the previous batch held the lock goes in the next one: under load
    // batches grow by themselves, and a lone read waits for no timer.
    while received.recv_many(&mut batch, BATCH_LIMIT).await > 0 {
        let written = write_batch(&pool, &key, &waiting_writers, &mut batch)
            .await
            .map_err(Arc::new);
        for pending in batch.drain(..) {
            // A reader that went away (a cancelled request) needs no answer.
            let _ = pending.answer.send(written.clone());
        }
    }
}

/// Appends the batch in order (chain order is commit order) and runs its watches, all in
/// one transaction holding the write lock, which on PostgreSQL also orders this instance's
/// batches among other instances' appends.
async fn write_batch(
    pool: &Pool,
    key: &AuditKey,
    waiting_writers: &AtomicUsize,
    batch: &mut [Pending],
) -> Result<(), StoreError> {
    let mut tx = begin_write_on(pool, waiting_writers).await?;
    let mut head = ChainHead::read(&mut tx).await?;
    for pending in batch.iter_mut() {
        let record = &mut pending.record;
        head.append(
            &mut tx,
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
    watch_reads(&mut tx, batch.iter().map(|pending| &pending.record)).await?;
    tx.commit().await?;
    Ok(())
}
