//! Tables pasted into tickets (CRM and CSV exports, `;`- and tab-separated, Markdown): a value
//! in a column has no cue beside it, its header cell names it. A rule's context words are read
//! from the header cell of the value's column and from the value's own cell and the one before
//! it, never from other rows, other cells or other header cells: in the first row the header line stands right above every
//! value, and "ИНН" heading one column must not name the timestamp in the next.

use std::ops::Range;

/// Delimiters tried, most telling first: a tab or `;` rarely occurs in prose, a comma often.
const DELIMITERS: [u8; 4] = [b'\t', b';', b'|', b','];
/// Longest line taken for a table row or header.
const MAX_LINE: usize = 2048;
/// How many rows above a value its header is looked for.
const MAX_ROWS_ABOVE: usize = 32;
/// Longest header cell, and most words in one: a header names, a sentence says.
const MAX_HEADER_CELL: usize = 64;
const MAX_HEADER_WORDS: usize = 5;
/// Most ASCII digits a header cell holds ("Телефон 2", "IPv4" — not a value).
const MAX_HEADER_DIGITS: usize = 2;

/// Where a value stands in a table.
#[derive(Debug, PartialEq, Eq)]
pub struct Column<'t> {
    /// The header cell of the value's column, without blanks and quotes around it.
    pub header: &'t str,
    /// The value's own cell, and the one before it when that is a label without digits
    /// (`ИНН;7707083893` in a key-value table): the other cells of a row hold other values
    /// and say nothing about this one.
    pub cue_cells: Range<usize>,
}

/// If the line holding `at` is a row of a table whose header line stands above it (every line
/// in between has as many cells), the header cell of `at`'s column.
pub fn column_of(text: &str, at: usize) -> Option<Column<'_>> {
    let bytes = text.as_bytes();
    let row = line_around(bytes, at)?;
    let line = &bytes[row.clone()];
    DELIMITERS
        .iter()
        .filter(|&&d| memchr::memchr(d, line).is_some())
        .find_map(|&delimiter| {
            let cells = cells(line, delimiter);
            if cells.len() < 2 {
                return None;
            }
            let index = cells.iter().position(|c| c.end >= at - row.start)?;
            let header = header_line(bytes, row.start, delimiter, cells.len())?;
            let cell = cells_of(text, header, delimiter).nth(index)?;
            // The cell before counts when it is a label (no digits), not another value.
            let before = index
                .checked_sub(1)
                .map(|i| &cells[i])
                .filter(|c| !line[(*c).clone()].iter().any(u8::is_ascii_digit));
            let first = before.unwrap_or(&cells[index]);
            Some(Column {
                header: cell,
                cue_cells: row.start + first.start..row.start + cells[index].end,
            })
        })
}

/// The line around `at`, without its line break (and a `\r` before it).
fn line_around(bytes: &[u8], at: usize) -> Option<Range<usize>> {
    let start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |p| p + 1);
    let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |p| at + p);
    let end = if end > start && bytes[end - 1] == b'\r' {
        end - 1
    } else {
        end
    };
    (end - start <= MAX_LINE).then_some(start..end)
}

/// The header line of the table whose row starts at `row_start`: the topmost of the
/// unbroken lines above with `count` cells, if it reads as a header.
fn header_line(
    bytes: &[u8],
    row_start: usize,
    delimiter: u8,
    count: usize,
) -> Option<Range<usize>> {
    let mut top: Option<Range<usize>> = None;
    let mut next_start = row_start;
    for _ in 0..MAX_ROWS_ABOVE {
        if next_start == 0 {
            break;
        }
        let line = line_around(bytes, next_start - 1)?;
        if cells(&bytes[line.clone()], delimiter).len() != count {
            break;
        }
        next_start = line.start;
        top = Some(line);
    }
    // Look-back that ran out inside the table has not seen its header.
    if next_start > 0
        && top.is_some()
        && line_around(bytes, next_start - 1)
            .is_some_and(|l| cells(&bytes[l], delimiter).len() == count)
    {
        return None;
    }
    top.filter(|line| reads_as_header(&bytes[line.clone()], delimiter))
}

/// A header names columns: letters somewhere, and every cell short, of few words and
/// (nearly) no digits.
fn reads_as_header(line: &[u8], delimiter: u8) -> bool {
    let Ok(line) = std::str::from_utf8(line) else {
        return false;
    };
    line.chars().any(char::is_alphabetic)
        && cells_of(line, 0..line.len(), delimiter).all(|cell| {
            cell.len() <= MAX_HEADER_CELL
                && cell.split_whitespace().count() <= MAX_HEADER_WORDS
                && cell.bytes().filter(u8::is_ascii_digit).count() <= MAX_HEADER_DIGITS
        })
}

/// The cells of the line `range` of `text`, trimmed of blanks and quotes.
fn cells_of(text: &str, range: Range<usize>, delimiter: u8) -> impl Iterator<Item = &str> {
    let line = &text[range.clone()];
    cells(line.as_bytes(), delimiter)
        .into_iter()
        .map(move |cell| line[cell].trim().trim_matches('"').trim())
}

/// The cells of one line (offsets into it); a delimiter inside double quotes is text.
fn cells(line: &[u8], delimiter: u8) -> Vec<Range<usize>> {
    let mut cells = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    for (i, &b) in line.iter().enumerate() {
        if b == b'"' {
            quoted = !quoted;
        } else if b == delimiter && !quoted {
            cells.push(start..i);
            start = i + 1;
        }
    }
    cells.push(start..line.len());
    cells
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header_at(text: &str, value: &str) -> Option<String> {
        let at = text.find(value).expect("value in text");
        column_of(text, at).map(|c| c.header.to_owned())
    }

    #[test]
    fn a_value_is_named_by_its_column_header() {
        let text = "Выгрузка:\nid;ИНН;Время события;СНИЛС\n1;790563526930;12.07.2026 15:06:50;282-074-623 71\n2;551448903098;1791457891;66545580937\n";
        assert_eq!(header_at(text, "790563526930").as_deref(), Some("ИНН"));
        assert_eq!(
            header_at(text, "1791457891").as_deref(),
            Some("Время события")
        );
        assert_eq!(header_at(text, "66545580937").as_deref(), Some("СНИЛС"));
    }

    #[test]
    fn quoted_cells_tabs_and_markdown() {
        let csv = "id,Date,Phone\n1,\"March 8, 2024\",+7 685 229 3148\n";
        assert_eq!(header_at(csv, "+7 685").as_deref(), Some("Phone"));
        let tsv = "№\tMAC\tСчёт\n1\taa:bb\t40817810099991234567\n";
        assert_eq!(header_at(tsv, "4081781").as_deref(), Some("Счёт"));
        let markdown = "| Name | INN |\n|---|---|\n| Ivan | 7707083893 |\n";
        assert_eq!(header_at(markdown, "7707083893").as_deref(), Some("INN"));
    }

    #[test]
    fn prose_and_lone_lines_are_not_tables() {
        assert_eq!(
            header_at("Мой ИНН; 7707083893; спасибо", "7707083893"),
            None
        );
        // Lines with as many commas, but the top one is a sentence, not a header.
        let prose = "Hello, I wrote to you last week about my refund, and nothing\n8 916 123-45-67, thanks, Ivan";
        assert_eq!(header_at(prose, "8 916"), None);
        // The row above is data, not a header: digits in its cells.
        let headless = "1;7707083893;x\n2;500100732259;y";
        assert_eq!(header_at(headless, "500100732259"), None);
    }
}
