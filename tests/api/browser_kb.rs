//! The knowledge base in a real headless Chromium with JavaScript off, in English and
//! Russian: an editor writes and publishes a decision tree through the staff pages; a
//! requester finds it by a Russian word form in the public search, walks it to its answer
//! by clicking, and the form's preview suggests it for a filing about the same thing.

use crate::browser::{Chromedriver, Journey, Js, Lang, Run};
use crate::support::TestApp;

const TREE_RU: &str = "::: start\nПриложение не принимает пароль?\n\n- [Да](#reset)\n- [Нет](#other)\n\n\
                       ::: reset\nСбросьте пароль в настройках, затем войдите снова.\n\n\
                       ::: other\nНапишите нам через форму.\n";

async fn editor_publishes(driver: &Chromedriver, app: &TestApp, run: Run, slug: &str) {
    let mut journey = Journey::start(driver, "kb-editor", run, &app.base).await;
    journey.goto("/agent/login").await;
    journey.type_into("#name", "writer").await;
    journey
        .type_into("#password", "writer's own long passphrase")
        .await;
    journey.click("form[action='/agent/login'] button").await;
    journey.wait_for_path("/agent/tickets").await;
    journey.click("#nav-kb").await;
    journey.wait_for_path("/agent/kb").await;
    journey.check_page().await;
    journey.click("#kb-new").await;
    journey.wait_for_path("/agent/kb/new").await;
    journey.type_into("#kb-slug", slug).await;
    journey.click("#kb-tree").await;
    journey
        .type_into("#kb-title-ru", "Не принимает пароль")
        .await;
    journey.type_into("#kb-body-ru", TREE_RU).await;
    journey.check_page().await;
    journey.click("#kb-save").await;
    journey.wait_for("#kb-publish").await;
    journey.check_page().await;
    journey.click("#kb-publish").await;
    journey.wait_for("#kb-unpublish").await;
    journey.finish().await;
}

async fn requester_finds_and_walks(driver: &Chromedriver, app: &TestApp, run: Run, slug: &str) {
    let mut journey = Journey::start(driver, "kb-public", run, &app.base).await;
    journey.goto("/kb").await;
    journey.check_page().await;
    journey.type_into("#kb-q", "паролем").await;
    journey.click("#kb-search-submit").await;
    journey.wait_for_path("/kb/search").await;
    let result = format!("#kb-results a[href='/kb/{slug}']");
    journey.wait_for(&result).await;
    journey.check_page().await;
    journey.click(&result).await;
    journey.wait_for("#kb-step-start").await;
    journey.check_page().await;
    journey
        .click(&format!("#kb-step-start a[href^='/kb/{slug}/reset']"))
        .await;
    let answer = journey
        .wait_for("#kb-step-reset")
        .await
        .text()
        .await
        .unwrap();
    assert!(answer.contains("в настройках"), "{answer}");
    journey.check_page().await;

    journey.goto("/").await;
    journey.click("#category option[value=functionality]").await;
    journey.type_into("#subject", "Пароль").await;
    journey
        .type_into("#body", "Приложение не принимает мой пароль")
        .await;
    journey.click("button[formaction='/tickets/preview']").await;
    journey.wait_for_path("/tickets/preview").await;
    journey
        .wait_for(&format!("#kb-suggestions a[href='/kb/{slug}']"))
        .await;
    journey.check_page().await;
    journey.finish().await;
}

#[tokio::test]
async fn an_editor_publishes_a_tree_that_a_requester_finds_and_walks_without_javascript() {
    let Some(driver) = Chromedriver::start() else {
        return;
    };
    let app = TestApp::spawn().await;
    app.add_agent_with_password("writer", "l1", &["general"], "writer's own long passphrase")
        .await;
    let admin = app.add_agent("root", "admin", &[]).await;
    let admin = app.html_login(&admin).await;
    let granted = app
        .html_post(
            &admin,
            "/admin/kb-editors",
            &[("agent", "writer"), ("queue", "general")],
        )
        .await;
    assert_eq!(granted.status(), 303);
    for lang in [Lang::En, Lang::Ru] {
        let run = Run { lang, js: Js::Off };
        let slug = format!("password-{}", lang.code());
        editor_publishes(&driver, &app, run, &slug).await;
        requester_finds_and_walks(&driver, &app, run, &slug).await;
    }
    assert_eq!(
        app.count_rows("tickets").await,
        0,
        "the preview filed nothing"
    );
}
