//! Privacy invariants as properties: random canary secrets, sent through every channel,
//! never reach the data directory or, on PostgreSQL, the cluster's files; deleted tickets
//! leave no bytes behind.

use serde_json::json;

use crate::support::{TestApp, files_containing};

/// A small deterministic generator, so a failing case can be replayed with its seed.
struct Rng(u64);

impl Rng {
    fn from_env_or_os() -> Rng {
        let seed = std::env::var("HUSHDESK_TEST_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| u64::from_le_bytes(hushdesk::crypto::os_random::<8>().unwrap()) | 1);
        eprintln!("privacy property seed: HUSHDESK_TEST_SEED={seed}");
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    fn word(&mut self, alphabet: &str, len: usize) -> String {
        let chars: Vec<char> = alphabet.chars().collect();
        (0..len).map(|_| chars[self.below(chars.len())]).collect()
    }

    fn email(&mut self) -> String {
        let local_len = 6 + self.below(10);
        let mut local = self.word("abcdefghijklmnopqrstuvwxyz0123456789", local_len);
        match self.below(3) {
            0 => local.push_str(&format!("+{}", self.word("abcdefghij", 4))),
            1 => local.insert(3, '.'),
            _ => {}
        }
        let domain = match self.below(3) {
            0 => format!("{}.рф", self.word("абвгдежзиклмнопрст", 7)),
            _ => format!(
                "{}.{}",
                self.word("abcdefghijklmnopqrstuvwxyz", 8),
                self.pick(&["com", "org", "net", "io", "de"])
            ),
        };
        format!("{local}@{domain}")
    }

    /// A Luhn-valid number with a real issuer prefix, in a random common spelling.
    /// Returns (as written, digits only).
    fn card(&mut self) -> (String, String) {
        let (prefix, len) = match self.below(5) {
            0 => ("4", 16),
            1 => (self.pick(&["51", "52", "53", "54", "55"]), 16),
            2 => ("2200", 16),
            3 => (self.pick(&["34", "37"]), 15),
            _ => ("6011", 16),
        };
        let mut digits: Vec<u32> = prefix.chars().filter_map(|c| c.to_digit(10)).collect();
        while digits.len() < len - 1 {
            digits.push((self.next() % 10) as u32);
        }
        let sum: u32 = digits
            .iter()
            .rev()
            .enumerate()
            .map(|(i, &d)| {
                if i % 2 == 0 {
                    let x = d * 2;
                    if x > 9 { x - 9 } else { x }
                } else {
                    d
                }
            })
            .sum();
        digits.push((10 - sum % 10) % 10);
        let plain: String = digits
            .iter()
            .map(|d| char::from_digit(*d, 10).unwrap_or('0'))
            .collect();
        let separator = self.pick(&["", " ", "-"]);
        let written = plain
            .as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).unwrap_or_default())
            .collect::<Vec<_>>()
            .join(separator);
        (written, plain)
    }
}

#[tokio::test]
async fn canary_secrets_sent_through_every_channel_never_reach_the_data_directory() {
    let mut app = TestApp::spawn_scannable("privacy_canaries", |_| {}).await;
    let mut rng = Rng::from_env_or_os();
    // A word the redactor leaves alone: stored as written, so the scans below must find it.
    let marker = format!("zstoredmarker{}", rng.next() % 1_000_000);
    let mut canaries: Vec<String> = Vec::new();
    let mut tokens = Vec::new();

    for round in 0..12 {
        let email = rng.email();
        let contact = rng.email();
        let (card, card_digits) = rng.card();
        let reply_email = rng.email();
        let (reply_card, reply_digits) = rng.card();
        canaries.extend([
            email.clone(),
            contact.clone(),
            card.clone(),
            card_digits,
            reply_email.clone(),
            reply_card.clone(),
            reply_digits,
        ]);
        let subject = format!("Case {round}: {email}");
        let body = format!("Please charge {card} and write to {email} (round {round}, {marker}).");
        let reply = format!("Update: use {reply_card}, or mail {reply_email}.");

        if round % 2 == 0 {
            let (_, token, created) = app
                .file_via_api(&subject, &body, json!({"contact": contact}))
                .await;
            assert!(created["redactions"]["email"].as_u64().unwrap() >= 2);
            let replied = app
                .post_json(
                    &format!("/api/v1/tickets/{token}/replies"),
                    &json!({"body": reply}),
                )
                .await;
            assert_eq!(replied.status(), 201);
            tokens.push(format!("/api/v1/tickets/{token}"));
            tokens.push(format!("/t/{token}"));
        } else {
            let (_, path) = app
                .file_via_form(&[
                    ("subject", &subject),
                    ("body", &body),
                    ("category", "billing"),
                    ("contact", &contact),
                ])
                .await;
            let replied = app
                .post_form(&format!("{path}/reply"), &[("body", &reply)])
                .await;
            assert_eq!(replied.status(), 303);
            tokens.push(path);
        }
    }

    let mut pages = String::new();
    for path in &tokens {
        let response = app.get(path).await;
        assert_eq!(response.status(), 200);
        pages.push_str(&response.text().await.unwrap());
    }
    assert!(
        pages.contains("[EMAIL-1]") && pages.contains("[CARD-1]"),
        "masks are shown instead"
    );

    // While running (database, WAL and shared memory all live) and after a clean stop; on
    // PostgreSQL the cluster's table files and write-ahead log, after a checkpoint.
    let running = app.stored_files().await;
    app.stop().await;
    let stopped = app.stored_files().await;
    assert!(
        !files_containing(&running, &marker).is_empty()
            && !files_containing(&stopped, &marker).is_empty(),
        "the scan sees what is stored"
    );
    for canary in &canaries {
        assert!(
            files_containing(&running, canary).is_empty(),
            "{canary} found in {:?}",
            files_containing(&running, canary)
        );
        assert!(
            files_containing(&stopped, canary).is_empty(),
            "{canary} found after stop"
        );
        assert!(
            !pages.contains(canary.as_str()),
            "{canary} shown on a ticket page"
        );
    }
}

#[tokio::test]
async fn a_deleted_ticket_leaves_no_bytes_in_the_database_files() {
    let mut app = TestApp::spawn_scannable("privacy_deleted_ticket", |_| {}).await;
    let marker = format!(
        "zebramarker{}",
        u64::from_le_bytes(hushdesk::crypto::os_random::<8>().unwrap())
    );
    let (_, token, _) = app
        .file_via_api(
            &format!("Subject {marker}"),
            &format!("Body {marker} body"),
            json!({}),
        )
        .await;
    app.post_json(
        &format!("/api/v1/tickets/{token}/replies"),
        &json!({"body": format!("Reply {marker}")}),
    )
    .await;
    let before = app.stored_files().await;
    assert!(
        !files_containing(&before, &marker).is_empty(),
        "ordinary text is stored, so the check below means something"
    );

    let deleted = app
        .client
        .delete(app.url(&format!("/api/v1/tickets/{token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 200);

    app.compact_after_purge().await;
    let after = app.stored_files().await;
    assert!(
        files_containing(&after, &marker).is_empty(),
        "found in {:?}",
        files_containing(&after, &marker)
    );
    app.stop().await;
    assert!(files_containing(&app.stored_files().await, &marker).is_empty());
}

#[tokio::test]
async fn the_contact_address_is_sealed_and_the_database_alone_cannot_open_it() {
    let app = TestApp::spawn_scannable("privacy_sealed_contact", |_| {}).await;
    let contact = "sealed.canary.address@example.org";
    app.file_via_api(
        "Hello",
        "Please answer by mail",
        json!({"contact": contact}),
    )
    .await;

    let files = app.stored_files().await;
    assert!(files_containing(&files, contact).is_empty());
    assert!(files_containing(&files, "sealed.canary").is_empty());
    // What is stored is an age file sealed to a per-ticket key.
    // The contact and the reply-address token, each sealed.
    assert_eq!(
        app.count_rows("vault_entries where kind = 'contact'").await,
        1
    );
    assert_eq!(app.count_rows("vault_entries").await, 2);
    // The database's files: everything stored but the key files.
    let keys = app.data_dir.join("keys");
    let db: Vec<u8> = files
        .iter()
        .filter(|(p, _)| !p.starts_with(&keys))
        .flat_map(|(_, b)| b.clone())
        .collect();
    assert!(
        db.windows(21).any(|w| w == b"age-encryption.org/v1"),
        "sealed with age"
    );
    assert!(
        !db.windows(14).any(|w| w == b"AGE-SECRET-KEY"),
        "no key in the clear in the database"
    );
}
