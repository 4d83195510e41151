//! What did not work is audited too: failed ticket lookups (by keyed digest, never the
//! guess in clear) with a probing alert, admin pages that only show things, list and search
//! rows toward the hourly-volume alert, and spam that one agent alone cannot use to destroy
//! evidence early. Alerts about an agent are not theirs to acknowledge, restricted rows shown
//! in lists alert the queue's owners, and `/metrics` reads are on the record. Alerts are not
//! for the agent who caused them either, and a flood of alerts (or of repeated no-op
//! changes) cannot push an unacknowledged one off the admins' dashboard.

use serde_json::{Value, json};

use crate::support::{HtmlSession, TestAgent, TestApp, files_containing};

const DAY: i64 = 86_400;

/// A well-formed reference that no ticket has (Crockford base32, eight characters).
const UNKNOWN: &str = "HD-ZZZZ9999";
/// A malformed guess carrying text that must never reach the database in clear.
const MALFORMED: &str = "HD-zprobeguessmarker";

/// (actor, reference, detail) of every audit entry with `action`, oldest first, as stored.
async fn audit_rows(app: &TestApp, action: &str) -> Vec<(String, Option<String>, String)> {
    app.query_rows(
        "select actor, reference, detail from audit_log where action = $1 order by seq",
        &[action.into()],
    )
    .await
}

fn digest_of(detail: &str) -> &str {
    detail
        .split_whitespace()
        .find_map(|kv| kv.strip_prefix("ref_digest="))
        .unwrap()
}

fn op_of(detail: &str) -> &str {
    detail
        .split_whitespace()
        .find_map(|kv| kv.strip_prefix("op="))
        .unwrap()
}

fn cli(app: &TestApp, args: &[&str]) -> String {
    let output = app.command().args(args).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "{args:?}: {text}");
    text
}

fn as_of(days_from_now: i64) -> String {
    let at = time::OffsetDateTime::now_utc() + time::Duration::seconds(days_from_now * DAY);
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

async fn admin_dashboard(app: &TestApp, admin: &TestAgent) -> String {
    let session = app.html_login(admin).await;
    app.html_get(&session, "/admin").await.text().await.unwrap()
}

#[tokio::test]
async fn failed_lookups_are_audited_by_digest_and_answer_exactly_like_out_of_scope() {
    let app = TestApp::spawn_scannable("failed_lookups_audited", |_| {}).await;
    let agent = app.add_agent("alice", "l1", &["general"]).await;
    let token = app.api_login(&agent).await;
    let (mine, _) = app.file_in("functionality", "Mine", "In my queue").await;
    let (theirs, _) = app.file_in("billing", "Theirs", "In another queue").await;

    // Positive control: a successful read is audited as a read, with its reference.
    let ok = app
        .agent_get(&token, &format!("/api/v1/agent/tickets/{mine}"))
        .await;
    assert_eq!(ok.status(), 200);
    let views = audit_rows(&app, "view").await;
    assert_eq!(views.len(), 1);
    assert_eq!(views[0].1.as_deref(), Some(mine.as_str()));
    assert!(audit_rows(&app, "lookup_failed").await.is_empty());

    // Out of scope, unknown, and unknown again: the same answer, byte for byte.
    let mut answers = Vec::new();
    for reference in [theirs.as_str(), UNKNOWN, UNKNOWN, MALFORMED] {
        let response = app
            .agent_get(&token, &format!("/api/v1/agent/tickets/{reference}"))
            .await;
        let status = response.status();
        let content_type = response.headers()["content-type"].clone();
        answers.push((status, content_type, response.bytes().await.unwrap()));
    }
    assert_eq!(answers[0].0, 404);
    assert!(answers.iter().all(|a| *a == answers[0]), "{answers:?}");
    // The HTML pages record their misses the same way.
    let session = app.html_login(&agent).await;
    let page = app
        .html_get(&session, &format!("/agent/tickets/{theirs}"))
        .await;
    assert_eq!(page.status(), 404);

    let failed = audit_rows(&app, "lookup_failed").await;
    assert_eq!(failed.len(), 5, "{failed:?}");
    assert!(failed.iter().all(|(actor, reference, detail)| {
        actor == "alice" && reference.is_none() && op_of(detail) == "view"
    }));
    // The digest tells guesses apart and recognises a repeated one…
    let digests: Vec<&str> = failed.iter().map(|(_, _, d)| digest_of(d)).collect();
    assert_eq!(digests[1], digests[2], "the same guess, the same digest");
    assert_eq!(
        digests[0], digests[4],
        "the same reference from HTML and API"
    );
    assert!(digests[0] != digests[1] && digests[1] != digests[3] && digests[0] != digests[3]);
    // …but neither the out-of-scope reference nor any guess is in the entries…
    for (_, _, detail) in &failed {
        assert!(
            !detail.contains(&theirs) && !detail.contains(UNKNOWN) && !detail.contains("zprobe")
        );
    }
    // …nor anywhere in the database files (the real reference is, as its own ticket's).
    let files = app.stored_files().await;
    assert!(files_containing(&files, UNKNOWN).is_empty());
    assert!(files_containing(&files, "zprobeguessmarker").is_empty());
    assert!(
        !files_containing(&files, &theirs).is_empty(),
        "positive control"
    );
}

/// (path after the reference, form fields, the `op` its failed lookup records)
type HtmlAction = (
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static str,
);

#[tokio::test]
async fn unknown_and_out_of_scope_misses_do_the_same_work_and_take_the_same_time() {
    let app = TestApp::spawn().await;
    let agent = app.add_agent("abel", "l1", &["general"]).await;
    let token = app.api_login(&agent).await;
    let (theirs, _) = app.file_in("billing", "Theirs", "Out of scope").await;
    let timed = |reference: String| {
        let path = format!("/api/v1/agent/tickets/{reference}");
        let app = &app;
        let token = token.clone();
        async move {
            let started = std::time::Instant::now();
            let response = app.agent_get(&token, &path).await;
            assert_eq!(response.status(), 404);
            started.elapsed()
        }
    };
    // Interleaved, so load on the machine weighs on both alike. A burst of load from other
    // processes can still skew one sample, so a gap must persist over three samples to count:
    // a real difference in work would show in every one.
    let rounds = 30;
    let mut samples = 0;
    let mut gaps = Vec::new();
    for _ in 0..3 {
        samples += 1;
        let (mut unknown, mut outside) = (Vec::new(), Vec::new());
        for _ in 0..rounds {
            unknown.push(timed(UNKNOWN.to_owned()).await);
            outside.push(timed(theirs.clone()).await);
        }
        unknown.sort();
        outside.sort();
        let (unknown, outside) = (unknown[rounds / 2], outside[rounds / 2]);
        eprintln!("median 404: unknown {unknown:?}, out of scope {outside:?}");
        let ratio = unknown.max(outside).as_secs_f64() / unknown.min(outside).as_secs_f64();
        if ratio < 2.0 {
            break;
        }
        gaps.push(format!("unknown {unknown:?} vs out of scope {outside:?}"));
    }
    assert!(gaps.len() < 3, "{gaps:?}");
    // Each miss appended its entry, whichever kind it was.
    assert_eq!(
        audit_rows(&app, "lookup_failed").await.len(),
        2 * rounds * samples
    );
}

#[tokio::test]
async fn every_ticket_route_records_its_failed_lookup() {
    let app = TestApp::spawn().await;
    let agent = app.add_agent("bruno", "l2", &["general"]).await;
    let token = app.api_login(&agent).await;
    let session = app.html_login(&agent).await;
    let (elsewhere, _) = app.file_in("billing", "Elsewhere", "Other queue").await;

    let api: [(&str, Value, &str); 10] = [
        ("replies", json!({ "body": "Hello" }), "reply"),
        ("escalate", json!({ "reason": "Needs L3" }), "escalate"),
        ("deescalate", json!({ "reason": "Back" }), "deescalate"),
        ("status", json!({ "status": "closed" }), "status"),
        ("priority", json!({ "priority": "P1" }), "priority"),
        ("assign", json!({ "agent": null }), "assign"),
        ("spam", json!({}), "spam"),
        ("spam/confirm", json!({}), "spam_confirm"),
        ("spam/restore", json!({}), "spam_restore"),
        ("", json!(null), "view"),
    ];
    let mut expected = Vec::new();
    for (action, body, op) in &api {
        let response = if action.is_empty() {
            app.agent_get(&token, &format!("/api/v1/agent/tickets/{elsewhere}"))
                .await
        } else {
            app.agent_post(
                &token,
                &format!("/api/v1/agent/tickets/{elsewhere}/{action}"),
                body,
            )
            .await
        };
        assert_eq!(response.status(), 404, "API {action}");
        expected.push(*op);
    }
    let html: [HtmlAction; 12] = [
        ("reply", &[("body", "Hello")], "reply"),
        ("note", &[("body", "Hello")], "reply"),
        ("move", &[("queue", "general"), ("reason", "Why")], "move"),
        ("draft", &[("body", "Hello")], "view"),
        ("status", &[("status", "closed")], "status"),
        ("priority", &[("priority", "P1")], "priority"),
        ("assign", &[("assignee", "")], "assign"),
        ("escalate", &[("reason", "Needs L3")], "escalate"),
        ("deescalate", &[("reason", "Back")], "deescalate"),
        ("spam", &[], "spam"),
        ("spam/confirm", &[], "spam_confirm"),
        ("spam/restore", &[], "spam_restore"),
    ];
    for (action, fields, op) in &html {
        let response = app
            .html_post(
                &session,
                &format!("/agent/tickets/{UNKNOWN}/{action}"),
                fields,
            )
            .await;
        assert_eq!(response.status(), 404, "HTML {action}");
        expected.push(*op);
    }
    let refused = app
        .html_post(
            &session,
            "/agent/break-glass",
            &[("reference", UNKNOWN), ("justification", "Customer called")],
        )
        .await;
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("No ticket with that reference")
    );
    expected.push("break_glass");

    let failed = audit_rows(&app, "lookup_failed").await;
    let ops: Vec<&str> = failed.iter().map(|(_, _, d)| op_of(d)).collect();
    assert_eq!(ops, expected);
    // Nothing changed on the ticket that was out of scope.
    assert!(audit_rows(&app, "marked_spam").await.is_empty());
    assert!(audit_rows(&app, "status").await.is_empty());
}

async fn probe(app: &TestApp, token: &str, reference: &str) {
    let path = format!("/api/v1/agent/tickets/{reference}");
    assert_eq!(app.agent_get(token, &path).await.status(), 404);
}

#[tokio::test]
async fn probing_distinct_references_raises_one_admin_alert_per_hour() {
    let app = TestApp::spawn_with(|c| c.agents.probe_alert_threshold = 3).await;
    let agent = app.add_agent("carla", "l1", &["general"]).await;
    let admin = app.add_agent("dora", "admin", &[]).await;
    let token = app.api_login(&agent).await;
    let (theirs, _) = app.file_in("billing", "Theirs", "Out of scope").await;
    // Two distinct misses, each repeated: below the threshold.
    for reference in [UNKNOWN, &theirs, UNKNOWN, &theirs] {
        probe(&app, &token, reference).await;
    }
    let before = admin_dashboard(&app, &admin).await;
    assert!(!before.contains(">Probing for tickets<"), "{before}");

    // The third distinct reference reaches it; more misses in the hour raise nothing new.
    for guess in ["HD-ZZZZ9998", "HD-ZZZZ9997", "HD-ZZZZ9996"] {
        probe(&app, &token, guess).await;
    }
    let after = admin_dashboard(&app, &admin).await;
    assert_eq!(after.matches(">Probing for tickets<").count(), 1, "{after}");
    assert!(after.contains("carla") && after.contains("threshold 3"));
    assert!(!after.contains(&theirs), "the alert names no reference");
}

#[tokio::test]
async fn each_admin_page_view_appends_one_audit_entry() {
    let app = TestApp::spawn().await;
    let admin = app.add_agent("erin", "admin", &[]).await;
    let session = app.html_login(&admin).await;
    assert!(audit_rows(&app, "admin_view").await.is_empty());

    for page in [
        "/admin",
        "/admin/agents",
        "/admin/queues",
        "/admin/retention",
        "/admin/audit",
    ] {
        assert_eq!(app.html_get(&session, page).await.status(), 200, "{page}");
    }
    let views = audit_rows(&app, "admin_view").await;
    let pages: Vec<&str> = views
        .iter()
        .map(|(actor, _, detail)| {
            assert_eq!(actor, "erin");
            detail.split_whitespace().next().unwrap()
        })
        .collect();
    assert_eq!(
        pages,
        [
            "page=dashboard",
            "page=agents",
            "page=queues",
            "page=retention"
        ]
    );
    // The audit log page keeps its own entry.
    assert_eq!(audit_rows(&app, "audit_read").await.len(), 1);
}

#[tokio::test]
async fn rows_shown_by_lists_and_searches_count_toward_the_hourly_view_alert() {
    let app = TestApp::spawn_with(|c| c.agents.hourly_view_threshold = 3).await;
    let agent = app.add_agent("fred", "l1", &["general"]).await;
    let admin = app.add_agent("gina", "admin", &[]).await;
    let token = app.api_login(&agent).await;
    for i in 0..3 {
        app.file_in("functionality", &format!("Question {i}"), "Body")
            .await;
    }
    // Three distinct tickets shown, twice over: at the threshold, not above it.
    for _ in 0..2 {
        let list: Value = app
            .agent_get(&token, "/api/v1/agent/tickets")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(list["tickets"].as_array().unwrap().len(), 3);
    }
    assert!(
        !admin_dashboard(&app, &admin)
            .await
            .contains(">Many tickets viewed<")
    );

    // A search showing one more ticket goes above it, though no ticket was opened.
    app.file_in("functionality", "Zebra crossing", "Body").await;
    let found: Value = app
        .agent_get(&token, "/api/v1/agent/tickets?q=zebra")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found["tickets"].as_array().unwrap().len(), 1);
    let session = app.html_login(&agent).await;
    let page = app.html_get(&session, "/agent/tickets").await;
    assert_eq!(page.status(), 200);
    let dashboard = admin_dashboard(&app, &admin).await;
    assert_eq!(
        dashboard.matches(">Many tickets viewed<").count(),
        1,
        "{dashboard}"
    );
    assert!(dashboard.contains("fred") && dashboard.contains("threshold 3"));
    assert!(
        audit_rows(&app, "view").await.is_empty(),
        "nothing was opened"
    );
}

/// Two agents of `general` and an owner of it (set by an admin), and one ticket there.
async fn spam_setup(app: &TestApp) -> (String, String, String, String) {
    let marker = app.add_agent("hana", "l1", &["general"]).await;
    let second = app.add_agent("ivan", "l1", &["general"]).await;
    let owner = app.add_agent("jade", "l2", &["general"]).await;
    let admin = app.add_agent("kurt", "admin", &[]).await;
    let admin_session = app.html_login(&admin).await;
    let made_owner = app
        .html_post(
            &admin_session,
            "/admin/queues/general/members",
            &[("agent", "jade"), ("owner", "yes")],
        )
        .await;
    assert_eq!(made_owner.status(), 303);
    let (reference, _) = app.file_in("functionality", "Buy now", "Cheap pills").await;
    (
        reference,
        app.api_login(&marker).await,
        app.api_login(&second).await,
        app.api_login(&owner).await,
    )
}

async fn post_status(app: &TestApp, token: &str, path: &str) -> u16 {
    app.agent_post(token, path, &json!({}))
        .await
        .status()
        .as_u16()
}

async fn listed(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let list: Value = app
        .agent_get(token, &format!("/api/v1/agent/tickets{query}"))
        .await
        .json()
        .await
        .unwrap();
    list["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["reference"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn one_agents_spam_mark_hides_the_ticket_but_keeps_normal_retention() {
    let app = TestApp::spawn().await;
    let (reference, marker, second, _) = spam_setup(&app).await;
    let spam = format!("/api/v1/agent/tickets/{reference}/spam");
    assert_eq!(post_status(&app, &marker, &spam).await, 204);

    // Out of the lists, in the spam review, and marked as pending on the ticket.
    assert!(!listed(&app, &second, "").await.contains(&reference));
    assert_eq!(
        listed(&app, &second, "?status=spam").await,
        std::slice::from_ref(&reference)
    );
    let ticket: Value = app
        .agent_get(&second, &format!("/api/v1/agent/tickets/{reference}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ticket["spam"]["state"], "pending");
    assert_eq!(ticket["spam"]["marked_by"], "hana");

    // The spam retention (2 days) does not apply; the normal one (30 days) does.
    let day3 = cli(&app, &["purge", "--as-of", &as_of(3)]);
    assert!(!day3.contains(&reference), "{day3}");
    assert_eq!(app.count_rows("tickets").await, 1);
    let day31 = cli(&app, &["purge", "--dry-run", "--as-of", &as_of(31)]);
    assert!(
        day31.contains(&format!("would purge {reference} (retention")),
        "{day31}"
    );

    let marks = audit_rows(&app, "marked_spam").await;
    assert_eq!(marks.len(), 1);
    assert_eq!(marks[0].0, "hana");
    assert_eq!(marks[0].1.as_deref(), Some(reference.as_str()));
}

#[tokio::test]
async fn a_second_agents_confirmation_gives_spam_its_short_retention() {
    let app = TestApp::spawn().await;
    let (reference, marker, second, _) = spam_setup(&app).await;
    let base = format!("/api/v1/agent/tickets/{reference}/spam");
    assert_eq!(post_status(&app, &marker, &base).await, 204);
    // Marking twice is not a confirmation, and neither is confirming one's own mark.
    assert_eq!(post_status(&app, &marker, &base).await, 409);
    let confirm = format!("{base}/confirm");
    assert_eq!(post_status(&app, &marker, &confirm).await, 409);
    assert!(audit_rows(&app, "spam_confirmed").await.is_empty());

    assert_eq!(post_status(&app, &second, &confirm).await, 204);
    assert_eq!(post_status(&app, &second, &confirm).await, 409);
    let ticket: Value = app
        .agent_get(&marker, &format!("/api/v1/agent/tickets/{reference}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ticket["spam"]["state"], "confirmed");
    assert_eq!(ticket["spam"]["confirmed_by"], "ivan");

    let day1 = cli(&app, &["purge", "--as-of", &as_of(1)]);
    assert!(!day1.contains(&reference), "{day1}");
    let day3 = cli(&app, &["purge", "--as-of", &as_of(3)]);
    assert!(
        day3.contains(&format!("purged {reference} (spam)")),
        "{day3}"
    );
    assert_eq!(app.count_rows("tickets").await, 0);

    let confirmed = audit_rows(&app, "spam_confirmed").await;
    assert_eq!(confirmed.len(), 1);
    assert_eq!(confirmed[0].0, "ivan");
    assert_eq!(confirmed[0].1.as_deref(), Some(reference.as_str()));
}

#[tokio::test]
async fn only_a_queue_owner_restores_a_ticket_marked_as_spam() {
    let app = TestApp::spawn().await;
    let (reference, marker, second, owner) = spam_setup(&app).await;
    let base = format!("/api/v1/agent/tickets/{reference}/spam");
    assert_eq!(post_status(&app, &marker, &base).await, 204);
    // No side door: reopening by status is refused while the mark stands.
    let reopen = app
        .agent_post(
            &second,
            &format!("/api/v1/agent/tickets/{reference}/status"),
            &json!({ "status": "open" }),
        )
        .await;
    assert_eq!(reopen.status(), 409);

    let restore = format!("{base}/restore");
    assert_eq!(post_status(&app, &second, &restore).await, 409);
    assert_eq!(post_status(&app, &marker, &restore).await, 409);
    assert_eq!(post_status(&app, &owner, &restore).await, 204);

    let ticket: Value = app
        .agent_get(&second, &format!("/api/v1/agent/tickets/{reference}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ticket["status"], "open");
    assert!(ticket.get("spam").is_none());
    assert!(listed(&app, &second, "").await.contains(&reference));
    let restored = audit_rows(&app, "spam_restored").await;
    assert_eq!(restored.len(), 1);
    assert_eq!(restored[0].0, "jade");
}

async fn ticket_page(app: &TestApp, session: &HtmlSession, path: &str) -> String {
    app.html_get(session, path).await.text().await.unwrap()
}

#[tokio::test]
async fn the_ticket_page_offers_confirm_to_others_and_restore_to_owners() {
    let app = TestApp::spawn().await;
    let marker = app.add_agent("lena", "l1", &["general"]).await;
    let second = app.add_agent("milo", "l1", &["general"]).await;
    let (reference, _) = app.file_in("functionality", "Spam?", "Maybe").await;
    let marker_session = app.html_login(&marker).await;
    let path = format!("/agent/tickets/{reference}");
    let before = ticket_page(&app, &marker_session, &path).await;
    assert!(before.contains("Close as spam"));
    assert!(before.contains(&format!("action=\"/agent/tickets/{reference}/status\"")));
    let marked = app
        .html_post(
            &marker_session,
            &format!("/agent/tickets/{reference}/spam"),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(marked.status(), 303);

    let own = ticket_page(&app, &marker_session, &path).await;
    assert!(own.contains("awaiting a second agent"), "{own}");
    // A ticket marked as spam takes no status change (the desk refuses one): none is offered.
    assert!(
        !own.contains(&format!("action=\"/agent/tickets/{reference}/status\"")),
        "{own}"
    );
    assert!(!own.contains("/spam/confirm") && !own.contains("/spam/restore"));
    let second_session = app.html_login(&second).await;
    let other = ticket_page(&app, &second_session, &path).await;
    assert!(other.contains("/spam/confirm") && !other.contains("/spam/restore"));
    let list = app
        .html_get(&second_session, "/agent/tickets?status=spam")
        .await
        .text()
        .await
        .unwrap();
    assert!(list.contains(&reference));
    let confirmed = app
        .html_post(
            &second_session,
            &format!("/agent/tickets/{reference}/spam/confirm"),
            &[],
        )
        .await;
    // Posted without the confirmation, it only asks.
    assert_eq!(confirmed.status(), 200);
    let asked = confirmed.text().await.unwrap();
    assert!(asked.contains("name=\"confirm\" value=\"yes\""), "{asked}");
    assert!(
        asked.contains(&format!(
            "action=\"/agent/tickets/{reference}/spam/confirm\""
        )),
        "{asked}"
    );
    let asked_page = app
        .html_get(
            &second_session,
            &format!("/agent/tickets/{reference}/spam/confirm"),
        )
        .await;
    assert_eq!(asked_page.status(), 200);
    assert!(
        ticket_page(&app, &second_session, &path)
            .await
            .contains("awaiting a second agent")
    );
    let confirmed = app
        .html_post(
            &second_session,
            &format!("/agent/tickets/{reference}/spam/confirm"),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(confirmed.status(), 303);
    assert!(
        ticket_page(&app, &second_session, &path)
            .await
            .contains("confirmed by milo")
    );
}

#[tokio::test]
async fn a_requesters_reply_does_not_reopen_a_ticket_closed_as_spam() {
    let app = TestApp::spawn().await;
    let marker = app.add_agent("nora", "l1", &["general"]).await;
    let marker_token = app.api_login(&marker).await;
    let (spam, spam_access) = app.file_in("functionality", "Buy now", "Pills").await;
    let (ham, ham_access) = app.file_in("functionality", "Help", "Question").await;
    let spam_mark = format!("/api/v1/agent/tickets/{spam}/spam");
    assert_eq!(post_status(&app, &marker_token, &spam_mark).await, 204);
    // Positive control: an ordinary closed ticket is reopened by a reply.
    let closed = app
        .agent_post(
            &marker_token,
            &format!("/api/v1/agent/tickets/{ham}/status"),
            &json!({ "status": "closed" }),
        )
        .await;
    assert_eq!(closed.status(), 200);
    for access in [&spam_access, &ham_access] {
        let reply = app
            .post_json(
                &format!("/api/v1/tickets/{access}/replies"),
                &json!({ "body": "Hello again" }),
            )
            .await;
        assert!(reply.status().is_success(), "{}", reply.status());
    }
    let status = |reference: String| {
        let app = &app;
        let token = marker_token.clone();
        async move {
            let ticket: Value = app
                .agent_get(&token, &format!("/api/v1/agent/tickets/{reference}"))
                .await
                .json()
                .await
                .unwrap();
            ticket["status"].as_str().unwrap().to_owned()
        }
    };
    assert_eq!(status(ham.clone()).await, "open");
    assert_eq!(status(spam.clone()).await, "closed");
    // Its normal retention keeps running, so it cannot linger out of sight.
    let day31 = cli(&app, &["purge", "--dry-run", "--as-of", &as_of(31)]);
    assert!(day31.contains(&spam) && !day31.contains(&ham), "{day31}");
}

/// Ids of the alerts of `kind`, oldest first, as stored.
async fn alert_ids(app: &TestApp, kind: &str) -> Vec<i64> {
    app.query_values(
        "select id from alerts where kind = $1 order by id",
        &[kind.into()],
    )
    .await
}

#[tokio::test]
async fn an_admin_can_neither_see_nor_acknowledge_an_alert_about_themself() {
    let app = TestApp::spawn_with(|c| c.agents.probe_alert_threshold = 3).await;
    let alice = app.add_agent("alice", "admin", &["general"]).await;
    let bob = app.add_agent("bob", "admin", &[]).await;
    let token = app.api_login(&alice).await;
    for i in 0..10 {
        probe(&app, &token, &format!("HD-ZZZZ99{i:02}")).await;
    }
    let [id] = alert_ids(&app, "probing").await[..] else {
        panic!("one probing alert expected");
    };
    let ack = format!("/admin/alerts/{id}/ack");
    let ack_form = format!("action=\"{ack}\"");

    let alice_session = app.html_login(&alice).await;
    let own = app
        .html_get(&alice_session, "/admin")
        .await
        .text()
        .await
        .unwrap();
    assert!(!own.contains(&ack_form), "{own}");
    let refused = app.html_post(&alice_session, &ack, &[]).await;
    assert_eq!(refused.status(), 404);
    let attempts = audit_rows(&app, "alert_ack_refused").await;
    assert_eq!(
        attempts,
        [("alice".to_owned(), None, format!("alert={id}"))]
    );

    // Another admin still sees it unhandled, and can handle it.
    let bob_session = app.html_login(&bob).await;
    let theirs = app
        .html_get(&bob_session, "/admin")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        theirs.contains(&ack_form) && theirs.contains("alice"),
        "{theirs}"
    );
    assert_eq!(app.html_post(&bob_session, &ack, &[]).await.status(), 303);
    assert_eq!(audit_rows(&app, "alert_acknowledged").await.len(), 1);
}

/// Restricted queue `vip` (where `data_request` is routed) with owner `olga` and plain
/// member `mark`, and one ticket in it. Returns the ticket's reference.
async fn restricted_setup(app: &TestApp) -> (TestAgent, TestAgent, String) {
    let admin = app.add_agent("wanda", "admin", &[]).await;
    let session = app.html_login(&admin).await;
    let routed = app
        .html_post(
            &session,
            "/admin/routing",
            &[("category", "data_request"), ("queue", "vip")],
        )
        .await;
    assert_eq!(routed.status(), 303);
    let owner = app.add_agent("olga", "l3", &[]).await;
    let member = app.add_agent("mark", "l2", &[]).await;
    for (name, owner_flag) in [("olga", "yes"), ("mark", "")] {
        let added = app
            .html_post(
                &session,
                "/admin/queues/vip/members",
                &[("agent", name), ("owner", owner_flag)],
            )
            .await;
        assert_eq!(added.status(), 303);
    }
    let (reference, _) = app
        .file_in("data_request", "Export my data", "All of it")
        .await;
    (owner, member, reference)
}

#[tokio::test]
async fn listing_a_restricted_queue_alerts_its_owners_once_per_hour() {
    let app = TestApp::spawn().await;
    let (owner, member, reference) = restricted_setup(&app).await;
    let owner_token = app.api_login(&owner).await;
    let member_token = app.api_login(&member).await;
    let member_alerts = alert_ids(&app, "member_added").await.len();
    assert!(member_alerts > 0, "the positive control raised its alerts");

    // The owner's own list is no alert.
    let list: Value = app
        .agent_get(&owner_token, "/api/v1/agent/tickets?queue=vip")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["tickets"][0]["reference"], reference.as_str());
    assert!(alert_ids(&app, "restricted_access").await.is_empty());

    // A plain member sees the subject and reference in a list: the owners are told.
    let list: Value = app
        .agent_get(&member_token, "/api/v1/agent/tickets?queue=vip")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["tickets"][0]["reference"], reference.as_str());
    assert_eq!(alert_ids(&app, "restricted_access").await.len(), 1);
    let owner_session = app.html_login(&owner).await;
    let page = app
        .html_get(&owner_session, "/agent/tickets")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(">Restricted queue read<")
            && page.contains("mark")
            && page.contains("was shown 1 tickets of restricted queue vip in a list"),
        "{page}"
    );

    // The HTML list and a search within the hour add no second list alert.
    let member_session = app.html_login(&member).await;
    let html = app
        .html_get(&member_session, "/agent/tickets?queue=vip")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(&reference));
    let found: Value = app
        .agent_get(&member_token, "/api/v1/agent/tickets?q=export")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found["tickets"][0]["reference"], reference.as_str());
    assert_eq!(alert_ids(&app, "restricted_access").await.len(), 1);
}

#[tokio::test]
async fn a_search_showing_restricted_rows_alerts_the_owners() {
    let app = TestApp::spawn().await;
    let (_, member, reference) = restricted_setup(&app).await;
    let session = app.html_login(&member).await;
    let page = app
        .html_get(&session, "/agent/tickets?q=export")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(&reference), "{page}");
    let details = alert_details(&app, "restricted_access").await;
    assert_eq!(
        details,
        [serde_json::json!({"action": "search", "count": "1", "queue": "vip"})]
    );
}

/// Particulars of the alerts of `kind`, oldest first, as stored (named values).
async fn alert_details(app: &TestApp, kind: &str) -> Vec<serde_json::Value> {
    let stored: Vec<String> = app
        .query_values(
            "select detail from alerts where kind = $1 order by id",
            &[kind.into()],
        )
        .await;
    stored
        .iter()
        .map(|detail| serde_json::from_str(detail).unwrap())
        .collect()
}

const METRICS_TOKEN: &str = "metrics-scraper-token-0123456789";

#[tokio::test]
async fn every_metrics_read_by_token_or_admin_is_audited() {
    let app = TestApp::spawn_with(|c| c.metrics_token = Some(METRICS_TOKEN.into())).await;
    let admin = app.add_agent("mira", "admin", &[]).await;
    assert!(audit_rows(&app, "metrics_read").await.is_empty());

    let scraped = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(scraped.status(), 200);
    let token = app.api_login(&admin).await;
    assert_eq!(app.agent_get(&token, "/metrics").await.status(), 200);
    let session = app.html_login(&admin).await;
    assert_eq!(app.html_get(&session, "/metrics").await.status(), 200);
    // Refused reads are not metrics reads.
    assert_eq!(app.get("/metrics").await.status(), 401);

    let reads: Vec<String> = audit_rows(&app, "metrics_read")
        .await
        .into_iter()
        .map(|(actor, _, _)| actor)
        .collect();
    assert_eq!(reads, ["(metrics token)", "mira", "mira"]);
}

#[tokio::test]
async fn section_roots_with_a_trailing_slash_redirect_to_the_canonical_path() {
    let app = TestApp::spawn().await;
    for (path, canonical) in [
        ("/admin/", "/admin"),
        ("/agent/", "/agent"),
        ("/status/", "/status"),
        // The language chosen, and any other query, goes along.
        ("/status/?lang=ru", "/status?lang=ru"),
        ("/agent/?lang=ru", "/agent?lang=ru"),
    ] {
        let response = app.get(path).await;
        assert!(response.status().is_redirection(), "{path}");
        assert_eq!(response.headers()["location"], canonical, "{path}");
    }
    // A signed-in admin lands on the dashboard.
    let admin = app.add_agent("sam", "admin", &[]).await;
    let session = app.html_login(&admin).await;
    let response = app.html_get(&session, "/admin/").await;
    assert_eq!(response.headers()["location"], "/admin");
    let dashboard = app.html_get(&session, "/admin").await;
    assert_eq!(dashboard.status(), 200);
}

/// Adds (or removes) `agent` to `queue` through the admin pages.
async fn set_member(app: &TestApp, session: &HtmlSession, queue: &str, agent: &str, add: bool) {
    let path = if add {
        format!("/admin/queues/{queue}/members")
    } else {
        format!("/admin/queues/{queue}/members/remove")
    };
    let response = app.html_post(session, &path, &[("agent", agent)]).await;
    assert_eq!(response.status(), 303, "{path}");
}

/// Whether `admin` is offered to acknowledge the alert `id`, and what acknowledging answers.
async fn offered_and_ack(app: &TestApp, session: &HtmlSession, id: i64) -> (bool, u16) {
    let ack = format!("/admin/alerts/{id}/ack");
    let page = app.html_get(session, "/admin").await.text().await.unwrap();
    let offered = page.contains(&format!("action=\"{ack}\""));
    (
        offered,
        app.html_post(session, &ack, &[]).await.status().as_u16(),
    )
}

#[tokio::test]
async fn the_admin_who_adds_a_member_to_a_restricted_queue_cannot_acknowledge_it() {
    let app = TestApp::spawn().await;
    let alice = app.add_agent("alice", "admin", &[]).await;
    let bob = app.add_agent("bob", "admin", &[]).await;
    app.add_agent("xena", "l2", &[]).await;
    let alice_session = app.html_login(&alice).await;
    set_member(&app, &alice_session, "vip", "xena", true).await;
    let details = alert_details(&app, "member_added").await;
    let added = serde_json::json!({
        "agent": "xena", "queue": "vip", "by": "alice", "change": "added", "owner": "no"
    });
    assert!(details.contains(&added), "{details:?}");
    let ids = alert_ids(&app, "member_added").await;
    let id = *ids.last().unwrap();

    assert_eq!(
        offered_and_ack(&app, &alice_session, id).await,
        (false, 404)
    );
    let bob_session = app.html_login(&bob).await;
    assert_eq!(offered_and_ack(&app, &bob_session, id).await, (true, 303));

    // Once handled it moves below, among the recently acknowledged on the alerts page.
    let page = app
        .html_get(&bob_session, "/admin/alerts")
        .await
        .text()
        .await
        .unwrap();
    let handled = page
        .split("Recently acknowledged")
        .nth(1)
        .unwrap_or_default();
    assert!(
        handled.contains("xena was added to restricted queue vip by alice"),
        "{page}"
    );
}

#[tokio::test]
async fn the_admin_a_reset_request_is_about_cannot_acknowledge_it() {
    let app = TestApp::spawn().await;
    let alice = app.add_agent("alice", "admin", &[]).await;
    let bob = app.add_agent("bob", "admin", &[]).await;
    let carol = app.add_agent("carol", "admin", &[]).await;
    let alice_session = app.html_login(&alice).await;
    let reset = app
        .html_post(&alice_session, "/admin/agents/bob/reset", &[])
        .await;
    assert!(reset.status().is_success() || reset.status() == 303);
    let [id] = alert_ids(&app, "reset_requested").await[..] else {
        panic!("one reset request alert expected");
    };

    let bob_session = app.html_login(&bob).await;
    assert_eq!(offered_and_ack(&app, &bob_session, id).await, (false, 404));
    assert_eq!(
        offered_and_ack(&app, &alice_session, id).await,
        (false, 404)
    );
    let carol_session = app.html_login(&carol).await;
    assert_eq!(offered_and_ack(&app, &carol_session, id).await, (true, 303));
}

#[tokio::test]
async fn adding_an_existing_member_again_raises_no_alert_and_records_no_change() {
    let app = TestApp::spawn().await;
    let admin = app.add_agent("mallory", "admin", &[]).await;
    app.add_agent("yuri", "l2", &[]).await;
    let session = app.html_login(&admin).await;
    set_member(&app, &session, "vip", "yuri", true).await;
    let alerts = alert_ids(&app, "member_added").await.len();
    let audited = audit_rows(&app, "member_added").await.len();
    assert!(alerts > 0 && audited > 0, "the first addition is a change");

    for _ in 0..5 {
        set_member(&app, &session, "vip", "yuri", true).await;
    }
    assert_eq!(alert_ids(&app, "member_added").await.len(), alerts);
    assert_eq!(audit_rows(&app, "member_added").await.len(), audited);
}

#[tokio::test]
async fn a_flood_of_alerts_does_not_push_an_unacknowledged_one_off_the_dashboard() {
    let app = TestApp::spawn().await;
    let alice = app.add_agent("alice", "admin", &[]).await;
    let mallory = app.add_agent("mallory", "admin", &[]).await;
    let bob = app.add_agent("bob", "admin", &[]).await;
    app.add_agent("xena", "l2", &[]).await;
    app.add_agent("yuri", "l2", &[]).await;
    let alice_session = app.html_login(&alice).await;
    set_member(&app, &alice_session, "vip", "xena", true).await;
    let real = *alert_ids(&app, "member_added").await.last().unwrap();

    // Every removal and addition is a real change, each raising alerts for the admins.
    let mallory_session = app.html_login(&mallory).await;
    for _ in 0..110 {
        set_member(&app, &mallory_session, "vip", "yuri", true).await;
        set_member(&app, &mallory_session, "vip", "yuri", false).await;
    }
    let bob_session = app.html_login(&bob).await;
    let page = app
        .html_get(&bob_session, "/admin")
        .await
        .text()
        .await
        .unwrap();
    assert!(app.count_rows("alerts").await > 400);
    assert!(
        page.contains(&format!("action=\"/admin/alerts/{real}/ack\"")),
        "the real alert is still there to handle"
    );
    let shown = page.matches("/ack\"><input").count();
    // Each change is one alert for the admins (its copy for the queue is not listed twice).
    assert!(
        shown > 200,
        "all unacknowledged alerts are listed, not the newest 200"
    );
    assert!(
        page.contains(&format!(">{shown} unacknowledged<")),
        "with their count"
    );
}
