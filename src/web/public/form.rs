//! `GET /` shows the form; `POST /tickets` files the ticket and shows the access link once;
//! `POST /tickets/edit` shows the form again filled with what the preview carried.

use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::access_link;
use crate::domain::{Category, KeepChoices, NewTicketInput};
use crate::web::WebState;
use crate::web::error::{FieldError, Rendered, WebError, WebResult};
use crate::web::extract::FormFields;
use crate::web::lang::{PageLang, Tr};

/// Name of the field people never see and bots fill in.
const HONEYPOT: &str = "website";

pub struct CategoryOption {
    pub id: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "public/new.html")]
pub struct NewTicketPage {
    pub t: crate::web::lang::Tr,
    pub categories: Vec<CategoryOption>,
    pub subject: String,
    pub body: String,
    pub errors: Vec<FieldError>,
    pub fingerprint: String,
    /// Filled only when coming back from the preview, which already held them.
    pub contact: String,
    pub pgp_key: String,
}

impl NewTicketPage {
    fn new(state: &WebState, t: Tr) -> Self {
        NewTicketPage {
            t,
            categories: category_options(None),
            subject: String::new(),
            body: String::new(),
            errors: Vec::new(),
            fingerprint: state.helpdesk_fingerprint.to_string(),
            contact: String::new(),
            pgp_key: String::new(),
        }
    }
}

pub(super) fn category_options(selected: Option<&str>) -> Vec<CategoryOption> {
    Category::ALL
        .into_iter()
        .map(|c| CategoryOption {
            id: c.id(),
            label: c.label(),
            selected: Some(c.id()) == selected,
        })
        .collect()
}

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "public/created.html")]
pub struct CreatedPage {
    pub t: crate::web::lang::Tr,
    pub reference: String,
    pub link: String,
    pub path: String,
    pub redactions: Vec<(String, u32)>,
}

pub async fn show(State(state): State<WebState>, PageLang(tr): PageLang) -> NewTicketPage {
    NewTicketPage::new(&state, tr)
}

/// Back from the preview to the form, every field as it was. The fields travel in the
/// request itself: nothing is stored and no cookie is set, so an abandoned edit leaves no
/// trace on the server.
pub async fn edit(
    State(state): State<WebState>,
    PageLang(tr): PageLang,
    form: FormFields,
) -> NewTicketPage {
    let field = |name| form.get(name).unwrap_or_default().to_owned();
    NewTicketPage {
        categories: category_options(form.get("category")),
        subject: field("subject"),
        body: field("body"),
        contact: field("contact"),
        pgp_key: field("pgp_key"),
        ..NewTicketPage::new(&state, tr)
    }
}

pub async fn submit(
    State(state): State<WebState>,
    PageLang(tr): PageLang,
    form: FormFields,
) -> WebResult<Response> {
    if form.get(HONEYPOT).is_some_and(|v| !v.is_empty()) {
        return Err(WebError::BadRequest(
            "This form could not be accepted. If you are a person, leave the field marked “Leave this empty” empty and send it again.",
        ));
    }
    let field = |name| form.get(name).unwrap_or_default();
    let input = NewTicketInput::parse(
        field("subject"),
        field("body"),
        field("category"),
        form.get("contact"),
        form.get("pgp_key"),
    )
    .map(|input| NewTicketInput {
        keep: KeepChoices::parse(form.get_all("keep")),
        ..input
    });
    let outcome = match input {
        Ok(input) => state.desk.file_ticket(input).await.map_err(WebError::from),
        Err(errors) => Err(WebError::from(crate::desk::DeskError::Invalid(errors))),
    };
    match outcome {
        Ok(filed) => {
            let path = format!("/t/{}", filed.token.as_str());
            let page = CreatedPage {
                t: tr,
                reference: filed.reference.to_string(),
                link: access_link(&state, &path),
                path,
                redactions: filed
                    .redactions
                    .iter()
                    .map(|(r, n)| (r.to_owned(), n))
                    .collect(),
            };
            Ok((StatusCode::CREATED, page).into_response())
        }
        // Show the form again with the problems; the contact address and key are not echoed.
        Err(WebError::Invalid(errors)) => {
            let page = NewTicketPage {
                categories: category_options(form.get("category")),
                subject: field("subject").to_owned(),
                body: field("body").to_owned(),
                errors,
                ..NewTicketPage::new(&state, tr)
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Extension(Rendered), page).into_response())
        }
        Err(other) => Err(other),
    }
}
