//! Filing, reading, replying and deleting, through the form and through the JSON API.

use serde_json::{Value, json};

use crate::support::TestApp;

const CATEGORIES: [&str; 6] = [
    "security",
    "outage",
    "billing",
    "functionality",
    "onboarding",
    "data_request",
];

#[tokio::test]
async fn the_form_offers_every_category_and_needs_no_script_or_outside_resource() {
    let app = TestApp::spawn().await;

    let response = app.get("/").await;

    assert_eq!(response.status(), 200);
    let page = response.text().await.unwrap();
    for category in CATEGORIES {
        assert!(
            page.contains(&format!("value=\"{category}\"")),
            "missing {category}"
        );
    }
    for field in [
        "name=\"subject\"",
        "name=\"body\"",
        "name=\"contact\"",
        "name=\"pgp_key\"",
        "action=\"/tickets\"",
    ] {
        assert!(page.contains(field), "missing {field}");
    }
    assert!(!page.to_lowercase().contains("<script"));
    assert!(
        !page.contains("src=\"http") && !page.contains("href=\"http"),
        "no absolute resource URLs"
    );
    let css = app.get("/static/style.css").await;
    assert_eq!(css.status(), 200);
    assert!(
        !css.text().await.unwrap().contains("url("),
        "the stylesheet loads nothing else"
    );
}

#[tokio::test]
async fn filing_through_the_form_shows_the_reference_and_a_working_link_once() {
    let app = TestApp::spawn().await;

    let response = app
        .post_form(
            "/tickets",
            &[
                ("subject", "Cannot log in"),
                ("body", "It says my password expired."),
                ("category", "onboarding"),
                ("contact", ""),
                ("pgp_key", ""),
                ("website", ""),
            ],
        )
        .await;

    assert_eq!(response.status(), 201);
    let page = response.text().await.unwrap();
    assert!(
        page.contains("only way back"),
        "the page warns that the link is the only way back"
    );
    let path = crate::support::access_path(&page);
    let reference = crate::support::extract_between(&page, "Request ", " received")
        .unwrap()
        .to_owned();
    assert!(
        reference.starts_with("HD-") && reference.len() == 11,
        "{reference}"
    );
    let ticket = app.get(&path).await;
    assert_eq!(ticket.status(), 200);
    let ticket_page = ticket.text().await.unwrap();
    assert!(ticket_page.contains(&reference));
    assert!(ticket_page.contains("Cannot log in"));
    assert!(ticket_page.contains("It says my password expired."));
}

#[tokio::test]
async fn a_form_reply_redirects_back_and_joins_the_conversation() {
    let app = TestApp::spawn().await;
    let (_, path) = app
        .file_via_form(&[
            ("subject", "Sync broken"),
            ("body", "First message"),
            ("category", "outage"),
        ])
        .await;

    let response = app
        .post_form(
            &format!("{path}/reply"),
            &[("body", "Second message, from me")],
        )
        .await;

    assert_eq!(response.status(), 303);
    assert_eq!(
        response.headers()["location"],
        format!("{path}#latest").as_str()
    );
    let page = app.get(&path).await.text().await.unwrap();
    let first = page.find("First message").unwrap();
    let second = page.find("Second message, from me").unwrap();
    assert!(first < second, "messages are in order");
}

#[tokio::test]
async fn deleting_through_the_form_asks_first_then_deletes_everything() {
    let app = TestApp::spawn().await;
    let (reference, path) = app
        .file_via_form(&[
            ("subject", "Delete me"),
            ("body", "Body"),
            ("category", "data_request"),
            ("contact", "someone@example.org"),
        ])
        .await;

    let confirm = app.post_form(&format!("{path}/delete"), &[]).await;
    assert_eq!(confirm.status(), 200);
    assert!(confirm.text().await.unwrap().contains("confirm"));
    assert_eq!(
        app.get(&path).await.status(),
        200,
        "nothing is deleted before confirmation"
    );

    let deleted = app
        .post_form(&format!("{path}/delete"), &[("confirm", "yes")])
        .await;

    assert_eq!(deleted.status(), 200);
    assert!(
        deleted
            .text()
            .await
            .unwrap()
            .contains(&format!("{reference} has been deleted"))
    );
    assert_eq!(app.get(&path).await.status(), 404);
    for table in [
        "tickets",
        "messages",
        "vault_entries",
        "ticket_keys",
        "mask_slots",
    ] {
        assert_eq!(app.count_rows(table).await, 0, "{table} is empty");
    }
    assert_eq!(app.count_rows("tombstones").await, 1);
}

#[tokio::test]
async fn the_api_files_reads_replies_and_deletes() {
    let app = TestApp::spawn().await;

    let created = app
        .post_json("/api/v1/tickets", &json!({"subject": "Refund", "body": "Card 4111 1111 1111 1111 was charged twice", "category": "billing"}))
        .await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    let reference = created["reference"].as_str().unwrap();
    let token = created["access_token"].as_str().unwrap();
    assert!(reference.starts_with("HD-"));
    assert!(token.len() >= 22, "at least 128 bits");
    assert_eq!(created["redactions"], json!({"payment_card": 1}));

    let reply = app
        .post_json(
            &format!("/api/v1/tickets/{token}/replies"),
            &json!({"body": "Any news?"}),
        )
        .await;
    assert_eq!(reply.status(), 201);

    let ticket: Value = app
        .get(&format!("/api/v1/tickets/{token}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ticket["reference"], reference);
    assert_eq!(ticket["status"], "new");
    let messages = ticket["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0]["author"], "requester");
    assert_eq!(messages[0]["body"], "Card [CARD-1] was charged twice");
    assert_eq!(messages[1]["body"], "Any news?");
    assert!(messages[0]["created_at"].as_str().unwrap().ends_with('Z'));

    let deleted = app
        .client
        .delete(app.url(&format!("/api/v1/tickets/{token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 200);
    let deleted: Value = deleted.json().await.unwrap();
    assert_eq!(deleted["reference"], reference);
    assert_eq!(
        app.get(&format!("/api/v1/tickets/{token}")).await.status(),
        404
    );
    let again = app
        .client
        .delete(app.url(&format!("/api/v1/tickets/{token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 404);
}

#[tokio::test]
async fn masks_stay_the_same_for_the_same_value_across_a_tickets_messages() {
    let app = TestApp::spawn().await;
    let (_, token, _) = app
        .file_via_api(
            "Mail from a.person@example.org",
            "Reach me at a.person@example.org or b.person@example.org",
            json!({}),
        )
        .await;
    app.post_json(
        &format!("/api/v1/tickets/{token}/replies"),
        &json!({"body": "Prefer B.Person@example.org please"}),
    )
    .await;

    let ticket: Value = app
        .get(&format!("/api/v1/tickets/{token}"))
        .await
        .json()
        .await
        .unwrap();

    assert_eq!(ticket["subject"], "Mail from [EMAIL-1]");
    assert_eq!(
        ticket["messages"][0]["body"],
        "Reach me at [EMAIL-1] or [EMAIL-2]"
    );
    assert_eq!(ticket["messages"][1]["body"], "Prefer [EMAIL-2] please");
}

#[tokio::test]
async fn a_requester_key_is_accepted_and_never_shown_back() {
    let app = TestApp::spawn().await;
    // The helpdesk's own public key is a valid OpenPGP public key to test with.
    let key = app.get("/pgp-key.asc").await.text().await.unwrap();
    assert!(key.starts_with("-----BEGIN PGP PUBLIC KEY BLOCK-----"));

    let (_, token, _) = app
        .file_via_api(
            "With key",
            "Encrypt replies please",
            json!({"pgp_key": key}),
        )
        .await;

    assert_eq!(app.count_rows("vault_entries").await, 1);
    let view = app
        .get(&format!("/api/v1/tickets/{token}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!view.contains("PGP"));
}

#[tokio::test]
async fn health_answers_ok() {
    let app = TestApp::spawn().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "ok");
}
