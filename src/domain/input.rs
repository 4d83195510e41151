//! Requester input, parsed into types that cannot hold an invalid value.

use super::Category;

pub const MAX_SUBJECT_CHARS: usize = 200;
pub const MAX_CONTACT_CHARS: usize = 254;

/// Why requester input was refused; shown to the requester, so it names fields, not values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("the subject is empty")]
    EmptySubject,
    #[error("the subject is longer than {MAX_SUBJECT_CHARS} characters")]
    SubjectTooLong,
    #[error("the message is empty")]
    EmptyBody,
    #[error("choose one of the listed categories")]
    UnknownCategory,
    #[error("the contact address is not an e-mail address")]
    BadContact,
    #[error("text must not contain control characters")]
    ControlCharacters,
    #[error("the subject must not contain control characters")]
    ControlCharactersInSubject,
    #[error("give a reason")]
    EmptyReason,
}

impl InputError {
    /// The catalogue key of its wording, for pages in the requester's language.
    pub fn key(&self) -> &'static str {
        match self {
            InputError::EmptySubject => "input-empty-subject",
            InputError::SubjectTooLong => "input-subject-too-long",
            InputError::EmptyBody => "input-empty-body",
            InputError::UnknownCategory => "input-unknown-category",
            InputError::BadContact => "input-bad-contact",
            InputError::ControlCharacters => "input-control-characters",
            InputError::ControlCharactersInSubject => "input-control-characters-in-subject",
            InputError::EmptyReason => "input-empty-reason",
        }
    }

    /// The form field the error belongs to.
    pub fn field(&self) -> &'static str {
        match self {
            InputError::EmptySubject
            | InputError::SubjectTooLong
            | InputError::ControlCharactersInSubject => "subject",
            InputError::EmptyBody | InputError::ControlCharacters => "body",
            InputError::UnknownCategory => "category",
            InputError::BadContact => "contact",
            InputError::EmptyReason => "reason",
        }
    }
}

/// An e-mail address to answer to. Never shown back and never stored unsealed.
#[derive(Clone, PartialEq, Eq)]
pub struct ContactAddress(String);

impl ContactAddress {
    pub fn parse(raw: &str) -> Result<Self, InputError> {
        let raw = raw.trim();
        if raw.chars().count() > MAX_CONTACT_CHARS || !email_address::EmailAddress::is_valid(raw) {
            return Err(InputError::BadContact);
        }
        Ok(ContactAddress(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for ContactAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ContactAddress(…)")
    }
}

/// A validated new ticket, before redaction.
#[derive(Clone)]
pub struct NewTicketInput {
    pub subject: String,
    pub body: String,
    pub category: Category,
    pub contact: Option<ContactAddress>,
    /// Armored OpenPGP public key, checked later by the crypto layer.
    pub pgp_key: Option<String>,
    /// Findings the requester chose, after a preview, to leave unmasked.
    pub keep: KeepChoices,
    /// The language of the page they wrote on; unknown (API, mail): read from the text.
    pub language: Option<crate::i18n::Lang>,
}

/// Spans (byte offsets into the parsed subject and body) the requester asked to keep.
/// The redactor honours them only for rules that allow keeping; secrets are always masked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeepChoices {
    pub subject: Vec<(usize, usize)>,
    pub body: Vec<(usize, usize)>,
}

impl KeepChoices {
    /// Parses `subject:START:END` / `body:START:END` values from the preview form;
    /// anything else is ignored (a stale or forged choice can only mask more, never less).
    pub fn parse<'a>(values: impl IntoIterator<Item = &'a str>) -> Self {
        let mut choices = KeepChoices::default();
        for value in values {
            let mut parts = value.split(':');
            let (Some(field), Some(start), Some(end), None) =
                (parts.next(), parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            let (Ok(start), Ok(end)) = (start.parse::<usize>(), end.parse::<usize>()) else {
                continue;
            };
            match field {
                "subject" => choices.subject.push((start, end)),
                "body" => choices.body.push((start, end)),
                _ => {}
            }
        }
        choices
    }
}

impl NewTicketInput {
    /// Checks every field of a form submission; the first problem per field is reported,
    /// all fields at once.
    pub fn parse(
        subject: &str,
        body: &str,
        category: &str,
        contact: Option<&str>,
        pgp_key: Option<&str>,
    ) -> Result<Self, Vec<InputError>> {
        let category = category
            .parse::<Category>()
            .map_err(|()| InputError::UnknownCategory);
        Self::parse_with_category(subject, body, category, contact, pgp_key)
    }

    /// The one validation of a new ticket, whatever the channel: the web form names its
    /// category as text (`parse`), mail derives it from the address it was sent to (and may
    /// leave it unsorted). Subject, body and contact are held to the same rules either way.
    pub fn parse_with_category(
        subject: &str,
        body: &str,
        category: Result<Category, InputError>,
        contact: Option<&str>,
        pgp_key: Option<&str>,
    ) -> Result<Self, Vec<InputError>> {
        let mut errors = Vec::new();
        let subject = parse_subject(subject).map_err(|e| errors.push(e)).ok();
        let body = parse_body(body).map_err(|e| errors.push(e)).ok();
        let category = category.map_err(|e| errors.push(e)).ok();
        let contact = match contact.map(str::trim).filter(|c| !c.is_empty()) {
            Some(raw) => ContactAddress::parse(raw).map_err(|e| errors.push(e)).ok(),
            None => None,
        };
        let pgp_key = pgp_key
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(str::to_owned);
        match (subject, body, category) {
            (Some(subject), Some(body), Some(category)) if errors.is_empty() => {
                Ok(NewTicketInput {
                    subject,
                    body,
                    category,
                    contact,
                    pgp_key,
                    keep: KeepChoices::default(),
                    language: None,
                })
            }
            _ => Err(errors),
        }
    }
}

/// A validated reply, before redaction.
pub struct ReplyInput {
    pub body: String,
}

impl ReplyInput {
    pub fn parse(body: &str) -> Result<Self, InputError> {
        Ok(ReplyInput {
            body: parse_body(body)?,
        })
    }
}

/// A reason an agent must give (escalation, break-glass), before redaction.
pub struct ReasonInput {
    pub text: String,
}

impl ReasonInput {
    pub fn parse(raw: &str) -> Result<Self, InputError> {
        match parse_body(raw) {
            Ok(text) => Ok(ReasonInput { text }),
            Err(InputError::EmptyBody) => Err(InputError::EmptyReason),
            Err(other) => Err(other),
        }
    }
}

fn parse_subject(raw: &str) -> Result<String, InputError> {
    // A subject is one line: newlines are folded to spaces rather than refused.
    let subject: String = raw
        .trim()
        .chars()
        .map(|c| {
            if c == '\r' || c == '\n' || c == '\t' {
                ' '
            } else {
                c
            }
        })
        .collect();
    if subject.is_empty() {
        return Err(InputError::EmptySubject);
    }
    if subject.chars().count() > MAX_SUBJECT_CHARS {
        return Err(InputError::SubjectTooLong);
    }
    if subject.chars().any(char::is_control) {
        return Err(InputError::ControlCharactersInSubject);
    }
    Ok(subject)
}

fn parse_body(raw: &str) -> Result<String, InputError> {
    let body = raw.trim().replace("\r\n", "\n");
    if body.is_empty() {
        return Err(InputError::EmptyBody);
    }
    if body
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(InputError::ControlCharacters);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_field_errors_are_reported_together() {
        let errors = NewTicketInput::parse("  ", "", "nope", Some("not-an-address"), None)
            .err()
            .unwrap();
        assert_eq!(
            errors,
            vec![
                InputError::EmptySubject,
                InputError::EmptyBody,
                InputError::UnknownCategory,
                InputError::BadContact
            ]
        );
    }

    #[test]
    fn blank_optional_fields_are_absent() {
        let input = NewTicketInput::parse("Hi", "Body", "billing", Some(" "), Some("")).unwrap();
        assert!(input.contact.is_none());
        assert!(input.pgp_key.is_none());
    }

    #[test]
    fn control_characters_are_refused_but_newlines_kept() {
        assert_eq!(parse_body("a\u{0}b"), Err(InputError::ControlCharacters));
        assert_eq!(parse_body("a\r\nb").unwrap(), "a\nb");
        assert_eq!(parse_subject("a\nb").unwrap(), "a b");
        let refused = parse_subject("a\u{7}b").unwrap_err();
        assert_eq!(
            refused.field(),
            "subject",
            "the error names the field it is about"
        );
    }
}
