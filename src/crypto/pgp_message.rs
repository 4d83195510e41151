//! OpenPGP messages with sequoia: decrypt mail sent to the helpdesk, check signatures against
//! keys we were given, and encrypt and sign mail to requesters. Only outcomes leave this file.

use std::io::{Read, Write};

use openpgp::cert::prelude::*;
use openpgp::crypto::SessionKey;
use openpgp::packet::{PKESK, SKESK};
use openpgp::parse::Parse;
use openpgp::parse::stream::{
    DecryptionHelper, DecryptorBuilder, DetachedVerifierBuilder, MessageLayer, MessageStructure,
    VerificationError, VerificationHelper, VerifierBuilder,
};
use openpgp::policy::StandardPolicy;
use openpgp::serialize::stream::{Armorer, Encryptor, LiteralWriter, Message, Signer};
use openpgp::types::SymmetricAlgorithm;
use openpgp::{Fingerprint, KeyHandle};
use sequoia_openpgp as openpgp;

use super::pgp::HelpdeskKey;

/// What a signature check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureCheck {
    /// Not signed.
    None,
    /// A good signature by one of the keys we were given.
    Good {
        fingerprint: String,
        /// E-mail addresses in the signing key's valid user IDs, lowercased.
        emails: Vec<String>,
        /// Made by the pinned key itself, not by a key that came with the message.
        by_pinned_key: bool,
        /// Names this one signature: SHA-256 of the hash it was computed over (the signed
        /// data and the signed subpackets). Every copy of the signature has the same one,
        /// whatever was changed in its unsigned area, so a replayed signature is recognised.
        identity: [u8; 32],
    },
    /// Signed by a key we have, but the signature does not verify (altered or malformed).
    Bad,
    /// Signed, but by a key we do not have (or cannot use), so it cannot be checked.
    Unverifiable,
}

impl SignatureCheck {
    /// How telling a result is, when a message carries several signatures: a good one wins,
    /// then a bad one (worth an agent's attention), then one that could not be checked.
    fn weight(&self) -> u8 {
        match self {
            SignatureCheck::None => 0,
            SignatureCheck::Unverifiable => 1,
            SignatureCheck::Bad => 2,
            SignatureCheck::Good { .. } => 3,
        }
    }
}

/// The keys a signature may be checked against, kept apart by where they came from.
#[derive(Debug, Clone, Copy, Default)]
pub struct SignerKeys<'a> {
    /// The ticket's pinned key: the only one whose signature proves who wrote.
    pub pinned: Option<&'a [u8]>,
    /// Keys that came with the message itself (Autocrypt header, attachment, inside the
    /// encrypted part). They can check a signature but prove nothing about the sender.
    pub delivered: &'a [Vec<u8>],
}

/// A message opened by the helpdesk.
#[derive(Debug)]
pub struct Opened {
    pub content: Vec<u8>,
    pub encrypted: bool,
    pub signature: SignatureCheck,
    /// Who made the signatures no given key could check (issuer key IDs/fingerprints, hex):
    /// tells whether a key found later is worth checking with (see `could_have_signed`).
    pub missing_signers: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PgpMessageError {
    #[error("the message is not encrypted to this helpdesk's key")]
    NotForUs,
    #[error("the OpenPGP data is damaged or not OpenPGP at all")]
    Malformed,
    /// Decrypting or decompressing gave more than the caller's limit; reading stopped there.
    #[error("the opened message is larger than the limit")]
    TooLarge,
    #[error("the recipient's OpenPGP key cannot be used for encryption")]
    UnusableRecipient,
    #[error("encrypting failed")]
    Encrypt,
}

struct Helper<'a> {
    policy: &'a StandardPolicy<'a>,
    secret: Option<&'a Cert>,
    candidates: Vec<Cert>,
    pinned: Option<Fingerprint>,
    signature: SignatureCheck,
    missing_signers: Vec<KeyHandle>,
    encrypted: bool,
    decrypt_failed: bool,
}

impl<'a> Helper<'a> {
    fn new(
        policy: &'a StandardPolicy<'a>,
        secret: Option<&'a Cert>,
        keys: &SignerKeys<'_>,
    ) -> Self {
        let pinned = keys.pinned.and_then(|bytes| Cert::from_bytes(bytes).ok());
        let pinned_fingerprint = pinned.as_ref().map(Cert::fingerprint);
        // A delivered copy of the pinned certificate is dropped: which copy sequoia would
        // pick is not ours to guess, and only the copy we pinned may vouch for the sender.
        let delivered = keys
            .delivered
            .iter()
            .filter_map(|bytes| Cert::from_bytes(bytes).ok())
            .filter(|cert| Some(cert.fingerprint()) != pinned_fingerprint);
        Helper {
            policy,
            secret,
            candidates: pinned.into_iter().chain(delivered).collect(),
            pinned: pinned_fingerprint,
            signature: SignatureCheck::None,
            missing_signers: Vec::new(),
            encrypted: false,
            decrypt_failed: false,
        }
    }
}

impl VerificationHelper for Helper<'_> {
    fn get_certs(&mut self, _ids: &[KeyHandle]) -> openpgp::Result<Vec<Cert>> {
        Ok(self.candidates.clone())
    }

    fn check(&mut self, structure: MessageStructure) -> openpgp::Result<()> {
        for layer in structure.into_iter() {
            match layer {
                MessageLayer::Encryption { .. } => self.encrypted = true,
                MessageLayer::SignatureGroup { results } => {
                    for result in results {
                        let found = match result {
                            Ok(good) => {
                                let cert = good.ka.cert();
                                SignatureCheck::Good {
                                    fingerprint: cert.fingerprint().to_hex(),
                                    emails: valid_emails(cert, self.policy),
                                    by_pinned_key: Some(cert.fingerprint()) == self.pinned,
                                    identity: signature_identity(good.sig),
                                }
                            }
                            Err(VerificationError::MissingKey { sig }) => {
                                self.missing_signers.extend(sig.get_issuers());
                                SignatureCheck::Unverifiable
                            }
                            Err(VerificationError::BadSignature { .. })
                            | Err(VerificationError::MalformedSignature { .. }) => {
                                SignatureCheck::Bad
                            }
                            // No key, or a key that is revoked, expired or not bound to its
                            // certificate: nothing we can check the signature against.
                            Err(_) => SignatureCheck::Unverifiable,
                        };
                        if found.weight() > self.signature.weight() {
                            self.signature = found;
                        }
                    }
                }
                MessageLayer::Compression { .. } => {}
            }
        }
        // Signature problems are reported, not fatal: an unsigned or unverifiable message
        // is still a message, marked as such.
        Ok(())
    }
}

impl DecryptionHelper for Helper<'_> {
    fn decrypt(
        &mut self,
        pkesks: &[PKESK],
        _skesks: &[SKESK],
        sym_algo: Option<SymmetricAlgorithm>,
        decrypt: &mut dyn FnMut(Option<SymmetricAlgorithm>, &SessionKey) -> bool,
    ) -> openpgp::Result<Option<Cert>> {
        let Some(secret) = self.secret else {
            self.decrypt_failed = true;
            return Err(anyhow::anyhow!("no decryption key"));
        };
        for ka in secret
            .keys()
            .unencrypted_secret()
            .with_policy(self.policy, None)
            .for_transport_encryption()
            .for_storage_encryption()
        {
            let mut pair = ka.key().clone().into_keypair()?;
            for pkesk in pkesks {
                if let Some((algo, key)) = pkesk.decrypt(&mut pair, sym_algo)
                    && decrypt(algo, &key)
                {
                    return Ok(Some(secret.clone()));
                }
            }
        }
        self.decrypt_failed = true;
        Err(anyhow::anyhow!("not encrypted to the helpdesk key"))
    }
}

fn valid_emails(cert: &Cert, policy: &StandardPolicy<'_>) -> Vec<String> {
    let Ok(valid) = cert.with_policy(policy, None) else {
        return Vec::new();
    };
    valid
        .userids()
        .revoked(false)
        .filter_map(|ua| ua.userid().email().ok().flatten().map(|e| e.to_lowercase()))
        .collect()
}

/// See `SignatureCheck::Good::identity`. The signature's own bytes would not do: its
/// unhashed subpackets can be changed without breaking it.
fn signature_identity(signature: &openpgp::packet::Signature) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    match signature.computed_digest() {
        Some(digest) => hasher.update(digest),
        // Verification sets the digest; should it ever be missing, the signature value
        // still names the signature.
        None => hasher.update(format!("{:?}", signature.mpis())),
    }
    hasher.finalize().into()
}

/// How much sequoia may buffer to check signatures first: one byte past the limit, so a
/// message just over it is still caught by `read_all`.
fn read_ahead(limit: u64) -> usize {
    usize::try_from(limit.saturating_add(1)).unwrap_or(usize::MAX)
}

/// Reads the opened content, at most `limit` bytes of it. A compressed message can inflate
/// a thousandfold, so the limit is counted on what comes out, and reading stops at it.
fn read_all(reader: &mut dyn Read, limit: u64) -> Result<Vec<u8>, PgpMessageError> {
    let mut out = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|_| PgpMessageError::Malformed)?;
    if out.len() as u64 > limit {
        return Err(PgpMessageError::TooLarge);
    }
    Ok(out)
}

impl HelpdeskKey {
    /// Decrypts an encrypted message (signed or not) addressed to the helpdesk; the
    /// decrypted and decompressed content may not exceed `limit` bytes.
    pub(super) fn decrypt(
        &self,
        data: &[u8],
        signers: &SignerKeys<'_>,
        limit: u64,
    ) -> Result<Opened, PgpMessageError> {
        let policy = StandardPolicy::new();
        let helper = Helper::new(&policy, Some(self.cert()), signers);
        // Sequoia reads ahead (25 MiB by default) to check signatures before it hands out
        // any content; that read-ahead must not exceed the limit either.
        let builder = DecryptorBuilder::from_bytes(data)
            .map_err(|_| PgpMessageError::Malformed)?
            .buffer_size(read_ahead(limit));
        let mut decryptor = match builder.with_policy(&policy, None, helper) {
            Ok(decryptor) => decryptor,
            Err(_) => {
                return Err(if looks_encrypted(data) {
                    PgpMessageError::NotForUs
                } else {
                    PgpMessageError::Malformed
                });
            }
        };
        let content = read_all(&mut decryptor, limit)?;
        let helper = decryptor.into_helper();
        if helper.decrypt_failed {
            return Err(PgpMessageError::NotForUs);
        }
        Ok(Opened {
            content,
            encrypted: helper.encrypted,
            signature: helper.signature,
            missing_signers: hex_handles(&helper.missing_signers),
        })
    }

    /// Encrypts `plaintext` to the requester's key and signs it with the helpdesk key;
    /// returns the ASCII-armored message.
    pub(super) fn encrypt_and_sign(
        &self,
        plaintext: &[u8],
        recipient: &[u8],
    ) -> Result<Vec<u8>, PgpMessageError> {
        let policy = StandardPolicy::new();
        let recipient =
            Cert::from_bytes(recipient).map_err(|_| PgpMessageError::UnusableRecipient)?;
        let recipients: Vec<_> = recipient
            .keys()
            .with_policy(&policy, None)
            .supported()
            .alive()
            .revoked(false)
            .for_transport_encryption()
            .collect();
        if recipients.is_empty() {
            return Err(PgpMessageError::UnusableRecipient);
        }
        let signing = self.signing_keypair(&policy)?;
        let mut sink = Vec::new();
        let write = || -> openpgp::Result<()> {
            let message = Message::new(&mut sink);
            let message = Armorer::new(message).build()?;
            let message = Encryptor::for_recipients(message, recipients).build()?;
            let message = Signer::new(message, signing)?.build()?;
            let mut literal = LiteralWriter::new(message).build()?;
            literal.write_all(plaintext)?;
            literal.finalize()?;
            Ok(())
        };
        write().map_err(|_| PgpMessageError::Encrypt)?;
        Ok(sink)
    }
}

impl HelpdeskKey {
    /// The key pair the helpdesk signs with.
    fn signing_keypair(
        &self,
        policy: &StandardPolicy<'_>,
    ) -> Result<openpgp::crypto::KeyPair, PgpMessageError> {
        self.cert()
            .keys()
            .unencrypted_secret()
            .with_policy(policy, None)
            .supported()
            .alive()
            .revoked(false)
            .for_signing()
            .next()
            .ok_or(PgpMessageError::Encrypt)?
            .key()
            .clone()
            .into_keypair()
            .map_err(|_| PgpMessageError::Encrypt)
    }

    /// A cleartext signature (`-----BEGIN PGP SIGNED MESSAGE-----`) over `text`.
    pub(super) fn sign_cleartext(&self, text: &[u8]) -> Result<Vec<u8>, PgpMessageError> {
        let policy = StandardPolicy::new();
        let signing = self.signing_keypair(&policy)?;
        let mut sink = Vec::new();
        let write = || -> openpgp::Result<()> {
            let message = Message::new(&mut sink);
            let mut signer = Signer::new(message, signing)?.cleartext().build()?;
            signer.write_all(text)?;
            signer.finalize()?;
            Ok(())
        };
        write().map_err(|_| PgpMessageError::Encrypt)?;
        Ok(sink)
    }
}

/// Verifies a signed message that is not encrypted (inline-signed or cleartext-signed text)
/// and returns the signed content, at most `limit` bytes of it.
pub(super) fn verify_inline(
    data: &[u8],
    signers: &SignerKeys<'_>,
    limit: u64,
) -> Result<Opened, PgpMessageError> {
    let policy = StandardPolicy::new();
    let helper = Helper::new(&policy, None, signers);
    let mut verifier = VerifierBuilder::from_bytes(data)
        .and_then(|b| {
            b.buffer_size(read_ahead(limit))
                .with_policy(&policy, None, helper)
        })
        .map_err(|_| PgpMessageError::Malformed)?;
    let content = read_all(&mut verifier, limit)?;
    let helper = verifier.into_helper();
    Ok(Opened {
        content,
        encrypted: false,
        missing_signers: hex_handles(&helper.missing_signers),
        signature: helper.signature,
    })
}

/// Verifies a detached signature (PGP/MIME `multipart/signed`) over `data`.
pub(super) fn verify_detached(
    data: &[u8],
    signature: &[u8],
    signers: &SignerKeys<'_>,
) -> SignatureCheck {
    let policy = StandardPolicy::new();
    let helper = Helper::new(&policy, None, signers);
    // A signature part that is not an OpenPGP signature at all claims a signature it does
    // not carry: that is a bad one, not a missing key.
    let Ok(builder) = DetachedVerifierBuilder::from_bytes(signature) else {
        return SignatureCheck::Bad;
    };
    let Ok(mut verifier) = builder.with_policy(&policy, None, helper) else {
        return SignatureCheck::Bad;
    };
    if verifier.verify_bytes(data).is_err() {
        return SignatureCheck::Bad;
    }
    verifier.into_helper().signature
}

/// A cheap look at whether `data` is an encrypted message rather than something else.
fn looks_encrypted(data: &[u8]) -> bool {
    let text = String::from_utf8_lossy(&data[..data.len().min(4096)]);
    text.contains("-----BEGIN PGP MESSAGE-----")
}

fn hex_handles(handles: &[KeyHandle]) -> Vec<String> {
    handles.iter().map(KeyHandle::to_hex).collect()
}

/// Whether `key` (a certificate, armored or binary) holds a key that one of `signers` (as in
/// `Opened::missing_signers`) names.
pub fn could_have_signed(key: &[u8], signers: &[String]) -> bool {
    let Ok(cert) = Cert::from_bytes(key) else {
        return false;
    };
    let handles: Vec<KeyHandle> = signers.iter().filter_map(|s| s.parse().ok()).collect();
    cert.keys().any(|ka| {
        let own = ka.key().key_handle();
        handles.iter().any(|h| h.aliases(&own))
    })
}

/// The fingerprint of a public key, if it parses.
pub fn fingerprint_of(key: &[u8]) -> Option<String> {
    Cert::from_bytes(key).ok().map(|c| c.fingerprint().to_hex())
}

/// Whether two fingerprints name the same key.
pub fn same_fingerprint(a: &str, b: &str) -> bool {
    match (a.parse::<Fingerprint>(), b.parse::<Fingerprint>()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: u64 = 1024 * 1024;

    #[test]
    fn an_unknown_signer_is_named_so_only_its_own_key_is_worth_a_second_check() {
        let helpdesk = key("help@example.org");
        let signer = key("jo@example.org");
        let stranger = key("other@example.org");
        let message = signer
            .encrypt_and_sign(b"hi", helpdesk.public_armored().unwrap().as_bytes())
            .unwrap();
        let opened = helpdesk
            .decrypt(&message, &SignerKeys::default(), LIMIT)
            .unwrap();
        assert_eq!(opened.signature, SignatureCheck::Unverifiable);
        let signer_key = signer.public_armored().unwrap().into_bytes();
        let stranger_key = stranger.public_armored().unwrap().into_bytes();
        assert!(could_have_signed(&signer_key, &opened.missing_signers));
        assert!(!could_have_signed(&stranger_key, &opened.missing_signers));
    }

    #[test]
    fn content_past_the_limit_is_refused_and_content_at_it_opens() {
        let helpdesk = key("help@example.org");
        let public = helpdesk.public_armored().unwrap().into_bytes();
        let message = helpdesk.encrypt_and_sign(&[b'a'; 4096], &public).unwrap();
        assert_eq!(
            helpdesk
                .decrypt(&message, &SignerKeys::default(), 4095)
                .err(),
            Some(PgpMessageError::TooLarge)
        );
        let opened = helpdesk
            .decrypt(&message, &SignerKeys::default(), 4096)
            .unwrap();
        assert_eq!(opened.content.len(), 4096);
    }

    fn key(address: &str) -> HelpdeskKey {
        HelpdeskKey::load(&HelpdeskKey::generate(address).unwrap()).unwrap()
    }

    #[test]
    fn encrypted_and_signed_mail_opens_with_the_signers_identity() {
        let helpdesk = key("help@example.org");
        let requester = key("jo@example.org");
        let requester_public = requester.public_armored().unwrap().into_bytes();
        let helpdesk_public = helpdesk.public_armored().unwrap().into_bytes();
        let message = requester
            .encrypt_and_sign(b"my card is 4111", &helpdesk_public)
            .unwrap();

        let delivered = SignerKeys {
            pinned: None,
            delivered: std::slice::from_ref(&requester_public),
        };
        let opened = helpdesk.decrypt(&message, &delivered, LIMIT).unwrap();
        assert_eq!(opened.content, b"my card is 4111");
        assert!(opened.encrypted);
        match opened.signature {
            SignatureCheck::Good {
                emails,
                by_pinned_key,
                ..
            } => {
                assert_eq!(emails, ["jo@example.org"]);
                assert!(!by_pinned_key);
            }
            other => panic!("{other:?}"),
        }
        // The same key pinned, and offered again as delivered: it counts as the pinned one.
        let pinned = SignerKeys {
            pinned: Some(&requester_public),
            delivered: std::slice::from_ref(&requester_public),
        };
        let opened = helpdesk.decrypt(&message, &pinned, LIMIT).unwrap();
        assert!(matches!(
            opened.signature,
            SignatureCheck::Good {
                by_pinned_key: true,
                ..
            }
        ));
        // Without the signer's key the signature cannot be checked, but the text opens.
        let unknown = helpdesk
            .decrypt(&message, &SignerKeys::default(), LIMIT)
            .unwrap();
        assert_eq!(unknown.signature, SignatureCheck::Unverifiable);
    }

    #[test]
    fn an_altered_signed_text_is_bad_and_an_unknown_signer_unverifiable() {
        let helpdesk = key("help@example.org");
        let public = helpdesk.public_armored().unwrap().into_bytes();
        let signed = String::from_utf8(helpdesk.sign_cleartext(b"hello there\n").unwrap()).unwrap();
        let keys = SignerKeys {
            pinned: None,
            delivered: std::slice::from_ref(&public),
        };
        let good = verify_inline(signed.as_bytes(), &keys, LIMIT).unwrap();
        assert!(matches!(good.signature, SignatureCheck::Good { .. }));
        let altered = signed.replace("hello there", "hello THERE");
        let bad = verify_inline(altered.as_bytes(), &keys, LIMIT).unwrap();
        assert_eq!(bad.signature, SignatureCheck::Bad);
        let unknown = verify_inline(signed.as_bytes(), &SignerKeys::default(), LIMIT).unwrap();
        assert_eq!(unknown.signature, SignatureCheck::Unverifiable);
    }

    #[test]
    fn mail_for_another_key_and_damaged_armor_are_refused_with_different_reasons() {
        let helpdesk = key("help@example.org");
        let other = key("other@example.org");
        let for_other = helpdesk
            .encrypt_and_sign(b"hello", other.public_armored().unwrap().as_bytes())
            .unwrap();
        assert_eq!(
            helpdesk
                .decrypt(&for_other, &SignerKeys::default(), LIMIT)
                .err(),
            Some(PgpMessageError::NotForUs)
        );
        let mut damaged = for_other.clone();
        let middle = damaged.len() / 2;
        damaged.truncate(middle);
        assert!(
            helpdesk
                .decrypt(&damaged, &SignerKeys::default(), LIMIT)
                .is_err()
        );
        assert_eq!(
            helpdesk
                .decrypt(b"not openpgp at all", &SignerKeys::default(), LIMIT)
                .err(),
            Some(PgpMessageError::Malformed)
        );
    }
}
