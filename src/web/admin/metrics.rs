//! The support lead's figures and the privacy figures on one page, for a chosen period, with
//! hand-drawn SVG charts whose numbers are also in tables; and the same figures per week as a
//! CSV download. Reading the page is audited as on `/metrics`; an export is audited too.

use axum::extract::Query;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::desk::{
    BACKLOG_BUCKETS, Figures, LeadMetrics, MAX_PERIOD_DAYS, Period, Quantiles, Rate, now_unix,
};
use crate::web::agent::Nav;
use crate::web::error::{FieldError, WebError, WebResult};
use crate::web::lang::Tr;
use crate::web::session::CurrentAdmin;

/// The period form: `days` (7, 30 or 90), or `from` and `until` (`YYYY-MM-DD`, both
/// included), which win when both are given.
#[derive(Debug, Default, serde::Deserialize)]
pub struct PeriodQuery {
    #[serde(default)]
    pub days: Option<i64>,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub until: String,
}

pub const PERIOD_CHOICES: [i64; 3] = [7, 30, 90];

impl PeriodQuery {
    fn period(&self) -> WebResult<Period> {
        let (from, until) = (self.from.trim(), self.until.trim());
        if !from.is_empty() || !until.is_empty() {
            let day = |field: &'static str, text: &str| {
                let format = time::macros::format_description!("[year]-[month]-[day]");
                time::Date::parse(text, &format)
                    .map(|d| d.midnight().assume_utc().unix_timestamp())
                    .map_err(|_| {
                        WebError::Invalid(vec![FieldError::keyed(field, "admin-lead-date")])
                    })
            };
            return Period::between(day("from", from)?, day("until", until)?).ok_or(
                WebError::Invalid(vec![FieldError::keyed("until", "admin-lead-date")]),
            );
        }
        // Any number of days a saved address carries is taken, not only the form's choices;
        // one outside the range is refused rather than silently read as 30.
        let days = match self.days {
            None => 30,
            Some(days) if (1..=MAX_PERIOD_DAYS).contains(&days) => days,
            Some(_) => {
                return Err(WebError::Invalid(vec![FieldError::keyed(
                    "days",
                    "admin-lead-days-invalid",
                )]));
            }
        };
        Ok(Period::last_days(days, now_unix()))
    }

    fn query_text(&self, period: &Period) -> String {
        form_urlencoded::Serializer::new(String::new())
            .append_pair("from", &day_text(period.from_day))
            .append_pair("until", &day_text(period.until_day - 86_400))
            .finish()
    }
}

fn day_text(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .map(|t| t.date().to_string())
        .unwrap_or_default()
}

/// One line of the handling table, each figure with its exact value for machines
/// (`data-value`) beside the reader's wording.
pub struct GroupLine {
    pub queue: String,
    pub priority: String,
    pub tickets: usize,
    pub cells: Vec<Cell>,
}

pub struct Cell {
    pub class: &'static str,
    pub value: String,
    pub text: String,
}

/// A horizontal bar of a chart, laid out here so the template only draws.
pub struct Bar {
    pub label: String,
    pub text: String,
    pub y: usize,
    pub width: usize,
}

pub struct Chart {
    pub id: &'static str,
    pub title: String,
    pub desc: String,
    pub height: usize,
    pub bars: Vec<Bar>,
}

pub struct BacklogLine {
    pub queue: String,
    pub counts: Vec<i64>,
}

pub struct SatisfactionLine {
    pub queue: String,
    pub offered: i64,
    pub declined: i64,
    pub rated: i64,
    pub average: Cell,
    pub response: Cell,
}

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "admin/metrics.html")]
pub struct MetricsPage {
    pub t: Tr,
    pub nav: Nav,
    pub days: Option<i64>,
    pub from: String,
    pub until: String,
    pub choices: [i64; 3],
    pub export_query: String,
    pub groups: Vec<GroupLine>,
    pub overall: GroupLine,
    pub charts: Vec<Chart>,
    pub buckets: Vec<String>,
    pub backlog: Vec<BacklogLine>,
    pub satisfaction: Vec<SatisfactionLine>,
    pub satisfaction_total: SatisfactionLine,
    pub kb: Option<(Cell, Cell)>,
    /// Deletions by reason, as one sentence in the reader's language.
    pub deleted: String,
    pub metrics: crate::desk::PrivacyMetrics,
    pub time_to_delete: String,
    pub redactions_per_ticket: String,
    pub deleted_on_request: Cell,
    pub break_glass: i64,
    pub failed_lookups: i64,
    pub alerts: Vec<(String, i64)>,
    pub security_p1: Vec<Cell>,
}

pub async fn show(admin: CurrentAdmin, Query(query): Query<PeriodQuery>) -> WebResult<MetricsPage> {
    let period = query.period()?;
    let lead = admin.admin.lead_metrics(period).await?;
    let tr = &admin.agent.tr;
    let custom = !query.from.trim().is_empty() || !query.until.trim().is_empty();
    Ok(MetricsPage {
        days: (!custom).then_some(period.days()),
        from: day_text(period.from_day),
        until: day_text(period.until_day - 86_400),
        choices: PERIOD_CHOICES,
        export_query: query.query_text(&period),
        groups: lead
            .groups
            .iter()
            .map(|((queue, priority), f)| group_line(tr, queue, priority, f))
            .collect(),
        overall: group_line(tr, "", "", &lead.overall),
        charts: charts(tr, &lead),
        buckets: BACKLOG_BUCKETS
            .iter()
            .map(|b| tr.t(&format!("admin-lead-age-{b}")))
            .collect(),
        backlog: lead
            .backlog
            .iter()
            .map(|(queue, counts)| BacklogLine {
                queue: queue.clone(),
                counts: counts.to_vec(),
            })
            .collect(),
        satisfaction: lead
            .satisfaction
            .iter()
            .map(|(queue, s)| satisfaction_line(tr, queue, s))
            .collect(),
        satisfaction_total: satisfaction_line(tr, "", &lead.satisfaction_total),
        kb: lead.kb.as_ref().map(|kb| {
            (
                rate_cell(tr, "kb-helpful", kb.helpful),
                rate_cell(tr, "kb-self-service", kb.self_service),
            )
        }),
        deleted: tr.args(
            "admin-metrics-deleted-value",
            &[
                ("total", tr.num(lead.privacy.deleted_total)),
                ("requested", tr.num(lead.privacy.deleted_on_request)),
                ("retention", tr.num(lead.privacy.purged_retention)),
                ("spam", tr.num(lead.privacy.purged_spam)),
            ],
        ),
        time_to_delete: lead.privacy.mean_time_to_delete.map_or_else(
            || "–".into(),
            |s| tr.a("admin-metrics-days", "days", decimal(tr, s / 86_400.0, 1)),
        ),
        redactions_per_ticket: lead
            .privacy
            .redactions_per_ticket
            .map_or_else(|| "–".into(), |r| decimal(tr, r, 2)),
        deleted_on_request: rate_cell(
            tr,
            "deleted-on-request",
            Rate {
                hits: lead.privacy.deleted_on_request,
                of: lead.privacy.deleted_total,
            },
        ),
        break_glass: lead.security.break_glass,
        failed_lookups: lead.security.failed_lookups,
        alerts: lead.security.alerts.clone(),
        security_p1: quantile_cells(tr, "p1", lead.security_p1_first_response),
        t: tr.clone(),
        nav: Nav::load(&admin.agent).await?,
        metrics: lead.privacy,
    })
}

fn group_line(tr: &Tr, queue: &str, priority: &str, f: &Figures) -> GroupLine {
    let mut cells = quantile_cells(tr, "fr", f.first_response);
    cells.extend(quantile_cells(tr, "res", f.resolution));
    cells.push(rate_cell(tr, "sla", f.sla));
    cells.push(rate_cell(tr, "fcr", f.fcr));
    cells.push(rate_cell(tr, "reopen", f.reopen));
    GroupLine {
        queue: queue.to_owned(),
        priority: priority.to_owned(),
        tickets: f.tickets,
        cells,
    }
}

fn quantile_cells(tr: &Tr, prefix: &'static str, q: Quantiles) -> Vec<Cell> {
    let class = |which: &str| -> &'static str {
        match (prefix, which) {
            ("fr", "median") => "fr-median",
            ("fr", _) => "fr-p90",
            ("res", "median") => "res-median",
            ("res", _) => "res-p90",
            (_, "median") => "p1-median",
            _ => "p1-p90",
        }
    };
    [("median", q.median), ("p90", q.p90)]
        .into_iter()
        .map(|(which, v)| Cell {
            class: class(which),
            value: v.map(|v| v.to_string()).unwrap_or_default(),
            text: v.map_or_else(|| "–".to_owned(), |v| tr.span(v)),
        })
        .collect()
}

fn rate_cell(tr: &Tr, class: &'static str, rate: Rate) -> Cell {
    Cell {
        class,
        value: rate.ratio().map(|r| format!("{r:.4}")).unwrap_or_default(),
        text: rate.ratio().map_or_else(
            || "–".to_owned(),
            |r| {
                tr.args(
                    "admin-lead-rate",
                    &[
                        ("percent", decimal(tr, r * 100.0, 1)),
                        ("hits", tr.num(rate.hits)),
                        ("of", tr.num(rate.of)),
                    ],
                )
            },
        ),
    }
}

fn satisfaction_line(tr: &Tr, queue: &str, s: &crate::desk::Satisfaction) -> SatisfactionLine {
    SatisfactionLine {
        queue: queue.to_owned(),
        offered: s.offered,
        declined: s.declined,
        rated: s.rated(),
        average: Cell {
            class: "csat-average",
            value: s.average().map(|a| format!("{a:.4}")).unwrap_or_default(),
            text: s
                .average()
                .map_or_else(|| "–".into(), |a| decimal(tr, a, 2)),
        },
        response: rate_cell(tr, "csat-response", s.response()),
    }
}

/// Two bar charts: median first response per queue and priority, and open tickets per queue.
fn charts(tr: &Tr, lead: &LeadMetrics) -> Vec<Chart> {
    const ROW: usize = 24;
    const WIDTH: usize = 400;
    let bars = |values: Vec<(String, i64, String)>| {
        let max = values.iter().map(|(_, v, _)| *v).max().unwrap_or(0).max(1);
        values
            .into_iter()
            .enumerate()
            .map(|(i, (label, v, text))| Bar {
                label,
                text,
                y: i * ROW,
                width: usize::try_from(v.max(0)).unwrap_or(0) * WIDTH
                    / usize::try_from(max).unwrap_or(1),
            })
            .collect::<Vec<_>>()
    };
    let first: Vec<_> = lead
        .groups
        .iter()
        .filter_map(|((queue, priority), f)| {
            f.first_response
                .median
                .map(|m| (format!("{queue} · {priority}"), m, tr.span(m)))
        })
        .collect();
    let backlog: Vec<_> = lead
        .backlog
        .iter()
        .map(|(queue, counts)| {
            let n: i64 = counts.iter().sum();
            (queue.clone(), n, tr.num(n))
        })
        .collect();
    [
        (
            "chart-first-response",
            "admin-lead-chart-first-response",
            first,
        ),
        ("chart-backlog", "admin-lead-chart-backlog", backlog),
    ]
    .into_iter()
    .map(|(id, key, values)| {
        let bars = bars(values);
        Chart {
            id,
            title: tr.t(key),
            desc: tr.t(&format!("{key}-desc")),
            height: bars.len().max(1) * ROW,
            bars,
        }
    })
    .collect()
}

/// The period's figures per week of filing, queue and priority, as CSV.
pub async fn export(admin: CurrentAdmin, Query(query): Query<PeriodQuery>) -> WebResult<Response> {
    let period = query.period()?;
    let rows = admin.admin.export_metrics(period).await?;
    let mut out = String::new();
    super::audit::csv::push_row(
        &mut out,
        [
            "week",
            "queue",
            "priority",
            "tickets",
            "first_response_median_seconds",
            "first_response_p90_seconds",
            "resolution_median_seconds",
            "resolution_p90_seconds",
            "sla_hit_rate",
            "first_contact_resolution_rate",
            "reopen_rate",
        ]
        .into_iter(),
    );
    let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    let ratio = |r: Rate| r.ratio().map(|r| format!("{r:.4}")).unwrap_or_default();
    for row in &rows {
        let f = &row.figures;
        let cells = [
            row.week.clone(),
            row.queue.clone(),
            row.priority.clone(),
            f.tickets.to_string(),
            opt(f.first_response.median),
            opt(f.first_response.p90),
            opt(f.resolution.median),
            opt(f.resolution.p90),
            ratio(f.sla),
            ratio(f.fcr),
            ratio(f.reopen),
        ];
        super::audit::csv::push_row(&mut out, cells.iter().map(String::as_str));
    }
    let name = format!(
        "attachment; filename=\"hushdesk-metrics-{}-{}.csv\"",
        day_text(period.from_day),
        day_text(period.until_day - 86_400)
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, name),
        ],
        out,
    )
        .into_response())
}

/// A fraction with `places` decimals, with the reader's decimal sign (2.5 / 2,5).
fn decimal(tr: &Tr, value: f64, places: usize) -> String {
    let text = format!("{value:.places$}");
    match tr.lang() {
        "ru" => text.replace('.', ","),
        _ => text,
    }
}
