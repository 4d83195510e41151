//! The normalised view rules match against: the spellings editors and mail clients produce
//! (exotic spaces and dashes, full-width digits, `%XX` in links, quoted line wraps) read as the
//! plain ASCII a rule author writes, with every view offset mapped back to the original exactly.
//! It never changes the text that is stored: only where rules look.

use std::borrow::Cow;

/// The text as rules see it, and how to get from its offsets back to the original's.
#[derive(Debug)]
pub struct View<'a> {
    text: Cow<'a, str>,
    /// `(view offset, original offset)` right after each replaced unit, in order. Between two
    /// checkpoints the view is a verbatim copy, so offsets move together.
    checkpoints: Vec<(usize, usize)>,
}

impl<'a> View<'a> {
    /// The view of `original`. Borrows it, with no allocation, when nothing needs reading as
    /// something else (the common case).
    pub fn of(original: &'a str) -> View<'a> {
        let bytes = original.as_bytes();
        let mut builder: Option<Builder> = None;
        let mut copied_until = 0; // original offset up to which the builder has the text
        let mut urlish = UrlishCache::default();
        let mut tab_rows = TabRowCache::default();
        let mut line_quote_depth = quoted_text_depth(bytes, 0);
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if !LEAD_BYTES[usize::from(b)] {
                i += 1;
                continue;
            }
            let replacement = match b {
                b'\n' => {
                    let next = quote_continuation(bytes, i, line_quote_depth);
                    if next.is_none() {
                        line_quote_depth = quoted_text_depth(bytes, i + 1);
                    }
                    next.map(|end| (end, ' '))
                }
                b'%' => decode_percent(bytes, i)
                    .filter(|_| urlish.contains(bytes, i))
                    .map(|(end, c)| (end, reading_of(c))),
                // A `+` opening a phone number is its sign (`phone=+7916…`), whatever stands
                // before it: were it read as a space, masking the value before it
                // (`token=abc123+7 (916)…`) would end the query string, and the text redacted
                // again would read differently from the first time. (`д.+5` stays a space.)
                b'+' => (urlish.in_query(bytes, i) && !opens_a_phone_number(bytes, i))
                    .then_some((i + 1, ' ')),
                // A tab between the cells of a tab-separated table stays a tab: it is what
                // tells the columns apart (see `columns.rs`).
                b'\t' if tab_rows.is_table_row(bytes, i) => None,
                _ => unit_replacement(bytes, i).map(|(len, c)| (i + len, char::from(c))),
            };
            let Some((end, replacement)) = replacement else {
                i += 1;
                continue;
            };
            let builder = builder.get_or_insert_with(|| Builder::new(original.len()));
            builder.copy(&original[copied_until..i]);
            let mut replacement = replacement;
            if b == b'\n' {
                // Trailing blanks before a quoted wrap belong to the one space it reads as.
                builder.drop_trailing_blanks();
                // After a joiner (`4276-5260-1815-` / `9080`, `oleg@` / `mail.ru`) the wrap
                // reads as nothing: the joiner stands for itself and the break.
                if let Some(joiner) = builder.take_trailing_joiner() {
                    replacement = joiner;
                }
            }
            builder.replace(replacement, end);
            copied_until = end;
            i = end;
        }
        match builder {
            None => View {
                text: Cow::Borrowed(original),
                checkpoints: Vec::new(),
            },
            Some(mut builder) => {
                builder.copy(&original[copied_until..]);
                View {
                    text: Cow::Owned(builder.text),
                    checkpoints: builder.checkpoints,
                }
            }
        }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The original offset of view offset `at` (a char boundary of the view). The start of a
    /// replaced unit maps to the start of what it replaced, the end to its end.
    pub fn to_original(&self, at: usize) -> usize {
        let i = self.checkpoints.partition_point(|&(view, _)| view <= at);
        match i.checked_sub(1).and_then(|i| self.checkpoints.get(i)) {
            Some(&(view, original)) => original + (at - view),
            None => at,
        }
    }
}

/// Whether the `+` at `at` is followed by a phone number's worth of digits (at least seven,
/// with the separators phone numbers are written with).
fn opens_a_phone_number(bytes: &[u8], at: usize) -> bool {
    if !bytes.get(at + 1).is_some_and(u8::is_ascii_digit) {
        return false;
    }
    let digits = bytes[at + 1..]
        .iter()
        .take(24)
        .take_while(|b| b.is_ascii_digit() || matches!(b, b' ' | b'(' | b')' | b'-' | b'.'))
        .filter(|b| b.is_ascii_digit())
        .count();
    digits >= 7
}

/// The owned view while it is being built.
struct Builder {
    text: String,
    checkpoints: Vec<(usize, usize)>,
    /// Original offset of the end of what has been copied so far.
    original_at: usize,
}

impl Builder {
    fn new(capacity: usize) -> Builder {
        Builder {
            text: String::with_capacity(capacity),
            checkpoints: Vec::new(),
            original_at: 0,
        }
    }

    fn copy(&mut self, verbatim: &str) {
        self.text.push_str(verbatim);
        self.original_at += verbatim.len();
    }

    /// Removes blanks copied since the last checkpoint; the next replacement then covers them.
    fn drop_trailing_blanks(&mut self) {
        let floor = self.checkpoints.last().map_or(0, |&(view, _)| view);
        while self.text.len() > floor && self.text.ends_with([' ', '\t', '\r']) {
            self.text.pop();
            self.original_at -= 1;
        }
    }

    /// Removes a joiner (`-`, `@`, `.`, `_`, `/`) copied last since the last checkpoint, so
    /// the next replacement covers it and reads as it.
    fn take_trailing_joiner(&mut self) -> Option<char> {
        let floor = self.checkpoints.last().map_or(0, |&(view, _)| view);
        let last = self.text.chars().next_back()?;
        if self.text.len() > floor && JOINERS.contains(&last) {
            self.text.pop();
            self.original_at -= 1;
            return Some(last);
        }
        None
    }

    fn replace(&mut self, with: char, original_end: usize) {
        // A checkpoint before the unit keeps the mapping of its start exact even when
        // blanks were dropped in front of it.
        self.checkpoints.push((self.text.len(), self.original_at));
        self.text.push(with);
        self.checkpoints.push((self.text.len(), original_end));
        self.original_at = original_end;
    }
}

/// Characters a value can be wrapped after with no space lost (`1815-`, `oleg@`, `mail.`).
const JOINERS: [char; 5] = ['-', '@', '.', '_', '/'];

/// Bytes that can begin something the view reads differently.
const LEAD_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    table[b'\t' as usize] = true;
    table[b'\n' as usize] = true;
    table[b'%' as usize] = true;
    table[b'+' as usize] = true;
    table[0xC2] = true;
    table[0xE1] = true;
    table[0xE2] = true;
    table[0xE3] = true;
    table[0xEF] = true;
    table
};

/// A tab, Unicode space, dash or full-width digit at `i`: its length and its ASCII reading.
fn unit_replacement(bytes: &[u8], i: usize) -> Option<(usize, u8)> {
    let rest = &bytes[i..];
    match *rest {
        [b'\t', ..] => Some((1, b' ')),
        // U+00A0 no-break space
        [0xC2, 0xA0, ..] => Some((2, b' ')),
        // U+1680 Ogham space mark
        [0xE1, 0x9A, 0x80, ..] => Some((3, b' ')),
        // U+2000–U+200A (en quad … hair space, incl. figure U+2007 and thin U+2009), U+202F
        [0xE2, 0x80, 0x80..=0x8A | 0xAF, ..] => Some((3, b' ')),
        // U+2010 hyphen, U+2011 non-breaking hyphen, U+2012 figure dash, U+2013 en dash
        [0xE2, 0x80, 0x90..=0x93, ..] => Some((3, b'-')),
        // U+205F medium mathematical space
        [0xE2, 0x81, 0x9F, ..] => Some((3, b' ')),
        // U+2212 minus sign
        [0xE2, 0x88, 0x92, ..] => Some((3, b'-')),
        // U+3000 ideographic space
        [0xE3, 0x80, 0x80, ..] => Some((3, b' ')),
        // U+FF10–U+FF19 full-width digits
        [0xEF, 0xBC, d @ 0x90..=0x99, ..] => Some((3, b'0' + (d - 0x90))),
        _ => None,
    }
}

/// The byte of a `%XX` escape at `i`, if it is one.
fn percent_byte(bytes: &[u8], i: usize) -> Option<u8> {
    let hex = |b: u8| char::from(b).to_digit(16);
    if *bytes.get(i)? != b'%' {
        return None;
    }
    let high = hex(*bytes.get(i + 1)?)?;
    let low = hex(*bytes.get(i + 2)?)?;
    u8::try_from(high * 16 + low).ok()
}

/// The `%XX` escape (or run of escapes forming one UTF-8 character: `%E2%84%96` is `№`) at
/// `i`: where it ends and the character it stands for. Control characters and broken UTF-8
/// are not decoded.
fn decode_percent(bytes: &[u8], i: usize) -> Option<(usize, char)> {
    let first = percent_byte(bytes, i)?;
    let len = match first {
        0x20..=0x7E => return Some((i + 3, char::from(first))),
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => return None,
    };
    let mut encoded = [first, 0, 0, 0];
    for (k, byte) in encoded.iter_mut().enumerate().take(len).skip(1) {
        *byte = percent_byte(bytes, i + 3 * k)?;
    }
    let c = std::str::from_utf8(&encoded[..len]).ok()?.chars().next()?;
    (!c.is_control()).then_some((i + 3 * len, c))
}

/// How a decoded character reads: a Unicode space or dash as its ASCII form (as when it
/// is written out), anything else as itself.
fn reading_of(c: char) -> char {
    let mut encoded = [0u8; 4];
    let bytes = c.encode_utf8(&mut encoded).as_bytes();
    match unit_replacement(bytes, 0) {
        Some((len, ascii)) if len == bytes.len() => char::from(ascii),
        _ => c,
    }
}

/// Whether the tab at `i` stands in a row of a tab-separated table: a line with at least
/// two runs of tabs between text (`1\tИванов\t7707083893`). A single tab (`Birth:\t1985`,
/// `Name:\t\tIvan`) is alignment and reads as a space. Remembers the last line looked at.
#[derive(Default)]
struct TabRowCache {
    line: std::ops::Range<usize>,
    table: bool,
}

impl TabRowCache {
    fn is_table_row(&mut self, bytes: &[u8], i: usize) -> bool {
        if !self.line.contains(&i) {
            let start = memchr::memrchr(b'\n', &bytes[..i]).map_or(0, |p| p + 1);
            let end = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |p| i + p);
            let line = &bytes[start..end];
            let runs = line
                .windows(2)
                .filter(|pair| pair[0] != b'\t' && pair[1] == b'\t')
                .count();
            let text_after_last = line
                .iter()
                .rposition(|&b| b == b'\t')
                .is_some_and(|last| line[last + 1..].iter().any(|b| !b.is_ascii_whitespace()));
            self.table = runs >= 2 && text_after_last;
            self.line = start..end;
        }
        self.table
    }
}

/// Whether a `%` lies in a URL-ish run (no white space, holding `://`, `?`, `=` or `mailto:`);
/// remembers the last run looked at, as escapes come in clusters.
#[derive(Default)]
struct UrlishCache {
    run: std::ops::Range<usize>,
    urlish: bool,
    /// Where the run's query string (after its `?`) starts, if it has one.
    query: Option<usize>,
}

impl UrlishCache {
    fn contains(&mut self, bytes: &[u8], i: usize) -> bool {
        self.look_at(bytes, i);
        self.urlish
    }

    /// Whether `i` lies in the query string of a URL-ish run, where `+` stands for a space.
    fn in_query(&mut self, bytes: &[u8], i: usize) -> bool {
        self.look_at(bytes, i);
        self.urlish && self.query.is_some_and(|q| q <= i)
    }

    fn look_at(&mut self, bytes: &[u8], i: usize) {
        if !self.run.contains(&i) {
            let is_space = |b: &u8| b.is_ascii_whitespace();
            let start = bytes[..i].iter().rposition(is_space).map_or(0, |p| p + 1);
            let end = bytes[i..]
                .iter()
                .position(is_space)
                .map_or(bytes.len(), |p| i + p);
            let run = &bytes[start..end];
            self.urlish = memchr::memmem::find(run, b"://").is_some()
                || memchr::memchr2(b'?', b'=', run).is_some()
                || memchr::memmem::find(run, b"mailto:").is_some();
            self.query = memchr::memchr(b'?', run).map(|q| start + q + 1);
            self.run = start..end;
        }
    }
}

/// Depth of the mail quote prefix (`>`, `> >`, `>>`) of the line starting at `at`, and where
/// the prefix (with the blanks after it) ends.
fn quote_depth(bytes: &[u8], at: usize) -> (usize, usize) {
    let mut depth = 0;
    let mut i = at;
    while i < bytes.len() {
        match bytes[i] {
            b'>' => depth += 1,
            b' ' | b'\t' if depth > 0 => {}
            _ => break,
        }
        i += 1;
    }
    (depth, i)
}

/// The quote depth of the line at `at` if it carries text after its prefix, else 0: a quoted
/// empty line ends a paragraph, and nothing reads through it.
fn quoted_text_depth(bytes: &[u8], at: usize) -> usize {
    let (depth, end) = quote_depth(bytes, at);
    let carries_text = bytes.get(end).is_some_and(|&b| b != b'\n' && b != b'\r');
    if carries_text { depth } else { 0 }
}

/// If the line break at `i` continues a quoted line (the next line has the same quote depth
/// and carries text), where the break and the next line's prefix end.
fn quote_continuation(bytes: &[u8], i: usize, depth: usize) -> Option<usize> {
    if depth == 0 {
        return None;
    }
    let (next_depth, end) = quote_depth(bytes, i + 1);
    let carries_text = bytes.get(end).is_some_and(|&b| b != b'\n' && b != b'\r');
    (next_depth == depth && carries_text).then_some(end)
}

/// The parts of `range` of `original` to mask one by one: a value read through a quoted line
/// wrap keeps the break and the next line's quote prefix. Parts never start or end with blanks.
pub fn mask_parts(original: &str, range: std::ops::Range<usize>) -> Vec<std::ops::Range<usize>> {
    let bytes = original.as_bytes();
    let mut parts = Vec::new();
    let mut start = range.start;
    let mut i = range.start;
    while let Some(offset) = memchr::memchr(b'\n', &bytes[i..range.end]) {
        let newline = i + offset;
        let (depth, prefix_end) = quote_depth(bytes, newline + 1);
        if depth == 0 {
            i = newline + 1;
            continue;
        }
        parts.push(start..newline);
        start = prefix_end.min(range.end);
        i = start;
    }
    parts.push(start..range.end);
    parts
        .into_iter()
        .map(|part| trim_blanks(original, part))
        .filter(|part| !part.is_empty())
        .collect()
}

/// `range` without white space (line breaks included) at either end.
pub fn trim_blanks(text: &str, range: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let inner = &text[range.clone()];
    let trimmed_start = inner.len() - inner.trim_start().len();
    let trimmed_end = inner.trim_end().len();
    if trimmed_end <= trimmed_start {
        return range.start..range.start;
    }
    range.start + trimmed_start..range.start + trimmed_end
}

/// How a found value reads for numbering: its parts in the view, joined by a space.
pub fn value_reading(original: &str, range: std::ops::Range<usize>) -> String {
    let mut reading = String::new();
    for part in mask_parts(original, range) {
        // As the view reads the wrap: nothing after a joiner (`e.gorbunova-` / `fin@mail.ru`
        // is one address), one space otherwise.
        if !reading.is_empty() && !reading.ends_with(JOINERS) {
            reading.push(' ');
        }
        reading.push_str(View::of(&original[part]).as_str());
    }
    reading
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_mapping(original: &str, view: &View<'_>) {
        // Every char boundary of the view maps to a char boundary of the original, in order.
        let mut last = 0;
        for (at, _) in view.as_str().char_indices() {
            let mapped = view.to_original(at);
            assert!(original.is_char_boundary(mapped));
            assert!(mapped >= last);
            last = mapped;
        }
        assert_eq!(view.to_original(view.as_str().len()), original.len());
    }

    #[test]
    fn plain_text_is_borrowed() {
        let text = "Card 4111 1111 1111 1111, Иван\nnext line > not a quote";
        let view = View::of(text);
        assert!(matches!(view.text, Cow::Borrowed(_)));
        assert_eq!(view.to_original(5), 5);
    }

    #[test]
    fn exotic_spaces_dashes_and_digits_read_as_ascii() {
        let text =
            "4111\u{a0}1111\u{2009}1111\u{202f}1111 +7\u{2011}916\u{2013}123 \u{ff11}\u{ff12}\tx";
        let view = View::of(text);
        assert_eq!(view.as_str(), "4111 1111 1111 1111 +7-916-123 12 x");
        check_mapping(text, &view);
        let at = view.as_str().find("+7").unwrap();
        assert_eq!(
            &text[view.to_original(at)..view.to_original(at + 9)],
            "+7\u{2011}916\u{2013}12"
        );
    }

    #[test]
    fn percent_escapes_are_decoded_in_links_only() {
        let text = "mailto:ivan%40example.org ?phone=%2B79123456789 and 100%25 sure";
        let view = View::of(text);
        assert_eq!(
            view.as_str(),
            "mailto:ivan@example.org ?phone=+79123456789 and 100%25 sure"
        );
        check_mapping(text, &view);
    }

    #[test]
    fn percent_encoded_utf8_reads_as_its_character_and_maps_to_its_whole_escape() {
        let text = "GET /kyc?doc=%E2%84%96%2045&name=%D0%B8%D0%B2%D0%B0%D0%BD \
                    /cb?phone=%2B7%E2%80%93916&x=a%C2%A0b&bad=%D0%ZZ%FF";
        let view = View::of(text);
        assert_eq!(
            view.as_str(),
            "GET /kyc?doc=№ 45&name=иван /cb?phone=+7-916&x=a b&bad=%D0%ZZ%FF"
        );
        check_mapping(text, &view);
        let at = view.as_str().find('№').unwrap();
        assert_eq!(
            &text[view.to_original(at)..view.to_original(at + '№'.len_utf8())],
            "%E2%84%96"
        );
        let at = view.as_str().find("иван").unwrap();
        assert_eq!(
            &text[view.to_original(at)..view.to_original(at + "иван".len())],
            "%D0%B8%D0%B2%D0%B0%D0%BD"
        );
        // Outside a link an escape is text, whatever it would decode to.
        let prose = "100%E2 and %D0%B8 here";
        assert_eq!(View::of(prose).as_str(), prose);
    }

    #[test]
    fn plus_is_a_space_in_a_query_string_but_not_a_phone_numbers_sign() {
        let text =
            "GET /geo?q=ул.+Ленина+д.+5&phone=+79161234567 a+b c?d+e /?t=ab1+7 (916) 123-45-67";
        let view = View::of(text);
        assert_eq!(
            view.as_str(),
            "GET /geo?q=ул. Ленина д. 5&phone=+79161234567 a+b c?d e /?t=ab1+7 (916) 123-45-67"
        );
        check_mapping(text, &view);
    }

    #[test]
    fn tabs_stay_between_the_cells_of_a_table_and_read_as_spaces_elsewhere() {
        let text = "id\tИНН\tДата\n1\t7707083893\t12.03.2026\nBirth:\t1985\nName:\t\tIvan";
        let view = View::of(text);
        assert_eq!(
            view.as_str(),
            "id\tИНН\tДата\n1\t7707083893\t12.03.2026\nBirth: 1985\nName:  Ivan"
        );
        check_mapping(text, &view);
    }

    #[test]
    fn quoted_wraps_are_read_through_only_between_quoted_lines() {
        let text = "> card 4111 1111 \r\n> 1111 1111\nThanks, John\n> On Monday";
        let view = View::of(text);
        assert_eq!(
            view.as_str(),
            "> card 4111 1111 1111 1111\nThanks, John\n> On Monday"
        );
        check_mapping(text, &view);
        let start = view.as_str().find("4111").unwrap();
        let (s, e) = (view.to_original(start), view.to_original(start + 19));
        assert_eq!(&text[s..e], "4111 1111 \r\n> 1111 1111");
        assert_eq!(
            mask_parts(text, s..e)
                .into_iter()
                .map(|p| &text[p])
                .collect::<Vec<_>>(),
            ["4111 1111", "1111 1111"]
        );
        assert_eq!(value_reading(text, s..e), "4111 1111 1111 1111");
    }

    #[test]
    fn a_wrap_after_a_joiner_reads_as_nothing_and_maps_back_exactly() {
        let text = "> Card 4276-5260-1815-\n> 9080 thanks";
        let view = View::of(text);
        assert_eq!(view.as_str(), "> Card 4276-5260-1815-9080 thanks");
        let dash = view.as_str().find("-9080").unwrap();
        assert_eq!(view.to_original(dash), text.find("-\n").unwrap());
        assert_eq!(view.to_original(dash + 1), text.find("9080").unwrap());
        assert_eq!(
            View::of("> oleg.kuznetsov@\n> mail.ru").as_str(),
            "> oleg.kuznetsov@mail.ru"
        );
        // The value is numbered as it reads, so a wrapped address keeps its mask number.
        let wrapped = "> e.gorbunova-\n> fin@mail.ru";
        let start = wrapped.find("e.").unwrap();
        assert_eq!(
            value_reading(wrapped, start..wrapped.len()),
            "e.gorbunova-fin@mail.ru"
        );
    }

    #[test]
    fn a_quoted_empty_line_ends_the_paragraph() {
        let text = "> a\n>\n> b";
        assert_eq!(View::of(text).as_str(), text);
    }
}
