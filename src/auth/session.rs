//! Agent session tokens (cookie or bearer) and the CSRF token bound to each; and the
//! sign-in form's own token, bound to a nonce cookie, since there is no session yet.

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

/// How long a sign-in form stays usable after it was shown.
pub const LOGIN_FORM_SECONDS: i64 = 3600;

/// The random value of the sign-in form's cookie. An attacker's page cannot read or set it
/// (HttpOnly, SameSite=Strict), so it cannot forge the form's matching token either.
pub fn login_nonce() -> Result<String, RandomError> {
    Ok(URL_SAFE_NO_PAD.encode(os_random::<32>()?))
}

/// The hidden field of a sign-in form shown at `issued` (Unix seconds) to the holder of
/// `nonce`: `ISSUED.MAC`.
pub fn login_form_token(keyring: &Keyring, nonce: &str, issued: i64) -> String {
    let mac = keyring.login_form_mac(format!("{nonce}.{issued}").as_bytes());
    format!("{issued}.{}", URL_SAFE_NO_PAD.encode(mac))
}

/// Whether `submitted` is a sign-in form token for `nonce`, shown within the last hour.
/// The comparison is constant-time.
pub fn login_form_token_valid(keyring: &Keyring, nonce: &str, submitted: &str, now: i64) -> bool {
    let Some(issued) = submitted
        .split_once('.')
        .and_then(|(issued, _)| issued.parse::<i64>().ok())
    else {
        return false;
    };
    // A minute of slack for clocks stepping backwards.
    if issued > now + 60 || now - issued > LOGIN_FORM_SECONDS {
        return false;
    }
    let expected = login_form_token(keyring, nonce, issued);
    bool::from(subtle::ConstantTimeEq::ct_eq(
        expected.as_bytes(),
        submitted.as_bytes(),
    ))
}
