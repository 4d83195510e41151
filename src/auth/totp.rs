//! Time-based one-time codes (RFC 6238) as the second factor.

use crate::crypto::{RandomError, os_random};

/// A TOTP seed; 20 bytes as RFC 4226 recommends.
pub struct TotpSeed(pub [u8; 20]);

impl TotpSeed {
    pub fn generate() -> Result<Self, RandomError> {
        Ok(TotpSeed(os_random()?))
    }

    /// The `otpauth://` URI an authenticator app imports.
    pub fn provisioning_uri(&self, account: &str, issuer: &str) -> anyhow::Result<String> {
        Ok(totp(&self.0, account, issuer)?.to_url()?)
    }

    /// The seed in base32, for authenticator apps that take the key typed in.
    pub fn base32(&self) -> String {
        totp_rs::Secret::new_stack(self.0).to_base32()
    }
}

impl std::fmt::Debug for TotpSeed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSeed(…)")
    }
}

/// Checks `code` at `unix_time` (one step of clock skew either way) and returns the time
/// step it belongs to. The caller refuses steps at or before the last one accepted.
pub fn check_code(seed: &[u8], code: &str, unix_time: u64) -> Option<u64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    let totp = totp(seed, "", "hushdesk").ok()?;
    totp.check(&code, unix_time)
}

/// The code for `unix_time`, for the unit tests.
#[cfg(test)]
pub fn code_at(seed: &[u8], unix_time: u64) -> Option<String> {
    Some(
        totp(seed, "", "hushdesk")
            .ok()?
            .generate(unix_time)
            .to_string(),
    )
}

fn totp(seed: &[u8], account: &str, issuer: &str) -> Result<totp_rs::Totp, totp_rs::TotpError> {
    totp_rs::Builder::new()
        .with_secret(seed.to_vec())
        .with_account_name(account)
        .with_issuer(Some(issuer))
        .with_skew(1)
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_current_code_checks_and_a_stale_one_does_not() {
        let seed = TotpSeed::generate().unwrap();
        let now = 1_790_000_000;
        let code = code_at(&seed.0, now).unwrap();
        let step = check_code(&seed.0, &code, now).unwrap();
        assert_eq!(step, now / 30);
        assert!(check_code(&seed.0, &code, now + 600).is_none());
        assert!(check_code(&seed.0, "12345", now).is_none());
    }

    #[test]
    fn provisioning_uri_names_issuer_and_account() {
        let seed = TotpSeed::generate().unwrap();
        let uri = seed.provisioning_uri("alice", "hushdesk").unwrap();
        assert!(uri.starts_with("otpauth://totp/"), "{uri}");
        assert!(uri.contains("alice") && uri.contains("secret="));
    }
}
