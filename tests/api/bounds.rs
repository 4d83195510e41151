//! Bounded resources, from outside over raw TCP: connection caps per network and in all, the
//! header and body deadlines of HTTP, the session deadline of SMTP, and the memory budget of
//! received mail. Peers on other networks come from other loopback addresses (127.0.0.0/8 is
//! all loopback on Linux): 127.0.1.1 is a different /24 from 127.0.0.1.

use std::net::{IpAddr, SocketAddr};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

use crate::support::TestApp;

const BIN: &str = env!("CARGO_BIN_EXE_hushdesk");
const DESK: &str = "support@localhost";

fn loopback(last: &str) -> IpAddr {
    last.parse().unwrap()
}

/// A TCP connection to `to` from the address `from`.
async fn connect_from(from: IpAddr, to: SocketAddr) -> TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::new(from, 0)).unwrap();
    socket.connect(to).await.unwrap()
}

fn addr_of(app: &TestApp) -> SocketAddr {
    app.base.trim_start_matches("http://").parse().unwrap()
}

/// `GET /healthz` on a new connection from `from`: the status line, and the time from
/// connecting to the end of the answer.
async fn healthz_from(from: IpAddr, to: SocketAddr) -> (String, Duration) {
    let started = Instant::now();
    let mut stream = connect_from(from, to).await;
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: desk\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer)).await;
    let elapsed = started.elapsed();
    let answer = String::from_utf8_lossy(&answer).into_owned();
    (answer.lines().next().unwrap_or("").to_owned(), elapsed)
}

/// How the server treats an open connection within `wait`: what it sent before closing, or
/// `None` while it keeps the connection open without a word.
async fn closed_within(stream: &mut TcpStream, wait: Duration) -> Option<String> {
    let mut answer = Vec::new();
    match tokio::time::timeout(wait, stream.read_to_end(&mut answer)).await {
        Ok(_) => Some(String::from_utf8_lossy(&answer).into_owned()),
        Err(_) => None,
    }
}

// --- HTTP ---

/// The binary under a descriptor limit of 256, HTTP only, with a cap of 20 connections.
struct Limited {
    child: Child,
    addr: SocketAddr,
    _dir: tempfile::TempDir,
}

impl Drop for Limited {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_with_few_descriptors() -> Limited {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("hushdesk.toml");
    std::fs::write(
        &config,
        "[http]\nmax_connections = 20\nmax_connections_per_network = 20\n[mail]\nenabled = false\n",
    )
    .unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    // `ulimit -n` sets the soft and the hard limit: the server cannot raise it.
    let child = Command::new("sh")
        .args(["-c", "ulimit -n 256 && exec \"$0\" \"$@\"", BIN, "serve"])
        .args(["--config", config.to_str().unwrap()])
        .args(["--data-dir", dir.path().join("data").to_str().unwrap()])
        .args(["--listen", &addr.to_string()])
        .env_clear()
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let limited = Limited {
        child,
        addr,
        _dir: dir,
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(stream) = TcpStream::connect(addr).await {
            drop(stream);
            let (status, _) = healthz_from(loopback("127.0.0.1"), addr).await;
            if status.contains("200") {
                return limited;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("hushdesk did not start within 60 s");
}

// On main, 1,100 idle sockets used up the descriptors and nobody else could connect.
#[tokio::test]
async fn idle_sockets_beyond_the_descriptor_limit_do_not_keep_healthz_from_answering() {
    let server = start_with_few_descriptors().await;
    // More idle connections than the server has descriptors, all from one network.
    let mut idle = Vec::new();
    for _ in 0..300 {
        idle.push(TcpStream::connect(server.addr).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(300)).await;

    // A new client elsewhere is answered at once: an idle connection makes room for it.
    let (status, elapsed) = healthz_from(loopback("127.0.2.1"), server.addr).await;
    assert!(status.contains("200"), "{status:?}");
    assert!(elapsed < Duration::from_millis(100), "took {elapsed:?}");

    // Those past the network's cap of 20 were told so and closed at once; the first ones
    // were kept open (positive control: the cap closes some, not all).
    let mut refused = 0;
    let mut kept = 0;
    for stream in idle.iter_mut() {
        match closed_within(stream, Duration::from_millis(20)).await {
            Some(answer) if answer.starts_with("HTTP/1.1 503") || answer.is_empty() => refused += 1,
            Some(other) => panic!("unexpected answer {other:?}"),
            None => kept += 1,
        }
    }
    assert!(refused >= 280, "refused {refused}, kept {kept}");
    assert!(kept >= 18, "refused {refused}, kept {kept}");
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_closed_after_the_header_timeout() {
    let app = TestApp::spawn_with(|c| c.http.header_timeout_seconds = 1).await;
    let mut slow = TcpStream::connect(addr_of(&app)).await.unwrap();
    let started = Instant::now();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: desk\r\n")
        .await
        .unwrap();
    // One more header line every 200 ms, never the blank line that ends them.
    let mut closed = None;
    for i in 0..25 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        if slow
            .write_all(format!("X-Slow-{i}: a\r\n").as_bytes())
            .await
            .is_err()
        {
            closed = Some(started.elapsed());
            break;
        }
        if let Some(_answer) = closed_within(&mut slow, Duration::from_millis(1)).await {
            closed = Some(started.elapsed());
            break;
        }
    }
    let closed = closed.expect("the slow client was never disconnected");
    assert!(
        closed >= Duration::from_millis(900) && closed < Duration::from_secs(3),
        "closed after {closed:?}"
    );

    // A connection that sends nothing at all is closed the same way.
    let mut silent = TcpStream::connect(addr_of(&app)).await.unwrap();
    assert!(
        closed_within(&mut silent, Duration::from_secs(3))
            .await
            .is_some()
    );

    // Positive control: a request sent in time is answered.
    let (status, _) = healthz_from(loopback("127.0.0.1"), addr_of(&app)).await;
    assert!(status.contains("200"), "{status:?}");
}

#[tokio::test]
async fn a_body_that_never_arrives_whole_is_cut_off_at_the_body_deadline() {
    let app = TestApp::spawn_with(|c| c.http.body_timeout_seconds = 1).await;
    let mut slow = TcpStream::connect(addr_of(&app)).await.unwrap();
    let started = Instant::now();
    slow.write_all(
        b"POST /api/v1/tickets HTTP/1.1\r\nHost: desk\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n{\"subject\": \"",
    )
    .await
    .unwrap();
    let mut answer = None;
    for _ in 0..25 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let _ = slow.write_all(b"a").await;
        if let Some(text) = closed_within(&mut slow, Duration::from_millis(1)).await {
            answer = Some((text, started.elapsed()));
            break;
        }
    }
    let (text, after) = answer.expect("the slow body was never cut off");
    assert!(after < Duration::from_secs(3), "cut off after {after:?}");
    assert!(
        text.is_empty() || text.starts_with("HTTP/1.1 4"),
        "answered {text:?}"
    );
    assert_eq!(app.count_rows("tickets").await, 0);
}

#[tokio::test]
async fn the_21st_http_connection_from_one_network_is_refused_while_another_network_gets_in() {
    let app = TestApp::spawn_with(|c| {
        c.http.max_connections = 100;
        c.http.max_connections_per_network = 20;
    })
    .await;
    let addr = addr_of(&app);
    let mut open = Vec::new();
    for _ in 0..20 {
        open.push(connect_from(loopback("127.0.0.1"), addr).await);
    }
    let mut extra = connect_from(loopback("127.0.0.9"), addr).await;
    let refused = closed_within(&mut extra, Duration::from_secs(2)).await;
    assert!(
        refused
            .as_deref()
            .is_some_and(|a| a.is_empty() || a.starts_with("HTTP/1.1 503")),
        "{refused:?}"
    );

    // Another network still gets in, and the twenty are still served.
    let (status, _) = healthz_from(loopback("127.0.1.1"), addr).await;
    assert!(status.contains("200"), "{status:?}");
    let held = &mut open[0];
    held.write_all(b"GET /healthz HTTP/1.1\r\nHost: desk\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let answer = closed_within(held, Duration::from_secs(5)).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer:?}");

    // That one has closed: its slot comes back to the network.
    let mut status = String::new();
    for _ in 0..50 {
        (status, _) = healthz_from(loopback("127.0.0.9"), addr).await;
        if status.contains("200") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(status.contains("200"), "{status:?}");
}

// --- SMTP ---

/// A hand-driven SMTP client.
struct Smtp {
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
}

impl Smtp {
    async fn connect(from: IpAddr, to: SocketAddr) -> (Smtp, Option<String>) {
        let (reader, writer) = connect_from(from, to).await.into_split();
        let mut client = Smtp {
            reader: BufReader::new(reader),
            writer,
        };
        let greeting = client.reply().await;
        (client, greeting)
    }

    /// The last line of the next reply; `None` once closed or after 15 s of silence.
    async fn reply(&mut self) -> Option<String> {
        loop {
            let mut line = String::new();
            let read =
                tokio::time::timeout(Duration::from_secs(15), self.reader.read_line(&mut line))
                    .await;
            match read {
                Ok(Ok(n)) if n > 0 => {}
                _ => return None,
            }
            let line = line.trim_end().to_owned();
            if line.len() < 4 || line.as_bytes()[3] != b'-' {
                return Some(line);
            }
        }
    }

    async fn command(&mut self, command: &str) -> String {
        let _ = self
            .writer
            .write_all(format!("{command}\r\n").as_bytes())
            .await;
        self.reply().await.unwrap_or_else(|| "closed".into())
    }

    /// EHLO, MAIL FROM (with `params`) and RCPT TO the desk.
    async fn envelope(&mut self, params: &str) -> String {
        assert!(self.command("EHLO test").await.starts_with("250"));
        let mail = self
            .command(&format!("MAIL FROM:<jo@example.org>{params}"))
            .await;
        if !mail.starts_with("250") {
            return mail;
        }
        self.command(&format!("RCPT TO:<{DESK}>")).await
    }
}

/// A plain message of about `size` bytes, with a subject that names it.
fn message_of(subject: &str, size: usize) -> String {
    let mut mail = format!(
        "From: Jo <jo@example.org>\r\nTo: {DESK}\r\nSubject: {subject}\r\n\r\nMy printer will not print.\r\n"
    );
    while mail.len() < size {
        mail.push_str("The quick brown fox jumps over the lazy dog again and again and again.\r\n");
    }
    mail
}

#[tokio::test]
async fn an_smtp_client_sending_noop_forever_is_disconnected_at_the_session_deadline() {
    let app = TestApp::spawn_with(|c| {
        c.mail.idle_timeout_seconds = 60;
        c.mail.max_session_seconds = 2;
    })
    .await;
    let (mut client, _) = Smtp::connect(loopback("127.0.0.1"), app.smtp).await;
    let started = Instant::now();
    assert!(client.envelope("").await.starts_with("250"));
    let mut last = String::new();
    while started.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(200)).await;
        last = client.command("NOOP").await;
        if !last.starts_with("250") {
            break;
        }
    }
    let lasted = started.elapsed();
    assert!(last.starts_with("421 4.4.2"), "{last}");
    assert!(
        lasted >= Duration::from_millis(1800) && lasted < Duration::from_secs(4),
        "lasted {lasted:?}"
    );
}

#[tokio::test]
async fn the_21st_smtp_session_from_one_network_is_refused_while_another_network_gets_in() {
    let app = TestApp::spawn_with(|c| c.mail.max_sessions_per_network = 20).await;
    let mut open = Vec::new();
    for _ in 0..20 {
        let (client, greeting) = Smtp::connect(loopback("127.0.0.1"), app.smtp).await;
        assert!(greeting.unwrap().starts_with("220"));
        open.push(client);
    }
    let (_, greeting) = Smtp::connect(loopback("127.0.0.200"), app.smtp).await;
    let greeting = greeting.unwrap();
    assert!(greeting.starts_with("421 4.7.0"), "{greeting}");

    let (mut other, greeting) = Smtp::connect(loopback("127.0.1.1"), app.smtp).await;
    assert!(greeting.unwrap().starts_with("220"));
    assert!(other.envelope("").await.starts_with("250"));
}

/// Configured so that one message of 40 KiB fits the budget and two do not.
fn small_budget(config: &mut hushdesk::config::Config) {
    config.mail.max_message_bytes = 48 * 1024;
    config.mail.memory_budget_bytes = 64 * 1024;
}

/// Opens a session whose message of about 40 KiB is sent all but its end, so that it holds
/// its share of the memory budget.
async fn hold_budget(app: &TestApp, first: &str) -> Smtp {
    let (mut holder, _) = Smtp::connect(loopback("127.0.0.1"), app.smtp).await;
    assert!(holder.envelope("").await.starts_with("250"));
    assert!(holder.command("DATA").await.starts_with("354"));
    holder
        .writer
        .write_all(message_of(first, 40 * 1024).as_bytes())
        .await
        .unwrap();
    // Let the server read it all.
    tokio::time::sleep(Duration::from_millis(500)).await;
    holder
}

async fn send_message(client: &mut Smtp, mail: &str) -> String {
    let data = client.command("DATA").await;
    if !data.starts_with("354") {
        return data;
    }
    client.writer.write_all(mail.as_bytes()).await.unwrap();
    client.command(".").await
}

#[tokio::test]
async fn a_message_over_the_memory_budget_is_deferred_and_accepted_later() {
    let app = TestApp::spawn_with(small_budget).await;
    let mut holder = hold_budget(&app, "Held").await;

    let mail = message_of("Deferred", 40 * 1024);
    let (mut sender, _) = Smtp::connect(loopback("127.0.0.1"), app.smtp).await;
    assert!(sender.envelope("").await.starts_with("250"));
    let deferred = send_message(&mut sender, &mail).await;
    assert!(deferred.starts_with("452 4.3.1"), "{deferred}");
    assert_eq!(app.count_rows("tickets").await, 0, "nothing kept of it");

    // The first message ends and is filed, which gives its memory back.
    let filed = holder.command(".").await;
    assert!(filed.starts_with("250"), "{filed}");

    // The sender comes back, as an MTA would, with the same message.
    assert!(sender.envelope("").await.starts_with("250"));
    let accepted = send_message(&mut sender, &mail).await;
    assert!(accepted.starts_with("250"), "{accepted}");
    assert_eq!(app.count_rows("tickets").await, 2);
}

#[tokio::test]
async fn a_declared_size_over_the_memory_budget_is_deferred_before_the_data() {
    let app = TestApp::spawn_with(small_budget).await;
    let mut holder = hold_budget(&app, "Held").await;

    let (mut sender, _) = Smtp::connect(loopback("127.0.0.1"), app.smtp).await;
    let deferred = sender.envelope(" SIZE=40960").await;
    assert!(deferred.starts_with("452 4.3.1"), "{deferred}");
    // Positive control: a size the budget can still hold now is welcome.
    assert!(
        sender
            .command("MAIL FROM:<jo@example.org> SIZE=10000")
            .await
            .starts_with("250")
    );
    // And a size no budget could hold is refused for good.
    assert!(
        sender
            .command("MAIL FROM:<jo@example.org> SIZE=100000")
            .await
            .starts_with("552")
    );
    assert!(holder.command(".").await.starts_with("250"));
}

// --- Configuration ---

#[test]
fn check_config_accepts_the_limits_and_refuses_a_budget_below_the_message_size() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.toml");
    std::fs::write(
        &good,
        "[http]\nmax_connections = 500\nmax_connections_per_network = 50\nheader_timeout_seconds = 5\nbody_timeout_seconds = 20\n[mail]\nmemory_budget_bytes = 104857600\n",
    )
    .unwrap();
    let output = Command::new(BIN)
        .args(["check-config", "--config", good.to_str().unwrap()])
        .env_clear()
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[mail]\nmax_message_bytes = 2048000\nmemory_budget_bytes = 1024000\n",
    )
    .unwrap();
    let output = Command::new(BIN)
        .args(["check-config", "--config", bad.to_str().unwrap()])
        .env_clear()
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("memory_budget_bytes"));

    let zero = dir.path().join("zero.toml");
    std::fs::write(&zero, "[http]\nheader_timeout_seconds = 0\n").unwrap();
    let output = Command::new(BIN)
        .args(["check-config", "--config", zero.to_str().unwrap()])
        .env_clear()
        .output()
        .unwrap();
    assert!(!output.status.success());
}
