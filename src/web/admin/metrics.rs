//! The privacy figures on their own page; reading them is audited, as on `/metrics`.

use crate::web::agent::Nav;
use crate::web::error::WebResult;
use crate::web::session::CurrentAdmin;

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "admin/metrics.html")]
pub struct MetricsPage {
    pub t: crate::web::lang::Tr,
    pub nav: Nav,
    /// Deletions by reason, as one sentence in the reader's language.
    pub deleted: String,
    pub metrics: crate::desk::PrivacyMetrics,
    pub time_to_delete: String,
    pub redactions_per_ticket: String,
}

pub async fn show(admin: CurrentAdmin) -> WebResult<MetricsPage> {
    let metrics = admin.admin.privacy_metrics().await?;
    let tr = &admin.agent.tr;
    Ok(MetricsPage {
        deleted: tr.args(
            "admin-metrics-deleted-value",
            &[
                ("total", tr.num(metrics.deleted_total)),
                ("requested", tr.num(metrics.deleted_on_request)),
                ("retention", tr.num(metrics.purged_retention)),
                ("spam", tr.num(metrics.purged_spam)),
            ],
        ),
        time_to_delete: metrics.mean_time_to_delete.map_or_else(
            || "–".into(),
            |s| tr.a("admin-metrics-days", "days", decimal(tr, s / 86_400.0, 1)),
        ),
        redactions_per_ticket: metrics
            .redactions_per_ticket
            .map_or_else(|| "–".into(), |r| decimal(tr, r, 2)),
        t: tr.clone(),
        nav: Nav::load(&admin.agent).await?,
        metrics,
    })
}

/// A fraction with `places` decimals, with the reader's decimal sign (2.5 / 2,5).
fn decimal(tr: &crate::web::lang::Tr, value: f64, places: usize) -> String {
    let text = format!("{value:.places$}");
    match tr.lang() {
        "ru" => text.replace('.', ","),
        _ => text,
    }
}
