//! The SMTP/LMTP listener under attack, over raw TCP: smuggled messages, MIME structures that
//! cost more than their size, and clients that hold connections open.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

use hushdesk::config::Config;

use crate::mail_support::{Person, outcome, pgp_mime_encrypted, plain_mail, send};
use crate::support::TestApp;

const DESK: &str = "support@localhost";

/// A hand-driven SMTP client: every byte goes on the wire exactly as given.
struct Client {
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
}

impl Client {
    async fn connect(addr: SocketAddr) -> (Client, Option<String>) {
        let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let (reader, writer) = stream.into_split();
        let mut client = Client {
            reader: BufReader::new(reader),
            writer,
        };
        let greeting = client.reply().await;
        (client, greeting)
    }

    async fn write(&mut self, bytes: &[u8]) -> bool {
        self.writer.write_all(bytes).await.is_ok()
    }

    /// The last line of the next reply; `None` when the server closed the connection or
    /// said nothing for 15 seconds.
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

    /// Sends a command and reads the reply. A failed write is not the end: a reply the
    /// server sent before closing may still be waiting to be read.
    async fn command(&mut self, command: &str) -> Option<String> {
        let _ = self.write(format!("{command}\r\n").as_bytes()).await;
        self.reply().await
    }
}

/// A message whose text ends in `ending`, followed by a second, smuggled transaction, then
/// the real end of data.
fn smuggling_payload(ending: &str) -> Vec<u8> {
    format!(
        "From: <jo@example.org>\r\nTo: <{DESK}>\r\nSubject: outer\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain\r\n\r\nThe visible message.{ending}\
         MAIL FROM:<mallory@example.org>\r\nRCPT TO:<{DESK}>\r\nDATA\r\n\
         From: <mallory@example.org>\r\nTo: <{DESK}>\r\nSubject: smuggled\r\n\r\nSmuggled body.\r\n\
         .\r\n"
    )
    .into_bytes()
}

const SHAPES: [(&str, &str); 3] = [
    ("<LF>.<LF>", "\n.\n"),
    ("<LF>.<CR><LF>", "\n.\r\n"),
    ("<CR><LF>.<LF>", "\r\n.\n"),
];

/// Sends one smuggling attempt in an open session and returns the replies to it: the
/// answers given right after the data, then the answer to a RSET that follows.
async fn attempt(client: &mut Client, lmtp: bool, ending: &str) -> Vec<String> {
    let hello = if lmtp { "LHLO test" } else { "EHLO test" };
    assert!(client.command(hello).await.unwrap().starts_with("250"));
    assert!(
        client
            .command("MAIL FROM:<jo@example.org>")
            .await
            .unwrap()
            .starts_with("250")
    );
    let recipients: &[&str] = if lmtp {
        &[DESK, "support+billing@localhost"]
    } else {
        &[DESK]
    };
    for rcpt in recipients {
        assert!(
            client
                .command(&format!("RCPT TO:<{rcpt}>"))
                .await
                .unwrap()
                .starts_with("250")
        );
    }
    assert!(client.command("DATA").await.unwrap().starts_with("354"));
    let mut payload = smuggling_payload(ending);
    payload.extend_from_slice(b"RSET\r\n");
    assert!(client.write(&payload).await);
    let mut replies = Vec::new();
    while let Some(reply) = client.reply().await {
        let done = reply.contains("Reset");
        replies.push(reply);
        if done {
            break;
        }
    }
    replies
}

async fn smuggling_is_refused(lmtp: bool) {
    let app = TestApp::spawn().await;
    let (mut client, greeting) = Client::connect(app.smtp).await;
    assert!(greeting.unwrap().starts_with("220"));
    let answers = if lmtp { 2 } else { 1 };
    for (name, ending) in SHAPES {
        let replies = attempt(&mut client, lmtp, ending).await;
        // One refusal per recipient for the whole message, then the RSET: nothing else ran.
        assert_eq!(replies.len(), answers + 1, "{name}: {replies:?}");
        for reply in &replies[..answers] {
            assert!(
                reply.starts_with("554 5.6.0") && reply.contains("bare LF"),
                "{name}: {replies:?}"
            );
        }
        assert!(replies[answers].starts_with("250"), "{name}: {replies:?}");
        assert_eq!(
            app.count_rows("tickets").await,
            0,
            "{name} stored something"
        );
    }

    // The same session then delivers a proper message.
    assert!(
        client
            .command("MAIL FROM:<jo@example.org>")
            .await
            .unwrap()
            .starts_with("250")
    );
    assert!(
        client
            .command(&format!("RCPT TO:<{DESK}>"))
            .await
            .unwrap()
            .starts_with("250")
    );
    assert!(client.command("DATA").await.unwrap().starts_with("354"));
    let mail = plain_mail("jo@example.org", DESK, "proper", "A proper message.");
    client.write(mail.as_bytes()).await;
    let filed = client.command(".").await.unwrap();
    assert!(filed.starts_with("250 2.0.0 Ok: filed as HD-"), "{filed}");
    assert_eq!(app.count_rows("tickets").await, 1);
    let stored = app.stored_text().await;
    assert!(stored.contains("A proper message."));
    assert!(!stored.contains("Smuggled") && !stored.contains("smuggled"));
}

#[tokio::test]
async fn smtp_smuggling_shapes_are_refused_and_the_session_goes_on() {
    smuggling_is_refused(false).await;
}

#[tokio::test]
async fn lmtp_smuggling_shapes_are_refused_once_per_recipient() {
    smuggling_is_refused(true).await;
}

#[tokio::test]
async fn a_bare_cr_inside_the_message_is_refused() {
    let app = TestApp::spawn().await;
    let (mut client, _) = Client::connect(app.smtp).await;
    client.command("EHLO test").await.unwrap();
    client.command("MAIL FROM:<jo@example.org>").await.unwrap();
    client.command(&format!("RCPT TO:<{DESK}>")).await.unwrap();
    assert!(client.command("DATA").await.unwrap().starts_with("354"));
    let mail = plain_mail("jo@example.org", DESK, "cr", "one\rtwo");
    client.write(mail.as_bytes()).await;
    let refused = client.command(".").await.unwrap();
    assert!(refused.starts_with("554 5.6.0"), "{refused}");
    assert_eq!(app.count_rows("tickets").await, 0);

    // The same text with proper line ends is filed (the positive control).
    let replies = send(
        app.smtp,
        false,
        "jo@example.org",
        &[DESK],
        &plain_mail("jo@example.org", DESK, "cr", "one\r\ntwo"),
    )
    .await;
    assert!(outcome(&replies).starts_with("250"), "{replies:?}");
    assert_eq!(app.count_rows("tickets").await, 1);
}

/// `depth` nested multiparts: about 3.8 MB for 32 000.
fn bomb(depth: usize) -> String {
    String::from_utf8(hushdesk::mail::structure::nested_multiparts(depth)).unwrap()
}

#[tokio::test]
async fn deeply_nested_mime_is_refused_quickly_with_a_reason() {
    let app = TestApp::spawn().await;
    let started = Instant::now();
    let replies = send(app.smtp, false, "jo@example.org", &[DESK], &bomb(32_000)).await;
    let took = started.elapsed();
    let answer = outcome(&replies);
    assert!(
        answer.starts_with("554 5.6.0") && answer.contains("nests MIME parts more than 20 deep"),
        "{replies:?}"
    );
    assert!(took < Duration::from_secs(3), "took {took:?}");
    assert_eq!(app.count_rows("tickets").await, 0);

    // Within the limits the same shape is filed (the positive control).
    let replies = send(app.smtp, false, "jo@example.org", &[DESK], &bomb(15)).await;
    assert!(outcome(&replies).starts_with("250"), "{replies:?}");
}

#[tokio::test]
async fn too_many_parts_are_refused() {
    let app = TestApp::spawn_with(|c| c.mail.max_mime_parts = 40).await;
    let mut mail = String::from(
        "From: <jo@example.org>\r\nSubject: wide\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"wide\"\r\n\r\n",
    );
    for i in 0..60 {
        mail.push_str(&format!(
            "--wide\r\nContent-Type: text/plain\r\n\r\npart {i}\r\n"
        ));
    }
    mail.push_str("--wide--\r\n");
    let replies = send(app.smtp, false, "jo@example.org", &[DESK], &mail).await;
    let answer = outcome(&replies);
    assert!(
        answer.starts_with("554 5.6.0") && answer.contains("more than 40 MIME parts"),
        "{replies:?}"
    );
    assert_eq!(app.count_rows("tickets").await, 0);
}

/// Polls `/healthz` every 100 ms while `work` runs: the longest the async worker was held up
/// (a slow answer or a late wake-up) and how many answers there were.
async fn health_while<F: std::future::Future>(
    app: &TestApp,
    work: F,
) -> (Duration, u32, F::Output) {
    let stop = Arc::new(AtomicBool::new(false));
    let url = app.url("/healthz");
    let stopped = stop.clone();
    let probe = tokio::spawn(async move {
        let client = reqwest::Client::new();
        let (mut slowest, mut probes) = (Duration::ZERO, 0u32);
        while !stopped.load(Ordering::SeqCst) {
            let started = Instant::now();
            let status = client.get(&url).send().await.unwrap().status();
            assert_eq!(status, 200);
            slowest = slowest.max(started.elapsed());
            probes += 1;
            // A worker held up between probes shows as a late wake-up.
            let pause = Instant::now();
            tokio::time::sleep(Duration::from_millis(100)).await;
            slowest = slowest.max(pause.elapsed().saturating_sub(Duration::from_millis(100)));
        }
        (slowest, probes)
    });
    let output = work.await;
    stop.store(true, Ordering::SeqCst);
    let (slowest, probes) = probe.await.unwrap();
    (slowest, probes, output)
}

/// Limits high enough that the nested shape reaches the MIME parser.
fn without_mime_limits(config: &mut Config) {
    config.mail.max_mime_depth = 1_000_000;
    config.mail.max_mime_parts = 1_000_000;
}

// One async worker: any mail work done on it, rather than on the blocking pool, would hold up
// every HTTP request for as long as it runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn http_stays_responsive_while_huge_mime_structures_are_parsed() {
    let app = TestApp::spawn_with(without_mime_limits).await;
    let mail = bomb(32_000);
    let started = Instant::now();
    let (slowest, probes, outcomes) = health_while(&app, async {
        let one = send(app.smtp, false, "jo@example.org", &[DESK], &mail);
        let two = send(app.smtp, false, "jo@example.org", &[DESK], &mail);
        let (one, two) = tokio::join!(one, two);
        (outcome(&one).to_owned(), outcome(&two).to_owned())
    })
    .await;
    eprintln!(
        "two 32k-part mails took {:?}; /healthz slowest {slowest:?} over {probes} probes",
        started.elapsed()
    );
    assert!(outcomes.0.starts_with("250"), "{outcomes:?}");
    assert!(outcomes.1.starts_with("250"), "{outcomes:?}");
    assert!(probes >= 2, "{probes} probes");
    assert!(
        slowest < Duration::from_secs(1),
        "/healthz took {slowest:?}"
    );
}

#[tokio::test]
async fn a_message_over_its_processing_budget_is_refused_and_not_kept() {
    let app = TestApp::spawn_with(|c| {
        without_mime_limits(c);
        c.mail.processing_budget_ms = 1;
    })
    .await;
    let replies = send(app.smtp, false, "jo@example.org", &[DESK], &bomb(32_000)).await;
    let answer = outcome(&replies);
    assert!(
        answer.starts_with("554 5.3.4") && answer.contains("took too long"),
        "{replies:?}"
    );
    assert_eq!(app.count_rows("tickets").await, 0);
    assert_eq!(app.count_rows("messages").await, 0);
}

#[tokio::test]
async fn one_network_cannot_take_every_session() {
    let app = TestApp::spawn_with(|c| c.mail.max_sessions_per_network = 3).await;
    let mut open = Vec::new();
    for _ in 0..3 {
        let (client, greeting) = Client::connect(app.smtp).await;
        assert!(greeting.unwrap().starts_with("220"));
        open.push(client);
    }
    let (_, greeting) = Client::connect(app.smtp).await;
    let greeting = greeting.unwrap();
    assert!(greeting.starts_with("421 4.7.0"), "{greeting}");

    // Closing one gives its slot back.
    let mut closed = open.pop().unwrap();
    assert!(closed.command("QUIT").await.unwrap().starts_with("221"));
    drop(closed);
    let mut greeting = None;
    for _ in 0..50 {
        let (_, g) = Client::connect(app.smtp).await;
        if g.as_deref().is_some_and(|g| g.starts_with("220")) {
            greeting = g;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(greeting.is_some(), "the freed slot never came back");
}

/// Sends `commands` one every half second until the server closes; returns how long the
/// session lasted and its last reply.
async fn keep_talking(
    client: &mut Client,
    commands: &[&str],
    give_up: Duration,
) -> (Duration, String) {
    let started = Instant::now();
    let mut last = String::new();
    for command in commands.iter().cycle() {
        if started.elapsed() > give_up {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        match client.command(command).await {
            Some(reply) if reply.starts_with("421") => return (started.elapsed(), reply),
            Some(reply) => last = reply,
            None => return (started.elapsed(), "closed".into()),
        }
    }
    (started.elapsed(), format!("still open; last reply {last}"))
}

#[tokio::test]
async fn noop_and_other_idle_chatter_do_not_keep_a_session_open() {
    let app = TestApp::spawn_with(|c| c.mail.idle_timeout_seconds = 2).await;
    let (mut client, _) = Client::connect(app.smtp).await;
    assert!(
        client
            .command("EHLO test")
            .await
            .unwrap()
            .starts_with("250")
    );
    let (lasted, reply) = keep_talking(
        &mut client,
        &["NOOP", "RSET", "HELP", "VRFY jo", "WAKE UP", "EHLO again"],
        Duration::from_secs(8),
    )
    .await;
    assert!(
        reply.starts_with("421 4.4.2") && reply.contains("Idle"),
        "{reply}"
    );
    assert!(lasted < Duration::from_secs(4), "lasted {lasted:?}");
}

#[tokio::test]
async fn a_slowly_progressing_session_ends_at_the_session_time_limit() {
    let app = TestApp::spawn_with(|c| {
        c.mail.idle_timeout_seconds = 2;
        c.mail.max_session_seconds = 5;
    })
    .await;
    let (mut client, _) = Client::connect(app.smtp).await;
    let started = Instant::now();
    assert!(
        client
            .command("EHLO test")
            .await
            .unwrap()
            .starts_with("250")
    );
    assert!(
        client
            .command("MAIL FROM:<jo@example.org>")
            .await
            .unwrap()
            .starts_with("250")
    );
    // Each accepted recipient is progress, so the idle timeout (2 s) never fires...
    let (_, reply) = keep_talking(
        &mut client,
        &[&format!("RCPT TO:<{DESK}>")],
        Duration::from_secs(10),
    )
    .await;
    let lasted = started.elapsed();
    // ...but the session as a whole ends after 5 s.
    assert!(
        reply.starts_with("421 4.4.2") && reply.contains("Session time limit"),
        "{reply}"
    );
    assert!(
        lasted > Duration::from_millis(4500) && lasted < Duration::from_secs(7),
        "lasted {lasted:?}"
    );
}

#[tokio::test]
async fn by_default_a_ninth_connection_from_one_network_is_refused() {
    let app = TestApp::spawn().await;
    let mut open = Vec::new();
    for _ in 0..8 {
        let (client, greeting) = Client::connect(app.smtp).await;
        assert!(greeting.unwrap().starts_with("220"));
        open.push(client);
    }
    let (_, greeting) = Client::connect(app.smtp).await;
    let greeting = greeting.unwrap();
    assert!(greeting.starts_with("421 4.7.0"), "{greeting}");
}

fn text(raw: Vec<u8>) -> String {
    String::from_utf8(raw).unwrap()
}

async fn healthz(app: &TestApp) -> u16 {
    app.get("/healthz").await.status().as_u16()
}

// 45 000 messages nested in messages (1.44 MB) once overflowed the stack of the thread that
// parsed them and aborted the whole process, HTTP included.
#[tokio::test]
async fn deeply_nested_attached_messages_are_refused_and_the_server_lives() {
    let app = TestApp::spawn().await;
    let shapes = [
        (
            "message/rfc822 x 45k",
            text(hushdesk::mail::structure::nested_messages(45_000)),
        ),
        (
            "message/rfc822 x 100k",
            text(hushdesk::mail::structure::nested_messages(100_000)),
        ),
        (
            "multipart and message/rfc822 x 60k",
            text(hushdesk::mail::structure::nested_mixed(60_000)),
        ),
    ];
    for (shape, mail) in &shapes {
        let started = Instant::now();
        let replies = send(app.smtp, false, "jo@example.org", &[DESK], mail).await;
        let took = started.elapsed();
        let answer = outcome(&replies);
        assert!(
            answer.starts_with("554 5.6.0") && answer.contains("more than 20 deep"),
            "{shape}: {replies:?}"
        );
        assert!(took < Duration::from_secs(3), "{shape} took {took:?}");
        assert_eq!(healthz(&app).await, 200, "after {shape}");
    }
    assert_eq!(app.count_rows("tickets").await, 0);

    // A forwarded message within the limits is filed (the positive control).
    let forwarded = text(hushdesk::mail::structure::nested_mixed(6));
    let replies = send(app.smtp, false, "jo@example.org", &[DESK], &forwarded).await;
    assert!(outcome(&replies).starts_with("250"), "{replies:?}");
}

// The parser decodes a base64 `message/*` part and parses what is inside, where the pre-scan
// cannot look; so however the encoding header is written (folded, or after a line of white
// space that continues the header before it), the part is refused, and so are RFC 2231
// boundaries, which the parser joins and the pre-scan does not.
#[tokio::test]
async fn encoded_attached_messages_and_continued_boundaries_are_refused_however_written() {
    use base64::Engine as _;
    let app = TestApp::spawn().await;
    let inner = "Content-Type: message/rfc822\r\n\r\n".repeat(5_000)
        + "Content-Type: text/plain\r\n\r\nx\r\n";
    let encoded = base64::engine::general_purpose::STANDARD.encode(inner.as_bytes());
    let body: String = encoded
        .as_bytes()
        .chunks(76)
        .map(|line| format!("{}\r\n", String::from_utf8_lossy(line)))
        .collect();
    let head =
        "From: jo@example.org\r\nTo: support@localhost\r\nSubject: deep\r\nMIME-Version: 1.0\r\n";
    let shapes = [
        (
            "folded encoding header",
            format!(
                "{head}Content-Type: message/rfc822\r\nContent-Transfer-Encoding:\r\n base64\r\n\r\n{body}"
            ),
        ),
        (
            "a line of white space inside the header block",
            format!(
                "{head}Content-Type: message/rfc822\r\nX-Pad: a\r\n \r\nContent-Transfer-Encoding: base64\r\n\r\n{body}"
            ),
        ),
        (
            "an encoded word naming base64",
            format!(
                "{head}Content-Type: message/rfc822\r\nContent-Transfer-Encoding: =?utf-8?b?YmFzZTY0?=\r\n\r\n{body}"
            ),
        ),
        (
            "white space inside the header name",
            format!(
                "{head}Content-Type: message/rfc822\r\nContent-Transfer -Encoding: base64\r\n\r\n{body}"
            ),
        ),
        (
            "a digest part without a type",
            format!(
                "{head}Content-Type: multipart/digest; boundary=d\r\n\r\n--d\r\nContent-Transfer-Encoding: base64\r\n\r\n{body}--d--\r\n"
            ),
        ),
        (
            "a leading colon on the header name, 30 deep",
            format!(
                "{head}{}Content-Type: text/plain\r\n\r\nx\r\n",
                ":Content-Type: message/rfc822\r\n\r\n".repeat(30)
            ),
        ),
        (
            "a quoted type, 30 deep",
            format!(
                "{head}{}Content-Type: text/plain\r\n\r\nx\r\n",
                "Content-Type: \"message\"/rfc822\r\n\r\n".repeat(30)
            ),
        ),
        (
            "RFC 2231 boundary",
            format!(
                "{head}Content-Type: multipart/mixed; boundary*0=\"OU\"; boundary*1=\"T\"\r\n\r\n--OUT\r\nContent-Type: text/plain\r\n\r\nhello\r\n--OUT--\r\n"
            ),
        ),
    ];
    for (shape, mail) in &shapes {
        let replies = send(app.smtp, false, "jo@example.org", &[DESK], mail).await;
        assert!(
            outcome(&replies).starts_with("554 5.6.0"),
            "{shape}: {replies:?}"
        );
        assert_eq!(healthz(&app).await, 200, "after {shape}");
    }
    assert_eq!(app.count_rows("tickets").await, 0);

    // The positive control: a plain forwarded message with a folded, unencoded header.
    let forwarded = format!(
        "{head}Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee below\r\n--b\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding:\r\n 7bit\r\n\r\nSubject: old\r\n\r\nthe old mail\r\n--b--\r\n"
    );
    let replies = send(app.smtp, false, "jo@example.org", &[DESK], &forwarded).await;
    assert!(outcome(&replies).starts_with("250"), "{replies:?}");
}

// The content of an encrypted part is parsed in turn: it gets the same pre-scan.
#[tokio::test]
async fn deep_nesting_inside_the_encrypted_part_is_refused_too() {
    let app = TestApp::spawn().await;
    let jo = Person::new("jo@example.org");
    let key = app.state.helpdesk_public_key.to_string();
    let inner = hushdesk::mail::structure::nested_messages(45_000);
    let armored = jo.encrypt(&key, &inner, false);
    let mail = pgp_mime_encrypted(&jo.address, DESK, "nested inside", &armored);
    let replies = send(app.smtp, false, &jo.address, &[DESK], &mail).await;
    let answer = outcome(&replies);
    assert!(
        answer.starts_with("554 5.6.0")
            && answer.contains("decrypted part nests MIME parts too deeply"),
        "{replies:?}"
    );
    assert_eq!(healthz(&app).await, 200);
    assert_eq!(app.count_rows("tickets").await, 0);

    // The same envelope around a shallow forward is filed (the positive control).
    let armored = jo.encrypt(&key, &hushdesk::mail::structure::nested_messages(3), false);
    let mail = pgp_mime_encrypted(&jo.address, DESK, "shallow inside", &armored);
    let replies = send(app.smtp, false, &jo.address, &[DESK], &mail).await;
    assert!(outcome(&replies).starts_with("250"), "{replies:?}");
}

/// A plain mail of about `lines` × 90 bytes, every line full of personal data, so that
/// redacting it costs far more than parsing it.
fn personal_data_mail(lines: usize) -> String {
    let mut body = String::new();
    for i in 0..lines {
        body.push_str(&format!(
            "Write to jo.doe{i}@example.org or call +44 20 7946 {:04}, card 4111 1111 1111 1111\r\n",
            i % 10_000
        ));
    }
    plain_mail("jo@example.org", DESK, "lots of data", &body)
}

/// Sends one message on an open session; returns the reply to the end of data and how long
/// it took to come.
async fn transaction(client: &mut Client, mail: &str) -> (String, Duration) {
    let mail_from = client.command("MAIL FROM:<jo@example.org>").await.unwrap();
    assert!(mail_from.starts_with("250"), "{mail_from}");
    let rcpt = client.command(&format!("RCPT TO:<{DESK}>")).await.unwrap();
    assert!(rcpt.starts_with("250"), "{rcpt}");
    assert!(client.command("DATA").await.unwrap().starts_with("354"));
    assert!(client.write(mail.as_bytes()).await);
    let started = Instant::now();
    assert!(client.write(b".\r\n").await);
    let answer = client.reply().await.unwrap_or_default();
    (answer, started.elapsed())
}

// Only a dry run used to be timed: redaction and filing ran unbounded, so a mail full of
// personal data was accepted long after its budget.
#[tokio::test]
async fn redaction_counts_towards_the_processing_budget() {
    let app = TestApp::spawn_with(|c| c.mail.processing_budget_ms = 300).await;
    let (mut client, _) = Client::connect(app.smtp).await;
    assert!(
        client
            .command("EHLO test")
            .await
            .unwrap()
            .starts_with("250")
    );
    let (answer, took) = transaction(&mut client, &personal_data_mail(20_000)).await;
    eprintln!("a 1.8 MB mail full of personal data was answered in {took:?}");
    assert!(
        answer.starts_with("554 5.3.4") && answer.contains("took too long"),
        "{answer}"
    );
    assert_eq!(app.count_rows("tickets").await, 0);
    assert_eq!(app.count_rows("messages").await, 0);

    // A short mail fits the same budget (the positive control).
    let (answer, _) = transaction(&mut client, &personal_data_mail(3)).await;
    assert!(answer.starts_with("250"), "{answer}");
    assert_eq!(app.count_rows("tickets").await, 1);
}

// A session whose message took longer than the idle timeout to process used to be closed
// with `421 Idle` right after its `250`.
#[tokio::test]
async fn processing_time_is_not_idle_time() {
    let app = TestApp::spawn_with(|c| c.mail.idle_timeout_seconds = 1).await;
    let (mut client, _) = Client::connect(app.smtp).await;
    assert!(
        client
            .command("EHLO test")
            .await
            .unwrap()
            .starts_with("250")
    );
    let (answer, took) = transaction(&mut client, &personal_data_mail(20_000)).await;
    assert!(answer.starts_with("250"), "{answer}");
    // Otherwise this test proves nothing: the message must outlast the idle timeout.
    assert!(
        took > Duration::from_secs(1),
        "processing took only {took:?}"
    );
    let next = client.command("MAIL FROM:<jo@example.org>").await;
    assert_eq!(next.as_deref().map(|r| &r[..3]), Some("250"), "{next:?}");
}

// Behind a local MTA every session comes from its address: listed in `trusted_networks`, it
// is not held to the per-network cap, only to the global one.
#[tokio::test]
async fn a_trusted_mta_is_exempt_from_the_per_network_cap_but_not_the_global_one() {
    let app = TestApp::spawn_with(|c| {
        c.mail.max_sessions = 5;
        c.mail.max_sessions_per_network = 2;
        c.mail.trusted_networks = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    let mut open = Vec::new();
    for i in 0..5 {
        let (client, greeting) = Client::connect(app.smtp).await;
        let greeting = greeting.unwrap();
        assert!(greeting.starts_with("220"), "session {i}: {greeting}");
        open.push(client);
    }
    // A sixth gets in only by taking the slot of the session idle longest, which is told so
    // and closed: never more than five at once.
    let (_, greeting) = Client::connect(app.smtp).await;
    let greeting = greeting.unwrap();
    assert!(greeting.starts_with("220"), "{greeting}");
    let goodbye = open[0].reply().await;
    assert!(
        goodbye
            .as_deref()
            .is_some_and(|g| g.starts_with("421 4.3.2")),
        "{goodbye:?}"
    );
    let mut rest = String::new();
    let closed =
        tokio::time::timeout(Duration::from_secs(2), open[0].reader.read_line(&mut rest)).await;
    assert!(
        matches!(closed, Ok(Ok(0) | Err(_))),
        "the evicted session is still open"
    );

    // The same caps without the exemption refuse the third session (the positive control).
    let untrusted = TestApp::spawn_with(|c| {
        c.mail.max_sessions = 5;
        c.mail.max_sessions_per_network = 2;
        c.mail.trusted_networks = vec!["192.0.2.0/24".parse().unwrap()];
    })
    .await;
    let _first = Client::connect(untrusted.smtp).await;
    let _second = Client::connect(untrusted.smtp).await;
    let (_, greeting) = Client::connect(untrusted.smtp).await;
    let greeting = greeting.unwrap();
    assert!(greeting.starts_with("421 4.7.0"), "{greeting}");
}
