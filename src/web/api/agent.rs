//! `/api/v1/agent/…`: sign-in for a bearer token, then scoped ticket work. Out-of-scope and
//! unknown references are the same 404; missing or bad credentials are 401.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::openapi::Refusals;
use super::tickets::rfc3339;
use crate::desk::RedactionCounts;
use crate::desk::{
    ListTotal, Session, SpamMark, StatusFilter, TicketChange, TicketEvent, TicketOp, TicketSummary,
};
use crate::domain::{Name, Priority, Status};
use crate::web::WebState;
use crate::web::agent::tickets::{FilterFields, SpamStep, record_if_not_found, reference};
use crate::web::error::{FieldError, WebError, WebResult};
use crate::web::extract::ApiJson;
use crate::web::session::ApiAgent;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    name: String,
    password: String,
    totp: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TokenJson {
    token: String,
}

#[utoipa::path(post, path = "/api/v1/agent/login", tag = "agent",
    request_body = LoginBody,
    responses((status = 200, description = "A bearer token for the other agent calls", body = TokenJson), Refusals))]
pub async fn login_token(
    State(state): State<WebState>,
    ApiJson(body): ApiJson<LoginBody>,
) -> WebResult<Json<TokenJson>> {
    match state
        .desk
        .sign_in(
            &body.name,
            &body.password,
            body.totp.as_deref().filter(|c| !c.trim().is_empty()),
            Session::Bearer,
        )
        .await
    {
        Ok(signed_in) => Ok(Json(TokenJson {
            token: signed_in.token.as_str().to_owned(),
        })),
        Err(other) => Err(other.into()),
    }
}

#[utoipa::path(post, path = "/api/v1/agent/logout", tag = "agent",
    security(("bearer" = [])),
    responses((status = 204, description = "Signed out"), Refusals))]
pub async fn logout(agent: ApiAgent) -> WebResult<StatusCode> {
    agent.desk.end_session(&agent.token).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only this queue.
    #[serde(default)]
    queue: String,
    /// `all` (the default), `active`, `spam`, or one status.
    #[serde(default)]
    status: String,
    /// Words to search for in subjects and messages.
    #[serde(default)]
    q: String,
    /// Only this priority (`P1`…`P4`).
    #[serde(default)]
    priority: String,
    /// Only this tier (`L1`…`L3`).
    #[serde(default)]
    tier: String,
    /// `me` (the caller), `nobody` (unassigned), or an agent's name.
    #[serde(default)]
    assignee: String,
    /// `1`: only tickets whose SLA is breached or due within the warning window
    /// (`sla.warning_minutes`).
    #[serde(default)]
    at_risk: String,
    /// `urgency` (the default: breached first, then by time left), `priority`, `updated` or
    /// `created`.
    #[serde(default)]
    #[param(pattern = "^(urgency|priority|updated|created)?$")]
    order: String,
    /// The `next` of the previous page.
    #[serde(default)]
    after: String,
    /// Tickets per page, 1–500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ListJson {
    tickets: Vec<SummaryJson>,
    /// Pass as `after` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<String>,
    /// How many tickets match in all, counted up to 1,000.
    total: i64,
    /// True when more than `total` match (counting stops there).
    total_is_lower_bound: bool,
}

#[derive(Serialize, ToSchema)]
pub struct SummaryJson {
    reference: String,
    queue: String,
    tier: i64,
    #[schema(value_type = String)]
    status: &'static str,
    #[schema(value_type = String)]
    priority: &'static str,
    subject: String,
    assignee: Option<String>,
    created_at: String,
    updated_at: String,
    first_response_due: Option<String>,
    resolution_due: Option<String>,
    sla_breached: bool,
}

impl From<TicketSummary> for SummaryJson {
    fn from(t: TicketSummary) -> Self {
        SummaryJson {
            reference: t.reference.to_string(),
            queue: t.queue,
            tier: t.tier.get(),
            status: t.status.id(),
            priority: t.priority.id(),
            subject: t.subject,
            assignee: t.assignee,
            created_at: rfc3339(t.created_at),
            updated_at: rfc3339(t.updated_at),
            first_response_due: t.first_response_due.map(rfc3339),
            resolution_due: t.resolution_due.map(rfc3339),
            sla_breached: t.sla_breaches != 0,
        }
    }
}

/// Tickets in scope; `status` defaults to all, `q` searches subjects and messages.
#[utoipa::path(get, path = "/api/v1/agent/tickets", tag = "agent",
    security(("bearer" = [])),
    params(ListQuery),
    responses((status = 200, description = "Tickets in the caller's scope", body = ListJson), Refusals))]
pub async fn list(agent: ApiAgent, Query(query): Query<ListQuery>) -> WebResult<Json<ListJson>> {
    let limit = match query.limit {
        None => 100,
        Some(limit @ 1..=500) => limit,
        Some(_) => return Err(invalid("limit", "choose 1 to 500")),
    };
    let filter = FilterFields {
        queue: &query.queue,
        status: &query.status,
        priority: &query.priority,
        tier: &query.tier,
        assignee: &query.assignee,
        at_risk: &query.at_risk,
        q: &query.q,
        order: &query.order,
        after: &query.after,
    }
    .filter(&agent.desk, StatusFilter::All, limit)?;
    let page = agent.desk.tickets(&filter).await?;
    let (total, total_is_lower_bound) = match page.total {
        ListTotal::Exactly(n) => (n, false),
        ListTotal::MoreThan(n) => (n, true),
    };
    Ok(Json(ListJson {
        tickets: page.tickets.into_iter().map(SummaryJson::from).collect(),
        next: page.next.map(|cursor| cursor.to_string()),
        total,
        total_is_lower_bound,
    }))
}

#[derive(Serialize, ToSchema)]
#[schema(as = AgentTicket)]
pub struct TicketJson {
    reference: String,
    queue: String,
    tier: i64,
    #[schema(value_type = String)]
    status: &'static str,
    #[schema(value_type = String)]
    priority: &'static str,
    category: String,
    subject: String,
    assignee: Option<String>,
    reopen_count: i64,
    /// The requester's rating: `offered`, `declined` or `rated`; absent until resolved.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    rating: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rating_score: Option<i64>,
    /// The comment given with the score, masked like the conversation.
    #[serde(skip_serializing_if = "Option::is_none")]
    rating_comment: Option<String>,
    break_glass: bool,
    created_at: String,
    first_response_due: Option<String>,
    resolution_due: Option<String>,
    /// Present when the ticket was closed as spam.
    #[serde(skip_serializing_if = "Option::is_none")]
    spam: Option<SpamJson>,
    messages: Vec<MessageJson>,
    /// Status, priority, assignment, queue and tier changes, oldest first.
    history: Vec<ChangeJson>,
    /// What the requester proved they control, oldest first.
    proofs: Vec<ProofJson>,
    /// Proofs asked for and not yet answered (nor expired), oldest first.
    proof_challenges: Vec<ProofChallengeJson>,
}

/// A proof of ownership: only its kind and the subject's mask are kept.
#[derive(Serialize, ToSchema)]
pub struct ProofJson {
    /// `bitcoin`, `ethereum`, `openpgp` or `code` (a recovery code or one-time token, when
    /// the desk has a token list or a verification hook).
    #[schema(value_type = String)]
    kind: &'static str,
    /// The subject as the ticket's redacted text names it: `[BTC-1]`, `[ETH-2]`, `[PGP-1]`.
    subject_mask: String,
    verified_at: String,
}

/// A proof asked for and still waiting for the requester's signature.
#[derive(Serialize, ToSchema)]
pub struct ProofChallengeJson {
    /// `bitcoin`, `ethereum`, `openpgp` or `code` (a recovery code or one-time token, when
    /// the desk has a token list or a verification hook).
    #[schema(value_type = String)]
    kind: &'static str,
    /// The ticket's mask the agent named as the address to prove, if any.
    expected_mask: Option<String>,
    /// Who asked (`null` when that agent is gone).
    requested_by: Option<String>,
    created_at: String,
    expires_at: String,
}

/// One change in a ticket's history.
#[derive(Serialize, ToSchema)]
pub struct ChangeJson {
    /// `status`, `priority`, `assignee`, `queue` or `tier`.
    #[schema(value_type = String)]
    kind: &'static str,
    /// The value before and after: a status or priority id, a tier number, a queue or agent
    /// name (`null`: nobody).
    from: Option<String>,
    to: Option<String>,
    /// Who changed it (`null` when that agent is gone).
    agent: Option<String>,
    /// A queue move's reason (redacted).
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    at: String,
}

impl From<TicketEvent> for ChangeJson {
    fn from(event: TicketEvent) -> Self {
        let (kind, from, to, reason) = match event.change {
            TicketChange::Status { from, to } => (
                "status",
                Some(from.id().to_owned()),
                Some(to.id().to_owned()),
                None,
            ),
            TicketChange::Priority { from, to } => (
                "priority",
                Some(from.id().to_owned()),
                Some(to.id().to_owned()),
                None,
            ),
            TicketChange::Assignee { from, to } => ("assignee", from, to, None),
            TicketChange::Queue { from, to, reason } => {
                ("queue", Some(from), Some(to), Some(reason))
            }
            TicketChange::Tier { from, to } => (
                "tier",
                Some(from.get().to_string()),
                Some(to.get().to_string()),
                None,
            ),
        };
        ChangeJson {
            kind,
            from,
            to,
            agent: event.agent_name,
            reason,
            at: rfc3339(event.at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SpamJson {
    /// `pending` (one agent's word: normal retention, restorable by queue owners) or
    /// `confirmed` (a second agent agreed: the short spam retention applies).
    #[schema(value_type = String)]
    state: &'static str,
    marked_by: Option<String>,
    confirmed_by: Option<String>,
}

impl From<SpamMark> for SpamJson {
    fn from(mark: SpamMark) -> Self {
        SpamJson {
            state: if mark.confirmed_by.is_some() {
                "confirmed"
            } else {
                "pending"
            },
            marked_by: mark.marked_by,
            confirmed_by: mark.confirmed_by,
        }
    }
}

#[derive(Serialize, ToSchema)]
#[schema(as = AgentMessage)]
pub struct MessageJson {
    author: String,
    agent: Option<String>,
    event: Option<String>,
    body: String,
    internal: bool,
    encrypted: bool,
    signature: String,
    created_at: String,
    #[schema(value_type = std::collections::BTreeMap<String, u32>)]
    redactions: RedactionCounts,
    attachments: Vec<AttachmentJson>,
}

#[derive(Serialize, ToSchema)]
pub struct AttachmentJson {
    /// What `…/attachments/{id}/link` names, for sealed attachments.
    id: i64,
    name: String,
    media_type: String,
    size: i64,
    /// The redacted text of a text attachment; absent for sealed (binary) ones.
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    sealed: bool,
}

#[utoipa::path(get, path = "/api/v1/agent/tickets/{reference}", tag = "agent",
    security(("bearer" = [])),
    params(("reference" = String, Path, description = "The ticket's reference, HD-…")),
    responses((status = 200, description = "The ticket; the view is audited", body = TicketJson), Refusals))]
pub async fn show(
    agent: ApiAgent,
    Path(reference_text): Path<String>,
) -> WebResult<Json<TicketJson>> {
    let answer = ticket_json(&agent, &reference_text).await;
    record_if_not_found(&agent.desk, TicketOp::View, &reference_text, answer).await
}

async fn ticket_json(agent: &ApiAgent, reference_text: &str) -> WebResult<Json<TicketJson>> {
    let reference = reference(reference_text)?;
    let view = agent.desk.ticket(&reference).await?;
    let t = view.summary;
    let (rating, rating_score, rating_comment) = match view.rating {
        crate::desk::RatingState::NotAsked => (None, None, None),
        crate::desk::RatingState::Offered => (Some("offered"), None, None),
        crate::desk::RatingState::Declined => (Some("declined"), None, None),
        crate::desk::RatingState::Rated { score, comment } => (Some("rated"), Some(score), comment),
    };
    Ok(Json(TicketJson {
        rating,
        rating_score,
        rating_comment,
        reference: t.reference.to_string(),
        queue: t.queue,
        tier: t.tier.get(),
        status: t.status.id(),
        priority: t.priority.id(),
        category: view.category,
        subject: t.subject,
        assignee: t.assignee,
        reopen_count: view.reopen_count,
        break_glass: view.via_break_glass,
        created_at: rfc3339(t.created_at),
        first_response_due: t.first_response_due.map(rfc3339),
        resolution_due: t.resolution_due.map(rfc3339),
        spam: view.spam.map(SpamJson::from),
        history: view.events.into_iter().map(ChangeJson::from).collect(),
        proofs: view
            .proofs
            .into_iter()
            .map(|p| ProofJson {
                kind: p.kind.id(),
                subject_mask: p.subject_mask,
                verified_at: rfc3339(p.verified_at),
            })
            .collect(),
        proof_challenges: view
            .open_challenges
            .into_iter()
            .map(|c| ProofChallengeJson {
                kind: c.kind.id(),
                expected_mask: c.expected_mask,
                requested_by: c.requested_by,
                created_at: rfc3339(c.created_at),
                expires_at: rfc3339(c.expires_at),
            })
            .collect(),
        messages: view
            .messages
            .into_iter()
            .map(|m| MessageJson {
                author: m.author,
                agent: m.agent_name,
                event: m.event,
                body: m.body,
                internal: m.internal,
                encrypted: m.encrypted,
                signature: m.signature,
                created_at: rfc3339(m.created_at),
                redactions: m.redactions,
                attachments: m
                    .attachments
                    .into_iter()
                    .map(|a| AttachmentJson {
                        id: a.id,
                        sealed: a.text.is_none(),
                        name: a.name,
                        media_type: a.media_type,
                        size: a.size,
                        text: a.text,
                    })
                    .collect(),
            })
            .collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyBody {
    body: String,
    #[serde(default)]
    internal: bool,
    canned: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ReplyJson {
    #[schema(value_type = std::collections::BTreeMap<String, u32>)]
    redactions: RedactionCounts,
    /// Public replies: `queued` (mailed), `no_contact`, or `no_key` (the requester writes
    /// encrypted and left no key, so nothing is mailed in clear).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    mailed: Option<&'static str>,
}

#[utoipa::path(post, path = "/api/v1/agent/tickets/{reference}/replies", tag = "agent",
    security(("bearer" = [])),
    params(("reference" = String, Path, description = "The ticket's reference, HD-…")),
    request_body = ReplyBody,
    responses((status = 201, description = "Added (a reply is mailed to a requester who left a contact)", body = ReplyJson), Refusals))]
pub async fn reply(
    agent: ApiAgent,
    Path(reference_text): Path<String>,
    ApiJson(body): ApiJson<ReplyBody>,
) -> WebResult<(StatusCode, Json<ReplyJson>)> {
    let answer: WebResult<_> = async {
        let reference = reference(&reference_text)?;
        let outcome = agent
            .desk
            .add_message(&reference, &body.body, body.canned, body.internal)
            .await?;
        Ok((
            StatusCode::CREATED,
            Json(ReplyJson {
                redactions: outcome.redactions,
                mailed: outcome.mailed.map(|m| m.id()),
            }),
        ))
    }
    .await;
    record_if_not_found(&agent.desk, TicketOp::Reply, &reference_text, answer).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonBody {
    reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct TierJson {
    tier: i64,
    /// False when the ticket rose above the caller's tier and left their scope.
    in_scope: bool,
}

#[utoipa::path(post, path = "/api/v1/agent/tickets/{reference}/escalate", tag = "agent",
    security(("bearer" = [])),
    params(("reference" = String, Path, description = "The ticket's reference, HD-…")),
    request_body = ReasonBody,
    responses((status = 200, description = "Moved one tier up", body = TierJson), Refusals))]
pub async fn escalate(
    agent: ApiAgent,
    path: Path<String>,
    body: ApiJson<ReasonBody>,
) -> WebResult<Json<TierJson>> {
    change_tier(agent, path, body, true).await
}

#[utoipa::path(post, path = "/api/v1/agent/tickets/{reference}/deescalate", tag = "agent",
    security(("bearer" = [])),
    params(("reference" = String, Path, description = "The ticket's reference, HD-…")),
    request_body = ReasonBody,
    responses((status = 200, description = "Moved one tier down", body = TierJson), Refusals))]
pub async fn deescalate(
    agent: ApiAgent,
    path: Path<String>,
    body: ApiJson<ReasonBody>,
) -> WebResult<Json<TierJson>> {
    change_tier(agent, path, body, false).await
}

async fn change_tier(
    agent: ApiAgent,
    Path(reference_text): Path<String>,
    ApiJson(body): ApiJson<ReasonBody>,
    up: bool,
) -> WebResult<Json<TierJson>> {
    let answer: WebResult<_> = async {
        let reference = reference(&reference_text)?;
        let outcome = agent.desk.change_tier(&reference, &body.reason, up).await?;
        Ok(Json(TierJson {
            tier: outcome.tier.get(),
            in_scope: outcome.still_in_scope,
        }))
    }
    .await;
    let op = if up {
        TicketOp::Escalate
    } else {
        TicketOp::Deescalate
    };
    record_if_not_found(&agent.desk, op, &reference_text, answer).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProofRequestBody {
    /// `bitcoin`, `ethereum`, `openpgp` or `code` (a recovery code or one-time token, when
    /// the desk has a token list or a verification hook).
    kind: String,
    /// For a wallet: the ticket's mask the address should have, such as `[BTC-1]`.
    #[serde(default)]
    expected_mask: Option<String>,
}

/// A challenge just made; the requester's ticket page shows it with a form to answer.
#[derive(Serialize, ToSchema)]
pub struct IssuedChallengeJson {
    #[schema(value_type = String)]
    kind: &'static str,
    expected_mask: Option<String>,
    /// The exact text the requester signs (nothing personal: reference, random phrase, expiry).
    challenge: String,
    expires_at: String,
}

#[utoipa::path(post, path = "/api/v1/agent/tickets/{reference}/proofs", tag = "agent",
    security(("bearer" = [])),
    params(("reference" = String, Path, description = "The ticket's reference, HD-…")),
    request_body = ProofRequestBody,
    responses((status = 201, description = "Challenge made; audited as proof_requested", body = IssuedChallengeJson), Refusals))]
pub async fn ask_proof(
    agent: ApiAgent,
    Path(reference_text): Path<String>,
    ApiJson(body): ApiJson<ProofRequestBody>,
) -> WebResult<(StatusCode, Json<IssuedChallengeJson>)> {
    let answer: WebResult<_> = async {
        let reference = reference(&reference_text)?;
        let issued = agent
            .desk
            .ask_for_proof(
                &reference,
                &body.kind,
                body.expected_mask.as_deref().unwrap_or_default(),
            )
            .await?;
        Ok((
            StatusCode::CREATED,
            Json(IssuedChallengeJson {
                kind: issued.kind.id(),
                expected_mask: issued.expected_mask,
                challenge: issued.text,
                expires_at: rfc3339(issued.expires_at),
            }),
        ))
    }
    .await
    // The page's form calls the field `expected`; this body calls it `expected_mask`.
    .map_err(|e| match e {
        WebError::Invalid(mut errors) => {
            for error in &mut errors {
                if error.field == "expected" {
                    error.field = "expected_mask";
                }
            }
            WebError::Invalid(errors)
        }
        other => other,
    });
    record_if_not_found(&agent.desk, TicketOp::ProofRequest, &reference_text, answer).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusBody {
    status: String,
}

#[derive(Serialize, ToSchema)]
pub struct StatusJson {
    #[schema(value_type = String)]
    status: &'static str,
}

#[utoipa::path(post, path = "/api/v1/agent/tickets/{reference}/status", tag = "agent",
    security(("bearer" = [])),
    params(("reference" = String, Path, description = "The ticket's reference, HD-…")),
    request_body = StatusBody,
    responses((status = 200, description = "Status set", body = StatusJson), Refusals))]
pub async fn status(
    agent: ApiAgent,
    Path(reference_text): Path<String>,
    ApiJson(body): ApiJson<StatusBody>,
) -> WebResult<Json<StatusJson>> {
    let answer: WebResult<_> = async {
        let reference = reference(&reference_text)?;
        let status: Status = body
            .status
            .parse()
            .map_err(|()| invalid("status", "unknown status"))?;
        agent.desk.set_status(&reference, status).await?;
        Ok(Json(StatusJson {
            status: status.id(),
        }))
    }
    .await;
    record_if_not_found(&agent.desk, TicketOp::Status, &reference_text, answer).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriorityBody {
    priority: String,
}

#[utoipa::path(post, path = "/api/v1/agent/tickets/{reference}/priority", tag = "agent",
    security(("bearer" = [])),
    params(("reference" = String, Path, description = "The ticket's reference, HD-…")),
    request_body = PriorityBody,
    responses((status = 204, description = "Priority set"), Refusals))]
pub async fn priority(
    agent: ApiAgent,
    Path(reference_text): Path<String>,
    ApiJson(body): ApiJson<PriorityBody>,
) -> WebResult<StatusCode> {
    let answer: WebResult<_> = async {
        let reference = reference(&reference_text)?;
        let priority: Priority = body
            .priority
            .parse()
            .map_err(|()| invalid("priority", "choose P1 to P4"))?;
        agent.desk.set_priority(&reference, priority).await?;
        Ok(StatusCode::NO_CONTENT)
    }
    .await;
    record_if_not_found(&agent.desk, TicketOp::Priority, &reference_text, answer).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignBody {
    agent: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/agent/tickets/{reference}/assign", tag = "agent",
    security(("bearer" = [])),
    params(("reference" = String, Path, description = "The ticket's reference, HD-…")),
    request_body = AssignBody,
    responses((status = 204, description = "Assigned (or unassigned when `agent` is null)"), Refusals))]
pub async fn assign(
    agent: ApiAgent,
    Path(reference_text): Path<String>,
    ApiJson(body): ApiJson<AssignBody>,
) -> WebResult<StatusCode> {
    let answer: WebResult<_> = async {
        let reference = reference(&reference_text)?;
        let assignee = body
            .agent
            .as_deref()
            .map(Name::parse)
            .transpose()
            .map_err(|e| invalid("agent", &e.to_string()))?;
        agent.desk.assign(&reference, assignee.as_ref()).await?;
        Ok(StatusCode::NO_CONTENT)
    }
    .await;
    record_if_not_found(&agent.desk, TicketOp::Assign, &reference_text, answer).await
}

/// Closes the ticket as spam, pending a second agent's confirmation (`…/spam/confirm`);
/// until then the normal retention applies and queue owners can `…/spam/restore` it.
#[utoipa::path(post, path = "/api/v1/agent/tickets/{reference}/spam", tag = "agent",
    security(("bearer" = [])),
    params(("reference" = String, Path, description = "The ticket's reference, HD-…")),
    responses((status = 204, description = "Closed as spam, pending confirmation"), Refusals))]
pub async fn spam(agent: ApiAgent, path: Path<String>) -> WebResult<StatusCode> {
    spam_step(agent, path, SpamStep::Mark).await
}

#[utoipa::path(post, path = "/api/v1/agent/tickets/{reference}/spam/confirm", tag = "agent",
    security(("bearer" = [])),
    params(("reference" = String, Path, description = "The ticket's reference, HD-…")),
    responses((status = 204, description = "Spam confirmed by a second agent"), Refusals))]
pub async fn confirm_spam(agent: ApiAgent, path: Path<String>) -> WebResult<StatusCode> {
    spam_step(agent, path, SpamStep::Confirm).await
}

#[utoipa::path(post, path = "/api/v1/agent/tickets/{reference}/spam/restore", tag = "agent",
    security(("bearer" = [])),
    params(("reference" = String, Path, description = "The ticket's reference, HD-…")),
    responses((status = 204, description = "Restored from spam"), Refusals))]
pub async fn restore_spam(agent: ApiAgent, path: Path<String>) -> WebResult<StatusCode> {
    spam_step(agent, path, SpamStep::Restore).await
}

async fn spam_step(
    agent: ApiAgent,
    Path(reference_text): Path<String>,
    step: SpamStep,
) -> WebResult<StatusCode> {
    let answer: WebResult<_> = async {
        let reference = reference(&reference_text)?;
        step.run(&agent.desk, &reference).await?;
        Ok(StatusCode::NO_CONTENT)
    }
    .await;
    record_if_not_found(&agent.desk, step.op(), &reference_text, answer).await
}

#[derive(Serialize, ToSchema)]
pub struct DownloadLinkJson {
    /// `GET` it once, within the time left, with this same bearer token (or the same
    /// agent's session cookie): the attachment's bytes as `application/octet-stream`. A
    /// second use, an expired link or another agent's credential answers 410.
    url: String,
    expires_at: String,
}

/// A single-use link to one sealed attachment of a ticket in scope. Minting and downloading
/// are audited; downloads count toward the access alerts. Admins are refused like anyone
/// without the ticket in scope.
#[utoipa::path(post, path = "/api/v1/agent/tickets/{reference}/attachments/{id}/link", tag = "agent",
    security(("bearer" = [])),
    params(("reference" = String, Path, description = "The ticket's reference, HD-…"),
           ("id" = i64, Path, description = "The sealed attachment's id, from the ticket's messages")),
    responses((status = 200, description = "The link and when it stops working", body = DownloadLinkJson), Refusals))]
pub async fn attachment_link(
    State(state): State<WebState>,
    agent: ApiAgent,
    Path((reference_text, attachment)): Path<(String, String)>,
) -> WebResult<Json<DownloadLinkJson>> {
    let answer: WebResult<_> = async {
        let reference = reference(&reference_text)?;
        let attachment = attachment.parse::<i64>().map_err(|_| WebError::NotFound)?;
        let link = agent.desk.attachment_link(&reference, attachment).await?;
        Ok(Json(DownloadLinkJson {
            url: crate::web::public::access_link(
                &state,
                &crate::web::agent::downloads::path(&link.token),
            ),
            expires_at: rfc3339(link.expires_at),
        }))
    }
    .await;
    record_if_not_found(&agent.desk, TicketOp::DownloadLink, &reference_text, answer).await
}

fn invalid(field: &'static str, message: &str) -> WebError {
    WebError::Invalid(vec![FieldError::english(field, message.to_owned())])
}
