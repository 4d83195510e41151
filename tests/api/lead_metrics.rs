//! The support lead's figures: a desk seeded with known times shows the medians, 90th
//! percentiles and rates worked out here from the seeded values, on `/admin/metrics` and on
//! `/metrics`; they move when the data does, and stay put when tickets are purged. The CSV
//! export is for admins only, audited, and parses.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use crate::support::{HtmlSession, TestApp, extract_between};

const DAY: i64 = 86_400;
const METRICS_TOKEN: &str = "lead-metrics-scraper-token-0123456789";

/// One seeded ticket: its queue's category, priority, and times in seconds after filing.
struct Seed {
    category: &'static str,
    priority: &'static str,
    first_response: i64,
    due: i64,
    /// Finished this long after filing; `None` stays open.
    resolved: Option<i64>,
    /// The requester writes again after the first agent reply (and is answered again).
    follow_up: bool,
    /// Reopened after resolving, then resolved again.
    reopen: bool,
    /// The rating given once resolved: `Some(0)` declines.
    rating: Option<u8>,
}

const SEEDS: [Seed; 5] = [
    Seed {
        category: "functionality",
        priority: "P3",
        first_response: 600,
        due: 3600,
        resolved: Some(7200),
        follow_up: false,
        reopen: false,
        rating: Some(5),
    },
    Seed {
        category: "functionality",
        priority: "P3",
        first_response: 1800,
        due: 1200,
        resolved: Some(DAY + 3600),
        follow_up: true,
        reopen: false,
        rating: Some(0),
    },
    Seed {
        category: "functionality",
        priority: "P3",
        first_response: 3000,
        due: 3600,
        resolved: None,
        follow_up: false,
        reopen: false,
        rating: None,
    },
    Seed {
        category: "functionality",
        priority: "P3",
        first_response: 7200,
        due: 3600,
        resolved: Some(4 * 3600),
        follow_up: false,
        reopen: true,
        rating: None,
    },
    Seed {
        category: "billing",
        priority: "P2",
        first_response: 900,
        due: 1800,
        resolved: Some(3600),
        follow_up: false,
        reopen: false,
        rating: Some(3),
    },
];

/// Nearest rank, written here apart from the server's code.
fn percentile(values: &[i64], percent: f64) -> Option<i64> {
    let mut sorted = values.to_vec();
    sorted.sort();
    if sorted.is_empty() {
        return None;
    }
    let rank = (percent / 100.0 * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.max(1) - 1])
}

/// What the figures of a queue and priority should be.
#[derive(Debug, PartialEq)]
struct Expected {
    tickets: usize,
    fr_median: i64,
    fr_p90: i64,
    res_median: i64,
    res_p90: i64,
    sla: String,
    fcr: String,
    reopen: String,
}

fn ratio(hits: usize, of: usize) -> String {
    format!("{:.4}", hits as f64 / of as f64)
}

fn expected(seeds: &[&Seed]) -> Expected {
    let first: Vec<i64> = seeds.iter().map(|s| s.first_response).collect();
    let resolution: Vec<i64> = seeds.iter().filter_map(|s| s.resolved).collect();
    let finished = resolution.len();
    let met = seeds.iter().filter(|s| s.first_response <= s.due).count();
    let fcr = seeds
        .iter()
        .filter(|s| s.resolved.is_some() && !s.follow_up && !s.reopen)
        .count();
    let reopened = seeds.iter().filter(|s| s.reopen).count();
    Expected {
        tickets: seeds.len(),
        fr_median: percentile(&first, 50.0).unwrap(),
        fr_p90: percentile(&first, 90.0).unwrap(),
        res_median: percentile(&resolution, 50.0).unwrap(),
        res_p90: percentile(&resolution, 90.0).unwrap(),
        sla: ratio(met, seeds.len()),
        fcr: ratio(fcr, finished),
        reopen: ratio(reopened, finished),
    }
}

/// The figures one row of the page's handling table shows.
fn shown(page: &str, queue: &str, priority: &str) -> Expected {
    let marker = format!("<tr data-queue=\"{queue}\" data-priority=\"{priority}\">");
    let row = extract_between(page, &marker, "</tr>")
        .unwrap_or_else(|| panic!("no row for {queue} {priority}"));
    let cell = |class: &str| {
        extract_between(row, &format!("class=\"{class}\" data-value=\""), "\"")
            .unwrap_or_else(|| panic!("no {class} in {row}"))
            .to_owned()
    };
    let int = |class: &str| cell(class).parse::<i64>().unwrap();
    Expected {
        tickets: cell("tickets").parse().unwrap(),
        fr_median: int("fr-median"),
        fr_p90: int("fr-p90"),
        res_median: int("res-median"),
        res_p90: int("res-p90"),
        sla: cell("sla"),
        fcr: cell("fcr"),
        reopen: cell("reopen"),
    }
}

/// The value of one sample line of `/metrics`.
fn sample(text: &str, line_start: &str) -> String {
    text.lines()
        .find_map(|l| l.strip_prefix(line_start))
        .unwrap_or_else(|| panic!("no {line_start} in\n{text}"))
        .trim()
        .to_owned()
}

async fn metrics_page(app: &TestApp, session: &HtmlSession, query: &str) -> String {
    let response = app
        .html_get(session, &format!("/admin/metrics?{query}"))
        .await;
    assert_eq!(response.status(), 200);
    response.text().await.unwrap()
}

async fn scrape(app: &TestApp) -> String {
    let response = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.text().await.unwrap()
}

async fn post(app: &TestApp, token: &str, path: String, body: Value) {
    let response = app.agent_post(token, &path, &body).await;
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
}

/// Files the seeds through the API, works them, then sets their times. Returns each
/// seed's (reference, access token).
async fn seed(app: &TestApp, token: &str, seeds: &[&Seed], filed: i64) -> Vec<(String, String)> {
    let mut tickets = Vec::new();
    for s in seeds {
        let (reference, access, _) = app
            .file_via_api("Question", "It fails", json!({ "category": s.category }))
            .await;
        let base = format!("/api/v1/agent/tickets/{reference}");
        if s.priority != "P3" {
            post(
                app,
                token,
                format!("{base}/priority"),
                json!({ "priority": s.priority }),
            )
            .await;
        }
        post(
            app,
            token,
            format!("{base}/replies"),
            json!({ "body": "Try this" }),
        )
        .await;
        if s.follow_up {
            let reply = app
                .post_json(
                    &format!("/api/v1/tickets/{access}/replies"),
                    &json!({ "body": "Still broken" }),
                )
                .await;
            assert_eq!(reply.status(), 201);
            post(
                app,
                token,
                format!("{base}/replies"),
                json!({ "body": "Now?" }),
            )
            .await;
        }
        if s.resolved.is_some() {
            post(
                app,
                token,
                format!("{base}/status"),
                json!({ "status": "resolved" }),
            )
            .await;
        }
        if s.reopen {
            let reply = app
                .post_json(
                    &format!("/api/v1/tickets/{access}/replies"),
                    &json!({ "body": "It is back" }),
                )
                .await;
            assert_eq!(reply.status(), 201);
            post(
                app,
                token,
                format!("{base}/status"),
                json!({ "status": "resolved" }),
            )
            .await;
        }
        match s.rating {
            Some(0) => {
                let r = app
                    .post_json(
                        &format!("/api/v1/tickets/{access}/rating"),
                        &json!({ "decline": true }),
                    )
                    .await;
                assert_eq!(r.status(), 201);
            }
            Some(score) => {
                let r = app
                    .post_json(
                        &format!("/api/v1/tickets/{access}/rating"),
                        &json!({ "score": score }),
                    )
                    .await;
                assert_eq!(r.status(), 201);
            }
            None => {}
        }
        let changed = app
            .execute_sql(
                "update tickets set created_at = $1, first_response_at = $2, \
                 first_response_due = $3, closed_at = $4 where reference = $5",
                &[
                    filed.into(),
                    (filed + s.first_response).into(),
                    (filed + s.due).into(),
                    s.resolved
                        .map_or(crate::support::Param::Null, |r| (filed + r).into()),
                    (&reference).into(),
                ],
            )
            .await;
        assert_eq!(changed, 1);
        tickets.push((reference, access));
    }
    tickets
}

fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut child = Command::new("python3")
        .args([
            "-c",
            "import csv, json, sys; print(json.dumps(list(csv.reader(sys.stdin))))",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 reads the CSV");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    serde_json::from_slice(&output.stdout).unwrap()
}

#[tokio::test]
async fn the_figures_are_those_of_the_seeded_times_and_survive_purge() {
    let app = TestApp::spawn_with(|c| c.metrics_token = Some(METRICS_TOKEN.into())).await;
    let admin = app.add_agent("lena", "admin", &[]).await;
    let agent = app.add_agent("olga", "l2", &["general", "billing"]).await;
    let token = app.api_login(&agent).await;
    let session = app.html_login(&admin).await;

    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let filed = now - now.rem_euclid(DAY) - 5 * DAY + 3600;
    let seeds: Vec<&Seed> = SEEDS.iter().collect();
    let tickets = seed(&app, &token, &seeds, filed).await;

    let general: Vec<&Seed> = seeds
        .iter()
        .copied()
        .filter(|s| s.category != "billing")
        .collect();
    let billing: Vec<&Seed> = seeds
        .iter()
        .copied()
        .filter(|s| s.category == "billing")
        .collect();
    let want_general = expected(&general);
    let want_billing = expected(&billing);
    // The seeds are chosen so that these are not all alike.
    assert_eq!(want_general.fr_median, 1800);
    assert_eq!(want_general.res_p90, DAY + 3600);

    let page = metrics_page(&app, &session, "days=30").await;
    assert_eq!(shown(&page, "general", "P3"), want_general);
    assert_eq!(shown(&page, "billing", "P2"), want_billing);
    assert!(page.contains("id=\"kb-no-data\""));
    // Backlog: the one open ticket is five days old.
    let backlog = extract_between(
        &page,
        "<tr data-queue=\"general\"><th scope=\"row\">general</th>",
        "</tr>",
    )
    .unwrap();
    assert_eq!(backlog.matches("data-value=\"").count(), 4, "{backlog}");
    assert!(
        backlog.contains(
            "<td data-value=\"0\">0</td><td data-value=\"0\">0</td><td data-value=\"1\">"
        )
    );
    // Satisfaction: general offered three, one declined, one rated 5; billing one rated 3.
    let total = extract_between(
        &page,
        "<tr class=\"total\" data-queue=\"\"><th scope=\"row\">",
        "</tr>",
    )
    .unwrap();
    assert!(
        total.contains("class=\"offered\" data-value=\"4\""),
        "{total}"
    );
    assert!(
        total.contains("class=\"csat-average\" data-value=\"4.0000\""),
        "{total}"
    );
    assert!(
        total.contains("class=\"csat-response\" data-value=\"0.5000\""),
        "{total}"
    );

    let text = scrape(&app).await;
    let group = "queue=\"general\",priority=\"P3\"";
    assert_eq!(
        sample(
            &text,
            &format!("hushdesk_first_response_seconds{{{group},quantile=\"0.5\"}}")
        ),
        want_general.fr_median.to_string()
    );
    assert_eq!(
        sample(
            &text,
            &format!("hushdesk_resolution_seconds{{{group},quantile=\"0.9\"}}")
        ),
        want_general.res_p90.to_string()
    );
    assert_eq!(
        sample(
            &text,
            &format!("hushdesk_sla_first_response_hit_ratio{{{group}}}")
        ),
        want_general.sla
    );
    assert_eq!(
        sample(
            &text,
            &format!("hushdesk_first_contact_resolution_ratio{{{group}}}")
        ),
        want_general.fcr
    );
    assert_eq!(
        sample(&text, &format!("hushdesk_reopen_ratio{{{group}}}")),
        want_general.reopen
    );
    assert_eq!(
        sample(&text, "hushdesk_csat_average{queue=\"billing\"}"),
        "3.0000"
    );
    assert_eq!(
        sample(
            &text,
            "hushdesk_backlog_tickets{queue=\"general\",age=\"3to7d\"}"
        ),
        "1"
    );
    // The names relied on before stay.
    assert_eq!(sample(&text, "hushdesk_tickets_stored "), "5");

    // Positive control: one more ticket, slow to answer, moves the figures as computed.
    let slow = Seed {
        category: "functionality",
        priority: "P3",
        first_response: 20_000,
        due: 3600,
        resolved: None,
        follow_up: false,
        reopen: false,
        rating: None,
    };
    seed(&app, &token, &[&slow], filed).await;
    let mut general_more = general.clone();
    general_more.push(&slow);
    let want_more = expected(&general_more);
    assert_ne!(want_more, want_general);
    let page = metrics_page(&app, &session, "days=30").await;
    assert_eq!(shown(&page, "general", "P3"), want_more);
    let text = scrape(&app).await;
    assert_eq!(
        sample(
            &text,
            &format!("hushdesk_first_response_seconds{{{group},quantile=\"0.5\"}}")
        ),
        want_more.fr_median.to_string()
    );
    // A period that ends before the filing day shows none of it.
    let day = |unix: i64| {
        time::OffsetDateTime::from_unix_timestamp(unix)
            .unwrap()
            .date()
            .to_string()
    };
    let before = metrics_page(
        &app,
        &session,
        &format!("from={}&until={}", day(filed - 3 * DAY), day(filed - DAY)),
    )
    .await;
    assert!(!before.contains("<tr data-queue=\"general\" data-priority=\"P3\">"));

    // Purge: one deleted now by its requester, the finished rest by retention.
    let deleted = app
        .post_form(
            &format!("/t/{}/delete", tickets[0].1),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(deleted.status(), 200);
    let as_of = (time::OffsetDateTime::now_utc() + time::Duration::days(31))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let output = app
        .command()
        .args(["purge", "--as-of", &as_of])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(said.contains("purged 3 tickets"), "{said}");
    assert_eq!(app.count_rows("ticket_outcomes").await, 4);
    let page = metrics_page(&app, &session, "days=30").await;
    assert_eq!(shown(&page, "general", "P3"), want_more);
    assert_eq!(shown(&page, "billing", "P2"), want_billing);
    let text = scrape(&app).await;
    assert_eq!(
        sample(&text, "hushdesk_csat_average{queue=\"billing\"}"),
        "3.0000"
    );
    assert_eq!(
        sample(&text, &format!("hushdesk_reopen_ratio{{{group}}}")),
        want_more.reopen
    );
}

#[tokio::test]
async fn the_csv_export_is_for_admins_audited_and_neutralises_formulas() {
    let app = TestApp::spawn().await;
    let admin = app.add_agent("ivan", "admin", &[]).await;
    let agent = app.add_agent("yuri", "l2", &["general"]).await;
    let admin_session = app.html_login(&admin).await;
    let agent_session = app.html_login(&agent).await;

    // A queue whose name a spreadsheet would read as a formula.
    app.execute_sql(
        "update queues set name = '-2-3' where name = 'billing'",
        &[],
    )
    .await;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let filed = now - now.rem_euclid(DAY) - 2 * DAY;
    let seeds: Vec<&Seed> = SEEDS.iter().collect();
    let agent_in_both = app.add_agent("nina", "l2", &["general", "-2-3"]).await;
    let both = app.api_login(&agent_in_both).await;
    seed(&app, &both, &seeds, filed).await;

    let refused = app
        .html_get(&agent_session, "/admin/metrics.csv?days=30")
        .await;
    assert_eq!(refused.status(), 404);
    assert_eq!(
        app.get("/admin/metrics.csv?days=30")
            .await
            .status()
            .as_u16()
            / 100,
        3
    );
    let none: Vec<(String,)> = app
        .query_rows(
            "select actor from audit_log where action = 'metrics_exported'",
            &[],
        )
        .await;
    assert!(none.is_empty());

    // A period of days outside 1 to 3660 is refused, not read as 30; any day count inside
    // is taken, not only the form's choices.
    for days in ["0", "-1", "100000"] {
        for path in ["/admin/metrics", "/admin/metrics.csv"] {
            let refused = app
                .html_get(&admin_session, &format!("{path}?days={days}"))
                .await;
            assert_eq!(refused.status(), 422, "{path}?days={days}");
        }
    }
    let fortnight = app
        .html_get(&admin_session, "/admin/metrics.csv?days=14")
        .await;
    assert_eq!(fortnight.status(), 200);
    let audited: Vec<String> = app
        .query_values(
            "select detail from audit_log where action = 'metrics_exported'",
            &[],
        )
        .await;
    assert_eq!(audited.len(), 1, "{audited:?}");
    let bound = |name: &str| -> i64 {
        audited[0]
            .split_whitespace()
            .find_map(|kv| kv.strip_prefix(name))
            .unwrap()
            .parse()
            .unwrap()
    };
    assert_eq!(bound("until=") - bound("from="), 14 * DAY, "{audited:?}");

    let response = app
        .html_get(&admin_session, "/admin/metrics.csv?days=30")
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\"hushdesk-metrics-"),
        "{disposition}"
    );
    let rows = parse_csv(&response.text().await.unwrap());
    assert_eq!(rows[0][0], "week");
    assert_eq!(rows.len(), 3, "{rows:?}");
    let general = rows.iter().find(|r| r[1] == "general").unwrap();
    let want = expected(
        &seeds
            .iter()
            .copied()
            .filter(|s| s.category != "billing")
            .collect::<Vec<_>>(),
    );
    assert_eq!(general[2], "P3");
    assert_eq!(general[3], want.tickets.to_string());
    assert_eq!(general[4], want.fr_median.to_string());
    assert_eq!(general[7], want.res_p90.to_string());
    assert_eq!(general[8], want.sla);
    let formula = rows.iter().find(|r| r[1].contains("2-3")).unwrap();
    assert_eq!(formula[1], "'-2-3");
    // No reference anywhere in the export.
    for row in &rows {
        for cell in row {
            assert!(!cell.starts_with("HD-"), "{cell}");
        }
    }

    let exported: Vec<(String, Option<String>)> = app
        .query_rows(
            "select actor, reference from audit_log where action = 'metrics_exported'",
            &[],
        )
        .await;
    // The fortnight's export and this one; the refused periods exported nothing.
    assert_eq!(exported, vec![("ivan".to_owned(), None); 2]);
}
