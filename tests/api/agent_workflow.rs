//! An agent's working day on the real server: list filters and the SLA-at-risk view, separate
//! reply and note forms, canned responses put into the editor (never sent), the change
//! history in the timeline, queue moves with a reason, the collision warning, confirmation
//! before closing as spam, desk notifications, and bulk changes checked ticket by ticket.

use serde_json::{Value, json};

use crate::support::{HtmlSession, Param, TestApp, extract_between};

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// The references of one API list page.
async fn listed(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let response = app
        .agent_get(token, &format!("/api/v1/agent/tickets?{query}"))
        .await;
    assert_eq!(response.status(), 200, "{query}");
    let page: Value = response.json().await.unwrap();
    let mut refs: Vec<String> = page["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["reference"].as_str().unwrap().to_owned())
        .collect();
    refs.sort();
    refs
}

fn sorted(refs: &[&String]) -> Vec<String> {
    let mut refs: Vec<String> = refs.iter().map(|r| r.to_string()).collect();
    refs.sort();
    refs
}

async fn page(app: &TestApp, session: &HtmlSession, path: &str) -> String {
    let response = app.html_get(session, path).await;
    assert_eq!(response.status(), 200, "{path}");
    response.text().await.unwrap()
}

async fn message_count(app: &TestApp, reference: &str) -> i64 {
    app.query_values::<i64>(
        "select count(*) from messages m join tickets t on t.id = m.ticket_id where t.reference = $1",
        &[Param::Text(reference)],
    )
    .await[0]
}

#[tokio::test]
async fn the_list_filters_by_priority_tier_assignee_and_sla_risk_in_sql() {
    let app = TestApp::spawn().await;
    let me = app.add_agent("lena", "l2", &["billing"]).await;
    let _colleague = app.add_agent("milo", "l2", &["billing"]).await;
    let token = app.api_login(&me).await;
    let mut filed = Vec::new();
    for n in 0..5 {
        let (reference, _) = app
            .file_in("billing", &format!("Charge {n}"), "Twice charged")
            .await;
        filed.push(reference);
    }
    let post = |reference: &String, what: &str, body: Value| {
        let path = format!("/api/v1/agent/tickets/{reference}/{what}");
        let token = token.clone();
        let app = &app;
        async move {
            let response = app.agent_post(&token, &path, &body).await;
            assert!(response.status().is_success(), "{path}");
        }
    };
    post(&filed[0], "priority", json!({ "priority": "P1" })).await;
    post(&filed[1], "priority", json!({ "priority": "P1" })).await;
    post(&filed[0], "assign", json!({ "agent": "lena" })).await;
    post(&filed[2], "assign", json!({ "agent": "milo" })).await;
    post(&filed[3], "escalate", json!({ "reason": "Needs L2" })).await;
    // filed[4] breaches in five minutes, filed[1] in a day; the rest are due in days.
    for (i, due) in [(4, now() + 300), (1, now() + 86_400)] {
        app.execute_sql(
            "update tickets set first_response_due = $1 where reference = $2",
            &[Param::Int(due), Param::Text(&filed[i])],
        )
        .await;
    }
    for (i, reference) in filed.iter().enumerate() {
        if i != 4 && i != 1 {
            app.execute_sql(
                "update tickets set first_response_due = $1 where reference = $2",
                &[Param::Int(now() + 5 * 86_400), Param::Text(reference)],
            )
            .await;
        }
    }

    // Positive control: without filters every ticket is listed.
    assert_eq!(
        listed(&app, &token, "").await,
        sorted(&filed.iter().collect::<Vec<_>>())
    );
    assert_eq!(
        listed(&app, &token, "priority=P1").await,
        sorted(&[&filed[0], &filed[1]])
    );
    // In priority order the walk starts at the chosen priority and ends after it.
    assert_eq!(
        listed(&app, &token, "priority=P1&order=priority").await,
        sorted(&[&filed[0], &filed[1]])
    );
    assert_eq!(
        listed(&app, &token, "priority=P3&order=priority").await,
        sorted(&[&filed[2], &filed[3], &filed[4]])
    );
    let first: Value = app
        .agent_get(
            &token,
            "/api/v1/agent/tickets?priority=P3&order=priority&limit=2",
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(first["total"], 3);
    let next = first["next"].as_str().unwrap();
    let rest = listed(
        &app,
        &token,
        &format!("priority=P3&order=priority&limit=2&after={next}"),
    )
    .await;
    assert_eq!(rest.len(), 1);
    assert_eq!(listed(&app, &token, "tier=L2").await, sorted(&[&filed[3]]));
    assert_eq!(
        listed(&app, &token, "assignee=me").await,
        sorted(&[&filed[0]])
    );
    assert_eq!(
        listed(&app, &token, "assignee=milo").await,
        sorted(&[&filed[2]])
    );
    assert_eq!(
        listed(&app, &token, "assignee=nobody").await,
        sorted(&[&filed[1], &filed[3], &filed[4]])
    );
    // The warning window is an hour by default: only the ticket due in five minutes.
    assert_eq!(
        listed(&app, &token, "at_risk=1").await,
        sorted(&[&filed[4]])
    );
    // Filters combine, and count.
    let both: Value = app
        .agent_get(&token, "/api/v1/agent/tickets?priority=P1&assignee=nobody")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(both["total"], 1);
    assert_eq!(both["tickets"][0]["reference"], filed[1].as_str());
    for bad in ["priority=P9", "tier=L7", "at_risk=maybe"] {
        let response = app
            .agent_get(&token, &format!("/api/v1/agent/tickets?{bad}"))
            .await;
        assert_eq!(response.status(), 400, "{bad}");
    }

    // The HTML list offers the same: quick views and the assignee picker of colleagues.
    let session = app.html_login(&me).await;
    let html = page(&app, &session, "/agent/tickets?at_risk=1").await;
    assert!(html.contains(&filed[4]) && !html.contains(&format!(">{}<", filed[0])));
    assert!(html.contains("SLA at risk") && html.contains("Unassigned") && html.contains("Mine"));
    assert!(html.contains("<option value=\"milo\""));
    let mine = page(&app, &session, "/agent/tickets?assignee=me").await;
    assert!(mine.contains(&format!(">{}<", filed[0])));
    assert!(!mine.contains(&format!(">{}<", filed[2])));
}

#[tokio::test]
async fn reply_and_note_are_two_forms_and_a_canned_response_only_fills_the_editor() {
    let app = TestApp::spawn().await;
    let admin = app.add_agent("ada", "admin", &[]).await;
    let agent = app.add_agent("vic", "l1", &["billing"]).await;
    let admin_session = app.html_login(&admin).await;
    let created = app
        .html_post(
            &admin_session,
            "/admin/canned",
            &[
                ("queue", "billing"),
                ("title", "Refund"),
                ("body", "Your refund is on its way."),
            ],
        )
        .await;
    assert_eq!(created.status(), 303);
    let (reference, _) = app.file_in("billing", "Refund?", "Where is it").await;
    let session = app.html_login(&agent).await;
    let path = format!("/agent/tickets/{reference}");
    let ticket = page(&app, &session, &path).await;
    assert!(ticket.contains("class=\"reply-form\"") && ticket.contains("class=\"note-form\""));
    assert!(ticket.contains("class=\"btn-reply\"") && ticket.contains("class=\"btn-note\""));
    assert!(ticket.contains("the requester never sees this"));
    let id = {
        let before = &ticket[..ticket.find("\">Refund</option>").unwrap()];
        before.rsplit('"').next().unwrap().to_owned()
    };

    // Insert: the page comes back with the text in the reply editor; nothing is sent.
    let before = message_count(&app, &reference).await;
    let draft = app
        .html_post(
            &session,
            &format!("{path}/draft"),
            &[("canned", id.as_str()), ("body", ""), ("editor", "reply")],
        )
        .await;
    assert_eq!(draft.status(), 200);
    let draft = draft.text().await.unwrap();
    let editor = extract_between(
        &draft,
        "id=\"reply-body\" name=\"body\" rows=\"6\">",
        "</textarea>",
    )
    .unwrap();
    assert_eq!(editor, "Your refund is on its way.");
    assert_eq!(message_count(&app, &reference).await, before);
    // Still chosen when Send is pressed, it is inserted after the typed text, not sent.
    let send = app
        .html_post(
            &session,
            &format!("{path}/reply"),
            &[("canned", id.as_str()), ("body", "Hello,")],
        )
        .await;
    assert_eq!(send.status(), 200);
    let send = send.text().await.unwrap();
    assert!(
        send.contains(">Hello,\n\nYour refund is on its way.</textarea>"),
        "{send}"
    );
    assert_eq!(message_count(&app, &reference).await, before);

    // The note form posts an internal note, the reply form a public reply.
    let noted = app
        .html_post(
            &session,
            &format!("{path}/note"),
            &[("body", "Checked the ledger")],
        )
        .await;
    assert_eq!(noted.status(), 303);
    let replied = app
        .html_post(
            &session,
            &format!("{path}/reply"),
            &[("body", "Refund sent today")],
        )
        .await;
    assert_eq!(replied.status(), 303);
    let token = app.api_login(&agent).await;
    let view: Value = app
        .agent_get(&token, &format!("/api/v1/agent/tickets/{reference}"))
        .await
        .json()
        .await
        .unwrap();
    let messages = view["messages"].as_array().unwrap();
    let find = |body: &str| messages.iter().find(|m| m["body"] == body).unwrap().clone();
    assert_eq!(find("Checked the ledger")["internal"], true);
    assert_eq!(find("Refund sent today")["internal"], false);
}

#[tokio::test]
async fn the_ticket_page_shows_the_current_status_and_offers_only_actions_that_apply() {
    let app = TestApp::spawn().await;
    let agent = app.add_agent("ivy", "l1", &["billing"]).await;
    let (reference, _) = app.file_in("billing", "Card", "Declined").await;
    let session = app.html_login(&agent).await;
    let path = format!("/agent/tickets/{reference}");
    let set = app
        .html_post(
            &session,
            &format!("{path}/status"),
            &[("status", "pending_requester")],
        )
        .await;
    assert_eq!(set.status(), 303);
    let ticket = page(&app, &session, &path).await;
    assert!(
        ticket.contains("<option value=\"pending_requester\" selected>"),
        "current status selected"
    );
    assert!(!ticket.contains("<option value=\"open\" selected>"));
    // At L1 there is nothing to de-escalate to; escalating is offered.
    assert!(!ticket.contains("/deescalate\""));
    assert!(ticket.contains("/escalate\""));
    // Assign to me until it is mine.
    assert!(ticket.contains("id=\"assign-me\""));
    let mine = app
        .html_post(&session, &format!("{path}/assign"), &[("assignee", "ivy")])
        .await;
    assert_eq!(mine.status(), 303);
    let ticket = page(&app, &session, &path).await;
    assert!(!ticket.contains("id=\"assign-me\""));
    // Closing as spam is a link to a question, not a one-click post.
    assert!(ticket.contains(&format!(
        "<form method=\"get\" action=\"/agent/tickets/{reference}/spam\">"
    )));
}

#[tokio::test]
async fn an_l3_agent_is_not_offered_escalation_and_l2_can_de_escalate() {
    let app = TestApp::spawn().await;
    let l3 = app.add_agent("tom", "l3", &["billing"]).await;
    let token = app.api_login(&l3).await;
    let (reference, _) = app.file_in("billing", "Fraud", "Help").await;
    let path = format!("/agent/tickets/{reference}");
    let session = app.html_login(&l3).await;
    for _ in 0..2 {
        let up = app
            .agent_post(
                &token,
                &format!("/api/v1/agent/tickets/{reference}/escalate"),
                &json!({ "reason": "Up" }),
            )
            .await;
        assert!(up.status().is_success());
    }
    let at_l3 = page(&app, &session, &path).await;
    assert!(!at_l3.contains("/escalate\"") && at_l3.contains("/deescalate\""));
}

#[tokio::test]
async fn the_timeline_shows_changes_and_a_queue_move_needs_a_reason_within_scope() {
    let app = TestApp::spawn().await;
    let agent = app.add_agent("rita", "l2", &["billing", "security"]).await;
    let (reference, _) = app.file_in("billing", "Odd login", "Was it me?").await;
    let session = app.html_login(&agent).await;
    let path = format!("/agent/tickets/{reference}");
    for (action, fields) in [
        ("status", vec![("status", "pending_requester")]),
        ("priority", vec![("priority", "P1")]),
        ("assign", vec![("assignee", "rita")]),
        ("escalate", vec![("reason", "Needs L2")]),
    ] {
        let response = app
            .html_post(&session, &format!("{path}/{action}"), &fields)
            .await;
        assert_eq!(response.status(), 303, "{action}");
    }
    // A move without a reason, or to a queue the agent is not in, changes nothing.
    let no_reason = app
        .html_post(
            &session,
            &format!("{path}/move"),
            &[("queue", "security"), ("reason", "")],
        )
        .await;
    assert_eq!(no_reason.status(), 422);
    let elsewhere = app
        .html_post(
            &session,
            &format!("{path}/move"),
            &[("queue", "vip"), ("reason", "Why not")],
        )
        .await;
    assert_eq!(elsewhere.status(), 409);
    let moved = app
        .html_post(
            &session,
            &format!("{path}/move"),
            &[
                ("queue", "security"),
                ("reason", "Account takeover, mail me at eve@example.org"),
            ],
        )
        .await;
    assert_eq!(moved.status(), 303);

    let ticket = page(&app, &session, &path).await;
    for line in [
        "Status: New → Waiting for the requester",
        "Priority: P3 → P1",
        "Assignee: nobody → rita",
        "Tier: L1 → L2",
        "Status: Waiting for the requester → Escalated",
        "Assignee: rita → nobody",
        "Queue: billing → security",
    ] {
        assert!(ticket.contains(line), "{line} in the timeline");
    }
    assert!(ticket.contains("Reason: Account takeover"));
    // The reason went through the redactor; the history holds only ids besides it.
    assert!(!app.stored_text().await.contains("eve@example.org"));
    let values: Vec<String> = app
        .query_values(
            "select coalesce(from_value, '') || '|' || coalesce(to_value, '') from ticket_events",
            &[],
        )
        .await;
    // Status, priority, assignment, tier with its status and unassignment, queue.
    assert_eq!(values.len(), 7, "{values:?}");
    let moves: Vec<String> = app
        .query_values(
            "select detail from audit_log where action = 'move' and reference = $1",
            &[Param::Text(&reference)],
        )
        .await;
    assert_eq!(moves.len(), 1);

    // The JSON API gives the same history.
    let token = app.api_login(&agent).await;
    let view: Value = app
        .agent_get(&token, &format!("/api/v1/agent/tickets/{reference}"))
        .await
        .json()
        .await
        .unwrap();
    let history = view["history"].as_array().unwrap();
    assert_eq!(history.len(), 7);
    assert_eq!(history[0]["kind"], "status");
    assert_eq!(history[0]["from"], "new");
    assert_eq!(history[0]["agent"], "rita");
    let moved = history.iter().find(|c| c["kind"] == "queue").unwrap();
    assert_eq!(moved["from"], "billing");
    assert_eq!(moved["to"], "security");
    let reason = moved["reason"].as_str().unwrap();
    assert!(reason.starts_with("Account takeover") && !reason.contains("eve@example.org"));
}

#[tokio::test]
async fn a_message_is_held_back_when_someone_wrote_since_the_page_was_loaded() {
    let app = TestApp::spawn().await;
    let first = app.add_agent("anna", "l1", &["billing"]).await;
    let second = app.add_agent("boris", "l1", &["billing"]).await;
    let (reference, _) = app.file_in("billing", "Refund", "Please").await;
    let path = format!("/agent/tickets/{reference}");
    let session = app.html_login(&first).await;
    let loaded = page(&app, &session, &path).await;
    let seen = extract_between(&loaded, "name=\"last_message\" value=\"", "\"")
        .unwrap()
        .to_owned();
    assert!(!loaded.contains("Also working on this ticket"));

    // The other agent opens the ticket and replies.
    let other = app.html_login(&second).await;
    page(&app, &other, &path).await;
    let token = app.api_login(&second).await;
    let reply = app
        .agent_post(
            &token,
            &format!("/api/v1/agent/tickets/{reference}/replies"),
            &json!({ "body": "Done already" }),
        )
        .await;
    assert!(reply.status().is_success());
    let before = message_count(&app, &reference).await;

    let held = app
        .html_post(
            &session,
            &format!("{path}/reply"),
            &[
                ("body", "I will refund you"),
                ("last_message", seen.as_str()),
            ],
        )
        .await;
    assert_eq!(held.status(), 409);
    let held = held.text().await.unwrap();
    assert!(
        held.contains("Not sent: boris wrote on this ticket"),
        "{held}"
    );
    assert!(
        held.contains(">I will refund you</textarea>"),
        "the text is kept"
    );
    assert!(held.contains("Done already"), "the new message is shown");
    assert_eq!(
        message_count(&app, &reference).await,
        before,
        "nothing posted"
    );
    // The page also says who else has the ticket open.
    assert!(held.contains("Also working on this ticket in the last minutes: boris"));

    // With the page's new state, the message goes through.
    let seen = extract_between(&held, "name=\"last_message\" value=\"", "\"").unwrap();
    let sent = app
        .html_post(
            &session,
            &format!("{path}/reply"),
            &[("body", "I will refund you"), ("last_message", seen)],
        )
        .await;
    assert_eq!(sent.status(), 303);
    assert_eq!(message_count(&app, &reference).await, before + 1);
}

#[tokio::test]
async fn closing_as_spam_asks_first_on_a_page_without_javascript() {
    let app = TestApp::spawn().await;
    let agent = app.add_agent("sam", "l1", &["billing"]).await;
    let (reference, _) = app.file_in("billing", "Win a prize", "Click").await;
    let session = app.html_login(&agent).await;
    let path = format!("/agent/tickets/{reference}/spam");
    let spam_flag = || async {
        app.query_values::<i64>(
            "select spam from tickets where reference = $1",
            &[Param::Text(&reference)],
        )
        .await[0]
    };
    // A post without the confirmation only leads to the question.
    let unconfirmed = app.html_post(&session, &path, &[]).await;
    assert_eq!(unconfirmed.status(), 303);
    assert_eq!(unconfirmed.headers()["location"], path.as_str());
    assert_eq!(spam_flag().await, 0);
    let question = page(&app, &session, &path).await;
    assert!(question.contains("Close this ticket as spam?"));
    assert!(question.contains("name=\"confirm\" value=\"yes\""));
    let confirmed = app.html_post(&session, &path, &[("confirm", "yes")]).await;
    assert_eq!(confirmed.status(), 303);
    assert_eq!(spam_flag().await, 1);
}

#[tokio::test]
async fn notifications_count_new_tickets_replies_assignments_and_sla_risk_until_read() {
    let app = TestApp::spawn().await;
    let me = app.add_agent("nina", "l1", &["billing"]).await;
    let colleague = app.add_agent("oleg", "l1", &["billing"]).await;
    let session = app.html_login(&me).await;
    let count = |html: &str| -> i64 {
        extract_between(html, "class=\"badge count\">", "<")
            .map(|n| n.parse().unwrap())
            .unwrap_or(0)
    };
    let list = page(&app, &session, "/agent/tickets").await;
    assert_eq!(count(&list), 0);

    let (reference, access) = app.file_in("billing", "Charge", "Twice").await;
    // Another queue's ticket is no notification of mine.
    app.file_in("security", "Hacked", "Help").await;
    let list = page(&app, &session, "/agent/tickets").await;
    assert_eq!(count(&list), 1, "a new ticket in my queue");

    let token = app.api_login(&colleague).await;
    let assigned = app
        .agent_post(
            &token,
            &format!("/api/v1/agent/tickets/{reference}/assign"),
            &json!({ "agent": "nina" }),
        )
        .await;
    assert!(assigned.status().is_success());
    let requester = app
        .post_json(
            &format!("/api/v1/tickets/{access}/replies"),
            &json!({ "body": "Any news?" }),
        )
        .await;
    assert!(requester.status().is_success());
    let notifications = page(&app, &session, "/agent/notifications").await;
    assert_eq!(count(&notifications), 3);
    for text in [
        "New ticket in your queue",
        "Assigned to you",
        "The requester replied on your ticket",
    ] {
        assert!(notifications.contains(text), "{text}");
    }

    let read = app
        .html_post(&session, "/agent/notifications/read", &[])
        .await;
    assert_eq!(read.status(), 303);
    let list = page(&app, &session, "/agent/tickets").await;
    assert_eq!(count(&list), 0, "all read");

    // My ticket enters the warning window (an hour before it is due) after the mark: a new
    // notification.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    app.execute_sql(
        "update tickets set first_response_due = $1 where reference = $2",
        &[Param::Int(now() + 3600), Param::Text(&reference)],
    )
    .await;
    let notifications = page(&app, &session, "/agent/notifications").await;
    assert_eq!(count(&notifications), 1);
    assert!(notifications.contains("SLA about to breach"));
}

#[tokio::test]
async fn bulk_changes_are_audited_per_ticket_and_refuse_a_ticket_out_of_scope() {
    let app = TestApp::spawn().await;
    let agent = app.add_agent("kira", "l1", &["billing"]).await;
    let session = app.html_login(&agent).await;
    let mut mine = Vec::new();
    for n in 0..3 {
        mine.push(app.file_in("billing", &format!("Bill {n}"), "Hm").await.0);
    }
    let (foreign, _) = app.file_in("security", "Not yours", "Hm").await;
    let assignee_of = |reference: String| {
        let app = &app;
        async move {
            app.query_values::<String>(
                "select coalesce(a.name, '') from tickets t left join agents a on a.id = t.assignee_id where t.reference = $1",
                &[Param::Text(&reference)],
            )
            .await[0]
                .clone()
        }
    };

    // One ticket out of scope refuses the whole request; nothing changes.
    let mut fields = vec![("change", "assign"), ("assignee", "kira")];
    fields.extend(mine.iter().map(|r| ("ticket", r.as_str())));
    fields.push(("ticket", foreign.as_str()));
    let refused = app
        .html_post(&session, "/agent/tickets/bulk", &fields)
        .await;
    assert_eq!(refused.status(), 404);
    for reference in &mine {
        assert_eq!(assignee_of(reference.clone()).await, "");
    }
    // The refused reference is recorded like any failed lookup (for the probing alert).
    let misses: Vec<String> = app
        .query_values(
            "select detail from audit_log where action = 'lookup_failed'",
            &[],
        )
        .await;
    assert_eq!(misses.len(), 1, "{misses:?}");
    assert!(misses[0].ends_with("op=assign"));

    fields.pop();
    let done = app
        .html_post(&session, "/agent/tickets/bulk", &fields)
        .await;
    assert_eq!(done.status(), 303);
    for reference in &mine {
        assert_eq!(assignee_of(reference.clone()).await, "kira");
    }
    let audited: Vec<String> = app
        .query_values(
            "select reference from audit_log where action = 'assign'",
            &[],
        )
        .await;
    assert_eq!(audited.len(), 3, "one entry per ticket");

    // Closing asks first.
    let mut close = vec![("change", "close")];
    close.extend(mine.iter().map(|r| ("ticket", r.as_str())));
    let question = app.html_post(&session, "/agent/tickets/bulk", &close).await;
    assert_eq!(question.status(), 200);
    let question = question.text().await.unwrap();
    assert!(question.contains("Close 3 tickets?"));
    let statuses = || async {
        app.query_values::<String>("select status from tickets where queue_id = (select id from queues where name = 'billing')", &[])
            .await
    };
    assert!(statuses().await.iter().all(|s| s != "closed"));
    close.push(("confirm", "yes"));
    let closed = app.html_post(&session, "/agent/tickets/bulk", &close).await;
    assert_eq!(closed.status(), 303);
    assert!(statuses().await.iter().all(|s| s == "closed"));
    let status_entries: Vec<String> = app
        .query_values(
            "select reference from audit_log where action = 'status'",
            &[],
        )
        .await;
    assert_eq!(status_entries.len(), 3);
}

#[tokio::test]
async fn keyboard_shortcuts_are_one_script_file_the_policy_allows_and_nothing_inline() {
    let app = TestApp::spawn().await;
    let agent = app.add_agent("jan", "l1", &["billing"]).await;
    let session = app.html_login(&agent).await;
    let list = app.html_get(&session, "/agent/tickets").await;
    let csp = list.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
    let list = list.text().await.unwrap();
    assert!(list.contains("<script src=\"/static/shortcuts.js\" defer></script>"));
    // Every other script tag would be inline or foreign: there is none.
    assert_eq!(list.matches("<script").count(), 1);
    let script = app.get("/static/shortcuts.js").await;
    assert_eq!(script.status(), 200);
    assert!(
        script.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    let script = script.text().await.unwrap();
    for hook in ["reply-body", "note-body", "assign-me", "ticket-link"] {
        assert!(script.contains(hook), "{hook}");
    }
    // The elements the keys reach exist on the pages without the script.
    let (reference, _) = app.file_in("billing", "Keys", "Test").await;
    let list = page(&app, &session, "/agent/tickets").await;
    assert!(list.contains("class=\"ticket-link\""));
    let ticket = page(&app, &session, &format!("/agent/tickets/{reference}")).await;
    for id in ["id=\"reply-body\"", "id=\"note-body\"", "id=\"assign-me\""] {
        assert!(ticket.contains(id), "{id}");
    }
}

#[tokio::test]
async fn mine_pages_in_order_and_keeps_to_scope() {
    let app = TestApp::spawn().await;
    let me = app.add_agent("pia", "l1", &["billing", "security"]).await;
    let token = app.api_login(&me).await;
    let mut filed = Vec::new();
    for n in 0..9 {
        let category = if n % 3 == 0 { "security" } else { "billing" };
        let (reference, _) = app.file_in(category, &format!("Case {n}"), "Look").await;
        filed.push(reference);
    }
    // Seven are mine, with staggered due times; two are nobody's.
    for (i, reference) in filed.iter().enumerate().take(7) {
        let assigned = app
            .agent_post(
                &token,
                &format!("/api/v1/agent/tickets/{reference}/assign"),
                &json!({ "agent": "pia" }),
            )
            .await;
        assert!(assigned.status().is_success());
        app.execute_sql(
            "update tickets set first_response_due = $1 where reference = $2",
            &[
                Param::Int(now() + 600 * (9 - i as i64)),
                Param::Text(reference),
            ],
        )
        .await;
    }
    let mut shown = Vec::new();
    let mut after = String::new();
    loop {
        let page: Value = app
            .agent_get(
                &token,
                &format!("/api/v1/agent/tickets?assignee=me&limit=3{after}"),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(page["total"], 7, "{page}");
        shown.extend(
            page["tickets"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["reference"].as_str().unwrap().to_owned()),
        );
        match page["next"].as_str() {
            Some(next) => after = format!("&after={next}"),
            None => break,
        }
    }
    let expected: Vec<String> = (0..7).rev().map(|i| filed[i].clone()).collect();
    assert_eq!(shown, expected, "SLA order, every ticket once");

    // Leaving the security queue takes its tickets out of "mine" at once.
    app.execute_sql(
        "delete from queue_members where agent_id = (select id from agents where name = 'pia') \
         and queue_id = (select id from queues where name = 'security')",
        &[],
    )
    .await;
    let page: Value = app
        .agent_get(&token, "/api/v1/agent/tickets?assignee=me&limit=100")
        .await
        .json()
        .await
        .unwrap();
    let left: Vec<&str> = page["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["reference"].as_str().unwrap())
        .collect();
    assert_eq!(page["total"], 4);
    assert!(
        left.iter()
            .all(|r| ![&filed[0], &filed[3], &filed[6]].contains(&&r.to_string()))
    );
}

#[tokio::test]
async fn the_list_ticket_and_notification_pages_speak_russian_with_every_message_found() {
    let app = TestApp::spawn().await;
    let agent = app.add_agent("vera", "l2", &["billing", "security"]).await;
    let (reference, _) = app.file_in("billing", "Списание", "Дважды").await;
    let session = app.html_login(&agent).await;
    let moved = app
        .html_post(
            &session,
            &format!("/agent/tickets/{reference}/move"),
            &[("queue", "security"), ("reason", "Похоже на мошенничество")],
        )
        .await;
    assert_eq!(moved.status(), 303);
    let pages = [
        ("/agent/tickets?status=all", "Назначенные мне"),
        (
            &format!("/agent/tickets/{reference}") as &str,
            "Добавить внутреннюю заметку",
        ),
        ("/agent/notifications", "Новое обращение в вашей очереди"),
        (
            &format!("/agent/tickets/{reference}/spam"),
            "Закрыть это обращение как спам?",
        ),
    ];
    for (path, russian) in pages {
        let joiner = if path.contains('?') { '&' } else { '?' };
        let ru = page(&app, &session, &format!("{path}{joiner}lang=ru")).await;
        assert!(ru.contains("<html lang=\"ru\""), "{path}");
        assert!(ru.contains(russian), "{path}: {russian}");
        let en = page(&app, &session, path).await;
        for html in [&ru, &en] {
            // A key the catalogue lacks would be shown as the key itself.
            for area in ["agent-list-", "agent-ticket-", "tickets-count", "status-"] {
                assert!(!html.contains(area), "{path}: a missing message {area}…");
            }
        }
    }
    let ticket = page(
        &app,
        &session,
        &format!("/agent/tickets/{reference}?lang=ru"),
    )
    .await;
    assert!(ticket.contains("Очередь: billing → security"));
    assert!(ticket.contains("Причина: Похоже на мошенничество"));
    let list = page(&app, &session, "/agent/tickets?status=all&lang=ru").await;
    assert!(list.contains("1 обращение"));
}

/// A public reply hands a new ticket to the requester; the history says so like any other
/// status change, and a note changes nothing.
#[tokio::test]
async fn a_reply_that_hands_the_ticket_to_the_requester_is_in_the_history() {
    let app = TestApp::spawn().await;
    let agent = app.add_agent("vera", "l2", &["billing"]).await;
    let token = app.api_login(&agent).await;
    let (reference, _) = app.file_in("billing", "Refund", "Please").await;
    let note = app
        .agent_post(
            &token,
            &format!("/api/v1/agent/tickets/{reference}/replies"),
            &json!({ "body": "Checking the payment first.", "internal": true }),
        )
        .await;
    assert_eq!(note.status(), 201);
    assert!(
        history_of(&app, &token, &reference).await.is_empty(),
        "a note changes no status"
    );
    let reply = app
        .agent_post(
            &token,
            &format!("/api/v1/agent/tickets/{reference}/replies"),
            &json!({ "body": "Could you send the order number?" }),
        )
        .await;
    assert_eq!(reply.status(), 201);
    let changes = history_of(&app, &token, &reference).await;
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0]["kind"], "status");
    assert_eq!(changes[0]["from"], "new");
    assert_eq!(changes[0]["to"], "pending_requester");
    assert_eq!(changes[0]["agent"], "vera");
}

async fn history_of(app: &TestApp, token: &str, reference: &str) -> Vec<Value> {
    let view: Value = app
        .agent_get(token, &format!("/api/v1/agent/tickets/{reference}"))
        .await
        .json()
        .await
        .unwrap();
    view["history"].as_array().unwrap().clone()
}

/// A ticket escalated (or moved) away while an agent writes: posting answers the staff
/// "not found" page, which gives the agent's text back; nothing is stored, and the failed
/// lookup is audited like any other.
#[tokio::test]
async fn text_posted_to_a_ticket_that_left_the_agents_scope_comes_back_on_the_error_page() {
    let app = TestApp::spawn().await;
    let l1 = app.add_agent("anna", "l1", &["billing"]).await;
    let (reference, _) = app.file_in("billing", "Refund", "Please").await;
    let path = format!("/agent/tickets/{reference}");
    let session = app.html_login(&l1).await;
    page(&app, &session, &path).await;
    let token = app.api_login(&l1).await;
    let escalated = app
        .agent_post(
            &token,
            &format!("/api/v1/agent/tickets/{reference}/escalate"),
            &json!({ "reason": "Needs L2" }),
        )
        .await;
    assert!(escalated.status().is_success(), "{}", escalated.status());
    let before = message_count(&app, &reference).await;

    for (form, lang, words) in [
        ("note", "en", "Your text was not sent"),
        ("reply", "ru", "Ваш текст не отправлен"),
    ] {
        let text = format!("Checked the card ledger <twice> for the {form}");
        let refused = app
            .html_post(
                &session,
                &format!("{path}/{form}?lang={lang}"),
                &[("body", text.as_str())],
            )
            .await;
        assert_eq!(refused.status(), 404, "{form}");
        let shown = refused.text().await.unwrap();
        assert!(shown.contains(words), "{form}: {shown}");
        assert!(
            shown.contains(&format!(
                "readonly>Checked the card ledger &#60;twice&#62; for the {form}</textarea>"
            )) || shown.contains(&format!(
                "readonly>Checked the card ledger &lt;twice&gt; for the {form}</textarea>"
            )),
            "the text comes back, escaped: {shown}"
        );
        assert!(
            shown.contains("class=\"nav-notifications\""),
            "inside the staff layout"
        );
    }
    assert_eq!(
        message_count(&app, &reference).await,
        before,
        "nothing stored"
    );

    // An empty form has nothing to give back: it is refused as empty.
    let empty = app
        .html_post(&session, &format!("{path}/note"), &[("body", "")])
        .await;
    assert_eq!(empty.status(), 422);
    assert!(!empty.text().await.unwrap().contains("id=\"unsent\""));
}
