//! The desk around the redactor: mask numbers that follow the value whatever its spelling,
//! the organisation's allowlist (configuration file and admin page), and a preview that
//! shows the stored labels and lets the requester go back and edit.

use fantoccini::Locator;
use serde_json::{Value, json};

use crate::browser::{browser, click, type_into, wait_for_text};
use crate::mail_support::{outcome, plain_mail, send};
use crate::support::{HtmlSession, TestApp, extract_between};

/// Every `[LABEL-n]` in `text`, in order.
fn labels(text: &str) -> Vec<String> {
    regex::Regex::new(r"\[[A-Z_]+-[0-9]+\]")
        .unwrap()
        .find_iter(text)
        .map(|m| m.as_str().to_owned())
        .collect()
}

/// The labels a preview page shows, in order.
fn preview_labels(page: &str) -> Vec<String> {
    regex::Regex::new(r#"<span class="mask"[^>]*>(\[[A-Z_]+-[0-9]+\])</span>"#)
        .unwrap()
        .captures_iter(page)
        .map(|c| c[1].to_owned())
        .collect()
}

/// The bodies of a ticket's messages as an agent of its queue sees them.
async fn bodies(app: &TestApp, token: &str, reference: &str) -> Vec<String> {
    let view: Value = app
        .agent_get(token, &format!("/api/v1/agent/tickets/{reference}"))
        .await
        .json()
        .await
        .unwrap();
    view["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap().to_owned())
        .collect()
}

async fn agent_writes(app: &TestApp, token: &str, reference: &str, body: &str, internal: bool) {
    let response = app
        .agent_post(
            token,
            &format!("/api/v1/agent/tickets/{reference}/replies"),
            &json!({ "body": body, "internal": internal }),
        )
        .await;
    assert!(response.status().is_success(), "{}", response.status());
}

/// (action, detail) of every audit entry about the allowlist, oldest first.
async fn allowlist_audit(app: &TestApp) -> Vec<(String, String)> {
    app.query_rows(
        "select action, detail from audit_log where action like 'allowlist%' order by seq",
        &[],
    )
    .await
}

async fn allow(app: &TestApp, session: &HtmlSession, value: &str) -> reqwest::Response {
    app.html_post(session, "/admin/allowlist", &[("value", value)])
        .await
}

#[tokio::test]
async fn one_value_in_different_spellings_gets_one_mask_across_requester_and_agent_messages() {
    let app = TestApp::spawn().await;
    let agent = app.add_agent("vera", "l1", &["general"]).await;
    let (reference, access) = app
        .file_in(
            "functionality",
            "Callback",
            "Call me on +7 912 345-67-89 (or my wife, +7 912 000-11-22). Mail Ivan@Пример.com.",
        )
        .await;

    let reply = app
        .post_json(
            &format!("/api/v1/tickets/{access}/replies"),
            &json!({ "body": "Again: 8 (912) 345 67 89, ivan@xn--e1afmkfd.com" }),
        )
        .await;
    assert!(reply.status().is_success());
    let token = app.api_login(&agent).await;
    agent_writes(
        &app,
        &token,
        &reference,
        "We will call +79123456789 today.",
        false,
    )
    .await;
    agent_writes(
        &app,
        &token,
        &reference,
        "Tried 8-912-345-67-89, no answer; the other one is 8 912 000 11 22.",
        true,
    )
    .await;

    assert_eq!(
        bodies(&app, &token, &reference).await,
        [
            "Call me on [PHONE-1] (or my wife, [PHONE-2]). Mail [EMAIL-1].",
            "Again: [PHONE-1], [EMAIL-1]",
            "We will call [PHONE-1] today.",
            "Tried [PHONE-1], no answer; the other one is [PHONE-2].",
        ]
    );
}

#[tokio::test]
async fn the_hotline_on_the_allowlist_stays_as_written_in_every_direction_until_removed() {
    let app = TestApp::spawn().await;
    let admin = app.add_agent("ada", "admin", &[]).await;
    let agent = app.add_agent("vera", "l1", &["general"]).await;
    let session = app.html_login(&admin).await;
    assert_eq!(allow(&app, &session, "8-800-555-35-35").await.status(), 303);

    // The requester (web API), the agent (reply and note), mail and the preview.
    let (reference, _) = app
        .file_in(
            "functionality",
            "The hotline sent me",
            "The hotline 8 800 555 35 35 said to write. Me: +7 912 345-67-89.",
        )
        .await;
    let token = app.api_login(&agent).await;
    agent_writes(
        &app,
        &token,
        &reference,
        "Call us on +7 (800) 555-35-35 any time.",
        false,
    )
    .await;
    agent_writes(&app, &token, &reference, "Told them 8(800)555-35-35.", true).await;
    let mailed = send(
        app.smtp,
        false,
        "jo@example.org",
        &["support@localhost"],
        &plain_mail(
            "jo@example.org",
            "support@localhost",
            "Busy line",
            "Your line 8 800 555 35 35 is busy; I am on +7 912 000-11-22",
        ),
    )
    .await;
    assert!(outcome(&mailed).starts_with("250"), "{mailed:?}");
    let preview = app
        .post_form(
            "/tickets/preview",
            &[
                ("subject", "Hotline"),
                ("body", "Called 8 800 555 35 35 from +7 912 345-67-89"),
                ("category", "billing"),
            ],
        )
        .await
        .text()
        .await
        .unwrap();

    assert_eq!(
        bodies(&app, &token, &reference).await,
        [
            "The hotline 8 800 555 35 35 said to write. Me: [PHONE-1].",
            "Call us on +7 (800) 555-35-35 any time.",
            "Told them 8(800)555-35-35.",
        ]
    );
    assert!(
        app.stored_text()
            .await
            .contains("Your line 8 800 555 35 35 is busy; I am on [PHONE-1]")
    );
    assert_eq!(
        preview.matches("</mark> <span class=\"mask\"").count(),
        1,
        "{preview}"
    );
    assert!(preview.contains("+7 912 345-67-89</mark>"), "{preview}");

    // Removed, the hotline is masked again from the next message on.
    let page = app
        .html_get(&session, "/admin/allowlist")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("8-800-555-35-35"), "{page}");
    let id = extract_between(&page, "action=\"/admin/allowlist/", "/remove\"").unwrap();
    let removed = app
        .html_post(&session, &format!("/admin/allowlist/{id}/remove"), &[])
        .await;
    assert_eq!(removed.status(), 303);
    agent_writes(
        &app,
        &token,
        &reference,
        "Call us on +7 (800) 555-35-35 any time.",
        false,
    )
    .await;
    assert_eq!(
        bodies(&app, &token, &reference).await.last().unwrap(),
        "Call us on [PHONE-2] any time."
    );

    // The other admins were alerted to the addition; the one who made it cannot dismiss it.
    let other_admin = app.add_agent("bea", "admin", &[]).await;
    let other_session = app.html_login(&other_admin).await;
    let alerted =
        |page: String| page.contains(&format!("redaction allowlist entry {id} (PHONE) added"));
    assert!(alerted(
        app.html_get(&other_session, "/admin")
            .await
            .text()
            .await
            .unwrap()
    ));
    assert!(!alerted(
        app.html_get(&session, "/admin").await.text().await.unwrap()
    ));

    // Both changes are on the record as configuration changes, without the value.
    let audit = allowlist_audit(&app).await;
    assert_eq!(
        audit,
        [
            (
                "allowlist_added".to_owned(),
                format!("entry={id} kind=PHONE entries=1")
            ),
            (
                "allowlist_removed".to_owned(),
                format!("entry={id} kind=PHONE entries=0")
            ),
        ]
    );
}

#[tokio::test]
async fn only_admins_change_the_allowlist_and_secrets_or_unmasked_values_are_refused() {
    let app = TestApp::spawn().await;
    let admin = app.add_agent("ada", "admin", &[]).await;
    let agent = app.add_agent("lev", "l3", &["general"]).await;
    let agent_session = app.html_login(&agent).await;
    let admin_session = app.html_login(&admin).await;

    assert_eq!(
        app.html_get(&agent_session, "/admin/allowlist")
            .await
            .status(),
        404
    );
    assert_eq!(
        allow(&app, &agent_session, "8-800-555-35-35")
            .await
            .status(),
        404
    );
    let without_csrf = app
        .client
        .post(app.url("/admin/allowlist"))
        .header("cookie", &admin_session.cookie)
        .form(&[("value", "8-800-555-35-35")])
        .send()
        .await
        .unwrap();
    assert_eq!(without_csrf.status(), 403);

    let card = allow(&app, &admin_session, "4111 1111 1111 1111").await;
    assert_eq!(card.status(), 422);
    assert!(card.text().await.unwrap().contains("always masked"));
    let plain = allow(&app, &admin_session, "order 12345").await;
    assert_eq!(plain.status(), 422);
    assert!(plain.text().await.unwrap().contains("would not mask"));
    assert_eq!(app.count_rows("redaction_allowlist").await, 0);

    // Positive control: the admin can add the hotline, once, whatever the spelling.
    assert_eq!(
        allow(&app, &admin_session, "8-800-555-35-35")
            .await
            .status(),
        303
    );
    let again = allow(&app, &admin_session, "+7 (800) 555 35 35").await;
    assert_eq!(again.status(), 409);
    assert_eq!(app.count_rows("redaction_allowlist").await, 1);
}

#[tokio::test]
async fn values_in_the_configuration_file_are_kept_and_shown_to_admins() {
    let app = TestApp::spawn_with(|c| {
        c.redaction.allow = vec!["@bank.example".into(), "8-800-555-35-35".into()];
    })
    .await;
    let admin = app.add_agent("ada", "admin", &[]).await;

    app.file_in(
        "functionality",
        "Wrote",
        "Wrote to Support@Bank.example, called +7 800 555-35-35; reach me at ivan@mail.example",
    )
    .await;

    assert!(
        app.stored_text().await.contains(
            "Wrote to Support@Bank.example, called +7 800 555-35-35; reach me at [EMAIL-1]"
        )
    );
    let session = app.html_login(&admin).await;
    let page = app
        .html_get(&session, "/admin/allowlist")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("<code>@bank.example</code>"), "{page}");
    assert_eq!(page.matches("configuration file</td>").count(), 2, "{page}");
    let again = app
        .html_post(
            &session,
            "/admin/allowlist",
            &[("value", "8 800 555 35 35")],
        )
        .await;
    assert_eq!(again.status(), 409);
}

#[test]
fn a_secret_in_the_configured_allowlist_stops_start_up() {
    let temp = tempfile::tempdir().unwrap();
    let overrides = hushdesk::config::Overrides {
        data_dir: Some(temp.path().to_owned()),
        ..Default::default()
    };
    let mut config = hushdesk::config::Config::load_with(&overrides, &|_| None).unwrap();
    config.redaction.allow = vec!["4111 1111 1111 1111".into()];

    let err = hushdesk::app::load_redactor(&config).unwrap_err();

    assert!(format!("{err:#}").contains("always masked"), "{err:#}");
    config.redaction.allow = vec!["support@bank.example".into()];
    assert!(hushdesk::app::load_redactor(&config).is_ok());
}

#[tokio::test]
async fn the_preview_labels_are_the_labels_the_ticket_is_stored_with() {
    let app = TestApp::spawn().await;
    let subject = "Callback to +7 912 345-67-89";
    let body = "Call 8 (912) 345 67 89 or +7 912 000-11-22.\n\
                Mail a@example.org, b@example.org or A@Example.org.\n\
                Again: +79123456789.";
    let fields = [
        ("subject", subject),
        ("body", body),
        ("category", "billing"),
    ];

    let preview = app
        .post_form("/tickets/preview", &fields)
        .await
        .text()
        .await
        .unwrap();
    let shown = preview_labels(&preview);
    assert_eq!(
        shown,
        [
            "[PHONE-1]",
            "[PHONE-1]",
            "[PHONE-2]",
            "[EMAIL-1]",
            "[EMAIL-2]",
            "[EMAIL-1]",
            "[PHONE-1]"
        ]
    );
    // Keeping one finding must not renumber the others.
    let keep_b = extract_between(
        &preview,
        "b@example.org</mark> <span class=\"mask\" title=\"E-mail addresses\">[EMAIL-2]</span> <label class=\"keep\"><input type=\"checkbox\" name=\"keep\" value=\"",
        "\"",
    )
    .unwrap();
    let mut with_keep = fields.to_vec();
    with_keep.push(("keep", keep_b));
    app.file_via_form(&with_keep).await;

    let stored = app.stored_text().await;
    let mut expected = shown.clone();
    expected.remove(4);
    assert_eq!(labels(&stored), expected, "{stored}");
    assert!(
        stored.contains("Mail [EMAIL-1], b@example.org or [EMAIL-1]."),
        "{stored}"
    );
}

#[tokio::test]
async fn edit_brings_the_form_back_with_every_field_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let preview = app
        .post_form(
            "/tickets/preview",
            &[
                ("subject", "Refund"),
                ("body", "b"),
                ("category", "billing"),
            ],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(
        preview.contains("formaction=\"/tickets/edit\""),
        "{preview}"
    );
    assert!(
        preview.contains("<a href=\"/\">Start again</a>"),
        "{preview}"
    );

    let response = app
        .post_form(
            "/tickets/edit",
            &[
                ("subject", "Refund <now>"),
                ("body", "Line one\nwith \"quotes\" & +7 912 345-67-89"),
                ("category", "billing"),
                ("contact", "jo@example.org"),
                ("pgp_key", "-----BEGIN PGP PUBLIC KEY BLOCK-----\nxyz"),
                ("keep", "body:0:4"),
            ],
        )
        .await;

    assert_eq!(response.status(), 200);
    assert!(response.headers().get("set-cookie").is_none());
    let page = response.text().await.unwrap();
    assert!(page.contains("value=\"Refund &#60;now&#62;\""), "{page}");
    assert!(
        page.contains(">Line one\nwith &#34;quotes&#34; &#38; +7 912 345-67-89</textarea>"),
        "{page}"
    );
    assert!(
        page.contains("<option value=\"billing\" selected>"),
        "{page}"
    );
    assert!(page.contains("value=\"jo@example.org\""), "{page}");
    assert!(
        page.contains("-----BEGIN PGP PUBLIC KEY BLOCK-----\nxyz</textarea>"),
        "{page}"
    );
    assert!(page.contains("<details open>"), "{page}");
    assert_eq!(app.count_rows("tickets").await, 0);
}

#[tokio::test]
async fn a_requester_previews_edits_and_still_has_the_text_in_a_browser_without_javascript() {
    let Some(driver) = browser().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let browser = &driver.client;
    let body = "Charged twice. Call me on +7 912 345-67-89.";

    browser.goto(&app.url("/")).await.unwrap();
    click(browser, "#category option[value=billing]").await;
    type_into(browser, "#subject", "Double charge").await;
    type_into(browser, "#body", body).await;
    click(browser, "details summary").await;
    type_into(browser, "#contact", "jo@example.org").await;
    click(browser, "button[formaction='/tickets/preview']").await;
    let preview = wait_for_text(browser, "main", "[PHONE-1]").await;
    assert!(preview.contains("Check before sending"), "{preview}");
    click(browser, "button[formaction='/tickets/edit']").await;
    wait_for_text(browser, "h1", "Contact support").await;

    let value = |css: &'static str| async move {
        browser
            .find(Locator::Css(css))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .unwrap_or_default()
    };
    assert_eq!(value("#subject").await, "Double charge");
    assert_eq!(value("#body").await, body);
    assert_eq!(value("#category").await, "billing");
    assert_eq!(value("#contact").await, "jo@example.org");
    assert_eq!(app.count_rows("tickets").await, 0);

    // The edited text is what gets sent.
    type_into(browser, "#body", " Thanks.").await;
    click(browser, "form[action='/tickets'] button[type=submit]").await;
    wait_for_text(browser, "h1", "received").await;
    assert!(
        app.stored_text()
            .await
            .contains("Charged twice. Call me on [PHONE-1]. Thanks.")
    );
    driver.client.clone().close().await.unwrap();
}

#[tokio::test]
async fn the_allowlist_takes_only_the_organisations_own_contacts_never_customers_data() {
    let app = TestApp::spawn().await;
    let admin = app.add_agent("ada", "admin", &[]).await;
    let session = app.html_login(&admin).await;

    for (value, reason) in [
        ("192.168.10.24", "personal data"),
        ("00:1A:2B:3C:4D:5E", "personal data"),
        ("@gmail.com", "free-mail"),
        ("@Mail.ru", "free-mail"),
        ("@yandex.kz", "free-mail"),
        ("@pm.me", "free-mail"),
        ("ivan.petrov@yandex.ru", "free-mail"),
        ("jo.smith@outlook.com", "free-mail"),
    ] {
        let refused = allow(&app, &session, value).await;
        assert_eq!(refused.status(), 422, "{value}");
        let page = refused.text().await.unwrap();
        assert!(page.contains(reason), "{value}: {page}");
    }
    // A public suffix is nobody's own domain, whatever the e-mail rule makes of it.
    assert_eq!(allow(&app, &session, "@co.uk").await.status(), 422);
    assert_eq!(allow(&app, &session, "@msk.ru").await.status(), 422);
    assert_eq!(app.count_rows("redaction_allowlist").await, 0);

    // Positive control: the organisation's own domain, address and hotline.
    for value in ["@bank.co.uk", "help@bank.msk.ru", "8-800-555-35-35"] {
        assert_eq!(allow(&app, &session, value).await.status(), 303, "{value}");
    }
    assert_eq!(app.count_rows("redaction_allowlist").await, 3);
}

#[test]
fn free_mail_in_the_configured_allowlist_stops_start_up() {
    let temp = tempfile::tempdir().unwrap();
    let overrides = hushdesk::config::Overrides {
        data_dir: Some(temp.path().to_owned()),
        ..Default::default()
    };
    let mut config = hushdesk::config::Config::load_with(&overrides, &|_| None).unwrap();
    for (value, reason) in [
        ("@gmail.com", "free-mail"),
        ("10.1.2.3", "personal data"),
        ("@com.ru", "public suffix"),
    ] {
        config.redaction.allow = vec![value.into()];
        let err = hushdesk::app::load_redactor(&config).unwrap_err();
        assert!(format!("{err:#}").contains(reason), "{value}: {err:#}");
    }
    config.redaction.allow = vec!["@bank.example".into()];
    assert!(hushdesk::app::load_redactor(&config).is_ok());
}

#[tokio::test]
async fn a_removed_entry_leaves_no_copy_in_the_database_files_and_its_id_is_never_reused() {
    let app = TestApp::spawn().await;
    // The file checks are about SQLite's `secure_delete`; PostgreSQL keeps a deleted row's
    // bytes until `VACUUM FULL` (README, PostgreSQL), so there only the id check runs.
    let check_files = app.postgres_url.is_none();
    let admin = app.add_agent("ada", "admin", &[]).await;
    let session = app.html_login(&admin).await;
    let entry_id = |page: String| {
        extract_between(&page, "action=\"/admin/allowlist/", "/remove\"")
            .unwrap()
            .to_owned()
    };
    assert_eq!(allow(&app, &session, "8-800-555-35-35").await.status(), 303);
    let page = app.html_get(&session, "/admin/allowlist").await;
    let first = entry_id(page.text().await.unwrap());
    // Positive control: the value is in the database files now.
    assert!(
        !check_files
            || !crate::support::files_containing(&app.data_files(), "8-800-555-35-35").is_empty()
    );

    let removed = app
        .html_post(&session, &format!("/admin/allowlist/{first}/remove"), &[])
        .await;
    assert_eq!(removed.status(), 303);

    let files = if check_files {
        app.data_files()
    } else {
        Vec::new()
    };
    for needle in ["8-800-555-35-35", "78005553535"] {
        assert_eq!(
            crate::support::files_containing(&files, needle),
            Vec::<std::path::PathBuf>::new(),
            "{needle}"
        );
    }
    assert_eq!(allow(&app, &session, "8-800-555-35-36").await.status(), 303);
    let page = app.html_get(&session, "/admin/allowlist").await;
    let second = entry_id(page.text().await.unwrap());
    assert_ne!(
        first, second,
        "an id named in the audit log came to mean another entry"
    );
}

#[tokio::test]
async fn a_canned_response_with_personal_data_is_refused_and_old_masked_ones_are_never_inserted() {
    let app = TestApp::spawn().await;
    let admin = app.add_agent("uma", "admin", &[]).await;
    let agent = app.add_agent("vic", "l1", &["general"]).await;
    let session = app.html_login(&admin).await;
    let add = |title: &'static str, body: &'static str| {
        let (app, session) = (&app, &session);
        async move {
            app.html_post(
                session,
                "/admin/canned",
                &[("queue", "general"), ("title", title), ("body", body)],
            )
            .await
        }
    };

    let refused = add("Lead", "To reset, write to helpdesk-lead@example.org.").await;
    assert_eq!(refused.status(), 422);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("ask an admin to allowlist the organisation")
    );
    let token = add("Token", "Write to [EMAIL-1] for a refund.").await;
    assert_eq!(token.status(), 422);
    assert!(
        token
            .text()
            .await
            .unwrap()
            .contains("mask label such as [EMAIL-1]")
    );
    assert_eq!(app.count_rows("canned_responses").await, 0);
    // Positive control: plain text, and the organisation's own allowlisted contact.
    assert_eq!(allow(&app, &session, "@bank.example").await.status(), 303);
    assert_eq!(
        add("Reset", "To reset, write to support@bank.example.")
            .await
            .status(),
        303
    );

    // A canned response saved by an older version, masked on its own.
    app.execute_sql(
        "insert into canned_responses (queue_id, title, body) \
         select id, 'Old', 'Write to [EMAIL-1] for a refund.' from queues where name = 'general'",
        &[],
    )
    .await;
    let ids: Vec<(i64, String)> = app
        .query_rows("select id, title from canned_responses", &[])
        .await;
    let id_of = |title: &str| ids.iter().find(|(_, t)| t == title).unwrap().0;

    let (reference, _) = app
        .file_in("functionality", "Refund", "I am jo@example.org")
        .await;
    let token = app.api_login(&agent).await;
    let path = format!("/api/v1/agent/tickets/{reference}/replies");
    let old = app
        .agent_post(
            &token,
            &path,
            &json!({ "body": "Best, Vic", "canned": id_of("Old"), "internal": false }),
        )
        .await;
    assert_eq!(old.status(), 422);
    let fine = app
        .agent_post(
            &token,
            &path,
            &json!({ "body": "Best, Vic", "canned": id_of("Reset"), "internal": false }),
        )
        .await;
    assert!(fine.status().is_success(), "{}", fine.status());

    assert_eq!(
        bodies(&app, &token, &reference).await,
        [
            "I am [EMAIL-1]",
            "To reset, write to support@bank.example.\n\nBest, Vic",
        ]
    );
}

#[tokio::test]
async fn the_internal_note_box_is_read_strictly_so_a_note_never_becomes_a_reply() {
    let app = TestApp::spawn().await;
    let agent = app.add_agent("vic", "l1", &["general"]).await;
    let (reference, _) = app.file_in("functionality", "Help", "Hello").await;
    let session = app.html_login(&agent).await;
    let path = format!("/agent/tickets/{reference}/reply");

    for odd in ["no", "YES", "checked", ""] {
        let sent = app
            .html_post(
                &session,
                &path,
                &[("body", "secret note"), ("internal", odd)],
            )
            .await;
        assert_eq!(sent.status(), 422, "internal={odd:?}");
    }
    let twice = app
        .html_post(
            &session,
            &path,
            &[
                ("body", "secret note"),
                ("internal", "yes"),
                ("internal", "no"),
            ],
        )
        .await;
    assert_eq!(twice.status(), 422);
    for (value, body) in [
        ("yes", "note yes"),
        ("on", "note on"),
        ("true", "note true"),
        ("1", "note 1"),
    ] {
        let sent = app
            .html_post(&session, &path, &[("body", body), ("internal", value)])
            .await;
        assert_eq!(sent.status(), 303, "internal={value:?}");
    }
    let reply = app
        .html_post(&session, &path, &[("body", "public reply")])
        .await;
    assert_eq!(reply.status(), 303);
    // The JSON API takes only a boolean.
    let token = app.api_login(&agent).await;
    let api = app
        .agent_post(
            &token,
            &format!("/api/v1/agent/tickets/{reference}/replies"),
            &json!({ "body": "api note", "internal": "no" }),
        )
        .await;
    assert!(api.status().is_client_error(), "{}", api.status());

    let view: Value = app
        .agent_get(&token, &format!("/api/v1/agent/tickets/{reference}"))
        .await
        .json()
        .await
        .unwrap();
    let messages: Vec<(String, bool)> = view["messages"]
        .as_array()
        .unwrap()
        .iter()
        .skip(1)
        .map(|m| {
            (
                m["body"].as_str().unwrap().to_owned(),
                m["internal"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        messages,
        [
            ("note yes".to_owned(), true),
            ("note on".to_owned(), true),
            ("note true".to_owned(), true),
            ("note 1".to_owned(), true),
            ("public reply".to_owned(), false),
        ]
    );
}

#[tokio::test]
async fn the_preview_shows_where_replies_go_and_to_which_key() {
    let app = TestApp::spawn().await;
    let key = app.get("/pgp-key.asc").await.text().await.unwrap();
    let fingerprint = hushdesk::crypto::RequesterKey::parse(&key)
        .unwrap()
        .fingerprint;

    let page = app
        .post_form(
            "/tickets/preview",
            &[
                ("subject", "Refund"),
                ("body", "Please refund"),
                ("category", "billing"),
                ("contact", "attacker@evil.example"),
                ("pgp_key", key.as_str()),
            ],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Replies will be sent to: <strong>attacker@evil.example</strong>"),
        "{page}"
    );
    assert!(page.contains(&fingerprint), "{page}");

    let unreadable = app
        .post_form(
            "/tickets/preview",
            &[
                ("subject", "Refund"),
                ("body", "Please refund"),
                ("category", "billing"),
                ("pgp_key", "-----BEGIN PGP PUBLIC KEY BLOCK-----\n<b>x</b>"),
            ],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(unreadable.contains("a key is attached"), "{unreadable}");
    assert!(unreadable.contains("No contact address"), "{unreadable}");
    assert!(!unreadable.contains("<b>x</b>"), "{unreadable}");
}

#[tokio::test]
async fn heavy_previews_do_not_hold_up_the_health_check() {
    use std::io::{Read, Write};
    use std::time::{Duration, Instant};

    let app = TestApp::spawn_with(|c| c.max_body_bytes = 512 * 1024).await;
    let body = "1 ".repeat(48 * 1024);
    let heavy = || {
        let (client, url, body) = (
            app.client.clone(),
            app.url("/tickets/preview"),
            body.clone(),
        );
        tokio::spawn(async move {
            let started = Instant::now();
            let response = client
                .post(url)
                .form(&[
                    ("subject", "Digits"),
                    ("body", body.as_str()),
                    ("category", "billing"),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            started.elapsed()
        })
    };
    // The health check is timed from a thread of its own, over a raw socket: a clock on the
    // test's runtime would stop while a blocked server shares that runtime.
    let address = app.url("").trim_start_matches("http://").to_owned();
    let probe = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(500));
        let started = Instant::now();
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        (started.elapsed(), response)
    });
    let previews: Vec<_> = (0..4).map(|_| heavy()).collect();

    let mut slowest = Duration::ZERO;
    for preview in previews {
        slowest = slowest.max(preview.await.unwrap());
    }
    let (waited, response) = tokio::task::spawn_blocking(move || probe.join().unwrap())
        .await
        .unwrap();

    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    // The previews must really be heavy, or a quick health check proves nothing.
    assert!(
        slowest > Duration::from_secs(2),
        "previews took {slowest:?}"
    );
    eprintln!("healthz answered in {waited:?} while previews took up to {slowest:?}");
    assert!(
        waited < Duration::from_millis(1000),
        "healthz waited {waited:?} while previews took {slowest:?}"
    );
}

#[tokio::test]
async fn a_secret_given_once_stays_masked_in_the_subject_and_in_later_messages() {
    let mut app = TestApp::spawn().await;
    let secret = "Sup3rS3cretPass!";
    let (_, token, _) = app
        .file_via_api(
            &format!("{secret} does not work"),
            &format!("My password: {secret} and the app says no."),
            json!({}),
        )
        .await;
    // A later message repeats it with no cue at all.
    let reply = app
        .post_json(
            &format!("/api/v1/tickets/{token}/replies"),
            &json!({ "body": format!("I tried {secret} again, and {secret}! too") }),
        )
        .await;
    assert_eq!(reply.status(), 201);

    let ticket: Value = app
        .get(&format!("/api/v1/tickets/{token}"))
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
    assert_eq!(bodies.len(), 2, "{ticket}");
    assert!(
        bodies[1].contains("I tried [PASSWORD-1] again"),
        "{bodies:?}"
    );
    let stored = app.stored_text().await;
    assert!(stored.contains("[PASSWORD-1] does not work"), "{stored}");
    assert!(!stored.contains("Sup3rS3cret"), "{stored}");
    // Positive control: an ordinary long word in the same ticket is left alone.
    assert!(stored.contains("does not work"), "{stored}");
    app.stop().await;
}
