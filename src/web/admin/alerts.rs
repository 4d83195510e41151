//! Every alert on one page: all those still to handle, then the latest handled ones. Each
//! event is one row (see `store::alerts`).

use super::dashboard::{AlertRow, row_of};
use crate::desk::AdminView;
use crate::web::agent::Nav;
use crate::web::error::WebResult;
use crate::web::session::CurrentAdmin;

/// How many handled alerts are shown below the unhandled ones.
const ACKNOWLEDGED_SHOWN: i64 = 200;

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "admin/alerts.html")]
pub struct AlertsPage {
    pub t: crate::web::lang::Tr,
    pub nav: Nav,
    pub unacknowledged: Vec<AlertRow>,
    pub acknowledged: Vec<AlertRow>,
    pub back: &'static str,
}

pub async fn show(admin: CurrentAdmin) -> WebResult<AlertsPage> {
    let alerts = admin.admin.alerts(ACKNOWLEDGED_SHOWN).await?;
    admin
        .admin
        .record_view(
            AdminView::Alerts,
            alerts.unacknowledged.len() + alerts.recently_acknowledged.len(),
        )
        .await?;
    Ok(AlertsPage {
        t: admin.agent.tr.clone(),
        nav: Nav::load(&admin.agent).await?,
        unacknowledged: alerts
            .unacknowledged
            .into_iter()
            .map(|a| row_of(&admin.agent.tr, a))
            .collect(),
        acknowledged: alerts
            .recently_acknowledged
            .into_iter()
            .map(|a| row_of(&admin.agent.tr, a))
            .collect(),
        back: "/admin/alerts",
    })
}
