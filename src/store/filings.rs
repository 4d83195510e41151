//! The writer for new tickets, one per store: group commit. A filing hands its record over
//! and waits; the writer stores everything waiting in one write transaction, each filing in
//! a savepoint of its own, commits once, and only then answers each filer. On a durable desk
//! a commit is a flush to disk, and filings no longer queue for one flush each: under load
//! a batch grows by itself to what queued during the previous one, and a lone filing waits
//! for no timer.
//!
//! Nobody hears "filed" before the commit that stores the ticket: a batch that fails to
//! commit fails every filing in it (nothing of them was stored), and one filing that fails
//! (a reference drawn twice) is rolled back to its savepoint without touching the others.

use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

use tokio::sync::{mpsc, oneshot};

use super::audit::AuditKey;
use super::engine::{Pool, query};
use super::terms::Terms;
use super::tickets::{NewTicketRecord, RequesterGrant, insert_ticket};
use super::{StoreError, Tx, begin_write_on};

struct Pending {
    record: NewTicketRecord,
    terms: Terms,
    at: i64,
    answer: oneshot::Sender<Result<RequesterGrant, StoreError>>,
}

/// Filings queued beyond this wait to hand their record over: a bound on memory when the
/// database stalls, not a limit on throughput.
const QUEUED_FILINGS: usize = 512;
/// Most filings stored in one transaction, so one batch holds the write lock for a few tens
/// of milliseconds at most and other writers (agents' replies, the read audit) take turns.
const BATCH_LIMIT: usize = 64;

/// Where filings hand their records; cheap to clone. The writer stops when the last handle
/// (the last clone of its store) is dropped.
#[derive(Clone, Debug)]
pub(in crate::store) struct FilingWriter {
    queue: mpsc::Sender<Pending>,
}

impl FilingWriter {
    /// Starts the store's writer on the current runtime.
    pub(in crate::store) fn start(
        pool: Pool,
        key: AuditKey,
        waiting_writers: Arc<AtomicUsize>,
    ) -> FilingWriter {
        let (queue, received) = mpsc::channel(QUEUED_FILINGS);
        tokio::spawn(write_batches(received, pool, key, waiting_writers));
        FilingWriter { queue }
    }

    /// Stores `record` and returns once it is committed.
    pub(in crate::store) async fn file(
        &self,
        record: NewTicketRecord,
        terms: Terms,
        at: i64,
    ) -> Result<RequesterGrant, StoreError> {
        let (answer, answered) = oneshot::channel();
        let writer_gone = || StoreError::Backend(sqlx::Error::PoolClosed);
        self.queue
            .send(Pending {
                record,
                terms,
                at,
                answer,
            })
            .await
            .map_err(|_| writer_gone())?;
        answered.await.unwrap_or_else(|_| Err(writer_gone()))
    }
}

async fn write_batches(
    mut received: mpsc::Receiver<Pending>,
    pool: Pool,
    key: AuditKey,
    waiting_writers: Arc<AtomicUsize>,
) {
    let mut batch = Vec::with_capacity(BATCH_LIMIT);
    while received.recv_many(&mut batch, BATCH_LIMIT).await > 0 {
        let outcomes = write_batch(&pool, &key, &waiting_writers, &batch).await;
        for (pending, outcome) in batch.drain(..).zip(outcomes) {
            // A filer that went away (a cancelled request) needs no answer; its ticket is
            // stored all the same, as it would be had the request ended a moment later.
            let _ = pending.answer.send(outcome);
        }
    }
}

/// Stores the batch in one transaction and gives one outcome per filing, in order.
async fn write_batch(
    pool: &Pool,
    key: &AuditKey,
    waiting_writers: &AtomicUsize,
    batch: &[Pending],
) -> Vec<Result<RequesterGrant, StoreError>> {
    let failed_all = |err: StoreError| {
        let shared = Arc::new(err);
        batch
            .iter()
            .map(|_| Err(StoreError::NotCommitted(shared.clone())))
            .collect()
    };
    let mut tx = match begin_write_on(pool, waiting_writers).await {
        Ok(tx) => tx,
        Err(err) => return failed_all(err),
    };
    let mut outcomes = Vec::with_capacity(batch.len());
    for pending in batch {
        match file_one(&mut tx, key, pending).await {
            Ok(outcome) => outcomes.push(outcome),
            // The transaction itself is broken: nothing of the batch can be stored.
            Err(err) => return failed_all(err),
        }
    }
    if let Err(err) = tx.commit().await {
        return failed_all(err.into());
    }
    outcomes
}

/// One filing inside its own savepoint. The outer error means the transaction can no
/// longer be used; the inner one is this filing's own failure, already rolled back.
async fn file_one(
    tx: &mut Tx<'_>,
    key: &AuditKey,
    pending: &Pending,
) -> Result<Result<RequesterGrant, StoreError>, StoreError> {
    query("savepoint filing").execute(&mut **tx).await?;
    match insert_ticket(tx, key, &pending.record, &pending.terms, pending.at).await {
        Ok(grant) => {
            query("release savepoint filing").execute(&mut **tx).await?;
            Ok(Ok(grant))
        }
        Err(err) => {
            query("rollback to savepoint filing")
                .execute(&mut **tx)
                .await?;
            query("release savepoint filing").execute(&mut **tx).await?;
            Ok(Err(err))
        }
    }
}
