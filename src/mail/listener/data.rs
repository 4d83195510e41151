//! The message after `DATA`. Only `<CR><LF>.<CR><LF>` ends it: a bare LF or CR never ends a
//! line here, so a message cannot smuggle a second one past an MTA that reads line ends
//! differently. A message holding either is read to its real end and then refused whole
//! (as Postfix's `smtpd_forbid_bare_newline` does).

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, BufReader};

use super::Clock;
use super::budget::{MemoryBudget, Reservation};

/// Longest line inside a message (RFC 5322 says 998; real mail sometimes exceeds it).
const MAX_DATA_LINE: u64 = 1024 * 1024;

/// The smallest step the message buffer grows by.
const GROWTH_STEP: usize = 64 * 1024;

pub(super) enum Data {
    /// The message, and the share of the memory budget it holds until it is dropped.
    Complete(Vec<u8>, Reservation),
    TooLarge,
    /// Other sessions' messages held the memory budget: the sender should come back later.
    OverBudget,
    /// A line ended in a bare LF, or a CR stood alone somewhere.
    BareLineEnding,
    Closed,
    TimedOut,
}

/// Reads up to the end of data, dot-unstuffed, with CRLF line ends. Past the size limit or
/// the memory budget, or once a bare line ending is seen, the rest is read and dropped so the
/// reply can be given in step with the client. The buffer only ever grows into memory the
/// budget has granted.
pub(super) async fn read_data<R: AsyncRead + Unpin>(
    reader: &mut BufReader<R>,
    max_bytes: usize,
    budget: &MemoryBudget,
    clock: &mut Clock<'_>,
) -> std::io::Result<Data> {
    let mut message = Vec::new();
    let mut reservation = budget.reservation();
    let mut over_budget = false;
    // Bytes of the message so far, dot-unstuffed with CRLF line ends.
    let mut size: usize = 0;
    let mut too_large = false;
    let mut bare = false;
    // The DATA command's own line ended just before the first line of the message.
    let mut after_crlf = true;
    // Inside a line longer than MAX_DATA_LINE, read in pieces.
    let mut continuing = false;
    let mut lines: u32 = 0;
    loop {
        // A large message already buffered reads without ever waiting; let the other tasks
        // on this worker (HTTP among them) run between batches of lines.
        lines = lines.wrapping_add(1);
        if lines.is_multiple_of(256) {
            tokio::task::yield_now().await;
        }
        let mut chunk = Vec::new();
        let read = tokio::time::timeout_at(
            clock.expiry().0,
            (&mut *reader)
                .take(MAX_DATA_LINE)
                .read_until(b'\n', &mut chunk),
        )
        .await;
        let Ok(read) = read else {
            return Ok(Data::TimedOut);
        };
        if read? == 0 {
            return Ok(Data::Closed);
        }
        clock.data_received(chunk.len());
        let ended = chunk.last() == Some(&b'\n');
        if !ended && (chunk.len() as u64) < MAX_DATA_LINE {
            // The connection closed in the middle of a line.
            return Ok(Data::Closed);
        }
        let crlf = chunk.ends_with(b"\r\n");
        let content = match (ended, crlf) {
            (true, true) => &chunk[..chunk.len() - 2],
            (true, false) => &chunk[..chunk.len() - 1],
            (false, _) => &chunk[..],
        };
        if ended && !crlf {
            bare = true;
        }
        if memchr::memchr(b'\r', content).is_some() {
            bare = true;
        }
        let line_start = !continuing;
        if line_start && after_crlf && crlf && content == b"." {
            break;
        }
        continuing = !ended;
        after_crlf = crlf;
        if continuing {
            too_large = true;
        }
        let content = if line_start {
            content.strip_prefix(b".").unwrap_or(content)
        } else {
            content
        };
        // Counted even once the content is being dropped, so that a message too large is
        // told so (for good) rather than to come back later.
        size = size.saturating_add(content.len() + 2);
        if size > max_bytes {
            too_large = true;
        }
        if too_large || bare || over_budget {
            message = Vec::new();
            reservation.release();
            continue;
        }
        if size > message.capacity() {
            // Grow by half again (as Vec would double) but never past what was reserved.
            let grown = size
                .max(message.capacity() + (message.capacity() / 2).max(GROWTH_STEP))
                .min(max_bytes);
            if !reservation.grow_to(grown) {
                over_budget = true;
                message = Vec::new();
                reservation.release();
                continue;
            }
            message.reserve_exact(reservation.bytes().min(max_bytes) - message.len());
        }
        message.extend_from_slice(content);
        message.extend_from_slice(b"\r\n");
    }
    Ok(if too_large {
        Data::TooLarge
    } else if bare {
        Data::BareLineEnding
    } else if over_budget {
        Data::OverBudget
    } else {
        Data::Complete(message, reservation)
    })
}
