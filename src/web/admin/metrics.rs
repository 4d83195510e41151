//! The privacy figures on their own page; reading them is audited, as on `/metrics`.

use crate::web::agent::Nav;
use crate::web::error::WebResult;
use crate::web::session::CurrentAdmin;

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "admin/metrics.html")]
pub struct MetricsPage {
    pub nav: Nav,
    pub metrics: crate::desk::PrivacyMetrics,
    pub time_to_delete: String,
    pub redactions_per_ticket: String,
}

pub async fn show(admin: CurrentAdmin) -> WebResult<MetricsPage> {
    let metrics = admin.admin.privacy_metrics().await?;
    Ok(MetricsPage {
        nav: Nav::of(&admin.agent),
        time_to_delete: metrics
            .mean_time_to_delete
            .map_or_else(|| "–".into(), |s| format!("{:.1} days", s / 86_400.0)),
        redactions_per_ticket: metrics
            .redactions_per_ticket
            .map_or_else(|| "–".into(), |r| format!("{r:.2}")),
        metrics,
    })
}
