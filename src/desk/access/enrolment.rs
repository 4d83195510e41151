//! Enrolment links: how an agent created or reset by someone else gets credentials only they
//! know. An admin (or the operator) receives a single-use link, never a password or a seed;
//! the agent opens it, chooses a password and, where needed, a new second factor.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::{PreparedAgent, prepare_agent};
use crate::auth::{
    PasswordError, TokenDigest, TotpSeed, check_code, generate_initial_password, hash_password,
};
use crate::config::AgentPolicy;
use crate::crypto::{Keyring, Sealed, os_random};
use crate::desk::{Conflict, Desk, DeskError};
use crate::domain::{Name, Role};
use crate::store::{
    AdminScope, Decision, NewEnrolmentLink, OpenEnrolment, ResetOutcome, StoreError,
};

/// Where enrolment pages live; the token follows.
pub const ENROLMENT_PATH: &str = "/agent/enrol/";

/// A link just issued: the only moment its token exists in clear.
pub struct EnrolmentLink {
    token: String,
    pub expires_at: i64,
}

impl EnrolmentLink {
    /// `/agent/enrol/{token}`, to put after the helpdesk's public address.
    pub fn path(&self) -> String {
        format!("{ENROLMENT_PATH}{}", self.token)
    }
}

impl std::fmt::Debug for EnrolmentLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EnrolmentLink(…)")
    }
}

/// The keyed hash a presented enrolment token is looked up as, well-formed or not.
fn digest(keyring: &Keyring, presented: &str) -> TokenDigest {
    TokenDigest(keyring.enrolment_digest(presented.as_bytes()))
}

/// A fresh 256-bit token, and what the store keeps of it.
fn new_link(
    keyring: &Keyring,
    policy: &AgentPolicy,
) -> anyhow::Result<(EnrolmentLink, NewEnrolmentLink)> {
    let token = URL_SAFE_NO_PAD.encode(os_random::<32>()?);
    // Bounded at config load (1..=720), so the conversion cannot fail in practice.
    let hours = i64::try_from(policy.enrolment_link_hours).unwrap_or(1);
    let expires_at = crate::store::now_unix().saturating_add(hours.saturating_mul(3600));
    let stored = NewEnrolmentLink {
        token: digest(keyring, &token),
        expires_at,
    };
    Ok((EnrolmentLink { token, expires_at }, stored))
}

/// A password hash nobody can match: the hash of a random password that is thrown away.
/// Checking against it costs the same argon2 work as a real one.
async fn unusable_password_hash() -> anyhow::Result<String> {
    tokio::task::spawn_blocking(|| {
        let throwaway = generate_initial_password()?;
        anyhow::Ok(hash_password(&throwaway)?)
    })
    .await?
}

/// Creates an agent from the admin pages. `with_second_factor` asks for one where the
/// role does not require it.
pub(crate) async fn create_agent_with_link(
    desk: &Desk,
    admin: &AdminScope,
    name: &str,
    role: Role,
    with_second_factor: bool,
    queues: &[String],
) -> Result<EnrolmentLink, DeskError> {
    let policy = &*desk.policy;
    // An admin who could create admins could approve their own two-person requests through
    // an account they enrolled themselves.
    if role == Role::Admin {
        return Err(DeskError::Conflict(Conflict::AdminByOperatorOnly));
    }
    // A throwaway password, hashed and forgotten: the account is unusable until enrolment.
    let throwaway = generate_initial_password().map_err(anyhow::Error::from)?;
    let keyring = Arc::clone(&desk.keyring);
    let (name, queues) = (name.to_owned(), queues.to_vec());
    let PreparedAgent { agent, .. } = tokio::task::spawn_blocking(move || {
        prepare_agent(&keyring, &name, role, Some(throwaway), false, &queues)
    })
    .await
    .map_err(anyhow::Error::from)?
    .map_err(DeskError::from)?;
    let (link, stored) = new_link(&desk.keyring, policy)?;
    let needs_second_factor = with_second_factor || role.requires_second_factor();
    desk.store
        .create_agent_for_enrolment(admin, agent, needs_second_factor, &stored)
        .await?;
    Ok(link)
}

/// What an admin's reset produced.
pub enum ResetResult {
    /// The agent's credentials are void; this link is the way back in.
    Link(EnrolmentLink),
    /// A member of a restricted queue: a second admin must approve first.
    AwaitingSecondAdmin,
    /// Admins cannot reset themselves in the admin pages.
    OwnAccount,
}

/// An admin resets an agent: no secret comes back, only an enrolment link (or a request
/// for a second admin).
pub(crate) async fn reset_agent(
    desk: &Desk,
    admin: &AdminScope,
    name: &Name,
) -> Result<ResetResult, DeskError> {
    let policy = &*desk.policy;
    let (link, stored) = new_link(&desk.keyring, policy)?;
    let unusable = unusable_password_hash().await?;
    Ok(
        match desk
            .store
            .reset_credentials(
                admin,
                name,
                &unusable,
                &stored,
                restricted_memory_secs(policy),
            )
            .await?
        {
            ResetOutcome::Reset => ResetResult::Link(link),
            ResetOutcome::AwaitingSecondAdmin => ResetResult::AwaitingSecondAdmin,
            ResetOutcome::OwnAccount => ResetResult::OwnAccount,
        },
    )
}

fn restricted_memory_secs(policy: &AgentPolicy) -> i64 {
    i64::try_from(policy.restricted_memory_days)
        .unwrap_or(i64::MAX)
        .saturating_mul(86_400)
}

/// What a second admin's decision produced.
pub enum DecisionResult {
    /// Approved: shown once to the approving admin.
    Approved {
        agent: Name,
        link: EnrolmentLink,
    },
    Rejected {
        agent: Name,
    },
    OwnRequest,
    OwnAccount,
}

/// A second admin approves (`approve`) or rejects a pending reset request.
pub(crate) async fn decide_reset(
    desk: &Desk,
    admin: &AdminScope,
    request_id: i64,
    approve: bool,
) -> Result<DecisionResult, DeskError> {
    let policy = &*desk.policy;
    if !approve {
        return Ok(refusal_or(
            desk.store.reject_reset(admin, request_id).await?,
            None,
        ));
    }
    let (link, stored) = new_link(&desk.keyring, policy)?;
    let unusable = unusable_password_hash().await?;
    let decision = desk
        .store
        .approve_reset(admin, request_id, &unusable, &stored)
        .await?;
    Ok(refusal_or(decision, Some(link)))
}

/// The store's decision, with the link that goes with an approval.
fn refusal_or(decision: Decision, link: Option<EnrolmentLink>) -> DecisionResult {
    match (decision, link) {
        (Decision::Approved { agent }, Some(link)) => DecisionResult::Approved { agent, link },
        // An approval without a link cannot happen: approvals are asked with one.
        (Decision::Approved { agent }, None) | (Decision::Rejected { agent }, _) => {
            DecisionResult::Rejected { agent }
        }
        (Decision::OwnRequest, _) => DecisionResult::OwnRequest,
        (Decision::OwnAccount, _) => DecisionResult::OwnAccount,
    }
}

/// The operator's reset (`hushdesk agent reset NAME`), for when there is no second admin.
pub(crate) async fn reset_agent_as_operator(
    desk: &Desk,
    operator: &crate::store::OperatorScope,
    name: &str,
) -> anyhow::Result<Option<EnrolmentLink>> {
    let policy = &*desk.policy;
    let Ok(name) = Name::parse(name) else {
        return Ok(None);
    };
    let (link, stored) = new_link(&desk.keyring, policy)?;
    let unusable = unusable_password_hash().await?;
    match desk
        .store
        .reset_credentials_as_operator(operator, &name, &unusable, &stored)
        .await
    {
        Ok(()) => Ok(Some(link)),
        Err(StoreError::NotFound) => Ok(None),
        Err(other) => Err(other.into()),
    }
}

/// An enrolment page: whose link it is and, when a second factor is needed, the seed to
/// scan. Shown only to whoever holds the link, and the seed only to one browser.
pub struct EnrolmentForm {
    pub agent: Name,
    pub role: Role,
    /// `otpauth://` URI and the same seed in base32, when a second factor is needed.
    pub second_factor: Option<(String, String)>,
    /// The CSRF token of the form: bound to the link, as there is no session yet.
    pub csrf: String,
    /// A new holder nonce for the browser's enrolment cookie, when this view made that
    /// browser the holder (its seed replaces any shown before).
    pub new_holder: Option<String>,
}

/// The keyed hash a browser's holder nonce is kept as. The `holder:` prefix keeps it apart
/// from link tokens hashed with the same key (those never contain a colon).
fn holder_digest(keyring: &Keyring, nonce: &str) -> TokenDigest {
    TokenDigest(keyring.enrolment_digest(format!("holder:{nonce}").as_bytes()))
}

fn is_holder(keyring: &Keyring, enrolment: &OpenEnrolment, nonce: Option<&str>) -> bool {
    match (nonce, &enrolment.seed_holder) {
        (Some(nonce), Some(stored)) => bool::from(subtle::ConstantTimeEq::ct_eq(
            &holder_digest(keyring, nonce).0[..],
            &stored.0[..],
        )),
        _ => false,
    }
}

/// Opens a presented link in the browser whose enrolment cookie carries `holder_nonce`.
/// The browser that holds the enrolment sees its seed again (a reload does not void a
/// scanned code); any other browser becomes the holder with a new seed, so whoever opened
/// the link before (the admin, a link-preview bot) keeps nothing that will work.
/// Unknown, used and expired links are all `NotFound`.
pub(crate) async fn open_enrolment(
    desk: &Desk,
    presented: &str,
    holder_nonce: Option<&str>,
) -> Result<EnrolmentForm, DeskError> {
    let enrolment = desk
        .store
        .open_enrolment(digest(&desk.keyring, presented))
        .await?;
    let keeps_seed = is_holder(&desk.keyring, &enrolment, holder_nonce)
        && (enrolment.pending_seed.is_some() || !enrolment.needs_second_factor);
    let (sealed, new_holder) = if keeps_seed {
        (enrolment.pending_seed.clone(), None)
    } else {
        let nonce = URL_SAFE_NO_PAD.encode(os_random::<32>().map_err(anyhow::Error::from)?);
        let sealed = if enrolment.needs_second_factor {
            let fresh = TotpSeed::generate().map_err(anyhow::Error::from)?;
            Some(
                desk.keyring
                    .seal_for_server(&fresh.0)
                    .map_err(anyhow::Error::from)?,
            )
        } else {
            None
        };
        desk.store
            .hand_enrolment_to(
                &enrolment,
                &holder_digest(&desk.keyring, &nonce),
                sealed.as_ref(),
            )
            .await?;
        (sealed, Some(nonce))
    };
    let second_factor = match sealed.filter(|_| enrolment.needs_second_factor) {
        Some(sealed) => {
            let seed = open_seed(desk, &sealed)?;
            let uri = seed.provisioning_uri(enrolment.agent.as_str(), "hushdesk")?;
            Some((uri, seed.base32()))
        }
        None => None,
    };
    Ok(EnrolmentForm {
        agent: enrolment.agent,
        role: enrolment.role,
        second_factor,
        csrf: enrolment_csrf(&desk.keyring, presented),
        new_holder,
    })
}

fn open_seed(desk: &Desk, sealed: &Sealed) -> Result<TotpSeed, DeskError> {
    let bytes = desk
        .keyring
        .open_for_server(sealed)
        .map_err(anyhow::Error::from)?;
    let seed: [u8; 20] = bytes
        .try_into()
        .map_err(|_| anyhow::anyhow!("a kept TOTP seed has the wrong length"))?;
    Ok(TotpSeed(seed))
}

fn enrolment_csrf(keyring: &Keyring, presented: &str) -> String {
    URL_SAFE_NO_PAD.encode(keyring.csrf_token(format!("enrol:{presented}").as_bytes()))
}

/// Why an enrolment form was not accepted (`DeskError::Enrolment`). An unknown, used or
/// expired link is `DeskError::NotFound`: one answer for all three.
#[derive(Debug, thiserror::Error)]
pub enum EnrolRefusal {
    #[error("the form is out of date; open the link again")]
    Csrf,
    /// The link was opened in another browser since (or never in this one): the seed shown
    /// here no longer counts.
    #[error("this link was opened in another browser; open it again here to get a new code")]
    NotHolder,
    #[error("the two passwords differ")]
    Mismatch,
    #[error(transparent)]
    Password(#[from] PasswordError),
    #[error("that code did not match; enter the current code from your authenticator")]
    Code,
}

impl From<EnrolRefusal> for DeskError {
    fn from(refusal: EnrolRefusal) -> Self {
        DeskError::Enrolment(refusal)
    }
}

/// What the agent typed on the enrolment page.
pub struct EnrolmentAnswer<'a> {
    pub csrf: &'a str,
    pub password: &'a str,
    pub confirm: &'a str,
    pub code: &'a str,
}

/// Uses the link: sets the chosen password and, where needed, the second factor the first
/// code confirms. The link works once. Returns whose account it was.
pub(crate) async fn complete_enrolment(
    desk: &Desk,
    presented: &str,
    holder_nonce: Option<&str>,
    answer: EnrolmentAnswer<'_>,
) -> Result<Name, DeskError> {
    let enrolment = desk
        .store
        .open_enrolment(digest(&desk.keyring, presented))
        .await?;
    let expected = enrolment_csrf(&desk.keyring, presented);
    if !bool::from(subtle::ConstantTimeEq::ct_eq(
        expected.as_bytes(),
        answer.csrf.as_bytes(),
    )) {
        return Err(EnrolRefusal::Csrf.into());
    }
    if !is_holder(&desk.keyring, &enrolment, holder_nonce) {
        return Err(EnrolRefusal::NotHolder.into());
    }
    let Some(holder) = holder_nonce.map(|nonce| holder_digest(&desk.keyring, nonce)) else {
        return Err(EnrolRefusal::NotHolder.into());
    };
    if answer.password != answer.confirm {
        return Err(EnrolRefusal::Mismatch.into());
    }
    let step = if enrolment.needs_second_factor {
        let Some(sealed) = &enrolment.pending_seed else {
            // The page was never opened, so no seed was offered: nothing can match.
            return Err(EnrolRefusal::Code.into());
        };
        let seed = desk
            .keyring
            .open_for_server(sealed)
            .map_err(anyhow::Error::from)?;
        let now = u64::try_from(crate::store::now_unix()).unwrap_or(0);
        Some(check_code(&seed, answer.code, now).ok_or(EnrolRefusal::Code)?)
    } else {
        None
    };
    let password = answer.password.to_owned();
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(anyhow::Error::from)?
        .map_err(EnrolRefusal::Password)?;
    desk.store
        .complete_enrolment(&enrolment, &holder, &hash, step)
        .await?;
    Ok(enrolment.agent)
}
