use std::fmt;
use std::str::FromStr;

/// A ticket's public name, `HD-` followed by a short random id. Not a secret.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reference(String);

impl Reference {
    /// Crockford base32: no I, L, O or U, so a reference read aloud is unambiguous.
    pub const ALPHABET: &'static [u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    pub const ID_LEN: usize = 8;

    /// Builds a reference from `ID_LEN` random values (each taken modulo 32).
    pub fn from_random(random: [u8; Self::ID_LEN]) -> Self {
        let id: String = random
            .iter()
            .map(|b| Self::ALPHABET[usize::from(b % 32)] as char)
            .collect();
        Reference(format!("HD-{id}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Reference {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let id = s.strip_prefix("HD-").ok_or(())?;
        let valid = id.len() == Self::ID_LEN && id.bytes().all(|b| Self::ALPHABET.contains(&b));
        valid.then(|| Reference(s.to_owned())).ok_or(())
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a ticket stands. `Resolved` and `Closed` are final; the others wait on someone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    New,
    Open,
    PendingRequester,
    Escalated,
    Resolved,
    Closed,
}

impl Status {
    pub fn id(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Open => "open",
            Status::PendingRequester => "pending_requester",
            Status::Escalated => "escalated",
            Status::Resolved => "resolved",
            Status::Closed => "closed",
        }
    }

    pub const ALL: [Status; 6] = [
        Status::New,
        Status::Open,
        Status::PendingRequester,
        Status::Escalated,
        Status::Resolved,
        Status::Closed,
    ];

    /// Statuses an agent sets directly; `new` is where tickets start and `escalated` comes
    /// only from an escalation, which needs a reason.
    pub fn agent_may_set(self) -> bool {
        !matches!(self, Status::New | Status::Escalated)
    }

    /// Final statuses: nothing more is expected from anyone.
    pub fn is_final(self) -> bool {
        matches!(self, Status::Resolved | Status::Closed)
    }

    /// What the requester reads on their ticket page.
    pub fn describe(self) -> &'static str {
        match self {
            Status::New => "Received: waiting for the support team",
            Status::Open => "Open: the support team is working on it",
            Status::PendingRequester => "Waiting for your answer",
            Status::Escalated => "Passed to a specialist",
            Status::Resolved => "Resolved",
            Status::Closed => "Closed",
        }
    }
}

impl FromStr for Status {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::ALL
            .into_iter()
            .find(|status| status.id() == s)
            .ok_or(())
    }
}

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Author {
    Requester,
    Agent,
}

impl Author {
    pub fn id(self) -> &'static str {
        match self {
            Author::Requester => "requester",
            Author::Agent => "agent",
        }
    }
}

impl FromStr for Author {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "requester" => Ok(Author::Requester),
            "agent" => Ok(Author::Agent),
            _ => Err(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_hd_plus_eight_unambiguous_characters() {
        let reference = Reference::from_random([0, 31, 32, 255, 7, 8, 9, 10]);
        assert_eq!(reference.as_str(), "HD-0Z0Z789A");
        assert_eq!(reference.as_str().parse::<Reference>(), Ok(reference));
        assert!("HD-0ZZZ789".parse::<Reference>().is_err());
        assert!("HD-0ZZZ789I".parse::<Reference>().is_err());
        assert!("XX-0ZZZ789A".parse::<Reference>().is_err());
    }
}
