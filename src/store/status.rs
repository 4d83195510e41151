//! The public status page: components, incidents and their signed updates, and the agents
//! who may post them besides admins. Reads are public (nothing here is about a requester);
//! every write takes an `IncidentScope` and repeats its check inside the transaction, so a
//! revoked grant takes effect on the next post. Every write is audited.

use super::audit::log_event;
use super::engine::{query, query_scalar};
use super::error::Conflict;
use super::outbox::RequesterMailbox;
use super::scope::{AdminScope, AgentScope};
use super::tickets::parse_reference;
use super::{Store, StoreError, now_unix};
use crate::domain::{Category, ComponentState, IncidentState, Name};
use crate::redact::Redacted;

/// An agent who may post on the status page: an admin, or an agent holding the incident
/// grant. Only `Store::incident_scope` makes one.
#[derive(Debug, Clone)]
pub struct IncidentScope {
    agent: AgentScope,
}

#[derive(Debug, Clone)]
pub struct ComponentRow {
    pub id: i64,
    pub name: String,
    pub state: ComponentState,
    pub updated_at: i64,
}

#[derive(Debug, Clone)]
pub struct UpdateRow {
    pub number: i64,
    pub state: IncidentState,
    pub body: String,
    pub posted_at: i64,
    /// How many notices were queued by mail for it; `None` when none was asked.
    pub notices: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct IncidentRow {
    pub id: i64,
    pub title: String,
    pub opened_at: i64,
    pub resolved_at: Option<i64>,
    pub postmortem: Option<String>,
    pub components: Vec<String>,
    pub categories: Vec<Category>,
    /// Newest first.
    pub updates: Vec<UpdateRow>,
}

/// An agent holding the incident grant, as the admin page lists them.
#[derive(Debug, Clone)]
pub struct PosterRow {
    pub name: String,
    pub granted_by: String,
    pub granted_at: i64,
}

/// Where a new update goes: the incident as it stands and the number the update would get.
#[derive(Debug, Clone)]
pub struct UpdateSlot {
    pub incident_id: i64,
    pub title: String,
    pub number: i64,
    pub resolved: bool,
}

/// An update as posted, before any notice was mailed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PostedUpdate {
    pub id: i64,
    pub incident_id: i64,
    pub number: i64,
}

/// The SQL condition "agent `$1` may post incidents", repeated in each write.
const MAY_POST: &str = "select count(*) from agents a where a.id = $1 and a.disabled = 0 \
     and (a.role = 'admin' or exists (select 1 from incident_posters p where p.agent_id = a.id))";

impl Store {
    /// The agent's right to post on the status page, if they have it.
    pub async fn incident_scope(
        &self,
        agent: &AgentScope,
    ) -> Result<Option<IncidentScope>, StoreError> {
        let allowed: i64 = query_scalar(MAY_POST)
            .bind(agent.agent_id)
            .fetch_one(&self.pool)
            .await?;
        Ok((allowed > 0).then(|| IncidentScope {
            agent: agent.clone(),
        }))
    }

    async fn check_poster(tx: &mut super::Tx<'_>, scope: &IncidentScope) -> Result<(), StoreError> {
        let allowed: i64 = query_scalar(MAY_POST)
            .bind(scope.agent.agent_id)
            .fetch_one(&mut **tx)
            .await?;
        if allowed == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    pub async fn status_components(&self) -> Result<Vec<ComponentRow>, StoreError> {
        let rows = query("select id, name, state, updated_at from status_components order by id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let state: String = r.try_get("state")?;
                Ok(ComponentRow {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    state: ComponentState::parse(&state)
                        .ok_or(StoreError::Corrupt("component state"))?,
                    updated_at: r.try_get("updated_at")?,
                })
            })
            .collect()
    }

    /// Incidents still open, newest first, then the `resolved` most recently resolved.
    pub async fn status_incidents(&self, resolved: i64) -> Result<Vec<IncidentRow>, StoreError> {
        let ids: Vec<i64> = query_scalar(
            "select id from (select id, 0 as part, opened_at as at from incidents where resolved_at is null \
             union all select id, 1 as part, resolved_at as at from \
             (select id, resolved_at from incidents where resolved_at is not null order by resolved_at desc, id desc limit $1) r) s \
             order by part, at desc, id desc",
        )
        .bind(resolved)
        .fetch_all(&self.pool)
        .await?;
        let mut incidents = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(incident) = self.status_incident(id).await? {
                incidents.push(incident);
            }
        }
        Ok(incidents)
    }

    /// One incident with its components, categories and updates (newest first).
    pub async fn status_incident(&self, id: i64) -> Result<Option<IncidentRow>, StoreError> {
        let Some(row) = query(
            "select id, title, opened_at, resolved_at, postmortem from incidents where id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let components: Vec<String> = query_scalar(
            "select c.name from incident_components ic join status_components c on c.id = ic.component_id \
             where ic.incident_id = $1 order by c.id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        let categories: Vec<String> = query_scalar(
            "select category from incident_categories where incident_id = $1 order by category",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        let updates = query(
            "select number, state, body, posted_at, notices from incident_updates \
             where incident_id = $1 order by number desc",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            let state: String = r.try_get("state")?;
            Ok(UpdateRow {
                number: r.try_get("number")?,
                state: IncidentState::parse(&state).ok_or(StoreError::Corrupt("incident state"))?,
                body: r.try_get("body")?,
                posted_at: r.try_get("posted_at")?,
                notices: r.try_get("notices")?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(Some(IncidentRow {
            id: row.try_get("id")?,
            title: row.try_get("title")?,
            opened_at: row.try_get("opened_at")?,
            resolved_at: row.try_get("resolved_at")?,
            postmortem: row.try_get("postmortem")?,
            components,
            categories: categories
                .iter()
                .filter_map(|c| Category::from_stored(c))
                .collect(),
            updates,
        }))
    }

    /// The clear-signed text of one update, exactly as it was signed.
    pub async fn signed_update(
        &self,
        incident_id: i64,
        number: i64,
    ) -> Result<Option<String>, StoreError> {
        Ok(query_scalar(
            "select signed from incident_updates where incident_id = $1 and number = $2",
        )
        .bind(incident_id)
        .bind(number)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn add_component(
        &self,
        scope: &IncidentScope,
        name: &Redacted<String>,
    ) -> Result<i64, StoreError> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        Self::check_poster(&mut tx, scope).await?;
        let id: i64 = query_scalar(
            "insert into status_components (name, state, updated_at) values ($1, 'operational', $2) returning id",
        )
        .bind(name.as_str())
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| StoreError::on_unique(e, Conflict::ComponentName))?;
        log_event(
            &mut tx,
            &self.audit_key,
            &scope.agent.actor(),
            "component_added",
            None,
            format!("component={id}"),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn set_component_state(
        &self,
        scope: &IncidentScope,
        id: i64,
        state: ComponentState,
    ) -> Result<(), StoreError> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        Self::check_poster(&mut tx, scope).await?;
        let changed =
            query("update status_components set state = $2, updated_at = $3 where id = $1")
                .bind(id)
                .bind(state.id())
                .bind(now)
                .execute(&mut *tx)
                .await?;
        if changed.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        log_event(
            &mut tx,
            &self.audit_key,
            &scope.agent.actor(),
            "component_state_set",
            None,
            format!("component={id} state={}", state.id()),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Opens an incident touching these components and ticket categories; its first update
    /// is posted separately (it is signed with the incident's number in it).
    pub async fn open_incident(
        &self,
        scope: &IncidentScope,
        title: &Redacted<String>,
        components: &[i64],
        categories: &[Category],
    ) -> Result<i64, StoreError> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        Self::check_poster(&mut tx, scope).await?;
        let id: i64 = query_scalar(
            "insert into incidents (title, opened_at, opened_by) values ($1, $2, $3) returning id",
        )
        .bind(title.as_str())
        .bind(now)
        .bind(scope.agent.name().as_str())
        .fetch_one(&mut *tx)
        .await?;
        for component in components {
            let added = query(
                "insert into incident_components (incident_id, component_id) \
                 select $1, id from status_components where id = $2 on conflict do nothing",
            )
            .bind(id)
            .bind(*component)
            .execute(&mut *tx)
            .await?;
            if added.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
        }
        for category in categories {
            query(
                "insert into incident_categories (incident_id, category) values ($1, $2) on conflict do nothing",
            )
            .bind(id)
            .bind(category.id())
            .execute(&mut *tx)
            .await?;
        }
        let categories: Vec<&str> = categories.iter().map(|c| c.id()).collect();
        log_event(
            &mut tx,
            &self.audit_key,
            &scope.agent.actor(),
            "incident_opened",
            None,
            format!(
                "incident={id} components={} categories={}",
                components.len(),
                categories.join(",")
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The incident a new update would go to, with the number it would get.
    pub async fn update_slot(&self, incident_id: i64) -> Result<UpdateSlot, StoreError> {
        let row = query(
            "select i.id, i.title, i.resolved_at, \
             (select coalesce(max(u.number), 0) + 1 from incident_updates u where u.incident_id = i.id) as next \
             from incidents i where i.id = $1",
        )
        .bind(incident_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        let resolved: Option<i64> = row.try_get("resolved_at")?;
        Ok(UpdateSlot {
            incident_id: row.try_get("id")?,
            title: row.try_get("title")?,
            number: row.try_get("next")?,
            resolved: resolved.is_some(),
        })
    }

    /// The update a posting form made already, if it was sent before.
    pub async fn update_by_form_key(
        &self,
        form_key: &str,
    ) -> Result<Option<PostedUpdate>, StoreError> {
        let Some(row) =
            query("select id, incident_id, number from incident_updates where form_key = $1")
                .bind(form_key)
                .fetch_optional(&self.pool)
                .await?
        else {
            return Ok(None);
        };
        Ok(Some(PostedUpdate {
            id: row.try_get("id")?,
            incident_id: row.try_get("incident_id")?,
            number: row.try_get("number")?,
        }))
    }

    /// Posts an update signed for `slot`. `Conflict(UpdateNumber)` when another update took
    /// the number meanwhile (sign again for the next one); `Conflict(IncidentResolved)` when
    /// the incident was resolved meanwhile. A `resolved` update resolves the incident, with
    /// the post-mortem if one is given.
    #[allow(clippy::too_many_arguments)]
    pub async fn post_update(
        &self,
        scope: &IncidentScope,
        slot: &UpdateSlot,
        state: IncidentState,
        body: &Redacted<String>,
        signed: &str,
        form_key: &str,
        postmortem: Option<&Redacted<String>>,
        posted_at: i64,
    ) -> Result<PostedUpdate, StoreError> {
        let mut tx = self.begin_write().await?;
        Self::check_poster(&mut tx, scope).await?;
        let open: i64 =
            query_scalar("select count(*) from incidents where id = $1 and resolved_at is null")
                .bind(slot.incident_id)
                .fetch_one(&mut *tx)
                .await?;
        if open == 0 {
            return Err(StoreError::Conflict(Conflict::IncidentResolved));
        }
        let id: i64 = query_scalar(
            "insert into incident_updates (incident_id, number, state, body, signed, posted_at, posted_by, form_key) \
             values ($1, $2, $3, $4, $5, $6, $7, $8) returning id",
        )
        .bind(slot.incident_id)
        .bind(slot.number)
        .bind(state.id())
        .bind(body.as_str())
        .bind(signed)
        .bind(posted_at)
        .bind(scope.agent.name().as_str())
        .bind(form_key)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| StoreError::on_unique(e, Conflict::UpdateNumber))?;
        let action = if state == IncidentState::Resolved {
            query("update incidents set resolved_at = $2, postmortem = $3 where id = $1")
                .bind(slot.incident_id)
                .bind(posted_at)
                .bind(postmortem.map(|p| p.as_str()))
                .execute(&mut *tx)
                .await?;
            "incident_resolved"
        } else {
            "incident_updated"
        };
        log_event(
            &mut tx,
            &self.audit_key,
            &scope.agent.actor(),
            action,
            None,
            format!(
                "incident={} update={} state={} postmortem={}",
                slot.incident_id,
                slot.number,
                state.id(),
                postmortem.is_some()
            ),
            posted_at,
        )
        .await?;
        tx.commit().await?;
        Ok(PostedUpdate {
            id,
            incident_id: slot.incident_id,
            number: slot.number,
        })
    }

    /// The mailboxes of requesters of open tickets in the incident's categories who gave a
    /// contact and were not mailed this update yet. Each one is claimed here (a row in
    /// `incident_notices`) before it is handed out, so the same update never mails a
    /// requester twice, however often the form is sent.
    pub async fn claim_notice_mailboxes(
        &self,
        scope: &IncidentScope,
        update: &PostedUpdate,
    ) -> Result<Vec<RequesterMailbox>, StoreError> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        Self::check_poster(&mut tx, scope).await?;
        let rows = query(
            "select t.id, t.reference from tickets t \
             join incident_categories c on c.category = t.category and c.incident_id = $1 \
             where t.status not in ('resolved', 'closed') \
             and exists (select 1 from vault_entries v where v.ticket_id = t.id and v.kind = 'contact') \
             and not exists (select 1 from incident_notices n where n.update_id = $2 and n.ticket_id = t.id) \
             order by t.id",
        )
        .bind(update.incident_id)
        .bind(update.id)
        .fetch_all(&mut *tx)
        .await?;
        let mut mailboxes = Vec::with_capacity(rows.len());
        for row in rows {
            let ticket_id: i64 = row.try_get("id")?;
            query("insert into incident_notices (update_id, ticket_id) values ($1, $2)")
                .bind(update.id)
                .bind(ticket_id)
                .execute(&mut *tx)
                .await?;
            mailboxes.push(RequesterMailbox::for_ticket(
                ticket_id,
                parse_reference(row.try_get("reference")?)?,
            ));
        }
        log_event(
            &mut tx,
            &self.audit_key,
            &scope.agent.actor(),
            "incident_notices_claimed",
            None,
            format!(
                "incident={} update={} recipients={}",
                update.incident_id,
                update.number,
                mailboxes.len()
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(mailboxes)
    }

    /// Adds `queued` to the notices counted for the update.
    pub async fn count_notices(
        &self,
        update: &PostedUpdate,
        queued: i64,
    ) -> Result<i64, StoreError> {
        Ok(query_scalar(
            "update incident_updates set notices = coalesce(notices, 0) + $2 where id = $1 returning notices",
        )
        .bind(update.id)
        .bind(queued)
        .fetch_one(&self.pool)
        .await?)
    }

    pub async fn incident_posters(
        &self,
        _admin: &AdminScope,
    ) -> Result<Vec<PosterRow>, StoreError> {
        let rows = query(
            "select a.name, p.granted_by, p.granted_at from incident_posters p \
             join agents a on a.id = p.agent_id order by a.name",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PosterRow {
                    name: r.try_get("name")?,
                    granted_by: r.try_get("granted_by")?,
                    granted_at: r.try_get("granted_at")?,
                })
            })
            .collect()
    }

    /// Gives or takes back the incident grant.
    pub async fn set_incident_poster(
        &self,
        admin: &AdminScope,
        agent: &Name,
        granted: bool,
    ) -> Result<(), StoreError> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        let agent_id: i64 = query_scalar("select id from agents where name = $1")
            .bind(agent.as_str())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let changed = if granted {
            query(
                "insert into incident_posters (agent_id, granted_by, granted_at) values ($1, $2, $3) \
                 on conflict do nothing",
            )
            .bind(agent_id)
            .bind(admin.agent().name().as_str())
            .bind(now)
            .execute(&mut *tx)
            .await?
        } else {
            query("delete from incident_posters where agent_id = $1")
                .bind(agent_id)
                .execute(&mut *tx)
                .await?
        };
        if changed.rows_affected() > 0 {
            log_event(
                &mut tx,
                &self.audit_key,
                &admin.actor(),
                if granted {
                    "incident_grant_added"
                } else {
                    "incident_grant_removed"
                },
                None,
                format!("agent={}", agent.as_str()),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
