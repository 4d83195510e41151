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

    /// The Web Key Directory name of the local part: z-base32 of its SHA-1
    /// (draft-koch-openpgp-webkey-service, "direct method").
    pub fn wkd_hash(&self) -> String {
        use sha1::{Digest, Sha1};
        zbase32(&Sha1::digest(self.local.as_bytes()))
    }
}

impl std::fmt::Display for SupportAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}@{}", self.local, self.domain)
    }
}

/// z-base32 (RFC 6189 §5.1.6). Written out because it is ten lines and used once.
fn zbase32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ybndrfg8ejkmcpqxot1uwisza345h769";
    let mut out = String::with_capacity(bytes.len() * 8 / 5 + 1);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn wkd_hash_matches_the_draft_example() {
        // draft-koch-openpgp-webkey-service: "Joe.Doe" → "iy9q119eutrkn8s1mk4r39qejnbu3n5q"
        let support = super::SupportAddress::parse("Joe.Doe@Example.ORG").unwrap();
        assert_eq!(support.wkd_hash(), "iy9q119eutrkn8s1mk4r39qejnbu3n5q");
    }

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
