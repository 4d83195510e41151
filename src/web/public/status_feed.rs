//! The status page's Atom feed: one entry per update, its text the update as posted (plain
//! text, never markup), linking to the incident's page and to the signed copy.

use atom_syndication::{Content, Entry, Feed, FixedDateTime, Link, Person, Text};

use crate::desk::StatusBoard;
use crate::web::WebState;

/// Entries the feed carries at most (the newest).
const ENTRIES: usize = 50;

fn moment(unix: i64) -> FixedDateTime {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .and_then(|s| FixedDateTime::parse_from_rfc3339(&s).ok())
        .unwrap_or_default()
}

fn link(href: String, rel: &str, mime: Option<&str>) -> Link {
    let mut link = Link::default();
    link.set_href(href);
    link.set_rel(rel);
    link.set_mime_type(mime.map(str::to_owned));
    link
}

/// A `tag:` URI (RFC 4151) under the support address, so ids stay the same wherever the
/// page is served from (a public address, an onion service, a proxy).
fn tag(state: &WebState, specific: &str) -> String {
    format!("tag:{},2026:status{specific}", state.config.support_address)
}

pub fn render(state: &WebState, board: &StatusBoard) -> String {
    let base = state.config.public_url.clone().unwrap_or_default();
    let mut entries: Vec<(i64, Entry)> = Vec::new();
    for incident in &board.incidents {
        for update in &incident.updates {
            let mut entry = Entry::default();
            entry.set_id(tag(
                state,
                &format!("/incident/{}/update/{}", incident.id, update.number),
            ));
            entry.set_title(Text::plain(format!(
                "{} ({}, {})",
                incident.title,
                update.state.signed_word(),
                update.number
            )));
            entry.set_updated(moment(update.posted_at));
            let mut content = Content::default();
            content.set_content_type("text".to_owned());
            content.set_value(update.body.clone());
            entry.set_content(content);
            entry.set_links(vec![
                link(
                    format!("{base}/status/incidents/{}", incident.id),
                    "alternate",
                    Some("text/html"),
                ),
                link(
                    format!(
                        "{base}{}",
                        super::status::signed_href(incident.id, update.number)
                    ),
                    "related",
                    Some("text/plain"),
                ),
            ]);
            entries.push((update.posted_at, entry));
        }
    }
    entries.sort_by_key(|e| std::cmp::Reverse(e.0));
    entries.truncate(ENTRIES);
    let updated = entries
        .first()
        .map(|(at, _)| *at)
        .or_else(|| board.components.iter().map(|c| c.updated_at).max())
        .unwrap_or(0);
    let mut author = Person::default();
    author.set_name(state.config.support_address.clone());
    let mut feed = Feed::default();
    feed.set_id(tag(state, ""));
    feed.set_title(Text::plain(format!(
        "Status: {}",
        state.config.support_address
    )));
    feed.set_updated(moment(updated));
    feed.set_authors(vec![author]);
    feed.set_links(vec![
        link(format!("{base}/status"), "alternate", Some("text/html")),
        link(
            format!("{base}/status/feed.atom"),
            "self",
            Some("application/atom+xml"),
        ),
    ]);
    feed.set_entries(entries.into_iter().map(|(_, e)| e).collect::<Vec<_>>());
    feed.to_string()
}
