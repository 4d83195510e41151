//! Intake: turns validated input into stored tickets, replies, notes and reasons.
//! Every text, the requester's or an agent's, goes through the redactor here on its way to
//! the store; kept data is sealed. Shared by every channel (web form, JSON API, agent UI,
//! and later mail).

use std::sync::Arc;

use crate::auth::ReplyToken;
use crate::auth::{AccessToken, digest_token};
use crate::crypto::{RequesterKey, TicketKey, os_random};
use crate::domain::{Name, NewTicketInput, ReasonInput, Reference, ReplyInput};
use crate::redact::{
    AllowEntry, MaskBook, MaskKey, PlannedMask, Redacted, RedactionCounts, Redactor,
};
use crate::store::{
    AdminScope, AgentScope, AttachmentContent, Conflict, Delivery, EscalationOutcome,
    NewAttachment, RequesterGrant, RequesterMailbox, SignatureVerdict, StoreError, Tombstone,
};

use super::notice::Notice;
use super::{CannedRefusal, Desk, DeskError};

/// A deletion and its signed receipt.
#[derive(Debug)]
pub struct Deletion {
    pub tombstone: Tombstone,
    /// Cleartext-signed statement, verifiable against the published key.
    pub receipt: String,
}

/// What became of an agent's message.
#[derive(Debug)]
pub struct AgentMessageOutcome {
    pub redactions: RedactionCounts,
    /// For public replies: whether it was also queued as mail.
    pub mailed: Option<Mailed>,
}

/// Whether a message to the requester was queued, and if not, why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mailed {
    Queued,
    NoContact,
    /// They write encrypted but gave no key: plain text is never sent to them.
    NoKey,
}

impl Mailed {
    pub fn id(self) -> &'static str {
        match self {
            Mailed::Queued => "queued",
            Mailed::NoContact => "no_contact",
            Mailed::NoKey => "no_key",
        }
    }
}

/// A ticket just filed: the only moment the access token exists in clear.
pub struct Filed {
    pub grant: RequesterGrant,
    pub reference: Reference,
    pub token: AccessToken,
    pub redactions: RedactionCounts,
    /// The `+…` tag of the ticket's reply address, when it has a contact.
    pub reply_token: Option<ReplyToken>,
    /// Files filed without: no scanner could look at them.
    pub held_back: Option<HeldBack>,
    /// Files kept with the ticket.
    pub files: usize,
}

/// Images and binaries a web submission went in without, for want of a virus scan, and why.
#[derive(Debug, Clone)]
pub struct HeldBack {
    pub names: Vec<String>,
    pub why: super::Unscanned,
}

/// What became of a requester's reply from the web.
#[derive(Debug)]
pub struct ReplyOutcome {
    pub redactions: RedactionCounts,
    pub held_back: Option<HeldBack>,
}

/// A ticket's secrets, opened for deciding whether a mail joins it.
pub struct OpenThread {
    pub ticket_key: TicketKey,
    pub contact: Option<String>,
    pub pinned_key: Option<Vec<u8>>,
    /// The `+…` tag of the ticket's reply address, when it has one.
    pub reply_token: Option<String>,
    pub require_encryption: bool,
}

/// How a mail arrived and what it carried; empty for the web.
#[derive(Debug, Default)]
pub struct MailIntake {
    pub encrypted: bool,
    pub signature: SignatureVerdict,
    pub attachments: Vec<IncomingAttachment>,
    /// The keyed digest of the good signature the mail carried (see `Store::signature_seen`).
    pub signature_digest: Option<[u8; 32]>,
    /// Past this moment the mail is refused rather than stored: checked once its text is
    /// redacted, the last step before the store's single transaction.
    pub deadline: Option<std::time::Instant>,
    /// Whether images and binaries that no scanner could look at are left out and the rest
    /// kept (the web, whose page says so), or refuse the whole message (mail, which cannot
    /// tell its sender what was left out; a temporary refusal lets the MTA try again).
    pub keep_rest_when_unscanned: bool,
}

impl MailIntake {
    /// Screens the attachments it carries (see `screen`), keeping what may be kept.
    async fn screen_attachments(&mut self, desk: &Desk) -> Result<Option<HeldBack>, DeskError> {
        let screened = desk.screen(std::mem::take(&mut self.attachments)).await?;
        if !self.keep_rest_when_unscanned {
            self.attachments = screened.all_or_refuse()?;
            return Ok(None);
        }
        self.attachments = screened.kept;
        Ok(screened.why.map(|why| HeldBack {
            names: screened.held_back,
            why,
        }))
    }

    fn within_deadline(&self) -> Result<(), DeskError> {
        match self.deadline {
            Some(deadline) if std::time::Instant::now() > deadline => Err(DeskError::OverBudget),
            _ => Ok(()),
        }
    }
}

/// An attachment as received, before redaction or sealing.
#[derive(Debug, Clone)]
pub struct IncomingAttachment {
    pub name: String,
    pub media_type: String,
    pub bytes: Vec<u8>,
}

impl IncomingAttachment {
    /// The attachment as text, when it is text: a textual media type and valid UTF-8.
    pub(super) fn as_text(&self) -> Option<&str> {
        let media = self.media_type.to_ascii_lowercase();
        let textual = media.starts_with("text/")
            || matches!(
                media.as_str(),
                "application/json" | "application/xml" | "application/csv" | "message/rfc822"
            );
        if textual {
            std::str::from_utf8(&self.bytes).ok()
        } else {
            None
        }
    }
}

/// How often to draw a fresh reference or mask number after a collision before giving up.
pub(super) const ATTEMPTS: usize = 4;

impl Desk {
    /// Files a new ticket: redacts subject and body, seals contact and key, stores it all at once.
    pub(super) async fn file_from_web(
        &self,
        input: NewTicketInput,
        attachments: Vec<IncomingAttachment>,
    ) -> Result<Filed, DeskError> {
        let requester_key = input
            .pgp_key
            .as_deref()
            .map(RequesterKey::parse)
            .transpose()?;
        let intake = MailIntake {
            attachments,
            keep_rest_when_unscanned: true,
            ..MailIntake::default()
        };
        self.file(input, requester_key, intake).await
    }

    /// Files a ticket from any channel. `mail` carries how a mail arrived and what it
    /// carried; it is empty for the web.
    pub(super) async fn file(
        &self,
        input: NewTicketInput,
        requester_key: Option<RequesterKey>,
        mut mail: MailIntake,
    ) -> Result<Filed, DeskError> {
        let held_back = mail.screen_attachments(self).await?;
        let incoming = Arc::new(std::mem::take(&mut mail.attachments));
        let ticket_key = TicketKey::generate();
        let seal = |bytes: &[u8]| ticket_key.seal(bytes).map_err(anyhow::Error::from);
        let sealed_contact = input
            .contact
            .as_ref()
            .map(|c| seal(c.as_str().as_bytes()))
            .transpose()?;
        let sealed_pgp_key = requester_key
            .as_ref()
            .map(|k| seal(&k.armored))
            .transpose()?;
        let sealed_ticket_key = self
            .keyring
            .seal_ticket_key(&ticket_key)
            .map_err(anyhow::Error::from)?;
        // Only a ticket we can write back to needs a reply address.
        let reply_token = match &input.contact {
            Some(_) => Some(ReplyToken::generate().map_err(anyhow::Error::from)?),
            None => None,
        };
        let sealed_reply_token = reply_token
            .as_ref()
            .map(|t| seal(t.as_str().as_bytes()))
            .transpose()?;
        let priority = input.category.default_priority();
        let language = input.language.unwrap_or_else(|| {
            crate::i18n::Lang::of_text(&format!("{}\n{}", input.subject, input.body))
        });

        for _ in 0..ATTEMPTS {
            let reference = Reference::from_random(os_random().map_err(anyhow::Error::from)?);
            let token = AccessToken::generate().map_err(anyhow::Error::from)?;
            let book = MaskBook::new(self.mask_key(&reference), Vec::new());
            let (subject_text, body_text) = (input.subject.clone(), input.body.clone());
            let keep = input.keep.clone();
            let (subject, body, book) = self
                .redacting(move |redactor| {
                    let mut book = book;
                    // Together, so a secret given in the body is not left bare in the subject.
                    let mut fields = redactor
                        .redact_fields_keeping(
                            &[
                                (subject_text.as_str(), keep.subject.as_slice()),
                                (body_text.as_str(), keep.body.as_slice()),
                            ],
                            &mut book,
                        )
                        .into_iter();
                    let subject = fields.next();
                    let body = fields.next();
                    (subject, body, book)
                })
                .await?;
            let (Some(subject), Some(body)) = (subject, body) else {
                return Err(DeskError::Internal(anyhow::anyhow!(
                    "redaction returned fewer fields than it was given"
                )));
            };
            let (attachments, book) = self
                .prepare_attachments(&incoming, book, &ticket_key)
                .await?;
            mail.within_deadline()?;
            let mut redactions = subject.counts().clone();
            redactions.merge(body.counts());
            let record = crate::store::NewTicketRecord {
                reference: reference.clone(),
                token: digest_token(&self.keyring, &token),
                category: input.category,
                subject,
                body,
                sealed_ticket_key: sealed_ticket_key.clone(),
                sealed_contact: sealed_contact.clone(),
                sealed_pgp_key: sealed_pgp_key.clone(),
                mask_slots: book.fresh_slots().to_vec(),
                priority,
                language,
                reply_token: reply_token
                    .as_ref()
                    .zip(sealed_reply_token.clone())
                    .map(|(t, sealed)| (self.reply_token_digest(t.as_str()), sealed)),
                delivery: Delivery {
                    encrypted: mail.encrypted,
                    signature: mail.signature,
                    attachments,
                    signature_digest: mail.signature_digest,
                },
                first_response_within: self.sla.first_response[priority.index()],
                resolution_within: self.sla.resolution[priority.index()],
            };
            match self.store.create_ticket(record).await {
                Ok(grant) => {
                    tracing::info!(reference = %reference, findings = redactions.total(), "ticket filed");
                    return Ok(Filed {
                        grant,
                        reference,
                        token,
                        redactions,
                        reply_token,
                        held_back,
                        files: incoming.len(),
                    });
                }
                Err(StoreError::Conflict(Conflict::Reference)) => continue,
                Err(other) => return Err(other.into()),
            }
        }
        Err(DeskError::Internal(anyhow::anyhow!(
            "could not draw an unused reference"
        )))
    }

    /// Redacts text attachments (and every name) with the ticket's masks, off the async
    /// workers, and seals the rest with the ticket's key. Gives the book back.
    async fn prepare_attachments(
        &self,
        incoming: &Arc<Vec<IncomingAttachment>>,
        book: MaskBook,
        ticket_key: &TicketKey,
    ) -> Result<(Vec<NewAttachment>, MaskBook), DeskError> {
        if incoming.is_empty() {
            return Ok((Vec::new(), book));
        }
        let shared = incoming.clone();
        let (redacted, book) = self
            .redacting(move |redactor| {
                let mut book = book;
                let redacted: Vec<_> = shared
                    .iter()
                    .map(|a| {
                        // Content before name: the order masks were always numbered in.
                        let text = a.as_text().map(|text| redactor.redact(text, &mut book));
                        (text, redactor.redact_file_name(&a.name, &mut book))
                    })
                    .collect();
                (redacted, book)
            })
            .await?;
        let attachments = incoming
            .iter()
            .zip(redacted)
            .map(|(a, (text, name))| {
                let content = match text {
                    Some(text) => AttachmentContent::Text(text),
                    None => AttachmentContent::Sealed(
                        ticket_key.seal(&a.bytes).map_err(anyhow::Error::from)?,
                    ),
                };
                Ok(NewAttachment {
                    name,
                    media_type: a.media_type.clone(),
                    size: i64::try_from(a.bytes.len()).unwrap_or(i64::MAX),
                    content,
                })
            })
            .collect::<Result<Vec<_>, DeskError>>()?;
        Ok((attachments, book))
    }

    /// The keyed hash a reply token is stored and looked up as.
    pub(super) fn reply_token_digest(&self, token: &str) -> crate::auth::TokenDigest {
        crate::auth::TokenDigest(self.keyring.reply_token_digest(token.as_bytes()))
    }

    /// Adds a requester reply from the web, keeping the ticket's masks stable; its files are
    /// screened like a mail's, and those no scanner could look at are left out and named.
    pub(super) async fn add_reply(
        &self,
        grant: &RequesterGrant,
        input: ReplyInput,
        attachments: Vec<IncomingAttachment>,
    ) -> Result<ReplyOutcome, DeskError> {
        let mut intake = MailIntake {
            attachments,
            keep_rest_when_unscanned: true,
            ..MailIntake::default()
        };
        let held_back = intake.screen_attachments(self).await?;
        let incoming = Arc::new(std::mem::take(&mut intake.attachments));
        // The ticket's key is opened only when there is something to seal with it.
        let ticket_key = if incoming.is_empty() {
            None
        } else {
            Some(self.open_thread(grant).await?.ticket_key)
        };
        for _ in 0..ATTEMPTS {
            let existing = self.store.mask_slots(grant).await?;
            let book = MaskBook::new(self.mask_key(grant.reference()), existing);
            let (body, book) = self.redact_in(book, &input.body).await?;
            let (attachments, book) = match &ticket_key {
                Some(key) => self.prepare_attachments(&incoming, book, key).await?,
                None => (Vec::new(), book),
            };
            let delivery = Delivery {
                attachments,
                ..Delivery::default()
            };
            match self
                .store
                .add_requester_message(grant, &body, book.fresh_slots(), &delivery, None)
                .await
            {
                Ok(()) => {
                    tracing::info!(reference = %grant.reference(), findings = body.counts().total(), files = incoming.len(), "requester replied");
                    return Ok(ReplyOutcome {
                        redactions: body.counts().clone(),
                        held_back,
                    });
                }
                Err(StoreError::Conflict(Conflict::Mask)) => continue,
                Err(other) => return Err(other.into()),
            }
        }
        Err(DeskError::Internal(anyhow::anyhow!(
            "concurrent replies kept colliding"
        )))
    }

    /// Queues a mail to the ticket's requester if they gave a contact address, in the language
    /// they wrote in, encrypted to their pinned key when there is one.
    pub(crate) async fn notify_requester(
        &self,
        mailbox: &RequesterMailbox,
        notice: Notice<'_>,
    ) -> Result<Mailed, DeskError> {
        let secrets = self.store.mailbox_secrets(mailbox).await?;
        let (subject, body) = notice.render(secrets.language, mailbox.reference());
        let (subject, body) = (subject.as_str(), body.as_str());
        let thread = self.open_secrets(secrets)?;
        let Some(contact) = &thread.contact else {
            return Ok(Mailed::NoContact);
        };
        let wrote_encrypted = self.store.requester_wrote_encrypted(mailbox).await?;
        let draft = crate::outbound::Draft {
            to: contact,
            reply_to: thread
                .reply_token
                .as_ref()
                .map(|t| self.outgoing.support.with_tag(t)),
            reference: mailbox.reference().as_str(),
            subject,
            body,
            requester_key: thread.pinned_key.as_deref(),
            requester_wrote_encrypted: wrote_encrypted,
        };
        let message = match crate::outbound::compose(&self.keyring, &self.outgoing.sender, &draft) {
            Ok(message) => message,
            Err(crate::outbound::ComposeError::NoKeyForEncryptedRequester) => {
                tracing::warn!(reference = %mailbox.reference(), "not mailed: the requester writes encrypted but left no key");
                return Ok(Mailed::NoKey);
            }
            Err(crate::outbound::ComposeError::BadAddress(_)) => return Ok(Mailed::NoContact),
            Err(other) => return Err(DeskError::Internal(other.into())),
        };
        let sealed = crate::outbound::seal_for_queue(&thread.ticket_key, contact, &message)
            .map_err(anyhow::Error::from)?;
        self.store.enqueue_mail(mailbox, &sealed).await?;
        Ok(Mailed::Queued)
    }

    /// The `+…` tag of the ticket's reply address, if it has one. Opens the ticket key only
    /// when there is something to open, so reading a ticket without a contact stays cheap.
    pub(super) async fn reply_token(
        &self,
        grant: &RequesterGrant,
    ) -> Result<Option<String>, DeskError> {
        let secrets = self.store.thread_secrets(grant).await?;
        let Some(sealed) = &secrets.reply_token else {
            return Ok(None);
        };
        let ticket_key = self
            .keyring
            .open_ticket_key(&secrets.sealed_ticket_key)
            .map_err(anyhow::Error::from)?;
        let token = ticket_key.open(sealed).map_err(anyhow::Error::from)?;
        Ok(String::from_utf8(token).ok())
    }

    /// Opens what deciding on a mail reply needs: the ticket's key, its contact and its
    /// pinned OpenPGP key. Used only inside mail intake, never shown.
    pub(super) async fn open_thread(
        &self,
        grant: &RequesterGrant,
    ) -> Result<OpenThread, DeskError> {
        let secrets = self.store.thread_secrets(grant).await?;
        self.open_secrets(secrets)
    }

    fn open_secrets(&self, secrets: crate::store::ThreadSecrets) -> Result<OpenThread, DeskError> {
        let ticket_key = self
            .keyring
            .open_ticket_key(&secrets.sealed_ticket_key)
            .map_err(anyhow::Error::from)?;
        let open = |sealed: &Option<crate::crypto::Sealed>| {
            sealed
                .as_ref()
                .map(|s| ticket_key.open(s).map_err(anyhow::Error::from))
                .transpose()
        };
        let contact = open(&secrets.contact)?.and_then(|b| String::from_utf8(b).ok());
        let pinned_key = open(&secrets.pgp_key)?;
        let reply_token = open(&secrets.reply_token)?.and_then(|b| String::from_utf8(b).ok());
        Ok(OpenThread {
            ticket_key,
            contact,
            pinned_key,
            reply_token,
            require_encryption: secrets.require_encryption,
        })
    }

    /// Adds a mail that proved it belongs to this ticket. `pin_key` is pinned if the ticket
    /// has no key yet.
    pub(crate) async fn reply_from_mail(
        &self,
        grant: &RequesterGrant,
        thread: &OpenThread,
        body: &str,
        mut mail: MailIntake,
        pin_key: Option<&RequesterKey>,
    ) -> Result<(), DeskError> {
        mail.keep_rest_when_unscanned = false;
        mail.screen_attachments(self).await?;
        let incoming = Arc::new(std::mem::take(&mut mail.attachments));
        let input = ReplyInput::parse(body).map_err(|e| vec![e])?;
        let sealed_key = pin_key
            .map(|k| {
                thread
                    .ticket_key
                    .seal(&k.armored)
                    .map_err(anyhow::Error::from)
            })
            .transpose()?;
        for _ in 0..ATTEMPTS {
            let existing = self.store.mask_slots(grant).await?;
            let book = MaskBook::new(self.mask_key(grant.reference()), existing);
            let (body, book) = self.redact_in(book, &input.body).await?;
            let (attachments, book) = self
                .prepare_attachments(&incoming, book, &thread.ticket_key)
                .await?;
            mail.within_deadline()?;
            let delivery = Delivery {
                encrypted: mail.encrypted,
                signature: mail.signature,
                attachments,
                signature_digest: mail.signature_digest,
            };
            match self
                .store
                .add_requester_message(
                    grant,
                    &body,
                    book.fresh_slots(),
                    &delivery,
                    sealed_key.as_ref(),
                )
                .await
            {
                Ok(()) => return Ok(()),
                Err(StoreError::Conflict(Conflict::Mask)) => continue,
                Err(other) => return Err(other.into()),
            }
        }
        Err(DeskError::Internal(anyhow::anyhow!(
            "concurrent replies kept colliding"
        )))
    }

    /// The requester's "delete now": the ticket and all it holds, at once.
    /// Refused with `Conflict(Conflict::Held)` while a legal hold is on; the requester is told it is
    /// held, never why.
    pub(super) async fn delete_now(
        &self,
        grant: RequesterGrant,
        lang: crate::i18n::Lang,
    ) -> Result<Deletion, DeskError> {
        let tombstone = self.store.delete_ticket(grant).await?;
        tracing::info!(reference = %tombstone.reference, "ticket deleted on the requester's request");
        let receipt = self.deletion_receipt(&tombstone, lang)?;
        Ok(Deletion { tombstone, receipt })
    }

    /// A short statement of what was deleted and when, in the requester's language, signed
    /// with the helpdesk's OpenPGP key (cleartext signature: readable as it is, verifiable with
    /// any OpenPGP tool against the published key). Nothing of the ticket's content is in it.
    fn deletion_receipt(
        &self,
        tombstone: &Tombstone,
        lang: crate::i18n::Lang,
    ) -> Result<String, DeskError> {
        let when = time::OffsetDateTime::from_unix_timestamp(tombstone.deleted_at)
            .ok()
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .unwrap_or_default();
        let count = |key: &str, n: i64| lang.text_with(key, &[("count", n.into())]);
        let mut deleted = vec![
            lang.text("receipt-request"),
            count("receipt-messages", tombstone.messages),
        ];
        if tombstone.attachments > 0 {
            deleted.push(count("receipt-attachments", tombstone.attachments));
        }
        if tombstone.had_contact {
            deleted.push(lang.text("receipt-contact"));
        }
        if tombstone.had_key {
            deleted.push(lang.text("receipt-pinned-key"));
        }
        deleted.push(lang.text("receipt-ticket-key"));
        let statement = lang.text_with(
            "receipt",
            &[
                ("address", self.outgoing.sender.address.to_string().into()),
                ("reference", tombstone.reference.to_string().into()),
                ("when", when.into()),
                ("deleted", deleted.join(", ").into()),
            ],
        ) + "\n";
        let signed = self
            .keyring
            .sign_cleartext(statement.as_bytes())
            .map_err(anyhow::Error::from)?;
        String::from_utf8(signed).map_err(|e| DeskError::Internal(e.into()))
    }

    /// Adds an agent's public reply or internal note, redacted with the ticket's masks.
    /// `canned` is a canned response of the ticket's queue to put before the typed text.
    pub(super) async fn agent_message(
        &self,
        scope: &AgentScope,
        reference: &Reference,
        typed: &str,
        canned: Option<i64>,
        internal: bool,
    ) -> Result<AgentMessageOutcome, DeskError> {
        let text = match canned {
            Some(id) => {
                let canned = self
                    .store
                    .canned_body_for(scope, reference.as_str(), id)
                    .await?;
                if let Some(token) = foreign_mask(&canned) {
                    return Err(CannedRefusal::ForeignMaskNotSent {
                        token: token.to_string(),
                    }
                    .into());
                }
                format!("{canned}\n\n{typed}")
            }
            None => typed.to_owned(),
        };
        let input = ReplyInput::parse(&text).map_err(|e| vec![e])?;
        for _ in 0..ATTEMPTS {
            let existing = self
                .store
                .agent_mask_slots(scope, reference.as_str())
                .await?;
            let book = MaskBook::new(self.mask_key(reference), existing);
            let (body, book) = self.redact_in(book, &input.body).await?;
            match self
                .store
                .add_agent_message(
                    scope,
                    reference.as_str(),
                    &body,
                    internal,
                    book.fresh_slots(),
                )
                .await
            {
                Ok(()) if internal => {
                    return Ok(AgentMessageOutcome {
                        redactions: body.counts().clone(),
                        mailed: None,
                    });
                }
                Ok(()) => {
                    // A public reply also goes to the requester by mail, if they left an address.
                    let mailbox = self
                        .store
                        .mailbox_for_agent(scope, reference.as_str())
                        .await?;
                    let mailed = self
                        .notify_requester(&mailbox, Notice::Reply(body.as_str()))
                        .await?;
                    return Ok(AgentMessageOutcome {
                        redactions: body.counts().clone(),
                        mailed: Some(mailed),
                    });
                }
                Err(StoreError::Conflict(Conflict::Mask)) => continue,
                Err(other) => return Err(other.into()),
            }
        }
        Err(DeskError::Internal(anyhow::anyhow!(
            "concurrent messages kept colliding"
        )))
    }

    /// Sets a ticket's status; when it becomes resolved or closed the requester is told by
    /// mail (if they left an address), so a finished ticket never goes silent.
    pub(super) async fn set_status(
        &self,
        scope: &AgentScope,
        reference: &Reference,
        status: crate::domain::Status,
    ) -> Result<Option<Mailed>, DeskError> {
        self.store
            .set_status(scope, reference.as_str(), status)
            .await?;
        if !status.is_final() {
            return Ok(None);
        }
        let mailbox = self
            .store
            .mailbox_for_agent(scope, reference.as_str())
            .await?;
        Ok(Some(
            self.notify_requester(&mailbox, Notice::Finished(status))
                .await?,
        ))
    }

    /// Escalates (`up`) or de-escalates a ticket; the reason is redacted and kept as a note.
    pub(super) async fn change_tier(
        &self,
        scope: &AgentScope,
        reference: &Reference,
        reason: &str,
        up: bool,
    ) -> Result<EscalationOutcome, DeskError> {
        let reason = ReasonInput::parse(reason).map_err(|e| vec![e])?;
        let reason = self
            .redact_standalone_input(reference.as_str(), &reason.text)
            .await?;
        let outcome = if up {
            self.store
                .escalate(scope, reference.as_str(), &reason)
                .await?
        } else {
            self.store
                .deescalate(scope, reference.as_str(), &reason)
                .await?
        };
        Ok(outcome)
    }

    /// Opens one ticket outside the agent's scope for a short time; the justification is
    /// redacted before it is kept.
    pub(super) async fn break_glass(
        &self,
        scope: &AgentScope,
        reference: &Reference,
        justification: &str,
        lasts_seconds: i64,
    ) -> Result<(), DeskError> {
        let reason = ReasonInput::parse(justification).map_err(|e| vec![e])?;
        let reason = self
            .redact_standalone_input(reference.as_str(), &reason.text)
            .await?;
        Ok(self
            .store
            .break_glass(scope, reference.as_str(), &reason, lasts_seconds)
            .await?)
    }

    /// Stores a canned response for a queue. It must hold nothing the redactor would mask
    /// (the allowlist aside): masked on its own, its `[EMAIL-1]` would read as the
    /// `[EMAIL-1]` of whichever ticket it is put into.
    pub(super) async fn add_canned_response(
        &self,
        admin: &AdminScope,
        queue: &Name,
        title: &str,
        body: &str,
    ) -> Result<(), DeskError> {
        let (title, body) = self.canned_texts(queue, title, body).await?;
        Ok(self
            .store
            .add_canned_response(admin, queue, &title, &body)
            .await?)
    }

    /// A canned response's title and text, checked and redacted in `queue`'s context:
    /// refused if they hold anything the redactor would mask, or a mask label.
    pub(super) async fn canned_texts(
        &self,
        queue: &Name,
        title: &str,
        body: &str,
    ) -> Result<(Redacted<String>, Redacted<String>), DeskError> {
        let title = ReasonInput::parse(title).map_err(|e| vec![e])?;
        let body = ReplyInput::parse(body).map_err(|e| vec![e])?;
        let texts = [title.text.clone(), body.body.clone()];
        let found = self
            .redacting(move |redactor| {
                // Only the kinds found are wanted: the numbers are thrown away.
                let mut book = MaskBook::new(MaskKey::from_bytes([0; 32]), Vec::new());
                let mut kinds: Vec<String> = texts
                    .iter()
                    .flat_map(|text| redactor.masks_for(text, &mut book))
                    .map(|planned| planned.finding.mask)
                    .collect();
                kinds.sort_unstable();
                kinds.dedup();
                kinds
            })
            .await?;
        if !found.is_empty() {
            return Err(CannedRefusal::Masked {
                kinds: found.join(", "),
            }
            .into());
        }
        if let Some(token) = foreign_mask(&body.body) {
            return Err(CannedRefusal::MaskLabel {
                token: token.to_string(),
            }
            .into());
        }
        let title = self
            .redact_standalone_input(queue.as_str(), &title.text)
            .await?;
        let body = self
            .redact_standalone_input(queue.as_str(), &body.body)
            .await?;
        Ok((title, body))
    }

    /// Redacts text that is not part of a ticket conversation (the desk's own notices, a
    /// reason given on the command line). Masks are numbered afresh; nothing is remembered.
    pub(super) fn redact_standalone(&self, context: &str, text: &str) -> Redacted<String> {
        self.redactor
            .redact(text, &mut self.standalone_book(context))
    }

    /// `redact_standalone` for text typed into the web (reasons, canned responses): run off
    /// the async workers, since it may be as long as the request allows.
    pub(super) async fn redact_standalone_input(
        &self,
        context: &str,
        text: &str,
    ) -> Result<Redacted<String>, DeskError> {
        let mut book = self.standalone_book(context);
        let text = text.to_owned();
        self.redacting(move |redactor| redactor.redact(&text, &mut book))
            .await
    }

    fn standalone_book(&self, context: &str) -> MaskBook {
        MaskBook::new(
            MaskKey::from_bytes(self.keyring.mask_key(&format!("standalone:{context}"))),
            Vec::new(),
        )
    }

    /// The masks a new ticket's subject and body would get, numbered exactly as `file`
    /// numbers them (subject first, one book for both), for the requester's preview.
    /// Nothing is stored and no ticket key exists yet: the numbers do not depend on it.
    pub(super) async fn preview_masks(
        &self,
        subject: &str,
        body: &str,
    ) -> Result<(Vec<PlannedMask>, Vec<PlannedMask>), DeskError> {
        let mut book = MaskBook::new(
            MaskKey::from_bytes(self.keyring.mask_key("preview")),
            Vec::new(),
        );
        let (subject, body) = (subject.to_owned(), body.to_owned());
        self.redacting(move |redactor| {
            let mut fields = redactor
                .masks_for_fields(&[subject.as_str(), body.as_str()], &mut book)
                .into_iter();
            (
                fields.next().unwrap_or_default(),
                fields.next().unwrap_or_default(),
            )
        })
        .await
    }

    /// Redacts `text` through `book` off the async workers; gives the book back for its
    /// fresh slots.
    pub(super) async fn redact_in(
        &self,
        mut book: MaskBook,
        text: &str,
    ) -> Result<(Redacted<String>, MaskBook), DeskError> {
        let text = text.to_owned();
        self.redacting(move |redactor| {
            let redacted = redactor.redact(&text, &mut book);
            (redacted, book)
        })
        .await
    }

    /// Runs `work` with the redactor on tokio's blocking pool. Redacting a long text costs
    /// real CPU time (a second for 64 KiB of digits in a debug build); on an async worker it
    /// would stall every other request, health checks included, for as long.
    pub(super) async fn redacting<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Redactor) -> T + Send + 'static,
    ) -> Result<T, DeskError> {
        let redactor = self.redactor.clone();
        tokio::task::spawn_blocking(move || work(&redactor))
            .await
            .map_err(|e| DeskError::Internal(anyhow::anyhow!("redaction did not finish: {e}")))
    }

    /// Puts the admins' allowlist entries in force, beside the configuration file's. An
    /// entry the current rules no longer recognise (rules changed since it was added) is
    /// left out and named by its id, never its value.
    pub(super) async fn load_allowlist(&self) -> Result<(), DeskError> {
        let mut entries = Vec::new();
        for row in self.store.allowlist().await? {
            match AllowEntry::parse(&self.redactor, &row.value) {
                Ok(entry) => entries.push(entry),
                Err(_) => {
                    // The reason can quote the entry; logs carry no values, only the id.
                    tracing::warn!(
                        entry = row.id,
                        "allowlist entry not in force: the current rules refuse it"
                    )
                }
            }
        }
        self.redactor.allowlist().set_stored(entries);
        Ok(())
    }

    /// Adds one of the organisation's public values to the allowlist: from then on it is
    /// left as written in every text the desk takes in.
    pub(super) async fn allow_value(
        &self,
        admin: &AdminScope,
        value: &str,
    ) -> Result<(), DeskError> {
        let entry = AllowEntry::parse(&self.redactor, value)?;
        let configured = self.redactor.allowlist().current();
        if configured
            .configured()
            .iter()
            .any(|e| e.canonical_key() == entry.canonical_key())
        {
            return Err(DeskError::Conflict(Conflict::AllowlistEntry));
        }
        self.store.add_allowed(admin, &entry).await?;
        self.load_allowlist().await
    }

    /// Removes an allowlist entry: the value is masked again from the next text on.
    pub(super) async fn remove_allowed(
        &self,
        admin: &AdminScope,
        id: i64,
    ) -> Result<(), DeskError> {
        self.store.remove_allowed(admin, id).await?;
        self.load_allowlist().await
    }

    pub(super) fn mask_key(&self, reference: &Reference) -> MaskKey {
        MaskKey::from_bytes(self.keyring.mask_key(reference.as_str()))
    }
}

/// The first mask label (`[LABEL-n]`, as the redactor writes masks) in canned text.
/// Numbered for some other text, it would be read as the ticket's own value of that number
/// (older versions masked canned responses on their own when saving them). Scanned by hand:
/// only `redact` uses the regex engine.
pub(super) fn foreign_mask(canned: &str) -> Option<&str> {
    canned
        .match_indices('[')
        .find_map(|(start, _)| mask_label_at(&canned[start..]))
}

/// `text` starts with `[`: the `[LABEL-n]` it starts with, if any.
fn mask_label_at(text: &str) -> Option<&str> {
    let bytes = text.as_bytes();
    let mut at = 1;
    if !bytes.get(at)?.is_ascii_uppercase() {
        return None;
    }
    while bytes
        .get(at)
        .is_some_and(|b| b.is_ascii_uppercase() || *b == b'_')
    {
        at += 1;
    }
    if *bytes.get(at)? != b'-' {
        return None;
    }
    at += 1;
    let digits = at;
    while bytes.get(at).is_some_and(u8::is_ascii_digit) {
        at += 1;
    }
    (at > digits && *bytes.get(at)? == b']').then(|| &text[..=at])
}

#[cfg(test)]
mod tests {
    use super::foreign_mask;

    #[test]
    fn mask_labels_are_found_and_look_alikes_are_not() {
        assert_eq!(foreign_mask("call [PHONE-2] today"), Some("[PHONE-2]"));
        assert_eq!(
            foreign_mask("[x] [CARD_NUMBER-10]"),
            Some("[CARD_NUMBER-10]")
        );
        assert_eq!(foreign_mask("[EMAIL-] [Email-1] [-1] [EMAIL-1"), None);
        assert_eq!(foreign_mask("no masks"), None);
    }
}
