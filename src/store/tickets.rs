//! Tickets as the requester sees them: create, read through a grant, reply, delete.

use super::engine::{Conn, query, query_scalar};

use super::audit::{Actor, AuditKey, log_event};
use super::error::Conflict;
use super::terms::{Terms, insert_terms};
use super::{Store, StoreError, Tx, now_unix};
use crate::crypto::Sealed;
use crate::crypto::TokenDigest;
use crate::domain::{Author, Category, Priority, Reference, Status};
use crate::i18n::Lang;
use crate::redact::{MaskSlot, Redacted, RedactionCounts};

/// Proof that the caller holds one ticket's access token. Only the store makes one,
/// and it covers exactly that ticket.
#[derive(Debug, Clone)]
pub struct RequesterGrant {
    pub(super) ticket_id: i64,
    pub(super) reference: Reference,
}

impl RequesterGrant {
    pub fn reference(&self) -> &Reference {
        &self.reference
    }
}

/// Everything a new ticket is stored as. Text is redacted, kept data is sealed.
pub struct NewTicketRecord {
    pub reference: Reference,
    pub token: TokenDigest,
    pub category: Category,
    pub subject: Redacted<String>,
    pub body: Redacted<String>,
    pub sealed_ticket_key: Sealed,
    pub sealed_contact: Option<Sealed>,
    pub sealed_pgp_key: Option<Sealed>,
    pub mask_slots: Vec<MaskSlot>,
    pub priority: Priority,
    /// The language the requester wrote in.
    pub language: Lang,
    /// The reply address token's keyed hash and the token sealed for outgoing mail.
    pub reply_token: Option<(TokenDigest, Sealed)>,
    /// How the first message arrived, and its attachments.
    pub delivery: Delivery,
    /// Seconds from filing to the first-response and resolution targets.
    pub first_response_within: i64,
    pub resolution_within: i64,
}

/// How a message arrived: encrypted or not, what its signature showed, what it carried.
#[derive(Debug, Default)]
pub struct Delivery {
    pub encrypted: bool,
    pub signature: SignatureVerdict,
    pub attachments: Vec<NewAttachment>,
    /// The keyed digest of the good signature this message carried, remembered on the ticket
    /// so the same signature is not accepted twice.
    pub signature_digest: Option<[u8; 32]>,
}

/// What a message's signature showed, as agents see it.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum SignatureVerdict {
    #[default]
    None,
    /// Signed by the ticket's pinned key (compared by fingerprint, never by user ID).
    Verified,
    /// A good signature by a key the desk does not trust yet: it came with this very message
    /// (Autocrypt header, attachment, inside the encrypted part), so it proves only that the
    /// message is intact, not who sent it.
    Signed,
    /// Signed, but there is no key to check the signature with.
    Unverified,
    /// The signature does not verify: the message was altered or the signature is broken.
    Bad,
}

impl SignatureVerdict {
    pub fn id(self) -> &'static str {
        match self {
            SignatureVerdict::None => "none",
            SignatureVerdict::Verified => "verified",
            SignatureVerdict::Signed => "signed",
            SignatureVerdict::Unverified => "unverified",
            SignatureVerdict::Bad => "bad",
        }
    }
}

/// An attachment on its way in: text is redacted, anything else sealed.
#[derive(Debug)]
pub struct NewAttachment {
    pub name: Redacted<String>,
    pub media_type: String,
    pub size: i64,
    pub content: AttachmentContent,
}

#[derive(Debug)]
pub enum AttachmentContent {
    Text(Redacted<String>),
    Sealed(Sealed),
}

/// What joining a mail to an existing ticket needs to check, all still sealed.
#[derive(Debug)]
pub struct ThreadSecrets {
    pub sealed_ticket_key: Sealed,
    pub contact: Option<Sealed>,
    pub pgp_key: Option<Sealed>,
    pub reply_token: Option<Sealed>,
    pub require_encryption: bool,
    /// The language the requester wrote in, for what is mailed to them.
    pub language: Lang,
}

/// A ticket as its requester may see it.
#[derive(Debug)]
pub struct TicketView {
    pub reference: Reference,
    pub status: Status,
    pub category: Category,
    pub subject: String,
    pub created_at: i64,
    pub messages: Vec<MessageRow>,
}

#[derive(Debug)]
pub struct MessageRow {
    pub author: Author,
    pub body: String,
    pub redactions: RedactionCounts,
    pub created_at: i64,
    /// The files it carried, as the requester sees them.
    pub files: Vec<RequesterFile>,
}

/// A file as its requester sees it: the name as stored (redacted), and when a sealed one is
/// shredded.
#[derive(Debug, Clone)]
pub struct RequesterFile {
    pub name: String,
    pub size: i64,
    /// `None` for text, which stays with the ticket; else when the sealed bytes are deleted.
    pub shredded_at: Option<i64>,
}

/// What remains once a ticket is deleted.
#[derive(Debug)]
pub struct Tombstone {
    pub reference: Reference,
    pub deleted_at: i64,
    /// What was deleted, for the deletion receipt.
    pub messages: i64,
    pub attachments: i64,
    pub had_contact: bool,
    pub had_key: bool,
}

impl Store {
    /// Stores a new ticket with its first message, key, vault entries and mask slots,
    /// all in one transaction. `Conflict(Conflict::Reference)` means: draw another reference.
    pub async fn create_ticket(
        &self,
        record: NewTicketRecord,
    ) -> Result<RequesterGrant, StoreError> {
        let terms = Terms::of_ticket(
            &record.reference,
            &[record.subject.as_str(), record.body.as_str()],
        );
        self.group_commit.file(record, terms, now_unix()).await
    }

    /// Looks a ticket up by the keyed hash of its access token.
    pub async fn requester_grant(&self, token: TokenDigest) -> Result<RequesterGrant, StoreError> {
        let row = query("select id, reference, token_hash from tickets where token_hash = $1")
            .bind(&token.0[..])
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        // The index lookup already matched; comparing again in constant time costs nothing
        // and keeps the check independent of how the engine compares blobs.
        let stored: Vec<u8> = row.try_get("token_hash")?;
        if !bool::from(subtle::ConstantTimeEq::ct_eq(&stored[..], &token.0[..])) {
            return Err(StoreError::NotFound);
        }
        Ok(RequesterGrant {
            ticket_id: row.try_get("id")?,
            reference: parse_reference(row.try_get("reference")?)?,
        })
    }

    pub async fn requester_view(&self, grant: &RequesterGrant) -> Result<TicketView, StoreError> {
        let ticket = query(
            "select reference, status, category, subject, created_at from tickets where id = $1",
        )
        .bind(grant.ticket_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        let rows = query(
            "select id, author, body, redactions, created_at from messages \
             where ticket_id = $1 and internal = 0 order by id",
        )
        .bind(grant.ticket_id)
        .fetch_all(&self.pool)
        .await?;
        let file_rows = query(
            "select message_id, name, size, created_at, text from attachments \
             where ticket_id = $1 order by id",
        )
        .bind(grant.ticket_id)
        .fetch_all(&self.pool)
        .await?;
        let sealed_days: i64 =
            query_scalar("select days from retention_policies where scope = 'attachments'")
                .fetch_one(&self.pool)
                .await?;
        let mut files: Vec<(i64, RequesterFile)> = Vec::with_capacity(file_rows.len());
        for row in &file_rows {
            // Text is kept, redacted, with the ticket; anything else is sealed and shredded
            // on its own schedule.
            let text: Option<String> = row.try_get("text")?;
            let created_at: i64 = row.try_get("created_at")?;
            files.push((
                row.try_get("message_id")?,
                RequesterFile {
                    name: row.try_get("name")?,
                    size: row.try_get("size")?,
                    shredded_at: text.is_none().then(|| created_at + sealed_days * 86_400),
                },
            ));
        }
        let messages = rows
            .into_iter()
            .map(|row| {
                let id: i64 = row.try_get("id")?;
                Ok(MessageRow {
                    files: files
                        .iter()
                        .filter(|(message, _)| *message == id)
                        .map(|(_, file)| file.clone())
                        .collect(),
                    author: row
                        .try_get::<String, _>("author")?
                        .parse()
                        .map_err(|()| StoreError::Corrupt("message author"))?,
                    body: row.try_get("body")?,
                    redactions: parse_counts(&row.try_get::<String, _>("redactions")?)?,
                    created_at: row.try_get("created_at")?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(TicketView {
            reference: parse_reference(ticket.try_get("reference")?)?,
            status: ticket
                .try_get::<String, _>("status")?
                .parse()
                .map_err(|()| StoreError::Corrupt("ticket status"))?,
            category: Category::from_stored(&ticket.try_get::<String, _>("category")?)
                .ok_or(StoreError::Corrupt("ticket category"))?,
            subject: ticket.try_get("subject")?,
            created_at: ticket.try_get("created_at")?,
            messages,
        })
    }

    /// The ticket behind a reply address token, if any.
    pub async fn reply_grant(&self, token: TokenDigest) -> Result<RequesterGrant, StoreError> {
        let row = query("select id, reference from tickets where reply_token_hash = $1")
            .bind(&token.0[..])
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(RequesterGrant {
            ticket_id: row.try_get("id")?,
            reference: parse_reference(row.try_get("reference")?)?,
        })
    }

    /// The sealed data needed to decide whether a mail may join this ticket.
    pub async fn thread_secrets(
        &self,
        grant: &RequesterGrant,
    ) -> Result<ThreadSecrets, StoreError> {
        self.secrets_of(grant.ticket_id).await
    }

    pub(super) async fn secrets_of(&self, ticket_id: i64) -> Result<ThreadSecrets, StoreError> {
        let row = query(
            "select k.sealed_identity, q.require_encryption, t.language, \
             (select ciphertext from vault_entries v where v.ticket_id = t.id and v.kind = 'contact') as contact, \
             (select ciphertext from vault_entries v where v.ticket_id = t.id and v.kind = 'pgp_key') as pgp_key, \
             (select ciphertext from vault_entries v where v.ticket_id = t.id and v.kind = 'reply_token') as reply_token \
             from tickets t join ticket_keys k on k.ticket_id = t.id left join queues q on q.id = t.queue_id \
             where t.id = $1",
        )
        .bind(ticket_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        Ok(ThreadSecrets {
            sealed_ticket_key: Sealed::from_stored(row.try_get("sealed_identity")?),
            contact: row
                .try_get::<Option<Vec<u8>>, _>("contact")?
                .map(Sealed::from_stored),
            pgp_key: row
                .try_get::<Option<Vec<u8>>, _>("pgp_key")?
                .map(Sealed::from_stored),
            reply_token: row
                .try_get::<Option<Vec<u8>>, _>("reply_token")?
                .map(Sealed::from_stored),
            require_encryption: row
                .try_get::<Option<i64>, _>("require_encryption")?
                .unwrap_or(0)
                != 0,
            language: stored_language(row.try_get("language")?),
        })
    }

    /// Whether a message on this ticket already carried the signature with this keyed digest.
    pub async fn signature_seen(
        &self,
        grant: &RequesterGrant,
        digest: &[u8; 32],
    ) -> Result<bool, StoreError> {
        let seen: Option<i64> = query_scalar(
            "select ticket_id from seen_signatures where ticket_id = $1 and digest = $2",
        )
        .bind(grant.ticket_id)
        .bind(&digest[..])
        .fetch_optional(&self.pool)
        .await?;
        Ok(seen.is_some())
    }

    /// Whether the queue a new ticket of `category` would land in takes only encrypted mail.
    pub async fn requires_encryption(&self, category: Category) -> Result<bool, StoreError> {
        let flag: Option<i64> = query_scalar(
            "select require_encryption from queues where id = coalesce( \
             (select queue_id from routing_rules where category = $1), \
             (select id from queues where name = 'general'))",
        )
        .bind(category.id())
        .fetch_optional(&self.pool)
        .await?;
        Ok(flag.unwrap_or(0) != 0)
    }

    /// The mask numbers already handed out in this ticket.
    pub async fn mask_slots(&self, grant: &RequesterGrant) -> Result<Vec<MaskSlot>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        read_mask_slots(&mut conn, grant.ticket_id).await
    }

    /// A requester's message from any channel (a waiting or finished ticket becomes open
    /// again); `pin_key` pins an OpenPGP key to the ticket if none is pinned yet.
    /// `Conflict(Conflict::Mask)` means another reply took a mask number first: redact again.
    pub async fn add_requester_message(
        &self,
        grant: &RequesterGrant,
        body: &Redacted<String>,
        new_slots: &[MaskSlot],
        delivery: &Delivery,
        pin_key: Option<&Sealed>,
    ) -> Result<(), StoreError> {
        let now = now_unix();
        let terms = Terms::of(&[body.as_str()]);
        let mut tx = self.begin_write().await?;
        insert_mask_slots(&mut tx, grant.ticket_id, new_slots).await?;
        insert_message(
            &mut tx,
            grant.ticket_id,
            Author::Requester,
            body,
            now,
            delivery,
        )
        .await?;
        insert_terms(&mut tx, grant.ticket_id, &terms).await?;
        if let Some(key) = pin_key {
            query(
                "insert into vault_entries (ticket_id, kind, ciphertext) values ($1, 'pgp_key', $2) \
                 on conflict (ticket_id, kind) do nothing",
            )
            .bind(grant.ticket_id)
            .bind(key.as_bytes())
            .execute(&mut *tx)
            .await?;
        }
        // A reply to a finished ticket reopens it, and the reopening is counted. A ticket
        // closed as spam stays closed (and its retention running): only a queue owner's
        // restore opens it, so a spammer's reply cannot keep it alive out of sight.
        let updated = query(
            "update tickets set updated_at = $2, pending_since = null, auto_closed = 0, \
             closed_at = case when spam = 1 then closed_at else null end, \
             reopen_count = reopen_count + (case when spam = 0 and status in ('resolved', 'closed') then 1 else 0 end), \
             status = case when spam = 1 then status \
                      when status in ('pending_requester', 'resolved', 'closed') then 'open' else status end \
             where id = $1",
        )
        .bind(grant.ticket_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() != 1 {
            return Err(StoreError::NotFound);
        }
        log_event(
            &mut tx,
            &self.audit_key,
            &Actor::Requester,
            "requester_reply",
            Some(grant.reference.as_str()),
            String::new(),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Writes one new ticket inside `tx`, which holds the write lock: the ticket, its first
/// message, search terms, key, vault entries, mask slots and its audit entry. The filing
/// writer runs it for each filing of a batch, each inside a savepoint of its own.
/// A ticket's stored language; tickets filed before languages were kept read as English.
pub(super) fn stored_language(code: Option<String>) -> Lang {
    code.as_deref()
        .and_then(Lang::from_code)
        .unwrap_or(Lang::En)
}

pub(super) async fn insert_ticket(
    tx: &mut Tx<'_>,
    audit_key: &AuditKey,
    record: &NewTicketRecord,
    terms: &Terms,
    now: i64,
) -> Result<RequesterGrant, StoreError> {
    // The SLA targets an admin set in the desk win over the configuration file's, and count
    // business hours only where an admin set them.
    let (clock, (first_response, resolution)) = super::admin::sla_in_force(
        &mut **tx,
        record.priority,
        (record.first_response_within, record.resolution_within),
    )
    .await?;
    // The queue comes from the routing rules; a category without a rule goes to general.
    let ticket_id: i64 = query_scalar(
        "insert into tickets (reference, token_hash, category, status, subject, subject_redactions, \
         created_at, updated_at, queue_id, tier, priority, first_response_due, resolution_due, language) \
         values ($1, $2, $3, 'new', $4, $5, $6, $6, \
         coalesce((select queue_id from routing_rules where category = $3), \
                  (select id from queues where name = 'general')), \
         1, $7, $8, $9, $10) returning id",
    )
    .bind(record.reference.as_str())
    .bind(&record.token.0[..])
    .bind(record.category.id())
    .bind(record.subject.as_str())
    .bind(counts_json(record.subject.counts()))
    .bind(now)
    .bind(record.priority.id())
    .bind(clock.due(now, first_response))
    .bind(clock.due(now, resolution))
    .bind(record.language.code())
    .fetch_one(&mut **tx)
    .await
    .map_err(|e| StoreError::on_unique(e, Conflict::Reference))?;

    insert_message(
        tx,
        ticket_id,
        Author::Requester,
        &record.body,
        now,
        &record.delivery,
    )
    .await?;
    insert_terms(tx, ticket_id, terms).await?;
    if let Some((digest, _)) = &record.reply_token {
        query("update tickets set reply_token_hash = $2 where id = $1")
            .bind(ticket_id)
            .bind(&digest.0[..])
            .execute(&mut **tx)
            .await?;
    }
    query("insert into ticket_keys (ticket_id, sealed_identity) values ($1, $2)")
        .bind(ticket_id)
        .bind(record.sealed_ticket_key.as_bytes())
        .execute(&mut **tx)
        .await?;
    let sealed_reply_token = record
        .reply_token
        .as_ref()
        .map(|(_, sealed)| sealed.clone());
    for (kind, sealed) in [
        ("contact", &record.sealed_contact),
        ("pgp_key", &record.sealed_pgp_key),
        ("reply_token", &sealed_reply_token),
    ] {
        if let Some(sealed) = sealed {
            query("insert into vault_entries (ticket_id, kind, ciphertext) values ($1, $2, $3)")
                .bind(ticket_id)
                .bind(kind)
                .bind(sealed.as_bytes())
                .execute(&mut **tx)
                .await?;
        }
    }
    insert_mask_slots(tx, ticket_id, &record.mask_slots).await?;
    log_event(
        tx,
        audit_key,
        &Actor::Requester,
        "ticket_filed",
        Some(record.reference.as_str()),
        format!("category={}", record.category),
        now,
    )
    .await?;
    Ok(RequesterGrant {
        ticket_id,
        reference: record.reference.clone(),
    })
}

async fn insert_message(
    tx: &mut Tx<'_>,
    ticket_id: i64,
    author: Author,
    body: &Redacted<String>,
    now: i64,
    delivery: &Delivery,
) -> Result<(), StoreError> {
    let message_id: i64 = query_scalar(
        "insert into messages (ticket_id, author, body, redactions, created_at, encrypted, signature) \
         values ($1, $2, $3, $4, $5, $6, $7) returning id",
    )
    .bind(ticket_id)
    .bind(author.id())
    .bind(body.as_str())
    .bind(counts_json(body.counts()))
    .bind(now)
    .bind(i64::from(delivery.encrypted))
    .bind(delivery.signature.id())
    .fetch_one(&mut **tx)
    .await?;
    if let Some(digest) = &delivery.signature_digest {
        query(
            "insert into seen_signatures (ticket_id, digest) values ($1, $2) \
             on conflict (ticket_id, digest) do nothing",
        )
        .bind(ticket_id)
        .bind(&digest[..])
        .execute(&mut **tx)
        .await?;
    }
    for attachment in &delivery.attachments {
        let (text, sealed) = match &attachment.content {
            AttachmentContent::Text(text) => (Some(text.as_str()), None),
            AttachmentContent::Sealed(sealed) => (None, Some(sealed.as_bytes())),
        };
        query(
            "insert into attachments (ticket_id, message_id, name, media_type, size, text, sealed, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(ticket_id)
        .bind(message_id)
        .bind(attachment.name.as_str())
        .bind(&attachment.media_type)
        .bind(attachment.size)
        .bind(text)
        .bind(sealed)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

pub(super) async fn read_mask_slots(
    conn: &mut Conn,
    ticket_id: i64,
) -> Result<Vec<MaskSlot>, StoreError> {
    let rows = query("select digest, label, n from mask_slots where ticket_id = $1")
        .bind(ticket_id)
        .fetch_all(&mut *conn)
        .await?;
    rows.into_iter()
        .map(|row| {
            let digest: Vec<u8> = row.try_get("digest")?;
            Ok(MaskSlot {
                digest: digest
                    .try_into()
                    .map_err(|_| StoreError::Corrupt("mask digest"))?,
                label: row.try_get("label")?,
                n: u32::try_from(row.try_get::<i64, _>("n")?)
                    .map_err(|_| StoreError::Corrupt("mask number"))?,
            })
        })
        .collect()
}

pub(super) async fn insert_mask_slots(
    tx: &mut Tx<'_>,
    ticket_id: i64,
    slots: &[MaskSlot],
) -> Result<(), StoreError> {
    for slot in slots {
        query("insert into mask_slots (ticket_id, digest, label, n) values ($1, $2, $3, $4)")
            .bind(ticket_id)
            .bind(&slot.digest[..])
            .bind(&slot.label)
            .bind(i64::from(slot.n))
            .execute(&mut **tx)
            .await
            .map_err(|e| StoreError::on_unique(e, Conflict::Mask))?;
    }
    Ok(())
}

fn counts_json(counts: &RedactionCounts) -> String {
    serde_json::to_string(counts).unwrap_or_else(|_| "{}".into())
}

pub(super) fn parse_counts(text: &str) -> Result<RedactionCounts, StoreError> {
    serde_json::from_str(text).map_err(|_| StoreError::Corrupt("redaction counts"))
}

pub(super) fn parse_reference(text: String) -> Result<Reference, StoreError> {
    text.parse()
        .map_err(|()| StoreError::Corrupt("ticket reference"))
}
