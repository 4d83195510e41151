//! The mail sessions open now, so that at the session cap the one doing least can make room
//! for a new one: the session idle longest outside a message, or else the one whose message
//! data arrives slowest. A session whose message is being processed and filed is never
//! chosen, so eviction cannot leave a message half-stored.

use std::collections::HashMap;
use std::future::Future as _;
use std::sync::atomic::{AtomicU8, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::Poll;
use std::time::Duration;

use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// How long a new session waits for the one it displaced to let go of its slot.
const MAKE_ROOM_WAIT: Duration = Duration::from_secs(2);
/// New sessions waiting for room at once; any more are refused straight away.
const MAX_WAITING: usize = 16;
/// Milliseconds a session must have stood still to count as idle ahead of the slowest message.
const SETTLING_MS: u64 = 1000;

pub(super) struct Sessions {
    slots: Arc<Semaphore>,
    open: Mutex<HashMap<u64, Arc<SessionTrack>>>,
    next_id: AtomicU64,
    waiting: AtomicUsize,
    started: Instant,
}

/// Outside a message: greeting, envelope, or between transactions.
const TALKING: u8 = 0;
/// Receiving a message's data.
const DATA: u8 = 1;
/// The message is being processed and filed; the session cannot be evicted.
const DELIVERING: u8 = 2;
const EVICTED: u8 = 3;

/// What the registry knows of one session.
pub(super) struct SessionTrack {
    phase: AtomicU8,
    started: Instant,
    /// Milliseconds from the registry's start to the session's last step forward.
    last_progress_ms: AtomicU64,
    /// Milliseconds from the registry's start to the `DATA` command of the message now read.
    data_started_ms: AtomicU64,
    data_bytes: AtomicU64,
    evicted: Notify,
}

/// A session's place in the registry; dropping it takes the session out.
pub(super) struct Registered {
    sessions: Arc<Sessions>,
    id: u64,
    pub(super) track: Arc<SessionTrack>,
}

impl Drop for Registered {
    fn drop(&mut self) {
        self.sessions.lock().remove(&self.id);
    }
}

impl Sessions {
    pub(super) fn new(max_sessions: usize) -> Arc<Sessions> {
        Arc::new(Sessions {
            slots: Arc::new(Semaphore::new(max_sessions)),
            open: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(0),
            waiting: AtomicUsize::new(0),
            started: Instant::now(),
        })
    }

    /// A slot if one is free now.
    pub(super) fn try_slot(&self) -> Option<OwnedSemaphorePermit> {
        self.slots.clone().try_acquire_owned().ok()
    }

    /// At the cap: evicts the session doing least and takes its slot once it has let go.
    /// `None` when every session is delivering a message, or too many wait already.
    pub(super) async fn make_room(&self) -> Option<OwnedSemaphorePermit> {
        if self.waiting.fetch_add(1, Ordering::AcqRel) >= MAX_WAITING {
            self.waiting.fetch_sub(1, Ordering::AcqRel);
            return None;
        }
        // Queue for a slot before making one free, so that the slot the evicted session gives
        // back comes to this one and not to whoever connects next.
        let mut slot = Box::pin(self.slots.clone().acquire_owned());
        let queued = std::future::poll_fn(|cx| Poll::Ready(slot.as_mut().poll(cx))).await;
        if let Poll::Ready(Ok(slot)) = queued {
            self.waiting.fetch_sub(1, Ordering::AcqRel);
            return Some(slot);
        }
        if !self.evict_one() {
            self.waiting.fetch_sub(1, Ordering::AcqRel);
            return None;
        }
        let slot = tokio::time::timeout(MAKE_ROOM_WAIT, slot).await;
        self.waiting.fetch_sub(1, Ordering::AcqRel);
        slot.ok().and_then(Result::ok)
    }

    pub(super) fn register(self: &Arc<Self>) -> Registered {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let track = Arc::new(SessionTrack {
            phase: AtomicU8::new(TALKING),
            started: self.started,
            last_progress_ms: AtomicU64::new(millis_since(self.started)),
            data_started_ms: AtomicU64::new(0),
            data_bytes: AtomicU64::new(0),
            evicted: Notify::new(),
        });
        self.lock().insert(id, track.clone());
        Registered {
            sessions: self.clone(),
            id,
            track,
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<u64, Arc<SessionTrack>>> {
        // The map holds only handles, consistent even after a panic elsewhere.
        self.open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Asks the session idle longest outside a message to go, or else the one whose data
    /// arrives slowest. False when none can go.
    fn evict_one(&self) -> bool {
        let now = millis_since(self.started);
        let open = self.lock();
        let mut talking: Vec<((u64, u64), &Arc<SessionTrack>)> = Vec::new();
        let mut receiving: Vec<(u64, u64, &Arc<SessionTrack>)> = Vec::new();
        for (id, track) in open.iter() {
            match track.phase.load(Ordering::Acquire) {
                // Between two as idle, the older session goes.
                TALKING => {
                    let last = track.last_progress_ms.load(Ordering::Acquire);
                    talking.push(((last, *id), track));
                }
                DATA => {
                    let since = track.data_started_ms.load(Ordering::Acquire);
                    let bytes = track.data_bytes.load(Ordering::Acquire);
                    receiving.push((bytes, now.saturating_sub(since).max(1), track));
                }
                _ => {}
            }
        }
        talking.sort_unstable_by_key(|(last, _)| *last);
        // A session that stepped forward within SETTLING_MS may be a new one still greeting:
        // it goes only after every message in progress.
        let settled = talking.partition_point(|((last, _), _)| *last + SETTLING_MS <= now);
        let fresh = talking.split_off(settled);
        // Likewise a message begun within SETTLING_MS has had no time to show its rate.
        // a/t < b/u  ⇔  a·u < b·t: no division, no float.
        receiving.sort_unstable_by(|(a, t, _), (b, u, _)| {
            (u128::from(*a) * u128::from(*u)).cmp(&(u128::from(*b) * u128::from(*t)))
        });
        let (receiving, starting): (Vec<_>, Vec<_>) = receiving
            .into_iter()
            .partition(|(_, elapsed, _)| *elapsed >= SETTLING_MS);
        let candidates = talking
            .into_iter()
            .map(|(_, track)| (TALKING, track))
            .chain(receiving.into_iter().map(|(_, _, track)| (DATA, track)))
            .chain(fresh.into_iter().map(|(_, track)| (TALKING, track)))
            .chain(starting.into_iter().map(|(_, _, track)| (DATA, track)));
        // A session that moved on while this ran (into delivery, say) is skipped.
        for (phase, track) in candidates {
            if track
                .phase
                .compare_exchange(phase, EVICTED, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
            {
                track.evicted.notify_one();
                return true;
            }
        }
        false
    }
}

impl SessionTrack {
    /// The session moved a transaction forward.
    pub(super) fn progressed(&self) {
        self.last_progress_ms
            .store(millis_since(self.started), Ordering::Release);
    }

    /// `DATA` was accepted. False when the session was evicted.
    pub(super) fn begin_data(&self) -> bool {
        self.data_bytes.store(0, Ordering::Release);
        self.data_started_ms
            .store(millis_since(self.started), Ordering::Release);
        self.phase
            .compare_exchange(TALKING, DATA, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    pub(super) fn received(&self, bytes: usize) {
        self.data_bytes
            .fetch_add(u64::try_from(bytes).unwrap_or(u64::MAX), Ordering::AcqRel);
    }

    /// The message is whole and about to be processed: from here on the session is not
    /// evicted. False when it was evicted first; then the message must not be delivered.
    pub(super) fn begin_delivery(&self) -> bool {
        self.phase
            .compare_exchange(DATA, DELIVERING, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    /// Back between transactions, after a delivery or a refused message.
    pub(super) fn end_message(&self) {
        for from in [DATA, DELIVERING] {
            let _ = self
                .phase
                .compare_exchange(from, TALKING, Ordering::AcqRel, Ordering::Acquire);
        }
    }

    pub(super) fn was_evicted(&self) -> bool {
        self.phase.load(Ordering::Acquire) == EVICTED
    }

    /// Completes once the session is asked to make room.
    pub(super) async fn evicted(&self) {
        self.evicted.notified().await;
    }
}

fn millis_since(start: Instant) -> u64 {
    u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX)
}
