//! In a real Chromium with scripts off, in English and Russian: a requester rates a resolved
//! ticket by clicking, and an admin reads the metrics and changes their period. Every page
//! passes `Journey::check_page` (axe-core, layout, contrast, no foreign request).

use serde_json::json;

use crate::browser::{Chromedriver, Journey, Js, Lang, Run};
use crate::support::{TestAgent, TestApp};

async fn sign_in(journey: &Journey, agent: &TestAgent) {
    journey.goto("/agent/login").await;
    journey.type_into("#name", &agent.name).await;
    journey.type_into("#password", &agent.password).await;
    if let Some(code) = agent.next_code() {
        journey.type_into("#totp", &code).await;
    }
    journey.click("form[action='/agent/login'] button").await;
    journey.wait_for_path("/agent/tickets").await;
}

#[tokio::test]
async fn a_requester_rates_by_clicking_and_an_admin_reads_the_metrics_without_javascript() {
    let Some(driver) = Chromedriver::start() else {
        return;
    };
    let app = TestApp::spawn().await;
    let agent = app.add_agent("bob", "l2", &["general"]).await;
    let token = app.api_login(&agent).await;
    for (i, lang) in [Lang::En, Lang::Ru].into_iter().enumerate() {
        let run = Run { lang, js: Js::Off };
        let (reference, access, _) = app
            .file_via_api("Sign-in fails", "The code never arrives", json!({}))
            .await;
        let resolved = app
            .agent_post(
                &token,
                &format!("/api/v1/agent/tickets/{reference}/status"),
                &json!({ "status": "resolved" }),
            )
            .await;
        assert_eq!(resolved.status(), 200);

        let mut journey = Journey::start(&driver, "rating", run, &app.base).await;
        journey.goto(&format!("/t/{access}")).await;
        journey.wait_for("#rating-form").await;
        journey.check_page().await;
        journey
            .type_into("#rating-comment", "Quick and clear")
            .await;
        journey.click("#rating-4").await;
        journey.wait_for("#rating-done").await;
        journey.check_page().await;
        journey.finish().await;
        let stored: Vec<(Option<i64>,)> = app
            .query_rows(
                "select rating from tickets where reference = $1",
                &[(&reference).into()],
            )
            .await;
        assert_eq!(stored, [(Some(4),)]);

        // An open ticket with a first response, so both charts have a bar.
        let (open, _, _) = app
            .file_via_api("Export", "The export is empty", json!({}))
            .await;
        let replied = app
            .agent_post(
                &token,
                &format!("/api/v1/agent/tickets/{open}/replies"),
                &json!({ "body": "Which format?" }),
            )
            .await;
        assert!(replied.status().is_success());
        let admin = app.add_agent(&format!("ada{i}"), "admin", &[]).await;
        let mut journey = Journey::start(&driver, "metrics", run, &app.base).await;
        sign_in(&journey, &admin).await;
        journey.goto("/admin/metrics").await;
        journey.wait_for("#chart-first-response rect").await;
        journey.wait_for("#chart-backlog rect").await;
        journey.check_page().await;
        journey.click("#period-days option[value='7']").await;
        journey.click("#period-last").await;
        journey.wait_for_query("/admin/metrics", "days=7").await;
        journey.wait_for("#satisfaction-table").await;
        journey.check_page().await;
        journey.finish().await;
    }
}
