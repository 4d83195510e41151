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

struct Driver {
    process: Child,
    _profile: tempfile::TempDir,
    client: Client,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

async fn browser() -> Option<Driver> {
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

async fn click(client: &Client, css: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

async fn type_into(client: &Client, css: &str, text: &str) {
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
async fn wait_for_text(client: &Client, css: &str, needle: &str) -> String {
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
    let link = text_of(browser, ".link a").await;
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
