//! The store: the only place SQL lives, and the privacy boundary. Free text can only be
//! written as `Redacted<String>`, kept data only as `Sealed`, and a ticket can only be read
//! through a grant the store itself minted.

mod error;
mod tickets;

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

pub use error::StoreError;
pub use tickets::{MessageRow, NewTicketRecord, RequesterGrant, TicketView, Tombstone};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// A handle on the database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
}

impl Store {
    /// Opens (creating if needed) the database and brings its schema up to date.
    pub async fn open(database_url: &str) -> anyhow::Result<Self> {
        let options = SqliteConnectOptions::from_str(database_url)
            .context("parsing the database URL")?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            // Zero the bytes of deleted rows instead of leaving them in free pages.
            .pragma("secure_delete", "on")
            .busy_timeout(Duration::from_secs(10));
        if let Some(path) = options
            .get_filename()
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
        {
            std::fs::create_dir_all(path)
                .with_context(|| format!("creating {}", path.display()))?;
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
        Ok(Store { pool })
    }

    /// Copies the write-ahead log into the main file and truncates it, so that deleted
    /// content (already zeroed by `secure_delete`) leaves no older page copies behind.
    pub async fn checkpoint(&self) -> Result<(), StoreError> {
        sqlx::query("pragma wal_checkpoint(truncate)")
            .execute(&self.pool)
            .await?;
        Ok(())
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
