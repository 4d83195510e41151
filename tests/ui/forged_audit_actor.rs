//! `Actor` was a public enum, so `place_hold_as`, `release_hold_as`, `purge_expired` and
//! `audit_standalone` accepted any identity into the tamper-evident chain. It is private to
//! the store now; the operator and the scheduler act through their own doors.

fn forged() {
    let _ = hushdesk::store::Actor::Operator;
}

fn main() {}
