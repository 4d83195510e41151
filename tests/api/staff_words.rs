//! Staff pages speak the reader's language all through: alert kinds and details, refusals of
//! forms and canned responses, queue names in any script.

use crate::support::*;

/// Raw ids and English wording that a Russian staff page must never show.
const NOT_ON_A_RUSSIAN_PAGE: [&str; 18] = [
    "queue_renamed",
    "queue_changed",
    "member_added",
    "probing",
    "agent_disabled",
    "renamed queue",
    "restricted=",
    "was added to restricted queue",
    "distinct tickets",
    "threshold",
    "disabled the account",
    "choose a status",
    "mask label such as",
    "canned response",
    "Status</strong>",
    "may hold only",
    // A field error always names its field: never a bare colon.
    "<strong></strong>",
    "<li>: ",
];

/// The page at `path` with `?lang=` set, as the signed-in `session` sees it.
async fn page_in(app: &TestApp, session: &HtmlSession, path: &str, lang: &str) -> (u16, String) {
    let joiner = if path.contains('?') { '&' } else { '?' };
    let response = app
        .html_get(session, &format!("{path}{joiner}lang={lang}"))
        .await;
    (response.status().as_u16(), response.text().await.unwrap())
}

/// A form posted with `?lang=`; the answer's status and page.
async fn post_in(
    app: &TestApp,
    session: &HtmlSession,
    path: &str,
    lang: &str,
    fields: &[(&str, &str)],
) -> (u16, String) {
    let response = app
        .html_post(session, &format!("{path}?lang={lang}"), fields)
        .await;
    (response.status().as_u16(), response.text().await.unwrap())
}

fn assert_no_english(page: &str, what: &str) {
    for needle in NOT_ON_A_RUSSIAN_PAGE {
        assert!(!page.contains(needle), "{needle:?} on {what}: {page}");
    }
}

#[tokio::test]
async fn alerts_read_as_words_in_russian_and_english() {
    let app = TestApp::spawn_with(|c| c.agents.probe_alert_threshold = 2).await;
    let alice = app.add_agent("alice", "admin", &[]).await;
    let bea = app.add_agent("bea", "admin", &[]).await;
    let carl = app.add_agent("carl", "l1", &["general"]).await;
    let alice_session = app.html_login(&alice).await;
    // Alerts of several kinds, raised by alice (so bea sees them) and by carl probing.
    for (path, fields) in [
        ("/admin/queues/billing/rename", vec![("name", "payments")]),
        ("/admin/queues/payments/flags", vec![("restricted", "yes")]),
        (
            "/admin/queues/payments/members",
            vec![("agent", "carl"), ("owner", "")],
        ),
        ("/admin/agents/carl/disable", vec![("confirm", "yes")]),
        ("/admin/agents/carl/enable", vec![("confirm", "yes")]),
    ] {
        let response = app.html_post(&alice_session, path, &fields).await;
        assert_eq!(response.status(), 303, "{path}");
    }
    let token = app.api_login(&carl).await;
    for guess in ["HD-ZZZZ9998", "HD-ZZZZ9997"] {
        let path = format!("/api/v1/agent/tickets/{guess}");
        assert_eq!(app.agent_get(&token, &path).await.status(), 404);
    }
    let bea_session = app.html_login(&bea).await;

    for path in ["/admin/alerts", "/admin"] {
        let (status, russian) = page_in(&app, &bea_session, path, "ru").await;
        assert_eq!(status, 200, "{path}");
        for words in [
            ">Очередь переименована<",
            "alice: очередь billing переименована в payments",
            ">Изменены настройки очереди<",
            "закрытая: да",
            ">Участник закрытой очереди<",
            ">Отключена учётная запись<",
            ">Перебор обращений<",
            "(порог 2)",
        ] {
            assert!(
                russian.contains(words),
                "{words:?} missing on {path}: {russian}"
            );
        }
        assert_no_english(&russian, path);

        // Positive control: the same alerts in English, as words too.
        let (_, english) = page_in(&app, &bea_session, path, "en").await;
        for words in [
            ">Queue renamed<",
            "alice renamed queue billing to payments",
            "restricted: yes",
            "carl was added to restricted queue payments by alice",
            "alice disabled the account carl",
            ">Probing for tickets<",
            "(threshold 2)",
        ] {
            assert!(
                english.contains(words),
                "{words:?} missing on {path}: {english}"
            );
        }
        for id in ["queue_renamed", "probing<", "member_added"] {
            assert!(!english.contains(id), "{id} on {path}: {english}");
        }
    }
}

#[tokio::test]
async fn refusals_on_ticket_and_admin_pages_read_in_russian() {
    let app = TestApp::spawn().await;
    let admin = app.add_agent("uma", "admin", &[]).await;
    let agent = app.add_agent("vic", "l1", &["general"]).await;
    let (reference, _) = app.file_in("functionality", "Кнопка", "Не работает").await;
    let session = app.html_login(&agent).await;

    let ticket = format!("/agent/tickets/{reference}");
    let (status, page) = page_in(&app, &session, &ticket, "ru").await;
    assert_eq!(status, 200);
    assert!(page.contains("<html lang=\"ru\""), "{page}");
    assert_no_english(&page, "the ticket page");

    for (lang, words, field) in [
        ("ru", "выберите статус", "<strong>Статус</strong>"),
        ("en", "choose a status", "<strong>Status</strong>"),
    ] {
        let (status, refused) = post_in(
            &app,
            &session,
            &format!("{ticket}/status"),
            lang,
            &[("status", "sleeping")],
        )
        .await;
        assert_eq!(status, 422);
        assert!(refused.contains(words), "{lang}: {refused}");
        assert!(refused.contains(field), "{lang}: {refused}");
        if lang == "ru" {
            assert_no_english(&refused, "the refused status");
        }
    }
    let (status, refused) = post_in(
        &app,
        &session,
        &format!("{ticket}/move"),
        "ru",
        &[("queue", "no/such"), ("reason", "x")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(refused.contains("<strong>Очередь</strong>"), "{refused}");
    assert!(refused.contains("только буквы и цифры"), "{refused}");
    assert_no_english(&refused, "the refused move");

    let admin_session = app.html_login(&admin).await;
    for (lang, words) in [
        ("ru", "метки маски, такой как [EMAIL-1]"),
        ("en", "mask label such as [EMAIL-1]"),
    ] {
        let (status, refused) = post_in(
            &app,
            &admin_session,
            "/admin/canned",
            lang,
            &[
                ("queue", "general"),
                ("title", "Refund"),
                ("body", "Write to [EMAIL-1] for a refund."),
            ],
        )
        .await;
        assert_eq!(status, 422);
        assert!(refused.contains(words), "{lang}: {refused}");
        if lang == "ru" {
            assert_no_english(&refused, "the refused canned response");
        }
    }
    let (_, refused) = post_in(
        &app,
        &admin_session,
        "/admin/agents",
        "ru",
        &[("name", "new"), ("role", "l1"), ("queue", "bad/queue")],
    )
    .await;
    assert!(
        refused.contains("Название очереди: может содержать"),
        "{refused}"
    );
    assert_no_english(&refused, "the refused new agent");
}

#[tokio::test]
async fn a_queue_named_in_cyrillic_is_created_renamed_routed_and_worked() {
    let app = TestApp::spawn().await;
    let admin = app.add_agent("ada", "admin", &[]).await;
    let session = app.html_login(&admin).await;
    let created = app
        .html_post(&session, "/admin/queues", &[("name", "Поддержка-карт")])
        .await;
    assert_eq!(created.status(), 303);
    let page = app
        .html_get(&session, "/admin/queues")
        .await
        .text()
        .await
        .unwrap();
    // Names are kept in one spelling (lower case), and links carry them percent-encoded.
    let encoded = "%D0%BF%D0%BE%D0%B4%D0%B4%D0%B5%D1%80%D0%B6%D0%BA%D0%B0-%D0%BA%D0%B0%D1%80%D1%82";
    assert!(page.contains("поддержка-карт"), "{page}");
    assert!(
        page.contains(&format!("action=\"/admin/queues/{encoded}/rename\"")),
        "{page}"
    );

    let renamed = app
        .html_post(
            &session,
            &format!("/admin/queues/{encoded}/rename"),
            &[("name", "Карты")],
        )
        .await;
    assert_eq!(renamed.status(), 303);
    let routed = app
        .html_post(
            &session,
            "/admin/routing",
            &[("category", "billing"), ("queue", "карты")],
        )
        .await;
    assert_eq!(routed.status(), 303);
    let member = app.add_agent("kira", "l1", &["Карты"]).await;
    let outsider = app.add_agent("otto", "l1", &["general"]).await;
    let (reference, _) = app.file_in("billing", "Списание", "Дважды").await;

    let kira = app.html_login(&member).await;
    let list = app
        .html_get(&kira, "/agent/tickets")
        .await
        .text()
        .await
        .unwrap();
    assert!(list.contains(&reference), "{list}");
    let filtered = app
        .html_get(&kira, &format!("/agent/tickets?queue={encoded}"))
        .await;
    assert_eq!(filtered.status(), 200);
    // Positive control: an agent outside the queue does not see the ticket.
    let otto = app.html_login(&outsider).await;
    let other = app
        .html_get(&otto, "/agent/tickets")
        .await
        .text()
        .await
        .unwrap();
    assert!(!other.contains(&reference), "{other}");

    // Control characters, direction marks and bare dots stay refused.
    for bad in ["карты\u{202e}", "a b", "..", "tab\there"] {
        let refused = app
            .html_post(&session, "/admin/queues", &[("name", bad)])
            .await;
        assert_eq!(refused.status(), 422, "{bad:?}");
    }
}

/// The unread count in the staff navigation, as a page shows it (0 when no badge).
fn unread(page: &str) -> i64 {
    extract_between(page, "class=\"badge count\">", "<")
        .map(|n| n.parse().unwrap())
        .unwrap_or(0)
}

#[tokio::test]
async fn every_staff_page_shows_the_unread_notification_count() {
    let app = TestApp::spawn().await;
    let admin = app.add_agent("ada", "admin", &["billing"]).await;
    let session = app.html_login(&admin).await;
    let pages = [
        "/admin",
        "/admin/queues",
        "/admin/sla",
        "/admin/alerts",
        "/admin/agents",
        "/admin/agents/ada",
        "/agent/account",
        "/agent/break-glass",
        "/agent/tickets",
        // An error in the staff layout counts too.
        "/agent/tickets/HD-0Z0Z789A",
    ];
    // Positive control: nothing unread yet, so no page shows a count.
    for path in pages {
        let page = app.html_get(&session, path).await.text().await.unwrap();
        assert_eq!(unread(&page), 0, "{path}");
    }
    app.file_in("billing", "Charge", "Twice").await;
    for path in pages {
        let page = app.html_get(&session, path).await.text().await.unwrap();
        assert_eq!(unread(&page), 1, "{path}: {page}");
    }
}

#[tokio::test]
async fn a_queue_move_is_audited_with_queue_names_not_ids() {
    let app = TestApp::spawn().await;
    let agent = app.add_agent("mo", "l1", &["billing", "general"]).await;
    let (reference, _) = app.file_in("billing", "Charge", "Twice").await;
    let session = app.html_login(&agent).await;
    let moved = app
        .html_post(
            &session,
            &format!("/agent/tickets/{reference}/move"),
            &[("queue", "general"), ("reason", "Not a billing matter")],
        )
        .await;
    assert_eq!(moved.status(), 303);
    let details: Vec<String> = app
        .query_values(
            "select detail from audit_log where action = 'move' order by seq",
            &[],
        )
        .await;
    assert_eq!(details, ["from=billing to=general"]);
}

#[tokio::test]
async fn a_refused_allowlist_entry_reads_in_the_admins_language() {
    let app = TestApp::spawn().await;
    let admin = app.add_agent("ada", "admin", &[]).await;
    let session = app.html_login(&admin).await;
    for (lang, words) in [
        ("ru", "всегда маскируется, и разрешить его нельзя"),
        ("en", "it is always masked and cannot be allowed"),
    ] {
        let (status, refused) = post_in(
            &app,
            &session,
            "/admin/allowlist",
            lang,
            &[("value", "4111 1111 1111 1111")],
        )
        .await;
        assert_eq!(status, 422);
        assert!(refused.contains(words), "{lang}: {refused}");
        if lang == "ru" {
            assert!(refused.contains("<strong>Значение</strong>"), "{refused}");
            assert!(!refused.contains("always masked"), "{refused}");
        }
    }
}
