//! Business hours: when the SLA clock runs. A desk staffed on weekdays from 9 to 18 should not
//! see a P2 filed on Friday evening breach its four-hour target on Saturday morning; with
//! business hours its targets count only the hours the desk is open, in the desk's own time
//! zone (summer time included), skipping the holidays an admin listed.

use std::collections::BTreeSet;

use jiff::Timestamp;
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;

/// Minutes in a day: `closes` may be 1440 (midnight at the end of the day).
pub const MINUTES_PER_DAY: u16 = 1440;
/// Enough for a year of holidays several times over; bounds what a form can store.
pub const MAX_HOLIDAYS: usize = 400;
/// How far a due time is looked for. The longest target (8760 hours, one hour open per week)
/// ends well within it; past it the clock runs around the clock rather than loop on.
const MAX_DAYS_AHEAD: u32 = 366 * 200;

/// The days of the week the desk works, Monday first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkDays(u8);

impl WorkDays {
    pub const MONDAY_TO_FRIDAY: WorkDays = WorkDays(0b0001_1111);

    /// From a bit set, bit 0 for Monday; bits past Sunday are ignored.
    pub fn from_bits(bits: u8) -> WorkDays {
        WorkDays(bits & 0b0111_1111)
    }

    /// From days numbered 0 (Monday) to 6 (Sunday); other numbers are ignored.
    pub fn from_days(days: impl IntoIterator<Item = u8>) -> WorkDays {
        WorkDays::from_bits(
            days.into_iter()
                .filter(|d| *d < 7)
                .fold(0, |bits, d| bits | 1 << d),
        )
    }

    pub fn bits(self) -> u8 {
        self.0
    }

    /// Whether the desk works on day `day` (0 for Monday).
    pub fn has(self, day: u8) -> bool {
        day < 7 && self.0 & (1 << day) != 0
    }

    fn works_on(self, date: Date) -> bool {
        self.has(date.weekday().to_monday_zero_offset() as u8)
    }
}

/// Why business hours were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BusinessHoursError {
    #[error("unknown time zone")]
    UnknownZone,
    #[error("no working day chosen")]
    NoDays,
    #[error("the desk must close after it opens, on the same day")]
    ClosesBeforeOpens,
    #[error("a holiday is not a date (YYYY-MM-DD): {0}")]
    BadHoliday(String),
    #[error("too many holidays")]
    TooManyHolidays,
}

/// When the desk is open: the same hours on each working day, in one time zone, and the
/// dates it is closed.
#[derive(Debug, Clone)]
pub struct BusinessHours {
    zone_name: String,
    zone: TimeZone,
    days: WorkDays,
    opens: u16,
    closes: u16,
    holidays: BTreeSet<Date>,
}

impl PartialEq for BusinessHours {
    fn eq(&self, other: &Self) -> bool {
        self.zone_name == other.zone_name
            && self.days == other.days
            && self.opens == other.opens
            && self.closes == other.closes
            && self.holidays == other.holidays
    }
}

impl BusinessHours {
    /// `opens` and `closes` in minutes after midnight; `holidays` as `YYYY-MM-DD`.
    pub fn new<'a>(
        zone_name: &str,
        days: WorkDays,
        opens: u16,
        closes: u16,
        holidays: impl IntoIterator<Item = &'a str>,
    ) -> Result<BusinessHours, BusinessHoursError> {
        let zone = crate::i18n::zone_named(zone_name).ok_or(BusinessHoursError::UnknownZone)?;
        if days.bits() == 0 {
            return Err(BusinessHoursError::NoDays);
        }
        if opens >= closes || closes > MINUTES_PER_DAY {
            return Err(BusinessHoursError::ClosesBeforeOpens);
        }
        let holidays = holidays
            .into_iter()
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .map(|h| {
                h.parse::<Date>()
                    .map_err(|_| BusinessHoursError::BadHoliday(h.chars().take(40).collect()))
            })
            .collect::<Result<BTreeSet<Date>, _>>()?;
        if holidays.len() > MAX_HOLIDAYS {
            return Err(BusinessHoursError::TooManyHolidays);
        }
        Ok(BusinessHours {
            zone_name: zone_name.to_owned(),
            zone,
            days,
            opens,
            closes,
            holidays,
        })
    }

    pub fn zone_name(&self) -> &str {
        &self.zone_name
    }

    pub fn days(&self) -> WorkDays {
        self.days
    }

    pub fn opens(&self) -> u16 {
        self.opens
    }

    pub fn closes(&self) -> u16 {
        self.closes
    }

    /// The holidays in date order, as `YYYY-MM-DD`.
    pub fn holidays(&self) -> impl Iterator<Item = String> + '_ {
        self.holidays.iter().map(|d| d.to_string())
    }

    fn is_working_day(&self, date: Date) -> bool {
        self.days.works_on(date) && !self.holidays.contains(&date)
    }

    /// The instant `minutes` after midnight of `date` in the desk's zone. A time that summer
    /// time skips counts as the moment after the gap, one it repeats as its first occurrence.
    fn instant(&self, date: Date, minutes: u16) -> i64 {
        let (day, minutes) = if minutes >= MINUTES_PER_DAY {
            (date.tomorrow().unwrap_or(date), 0)
        } else {
            (date, minutes)
        };
        let time =
            Time::new((minutes / 60) as i8, (minutes % 60) as i8, 0, 0).unwrap_or(Time::midnight());
        day.to_datetime(time)
            .to_zoned(self.zone.clone())
            .map(|z| z.timestamp().as_second())
            .unwrap_or(i64::MAX)
    }

    /// The moment `seconds` of open hours after `from` have passed.
    pub fn after_open_seconds(&self, from: i64, seconds: i64) -> i64 {
        if seconds <= 0 {
            return from;
        }
        let Ok(start) = Timestamp::from_second(from) else {
            return from.saturating_add(seconds);
        };
        let mut date = start.to_zoned(self.zone.clone()).date();
        let mut left = seconds;
        for _ in 0..MAX_DAYS_AHEAD {
            if self.is_working_day(date) {
                let open = self.instant(date, self.opens).max(from);
                let close = self.instant(date, self.closes);
                if open < close {
                    if left <= close - open {
                        return open + left;
                    }
                    left -= close - open;
                }
            }
            match date.tomorrow() {
                Ok(next) => date = next,
                Err(_) => break,
            }
        }
        from.saturating_add(seconds)
    }

    /// The moment `days` working days after `from` have passed: the same time of day on the
    /// `days`-th working day that follows.
    pub fn after_working_days(&self, from: i64, days: u32) -> i64 {
        let Ok(start) = Timestamp::from_second(from) else {
            return from;
        };
        let zoned = start.to_zoned(self.zone.clone());
        let mut date = zoned.date();
        let mut left = days;
        let mut walked = 0;
        while left > 0 && walked < MAX_DAYS_AHEAD {
            match date.tomorrow() {
                Ok(next) => date = next,
                Err(_) => return from,
            }
            walked += 1;
            if self.is_working_day(date) {
                left -= 1;
            }
        }
        date.to_datetime(zoned.time())
            .to_zoned(self.zone.clone())
            .map(|z| z.timestamp().as_second())
            .unwrap_or(from)
    }
}

/// When the SLA clock runs: always, or in business hours only.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum SlaClock {
    #[default]
    AroundTheClock,
    BusinessHours(BusinessHours),
}

impl SlaClock {
    /// The due time of a target of `seconds` counted from `from`.
    pub fn due(&self, from: i64, seconds: i64) -> i64 {
        match self {
            SlaClock::AroundTheClock => from.saturating_add(seconds),
            SlaClock::BusinessHours(hours) => hours.after_open_seconds(from, seconds),
        }
    }

    /// The moment `days` working days after `from`: Monday to Friday around the clock, the
    /// desk's working days (holidays skipped) in business hours.
    pub fn after_working_days(&self, from: i64, days: u32) -> i64 {
        match self {
            SlaClock::AroundTheClock => monday_to_friday(from, days),
            SlaClock::BusinessHours(hours) => hours.after_working_days(from, days),
        }
    }
}

fn monday_to_friday(from: i64, days: u32) -> i64 {
    let utc = BusinessHours {
        zone_name: "UTC".into(),
        zone: TimeZone::UTC,
        days: WorkDays::MONDAY_TO_FRIDAY,
        opens: 0,
        closes: MINUTES_PER_DAY,
        holidays: BTreeSet::new(),
    };
    utc.after_working_days(from, days)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3600;

    fn at(text: &str, zone: &str) -> i64 {
        text.parse::<jiff::civil::DateTime>()
            .unwrap()
            .to_zoned(TimeZone::get(zone).unwrap())
            .unwrap()
            .timestamp()
            .as_second()
    }

    fn moscow_office() -> BusinessHours {
        BusinessHours::new(
            "Europe/Moscow",
            WorkDays::MONDAY_TO_FRIDAY,
            9 * 60,
            18 * 60,
            ["2026-12-31", " 2027-01-01 ", ""],
        )
        .unwrap()
    }

    #[test]
    fn a_ticket_filed_inside_hours_is_due_the_same_day() {
        let hours = moscow_office();
        // Thursday 26 November 2026, 10:00 in Moscow; four hours later is 14:00.
        let filed = at("2026-11-26T10:00", "Europe/Moscow");
        assert_eq!(
            hours.after_open_seconds(filed, 4 * HOUR),
            at("2026-11-26T14:00", "Europe/Moscow")
        );
    }

    #[test]
    fn the_clock_stops_at_closing_and_over_the_weekend() {
        let hours = moscow_office();
        // Friday 17:00: one hour on Friday, three on Monday from 9:00.
        let filed = at("2026-11-27T17:00", "Europe/Moscow");
        assert_eq!(
            hours.after_open_seconds(filed, 4 * HOUR),
            at("2026-11-30T12:00", "Europe/Moscow")
        );
        // Filed on Saturday: the clock starts on Monday at opening.
        let saturday = at("2026-11-28T23:30", "Europe/Moscow");
        assert_eq!(
            hours.after_open_seconds(saturday, HOUR),
            at("2026-11-30T10:00", "Europe/Moscow")
        );
        // Filed before opening on a working day.
        let early = at("2026-11-26T06:00", "Europe/Moscow");
        assert_eq!(
            hours.after_open_seconds(early, HOUR),
            at("2026-11-26T10:00", "Europe/Moscow")
        );
    }

    #[test]
    fn holidays_are_skipped() {
        let hours = moscow_office();
        // Wednesday 30 December 17:00; 31 December and 1 January are holidays, then a weekend.
        let filed = at("2026-12-30T17:00", "Europe/Moscow");
        assert_eq!(
            hours.after_open_seconds(filed, 2 * HOUR),
            at("2027-01-04T10:00", "Europe/Moscow")
        );
    }

    #[test]
    fn a_target_longer_than_a_day_spans_working_days() {
        let hours = moscow_office();
        // 24 open hours from Monday 9:00 = 9 + 9 + 6: Wednesday 15:00.
        let filed = at("2026-11-30T09:00", "Europe/Moscow");
        assert_eq!(
            hours.after_open_seconds(filed, 24 * HOUR),
            at("2026-12-02T15:00", "Europe/Moscow")
        );
    }

    #[test]
    fn summer_time_changes_count_real_hours() {
        // Berlin moves its clocks forward at 02:00 on Sunday 29 March 2026. Open every day
        // from midnight to 06:00: that Sunday has five real hours open, not six.
        let hours =
            BusinessHours::new("Europe/Berlin", WorkDays::from_bits(0x7f), 0, 360, []).unwrap();
        let sunday = at("2026-03-29T00:00", "Europe/Berlin");
        assert_eq!(
            hours.after_open_seconds(sunday, 5 * HOUR),
            at("2026-03-29T06:00", "Europe/Berlin")
        );
        assert_eq!(
            hours.after_open_seconds(sunday, 6 * HOUR),
            at("2026-03-30T01:00", "Europe/Berlin")
        );
    }

    #[test]
    fn open_until_midnight_and_around_the_clock() {
        let all_day =
            BusinessHours::new("UTC", WorkDays::from_bits(0x7f), 0, MINUTES_PER_DAY, []).unwrap();
        let from = at("2026-11-26T22:30", "UTC");
        assert_eq!(
            all_day.after_open_seconds(from, 10 * HOUR),
            from + 10 * HOUR
        );
        assert_eq!(
            SlaClock::AroundTheClock.due(from, 10 * HOUR),
            from + 10 * HOUR
        );
    }

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        let hours = moscow_office();
        let filed = at("2026-12-30T15:20", "Europe/Moscow");
        assert_eq!(
            hours.after_working_days(filed, 2),
            at("2027-01-05T15:20", "Europe/Moscow")
        );
        // Around the clock: Monday to Friday, as before business hours existed.
        let thursday = at("2026-11-26T12:00", "UTC");
        assert_eq!(
            SlaClock::AroundTheClock.after_working_days(thursday, 2),
            thursday + 4 * 86_400
        );
    }

    #[test]
    fn bad_settings_are_refused() {
        let refused = |zone, days, opens, closes, holidays: &[&str]| {
            BusinessHours::new(zone, days, opens, closes, holidays.iter().copied()).unwrap_err()
        };
        let weekdays = WorkDays::MONDAY_TO_FRIDAY;
        assert_eq!(
            refused("Mars/Olympus", weekdays, 540, 1080, &[]),
            BusinessHoursError::UnknownZone
        );
        assert_eq!(
            refused("UTC", WorkDays::from_bits(0), 540, 1080, &[]),
            BusinessHoursError::NoDays
        );
        assert_eq!(
            refused("UTC", weekdays, 1080, 540, &[]),
            BusinessHoursError::ClosesBeforeOpens
        );
        assert_eq!(
            refused("UTC", weekdays, 540, 1441, &[]),
            BusinessHoursError::ClosesBeforeOpens
        );
        assert!(matches!(
            refused("UTC", weekdays, 540, 1080, &["31.12.2026"]),
            BusinessHoursError::BadHoliday(_)
        ));
    }

    #[test]
    fn days_read_back_as_chosen() {
        let days = WorkDays::from_days([0, 2, 6, 9]);
        assert!(days.has(0) && days.has(2) && days.has(6));
        assert!(!days.has(1) && !days.has(9));
        assert_eq!(days.bits(), 0b0100_0101);
    }
}
