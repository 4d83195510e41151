//! What a requester can prove they control, and the wording of a challenge. Pure: the
//! checks themselves live in `crate::proof` and `crate::crypto`.

use super::Reference;

/// The kinds of proof the desk can ask for. Stored by `id`; the database does not constrain
/// the column, so a new kind is a change here and in the desk only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProofKind {
    /// A signed message from a Bitcoin address (BIP-137, Electrum, BIP-322 simple).
    Bitcoin,
    /// `personal_sign` (EIP-191) from an Ethereum address.
    Ethereum,
    /// A clear-signed challenge, by the ticket's pinned key or a key offered with it.
    OpenPgp,
    /// A recovery code or one-time token of the product, checked against the admins' token
    /// lists or the product's verification hook (`desk::codes`).
    Code,
}

impl ProofKind {
    pub const ALL: [ProofKind; 4] = [
        ProofKind::Bitcoin,
        ProofKind::Ethereum,
        ProofKind::OpenPgp,
        ProofKind::Code,
    ];

    pub fn id(self) -> &'static str {
        match self {
            ProofKind::Bitcoin => "bitcoin",
            ProofKind::Ethereum => "ethereum",
            ProofKind::OpenPgp => "openpgp",
            ProofKind::Code => "code",
        }
    }

    pub fn parse(text: &str) -> Option<ProofKind> {
        ProofKind::ALL.into_iter().find(|k| k.id() == text)
    }

    /// The mask label the redactor gives this kind's subject (`[BTC-1]`).
    pub fn mask_label(self) -> &'static str {
        match self {
            ProofKind::Bitcoin => "BTC",
            ProofKind::Ethereum => "ETH",
            ProofKind::OpenPgp => "PGP",
            ProofKind::Code => "CODE",
        }
    }

    /// Whether the subject is an address the requester names (a wallet), rather than a key.
    pub fn is_wallet(self) -> bool {
        matches!(self, ProofKind::Bitcoin | ProofKind::Ethereum)
    }
}

/// A mask the agent may name as the address to be proven: `[BTC-1]`, `[ETH-12]`, of the
/// kind's own label. Anything else is refused, so the field cannot carry other text.
pub fn parse_expected_mask(kind: ProofKind, text: &str) -> Option<String> {
    let text = text.trim();
    let inner = text.strip_prefix('[')?.strip_suffix(']')?;
    let (label, n) = inner.rsplit_once('-')?;
    let valid = kind.is_wallet()
        && label == kind.mask_label()
        && !n.is_empty()
        && n.len() <= 6
        && n.bytes().all(|b| b.is_ascii_digit())
        && !n.starts_with('0');
    valid.then(|| text.to_owned())
}

/// The text the requester signs: the reference ties it to this ticket, the random phrase to
/// this request, and the stated expiry tells the signer how long it counts.
pub fn challenge_text(reference: &Reference, phrase: &str, valid_until_utc: &str) -> String {
    format!("hushdesk proof for {reference}: {phrase} (valid until {valid_until_utc} UTC)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_masks_of_the_kinds_own_label_are_expected() {
        assert_eq!(
            parse_expected_mask(ProofKind::Bitcoin, " [BTC-2] "),
            Some("[BTC-2]".into())
        );
        assert_eq!(parse_expected_mask(ProofKind::Bitcoin, "[ETH-2]"), None);
        assert_eq!(parse_expected_mask(ProofKind::Ethereum, "[ETH-0]"), None);
        assert_eq!(parse_expected_mask(ProofKind::Ethereum, "[ETH-]"), None);
        assert_eq!(parse_expected_mask(ProofKind::OpenPgp, "[PGP-1]"), None);
        assert_eq!(
            parse_expected_mask(ProofKind::Bitcoin, "1A1zP1eP5QGe"),
            None
        );
    }

    #[test]
    fn kinds_round_trip_through_their_ids() {
        for kind in ProofKind::ALL {
            assert_eq!(ProofKind::parse(kind.id()), Some(kind));
        }
        assert_eq!(ProofKind::parse("passport"), None);
    }
}
