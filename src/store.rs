//! The store: the only place SQL lives, and the privacy boundary. Free text can only be
//! written as `Redacted<String>`, kept data only as `Sealed`, and a ticket can only be read
//! through a grant the store itself minted.

mod admin;
mod agent_tickets;
mod agents;
mod alerts;
mod allowlist;
mod audit;
mod enrolment;
mod error;
mod files;
mod jobs;
mod outbox;
mod retention;
mod scope;
mod tickets;

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

pub use admin::{AgentRow, CannedResponse, QueueRow, RouteRow};
pub use agent_tickets::{
    AccessWatch, AgentMessage, AgentTicketView, AttachmentInfo, EscalationOutcome, ListFilter,
    SlaTargets, SpamMark, StatusFilter, TicketOp, TicketSummary,
};
pub use agents::{LoginCandidate, LoginFailure, NewAgent, PasswordCheck, Session, SessionPolicy};
pub use alerts::{AdminAlerts, Alert};
pub use allowlist::AllowRow;
pub use audit::{AdminView, AuditEntry, AuditKey, ChainReport, MetricsReader};
pub use enrolment::{Decision, NewEnrolmentLink, OpenEnrolment, ResetOutcome, ResetRequest};
pub use error::{Conflict, StoreError};
pub use jobs::{AutoCloseReport, SlaReport};
pub use outbox::RequesterMailbox;
pub use retention::{Expired, Hold, PrivacyMetrics, PurgeReport, RetentionPolicy, RetentionScope};
pub use scope::{AdminScope, AgentScope, OperatorScope, Purger, SystemScope};
pub use tickets::{
    AttachmentContent, Delivery, MessageRow, NewAttachment, NewTicketRecord, RequesterGrant,
    SignatureVerdict, ThreadSecrets, TicketView, Tombstone,
};

/// A transaction on the store's backend.
pub(crate) type Tx<'a> = sqlx::Transaction<'a, sqlx::Sqlite>;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// A handle on the database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
    audit_key: AuditKey,
}

impl Store {
    /// Opens (creating if needed) the database and brings its schema up to date.
    pub async fn open(database_url: &str, audit_key: AuditKey) -> anyhow::Result<Self> {
        let options = SqliteConnectOptions::from_str(database_url)
            .context("parsing the database URL")?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            // Zero the bytes of deleted rows instead of leaving them in free pages.
            .pragma("secure_delete", "on")
            .busy_timeout(Duration::from_secs(10));
        let database_file = options.get_filename().to_path_buf();
        let on_disk = !database_file.as_os_str().is_empty()
            && !database_url.contains(":memory:")
            && !database_url.contains("mode=memory");
        if on_disk {
            if let Some(path) = database_file.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(path)
                    .with_context(|| format!("creating {}", path.display()))?;
            }
            files::create_owner_only(&database_file)?;
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .context("opening the SQLite database")?;
        SQLITE_MIGRATIONS
            .run(&pool)
            .await
            .context("applying migrations")?;
        if on_disk {
            // `-wal` and `-shm` exist by now; ones left by an older version may be 0644.
            files::restrict_database_files(&database_file)?;
        }
        Ok(Store { pool, audit_key })
    }

    /// Begins a transaction that takes the write lock at once. Transactions that append to
    /// the audit chain read its head and then write; taking the lock first means two of
    /// them cannot both read the same head, and SQLite never has to upgrade a read lock.
    pub(crate) async fn begin_write(&self) -> Result<Tx<'static>, StoreError> {
        Ok(self.pool.begin_with("begin immediate").await?)
    }

    /// Answers when the database is reachable.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("select 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Seconds since the Unix epoch; all timestamps are stored this way so both engines agree.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
