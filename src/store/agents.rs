//! Agents: creation, sign-in bookkeeping, sessions, password changes.

use super::engine::{Conn, query, query_scalar};

use super::alerts::{Audience, particulars, raise};
use super::audit::{Actor, log_event};
use super::error::Conflict;
use super::scope::AgentScope;
use super::{Store, StoreError, Tx, now_unix};
use crate::crypto::Sealed;
use crate::crypto::TokenDigest;
use crate::domain::{Name, Role};

/// An agent to create. The password arrives hashed and the TOTP seed sealed.
pub struct NewAgent {
    pub name: Name,
    pub role: Role,
    pub password_hash: String,
    pub totp_sealed: Option<Sealed>,
    pub must_change_password: bool,
    pub queues: Vec<Name>,
}

/// What sign-in needs to know about the agent named at the prompt.
pub struct LoginCandidate {
    pub(super) agent_id: i64,
    pub name: Name,
    pub role: Role,
    pub password_hash: String,
    pub totp_sealed: Option<Sealed>,
    pub locked_until: Option<i64>,
    pub disabled: bool,
}

/// Session kinds: a browser cookie or an API bearer token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Session {
    Cookie,
    Bearer,
}

impl Session {
    fn id(self) -> &'static str {
        match self {
            Session::Cookie => "cookie",
            Session::Bearer => "bearer",
        }
    }
}

/// How a failed sign-in was recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginFailure {
    /// Counted; the account is still usable.
    Counted,
    /// This failure locked the account.
    LockedNow,
    /// The account was already locked: audited, but not counted, so a locked account's
    /// lockout is not extended by whoever keeps guessing.
    WhileLocked,
}

/// Where a password was checked; both places count toward the same lockout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordCheck {
    /// The sign-in form or the API's sign-in.
    SignIn,
    /// The current-password confirmation on the account page.
    AccountPage,
}

impl PasswordCheck {
    fn id(self) -> &'static str {
        match self {
            PasswordCheck::SignIn => "sign_in",
            PasswordCheck::AccountPage => "account_page",
        }
    }
}

/// A successful sign-in.
pub struct LoginOutcome {
    pub scope: AgentScope,
}

/// Session lifetimes, from the configuration.
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    pub idle_seconds: i64,
    pub max_seconds: i64,
}

impl Store {
    /// Creates an agent from the command line (`hushdesk agent add`).
    pub async fn create_agent_as_operator(
        &self,
        _operator: &super::OperatorScope,
        agent: NewAgent,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        insert_agent(&mut tx, &self.audit_key, &Actor::Operator, agent).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The agent named at a sign-in prompt, if any.
    pub(crate) async fn login_candidate(
        &self,
        name: &str,
    ) -> Result<Option<LoginCandidate>, StoreError> {
        let Ok(name) = Name::parse(name) else {
            return Ok(None);
        };
        let row = query(
            "select id, role, password_hash, totp_sealed, locked_until, disabled from agents where name = $1",
        )
        .bind(name.as_str())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(LoginCandidate {
                agent_id: row.try_get("id")?,
                name: name.clone(),
                role: parse_role(&row.try_get::<String, _>("role")?)?,
                password_hash: row.try_get("password_hash")?,
                totp_sealed: row
                    .try_get::<Option<Vec<u8>>, _>("totp_sealed")?
                    .map(Sealed::from_stored),
                locked_until: row.try_get("locked_until")?,
                disabled: row.try_get::<i64, _>("disabled")? != 0,
            })
        })
        .transpose()
    }

    /// The signed-in agent's own sign-in record, for confirming their current password.
    pub async fn password_check_candidate(
        &self,
        scope: &AgentScope,
    ) -> Result<LoginCandidate, StoreError> {
        let row = query(
            "select id, role, password_hash, totp_sealed, locked_until, disabled from agents where id = $1",
        )
        .bind(scope.agent_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        Ok(LoginCandidate {
            agent_id: row.try_get("id")?,
            name: scope.name.clone(),
            role: parse_role(&row.try_get::<String, _>("role")?)?,
            password_hash: row.try_get("password_hash")?,
            totp_sealed: row
                .try_get::<Option<Vec<u8>>, _>("totp_sealed")?
                .map(Sealed::from_stored),
            locked_until: row.try_get("locked_until")?,
            disabled: row.try_get::<i64, _>("disabled")? != 0,
        })
    }

    /// Records a failed password check (`at` says where), locking the account after too
    /// many in a row and alerting admins when it does. Every attempt is audited with the
    /// same event, whether the name was unknown, the password wrong or the account locked.
    pub async fn record_login_failure(
        &self,
        candidate: Option<&LoginCandidate>,
        at: PasswordCheck,
        max_failed: u32,
        lockout_seconds: i64,
    ) -> Result<LoginFailure, StoreError> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        let (actor, outcome) = match candidate {
            None => (Actor::Unknown, LoginFailure::Counted),
            Some(c) => {
                // Decided inside the transaction, so a lock taken by a concurrent attempt
                // is seen here and not extended.
                let failed: Option<i64> = query_scalar(
                    "update agents set failed_logins = failed_logins + 1 \
                     where id = $1 and (locked_until is null or locked_until <= $2) \
                     returning failed_logins",
                )
                .bind(c.agent_id)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
                let outcome = match failed {
                    None => LoginFailure::WhileLocked,
                    Some(failed) if failed >= i64::from(max_failed) => {
                        query(
                            "update agents set locked_until = $2, failed_logins = 0 where id = $1",
                        )
                        .bind(c.agent_id)
                        .bind(now + lockout_seconds)
                        .execute(&mut *tx)
                        .await?;
                        raise(
                            &mut tx,
                            now,
                            "failed_logins",
                            Audience::Admins,
                            None,
                            Some(c.name.as_str()),
                            None,
                            particulars(&[
                                ("count", &failed.to_string()),
                                ("minutes", &(lockout_seconds / 60).to_string()),
                            ]),
                        )
                        .await?;
                        LoginFailure::LockedNow
                    }
                    Some(_) => LoginFailure::Counted,
                };
                (
                    Actor::Agent {
                        id: c.agent_id,
                        name: c.name.to_string(),
                    },
                    outcome,
                )
            }
        };
        let detail = match outcome {
            LoginFailure::Counted => format!("at={}", at.id()),
            LoginFailure::LockedNow => format!("at={} locked=yes", at.id()),
            LoginFailure::WhileLocked => format!("at={} while_locked=yes", at.id()),
        };
        log_event(
            &mut tx,
            &self.audit_key,
            &actor,
            "login_failed",
            None,
            detail,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// Opens a session for an agent whose password (and code) the caller has verified.
    /// `totp_step` is refused if it is not newer than the last accepted one (replay).
    pub(crate) async fn open_session_after_verified_login(
        &self,
        candidate: &LoginCandidate,
        totp_step: Option<u64>,
        kind: Session,
        token: TokenDigest,
        policy: SessionPolicy,
    ) -> Result<LoginOutcome, StoreError> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        if let Some(step) = totp_step {
            let step = i64::try_from(step).map_err(|_| StoreError::Conflict(Conflict::Totp))?;
            let fresh = query(
                "update agents set totp_last_step = $2 where id = $1 and totp_last_step < $2",
            )
            .bind(candidate.agent_id)
            .bind(step)
            .execute(&mut *tx)
            .await?;
            if fresh.rows_affected() != 1 {
                return Err(StoreError::Conflict(Conflict::Totp));
            }
        }
        // Re-checked inside the write: the candidate was read before the (slow) password
        // check, and a wrong guess racing this one may have locked or an admin disabled the
        // account since. Clearing the counter must not clear a lock it did not see.
        let unlocked = query(
            "update agents set failed_logins = 0, locked_until = null \
             where id = $1 and disabled = 0 and (locked_until is null or locked_until <= $2)",
        )
        .bind(candidate.agent_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if unlocked.rows_affected() != 1 {
            return Err(StoreError::Conflict(Conflict::Locked));
        }
        query(
            "insert into sessions (token_hash, agent_id, kind, created_at, last_seen_at, expires_at) \
             values ($1, $2, $3, $4, $4, $5)",
        )
        .bind(&token.0[..])
        .bind(candidate.agent_id)
        .bind(kind.id())
        .bind(now)
        .bind(now + policy.max_seconds)
        .execute(&mut *tx)
        .await?;
        let actor = Actor::Agent {
            id: candidate.agent_id,
            name: candidate.name.to_string(),
        };
        log_event(
            &mut tx,
            &self.audit_key,
            &actor,
            "login",
            None,
            format!("kind={}", kind.id()),
            now,
        )
        .await?;
        let scope = load_scope(&mut tx, candidate.agent_id).await?;
        tx.commit().await?;
        Ok(LoginOutcome { scope })
    }

    /// The agent behind a session token, if the session is live. Touches the session at
    /// most once a minute, so reads stay reads.
    pub async fn agent_session(
        &self,
        token: TokenDigest,
        kind: Session,
        policy: SessionPolicy,
    ) -> Result<AgentScope, StoreError> {
        let now = now_unix();
        let row = query(
            "select s.agent_id, s.last_seen_at from sessions s join agents a on a.id = s.agent_id \
             where s.token_hash = $1 and s.kind = $2 and s.expires_at > $3 and s.last_seen_at > $4 \
             and a.disabled = 0",
        )
        .bind(&token.0[..])
        .bind(kind.id())
        .bind(now)
        .bind(now - policy.idle_seconds)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        let agent_id: i64 = row.try_get("agent_id")?;
        let last_seen: i64 = row.try_get("last_seen_at")?;
        if now - last_seen >= 60 {
            query("update sessions set last_seen_at = $2 where token_hash = $1")
                .bind(&token.0[..])
                .bind(now)
                .execute(&self.pool)
                .await?;
        }
        let mut conn = self.pool.acquire().await?;
        load_scope_conn(&mut conn, agent_id).await
    }

    /// Ends one session (sign out).
    pub async fn end_session(
        &self,
        scope: &AgentScope,
        token: TokenDigest,
    ) -> Result<(), StoreError> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        query("delete from sessions where token_hash = $1 and agent_id = $2")
            .bind(&token.0[..])
            .bind(scope.agent_id)
            .execute(&mut *tx)
            .await?;
        log_event(
            &mut tx,
            &self.audit_key,
            &scope.actor(),
            "logout",
            None,
            String::new(),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Ends every session and API token of this agent (sign out everywhere).
    pub async fn end_all_sessions(&self, scope: &AgentScope) -> Result<u64, StoreError> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        let ended = query("delete from sessions where agent_id = $1")
            .bind(scope.agent_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        log_event(
            &mut tx,
            &self.audit_key,
            &scope.actor(),
            "logout_everywhere",
            None,
            format!("sessions={ended}"),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(ended)
    }

    /// Replaces the agent's password and ends their other sessions.
    pub async fn change_password(
        &self,
        scope: &AgentScope,
        new_hash: String,
        keep_session: TokenDigest,
    ) -> Result<(), StoreError> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        query("update agents set password_hash = $2, must_change_password = 0 where id = $1")
            .bind(scope.agent_id)
            .bind(new_hash)
            .execute(&mut *tx)
            .await?;
        query("delete from sessions where agent_id = $1 and token_hash <> $2")
            .bind(scope.agent_id)
            .bind(&keep_session.0[..])
            .execute(&mut *tx)
            .await?;
        log_event(
            &mut tx,
            &self.audit_key,
            &scope.actor(),
            "password_changed",
            None,
            String::new(),
            now,
        )
        .await?;
        // The agent has their account in hand: a reset someone asked for meanwhile is moot.
        super::enrolment::cancel_open_requests(
            &mut tx,
            &self.audit_key,
            &scope.actor(),
            scope.agent_id,
            scope.name.as_str(),
            "password_changed",
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Inserts an agent with their memberships and returns their id.
pub(super) async fn insert_agent(
    tx: &mut Tx<'_>,
    key: &super::AuditKey,
    actor: &Actor,
    agent: NewAgent,
) -> Result<i64, StoreError> {
    let now = now_unix();
    let agent_id: i64 = query_scalar(
        "insert into agents (name, role, tier, password_hash, totp_sealed, must_change_password, created_at) \
         values ($1, $2, $3, $4, $5, $6, $7) returning id",
    )
    .bind(agent.name.as_str())
    .bind(agent.role.id())
    .bind(agent.role.tier().get())
    .bind(&agent.password_hash)
    .bind(agent.totp_sealed.as_ref().map(|s| s.as_bytes().to_vec()))
    .bind(i64::from(agent.must_change_password))
    .bind(now)
    .fetch_one(&mut **tx)
    .await
    .map_err(|e| StoreError::on_unique(e, Conflict::AgentName))?;
    log_event(
        tx,
        key,
        actor,
        "agent_created",
        None,
        format!("agent={} role={}", agent.name, agent.role),
        now,
    )
    .await?;
    for queue in &agent.queues {
        super::admin::add_member_in(tx, key, actor, queue, agent_id, &agent.name, false, now)
            .await?;
    }
    Ok(agent_id)
}

async fn load_scope(tx: &mut Tx<'_>, agent_id: i64) -> Result<AgentScope, StoreError> {
    load_scope_conn(&mut *tx, agent_id).await
}

async fn load_scope_conn(conn: &mut Conn, agent_id: i64) -> Result<AgentScope, StoreError> {
    let row = query(
        "select name, role, must_change_password, totp_sealed is not null as has_totp, \
         language, time_zone from agents where id = $1 and disabled = 0",
    )
    .bind(agent_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    Ok(AgentScope {
        agent_id,
        name: Name::parse(&row.try_get::<String, _>("name")?)
            .map_err(|_| StoreError::Corrupt("agent name"))?,
        role: parse_role(&row.try_get::<String, _>("role")?)?,
        must_change_password: row.try_get::<i64, _>("must_change_password")? != 0,
        has_second_factor: row.try_get::<bool, _>("has_totp")?,
        // A code this build no longer knows reads as "no choice", never as an error.
        language: row
            .try_get::<Option<String>, _>("language")?
            .and_then(|code| crate::i18n::Lang::from_code(&code)),
        time_zone: row.try_get("time_zone")?,
    })
}

pub(super) fn parse_role(text: &str) -> Result<Role, StoreError> {
    text.parse().map_err(|()| StoreError::Corrupt("agent role"))
}

impl Store {
    /// Keeps a new TOTP seed until the agent proves their app has it.
    pub async fn begin_totp_enrolment(
        &self,
        scope: &AgentScope,
        sealed_seed: &Sealed,
    ) -> Result<(), StoreError> {
        query("update agents set totp_pending_sealed = $2 where id = $1")
            .bind(scope.agent_id)
            .bind(sealed_seed.as_bytes())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The seed being set up, if any.
    pub async fn pending_totp(&self, scope: &AgentScope) -> Result<Option<Sealed>, StoreError> {
        let sealed: Option<Vec<u8>> =
            query_scalar("select totp_pending_sealed from agents where id = $1")
                .bind(scope.agent_id)
                .fetch_one(&self.pool)
                .await?;
        Ok(sealed.map(Sealed::from_stored))
    }

    /// Makes the pending seed the agent's second factor, the confirming code's step used.
    pub async fn confirm_totp(&self, scope: &AgentScope, step: u64) -> Result<(), StoreError> {
        let now = now_unix();
        let step = i64::try_from(step).map_err(|_| StoreError::Conflict(Conflict::Totp))?;
        let mut tx = self.begin_write().await?;
        let done = query(
            "update agents set totp_sealed = totp_pending_sealed, totp_pending_sealed = null, \
             totp_last_step = $2 where id = $1 and totp_pending_sealed is not null",
        )
        .bind(scope.agent_id)
        .bind(step)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::NotFound);
        }
        let action = if scope.has_second_factor {
            "totp_replaced"
        } else {
            "totp_enabled"
        };
        log_event(
            &mut tx,
            &self.audit_key,
            &scope.actor(),
            action,
            None,
            String::new(),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

impl Store {
    /// The agent's active second factor, sealed, if any.
    pub async fn active_totp(&self, scope: &AgentScope) -> Result<Option<Sealed>, StoreError> {
        let sealed: Option<Vec<u8>> = query_scalar("select totp_sealed from agents where id = $1")
            .bind(scope.agent_id)
            .fetch_one(&self.pool)
            .await?;
        Ok(sealed.map(Sealed::from_stored))
    }

    /// Failed proofs of the current code since `since`, from the audit log: replacing a
    /// second factor stops after a few, so a stolen session cannot guess its way through.
    pub async fn second_factor_failures_since(
        &self,
        scope: &AgentScope,
        since: i64,
    ) -> Result<i64, StoreError> {
        Ok(query_scalar(
            "select count(*) from audit_log where agent_id = $1 and action = 'totp_check_failed' and at >= $2",
        )
        .bind(scope.agent_id)
        .bind(since)
        .fetch_one(&self.pool)
        .await?)
    }

    /// Records a proof of the current code before a sensitive change: `step` is the matched
    /// code's time step (consumed, so it cannot be replayed), `None` when it did not match.
    /// Returns whether the proof holds; failures are audited.
    pub async fn prove_second_factor(
        &self,
        scope: &AgentScope,
        step: Option<u64>,
    ) -> Result<bool, StoreError> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        let fresh =
            match step.and_then(|s| i64::try_from(s).ok()) {
                Some(step) => query(
                    "update agents set totp_last_step = $2 where id = $1 and totp_last_step < $2 \
                     and totp_sealed is not null",
                )
                .bind(scope.agent_id)
                .bind(step)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                    == 1,
                None => false,
            };
        log_event(
            &mut tx,
            &self.audit_key,
            &scope.actor(),
            if fresh {
                "totp_checked"
            } else {
                "totp_check_failed"
            },
            None,
            String::new(),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(fresh)
    }
}
