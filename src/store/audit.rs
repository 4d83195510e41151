//! The audit log: an append-only chain where each entry's HMAC covers the previous one.
//! Entries are written inside the same transaction as the change or read they record, and
//! hold who, what and which reference: never content.

use super::engine::{Executor, Row, query};
use futures_util::TryStreamExt;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::{Store, StoreError, Tx};

mod reads;
pub(super) use reads::{ReadRecord, append_reads};

/// The chain key; derived from the server's pepper, so a database copy cannot re-chain.
#[derive(Clone)]
pub struct AuditKey(pub [u8; 32]);

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditKey(…)")
    }
}

/// Who did something.
#[derive(Debug, Clone)]
pub(super) enum Actor {
    Agent {
        id: i64,
        name: String,
    },
    /// Someone who named no known agent at sign-in.
    Unknown,
    Requester,
    /// Scheduled jobs.
    System,
    /// An operator at the command line, who holds the data directory anyway.
    Operator,
    /// Whoever presented the configured `/metrics` bearer token (a scraper, usually).
    MetricsToken,
}

impl Actor {
    fn columns(&self) -> (Option<i64>, &str) {
        match self {
            Actor::Agent { id, name } => (Some(*id), name.as_str()),
            Actor::Unknown => (None, "(unknown)"),
            Actor::Requester => (None, "(requester)"),
            Actor::System => (None, "(system)"),
            Actor::Operator => (None, "(operator)"),
            Actor::MetricsToken => (None, "(metrics token)"),
        }
    }
}

/// The admin pages that only show things, for `Store::audit_admin_view`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminView {
    /// Alerts and privacy figures.
    Dashboard,
    Agents,
    /// Queues, members, routing and canned responses.
    Queues,
    /// Retention policies and legal holds.
    Retention,
    /// The redaction allowlist.
    Allowlist,
    /// Every alert, handled ones included.
    Alerts,
    /// SLA targets.
    Sla,
    /// The proof codes: the verification hook and the token lists.
    ProofCodes,
    /// Who holds the incident grant (the status desk's list).
    IncidentPosters,
}

impl AdminView {
    fn id(self) -> &'static str {
        match self {
            AdminView::Dashboard => "dashboard",
            AdminView::Agents => "agents",
            AdminView::Queues => "queues",
            AdminView::Retention => "retention",
            AdminView::Allowlist => "allowlist",
            AdminView::Alerts => "alerts",
            AdminView::Sla => "sla",
            AdminView::ProofCodes => "proofs",
            AdminView::IncidentPosters => "incident_posters",
        }
    }
}

/// Who read `/metrics`, for `Store::audit_metrics_read`. Reads allowed to anyone
/// (`metrics_public`) name nobody, so they are not recorded.
#[derive(Debug, Clone, Copy)]
pub enum MetricsReader<'a> {
    Admin(&'a super::AdminScope),
    /// The configured bearer token; knowing it is all that is known of the reader.
    Token,
}

/// One audit entry before it is chained.
#[derive(Debug, Clone)]
pub(super) struct AuditEvent<'a> {
    pub actor: &'a Actor,
    pub action: &'static str,
    pub reference: Option<&'a str>,
    /// Structured facts such as `tier=2` or `results=14`; never free text from a person.
    pub detail: String,
}

/// An entry as the admin log page shows it.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub reference: Option<String>,
    pub detail: String,
}

/// The result of walking the whole chain.
#[derive(Debug)]
pub struct ChainReport {
    pub entries: i64,
    /// Hash of the last entry, hex: record it elsewhere to detect later truncation.
    pub head: String,
    pub first_break: Option<ChainBreak>,
}

#[derive(Debug)]
pub struct ChainBreak {
    pub seq: i64,
    pub reason: &'static str,
}

const GENESIS: [u8; 32] = [0; 32];

/// Bytes of a lookup digest kept (hex doubles them): plenty to tell guesses apart.
pub(super) const LOOKUP_DIGEST_BYTES: usize = 16;

/// A keyed digest of a ticket reference someone asked for and did not get, hex. The log can
/// then count distinct guesses, and match one against a known reference with the server's
/// key, without keeping what was typed (a guess could be any text, even content). Keyed
/// with the chain key, under its own label, so a database reader cannot test guesses.
pub(super) fn lookup_digest(key: &AuditKey, reference_text: &str) -> String {
    // HMAC takes keys of any length; this branch cannot be reached.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&key.0) else {
        return String::new();
    };
    mac.update(b"hushdesk failed ticket lookup v1\0");
    mac.update(reference_text.as_bytes());
    mac.finalize().into_bytes()[..LOOKUP_DIGEST_BYTES]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Appends one entry. The caller's transaction must hold the write lock (see
/// `Store::begin_write`), so two appends cannot both chain onto the same head.
pub(super) async fn append(
    tx: &mut Tx<'_>,
    key: &AuditKey,
    event: AuditEvent<'_>,
    now: i64,
) -> Result<(), StoreError> {
    let mut head = ChainHead::read(tx).await?;
    head.append(tx, key, event, now).await
}

/// The newest entry of the chain as a transaction holding the write lock sees it: read once,
/// then moved along by each append, so a batch of entries costs one read of the head.
pub(super) struct ChainHead {
    seq: i64,
    hash: Vec<u8>,
}

impl ChainHead {
    pub(super) async fn read(tx: &mut Tx<'_>) -> Result<ChainHead, StoreError> {
        let head = query("select seq, hash from audit_log order by seq desc limit 1")
            .fetch_optional(&mut **tx)
            .await?;
        Ok(match head {
            Some(row) => ChainHead {
                seq: row.try_get("seq")?,
                hash: row.try_get("hash")?,
            },
            None => ChainHead {
                seq: 0,
                hash: GENESIS.to_vec(),
            },
        })
    }

    /// Chains `event` onto this head in `tx`, which must be the transaction the head was
    /// read in (it holds the write lock, so nobody else appended meanwhile).
    pub(super) async fn append(
        &mut self,
        tx: &mut Tx<'_>,
        key: &AuditKey,
        event: AuditEvent<'_>,
        now: i64,
    ) -> Result<(), StoreError> {
        let seq = self.seq + 1;
        let (agent_id, actor) = event.actor.columns();
        let hash = entry_hash(
            key,
            &self.hash,
            &Fields {
                seq,
                at: now,
                agent_id,
                actor,
                action: event.action,
                reference: event.reference,
                detail: &event.detail,
            },
        );
        query(
            "insert into audit_log (seq, at, agent_id, actor, action, reference, detail, prev_hash, hash) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(seq)
        .bind(now)
        .bind(agent_id)
        .bind(actor)
        .bind(event.action)
        .bind(event.reference)
        .bind(&event.detail)
        .bind(&self.hash)
        .bind(&hash[..])
        .execute(&mut **tx)
        .await?;
        self.seq = seq;
        self.hash = hash.to_vec();
        Ok(())
    }
}

struct Fields<'a> {
    seq: i64,
    at: i64,
    agent_id: Option<i64>,
    actor: &'a str,
    action: &'a str,
    reference: Option<&'a str>,
    detail: &'a str,
}

/// The hashed fields of a stored entry (a row with the audit log's columns).
fn fields_of(row: &Row) -> Result<Fields<'_>, StoreError> {
    Ok(Fields {
        seq: row.try_get("seq")?,
        at: row.try_get("at")?,
        agent_id: row.try_get("agent_id")?,
        actor: row.try_get("actor")?,
        action: row.try_get("action")?,
        reference: row.try_get("reference")?,
        detail: row.try_get("detail")?,
    })
}

fn entry_hash(key: &AuditKey, prev_hash: &[u8], fields: &Fields<'_>) -> [u8; 32] {
    // HMAC takes keys of any length; this branch cannot be reached.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&key.0) else {
        return GENESIS;
    };
    mac.update(prev_hash);
    mac.update(&fields.seq.to_be_bytes());
    mac.update(&fields.at.to_be_bytes());
    mac.update(&fields.agent_id.unwrap_or(-1).to_be_bytes());
    // Length-prefixed, so moving bytes between fields changes the hash.
    for text in [
        fields.actor,
        fields.action,
        fields.reference.unwrap_or(""),
        fields.detail,
    ] {
        mac.update(&(text.len() as u64).to_be_bytes());
        mac.update(text.as_bytes());
    }
    mac.finalize().into_bytes().into()
}

impl Store {
    /// Whether this store's audit key signed the newest entry of the chain (an empty chain
    /// matches any key). An instance started with another desk's `keys/` (or fresh ones)
    /// would otherwise append entries that break the chain for good.
    pub async fn audit_key_signs_the_chain(&self) -> Result<bool, StoreError> {
        let Some(row) = query(
            "select seq, at, agent_id, actor, action, reference, detail, prev_hash, hash \
             from audit_log order by seq desc limit 1",
        )
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(true);
        };
        let prev_hash: Vec<u8> = row.try_get("prev_hash")?;
        let stored_hash: Vec<u8> = row.try_get("hash")?;
        let fields = fields_of(&row)?;
        Ok(entry_hash(&self.audit_key, &prev_hash, &fields)[..] == stored_hash[..])
    }

    /// Walks the chain from the first entry and reports the first entry that was edited,
    /// removed or reordered.
    pub async fn verify_audit_chain(&self) -> Result<ChainReport, StoreError> {
        verify_chain(&self.pool, &self.audit_key).await
    }
}

/// `Store::verify_audit_chain` on any executor: also a transaction that has not committed
/// yet (a desk copy verifies what it wrote before it commits).
pub(super) async fn verify_chain<'e>(
    on: impl Executor<'e> + 'e,
    key: &AuditKey,
) -> Result<ChainReport, StoreError> {
    let mut rows = query(
        "select seq, at, agent_id, actor, action, reference, detail, prev_hash, hash \
             from audit_log order by seq",
    )
    .fetch(on);
    let mut expected_seq = 1;
    let mut prev_hash = GENESIS.to_vec();
    let mut entries = 0;
    let mut first_break = None;
    while let Some(row) = rows.try_next().await? {
        let seq: i64 = row.try_get("seq")?;
        entries += 1;
        if first_break.is_some() {
            continue;
        }
        let stored_prev: Vec<u8> = row.try_get("prev_hash")?;
        let stored_hash: Vec<u8> = row.try_get("hash")?;
        let fields = fields_of(&row)?;
        let reason = if seq != expected_seq {
            Some("an entry is missing before this one")
        } else if stored_prev != prev_hash {
            Some("does not chain onto the entry before it")
        } else if entry_hash(key, &prev_hash, &fields)[..] != stored_hash[..] {
            Some("its content does not match its hash (edited)")
        } else {
            None
        };
        if let Some(reason) = reason {
            first_break = Some(ChainBreak { seq, reason });
        }
        expected_seq = seq + 1;
        prev_hash = stored_hash;
    }
    Ok(ChainReport {
        entries,
        head: prev_hash.iter().map(|b| format!("{b:02x}")).collect(),
        first_break,
    })
}

impl Store {
    /// Records that an admin looked at one of the admin pages that only show things: who
    /// looks at alerts, holds and memberships is worth knowing too. `rows` is how many
    /// items the page listed.
    pub async fn audit_admin_view(
        &self,
        admin: &super::AdminScope,
        view: AdminView,
        rows: usize,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        append(
            &mut tx,
            &self.audit_key,
            AuditEvent {
                actor: &admin.actor(),
                action: "admin_view",
                reference: None,
                detail: format!("page={} rows={rows}", view.id()),
            },
            super::now_unix(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records a read of the privacy metrics: aggregate figures, but still a read of what the
    /// desk holds, so who scrapes them and how often is on the record.
    /// An admin's CSV export of the lead's figures, with the days it covers.
    pub async fn audit_metrics_export(
        &self,
        admin: &super::AdminScope,
        from_day: i64,
        until_day: i64,
    ) -> Result<(), StoreError> {
        let actor = admin.actor();
        let mut tx = self.begin_write().await?;
        append(
            &mut tx,
            &self.audit_key,
            AuditEvent {
                actor: &actor,
                action: "metrics_exported",
                reference: None,
                detail: format!("from={from_day} until={until_day}"),
            },
            super::now_unix(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn audit_metrics_read(&self, reader: MetricsReader<'_>) -> Result<(), StoreError> {
        let actor = match reader {
            MetricsReader::Admin(admin) => admin.actor(),
            MetricsReader::Token => Actor::MetricsToken,
        };
        let mut tx = self.begin_write().await?;
        append(
            &mut tx,
            &self.audit_key,
            AuditEvent {
                actor: &actor,
                action: "metrics_read",
                reference: None,
                detail: String::new(),
            },
            super::now_unix(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

pub(super) fn entry_from_row(row: &Row) -> Result<AuditEntry, StoreError> {
    Ok(AuditEntry {
        seq: row.try_get("seq")?,
        at: row.try_get("at")?,
        actor: row.try_get("actor")?,
        action: row.try_get("action")?,
        reference: row.try_get("reference")?,
        detail: row.try_get("detail")?,
    })
}

/// `append` with the event's fields as arguments: the shape every change in the store uses.
pub(super) async fn log_event(
    tx: &mut Tx<'_>,
    key: &AuditKey,
    actor: &Actor,
    action: &'static str,
    reference: Option<&str>,
    detail: String,
    now: i64,
) -> Result<(), StoreError> {
    append(
        tx,
        key,
        AuditEvent {
            actor,
            action,
            reference,
            detail,
        },
        now,
    )
    .await
}
