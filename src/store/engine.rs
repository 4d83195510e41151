//! The two database engines behind one store: SQLite (embedded, the default) and PostgreSQL,
//! chosen by the database URL at start. The only store module that names either engine's
//! types: the others write a query once (`query`, `query_scalar`, with `$N` placeholders,
//! which both engines bind by number) and this module runs it natively on the open engine,
//! so SQLite pays nothing for the second engine but one branch and the deferred binds.
//! Where the dialects differ, a query carries one text per engine (`Sql::dialects`).

use std::ops::{Deref, DerefMut};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions, PgRow};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteRow, SqliteSynchronous,
};
use sqlx::{ColumnIndex, Decode, Postgres, Sqlite, Type};

use super::files;
use crate::domain::Durability;

pub(super) static SQLITE_MIGRATIONS: sqlx::migrate::Migrator =
    sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Applies SQLite's migrations. sqlx takes no lock for them on SQLite (it does on
/// PostgreSQL), so two processes opening a new desk at once (`serve` and `agent add` beside
/// it) can both try a migration; the one that loses sees "already exists". Each migration
/// runs in its own transaction, so trying again reads what the other applied and goes on
/// from there.
async fn apply_sqlite_migrations(pool: &sqlx::SqlitePool) -> anyhow::Result<()> {
    let mut attempt = 0;
    loop {
        match SQLITE_MIGRATIONS.run(pool).await {
            Ok(()) => return Ok(()),
            Err(_) if attempt < 5 => {
                attempt += 1;
                tokio::time::sleep(std::time::Duration::from_millis(200 * attempt)).await;
            }
            Err(err) => return Err(err).context("applying migrations"),
        }
    }
}

/// The key of the PostgreSQL advisory lock that every writing transaction takes first: the
/// twin of SQLite's `begin immediate`. It serialises audit-chain appends across connections
/// and across instances on one database, so two appends never chain onto the same head.
/// An arbitrary constant ("hushdesk" in ASCII); nothing else on the database may use it.
const WRITE_LOCK_KEY: i64 = 0x6875_7368_6465_736b;

/// The first half of a scheduled job's advisory-lock key (two 32-bit keys, a key space apart
/// from the write lock's single 64-bit one); the second half is the job's number.
const JOB_LOCK_CLASS: i32 = 0x6864; // "hd"

/// Which engine a database URL names: `postgres://` or `postgresql://` is PostgreSQL,
/// everything else (`sqlite:` URLs) SQLite.
pub fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// A connection pool on one of the two engines.
#[derive(Clone, Debug)]
pub(crate) enum Pool {
    Sqlite(SqlitePools),
    Postgres(PgPool),
}

/// SQLite's two pools: writers (and plain statements) on one, snapshot reads (`begin_read`)
/// on read-only connections of their own, so a burst of long searches cannot take every
/// connection a writer needs. A database in memory has one pool for both: a second pool
/// would open a second, empty database.
#[derive(Clone, Debug)]
pub(crate) struct SqlitePools {
    main: SqlitePool,
    readers: SqlitePool,
    /// Writers of this process queue here, first come first served, before `begin
    /// immediate`. Without it they meet at SQLite's busy handler, which sleeps and retries
    /// with growing pauses: under steady load some writers lose every retry and wait a
    /// second or more while later ones go through.
    writers: Arc<tokio::sync::Mutex<()>>,
}

impl Pool {
    /// Opens the database the URL names and brings its schema up to date with that
    /// engine's migration set.
    pub(crate) async fn open(database_url: &str, durability: Durability) -> anyhow::Result<Pool> {
        if is_postgres_url(database_url) {
            open_postgres(database_url, durability).await
        } else {
            open_sqlite(database_url, durability).await
        }
    }

    /// Begins a transaction that holds the database's write lock from its first statement
    /// (see `Store::begin_write`).
    pub(crate) async fn begin_write(&self) -> Result<Conn, sqlx::Error> {
        match self {
            Pool::Sqlite(pools) => {
                let turn = pools.writers.clone().lock_owned().await;
                let tx = pools.main.begin_with("begin immediate").await?;
                Ok(Conn(Held::SqliteTx(tx), Some(turn)))
            }
            Pool::Postgres(pool) => {
                // Read committed whatever the server's default: each statement after the lock
                // sees what the previous holder committed (the chain head above all), where a
                // snapshot taken before waiting for the lock would not.
                let mut tx = pool
                    .begin_with("begin isolation level read committed")
                    .await?;
                sqlx::query("select pg_advisory_xact_lock($1)")
                    .bind(WRITE_LOCK_KEY)
                    .execute(&mut *tx)
                    .await?;
                Ok(Conn(Held::PostgresTx(tx), None))
            }
        }
    }

    /// A read-only transaction: one consistent snapshot for several reads, taking no write
    /// lock, so a long read (a search over every body) never holds up writers. SQLite's
    /// deferred `begin` in WAL mode reads from a snapshot beside the writer; on PostgreSQL a
    /// repeatable-read, read-only transaction.
    pub(crate) async fn begin_read(&self) -> Result<Conn, sqlx::Error> {
        match self {
            Pool::Sqlite(pools) => Ok(Conn(
                Held::SqliteTx(pools.readers.begin_with("begin").await?),
                None,
            )),
            Pool::Postgres(pool) => Ok(Conn(
                Held::PostgresTx(
                    pool.begin_with("begin isolation level repeatable read read only")
                        .await?,
                ),
                None,
            )),
        }
    }

    /// A connection outside any transaction, for a few reads in a row.
    pub(crate) async fn acquire(&self) -> Result<Conn, sqlx::Error> {
        Ok(Conn(
            match self {
                Pool::Sqlite(pools) => Held::Sqlite(pools.main.acquire().await?),
                Pool::Postgres(pool) => Held::Postgres(pool.acquire().await?),
            },
            None,
        ))
    }

    /// Claims scheduled job `job` for as long as the claim lives, unless another process on
    /// the database holds it: then `None`. On SQLite the claim is always granted (one
    /// process owns the file). On PostgreSQL it is a transaction-scoped advisory lock, so an
    /// instance that dies mid-job (its connection gone) frees the job for the next tick.
    pub(crate) async fn claim_job(&self, job: i32) -> Result<Option<JobClaim>, sqlx::Error> {
        match self {
            Pool::Sqlite(_) => Ok(Some(JobClaim(None))),
            Pool::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                let claimed: bool = sqlx::query_scalar("select pg_try_advisory_xact_lock($1, $2)")
                    .bind(JOB_LOCK_CLASS)
                    .bind(job)
                    .fetch_one(&mut *tx)
                    .await?;
                Ok(claimed.then_some(JobClaim(Some(tx))))
            }
        }
    }

    /// Runs one maintenance statement that may not run inside a transaction (`VACUUM`,
    /// `CHECKPOINT`) on a connection of its own, as plain text.
    pub(crate) async fn run_maintenance(&self, sql: &'static str) -> Result<(), sqlx::Error> {
        match self {
            Pool::Sqlite(pools) => sqlx::raw_sql(sql).execute(&pools.main).await.map(|_| ()),
            Pool::Postgres(pool) => sqlx::raw_sql(sql).execute(pool).await.map(|_| ()),
        }
    }

    pub(crate) fn is_sqlite(&self) -> bool {
        matches!(self, Pool::Sqlite(_))
    }

    pub(crate) async fn close(&self) {
        match self {
            Pool::Sqlite(pools) => {
                pools.readers.close().await;
                pools.main.close().await;
            }
            Pool::Postgres(pool) => pool.close().await,
        }
    }
}

async fn open_sqlite(database_url: &str, durability: Durability) -> anyhow::Result<Pool> {
    let options = SqliteConnectOptions::from_str(database_url)
        .context("parsing the database URL")?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(match durability {
            Durability::Full => SqliteSynchronous::Full,
            Durability::Normal => SqliteSynchronous::Normal,
        })
        .foreign_keys(true)
        // Zero the bytes of deleted rows instead of leaving them in free pages.
        .pragma("secure_delete", "on")
        // Checkpoints run beside the writers (`spawn_checkpointer`); a writer checkpoints
        // at commit only when the log has grown this far past them.
        .pragma("wal_autocheckpoint", WAL_BACKSTOP_PAGES)
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
        .connect_with(options.clone())
        .await
        .context("opening the SQLite database")?;
    apply_sqlite_migrations(&pool).await?;
    if on_disk {
        // `-wal` and `-shm` exist by now; ones left by an older version may be 0644.
        files::restrict_database_files(&database_file)?;
    }
    let readers = if on_disk {
        // One reader per core: a read that scans (a search over every body) is bound by the
        // processor, so more readers than cores only take the writer's share of it.
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        SqlitePoolOptions::new()
            .max_connections(u32::try_from(cores.max(2)).unwrap_or(2))
            .connect_with(options.read_only(true))
            .await
            .context("opening the SQLite database for reading")?
    } else {
        pool.clone()
    };
    if on_disk {
        spawn_checkpointer(pool.clone());
    }
    Ok(Pool::Sqlite(SqlitePools {
        main: pool,
        readers,
        writers: Arc::default(),
    }))
}

/// Pages (of 4 KiB) the write-ahead log may hold before the writer that commits next
/// checkpoints it itself: a backstop for a checkpointer that cannot keep up.
const WAL_BACKSTOP_PAGES: &str = "16000";

/// How often the checkpointer copies the write-ahead log into the database.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);

/// Checkpoints the write-ahead log from a connection of its own, passively (never waiting
/// for or blocking a writer), until the pool closes. SQLite's default is that the writer
/// whose commit takes the log past 1,000 pages copies it into the database and flushes it
/// before its commit returns: every writer queued behind it (the group commit's readers and
/// filers among them) then waits hundreds of milliseconds, which was most of the desk's tail
/// latency under sustained writes.
fn spawn_checkpointer(pool: SqlitePool) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if pool.is_closed() {
                break;
            }
            if let Err(err) = sqlx::query("pragma wal_checkpoint(passive)")
                .execute(&pool)
                .await
            {
                if pool.is_closed() {
                    break;
                }
                tracing::debug!(error = %err, "a background checkpoint did not run");
            }
        }
    });
}

async fn open_postgres(database_url: &str, durability: Durability) -> anyhow::Result<Pool> {
    // The URL may carry a password: errors name the engine, never the URL.
    let options = PgConnectOptions::from_str(database_url)
        .map_err(|_| anyhow::anyhow!("the PostgreSQL database URL does not parse"))?
        // Like SQLite's busy timeout: a writer waits this long for the write lock (or a row
        // lock) and then fails the request, instead of queueing forever behind a stuck one.
        .options([
            ("lock_timeout", "10s"),
            (
                "synchronous_commit",
                match durability {
                    Durability::Full => "on",
                    Durability::Normal => "off",
                },
            ),
        ]);
    // More than SQLite's 8: each running scheduled job holds one connection for its claim
    // (`claim_job`) besides the ones it works on, and requests must not queue behind them.
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await
        .context("connecting to PostgreSQL")?;
    POSTGRES_MIGRATIONS
        .run(&pool)
        .await
        .context("applying migrations")?;
    Ok(Pool::Postgres(pool))
}

/// A scheduled job's claim (`Pool::claim_job`); dropping it releases the job too.
pub(crate) struct JobClaim(Option<sqlx::Transaction<'static, Postgres>>);

impl JobClaim {
    pub(crate) async fn release(self) -> Result<(), sqlx::Error> {
        match self.0 {
            Some(tx) => tx.commit().await,
            None => Ok(()),
        }
    }
}

/// A connection taken from the pool: inside a transaction (`Store::begin_write`) or not
/// (`Pool::acquire`). Dereferences to what it holds, so `&mut *tx` and `&mut **tx` reach
/// an executor as they did with sqlx's own transaction type.
/// The second field is this process's turn to write (SQLite), held until the transaction
/// ends.
pub(crate) struct Conn(Held, Option<tokio::sync::OwnedMutexGuard<()>>);

pub(crate) enum Held {
    SqliteTx(sqlx::Transaction<'static, Sqlite>),
    Sqlite(PoolConnection<Sqlite>),
    PostgresTx(sqlx::Transaction<'static, Postgres>),
    Postgres(PoolConnection<Postgres>),
}

impl Conn {
    /// Commits the transaction; a connection outside one has nothing to commit.
    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        let Conn(held, write_turn) = self;
        let committed = match held {
            Held::SqliteTx(tx) => tx.commit().await,
            Held::PostgresTx(tx) => tx.commit().await,
            Held::Sqlite(_) | Held::Postgres(_) => Ok(()),
        };
        // The next writer of this process goes once the commit is done, not before.
        drop(write_turn);
        committed
    }
}

impl Deref for Conn {
    type Target = Held;
    fn deref(&self) -> &Held {
        &self.0
    }
}

impl DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut Held {
        &mut self.0
    }
}

/// Where a query runs: a pool (one statement on any free connection) or one connection.
pub(crate) enum Target<'c> {
    SqlitePool(&'c SqlitePool),
    Sqlite(&'c mut SqliteConnection),
    PostgresPool(&'c PgPool),
    Postgres(&'c mut PgConnection),
}

/// What a query can run on: the store's pool, a transaction or an acquired connection.
pub(crate) trait Executor<'c> {
    fn target(self) -> Target<'c>;
}

impl<'c> Executor<'c> for &'c Pool {
    fn target(self) -> Target<'c> {
        match self {
            Pool::Sqlite(pools) => Target::SqlitePool(&pools.main),
            Pool::Postgres(pool) => Target::PostgresPool(pool),
        }
    }
}

impl<'c> Executor<'c> for &'c mut Held {
    fn target(self) -> Target<'c> {
        match self {
            Held::SqliteTx(tx) => Target::Sqlite(tx),
            Held::Sqlite(conn) => Target::Sqlite(conn),
            Held::PostgresTx(tx) => Target::Postgres(tx),
            Held::Postgres(conn) => Target::Postgres(conn),
        }
    }
}

impl<'c> Executor<'c> for &'c mut Conn {
    fn target(self) -> Target<'c> {
        (&mut self.0).target()
    }
}

/// A statement's text: the same on both engines, or one per engine where they differ.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sql {
    sqlite: &'static str,
    postgres: &'static str,
}

impl Sql {
    /// Two texts for one statement, where SQLite and PostgreSQL spell it differently.
    pub(crate) const fn dialects(sqlite: &'static str, postgres: &'static str) -> Sql {
        Sql { sqlite, postgres }
    }
}

impl From<&'static str> for Sql {
    fn from(both: &'static str) -> Sql {
        Sql {
            sqlite: both,
            postgres: both,
        }
    }
}

/// A bound parameter, kept until the engine is known. Only the types the schema uses
/// (integers, text, bytes, each maybe null) exist here, so nothing can be bound that one of
/// the two engines would read differently.
pub(crate) enum Value<'q> {
    Int(Option<i64>),
    Str(Option<&'q str>),
    Text(Option<String>),
    Bytes(Option<&'q [u8]>),
    ByteVec(Option<Vec<u8>>),
}

macro_rules! value_from {
    ($($ty:ty => $variant:ident),* $(,)?) => {
        $(
            impl<'q> From<$ty> for Value<'q> {
                fn from(value: $ty) -> Value<'q> {
                    Value::$variant(value.into())
                }
            }
            impl<'q> From<Option<$ty>> for Value<'q> {
                fn from(value: Option<$ty>) -> Value<'q> {
                    Value::$variant(value.map(Into::into))
                }
            }
        )*
    };
}

value_from!(
    i64 => Int,
    &'q str => Str,
    String => Text,
    &'q [u8] => Bytes,
    Vec<u8> => ByteVec,
);

impl<'q> From<&'q String> for Value<'q> {
    fn from(value: &'q String) -> Value<'q> {
        Value::Str(Some(value))
    }
}

impl<'q> From<&'q Vec<u8>> for Value<'q> {
    fn from(value: &'q Vec<u8>) -> Value<'q> {
        Value::Bytes(Some(value))
    }
}

impl<'q, const N: usize> From<&'q [u8; N]> for Value<'q> {
    fn from(value: &'q [u8; N]) -> Value<'q> {
        Value::Bytes(Some(value))
    }
}

/// A statement with its parameters, run by `execute` / `fetch_*` on an executor.
#[must_use = "a query does nothing until it is executed"]
pub(crate) struct Query<'q> {
    sql: Sql,
    args: Vec<Value<'q>>,
}

/// A statement whose rows are read as one value each, from the first column.
#[must_use = "a query does nothing until it is executed"]
pub(crate) struct QueryScalar<'q, O> {
    query: Query<'q>,
    out: std::marker::PhantomData<fn() -> O>,
}

/// A statement, on both engines (`$N` placeholders).
pub(crate) fn query<'q>(sql: impl Into<Sql>) -> Query<'q> {
    Query {
        sql: sql.into(),
        args: Vec::new(),
    }
}

/// A statement read as single values: the first column of each row, decoded on the engine's
/// own row type (no detour through `Row`).
pub(crate) fn query_scalar<'q, O>(sql: impl Into<Sql>) -> QueryScalar<'q, O> {
    QueryScalar {
        query: query(sql),
        out: std::marker::PhantomData,
    }
}

/// What `execute` reports.
pub(crate) struct Done {
    rows_affected: u64,
}

impl Done {
    pub(crate) fn rows_affected(&self) -> u64 {
        self.rows_affected
    }
}

fn sqlite_query<'q>(
    sql: &'static str,
    args: Vec<Value<'q>>,
) -> sqlx::query::Query<'q, Sqlite, sqlx::sqlite::SqliteArguments> {
    let mut query = sqlx::query(sql);
    for arg in args {
        query = match arg {
            Value::Int(v) => query.bind(v),
            Value::Str(v) => query.bind(v),
            Value::Text(v) => query.bind(v),
            Value::Bytes(v) => query.bind(v),
            Value::ByteVec(v) => query.bind(v),
        };
    }
    query
}

fn postgres_query<'q>(
    sql: &'static str,
    args: Vec<Value<'q>>,
) -> sqlx::query::Query<'q, Postgres, sqlx::postgres::PgArguments> {
    let mut query = sqlx::query(sql);
    for arg in args {
        query = match arg {
            Value::Int(v) => query.bind(v),
            Value::Str(v) => query.bind(v),
            Value::Text(v) => query.bind(v),
            Value::Bytes(v) => query.bind(v),
            Value::ByteVec(v) => query.bind(v),
        };
    }
    query
}

/// Runs `$method` of sqlx's query on whichever engine the executor is, wrapping the
/// engine's result with `$sqlite` or `$postgres`.
macro_rules! on_engine {
    ($query:expr, $executor:expr, $method:ident, $sqlite:expr, $postgres:expr) => {{
        let Query { sql, args } = $query;
        match $executor.target() {
            Target::SqlitePool(e) => sqlite_query(sql.sqlite, args).$method(e).await.map($sqlite),
            Target::Sqlite(e) => sqlite_query(sql.sqlite, args).$method(e).await.map($sqlite),
            Target::PostgresPool(e) => postgres_query(sql.postgres, args)
                .$method(e)
                .await
                .map($postgres),
            Target::Postgres(e) => postgres_query(sql.postgres, args)
                .$method(e)
                .await
                .map($postgres),
        }
    }};
}

impl<'q> Query<'q> {
    pub(crate) fn bind(mut self, value: impl Into<Value<'q>>) -> Self {
        self.args.push(value.into());
        self
    }

    pub(crate) async fn execute<'c>(self, e: impl Executor<'c>) -> Result<Done, sqlx::Error> {
        on_engine!(
            self,
            e,
            execute,
            |r: sqlx::sqlite::SqliteQueryResult| Done {
                rows_affected: r.rows_affected()
            },
            |r: sqlx::postgres::PgQueryResult| Done {
                rows_affected: r.rows_affected()
            }
        )
    }

    pub(crate) async fn fetch_one<'c>(self, e: impl Executor<'c>) -> Result<Row, sqlx::Error> {
        on_engine!(self, e, fetch_one, Row::Sqlite, Row::Postgres)
    }

    pub(crate) async fn fetch_optional<'c>(
        self,
        e: impl Executor<'c>,
    ) -> Result<Option<Row>, sqlx::Error> {
        on_engine!(
            self,
            e,
            fetch_optional,
            |r: Option<SqliteRow>| r.map(Row::Sqlite),
            |r: Option<PgRow>| r.map(Row::Postgres)
        )
    }

    pub(crate) async fn fetch_all<'c>(self, e: impl Executor<'c>) -> Result<Vec<Row>, sqlx::Error> {
        on_engine!(
            self,
            e,
            fetch_all,
            |rows: Vec<SqliteRow>| rows.into_iter().map(Row::Sqlite).collect(),
            |rows: Vec<PgRow>| rows.into_iter().map(Row::Postgres).collect()
        )
    }

    /// Rows one at a time, for reads too long to hold in memory at once.
    pub(crate) fn fetch<'e>(
        self,
        e: impl Executor<'e> + 'e,
    ) -> BoxStream<'e, Result<Row, sqlx::Error>>
    where
        'q: 'e,
    {
        let Query { sql, args } = self;
        match e.target() {
            Target::SqlitePool(e) => sqlite_query(sql.sqlite, args)
                .fetch(e)
                .map(|r| r.map(Row::Sqlite))
                .boxed(),
            Target::Sqlite(e) => sqlite_query(sql.sqlite, args)
                .fetch(e)
                .map(|r| r.map(Row::Sqlite))
                .boxed(),
            Target::PostgresPool(e) => postgres_query(sql.postgres, args)
                .fetch(e)
                .map(|r| r.map(Row::Postgres))
                .boxed(),
            Target::Postgres(e) => postgres_query(sql.postgres, args)
                .fetch(e)
                .map(|r| r.map(Row::Postgres))
                .boxed(),
        }
    }
}

/// A value both engines decode from the first column.
pub(crate) trait Scalar:
    for<'r> Decode<'r, Sqlite> + Type<Sqlite> + for<'r> Decode<'r, Postgres> + Type<Postgres>
{
}

impl<T> Scalar for T where
    T: for<'r> Decode<'r, Sqlite> + Type<Sqlite> + for<'r> Decode<'r, Postgres> + Type<Postgres>
{
}

impl<'q, O: Scalar> QueryScalar<'q, O> {
    pub(crate) fn bind(mut self, value: impl Into<Value<'q>>) -> Self {
        self.query = self.query.bind(value);
        self
    }

    pub(crate) async fn fetch_one<'c>(self, e: impl Executor<'c>) -> Result<O, sqlx::Error> {
        on_engine!(
            self.query,
            e,
            fetch_one,
            |row: SqliteRow| sqlx::Row::try_get(&row, 0),
            |row: PgRow| sqlx::Row::try_get(&row, 0)
        )?
    }

    pub(crate) async fn fetch_optional<'c>(
        self,
        e: impl Executor<'c>,
    ) -> Result<Option<O>, sqlx::Error> {
        on_engine!(
            self.query,
            e,
            fetch_optional,
            |row: Option<SqliteRow>| row.map(|row| sqlx::Row::try_get(&row, 0)).transpose(),
            |row: Option<PgRow>| row.map(|row| sqlx::Row::try_get(&row, 0)).transpose()
        )?
    }

    pub(crate) async fn fetch_all<'c>(self, e: impl Executor<'c>) -> Result<Vec<O>, sqlx::Error> {
        on_engine!(
            self.query,
            e,
            fetch_all,
            |rows: Vec<SqliteRow>| rows.iter().map(|row| sqlx::Row::try_get(row, 0)).collect(),
            |rows: Vec<PgRow>| rows.iter().map(|row| sqlx::Row::try_get(row, 0)).collect()
        )?
    }
}

/// A result row of either engine, read by column name or position.
pub(crate) enum Row {
    Sqlite(SqliteRow),
    Postgres(PgRow),
}

impl Row {
    pub(crate) fn try_get<'r, T, I>(&'r self, index: I) -> Result<T, sqlx::Error>
    where
        T: Decode<'r, Sqlite> + Type<Sqlite> + Decode<'r, Postgres> + Type<Postgres>,
        I: ColumnIndex<SqliteRow> + ColumnIndex<PgRow>,
    {
        match self {
            Row::Sqlite(row) => sqlx::Row::try_get(row, index),
            Row::Postgres(row) => sqlx::Row::try_get(row, index),
        }
    }
}

#[cfg(test)]
mod durability {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// The setting reaches every connection of a real database file, not only the first:
    /// several connections are held at once so the pool has to open more than one.
    #[tokio::test]
    async fn each_setting_reaches_every_sqlite_connection() {
        let dir = tempfile::tempdir().unwrap();
        for (durability, expected) in [(Durability::Full, 2_i64), (Durability::Normal, 1)] {
            let url = format!(
                "sqlite://{}",
                dir.path().join(format!("{durability:?}.db")).display()
            );
            let pool = Pool::open(&url, durability).await.unwrap();
            let mut held = Vec::new();
            for _ in 0..3 {
                let mut conn = pool.acquire().await.unwrap();
                let synchronous: i64 = query_scalar("pragma synchronous")
                    .fetch_one(&mut conn)
                    .await
                    .unwrap();
                assert_eq!(synchronous, expected, "{durability:?}");
                held.push(conn);
            }
            drop(held);
            pool.close().await;
        }
    }

    #[test]
    fn full_is_the_default() {
        assert_eq!(Durability::default(), Durability::Full);
    }
}

/// Not a check: the cost this module adds to a SQLite statement, measured against sqlx
/// alone on one connection (`cargo test --lib engine::overhead -- --ignored --nocapture`).
#[cfg(test)]
mod overhead {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const SQL: &str = "select count(*) from queues where id > $1 and name <> $2";
    const RUNS: u32 = 2000;

    #[tokio::test]
    #[ignore]
    async fn per_statement_on_sqlite() {
        let pool = Pool::open("sqlite::memory:", Durability::default())
            .await
            .unwrap();
        let Pool::Sqlite(SqlitePools { main: sqlite, .. }) = &pool else {
            unreachable!("a sqlite: URL opens SQLite")
        };
        let mut plain = sqlite.acquire().await.unwrap();
        let mut ours = pool.acquire().await.unwrap();
        let per_run =
            |started: std::time::Instant| started.elapsed().as_secs_f64() * 1e6 / f64::from(RUNS);
        let (mut sqlx_only, mut scalar, mut row) = (f64::MAX, f64::MAX, f64::MAX);
        for _ in 0..15 {
            let started = std::time::Instant::now();
            for i in 0..i64::from(RUNS) {
                let _: i64 = sqlx::query_scalar(SQL)
                    .bind(i)
                    .bind("x")
                    .fetch_one(&mut *plain)
                    .await
                    .unwrap();
            }
            sqlx_only = sqlx_only.min(per_run(started));
            let started = std::time::Instant::now();
            for i in 0..i64::from(RUNS) {
                let _: i64 = query_scalar(SQL)
                    .bind(i)
                    .bind("x")
                    .fetch_one(&mut ours)
                    .await
                    .unwrap();
            }
            scalar = scalar.min(per_run(started));
            let started = std::time::Instant::now();
            for i in 0..i64::from(RUNS) {
                let found = query(SQL).bind(i).bind("x").fetch_one(&mut ours).await;
                let _: i64 = found.unwrap().try_get(0).unwrap();
            }
            row = row.min(per_run(started));
        }
        println!(
            "best of 15, per statement: sqlx alone {sqlx_only:.2} us, \
             query_scalar {scalar:.2} us, query + Row::try_get {row:.2} us"
        );
    }
}
