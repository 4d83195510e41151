//! Purge beside intake: the scheduled purge runs in the server while requesters keep filing;
//! every filing is answered and stored, every expired ticket goes, and nothing purged can
//! be read back from the files. And every foreign key that cascades from a deleted row has
//! an index to find the rows it deletes, so one delete never scans a whole table.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Value, json};

use crate::support::{TestApp, files_containing};

const DAY: i64 = 86_400;

/// Closed tickets due for purge; enough for the purge to take many batches.
const EXPIRED: usize = 240;

/// Requesters filing at once while the purge runs.
const FILERS: usize = 4;

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

#[tokio::test]
async fn a_purge_beside_steady_intake_answers_every_filing_and_leaves_nothing_behind() {
    // Filings go on for as long as the purge takes, which depends on the engine.
    let mut app = TestApp::spawn_scannable("purge_beside_intake", |c| {
        c.rate_limit.tickets_burst = 1_000_000;
    })
    .await;
    let agent = app.add_agent("closer", "l2", &["general"]).await;
    let token = app.api_login(&agent).await;
    for i in 0..EXPIRED {
        let (reference, _, _) = app
            .file_via_api(
                "Old question",
                &format!("zpurgecanary{i:04} where is my order"),
                json!({}),
            )
            .await;
        let closed = app
            .agent_post(
                &token,
                &format!("/api/v1/agent/tickets/{reference}/status"),
                &json!({ "status": "closed" }),
            )
            .await;
        assert_eq!(closed.status(), 200);
    }
    assert!(app.stored_text().await.contains("zpurgecanary0007"));

    let purging = Arc::new(AtomicBool::new(true));
    let filers: Vec<_> = (0..FILERS)
        .map(|n| {
            let client = app.client.clone();
            let url = format!("{}/api/v1/tickets", app.base);
            let purging = purging.clone();
            tokio::spawn(async move {
                let mut answered = Vec::new();
                let mut i = 0;
                // At least a few filings each, however fast the purge is.
                while purging.load(Ordering::Relaxed) || i < 5 {
                    let response = client
                        .post(&url)
                        .json(&json!({
                            "subject": "New question",
                            "body": format!("zkeepcanary{n}x{i} the app crashes"),
                            "category": "functionality",
                        }))
                        .send()
                        .await
                        .unwrap();
                    let status = response.status().as_u16();
                    let body: Value = response.json().await.unwrap_or(Value::Null);
                    answered.push((status, body["reference"].as_str().map(str::to_owned)));
                    i += 1;
                }
                answered
            })
        })
        .collect();

    let report = hushdesk::jobs::purge(&app.state.system, now() + 31 * DAY, 100)
        .await
        .unwrap();
    purging.store(false, Ordering::Relaxed);
    let mut acknowledged = HashSet::new();
    for filer in filers {
        for (status, reference) in filer.await.unwrap() {
            assert_eq!(status, 201, "a filing failed while the purge ran");
            assert!(
                acknowledged.insert(reference.unwrap()),
                "one reference twice"
            );
        }
    }

    assert_eq!(report.purged.len(), EXPIRED, "every expired ticket purged");
    assert_eq!(app.count_rows("tombstones").await, EXPIRED as i64);
    // Tickets filed during the purge are open: all stored, none purged.
    assert_eq!(app.count_rows("tickets").await, acknowledged.len() as i64);
    let stored: HashSet<String> = app
        .query_values::<String>("select reference from tickets", &[])
        .await
        .into_iter()
        .collect();
    assert!(
        acknowledged.iter().all(|r| stored.contains(r)),
        "an acknowledged ticket is missing from the desk"
    );

    // What an operator runs after purges (on PostgreSQL it removes the dead rows), then the
    // files: the data directory, and on PostgreSQL the cluster's.
    app.compact_after_purge().await;
    app.stop().await;
    let files = app.stored_files().await;
    // Positive control: what was filed during the purge is in the files, so the scan sees them.
    assert!(!files_containing(&files, "zkeepcanary0x0").is_empty());
    for i in [0, 1, EXPIRED / 2, EXPIRED - 1] {
        let canary = format!("zpurgecanary{i:04}");
        let found = files_containing(&files, &canary);
        assert!(found.is_empty(), "{canary} survived the purge in {found:?}");
    }
}

/// Parent tables whose rows the desk never deletes: agents are disabled, not deleted (the
/// audit chain names them), and queues stay. A key to them is never followed by a delete.
const NEVER_DELETED: [&str; 2] = ["agents", "queues"];

/// Every foreign key on the desk's SQLite schema to a table whose rows are deleted has an
/// index whose first column is the key's column, read from the schema of a database the
/// server created, so a delete that cascades (or sets null) finds the child rows by index
/// instead of scanning their table.
#[tokio::test]
async fn every_foreign_key_has_an_index_to_follow_it() {
    if crate::support::on_postgres_engine() {
        // Read from SQLite's schema; `tests/pg_schema.rs` keeps PostgreSQL's indexes the same.
        return;
    }
    let mut app = TestApp::spawn().await;
    app.stop().await;
    let url = format!(
        "sqlite://{}?mode=ro",
        app.data_dir.join("hushdesk.db").display()
    );
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let tables: Vec<String> = sqlx::query_scalar(
        "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' \
         and name <> '_sqlx_migrations'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let mut keys = 0;
    let mut unindexed = Vec::new();
    for table in &tables {
        let foreign: Vec<(String, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "select \"from\", \"table\" from pragma_foreign_key_list('{table}')"
        )))
        .fetch_all(&pool)
        .await
        .unwrap();
        let leading: HashSet<String> =
            sqlx::query_scalar::<_, Option<String>>(sqlx::AssertSqlSafe(format!(
                "select (select ii.name from pragma_index_info(il.name) ii where ii.seqno = 0) \
             from pragma_index_list('{table}') il"
            )))
            .fetch_all(&pool)
            .await
            .unwrap()
            .into_iter()
            .flatten()
            .collect();
        for (column, parent) in foreign {
            keys += 1;
            // A rowid table's `integer primary key` is the rowid itself: indexed by nature.
            let is_rowid: bool = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "select count(*) = 1 and max(pk) = 1 and max(type) = 'INTEGER' \
                 from pragma_table_info('{table}') where pk > 0 and name = '{column}'"
            )))
            .fetch_one(&pool)
            .await
            .unwrap();
            if !leading.contains(&column) && !is_rowid && !NEVER_DELETED.contains(&parent.as_str())
            {
                unindexed.push(format!("{table}.{column} -> {parent}"));
            }
        }
    }
    pool.close().await;
    assert!(keys > 20, "the schema's foreign keys were read ({keys})");
    assert!(
        unindexed.is_empty(),
        "foreign keys without an index: {unindexed:?}"
    );
}
