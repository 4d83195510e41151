//! The SMTP and LMTP listener. Hand-written because no maintained crate speaks LMTP on
//! tokio (see README): a small state machine with line, size, connection and time limits.
//! Each message is parsed and opened on a bounded pool of blocking threads, never on the
//! async workers that also serve HTTP. TLS, SPF/DKIM/DMARC, queueing and retries are the job
//! of the MTA in front (Postfix, Exim).

mod budget;
mod data;
mod sessions;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::time::Instant;

use self::budget::{MemoryBudget, Reservation};
use self::data::{Data, read_data};
use self::sessions::{SessionTrack, Sessions};
use super::inbound::{Envelope, receive};
use super::structure::{MimeLimits, prescan};
use crate::desk::Desk;
use crate::domain::{Network, NetworkSlots, SupportAddress};

/// Settings of the listener.
#[derive(Debug, Clone)]
pub struct ListenerConfig {
    pub hostname: String,
    pub max_message_bytes: usize,
    /// Where the helpdesk key is published, quoted when plain mail is refused.
    pub key_url: String,
    /// A session that makes no progress for this long is closed. Commands that do not move a
    /// transaction forward (NOOP, RSET, HELP, VRFY, unknown ones) do not count as progress.
    pub idle_timeout: Duration,
    /// No session lasts longer than this, progress or not.
    pub max_session_time: Duration,
    pub max_sessions: usize,
    /// Sessions one client network (IPv4 /24, IPv6 /64) may hold at once.
    pub max_sessions_per_network: usize,
    /// Peers exempt from the per-network cap (the MTA in front).
    pub trusted_networks: Vec<ipnet::IpNet>,
    pub mime_limits: MimeLimits,
    /// Wall time one message may take from the moment it has a thread until it is filed
    /// (pre-scan, parsing, decryption, redaction); past it the message is refused unstored.
    pub processing_budget: Duration,
    /// Messages processed at once (threads of the blocking pool in use).
    pub processing_slots: usize,
    /// Bytes of received messages held at once across sessions, until each is processed.
    pub memory_budget_bytes: usize,
}

impl ListenerConfig {
    pub fn from_config(config: &crate::config::Config) -> ListenerConfig {
        let mail = &config.mail;
        ListenerConfig {
            hostname: mail.hostname.clone(),
            max_message_bytes: mail.max_message_bytes,
            key_url: config.key_url(),
            idle_timeout: Duration::from_secs(mail.idle_timeout_seconds),
            max_session_time: Duration::from_secs(mail.max_session_seconds),
            max_sessions: mail.max_sessions,
            max_sessions_per_network: mail.max_sessions_per_network,
            trusted_networks: mail.trusted_networks.clone(),
            mime_limits: MimeLimits {
                max_depth: mail.max_mime_depth,
                max_parts: mail.max_mime_parts,
            },
            processing_budget: Duration::from_millis(mail.processing_budget_ms),
            // One message per core: parsing and OpenPGP are CPU work.
            processing_slots: std::thread::available_parallelism().map_or(2, |n| n.get()),
            memory_budget_bytes: mail.memory_budget_bytes,
        }
    }
}

/// Longest command line accepted (RFC 5321 allows 512; extensions make it longer).
const MAX_COMMAND_LINE: u64 = 4096;
/// Recipients per message.
const MAX_RECIPIENTS: usize = 100;
/// Protocol errors before the connection is dropped.
const MAX_ERRORS: u32 = 10;
/// The answer to a message the memory budget cannot hold now: a temporary failure, which
/// the sending MTA retries later (RFC 1870 uses 452 for the same case with `SIZE`).
const OVER_BUDGET: &str = "452 4.3.1 The desk is receiving too much mail at once; try again later";
/// The goodbye of a session closed to make room for a new one at the session cap.
const EVICTED: &str = "421 4.3.2 Too many connections; closing the idlest, try again later";
/// How long a refusal or a goodbye may take to write before the connection is dropped.
const REFUSAL_WRITE: Duration = Duration::from_secs(2);

/// What every session shares.
struct Shared {
    desk: Desk,
    support: SupportAddress,
    config: ListenerConfig,
    /// Bounds the CPU mail processing may take from the machine.
    processing: Arc<Semaphore>,
    /// Bounds the memory received messages take, across sessions.
    memory: MemoryBudget,
}

impl Shared {
    fn is_trusted(&self, peer: std::net::IpAddr) -> bool {
        // An IPv4 peer on an IPv6 socket shows as IPv4-mapped; match it as IPv4.
        let peer = match peer {
            std::net::IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(peer, std::net::IpAddr::V4),
            v4 => v4,
        };
        self.config
            .trusted_networks
            .iter()
            .any(|net| net.contains(&peer))
    }
}

/// Accepts connections until `shutdown` completes; sessions in progress are left to finish.
pub async fn serve(
    listener: TcpListener,
    desk: Desk,
    support: SupportAddress,
    config: ListenerConfig,
    shutdown: impl Future<Output = ()> + Send,
) -> anyhow::Result<()> {
    let sessions = Sessions::new(config.max_sessions);
    let network_slots = NetworkSlots::new(config.max_sessions_per_network);
    let shared = Arc::new(Shared {
        processing: Arc::new(Semaphore::new(config.processing_slots)),
        memory: MemoryBudget::new(config.memory_budget_bytes),
        desk,
        support,
        config,
    });
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            _ = &mut shutdown => return Ok(()),
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(err) => {
                    tracing::warn!(error = %err, "accepting a mail connection failed");
                    continue;
                }
            },
        };
        let shared = shared.clone();
        // Per network first, so a crowded network is told so without taking a global slot.
        // The MTA in front holds every session it relays: only the global cap applies to it.
        let network_slot = if shared.is_trusted(peer.ip()) {
            Ok(None)
        } else {
            network_slots
                .try_take(Network::of(peer.ip()))
                .map(Some)
                .ok_or(())
        };
        let permit = network_slot.as_ref().ok().and_then(|_| sessions.try_slot());
        let sessions = sessions.clone();
        tokio::spawn(async move {
            let (reader, mut writer) = stream.into_split();
            let permit = match (&network_slot, permit) {
                (Err(()), _) => {
                    Err("421 4.7.0 Too many connections from your network, try again later")
                }
                (Ok(_), Some(permit)) => Ok(permit),
                // At the cap, a session doing nothing gives way to this one.
                (Ok(_), None) => sessions
                    .make_room()
                    .await
                    .ok_or("421 4.3.2 Too many connections, try again later"),
            };
            let permit = match permit {
                Ok(permit) => permit,
                Err(refusal) => {
                    let _ = tokio::time::timeout(REFUSAL_WRITE, reply(&mut writer, refusal)).await;
                    return;
                }
            };
            let registered = sessions.register();
            let track = &registered.track;
            {
                let conversation = session(reader, &mut writer, &shared, track);
                tokio::pin!(conversation);
                tokio::select! {
                    ended = &mut conversation => if let Err(err) = ended {
                        tracing::debug!(error = %err, "mail session ended");
                    },
                    () = track.evicted() => {}
                }
            }
            if track.was_evicted() {
                // The slot goes to the waiting session before this one says goodbye.
                drop(permit);
                let _ = tokio::time::timeout(REFUSAL_WRITE, reply(&mut writer, EVICTED)).await;
                return;
            }
            drop((network_slot, permit));
        });
    }
}

/// When a session must end: `idle` after its last step forward, and never after `deadline`.
/// Each step forward is also shown to the session registry, which picks whom to evict by it.
struct Clock<'a> {
    idle: Duration,
    last_progress: Instant,
    deadline: Instant,
    track: &'a SessionTrack,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expiry {
    Idle,
    SessionOver,
}

impl<'a> Clock<'a> {
    fn start(config: &ListenerConfig, track: &'a SessionTrack) -> Clock<'a> {
        let now = Instant::now();
        Clock {
            idle: config.idle_timeout,
            last_progress: now,
            deadline: now + config.max_session_time,
            track,
        }
    }

    fn progress(&mut self) {
        self.last_progress = Instant::now();
        self.track.progressed();
    }

    /// Bytes of message data arrived: the registry ranks sessions in DATA by their rate.
    fn data_received(&mut self, bytes: usize) {
        self.progress();
        self.track.received(bytes);
    }

    /// The next moment the session ends unless it progresses, and why it would end.
    fn expiry(&self) -> (Instant, Expiry) {
        let idle_at = self.last_progress + self.idle;
        if idle_at < self.deadline {
            (idle_at, Expiry::Idle)
        } else {
            (self.deadline, Expiry::SessionOver)
        }
    }

    fn goodbye(&self) -> &'static str {
        match self.expiry().1 {
            Expiry::Idle => "421 4.4.2 Idle for too long, closing",
            Expiry::SessionOver => "421 4.4.2 Session time limit reached, closing",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Smtp,
    Lmtp,
}

/// One SMTP or LMTP conversation.
async fn session<R, W>(
    reader: R,
    mut writer: W,
    shared: &Arc<Shared>,
    track: &SessionTrack,
) -> std::io::Result<()>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let config = &shared.config;
    let support = &shared.support;
    let mut reader = BufReader::new(reader);
    let mut clock = Clock::start(config, track);
    let mut mode: Option<Mode> = None;
    let mut mail_from: Option<String> = None;
    let mut recipients: Vec<String> = Vec::new();
    let mut errors = 0;
    reply(
        &mut writer,
        &format!("220 {} hushdesk ESMTP and LMTP ready", config.hostname),
    )
    .await?;
    loop {
        let line = match read_line(&mut reader, MAX_COMMAND_LINE, &clock).await? {
            Line::Text(line) => line,
            Line::TooLong => {
                errors += 1;
                reply(&mut writer, "500 5.5.6 Command line too long").await?;
                if errors >= MAX_ERRORS {
                    return Ok(());
                }
                continue;
            }
            Line::Closed => return Ok(()),
            Line::TimedOut => {
                reply(&mut writer, clock.goodbye()).await?;
                return Ok(());
            }
        };
        let text = String::from_utf8_lossy(&line);
        let (verb, rest) = match text.split_once(' ') {
            Some((verb, rest)) => (verb.to_ascii_uppercase(), rest.trim()),
            None => (text.trim().to_ascii_uppercase(), ""),
        };
        // Only steps that move a transaction forward keep an idle session open; NOOP, RSET,
        // HELP, VRFY, a repeated greeting and anything refused do not.
        let mut progressed = false;
        let answer: String = match verb.as_str() {
            "EHLO" | "LHLO" => {
                progressed = mode.is_none();
                mode = Some(if verb == "LHLO" {
                    Mode::Lmtp
                } else {
                    Mode::Smtp
                });
                mail_from = None;
                recipients.clear();
                format!(
                    "250-{}\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250-ENHANCEDSTATUSCODES\r\n250 SIZE {}",
                    config.hostname, config.max_message_bytes
                )
            }
            "HELO" => {
                progressed = mode.is_none();
                mode = Some(Mode::Smtp);
                mail_from = None;
                recipients.clear();
                format!("250 {}", config.hostname)
            }
            "MAIL" if mode.is_none() => "503 5.5.1 Say EHLO or LHLO first".into(),
            "MAIL" => match parse_path(rest, "FROM:") {
                None => "501 5.5.4 Syntax: MAIL FROM:<address>".into(),
                Some((path, params)) => {
                    let declared = declared_size(params);
                    if declared.is_some_and(|s| s > config.max_message_bytes) {
                        format!(
                            "552 5.3.4 Message too large: this desk accepts up to {} bytes",
                            config.max_message_bytes
                        )
                    } else if declared.is_some_and(|s| s > shared.memory.available()) {
                        // Said before any byte is sent; the data phase checks again as it reads.
                        OVER_BUDGET.into()
                    } else {
                        progressed = mail_from.is_none();
                        mail_from = Some(path);
                        recipients.clear();
                        "250 2.1.0 Sender ok".into()
                    }
                }
            },
            "RCPT" if mail_from.is_none() => "503 5.5.1 Need MAIL FROM first".into(),
            "RCPT" => match parse_path(rest, "TO:") {
                None => "501 5.5.4 Syntax: RCPT TO:<address>".into(),
                Some(_) if recipients.len() >= MAX_RECIPIENTS => {
                    "452 4.5.3 Too many recipients".into()
                }
                Some((path, _)) if support.match_recipient(&path).is_some() => {
                    progressed = true;
                    recipients.push(path);
                    "250 2.1.5 Recipient ok".into()
                }
                Some(_) => format!("550 5.1.1 No such mailbox here; write to {support}"),
            },
            "DATA" if recipients.is_empty() => "503 5.5.1 Need RCPT TO first".into(),
            "DATA" => {
                // LMTP answers once per recipient; every recipient is this one desk.
                let answers = if mode == Some(Mode::Lmtp) {
                    recipients.len()
                } else {
                    1
                };
                clock.progress();
                if !track.begin_data() {
                    return Ok(());
                }
                reply(&mut writer, "354 End data with <CR><LF>.<CR><LF>").await?;
                let data = read_data(
                    &mut reader,
                    config.max_message_bytes,
                    &shared.memory,
                    &mut clock,
                )
                .await?;
                let answer = match data {
                    Data::Complete(raw, reservation) => {
                        // Evicted as the last line arrived: the message was never accepted.
                        if !track.begin_delivery() {
                            return Ok(());
                        }
                        let envelope = Envelope {
                            mail_from: mail_from.take().unwrap_or_default(),
                            recipients: std::mem::take(&mut recipients),
                        };
                        // Time spent processing is the desk's, not the client's idling.
                        progressed = true;
                        deliver(shared, envelope, raw, reservation).await
                    }
                    Data::OverBudget => {
                        tracing::info!("mail deferred: the memory budget is spent");
                        OVER_BUDGET.into()
                    }
                    Data::TooLarge => format!(
                        "552 5.3.4 Message too large: this desk accepts up to {} bytes",
                        config.max_message_bytes
                    ),
                    Data::BareLineEnding => {
                        tracing::info!("mail refused: bare line ending in the message");
                        "554 5.6.0 Message refused: it holds a bare LF or CR; every line must end with CRLF".into()
                    }
                    Data::Closed => return Ok(()),
                    Data::TimedOut => {
                        reply(&mut writer, clock.goodbye()).await?;
                        return Ok(());
                    }
                };
                track.end_message();
                mail_from = None;
                recipients.clear();
                vec![answer; answers].join("\r\n")
            }
            "RSET" => {
                mail_from = None;
                recipients.clear();
                "250 2.0.0 Reset".into()
            }
            "NOOP" => "250 2.0.0 Ok".into(),
            "VRFY" => {
                "252 2.5.0 Cannot verify, but will accept mail for the support address".into()
            }
            "HELP" => {
                "214 2.0.0 Send mail to the support address; see the helpdesk's web page".into()
            }
            "STARTTLS" => {
                "502 5.5.1 TLS is provided by the mail server in front of this desk".into()
            }
            "QUIT" => {
                reply(&mut writer, "221 2.0.0 Bye").await?;
                return Ok(());
            }
            _ => "500 5.5.2 Command not recognised".into(),
        };
        if progressed {
            clock.progress();
        }
        reply(&mut writer, &answer).await?;
        // Protocol errors (50x) count towards closing; refusals of content do not.
        if answer.starts_with("50") {
            errors += 1;
        }
        if errors >= MAX_ERRORS {
            reply(&mut writer, "421 4.7.0 Too many errors, closing").await?;
            return Ok(());
        }
    }
}

/// Stack of a thread that processes one message. Parsing and dropping a MIME tree recurse
/// once per nesting level; the pre-scan bounds the levels, and this leaves a wide margin
/// for what the parser and OpenPGP do within them. Reserved, not committed, memory.
const PROCESSING_STACK: usize = 64 * 1024 * 1024;

/// Processes one message off the async workers: the shape pre-scan, MIME parsing, OpenPGP
/// and filing run on a thread of their own, at most `processing_slots` at a time, within the
/// time budget. Returns the final reply.
async fn deliver(
    shared: &Arc<Shared>,
    envelope: Envelope,
    raw: Vec<u8>,
    reservation: Reservation,
) -> String {
    // Waiting for a thread is not the message's fault: ask the sender to come back, but only
    // after each message ahead could have used its whole budget.
    let wait = shared.config.processing_budget * 2 + SLOT_WAIT_MARGIN;
    let Ok(Ok(permit)) =
        tokio::time::timeout(wait, shared.processing.clone().acquire_owned()).await
    else {
        return "451 4.3.2 The desk is busy; try again later".into();
    };
    let runtime = tokio::runtime::Handle::current();
    let work = shared.clone();
    let (answer, answered) = tokio::sync::oneshot::channel();
    let spawned = std::thread::Builder::new()
        .name("mail-processing".into())
        .stack_size(PROCESSING_STACK)
        .spawn(move || {
            let _permit = permit;
            let reply = process(&work, &runtime, &envelope, &raw);
            // The message's memory goes back to the budget before the sender hears the reply.
            drop(raw);
            drop(reservation);
            let _ = answer.send(reply);
        });
    if let Err(err) = spawned {
        tracing::error!(error = %err, "starting a mail processing thread failed");
        return "451 4.3.0 The message could not be processed; try again later".into();
    }
    answered.await.unwrap_or_else(|_| {
        tracing::error!("processing a received mail failed");
        "451 4.3.0 The message could not be processed; try again later".into()
    })
}

/// Time added to twice the budget that a message waits for a processing slot.
const SLOT_WAIT_MARGIN: Duration = Duration::from_secs(5);

/// The whole processing of one message, on its own thread.
fn process(
    work: &Shared,
    runtime: &tokio::runtime::Handle,
    envelope: &Envelope,
    raw: &[u8],
) -> String {
    // The budget runs from the moment the message has a thread: pre-scan, parsing,
    // decryption and redaction are each checked against it, and once it is spent the message
    // is refused before the store's transaction begins. Filing itself is never cut off
    // part-way, so a mail told 554 has left nothing behind.
    let deadline = std::time::Instant::now() + work.config.processing_budget;
    if let Err(shape) = prescan(raw, &work.config.mime_limits) {
        tracing::info!(reason = %shape, "mail refused: MIME structure over the limits");
        return format!("554 5.6.0 {shape}");
    }
    let intake = receive(
        &work.desk,
        &work.support,
        &work.config.key_url,
        envelope,
        raw,
        &work.config.mime_limits,
        Some(deadline),
    );
    match runtime.block_on(intake) {
        Ok(accepted) if accepted.joined => {
            format!("250 2.0.0 Ok: added to {}", accepted.reference)
        }
        Ok(accepted) => format!("250 2.0.0 Ok: filed as {}", accepted.reference),
        Err(refusal) => {
            let (code, enhanced) = refusal.code();
            tracing::info!(code, reason = %refusal, "mail refused");
            format!("{code} {enhanced} {}", one_line(&refusal.to_string()))
        }
    }
}

fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Writes one reply. A client that stops reading gets no more than a minute.
async fn reply<W: AsyncWrite + Unpin>(writer: &mut W, text: &str) -> std::io::Result<()> {
    let write = async {
        writer.write_all(text.as_bytes()).await?;
        writer.write_all(b"\r\n").await?;
        writer.flush().await
    };
    tokio::time::timeout(Duration::from_secs(60), write)
        .await
        .unwrap_or_else(|_| Err(std::io::ErrorKind::TimedOut.into()))
}

enum Line {
    Text(Vec<u8>),
    TooLong,
    Closed,
    TimedOut,
}

/// One command line without its line ending (CRLF or, leniently, a bare LF: commands carry no
/// message content, so this is no smuggling risk), waiting no longer than the session clock.
async fn read_line<R: AsyncRead + Unpin>(
    reader: &mut BufReader<R>,
    limit: u64,
    clock: &Clock<'_>,
) -> std::io::Result<Line> {
    let (until, _) = clock.expiry();
    let mut line = Vec::new();
    let read = tokio::time::timeout_at(
        until,
        (&mut *reader).take(limit).read_until(b'\n', &mut line),
    )
    .await;
    let Ok(read) = read else {
        return Ok(Line::TimedOut);
    };
    if read? == 0 {
        return Ok(Line::Closed);
    }
    if line.last() != Some(&b'\n') {
        if line.len() as u64 >= limit {
            // Skip the rest of the over-long line.
            let mut rest = Vec::new();
            let _ = tokio::time::timeout_at(until, reader.read_until(b'\n', &mut rest)).await;
            return Ok(Line::TooLong);
        }
        return Ok(Line::Closed);
    }
    line.pop();
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Ok(Line::Text(line))
}

/// `FROM:<path> PARAMS` → (path, params). An empty path `<>` (bounces) is allowed.
fn parse_path<'a>(rest: &'a str, keyword: &str) -> Option<(String, &'a str)> {
    let head = rest.get(..keyword.len())?;
    if !head.eq_ignore_ascii_case(keyword) {
        return None;
    }
    let rest = rest[keyword.len()..].trim_start();
    let rest = rest.strip_prefix('<')?;
    let end = rest.find('>')?;
    let path = rest[..end].trim();
    // Source routes (`@a,@b:user@c`) are obsolete; keep the mailbox.
    let path = path.rsplit(':').next().unwrap_or(path);
    Some((path.to_owned(), rest[end + 1..].trim()))
}

/// The `SIZE=` parameter of `MAIL FROM`, if given.
fn declared_size(params: &str) -> Option<usize> {
    params.split_whitespace().find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.eq_ignore_ascii_case("SIZE")
            .then(|| v.parse().ok())
            .flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_sizes_parse() {
        assert_eq!(
            parse_path("FROM:<jo@example.org> SIZE=100", "FROM:"),
            Some(("jo@example.org".into(), "SIZE=100"))
        );
        assert_eq!(parse_path("from: <>", "FROM:"), Some((String::new(), "")));
        assert_eq!(parse_path("TO:jo@example.org", "TO:"), None);
        assert_eq!(parse_path("", "TO:"), None);
        assert_eq!(declared_size("BODY=8BITMIME size=2048"), Some(2048));
        assert_eq!(declared_size("BODY=8BITMIME"), None);
    }
}
