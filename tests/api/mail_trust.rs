//! What "verified" and "same requester" mean for mail: only the ticket's pinned key
//! verifies, a key that came with the mail makes it `signed` (and is pinned to a new
//! ticket), the sender is `From:` (never `Reply-To`), and a trusted MTA's
//! `Authentication-Results:` gates the contact match. GnuPG-made messages included.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use crate::mail_support::{
    Person, mail_with_entity, outcome, pgp_mime_encrypted, plain_mail, send, signed_entity,
    text_entity,
};
use crate::support::TestApp;

const DESK: &str = "support@localhost";

async fn agent_token(app: &TestApp) -> String {
    let agent = app.add_agent("trustee", "l1", &["general"]).await;
    app.api_login(&agent).await
}

async fn ticket(app: &TestApp, token: &str, reference: &str) -> Value {
    app.agent_get(token, &format!("/api/v1/agent/tickets/{reference}"))
        .await
        .json()
        .await
        .unwrap()
}

/// The reference in "250 2.0.0 Ok: filed as HD-…" / "… added to HD-…".
fn reference_in(answer: &str) -> String {
    answer
        .split_whitespace()
        .last()
        .filter(|r| r.starts_with("HD-"))
        .unwrap_or_else(|| panic!("no reference in {answer:?}"))
        .to_owned()
}

/// An `Autocrypt:` header line carrying `person`'s public key for `addr`.
fn autocrypt(addr: &str, person: &Person) -> String {
    use base64::Engine;
    let keydata = base64::engine::general_purpose::STANDARD.encode(
        sequoia_openpgp::serialize::SerializeInto::to_vec(
            &person.cert.clone().strip_secret_key_material(),
        )
        .unwrap(),
    );
    format!("Autocrypt: addr={addr}; keydata={keydata}\r\n")
}

/// Files a ticket through the API with a contact (and a key), returns (reference, reply address).
async fn ticket_with_contact(
    app: &TestApp,
    contact: &str,
    key: Option<String>,
) -> (String, String) {
    let mut extra = json!({ "contact": contact });
    if let Some(key) = key {
        extra["pgp_key"] = Value::String(key);
    }
    let (reference, access, _) = app.file_via_api("Account", "I am locked out", extra).await;
    let view: Value = app
        .get(&format!("/api/v1/tickets/{access}"))
        .await
        .json()
        .await
        .unwrap();
    let reply_address = view["reply_address"].as_str().unwrap().to_owned();
    (reference, reply_address)
}

fn signatures(ticket: &Value) -> Vec<String> {
    ticket["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["signature"].as_str().unwrap().to_owned())
        .collect()
}

/// Delivers the outbox to a sink and returns what it captured.
async fn deliver_outbox(app: &TestApp) -> Vec<crate::mail_sink::Captured> {
    let relay = crate::mail_sink::free_addr();
    let sink = crate::mail_sink::start(relay).await;
    hushdesk::jobs::deliver_mail(
        &app.state.system,
        &format!("smtp://{relay}"),
        hushdesk::desk::now_unix(),
    )
    .await
    .unwrap();
    sink.captured.lock().unwrap().clone()
}

/// The `Reply-To:` address (the ticket's secret reply address) of a captured mail.
fn reply_to_of(raw: &[u8]) -> String {
    let message = mail_parser::MessageParser::default().parse(raw).unwrap();
    message
        .reply_to()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_key_that_came_with_the_mail_makes_it_signed_then_pinned_so_the_next_mail_is_verified() {
    let app = TestApp::spawn().await;
    let token = agent_token(&app).await;
    let desk_key = app.state.helpdesk_public_key.to_string();
    // Anyone can make a key that names jo@example.org and put it in an Autocrypt header.
    let claimant = Person::new("jo@example.org");
    let armored = claimant.encrypt(&desk_key, text_entity("first words").as_bytes(), true);
    let mail = format!(
        "{}{}",
        autocrypt("jo@example.org", &claimant),
        pgp_mime_encrypted("jo@example.org", DESK, "Help", &armored)
    );
    let replies = send(app.smtp, false, "jo@example.org", &[DESK], &mail).await;
    let answer = outcome(&replies);
    assert!(answer.contains("filed as"), "{replies:?}");
    let reference = reference_in(answer);
    assert_eq!(
        signatures(&ticket(&app, &token, &reference).await),
        ["signed"],
        "a key delivered with the mail proves nothing about who sent it"
    );
    let agent = app.add_agent("reader", "l1", &["general"]).await;
    let session = app.html_login(&agent).await;
    let page = app
        .html_get(&session, &format!("/agent/tickets/{reference}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("signed, key not yet trusted"), "{page}");
    assert!(!page.contains("signature verified"));

    // The key was pinned: the acknowledgement is encrypted to it, and names the reply address.
    let captured = deliver_outbox(&app).await;
    assert_eq!(captured.len(), 1);
    let ack = String::from_utf8(claimant.decrypt(&encrypted_payload(&captured[0].data))).unwrap();
    assert!(ack.contains(&reference), "{ack}");
    let reply_address = reply_to_of(&captured[0].data);
    assert!(reply_address.starts_with("support+"), "{reply_address}");

    // The next mail signed by the same key, without sending the key again: verified.
    let armored = claimant.encrypt(&desk_key, text_entity("second words").as_bytes(), true);
    let mail = pgp_mime_encrypted("jo@example.org", &reply_address, "Re: Help", &armored);
    let replies = send(app.smtp, false, "jo@example.org", &[&reply_address], &mail).await;
    assert_eq!(
        outcome(&replies),
        format!("250 2.0.0 Ok: added to {reference}"),
        "{replies:?}"
    );
    assert_eq!(
        signatures(&ticket(&app, &token, &reference).await),
        ["signed", "verified"]
    );
    let page = app
        .html_get(&session, &format!("/agent/tickets/{reference}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("signature verified"), "{page}");
}

/// The ciphertext part of a PGP/MIME mail.
fn encrypted_payload(raw: &[u8]) -> Vec<u8> {
    use mail_parser::MimeHeaders;
    let message = mail_parser::MessageParser::default().parse(raw).unwrap();
    message
        .parts
        .iter()
        .find(|p| p.is_content_type("application", "octet-stream"))
        .unwrap()
        .contents()
        .to_vec()
}

#[tokio::test]
async fn on_a_pinned_ticket_another_key_with_the_same_user_id_is_only_signed_and_opens_no_door() {
    let app = TestApp::spawn().await;
    let token = agent_token(&app).await;
    let desk_key = app.state.helpdesk_public_key.to_string();
    let jo = Person::new("jo@example.org");
    let impostor = Person::new("jo@example.org");
    let (reference, reply_address) =
        ticket_with_contact(&app, "jo@example.org", Some(jo.public_armored())).await;

    // From the contact address (which joins by itself here), with the look-alike key in an
    // Autocrypt header: the mail joins, but its signature is not the pinned key's.
    let armored = impostor.encrypt(&desk_key, text_entity("it is me").as_bytes(), true);
    let mail = format!(
        "{}{}",
        autocrypt("jo@example.org", &impostor),
        pgp_mime_encrypted("jo@example.org", &reply_address, "Re", &armored)
    );
    let replies = send(app.smtp, false, "jo@example.org", &[&reply_address], &mail).await;
    assert_eq!(
        outcome(&replies),
        format!("250 2.0.0 Ok: added to {reference}"),
        "{replies:?}"
    );
    assert_eq!(
        signatures(&ticket(&app, &token, &reference).await),
        ["none", "signed"],
        "a look-alike key with the contact's address is not the pinned key"
    );

    // From another address, signed by a look-alike key sent along: not a reply.
    let armored = impostor.encrypt(
        &desk_key,
        text_entity("send the reset link").as_bytes(),
        true,
    );
    let mail = format!(
        "{}{}",
        autocrypt("jo.travel@example.net", &impostor),
        pgp_mime_encrypted("jo.travel@example.net", &reply_address, "Re", &armored)
    );
    let replies = send(
        app.smtp,
        false,
        "jo.travel@example.net",
        &[&reply_address],
        &mail,
    )
    .await;
    let answer = outcome(&replies);
    assert!(answer.contains("filed as"), "{replies:?}");
    assert_eq!(
        signatures(&ticket(&app, &token, &reference_in(answer)).await),
        ["signed"]
    );

    // The pinned key was not replaced: the real key still verifies, from any address.
    let armored = jo.encrypt(&desk_key, text_entity("the real me").as_bytes(), true);
    let mail = pgp_mime_encrypted("jo.travel@example.net", &reply_address, "Re", &armored);
    let replies = send(
        app.smtp,
        false,
        "jo.travel@example.net",
        &[&reply_address],
        &mail,
    )
    .await;
    assert_eq!(
        outcome(&replies),
        format!("250 2.0.0 Ok: added to {reference}"),
        "{replies:?}"
    );
    assert_eq!(
        signatures(&ticket(&app, &token, &reference).await),
        ["none", "signed", "verified"]
    );
}

#[tokio::test]
async fn reply_to_is_never_the_sender() {
    let app = TestApp::spawn().await;
    let token = agent_token(&app).await;
    let (reference, reply_address) = ticket_with_contact(&app, "jo@example.org", None).await;

    let spoof = plain_mail(
        "mallory@example.net",
        &reply_address,
        "Re: Account",
        "Please send the reset link to me",
    )
    .replacen("Subject:", "Reply-To: <jo@example.org>\r\nSubject:", 1);
    let replies = send(
        app.smtp,
        false,
        "mallory@example.net",
        &[&reply_address],
        &spoof,
    )
    .await;
    assert!(outcome(&replies).contains("filed as"), "{replies:?}");

    // Positive control: the contact itself, same route, joins.
    let genuine = plain_mail(
        "jo@example.org",
        &reply_address,
        "Re: Account",
        "Still locked",
    );
    let replies = send(
        app.smtp,
        false,
        "jo@example.org",
        &[&reply_address],
        &genuine,
    )
    .await;
    assert_eq!(
        outcome(&replies),
        format!("250 2.0.0 Ok: added to {reference}"),
        "{replies:?}"
    );
    let bodies: Vec<String> = ticket(&app, &token, &reference).await["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap().trim().to_owned())
        .collect();
    assert_eq!(bodies, ["I am locked out", "Still locked"]);
}

#[tokio::test]
async fn a_signed_mail_altered_on_the_way_is_bad() {
    let app = TestApp::spawn().await;
    let token = agent_token(&app).await;
    let jo = Person::new("jo@example.org");
    let signed = signed_entity(&jo, "pay 10 EUR to the usual account");
    let altered = signed.replace("pay 10 EUR", "pay 9000 EUR");
    let mut references = Vec::new();
    for entity in [&signed, &altered] {
        let mail = format!(
            "{}{}",
            autocrypt("jo@example.org", &jo),
            mail_with_entity("jo@example.org", DESK, "Payment", entity)
        );
        let replies = send(app.smtp, false, "jo@example.org", &[DESK], &mail).await;
        references.push(reference_in(outcome(&replies)));
    }
    assert_eq!(
        signatures(&ticket(&app, &token, &references[0]).await),
        ["signed"]
    );
    assert_eq!(
        signatures(&ticket(&app, &token, &references[1]).await),
        ["bad"]
    );
    let agent = app.add_agent("checker", "l1", &["general"]).await;
    let session = app.html_login(&agent).await;
    let page = app
        .html_get(&session, &format!("/agent/tickets/{}", references[1]))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("bad signature"), "{page}");
}

/// A reply from the contact to the reply address, with these `Authentication-Results:`
/// headers on top; returns the final SMTP answer.
async fn reply_with_results(app: &TestApp, reply_address: &str, results: &[&str]) -> String {
    let headers: String = results
        .iter()
        .map(|r| format!("Authentication-Results: {r}\r\n"))
        .collect();
    let mail = format!(
        "{headers}{}",
        plain_mail("jo@example.org", reply_address, "Re: Account", "more")
    );
    let replies = send(app.smtp, false, "jo@example.org", &[reply_address], &mail).await;
    outcome(&replies).to_owned()
}

#[tokio::test]
async fn with_a_trusted_mta_the_contact_match_needs_its_dmarc_or_aligned_dkim_pass() {
    let app = TestApp::spawn_with(|c| {
        c.mail.trusted_authserv_id = Some("mx.example.org".into());
    })
    .await;
    let (reference, reply_address) = ticket_with_contact(&app, "jo@example.org", None).await;
    let joined = format!("250 2.0.0 Ok: added to {reference}");

    let refused: [(&str, &[&str]); 6] = [
        ("no header at all", &[]),
        (
            "trusted host, dmarc=fail",
            &["mx.example.org; dmarc=fail (p=reject) header.from=example.org"],
        ),
        (
            "untrusted host says pass",
            &["mail.example.org; dmarc=pass header.from=example.org"],
        ),
        (
            "trusted pass written below the trusted host's fail",
            &[
                "mx.example.org; dmarc=fail header.from=example.org",
                "mx.example.org; dmarc=pass header.from=example.org",
            ],
        ),
        (
            "dkim pass for another domain",
            &["mx.example.org; dkim=pass header.d=attacker.example"],
        ),
        (
            "two results smuggled into one statement",
            &["mx.example.org; dmarc=fail dmarc=pass header.from=example.org"],
        ),
    ];
    for (label, headers) in refused {
        let answer = reply_with_results(&app, &reply_address, headers).await;
        assert!(answer.contains("filed as HD-"), "{label}: {answer}");
    }

    let accepted: [(&str, &[&str]); 3] = [
        (
            "trusted host, dmarc=pass",
            &[
                "MX.example.org;\r\n\tdkim=pass header.d=example.org;\r\n\tdmarc=pass (p=none) header.from=example.org",
            ],
        ),
        (
            "untrusted header on top is ignored",
            &[
                "mail.example.org; dmarc=fail",
                "mx.example.org 1; spf=fail smtp.mailfrom=x.example; dkim=pass header.d=example.org",
            ],
        ),
        (
            "aligned dkim pass, no dmarc result",
            &["mx.example.org; dkim=pass (good signature) header.d=example.org header.s=sel"],
        ),
    ];
    for (label, headers) in accepted {
        let answer = reply_with_results(&app, &reply_address, headers).await;
        assert_eq!(answer, joined, "{label}");
    }
}

#[tokio::test]
async fn without_a_trusted_mta_authentication_results_headers_change_nothing() {
    let app = TestApp::spawn().await;
    let (reference, reply_address) = ticket_with_contact(&app, "jo@example.org", None).await;
    let answer = reply_with_results(
        &app,
        &reply_address,
        &["mx.example.org; dmarc=fail header.from=example.org"],
    )
    .await;
    assert_eq!(answer, format!("250 2.0.0 Ok: added to {reference}"));
}

/// A throwaway GnuPG home with one key pair, driven as a mail client would drive it.
struct Gpg {
    home: tempfile::TempDir,
}

impl Gpg {
    fn with_key(uid: &str) -> Gpg {
        let gpg = Gpg {
            home: tempfile::tempdir().unwrap(),
        };
        gpg.run(
            &[
                "--passphrase",
                "",
                "--quick-gen-key",
                uid,
                "future-default",
                "default",
                "never",
            ],
            b"",
        );
        gpg
    }

    fn run(&self, args: &[&str], input: &[u8]) -> Vec<u8> {
        let mut child = Command::new("gpg")
            .arg("--homedir")
            .arg(self.home.path())
            .args([
                "--batch",
                "--pinentry-mode",
                "loopback",
                "--trust-model",
                "always",
            ])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("gpg runs");
        child.stdin.take().unwrap().write_all(input).unwrap();
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "gpg {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        output.stdout
    }

    fn home(&self) -> &Path {
        self.home.path()
    }
}

/// Text with every line ending as CRLF, as it travels in mail.
fn crlf(text: &[u8]) -> String {
    String::from_utf8(text.to_vec())
        .unwrap()
        .replace("\r\n", "\n")
        .replace('\n', "\r\n")
}

/// The entity a client builds with "attach my public key": the text and the key.
fn text_with_key(body: &str, armored_key: &str) -> String {
    format!(
        "Content-Type: multipart/mixed; boundary=\"mix-b\"\r\n\r\n\
         --mix-b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n\
         --mix-b\r\nContent-Type: application/pgp-keys; name=\"OpenPGP_key.asc\"\r\n\
         Content-Disposition: attachment; filename=\"OpenPGP_key.asc\"\r\n\r\n{armored_key}\r\n\
         --mix-b--\r\n"
    )
}

#[tokio::test]
async fn gnupg_mail_with_the_signers_key_attached_inside_the_encryption_is_signed_and_pinned() {
    let app = TestApp::spawn().await;
    let token = agent_token(&app).await;
    let desk_key = app.get("/pgp-key.asc").await.text().await.unwrap();
    let jo = Gpg::with_key("Jo Example <jo@example.org>");
    jo.run(&["--import"], desk_key.as_bytes());
    let jo_key = crlf(&jo.run(&["--armor", "--export", "jo@example.org"], b""));
    assert!(jo.home().exists());

    // 1. Signed and encrypted in one pass (`gpg --sign --encrypt`), key attached inside.
    let entity = text_with_key("one pass, key inside", &jo_key);
    let armored = crlf(&jo.run(
        &[
            "--armor",
            "--sign",
            "--encrypt",
            "-u",
            "jo@example.org",
            "-r",
            DESK,
        ],
        entity.as_bytes(),
    ));
    let mail = pgp_mime_encrypted("jo@example.org", DESK, "One pass", &armored);
    let replies = send(app.smtp, false, "jo@example.org", &[DESK], &mail).await;
    let answer = outcome(&replies);
    assert!(answer.contains("filed as"), "{replies:?}");
    let one_pass = reference_in(answer);
    let view = ticket(&app, &token, &one_pass).await;
    assert_eq!(signatures(&view), ["signed"], "{view}");
    assert_eq!(view["messages"][0]["encrypted"], true);
    assert_eq!(
        view["messages"][0]["body"].as_str().unwrap().trim(),
        "one pass, key inside"
    );

    // 2. RFC 3156 multipart/signed (detached signature) inside multipart/encrypted, the key
    //    attached inside the signed part.
    let signed_part = text_with_key("detached, key inside", &jo_key);
    let covered = signed_part.trim_end_matches("\r\n");
    let signature = crlf(&jo.run(
        &["--armor", "--detach-sign", "-u", "jo@example.org"],
        covered.as_bytes(),
    ));
    let multipart_signed = format!(
        "Content-Type: multipart/signed; micalg=pgp-sha512; protocol=\"application/pgp-signature\"; boundary=\"sig-b\"\r\n\r\n\
         --sig-b\r\n{covered}\r\n--sig-b\r\nContent-Type: application/pgp-signature; name=\"signature.asc\"\r\n\r\n{signature}\r\n--sig-b--\r\n"
    );
    let armored = crlf(&jo.run(
        &["--armor", "--encrypt", "-r", DESK],
        multipart_signed.as_bytes(),
    ));
    let mail = pgp_mime_encrypted("jo@example.org", DESK, "Detached", &armored);
    let replies = send(app.smtp, false, "jo@example.org", &[DESK], &mail).await;
    let answer = outcome(&replies);
    assert!(answer.contains("filed as"), "{replies:?}");
    let view = ticket(&app, &token, &reference_in(answer)).await;
    assert_eq!(signatures(&view), ["signed"], "{view}");

    // The key was pinned to the first ticket: its acknowledgement is encrypted to jo's key,
    // and a later mail signed by it (key not attached) is verified.
    let captured = deliver_outbox(&app).await;
    let ack = captured
        .iter()
        .find(|c| String::from_utf8_lossy(&c.data).contains(&one_pass))
        .expect("the first ticket was acknowledged");
    let payload = encrypted_payload(&ack.data);
    let opened = String::from_utf8(jo.run(&["--decrypt"], &payload)).unwrap();
    assert!(opened.contains(&one_pass), "{opened}");
    let reply_address = reply_to_of(&ack.data);
    let armored = crlf(&jo.run(
        &[
            "--armor",
            "--sign",
            "--encrypt",
            "-u",
            "jo@example.org",
            "-r",
            DESK,
        ],
        text_entity("signed, no key this time").as_bytes(),
    ));
    let mail = pgp_mime_encrypted("jo@example.org", &reply_address, "Re: One pass", &armored);
    let replies = send(app.smtp, false, "jo@example.org", &[&reply_address], &mail).await;
    assert_eq!(
        outcome(&replies),
        format!("250 2.0.0 Ok: added to {one_pass}"),
        "{replies:?}"
    );
    assert_eq!(
        signatures(&ticket(&app, &token, &one_pass).await),
        ["signed", "verified"]
    );
}

/// A `multipart/mixed` mail: a text part holding `text`, then the attacker's two files.
fn text_with_attacker_files(from: &str, to: &str, text: &str) -> String {
    format!(
        "From: <{from}>\r\nTo: <{to}>\r\nSubject: Re: Account\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"mix-a\"\r\n\r\n\
         --mix-a\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n\
         --mix-a\r\nContent-Type: text/plain; name=\"invoice-new-bank-details.txt\"\r\n\
         Content-Disposition: attachment; filename=\"invoice-new-bank-details.txt\"\r\n\r\n\
         Please pay to IBAN attacker\r\n\
         --mix-a\r\nContent-Type: application/octet-stream; name=\"update.exe\"\r\n\
         Content-Disposition: attachment; filename=\"update.exe\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\nTVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAA\r\n\
         --mix-a--\r\n"
    )
}

/// A ticket filed through the API with jo's GnuPG key pinned; returns (jo, reference,
/// reply address).
async fn ticket_pinned_to_gnupg_key(app: &TestApp) -> (Gpg, String, String) {
    let desk_key = app.get("/pgp-key.asc").await.text().await.unwrap();
    let jo = Gpg::with_key("Jo Example <jo@example.org>");
    jo.run(&["--import"], desk_key.as_bytes());
    let jo_key =
        String::from_utf8(jo.run(&["--armor", "--export", "jo@example.org"], b"")).unwrap();
    let (reference, reply_address) = ticket_with_contact(app, "jo@example.org", Some(jo_key)).await;
    (jo, reference, reply_address)
}

fn sign_and_encrypt(jo: &Gpg, content: &str) -> String {
    crlf(&jo.run(
        &[
            "--armor",
            "--sign",
            "--encrypt",
            "-u",
            "jo@example.org",
            "-r",
            DESK,
        ],
        content.as_bytes(),
    ))
}

#[tokio::test]
async fn a_captured_signed_block_beside_other_content_is_not_verified_and_opens_no_door() {
    let app = TestApp::spawn().await;
    let token = agent_token(&app).await;
    let (jo, reference, reply_address) = ticket_pinned_to_gnupg_key(&app).await;

    // What an eavesdropper captured from jo: an inline `gpg --sign --encrypt` block, a
    // genuine PGP/MIME payload, and a cleartext-signed text.
    let inline = sign_and_encrypt(&jo, "please call me back\n");
    let pgp_mime_payload = sign_and_encrypt(&jo, &text_entity("please call me back"));
    let clearsigned = crlf(&jo.run(
        &["--clearsign", "-u", "jo@example.org"],
        b"please call me back\n",
    ));

    for (shape, captured) in [
        ("inline signed and encrypted", &inline),
        ("pasted PGP/MIME payload", &pgp_mime_payload),
        ("cleartext-signed", &clearsigned),
    ] {
        let mail = text_with_attacker_files("evil@evil.org", &reply_address, captured);
        let replies = send(app.smtp, false, "evil@evil.org", &[&reply_address], &mail).await;
        let answer = outcome(&replies);
        assert!(
            answer.starts_with("250") && answer.contains("filed as"),
            "{shape}: the attacker's mail must not join the ticket: {replies:?}"
        );
        let filed = ticket(&app, &token, &reference_in(answer)).await;
        assert_eq!(signatures(&filed), ["none"], "{shape}: {filed}");
        assert_eq!(filed["messages"][0]["encrypted"], false, "{shape}: {filed}");
    }
    let original = ticket(&app, &token, &reference).await;
    assert_eq!(signatures(&original), ["none"], "{original}");

    // Positive control: the same kind of block as the whole message is jo's, and verified.
    let genuine = sign_and_encrypt(&jo, "the whole message\n");
    let mail = plain_mail("jo@example.org", &reply_address, "Re: Account", &genuine);
    let replies = send(app.smtp, false, "jo@example.org", &[&reply_address], &mail).await;
    assert_eq!(
        outcome(&replies),
        format!("250 2.0.0 Ok: added to {reference}"),
        "{replies:?}"
    );
    let view = ticket(&app, &token, &reference).await;
    assert_eq!(signatures(&view), ["none", "verified"], "{view}");
    assert_eq!(view["messages"][1]["encrypted"], true, "{view}");
}

#[tokio::test]
async fn a_signature_already_seen_on_the_ticket_is_not_verified_again_and_opens_no_door() {
    let app = TestApp::spawn().await;
    let token = agent_token(&app).await;
    let (jo, reference, reply_address) = ticket_pinned_to_gnupg_key(&app).await;

    let inline = sign_and_encrypt(&jo, "the whole message\n");
    let pgp_mime = sign_and_encrypt(&jo, &text_entity("a PGP/MIME message"));
    for (shape, mail) in [
        (
            "inline",
            plain_mail("jo@example.org", &reply_address, "Re: Account", &inline),
        ),
        (
            "PGP/MIME",
            pgp_mime_encrypted("jo@example.org", &reply_address, "Re: Account", &pgp_mime),
        ),
    ] {
        // jo's own mail: verified.
        let replies = send(app.smtp, false, "jo@example.org", &[&reply_address], &mail).await;
        assert_eq!(
            outcome(&replies),
            format!("250 2.0.0 Ok: added to {reference}"),
            "{shape}: {replies:?}"
        );
        // The same mail replayed from another sender: not through the key.
        let replayed = mail.replace("From: <jo@example.org>", "From: <evil@evil.org>");
        let replies = send(
            app.smtp,
            false,
            "evil@evil.org",
            &[&reply_address],
            &replayed,
        )
        .await;
        let answer = outcome(&replies);
        assert!(
            answer.contains("filed as"),
            "{shape}: a replayed signature must not join: {replies:?}"
        );
        // Replayed from jo's address it joins as jo's mail, but the signature vouches for
        // the earlier message, not this one.
        let replies = send(app.smtp, false, "jo@example.org", &[&reply_address], &mail).await;
        assert_eq!(
            outcome(&replies),
            format!("250 2.0.0 Ok: added to {reference}"),
            "{shape}: {replies:?}"
        );
    }
    assert_eq!(
        signatures(&ticket(&app, &token, &reference).await),
        ["none", "verified", "none", "verified", "none"]
    );
}

#[tokio::test]
async fn a_compressed_openpgp_message_that_inflates_past_the_size_limit_is_refused_and_nothing_is_kept()
 {
    let limit = 256 * 1024;
    let app = TestApp::spawn_with(|config| config.mail.max_message_bytes = limit).await;
    let token = agent_token(&app).await;
    let desk_key = app.get("/pgp-key.asc").await.text().await.unwrap();
    let jo = Gpg::with_key("Jo Example <jo@example.org>");
    jo.run(&["--import"], desk_key.as_bytes());
    let compressed = |text: &str, encrypt: bool| {
        let mut args = vec![
            "--armor",
            "--compress-algo",
            "zlib",
            "--compress-level",
            "9",
            "--sign",
            "-u",
            "jo@example.org",
        ];
        if encrypt {
            args.extend(["--encrypt", "-r", DESK]);
        }
        crlf(&jo.run(&args, text.as_bytes()))
    };
    let bomb_text = "all work and no play makes jack a dull boy\n".repeat(4 * limit / 43);
    for (shape, mail) in [
        (
            "inline, signed and encrypted",
            plain_mail(
                "jo@example.org",
                DESK,
                "Bomb",
                &compressed(&bomb_text, true),
            ),
        ),
        (
            "inline, signed only",
            plain_mail(
                "jo@example.org",
                DESK,
                "Bomb",
                &compressed(&bomb_text, false),
            ),
        ),
        (
            "PGP/MIME",
            pgp_mime_encrypted(
                "jo@example.org",
                DESK,
                "Bomb",
                &compressed(&text_entity(&bomb_text), true),
            ),
        ),
    ] {
        assert!(mail.len() < limit / 4, "{shape}: {} bytes", mail.len());
        let replies = send(app.smtp, false, "jo@example.org", &[DESK], &mail).await;
        let answer = outcome(&replies);
        assert!(
            answer.starts_with("552 ") && answer.contains("larger than"),
            "{shape}: {replies:?}"
        );
    }
    assert_eq!(app.count_rows("tickets").await, 0);
    assert_eq!(app.count_rows("messages").await, 0);

    // Positive control: a compressed message that stays under the limit once opened.
    let small = "all work and no play makes jack a dull boy\n".repeat(limit / 2 / 43);
    let mail = plain_mail("jo@example.org", DESK, "Fine", &compressed(&small, true));
    let replies = send(app.smtp, false, "jo@example.org", &[DESK], &mail).await;
    let answer = outcome(&replies);
    assert!(answer.contains("filed as"), "{replies:?}");
    let view = ticket(&app, &token, &reference_in(answer)).await;
    assert_eq!(view["messages"][0]["encrypted"], true, "{view}");
}
