//! A request body that must keep arriving, in the manner of Apache's
//! `mod_reqtimeout body=…,MinRate=…`: by `grace + bytes / min_rate` after the headers, and
//! never later than the whole-body deadline. It also reports its progress to the listener,
//! which may cut the slowest unfinished body to make room; a body that has arrived whole is
//! never cut, because its handler may already be writing to the database.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::BoxError;
use hyper::body::{Body, Bytes, Frame, SizeHint};
use tokio::time::{Instant, Sleep};

/// How fast a body must arrive.
#[derive(Debug, Clone, Copy)]
pub(super) struct BodyPace {
    /// Time allowed before the rate counts (a client's first packets, slow start).
    pub grace: Duration,
    /// Bytes per second a body must keep up with after the grace.
    pub min_rate: u64,
    /// From the end of the headers to the end of the body, whatever the rate.
    pub whole: Duration,
}

/// Where the body of a connection's current request stands, shared with the listener.
#[derive(Debug, Default)]
pub(super) struct BodyProgress {
    phase: AtomicU8,
    /// Milliseconds from the listener's start to the end of the request's headers.
    started_ms: AtomicU64,
    received: AtomicU64,
}

/// No body is arriving: none yet, none at all, or it arrived whole.
const SETTLED: u8 = 0;
const RECEIVING: u8 = 1;
/// The listener cut it to make room for another connection.
const EVICTED: u8 = 2;
/// It fell behind its pace.
const TOO_SLOW: u8 = 3;

impl BodyProgress {
    /// A request's headers ended at `now_ms`; `has_body` is false when nothing follows them.
    pub(super) fn begin(&self, now_ms: u64, has_body: bool) {
        self.received.store(0, Ordering::Release);
        self.started_ms.store(now_ms, Ordering::Release);
        let phase = if has_body { RECEIVING } else { SETTLED };
        self.phase.store(phase, Ordering::Release);
    }

    /// Bytes received so far and the milliseconds since the headers, while a body is
    /// unfinished; `None` otherwise.
    pub(super) fn unfinished(&self, now_ms: u64) -> Option<(u64, u64)> {
        if self.phase.load(Ordering::Acquire) != RECEIVING {
            return None;
        }
        let elapsed = now_ms.saturating_sub(self.started_ms.load(Ordering::Acquire));
        Some((self.received.load(Ordering::Acquire), elapsed))
    }

    /// Cuts the body if it is still unfinished. False when it has settled in the meantime:
    /// then its request goes on.
    pub(super) fn evict(&self) -> bool {
        self.phase
            .compare_exchange(RECEIVING, EVICTED, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    pub(super) fn was_evicted(&self) -> bool {
        self.phase.load(Ordering::Acquire) == EVICTED
    }

    pub(super) fn was_too_slow(&self) -> bool {
        self.phase.load(Ordering::Acquire) == TOO_SLOW
    }

    /// The body arrived whole, unless the listener cut it first.
    fn settle(&self) -> bool {
        self.phase
            .compare_exchange(RECEIVING, SETTLED, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    fn fall_behind(&self) {
        let _ =
            self.phase
                .compare_exchange(RECEIVING, TOO_SLOW, Ordering::AcqRel, Ordering::Acquire);
    }
}

/// Why a body ended before its end.
#[derive(Debug, thiserror::Error)]
pub(super) enum BodyCut {
    #[error("the request body arrived too slowly")]
    TooSlow,
    #[error("the request body was cut to make room for another connection")]
    Evicted,
}

/// The body of one request, paced.
pub(super) struct PacedBody<B> {
    inner: B,
    pace: BodyPace,
    progress: Arc<BodyProgress>,
    started: Instant,
    received: u64,
    timer: Pin<Box<Sleep>>,
}

impl<B> PacedBody<B> {
    pub(super) fn new(inner: B, pace: BodyPace, progress: Arc<BodyProgress>) -> PacedBody<B> {
        let started = Instant::now();
        let first = started + pace.grace.min(pace.whole);
        PacedBody {
            inner,
            pace,
            progress,
            started,
            received: 0,
            timer: Box::pin(tokio::time::sleep_until(first)),
        }
    }

    /// The moment the body is too late unless more of it arrives.
    fn due(&self) -> Instant {
        let earned =
            Duration::from_secs_f64(self.received as f64 / self.pace.min_rate.max(1) as f64);
        self.started + (self.pace.grace + earned).min(self.pace.whole)
    }

    fn cut(&self) -> BoxError {
        if self.progress.was_evicted() {
            Box::new(BodyCut::Evicted)
        } else {
            Box::new(BodyCut::TooSlow)
        }
    }
}

impl<B> Body for PacedBody<B>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = &mut *self;
        if this.progress.was_evicted() || this.progress.was_too_slow() {
            return Poll::Ready(Some(Err(this.cut())));
        }
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    this.received = this.received.saturating_add(data.len() as u64);
                    this.progress
                        .received
                        .store(this.received, Ordering::Release);
                    let due = this.due();
                    this.timer.as_mut().reset(due);
                }
                if this.inner.is_end_stream() && !this.progress.settle() {
                    return Poll::Ready(Some(Err(this.cut())));
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(None) => {
                // Settled already when the last frame said so; this is the other way to end.
                if !this.progress.settle() && this.progress.was_evicted() {
                    return Poll::Ready(Some(Err(this.cut())));
                }
                Poll::Ready(None)
            }
            Poll::Ready(Some(Err(err))) => Poll::Ready(Some(Err(err.into()))),
            Poll::Pending => {
                if this.timer.as_mut().poll(cx).is_ready() {
                    this.progress.fall_behind();
                    return Poll::Ready(Some(Err(this.cut())));
                }
                Poll::Pending
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
