//! Dotted quads read in context: `3.28.4.46` after "version" or "Android" is a version,
//! `10.0.0.12` after "from" or "IP:" is an address. The nearest cue word before the value
//! decides; with none, a valid quad is an address.

use std::net::Ipv4Addr;
use std::ops::Range;

use super::casefold::with_lowercase;
use crate::redact::rules::floor_char_boundary;

/// How far back on the same line a cue word is looked for.
const CUE_REACH: usize = 48;

/// Word stems that announce a version or a build, up to a few words before it
/// ("after updating to", "версия клиента").
const VERSION_STEMS: &[&str] = &[
    "version",
    "верси",
    "build",
    "сборк",
    "release",
    "релиз",
    "updat",
    "обновл",
    "upgrad",
    "firmware",
    "прошивк",
    "приложени",
    "kernel",
    "патч",
    "patch",
    "драйвер",
    "driver",
    // Numbered sections of documents ("Chapter 12.3.4.1", "п. 4.2.1.3 договора").
    "chapter",
    "section",
    "clause",
    "глав",
    "раздел",
    "пункт",
];

/// Names of software that a version follows directly ("Android 14.0.0.12", "API 7.26.19.8");
/// a word further away ("Windows machine at 10.2.3.4") says nothing.
const SOFTWARE_WORDS: &[&str] = &[
    "v", "ver", "vers", "app", "ios", "ipados", "android", "windows", "win", "macos", "osx",
    "linux", "ядро", "chrome", "firefox", "safari", "edge", "opera", "sdk", "api", "java",
    "python", "node", "php", "rev", "revision", "ред",
];

/// Word stems that announce a network address.
const ADDRESS_STEMS: &[&str] = &[
    "адрес",
    "address",
    "сервер",
    "server",
    "подключ",
    "connect",
    "gateway",
    "шлюз",
    "маршрут",
    "route",
    "subnet",
    "подсет",
    "router",
    "роутер",
    "proxy",
    "прокси",
    "forwarded",
    "remote",
    "login",
    "logged",
    "вход",
    "access",
    "доступ",
];

/// Whole words that announce a network address. "from", "to" and "client" are neither: they
/// stand before addresses in logs and before versions ("updated from 3.28.4.45 to 3.28.4.46",
/// "версия клиента 7.56.7.154").
const ADDRESS_WORDS: &[&str] = &[
    "ip",
    "ipv4",
    "ip4",
    "addr",
    "host",
    "src",
    "dst",
    "peer",
    "dns",
    "vpn",
    "nat",
    "ssh",
    "rdp",
    "ping",
    "via",
    "mask",
    "маска",
    "port",
    "порт",
];

/// How many words back a cue may stand.
const CUE_WORDS: usize = 4;

/// A dotted quad with every octet at most 255 and no leading zeros, that the words just
/// before it do not present as a version number.
pub(super) fn is_ipv4_address(text: &str, value: Range<usize>) -> bool {
    if text[value.clone()].parse::<Ipv4Addr>().is_err() {
        return false;
    }
    let after = &text[value.end..];
    // "3.28.4.46-beta", "10.0.0.1+build7": a version with its qualifier.
    if after.starts_with(['-', '+']) && after[1..].starts_with(|c: char| c.is_alphabetic()) {
        return false;
    }
    let start = floor_char_boundary(text, value.start.saturating_sub(CUE_REACH));
    let before = &text[start..value.start];
    let line = &before[before.rfind('\n').map_or(0, |i| i + 1)..];
    let words = line
        .split(|c: char| !c.is_alphanumeric())
        .rev()
        // Numbers do not count: in "from 3.28.4.45 to 3.28.4.46" the cue is "from … to".
        .filter(|w| !w.is_empty() && !w.bytes().all(|b| b.is_ascii_digit()))
        .take(CUE_WORDS);
    for (distance, word) in words.enumerate() {
        let verdict = with_lowercase(word, |word| {
            let is = |stems: &[&str]| stems.iter().any(|s| word.starts_with(s));
            if ADDRESS_WORDS.contains(&word) || is(ADDRESS_STEMS) {
                return Some(true);
            }
            if is(VERSION_STEMS) || (distance == 0 && SOFTWARE_WORDS.contains(&word)) {
                return Some(false);
            }
            None
        });
        if let Some(verdict) = verdict {
            return verdict;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The verdict on the last dotted token of `text`.
    fn ip(text: &str) -> bool {
        let value = text
            .split_whitespace()
            .rfind(|t| t.contains('.'))
            .unwrap()
            .trim_end_matches(',');
        let start = text.rfind(value).unwrap();
        is_ipv4_address(text, start..start + value.len())
    }

    #[test]
    fn the_nearest_cue_decides() {
        assert!(ip("connection from 10.0.0.12"));
        assert!(ip("IP: 192.168.1.5"));
        assert!(ip("server at 10.0.0.1"));
        assert!(ip("just 8.8.8.8"), "no cue: an address");
        assert!(!ip("Updated to version 3.28.4.46"));
        assert!(!ip("Android 14.0.0.12"));
        assert!(!ip("приложение 3.28.4.46"));
        assert!(ip("after the update I connect from 10.0.0.12"));
        assert!(ip("client 10.0.0.12 connected"));
        assert!(!ip("updated from 3.28.4.45 to 3.28.4.46"));
        assert!(!ip("After updating to 17.46.1.75"));
        assert!(!ip("версия клиента 7.56.7.154"));
        assert!(!ip("Разрешите доступ к API 7.26.19.8"));
        assert!(ip("API access from 10.0.0.12"));
        assert!(ip("Windows machine at 10.2.3.4"));
    }

    #[test]
    fn the_shape_rules_out_versions_too() {
        assert!(!ip("from 10.0.19045.3570"), "octet above 255");
        assert!(!ip("from 1.02.3.4"), "leading zero");
        let text = "from 3.28.4.46-beta";
        assert!(!is_ipv4_address(text, 5..14));
    }
}
