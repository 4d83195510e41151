//! The preview before sending: what will be masked, and which findings may be kept.

use serde_json::Value;

use crate::support::{TestApp, extract_between};

const BODY: &str = "Write to keep.me@example.org, card 4111 1111 1111 1111.";

#[tokio::test]
async fn the_preview_shows_what_will_be_masked_and_stores_nothing() {
    let app = TestApp::spawn().await;

    let response = app
        .post_form(
            "/tickets/preview",
            &[
                ("subject", "Refund"),
                ("body", BODY),
                ("category", "billing"),
                ("contact", ""),
            ],
        )
        .await;

    assert_eq!(response.status(), 200);
    let page = response.text().await.unwrap();
    assert!(page.contains("<mark>keep.me@example.org</mark>"), "{page}");
    assert!(page.contains("<mark>4111 1111 1111 1111</mark>"));
    // Public pages say what a mask stands for, never the rule that found it.
    assert!(page.contains("title=\"E-mail addresses\""), "{page}");
    assert!(!page.contains("payment_card"));
    assert_eq!(
        page.matches("name=\"keep\"").count(),
        1,
        "the e-mail may be kept, the card never"
    );
    assert!(page.contains("action=\"/tickets\""));
    assert_eq!(app.count_rows("tickets").await, 0);
}

#[tokio::test]
async fn a_kept_finding_is_stored_as_written_and_a_forged_keep_of_a_secret_is_ignored() {
    let app = TestApp::spawn().await;
    let page = app
        .post_form(
            "/tickets/preview",
            &[
                ("subject", "Refund"),
                ("body", BODY),
                ("category", "billing"),
            ],
        )
        .await
        .text()
        .await
        .unwrap();
    let keep_email = extract_between(&page, "name=\"keep\" value=\"", "\"")
        .unwrap()
        .to_owned();
    let card_start = BODY.find("4111").unwrap();
    let forged_card = format!(
        "body:{}:{}",
        card_start,
        card_start + "4111 1111 1111 1111".len()
    );

    let created = app
        .post_form(
            "/tickets",
            &[
                ("subject", "Refund"),
                ("body", BODY),
                ("category", "billing"),
                ("keep", &keep_email),
                ("keep", &forged_card),
            ],
        )
        .await;

    assert_eq!(created.status(), 201);
    let path = crate::support::access_path(&created.text().await.unwrap());
    let token = path.trim_start_matches("/t/");
    let ticket: Value = app
        .get(&format!("/api/v1/tickets/{token}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        ticket["messages"][0]["body"],
        "Write to keep.me@example.org, card [CARD-1]."
    );
}

#[tokio::test]
async fn a_preview_with_bad_input_shows_the_form_again() {
    let app = TestApp::spawn().await;
    let response = app
        .post_form(
            "/tickets/preview",
            &[("subject", ""), ("body", "b"), ("category", "billing")],
        )
        .await;
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("subject is empty"));
}
