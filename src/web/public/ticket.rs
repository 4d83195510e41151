//! The ticket page behind the secret link: read, reply, delete.

use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use crate::desk::{
    ProofAnswer, ProofChallenge, ProofKind, ProofRecord, RatingAnswer, RatingState, RequesterDesk,
    RequesterFile, TicketView,
};
use crate::domain::{Author, ReplyInput, Status};
use crate::web::WebState;
use crate::web::error::{FieldError, Rendered, WebError, WebResult};
use crate::web::extract::{FormFields, TokenPath};
use crate::web::lang::{PageLang, Tr};
use crate::web::upload::Upload;

pub struct MessageView {
    pub from_requester: bool,
    pub body: String,
    pub when: String,
    pub files: Vec<FileView>,
}

/// A file beside its message: its stored name, size, and how long it is kept.
pub struct FileView {
    pub name: String,
    pub size: String,
    /// "Kept with the ticket, redacted like the text" or "sealed; deleted on …".
    pub kept: String,
}

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "public/ticket.html")]
pub struct TicketPage {
    pub t: crate::web::lang::Tr,
    pub reference: String,
    /// The catalogue key of the status as the requester reads it.
    pub status: &'static str,
    pub subject: String,
    pub created: String,
    pub messages: Vec<MessageView>,
    pub errors: Vec<FieldError>,
    pub draft: String,
    pub reply_address: Option<String>,
    pub reply_action: String,
    pub delete_action: String,
    /// Why the last reply was not taken (nothing was stored).
    pub refused: Option<String>,
    /// What the requester proved on this ticket.
    pub proofs: Vec<ProofLine>,
    /// Challenges waiting for their signature.
    pub challenges: Vec<ChallengeForm>,
    pub proof_action: String,
    /// Why an answer to a challenge no longer open was refused.
    pub proof_errors: Vec<FieldError>,
    /// Files the last reply was sent without, for want of a virus scan.
    pub held_back: Option<String>,
    pub sealed_days: Option<i64>,
    pub files: super::form::FileLimits,
    /// The ticket is resolved and asks for its one rating.
    pub rating_offered: bool,
    /// The score given, once rated.
    pub rated: Option<i64>,
    pub rating_action: String,
}

/// A proof as the requester's page shows it.
pub struct ProofLine {
    /// Catalogue key of the kind's name.
    pub kind: &'static str,
    pub subject: String,
    pub when: String,
}

/// One open challenge and its answer form, refilled after a refusal.
pub struct ChallengeForm {
    pub id: i64,
    /// The kind's id, for element ids and which fields the form has.
    pub kind: &'static str,
    pub kind_name: &'static str,
    pub text: String,
    pub until: String,
    pub expected: Option<String>,
    pub errors: Vec<FieldError>,
    pub address: String,
    pub signature: String,
    pub signed_text: String,
    pub public_key: String,
}

/// Catalogue key of a proof kind's name.
pub(crate) fn proof_kind_key(kind: ProofKind) -> &'static str {
    match kind {
        ProofKind::Bitcoin => "proof-kind-bitcoin",
        ProofKind::Ethereum => "proof-kind-ethereum",
        ProofKind::OpenPgp => "proof-kind-openpgp",
        ProofKind::Code => "proof-kind-code",
    }
}

fn proof_lines(t: &Tr, proofs: Vec<ProofRecord>) -> Vec<ProofLine> {
    proofs
        .into_iter()
        .map(|p| ProofLine {
            kind: proof_kind_key(p.kind),
            subject: p.subject_mask,
            when: t.time(p.verified_at),
        })
        .collect()
}

fn challenge_forms(t: &Tr, challenges: Vec<ProofChallenge>) -> Vec<ChallengeForm> {
    challenges
        .into_iter()
        .map(|c| ChallengeForm {
            id: c.id,
            kind: c.kind.id(),
            kind_name: proof_kind_key(c.kind),
            text: c.text,
            until: t.time(c.expires_at),
            expected: c.expected_mask,
            errors: Vec::new(),
            address: String::new(),
            signature: String::new(),
            signed_text: String::new(),
            public_key: String::new(),
        })
        .collect()
}

/// The status as the requester reads it: what is happening, not the desk's word for it.
fn public_status_key(status: Status) -> &'static str {
    match status {
        Status::New => "public-status-new",
        Status::Open => "public-status-open",
        Status::PendingRequester => "public-status-pending-requester",
        Status::Escalated => "public-status-escalated",
        Status::Resolved => "public-status-resolved",
        Status::Closed => "public-status-closed",
    }
}

impl TicketPage {
    fn new(state: &WebState, t: Tr, token: String, view: TicketView) -> Self {
        TicketPage {
            files: super::form::FileLimits::of(state),
            reference: view.reference.to_string(),
            status: public_status_key(view.status),
            subject: view.subject,
            created: t.time(view.created_at),
            reply_action: format!("/t/{token}/reply"),
            proof_action: format!("/t/{token}/proof"),
            proofs: Vec::new(),
            challenges: Vec::new(),
            proof_errors: Vec::new(),
            delete_action: format!("/t/{token}/delete"),
            rating_offered: false,
            rated: None,
            rating_action: format!("/t/{token}/rating"),
            refused: None,
            held_back: None,
            sealed_days: None,
            messages: view
                .messages
                .into_iter()
                .map(|m| MessageView {
                    from_requester: m.author == Author::Requester,
                    body: m.body,
                    when: t.time(m.created_at),
                    files: m.files.iter().map(|f| file_view(&t, f)).collect(),
                })
                .collect(),
            errors: Vec::new(),
            draft: String::new(),
            reply_address: None,
            t,
        }
    }

    /// Adds the ticket's proofs and open challenges, and where its rating stands.
    async fn with_proofs(mut self, requester: &RequesterDesk) -> WebResult<Self> {
        match requester.rating().await? {
            RatingState::Offered => self.rating_offered = true,
            RatingState::Rated { score, .. } => self.rated = Some(score),
            RatingState::NotAsked | RatingState::Declined => {}
        }
        self.proofs = proof_lines(&self.t, requester.proofs().await?);
        self.challenges = challenge_forms(&self.t, requester.open_challenges().await?);
        Ok(self)
    }
}

fn file_view(t: &Tr, file: &RequesterFile) -> FileView {
    FileView {
        name: file.name.clone(),
        size: t.n(
            "attachment-size-kb",
            u64::try_from(file.size).unwrap_or(0).div_ceil(1024),
        ),
        kept: match file.shredded_at {
            Some(at) => t.a("attachment-sealed-until", "when", t.time(at)),
            None => t.t("attachment-kept-as-text"),
        },
    }
}

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "public/confirm_delete.html")]
pub struct ConfirmDeletePage {
    pub t: crate::web::lang::Tr,
    pub delete_action: String,
    pub ticket_path: String,
    pub reference: String,
}

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "public/deleted.html")]
pub struct DeletedPage {
    pub t: crate::web::lang::Tr,
    pub reference: String,
    pub when: String,
    pub receipt: String,
}

/// Resolves a presented token to the requester's door; unknown and malformed tokens take
/// the same path.
pub(crate) async fn requester(state: &WebState, token: &str) -> WebResult<RequesterDesk> {
    Ok(state.desk.requester(token).await?)
}

pub async fn show(
    State(state): State<WebState>,
    PageLang(tr): PageLang,
    TokenPath(token): TokenPath,
) -> WebResult<TicketPage> {
    let requester = requester(&state, &token).await?;
    let view = requester.view().await?;
    TicketPage {
        reply_address: requester.reply_address().await?,
        sealed_days: super::form::sealed_days(&state).await,
        ..TicketPage::new(&state, tr, token, view)
    }
    .with_proofs(&requester)
    .await
}

/// An answer to one of the ticket's challenges. A refusal comes back as the page with the
/// form refilled and the reason (422); nothing is recorded as proven.
pub async fn prove(
    State(state): State<WebState>,
    PageLang(tr): PageLang,
    TokenPath(token): TokenPath,
    form: FormFields,
) -> WebResult<Response> {
    let requester = requester(&state, &token).await?;
    let challenge = form
        .get("challenge")
        .and_then(|id| id.trim().parse::<i64>().ok())
        .unwrap_or(0);
    let answer = ProofAnswer {
        challenge,
        address: form.get("address").unwrap_or_default(),
        signature: form.get("signature").unwrap_or_default(),
        signed_text: form.get("signed_text").unwrap_or_default(),
        public_key: form.get("public_key").unwrap_or_default(),
        code: form.get("code").unwrap_or_default(),
    };
    let errors = match requester.prove(&answer).await {
        Ok(_) => {
            let back = tr.href(&format!("/t/{token}"));
            return Ok(Redirect::to(&format!("{back}#proofs")).into_response());
        }
        Err(e) => match WebError::from(e) {
            WebError::Invalid(errors) => errors,
            other => return Err(other),
        },
    };
    let view = requester.view().await?;
    let mut page = TicketPage {
        sealed_days: super::form::sealed_days(&state).await,
        ..TicketPage::new(&state, tr, token, view)
    }
    .with_proofs(&requester)
    .await?;
    match page.challenges.iter_mut().find(|c| c.id == challenge) {
        Some(open) => {
            // A private key pasted by mistake is not written back into the page.
            let private_key = errors.iter().any(|e| e.field == "public_key");
            open.errors = errors;
            open.address = answer.address.to_owned();
            open.signature = answer.signature.to_owned();
            if !private_key {
                open.public_key = answer.public_key.to_owned();
                open.signed_text = answer.signed_text.to_owned();
            }
        }
        // Expired, answered or never this ticket's: no form to refill.
        None => page.proof_errors = errors,
    }
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Extension(Rendered), page).into_response())
}

/// Adds the requester's reply with its files. A file over a limit, one that carries
/// malware or an image that cannot be read refuses the reply whole (the page comes back
/// with the draft); files no scanner could look at are left out and named on the page.
pub async fn reply(
    State(state): State<WebState>,
    PageLang(tr): PageLang,
    TokenPath(token): TokenPath,
    upload: Upload,
) -> WebResult<Response> {
    let requester = requester(&state, &token).await?;
    let Upload {
        fields: form,
        files,
        refused,
    } = upload;
    let text = form.get("body").unwrap_or_default();
    let (status, error) = match refused {
        Some(refusal) if refusal.too_large => (
            StatusCode::PAYLOAD_TOO_LARGE,
            WebError::Invalid(vec![refusal.error]),
        ),
        Some(refusal) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            WebError::Invalid(vec![refusal.error]),
        ),
        None => match ReplyInput::parse(text) {
            Ok(input) => match requester.reply_with_files(input, files).await {
                Ok(outcome) => {
                    let back = tr.href(&format!("/t/{token}"));
                    let Some(held_back) = outcome.held_back else {
                        return Ok(Redirect::to(&format!("{back}#latest")).into_response());
                    };
                    // Sent, but without some files: the page says which, once.
                    let view = requester.view().await?;
                    let page = TicketPage {
                        held_back: super::form::held_back_text(&tr, Some(&held_back)),
                        sealed_days: super::form::sealed_days(&state).await,
                        ..TicketPage::new(&state, tr, token, view)
                    };
                    return Ok(page.into_response());
                }
                Err(e) => (StatusCode::UNPROCESSABLE_ENTITY, WebError::from(e)),
            },
            Err(e) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                WebError::Invalid(vec![FieldError::from(&e)]),
            ),
        },
    };
    match error {
        WebError::Invalid(errors) => {
            let view = requester.view().await?;
            let page = TicketPage {
                errors,
                draft: text.to_owned(),
                sealed_days: super::form::sealed_days(&state).await,
                ..TicketPage::new(&state, tr, token, view)
            }
            .with_proofs(&requester)
            .await?;
            Ok((status, Extension(Rendered), page).into_response())
        }
        other => Err(other),
    }
}

/// The rating form: one of five scores with an optional comment, or "no thanks". Either
/// way the offer goes and is not made again; the page comes back without it.
pub async fn rate(
    State(state): State<WebState>,
    PageLang(tr): PageLang,
    TokenPath(token): TokenPath,
    form: FormFields,
) -> WebResult<Response> {
    let requester = requester(&state, &token).await?;
    let (answer, comment) = rating_answer(
        form.get("decline") == Some("yes"),
        form.get("score"),
        form.get("comment").unwrap_or_default(),
    )?;
    requester.rate(answer, comment).await?;
    let back = tr.href(&format!("/t/{token}"));
    Ok(Redirect::to(&back).into_response())
}

/// The answer a form or JSON body gives: declining wins over a score; a score is 1 to 5;
/// a blank comment is none.
pub(crate) fn rating_answer(
    decline: bool,
    score: Option<&str>,
    comment: &str,
) -> WebResult<(RatingAnswer, Option<ReplyInput>)> {
    if decline {
        return Ok((RatingAnswer::Declined, None));
    }
    let score = score
        .and_then(|s| s.trim().parse::<u8>().ok())
        .filter(|s| (1..=5).contains(s))
        .ok_or(WebError::Invalid(vec![FieldError::keyed(
            "score",
            "rating-score-invalid",
        )]))?;
    let comment = match comment.trim() {
        "" => None,
        text => Some(
            ReplyInput::parse(text).map_err(|e| WebError::Invalid(vec![FieldError::from(&e)]))?,
        ),
    };
    Ok((RatingAnswer::Score(score), comment))
}

/// Two steps without JavaScript: the first POST asks for confirmation, the second
/// (carrying `confirm=yes`) deletes.
pub async fn delete(
    State(state): State<WebState>,
    PageLang(tr): PageLang,
    TokenPath(token): TokenPath,
    form: FormFields,
) -> WebResult<Response> {
    let requester = requester(&state, &token).await?;
    if form.get("confirm") != Some("yes") {
        let page = ConfirmDeletePage {
            t: tr,
            delete_action: format!("/t/{token}/delete"),
            ticket_path: format!("/t/{token}"),
            reference: requester.reference().to_string(),
        };
        return Ok(page.into_response());
    }
    let deletion = requester.delete_now(tr.language()).await?;
    Ok(DeletedPage {
        reference: deletion.tombstone.reference.to_string(),
        when: tr.time(deletion.tombstone.deleted_at),
        t: tr,
        receipt: deletion.receipt,
    }
    .into_response())
}
