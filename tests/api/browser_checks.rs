//! The page checks themselves: a page built to break every rule must produce every finding,
//! so a journey that passes has really been checked (the journeys are the negative control).

use axum::response::Html;

use crate::browser::{Chromedriver, Journey, Js, Lang, Run};

/// Wrong on purpose: too wide for a phone, an image from another origin without a text
/// alternative, a field whose border cannot be seen, a link that hides its focus ring, text
/// that is faint only in the dark scheme, no skip link, and a script that logs an error.
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
