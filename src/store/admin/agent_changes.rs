//! Changing an agent's standing: role, queue memberships, disabled or not. Every change is
//! audited and told to the other admins and the agent's queue owners; none leaves the desk
//! without an active admin.

use super::super::agents::parse_role;
use super::super::audit::{Actor, log_event};
use super::super::engine::{Sql, query, query_scalar};
use super::super::enrolment::by_and;
use super::super::error::Conflict;
use super::super::scope::{AdminScope, OperatorScope};
use super::super::{Store, StoreError, Tx, now_unix};
use super::{AgentRow, add_member_in, remove_member_in};
use crate::domain::{Name, Role};

/// Who makes a change: an admin in the pages, or the operator on the command line.
struct ChangedBy {
    actor: Actor,
    /// The admin's own id, so alerts about what she did are hidden from her.
    agent_id: Option<i64>,
}

impl ChangedBy {
    fn admin(admin: &AdminScope) -> Self {
        ChangedBy {
            actor: admin.actor(),
            agent_id: Some(admin.agent().agent_id),
        }
    }

    fn operator(operator: &OperatorScope) -> Self {
        ChangedBy {
            actor: operator.actor(),
            agent_id: None,
        }
    }
}

/// The agent a change is about, read inside the change's transaction.
struct Target {
    id: i64,
    role: Role,
    disabled: bool,
    has_second_factor: bool,
}

async fn target(tx: &mut Tx<'_>, name: &Name) -> Result<Target, StoreError> {
    let row = query(
        "select id, role, disabled, totp_sealed is not null as has_totp from agents where name = $1",
    )
    .bind(name.as_str())
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    Ok(Target {
        id: row.try_get("id")?,
        role: parse_role(&row.try_get::<String, _>("role")?)?,
        disabled: row.try_get::<i64, _>("disabled")? != 0,
        has_second_factor: row.try_get::<bool, _>("has_totp")?,
    })
}

/// Refuses a change that would leave no active admin: nobody could then configure the desk
/// or approve a reset, and only the operator's command line could repair it. On PostgreSQL
/// the active admins' rows are locked first, so two admins disabling each other at the same
/// moment cannot both pass; SQLite's writer lock already orders them.
async fn keep_an_active_admin(tx: &mut Tx<'_>, target: &Target) -> Result<(), StoreError> {
    if target.role != Role::Admin || target.disabled {
        return Ok(());
    }
    query(Sql::dialects(
        "select 1",
        "select id from agents where role = 'admin' and disabled = 0 for update",
    ))
    .fetch_all(&mut **tx)
    .await?;
    let others: i64 = query_scalar(
        "select count(*) from agents where role = 'admin' and disabled = 0 and id <> $1",
    )
    .bind(target.id)
    .fetch_one(&mut **tx)
    .await?;
    if others == 0 {
        return Err(StoreError::Conflict(Conflict::LastAdmin));
    }
    Ok(())
}

impl Store {
    /// Changes an agent's role, and with it the highest tier they work on. Nobody is made an
    /// admin here (the operator creates admins), a senior role needs a second factor set up
    /// first (it could not sign in otherwise), and the last active admin stays one.
    pub async fn set_agent_role(
        &self,
        admin: &AdminScope,
        name: &Name,
        role: Role,
    ) -> Result<(), StoreError> {
        let now = now_unix();
        let by = ChangedBy::admin(admin);
        let mut tx = self.begin_write().await?;
        let agent = target(&mut tx, name).await?;
        if agent.role == role {
            return Ok(());
        }
        if role == Role::Admin {
            return Err(StoreError::Conflict(Conflict::AdminByOperatorOnly));
        }
        if role.requires_second_factor() && !agent.has_second_factor {
            return Err(StoreError::Conflict(Conflict::SecondFactorFirst));
        }
        keep_an_active_admin(&mut tx, &agent).await?;
        query("update agents set role = $2, tier = $3 where id = $1")
            .bind(agent.id)
            .bind(role.id())
            .bind(role.tier().get())
            .execute(&mut *tx)
            .await?;
        log_event(
            &mut tx,
            &self.audit_key,
            &by.actor,
            "agent_role_changed",
            None,
            format!("agent={name} from={} to={role}", agent.role),
            now,
        )
        .await?;
        // A new role moves the agent to other tiers of their queues' tickets: news to those
        // who watch the account.
        super::super::enrolment::alert_about(
            &mut tx,
            "agent_role_changed",
            agent.id,
            name.as_str(),
            by_and(
                &by.actor,
                &[
                    ("agent", name.as_str()),
                    ("from_role", agent.role.id()),
                    ("to_role", role.id()),
                ],
            ),
            by.agent_id,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Makes the agent a member of exactly `wanted` among the queues in use: the others in
    /// use are left, archived queues are not touched (the pickers do not show them). An
    /// owner stays owner. Each added and removed membership is audited on its own, and
    /// joining a restricted queue tells its members as always.
    pub async fn set_agent_queues(
        &self,
        admin: &AdminScope,
        name: &Name,
        wanted: &[Name],
    ) -> Result<(), StoreError> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        let agent = target(&mut tx, name).await?;
        let current: Vec<String> = query_scalar(
            "select q.name from queue_members m join queues q on q.id = m.queue_id \
             where m.agent_id = $1 and q.archived_at is null",
        )
        .bind(agent.id)
        .fetch_all(&mut *tx)
        .await?;
        for queue in wanted {
            if current.iter().any(|c| c == queue.as_str()) {
                continue;
            }
            let in_use: Option<i64> =
                query_scalar("select id from queues where name = $1 and archived_at is null")
                    .bind(queue.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
            if in_use.is_none() {
                return Err(StoreError::NotFound);
            }
            add_member_in(
                &mut tx,
                &self.audit_key,
                &admin.actor(),
                queue,
                agent.id,
                name,
                false,
                now,
            )
            .await?;
        }
        for queue in current {
            if wanted.iter().any(|w| w.as_str() == queue) {
                continue;
            }
            let queue = Name::parse_queue(&queue).map_err(|_| StoreError::Corrupt("queue name"))?;
            remove_member_in(&mut tx, &self.audit_key, admin, &queue, name, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Disables or re-enables an agent; disabling ends their sessions at once. The last
    /// active admin cannot be disabled.
    pub async fn set_agent_disabled(
        &self,
        admin: &AdminScope,
        name: &Name,
        disabled: bool,
    ) -> Result<(), StoreError> {
        self.change_disabled(ChangedBy::admin(admin), name, disabled)
            .await
    }

    /// `set_agent_disabled` from the command line (`hushdesk agent disable|enable`): the
    /// same rule, audited as the operator.
    pub async fn set_agent_disabled_as_operator(
        &self,
        operator: &OperatorScope,
        name: &Name,
        disabled: bool,
    ) -> Result<(), StoreError> {
        self.change_disabled(ChangedBy::operator(operator), name, disabled)
            .await
    }

    /// Every agent, for `hushdesk agent list`; the listing is audited as the operator's.
    pub async fn list_agents_as_operator(
        &self,
        operator: &OperatorScope,
    ) -> Result<Vec<AgentRow>, StoreError> {
        let agents = self.agent_rows().await?;
        let mut tx = self.begin_write().await?;
        log_event(
            &mut tx,
            &self.audit_key,
            &operator.actor(),
            "agents_listed",
            None,
            format!("rows={}", agents.len()),
            now_unix(),
        )
        .await?;
        tx.commit().await?;
        Ok(agents)
    }

    async fn change_disabled(
        &self,
        by: ChangedBy,
        name: &Name,
        disabled: bool,
    ) -> Result<(), StoreError> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        let agent = target(&mut tx, name).await?;
        if disabled {
            keep_an_active_admin(&mut tx, &agent).await?;
        }
        query(
            "update agents set disabled = $2, failed_logins = 0, locked_until = null where id = $1",
        )
        .bind(agent.id)
        .bind(i64::from(disabled))
        .execute(&mut *tx)
        .await?;
        // Disabling the other admins (or enabling a dormant admin account) shifts who can
        // approve what: the remaining admins must hear of it. A disabled agent shut out (or
        // a dormant one let back in) is news to those who watch the account: the other
        // admins and the owners of the agent's queues. Asking for the state an account is
        // already in changes nothing worth an alert (enabling still clears a lockout, and the
        // request is audited below).
        let changes_state = agent.disabled != disabled;
        if changes_state && agent.role == Role::Admin {
            super::super::alerts::raise_for_others(
                &mut tx,
                now,
                if disabled {
                    "admin_disabled"
                } else {
                    "admin_enabled"
                },
                super::super::alerts::Audience::Admins,
                None,
                name.as_str(),
                by_and(&by.actor, &[("agent", name.as_str())]),
                by.agent_id,
            )
            .await?;
        } else if changes_state {
            super::super::enrolment::alert_about(
                &mut tx,
                if disabled {
                    "agent_disabled"
                } else {
                    "agent_enabled"
                },
                agent.id,
                name.as_str(),
                by_and(&by.actor, &[("agent", name.as_str())]),
                by.agent_id,
                now,
            )
            .await?;
        }
        if disabled {
            query("delete from sessions where agent_id = $1")
                .bind(agent.id)
                .execute(&mut *tx)
                .await?;
        }
        log_event(
            &mut tx,
            &self.audit_key,
            &by.actor,
            if disabled {
                "agent_disabled"
            } else {
                "agent_enabled"
            },
            None,
            format!("agent={name}"),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
