//! Agent session tokens (cookie or bearer) and the CSRF token bound to each.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::TokenDigest;
use crate::crypto::{Keyring, RandomError, os_random};

/// A session or API token as the client holds it. Only its keyed hash is stored.
pub struct SessionToken(String);

impl SessionToken {
    pub fn generate() -> Result<Self, RandomError> {
        Ok(SessionToken(URL_SAFE_NO_PAD.encode(os_random::<32>()?)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionToken(…)")
    }
}

/// Digest of whatever the client presented, well-formed or not.
pub fn digest_session_token(keyring: &Keyring, presented: &str) -> TokenDigest {
    TokenDigest(keyring.session_digest(presented.as_bytes()))
}

/// The CSRF token forms carry for this session.
pub fn csrf_token(keyring: &Keyring, session: &str) -> String {
    URL_SAFE_NO_PAD.encode(keyring.csrf_token(session.as_bytes()))
}

/// Constant-time check of a submitted CSRF token.
pub fn csrf_matches(keyring: &Keyring, session: &str, submitted: &str) -> bool {
    let expected = csrf_token(keyring, session);
    bool::from(subtle::ConstantTimeEq::ct_eq(
        expected.as_bytes(),
        submitted.as_bytes(),
    ))
}
