//! SLA targets per priority: the configuration file's, overridden here where an admin set
//! one, and the page says which is in force; and the business hours the targets count.

use axum::response::{IntoResponse, Redirect, Response};

use crate::desk::{AdminView, SlaInForce};
use crate::domain::{
    BusinessHours, BusinessHoursError, MAX_SLA_HOURS, MINUTES_PER_DAY, Priority, WorkDays,
};
use crate::web::agent::Nav;
use crate::web::error::{FieldError, WebError, WebResult};
use crate::web::session::{AdminForm, CurrentAdmin};

pub struct SlaLine {
    pub priority: &'static str,
    pub first_response_hours: i64,
    pub resolution_hours: i64,
    pub configured_first_response_hours: i64,
    pub configured_resolution_hours: i64,
    /// When an admin set the targets in force; `None` while the file's apply.
    pub set_at: Option<i64>,
}

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "admin/sla.html")]
pub struct SlaPage {
    pub t: crate::web::lang::Tr,
    pub nav: Nav,
    pub lines: Vec<SlaLine>,
    pub hours: HoursForm,
    pub zones: Vec<String>,
}

/// The business hours form as it stands: the hours in force, or a working week to start from.
pub struct HoursForm {
    /// Whether business hours are in force (else the clock runs around the clock).
    pub in_force: bool,
    pub zone: String,
    /// Monday first.
    pub days: [bool; 7],
    pub opens: String,
    pub closes: String,
    /// One date per line.
    pub holidays: String,
    pub set_at: Option<i64>,
}

impl HoursForm {
    /// The days with their numbers (0 for Monday) and catalogue keys, for the checkboxes.
    pub fn day_boxes(&self) -> Vec<(u8, &'static str, bool)> {
        const KEYS: [&str; 7] = [
            "weekday-monday",
            "weekday-tuesday",
            "weekday-wednesday",
            "weekday-thursday",
            "weekday-friday",
            "weekday-saturday",
            "weekday-sunday",
        ];
        (0..7u8)
            .map(|d| (d, KEYS[d as usize], self.days[d as usize]))
            .collect()
    }
}

fn clock_time(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// `HH:MM`, with `24:00` for the end of the day.
fn parse_clock_time(text: &str) -> Option<u16> {
    let (h, m) = text.trim().split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (m < 60 && h * 60 + m <= MINUTES_PER_DAY).then_some(h * 60 + m)
}

fn hours_form(stored: Option<crate::desk::StoredBusinessHours>, agent_zone: &str) -> HoursForm {
    match stored {
        Some(stored) => {
            let hours = &stored.hours;
            HoursForm {
                in_force: true,
                zone: hours.zone_name().to_owned(),
                days: std::array::from_fn(|d| hours.days().has(d as u8)),
                opens: clock_time(hours.opens()),
                closes: clock_time(hours.closes()),
                holidays: hours.holidays().collect::<Vec<_>>().join("\n"),
                set_at: Some(stored.changed_at),
            }
        }
        None => HoursForm {
            in_force: false,
            zone: agent_zone.to_owned(),
            days: std::array::from_fn(|d| WorkDays::MONDAY_TO_FRIDAY.has(d as u8)),
            opens: clock_time(9 * 60),
            closes: clock_time(18 * 60),
            holidays: String::new(),
            set_at: None,
        },
    }
}

fn line(sla: SlaInForce) -> SlaLine {
    SlaLine {
        priority: sla.priority.id(),
        first_response_hours: sla.first_response_hours(),
        resolution_hours: sla.resolution_hours(),
        configured_first_response_hours: sla.configured_first_response_hours,
        configured_resolution_hours: sla.configured_resolution_hours,
        set_at: sla.set_here.map(|o| o.changed_at),
    }
}

pub async fn show(admin: CurrentAdmin) -> WebResult<SlaPage> {
    let lines: Vec<SlaLine> = admin
        .admin
        .sla_in_force()
        .await?
        .into_iter()
        .map(line)
        .collect();
    let stored = admin.admin.business_hours().await?;
    admin.admin.record_view(AdminView::Sla, lines.len()).await?;
    Ok(SlaPage {
        hours: hours_form(stored, admin.agent.tr.zone_name()),
        zones: crate::web::lang::zone_names(),
        t: admin.agent.tr.clone(),
        nav: Nav::load(&admin.agent).await?,
        lines,
    })
}

fn priority(form: &AdminForm) -> WebResult<Priority> {
    form.fields
        .get("priority")
        .and_then(|p| p.parse().ok())
        .ok_or(WebError::BadRequest("bad-choose-priority"))
}

/// A target in whole hours, or the field's problem: not a number, or out of range (a
/// problem with what was typed, so 422 with the field named, not a conflict).
fn hours(form: &AdminForm, field: &'static str) -> Result<i64, FieldError> {
    let hours: i64 = form
        .fields
        .get(field)
        .and_then(|h| h.trim().parse().ok())
        .ok_or_else(|| FieldError::keyed(field, "admin-sla-whole-hours"))?;
    if !(1..=MAX_SLA_HOURS).contains(&hours) {
        return Err(FieldError::keyed(field, "errors-sla-hours"));
    }
    Ok(hours)
}

pub async fn set(form: AdminForm) -> WebResult<Response> {
    let priority = priority(&form)?;
    let (first, resolution) = match (
        hours(&form, "first_response_hours"),
        hours(&form, "resolution_hours"),
    ) {
        (Ok(first), Ok(resolution)) => (first, resolution),
        (first, resolution) => {
            return Err(WebError::Invalid(
                [first.err(), resolution.err()]
                    .into_iter()
                    .flatten()
                    .collect(),
            ));
        }
    };
    form.admin
        .set_sla(priority, Some((first, resolution)))
        .await?;
    Ok(Redirect::to("/admin/sla").into_response())
}

/// Returns a priority to the configuration file's targets.
pub async fn reset(form: AdminForm) -> WebResult<Response> {
    let priority = priority(&form)?;
    form.admin.set_sla(priority, None).await?;
    Ok(Redirect::to("/admin/sla").into_response())
}

/// Sets business hours (`clock=business`) or lets the clock run around the clock
/// (`clock=always`).
pub async fn set_hours(form: AdminForm) -> WebResult<Response> {
    let hours = match form.fields.get("clock") {
        Some("always") => None,
        Some("business") => Some(business_hours(&form)?),
        _ => return Err(WebError::BadRequest("bad-choose-clock")),
    };
    form.admin.set_business_hours(hours.as_ref()).await?;
    Ok(Redirect::to("/admin/sla#business-hours").into_response())
}

fn business_hours(form: &AdminForm) -> WebResult<BusinessHours> {
    let time = |field: &'static str| {
        form.fields
            .get(field)
            .and_then(parse_clock_time)
            .ok_or_else(|| FieldError::keyed(field, "admin-hours-bad-time"))
    };
    let (opens, closes) = match (time("opens"), time("closes")) {
        (Ok(opens), Ok(closes)) => (opens, closes),
        (opens, closes) => {
            return Err(WebError::Invalid(
                [opens.err(), closes.err()].into_iter().flatten().collect(),
            ));
        }
    };
    let days = WorkDays::from_days(form.fields.get_all("day").filter_map(|d| d.parse().ok()));
    let holidays = form.fields.get("holidays").unwrap_or_default();
    BusinessHours::new(
        form.fields.get("time_zone").unwrap_or_default().trim(),
        days,
        opens,
        closes,
        holidays.lines(),
    )
    .map_err(|error| {
        let (field, key) = match error {
            BusinessHoursError::UnknownZone => ("time_zone", "admin-hours-unknown-zone"),
            BusinessHoursError::NoDays => ("day", "admin-hours-no-days"),
            BusinessHoursError::ClosesBeforeOpens => ("closes", "admin-hours-closes-before-opens"),
            BusinessHoursError::BadHoliday(_) => ("holidays", "admin-hours-bad-holiday"),
            BusinessHoursError::TooManyHolidays => ("holidays", "admin-hours-too-many-holidays"),
        };
        WebError::Invalid(vec![FieldError::keyed(field, key)])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_times_read_and_write_back() {
        assert_eq!(parse_clock_time("09:00"), Some(540));
        assert_eq!(parse_clock_time(" 18:30 "), Some(1110));
        assert_eq!(parse_clock_time("24:00"), Some(1440));
        assert_eq!(parse_clock_time("24:01"), None);
        assert_eq!(parse_clock_time("9:60"), None);
        assert_eq!(parse_clock_time("nine"), None);
        assert_eq!(clock_time(540), "09:00");
        assert_eq!(clock_time(1440), "24:00");
    }
}
