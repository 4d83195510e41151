//! `/metrics`: privacy metrics in the Prometheus text format. Read by a scraper with the
//! configured bearer token, or by a signed-in admin; open to all only when the operator says
//! so (`metrics_public`). Loopback proves nothing: an onion service or a reverse proxy makes
//! every visitor a loopback peer.

use std::fmt::Write;

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::desk::{AdminDesk, BACKLOG_BUCKETS, LeadMetrics, Period, PrivacyMetrics, now_unix};
use crate::web::WebState;
use crate::web::error::{WebError, WebResult};
use crate::web::session::{ApiAgent, CurrentAgent};

/// The days the lead's figures on `/metrics` cover: the last thirty, today included.
const SCRAPE_DAYS: i64 = 30;

pub async fn show(State(state): State<WebState>, mut parts: Parts) -> WebResult<Response> {
    let period = Period::last_days(SCRAPE_DAYS, now_unix());
    let lead = match allowed(&state, &mut parts).await? {
        // The token's read was audited when the desk checked it.
        Reader::Anyone | Reader::Token => state.desk.lead_metrics(period).await?,
        Reader::Admin(admin) => admin.lead_metrics(period).await?,
    };
    let mut out = render(&lead.privacy);
    render_lead(&mut out, &lead);
    let mut response = out.into_response();
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
    Token,
    Admin(Box<AdminDesk>),
}

async fn allowed(state: &WebState, parts: &mut Parts) -> WebResult<Reader> {
    if state.config.metrics_public {
        return Ok(Reader::Anyone);
    }
    if let Some(presented) = bearer(parts)
        && state
            .desk
            .privacy_metrics_for_token(presented)
            .await?
            .is_some()
    {
        return Ok(Reader::Token);
    }
    // A signed-in agent who is not an admin gets the same 404 as on other admin pages.
    if let Ok(agent) = ApiAgent::from_request_parts(parts, state).await {
        return agent
            .desk
            .admin()
            .map(|admin| Reader::Admin(Box::new(admin)))
            .ok_or(WebError::NotFound);
    }
    if let Ok(agent) = CurrentAgent::from_request_parts(parts, state).await {
        return agent
            .desk
            .admin()
            .map(|admin| Reader::Admin(Box::new(admin)))
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

/// The lead's figures, each with its `queue` and `priority` labels (the backlog by `queue`
/// and `age`, satisfaction by `queue`). Rates of nothing and times no ticket took are left
/// out rather than written as zero.
fn render_lead(out: &mut String, m: &LeadMetrics) {
    let mut family = |name: &str, help: &str, lines: Vec<(String, String)>| {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
        for (labels, value) in lines {
            let _ = writeln!(out, "{name}{{{labels}}} {value}");
        }
    };
    let group = |queue: &str, priority: &str| {
        format!(
            "queue=\"{}\",priority=\"{}\"",
            label(queue),
            label(priority)
        )
    };
    let quantiles = |pick: fn(&crate::desk::Figures) -> crate::desk::Quantiles| {
        let mut lines = Vec::new();
        for ((queue, priority), f) in &m.groups {
            let q = pick(f);
            for (quantile, value) in [("0.5", q.median), ("0.9", q.p90)] {
                if let Some(v) = value {
                    lines.push((
                        format!("{},quantile=\"{quantile}\"", group(queue, priority)),
                        v.to_string(),
                    ));
                }
            }
        }
        lines
    };
    family(
        "hushdesk_first_response_seconds",
        "First response time of tickets filed in the last 30 days (nearest-rank quantiles).",
        quantiles(|f| f.first_response),
    );
    family(
        "hushdesk_resolution_seconds",
        "Resolution time of tickets filed in the last 30 days (nearest-rank quantiles).",
        quantiles(|f| f.resolution),
    );
    let rates = |pick: fn(&crate::desk::Figures) -> crate::desk::Rate| {
        m.groups
            .iter()
            .filter_map(|((queue, priority), f)| {
                pick(f)
                    .ratio()
                    .map(|r| (group(queue, priority), format!("{r:.4}")))
            })
            .collect::<Vec<_>>()
    };
    family(
        "hushdesk_sla_first_response_hit_ratio",
        "Share of first responses made by their due time.",
        rates(|f| f.sla),
    );
    family(
        "hushdesk_first_contact_resolution_ratio",
        "Share of finished tickets resolved with one agent reply and no follow-up.",
        rates(|f| f.fcr),
    );
    family(
        "hushdesk_reopen_ratio",
        "Share of tickets resolved at least once that were reopened.",
        rates(|f| f.reopen),
    );
    family(
        "hushdesk_tickets_filed",
        "Tickets filed in the last 30 days, stored or purged (spam left out).",
        m.groups
            .iter()
            .map(|((queue, priority), f)| (group(queue, priority), f.tickets.to_string()))
            .collect(),
    );
    family(
        "hushdesk_backlog_tickets",
        "Open tickets by age.",
        m.backlog
            .iter()
            .flat_map(|(queue, buckets)| {
                BACKLOG_BUCKETS.iter().zip(buckets).map(move |(age, n)| {
                    (
                        format!("queue=\"{}\",age=\"{age}\"", label(queue)),
                        n.to_string(),
                    )
                })
            })
            .collect(),
    );
    family(
        "hushdesk_csat_average",
        "Mean satisfaction score (1 to 5) given in the weeks of the last 30 days.",
        m.satisfaction
            .iter()
            .filter_map(|(queue, s)| {
                s.average()
                    .map(|a| (format!("queue=\"{}\"", label(queue)), format!("{a:.4}")))
            })
            .collect(),
    );
    family(
        "hushdesk_csat_response_ratio",
        "Share of rating offers answered with a score.",
        m.satisfaction
            .iter()
            .filter_map(|(queue, s)| {
                s.response()
                    .ratio()
                    .map(|r| (format!("queue=\"{}\"", label(queue)), format!("{r:.4}")))
            })
            .collect(),
    );
    family(
        "hushdesk_csat_answers",
        "Rating offers, refusals and scores in the weeks of the last 30 days.",
        m.satisfaction
            .iter()
            .flat_map(|(queue, s)| {
                let queue = label(queue);
                let mut lines = vec![
                    (
                        format!("queue=\"{queue}\",answer=\"offered\""),
                        s.offered.to_string(),
                    ),
                    (
                        format!("queue=\"{queue}\",answer=\"declined\""),
                        s.declined.to_string(),
                    ),
                ];
                for (score, n) in (1..=5).zip(s.scores) {
                    lines.push((
                        format!("queue=\"{queue}\",answer=\"{score}\""),
                        n.to_string(),
                    ));
                }
                lines
            })
            .collect(),
    );
    family(
        "hushdesk_security_events",
        "Break-glass uses, failed reference lookups and alerts in the last 30 days.",
        [
            ("break_glass".to_owned(), m.security.break_glass),
            ("failed_lookup".to_owned(), m.security.failed_lookups),
        ]
        .into_iter()
        .chain(
            m.security
                .alerts
                .iter()
                .map(|(kind, n)| (format!("alert_{kind}"), *n)),
        )
        .map(|(kind, n)| (format!("kind=\"{}\"", label(&kind)), n.to_string()))
        .collect(),
    );
    let p1 = m.security_p1_first_response;
    family(
        "hushdesk_security_p1_first_response_seconds",
        "First response time of P1 tickets in the security category.",
        [("0.5", p1.median), ("0.9", p1.p90)]
            .into_iter()
            .filter_map(|(q, v)| v.map(|v| (format!("quantile=\"{q}\""), v.to_string())))
            .collect(),
    );
    if let Some(kb) = &m.kb {
        let _ = writeln!(
            out,
            "# HELP hushdesk_kb_answers Answers to \"Did this help?\" in the weeks of the last 30 days.\n\
             # TYPE hushdesk_kb_answers gauge\n\
             hushdesk_kb_answers{{answer=\"helped\"}} {}\n\
             hushdesk_kb_answers{{answer=\"not_helped\"}} {}\n\
             # HELP hushdesk_kb_deflections Filings given up on the preview because an article answered them.\n\
             # TYPE hushdesk_kb_deflections gauge\n\
             hushdesk_kb_deflections {}",
            kb.helped, kb.not_helped, kb.deflected
        );
        let ratios = [
            (
                "hushdesk_kb_helpful_ratio",
                "Share of \"Did this help?\" answers that said yes.",
                kb.helpful,
            ),
            (
                "hushdesk_self_service_ratio",
                "Filings given up because an article answered them, out of those and the tickets filed.",
                kb.self_service,
            ),
        ];
        for (name, help, rate) in ratios {
            if let Some(r) = rate.ratio() {
                let _ = writeln!(
                    out,
                    "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {r:.4}"
                );
            }
        }
    }
}

/// A label value in the text format: backslash, quote and line feed escaped.
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
