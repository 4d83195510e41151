//! The language and time zone a page is written in, and the `Tr` every template uses to
//! say anything.
//!
//! A requester's language comes from `?lang=` (a link, so no cookie is needed), then the
//! browser's `Accept-Language`; an agent's from `?lang=`, then their saved setting, then the
//! browser. Times are shown in the agent's chosen zone; requesters see UTC and the desk's zone.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use jiff::tz::TimeZone;

use super::error::WebError;
use super::state::WebState;
pub use crate::i18n::zone_named;
use crate::i18n::{FluentValue, Lang};

/// What a page needs to speak its reader's language: texts, plurals, dates, numbers, links.
#[derive(Clone, Debug)]
pub struct Tr {
    lang: Lang,
    /// The language was asked for with `?lang=`, so links on the page keep asking for it.
    explicit: bool,
    /// The zone times are shown in.
    zone: TimeZone,
    /// Shown beside UTC to requesters when the desk has a zone of its own.
    desk_zone: Option<TimeZone>,
    /// This page's own address without `lang`, for the switch to the other language; `None`
    /// when the page answered a form (reloading it by link would not show the same page).
    here: Option<String>,
}

/// Counts the catalogue can choose a plural form for, however the template holds them.
pub trait Count {
    fn count(&self) -> i64;
}

macro_rules! count_for {
    ($($t:ty),*) => {$(
        impl Count for $t {
            fn count(&self) -> i64 {
                i64::try_from(*self).unwrap_or(i64::MAX)
            }
        }
    )*};
}
count_for!(i64, i32, u32, u64, usize);

impl<T: Count> Count for &T {
    fn count(&self) -> i64 {
        (**self).count()
    }
}

impl Tr {
    /// A language with times in UTC and no page address (mails, receipts, tests).
    pub fn plain(lang: Lang) -> Tr {
        Tr {
            lang,
            explicit: false,
            zone: TimeZone::UTC,
            desk_zone: None,
            here: None,
        }
    }

    /// `prefix` followed by `segment` (a slug), the page's explicit language kept.
    pub fn href_to(&self, prefix: &str, segment: &str) -> String {
        self.href(&format!("{prefix}{segment}"))
    }

    /// Whether the page's language was asked for with `?lang=` (and so is carried along).
    pub fn explicit(&self) -> bool {
        self.explicit
    }

    pub fn lang(&self) -> &'static str {
        self.lang.code()
    }

    pub fn language(&self) -> Lang {
        self.lang
    }

    /// The text for `key`.
    pub fn t(&self, key: &str) -> String {
        self.lang.text(key)
    }

    /// The text for `key`, whose form follows `count` (`$count` in the message).
    pub fn n(&self, key: &str, count: impl Count) -> String {
        self.lang
            .text_with(key, &[("count", FluentValue::from(count.count()))])
    }

    /// The text for `key` with one argument `$name`.
    pub fn a(&self, key: &str, name: &str, value: impl std::fmt::Display) -> String {
        self.lang
            .text_with(key, &[(name, FluentValue::from(value.to_string()))])
    }

    /// The text for `key` with two arguments.
    pub fn a2(
        &self,
        key: &str,
        name: &str,
        value: impl std::fmt::Display,
        second_name: &str,
        second: impl std::fmt::Display,
    ) -> String {
        self.args(
            key,
            &[(name, value.to_string()), (second_name, second.to_string())],
        )
    }

    /// The text for `key` with several arguments.
    pub fn args(&self, key: &str, args: &[(&str, String)]) -> String {
        let args: Vec<(&str, FluentValue<'_>)> = args
            .iter()
            .map(|(name, value)| (*name, FluentValue::from(value.as_str())))
            .collect();
        self.lang.text_with(key, &args)
    }

    /// The text for `key` with several arguments, of which those named in `numbers` are
    /// numbers (they choose plural forms; a name made of digits must stay a name); `None`
    /// when the catalogue has no such key.
    pub fn try_args_numbered(
        &self,
        key: &str,
        args: &[(&str, String)],
        numbers: &[&str],
    ) -> Option<String> {
        let args: Vec<(&str, FluentValue<'_>)> = args
            .iter()
            .map(|(name, value)| {
                let number = numbers
                    .contains(name)
                    .then(|| value.parse::<i64>().ok())
                    .flatten();
                let value = match number {
                    Some(n) => FluentValue::from(n),
                    None => FluentValue::from(value.as_str()),
                };
                (*name, value)
            })
            .collect();
        self.lang.try_text_with(key, &args)
    }

    /// Whether the catalogue has `key` (a message without arguments).
    pub fn has(&self, key: &str) -> bool {
        self.lang.try_text(key).is_some()
    }

    /// A ticket status as people read it (`pending_requester` → "Waiting for the requester").
    pub fn status(&self, id: &str) -> String {
        self.t(&format!("status-{}", id.replace('_', "-")))
    }

    /// A priority with its meaning ("P1 · urgent").
    pub fn priority(&self, id: &str) -> String {
        self.t(&format!("priority-{id}"))
    }

    /// A category as people read it.
    pub fn category(&self, id: &str) -> String {
        self.t(&format!("category-{}", id.replace('_', "-")))
    }

    /// A role as people read it.
    pub fn role(&self, id: &str) -> String {
        self.t(&format!("role-{id}"))
    }

    /// A length of time: "40 minutes", "3h 20m", "2d 4h".
    pub fn span(&self, seconds: i64) -> String {
        let minutes = seconds.max(0) / 60;
        let (days, hours) = (minutes / 1440, minutes / 60 % 24);
        if days > 0 {
            self.args(
                "span-days-hours",
                &[("days", days.to_string()), ("hours", hours.to_string())],
            )
        } else if hours > 0 {
            self.args(
                "span-hours-minutes",
                &[
                    ("hours", hours.to_string()),
                    ("minutes", (minutes % 60).to_string()),
                ],
            )
        } else {
            self.a("span-minutes", "minutes", minutes)
        }
    }

    /// What a mask stands for, from its label or token (`PHONE`, `[PHONE-2]` → "Phone
    /// numbers"); a label a custom rule file invented reads as "Other personal data".
    pub fn mask_kind(&self, mask: &str) -> String {
        let inner = mask.trim_start_matches('[').trim_end_matches(']');
        let kind = match inner.rsplit_once('-') {
            Some((kind, number)) if number.bytes().all(|b| b.is_ascii_digit()) => kind,
            _ => inner,
        };
        self.lang
            .try_text(&format!("mask-{kind}"))
            .unwrap_or_else(|| self.t("mask-other"))
    }

    /// A number grouped the way the reader writes it (1,000 or 1 000).
    pub fn num(&self, n: impl Count) -> String {
        use num_format::{Locale, ToFormattedString};
        let locale = match self.lang {
            Lang::En => &Locale::en,
            Lang::Ru => &Locale::ru,
        };
        n.count().to_formatted_string(locale)
    }

    /// A moment as the reader reads dates ("26 Nov 2026, 14:05 MSK" / "26 ноября 2026, 14:05
    /// MSK"); requesters see UTC with the desk's own time beside it.
    pub fn time(&self, unix: impl Count) -> String {
        let Ok(moment) = jiff::Timestamp::from_second(unix.count()) else {
            return String::new();
        };
        let shown = self.in_zone(moment, &self.zone);
        match &self.desk_zone {
            Some(desk) if desk.iana_name() != self.zone.iana_name() => {
                let local = moment.to_zoned(desk.clone());
                let same_day = local.date() == moment.to_zoned(self.zone.clone()).date();
                // The desk's day may differ from UTC's: then its date is said too.
                let local_time = if same_day {
                    local.strftime("%H:%M").to_string()
                } else {
                    self.args(
                        "date-and-time",
                        &[
                            ("date", self.date_of(&local)),
                            ("time", local.strftime("%H:%M").to_string()),
                        ],
                    )
                };
                self.args(
                    "time-with-desk-zone",
                    &[
                        ("time", shown),
                        ("local", local_time),
                        ("zone", zone_label(&local)),
                    ],
                )
            }
            _ => shown,
        }
    }

    /// A date without the time ("26 Nov 2026").
    pub fn date(&self, unix: impl Count) -> String {
        let Ok(moment) = jiff::Timestamp::from_second(unix.count()) else {
            return String::new();
        };
        let zoned = moment.to_zoned(self.zone.clone());
        self.date_of(&zoned)
    }

    fn date_of(&self, zoned: &jiff::Zoned) -> String {
        self.args(
            "date",
            &[
                ("day", zoned.day().to_string()),
                ("month", self.t(&format!("month-{}", zoned.month()))),
                ("year", zoned.year().to_string()),
            ],
        )
    }

    fn in_zone(&self, moment: jiff::Timestamp, zone: &TimeZone) -> String {
        let zoned = moment.to_zoned(zone.clone());
        self.args(
            "date-time",
            &[
                ("date", self.date_of(&zoned)),
                ("time", zoned.strftime("%H:%M").to_string()),
                ("zone", zone_label(&zoned)),
            ],
        )
    }

    /// The IANA name of the zone times are shown in.
    pub fn zone_name(&self) -> &str {
        self.zone.iana_name().unwrap_or("UTC")
    }

    /// `path` with this page's explicit language kept (`/t/…?lang=ru`).
    pub fn href(&self, path: &str) -> String {
        if !self.explicit {
            return path.to_owned();
        }
        let joiner = if path.contains('?') { '&' } else { '?' };
        format!("{path}{joiner}lang={}", self.lang.code())
    }

    /// `text` as one segment of a link's path (`поддержка` → `%D0%BF…`): a queue name in
    /// `/admin/queues/{name}/…` reaches the handler as typed, whatever its script.
    pub fn segment(&self, text: &str) -> String {
        use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
        const KEPT: &percent_encoding::AsciiSet =
            &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.');
        utf8_percent_encode(text, KEPT).to_string()
    }

    /// The language a switch on this page offers.
    pub fn other(&self) -> &'static str {
        self.other_lang().code()
    }

    fn other_lang(&self) -> Lang {
        match self.lang {
            Lang::En => Lang::Ru,
            Lang::Ru => Lang::En,
        }
    }

    /// The other language's name in that language ("Русский" on an English page).
    pub fn other_name(&self) -> String {
        self.other_lang().text("lang-name")
    }

    /// Whether the page can offer the switch: only a page loaded by link can be loaded again
    /// in the other language. A page that answered a form (the secret link shown once, the
    /// preview of unsent text) would lose what it holds.
    pub fn can_switch(&self) -> bool {
        self.here.is_some()
    }

    /// This page in the other language (no cookie: the choice travels in the link).
    pub fn switch_href(&self) -> String {
        let here = self.here.as_deref().unwrap_or("/");
        let joiner = if here.contains('?') { '&' } else { '?' };
        format!("{here}{joiner}lang={}", self.other())
    }

    /// A field's name as the reader reads it ("subject" → "Тема").
    pub fn field(&self, name: &str) -> String {
        self.lang
            .try_text(&format!("field-{name}"))
            .unwrap_or_else(|| name.to_owned())
    }

    /// A field's problem in the reader's language (English when only a parser worded it).
    pub fn field_error(&self, error: &crate::web::error::FieldError) -> String {
        match error.key {
            Some(key) if error.args.is_empty() => self.t(key),
            Some(key) => self.args(key, &error.args),
            None => error.message.clone(),
        }
    }

    /// This page's own address, for a form that comes back here.
    pub fn here(&self) -> &str {
        self.here.as_deref().unwrap_or("/")
    }
}

/// "MSK", "CET", "UTC"; a zone with no abbreviation shows its offset ("+04").
fn zone_label(zoned: &jiff::Zoned) -> String {
    zoned.strftime("%Z").to_string()
}

/// The zones an agent can choose from, by IANA name.
pub fn zone_names() -> Vec<String> {
    let mut names: Vec<String> = jiff::tz::db()
        .available()
        .map(|name| name.to_string())
        .filter(|name| name.contains('/') || name == "UTC")
        .filter(|name| !name.starts_with("Etc/") && !name.starts_with("SystemV/"))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// What a request asks for: `?lang=` and `Accept-Language`, and the page's own address.
struct Asked {
    query_lang: Option<Lang>,
    browser: Lang,
    here: Option<String>,
}

fn asked(parts: &Parts) -> Asked {
    asked_of(&parts.method, &parts.uri, &parts.headers)
}

fn asked_of(
    method: &axum::http::Method,
    uri: &axum::http::Uri,
    headers: &axum::http::HeaderMap,
) -> Asked {
    let query = uri.query().unwrap_or_default();
    let mut query_lang = None;
    let mut kept = form_urlencoded::Serializer::new(String::new());
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        if name == "lang" {
            query_lang = query_lang.or(Lang::from_code(&value));
        } else {
            kept.append_pair(&name, &value);
        }
    }
    let kept = kept.finish();
    let browser = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::negotiate)
        .unwrap_or(Lang::En);
    let here = (method == axum::http::Method::GET).then(|| {
        let path = uri.path();
        if kept.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{kept}")
        }
    });
    Asked {
        query_lang,
        browser,
        here,
    }
}

/// The language of a page answered before anyone is known (error pages): `?lang=`, else the
/// browser's.
pub fn for_request(
    method: &axum::http::Method,
    uri: &axum::http::Uri,
    headers: &axum::http::HeaderMap,
) -> Tr {
    let asked = asked_of(method, uri, headers);
    Tr {
        lang: asked.query_lang.unwrap_or(asked.browser),
        explicit: asked.query_lang.is_some(),
        // An error page never repeats the address it answers: a 404 for a guessed ticket
        // link must read the same whatever the link was.
        here: None,
        ..Tr::plain(Lang::En)
    }
}

/// The language of a page anyone can load: `?lang=`, else the browser's.
pub struct PageLang(pub Tr);

impl FromRequestParts<WebState> for PageLang {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, WebError> {
        let asked = asked(parts);
        let desk_zone =
            zone_named(&state.config.time_zone).filter(|z| z.iana_name() != Some("UTC"));
        Ok(PageLang(Tr {
            lang: asked.query_lang.unwrap_or(asked.browser),
            explicit: asked.query_lang.is_some(),
            zone: TimeZone::UTC,
            desk_zone,
            here: asked.here,
        }))
    }
}

/// An agent's page: `?lang=`, else their setting, else the browser's; times in their zone,
/// else the desk's.
pub fn for_agent(
    parts: &Parts,
    state: &WebState,
    saved_lang: Option<Lang>,
    saved_zone: Option<&str>,
) -> Tr {
    let asked = asked(parts);
    let zone = saved_zone
        .and_then(zone_named)
        .or_else(|| zone_named(&state.config.time_zone))
        .unwrap_or(TimeZone::UTC);
    Tr {
        lang: asked.query_lang.or(saved_lang).unwrap_or(asked.browser),
        explicit: asked.query_lang.is_some(),
        zone,
        desk_zone: None,
        here: asked.here,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn in_zone(lang: Lang, zone: &str) -> Tr {
        Tr {
            zone: zone_named(zone).unwrap(),
            ..Tr::plain(lang)
        }
    }

    #[test]
    fn dates_read_as_each_language_writes_them() {
        // 2026-11-26 12:05:00 UTC
        let noon = 1_795_694_700;
        assert_eq!(Tr::plain(Lang::En).time(noon), "26 Nov 2026, 12:05 UTC");
        assert_eq!(Tr::plain(Lang::Ru).time(noon), "26 ноября 2026, 12:05 UTC");
        assert_eq!(
            in_zone(Lang::Ru, "Europe/Moscow").time(noon),
            "26 ноября 2026, 15:05 MSK"
        );
    }

    #[test]
    fn requesters_see_utc_and_the_desk_zone() {
        let tr = Tr {
            desk_zone: zone_named("Europe/Moscow"),
            ..Tr::plain(Lang::En)
        };
        assert_eq!(tr.time(1_795_694_700), "26 Nov 2026, 12:05 UTC (15:05 MSK)");
        let late = Tr {
            desk_zone: zone_named("Pacific/Kiritimati"),
            ..Tr::plain(Lang::En)
        };
        assert_eq!(
            late.time(1_795_694_700),
            "26 Nov 2026, 12:05 UTC (27 Nov 2026, 02:05 +14)"
        );
    }

    #[test]
    fn numbers_are_grouped_per_language() {
        assert_eq!(Tr::plain(Lang::En).num(1_234_567), "1,234,567");
        assert_eq!(
            Tr::plain(Lang::Ru).num(1_234_567).replace('\u{a0}', " "),
            "1 234 567"
        );
    }

    #[test]
    fn an_explicit_language_travels_in_links() {
        let tr = Tr {
            explicit: true,
            here: Some("/new?x=1".into()),
            ..Tr::plain(Lang::Ru)
        };
        assert_eq!(tr.href("/t/abc"), "/t/abc?lang=ru");
        assert_eq!(tr.href("/t/abc?a=b"), "/t/abc?a=b&lang=ru");
        assert_eq!(tr.switch_href(), "/new?x=1&lang=en");
        assert_eq!(Tr::plain(Lang::En).href("/t/abc"), "/t/abc");
    }

    #[test]
    fn the_zone_list_has_the_usual_names() {
        let names = zone_names();
        assert!(names.iter().any(|n| n == "Europe/Moscow"));
        assert!(names.iter().any(|n| n == "UTC"));
        assert!(names.len() > 300);
    }
}
