//! The redactor: rules from `redaction-rules/`, compiled once, applied to every text before storage.
//! The only maker of `Redacted<T>`, so the store cannot be handed raw requester text.

mod builtin;
mod engine;
mod masks;
#[cfg(test)]
mod properties;
mod rules;
#[cfg(test)]
mod shapes_text;
mod text_validators;
mod validators;

pub use engine::{Finding, Redactor, RuleSummary};
pub use masks::{MaskBook, MaskKey, MaskSlot, Redacted, RedactionCounts};
pub use rules::RuleError;
