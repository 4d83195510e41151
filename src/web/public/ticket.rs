//! The ticket page behind the secret link: read, reply, delete.

use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::human_time;
use crate::app::AppState;
use crate::auth::digest_presented_token;
use crate::domain::{Author, ReplyInput};
use crate::store::{RequesterGrant, TicketView};
use crate::web::error::{FieldError, Rendered, WebError, WebResult};
use crate::web::extract::{FormFields, TokenPath};

pub struct MessageView {
    pub from_requester: bool,
    pub body: String,
    pub when: String,
}

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "public/ticket.html")]
pub struct TicketPage {
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
    fn new(token: String, view: TicketView) -> Self {
        TicketPage {
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
    pub token: String,
    pub reference: String,
}

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "public/deleted.html")]
pub struct DeletedPage {
    pub reference: String,
    pub when: String,
    pub receipt: String,
}

/// The ticket's secret reply address, `support+TOKEN@domain`, if it has one.
pub(crate) async fn reply_address(
    state: &AppState,
    grant: &RequesterGrant,
) -> WebResult<Option<String>> {
    let token = state.desk.reply_token(grant).await?;
    Ok(token.map(|token| state.desk.outgoing.support.with_tag(&token)))
}

/// Resolves a presented token to a grant; unknown and malformed tokens take the same path.
pub(crate) async fn grant(state: &AppState, token: &str) -> WebResult<RequesterGrant> {
    let digest = digest_presented_token(&state.desk.keyring, token);
    Ok(state.desk.store.requester_grant(digest).await?)
}

pub async fn show(
    State(state): State<AppState>,
    TokenPath(token): TokenPath,
) -> WebResult<TicketPage> {
    let grant = grant(&state, &token).await?;
    let view = state.desk.store.requester_view(&grant).await?;
    Ok(TicketPage {
        reply_address: reply_address(&state, &grant).await?,
        ..TicketPage::new(token, view)
    })
}

pub async fn reply(
    State(state): State<AppState>,
    TokenPath(token): TokenPath,
    form: FormFields,
) -> WebResult<Response> {
    let grant = grant(&state, &token).await?;
    let text = form.get("body").unwrap_or_default();
    let error = match ReplyInput::parse(text) {
        Ok(input) => match state.desk.add_reply(&grant, input).await {
            Ok(_) => return Ok(Redirect::to(&format!("/t/{token}#latest")).into_response()),
            Err(e) => WebError::from(e),
        },
        Err(e) => WebError::Invalid(vec![FieldError::from(&e)]),
    };
    match error {
        WebError::Invalid(errors) => {
            let view = state.desk.store.requester_view(&grant).await?;
            let page = TicketPage {
                errors,
                draft: text.to_owned(),
                ..TicketPage::new(token, view)
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Extension(Rendered), page).into_response())
        }
        other => Err(other),
    }
}

/// Two steps without JavaScript: the first POST asks for confirmation, the second
/// (carrying `confirm=yes`) deletes.
pub async fn delete(
    State(state): State<AppState>,
    TokenPath(token): TokenPath,
    form: FormFields,
) -> WebResult<Response> {
    let grant = grant(&state, &token).await?;
    if form.get("confirm") != Some("yes") {
        let page = ConfirmDeletePage {
            token,
            reference: grant.reference().to_string(),
        };
        return Ok(page.into_response());
    }
    let deletion = state.desk.delete_now(grant).await?;
    Ok(DeletedPage {
        reference: deletion.tombstone.reference.to_string(),
        when: human_time(deletion.tombstone.deleted_at),
        receipt: deletion.receipt,
    }
    .into_response())
}
