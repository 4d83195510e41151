//! Agents' roles and the tiers and priorities tickets carry.

use std::fmt;
use std::str::FromStr;

/// What an agent is allowed to be. `Admin` configures; it reads tickets only through
/// queue memberships like anyone else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    L1,
    L2,
    L3,
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::L1, Role::L2, Role::L3, Role::Admin];

    pub fn id(self) -> &'static str {
        match self {
            Role::L1 => "l1",
            Role::L2 => "l2",
            Role::L3 => "l3",
            Role::Admin => "admin",
        }
    }

    /// The highest ticket tier this role may work on.
    pub fn tier(self) -> Tier {
        match self {
            Role::L1 => Tier::ONE,
            Role::L2 => Tier(2),
            Role::L3 | Role::Admin => Tier::THREE,
        }
    }

    /// Senior roles hold the keys to the most; a password alone is not enough for them.
    pub fn requires_second_factor(self) -> bool {
        matches!(self, Role::L3 | Role::Admin)
    }
}

impl FromStr for Role {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL.into_iter().find(|r| r.id() == s).ok_or(())
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// Escalation tier, 1 to 3. New tickets start at 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Tier(u8);

impl Tier {
    pub const ONE: Tier = Tier(1);
    pub const THREE: Tier = Tier(3);

    pub fn new(n: i64) -> Option<Tier> {
        u8::try_from(n)
            .ok()
            .filter(|n| (1..=3).contains(n))
            .map(Tier)
    }

    pub fn get(self) -> i64 {
        i64::from(self.0)
    }

    pub fn up(self) -> Option<Tier> {
        Tier::new(self.get() + 1)
    }

    pub fn down(self) -> Option<Tier> {
        Tier::new(self.get() - 1)
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "L{}", self.0)
    }
}

/// Urgency, P1 (most urgent) to P4; sets the SLA targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Priority {
    P1,
    P2,
    P3,
    P4,
}

impl Priority {
    pub const ALL: [Priority; 4] = [Priority::P1, Priority::P2, Priority::P3, Priority::P4];

    pub fn id(self) -> &'static str {
        match self {
            Priority::P1 => "P1",
            Priority::P2 => "P2",
            Priority::P3 => "P3",
            Priority::P4 => "P4",
        }
    }

    /// Index into per-priority tables (P1 = 0).
    pub fn index(self) -> usize {
        self as usize
    }
}

impl FromStr for Priority {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Priority::ALL
            .into_iter()
            .find(|p| p.id().eq_ignore_ascii_case(s))
            .ok_or(())
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// The longest SLA target an admin may set, in hours (a year); the shortest is one hour.
pub const MAX_SLA_HOURS: i64 = 8760;

/// An agent's or queue's name: short, plain, safe to show and to log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name(String);

/// Why a name was refused. The English is for the API, the CLI and the log; pages show
/// the catalogue's wording under `key`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("must be 1 to 64 characters")]
    Length,
    #[error("may hold only letters, digits, '-', '_' and '.'")]
    AgentCharacters,
    #[error("may hold only letters and digits of any script, '-', '_' and '.'")]
    QueueCharacters,
}

impl NameError {
    pub fn key(self) -> &'static str {
        match self {
            NameError::Length => "name-length",
            NameError::AgentCharacters => "name-agent-characters",
            NameError::QueueCharacters => "name-queue-characters",
        }
    }
}

/// The longest name, in characters.
const MAX_NAME_CHARS: usize = 64;

impl Name {
    /// An agent's name: ASCII letters and digits, as typed at sign-in on any keyboard.
    pub fn parse(s: &str) -> Result<Name, NameError> {
        let s = s.trim();
        if s.is_empty() || s.len() > MAX_NAME_CHARS {
            return Err(NameError::Length);
        }
        if !s
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        {
            return Err(NameError::AgentCharacters);
        }
        Ok(Name(s.to_ascii_lowercase()))
    }

    /// A queue's name: letters and digits of any script (`поддержка-карт`), `-`, `_` and
    /// `.`. Composed (NFC) and lower-cased, so one name has one spelling; no spaces,
    /// controls or direction marks, which would make two names look alike or a page read
    /// backwards.
    pub fn parse_queue(s: &str) -> Result<Name, NameError> {
        use unicode_normalization::UnicodeNormalization;
        let s: String = s.trim().nfc().collect::<String>().to_lowercase();
        let length = s.chars().count();
        if length == 0 || length > MAX_NAME_CHARS {
            return Err(NameError::Length);
        }
        // Only dots would read as `.` or `..` in the queue's own addresses.
        if !s
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
            || s.chars().all(|c| c == '.')
        {
            return Err(NameError::QueueCharacters);
        }
        // Lower-casing may decompose again (a few letters have no composed lower case).
        Ok(Name(s.nfc().collect()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_map_to_tiers_and_second_factor_rules() {
        assert_eq!(Role::L1.tier(), Tier::ONE);
        assert_eq!(Role::L2.tier().get(), 2);
        assert_eq!(Role::Admin.tier(), Tier::THREE);
        assert!(Role::L3.requires_second_factor());
        assert!(!Role::L2.requires_second_factor());
        assert_eq!("admin".parse::<Role>(), Ok(Role::Admin));
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn tiers_stay_between_one_and_three() {
        assert_eq!(Tier::THREE.up(), None);
        assert_eq!(Tier::ONE.down(), None);
        assert_eq!(Tier::ONE.up().map(Tier::get), Some(2));
        assert!(Tier::new(0).is_none() && Tier::new(4).is_none());
    }

    #[test]
    fn names_are_plain_and_lowercased() {
        assert_eq!(Name::parse(" Alice.B ").unwrap().as_str(), "alice.b");
        assert!(Name::parse("a b").is_err());
        assert!(Name::parse("").is_err());
        assert!(Name::parse("<script>").is_err());
    }

    #[test]
    fn queue_names_take_letters_of_any_script_in_one_spelling() {
        let name = Name::parse_queue(" Поддержка-Карт ").map(|n| n.to_string());
        assert_eq!(name.as_deref(), Ok("поддержка-карт"));
        // Composed and decomposed spellings are one name.
        assert_eq!(
            Name::parse_queue("e\u{301}te"),
            Name::parse_queue("\u{e9}te")
        );
        assert_eq!(
            Name::parse_queue("vip_2.eu")
                .map(|n| n.to_string())
                .as_deref(),
            Ok("vip_2.eu")
        );
        for bad in ["", "a b", "a\u{202e}b", "a\tb", "..", ".", "a/b", "a?b"] {
            assert!(Name::parse_queue(bad).is_err(), "{bad:?}");
        }
        assert_eq!(Name::parse_queue(&"я".repeat(64)).map(|_| ()), Ok(()));
        assert_eq!(
            Name::parse_queue(&"я".repeat(65)).map(|_| ()),
            Err(NameError::Length)
        );
        // Agent names stay ASCII: they are typed at sign-in.
        assert_eq!(Name::parse("Поддержка"), Err(NameError::AgentCharacters));
    }
}
