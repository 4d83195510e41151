//! Recovery codes and one-time tokens: a requester proves ownership by entering one on their
//! ticket. The desk checks the admins' token lists first (local, single-use), then the
//! product's verification hook if one is configured, and keeps only the outcome: the code
//! itself reaches no database row, log line or audit entry.

use crate::domain::{
    MAX_CODE_CHARS, TokenListError, normalized_code, token_lines, token_list_name,
};
use crate::store::{TokenImport, TokenImporter, TokenListRow, TokenUse, now_unix};

use super::hook::{CodeHook, HookAnswer};
use super::{AdminDesk, Desk, DeskError, OperatorDesk, RequesterDesk};

/// Failed checks a ticket may have in `FAILURE_WINDOW_SECONDS` before it must wait: enough
/// for a person's typos, far too few to guess a token.
pub const CODE_FAILURES_PER_HOUR: i64 = 10;
const FAILURE_WINDOW_SECONDS: i64 = 3600;

/// What a check of a code found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeOutcome {
    /// The code proves ownership; a token from a list is used up by this check.
    Valid { source: CodeSource },
    /// No list holds the code unused and the hook (if any) said no.
    Invalid,
    /// The hook could not be asked or gave no usable answer (timeout, connection, an error
    /// status, a malformed answer): the code is neither valid nor invalid, and the admins
    /// were alerted. Worth asking the requester to try again later.
    Unavailable,
    /// The ticket had `CODE_FAILURES_PER_HOUR` failed checks in the last hour; the code was
    /// not looked at.
    Limited,
}

/// Where a valid code was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeSource {
    /// The verification hook said yes, with the label it gave the code, if any (the
    /// backend's words, e.g. "account recovery code": shown, never stored here).
    Hook { label: Option<String> },
    /// An unused token in the admins' list of this name.
    List(String),
}

/// The verification hook as the admin page shows it.
#[derive(Debug, Clone)]
pub struct HookStatus {
    /// The host the hook is called at (never the path or the secret); `None` when no hook is
    /// configured.
    pub host: Option<String>,
    pub last_failure_at: Option<i64>,
}

impl RequesterDesk {
    /// Checks a recovery code or one-time token the requester entered on this ticket. The
    /// one entry point for proofs by code: lists first, then the hook. Failed checks are
    /// counted per ticket (times only) and refused past `CODE_FAILURES_PER_HOUR` an hour;
    /// each check takes its place in that count before it looks, so checks sent at once
    /// cannot pass the limit together.
    pub async fn check_recovery_code(&self, code: &str) -> Result<CodeOutcome, DeskError> {
        let store = &self.desk.store;
        let now = now_unix();
        let normalized = normalized_code(code);
        if normalized.is_empty() {
            // Nothing entered: no guess to count.
            return Ok(CodeOutcome::Invalid);
        }
        let Some(attempt) = store
            .take_proof_code_attempt(
                &self.grant,
                now,
                now - FAILURE_WINDOW_SECONDS,
                CODE_FAILURES_PER_HOUR,
            )
            .await?
        else {
            return Ok(CodeOutcome::Limited);
        };
        let outcome = self.look_up_code(code, &normalized, now).await?;
        // With the hook unavailable the code was still looked for in the token lists: while
        // any list holds tokens that lookup was a guess at them, and counts like one, or an
        // outage of the product's backend would open the lists to unlimited guessing.
        let guessed_at_lists =
            outcome == CodeOutcome::Unavailable && store.unused_proof_tokens_exist().await?;
        if outcome == CodeOutcome::Invalid || guessed_at_lists {
            store.record_proof_code_failure(&self.grant, now).await?;
        } else {
            store
                .give_back_proof_code_attempt(&self.grant, attempt)
                .await?;
        }
        Ok(outcome)
    }

    /// The token lists, then the hook: `Valid`, `Invalid` or `Unavailable`.
    async fn look_up_code(
        &self,
        code: &str,
        normalized: &str,
        now: i64,
    ) -> Result<CodeOutcome, DeskError> {
        let desk = &self.desk;
        if normalized.chars().count() > MAX_CODE_CHARS {
            return Ok(CodeOutcome::Invalid);
        }
        // Looked up by keyed digest, so the comparison is the database's index walk over
        // values nobody without the desk's key can compute: its timing tells nothing.
        let digest = desk.keyring.proof_token_digest(normalized.as_bytes());
        let found = desk
            .store
            .use_proof_token(&self.grant, &digest, now)
            .await?;
        let hook = match (found, &desk.code_hook) {
            (TokenUse::Used { list }, _) => {
                return Ok(CodeOutcome::Valid {
                    source: CodeSource::List(list),
                });
            }
            // A list's token used before is refused here: single use means the hook is not
            // asked to overrule it.
            (TokenUse::UsedBefore, _) | (TokenUse::Unknown, None) => {
                return Ok(CodeOutcome::Invalid);
            }
            (TokenUse::Unknown, Some(hook)) => hook,
        };
        match hook
            .check(self.grant.reference().as_str(), code.trim(), now)
            .await
        {
            HookAnswer::Valid { label } => {
                desk.store.record_proof_hook_valid(&self.grant, now).await?;
                Ok(CodeOutcome::Valid {
                    source: CodeSource::Hook { label },
                })
            }
            HookAnswer::Unavailable(why) => {
                desk.store
                    .record_proof_hook_failure(&self.grant, why, now)
                    .await?;
                Ok(CodeOutcome::Unavailable)
            }
            HookAnswer::Invalid => Ok(CodeOutcome::Invalid),
        }
    }
}

impl Desk {
    /// Whether a recovery code could prove anything here: a verification hook is configured,
    /// or a token list holds an unused token. A page that asks for a code may offer it only
    /// then.
    pub async fn recovery_codes_available(&self) -> Result<bool, DeskError> {
        Ok(self.code_hook.is_some() || self.store.unused_proof_tokens_exist().await?)
    }

    /// The digests of a list's tokens, or why the list cannot be imported.
    fn token_digests(
        &self,
        name: &str,
        tokens: &str,
    ) -> Result<(String, Vec<[u8; 32]>), DeskError> {
        let name = token_list_name(name)?;
        let digests = token_lines(tokens)?
            .iter()
            .map(|t| self.keyring.proof_token_digest(t.as_bytes()))
            .collect();
        Ok((name, digests))
    }
}

impl AdminDesk {
    /// The token lists with their counts, recorded as a view of the proofs page.
    pub async fn proof_token_lists(&self) -> Result<Vec<TokenListRow>, DeskError> {
        let lists = self.desk.store.proof_token_lists(&self.admin).await?;
        self.record_view(crate::store::AdminView::ProofCodes, lists.len())
            .await?;
        Ok(lists)
    }

    /// Imports a list of tokens, one a line, under `name`. Only their keyed digests are
    /// stored; the audit entry names the list and its count.
    pub async fn import_proof_tokens(
        &self,
        name: &str,
        tokens: &str,
    ) -> Result<TokenImport, DeskError> {
        let (name, digests) = self.desk.token_digests(name, tokens)?;
        Ok(self
            .desk
            .store
            .import_proof_tokens(
                TokenImporter::Admin(&self.admin),
                &name,
                &digests,
                now_unix(),
            )
            .await?)
    }

    /// Deletes a list and every token in it, used or not; answers its name.
    pub async fn delete_proof_token_list(&self, id: i64) -> Result<String, DeskError> {
        Ok(self
            .desk
            .store
            .delete_proof_token_list(&self.admin, id)
            .await?)
    }

    /// Whether a hook is configured (its host only) and when it last failed.
    pub async fn proof_hook_status(&self) -> Result<HookStatus, DeskError> {
        Ok(HookStatus {
            host: self.desk.code_hook.as_ref().map(|h| h.host().to_owned()),
            last_failure_at: self.desk.store.proof_hook_last_failure(&self.admin).await?,
        })
    }
}

impl OperatorDesk {
    /// Imports a list of tokens from the command line, as `AdminDesk::import_proof_tokens`
    /// does, audited as the operator's.
    pub async fn import_proof_tokens(
        &self,
        name: &str,
        tokens: &str,
    ) -> Result<TokenImport, DeskError> {
        let (name, digests) = self.desk.token_digests(name, tokens)?;
        let operator = self.desk.store.operator_scope();
        Ok(self
            .desk
            .store
            .import_proof_tokens(
                TokenImporter::Operator(&operator),
                &name,
                &digests,
                now_unix(),
            )
            .await?)
    }
}

/// The hook of the configuration, if one is set.
pub(super) fn code_hook(
    config: &crate::config::Config,
) -> anyhow::Result<Option<std::sync::Arc<CodeHook>>> {
    config
        .proofs
        .hook
        .as_ref()
        .map(|hook| CodeHook::new(hook).map(std::sync::Arc::new))
        .transpose()
}

impl From<TokenListError> for DeskError {
    fn from(e: TokenListError) -> DeskError {
        DeskError::TokenList(e)
    }
}
