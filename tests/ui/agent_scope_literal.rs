//! A scope is not a struct anyone can fill in.

fn forged() -> hushdesk::desk::AgentScope {
    hushdesk::desk::AgentScope {
        agent_id: 1,
        name: hushdesk::domain::Name::parse("admin").unwrap(),
        role: hushdesk::domain::Role::Admin,
        must_change_password: false,
        has_second_factor: true,
    }
}

fn main() {}
