//! Proofs of ownership: an agent asks for one, the requester answers with a signature over
//! the challenge, and the desk checks it (`crate::proof` for wallets, `crate::crypto` for
//! OpenPGP). Only the result is kept: the kind and the subject's mask in the ticket's mask
//! book. The address, signature, signed text and offered key are dropped after the check.

use crate::domain::{ProofKind, Reference, challenge_text, parse_expected_mask};
use crate::proof::{ProofError, verify_bitcoin_message, verify_ethereum_message};
use crate::redact::MaskBook;
use crate::store::{
    Conflict, NewChallenge, ProofChallenge, ProofRecord, ProofRecorded, StoreError, now_unix,
};

use super::codes::{CodeOutcome, CodeSource};
use super::intake::ATTEMPTS;
use super::{AgentDesk, DeskError, RequesterDesk};

/// Longest address, signature or pasted key taken; anything longer is refused unread.
const MAX_ADDRESS_CHARS: usize = 128;
const MAX_SIGNATURE_CHARS: usize = 1024;
const MAX_PGP_CHARS: usize = 64 * 1024;

/// Why a proof was not recorded (or a challenge not made). Each names what the person can
/// do about it; the web edge words it from `key`, the audit log keeps `reason`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofRefusal {
    #[error("choose what the requester should prove")]
    Kind,
    #[error(
        "the expected address must be one of the ticket's masks of this kind, such as [{label}-1]"
    )]
    ExpectedMask { label: &'static str },
    #[error("this challenge is not open on this ticket")]
    UnknownChallenge,
    #[error("this challenge has expired: ask the agent for a new one")]
    Expired,
    #[error("this challenge has been answered already")]
    Used,
    #[error("enter the address that signed")]
    MissingAddress,
    #[error("the address is not well formed")]
    MalformedAddress,
    #[error("the signature is not well formed")]
    MalformedSignature,
    #[error("the signature was not made by the key of this address")]
    WrongSignature,
    #[error("this kind of address cannot be proved here")]
    UnsupportedAddress,
    #[error("the signed text is not this challenge")]
    OtherText,
    #[error("the text is not signed by the ticket's key or the key given with it")]
    UnknownSigner,
    #[error("the key given is a private key: it was not kept; give the public key instead")]
    PrivateKey,
    #[error("the address proven is {proven}, but the agent asked about {expected}")]
    OtherAddress { expected: String, proven: String },
    #[error("too many refused attempts on this ticket: try again in an hour")]
    TooManyAttempts,
    #[error("this desk has no token list nor verification hook to check codes with")]
    NoCodeChecker,
    #[error("enter the code")]
    MissingCode,
    #[error("this code is not valid, or has been used already")]
    WrongCode,
    #[error("codes cannot be checked right now: try again later")]
    CodeCheckUnavailable,
}

impl ProofRefusal {
    /// The catalogue key of its wording.
    pub fn key(&self) -> &'static str {
        match self {
            ProofRefusal::Kind => "proof-refused-kind",
            ProofRefusal::ExpectedMask { .. } => "proof-refused-expected-mask",
            ProofRefusal::UnknownChallenge => "proof-refused-unknown",
            ProofRefusal::Expired => "proof-refused-expired",
            ProofRefusal::Used => "proof-refused-used",
            ProofRefusal::MissingAddress => "proof-refused-missing-address",
            ProofRefusal::MalformedAddress => "proof-refused-malformed-address",
            ProofRefusal::MalformedSignature => "proof-refused-malformed-signature",
            ProofRefusal::WrongSignature => "proof-refused-wrong-signature",
            ProofRefusal::UnsupportedAddress => "proof-refused-unsupported-address",
            ProofRefusal::OtherText => "proof-refused-other-text",
            ProofRefusal::UnknownSigner => "proof-refused-unknown-signer",
            ProofRefusal::PrivateKey => "proof-refused-private-key",
            ProofRefusal::OtherAddress { .. } => "proof-refused-other-address",
            ProofRefusal::TooManyAttempts => "proof-refused-too-many",
            ProofRefusal::NoCodeChecker => "proof-refused-no-code-checker",
            ProofRefusal::MissingCode => "proof-refused-missing-code",
            ProofRefusal::WrongCode => "proof-refused-wrong-code",
            ProofRefusal::CodeCheckUnavailable => "proof-refused-code-unavailable",
        }
    }

    /// The wording's arguments.
    pub fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            ProofRefusal::OtherAddress { expected, proven } => {
                vec![("expected", expected.clone()), ("proven", proven.clone())]
            }
            ProofRefusal::ExpectedMask { label } => vec![("example", format!("[{label}-1]"))],
            _ => Vec::new(),
        }
    }

    /// The form field it concerns.
    pub fn field(&self) -> &'static str {
        match self {
            ProofRefusal::Kind | ProofRefusal::NoCodeChecker => "kind",
            ProofRefusal::ExpectedMask { .. } => "expected",
            ProofRefusal::MissingCode
            | ProofRefusal::WrongCode
            | ProofRefusal::CodeCheckUnavailable => "code",
            ProofRefusal::MissingAddress
            | ProofRefusal::MalformedAddress
            | ProofRefusal::UnsupportedAddress
            | ProofRefusal::OtherAddress { .. } => "address",
            ProofRefusal::MalformedSignature | ProofRefusal::WrongSignature => "signature",
            ProofRefusal::OtherText | ProofRefusal::UnknownSigner => "signed_text",
            ProofRefusal::PrivateKey => "public_key",
            ProofRefusal::UnknownChallenge
            | ProofRefusal::Expired
            | ProofRefusal::Used
            | ProofRefusal::TooManyAttempts => "challenge",
        }
    }

    /// The word the audit log keeps: what went wrong, never what was submitted.
    fn reason(&self) -> &'static str {
        match self {
            ProofRefusal::Kind => "kind",
            ProofRefusal::ExpectedMask { .. } => "expected_mask",
            ProofRefusal::UnknownChallenge => "unknown_challenge",
            ProofRefusal::Expired => "expired",
            ProofRefusal::Used => "used",
            ProofRefusal::MissingAddress => "missing_address",
            ProofRefusal::MalformedAddress => "malformed_address",
            ProofRefusal::MalformedSignature => "malformed_signature",
            ProofRefusal::WrongSignature => "wrong_signature",
            ProofRefusal::UnsupportedAddress => "unsupported_address",
            ProofRefusal::OtherText => "other_text",
            ProofRefusal::UnknownSigner => "unknown_signer",
            ProofRefusal::PrivateKey => "private_key",
            ProofRefusal::OtherAddress { .. } => "other_address",
            ProofRefusal::TooManyAttempts => "too_many_attempts",
            ProofRefusal::NoCodeChecker => "no_code_checker",
            ProofRefusal::MissingCode => "missing_code",
            ProofRefusal::WrongCode => "wrong_code",
            ProofRefusal::CodeCheckUnavailable => "code_check_unavailable",
        }
    }
}

impl From<ProofError> for ProofRefusal {
    fn from(err: ProofError) -> Self {
        match err {
            ProofError::MalformedSignature => ProofRefusal::MalformedSignature,
            ProofError::MalformedAddress => ProofRefusal::MalformedAddress,
            ProofError::WrongSigner | ProofError::SignatureForOtherAddressType => {
                ProofRefusal::WrongSignature
            }
            ProofError::UnsupportedAddress => ProofRefusal::UnsupportedAddress,
        }
    }
}

/// What the requester submitted for one challenge. Read once and dropped.
#[derive(Default)]
pub struct ProofAnswer<'a> {
    pub challenge: i64,
    /// The wallet address (wallet kinds).
    pub address: &'a str,
    /// The wallet's signature (wallet kinds).
    pub signature: &'a str,
    /// The clear-signed challenge (OpenPGP).
    pub signed_text: &'a str,
    /// A public key to check the signed text with, when the ticket has none pinned or the
    /// requester proves another key.
    pub public_key: &'a str,
    /// The recovery code or one-time token (code kind).
    pub code: &'a str,
}

impl std::fmt::Debug for ProofAnswer<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProofAnswer")
            .field("challenge", &self.challenge)
            .finish_non_exhaustive()
    }
}

/// A challenge just made.
#[derive(Debug, Clone)]
pub struct IssuedChallenge {
    pub kind: ProofKind,
    pub expected_mask: Option<String>,
    /// The exact text the requester signs.
    pub text: String,
    pub expires_at: i64,
}

/// A random phrase of 80 bits from the operating system's generator, as 16 base32 letters
/// in groups of four: easy to read aloud and to compare, and never guessed.
fn random_phrase() -> Result<String, DeskError> {
    const ALPHABET: &[u8; 32] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let bytes = crate::crypto::os_random::<10>().map_err(anyhow::Error::from)?;
    let mut bits: u128 = 0;
    for byte in bytes {
        bits = (bits << 8) | u128::from(byte);
    }
    let letters: Vec<char> = (0..16)
        .map(|i| char::from(ALPHABET[((bits >> (75 - 5 * i)) & 31) as usize]))
        .collect();
    Ok(letters
        .chunks(4)
        .map(|group| group.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-"))
}

/// `2026-11-27 18:00`, in UTC.
fn utc_minute(unix: i64) -> Result<String, DeskError> {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
    time::OffsetDateTime::from_unix_timestamp(unix)
        .map_err(anyhow::Error::from)?
        .format(&format)
        .map_err(|e| DeskError::Internal(e.into()))
}

impl AgentDesk {
    /// Asks the requester of a ticket in scope to prove they control an address or key of
    /// `kind`; for a wallet, `expected` may name the ticket's mask the address should have.
    /// Gives the challenge made: its text holds nothing personal, so the agent may pass it on.
    pub async fn ask_for_proof(
        &self,
        reference: &Reference,
        kind: &str,
        expected: &str,
    ) -> Result<IssuedChallenge, DeskError> {
        let kind = ProofKind::parse(kind).ok_or(ProofRefusal::Kind)?;
        if kind == ProofKind::Code && !self.desk.recovery_codes_available().await? {
            // A challenge nobody could answer would only confuse the requester.
            return Err(ProofRefusal::NoCodeChecker.into());
        }
        let expected = match expected.trim() {
            "" => None,
            text => Some(
                parse_expected_mask(kind, text).ok_or(ProofRefusal::ExpectedMask {
                    label: kind.mask_label(),
                })?,
            ),
        };
        if let Some(mask) = &expected {
            // Only a mask the ticket has handed out: any other could never be proven.
            let slots = self
                .desk
                .store
                .agent_mask_slots(&self.scope, reference.as_str())
                .await?;
            if !slots
                .iter()
                .any(|slot| format!("[{}-{}]", slot.label, slot.n) == *mask)
            {
                return Err(ProofRefusal::ExpectedMask {
                    label: kind.mask_label(),
                }
                .into());
            }
        }
        let now = now_unix();
        let hours = i64::try_from(self.desk.policy.proof_challenge_hours).unwrap_or(24);
        let expires_at = now + hours * 3600;
        let text = challenge_text(reference, &random_phrase()?, &utc_minute(expires_at)?);
        self.desk
            .store
            .create_proof_challenge(
                &self.scope,
                reference.as_str(),
                NewChallenge {
                    kind,
                    expected_mask: expected.as_deref(),
                    text: &text,
                    now,
                    expires_at,
                },
            )
            .await?;
        Ok(IssuedChallenge {
            kind,
            expected_mask: expected,
            text,
            expires_at,
        })
    }
}

impl RequesterDesk {
    /// The challenges waiting for this requester's signature.
    pub async fn open_challenges(&self) -> Result<Vec<ProofChallenge>, DeskError> {
        Ok(self
            .desk
            .store
            .open_proof_challenges(&self.grant, now_unix())
            .await?)
    }

    /// What this requester has proven on the ticket.
    pub async fn proofs(&self) -> Result<Vec<ProofRecord>, DeskError> {
        Ok(self.desk.store.requester_proofs(&self.grant).await?)
    }

    /// Checks an answer to one of the ticket's challenges and records the proof. A refusal
    /// records nothing but a `proof_failed` entry, and past the hourly limit of refusals the
    /// answer is not checked at all.
    pub async fn prove(&self, answer: &ProofAnswer<'_>) -> Result<ProofRecord, DeskError> {
        let now = now_unix();
        let limit = i64::from(self.desk.policy.proof_failures_per_hour);
        let failures = self
            .desk
            .store
            .proof_failures_since(&self.grant, now - 3600)
            .await?;
        let outcome = if failures >= limit {
            Err((None, ProofRefusal::TooManyAttempts.into()))
        } else {
            self.check_and_record(answer, now).await
        };
        match outcome {
            Ok(proof) => Ok(proof),
            // The product's backend failing is not the requester's attempt: it is audited
            // (`proof_hook_unavailable`) and alerted where codes are checked, and counting it
            // here would lock out a requester told to try again later.
            Err((_, DeskError::Proof(ProofRefusal::CodeCheckUnavailable))) => {
                Err(ProofRefusal::CodeCheckUnavailable.into())
            }
            Err((kind, DeskError::Proof(refusal))) => {
                self.desk
                    .store
                    .record_proof_failure(&self.grant, kind, refusal.reason(), now)
                    .await?;
                tracing::info!(
                    reference = %self.grant.reference(),
                    reason = refusal.reason(),
                    "proof refused"
                );
                Err(refusal.into())
            }
            Err((_, other)) => Err(other),
        }
    }

    async fn check_and_record(
        &self,
        answer: &ProofAnswer<'_>,
        now: i64,
    ) -> Result<ProofRecord, (Option<ProofKind>, DeskError)> {
        let challenge = match self
            .desk
            .store
            .proof_challenge(&self.grant, answer.challenge)
            .await
        {
            Ok(challenge) => challenge,
            Err(StoreError::NotFound) => {
                return Err((None, ProofRefusal::UnknownChallenge.into()));
            }
            Err(other) => return Err((None, other.into())),
        };
        let kind = challenge.kind;
        let fail = |e: DeskError| (Some(kind), e);
        if challenge.used {
            return Err(fail(ProofRefusal::Used.into()));
        }
        if challenge.expires_at <= now {
            return Err(fail(ProofRefusal::Expired.into()));
        }
        let subject = self
            .checked_subject(&challenge, answer)
            .await
            .map_err(fail)?;
        for _ in 0..ATTEMPTS {
            let existing = self
                .desk
                .store
                .mask_slots(&self.grant)
                .await
                .map_err(|e| fail(e.into()))?;
            let mut book = MaskBook::new(self.desk.mask_key(self.grant.reference()), existing);
            let mask = match &subject {
                Subject::Address { rule, address } => self
                    .desk
                    .redactor
                    .mask_value(rule, address, &mut book)
                    .ok_or_else(|| fail(ProofRefusal::MalformedAddress.into()))?,
                Subject::Key { fingerprint } => book.mask_fingerprint(fingerprint),
                Subject::CodeFrom { source } => book.mask_code_source(source),
            };
            if let Some(expected) = &challenge.expected_mask
                && expected != mask.as_str()
            {
                return Err(fail(
                    ProofRefusal::OtherAddress {
                        expected: expected.clone(),
                        proven: mask.as_str().to_owned(),
                    }
                    .into(),
                ));
            }
            match self
                .desk
                .store
                .record_proof(
                    &self.grant,
                    challenge.id,
                    kind,
                    &mask,
                    now,
                    book.fresh_slots(),
                )
                .await
            {
                Ok(ProofRecorded::Recorded(proof)) => return Ok(proof),
                Ok(ProofRecorded::NoLongerOpen) => return Err(fail(ProofRefusal::Used.into())),
                Err(StoreError::Conflict(Conflict::Mask)) => continue,
                Err(other) => return Err(fail(other.into())),
            }
        }
        Err(fail(DeskError::Internal(anyhow::anyhow!(
            "concurrent messages kept colliding"
        ))))
    }

    /// Checks the signature; gives what it proved control of.
    async fn checked_subject(
        &self,
        challenge: &ProofChallenge,
        answer: &ProofAnswer<'_>,
    ) -> Result<Subject, DeskError> {
        let wallet = |rule: &'static str,
                      verify: fn(&str, &str, &str) -> Result<(), ProofError>|
         -> Result<Subject, DeskError> {
            let address = answer.address.trim();
            if address.is_empty() {
                return Err(ProofRefusal::MissingAddress.into());
            }
            if address.chars().count() > MAX_ADDRESS_CHARS {
                return Err(ProofRefusal::MalformedAddress.into());
            }
            if answer.signature.chars().count() > MAX_SIGNATURE_CHARS {
                return Err(ProofRefusal::MalformedSignature.into());
            }
            verify(address, &challenge.text, answer.signature).map_err(ProofRefusal::from)?;
            Ok(Subject::Address {
                rule,
                address: address.to_owned(),
            })
        };
        match challenge.kind {
            ProofKind::Bitcoin => wallet("bitcoin_address", verify_bitcoin_message),
            ProofKind::Ethereum => wallet("ethereum_address", verify_ethereum_message),
            ProofKind::OpenPgp => {
                if answer.signed_text.len() > MAX_PGP_CHARS
                    || answer.public_key.len() > MAX_PGP_CHARS
                {
                    return Err(ProofRefusal::UnknownSigner.into());
                }
                let pinned = self.desk.open_thread(&self.grant).await?.pinned_key;
                let offered = Some(answer.public_key.trim())
                    .filter(|key| !key.is_empty())
                    .map(str::as_bytes);
                let statement = crate::crypto::verify_signed_statement(
                    answer.signed_text.trim().as_bytes(),
                    pinned.as_deref(),
                    offered,
                )
                .map_err(|e| match e {
                    crate::crypto::StatementError::Malformed => ProofRefusal::OtherText,
                    crate::crypto::StatementError::BadSignature
                    | crate::crypto::StatementError::UnknownSigner => ProofRefusal::UnknownSigner,
                    crate::crypto::StatementError::PrivateKey => ProofRefusal::PrivateKey,
                })?;
                if same_text(&statement.text) != same_text(&challenge.text) {
                    return Err(ProofRefusal::OtherText.into());
                }
                Ok(Subject::Key {
                    fingerprint: statement.fingerprint,
                })
            }
            ProofKind::Code => {
                if answer.code.trim().is_empty() {
                    return Err(ProofRefusal::MissingCode.into());
                }
                match self.check_recovery_code(answer.code).await? {
                    CodeOutcome::Valid { source } => Ok(Subject::CodeFrom {
                        source: match source {
                            CodeSource::Hook { .. } => "hook".to_owned(),
                            CodeSource::List(name) => format!("list:{name}"),
                        },
                    }),
                    CodeOutcome::Invalid => Err(ProofRefusal::WrongCode.into()),
                    CodeOutcome::Unavailable => Err(ProofRefusal::CodeCheckUnavailable.into()),
                    CodeOutcome::Limited => Err(ProofRefusal::TooManyAttempts.into()),
                }
            }
        }
    }
}

/// What a good signature proved control of, until it is masked.
enum Subject {
    Address {
        rule: &'static str,
        address: String,
    },
    Key {
        fingerprint: String,
    },
    /// A valid code, by where it was found (`hook`, `list:<name>`): never the code itself,
    /// which may be a long-lived recovery code of the requester's account.
    CodeFrom {
        source: String,
    },
}

/// A signed text as compared with its challenge: line ends and trailing blanks, which
/// mail programs and browsers change, do not count.
fn same_text(text: &str) -> String {
    text.replace("\r\n", "\n").trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_are_four_groups_of_four_letters_and_differ() {
        let a = random_phrase().unwrap();
        let b = random_phrase().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 19);
        assert_eq!(a.split('-').count(), 4);
        assert!(a.chars().all(|c| c == '-' || c.is_ascii_alphanumeric()));
    }

    #[test]
    fn expiry_is_written_in_utc_minutes() {
        assert_eq!(utc_minute(1_795_802_400).unwrap(), "2026-11-27 18:00");
    }
}
