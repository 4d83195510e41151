//! The redactor against the labelled corpus: every planted type is found in both languages,
//! decoys survive, and a canary of each type sent through the form and the API never reaches
//! the database files.

use hushdesk::redact::{Finding, Redactor};
use serde_json::json;

use crate::corpus::{self, Family, Rng};
use crate::support::{TestApp, files_containing};

fn covered(findings: &[Finding], range: &std::ops::Range<usize>) -> bool {
    findings
        .iter()
        .any(|f| f.start <= range.start && f.end >= range.end)
}

fn touched(findings: &[Finding], range: &std::ops::Range<usize>) -> bool {
    findings
        .iter()
        .any(|f| f.start < range.end && range.start < f.end)
}

#[test]
fn every_planted_type_is_found_in_english_and_russian() {
    let redactor = Redactor::builtin().unwrap();
    let mut rng = Rng::new(0x5eed_0001);
    let mut misses = Vec::new();
    for family in Family::ALL {
        for _ in 0..60 {
            let sample = corpus::planted(&mut rng, family);
            let (_, kind, range) = sample.planted.clone().unwrap();
            if !covered(&redactor.find(&sample.text), &range) {
                misses.push(format!("{family:?}/{kind}: {:?}", sample.text));
            }
        }
    }
    assert!(
        misses.is_empty(),
        "{} missed:\n{}",
        misses.len(),
        misses.join("\n")
    );
}

#[test]
fn decoys_that_only_look_personal_are_left_alone() {
    let redactor = Redactor::builtin().unwrap();
    let mut rng = Rng::new(0x5eed_0002);
    let mut masked = Vec::new();
    for _ in 0..1000 {
        let sample = corpus::decoy(&mut rng);
        let findings = redactor.find(&sample.text);
        for (kind, range) in &sample.decoys {
            if touched(&findings, range) {
                masked.push(format!("{kind}: {:?} -> {:?}", sample.text, findings));
            }
        }
    }
    assert!(
        masked.is_empty(),
        "{} decoys masked:\n{}",
        masked.len(),
        masked.join("\n")
    );
}

#[tokio::test]
async fn a_canary_of_each_type_through_form_and_api_never_reaches_the_database_files() {
    let mut app =
        TestApp::spawn_scannable("a_canary_of_each_type_through_form_and_a", |_| {}).await;
    let mut rng = Rng::new(0x5eed_0003);
    let mut canaries = Vec::new();
    for family in Family::ALL {
        for round in 0..2 {
            let sample = corpus::planted(&mut rng, family);
            let (_, kind, range) = sample.planted.clone().unwrap();
            let value = sample.text[range].to_owned();
            if round == 0 {
                let (_, token, _) = app
                    .file_via_api(&format!("About {kind}"), &sample.text, json!({}))
                    .await;
                let reply = corpus::planted(&mut rng, family);
                let (_, _, reply_range) = reply.planted.clone().unwrap();
                canaries.push(reply.text[reply_range].to_owned());
                let response = app
                    .post_json(
                        &format!("/api/v1/tickets/{token}/replies"),
                        &json!({"body": reply.text}),
                    )
                    .await;
                assert_eq!(response.status(), 201);
            } else {
                app.file_via_form(&[
                    ("subject", &format!("About {kind}")),
                    ("body", &sample.text),
                    ("category", "security"),
                ])
                .await;
            }
            canaries.push(value);
        }
    }
    let stored_text = app.stored_text().await;
    let running = app.stored_files().await;
    app.stop().await;
    let stopped = app.stored_files().await;
    for canary in &canaries {
        // Every canary is absent as a token from what was stored as text.
        let as_token = stored_text.match_indices(canary.as_str()).any(|(i, m)| {
            let before = stored_text[..i].chars().next_back();
            let after = stored_text[i + m.len()..].chars().next();
            !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
        });
        assert!(!as_token, "{canary} was stored");
        // Raw bytes: only for canaries long enough not to turn up by chance inside keys,
        // hashes and ciphertext (a 3-digit CVV appears in random bytes now and then).
        if canary.len() >= 8 {
            assert!(
                files_containing(&running, canary).is_empty(),
                "{canary} reached the data directory"
            );
            assert!(
                files_containing(&stopped, canary).is_empty(),
                "{canary} reached the data directory"
            );
        }
    }
}
