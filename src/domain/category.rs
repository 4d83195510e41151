use std::fmt;
use std::str::FromStr;

/// What a ticket is about; the ids are a pinned interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    Security,
    Outage,
    Billing,
    Functionality,
    Onboarding,
    DataRequest,
    /// Mail that named no category; routed like any category without a rule (to `general`).
    /// Never offered on the form or accepted from requesters.
    Unsorted,
}

impl Category {
    pub const ALL: [Category; 6] = [
        Category::Security,
        Category::Outage,
        Category::Billing,
        Category::Functionality,
        Category::Onboarding,
        Category::DataRequest,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Category::Security => "security",
            Category::Outage => "outage",
            Category::Billing => "billing",
            Category::Functionality => "functionality",
            Category::Onboarding => "onboarding",
            Category::DataRequest => "data_request",
            Category::Unsorted => "unsorted",
        }
    }

    /// Security incidents are urgent by default; outages next; the rest ordinary.
    pub fn default_priority(self) -> crate::domain::Priority {
        use crate::domain::Priority;
        match self {
            Category::Security => Priority::P1,
            Category::Outage => Priority::P2,
            _ => Priority::P3,
        }
    }

    /// Human label for the form.
    pub fn label(self) -> &'static str {
        match self {
            Category::Security => "Security problem",
            Category::Outage => "Something is down",
            Category::Billing => "Billing and payments",
            Category::Functionality => "How something works",
            Category::Onboarding => "Getting started",
            Category::DataRequest => "My data (access, correction, deletion)",
            Category::Unsorted => "Not sorted yet",
        }
    }

    /// Parses a category read back from storage, where `unsorted` is valid too.
    pub fn from_stored(s: &str) -> Option<Self> {
        match s {
            "unsorted" => Some(Category::Unsorted),
            other => other.parse().ok(),
        }
    }
}

impl FromStr for Category {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Category::ALL.into_iter().find(|c| c.id() == s).ok_or(())
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_round_trips_and_unknown_ids_are_refused() {
        for category in Category::ALL {
            assert_eq!(category.id().parse::<Category>(), Ok(category));
        }
        assert!("Security".parse::<Category>().is_err());
        assert!("".parse::<Category>().is_err());
    }
}
