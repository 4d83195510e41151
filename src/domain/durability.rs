//! How durable a commit is before the desk acknowledges it.

use serde::Deserialize;

/// When a commit counts as done: the setting trades the last moments of work on a power
/// failure against the time a commit waits for the disk.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Durability {
    /// A commit is on stable storage before it is acknowledged: a ticket the desk said it
    /// stored survives a power failure (SQLite `synchronous=FULL`, PostgreSQL
    /// `synchronous_commit=on`).
    #[default]
    Full,
    /// A commit survives the process being killed but the last ones may be lost when the
    /// machine loses power; the database stays consistent (SQLite `synchronous=NORMAL` in
    /// WAL mode, PostgreSQL `synchronous_commit=off`).
    Normal,
}
