//! The store on PostgreSQL: the black-box flows of the SQLite suite, on a server whose
//! database URL is `postgres://…` (a fresh database per test on the test PostgreSQL), with
//! the real binary's `audit verify` and `purge` pointed at the same database.

use std::process::Command;

use serde_json::{Value, json};

use crate::support::TestApp;

const BIN: &str = env!("CARGO_BIN_EXE_hushdesk");
const DAY: i64 = 86_400;

/// Runs the real binary on the server's data directory (keys) and PostgreSQL database.
fn cli(app: &TestApp, args: &[&str]) -> (bool, String) {
    let output = Command::new(BIN)
        .args(args)
        .env_clear()
        .env("HUSHDESK_DATA_DIR", &app.data_dir)
        .env(
            "HUSHDESK_DATABASE_URL",
            app.postgres_url.as_deref().unwrap(),
        )
        .output()
        .unwrap();
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

async fn json_of(response: reqwest::Response) -> Value {
    response.json().await.unwrap()
}

fn references(list: &Value) -> Vec<String> {
    list["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["reference"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_ticket_is_filed_answered_closed_audited_and_purged_on_postgres() {
    let Some(app) = TestApp::spawn_on_postgres("postgres_ticket_flow", |_| {}).await else {
        return;
    };
    let agent = app.add_agent("pia", "l1", &["general"]).await;
    let token = app.api_login(&agent).await;
    let (reference, access) = app
        .file_in(
            "functionality",
            "Export to CSV",
            "How do I export my history? Write to jo@example.org",
        )
        .await;
    let (other, _) = app
        .file_in("functionality", "Sign-in loop", "The page reloads forever.")
        .await;

    // It runs on PostgreSQL: the rows are in the database, and no SQLite file was made.
    assert_eq!(app.count_rows("tickets").await, 2);
    assert!(!app.data_dir.join("hushdesk.db").exists());

    // Lists (newest first), searches in another letter case, and opens the ticket.
    let list = json_of(
        app.agent_get(&token, "/api/v1/agent/tickets?order=created")
            .await,
    )
    .await;
    assert_eq!(references(&list), [other.clone(), reference.clone()]);
    let found = json_of(app.agent_get(&token, "/api/v1/agent/tickets?q=csv").await).await;
    assert_eq!(references(&found), std::slice::from_ref(&reference));
    let by_body = json_of(
        app.agent_get(&token, "/api/v1/agent/tickets?q=RELOADS")
            .await,
    )
    .await;
    assert_eq!(references(&by_body), std::slice::from_ref(&other));
    let view = app
        .agent_get(&token, &format!("/api/v1/agent/tickets/{reference}"))
        .await;
    assert_eq!(view.status(), 200);
    let view = json_of(view).await;
    let first = view["messages"][0]["body"].as_str().unwrap();
    assert!(
        first.contains("[EMAIL-1]") && !first.contains("jo@example.org"),
        "{first}"
    );
    assert_eq!(
        app.agent_get(&token, "/api/v1/agent/tickets/HD-NOSUCH1")
            .await
            .status(),
        404
    );

    // The agent answers; the requester reads it through the access link.
    let reply = app
        .agent_post(
            &token,
            &format!("/api/v1/agent/tickets/{reference}/replies"),
            &json!({ "body": "Settings, then Export. We also wrote to jo@example.org." }),
        )
        .await;
    assert_eq!(reply.status(), 201);
    let requester = json_of(app.get(&format!("/api/v1/tickets/{access}")).await).await;
    assert_eq!(requester["status"], "pending_requester");
    assert_eq!(requester["messages"].as_array().unwrap().len(), 2);
    assert!(requester.to_string().contains("We also wrote to [EMAIL-1]"));
    assert!(!app.stored_text().await.contains("jo@example.org"));

    // The auto-close job closes it; the chain verifies with the real binary.
    let closed =
        hushdesk::jobs::auto_close(&app.state.system, 2, hushdesk::desk::now_unix() + 5 * DAY)
            .await
            .unwrap();
    assert_eq!(closed.closed, 1);
    let (ok, text) = cli(&app, &["audit", "verify"]);
    assert!(ok && text.contains("audit chain intact"), "{text}");

    // Purge deletes for real, beside the live server, and the chain still verifies.
    let (ok, text) = cli(&app, &["purge", "--as-of", &as_of(29)]);
    assert!(ok && text.contains("purged 0 tickets"), "{text}");
    let (ok, text) = cli(&app, &["purge", "--as-of", &as_of(400)]);
    assert!(ok && text.contains("purged 1 tickets"), "{text}");
    assert_eq!(
        app.count_rows("tickets").await,
        1,
        "only the open ticket is left"
    );
    assert_eq!(
        app.count_rows("messages").await,
        1,
        "the purged ticket's messages are gone"
    );
    assert_eq!(app.count_rows("tombstones").await, 1);
    assert_eq!(
        app.get(&format!("/api/v1/tickets/{access}")).await.status(),
        404
    );
    let list = json_of(app.agent_get(&token, "/api/v1/agent/tickets").await).await;
    assert_eq!(references(&list), [other]);
    let (ok, text) = cli(&app, &["audit", "verify"]);
    assert!(ok && text.contains("audit chain intact"), "{text}");
}

/// Purge on PostgreSQL leaves nothing recoverable in the cluster's files once the README's
/// VACUUM policy has run: canaries in the stored subject and body of a ticket purged by
/// retention and of one its requester deleted are in the table files and write-ahead log
/// before (so the scan can see them), and nowhere after; an open ticket's text stays.
#[tokio::test]
async fn purge_and_delete_now_leave_no_canary_in_the_clusters_files_after_the_vacuum_policy() {
    let Some(app) = TestApp::spawn_on_own_cluster("postgres_purge_files", |_| {}).await else {
        return;
    };
    // Old segments to recycle, as on a server that has run a while: with `wal_recycle` on,
    // the purged rows would survive in one of them.
    app.churn_write_ahead_log().await;
    let agent = app.add_agent("pam", "l1", &["general"]).await;
    let token = app.api_login(&agent).await;
    // Words the redactor leaves alone, so they are stored as written.
    let canaries = [
        "zpurgecanarysubject",
        "zpurgecanarybody",
        "zdeletecanarysubject",
        "zdeletecanarybody",
    ];
    let kept = "zkeptopenticketmarker";
    let (expiring, _) = app
        .file_in(
            "functionality",
            canaries[0],
            &format!("About {}", canaries[1]),
        )
        .await;
    let (_, deleting) = app
        .file_in(
            "functionality",
            canaries[2],
            &format!("About {}", canaries[3]),
        )
        .await;
    app.file_in("functionality", "Still open", &format!("About {kept}"))
        .await;
    let closed = app
        .agent_post(
            &token,
            &format!("/api/v1/agent/tickets/{expiring}/status"),
            &json!({ "status": "closed" }),
        )
        .await;
    assert_eq!(closed.status(), 200);
    let before = app.stored_files().await;
    for canary in canaries {
        assert!(
            !crate::support::files_containing(&before, canary).is_empty(),
            "{canary} is in the cluster's files before the purge"
        );
    }
    drop(before);

    let deleted = app
        .client
        .delete(app.url(&format!("/api/v1/tickets/{deleting}")))
        .send()
        .await
        .unwrap();
    assert!(deleted.status().is_success(), "{}", deleted.status());
    let (ok, text) = cli(&app, &["purge", "--as-of", &as_of(400)]);
    assert!(ok && text.contains("purged 1 tickets"), "{text}");
    app.compact_after_purge().await;

    let after = app.stored_files().await;
    for canary in canaries {
        let found = crate::support::files_containing(&after, canary);
        assert!(found.is_empty(), "{canary} survived in {found:?}");
    }
    assert!(
        !crate::support::files_containing(&after, kept).is_empty(),
        "the open ticket's text is still where the scan looks"
    );
}

#[tokio::test]
async fn a_requesters_delete_now_removes_every_row_of_the_ticket_on_postgres() {
    let Some(app) = TestApp::spawn_on_postgres("postgres_delete_now", |_| {}).await else {
        return;
    };
    let (_, access, _) = app
        .file_via_api(
            "Close my account",
            "Please delete everything, my phone is +44 20 7946 0958",
            json!({ "contact": "jo@example.org" }),
        )
        .await;
    // Positive control: the sealed contact and the message are stored before the delete.
    assert!(app.count_rows("vault_entries").await > 0);
    assert_eq!(app.count_rows("messages").await, 1);

    let deleted = app
        .client
        .delete(app.url(&format!("/api/v1/tickets/{access}")))
        .send()
        .await
        .unwrap();
    assert!(deleted.status().is_success(), "{}", deleted.status());
    for table in [
        "tickets",
        "messages",
        "vault_entries",
        "ticket_keys",
        "mask_slots",
        "outbox",
    ] {
        assert_eq!(app.count_rows(table).await, 0, "{table} still has rows");
    }
    assert_eq!(app.count_rows("tombstones").await, 1);
    assert_eq!(
        app.get(&format!("/api/v1/tickets/{access}")).await.status(),
        404
    );
}

/// Every request appends to the audit chain; on PostgreSQL the appends of concurrent
/// requests (on different pooled connections) are serialised by the advisory lock, so none
/// fails on a taken sequence number and the chain stays one line.
#[tokio::test]
async fn concurrent_requests_keep_the_audit_chain_linear_on_postgres() {
    let Some(app) = TestApp::spawn_on_postgres("postgres_concurrent_audit", |_| {}).await else {
        return;
    };
    let agent = app.add_agent("cora", "l1", &["general"]).await;
    let token = app.api_login(&agent).await;
    let filings = (0..12).map(|i| {
        let app = &app;
        async move {
            app.post_json(
                "/api/v1/tickets",
                &json!({ "subject": format!("Question {i}"), "body": "How?", "category": "functionality" }),
            )
            .await
            .status()
            .as_u16()
        }
    });
    let reads = (0..12).map(|_| {
        let (app, token) = (&app, &token);
        async move {
            app.agent_get(token, "/api/v1/agent/tickets")
                .await
                .status()
                .as_u16()
        }
    });
    let (filed, read) = tokio::join!(
        futures_util::future::join_all(filings),
        futures_util::future::join_all(reads)
    );
    assert!(filed.iter().all(|s| *s == 201), "{filed:?}");
    assert!(read.iter().all(|s| *s == 200), "{read:?}");
    assert_eq!(app.count_rows("tickets").await, 12);

    let (ok, text) = cli(&app, &["audit", "verify"]);
    assert!(ok && text.contains("audit chain intact"), "{text}");
    let entries = app.count_rows("audit_log").await;
    assert!(entries >= 24, "{entries} entries for 24 audited requests");
    assert!(text.contains(&format!("{entries} entries")), "{text}");
}

/// Two instances behind a load balancer: one database, one set of keys. A session made on
/// one works on the other, each serves tickets filed through the other, and their audit
/// appends interleave into one chain.
#[tokio::test]
async fn two_instances_on_one_database_serve_each_others_tickets_and_keep_one_chain() {
    let Some(a) = TestApp::spawn_on_postgres("postgres_two_instances", |_| {}).await else {
        return;
    };
    let b = a.spawn_beside().await;
    let agent = a.add_agent("ines", "l1", &["general"]).await;
    let token = a.api_login(&agent).await;
    let (reference, access) = a
        .file_in("functionality", "Sync stalls", "Sync stops at 99%.")
        .await;

    let view = b
        .agent_get(&token, &format!("/api/v1/agent/tickets/{reference}"))
        .await;
    assert_eq!(
        view.status(),
        200,
        "a session from one instance works on the other"
    );
    let reply = b
        .agent_post(
            &token,
            &format!("/api/v1/agent/tickets/{reference}/replies"),
            &json!({ "body": "Please restart the app once." }),
        )
        .await;
    assert_eq!(reply.status(), 201);
    let requester = json_of(a.get(&format!("/api/v1/tickets/{access}")).await).await;
    assert_eq!(requester["messages"].as_array().unwrap().len(), 2);

    let filings = (0..10).map(|i| {
        let app = if i % 2 == 0 { &a } else { &b };
        async move {
            app.post_json(
                "/api/v1/tickets",
                &json!({ "subject": format!("Question {i}"), "body": "How?", "category": "functionality" }),
            )
            .await
            .status()
            .as_u16()
        }
    });
    let reads = (0..10).map(|i| {
        let (app, token) = (if i % 2 == 0 { &b } else { &a }, &token);
        async move {
            app.agent_get(token, "/api/v1/agent/tickets")
                .await
                .status()
                .as_u16()
        }
    });
    let (filed, read) = tokio::join!(
        futures_util::future::join_all(filings),
        futures_util::future::join_all(reads)
    );
    assert!(filed.iter().all(|s| *s == 201), "{filed:?}");
    assert!(read.iter().all(|s| *s == 200), "{read:?}");
    assert_eq!(b.count_rows("tickets").await, 11);

    let (ok, text) = cli(&a, &["audit", "verify"]);
    assert!(ok && text.contains("audit chain intact"), "{text}");
    let entries = a.count_rows("audit_log").await;
    assert!(text.contains(&format!("{entries} entries")), "{text}");
}

/// Both instances run the mail job on the same tick: each queued message reaches the relay
/// once, because a run holds the job's claim from reading the queue to marking it sent.
#[tokio::test]
async fn queued_mail_is_sent_once_when_two_instances_deliver_at_the_same_moment() {
    let Some(a) = TestApp::spawn_on_postgres("postgres_mail_once", |_| {}).await else {
        return;
    };
    let b = a.spawn_beside().await;
    let agent = a.add_agent("mona", "l1", &["general"]).await;
    let token = a.api_login(&agent).await;
    queue_replies(&a, &token, 2).await;
    let queued = queue_replies(&b, &token, 2).await;
    assert!(queued >= 4, "{queued} messages queued for four replies");

    let relay = crate::mail_sink::free_addr();
    let sink = crate::mail_sink::start(relay).await;
    let relay_url = format!("smtp://{relay}");
    let now = hushdesk::desk::now_unix();
    let (on_a, on_b) = tokio::join!(
        hushdesk::jobs::deliver_mail(&a.state.system, &relay_url, now),
        hushdesk::jobs::deliver_mail(&b.state.system, &relay_url, now)
    );
    let (on_a, on_b) = (on_a.unwrap(), on_b.unwrap());
    assert_eq!(on_a.failed + on_b.failed, 0);
    assert_eq!(on_a.sent + on_b.sent, queued as u64, "{on_a:?} {on_b:?}");
    assert_eq!(sink.captured.lock().unwrap().len(), queued as usize);
    assert_eq!(a.count_rows("outbox").await, 0);
}

/// Files tickets with a sealed contact and a key on `app` and answers each, so that a reply
/// to each waits in the mail queue; returns how many messages are queued.
async fn queue_replies(app: &TestApp, token: &str, count: usize) -> i64 {
    let jo = crate::mail_support::Person::new("jo@example.org");
    for i in 0..count {
        let (reference, _, _) = app
            .file_via_api(
                &format!("Question {i}"),
                "How do I export?",
                json!({ "contact": "jo@example.org", "pgp_key": jo.public_armored() }),
            )
            .await;
        let reply = app
            .agent_post(
                token,
                &format!("/api/v1/agent/tickets/{reference}/replies"),
                &json!({ "body": "Settings, then Export." }),
            )
            .await;
        assert_eq!(reply.status(), 201);
    }
    app.count_rows("outbox").await
}

/// A second instance, the real binary, runs its mail job against a relay that never answers
/// and is killed (SIGKILL) mid-send: while it lives, the other instance's run finds the job
/// taken and sends nothing; once it is dead, its lock is gone with its connection, and the
/// other instance sends the rest of the queue at once, and the message the dead one was
/// sending (leased to it) once its lease has run out: each exactly once.
#[tokio::test]
async fn a_killed_instances_mail_run_is_picked_up_by_another() {
    let Some(a) = TestApp::spawn_on_postgres("postgres_killed_instance", |_| {}).await else {
        return;
    };
    let agent = a.add_agent("kai", "l1", &["general"]).await;
    let token = a.api_login(&agent).await;
    let queued = queue_replies(&a, &token, 2).await;
    assert!(queued >= 2, "{queued} messages queued for two replies");

    let stalling = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let stalling_addr = stalling.local_addr().unwrap();
    let listen = crate::mail_sink::free_addr();
    let mut b = Command::new(BIN)
        .arg("serve")
        .env_clear()
        .env("HUSHDESK_DATA_DIR", &a.data_dir)
        .env("HUSHDESK_DATABASE_URL", a.postgres_url.as_deref().unwrap())
        .env("HUSHDESK_LISTEN", listen.to_string())
        .env(
            "HUSHDESK_SMTP_LISTEN",
            crate::mail_sink::free_addr().to_string(),
        )
        .env("HUSHDESK_SMTP_RELAY", format!("smtp://{stalling_addr}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // The mail job runs every 15 seconds: wait for it to reach the relay and hang there.
    let accepted =
        tokio::time::timeout(std::time::Duration::from_secs(40), stalling.accept()).await;
    let Ok(Ok((_held_open, _))) = accepted else {
        b.kill().unwrap();
        panic!("the second instance's mail job never reached its relay");
    };

    let sink_addr = crate::mail_sink::free_addr();
    let sink = crate::mail_sink::start(sink_addr).await;
    let relay = format!("smtp://{sink_addr}");
    let now = hushdesk::desk::now_unix();
    let meanwhile = hushdesk::jobs::deliver_mail(&a.state.system, &relay, now)
        .await
        .unwrap();
    assert_eq!(
        meanwhile.sent, 0,
        "the job is taken while the other instance runs it"
    );
    assert!(sink.captured.lock().unwrap().is_empty());

    b.kill().unwrap();
    b.wait().unwrap();
    let mut sent = 0;
    for _ in 0..50 {
        sent += hushdesk::jobs::deliver_mail(&a.state.system, &relay, now)
            .await
            .unwrap()
            .sent;
        if sent > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        sent,
        queued as u64 - 1,
        "all but the one the dead instance held"
    );
    assert_eq!(a.count_rows("outbox").await, 1);
    let again = hushdesk::jobs::deliver_mail(&a.state.system, &relay, now)
        .await
        .unwrap();
    assert_eq!(again.sent, 0, "still leased to the dead instance");

    let lease_over = now + hushdesk::desk::MAIL_LEASE_SECONDS;
    let late = hushdesk::jobs::deliver_mail(&a.state.system, &relay, lease_over)
        .await
        .unwrap();
    assert_eq!(late.sent, 1, "picked up once its lease ran out");
    assert_eq!(sink.captured.lock().unwrap().len(), queued as usize);
    assert_eq!(a.count_rows("outbox").await, 0);
}

/// One `hushdesk serve` process on a database and data directory; killed when dropped.
struct Instance {
    child: std::process::Child,
    base: String,
}

impl Instance {
    async fn start(data_dir: &std::path::Path, database_url: &str, relay: &str) -> Instance {
        let listen = crate::mail_sink::free_addr();
        // All test traffic comes from one address: lift the per-network budgets (counted
        // per instance) so that only the kill refuses requests. The SLA job every second,
        // so that all three run it on many ticks during the test.
        let config = data_dir.with_file_name("hushdesk.toml");
        std::fs::write(
            &config,
            "[rate_limit]\ntickets_burst = 1000\nrequests_burst = 1000\n\
             [sla]\nschedule = \"* * * * * *\"\n",
        )
        .unwrap();
        let child = Command::new(BIN)
            .arg("serve")
            .env_clear()
            .env("HUSHDESK_CONFIG", &config)
            .env("HUSHDESK_DATA_DIR", data_dir)
            .env("HUSHDESK_DATABASE_URL", database_url)
            .env("HUSHDESK_LISTEN", listen.to_string())
            .env(
                "HUSHDESK_SMTP_LISTEN",
                crate::mail_sink::free_addr().to_string(),
            )
            .env("HUSHDESK_SMTP_RELAY", relay)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let instance = Instance {
            child,
            base: format!("http://{listen}"),
        };
        for _ in 0..200 {
            if let Ok(response) = reqwest::get(format!("{}/healthz", instance.base)).await
                && response.status() == 200
            {
                return instance;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("an instance did not come up on {}", instance.base);
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Files one ticket on `base`; the reference when the instance acknowledged it.
async fn file_on(client: &reqwest::Client, base: &str, i: usize) -> Option<String> {
    let response = client
        .post(format!("{base}/api/v1/tickets"))
        .json(&json!({ "subject": format!("Spread {i}"), "body": "Where is my order?", "category": "functionality" }))
        .send()
        .await
        .ok()?;
    if response.status() != 201 {
        return None;
    }
    let body: Value = response.json().await.ok()?;
    Some(body["reference"].as_str()?.to_owned())
}

/// Three processes on one database behind a (simulated) load balancer, one killed while
/// requests are in flight: every acknowledged ticket is stored exactly once, nothing is
/// stored twice, and the audit chain written by all three verifies. Every instance runs the
/// scheduled jobs (the SLA job each second, the mail job every 15 s), yet each reply reaches
/// the relay exactly once and a missed SLA target is recorded once.
#[tokio::test]
async fn three_instances_one_killed_mid_run_lose_and_duplicate_nothing() {
    let Some(server) = crate::throwaway::TestPostgres::shared("postgres_three_instances").unwrap()
    else {
        return;
    };
    let database = server.fresh_database().await.unwrap();
    let data = tempfile::tempdir().unwrap();
    let data_dir = data.path().join("data");
    // One process creates the keys; the instances then share them, as deployments copy them.
    let migrated = Command::new(BIN)
        .arg("migrate")
        .env_clear()
        .env("HUSHDESK_DATA_DIR", &data_dir)
        .env("HUSHDESK_DATABASE_URL", &database.url)
        .output()
        .unwrap();
    assert!(migrated.status.success(), "{migrated:?}");
    let added = Command::new(BIN)
        .args([
            "agent", "add", "--name", "nia", "--role", "l1", "--queue", "general",
        ])
        .env_clear()
        .env("HUSHDESK_DATA_DIR", &data_dir)
        .env("HUSHDESK_DATABASE_URL", &database.url)
        .output()
        .unwrap();
    assert!(added.status.success(), "{added:?}");
    let password = String::from_utf8(added.stdout).unwrap();
    let password = password.lines().next().unwrap().to_owned();
    let relay_addr = crate::mail_sink::free_addr();
    let relay = crate::mail_sink::start(relay_addr).await;
    let relay_url = format!("smtp://{relay_addr}");
    let mut instances = [
        Instance::start(&data_dir, &database.url, &relay_url).await,
        Instance::start(&data_dir, &database.url, &relay_url).await,
        Instance::start(&data_dir, &database.url, &relay_url).await,
    ];
    let client = reqwest::Client::new();
    let bases: Vec<String> = instances.iter().map(|i| i.base.clone()).collect();

    let first = (0..15).map(|i| file_on(&client, &bases[i % 3], i));
    let mut acknowledged: Vec<String> = futures_util::future::join_all(first)
        .await
        .into_iter()
        .flatten()
        .collect();
    assert_eq!(acknowledged.len(), 15, "all three instances serve");

    let second =
        futures_util::future::join_all((15..45).map(|i| file_on(&client, &bases[i % 3], i)));
    let kill_one = async {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        instances[2].kill();
    };
    let (second, ()) = tokio::join!(second, kill_one);
    let refused = second.iter().filter(|r| r.is_none()).count();
    acknowledged.extend(second.into_iter().flatten());
    assert!(refused > 0, "the killed instance dropped some requests");
    // The survivors keep serving.
    for (i, base) in bases.iter().take(2).enumerate() {
        acknowledged.push(file_on(&client, base, 100 + i).await.unwrap());
    }

    let pool = sqlx::PgPool::connect(&database.url).await.unwrap();
    let stored: Vec<String> = sqlx::query_scalar("select reference from tickets")
        .fetch_all(&pool)
        .await
        .unwrap();
    pool.close().await;
    let distinct: std::collections::HashSet<&String> = stored.iter().collect();
    assert_eq!(distinct.len(), stored.len(), "a ticket stored twice");
    for reference in &acknowledged {
        assert!(
            distinct.contains(reference),
            "{reference} was acknowledged but lost"
        );
    }
    // A request the dead instance committed but could not answer is stored, not lost.
    assert!(stored.len() <= acknowledged.len() + refused);

    // The survivors' jobs: answers to four requesters, each mailed once however many
    // instances run the mail job, and one missed first response, recorded once.
    let login = client
        .post(format!("{}/api/v1/agent/login", bases[0]))
        .json(&json!({ "name": "nia", "password": password }))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let token: Value = login.json().await.unwrap();
    let token = token["token"].as_str().unwrap().to_owned();
    let contacts: Vec<String> = (0..4)
        .map(|i| format!("requester{i}@example.org"))
        .collect();
    for (i, contact) in contacts.iter().enumerate() {
        let base = &bases[i % 2];
        let filed: Value = client
            .post(format!("{base}/api/v1/tickets"))
            .json(&json!({ "subject": "Mail me", "body": "Where is my order?", "category": "functionality", "contact": contact }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let reference = filed["reference"].as_str().unwrap();
        let replied = client
            .post(format!(
                "{}/api/v1/agent/tickets/{reference}/replies",
                bases[(i + 1) % 2]
            ))
            .bearer_auth(&token)
            .json(&json!({ "body": "It is on its way." }))
            .send()
            .await
            .unwrap();
        assert_eq!(replied.status(), 201);
    }
    let late = &acknowledged[0];
    let pool = sqlx::PgPool::connect(&database.url).await.unwrap();
    // Its first response fell due an hour ago: the past arranged in the database itself.
    sqlx::query("update tickets set first_response_due = $2 where reference = $1")
        .bind(late)
        .bind(hushdesk::desk::now_unix() - 3600)
        .execute(&pool)
        .await
        .unwrap();
    let outbox_empty = async {
        loop {
            let left: i64 = sqlx::query_scalar("select count(*) from outbox")
                .fetch_one(&pool)
                .await
                .unwrap();
            if left == 0 {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(60), outbox_empty)
        .await
        .expect("the queued replies were not sent within four mail ticks");
    // A few more SLA ticks on both survivors, and time for any second send to land.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let delivered: Vec<String> = relay
        .captured
        .lock()
        .unwrap()
        .iter()
        .flat_map(|m| m.recipients.clone())
        .collect();
    for contact in &contacts {
        let times = delivered.iter().filter(|r| *r == contact).count();
        assert_eq!(
            times, 1,
            "{contact} was mailed {times} times: {delivered:?}"
        );
    }
    assert_eq!(delivered.len(), contacts.len(), "{delivered:?}");
    let missed: i64 = sqlx::query_scalar(
        "select count(*) from audit_log where action = 'sla_first_response_missed' and reference = $1",
    )
    .bind(late)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        missed, 1,
        "the missed target of {late} recorded {missed} times"
    );
    pool.close().await;

    let verified = Command::new(BIN)
        .args(["audit", "verify"])
        .env_clear()
        .env("HUSHDESK_DATA_DIR", &data_dir)
        .env("HUSHDESK_DATABASE_URL", &database.url)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&verified.stdout);
    assert!(
        verified.status.success() && text.contains("audit chain intact"),
        "{verified:?}"
    );
}

/// The statements spelled per engine or cast for PostgreSQL: the admin's agent list (queues
/// aggregated, flags as booleans), the privacy metrics (sums and means), and the probe
/// counter behind a failed lookup (a `substr` with a bound length).
#[tokio::test]
async fn admin_agent_list_metrics_and_failed_lookups_read_the_same_on_postgres() {
    let Some(app) =
        TestApp::spawn_on_postgres("postgres_admin_metrics", |c| c.metrics_public = true).await
    else {
        return;
    };
    let admin = app.add_agent("root", "admin", &[]).await;
    let lena = app.add_agent("lena", "l1", &["general", "billing"]).await;

    let session = app.html_login(&admin).await;
    let page = app.html_get(&session, "/admin/agents").await;
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    let row = crate::support::extract_between(&page, ">lena</a></td>", "</tr>").unwrap();
    assert!(row.contains("billing") && row.contains("general"), "{row}");
    assert!(
        row.contains("<td>no</td>") && row.contains("active"),
        "{row}"
    );
    let row = crate::support::extract_between(&page, ">root</a></td>", "</tr>").unwrap();
    assert!(row.contains("<td>yes</td>"), "{row}");

    let (_, access, filed) = app
        .file_via_api(
            "Card",
            "Charged twice on 4111 1111 1111 1111, write to jo@example.org",
            json!({}),
        )
        .await;
    let masked: i64 = filed["redactions"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_i64().unwrap())
        .sum();
    assert!(masked >= 2, "{filed}");
    let deleted = app
        .client
        .delete(app.url(&format!("/api/v1/tickets/{access}")))
        .send()
        .await
        .unwrap();
    assert!(deleted.status().is_success());
    let metrics = app.get("/metrics").await;
    assert_eq!(metrics.status(), 200);
    let text = metrics.text().await.unwrap();
    assert!(
        text.contains("hushdesk_tickets_deleted_on_request_total 1"),
        "{text}"
    );
    assert!(
        text.contains(&format!("hushdesk_redactions_per_ticket {masked}.00")),
        "{text}"
    );

    let token = app.api_login(&lena).await;
    for _ in 0..2 {
        let miss = app
            .agent_get(&token, "/api/v1/agent/tickets/HD-ZZZZ9999")
            .await;
        assert_eq!(miss.status(), 404);
    }
    let (ok, text) = cli(&app, &["audit", "verify"]);
    assert!(ok && text.contains("audit chain intact"), "{text}");
}

/// `hushdesk migrate` with a `postgres://` URL applies the PostgreSQL migration set to an
/// empty database (and again, changing nothing); the data directory gets keys, no SQLite file.
#[tokio::test]
async fn migrate_prepares_an_empty_postgres_database_and_makes_no_sqlite_file() {
    let Some(server) = crate::throwaway::TestPostgres::shared("postgres_migrate").unwrap() else {
        return;
    };
    let database = server.fresh_database().await.unwrap();
    let data = tempfile::tempdir().unwrap();
    let migrate = || {
        Command::new(BIN)
            .arg("migrate")
            .env_clear()
            .env("HUSHDESK_DATA_DIR", data.path())
            .env("HUSHDESK_DATABASE_URL", &database.url)
            .output()
            .unwrap()
    };
    for run in ["first", "second"] {
        let output = migrate();
        assert!(output.status.success(), "{run} run: {output:?}");
    }
    let pool = sqlx::PgPool::connect(&database.url).await.unwrap();
    let applied: i64 = sqlx::query_scalar("select count(*) from _sqlx_migrations where success")
        .fetch_one(&pool)
        .await
        .unwrap();
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "sql")
        })
        .count();
    assert_eq!(applied, files as i64);
    let tickets_table: i64 = sqlx::query_scalar(
        "select count(*) from information_schema.tables where table_name = 'tickets'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(tickets_table, 1);
    pool.close().await;
    assert!(data.path().join("keys").is_dir());
    assert!(!data.path().join("hushdesk.db").exists());

    // Any other scheme is refused, and the refusal does not echo a password.
    let refused = Command::new(BIN)
        .arg("migrate")
        .env_clear()
        .env("HUSHDESK_DATA_DIR", data.path())
        .env("HUSHDESK_DATABASE_URL", "mysql://desk:hunter2@db/hushdesk")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        !refused.status.success() && stderr.contains("database_url"),
        "{stderr}"
    );
    assert!(!stderr.contains("hunter2"), "{stderr}");
}

/// Not a check: times agent requests on SQLite, for comparing the store before and after a
/// change (`cargo test --test api sqlite_request_timing -- --ignored --nocapture`).
#[tokio::test]
#[ignore]
async fn sqlite_request_timing() {
    let app = TestApp::spawn().await;
    let agent = app.add_agent("tim", "l1", &["general"]).await;
    let token = app.api_login(&agent).await;
    let (reference, _) = app
        .file_in("functionality", "Timing", "How long does a read take?")
        .await;
    let path = format!("/api/v1/agent/tickets/{reference}");
    for _ in 0..20 {
        assert_eq!(app.agent_get(&token, &path).await.status(), 200);
    }
    for (what, path) in [("open", path.as_str()), ("list", "/api/v1/agent/tickets")] {
        let started = std::time::Instant::now();
        for _ in 0..300 {
            assert_eq!(app.agent_get(&token, path).await.status(), 200);
        }
        let per = started.elapsed().as_secs_f64() * 1000.0 / 300.0;
        println!("TIMING {what}: {per:.3} ms per request");
    }
}
