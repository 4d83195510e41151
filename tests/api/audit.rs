//! The audit chain, checked with the real `hushdesk audit verify` on a live log and on
//! copies where exactly one entry was edited, removed or reordered.

use std::path::Path;
use std::process::Command;

use serde_json::json;

use crate::support::{TestApp, files_under};

const BIN: &str = env!("CARGO_BIN_EXE_hushdesk");

fn verify(data_dir: &Path) -> (bool, String) {
    let output = Command::new(BIN)
        .args(["audit", "verify"])
        .env_clear()
        .env("HUSHDESK_DATA_DIR", data_dir)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

/// Copies the data directory, applies `tamper` to the copy's database, and verifies it.
async fn verify_tampered(source: &Path, tamper: &'static str) -> (bool, String) {
    let copy = tempfile::tempdir().unwrap();
    for (path, bytes) in files_under(source) {
        let target = copy.path().join(path.strip_prefix(source).unwrap());
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(&target, bytes).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            std::fs::set_permissions(&target, std::fs::Permissions::from_mode(mode)).unwrap();
        }
    }
    let url = format!("sqlite://{}", copy.path().join("hushdesk.db").display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(tamper))
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    verify(copy.path())
}

#[tokio::test]
async fn audit_verify_passes_on_a_live_log_and_fails_after_any_single_edit() {
    let mut app = TestApp::spawn().await;
    let agent = app.add_agent("wendy", "l1", &["general"]).await;
    let token = app.api_login(&agent).await;
    for i in 0..3 {
        let (reference, _) = app.file_in("functionality", &format!("Q{i}"), "Body").await;
        let path = format!("/api/v1/agent/tickets/{reference}");
        assert_eq!(app.agent_get(&token, &path).await.status(), 200);
        let reply = app
            .agent_post(&token, &format!("{path}/replies"), &json!({ "body": "ok" }))
            .await;
        assert_eq!(reply.status(), 201);
    }
    let entries = app.count_rows("audit_log").await;
    assert!(entries >= 12, "{entries} entries");

    // Live: the server is still running and writing.
    let (ok, text) = verify(&app.data_dir);
    assert!(ok, "{text}");
    assert!(text.contains("audit chain intact"), "{text}");
    app.stop().await;

    let cases: [(&str, &str); 5] = [
        (
            "update audit_log set detail = 'results=0' where seq = 5",
            "entry 5",
        ),
        (
            "update audit_log set actor = 'someone-else' where seq = 7",
            "entry 7",
        ),
        (
            "update audit_log set at = at - 3600 where seq = 3",
            "entry 3",
        ),
        ("delete from audit_log where seq = 6", "entry 7"),
        (
            "update audit_log set seq = -1 where seq = 4; \
             update audit_log set seq = 4 where seq = 5; \
             update audit_log set seq = 5 where seq = -1",
            "entry 4",
        ),
    ];
    for (tamper, expected) in cases {
        let (ok, text) = verify_tampered(&app.data_dir, tamper).await;
        assert!(!ok, "tampering went unnoticed: {tamper}");
        assert!(text.contains(expected), "{tamper}: {text}");
    }
}

#[tokio::test]
async fn audit_entries_record_who_what_and_which_ticket_but_no_content() {
    let app = TestApp::spawn().await;
    let agent = app.add_agent("xena", "l1", &["general"]).await;
    let token = app.api_login(&agent).await;
    let (reference, _) = app
        .file_in("functionality", "zauditsubject", "zauditbody")
        .await;
    let path = format!("/api/v1/agent/tickets/{reference}");
    app.agent_get(&token, &path).await;
    app.agent_get(&token, "/api/v1/agent/tickets?q=zauditsearch")
        .await;
    app.agent_post(
        &token,
        &format!("{path}/replies"),
        &json!({ "body": "zauditreply" }),
    )
    .await;
    let url = format!(
        "sqlite://{}?mode=ro",
        app.data_dir.join("hushdesk.db").display()
    );
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let rows: Vec<(String, String, Option<String>, String)> =
        sqlx::query_as("select actor, action, reference, detail from audit_log order by seq")
            .fetch_all(&pool)
            .await
            .unwrap();
    pool.close().await;
    let actions: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
    for expected in [
        "agent_created",
        "login",
        "ticket_filed",
        "view",
        "search",
        "reply",
    ] {
        assert!(
            actions.contains(&expected),
            "{expected} missing from {actions:?}"
        );
    }
    assert!(
        rows.iter()
            .any(|r| r.0 == "xena" && r.1 == "view" && r.2.as_deref() == Some(&reference))
    );
    let all = format!("{rows:?}");
    assert!(
        !all.contains("zaudit"),
        "audit entries must not carry content: {all}"
    );
}
