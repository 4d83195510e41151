//! Crowds that hold connections without finishing anything: slow request bodies from many
//! networks, clients that stop reading their responses, idle mail sessions. Each comes from
//! its own loopback address (all of 127.0.0.0/8 is loopback on Linux), because the listeners
//! key their caps on the TCP peer.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

use crate::support::TestApp;

const DESK: &str = "support@localhost";

/// 127.0.`net`.`host`: one /24 per `net`.
fn loopback(net: u8, host: u8) -> IpAddr {
    IpAddr::from([127, 0, net, host])
}

async fn connect_from(from: IpAddr, to: SocketAddr) -> TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::new(from, 0)).unwrap();
    socket.connect(to).await.unwrap()
}

fn http_addr(app: &TestApp) -> SocketAddr {
    app.base.trim_start_matches("http://").parse().unwrap()
}

/// Sends `request` on a new connection from `from` and reads the answer until the server
/// closes: the status line and the time it all took.
async fn exchange(from: IpAddr, to: SocketAddr, request: &[u8]) -> (String, Duration) {
    let started = Instant::now();
    let mut stream = connect_from(from, to).await;
    stream.write_all(request).await.unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer).into_owned();
    (
        answer.lines().next().unwrap_or("").to_owned(),
        started.elapsed(),
    )
}

const HEALTHZ: &[u8] = b"GET /healthz HTTP/1.1\r\nHost: desk\r\nConnection: close\r\n\r\n";

fn filing_json(subject: &str, body_bytes: usize) -> String {
    format!(
        r#"{{"subject": "{subject}", "body": "{}", "category": "functionality"}}"#,
        "a".repeat(body_bytes)
    )
}

fn filing_head(content_length: usize) -> String {
    format!(
        "POST /api/v1/tickets HTTP/1.1\r\nHost: desk\r\nContent-Type: application/json\r\nContent-Length: {content_length}\r\nConnection: close\r\n\r\n"
    )
}

/// One sender of a request body that never ends: it trickles a byte now and then, and once
/// cut off it comes straight back, as a crowd does.
fn slow_body_sender(from: IpAddr, to: SocketAddr, stop: Arc<AtomicBool>) {
    tokio::spawn(async move {
        while !stop.load(Ordering::Relaxed) {
            let mut stream = connect_from(from, to).await;
            let head = filing_head(60_000) + r#"{"subject": ""#;
            if stream.write_all(head.as_bytes()).await.is_ok() {
                while !stop.load(Ordering::Relaxed) {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    if stream.write_all(b"a").await.is_err() {
                        break;
                    }
                    let mut probe = [0u8; 64];
                    let probe = stream.read(&mut probe);
                    if let Ok(Ok(0) | Err(_)) =
                        tokio::time::timeout(Duration::from_millis(1), probe).await
                    {
                        break;
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
}

// On the old listener a connection trickling its body was busy, never evicted: 16 of them
// from 16 networks filled the cap and every new client was answered 503.
#[tokio::test]
async fn a_cap_full_of_slow_bodies_from_many_networks_still_lets_healthz_and_a_filing_in() {
    let app = TestApp::spawn_with(|c| {
        c.http.max_connections = 16;
        c.http.max_connections_per_network = 4;
        // So that only eviction, not the minimum rate, can make room within the test.
        c.http.body_grace_seconds = 120;
        c.http.body_min_rate_bytes_per_second = 1;
        c.http.body_timeout_seconds = 120;
    })
    .await;
    let addr = http_addr(&app);
    let stop = Arc::new(AtomicBool::new(false));
    for net in 10..26 {
        slow_body_sender(loopback(net, 1), addr, stop.clone());
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    // Among them, one upload at a fair pace: never the slowest, so never the one cut.
    let steady = tokio::spawn(async move {
        let body = filing_json("Steady upload", 6_000);
        paced_request(
            loopback(202, 1),
            addr,
            body.as_bytes(),
            200,
            Duration::from_millis(100),
        )
        .await
    });
    tokio::time::sleep(Duration::from_millis(300)).await;

    for round in 0..5 {
        let (status, took) = exchange(loopback(200, 1), addr, HEALTHZ).await;
        assert!(status.contains("200"), "round {round}: {status:?}");
        assert!(
            took < Duration::from_secs(1),
            "round {round}: took {took:?}"
        );
        let body = filing_json(&format!("Crowd round {round}"), 200);
        let request = filing_head(body.len()) + &body;
        let (status, took) = exchange(loopback(201, 1), addr, request.as_bytes()).await;
        assert!(status.contains("201"), "round {round}: {status:?}");
        assert!(
            took < Duration::from_secs(2),
            "round {round}: took {took:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (status, took) = steady.await.unwrap();
    assert!(status.contains("201"), "the steady upload got {status:?}");
    assert!(took > Duration::from_secs(2), "took only {took:?}");
    stop.store(true, Ordering::Relaxed);
    assert_eq!(app.count_rows("tickets").await, 6);
}

/// Sends `body` after `head` in pieces of `piece` bytes every `every`, and returns what the
/// server answered and when, or `None` if it said nothing before the body was all sent.
async fn paced_request(
    from: IpAddr,
    to: SocketAddr,
    body: &[u8],
    piece: usize,
    every: Duration,
) -> (String, Duration) {
    let started = Instant::now();
    let mut stream = connect_from(from, to).await;
    stream
        .write_all(filing_head(body.len()).as_bytes())
        .await
        .unwrap();
    for chunk in body.chunks(piece) {
        if stream.write_all(chunk).await.is_err() {
            break;
        }
        let mut probe = [0u8; 1];
        // An answer before the body is all sent means the server has cut it.
        if let Ok(Ok(n)) = tokio::time::timeout(every, stream.peek(&mut probe)).await
            && n > 0
        {
            break;
        }
    }
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer).into_owned();
    (
        answer.lines().next().unwrap_or("").to_owned(),
        started.elapsed(),
    )
}

#[tokio::test]
async fn a_body_slower_than_the_minimum_rate_is_cut_while_one_at_the_rate_completes() {
    let app = TestApp::spawn_with(|c| {
        c.http.body_grace_seconds = 1;
        c.http.body_min_rate_bytes_per_second = 1000;
    })
    .await;
    let addr = http_addr(&app);

    // 200 B/s against a minimum of 1,000 B/s: cut soon after the one-second grace, long
    // before the 30 s whole-body deadline.
    let slow = filing_json("Too slow", 20_000);
    let (status, took) = paced_request(
        loopback(0, 1),
        addr,
        slow.as_bytes(),
        20,
        Duration::from_millis(100),
    )
    .await;
    assert!(status.contains("408"), "{status:?}");
    assert!(took < Duration::from_secs(3), "cut after {took:?}");

    // Positive control: 2,000 B/s for two seconds, past the grace, arrives whole.
    let steady = filing_json("Steady", 4_000);
    let (status, took) = paced_request(
        loopback(0, 2),
        addr,
        steady.as_bytes(),
        200,
        Duration::from_millis(100),
    )
    .await;
    assert!(status.contains("201"), "{status:?}");
    assert!(took > Duration::from_millis(1500), "took only {took:?}");
    assert_eq!(app.count_rows("tickets").await, 1);
}

// On the old listener a client that stopped reading held its connection, its slot and the
// unsent response for as long as it liked.
#[tokio::test]
async fn a_client_that_never_reads_a_large_response_loses_its_connection_after_the_write_timeout() {
    let app = TestApp::spawn_with(|c| c.http.write_timeout_seconds = 1).await;
    let addr = http_addr(&app);
    let key = app.get("/pgp-key.asc").await.bytes().await.unwrap();
    assert!(key.len() > 500, "the key is {} bytes", key.len());
    // Pipelined requests whose answers add up to far more than the socket buffers hold.
    let requests = (32 * 1024 * 1024) / key.len();
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    socket.bind(SocketAddr::new(loopback(0, 3), 0)).unwrap();
    let stream = socket.connect(addr).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let sender = tokio::spawn(async move {
        let request = b"GET /pgp-key.asc HTTP/1.1\r\nHost: desk\r\n\r\n".repeat(requests);
        let _ = writer.write_all(&request).await;
        writer
    });

    // Not reading for three write timeouts.
    tokio::time::sleep(Duration::from_secs(3)).await;

    let mut received = 0usize;
    let mut buffer = vec![0u8; 64 * 1024];
    let ended = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            match reader.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received += n,
            }
        }
    })
    .await;
    sender.abort();
    assert!(
        ended.is_ok(),
        "the connection was still open after {received} bytes"
    );
    assert!(
        received < requests * key.len(),
        "all {received} bytes were sent"
    );

    // The desk goes on serving others.
    let (status, _) = exchange(loopback(0, 4), addr, HEALTHZ).await;
    assert!(status.contains("200"), "{status:?}");
}

// --- SMTP ---

/// A hand-driven SMTP client.
struct Smtp {
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
}

impl Smtp {
    async fn connect(from: IpAddr, to: SocketAddr) -> (Smtp, String) {
        let (reader, writer) = connect_from(from, to).await.into_split();
        let mut client = Smtp {
            reader: BufReader::new(reader),
            writer,
        };
        let greeting = client.reply().await;
        (client, greeting)
    }

    /// The last line of the next reply; "closed" once closed or after 15 s of silence.
    async fn reply(&mut self) -> String {
        loop {
            let mut line = String::new();
            let read =
                tokio::time::timeout(Duration::from_secs(15), self.reader.read_line(&mut line))
                    .await;
            match read {
                Ok(Ok(n)) if n > 0 => {}
                _ => return "closed".into(),
            }
            let line = line.trim_end().to_owned();
            if line.len() < 4 || line.as_bytes()[3] != b'-' {
                return line;
            }
        }
    }

    async fn command(&mut self, command: &str) -> String {
        let _ = self
            .writer
            .write_all(format!("{command}\r\n").as_bytes())
            .await;
        self.reply().await
    }

    /// Whether the server closed the session within `wait`, and what it said last.
    async fn closed_within(&mut self, wait: Duration) -> Option<String> {
        let mut said = String::new();
        let read = tokio::time::timeout(wait, self.reader.read_to_string(&mut said)).await;
        read.ok().map(|_| said)
    }
}

// On the old listener, a cap full of idle sessions turned every new one away with 421.
#[tokio::test]
async fn a_session_cap_full_of_idle_sessions_from_other_networks_still_lets_an_mta_deliver() {
    let app = TestApp::spawn_with(|c| {
        c.mail.max_sessions = 8;
        c.mail.max_sessions_per_network = 1;
    })
    .await;
    let mut idle = Vec::new();
    for net in 30..38 {
        let (client, greeting) = Smtp::connect(loopback(net, 1), app.smtp).await;
        assert!(greeting.starts_with("220"), "{greeting:?}");
        idle.push(client);
        tokio::time::sleep(Duration::from_millis(20)).await;
        // The first stays silent; the others greet, later.
        if net > 30 {
            let client = idle.last_mut().unwrap();
            assert!(client.command("EHLO idle.example").await.starts_with("250"));
        }
    }

    let (mut mta, greeting) = Smtp::connect(loopback(99, 1), app.smtp).await;
    assert!(greeting.starts_with("220"), "{greeting:?}");
    assert!(mta.command("EHLO mx.example.org").await.starts_with("250"));
    assert!(
        mta.command("MAIL FROM:<jo@example.org>")
            .await
            .starts_with("250")
    );
    assert!(
        mta.command(&format!("RCPT TO:<{DESK}>"))
            .await
            .starts_with("250")
    );
    assert!(mta.command("DATA").await.starts_with("354"));
    let mail = format!(
        "From: Jo <jo@example.org>\r\nTo: {DESK}\r\nSubject: Printer\r\n\r\nMy printer will not print.\r\n.\r\n"
    );
    mta.writer.write_all(mail.as_bytes()).await.unwrap();
    let answer = mta.reply().await;
    assert!(answer.starts_with("250"), "{answer:?}");
    assert_eq!(app.count_rows("tickets").await, 1);

    // The one idle longest made room: told so, and closed.
    let goodbye = idle[0].closed_within(Duration::from_secs(2)).await;
    assert!(
        goodbye
            .as_deref()
            .is_some_and(|g| g.starts_with("421 4.3.2")),
        "{goodbye:?}"
    );
    // Positive control: the others are still there.
    for client in &mut idle[1..] {
        assert!(client.command("NOOP").await.starts_with("250"));
    }
}

/// Starts a message and sends `lines` lines of `width` bytes, one every 200 ms, then ends it
/// (or never, with `lines` of `None`). Returns the session's last words.
fn trickling_message(
    from: IpAddr,
    to: SocketAddr,
    width: usize,
    lines: Option<usize>,
) -> tokio::task::JoinHandle<String> {
    tokio::spawn(async move {
        let (mut client, greeting) = Smtp::connect(from, to).await;
        assert!(greeting.starts_with("220"), "{greeting:?}");
        assert!(client.command("EHLO slow.example").await.starts_with("250"));
        assert!(
            client
                .command("MAIL FROM:<jo@example.org>")
                .await
                .starts_with("250")
        );
        let rcpt = client.command(&format!("RCPT TO:<{DESK}>")).await;
        assert!(rcpt.starts_with("250"), "{rcpt:?}");
        assert!(client.command("DATA").await.starts_with("354"));
        let head = format!("From: Jo <jo@example.org>\r\nTo: {DESK}\r\nSubject: Slow\r\n\r\n");
        let _ = client.writer.write_all(head.as_bytes()).await;
        let line = format!("{}\r\n", "a".repeat(width));
        let mut sent = 0;
        while lines.is_none_or(|n| sent < n) {
            tokio::time::sleep(Duration::from_millis(200)).await;
            if client.writer.write_all(line.as_bytes()).await.is_err() {
                break;
            }
            sent += 1;
            let mut probe = [0u8; 1];
            let peek = client.reader.get_mut().peek(&mut probe);
            if let Ok(Ok(_)) = tokio::time::timeout(Duration::from_millis(1), peek).await {
                return client.reply().await;
            }
        }
        let _ = client.writer.write_all(b".\r\n").await;
        client.reply().await
    })
}

#[tokio::test]
async fn a_session_cap_full_of_slow_messages_gives_way_to_an_mta_by_cutting_the_slowest() {
    let app = TestApp::spawn_with(|c| {
        c.mail.max_sessions = 4;
        c.mail.max_sessions_per_network = 1;
    })
    .await;
    // Three messages that never end, at 25 B/s, and one at 5 KB/s that ends after 3 s.
    let slow: Vec<_> = (40..43)
        .map(|net| trickling_message(loopback(net, 1), app.smtp, 3, None))
        .collect();
    let fast = trickling_message(loopback(43, 1), app.smtp, 1000, Some(15));
    tokio::time::sleep(Duration::from_millis(700)).await;

    let (mut mta, greeting) = Smtp::connect(loopback(99, 1), app.smtp).await;
    assert!(greeting.starts_with("220"), "{greeting:?}");
    assert!(mta.command("EHLO mx.example.org").await.starts_with("250"));
    mta.command("MAIL FROM:<jo@example.org>").await;
    mta.command(&format!("RCPT TO:<{DESK}>")).await;
    assert!(mta.command("DATA").await.starts_with("354"));
    let mail =
        format!("From: Jo <jo@example.org>\r\nTo: {DESK}\r\nSubject: Hi\r\n\r\nHello.\r\n.\r\n");
    mta.writer.write_all(mail.as_bytes()).await.unwrap();
    let answer = mta.reply().await;
    assert!(answer.starts_with("250"), "{answer:?}");

    // The fast message was not the one cut: it is filed too.
    let fast = fast.await.unwrap();
    assert!(fast.starts_with("250"), "{fast:?}");
    // One slow message was cut and told why; the other two are still arriving.
    let mut cut = 0;
    for sender in slow {
        if sender.is_finished() {
            let said = sender.await.unwrap();
            assert!(said.starts_with("421 4.3.2"), "{said:?}");
            cut += 1;
        } else {
            sender.abort();
        }
    }
    assert_eq!(cut, 1);
    assert_eq!(app.count_rows("tickets").await, 2);
}
