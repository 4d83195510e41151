//! Journeys in a real headless Chromium, each in English and Russian with JavaScript on and
//! off. Every page passes `Journey::check_page` (no horizontal scroll at 390 px, axe-core
//! without serious or critical violations in light and dark, control edges and focus ring at
//! 3:1, a skip link, no console error, no request to another origin) and leaves its
//! screenshots in `target/screenshots/<journey>-<lang>-<js|nojs>-<n>[-dark|-narrow].png`.
//!
//! The steps find elements by their ids and form actions, never by wording, so they run
//! unchanged in both languages.

use crate::browser::{Chromedriver, EVERY_RUN, Journey};
use crate::support::{TestAgent, TestApp};

/// A long unbroken reference, address and token, as people paste them: the narrow layout
/// must wrap them rather than widen the page.
const LONG_WORDS: &str = "Order ref ORDER-2026-11-0000000000000000000000000000000000000042 \
     from https://shop.example.org/account/orders/0000000000000000000000000000000000000042?from=mail";

#[tokio::test]
async fn a_requester_files_previews_edits_reads_the_reply_and_deletes_in_both_languages_with_and_without_javascript()
 {
    let Some(driver) = Chromedriver::start() else {
        return;
    };
    let app = TestApp::spawn().await;
    let agent = app.add_agent("bob", "l1", &["billing"]).await;
    let token = app.api_login(&agent).await;
    let reference_pattern = regex::Regex::new(r"HD-[0-9A-Z]+").unwrap();
    for run in EVERY_RUN {
        let mut journey = Journey::start(&driver, "requester", run, &app.base).await;
        journey.goto("/").await;
        journey.check_page().await;

        journey.click("#category option[value=billing]").await;
        journey.type_into("#subject", "Charged twice").await;
        journey
            .type_into(
                "#body",
                &format!("Call me on +44 20 7946 0958 or mail jo@example.org. {LONG_WORDS}"),
            )
            .await;
        journey.click("button[formaction='/tickets/preview']").await;
        journey.wait_for_path("/tickets/preview").await;
        journey.wait_for(".mask").await;
        journey.check_page().await;

        journey.click("button[formaction='/tickets/edit']").await;
        journey.wait_for_path("/tickets/edit").await;
        let body = journey.wait_for("#body").await.prop("value").await.unwrap();
        assert!(
            body.is_some_and(|b| b.contains("Call me on")),
            "the edit form lost the text"
        );
        journey.check_page().await;

        journey
            .click("form[action='/tickets'] button[type=submit]:not([formaction])")
            .await;
        journey.wait_for_path("/tickets").await;
        let link = journey
            .wait_for(".link a")
            .await
            .attr("href")
            .await
            .unwrap()
            .unwrap();
        journey.check_page().await;

        let heading = journey.wait_for("main h1").await.text().await.unwrap();
        let reference = reference_pattern
            .find(&heading)
            .unwrap()
            .as_str()
            .to_owned();

        let reply = "We refunded the second charge.";
        let answer = app
            .agent_post(
                &token,
                &format!("/api/v1/agent/tickets/{reference}/replies"),
                &serde_json::json!({ "body": reply }),
            )
            .await;
        assert!(answer.status().is_success(), "{}", answer.status());
        journey.goto(&link).await;
        let conversation = journey
            .wait_for(".conversation")
            .await
            .text()
            .await
            .unwrap();
        assert!(conversation.contains(reply), "{conversation}");
        journey.check_page().await;

        journey.click("form[action*='/delete'] button").await;
        journey.wait_for("input[name=confirm]").await;
        journey.check_page().await;
        journey.click("form[action*='/delete'] button").await;
        journey.wait_for("pre.receipt").await;
        journey.check_page().await;
        journey.finish().await;
    }
}

/// Signs in through the form, with the second factor when the agent has one.
async fn sign_in(journey: &Journey, agent: &TestAgent) {
    journey.goto("/agent/login").await;
    journey.type_into("#name", &agent.name).await;
    journey.type_into("#password", &agent.password).await;
    if let Some(code) = agent.next_code() {
        journey.type_into("#totp", &code).await;
    }
    journey.click("form[action='/agent/login'] button").await;
}

#[tokio::test]
async fn an_agent_opens_the_list_and_a_ticket_in_both_languages_with_and_without_javascript() {
    let Some(driver) = Chromedriver::start() else {
        return;
    };
    let app = TestApp::spawn().await;
    let mut references = Vec::new();
    for (subject, body) in [
        (
            "Card declined",
            "My card was declined, reach me at b@example.org",
        ),
        ("Refund not received", LONG_WORDS),
        (
            "Invoice address",
            "Please change the address on invoice 4471.",
        ),
    ] {
        references.push(app.file_in("billing", subject, body).await.0);
    }
    for (i, run) in EVERY_RUN.into_iter().enumerate() {
        let agent = app.add_agent(&format!("bob{i}"), "l1", &["billing"]).await;
        let mut journey = Journey::start(&driver, "agent", run, &app.base).await;
        journey.goto("/agent/login").await;
        journey.check_page().await;
        sign_in(&journey, &agent).await;
        journey.wait_for_path("/agent/tickets").await;
        for reference in &references {
            journey
                .wait_for(&format!("a[href='/agent/tickets/{reference}']"))
                .await;
        }
        journey.check_page().await;

        journey
            .click(&format!("a[href='/agent/tickets/{}']", references[1]))
            .await;
        journey
            .wait_for_path(&format!("/agent/tickets/{}", references[1]))
            .await;
        journey.wait_for(".conversation").await;
        journey.check_page().await;
        journey.finish().await;
    }
}

#[tokio::test]
async fn an_admin_opens_the_dashboard_in_both_languages_with_and_without_javascript() {
    let Some(driver) = Chromedriver::start() else {
        return;
    };
    let app = TestApp::spawn().await;
    app.file_in("security", "Account takeover", "Someone changed my e-mail")
        .await;
    for (i, run) in EVERY_RUN.into_iter().enumerate() {
        let admin = app.add_agent(&format!("ada{i}"), "admin", &[]).await;
        let mut journey = Journey::start(&driver, "admin", run, &app.base).await;
        sign_in(&journey, &admin).await;
        journey.wait_for_path("/agent/tickets").await;
        journey.goto("/admin").await;
        journey.wait_for("main h1").await;
        journey.check_page().await;
        journey.goto("/admin/agents").await;
        journey.wait_for("main h1").await;
        journey.check_page().await;
        journey.finish().await;
    }
}
