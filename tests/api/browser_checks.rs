//! The page checks themselves: a page built to break every rule must produce every finding,
//! so a journey that passes has really been checked (the journeys are the negative control).

use axum::response::Html;

use crate::browser::{Chromedriver, Journey, Js, Lang, Run};

/// Wrong on purpose: too wide for a phone, an image from another origin without a text
/// alternative, a field whose border cannot be seen, a link that hides its focus ring, text
/// that is faint only in the dark scheme, a label at the end of one row of a grid and its field
/// at the start of the next, no skip link, and a script that logs an error.
const BROKEN_PAGE: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Broken on purpose</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<style>
  body { background: #ffffff; color: #1b1f23; }
  a:focus, a:focus-visible { outline: none; }
  @media (prefers-color-scheme: dark) { body { background: #111111; } .faint-in-dark { color: #333333; } }
</style></head>
<body><main>
<h1>Broken on purpose</h1>
<p><a href="/elsewhere">First link</a></p>
<div style="width: 900px">A banner wider than any phone</div>
<img src="http://127.0.0.2:9/pixel.png">
<label for="faint">Faint field</label><input id="faint" style="border: 1px solid #eeeeee; background: #ffffff">
<div style="display: grid; grid-template-columns: repeat(3, 6rem)"><span>One</span><span>Two</span>
<label for="apart">Apart</label><input id="apart" style="width: 5rem"></div>
<p class="faint-in-dark">Readable in light, not in dark.</p>
<script>console.error("broken page: boom");</script>
</main></body></html>"#;

async fn serve_broken_page() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = axum::Router::new().route("/", axum::routing::get(|| async { Html(BROKEN_PAGE) }));
    tokio::spawn(async move { axum::serve(listener, router).await });
    base
}

fn has(findings: &[String], needle: &str) -> bool {
    findings.iter().any(|f| f.contains(needle))
}

#[tokio::test]
async fn the_page_checks_catch_a_page_that_breaks_every_rule() {
    let Some(driver) = Chromedriver::start() else {
        return;
    };
    let base = serve_broken_page().await;
    for js in [Js::On, Js::Off] {
        let run = Run { lang: Lang::Ru, js };
        let mut journey = Journey::start(&driver, "broken", run, &base).await;
        journey.goto("/").await;
        let findings = journey.page_findings().await;
        let all = findings.join("\n");
        for expected in [
            "<html lang=\"en\"> for a browser asking for ru",
            "at 390 px the page is",
            "request to another origin: http://127.0.0.2:9/pixel.png",
            "light scheme: axe image-alt (critical)",
            "light scheme: input#faint: its edge is",
            "at 1280 px: label \"Apart\" stands apart from input#apart",
            "at 390 px: label \"Apart\" stands apart from input#apart",
            "shows no focus ring",
            "no skip link",
            "dark scheme: axe color-contrast (serious)",
            "console error",
        ] {
            assert!(
                has(&findings, expected),
                "{js:?}: no {expected:?} in\n{all}"
            );
        }
        // The page's own script ran only in the run with scripts on.
        assert_eq!(has(&findings, "boom"), js == Js::On, "{js:?}:\n{all}");
        assert!(!has(&findings, "scripting is"), "{js:?}:\n{all}");
        journey.finish().await;
    }
}

/// Every class the stylesheet offers the templates (`btn-reply`, `btn-note`, `btn-insert`,
/// `note-form`, `compose`, `views`, `badge`, `notice`, `danger`, `cards`, a table that turns
/// into cards), on one page with the
/// real stylesheet: it passes the same checks as the desk's pages, in both schemes and at
/// 390 px, before any template uses them.
const SAMPLER: &str = r##"<!doctype html>
<html lang="ru"><head><meta charset="utf-8"><title>Образцы</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/static/style.css"></head>
<body class="staff">
<a class="skip" href="#content">Перейти к содержимому</a>
<header class="site"><a href="/" class="brand">hushdesk</a>
<nav aria-label="Разделы"><a href="/">Обращения</a><span class="who">Ирина (L1)</span>
<button type="button" class="link">Выйти</button></nav>
<a class="lang-switch" href="/?lang=en" hreflang="en" lang="en">English</a></header>
<p class="notice" role="status">Обращение передано на вторую линию. <a href="/">Открыть список</a>.</p>
<main class="wide" id="content" tabindex="-1">
<h1>HD-7Q2M4K9X: Не приходит код подтверждения</h1>
<p><span class="badge">P2</span> <span class="badge ok">подпись проверена</span>
<span class="badge warn">ключ ещё не доверенный</span> <span class="badge internal">внутренняя заметка</span>
<span class="badge bad">подпись неверна</span></p>
<p class="late">Срок первого ответа истёк 12 минут назад</p>
<p class="danger">Закрытие как спам убирает обращение из списков.</p>
<p class="notice danger" role="alert">Нельзя отключить последнего администратора.</p>
<nav class="views" aria-label="Представления"><a href="/" aria-current="page">Мои</a> <a href="/">Без исполнителя</a> <a href="/">SLA под угрозой</a></nav>
<section class="conversation timeline" aria-label="История">
<p class="change">Статус: открыто → ждём клиента · Ирина · 12:41<br><span class="reason">клиент прислал не тот номер</span></p>
</section>
<p class="notice warn collision" role="alert">Пётр ответил клиенту, пока вы читали обращение.</p>
<section class="compose" aria-label="Написать">
<form class="reply-form" method="post" action="/reply">
<label for="canned">Шаблон ответа</label><select id="canned" name="canned"><option>—</option></select>
<button type="submit" class="btn-insert">Вставить в текст</button>
<label for="reply">Ответ клиенту</label><textarea id="reply" name="body" rows="3"></textarea>
<button type="submit" class="btn-reply">Ответить</button>
</form>
<form class="note-form" method="post" action="/note">
<p class="note-label">Внутренняя заметка: клиент её не увидит</p>
<label for="note">Заметка</label><textarea id="note" name="body" rows="3"></textarea>
<button type="submit" class="btn-note">Добавить заметку</button>
</form>
<form class="note-form" method="post" action="/note2">
<p class="note-warning"><strong>Только для сотрудников</strong></p>
<label for="note2">Ещё заметка</label><textarea id="note2" name="body" rows="2"></textarea>
</form>
</section>
<form method="post" action="/spam"><button type="submit" class="danger">Закрыть как спам</button>
<button type="submit" class="secondary">Отмена</button></form>
<article class="message note"><p class="meta">Ирина · 26.11.2026 12:40</p><div class="body">Проверила журнал платёжного шлюза.</div></article>
<table><thead><tr><th>Номер</th><th class="grow">Тема</th><th>Очередь</th><th>Приоритет</th><th>Статус</th><th>SLA</th><th>Исполнитель</th><th>Обновлено</th></tr></thead>
<tbody><tr><td data-label="Номер"><a href="/">HD-7Q2M4K9X</a></td><td data-label="Тема" class="grow">Не приходит код подтверждения на https://bank.example.org/very/long/path/0000000000000000000000000000</td>
<td data-label="Очередь">security</td><td data-label="Приоритет">P1</td><td data-label="Статус">открыто</td>
<td data-label="SLA" class="late">просрочено</td><td data-label="Исполнитель">Ирина</td><td data-label="Обновлено">26.11.2026 12:41</td></tr>
<tr class="ticket-row at-risk"><td data-label="Номер"><a href="/">HD-8R3N5L0Y</a></td><td data-label="Тема" class="grow">Списание дважды</td>
<td data-label="Очередь">billing</td><td data-label="Приоритет">P2</td><td data-label="Статус">открыто</td>
<td data-label="SLA" class="at-risk"><span class="badge risk">Под угрозой</span> первый ответ: осталось 20 мин</td><td data-label="Исполнитель"></td><td data-label="Обновлено">26.11.2026 12:45</td></tr></tbody></table>
<ul class="cards"><li>Очередь billing: 14 обращений</li><li>Очередь security: 3 обращения</li></ul>
</main>
<footer class="site">Каждое открытие страницы записывается в журнал аудита.</footer>
</body></html>"##;

async fn serve_sampler() -> String {
    const STYLESHEET: &str = include_str!("../../static/style.css");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = axum::Router::new()
        .route("/", axum::routing::get(|| async { Html(SAMPLER) }))
        .route(
            "/static/style.css",
            axum::routing::get(|| async { ([("content-type", "text/css")], STYLESHEET) }),
        )
        .route(
            "/favicon.ico",
            axum::routing::get(|| async { axum::http::StatusCode::NO_CONTENT }),
        );
    tokio::spawn(async move { axum::serve(listener, router).await });
    base
}

#[tokio::test]
async fn every_class_the_templates_may_use_passes_the_page_checks() {
    let Some(driver) = Chromedriver::start() else {
        return;
    };
    let base = serve_sampler().await;
    for js in [Js::On, Js::Off] {
        let run = Run { lang: Lang::Ru, js };
        let mut journey = Journey::start(&driver, "classes", run, &base).await;
        journey.goto("/").await;
        journey.check_page().await;
        journey.finish().await;
    }
}
