//! Per-network request budgets that hold whichever instance a client reaches. The web layer
//! names the client's network; the desk turns it into a keyed digest (`RateClient`) and, on
//! PostgreSQL, takes the request from the budget in the database that every instance shares.
//! Neither an address nor a network is ever handed to the store, logged or stored.

use std::time::Duration;

use crate::store::{RateShape, RateTake};

use super::{Desk, DeskError};

/// Which budget a request draws on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateBudget {
    /// Filing a new ticket.
    Filing,
    /// Requests to a requester's secret link (reading, replying, deleting).
    RequesterLink,
    /// Password checks: sign-in, enrolment and the account page's confirmation.
    SignIn,
}

impl RateBudget {
    /// The budget's name in the database.
    fn bucket(self) -> &'static str {
        match self {
            RateBudget::Filing => "filing",
            RateBudget::RequesterLink => "requester-link",
            RateBudget::SignIn => "sign-in",
        }
    }
}

/// How much a budget holds and how fast it fills again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateQuota {
    /// One more request is allowed after each `refill`.
    pub refill: Duration,
    /// Requests allowed at once after a quiet spell.
    pub burst: u32,
}

/// A client network as the shared budgets know it: an HMAC of its /24 or /64 under the
/// desk's pepper, with a label of its own. Every instance of one desk has the same pepper,
/// so they agree on it; without the key files nobody can tell which network it is. Only
/// `Desk::rate_client` makes one.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct RateClient([u8; 32]);

impl std::fmt::Debug for RateClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RateClient(…)")
    }
}

/// Whether a request may go ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    Admitted,
    /// Refused: the budget has room again after `retry_after`.
    Refused {
        retry_after: Duration,
    },
}

/// Milliseconds since the Unix epoch: the clock of the shared budgets.
pub fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

impl RateQuota {
    fn shape(self) -> RateShape {
        RateShape {
            interval_ms: i64::try_from(self.refill.as_millis())
                .unwrap_or(i64::MAX)
                .max(1),
            burst: self.burst.max(1),
        }
    }
}

impl Desk {
    /// Whether budgets are kept in the database, shared by every instance on it
    /// (PostgreSQL), rather than in this process's memory (SQLite: one process).
    pub fn shares_rate_budgets(&self) -> bool {
        self.store.shares_rate_budgets()
    }

    /// The digest `network` (the bytes of a /24 or /64) is counted under.
    pub fn rate_client(&self, network: &[u8]) -> RateClient {
        RateClient(self.keyring.rate_limit_digest(network))
    }

    /// Takes one request from `client`'s `budget` at `now_ms`, as every instance on this
    /// database counts it: one statement, which locks only that client's row.
    pub async fn admit(
        &self,
        budget: RateBudget,
        quota: RateQuota,
        client: &RateClient,
        now_ms: i64,
    ) -> Result<Admission, DeskError> {
        let taken = self
            .store
            .take_rate_budget(budget.bucket(), &client.0, quota.shape(), now_ms)
            .await?;
        Ok(match taken {
            RateTake::Admitted => Admission::Admitted,
            RateTake::Refused { retry_after_ms } => Admission::Refused {
                retry_after: Duration::from_millis(u64::try_from(retry_after_ms).unwrap_or(0)),
            },
        })
    }

    /// Forgets the clients of `budget` whose budget is full again at `now_ms`; they are
    /// admitted exactly as before, and the table keeps only networks active right now.
    pub async fn forget_full_rate_budgets(
        &self,
        budget: RateBudget,
        now_ms: i64,
    ) -> Result<u64, DeskError> {
        Ok(self
            .store
            .forget_full_rate_budgets(budget.bucket(), now_ms)
            .await?)
    }
}
