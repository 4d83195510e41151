//! The SMTP and LMTP listener. Hand-written because no maintained crate speaks LMTP on
//! tokio (see README): a small state machine with line and size limits and idle timeouts.
//! TLS, SPF/DKIM/DMARC, queueing and retries are the job of the MTA in front (Postfix, Exim).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use super::address::SupportAddress;
use super::inbound::{Envelope, receive};
use crate::intake::Desk;

/// Settings of the listener.
#[derive(Debug, Clone)]
pub struct ListenerConfig {
    pub hostname: String,
    pub max_message_bytes: usize,
    /// Where the helpdesk key is published, quoted when plain mail is refused.
    pub key_url: String,
    pub command_timeout: Duration,
    pub max_sessions: usize,
}

/// Longest command line accepted (RFC 5321 allows 512; extensions make it longer).
const MAX_COMMAND_LINE: u64 = 4096;
/// Longest line inside a message (RFC 5322 says 998; real mail sometimes exceeds it).
const MAX_DATA_LINE: u64 = 1024 * 1024;
/// Recipients per message.
const MAX_RECIPIENTS: usize = 100;
/// Protocol errors before the connection is dropped.
const MAX_ERRORS: u32 = 10;

/// Accepts connections until `shutdown` completes; sessions in progress are left to finish.
pub async fn serve(
    listener: TcpListener,
    desk: Desk,
    support: SupportAddress,
    config: ListenerConfig,
    shutdown: impl Future<Output = ()> + Send,
) -> anyhow::Result<()> {
    let shared = Arc::new((desk, support, config));
    let slots = Arc::new(Semaphore::new(shared.2.max_sessions));
    tokio::pin!(shutdown);
    loop {
        let (stream, _peer) = tokio::select! {
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
        let permit = slots.clone().try_acquire_owned();
        tokio::spawn(async move {
            let (reader, mut writer) = stream.into_split();
            let Ok(_permit) = permit else {
                let _ = writer
                    .write_all(b"421 4.3.2 Too many connections, try again later\r\n")
                    .await;
                return;
            };
            let (desk, support, config) = &*shared;
            if let Err(err) = session(reader, writer, desk, support, config).await {
                tracing::debug!(error = %err, "mail session ended");
            }
        });
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Smtp,
    Lmtp,
}

/// One SMTP or LMTP conversation.
pub async fn session<R, W>(
    reader: R,
    mut writer: W,
    desk: &Desk,
    support: &SupportAddress,
    config: &ListenerConfig,
) -> std::io::Result<()>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut reader = BufReader::new(reader);
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
        let line = match read_line(&mut reader, MAX_COMMAND_LINE, config.command_timeout).await? {
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
                reply(&mut writer, "421 4.4.2 Idle for too long, closing").await?;
                return Ok(());
            }
        };
        let text = String::from_utf8_lossy(&line);
        let (verb, rest) = match text.split_once(' ') {
            Some((verb, rest)) => (verb.to_ascii_uppercase(), rest.trim()),
            None => (text.trim().to_ascii_uppercase(), ""),
        };
        let answer: String = match verb.as_str() {
            "EHLO" | "LHLO" => {
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
                mode = Some(Mode::Smtp);
                mail_from = None;
                recipients.clear();
                format!("250 {}", config.hostname)
            }
            "MAIL" if mode.is_none() => "503 5.5.1 Say EHLO or LHLO first".into(),
            "MAIL" => match parse_path(rest, "FROM:") {
                None => "501 5.5.4 Syntax: MAIL FROM:<address>".into(),
                Some((path, params)) => {
                    if declared_size(params).is_some_and(|s| s > config.max_message_bytes) {
                        format!(
                            "552 5.3.4 Message too large: this desk accepts up to {} bytes",
                            config.max_message_bytes
                        )
                    } else {
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
                reply(&mut writer, "354 End data with <CR><LF>.<CR><LF>").await?;
                let data = read_data(&mut reader, config).await?;
                let answer = match data {
                    Data::Complete(raw) => {
                        let envelope = Envelope {
                            mail_from: mail_from.take().unwrap_or_default(),
                            recipients: std::mem::take(&mut recipients),
                        };
                        deliver(desk, support, config, &envelope, &raw).await
                    }
                    Data::TooLarge => format!(
                        "552 5.3.4 Message too large: this desk accepts up to {} bytes",
                        config.max_message_bytes
                    ),
                    Data::Closed => return Ok(()),
                    Data::TimedOut => {
                        reply(&mut writer, "421 4.4.2 Timed out reading the message").await?;
                        return Ok(());
                    }
                };
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

async fn deliver(
    desk: &Desk,
    support: &SupportAddress,
    config: &ListenerConfig,
    envelope: &Envelope,
    raw: &[u8],
) -> String {
    match receive(desk, support, &config.key_url, envelope, raw).await {
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

async fn reply<W: AsyncWrite + Unpin>(writer: &mut W, text: &str) -> std::io::Result<()> {
    writer.write_all(text.as_bytes()).await?;
    writer.write_all(b"\r\n").await?;
    writer.flush().await
}

enum Line {
    Text(Vec<u8>),
    TooLong,
    Closed,
    TimedOut,
}

/// One line without its line ending (CRLF or a bare LF).
async fn read_line<R: AsyncRead + Unpin>(
    reader: &mut BufReader<R>,
    limit: u64,
    timeout: Duration,
) -> std::io::Result<Line> {
    let mut line = Vec::new();
    let read = tokio::time::timeout(
        timeout,
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
            let _ = tokio::time::timeout(timeout, reader.read_until(b'\n', &mut rest)).await;
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

enum Data {
    Complete(Vec<u8>),
    TooLarge,
    Closed,
    TimedOut,
}

/// The message after `DATA`, dot-unstuffed, up to the lone `.`; past the size limit the
/// rest is read and dropped so the reply can still be given.
async fn read_data<R: AsyncRead + Unpin>(
    reader: &mut BufReader<R>,
    config: &ListenerConfig,
) -> std::io::Result<Data> {
    let mut message = Vec::new();
    let mut too_large = false;
    loop {
        let line = match read_line(reader, MAX_DATA_LINE, config.command_timeout).await? {
            Line::Text(line) => line,
            Line::TooLong => {
                too_large = true;
                continue;
            }
            Line::Closed => return Ok(Data::Closed),
            Line::TimedOut => return Ok(Data::TimedOut),
        };
        if line == b"." {
            break;
        }
        if too_large {
            continue;
        }
        let content = line.strip_prefix(b".").unwrap_or(&line);
        if message.len() + content.len() + 2 > config.max_message_bytes {
            too_large = true;
            message = Vec::new();
            continue;
        }
        message.extend_from_slice(content);
        message.extend_from_slice(b"\r\n");
    }
    Ok(if too_large {
        Data::TooLarge
    } else {
        Data::Complete(message)
    })
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
