//! The admin's door: configuration (agents, queues, routing, canned responses, retention,
//! allowlist) and the audit log. Made only from an admin's `AgentDesk`; it grants no ticket
//! content by itself.

use crate::domain::{Category, Name, Reference, Role};
use crate::store::{
    AdminAlerts, AdminScope, AdminView, AgentRow, AllowRow, AuditEntry, CannedResponse, Hold,
    MetricsReader, PrivacyMetrics, QueueRow, ResetRequest, RetentionPolicy, RetentionScope,
    RouteRow,
};

use super::access::{
    DecisionResult, EnrolmentLink, ResetResult, create_agent_with_link, decide_reset, reset_agent,
};
use super::{Desk, DeskError};

/// A signed-in admin.
#[derive(Clone)]
pub struct AdminDesk {
    desk: Desk,
    admin: AdminScope,
}

/// The allowlist as the admin page shows it: the admins' entries and the configuration
/// file's.
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

    pub async fn delete_canned_response(&self, id: i64) -> Result<(), DeskError> {
        Ok(self
            .desk
            .store
            .delete_canned_response(&self.admin, id)
            .await?)
    }

    /// A page of the audit log, newest first, before entry `before`.
    pub async fn audit_page(
        &self,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, DeskError> {
        Ok(self
            .desk
            .store
            .audit_page(&self.admin, before, limit)
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

    /// Privacy metrics for the dashboard, whose view is audited as a whole.
    pub async fn dashboard_metrics(&self) -> Result<PrivacyMetrics, DeskError> {
        Ok(self.desk.store.privacy_metrics().await?)
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
