//! Configuration by admins: agents, queues, memberships, routing, canned responses, and
//! reading the audit log. Every function takes an `AdminScope`; none returns ticket content.

mod agent_changes;
mod audit_search;
mod queue_changes;
mod sla;

pub use audit_search::AuditFilter;
pub(super) use sla::sla_in_force;
pub use sla::{SlaOverride, StoredBusinessHours};

use super::engine::{Sql, query, query_scalar};

use super::agents::parse_role;
use super::alerts::{
    Audience, particulars, raise, raise_caused_by, raise_for_others, raise_queue_copy,
};
use super::audit::{Actor, AuditKey, log_event};
use super::error::Conflict;
use super::scope::AdminScope;
use super::{Store, StoreError, Tx, now_unix};
use crate::domain::{Category, Name, Role};
use crate::redact::Redacted;

#[derive(Debug, Clone)]
pub struct AgentRow {
    pub name: String,
    pub role: Role,
    pub has_second_factor: bool,
    pub disabled: bool,
    pub locked: bool,
    /// An unused, unexpired enrolment link exists: the account waits for its agent.
    pub awaiting_enrolment: bool,
    pub queues: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct QueueRow {
    pub name: String,
    pub restricted: bool,
    pub require_encryption: bool,
    /// (agent name, is owner)
    pub members: Vec<(String, bool)>,
    pub open_tickets: i64,
    /// Archived: takes no new tickets and is left out of the pickers; its tickets stay.
    pub archived: bool,
}

#[derive(Debug, Clone)]
pub struct RouteRow {
    pub category: Category,
    pub queue: String,
}

#[derive(Debug, Clone)]
pub struct CannedResponse {
    pub id: i64,
    pub queue: String,
    pub title: String,
    pub body: String,
}

impl Store {
    pub async fn list_agents(&self, _admin: &AdminScope) -> Result<Vec<AgentRow>, StoreError> {
        self.agent_rows().await
    }

    /// Every agent, with their queues in use (archived ones are not listed).
    async fn agent_rows(&self) -> Result<Vec<AgentRow>, StoreError> {
        let now = now_unix();
        // The agent's queues as one space-separated text: `group_concat` on SQLite,
        // `string_agg` on PostgreSQL.
        macro_rules! agents_sql {
            ($queues:literal) => {
                concat!(
                    "select a.name, a.role, a.totp_sealed is not null as has_totp, a.disabled, \
                     coalesce(a.locked_until > $1, false) as locked, \
                     exists (select 1 from enrolments e where e.agent_id = a.id and e.used_at is null \
                             and e.expires_at > $1) as enrolling, \
                     (select ",
                    $queues,
                    " from queue_members m join queues q on q.id = m.queue_id \
                      where m.agent_id = a.id and q.archived_at is null) as queues \
                     from agents a order by a.name"
                )
            };
        }
        let rows = query(Sql::dialects(
            agents_sql!("group_concat(q.name, ' ')"),
            agents_sql!("string_agg(q.name, ' ' order by q.name)"),
        ))
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(AgentRow {
                    name: row.try_get("name")?,
                    role: parse_role(&row.try_get::<String, _>("role")?)?,
                    has_second_factor: row.try_get::<bool, _>("has_totp")?,
                    disabled: row.try_get::<i64, _>("disabled")? != 0,
                    locked: row.try_get::<bool, _>("locked")?,
                    awaiting_enrolment: row.try_get::<bool, _>("enrolling")?,
                    // Sorted here: SQLite's `group_concat` keeps no order.
                    queues: {
                        let mut queues: Vec<String> = row
                            .try_get::<Option<String>, _>("queues")?
                            .unwrap_or_default()
                            .split_whitespace()
                            .map(str::to_owned)
                            .collect();
                        queues.sort();
                        queues
                    },
                })
            })
            .collect()
    }

    /// Every queue, restricted ones included: admins configure them, they do not read them.
    pub async fn list_queues(&self, _admin: &AdminScope) -> Result<Vec<QueueRow>, StoreError> {
        let queues = query(
            "select q.id, q.name, q.restricted, q.require_encryption, q.archived_at is not null as archived, \
             (select count(*) from tickets t where t.queue_id = q.id and t.status not in ('resolved', 'closed')) as open_tickets \
             from queues q order by q.archived_at is not null, q.name",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(queues.len());
        for q in queues {
            let members = query(
                "select a.name, m.is_owner from queue_members m join agents a on a.id = m.agent_id \
                 where m.queue_id = $1 order by a.name",
            )
            .bind(q.try_get::<i64, _>("id")?)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("name")?, r.try_get::<i64, _>("is_owner")? != 0)))
            .collect::<Result<Vec<_>, StoreError>>()?;
            out.push(QueueRow {
                name: q.try_get("name")?,
                restricted: q.try_get::<i64, _>("restricted")? != 0,
                require_encryption: q.try_get::<i64, _>("require_encryption")? != 0,
                members,
                open_tickets: q.try_get("open_tickets")?,
                archived: q.try_get::<bool, _>("archived")?,
            });
        }
        Ok(out)
    }

    pub async fn create_queue(
        &self,
        admin: &AdminScope,
        name: &Name,
        restricted: bool,
    ) -> Result<(), StoreError> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        query("insert into queues (name, restricted, created_at) values ($1, $2, $3)")
            .bind(name.as_str())
            .bind(i64::from(restricted))
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::on_unique(e, Conflict::QueueName))?;
        config_audit(
            &mut tx,
            &self.audit_key,
            admin,
            "queue_created",
            format!("queue={name} restricted={restricted}"),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets a queue's flags. Making a queue restricted tells its members.
    pub async fn set_queue_flags(
        &self,
        admin: &AdminScope,
        name: &Name,
        restricted: bool,
        require_encryption: bool,
    ) -> Result<(), StoreError> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        let was_restricted: bool =
            query_scalar::<i64>("select restricted from queues where name = $1")
                .bind(name.as_str())
                .fetch_optional(&mut *tx)
                .await?
                .is_some_and(|flag| flag != 0);
        let queue_id: i64 = query_scalar(
            "update queues set restricted = $2, require_encryption = $3 where name = $1 returning id",
        )
        .bind(name.as_str())
        .bind(i64::from(restricted))
        .bind(i64::from(require_encryption))
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        if was_restricted && !restricted {
            unrestrict_in(&mut tx, admin, queue_id, name, now).await?;
        }
        if restricted && !was_restricted {
            void_members_links(
                &mut tx,
                &self.audit_key,
                &admin.actor(),
                queue_id,
                name,
                now,
            )
            .await?;
        }
        config_audit(
            &mut tx,
            &self.audit_key,
            admin,
            "queue_changed",
            format!("queue={name} restricted={restricted} require_encryption={require_encryption}"),
            now,
        )
        .await?;
        raise(
            &mut tx,
            now,
            "queue_changed",
            Audience::QueueMembers,
            Some(queue_id),
            Some(admin.agent().name().as_str()),
            None,
            particulars(&[
                ("by", admin.agent().name().as_str()),
                ("restricted", if restricted { "yes" } else { "no" }),
                (
                    "require_encryption",
                    if require_encryption { "yes" } else { "no" },
                ),
            ]),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds (or updates) a membership. For a restricted queue, existing members are told,
    /// so nobody (an admin included) joins one quietly.
    pub async fn add_member(
        &self,
        admin: &AdminScope,
        queue: &Name,
        agent: &Name,
        owner: bool,
    ) -> Result<(), StoreError> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        let agent_id: i64 = query_scalar("select id from agents where name = $1")
            .bind(agent.as_str())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        add_member_in(
            &mut tx,
            &self.audit_key,
            &admin.actor(),
            queue,
            agent_id,
            agent,
            owner,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn remove_member(
        &self,
        admin: &AdminScope,
        queue: &Name,
        agent: &Name,
    ) -> Result<(), StoreError> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        remove_member_in(&mut tx, &self.audit_key, admin, queue, agent, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The routing table: one row per category that has a rule.
    pub async fn routes(&self, _admin: &AdminScope) -> Result<Vec<RouteRow>, StoreError> {
        let rows = query(
            "select r.category, q.name from routing_rules r join queues q on q.id = r.queue_id order by r.category",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(RouteRow {
                    category: r
                        .try_get::<String, _>("category")?
                        .parse()
                        .map_err(|()| StoreError::Corrupt("routing category"))?,
                    queue: r.try_get("name")?,
                })
            })
            .collect()
    }

    /// Routes a category to a queue; `general` removes the rule (it is the fallback).
    pub async fn set_route(
        &self,
        admin: &AdminScope,
        category: Category,
        queue: &Name,
    ) -> Result<(), StoreError> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        // An archived queue takes no new tickets, so no category may be routed to it.
        let queue_id: i64 =
            query_scalar("select id from queues where name = $1 and archived_at is null")
                .bind(queue.as_str())
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NotFound)?;
        query(
            "insert into routing_rules (category, queue_id) values ($1, $2) \
             on conflict (category) do update set queue_id = excluded.queue_id",
        )
        .bind(category.id())
        .bind(queue_id)
        .execute(&mut *tx)
        .await?;
        config_audit(
            &mut tx,
            &self.audit_key,
            admin,
            "route_changed",
            format!("category={category} queue={queue}"),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn canned_responses(
        &self,
        _admin: &AdminScope,
    ) -> Result<Vec<CannedResponse>, StoreError> {
        let rows = query(
            "select c.id, q.name as queue, c.title, c.body from canned_responses c \
             join queues q on q.id = c.queue_id order by q.name, c.title",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(CannedResponse {
                    id: r.try_get("id")?,
                    queue: r.try_get("queue")?,
                    title: r.try_get("title")?,
                    body: r.try_get("body")?,
                })
            })
            .collect()
    }

    pub async fn add_canned_response(
        &self,
        admin: &AdminScope,
        queue: &Name,
        title: &Redacted<String>,
        body: &Redacted<String>,
    ) -> Result<(), StoreError> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        query(
            "insert into canned_responses (queue_id, title, body) \
             select id, $2, $3 from queues where name = $1 and archived_at is null",
        )
        .bind(queue.as_str())
        .bind(title.as_str())
        .bind(body.as_str())
        .execute(&mut *tx)
        .await
        .map_err(|e| StoreError::on_unique(e, Conflict::CannedResponseTitle))
        .and_then(|r| {
            if r.rows_affected() == 1 {
                Ok(r)
            } else {
                Err(StoreError::NotFound)
            }
        })?;
        config_audit(
            &mut tx,
            &self.audit_key,
            admin,
            "canned_added",
            format!("queue={queue}"),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn delete_canned_response(
        &self,
        admin: &AdminScope,
        id: i64,
    ) -> Result<(), StoreError> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        let done = query("delete from canned_responses where id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::NotFound);
        }
        config_audit(
            &mut tx,
            &self.audit_key,
            admin,
            "canned_deleted",
            format!("canned={id}"),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Removes a membership inside a transaction; leaving a restricted queue is remembered for
/// the two-person rule and told to the admins and the queue's owners.
pub(super) async fn remove_member_in(
    tx: &mut Tx<'_>,
    key: &AuditKey,
    admin: &AdminScope,
    queue: &Name,
    agent: &Name,
    now: i64,
) -> Result<(), StoreError> {
    let member = query(
        "select m.queue_id, m.agent_id, q.restricted from queue_members m \
         join queues q on q.id = m.queue_id join agents a on a.id = m.agent_id \
         where q.name = $1 and a.name = $2",
    )
    .bind(queue.as_str())
    .bind(agent.as_str())
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    let queue_id: i64 = member.try_get("queue_id")?;
    let agent_id: i64 = member.try_get("agent_id")?;
    query("delete from queue_members where queue_id = $1 and agent_id = $2")
        .bind(queue_id)
        .bind(agent_id)
        .execute(&mut **tx)
        .await?;
    if member.try_get::<i64, _>("restricted")? != 0 {
        remember_exposure(tx, agent_id, queue_id, now).await?;
        let detail = particulars(&[
            ("by", admin.agent().name().as_str()),
            ("agent", agent.as_str()),
            ("queue", queue.as_str()),
        ]);
        tell_admins_and_owners(tx, admin, "member_removed", queue_id, agent, detail, now).await?;
    }
    config_audit(
        tx,
        key,
        admin,
        "member_removed",
        format!("queue={queue} agent={agent}"),
        now,
    )
    .await
}

/// Adds a membership inside a transaction, with the restricted-queue notice.
#[allow(clippy::too_many_arguments)]
pub(super) async fn add_member_in(
    tx: &mut Tx<'_>,
    key: &AuditKey,
    actor: &Actor,
    queue: &Name,
    agent_id: i64,
    agent: &Name,
    owner: bool,
    now: i64,
) -> Result<(), StoreError> {
    let row = query("select id, restricted from queues where name = $1")
        .bind(queue.as_str())
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let queue_id: i64 = row.try_get("id")?;
    let restricted = row.try_get::<i64, _>("restricted")? != 0;
    let was_owner: Option<i64> =
        query_scalar("select is_owner from queue_members where queue_id = $1 and agent_id = $2")
            .bind(queue_id)
            .bind(agent_id)
            .fetch_optional(&mut **tx)
            .await?;
    // Adding a member again changes nothing, so it records and tells nothing: repeating
    // it must not flood the audit log or push real alerts out of the admins' sight.
    if was_owner == Some(i64::from(owner)) {
        return Ok(());
    }
    query(
        "insert into queue_members (queue_id, agent_id, is_owner) values ($1, $2, $3) \
         on conflict (queue_id, agent_id) do update set is_owner = excluded.is_owner",
    )
    .bind(queue_id)
    .bind(agent_id)
    .bind(i64::from(owner))
    .execute(&mut **tx)
    .await?;
    log_event(
        tx,
        key,
        actor,
        "member_added",
        None,
        format!("queue={queue} agent={agent} owner={owner}"),
        now,
    )
    .await?;
    if restricted {
        super::enrolment::void_open_links(
            tx,
            key,
            actor,
            agent_id,
            agent.as_str(),
            queue.as_str(),
            now,
        )
        .await?;
        let actor_agent_id = match actor {
            Actor::Agent { id, .. } => Some(*id),
            _ => None,
        };
        let detail = super::enrolment::by_and(
            actor,
            &[
                ("agent", agent.as_str()),
                ("queue", queue.as_str()),
                // A new member, or a member made (or no longer) an owner.
                (
                    "change",
                    if was_owner.is_none() {
                        "added"
                    } else {
                        "owner"
                    },
                ),
                ("owner", if owner { "yes" } else { "no" }),
            ],
        );
        // Hidden from the new member and from whoever added them: neither may wave it off.
        raise_queue_copy(
            tx,
            now,
            "member_added",
            Audience::QueueMembers,
            queue_id,
            Some(agent.as_str()),
            None,
            detail.clone(),
            actor_agent_id,
        )
        .await?;
        raise_caused_by(
            tx,
            now,
            "member_added",
            Audience::Admins,
            Some(queue_id),
            Some(agent.as_str()),
            None,
            detail,
            actor_agent_id,
        )
        .await?;
    }
    Ok(())
}

/// A queue just became restricted: every member's open enrolment link is voided, as if
/// each had just been added to it.
async fn void_members_links(
    tx: &mut Tx<'_>,
    key: &AuditKey,
    actor: &Actor,
    queue_id: i64,
    queue: &Name,
    now: i64,
) -> Result<(), StoreError> {
    let members = query(
        "select a.id, a.name from queue_members m join agents a on a.id = m.agent_id \
         where m.queue_id = $1",
    )
    .bind(queue_id)
    .fetch_all(&mut **tx)
    .await?;
    for member in members {
        let agent_id: i64 = member.try_get("id")?;
        let agent_name: String = member.try_get("name")?;
        super::enrolment::void_open_links(
            tx,
            key,
            actor,
            agent_id,
            &agent_name,
            queue.as_str(),
            now,
        )
        .await?;
    }
    Ok(())
}

/// Remembers that an agent stopped being a member of a restricted queue now, so the
/// two-person rule for resets still covers them for a while (see `store::enrolment`).
async fn remember_exposure(
    tx: &mut Tx<'_>,
    agent_id: i64,
    queue_id: i64,
    now: i64,
) -> Result<(), StoreError> {
    query("insert into restricted_exposures (agent_id, queue_id, ended_at) values ($1, $2, $3)")
        .bind(agent_id)
        .bind(queue_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A restricted queue becomes ordinary: each member's exposure is remembered and the other
/// admins and the queue's owners are told, since this weakens the two-person rule.
async fn unrestrict_in(
    tx: &mut Tx<'_>,
    admin: &AdminScope,
    queue_id: i64,
    queue: &Name,
    now: i64,
) -> Result<(), StoreError> {
    query(
        "insert into restricted_exposures (agent_id, queue_id, ended_at) \
         select agent_id, queue_id, $2 from queue_members where queue_id = $1",
    )
    .bind(queue_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    let detail = particulars(&[
        ("by", admin.agent().name().as_str()),
        ("queue", queue.as_str()),
    ]);
    tell_admins_and_owners(
        tx,
        admin,
        "queue_unrestricted",
        queue_id,
        // The alert is about no member in particular: the admin who did it is named, as
        // for `queue_changed`, and never a queue name that an agent might share.
        admin.agent().name(),
        detail,
        now,
    )
    .await
}

/// Alerts the admins and the queue's owners about something `admin` did to `agent`; neither
/// of those two sees it.
async fn tell_admins_and_owners(
    tx: &mut Tx<'_>,
    admin: &AdminScope,
    kind: &'static str,
    queue_id: i64,
    agent: &Name,
    detail: String,
    now: i64,
) -> Result<(), StoreError> {
    let caused_by = Some(admin.agent().agent_id);
    raise_for_others(
        tx,
        now,
        kind,
        Audience::Admins,
        Some(queue_id),
        agent.as_str(),
        detail.clone(),
        caused_by,
    )
    .await?;
    raise_queue_copy(
        tx,
        now,
        kind,
        Audience::QueueOwners,
        queue_id,
        Some(agent.as_str()),
        None,
        detail,
        caused_by,
    )
    .await
}

async fn config_audit(
    tx: &mut Tx<'_>,
    key: &AuditKey,
    admin: &AdminScope,
    action: &'static str,
    detail: String,
    now: i64,
) -> Result<(), StoreError> {
    log_event(tx, key, &admin.actor(), action, None, detail, now).await
}
