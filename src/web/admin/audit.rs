//! Reading the audit log (itself an audited action).

use axum::extract::Query;

use crate::web::agent::Nav;
use crate::web::error::WebResult;
use crate::web::public::human_time;
use crate::web::session::CurrentAdmin;

const PAGE: i64 = 200;

#[derive(Debug, Default, serde::Deserialize)]
pub struct AuditQuery {
    pub before: Option<i64>,
}

pub struct EntryLine {
    pub seq: i64,
    pub when: String,
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
}

pub async fn show(admin: CurrentAdmin, Query(query): Query<AuditQuery>) -> WebResult<AuditPage> {
    let entries = admin.admin.audit_page(query.before, PAGE).await?;
    let older = (entries.len() as i64 == PAGE)
        .then(|| entries.last().map(|e| e.seq))
        .flatten();
    Ok(AuditPage {
        nav: Nav::of(&admin.agent),
        t: admin.agent.tr.clone(),
        entries: entries
            .into_iter()
            .map(|e| EntryLine {
                seq: e.seq,
                when: human_time(e.at),
                actor: e.actor,
                action: e.action,
                reference: e.reference.unwrap_or_default(),
                detail: e.detail,
            })
            .collect(),
        older,
    })
}
