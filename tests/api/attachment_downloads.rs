//! Sealed attachments leave the desk only through single-use links: minted under the agent's
//! scope, spent once by the same agent, sent as a file no browser renders, audited, and
//! counted toward the access alerts. Tickets arrive by mail through the real listener.

use serde_json::{Value, json};

use crate::mail_support::{outcome, send};
use crate::support::{HtmlSession, TestApp};

const DESK: &str = "support@localhost";

/// Every byte value, twice, and then some: what a text-only path would mangle.
fn binary_content() -> Vec<u8> {
    let mut bytes: Vec<u8> = (0..=255u8).chain((0..=255u8).rev()).collect();
    bytes.extend_from_slice(b"\r\n.\r\n\0PK\x03\x04");
    bytes
}

/// Files a ticket by mail with one text and one binary attachment; returns the reference and
/// the sealed attachment's id, as an agent of `general` sees them through the API.
async fn ticket_with_binary(app: &TestApp, token: &str, bytes: &[u8]) -> (String, i64) {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
    let mail = format!(
        "From: <jo@example.org>\r\nSubject: logs\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"mix\"\r\n\r\n\
         --mix\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n\
         --mix\r\nContent-Type: text/plain; name=\"app.log\"\r\nContent-Disposition: attachment; filename=\"app.log\"\r\n\r\nall quiet\r\n\
         --mix\r\nContent-Type: image/svg+xml\r\nContent-Disposition: attachment; filename=\"dump.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{encoded}\r\n\
         --mix--\r\n"
    );
    let replies = send(app.smtp, false, "jo@example.org", &[DESK], &mail).await;
    assert!(outcome(&replies).starts_with("250"), "{replies:?}");
    let list: Value = app
        .agent_get(token, "/api/v1/agent/tickets?order=created")
        .await
        .json()
        .await
        .unwrap();
    let reference = list["tickets"][0]["reference"].as_str().unwrap().to_owned();
    let ticket: Value = app
        .agent_get(token, &format!("/api/v1/agent/tickets/{reference}"))
        .await
        .json()
        .await
        .unwrap();
    let attachments = ticket["messages"][0]["attachments"].as_array().unwrap();
    let sealed: Vec<&Value> = attachments.iter().filter(|a| a["sealed"] == true).collect();
    assert_eq!(sealed.len(), 1, "{ticket}");
    (reference, sealed[0]["id"].as_i64().unwrap())
}

/// The text attachment's id (which no link may be minted for).
async fn text_attachment_id(app: &TestApp, token: &str, reference: &str) -> i64 {
    let ticket: Value = app
        .agent_get(token, &format!("/api/v1/agent/tickets/{reference}"))
        .await
        .json()
        .await
        .unwrap();
    ticket["messages"][0]["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["sealed"] == false)
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

async fn mint_api(app: &TestApp, token: &str, reference: &str, id: i64) -> reqwest::Response {
    app.agent_post(
        token,
        &format!("/api/v1/agent/tickets/{reference}/attachments/{id}/link"),
        &json!({}),
    )
    .await
}

/// Mints through the API and returns the link's path.
async fn minted_path(app: &TestApp, token: &str, reference: &str, id: i64) -> String {
    let response = mint_api(app, token, reference, id).await;
    assert_eq!(response.status(), 200);
    let link: Value = response.json().await.unwrap();
    assert!(link["expires_at"].as_str().is_some(), "{link}");
    let url = link["url"].as_str().unwrap().to_owned();
    assert!(url.starts_with("/agent/attachments/"), "{url}");
    url
}

async fn audit_details(app: &TestApp, action: &'static str) -> Vec<String> {
    app.query_values(
        "select coalesce(reference, '') || ' ' || detail from audit_log where action = $1 order by seq",
        &[action.into()],
    )
    .await
}

async fn html_download(app: &TestApp, session: &HtmlSession, path: &str) -> reqwest::Response {
    app.html_get(session, path).await
}

#[tokio::test]
async fn an_agent_downloads_a_sealed_attachment_once_as_an_inert_file() {
    let app = TestApp::spawn().await;
    let agent = app.add_agent("mara", "l1", &["general"]).await;
    let token = app.api_login(&agent).await;
    let bytes = binary_content();
    let (reference, id) = ticket_with_binary(&app, &token, &bytes).await;
    let session = app.html_login(&agent).await;

    // The ticket page offers the button for the sealed attachment only.
    let page = app
        .html_get(&session, &format!("/agent/tickets/{reference}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(&format!("id=\"download-{id}\"")), "{page}");
    assert_eq!(page.matches("class=\"download-form\"").count(), 1);

    let minted = app
        .html_post(
            &session,
            &format!("/agent/tickets/{reference}/attachments/{id}/link"),
            &[],
        )
        .await;
    assert_eq!(minted.status(), 303);
    let location = minted.headers()["location"].to_str().unwrap().to_owned();
    let token_part = location.strip_prefix("/agent/attachments/").unwrap();
    assert!(token_part.len() >= 22, "{location}");

    let download = html_download(&app, &session, &location).await;
    assert_eq!(download.status(), 200);
    let headers = download.headers().clone();
    assert_eq!(headers["content-type"], "application/octet-stream");
    assert_eq!(
        headers["content-disposition"],
        "attachment; filename=\"dump.bin\"; filename*=UTF-8''dump.bin"
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(headers["content-security-policy"], "sandbox");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert_eq!(download.bytes().await.unwrap().as_ref(), bytes.as_slice());

    // Spent: the same link again is refused with the staff page, not the file.
    let again = html_download(&app, &session, &location).await;
    assert_eq!(again.status(), 410);
    assert!(
        again.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    // The staff page, in the staff layout with its way back to work.
    let body = again.text().await.unwrap();
    assert!(body.contains("href=\"/agent/tickets\""), "{body}");

    // Other pages keep the desk's own policy.
    let list = app.html_get(&session, "/agent/tickets").await;
    assert!(
        list.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .starts_with("default-src 'self'")
    );

    let size = format!("attachment={id} size={}", bytes.len());
    let created = audit_details(&app, "attachment_link_created").await;
    assert_eq!(created.len(), 1, "{created:?}");
    assert!(created[0].starts_with(&format!("{reference} {size} expires_at=")));
    assert_eq!(
        audit_details(&app, "attachment_downloaded").await,
        vec![format!("{reference} {size}")]
    );
    assert_eq!(
        audit_details(&app, "attachment_download_failed").await,
        vec![format!("{reference} attachment={id} reason=used")]
    );
    let everything: Vec<String> = app.query_values("select detail from audit_log", &[]).await;
    assert!(
        !everything.iter().any(|d| d.contains("dump.bin")),
        "{everything:?}"
    );
}

#[tokio::test]
async fn a_link_works_only_for_its_agent_and_only_before_it_expires() {
    let app = TestApp::spawn().await;
    let owner = app.add_agent("mara", "l1", &["general"]).await;
    let colleague = app.add_agent("ivo", "l1", &["general"]).await;
    let token = app.api_login(&owner).await;
    let other = app.api_login(&colleague).await;
    let bytes = binary_content();
    let (reference, id) = ticket_with_binary(&app, &token, &bytes).await;

    // The colleague could mint their own, but not use this one; their try does not spend it.
    let path = minted_path(&app, &token, &reference, id).await;
    assert_eq!(app.agent_get(&other, &path).await.status(), 410);
    let colleague_session = app.html_login(&colleague).await;
    assert_eq!(app.html_get(&colleague_session, &path).await.status(), 410);
    let mine = app.agent_get(&token, &path).await;
    assert_eq!(mine.status(), 200);
    assert_eq!(mine.bytes().await.unwrap().as_ref(), bytes.as_slice());

    // Without any credential, the link leads to the sign-in page and stays unspent.
    let fresh = minted_path(&app, &token, &reference, id).await;
    let anonymous = app.get(&fresh).await;
    assert_eq!(anonymous.status(), 303);
    assert_eq!(anonymous.headers()["location"], "/agent/login");

    // Expired (the clock moved on past it): refused, though never used.
    app.execute_sql(
        "update attachment_links set expires_at = 0 where used_at is null",
        &[],
    )
    .await;
    assert_eq!(app.agent_get(&token, &fresh).await.status(), 410);
    // An unknown token is the same answer.
    assert_eq!(
        app.agent_get(&token, "/agent/attachments/not-a-token")
            .await
            .status(),
        410
    );

    let failed = audit_details(&app, "attachment_download_failed").await;
    assert_eq!(
        failed,
        vec![
            format!("{reference} attachment={id} reason=other_agent"),
            format!("{reference} attachment={id} reason=other_agent"),
            format!("{reference} attachment={id} reason=expired"),
            " reason=unknown".to_owned(),
        ]
    );
    assert_eq!(audit_details(&app, "attachment_downloaded").await.len(), 1);
}

#[tokio::test]
async fn concurrent_uses_of_one_link_hand_out_the_file_once() {
    let app = TestApp::spawn().await;
    let agent = app.add_agent("mara", "l1", &["general"]).await;
    let token = app.api_login(&agent).await;
    let (reference, id) = ticket_with_binary(&app, &token, &binary_content()).await;
    let path = minted_path(&app, &token, &reference, id).await;

    let tries = (0..8).map(|_| app.agent_get(&token, &path));
    let statuses: Vec<u16> = futures_util::future::join_all(tries)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 410).count(),
        7,
        "{statuses:?}"
    );
    assert_eq!(audit_details(&app, "attachment_downloaded").await.len(), 1);
    assert_eq!(
        audit_details(&app, "attachment_download_failed")
            .await
            .len(),
        7
    );
}

#[tokio::test]
async fn only_an_agent_with_the_ticket_in_scope_mints_links_and_admins_never() {
    let app = TestApp::spawn().await;
    let member = app.add_agent("mara", "l1", &["general"]).await;
    let outsider = app.add_agent("otto", "l3", &["billing", "vip"]).await;
    let admin = app.add_agent("ada", "admin", &["general"]).await;
    let token = app.api_login(&member).await;
    let (reference, id) = ticket_with_binary(&app, &token, &binary_content()).await;

    // Positive control: the member can.
    assert_eq!(mint_api(&app, &token, &reference, id).await.status(), 200);

    let outsider_token = app.api_login(&outsider).await;
    assert_eq!(
        mint_api(&app, &outsider_token, &reference, id)
            .await
            .status(),
        404
    );
    let admin_token = app.api_login(&admin).await;
    // The admin is a member of the queue and reads the ticket, yet takes no files.
    assert_eq!(
        app.agent_get(&admin_token, &format!("/api/v1/agent/tickets/{reference}"))
            .await
            .status(),
        200
    );
    assert_eq!(
        mint_api(&app, &admin_token, &reference, id).await.status(),
        404
    );
    let admin_session = app.html_login(&admin).await;
    let page = app
        .html_get(&admin_session, &format!("/agent/tickets/{reference}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("dump.bin"), "{page}");
    assert!(!page.contains("download-form"), "{page}");
    let posted = app
        .html_post(
            &admin_session,
            &format!("/agent/tickets/{reference}/attachments/{id}/link"),
            &[],
        )
        .await;
    assert_eq!(posted.status(), 404);

    // A text attachment is read in the page; nobody mints a link to it. Nor without CSRF.
    let text_id = text_attachment_id(&app, &token, &reference).await;
    assert_eq!(
        mint_api(&app, &token, &reference, text_id).await.status(),
        404
    );
    let session = app.html_login(&member).await;
    let forged = app
        .client
        .post(app.url(&format!("/agent/tickets/{reference}/attachments/{id}/link")))
        .header("cookie", &session.cookie)
        .form(&[("csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);

    // One link minted (the member's), the refusals left their trace as failed lookups.
    assert_eq!(
        audit_details(&app, "attachment_link_created").await.len(),
        1
    );
    let misses: Vec<String> = app
        .query_values(
            "select detail from audit_log where action = 'lookup_failed' and detail like '%op=download_link%'",
            &[],
        )
        .await;
    assert_eq!(misses.len(), 4, "{misses:?}");
}

#[tokio::test]
async fn break_glass_lets_an_agent_download_as_it_lets_them_read() {
    let app = TestApp::spawn().await;
    let member = app.add_agent("mara", "l1", &["general"]).await;
    let outsider = app.add_agent("otto", "l1", &["billing"]).await;
    let token = app.api_login(&member).await;
    let bytes = binary_content();
    let (reference, id) = ticket_with_binary(&app, &token, &bytes).await;
    let session = app.html_login(&outsider).await;
    let before = app
        .html_post(
            &session,
            &format!("/agent/tickets/{reference}/attachments/{id}/link"),
            &[],
        )
        .await;
    assert_eq!(before.status(), 404);

    let opened = app
        .html_post(
            &session,
            "/agent/break-glass",
            &[
                ("reference", reference.as_str()),
                ("justification", "customer on the phone, outage follow-up"),
            ],
        )
        .await;
    assert_eq!(opened.status(), 303);
    let minted = app
        .html_post(
            &session,
            &format!("/agent/tickets/{reference}/attachments/{id}/link"),
            &[],
        )
        .await;
    assert_eq!(minted.status(), 303);
    let location = minted.headers()["location"].to_str().unwrap().to_owned();
    let download = app.html_get(&session, &location).await;
    assert_eq!(download.status(), 200);
    assert_eq!(download.bytes().await.unwrap().as_ref(), bytes.as_slice());
    let downloaded = audit_details(&app, "attachment_downloaded").await;
    assert_eq!(
        downloaded,
        vec![format!(
            "{reference} attachment={id} size={} via=break_glass",
            bytes.len()
        )]
    );
}

#[tokio::test]
async fn many_downloads_in_an_hour_alert_the_admins() {
    let app = TestApp::spawn_with(|config| config.agents.hourly_download_threshold = 3).await;
    let reader = app.add_agent("ivo", "l1", &["general"]).await;
    let reader_token = app.api_login(&reader).await;
    let (reference, id) = ticket_with_binary(&app, &reader_token, &binary_content()).await;
    // Mara never opens the ticket: only her downloads can count as reading it.
    let agent = app.add_agent("mara", "l1", &["general"]).await;
    let token = app.api_login(&agent).await;
    let alerts = || async {
        app.query_values::<i64>(
            "select count(*) from alerts where kind = 'hourly_downloads' and agent_name = 'mara'",
            &[],
        )
        .await[0]
    };
    let sightings = || async {
        app.query_values::<i64>(
            "select count(*) from ticket_sightings s join agents a on a.id = s.agent_id where a.name = 'mara'",
            &[],
        )
        .await[0]
    };
    assert_eq!(sightings().await, 0);

    for _ in 0..3 {
        let path = minted_path(&app, &token, &reference, id).await;
        assert_eq!(app.agent_get(&token, &path).await.status(), 200);
    }
    assert_eq!(
        alerts().await,
        0,
        "three downloads are within the threshold"
    );
    let path = minted_path(&app, &token, &reference, id).await;
    assert_eq!(app.agent_get(&token, &path).await.status(), 200);
    assert_eq!(alerts().await, 1);
    // Once an hour, not once a download.
    let path = minted_path(&app, &token, &reference, id).await;
    assert_eq!(app.agent_get(&token, &path).await.status(), 200);
    assert_eq!(alerts().await, 1);
    let detail: Vec<String> = app
        .query_values(
            "select detail from alerts where kind = 'hourly_downloads'",
            &[],
        )
        .await;
    assert!(detail[0].contains("\"count\":\"4\""), "{detail:?}");
    // A download is a read of its ticket for the hourly-volume watch too.
    assert_eq!(sightings().await, 1);
}

#[tokio::test]
async fn purge_takes_the_links_with_their_ticket() {
    let app = TestApp::spawn().await;
    let agent = app.add_agent("mara", "l1", &["general"]).await;
    let token = app.api_login(&agent).await;
    let (reference, id) = ticket_with_binary(&app, &token, &binary_content()).await;
    let spent = minted_path(&app, &token, &reference, id).await;
    assert_eq!(app.agent_get(&token, &spent).await.status(), 200);
    minted_path(&app, &token, &reference, id).await;
    assert_eq!(app.count_rows("attachment_links").await, 2);

    let closed = app
        .agent_post(
            &token,
            &format!("/api/v1/agent/tickets/{reference}/status"),
            &json!({ "status": "closed" }),
        )
        .await;
    assert_eq!(closed.status(), 200);
    let as_of = (time::OffsetDateTime::now_utc() + time::Duration::days(400))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let output = app
        .command()
        .args(["purge", "--as-of", &as_of])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("purged 1 tickets"), "{text}");
    assert_eq!(app.count_rows("attachment_links").await, 0);
}

#[tokio::test]
async fn a_download_from_a_restricted_queue_alerts_its_owners_like_opening() {
    let app = TestApp::spawn().await;
    let filer = app.add_agent("ivo", "l1", &["general"]).await;
    let filer_token = app.api_login(&filer).await;
    let (reference, id) = ticket_with_binary(&app, &filer_token, &binary_content()).await;
    let before_the_move = minted_path(&app, &filer_token, &reference, id).await;
    app.execute_sql(
        "update tickets set queue_id = (select id from queues where name = 'vip') where reference = $1",
        &[reference.as_str().into()],
    )
    .await;
    // A member who does not own the queue, and who never opens the ticket.
    let member = app.add_agent("mara", "l1", &["vip"]).await;
    let token = app.api_login(&member).await;
    let downloaded_alerts = || async {
        app.query_values::<i64>(
            "select count(*) from alerts where kind = 'restricted_access' and agent_name = 'mara' \
             and detail like '%downloaded%'",
            &[],
        )
        .await[0]
    };
    let path = minted_path(&app, &token, &reference, id).await;
    assert_eq!(downloaded_alerts().await, 0, "minting shows nothing");
    assert_eq!(app.agent_get(&token, &path).await.status(), 200);
    assert_eq!(downloaded_alerts().await, 1);
    // The filer, no longer in the ticket's queue, can neither mint nor use what they minted.
    assert_eq!(
        mint_api(&app, &filer_token, &reference, id).await.status(),
        404
    );
    assert_eq!(
        app.agent_get(&filer_token, &before_the_move).await.status(),
        410
    );
    assert_eq!(
        audit_details(&app, "attachment_download_failed").await,
        vec![format!("{reference} attachment={id} reason=out_of_scope")]
    );
}

/// The Download button in a real browser, in both languages with JavaScript on and off: the
/// page passes the page checks with the attachment opened, and pressing the button spends a
/// fresh link for the file while the ticket page stays.
#[tokio::test]
async fn the_ticket_page_downloads_in_both_languages_with_and_without_javascript() {
    use crate::browser::{Chromedriver, EVERY_RUN, Journey};
    let Some(driver) = Chromedriver::start() else {
        return;
    };
    for run in EVERY_RUN {
        let app = TestApp::spawn().await;
        let agent = app
            .add_agent_with_password("bob", "l1", &["general"], "bob's own long passphrase")
            .await;
        let token = app.api_login(&agent).await;
        let (reference, id) = ticket_with_binary(&app, &token, &binary_content()).await;
        let mut journey = Journey::start(&driver, "download", run, &app.base).await;
        journey.goto("/agent/login").await;
        journey.type_into("#name", &agent.name).await;
        journey.type_into("#password", &agent.password).await;
        journey.click("form[action='/agent/login'] button").await;
        journey.wait_for_path("/agent/tickets").await;
        let page = format!("/agent/tickets/{reference}");
        journey.goto(&page).await;
        journey
            .click(&format!("details:has(#download-{id}) > summary"))
            .await;
        journey.check_page().await;
        journey.click(&format!("#download-{id} button")).await;
        let mut downloaded = 0;
        for _ in 0..50 {
            downloaded = audit_details(&app, "attachment_downloaded").await.len();
            if downloaded > 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(downloaded, 1, "{run:?}");
        journey.wait_for_path(&page).await;
        journey.finish().await;
    }
}

#[tokio::test]
async fn the_openapi_document_describes_minting_a_link() {
    let app = TestApp::spawn().await;
    let document: Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    let call =
        &document["paths"]["/api/v1/agent/tickets/{reference}/attachments/{id}/link"]["post"];
    assert!(call["responses"]["200"].is_object(), "{call}");
    assert!(call["responses"]["404"].is_object(), "{call}");
    let schema = &document["components"]["schemas"]["DownloadLinkJson"]["properties"];
    assert!(
        schema["url"].is_object() && schema["expires_at"].is_object(),
        "{document}"
    );
}
