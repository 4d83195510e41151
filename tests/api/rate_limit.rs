//! Abuse control without tracking: per-network budgets held in memory only.

use serde_json::{Value, json};

use crate::support::TestApp;

fn ticket() -> Value {
    json!({"subject": "s", "body": "b", "category": "billing"})
}

#[tokio::test]
async fn filing_beyond_the_burst_answers_429_and_stores_nothing_more() {
    let app = TestApp::spawn_with(|c| {
        c.rate_limit.tickets_burst = 2;
        c.rate_limit.tickets_refill_seconds = 3600;
    })
    .await;

    assert_eq!(
        app.post_json("/api/v1/tickets", &ticket()).await.status(),
        201
    );
    assert_eq!(
        app.post_form(
            "/tickets",
            &[("subject", "s"), ("body", "b"), ("category", "billing")]
        )
        .await
        .status(),
        201
    );
    let api = app.post_json("/api/v1/tickets", &ticket()).await;
    let form = app
        .post_form(
            "/tickets",
            &[("subject", "s"), ("body", "b"), ("category", "billing")],
        )
        .await;

    assert_eq!(api.status(), 429);
    let error: Value = api.json().await.unwrap();
    assert!(
        error["error"]
            .as_str()
            .unwrap()
            .contains("Too many requests")
    );
    assert_eq!(form.status(), 429);
    assert!(form.text().await.unwrap().contains("Too many requests"));
    assert_eq!(app.count_rows("tickets").await, 2);
    // Reading the form is not filing: it stays available.
    assert_eq!(app.get("/").await.status(), 200);
}

/// Files a ticket as if a proxy had forwarded it from `address`; returns the status code.
async fn file_from(app: &TestApp, address: &str) -> u16 {
    let request = app
        .client
        .post(app.url("/api/v1/tickets"))
        .header("x-forwarded-for", address)
        .json(&ticket());
    request.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn behind_a_proxy_the_limit_applies_per_network_from_the_trusted_header() {
    let app = TestApp::spawn_with(|c| {
        c.trusted_client_header = Some("x-forwarded-for".into());
        c.rate_limit.tickets_burst = 1;
        c.rate_limit.tickets_refill_seconds = 3600;
    })
    .await;
    let file_from = |address: &'static str| file_from(&app, address);

    assert_eq!(file_from("203.0.113.10").await, 201);
    // Another host of the same /24 shares the budget: rotating addresses does not help.
    assert_eq!(file_from("203.0.113.99").await, 429);
    // A client-supplied entry before the proxy's own is ignored.
    assert_eq!(file_from("192.0.2.1, 203.0.113.50").await, 429);
    // Another network has its own budget.
    assert_eq!(file_from("198.51.100.7").await, 201);
    // IPv6: the /64 is the unit.
    assert_eq!(file_from("2001:db8:aa:1::1").await, 201);
    assert_eq!(file_from("2001:db8:aa:1:ffff::2").await, 429);
    assert_eq!(file_from("2001:db8:aa:2::1").await, 201);
}

#[tokio::test]
async fn without_a_trusted_header_configured_a_forwarded_header_is_ignored() {
    let app = TestApp::spawn_with(|c| {
        c.rate_limit.tickets_burst = 1;
        c.rate_limit.tickets_refill_seconds = 3600;
    })
    .await;
    let file_from = |address: &'static str| file_from(&app, address);
    assert_eq!(file_from("203.0.113.10").await, 201);
    assert_eq!(
        file_from("198.51.100.7").await,
        429,
        "a spoofed header does not buy a new budget"
    );
}

#[tokio::test]
async fn requests_to_ticket_links_have_their_own_budget() {
    let app = TestApp::spawn_with(|c| {
        c.rate_limit.requests_burst = 3;
        c.rate_limit.requests_refill_millis = 3_600_000;
    })
    .await;
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(app.get("/t/guessing-tokens").await.status().as_u16());
    }
    assert_eq!(statuses, vec![404, 404, 404, 429, 429]);
    // Filing is budgeted separately.
    assert_eq!(
        app.post_json("/api/v1/tickets", &ticket()).await.status(),
        201
    );
}
