//! Enrolment links and resets: nobody but the agent ever holds the agent's secrets.
//!
//! Creating or resetting an agent stores a single-use link (only its keyed hash) instead of
//! a password and seed. A reset invalidates the password and second factor at once, ends
//! every session and alerts the other admins and the owners of the agent's queues. When the
//! agent belongs to a restricted queue, an admin's reset only files a request that a second
//! admin must approve (two-person rule). The agent's own enrolment is alerted and audited
//! too, naming whoever produced the link.

use super::engine::{Row, query, query_scalar};

use super::agents::{NewAgent, insert_agent, parse_role};
use super::alerts::{Audience, particulars, raise_for_others, raise_queue_copy};
use super::audit::{Actor, AuditKey, log_event};
use super::error::Conflict;
use super::scope::AdminScope;
use super::{Store, StoreError, Tx, now_unix};
use crate::crypto::Sealed;
use crate::crypto::TokenDigest;
use crate::domain::{Name, Role};

/// How long a reset request waits for a second admin. An approval must answer a current
/// need: a request left for months would let any later admin reset the account on a
/// stale word. After this the request is gone from the list and cannot be decided.
pub const RESET_REQUEST_LIFETIME_SECS: i64 = 72 * 3600;

/// Why the admin pages do not create an account straight into a restricted queue: the link
/// is issued by one admin, and whoever opens it first would be in that queue on one admin's
/// word. The account joins once the agent has enrolled with their own credentials.
/// A link about to be handed out: the keyed hash of its token and when it stops working.
pub struct NewEnrolmentLink {
    pub token: TokenDigest,
    pub expires_at: i64,
}

/// What an admin's reset did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetOutcome {
    /// Credentials invalidated and the link stored.
    Reset,
    /// The agent is in a restricted queue: a request now waits for a second admin.
    AwaitingSecondAdmin,
    /// Admins do not reset themselves in the admin pages.
    OwnAccount,
}

/// What a second admin's decision on a reset request did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Approved: credentials invalidated and the link stored for this agent.
    Approved {
        agent: Name,
    },
    Rejected {
        agent: Name,
    },
    /// The request is the deciding admin's own.
    OwnRequest,
    /// The request is about the deciding admin's own account.
    OwnAccount,
}

/// A reset waiting for a second admin.
#[derive(Debug, Clone)]
pub struct ResetRequest {
    pub id: i64,
    pub agent: String,
    pub requested_by: String,
    pub at: i64,
    /// Filed by, or about, the admin looking at the list, who therefore cannot decide it.
    pub own: bool,
}

/// A live enrolment link, as its page needs it.
pub struct OpenEnrolment {
    id: i64,
    /// Whose link this is. Not secret: shown on the page to whoever holds the link.
    pub agent: Name,
    pub role: Role,
    pub needs_second_factor: bool,
    /// The seed offered on the page, once one was generated.
    pub pending_seed: Option<Sealed>,
    /// Keyed hash of the nonce of the browser the pending seed was shown to.
    pub seed_holder: Option<TokenDigest>,
}

/// The agent a reset is about.
struct Target {
    id: i64,
    name: Name,
    role: Role,
    has_second_factor: bool,
}

impl Store {
    /// Creates an agent from the admin pages: no usable password, no second factor, and an
    /// enrolment link through which the agent chooses both.
    pub async fn create_agent_for_enrolment(
        &self,
        admin: &AdminScope,
        agent: NewAgent,
        needs_second_factor: bool,
        link: &NewEnrolmentLink,
    ) -> Result<(), StoreError> {
        // An admin who could mint admins could approve their own two-person requests
        // through a puppet: admin accounts come only from the operator's command line.
        if agent.role == Role::Admin {
            return Err(StoreError::Conflict(Conflict::AdminByOperatorOnly));
        }
        let now = now_unix();
        let actor = admin.actor();
        let (name, role) = (agent.name.clone(), agent.role);
        let mut tx = self.begin_write().await?;
        for queue in &agent.queues {
            let restricted: Option<i64> =
                query_scalar("select restricted from queues where name = $1")
                    .bind(queue.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
            if restricted.is_some_and(|flag| flag != 0) {
                return Err(StoreError::Conflict(
                    Conflict::RestrictedQueueBeforeEnrolment,
                ));
            }
        }
        let agent_id = insert_agent(&mut tx, &self.audit_key, &actor, agent).await?;
        issue_link(&mut tx, agent_id, &actor, link, needs_second_factor, now).await?;
        raise_for_others(
            &mut tx,
            now,
            "agent_created",
            Audience::Admins,
            None,
            name.as_str(),
            particulars(&[
                ("by", admin.agent().name().as_str()),
                ("role", role.id()),
                ("agent", name.as_str()),
            ]),
            Some(admin.agent().agent_id),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// An admin resets an agent who lost their password or phone. Another admin, or a member
    /// of a restricted queue now or within `restricted_memory_secs`, is not reset at once: a
    /// request is filed for a second admin.
    pub async fn reset_credentials(
        &self,
        admin: &AdminScope,
        name: &Name,
        unusable_hash: &str,
        link: &NewEnrolmentLink,
        restricted_memory_secs: i64,
    ) -> Result<ResetOutcome, StoreError> {
        let now = now_unix();
        let actor = admin.actor();
        let admin_id = admin.agent().agent_id;
        let mut tx = self.begin_write().await?;
        let target = target_by_name(&mut tx, name).await?;
        if target.id == admin_id {
            return Ok(ResetOutcome::OwnAccount);
        }
        let remembered_since = now.saturating_sub(restricted_memory_secs);
        // Resetting another admin hands the resetter a link to that admin's account, a
        // second admin of their own to approve their requests with: it needs a second admin.
        if target.role == Role::Admin
            || restricted_now_or_lately(&mut tx, target.id, remembered_since).await?
        {
            file_request(&mut tx, &self.audit_key, admin, &target, now).await?;
            tx.commit().await?;
            return Ok(ResetOutcome::AwaitingSecondAdmin);
        }
        let detail = format!("agent={}", target.name);
        reset_in(
            &mut tx,
            &self.audit_key,
            &actor,
            &target,
            unusable_hash,
            link,
            detail,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(ResetOutcome::Reset)
    }

    /// The operator's reset (`hushdesk agent reset`): whoever holds the server's keys needs
    /// no second admin, but the reset is audited and alerted like any other.
    pub async fn reset_credentials_as_operator(
        &self,
        _operator: &super::OperatorScope,
        name: &Name,
        unusable_hash: &str,
        link: &NewEnrolmentLink,
    ) -> Result<(), StoreError> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        let target = target_by_name(&mut tx, name).await?;
        let detail = format!("agent={}", target.name);
        reset_in(
            &mut tx,
            &self.audit_key,
            &Actor::Operator,
            &target,
            unusable_hash,
            link,
            detail,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Reset requests waiting for a second admin, oldest first.
    pub async fn pending_resets(
        &self,
        admin: &AdminScope,
    ) -> Result<Vec<ResetRequest>, StoreError> {
        let rows = query(
            "select r.id, a.name as agent, b.name as requested_by, r.created_at, (r.requested_by = $1 or r.agent_id = $1) as own \
             from reset_requests r join agents a on a.id = r.agent_id join agents b on b.id = r.requested_by \
             where r.decided_at is null and r.created_at > $2 order by r.id",
        )
        .bind(admin.agent().agent_id)
        .bind(now_unix().saturating_sub(RESET_REQUEST_LIFETIME_SECS))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ResetRequest {
                    id: row.try_get("id")?,
                    agent: row.try_get("agent")?,
                    requested_by: row.try_get("requested_by")?,
                    at: row.try_get("created_at")?,
                    own: row.try_get::<bool, _>("own")?,
                })
            })
            .collect()
    }

    /// A second admin approves a reset request: only now are the credentials invalidated and
    /// the link stored. Nobody approves their own request or a reset of their own account.
    pub async fn approve_reset(
        &self,
        admin: &AdminScope,
        request_id: i64,
        unusable_hash: &str,
        link: &NewEnrolmentLink,
    ) -> Result<Decision, StoreError> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        let (target, requested_by) =
            match decide(&mut tx, admin, request_id, "approved", now).await? {
                Ok(found) => found,
                Err(refused) => return Ok(refused),
            };
        let actor = admin.actor();
        log_event(
            &mut tx,
            &self.audit_key,
            &actor,
            "reset_approved",
            None,
            format!("agent={} requested_by={requested_by}", target.name),
            now,
        )
        .await?;
        let detail = format!(
            "agent={} requested_by={requested_by} approved_by={}",
            target.name,
            admin.agent().name()
        );
        reset_in(
            &mut tx,
            &self.audit_key,
            &actor,
            &target,
            unusable_hash,
            link,
            detail,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(Decision::Approved { agent: target.name })
    }

    /// A second admin turns a reset request down; nothing about the agent changes.
    pub async fn reject_reset(
        &self,
        admin: &AdminScope,
        request_id: i64,
    ) -> Result<Decision, StoreError> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        let (target, requested_by) =
            match decide(&mut tx, admin, request_id, "rejected", now).await? {
                Ok(found) => found,
                Err(refused) => return Ok(refused),
            };
        log_event(
            &mut tx,
            &self.audit_key,
            &admin.actor(),
            "reset_rejected",
            None,
            format!("agent={} requested_by={requested_by}", target.name),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(Decision::Rejected { agent: target.name })
    }

    /// The enrolment behind a presented token, if it is unused and unexpired. Unknown, used
    /// and expired tokens are the same `NotFound`.
    pub async fn open_enrolment(&self, token: TokenDigest) -> Result<OpenEnrolment, StoreError> {
        let row = query(
            "select e.id, a.name, a.role, e.needs_second_factor, e.totp_pending_sealed, e.seed_holder_hash \
             from enrolments e join agents a on a.id = e.agent_id \
             where e.token_hash = $1 and e.used_at is null and e.expires_at > $2",
        )
        .bind(&token.0[..])
        .bind(now_unix())
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        Ok(OpenEnrolment {
            id: row.try_get("id")?,
            agent: Name::parse(&row.try_get::<String, _>("name")?)
                .map_err(|_| StoreError::Corrupt("agent name"))?,
            role: parse_role(&row.try_get::<String, _>("role")?)?,
            needs_second_factor: row.try_get::<i64, _>("needs_second_factor")? != 0,
            pending_seed: row
                .try_get::<Option<Vec<u8>>, _>("totp_pending_sealed")?
                .map(Sealed::from_stored),
            seed_holder: row
                .try_get::<Option<Vec<u8>>, _>("seed_holder_hash")?
                .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
                .map(TokenDigest),
        })
    }

    /// Makes a browser (the keyed hash of its nonce) the holder of this enrolment, with a
    /// fresh seed when one is needed. Replaces any earlier holder and seed: whoever opened
    /// the link before (an admin, a link-preview bot) no longer holds the seed that counts.
    pub async fn hand_enrolment_to(
        &self,
        enrolment: &OpenEnrolment,
        holder: &TokenDigest,
        seed: Option<&Sealed>,
    ) -> Result<(), StoreError> {
        let updated = query(
            "update enrolments set seed_holder_hash = $2, totp_pending_sealed = $3 \
             where id = $1 and used_at is null",
        )
        .bind(enrolment.id)
        .bind(&holder.0[..])
        .bind(seed.map(Sealed::as_bytes))
        .execute(&self.pool)
        .await?;
        if updated.rows_affected() != 1 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Uses the link: the agent's chosen password (hashed), and the offered seed as their
    /// second factor when one is needed, `totp_step` being the confirming code's step.
    /// Refused (`NotFound`) if the link was used or expired meanwhile.
    pub async fn complete_enrolment(
        &self,
        enrolment: &OpenEnrolment,
        holder: &TokenDigest,
        password_hash: &str,
        totp_step: Option<u64>,
    ) -> Result<(), StoreError> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        // The holder is checked in the same statement: another browser that opened the link
        // meanwhile replaced the seed, and this answer no longer counts.
        let row = query(
            "update enrolments set used_at = $2 where id = $1 and used_at is null and expires_at > $2 \
             and seed_holder_hash = $3 \
             returning agent_id, issued_by, totp_pending_sealed",
        )
        .bind(enrolment.id)
        .bind(now)
        .bind(&holder.0[..])
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let agent_id: i64 = row.try_get("agent_id")?;
        let issued_by: String = row.try_get("issued_by")?;
        let seed: Option<Vec<u8>> = row.try_get("totp_pending_sealed")?;
        let (seed, step) = match (enrolment.needs_second_factor, totp_step) {
            (false, _) => (None, 0),
            (true, Some(step)) => (
                Some(seed.ok_or(StoreError::NotFound)?),
                i64::try_from(step).map_err(|_| StoreError::Conflict(Conflict::Totp))?,
            ),
            (true, None) => return Err(StoreError::Conflict(Conflict::Totp)),
        };
        query(
            "update agents set password_hash = $2, totp_sealed = $3, totp_pending_sealed = null, \
             totp_last_step = $4, must_change_password = 0, failed_logins = 0, locked_until = null \
             where id = $1",
        )
        .bind(agent_id)
        .bind(password_hash)
        .bind(seed.as_deref())
        .bind(step)
        .execute(&mut *tx)
        .await?;
        let name = enrolment.agent.as_str();
        // The one who issued the link is the one who could have used it: the enrolment alert
        // is hidden from them (and from the agent it is about), so they cannot wave it off.
        let issuer_id: Option<i64> = query_scalar("select id from agents where name = $1")
            .bind(&issued_by)
            .fetch_optional(&mut *tx)
            .await?;
        let actor = Actor::Agent {
            id: agent_id,
            name: name.to_owned(),
        };
        cancel_open_requests(
            &mut tx,
            &self.audit_key,
            &actor,
            agent_id,
            name,
            "enrolled",
            now,
        )
        .await?;
        log_event(
            &mut tx,
            &self.audit_key,
            &actor,
            "enrolled",
            None,
            format!(
                "agent={name} issued_by={issued_by} second_factor={}",
                enrolment.needs_second_factor
            ),
            now,
        )
        .await?;
        alert_about(
            &mut tx,
            "enrolled",
            agent_id,
            name,
            // A link the operator issued names nobody (see `actor_name`).
            if issued_by == OPERATOR_LABEL {
                particulars(&[("agent", name)])
            } else {
                particulars(&[("agent", name), ("by", &issued_by)])
            },
            issuer_id,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

async fn target_by_name(tx: &mut Tx<'_>, name: &Name) -> Result<Target, StoreError> {
    let row =
        query("select id, role, totp_sealed is not null as has_totp from agents where name = $1")
            .bind(name.as_str())
            .fetch_optional(&mut **tx)
            .await?
            .ok_or(StoreError::NotFound)?;
    target_from_row(&row, name.clone())
}

fn target_from_row(row: &Row, name: Name) -> Result<Target, StoreError> {
    Ok(Target {
        id: row.try_get("id")?,
        name,
        role: parse_role(&row.try_get::<String, _>("role")?)?,
        has_second_factor: row.try_get::<bool, _>("has_totp")?,
    })
}

/// Whether the two-person rule covers this agent: a member of a restricted queue now, or
/// one who stopped being one (removed, or the queue unrestricted) since `remembered_since`.
/// Without the memory, one admin could remove the member, reset, and add them back.
async fn restricted_now_or_lately(
    tx: &mut Tx<'_>,
    agent_id: i64,
    remembered_since: i64,
) -> Result<bool, StoreError> {
    let restricted: bool = query_scalar(
        "select exists (select 1 from queue_members m join queues q on q.id = m.queue_id \
         where m.agent_id = $1 and q.restricted = 1) \
         or exists (select 1 from restricted_exposures where agent_id = $1 and ended_at >= $2)",
    )
    .bind(agent_id)
    .bind(remembered_since)
    .fetch_one(&mut **tx)
    .await?;
    Ok(restricted)
}

/// Files (once) a reset request for a second admin, audited and shown to the other admins.
async fn file_request(
    tx: &mut Tx<'_>,
    key: &AuditKey,
    admin: &AdminScope,
    target: &Target,
    now: i64,
) -> Result<(), StoreError> {
    let open: i64 = query_scalar(
        "select count(*) from reset_requests where agent_id = $1 and decided_at is null \
         and created_at > $2",
    )
    .bind(target.id)
    .bind(now.saturating_sub(RESET_REQUEST_LIFETIME_SECS))
    .fetch_one(&mut **tx)
    .await?;
    if open > 0 {
        return Ok(());
    }
    let admin_id = admin.agent().agent_id;
    query("insert into reset_requests (agent_id, requested_by, created_at) values ($1, $2, $3)")
        .bind(target.id)
        .bind(admin_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    log_event(
        tx,
        key,
        &admin.actor(),
        "reset_requested",
        None,
        format!("agent={}", target.name),
        now,
    )
    .await?;
    raise_for_others(
        tx,
        now,
        "reset_requested",
        Audience::Admins,
        None,
        target.name.as_str(),
        particulars(&[
            ("by", admin.agent().name().as_str()),
            ("agent", target.name.as_str()),
        ]),
        Some(admin_id),
    )
    .await
}

/// Marks an open request decided by `admin`, unless it is their own or about them. Returns
/// the target and the requesting admin's name, or the refusal.
async fn decide(
    tx: &mut Tx<'_>,
    admin: &AdminScope,
    request_id: i64,
    outcome: &'static str,
    now: i64,
) -> Result<Result<(Target, String), Decision>, StoreError> {
    let admin_id = admin.agent().agent_id;
    let row = query(
        "select a.id, a.name, a.role, a.totp_sealed is not null as has_totp, \
         r.requested_by, b.name as requested_by_name \
         from reset_requests r join agents a on a.id = r.agent_id join agents b on b.id = r.requested_by \
         where r.id = $1 and r.decided_at is null and r.created_at > $2",
    )
    .bind(request_id)
    .bind(now.saturating_sub(RESET_REQUEST_LIFETIME_SECS))
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    let name = Name::parse(&row.try_get::<String, _>("name")?)
        .map_err(|_| StoreError::Corrupt("agent name"))?;
    let target = target_from_row(&row, name)?;
    if row.try_get::<i64, _>("requested_by")? == admin_id {
        return Ok(Err(Decision::OwnRequest));
    }
    if target.id == admin_id {
        return Ok(Err(Decision::OwnAccount));
    }
    let requested_by: String = row.try_get("requested_by_name")?;
    let done = query(
        "update reset_requests set decided_by = $2, decided_at = $3, outcome = $4 \
         where id = $1 and decided_at is null",
    )
    .bind(request_id)
    .bind(admin_id)
    .bind(now)
    .bind(outcome)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::NotFound);
    }
    Ok(Ok((target, requested_by)))
}

/// Invalidates the target's password and second factor, ends their sessions, replaces any
/// older link with `link`, and audits and alerts the reset.
#[allow(clippy::too_many_arguments)]
async fn reset_in(
    tx: &mut Tx<'_>,
    key: &AuditKey,
    actor: &Actor,
    target: &Target,
    unusable_hash: &str,
    link: &NewEnrolmentLink,
    detail: String,
    now: i64,
) -> Result<(), StoreError> {
    query(
        "update agents set password_hash = $2, totp_sealed = null, totp_pending_sealed = null, \
         must_change_password = 0, failed_logins = 0, locked_until = null where id = $1",
    )
    .bind(target.id)
    .bind(unusable_hash)
    .execute(&mut **tx)
    .await?;
    query("delete from sessions where agent_id = $1")
        .bind(target.id)
        .execute(&mut **tx)
        .await?;
    query("delete from enrolments where agent_id = $1 and used_at is null")
        .bind(target.id)
        .execute(&mut **tx)
        .await?;
    cancel_open_requests(
        tx,
        key,
        actor,
        target.id,
        target.name.as_str(),
        "superseded",
        now,
    )
    .await?;
    let needs_second_factor = target.role.requires_second_factor() || target.has_second_factor;
    issue_link(tx, target.id, actor, link, needs_second_factor, now).await?;
    log_event(tx, key, actor, "credentials_reset", None, detail, now).await?;
    alert_about(
        tx,
        "credentials_reset",
        target.id,
        target.name.as_str(),
        by_and(actor, &[("agent", target.name.as_str())]),
        actor_agent_id(actor),
        now,
    )
    .await
}

/// Makes any open reset request for the agent void. A reset (direct, approved or the
/// operator's) supersedes it: approved later, it would kill the enrolment just started.
/// The agent's own enrolment or password change answers it: they have their account back,
/// and a late approval would take it from them again.
pub(super) async fn cancel_open_requests(
    tx: &mut Tx<'_>,
    key: &AuditKey,
    actor: &Actor,
    agent_id: i64,
    agent_name: &str,
    reason: &'static str,
    now: i64,
) -> Result<(), StoreError> {
    let cancelled = query(
        "update reset_requests set decided_at = $2, cancelled_at = $2 \
         where agent_id = $1 and decided_at is null",
    )
    .bind(agent_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    if cancelled.rows_affected() > 0 {
        log_event(
            tx,
            key,
            actor,
            "reset_request_cancelled",
            None,
            format!("agent={agent_name} reason={reason}"),
            now,
        )
        .await?;
    }
    Ok(())
}

async fn issue_link(
    tx: &mut Tx<'_>,
    agent_id: i64,
    issued_by: &Actor,
    link: &NewEnrolmentLink,
    needs_second_factor: bool,
    now: i64,
) -> Result<(), StoreError> {
    query(
        "insert into enrolments (token_hash, agent_id, issued_by, created_at, expires_at, needs_second_factor) \
         values ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&link.token.0[..])
    .bind(agent_id)
    .bind(actor_name(issued_by))
    .bind(now)
    .bind(link.expires_at)
    .bind(i64::from(needs_second_factor))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Voids every open, unused enrolment link of an agent who just came under the two-person
/// rule (added to a restricted queue, or a queue of theirs made restricted): a link issued
/// by one admin must not become a way into a restricted queue. A new link needs a new
/// reset, which now waits for a second admin. Audited and alerted when a link was voided.
pub(super) async fn void_open_links(
    tx: &mut Tx<'_>,
    key: &AuditKey,
    actor: &Actor,
    agent_id: i64,
    agent_name: &str,
    queue: &str,
    now: i64,
) -> Result<(), StoreError> {
    let voided = query("delete from enrolments where agent_id = $1 and used_at is null")
        .bind(agent_id)
        .execute(&mut **tx)
        .await?;
    if voided.rows_affected() == 0 {
        return Ok(());
    }
    log_event(
        tx,
        key,
        actor,
        "enrolment_link_voided",
        None,
        format!("agent={agent_name} reason=restricted queue={queue}"),
        now,
    )
    .await?;
    alert_about(
        tx,
        "enrolment_link_voided",
        agent_id,
        agent_name,
        particulars(&[("agent", agent_name), ("queue", queue)]),
        actor_agent_id(actor),
        now,
    )
    .await
}

/// Tells the admins (but `not_for`) and the owners of every queue the agent belongs to.
pub(super) async fn alert_about(
    tx: &mut Tx<'_>,
    kind: &'static str,
    agent_id: i64,
    agent_name: &str,
    detail: String,
    not_for: Option<i64>,
    now: i64,
) -> Result<(), StoreError> {
    raise_for_others(
        tx,
        now,
        kind,
        Audience::Admins,
        None,
        agent_name,
        detail.clone(),
        not_for,
    )
    .await?;
    let queues: Vec<i64> = query_scalar("select queue_id from queue_members where agent_id = $1")
        .bind(agent_id)
        .fetch_all(&mut **tx)
        .await?;
    for queue_id in queues {
        raise_queue_copy(
            tx,
            now,
            kind,
            Audience::QueueOwners,
            queue_id,
            Some(agent_name),
            None,
            detail.clone(),
            not_for,
        )
        .await?;
    }
    Ok(())
}

fn actor_name(actor: &Actor) -> String {
    match actor {
        Actor::Agent { name, .. } => name.clone(),
        _ => OPERATOR_LABEL.to_owned(),
    }
}

/// Who issued a link the operator made, as the enrolment row records it.
const OPERATOR_LABEL: &str = "the operator";

/// An alert's particulars with who acted as `by`; an operator is left unnamed (the page
/// says "the operator" in the reader's language).
pub(super) fn by_and(actor: &Actor, pairs: &[(&str, &str)]) -> String {
    let mut all = pairs.to_vec();
    if let Actor::Agent { name, .. } = actor {
        all.push(("by", name.as_str()));
    }
    particulars(&all)
}

fn actor_agent_id(actor: &Actor) -> Option<i64> {
    match actor {
        Actor::Agent { id, .. } => Some(*id),
        _ => None,
    }
}
