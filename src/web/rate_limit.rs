//! Per-network budgets in front of the handlers that spend them (filing, requester links,
//! password checks). On SQLite the budgets live in this process (`governor`, GCRA): one
//! process serves the desk. On PostgreSQL several instances may serve it, so the desk takes
//! each request from a budget in the database that all of them share; should the database
//! not answer, this instance counts alone until it does (see `Budget::admit`). Either way a
//! refusal is the same 429 with `Retry-After`, rendered like every error (`error.rs`).

use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use super::client::ClientNetwork;
use super::error::WebError;
use crate::desk::{Admission, Desk, RateBudget, RateQuota};

/// One budget's guard, cheap to clone; `admit` is its middleware.
#[derive(Clone)]
pub struct NetworkBudget(Arc<Budget>);

struct Budget {
    network: ClientNetwork,
    budget: RateBudget,
    quota: RateQuota,
    /// The budget itself on SQLite; on PostgreSQL the stand-in while the database does not
    /// answer.
    local: DefaultKeyedRateLimiter<[u8; 16]>,
    /// The desk holding the shared budgets, on PostgreSQL.
    shared: Option<Desk>,
    /// Whether the shared budgets failed last time, so an outage is logged once, not per
    /// request.
    shared_failing: AtomicBool,
}

impl NetworkBudget {
    /// A guard for `budget`; shared through the database when the desk keeps it there.
    /// Must be called inside the runtime: it starts the task that forgets quiet networks.
    pub fn new(desk: &Desk, network: ClientNetwork, budget: RateBudget, quota: RateQuota) -> Self {
        let local = match local_quota(quota) {
            Some(local) => DefaultKeyedRateLimiter::keyed(local),
            // Config validation refuses zero periods and bursts, the only inputs refused here.
            None => unreachable_config(),
        };
        let guard = NetworkBudget(Arc::new(Budget {
            network,
            budget,
            quota,
            local,
            shared: desk.shares_rate_budgets().then(|| desk.clone()),
            shared_failing: AtomicBool::new(false),
        }));
        guard.forget_quiet_networks();
        guard
    }

    /// Every minute, forgets the networks whose budget is full again, in memory and in the
    /// database, so both stay as small as the set of networks active right now. Stops once
    /// the router holding this guard is gone.
    fn forget_quiet_networks(&self) {
        let budget = Arc::downgrade(&self.0);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            loop {
                tick.tick().await;
                let Some(budget) = budget.upgrade() else {
                    break;
                };
                budget.local.retain_recent();
                if let Some(desk) = &budget.shared {
                    // A failure here is retried next minute; an unreachable database is
                    // reported by the requests themselves.
                    let _ = desk
                        .forget_full_rate_budgets(budget.budget, crate::desk::now_millis())
                        .await;
                }
            }
        });
    }
}

impl Budget {
    /// Whether a request from `network` may go ahead, or how long it must wait.
    async fn admit(&self, network: &[u8]) -> Result<(), Duration> {
        if let Some(desk) = &self.shared {
            let client = desk.rate_client(network);
            match desk
                .admit(self.budget, self.quota, &client, crate::desk::now_millis())
                .await
            {
                Ok(answer) => {
                    if self.shared_failing.swap(false, Ordering::Relaxed) {
                        tracing::warn!(budget = ?self.budget, "shared rate limits answer again");
                    }
                    return match answer {
                        Admission::Admitted => Ok(()),
                        Admission::Refused { retry_after } => Err(retry_after),
                    };
                }
                // Failing closed would take sign-in and filing down with the database even
                // where they could still work (a lost connection, a full pool), and failing
                // open would drop the limit exactly when something is wrong. Counting in
                // this process keeps every instance limited, at worst to N times the budget
                // across N instances, until the database answers again.
                Err(err) => {
                    if !self.shared_failing.swap(true, Ordering::Relaxed) {
                        tracing::warn!(budget = ?self.budget, error = %err,
                            "shared rate limits unavailable; counting on this instance alone");
                    }
                }
            }
        }
        let key = self.network.local_key(network);
        self.local
            .check_key(&key)
            .map_err(|refused| refused.wait_time_from(DefaultClock::default().now()))
    }
}

/// The middleware: admits the request or answers 429 with `Retry-After` (whole seconds, as
/// `governor`'s own layer did; the body is the error renderer's).
pub async fn admit(State(guard): State<NetworkBudget>, request: Request, next: Next) -> Response {
    let Some(network) = guard.0.network.network(&request) else {
        return WebError::Internal(anyhow::anyhow!(
            "no client address to count the request under"
        ))
        .into_response();
    };
    match guard.0.admit(&network).await {
        Ok(()) => next.run(request).await,
        Err(wait) => too_many_requests(wait),
    }
}

fn too_many_requests(wait: Duration) -> Response {
    let seconds = HeaderValue::from(wait.as_secs());
    let mut response = StatusCode::TOO_MANY_REQUESTS.into_response();
    let headers = response.headers_mut();
    headers.insert("x-ratelimit-after", seconds.clone());
    headers.insert(axum::http::header::RETRY_AFTER, seconds);
    response
}

fn local_quota(quota: RateQuota) -> Option<Quota> {
    Some(Quota::with_period(quota.refill)?.allow_burst(NonZeroU32::new(quota.burst)?))
}

#[allow(clippy::panic)]
fn unreachable_config() -> ! {
    panic!("rate limit configuration was validated at load")
}
