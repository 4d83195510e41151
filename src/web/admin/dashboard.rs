//! The admin dashboard: alerts first.

use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};

use crate::desk::{AdminView, Alert};
use crate::web::agent::Nav;
use crate::web::error::WebResult;
use crate::web::public::human_time;
use crate::web::session::{AdminForm, CurrentAdmin};

/// How many acknowledged alerts the dashboard shows below the unacknowledged ones.
const ACKNOWLEDGED_SHOWN: i64 = 50;

pub struct AlertRow {
    pub id: i64,
    pub when: String,
    pub kind: String,
    pub agent: String,
    pub queue: String,
    pub reference: String,
    pub detail: String,
    pub acknowledged: bool,
}

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "admin/dashboard.html")]
pub struct DashboardPage {
    pub t: crate::web::lang::Tr,
    pub nav: Nav,
    /// Every alert still to handle, however many: a flood cannot push one out of sight.
    pub unacknowledged: Vec<AlertRow>,
    /// The latest handled ones, for context.
    pub acknowledged: Vec<AlertRow>,
    pub metrics: crate::desk::PrivacyMetrics,
    pub time_to_delete: String,
    pub redactions_per_ticket: String,
}

pub async fn show(admin: CurrentAdmin) -> WebResult<DashboardPage> {
    let alerts = admin.admin.alerts(ACKNOWLEDGED_SHOWN).await?;
    let metrics = admin.admin.dashboard_metrics().await?;
    admin
        .admin
        .record_view(
            AdminView::Dashboard,
            alerts.unacknowledged.len() + alerts.recently_acknowledged.len(),
        )
        .await?;
    Ok(DashboardPage {
        time_to_delete: metrics
            .mean_time_to_delete
            .map_or_else(|| "–".into(), |s| format!("{:.1} days", s / 86_400.0)),
        redactions_per_ticket: metrics
            .redactions_per_ticket
            .map_or_else(|| "–".into(), |r| format!("{r:.2}")),
        metrics,
        nav: Nav::of(&admin.agent),
        t: admin.agent.tr.clone(),
        unacknowledged: alerts.unacknowledged.into_iter().map(row_of).collect(),
        acknowledged: alerts
            .recently_acknowledged
            .into_iter()
            .map(row_of)
            .collect(),
    })
}

fn row_of(a: Alert) -> AlertRow {
    AlertRow {
        id: a.id,
        when: human_time(a.at),
        kind: a.kind,
        agent: a.agent_name.unwrap_or_default(),
        queue: a.queue.unwrap_or_default(),
        reference: a.reference.unwrap_or_default(),
        detail: a.detail,
        acknowledged: a.acknowledged,
    }
}

pub async fn acknowledge(Path(id): Path<i64>, form: AdminForm) -> WebResult<Response> {
    form.admin.acknowledge_alert(id).await?;
    Ok(Redirect::to("/admin").into_response())
}
