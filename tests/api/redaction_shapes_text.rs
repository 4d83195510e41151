//! Names without a cue, secrets stated in prose and postal addresses, sent through the web
//! form, the JSON API and mail to the real server: what is stored has the mask, never the
//! value, and the harmless words and numbers around it survive.

use serde_json::json;

use crate::mail_support::{outcome, plain_mail, send};
use crate::support::TestApp;

const DESK: &str = "support@localhost";

/// One family of shapes: a ticket text, the values that must not be stored, the mask labels
/// they get, and decoys that must be stored as written.
struct Family {
    text: &'static str,
    values: &'static [&'static str],
    labels: &'static [&'static str],
    decoys: &'static [&'static str],
}

const NAMES: Family = Family {
    text: "John Smith called yesterday about order 48213977.\n\
           Передайте Ивану Петрову, что с Ольгой Смирновой всё решено.\n\
           Петров Иван и Анна Сергеевна подписали. Копия — Кузнецову И.\n\
           The form was signed by J. Smith for Maria Garcia-Lopez; ask Mr. Brown.\n\
           [12:03] Maria K.: the app froze on Monday\n\
           ФИО: ПЕТРОВ ИВАН\n\
           Нотариуса и Клиента известили, Москва ждёт. Dear customer, Support answers.",
    values: &[
        "John Smith",
        "Ивану Петрову",
        "Ольгой Смирновой",
        "Петров Иван",
        "Анна Сергеевна",
        "Кузнецову И.",
        "J. Smith",
        "Maria Garcia-Lopez",
        "Mr. Brown",
        "Maria K.",
        "ПЕТРОВ ИВАН",
    ],
    labels: &["[NAME-"],
    decoys: &[
        "48213977",
        "Нотариуса и Клиента",
        "Москва",
        "Dear customer",
        "Support",
        "Monday",
    ],
};

const SECRETS: Family = Family {
    text: "пароль от ЛК: Qwerty!2345, версия 3.28.4.46\n\
           my password is hunter2!! and my password expired on 2025-03-01\n\
           passphrase: correct horse battery staple\n\
           the password was changed to Zebra77x; пароль не подходит\n\
           кодовое слово — Бегемот, ответ на секретный вопрос: Шарик\n\
           девичья фамилия матери: Сидорова. Please reset my password.",
    values: &[
        "Qwerty!2345",
        "hunter2!!",
        "correct horse battery staple",
        "Zebra77x",
        "Бегемот",
        "Шарик",
        "Сидорова",
    ],
    labels: &["[PASSWORD-", "[SECRET-"],
    decoys: &[
        "3.28.4.46",
        "my password expired on 2025-03-01",
        "пароль не подходит",
        "Please reset my password.",
    ],
};

const ADDRESSES: Family = Family {
    text: "Доставка: г. Москва, ул. Тверская, д. 7, корп. 2, кв. 15, заказ 5512.\n\
           Прежний адрес — ул. Ленина, д. 5, кв. 12; офис в Москве открыт.\n\
           Ship to 1234 Elm Street, Apt 5, Springfield, IL 62704 by 2025-03-01.\n\
           Old box: PO Box 4471. Version 10.0.19045.3570 is installed.",
    values: &[
        "ул. Тверская, д. 7",
        "кв. 15",
        "ул. Ленина, д. 5",
        "1234 Elm Street",
        "Springfield, IL 62704",
        "PO Box 4471",
    ],
    labels: &["[ADDRESS-"],
    decoys: &[
        "заказ 5512",
        "офис в Москве открыт",
        "2025-03-01",
        "10.0.19045.3570",
    ],
};

/// Files `text` once through the form, once through the API and once by mail.
async fn file_everywhere(app: &TestApp, text: &str) {
    app.file_via_form(&[
        ("subject", "Help please"),
        ("body", text),
        ("category", "functionality"),
    ])
    .await;
    app.file_via_api("Help please", text, json!({})).await;
    // SMTP carries CRLF line ends.
    let mail = plain_mail(
        "jo@example.org",
        DESK,
        "Help please",
        &text.replace('\n', "\r\n"),
    );
    let replies = send(app.smtp, false, "jo@example.org", &[DESK], &mail).await;
    assert!(outcome(&replies).starts_with("250"), "{replies:?}");
}

async fn check_family(family: &Family) {
    let app = TestApp::spawn().await;
    file_everywhere(&app, family.text).await;
    let stored = app.stored_text().await;
    for value in family.values {
        assert!(!stored.contains(value), "{value} was stored:\n{stored}");
    }
    // Each channel stored the masks and kept every decoy.
    for label in family.labels {
        assert!(
            stored.matches(label).count() >= 3,
            "{label} missing:\n{stored}"
        );
    }
    for decoy in family.decoys {
        assert!(
            stored.matches(decoy).count() >= 3,
            "decoy {decoy:?} was not kept through every channel:\n{stored}"
        );
    }
}

#[tokio::test]
async fn names_without_a_cue_are_masked_through_form_api_and_mail() {
    check_family(&NAMES).await;
}

#[tokio::test]
async fn passwords_and_answers_in_prose_are_masked_through_form_api_and_mail() {
    check_family(&SECRETS).await;
}

#[tokio::test]
async fn postal_addresses_are_masked_through_form_api_and_mail() {
    check_family(&ADDRESSES).await;
}

#[tokio::test]
async fn a_name_mask_keeps_the_line_break_and_the_next_word() {
    let app = TestApp::spawn().await;
    let (_, token, _) = app
        .file_via_api(
            "Signature",
            "Спасибо за помощь!\nС уважением,\nАнна Сергеевна\nКлиента уведомили",
            json!({}),
        )
        .await;
    let ticket: serde_json::Value = app
        .get(&format!("/api/v1/tickets/{token}"))
        .await
        .json()
        .await
        .unwrap();
    let body = ticket["messages"][0]["body"].as_str().unwrap();
    assert!(
        body.ends_with("С уважением,\n[NAME-1]\nКлиента уведомили"),
        "{body}"
    );
}
