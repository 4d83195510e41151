//! The support address and its sub-addresses (`support+TAG@domain`).

/// The address mail is accepted for. Parsed once from the configuration.
#[derive(Debug, Clone)]
pub struct SupportAddress {
    local: String,
    domain: String,
}

/// What a recipient address told us, once it matched the support address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recipient {
    /// The plain support address.
    Plain,
    /// `support+TAG@…`: a category name or a ticket's secret reply token.
    Tagged(String),
}

impl SupportAddress {
    pub fn parse(address: &str) -> anyhow::Result<Self> {
        let (local, domain) = address
            .rsplit_once('@')
            .ok_or_else(|| anyhow::anyhow!("support_address {address:?} has no @"))?;
        anyhow::ensure!(
            !local.is_empty() && !domain.is_empty() && !local.contains('+'),
            "support_address {address:?} must be a plain address without a +tag"
        );
        Ok(SupportAddress {
            local: local.to_ascii_lowercase(),
            domain: domain.to_ascii_lowercase(),
        })
    }

    /// Whether `address` (as given in `RCPT TO`, angle brackets removed) is ours.
    pub fn match_recipient(&self, address: &str) -> Option<Recipient> {
        let (local, domain) = address.rsplit_once('@')?;
        if !domain.eq_ignore_ascii_case(&self.domain) {
            return None;
        }
        let (base, tag) = match local.split_once('+') {
            Some((base, tag)) => (base, Some(tag)),
            None => (local, None),
        };
        if !base.eq_ignore_ascii_case(&self.local) {
            return None;
        }
        match tag {
            None => Some(Recipient::Plain),
            Some(tag) if !tag.is_empty() && tag.len() <= 64 => {
                Some(Recipient::Tagged(tag.to_ascii_lowercase()))
            }
            Some(_) => None,
        }
    }

    /// `support+TAG@domain`.
    pub fn with_tag(&self, tag: &str) -> String {
        format!("{}+{tag}@{}", self.local, self.domain)
    }

    pub fn domain(&self) -> &str {
        &self.domain
    }
}

impl std::fmt::Display for SupportAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}@{}", self.local, self.domain)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_and_its_tags_match_and_others_do_not() {
        let support = SupportAddress::parse("Support@Example.org").unwrap();
        assert_eq!(
            support.match_recipient("support@example.org"),
            Some(Recipient::Plain)
        );
        assert_eq!(
            support.match_recipient("SUPPORT+Billing@EXAMPLE.org"),
            Some(Recipient::Tagged("billing".into()))
        );
        assert_eq!(support.match_recipient("sales@example.org"), None);
        assert_eq!(support.match_recipient("support@example.com"), None);
        assert_eq!(support.match_recipient("support+@example.org"), None);
        assert_eq!(support.match_recipient("no-at-sign"), None);
        assert!(SupportAddress::parse("support+x@example.org").is_err());
    }
}
