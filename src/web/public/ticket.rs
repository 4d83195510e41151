//! The ticket page behind the secret link: read, reply, delete.

use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use crate::desk::{RequesterDesk, TicketView};
use crate::domain::{Author, ReplyInput, Status};
use crate::web::WebState;
use crate::web::error::{FieldError, Rendered, WebError, WebResult};
use crate::web::extract::{FormFields, TokenPath};
use crate::web::lang::{PageLang, Tr};

pub struct MessageView {
    pub from_requester: bool,
    pub body: String,
    pub when: String,
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
    fn new(t: Tr, token: String, view: TicketView) -> Self {
        TicketPage {
            reference: view.reference.to_string(),
            status: public_status_key(view.status),
            subject: view.subject,
            created: t.time(view.created_at),
            reply_action: format!("/t/{token}/reply"),
            delete_action: format!("/t/{token}/delete"),
            refused: None,
            messages: view
                .messages
                .into_iter()
                .map(|m| MessageView {
                    from_requester: m.author == Author::Requester,
                    body: m.body,
                    when: t.time(m.created_at),
                })
                .collect(),
            errors: Vec::new(),
            draft: String::new(),
            reply_address: None,
            t,
        }
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
    Ok(TicketPage {
        reply_address: requester.reply_address().await?,
        ..TicketPage::new(tr, token, view)
    })
}

pub async fn reply(
    State(state): State<WebState>,
    PageLang(tr): PageLang,
    TokenPath(token): TokenPath,
    form: FormFields,
) -> WebResult<Response> {
    let requester = requester(&state, &token).await?;
    let text = form.get("body").unwrap_or_default();
    let error = match ReplyInput::parse(text) {
        Ok(input) => match requester.reply(input).await {
            Ok(_) => {
                let back = tr.href(&format!("/t/{token}"));
                return Ok(Redirect::to(&format!("{back}#latest")).into_response());
            }
            Err(e) => WebError::from(e),
        },
        Err(e) => WebError::Invalid(vec![FieldError::from(&e)]),
    };
    match error {
        WebError::Invalid(errors) => {
            let view = requester.view().await?;
            let page = TicketPage {
                errors,
                draft: text.to_owned(),
                ..TicketPage::new(tr, token, view)
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Extension(Rendered), page).into_response())
        }
        other => Err(other),
    }
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
