//! Journeys in a real headless Chromium, each in English and Russian with JavaScript on and
//! off. Every page passes `Journey::check_page` (no horizontal scroll at 390 px, axe-core
//! without serious or critical violations in light and dark, control edges and focus ring at
//! 3:1, a skip link, no console error, no request to another origin) and leaves its
//! screenshots in `target/screenshots/<journey>-<lang>-<js|nojs>-<n>[-dark|-narrow].png`.
//!
//! The steps find elements by their ids and form actions, never by wording, so they run
//! unchanged in both languages.

use fantoccini::Locator;

use crate::browser::{Chromedriver, EVERY_RUN, Journey, Js, Lang, Run, wait_for_text};
use crate::support::{Param, TestAgent, TestApp};

/// A long unbroken reference, address and token, as people paste them: the narrow layout
/// must wrap them rather than widen the page.
const LONG_WORDS: &str = "Order ref ORDER-2026-11-0000000000000000000000000000000000000042 \
     from https://shop.example.org/account/orders/0000000000000000000000000000000000000042?from=mail";

#[tokio::test]
async fn a_requester_files_previews_edits_reads_the_reply_and_deletes_in_both_languages_with_and_without_javascript()
 {
    let Some(driver) = Chromedriver::start() else {
        return;
    };
    let app = TestApp::spawn().await;
    let agent = app.add_agent("bob", "l1", &["billing"]).await;
    let token = app.api_login(&agent).await;
    let reference_pattern = regex::Regex::new(r"HD-[0-9A-Z]+").unwrap();
    for run in EVERY_RUN {
        let mut journey = Journey::start(&driver, "requester", run, &app.base).await;
        journey.goto("/").await;
        journey.check_page().await;

        journey.click("#category option[value=billing]").await;
        journey.type_into("#subject", "Charged twice").await;
        journey
            .type_into(
                "#body",
                &format!("Call me on +44 20 7946 0958 or mail jo@example.org. {LONG_WORDS}"),
            )
            .await;
        journey.click("button[formaction='/tickets/preview']").await;
        journey.wait_for_path("/tickets/preview").await;
        journey.wait_for(".mask").await;
        journey.check_page().await;

        journey.click("button[formaction='/tickets/edit']").await;
        journey.wait_for_path("/tickets/edit").await;
        let body = journey.wait_for("#body").await.prop("value").await.unwrap();
        assert!(
            body.is_some_and(|b| b.contains("Call me on")),
            "the edit form lost the text"
        );
        journey.check_page().await;

        journey
            .click("form[action='/tickets'] button[type=submit]:not([formaction])")
            .await;
        journey.wait_for_path("/tickets").await;
        let link = journey
            .wait_for(".link a")
            .await
            .attr("href")
            .await
            .unwrap()
            .unwrap();
        journey.check_page().await;

        let heading = journey.wait_for("main h1").await.text().await.unwrap();
        let reference = reference_pattern
            .find(&heading)
            .unwrap()
            .as_str()
            .to_owned();

        let reply = "We refunded the second charge.";
        let answer = app
            .agent_post(
                &token,
                &format!("/api/v1/agent/tickets/{reference}/replies"),
                &serde_json::json!({ "body": reply }),
            )
            .await;
        assert!(answer.status().is_success(), "{}", answer.status());
        journey.goto(&link).await;
        let conversation = journey
            .wait_for(".conversation")
            .await
            .text()
            .await
            .unwrap();
        assert!(conversation.contains(reply), "{conversation}");
        journey.check_page().await;

        journey.click("form[action*='/delete'] button").await;
        journey.wait_for("input[name=confirm]").await;
        journey.check_page().await;
        journey.click("form[action*='/delete'] button").await;
        journey.wait_for("pre.receipt").await;
        journey.check_page().await;
        journey.finish().await;
    }
}

/// Signs in through the form, with the second factor when the agent has one.
async fn sign_in(journey: &Journey, agent: &TestAgent) {
    journey.goto("/agent/login").await;
    journey.type_into("#name", &agent.name).await;
    journey.type_into("#password", &agent.password).await;
    if let Some(code) = agent.next_code() {
        journey.type_into("#totp", &code).await;
    }
    journey.click("form[action='/agent/login'] button").await;
}

/// A billing queue in both languages, with what the redactor masked in subjects and bodies,
/// priorities set and a conversation on the second ticket (a colleague's note and reply):
/// the agent journey's pages are the README's pictures (`tests/browser/readme-screenshots.sh`).
/// Returns the references in filing order.
async fn seed_bilingual_queue(app: &TestApp) -> Vec<String> {
    let colleague = app.add_agent("vera", "l1", &["billing"]).await;
    let token = app.api_login(&colleague).await;
    let mut references = Vec::new();
    for (subject, body, priority) in [
        (
            "Не приходит код на anna.smirnova@example.org",
            "Код входа не приходит на anna.smirnova@example.org уже второй день.",
            "P2",
        ),
        (
            "Двойное списание по карте 4111 1111 1111 1111",
            &*format!(
                "Здравствуйте! С карты 4111 1111 1111 1111 дважды списали 4 990 ₽. \
                 Ответьте, пожалуйста, на ivan.petrov@example.org. {LONG_WORDS}"
            ),
            "P1",
        ),
        (
            "Card declined",
            "My card was declined, reach me at b@example.org",
            "P3",
        ),
        (
            "Возврат за подписку",
            "Отменил подписку, но деньги не вернулись. Телефон для связи +7 912 345-67-89.",
            "P3",
        ),
        (
            "Invoice address",
            "Please change the address on invoice 4471.",
            "P4",
        ),
    ] {
        let reference = app.file_in("billing", subject, body).await.0;
        let answer = app
            .agent_post(
                &token,
                &format!("/api/v1/agent/tickets/{reference}/priority"),
                &serde_json::json!({ "priority": priority }),
            )
            .await;
        assert!(answer.status().is_success(), "{}", answer.status());
        references.push(reference);
    }
    for (body, internal) in [
        (
            "Проверила в процессинге: два списания по одной авторизации.",
            true,
        ),
        (
            "Видим двойное списание, второе вернём в течение 5 дней.",
            false,
        ),
    ] {
        let answer = app
            .agent_post(
                &token,
                &format!("/api/v1/agent/tickets/{}/replies", references[1]),
                &serde_json::json!({ "body": body, "internal": internal }),
            )
            .await;
        assert!(answer.status().is_success(), "{}", answer.status());
    }
    references
}

#[tokio::test]
async fn an_agent_opens_the_list_and_a_ticket_in_both_languages_with_and_without_javascript() {
    let Some(driver) = Chromedriver::start() else {
        return;
    };
    for run in EVERY_RUN {
        // A desk of its own for each run, so that no run's ticket says the last one's agent
        // was just there.
        let app = TestApp::spawn().await;
        let references = seed_bilingual_queue(&app).await;
        let agent = app
            .add_agent_with_password("bob", "l1", &["billing"], "bob's own long passphrase")
            .await;
        let mut journey = Journey::start(&driver, "agent", run, &app.base).await;
        journey.goto("/agent/login").await;
        journey.check_page().await;
        sign_in(&journey, &agent).await;
        journey.wait_for_path("/agent/tickets").await;
        for reference in &references {
            journey
                .wait_for(&format!("a[href='/agent/tickets/{reference}']"))
                .await;
        }
        journey.check_page().await;
        journey.save_view_screenshot().await;

        journey
            .click(&format!("a[href='/agent/tickets/{}']", references[1]))
            .await;
        journey
            .wait_for_path(&format!("/agent/tickets/{}", references[1]))
            .await;
        let conversation = wait_for_text(&journey.client, ".conversation", "[CARD-1]").await;
        assert!(
            conversation.contains("[EMAIL-1]") && !conversation.contains("4111"),
            "{conversation}"
        );
        journey.check_page().await;
        journey.save_view_screenshot().await;
        journey.finish().await;
    }
}

#[tokio::test]
async fn an_admin_opens_every_admin_page_in_both_languages_with_and_without_javascript() {
    let Some(driver) = Chromedriver::start() else {
        return;
    };
    let app = TestApp::spawn().await;
    app.file_in("security", "Account takeover", "Someone changed my e-mail")
        .await;
    for (i, run) in EVERY_RUN.into_iter().enumerate() {
        let admin = app.add_agent(&format!("ada{i}"), "admin", &[]).await;
        let mut journey = Journey::start(&driver, "admin", run, &app.base).await;
        sign_in(&journey, &admin).await;
        journey.wait_for_path("/agent/tickets").await;
        journey.goto("/admin").await;
        journey.wait_for("main h1").await;
        journey.check_page().await;
        // Every admin page, each with its own layout: facts, tables and forms.
        for path in [
            "/admin/agents",
            "/admin/metrics",
            "/admin/alerts",
            "/admin/sla",
            "/admin/queues",
            "/admin/proofs",
        ] {
            journey.goto(path).await;
            journey.wait_for("main h1").await;
            journey.check_page().await;
        }
        journey.finish().await;
    }
}

/// One queue's workload whose SLA order is neither its priority order, nor its filing order,
/// nor the order of its ids: (subject, priority, minutes since filing). With first replies
/// due 1, 4, 8 and 24 hours after filing for P1–P4, they fall due in 120, 60, 30 and 180
/// minutes. None is late yet: the SLA sweep raises a ticket whose first reply is late to the
/// next tier, which would take it out of the L1 list while the journey runs.
const WORKLOAD: [(&str, &str, i64); 4] = [
    ("Wrong address on the invoice", "P3", 6 * 60),
    ("Locked out after a password change", "P1", 0),
    ("Charged twice for one invoice", "P4", 23 * 60 + 30),
    ("Refund for order 5521", "P2", 60),
];

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .try_into()
        .unwrap()
}

/// Files `WORKLOAD` in the billing queue, backdates each filing and sets its priority through
/// the agent API, which recomputes the due times from the filing. Returns the references in
/// `WORKLOAD`'s order.
async fn seed_workload(app: &TestApp, agent: &TestAgent) -> Vec<String> {
    let token = app.api_login(agent).await;
    let mut references = Vec::new();
    for (subject, priority, minutes_ago) in WORKLOAD {
        let (reference, _) = app
            .file_in(
                "billing",
                subject,
                "Please look into it, reach me at w@example.org.",
            )
            .await;
        let changed = app
            .execute_sql(
                "update tickets set created_at = $1 where reference = $2",
                &[
                    Param::Int(unix_now() - minutes_ago * 60),
                    Param::Text(&reference),
                ],
            )
            .await;
        assert_eq!(changed, 1);
        let answer = app
            .agent_post(
                &token,
                &format!("/api/v1/agent/tickets/{reference}/priority"),
                &serde_json::json!({ "priority": priority }),
            )
            .await;
        assert!(answer.status().is_success(), "{}", answer.status());
        references.push(reference);
    }
    references
}

/// `references` in the order the SLA list must show them, from their stored due times (no
/// ticket has had a reply yet, so the first reply's due time is what counts).
async fn by_due_time(app: &TestApp, references: &[String]) -> Vec<String> {
    let mut due: Vec<(i64, String)> = app
        .query_rows::<(String, i64)>("select reference, first_response_due from tickets", &[])
        .await
        .into_iter()
        .filter(|(reference, _)| references.contains(reference))
        .map(|(reference, due)| (due, reference))
        .collect();
    assert_eq!(due.len(), references.len());
    due.sort();
    due.into_iter().map(|(_, reference)| reference).collect()
}

/// The references of the list's rows, top to bottom.
async fn listed(journey: &Journey) -> Vec<String> {
    let mut references = Vec::new();
    for link in journey
        .client
        .find_all(Locator::Css("tr.ticket-row a.ticket-link"))
        .await
        .unwrap()
    {
        let href = link.attr("href").await.unwrap().unwrap();
        references.push(href.trim_start_matches("/agent/tickets/").to_owned());
    }
    references
}

/// Chooses `value` in the list's select `select` and shows the list again.
async fn filter_list(journey: &Journey, select: &str, value: &str) {
    journey
        .click(&format!("{select} option[value='{value}']"))
        .await;
    journey.click("form.filters button[type=submit]").await;
}

/// The page is drawn inside the staff layout: its navigation and sign-out form around `main`.
async fn assert_staff_layout(journey: &Journey) {
    for css in [
        "body.staff header.site nav a[href='/agent/tickets']",
        "body.staff header.site form[action='/agent/logout']",
        "body.staff main#content h1",
    ] {
        journey.wait_for(css).await;
    }
}

const L1_NOTE: &str = "Checked the processor: two captures for one authorisation.";
const L1_REPLY: &str = "We see the double charge and are passing it to our payments team.";
const ESCALATION_REASON: &str = "Needs a refund only L2 can approve";
const L2_REPLY: &str = "The second charge is reversed; it leaves your statement within 5 days.";

/// The L1 agent's part: the list in SLA order (and by priority), the most urgent ticket
/// worked and escalated, and then gone from the agent's sight. Returns its reference.
async fn l1_works_and_escalates(
    driver: &Chromedriver,
    app: &TestApp,
    run: Run,
    agent: &TestAgent,
    seeded: &[String],
) -> String {
    let by_urgency = by_due_time(app, seeded).await;
    let mut by_priority = seeded.to_vec();
    by_priority.sort_by_key(|reference| {
        let i = seeded.iter().position(|r| r == reference).unwrap();
        WORKLOAD[i].1
    });
    assert_ne!(
        by_urgency, by_priority,
        "the workload must tell the orders apart"
    );
    assert_ne!(
        by_urgency, seeded,
        "the workload must tell the SLA order from the ids'"
    );
    let mut journey = Journey::start(driver, "l1", run, &app.base).await;
    sign_in(&journey, agent).await;
    journey.wait_for_path("/agent/tickets").await;
    journey.wait_for("tr.ticket-row").await;
    assert_eq!(listed(&journey).await, by_urgency, "SLA order by default");
    journey.check_page().await;

    filter_list(&journey, "#order", "priority").await;
    journey
        .wait_for_query("/agent/tickets", "order=priority")
        .await;
    assert_eq!(listed(&journey).await, by_priority, "P1 first");
    journey.check_page().await;

    filter_list(&journey, "#order", "urgency").await;
    journey
        .wait_for_query("/agent/tickets", "order=urgency")
        .await;
    assert_eq!(listed(&journey).await, by_urgency, "SLA order when chosen");
    journey.check_page().await;

    let urgent = by_urgency[0].clone();
    let address = format!("/agent/tickets/{urgent}");
    journey.click(&format!("a[href='{address}']")).await;
    journey.wait_for_path(&address).await;
    journey.wait_for(".conversation").await;
    journey.check_page().await;

    journey.type_into("#note-body", L1_NOTE).await;
    journey.click("#note-form button.btn-note").await;
    wait_for_text(&journey.client, ".conversation", L1_NOTE).await;
    journey.check_page().await;

    journey.type_into("#reply-body", L1_REPLY).await;
    journey.click("#reply-form button.btn-reply").await;
    wait_for_text(&journey.client, ".conversation", L1_REPLY).await;
    journey.check_page().await;

    journey
        .type_into("#escalate-reason", ESCALATION_REASON)
        .await;
    journey
        .click(&format!("form[action='{address}/escalate'] button"))
        .await;
    journey
        .wait_for_query("/agent/tickets", "notice=escalated-away")
        .await;
    journey.wait_for("main p.notice").await;
    // The rest of the queue is still listed, in the same order; the escalated one is not.
    assert_eq!(listed(&journey).await, by_urgency[1..], "after escalating");
    journey.check_page().await;

    journey.goto(&address).await;
    assert_staff_layout(&journey).await;
    assert!(
        journey
            .client
            .find(Locator::Css("#reply-body, .conversation"))
            .await
            .is_err(),
        "the not-found page shows nothing of the ticket"
    );
    journey.check_error_page(404).await;
    journey.finish().await;
    urgent
}

/// The L2 agent's part: finds the escalated ticket by tier, reads the L1's note and reply,
/// takes it and answers.
async fn l2_picks_up(
    driver: &Chromedriver,
    app: &TestApp,
    run: Run,
    agent: &TestAgent,
    seeded: &[String],
    escalated: &str,
) {
    let address = format!("/agent/tickets/{escalated}");
    let mut journey = Journey::start(driver, "l2", run, &app.base).await;
    sign_in(&journey, agent).await;
    journey.wait_for_path("/agent/tickets").await;
    journey.wait_for(&format!("a[href='{address}']")).await;
    let mut everything = listed(&journey).await;
    everything.sort();
    let mut expected = seeded.to_vec();
    expected.sort();
    assert_eq!(everything, expected, "an L2 agent sees the L1 tickets too");
    journey.check_page().await;

    filter_list(&journey, "#tier-filter", "L2").await;
    journey.wait_for_query("/agent/tickets", "tier=L2").await;
    assert_eq!(listed(&journey).await, [escalated], "the L2 tickets only");
    journey.check_page().await;

    journey.click(&format!("a[href='{address}']")).await;
    journey.wait_for_path(&address).await;
    wait_for_text(&journey.client, ".conversation", L1_REPLY).await;
    let mut note_is_internal = None;
    let mut reply_is_internal = None;
    for message in journey
        .client
        .find_all(Locator::Css(".conversation article.message"))
        .await
        .unwrap()
    {
        let text = message.text().await.unwrap();
        let internal = message.find(Locator::Css(".badge.internal")).await.is_ok();
        if text.contains(L1_NOTE) {
            note_is_internal = Some(internal);
        }
        if text.contains(L1_REPLY) {
            reply_is_internal = Some(internal);
        }
    }
    assert_eq!(
        note_is_internal,
        Some(true),
        "the L1's note, marked internal"
    );
    assert_eq!(
        reply_is_internal,
        Some(false),
        "the L1's reply, not internal"
    );
    journey.check_page().await;

    journey.click("#assign-me").await;
    wait_for_text(&journey.client, "dl.facts", &agent.name).await;
    journey.check_page().await;

    journey.type_into("#reply-body", L2_REPLY).await;
    journey.click("#reply-form button.btn-reply").await;
    wait_for_text(&journey.client, ".conversation", L2_REPLY).await;
    journey.check_page().await;
    journey.finish().await;

    let token = app.api_login(agent).await;
    let ticket: serde_json::Value = app
        .agent_get(&token, &format!("/api/v1/agent/tickets/{escalated}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ticket["tier"], 2, "{ticket}");
    assert_eq!(ticket["assignee"], agent.name.as_str(), "{ticket}");
    let messages: Vec<(bool, &str)> = ticket["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["author"] == "agent")
        .map(|m| {
            (
                m["internal"].as_bool().unwrap(),
                m["body"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        messages,
        [
            (true, L1_NOTE),
            (false, L1_REPLY),
            (true, ESCALATION_REASON),
            (false, L2_REPLY)
        ],
        "{ticket}"
    );
}

#[tokio::test]
async fn an_l1_agent_escalates_the_most_urgent_ticket_and_an_l2_agent_takes_it_in_both_languages_with_and_without_javascript()
 {
    let Some(driver) = Chromedriver::start() else {
        return;
    };
    for run in EVERY_RUN {
        // A desk of its own for each run: escalating takes the most urgent ticket out of the
        // L1 list, and every run must start from the same list.
        let app = TestApp::spawn().await;
        let l1 = app.add_agent("lena", "l1", &["billing"]).await;
        let l2 = app.add_agent("maksim", "l2", &["billing"]).await;
        let seeded = seed_workload(&app, &l1).await;
        let escalated = l1_works_and_escalates(&driver, &app, run, &l1, &seeded).await;
        l2_picks_up(&driver, &app, run, &l2, &seeded, &escalated).await;
    }
}

/// Whether the page's form had `css` checked or selected when the server drew it (the
/// attribute, not what a click since then changed).
async fn drawn(journey: &Journey, css: &str) -> bool {
    journey.client.find(Locator::Css(css)).await.is_ok()
}

#[tokio::test]
async fn an_admin_edits_an_agent_is_refused_on_the_last_admin_and_changes_retention_in_both_languages_with_and_without_javascript()
 {
    let Some(driver) = Chromedriver::start() else {
        return;
    };
    for (i, run) in EVERY_RUN.into_iter().enumerate() {
        // A desk of its own for each run: the refusals need exactly one active admin, and
        // the agent edited must start as it was.
        let app = TestApp::spawn().await;
        let admin = app.add_agent("ada", "admin", &[]).await;
        app.add_agent("bea", "admin", &[]).await;
        app.add_agent("lou", "l1", &["billing"]).await;
        let mut journey = Journey::start(&driver, "admin-edit", run, &app.base).await;
        sign_in(&journey, &admin).await;
        journey.wait_for_path("/agent/tickets").await;

        journey.goto("/admin/agents").await;
        journey.wait_for("a[href='/admin/agents/lou']").await;
        journey.check_page().await;

        // Role and queues of another agent, each saved by its own form.
        journey.click("a[href='/admin/agents/lou']").await;
        journey.wait_for_path("/admin/agents/lou").await;
        journey.wait_for("#role option[value=l1][selected]").await;
        journey.check_page().await;
        journey.click("#role option[value=l2]").await;
        journey
            .click("form[action='/admin/agents/lou/role'] button")
            .await;
        journey.wait_for("#role option[value=l2][selected]").await;
        for queue in ["billing", "general", "security"] {
            journey
                .click(&format!("input[name=queue][value={queue}]"))
                .await;
        }
        journey
            .click("form[action='/admin/agents/lou/queues'] button")
            .await;
        journey
            .wait_for("input[name=queue][value=security][checked]")
            .await;
        journey.goto("/admin/agents/lou").await;
        assert!(drawn(&journey, "#role option[value=l2][selected]").await);
        for (queue, member) in [
            ("billing", false),
            ("general", true),
            ("security", true),
            ("vip", false),
        ] {
            let css = format!("input[name=queue][value={queue}][checked]");
            assert_eq!(drawn(&journey, &css).await, member, "{queue} after reload");
        }
        journey.check_page().await;
        let lou = agent_row(&app, "lou").await;
        assert_eq!(lou.role.id(), "l2");
        assert_eq!(lou.queues, ["general", "security"]);

        // The only active admin cannot demote or disable themself. While a second admin is
        // active both are offered; the other admin is disabled meanwhile (from the command
        // line), so the page ada still has open asks for what the desk must now refuse:
        // refused inside the staff layout with the reason, and nothing changes.
        let operator = |args: &[&str]| {
            let output = app.command().args(args).output().unwrap();
            assert!(output.status.success(), "{args:?}: {output:?}");
        };
        journey.goto("/admin/agents/ada").await;
        journey
            .wait_for("#role option[value=admin][selected]")
            .await;
        journey.check_page().await;
        operator(&["agent", "disable", "bea"]);
        journey.click("#role option[value=l1]").await;
        journey
            .click("form[action='/admin/agents/ada/role'] button")
            .await;
        journey.wait_for_path("/admin/agents/ada/role").await;
        journey.wait_for("main .errors[role=alert]").await;
        assert_staff_layout(&journey).await;
        journey.check_error_page(409).await;
        // The refusal's page no longer offers what cannot apply, and says why.
        journey.wait_for("#last-admin").await;
        assert!(!drawn(&journey, "form[action='/admin/agents/ada/role']").await);
        assert!(!drawn(&journey, "form[action='/admin/agents/ada/disable']").await);

        operator(&["agent", "enable", "bea"]);
        journey.goto("/admin/agents/ada").await;
        journey
            .wait_for("form[action='/admin/agents/ada/disable'] button")
            .await;
        operator(&["agent", "disable", "bea"]);
        journey
            .click("form[action='/admin/agents/ada/disable'] button")
            .await;
        journey.wait_for_path("/admin/agents/ada/disable").await;
        journey.wait_for("input[name=confirm][value=yes]").await;
        assert_eq!(journey.status().await, 200);
        journey.check_page().await;
        journey
            .click("form[action='/admin/agents/ada/disable'] button")
            .await;
        journey.wait_for("main .errors[role=alert]").await;
        assert_staff_layout(&journey).await;
        journey.check_error_page(409).await;
        let ada = agent_row(&app, "ada").await;
        assert!(ada.role.id() == "admin" && !ada.disabled, "{ada:?}");

        // Still signed in and still an admin: the retention page opens, and takes a change.
        let days = format!("{}", 400 + i);
        journey.goto("/admin/retention").await;
        journey.wait_for("#days").await;
        assert_eq!(journey.status().await, 200);
        journey.check_page().await;
        // Not a number: refused with the reason, in the page's language.
        journey.click("#scope option[value=default]").await;
        journey.type_into("#days", "12x").await;
        journey
            .click("form[action='/admin/retention'] button")
            .await;
        journey.wait_for("main ul.errors li").await;
        assert_staff_layout(&journey).await;
        assert_in_language(&journey, "main ul.errors li", run.lang).await;
        journey.check_error_page(422).await;
        journey.goto("/admin/retention").await;
        journey.click("#scope option[value=default]").await;
        journey.type_into("#days", &days).await;
        journey
            .click("form[action='/admin/retention'] button")
            .await;
        let shown = wait_for_text(
            &journey.client,
            "main table tbody tr:first-child td:nth-child(2)",
            &days,
        )
        .await;
        assert_eq!(shown, days);
        journey.check_page().await;

        // The audit log, with its filters, holds what this admin changed.
        journey.goto("/admin/audit").await;
        journey.wait_for("form.filters #audit-action").await;
        journey.check_page().await;
        journey.finish().await;
    }
}

/// Every `css` element on the page reads in `lang`: Russian text has Cyrillic letters and
/// English none, whatever the words.
async fn assert_in_language(journey: &Journey, css: &str, lang: Lang) {
    let elements = journey.client.find_all(Locator::Css(css)).await.unwrap();
    assert!(!elements.is_empty(), "no {css}");
    for element in elements {
        let text = element.text().await.unwrap();
        let cyrillic = text.chars().any(|c| ('\u{400}'..='\u{4ff}').contains(&c));
        assert_eq!(cyrillic, lang == Lang::Ru, "{css} in {lang:?}: {text:?}");
    }
}

/// An agent as `hushdesk agent list` shows them.
async fn agent_row(app: &TestApp, name: &str) -> hushdesk::desk::AgentRow {
    app.agents()
        .await
        .into_iter()
        .find(|a| a.name == name)
        .unwrap_or_else(|| panic!("no agent {name}"))
}

/// The keyboard shortcuts follow the key's position, not the letter it types: with a Russian
/// layout the J key types "о", and j/k, n and r must work all the same.
#[tokio::test]
async fn keyboard_shortcuts_work_with_a_russian_keyboard_layout() {
    let Some(driver) = Chromedriver::start() else {
        return;
    };
    let app = TestApp::spawn().await;
    for subject in ["Refund one", "Refund two"] {
        app.file_in("billing", subject, "Charged twice").await;
    }
    let agent = app.add_agent("bob", "l1", &["billing"]).await;
    let run = Run {
        lang: Lang::Ru,
        js: Js::On,
    };
    let mut journey = Journey::start(&driver, "shortcuts", run, &app.base).await;
    sign_in(&journey, &agent).await;
    journey.wait_for_path("/agent/tickets").await;
    journey.wait_for("a.ticket-link").await;
    // Presses the key at `code` as a layout that types `key` would.
    let press = |key: &'static str, code: &'static str| {
        let client = journey.client.clone();
        async move {
            client
                .execute(
                    "document.dispatchEvent(new KeyboardEvent('keydown', \
                     {key: arguments[0], code: arguments[1], bubbles: true, cancelable: true})); \
                     const a = document.activeElement; \
                     return a ? (a.id || a.className || a.tagName) : '';",
                    vec![key.into(), code.into()],
                )
                .await
                .unwrap()
                .as_str()
                .unwrap_or_default()
                .to_owned()
        }
    };
    // A key no shortcut uses moves nothing: the control.
    assert!(!press("ш", "KeyI").await.contains("ticket-link"));
    assert!(
        press("о", "KeyJ").await.contains("ticket-link"),
        "j in a Russian layout"
    );
    assert!(
        press("j", "KeyJ").await.contains("ticket-link"),
        "j in a Latin layout"
    );
    let second = journey
        .client
        .execute(
            "return document.activeElement === document.querySelectorAll('a.ticket-link')[1];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        second,
        serde_json::Value::Bool(true),
        "two presses, second ticket"
    );
    assert!(
        press("л", "KeyK").await.contains("ticket-link"),
        "k in a Russian layout"
    );

    journey.click("a.ticket-link").await;
    journey.wait_for("#note-body").await;
    assert_eq!(
        press("т", "KeyN").await,
        "note-body",
        "n in a Russian layout"
    );
    journey
        .client
        .execute("document.activeElement.blur();", vec![])
        .await
        .unwrap();
    assert_eq!(
        press("к", "KeyR").await,
        "reply-body",
        "r in a Russian layout"
    );
    journey.check_page().await;
    journey.finish().await;
}
