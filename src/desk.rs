//! The desk: the only holder of the store, the redactor and the keyring. It hands each actor
//! a door with only that actor's powers (the lldap pattern): `Desk` itself is the public
//! front (file a ticket, open a requester's link, sign an agent in), `RequesterDesk` comes
//! from a grant, `AgentDesk` from a scope the desk mints after password and second factor,
//! `AdminDesk` from an admin's `AgentDesk`, `SystemDesk` drives the scheduled jobs and
//! `OperatorDesk` is the command line's, named so that every use of its power greps.
//!
//! Web, mail, jobs and cli import only this module and `domain` (see `lib.rs`); the fields
//! below are private, so nothing outside `desk` reaches the store but through a door.

mod access;
mod admin;
mod agent;
mod clamd;
mod codes;
mod copy;
mod download;
mod error;
mod hook;
mod intake;
mod kb;
mod lead_metrics;
mod mail_intake;
mod notice;
mod open;
mod operator;
mod picture;
mod proof;
mod rate;
mod requester;
mod satisfaction;
mod screen;
mod status;
mod system;
mod work;

use std::sync::Arc;

use crate::config::AgentPolicy;
use crate::crypto::Keyring;
use crate::redact::Redactor;
use crate::store::{SlaTargets, Store};

pub use access::{
    DecisionResult, ENROLMENT_PATH, EnrolRefusal, EnrolmentAnswer, EnrolmentForm, EnrolmentLink,
    PasswordRefusal, PrepareError, ResetResult, SignedIn,
};
pub use admin::{AdminDesk, AllowlistView, SlaInForce};
pub use agent::AgentDesk;
pub use codes::{CODE_FAILURES_PER_HOUR, CodeOutcome, CodeSource, HookStatus};
pub use download::{Download, DownloadLink};
pub use error::{CannedRefusal, Conflict, DeskError};
pub use intake::{
    AgentMessageOutcome, Deletion, Filed, HeldBack, IncomingAttachment, MailIntake, Mailed,
    OpenThread, ReplyOutcome,
};
pub use kb::{
    KbCategory, KbEditorRow, KbFieldError, KbFigures, KbForm, KbLink, KbPage, KbRevision, KbSaved,
    KbWeek, SUGGESTIONS,
};
pub use lead_metrics::{LeadMetrics, MetricsRow, SelfService};
pub use notice::Notice;
pub use open::{data_dir_warning, load_redactor};
pub use operator::{NewAgentSecrets, OperatorDesk};
pub use proof::{IssuedChallenge, ProofAnswer, ProofRefusal};
pub use rate::{Admission, RateBudget, RateClient, RateQuota, now_millis};
pub use requester::RequesterDesk;
pub use screen::{AttachmentRefusal, Unscanned};
pub use status::{IncidentDesk, Posted, StatusBoard, UpdateForm};
pub use system::{DeliveryReport, MAIL_LEASE_SECONDS, SystemDesk, working_deadline};
pub use work::BulkChange;

/// Authentication rules the sign-in and account pages show or need.
pub use crate::auth::{LOGIN_FORM_SECONDS, MIN_PASSWORD_CHARS, PasswordError, login_nonce};

/// What redaction reports, as the doors hand it back.
pub use crate::redact::{PlannedMask, RedactionCounts};

/// Randomness for the adapters' own needs (request ids, per-process keys).
pub use crate::crypto::{RequesterKey, os_random};

/// What the doors hand out, re-exported so that the adapters need not import the store.
pub use crate::store::{
    AdminAlerts, AdminView, AgentMessage, AgentRow, AgentScope, AgentTicketView, Alert, AllowRow,
    AssigneeFilter, AttachmentInfo, AuditEntry, AutoCloseReport, COLLISION_WINDOW_SECONDS,
    CannedResponse, ChainReport, EscalationOutcome, Expired, Hold, ListCursor, ListFilter,
    ListOrder, ListTotal, MessageRow, NewerMessages, Notification, NotificationKind,
    PrivacyMetrics, PurgeReport, QueueRow, RequesterFile, RequesterGrant, ResetRequest,
    RetentionPolicy, RetentionScope, RouteRow, Session, SignatureVerdict, SlaReport, SpamMark,
    StatusFilter, TicketChange, TicketEvent, TicketOp, TicketPage, TicketSummary, TicketView,
    Tombstone, now_unix,
};

/// Proofs of ownership as the doors hand them out.
pub use crate::domain::ProofKind;
pub use crate::store::{ProofChallenge, ProofRecord};

/// Satisfaction and the lead's figures as the doors hand them out.
pub use crate::domain::metrics::{
    BACKLOG_BUCKETS, Figures, MAX_PERIOD_DAYS, Period, Quantiles, Rate, Satisfaction,
};
pub use crate::store::{RatingAnswer, RatingState, SecurityCounts};

/// The admin pages' filters and settings.
pub use crate::store::{AuditFilter, SlaOverride, StoredBusinessHours};

/// The proofs page's token lists and what an import stored.
pub use crate::store::{TokenImport, TokenListRow};

/// The status page as the doors hand it out.
pub use crate::store::{ComponentRow, IncidentRow, PosterRow, UpdateRow};

/// What the operator's copy of a desk to PostgreSQL reports.
pub use crate::store::{CopiedTable, DeskCopy};

/// Knowledge base articles as the editor pages show them.
pub use crate::store::{KbArticle, KbTranslation, week_of};

/// The desk: cheap to clone (every part is shared).
#[derive(Clone)]
pub struct Desk {
    store: Store,
    redactor: Arc<Redactor>,
    keyring: Arc<Keyring>,
    sla: SlaTargets,
    outgoing: Arc<Outgoing>,
    /// The authserv-id of the MTA in front, whose `Authentication-Results:` mail intake
    /// believes about the `From:` address; `None` when no MTA is trusted for that.
    trusted_authserv_id: Option<Arc<str>>,
    policy: Arc<AgentPolicy>,
    /// The bearer token a metrics scraper presents (`metrics_token`), if one is configured.
    metrics_token: Option<Arc<secrecy::SecretString>>,
    /// The product's verification hook for recovery codes, if one is configured.
    code_hook: Option<Arc<hook::CodeHook>>,
    /// The virus scanner and what to do without one (see `screen`).
    screening: Arc<screen::Screening>,
    /// The status page as last read (see `status`).
    status_cache: Arc<status::BoardCache>,
    /// This instance's search index of the published articles.
    kb: Arc<kb::KbSearch>,
}

/// Who outgoing mail is from and where replies go.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub sender: crate::outbound::Sender,
    pub support: crate::domain::SupportAddress,
    pub public_url: Option<String>,
}

impl Desk {
    /// The support address mail is accepted for (and its reply sub-addresses).
    pub fn support_address(&self) -> &crate::domain::SupportAddress {
        &self.outgoing.support
    }

    /// The address requesters use to reach the desk on the web, if configured.
    pub fn public_url(&self) -> Option<&str> {
        self.outgoing.public_url.as_deref()
    }

    /// The MTA whose `Authentication-Results:` mail intake believes.
    pub fn trusted_authserv_id(&self) -> Option<&str> {
        self.trusted_authserv_id.as_deref()
    }

    /// The mask label (`PHONE`) a rule writes, so a page can say what was masked without
    /// naming the rule.
    pub fn mask_label_of(&self, rule: &str) -> Option<&str> {
        self.redactor.rules().find(|r| r.id == rule).map(|r| r.mask)
    }

    /// The helpdesk's OpenPGP public key, armored.
    pub fn helpdesk_public_key(&self) -> anyhow::Result<String> {
        self.keyring.helpdesk_public_key()
    }

    /// The helpdesk's OpenPGP public key, binary (Web Key Directory).
    pub fn helpdesk_public_key_binary(&self) -> anyhow::Result<Vec<u8>> {
        self.keyring.helpdesk_public_key_binary()
    }

    pub fn helpdesk_fingerprint(&self) -> String {
        self.keyring.helpdesk_fingerprint()
    }

    /// The CSRF token of forms sent to the holder of `session`.
    pub fn csrf_token(&self, session: &str) -> String {
        crate::auth::csrf_token(&self.keyring, session)
    }

    pub fn csrf_matches(&self, session: &str, submitted: &str) -> bool {
        crate::auth::csrf_matches(&self.keyring, session, submitted)
    }

    /// The sign-in form's token, bound to the browser's nonce and the time.
    pub fn login_form_token(&self, nonce: &str, now: i64) -> String {
        crate::auth::login_form_token(&self.keyring, nonce, now)
    }

    pub fn login_form_token_valid(&self, nonce: &str, submitted: &str, now: i64) -> bool {
        crate::auth::login_form_token_valid(&self.keyring, nonce, submitted, now)
    }

    /// Answers when the database is reachable.
    pub async fn ping(&self) -> Result<(), DeskError> {
        Ok(self.store.ping().await?)
    }

    /// Privacy metrics for whoever presents the configured metrics token; `None` when none
    /// is configured or `presented` is not it. The reading is audited, the token being all
    /// that is known of the reader.
    pub async fn privacy_metrics_for_token(
        &self,
        presented: &str,
    ) -> Result<Option<PrivacyMetrics>, DeskError> {
        use secrecy::ExposeSecret;
        let Some(expected) = &self.metrics_token else {
            return Ok(None);
        };
        if !same_secret(presented, expected.expose_secret()) {
            return Ok(None);
        }
        self.store
            .audit_metrics_read(crate::store::MetricsReader::Token)
            .await?;
        Ok(Some(self.store.privacy_metrics().await?))
    }

    /// Privacy metrics when the operator made them public: nobody to record.
    pub async fn public_privacy_metrics(&self) -> Result<PrivacyMetrics, DeskError> {
        Ok(self.store.privacy_metrics().await?)
    }

    /// Closes the database at shutdown.
    pub async fn close(&self) {
        self.store.close().await;
    }

    /// The audit watch thresholds from the agent policy.
    fn watch(&self) -> crate::store::AccessWatch {
        crate::store::AccessWatch {
            hourly_view_threshold: i64::from(self.policy.hourly_view_threshold),
            probe_alert_threshold: i64::from(self.policy.probe_alert_threshold),
            hourly_download_threshold: i64::from(self.policy.hourly_download_threshold),
        }
    }
}

/// Compares digests in constant time, so neither the content nor the length of the token
/// shows in the response time.
fn same_secret(presented: &str, expected: &str) -> bool {
    use sha2::Digest;
    let presented = sha2::Sha256::digest(presented.as_bytes());
    let expected = sha2::Sha256::digest(expected.as_bytes());
    subtle::ConstantTimeEq::ct_eq(presented.as_slice(), expected.as_slice()).into()
}
