//! Group commit: one writer per store for the writes that come in crowds, agents' reads
//! (their audit entries) and new tickets. Each hands its record over and waits; the writer
//! takes everything waiting, writes it in ONE transaction, commits once, and only then
//! answers each. On a durable desk a commit is a flush to disk: a crowd of readers and
//! filers shares one flush instead of queueing for one each, and the lock changes hands
//! once per batch, not once per request. Under load a batch grows by itself to what queued
//! during the previous one; a lone request waits for no timer.
//!
//! Nobody is answered before the commit that holds their write: a read returns no content
//! and a filer hears no "filed" until then. A batch that fails to commit fails everything in
//! it (nothing of it was stored); one filing that fails is rolled back to its own savepoint
//! and fails alone.

use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

use tokio::sync::{mpsc, oneshot};

use super::audit::{AuditKey, ReadRecord, append_reads};
use super::engine::Pool;
use super::filings::{Filing, store_filing};
use super::terms::Terms;
use super::tickets::{NewTicketRecord, RequesterGrant};
use super::{StoreError, begin_write_on};

/// Requests queued beyond this wait to hand their record over: a bound on memory when the
/// database stalls, not a limit on throughput.
const QUEUED: usize = 1024;
/// Most reads appended in one transaction.
const READS_PER_BATCH: usize = 256;
/// Most filings stored in one transaction, so that one batch holds the write lock for a few
/// tens of milliseconds at most and other writers (replies, the purge) take turns.
const FILINGS_PER_BATCH: usize = 64;

/// The failure of a whole batch, shared by everything in it.
type Shared = Arc<StoreError>;

struct PendingRead {
    record: ReadRecord,
    answer: oneshot::Sender<Result<(), Shared>>,
}

struct PendingFiling {
    filing: Filing,
    answer: oneshot::Sender<Result<RequesterGrant, StoreError>>,
}

/// Where reads and filings hand their records; cheap to clone. The writer stops when the
/// last handle (the last clone of its store) is dropped.
#[derive(Clone, Debug)]
pub(in crate::store) struct GroupCommit {
    reads: mpsc::Sender<PendingRead>,
    filings: mpsc::Sender<PendingFiling>,
}

impl GroupCommit {
    /// Starts the store's writer on the current runtime.
    pub(in crate::store) fn start(
        pool: Pool,
        key: AuditKey,
        waiting_writers: Arc<AtomicUsize>,
    ) -> GroupCommit {
        let (reads, read_queue) = mpsc::channel(QUEUED);
        let (filings, filing_queue) = mpsc::channel(QUEUED);
        tokio::spawn(
            Writer {
                pool,
                key,
                waiting_writers,
            }
            .run(read_queue, filing_queue),
        );
        GroupCommit { reads, filings }
    }

    /// Appends `record` to the chain (with its watches) and returns once that is committed.
    pub(in crate::store) async fn record_read(&self, record: ReadRecord) -> Result<(), StoreError> {
        let (answer, answered) = oneshot::channel();
        let writer_gone =
            || StoreError::ReadNotRecorded(Arc::new(StoreError::Backend(sqlx::Error::PoolClosed)));
        self.reads
            .send(PendingRead { record, answer })
            .await
            .map_err(|_| writer_gone())?;
        match answered.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(failed)) => Err(StoreError::ReadNotRecorded(failed)),
            Err(_) => Err(writer_gone()),
        }
    }

    /// Stores a new ticket and returns once it is committed.
    pub(in crate::store) async fn file(
        &self,
        record: NewTicketRecord,
        terms: Terms,
        at: i64,
    ) -> Result<RequesterGrant, StoreError> {
        let (answer, answered) = oneshot::channel();
        let writer_gone = || StoreError::Backend(sqlx::Error::PoolClosed);
        let filing = Filing { record, terms, at };
        self.filings
            .send(PendingFiling { filing, answer })
            .await
            .map_err(|_| writer_gone())?;
        answered.await.unwrap_or_else(|_| Err(writer_gone()))
    }
}

struct Writer {
    pool: Pool,
    key: AuditKey,
    waiting_writers: Arc<AtomicUsize>,
}

impl Writer {
    async fn run(
        self,
        mut read_queue: mpsc::Receiver<PendingRead>,
        mut filing_queue: mpsc::Receiver<PendingFiling>,
    ) {
        let mut reads = Vec::with_capacity(READS_PER_BATCH);
        let mut filings = Vec::with_capacity(FILINGS_PER_BATCH);
        loop {
            // Wait for the first request of either kind, then take whatever else waits.
            let woke = tokio::select! {
                taken = read_queue.recv_many(&mut reads, READS_PER_BATCH) => taken,
                taken = filing_queue.recv_many(&mut filings, FILINGS_PER_BATCH) => taken,
            };
            if woke == 0 {
                // One queue closed, so both did: the store is gone.
                break;
            }
            take_waiting(&mut read_queue, &mut reads, READS_PER_BATCH);
            take_waiting(&mut filing_queue, &mut filings, FILINGS_PER_BATCH);
            self.write(&mut reads, &mut filings).await;
        }
    }

    /// Writes one batch and answers everyone in it; leaves both lists empty.
    async fn write(&self, reads: &mut Vec<PendingRead>, filings: &mut Vec<PendingFiling>) {
        match self.commit(reads, filings).await {
            Ok(stored) => {
                for pending in reads.drain(..) {
                    // A reader that went away (a cancelled request) needs no answer.
                    let _ = pending.answer.send(Ok(()));
                }
                for (pending, outcome) in filings.drain(..).zip(stored) {
                    // A filer that went away still has its ticket stored, as it would had
                    // the request ended a moment later.
                    let _ = pending.answer.send(outcome);
                }
            }
            Err(failed) => {
                let failed = Arc::new(failed);
                for pending in reads.drain(..) {
                    let _ = pending.answer.send(Err(failed.clone()));
                }
                for pending in filings.drain(..) {
                    let _ = pending
                        .answer
                        .send(Err(StoreError::NotCommitted(failed.clone())));
                }
            }
        }
    }

    /// One transaction: the reads' entries first, then each filing in its savepoint. The
    /// error is the whole batch's; each filing's own outcome is in the list.
    async fn commit(
        &self,
        reads: &mut [PendingRead],
        filings: &[PendingFiling],
    ) -> Result<Vec<Result<RequesterGrant, StoreError>>, StoreError> {
        let mut tx = begin_write_on(&self.pool, &self.waiting_writers).await?;
        let records = reads
            .iter_mut()
            .map(|pending| &mut pending.record)
            .collect();
        append_reads(&mut tx, &self.key, records).await?;
        let mut stored = Vec::with_capacity(filings.len());
        for pending in filings {
            stored.push(store_filing(&mut tx, &self.key, &pending.filing).await?);
        }
        tx.commit().await?;
        Ok(stored)
    }
}

/// Moves whatever is queued now (up to `limit` in the list) without waiting.
fn take_waiting<T>(queue: &mut mpsc::Receiver<T>, into: &mut Vec<T>, limit: usize) {
    while into.len() < limit {
        match queue.try_recv() {
            Ok(item) => into.push(item),
            Err(_) => break,
        }
    }
}
