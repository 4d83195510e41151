//! Proofs of ownership: the challenges agents ask for and the proofs that answered them.
//! Nothing here holds an address, a signature or a key; a proof is its kind, the mask of its
//! subject in the ticket's mask book and when it was checked.

use super::agent_tickets::{audit_change, locate};
use super::audit::{Actor, log_event};
use super::engine::{Conn, Row, query, query_scalar};
use super::scope::AgentScope;
use super::tickets::{RequesterGrant, insert_mask_slots};
use super::{Store, StoreError};
use crate::domain::ProofKind;
use crate::redact::{Mask, MaskSlot};

/// A proof as agents and the requester see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofRecord {
    pub kind: ProofKind,
    /// `[BTC-1]`: the subject as the ticket's redacted text names it.
    pub subject_mask: String,
    pub verified_at: i64,
}

/// A challenge not yet answered (and, where `open` says so, not yet expired).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofChallenge {
    pub id: i64,
    pub kind: ProofKind,
    /// The ticket's mask the agent named as the address to prove, if any.
    pub expected_mask: Option<String>,
    /// The exact text to sign.
    pub text: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub used: bool,
    /// Who asked (agents' view only; `None` for an agent since removed).
    pub requested_by: Option<String>,
}

impl ProofChallenge {
    pub fn is_open(&self, now: i64) -> bool {
        !self.used && self.expires_at > now
    }
}

/// What recording a checked proof came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProofRecorded {
    Recorded(ProofRecord),
    /// The challenge was answered or ran out meanwhile: nothing was recorded.
    NoLongerOpen,
}

/// A new challenge, worded by the desk.
#[derive(Debug, Clone)]
pub struct NewChallenge<'a> {
    pub kind: ProofKind,
    pub expected_mask: Option<&'a str>,
    pub text: &'a str,
    pub now: i64,
    pub expires_at: i64,
}

fn parse_kind(text: &str) -> Result<ProofKind, StoreError> {
    ProofKind::parse(text).ok_or(StoreError::Corrupt("proof kind"))
}

pub(super) async fn read_proofs(
    conn: &mut Conn,
    ticket_id: i64,
) -> Result<Vec<ProofRecord>, StoreError> {
    query("select kind, subject_mask, verified_at from proofs where ticket_id = $1 order by id")
        .bind(ticket_id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|row| {
            Ok(ProofRecord {
                kind: parse_kind(&row.try_get::<String, _>("kind")?)?,
                subject_mask: row.try_get("subject_mask")?,
                verified_at: row.try_get("verified_at")?,
            })
        })
        .collect()
}

/// The challenges of a ticket still waiting for an answer at `now`, oldest first.
pub(super) async fn read_open_challenges(
    conn: &mut Conn,
    ticket_id: i64,
    now: i64,
) -> Result<Vec<ProofChallenge>, StoreError> {
    let rows = query(
        "select c.id, c.kind, c.expected_mask, c.challenge, c.created_at, c.expires_at, c.used_at, \
         a.name as requested_by from proof_challenges c left join agents a on a.id = c.requested_by \
         where c.ticket_id = $1 and c.used_at is null and c.expires_at > $2 order by c.id",
    )
    .bind(ticket_id)
    .bind(now)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(challenge_from_row).collect()
}

fn challenge_from_row(row: &Row) -> Result<ProofChallenge, StoreError> {
    Ok(ProofChallenge {
        id: row.try_get("id")?,
        kind: parse_kind(&row.try_get::<String, _>("kind")?)?,
        expected_mask: row.try_get("expected_mask")?,
        text: row.try_get("challenge")?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
        used: row.try_get::<Option<i64>, _>("used_at")?.is_some(),
        requested_by: row.try_get("requested_by")?,
    })
}

impl Store {
    /// Stores a challenge on a ticket the agent may change, audited as `proof_requested`.
    pub async fn create_proof_challenge(
        &self,
        scope: &AgentScope,
        reference: &str,
        challenge: NewChallenge<'_>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let ticket = locate(&mut tx, scope, reference).await?;
        query(
            "insert into proof_challenges (ticket_id, kind, expected_mask, challenge, requested_by, created_at, expires_at) \
             values ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(ticket.id)
        .bind(challenge.kind.id())
        .bind(challenge.expected_mask)
        .bind(challenge.text)
        .bind(scope.agent_id)
        .bind(challenge.now)
        .bind(challenge.expires_at)
        .execute(&mut *tx)
        .await?;
        let mut detail = format!("kind={}", challenge.kind.id());
        if let Some(mask) = challenge.expected_mask {
            detail.push_str(&format!(" expected={mask}"));
        }
        audit_change(
            &mut tx,
            self,
            scope,
            "proof_requested",
            reference,
            detail,
            challenge.now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// One challenge of the grant's ticket, answered or expired ones included; `NotFound`
    /// for another ticket's.
    pub async fn proof_challenge(
        &self,
        grant: &RequesterGrant,
        id: i64,
    ) -> Result<ProofChallenge, StoreError> {
        let row = query(
            "select c.id, c.kind, c.expected_mask, c.challenge, c.created_at, c.expires_at, c.used_at, \
             null as requested_by from proof_challenges c where c.id = $1 and c.ticket_id = $2",
        )
        .bind(id)
        .bind(grant.ticket_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        let mut challenge = challenge_from_row(&row)?;
        challenge.requested_by = None;
        Ok(challenge)
    }

    /// The grant's ticket's unanswered, unexpired challenges (who asked is left out).
    pub async fn open_proof_challenges(
        &self,
        grant: &RequesterGrant,
        now: i64,
    ) -> Result<Vec<ProofChallenge>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let mut open = read_open_challenges(&mut conn, grant.ticket_id, now).await?;
        for challenge in &mut open {
            challenge.requested_by = None;
        }
        Ok(open)
    }

    /// The proofs recorded on the grant's ticket, oldest first.
    pub async fn requester_proofs(
        &self,
        grant: &RequesterGrant,
    ) -> Result<Vec<ProofRecord>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        read_proofs(&mut conn, grant.ticket_id).await
    }

    /// Records a checked proof and uses its challenge up, with the mask slot its subject
    /// took, audited as `proof_verified`. The challenge must still be open at `now` inside
    /// this transaction, so two answers to one challenge record one proof.
    /// `Conflict(Conflict::Mask)` means another message took the mask number first.
    pub async fn record_proof(
        &self,
        grant: &RequesterGrant,
        challenge_id: i64,
        kind: ProofKind,
        subject: &Mask,
        now: i64,
        new_slots: &[MaskSlot],
    ) -> Result<ProofRecorded, StoreError> {
        let mut tx = self.begin_write().await?;
        let used = query(
            "update proof_challenges set used_at = $3 \
             where id = $1 and ticket_id = $2 and used_at is null and expires_at > $3",
        )
        .bind(challenge_id)
        .bind(grant.ticket_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if used.rows_affected() != 1 {
            return Ok(ProofRecorded::NoLongerOpen);
        }
        insert_mask_slots(&mut tx, grant.ticket_id, new_slots).await?;
        query(
            "insert into proofs (ticket_id, challenge_id, kind, subject_mask, verified_at) \
             values ($1, $2, $3, $4, $5)",
        )
        .bind(grant.ticket_id)
        .bind(challenge_id)
        .bind(kind.id())
        .bind(subject.as_str())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        log_event(
            &mut tx,
            &self.audit_key,
            &Actor::Requester,
            "proof_verified",
            Some(grant.reference.as_str()),
            format!("kind={} subject={}", kind.id(), subject.as_str()),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(ProofRecorded::Recorded(ProofRecord {
            kind,
            subject_mask: subject.as_str().to_owned(),
            verified_at: now,
        }))
    }

    /// Records a refused proof as `proof_failed`: its kind and a reason word, never what was
    /// submitted.
    pub async fn record_proof_failure(
        &self,
        grant: &RequesterGrant,
        kind: Option<ProofKind>,
        reason: &'static str,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let kind = kind.map_or("unknown", ProofKind::id);
        log_event(
            &mut tx,
            &self.audit_key,
            &Actor::Requester,
            "proof_failed",
            Some(grant.reference.as_str()),
            format!("kind={kind} reason={reason}"),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Refused proofs on the grant's ticket since `since`. The audit log is where they are
    /// recorded, so the count needs no table of its own and survives a restart.
    pub async fn proof_failures_since(
        &self,
        grant: &RequesterGrant,
        since: i64,
    ) -> Result<i64, StoreError> {
        Ok(query_scalar(
            "select count(*) from audit_log where reference = $1 and action = 'proof_failed' and at > $2",
        )
        .bind(grant.reference.as_str())
        .bind(since)
        .fetch_one(&self.pool)
        .await?)
    }
}
