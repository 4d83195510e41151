//! The status page's states: of a component (how it works now) and of an incident (how far
//! its handling has come). Pure types; their ids are what the store keeps and the forms send.

/// How a component works now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComponentState {
    Operational,
    Degraded,
    PartialOutage,
    MajorOutage,
    Maintenance,
}

impl ComponentState {
    pub const ALL: [ComponentState; 5] = [
        ComponentState::Operational,
        ComponentState::Degraded,
        ComponentState::PartialOutage,
        ComponentState::MajorOutage,
        ComponentState::Maintenance,
    ];

    pub fn id(self) -> &'static str {
        match self {
            ComponentState::Operational => "operational",
            ComponentState::Degraded => "degraded",
            ComponentState::PartialOutage => "partial_outage",
            ComponentState::MajorOutage => "major_outage",
            ComponentState::Maintenance => "maintenance",
        }
    }

    pub fn parse(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.id() == id)
    }
}

/// How far an incident's handling has come, as each update says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncidentState {
    Investigating,
    Identified,
    Monitoring,
    Resolved,
}

impl IncidentState {
    pub const ALL: [IncidentState; 4] = [
        IncidentState::Investigating,
        IncidentState::Identified,
        IncidentState::Monitoring,
        IncidentState::Resolved,
    ];

    pub fn id(self) -> &'static str {
        match self {
            IncidentState::Investigating => "investigating",
            IncidentState::Identified => "identified",
            IncidentState::Monitoring => "monitoring",
            IncidentState::Resolved => "resolved",
        }
    }

    /// The English word the signed text carries: a signed notice reads the same to every
    /// verifier, whatever language the page was in.
    pub fn signed_word(self) -> &'static str {
        match self {
            IncidentState::Investigating => "Investigating",
            IncidentState::Identified => "Identified",
            IncidentState::Monitoring => "Monitoring",
            IncidentState::Resolved => "Resolved",
        }
    }

    pub fn parse(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.id() == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_back() {
        for s in ComponentState::ALL {
            assert_eq!(ComponentState::parse(s.id()), Some(s));
        }
        for s in IncidentState::ALL {
            assert_eq!(IncidentState::parse(s.id()), Some(s));
        }
        assert_eq!(IncidentState::parse("Resolved"), None);
    }
}
