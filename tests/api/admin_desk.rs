//! The admin pages as an admin uses them: agents' roles and queues from pickers, disabling
//! with a confirmation and never the last admin (pages and command line), canned responses
//! edited, queues renamed and archived, SLA targets, alerts once each, the audit log filtered
//! and exported, and staff errors inside the staff layout. The store changes run on both
//! engines (`_on_postgres` twins, skipped without a PostgreSQL unless required).

use serde_json::json;

use crate::support::{HtmlSession, TestApp};

async fn page(app: &TestApp, session: &HtmlSession, path: &str) -> String {
    let response = app.html_get(session, path).await;
    assert_eq!(response.status(), 200, "{path}");
    response.text().await.unwrap()
}

/// `(actor, detail)` of every audit entry with `action`, oldest first.
async fn audited(app: &TestApp, action: &str) -> Vec<(String, String)> {
    app.query_rows(
        "select actor, detail from audit_log where action = $1 order by seq",
        &[action.into()],
    )
    .await
}

async fn can_sign_in(app: &TestApp, name: &str, password: &str) -> bool {
    app.post_json(
        "/api/v1/agent/login",
        &json!({ "name": name, "password": password }),
    )
    .await
    .status()
        == 200
}

async fn the_last_active_admin_is_never_disabled_or_demoted(app: TestApp) {
    let ada = app.add_agent("ada", "admin", &[]).await;
    let session = app.html_login(&ada).await;

    // Disabling asks first: the first post only shows a confirmation page.
    let asked = app
        .html_post(&session, "/admin/agents/ada/disable", &[])
        .await;
    assert_eq!(asked.status(), 200);
    let asked = asked.text().await.unwrap();
    assert!(asked.contains("Disable ada?"), "{asked}");
    assert!(asked.contains("name=\"confirm\" value=\"yes\""), "{asked}");
    assert!(
        asked.contains("href=\"/admin/agents/ada\">Cancel"),
        "{asked}"
    );
    assert!(audited(&app, "agent_disabled").await.is_empty());

    // Confirmed, it is refused with a reason, and she is still signed in.
    let refused = app
        .html_post(&session, "/admin/agents/ada/disable", &[("confirm", "yes")])
        .await;
    assert_eq!(refused.status(), 409);
    let refused = refused.text().await.unwrap();
    assert!(refused.contains("last active admin"), "{refused}");
    let demoted = app
        .html_post(&session, "/admin/agents/ada/role", &[("role", "l3")])
        .await;
    assert_eq!(demoted.status(), 409);
    assert!(demoted.text().await.unwrap().contains("last active admin"));
    assert_eq!(app.html_get(&session, "/admin/agents").await.status(), 200);
    assert!(audited(&app, "agent_disabled").await.is_empty());
    assert!(audited(&app, "agent_role_changed").await.is_empty());

    // With a second active admin, the same confirmed request goes through (positive
    // control), is audited, and ends her session.
    app.add_agent("bea", "admin", &[]).await;
    let done = app
        .html_post(&session, "/admin/agents/ada/disable", &[("confirm", "yes")])
        .await;
    assert_eq!(done.status(), 303);
    assert_eq!(
        audited(&app, "agent_disabled").await,
        [("ada".to_owned(), "agent=ada".to_owned())]
    );
    assert!(!can_sign_in(&app, "ada", &ada.password).await);
}

#[tokio::test]
async fn the_last_active_admin_is_never_disabled_or_demoted_on_sqlite() {
    the_last_active_admin_is_never_disabled_or_demoted(TestApp::spawn().await).await;
}

#[tokio::test]
async fn the_last_active_admin_is_never_disabled_or_demoted_on_postgres() {
    let Some(app) = TestApp::spawn_on_postgres("admin_last_admin", |_| {}).await else {
        return;
    };
    the_last_active_admin_is_never_disabled_or_demoted(app).await;
}

async fn an_admin_edits_role_and_queues_from_pickers_and_each_change_is_audited(app: TestApp) {
    let admin = app.add_agent("ada", "admin", &[]).await;
    let lou = app.add_agent("lou", "l1", &["general"]).await;
    let session = app.html_login(&admin).await;

    let edit = page(&app, &session, "/admin/agents/lou").await;
    // Pickers from the real lists: a role select and one checkbox per queue in use.
    assert!(
        edit.contains("<option value=\"l1\" selected>"),
        "role select: {edit}"
    );
    assert!(!edit.contains("value=\"admin\""), "{edit}");
    for queue in ["general", "billing", "security", "vip"] {
        assert!(
            edit.contains(&format!("name=\"queue\" value=\"{queue}\"")),
            "{queue}: {edit}"
        );
    }
    assert!(edit.contains("name=\"queue\" value=\"general\" checked"));

    let role = app
        .html_post(&session, "/admin/agents/lou/role", &[("role", "l2")])
        .await;
    assert_eq!(role.status(), 303);
    let queues = app
        .html_post(
            &session,
            "/admin/agents/lou/queues",
            &[("queue", "billing"), ("queue", "security")],
        )
        .await;
    assert_eq!(queues.status(), 303);

    let edit = page(&app, &session, "/admin/agents/lou").await;
    assert!(edit.contains("<option value=\"l2\" selected>"), "{edit}");
    assert!(edit.contains("name=\"queue\" value=\"billing\" checked"));
    assert!(edit.contains("name=\"queue\" value=\"security\" checked"));
    assert!(!edit.contains("name=\"queue\" value=\"general\" checked"));

    // Lou now works on billing tickets and no longer sees general's.
    let (billing, _) = app
        .file_in("billing", "Invoice twice", "Charged twice")
        .await;
    let (general, _) = app.file_in("functionality", "Button", "It is grey").await;
    let token = app.api_login(&lou).await;
    assert_eq!(
        app.agent_get(&token, &format!("/api/v1/agent/tickets/{billing}"))
            .await
            .status(),
        200
    );
    assert_eq!(
        app.agent_get(&token, &format!("/api/v1/agent/tickets/{general}"))
            .await
            .status(),
        404
    );

    assert_eq!(
        audited(&app, "agent_role_changed").await,
        [("ada".to_owned(), "agent=lou from=l1 to=l2".to_owned())]
    );
    let added: Vec<String> = audited(&app, "member_added")
        .await
        .into_iter()
        .filter(|(actor, _)| actor == "ada")
        .map(|(_, detail)| detail)
        .collect();
    assert_eq!(
        added,
        [
            "queue=billing agent=lou owner=false",
            "queue=security agent=lou owner=false"
        ]
    );
    assert_eq!(
        audited(&app, "member_removed").await,
        [("ada".to_owned(), "queue=general agent=lou".to_owned())]
    );

    // Making an admin stays the operator's power.
    let promoted = app
        .html_post(&session, "/admin/agents/lou/role", &[("role", "admin")])
        .await;
    assert_eq!(promoted.status(), 409);
    assert!(promoted.text().await.unwrap().contains("operator"));
}

#[tokio::test]
async fn an_admin_edits_role_and_queues_from_pickers_and_each_change_is_audited_on_sqlite() {
    an_admin_edits_role_and_queues_from_pickers_and_each_change_is_audited(TestApp::spawn().await)
        .await;
}

#[tokio::test]
async fn an_admin_edits_role_and_queues_from_pickers_and_each_change_is_audited_on_postgres() {
    let Some(app) = TestApp::spawn_on_postgres("admin_edit_agent", |_| {}).await else {
        return;
    };
    an_admin_edits_role_and_queues_from_pickers_and_each_change_is_audited(app).await;
}

#[tokio::test]
async fn a_senior_role_needs_a_second_factor_first() {
    let app = TestApp::spawn().await;
    let admin = app.add_agent("ada", "admin", &[]).await;
    app.add_agent("lou", "l1", &["general"]).await;
    let session = app.html_login(&admin).await;
    let refused = app
        .html_post(&session, "/admin/agents/lou/role", &[("role", "l3")])
        .await;
    assert_eq!(refused.status(), 409);
    assert!(refused.text().await.unwrap().contains("second factor"));
    let allowed = app
        .html_post(&session, "/admin/agents/lou/role", &[("role", "l2")])
        .await;
    assert_eq!(allowed.status(), 303);
}

fn cli(app: &TestApp, args: &[&str]) -> std::process::Output {
    app.command().args(args).output().unwrap()
}

#[tokio::test]
async fn the_command_line_lists_disables_and_enables_agents_and_keeps_the_last_admin() {
    let app = TestApp::spawn().await;
    app.add_agent("ada", "admin", &[]).await;
    let lou = app.add_agent("lou", "l1", &["general", "billing"]).await;

    let listed = cli(&app, &["agent", "list"]);
    assert!(listed.status.success());
    let listed = String::from_utf8(listed.stdout).unwrap();
    let lines: Vec<&str> = listed.lines().collect();
    assert!(lines[0].starts_with("NAME"), "{listed}");
    let ada = lines.iter().find(|l| l.starts_with("ada ")).unwrap();
    assert!(ada.contains("admin") && ada.contains("active"), "{ada}");
    let lou_line = lines.iter().find(|l| l.starts_with("lou ")).unwrap();
    assert!(
        lou_line.contains("l1") && lou_line.contains("billing, general"),
        "{lou_line}"
    );

    let refused = cli(&app, &["agent", "disable", "ada"]);
    assert!(!refused.status.success());
    let why = String::from_utf8(refused.stderr).unwrap();
    assert!(why.contains("last active admin"), "{why}");

    assert!(can_sign_in(&app, "lou", &lou.password).await);
    let disabled = cli(&app, &["agent", "disable", "lou"]);
    assert!(disabled.status.success());
    assert!(
        String::from_utf8(disabled.stdout)
            .unwrap()
            .contains("lou is disabled")
    );
    assert!(!can_sign_in(&app, "lou", &lou.password).await);
    let listed = String::from_utf8(cli(&app, &["agent", "list"]).stdout).unwrap();
    assert!(
        listed
            .lines()
            .any(|l| l.starts_with("lou ") && l.contains("disabled")),
        "{listed}"
    );

    assert!(cli(&app, &["agent", "enable", "lou"]).status.success());
    assert!(can_sign_in(&app, "lou", &lou.password).await);
    assert!(!cli(&app, &["agent", "disable", "nobody"]).status.success());
    let enabled_alerts = || async {
        app.query_values::<i64>(
            "select count(*) from alerts where kind = 'agent_enabled'",
            &[],
        )
        .await[0]
    };
    assert!(
        enabled_alerts().await >= 1,
        "enabling a disabled agent alerts"
    );
    let before = enabled_alerts().await;
    // Enabling an agent already active changes nothing worth an alert; it is still audited.
    assert!(cli(&app, &["agent", "enable", "lou"]).status.success());
    assert_eq!(enabled_alerts().await, before);

    let changes = [
        audited(&app, "agent_disabled").await,
        audited(&app, "agent_enabled").await,
    ];
    assert_eq!(
        changes,
        [
            vec![("(operator)".to_owned(), "agent=lou".to_owned())],
            vec![
                ("(operator)".to_owned(), "agent=lou".to_owned()),
                ("(operator)".to_owned(), "agent=lou".to_owned())
            ]
        ]
    );
    assert_eq!(audited(&app, "agents_listed").await.len(), 2);
}

#[tokio::test]
async fn canned_responses_are_edited_in_place_and_checked_like_new_ones() {
    let app = TestApp::spawn().await;
    let admin = app.add_agent("ada", "admin", &[]).await;
    let agent = app.add_agent("lou", "l1", &["general"]).await;
    let session = app.html_login(&admin).await;
    let added = app
        .html_post(
            &session,
            "/admin/canned",
            &[
                ("queue", "general"),
                ("title", "Greeting"),
                ("body", "Hello, thanks for writing."),
            ],
        )
        .await;
    assert_eq!(added.status(), 303);
    let id: i64 = app
        .query_values(
            "select id from canned_responses where title = 'Greeting'",
            &[],
        )
        .await[0];

    let edited = app
        .html_post(
            &session,
            &format!("/admin/canned/{id}"),
            &[("title", "Welcome"), ("body", "Welcome, we are on it.")],
        )
        .await;
    assert_eq!(edited.status(), 303);
    let queues = page(&app, &session, "/admin/queues").await;
    assert!(queues.contains("Welcome, we are on it."), "{queues}");
    assert!(!queues.contains("Hello, thanks for writing."));

    // What a new canned response may not hold, an edited one may not either.
    let leaky = app
        .html_post(
            &session,
            &format!("/admin/canned/{id}"),
            &[
                ("title", "Welcome"),
                ("body", "Call me on +44 20 7946 0958"),
            ],
        )
        .await;
    assert_eq!(leaky.status(), 422);
    let stored: Vec<String> = app
        .query_values(
            "select body from canned_responses where id = $1",
            &[id.into()],
        )
        .await;
    assert_eq!(stored, ["Welcome, we are on it."]);

    // The agent's ticket view offers the edited one.
    let (reference, _) = app.file_in("functionality", "Question", "How?").await;
    let token = app.api_login(&agent).await;
    let view = app
        .agent_get(&token, &format!("/api/v1/agent/tickets/{reference}"))
        .await
        .text()
        .await
        .unwrap();
    let agent_session = app.html_login(&agent).await;
    let ticket = page(&app, &agent_session, &format!("/agent/tickets/{reference}")).await;
    assert!(ticket.contains("Welcome"), "{view} {ticket}");
    assert_eq!(
        audited(&app, "canned_changed").await,
        [("ada".to_owned(), format!("canned={id} queue=general"))]
    );
}

async fn ticket_queue(app: &TestApp, reference: &str) -> String {
    app.query_values::<String>(
        "select q.name from tickets t join queues q on q.id = t.queue_id where t.reference = $1",
        &[reference.into()],
    )
    .await
    .remove(0)
}

async fn an_archived_queue_takes_no_new_tickets_and_leaves_the_pickers(app: TestApp) {
    let admin = app.add_agent("ada", "admin", &[]).await;
    let session = app.html_login(&admin).await;
    let (before, _) = app.file_in("billing", "Invoice", "Twice").await;
    assert_eq!(ticket_queue(&app, &before).await, "billing");

    let archived = app
        .html_post(&session, "/admin/queues/billing/archive", &[])
        .await;
    assert_eq!(archived.status(), 303);
    let (after, _) = app.file_in("billing", "Invoice again", "Thrice").await;
    assert_eq!(ticket_queue(&app, &after).await, "general");
    assert_eq!(ticket_queue(&app, &before).await, "billing");

    // Gone from every picker: routing, canned responses, an agent's queues.
    let queues = page(&app, &session, "/admin/queues").await;
    let routing = queues.split("id=\"route-queue\"").nth(1).unwrap();
    let routing = routing.split("</select>").next().unwrap();
    assert!(
        !routing.contains("billing") && routing.contains("security"),
        "{routing}"
    );
    assert!(queues.contains("/admin/queues/billing/restore"), "{queues}");
    app.add_agent("lou", "l1", &[]).await;
    let edit = page(&app, &session, "/admin/agents/lou").await;
    assert!(!edit.contains("value=\"billing\"") && edit.contains("value=\"security\""));
    let routed = app
        .html_post(
            &session,
            "/admin/routing",
            &[("category", "billing"), ("queue", "billing")],
        )
        .await;
    assert_eq!(routed.status(), 404);

    // The fallback queue stays.
    let general = app
        .html_post(&session, "/admin/queues/general/archive", &[])
        .await;
    assert_eq!(general.status(), 409);

    // Put back in use, it is offered again; renamed, its tickets follow.
    app.html_post(&session, "/admin/queues/billing/restore", &[])
        .await;
    let renamed = app
        .html_post(
            &session,
            "/admin/queues/billing/rename",
            &[("name", "invoices")],
        )
        .await;
    assert_eq!(renamed.status(), 303);
    assert_eq!(ticket_queue(&app, &before).await, "invoices");
    let taken = app
        .html_post(
            &session,
            "/admin/queues/invoices/rename",
            &[("name", "security")],
        )
        .await;
    assert_eq!(taken.status(), 409);
    let actions: Vec<String> = app
        .query_values(
            "select action from audit_log where action like 'queue_%' order by seq",
            &[],
        )
        .await;
    assert_eq!(
        actions,
        ["queue_archived", "queue_restored", "queue_renamed"]
    );
    assert_eq!(
        audited(&app, "queue_archived").await[0].1,
        "queue=billing rerouted_to_general=billing"
    );
}

#[tokio::test]
async fn an_archived_queue_takes_no_new_tickets_and_leaves_the_pickers_on_sqlite() {
    an_archived_queue_takes_no_new_tickets_and_leaves_the_pickers(TestApp::spawn().await).await;
}

#[tokio::test]
async fn an_archived_queue_takes_no_new_tickets_and_leaves_the_pickers_on_postgres() {
    let Some(app) = TestApp::spawn_on_postgres("admin_archive_queue", |_| {}).await else {
        return;
    };
    an_archived_queue_takes_no_new_tickets_and_leaves_the_pickers(app).await;
}

async fn due_after(app: &TestApp, reference: &str) -> (i64, i64) {
    app.query_rows(
        "select first_response_due - created_at, resolution_due - created_at from tickets \
         where reference = $1",
        &[reference.into()],
    )
    .await
    .remove(0)
}

async fn sla_targets_set_in_the_desk_apply_to_new_tickets(app: TestApp) {
    let admin = app.add_agent("ada", "admin", &[]).await;
    let session = app.html_login(&admin).await;
    let sla = page(&app, &session, "/admin/sla").await;
    // Nothing set yet: the file's default P3 targets (8 h, 72 h) are in force.
    assert!(sla.contains("id=\"first-P3\" name=\"first_response_hours\" type=\"number\" min=\"1\" max=\"8760\" value=\"8\""), "{sla}");
    assert_eq!(sla.matches("configuration file</span>").count(), 4);
    let (old, _) = app.file_in("functionality", "Before", "Old targets").await;
    assert_eq!(due_after(&app, &old).await, (8 * 3600, 72 * 3600));

    let set = app
        .html_post(
            &session,
            "/admin/sla",
            &[
                ("priority", "P3"),
                ("first_response_hours", "2"),
                ("resolution_hours", "30"),
            ],
        )
        .await;
    assert_eq!(set.status(), 303);
    let sla = page(&app, &session, "/admin/sla").await;
    assert_eq!(sla.matches("configuration file</span>").count(), 3);
    assert!(sla.contains("set here</span>"), "{sla}");
    let (new, _) = app.file_in("functionality", "After", "New targets").await;
    assert_eq!(due_after(&app, &new).await, (2 * 3600, 30 * 3600));
    assert_eq!(due_after(&app, &old).await, (8 * 3600, 72 * 3600));

    let out_of_range = app
        .html_post(
            &session,
            "/admin/sla",
            &[
                ("priority", "P3"),
                ("first_response_hours", "0"),
                ("resolution_hours", "30"),
            ],
        )
        .await;
    // A value out of range is the form's problem: 422, with the field named.
    assert_eq!(out_of_range.status(), 422);
    let refused = out_of_range.text().await.unwrap();
    assert!(refused.contains("First response (hours)"), "{refused}");
    assert!(!refused.contains("Resolution (hours)"), "{refused}");

    app.html_post(&session, "/admin/sla/reset", &[("priority", "P3")])
        .await;
    let (again, _) = app.file_in("functionality", "Again", "File targets").await;
    assert_eq!(due_after(&app, &again).await, (8 * 3600, 72 * 3600));
    let details: Vec<String> = audited(&app, "sla_changed")
        .await
        .into_iter()
        .map(|(_, d)| d)
        .collect();
    assert_eq!(
        details,
        [
            "priority=P3 first_response_hours=2 resolution_hours=30",
            "priority=P3 from=configuration"
        ]
    );
}

#[tokio::test]
async fn sla_targets_set_in_the_desk_apply_to_new_tickets_on_sqlite() {
    sla_targets_set_in_the_desk_apply_to_new_tickets(TestApp::spawn().await).await;
}

#[tokio::test]
async fn sla_targets_set_in_the_desk_apply_to_new_tickets_on_postgres() {
    let Some(app) = TestApp::spawn_on_postgres("admin_sla_targets", |_| {}).await else {
        return;
    };
    sla_targets_set_in_the_desk_apply_to_new_tickets(app).await;
}

#[tokio::test]
async fn each_alert_is_listed_once_on_its_own_page() {
    let app = TestApp::spawn().await;
    let ada = app.add_agent("ada", "admin", &[]).await;
    let bea = app.add_agent("bea", "admin", &[]).await;
    app.add_agent("quinn", "l2", &["vip"]).await;
    let ada_session = app.html_login(&ada).await;
    // Joining a restricted queue tells its members and the admins: two audiences.
    let joined = app
        .html_post(
            &ada_session,
            "/admin/queues/vip/members",
            &[("agent", "ada")],
        )
        .await;
    assert_eq!(joined.status(), 303);
    assert_eq!(
        app.query_values::<i64>(
            "select count(*) from alerts where kind = 'member_added' and agent_name = 'ada'",
            &[]
        )
        .await,
        [2]
    );

    let bea_session = app.html_login(&bea).await;
    let alerts = page(&app, &bea_session, "/admin/alerts").await;
    let told = "ada was added to restricted queue vip by ada";
    assert_eq!(alerts.matches(told).count(), 1, "{alerts}");
    let overview = page(&app, &bea_session, "/admin").await;
    assert_eq!(overview.matches(told).count(), 1, "{overview}");
    assert!(overview.contains("href=\"/admin/metrics\""));
    let metrics = page(&app, &bea_session, "/admin/metrics").await;
    assert!(metrics.contains("Tickets stored"), "{metrics}");
}

#[tokio::test]
async fn the_audit_log_filters_and_exports_csv_safe_for_spreadsheets() {
    let app = TestApp::spawn().await;
    let admin = app.add_agent("ada", "admin", &[]).await;
    // A name a spreadsheet would read as a formula.
    let odd = app.add_agent("-a1", "l1", &["general"]).await;
    app.api_login(&odd).await;
    let session = app.html_login(&admin).await;
    app.html_post(&session, "/admin/agents/-a1/role", &[("role", "l2")])
        .await;

    let all = page(&app, &session, "/admin/audit").await;
    assert!(
        all.contains("<td>agent_role_changed</td>") && all.contains("<td>login</td>"),
        "{all}"
    );
    // Pickers: the actions the log holds, and the agents as suggestions for the actor.
    assert!(
        all.contains("<option value=\"agent_role_changed\">agent_role_changed</option>"),
        "{all}"
    );
    assert!(all.contains("<option value=\"login\">"), "{all}");
    assert!(!all.contains("<option value=\"agent_disabled\">"), "{all}");
    assert!(
        all.contains("<datalist id=\"audit-actors\"><option value=\"-a1\">")
            || all.contains("<option value=\"-a1\">"),
        "{all}"
    );
    let filtered = page(&app, &session, "/admin/audit?action=agent_role_changed").await;
    assert!(filtered.contains("agent=-a1 from=l1 to=l2"), "{filtered}");
    assert!(!filtered.contains("<td>login</td>"), "{filtered}");
    assert!(
        filtered.contains("<option value=\"agent_role_changed\" selected>"),
        "{filtered}"
    );
    let by_actor = page(&app, &session, "/admin/audit?actor=-a1").await;
    assert!(
        by_actor.contains("<td>login</td>") && !by_actor.contains("<td>agent_role_changed</td>")
    );
    let future = page(&app, &session, "/admin/audit?from=2999-01-01").await;
    assert!(future.contains("No entries match."), "{future}");
    let today = time::OffsetDateTime::now_utc().date().to_string();
    let dated = page(
        &app,
        &session,
        &format!("/admin/audit?action=agent_role_changed&from={today}&until={today}"),
    )
    .await;
    assert!(dated.contains("agent=-a1 from=l1 to=l2"), "{dated}");
    let bad_date = app.html_get(&session, "/admin/audit?from=yesterday").await;
    assert_eq!(bad_date.status(), 422);

    let export = app.html_get(&session, "/admin/audit.csv?actor=-a1").await;
    assert_eq!(export.status(), 200);
    assert!(
        export.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = export.text().await.unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("\"seq\",\"at\",\"actor\",\"action\",\"reference\",\"detail\"")
    );
    let rows: Vec<&str> = lines.collect();
    assert!(!rows.is_empty(), "{csv}");
    for row in &rows {
        assert!(row.contains(",\"'-a1\","), "{row}");
    }
    let exports = audited(&app, "audit_exported").await;
    assert_eq!(exports.len(), 1);
    assert_eq!(exports[0].0, "ada");
    assert_eq!(exports[0].1, format!("entries={} filter=actor", rows.len()));
}

#[tokio::test]
async fn staff_errors_render_inside_the_staff_layout_with_a_way_back() {
    let app = TestApp::spawn().await;
    let agent = app.add_agent("lou", "l1", &["general"]).await;
    let admin = app.add_agent("ada", "admin", &[]).await;
    let session = app.html_login(&agent).await;

    let missing = app.html_get(&session, "/agent/tickets/HD-0Z0Z789A").await;
    assert_eq!(missing.status(), 404);
    let missing = missing.text().await.unwrap();
    assert!(missing.contains("action=\"/agent/logout\""), "{missing}");
    assert!(
        missing.contains("href=\"/agent/tickets\">Back to your tickets"),
        "{missing}"
    );
    assert!(!missing.contains("Back to the support form"), "{missing}");

    // An agent who is not an admin gets the same staff 404 under /admin, led back to tickets.
    let not_admin = app.html_get(&session, "/admin/agents").await;
    assert_eq!(not_admin.status(), 404);
    let not_admin = not_admin.text().await.unwrap();
    assert!(not_admin.contains("Back to your tickets"), "{not_admin}");

    let admin_session = app.html_login(&admin).await;
    let unknown = app.html_get(&admin_session, "/admin/nowhere").await;
    assert_eq!(unknown.status(), 404);
    let unknown = unknown.text().await.unwrap();
    assert!(
        unknown.contains("href=\"/admin\">Back to administration"),
        "{unknown}"
    );

    // A form with a stale token is a staff 403 with the staff layout too.
    let stale = app
        .client
        .post(app.url("/admin/agents/lou/role"))
        .header("cookie", &admin_session.cookie)
        .form(&[("csrf", "stale"), ("role", "l2")])
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 403);
    assert!(
        stale
            .text()
            .await
            .unwrap()
            .contains("action=\"/agent/logout\"")
    );

    // Without a session, the public page (negative control).
    let anonymous = app.get("/agent/tickets/HD-0Z0Z789A").await;
    assert!(anonymous.status().is_redirection() || anonymous.status() == 404);
    let public = app.get("/nowhere").await.text().await.unwrap();
    assert!(public.contains("Back to the support form"), "{public}");
    assert!(!public.contains("/agent/logout"));
}

#[tokio::test]
async fn an_admin_reaches_tickets_only_through_an_audited_membership_of_her_own() {
    let app = TestApp::spawn().await;
    let ada = app.add_agent("ada", "admin", &[]).await;
    let (reference, _) = app.file_in("billing", "Refund", "Please refund").await;
    let token = app.api_login(&ada).await;
    let path = format!("/api/v1/agent/tickets/{reference}");
    assert_eq!(app.agent_get(&token, &path).await.status(), 404);

    let session = app.html_login(&ada).await;
    let joined = app
        .html_post(
            &session,
            "/admin/agents/ada/queues",
            &[("queue", "billing")],
        )
        .await;
    assert_eq!(joined.status(), 303);
    assert_eq!(app.agent_get(&token, &path).await.status(), 200);
    assert_eq!(
        audited(&app, "member_added").await,
        [(
            "ada".to_owned(),
            "queue=billing agent=ada owner=false".to_owned()
        )]
    );
}

#[tokio::test]
async fn the_admin_pages_and_staff_errors_speak_russian() {
    let app = TestApp::spawn().await;
    let ada = app.add_agent("ada", "admin", &[]).await;
    app.add_agent("lou", "l1", &["general"]).await;
    let session = app.html_login(&ada).await;
    let russian = |path: &str| {
        app.client
            .get(app.url(path))
            .header("cookie", &session.cookie)
            .header("accept-language", "ru-RU,ru;q=0.9")
            .send()
    };

    let edit = russian("/admin/agents/lou")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(edit.contains("<html lang=\"ru\""), "{edit}");
    assert!(
        edit.contains("Сохранить роль") && edit.contains("Участник очередей"),
        "{edit}"
    );
    assert!(!edit.contains("Save role"), "{edit}");
    for page in [
        "/admin",
        "/admin/alerts",
        "/admin/metrics",
        "/admin/agents",
        "/admin/queues",
        "/admin/sla",
        "/admin/audit",
        "/admin/retention",
        "/admin/allowlist",
        "/admin/proofs",
        "/admin/kb-editors",
    ] {
        let response = russian(page).await.unwrap();
        assert_eq!(response.status(), 200, "{page}");
        let text = response.text().await.unwrap();
        assert!(text.contains("<html lang=\"ru\""), "{page}");
        // No message key leaks through untranslated.
        assert!(!text.contains("admin-"), "{page}: {text}");
    }

    // The refusal of the last admin, in the reader's language.
    let refused = app
        .client
        .post(app.url("/admin/agents/ada/disable?lang=ru"))
        .header("cookie", &session.cookie)
        .form(&[("csrf", session.csrf.as_str()), ("confirm", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 409);
    let refused = refused.text().await.unwrap();
    assert!(
        refused.contains("последний действующий администратор"),
        "{refused}"
    );

    let missing = russian("/agent/tickets/HD-0Z0Z789A").await.unwrap();
    assert_eq!(missing.status(), 404);
    let missing = missing.text().await.unwrap();
    assert!(missing.contains("Вернуться к обращениям"), "{missing}");
    assert!(missing.contains("<html lang=\"ru\""), "{missing}");
}

#[tokio::test]
async fn a_retention_that_is_not_a_number_is_refused_in_the_admins_language() {
    let app = TestApp::spawn().await;
    let admin = app.add_agent("ada", "admin", &[]).await;
    let session = app.html_login(&admin).await;
    for (lang, field, problem) in [
        ("en", "Days", "a whole number of days"),
        ("ru", "Дней", "целое число дней"),
    ] {
        let response = app
            .html_post(
                &session,
                &format!("/admin/retention?lang={lang}"),
                &[("scope", "default"), ("days", "12x")],
            )
            .await;
        assert_eq!(response.status(), 422);
        let page = response.text().await.unwrap();
        assert!(
            page.contains(&format!("<strong>{field}</strong>: {problem}")),
            "{lang}: {page}"
        );
    }
}

/// Admins manage admins: one may demote another while a second active admin remains, and the
/// change is audited under the one who made it and told to the other admins.
#[tokio::test]
async fn an_admin_demoting_another_is_audited_and_the_last_admin_rule_holds() {
    let app = TestApp::spawn().await;
    let ada = app.add_agent("ada", "admin", &[]).await;
    for other in ["bea", "cid"] {
        app.add_agent(other, "admin", &[]).await;
    }
    let session = app.html_login(&ada).await;
    assert!(audited(&app, "agent_role_changed").await.is_empty());

    let demoted = app
        .html_post(&session, "/admin/agents/bea/role", &[("role", "l2")])
        .await;
    assert_eq!(demoted.status(), 303);
    assert_eq!(
        audited(&app, "agent_role_changed").await,
        [("ada".to_owned(), "agent=bea from=admin to=l2".to_owned())]
    );
    let dan = app.add_agent("dan", "admin", &[]).await;
    let dan_session = app.html_login(&dan).await;
    let alerts = page(&app, &dan_session, "/admin/alerts").await;
    assert!(
        alerts.contains("ada changed the role of bea from Administrator to L2 agent"),
        "{alerts}"
    );

    // With ada and the others demoted in turn, the last active admin cannot be.
    for name in ["cid", "dan"] {
        let path = format!("/admin/agents/{name}/role");
        assert_eq!(
            app.html_post(&session, &path, &[("role", "l2")])
                .await
                .status(),
            303
        );
    }
    let last = app
        .html_post(&session, "/admin/agents/ada/role", &[("role", "l2")])
        .await;
    assert_eq!(last.status(), 409);
    assert_eq!(audited(&app, "agent_role_changed").await.len(), 3);
}

/// `hushdesk agent …` speaks the locale's language: `LANG=ru_RU.UTF-8` gives Russian, and
/// `LC_ALL` wins over `LANG`.
#[tokio::test]
async fn the_command_line_speaks_russian_under_a_russian_locale() {
    let app = TestApp::spawn().await;
    app.add_agent("ada", "admin", &[]).await;
    app.add_agent("lou", "l1", &["general"]).await;
    let run = |locale: &[(&str, &str)], args: &[&str]| {
        let mut command = app.command();
        for name in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            command.env_remove(name);
        }
        command.envs(locale.iter().copied());
        let output = command.args(args).output().unwrap();
        (
            output.status.success(),
            String::from_utf8(output.stdout).unwrap(),
            String::from_utf8(output.stderr).unwrap(),
        )
    };
    let ru = [("LANG", "ru_RU.UTF-8")];

    let (ok, listed, _) = run(&ru, &["agent", "list"]);
    assert!(ok);
    assert!(listed.starts_with("ИМЯ"), "{listed}");
    assert!(
        listed.contains("ОЧЕРЕДИ") && listed.contains("активен"),
        "{listed}"
    );
    assert!(
        !listed.contains("active") && !listed.contains("NAME"),
        "{listed}"
    );
    let (ok, said, _) = run(&ru, &["agent", "disable", "lou"]);
    assert!(ok);
    assert!(said.contains("lou: учётная запись отключена"), "{said}");
    let (ok, said, _) = run(&ru, &["agent", "enable", "lou"]);
    assert!(ok);
    assert!(said.contains("lou: вход снова разрешён"), "{said}");
    let (ok, _, why) = run(&ru, &["agent", "disable", "ada"]);
    assert!(!ok);
    assert!(why.contains("последний действующий администратор"), "{why}");
    let (ok, _, why) = run(&ru, &["agent", "disable", "nobody"]);
    assert!(!ok);
    assert!(why.contains("нет сотрудника с именем «nobody»"), "{why}");
    let (reference, _) = app.file_in("billing", "Charge", "Twice").await;
    let (ok, said, _) = run(&ru, &["hold", "add", &reference, "--reason", "суд"]);
    assert!(ok);
    assert!(said.contains("запрет на удаление установлен"), "{said}");
    let (ok, said, _) = run(&ru, &["audit", "verify"]);
    assert!(ok);
    assert!(said.contains("цепочка аудита цела"), "{said}");

    // Positive controls: English elsewhere, and LC_ALL over LANG.
    let (_, listed, _) = run(&[("LANG", "en_GB.UTF-8")], &["agent", "list"]);
    assert!(
        listed.starts_with("NAME") && listed.contains("active"),
        "{listed}"
    );
    let (_, listed, _) = run(
        &[("LANG", "ru_RU.UTF-8"), ("LC_ALL", "C")],
        &["agent", "list"],
    );
    assert!(listed.starts_with("NAME"), "{listed}");
    let (_, listed, _) = run(
        &[("LANG", "C"), ("LC_ALL", "ru_RU.UTF-8")],
        &["agent", "list"],
    );
    assert!(listed.starts_with("ИМЯ"), "{listed}");
}

/// Deleting a canned response asks first; only the confirmed post deletes it.
#[tokio::test]
async fn deleting_a_canned_response_asks_first() {
    let app = TestApp::spawn().await;
    let ada = app.add_agent("ada", "admin", &[]).await;
    let session = app.html_login(&ada).await;
    let added = app
        .html_post(
            &session,
            "/admin/canned",
            &[
                ("queue", "general"),
                ("title", "Greeting"),
                ("body", "Hello, thanks for writing."),
            ],
        )
        .await;
    assert_eq!(added.status(), 303);
    let ids: Vec<i64> = app
        .query_values(
            "select id from canned_responses where title = 'Greeting'",
            &[],
        )
        .await;
    let path = format!("/admin/canned/{}/delete", ids[0]);
    for lang in ["en", "ru"] {
        let asked = app
            .html_post(&session, &format!("{path}?lang={lang}"), &[])
            .await;
        assert_eq!(asked.status(), 200);
        let asked = asked.text().await.unwrap();
        assert!(asked.contains("name=\"confirm\" value=\"yes\""), "{asked}");
        assert!(asked.contains("Greeting"), "{asked}");
        let question = if lang == "en" {
            "Delete the canned response"
        } else {
            "Удалить шаблон ответа"
        };
        assert!(asked.contains(question), "{asked}");
    }
    assert_eq!(
        app.query_values::<i64>("select count(*) from canned_responses", &[])
            .await,
        [1]
    );
    let deleted = app.html_post(&session, &path, &[("confirm", "yes")]).await;
    assert_eq!(deleted.status(), 303);
    assert_eq!(
        app.query_values::<i64>("select count(*) from canned_responses", &[])
            .await,
        [0]
    );
    // An unknown one is not found, asked or not.
    assert_eq!(app.html_post(&session, &path, &[]).await.status(), 404);
}

/// The only active admin's page offers neither demotion nor disabling, and says why; with a
/// second active admin both are offered again.
#[tokio::test]
async fn the_last_admins_page_offers_no_change_the_desk_would_refuse() {
    let app = TestApp::spawn().await;
    let ada = app.add_agent("ada", "admin", &[]).await;
    let session = app.html_login(&ada).await;
    for (lang, words) in [
        ("en", "This is the only active admin account"),
        (
            "ru",
            "Это единственная действующая учётная запись администратора",
        ),
    ] {
        let shown = page(&app, &session, &format!("/admin/agents/ada?lang={lang}")).await;
        assert!(shown.contains("id=\"last-admin\""), "{shown}");
        assert!(shown.contains(words), "{shown}");
        assert!(
            !shown.contains("action=\"/admin/agents/ada/disable\""),
            "{shown}"
        );
        assert!(
            !shown.contains("action=\"/admin/agents/ada/role\""),
            "{shown}"
        );
    }
    app.add_agent("bea", "admin", &[]).await;
    let shown = page(&app, &session, "/admin/agents/ada").await;
    assert!(!shown.contains("id=\"last-admin\""), "{shown}");
    assert!(
        shown.contains("action=\"/admin/agents/ada/disable\""),
        "{shown}"
    );
    assert!(
        shown.contains("action=\"/admin/agents/ada/role\""),
        "{shown}"
    );
}
