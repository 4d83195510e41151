//! The admin's door: configuration (agents, queues, routing, canned responses, retention,
//! allowlist) and the audit log. Made only from an admin's `AgentDesk`; it grants no ticket
//! content by itself.

use crate::domain::{BusinessHours, Category, Name, Priority, Reference, Role};
use crate::store::{
    AdminAlerts, AdminScope, AdminView, AgentRow, AllowRow, AuditEntry, AuditFilter,
    CannedResponse, Hold, MetricsReader, PrivacyMetrics, QueueRow, ResetRequest, RetentionPolicy,
    RetentionScope, RouteRow, SlaOverride, StoredBusinessHours,
};

use super::access::{
    DecisionResult, EnrolmentLink, ResetResult, create_agent_with_link, decide_reset, reset_agent,
};
use super::{Desk, DeskError};

/// A signed-in admin.
#[derive(Clone)]
pub struct AdminDesk {
    pub(super) desk: Desk,
    pub(super) admin: AdminScope,
}

/// The allowlist as the admin page shows it: the admins' entries and the configuration
/// file's.
/// The SLA targets of one priority as they stand: the configuration file's, and the
/// admins' override if one is set (which is then the one in force).
pub struct SlaInForce {
    pub priority: Priority,
    pub configured_first_response_hours: i64,
    pub configured_resolution_hours: i64,
    pub set_here: Option<SlaOverride>,
}

impl SlaInForce {
    pub fn first_response_hours(&self) -> i64 {
        self.set_here
            .as_ref()
            .map_or(self.configured_first_response_hours, |o| {
                o.first_response_hours
            })
    }

    pub fn resolution_hours(&self) -> i64 {
        self.set_here
            .as_ref()
            .map_or(self.configured_resolution_hours, |o| o.resolution_hours)
    }
}

pub struct AllowlistView {
    pub stored: Vec<AllowRow>,
    /// `(value, kind)` of each entry from the configuration file.
    pub configured: Vec<(String, String)>,
}

impl AdminDesk {
    pub(super) fn new(desk: Desk, admin: AdminScope) -> Self {
        AdminDesk { desk, admin }
    }

    /// Records that the admin looked at a configuration page showing `rows` rows.
    pub async fn record_view(&self, view: AdminView, rows: usize) -> Result<(), DeskError> {
        Ok(self
            .desk
            .store
            .audit_admin_view(&self.admin, view, rows)
            .await?)
    }

    pub async fn agents(&self) -> Result<Vec<AgentRow>, DeskError> {
        Ok(self.desk.store.list_agents(&self.admin).await?)
    }

    pub async fn pending_resets(&self) -> Result<Vec<ResetRequest>, DeskError> {
        Ok(self.desk.store.pending_resets(&self.admin).await?)
    }

    /// Changes an agent's role. Refused (`Conflict`) for making an admin (the operator's
    /// power), for a senior role without a second factor, and for the last active admin.
    pub async fn set_agent_role(&self, name: &Name, role: Role) -> Result<(), DeskError> {
        Ok(self
            .desk
            .store
            .set_agent_role(&self.admin, name, role)
            .await?)
    }

    /// Makes the agent a member of exactly these queues among those in use.
    pub async fn set_agent_queues(&self, name: &Name, queues: &[Name]) -> Result<(), DeskError> {
        Ok(self
            .desk
            .store
            .set_agent_queues(&self.admin, name, queues)
            .await?)
    }

    /// Disables or enables an agent; the last active admin cannot be disabled.
    pub async fn set_agent_disabled(&self, name: &Name, disabled: bool) -> Result<(), DeskError> {
        Ok(self
            .desk
            .store
            .set_agent_disabled(&self.admin, name, disabled)
            .await?)
    }

    /// Creates an agent who gets in through a single-use enrolment link.
    pub async fn create_agent_with_link(
        &self,
        name: &str,
        role: Role,
        with_second_factor: bool,
        queues: &[String],
    ) -> Result<EnrolmentLink, DeskError> {
        create_agent_with_link(
            &self.desk,
            &self.admin,
            name,
            role,
            with_second_factor,
            queues,
        )
        .await
    }

    /// Resets an agent: an enrolment link, or a request for a second admin.
    pub async fn reset_agent(&self, name: &Name) -> Result<ResetResult, DeskError> {
        reset_agent(&self.desk, &self.admin, name).await
    }

    /// A second admin's decision on a pending reset.
    pub async fn decide_reset(
        &self,
        request_id: i64,
        approve: bool,
    ) -> Result<DecisionResult, DeskError> {
        decide_reset(&self.desk, &self.admin, request_id, approve).await
    }

    pub async fn queues(&self) -> Result<Vec<QueueRow>, DeskError> {
        Ok(self.desk.store.list_queues(&self.admin).await?)
    }

    pub async fn create_queue(&self, name: &Name, restricted: bool) -> Result<(), DeskError> {
        Ok(self
            .desk
            .store
            .create_queue(&self.admin, name, restricted)
            .await?)
    }

    pub async fn set_queue_flags(
        &self,
        name: &Name,
        restricted: bool,
        require_encryption: bool,
    ) -> Result<(), DeskError> {
        Ok(self
            .desk
            .store
            .set_queue_flags(&self.admin, name, restricted, require_encryption)
            .await?)
    }

    pub async fn rename_queue(&self, from: &Name, to: &Name) -> Result<(), DeskError> {
        Ok(self.desk.store.rename_queue(&self.admin, from, to).await?)
    }

    /// Archives a queue or puts it back in use; `general` stays.
    pub async fn set_queue_archived(&self, name: &Name, archived: bool) -> Result<(), DeskError> {
        Ok(self
            .desk
            .store
            .set_queue_archived(&self.admin, name, archived)
            .await?)
    }

    pub async fn add_member(
        &self,
        queue: &Name,
        agent: &Name,
        owner: bool,
    ) -> Result<(), DeskError> {
        Ok(self
            .desk
            .store
            .add_member(&self.admin, queue, agent, owner)
            .await?)
    }

    pub async fn remove_member(&self, queue: &Name, agent: &Name) -> Result<(), DeskError> {
        Ok(self
            .desk
            .store
            .remove_member(&self.admin, queue, agent)
            .await?)
    }

    pub async fn routes(&self) -> Result<Vec<RouteRow>, DeskError> {
        Ok(self.desk.store.routes(&self.admin).await?)
    }

    pub async fn set_route(&self, category: Category, queue: &Name) -> Result<(), DeskError> {
        Ok(self
            .desk
            .store
            .set_route(&self.admin, category, queue)
            .await?)
    }

    pub async fn canned_responses(&self) -> Result<Vec<CannedResponse>, DeskError> {
        Ok(self.desk.store.canned_responses(&self.admin).await?)
    }

    /// Stores a canned response; refused if it holds anything the redactor would mask.
    pub async fn add_canned_response(
        &self,
        queue: &Name,
        title: &str,
        body: &str,
    ) -> Result<(), DeskError> {
        self.desk
            .add_canned_response(&self.admin, queue, title, body)
            .await
    }

    /// Replaces a canned response's title and text, checked like a new one.
    pub async fn edit_canned_response(
        &self,
        id: i64,
        title: &str,
        body: &str,
    ) -> Result<(), DeskError> {
        let queue = self
            .desk
            .store
            .canned_response_queue(&self.admin, id)
            .await?;
        let (title, body) = self.desk.canned_texts(&queue, title, body).await?;
        Ok(self
            .desk
            .store
            .update_canned_response(&self.admin, id, &title, &body)
            .await?)
    }

    pub async fn delete_canned_response(&self, id: i64) -> Result<(), DeskError> {
        Ok(self
            .desk
            .store
            .delete_canned_response(&self.admin, id)
            .await?)
    }

    /// A page of the audit log matching `filter`, newest first, below entry `before`.
    /// The actions the audit log holds, for the filter's picker.
    pub async fn audit_actions(&self) -> Result<Vec<String>, DeskError> {
        Ok(self.desk.store.audit_actions(&self.admin).await?)
    }

    pub async fn audit_search(
        &self,
        filter: &AuditFilter,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, DeskError> {
        Ok(self
            .desk
            .store
            .audit_search(&self.admin, filter, before, limit)
            .await?)
    }

    /// Every entry matching `filter`, for a download; the export is audited.
    pub async fn audit_export(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>, DeskError> {
        Ok(self.desk.store.audit_export(&self.admin, filter).await?)
    }

    /// The SLA targets per priority, with where each comes from.
    pub async fn sla_in_force(&self) -> Result<Vec<SlaInForce>, DeskError> {
        let overrides = self.desk.store.sla_overrides(&self.admin).await?;
        let hours = |seconds: i64| seconds / 3600;
        Ok(Priority::ALL
            .iter()
            .map(|p| SlaInForce {
                priority: *p,
                configured_first_response_hours: hours(self.desk.sla.first_response[p.index()]),
                configured_resolution_hours: hours(self.desk.sla.resolution[p.index()]),
                set_here: overrides.iter().find(|o| o.priority == *p).cloned(),
            })
            .collect())
    }

    /// The business hours an admin set; `None` while the SLA clock runs around the clock.
    pub async fn business_hours(&self) -> Result<Option<StoredBusinessHours>, DeskError> {
        Ok(self.desk.store.business_hours(&self.admin).await?)
    }

    /// Sets business hours, or (`None`) lets the SLA clock run around the clock.
    pub async fn set_business_hours(&self, hours: Option<&BusinessHours>) -> Result<(), DeskError> {
        Ok(self
            .desk
            .store
            .set_business_hours(&self.admin, hours)
            .await?)
    }

    /// Sets the targets of `priority` in hours, or (`None`) returns it to the file's.
    pub async fn set_sla(
        &self,
        priority: Priority,
        hours: Option<(i64, i64)>,
    ) -> Result<(), DeskError> {
        Ok(self
            .desk
            .store
            .set_sla_override(&self.admin, priority, hours)
            .await?)
    }

    pub async fn alerts(&self, acknowledged_limit: i64) -> Result<AdminAlerts, DeskError> {
        Ok(self
            .desk
            .store
            .admin_alerts(&self.admin, acknowledged_limit)
            .await?)
    }

    pub async fn acknowledge_alert(&self, id: i64) -> Result<(), DeskError> {
        Ok(self.desk.store.acknowledge_alert(&self.admin, id).await?)
    }

    pub async fn holds(&self) -> Result<Vec<Hold>, DeskError> {
        Ok(self.desk.store.holds(&self.admin).await?)
    }

    pub async fn retention_policy(&self) -> Result<RetentionPolicy, DeskError> {
        Ok(self.desk.store.retention_policy(&self.admin).await?)
    }

    /// Sets (`Some`) or resets to the default (`None`) the retention of `scope`.
    pub async fn set_retention(
        &self,
        scope: RetentionScope,
        days: Option<i64>,
    ) -> Result<(), DeskError> {
        Ok(self
            .desk
            .store
            .set_retention(&self.admin, scope, days)
            .await?)
    }

    /// Places a legal hold; the reason is redacted before it is kept.
    pub async fn place_hold(&self, reference: &Reference, reason: &str) -> Result<(), DeskError> {
        let reason = self.desk.redact_standalone_input("hold", reason).await?;
        Ok(self
            .desk
            .store
            .place_hold(&self.admin, reference.as_str(), &reason)
            .await?)
    }

    pub async fn release_hold(&self, reference: &str) -> Result<(), DeskError> {
        Ok(self.desk.store.release_hold(&self.admin, reference).await?)
    }

    /// The allowlist; the look is audited.
    pub async fn allowlist(&self) -> Result<AllowlistView, DeskError> {
        let stored = self.desk.store.allowlist().await?;
        let current = self.desk.redactor.allowlist().current();
        let configured: Vec<(String, String)> = current
            .configured()
            .iter()
            .map(|e| (e.value().to_owned(), e.kind().to_owned()))
            .collect();
        self.record_view(AdminView::Allowlist, stored.len() + configured.len())
            .await?;
        Ok(AllowlistView { stored, configured })
    }

    pub async fn allow_value(&self, value: &str) -> Result<(), DeskError> {
        self.desk.allow_value(&self.admin, value).await
    }

    pub async fn remove_allowed(&self, id: i64) -> Result<(), DeskError> {
        self.desk.remove_allowed(&self.admin, id).await
    }

    /// Privacy metrics read by this admin; the read is audited.
    pub async fn privacy_metrics(&self) -> Result<PrivacyMetrics, DeskError> {
        self.desk
            .store
            .audit_metrics_read(MetricsReader::Admin(&self.admin))
            .await?;
        Ok(self.desk.store.privacy_metrics().await?)
    }
}
