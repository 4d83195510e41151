//! Satisfaction without trackers: a resolved ticket asks its requester once for a rating on
//! its page (and through the API); declining is one click; the comment is masked before it
//! is stored; after any purge only the (queue, week, answer) counts are left.

use std::process::Stdio;

use serde_json::{Value, json};

use crate::support::{TestApp, files_containing};

const DAY: i64 = 86_400;

fn as_of(days_from_now: i64) -> String {
    let at = time::OffsetDateTime::now_utc() + time::Duration::seconds(days_from_now * DAY);
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

/// The stored counts as (queue, answer, n), whatever the week.
async fn counts(app: &TestApp) -> Vec<(String, String, i64)> {
    app.query_rows(
        "select queue, answer, n from satisfaction_counts order by queue, answer",
        &[],
    )
    .await
}

async fn set_status(app: &TestApp, token: &str, reference: &str, status: &str) {
    let response = app
        .agent_post(
            token,
            &format!("/api/v1/agent/tickets/{reference}/status"),
            &json!({ "status": status }),
        )
        .await;
    assert_eq!(response.status(), 200, "{status}");
}

async fn page(app: &TestApp, access: &str) -> String {
    let response = app.get(&format!("/t/{access}")).await;
    assert_eq!(response.status(), 200);
    response.text().await.unwrap()
}

#[tokio::test]
async fn a_resolved_ticket_is_rated_once_from_its_page_and_the_comment_is_masked() {
    let app = TestApp::spawn().await;
    let agent = app.add_agent("rita", "l2", &["general"]).await;
    let token = app.api_login(&agent).await;
    let (reference, access, _) = app.file_via_api("Login", "It fails", json!({})).await;

    // Open: no offer, and a rating is refused.
    assert!(!page(&app, &access).await.contains("id=\"rating-form\""));
    let early = app
        .post_form(&format!("/t/{access}/rating"), &[("score", "5")])
        .await;
    assert_eq!(early.status(), 409);
    let early_api = app
        .post_json(
            &format!("/api/v1/tickets/{access}/rating"),
            &json!({ "score": 5 }),
        )
        .await;
    assert_eq!(early_api.status(), 409);
    assert!(counts(&app).await.is_empty());

    set_status(&app, &token, &reference, "resolved").await;
    let offered = page(&app, &access).await;
    assert!(offered.contains("id=\"rating-form\""), "{offered}");
    for score in 1..=5 {
        assert!(offered.contains(&format!("id=\"rating-{score}\"")));
    }
    assert_eq!(
        counts(&app).await,
        [("general".to_owned(), "offered".to_owned(), 1)]
    );

    // A score out of range is refused and changes nothing.
    let wrong = app
        .post_form(&format!("/t/{access}/rating"), &[("score", "6")])
        .await;
    assert_eq!(wrong.status(), 422);

    let rated = app
        .post_form(
            &format!("/t/{access}/rating"),
            &[
                ("score", "4"),
                ("comment", "Quick, thanks. Write to csat.canary@example.org"),
            ],
        )
        .await;
    assert_eq!(rated.status(), 303);
    let after = page(&app, &access).await;
    assert!(!after.contains("id=\"rating-form\""));
    assert!(after.contains("id=\"rating-done\""));

    let stored: Vec<(Option<i64>, Option<String>)> = app
        .query_rows(
            "select rating, rating_comment from tickets where reference = $1",
            &[(&reference).into()],
        )
        .await;
    assert_eq!(stored[0].0, Some(4));
    let comment = stored[0].1.clone().unwrap();
    assert!(comment.contains("[EMAIL-1]"), "{comment}");
    assert!(!comment.contains("csat.canary"), "{comment}");

    // Asked once: a second answer is refused.
    let again = app
        .post_json(
            &format!("/api/v1/tickets/{access}/rating"),
            &json!({ "decline": true }),
        )
        .await;
    assert_eq!(again.status(), 409);

    // The agent sees the score and the masked comment.
    let session = app.html_login(&agent).await;
    let view = app
        .html_get(&session, &format!("/agent/tickets/{reference}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(view.contains("id=\"ticket-rating\""), "{view}");
    assert!(view.contains("[EMAIL-1]"));
    assert!(!view.contains("csat.canary"));
    let json: Value = app
        .agent_get(&token, &format!("/api/v1/agent/tickets/{reference}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(json["rating_score"], 4);
    assert!(
        json["rating_comment"]
            .as_str()
            .unwrap()
            .contains("[EMAIL-1]")
    );

    assert_eq!(
        counts(&app).await,
        [
            ("general".to_owned(), "4".to_owned(), 1),
            ("general".to_owned(), "offered".to_owned(), 1),
        ]
    );
}

#[tokio::test]
async fn declining_is_one_click_and_the_offer_is_not_made_again() {
    let app = TestApp::spawn().await;
    let agent = app.add_agent("dora", "l2", &["general"]).await;
    let token = app.api_login(&agent).await;
    let (reference, access, _) = app.file_via_api("Login", "It fails", json!({})).await;
    set_status(&app, &token, &reference, "resolved").await;
    assert!(page(&app, &access).await.contains("id=\"rating-decline\""));

    let declined = app
        .post_form(&format!("/t/{access}/rating"), &[("decline", "yes")])
        .await;
    assert_eq!(declined.status(), 303);
    let after = page(&app, &access).await;
    assert!(!after.contains("id=\"rating-form\""));
    assert!(!after.contains("id=\"rating-done\""));

    // Reopened and resolved again: still not asked again, and not counted twice.
    let reply = app
        .post_json(
            &format!("/api/v1/tickets/{access}/replies"),
            &json!({ "body": "One more thing" }),
        )
        .await;
    assert_eq!(reply.status(), 201);
    set_status(&app, &token, &reference, "resolved").await;
    assert!(!page(&app, &access).await.contains("id=\"rating-form\""));
    assert_eq!(
        counts(&app).await,
        [
            ("general".to_owned(), "declined".to_owned(), 1),
            ("general".to_owned(), "offered".to_owned(), 1),
        ]
    );
}

#[tokio::test]
async fn the_api_rates_a_resolved_ticket() {
    let app = TestApp::spawn().await;
    let agent = app.add_agent("ari", "l2", &["general"]).await;
    let token = app.api_login(&agent).await;
    let (reference, access, _) = app.file_via_api("Login", "It fails", json!({})).await;
    set_status(&app, &token, &reference, "resolved").await;
    let shown: Value = app
        .get(&format!("/api/v1/tickets/{access}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(shown["rating"], "offered");
    let bad = app
        .post_json(
            &format!("/api/v1/tickets/{access}/rating"),
            &json!({ "score": 0 }),
        )
        .await;
    assert_eq!(bad.status(), 422);
    // Declining together with a score or a comment is undecided, and records nothing.
    for undecided in [
        json!({ "decline": true, "score": 3 }),
        json!({ "decline": true, "comment": "meh" }),
    ] {
        let refused = app
            .post_json(&format!("/api/v1/tickets/{access}/rating"), &undecided)
            .await;
        assert_eq!(refused.status(), 422, "{undecided}");
        let body: Value = refused.json().await.unwrap();
        assert_eq!(body["fields"][0]["field"], "decline", "{body}");
    }
    let rated = app
        .post_json(
            &format!("/api/v1/tickets/{access}/rating"),
            &json!({ "score": 2, "comment": "slow" }),
        )
        .await;
    assert_eq!(rated.status(), 201);
    let body: Value = rated.json().await.unwrap();
    assert_eq!(body["answer"], "rated");
    let shown: Value = app
        .get(&format!("/api/v1/tickets/{access}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (&shown["rating"], &shown["rating_score"]),
        (&json!("rated"), &json!(2))
    );
    let openapi: Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    assert!(openapi["paths"]["/api/v1/tickets/{token}/rating"]["post"].is_object());
}

#[tokio::test]
async fn after_delete_now_and_retention_only_the_counts_survive() {
    let mut app = TestApp::spawn_scannable("csat_purge", |_| {}).await;
    let agent = app.add_agent("pia", "l2", &["general"]).await;
    let token = app.api_login(&agent).await;
    let mut accesses = Vec::new();
    for (score, word) in [("5", "zcsatcommentone"), ("3", "zcsatcommenttwo")] {
        let (reference, access, _) = app.file_via_api("Login", "It fails", json!({})).await;
        set_status(&app, &token, &reference, "resolved").await;
        let rated = app
            .post_form(
                &format!("/t/{access}/rating"),
                &[("score", score), ("comment", word)],
            )
            .await;
        assert_eq!(rated.status(), 303);
        accesses.push((reference, access));
    }
    // Stored, so that the scan below can fail.
    let comments: Vec<String> = app
        .query_values("select rating_comment from tickets", &[])
        .await;
    assert!(comments.iter().any(|c| c == "zcsatcommentone"));
    let before = app.stored_files().await;
    assert!(!files_containing(&before, "zcsatcommentone").is_empty());
    drop(before);
    let expected = [
        ("general".to_owned(), "3".to_owned(), 1),
        ("general".to_owned(), "5".to_owned(), 1),
        ("general".to_owned(), "offered".to_owned(), 2),
    ];
    assert_eq!(counts(&app).await, expected);

    // One deleted now by its requester, the other purged when its retention runs out.
    let deleted = app
        .post_form(
            &format!("/t/{}/delete", accesses[0].1),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(deleted.status(), 200);
    let output = app
        .command()
        .args(["purge", "--as-of", &as_of(31)])
        .stderr(Stdio::inherit())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("purged 1 tickets"), "{text}");
    assert_eq!(app.count_rows("tickets").await, 0);
    assert_eq!(counts(&app).await, expected);
    // The outcome rows carry no reference.
    assert_eq!(app.count_rows("ticket_outcomes").await, 2);

    app.compact_after_purge().await;
    app.stop().await;
    let files = app.stored_files().await;
    for word in ["zcsatcommentone", "zcsatcommenttwo"] {
        let found = files_containing(&files, word);
        assert!(found.is_empty(), "{word} survived in {found:?}");
    }
}
