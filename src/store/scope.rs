//! Scopes: proof of who is asking, minted only here from a live session. Every agent read
//! takes an `AgentScope` and repeats the membership and tier check inside its SQL, so a
//! revoked membership or a raised tier takes effect on the very next query.

use super::audit::Actor;
use crate::domain::{Name, Role};

/// A signed-in agent. Only the store makes one, from a session it found valid.
#[derive(Debug, Clone)]
pub struct AgentScope {
    pub(super) agent_id: i64,
    pub(super) name: Name,
    pub(super) role: Role,
    pub(super) must_change_password: bool,
    pub(super) has_second_factor: bool,
    pub(super) language: Option<crate::i18n::Lang>,
    pub(super) time_zone: Option<String>,
}

impl AgentScope {
    pub fn name(&self) -> &Name {
        &self.name
    }

    pub fn role(&self) -> Role {
        self.role
    }

    /// The initial password is still in use and should be replaced.
    pub fn must_change_password(&self) -> bool {
        self.must_change_password
    }

    pub fn has_second_factor(&self) -> bool {
        self.has_second_factor
    }

    /// The language the agent chose for their pages, if any.
    pub fn language(&self) -> Option<crate::i18n::Lang> {
        self.language
    }

    /// The time zone the agent chose (IANA name), if any.
    pub fn time_zone(&self) -> Option<&str> {
        self.time_zone.as_deref()
    }

    /// The narrower handle for configuration, only for admins.
    pub fn admin(&self) -> Option<AdminScope> {
        (self.role == Role::Admin).then(|| AdminScope {
            agent: self.clone(),
        })
    }

    pub(super) fn actor(&self) -> Actor {
        Actor::Agent {
            id: self.agent_id,
            name: self.name.to_string(),
        }
    }
}

/// An admin: may configure agents, queues and routing and read the audit log. Grants no
/// ticket content by itself.
#[derive(Debug, Clone)]
pub struct AdminScope {
    agent: AgentScope,
}

impl AdminScope {
    pub fn agent(&self) -> &AgentScope {
        &self.agent
    }

    pub(super) fn actor(&self) -> Actor {
        self.agent.actor()
    }
}

/// The server's operator at the command line, who holds the data directory and its keys
/// anyway (outside the desk's trust boundary by nature, and audited as such). Only
/// `Store::operator_scope` makes one; the desk's `OperatorDesk` is its one caller.
#[derive(Debug)]
pub struct OperatorScope {
    _private: (),
}

/// The scheduler's jobs (SLA sweep, auto-close, purge, outgoing mail), audited as the
/// system. Only `Store::system_scope` makes one; the desk's `SystemDesk` is its one caller.
#[derive(Debug)]
pub struct SystemScope {
    _private: (),
}

impl OperatorScope {
    pub(super) fn actor(&self) -> Actor {
        Actor::Operator
    }
}

impl SystemScope {
    pub(super) fn actor(&self) -> Actor {
        Actor::System
    }
}

impl super::Store {
    /// Acts as the operator. Whoever holds a `Store` holds the database anyway; the name is
    /// here so that every use of the power is one grep away.
    pub fn operator_scope(&self) -> OperatorScope {
        OperatorScope { _private: () }
    }

    /// Acts as the scheduler (see `operator_scope`).
    pub fn system_scope(&self) -> SystemScope {
        SystemScope { _private: () }
    }
}

/// Who runs a purge: the scheduler, or the operator's `hushdesk purge`.
#[derive(Debug, Clone, Copy)]
pub enum Purger<'a> {
    System(&'a SystemScope),
    Operator(&'a OperatorScope),
}

impl Purger<'_> {
    pub(super) fn actor(self) -> Actor {
        match self {
            Purger::System(scope) => scope.actor(),
            Purger::Operator(scope) => scope.actor(),
        }
    }
}

/// The SQL condition "agent `$1` may work on ticket `t`": a live membership of the ticket's
/// queue and a tier at least the ticket's. Spliced into every scoped query.
macro_rules! in_scope {
    () => {
        "exists (select 1 from queue_members m join agents a on a.id = m.agent_id \
         where m.queue_id = t.queue_id and m.agent_id = $1 and a.disabled = 0 and a.tier >= t.tier)"
    };
}

/// `in_scope!`, or an unexpired break-glass exception for this ticket (reads only).
/// Needs `$2` bound to the current time.
macro_rules! in_scope_or_break_glass {
    () => {
        concat!(
            "(",
            in_scope!(),
            " or exists (select 1 from break_glass b where b.agent_id = $1 and b.ticket_id = t.id and b.expires_at > $2))"
        )
    };
}

pub(super) use {in_scope, in_scope_or_break_glass};
