//! The agents' ticket list at any size: SLA order by default (breached first, then by time
//! left), the other orders, keyset pages that together show every ticket in scope exactly
//! once, counts, and the same on the HTML page.

use serde_json::{Value, json};

use crate::support::{Param, TestApp};

/// Follows `next` from the first page; returns every reference in the order shown, and
/// checks the count on each page.
async fn all_pages(app: &TestApp, token: &str, query: &str, expect_total: i64) -> Vec<String> {
    let mut seen = Vec::new();
    let mut after = String::new();
    for _ in 0..50 {
        let response = app
            .agent_get(
                token,
                &format!("/api/v1/agent/tickets?{query}&limit=3{after}"),
            )
            .await;
        assert_eq!(response.status(), 200);
        let page: Value = response.json().await.unwrap();
        assert_eq!(page["total"], expect_total, "{page}");
        assert_eq!(page["total_is_lower_bound"], false);
        let tickets = page["tickets"].as_array().unwrap();
        assert!(tickets.len() <= 3);
        seen.extend(
            tickets
                .iter()
                .map(|t| t["reference"].as_str().unwrap().to_owned()),
        );
        match page["next"].as_str() {
            Some(next) => {
                assert_eq!(tickets.len(), 3, "only a full page has a next one");
                after = format!("&after={next}");
            }
            None => return seen,
        }
    }
    panic!("the pages never ended");
}

async fn set_due(app: &TestApp, reference: &str, due: i64) {
    let changed = app
        .execute_sql(
            "update tickets set first_response_due = $1, first_response_at = null where reference = $2",
            &[Param::Int(due), Param::Text(reference)],
        )
        .await;
    assert_eq!(changed, 1);
}

#[tokio::test]
async fn pages_show_every_ticket_in_scope_once_in_sla_order_and_nothing_else() {
    let app = TestApp::spawn().await;
    let agent = app.add_agent("lena", "l1", &["billing"]).await;
    let token = app.api_login(&agent).await;
    let mut filed = Vec::new();
    for n in 0..8 {
        let (reference, _) = app
            .file_in(
                "billing",
                &format!("Invoice question {n}"),
                "Why was I charged?",
            )
            .await;
        filed.push(reference);
    }
    // Another queue's ticket: never on any page of an agent outside it.
    let (elsewhere, _) = app
        .file_in("security", "Someone else's account", "Please look")
        .await;

    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    // Two breached (the older breach first), the rest due at staggered times.
    set_due(&app, &filed[5], now - 60).await;
    set_due(&app, &filed[2], now - 3600).await;
    for (i, reference) in filed.iter().enumerate() {
        if i != 5 && i != 2 {
            set_due(&app, reference, now + 600 * (8 - i as i64)).await;
        }
    }

    let shown = all_pages(&app, &token, "status=all", 8).await;
    let mut expected = vec![filed[2].clone(), filed[5].clone()];
    expected.extend([7, 6, 4, 3, 1, 0].map(|i| filed[i].clone()));
    assert_eq!(shown, expected, "breached first, then by time left");
    assert!(!shown.contains(&elsewhere));

    // A first page that holds every match counts them itself, the same.
    let whole: Value = app
        .agent_get(&token, "/api/v1/agent/tickets?status=all&limit=500")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(whole["total"], 8);
    assert_eq!(whole["tickets"].as_array().unwrap().len(), 8);
    assert!(whole.get("next").is_none());

    // The default order is the SLA order (no `order` given).
    let first: Value = app
        .agent_get(&token, "/api/v1/agent/tickets?limit=2")
        .await
        .json()
        .await
        .unwrap();
    let first: Vec<&str> = first["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["reference"].as_str().unwrap())
        .collect();
    assert_eq!(first, [filed[2].as_str(), filed[5].as_str()]);

    // Newest first, and every page together is the whole scope once.
    let newest = all_pages(&app, &token, "status=all&order=created", 8).await;
    let mut by_filing: Vec<String> = filed.iter().rev().cloned().collect();
    assert_eq!(newest, by_filing);
    by_filing.sort();
    for order in ["priority", "updated"] {
        let mut shown = all_pages(&app, &token, &format!("status=all&order={order}"), 8).await;
        shown.sort();
        assert_eq!(shown, by_filing, "order {order}");
    }
}

#[tokio::test]
async fn priority_order_puts_p1_first_and_a_search_pages_too() {
    let app = TestApp::spawn().await;
    let agent = app.add_agent("mira", "l1", &["billing"]).await;
    let token = app.api_login(&agent).await;
    let mut filed = Vec::new();
    for (n, priority) in ["P4", "P2", "P1", "P3", "P2"].iter().enumerate() {
        let (reference, _) = app
            .file_in(
                "billing",
                &format!("Refund request {n}"),
                "Card was charged twice",
            )
            .await;
        let response = app
            .agent_post(
                &token,
                &format!("/api/v1/agent/tickets/{reference}/priority"),
                &json!({ "priority": priority }),
            )
            .await;
        assert_eq!(response.status(), 204);
        filed.push(reference);
    }
    let shown = all_pages(&app, &token, "status=all&order=priority", 5).await;
    // P1, then the two P2s oldest first, then P3, P4.
    let expected: Vec<String> = [2, 1, 4, 3, 0].iter().map(|&i| filed[i].clone()).collect();
    assert_eq!(shown, expected);

    let (unrelated, _) = app
        .file_in("billing", "Login trouble", "The app logs me out")
        .await;
    let found = all_pages(&app, &token, "status=all&q=refund", 5).await;
    assert_eq!(found.len(), 5);
    assert!(!found.contains(&unrelated));
}

#[tokio::test]
async fn a_bad_page_or_order_is_refused_clearly() {
    let app = TestApp::spawn().await;
    let agent = app.add_agent("ivan", "l1", &["billing"]).await;
    let token = app.api_login(&agent).await;
    for (query, status) in [
        ("after=12", 400),
        ("after=a.b", 400),
        ("after=0.0", 400),
        // A cursor of another order is no position in this one.
        ("order=priority&after=created.1795680220.2414", 400),
        ("order=alphabetical", 400),
        ("limit=0", 422),
        ("limit=501", 422),
    ] {
        let response = app
            .agent_get(&token, &format!("/api/v1/agent/tickets?{query}"))
            .await;
        assert_eq!(response.status(), status, "{query}");
    }
    let fine = app
        .agent_get(
            &token,
            "/api/v1/agent/tickets?after=created.0.0&order=created&limit=500",
        )
        .await;
    assert_eq!(fine.status(), 200);
}

#[tokio::test]
async fn the_html_list_counts_and_links_to_the_next_page_with_the_same_filters() {
    let app = TestApp::spawn().await;
    let agent = app.add_agent("olga", "l1", &["billing"]).await;
    let session = app.html_login(&agent).await;
    let mut filed = Vec::new();
    for n in 0..53 {
        let (reference, _) = app
            .file_in(
                "billing",
                &format!("Payment failed {n}"),
                "The card was declined",
            )
            .await;
        filed.push(reference);
    }
    let first = app
        .html_get(&session, "/agent/tickets?status=all&order=created")
        .await;
    assert_eq!(first.status(), 200);
    let first = first.text().await.unwrap();
    assert!(first.contains("53 tickets"), "the count is shown");
    assert!(first.contains(&filed[52]) && !first.contains(&format!(">{}<", filed[2])));
    let pages = &first[first.find("<nav class=\"pages\"").expect("page links")..];
    let next = crate::support::unescaped_between(pages, "<a href=\"", "\" rel=\"next\"");
    assert!(
        next.contains("order=created") && next.contains("status=all"),
        "{next}"
    );
    let second = app.html_get(&session, &next).await;
    assert_eq!(second.status(), 200);
    let second = second.text().await.unwrap();
    for reference in &filed[..3] {
        assert!(second.contains(reference.as_str()), "{reference} on page 2");
    }
    assert!(!second.contains(&format!(">{}<", filed[52])));
    assert!(
        !second.contains("rel=\"next\""),
        "the last page has no next"
    );
    assert!(second.contains("First page"));
}

/// The row of `reference` on the list page (from its `<tr` to its `</tr>`).
fn row_of<'a>(page: &'a str, reference: &str) -> &'a str {
    let at = page
        .find(&format!("value=\"{reference}\""))
        .unwrap_or_else(|| panic!("{reference} not listed: {page}"));
    let start = page[..at].rfind("<tr").unwrap();
    let end = at + page[at..].find("</tr>").unwrap();
    &page[start..end]
}

#[tokio::test]
async fn the_list_marks_at_risk_rows_in_words_apart_from_overdue_and_fine_ones() {
    // The warning time is one hour (the default).
    let app = TestApp::spawn().await;
    let agent = app.add_agent("rita", "l1", &["billing"]).await;
    let mut filed = Vec::new();
    for n in 0..3 {
        let (reference, _) = app
            .file_in("billing", &format!("Refund {n}"), "Where is it?")
            .await;
        filed.push(reference);
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    set_due(&app, &filed[0], now + 20 * 60).await; // at risk
    set_due(&app, &filed[1], now - 60).await; // overdue
    set_due(&app, &filed[2], now + 5 * 3600).await; // fine
    let session = app.html_login(&agent).await;

    for (lang, marker) in [("en", ">At risk<"), ("ru", ">Под угрозой<")] {
        let page = app
            .html_get(&session, &format!("/agent/tickets?lang={lang}"))
            .await
            .text()
            .await
            .unwrap();
        let risky = row_of(&page, &filed[0]);
        assert!(risky.contains("ticket-row at-risk"), "{risky}");
        assert!(risky.contains("class=\"badge risk\""), "{risky}");
        assert!(risky.contains(marker), "{lang}: {risky}");
        // Positive controls: the overdue row is marked late, the other one not at all.
        let late = row_of(&page, &filed[1]);
        assert!(late.contains("ticket-row overdue"), "{late}");
        assert!(late.contains("class=\"late\""), "{late}");
        assert!(!late.contains(marker), "{late}");
        let fine = row_of(&page, &filed[2]);
        assert!(
            !fine.contains("at-risk") && !fine.contains("overdue"),
            "{fine}"
        );
        assert!(!fine.contains(marker), "{fine}");
    }
    // The stylesheet gives the marker its own look, in both schemes.
    let css = app.get("/static/style.css").await.text().await.unwrap();
    assert!(css.contains(".badge.risk"), "{css}");
    assert_eq!(css.matches("--risk:").count(), 2, "{css}");
}
