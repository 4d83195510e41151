//! Article Markdown to HTML a public page can carry: raw HTML is shown as text, images are
//! left out (a public page loads nothing from another host, and an image of our own host
//! is not worth a second kind of stored file), and ammonia removes whatever else could run
//! or load: `javascript:` links, event attributes, `style`. Links leave with
//! `rel="noopener noreferrer nofollow"`.

use std::collections::HashSet;

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

/// Renders `markdown`; `link` rewrites a link's target (`#step` links of a decision tree)
/// and `None` leaves it as written.
pub fn render(markdown: &str, link: &dyn Fn(&str) -> Option<String>) -> String {
    let events = Parser::new_ext(markdown, options()).filter_map(|event| match event {
        // Written HTML is shown as the text it is, never parsed.
        Event::Html(html) | Event::InlineHtml(html) => Some(Event::Text(html)),
        Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => None,
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            let dest_url = link(&dest_url).map_or(dest_url, CowStr::from);
            Some(Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }))
        }
        other => Some(other),
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    sanitize(&html)
}

fn sanitize(html: &str) -> String {
    let schemes: HashSet<&str> = ["https", "http", "mailto"].into_iter().collect();
    ammonia::Builder::default()
        .rm_tags(["img"])
        .url_schemes(schemes)
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(html)
        .to_string()
}

/// The targets of the links in `markdown`, in order.
pub fn link_targets(markdown: &str) -> Vec<String> {
    Parser::new_ext(markdown, options())
        .filter_map(|event| match event {
            Event::Start(Tag::Link { dest_url, .. }) => Some(dest_url.into_string()),
            _ => None,
        })
        .collect()
}

/// The words of `markdown` without its markup, for the search index.
pub fn plain_text(markdown: &str) -> String {
    let mut text = String::new();
    for event in Parser::new_ext(markdown, options()) {
        if let Event::Text(t) | Event::Code(t) = event {
            text.push_str(&t);
            text.push(' ');
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(markdown: &str) -> String {
        render(markdown, &|_| None)
    }

    #[test]
    fn scripts_handlers_and_javascript_links_do_not_survive() {
        let html = plain(
            "Hi <script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n\
             [click](javascript:alert(3)) ![p](https://tracker.example/p.png)",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("href=\"javascript"), "{html}");
        assert!(!html.contains("tracker.example"), "{html}");
        // Positive control: the markup itself still renders.
        assert!(plain("**bold**").contains("<strong>bold</strong>"));
    }

    #[test]
    fn links_leave_without_referrer_or_opener() {
        let html = plain("[docs](https://example.org/docs)");
        assert!(
            html.contains("rel=\"noopener noreferrer nofollow\""),
            "{html}"
        );
        assert!(html.contains("href=\"https://example.org/docs\""), "{html}");
    }
}
