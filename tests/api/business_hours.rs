//! Business hours set in the admin pages: SLA targets count only the hours the desk is open,
//! in its zone, skipping holidays, on new tickets and on a change of priority; around the clock
//! again when an admin says so. Both engines (`_on_postgres` skips without a PostgreSQL unless
//! required).

use serde_json::json;
use time::{Duration, OffsetDateTime};

use crate::support::{HtmlSession, TestApp};

const HOUR: i64 = 3600;
const DAY: i64 = 86_400;

async fn due(app: &TestApp, reference: &str) -> (i64, i64, i64) {
    app.query_rows(
        "select created_at, first_response_due, resolution_due from tickets where reference = $1",
        &[reference.into()],
    )
    .await
    .remove(0)
}

async fn sla_page(app: &TestApp, session: &HtmlSession, lang: &str) -> String {
    let response = app
        .html_get(session, &format!("/admin/sla?lang={lang}"))
        .await;
    assert_eq!(response.status(), 200);
    response.text().await.unwrap()
}

/// The start of today, UTC, and the date `days` later as `YYYY-MM-DD`.
fn today() -> (i64, impl Fn(i64) -> String) {
    let date = OffsetDateTime::now_utc().date();
    let midnight = date.midnight().assume_utc().unix_timestamp();
    (midnight, move |days| {
        (date + Duration::days(days)).to_string()
    })
}

async fn targets_count_only_open_hours(app: TestApp) {
    let admin = app.add_agent("ada", "admin", &[]).await;
    let l1 = app.add_agent("bob", "l1", &["general"]).await;
    let token = app.api_login(&l1).await;
    let session = app.html_login(&admin).await;

    let page = sla_page(&app, &session, "en").await;
    assert!(
        page.contains("id=\"clock-always\" name=\"clock\" value=\"always\" checked"),
        "around the clock until set: {page}"
    );

    // Open one hour a day, 09:00 to 10:00 UTC, every day, closed today and the next two days:
    // the clock starts at 09:00 three days from now and runs one hour a day.
    let (midnight, date_in) = today();
    let holidays = format!("{}\n{}\r\n{}\n", date_in(0), date_in(1), date_in(2));
    let mut form = vec![
        ("clock", "business"),
        ("time_zone", "UTC"),
        ("opens", "09:00"),
        ("closes", "10:00"),
        ("holidays", holidays.as_str()),
    ];
    let days: Vec<String> = (0..7).map(|d| d.to_string()).collect();
    form.extend(days.iter().map(|d| ("day", d.as_str())));
    let saved = app.html_post(&session, "/admin/sla/hours", &form).await;
    assert_eq!(saved.status(), 303);

    let (filed, _) = app
        .file_in(
            "functionality",
            "Export fails",
            "The export button does nothing.",
        )
        .await;
    let (created, first_response, resolution) = due(&app, &filed).await;
    if created - midnight >= DAY {
        // The day turned between reading the date and filing: the holidays were yesterday's.
        return;
    }
    // P3: 8 open hours to the first response, 72 to resolution; one open hour a day.
    let open_day = |n: i64| midnight + (3 + n) * DAY + 9 * HOUR;
    assert_eq!(first_response, open_day(7) + HOUR, "first response");
    assert_eq!(resolution, open_day(71) + HOUR, "resolution");

    // A change of priority recomputes from the filing, by the same clock: P1 has 1 hour.
    let raised = app
        .agent_post(
            &token,
            &format!("/api/v1/agent/tickets/{filed}/priority"),
            &json!({ "priority": "P1" }),
        )
        .await;
    assert_eq!(raised.status(), 204);
    let (_, first_response, _) = due(&app, &filed).await;
    assert_eq!(first_response, open_day(0) + HOUR, "P1 first response");

    // The page shows what is in force, in both languages.
    let page = sla_page(&app, &session, "en").await;
    assert!(
        page.contains("id=\"clock-business\" name=\"clock\" value=\"business\" checked"),
        "{page}"
    );
    assert!(
        page.contains("value=\"09:00\"") && page.contains("value=\"10:00\""),
        "{page}"
    );
    assert!(page.contains(&date_in(2)), "{page}");
    assert!(page.contains("<option selected>UTC</option>"), "{page}");
    assert!(page.contains("Business hours in force"), "{page}");
    let russian = sla_page(&app, &session, "ru").await;
    assert!(russian.contains("Действует рабочее время"), "{russian}");
    assert!(russian.contains("Воскресенье"), "{russian}");
    assert!(!russian.contains("admin-hours"), "{russian}");

    // Refused settings say which field is wrong, and change nothing.
    for (field, value, marked) in [
        (
            "closes",
            "08:00",
            "<strong>Closes at</strong>: a closing time after",
        ),
        ("opens", "9am", "<strong>Opens at</strong>: a time as HH:MM"),
        (
            "time_zone",
            "Mars/Olympus",
            "<strong>Time zone</strong>: a time zone from the list",
        ),
        (
            "holidays",
            "31.12.2026",
            "<strong>Holidays</strong>: dates as YYYY-MM-DD",
        ),
    ] {
        let bad: Vec<(&str, &str)> = form
            .iter()
            .map(|&(k, v)| if k == field { (k, value) } else { (k, v) })
            .collect();
        let refused = app.html_post(&session, "/admin/sla/hours", &bad).await;
        assert_eq!(refused.status(), 422, "{field}={value}");
        let text = refused.text().await.unwrap();
        assert!(text.contains(marked), "{field}: {text}");
    }
    let no_days: Vec<(&str, &str)> = form.iter().copied().filter(|(k, _)| *k != "day").collect();
    assert_eq!(
        app.html_post(&session, "/admin/sla/hours", &no_days)
            .await
            .status(),
        422
    );
    let (again, _) = app.file_in("functionality", "Still", "Same clock").await;
    let (created, first_response, _) = due(&app, &again).await;
    if created - midnight < DAY {
        assert_eq!(
            first_response,
            open_day(7) + HOUR,
            "refusals changed nothing"
        );
    }

    // Around the clock again: due times are plain hours after filing.
    let back = app
        .html_post(&session, "/admin/sla/hours", &[("clock", "always")])
        .await;
    assert_eq!(back.status(), 303);
    let (plain, _) = app
        .file_in("functionality", "Later", "Around the clock")
        .await;
    let (created, first_response, resolution) = due(&app, &plain).await;
    assert_eq!(
        (first_response - created, resolution - created),
        (8 * HOUR, 72 * HOUR)
    );

    let details: Vec<String> = app
        .query_rows::<(String,)>(
            "select detail from audit_log where action = 'business_hours_changed' order by seq",
            &[],
        )
        .await
        .into_iter()
        .map(|(d,)| d)
        .collect();
    assert_eq!(
        details,
        [
            "time_zone=UTC days=1111111 opens_minute=540 closes_minute=600 holidays=3".to_owned(),
            "around_the_clock".to_owned()
        ]
    );
}

#[tokio::test]
async fn targets_count_only_open_hours_on_sqlite() {
    targets_count_only_open_hours(TestApp::spawn().await).await;
}

#[tokio::test]
async fn targets_count_only_open_hours_on_postgres() {
    let Some(app) = TestApp::spawn_on_postgres("business_hours", |_| {}).await else {
        return;
    };
    targets_count_only_open_hours(app).await;
}

#[tokio::test]
async fn only_admins_set_business_hours() {
    let app = TestApp::spawn().await;
    let l3 = app.add_agent("cy", "l3", &["general"]).await;
    let session = app.html_login(&l3).await;
    let refused = app
        .html_post(&session, "/admin/sla/hours", &[("clock", "always")])
        .await;
    assert!(
        refused.status() == 403 || refused.status() == 404,
        "{}",
        refused.status()
    );
    let rows: Vec<(i64,)> = app
        .query_rows("select count(*) from business_hours", &[])
        .await;
    assert_eq!(rows, [(0,)]);
    let audited: Vec<(i64,)> = app
        .query_rows(
            "select count(*) from audit_log where action = 'business_hours_changed'",
            &[],
        )
        .await;
    assert_eq!(audited, [(0,)]);
}
