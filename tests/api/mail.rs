//! Mail intake over real SMTP and LMTP to the real listener, with messages encrypted and
//! signed by keys generated with sequoia.

use serde_json::{Value, json};

use crate::mail_support::{
    Person, mail_with_entity, outcome, pgp_mime_encrypted, plain_mail, send, signed_entity,
    text_entity,
};
use crate::support::{TestApp, files_containing};

const DESK: &str = "support@localhost";

/// The newest ticket an agent in `general` can see, as JSON.
async fn newest_ticket(app: &TestApp, token: &str) -> Value {
    let list: Value = app
        .agent_get(token, "/api/v1/agent/tickets?order=created")
        .await
        .json()
        .await
        .unwrap();
    let reference = list["tickets"][0]["reference"].as_str().unwrap().to_owned();
    app.agent_get(token, &format!("/api/v1/agent/tickets/{reference}"))
        .await
        .json()
        .await
        .unwrap()
}

async fn agent(app: &TestApp) -> String {
    let agent = app.add_agent("mailer", "l1", &["general"]).await;
    app.api_login(&agent).await
}

fn helpdesk_key(app: &TestApp) -> String {
    app.state.helpdesk_public_key.to_string()
}

#[tokio::test]
async fn an_encrypted_signed_mail_becomes_a_redacted_ticket_with_both_badges() {
    let app = TestApp::spawn_scannable("an_encrypted_signed_mail_becomes_a_redac", |_| {}).await;
    let token = agent(&app).await;
    let jo = Person::new("jo@example.org");
    let secret_text = "My card 4111 1111 1111 1111 was charged twice, call +44 20 7946 0958";
    let entity = text_entity(secret_text);
    let armored = jo.encrypt(&helpdesk_key(&app), entity.as_bytes(), true);
    let mut mail = pgp_mime_encrypted(&jo.address, DESK, "Double charge", &armored);
    // The sender's key travels in an Autocrypt header, as modern clients send it.
    use base64::Engine;
    let keydata = base64::engine::general_purpose::STANDARD.encode(
        sequoia_openpgp::serialize::SerializeInto::to_vec(&jo.cert.strip_secret_key_material())
            .unwrap(),
    );
    mail = format!(
        "Autocrypt: addr={}; keydata={keydata}\r\n{mail}",
        jo.address
    );

    let replies = send(app.smtp, false, &jo.address, &[DESK], &mail).await;
    assert!(
        outcome(&replies).starts_with("250 2.0.0 Ok: filed as HD-"),
        "{replies:?}"
    );

    let ticket = newest_ticket(&app, &token).await;
    assert_eq!(ticket["queue"], "general");
    assert_eq!(ticket["category"], "unsorted");
    let message = &ticket["messages"][0];
    assert_eq!(message["encrypted"], true);
    // The key came with the mail: it proves the text intact, not who sent it.
    assert_eq!(message["signature"], "signed");
    let body = message["body"].as_str().unwrap();
    assert!(
        body.contains("[CARD-1]") && body.contains("[PHONE-1]"),
        "{body}"
    );

    let files = app.stored_files().await;
    for canary in ["4111 1111 1111 1111", "7946 0958", "jo@example.org"] {
        assert!(
            files_containing(&files, canary).is_empty(),
            "{canary} reached the disk"
        );
    }
}

#[tokio::test]
async fn every_kind_of_mail_gets_the_right_badges() {
    let app = TestApp::spawn().await;
    let token = agent(&app).await;
    let jo = Person::new("jo@example.org");
    let stranger = Person::new("someone@elsewhere.example");
    let key = helpdesk_key(&app);
    let with_key = |mail: String, person: &Person| {
        use base64::Engine;
        let keydata = base64::engine::general_purpose::STANDARD.encode(
            sequoia_openpgp::serialize::SerializeInto::to_vec(
                &person.cert.clone().strip_secret_key_material(),
            )
            .unwrap(),
        );
        format!(
            "Autocrypt: addr={}; keydata={keydata}\r\n{mail}",
            person.address
        )
    };

    let cases: Vec<(&str, String, bool, &str)> = vec![
        (
            "encrypted unsigned",
            pgp_mime_encrypted(
                &jo.address,
                DESK,
                "a",
                &jo.encrypt(&key, text_entity("one").as_bytes(), false),
            ),
            true,
            "none",
        ),
        (
            "signed then encrypted",
            with_key(
                pgp_mime_encrypted(
                    &jo.address,
                    DESK,
                    "b",
                    &jo.encrypt(&key, signed_entity(&jo, "two").as_bytes(), false),
                ),
                &jo,
            ),
            true,
            "signed",
        ),
        (
            "signed plain (PGP/MIME)",
            with_key(
                mail_with_entity(&jo.address, DESK, "c", &signed_entity(&jo, "three")),
                &jo,
            ),
            false,
            "signed",
        ),
        (
            "inline cleartext-signed",
            with_key(
                plain_mail(&jo.address, DESK, "d", &jo.sign_cleartext("four\r\n")),
                &jo,
            ),
            false,
            "signed",
        ),
        (
            "inline encrypted",
            plain_mail(&jo.address, DESK, "e", &jo.encrypt(&key, b"five", false)),
            true,
            "none",
        ),
        (
            "good signature by a key that is not the sender's",
            with_key(
                pgp_mime_encrypted(
                    &jo.address,
                    DESK,
                    "f",
                    &stranger.encrypt(&key, text_entity("six").as_bytes(), true),
                ),
                &stranger,
            ),
            true,
            "unverified",
        ),
        (
            "signed by an unknown key",
            mail_with_entity(&jo.address, DESK, "g", &signed_entity(&stranger, "seven")),
            false,
            "unverified",
        ),
        (
            "plain",
            plain_mail(&jo.address, DESK, "h", "eight"),
            false,
            "none",
        ),
    ];
    let words = [
        "one", "two", "three", "four", "five", "six", "seven", "eight",
    ];
    for ((label, mail, encrypted, signature), word) in cases.into_iter().zip(words) {
        let replies = send(app.smtp, false, &jo.address, &[DESK], &mail).await;
        assert!(outcome(&replies).starts_with("250"), "{label}: {replies:?}");
        let ticket = newest_ticket(&app, &token).await;
        let message = &ticket["messages"][0];
        assert_eq!(message["body"].as_str().unwrap().trim(), word, "{label}");
        assert_eq!(message["encrypted"], encrypted, "{label}");
        assert_eq!(message["signature"], signature, "{label}");
    }
}

#[tokio::test]
async fn lmtp_answers_once_per_recipient_and_bcc_only_delivery_works() {
    let app = TestApp::spawn().await;
    let token = agent(&app).await;
    // The desk is only in the envelope (Bcc); the To header names someone else.
    let mail = plain_mail(
        "jo@example.org",
        "friend@example.org",
        "Bcc'd",
        "hello desk",
    );
    let replies = send(
        app.smtp,
        true,
        "jo@example.org",
        &[DESK, "support+billing@localhost", "sales@localhost"],
        &mail,
    )
    .await;
    assert!(
        replies.iter().any(|r| r.starts_with("550 5.1.1")),
        "{replies:?}"
    );
    let answers: Vec<_> = replies
        .iter()
        .skip_while(|r| !r.starts_with("354"))
        .skip(1)
        .take(2)
        .collect();
    assert_eq!(answers.len(), 2);
    assert!(
        answers
            .iter()
            .all(|a| a.starts_with("250 2.0.0 Ok: filed as HD-")),
        "{replies:?}"
    );
    let billing = app.add_agent("biller", "l1", &["billing"]).await;
    let billing_token = app.api_login(&billing).await;
    let ticket = newest_ticket(&app, &billing_token).await;
    assert_eq!(
        ticket["queue"], "billing",
        "support+billing@ routes to billing"
    );
    assert!(newest_ticket_list_is_empty(&app, &token).await);
}

async fn newest_ticket_list_is_empty(app: &TestApp, token: &str) -> bool {
    let list: Value = app
        .agent_get(token, "/api/v1/agent/tickets")
        .await
        .json()
        .await
        .unwrap();
    list["tickets"].as_array().unwrap().is_empty()
}

#[tokio::test]
async fn bad_mail_is_refused_with_a_clear_reply_and_the_listener_stays_up() {
    let app = TestApp::spawn_with(|c| c.mail.max_message_bytes = 64 * 1024).await;
    let jo = Person::new("jo@example.org");
    let other = Person::new("other@example.org");
    let key = helpdesk_key(&app);

    let for_other = pgp_mime_encrypted(
        &jo.address,
        DESK,
        "x",
        &jo.encrypt(&other.public_armored(), b"hi", false),
    );
    let mut armored = jo.encrypt(&key, text_entity("hello").as_bytes(), false);
    let middle = armored.len() / 2;
    armored.replace_range(middle..middle + 8, "!!!!!!!!");
    let corrupted = pgp_mime_encrypted(&jo.address, DESK, "x", &armored);
    let truncated = "From: <jo@example.org>\r\nSubject: cut\r\nMIME-Version: 1.0\r\n\
        Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nhalf a message\r\n"
        .to_owned();
    let oversized = plain_mail(&jo.address, DESK, "big", &"x".repeat(100 * 1024));

    let cases = [
        ("wrong key", for_other, "554 5.7.5"),
        ("corrupted armor", corrupted, "554 5.7.5"),
        ("truncated MIME", truncated, "554 5.6.0"),
        ("oversized", oversized, "552 5.3.4"),
        ("no headers at all", "\r\n".to_owned(), "554"),
    ];
    for (label, mail, expected) in cases {
        let replies = send(app.smtp, false, &jo.address, &[DESK], &mail).await;
        let answer = outcome(&replies);
        assert!(answer.starts_with(expected), "{label}: {replies:?}");
        assert!(
            answer.len() > 15,
            "{label}: the reason must be readable: {answer}"
        );
    }
    assert_eq!(app.count_rows("tickets").await, 0, "nothing half-stored");

    // Protocol abuse gets errors, not a crash.
    let replies = raw_session(
        app.smtp,
        &[
            "HELO x",
            "RCPT TO:<support@localhost>",
            "DATA",
            "BOGUS",
            "MAIL FROM:jo",
            "QUIT",
        ],
    )
    .await;
    assert!(replies.iter().any(|r| r.starts_with("503")), "{replies:?}");
    assert!(replies.iter().any(|r| r.starts_with("500")), "{replies:?}");
    assert!(replies.iter().any(|r| r.starts_with("501")), "{replies:?}");

    let good = send(
        app.smtp,
        false,
        &jo.address,
        &[DESK],
        &plain_mail(&jo.address, DESK, "ok", "still here?"),
    )
    .await;
    assert!(outcome(&good).starts_with("250"), "{good:?}");
    assert_eq!(app.count_rows("tickets").await, 1);
}

async fn raw_session(addr: std::net::SocketAddr, commands: &[&str]) -> Vec<String> {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (reader, mut writer) = stream.into_split();
    let mut lines = BufReader::new(reader).lines();
    let mut replies = vec![lines.next_line().await.unwrap().unwrap()];
    for command in commands {
        writer
            .write_all(format!("{command}\r\n").as_bytes())
            .await
            .unwrap();
        loop {
            let line = lines.next_line().await.unwrap().unwrap();
            let last = line.len() < 4 || line.as_bytes()[3] != b'-';
            replies.push(line);
            if last {
                break;
            }
        }
    }
    replies
}

#[tokio::test]
async fn a_reply_joins_its_ticket_only_when_it_proves_where_it_belongs() {
    let app = TestApp::spawn().await;
    let token = agent(&app).await;
    let (reference, access, _) = app
        .file_via_api(
            "Locked out",
            "Cannot sign in",
            json!({ "contact": "jo@example.org" }),
        )
        .await;
    let view: Value = app
        .get(&format!("/api/v1/tickets/{access}"))
        .await
        .json()
        .await
        .unwrap();
    let reply_address = view["reply_address"].as_str().unwrap().to_owned();
    assert!(reply_address.starts_with("support+") && reply_address.ends_with("@localhost"));

    // From the sealed contact, to the secret reply address: joins.
    let mail = plain_mail(
        "jo@example.org",
        &reply_address,
        "Re: Locked out",
        "Still locked",
    );
    let replies = send(app.smtp, false, "jo@example.org", &[&reply_address], &mail).await;
    assert_eq!(
        outcome(&replies),
        format!("250 2.0.0 Ok: added to {reference}"),
        "{replies:?}"
    );

    // Someone else who learned the reply address: a new ticket, not a reply.
    let mail = plain_mail(
        "mallory@example.net",
        &reply_address,
        "Re: Locked out",
        "Send me the reset link",
    );
    let replies = send(
        app.smtp,
        false,
        "mallory@example.net",
        &[&reply_address],
        &mail,
    )
    .await;
    assert!(
        outcome(&replies).starts_with("250 2.0.0 Ok: filed as HD-"),
        "{replies:?}"
    );

    // The right contact with the guessable reference alone (no reply token): a new ticket.
    let mail = plain_mail(
        "jo@example.org",
        DESK,
        &format!("Re: {reference}"),
        "about my ticket",
    );
    let replies = send(app.smtp, false, "jo@example.org", &[DESK], &mail).await;
    assert!(outcome(&replies).contains("filed as"), "{replies:?}");

    let ticket: Value = app
        .agent_get(&token, &format!("/api/v1/agent/tickets/{reference}"))
        .await
        .json()
        .await
        .unwrap();
    let bodies: Vec<&str> = ticket["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap().trim())
        .collect();
    assert_eq!(bodies, ["Cannot sign in", "Still locked"]);
}

#[tokio::test]
async fn a_reply_signed_by_the_pinned_key_joins_from_any_address() {
    let app = TestApp::spawn().await;
    let token = agent(&app).await;
    let jo = Person::new("jo@example.org");
    let (reference, access, _) = app
        .file_via_api(
            "Key question",
            "Hello",
            json!({ "contact": "jo@example.org", "pgp_key": jo.public_armored() }),
        )
        .await;
    let view: Value = app
        .get(&format!("/api/v1/tickets/{access}"))
        .await
        .json()
        .await
        .unwrap();
    let reply_address = view["reply_address"].as_str().unwrap().to_owned();
    let key = helpdesk_key(&app);
    let armored = jo.encrypt(&key, text_entity("from my other address").as_bytes(), true);
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
    let ticket: Value = app
        .agent_get(&token, &format!("/api/v1/agent/tickets/{reference}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ticket["messages"][1]["signature"], "verified");
    assert_eq!(ticket["messages"][1]["encrypted"], true);
}

#[tokio::test]
async fn a_queue_that_requires_encryption_refuses_plain_mail_and_says_how_to_encrypt() {
    let app = TestApp::spawn_with(|c| c.public_url = Some("https://help.example.org".into())).await;
    let admin = app.add_agent("keeper", "admin", &[]).await;
    let session = app.html_login(&admin).await;
    let response = app
        .html_post(
            &session,
            "/admin/queues/general/flags",
            &[("require_encryption", "yes")],
        )
        .await;
    assert_eq!(response.status(), 303);
    let jo = Person::new("jo@example.org");
    let replies = send(
        app.smtp,
        false,
        &jo.address,
        &[DESK],
        &plain_mail(&jo.address, DESK, "hi", "plain"),
    )
    .await;
    let answer = outcome(&replies);
    assert!(answer.starts_with("550 5.7.1"), "{replies:?}");
    assert!(
        answer.contains("https://help.example.org/pgp-key.asc"),
        "{answer}"
    );
    let armored = jo.encrypt(&helpdesk_key(&app), text_entity("secret").as_bytes(), false);
    let replies = send(
        app.smtp,
        false,
        &jo.address,
        &[DESK],
        &pgp_mime_encrypted(&jo.address, DESK, "hi", &armored),
    )
    .await;
    assert!(outcome(&replies).starts_with("250"), "{replies:?}");
}

#[tokio::test]
async fn text_attachments_are_redacted_and_binary_ones_sealed() {
    let app = TestApp::spawn_scannable("text_attachments_are_redacted_and_binary", |_| {}).await;
    let binary = "BINARYCANARY".repeat(10);
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(&binary);
    let mail = format!(
        "From: <jo@example.org>\r\nSubject: logs\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"mix\"\r\n\r\n\
         --mix\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n\
         --mix\r\nContent-Type: text/plain; name=\"app.log\"\r\nContent-Disposition: attachment; filename=\"jo@example.org.log\"\r\n\r\nlogin by jo@example.org from 203.0.113.77\r\n\
         --mix\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"dump.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{encoded}\r\n\
         --mix--\r\n"
    );
    let replies = send(app.smtp, false, "jo@example.org", &[DESK], &mail).await;
    assert!(outcome(&replies).starts_with("250"), "{replies:?}");
    assert_eq!(app.count_rows("attachments").await, 2);
    let files = app.stored_files().await;
    for canary in ["jo@example.org", "203.0.113.77", "BINARYCANARY"] {
        assert!(
            files_containing(&files, canary).is_empty(),
            "{canary} reached the disk"
        );
    }
    let token = agent(&app).await;
    let ticket = newest_ticket(&app, &token).await;
    let attachments = ticket["messages"][0]["attachments"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(attachments.len(), 2, "{ticket}");
    // "jo@example.org.log" reads as an address itself, so the whole name is masked.
    let name = attachments[0]["name"].as_str().unwrap();
    assert!(name.starts_with("[EMAIL-") && !name.contains('@'), "{name}");
    assert_eq!(attachments[0]["sealed"], false);
    let text = attachments[0]["text"].as_str().unwrap();
    assert!(text.contains("login by [EMAIL-1] from [IP"), "{text}");
    assert_eq!(attachments[1]["sealed"], true);
    assert!(attachments[1].get("text").is_none());
    assert_eq!(attachments[1]["size"], 120);
}

#[tokio::test]
async fn what_the_desk_encrypts_to_a_requester_only_their_key_opens() {
    let app = TestApp::spawn().await;
    let jo = Person::new("jo@example.org");
    let config = &app.state.config;
    let keyring =
        hushdesk::crypto::Keyring::open_or_create(&config.keys_dir(), &config.support_address)
            .unwrap();
    let armored = keyring
        .encrypt_for_requester(b"Your ticket is resolved.", jo.public_armored().as_bytes())
        .unwrap();
    assert!(String::from_utf8_lossy(&armored).starts_with("-----BEGIN PGP MESSAGE-----"));
    assert_eq!(jo.decrypt(&armored), b"Your ticket is resolved.");
}

/// The one part of a PGP/MIME message that holds the ciphertext.
fn encrypted_part(raw: &[u8]) -> Vec<u8> {
    let message = mail_parser::MessageParser::default().parse(raw).unwrap();
    assert!(
        mail_parser::MimeHeaders::is_content_type(message.root_part(), "multipart", "encrypted"),
        "outgoing mail to a requester with a key must be PGP/MIME encrypted"
    );
    message
        .parts
        .iter()
        .find(|p| mail_parser::MimeHeaders::is_content_type(*p, "application", "octet-stream"))
        .unwrap()
        .contents()
        .to_vec()
}

#[tokio::test]
async fn an_agents_reply_reaches_the_requester_encrypted_after_the_relay_comes_back() {
    let relay = crate::mail_sink::free_addr();
    let app = TestApp::spawn_scannable("an_agents_reply_reaches_the_requester_en", |_| {}).await;
    let token = agent(&app).await;
    let jo = Person::new("jo@example.org");
    let (reference, _, _) = app
        .file_via_api(
            "Refund",
            "Where is my refund?",
            json!({ "contact": "jo@example.org", "pgp_key": jo.public_armored() }),
        )
        .await;
    let reply = app
        .agent_post(
            &token,
            &format!("/api/v1/agent/tickets/{reference}/replies"),
            &json!({ "body": "The refund left today; write to billing-team@example.com if not." }),
        )
        .await;
    assert_eq!(reply.status(), 201);
    assert_eq!(reply.json::<Value>().await.unwrap()["mailed"], "queued");
    assert_eq!(app.count_rows("outbox").await, 1);
    let files = app.stored_files().await;
    assert!(
        files_containing(&files, "jo@example.org").is_empty(),
        "the queue is sealed"
    );

    // The relay is down: nothing is lost.
    let desk = &app.state.system;
    let relay_url = format!("smtp://{relay}");
    let now = hushdesk::desk::now_unix();
    let down = hushdesk::jobs::deliver_mail(desk, &relay_url, now)
        .await
        .unwrap();
    assert_eq!((down.sent, down.failed), (0, 1));
    assert_eq!(app.count_rows("outbox").await, 1);
    // Not due again at once.
    let early = hushdesk::jobs::deliver_mail(desk, &relay_url, now + 1)
        .await
        .unwrap();
    assert_eq!((early.sent, early.failed), (0, 0));

    let sink = crate::mail_sink::start(relay).await;
    let up = hushdesk::jobs::deliver_mail(desk, &relay_url, now + 3600)
        .await
        .unwrap();
    assert_eq!((up.sent, up.failed), (1, 0));
    assert_eq!(app.count_rows("outbox").await, 0);

    let captured = sink.captured.lock().unwrap().clone();
    assert_eq!(captured.len(), 1);
    assert_eq!(captured[0].recipients, ["jo@example.org"]);
    let raw = &captured[0].data;
    let text = String::from_utf8_lossy(raw);
    assert!(text.contains("Autocrypt: addr=support@localhost"), "{text}");
    assert!(text.contains(&format!("[{reference}] Encrypted message")));
    assert!(
        !text.contains("refund left"),
        "the body must not travel in clear"
    );
    assert!(text.contains("Reply-To: support+"), "{text}");
    let inner = String::from_utf8(jo.decrypt(&encrypted_part(raw))).unwrap();
    assert!(
        inner.contains("The refund left today; write to [EMAIL-1] if not."),
        "{inner}"
    );
}

#[tokio::test]
async fn mail_filed_tickets_are_acknowledged_encrypted_and_never_in_clear_to_encrypted_writers() {
    let app = TestApp::spawn_with(|c| c.public_url = Some("https://help.example.org".into())).await;
    let key = helpdesk_key(&app);
    let jo = Person::new("jo@example.org");
    use base64::Engine;
    let keydata = base64::engine::general_purpose::STANDARD.encode(
        sequoia_openpgp::serialize::SerializeInto::to_vec(
            &jo.cert.clone().strip_secret_key_material(),
        )
        .unwrap(),
    );
    let signed = jo.encrypt(&key, text_entity("please help").as_bytes(), true);
    let mail = format!(
        "Autocrypt: addr=jo@example.org; keydata={keydata}\r\n{}",
        pgp_mime_encrypted(&jo.address, DESK, "Help", &signed)
    );
    let replies = send(app.smtp, false, &jo.address, &[DESK], &mail).await;
    assert!(outcome(&replies).starts_with("250"), "{replies:?}");
    assert_eq!(app.count_rows("outbox").await, 1, "acknowledged");

    // Encrypted, but no key to answer with: no plain-text acknowledgement.
    let anonymous = Person::new("anon@example.org");
    let unsigned = anonymous.encrypt(&key, text_entity("no key here").as_bytes(), false);
    let mail = pgp_mime_encrypted(&anonymous.address, DESK, "Anon", &unsigned);
    let replies = send(app.smtp, false, &anonymous.address, &[DESK], &mail).await;
    assert!(outcome(&replies).starts_with("250"), "{replies:?}");
    assert_eq!(app.count_rows("outbox").await, 1, "nothing queued in clear");
    let agent_token = agent(&app).await;
    let list: Value = app
        .agent_get(&agent_token, "/api/v1/agent/tickets?q=Anon")
        .await
        .json()
        .await
        .unwrap();
    let anon_ticket = list["tickets"][0]["reference"].as_str().unwrap().to_owned();
    let reply: Value = app
        .agent_post(
            &agent_token,
            &format!("/api/v1/agent/tickets/{anon_ticket}/replies"),
            &json!({ "body": "We can help." }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(reply["mailed"], "no_key");
    assert_eq!(
        app.count_rows("outbox").await,
        1,
        "an agent reply is not mailed in clear either"
    );

    let relay = crate::mail_sink::free_addr();
    let sink = crate::mail_sink::start(relay).await;
    let report = hushdesk::jobs::deliver_mail(
        &app.state.system,
        &format!("smtp://{relay}"),
        hushdesk::desk::now_unix(),
    )
    .await
    .unwrap();
    assert_eq!(report.sent, 1);
    let raw = sink.captured.lock().unwrap()[0].data.clone();
    let inner = String::from_utf8(jo.decrypt(&encrypted_part(&raw))).unwrap();
    assert!(inner.contains("We received your request HD-"), "{inner}");
    let link = inner
        .split_whitespace()
        .find(|w| w.starts_with("https://help.example.org/t/"))
        .unwrap();
    let path = link.trim_start_matches("https://help.example.org");
    let ticket: Value = app
        .get(&format!(
            "/api/v1/tickets/{}",
            path.trim_start_matches("/t/")
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        ticket["messages"][0]["body"].as_str().unwrap().trim(),
        "please help"
    );
}

#[tokio::test]
async fn the_desk_key_is_published_in_a_web_key_directory() {
    use sequoia_openpgp::parse::Parse;
    let app = TestApp::spawn().await;
    let hash = hushdesk::mail::SupportAddress::parse(DESK)
        .unwrap()
        .wkd_hash();
    let response = app
        .get(&format!("/.well-known/openpgpkey/hu/{hash}?l=support"))
        .await;
    assert_eq!(response.status(), 200);
    let bytes = response.bytes().await.unwrap();
    let cert = sequoia_openpgp::Cert::from_bytes(&bytes[..]).unwrap();
    assert!(!cert.is_tsk(), "only the public key is published");
    assert_eq!(
        cert.fingerprint().to_spaced_hex(),
        app.state.helpdesk_fingerprint.as_ref()
    );
    assert_eq!(
        app.get("/.well-known/openpgpkey/policy").await.status(),
        200
    );
    let other = app
        .get("/.well-known/openpgpkey/hu/iy9q119eutrkn8s1mk4r39qejnbu3n5q")
        .await;
    assert_eq!(other.status(), 404);
}
