//! Agents at work: sign-in and sessions, replies and notes, escalation, break-glass,
//! alerts, SLA timers and closing tickets left waiting.

use serde_json::{Value, json};

use crate::support::TestApp;

#[tokio::test]
async fn sign_in_sets_a_strict_http_only_cookie_and_sign_out_ends_it() {
    let app = TestApp::spawn().await;
    let agent = app.add_agent("carol", "l1", &["general"]).await;
    let response = app
        .post_login_form(&[("name", "carol"), ("password", agent.password.as_str())])
        .await;
    assert_eq!(response.status(), 303);
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("hushdesk_session="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Secure"),
        "plain-HTTP test server must not set Secure"
    );

    let session = app.html_login(&agent).await;
    assert_eq!(app.html_get(&session, "/agent/tickets").await.status(), 200);
    let out = app.html_post(&session, "/agent/logout", &[]).await;
    assert_eq!(out.status(), 303);
    assert!(
        out.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    assert_eq!(app.html_get(&session, "/agent/tickets").await.status(), 303);
}

#[tokio::test]
async fn forms_without_the_sessions_csrf_token_are_refused() {
    let app = TestApp::spawn().await;
    let agent = app.add_agent("dave", "l2", &["general"]).await;
    let (reference, _) = app.file_in("functionality", "Help", "Please").await;
    let session = app.html_login(&agent).await;
    for csrf in ["", "forged"] {
        let response = app
            .client
            .post(app.url(&format!("/agent/tickets/{reference}/reply")))
            .header("cookie", &session.cookie)
            .form(&[("csrf", csrf), ("body", "sneaky reply")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403);
    }
    // Another agent's CSRF token does not fit this session either.
    let other = app.add_agent("erin", "l2", &["general"]).await;
    let other_session = app.html_login(&other).await;
    let response = app
        .client
        .post(app.url(&format!("/agent/tickets/{reference}/reply")))
        .header("cookie", &session.cookie)
        .form(&[("csrf", other_session.csrf.as_str()), ("body", "sneaky")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert!(!app.stored_text().await.contains("sneaky"));
}

#[tokio::test]
async fn repeated_failures_lock_the_account_and_alert_admins() {
    let app = TestApp::spawn_with(|c| {
        c.agents.max_failed_logins = 3;
        c.rate_limit.logins_burst = 1000;
    })
    .await;
    let agent = app.add_agent("frank", "l1", &["general"]).await;
    let admin = app.add_agent("root", "admin", &[]).await;
    for _ in 0..3 {
        let response = app
            .post_json(
                "/api/v1/agent/login",
                &json!({ "name": "frank", "password": "wrong password!" }),
            )
            .await;
        assert_eq!(response.status(), 401);
    }
    // Locked: even the right password is refused, with the same answer.
    let locked = app
        .post_json(
            "/api/v1/agent/login",
            &json!({ "name": "frank", "password": agent.password }),
        )
        .await;
    assert_eq!(locked.status(), 401);
    let unknown = app
        .post_json(
            "/api/v1/agent/login",
            &json!({ "name": "nobody", "password": "whatever it is" }),
        )
        .await;
    assert_eq!(unknown.status(), 401);
    assert_eq!(locked.text().await.unwrap(), unknown.text().await.unwrap());

    let session = app.html_login(&admin).await;
    let dashboard = app.html_get(&session, "/admin").await.text().await.unwrap();
    assert!(
        dashboard.contains(">Failed sign-ins<") && dashboard.contains("frank"),
        "{dashboard}"
    );
    let audit = app
        .html_get(&session, "/admin/audit")
        .await
        .text()
        .await
        .unwrap();
    assert!(audit.contains("login_failed") && audit.contains("(unknown)"));
    assert!(
        !audit.contains("wrong password"),
        "passwords must never be logged"
    );
}

#[tokio::test]
async fn senior_roles_need_the_second_factor_and_codes_cannot_be_replayed() {
    let app = TestApp::spawn().await;
    let agent = app.add_agent("grace", "l3", &["general"]).await;
    let without = app
        .post_json(
            "/api/v1/agent/login",
            &json!({ "name": "grace", "password": agent.password }),
        )
        .await;
    assert_eq!(without.status(), 401);
    let code = agent.next_code().unwrap();
    let first = app
        .post_json(
            "/api/v1/agent/login",
            &json!({ "name": "grace", "password": agent.password, "totp": code }),
        )
        .await;
    assert_eq!(first.status(), 200);
    let replay = app
        .post_json(
            "/api/v1/agent/login",
            &json!({ "name": "grace", "password": agent.password, "totp": code }),
        )
        .await;
    assert_eq!(replay.status(), 401);
}

#[tokio::test]
async fn signing_out_everywhere_ends_api_tokens_too() {
    let app = TestApp::spawn().await;
    let agent = app.add_agent("heidi", "l1", &["general"]).await;
    let token = app.api_login(&agent).await;
    assert_eq!(
        app.agent_get(&token, "/api/v1/agent/tickets")
            .await
            .status(),
        200
    );
    let session = app.html_login(&agent).await;
    let response = app
        .html_post(&session, "/agent/logout-everywhere", &[])
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        app.agent_get(&token, "/api/v1/agent/tickets")
            .await
            .status(),
        401
    );
    assert_eq!(app.html_get(&session, "/agent/tickets").await.status(), 303);
}

#[tokio::test]
async fn internal_notes_never_reach_the_requester_and_agent_text_is_redacted() {
    let app = TestApp::spawn().await;
    let agent = app.add_agent("ivan", "l1", &["general"]).await;
    let token = app.api_login(&agent).await;
    let (reference, access) = app
        .file_in(
            "functionality",
            "Login trouble",
            "I cannot sign in, write to me at jo@example.org",
        )
        .await;
    let path = format!("/api/v1/agent/tickets/{reference}/replies");
    let note = app
        .agent_post(
            &token,
            &path,
            &json!({ "body": "zinternal: customer card 4111 1111 1111 1111", "internal": true }),
        )
        .await;
    assert_eq!(note.status(), 201);
    let reply = app
        .agent_post(
            &token,
            &path,
            &json!({ "body": "We wrote to jo@example.org, please check your mail." }),
        )
        .await;
    assert_eq!(reply.status(), 201);

    let requester: Value = app
        .get(&format!("/api/v1/tickets/{access}"))
        .await
        .json()
        .await
        .unwrap();
    let text = requester.to_string();
    assert!(
        !text.contains("zinternal"),
        "internal note leaked to the requester"
    );
    assert_eq!(requester["messages"].as_array().unwrap().len(), 2);
    assert_eq!(requester["status"], "pending_requester");
    // Masks are stable across the ticket: the agent's mention is the requester's [EMAIL-1].
    assert!(text.contains("We wrote to [EMAIL-1]"), "{text}");

    let stored = app.stored_text().await;
    assert!(!stored.contains("4111 1111 1111 1111") && !stored.contains("jo@example.org"));
    let agent_view: Value = app
        .agent_get(&token, &format!("/api/v1/agent/tickets/{reference}"))
        .await
        .json()
        .await
        .unwrap();
    let messages = agent_view["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 3);
    assert_eq!(messages[1]["internal"], true);
    assert_eq!(messages[1]["agent"], "ivan");
    assert_eq!(messages[2]["signature"], "none");
}

#[tokio::test]
async fn escalating_above_ones_tier_loses_access_and_the_reason_is_kept() {
    let app = TestApp::spawn().await;
    let l1 = app.add_agent("judy", "l1", &["general"]).await;
    let l2 = app.add_agent("ken", "l2", &["general"]).await;
    let l1_token = app.api_login(&l1).await;
    let l2_token = app.api_login(&l2).await;
    let (reference, access) = app.file_in("functionality", "Odd error", "It fails").await;
    let path = format!("/api/v1/agent/tickets/{reference}");

    let no_reason = app
        .agent_post(
            &l1_token,
            &format!("{path}/escalate"),
            &json!({ "reason": "  " }),
        )
        .await;
    assert_eq!(no_reason.status(), 422);
    let up = app
        .agent_post(
            &l1_token,
            &format!("{path}/escalate"),
            &json!({ "reason": "needs log access, see jo@example.org" }),
        )
        .await;
    assert_eq!(up.status(), 200);
    assert_eq!(
        up.json::<Value>().await.unwrap(),
        json!({ "tier": 2, "in_scope": false })
    );
    assert_eq!(app.agent_get(&l1_token, &path).await.status(), 404);

    let view: Value = app.agent_get(&l2_token, &path).await.json().await.unwrap();
    assert_eq!(view["tier"], 2);
    assert_eq!(view["status"], "escalated");
    let note = &view["messages"][1];
    assert_eq!(note["internal"], true);
    assert_eq!(note["event"], "Escalated L1 → L2");
    assert_eq!(note["body"], "needs log access, see [EMAIL-1]");

    let down = app
        .agent_post(
            &l2_token,
            &format!("{path}/deescalate"),
            &json!({ "reason": "simple after all" }),
        )
        .await;
    assert_eq!(down.status(), 200);
    assert_eq!(app.agent_get(&l1_token, &path).await.status(), 200);
    let requester: Value = app
        .get(&format!("/api/v1/tickets/{access}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(!requester.to_string().contains("needs log access"));
}

#[tokio::test]
async fn break_glass_opens_one_ticket_read_only_and_tells_everyone() {
    let app = TestApp::spawn().await;
    let l1 = app.add_agent("leo", "l1", &["general"]).await;
    let owner = app.add_agent("mia", "l2", &["billing"]).await;
    let admin = app.add_agent("nina", "admin", &[]).await;
    let (reference, _) = app.file_in("billing", "Refund", "Please refund").await;
    let session = app.html_login(&l1).await;
    assert_eq!(
        app.html_get(&session, &format!("/agent/tickets/{reference}"))
            .await
            .status(),
        404
    );
    let refused = app
        .html_post(
            &session,
            "/agent/break-glass",
            &[("reference", reference.as_str()), ("justification", "")],
        )
        .await;
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("Write a justification")
    );
    let opened = app
        .html_post(
            &session,
            "/agent/break-glass",
            &[
                ("reference", reference.as_str()),
                (
                    "justification",
                    "Customer on the phone, billing team unreachable",
                ),
            ],
        )
        .await;
    assert_eq!(opened.status(), 303);
    let page = app
        .html_get(&session, &format!("/agent/tickets/{reference}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("break-glass access") && page.contains("Please refund"));
    assert!(!page.contains("/reply\""), "break-glass must be read-only");
    let reply = app
        .html_post(
            &session,
            &format!("/agent/tickets/{reference}/reply"),
            &[("body", "hi")],
        )
        .await;
    assert_eq!(reply.status(), 404);

    let owner_session = app.html_login(&owner).await;
    let owner_page = app
        .html_get(&owner_session, "/agent/tickets")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        owner_page.contains(">Break-glass access<") && owner_page.contains("leo"),
        "{owner_page}"
    );
    let admin_session = app.html_login(&admin).await;
    let audit = app
        .html_get(&admin_session, "/admin/audit")
        .await
        .text()
        .await
        .unwrap();
    assert!(audit.contains("view_break_glass") && audit.contains("break_glass"));
    assert!(
        !audit.contains("unreachable"),
        "justifications are not audit content"
    );

    // Once the exception has run out, the ticket is out of reach again.
    app.execute_sql("update break_glass set expires_at = expires_at - 3600", &[])
        .await;
    let expired = app
        .html_get(&session, &format!("/agent/tickets/{reference}"))
        .await;
    assert_eq!(expired.status(), 404);
}

#[tokio::test]
async fn viewing_more_distinct_tickets_per_hour_than_the_threshold_alerts_admins() {
    let app = TestApp::spawn_with(|c| c.agents.hourly_view_threshold = 3).await;
    let agent = app.add_agent("oscar", "l1", &["general"]).await;
    let admin = app.add_agent("pat", "admin", &[]).await;
    let token = app.api_login(&agent).await;
    let mut references = Vec::new();
    for i in 0..5 {
        let (reference, _) = app.file_in("functionality", &format!("Q{i}"), "Body").await;
        references.push(reference);
    }
    let admin_session = app.html_login(&admin).await;
    // Re-reading the same tickets does not count: only distinct tickets do.
    for _ in 0..3 {
        for reference in &references[..3] {
            let path = format!("/api/v1/agent/tickets/{reference}");
            assert_eq!(app.agent_get(&token, &path).await.status(), 200);
        }
    }
    let before = app
        .html_get(&admin_session, "/admin")
        .await
        .text()
        .await
        .unwrap();
    assert!(!before.contains(">Many tickets viewed<"));
    for reference in &references[3..] {
        let path = format!("/api/v1/agent/tickets/{reference}");
        assert_eq!(app.agent_get(&token, &path).await.status(), 200);
    }
    let after = app
        .html_get(&admin_session, "/admin")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        after.matches(">Many tickets viewed<").count(),
        1,
        "one alert per hour: {after}"
    );
    assert!(after.contains("oscar") && after.contains("threshold 3"));
}

#[tokio::test]
async fn joining_a_restricted_queue_tells_its_members_and_is_audited() {
    let app = TestApp::spawn().await;
    let member = app.add_agent("quinn", "l2", &["vip"]).await;
    let admin = app.add_agent("rita", "admin", &[]).await;
    let admin_session = app.html_login(&admin).await;
    let response = app
        .html_post(
            &admin_session,
            "/admin/queues/vip/members",
            &[("agent", "rita")],
        )
        .await;
    assert_eq!(response.status(), 303);
    let member_session = app.html_login(&member).await;
    let page = app
        .html_get(&member_session, "/agent/tickets")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("rita was added to restricted queue vip by rita"),
        "{page}"
    );
    let audit = app
        .html_get(&admin_session, "/admin/audit")
        .await
        .text()
        .await
        .unwrap();
    assert!(audit.contains("member_added") && audit.contains("queue=vip agent=rita"));
}

#[tokio::test]
async fn a_missed_first_response_is_marked_and_escalated_by_the_sla_job() {
    let app = TestApp::spawn().await;
    let l2 = app.add_agent("sam", "l2", &["security"]).await;
    let token = app.api_login(&l2).await;
    let (reference, _) = app
        .file_in("security", "Account takeover", "Someone got in")
        .await;
    let path = format!("/api/v1/agent/tickets/{reference}");
    let view: Value = app.agent_get(&token, &path).await.json().await.unwrap();
    assert_eq!(view["priority"], "P1");
    assert_eq!(view["tier"], 1);

    let desk = &app.state.system;
    let now = hushdesk::desk::now_unix();
    let early = hushdesk::jobs::sla(desk, now + 60).await.unwrap();
    assert_eq!(early.first_response_breaches, 0);
    let late = hushdesk::jobs::sla(desk, now + 2 * 3600).await.unwrap();
    assert_eq!(late.first_response_breaches, 1);
    let again = hushdesk::jobs::sla(desk, now + 3 * 3600).await.unwrap();
    assert_eq!(again.first_response_breaches, 0, "a breach is marked once");

    let view: Value = app.agent_get(&token, &path).await.json().await.unwrap();
    assert_eq!(view["tier"], 2);
    assert_eq!(view["status"], "escalated");
    let list: Value = app
        .agent_get(&token, "/api/v1/agent/tickets")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["tickets"][0]["sla_breached"], true);
}

#[tokio::test]
async fn a_ticket_waiting_on_the_requester_closes_itself_and_a_reply_reopens_it() {
    let app = TestApp::spawn().await;
    let agent = app.add_agent("tina", "l1", &["general"]).await;
    let token = app.api_login(&agent).await;
    let (reference, access) = app
        .file_in("functionality", "Export", "How do I export?")
        .await;
    let reply = app
        .agent_post(
            &token,
            &format!("/api/v1/agent/tickets/{reference}/replies"),
            &json!({ "body": "Which format do you need?" }),
        )
        .await;
    assert_eq!(reply.status(), 201);

    let desk = &app.state.system;
    let now = hushdesk::desk::now_unix();
    let soon = hushdesk::jobs::auto_close(desk, 2, now + 3600)
        .await
        .unwrap();
    assert_eq!(soon.closed, 0);
    let later = hushdesk::jobs::auto_close(desk, 2, now + 5 * 86_400)
        .await
        .unwrap();
    assert_eq!(later.closed, 1);

    let requester: Value = app
        .get(&format!("/api/v1/tickets/{access}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(requester["status"], "closed");
    let last = requester["messages"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert!(
        last["body"]
            .as_str()
            .unwrap()
            .contains("closed automatically")
    );

    let answer = app
        .post_json(
            &format!("/api/v1/tickets/{access}/replies"),
            &json!({ "body": "CSV please" }),
        )
        .await;
    assert_eq!(answer.status(), 201);
    let view: Value = app
        .agent_get(&token, &format!("/api/v1/agent/tickets/{reference}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["status"], "open");
    assert_eq!(view["reopen_count"], 1);
}

#[tokio::test]
async fn canned_responses_are_offered_per_queue_and_hold_no_personal_data() {
    let app = TestApp::spawn().await;
    let admin = app.add_agent("uma", "admin", &[]).await;
    let agent = app.add_agent("vic", "l1", &["general"]).await;
    let session = app.html_login(&admin).await;
    let canned = |body: &'static str| {
        let (app, session) = (&app, &session);
        async move {
            app.html_post(
                session,
                "/admin/canned",
                &[("queue", "general"), ("title", "Reset"), ("body", body)],
            )
            .await
        }
    };
    // Masked on its own, the address would read as the ticket's own [EMAIL-1].
    let refused = canned("To reset, write to helpdesk-lead@example.org.").await;
    assert_eq!(refused.status(), 422);
    assert!(
        !app.stored_text()
            .await
            .contains("helpdesk-lead@example.org")
    );
    assert_eq!(
        canned("To reset, use the link on the login page.")
            .await
            .status(),
        303
    );
    let (reference, _) = app.file_in("functionality", "Reset", "How?").await;
    let agent_session = app.html_login(&agent).await;
    let page = app
        .html_get(&agent_session, &format!("/agent/tickets/{reference}"))
        .await
        .text()
        .await
        .unwrap();
    let before_title = &page[..page.find("\">Reset</option>").unwrap()];
    let id = before_title.rsplit('"').next().unwrap().to_owned();
    // Choosing the canned response puts it into the editor; the agent then sends it.
    let draft = app
        .html_post(
            &agent_session,
            &format!("/agent/tickets/{reference}/draft"),
            &[("canned", id.as_str()), ("body", "Best, Vic")],
        )
        .await;
    assert_eq!(draft.status(), 200);
    let draft = draft.text().await.unwrap();
    let text =
        crate::support::unescaped_between(&draft, "name=\"body\" rows=\"6\">", "</textarea>");
    assert!(
        text.contains("To reset, use the link on the login page."),
        "{text}"
    );
    let sent = app
        .html_post(
            &agent_session,
            &format!("/agent/tickets/{reference}/reply"),
            &[("body", text.as_str())],
        )
        .await;
    assert_eq!(sent.status(), 303);
    let page = app
        .html_get(&agent_session, &format!("/agent/tickets/{reference}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("To reset, use the link on the login page.") && page.contains("Best, Vic")
    );
}

#[tokio::test]
async fn opening_a_restricted_ticket_alerts_the_queues_owners_but_not_for_their_own_reads() {
    let app = TestApp::spawn().await;
    let admin = app.add_agent("wanda", "admin", &[]).await;
    let session = app.html_login(&admin).await;
    let routed = app
        .html_post(
            &session,
            "/admin/routing",
            &[("category", "data_request"), ("queue", "vip")],
        )
        .await;
    assert_eq!(routed.status(), 303);
    let owner = app.add_agent("olga", "l3", &[]).await;
    let member = app.add_agent("mark", "l2", &[]).await;
    for (name, owner_flag) in [("olga", "yes"), ("mark", "")] {
        let added = app
            .html_post(
                &session,
                "/admin/queues/vip/members",
                &[("agent", name), ("owner", owner_flag)],
            )
            .await;
        assert_eq!(added.status(), 303);
    }
    let (reference, _) = app
        .file_in("data_request", "Export my data", "All of it")
        .await;
    let owner_token = app.api_login(&owner).await;
    let member_token = app.api_login(&member).await;
    let path = format!("/api/v1/agent/tickets/{reference}");
    assert_eq!(app.agent_get(&owner_token, &path).await.status(), 200);
    let owner_session = app.html_login(&owner).await;
    let before = app
        .html_get(&owner_session, "/agent/tickets")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !before.contains("restricted_access"),
        "the owner's own read is no alert"
    );
    assert_eq!(app.agent_get(&member_token, &path).await.status(), 200);
    let after = app
        .html_get(&owner_session, "/agent/tickets")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        after.contains(">Restricted queue read<") && after.contains("mark"),
        "{after}"
    );
    let member_session = app.html_login(&member).await;
    let member_page = app
        .html_get(&member_session, "/agent/tickets")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !member_page.contains("Restricted queue read"),
        "only owners are told"
    );
}

#[tokio::test]
async fn an_agent_can_turn_on_a_second_factor_from_their_account_page() {
    let app = TestApp::spawn().await;
    let agent = app.add_agent("xavier", "l1", &["general"]).await;
    let session = app.html_login(&agent).await;
    let page = app
        .html_post(&session, "/agent/account/totp/start", &[])
        .await
        .text()
        .await
        .unwrap();
    let uri = crate::support::unescaped_between(&page, "<code class=\"link\">", "</code>");
    assert!(uri.starts_with("otpauth://totp/"), "{uri}");
    let totp = totp_rs::Totp::from_url(&uri).unwrap();
    let wrong = app
        .html_post(
            &session,
            "/agent/account/totp/confirm",
            &[("code", "000000")],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(wrong.contains("did not match"));
    let start_again = app
        .html_post(&session, "/agent/account/totp/start", &[])
        .await
        .text()
        .await
        .unwrap();
    let uri = crate::support::unescaped_between(&start_again, "<code class=\"link\">", "</code>");
    let totp_again = totp_rs::Totp::from_url(&uri).unwrap();
    assert_ne!(
        totp.secret().as_ref(),
        totp_again.secret().as_ref(),
        "a fresh seed each time"
    );
    let code = totp_again.generate_current().to_string();
    let done = app
        .html_post(
            &session,
            "/agent/account/totp/confirm",
            &[("code", code.as_str())],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(done.contains("Second factor on"), "{done}");

    let without = app
        .post_json(
            "/api/v1/agent/login",
            &json!({ "name": "xavier", "password": agent.password }),
        )
        .await;
    assert_eq!(without.status(), 401);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let next = totp_again.generate(now + 30).to_string();
    let with = app
        .post_json(
            "/api/v1/agent/login",
            &json!({ "name": "xavier", "password": agent.password, "totp": next }),
        )
        .await;
    assert_eq!(with.status(), 200);
}

/// A search term with a NUL byte answers like any other on both engines (PostgreSQL's text
/// cannot hold one, and binding it used to fail the request with a 500).
#[tokio::test]
async fn a_search_with_a_nul_byte_answers_like_any_other() {
    let app = TestApp::spawn().await;
    let agent = app.add_agent("nul", "l1", &["general"]).await;
    let token = app.api_login(&agent).await;
    app.file_via_api("Printer", "The printer jams", json!({}))
        .await;
    for query in ["jams%00", "%00", "ja%00ms"] {
        let response = app
            .agent_get(&token, &format!("/api/v1/agent/tickets?q={query}"))
            .await;
        assert_eq!(response.status(), 200, "q={query}");
    }
    let found: Value = app
        .agent_get(&token, "/api/v1/agent/tickets?q=jams%00")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found["tickets"].as_array().unwrap().len(), 1);
}
