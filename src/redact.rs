//! The redactor: rules from `redaction-rules/`, compiled once, applied to every text before storage.
//! The only maker of `Redacted<T>`, so the store cannot be handed raw requester text.

mod allowlist;
mod anchors;
mod builtin;
mod columns;
mod engine;
mod file_name;
mod masks;
mod normalize;
mod org_domain;
mod prefilter;
#[cfg(test)]
mod properties;
mod repeats;
mod rules;
mod secrets_again;
mod shape;
#[cfg(test)]
mod shapes_numeric;
#[cfg(test)]
mod shapes_text;
mod text_validators;
mod validators;
mod view;

pub use allowlist::{AllowEntry, AllowError, Allowlist, SharedAllowlist};
pub use engine::{Finding, Redactor, RuleSummary};
pub use file_name::is_invisible_format;
pub use masks::{Mask, MaskBook, MaskKey, MaskSlot, PlannedMask, Redacted, RedactionCounts};
pub use rules::RuleError;
