//! Received mail → a new ticket or a reply. Parses MIME (mail-parser), opens PGP/MIME and
//! inline OpenPGP, checks signatures, decides threading, then hands text to `Desk`, which
//! redacts it before anything is stored. A message that cannot be processed is refused
//! whole, with a reason for the sender's MTA; nothing of it is kept.
//!
//! Trust rules: the sender is the `From:` address, never `Reply-To`. Only a ticket's pinned
//! key makes a signature `verified`; a key that came with the message makes it `signed` at
//! most, and is pinned only to a ticket that has no key yet.

use mail_parser::{HeaderName, Message, MessageParser, MimeHeaders, PartType};

use super::auth_results::{self, SenderAuthentication};
use super::structure::check_complete;
use super::ticket_text::MailTicketText;
use crate::crypto::{
    Keyring, Opened, PgpMessageError, RequesterKey, SignatureCheck, SignerKeys, could_have_signed,
    same_fingerprint, verify_detached,
};
use crate::desk::{
    AttachmentRefusal, Desk, DeskError, IncomingAttachment, MailIntake, Notice, OpenThread,
    RequesterGrant, SignatureVerdict, Unscanned,
};
use crate::domain::{Category, ContactAddress, InputError, NewTicketInput};
use crate::domain::{Recipient, SupportAddress};

/// The SMTP envelope.
#[derive(Debug, Clone)]
pub struct Envelope {
    pub mail_from: String,
    pub recipients: Vec<String>,
}

/// What happened to an accepted message.
#[derive(Debug)]
pub struct Accepted {
    pub reference: String,
    /// True when it joined an existing ticket.
    pub joined: bool,
}

/// Why a message was refused; each becomes a 5xx reply the sender's MTA bounces.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error("the message is not well-formed MIME: {0}")]
    Malformed(&'static str),
    #[error("{0}")]
    Undecryptable(&'static str),
    #[error(
        "this support desk accepts only OpenPGP-encrypted mail. Encrypt to the key published at {0} and send again"
    )]
    EncryptionRequired(String),
    #[error("the message has no readable text")]
    Empty,
    #[error("{0}")]
    Structure(#[from] super::structure::ShapeError),
    #[error(
        "the OpenPGP message is larger than {0} bytes once decrypted and decompressed; nothing of it was kept"
    )]
    TooLarge(u64),
    #[error("the message could not be stored; try again later")]
    Temporary,
    #[error("the message took too long to process; nothing of it was kept")]
    OverBudget,
    /// Refused by the same checks as the web form (`NewTicketInput::parse`, `ReplyInput`).
    #[error("{}", describe_input_errors(.0))]
    Invalid(Vec<InputError>),
    /// An attachment carries malware, cannot be read as the image it is, or could not be
    /// scanned (temporary: the MTA tries again, by when the scanner may be back).
    #[error("{0}")]
    Attachment(AttachmentRefusal),
}

fn describe_input_errors(errors: &[InputError]) -> String {
    let reasons: Vec<String> = errors.iter().map(ToString::to_string).collect();
    format!("the message was refused: {}", reasons.join("; "))
}

impl Refusal {
    /// SMTP reply code and enhanced status code.
    pub fn code(&self) -> (u16, &'static str) {
        match self {
            Refusal::Malformed(_) => (554, "5.6.0"),
            Refusal::Undecryptable(_) => (554, "5.7.5"),
            Refusal::EncryptionRequired(_) => (550, "5.7.1"),
            Refusal::Empty => (554, "5.6.0"),
            Refusal::Structure(_) => (554, "5.6.0"),
            Refusal::TooLarge(_) => (552, "5.3.4"),
            Refusal::Temporary => (451, "4.3.0"),
            Refusal::OverBudget => (554, "5.3.4"),
            Refusal::Invalid(_) => (554, "5.6.0"),
            Refusal::Attachment(AttachmentRefusal::Infected { .. }) => (554, "5.7.1"),
            Refusal::Attachment(AttachmentRefusal::Unscanned(Unscanned::ScannerDown)) => {
                (451, "4.7.0")
            }
            Refusal::Attachment(AttachmentRefusal::Unscanned(Unscanned::NoScanner)) => {
                (554, "5.7.1")
            }
            Refusal::Attachment(_) => (554, "5.6.0"),
        }
    }
}

/// How deep PGP/MIME layers may nest (signed inside encrypted inside …).
const MAX_DEPTH: usize = 4;

/// The readable content of a message once every OpenPGP layer is open.
struct Content {
    text: String,
    attachments: Vec<IncomingAttachment>,
    /// Keys found in the message itself (attached `application/pgp-keys`), at any depth,
    /// inside the encrypted part included.
    attached_keys: Vec<Vec<u8>>,
    encrypted: bool,
    signature: SignatureCheck,
}

/// Processes one received message.
pub async fn receive(
    desk: &Desk,
    support: &SupportAddress,
    key_url: &str,
    envelope: &Envelope,
    raw: &[u8],
    limits: &super::structure::MimeLimits,
    deadline: Option<std::time::Instant>,
) -> Result<Accepted, Refusal> {
    let message = MessageParser::default()
        .parse(raw)
        .ok_or(Refusal::Malformed("no message headers"))?;
    // The pre-scan reads headers loosely; the tree the parser built is the truth.
    super::structure::check_parsed(&message, limits)?;
    check_complete(&message, raw)?;
    within(deadline)?;
    let sender = sender_of(&message);

    // Where it is going: a ticket's reply address, a category's address, or the desk.
    let tags: Vec<String> = envelope
        .recipients
        .iter()
        .filter_map(|r| match support.match_recipient(r) {
            Some(Recipient::Tagged(tag)) => Some(tag),
            _ => None,
        })
        .collect();
    let thread = find_thread(desk, &tags).await?;

    let autocrypt = autocrypt_keys(&message, sender.as_ref());
    let signers = SignerKeys {
        pinned: thread
            .as_ref()
            .and_then(|(_, open)| open.pinned_key.as_deref()),
        delivered: &autocrypt,
    };
    let keyring = desk.keyring_for_mail_intake();
    let mut content = open_entity(keyring, &message, raw, &signers, 0)?;
    within(deadline)?;
    let signature_digest = match &content.signature {
        SignatureCheck::Good { identity, .. } => Some(keyring.signature_seen_digest(identity)),
        _ => None,
    };
    // A signature this ticket has already accepted vouches for that earlier mail, not for
    // this copy: a replay is unsigned for trust, so it cannot join through the pinned key.
    if let (Some(digest), Some((grant, _))) = (&signature_digest, &thread)
        && desk
            .signature_seen_on_ticket(grant, digest)
            .await
            .map_err(internal)?
    {
        tracing::info!(reference = %grant.reference(), "a signature seen before on this ticket was sent again");
        content.signature = SignatureCheck::None;
    }
    let signature_digest = signature_digest.filter(|_| content.signature != SignatureCheck::None);
    let mut delivered = autocrypt;
    delivered.extend(content.attached_keys.iter().cloned());
    let authentication = sender_authentication(desk, &message, sender.as_ref());

    let MailTicketText { subject, body } =
        MailTicketText::normalise(message.subject(), &content.text);
    let text = body.trim().to_owned();
    if text.is_empty() && content.attachments.is_empty() {
        return Err(Refusal::Empty);
    }
    let text = if text.is_empty() {
        "(no text; see attachments)".to_owned()
    } else {
        text
    };
    let mut mail = MailIntake {
        encrypted: content.encrypted,
        signature: verdict(&content.signature, false),
        attachments: content.attachments,
        signature_digest,
        deadline,
        keep_rest_when_unscanned: false,
    };

    if let Some((grant, open)) = thread {
        // A reply joins only when it proves it belongs: signed by the pinned key, or sent
        // to the secret reply address from the same contact the ticket was sealed with
        // (authenticated by the trusted MTA where one is configured).
        let signed_by_pinned = matches!(
            content.signature,
            SignatureCheck::Good {
                by_pinned_key: true,
                ..
            }
        );
        let same_contact = authentication.allows_contact_match()
            && match (&open.contact, &sender) {
                (Some(contact), Some(sender)) => contact.eq_ignore_ascii_case(sender.as_str()),
                _ => false,
            };
        if signed_by_pinned || same_contact {
            if open.require_encryption && !mail.encrypted {
                return Err(Refusal::EncryptionRequired(key_url.to_owned()));
            }
            mail.signature = verdict(&content.signature, true);
            // A pinned key is never replaced by one that came with a mail.
            let pin = match open.pinned_key {
                Some(_) => None,
                None => key_to_pin(&content.signature, &delivered, sender.as_ref()),
            };
            desk.reply_from_mail(&grant, &open, &text, mail, pin.as_ref())
                .await
                .map_err(internal)?;
            tracing::info!(reference = %grant.reference(), "mail reply joined its ticket");
            return Ok(Accepted {
                reference: grant.reference().to_string(),
                joined: true,
            });
        }
        tracing::info!(
            sender_authentication = ?authentication,
            "mail to a reply address did not prove its sender; filed as a new ticket"
        );
    }

    let category = tags
        .iter()
        .find_map(|t| t.parse::<Category>().ok())
        .unwrap_or(Category::Unsorted);
    if !mail.encrypted
        && desk
            .queue_requires_encryption(category)
            .await
            .map_err(internal)?
    {
        return Err(Refusal::EncryptionRequired(key_url.to_owned()));
    }
    // The form's own constructor: once mended by `MailTicketText::normalise`, a mail is held
    // to exactly the rules a web submission is.
    let input = NewTicketInput::parse_with_category(
        &subject,
        &text,
        Ok(category),
        sender.as_ref().map(ContactAddress::as_str),
        None,
    )
    .map_err(Refusal::Invalid)?;
    // A new ticket trusts no key yet: the one this mail was signed with (or carried for its
    // sender) becomes its pinned key, so the requester's next signed mail is `verified`.
    let pin = key_to_pin(&content.signature, &delivered, input.contact.as_ref());
    let filed = desk
        .file_from_mail(input, pin, mail)
        .await
        .map_err(internal)?;
    // Without a public address the path alone is given; the notice says it is on our site.
    let link = format!(
        "{}/t/{}",
        desk.public_url().unwrap_or_default(),
        filed.token.as_str()
    );
    if let Err(err) = desk
        .notify_requester(&filed.grant.mailbox(), Notice::Received { link: &link })
        .await
    {
        // The ticket is stored; a failed acknowledgement must not bounce the mail.
        tracing::warn!(error = %err, "queueing the acknowledgement failed");
    }
    Ok(Accepted {
        reference: filed.reference.to_string(),
        joined: false,
    })
}

/// Refuses a message whose processing passed its deadline (see the listener's budget).
fn within(deadline: Option<std::time::Instant>) -> Result<(), Refusal> {
    match deadline {
        Some(deadline) if std::time::Instant::now() > deadline => Err(Refusal::OverBudget),
        _ => Ok(()),
    }
}

fn internal(err: DeskError) -> Refusal {
    match err {
        DeskError::OverBudget => return Refusal::OverBudget,
        DeskError::Invalid(errors) => return Refusal::Invalid(errors),
        DeskError::Attachment(refusal) => return Refusal::Attachment(refusal),
        _ => {}
    }
    tracing::error!(error = %err, "storing a received mail failed");
    Refusal::Temporary
}

/// Parses and opens a raw message without storing anything: what the fuzz target drives.
/// Returns the readable text, or the refusal the sender would get.
pub fn open_for_inspection(keyring: &Keyring, raw: &[u8]) -> Result<String, Refusal> {
    let message = MessageParser::default()
        .parse(raw)
        .ok_or(Refusal::Malformed("no message headers"))?;
    check_complete(&message, raw)?;
    let sender = sender_of(&message);
    let autocrypt = autocrypt_keys(&message, sender.as_ref());
    let signers = SignerKeys {
        pinned: None,
        delivered: &autocrypt,
    };
    let content = open_entity(keyring, &message, raw, &signers, 0)?;
    Ok(content.text)
}

/// The sender: the single `From:` address. `Reply-To` is never used: anyone can set it,
/// and a ticket's contact must be who the mail is from, not where the writer wants answers.
/// A message with several `From:` headers or addresses names no one sender.
fn sender_of(message: &Message<'_>) -> Option<ContactAddress> {
    if message.header_values(HeaderName::From).count() != 1 {
        return None;
    }
    let mut addresses = message.from()?.iter();
    let address = addresses.next()?.address()?;
    if addresses.next().is_some() {
        return None;
    }
    ContactAddress::parse(address).ok()
}

/// What the trusted MTA in front says about the sender's domain (see `auth_results`).
fn sender_authentication(
    desk: &Desk,
    message: &Message<'_>,
    sender: Option<&ContactAddress>,
) -> SenderAuthentication {
    let domain = sender
        .and_then(|s| s.as_str().rsplit_once('@'))
        .map(|(_, domain)| domain)
        .unwrap_or_default();
    let values = message
        .headers_raw()
        .filter(|(name, _)| name.eq_ignore_ascii_case("authentication-results"))
        .map(|(_, value)| value);
    auth_results::judge(desk.trusted_authserv_id(), values, domain)
}

/// The ticket a reply-address tag points at, with its secrets opened.
async fn find_thread(
    desk: &Desk,
    tags: &[String],
) -> Result<Option<(RequesterGrant, OpenThread)>, Refusal> {
    for tag in tags {
        if tag.parse::<Category>().is_ok() {
            continue;
        }
        if let Some(found) = desk.thread_of_reply_tag(tag).await.map_err(internal)? {
            return Ok(Some(found));
        }
    }
    Ok(None)
}

/// Opens one MIME entity: PGP/MIME encrypted or signed, inline OpenPGP, or plain.
fn open_entity(
    keyring: &Keyring,
    message: &Message<'_>,
    raw: &[u8],
    signers: &SignerKeys<'_>,
    depth: usize,
) -> Result<Content, Refusal> {
    if depth > MAX_DEPTH {
        return Err(Refusal::Malformed("OpenPGP layers nested too deeply"));
    }
    let root = message.root_part();
    if root.is_content_type("multipart", "encrypted") {
        let payload = subparts(message, 0)
            .into_iter()
            .find(|p| p.is_content_type("application", "octet-stream"))
            .ok_or(Refusal::Malformed(
                "multipart/encrypted without its encrypted part",
            ))?;
        let opened = keyring
            .decrypt_mail(payload.contents(), signers)
            .map_err(decrypt_refusal(keyring))?;
        let inner_raw = opened.content.clone();
        super::structure::prescan_decrypted(&inner_raw)?;
        let inner = MessageParser::default()
            .parse(&inner_raw)
            .ok_or(Refusal::Malformed("the decrypted part is not MIME"))?;
        super::structure::check_parsed(&inner, &super::structure::MimeLimits::default())?;
        check_complete(&inner, &inner_raw)?;
        let mut content = open_entity(keyring, &inner, &inner_raw, signers, depth + 1)?;
        content.encrypted = true;
        if content.signature == SignatureCheck::None {
            content.signature = opened.signature;
            // Signed and encrypted in one go, with the signer's key attached inside (what
            // GnuPG-based clients send with "attach my key"): the key is only readable
            // after decrypting, so check the signature again with it. That decrypts a second
            // time (under the same size limit), so only when an attached key is the signer's.
            if content.signature == SignatureCheck::Unverifiable
                && content
                    .attached_keys
                    .iter()
                    .any(|key| could_have_signed(key, &opened.missing_signers))
            {
                let with_inner = with_keys(signers, &content.attached_keys);
                let again = keyring
                    .decrypt_mail(payload.contents(), &with_inner.borrowed())
                    .map_err(decrypt_refusal(keyring))?;
                content.signature = again.signature;
            }
        }
        return Ok(content);
    }
    if root.is_content_type("multipart", "signed") {
        let parts = subparts(message, 0);
        let (Some(signed), Some(signature)) = (parts.first(), parts.get(1)) else {
            return Err(Refusal::Malformed("multipart/signed without two parts"));
        };
        let start = signed.raw_header_offset() as usize;
        let end = signed.raw_end_offset() as usize;
        let signed_raw = raw
            .get(start..end)
            .ok_or(Refusal::Malformed("bad part offsets"))?;
        let signed_bytes = canonical_crlf(signed_raw);
        let inner = MessageParser::default()
            .parse(signed_raw)
            .ok_or(Refusal::Malformed("the signed part is not MIME"))?;
        let mut content = open_entity(keyring, &inner, signed_raw, signers, depth + 1)?;
        // Keys attached inside the signed part may be the signer's own: check with them too.
        let with_inner = with_keys(signers, &content.attached_keys);
        content.signature =
            verify_detached(&signed_bytes, signature.contents(), &with_inner.borrowed());
        return Ok(content);
    }
    plain_content(keyring, message, signers)
}

/// `signers` with more delivered keys.
fn with_keys(signers: &SignerKeys<'_>, more: &[Vec<u8>]) -> OwnedSigners {
    let mut delivered = signers.delivered.to_vec();
    delivered.extend(more.iter().cloned());
    OwnedSigners {
        pinned: signers.pinned.map(<[u8]>::to_vec),
        delivered,
    }
}

/// Signer keys gathered while opening a message.
struct OwnedSigners {
    pinned: Option<Vec<u8>>,
    delivered: Vec<Vec<u8>>,
}

impl OwnedSigners {
    fn borrowed(&self) -> SignerKeys<'_> {
        SignerKeys {
            pinned: self.pinned.as_deref(),
            delivered: &self.delivered,
        }
    }
}

/// A message without PGP/MIME structure; its text may still hold inline OpenPGP.
fn plain_content(
    keyring: &Keyring,
    message: &Message<'_>,
    signers: &SignerKeys<'_>,
) -> Result<Content, Refusal> {
    let mut text = message
        .body_text(0)
        .map(|t| t.into_owned())
        .unwrap_or_default();
    let mut attachments = Vec::new();
    let mut attached_keys = Vec::new();
    for part in message.attachments() {
        let media = media_type(part);
        if media == "application/pgp-keys" {
            attached_keys.push(part.contents().to_vec());
            continue;
        }
        if media == "application/pgp-signature" {
            continue;
        }
        attachments.push(IncomingAttachment {
            name: part.attachment_name().unwrap_or("attachment").to_owned(),
            media_type: media,
            bytes: part.contents().to_vec(),
        });
    }
    let mut encrypted = false;
    let mut signature = SignatureCheck::None;
    let signers = with_keys(signers, &attached_keys);
    let signers = signers.borrowed();
    if let Some(block) = armored_block(&text, "PGP MESSAGE") {
        let opened = keyring
            .decrypt_mail(block.as_bytes(), &signers)
            .map_err(decrypt_refusal(keyring))?;
        let opened_text = String::from_utf8(opened.content)
            .map_err(|_| Refusal::Malformed("the decrypted text is not UTF-8"))?;
        if block_is_all_shown(message, &text, block) {
            encrypted = opened.encrypted;
            signature = opened.signature;
        }
        text = text.replacen(block, &opened_text, 1);
    } else if let Some(block) = armored_block(&text, "PGP SIGNED MESSAGE") {
        let Opened {
            content,
            signature: check,
            ..
        } = keyring
            .verify_inline_mail(block.as_bytes(), &signers)
            .map_err(|err| match err {
                PgpMessageError::TooLarge => too_large(keyring),
                _ => Refusal::Malformed("the inline-signed text is damaged"),
            })?;
        let signed_text = String::from_utf8(content)
            .map_err(|_| Refusal::Malformed("the signed text is not UTF-8"))?;
        if block_is_all_shown(message, &text, block) {
            signature = check;
        }
        text = text.replacen(block, &signed_text, 1);
    }
    Ok(Content {
        text,
        attachments,
        attached_keys,
        encrypted,
        signature,
    })
}

/// Whether an inline OpenPGP `block` in `text` is all the message shows: the message has
/// one shown part, plain text, and nothing but whitespace around the block. Keys and
/// signatures that travel with it are not shown, so they do not count. Only then can the
/// block's signature (and encryption) vouch for the message; a signed block beside other
/// text or files would lend its badge to content nobody signed, such as an attacker's
/// attachments next to a captured signed mail.
fn block_is_all_shown(message: &Message<'_>, text: &str, block: &str) -> bool {
    let mut shown = message.parts.iter().filter(|part| {
        !matches!(part.body, PartType::Multipart(_))
            && !matches!(
                media_type(part).as_str(),
                "application/pgp-keys" | "application/pgp-signature"
            )
    });
    let (Some(only), None) = (shown.next(), shown.next()) else {
        return false;
    };
    if !matches!(only.body, PartType::Text(_)) {
        return false;
    }
    match text.split_once(block) {
        Some((before, after)) => before.trim().is_empty() && after.trim().is_empty(),
        None => false,
    }
}

/// The refusal for a message that opens to more than the limit.
fn too_large(keyring: &Keyring) -> Refusal {
    Refusal::TooLarge(keyring.opened_limit())
}

fn decrypt_refusal(keyring: &Keyring) -> impl Fn(PgpMessageError) -> Refusal + '_ {
    move |err| match err {
        PgpMessageError::TooLarge => too_large(keyring),
        PgpMessageError::NotForUs => Refusal::Undecryptable(
            "the message is not encrypted to this support desk's key; fetch the current key and send again",
        ),
        _ => Refusal::Undecryptable("the encrypted part is damaged and cannot be decrypted"),
    }
}

/// The direct sub-parts of part `id`.
fn subparts<'m>(message: &'m Message<'_>, id: usize) -> Vec<&'m mail_parser::MessagePart<'m>> {
    message
        .parts
        .get(id)
        .and_then(|p| p.sub_parts())
        .map(|ids| {
            ids.iter()
                .filter_map(|&i| message.parts.get(i as usize))
                .collect()
        })
        .unwrap_or_default()
}

fn media_type(part: &mail_parser::MessagePart<'_>) -> String {
    part.content_type()
        .map(|ct| {
            format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or("octet-stream"))
                .to_ascii_lowercase()
        })
        .unwrap_or_else(|| "application/octet-stream".into())
}

/// Line endings as CRLF, which OpenPGP signatures over MIME parts are made on (RFC 3156).
fn canonical_crlf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 32);
    let mut previous = 0u8;
    for &b in bytes {
        if b == b'\n' && previous != b'\r' {
            out.push(b'\r');
        }
        out.push(b);
        previous = b;
    }
    out
}

/// The first `-----BEGIN {kind}-----` … `-----END …-----` block in `text`, if any.
fn armored_block<'t>(text: &'t str, kind: &str) -> Option<&'t str> {
    let begin = format!("-----BEGIN {kind}-----");
    let start = text.find(&begin)?;
    let end_marker = if kind == "PGP SIGNED MESSAGE" {
        "-----END PGP SIGNATURE-----"
    } else {
        "-----END PGP MESSAGE-----"
    };
    let end = text[start..].find(end_marker)? + start + end_marker.len();
    Some(&text[start..end])
}

/// Keys from `Autocrypt:` headers whose `addr` is the sender.
fn autocrypt_keys(message: &Message<'_>, sender: Option<&ContactAddress>) -> Vec<Vec<u8>> {
    use base64::Engine;
    let Some(sender) = sender else {
        return Vec::new();
    };
    message
        .headers_raw()
        .filter(|(name, _)| name.eq_ignore_ascii_case("autocrypt"))
        .filter_map(|(_, value)| {
            let mut addr = None;
            let mut keydata = None;
            for attribute in value.split(';') {
                let (k, v) = attribute.split_once('=')?;
                match k.trim() {
                    "addr" => addr = Some(v.trim().to_owned()),
                    "keydata" => keydata = Some(v.split_whitespace().collect::<String>()),
                    _ => {}
                }
            }
            if !addr?.eq_ignore_ascii_case(sender.as_str()) {
                return None;
            }
            base64::engine::general_purpose::STANDARD
                .decode(keydata?)
                .ok()
        })
        .collect()
}

/// The verdict agents see. `verified` needs the ticket's own pinned key, and only for a mail
/// that joined that ticket; any other good signature is merely `signed`.
fn verdict(check: &SignatureCheck, joined_its_ticket: bool) -> SignatureVerdict {
    match check {
        SignatureCheck::None => SignatureVerdict::None,
        SignatureCheck::Unverifiable => SignatureVerdict::Unverified,
        SignatureCheck::Bad => SignatureVerdict::Bad,
        SignatureCheck::Good {
            by_pinned_key: true,
            ..
        } if joined_its_ticket => SignatureVerdict::Verified,
        SignatureCheck::Good { .. } => SignatureVerdict::Signed,
    }
}

/// The public key to pin to a ticket that has none: the delivered key that made the good
/// signature, else (unsigned mail) a delivered key for the sender's address, as Autocrypt
/// intends. A key that cannot be encrypted to is never pinned.
fn key_to_pin(
    check: &SignatureCheck,
    delivered: &[Vec<u8>],
    sender: Option<&ContactAddress>,
) -> Option<RequesterKey> {
    let parsed: Vec<RequesterKey> = delivered
        .iter()
        .filter_map(|bytes| {
            let text = String::from_utf8(bytes.clone())
                .ok()
                .unwrap_or_else(|| armor_binary_key(bytes));
            RequesterKey::parse(&text).ok()
        })
        .collect();
    match check {
        SignatureCheck::Good { fingerprint, .. } => parsed
            .into_iter()
            .find(|k| same_fingerprint(&k.fingerprint, fingerprint)),
        // Signed by some other key: pinning a different one would be a guess.
        SignatureCheck::Bad | SignatureCheck::Unverifiable => None,
        SignatureCheck::None => {
            let sender = sender?;
            parsed.into_iter().find(|k| {
                k.user_emails
                    .iter()
                    .any(|e| e.eq_ignore_ascii_case(sender.as_str()))
            })
        }
    }
}

/// Autocrypt carries keys in binary; `RequesterKey::parse` takes text, so armor them.
fn armor_binary_key(bytes: &[u8]) -> String {
    crate::crypto::armor_public_key(bytes).unwrap_or_default()
}
