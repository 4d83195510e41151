//! The permission matrix: every role × queue × tier × action through the agent API.
//! An agent may work on a ticket exactly when they are a member of its queue and their
//! tier is at least the ticket's; everything else must look like a ticket that does not
//! exist, and no list or search may leak it.

use serde_json::{Value, json};

use crate::support::{TestAgent, TestApp};

struct Cell {
    queue: &'static str,
    tier: i64,
    reference: String,
    /// A word only this ticket contains, to look for in lists and search results.
    marker: String,
}

struct Identity {
    agent: TestAgent,
    tier: i64,
    queues: &'static [&'static str],
    token: String,
}

impl Identity {
    fn may_work_on(&self, cell: &Cell) -> bool {
        self.queues.contains(&cell.queue) && self.tier >= cell.tier
    }
}

/// Routes `data_request` to the restricted `vip` queue through the admin pages.
async fn route_data_requests_to_vip(app: &TestApp) {
    let admin = app.add_agent("route-admin", "admin", &[]).await;
    let session = app.html_login(&admin).await;
    let response = app
        .html_post(
            &session,
            "/admin/routing",
            &[("category", "data_request"), ("queue", "vip")],
        )
        .await;
    assert_eq!(response.status(), 303);
}

/// Files a ticket in `queue` and raises it to `tier` with the setup agent.
async fn ticket_at(app: &TestApp, setup: &str, queue: &str, tier: i64, marker: &str) -> String {
    let category = match queue {
        "general" => "functionality",
        "billing" => "billing",
        "security" => "security",
        "vip" => "data_request",
        other => panic!("no category routes to {other}"),
    };
    let (reference, _) = app
        .file_in(
            category,
            &format!("Question {marker}"),
            &format!("Details {marker}"),
        )
        .await;
    for _ in 1..tier {
        let response = app
            .agent_post(
                setup,
                &format!("/api/v1/agent/tickets/{reference}/escalate"),
                &json!({ "reason": "needs a specialist" }),
            )
            .await;
        assert_eq!(response.status(), 200);
    }
    reference
}

#[tokio::test]
async fn every_role_queue_tier_and_action_is_allowed_exactly_within_scope() {
    let app = TestApp::spawn_with(|c| {
        c.agents.hourly_view_threshold = 10_000;
        c.rate_limit.logins_burst = 1000;
    })
    .await;
    route_data_requests_to_vip(&app).await;
    let setup = app
        .add_agent("setup", "l3", &["general", "billing", "security", "vip"])
        .await;
    let setup_token = app.api_login(&setup).await;

    let specs: [(&str, &str, &[&str]); 9] = [
        ("l1-general", "l1", &["general"]),
        ("l2-general", "l2", &["general"]),
        ("l3-general", "l3", &["general"]),
        ("l1-vip", "l1", &["vip"]),
        ("l2-billing-security", "l2", &["billing", "security"]),
        ("l3-billing", "l3", &["billing"]),
        ("l2-nowhere", "l2", &[]),
        ("admin-plain", "admin", &[]),
        ("admin-general", "admin", &["general"]),
    ];
    let mut identities = Vec::new();
    for (name, role, queues) in specs {
        let agent = app.add_agent(name, role, queues).await;
        let token = app.api_login(&agent).await;
        let tier = match role {
            "l1" => 1,
            "l2" => 2,
            _ => 3,
        };
        identities.push(Identity {
            agent,
            tier,
            queues,
            token,
        });
    }

    let mut cells = Vec::new();
    for queue in ["general", "billing", "security", "vip"] {
        for tier in 1..=3 {
            let marker = format!("zmark{queue}t{tier}q");
            let reference = ticket_at(&app, &setup_token, queue, tier, &marker).await;
            cells.push(Cell {
                queue,
                tier,
                reference,
                marker,
            });
        }
    }

    let unknown = app
        .agent_get(&identities[0].token, "/api/v1/agent/tickets/HD-00000000")
        .await;
    assert_eq!(unknown.status(), 404);
    let not_found_body = unknown.text().await.unwrap();
    // Worded for staff, not the requester's "your link may have been deleted".
    assert!(
        not_found_body.contains("outside your queues and tier"),
        "{not_found_body}"
    );

    let mut checked = 0;
    for who in &identities {
        let listed = app
            .agent_get(&who.token, "/api/v1/agent/tickets")
            .await
            .text()
            .await
            .unwrap();
        for cell in &cells {
            let allowed = who.may_work_on(cell);
            let path = format!("/api/v1/agent/tickets/{}", cell.reference);
            let label = format!("{} on {} tier {}", who.agent.name, cell.queue, cell.tier);

            // view
            let view = app.agent_get(&who.token, &path).await;
            if allowed {
                assert_eq!(view.status(), 200, "view: {label}");
                let json: Value = view.json().await.unwrap();
                assert_eq!(json["queue"], cell.queue);
                assert_eq!(json["tier"], cell.tier);
            } else {
                assert_eq!(view.status(), 404, "view: {label}");
                assert_eq!(view.text().await.unwrap(), not_found_body, "{label}");
            }

            // list, and list filtered by the ticket's queue
            assert_eq!(listed.contains(&cell.marker), allowed, "list: {label}");
            let by_queue = app
                .agent_get(
                    &who.token,
                    &format!("/api/v1/agent/tickets?queue={}", cell.queue),
                )
                .await
                .text()
                .await
                .unwrap();
            assert_eq!(
                by_queue.contains(&cell.marker),
                allowed,
                "queue list: {label}"
            );

            // search
            let found = app
                .agent_get(
                    &who.token,
                    &format!("/api/v1/agent/tickets?q={}", cell.marker),
                )
                .await
                .text()
                .await
                .unwrap();
            assert_eq!(found.contains(&cell.reference), allowed, "search: {label}");

            // reply, note, status
            let reply = app
                .agent_post(
                    &who.token,
                    &format!("{path}/replies"),
                    &json!({ "body": "On it." }),
                )
                .await;
            assert_eq!(
                reply.status(),
                if allowed { 201 } else { 404 },
                "reply: {label}"
            );
            let note = app
                .agent_post(
                    &who.token,
                    &format!("{path}/replies"),
                    &json!({ "body": "Internal remark.", "internal": true }),
                )
                .await;
            assert_eq!(
                note.status(),
                if allowed { 201 } else { 404 },
                "note: {label}"
            );
            let status = app
                .agent_post(
                    &who.token,
                    &format!("{path}/status"),
                    &json!({ "status": "open" }),
                )
                .await;
            assert_eq!(
                status.status(),
                if allowed { 200 } else { 404 },
                "status: {label}"
            );

            // asking the requester for a proof of ownership
            let proof = app
                .agent_post(
                    &who.token,
                    &format!("{path}/proofs"),
                    &json!({ "kind": "openpgp" }),
                )
                .await;
            assert_eq!(
                proof.status(),
                if allowed { 201 } else { 404 },
                "proof: {label}"
            );

            // escalate: out of scope is 404 and changes nothing
            if !allowed {
                let escalate = app
                    .agent_post(
                        &who.token,
                        &format!("{path}/escalate"),
                        &json!({ "reason": "trying" }),
                    )
                    .await;
                assert_eq!(escalate.status(), 404, "escalate: {label}");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, identities.len() * cells.len());

    // Nothing out of scope moved: every ticket is still at its tier.
    for cell in &cells {
        let json: Value = app
            .agent_get(
                &setup_token,
                &format!("/api/v1/agent/tickets/{}", cell.reference),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(json["tier"], cell.tier, "{} moved", cell.reference);
    }

    // Allowed escalations, on fresh tickets: one tier up, or a conflict at the top.
    for who in &identities {
        for cell in cells.iter().filter(|c| who.may_work_on(c)) {
            let marker = format!("zesc{}{}{}", who.agent.name, cell.queue, cell.tier);
            let reference = ticket_at(&app, &setup_token, cell.queue, cell.tier, &marker).await;
            let response = app
                .agent_post(
                    &who.token,
                    &format!("/api/v1/agent/tickets/{reference}/escalate"),
                    &json!({ "reason": "beyond me" }),
                )
                .await;
            if cell.tier == 3 {
                assert_eq!(response.status(), 409, "{} at top", who.agent.name);
            } else {
                assert_eq!(response.status(), 200, "{} escalating", who.agent.name);
                let json: Value = response.json().await.unwrap();
                assert_eq!(json["tier"], cell.tier + 1);
                assert_eq!(json["in_scope"], who.tier > cell.tier);
            }
        }
    }
}

#[tokio::test]
async fn restricted_queues_are_invisible_to_non_members_in_every_listing() {
    let app = TestApp::spawn().await;
    route_data_requests_to_vip(&app).await;
    let outsider = app.add_agent("outsider", "l2", &["general"]).await;
    let token = app.api_login(&outsider).await;
    let (reference, _) = app
        .file_in("data_request", "Private zvipmarker", "Very private")
        .await;

    for path in [
        "/api/v1/agent/tickets".to_owned(),
        "/api/v1/agent/tickets?queue=vip".to_owned(),
        "/api/v1/agent/tickets?q=zvipmarker".to_owned(),
        "/api/v1/agent/tickets?status=all".to_owned(),
    ] {
        let body = app.agent_get(&token, &path).await.text().await.unwrap();
        assert!(
            !body.contains("zvipmarker") && !body.contains(&reference),
            "{path}"
        );
        assert!(!body.contains("vip"), "{path} names the restricted queue");
    }
    let session = app.html_login(&outsider).await;
    let page = app
        .html_get(&session, "/agent/tickets")
        .await
        .text()
        .await
        .unwrap();
    assert!(!page.contains("vip") && !page.contains(&reference));
    let direct = app
        .html_get(&session, &format!("/agent/tickets/{reference}"))
        .await;
    assert_eq!(direct.status(), 404);
}

#[tokio::test]
async fn missing_or_bad_credentials_answer_401_and_html_goes_to_sign_in() {
    let app = TestApp::spawn().await;
    let none = app.get("/api/v1/agent/tickets").await;
    assert_eq!(none.status(), 401);
    let json: Value = none.json().await.unwrap();
    assert!(json["error"].is_string());
    let bad = app.agent_get("not-a-token", "/api/v1/agent/tickets").await;
    assert_eq!(bad.status(), 401);
    let page = app.get("/agent/tickets").await;
    assert_eq!(page.status(), 303);
    assert_eq!(page.headers()["location"], "/agent/login");
    let admin = app.get("/admin/audit").await;
    assert_eq!(admin.status(), 303);
}

#[tokio::test]
async fn non_admins_get_404_on_admin_pages_and_admins_see_no_ticket_content() {
    let app = TestApp::spawn().await;
    let agent = app.add_agent("plain", "l3", &["general"]).await;
    let admin = app.add_agent("boss", "admin", &[]).await;
    let (reference, _) = app
        .file_in("functionality", "zadminmarker subject", "zadminmarker body")
        .await;
    let agent_session = app.html_login(&agent).await;
    for path in ["/admin", "/admin/agents", "/admin/queues", "/admin/audit"] {
        assert_eq!(
            app.html_get(&agent_session, path).await.status(),
            404,
            "{path}"
        );
    }
    let forbidden = app
        .html_post(&agent_session, "/admin/queues", &[("name", "sneaky")])
        .await;
    assert_eq!(forbidden.status(), 404);

    let admin_token = app.api_login(&admin).await;
    let view = app
        .agent_get(&admin_token, &format!("/api/v1/agent/tickets/{reference}"))
        .await;
    assert_eq!(view.status(), 404);
    let admin_session = app.html_login(&admin).await;
    for path in [
        "/admin",
        "/admin/agents",
        "/admin/queues",
        "/admin/audit",
        "/agent/tickets",
    ] {
        let page = app.html_get(&admin_session, path).await;
        assert_eq!(page.status(), 200, "{path}");
        assert!(
            !page.text().await.unwrap().contains("zadminmarker"),
            "{path}"
        );
    }
}
