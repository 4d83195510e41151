//! Security headers on every kind of response.

use serde_json::json;

use crate::support::TestApp;

fn assert_security_headers(response: &reqwest::Response, what: &str) {
    let headers = response.headers();
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'self'"), "{what}: {csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
    assert!(
        csp.contains("script-src 'self'") || csp.contains("script-src 'none'"),
        "{what}: only the desk's own script files, never inline: {csp}"
    );
    assert!(!csp.contains("unsafe-inline"), "{what}");
    assert_eq!(headers["referrer-policy"], "no-referrer", "{what}");
    assert_eq!(headers["x-content-type-options"], "nosniff", "{what}");
    assert_eq!(headers["x-frame-options"], "DENY", "{what}");
    assert!(
        headers.get("set-cookie").is_none(),
        "{what}: requesters get no cookies"
    );
    assert!(
        headers.get("strict-transport-security").is_none(),
        "{what}: HSTS only when configured"
    );
}

#[tokio::test]
async fn every_response_carries_the_security_headers_and_ticket_pages_are_not_cached() {
    let app = TestApp::spawn().await;
    let (_, token, _) = app.file_via_api("Headers", "check", json!({})).await;

    let responses = [
        ("form", app.get("/").await),
        ("ticket page", app.get(&format!("/t/{token}")).await),
        (
            "api ticket",
            app.get(&format!("/api/v1/tickets/{token}")).await,
        ),
        ("not found", app.get("/missing").await),
        ("api not found", app.get("/api/v1/tickets/wrong").await),
        (
            "created page",
            app.post_form(
                "/tickets",
                &[("subject", "s"), ("body", "b"), ("category", "billing")],
            )
            .await,
        ),
        (
            "too large",
            app.post_form("/tickets", &[("body", &"x".repeat(70_000))])
                .await,
        ),
        ("stylesheet", app.get("/static/style.css").await),
        ("health", app.get("/healthz").await),
    ];

    for (what, response) in &responses {
        assert_security_headers(response, what);
        // The requester's pages run no script at all, not even the desk's own.
        if ["form", "ticket page", "api ticket", "created page"].contains(what) {
            let csp = response.headers()["content-security-policy"]
                .to_str()
                .unwrap();
            assert!(csp.contains("script-src 'none'"), "{what}: {csp}");
        }
        let cache = response.headers()["cache-control"].to_str().unwrap();
        if *what == "stylesheet" {
            assert!(
                cache.starts_with("public"),
                "the stylesheet may be cached: {cache}"
            );
        } else {
            assert_eq!(cache, "no-store", "{what}");
        }
        // Pages may speak the browser's language: caches must keep the languages apart. The
        // stylesheet and the API do not depend on it.
        let vary = response
            .headers()
            .get("vary")
            .map(|v| v.to_str().unwrap().to_owned());
        let is_page = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html");
        if is_page {
            assert!(
                vary.as_deref()
                    .is_some_and(|v| v.contains("Accept-Language")),
                "{what}: {vary:?}"
            );
        } else {
            assert!(
                !vary
                    .as_deref()
                    .is_some_and(|v| v.contains("Accept-Language")),
                "{what}: {vary:?}"
            );
        }
    }
    assert!(
        responses
            .iter()
            .filter(|(_, r)| r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html"))
            .count()
            >= 4,
        "pages among the responses"
    );
}

#[tokio::test]
async fn hsts_is_sent_when_configured_for_tls() {
    let app = TestApp::spawn_with(|c| c.hsts = true).await;
    let response = app.get("/").await;
    assert!(
        response.headers()["strict-transport-security"]
            .to_str()
            .unwrap()
            .contains("max-age=")
    );
}
