//! Domain types and rules: categories, statuses, validated requester input.
//! Pure: no I/O, no HTTP, no SQL.

mod category;
mod input;
mod ticket;

pub use category::Category;
pub use input::{ContactAddress, InputError, KeepChoices, NewTicketInput, ReplyInput};
pub use ticket::{Author, Reference, Status};
