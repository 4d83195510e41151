//! What the desk mails a requester on its own (acknowledgement, reply, resolved, closed),
//! worded from the catalogue in the language the requester wrote in.

use crate::domain::{Reference, Status};
use crate::i18n::Lang;

/// What the desk mails a requester on its own, worded from the catalogue in the language the
/// requester wrote in.
pub enum Notice<'a> {
    /// A new ticket from mail, with its private link.
    Received { link: &'a str },
    /// An agent's public reply, already redacted.
    Reply(&'a str),
    /// The ticket became resolved or closed.
    Finished(Status),
    /// Closed because the requester did not answer for so many working days.
    AutoClosed { working_days: u32 },
    /// A status page update, clear-signed, sent as signed.
    Incident(&'a str),
}

impl Notice<'_> {
    /// Subject and body.
    pub(super) fn render(&self, lang: Lang, reference: &Reference) -> (String, String) {
        let with_reference =
            |key: &str| lang.text_with(key, &[("reference", reference.as_str().to_owned().into())]);
        match self {
            Notice::Received { link } => (
                lang.text("mail-received-subject"),
                lang.text_with(
                    "mail-received-body",
                    &[
                        ("reference", reference.as_str().to_owned().into()),
                        ("link", (*link).to_owned().into()),
                    ],
                ),
            ),
            Notice::Reply(body) => (lang.text("mail-reply-subject"), (*body).to_owned()),
            Notice::Finished(status) => {
                let state = match status {
                    Status::Resolved => "resolved",
                    _ => "closed",
                };
                (
                    lang.text(&format!("mail-{state}-subject")),
                    with_reference(&format!("mail-{state}-body")),
                )
            }
            Notice::Incident(signed) => (lang.text("mail-incident-subject"), (*signed).to_owned()),
            Notice::AutoClosed { working_days } => (
                lang.text("mail-auto-closed-subject"),
                auto_close_text(lang, *working_days),
            ),
        }
    }
}

/// The notice an automatically closed ticket keeps and its requester is mailed.
pub(crate) fn auto_close_text(lang: Lang, working_days: u32) -> String {
    lang.text_with(
        "mail-auto-closed-body",
        &[("count", i64::from(working_days).into())],
    )
}
