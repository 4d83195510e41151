//! The HTTP listener. Every connection holds a slot of a global cap and one of its client
//! network's, must send each request's headers in time and its body within a deadline. At the
//! global cap the connection idle for longest makes room; nothing waits in a queue for long,
//! so a crowd of idle sockets can neither exhaust the descriptors nor lock out `/healthz`.

use std::collections::HashMap;
use std::future::Future as _;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::Poll;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::{Body as _, Incoming};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;
use tower::Service;

use self::body_rate::{BodyPace, BodyProgress, PacedBody};
use self::write_deadline::WriteDeadline;
use crate::domain::{Network, NetworkSlot, NetworkSlots};

mod body_rate;
mod write_deadline;

/// The bounds the listener keeps.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    pub max_connections: usize,
    pub per_network: usize,
    /// From connecting, or from the previous response, to the end of a request's headers.
    pub header_timeout: Duration,
    /// From the end of the headers to the end of the body.
    pub body_timeout: Duration,
    /// Time after the headers before the body's minimum rate counts.
    pub body_grace: Duration,
    /// Bytes per second a body must keep up with after its grace.
    pub body_min_rate: u64,
    /// How long a write of the response may wait for a client that does not read.
    pub write_timeout: Duration,
}

impl ConnectionLimits {
    fn body_pace(&self) -> BodyPace {
        BodyPace {
            grace: self.body_grace,
            min_rate: self.body_min_rate,
            whole: self.body_timeout,
        }
    }
}

/// How long a new connection waits for the one it displaced to close. Longer than that takes
/// when all is well, so that a busy moment delays a newcomer rather than refusing it.
const MAKE_ROOM_WAIT: Duration = Duration::from_secs(1);
/// A connection idle for less than this may be a new one whose request is on its way, and a
/// body younger than this has had no time to show its rate (its handler may not have read a
/// byte yet): under a crowd, both go only after every older unfinished body, or the newcomer
/// that made room would be the next one evicted.
const SETTLING_MS: u64 = 1000;
/// New connections waiting for room at once; any more are refused straight away.
const MAX_WAITING: usize = 64;
/// Pause after the descriptor table was full, so a flood does not spin the accept loop.
const FULL_TABLE_PAUSE: Duration = Duration::from_millis(50);
/// The whole answer to a connection over a cap, written without waiting before it is closed.
const REFUSAL: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\ncontent-length: 25\r\nretry-after: 5\r\nconnection: close\r\n\r\nToo many connections now\n";

/// Accepts connections until `shutdown` completes, then closes idle connections, lets
/// requests in flight finish, and returns when every connection has ended.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let registry = Arc::new(Registry::new(limits));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    let http = Arc::new(http);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(err) => {
                    accept_failed(&err).await;
                    continue;
                }
            },
        };
        let Some(network_slot) = registry.networks.try_take(Network::of(peer.ip())) else {
            refuse(stream);
            continue;
        };
        let connection = Connection {
            stream,
            peer,
            network_slot,
            registry: registry.clone(),
            http: http.clone(),
            router: router.clone(),
        };
        match registry.slots.clone().try_acquire_owned() {
            Ok(slot) => {
                tokio::spawn(connection.run(slot));
            }
            Err(_) => make_room_for(connection).await,
        }
    }
    drop(listener);
    registry.close_all();
    registry.drained().await;
    Ok(())
}

/// At the global cap: close the connection idle for longest, or else the one whose request
/// body arrives slowest, and give its slot to this one. Refuse this one when every connection
/// is busy with a request that has arrived whole.
async fn make_room_for(connection: Connection) {
    let registry = connection.registry.clone();
    if registry.waiting.fetch_add(1, Ordering::AcqRel) >= MAX_WAITING {
        registry.waiting.fetch_sub(1, Ordering::AcqRel);
        refuse(connection.stream);
        return;
    }
    // Queue for a slot before making one free, so that the slot the evicted connection gives
    // back comes to this one and not to whoever connects next.
    let mut slot = Box::pin(registry.slots.clone().acquire_owned());
    let queued = std::future::poll_fn(|cx| Poll::Ready(slot.as_mut().poll(cx))).await;
    if let Poll::Ready(Ok(slot)) = queued {
        registry.waiting.fetch_sub(1, Ordering::AcqRel);
        tokio::spawn(connection.run(slot));
        return;
    }
    if !(registry.evict_longest_idle(SETTLING_MS)
        || registry.evict_slowest_body(SETTLING_MS)
        || registry.evict_longest_idle(0)
        || registry.evict_slowest_body(0))
    {
        registry.waiting.fetch_sub(1, Ordering::AcqRel);
        refuse(connection.stream);
        return;
    }
    tokio::spawn(async move {
        let slot = tokio::time::timeout(MAKE_ROOM_WAIT, slot).await;
        registry.waiting.fetch_sub(1, Ordering::AcqRel);
        match slot {
            Ok(Ok(slot)) => connection.run(slot).await,
            _ => refuse(connection.stream),
        }
    });
}

/// The answer to a request whose body fell behind its minimum rate; the connection closes,
/// since the rest of that body may still be on its way.
fn too_slow() -> axum::response::Response {
    let mut response = axum::response::Response::new(axum::body::Body::from(
        "The request body arrived too slowly\n",
    ));
    *response.status_mut() = hyper::StatusCode::REQUEST_TIMEOUT;
    let headers = response.headers_mut();
    headers.insert(
        hyper::header::CONNECTION,
        hyper::header::HeaderValue::from_static("close"),
    );
    headers.insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/plain"),
    );
    response
}

async fn accept_failed(err: &std::io::Error) {
    // EMFILE and ENFILE: the descriptor table is full; anything else concerns one connection.
    if matches!(err.raw_os_error(), Some(23 | 24)) {
        tracing::warn!(error = %err, "accepting an HTTP connection failed: no descriptors left");
        tokio::time::sleep(FULL_TABLE_PAUSE).await;
    } else {
        tracing::debug!(error = %err, "accepting an HTTP connection failed");
    }
}

/// Answers 503 if the socket takes it at once, then closes: a refusal costs no task and no
/// waiting, so refusing cannot itself become a way to hold descriptors.
fn refuse(stream: TcpStream) {
    let _ = stream.try_write(REFUSAL);
}

/// A connection accepted within its network's share, not yet serving.
struct Connection {
    stream: TcpStream,
    peer: SocketAddr,
    network_slot: NetworkSlot,
    registry: Arc<Registry>,
    http: Arc<hyper::server::conn::http1::Builder>,
    router: Router,
}

impl Connection {
    async fn run(self, slot: OwnedSemaphorePermit) {
        let Connection {
            stream,
            peer,
            network_slot,
            registry,
            http,
            router,
        } = self;
        if registry.closing.load(Ordering::Acquire) {
            refuse(stream);
            return;
        }
        let (id, tracked) = registry.register();
        let service = {
            let tracked = tracked.clone();
            let registry = registry.clone();
            let pace = registry.limits.body_pace();
            hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
                let busy = Busy::begin(&registry, &tracked, !request.body().is_end_stream());
                let progress = tracked.body.clone();
                let mut request = request.map(|body| {
                    axum::body::Body::new(PacedBody::new(body, pace, progress.clone()))
                });
                // What `into_make_service_with_connect_info` would add: rate limits key on it.
                request.extensions_mut().insert(ConnectInfo(peer));
                let mut router = router.clone();
                async move {
                    let response = router.call(request).await;
                    drop(busy);
                    if progress.was_too_slow() {
                        return Ok(too_slow());
                    }
                    response
                }
            })
        };
        let io = WriteDeadline::new(stream, registry.limits.write_timeout);
        let conn = http.serve_connection(TokioIo::new(io), service);
        tokio::pin!(conn);
        let mut closing = false;
        loop {
            tokio::select! {
                ended = conn.as_mut() => {
                    // Header timeouts and resets end up here; nothing about the peer is logged.
                    if let Err(err) = ended {
                        tracing::debug!(error = %err, "HTTP connection ended");
                    }
                    break;
                }
                () = tracked.close.notified(), if !closing => {
                    // A request whose body never arrived whole has done nothing yet that
                    // dropping it could leave half-done.
                    if tracked.in_flight.load(Ordering::Acquire) == 0
                        || tracked.body.was_evicted()
                    {
                        break;
                    }
                    // Busy: finish the request in progress, then close.
                    closing = true;
                    conn.as_mut().graceful_shutdown();
                }
            }
        }
        registry.unregister(id);
        drop((slot, network_slot));
    }
}

/// The connections open now, so that one idle for long can be chosen to make room.
struct Registry {
    limits: ConnectionLimits,
    slots: Arc<Semaphore>,
    networks: Arc<NetworkSlots>,
    open: Mutex<HashMap<u64, Arc<Tracked>>>,
    next_id: AtomicU64,
    waiting: AtomicUsize,
    closing: AtomicBool,
    started: Instant,
}

/// What the registry knows of one connection.
struct Tracked {
    in_flight: AtomicUsize,
    /// Milliseconds from the registry's start to the connection's last activity.
    last_active: AtomicU64,
    /// Already asked to close; not chosen again.
    evicted: AtomicBool,
    close: Notify,
    body: Arc<BodyProgress>,
}

impl Registry {
    fn new(limits: ConnectionLimits) -> Registry {
        Registry {
            limits,
            slots: Arc::new(Semaphore::new(limits.max_connections)),
            networks: NetworkSlots::new(limits.per_network),
            open: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(0),
            waiting: AtomicUsize::new(0),
            closing: AtomicBool::new(false),
            started: Instant::now(),
        }
    }

    fn now(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<u64, Arc<Tracked>>> {
        // The map holds only handles, consistent even after a panic elsewhere.
        self.open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn register(&self) -> (u64, Arc<Tracked>) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let tracked = Arc::new(Tracked {
            in_flight: AtomicUsize::new(0),
            last_active: AtomicU64::new(self.now()),
            evicted: AtomicBool::new(false),
            close: Notify::new(),
            body: Arc::new(BodyProgress::default()),
        });
        self.lock().insert(id, tracked.clone());
        (id, tracked)
    }

    fn unregister(&self, id: u64) {
        self.lock().remove(&id);
    }

    /// Asks the connection idle for longest, and for at least `at_least` ms, to close. False
    /// when none is.
    fn evict_longest_idle(&self, at_least: u64) -> bool {
        let latest = self.now().saturating_sub(at_least);
        let open = self.lock();
        let idlest = open
            .values()
            .filter(|t| {
                t.in_flight.load(Ordering::Acquire) == 0
                    && !t.evicted.load(Ordering::Acquire)
                    && t.last_active.load(Ordering::Acquire) <= latest
            })
            .min_by_key(|t| t.last_active.load(Ordering::Acquire));
        match idlest {
            Some(tracked) => {
                tracked.evicted.store(true, Ordering::Release);
                tracked.close.notify_one();
                true
            }
            None => false,
        }
    }

    /// Cuts the request body arriving slowest, in bytes per second since its headers, among
    /// those begun at least `at_least` ms ago, and closes its connection. False when there is
    /// no such body.
    fn evict_slowest_body(&self, at_least: u64) -> bool {
        let now = self.now();
        let open = self.lock();
        // One pass without sorting: this runs under the registry's lock for every newcomer at
        // the cap. A body that settles between the pick and the cut keeps its request; the
        // next pass no longer sees it as unfinished.
        loop {
            let slowest = open
                .values()
                .filter(|t| !t.evicted.load(Ordering::Acquire))
                .filter_map(|t| {
                    let (bytes, elapsed) = t.body.unfinished(now)?;
                    (elapsed >= at_least).then_some((bytes, elapsed.max(1), t))
                })
                // a/t < b/u  ⇔  a·u < b·t: no division, no float.
                .min_by(|(a, t, _), (b, u, _)| {
                    (u128::from(*a) * u128::from(*u)).cmp(&(u128::from(*b) * u128::from(*t)))
                });
            let Some((_, _, tracked)) = slowest else {
                return false;
            };
            if tracked.body.evict() {
                tracked.evicted.store(true, Ordering::Release);
                tracked.close.notify_one();
                return true;
            }
        }
    }

    fn close_all(&self) {
        self.closing.store(true, Ordering::Release);
        for tracked in self.lock().values() {
            tracked.close.notify_one();
        }
    }

    /// Completes once every connection has given its slot back.
    async fn drained(&self) {
        let all = u32::try_from(self.limits.max_connections).unwrap_or(u32::MAX);
        let _ = self.slots.acquire_many(all).await;
    }
}

/// A request in progress on a connection; the connection is not idle while one exists.
struct Busy {
    registry: Arc<Registry>,
    tracked: Arc<Tracked>,
}

impl Busy {
    fn begin(registry: &Arc<Registry>, tracked: &Arc<Tracked>, has_body: bool) -> Busy {
        tracked.body.begin(registry.now(), has_body);
        tracked.in_flight.fetch_add(1, Ordering::AcqRel);
        Busy {
            registry: registry.clone(),
            tracked: tracked.clone(),
        }
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.tracked
            .last_active
            .store(self.registry.now(), Ordering::Release);
        self.tracked.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}
