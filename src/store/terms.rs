//! The search index's rows (`ticket_terms`): the terms of a ticket's redacted subject,
//! messages and reference, written in the transaction that stores the text, and the
//! indexing of tickets filed before the index existed, and how many rows a searched range
//! holds (for choosing a search's plan). It never keeps or logs what is searched for.

use super::engine::{Sql, query, query_scalar};
use super::{Store, StoreError, Tx};
use crate::domain::Reference;
use crate::domain::search::{TermRange, index_terms, reference_terms};

/// The terms of some texts, ready to insert as one JSON array (one statement per message
/// whatever its length). Computed before the write lock is taken where the caller can.
pub(super) struct Terms(String);

impl Terms {
    pub(super) fn of(texts: &[&str]) -> Terms {
        Terms::collect(None, texts)
    }

    /// A new ticket's terms: its reference besides the words of its subject and body.
    pub(super) fn of_ticket(reference: &Reference, texts: &[&str]) -> Terms {
        Terms::collect(Some(reference), texts)
    }

    fn collect(reference: Option<&Reference>, texts: &[&str]) -> Terms {
        let mut terms = std::collections::BTreeSet::new();
        if let Some(reference) = reference {
            terms.extend(reference_terms(reference));
        }
        for text in texts {
            terms.extend(index_terms(text));
        }
        // A list of strings always serialises; the fallback only keeps `expect` out.
        Terms(serde_json::to_string(&terms).unwrap_or_else(|_| "[]".into()))
    }
}

/// Adds `terms` to the ticket's; terms it already has stay as they are.
pub(super) async fn insert_terms(
    tx: &mut Tx<'_>,
    ticket_id: i64,
    terms: &Terms,
) -> Result<(), StoreError> {
    // `where true` tells SQLite's parser the `on conflict` belongs to the insert.
    query(Sql::dialects(
        "insert into ticket_terms (ticket_id, term) select $1, value from json_each($2) where true \
         on conflict do nothing",
        "insert into ticket_terms (ticket_id, term) select $1, jsonb_array_elements_text($2::jsonb) \
         on conflict do nothing",
    ))
    .bind(ticket_id)
    .bind(terms.0.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// How many index rows `range` holds, counted no further than `limit`: a range of a common
/// word costs `limit` index steps, not the desk's size.
pub(super) async fn range_rows(
    read: &mut Tx<'_>,
    range: &TermRange,
    limit: i64,
) -> Result<i64, StoreError> {
    Ok(query_scalar(
        "select count(*) from (select 1 from ticket_terms where term >= $1 and term < $2 limit $3) p",
    )
    .bind(range.from.as_str())
    .bind(range.before.as_str())
    .bind(limit)
    .fetch_one(&mut **read)
    .await?)
}

/// The number of tickets a desk has held: an upper bound of its size (purged ids are not
/// reused), read from the end of the primary key in one step.
pub(super) async fn desk_size(read: &mut Tx<'_>) -> Result<i64, StoreError> {
    Ok(query_scalar("select coalesce(max(id), 0) from tickets")
        .fetch_one(&mut **read)
        .await?)
}

/// The name of the marker row (`index_backfills`) saying every ticket filed before the
/// term index existed has been indexed.
const TERMS_BACKFILLED: &str = "ticket_terms";

/// Tickets indexed per transaction, so the write lock is let go between batches.
const BACKFILL_BATCH: i64 = 200;

impl Store {
    /// Indexes every ticket without terms: those filed before the index existed (every
    /// ticket indexed since holds at least its reference). Done once per desk: a marker row
    /// written when nothing is left spares every later start the search for unindexed
    /// tickets (a scan of the desk), since each ticket filed since is indexed in the
    /// transaction that stores it. Idempotent, so several instances starting at once, or a
    /// start interrupted halfway (no marker yet), are harmless. Returns how many.
    pub(super) async fn index_unindexed_tickets(&self) -> Result<usize, StoreError> {
        let backfilled: Option<i64> =
            query_scalar("select finished_at from index_backfills where name = $1")
                .bind(TERMS_BACKFILLED)
                .fetch_optional(&self.pool)
                .await?;
        if backfilled.is_some() {
            return Ok(0);
        }
        let mut indexed = 0;
        loop {
            let mut tx = self.begin_write().await?;
            let tickets = query(
                "select t.id, t.reference, t.subject from tickets t \
                 where not exists (select 1 from ticket_terms tt where tt.ticket_id = t.id) \
                 order by t.id limit $1",
            )
            .bind(BACKFILL_BATCH)
            .fetch_all(&mut *tx)
            .await?;
            if tickets.is_empty() {
                break;
            }
            for ticket in &tickets {
                let id: i64 = ticket.try_get("id")?;
                let reference: Reference = ticket
                    .try_get::<String, _>("reference")?
                    .parse()
                    .map_err(|()| StoreError::Corrupt("ticket reference"))?;
                let subject: String = ticket.try_get("subject")?;
                let bodies: Vec<String> =
                    query_scalar("select body from messages where ticket_id = $1 order by id")
                        .bind(id)
                        .fetch_all(&mut *tx)
                        .await?;
                let mut texts: Vec<&str> = vec![subject.as_str()];
                texts.extend(bodies.iter().map(String::as_str));
                insert_terms(&mut tx, id, &Terms::of_ticket(&reference, &texts)).await?;
            }
            tx.commit().await?;
            indexed += tickets.len();
        }
        query(
            "insert into index_backfills (name, finished_at) values ($1, $2) \
             on conflict (name) do nothing",
        )
        .bind(TERMS_BACKFILLED)
        .bind(super::now_unix())
        .execute(&self.pool)
        .await?;
        Ok(indexed)
    }
}
