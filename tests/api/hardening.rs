//! Sign-in, sessions, files, headers and `/metrics` as an outside attacker probes them:
//! timing of refused sign-ins, the account page's password check, login CSRF, database
//! file modes, the `Host` header and who may read `/metrics`.

use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::{TestApp, extract_between};

/// Audit entries as stored: (actor, action, detail), oldest first.
async fn audit_entries(app: &TestApp) -> Vec<(String, String, String)> {
    app.query_rows(
        "select actor, action, detail from audit_log order by seq",
        &[],
    )
    .await
}

fn failures_of<'a>(
    entries: &'a [(String, String, String)],
    actor: &str,
) -> Vec<&'a (String, String, String)> {
    entries
        .iter()
        .filter(|(who, action, _)| who == actor && action == "login_failed")
        .collect()
}

async fn timed_api_login(app: &TestApp, name: &str, password: &str) -> Duration {
    let started = Instant::now();
    let response = app
        .post_json(
            "/api/v1/agent/login",
            &json!({ "name": name, "password": password }),
        )
        .await;
    let elapsed = started.elapsed();
    assert_eq!(response.status(), 401, "{name} was not refused");
    elapsed
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

#[tokio::test]
async fn locked_unknown_and_wrong_password_sign_ins_cost_the_same_and_are_all_audited() {
    let app = TestApp::spawn_with(|c| {
        c.agents.max_failed_logins = 3;
        c.rate_limit.logins_burst = 10_000;
    })
    .await;
    let locked = app.add_agent("lockedout", "l1", &["general"]).await;
    let known = app.add_agent("wrongpass", "l1", &["general"]).await;
    for _ in 0..3 {
        timed_api_login(&app, "lockedout", "not the password").await;
    }
    // The first unknown name also hashes the stand-in password once: keep it out.
    timed_api_login(&app, "nosuchagent", "whatever it is").await;

    let (mut locked_times, mut unknown_times, mut wrong_times) = (vec![], vec![], vec![]);
    for round in 0..15 {
        // Interleaved, so a busy moment on the machine hits all three kinds alike.
        // The locked account is tried with its right password: still refused, same cost.
        locked_times.push(timed_api_login(&app, "lockedout", &locked.password).await);
        unknown_times.push(timed_api_login(&app, "nosuchagent", "whatever it is").await);
        wrong_times.push(timed_api_login(&app, "wrongpass", "not the password").await);
        if round % 2 == 1 {
            // A good sign-in resets the count, so this account never locks.
            app.api_login(&known).await;
        }
    }
    let (locked_ms, unknown_ms, wrong_ms) = (
        median(locked_times).as_secs_f64() * 1000.0,
        median(unknown_times).as_secs_f64() * 1000.0,
        median(wrong_times).as_secs_f64() * 1000.0,
    );
    eprintln!(
        "median refused sign-in: locked {locked_ms:.1} ms, unknown {unknown_ms:.1} ms, wrong password {wrong_ms:.1} ms"
    );
    // Before, a locked account answered about ten times faster than the others.
    assert!(
        locked_ms >= 0.5 * unknown_ms && locked_ms >= 0.5 * wrong_ms,
        "locked {locked_ms:.1} ms vs unknown {unknown_ms:.1} ms / wrong {wrong_ms:.1} ms"
    );
    assert!(
        unknown_ms >= 0.5 * wrong_ms && wrong_ms >= 0.5 * unknown_ms,
        "unknown {unknown_ms:.1} ms vs wrong {wrong_ms:.1} ms"
    );

    let entries = audit_entries(&app).await;
    let locked_failures = failures_of(&entries, "lockedout");
    // Three that locked it, then fifteen while locked: every attempt has its entry.
    assert_eq!(locked_failures.len(), 18, "{locked_failures:?}");
    assert!(locked_failures[2].2.contains("locked=yes"));
    assert!(
        locked_failures[3..]
            .iter()
            .all(|(_, _, detail)| detail == "at=sign_in while_locked=yes"),
        "{locked_failures:?}"
    );
    assert_eq!(failures_of(&entries, "(unknown)").len(), 16);
    assert_eq!(failures_of(&entries, "wrongpass").len(), 15);
}

#[tokio::test]
async fn the_account_pages_password_check_counts_toward_the_lockout_and_is_audited() {
    let app = TestApp::spawn_with(|c| {
        c.agents.max_failed_logins = 3;
        c.rate_limit.logins_burst = 1000;
    })
    .await;
    let agent = app.add_agent("hank", "l1", &["general"]).await;
    let session = app.html_login(&agent).await;
    let new_password = "a brand new passphrase";

    // The right current password still works.
    let changed = app
        .html_post(
            &session,
            "/agent/account/password",
            &[
                ("current", agent.password.as_str()),
                ("new", new_password),
                ("confirm", new_password),
            ],
        )
        .await;
    assert_eq!(changed.status(), 200);
    assert!(changed.text().await.unwrap().contains("Password changed"));

    let guess = |n: usize| format!("guess number {n} of many");
    for n in 0..2 {
        let wrong = app
            .html_post(
                &session,
                "/agent/account/password",
                &[
                    ("current", guess(n).as_str()),
                    ("new", "another passphrase!"),
                    ("confirm", "another passphrase!"),
                ],
            )
            .await;
        assert_eq!(wrong.status(), 200);
        assert!(
            wrong
                .text()
                .await
                .unwrap()
                .contains("The current password is wrong.")
        );
    }
    // The third wrong answer locks the account and ends the guessing session.
    let third = app
        .html_post(
            &session,
            "/agent/account/password",
            &[
                ("current", guess(2).as_str()),
                ("new", "another passphrase!"),
                ("confirm", "another passphrase!"),
            ],
        )
        .await;
    assert_eq!(third.status(), 303);
    assert_eq!(third.headers()["location"], "/agent/login");
    assert_eq!(app.html_get(&session, "/agent/account").await.status(), 303);
    // Locked: the (changed) right password does not sign in now.
    let refused = app
        .post_json(
            "/api/v1/agent/login",
            &json!({ "name": "hank", "password": new_password }),
        )
        .await;
    assert_eq!(refused.status(), 401);

    let entries = audit_entries(&app).await;
    let failures = failures_of(&entries, "hank");
    let details: Vec<&str> = failures.iter().map(|(_, _, d)| d.as_str()).collect();
    assert_eq!(
        details,
        [
            "at=account_page",
            "at=account_page",
            "at=account_page locked=yes",
            "at=sign_in while_locked=yes"
        ]
    );
    let all = format!("{entries:?}");
    assert!(
        !all.contains("guess number"),
        "passwords must never be logged"
    );
}

#[tokio::test]
async fn the_account_pages_password_check_shares_the_sign_in_rate_limit() {
    let app = TestApp::spawn_with(|c| {
        c.rate_limit.logins_burst = 3;
        c.rate_limit.logins_refill_seconds = 3600;
        c.agents.max_failed_logins = 100;
    })
    .await;
    let agent = app.add_agent("iris", "l1", &["general"]).await;
    // One sign-in (the form itself is free to show), then two password checks fit the budget.
    let session = app.html_login(&agent).await;
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let response = app
            .html_post(
                &session,
                "/agent/account/password",
                &[
                    ("current", "is it this one?"),
                    ("new", "another passphrase!"),
                    ("confirm", "another passphrase!"),
                ],
            )
            .await;
        statuses.push(response.status().as_u16());
    }
    assert_eq!(statuses, [200, 200, 429]);
    // The budget is the network's, shared with sign-in.
    let sign_in = app
        .post_json(
            "/api/v1/agent/login",
            &json!({ "name": "iris", "password": agent.password }),
        )
        .await;
    assert_eq!(sign_in.status(), 429);
}

#[tokio::test]
async fn the_sign_in_form_refuses_posts_without_its_own_token() {
    let app = TestApp::spawn().await;
    let agent = app.add_agent("ivy", "l1", &["general"]).await;
    let fields = [("name", "ivy"), ("password", agent.password.as_str())];
    let post = |cookie: Option<String>, token: Option<String>| {
        let mut all: Vec<(&str, String)> =
            fields.iter().map(|(k, v)| (*k, v.to_string())).collect();
        if let Some(token) = token {
            all.push(("csrf", token));
        }
        let mut request = app.client.post(app.url("/agent/login")).form(&all);
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        request.send()
    };
    let signed_in = |response: &reqwest::Response| {
        response
            .headers()
            .get_all("set-cookie")
            .iter()
            .any(|c| c.to_str().unwrap().starts_with("hushdesk_session="))
    };

    // What a cross-site form would send: no cookie, no token.
    let bare = post(None, None).await.unwrap();
    assert_eq!(bare.status(), 403);
    assert!(!signed_in(&bare));
    let (cookie, token) = app.login_form().await;
    let (other_cookie, other_token) = app.login_form().await;
    assert_ne!(token, other_token);
    for (cookie, token) in [
        (Some(cookie.clone()), None),
        (Some(cookie.clone()), Some("1.forged".to_owned())),
        // A token is bound to the nonce in its own cookie.
        (Some(cookie.clone()), Some(other_token.clone())),
        (None, Some(token.clone())),
    ] {
        let response = post(cookie, token).await.unwrap();
        assert_eq!(response.status(), 403);
        assert!(!signed_in(&response));
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("expired or did not come from this site")
        );
    }
    assert_eq!(app.count_rows("sessions").await, 0);

    // The form's cookie is kept from other sites and scripts.
    let form = app.get("/agent/login").await;
    let set_cookie = form.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(set_cookie.starts_with("hushdesk_login="), "{set_cookie}");
    assert!(
        set_cookie.contains("HttpOnly")
            && set_cookie.contains("SameSite=Strict")
            && set_cookie.contains("Path=/agent/login"),
        "{set_cookie}"
    );

    // Shown, then posted: signs in.
    let ok = post(Some(other_cookie), Some(other_token)).await.unwrap();
    assert_eq!(ok.status(), 303);
    assert!(signed_in(&ok));
    assert_eq!(app.count_rows("sessions").await, 1);
}

const BIN: &str = env!("CARGO_BIN_EXE_hushdesk");

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Runs the binary under `umask 022`, as a default shell would.
fn with_umask_022(cwd: &Path, args: &[&str]) -> Command {
    let mut command = Command::new("/bin/sh");
    command
        .arg("-c")
        .arg("umask 022 && exec \"$@\"")
        .arg("sh")
        .arg(BIN)
        .args(args)
        .current_dir(cwd)
        .env_clear();
    command
}

#[tokio::test]
async fn database_files_are_owner_only_in_an_open_data_directory() {
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = with_umask_022(temp.path(), &["serve", "--data-dir", "data"])
        .env("HUSHDESK_LISTEN", format!("127.0.0.1:{port}"))
        .env("HUSHDESK_SMTP_LISTEN", "127.0.0.1:0")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut server = Running(child);
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(response) = reqwest::get(format!("{base}/healthz")).await
            && response.status() == 200
        {
            break;
        }
        assert!(Instant::now() < deadline, "hushdesk did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let filed = reqwest::Client::new()
        .post(format!("{base}/api/v1/tickets"))
        .json(&json!({ "subject": "Modes", "body": "Who can read this?", "category": "functionality" }))
        .send()
        .await
        .unwrap();
    assert_eq!(filed.status(), 201);
    for name in ["hushdesk.db", "hushdesk.db-wal", "hushdesk.db-shm"] {
        let path = data.join(name);
        assert!(path.exists(), "{name} missing");
        assert_eq!(mode(&path), 0o600, "{name} is {:o}", mode(&path));
    }
    assert_eq!(
        mode(&data),
        0o755,
        "the operator's directory is left as it was"
    );

    let stopped = Command::new("kill")
        .args(["-TERM", &server.0.id().to_string()])
        .status()
        .unwrap();
    assert!(stopped.success());
    server.0.wait().unwrap();
    let mut log = String::new();
    server
        .0
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    assert!(log.contains("open to other users (mode 0755)"), "{log}");

    let check = with_umask_022(temp.path(), &["check-config", "--data-dir", "data"])
        .output()
        .unwrap();
    assert!(check.status.success());
    assert!(String::from_utf8_lossy(&check.stderr).contains("open to other users"));
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o700)).unwrap();
    let check = with_umask_022(temp.path(), &["check-config", "--data-dir", "data"])
        .output()
        .unwrap();
    assert!(check.status.success());
    assert!(!String::from_utf8_lossy(&check.stderr).contains("open to other users"));
}

/// A running binary that is killed if the test fails before stopping it.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

#[tokio::test]
async fn the_access_link_is_never_built_from_the_host_header() {
    let app = TestApp::spawn().await;
    let fields = [
        ("subject", "Locked out"),
        ("body", "I cannot sign in."),
        ("category", "functionality"),
    ];
    let response = app
        .client
        .post(app.url("/tickets"))
        .header("host", "evil.example")
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let page = response.text().await.unwrap();
    assert!(!page.contains("evil.example"), "{page}");
    let shown = extract_between(&page, "<p class=\"link\">", "</p>").unwrap();
    assert!(shown.contains(">/t/"), "{shown}");

    // With a configured public URL the link is absolute, on that URL, whatever the Host says.
    let configured =
        TestApp::spawn_with(|c| c.public_url = Some("https://help.example.org".into())).await;
    let page = configured
        .client
        .post(configured.url("/tickets"))
        .header("host", "evil.example")
        .form(&fields)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("evil.example"), "{page}");
    assert!(page.contains(">https://help.example.org/t/"), "{page}");
}

const METRICS_TOKEN: &str = "metrics-scraper-token-0123456789";

#[tokio::test]
async fn metrics_need_the_token_or_an_admin_even_from_loopback() {
    let app = TestApp::spawn_with(|c| c.metrics_token = Some(METRICS_TOKEN.into())).await;
    let anonymous = app.get("/metrics").await;
    assert_eq!(anonymous.status(), 401);
    assert!(anonymous.headers().contains_key("www-authenticate"));
    for wrong in [
        "wrong",
        "metrics-scraper-token-012345678",
        "metrics-scraper-token-01234567890",
    ] {
        let response = app
            .client
            .get(app.url("/metrics"))
            .bearer_auth(wrong)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401, "{wrong}");
    }
    let scraped = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(scraped.status(), 200);
    assert!(
        scraped
            .text()
            .await
            .unwrap()
            .contains("# TYPE hushdesk_tickets_stored gauge")
    );
    // An admin's own session reads it too; another agent's does not.
    let admin = app.add_agent("metricsadmin", "admin", &[]).await;
    let token = app.api_login(&admin).await;
    assert_eq!(app.agent_get(&token, "/metrics").await.status(), 200);
    let agent = app.add_agent("plainagent", "l1", &["general"]).await;
    let token = app.api_login(&agent).await;
    assert_eq!(app.agent_get(&token, "/metrics").await.status(), 404);

    // No token configured: still closed on loopback (the onion-service case).
    let untokened = TestApp::spawn().await;
    assert_eq!(untokened.get("/metrics").await.status(), 401);
    // Open only when the operator says so.
    let public = TestApp::spawn_with(|c| c.metrics_public = true).await;
    assert_eq!(public.get("/metrics").await.status(), 200);
}
