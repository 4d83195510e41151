//! `hushdesk migrate --from sqlite://… --to postgres://…`, the real binary: a desk built
//! through the running server on SQLite, stopped, copied, and served again from PostgreSQL
//! with the same data directory; what the copy refuses, and what it leaves unchanged then.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};
use sqlx::Row;

use crate::mail_support::{outcome, send};
use crate::support::{TestAgent, TestApp};
use crate::throwaway::{TestDatabase, TestPostgres};

const BIN: &str = env!("CARGO_BIN_EXE_hushdesk");
const DESK: &str = "support@localhost";
/// Sealed (contact address, binary attachment) or masked (bodies): never stored readable.
const CONTACT_CANARY: &str = "canary.q7zr@example.org";
const BINARY_CANARY: &str = "SEALEDCANARYBYTES";
/// Passwords put in the target URL: the trust-authenticated test server ignores them, and
/// nothing the command prints may show them.
const USER_PASSWORD: &str = "hunter2userpart";
const QUERY_PASSWORD: &str = "hunter3queryparam";

/// A desk on SQLite in a data directory of its own, served in-process until `stop`.
async fn sqlite_desk() -> TestApp {
    TestApp::spawn_with(|config| {
        // On SQLite even when the suite runs every other test on PostgreSQL.
        config.database_url = sqlite_url(&config.data_dir).into();
    })
    .await
}

fn sqlite_url(data_dir: &Path) -> String {
    format!("sqlite://{}", data_dir.join("hushdesk.db").display())
}

/// The target URL with a password in the user part and another as a query parameter.
fn with_passwords(url: &str) -> String {
    let url = url.replacen("://postgres@", &format!("://postgres:{USER_PASSWORD}@"), 1);
    assert!(url.contains(USER_PASSWORD), "unexpected test URL shape");
    let joiner = if url.contains('?') { '&' } else { '?' };
    format!("{url}{joiner}password={QUERY_PASSWORD}")
}

/// Runs the real binary with the data directory; (success, stdout and stderr).
fn hushdesk(data_dir: &Path, database_url: Option<&str>, args: &[&str]) -> (bool, String) {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .env_clear()
        .env("HUSHDESK_DATA_DIR", data_dir);
    if let Some(url) = database_url {
        command.env("HUSHDESK_DATABASE_URL", url);
    }
    let output = command.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        !text.contains(USER_PASSWORD) && !text.contains(QUERY_PASSWORD),
        "a password was printed: {text}"
    );
    (output.status.success(), text)
}

fn copy(data_dir: &Path, from: &str, to: &str) -> (bool, String) {
    hushdesk(data_dir, None, &["migrate", "--from", from, "--to", to])
}

async fn pg(url: &str) -> sqlx::PgPool {
    sqlx::PgPool::connect(url).await.unwrap()
}

async fn sqlite_read_only(data_dir: &Path) -> sqlx::SqlitePool {
    // Immutable: a plain read-only connection would leave a `-wal` file, which the copy
    // takes for a running desk.
    let url = format!("{}?mode=ro&immutable=1", sqlite_url(data_dir));
    sqlx::SqlitePool::connect(&url).await.unwrap()
}

/// Every table of the desk (PostgreSQL's catalogue) with its row count.
async fn pg_counts(pool: &sqlx::PgPool) -> Vec<(String, i64)> {
    let tables: Vec<String> = sqlx::query_scalar(
        "select table_name::text from information_schema.tables \
         where table_schema = current_schema() and table_type = 'BASE TABLE' \
         and table_name <> '_sqlx_migrations' order by 1",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut counts = Vec::new();
    for table in tables {
        let count: i64 =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("select count(*) from {table}")))
                .fetch_one(pool)
                .await
                .unwrap();
        counts.push((table, count));
    }
    counts
}

async fn sqlite_counts(pool: &sqlx::SqlitePool) -> Vec<(String, i64)> {
    let tables: Vec<String> = sqlx::query_scalar(
        "select name from sqlite_schema where type = 'table' and name not like 'sqlite\\_%' \
         escape '\\' and name <> '_sqlx_migrations' order by 1",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut counts = Vec::new();
    for table in tables {
        let count: i64 =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("select count(*) from {table}")))
                .fetch_one(pool)
                .await
                .unwrap();
        counts.push((table, count));
    }
    counts
}

fn count_of(counts: &[(String, i64)], table: &str) -> i64 {
    counts.iter().find(|(t, _)| t == table).unwrap().1
}

/// A mail with a sealed binary attachment, through the SMTP listener.
async fn mail_with_attachment(app: &TestApp) -> String {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(BINARY_CANARY.repeat(8));
    let mail = format!(
        "From: <{CONTACT_CANARY}>\r\nTo: <{DESK}>\r\nSubject: Crash dump\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"mix\"\r\n\r\n\
         --mix\r\nContent-Type: text/plain\r\n\r\nThe app crashed, dump attached.\r\n\
         --mix\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; \
         filename=\"dump.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{encoded}\r\n\
         --mix--\r\n"
    );
    let replies = send(app.smtp, false, CONTACT_CANARY, &[DESK], &mail).await;
    let answer = outcome(&replies);
    assert!(answer.starts_with("250"), "{replies:?}");
    answer
        .split_whitespace()
        .find(|w| w.starts_with("HD-"))
        .unwrap()
        .trim_end_matches(['.', ',', ';'])
        .to_owned()
}

/// What an agent and the requesters see of a desk, to compare before and after the copy.
struct Seen {
    /// Each ticket as the agent API shows it, by reference.
    agent_views: Vec<(String, Value)>,
    /// Each requester's view through their secret link.
    requester_views: Vec<(String, Value)>,
}

async fn seen(app: &TestApp, token: &str, references: &[String], access: &[String]) -> Seen {
    let mut agent_views = Vec::new();
    for reference in references {
        let view = app
            .agent_get(token, &format!("/api/v1/agent/tickets/{reference}"))
            .await;
        assert_eq!(view.status(), 200, "{reference}");
        agent_views.push((reference.clone(), view.json().await.unwrap()));
    }
    let mut requester_views = Vec::new();
    for token in access {
        let view = app.get(&format!("/api/v1/tickets/{token}")).await;
        assert_eq!(view.status(), 200);
        requester_views.push((token.clone(), view.json().await.unwrap()));
    }
    Seen {
        agent_views,
        requester_views,
    }
}

/// The desk the main test copies: tickets from the form, the API and mail (a contact
/// address, a sealed attachment), an agent's reply, an internal note, a closed ticket, reads
/// on the record, an agent with a second factor.
struct BuiltDesk {
    app: TestApp,
    agent: TestAgent,
    token: String,
    references: Vec<String>,
    access: Vec<String>,
}

async fn build_desk() -> BuiltDesk {
    let app = sqlite_desk().await;
    // l3 always has a second factor.
    let agent = app.add_agent("ana", "l3", &["general", "security"]).await;
    assert!(agent.totp_uri.is_some());
    let token = app.api_login(&agent).await;

    let (form_reference, form_access) = app
        .file_via_form(&[
            ("subject", "Cannot sign in"),
            (
                "body",
                &format!("It says wrong password. Write to {CONTACT_CANARY}"),
            ),
            ("category", "functionality"),
            ("contact", CONTACT_CANARY),
        ])
        .await;
    let form_access = form_access.trim_start_matches("/t/").to_owned();
    let (api_reference, api_access, _) = app
        .file_via_api(
            "Card charged twice",
            "My card 4111 1111 1111 1111 was charged twice.",
            json!({ "contact": CONTACT_CANARY }),
        )
        .await;
    let (closed_reference, closed_access, _) = app
        .file_via_api("Thanks", "All sorted, you can close this.", json!({}))
        .await;
    let mailed_reference = mail_with_attachment(&app).await;

    let reply = app
        .agent_post(
            &token,
            &format!("/api/v1/agent/tickets/{api_reference}/replies"),
            &json!({ "body": "Refunded. We wrote to you too." }),
        )
        .await;
    assert_eq!(reply.status(), 201);
    let note = app
        .agent_post(
            &token,
            &format!("/api/v1/agent/tickets/{api_reference}/replies"),
            &json!({ "body": "Second charge came from the retry bug.", "internal": true }),
        )
        .await;
    assert_eq!(note.status(), 201);
    let closed = app
        .agent_post(
            &token,
            &format!("/api/v1/agent/tickets/{closed_reference}/status"),
            &json!({ "status": "closed" }),
        )
        .await;
    assert!(closed.status().is_success(), "{}", closed.status());
    let references = vec![
        form_reference,
        api_reference,
        closed_reference,
        mailed_reference,
    ];
    let access = vec![form_access, api_access, closed_access];
    BuiltDesk {
        app,
        agent,
        token,
        references,
        access,
    }
}

/// Starts a server on the PostgreSQL database with the copied desk's data directory (keys).
async fn serve_on_postgres(data_dir: &Path, url: &str) -> TestApp {
    let dir = data_dir.to_path_buf();
    let database = url.to_owned();
    let mut app = TestApp::spawn_with(move |config| {
        config.data_dir = dir;
        config.database_url = database.into();
    })
    .await;
    app.data_dir = data_dir.to_path_buf();
    app.postgres_url = Some(url.to_owned());
    app
}

async fn fresh_target(test: &str) -> Option<TestDatabase> {
    let server = TestPostgres::shared(test).unwrap()?;
    Some(server.fresh_database().await.unwrap())
}

#[tokio::test]
async fn a_sqlite_desk_copied_to_postgres_serves_the_same_agent_tickets_and_links() {
    let Some(target) = fresh_target("pg_migrate_whole_desk").await else {
        return;
    };
    let BuiltDesk {
        mut app,
        agent,
        token,
        references,
        access,
    } = build_desk().await;
    let before = seen(&app, &token, &references, &access).await;
    let data_dir: PathBuf = app.data_dir.clone();
    app.stop().await;
    let source = sqlite_read_only(&data_dir).await;
    let source_counts = sqlite_counts(&source).await;
    source.close().await;
    for table in [
        "tickets",
        "messages",
        "attachments",
        "vault_entries",
        "audit_log",
    ] {
        assert!(count_of(&source_counts, table) > 0, "{table} is empty");
    }
    assert_eq!(count_of(&source_counts, "tickets"), 4);

    let (ok, text) = copy(
        &data_dir,
        &sqlite_url(&data_dir),
        &with_passwords(&target.url),
    );
    assert!(ok, "{text}");
    assert!(text.contains("audit chain intact"), "{text}");
    assert!(
        text.contains("(the last entry records this copy)"),
        "{text}"
    );

    // Every table holds what the source held (the audit log one entry more: the copy's).
    let target_pool = pg(&target.url).await;
    let target_counts = pg_counts(&target_pool).await;
    assert_eq!(target_counts.len(), source_counts.len());
    for (table, rows) in &source_counts {
        let expected = rows + i64::from(table == "audit_log");
        assert_eq!(count_of(&target_counts, table), expected, "{table}");
        let line = format!("  {table:<22} {rows:>9} rows");
        assert!(text.contains(&line), "no line {line:?} in {text}");
    }
    let last: (String, String) =
        sqlx::query_as("select actor, action from audit_log order by seq desc limit 1")
            .fetch_one(&target_pool)
            .await
            .unwrap();
    assert_eq!(last, ("(operator)".to_owned(), "desk_copied".to_owned()));
    target_pool.close().await;
    let (ok, verified) = hushdesk(&data_dir, Some(&target.url), &["audit", "verify"]);
    assert!(ok && verified.contains("audit chain intact"), "{verified}");

    // The desk on PostgreSQL: the same agent, password and second factor; the same tickets,
    // redacted text and all; the requesters' links still open their tickets.
    let app = serve_on_postgres(&data_dir, &target.url).await;
    let token = app.api_login(&agent).await;
    let after = seen(&app, &token, &references, &access).await;
    for ((reference, was), (_, is)) in before.agent_views.iter().zip(&after.agent_views) {
        assert_eq!(was["messages"], is["messages"], "{reference}");
        assert_eq!(was["status"], is["status"], "{reference}");
        assert_eq!(was["queue"], is["queue"], "{reference}");
    }
    for ((_, was), (_, is)) in before.requester_views.iter().zip(&after.requester_views) {
        assert_eq!(was, is);
    }
    let api_ticket = &after.agent_views[1].1;
    assert_eq!(api_ticket["messages"].as_array().unwrap().len(), 3);
    assert_eq!(api_ticket["messages"][2]["internal"], true);
    let closed = &after.agent_views[2].1;
    assert_eq!(closed["status"], "closed");
    let mailed = &after.agent_views[3].1;
    assert_eq!(
        mailed["messages"][0]["attachments"][0]["sealed"], true,
        "{mailed}"
    );
    let body = after.agent_views[0].1["messages"][0]["body"]
        .as_str()
        .unwrap();
    assert!(
        body.contains("[EMAIL-1]") && !body.contains(CONTACT_CANARY),
        "{body}"
    );

    // New rows get new ids: a ticket, a reply, an agent, and the audit entries they add.
    let (new_reference, new_access, _) = app
        .file_via_api("After the move", "Does this still work?", json!({}))
        .await;
    assert!(!references.contains(&new_reference));
    let reply = app
        .agent_post(
            &token,
            &format!("/api/v1/agent/tickets/{new_reference}/replies"),
            &json!({ "body": "It does." }),
        )
        .await;
    assert_eq!(reply.status(), 201);
    let new_view: Value = app
        .get(&format!("/api/v1/tickets/{new_access}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(new_view["messages"].as_array().unwrap().len(), 2);
    let second = app.add_agent("bo", "l1", &["general"]).await;
    app.api_login(&second).await;
    let (ok, verified) = hushdesk(&data_dir, Some(&target.url), &["audit", "verify"]);
    assert!(ok && verified.contains("audit chain intact"), "{verified}");
}

/// The canary given as a contact address is sealed in the source; after the copy no text
/// (nor byte) column of any table on PostgreSQL holds it, nor the binary attachment's bytes.
#[tokio::test]
async fn a_sealed_canary_never_appears_in_plaintext_on_the_target() {
    let Some(target) = fresh_target("pg_migrate_canary").await else {
        return;
    };
    let mut app = sqlite_desk().await;
    app.file_via_api(
        "Locked out",
        &format!("Please help, I am {CONTACT_CANARY}"),
        json!({ "contact": CONTACT_CANARY }),
    )
    .await;
    mail_with_attachment(&app).await;
    let data_dir = app.data_dir.clone();
    app.stop().await;
    let (ok, text) = copy(&data_dir, &sqlite_url(&data_dir), &target.url);
    assert!(ok, "{text}");

    let pool = pg(&target.url).await;
    let columns: Vec<(String, String, String)> = sqlx::query_as(
        "select table_name::text, column_name::text, data_type::text \
         from information_schema.columns where table_schema = current_schema() \
         and data_type in ('text', 'bytea') and table_name <> '_sqlx_migrations'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(columns.len() > 40, "{columns:?}");
    let holding = |needle: &'static str| {
        let pool = pool.clone();
        let columns = columns.clone();
        async move {
            let mut found = Vec::new();
            for (table, column, kind) in &columns {
                let probe = match kind.as_str() {
                    "text" => {
                        format!("select count(*) from {table} where strpos({column}, $1) > 0")
                    }
                    _ => format!(
                        "select count(*) from {table} where position(convert_to($1, 'UTF8') in {column}) > 0"
                    ),
                };
                let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(probe))
                    .bind(needle)
                    .fetch_one(&pool)
                    .await
                    .unwrap();
                if n > 0 {
                    found.push(format!("{table}.{column}"));
                }
            }
            found
        }
    };
    // Positive controls: the probe finds text that is stored readable, and the sealed values
    // are there, as ciphertext.
    assert_eq!(holding("Locked out").await, ["tickets.subject"]);
    assert!(!holding("[EMAIL-1]").await.is_empty());
    let sealed = sqlx::query("select kind, length(ciphertext) as n from vault_entries")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert!(
        sealed
            .iter()
            .any(|r| r.get::<String, _>("kind") == "contact")
    );
    let attachment: Option<Vec<u8>> =
        sqlx::query_scalar("select sealed from attachments where sealed is not null")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(attachment.is_some_and(|bytes| bytes.len() > BINARY_CANARY.len() * 8));
    for canary in [CONTACT_CANARY, "q7zr", BINARY_CANARY] {
        assert_eq!(holding(canary).await, Vec::<String>::new(), "{canary}");
    }
    pool.close().await;
}

/// A target that already holds a desk, URLs of the wrong engines, an unreachable target, a
/// source a desk still has open, and a source whose chain does not verify: each refused with
/// a clear message and a non-zero exit, the target and the source left as they were. A
/// target prepared by plain `hushdesk migrate` (schema and seeded rows only) is accepted.
#[tokio::test]
async fn refusals_leave_target_and_source_unchanged() {
    let Some(target) = fresh_target("pg_migrate_refusals").await else {
        return;
    };
    let mut app = sqlite_desk().await;
    app.file_via_api("First", "Hello", json!({})).await;
    let data_dir = app.data_dir.clone();
    let from = sqlite_url(&data_dir);

    // A desk still running on the source: its `-wal` file gives it away.
    let (ok, text) = copy(&data_dir, &from, &target.url);
    assert!(
        !ok && text.contains("a desk is running on the source"),
        "{text}"
    );
    app.stop().await;

    let source_file = data_dir.join("hushdesk.db");
    let source_bytes = std::fs::read(&source_file).unwrap();

    // Wrong engines, before anything is opened.
    let (ok, text) = copy(&data_dir, &target.url, &target.url);
    assert!(
        !ok && text.contains("--from must be the desk's SQLite database"),
        "{text}"
    );
    let (ok, text) = copy(&data_dir, &from, &from);
    assert!(
        !ok && text.contains("--to must be a PostgreSQL database"),
        "{text}"
    );
    let (ok, text) = hushdesk(&data_dir, None, &["migrate", "--from", &from]);
    assert!(!ok && text.contains("--to"), "{text}");

    // Unreachable: nothing listens on port 1.
    let unreachable =
        format!("postgres://desk:{USER_PASSWORD}@127.0.0.1:1/hushdesk?password={QUERY_PASSWORD}");
    let (ok, text) = copy(&data_dir, &from, &unreachable);
    assert!(
        !ok && text.contains("connecting to PostgreSQL") && text.contains("refused"),
        "{text}"
    );

    // A target prepared by `hushdesk migrate` holds only the seeded rows: accepted.
    let elsewhere = tempfile::tempdir().unwrap();
    let (ok, text) = hushdesk(elsewhere.path(), Some(&target.url), &["migrate"]);
    assert!(ok, "{text}");
    let (ok, text) = copy(&data_dir, &from, &target.url);
    assert!(ok && text.contains("audit chain intact"), "{text}");
    assert_eq!(
        std::fs::read(&source_file).unwrap(),
        source_bytes,
        "the source changed"
    );
    assert!(!data_dir.join("hushdesk.db-wal").exists());

    // Now it holds a desk: a second copy is refused and changes nothing.
    let pool = pg(&target.url).await;
    let copied = pg_counts(&pool).await;
    let head: Vec<u8> = sqlx::query_scalar("select hash from audit_log order by seq desc limit 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    let (ok, text) = copy(&data_dir, &from, &target.url);
    assert!(!ok && text.contains("already holds a desk ("), "{text}");
    assert!(text.contains("tickets: 1"), "{text}");
    assert_eq!(pg_counts(&pool).await, copied);
    let head_after: Vec<u8> =
        sqlx::query_scalar("select hash from audit_log order by seq desc limit 1")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(head_after, head);
    pool.close().await;

    // A source whose chain was edited: the copy runs to the end, then verification fails
    // and everything is rolled back.
    let empty = fresh_target("pg_migrate_refusals_chain").await.unwrap();
    let (_edited, edited_url) = edited_source(
        &source_file,
        "update audit_log set detail = 'edited' where seq = 1",
    )
    .await;
    let (ok, text) = copy(&data_dir, &edited_url, &empty.url);
    assert!(
        !ok && text.contains("does not verify on the target (entry 1"),
        "{text}"
    );
    assert_holds_no_desk(&empty.url).await;

    // A column on the source that PostgreSQL lacks (a migration written for one engine
    // only) stops the copy rather than being left behind.
    let (_edited, edited_url) =
        edited_source(&source_file, "alter table messages add column later text").await;
    let (ok, text) = copy(&data_dir, &edited_url, &empty.url);
    assert!(
        !ok && text.contains("messages.later exists on SQLite only"),
        "{text}"
    );
    assert_holds_no_desk(&empty.url).await;
}

/// A copy of the source database, changed by `sql`, and its URL.
async fn edited_source(source_file: &Path, sql: &'static str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hushdesk.db");
    std::fs::copy(source_file, &file).unwrap();
    let url = format!("sqlite://{}", file.display());
    let editor = sqlx::SqlitePool::connect(&url).await.unwrap();
    let changed = sqlx::query(sql).execute(&editor).await.unwrap();
    assert!(changed.rows_affected() <= 1);
    editor.close().await;
    assert!(!dir.path().join("hushdesk.db-wal").exists());
    (dir, url)
}

/// Nothing in the database but its schema and the rows the migrations seed.
async fn assert_holds_no_desk(url: &str) {
    let pool = pg(url).await;
    for (table, rows) in pg_counts(&pool).await {
        let seeded = ["queues", "routing_rules", "retention_policies"].contains(&table.as_str());
        assert!(seeded || rows == 0, "{table} kept {rows} rows");
    }
    pool.close().await;
}
