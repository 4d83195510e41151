//! The requester JSON API under `/api/v1/`. Same rules as the form; errors are `{"error": …}`.

pub mod tickets;
