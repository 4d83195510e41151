//! Digit-bearing personal data in the shapes people write them, through every channel: each
//! sample is filed by the web form, the JSON API and mail, and what is stored (and returned)
//! carries the mask and not the value, while the harmless number beside it survives.

use serde_json::Value;

use crate::mail_support::{outcome, plain_mail, send};
use crate::support::TestApp;

const DESK: &str = "support@localhost";

/// One text: the values that must not be stored, the mask labels they become, and the
/// harmless numbers in the same text that must be stored as written.
struct Sample {
    text: &'static str,
    values: &'static [&'static str],
    masks: &'static [&'static str],
    decoys: &'static [&'static str],
}

const SAMPLES: &[Sample] = &[
    Sample {
        text: "Верните деньги на р/с 40817810099991234567, БИК 044525225, к/с 30101810400000000225.",
        values: &["40817810099991234567"],
        masks: &["[ACCOUNT-"],
        decoys: &["044525225", "30101810400000000225"],
    },
    Sample {
        text: "Please refund to account 423 07 810 5 0000 7654321, order 52345678.",
        values: &["423 07 810 5 0000 7654321", "7654321"],
        masks: &["[ACCOUNT-"],
        decoys: &["52345678"],
    },
    Sample {
        text: "паспорт серия 45 11 номер 654321, выдан 12.03.2010, код подразделения 771-002",
        values: &["654321", "771-002"],
        masks: &["[PASSPORT-", "[PASSPORT_DIVISION-"],
        decoys: &["12.03.2010"],
    },
    Sample {
        text: "My passport number is C12345678, app version 3.28.4.46",
        values: &["C12345678"],
        masks: &["[PASSPORT-"],
        decoys: &["3.28.4.46"],
    },
    Sample {
        text: "CVC на обороте 318, заказ 7654300",
        values: &["318"],
        masks: &["[CVV-"],
        decoys: &["7654300"],
    },
    Sample {
        text: "The three digits on the back are 789, invoice INV-2024-1107",
        values: &["789"],
        masks: &["[CVV-"],
        decoys: &["INV-2024-1107"],
    },
    Sample {
        text: "Одноразовый пароль пришёл: 5531\n2024-03-12 10:00:01 следующая строка",
        values: &["5531"],
        masks: &["[OTP-"],
        decoys: &["2024-03-12", "10:00:01"],
    },
    Sample {
        text: "They sent code 482113 to my phone, then error code 404.",
        values: &["482113"],
        masks: &["[OTP-"],
        decoys: &["404"],
    },
    Sample {
        text: "ПИН: 4821, заказ 12345670. My PIN is 7351 since 12.03.2025.",
        values: &["4821", "7351"],
        masks: &["[PIN-"],
        decoys: &["12345670", "12.03.2025"],
    },
    Sample {
        text: "Дата рождения 12 марта 1985 г., сбой был 14.03.2025 утром.",
        values: &["12 марта 1985"],
        masks: &["[DOB-"],
        decoys: &["14.03.2025"],
    },
    Sample {
        text: "I was born on March 12, 1984; the outage was on 04/01/2025.",
        values: &["March 12, 1984"],
        masks: &["[DOB-"],
        decoys: &["04/01/2025"],
    },
    Sample {
        text: "SSN 536 22 8726, released 2026-11-22",
        values: &["536 22 8726"],
        masks: &["[SSN-"],
        decoys: &["2026-11-22"],
    },
    Sample {
        text: "The switch shows 001a.2b3c.4d5e, build 2024.1105.1234",
        values: &["001a.2b3c.4d5e"],
        masks: &["[MAC-"],
        decoys: &["2024.1105.1234"],
    },
    Sample {
        text: "Пишите на ivan@xn--80ak6aa92e.xn--p1ai, тикет 55",
        values: &["ivan@xn--80ak6aa92e.xn--p1ai", "xn--p1ai"],
        masks: &["[EMAIL-"],
        decoys: &["55"],
    },
    Sample {
        text: "Получатель: ООО Ромашка\n7707083893/773601001\nСумма 1 500 руб.",
        values: &["7707083893"],
        masks: &["[INN-"],
        decoys: &["773601001"],
    },
    Sample {
        text: "Звоните +7.912.345.67.89, 25.11 в 10:30",
        values: &["+7.912.345.67.89", "345.67.89"],
        masks: &["[PHONE-"],
        decoys: &["25.11", "10:30"],
    },
    Sample {
        text: "Call +44 (0) 20 7183 8750 after 12.03.2026, or tel. 912 345 67 89.",
        values: &["7183 8750", "912 345 67 89"],
        masks: &["[PHONE-"],
        decoys: &["12.03.2026"],
    },
    Sample {
        text: "Login from 10.0.0.12 after updating to 3.28.4.45",
        values: &["10.0.0.12"],
        masks: &["[IP-"],
        decoys: &["3.28.4.45"],
    },
    // A CRM export: the header names the columns; a valid ИНН in the order column is an order.
    Sample {
        text: "Выгрузка из CRM:\nid;ИНН;Время события;Номер заказа;Телефон\n\
               1;790563526930;1791457891;500100732259;8 191 155 45 61\n\
               2;7707083893;12.07.2026 15:06:50;7385686;+7 536 755-70-23",
        values: &["790563526930", "7707083893", "8 191 155 45 61"],
        masks: &["[INN-", "[PHONE-"],
        decoys: &["1791457891", "500100732259", "12.07.2026", "7385686"],
    },
    Sample {
        text: "Export:\nNo\tName\tAccount\tAmount\tDOB\tCreated\n\
               1\tIvan\t32501050574630256365\t1500.00\t1985-03-12\t2026-01-02\n\
               2\tJohn\t10402192625904142760\t99.90\t03/12/1979\t2026-01-03",
        values: &[
            "32501050574630256365",
            "10402192625904142760",
            "1985-03-12",
            "03/12/1979",
        ],
        masks: &["[ACCOUNT-", "[DOB-"],
        decoys: &["1500.00", "2026-01-02", "2026-01-03", "99.90"],
    },
    // Percent-encoded UTF-8 in a logged link: № and a Cyrillic name decoded, masked whole.
    Sample {
        text: "GET /kyc?passport=45%2010%20%E2%84%96%20123456\
               &name=%D0%98%D0%B2%D0%B0%D0%BD+%D0%9F%D0%B5%D1%82%D1%80%D0%BE%D0%B2&v=3.28.4.46",
        values: &["123456", "%D0%98%D0%B2%D0%B0%D0%BD"],
        masks: &["[PASSPORT-", "[NAME-"],
        decoys: &["3.28.4.46"],
    },
];

/// Whether `needle` stands in `haystack` as a token of its own (not inside a longer word or
/// number), so a 3-digit CVV is not "found" inside an unrelated number.
fn contains_token(haystack: &str, needle: &str) -> bool {
    haystack.match_indices(needle).any(|(i, m)| {
        let before = haystack[..i].chars().next_back();
        let after = haystack[i + m.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// Checks one stored or returned text against its sample.
fn assert_masked(sample: &Sample, stored: &str, channel: &str) {
    for value in sample.values {
        assert!(
            !contains_token(stored, value),
            "{channel}: {value:?} was kept in {stored:?}"
        );
    }
    for mask in sample.masks {
        assert!(
            stored.contains(mask),
            "{channel}: no {mask}…] in {stored:?}"
        );
    }
    for decoy in sample.decoys {
        assert!(
            contains_token(stored, decoy),
            "{channel}: the harmless {decoy:?} was lost in {stored:?}"
        );
    }
}

/// The bodies of the messages of one ticket, as the requester's API returns them.
async fn returned_bodies(app: &TestApp, token: &str) -> String {
    let view: Value = app
        .get(&format!("/api/v1/tickets/{token}"))
        .await
        .json()
        .await
        .unwrap();
    view["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap().to_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn numeric_shapes_sent_through_the_json_api_come_back_masked_beside_their_decoys() {
    let app = TestApp::spawn().await;
    for sample in SAMPLES {
        let (_, token, _) = app
            .file_via_api("Numbers", sample.text, serde_json::json!({}))
            .await;
        assert_masked(sample, &returned_bodies(&app, &token).await, "api");
    }
    let stored = app.stored_text().await;
    for sample in SAMPLES {
        for value in sample.values {
            assert!(!contains_token(&stored, value), "{value} was stored");
        }
    }
}

#[tokio::test]
async fn numeric_shapes_filed_through_the_web_form_are_stored_masked_beside_their_decoys() {
    let app = TestApp::spawn().await;
    for sample in SAMPLES {
        let (_, access_path) = app
            .file_via_form(&[
                ("subject", "Numbers"),
                ("body", sample.text),
                ("category", "billing"),
            ])
            .await;
        let token = access_path.trim_start_matches("/t/");
        assert_masked(sample, &returned_bodies(&app, token).await, "form");
    }
    let stored = app.stored_text().await;
    for sample in SAMPLES {
        for value in sample.values {
            assert!(!contains_token(&stored, value), "{value} was stored");
        }
    }
}

#[tokio::test]
async fn numeric_shapes_mailed_to_the_desk_are_stored_masked_beside_their_decoys() {
    let app = TestApp::spawn().await;
    let agent = app.add_agent("reader", "l1", &["general"]).await;
    let token = app.api_login(&agent).await;
    for (i, sample) in SAMPLES.iter().enumerate() {
        let from = format!("sender{i}@example.org");
        let subject = format!("Shape {i:02}");
        let mail = plain_mail(&from, DESK, &subject, &sample.text.replace('\n', "\r\n"));
        let replies = send(app.smtp, false, &from, &[DESK], &mail).await;
        let answer = outcome(&replies);
        let reference = answer
            .rsplit(' ')
            .next()
            .filter(|r| answer.starts_with("250") && r.starts_with("HD-"))
            .unwrap_or_else(|| panic!("{}: {replies:?}", sample.text));
        let ticket: Value = app
            .agent_get(&token, &format!("/api/v1/agent/tickets/{reference}"))
            .await
            .json()
            .await
            .unwrap();
        let bodies: Vec<&str> = ticket["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["body"].as_str().unwrap())
            .collect();
        assert_masked(sample, &bodies.join("\n"), "mail");
    }
    let stored = app.stored_text().await;
    for sample in SAMPLES {
        for value in sample.values {
            assert!(!contains_token(&stored, value), "{value} was stored");
        }
    }
}
