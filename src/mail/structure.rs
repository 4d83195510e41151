//! The shape of a MIME message, checked in linear time: how deep multiparts nest, how many
//! parts there are, and whether every multipart is closed. Runs before and after mail-parser,
//! whose own boundary search costs a scan of the rest of the message per multipart; it never
//! decodes content.

use std::collections::{HashMap, HashSet};

use aho_corasick::AhoCorasick;
use mail_parser::{Message, MimeHeaders};

use super::inbound::Refusal;

/// How complex a message may be before it is refused unparsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MimeLimits {
    /// Multiparts inside multiparts; the top-level multipart is depth 1.
    pub max_depth: usize,
    /// Body parts plus multipart declarations.
    pub max_parts: usize,
}

impl Default for MimeLimits {
    fn default() -> Self {
        Self {
            max_depth: 20,
            max_parts: 500,
        }
    }
}

/// Why a message's shape was refused before parsing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShapeError {
    #[error(
        "the message nests MIME parts more than {limit} deep; this desk accepts at most {limit}"
    )]
    TooDeep { limit: usize },
    #[error("the message has more than {limit} MIME parts; this desk accepts at most {limit}")]
    TooManyParts { limit: usize },
    #[error(
        "the message declares MIME boundaries that never appear, which makes it too costly to parse"
    )]
    UnusedBoundaries,
}

/// What the pre-scan saw, for tests and benchmarks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Shape {
    pub depth: usize,
    pub parts: usize,
}

/// One pass over the raw message, before it is handed to the MIME parser. It recognises
/// `boundary=` in `Content-Type` headers and the delimiter lines that use them, and keeps a
/// stack of open multiparts (never longer than the depth limit), so the work is linear in the
/// message size whatever its shape. It over-counts rather than under-counts: a delimiter line
/// counts even where the parser would read it as text.
///
/// It also bounds the parser's own search: for each multipart, mail-parser looks for the
/// first delimiter from the declaration on, to the end of the message when there is none. The
/// bytes those searches would cover are added up (an over-estimate, since the parser also
/// matches a boundary in the middle of a line) and may not exceed a few times the size.
pub fn prescan(raw: &[u8], limits: &MimeLimits) -> Result<Shape, ShapeError> {
    let mut declared: HashSet<&[u8]> = HashSet::new();
    // Declarations whose first delimiter has not come yet, by where they were made.
    let mut unresolved: HashMap<&[u8], Vec<usize>> = HashMap::new();
    let mut search_cost: usize = 0;
    let search_budget = raw.len().saturating_mul(8).saturating_add(1024 * 1024);
    let mut open = OpenMultiparts::default();
    let mut shape = Shape::default();
    let mut in_content_type = false;
    for (offset, line) in lines(raw) {
        if starts_with_ignore_case(line, b"content-type:") {
            in_content_type = true;
        } else if !line.starts_with(b" ") && !line.starts_with(b"\t") {
            in_content_type = false;
        }
        if in_content_type {
            if let Some(boundary) = boundary_parameter(line) {
                // Every declaration may cost the parser a scan of the rest of the message.
                shape.parts += 1;
                if shape.parts > limits.max_parts {
                    return Err(ShapeError::TooManyParts {
                        limit: limits.max_parts,
                    });
                }
                declared.insert(boundary);
                unresolved.entry(boundary).or_default().push(offset);
            }
            continue;
        }
        let Some(delimiter) = line.strip_prefix(b"--") else {
            continue;
        };
        let delimiter = trim_end(delimiter);
        let used = [Some(delimiter), delimiter.strip_suffix(b"--")];
        for boundary in used.into_iter().flatten() {
            for declared_at in unresolved.remove(boundary).unwrap_or_default() {
                search_cost = search_cost.saturating_add(offset - declared_at);
            }
        }
        if let Some(closed) = delimiter.strip_suffix(b"--")
            && declared.contains(closed)
        {
            if let Some(at) = open.position(closed) {
                open.close_from(at);
            }
            continue;
        }
        if !declared.contains(delimiter) {
            continue;
        }
        shape.parts += 1;
        if shape.parts > limits.max_parts {
            return Err(ShapeError::TooManyParts {
                limit: limits.max_parts,
            });
        }
        match open.position(delimiter) {
            // A parent's delimiter closes every multipart opened inside it.
            Some(at) => open.close_from(at + 1),
            None => {
                open.push(delimiter);
                shape.depth = shape.depth.max(open.len());
                if open.len() > limits.max_depth {
                    return Err(ShapeError::TooDeep {
                        limit: limits.max_depth,
                    });
                }
            }
        }
    }
    for declared_at in unresolved.into_values().flatten() {
        search_cost = search_cost.saturating_add(raw.len() - declared_at);
    }
    if search_cost > search_budget {
        return Err(ShapeError::UnusedBoundaries);
    }
    Ok(shape)
}

/// The multiparts open at a point of the message, outermost first, with each one's place
/// found in constant time so that deep nesting costs no more than shallow.
#[derive(Default)]
struct OpenMultiparts<'m> {
    stack: Vec<&'m [u8]>,
    index: HashMap<&'m [u8], usize>,
}

impl<'m> OpenMultiparts<'m> {
    fn position(&self, boundary: &[u8]) -> Option<usize> {
        self.index.get(boundary).copied()
    }

    fn push(&mut self, boundary: &'m [u8]) {
        self.index.insert(boundary, self.stack.len());
        self.stack.push(boundary);
    }

    /// Closes the multipart at `at` and every one inside it.
    fn close_from(&mut self, at: usize) {
        for boundary in self.stack.drain(at..) {
            self.index.remove(boundary);
        }
    }

    fn len(&self) -> usize {
        self.stack.len()
    }
}

/// Refuses a multipart whose closing boundary never comes (a truncated message must bounce,
/// not be stored half-way) and a part whose transfer encoding is broken. All closing
/// delimiters are searched for in one pass, not one pass per multipart.
pub fn check_complete(message: &Message<'_>, raw: &[u8]) -> Result<(), Refusal> {
    let mut closings: Vec<Vec<u8>> = Vec::new();
    for part in message.parts.iter().filter(|p| p.is_multipart()) {
        let Some(boundary) = part.content_type().and_then(|ct| ct.attribute("boundary")) else {
            return Err(Refusal::Malformed("a multipart part has no boundary"));
        };
        closings.push(format!("--{boundary}--").into_bytes());
    }
    closings.sort();
    closings.dedup();
    if !closings.is_empty() {
        let searcher = AhoCorasick::new(&closings)
            .map_err(|_| Refusal::Malformed("a multipart boundary cannot be searched for"))?;
        let mut found = vec![false; closings.len()];
        let mut missing = closings.len();
        for hit in searcher.find_overlapping_iter(raw) {
            let seen = &mut found[hit.pattern().as_usize()];
            if !*seen {
                *seen = true;
                missing -= 1;
                if missing == 0 {
                    break;
                }
            }
        }
        if missing > 0 {
            return Err(Refusal::Malformed(
                "the message is truncated (a closing MIME boundary is missing)",
            ));
        }
    }
    if message.parts.iter().any(|p| p.is_encoding_problem) {
        return Err(Refusal::Malformed("a part's transfer encoding is broken"));
    }
    Ok(())
}

/// Lines without their line ending (LF or CRLF), with the offset each starts at.
fn lines(raw: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    raw.split(|&b| b == b'\n').scan(0, |offset, line| {
        let start = *offset;
        *offset += line.len() + 1;
        Some((start, line.strip_suffix(b"\r").unwrap_or(line)))
    })
}

fn starts_with_ignore_case(line: &[u8], prefix: &[u8]) -> bool {
    line.get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

fn trim_end(bytes: &[u8]) -> &[u8] {
    let end = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |i| i + 1);
    &bytes[..end]
}

/// The value of a `boundary=` parameter on a header line, quoted or not.
fn boundary_parameter(line: &[u8]) -> Option<&[u8]> {
    const NAME: &[u8] = b"boundary=";
    let at = line
        .windows(NAME.len())
        .position(|w| w.eq_ignore_ascii_case(NAME))?;
    let value = &line[at + NAME.len()..];
    let value = match value.strip_prefix(b"\"") {
        Some(quoted) => &quoted[..memchr::memchr(b'"', quoted).unwrap_or(quoted.len())],
        None => {
            let end = value
                .iter()
                .position(|&b| b == b';' || b.is_ascii_whitespace())
                .unwrap_or(value.len());
            &value[..end]
        }
    };
    (!value.is_empty()).then_some(value)
}

/// The worst shape known: `depth` multiparts, each the only part of its parent, closed in
/// order. Used by the tests, the benchmark and the fuzz target.
pub fn nested_multiparts(depth: usize) -> Vec<u8> {
    let mut raw = b"From: <nest@example.org>\r\nSubject: nested\r\nMIME-Version: 1.0\r\n".to_vec();
    for level in 0..depth {
        raw.extend_from_slice(
            format!(
                "Content-Type: multipart/mixed; boundary=\"level-{level:06}-boundary\"\r\n\r\n\
                 --level-{level:06}-boundary\r\n"
            )
            .as_bytes(),
        );
    }
    raw.extend_from_slice(b"Content-Type: text/plain\r\n\r\nThe innermost text.\r\n");
    for level in (0..depth).rev() {
        raw.extend_from_slice(format!("--level-{level:06}-boundary--\r\n").as_bytes());
    }
    raw
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_is_measured_and_limited() {
        let limits = MimeLimits::default();
        assert_eq!(
            prescan(&nested_multiparts(3), &limits),
            Ok(Shape { depth: 3, parts: 6 })
        );
        assert_eq!(
            prescan(&nested_multiparts(21), &limits),
            Err(ShapeError::TooDeep { limit: 20 })
        );
        let wide = MimeLimits {
            max_depth: 100_000,
            max_parts: 1_000_000,
        };
        assert_eq!(
            prescan(&nested_multiparts(32_000), &wide).map(|s| s.depth),
            Ok(32_000)
        );
    }

    #[test]
    fn sibling_parts_are_counted_and_a_parent_delimiter_closes_children() {
        let mut raw = b"Content-Type: multipart/mixed;\r\n boundary=outer\r\n\r\n".to_vec();
        for _ in 0..3 {
            raw.extend_from_slice(
                b"--outer\r\nContent-Type: multipart/alternative; boundary=\"inner\"\r\n\r\n\
                  --inner\r\nContent-Type: text/plain\r\n\r\nx\r\n",
            );
        }
        raw.extend_from_slice(b"--outer--\r\n");
        // Each inner multipart is cut short by the next outer delimiter: depth stays 2.
        assert_eq!(
            prescan(&raw, &MimeLimits::default()),
            Ok(Shape {
                depth: 2,
                parts: 1 + 3 * 3
            })
        );
        let tight = MimeLimits {
            max_depth: 20,
            max_parts: 9,
        };
        assert_eq!(
            prescan(&raw, &tight),
            Err(ShapeError::TooManyParts { limit: 9 })
        );
    }

    #[test]
    fn many_boundaries_that_never_appear_are_refused() {
        let mut raw = b"Content-Type: multipart/mixed; boundary=outer\r\n\r\n".to_vec();
        for i in 0..100 {
            raw.extend_from_slice(
                format!(
                    "--outer\r\nContent-Type: multipart/mixed; boundary=missing{i}\r\n\r\nx\r\n"
                )
                .as_bytes(),
            );
        }
        raw.extend_from_slice(b"--outer--\r\n");
        let padding = vec![b'a'; 64 * 1024];
        // 100 searches to the end of a small message are cheap enough...
        assert!(prescan(&raw, &MimeLimits::default()).is_ok());
        // ...but not of one padded with 64 KiB after them: 100 x 64 KiB > 8 x size + 1 MiB.
        let mut far = raw.clone();
        for _ in 0..3 {
            far.extend_from_slice(&padding);
        }
        assert_eq!(
            prescan(&far, &MimeLimits::default()),
            Err(ShapeError::UnusedBoundaries)
        );
    }

    #[test]
    fn boundary_text_in_a_body_is_not_a_declaration() {
        let raw =
            b"Content-Type: text/plain\r\n\r\nwrite boundary=\"x\" like this\r\n--x\r\n--x\r\n";
        assert_eq!(prescan(raw, &MimeLimits::default()), Ok(Shape::default()));
    }

    #[test]
    fn completeness_needs_every_closing_boundary() {
        let parse = |raw: &'static [u8]| mail_parser::MessageParser::default().parse(raw);
        let whole = nested_multiparts(50).leak();
        let message = parse(whole).unwrap();
        assert!(check_complete(&message, whole).is_ok());
        let cut: &'static [u8] = whole[..whole.len() - 30].to_vec().leak();
        let message = parse(cut).unwrap();
        assert!(matches!(
            check_complete(&message, cut),
            Err(Refusal::Malformed(_))
        ));
    }
}
