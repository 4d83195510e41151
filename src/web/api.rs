//! The JSON APIs under `/api/v1/`: the requester's (`tickets`) and the agents' (`agent`).
//! Same rules as the HTML side; errors are `{"error": …}`.

pub mod agent;
pub mod openapi;
pub mod tickets;
