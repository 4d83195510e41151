//! The requester's whole journey in a real headless Chromium, with JavaScript switched off:
//! file, keep the link, come back, reply, delete. Needs `chromium` and `chromium-driver`
//! (`make test` installs them); set HUSHDESK_REQUIRE_BROWSER=1 to fail instead of skipping.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use crate::support::TestApp;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

pub(crate) struct Driver {
    process: Child,
    _profile: tempfile::TempDir,
    pub(crate) client: Client,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

pub(crate) async fn browser() -> Option<Driver> {
    if !std::path::Path::new(CHROMEDRIVER).exists() || !std::path::Path::new(CHROMIUM).exists() {
        assert!(
            std::env::var("HUSHDESK_REQUIRE_BROWSER").as_deref() != Ok("1"),
            "HUSHDESK_REQUIRE_BROWSER=1 but chromium/chromedriver are not installed"
        );
        eprintln!("skipping browser test: install chromium and chromium-driver to run it");
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let process = Command::new(CHROMEDRIVER)
        .args([format!("--port={port}"), "--allowed-ips=127.0.0.1".into()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let profile = tempfile::tempdir().unwrap();
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": CHROMIUM,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-quic", "--no-first-run", "--window-size=1000,1400",
                format!("--user-data-dir={}", profile.path().display()),
            ],
            // The portal must work with scripts off, as in Tor Browser's safest mode.
            "prefs": { "profile.managed_default_content_settings.javascript": 2 }
        }),
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(capabilities.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(client) => {
                return Some(Driver {
                    process,
                    _profile: profile,
                    client,
                });
            }
            Err(e) if Instant::now() > deadline => panic!("chromedriver did not start: {e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

pub(crate) async fn click(client: &Client, css: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

pub(crate) async fn type_into(client: &Client, css: &str, text: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}

async fn text_of(client: &Client, css: &str) -> String {
    wait_for_text(client, css, "").await
}

/// The text of `css` once it contains `needle`. A click that submits a form returns before
/// the next page has loaded, so every read after one waits for what it expects.
pub(crate) async fn wait_for_text(client: &Client, css: &str, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(element) = client.find(Locator::Css(css)).await
            && let Ok(text) = element.text().await
            && text.contains(needle)
        {
            return text;
        }
        assert!(
            Instant::now() < deadline,
            "no {css} containing {needle:?} within 20 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_requester_files_returns_replies_and_deletes_in_a_browser_without_javascript() {
    let Some(driver) = browser().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let browser = &driver.client;
    let canary = "browser.canary@example.org";

    browser.goto(&app.url("/")).await.unwrap();
    click(browser, "#category option[value=billing]").await;
    type_into(browser, "#subject", "Double charge").await;
    type_into(
        browser,
        "#body",
        &format!("Charged twice. Write to {canary}."),
    )
    .await;
    click(browser, "form[action='/tickets'] button[type=submit]").await;

    let heading = wait_for_text(browser, "h1", "received").await;
    assert!(
        heading.starts_with("Request HD-") && heading.ends_with("received"),
        "{heading}"
    );
    let warning = wait_for_text(browser, ".warning", "only way back").await;
    assert!(warning.contains("only way back"), "{warning}");
    // Without a configured public URL the page shows the path, not a host it was told.
    let link = app.url(&text_of(browser, ".link a").await);
    assert!(link.contains("/t/"), "{link}");
    std::fs::create_dir_all("target/screenshots").ok();
    std::fs::write(
        "target/screenshots/created.png",
        browser.screenshot().await.unwrap(),
    )
    .ok();

    browser.goto(&link).await.unwrap();
    let conversation = wait_for_text(browser, ".conversation", "[EMAIL-1]").await;
    assert!(
        conversation.contains("Write to [EMAIL-1]."),
        "{conversation}"
    );
    assert!(!browser.source().await.unwrap().contains(canary));

    type_into(browser, "#body", "Any news?").await;
    click(browser, "form[action$='/reply'] button").await;
    let conversation = wait_for_text(browser, ".conversation", "Any news?").await;
    assert!(conversation.contains("Any news?"), "{conversation}");
    std::fs::write(
        "target/screenshots/ticket.png",
        browser.screenshot().await.unwrap(),
    )
    .ok();

    click(browser, "form[action$='/delete'] button").await;
    assert!(
        wait_for_text(browser, "h1", "Delete HD-")
            .await
            .starts_with("Delete HD-")
    );
    click(browser, "form[action$='/delete'] button").await;
    assert!(
        wait_for_text(browser, "h1", "has been deleted")
            .await
            .ends_with("has been deleted")
    );

    browser.goto(&link).await.unwrap();
    assert_eq!(wait_for_text(browser, "h1", "Not found").await, "Not found");
    assert_eq!(app.count_rows("tickets").await, 0);
    driver.client.clone().close().await.unwrap();
}

#[tokio::test]
async fn an_admin_and_an_agent_work_the_desk_in_a_browser_without_javascript() {
    let Some(driver) = browser().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let browser = &driver.client;
    let admin = app.add_agent("ada", "admin", &[]).await;
    let (reference, access) = app
        .file_in(
            "billing",
            "Card declined",
            "My card was declined, reach me at b@example.org",
        )
        .await;

    // The admin signs in with password and code, and adds a billing agent.
    browser.goto(&app.url("/agent/tickets")).await.unwrap();
    wait_for_text(browser, "h1", "Agent sign-in").await;
    type_into(browser, "#name", "ada").await;
    type_into(browser, "#password", &admin.password).await;
    type_into(browser, "#totp", &admin.next_code().unwrap()).await;
    click(browser, "form[action='/agent/login'] button").await;
    wait_for_text(browser, "h1", "Tickets").await;
    browser.goto(&app.url("/admin/agents")).await.unwrap();
    wait_for_text(browser, "h1", "Agents").await;
    type_into(browser, "#name", "bob").await;
    click(browser, "#role option[value=l1]").await;
    type_into(browser, "#queues", "billing").await;
    click(browser, "form[action='/admin/agents'] button").await;
    let secret = wait_for_text(browser, "section.secret", "Enrolment link").await;
    let link = secret
        .lines()
        .find_map(|l| l.strip_prefix("Enrolment link: "))
        .unwrap()
        .trim()
        .to_owned();
    click(browser, "form[action='/agent/logout'] button").await;
    wait_for_text(browser, "h1", "Agent sign-in").await;

    // The new agent opens the link and chooses a password; nobody else ever saw it.
    let password = "bob's own long passphrase";
    browser.goto(&app.url(&link)).await.unwrap();
    wait_for_text(browser, "h1", "Choose your credentials").await;
    type_into(browser, "#password", password).await;
    type_into(browser, "#confirm", password).await;
    click(browser, "form[action^='/agent/enrol/'] button").await;
    wait_for_text(browser, "h1", "You are enrolled").await;
    browser.goto(&app.url("/agent/login")).await.unwrap();
    wait_for_text(browser, "h1", "Agent sign-in").await;

    // The agent signs in, finds the ticket, notes, replies and escalates it.
    type_into(browser, "#name", "bob").await;
    type_into(browser, "#password", password).await;
    click(browser, "form[action='/agent/login'] button").await;
    let list = wait_for_text(browser, "main", &reference).await;
    assert!(list.contains("Card declined"), "{list}");
    click(browser, &format!("a[href='/agent/tickets/{reference}']")).await;
    let page = wait_for_text(browser, ".conversation", "[EMAIL-1]").await;
    assert!(page.contains("reach me at [EMAIL-1]"), "{page}");
    type_into(browser, "#note-body", "Checked the processor logs.").await;
    click(browser, "form[action$='/note'] button.btn-note").await;
    wait_for_text(browser, ".conversation", "processor logs").await;
    type_into(browser, "#reply-body", "Please try the card again now.").await;
    click(browser, "form[action$='/reply'] button.btn-reply").await;
    wait_for_text(browser, ".conversation", "try the card again").await;
    std::fs::create_dir_all("target/screenshots").ok();
    std::fs::write(
        "target/screenshots/agent-ticket.png",
        browser.screenshot().await.unwrap(),
    )
    .ok();
    type_into(browser, "#escalate-reason", "Needs the payments team").await;
    click(browser, "form[action$='/escalate'] button").await;
    let notice = wait_for_text(browser, "main .notice", "left your list").await;
    assert!(notice.contains("escalated above your tier"), "{notice}");

    // The requester sees the reply, not the note.
    let requester: serde_json::Value = app
        .get(&format!("/api/v1/tickets/{access}"))
        .await
        .json()
        .await
        .unwrap();
    let text = requester.to_string();
    assert!(text.contains("try the card again") && !text.contains("processor logs"));
    driver.client.clone().close().await.unwrap();
}
