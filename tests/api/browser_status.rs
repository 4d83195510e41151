//! The status page in a real headless Chromium with scripts off, in English and Russian: an
//! admin adds a component, opens an incident through the status desk's forms, posts an update
//! and resolves it with a post-mortem; the public page then shows each state, and every page
//! on the way passes the page checks (axe-core, no foreign request, the right language).

use crate::browser::{Chromedriver, Journey, Js, Lang, Run, wait_for_text};
use crate::support::{TestAgent, TestApp};

const RUNS: [Run; 2] = [
    Run {
        lang: Lang::En,
        js: Js::Off,
    },
    Run {
        lang: Lang::Ru,
        js: Js::Off,
    },
];

async fn sign_in(journey: &Journey, agent: &TestAgent) {
    journey.goto("/agent/login").await;
    journey.type_into("#name", &agent.name).await;
    journey.type_into("#password", &agent.password).await;
    if let Some(code) = agent.next_code() {
        journey.type_into("#totp", &code).await;
    }
    journey.click("form[action='/agent/login'] button").await;
    journey.wait_for("form[action='/agent/logout']").await;
}

#[tokio::test]
async fn an_admin_opens_updates_and_resolves_an_incident_through_the_pages_without_javascript() {
    let Some(driver) = Chromedriver::start() else {
        return;
    };
    for run in RUNS {
        let app = TestApp::spawn().await;
        let ada = app.add_agent("ada", "admin", &[]).await;
        let mut journey = Journey::start(&driver, "status", run, &app.base).await;
        sign_in(&journey, &ada).await;

        journey.goto("/agent/status").await;
        journey.check_page().await;
        journey.type_into("#component-name", "Web app").await;
        journey.click("#add-component button").await;
        journey.wait_for("#incident-component-1").await;

        journey.click("#incident-component-1").await;
        journey.click("#incident-category-outage").await;
        journey
            .type_into("#incident-title", "Sign-in fails for some people")
            .await;
        journey
            .type_into("#incident-text", "We are looking into failed sign-ins.")
            .await;
        journey.click("#incident-open").await;
        journey.wait_for("#posted").await;
        journey.check_page().await;

        journey
            .click("#update-state-1 option[value=identified]")
            .await;
        journey
            .type_into(
                "#update-text-1",
                "An expired certificate; a new one is rolling out.",
            )
            .await;
        journey.click("#update-post-1").await;
        wait_for_text(&journey.client, "#posted", "2").await;

        // The public page while the incident is open (positive control for what follows).
        journey.goto("/status").await;
        journey.check_page().await;
        wait_for_text(&journey.client, "#open-incidents", "Sign-in fails").await;
        let state = journey
            .wait_for("#open-incidents .incident-state")
            .await
            .text()
            .await
            .unwrap();
        let identified = match run.lang {
            Lang::En => "Identified",
            Lang::Ru => "Причина найдена",
        };
        assert_eq!(state, identified);

        journey.goto("/agent/status").await;
        journey
            .click("#update-state-1 option[value=resolved]")
            .await;
        journey
            .type_into("#update-text-1", "Sign-in works again for everyone.")
            .await;
        journey
            .type_into(
                "#update-postmortem-1",
                "The certificate was not renewed in time.\n\nRenewal now alerts a week before.",
            )
            .await;
        journey.click("#update-post-1").await;
        wait_for_text(&journey.client, "#posted", "3").await;
        journey.check_page().await;

        journey.goto("/status").await;
        journey.check_page().await;
        let resolved = wait_for_text(
            &journey.client,
            "#resolved-incidents",
            "Renewal now alerts a week before.",
        )
        .await;
        assert!(resolved.contains("Sign-in works again"), "{resolved}");
        let open = journey
            .wait_for("#open-incidents")
            .await
            .text()
            .await
            .unwrap();
        assert!(!open.contains("Sign-in fails"), "{open}");
        let paragraphs = journey
            .client
            .find_all(fantoccini::Locator::Css(
                "#resolved-incidents .postmortem p",
            ))
            .await
            .unwrap();
        assert_eq!(paragraphs.len(), 2);

        journey.goto("/status/incidents/1").await;
        journey.check_page().await;
        journey.finish().await;
    }
}
