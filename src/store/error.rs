/// What can go wrong below the web layer when talking to the database.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No such row, or not visible to the caller: the two are deliberately the same.
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was hit; the name says which.
    #[error("conflict on {0}")]
    Conflict(&'static str),
    /// Stored data that does not parse: a bug or tampering, never user error.
    #[error("stored data is inconsistent: {0}")]
    Corrupt(&'static str),
    #[error(transparent)]
    Backend(#[from] sqlx::Error),
}

impl StoreError {
    /// Maps a unique violation on a known constraint to `Conflict`, so constraint names
    /// never travel above the store.
    pub(super) fn on_unique(err: sqlx::Error, what: &'static str) -> StoreError {
        match &err {
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(what),
            _ => StoreError::Backend(err),
        }
    }
}
