//! The admin overview: what needs attention now (the unacknowledged alerts) and the way to
//! every admin page. Handled alerts are on the alerts page, figures on the metrics page.

use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};

use crate::desk::{AdminView, Alert};
use crate::web::agent::Nav;
use crate::web::error::WebResult;
use crate::web::lang::Tr;
use crate::web::session::{AdminForm, CurrentAdmin};

pub struct AlertRow {
    pub id: i64,
    pub at: i64,
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
    /// Where an acknowledgement returns to.
    pub back: &'static str,
}

pub async fn show(admin: CurrentAdmin) -> WebResult<DashboardPage> {
    let alerts = admin.admin.alerts(0).await?;
    admin
        .admin
        .record_view(AdminView::Dashboard, alerts.unacknowledged.len())
        .await?;
    Ok(DashboardPage {
        nav: Nav::load(&admin.agent).await?,
        t: admin.agent.tr.clone(),
        unacknowledged: alerts
            .unacknowledged
            .into_iter()
            .map(|a| row_of(&admin.agent.tr, a))
            .collect(),
        back: "/admin",
    })
}

pub(super) fn row_of(tr: &Tr, a: Alert) -> AlertRow {
    let words = crate::web::alert_words::of(tr, &a);
    AlertRow {
        id: a.id,
        at: a.at,
        kind: words.kind,
        agent: a.agent_name.unwrap_or_default(),
        queue: a.queue.unwrap_or_default(),
        reference: a.reference.unwrap_or_default(),
        detail: words.detail,
        acknowledged: a.acknowledged,
    }
}

/// Acknowledges an alert and goes back to the page the button was on.
pub async fn acknowledge(Path(id): Path<i64>, form: AdminForm) -> WebResult<Response> {
    form.admin.acknowledge_alert(id).await?;
    let back = match form.fields.get("back") {
        Some("/admin/alerts") => "/admin/alerts",
        _ => "/admin",
    };
    Ok(Redirect::to(back).into_response())
}
