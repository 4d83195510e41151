//! Single-use download links for sealed attachments. A link is minted under the agent's read
//! scope (break-glass included, admins never) and consumed once, by the same agent, while
//! the ticket is still theirs to read. Every mint, download and refused attempt is an audit
//! entry in the transaction that makes it; a download counts as a read of its ticket for the
//! access watches and has an hourly watch of its own. Only ciphertext leaves this module.

use super::super::alerts::{Audience, particulars, raise};
use super::super::audit::log_event;
use super::super::engine::{query, query_scalar};
use super::super::scope::{AgentScope, in_scope, in_scope_or_break_glass};
use super::super::{Store, StoreError, Tx, now_unix};
use super::{AccessWatch, raise_once_per_hour, watch_hourly_views};
use crate::crypto::{Sealed, TokenDigest};
use crate::domain::Role;

/// What a download hands on to be opened: the attachment's ciphertext and the ticket's
/// sealed key, both useless without the server's keyring.
pub struct SealedDownload {
    /// The redacted name the attachment is shown under.
    pub name: String,
    pub sealed: Sealed,
    pub sealed_ticket_key: Sealed,
}

impl std::fmt::Debug for SealedDownload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealedDownload(…)")
    }
}

impl Store {
    /// Stores a link (as the digest of its token) to one sealed attachment of a ticket the
    /// agent may read, usable until `now + lasts_seconds`; returns that moment. Admins are
    /// refused like a ticket out of scope: they configure the desk and never take its files.
    pub async fn mint_attachment_link(
        &self,
        scope: &AgentScope,
        reference: &str,
        attachment_id: i64,
        token: TokenDigest,
        lasts_seconds: i64,
    ) -> Result<i64, StoreError> {
        if scope.role == Role::Admin {
            return Err(StoreError::NotFound);
        }
        let now = now_unix();
        let expires_at = now + lasts_seconds;
        let mut tx = self.begin_write().await?;
        let row = query(concat!(
            "select t.id, a.size, ",
            in_scope!(),
            " as regular from tickets t join attachments a on a.ticket_id = t.id \
             where t.reference = $3 and a.id = $4 and a.sealed is not null and ",
            in_scope_or_break_glass!()
        ))
        .bind(scope.agent_id)
        .bind(now)
        .bind(reference)
        .bind(attachment_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let ticket_id: i64 = row.try_get("id")?;
        let size: i64 = row.try_get("size")?;
        let regular: bool = row.try_get("regular")?;
        query(
            "insert into attachment_links (token_hash, agent_id, ticket_id, attachment_id, created_at, expires_at) \
             values ($1, $2, $3, $4, $5, $6)",
        )
        .bind(token.0.as_slice())
        .bind(scope.agent_id)
        .bind(ticket_id)
        .bind(attachment_id)
        .bind(now)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        log_event(
            &mut tx,
            &self.audit_key,
            &scope.actor(),
            "attachment_link_created",
            Some(reference),
            detail(
                attachment_id,
                size,
                regular,
                &format!("expires_at={expires_at}"),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(expires_at)
    }

    /// Uses up the link whose token digests to `token`, if it is this agent's, unused,
    /// unexpired and its ticket still readable by them: one statement marks it used, so of
    /// two concurrent downloads only one gets the attachment. `None` when refused; the
    /// refusal is audited with its reason, which the agent is not told.
    pub async fn consume_attachment_link(
        &self,
        scope: &AgentScope,
        token: TokenDigest,
        watch: AccessWatch,
    ) -> Result<Option<SealedDownload>, StoreError> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        let consumed = if scope.role == Role::Admin {
            None
        } else {
            query(concat!(
                "update attachment_links set used_at = $2 \
                 where token_hash = $3 and agent_id = $1 and used_at is null and expires_at > $2 \
                 and exists (select 1 from tickets t where t.id = attachment_links.ticket_id and ",
                in_scope_or_break_glass!(),
                ") returning ticket_id, attachment_id"
            ))
            .bind(scope.agent_id)
            .bind(now)
            .bind(token.0.as_slice())
            .fetch_optional(&mut *tx)
            .await?
        };
        let Some(consumed) = consumed else {
            record_refusal(self, &mut tx, scope, token, now).await?;
            tx.commit().await?;
            return Ok(None);
        };
        let ticket_id: i64 = consumed.try_get("ticket_id")?;
        let attachment_id: i64 = consumed.try_get("attachment_id")?;
        let row = query(concat!(
            "select t.reference, t.queue_id, q.name as queue, q.restricted, \
             (select is_owner from queue_members o where o.queue_id = t.queue_id and o.agent_id = $1) as owner, ",
            in_scope!(),
            " as regular, a.name, a.size, a.sealed, k.sealed_identity \
             from tickets t join queues q on q.id = t.queue_id \
             join attachments a on a.ticket_id = t.id and a.id = $3 \
             join ticket_keys k on k.ticket_id = t.id where t.id = $2"
        ))
        .bind(scope.agent_id)
        .bind(ticket_id)
        .bind(attachment_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::Corrupt("attachment link without its attachment"))?;
        let reference: String = row.try_get("reference")?;
        let size: i64 = row.try_get("size")?;
        let regular: bool = row.try_get("regular")?;
        let sealed: Vec<u8> = row
            .try_get::<Option<Vec<u8>>, _>("sealed")?
            .ok_or(StoreError::Corrupt("attachment link to a text attachment"))?;
        log_event(
            &mut tx,
            &self.audit_key,
            &scope.actor(),
            "attachment_downloaded",
            Some(&reference),
            detail(attachment_id, size, regular, ""),
            now,
        )
        .await?;
        // The file is content of the ticket: its download is a read of it for the hourly
        // volume watch, and of a restricted queue for its owners, exactly like opening it.
        watch_hourly_views(&mut tx, scope, &[ticket_id], watch, now).await?;
        let restricted = row.try_get::<i64, _>("restricted")? != 0;
        let owner = row.try_get::<Option<i64>, _>("owner")?.unwrap_or(0) != 0;
        if restricted && !owner {
            let queue: String = row.try_get("queue")?;
            raise(
                &mut tx,
                now,
                "restricted_access",
                Audience::QueueOwners,
                Some(row.try_get("queue_id")?),
                Some(scope.name.as_str()),
                Some(reference.as_str()),
                particulars(&[("queue", queue.as_str()), ("action", "downloaded")]),
            )
            .await?;
        }
        watch_hourly_downloads(&mut tx, scope, watch, now).await?;
        tx.commit().await?;
        Ok(Some(SealedDownload {
            name: row.try_get("name")?,
            sealed: Sealed::from_stored(sealed),
            sealed_ticket_key: Sealed::from_stored(row.try_get("sealed_identity")?),
        }))
    }
}

/// An entry's detail: the attachment and its size (never its name or content), and how the
/// ticket was readable when it was not by membership.
fn detail(attachment_id: i64, size: i64, regular: bool, more: &str) -> String {
    let mut detail = format!("attachment={attachment_id} size={size}");
    if !regular {
        detail.push_str(" via=break_glass");
    }
    if !more.is_empty() {
        detail.push(' ');
        detail.push_str(more);
    }
    detail
}

/// Audits a refused download with why it was refused. The ticket is named only to the log:
/// an agent holding someone else's link learns nothing from the answer.
async fn record_refusal(
    store: &Store,
    tx: &mut Tx<'_>,
    scope: &AgentScope,
    token: TokenDigest,
    now: i64,
) -> Result<(), StoreError> {
    let link = query(
        "select l.agent_id, l.attachment_id, l.used_at, l.expires_at, t.reference \
         from attachment_links l join tickets t on t.id = l.ticket_id where l.token_hash = $1",
    )
    .bind(token.0.as_slice())
    .fetch_optional(&mut **tx)
    .await?;
    let (reference, detail) = match link {
        None => (None, "reason=unknown".to_owned()),
        Some(link) => {
            let owner: i64 = link.try_get("agent_id")?;
            let used: Option<i64> = link.try_get("used_at")?;
            let expires_at: i64 = link.try_get("expires_at")?;
            let reason = if owner != scope.agent_id {
                "other_agent"
            } else if used.is_some() {
                "used"
            } else if expires_at <= now {
                "expired"
            } else {
                "out_of_scope"
            };
            let attachment_id: i64 = link.try_get("attachment_id")?;
            (
                Some(link.try_get::<String, _>("reference")?),
                format!("attachment={attachment_id} reason={reason}"),
            )
        }
    };
    log_event(
        tx,
        &store.audit_key,
        &scope.actor(),
        "attachment_download_failed",
        reference.as_deref(),
        detail,
        now,
    )
    .await
}

/// Raises one admin alert per hour for an agent who downloaded more attachments in the last
/// hour than the threshold: taking files out of the desk in bulk looks like what it is
/// even when they all come from a few tickets, which the distinct-ticket watch would miss.
async fn watch_hourly_downloads(
    tx: &mut Tx<'_>,
    scope: &AgentScope,
    watch: AccessWatch,
    now: i64,
) -> Result<(), StoreError> {
    let downloads: i64 = query_scalar(
        "select count(*) from audit_log \
         where agent_id = $1 and action = 'attachment_downloaded' and at > $2",
    )
    .bind(scope.agent_id)
    .bind(now - 3600)
    .fetch_one(&mut **tx)
    .await?;
    if downloads <= watch.hourly_download_threshold {
        return Ok(());
    }
    raise_once_per_hour(
        tx,
        scope,
        "hourly_downloads",
        particulars(&[
            ("count", &downloads.to_string()),
            ("threshold", &watch.hourly_download_threshold.to_string()),
        ]),
        now,
    )
    .await
}
