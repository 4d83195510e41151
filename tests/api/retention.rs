//! Retention and purge: canaries through every channel are gone from every file after a
//! purge; holds block it; delete-now is immediate and comes with a signed receipt; a purge
//! killed mid-way leaves a consistent database that the next run finishes.

use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};

use crate::mail_support::{Person, outcome, pgp_mime_encrypted, send};
use crate::support::{TestApp, files_containing};

const DAY: i64 = 86_400;

fn cli(app: &TestApp, args: &[&str]) -> (bool, String) {
    let output = app.command().args(args).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

fn as_of(days_from_now: i64) -> String {
    let at = time::OffsetDateTime::now_utc() + time::Duration::seconds(days_from_now * DAY);
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

#[tokio::test]
async fn no_canary_from_any_channel_survives_a_purge_anywhere_in_the_data_directory() {
    let mut app = TestApp::spawn_scannable("purge_canaries", |_| {}).await;
    let agent = app.add_agent("purger", "l2", &["general", "billing"]).await;
    let token = app.api_login(&agent).await;
    let jo = Person::new("jo@example.org");

    // Words the redactor leaves alone, so they really are stored until the purge.
    let canaries = [
        "zcanaryformsubject",
        "zcanaryformbody",
        "zcanaryapibody",
        "zcanaryrequesterreply",
        "zcanaryagentreply",
        "zcanaryagentnote",
        "zcanarymailbody",
        "zcanaryattachment",
        "zcanarycontact@example.org",
    ];
    let (_, form_path) = app
        .file_via_form(&[
            ("subject", "zcanaryformsubject"),
            ("body", "zcanaryformbody"),
            ("category", "billing"),
            ("contact", "zcanarycontact@example.org"),
        ])
        .await;
    let (api_reference, api_token, _) = app
        .file_via_api(
            "Question",
            "zcanaryapibody",
            json!({ "pgp_key": jo.public_armored() }),
        )
        .await;
    let reply = app
        .post_json(
            &format!("/api/v1/tickets/{api_token}/replies"),
            &json!({ "body": "zcanaryrequesterreply" }),
        )
        .await;
    assert_eq!(reply.status(), 201);
    for (body, internal) in [("zcanaryagentreply", false), ("zcanaryagentnote", true)] {
        let response = app
            .agent_post(
                &token,
                &format!("/api/v1/agent/tickets/{api_reference}/replies"),
                &json!({ "body": body, "internal": internal }),
            )
            .await;
        assert_eq!(response.status(), 201);
    }
    let entity = "Content-Type: multipart/mixed; boundary=\"m\"\r\n\r\n--m\r\nContent-Type: text/plain\r\n\r\nzcanarymailbody\r\n\
         --m\r\nContent-Type: text/plain; name=\"notes.txt\"\r\nContent-Disposition: attachment; filename=\"notes.txt\"\r\n\r\nzcanaryattachment\r\n--m--\r\n";
    let armored = jo.encrypt(&app.state.helpdesk_public_key, entity.as_bytes(), true);
    let mail = pgp_mime_encrypted(&jo.address, "support@localhost", "By mail", &armored);
    let replies = send(app.smtp, true, &jo.address, &["support@localhost"], &mail).await;
    assert!(outcome(&replies).starts_with("250"), "{replies:?}");

    // Everything is stored (so the check below means something), then closed.
    let stored = app.stored_text().await;
    for word in ["zcanaryformbody", "zcanaryagentnote", "zcanarymailbody"] {
        assert!(
            stored.contains(word),
            "{word} should be stored before the purge"
        );
    }
    // …and the scan below can see it in the files.
    let before = app.stored_files().await;
    assert!(!files_containing(&before, "zcanaryformsubject").is_empty());
    drop(before);
    let list: Value = app
        .agent_get(&token, "/api/v1/agent/tickets")
        .await
        .json()
        .await
        .unwrap();
    let references: Vec<String> = list["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["reference"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(references.len(), 3);
    for reference in &references {
        let closed = app
            .agent_post(
                &token,
                &format!("/api/v1/agent/tickets/{reference}/status"),
                &json!({ "status": "closed" }),
            )
            .await;
        assert_eq!(closed.status(), 200);
    }

    // Not yet expired: nothing goes.
    let (ok, text) = cli(&app, &["purge", "--as-of", &as_of(29)]);
    assert!(ok && text.contains("purged 0 tickets"), "{text}");
    // Expired: the purge runs beside the live server.
    let (ok, text) = cli(&app, &["purge", "--as-of", &as_of(31)]);
    assert!(ok, "{text}");
    assert!(text.contains("purged 3 tickets"), "{text}");
    for table in [
        "tickets",
        "messages",
        "attachments",
        "vault_entries",
        "ticket_keys",
        "mask_slots",
        "outbox",
    ] {
        assert_eq!(app.count_rows(table).await, 0, "{table} still has rows");
    }
    assert_eq!(app.count_rows("tombstones").await, 3);
    assert_eq!(app.get(&form_path).await.status(), 404);

    app.compact_after_purge().await;
    app.stop().await;
    let files = app.stored_files().await;
    assert!(
        files
            .iter()
            .any(|(p, _)| p.ends_with("hushdesk.db") || p.to_string_lossy().contains("/base/"))
    );
    for canary in canaries {
        let found = files_containing(&files, canary);
        assert!(found.is_empty(), "{canary} survived in {found:?}");
    }
}

#[tokio::test]
async fn a_legal_hold_blocks_purge_and_delete_now_until_released() {
    let app = TestApp::spawn().await;
    let agent = app.add_agent("holder", "l1", &["general"]).await;
    let token = app.api_login(&agent).await;
    let (reference, access, _) = app.file_via_api("Dispute", "Chargeback", json!({})).await;
    app.agent_post(
        &token,
        &format!("/api/v1/agent/tickets/{reference}/status"),
        &json!({ "status": "resolved" }),
    )
    .await;

    let (ok, text) = cli(
        &app,
        &["hold", "add", &reference, "--reason", "court order 17"],
    );
    assert!(ok, "{text}");
    let (ok, text) = cli(&app, &["purge", "--dry-run", "--as-of", &as_of(400)]);
    assert!(ok && !text.contains(&reference), "{text}");
    let (ok, text) = cli(&app, &["purge", "--as-of", &as_of(400)]);
    assert!(ok && text.contains("purged 0 tickets"), "{text}");

    let refused = app
        .client
        .delete(app.url(&format!("/api/v1/tickets/{access}")))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 409);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(
        body["error"],
        "This request is on hold and cannot be deleted right now."
    );
    assert!(
        !body.to_string().contains("court order"),
        "the requester is not told why"
    );
    let page = app
        .post_form(&format!("/t/{access}/delete"), &[("confirm", "yes")])
        .await;
    assert_eq!(page.status(), 409);
    let page = page.text().await.unwrap();
    assert!(page.contains("on hold") && !page.contains("court order"));

    let (ok, text) = cli(&app, &["hold", "release", &reference]);
    assert!(ok, "{text}");
    let (ok, text) = cli(&app, &["purge", "--dry-run", "--as-of", &as_of(400)]);
    assert!(
        ok && text.contains(&format!("would purge {reference} (retention")),
        "{text}"
    );
    assert_eq!(
        app.count_rows("tickets").await,
        1,
        "a dry run deletes nothing"
    );
    let (ok, text) = cli(&app, &["purge", "--as-of", &as_of(400)]);
    assert!(
        ok && text.contains(&format!("purged {reference}")),
        "{text}"
    );
    let (ok, text) = cli(&app, &["hold", "release", &reference]);
    assert!(!ok && text.contains("no ticket"), "{text}");
}

#[tokio::test]
async fn delete_now_is_immediate_and_its_receipt_verifies_against_the_published_key() {
    let app = TestApp::spawn().await;
    let jo = Person::new("jo@example.org");
    let (reference, access, _) = app
        .file_via_api(
            "Forget me",
            "Please delete everything",
            json!({ "contact": "jo@example.org", "pgp_key": jo.public_armored() }),
        )
        .await;
    let deleted = app
        .client
        .delete(app.url(&format!("/api/v1/tickets/{access}")))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 200);
    let body: Value = deleted.json().await.unwrap();
    let receipt = body["receipt"].as_str().unwrap();
    assert!(
        receipt.starts_with("-----BEGIN PGP SIGNED MESSAGE-----"),
        "{receipt}"
    );
    assert!(receipt.contains(&format!("Reference: {reference}")));
    assert!(
        receipt.contains("the sealed contact address")
            && receipt.contains("the pinned OpenPGP key")
    );
    assert!(!receipt.contains("jo@example.org") && !receipt.contains("Forget me"));

    let public = app.get("/pgp-key.asc").await.text().await.unwrap();
    let opened =
        hushdesk::crypto::verify_inline(receipt.as_bytes(), &[public.into_bytes()]).unwrap();
    assert!(
        matches!(
            opened.signature,
            hushdesk::crypto::SignatureCheck::Good { .. }
        ),
        "{:?}",
        opened.signature
    );
    let statement = String::from_utf8(opened.content).unwrap();
    assert!(statement.contains("hushdesk deletion receipt"));
    // A receipt edited after signing no longer verifies.
    let forged = receipt.replace("Reason: deleted", "Reason: kept");
    let check = hushdesk::crypto::verify_inline(
        forged.as_bytes(),
        &[app.state.helpdesk_public_key.as_bytes().to_vec()],
    );
    assert!(!matches!(
        check.map(|o| o.signature),
        Ok(hushdesk::crypto::SignatureCheck::Good { .. })
    ));
    assert_eq!(app.count_rows("tickets").await, 0);
}

#[tokio::test]
async fn queue_category_and_spam_retention_apply_in_order_and_changes_are_audited() {
    let app = TestApp::spawn().await;
    let admin = app.add_agent("archivist", "admin", &[]).await;
    let agent = app
        .add_agent("worker", "l2", &["general", "billing", "security"])
        .await;
    let token = app.api_login(&agent).await;
    let session = app.html_login(&admin).await;
    for (scope, days) in [
        ("queue:billing", "5"),
        ("category:security", "400"),
        ("default", "30"),
    ] {
        let response = app
            .html_post(
                &session,
                "/admin/retention",
                &[("scope", scope), ("days", days)],
            )
            .await;
        assert_eq!(response.status(), 303, "{scope}");
    }
    let bad = app
        .html_post(
            &session,
            "/admin/retention",
            &[("scope", "default"), ("days", "0")],
        )
        .await;
    assert_eq!(bad.status(), 409);

    let (billing, _) = app.file_in("billing", "Invoice", "Wrong amount").await;
    let (security, _) = app.file_in("security", "Breach", "Saw something").await;
    let (general, _) = app.file_in("functionality", "How", "Question").await;
    let (spam, _) = app.file_in("functionality", "Buy now", "Cheap pills").await;
    for reference in [&billing, &security, &general] {
        app.agent_post(
            &token,
            &format!("/api/v1/agent/tickets/{reference}/status"),
            &json!({ "status": "closed" }),
        )
        .await;
    }
    let marked = app
        .agent_post(
            &token,
            &format!("/api/v1/agent/tickets/{spam}/spam"),
            &json!({}),
        )
        .await;
    assert_eq!(marked.status(), 204);
    // Spam retention needs a second agent's confirmation.
    let checker = app.add_agent("checker", "l1", &["general"]).await;
    let checker_token = app.api_login(&checker).await;
    let confirmed = app
        .agent_post(
            &checker_token,
            &format!("/api/v1/agent/tickets/{spam}/spam/confirm"),
            &json!({}),
        )
        .await;
    assert_eq!(confirmed.status(), 204);

    let plan = |days: i64| {
        let (ok, text) = cli(&app, &["purge", "--dry-run", "--as-of", &as_of(days)]);
        assert!(ok, "{text}");
        text
    };
    let day3 = plan(3);
    assert!(
        day3.contains(&format!("would purge {spam} (spam")) && !day3.contains(&billing),
        "{day3}"
    );
    let day6 = plan(6);
    assert!(
        day6.contains(&billing) && !day6.contains(&general),
        "{day6}"
    );
    let day31 = plan(31);
    assert!(
        day31.contains(&general) && !day31.contains(&security),
        "{day31}"
    );
    assert!(plan(401).contains(&security));

    let page = app
        .html_get(&session, "/admin/retention")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("queue:billing") && page.contains("category:security"));
    let audit = app
        .html_get(&session, "/admin/audit")
        .await
        .text()
        .await
        .unwrap();
    assert!(audit.contains("retention_changed") && audit.contains("scope=queue:billing days=5"));
}

#[tokio::test]
async fn sealed_attachments_are_shredded_on_their_own_shorter_schedule() {
    let app = TestApp::spawn().await;
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode([7u8; 64]);
    let mail = format!(
        "From: <jo@example.org>\r\nSubject: scan\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"m\"\r\n\r\n\
         --m\r\nContent-Type: text/plain\r\n\r\nsee scan\r\n\
         --m\r\nContent-Type: image/png\r\nContent-Disposition: attachment; filename=\"scan.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{encoded}\r\n--m--\r\n"
    );
    let replies = send(
        app.smtp,
        false,
        "jo@example.org",
        &["support@localhost"],
        &mail,
    )
    .await;
    assert!(outcome(&replies).starts_with("250"), "{replies:?}");
    assert_eq!(app.count_rows("attachments").await, 1);
    let (ok, text) = cli(&app, &["purge", "--as-of", &as_of(6)]);
    assert!(ok && text.contains("0 sealed attachments"), "{text}");
    let (ok, text) = cli(&app, &["purge", "--as-of", &as_of(8)]);
    assert!(
        ok && text.contains("purged 0 tickets and 1 sealed attachments"),
        "{text}"
    );
    assert_eq!(app.count_rows("attachments").await, 0);
    assert_eq!(
        app.count_rows("tickets").await,
        1,
        "the ticket itself stays"
    );
}

#[tokio::test]
async fn a_purge_killed_mid_run_leaves_a_consistent_database_that_the_next_run_finishes() {
    let mut app = TestApp::spawn().await;
    for i in 0..300 {
        app.file_in("functionality", &format!("Bulk {i}"), "Body text")
            .await;
    }
    app.stop().await;
    let data_dir = app.data_dir.clone();
    let database = app.database();
    database
        .execute_sql(
            "update tickets set status = 'closed', closed_at = 1000",
            &[],
        )
        .await;
    let config = data_dir.join("small-batches.toml");
    std::fs::write(&config, "[retention]\nbatch = 2\n").unwrap();

    let mut child = database
        .command()
        .args(["purge", "--config", config.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(700)).await;
    child.kill().unwrap();
    child.wait().unwrap();

    // The file's own consistency is SQLite's to check; PostgreSQL's files are the server's.
    if app.postgres_url.is_none() {
        let integrity: Vec<String> = database.query_values("pragma integrity_check", &[]).await;
        assert_eq!(integrity, ["ok"]);
    }
    let orphans: Vec<i64> = database
        .query_values(
            "select (select count(*) from messages where ticket_id not in (select id from tickets)) \
             + (select count(*) from ticket_keys where ticket_id not in (select id from tickets)) \
             + (select count(*) from tombstones where reference in (select reference from tickets))",
            &[],
        )
        .await;
    assert_eq!(orphans, [0], "a ticket is either whole or tombstoned");
    let left = app.count_rows("tickets").await;
    let gone = app.count_rows("tombstones").await;
    assert_eq!(left + gone, 300);
    let whole = app
        .count_rows(
            "tickets t where exists (select 1 from messages m where m.ticket_id = t.id) \
             and exists (select 1 from ticket_keys k where k.ticket_id = t.id)",
        )
        .await;
    assert_eq!(whole, left, "remaining tickets are intact");

    let (ok, text) = cli(&app, &["purge", "--config", config.to_str().unwrap()]);
    assert!(ok, "{text}");
    let left = app.count_rows("tickets").await;
    let gone = app.count_rows("tombstones").await;
    assert_eq!((left, gone), (0, 300));
    let (ok, text) = cli(&app, &["audit", "verify"]);
    assert!(ok, "the audit chain survives a killed purge: {text}");
}

#[tokio::test]
async fn metrics_count_deletions_and_are_for_admins_unless_opened() {
    let app = TestApp::spawn_with(|c| c.metrics_public = true).await;
    let (_, access, _) = app.file_via_api("Bye", "Delete me", json!({})).await;
    app.client
        .delete(app.url(&format!("/api/v1/tickets/{access}")))
        .send()
        .await
        .unwrap();
    let metrics = app.get("/metrics").await;
    assert_eq!(metrics.status(), 200);
    let text = metrics.text().await.unwrap();
    assert!(
        text.contains("hushdesk_tickets_deleted_on_request_total 1"),
        "{text}"
    );
    assert!(text.contains("hushdesk_deleted_on_request_ratio 1.0000"));
    assert!(text.contains("# TYPE hushdesk_time_to_delete_seconds gauge"));

    let proxied =
        TestApp::spawn_with(|c| c.trusted_client_header = Some("x-forwarded-for".into())).await;
    assert_eq!(proxied.get("/metrics").await.status(), 401);
    let agent = proxied.add_agent("plainagent", "l1", &["general"]).await;
    let agent_token = proxied.api_login(&agent).await;
    assert_eq!(
        proxied.agent_get(&agent_token, "/metrics").await.status(),
        404
    );
    let admin = proxied.add_agent("metricsadmin", "admin", &[]).await;
    let admin_token = proxied.api_login(&admin).await;
    let allowed = proxied.agent_get(&admin_token, "/metrics").await;
    assert_eq!(allowed.status(), 200);
    let session = proxied.html_login(&admin).await;
    let dashboard = proxied
        .html_get(&session, "/admin/metrics")
        .await
        .text()
        .await
        .unwrap();
    assert!(dashboard.contains("Tickets stored"));
}
