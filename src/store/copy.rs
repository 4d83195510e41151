//! Copying a whole desk from SQLite to PostgreSQL (`hushdesk migrate --from … --to …`): every
//! table in foreign-key order, in one PostgreSQL transaction, each row as it is stored (sealed
//! bytes stay sealed, redacted text is copied byte for byte; nothing is opened or re-sealed).
//! Driven by the schema: `TABLES` is checked against both databases, and each table's columns
//! are read from SQLite and must exist, with the same type, on PostgreSQL, so that a column
//! one side lacks stops the copy instead of being dropped. Besides `engine`, the one store
//! module that names both engines' types: a copy between them has to.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use futures_util::TryStreamExt;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteRow};
use sqlx::{AssertSqlSafe, ConnectOptions, Connection, Row};

use super::StoreError;
use super::audit::{self, Actor, AuditKey, ChainReport};
use super::engine::{self, Held, Pool};

/// Every table of the schema, each after the tables its foreign keys point to: the order
/// rows are inserted in. The one place that lists them; the copy checks it against both
/// databases (a table missing here, or listed before a parent, stops it), so a migration
/// that adds a table must add it here too.
const TABLES: &[&str] = &[
    "agents",
    "queues",
    "queue_members",
    "routing_rules",
    "canned_responses",
    "retention_policies",
    "sla_targets",
    "business_hours",
    "redaction_allowlist",
    "proof_token_lists",
    "proof_tokens",
    "proof_hook_status",
    "sessions",
    "rate_buckets",
    "enrolments",
    "reset_requests",
    "restricted_exposures",
    "alerts",
    "tickets",
    "ticket_keys",
    "vault_entries",
    "mask_slots",
    "messages",
    "ticket_terms",
    "index_backfills",
    "attachments",
    "attachment_links",
    "outbox",
    "legal_holds",
    "break_glass",
    "ticket_sightings",
    "ticket_events",
    "ticket_openings",
    "notification_marks",
    "proof_challenges",
    "proofs",
    "seen_signatures",
    "proof_code_failures",
    "tombstones",
    "satisfaction_counts",
    "ticket_outcomes",
    "status_components",
    "incidents",
    "incident_components",
    "incident_categories",
    "incident_updates",
    "incident_notices",
    "incident_posters",
    "kb_editors",
    "kb_articles",
    "kb_revisions",
    "kb_feedback",
    "kb_deflections",
    "kb_generation",
    "kb_vote_keys",
    "audit_log",
];

/// The tables the migrations seed (default queues, routing and retention), and the one-time
/// work a desk records when it first opens (`index_backfills`). A freshly migrated or opened
/// target holds rows in these and nowhere else; the copy replaces them with the source's.
const SEEDED: &[&str] = &[
    "queues",
    "routing_rules",
    "retention_policies",
    "index_backfills",
];

/// Rows per insert statement, and the most bytes one batch holds (sealed attachments are
/// large), so memory stays bounded whatever the size of the desk.
const BATCH_ROWS: usize = 500;
const BATCH_BYTES: usize = 8 << 20;

/// What was copied.
#[derive(Debug)]
pub struct DeskCopy {
    /// Rows per table, in the order they were copied.
    pub tables: Vec<CopiedTable>,
    /// The target's chain as verified before commit, the entry recording the copy included.
    pub chain: ChainReport,
}

#[derive(Debug)]
pub struct CopiedTable {
    pub name: &'static str,
    pub rows: u64,
}

/// Why a copy was refused or undone. None of the messages holds a database URL: they may
/// carry a password.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error("--from must be the desk's SQLite database, as sqlite:///path/to/hushdesk.db")]
    SourceNotSqlite,
    #[error("--to must be a PostgreSQL database, as postgres://user@host/database")]
    TargetNotPostgres,
    #[error("no SQLite database at {0}")]
    SourceMissing(PathBuf),
    #[error(
        "{0} exists: a desk is running on the source database, or was not stopped cleanly. \
         Stop it first; if it is stopped, run `hushdesk migrate` on it once (which closes the \
         database cleanly) and copy again"
    )]
    SourceInUse(PathBuf),
    #[error("opening the source database read-only: {0}")]
    SourceOpen(sqlx::Error),
    #[error("the source database {0}")]
    SourceSchema(String),
    #[error("the target database: {0:#}")]
    Target(anyhow::Error),
    #[error(
        "the target database already holds a desk ({0}): the copy goes into an empty database \
         only, and changed nothing"
    )]
    TargetNotEmpty(String),
    #[error("the two schemas differ: {0}; nothing was copied")]
    SchemaMismatch(String),
    #[error(
        "the audit chain does not verify on the target (entry {seq}: {reason}), so the copy was \
         rolled back. Are the data directory's keys this desk's? Check the source with \
         `hushdesk audit verify`"
    )]
    ChainBroken { seq: i64, reason: &'static str },
    // The database's error is part of the message, not a `source`: `{:#}` would say it twice.
    #[error("copying table {table}: {error}; the copy was rolled back")]
    Table {
        table: &'static str,
        error: sqlx::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for CopyError {
    fn from(error: sqlx::Error) -> CopyError {
        CopyError::Store(StoreError::Backend(error))
    }
}

/// The two ends of a copy, checked for their engines.
pub struct CopyUrls<'a> {
    from: &'a str,
    to: &'a str,
}

impl<'a> CopyUrls<'a> {
    pub fn parse(from: &'a str, to: &'a str) -> Result<CopyUrls<'a>, CopyError> {
        if !from.starts_with("sqlite:") {
            return Err(CopyError::SourceNotSqlite);
        }
        if !engine::is_postgres_url(to) {
            return Err(CopyError::TargetNotPostgres);
        }
        Ok(CopyUrls { from, to })
    }
}

/// Copies the desk in the SQLite database `urls.from` into the empty PostgreSQL database
/// `urls.to` (whose schema it creates), verifies the audit chain there with `key`, records
/// the copy in that chain as the operator's, and commits. Anything that fails before the
/// commit leaves the target as it was (with at most the empty schema).
pub async fn copy_sqlite_to_postgres(
    urls: CopyUrls<'_>,
    key: &AuditKey,
) -> Result<DeskCopy, CopyError> {
    let mut source = open_source(urls.from).await?;
    let copied = async {
        check_source_migrations(&mut source).await?;
        reach_target(urls.to).await?;
        // The copy commits once, at the end: full durability costs one wait for the disk.
        let target = Pool::open(urls.to, crate::domain::Durability::Full)
            .await
            .map_err(CopyError::Target)?;
        let copied = copy_into(&mut source, &target, key).await;
        target.close().await;
        copied
    }
    .await;
    source.close().await.ok();
    copied
}

/// Opens the source read-only, refusing one a desk still writes to. A running desk keeps a
/// `-wal` file beside its database; closing the last connection cleanly folds it into the
/// database and removes it. Without one, the database file holds every committed row, so it
/// is opened `immutable`: SQLite then takes no locks and creates no `-wal`/`-shm` files
/// beside it (a plain read-only connection would, and leave them behind). The price: a desk
/// started on the file during the copy could change pages under it, which is why the desk
/// must be stopped for the whole copy (said in the help and the README).
async fn open_source(from: &str) -> Result<SqliteConnection, CopyError> {
    let options = SqliteConnectOptions::from_str(from)
        .map_err(|_| CopyError::SourceNotSqlite)?
        .read_only(true)
        .immutable(true)
        // Reading a whole table is slow by design; sqlx would report each one as a slow
        // statement.
        .disable_statement_logging();
    let file = options.get_filename().to_path_buf();
    if !file.is_file() {
        return Err(CopyError::SourceMissing(file));
    }
    let wal = beside(&file, "-wal");
    if wal.exists() {
        return Err(CopyError::SourceInUse(wal));
    }
    SqliteConnection::connect_with(&options)
        .await
        .map_err(CopyError::SourceOpen)
}

/// One connection to the target before the pool: the pool retries an unreachable server
/// until its timeout and then says only that it timed out, where this says why (refused,
/// unknown host, authentication).
async fn reach_target(to: &str) -> Result<(), CopyError> {
    // The URL may carry a password: the error names neither it nor the URL.
    let options = PgConnectOptions::from_str(to).map_err(|_| {
        CopyError::Target(anyhow::anyhow!(
            "the PostgreSQL database URL does not parse"
        ))
    })?;
    let connection = PgConnection::connect_with(&options).await.map_err(|e| {
        // sqlx's message already ends with its source's: the message alone, said once.
        CopyError::Target(anyhow::anyhow!("connecting to PostgreSQL: {e}"))
    })?;
    connection.close().await?;
    Ok(())
}

fn beside(file: &Path, suffix: &str) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The source must be at exactly this build's SQLite migrations, as the target will be at
/// their PostgreSQL twins: then the two schemas are the same (the schema parity test).
async fn check_source_migrations(source: &mut SqliteConnection) -> Result<(), CopyError> {
    let applied: BTreeSet<i64> =
        sqlx::query_scalar("select version from _sqlx_migrations where success")
            .fetch_all(&mut *source)
            .await
            .map_err(|_| {
                CopyError::SourceSchema("has no migrations: is it a hushdesk database?".into())
            })?
            .into_iter()
            .collect();
    let known: BTreeSet<i64> = engine::SQLITE_MIGRATIONS
        .iter()
        .filter(|m| !m.migration_type.is_down_migration())
        .map(|m| m.version)
        .collect();
    let unknown: Vec<i64> = applied.difference(&known).copied().collect();
    if !unknown.is_empty() {
        return Err(CopyError::SourceSchema(format!(
            "has migrations this hushdesk does not know ({unknown:?}): copy with the version \
             that wrote it"
        )));
    }
    let missing: Vec<i64> = known.difference(&applied).copied().collect();
    if !missing.is_empty() {
        return Err(CopyError::SourceSchema(format!(
            "lacks migrations {missing:?}: run `hushdesk migrate` on it once with this version \
             (HUSHDESK_DATABASE_URL set to it), then copy"
        )));
    }
    Ok(())
}

async fn copy_into(
    source: &mut SqliteConnection,
    target: &Pool,
    key: &AuditKey,
) -> Result<DeskCopy, CopyError> {
    // One read transaction on the source: every table is read as of one moment (the file is
    // opened immutable and its desk is stopped, so this is a second fence, not the first).
    let mut snapshot = source.begin().await?;
    // The target's write lock, as every writer takes it: an instance already running on the
    // target cannot write between the emptiness check and the commit.
    let mut tx = target.begin_write().await?;
    let mut tables = Vec::with_capacity(TABLES.len());
    {
        let pg = postgres(&mut tx)?;
        check_source_tables(&mut snapshot).await?;
        check_target_tables(pg).await?;
        refuse_a_used_target(pg).await?;
        for table in TABLES.iter().rev().filter(|t| SEEDED.contains(t)) {
            sqlx::query(AssertSqlSafe(format!("delete from {}", quoted(table))))
                .execute(&mut *pg)
                .await?;
        }
        for &table in TABLES {
            let columns = matching_columns(&mut snapshot, pg, table).await?;
            let rows = copy_table(&mut snapshot, pg, table, &columns)
                .await
                .map_err(|error| CopyError::Table { table, error })?;
            tables.push(CopiedTable { name: table, rows });
        }
        move_identities_past_copied_ids(pg).await?;
    }
    let copied_rows: u64 = tables.iter().map(|t| t.rows).sum();
    // The copy is an operator's act on the desk's data: on the record, like any other. Then
    // the whole chain is verified before the commit, so a chain that does not verify (broken
    // at the source, or mangled on the way) is rolled back with everything else.
    audit::log_event(
        &mut tx,
        key,
        &Actor::Operator,
        "desk_copied",
        None,
        format!("from=sqlite tables={} rows={copied_rows}", tables.len()),
        super::now_unix(),
    )
    .await?;
    let chain = audit::verify_chain(&mut tx, key).await?;
    if let Some(broken) = &chain.first_break {
        return Err(CopyError::ChainBroken {
            seq: broken.seq,
            reason: broken.reason,
        });
    }
    tx.commit().await?;
    snapshot.rollback().await?;
    Ok(DeskCopy { tables, chain })
}

/// The PostgreSQL connection under the store's write transaction.
fn postgres(tx: &mut engine::Conn) -> Result<&mut PgConnection, CopyError> {
    match &mut **tx {
        Held::PostgresTx(tx) => Ok(&mut **tx),
        _ => Err(CopyError::TargetNotPostgres),
    }
}

/// The source holds exactly the tables of `TABLES`, each listed after its parents.
async fn check_source_tables(source: &mut SqliteConnection) -> Result<(), CopyError> {
    let found: BTreeSet<String> = sqlx::query_scalar(
        "select name from sqlite_schema where type = 'table' \
         and name not like 'sqlite\\_%' escape '\\' and name <> '_sqlx_migrations'",
    )
    .fetch_all(&mut *source)
    .await?
    .into_iter()
    .collect();
    same_tables_as_listed("SQLite", &found)?;
    for (position, table) in TABLES.iter().enumerate() {
        let parents: Vec<String> =
            sqlx::query_scalar("select \"table\" from pragma_foreign_key_list($1)")
                .bind(*table)
                .fetch_all(&mut *source)
                .await?;
        for parent in parents {
            if parent != *table && !TABLES[..position].contains(&parent.as_str()) {
                return Err(CopyError::SchemaMismatch(format!(
                    "table {table} refers to {parent}, which the copy's table list \
                     (src/store/copy.rs) puts after it"
                )));
            }
        }
    }
    Ok(())
}

/// The target holds exactly the tables of `TABLES` (its foreign keys are checked by
/// PostgreSQL itself as the rows go in).
async fn check_target_tables(pg: &mut PgConnection) -> Result<(), CopyError> {
    let found: BTreeSet<String> = sqlx::query_scalar(
        "select table_name::text from information_schema.tables \
         where table_schema = current_schema() and table_type = 'BASE TABLE' \
         and table_name <> '_sqlx_migrations'",
    )
    .fetch_all(&mut *pg)
    .await?
    .into_iter()
    .collect();
    same_tables_as_listed("PostgreSQL", &found)
}

fn same_tables_as_listed(engine: &str, found: &BTreeSet<String>) -> Result<(), CopyError> {
    if let Some(table) = found.iter().find(|t| !TABLES.contains(&t.as_str())) {
        return Err(CopyError::SchemaMismatch(format!(
            "table {table} on {engine} is not in the copy's table list (src/store/copy.rs)"
        )));
    }
    if let Some(table) = TABLES.iter().find(|t| !found.contains(**t)) {
        return Err(CopyError::SchemaMismatch(format!(
            "table {table} is missing on {engine}"
        )));
    }
    Ok(())
}

/// Refuses a target with anything in it but the rows its migrations seeded.
async fn refuse_a_used_target(pg: &mut PgConnection) -> Result<(), CopyError> {
    let mut held = Vec::new();
    for table in TABLES.iter().filter(|t| !SEEDED.contains(t)) {
        let rows: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
            "select count(*) from {}",
            quoted(table)
        )))
        .fetch_one(&mut *pg)
        .await?;
        if rows > 0 {
            held.push(format!("{table}: {rows}"));
        }
    }
    match held.is_empty() {
        true => Ok(()),
        false => Err(CopyError::TargetNotEmpty(held.join(", "))),
    }
}

/// How a column's values are read and bound: the three kinds the schema uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int,
    Text,
    Bytes,
}

impl Kind {
    fn of_sqlite(declared: &str) -> Option<Kind> {
        match declared.to_ascii_lowercase().as_str() {
            "integer" => Some(Kind::Int),
            "text" => Some(Kind::Text),
            "blob" => Some(Kind::Bytes),
            _ => None,
        }
    }

    fn of_postgres(data_type: &str) -> Option<Kind> {
        match data_type {
            "bigint" => Some(Kind::Int),
            "text" => Some(Kind::Text),
            "bytea" => Some(Kind::Bytes),
            _ => None,
        }
    }

    fn array_type(self) -> &'static str {
        match self {
            Kind::Int => "bigint[]",
            Kind::Text => "text[]",
            Kind::Bytes => "bytea[]",
        }
    }
}

struct Column {
    name: String,
    kind: Kind,
}

/// The table's columns as SQLite has them, each checked against PostgreSQL's: a column on
/// one side only, or of another kind, is an error, never a column left behind.
async fn matching_columns(
    source: &mut SqliteConnection,
    pg: &mut PgConnection,
    table: &str,
) -> Result<Vec<Column>, CopyError> {
    let on_sqlite: Vec<(String, String)> =
        sqlx::query_as("select name, type from pragma_table_info($1) order by cid")
            .bind(table)
            .fetch_all(&mut *source)
            .await?;
    let on_postgres: Vec<(String, String)> = sqlx::query_as(
        "select column_name::text, data_type::text from information_schema.columns \
         where table_schema = current_schema() and table_name = $1 order by ordinal_position",
    )
    .bind(table)
    .fetch_all(&mut *pg)
    .await?;
    let mismatch = |what: String| Err(CopyError::SchemaMismatch(format!("{table}.{what}")));
    let mut columns = Vec::with_capacity(on_sqlite.len());
    for (name, declared) in &on_sqlite {
        let Some(kind) = Kind::of_sqlite(declared) else {
            return mismatch(format!(
                "{name} has SQLite type {declared:?}, which the copy does not know"
            ));
        };
        let Some((_, data_type)) = on_postgres.iter().find(|(n, _)| n == name) else {
            return mismatch(format!("{name} exists on SQLite only"));
        };
        if Kind::of_postgres(data_type) != Some(kind) {
            return mismatch(format!(
                "{name} is {declared} on SQLite but {data_type} on PostgreSQL"
            ));
        }
        columns.push(Column {
            name: name.clone(),
            kind,
        });
    }
    if let Some((name, _)) = on_postgres
        .iter()
        .find(|(name, _)| !on_sqlite.iter().any(|(n, _)| n == name))
    {
        return mismatch(format!("{name} exists on PostgreSQL only"));
    }
    Ok(columns)
}

/// Streams the table's rows from the source into the target in batches; the number of rows
/// copied, checked against what the target then counts.
async fn copy_table(
    source: &mut SqliteConnection,
    pg: &mut PgConnection,
    table: &str,
    columns: &[Column],
) -> Result<u64, sqlx::Error> {
    let names: Vec<String> = columns.iter().map(|c| quoted(&c.name)).collect();
    let select = format!("select {} from {}", names.join(", "), quoted(table));
    let arrays: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| format!("${}::{}", i + 1, c.kind.array_type()))
        .collect();
    // One statement per table, whatever the batch's size: the arrays carry the rows.
    let insert = format!(
        "insert into {} ({}) select * from unnest({})",
        quoted(table),
        names.join(", "),
        arrays.join(", ")
    );
    let mut batch = Batch::new(columns);
    let mut copied = 0;
    let mut rows = sqlx::query(AssertSqlSafe(select)).fetch(&mut *source);
    while let Some(row) = rows.try_next().await? {
        batch.push(&row)?;
        if batch.rows >= BATCH_ROWS || batch.bytes >= BATCH_BYTES {
            copied += batch.insert(pg, &insert).await?;
        }
    }
    drop(rows);
    copied += batch.insert(pg, &insert).await?;
    let counted: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
        "select count(*) from {}",
        quoted(table)
    )))
    .fetch_one(&mut *pg)
    .await?;
    if u64::try_from(counted).ok() != Some(copied) {
        return Err(sqlx::Error::Protocol(format!(
            "{copied} rows were sent but the target holds {counted}"
        )));
    }
    Ok(copied)
}

/// Rows gathered column by column, bound as one array per column.
struct Batch {
    columns: Vec<Values>,
    rows: usize,
    bytes: usize,
}

enum Values {
    Int(Vec<Option<i64>>),
    Text(Vec<Option<String>>),
    Bytes(Vec<Option<Vec<u8>>>),
}

impl Batch {
    fn new(columns: &[Column]) -> Batch {
        Batch {
            columns: columns
                .iter()
                .map(|c| match c.kind {
                    Kind::Int => Values::Int(Vec::new()),
                    Kind::Text => Values::Text(Vec::new()),
                    Kind::Bytes => Values::Bytes(Vec::new()),
                })
                .collect(),
            rows: 0,
            bytes: 0,
        }
    }

    /// Adds one source row, decoded strictly: a value SQLite stored with another type than
    /// its column's (which SQLite allows) fails the copy instead of being converted.
    fn push(&mut self, row: &SqliteRow) -> Result<(), sqlx::Error> {
        for (index, values) in self.columns.iter_mut().enumerate() {
            match values {
                Values::Int(v) => {
                    v.push(row.try_get(index)?);
                    self.bytes += 8;
                }
                Values::Text(v) => {
                    let text: Option<String> = row.try_get(index)?;
                    self.bytes += text.as_ref().map_or(0, String::len);
                    v.push(text);
                }
                Values::Bytes(v) => {
                    let bytes: Option<Vec<u8>> = row.try_get(index)?;
                    self.bytes += bytes.as_ref().map_or(0, Vec::len);
                    v.push(bytes);
                }
            }
        }
        self.rows += 1;
        Ok(())
    }

    /// Inserts what was gathered and empties the batch; the number of rows inserted.
    async fn insert(&mut self, pg: &mut PgConnection, sql: &str) -> Result<u64, sqlx::Error> {
        if self.rows == 0 {
            return Ok(0);
        }
        let mut query = sqlx::query(AssertSqlSafe(sql.to_owned()));
        for values in &mut self.columns {
            query = match values {
                Values::Int(v) => query.bind(std::mem::take(v)),
                Values::Text(v) => query.bind(std::mem::take(v)),
                Values::Bytes(v) => query.bind(std::mem::take(v)),
            };
        }
        let done = query.execute(&mut *pg).await?;
        self.rows = 0;
        self.bytes = 0;
        Ok(done.rows_affected())
    }
}

/// Moves every identity column's sequence past the largest id copied, so the next row the
/// desk inserts gets a new id instead of colliding with a copied one.
async fn move_identities_past_copied_ids(pg: &mut PgConnection) -> Result<(), sqlx::Error> {
    let identities: Vec<(String, String)> = sqlx::query_as(
        "select table_name::text, column_name::text from information_schema.columns \
         where table_schema = current_schema() and is_identity = 'YES'",
    )
    .fetch_all(&mut *pg)
    .await?;
    for (table, column) in identities {
        sqlx::query(AssertSqlSafe(format!(
            "select setval(pg_get_serial_sequence($1, $2), coalesce(max({}), 0) + 1, false) \
             from {}",
            quoted(&column),
            quoted(&table)
        )))
        .bind(quoted(&table))
        .bind(&column)
        .execute(&mut *pg)
        .await?;
    }
    Ok(())
}

/// An identifier quoted for SQL. The names come from the databases' own catalogues and the
/// table list above, never from a person; quoting keeps any of them one identifier.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    async fn migrated_sqlite() -> SqliteConnection {
        let options = SqliteConnectOptions::from_str("sqlite::memory:").unwrap();
        let mut db = SqliteConnection::connect_with(&options).await.unwrap();
        engine::SQLITE_MIGRATIONS.run(&mut db).await.unwrap();
        db
    }

    /// The table list is the migrated schema, parents first: checked without a PostgreSQL,
    /// by the check the copy runs on its source, which refuses a table the list lacks.
    #[tokio::test]
    async fn the_table_list_is_the_migrated_schema_in_foreign_key_order() {
        let mut db = migrated_sqlite().await;
        check_source_tables(&mut db).await.unwrap();
        assert!(SEEDED.iter().all(|t| TABLES.contains(t)));

        sqlx::query("create table later_feature (id integer primary key)")
            .execute(&mut db)
            .await
            .unwrap();
        let refused = check_source_tables(&mut db).await.unwrap_err().to_string();
        assert!(refused.contains("later_feature"), "{refused}");
    }

    #[test]
    fn only_sqlite_to_postgres() {
        assert!(CopyUrls::parse("sqlite:///d/h.db", "postgres://db/x").is_ok());
        assert!(matches!(
            CopyUrls::parse("postgres://db/y", "postgres://db/x"),
            Err(CopyError::SourceNotSqlite)
        ));
        assert!(matches!(
            CopyUrls::parse("sqlite:///d/h.db", "sqlite:///d/other.db"),
            Err(CopyError::TargetNotPostgres)
        ));
    }
}
