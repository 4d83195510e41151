//! Proofs of ownership through the real router: an agent asks, the requester signs the
//! issued challenge with wallet code other than ours (the Python peer,
//! `tests/vectors/sign_challenge.py`) or with GnuPG, and the desk keeps only the result as
//! the ticket's own mask. Without the peer's libraries the wallet tests skip and say so,
//! unless `HUSHDESK_REQUIRE_PEERS=1`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use crate::support::{HtmlSession, Param, TestApp, extract_between, files_containing};

/// Fixed throwaway keys: the peer signs deterministically (RFC 6979).
const KEY_A: &str = "0000000000000000000000000000000000000000000000000000000000001111";
const KEY_B: &str = "0000000000000000000000000000000000000000000000000000000000002222";
const KEY_ETH: &str = "0000000000000000000000000000000000000000000000000000000000004444";

/// The Python that runs the peer: `HUSHDESK_PROOF_PYTHON`, else the venv
/// `make proof-peers` makes, else `python3`.
fn peer_python() -> PathBuf {
    if let Ok(python) = std::env::var("HUSHDESK_PROOF_PYTHON") {
        return python.into();
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/.venv/bin/python");
    if venv.exists() {
        return venv;
    }
    "python3".into()
}

/// A wallet signature over `message` by the peer: (address, signature). `None` (having said
/// why) when its libraries are missing and `HUSHDESK_REQUIRE_PEERS` is not `1`.
fn peer_sign(kind: &str, secret: &str, message: &str) -> Option<(String, String)> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/sign_challenge.py");
    let python = peer_python();
    let spawned = Command::new(&python)
        .arg(script)
        .args([kind, secret])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) => return missing_peer(&format!("{} does not run: {e}", python.display())),
    };
    child
        .stdin
        .take()
        .unwrap()
        .write_all(message.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if output.status.code() == Some(3) {
        return missing_peer(&stderr);
    }
    assert!(output.status.success(), "peer failed: {stderr}");
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    Some((
        json["address"].as_str().unwrap().to_owned(),
        json["signature"].as_str().unwrap().to_owned(),
    ))
}

/// Says why the wallet tests cannot run; fails instead under `HUSHDESK_REQUIRE_PEERS=1`.
fn missing_peer<T>(why: &str) -> Option<T> {
    assert!(
        std::env::var("HUSHDESK_REQUIRE_PEERS").as_deref() != Ok("1"),
        "HUSHDESK_REQUIRE_PEERS=1 but the wallet peer cannot run: {why}"
    );
    eprintln!(
        "skipped: the wallet peer cannot run ({why}); run `make proof-peers` or set \
         HUSHDESK_PROOF_PYTHON to a Python with the libraries of tests/vectors/make_proof_vectors.py"
    );
    None
}

/// The peer's address for a key, without signing anything that matters.
fn peer_address(kind: &str, secret: &str) -> Option<String> {
    peer_sign(kind, secret, "address only").map(|(address, _)| address)
}

struct Desk {
    app: TestApp,
    session: HtmlSession,
    token: String,
}

/// A server with an agent of the general queue signed in on the HTML pages and over the API.
async fn desk_with(adjust: impl FnOnce(&mut hushdesk::config::Config)) -> Desk {
    let app = TestApp::spawn_scannable("proofs", adjust).await;
    let agent = app.add_agent("pia", "l1", &["general"]).await;
    let session = app.html_login(&agent).await;
    let token = app.api_login(&agent).await;
    Desk {
        app,
        session,
        token,
    }
}

impl Desk {
    async fn ask(&self, reference: &str, kind: &str, expected: &str) {
        let response = self
            .app
            .html_post(
                &self.session,
                &format!("/agent/tickets/{reference}/proofs"),
                &[("kind", kind), ("expected", expected)],
            )
            .await;
        assert_eq!(response.status(), 303, "asking for a {kind} proof");
    }

    /// The newest open challenge on the requester's page: (id, text).
    async fn challenge(&self, access: &str) -> (String, String) {
        let page = self
            .app
            .get(&format!("/t/{access}"))
            .await
            .text()
            .await
            .unwrap();
        let forms: Vec<&str> = page.split("class=\"proof-form\"").skip(1).collect();
        let form = forms.last().expect("an open challenge on the page");
        let id = extract_between(form, "name=\"challenge\" value=\"", "\"").unwrap();
        let text = extract_between(form, "readonly>", "</textarea>").unwrap();
        (id.to_owned(), text.to_owned())
    }

    async fn answer(&self, access: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.app
            .post_form(&format!("/t/{access}/proof"), fields)
            .await
    }

    async fn api_ticket(&self, reference: &str) -> Value {
        let response = self
            .app
            .agent_get(&self.token, &format!("/api/v1/agent/tickets/{reference}"))
            .await;
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    async fn audit_details(&self, action: &'static str) -> Vec<String> {
        self.app
            .query_values::<String>(
                "select detail from audit_log where action = $1 order by seq",
                &[Param::Text(action)],
            )
            .await
    }
}

#[tokio::test]
async fn bitcoin_legacy_and_bech32_proofs_verify_and_keep_only_the_tickets_masks() {
    let (Some(legacy), Some(segwit)) =
        (peer_address("p2pkh", KEY_A), peer_address("p2wpkh", KEY_B))
    else {
        return;
    };
    let desk = desk_with(|_| {}).await;
    let marker = "zproofmarkerq";
    let (reference, access, _) = desk
        .app
        .file_via_api(
            "Wallet access",
            &format!("My wallet is {legacy}, note {marker}"),
            json!({}),
        )
        .await;

    // The agent names the address the conversation holds; the requester proves it.
    desk.ask(&reference, "bitcoin", "[BTC-1]").await;
    let (id, text) = desk.challenge(&access).await;
    assert!(
        text.starts_with(&format!("hushdesk proof for {reference}: ")),
        "{text}"
    );
    assert!(text.ends_with(" UTC)"), "{text}");
    let (address, signature) = peer_sign("p2pkh", KEY_A, &text).unwrap();
    assert_eq!(address, legacy);
    let proved = desk
        .answer(
            &access,
            &[
                ("challenge", &id),
                ("address", &address),
                ("signature", &signature),
            ],
        )
        .await;
    assert_eq!(proved.status(), 303);

    // A second challenge without an expected mask: a new address takes the next number.
    desk.ask(&reference, "bitcoin", "").await;
    let (id, text) = desk.challenge(&access).await;
    let (address, signature) = peer_sign("p2wpkh", KEY_B, &text).unwrap();
    assert_eq!(address, segwit);
    let proved = desk
        .answer(
            &access,
            &[
                ("challenge", &id),
                ("address", &address),
                ("signature", &signature),
            ],
        )
        .await;
    assert_eq!(proved.status(), 303);

    let json = desk.api_ticket(&reference).await;
    let proofs: Vec<(&str, &str)> = json["proofs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["kind"].as_str().unwrap(),
                p["subject_mask"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(proofs, [("bitcoin", "[BTC-1]"), ("bitcoin", "[BTC-2]")]);
    assert!(json["proofs"][0]["verified_at"].is_string());
    assert_eq!(json["proof_challenges"].as_array().unwrap().len(), 0);
    let body = json["messages"][0]["body"].as_str().unwrap();
    assert!(
        body.contains("[BTC-1]"),
        "the same mask as the text: {body}"
    );

    // Badges on both pages; the raw addresses on neither.
    let agent_page = desk
        .app
        .html_get(&desk.session, &format!("/agent/tickets/{reference}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        agent_page.contains("class=\"proof proof-bitcoin\""),
        "{agent_page}"
    );
    assert!(agent_page.contains("[BTC-2]"));
    let requester_page = desk
        .app
        .get(&format!("/t/{access}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(requester_page.contains("proven"), "{requester_page}");
    for shown in [&agent_page, &requester_page, &json.to_string()] {
        assert!(!shown.contains(&legacy) && !shown.contains(&segwit));
    }

    // Audited with the kind and the mask, never the evidence.
    let requested = desk.audit_details("proof_requested").await;
    assert_eq!(requested, ["kind=bitcoin expected=[BTC-1]", "kind=bitcoin"]);
    let verified = desk.audit_details("proof_verified").await;
    assert_eq!(
        verified,
        [
            "kind=bitcoin subject=[BTC-1]",
            "kind=bitcoin subject=[BTC-2]"
        ]
    );

    // Canary: neither address is in the database files (the marker, stored, is).
    let files = desk.app.stored_files().await;
    assert!(
        !files_containing(&files, marker).is_empty(),
        "the scan sees what is stored"
    );
    for raw in [&legacy, &segwit, &signature] {
        assert!(
            files_containing(&files, raw).is_empty(),
            "{raw} stored in {:?}",
            files_containing(&files, raw)
        );
    }
}

#[tokio::test]
async fn an_ethereum_proof_verifies_as_the_tickets_eth_mask() {
    let Some(eth) = peer_address("eth", KEY_ETH) else {
        return;
    };
    let desk = desk_with(|_| {}).await;
    let (reference, access, _) = desk
        .app
        .file_via_api("Tokens", &format!("Sent from {eth}"), json!({}))
        .await;
    desk.ask(&reference, "ethereum", "[ETH-1]").await;
    let agent_page = desk
        .app
        .html_get(&desk.session, &format!("/agent/tickets/{reference}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        agent_page.contains("class=\"proof-open proof-ethereum\""),
        "the open challenge shows"
    );
    let russian = desk
        .app
        .html_get(
            &desk.session,
            &format!("/agent/tickets/{reference}?lang=ru"),
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(
        russian.contains("ожидается") && russian.contains("Ethereum-адрес"),
        "{russian}"
    );
    let open = desk.api_ticket(&reference).await;
    assert_eq!(open["proof_challenges"][0]["kind"], "ethereum");
    // A mask of another kind, through the agent API: the field is named as the body names
    // it, and the example is of the kind asked for.
    let wrong_kind = desk
        .app
        .agent_post(
            &desk.token,
            &format!("/api/v1/agent/tickets/{reference}/proofs"),
            &json!({"kind": "ethereum", "expected_mask": "[BTC-1]"}),
        )
        .await;
    assert_eq!(wrong_kind.status(), 422);
    let refusal: Value = wrong_kind.json().await.unwrap();
    assert_eq!(refusal["fields"][0]["field"], "expected_mask", "{refusal}");
    assert!(
        refusal["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("[ETH-1]"),
        "{refusal}"
    );
    assert_eq!(open["proof_challenges"][0]["expected_mask"], "[ETH-1]");

    let (id, text) = desk.challenge(&access).await;
    let (address, signature) = peer_sign("eth", KEY_ETH, &text).unwrap();
    let proved = desk
        .answer(
            &access,
            &[
                ("challenge", &id),
                ("address", &address),
                ("signature", &signature),
            ],
        )
        .await;
    assert_eq!(proved.status(), 303);
    let json = desk.api_ticket(&reference).await;
    assert_eq!(json["proofs"][0]["kind"], "ethereum");
    assert_eq!(json["proofs"][0]["subject_mask"], "[ETH-1]");
    assert_eq!(json["proof_challenges"].as_array().unwrap().len(), 0);

    // The requester's JSON API: the challenge in the ticket, the answer posted as JSON.
    desk.ask(&reference, "ethereum", "").await;
    let ticket: Value = desk
        .app
        .get(&format!("/api/v1/tickets/{access}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ticket["proofs"][0]["subject_mask"], "[ETH-1]");
    let challenge = &ticket["proof_challenges"][0];
    let text = challenge["challenge"].as_str().unwrap();
    let (address, signature) = peer_sign("eth", KEY_ETH, text).unwrap();
    let path = format!("/api/v1/tickets/{access}/proofs");
    let wrong = desk
        .app
        .post_json(
            &path,
            &json!({"challenge": challenge["id"], "address": address, "signature": "0x00"}),
        )
        .await;
    assert_eq!(wrong.status(), 422);
    let answered = desk
        .app
        .post_json(
            &path,
            &json!({"challenge": challenge["id"], "address": address, "signature": signature}),
        )
        .await;
    assert_eq!(answered.status(), 201);
    let proof: Value = answered.json().await.unwrap();
    assert_eq!(proof["kind"], "ethereum");
    assert_eq!(
        proof["subject_mask"], "[ETH-1]",
        "the same address keeps its mask"
    );
}

#[tokio::test]
async fn refused_proofs_say_why_in_the_pages_language_and_record_nothing() {
    let (Some(legacy), Some(other)) = (peer_address("p2pkh", KEY_A), peer_address("p2pkh", KEY_B))
    else {
        return;
    };
    let desk = desk_with(|_| {}).await;
    let (reference, access, _) = desk
        .app
        .file_via_api("Wallet", &format!("Mine is {legacy}"), json!({}))
        .await;
    let (_, other_access, _) = desk
        .app
        .file_via_api("Another", "Another ticket", json!({}))
        .await;
    desk.ask(&reference, "bitcoin", "[BTC-1]").await;
    let (id, text) = desk.challenge(&access).await;
    let (address, signature) = peer_sign("p2pkh", KEY_A, &text).unwrap();

    // A tampered signature: 422, the form refilled, the reason in Russian on ?lang=ru.
    let mut tampered = signature.clone().into_bytes();
    tampered[10] = if tampered[10] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    let refused = desk
        .app
        .post_form(
            &format!("/t/{access}/proof?lang=ru"),
            &[
                ("challenge", &id),
                ("address", &address),
                ("signature", &tampered),
            ],
        )
        .await;
    assert_eq!(refused.status(), 422);
    let page = refused.text().await.unwrap();
    assert!(page.contains(&tampered), "the form is refilled");
    assert!(
        page.contains("Подпись сделана не ключом этого адреса")
            || page.contains("Подпись записана с ошибкой"),
        "{page}"
    );

    // The right signature with the wrong address: refused.
    let wrong_address = desk
        .answer(
            &access,
            &[
                ("challenge", &id),
                ("address", &other),
                ("signature", &signature),
            ],
        )
        .await;
    assert_eq!(wrong_address.status(), 422);

    // Another ticket's challenge, answered on this one's link: refused.
    let elsewhere = desk
        .answer(
            &other_access,
            &[
                ("challenge", &id),
                ("address", &address),
                ("signature", &signature),
            ],
        )
        .await;
    assert_eq!(elsewhere.status(), 422);
    assert!(
        elsewhere
            .text()
            .await
            .unwrap()
            .contains("This challenge is not open on this ticket")
    );

    // Another key's signature, while the agent expects [BTC-1]: the proven address would be
    // a new mask, so it is refused by name.
    let (other_address, other_signature) = peer_sign("p2pkh", KEY_B, &text).unwrap();
    let not_expected = desk
        .answer(
            &access,
            &[
                ("challenge", &id),
                ("address", &other_address),
                ("signature", &other_signature),
            ],
        )
        .await;
    assert_eq!(not_expected.status(), 422);
    let page = not_expected.text().await.unwrap();
    assert!(
        page.contains("[BTC-2]") && page.contains("[BTC-1]"),
        "{page}"
    );
    assert_eq!(desk.app.count_rows("proofs").await, 0, "nothing proven yet");

    // The control: the right answer is taken. Answering again is refused.
    let fields = [
        ("challenge", id.as_str()),
        ("address", address.as_str()),
        ("signature", signature.as_str()),
    ];
    assert_eq!(desk.answer(&access, &fields).await.status(), 303);
    let again = desk.answer(&access, &fields).await;
    assert_eq!(again.status(), 422);
    assert!(again.text().await.unwrap().contains("answered already"));

    // An expired challenge is refused even with a good signature.
    desk.ask(&reference, "bitcoin", "").await;
    let (id, text) = desk.challenge(&access).await;
    let (_, signature) = peer_sign("p2pkh", KEY_A, &text).unwrap();
    let moved = desk
        .app
        .execute_sql(
            "update proof_challenges set expires_at = 1 where id = $1",
            &[Param::Int(id.parse().unwrap())],
        )
        .await;
    assert_eq!(moved, 1);
    let expired = desk
        .answer(
            &access,
            &[
                ("challenge", &id),
                ("address", &address),
                ("signature", &signature),
            ],
        )
        .await;
    assert_eq!(expired.status(), 422);
    assert!(expired.text().await.unwrap().contains("has expired"));

    assert_eq!(desk.app.count_rows("proofs").await, 1);
    let failed = desk.audit_details("proof_failed").await;
    let reasons: Vec<&str> = failed
        .iter()
        .map(|d| d.rsplit_once("reason=").unwrap().1)
        .collect();
    assert_eq!(
        reasons,
        [
            "wrong_signature",
            "wrong_signature",
            "unknown_challenge",
            "other_address",
            "used",
            "expired"
        ],
        "{failed:?}"
    );
    let everything = desk
        .app
        .query_values::<String>("select detail from audit_log", &[])
        .await
        .join("\n");
    for raw in [&legacy, &other, &signature, &tampered] {
        assert!(!everything.contains(raw.as_str()), "{raw} in the audit log");
    }
}

#[tokio::test]
async fn refusals_past_the_hourly_limit_are_not_checked() {
    let Some(legacy) = peer_address("p2pkh", KEY_A) else {
        return;
    };
    let desk = desk_with(|c| c.agents.proof_failures_per_hour = 2).await;
    let (reference, access, _) = desk
        .app
        .file_via_api("Wallet", &format!("Mine is {legacy}"), json!({}))
        .await;
    desk.ask(&reference, "bitcoin", "").await;
    let (id, text) = desk.challenge(&access).await;
    let (address, signature) = peer_sign("p2pkh", KEY_A, &text).unwrap();
    for _ in 0..2 {
        let wrong = desk
            .answer(
                &access,
                &[
                    ("challenge", &id),
                    ("address", &address),
                    ("signature", "AAAA"),
                ],
            )
            .await;
        assert_eq!(wrong.status(), 422);
    }
    // The good signature now gets the same refusal as any: the page is no oracle.
    let limited = desk
        .answer(
            &access,
            &[
                ("challenge", &id),
                ("address", &address),
                ("signature", &signature),
            ],
        )
        .await;
    assert_eq!(limited.status(), 422);
    assert!(
        limited
            .text()
            .await
            .unwrap()
            .contains("Too many refused attempts")
    );
    assert_eq!(desk.app.count_rows("proofs").await, 0);
}

#[tokio::test]
async fn an_agent_without_the_tickets_queue_can_neither_ask_nor_see_proofs() {
    let desk = desk_with(|_| {}).await;
    let (reference, _, _) = desk.app.file_via_api("Wallet", "Question", json!({})).await;
    let outsider = desk.app.add_agent("olek", "l1", &["billing"]).await;
    let session = desk.app.html_login(&outsider).await;
    let token = desk.app.api_login(&outsider).await;
    let asked = desk
        .app
        .html_post(
            &session,
            &format!("/agent/tickets/{reference}/proofs"),
            &[("kind", "bitcoin"), ("expected", "")],
        )
        .await;
    assert_eq!(asked.status(), 404);
    let read = desk
        .app
        .agent_get(&token, &format!("/api/v1/agent/tickets/{reference}"))
        .await;
    assert_eq!(read.status(), 404);
    assert_eq!(desk.app.count_rows("proof_challenges").await, 0);
    // The control: the queue's own agent may ask.
    desk.ask(&reference, "openpgp", "").await;
    assert_eq!(desk.app.count_rows("proof_challenges").await, 1);
    // A mask of another kind, or one the ticket never handed out, is no expected address.
    for expected in ["[ETH-1]", "[BTC-1]"] {
        let bad = desk
            .app
            .html_post(
                &desk.session,
                &format!("/agent/tickets/{reference}/proofs"),
                &[("kind", "bitcoin"), ("expected", expected)],
            )
            .await;
        assert_eq!(bad.status(), 422, "{expected}");
        let page = bad.text().await.unwrap();
        assert!(
            page.contains("must be a mask of this kind from the ticket"),
            "{page}"
        );
    }
    assert_eq!(desk.app.count_rows("proof_challenges").await, 1);
}

/// A throwaway GnuPG home with one key pair.
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

    fn run(&self, args: &[&str], input: &[u8]) -> String {
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
        String::from_utf8(output.stdout).unwrap()
    }

    fn public_key(&self) -> String {
        self.run(&["--armor", "--export"], b"")
    }

    fn private_key(&self) -> String {
        self.run(
            &["--armor", "--passphrase", "", "--export-secret-keys"],
            b"",
        )
    }

    fn fingerprint(&self) -> String {
        let listing = self.run(&["--with-colons", "--fingerprint"], b"");
        let line = listing.lines().find(|l| l.starts_with("fpr:")).unwrap();
        line.split(':').nth(9).unwrap().to_owned()
    }

    fn clearsign(&self, text: &str) -> String {
        self.run(&["--clearsign"], format!("{text}\n").as_bytes())
    }
}

#[tokio::test]
async fn an_openpgp_proof_is_clear_signed_by_the_pinned_key_or_a_key_given_with_it() {
    // Room for every refused variant below within the hourly limit.
    let desk = desk_with(|c| c.agents.proof_failures_per_hour = 30).await;
    let pinned = Gpg::with_key("Pinned <pinned@example.org>");
    let offered = Gpg::with_key("Offered <offered@example.org>");
    let (reference, access, _) = desk
        .app
        .file_via_api(
            "Key",
            "Please check my key",
            json!({ "pgp_key": pinned.public_key() }),
        )
        .await;

    // Signed by a key the ticket does not know, without that key: refused.
    desk.ask(&reference, "openpgp", "").await;
    let (id, text) = desk.challenge(&access).await;
    let stranger = desk
        .answer(
            &access,
            &[
                ("challenge", &id),
                ("signed_text", &offered.clearsign(&text)),
            ],
        )
        .await;
    assert_eq!(stranger.status(), 422);
    // Another text signed by the pinned key: refused.
    let other_text = desk
        .answer(
            &access,
            &[
                ("challenge", &id),
                (
                    "signed_text",
                    &pinned.clearsign(&format!("{text} and more")),
                ),
            ],
        )
        .await;
    assert_eq!(other_text.status(), 422);
    // The challenge clear-signed by the pinned key, nothing else pasted: proven.
    let signed = pinned.clearsign(&text);
    let proved = desk
        .answer(&access, &[("challenge", &id), ("signed_text", &signed)])
        .await;
    assert_eq!(proved.status(), 303);

    // A newly offered key proves itself with its public key beside the signature; its
    // private key pasted by mistake is refused unread, and the challenge stays open.
    desk.ask(&reference, "openpgp", "").await;
    let (id, text) = desk.challenge(&access).await;
    let private = offered.private_key();
    let refused = desk
        .answer(
            &access,
            &[
                ("challenge", &id),
                ("signed_text", &offered.clearsign(&text)),
                ("public_key", &private),
            ],
        )
        .await;
    assert_eq!(refused.status(), 422);
    let refused = refused.text().await.unwrap();
    assert!(refused.contains("PRIVATE key"), "{refused}");
    assert!(
        !refused.contains("PRIVATE KEY BLOCK"),
        "the key is not echoed back into the form"
    );
    // Hidden behind the public block, or after the signed text (where a good signature
    // would otherwise carry it through): refused the same way, and not echoed.
    let public_then_private = format!("{}\n{private}", offered.public_key());
    let signed_then_private = format!("{}\n{private}", offered.clearsign(&text));
    // The key's armor relabelled, in lower case, or stripped to its bare base64: read by its
    // packets, it is still a private key.
    let relabelled = private.replace("PRIVATE KEY BLOCK", "SECRET KEY BLOCK");
    let lower_case = private
        .lines()
        .map(|l| {
            if l.starts_with("-----") {
                l.to_lowercase()
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let bare: String = private
        .lines()
        .filter(|l| !l.starts_with("-----") && !l.starts_with('=') && !l.contains(':'))
        .collect::<Vec<_>>()
        .join("\n");
    let mut cases = vec![
        [
            ("signed_text", offered.clearsign(&text)),
            ("public_key", public_then_private),
        ],
        [
            ("signed_text", signed_then_private),
            ("public_key", offered.public_key()),
        ],
    ];
    for hidden in [relabelled, lower_case, bare] {
        cases.push([
            (
                "signed_text",
                format!("{}\n{hidden}", offered.clearsign(&text)),
            ),
            ("public_key", offered.public_key()),
        ]);
        cases.push([
            ("signed_text", offered.clearsign(&text)),
            ("public_key", hidden),
        ]);
    }
    for fields in cases {
        let mut form = vec![("challenge", id.as_str())];
        form.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
        let refused = desk.answer(&access, &form).await;
        assert_eq!(refused.status(), 422);
        let refused = refused.text().await.unwrap();
        assert!(refused.contains("PRIVATE key"), "{refused}");
        let key_line = private.lines().nth(3).unwrap();
        assert!(!refused.contains(key_line), "not echoed: {refused}");
    }
    let proved = desk
        .answer(
            &access,
            &[
                ("challenge", &id),
                ("signed_text", &offered.clearsign(&text)),
                ("public_key", &offered.public_key()),
            ],
        )
        .await;
    assert_eq!(proved.status(), 303);

    let json = desk.api_ticket(&reference).await;
    let proofs: Vec<(&str, &str)> = json["proofs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["kind"].as_str().unwrap(),
                p["subject_mask"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(proofs, [("openpgp", "[PGP-1]"), ("openpgp", "[PGP-2]")]);
    let failed = desk.audit_details("proof_failed").await;
    assert_eq!(
        failed,
        [
            "kind=openpgp reason=unknown_signer",
            "kind=openpgp reason=other_text",
            "kind=openpgp reason=private_key",
            "kind=openpgp reason=private_key",
            "kind=openpgp reason=private_key",
            "kind=openpgp reason=private_key",
            "kind=openpgp reason=private_key",
            "kind=openpgp reason=private_key",
            "kind=openpgp reason=private_key",
            "kind=openpgp reason=private_key",
            "kind=openpgp reason=private_key"
        ]
    );
    // The fingerprints are kept nowhere (the key itself is sealed).
    let files = desk.app.stored_files().await;
    for fingerprint in [pinned.fingerprint(), offered.fingerprint()] {
        assert!(files_containing(&files, &fingerprint).is_empty());
        assert!(files_containing(&files, &fingerprint.to_lowercase()).is_empty());
    }
}

#[tokio::test]
async fn purge_deletes_challenges_and_proofs_with_the_ticket() {
    let desk = desk_with(|_| {}).await;
    let (reference, access, _) = desk
        .app
        .file_via_api("Gone", "Soon deleted", json!({}))
        .await;
    let gpg = Gpg::with_key("Gone <gone@example.org>");
    desk.ask(&reference, "openpgp", "").await;
    let (id, text) = desk.challenge(&access).await;
    let proved = desk
        .answer(
            &access,
            &[
                ("challenge", &id),
                ("signed_text", &gpg.clearsign(&text)),
                ("public_key", &gpg.public_key()),
            ],
        )
        .await;
    assert_eq!(proved.status(), 303);
    desk.ask(&reference, "bitcoin", "").await;
    assert_eq!(desk.app.count_rows("proof_challenges").await, 2);
    assert_eq!(desk.app.count_rows("proofs").await, 1);
    let deleted = desk
        .app
        .post_form(&format!("/t/{access}/delete"), &[("confirm", "yes")])
        .await;
    assert_eq!(deleted.status(), 200);
    assert_eq!(desk.app.count_rows("proof_challenges").await, 0);
    assert_eq!(desk.app.count_rows("proofs").await, 0);
}

/// The real binary with every log line on (`RUST_LOG=debug`): a proof asked for over the
/// agent API, refused once and then given, leaves no address or signature on its stderr.
#[tokio::test]
async fn the_binarys_log_holds_no_address_nor_signature() {
    use std::io::Read;
    let Some(legacy) = peer_address("p2pkh", KEY_A) else {
        return;
    };
    let bin = env!("CARGO_BIN_EXE_hushdesk");
    let cwd = tempfile::tempdir().unwrap();
    let mut add = Command::new(bin)
        .args([
            "agent", "add", "--name", "lina", "--role", "l1", "--queue", "general",
        ])
        .arg("--password-stdin")
        .current_dir(cwd.path())
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let password = "a long chosen password for lina";
    add.stdin
        .take()
        .unwrap()
        .write_all(format!("{password}\n").as_bytes())
        .unwrap();
    assert!(add.wait_with_output().unwrap().status.success());

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(bin)
        .current_dir(cwd.path())
        .env_clear()
        .env("RUST_LOG", "debug")
        .env("HUSHDESK_LISTEN", format!("127.0.0.1:{port}"))
        .env("HUSHDESK_SMTP_LISTEN", "127.0.0.1:0")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut up = false;
    for _ in 0..600 {
        if let Ok(r) = client.get(format!("{base}/healthz")).send().await
            && r.status() == 200
        {
            up = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(up, "hushdesk did not start");

    let filed: Value = client
        .post(format!("{base}/api/v1/tickets"))
        .json(&json!({"subject": "Wallet", "body": format!("Mine is {legacy}"), "category": "functionality"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let reference = filed["reference"].as_str().unwrap().to_owned();
    let access = filed["access_token"].as_str().unwrap().to_owned();
    let login: Value = client
        .post(format!("{base}/api/v1/agent/login"))
        .json(&json!({"name": "lina", "password": password}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["token"].as_str().unwrap().to_owned();
    let asked = client
        .post(format!("{base}/api/v1/agent/tickets/{reference}/proofs"))
        .bearer_auth(&token)
        .json(&json!({"kind": "bitcoin", "expected_mask": "[BTC-1]"}))
        .send()
        .await
        .unwrap();
    assert_eq!(asked.status(), 201);
    let asked: Value = asked.json().await.unwrap();
    let text = asked["challenge"].as_str().unwrap().to_owned();
    assert_eq!(asked["expected_mask"], "[BTC-1]");

    let page = client
        .get(format!("{base}/t/{access}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&text),
        "the requester's page shows the challenge"
    );
    let id = extract_between(&page, "name=\"challenge\" value=\"", "\"").unwrap();
    let (address, signature) = peer_sign("p2pkh", KEY_A, &text).unwrap();
    let post = |signature: String| {
        client
            .post(format!("{base}/t/{access}/proof"))
            .form(&[
                ("challenge", id),
                ("address", &address),
                ("signature", &signature),
            ])
            .send()
    };
    let mut bad = signature.clone().into_bytes();
    bad[20] = if bad[20] == b'A' { b'B' } else { b'A' };
    assert_eq!(
        post(String::from_utf8(bad).unwrap())
            .await
            .unwrap()
            .status(),
        422
    );
    assert_eq!(post(signature.clone()).await.unwrap().status(), 303);
    let ticket: Value = client
        .get(format!("{base}/api/v1/agent/tickets/{reference}"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ticket["proofs"][0]["subject_mask"], "[BTC-1]");

    let stopped = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(stopped.success());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    child.wait().unwrap();
    assert!(
        stderr.contains("proof refused"),
        "the refusal is logged: {stderr}"
    );
    for raw in [&legacy, &signature] {
        assert!(!stderr.contains(raw.as_str()), "{raw} in the log");
    }
}
