//! Single-use download links for sealed attachments: the token an agent's browser or API
//! client holds for a few minutes. Only its keyed hash is stored.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::TokenDigest;
use crate::crypto::{Keyring, RandomError, os_random};

/// A download link's token (256 bits from the OS generator), as it appears in the link.
pub struct DownloadToken(String);

impl DownloadToken {
    pub fn generate() -> Result<Self, RandomError> {
        Ok(DownloadToken(URL_SAFE_NO_PAD.encode(os_random::<32>()?)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for DownloadToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DownloadToken(…)")
    }
}

/// Digest of whatever was presented, well-formed or not, so a malformed token costs the
/// same lookup as a spent one.
pub fn digest_download_token(keyring: &Keyring, presented: &str) -> TokenDigest {
    TokenDigest(keyring.download_link_digest(presented.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn download_tokens_are_long_url_safe_and_distinct() {
        let a = DownloadToken::generate().unwrap();
        let b = DownloadToken::generate().unwrap();
        assert_eq!(a.as_str().len(), 43);
        assert!(
            a.as_str()
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
        assert_ne!(a.as_str(), b.as_str());
    }
}
