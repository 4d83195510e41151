//! Helpers for mail tests: requester keys, OpenPGP messages built with sequoia the way
//! mail clients build them, and a raw SMTP/LMTP client.

use std::io::Write;

use openpgp::cert::prelude::*;
use openpgp::parse::Parse;
use openpgp::parse::stream::{
    DecryptionHelper, DecryptorBuilder, MessageStructure, VerificationHelper,
};
use openpgp::policy::StandardPolicy;
use openpgp::serialize::SerializeInto;
use openpgp::serialize::stream::{Armorer, Encryptor, LiteralWriter, Message, Signer};
use sequoia_openpgp as openpgp;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// A mail user with an OpenPGP key.
pub struct Person {
    pub address: String,
    pub cert: Cert,
}

impl Person {
    pub fn new(address: &str) -> Person {
        let (cert, _) = CertBuilder::general_purpose(Some(format!("Someone <{address}>")))
            .set_cipher_suite(CipherSuite::Cv25519)
            .generate()
            .unwrap();
        Person {
            address: address.to_owned(),
            cert,
        }
    }

    pub fn public_armored(&self) -> String {
        String::from_utf8(self.cert.armored().to_vec().unwrap()).unwrap()
    }

    fn signer(&self) -> openpgp::crypto::KeyPair {
        let policy = StandardPolicy::new();
        self.cert
            .keys()
            .unencrypted_secret()
            .with_policy(&policy, None)
            .for_signing()
            .next()
            .unwrap()
            .key()
            .clone()
            .into_keypair()
            .unwrap()
    }

    /// Encrypts `plaintext` to `recipient_armored`, signed by this person if `sign`.
    pub fn encrypt(&self, recipient_armored: &str, plaintext: &[u8], sign: bool) -> String {
        let policy = StandardPolicy::new();
        let recipient = Cert::from_bytes(recipient_armored.as_bytes()).unwrap();
        let keys: Vec<_> = recipient
            .keys()
            .with_policy(&policy, None)
            .for_transport_encryption()
            .collect();
        let mut sink = Vec::new();
        {
            let message = Message::new(&mut sink);
            let message = Armorer::new(message).build().unwrap();
            let message = Encryptor::for_recipients(message, keys).build().unwrap();
            let message = if sign {
                Signer::new(message, self.signer())
                    .unwrap()
                    .build()
                    .unwrap()
            } else {
                message
            };
            let mut literal = LiteralWriter::new(message).build().unwrap();
            literal.write_all(plaintext).unwrap();
            literal.finalize().unwrap();
        }
        String::from_utf8(sink).unwrap()
    }

    /// An armored detached signature over `data`.
    pub fn sign_detached(&self, data: &[u8]) -> String {
        let mut sink = Vec::new();
        {
            let message = Message::new(&mut sink);
            let message = Armorer::new(message)
                .kind(openpgp::armor::Kind::Signature)
                .build()
                .unwrap();
            let mut signer = Signer::new(message, self.signer())
                .unwrap()
                .detached()
                .build()
                .unwrap();
            signer.write_all(data).unwrap();
            signer.finalize().unwrap();
        }
        String::from_utf8(sink).unwrap()
    }

    /// A cleartext-signed text (`-----BEGIN PGP SIGNED MESSAGE-----`).
    pub fn sign_cleartext(&self, text: &str) -> String {
        let mut sink = Vec::new();
        {
            let message = Message::new(&mut sink);
            let mut signer = Signer::new(message, self.signer())
                .unwrap()
                .cleartext()
                .build()
                .unwrap();
            signer.write_all(text.as_bytes()).unwrap();
            signer.finalize().unwrap();
        }
        String::from_utf8(sink).unwrap()
    }

    /// Decrypts a message addressed to this person.
    pub fn decrypt(&self, armored: &[u8]) -> Vec<u8> {
        struct Helper<'a>(&'a Cert);
        impl VerificationHelper for Helper<'_> {
            fn get_certs(&mut self, _: &[openpgp::KeyHandle]) -> openpgp::Result<Vec<Cert>> {
                Ok(vec![])
            }
            fn check(&mut self, _: MessageStructure) -> openpgp::Result<()> {
                Ok(())
            }
        }
        impl DecryptionHelper for Helper<'_> {
            fn decrypt(
                &mut self,
                pkesks: &[openpgp::packet::PKESK],
                _: &[openpgp::packet::SKESK],
                sym: Option<openpgp::types::SymmetricAlgorithm>,
                decrypt: &mut dyn FnMut(
                    Option<openpgp::types::SymmetricAlgorithm>,
                    &openpgp::crypto::SessionKey,
                ) -> bool,
            ) -> openpgp::Result<Option<Cert>> {
                let policy = StandardPolicy::new();
                for ka in self
                    .0
                    .keys()
                    .unencrypted_secret()
                    .with_policy(&policy, None)
                    .for_transport_encryption()
                {
                    let mut pair = ka.key().clone().into_keypair()?;
                    for pkesk in pkesks {
                        if let Some((algo, key)) = pkesk.decrypt(&mut pair, sym)
                            && decrypt(algo, &key)
                        {
                            return Ok(None);
                        }
                    }
                }
                Err(anyhow::anyhow!("not for me"))
            }
        }
        let policy = StandardPolicy::new();
        let mut reader = DecryptorBuilder::from_bytes(armored)
            .unwrap()
            .with_policy(&policy, None, Helper(&self.cert))
            .unwrap();
        let mut out = Vec::new();
        std::io::copy(&mut reader, &mut out).unwrap();
        out
    }
}

/// A plain text mail.
pub fn plain_mail(from: &str, to: &str, subject: &str, body: &str) -> String {
    format!(
        "From: <{from}>\r\nTo: <{to}>\r\nSubject: {subject}\r\nMessage-ID: <{}@test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n",
        rand_id()
    )
}

/// A PGP/MIME (RFC 3156) encrypted mail whose inner entity is `inner`.
pub fn pgp_mime_encrypted(from: &str, to: &str, subject: &str, armored: &str) -> String {
    format!(
        "From: <{from}>\r\nTo: <{to}>\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=\"enc-b\"\r\n\r\n\
         --enc-b\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n\r\n\
         --enc-b\r\nContent-Type: application/octet-stream; name=\"encrypted.asc\"\r\n\r\n{armored}\r\n\
         --enc-b--\r\n"
    )
}

/// The MIME entity a client encrypts: a text part.
pub fn text_entity(body: &str) -> String {
    format!("Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n")
}

/// A PGP/MIME signed entity (multipart/signed), signed by `signer`.
pub fn signed_entity(signer: &Person, body: &str) -> String {
    let part = text_entity(body);
    // The signature covers the part up to, not including, the CRLF before the boundary.
    let signed = part.trim_end_matches("\r\n");
    let signature = signer.sign_detached(signed.as_bytes());
    format!(
        "Content-Type: multipart/signed; micalg=pgp-sha512; protocol=\"application/pgp-signature\"; boundary=\"sig-b\"\r\n\r\n\
         --sig-b\r\n{signed}\r\n--sig-b\r\nContent-Type: application/pgp-signature; name=\"signature.asc\"\r\n\r\n{signature}\r\n--sig-b--\r\n"
    )
}

/// A complete mail with the given top-level entity (headers of the entity included).
pub fn mail_with_entity(from: &str, to: &str, subject: &str, entity: &str) -> String {
    format!("From: <{from}>\r\nTo: <{to}>\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\n{entity}")
}

fn rand_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    format!("m{}", N.fetch_add(1, Ordering::SeqCst))
}

/// Speaks SMTP (or LMTP) to `addr` and sends one message; returns every reply line.
pub async fn send(
    addr: std::net::SocketAddr,
    lmtp: bool,
    from: &str,
    recipients: &[&str],
    data: &str,
) -> Vec<String> {
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (reader, mut writer) = stream.into_split();
    let mut reader = BufReader::new(reader);
    let mut replies = Vec::new();
    async fn read_reply(
        reader: &mut BufReader<tokio::net::tcp::OwnedReadHalf>,
        replies: &mut Vec<String>,
    ) -> String {
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).await.unwrap();
            let line = line.trim_end().to_owned();
            replies.push(line.clone());
            if line.len() < 4 || line.as_bytes()[3] != b'-' {
                return line;
            }
        }
    }
    read_reply(&mut reader, &mut replies).await;
    let hello = if lmtp {
        "LHLO test.example"
    } else {
        "EHLO test.example"
    };
    for command in [hello.to_owned(), format!("MAIL FROM:<{from}>")] {
        writer
            .write_all(format!("{command}\r\n").as_bytes())
            .await
            .unwrap();
        read_reply(&mut reader, &mut replies).await;
    }
    let mut accepted = 0;
    for rcpt in recipients {
        writer
            .write_all(format!("RCPT TO:<{rcpt}>\r\n").as_bytes())
            .await
            .unwrap();
        if read_reply(&mut reader, &mut replies)
            .await
            .starts_with("250")
        {
            accepted += 1;
        }
    }
    writer.write_all(b"DATA\r\n").await.unwrap();
    if read_reply(&mut reader, &mut replies)
        .await
        .starts_with("354")
    {
        // On the wire every line ends in CRLF (the listener refuses bare LF); armored
        // OpenPGP from sequoia and GnuPG ends lines in LF, as an MTA's queue file would.
        let mut stuffed = String::new();
        for line in data.split_inclusive('\n') {
            if line.starts_with('.') {
                stuffed.push('.');
            }
            let line = line.strip_suffix('\n').unwrap_or(line);
            stuffed.push_str(line.strip_suffix('\r').unwrap_or(line));
            stuffed.push_str("\r\n");
        }
        if !stuffed.ends_with("\r\n") {
            stuffed.push_str("\r\n");
        }
        writer.write_all(stuffed.as_bytes()).await.unwrap();
        writer.write_all(b".\r\n").await.unwrap();
        let answers = if lmtp { accepted } else { 1 };
        for _ in 0..answers {
            read_reply(&mut reader, &mut replies).await;
        }
    }
    writer.write_all(b"QUIT\r\n").await.unwrap();
    read_reply(&mut reader, &mut replies).await;
    replies
}

/// The final answer to the message (the reply after DATA's 354).
pub fn outcome(replies: &[String]) -> &str {
    let data = replies.iter().position(|r| r.starts_with("354"));
    match data {
        Some(i) => &replies[i + 1],
        None => replies
            .iter()
            .rev()
            .nth(1)
            .map(String::as_str)
            .unwrap_or(""),
    }
}
