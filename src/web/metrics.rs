//! `/metrics`: privacy metrics in the Prometheus text format. Open to scrapers on loopback
//! when no reverse proxy is configured; otherwise only to admins (cookie or bearer token).

use std::fmt::Write;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::app::AppState;
use crate::store::PrivacyMetrics;
use crate::web::error::{WebError, WebResult};
use crate::web::session::{ApiAgent, CurrentAgent};

pub async fn show(State(state): State<AppState>, mut parts: Parts) -> WebResult<Response> {
    allowed(&state, &mut parts).await?;
    let metrics = state.desk.store.privacy_metrics().await?;
    let mut response = render(&metrics).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    Ok(response)
}

async fn allowed(state: &AppState, parts: &mut Parts) -> WebResult<()> {
    let loopback = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .is_some_and(|ConnectInfo(peer)| peer.ip().is_loopback());
    // Behind a proxy every request comes from loopback, so loopback proves nothing there.
    if loopback && state.config.trusted_client_header.is_none() {
        return Ok(());
    }
    if let Ok(agent) = ApiAgent::from_request_parts(parts, state).await
        && agent.scope.admin().is_some()
    {
        return Ok(());
    }
    if let Ok(agent) = CurrentAgent::from_request_parts(parts, state).await
        && agent.scope.admin().is_some()
    {
        return Ok(());
    }
    Err(WebError::NotFound)
}

fn render(m: &PrivacyMetrics) -> String {
    let mut out = String::new();
    let mut metric = |name: &str, kind: &str, help: &str, value: String| {
        let _ = writeln!(
            out,
            "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
        );
    };
    metric(
        "hushdesk_tickets_stored",
        "gauge",
        "Tickets currently stored.",
        m.tickets_live.to_string(),
    );
    metric(
        "hushdesk_tickets_held",
        "gauge",
        "Tickets under a legal hold.",
        m.tickets_held.to_string(),
    );
    metric(
        "hushdesk_tickets_deleted_total",
        "counter",
        "Tickets deleted, for any reason.",
        m.deleted_total.to_string(),
    );
    metric(
        "hushdesk_tickets_deleted_on_request_total",
        "counter",
        "Tickets deleted at the requester's request.",
        m.deleted_on_request.to_string(),
    );
    metric(
        "hushdesk_tickets_purged_retention_total",
        "counter",
        "Tickets purged when their retention ran out.",
        m.purged_retention.to_string(),
    );
    metric(
        "hushdesk_tickets_purged_spam_total",
        "counter",
        "Tickets purged as spam.",
        m.purged_spam.to_string(),
    );
    let share = if m.deleted_total > 0 {
        m.deleted_on_request as f64 / m.deleted_total as f64
    } else {
        0.0
    };
    metric(
        "hushdesk_deleted_on_request_ratio",
        "gauge",
        "Share of deletions made at the requester's request.",
        format!("{share:.4}"),
    );
    metric(
        "hushdesk_time_to_delete_seconds",
        "gauge",
        "Mean time from closing to purge.",
        format!("{:.0}", m.mean_time_to_delete.unwrap_or(0.0)),
    );
    metric(
        "hushdesk_last_purge_tickets",
        "gauge",
        "Tickets deleted by the last purge run that deleted any.",
        m.last_purge_tickets.to_string(),
    );
    metric(
        "hushdesk_redactions_per_ticket",
        "gauge",
        "Mean findings masked per ticket, stored and deleted.",
        format!("{:.2}", m.redactions_per_ticket.unwrap_or(0.0)),
    );
    metric(
        "hushdesk_outbox_pending",
        "gauge",
        "Outgoing mails waiting for the relay.",
        m.outbox_pending.to_string(),
    );
    out
}
