//! Agent sign-in: password, second factor, lockout and the session that follows.
//! Every failure looks the same from outside, whatever its cause.

use super::{Desk, DeskError};
use crate::auth::{
    SessionToken, TotpSeed, check_code, digest_session_token, generate_initial_password,
    hash_password, verify_against_nothing, verify_password,
};
use crate::config::AgentPolicy;
use crate::crypto::Keyring;
use crate::domain::{Name, NameError, Role};
use crate::store::{
    AgentScope, LoginCandidate, LoginFailure, NewAgent, PasswordCheck, Session, SessionPolicy,
    StoreError,
};

mod enrolment;
pub use enrolment::{
    DecisionResult, ENROLMENT_PATH, EnrolRefusal, EnrolmentAnswer, EnrolmentForm, EnrolmentLink,
    ResetResult,
};
pub(crate) use enrolment::{
    complete_enrolment, create_agent_with_link, decide_reset, open_enrolment, reset_agent,
    reset_agent_as_operator,
};

/// A store failure during sign-in: never "not found" or a conflict to the caller, who
/// must learn nothing but "refused".
fn internal(err: StoreError) -> DeskError {
    DeskError::Internal(err.into())
}

/// A session just opened: the only moment its token exists in clear.
pub struct SignedIn {
    pub token: SessionToken,
    pub agent: super::AgentDesk,
}

pub(crate) fn session_policy(policy: &AgentPolicy) -> SessionPolicy {
    SessionPolicy {
        idle_seconds: i64::try_from(policy.session_idle_minutes * 60).unwrap_or(i64::MAX),
        max_seconds: i64::try_from(policy.session_max_hours * 3600).unwrap_or(i64::MAX),
    }
}

/// Checks a sign-in and opens a session of `kind`.
///
/// Every attempt costs one argon2 verification and one audited `login_failed` (or `login`)
/// entry, whether the name is unknown, the password wrong, or the account locked or
/// disabled: response time and the audit log treat them all alike.
pub(crate) async fn login(
    desk: &Desk,
    name: &str,
    password: &str,
    code: Option<&str>,
    kind: Session,
) -> Result<SignedIn, DeskError> {
    let policy = &*desk.policy;
    let store = &desk.store;
    let candidate = store.login_candidate(name).await.map_err(internal)?;
    let password_ok = password_matches(candidate.as_ref(), password).await;
    let Some(candidate) = candidate else {
        record_failure(desk, policy, None, PasswordCheck::SignIn).await?;
        return Err(DeskError::SignInRefused);
    };
    let now = crate::store::now_unix();
    let step = if password_ok && !candidate.disabled && !is_locked(&candidate, now) {
        second_factor(desk, &candidate, code, now)
    } else {
        Err(())
    };
    let Ok(step) = step else {
        record_failure(desk, policy, Some(&candidate), PasswordCheck::SignIn).await?;
        return Err(DeskError::SignInRefused);
    };
    let token = SessionToken::generate().map_err(anyhow::Error::from)?;
    let digest = digest_session_token(&desk.keyring, token.as_str());
    match store
        .open_session_after_verified_login(&candidate, step, kind, digest, session_policy(policy))
        .await
    {
        Ok(outcome) => Ok(SignedIn {
            token,
            agent: super::AgentDesk::new(desk.clone(), outcome.scope),
        }),
        // The code was already used (a replay), or a racing wrong guess locked the account
        // after the check above: refused and counted like any other failure.
        Err(StoreError::Conflict(
            crate::store::Conflict::Totp | crate::store::Conflict::Locked,
        )) => {
            record_failure(desk, policy, Some(&candidate), PasswordCheck::SignIn).await?;
            Err(DeskError::SignInRefused)
        }
        Err(other) => Err(internal(other)),
    }
}

/// Why the account page refused to confirm the current password
/// (`DeskError::CurrentPassword`).
#[derive(Debug, thiserror::Error)]
pub enum PasswordRefusal {
    #[error("the current password is wrong")]
    Wrong,
    /// This wrong answer locked the account: whoever holds the session is guessing.
    #[error("too many wrong passwords: the account is now locked")]
    LockedNow,
    /// The account was locked before (by failed sign-ins or earlier guesses).
    #[error("the account is locked for a while after too many wrong passwords")]
    Locked,
}

/// Confirms the signed-in agent's current password (before a password change). Held to the
/// same rules as sign-in: failures count toward the lockout, a locked account is refused
/// after the same work, and every failure is audited. Otherwise a stolen session would be
/// an unthrottled oracle for the password.
pub(crate) async fn confirm_current_password(
    desk: &Desk,
    scope: &AgentScope,
    password: &str,
) -> Result<(), DeskError> {
    let policy = &*desk.policy;
    let candidate = desk
        .store
        .password_check_candidate(scope)
        .await
        .map_err(internal)?;
    let password_ok = password_matches(Some(&candidate), password).await;
    let now = crate::store::now_unix();
    if password_ok && !is_locked(&candidate, now) {
        return Ok(());
    }
    let recorded = desk
        .store
        .record_login_failure(
            Some(&candidate),
            PasswordCheck::AccountPage,
            policy.max_failed_logins,
            lockout_seconds(policy),
        )
        .await
        .map_err(internal)?;
    Err(DeskError::CurrentPassword(match recorded {
        LoginFailure::Counted => PasswordRefusal::Wrong,
        LoginFailure::LockedNow => PasswordRefusal::LockedNow,
        LoginFailure::WhileLocked => PasswordRefusal::Locked,
    }))
}

/// One argon2 verification, against the candidate's hash or, for an unknown name, against
/// a hash nobody knows the password of, so every attempt costs the same.
async fn password_matches(candidate: Option<&LoginCandidate>, password: &str) -> bool {
    let password = password.to_owned();
    let hash = candidate.map(|c| c.password_hash.clone());
    tokio::task::spawn_blocking(move || match hash {
        Some(hash) => verify_password(&password, &hash),
        None => {
            verify_against_nothing(&password);
            false
        }
    })
    .await
    .unwrap_or(false)
}

fn is_locked(candidate: &LoginCandidate, now: i64) -> bool {
    candidate.locked_until.is_some_and(|until| until > now)
}

async fn record_failure(
    desk: &Desk,
    policy: &AgentPolicy,
    candidate: Option<&LoginCandidate>,
    at: PasswordCheck,
) -> Result<LoginFailure, DeskError> {
    desk.store
        .record_login_failure(
            candidate,
            at,
            policy.max_failed_logins,
            lockout_seconds(policy),
        )
        .await
        .map_err(internal)
}

/// `Ok(Some(step))` when a code was required and matched, `Ok(None)` when none is set up
/// and the role allows that, `Err` otherwise.
fn second_factor(
    desk: &Desk,
    candidate: &LoginCandidate,
    code: Option<&str>,
    now: i64,
) -> Result<Option<u64>, ()> {
    match &candidate.totp_sealed {
        None if candidate.role.requires_second_factor() => Err(()),
        None => Ok(None),
        Some(sealed) => {
            let seed = desk.keyring.open_for_server(sealed).map_err(|_| ())?;
            let code = code.ok_or(())?;
            let now = u64::try_from(now).map_err(|_| ())?;
            check_code(&seed, code, now).map(Some).ok_or(())
        }
    }
}

fn lockout_seconds(policy: &AgentPolicy) -> i64 {
    i64::try_from(policy.lockout_minutes * 60).unwrap_or(i64::MAX)
}

/// A new agent ready to store, with the secrets to hand over once.
pub struct PreparedAgent {
    pub agent: NewAgent,
    /// Set when the password was generated; shown once and never again.
    pub initial_password: Option<String>,
    /// Set when a second factor was set up: the URI to scan into an authenticator.
    pub provisioning_uri: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum PrepareError {
    #[error("agent name: {0}")]
    Name(NameError),
    #[error("queue name: {0}")]
    Queue(NameError),
    #[error(transparent)]
    Password(#[from] crate::auth::PasswordError),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Hashes the password (generating one when none is given) and sets up a TOTP seed when
/// the role requires one or `with_totp` asks for it. The seed is sealed to the server.
pub(crate) fn prepare_agent(
    keyring: &Keyring,
    name: &str,
    role: Role,
    password: Option<String>,
    with_totp: bool,
    queues: &[String],
) -> Result<PreparedAgent, PrepareError> {
    let name = Name::parse(name).map_err(PrepareError::Name)?;
    let queues = queues
        .iter()
        .map(|q| Name::parse_queue(q).map_err(PrepareError::Queue))
        .collect::<Result<Vec<_>, _>>()?;
    let (password, initial_password) = match password {
        Some(p) => (p, None),
        None => {
            let p = generate_initial_password().map_err(anyhow::Error::from)?;
            (p.clone(), Some(p))
        }
    };
    let password_hash = hash_password(&password)?;
    let (totp_sealed, provisioning_uri) = if with_totp || role.requires_second_factor() {
        let seed = TotpSeed::generate().map_err(anyhow::Error::from)?;
        let uri = seed.provisioning_uri(name.as_str(), "hushdesk")?;
        let sealed = keyring
            .seal_for_server(&seed.0)
            .map_err(anyhow::Error::from)?;
        (Some(sealed), Some(uri))
    } else {
        (None, None)
    };
    Ok(PreparedAgent {
        agent: NewAgent {
            name,
            role,
            password_hash,
            totp_sealed,
            must_change_password: initial_password.is_some(),
            queues,
        },
        initial_password,
        provisioning_uri,
    })
}

/// Starts setting up a second factor for an agent who has none: a fresh seed, sealed and
/// kept pending, and the `otpauth://` URI to scan.
pub(crate) async fn start_totp_enrolment(
    desk: &Desk,
    scope: &AgentScope,
) -> anyhow::Result<String> {
    anyhow::ensure!(
        !scope.has_second_factor(),
        "a second factor is already set up"
    );
    let seed = TotpSeed::generate()?;
    let uri = seed.provisioning_uri(scope.name().as_str(), "hushdesk")?;
    let sealed = desk.keyring.seal_for_server(&seed.0)?;
    desk.store.begin_totp_enrolment(scope, &sealed).await?;
    Ok(uri)
}

/// Finishes the set-up when `code` matches the pending seed; false when it does not.
pub(crate) async fn confirm_totp_enrolment(
    desk: &Desk,
    scope: &AgentScope,
    code: &str,
) -> anyhow::Result<bool> {
    let Some(sealed) = desk.store.pending_totp(scope).await? else {
        return Ok(false);
    };
    let seed = desk.keyring.open_for_server(&sealed)?;
    let now = u64::try_from(crate::store::now_unix()).unwrap_or(0);
    match check_code(&seed, code, now) {
        Some(step) => {
            desk.store.confirm_totp(scope, step).await?;
            Ok(true)
        }
        None => Ok(false),
    }
}

/// Failed proofs of the current code allowed per quarter hour before replacement stops.
const SECOND_FACTOR_TRIES: i64 = 5;

/// Starts replacing the agent's second factor (one someone else set up, or a new phone):
/// only with a current code from the active one. Returns the new seed's `otpauth://` URI,
/// pending until a first code from it confirms it; `None` when the code did not match or
/// too many attempts failed lately.
pub(crate) async fn start_totp_replacement(
    desk: &Desk,
    scope: &AgentScope,
    current_code: &str,
) -> anyhow::Result<Option<String>> {
    let now = crate::store::now_unix();
    if desk
        .store
        .second_factor_failures_since(scope, now - 900)
        .await?
        >= SECOND_FACTOR_TRIES
    {
        return Ok(None);
    }
    let Some(sealed) = desk.store.active_totp(scope).await? else {
        return Ok(None);
    };
    let seed = desk.keyring.open_for_server(&sealed)?;
    let step = check_code(&seed, current_code, u64::try_from(now).unwrap_or(0));
    if !desk.store.prove_second_factor(scope, step).await? {
        return Ok(None);
    }
    let fresh = TotpSeed::generate()?;
    let uri = fresh.provisioning_uri(scope.name().as_str(), "hushdesk")?;
    let sealed = desk.keyring.seal_for_server(&fresh.0)?;
    desk.store.begin_totp_enrolment(scope, &sealed).await?;
    Ok(Some(uri))
}

impl Desk {
    /// Opens a presented enrolment link in the browser whose enrolment cookie carries
    /// `holder_nonce` (see `enrolment::open_enrolment`).
    pub async fn open_enrolment(
        &self,
        presented: &str,
        holder_nonce: Option<&str>,
    ) -> Result<EnrolmentForm, DeskError> {
        open_enrolment(self, presented, holder_nonce).await
    }

    /// Uses an enrolment link: sets the chosen password and second factor. Returns whose
    /// account it was.
    pub async fn complete_enrolment(
        &self,
        presented: &str,
        holder_nonce: Option<&str>,
        answer: EnrolmentAnswer<'_>,
    ) -> Result<Name, DeskError> {
        complete_enrolment(self, presented, holder_nonce, answer).await
    }
}

#[cfg(test)]
mod tests {
    //! The sign-in lockout race, driven step by step on a real SQLite file: the candidate is
    //! read (unlocked), wrong guesses racing the right one lock the account, and only then
    //! does the right one try to open its session.

    use super::*;
    use crate::config::{Config, Overrides};
    use crate::store::Conflict;

    const PASSWORD: &str = "a long and correct passphrase";

    async fn desk_with_agent(dir: &std::path::Path, name: &str) -> Desk {
        let overrides = Overrides {
            data_dir: Some(dir.join("data")),
            ..Default::default()
        };
        let config = Config::load_with(&overrides, &|_| None).unwrap();
        let desk = Desk::open(&config).await.unwrap();
        let prepared = prepare_agent(
            &desk.keyring,
            name,
            Role::L1,
            Some(PASSWORD.into()),
            false,
            &[],
        )
        .unwrap();
        let operator = desk.store.operator_scope();
        desk.store
            .create_agent_as_operator(&operator, prepared.agent)
            .await
            .unwrap();
        desk
    }

    async fn open_session(desk: &Desk, candidate: &LoginCandidate) -> Result<(), StoreError> {
        let token = SessionToken::generate().unwrap();
        let digest = digest_session_token(&desk.keyring, token.as_str());
        desk.store
            .open_session_after_verified_login(
                candidate,
                None,
                Session::Bearer,
                digest,
                session_policy(&desk.policy),
            )
            .await
            .map(|_| ())
    }

    #[tokio::test]
    async fn a_right_password_checked_before_a_racing_lockout_does_not_undo_it() {
        let temp = tempfile::tempdir().unwrap();
        let desk = desk_with_agent(temp.path(), "ana").await;
        let policy = desk.policy.clone();
        let seen_unlocked = desk.store.login_candidate("ana").await.unwrap().unwrap();
        assert!(!is_locked(&seen_unlocked, crate::store::now_unix()));

        let mut last = LoginFailure::Counted;
        for _ in 0..policy.max_failed_logins {
            last = desk
                .store
                .record_login_failure(
                    Some(&seen_unlocked),
                    PasswordCheck::SignIn,
                    policy.max_failed_logins,
                    lockout_seconds(&policy),
                )
                .await
                .unwrap();
        }
        assert!(matches!(last, LoginFailure::LockedNow));

        let opened = open_session(&desk, &seen_unlocked).await;
        assert!(
            matches!(opened, Err(StoreError::Conflict(Conflict::Locked))),
            "{opened:?}"
        );
        let after = desk.store.login_candidate("ana").await.unwrap().unwrap();
        assert!(
            is_locked(&after, crate::store::now_unix()),
            "the lock must survive the right password"
        );
        desk.close().await;
    }

    #[tokio::test]
    async fn a_right_password_on_an_unlocked_account_opens_a_session() {
        let temp = tempfile::tempdir().unwrap();
        let desk = desk_with_agent(temp.path(), "bo").await;
        let candidate = desk.store.login_candidate("bo").await.unwrap().unwrap();
        open_session(&desk, &candidate).await.unwrap();
        desk.close().await;
    }
}
