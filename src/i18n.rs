//! Every text people read comes from one Fluent catalogue per language (`locales/<lang>/`),
//! compiled into the binary; plural forms are the catalogue's (Russian has three). The
//! language is a closed set: a page or mail asks for a key in a `Lang`, never for a string
//! built by hand.

use std::borrow::Cow;
use std::collections::HashMap;

use fluent_langneg::{NegotiationStrategy, accepted_languages, negotiate_languages};
pub use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid, static_loader};

static_loader! {
    static CATALOGUE = {
        locales: "./locales",
        fallback_language: "en",
        // Fluent wraps each argument in Unicode isolation marks by default: in a page or a
        // mail they are invisible characters inside numbers and names.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// A time zone by its IANA name ("Europe/Moscow"), from the database compiled into the
/// binary (no tzdata needed on the host).
pub fn zone_named(name: &str) -> Option<jiff::tz::TimeZone> {
    jiff::tz::TimeZone::get(name).ok()
}

/// The languages hushdesk speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    Ru,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Ru];

    /// The code used in `?lang=`, `<html lang>` and the catalogue's directory.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
        }
    }

    /// `ru`, `RU`, `ru-RU` → Russian; anything else we do not speak → `None`.
    pub fn from_code(code: &str) -> Option<Lang> {
        let primary = code.split(['-', '_']).next().unwrap_or_default();
        Lang::ALL
            .into_iter()
            .find(|lang| lang.code().eq_ignore_ascii_case(primary))
    }

    fn identifier(self) -> LanguageIdentifier {
        match self {
            Lang::En => langid!("en"),
            Lang::Ru => langid!("ru"),
        }
    }

    /// The language a text is written in, as far as we tell it apart: Russian when most of
    /// its letters are Cyrillic, else English. For mail and API filings, which come with no
    /// page language; only the text in memory is read, nothing is kept but the answer.
    pub fn of_text(text: &str) -> Lang {
        let (mut cyrillic, mut letters) = (0usize, 0usize);
        for c in text.chars().filter(|c| c.is_alphabetic()) {
            letters += 1;
            if ('\u{0400}'..='\u{04FF}').contains(&c) {
                cyrillic += 1;
            }
        }
        if letters > 0 && cyrillic * 2 >= letters {
            Lang::Ru
        } else {
            Lang::En
        }
    }

    /// The language an `Accept-Language` header prefers among ours; English when none.
    pub fn negotiate(accept_language: &str) -> Lang {
        // `accepted_languages::parse` keeps the header's order and ignores weights: order by
        // weight first (stable, so equal weights keep their order) and drop `q=0`, which
        // means "not this one".
        let mut weighted: Vec<(f32, &str)> = accept_language
            .split(',')
            .filter_map(|item| {
                let mut parts = item.split(';').map(str::trim);
                let tag = parts.next().filter(|t| !t.is_empty())?;
                let weight = parts
                    .find_map(|p| p.strip_prefix("q=").or_else(|| p.strip_prefix("Q=")))
                    .map_or(Some(1.0), |q| q.parse::<f32>().ok())?;
                (weight > 0.0).then_some((weight, tag))
            })
            .collect();
        weighted.sort_by(|a, b| b.0.total_cmp(&a.0));
        let ordered: Vec<&str> = weighted.into_iter().map(|(_, tag)| tag).collect();
        let requested = accepted_languages::parse(&ordered.join(","));
        let available: Vec<LanguageIdentifier> =
            Lang::ALL.into_iter().map(Lang::identifier).collect();
        let english = Lang::En.identifier();
        negotiate_languages(
            &requested,
            &available,
            Some(&english),
            NegotiationStrategy::Lookup,
        )
        .first()
        .and_then(|chosen| Lang::ALL.into_iter().find(|l| l.identifier() == **chosen))
        .unwrap_or(Lang::En)
    }

    /// The text for `key`.
    pub fn text(self, key: &str) -> String {
        CATALOGUE.lookup(&self.identifier(), key)
    }

    /// The text for `key`, or `None` when the catalogue has no such key.
    pub fn try_text(self, key: &str) -> Option<String> {
        CATALOGUE.try_lookup(&self.identifier(), key)
    }

    /// The text for `key` with its arguments (numbers choose the plural form).
    pub fn text_with(self, key: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        CATALOGUE.lookup_with_args(&self.identifier(), key, &owned_args(args))
    }

    /// `text_with`, or `None` when the catalogue has no such key.
    pub fn try_text_with(self, key: &str, args: &[(&str, FluentValue<'_>)]) -> Option<String> {
        CATALOGUE.try_lookup_with_args(&self.identifier(), key, &owned_args(args))
    }
}

fn owned_args<'a>(args: &[(&str, FluentValue<'a>)]) -> HashMap<Cow<'static, str>, FluentValue<'a>> {
    args.iter()
        .map(|(name, value)| (Cow::Owned((*name).to_owned()), value.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// Every key in one language's catalogue exists in the other's: a page never falls back
    /// to English halfway through.
    #[test]
    fn both_catalogues_have_the_same_keys() {
        let keys = |lang: &str| {
            let mut keys = std::collections::BTreeSet::new();
            for entry in std::fs::read_dir(format!("locales/{lang}")).unwrap() {
                let path = entry.unwrap().path();
                let text = std::fs::read_to_string(&path).unwrap();
                for line in text.lines() {
                    let starts_key = line.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
                    if let (true, Some((key, _))) = (starts_key, line.split_once('=')) {
                        keys.insert(format!(
                            "{}:{}",
                            path.file_name().unwrap().to_string_lossy(),
                            key.trim()
                        ));
                    }
                }
            }
            keys
        };
        let (english, russian) = (keys("en"), keys("ru"));
        assert!(!english.is_empty());
        let only_english: Vec<_> = english.difference(&russian).collect();
        let only_russian: Vec<_> = russian.difference(&english).collect();
        assert!(
            only_english.is_empty() && only_russian.is_empty(),
            "only in en: {only_english:?}; only in ru: {only_russian:?}"
        );
    }

    #[test]
    fn russian_plurals_take_three_forms() {
        let count = |n: i64| Lang::Ru.text_with("tickets-count", &[("count", n.into())]);
        assert_eq!(count(1), "1 обращение");
        assert_eq!(count(3), "3 обращения");
        assert_eq!(count(5), "5 обращений");
        assert_eq!(count(21), "21 обращение");
        assert_eq!(
            Lang::En.text_with("tickets-count", &[("count", 1.into())]),
            "1 ticket"
        );
    }

    #[test]
    fn a_text_tells_its_language() {
        assert_eq!(
            Lang::of_text("Не приходит код подтверждения, помогите"),
            Lang::Ru
        );
        assert_eq!(Lang::of_text("My card was charged twice"), Lang::En);
        assert_eq!(
            Lang::of_text("Ошибка 0x80070005 в приложении Wallet, версия 2.3"),
            Lang::Ru
        );
        assert_eq!(Lang::of_text("1234 5678"), Lang::En);
    }

    #[test]
    fn the_browser_language_is_negotiated() {
        assert_eq!(Lang::negotiate("ru-RU,ru;q=0.9,en;q=0.8"), Lang::Ru);
        assert_eq!(Lang::negotiate("de-DE,en;q=0.5"), Lang::En);
        assert_eq!(Lang::negotiate("fr"), Lang::En);
        assert_eq!(Lang::negotiate(""), Lang::En);
        assert_eq!(Lang::negotiate("en;q=0.1, ru;q=0.9"), Lang::Ru);
        assert_eq!(Lang::negotiate("ru;q=0, en;q=0.5"), Lang::En);
        assert_eq!(Lang::negotiate("ru;q=0"), Lang::En);
        assert_eq!(Lang::from_code("ru"), Some(Lang::Ru));
        assert_eq!(Lang::from_code("RU"), Some(Lang::Ru));
        assert_eq!(Lang::from_code("ru-RU"), Some(Lang::Ru));
        assert_eq!(Lang::from_code("xx"), None);
    }
}
