//! `/metrics`: privacy metrics in the Prometheus text format. Read by a scraper with the
//! configured bearer token, or by a signed-in admin; open to all only when the operator says
//! so (`metrics_public`). Loopback proves nothing: an onion service or a reverse proxy makes
//! every visitor a loopback peer.

use std::fmt::Write;

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::desk::{AdminDesk, PrivacyMetrics};
use crate::web::WebState;
use crate::web::error::{WebError, WebResult};
use crate::web::session::{ApiAgent, CurrentAgent};

pub async fn show(State(state): State<WebState>, mut parts: Parts) -> WebResult<Response> {
    let metrics = match allowed(&state, &mut parts).await? {
        Reader::Anyone => state.desk.public_privacy_metrics().await?,
        Reader::Token(metrics) => metrics,
        Reader::Admin(admin) => admin.privacy_metrics().await?,
    };
    let mut response = render(&metrics).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    Ok(response)
}

/// Who may read the metrics, as far as the request shows.
enum Reader {
    /// `metrics_public`: nobody is identified, so there is no one to audit.
    Anyone,
    /// The configured token was presented; the desk checked it and audited the read.
    Token(PrivacyMetrics),
    Admin(AdminDesk),
}

async fn allowed(state: &WebState, parts: &mut Parts) -> WebResult<Reader> {
    if state.config.metrics_public {
        return Ok(Reader::Anyone);
    }
    if let Some(presented) = bearer(parts)
        && let Some(metrics) = state.desk.privacy_metrics_for_token(presented).await?
    {
        return Ok(Reader::Token(metrics));
    }
    // A signed-in agent who is not an admin gets the same 404 as on other admin pages.
    if let Ok(agent) = ApiAgent::from_request_parts(parts, state).await {
        return agent
            .desk
            .admin()
            .map(Reader::Admin)
            .ok_or(WebError::NotFound);
    }
    if let Ok(agent) = CurrentAgent::from_request_parts(parts, state).await {
        return agent
            .desk
            .admin()
            .map(Reader::Admin)
            .ok_or(WebError::NotFound);
    }
    Err(WebError::TokenRequired)
}

fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
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
