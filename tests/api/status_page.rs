//! The status page through the real router: posting (admins, and agents only with the
//! incident grant), the public page and its Atom feed read by an independent parser, every
//! update's clear-signed copy checked by GnuPG, and notices mailed once to the requesters of
//! open tickets in the categories an incident touches.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::json;

use crate::mail_support::Person;
use crate::support::{HtmlSession, Param, TestApp, extract_between, files_containing};

/// Posts a staff form and expects the redirect back to the status desk; returns where to.
async fn post(app: &TestApp, session: &HtmlSession, path: &str, fields: &[(&str, &str)]) -> String {
    let response = app.html_post(session, path, fields).await;
    assert_eq!(
        response.status(),
        303,
        "{path}: {}",
        response.text().await.unwrap()
    );
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// The status desk's fresh form key, as the page hands it out.
async fn form_key(app: &TestApp, session: &HtmlSession) -> String {
    let page = app
        .html_get(session, "/agent/status")
        .await
        .text()
        .await
        .unwrap();
    let form = &page[page.find("id=\"open-incident\"").unwrap()..];
    extract_between(form, "name=\"form_key\" value=\"", "-new\"")
        .unwrap()
        .to_owned()
}

async fn audit_actions(app: &TestApp) -> Vec<String> {
    app.query_values::<String>("select action from audit_log order by seq", &[])
        .await
}

/// Opens an incident touching `web` and the `outage` category; returns its id.
async fn open_incident(app: &TestApp, session: &HtmlSession, text: &str, mail: bool) -> i64 {
    post(
        app,
        session,
        "/agent/status/components",
        &[("name", "Web app")],
    )
    .await;
    let component = app
        .query_values::<i64>(
            "select id from status_components where name = 'Web app'",
            &[],
        )
        .await[0]
        .to_string();
    let key = format!("{}-new", form_key(app, session).await);
    let mut fields = vec![
        // A zero-width space and a line separator: what a reader sees, with neither hidden
        // text nor a line break of its own.
        ("title", "Sign-in\u{200B} fails\u{2028}for some people"),
        ("component", component.as_str()),
        ("category", "outage"),
        ("state", "investigating"),
        ("text", text),
        ("form_key", key.as_str()),
    ];
    if mail {
        fields.push(("mail", "1"));
    }
    let to = post(app, session, "/agent/status/incidents", &fields).await;
    assert!(to.contains("update=1"), "{to}");
    extract_between(&format!("{to}&"), "incident=", "&")
        .unwrap()
        .parse()
        .unwrap()
}

fn gpg(home: &std::path::Path, args: &[&str], input: &[u8]) -> std::process::Output {
    let mut child = Command::new("gpg")
        .arg("--homedir")
        .arg(home)
        .args(["--batch", "--status-fd", "1"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("gpg runs");
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

/// The feed as Python's own XML parser reads it: entry titles and contents.
fn python_reads_feed(xml: &str) -> Vec<(String, String)> {
    let script = r#"
import sys, xml.etree.ElementTree as ET
A = '{http://www.w3.org/2005/Atom}'
root = ET.fromstring(sys.stdin.buffer.read())
assert root.tag == A + 'feed', root.tag
for need in ('id', 'title', 'updated'):
    assert root.find(A + need) is not None, need
for e in root.findall(A + 'entry'):
    for need in ('id', 'title', 'updated'):
        assert e.find(A + need) is not None, need
    print(e.find(A + 'title').text.replace('\n', ' ') + '\t' + e.find(A + 'content').text.replace('\n', ' '))
"#;
    let mut child = Command::new("python3")
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(xml.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let (title, content) = l.split_once('\t').unwrap();
            (title.to_owned(), content.to_owned())
        })
        .collect()
}

/// A public status response: no cookie, no script, nothing from elsewhere.
fn assert_plain_public(response: &reqwest::Response) {
    assert!(response.headers().get("set-cookie").is_none());
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap();
    assert!(csp.contains("script-src 'none'"), "{csp}");
}

fn assert_plain_page(page: &str) {
    assert!(!page.contains("<script"), "{page}");
    for attr in ["src=\"http", "href=\"http", "src=\"//", "href=\"//"] {
        assert!(!page.contains(attr), "{attr} in {page}");
    }
}

#[tokio::test]
async fn an_admins_update_shows_on_the_page_and_feed_and_its_signed_copy_verifies() {
    let app = TestApp::spawn().await;
    let ada = app.add_agent("ada", "admin", &[]).await;
    let session = app.html_login(&ada).await;

    // Positive control for the listing: nothing open before.
    let before = app.get("/status").await.text().await.unwrap();
    assert!(!before.contains("Sign-in fails"));

    let id = open_incident(
        &app,
        &session,
        "We are looking into failed sign-ins.",
        false,
    )
    .await;
    let key = form_key(&app, &session).await;
    let update_key = format!("{key}-{id}");
    let to = post(
        &app,
        &session,
        &format!("/agent/status/incidents/{id}/updates"),
        &[
            ("state", "identified"),
            (
                "text",
                // A right-to-left override would show the notice in another order.
                "A certificate expired; a new one is being rolled \u{202E}\u{E0041}out.",
            ),
            ("form_key", update_key.as_str()),
        ],
    )
    .await;
    assert!(to.contains("update=2"), "{to}");

    let response = app.get("/status").await;
    assert_eq!(response.status(), 200);
    assert_plain_public(&response);
    let page = response.text().await.unwrap();
    assert_plain_page(&page);
    assert!(page.contains("Sign-in fails for some people"), "{page}");
    let newer = page.find("A certificate expired").unwrap();
    let older = page.find("We are looking into failed sign-ins.").unwrap();
    assert!(newer < older, "updates are listed newest first");
    assert!(page.contains(&format!("/status/incidents/{id}/updates/2.asc")));
    assert!(page.contains(&app.state.desk.helpdesk_fingerprint()));
    assert!(page.contains("being rolled out."), "{page}");
    assert!(!page.contains('\u{202E}'));
    let russian = app.get("/status?lang=ru").await.text().await.unwrap();
    assert!(russian.contains("<html lang=\"ru\">") && russian.contains("Причина найдена"));
    let single = app.get(&format!("/status/incidents/{id}")).await;
    assert_plain_public(&single);
    assert!(
        single
            .text()
            .await
            .unwrap()
            .contains("A certificate expired")
    );

    let feed = app.get("/status/feed.atom").await;
    assert_eq!(feed.status(), 200);
    assert!(
        feed.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/atom+xml")
    );
    let entries = python_reads_feed(&feed.text().await.unwrap());
    assert_eq!(entries.len(), 2, "{entries:?}");
    assert!(
        entries[0].1.contains("A certificate expired"),
        "{entries:?}"
    );
    assert!(entries[0].0.contains("Sign-in fails"), "{entries:?}");

    let signed = app
        .get(&format!("/status/incidents/{id}/updates/2.asc"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        signed.starts_with("-----BEGIN PGP SIGNED MESSAGE-----"),
        "{signed}"
    );
    for part in [
        "support@localhost",
        &format!("Incident {id}: Sign-in fails for some people"),
        "Update 2",
        "State: Identified",
        "Time: ",
        "A certificate expired",
        "being rolled out.",
    ] {
        assert!(signed.contains(part), "{part} missing from {signed}");
    }
    for hidden in ['\u{202E}', '\u{200B}', '\u{2028}', '\u{E0041}'] {
        assert!(!signed.contains(hidden), "{hidden:?} in {signed}");
    }
    let home = tempfile::tempdir().unwrap();
    let key = app.get("/status/key.asc").await.bytes().await.unwrap();
    assert!(gpg(home.path(), &["--import"], &key).status.success());
    let verified = gpg(home.path(), &["--verify"], signed.as_bytes());
    let status = String::from_utf8_lossy(&verified.stdout);
    assert!(verified.status.success(), "{status}");
    assert!(status.contains("GOODSIG"), "{status}");
    let tampered = signed.replace("State: Identified", "State: Resolved");
    assert_ne!(tampered, signed);
    assert!(
        !gpg(home.path(), &["--verify"], tampered.as_bytes())
            .status
            .success()
    );

    // Resolved with a post-mortem: signed with the update, shown as text, never as markup.
    let resolve_key = format!("{}-{id}", form_key(&app, &session).await);
    let postmortem = "The certificate was not renewed.\n\nRenewal now <b>alerts</b> a week before.";
    post(
        &app,
        &session,
        &format!("/agent/status/incidents/{id}/updates"),
        &[
            ("state", "resolved"),
            ("text", "Sign-in works again."),
            ("postmortem", postmortem),
            ("form_key", resolve_key.as_str()),
        ],
    )
    .await;
    let page = app.get("/status").await.text().await.unwrap();
    let resolved = &page[page.find("id=\"resolved-incidents\"").unwrap()..];
    assert!(
        resolved.contains("Sign-in fails for some people"),
        "{resolved}"
    );
    assert!(
        resolved.contains("Renewal now &#60;b&#62;alerts&#60;/b&#62; a week before."),
        "{resolved}"
    );
    assert!(!page.contains("<b>alerts"), "{page}");
    let open = &page[..page.find("id=\"resolved-incidents\"").unwrap()];
    assert!(!open.contains("Sign-in fails"), "{open}");
    let last = app
        .get(&format!("/status/incidents/{id}/updates/3.asc"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        last.contains("State: Resolved") && last.contains("Post-mortem:"),
        "{last}"
    );
    assert!(last.contains("Renewal now <b>alerts</b>"), "{last}");
    assert!(
        gpg(home.path(), &["--verify"], last.as_bytes())
            .status
            .success()
    );
    let closed = app
        .html_post(
            &session,
            &format!("/agent/status/incidents/{id}/updates"),
            &[
                ("state", "monitoring"),
                ("text", "More."),
                ("form_key", "another"),
            ],
        )
        .await;
    assert_eq!(
        closed.status(),
        409,
        "a resolved incident takes no more updates"
    );

    assert_eq!(
        app.get(&format!("/status/incidents/{id}/updates/4.asc"))
            .await
            .status(),
        404
    );
    let actions = audit_actions(&app).await;
    for action in [
        "component_added",
        "incident_opened",
        "incident_updated",
        "incident_resolved",
    ] {
        assert!(actions.iter().any(|a| a == action), "{action}: {actions:?}");
    }
}

#[tokio::test]
async fn an_agent_posts_only_while_holding_the_incident_grant() {
    let app = TestApp::spawn().await;
    let ada = app.add_agent("ada", "admin", &[]).await;
    let lev = app.add_agent("lev", "l1", &["general"]).await;
    let admin = app.html_login(&ada).await;
    let agent = app.html_login(&lev).await;

    assert_eq!(app.html_get(&agent, "/agent/status").await.status(), 404);
    let refused = app
        .html_post(
            &agent,
            "/agent/status/components",
            &[("name", "Mail intake")],
        )
        .await;
    assert_eq!(refused.status(), 404);
    assert_eq!(app.count_rows("status_components").await, 0);

    post(
        &app,
        &admin,
        "/admin/status/posters",
        &[("name", "lev"), ("grant", "1")],
    )
    .await;
    assert_eq!(app.html_get(&agent, "/agent/status").await.status(), 200);
    let desk = app
        .html_get(&admin, "/agent/status")
        .await
        .text()
        .await
        .unwrap();
    let posters = &desk[desk.find("id=\"posters-heading\"").unwrap()..];
    assert!(posters.contains("<td>lev</td>"), "{posters}");
    let views = app
        .query_values::<String>(
            "select detail from audit_log where action = 'admin_view' order by seq",
            &[],
        )
        .await;
    assert!(
        views.iter().any(|d| d == "page=incident_posters rows=1"),
        "{views:?}"
    );
    post(
        &app,
        &agent,
        "/agent/status/components",
        &[("name", "Mail intake")],
    )
    .await;
    assert_eq!(app.count_rows("status_components").await, 1);
    // An agent cannot hand the grant on.
    let handed = app
        .html_post(
            &agent,
            "/admin/status/posters",
            &[("name", "lev"), ("grant", "1")],
        )
        .await;
    assert_eq!(handed.status(), 404);

    post(
        &app,
        &admin,
        "/admin/status/posters",
        &[("name", "lev"), ("grant", "0")],
    )
    .await;
    assert_eq!(app.html_get(&agent, "/agent/status").await.status(), 404);
    let again = app
        .html_post(&agent, "/agent/status/components", &[("name", "Web app")])
        .await;
    assert_eq!(again.status(), 404);
    assert_eq!(app.count_rows("status_components").await, 1);

    let actions = audit_actions(&app).await;
    for action in [
        "incident_grant_added",
        "incident_grant_removed",
        "component_added",
    ] {
        assert!(actions.iter().any(|a| a == action), "{action}: {actions:?}");
    }
}

#[tokio::test]
async fn a_notice_is_mailed_once_to_open_tickets_in_the_touched_category_encrypted_where_pinned() {
    let app = TestApp::spawn().await;
    let ada = app.add_agent("ada", "admin", &[]).await;
    let session = app.html_login(&ada).await;
    let jo = Person::new("jo@example.org");
    let file = |subject: &'static str, extra: serde_json::Value| {
        let app = &app;
        async move {
            app.file_via_api(subject, "It does not work.", extra)
                .await
                .0
        }
    };
    file(
        "Plain",
        json!({ "category": "outage", "contact": "amy@example.org" }),
    )
    .await;
    file(
        "Encrypted",
        json!({ "category": "outage", "contact": "jo@example.org", "pgp_key": jo.public_armored() }),
    )
    .await;
    let closed = file(
        "Closed",
        json!({ "category": "outage", "contact": "cal@example.org" }),
    )
    .await;
    file(
        "Billing",
        json!({ "category": "billing", "contact": "bo@example.org" }),
    )
    .await;
    file("Anonymous", json!({ "category": "outage" })).await;
    app.execute_sql(
        "update tickets set status = 'closed' where reference = $1",
        &[Param::Text(&closed)],
    )
    .await;
    assert_eq!(app.count_rows("outbox").await, 0);

    let id = open_incident(&app, &session, "Mail intake is delayed.", false).await;
    assert_eq!(app.count_rows("outbox").await, 0, "no mail unless asked");
    let key = format!("{}-{id}", form_key(&app, &session).await);
    let fields = [
        ("state", "monitoring"),
        ("text", "Mail is flowing again; we keep watching."),
        ("form_key", key.as_str()),
        ("mail", "1"),
    ];
    let path = format!("/agent/status/incidents/{id}/updates");
    let to = post(&app, &session, &path, &fields).await;
    assert!(to.contains("notices=2"), "{to}");
    assert_eq!(app.count_rows("outbox").await, 2);
    let shown = app.html_get(&session, &to).await.text().await.unwrap();
    assert!(shown.contains("id=\"notices-queued\">2 notices"), "{shown}");
    assert!(!shown.contains("amy@example.org") && !shown.contains("jo@example.org"));

    // The same form sent again posts nothing and mails nobody twice.
    let again = post(&app, &session, &path, &fields).await;
    assert_eq!(again, to);
    assert_eq!(app.count_rows("outbox").await, 2);
    assert_eq!(app.count_rows("incident_updates").await, 2);

    let relay = crate::mail_sink::free_addr();
    let sink = crate::mail_sink::start(relay).await;
    let report = hushdesk::jobs::deliver_mail(
        &app.state.system,
        &format!("smtp://{relay}"),
        hushdesk::desk::now_unix(),
    )
    .await
    .unwrap();
    assert_eq!((report.sent, report.failed), (2, 0));
    let captured = sink.captured.lock().unwrap().clone();
    let mut recipients: Vec<&str> = captured
        .iter()
        .flat_map(|m| m.recipients.iter().map(String::as_str))
        .collect();
    recipients.sort();
    assert_eq!(recipients, ["amy@example.org", "jo@example.org"]);
    for mail in &captured {
        let raw = String::from_utf8_lossy(&mail.data);
        if mail.recipients[0] == "jo@example.org" {
            assert!(
                !raw.contains("Mail is flowing again"),
                "encrypted in transit"
            );
            let inner = String::from_utf8(jo.decrypt(&encrypted_payload(&mail.data))).unwrap();
            assert!(
                inner.contains("-----BEGIN PGP SIGNED MESSAGE-----"),
                "{inner}"
            );
            assert!(inner.contains("Mail is flowing again"), "{inner}");
        } else {
            assert!(raw.contains("BEGIN PGP SIGNED MESSAGE"), "{raw}");
            assert!(raw.contains("Mail is flowing again"), "{raw}");
        }
    }
    assert!(
        audit_actions(&app)
            .await
            .iter()
            .any(|a| a == "incident_notices_claimed")
    );
}

/// The one part of a PGP/MIME message that holds the ciphertext.
fn encrypted_payload(raw: &[u8]) -> Vec<u8> {
    use mail_parser::MimeHeaders;
    let message = mail_parser::MessageParser::default().parse(raw).unwrap();
    message
        .parts
        .iter()
        .find(|p| p.is_content_type("application", "octet-stream"))
        .unwrap()
        .contents()
        .to_vec()
}

/// A running binary, killed when the test ends however it ends.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test]
async fn the_binary_serves_the_status_page_alone_on_status_listen() {
    let dir = tempfile::tempdir().unwrap();
    let (main, status) = (free_port(), free_port());
    let _running = Running(
        Command::new(env!("CARGO_BIN_EXE_hushdesk"))
            .current_dir(dir.path())
            .env_clear()
            .env("HUSHDESK_LISTEN", format!("127.0.0.1:{main}"))
            .env("HUSHDESK_SMTP_LISTEN", "127.0.0.1:0")
            .args(["serve", "--status-listen", &format!("127.0.0.1:{status}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let url = |port: u16, path: &str| format!("http://127.0.0.1:{port}{path}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        if let Ok(r) = reqwest::get(url(status, "/healthz")).await
            && r.status() == 200
        {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no status listener");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let page = reqwest::get(url(status, "/status")).await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.headers().get("set-cookie").is_none());
    assert!(page.text().await.unwrap().contains("id=\"open-incidents\""));
    for path in ["/status/feed.atom", "/status/key.asc", "/static/style.css"] {
        assert_eq!(
            reqwest::get(url(status, path)).await.unwrap().status(),
            200,
            "{path}"
        );
    }
    // The desk's own pages answer on the main listener (positive control) and not here.
    for path in ["/", "/agent/login", "/admin", "/new", "/pgp-key.asc"] {
        let here = reqwest::get(url(status, path)).await.unwrap().status();
        assert_eq!(here, 404, "{path} on the status listener");
    }
    for path in ["/", "/agent/login", "/status"] {
        assert_eq!(
            reqwest::get(url(main, path)).await.unwrap().status(),
            200,
            "{path}"
        );
    }
    let filed = reqwest::Client::new()
        .post(url(status, "/api/v1/tickets"))
        .json(&json!({ "subject": "s", "body": "b", "category": "outage" }))
        .send()
        .await
        .unwrap();
    assert_eq!(filed.status(), 404);
}

#[tokio::test]
async fn personal_data_typed_into_a_notice_is_masked_everywhere_it_goes() {
    let app = TestApp::spawn().await;
    let ada = app.add_agent("ada", "admin", &[]).await;
    let session = app.html_login(&ada).await;
    // A pasted customer address: masked before it is stored, so neither the public page,
    // the feed, the signed copy nor the database files hold it.
    let id = open_incident(
        &app,
        &session,
        "Customer zstatus.canary@example.org reported failed sign-ins.",
        false,
    )
    .await;
    let mut shown = String::new();
    for path in [
        "/status".to_owned(),
        format!("/status/incidents/{id}"),
        "/status/feed.atom".to_owned(),
        format!("/status/incidents/{id}/updates/1.asc"),
    ] {
        let response = app.get(&path).await;
        assert_eq!(response.status(), 200, "{path}");
        let text = response.text().await.unwrap();
        assert!(!text.contains("zstatus.canary"), "{path}: {text}");
        shown.push_str(&text);
    }
    // Positive control: the update itself is there, with the mask in place of the address.
    assert!(shown.contains("reported failed sign-ins"), "{shown}");
    assert!(shown.contains("[EMAIL-1]"), "{shown}");
    let files = app.data_files();
    assert!(files_containing(&files, "zstatus.canary").is_empty());
    // PostgreSQL may keep fresh rows in memory only: the control is for SQLite's files.
    if !crate::support::on_postgres_engine() {
        assert!(!files_containing(&files, "reported failed sign-ins").is_empty());
    }
}
