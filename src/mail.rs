//! Mail: the SMTP/LMTP listener, turning received mail into tickets and replies, and (later)
//! sending. Intake goes through `intake::Desk` like every other channel.

pub mod auth_results;
pub mod inbound;
pub mod listener;
pub mod structure;
mod ticket_text;

pub use crate::domain::SupportAddress;
pub use inbound::{Accepted, Envelope, Refusal, receive};
