//! The real `hushdesk` binary: zero-configuration start, signals, the CLI verbs.

use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_hushdesk");

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running binary that is killed if the test fails before stopping it.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// Starts the binary in `cwd` with only `HUSHDESK_LISTEN` set, and waits until it answers.
async fn start(cwd: &Path, port: u16, args: &[&str]) -> Running {
    let child = Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .env_clear()
        .env("HUSHDESK_LISTEN", format!("127.0.0.1:{port}"))
        .env("HUSHDESK_SMTP_LISTEN", "127.0.0.1:0")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let child = Running(child);
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(response) = reqwest::get(format!("http://127.0.0.1:{port}/healthz")).await
            && response.status() == 200
        {
            return child;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("hushdesk did not start within 60 s");
}

fn terminate(Running(child): &mut Running) -> std::process::ExitStatus {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "hushdesk did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test]
async fn a_bare_start_creates_its_data_directory_and_stops_cleanly_on_sigterm_without_logging_content()
 {
    let cwd = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = start(cwd.path(), port, &[]).await;
    let data = cwd.path().join("data");

    assert_eq!(mode(&data), 0o700);
    assert!(data.join("hushdesk.db").exists());
    for key in ["age-identity.txt", "pepper", "openpgp-secret.asc"] {
        assert_eq!(mode(&data.join("keys").join(key)), 0o600, "{key}");
    }
    let canary = "binary.canary.person@example.com";
    let client = reqwest::Client::new();
    let created: Value = client
        .post(format!("http://127.0.0.1:{port}/api/v1/tickets"))
        .json(&json!({"subject": "Log check", "body": format!("I am {canary}"), "category": "security", "contact": canary}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = created["access_token"].as_str().unwrap().to_owned();
    let view = client
        .get(format!("http://127.0.0.1:{port}/t/{token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(view.status(), 200);

    let status = terminate(&mut child);

    assert!(status.success(), "graceful shutdown exits 0, got {status}");
    let mut stderr = String::new();
    child
        .0
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(stderr.contains("hushdesk is listening"), "{stderr}");
    assert!(stderr.contains("shutting down"), "{stderr}");
    assert!(!stderr.contains(canary), "no content in logs");
    assert!(!stderr.contains(&token), "no token in logs");

    let url = format!("sqlite://{}?mode=ro", data.join("hushdesk.db").display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let journal: String = sqlx::query_scalar("pragma journal_mode")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(journal, "wal");
    let migrations: i64 = sqlx::query_scalar("select count(*) from _sqlx_migrations")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(migrations >= 1);
    pool.close().await;
    let files = crate::support::files_under(&data);
    assert!(crate::support::files_containing(&files, canary).is_empty());
}

#[tokio::test]
async fn a_broken_rule_set_keeps_the_server_from_starting_and_says_where() {
    let cwd = tempfile::tempdir().unwrap();
    let rules = cwd.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    std::fs::write(
        rules.join("hostile.toml"),
        "[[rule]]\nid = \"greedy\"\ndescription = \"d\"\nmask = \"X\"\nregex = \"(unclosed\"\nexamples = [\"x\"]\n",
    )
    .unwrap();
    std::fs::write(
        cwd.path().join("hushdesk.toml"),
        format!("redaction_rules = {:?}\n", rules.display().to_string()),
    )
    .unwrap();

    let output = Command::new(BIN)
        .args([
            "serve",
            "--config",
            "hushdesk.toml",
            "--listen",
            &format!("127.0.0.1:{}", free_port()),
        ])
        .current_dir(cwd.path())
        .env_clear()
        .output()
        .unwrap();

    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("hostile.toml")
            && stderr.contains("greedy")
            && stderr.contains("bad regex"),
        "{stderr}"
    );
}

#[test]
fn redact_masks_standard_input_and_reports_byte_offsets() {
    let mut child = Command::new(BIN)
        .args(["redact", "--json"])
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let input = "Карта 4111 1111 1111 1111, почта ivan@example.ru";
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();

    assert_eq!(json["text"], "Карта [CARD-1], почта [EMAIL-1]");
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2);
    let span = |f: &Value| {
        &input[f["start"].as_u64().unwrap() as usize..f["end"].as_u64().unwrap() as usize]
    };
    assert_eq!(findings[0]["rule"], "payment_card");
    assert_eq!(span(&findings[0]), "4111 1111 1111 1111");
    assert_eq!(span(&findings[1]), "ivan@example.ru");
}

#[test]
fn key_export_prints_the_helpdesk_public_key_and_never_the_secret() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(BIN)
        .args(["key", "export", "--data-dir"])
        .arg(dir.path().join("data"))
        .env_clear()
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let armored = String::from_utf8(output.stdout).unwrap();
    assert!(armored.starts_with("-----BEGIN PGP PUBLIC KEY BLOCK-----"));
    assert!(!armored.contains("PRIVATE"));
}

#[test]
fn check_config_refuses_unknown_keys() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.toml"), "listn = \"127.0.0.1:1\"\n").unwrap();
    let output = Command::new(BIN)
        .args(["check-config", "--config", "bad.toml"])
        .current_dir(dir.path())
        .env_clear()
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("listn"));
}

#[tokio::test]
async fn agent_add_prints_the_password_then_the_otpauth_uri_and_both_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str], stdin: &str| {
        let mut child = Command::new(BIN)
            .args(args)
            .env_clear()
            .env("HUSHDESK_DATA_DIR", dir.path().join("data"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let senior = run(
        &[
            "agent", "add", "--name", "yara", "--role", "l3", "--queue", "security",
        ],
        "",
    );
    assert!(senior.status.success(), "{senior:?}");
    let stdout = String::from_utf8(senior.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    let password = lines[0];
    assert!(password.len() >= 20 && !password.contains(' '));
    assert!(lines[1].starts_with("otpauth://totp/"), "{stdout}");

    let junior = run(
        &[
            "agent",
            "add",
            "--name",
            "zed",
            "--role",
            "l1",
            "--password-stdin",
        ],
        "a long chosen password\n",
    );
    assert!(junior.status.success());
    assert!(
        junior.stdout.is_empty(),
        "nothing to hand over: the password was chosen"
    );

    let duplicate = run(&["agent", "add", "--name", "zed", "--role", "l2"], "");
    assert!(!duplicate.status.success());
    assert!(String::from_utf8_lossy(&duplicate.stderr).contains("already exists"));
    let bad_queue = run(
        &[
            "agent", "add", "--name", "amy", "--role", "l2", "--queue", "nope",
        ],
        "",
    );
    assert!(!bad_queue.status.success());
    let bad_role = run(&["agent", "add", "--name", "amy", "--role", "root"], "");
    assert!(!bad_role.status.success());

    let port = free_port();
    let mut server = start_with_data_dir(dir.path(), port).await;
    let client = reqwest::Client::new();
    let login = |body: Value| {
        client
            .post(format!("http://127.0.0.1:{port}/api/v1/agent/login"))
            .json(&body)
            .send()
    };
    let totp = totp_rs::Totp::from_url(lines[1]).unwrap();
    let code = totp.generate_current().to_string();
    let senior_login = login(json!({ "name": "yara", "password": password, "totp": code }))
        .await
        .unwrap();
    assert_eq!(senior_login.status(), 200);
    let junior_login = login(json!({ "name": "zed", "password": "a long chosen password" }))
        .await
        .unwrap();
    assert_eq!(junior_login.status(), 200);
    assert!(terminate(&mut server).success());
}

async fn start_with_data_dir(dir: &Path, port: u16) -> Running {
    let child = Command::new(BIN)
        .env_clear()
        .env("HUSHDESK_LISTEN", format!("127.0.0.1:{port}"))
        .env("HUSHDESK_SMTP_LISTEN", "127.0.0.1:0")
        .env("HUSHDESK_DATA_DIR", dir.join("data"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let child = Running(child);
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(response) = reqwest::get(format!("http://127.0.0.1:{port}/healthz")).await
            && response.status() == 200
        {
            return child;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("hushdesk did not start within 60 s");
}

/// Waits up to `limit` for a child to exit; `None` if it is still running (then killed).
fn exit_within(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    None
}

/// An instance started on a desk's database with other keys (a fresh data directory, as
/// when keys/ was not copied to a new instance) refuses to start instead of appending audit
/// entries that would break the chain for good; with the desk's own keys it starts.
#[tokio::test]
async fn a_server_with_other_keys_than_the_desk_refuses_to_start() {
    let mut app = crate::support::TestApp::spawn().await;
    app.file_via_api("Keys", "A ticket so the chain has entries", json!({}))
        .await;
    app.stop().await;
    let database_url = app
        .postgres_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", app.data_dir.join("hushdesk.db").display()));
    let other = tempfile::tempdir().unwrap();
    let serve = |data_dir: &Path| {
        Command::new(BIN)
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--smtp-listen",
                "127.0.0.1:0",
            ])
            .env_clear()
            .env("HUSHDESK_DATA_DIR", data_dir)
            .env("HUSHDESK_DATABASE_URL", &database_url)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };

    let mut stranger = serve(&other.path().join("data"));
    let status = exit_within(&mut stranger, Duration::from_secs(30));
    let mut said = String::new();
    stranger
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut said)
        .unwrap();
    assert!(
        status.is_some_and(|s| !s.success()),
        "an instance with other keys kept running: {said}"
    );
    assert!(said.contains("did not sign"), "{said}");

    // Positive control: the desk's own data directory (its keys) starts and keeps running.
    let mut own = serve(&app.data_dir);
    assert!(
        exit_within(&mut own, Duration::from_secs(3)).is_none(),
        "the desk's own keys should start the server"
    );
    let verified = Command::new(BIN)
        .args(["audit", "verify"])
        .env_clear()
        .env("HUSHDESK_DATA_DIR", &app.data_dir)
        .env("HUSHDESK_DATABASE_URL", &database_url)
        .output()
        .unwrap();
    assert!(verified.status.success(), "{verified:?}");
}
