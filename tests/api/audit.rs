//! The audit chain, checked with the real `hushdesk audit verify` on a live log and on
//! copies where exactly one entry was edited, removed or reordered.

use serde_json::json;

use crate::support::{StoredDatabase, TestApp};

/// `hushdesk audit verify` on the database: whether it passed, and what it printed.
pub(crate) fn verify(database: &StoredDatabase) -> (bool, String) {
    let output = database
        .command()
        .args(["audit", "verify"])
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

/// Copies what the stopped server stored, applies `tamper` to the copy's database, and
/// verifies it.
async fn verify_tampered(app: &TestApp, tamper: &'static str) -> (bool, String) {
    let copy = app.stored_copy().await;
    copy.database.execute_script(tamper).await;
    verify(&copy.database)
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
    let (ok, text) = verify(&app.database());
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
        let (ok, text) = verify_tampered(&app, tamper).await;
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
    let rows: Vec<(String, String, Option<String>, String)> = app
        .query_rows(
            "select actor, action, reference, detail from audit_log order by seq",
            &[],
        )
        .await;
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
