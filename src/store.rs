//! The store: the only place SQL lives, and the privacy boundary. Free text can only be
//! written as `Redacted<String>`, kept data only as `Sealed`, and a ticket can only be read
//! through a grant the store itself minted.

mod admin;
mod agent_tickets;
mod agents;
mod alerts;
mod allowlist;
mod audit;
mod copy;
mod engine;
mod enrolment;
mod error;
mod files;
mod filings;
mod group_commit;
mod jobs;
mod kb;
mod notifications;
mod outbox;
mod outcomes;
mod paging;
mod preferences;
mod proof_codes;
mod proofs;
mod rate;
mod retention;
mod satisfaction;
mod scope;
mod status;
mod terms;
mod tickets;

pub use admin::{
    AgentRow, AuditFilter, CannedResponse, QueueRow, RouteRow, SlaOverride, StoredBusinessHours,
};
pub use agent_tickets::{
    AccessWatch, AgentMessage, AgentTicketView, AssigneeFilter, AttachmentInfo,
    COLLISION_WINDOW_SECONDS, EscalationOutcome, ListFilter, NewerMessages, SlaTargets, SpamMark,
    StatusFilter, TicketChange, TicketEvent, TicketOp, TicketSummary,
};
pub use agents::{LoginCandidate, LoginFailure, NewAgent, PasswordCheck, Session, SessionPolicy};
pub use alerts::{AdminAlerts, Alert};
pub use allowlist::AllowRow;
pub use audit::{AdminView, AuditEntry, AuditKey, ChainReport, MetricsReader};
pub use copy::{CopiedTable, CopyUrls, DeskCopy, copy_sqlite_to_postgres};
pub use enrolment::{Decision, NewEnrolmentLink, OpenEnrolment, ResetOutcome, ResetRequest};
pub use error::{Conflict, StoreError};
pub use jobs::{AutoCloseReport, JobClaim, ScheduledJob, SlaReport};
pub use kb::{
    KbArticle, KbDraft, KbEditorRow, KbFigures, KbRevision, KbText, KbTranslation, KbWeek, week_of,
};
pub use notifications::{Notification, NotificationKind};
pub use outbox::RequesterMailbox;
pub use outcomes::SecurityCounts;
pub use paging::{ListCursor, ListOrder, ListTotal, TicketPage};
pub use proof_codes::{TokenImport, TokenImporter, TokenListRow, TokenUse};
pub use proofs::{NewChallenge, ProofChallenge, ProofRecord, ProofRecorded};
pub use rate::{RateShape, RateTake};
pub use retention::{Expired, Hold, PrivacyMetrics, PurgeReport, RetentionPolicy, RetentionScope};
pub use satisfaction::{RatingAnswer, RatingState, iso_week};
pub use scope::{AdminScope, AgentScope, OperatorScope, Purger, SystemScope};
pub use status::{
    ComponentRow, IncidentRow, IncidentScope, PostedUpdate, PosterRow, UpdateRow, UpdateSlot,
};
pub use tickets::{
    AttachmentContent, Delivery, MessageRow, NewAttachment, NewTicketRecord, RequesterFile,
    RequesterGrant, SignatureVerdict, ThreadSecrets, TicketView, Tombstone,
};

use std::sync::Arc;

use crate::domain::Durability;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A transaction on the store's engine (or, from `Pool::acquire`, a plain connection).
pub(crate) type Tx<'a> = engine::Conn;

/// A handle on the database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pool: engine::Pool,
    audit_key: AuditKey,
    /// Callers of `begin_write` still waiting for the write lock, so long background work
    /// (the purge) can tell whether requests queue behind it.
    waiting_writers: Arc<AtomicUsize>,
    /// Agents' reads record themselves and new tickets store themselves through here,
    /// many to one write transaction.
    group_commit: group_commit::GroupCommit,
}

/// Counts one caller as waiting for the write lock for as long as it lives, so a caller
/// dropped while waiting (a cancelled request) stops counting too.
struct WaitingForWrite<'a>(&'a AtomicUsize);

impl<'a> WaitingForWrite<'a> {
    fn new(count: &'a AtomicUsize) -> Self {
        count.fetch_add(1, Ordering::Relaxed);
        WaitingForWrite(count)
    }
}

impl Drop for WaitingForWrite<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Store {
    /// Opens the database the URL names, SQLite (`sqlite:`, created if missing) or
    /// PostgreSQL (`postgres://`), and brings its schema up to date with that engine's
    /// migration set.
    pub async fn open(
        database_url: &str,
        audit_key: AuditKey,
        durability: Durability,
    ) -> anyhow::Result<Self> {
        let pool = engine::Pool::open(database_url, durability).await?;
        let waiting_writers = Arc::default();
        let group_commit = group_commit::GroupCommit::start(
            pool.clone(),
            audit_key.clone(),
            Arc::clone(&waiting_writers),
        );
        let store = Store {
            pool,
            audit_key,
            waiting_writers,
            group_commit,
        };
        // Tickets filed before the search index existed become searchable before anyone
        // can search; on a desk already indexed this is one query.
        let indexed = store.index_unindexed_tickets().await?;
        if indexed > 0 {
            tracing::info!(tickets = indexed, "indexed tickets for search");
        }
        Ok(store)
    }

    /// Begins a transaction that takes the write lock at once. Transactions that append to
    /// the audit chain read its head and then write; taking the lock first means two of
    /// them cannot both read the same head, and SQLite never has to upgrade a read lock.
    /// On SQLite that is `begin immediate`; on PostgreSQL a transaction-scoped advisory lock,
    /// which also serialises the writers of several instances sharing the database.
    pub(crate) async fn begin_write(&self) -> Result<Tx<'static>, StoreError> {
        begin_write_on(&self.pool, &self.waiting_writers).await
    }

    /// A read-only snapshot for several reads in a row, without the write lock. An audited
    /// read reads here first and then hands its record to the store's audit writer, which
    /// commits it (with other reads' records) before the read returns anything.
    pub(crate) async fn begin_read(&self) -> Result<Tx<'static>, StoreError> {
        Ok(self.pool.begin_read().await?)
    }

    /// How many callers are waiting for the write lock right now.
    pub(crate) fn waiting_writers(&self) -> usize {
        self.waiting_writers.load(Ordering::Relaxed)
    }

    /// Answers when the database is reachable.
    pub async fn ping(&self) -> Result<(), StoreError> {
        engine::query("select 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// `Store::begin_write` for the store's parts: the audit writer holds those, not a `Store`,
/// so that dropping the last `Store` stops it.
async fn begin_write_on(
    pool: &engine::Pool,
    waiting_writers: &AtomicUsize,
) -> Result<Tx<'static>, StoreError> {
    let _waiting = WaitingForWrite::new(waiting_writers);
    Ok(pool.begin_write().await?)
}

/// Seconds since the Unix epoch; all timestamps are stored this way so both engines agree.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
