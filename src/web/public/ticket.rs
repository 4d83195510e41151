//! The ticket page behind the secret link: read, reply, delete.

use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::human_time;
use crate::desk::{RequesterDesk, TicketView};
use crate::domain::{Author, ReplyInput};
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
    pub token: String,
    pub reference: String,
    pub status: &'static str,
    pub subject: String,
    pub created: String,
    pub messages: Vec<MessageView>,
    pub errors: Vec<FieldError>,
    pub draft: String,
    pub reply_address: Option<String>,
}

impl TicketPage {
    fn new(t: Tr, token: String, view: TicketView) -> Self {
        TicketPage {
            t,
            token,
            reference: view.reference.to_string(),
            status: view.status.describe(),
            subject: view.subject,
            created: human_time(view.created_at),
            messages: view
                .messages
                .into_iter()
                .map(|m| MessageView {
                    from_requester: m.author == Author::Requester,
                    body: m.body,
                    when: human_time(m.created_at),
                })
                .collect(),
            errors: Vec::new(),
            draft: String::new(),
            reply_address: None,
        }
    }
}

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "public/confirm_delete.html")]
pub struct ConfirmDeletePage {
    pub t: crate::web::lang::Tr,
    pub token: String,
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
            Ok(_) => return Ok(Redirect::to(&format!("/t/{token}#latest")).into_response()),
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
            token,
            reference: requester.reference().to_string(),
        };
        return Ok(page.into_response());
    }
    let deletion = requester.delete_now().await?;
    Ok(DeletedPage {
        t: tr,
        reference: deletion.tombstone.reference.to_string(),
        when: human_time(deletion.tombstone.deleted_at),
        receipt: deletion.receipt,
    }
    .into_response())
}
