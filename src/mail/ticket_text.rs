//! The subject and text of a received mail, made fit for the form's constructor
//! (`NewTicketInput::parse_with_category`, `ReplyInput::parse`) without changing what it says.
//! It never decides whether a mail is accepted: the form's rules still do that.

use crate::domain::MAX_SUBJECT_CHARS;

/// What a mail without a subject is filed under (the text the desk always used).
pub(super) const NO_SUBJECT: &str = "(no subject)";

/// Subject and body of one received mail, normalised for the form's rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct MailTicketText {
    pub(super) subject: String,
    pub(super) body: String,
}

impl MailTicketText {
    /// Mail differs from the form in one way: the form's person can fix the text in place
    /// and press send again, but a refused mail is a bounce, and the message is lost for
    /// someone who often cannot change it (a client that sends no subject, a forwarded
    /// chain's "Fwd: Re: Re: …", a pasted log). So three things the form refuses are mended
    /// here, and nothing else:
    /// - no or an empty subject is filed as [`NO_SUBJECT`];
    /// - a subject over the form's limit is cut at a character boundary and ends in `…`,
    ///   [`MAX_SUBJECT_CHARS`] characters in all; control characters in it become spaces
    ///   (a subject is one line);
    /// - in the body, ANSI CSI sequences (colours, cursor moves: `ESC [ … m`) are dropped,
    ///   since they are terminal formatting with no words in them and `�[31m` between the
    ///   words of a log would only hide them from the reader and from the redactor; a bare
    ///   CR (old line endings, progress lines) becomes a line break; every other control
    ///   character becomes U+FFFD, so the reader sees that something was there.
    ///
    /// Only CSI is dropped, not every VT sequence: an OSC, DCS or APC string runs until its
    /// terminator, and one stray `ESC ]` in a pasted log would silently take everything
    /// after it with it. A CSI ends at its first final byte, so dropping it never takes text.
    /// Body size and emptiness are left to the listener's limits and the form's rules.
    pub(super) fn normalise(subject: Option<&str>, body: &str) -> MailTicketText {
        MailTicketText {
            subject: normalise_subject(subject.unwrap_or_default()),
            body: normalise_body(body),
        }
    }
}

fn normalise_subject(raw: &str) -> String {
    let one_line: String = raw
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let one_line = one_line.trim();
    if one_line.is_empty() {
        return NO_SUBJECT.to_owned();
    }
    if one_line.chars().count() <= MAX_SUBJECT_CHARS {
        return one_line.to_owned();
    }
    let mut shortened: String = one_line.chars().take(MAX_SUBJECT_CHARS - 1).collect();
    shortened.truncate(shortened.trim_end().len());
    shortened.push('…');
    shortened
}

fn normalise_body(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\t' | '\n' => out.push(c),
            '\r' if chars.peek() == Some(&'\n') => out.push(c),
            '\r' => out.push('\n'),
            '\u{1b}' if chars.peek() == Some(&'[') => {
                let mut sequence = chars.clone();
                sequence.next();
                if skip_csi_rest(&mut sequence) {
                    chars = sequence;
                } else {
                    out.push(char::REPLACEMENT_CHARACTER);
                }
            }
            c if c.is_control() => out.push(char::REPLACEMENT_CHARACTER),
            c => out.push(c),
        }
    }
    out
}

/// Consumes the rest of a CSI sequence after `ESC [` (ECMA-48: parameter bytes 0x30–0x3F,
/// intermediate bytes 0x20–0x2F, one final byte 0x40–0x7E); false when it is not one.
fn skip_csi_rest(chars: &mut impl Iterator<Item = char>) -> bool {
    let mut intermediate = false;
    for c in chars {
        match c {
            '\u{30}'..='\u{3f}' if !intermediate => {}
            '\u{20}'..='\u{2f}' => intermediate = true,
            '\u{40}'..='\u{7e}' => return true,
            _ => return false,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_sequences_are_dropped_and_other_controls_marked() {
        let text = MailTicketText::normalise(
            None,
            "\u{1b}[1;31mERROR\u{1b}[0m disk\u{0}full\u{c}\r\nnext\rline\u{1b}]0;t",
        );
        assert_eq!(
            text.body,
            "ERROR disk\u{fffd}full\u{fffd}\r\nnext\nline\u{fffd}]0;t"
        );
        assert_eq!(text.subject, NO_SUBJECT);
    }

    #[test]
    fn an_unfinished_csi_keeps_the_text_after_it() {
        let text = MailTicketText::normalise(Some("s"), "a\u{1b}[12\u{0}b\u{1b}[");
        assert_eq!(text.body, "a\u{fffd}[12\u{fffd}b\u{fffd}[");
    }

    #[test]
    fn a_long_subject_is_cut_to_the_limit_with_an_ellipsis() {
        let long = format!("{}é tail", "Fwd: Re: ".repeat(30));
        let subject = MailTicketText::normalise(Some(&long), "b").subject;
        assert_eq!(subject.chars().count(), MAX_SUBJECT_CHARS);
        assert!(subject.ends_with('…'));
        assert!(long.starts_with(subject.trim_end_matches('…')));

        let exact = "é".repeat(MAX_SUBJECT_CHARS);
        assert_eq!(MailTicketText::normalise(Some(&exact), "b").subject, exact);
    }

    #[test]
    fn a_blank_subject_is_the_placeholder() {
        assert_eq!(
            MailTicketText::normalise(Some(" \t "), "b").subject,
            NO_SUBJECT
        );
        assert_eq!(MailTicketText::normalise(Some("a\tb"), "b").subject, "a b");
    }
}
