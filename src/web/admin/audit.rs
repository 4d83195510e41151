//! Reading the audit log (itself an audited action): filtered by actor, action, reference
//! and days, a page at a time, or downloaded whole as CSV (an audited export).

use axum::extract::Query;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::desk::{AuditEntry, AuditFilter};
use crate::web::agent::Nav;
use crate::web::error::{FieldError, WebError, WebResult};
use crate::web::session::CurrentAdmin;

pub(super) mod csv;

const PAGE: i64 = 200;

/// The filter form's fields; empty ones mean "any".
#[derive(Debug, Default, serde::Deserialize)]
pub struct AuditQuery {
    pub before: Option<i64>,
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub reference: String,
    /// First day shown, `YYYY-MM-DD` (UTC).
    #[serde(default)]
    pub from: String,
    /// Last day shown, `YYYY-MM-DD` (UTC), included.
    #[serde(default)]
    pub until: String,
}

impl AuditQuery {
    fn filter(&self) -> WebResult<AuditFilter> {
        let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        Ok(AuditFilter {
            actor: text(&self.actor),
            action: text(&self.action),
            reference: text(&self.reference).map(|r| r.to_uppercase()),
            from: day_start("from", &self.from, 0)?,
            until: day_start("until", &self.until, 1)?,
        })
    }

    /// The filter as query text, for the "older" link and the export link.
    fn query_text(&self) -> String {
        form_urlencoded::Serializer::new(String::new())
            .append_pair("actor", self.actor.trim())
            .append_pair("action", self.action.trim())
            .append_pair("reference", self.reference.trim())
            .append_pair("from", self.from.trim())
            .append_pair("until", self.until.trim())
            .finish()
    }
}

/// The start (UTC) of the day `text` names, `days_after` days later; `None` when empty.
fn day_start(field: &'static str, text: &str, days_after: i64) -> WebResult<Option<i64>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let day = time::Date::parse(text, &format)
        .map_err(|_| WebError::Invalid(vec![FieldError::keyed(field, "admin-audit-date")]))?;
    Ok(Some(
        day.midnight().assume_utc().unix_timestamp() + days_after * 86_400,
    ))
}

pub struct EntryLine {
    pub seq: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub reference: String,
    pub detail: String,
}

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "admin/audit.html")]
pub struct AuditPage {
    pub t: crate::web::lang::Tr,
    pub nav: Nav,
    pub entries: Vec<EntryLine>,
    pub older: Option<i64>,
    pub query: AuditQuery,
    /// The filter as query text, for the paging and export links.
    pub filter_query: String,
    /// Pickers: the actions the log holds, and the actors an entry can name.
    pub actions: Vec<String>,
    pub actors: Vec<String>,
}

pub async fn show(admin: CurrentAdmin, Query(query): Query<AuditQuery>) -> WebResult<AuditPage> {
    let filter = query.filter()?;
    let entries = admin
        .admin
        .audit_search(&filter, query.before, PAGE)
        .await?;
    let older = (entries.len() as i64 == PAGE)
        .then(|| entries.last().map(|e| e.seq))
        .flatten();
    let actions = admin.admin.audit_actions().await?;
    let mut actors: Vec<String> = admin
        .admin
        .agents()
        .await?
        .into_iter()
        .map(|a| a.name)
        .collect();
    actors.extend(["(operator)".to_owned(), "(system)".to_owned()]);
    Ok(AuditPage {
        actions,
        actors,
        nav: Nav::load(&admin.agent).await?,
        t: admin.agent.tr.clone(),
        entries: entries.into_iter().map(line).collect(),
        older,
        filter_query: query.query_text(),
        query,
    })
}

fn line(e: AuditEntry) -> EntryLine {
    EntryLine {
        seq: e.seq,
        at: e.at,
        actor: e.actor,
        action: e.action,
        reference: e.reference.unwrap_or_default(),
        detail: e.detail,
    }
}

/// The entries matching the filter as a CSV download, newest first.
pub async fn export(admin: CurrentAdmin, Query(query): Query<AuditQuery>) -> WebResult<Response> {
    let filter = query.filter()?;
    let entries = admin.admin.audit_export(&filter).await?;
    let body = csv::audit_csv(&entries);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"hushdesk-audit.csv\"",
            ),
        ],
        body,
    )
        .into_response())
}
