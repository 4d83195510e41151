//! Rate limits on PostgreSQL hold whichever instance a client reaches: the budgets live in
//! the database every instance shares, under a keyed digest of the client's network that all
//! instances of a desk agree on and that holds no address. Several real servers on one
//! throwaway database; requests come from real loopback addresses (127.0.0.1 and
//! 127.0.0.2 share a /24; 127.0.1.1 is another network).

use std::net::IpAddr;
use std::time::Duration;

use hushdesk::config::Config;
use serde_json::{Value, json};

use crate::support::TestApp;

/// `n` instances on one fresh PostgreSQL database and one set of keys, each configured by
/// `adjust`; `None` (having said why) without PostgreSQL here.
async fn instances(test: &str, n: usize, adjust: fn(&mut Config)) -> Option<Vec<TestApp>> {
    let first = TestApp::spawn_on_postgres(test, adjust).await?;
    let mut all = Vec::new();
    for _ in 1..n {
        all.push(first.spawn_beside_with(adjust).await);
    }
    all.insert(0, first);
    Some(all)
}

/// A client whose connections come from `address`.
fn client_from(address: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(address.parse::<IpAddr>().unwrap())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn ticket() -> Value {
    json!({"subject": "Sync stalls", "body": "It stops at 99%.", "category": "functionality"})
}

async fn file(app: &TestApp, client: &reqwest::Client) -> reqwest::Response {
    client
        .post(app.url("/api/v1/tickets"))
        .json(&ticket())
        .send()
        .await
        .unwrap()
}

async fn sign_in(
    app: &TestApp,
    client: &reqwest::Client,
    name: &str,
    password: &str,
) -> reqwest::Response {
    client
        .post(app.url("/api/v1/agent/login"))
        .json(&json!({ "name": name, "password": password }))
        .send()
        .await
        .unwrap()
}

fn retry_after(response: &reqwest::Response) -> u64 {
    response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

const BURST: u32 = 4;

#[tokio::test]
async fn filings_spread_over_three_instances_are_refused_after_the_burst_in_total() {
    let Some(apps) = instances("shared_rate_filing", 3, |c| {
        c.rate_limit.tickets_burst = BURST;
        c.rate_limit.tickets_refill_seconds = 3600;
    })
    .await
    else {
        return;
    };
    let here = client_from("127.0.0.1");

    let mut statuses = Vec::new();
    for i in 0..BURST as usize {
        statuses.push(file(&apps[i % 3], &here).await.status().as_u16());
    }
    // Positive control: the whole burst goes through, the last of it included.
    assert_eq!(statuses, vec![201; BURST as usize]);
    for app in &apps {
        let refused = file(app, &here).await;
        assert_eq!(
            refused.status(),
            429,
            "every instance knows the budget is spent"
        );
        let wait = retry_after(&refused);
        assert!((3500..=3600).contains(&wait), "Retry-After {wait}");
        assert_eq!(refused.headers()["x-ratelimit-after"], wait.to_string());
        let error: Value = refused.json().await.unwrap();
        assert!(
            error["error"]
                .as_str()
                .unwrap()
                .contains("Too many requests"),
            "{error}"
        );
    }
    // The form is refused alike, as a page.
    let form = here
        .post(apps[1].url("/tickets"))
        .form(&[("subject", "s"), ("body", "b"), ("category", "billing")])
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 429);
    assert!(form.text().await.unwrap().contains("Too many requests"));
    // Another host of the same /24 shares the budget; another network has its own.
    assert_eq!(
        file(&apps[2], &client_from("127.0.0.2")).await.status(),
        429
    );
    let elsewhere = client_from("127.0.1.1");
    for app in &apps {
        assert_eq!(file(app, &elsewhere).await.status(), 201);
    }
    assert_eq!(apps[0].count_rows("tickets").await, i64::from(BURST) + 3);
}

#[tokio::test]
async fn sign_ins_spread_over_two_instances_are_refused_after_the_burst_in_total() {
    let Some(apps) = instances("shared_rate_sign_in", 2, |c| {
        c.rate_limit.logins_burst = 3;
        c.rate_limit.logins_refill_seconds = 3600;
        c.agents.max_failed_logins = 100;
    })
    .await
    else {
        return;
    };
    let agent = apps[0].add_agent("nadia", "l1", &["general"]).await;
    assert!(
        agent.totp_uri.is_none(),
        "an l1 agent signs in with a password alone"
    );
    let here = client_from("127.0.0.1");

    let mut statuses = Vec::new();
    for i in 0..3 {
        let guess = sign_in(&apps[i % 2], &here, "nadia", "a wrong guess").await;
        statuses.push(guess.status().as_u16());
    }
    // Positive control: each guess of the burst reached the password check.
    assert_eq!(statuses, [401, 401, 401]);
    for app in &apps {
        let refused = sign_in(app, &here, "nadia", &agent.password).await;
        assert_eq!(refused.status(), 429, "even the right password waits");
        assert!(retry_after(&refused) > 0);
    }
    let elsewhere = client_from("127.0.1.1");
    assert_eq!(
        sign_in(&apps[1], &elsewhere, "nadia", &agent.password)
            .await
            .status(),
        200,
        "another network signs in"
    );
}

#[tokio::test]
async fn a_spent_budget_is_admitted_again_on_any_instance_after_the_refill_time() {
    let Some(apps) = instances("shared_rate_refill", 2, |c| {
        c.rate_limit.tickets_burst = 1;
        c.rate_limit.tickets_refill_seconds = 3;
        c.rate_limit.logins_burst = 1;
        c.rate_limit.logins_refill_seconds = 3;
        c.agents.max_failed_logins = 100;
    })
    .await
    else {
        return;
    };
    apps[0].add_agent("omar", "l1", &["general"]).await;
    let here = client_from("127.0.0.1");

    assert_eq!(file(&apps[0], &here).await.status(), 201);
    let refused = file(&apps[1], &here).await;
    assert_eq!(refused.status(), 429);
    assert!(retry_after(&refused) <= 3);
    assert_eq!(
        sign_in(&apps[0], &here, "omar", "guess").await.status(),
        401
    );
    assert_eq!(
        sign_in(&apps[1], &here, "omar", "guess").await.status(),
        429
    );

    tokio::time::sleep(Duration::from_millis(3300)).await;
    assert_eq!(file(&apps[1], &here).await.status(), 201);
    assert_eq!(
        sign_in(&apps[0], &here, "omar", "guess").await.status(),
        401
    );
}

#[tokio::test]
async fn the_shared_budgets_hold_a_keyed_digest_of_the_network_and_no_address() {
    let Some(apps) = instances("shared_rate_no_address", 2, |c| {
        c.trusted_client_header = Some("x-forwarded-for".into());
    })
    .await
    else {
        return;
    };
    let here = client_from("127.0.0.1");
    assert_eq!(file(&apps[0], &here).await.status(), 201);
    assert_eq!(file(&apps[1], &here).await.status(), 201);
    let forwarded = here
        .post(apps[1].url("/api/v1/tickets"))
        .header("x-forwarded-for", "203.0.113.77")
        .json(&ticket())
        .send()
        .await
        .unwrap();
    assert_eq!(forwarded.status(), 201);

    let rows: Vec<(String, Vec<u8>, i64)> = apps[0]
        .query_rows(
            "select bucket, client, tat from rate_buckets order by client",
            &[],
        )
        .await;
    // Positive control: one row per network, whichever instance it reached, so both
    // instances derived the same digest.
    let filing: Vec<_> = rows.iter().filter(|(b, _, _)| b == "filing").collect();
    assert_eq!(filing.len(), 2, "{rows:?}");
    assert_ne!(filing[0].1, filing[1].1);
    for (bucket, client, _) in &rows {
        assert_eq!(client.len(), 32, "a digest, not an address");
        for needle in [
            &[127u8, 0, 0, 1][..],
            &[127, 0, 0],
            &[203, 0, 113, 77],
            &[203, 0, 113],
            b"127.0.0",
            b"203.0.113",
        ] {
            assert!(
                !client.windows(needle.len()).any(|w| w == needle),
                "row {bucket} holds {needle:?}"
            );
        }
        assert!(!bucket.contains("127.") && !bucket.contains("203."));
    }
    let text: Vec<String> = apps[0]
        .query_values("select encode(client, 'escape') from rate_buckets", &[])
        .await;
    assert!(
        text.iter()
            .all(|t| !t.contains("127.0.0") && !t.contains("203.0.113")),
        "{text:?}"
    );
}

#[tokio::test]
async fn without_the_shared_budgets_each_instance_counts_alone_and_stays_up() {
    let Some(apps) = instances("shared_rate_fallback", 2, |c| {
        c.rate_limit.tickets_burst = 2;
        c.rate_limit.tickets_refill_seconds = 3600;
    })
    .await
    else {
        return;
    };
    let here = client_from("127.0.0.1");
    // The shared budgets break (as when the database refuses these statements); filing
    // itself still works.
    apps[0].execute_sql("drop table rate_buckets", &[]).await;

    for app in &apps {
        let statuses = [
            file(app, &here).await.status().as_u16(),
            file(app, &here).await.status().as_u16(),
            file(app, &here).await.status().as_u16(),
        ];
        assert_eq!(
            statuses,
            [201, 201, 429],
            "each instance keeps its own budget"
        );
    }
}
