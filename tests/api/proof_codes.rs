//! Recovery codes and one-time tokens: the verification hook (a real HTTP server on loopback
//! that checks the desk's signature with Python's own `hmac`), the admins' token lists, the
//! per-ticket failure limit, and that no code or token reaches the database, the logs or the
//! audit log.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use hushdesk::config::ProofHook;
use hushdesk::desk::{CODE_FAILURES_PER_HOUR, CodeOutcome, CodeSource};
use serde_json::json;

use crate::support::{TestApp, files_containing};

/// The product's backend as a stranger writes it: Python's standard library only. It checks
/// `X-Hushdesk-Signature` over `timestamp + "." + body` with `hmac.compare_digest`, refuses a
/// stale timestamp, and answers by the code: `good…` valid (with a label), `slow…` after two
/// seconds, `fail…` 500, `garbage…` not JSON, anything else not valid. Each request it
/// checked is reported on stdout as `signed TICKET` or `unsigned`.
const BACKEND: &str = r#"
import hashlib, hmac, http.server, json, sys, time
secret = open(sys.argv[1], 'rb').read().strip()
class Hook(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass
    def answer(self, status, body):
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_POST(self):
        body = self.rfile.read(int(self.headers['Content-Length']))
        stamp = self.headers.get('X-Hushdesk-Timestamp', '')
        given = self.headers.get('X-Hushdesk-Signature', '')
        want = 'sha256=' + hmac.new(secret, stamp.encode() + b'.' + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(given, want) or abs(time.time() - int(stamp)) > 300:
            print('unsigned', flush=True)
            return self.answer(401, b'{"error":"signature"}')
        request = json.loads(body)
        print('signed', request['ticket'], flush=True)
        code = request['code']
        if code.startswith('good'):
            return self.answer(200, json.dumps({'valid': True, 'label': 'account recovery code'}).encode())
        if code.startswith('slow'):
            time.sleep(2)
            return self.answer(200, b'{"valid": true}')
        if code.startswith('fail'):
            return self.answer(500, b'{"valid": true}')
        if code.startswith('garbage'):
            return self.answer(200, b'<html>valid</html>')
        return self.answer(200, b'{"valid": false}')
class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    def handle_error(self, request, address):
        pass  # the desk gave up on a slow answer, as it should
server = Server(('127.0.0.1', 0), Hook)
print(server.server_address[1], flush=True)
server.serve_forever()
"#;

/// The Python backend, killed when dropped; `lines` collects what it reports.
struct Backend {
    child: Child,
    port: u16,
    lines: Arc<Mutex<Vec<String>>>,
    _dir: tempfile::TempDir,
}

impl Backend {
    fn start(secret: &str) -> Backend {
        let dir = tempfile::tempdir().unwrap();
        let secret_file = dir.path().join("hook-secret");
        std::fs::write(&secret_file, secret).unwrap();
        let mut child = Command::new("python3")
            .arg("-c")
            .arg(BACKEND)
            .arg(&secret_file)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 runs the test backend");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        stdout.read_line(&mut first).unwrap();
        let port = first.trim().parse().unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let collected = Arc::clone(&lines);
        std::thread::spawn(move || {
            for line in stdout.lines().map_while(Result::ok) {
                collected.lock().unwrap().push(line);
            }
        });
        Backend {
            child,
            port,
            lines,
            _dir: dir,
        }
    }

    fn hook(&self, secret: &str) -> ProofHook {
        ProofHook {
            url: format!("http://127.0.0.1:{}/hushdesk/verify", self.port),
            secret: secret.to_owned().into(),
            timeout_ms: 500,
        }
    }

    /// What the backend reported, once it has reported `count` requests (its lines arrive
    /// through a pipe, a moment after its answer) or five seconds passed.
    fn reported(&self, count: usize) -> Vec<String> {
        for _ in 0..100 {
            let lines = self.lines.lock().unwrap().clone();
            if lines.len() >= count {
                return lines;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        self.lines.lock().unwrap().clone()
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const SECRET: &str = "hook-secret-0123456789abcdef0123";

async fn check(app: &TestApp, token: &str, code: &str) -> CodeOutcome {
    app.state
        .desk
        .requester(token)
        .await
        .unwrap()
        .check_recovery_code(code)
        .await
        .unwrap()
}

async fn unacknowledged_hook_alerts(app: &TestApp) -> i64 {
    app.query_values::<i64>(
        "select count(*) from alerts where kind = 'proof_hook_unavailable'",
        &[],
    )
    .await[0]
}

#[tokio::test]
async fn the_hook_is_signed_and_only_a_clear_answer_in_time_counts() {
    let backend = Backend::start(SECRET);
    let hook = backend.hook(SECRET);
    let app = TestApp::spawn_with(|config| config.proofs.hook = Some(hook)).await;
    assert!(
        app.state.desk.recovery_codes_available().await.unwrap(),
        "a hook without lists"
    );
    let (reference, token, _) = app
        .file_via_api("Locked out", "Lost my phone", json!({}))
        .await;

    assert_eq!(
        check(&app, &token, "  good-code-1 ").await,
        CodeOutcome::Valid {
            source: CodeSource::Hook {
                label: Some("account recovery code".into())
            }
        }
    );
    assert_eq!(
        backend.reported(1),
        [format!("signed {reference}")],
        "the backend verified the signature with its own HMAC"
    );
    assert_eq!(
        check(&app, &token, "wrong-code").await,
        CodeOutcome::Invalid
    );
    assert_eq!(
        unacknowledged_hook_alerts(&app).await,
        0,
        "control: no alert yet"
    );

    // A slow hook (2 s against a 500 ms budget), an error status and a malformed answer are
    // each no answer: never valid, and the admins hear of it once, not once per failure.
    for code in ["slow-code", "fail-code", "garbage-code"] {
        assert_eq!(
            check(&app, &token, code).await,
            CodeOutcome::Unavailable,
            "{code}"
        );
    }
    assert_eq!(unacknowledged_hook_alerts(&app).await, 1);
    let whys: Vec<String> = app
        .query_values(
            "select detail from audit_log where action = 'proof_hook_unavailable' order by seq",
            &[],
        )
        .await;
    assert_eq!(whys, ["why=timeout", "why=status", "why=answer"]);
    let reported = backend.reported(5);
    assert_eq!(
        reported.len(),
        5,
        "every request reached the backend: {reported:?}"
    );
    assert!(reported.iter().all(|l| l.starts_with("signed ")));

    // The admin's dashboard words the alert in either language.
    let admin = app.add_agent("hook-admin", "admin", &[]).await;
    let session = app.html_login(&admin).await;
    let page = app
        .html_get(&session, "/admin/alerts?lang=ru")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Проверочный хук не отвечает"), "{page}");
    let proofs = app
        .html_get(&session, "/admin/proofs?lang=en")
        .await
        .text()
        .await
        .unwrap();
    assert!(proofs.contains("127.0.0.1"), "{proofs}");
    assert!(!proofs.contains("/hushdesk/verify"), "the host only");
    assert!(proofs.contains("id=\"hook-failure\">The hook last failed"));
}

#[tokio::test]
async fn a_hook_signed_with_another_secret_is_unavailable_and_an_unreachable_one_too() {
    let backend = Backend::start(SECRET);
    let hook = backend.hook("not-the-backends-secret-0123456789");
    let app = TestApp::spawn_with(|config| config.proofs.hook = Some(hook)).await;
    let (_, token, _) = app
        .file_via_api("Locked out", "Lost my phone", json!({}))
        .await;
    assert_eq!(
        check(&app, &token, "good-code").await,
        CodeOutcome::Unavailable
    );
    assert_eq!(
        backend.reported(1),
        ["unsigned"],
        "control: the backend checks"
    );

    let nobody = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = nobody.local_addr().unwrap().port();
    drop(nobody);
    let app = TestApp::spawn_with(|config| {
        config.proofs.hook = Some(ProofHook {
            url: format!("http://127.0.0.1:{port}/"),
            secret: SECRET.to_owned().into(),
            timeout_ms: 500,
        })
    })
    .await;
    let (_, token, _) = app
        .file_via_api("Locked out", "Lost my phone", json!({}))
        .await;
    assert_eq!(
        check(&app, &token, "good-code").await,
        CodeOutcome::Unavailable
    );
    let why: Vec<String> = app
        .query_values(
            "select detail from audit_log where action = 'proof_hook_unavailable'",
            &[],
        )
        .await;
    assert_eq!(why, ["why=connection"]);
}

#[tokio::test]
async fn a_used_list_token_is_not_sent_to_the_hook_for_a_second_opinion() {
    let backend = Backend::start(SECRET);
    let hook = backend.hook(SECRET);
    let app = TestApp::spawn_with(|config| config.proofs.hook = Some(hook)).await;
    let admin = app.add_agent("both-admin", "admin", &[]).await;
    let session = app.html_login(&admin).await;
    import(&app, &session, "both", "good-list-token-1").await;
    let (_, token, _) = app
        .file_via_api("Locked out", "Lost my phone", json!({}))
        .await;
    let from_list = CodeOutcome::Valid {
        source: CodeSource::List("both".into()),
    };
    assert_eq!(check(&app, &token, "GOOD-LIST-TOKEN-1").await, from_list);
    assert_eq!(
        check(&app, &token, "good-list-token-1").await,
        CodeOutcome::Invalid
    );
    assert!(
        matches!(
            check(&app, &token, "good-other-code").await,
            CodeOutcome::Valid {
                source: CodeSource::Hook { .. }
            }
        ),
        "control: the hook says yes to what the lists do not hold"
    );
    // Waits the full five seconds for a second report that must not come.
    let reported = backend.reported(2);
    assert_eq!(reported.len(), 1, "{reported:?}");
}

/// Imports a list through the admin page and answers the redirect's location.
async fn import(
    app: &TestApp,
    session: &crate::support::HtmlSession,
    name: &str,
    tokens: &str,
) -> reqwest::Response {
    app.html_post(
        session,
        "/admin/proofs",
        &[("name", name), ("tokens", tokens)],
    )
    .await
}

#[tokio::test]
async fn an_imported_token_proves_once_in_any_spelling() {
    let app = TestApp::spawn().await;
    let admin = app.add_agent("lists-admin", "admin", &[]).await;
    let session = app.html_login(&admin).await;
    let imported = import(
        &app,
        &session,
        "recovery codes 2026-11",
        "ZQ7K-4MRT-9XWP\n\n  hb3v 88ty ka21 \nzq7k4mrt9xwp\n",
    )
    .await;
    assert_eq!(imported.status(), 303);
    assert_eq!(
        imported.headers()["location"],
        "/admin/proofs?stored=2&duplicates=1"
    );
    let (_, token, _) = app
        .file_via_api("Locked out", "Lost my phone", json!({}))
        .await;
    let (_, other, _) = app.file_via_api("Me too", "Lost mine too", json!({})).await;

    assert_eq!(
        check(&app, &token, "zq7k-4mrt-9xwq").await,
        CodeOutcome::Invalid
    );
    let from_list = CodeOutcome::Valid {
        source: CodeSource::List("recovery codes 2026-11".into()),
    };
    assert_eq!(
        check(&app, &token, " Zq7k 4mrt\u{2013}9XWP ").await,
        from_list
    );
    assert_eq!(
        check(&app, &other, "ZQ7K-4MRT-9XWP").await,
        CodeOutcome::Invalid,
        "a token proves once, for whichever ticket used it first"
    );
    assert_eq!(check(&app, &other, "HB3V-88TY-KA21").await, from_list);

    let page = app
        .html_get(&session, "/admin/proofs?lang=ru")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("recovery codes 2026-11"));
    assert!(
        page.contains("<td>2</td><td>2</td>"),
        "total and used: {page}"
    );
    let page = app
        .html_get(&session, "/admin/proofs?stored=2&duplicates=1&lang=en")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("2 tokens imported. 1 token was left out"),
        "{page}"
    );

    // A second list of the same name is refused; a list with a short token is refused
    // naming the line, not the token.
    let again = import(&app, &session, "recovery codes 2026-11", "abcdefgh").await;
    assert_eq!(again.status(), 409);
    let short = import(&app, &session, "short", "abcdefgh\nabc12\n").await;
    assert_eq!(short.status(), 422);
    let refusal = short.text().await.unwrap();
    assert!(refusal.contains("line 2"), "{refusal}");
    assert!(!refusal.contains("abc12"));
    assert_eq!(app.count_rows("proof_token_lists").await, 1);
}

#[tokio::test]
async fn failures_per_ticket_are_limited_and_then_nothing_is_checked() {
    let app = TestApp::spawn().await;
    let admin = app.add_agent("limit-admin", "admin", &[]).await;
    let session = app.html_login(&admin).await;
    assert!(!app.state.desk.recovery_codes_available().await.unwrap());
    import(&app, &session, "limited", "RIGHT-TOKEN-1\nRIGHT-TOKEN-2").await;
    assert!(app.state.desk.recovery_codes_available().await.unwrap());
    let (_, token, _) = app
        .file_via_api("Guessing", "Let me guess", json!({}))
        .await;
    let (_, other, _) = app.file_via_api("Honest", "One try", json!({})).await;
    for n in 0..CODE_FAILURES_PER_HOUR {
        assert_eq!(
            check(&app, &token, &format!("guess-{n:04}")).await,
            CodeOutcome::Invalid
        );
    }
    assert_eq!(
        check(&app, &token, "right-token-1").await,
        CodeOutcome::Limited,
        "past the limit even a right token is not looked at"
    );
    assert_eq!(
        app.query_values::<i64>(
            "select count(*) from proof_tokens where used_at is not null",
            &[]
        )
        .await,
        [0]
    );
    assert_eq!(
        check(&app, &other, "right-token-2").await,
        CodeOutcome::Valid {
            source: CodeSource::List("limited".into())
        },
        "control: the limit is the guessing ticket's alone"
    );
    // An hour on, the old failures no longer count.
    app.execute_sql("update proof_code_failures set at = at - 3601", &[])
        .await;
    assert_eq!(
        check(&app, &token, "right-token-1").await,
        CodeOutcome::Valid {
            source: CodeSource::List("limited".into())
        }
    );

    assert!(
        !app.state.desk.recovery_codes_available().await.unwrap(),
        "every token is used"
    );

    // The requester's "delete now" takes the ticket's failures with it.
    assert_eq!(
        check(&app, &token, "guess-again").await,
        CodeOutcome::Invalid
    );
    assert_eq!(app.count_rows("proof_code_failures").await, 1);
    let deleted = app
        .client
        .delete(app.url(&format!("/api/v1/tickets/{token}")))
        .send()
        .await
        .unwrap();
    assert!(deleted.status().is_success(), "{}", deleted.status());
    assert_eq!(app.count_rows("proof_code_failures").await, 0);
}

#[tokio::test]
async fn only_admins_reach_the_proofs_page_and_deleting_asks_first() {
    let app = TestApp::spawn().await;
    let admin = app.add_agent("del-admin", "admin", &[]).await;
    let agent = app.add_agent("curious", "l3", &["general"]).await;
    let admin_session = app.html_login(&admin).await;
    let agent_session = app.html_login(&agent).await;

    assert_eq!(
        app.get("/admin/proofs").await.status(),
        303,
        "anonymous: sign in"
    );
    assert_eq!(
        app.html_get(&agent_session, "/admin/proofs").await.status(),
        404
    );
    assert_eq!(
        import(&app, &agent_session, "sneaky", "abcdefgh")
            .await
            .status(),
        404
    );
    assert_eq!(app.count_rows("proof_token_lists").await, 0);
    assert_eq!(
        import(&app, &admin_session, "to delete", "abcdefgh\nijklmnop")
            .await
            .status(),
        303
    );
    let id: Vec<i64> = app
        .query_values("select id from proof_token_lists", &[])
        .await;
    let path = format!("/admin/proofs/{}/delete", id[0]);
    let path = path.as_str();
    assert_eq!(
        app.html_post(&agent_session, path, &[("confirm", "yes")])
            .await
            .status(),
        404
    );

    let asked = app.html_post(&admin_session, path, &[]).await;
    assert_eq!(asked.status(), 200);
    let question = asked.text().await.unwrap();
    assert!(
        question.contains("Delete the token list “to delete”?"),
        "{question}"
    );
    assert!(question.contains("Its 2 unused tokens"), "{question}");
    assert_eq!(
        app.count_rows("proof_tokens").await,
        2,
        "asking deleted nothing"
    );

    let deleted = app
        .html_post(&admin_session, path, &[("confirm", "yes")])
        .await;
    assert_eq!(deleted.status(), 303);
    assert_eq!(app.count_rows("proof_token_lists").await, 0);
    assert_eq!(app.count_rows("proof_tokens").await, 0);
    let audit: Vec<String> = app
        .query_values(
            "select action || ' ' || actor || ' ' || detail from audit_log \
             where action like 'proof_tokens_%' order by seq",
            &[],
        )
        .await;
    assert_eq!(
        audit,
        [
            format!(
                "proof_tokens_imported del-admin list={} name=\"to delete\" count=2",
                id[0]
            ),
            format!(
                "proof_tokens_deleted del-admin list={} name=\"to delete\" count=2",
                id[0]
            ),
        ]
    );
}

/// A `tracing` writer that keeps everything written to it.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn no_token_or_code_reaches_the_database_files_the_logs_or_the_audit_log() {
    // The server runs on this test's single thread, so a thread-local subscriber sees all
    // it logs, at every level, from our crate, sqlx, the HTTP stack and the hook's client.
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_env_filter(
            "hushdesk=trace,sqlx=trace,tower_http=trace,axum=trace,reqwest=trace,hyper=trace",
        )
        .with_ansi(false)
        .finish();
    let _logging = tracing::subscriber::set_default(subscriber);
    let backend = Backend::start(SECRET);
    let hook = backend.hook(SECRET);
    let mut app = TestApp::spawn_scannable(
        "no_token_or_code_reaches_the_database_files_the_logs_or_the_audit_log",
        |config| {
            config.access_log = true;
            config.proofs.hook = Some(hook);
        },
    )
    .await;
    let admin = app.add_agent("canary-admin", "admin", &[]).await;
    let session = app.html_login(&admin).await;
    let listed = ["QCANARYTOKENA1", "QCANARYTOKENB2", "QCANARYTOKENC3"];
    assert_eq!(
        import(&app, &session, "canary list", &listed.join("\n"))
            .await
            .status(),
        303
    );
    let (reference, token, _) = app
        .file_via_api("Locked out", "Lost my phone", json!({}))
        .await;
    assert_eq!(
        check(&app, &token, "qcanary-tokena1").await,
        CodeOutcome::Valid {
            source: CodeSource::List("canary list".into())
        }
    );
    assert_eq!(
        check(&app, &token, "QCANARYWRONGX9").await,
        CodeOutcome::Invalid
    );
    assert!(matches!(
        check(&app, &token, "goodQCANARYHOOK7").await,
        CodeOutcome::Valid { .. }
    ));
    assert_eq!(
        check(&app, &token, "slowQCANARYSLOW5").await,
        CodeOutcome::Unavailable
    );
    app.stop().await;

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("/admin/proofs"),
        "control: the capture sees the request log"
    );
    assert!(
        logs.contains(&reference),
        "control: the capture sees the hook's warning"
    );
    let files = app.stored_files().await;
    assert!(
        !files_containing(&files, "canary list").is_empty(),
        "control: the scan finds the list's name"
    );
    let audit: Vec<String> = app
        .query_values(
            "select action || ' ' || coalesce(reference, '') || ' ' || detail from audit_log",
            &[],
        )
        .await;
    let audit = audit.join("\n");
    assert!(audit.contains("proof_token_used"), "control: {audit}");
    for needle in [
        "QCANARYTOKEN",
        "qcanarytoken",
        "qcanary-token",
        "QCANARYWRONG",
        "qcanarywrong",
        "QCANARYHOOK",
        "qcanaryhook",
        "QCANARYSLOW",
        "qcanaryslow",
        SECRET,
    ] {
        assert!(!logs.contains(needle), "{needle} logged");
        assert!(
            files_containing(&files, needle).is_empty(),
            "{needle} stored in {:?}",
            files_containing(&files, needle)
        );
        assert!(!audit.contains(needle), "{needle} in the audit log");
    }
}

#[tokio::test]
async fn the_operator_imports_a_list_from_standard_input_and_a_name_only_once() {
    let app = TestApp::spawn().await;
    let import = |name: &str| {
        let mut child = app
            .command()
            .args(["proofs", "import", "--name", name])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(b"CLI1-TOKEN-AAAA\ncli2-token-bbbb\n")
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let done = import("from the shell");
    assert!(done.status.success(), "{done:?}");
    assert!(
        String::from_utf8_lossy(&done.stdout).contains("2 tokens stored, 0 left out"),
        "{done:?}"
    );
    let again = import("from the shell");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));
    let (_, token, _) = app
        .file_via_api("Locked out", "Lost my phone", json!({}))
        .await;
    assert_eq!(
        check(&app, &token, "cli2 token bbbb").await,
        CodeOutcome::Valid {
            source: CodeSource::List("from the shell".into())
        }
    );
    let audit: Vec<String> = app
        .query_values(
            "select actor || ' ' || detail from audit_log where action = 'proof_tokens_imported'",
            &[],
        )
        .await;
    assert_eq!(audit, ["(operator) list=1 name=\"from the shell\" count=2"]);
}

#[tokio::test]
async fn guesses_sent_at_once_cannot_pass_the_limit_together() {
    let app = TestApp::spawn().await;
    let (_, token, _) = app.file_via_api("Guessing", "All at once", json!({})).await;
    let requester = app.state.desk.requester(&token).await.unwrap();
    let guesses: Vec<_> = (0..2 * CODE_FAILURES_PER_HOUR)
        .map(|n| {
            let requester = requester.clone();
            tokio::spawn(async move {
                requester
                    .check_recovery_code(&format!("parallel-guess-{n:04}"))
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut invalid = 0;
    let mut limited = 0;
    for guess in guesses {
        match guess.await.unwrap() {
            CodeOutcome::Invalid => invalid += 1,
            CodeOutcome::Limited => limited += 1,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(
        (invalid, limited),
        (CODE_FAILURES_PER_HOUR, CODE_FAILURES_PER_HOUR)
    );
    assert_eq!(
        app.count_rows("proof_code_failures").await,
        CODE_FAILURES_PER_HOUR
    );
}

/// The proof flow end to end with a code: the agent may ask only once the desk can check
/// codes; the requester answers on their page; the ticket shows `[CODE-1]` and nothing of
/// the code, a wrong code is refused in the page's language, and a used token cannot prove
/// again.
#[tokio::test]
async fn an_agent_asks_for_a_code_and_the_requester_proves_with_a_listed_token() {
    let app = TestApp::spawn().await;
    let admin = app.add_agent("codes-admin", "admin", &[]).await;
    let agent = app.add_agent("codes-agent", "l1", &["general"]).await;
    let admin_session = app.html_login(&admin).await;
    let session = app.html_login(&agent).await;
    let api = app.api_login(&agent).await;
    let (reference, access, _) = app
        .file_via_api("Locked out", "I lost my second factor", json!({}))
        .await;
    let ask = |session| {
        let path = format!("/agent/tickets/{reference}/proofs");
        let app = &app;
        async move {
            app.html_post(session, &path, &[("kind", "code"), ("expected", "")])
                .await
        }
    };

    // Nothing can check a code yet: asking is refused and names what to set up.
    let refused = ask(&session).await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("token list"));
    assert_eq!(app.count_rows("proof_challenges").await, 0);

    let imported = import(&app, &admin_session, "recovery 2026-11", "RT55-XQ2M-7HKD\n").await;
    assert_eq!(imported.status(), 303);
    assert_eq!(ask(&session).await.status(), 303);

    let page = app
        .get(&format!("/t/{access}?lang=ru"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("name=\"code\""),
        "the code field shows: {page}"
    );
    assert!(page.contains("код восстановления"), "{page}");
    let id = page
        .split("name=\"challenge\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the open challenge's id")
        .to_owned();

    let wrong = app
        .post_form(
            &format!("/t/{access}/proof?lang=ru"),
            &[("challenge", &id), ("code", "RT55-XQ2M-0000")],
        )
        .await;
    assert_eq!(wrong.status(), 422);
    let wrong = wrong.text().await.unwrap();
    assert!(wrong.contains("Код не подошёл"), "{wrong}");
    assert!(
        !wrong.contains("RT55-XQ2M-0000"),
        "a refused code is not echoed"
    );

    let proved = app
        .post_form(
            &format!("/t/{access}/proof"),
            &[("challenge", &id), ("code", "rt55 xq2m 7hkd")],
        )
        .await;
    assert_eq!(proved.status(), 303);
    let ticket: serde_json::Value = app
        .agent_get(&api, &format!("/api/v1/agent/tickets/{reference}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ticket["proofs"][0]["kind"], "code", "{ticket}");
    assert_eq!(ticket["proofs"][0]["subject_mask"], "[CODE-1]");
    let agent_page = app
        .html_get(&session, &format!("/agent/tickets/{reference}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        agent_page.contains("gave a valid code [CODE-1]"),
        "{agent_page}"
    );

    // The only token is used up, so nothing could answer a new challenge; with a fresh
    // list one can be asked again, and the used token still does not answer it.
    assert_eq!(ask(&session).await.status(), 422);
    let imported = import(&app, &admin_session, "recovery 2026-12", "MM4P-2WQZ-8JTE\n").await;
    assert_eq!(imported.status(), 303);
    assert_eq!(ask(&session).await.status(), 303);
    let page = app.get(&format!("/t/{access}")).await.text().await.unwrap();
    let id = page
        .split("name=\"challenge\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let again = app
        .post_form(
            &format!("/t/{access}/proof"),
            &[("challenge", &id), ("code", "RT55-XQ2M-7HKD")],
        )
        .await;
    assert_eq!(again.status(), 422);
    for (table, query) in [
        ("proofs", "select subject_mask from proofs"),
        ("audit_log", "select detail from audit_log"),
    ] {
        let values = app.query_values::<String>(query, &[]).await;
        assert!(!values.is_empty(), "{table} has rows");
        assert!(
            values.iter().all(|v| !v.to_lowercase().contains("xq2m")),
            "{table}: {values:?}"
        );
    }
}

/// A hook that cannot answer does not lock a requester out, unless token lists exist: then
/// each code was still a guess at the lists, and counts, so an outage of the product's
/// backend cannot open the lists to unlimited guessing.
#[tokio::test]
async fn an_unavailable_hook_counts_against_the_requester_only_while_lists_can_be_guessed() {
    let backend = Backend::start(SECRET);
    let hook = backend.hook(SECRET);
    let app = TestApp::spawn_with(|config| config.proofs.hook = Some(hook)).await;
    let (_, token, _) = app.file_via_api("Locked out", "Hook down", json!({})).await;
    for n in 0..CODE_FAILURES_PER_HOUR + 2 {
        assert_eq!(
            check(&app, &token, &format!("fail-{n}")).await,
            CodeOutcome::Unavailable
        );
    }
    assert!(matches!(
        check(&app, &token, "good-after-the-outage").await,
        CodeOutcome::Valid { .. }
    ));

    let admin = app.add_agent("outage-admin", "admin", &[]).await;
    let session = app.html_login(&admin).await;
    assert_eq!(
        import(&app, &session, "outage list", "QW12-ER34-TY56\n")
            .await
            .status(),
        303
    );
    let (_, other, _) = app
        .file_via_api("Locked out too", "Hook down", json!({}))
        .await;
    for n in 0..CODE_FAILURES_PER_HOUR {
        assert_eq!(
            check(&app, &other, &format!("fail-{n}")).await,
            CodeOutcome::Unavailable
        );
    }
    assert_eq!(
        check(&app, &other, "QW12-ER34-TY56").await,
        CodeOutcome::Limited,
        "ten guesses at the lists while the hook was down"
    );
}
