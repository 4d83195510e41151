//! The audit log as CSV (RFC 4180), safe to open in a spreadsheet. Every cell is quoted, and
//! a cell a spreadsheet would read as a formula (starting with `=`, `+`, `-`, `@`, a tab or a
//! carriage return) gets a leading `'`, so an actor name or detail such as
//! `=HYPERLINK(…)` stays text (OWASP, "CSV Injection"). Written here rather than with a crate:
//! quoting is a few lines, and no CSV crate does the formula guard.

use crate::desk::AuditEntry;

const HEADER: [&str; 6] = ["seq", "at", "actor", "action", "reference", "detail"];

pub(super) fn audit_csv(entries: &[AuditEntry]) -> String {
    let mut out = String::new();
    push_row(&mut out, HEADER.iter().copied());
    for e in entries {
        let seq = e.seq.to_string();
        let at = rfc3339(e.at);
        push_row(
            &mut out,
            [
                seq.as_str(),
                at.as_str(),
                e.actor.as_str(),
                e.action.as_str(),
                e.reference.as_deref().unwrap_or_default(),
                e.detail.as_str(),
            ]
            .into_iter(),
        );
    }
    out
}

pub(in crate::web::admin) fn push_row<'a>(out: &mut String, cells: impl Iterator<Item = &'a str>) {
    for (i, cell) in cells.enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_cell(out, cell);
    }
    out.push_str("\r\n");
}

fn push_cell(out: &mut String, cell: &str) {
    out.push('"');
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        out.push('\'');
    }
    for c in cell.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    out.push('"');
}

fn rfc3339(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(text: &str) -> String {
        let mut out = String::new();
        push_cell(&mut out, text);
        out
    }

    #[test]
    fn formulas_stay_text_and_quotes_are_doubled() {
        assert_eq!(cell("=1+1"), "\"'=1+1\"");
        assert_eq!(cell("+SUM(A1)"), "\"'+SUM(A1)\"");
        assert_eq!(cell("-2"), "\"'-2\"");
        assert_eq!(cell("@cmd"), "\"'@cmd\"");
        assert_eq!(cell("\tx"), "\"'\tx\"");
        assert_eq!(cell("say \"hi\", then"), "\"say \"\"hi\"\", then\"");
        assert_eq!(cell("agent=rita"), "\"agent=rita\"");
    }
}
