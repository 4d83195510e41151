//! The redactor: rules from `redaction-rules/`, compiled once, applied to every text before storage.
//! The only maker of `Redacted<T>`, so the store cannot be handed raw requester text.

mod anchors;
mod builtin;
mod engine;
mod masks;
#[cfg(test)]
mod properties;
mod repeats;
mod rules;
mod shape;
mod validators;
mod view;

pub use engine::{Finding, Redactor, RuleSummary};
pub use masks::{MaskBook, MaskKey, MaskSlot, Redacted, RedactionCounts};
pub use rules::RuleError;
