//! `mail_failed` stored whatever text it was given in the outbox (a relay's answer can
//! quote the address or the message). A failed delivery is now a closed set of reasons.

fn reason() -> hushdesk::domain::DeliveryFailure {
    "relay said: <jo@example.org> mailbox full".into()
}

fn main() {}
