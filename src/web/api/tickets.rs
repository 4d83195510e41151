//! `/api/v1/tickets`: create, read, reply, delete.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::desk::RedactionCounts;
use crate::desk::{DeskError, ProofAnswer};
use crate::domain::{NewTicketInput, ReplyInput};
use crate::web::WebState;
use crate::web::error::{FieldError, WebError, WebResult};
use crate::web::extract::{ApiJson, TokenPath};
use crate::web::lang::PageLang;
use crate::web::public::ticket::requester;

use super::openapi::Refusals;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTicket {
    subject: String,
    body: String,
    /// One of the desk's categories (`billing`, `functionality`, `security`, `onboarding`).
    category: String,
    /// An address for replies; sealed, shown to nobody.
    contact: Option<String>,
    /// An armored OpenPGP public key: replies are then mailed encrypted to it.
    pgp_key: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    reference: String,
    /// The ticket's secret link token, shown this once.
    access_token: String,
    #[schema(value_type = std::collections::BTreeMap<String, u32>)]
    redactions: RedactionCounts,
}

#[utoipa::path(post, path = "/api/v1/tickets", tag = "requester", request_body = CreateTicket,
    responses((status = 201, description = "Filed", body = Created), Refusals))]
pub async fn create(
    State(state): State<WebState>,
    ApiJson(body): ApiJson<CreateTicket>,
) -> WebResult<(StatusCode, Json<Created>)> {
    let input = NewTicketInput::parse(
        &body.subject,
        &body.body,
        &body.category,
        body.contact.as_deref(),
        body.pgp_key.as_deref(),
    )
    .map_err(DeskError::Invalid)?;
    let filed = state.desk.file_ticket(input).await?;
    Ok((
        StatusCode::CREATED,
        Json(Created {
            reference: filed.reference.to_string(),
            access_token: filed.token.as_str().to_owned(),
            redactions: filed.redactions,
        }),
    ))
}

#[derive(Serialize, ToSchema)]
#[schema(as = RequesterTicket)]
pub struct TicketJson {
    reference: String,
    #[schema(value_type = String)]
    status: &'static str,
    #[schema(value_type = String)]
    category: &'static str,
    subject: String,
    created_at: String,
    /// Where the requester can reply by mail (present when the ticket has a contact).
    #[serde(skip_serializing_if = "Option::is_none")]
    reply_address: Option<String>,
    messages: Vec<MessageJson>,
    /// What the requester proved they control.
    proofs: Vec<RequesterProofJson>,
    /// Proofs support asked for that wait for the requester's signature.
    proof_challenges: Vec<ChallengeJson>,
    /// The rating: `offered` (answer with `POST …/rating`), `declined` or `rated`; absent
    /// until the ticket is first resolved.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    rating: Option<&'static str>,
    /// The score given, once rated.
    #[serde(skip_serializing_if = "Option::is_none")]
    rating_score: Option<i64>,
}

/// A proof of ownership, as kept: its kind and the subject's mask.
#[derive(Serialize, ToSchema)]
#[schema(as = RequesterProof)]
pub struct RequesterProofJson {
    /// `bitcoin`, `ethereum` or `openpgp`.
    #[schema(value_type = String)]
    kind: &'static str,
    subject_mask: String,
    verified_at: String,
}

/// A challenge to sign and answer with `POST /api/v1/tickets/{token}/proofs`.
#[derive(Serialize, ToSchema)]
pub struct ChallengeJson {
    id: i64,
    /// `bitcoin`, `ethereum` or `openpgp`.
    #[schema(value_type = String)]
    kind: &'static str,
    /// The ticket's mask support expects the address to have, if any.
    expected_mask: Option<String>,
    /// The exact text to sign.
    challenge: String,
    expires_at: String,
}

#[derive(Serialize, ToSchema)]
#[schema(as = RequesterMessage)]
pub struct MessageJson {
    #[schema(value_type = String)]
    author: &'static str,
    body: String,
    created_at: String,
    #[schema(value_type = std::collections::BTreeMap<String, u32>)]
    redactions: RedactionCounts,
}

#[utoipa::path(get, path = "/api/v1/tickets/{token}", tag = "requester",
    params(("token" = String, Path, description = "The ticket's secret link token")),
    responses((status = 200, description = "The ticket and its conversation", body = TicketJson), Refusals))]
pub async fn show(
    State(state): State<WebState>,
    TokenPath(token): TokenPath,
) -> WebResult<Json<TicketJson>> {
    let requester = requester(&state, &token).await?;
    let view = requester.view().await?;
    let reply_address = requester.reply_address().await?;
    let proofs = requester
        .proofs()
        .await?
        .into_iter()
        .map(|p| RequesterProofJson {
            kind: p.kind.id(),
            subject_mask: p.subject_mask,
            verified_at: rfc3339(p.verified_at),
        })
        .collect();
    let proof_challenges = requester
        .open_challenges()
        .await?
        .into_iter()
        .map(|c| ChallengeJson {
            id: c.id,
            kind: c.kind.id(),
            expected_mask: c.expected_mask,
            challenge: c.text,
            expires_at: rfc3339(c.expires_at),
        })
        .collect();
    let (rating, rating_score) = match requester.rating().await? {
        crate::desk::RatingState::NotAsked => (None, None),
        crate::desk::RatingState::Offered => (Some("offered"), None),
        crate::desk::RatingState::Declined => (Some("declined"), None),
        crate::desk::RatingState::Rated { score, .. } => (Some("rated"), Some(score)),
    };
    Ok(Json(TicketJson {
        rating,
        rating_score,
        reply_address,
        proofs,
        proof_challenges,
        reference: view.reference.to_string(),
        status: view.status.id(),
        category: view.category.id(),
        subject: view.subject,
        created_at: rfc3339(view.created_at),
        messages: view
            .messages
            .into_iter()
            .map(|m| MessageJson {
                author: m.author.id(),
                body: m.body,
                created_at: rfc3339(m.created_at),
                redactions: m.redactions,
            })
            .collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateReply {
    body: String,
}

#[derive(Serialize, ToSchema)]
pub struct ReplyCreated {
    #[schema(value_type = std::collections::BTreeMap<String, u32>)]
    redactions: RedactionCounts,
}

#[utoipa::path(post, path = "/api/v1/tickets/{token}/replies", tag = "requester",
    params(("token" = String, Path, description = "The ticket's secret link token")),
    request_body = CreateReply,
    responses((status = 201, description = "Added", body = ReplyCreated), Refusals))]
pub async fn reply(
    State(state): State<WebState>,
    TokenPath(token): TokenPath,
    ApiJson(body): ApiJson<CreateReply>,
) -> WebResult<(StatusCode, Json<ReplyCreated>)> {
    let requester = requester(&state, &token).await?;
    let input = ReplyInput::parse(&body.body).map_err(|e| DeskError::Invalid(vec![e]))?;
    let redactions = requester.reply(input).await?;
    Ok((StatusCode::CREATED, Json(ReplyCreated { redactions })))
}

/// The one answer to a resolved ticket's rating offer: `decline`, or a `score` from 1 to 5
/// with an optional `comment` (redacted before it is stored).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingBody {
    #[serde(default)]
    decline: bool,
    score: Option<u8>,
    #[serde(default)]
    comment: String,
}

#[derive(Serialize, ToSchema)]
pub struct RatingRecorded {
    /// `declined` or `rated`.
    answer: &'static str,
}

#[utoipa::path(post, path = "/api/v1/tickets/{token}/rating", tag = "requester",
    params(("token" = String, Path, description = "The ticket's secret link token")),
    request_body = RatingBody,
    responses((status = 201, description = "Recorded; the offer is not made again", body = RatingRecorded),
        (status = 409, description = "Not resolved, or answered already"), Refusals))]
pub async fn rate(
    State(state): State<WebState>,
    TokenPath(token): TokenPath,
    ApiJson(body): ApiJson<RatingBody>,
) -> WebResult<(StatusCode, Json<RatingRecorded>)> {
    // A page's form sends only the button pressed; a client sending both has not decided.
    if body.decline && (body.score.is_some() || !body.comment.trim().is_empty()) {
        return Err(WebError::Invalid(vec![FieldError::keyed(
            "decline",
            "rating-decline-alone",
        )]));
    }
    let requester = requester(&state, &token).await?;
    let score = body.score.map(|s| s.to_string());
    let (answer, comment) =
        crate::web::public::ticket::rating_answer(body.decline, score.as_deref(), &body.comment)?;
    requester.rate(answer, comment).await?;
    let answer = match answer {
        crate::desk::RatingAnswer::Declined => "declined",
        crate::desk::RatingAnswer::Score(_) => "rated",
    };
    Ok((StatusCode::CREATED, Json(RatingRecorded { answer })))
}

/// An answer to one challenge: a wallet's address and signature, a clear-signed text (with
/// the public key when the ticket has none pinned or another key is proven), or a code.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProofAnswerBody {
    challenge: i64,
    #[serde(default)]
    address: String,
    #[serde(default)]
    signature: String,
    #[serde(default)]
    signed_text: String,
    #[serde(default)]
    public_key: String,
    /// A recovery code or one-time token (kind `code`).
    #[serde(default)]
    code: String,
}

#[utoipa::path(post, path = "/api/v1/tickets/{token}/proofs", tag = "requester",
    params(("token" = String, Path, description = "The ticket's secret link token")),
    request_body = ProofAnswerBody,
    responses((status = 201, description = "Proven; only the kind and the subject's mask are kept", body = RequesterProofJson), Refusals))]
pub async fn prove(
    State(state): State<WebState>,
    TokenPath(token): TokenPath,
    ApiJson(body): ApiJson<ProofAnswerBody>,
) -> WebResult<(StatusCode, Json<RequesterProofJson>)> {
    let requester = requester(&state, &token).await?;
    let proof = requester
        .prove(&ProofAnswer {
            challenge: body.challenge,
            address: &body.address,
            signature: &body.signature,
            signed_text: &body.signed_text,
            public_key: &body.public_key,
            code: &body.code,
        })
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(RequesterProofJson {
            kind: proof.kind.id(),
            subject_mask: proof.subject_mask,
            verified_at: rfc3339(proof.verified_at),
        }),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct Deleted {
    reference: String,
    deleted: bool,
    deleted_at: String,
    /// A statement of what was deleted, signed with the helpdesk's OpenPGP key.
    receipt: String,
}

#[utoipa::path(delete, path = "/api/v1/tickets/{token}", tag = "requester",
    params(("token" = String, Path, description = "The ticket's secret link token")),
    responses((status = 200, description = "Deleted now, with a signed receipt", body = Deleted), Refusals))]
pub async fn delete(
    State(state): State<WebState>,
    PageLang(tr): PageLang,
    TokenPath(token): TokenPath,
) -> WebResult<Json<Deleted>> {
    let requester = requester(&state, &token).await?;
    // The receipt is for people: in the language the client's `Accept-Language` asks for.
    let deletion = requester
        .delete_now(tr.language())
        .await
        .map_err(WebError::from)?;
    Ok(Json(Deleted {
        reference: deletion.tombstone.reference.to_string(),
        deleted: true,
        deleted_at: rfc3339(deletion.tombstone.deleted_at),
        receipt: deletion.receipt,
    }))
}

pub(crate) fn rfc3339(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}
