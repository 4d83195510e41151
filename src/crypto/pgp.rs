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

/// Whether `data` holds an OpenPGP key with secret key material anywhere: a private key
/// block's armor line, or any key (armored block or binary) that parses as one, so neither
/// a public block pasted first nor a relabelled armor line hides it.
pub(super) fn holds_secret_key(data: &[u8]) -> bool {
    const ARMOR_START: &[u8] = b"-----BEGIN PGP";
    if data.windows(17).any(|w| w == b"PRIVATE KEY BLOCK") {
        return true;
    }
    let blocks = (0..data.len())
        .filter(|&i| data[i..].starts_with(ARMOR_START))
        .map(|i| &data[i..]);
    std::iter::once(data).chain(blocks).any(|block| {
        CertParser::from_bytes(block).is_ok_and(|certs| certs.flatten().any(|c| c.is_tsk()))
    })
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
