//! New tickets inside a shared transaction: each filing in a savepoint of its own, so one
//! that fails (a reference drawn twice, a row the database refuses) is rolled back without
//! touching the others stored with it (`store::group_commit`).

use super::audit::AuditKey;
use super::engine::query;
use super::terms::Terms;
use super::tickets::{NewTicketRecord, RequesterGrant, insert_ticket};
use super::{StoreError, Tx};

/// A ticket waiting to be stored, with its search terms and filing time.
pub(in crate::store) struct Filing {
    pub(in crate::store) record: NewTicketRecord,
    pub(in crate::store) terms: Terms,
    pub(in crate::store) at: i64,
}

/// Stores one filing inside `tx`, which holds the write lock. The outer error means the
/// transaction can no longer be used; the inner one is this filing's own failure, already
/// rolled back.
pub(in crate::store) async fn store_filing(
    tx: &mut Tx<'_>,
    key: &AuditKey,
    filing: &Filing,
) -> Result<Result<RequesterGrant, StoreError>, StoreError> {
    query("savepoint filing").execute(&mut **tx).await?;
    match insert_ticket(tx, key, &filing.record, &filing.terms, filing.at).await {
        Ok(grant) => {
            query("release savepoint filing").execute(&mut **tx).await?;
            Ok(Ok(grant))
        }
        Err(err) => {
            query("rollback to savepoint filing")
                .execute(&mut **tx)
                .await?;
            query("release savepoint filing").execute(&mut **tx).await?;
            Ok(Err(err))
        }
    }
}
