//! Why an outgoing mail was not delivered, as the outbox records it. A closed set, so the
//! queue never holds free text (a relay's answer can quote the message or the address).

/// One failed delivery attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryFailure {
    /// The queued message could not be unsealed (its ticket key is gone or damaged).
    CannotOpen,
    /// The unsealed payload is not recipient + message.
    Malformed,
    /// The sealed recipient is not a valid address.
    BadRecipient,
    /// The relay refused with this SMTP reply code.
    RelayAnswered(u16),
    /// The relay answered with a temporary failure and no code.
    RelayTemporary,
    /// The relay could not be reached.
    RelayUnreachable,
}

impl DeliveryFailure {
    /// The words kept in the outbox beside the attempt count.
    pub fn describe(self) -> String {
        match self {
            DeliveryFailure::CannotOpen => "cannot open the queued message".to_owned(),
            DeliveryFailure::Malformed => "queued message is malformed".to_owned(),
            DeliveryFailure::BadRecipient => "the recipient address is not valid".to_owned(),
            DeliveryFailure::RelayAnswered(code) => format!("relay answered {code}"),
            DeliveryFailure::RelayTemporary => "relay answered with a temporary failure".to_owned(),
            DeliveryFailure::RelayUnreachable => "relay unreachable".to_owned(),
        }
    }
}
