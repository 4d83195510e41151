//! Domain types and rules: categories, statuses, roles, tiers, validated requester input.
//! Pure: no I/O, no HTTP, no SQL.

mod agent;
mod business_hours;
mod category;
mod delivery;
mod durability;
mod input;
pub mod metrics;
mod network;
mod proof;
mod proof_code;
pub mod search;
mod status_page;
mod support_address;
mod ticket;

pub use agent::{MAX_SLA_HOURS, Name, NameError, Priority, Role, Tier};
pub use business_hours::{
    BusinessHours, BusinessHoursError, MAX_HOLIDAYS, MINUTES_PER_DAY, SlaClock, WorkDays,
};
pub use category::Category;
pub use delivery::DeliveryFailure;
pub use durability::Durability;
pub use input::{
    ContactAddress, InputError, KeepChoices, MAX_SUBJECT_CHARS, NewTicketInput, ReasonInput,
    ReplyInput,
};
pub use network::{Network, NetworkSlot, NetworkSlots};
pub use proof::{ProofKind, challenge_text, parse_expected_mask};
pub use proof_code::{
    MAX_CODE_CHARS, MAX_LIST_NAME_CHARS, MAX_TOKENS_PER_LIST, MIN_TOKEN_CHARS, TokenListError,
    normalized_code, token_lines, token_list_name,
};
pub use status_page::{ComponentState, IncidentState};
pub use support_address::{Recipient, SupportAddress};
pub use ticket::{Author, Reference, Status};
