/// What can go wrong below the web layer when talking to the database.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No such row, or not visible to the caller: the two are deliberately the same.
    #[error("not found")]
    NotFound,
    /// The change does not fit the data as it stands; the variant says which rule.
    #[error("conflict: {0}")]
    Conflict(Conflict),
    /// Stored data that does not parse: a bug or tampering, never user error.
    #[error("stored data is inconsistent: {0}")]
    Corrupt(&'static str),
    #[error(transparent)]
    Backend(#[from] sqlx::Error),
    /// A read's audit entry was not committed, so its content is not returned. Shared by
    /// every read of the batch that failed.
    #[error("the read could not be recorded: {0}")]
    ReadNotRecorded(std::sync::Arc<StoreError>),
    /// The transaction that held this write together with others failed: nothing of it
    /// was stored. Shared by every write of the batch.
    #[error("the change was not stored: {0}")]
    NotCommitted(std::sync::Arc<StoreError>),
}

impl StoreError {
    /// Whether the database was too busy to take the request in time: every connection
    /// taken, or the write lock not granted before its timeout. Nothing was changed; the
    /// same request can succeed a moment later.
    pub fn is_busy(&self) -> bool {
        let err = match self {
            StoreError::Backend(err) => err,
            StoreError::ReadNotRecorded(cause) | StoreError::NotCommitted(cause) => {
                return cause.is_busy();
            }
            _ => return false,
        };
        match err {
            sqlx::Error::PoolTimedOut => true,
            // SQLite SQLITE_BUSY (5) and SQLITE_LOCKED (6), extended codes included;
            // PostgreSQL lock_not_available (55P03, `lock_timeout`).
            sqlx::Error::Database(db) => db.code().is_some_and(|code| {
                code == "55P03"
                    || code
                        .parse::<u32>()
                        .is_ok_and(|code| matches!(code & 0xff, 5 | 6))
            }),
            _ => false,
        }
    }
}

/// Why a change was refused by the data as it stands. Typed so that callers match on the
/// rule, never on text, and the web edge words each one once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Conflict {
    /// A freshly drawn reference is taken already (drawn again).
    #[error("reference taken")]
    Reference,
    /// A freshly numbered mask slot is taken already (a concurrent message; numbered again).
    #[error("mask slot taken")]
    Mask,
    /// A second-factor code was used already (a replay).
    #[error("code used already")]
    Totp,
    /// The account was locked or disabled between the password check and the session:
    /// a racing wrong guess locked it, and a right one must not undo that.
    #[error("account locked")]
    Locked,
    #[error("on hold")]
    Held,
    #[error("retention days out of range")]
    RetentionDays,
    #[error("highest tier")]
    HighestTier,
    #[error("lowest tier")]
    LowestTier,
    /// A status component of that name exists already.
    #[error("component name taken")]
    ComponentName,
    /// The incident was resolved: it takes no more updates.
    #[error("incident resolved")]
    IncidentResolved,
    /// Another update took the number meanwhile (signed again for the next one).
    #[error("update number taken")]
    UpdateNumber,
    #[error("status cannot be set directly")]
    Status,
    #[error("assignee out of scope")]
    Assignee,
    #[error("agent name taken")]
    AgentName,
    #[error("allowlist entry exists")]
    AllowlistEntry,
    #[error("token list name taken")]
    TokenListName,
    #[error("queue name taken")]
    QueueName,
    #[error("canned response title taken")]
    CannedResponseTitle,
    #[error("already spam")]
    AlreadySpam,
    #[error("own spam mark")]
    OwnSpamMark,
    #[error("not awaiting spam confirmation")]
    NotAwaitingSpamConfirmation,
    #[error("queue owners only")]
    QueueOwnersOnly,
    #[error("not spam")]
    NotSpam,
    #[error("marked spam")]
    MarkedSpam,
    /// Admin accounts come only from the operator's command line.
    #[error("admin accounts are created by the operator")]
    AdminByOperatorOnly,
    /// An account created with an enrolment link joins restricted queues only once enrolled.
    #[error("restricted queues are joined after enrolment")]
    RestrictedQueueBeforeEnrolment,
    /// The change would leave the desk without an active admin.
    #[error("last active admin")]
    LastAdmin,
    /// A senior role signs in with a second factor, which the agent has not set up.
    #[error("second factor first")]
    SecondFactorFirst,
    /// `general` is where routing falls back to: it keeps its name and stays in use.
    #[error("fallback queue")]
    FallbackQueue,
    #[error("sla hours out of range")]
    SlaHours,
    /// A ticket moves only to another queue the moving agent is a member of.
    #[error("not another queue of the agent")]
    Queue,
    /// The ticket is not waiting for a rating: not finished, or answered already.
    #[error("not open for a rating")]
    NotRateable,
    /// Another article has that slug.
    #[error("article slug taken")]
    KbSlug,
}

impl StoreError {
    /// Maps a unique violation on a known constraint to `Conflict`, so constraint names
    /// never travel above the store.
    pub(super) fn on_unique(err: sqlx::Error, what: Conflict) -> StoreError {
        match &err {
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(what),
            _ => StoreError::Backend(err),
        }
    }
}

#[cfg(test)]
mod busy {
    use super::*;

    /// A pool that timed out is busy (the request may be sent again); other failures are not.
    #[test]
    fn a_pool_timeout_is_busy_and_a_missing_row_is_not() {
        assert!(StoreError::Backend(sqlx::Error::PoolTimedOut).is_busy());
        assert!(!StoreError::Backend(sqlx::Error::RowNotFound).is_busy());
        assert!(!StoreError::NotFound.is_busy());
    }

    /// A read whose batch failed because the database was busy answers busy too (503, try
    /// again), whatever else failed it answers as what it was.
    #[test]
    fn an_unrecorded_read_is_busy_exactly_when_its_batch_was() {
        let busy = std::sync::Arc::new(StoreError::Backend(sqlx::Error::PoolTimedOut));
        let broken = std::sync::Arc::new(StoreError::Backend(sqlx::Error::RowNotFound));
        assert!(StoreError::ReadNotRecorded(busy).is_busy());
        assert!(!StoreError::ReadNotRecorded(broken).is_busy());
    }
}
