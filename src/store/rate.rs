//! Rate-limit budgets kept in the database, so that several instances on one PostgreSQL
//! count every client's requests together. GCRA, the algorithm of the in-process limiter
//! (`governor`): each row holds a budget's theoretical arrival time (`tat`, milliseconds
//! since the Unix epoch). The client is a keyed digest made by the desk; nothing here sees
//! an address.

use super::engine::{query, query_scalar};
use super::{Store, StoreError};

/// What one attempt on a budget decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateTake {
    Admitted,
    /// Refused; the budget has room again this many milliseconds after `now`.
    Refused {
        retry_after_ms: i64,
    },
}

/// A budget's shape in milliseconds: one request is allowed per `interval_ms`, and up to
/// `burst` at once after a quiet spell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateShape {
    pub interval_ms: i64,
    pub burst: u32,
}

impl RateShape {
    /// GCRA's tolerance: how far ahead of `now` the arrival time may run and still admit.
    fn tolerance_ms(self) -> i64 {
        self.interval_ms
            .saturating_mul(i64::from(self.burst.saturating_sub(1)))
    }
}

/// One statement on PostgreSQL: the upsert takes the budget only when there is room (its
/// `where`), under the row lock that `on conflict do update` holds, so concurrent requests
/// on any instance queue on that one row and nothing else; no transaction, no global lock.
/// A refused attempt updates nothing and returns nothing from `taken`; the second branch
/// then reads the arrival time for the wait. It reads the statement's snapshot, so a row
/// another instance created a moment ago may be missing: the wait is then one interval.
const TAKE_POSTGRES: &str = "with taken as ( \
        insert into rate_buckets (bucket, client, tat) values ($1, $2, $3 + $4) \
        on conflict (bucket, client) do update \
            set tat = greatest(rate_buckets.tat, $3) + $4 \
            where rate_buckets.tat - $5 <= $3 \
        returning tat) \
    select tat, 1::bigint as admitted from taken \
    union all \
    select tat, 0::bigint from rate_buckets \
        where bucket = $1 and client = $2 and not exists (select 1 from taken)";

/// SQLite allows no `insert` inside `with`: the same upsert, then the read, both under the
/// write lock (one process owns a SQLite desk, whose web layer keeps its budgets in memory;
/// this path keeps the store's functions alike on both engines).
const TAKE_SQLITE: &str = "insert into rate_buckets (bucket, client, tat) values ($1, $2, $3 + $4) \
    on conflict (bucket, client) do update \
        set tat = max(rate_buckets.tat, $3) + $4 \
        where rate_buckets.tat - $5 <= $3 \
    returning tat";

impl Store {
    /// Whether budgets belong in the database: on PostgreSQL several instances may share
    /// it; a SQLite desk is one process, which keeps them in memory.
    pub fn shares_rate_budgets(&self) -> bool {
        !self.pool.is_sqlite()
    }

    /// Takes one request from `client`'s budget `bucket` at `now_ms`, if it has room.
    pub async fn take_rate_budget(
        &self,
        bucket: &str,
        client: &[u8; 32],
        shape: RateShape,
        now_ms: i64,
    ) -> Result<RateTake, StoreError> {
        let tolerance = shape.tolerance_ms();
        let tat = if self.pool.is_sqlite() {
            let mut tx = self.begin_write().await?;
            let taken: Option<i64> = query_scalar(TAKE_SQLITE)
                .bind(bucket)
                .bind(client)
                .bind(now_ms)
                .bind(shape.interval_ms)
                .bind(tolerance)
                .fetch_optional(&mut tx)
                .await?;
            if taken.is_some() {
                tx.commit().await?;
                return Ok(RateTake::Admitted);
            }
            let tat: Option<i64> =
                query_scalar("select tat from rate_buckets where bucket = $1 and client = $2")
                    .bind(bucket)
                    .bind(client)
                    .fetch_optional(&mut tx)
                    .await?;
            tx.commit().await?;
            tat
        } else {
            let row = query(TAKE_POSTGRES)
                .bind(bucket)
                .bind(client)
                .bind(now_ms)
                .bind(shape.interval_ms)
                .bind(tolerance)
                .fetch_optional(&self.pool)
                .await?;
            match row {
                Some(row) if row.try_get::<i64, _>("admitted")? == 1 => {
                    return Ok(RateTake::Admitted);
                }
                Some(row) => Some(row.try_get::<i64, _>("tat")?),
                None => None,
            }
        };
        let retry_after_ms = match tat {
            Some(tat) => (tat - tolerance - now_ms).max(0),
            None => shape.interval_ms,
        };
        Ok(RateTake::Refused { retry_after_ms })
    }

    /// Deletes the rows of `bucket` whose budget is full again at `now_ms`: such a row
    /// admits exactly as a missing one does, so forgetting it changes no answer.
    pub async fn forget_full_rate_budgets(
        &self,
        bucket: &str,
        now_ms: i64,
    ) -> Result<u64, StoreError> {
        let done = query("delete from rate_buckets where bucket = $1 and tat <= $2")
            .bind(bucket)
            .bind(now_ms)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}
