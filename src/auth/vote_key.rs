//! One-time keys for the knowledge base's anonymous counts ("this answered my question" on
//! the preview, "Did this help?" on an article). Without them any page anywhere could post
//! the counts up by the thousand. A key is signed by the desk when it makes the page, names
//! what it may count, and expires; the store keeps the keyed hash of each key spent until
//! then, so one page the desk made counts at most once. Nothing in a key names a person: it is
//! random, and only its spending is recorded.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use subtle::ConstantTimeEq;

use crate::crypto::{Keyring, RandomError, TokenDigest, os_random};

/// How long a page's key may be spent: a day, long enough to read an article or think over
/// a preview.
pub const VOTE_KEY_SECONDS: i64 = 86_400;

const NONCE: usize = 16;
const EXPIRY: usize = 8;
const MAC: usize = 32;

/// What a key may count.
#[derive(Debug, Clone, Copy)]
pub enum VotePurpose<'a> {
    /// A filing given up on the preview.
    Deflection,
    /// An answer to "Did this help?" on the article with this address.
    Helped { slug: &'a str },
}

impl VotePurpose<'_> {
    fn signed(self, nonce: &[u8], expires_at: i64) -> Vec<u8> {
        let mut signed = match self {
            VotePurpose::Deflection => b"deflection".to_vec(),
            VotePurpose::Helped { slug } => [b"helped:", slug.as_bytes()].concat(),
        };
        signed.push(0);
        signed.extend_from_slice(nonce);
        signed.extend_from_slice(&expires_at.to_be_bytes());
        signed
    }
}

/// A key as it goes into a page's form.
pub struct VoteKey(String);

impl VoteKey {
    pub fn issue(
        keyring: &Keyring,
        purpose: VotePurpose<'_>,
        now: i64,
    ) -> Result<Self, RandomError> {
        let nonce = os_random::<NONCE>()?;
        let expires_at = now + VOTE_KEY_SECONDS;
        let mac = keyring.vote_key_mac(&purpose.signed(&nonce, expires_at));
        let mut raw = Vec::with_capacity(NONCE + EXPIRY + MAC);
        raw.extend_from_slice(&nonce);
        raw.extend_from_slice(&expires_at.to_be_bytes());
        raw.extend_from_slice(&mac);
        Ok(VoteKey(URL_SAFE_NO_PAD.encode(raw)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key, if `presented` is one the desk made for `purpose` and it has not expired;
    /// whether it was spent already is for the store to say.
    pub fn check(
        keyring: &Keyring,
        presented: &str,
        purpose: VotePurpose<'_>,
        now: i64,
    ) -> Option<SpentVoteKey> {
        let raw = URL_SAFE_NO_PAD.decode(presented.trim()).ok()?;
        if raw.len() != NONCE + EXPIRY + MAC {
            return None;
        }
        let (nonce, rest) = raw.split_at(NONCE);
        let (expiry, mac) = rest.split_at(EXPIRY);
        let expires_at = i64::from_be_bytes(expiry.try_into().ok()?);
        let expected = keyring.vote_key_mac(&purpose.signed(nonce, expires_at));
        if !bool::from(expected.ct_eq(mac)) || expires_at < now {
            return None;
        }
        Some(SpentVoteKey {
            digest: TokenDigest(keyring.vote_key_digest(nonce)),
            expires_at,
        })
    }
}

/// A valid key about to be spent: what the store keeps of it, and until when.
pub struct SpentVoteKey {
    pub digest: TokenDigest,
    pub expires_at: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_counts_only_for_what_it_was_made_for_and_only_until_it_expires() {
        let dir = tempfile::tempdir().unwrap();
        let keyring =
            Keyring::open_or_create(&dir.path().join("keys"), "help@example.org").unwrap();
        let now = 1_800_000_000;
        let helped = VotePurpose::Helped { slug: "reset" };
        let key = VoteKey::issue(&keyring, helped, now).unwrap();
        let spent = VoteKey::check(&keyring, key.as_str(), helped, now + 60).unwrap();
        assert_eq!(spent.expires_at, now + VOTE_KEY_SECONDS);
        // The same key always spends as the same digest, so the store can see a second use.
        let again = VoteKey::check(&keyring, key.as_str(), helped, now + 61).unwrap();
        assert_eq!(spent.digest.0, again.digest.0);

        let other = VoteKey::issue(&keyring, helped, now).unwrap();
        let other = VoteKey::check(&keyring, other.as_str(), helped, now).unwrap();
        assert_ne!(spent.digest.0, other.digest.0);

        assert!(VoteKey::check(&keyring, key.as_str(), VotePurpose::Deflection, now).is_none());
        let elsewhere = VotePurpose::Helped { slug: "other" };
        assert!(VoteKey::check(&keyring, key.as_str(), elsewhere, now).is_none());
        assert!(
            VoteKey::check(&keyring, key.as_str(), helped, now + VOTE_KEY_SECONDS + 1).is_none()
        );
        let mut tampered = key.as_str().to_owned().into_bytes();
        tampered[3] = if tampered[3] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).unwrap();
        assert!(VoteKey::check(&keyring, &tampered, helped, now).is_none());
        assert!(VoteKey::check(&keyring, "", helped, now).is_none());
        assert!(VoteKey::check(&keyring, "not base64 at all!", helped, now).is_none());
    }
}
