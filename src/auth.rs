//! Authentication only: the requester's secret access token, agents' passwords, second
//! factor and sessions. Secrets are shown once, stored only hashed or sealed, never logged.

mod download;
mod password;
mod session;
mod totp;
mod vote_key;

pub use download::{DownloadToken, digest_download_token};
pub use password::{
    MIN_PASSWORD_CHARS, PasswordError, generate_initial_password, hash_password,
    verify_against_nothing, verify_password,
};
pub use session::{
    LOGIN_FORM_SECONDS, SessionToken, csrf_matches, csrf_token, digest_session_token,
    login_form_token, login_form_token_valid, login_nonce,
};
pub use totp::{TotpSeed, check_code};
pub use vote_key::{VoteKey, VotePurpose};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::crypto::{Keyring, RandomError, os_random};

/// Bytes of randomness in an access token (256 bits; the brief asks for at least 128).
const TOKEN_BYTES: usize = 32;

/// A requester's secret access token, in the form it is shown in links.
pub struct AccessToken(String);

impl AccessToken {
    pub fn generate() -> Result<Self, RandomError> {
        Ok(AccessToken(
            URL_SAFE_NO_PAD.encode(os_random::<TOKEN_BYTES>()?),
        ))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessToken(…)")
    }
}

/// The secret tag of a ticket's reply address (`support+TAG@…`): 130 bits, lowercase
/// letters and digits so that mail systems that fold case do not break it.
pub struct ReplyToken(String);

impl ReplyToken {
    pub fn generate() -> Result<Self, RandomError> {
        const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
        let bytes = os_random::<26>()?;
        Ok(ReplyToken(
            bytes
                .iter()
                .map(|b| ALPHABET[usize::from(b % 32)] as char)
                .collect(),
        ))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for ReplyToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReplyToken(…)")
    }
}

pub use crate::crypto::TokenDigest;

/// Digests whatever the client sent, well-formed or not, so that a malformed token costs
/// the same hash and the same lookup as a wrong one and the two cannot be told apart.
pub fn digest_presented_token(keyring: &Keyring, presented: &str) -> TokenDigest {
    TokenDigest(keyring.token_digest(presented.as_bytes()))
}

pub fn digest_token(keyring: &Keyring, token: &AccessToken) -> TokenDigest {
    digest_presented_token(keyring, token.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_url_safe_and_distinct() {
        let a = AccessToken::generate().unwrap();
        let b = AccessToken::generate().unwrap();
        assert_eq!(a.as_str().len(), 43);
        assert!(
            a.as_str()
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
        assert_ne!(a.as_str(), b.as_str());
    }
}
