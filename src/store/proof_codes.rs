//! Lists of one-time tokens a requester may prove ownership with, the failed checks per
//! ticket, and the verification hook's last failure. Tokens arrive and are looked up as keyed
//! digests only (the key is the desk's, outside the database); imports and deletions are
//! audited with the list's name and count, never a token.

use super::audit::{Actor, log_event};
use super::engine::{query, query_scalar};
use super::error::Conflict;
use super::scope::{AdminScope, OperatorScope};
use super::{RequesterGrant, Store, StoreError, Tx};

/// A token list as the admin page shows it.
#[derive(Debug, Clone)]
pub struct TokenListRow {
    pub id: i64,
    pub name: String,
    pub total: i64,
    pub used: i64,
    pub imported_at: i64,
    pub imported_by: String,
}

/// What an import stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenImport {
    pub list_id: i64,
    /// Tokens stored in the new list.
    pub stored: usize,
    /// Tokens left out because the list, or another list, holds them already: a token
    /// proves one thing, so it lives in one list.
    pub duplicates: usize,
}

/// What a code's digest found in the token lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenUse {
    /// An unused token, now used, from the list of this name.
    Used { list: String },
    /// A token that proved something before: it proves nothing again, wherever else it is
    /// asked about.
    UsedBefore,
    /// No list holds it.
    Unknown,
}

/// Who imports a list.
pub enum TokenImporter<'a> {
    Admin(&'a AdminScope),
    Operator(&'a OperatorScope),
}

impl TokenImporter<'_> {
    fn actor(&self) -> Actor {
        match self {
            TokenImporter::Admin(admin) => admin.actor(),
            TokenImporter::Operator(operator) => operator.actor(),
        }
    }
}

/// Alerts about an unreachable hook come at most this often, however long it stays down.
const HOOK_ALERT_EVERY_SECONDS: i64 = 3600;

impl Store {
    /// Every token list with its counts, oldest first.
    pub async fn proof_token_lists(
        &self,
        _admin: &AdminScope,
    ) -> Result<Vec<TokenListRow>, StoreError> {
        let rows = query(
            "select l.id, l.name, l.imported_at, l.imported_by, \
                    count(t.digest) as total, count(t.used_at) as used \
             from proof_token_lists l left join proof_tokens t on t.list_id = l.id \
             group by l.id, l.name, l.imported_at, l.imported_by order by l.id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(TokenListRow {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    total: r.try_get("total")?,
                    used: r.try_get("used")?,
                    imported_at: r.try_get("imported_at")?,
                    imported_by: r.try_get("imported_by")?,
                })
            })
            .collect()
    }

    /// Stores a new list named `name` holding `digests`, in one transaction with its audit
    /// entry; `Conflict(TokenListName)` when a list of that name exists.
    pub async fn import_proof_tokens(
        &self,
        importer: TokenImporter<'_>,
        name: &str,
        digests: &[[u8; 32]],
        now: i64,
    ) -> Result<TokenImport, StoreError> {
        let actor = importer.actor();
        let mut tx = self.begin_write().await?;
        let by = match &actor {
            Actor::Agent { name, .. } => name.clone(),
            _ => "(operator)".to_owned(),
        };
        let list_id: i64 = query_scalar(
            "insert into proof_token_lists (name, imported_at, imported_by) \
             values ($1, $2, $3) returning id",
        )
        .bind(name)
        .bind(now)
        .bind(by)
        .fetch_one(&mut tx)
        .await
        .map_err(|e| StoreError::on_unique(e, Conflict::TokenListName))?;
        let mut stored = 0;
        for digest in digests {
            let done = query(
                "insert into proof_tokens (digest, list_id) values ($1, $2) \
                 on conflict (digest) do nothing",
            )
            .bind(digest)
            .bind(list_id)
            .execute(&mut tx)
            .await?;
            stored += usize::try_from(done.rows_affected()).unwrap_or(0);
        }
        log_event(
            &mut tx,
            &self.audit_key,
            &actor,
            "proof_tokens_imported",
            None,
            format!("list={list_id} name={name:?} count={stored}"),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(TokenImport {
            list_id,
            stored,
            duplicates: digests.len() - stored,
        })
    }

    /// Deletes a list and its tokens, used or not, and checkpoints so no digest survives in
    /// the write-ahead log. Answers the deleted list's name.
    pub async fn delete_proof_token_list(
        &self,
        admin: &AdminScope,
        id: i64,
    ) -> Result<String, StoreError> {
        let now = super::now_unix();
        let mut tx = self.begin_write().await?;
        let total: i64 = query_scalar("select count(*) from proof_tokens where list_id = $1")
            .bind(id)
            .fetch_one(&mut tx)
            .await?;
        // The tokens go first: SQLite enforces the cascade only with foreign keys on, and
        // deleting them by name does not depend on it.
        query("delete from proof_tokens where list_id = $1")
            .bind(id)
            .execute(&mut tx)
            .await?;
        let name: String =
            query_scalar("delete from proof_token_lists where id = $1 returning name")
                .bind(id)
                .fetch_optional(&mut tx)
                .await?
                .ok_or(StoreError::NotFound)?;
        log_event(
            &mut tx,
            &self.audit_key,
            &admin.actor(),
            "proof_tokens_deleted",
            None,
            format!("list={id} name={name:?} count={total}"),
            now,
        )
        .await?;
        tx.commit().await?;
        self.checkpoint_fully().await?;
        Ok(name)
    }

    /// Marks the unused token with this digest used at `now`. One statement, so two
    /// requesters racing with one token cannot both succeed. The lookup is by keyed digest:
    /// timing tells a guesser nothing about a token whose digest they cannot compute.
    pub async fn use_proof_token(
        &self,
        grant: &RequesterGrant,
        digest: &[u8; 32],
        now: i64,
    ) -> Result<TokenUse, StoreError> {
        let mut tx = self.begin_write().await?;
        let list: Option<i64> = query_scalar(
            "update proof_tokens set used_at = $1 where digest = $2 and used_at is null \
             returning list_id",
        )
        .bind(now)
        .bind(digest)
        .fetch_optional(&mut tx)
        .await?;
        let Some(list) = list else {
            let known: Option<i64> =
                query_scalar("select list_id from proof_tokens where digest = $1")
                    .bind(digest)
                    .fetch_optional(&mut tx)
                    .await?;
            tx.commit().await?;
            return Ok(match known {
                Some(_) => TokenUse::UsedBefore,
                None => TokenUse::Unknown,
            });
        };
        let name: String = query_scalar("select name from proof_token_lists where id = $1")
            .bind(list)
            .fetch_one(&mut tx)
            .await?;
        log_event(
            &mut tx,
            &self.audit_key,
            &Actor::Requester,
            "proof_token_used",
            Some(grant.reference.as_str()),
            format!("name={name:?}"),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(TokenUse::Used { list: name })
    }

    /// Records that the verification hook took a code for this ticket (not the code).
    pub async fn record_proof_hook_valid(
        &self,
        grant: &RequesterGrant,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        log_event(
            &mut tx,
            &self.audit_key,
            &Actor::Requester,
            "proof_hook_valid",
            Some(grant.reference.as_str()),
            String::new(),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Takes one of the ticket's failed checks ahead of looking at a code, under the write
    /// lock, so checks sent at once cannot pass the limit together: `None` when the ticket
    /// has `limit` failures since `since` already (older ones are forgotten here). The
    /// check gives the row back (`give_back_proof_code_attempt`) when the code proved
    /// something or could not be checked.
    pub async fn take_proof_code_attempt(
        &self,
        grant: &RequesterGrant,
        now: i64,
        since: i64,
        limit: i64,
    ) -> Result<Option<i64>, StoreError> {
        let mut tx = self.begin_write().await?;
        query("delete from proof_code_failures where ticket_id = $1 and at < $2")
            .bind(grant.ticket_id)
            .bind(since)
            .execute(&mut tx)
            .await?;
        let failures: i64 =
            query_scalar("select count(*) from proof_code_failures where ticket_id = $1")
                .bind(grant.ticket_id)
                .fetch_one(&mut tx)
                .await?;
        if failures >= limit {
            tx.commit().await?;
            return Ok(None);
        }
        let id: i64 = query_scalar(
            "insert into proof_code_failures (ticket_id, at) values ($1, $2) returning id",
        )
        .bind(grant.ticket_id)
        .bind(now)
        .fetch_one(&mut tx)
        .await?;
        tx.commit().await?;
        Ok(Some(id))
    }

    /// Gives back an attempt taken by `take_proof_code_attempt`: it did not fail.
    pub async fn give_back_proof_code_attempt(
        &self,
        grant: &RequesterGrant,
        attempt: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        query("delete from proof_code_failures where id = $1 and ticket_id = $2")
            .bind(attempt)
            .bind(grant.ticket_id)
            .execute(&mut tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records in the audit log that a code proved nothing (its attempt stays taken).
    pub async fn record_proof_code_failure(
        &self,
        grant: &RequesterGrant,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        log_event(
            &mut tx,
            &self.audit_key,
            &Actor::Requester,
            "proof_code_refused",
            Some(grant.reference.as_str()),
            String::new(),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records that the verification hook could not answer (`why`: `timeout`, `connection`,
    /// `status`, `answer`) and alerts the admins, at most once an hour.
    pub async fn record_proof_hook_failure(
        &self,
        grant: &RequesterGrant,
        why: &'static str,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let last_alerted: Option<i64> =
            query_scalar("select last_alerted_at from proof_hook_status where id = 1")
                .fetch_optional(&mut tx)
                .await?;
        let alert = last_alerted.is_none_or(|at| now - at >= HOOK_ALERT_EVERY_SECONDS);
        let alerted_at = if alert {
            now
        } else {
            last_alerted.unwrap_or(now)
        };
        query(
            "insert into proof_hook_status (id, last_failure_at, last_alerted_at) \
             values (1, $1, $2) on conflict (id) do update \
             set last_failure_at = excluded.last_failure_at, \
                 last_alerted_at = excluded.last_alerted_at",
        )
        .bind(now)
        .bind(alerted_at)
        .execute(&mut tx)
        .await?;
        log_event(
            &mut tx,
            &self.audit_key,
            &Actor::Requester,
            "proof_hook_unavailable",
            Some(grant.reference.as_str()),
            format!("why={why}"),
            now,
        )
        .await?;
        if alert {
            raise_hook_alert(&mut tx, now, why).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Whether any list holds a token not used yet.
    pub async fn unused_proof_tokens_exist(&self) -> Result<bool, StoreError> {
        let found: Option<i64> =
            query_scalar("select list_id from proof_tokens where used_at is null limit 1")
                .fetch_optional(&self.pool)
                .await?;
        Ok(found.is_some())
    }

    /// When the verification hook last failed to answer, if ever.
    pub async fn proof_hook_last_failure(
        &self,
        _admin: &AdminScope,
    ) -> Result<Option<i64>, StoreError> {
        Ok(
            query_scalar("select last_failure_at from proof_hook_status where id = 1")
                .fetch_optional(&self.pool)
                .await?,
        )
    }
}

async fn raise_hook_alert(tx: &mut Tx<'_>, now: i64, why: &'static str) -> Result<(), StoreError> {
    super::alerts::raise(
        tx,
        now,
        "proof_hook_unavailable",
        super::alerts::Audience::Admins,
        None,
        None,
        None,
        super::alerts::particulars(&[("why", why)]),
    )
    .await
}
