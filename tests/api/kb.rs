//! The knowledge base: editors write and publish through the pages, requesters read and
//! search with Russian and English word forms, decision trees are walked with GETs only,
//! a resolved ticket's reply becomes a draft from its masked text, Markdown is sanitised,
//! and the search words reach neither the logs nor the database.

use std::io::Write;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use crate::support::{HtmlSession, TestApp, extract_between, files_containing};

const ARTICLE: &[(&str, &str)] = &[
    ("queue", "general"),
    ("slug", "reset-password"),
    ("category", "account"),
    ("title_en", "Reset your password"),
    (
        "body_en",
        "Open **Settings**, choose *Security* and press the reset button. \
         The new password arrives by mail.",
    ),
    ("title_ru", "Как сбросить пароль"),
    (
        "body_ru",
        "Откройте **Настройки**, раздел «Безопасность», и нажмите кнопку сброса пароля. \
         Новый пароль придёт письмом.",
    ),
];

const TREE: &str = "::: start\nDoes the app open?\n\n- [Yes](#opens)\n- [No](#closed)\n\n\
                    ::: opens\nDoes sign-in fail?\n\n- [Yes](#reinstall)\n\n\
                    ::: closed\nRestart the phone, then try again.\n\n\
                    ::: reinstall\nReinstall the app: zanswerstep.\n";

/// A desk with an admin and an editor of `general` (granted through the admin page).
struct Kb {
    app: TestApp,
    admin: HtmlSession,
    editor: HtmlSession,
}

async fn desk_with_editor() -> Kb {
    desk_with_editor_on(TestApp::spawn().await).await
}

async fn desk_with_editor_on(app: TestApp) -> Kb {
    let admin = app.add_agent("root", "admin", &[]).await;
    let editor = app.add_agent("writer", "l1", &["general"]).await;
    let admin = app.html_login(&admin).await;
    let granted = app
        .html_post(
            &admin,
            "/admin/kb-editors",
            &[("agent", "writer"), ("queue", "general")],
        )
        .await;
    assert_eq!(granted.status(), 303);
    let editors = app.html_get(&admin, "/admin/kb-editors").await;
    assert!(editors.text().await.unwrap().contains("writer"));
    let editor = app.html_login(&editor).await;
    Kb { app, admin, editor }
}

impl Kb {
    /// Saves a new article; the id from the redirect.
    async fn save(&self, fields: &[(&str, &str)]) -> i64 {
        let saved = self.app.html_post(&self.editor, "/agent/kb", fields).await;
        assert_eq!(saved.status(), 303, "{}", saved.text().await.unwrap());
        let location = saved.headers()["location"].to_str().unwrap().to_owned();
        extract_between(&location, "/agent/kb/", "?")
            .unwrap()
            .parse()
            .unwrap()
    }

    async fn publish(&self, id: i64) {
        let published = self
            .app
            .html_post(&self.editor, &format!("/agent/kb/{id}/publish"), &[])
            .await;
        assert_eq!(published.status(), 303);
    }

    async fn page(&self, path: &str) -> (u16, String) {
        let response = self.app.get(path).await;
        (response.status().as_u16(), response.text().await.unwrap())
    }

    async fn search(&self, q: &str) -> String {
        let path = format!("/kb/search?q={}", percent(q));
        let (status, page) = self.page(&path).await;
        assert_eq!(status, 200);
        page
    }
}

fn percent(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// The one-time key a page's vote form carries.
fn vote_key(page: &str) -> String {
    extract_between(page, "name=\"key\" value=\"", "\"")
        .unwrap_or_else(|| panic!("no vote key in {page}"))
        .to_owned()
}

impl Kb {
    /// Answers "Did this help?" as a reader of the article's page would.
    async fn answer(&self, slug: &str, helped: &str) -> reqwest::Response {
        let (status, page) = self.page(&format!("/kb/{slug}")).await;
        assert_eq!(status, 200);
        self.app
            .post_form(
                &format!("/kb/{slug}"),
                &[("helped", helped), ("key", &vote_key(&page))],
            )
            .await
    }
}

fn found(page: &str, slug: &str) -> bool {
    page.contains(&format!("href=\"/kb/{slug}\"")) && page.contains("id=\"kb-results\"")
}

#[tokio::test]
async fn a_published_article_is_found_by_russian_and_english_word_forms_and_a_draft_is_not() {
    let kb = desk_with_editor().await;
    let id = kb.save(ARTICLE).await;

    // A draft is neither public nor found.
    assert_eq!(kb.page("/kb/reset-password").await.0, 404);
    assert!(!found(&kb.search("пароль").await, "reset-password"));

    kb.publish(id).await;

    for query in ["пароль", "паролем", "пароля", "resetting", "Passwords"] {
        assert!(
            found(&kb.search(query).await, "reset-password"),
            "{query} does not find the article"
        );
    }
    // Negative control: words in no article find nothing.
    let nothing = kb.search("zqxunrelated подоконник").await;
    assert!(nothing.contains("id=\"kb-no-results\""), "{nothing}");
    assert!(!found(&nothing, "reset-password"));

    let (status, english) = kb.page("/kb/reset-password?lang=en").await;
    assert_eq!(status, 200);
    assert!(english.contains("Reset your password"));
    assert!(english.contains("<strong>Settings</strong>"));
    assert!(
        english.contains("href=\"/kb/reset-password?lang=ru\""),
        "{english}"
    );
    let (_, russian) = kb.page("/kb/reset-password?lang=ru").await;
    assert!(russian.contains("Как сбросить пароль"));
    let (_, listing) = kb.page("/kb").await;
    assert!(listing.contains("id=\"kb-category-account\""));

    let actions: Vec<String> = kb
        .app
        .query_values("select action from audit_log where action like 'kb_%'", &[])
        .await;
    for action in [
        "kb_editor_granted",
        "kb_article_saved",
        "kb_article_published",
    ] {
        assert!(actions.iter().any(|a| a == action), "{action}: {actions:?}");
    }
}

#[tokio::test]
async fn the_preview_suggests_an_article_about_the_filing_and_can_be_given_up() {
    let kb = desk_with_editor().await;
    let id = kb.save(ARTICLE).await;
    kb.publish(id).await;

    let preview = |body: &'static str| {
        let app = &kb.app;
        async move {
            app.post_form(
                "/tickets/preview",
                &[
                    ("subject", "Help"),
                    ("body", body),
                    ("category", "functionality"),
                ],
            )
            .await
            .text()
            .await
            .unwrap()
        }
    };
    let about = preview("Я забыл пароль и не могу войти, пишите на jo@example.org").await;
    assert!(about.contains("id=\"kb-suggestions\""), "{about}");
    assert!(about.contains("href=\"/kb/reset-password\""));
    assert!(about.contains("target=\"_blank\" rel=\"noopener noreferrer\""));
    // The typed text stays on the preview, ready to send.
    assert!(about.contains("Я забыл пароль"));
    let unrelated = preview("The printer on the third floor jams every morning").await;
    assert!(!unrelated.contains("id=\"kb-suggestions\""), "{unrelated}");

    let key = vote_key(&about);
    let answered = kb
        .app
        .post_form("/tickets/answered", &[("key", &key)])
        .await;
    assert_eq!(answered.status(), 200);
    assert!(answered.text().await.unwrap().contains("kb-answered-title"));
    assert_eq!(kb.app.count_rows("tickets").await, 0);
    let deflected = || async {
        kb.app
            .query_values::<i64>("select count from kb_deflections", &[])
            .await
    };
    assert_eq!(deflected().await, [1]);
    // One preview counts once: the same key again, no key, or an article's key for
    // "Did this help?" each still answer, but count nothing.
    let (_, article) = kb.page("/kb/reset-password").await;
    for key in [key.as_str(), "", &vote_key(&article)] {
        let again = kb.app.post_form("/tickets/answered", &[("key", key)]).await;
        assert_eq!(again.status(), 200);
    }
    assert_eq!(deflected().await, [1]);
    // Another preview is another key, and counts.
    let second = preview("Пароль не подходит, как сбросить пароль?").await;
    let answered = kb
        .app
        .post_form("/tickets/answered", &[("key", &vote_key(&second))])
        .await;
    assert_eq!(answered.status(), 200);
    assert_eq!(deflected().await, [2]);
}

/// The one sample of `name` on `/metrics`, if there is one.
fn sample<'a>(metrics: &'a str, name: &str) -> Option<&'a str> {
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
}

#[tokio::test]
async fn did_this_help_and_given_up_filings_reach_the_leads_figures() {
    let kb = desk_with_editor_on(TestApp::spawn_with(|c| c.metrics_public = true).await).await;
    let metrics = || async { kb.app.get("/metrics").await.text().await.unwrap() };
    let admin_page = || async {
        let page = kb.app.html_get(&kb.admin, "/admin/metrics?days=7").await;
        assert_eq!(page.status(), 200);
        page.text().await.unwrap()
    };
    // Before anyone answers, both places say there is nothing to show.
    let before = metrics().await;
    assert!(
        sample(&before, "hushdesk_tickets_stored").is_some(),
        "{before}"
    );
    assert_eq!(sample(&before, "hushdesk_kb_deflections"), None);
    assert!(admin_page().await.contains("id=\"kb-no-data\""));

    let id = kb.save(ARTICLE).await;
    kb.publish(id).await;
    for answer in ["yes", "yes", "yes", "no"] {
        assert_eq!(kb.answer("reset-password", answer).await.status(), 303);
    }
    // A page anywhere posting without a preview counts nothing.
    for _ in 0..5 {
        let forged = kb.app.post_form("/tickets/answered", &[]).await;
        assert_eq!(forged.status(), 200);
    }
    let preview = kb
        .app
        .post_form(
            "/tickets/preview",
            &[
                ("subject", "Password"),
                ("body", "How do I reset my password?"),
                ("category", "functionality"),
            ],
        )
        .await
        .text()
        .await
        .unwrap();
    let answered = kb
        .app
        .post_form("/tickets/answered", &[("key", &vote_key(&preview))])
        .await;
    assert_eq!(answered.status(), 200);
    for n in 0..3 {
        kb.app
            .file_in(
                "functionality",
                "Printer",
                &format!("The printer jams, day {n}"),
            )
            .await;
    }

    let after = metrics().await;
    assert_eq!(
        sample(&after, "hushdesk_kb_answers{answer=\"helped\"}"),
        Some("3")
    );
    assert_eq!(
        sample(&after, "hushdesk_kb_answers{answer=\"not_helped\"}"),
        Some("1")
    );
    assert_eq!(sample(&after, "hushdesk_kb_helpful_ratio"), Some("0.7500"));
    assert_eq!(sample(&after, "hushdesk_kb_deflections"), Some("1"));
    // One filing given up, three filed.
    assert_eq!(
        sample(&after, "hushdesk_self_service_ratio"),
        Some("0.2500")
    );
    let page = admin_page().await;
    assert!(!page.contains("id=\"kb-no-data\""), "{page}");
    assert!(
        page.contains("class=\"kb-helpful\" data-value=\"0.7500\""),
        "{page}"
    );
    assert!(
        page.contains("class=\"kb-self-service\" data-value=\"0.2500\""),
        "{page}"
    );
}

#[tokio::test]
async fn a_decision_tree_is_walked_with_gets_and_an_invalid_tree_is_refused() {
    let kb = desk_with_editor().await;
    let orphaned = format!("{TREE}::: lost\nNo answer leads here.\n");
    let refused = kb
        .app
        .html_post(
            &kb.editor,
            "/agent/kb",
            &[
                ("queue", "general"),
                ("slug", "app-trouble"),
                ("category", "apps"),
                ("tree", "on"),
                ("title_en", "The app does not work"),
                ("body_en", &orphaned),
            ],
        )
        .await;
    assert_eq!(refused.status(), 422);
    let refusal = refused.text().await.unwrap();
    assert!(refusal.contains("id=\"kb-error-body-en\""), "{refusal}");
    assert!(refusal.contains("lost"), "the refusal names the step");
    assert_eq!(kb.app.count_rows("kb_articles").await, 0);

    // An address the knowledge base's own pages take is refused, not saved unreadable.
    let reserved = kb
        .app
        .html_post(
            &kb.editor,
            "/agent/kb",
            &[
                ("queue", "general"),
                ("slug", "search"),
                ("category", "apps"),
                ("title_en", "Search tips"),
                ("body_en", "Use fewer words."),
            ],
        )
        .await;
    assert_eq!(reserved.status(), 422);
    let refusal = reserved.text().await.unwrap();
    assert!(refusal.contains("id=\"kb-error-slug\""), "{refusal}");
    assert_eq!(kb.app.count_rows("kb_articles").await, 0);

    let id = kb
        .save(&[
            ("queue", "general"),
            ("slug", "app-trouble"),
            ("category", "apps"),
            ("tree", "on"),
            ("title_en", "The app does not work"),
            ("body_en", TREE),
        ])
        .await;
    kb.publish(id).await;

    let (status, start) = kb.page("/kb/app-trouble?lang=en").await;
    assert_eq!(status, 200);
    assert!(start.contains("Does the app open?"));
    let next = extract_between(&start, "<a href=\"/kb/app-trouble/opens", "\"")
        .map(|rest| format!("/kb/app-trouble/opens{rest}"))
        .expect("an answer links to the next step");
    let (_, opens) = kb.page(&next.replace("&amp;", "&")).await;
    assert!(opens.contains("Does sign-in fail?"), "{opens}");
    let (status, answer) = kb.page("/kb/app-trouble/reinstall?lang=en").await;
    assert_eq!(status, 200);
    assert!(answer.contains("zanswerstep"));
    assert_eq!(kb.page("/kb/app-trouble/nowhere").await.0, 404);
}

#[tokio::test]
async fn a_resolved_replys_draft_holds_only_masked_text_and_only_an_editor_may_make_it() {
    let kb = desk_with_editor().await;
    let app = &kb.app;
    let other = app.add_agent("reader", "l1", &["general"]).await;
    // An editor, but of another queue (and a member of this one): no draft either.
    let elsewhere = app
        .add_agent("elsewhere", "l1", &["general", "billing"])
        .await;
    let other_token = app.api_login(&other).await;
    let (reference, _, _) = app
        .file_via_api(
            "Cannot sign in",
            "Write to zcanary.kb@example.org please",
            json!({"category": "functionality"}),
        )
        .await;
    let ticket: Value = app
        .agent_get(&other_token, &format!("/api/v1/agent/tickets/{reference}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ticket["queue"], "general", "{ticket}");
    let replied = app
        .agent_post(
            &other_token,
            &format!("/api/v1/agent/tickets/{reference}/replies"),
            &json!({"body": "Reset it in Settings; we wrote to zcanary.kb@example.org too."}),
        )
        .await;
    assert!(replied.status().is_success());
    let resolved = app
        .agent_post(
            &other_token,
            &format!("/api/v1/agent/tickets/{reference}/status"),
            &json!({"status": "resolved"}),
        )
        .await;
    assert!(resolved.status().is_success());

    let page = app
        .html_get(&kb.editor, &format!("/agent/tickets/{reference}"))
        .await
        .text()
        .await
        .unwrap();
    let message = extract_between(&page, "name=\"message\" value=\"", "\"")
        .expect("the editor is offered the draft")
        .to_owned();

    // An agent of the queue who is no editor sees no offer, and a post answers 404.
    let reader = app.html_login(&other).await;
    let theirs = app
        .html_get(&reader, &format!("/agent/tickets/{reference}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!theirs.contains("kb-draft"));
    let refused = app
        .html_post(
            &reader,
            &format!("/agent/tickets/{reference}/kb-draft"),
            &[("message", &message)],
        )
        .await;
    assert_eq!(refused.status(), 404);
    let admin = app.add_agent("root2", "admin", &[]).await;
    let admin = app.html_login(&admin).await;
    let granted = app
        .html_post(
            &admin,
            "/admin/kb-editors",
            &[("agent", "elsewhere"), ("queue", "billing")],
        )
        .await;
    assert_eq!(granted.status(), 303);
    let elsewhere = app.html_login(&elsewhere).await;
    let refused = app
        .html_post(
            &elsewhere,
            &format!("/agent/tickets/{reference}/kb-draft"),
            &[("message", &message)],
        )
        .await;
    assert_eq!(refused.status(), 404);
    assert_eq!(app.count_rows("kb_articles").await, 0);

    let made = app
        .html_post(
            &kb.editor,
            &format!("/agent/tickets/{reference}/kb-draft"),
            &[("message", &message)],
        )
        .await;
    assert_eq!(made.status(), 303);
    let bodies: Vec<String> = app
        .query_values("select coalesce(body_en, body_ru) from kb_articles", &[])
        .await;
    assert_eq!(bodies.len(), 1);
    assert!(bodies[0].contains("Reset it in Settings"), "{bodies:?}");
    assert!(bodies[0].contains("[EMAIL-"), "{bodies:?}");
    assert!(!bodies[0].contains("zcanary"), "{bodies:?}");
    // The requester's subject stays with the ticket: the title is the desk's own.
    let titles: Vec<String> = app
        .query_values("select coalesce(title_en, title_ru) from kb_articles", &[])
        .await;
    assert_eq!(titles, ["Draft from a reply (write a title)"]);
    let audited: Vec<String> = app
        .query_values(
            "select reference from audit_log where action = 'kb_draft_from_ticket'",
            &[],
        )
        .await;
    assert_eq!(audited, [reference]);

    // Articles are not ticket data: the ticket's purge leaves the draft as it was.
    let as_of = (time::OffsetDateTime::now_utc() + time::Duration::days(4000))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let output = app
        .command()
        .args(["purge", "--as-of", &as_of])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("purged 1 tickets"), "{text}");
    assert_eq!(app.count_rows("tickets").await, 0);
    let after: Vec<String> = app
        .query_values("select coalesce(body_en, body_ru) from kb_articles", &[])
        .await;
    assert_eq!(after, bodies);
}

#[tokio::test]
async fn an_instance_finds_what_another_instance_published() {
    let Some(first) = TestApp::spawn_on_postgres("kb_two_instances", |_| {}).await else {
        return;
    };
    let admin = first.add_agent("root", "admin", &[]).await;
    let editor = first.add_agent("writer", "l1", &["general"]).await;
    let admin = first.html_login(&admin).await;
    first
        .html_post(
            &admin,
            "/admin/kb-editors",
            &[("agent", "writer"), ("queue", "general")],
        )
        .await;
    let editor = first.html_login(&editor).await;
    let second = first.spawn_beside().await;
    let second = Kb {
        app: second,
        admin: HtmlSession {
            cookie: admin.cookie.clone(),
            csrf: admin.csrf.clone(),
        },
        editor: HtmlSession {
            cookie: editor.cookie.clone(),
            csrf: editor.csrf.clone(),
        },
    };
    // The second instance builds its index while there is nothing to find.
    assert!(!found(&second.search("паролем").await, "reset-password"));

    let kb = Kb {
        app: first,
        admin,
        editor,
    };
    let id = kb.save(ARTICLE).await;
    kb.publish(id).await;

    assert!(found(&second.search("паролем").await, "reset-password"));
    // Withdrawn on the first, gone from the second's results too.
    let withdrawn = kb
        .app
        .html_post(&kb.editor, &format!("/agent/kb/{id}/unpublish"), &[])
        .await;
    assert_eq!(withdrawn.status(), 303);
    assert!(!found(&second.search("паролем").await, "reset-password"));
}

#[tokio::test]
async fn article_markdown_is_sanitised_and_pasted_personal_data_masked() {
    let kb = desk_with_editor().await;
    let id = kb
        .save(&[
            ("queue", "general"),
            ("slug", "hostile"),
            ("category", "misc"),
            ("title_en", "Hostile"),
            (
                "body_en",
                "Hello <script>alert('zscript')</script>\n\n\
                 <img src=x onerror=alert(1)>\n\n\
                 [click](javascript:alert(2)) [docs](https://example.org/docs) \
                 ![pixel](https://tracker.example/p.png)\n\n\
                 Our customer zpasted.kb@example.org wrote in.",
            ),
        ])
        .await;
    let edit = kb
        .app
        .html_get(&kb.editor, &format!("/agent/kb/{id}?masked=1"))
        .await
        .text()
        .await
        .unwrap();
    assert!(edit.contains("id=\"kb-masked\""));
    kb.publish(id).await;

    let (status, page) = kb.page("/kb/hostile").await;
    assert_eq!(status, 200);
    let body = extract_between(&page, "<article", "</article>").unwrap();
    // Written HTML is shown as the text it is, never as markup.
    assert!(!body.contains("<script"), "{body}");
    assert!(body.contains("&lt;script&gt;"), "{body}");
    assert!(!body.contains("<img src=x onerror"), "{body}");
    assert!(!body.contains("javascript:"), "{body}");
    assert!(!body.contains("<img"), "{body}");
    assert!(!body.contains("tracker.example"), "{body}");
    assert!(!page.contains("zpasted"), "{page}");
    assert!(body.contains("[EMAIL-1]"), "{body}");
    // Positive control: a plain link survives, without opener or referrer.
    assert!(body.contains(
        "<a href=\"https://example.org/docs\" rel=\"noopener noreferrer nofollow\">docs</a>"
    ));
}

#[tokio::test]
async fn public_pages_set_no_cookie_and_load_nothing_from_elsewhere() {
    let kb = desk_with_editor().await;
    let id = kb.save(ARTICLE).await;
    kb.publish(id).await;

    for path in ["/kb", "/kb/reset-password", "/kb/search?q=reset"] {
        let response = kb.app.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        assert!(response.headers().get("set-cookie").is_none(), "{path}");
        let policy = response.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(policy.contains("script-src 'none'"), "{path}: {policy}");
        let html = response.text().await.unwrap();
        assert!(!html.contains("<script"), "{path}");
        assert!(!html.contains("src=\"http"), "{path}");
        assert!(!html.contains("href=\"http"), "{path}");
        // Positive control: the page does load the desk's own stylesheet.
        assert!(html.contains("href=\"/static/style.css\""), "{path}");
    }

    let (_, page) = kb.page("/kb/reset-password").await;
    let key = vote_key(&page);
    let helped = kb
        .app
        .post_form("/kb/reset-password", &[("helped", "yes"), ("key", &key)])
        .await;
    assert_eq!(helped.status(), 303);
    assert!(helped.headers().get("set-cookie").is_none());
    assert_eq!(kb.answer("reset-password", "no").await.status(), 303);
    // The same page's key again, none, or one made for another article count nothing.
    let id = kb
        .save(&[
            ("queue", "general"),
            ("slug", "other-article"),
            ("category", "account"),
            ("title_en", "Another article"),
            ("body_en", "Something else entirely."),
        ])
        .await;
    kb.publish(id).await;
    let (_, other) = kb.page("/kb/other-article").await;
    for key in [key.as_str(), "", &vote_key(&other)] {
        let again = kb
            .app
            .post_form("/kb/reset-password", &[("helped", "yes"), ("key", key)])
            .await;
        assert_eq!(again.status(), 303);
    }
    let counts: Vec<i64> = kb
        .app
        .query_values(
            "select f.helped * 10 + f.not_helped from kb_feedback f \
             join kb_articles a on a.id = f.article_id where a.slug = 'reset-password'",
            &[],
        )
        .await;
    assert_eq!(counts, [11]);
    // A draft or unknown article counts nothing.
    let unknown = kb.app.post_form("/kb/nothing", &[("helped", "yes")]).await;
    assert_eq!(unknown.status(), 404);
}

/// A `tracing` writer that keeps everything written to it.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn the_search_words_are_neither_logged_nor_stored() {
    // The server runs on this test's single thread, so a thread-local subscriber sees
    // everything it logs, from our crate, sqlx and the HTTP stack.
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_env_filter("hushdesk=trace,sqlx=trace,tower_http=trace,axum=trace")
        .with_ansi(false)
        .finish();
    let _logging = tracing::subscriber::set_default(subscriber);
    let kb =
        desk_with_editor_on(TestApp::spawn_with(|config| config.access_log = true).await).await;
    let id = kb.save(ARTICLE).await;
    kb.publish(id).await;

    let page = kb.search("zkbcanaryquery пароль").await;
    assert!(found(&page, "reset-password"));
    kb.search("zkbcanaryquery").await;

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("/kb/search"),
        "the capture sees the server's request log: {logs}"
    );
    assert!(!logs.contains("zkbcanary"), "the query was logged");
    let audit: Vec<String> = kb
        .app
        .query_values(
            "select action || ' ' || coalesce(reference, '') || ' ' || detail from audit_log",
            &[],
        )
        .await;
    assert!(!audit.join("\n").contains("zkbcanary"));
    let files = kb.app.data_files();
    assert!(files_containing(&files, "zkbcanary").is_empty());
    // Positive control: the article's own words are in the database files.
    if !crate::support::on_postgres_engine() {
        assert!(!files_containing(&files, "Settings").is_empty());
    }
}
