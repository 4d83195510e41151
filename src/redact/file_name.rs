//! Attachment names: masked like text, but read as a name first. A name is where a sender
//! can hide a trick for the agent who sees it (`evil\u{202E}gpj.exe` shows as
//! `evilexe.jpg`; `../../etc/passwd` is a path for a script that saves it), and where an
//! extension reads as part of an address (`ivan@mail.ru.log` would mask the `.log` away).

use super::engine::Redactor;
use super::masks::{MaskBook, Redacted};

/// The name given when nothing readable is left.
const NO_NAME: &str = "attachment";
/// Longest extension kept apart from the masking: `.properties` and shorter.
const MAX_EXTENSION_CHARS: usize = 10;
/// Parts of an extension kept apart at most (`.tar.gz`).
const MAX_EXTENSION_PARTS: usize = 2;

impl Redactor {
    /// The name as agents may see it: its last path component, without control, direction
    /// or invisible formatting characters, masked like text with its extension kept apart
    /// (an extension of ASCII letters and digits carries nothing personal).
    pub fn redact_file_name(&self, raw: &str, book: &mut MaskBook) -> Redacted<String> {
        let name = readable_name(raw);
        let (stem, extension) = self.stem_and_extension(&name);
        let masked = self.redact(stem, book);
        let counts = masked.counts().clone();
        let mut shown = masked.into_inner();
        if let Some(extension) = extension {
            shown.push('.');
            shown.push_str(extension);
        }
        Redacted::new(shown, counts)
    }
}

impl Redactor {
    /// Where the name's extension starts, if it has one to keep apart. An extension is kept
    /// apart when a value ends right before it (`ivan@mail.ru.log`, `…@mail.ru.tar.gz`), or
    /// when no value runs into it; a name whose value ends the name (`john@gmail.com`) is
    /// masked whole.
    fn stem_and_extension<'n>(&self, name: &'n str) -> (&'n str, Option<&'n str>) {
        let ends_in_value = |stem: &str| {
            let end = stem.trim_end().len();
            self.find(stem).iter().any(|f| f.end == end)
        };
        let candidates = extension_splits(name);
        if let Some(&(stem, extension)) = candidates
            .iter()
            .rev()
            .find(|(stem, _)| ends_in_value(stem))
        {
            return (stem, Some(extension));
        }
        match candidates.first() {
            Some(&(stem, extension)) if !self.find(name).iter().any(|f| f.end > stem.len()) => {
                (stem, Some(extension))
            }
            _ => (name, None),
        }
    }
}

/// The ways to split off an extension, shortest extension first: `a.tar.gz` gives
/// (`a.tar`, `gz`) and (`a`, `tar.gz`).
fn extension_splits(name: &str) -> Vec<(&str, &str)> {
    let mut splits = Vec::new();
    let mut stem = name;
    for _ in 0..MAX_EXTENSION_PARTS {
        match split_extension(stem) {
            (shorter, Some(_)) => {
                stem = shorter;
                splits.push((shorter, &name[shorter.len() + 1..]));
            }
            _ => break,
        }
    }
    splits
}

/// The last component of a path, with characters that change how text reads (controls,
/// bidirectional overrides and isolates, zero-width and other invisible format
/// characters) dropped, and white space runs made one space.
fn readable_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let visible: String = last
        .chars()
        .filter(|c| !c.is_control() && !is_invisible_format(*c))
        .collect();
    let words: Vec<&str> = visible.split_whitespace().collect();
    let name = words.join(" ");
    let name = name.trim_start_matches('.');
    if name.is_empty() {
        NO_NAME.to_owned()
    } else {
        name.to_owned()
    }
}

/// Unicode format characters that are invisible or reorder text: the bidirectional marks,
/// embeddings, overrides and isolates, zero-width characters, word joiners and the BOM.
pub fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}'
        | '\u{034F}'
        | '\u{061C}'
        | '\u{115F}'..='\u{1160}'
        | '\u{17B4}'..='\u{17B5}'
        | '\u{180E}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}'
        | '\u{3164}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{FEFF}'
        | '\u{FFA0}'
        | '\u{FFF9}'..='\u{FFFB}'
        | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0000}'..='\u{E0FFF}')
}

/// The name without its extension, and the extension, when it is short ASCII letters and
/// digits with at least one letter (so `report.2024` keeps its number masked with the rest).
fn split_extension(name: &str) -> (&str, Option<&str>) {
    match name.rsplit_once('.') {
        Some((stem, extension))
            if !stem.is_empty()
                && (1..=MAX_EXTENSION_CHARS).contains(&extension.len())
                && extension.bytes().all(|b| b.is_ascii_alphanumeric())
                && extension.bytes().any(|b| b.is_ascii_alphabetic()) =>
        {
            (stem, Some(extension))
        }
        _ => (name, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direction_overrides_and_invisible_characters_are_dropped() {
        assert_eq!(readable_name("evil\u{202E}gpj.exe"), "evilgpj.exe");
        assert_eq!(readable_name("a\u{200B}b\u{2066}c\u{2069}.txt"), "abc.txt");
        assert_eq!(readable_name("line\r\nbreak.log"), "linebreak.log");
        assert_eq!(readable_name("журнал  ошибок.log"), "журнал ошибок.log");
    }

    #[test]
    fn only_the_last_path_component_is_kept() {
        assert_eq!(readable_name("../../../../etc/passwd"), "passwd");
        assert_eq!(readable_name("C:\\Users\\me\\photo.jpg"), "photo.jpg");
        assert_eq!(readable_name("../.."), NO_NAME);
        assert_eq!(readable_name(".bashrc"), "bashrc");
        assert_eq!(readable_name("\u{202E}"), NO_NAME);
    }

    #[test]
    fn an_address_that_ends_the_name_is_masked_whole_and_one_before_an_extension_keeps_it() {
        let redactor = Redactor::builtin().unwrap();
        let name = |raw: &str| {
            let mut book = MaskBook::new(crate::redact::MaskKey::from_bytes([7; 32]), Vec::new());
            redactor.redact_file_name(raw, &mut book).into_inner()
        };
        assert_eq!(name("john.doe@gmail.com"), "[EMAIL-1]");
        assert_eq!(name("ivan@mail.ru.log"), "[EMAIL-1].log");
        assert_eq!(name("ivan@mail.ru.tar.gz"), "[EMAIL-1].tar.gz");
        assert_eq!(name("john.doe@gmail.com.pdf"), "[EMAIL-1].pdf");
        assert_eq!(name("report.tar.gz"), "report.tar.gz");
        assert_eq!(name("tag\u{E0041}\u{E0042}\u{3164}.bin"), "tag.bin");
    }

    #[test]
    fn an_extension_is_kept_apart_only_when_it_looks_like_one() {
        assert_eq!(
            split_extension("ivan@mail.ru.log"),
            ("ivan@mail.ru", Some("log"))
        );
        assert_eq!(split_extension("photo.jpeg"), ("photo", Some("jpeg")));
        assert_eq!(split_extension("report.2024"), ("report.2024", None));
        assert_eq!(split_extension("no extension"), ("no extension", None));
        assert_eq!(
            split_extension("a.verylongextension"),
            ("a.verylongextension", None)
        );
    }
}
