//! Mail to requesters: compose (encrypted and signed whenever the requester has a key, and
//! never in plain text to someone who wrote encrypted), queue sealed, and deliver through the
//! configured relay with retries.

use base64::Engine;
use lettre::message::header::{ContentDisposition, ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use crate::crypto::{Keyring, TicketKey};
use crate::domain::DeliveryFailure;

/// Where outgoing mail comes from.
#[derive(Debug, Clone)]
pub struct Sender {
    /// `support@domain`.
    pub address: String,
    /// The display name in `From`.
    pub name: String,
}

/// One mail to a requester, before sealing.
pub struct Draft<'a> {
    pub to: &'a str,
    pub reply_to: Option<String>,
    pub reference: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    /// The requester's pinned public key, if any.
    pub requester_key: Option<&'a [u8]>,
    /// Whether the requester ever wrote encrypted.
    pub requester_wrote_encrypted: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    /// The requester wrote encrypted but gave no key: sending plain text would betray them.
    #[error("the requester writes encrypted but no key of theirs is known; not mailed")]
    NoKeyForEncryptedRequester,
    #[error("the contact address cannot be used: {0}")]
    BadAddress(String),
    #[error(transparent)]
    Encrypt(#[from] crate::crypto::PgpMessageError),
    #[error("building the message failed: {0}")]
    Build(String),
}

/// Builds the RFC 5322 message. With a key: PGP/MIME (RFC 3156), encrypted to the requester
/// and signed by the desk, with a neutral outer subject. Every message carries the desk's
/// key in an Autocrypt header.
pub fn compose(
    keyring: &Keyring,
    sender: &Sender,
    draft: &Draft<'_>,
) -> Result<Vec<u8>, ComposeError> {
    let from: Mailbox = format!("{} <{}>", sender.name, sender.address)
        .parse()
        .map_err(|e: lettre::address::AddressError| ComposeError::Build(e.to_string()))?;
    let to: Mailbox = draft
        .to
        .parse()
        .map_err(|e: lettre::address::AddressError| ComposeError::BadAddress(e.to_string()))?;
    let mut builder = lettre::Message::builder().from(from).to(to);
    if let Some(reply_to) = &draft.reply_to
        && let Ok(mailbox) = reply_to.parse::<Mailbox>()
    {
        builder = builder.reply_to(mailbox);
    }
    if let Some(header) = autocrypt_header(keyring, &sender.address) {
        builder = builder.raw_header(header);
    }
    let message = match draft.requester_key {
        Some(key) => {
            let inner = format!(
                "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{}\r\n",
                crlf(draft.body)
            );
            let armored = keyring.encrypt_for_requester(inner.as_bytes(), key)?;
            let armored = String::from_utf8(armored).map_err(|e| ComposeError::Build(e.to_string()))?;
            builder
                // The subject is not encrypted; it names only the reference.
                .subject(format!("[{}] Encrypted message", draft.reference))
                .multipart(
                    MultiPart::encrypted("application/pgp-encrypted".to_owned())
                        .singlepart(
                            SinglePart::builder()
                                .header(content_type("application/pgp-encrypted")?)
                                .body("Version: 1\r\n".to_owned()),
                        )
                        .singlepart(
                            SinglePart::builder()
                                .header(content_type("application/octet-stream; name=\"encrypted.asc\"")?)
                                .header(ContentDisposition::inline_with_name("encrypted.asc"))
                                .body(armored),
                        ),
                )
        }
        None if draft.requester_wrote_encrypted => {
            return Err(ComposeError::NoKeyForEncryptedRequester);
        }
        None => builder
            .subject(format!("[{}] {}", draft.reference, draft.subject))
            .header(ContentType::TEXT_PLAIN)
            .body(draft.body.to_owned()),
    }
    .map_err(|e| ComposeError::Build(e.to_string()))?;
    Ok(message.formatted())
}

fn content_type(text: &str) -> Result<ContentType, ComposeError> {
    ContentType::parse(text).map_err(|e| ComposeError::Build(e.to_string()))
}

fn crlf(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\n', "\r\n")
}

/// `Autocrypt: addr=…; prefer-encrypt=mutual; keydata=…` with the desk's public key.
fn autocrypt_header(keyring: &Keyring, address: &str) -> Option<HeaderValue> {
    let binary = keyring.helpdesk_public_key_binary().ok()?;
    let encoded = base64::engine::general_purpose::STANDARD.encode(binary);
    // Whitespace inside keydata is ignored by readers and lets the header fold.
    let folded: Vec<&str> = encoded
        .as_bytes()
        .chunks(72)
        .filter_map(|c| std::str::from_utf8(c).ok())
        .collect();
    Some(HeaderValue::new(
        HeaderName::new_from_ascii_str("Autocrypt"),
        format!(
            "addr={address}; prefer-encrypt=mutual; keydata={}",
            folded.join(" ")
        ),
    ))
}

/// Seals a composed message for the queue: the recipient and the bytes, under the ticket key.
pub fn seal_for_queue(
    ticket_key: &TicketKey,
    recipient: &str,
    message: &[u8],
) -> Result<crate::crypto::Sealed, crate::crypto::SealError> {
    let mut payload = Vec::with_capacity(recipient.len() + 1 + message.len());
    payload.extend_from_slice(recipient.as_bytes());
    payload.push(0);
    payload.extend_from_slice(message);
    ticket_key.seal(&payload)
}

/// The relay outgoing mail goes through.
pub struct Relay {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    envelope_from: Option<lettre::Address>,
}

impl Relay {
    /// `relay` is `smtp://host:port`, `smtps://…`, or with `?tls=required`.
    pub fn connect(relay: &str, envelope_from: &str) -> anyhow::Result<Relay> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(relay)?
            .timeout(Some(std::time::Duration::from_secs(30)))
            .build();
        Ok(Relay {
            transport,
            envelope_from: envelope_from.parse().ok(),
        })
    }

    /// Sends one composed message to `recipient`.
    pub async fn send(&self, recipient: &str, message: &[u8]) -> Result<(), DeliveryFailure> {
        let envelope = lettre::address::Envelope::new(
            self.envelope_from.clone(),
            recipient.parse().ok().into_iter().collect(),
        )
        .map_err(|_| DeliveryFailure::BadRecipient)?;
        self.transport
            .send_raw(&envelope, message)
            .await
            .map(|_| ())
            .map_err(|e| relay_failure(&e))
    }
}

/// 30 s, 1 min, 2 min … up to one hour between attempts; never given up while the ticket
/// exists.
pub fn backoff(attempts: i64) -> i64 {
    let exponent = u32::try_from(attempts.clamp(0, 7)).unwrap_or(7);
    (30 * 2i64.pow(exponent)).min(3600)
}

/// The relay's answer without anything from the message itself.
fn relay_failure(error: &lettre::transport::smtp::Error) -> DeliveryFailure {
    if let Some(code) = error.status() {
        DeliveryFailure::RelayAnswered(u16::from(code))
    } else if error.is_transient() {
        DeliveryFailure::RelayTemporary
    } else {
        DeliveryFailure::RelayUnreachable
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_and_stop_at_an_hour() {
        assert_eq!(backoff(0), 30);
        assert_eq!(backoff(1), 60);
        assert_eq!(backoff(6), 1920);
        assert_eq!(backoff(20), 3600);
    }
}
