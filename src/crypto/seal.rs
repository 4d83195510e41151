//! Sealing at rest with age. Each ticket has its own key; that key is itself sealed to the
//! server identity, so destroying one row makes everything sealed for that ticket unreadable.

use std::str::FromStr;

use age::secrecy::ExposeSecret;

/// Bytes encrypted with age. Only this module makes one, so the store can demand ciphertext.
#[derive(Clone)]
pub struct Sealed(Vec<u8>);

impl Sealed {
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Wraps ciphertext read back from storage. Crate-private: only the store reads sealed
    /// columns back, and nothing outside the crate may pass bytes off as sealed data.
    pub(crate) fn from_stored(bytes: Vec<u8>) -> Self {
        Sealed(bytes)
    }
}

impl std::fmt::Debug for Sealed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Sealed({} bytes)", self.0.len())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("sealing failed")]
    Encrypt,
    #[error("sealed data cannot be opened with this key")]
    Decrypt,
}

/// A ticket's own key pair.
pub struct TicketKey {
    identity: age::x25519::Identity,
}

impl TicketKey {
    pub fn generate() -> Self {
        TicketKey {
            identity: age::x25519::Identity::generate(),
        }
    }

    /// Seals `plaintext` so that only this ticket's key opens it.
    pub fn seal(&self, plaintext: &[u8]) -> Result<Sealed, SealError> {
        seal_to(&self.identity.to_public(), plaintext)
    }

    pub fn open(&self, sealed: &Sealed) -> Result<Vec<u8>, SealError> {
        age::decrypt(&self.identity, &sealed.0).map_err(|_| SealError::Decrypt)
    }

    /// This key, sealed to the server identity, for storing beside the ticket.
    pub(super) fn seal_with(&self, server: &age::x25519::Recipient) -> Result<Sealed, SealError> {
        seal_to(server, self.identity.to_string().expose_secret().as_bytes())
    }

    pub(super) fn open_with(
        server: &age::x25519::Identity,
        sealed: &Sealed,
    ) -> Result<Self, SealError> {
        let bytes = age::decrypt(server, &sealed.0).map_err(|_| SealError::Decrypt)?;
        let text = String::from_utf8(bytes).map_err(|_| SealError::Decrypt)?;
        let identity = age::x25519::Identity::from_str(&text).map_err(|_| SealError::Decrypt)?;
        Ok(TicketKey { identity })
    }
}

pub(super) fn seal_to_recipient(
    recipient: &age::x25519::Recipient,
    plaintext: &[u8],
) -> Result<Sealed, SealError> {
    seal_to(recipient, plaintext)
}

pub(super) fn open_with_identity(
    identity: &age::x25519::Identity,
    sealed: &Sealed,
) -> Result<Vec<u8>, SealError> {
    age::decrypt(identity, &sealed.0).map_err(|_| SealError::Decrypt)
}

fn seal_to(recipient: &age::x25519::Recipient, plaintext: &[u8]) -> Result<Sealed, SealError> {
    age::encrypt(recipient, plaintext)
        .map(Sealed)
        .map_err(|_| SealError::Encrypt)
}
