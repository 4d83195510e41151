//! Pages in the reader's language: Russian or English from the browser, `?lang=` without a
//! cookie, an agent's saved choice; dates in the reader's zone; statuses and masks as people
//! read them; a refused submission that keeps the text.

use crate::support::*;

const RU: &str = "ru-RU,ru;q=0.9,en;q=0.5";

async fn get_in(app: &TestApp, path: &str, accept_language: &str) -> (u16, String) {
    let response = app
        .client
        .get(app.url(path))
        .header("accept-language", accept_language)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
async fn the_form_follows_the_browser_and_a_lang_link_overrides_it() {
    let app = TestApp::spawn().await;
    let (status, russian) = get_in(&app, "/", RU).await;
    assert_eq!(status, 200);
    assert!(russian.contains("<html lang=\"ru\">"), "{russian}");
    assert!(russian.contains("Написать в поддержку"));
    assert!(!russian.contains("Contact support"));
    // The switch to the other language is a plain link: no cookie is needed.
    assert!(russian.contains("href=\"/?lang=en\""), "{russian}");

    let (_, english) = get_in(&app, "/", "en-GB,en;q=0.9").await;
    assert!(english.contains("<html lang=\"en\">"));
    assert!(english.contains("Contact support"));

    // `?lang=` wins over the browser and travels in the form's own addresses.
    let (_, chosen) = get_in(&app, "/?lang=ru", "en").await;
    assert!(chosen.contains("<html lang=\"ru\">"));
    assert!(chosen.contains("action=\"/tickets?lang=ru\""), "{chosen}");
    assert!(chosen.contains("formaction=\"/tickets/preview?lang=ru\""));
    let (_, unknown) = get_in(&app, "/?lang=xx", "en").await;
    assert!(unknown.contains("<html lang=\"en\">"));
}

#[tokio::test]
async fn a_russian_requester_reads_every_step_in_russian_without_raw_ids() {
    let app = TestApp::spawn().await;
    let body = "Мой адрес ivan.petrov@example.org, карта 4111 1111 1111 1111.";
    let response = app
        .client
        .post(app.url("/tickets?lang=ru"))
        .form(&[
            ("subject", "Не приходит код"),
            ("body", body),
            ("category", "security"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let created = response.text().await.unwrap();
    assert!(created.contains("<html lang=\"ru\">"));
    assert!(created.contains("Сохраните эту ссылку сейчас"), "{created}");
    // What was masked, by kind and in Russian; never the rule ids.
    assert!(created.contains("Адреса электронной почты: 1"), "{created}");
    assert!(created.contains("Номера карт: 1"), "{created}");
    for rule_id in ["payment_card", ">email:", "email</li>"] {
        assert!(!created.contains(rule_id), "{rule_id} in {created}");
    }
    let path = access_path(&created);
    assert!(
        path.ends_with("?lang=ru") || path.starts_with("/t/"),
        "{path}"
    );

    let token_path = path.split('?').next().unwrap().to_owned();
    let (status, page) = get_in(&app, &token_path, RU).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Получено: ждёт сотрудника поддержки"),
        "{page}"
    );
    for raw in ["pending_requester", ">new<", "Status:"] {
        assert!(!page.contains(raw), "{raw} in {page}");
    }
    // Dates as Russian readers write them: the month's name in the genitive.
    let month = [
        "января",
        "февраля",
        "марта",
        "апреля",
        "мая",
        "июня",
        "июля",
        "августа",
        "сентября",
        "октября",
        "ноября",
        "декабря",
    ];
    assert!(month.iter().any(|m| page.contains(m)), "{page}");
    assert!(page.contains("UTC"));

    let (_, english) = get_in(&app, &token_path, "en").await;
    assert!(english.contains("Received: waiting for the support team"));
}

#[tokio::test]
async fn requesters_see_utc_and_the_desk_zone() {
    let app = TestApp::spawn_with(|c| c.time_zone = "Europe/Moscow".into()).await;
    let (_, path) = app
        .file_via_form(&[("subject", "s"), ("body", "b"), ("category", "billing")])
        .await;
    let (_, page) = get_in(&app, &path, "en").await;
    assert!(page.contains("UTC ("), "{page}");
    assert!(page.contains("MSK)"), "{page}");
}

#[tokio::test]
async fn error_pages_speak_the_readers_language_and_stay_identical_for_any_link() {
    let app = TestApp::spawn().await;
    let (status, first) = get_in(&app, "/t/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", RU).await;
    assert_eq!(status, 404);
    assert!(first.contains("<html lang=\"ru\">"));
    assert!(first.contains("Здесь ничего нет"), "{first}");
    let (_, second) = get_in(&app, "/t/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", RU).await;
    assert_eq!(first, second);
    let (_, english) = get_in(&app, "/t/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "en").await;
    assert!(english.contains("Nothing here."));
}

#[tokio::test]
async fn a_refused_filing_comes_back_with_the_text_and_the_real_wait_and_stores_nothing() {
    let app = TestApp::spawn_with(|c| {
        c.rate_limit.tickets_burst = 1;
        c.rate_limit.tickets_refill_seconds = 600;
    })
    .await;
    app.file_via_form(&[
        ("subject", "first"),
        ("body", "first"),
        ("category", "billing"),
    ])
    .await;
    let canary = "Canary-ЖЁЛТЫЙ-7731 письмо о блокировке";
    let response = app
        .client
        .post(app.url("/tickets?lang=ru"))
        .form(&[
            ("subject", "Второй запрос"),
            ("body", canary),
            ("category", "billing"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    let wait: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(wait > 500, "{wait}");
    let page = response.text().await.unwrap();
    // The form, filled as it was, with the wait in minutes as Russian says it.
    assert!(page.contains("action=\"/tickets?lang=ru\""), "{page}");
    assert!(page.contains(canary), "{page}");
    assert!(page.contains("value=\"Второй запрос\""));
    assert!(page.contains("через 10 минут"), "{page}");
    assert_eq!(app.count_rows("tickets").await, 1);
    assert!(!app.stored_text().await.contains("Canary"));
    assert!(files_containing(&app.data_files(), "Canary-").is_empty());

    // The API answers the same refusal as before: JSON, no page.
    let api = app
        .post_json(
            "/api/v1/tickets",
            &serde_json::json!({"subject": "s", "body": "b", "category": "billing"}),
        )
        .await;
    assert_eq!(api.status(), 429);
    assert!(api.text().await.unwrap().starts_with('{'));
}

#[tokio::test]
async fn a_refused_reply_comes_back_with_the_text() {
    let app = TestApp::spawn_with(|c| {
        c.rate_limit.requests_burst = 2;
        c.rate_limit.requests_refill_millis = 600_000;
    })
    .await;
    let (_, path) = app
        .file_via_form(&[("subject", "s"), ("body", "b"), ("category", "billing")])
        .await;
    let mut refused = None;
    for attempt in 0..4 {
        let response = app
            .post_form(&format!("{path}/reply"), &[("body", "my reply text 42")])
            .await;
        if response.status() == 429 {
            refused = Some((attempt, response.text().await.unwrap()));
            break;
        }
    }
    let (_, page) = refused.expect("the link budget refuses at last");
    assert!(page.contains("Your reply was not sent"), "{page}");
    assert!(page.contains(">my reply text 42</textarea>"), "{page}");
    assert!(page.contains(&format!("action=\"{path}/reply\"")), "{page}");
}

#[tokio::test]
async fn an_agent_chooses_language_and_time_zone_and_the_switch_goes_back_only_inside_the_site() {
    let app = TestApp::spawn().await;
    let agent = app.add_agent("olga", "l1", &["general"]).await;
    let session = app.html_login(&agent).await;
    let list = app
        .html_get(&session, "/agent/tickets")
        .await
        .text()
        .await
        .unwrap();
    assert!(list.contains("<html lang=\"en\">"));

    let saved = app
        .html_post(
            &session,
            "/agent/account/preferences",
            &[("language", "ru"), ("time_zone", "Europe/Moscow")],
        )
        .await;
    assert!(saved.status().is_success() || saved.status().is_redirection());
    let account = app
        .html_get(&session, "/agent/account")
        .await
        .text()
        .await
        .unwrap();
    assert!(account.contains("<html lang=\"ru\">"), "{account}");
    assert!(account.contains("Europe/Moscow"));
    assert!(
        account.contains("<option selected>Europe/Moscow</option>"),
        "{account}"
    );
    let list = app
        .html_get(&session, "/agent/tickets")
        .await
        .text()
        .await
        .unwrap();
    assert!(list.contains("<html lang=\"ru\">"));
    assert!(list.contains(">Обращения</a>"), "{list}");

    let bad_zone = app
        .html_post(
            &session,
            "/agent/account/preferences",
            &[("language", "ru"), ("time_zone", "Mars/Olympus")],
        )
        .await;
    assert_eq!(bad_zone.status(), 422);

    // The one-click switch in the navigation saves the choice and goes back, but never off
    // the site.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for (back, expected) in [
        ("/agent/account", "/agent/account"),
        (
            "/agent/tickets?queue=billing&q=%D0%BA%D0%B0%D1%80%D1%82%D0%B0",
            "/agent/tickets?queue=billing&q=%D0%BA%D0%B0%D1%80%D1%82%D0%B0",
        ),
        // A confirmation page answering a POST has no address; the requester's form is never
        // where an agent is sent back to.
        ("/", "/agent/tickets"),
        ("//evil.example/x", "/agent/tickets"),
        ("https://evil.example/", "/agent/tickets"),
        ("/\t/evil.example", "/agent/tickets"),
        ("/\\evil.example", "/agent/tickets"),
        ("/x\ny", "/agent/tickets"),
    ] {
        let response = client
            .post(app.url("/agent/account/language"))
            .header("cookie", &session.cookie)
            .form(&[
                ("csrf", session.csrf.as_str()),
                ("language", "en"),
                ("back", back),
            ])
            .send()
            .await
            .unwrap();
        assert!(response.status().is_redirection(), "{back}");
        assert_eq!(response.headers()["location"], expected, "{back}");
    }
    let list = app
        .html_get(&session, "/agent/tickets")
        .await
        .text()
        .await
        .unwrap();
    assert!(list.contains("<html lang=\"en\">"));
}

/// The notices the desk mails on its own speak the language the requester wrote in: the
/// page's for the form, the text's for the API and mail.
#[tokio::test]
async fn mailed_notices_speak_the_requesters_language() {
    let app = TestApp::spawn().await;
    let agent = app.add_agent("olga", "l1", &["billing", "general"]).await;
    let token = app.api_login(&agent).await;
    let (russian, _, _) = app
        .file_via_api(
            "Списали деньги дважды",
            "Здравствуйте, с карты дважды списали оплату за подписку.",
            serde_json::json!({ "contact": "ivan@example.org" }),
        )
        .await;
    let (english, _, _) = app
        .file_via_api(
            "Charged twice",
            "Hello, my card was charged twice for the subscription.",
            serde_json::json!({ "contact": "jane@example.org" }),
        )
        .await;
    for reference in [&russian, &english] {
        let answer = app
            .agent_post(
                &token,
                &format!("/api/v1/agent/tickets/{reference}/status"),
                &serde_json::json!({ "status": "resolved" }),
            )
            .await;
        assert!(answer.status().is_success(), "{}", answer.status());
    }
    let relay = crate::mail_sink::free_addr();
    let sink = crate::mail_sink::start(relay).await;
    let report = hushdesk::jobs::deliver_mail(
        &app.state.system,
        &format!("smtp://{relay}"),
        hushdesk::desk::now_unix(),
    )
    .await
    .unwrap();
    assert_eq!(report.sent, 2);
    let captured = sink.captured.lock().unwrap().clone();
    let read = |to: &str| {
        let mail = captured
            .iter()
            .find(|m| m.recipients.iter().any(|r| r == to))
            .unwrap();
        let message = mail_parser::MessageParser::default()
            .parse(&mail.data)
            .unwrap();
        (
            message.subject().unwrap_or_default().to_owned(),
            message.body_text(0).unwrap_or_default().into_owned(),
        )
    };
    let (subject, body) = read("ivan@example.org");
    assert!(subject.contains("Обращение решено"), "{subject}");
    assert!(
        body.contains(&format!("Ваше обращение {russian} решено")),
        "{body}"
    );
    let (subject, body) = read("jane@example.org");
    assert!(subject.contains("Resolved"), "{subject}");
    assert!(
        body.contains(&format!("Your request {english} is now resolved")),
        "{body}"
    );
}

/// A requester deleting from a Russian page gets the receipt in Russian, and GnuPG verifies
/// its signature against the published key.
#[tokio::test]
async fn a_russian_deletion_receipt_verifies_with_gnupg() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let app = TestApp::spawn().await;
    let (reference, path) = app
        .file_via_form(&[
            ("subject", "Удалите мои данные"),
            ("body", "Прошу удалить обращение."),
            ("category", "data_request"),
        ])
        .await;
    let response = app
        .post_form(&format!("{path}/delete?lang=ru"), &[("confirm", "yes")])
        .await;
    assert_eq!(response.status(), 200);
    let page = response.text().await.unwrap();
    assert!(page.contains("<html lang=\"ru\">"));
    let receipt = unescaped_between(&page, "<pre class=\"receipt\">", "</pre>");
    assert!(
        receipt.contains("Квитанция hushdesk об удалении"),
        "{receipt}"
    );
    assert!(receipt.contains(&format!("Номер обращения: {reference}")));
    assert!(receipt.contains("1 сообщение"), "{receipt}");

    let home = tempfile::tempdir().unwrap();
    let gpg = |args: &[&str], input: &[u8]| {
        let mut child = Command::new("gpg")
            .arg("--homedir")
            .arg(home.path())
            .args(["--batch", "--status-fd", "1"])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("gpg runs");
        child.stdin.take().unwrap().write_all(input).unwrap();
        child.wait_with_output().unwrap()
    };
    let public = app.get("/pgp-key.asc").await.bytes().await.unwrap();
    assert!(gpg(&["--import"], &public).status.success());
    let verified = gpg(&["--verify"], receipt.as_bytes());
    let status = String::from_utf8_lossy(&verified.stdout);
    assert!(verified.status.success(), "{status}");
    assert!(status.contains("GOODSIG"), "{status}");
    // Positive control: the same receipt edited no longer verifies.
    let forged = receipt.replace("удалено по просьбе", "сохранено по просьбе");
    assert!(!gpg(&["--verify"], forged.as_bytes()).status.success());
}

/// Findings of an outside review: every refusal a Russian page can show is in Russian; the
/// switch is not offered where following it would lose what the page holds; a body that is
/// not a form is not "given back".
#[tokio::test]
async fn refusals_on_russian_pages_are_russian_and_pages_that_hold_something_offer_no_switch() {
    let app = TestApp::spawn().await;
    let not_a_form = app
        .client
        .post(app.url("/tickets?lang=ru"))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(not_a_form.status(), 415);
    let page = not_a_form.text().await.unwrap();
    assert!(page.contains("Отправьте форму как"), "{page}");
    let bad_bytes = app
        .client
        .post(app.url("/tickets?lang=ru"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(b"category=billing&subject=%FF&body=x".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(bad_bytes.status(), 400);
    assert!(
        bad_bytes
            .text()
            .await
            .unwrap()
            .contains("не являются текстом в UTF-8")
    );
    let bad_key = app
        .client
        .post(app.url("/tickets?lang=ru"))
        .form(&[
            ("subject", "s"),
            ("body", "b"),
            ("category", "billing"),
            ("pgp_key", "garbage"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(bad_key.status(), 422);
    let page = bad_key.text().await.unwrap();
    assert!(page.contains("не удалось прочитать ключ OpenPGP"), "{page}");
    assert!(!page.contains("could not be read"));

    // The "created" page shows the secret link once: no switch that would reload it away.
    let created = app
        .client
        .post(app.url("/tickets?lang=ru"))
        .form(&[("subject", "s"), ("body", "b"), ("category", "billing")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(created.contains("/t/"));
    assert!(!created.contains("class=\"lang-switch\""), "{created}");
    let (_, form) = get_in(&app, "/?lang=ru", "en").await;
    assert!(form.contains("class=\"lang-switch\""));
}

#[tokio::test]
async fn weights_in_accept_language_are_honoured() {
    let app = TestApp::spawn().await;
    let (_, page) = get_in(&app, "/", "en;q=0.1, ru;q=0.9").await;
    assert!(page.contains("<html lang=\"ru\">"));
    let (_, page) = get_in(&app, "/", "ru;q=0, en;q=0.5").await;
    assert!(page.contains("<html lang=\"en\">"));
    let (_, page) = get_in(&app, "/?lang=RU", "en").await;
    assert!(page.contains("<html lang=\"ru\">"));
}
