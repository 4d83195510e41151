//! The memory received mail may hold across all sessions. A message reserves its bytes while
//! it is read, before they are buffered, and gives them back once it has been processed; a
//! message that finds the budget spent is deferred (4xx), never accepted and then lost.

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Reservations are counted in units of this many bytes.
const UNIT: usize = 1024;

#[derive(Clone)]
pub(super) struct MemoryBudget {
    units: Arc<Semaphore>,
}

impl MemoryBudget {
    pub(super) fn new(bytes: usize) -> MemoryBudget {
        let units = (bytes / UNIT).min(Semaphore::MAX_PERMITS);
        MemoryBudget {
            units: Arc::new(Semaphore::new(units)),
        }
    }

    /// Bytes not reserved by any message right now.
    pub(super) fn available(&self) -> usize {
        self.units.available_permits().saturating_mul(UNIT)
    }

    /// A reservation of nothing yet, to grow while a message is read.
    pub(super) fn reservation(&self) -> Reservation {
        Reservation {
            budget: self.clone(),
            held: None,
        }
    }
}

/// Bytes one message holds of the budget; dropping it gives them back.
pub(super) struct Reservation {
    budget: MemoryBudget,
    held: Option<OwnedSemaphorePermit>,
}

impl Reservation {
    /// Bytes reserved.
    pub(super) fn bytes(&self) -> usize {
        self.held
            .as_ref()
            .map_or(0, |p| p.num_permits().saturating_mul(UNIT))
    }

    /// Holds at least `bytes` in total, taking only what is free now. False, and nothing
    /// more taken, when the budget cannot cover it.
    pub(super) fn grow_to(&mut self, bytes: usize) -> bool {
        let held = self.held.as_ref().map_or(0, |p| p.num_permits());
        let wanted = bytes.div_ceil(UNIT);
        if wanted <= held {
            return true;
        }
        let Ok(more) = u32::try_from(wanted - held) else {
            return false;
        };
        match self.budget.units.clone().try_acquire_many_owned(more) {
            Ok(permit) => {
                match &mut self.held {
                    Some(held) => held.merge(permit),
                    None => self.held = Some(permit),
                }
                true
            }
            Err(_) => false,
        }
    }

    /// Gives everything back.
    pub(super) fn release(&mut self) {
        self.held = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reservations_share_the_budget_and_give_it_back() {
        let budget = MemoryBudget::new(64 * 1024);
        let mut first = budget.reservation();
        assert!(first.grow_to(40 * 1024));
        assert_eq!(first.bytes(), 40 * 1024);
        let mut second = budget.reservation();
        assert!(!second.grow_to(40 * 1024), "only 24 KiB are left");
        assert_eq!(second.bytes(), 0, "a failed reservation takes nothing");
        assert!(second.grow_to(24 * 1024));
        drop(first);
        assert!(second.grow_to(64 * 1024));
        second.release();
        assert_eq!(budget.available(), 64 * 1024);
    }
}
