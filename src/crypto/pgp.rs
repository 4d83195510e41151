//! OpenPGP keys with sequoia: the helpdesk's own key and requesters' public keys.

use openpgp::cert::prelude::*;
use openpgp::parse::Parse;
use openpgp::policy::StandardPolicy;
use openpgp::serialize::SerializeInto;
use sequoia_openpgp as openpgp;

/// Why a requester's key was refused; shown to the requester.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PgpKeyError {
    #[error("the OpenPGP key could not be read; paste the whole ASCII-armored public key block")]
    Unreadable,
    #[error(
        "this is a PRIVATE key: it was not stored. Never share it; paste your public key instead"
    )]
    SecretKeyMaterial,
    #[error("the OpenPGP key has no valid encryption subkey (expired, revoked or too weak)")]
    NoEncryptionKey,
}

/// Whether `data` holds an OpenPGP key with secret key material anywhere. Read by its
/// packets, not by its armor's words: any run of base64 lines (armored or bare, any label,
/// any case) is decoded and counts when it starts with a secret key or secret subkey
/// packet; binary input is parsed as keys too.
pub(super) fn holds_secret_key(data: &[u8]) -> bool {
    if data
        .windows(17)
        .any(|w| w.eq_ignore_ascii_case(b"PRIVATE KEY BLOCK"))
    {
        return true;
    }
    if starts_with_secret_key_packet(data)
        || base64_runs(data).any(|run| starts_with_secret_key_packet(&run))
    {
        return true;
    }
    CertParser::from_bytes(data).is_ok_and(|certs| certs.flatten().any(|c| c.is_tsk()))
}

/// Whether the first OpenPGP packet is a secret key (tag 5) or secret subkey (tag 7), in the
/// old or the new packet format (RFC 9580, 4.2).
fn starts_with_secret_key_packet(bytes: &[u8]) -> bool {
    let Some(&ctb) = bytes.first() else {
        return false;
    };
    if ctb & 0x80 == 0 {
        return false;
    }
    let tag = if ctb & 0x40 != 0 {
        ctb & 0x3f
    } else {
        (ctb >> 2) & 0x0f
    };
    matches!(tag, 5 | 7)
}

/// Each run of consecutive lines made only of base64 characters, decoded. Armor header lines
/// (`Key: value`), the checksum line (`=XXXX`) and lines of text end a run.
fn base64_runs(data: &[u8]) -> impl Iterator<Item = Vec<u8>> {
    use base64::Engine as _;
    use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
    let text = String::from_utf8_lossy(data);
    let mut runs: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        // Trimmed, not squeezed: armor lines hold no inner blanks, and a line of words
        // joined up could pass for base64.
        let line = line.trim();
        let is_checksum = line.len() == 5 && line.starts_with('=');
        let is_base64 = line.len() >= 4
            && line
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='));
        if is_base64 && !is_checksum {
            current.push_str(line);
        } else if !current.is_empty() {
            runs.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    let engine = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    );
    runs.into_iter()
        .filter_map(move |run| engine.decode(run.trim_end_matches('=')).ok())
}

/// A requester's public key that we can encrypt to, serialized for sealing.
pub struct RequesterKey {
    pub armored: Vec<u8>,
    pub fingerprint: String,
    /// E-mail addresses of the key's valid user IDs, lowercased.
    pub user_emails: Vec<String>,
}

impl RequesterKey {
    pub fn parse(text: &str) -> Result<Self, PgpKeyError> {
        let cert = Cert::from_bytes(text.as_bytes()).map_err(|_| PgpKeyError::Unreadable)?;
        if cert.is_tsk() {
            return Err(PgpKeyError::SecretKeyMaterial);
        }
        let policy = StandardPolicy::new();
        let valid = cert
            .with_policy(&policy, None)
            .map_err(|_| PgpKeyError::NoEncryptionKey)?;
        let can_encrypt = valid
            .keys()
            .supported()
            .alive()
            .revoked(false)
            .for_transport_encryption()
            .next()
            .is_some();
        if !can_encrypt {
            return Err(PgpKeyError::NoEncryptionKey);
        }
        let user_emails = valid
            .userids()
            .revoked(false)
            .filter_map(|ua| ua.userid().email().ok().flatten().map(|e| e.to_lowercase()))
            .collect();
        let armored = cert
            .armored()
            .to_vec()
            .map_err(|_| PgpKeyError::Unreadable)?;
        Ok(RequesterKey {
            armored,
            fingerprint: cert.fingerprint().to_hex(),
            user_emails,
        })
    }
}

/// ASCII-armors a public key given in binary (as Autocrypt headers carry it).
pub fn armor_public_key(bytes: &[u8]) -> Option<String> {
    let cert = Cert::from_bytes(bytes).ok()?;
    if cert.is_tsk() {
        return None;
    }
    String::from_utf8(cert.armored().to_vec().ok()?).ok()
}

/// The helpdesk's own key pair.
pub(super) struct HelpdeskKey {
    cert: Cert,
}

impl HelpdeskKey {
    pub fn generate(support_address: &str) -> anyhow::Result<Vec<u8>> {
        let (cert, _revocation) =
            CertBuilder::general_purpose(Some(format!("hushdesk <{support_address}>")))
                .set_cipher_suite(CipherSuite::Cv25519)
                .generate()?;
        cert.as_tsk().armored().to_vec()
    }

    pub fn load(bytes: &[u8]) -> anyhow::Result<Self> {
        let cert = Cert::from_bytes(bytes)?;
        anyhow::ensure!(
            cert.is_tsk(),
            "the helpdesk OpenPGP key file holds no secret key"
        );
        Ok(HelpdeskKey { cert })
    }

    pub fn public_armored(&self) -> anyhow::Result<String> {
        Ok(String::from_utf8(self.cert.armored().to_vec()?)?)
    }

    pub fn fingerprint(&self) -> String {
        self.cert.fingerprint().to_spaced_hex()
    }

    pub fn public_binary(&self) -> anyhow::Result<Vec<u8>> {
        self.cert.clone().strip_secret_key_material().to_vec()
    }

    pub(super) fn cert(&self) -> &Cert {
        &self.cert
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_keys_are_accepted_and_private_keys_refused() {
        let tsk = HelpdeskKey::generate("help@example.org").unwrap();
        let helpdesk = HelpdeskKey::load(&tsk).unwrap();
        let public = helpdesk.public_armored().unwrap();
        assert!(public.contains("BEGIN PGP PUBLIC KEY BLOCK"));
        assert!(RequesterKey::parse(&public).is_ok());

        let private = String::from_utf8(tsk).unwrap();
        assert_eq!(
            RequesterKey::parse(&private).err(),
            Some(PgpKeyError::SecretKeyMaterial)
        );
        assert_eq!(
            RequesterKey::parse("hello").err(),
            Some(PgpKeyError::Unreadable)
        );
    }
}
