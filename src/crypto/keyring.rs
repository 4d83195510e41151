//! The server's secrets, loaded from (or created in) `DATA_DIR/keys/` at start-up.

use std::path::Path;
use std::str::FromStr;

use age::secrecy::ExposeSecret;
use anyhow::Context;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::files::{ensure_private_dir, read_or_create};
use super::pgp::HelpdeskKey;
use super::seal::{SealError, Sealed, TicketKey};

const AGE_IDENTITY_FILE: &str = "age-identity.txt";
const PEPPER_FILE: &str = "pepper";
const OPENPGP_FILE: &str = "openpgp-secret.asc";

/// Everything secret the server holds. Lives outside the database, so a copy of the
/// database alone can neither open sealed data nor confirm a guessed token.
pub struct Keyring {
    age_identity: age::x25519::Identity,
    pepper: [u8; 32],
    helpdesk_pgp: HelpdeskKey,
    /// Most bytes one OpenPGP message in received mail may open to (decrypted and
    /// decompressed): a small compressed message can otherwise inflate a thousandfold.
    max_opened_bytes: u64,
}

/// `max_opened_bytes` until the configuration sets it: the default mail size limit.
const DEFAULT_MAX_OPENED_BYTES: u64 = 10 * 1024 * 1024;

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keyring(…)")
    }
}

impl Keyring {
    /// Opens the keys in `dir`, creating any that are missing (mode 0600).
    pub fn open_or_create(dir: &Path, support_address: &str) -> anyhow::Result<Self> {
        ensure_private_dir(dir)?;
        let age_text = read_or_create(&dir.join(AGE_IDENTITY_FILE), || {
            let identity = age::x25519::Identity::generate();
            Ok(format!("{}\n", identity.to_string().expose_secret()).into_bytes())
        })?;
        let age_identity = age::x25519::Identity::from_str(String::from_utf8(age_text)?.trim())
            .map_err(|e| anyhow::anyhow!("{AGE_IDENTITY_FILE} is not an age identity: {e}"))?;

        let pepper_text = read_or_create(&dir.join(PEPPER_FILE), || {
            Ok(format!("{}\n", hex(&super::os_random::<32>()?)).into_bytes())
        })?;
        let pepper = parse_hex32(String::from_utf8(pepper_text)?.trim())
            .with_context(|| format!("{PEPPER_FILE} must hold 64 hex digits"))?;

        let pgp = read_or_create(&dir.join(OPENPGP_FILE), || {
            HelpdeskKey::generate(support_address)
        })?;
        let helpdesk_pgp =
            HelpdeskKey::load(&pgp).with_context(|| format!("loading {OPENPGP_FILE}"))?;
        Ok(Keyring {
            age_identity,
            pepper,
            helpdesk_pgp,
            max_opened_bytes: DEFAULT_MAX_OPENED_BYTES,
        })
    }

    /// Sets the most bytes one OpenPGP message in received mail may open to.
    pub fn with_opened_limit(mut self, bytes: u64) -> Self {
        self.max_opened_bytes = bytes;
        self
    }

    /// The most bytes one OpenPGP message in received mail may open to.
    pub fn opened_limit(&self) -> u64 {
        self.max_opened_bytes
    }

    /// The keyed hash an access token is stored and looked up as.
    pub fn token_digest(&self, token: &[u8]) -> [u8; 32] {
        self.keyed_hash(b"access-token", token)
    }

    /// The keyed hash a reply-address token is stored and looked up as.
    pub fn reply_token_digest(&self, token: &[u8]) -> [u8; 32] {
        self.keyed_hash(b"reply-token", token)
    }

    /// The per-ticket key for mask digests (see `redact::MaskBook`).
    pub fn mask_key(&self, reference: &str) -> [u8; 32] {
        self.keyed_hash(b"mask-key", reference.as_bytes())
    }

    /// The keyed hash a token of an imported proof list is stored and looked up as (given
    /// normalised, see `domain::normalized_code`).
    pub fn proof_token_digest(&self, normalized: &[u8]) -> [u8; 32] {
        self.keyed_hash(b"proof-token", normalized)
    }

    /// The keyed hash an agent session or API token is stored and looked up as.
    pub fn session_digest(&self, token: &[u8]) -> [u8; 32] {
        self.keyed_hash(b"agent-session", token)
    }

    /// The keyed hash an agent's enrolment-link token is stored and looked up as.
    pub fn enrolment_digest(&self, token: &[u8]) -> [u8; 32] {
        self.keyed_hash(b"enrolment-link", token)
    }

    /// The signature on a knowledge-base vote key: what it is for, its nonce and its expiry.
    pub fn vote_key_mac(&self, signed: &[u8]) -> [u8; 32] {
        self.keyed_hash(b"kb-vote-key", signed)
    }

    /// The keyed hash a spent knowledge-base vote key is kept as.
    pub fn vote_key_digest(&self, nonce: &[u8]) -> [u8; 32] {
        self.keyed_hash(b"kb-vote-key-spent", nonce)
    }

    /// The keyed hash a single-use attachment download link is stored and looked up as.
    pub fn download_link_digest(&self, token: &[u8]) -> [u8; 32] {
        self.keyed_hash(b"attachment-download-link", token)
    }

    /// The CSRF token bound to one session: derived, so nothing more is stored, and useless
    /// without the session cookie it belongs to.
    pub fn csrf_token(&self, session_token: &[u8]) -> [u8; 32] {
        self.keyed_hash(b"csrf", session_token)
    }

    /// The sign-in form's token for one pre-session nonce (login CSRF): derived, so nothing
    /// is stored, and a different purpose from session CSRF tokens.
    pub fn login_form_mac(&self, nonce_and_time: &[u8]) -> [u8; 32] {
        self.keyed_hash(b"login-form", nonce_and_time)
    }

    /// The digest a client network (its /24 or /64) is rate-limited under. Keyed with the
    /// pepper, which every instance of a desk shares (they share `keys/`), so all of them
    /// count one network as one; the database alone cannot tell which network a row is.
    pub fn rate_limit_digest(&self, network: &[u8]) -> [u8; 32] {
        self.keyed_hash(b"rate-limit-network", network)
    }

    /// The key of the audit chain. Without it nobody can recompute the chain after editing
    /// the database, so an edit shows up at `audit verify`.
    pub fn audit_key(&self) -> [u8; 32] {
        self.keyed_hash(b"audit-chain", b"")
    }

    /// Seals a small server secret (a TOTP seed) to the server identity.
    pub fn seal_for_server(&self, plaintext: &[u8]) -> Result<Sealed, SealError> {
        super::seal::seal_to_recipient(&self.age_identity.to_public(), plaintext)
    }

    pub fn open_for_server(&self, sealed: &Sealed) -> Result<Vec<u8>, SealError> {
        super::seal::open_with_identity(&self.age_identity, sealed)
    }

    /// Seals a new ticket key to the server identity for storage.
    pub fn seal_ticket_key(&self, key: &TicketKey) -> Result<Sealed, SealError> {
        key.seal_with(&self.age_identity.to_public())
    }

    /// Opens a stored ticket key.
    pub fn open_ticket_key(&self, sealed: &Sealed) -> Result<TicketKey, SealError> {
        TicketKey::open_with(&self.age_identity, sealed)
    }

    /// Decrypts mail addressed to the helpdesk; signatures are checked against `signers`.
    pub fn decrypt_mail(
        &self,
        data: &[u8],
        signers: &super::SignerKeys<'_>,
    ) -> Result<super::Opened, super::PgpMessageError> {
        self.helpdesk_pgp
            .decrypt(data, signers, self.max_opened_bytes)
    }

    /// Verifies an inline- or cleartext-signed message in received mail, telling the pinned
    /// key's signature apart from one by a key that came with the message; the signed content
    /// is held to the same limit as decrypted mail.
    pub fn verify_inline_mail(
        &self,
        data: &[u8],
        signers: &super::SignerKeys<'_>,
    ) -> Result<super::Opened, super::PgpMessageError> {
        super::pgp_message::verify_inline(data, signers, self.max_opened_bytes)
    }

    /// The keyed digest a signature is remembered by on its ticket (see
    /// `SignatureCheck::Good::identity`): keyed, so the database alone cannot confirm that a
    /// given captured mail was ever sent here.
    pub fn signature_seen_digest(&self, identity: &[u8; 32]) -> [u8; 32] {
        self.keyed_hash(b"signature-seen", identity)
    }

    /// Signs `text` with the helpdesk key as a cleartext-signed message.
    pub fn sign_cleartext(&self, text: &[u8]) -> Result<Vec<u8>, super::PgpMessageError> {
        self.helpdesk_pgp.sign_cleartext(text)
    }

    /// Encrypts to a requester's public key and signs with the helpdesk key (armored).
    pub fn encrypt_for_requester(
        &self,
        plaintext: &[u8],
        recipient_key: &[u8],
    ) -> Result<Vec<u8>, super::PgpMessageError> {
        self.helpdesk_pgp.encrypt_and_sign(plaintext, recipient_key)
    }

    /// The helpdesk's public key in binary form (for Autocrypt headers and WKD).
    pub fn helpdesk_public_key_binary(&self) -> anyhow::Result<Vec<u8>> {
        self.helpdesk_pgp.public_binary()
    }

    pub fn helpdesk_public_key(&self) -> anyhow::Result<String> {
        self.helpdesk_pgp.public_armored()
    }

    pub fn helpdesk_fingerprint(&self) -> String {
        self.helpdesk_pgp.fingerprint()
    }

    fn keyed_hash(&self, purpose: &[u8], data: &[u8]) -> [u8; 32] {
        // HMAC takes keys of any length; this branch cannot be reached.
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.pepper) else {
            return [0; 32];
        };
        mac.update(purpose);
        mac.update(&[0]);
        mac.update(data);
        mac.finalize().into_bytes().into()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn parse_hex32(text: &str) -> anyhow::Result<[u8; 32]> {
    anyhow::ensure!(text.len() == 64, "wrong length");
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn keys_are_created_once_with_owner_only_permissions_and_reloaded() {
        let dir = tempfile::tempdir().unwrap();
        let keys = dir.path().join("keys");
        let first = Keyring::open_or_create(&keys, "support@localhost").unwrap();
        for name in [AGE_IDENTITY_FILE, PEPPER_FILE, OPENPGP_FILE] {
            let mode = std::fs::metadata(keys.join(name))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{name}");
        }
        let second = Keyring::open_or_create(&keys, "support@localhost").unwrap();
        assert_eq!(first.token_digest(b"t"), second.token_digest(b"t"));
        assert_eq!(first.helpdesk_fingerprint(), second.helpdesk_fingerprint());
    }

    #[test]
    fn a_ticket_key_survives_a_round_trip_through_storage() {
        let dir = tempfile::tempdir().unwrap();
        let keyring = Keyring::open_or_create(dir.path(), "support@localhost").unwrap();
        let key = TicketKey::generate();
        let sealed_contact = key.seal(b"jane@example.org").unwrap();
        let stored = keyring.seal_ticket_key(&key).unwrap();
        let reopened = keyring
            .open_ticket_key(&Sealed::from_stored(stored.as_bytes().to_vec()))
            .unwrap();
        assert_eq!(reopened.open(&sealed_contact).unwrap(), b"jane@example.org");
        assert!(!String::from_utf8_lossy(stored.as_bytes()).contains("AGE-SECRET-KEY"));
    }

    #[test]
    fn world_readable_key_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        Keyring::open_or_create(dir.path(), "support@localhost").unwrap();
        let pepper = dir.path().join(PEPPER_FILE);
        std::fs::set_permissions(&pepper, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = Keyring::open_or_create(dir.path(), "support@localhost").unwrap_err();
        assert!(err.to_string().contains("readable by other users"), "{err}");
    }
}
