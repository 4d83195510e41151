//! The browser harness: Debian's headless Chromium driven through chromedriver (fantoccini),
//! in English or Russian, with JavaScript on or off. `Journey::check_page` runs the checks
//! every page must pass and saves its screenshots; journeys live in `browser_*.rs`.
//!
//! Needs `chromium`, `chromium-driver` and `npm ci --prefix tests/browser` (axe-core); `make
//! test` installs all three (`make test-deps browser-deps` alone). Without them the browser tests skip, unless
//! HUSHDESK_REQUIRE_BROWSER=1 (CI) makes that a failure.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::actions::InputSource;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use crate::support::TestApp;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
/// axe-core as `npm ci --prefix tests/browser` installs it: injected into each page through
/// WebDriver, never fetched from a CDN.
const AXE: &str = "tests/browser/node_modules/axe-core/axe.min.js";
/// A phone held upright (iPhone 12–15).
pub(crate) const NARROW: (u32, u32) = (390, 844);
const DESKTOP: (u32, u32) = (1280, 900);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lang {
    En,
    Ru,
}

impl Lang {
    pub(crate) fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
        }
    }

    /// What the browser sends as Accept-Language: the language first, the other as fallback.
    fn accept_language(self) -> &'static str {
        match self {
            Lang::En => "en-US,en",
            Lang::Ru => "ru-RU,ru,en",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Js {
    On,
    Off,
}

impl Js {
    fn name(self) -> &'static str {
        match self {
            Js::On => "js",
            Js::Off => "nojs",
        }
    }
}

/// One way of visiting the desk: a language and whether scripts run.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Run {
    pub(crate) lang: Lang,
    pub(crate) js: Js,
}

/// Every journey runs four times: both languages, scripts on and off.
pub(crate) const EVERY_RUN: [Run; 4] = [
    Run {
        lang: Lang::En,
        js: Js::On,
    },
    Run {
        lang: Lang::En,
        js: Js::Off,
    },
    Run {
        lang: Lang::Ru,
        js: Js::On,
    },
    Run {
        lang: Lang::Ru,
        js: Js::Off,
    },
];

fn repository() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Whether the browser tests can run here; panics instead of skipping under
/// HUSHDESK_REQUIRE_BROWSER=1.
fn browser_available(need_axe: bool) -> bool {
    let mut missing = Vec::new();
    for tool in [CHROMEDRIVER, CHROMIUM] {
        if !Path::new(tool).exists() {
            missing.push(tool.to_owned());
        }
    }
    if need_axe && !repository().join(AXE).exists() {
        missing.push(format!("{AXE} (run `npm ci --prefix tests/browser`)"));
    }
    if missing.is_empty() {
        return true;
    }
    assert!(
        std::env::var("HUSHDESK_REQUIRE_BROWSER").as_deref() != Ok("1"),
        "HUSHDESK_REQUIRE_BROWSER=1 but these are missing: {missing:?}"
    );
    eprintln!(
        "skipping browser test: missing {missing:?}; `make test-deps browser-deps` installs chromium, chromium-driver and axe-core"
    );
    false
}

/// A chromedriver process; each journey run opens its own browser session on it.
pub(crate) struct Chromedriver {
    process: Child,
    port: u16,
}

impl Drop for Chromedriver {
    /// Ends chromedriver and every browser it started, also when a failed assertion left a
    /// session open: they share the process group chromedriver was given.
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-s", "KILL", "--", &format!("-{}", self.process.id())])
            .status();
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

impl Chromedriver {
    /// `None` (after saying why) when the browser or axe-core is not installed.
    pub(crate) fn start() -> Option<Chromedriver> {
        if !browser_available(true) {
            return None;
        }
        Some(Self::spawn())
    }

    fn spawn() -> Chromedriver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let process = Command::new(CHROMEDRIVER)
            .args([format!("--port={port}"), "--allowed-ips=127.0.0.1".into()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap();
        Chromedriver { process, port }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A new browser with a fresh profile, retrying while chromedriver starts up.
    async fn session(&self, capabilities: serde_json::Map<String, Value>) -> Client {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(capabilities.clone())
                .connect(&self.url())
                .await
            {
                Ok(client) => return client,
                Err(e) if Instant::now() > deadline => panic!("chromedriver did not start: {e}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        }
    }
}

/// The Chromium flags every session uses. Background networking is off so the only traffic
/// is what our pages cause (and the closed network here refuses the rest anyway).
fn chromium_args(profile: &Path, lang: Lang, window: (u32, u32)) -> Vec<String> {
    vec![
        "--headless=new".into(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--disable-dev-shm-usage".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        "--disable-quic".into(),
        "--no-first-run".into(),
        "--hide-scrollbars".into(),
        format!("--lang={}", lang.code()),
        format!("--window-size={},{}", window.0, window.1),
        format!("--user-data-dir={}", profile.display()),
    ]
}

fn capabilities(profile: &Path, lang: Lang) -> serde_json::Map<String, Value> {
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": CHROMIUM,
            "args": chromium_args(profile, lang, DESKTOP),
            "prefs": { "intl.accept_languages": lang.accept_language() },
        }),
    );
    // The browser console (errors) and the DevTools network events (every request made).
    capabilities.insert(
        "goog:loggingPrefs".into(),
        json!({ "browser": "ALL", "performance": "ALL" }),
    );
    capabilities
}

/// One run of one journey: a browser in one language with scripts on or off, the origin it
/// may talk to, and a counter for its screenshots.
pub(crate) struct Journey {
    pub(crate) client: Client,
    pub(crate) run: Run,
    name: String,
    origin: String,
    webdriver: String,
    session: String,
    http: reqwest::Client,
    axe: String,
    pages: usize,
    /// DevTools network events read but not yet checked by `check_page`.
    network: Vec<Value>,
    /// The address and HTTP status of the last page the browser loaded.
    last_document: Option<(String, u16)>,
    /// The console line the browser writes for a page that answered with an error on
    /// purpose (`check_error_page`), which is not the page's fault.
    expected_console: Option<String>,
    _profile: tempfile::TempDir,
}

impl Journey {
    /// A fresh browser for `run`, allowed to talk to `origin` (`TestApp::base`) only.
    pub(crate) async fn start(
        driver: &Chromedriver,
        name: &str,
        run: Run,
        origin: &str,
    ) -> Journey {
        let profile = tempfile::tempdir().unwrap();
        let client = driver.session(capabilities(profile.path(), run.lang)).await;
        let session = client.session_id().await.unwrap().unwrap();
        let journey = Journey {
            client,
            run,
            name: name.to_owned(),
            origin: origin.trim_end_matches('/').to_owned(),
            webdriver: driver.url(),
            session,
            http: reqwest::Client::new(),
            axe: std::fs::read_to_string(repository().join(AXE)).unwrap(),
            pages: 0,
            network: Vec::new(),
            last_document: None,
            expected_console: None,
            _profile: profile,
        };
        // Scripts off the way a Tor Browser at "safest" has them: the page's own scripts never
        // run. Switched through DevTools, not a profile setting, so the harness can lift it
        // for a moment to run axe-core and put it back (see `with_scripts`).
        if run.js == Js::Off {
            journey.set_scripts(false).await;
        }
        journey.set_color_scheme("light").await;
        journey
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }

    pub(crate) async fn goto(&self, path: &str) {
        self.client.goto(&self.url(path)).await.unwrap();
        self.wait_until_loaded().await;
    }

    /// A WebDriver command chromedriver has but fantoccini does not wrap.
    async fn chromedriver(&self, path: &str, body: Value) -> Value {
        let response = self
            .http
            .post(format!(
                "{}/session/{}/{path}",
                self.webdriver, self.session
            ))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let value: Value = response.json().await.unwrap();
        assert!(status.is_success(), "chromedriver {path}: {value}");
        value["value"].clone()
    }

    async fn devtools(&self, cmd: &str, params: Value) {
        self.chromedriver("goog/cdp/execute", json!({ "cmd": cmd, "params": params }))
            .await;
    }

    async fn set_scripts(&self, enabled: bool) {
        self.devtools(
            "Emulation.setScriptExecutionDisabled",
            json!({ "value": !enabled }),
        )
        .await;
    }

    async fn set_color_scheme(&self, scheme: &str) {
        self.devtools(
            "Emulation.setEmulatedMedia",
            json!({ "features": [{ "name": "prefers-color-scheme", "value": scheme }] }),
        )
        .await;
    }

    async fn execute(&self, script: &str) -> Value {
        self.client.execute(script, vec![]).await.unwrap()
    }

    /// Runs `script` with the page's scripting allowed for that moment only. WebDriver's own
    /// scripts run either way, but axe-core waits on promises and timers, which a page with
    /// scripting off never fires.
    async fn with_scripts(&self, script: &str) -> Value {
        if self.run.js == Js::Off {
            self.set_scripts(true).await;
        }
        let value = self.execute(script).await;
        if self.run.js == Js::Off {
            self.set_scripts(false).await;
        }
        value
    }

    async fn wait_until_loaded(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.execute("return document.readyState").await != "complete" {
            assert!(Instant::now() < deadline, "the page did not finish loading");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the page's path is `path` and it has loaded: a click that submits a form
    /// returns before the next page is there.
    pub(crate) async fn wait_for_path(&self, path: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let url = self.client.current_url().await.unwrap();
            if url.path() == path {
                self.wait_until_loaded().await;
                return;
            }
            assert!(
                Instant::now() < deadline,
                "still on {url} after 20 s, expected {path}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the page's address is `path` with `pair` (`name=value`) among its query
    /// parameters, and it has loaded: a form sent with GET to the page it is on keeps the
    /// path, so only the query tells the new page from the old.
    pub(crate) async fn wait_for_query(&self, path: &str, pair: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let url = self.client.current_url().await.unwrap();
            let found = url
                .query()
                .is_some_and(|query| query.split('&').any(|p| p == pair));
            if url.path() == path && found {
                self.wait_until_loaded().await;
                return;
            }
            assert!(
                Instant::now() < deadline,
                "still on {url} after 20 s, expected {path} with {pair}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The HTTP status the page now shown came with. WebDriver does not tell it; the
    /// DevTools network events do. The events read here are still checked by `check_page`.
    pub(crate) async fn status(&mut self) -> u16 {
        self.wait_until_loaded().await;
        self.read_network_log().await;
        let url = self.client.current_url().await.unwrap();
        match &self.last_document {
            Some((address, status)) if address.as_str() == url.as_str() => *status,
            other => panic!("no response seen for {url}; the last page loaded was {other:?}"),
        }
    }

    /// Moves the DevTools network events into `network`, noting the last page loaded.
    async fn read_network_log(&mut self) {
        let entries = self
            .chromedriver("se/log", json!({ "type": "performance" }))
            .await;
        for entry in entries.as_array().unwrap() {
            if let Some(document) = document_response(entry) {
                self.last_document = Some(document);
            }
            self.network.push(entry.clone());
        }
    }

    /// Waits for an element matching `css`, in any language.
    pub(crate) async fn wait_for(&self, css: &str) -> fantoccini::elements::Element {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(element) = self.client.find(Locator::Css(css)).await {
                return element;
            }
            assert!(Instant::now() < deadline, "no {css} within 20 s");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub(crate) async fn click(&self, css: &str) {
        click(&self.client, css).await;
    }

    pub(crate) async fn type_into(&self, css: &str, text: &str) {
        type_into(&self.client, css, text).await;
    }

    fn screenshot_path(&self, suffix: &str) -> PathBuf {
        let run = self.run;
        repository().join("target/screenshots").join(format!(
            "{}-{}-{}-{}{suffix}.png",
            self.name,
            run.lang.code(),
            run.js.name(),
            self.pages
        ))
    }

    /// The whole page, not only what fits the window: the window is stretched to the page's
    /// height for the picture (WebDriver screenshots show the viewport only).
    async fn save_screenshot(&self, suffix: &str, width: u32) {
        let path = self.screenshot_path(suffix);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let height = self
            .execute("return document.documentElement.scrollHeight")
            .await
            .as_u64()
            .unwrap_or(900)
            .clamp(400, 6000);
        self.client
            .set_window_size(width, u32::try_from(height).unwrap())
            .await
            .unwrap();
        std::fs::write(&path, self.client.screenshot().await.unwrap()).unwrap();
    }

    /// The first screen of the page as it is now, at 1280 × 900 (`…-<n>-view.png`, beside the
    /// check's whole-page pictures): small enough for the README.
    pub(crate) async fn save_view_screenshot(&self) {
        self.client
            .set_window_size(DESKTOP.0, DESKTOP.1)
            .await
            .unwrap();
        self.execute("window.scrollTo(0, 0); return 1").await;
        let path = self.screenshot_path("-view");
        std::fs::write(&path, self.client.screenshot().await.unwrap()).unwrap();
    }

    /// Every check a page must pass, with its screenshots saved first. Panics listing all
    /// findings at once, so one run shows everything wrong with the page.
    pub(crate) async fn check_page(&mut self) {
        let findings = self.page_findings().await;
        let url = self.client.current_url().await.unwrap();
        assert!(
            findings.is_empty(),
            "{} page {} ({url}, {}, JavaScript {:?}):\n  {}",
            self.name,
            self.pages,
            self.run.lang.code(),
            self.run.js,
            findings.join("\n  ")
        );
    }

    /// `check_page` for a page that answers with an error on purpose (a refusal, a page not
    /// found): it must have come with `status`, and the console line the browser writes for
    /// every such answer is not counted against it.
    pub(crate) async fn check_error_page(&mut self, status: u16) {
        let url = self.client.current_url().await.unwrap();
        assert_eq!(self.status().await, status, "the status of {url}");
        self.expected_console = Some(format!(
            "{url} - Failed to load resource: the server responded with a status of {status} "
        ));
        self.check_page().await;
        self.expected_console = None;
    }

    /// What `check_page` asserts on, as a list of findings.
    pub(crate) async fn page_findings(&mut self) -> Vec<String> {
        self.pages += 1;
        self.wait_until_loaded().await;
        let mut findings = Vec::new();
        findings.extend(self.scripting_findings().await);
        findings.extend(self.language_findings().await);
        self.save_screenshot("", DESKTOP.0).await;
        self.client
            .set_window_size(DESKTOP.0, DESKTOP.1)
            .await
            .unwrap();
        findings.extend(self.width_findings().await);
        findings.extend(self.accessibility_findings().await);
        findings.extend(self.console_findings().await);
        findings.extend(self.request_findings().await);
        findings
    }

    /// Guards the run itself: a "JavaScript off" run in which scripts could run proves nothing.
    async fn scripting_findings(&self) -> Vec<String> {
        let off = self
            .execute("return matchMedia('(scripting: none)').matches")
            .await
            == true;
        if off != (self.run.js == Js::Off) {
            vec![format!(
                "scripting is {} in a run meant to have it {:?}",
                if off { "off" } else { "on" },
                self.run.js
            )]
        } else {
            Vec::new()
        }
    }

    /// `<html lang>` follows the language the browser asked for.
    async fn language_findings(&self) -> Vec<String> {
        let lang = self.execute("return document.documentElement.lang").await;
        if lang != self.run.lang.code() {
            vec![format!(
                "<html lang=\"{}\"> for a browser asking for {}",
                lang.as_str().unwrap_or_default(),
                self.run.lang.accept_language()
            )]
        } else {
            Vec::new()
        }
    }

    /// Nothing may be wider than the window, and every field's label stands beside or just
    /// above it: at 1280 px, and at 390 px, a phone.
    async fn width_findings(&self) -> Vec<String> {
        let mut findings = strings(self.execute(&page_script(OVERFLOW_JS)).await);
        findings.extend(prefixed(
            "at 1280 px",
            self.execute(&page_script(LABELS_JS)).await,
        ));
        self.client
            .set_window_size(NARROW.0, NARROW.1)
            .await
            .unwrap();
        let wide = self.execute(&page_script(OVERFLOW_JS)).await;
        let labels = self.execute(&page_script(LABELS_JS)).await;
        self.save_screenshot("-narrow", NARROW.0).await;
        self.client
            .set_window_size(DESKTOP.0, DESKTOP.1)
            .await
            .unwrap();
        findings.extend(strings(wide));
        findings.extend(prefixed("at 390 px", labels));
        findings
    }

    /// axe-core's serious and critical violations in the light scheme, its contrast rule
    /// again in the dark one, and our own checks of control edges and the focus ring in both.
    async fn accessibility_findings(&self) -> Vec<String> {
        let mut findings = Vec::new();
        self.with_scripts(&format!("{};return 1", self.axe)).await;
        findings.extend(prefixed(
            "light",
            self.with_scripts(&axe_script(None)).await,
        ));
        findings.extend(prefixed(
            "light",
            self.execute(&page_script(CONTROLS_JS)).await,
        ));
        findings.extend(self.focus_findings().await);
        self.set_color_scheme("dark").await;
        self.save_screenshot("-dark", DESKTOP.0).await;
        self.client
            .set_window_size(DESKTOP.0, DESKTOP.1)
            .await
            .unwrap();
        findings.extend(prefixed(
            "dark",
            self.with_scripts(&axe_script(Some("color-contrast"))).await,
        ));
        findings.extend(prefixed(
            "dark",
            self.execute(&page_script(CONTROLS_JS)).await,
        ));
        findings.extend(
            self.focus_findings()
                .await
                .into_iter()
                .map(|f| format!("dark scheme: {f}")),
        );
        self.set_color_scheme("light").await;
        findings
    }

    /// Presses Tab from the top of the page and checks the ring on whatever took focus, then
    /// that the skip link comes first and shows itself when focused.
    async fn focus_findings(&self) -> Vec<String> {
        self.execute(
            "document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); return 1",
        )
        .await;
        // Clicking the page's top-left corner moves the sequential focus starting point there.
        self.client
            .perform_actions(
                fantoccini::actions::MouseActions::new("mouse".into())
                    .then(fantoccini::actions::PointerAction::MoveTo {
                        duration: None,
                        x: 1.0,
                        y: 1.0,
                    })
                    .then(fantoccini::actions::PointerAction::Down {
                        button: fantoccini::actions::MOUSE_BUTTON_LEFT,
                    })
                    .then(fantoccini::actions::PointerAction::Up {
                        button: fantoccini::actions::MOUSE_BUTTON_LEFT,
                    }),
            )
            .await
            .unwrap();
        self.client
            .perform_actions(
                fantoccini::actions::KeyActions::new("keyboard".into())
                    .then(fantoccini::actions::KeyAction::Down {
                        value: fantoccini::key::Key::Tab.into(),
                    })
                    .then(fantoccini::actions::KeyAction::Up {
                        value: fantoccini::key::Key::Tab.into(),
                    }),
            )
            .await
            .unwrap();
        let findings = strings(self.execute(&page_script(FOCUS_JS)).await);
        self.client.release_actions().await.unwrap();
        self.execute("document.activeElement && document.activeElement.blur(); return 1")
            .await;
        findings
    }

    /// Errors in the browser console since the last check.
    async fn console_findings(&self) -> Vec<String> {
        let entries = self
            .chromedriver("se/log", json!({ "type": "browser" }))
            .await;
        entries
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["level"] == "SEVERE")
            .filter(|e| {
                let expected = self.expected_console.as_deref();
                !expected
                    .is_some_and(|line| e["message"].as_str().is_some_and(|m| m.starts_with(line)))
            })
            .map(|e| format!("console error: {}", e["message"]))
            .collect()
    }

    /// Every request the browser made since the last check went to our own origin.
    async fn request_findings(&mut self) -> Vec<String> {
        self.read_network_log().await;
        let entries = Value::Array(std::mem::take(&mut self.network));
        foreign_requests(&entries, &self.origin)
    }

    pub(crate) async fn finish(self) {
        self.client.close().await.unwrap();
    }
}

/// The address and status of a page the browser loaded, if `entry` (one DevTools
/// performance event) is the response to one.
fn document_response(entry: &Value) -> Option<(String, u16)> {
    let message: Value = serde_json::from_str(entry["message"].as_str()?).ok()?;
    let message = &message["message"];
    let params = &message["params"];
    if message["method"] != "Network.responseReceived" || params["type"] != "Document" {
        return None;
    }
    let response = &params["response"];
    Some((
        response["url"].as_str()?.to_owned(),
        // A number in the protocol, which JSON does not tell from a float.
        response["status"].as_f64()? as u16,
    ))
}

/// URLs in a DevTools performance log that leave `origin`. The browser's own pages
/// (`chrome:`, `about:`) and inline `data:` URLs are not network requests to anyone.
pub(crate) fn foreign_requests(entries: &Value, origin: &str) -> Vec<String> {
    let mut foreign = Vec::new();
    for entry in entries.as_array().unwrap() {
        let Some(message) = entry["message"].as_str() else {
            continue;
        };
        let message: Value = serde_json::from_str(message).unwrap();
        let message = &message["message"];
        let url = match message["method"].as_str() {
            Some("Network.requestWillBeSent") => &message["params"]["request"]["url"],
            Some("Network.webSocketCreated") => &message["params"]["url"],
            _ => continue,
        };
        let url = url.as_str().unwrap_or_default();
        let local = ["chrome:", "chrome-untrusted:", "about:", "data:", "blob:"]
            .iter()
            .any(|scheme| url.starts_with(scheme));
        let ours = url == origin || url.starts_with(&format!("{origin}/"));
        if !local && !ours {
            foreign.push(format!("request to another origin: {url}"));
        }
    }
    foreign.sort();
    foreign.dedup();
    foreign
}

fn strings(value: Value) -> Vec<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("expected a list of findings, got {value}"))
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

fn prefixed(scheme: &str, value: Value) -> Vec<String> {
    let scheme = match scheme {
        "light" | "dark" => format!("{scheme} scheme"),
        width => width.to_owned(),
    };
    strings(value)
        .into_iter()
        .map(|finding| format!("{scheme}: {finding}"))
        .collect()
}

/// axe-core over the whole document; only serious and critical violations count.
fn axe_script(only_rule: Option<&str>) -> String {
    let options = match only_rule {
        Some(rule) => format!(
            "{{ runOnly: {{ type: 'rule', values: ['{rule}'] }}, resultTypes: ['violations'] }}"
        ),
        None => "{ resultTypes: ['violations'] }".to_owned(),
    };
    format!(
        "return axe.run(document, {options}).then(r => r.violations
            .filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => `axe ${{v.id}} (${{v.impact}}): ${{v.help}}: ` + v.nodes.slice(0, 4)
                .map(n => n.target.join(' ') + ' → ' + (n.failureSummary || '').replace(/\\s+/g, ' '))
                .join(' | ')))"
    )
}

/// Shared by the scripts below: WCAG contrast of computed colours, and a short name for an
/// element in a finding.
const COLOUR_JS: &str = r#"
const rgba = s => { const m = /rgba?\(([^)]+)\)/.exec(s || ''); if (!m) return null;
  const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
const lum = c => c.slice(0, 3).map(v => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
  .reduce((a, v, i) => a + v * [0.2126, 0.7152, 0.0722][i], 0);
const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
const backdrop = el => { for (let e = el; e; e = e.parentElement) { const c = rgba(getComputedStyle(e).backgroundColor); if (c && c[3] > 0) return c; }
  return matchMedia('(prefers-color-scheme: dark)').matches ? [0, 0, 0, 1] : [255, 255, 255, 1]; };
const describe = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.getAttribute('name') ? `[name=${el.getAttribute('name')}]` : '')
  + (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\s+/).join('.') : '')
  + ((el.textContent || '').trim() ? ` "${el.textContent.trim().replace(/\s+/g, ' ').slice(0, 30)}"` : '');
const shown = el => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
  return r.width > 2 && r.height > 2 && r.right > 0 && r.bottom > 0 && s.visibility !== 'hidden'; };
"#;

/// Nothing wider than the window: names the innermost elements that stick out.
const OVERFLOW_JS: &str = r#"
const root = document.documentElement, width = Math.min(root.clientWidth, innerWidth);
if (root.scrollWidth <= width) return [];
const wide = [...document.body.querySelectorAll('*')].filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.right > width + 0.5; });
const innermost = wide.filter(e => !wide.some(o => o !== e && e.contains(o))).slice(0, 6).map(describe);
return [`at ${innerWidth} px the page is ${root.scrollWidth} px wide; sticking out: ${innermost.join(', ')}`];
"#;

/// WCAG 1.3.1 and 3.3.2 as a sighted reader meets them: a field's label stands on its line
/// before it (after it, for a box or a radio button) or just above it, sharing its column. A
/// grid that puts labels and fields in cells of their own can wrap a label to the end of one
/// row and its field to the start of the next, under another field's label; the markup still
/// pairs them, so axe-core does not notice.
const LABELS_JS: &str = r#"
const found = [];
for (const label of document.querySelectorAll('label[for]')) {
  const control = document.getElementById(label.htmlFor);
  if (!control || control.type === 'hidden' || !shown(label) || !shown(control)) continue;
  const l = label.getBoundingClientRect(), c = control.getBoundingClientRect();
  const sameLine = c.top < l.bottom && l.top < c.bottom;
  const box = control.type === 'checkbox' || control.type === 'radio';
  const before = sameLine && c.left >= l.right - 1 && c.left - l.right < 120;
  const after = box && sameLine && l.left >= c.right - 1 && l.left - c.right < 120;
  const above = c.top >= l.bottom - 1 && c.top - l.bottom < 80 && c.left < l.right && l.left < c.right;
  if (!before && !after && !above) found.push(`${describe(label)} stands apart from ${describe(control)}: `
    + `label at (${Math.round(l.left)}, ${Math.round(l.top)}), field at (${Math.round(c.left)}, ${Math.round(c.top)})`);
}
return found;
"#;

/// WCAG 1.4.11: every field and every button is told apart from what surrounds it by a
/// border or a fill of at least 3:1. Buttons drawn as plain links (no border, no fill) are
/// text, which axe-core checks.
const CONTROLS_JS: &str = r#"
const found = [];
for (const el of document.querySelectorAll('input:not([type=hidden]):not([type=checkbox]):not([type=radio]), select, textarea, button, a.button')) {
  if (!shown(el)) continue;
  const s = getComputedStyle(el), around = backdrop(el.parentElement);
  const fill = rgba(s.backgroundColor);
  const border = s.borderTopStyle !== 'none' && parseFloat(s.borderTopWidth) >= 1 ? rgba(s.borderTopColor) : null;
  const hasFill = fill && fill[3] > 0, hasBorder = border && border[3] > 0;
  if (!hasFill && !hasBorder) continue;
  const best = Math.max(hasBorder ? ratio(border, around) : 0, hasFill ? ratio(fill, around) : 0);
  if (best < 3) found.push(`${describe(el)}: its edge is ${best.toFixed(2)}:1 against its surroundings, needs 3:1`);
}
return found;
"#;

/// After one Tab from the top: a ring of our own on the focused element (2 px or more, 3:1
/// against the page), and the skip link as the first stop, visible, pointing at the page.
const FOCUS_JS: &str = r#"
const found = [], el = document.activeElement;
if (!el || el === document.body || el === document.documentElement) return ['one Tab from the top of the page focused nothing'];
const s = getComputedStyle(el);
if (s.outlineStyle === 'none' || parseFloat(s.outlineWidth) < 2) {
  found.push(`${describe(el)} shows no focus ring of 2 px or more (outline: ${s.outlineStyle} ${s.outlineWidth})`);
} else {
  const r = ratio(rgba(s.outlineColor), backdrop(el.parentElement));
  if (r < 3) found.push(`the focus ring of ${describe(el)} is ${r.toFixed(2)}:1 against the page, needs 3:1`);
}
const skip = document.querySelector('a.skip');
if (!skip) { found.push('no skip link (a.skip)'); return found; }
if (el !== skip) found.push(`one Tab from the top focused ${describe(el)}, not the skip link`);
const target = document.getElementById((skip.getAttribute('href') || '').replace(/^#/, ''));
if (!target) found.push(`the skip link points at ${skip.getAttribute('href')}, which is not on the page`);
const r = skip.getBoundingClientRect();
if (el === skip && (r.bottom <= 0 || r.top >= innerHeight || r.right <= 0 || r.width < 2)) found.push('the focused skip link is off screen');
return found;
"#;

fn page_script(body: &str) -> String {
    format!("{COLOUR_JS}\n{body}")
}

// The helpers the first browser tests used, kept for the journeys written with them.

/// A chromedriver and one browser session in English with scripts off, without the page
/// checks of `Journey`.
pub(crate) struct Driver {
    _chromedriver: Chromedriver,
    _profile: tempfile::TempDir,
    pub(crate) client: Client,
}

pub(crate) async fn browser() -> Option<Driver> {
    if !browser_available(false) {
        return None;
    }
    let chromedriver = Chromedriver::spawn();
    let profile = tempfile::tempdir().unwrap();
    let mut capabilities = capabilities(profile.path(), Lang::En);
    // The portal must work with scripts off, as in Tor Browser's safest mode.
    capabilities["goog:chromeOptions"]["prefs"]["profile.managed_default_content_settings.javascript"] =
        json!(2);
    let client = chromedriver.session(capabilities).await;
    Some(Driver {
        _chromedriver: chromedriver,
        _profile: profile,
        client,
    })
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
        if Instant::now() >= deadline {
            let url = client.current_url().await.map(|u| u.to_string());
            let main = match client.find(Locator::Css("main")).await {
                Ok(main) => main.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            panic!("no {css} containing {needle:?} within 20 s; on {url:?}:\n{main}");
        }
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
    click(browser, "input[name='queue'][value='billing']").await;
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
