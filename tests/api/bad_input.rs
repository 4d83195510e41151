//! Every kind of bad input gets a clear 4xx and leaves nothing stored.

use serde_json::{Value, json};

use crate::support::TestApp;

async fn assert_nothing_stored(app: &TestApp) {
    for table in [
        "tickets",
        "messages",
        "vault_entries",
        "ticket_keys",
        "mask_slots",
    ] {
        assert_eq!(app.count_rows(table).await, 0, "{table} must stay empty");
    }
}

fn form(subject: &str, body: &str, category: &str) -> Vec<(&'static str, String)> {
    vec![
        ("subject", subject.to_owned()),
        ("body", body.to_owned()),
        ("category", category.to_owned()),
    ]
}

#[tokio::test]
async fn empty_fields_and_unknown_categories_are_refused_on_the_form_with_the_form_shown_again() {
    let app = TestApp::spawn().await;
    for (fields, expected) in [
        (form("", "body", "billing"), "subject is empty"),
        (form("   ", "body", "billing"), "subject is empty"),
        (form("subject", "", "billing"), "message is empty"),
        (
            form("subject", "body", "lottery"),
            "choose one of the listed categories",
        ),
        (
            form("subject", "body", ""),
            "choose one of the listed categories",
        ),
    ] {
        let response = app
            .client
            .post(app.url("/tickets"))
            .form(&fields)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422, "{expected}");
        let page = response.text().await.unwrap();
        assert!(page.contains(expected), "{expected}");
        assert!(
            page.contains("action=\"/tickets\""),
            "the form is shown again"
        );
    }
    assert_nothing_stored(&app).await;
}

#[tokio::test]
async fn empty_fields_unknown_categories_and_missing_fields_are_refused_by_the_api() {
    let app = TestApp::spawn().await;
    for payload in [
        json!({"subject": "", "body": "b", "category": "billing"}),
        json!({"subject": "s", "body": " \n ", "category": "billing"}),
        json!({"subject": "s", "body": "b", "category": "Billing"}),
        json!({"subject": "s", "body": "b"}),
        json!({"subject": "s", "body": "b", "category": "billing", "contact": "not an address"}),
        json!({"subject": "s", "body": "b", "category": "billing", "unexpected": 1}),
        json!({"subject": 5, "body": "b", "category": "billing"}),
    ] {
        let response = app.post_json("/api/v1/tickets", &payload).await;
        assert_eq!(response.status(), 422, "{payload}");
        let error: Value = response.json().await.unwrap();
        assert!(!error["error"].as_str().unwrap().is_empty());
    }
    assert_nothing_stored(&app).await;
}

#[tokio::test]
async fn bodies_over_the_limit_get_413_on_form_and_api() {
    let app = TestApp::spawn().await;
    let huge = "a".repeat(70 * 1024);

    let form = app
        .post_form(
            "/tickets",
            &[("subject", "s"), ("body", &huge), ("category", "billing")],
        )
        .await;
    assert_eq!(form.status(), 413);
    assert!(form.text().await.unwrap().contains("too large"));

    let api = app
        .post_json(
            "/api/v1/tickets",
            &json!({"subject": "s", "body": huge, "category": "billing"}),
        )
        .await;
    assert_eq!(api.status(), 413);
    let error: Value = api.json().await.unwrap();
    assert!(error["error"].as_str().unwrap().contains("too large"));
    assert_nothing_stored(&app).await;
}

#[tokio::test]
async fn the_body_limit_is_configurable() {
    let app = TestApp::spawn_with(|c| c.max_body_bytes = 2048).await;
    let body = "b".repeat(4096);
    let response = app
        .post_json(
            "/api/v1/tickets",
            &json!({"subject": "s", "body": body, "category": "billing"}),
        )
        .await;
    assert_eq!(response.status(), 413);
    assert_nothing_stored(&app).await;
}

#[tokio::test]
async fn invalid_utf8_is_refused_not_replaced() {
    let app = TestApp::spawn().await;

    let form = app
        .post_raw(
            "/tickets",
            "application/x-www-form-urlencoded",
            &b"subject=ok&body=%FF%FEbad&category=billing"[..],
        )
        .await;
    assert_eq!(form.status(), 400);
    assert!(form.text().await.unwrap().contains("not valid UTF-8"));

    let raw_form = app
        .post_raw(
            "/tickets",
            "application/x-www-form-urlencoded",
            &b"subject=ok&body=\xff\xfe&category=billing"[..],
        )
        .await;
    assert_eq!(raw_form.status(), 400);

    let json = app
        .post_raw(
            "/api/v1/tickets",
            "application/json",
            &b"{\"subject\":\"ok\",\"body\":\"\xff\xfe\",\"category\":\"billing\"}"[..],
        )
        .await;
    assert_eq!(json.status(), 400);
    assert_nothing_stored(&app).await;
}

#[tokio::test]
async fn malformed_json_and_wrong_content_types_are_refused() {
    let app = TestApp::spawn().await;

    let malformed = app
        .post_raw(
            "/api/v1/tickets",
            "application/json",
            "{\"subject\": \"s\",",
        )
        .await;
    assert_eq!(malformed.status(), 400);
    let error: Value = malformed.json().await.unwrap();
    assert!(error["error"].as_str().unwrap().contains("not valid JSON"));

    let text = app.post_raw("/api/v1/tickets", "text/plain", "{}").await;
    assert_eq!(text.status(), 415);

    let json_to_form = app.post_raw("/tickets", "application/json", "{}").await;
    assert_eq!(json_to_form.status(), 415);

    // The form takes files, so multipart is a form too: an empty one lacks every field.
    let multipart = app
        .post_raw("/tickets", "multipart/form-data; boundary=x", "--x--")
        .await;
    assert_eq!(multipart.status(), 422);
    let not_multipart = app
        .post_raw(
            "/tickets",
            "multipart/form-data; boundary=x",
            "no parts at all",
        )
        .await;
    assert_eq!(not_multipart.status(), 400);
    assert_nothing_stored(&app).await;
}

#[tokio::test]
async fn control_characters_are_refused() {
    let app = TestApp::spawn().await;
    let response = app
        .post_json(
            "/api/v1/tickets",
            &json!({"subject": "s", "body": "nul\u{0}byte", "category": "billing"}),
        )
        .await;
    assert_eq!(response.status(), 422);
    assert_nothing_stored(&app).await;
}

#[tokio::test]
async fn unknown_and_malformed_tokens_get_the_same_404() {
    let app = TestApp::spawn().await;
    app.file_via_api("Real", "ticket", json!({})).await;
    let wrong = "A".repeat(43);
    let cases = [
        wrong.as_str(),
        "short",
        "%00%ff",
        "../../etc/passwd",
        &"x".repeat(500),
    ];

    let mut html_bodies = Vec::new();
    let mut json_bodies = Vec::new();
    for token in cases {
        let page = app.get(&format!("/t/{token}")).await;
        assert_eq!(page.status(), 404, "{token}");
        html_bodies.push(page.text().await.unwrap());
        let api = app.get(&format!("/api/v1/tickets/{token}")).await;
        assert_eq!(api.status(), 404, "{token}");
        json_bodies.push(api.text().await.unwrap());
        let reply = app
            .post_json(
                &format!("/api/v1/tickets/{token}/replies"),
                &json!({"body": "x"}),
            )
            .await;
        assert_eq!(reply.status(), 404);
        let delete = app
            .client
            .delete(app.url(&format!("/api/v1/tickets/{token}")))
            .send()
            .await
            .unwrap();
        assert_eq!(delete.status(), 404);
        let form_reply = app
            .post_form(&format!("/t/{token}/reply"), &[("body", "x")])
            .await;
        assert_eq!(form_reply.status(), 404);
        let form_delete = app
            .post_form(&format!("/t/{token}/delete"), &[("confirm", "yes")])
            .await;
        assert_eq!(form_delete.status(), 404);
    }
    assert!(
        html_bodies.windows(2).all(|w| w[0] == w[1]),
        "identical pages"
    );
    assert!(
        json_bodies.windows(2).all(|w| w[0] == w[1]),
        "identical JSON"
    );
    assert_eq!(app.count_rows("tickets").await, 1);
    assert_eq!(
        app.count_rows("messages").await,
        1,
        "no reply was stored anywhere"
    );
}

#[tokio::test]
async fn an_empty_reply_is_refused_and_the_draft_kept_nowhere() {
    let app = TestApp::spawn().await;
    let (_, path) = app
        .file_via_form(&[("subject", "s"), ("body", "b"), ("category", "billing")])
        .await;
    let response = app
        .post_form(&format!("{path}/reply"), &[("body", "   ")])
        .await;
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("message is empty"));
    assert_eq!(app.count_rows("messages").await, 1);
}

#[tokio::test]
async fn a_private_key_or_garbage_in_the_key_field_is_refused_and_not_stored() {
    let app = TestApp::spawn().await;
    let private_key =
        std::fs::read_to_string(app.data_dir.join("keys/openpgp-secret.asc")).unwrap();

    let response = app
        .post_json(
            "/api/v1/tickets",
            &json!({"subject": "s", "body": "b", "category": "billing", "pgp_key": private_key}),
        )
        .await;
    assert_eq!(response.status(), 422);
    let error: Value = response.json().await.unwrap();
    assert!(error["error"].as_str().unwrap().contains("PRIVATE key"));

    let garbage = app
        .post_form(
            "/tickets",
            &[
                ("subject", "s"),
                ("body", "b"),
                ("category", "billing"),
                ("pgp_key", "-----BEGIN PGP PUBLIC KEY BLOCK-----\nnope"),
            ],
        )
        .await;
    assert_eq!(garbage.status(), 422);
    assert!(garbage.text().await.unwrap().contains("could not be read"));
    assert_nothing_stored(&app).await;
}

#[tokio::test]
async fn a_filled_honeypot_is_refused() {
    let app = TestApp::spawn().await;
    let response = app
        .post_form(
            "/tickets",
            &[
                ("subject", "Buy now"),
                ("body", "cheap"),
                ("category", "billing"),
                ("website", "http://spam.example"),
            ],
        )
        .await;
    assert_eq!(response.status(), 400);
    assert!(response.text().await.unwrap().contains("Leave this empty"));
    assert_nothing_stored(&app).await;
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_in_the_callers_format() {
    let app = TestApp::spawn().await;

    let page = app.get("/wp-login.php").await;
    assert_eq!(page.status(), 404);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );

    let api = app.get("/api/v1/nothing").await;
    assert_eq!(api.status(), 404);
    let error: Value = api.json().await.unwrap();
    assert!(error["error"].is_string());

    let method = app
        .client
        .put(app.url("/api/v1/tickets"))
        .send()
        .await
        .unwrap();
    assert_eq!(method.status(), 405);
    let error: Value = method.json().await.unwrap();
    assert!(error["error"].is_string());
}
