//! Nor can an `AgentDesk` be put together from a desk and a scope obtained elsewhere.

fn door(desk: hushdesk::desk::Desk, scope: hushdesk::desk::AgentScope) -> hushdesk::desk::AgentDesk {
    hushdesk::desk::AgentDesk::new(desk, scope)
}

fn main() {}
