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
    /// Multiparts and nested messages (`message/rfc822` …) inside each other; the top-level
    /// multipart is depth 1.
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
    #[error(
        "the message holds a message/* part in base64 or quoted-printable; send the attached message unencoded (7bit, 8bit or binary)"
    )]
    EncodedMessage,
    #[error(
        "the message splits a MIME boundary into RFC 2231 continuations (boundary*0=…); send it with a plain boundary= parameter"
    )]
    ContinuedBoundary,
}

/// What the pre-scan saw, for tests and benchmarks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Shape {
    pub depth: usize,
    pub parts: usize,
}

/// One pass over the raw message, before it is handed to the MIME parser. It recognises
/// `boundary=` in `Content-Type` headers and the delimiter lines that use them, and keeps a
/// stack of open containers (never longer than the depth limit), so the work is linear in the
/// message size whatever its shape. It over-counts rather than under-counts: a delimiter line
/// counts even where the parser would read it as text.
///
/// Containers are multiparts and nested messages: mail-parser builds a message inside the
/// message for every `message/*` part it reads as one (`message/rfc822`, `message/global`,
/// a part of a `multipart/digest`), and dropping or copying that tree recurses once per level,
/// so deep nesting of either kind would overflow the stack. Every `Content-Type: message/…`
/// header opens a nested message, wherever it stands; it stays open until a delimiter of a
/// multipart around it comes, as in the parser (a nested message ends with its parent's part).
/// A `message/*` part in base64 or quoted-printable is refused: the parser decodes and parses
/// it where this scan cannot look (RFC 2046 forbids that encoding for `message/rfc822`).
///
/// It also bounds the parser's own search: for each multipart, mail-parser looks for the
/// first delimiter from the declaration on, to the end of the message when there is none. The
/// bytes those searches would cover are added up (an over-estimate, since the parser also
/// matches a boundary in the middle of a line) and may not exceed a few times the size.
pub fn prescan(raw: &[u8], limits: &MimeLimits) -> Result<Shape, ShapeError> {
    let mut declared: HashSet<&[u8]> = HashSet::new();
    let mut digests: HashSet<&[u8]> = HashSet::new();
    // Declarations whose first delimiter has not come yet, by where they were made.
    let mut unresolved: HashMap<&[u8], Vec<usize>> = HashMap::new();
    let mut search_cost: usize = 0;
    let search_budget = raw.len().saturating_mul(8).saturating_add(1024 * 1024);
    let mut open = OpenContainers::default();
    let mut shape = Shape::default();
    // The `Content-Type` header being read (it may be folded over several lines).
    let mut content_type: Option<MediaType<'_>> = None;
    // The `Content-Transfer-Encoding` header being read (it may be folded too).
    let mut transfer_encoding: Option<TransferEncoding> = None;
    // What the lines since the last empty line declared: every header block lies in one.
    let mut chunk = Chunk::default();
    for (offset, line) in lines(raw) {
        // A line of white space continues the header before it, as the parser reads it; only
        // an empty line ends a header block.
        // The parser drops white space anywhere in a header name, even at the start of a line,
        // so a line that reads as one of the two headers that matter starts that header,
        // indented or not; any other indented line continues the header before it.
        let content_type_value = header_value(line, b"content-type");
        let encoding_value = header_value(line, b"content-transfer-encoding");
        let folded = (line.starts_with(b" ") || line.starts_with(b"\t"))
            && content_type_value.is_none()
            && encoding_value.is_none();
        if let Some(encoding) = transfer_encoding.as_mut().filter(|_| folded) {
            encoding.read(line);
        } else if let Some(encoding) = transfer_encoding.take() {
            chunk.encoded |= encoding.is_encoded();
        }
        if let Some(media) = content_type.as_mut().filter(|_| folded) {
            media.read(line);
        } else if let Some(media) = content_type.take() {
            if media.is_message() {
                chunk.declares_message = true;
                open.push_message();
                count_part(&mut shape, limits)?;
                check_depth(&mut shape, &open, limits)?;
            }
            if media.is_digest() {
                digests.extend(media.boundaries.iter().copied());
            }
        }
        if let Some(value) = content_type_value {
            let mut media = MediaType::default();
            media.read(value);
            content_type = Some(media);
        } else if let Some(value) = encoding_value {
            let mut encoding = TransferEncoding::default();
            encoding.read(value);
            transfer_encoding = Some(encoding);
        }
        if chunk.declares_message && chunk.encoded {
            return Err(ShapeError::EncodedMessage);
        }
        if line.is_empty() {
            if transfer_encoding.take().is_some_and(|e| e.is_encoded()) && chunk.declares_message {
                return Err(ShapeError::EncodedMessage);
            }
            chunk = Chunk::default();
        }
        if let Some(media) = content_type.as_mut() {
            // The parser joins `boundary*0=`, `boundary*1=`… into one boundary this scan does
            // not reassemble; real mail never needs them for a boundary, so they are refused.
            if contains_ignore_case(line, b"boundary*") {
                return Err(ShapeError::ContinuedBoundary);
            }
            if let Some(boundary) = boundary_parameter(line) {
                // Every declaration may cost the parser a scan of the rest of the message.
                count_part(&mut shape, limits)?;
                declared.insert(boundary);
                unresolved.entry(boundary).or_default().push(offset);
                media.boundaries.push(boundary);
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
        count_part(&mut shape, limits)?;
        match open.position(delimiter) {
            // A parent's delimiter closes every container opened inside it.
            Some(at) => open.close_from(at + 1),
            None => open.push_multipart(delimiter),
        }
        // Each part of a digest is a message unless it says otherwise; its encoding is held to
        // the same rule as a declared message/* part.
        if digests.contains(delimiter) {
            open.push_message();
            chunk = Chunk {
                declares_message: true,
                ..Chunk::default()
            };
        }
        check_depth(&mut shape, &open, limits)?;
    }
    if content_type.is_some_and(|media| media.is_message()) {
        open.push_message();
        check_depth(&mut shape, &open, limits)?;
    }
    for declared_at in unresolved.into_values().flatten() {
        search_cost = search_cost.saturating_add(raw.len() - declared_at);
    }
    if search_cost > search_budget {
        return Err(ShapeError::UnusedBoundaries);
    }
    Ok(shape)
}

fn count_part(shape: &mut Shape, limits: &MimeLimits) -> Result<(), ShapeError> {
    shape.parts += 1;
    if shape.parts > limits.max_parts {
        return Err(ShapeError::TooManyParts {
            limit: limits.max_parts,
        });
    }
    Ok(())
}

fn check_depth(
    shape: &mut Shape,
    open: &OpenContainers<'_>,
    limits: &MimeLimits,
) -> Result<(), ShapeError> {
    shape.depth = shape.depth.max(open.len());
    if open.len() > limits.max_depth {
        return Err(ShapeError::TooDeep {
            limit: limits.max_depth,
        });
    }
    Ok(())
}

/// What the lines between two blank lines declared.
#[derive(Default)]
struct Chunk {
    declares_message: bool,
    encoded: bool,
}

/// A `Content-Transfer-Encoding` value, folded or not, comments and white space dropped. Any
/// mention of an encoding that hides bytes from this scan counts, so that no spelling the
/// parser still understands gets past.
#[derive(Default)]
struct TransferEncoding {
    value: Vec<u8>,
}

impl TransferEncoding {
    const KEPT: usize = 64;

    fn read(&mut self, text: &[u8]) {
        for &b in text {
            if self.value.len() >= Self::KEPT {
                return;
            }
            if !b.is_ascii_whitespace() {
                self.value.push(b.to_ascii_lowercase());
            }
        }
    }

    /// Anything but the identity encodings counts as encoded, including spellings the parser
    /// decodes first (an RFC 2047 encoded word naming base64).
    fn is_encoded(&self) -> bool {
        !matches!(&self.value[..], b"" | b"7bit" | b"8bit" | b"binary")
    }
}

fn contains_ignore_case(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}

/// A `Content-Type` value as the parser reads it: comments and white space dropped, case
/// ignored. Only its first bytes are kept; the type and subtype are all that matter here.
#[derive(Default)]
struct MediaType<'m> {
    media: Vec<u8>,
    comment_depth: usize,
    boundaries: Vec<&'m [u8]>,
}

impl MediaType<'_> {
    const KEPT: usize = 32;

    fn read(&mut self, text: &[u8]) {
        for &b in text {
            match b {
                b'(' => self.comment_depth += 1,
                b')' => self.comment_depth = self.comment_depth.saturating_sub(1),
                _ if self.comment_depth > 0 || b.is_ascii_whitespace() => {}
                _ if self.media.len() < Self::KEPT => self.media.push(b.to_ascii_lowercase()),
                _ => return,
            }
        }
    }

    /// Any `message/…` type: the parser nests `rfc822` and `global`; counting the others
    /// too costs nothing a real message would notice.
    fn is_message(&self) -> bool {
        // An encoded word could name a message type once decoded: counted as one.
        self.media.starts_with(b"message/") || contains_ignore_case(&self.media, b"=?")
    }

    fn is_digest(&self) -> bool {
        self.media.starts_with(b"multipart/digest")
    }
}

/// The multiparts and nested messages open at a point of the message, outermost first, with
/// each multipart's place found in constant time so that deep nesting costs no more than
/// shallow.
#[derive(Default)]
struct OpenContainers<'m> {
    /// A multipart's boundary, or `None` for a nested message.
    stack: Vec<Option<&'m [u8]>>,
    index: HashMap<&'m [u8], usize>,
}

impl<'m> OpenContainers<'m> {
    fn position(&self, boundary: &[u8]) -> Option<usize> {
        self.index.get(boundary).copied()
    }

    fn push_multipart(&mut self, boundary: &'m [u8]) {
        self.index.insert(boundary, self.stack.len());
        self.stack.push(Some(boundary));
    }

    fn push_message(&mut self) {
        self.stack.push(None);
    }

    /// Closes the container at `at` and every one inside it.
    fn close_from(&mut self, at: usize) {
        for boundary in self.stack.drain(at..).flatten() {
            self.index.remove(boundary);
        }
    }

    fn len(&self) -> usize {
        self.stack.len()
    }
}

/// The same limits, checked on the tree the parser built: the pre-scan reads headers the way
/// the parser does as far as it can, and this catches whatever spelling it missed before the
/// message goes any further. Nested messages count toward depth; every part (multiparts
/// included, nested messages' parts too) toward the part limit. Iterative, so depth costs no
/// stack.
pub fn check_parsed(message: &Message<'_>, limits: &MimeLimits) -> Result<(), ShapeError> {
    let too_deep = ShapeError::TooDeep {
        limit: limits.max_depth,
    };
    let mut parts = message.parts.len();
    // (the message a part belongs to, the part's index in it, the containers around it)
    let mut pending: Vec<(&Message<'_>, usize, usize)> = vec![(message, 0, 0)];
    while let Some((message, part_id, depth)) = pending.pop() {
        if parts > limits.max_parts {
            return Err(ShapeError::TooManyParts {
                limit: limits.max_parts,
            });
        }
        match message.parts.get(part_id).map(|part| &part.body) {
            Some(mail_parser::PartType::Multipart(children)) => {
                if depth + 1 > limits.max_depth {
                    return Err(too_deep);
                }
                for &child in children {
                    // A child always comes after its parent, so this walk cannot loop.
                    if let Ok(child) = usize::try_from(child)
                        && child > part_id
                    {
                        pending.push((message, child, depth + 1));
                    }
                }
            }
            Some(mail_parser::PartType::Message(nested)) => {
                if depth + 1 > limits.max_depth {
                    return Err(too_deep);
                }
                parts = parts.saturating_add(nested.parts.len());
                pending.push((nested, 0, depth + 1));
            }
            _ => {}
        }
    }
    Ok(())
}

/// The pre-scan for the MIME found inside an encrypted part, before that is parsed in turn.
/// It uses the default limits: the configured ones are for the message as received, and the
/// content of an encrypted part is never more complex than a mail a client composes.
pub fn prescan_decrypted(raw: &[u8]) -> Result<(), Refusal> {
    prescan(raw, &MimeLimits::default())
        .map(|_| ())
        .map_err(|shape| {
            tracing::info!(reason = %shape, "mail refused: decrypted MIME structure over the limits");
            Refusal::Malformed(match shape {
                ShapeError::TooDeep { .. } => "the decrypted part nests MIME parts too deeply",
                ShapeError::TooManyParts { .. } => "the decrypted part has too many MIME parts",
                ShapeError::UnusedBoundaries => {
                    "the decrypted part declares MIME boundaries that never appear"
                }
                ShapeError::EncodedMessage => {
                    "the decrypted part holds a message/* part in base64 or quoted-printable"
                }
                ShapeError::ContinuedBoundary => {
                    "the decrypted part splits a MIME boundary into RFC 2231 continuations"
                }
            })
        })
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

/// The value of header `name` if `line` starts it, read as the parser reads header names:
/// case and every ASCII white space byte ignored (`Content -Type :`, ` content-type:`).
fn header_value<'l>(line: &'l [u8], name: &[u8]) -> Option<&'l [u8]> {
    let colon = memchr::memchr(b':', line)?;
    let mut wanted = name.iter();
    for &b in &line[..colon] {
        if b.is_ascii_whitespace() {
            continue;
        }
        if wanted.next().is_none_or(|&w| !w.eq_ignore_ascii_case(&b)) {
            return None;
        }
    }
    wanted.next().is_none().then(|| &line[colon + 1..])
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

/// Messages nested in messages (`message/rfc822`, unencoded), `depth` deep: the shape that
/// once overflowed the stack, since it needs no boundary at all.
pub fn nested_messages(depth: usize) -> Vec<u8> {
    let mut raw = b"From: <nest@example.org>\r\nSubject: nested\r\nMIME-Version: 1.0\r\n".to_vec();
    for _ in 0..depth {
        raw.extend_from_slice(b"Content-Type: message/rfc822\r\n\r\n");
    }
    raw.extend_from_slice(b"Content-Type: text/plain\r\n\r\nThe innermost text.\r\n");
    raw
}

/// Multiparts and nested messages taking turns, `depth` levels in all.
pub fn nested_mixed(depth: usize) -> Vec<u8> {
    let mut raw = b"From: <nest@example.org>\r\nSubject: nested\r\nMIME-Version: 1.0\r\n".to_vec();
    for level in 0..depth {
        if level % 2 == 0 {
            raw.extend_from_slice(
                format!(
                    "Content-Type: multipart/mixed; boundary=\"mixed-{level:06}\"\r\n\r\n\
                     --mixed-{level:06}\r\n"
                )
                .as_bytes(),
            );
        } else {
            raw.extend_from_slice(b"Content-Type: message/rfc822\r\n\r\n");
        }
    }
    raw.extend_from_slice(b"Content-Type: text/plain\r\n\r\nThe innermost text.\r\n");
    for level in (0..depth).rev().filter(|level| level % 2 == 0) {
        raw.extend_from_slice(format!("--mixed-{level:06}--\r\n").as_bytes());
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

    #[test]
    fn nested_messages_count_as_depth() {
        let limits = MimeLimits::default();
        assert_eq!(
            prescan(&nested_messages(3), &limits).map(|s| s.depth),
            Ok(3)
        );
        assert_eq!(
            prescan(&nested_messages(21), &limits),
            Err(ShapeError::TooDeep { limit: 20 })
        );
        assert_eq!(prescan(&nested_mixed(6), &limits).map(|s| s.depth), Ok(6));
        assert_eq!(
            prescan(&nested_mixed(21), &limits),
            Err(ShapeError::TooDeep { limit: 20 })
        );
        // Folded, commented and upper-case spellings are the same type to the parser.
        let folded = b"Content-Type:\r\n (forwarded) MESSAGE/RFC822\r\n\r\n".repeat(21);
        assert_eq!(
            prescan(&folded, &limits),
            Err(ShapeError::TooDeep { limit: 20 })
        );
        // A digest's parts are messages even without a Content-Type.
        let mut digest = Vec::new();
        for level in 0..11 {
            digest.extend_from_slice(
                format!("Content-Type: multipart/digest; boundary=d{level}\r\n\r\n--d{level}\r\n")
                    .as_bytes(),
            );
        }
        assert_eq!(
            prescan(&digest, &limits),
            Err(ShapeError::TooDeep { limit: 20 })
        );
    }

    #[test]
    fn sibling_attached_messages_do_not_add_up() {
        let mut raw = b"Content-Type: multipart/mixed; boundary=outer\r\n\r\n".to_vec();
        for _ in 0..50 {
            raw.extend_from_slice(
                b"--outer\r\nContent-Type: message/rfc822\r\n\r\nSubject: fwd\r\n\r\nx\r\n",
            );
        }
        raw.extend_from_slice(b"--outer--\r\n");
        assert_eq!(
            prescan(&raw, &MimeLimits::default()).map(|s| s.depth),
            Ok(2)
        );
        let parsed = mail_parser::MessageParser::default().parse(&raw).unwrap();
        assert_eq!(parsed.attachments().count(), 50);
    }

    #[test]
    fn an_encoded_attached_message_is_refused() {
        let raw = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\
                    Content-Transfer-Encoding: base64\r\nContent-Type: message/rfc822\r\n\r\n\
                    U3ViamVjdDogeA0KDQp4DQo=\r\n--b--\r\n";
        assert_eq!(
            prescan(raw, &MimeLimits::default()),
            Err(ShapeError::EncodedMessage)
        );
    }

    #[test]
    fn an_encoded_attached_message_is_refused_however_its_headers_are_folded() {
        let folded =
            b"Content-Type: message/rfc822\r\nContent-Transfer-Encoding:\r\n base64\r\n\r\n\
                       U3ViamVjdDogeA0KDQp4DQo=\r\n";
        let padded = b"Content-Type: message/rfc822\r\nX-Pad: a\r\n \r\n\
                       Content-Transfer-Encoding: base64\r\n\r\nU3ViamVjdDogeA0KDQp4DQo=\r\n";
        let tabbed =
            b"Content-Transfer-Encoding:\r\n\tBase64\r\nContent-Type:\r\n message/rfc822\r\n\r\n\
                       U3ViamVjdDogeA0KDQp4DQo=\r\n";
        for raw in [&folded[..], &padded[..], &tabbed[..]] {
            assert_eq!(
                prescan(raw, &MimeLimits::default()),
                Err(ShapeError::EncodedMessage),
                "{}",
                String::from_utf8_lossy(raw)
            );
        }
        // Control: the same attached message unencoded is fine.
        let plain = b"Content-Type: message/rfc822\r\nContent-Transfer-Encoding: 7bit\r\n\r\n\
                      Subject: x\r\n\r\nx\r\n";
        assert!(prescan(plain, &MimeLimits::default()).is_ok());
    }

    #[test]
    fn header_spellings_the_parser_accepts_do_not_hide_an_encoded_message() {
        let body = "U3ViamVjdDogeA0KDQp4DQo=\r\n";
        let shapes = [
            "Content-Type: message/rfc822\r\nContent-Transfer-Encoding: =?utf-8?b?YmFzZTY0?=\r\n\r\n",
            "Content-Type: message/rfc822\r\nContent-Transfer -Encoding: base64\r\n\r\n",
            "Content -Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n",
            "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n Content-Transfer-Encoding: base64\r\nContent-Type: message/rfc822\r\n\r\n",
            "Content-Type: multipart/digest; boundary=d\r\n\r\n--d\r\nContent-Transfer-Encoding: base64\r\n\r\n",
            "Content-Type: =?utf-8?q?message/rfc822?=\r\nContent-Transfer-Encoding: base64\r\n\r\n",
        ];
        for head in shapes {
            let raw = format!("{head}{body}");
            assert_eq!(
                prescan(raw.as_bytes(), &MimeLimits::default()),
                Err(ShapeError::EncodedMessage),
                "{head}"
            );
        }
    }

    #[test]
    fn header_spellings_the_parser_accepts_count_toward_depth() {
        for level in [
            " Content-Type: message/rfc822\r\n\r\n",
            "Content -Type: message/rfc822\r\n\r\n",
        ] {
            let raw = format!("{}Content-Type: text/plain\r\n\r\nx\r\n", level.repeat(100));
            assert_eq!(
                prescan(raw.as_bytes(), &MimeLimits::default()),
                Err(ShapeError::TooDeep { limit: 20 }),
                "{level}"
            );
        }
    }

    // The pre-scan reads headers loosely; whatever spelling gets past it, the (vendored) parser
    // itself never decodes and parses an encoded attached message, which upstream does by
    // copying every nested level (memory quadratic in the nesting).
    #[test]
    fn the_parser_keeps_an_encoded_attached_message_as_an_unparsed_attachment() {
        let raw =
            b":Content-Type: \"message\"/rfc822\r\n:Content-Transfer-Encoding: base64\r\n\r\n\
                    U3ViamVjdDogeA0KDQp4DQo=\r\n";
        let parsed = mail_parser::MessageParser::default()
            .parse(&raw[..])
            .unwrap();
        assert!(
            parsed
                .parts
                .iter()
                .all(|part| !matches!(part.body, mail_parser::PartType::Message(_))),
            "{:?}",
            parsed.parts
        );
        // Control: the same message unencoded is still parsed as a nested message.
        let plain = b"Content-Type: message/rfc822\r\n\r\nSubject: x\r\n\r\nx\r\n";
        let parsed = mail_parser::MessageParser::default()
            .parse(&plain[..])
            .unwrap();
        assert!(
            parsed
                .parts
                .iter()
                .any(|part| matches!(part.body, mail_parser::PartType::Message(_)))
        );
    }

    #[test]
    fn the_parsed_tree_is_held_to_the_limits_whatever_the_pre_scan_saw() {
        // A leading colon: the parser reads `:Content-Type:` as Content-Type, the scan does not.
        let raw = format!(
            "{}Content-Type: text/plain\r\n\r\nx\r\n",
            ":Content-Type: message/rfc822\r\n\r\n".repeat(30)
        );
        let parsed = mail_parser::MessageParser::default()
            .parse(raw.as_bytes())
            .unwrap();
        assert_eq!(
            check_parsed(&parsed, &MimeLimits::default()),
            Err(ShapeError::TooDeep { limit: 20 })
        );
        let wide = format!(
            ":Content-Type: multipart/mixed; boundary=b\r\n\r\n{}--b--\r\n",
            "--b\r\nContent-Type: text/plain\r\n\r\nx\r\n".repeat(600)
        );
        let parsed = mail_parser::MessageParser::default()
            .parse(wide.as_bytes())
            .unwrap();
        assert_eq!(
            check_parsed(&parsed, &MimeLimits::default()),
            Err(ShapeError::TooManyParts { limit: 500 })
        );
        // Multiparts count toward depth too, however their header is spelled.
        let mut deep = String::new();
        for level in 0..30 {
            deep.push_str(&format!(
                ":Content-Type: multipart/mixed; boundary=b{level}\r\n\r\n--b{level}\r\n"
            ));
        }
        deep.push_str("Content-Type: text/plain\r\n\r\nhi\r\n");
        for level in (0..30).rev() {
            deep.push_str(&format!("--b{level}--\r\n"));
        }
        let parsed = mail_parser::MessageParser::default()
            .parse(deep.as_bytes())
            .unwrap();
        assert_eq!(
            check_parsed(&parsed, &MimeLimits::default()),
            Err(ShapeError::TooDeep { limit: 20 })
        );
        // Control: the deepest admitted nesting passes, of either kind.
        let admitted = nested_multiparts(20);
        let parsed = mail_parser::MessageParser::default()
            .parse(&admitted[..])
            .unwrap();
        assert_eq!(check_parsed(&parsed, &MimeLimits::default()), Ok(()));
        let admitted = nested_messages(20);
        let parsed = mail_parser::MessageParser::default()
            .parse(&admitted[..])
            .unwrap();
        assert_eq!(check_parsed(&parsed, &MimeLimits::default()), Ok(()));
    }

    #[test]
    fn continued_boundaries_are_refused() {
        let raw =
            b"Content-Type: multipart/mixed;\r\n boundary*0=\"OU\";\r\n boundary*1=\"T\"\r\n\r\n\
                    --OUT\r\nContent-Type: text/plain\r\n\r\nx\r\n--OUT--\r\n";
        assert_eq!(
            prescan(raw, &MimeLimits::default()),
            Err(ShapeError::ContinuedBoundary)
        );
    }

    #[test]
    fn the_deepest_admitted_nesting_parses_and_drops() {
        let limits = MimeLimits::default();
        for raw in [nested_messages(20), nested_mixed(20)] {
            assert!(prescan(&raw, &limits).is_ok());
            assert!(mail_parser::MessageParser::default().parse(&raw).is_some());
        }
    }
}
