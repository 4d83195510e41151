//! The PostgreSQL migration set builds the same schema as the SQLite one: same tables,
//! columns (type class, nullability, default, assigned ids), primary keys, foreign keys with
//! their actions, unique constraints and indexes, the same rows seeded, and the same
//! migration versions. One store serves both engines only while this holds.
//!
//! Runs against `HUSHDESK_TEST_DATABASE_URL` or a throwaway cluster (see `pg/throwaway.rs`).

#[path = "pg/schema_shape.rs"]
mod schema_shape;
#[path = "pg/throwaway.rs"]
mod throwaway;

use std::collections::BTreeSet;
use std::net::TcpStream;

use anyhow::Result;
use sqlx::migrate::Migrator;
use sqlx::postgres::PgConnection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{Connection, Executor};

use schema_shape::{Check, Column, ForeignKey, Index, Schema, TypeClass, differences};
use throwaway::TestPostgres;

static SQLITE: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("./migrations/postgres");

/// A fresh SQLite file in `dir` with the SQLite migration set applied, as the store opens it.
async fn migrated_sqlite(dir: &tempfile::TempDir, file: &str) -> Result<SqliteConnection> {
    let options = SqliteConnectOptions::new()
        .filename(dir.path().join(file))
        .create_if_missing(true)
        .foreign_keys(true);
    let mut db = SqliteConnection::connect_with(&options).await?;
    SQLITE.run(&mut db).await?;
    Ok(db)
}

#[test]
fn both_migration_sets_have_the_same_versions_and_names() {
    let versions = |m: &Migrator| -> Vec<(i64, String)> {
        m.iter()
            .map(|m| (m.version, m.description.to_string()))
            .collect()
    };
    let sqlite = versions(&SQLITE);
    assert!(
        sqlite.len() >= 12,
        "the SQLite migration set looks empty: {sqlite:?}"
    );
    assert_eq!(
        sqlite,
        versions(&POSTGRES),
        "every migration in migrations/sqlite needs its twin, same number and name, in \
         migrations/postgres (and the other way round)"
    );
}

#[tokio::test]
async fn postgres_migrations_build_the_same_schema_as_sqlite() {
    let Some(server) = TestPostgres::shared("the schema parity test").unwrap() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut sqlite = migrated_sqlite(&dir, "parity.db").await.unwrap();
    let sqlite_shape = schema_shape::sqlite_schema(&mut sqlite).await.unwrap();

    let database = server.fresh_database().await.unwrap();
    let mut pg = PgConnection::connect(&database.url).await.unwrap();
    POSTGRES.run(&mut pg).await.unwrap();
    let pg_shape = schema_shape::postgres_schema(&mut pg).await.unwrap();

    // Positive controls: introspection found the schema on both sides, or matching would
    // prove nothing.
    for (engine, shape) in [("sqlite", &sqlite_shape), ("postgres", &pg_shape)] {
        assert_knows_the_schema(engine, shape);
    }
    let found = differences(("sqlite", &sqlite_shape), ("postgres", &pg_shape));
    assert!(
        found.is_empty(),
        "the migration sets disagree:\n{}",
        found.join("\n")
    );
    let seeded_sqlite = schema_shape::seeded_rows_sqlite(&mut sqlite, &sqlite_shape)
        .await
        .unwrap();
    let seeded_pg = schema_shape::seeded_rows_postgres(&mut pg, &pg_shape)
        .await
        .unwrap();
    assert_eq!(
        seeded_sqlite.get("queues").map(Vec::len),
        Some(4),
        "control: the migrations seed four queues"
    );
    assert_eq!(
        seeded_sqlite, seeded_pg,
        "the migrations seed different rows"
    );

    // Negative control on the PostgreSQL side: break the migrated schema four ways and
    // the comparison must name exactly those four.
    pg.execute(
        "alter table alerts drop column actor_agent_id; \
         drop index messages_by_ticket; \
         alter table agents drop constraint agents_tier_check; \
         alter table legal_holds drop constraint legal_holds_ticket_id_fkey, \
             add foreign key (ticket_id) references tickets(id)",
    )
    .await
    .unwrap();
    let broken = schema_shape::postgres_schema(&mut pg).await.unwrap();
    let found = differences(("sqlite", &sqlite_shape), ("postgres", &broken));
    assert_eq!(found.len(), 5, "{found:#?}");
    assert!(
        found
            .iter()
            .any(|d| d.starts_with("table agents: checks") && d.contains("\"tier\"")),
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|d| d == "table alerts: column actor_agent_id only in sqlite"),
        "{found:#?}"
    );
    assert!(
        found.iter().any(|d| d.starts_with("table messages: index")
            && d.contains("[\"ticket_id\", \"id\"]")
            && d.ends_with("only in sqlite")),
        "{found:#?}"
    );
    // The changed foreign key shows as one only in each side.
    assert_eq!(
        found
            .iter()
            .filter(|d| d.starts_with("table legal_holds: foreign key"))
            .count(),
        2,
        "{found:#?}"
    );

    pg.close().await.unwrap();
    database.drop_database().await.unwrap();
}

/// Facts about the schema written by hand, so an introspection that reads nothing (or
/// misreads a whole kind of thing on both engines alike) cannot pass as parity.
fn assert_knows_the_schema(engine: &str, shape: &Schema) {
    assert!(shape.len() >= 25, "{engine}: only {} tables", shape.len());
    let tickets = &shape["tickets"];
    assert_eq!(tickets.primary_key, ["id"], "{engine}");
    assert!(tickets.columns["id"].assigned_id, "{engine}");
    assert_eq!(
        tickets.columns["status"],
        Column {
            class: TypeClass::Text,
            not_null: true,
            default: Some("'new'".into()),
            assigned_id: false,
        },
        "{engine}"
    );
    assert_eq!(tickets.columns["token_hash"].class, TypeClass::Bytes);
    assert!(!tickets.columns["closed_at"].not_null, "{engine}");
    assert!(
        tickets.foreign_keys.contains(&ForeignKey {
            columns: vec!["assignee_id".into()],
            parent: "agents".into(),
            parent_columns: vec!["id".into()],
            on_delete: "set null".into(),
            on_update: "no action".into(),
        }),
        "{engine}: {:?}",
        tickets.foreign_keys
    );
    assert!(
        tickets.indexes.contains(&Index {
            columns: vec!["reference".into()],
            unique: true,
            partial: false,
        }),
        "{engine}: {:?}",
        tickets.indexes
    );
    let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(
        shape["agents"].checks,
        [
            Check {
                columns: words(&["role"]),
                literals: words(&["'admin'", "'l1'", "'l2'", "'l3'"]),
            },
            Check {
                columns: words(&["tier"]),
                literals: words(&["1", "3"]),
            },
        ],
        "{engine}"
    );
    assert_eq!(
        shape["attachments"].checks,
        [Check {
            columns: words(&["sealed", "text"]),
            literals: words(&[]),
        }],
        "{engine}: text or sealed"
    );
    assert_eq!(shape["tombstones"].checks, [], "{engine}");
    let mask_slots = &shape["mask_slots"];
    assert_eq!(mask_slots.primary_key, ["ticket_id", "digest"], "{engine}");
    assert!(!mask_slots.columns["ticket_id"].assigned_id, "{engine}");
    assert!(
        mask_slots.indexes.contains(&Index {
            columns: vec!["ticket_id".into(), "label".into(), "n".into()],
            unique: true,
            partial: false,
        }),
        "{engine}"
    );
    let cascades: BTreeSet<&str> = shape
        .iter()
        .filter(|(_, t)| {
            t.foreign_keys
                .iter()
                .any(|fk| fk.parent == "tickets" && fk.on_delete == "cascade")
        })
        .map(|(name, _)| name.as_str())
        .collect();
    // Purge is one `delete from tickets`: everything holding ticket content must cascade.
    for table in [
        "messages",
        "attachments",
        "vault_entries",
        "ticket_keys",
        "mask_slots",
        "outbox",
        "seen_signatures",
        "legal_holds",
        "break_glass",
        "ticket_sightings",
    ] {
        assert!(
            cascades.contains(table),
            "{engine}: {table} does not cascade from tickets"
        );
    }
}

/// The comparison itself can fail: on SQLite alone (no PostgreSQL needed), a schema with a
/// column and an index dropped differs from the migrated one by exactly those two.
#[tokio::test]
async fn a_dropped_column_or_index_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let mut intact = migrated_sqlite(&dir, "intact.db").await.unwrap();
    let mut broken = migrated_sqlite(&dir, "broken.db").await.unwrap();
    broken
        .execute("alter table tickets drop column auto_closed; drop index outbox_due")
        .await
        .unwrap();
    let intact = schema_shape::sqlite_schema(&mut intact).await.unwrap();
    let broken = schema_shape::sqlite_schema(&mut broken).await.unwrap();
    assert_knows_the_schema("sqlite", &intact);
    assert_eq!(
        differences(("intact", &intact), ("broken", &broken)),
        [
            "table outbox: index Index { columns: [\"next_attempt_at\"], unique: false, \
             partial: false } only in intact",
            "table tickets: column auto_closed only in intact",
        ]
    );
    assert!(differences(("intact", &intact), ("intact", &intact)).is_empty());
}

/// The harness leaves nothing behind: a test's database is gone after `drop_database`, and a
/// throwaway cluster's server and directory are gone once it is dropped.
#[tokio::test]
async fn the_test_server_cleans_up_after_itself() {
    let Some(server) = TestPostgres::own_cluster("the harness clean-up test").unwrap() else {
        return;
    };
    let database = server.fresh_database().await.unwrap();
    let name = database.name.clone();
    let mut db = PgConnection::connect(&database.url).await.unwrap();
    db.execute("create table probe (x bigint)").await.unwrap();
    db.close().await.unwrap();

    let mut admin = PgConnection::connect(server.admin_url()).await.unwrap();
    let count = "select count(*) from pg_database where datname = $1";
    let before: i64 = sqlx::query_scalar(count)
        .bind(&name)
        .fetch_one(&mut admin)
        .await
        .unwrap();
    assert_eq!(
        before, 1,
        "control: the test's database exists while it is used"
    );
    database.drop_database().await.unwrap();
    let after: i64 = sqlx::query_scalar(count)
        .bind(&name)
        .fetch_one(&mut admin)
        .await
        .unwrap();
    assert_eq!(after, 0);
    admin.close().await.unwrap();

    let directory = server.cluster_directory().unwrap().to_path_buf();
    let address = server
        .admin_url()
        .rsplit_once('@')
        .and_then(|(_, rest)| rest.split_once('/'))
        .map(|(address, _)| address.to_string())
        .unwrap();
    assert!(directory.join("data/PG_VERSION").is_file(), "control");
    assert!(TcpStream::connect(&address).is_ok(), "control: {address}");
    drop(server);
    assert!(!directory.exists(), "{} is left", directory.display());
    assert!(
        TcpStream::connect(&address).is_err(),
        "still listening on {address}"
    );
}

/// Without PostgreSQL a test skips and says why, unless `HUSHDESK_REQUIRE_POSTGRES=1` (as on
/// CI): then it fails. Runs this binary's parity test again with no PostgreSQL to be found.
#[test]
fn without_postgres_a_test_skips_or_fails_as_required() {
    let run = |require: &str| {
        let output = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "postgres_migrations_build_the_same_schema_as_sqlite",
                "--exact",
                "--nocapture",
                "--test-threads=1",
            ])
            .env_remove(throwaway::URL_VAR)
            .env(throwaway::BINDIR_VAR, "/nonexistent")
            .env(throwaway::REQUIRE_VAR, require)
            .env("RUST_BACKTRACE", "0")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&output.stdout).to_string()
            + &String::from_utf8_lossy(&output.stderr);
        (output.status.success(), text)
    };
    let (passed, text) = run("");
    assert!(passed, "{text}");
    assert!(
        text.contains("skipping the schema parity test: no PostgreSQL")
            && text.contains("/nonexistent"),
        "{text}"
    );
    assert!(text.contains("1 passed"), "control: the test ran: {text}");
    let (passed, text) = run("1");
    assert!(!passed, "{text}");
    assert!(
        text.contains("HUSHDESK_REQUIRE_POSTGRES=1 but there is no PostgreSQL"),
        "{text}"
    );
}
