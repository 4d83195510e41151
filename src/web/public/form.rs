//! `GET /` shows the form; `POST /tickets` files the ticket and shows the access link once;
//! `POST /tickets/edit` shows the form again filled with what the preview carried.

use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::access_link;
use crate::domain::{Category, KeepChoices, NewTicketInput};
use crate::redact::RedactionCounts;
use crate::web::WebState;
use crate::web::error::{FieldError, Rendered, WebError, WebResult};
use crate::web::extract::FormFields;
use crate::web::lang::{PageLang, Tr};

/// Name of the field people never see and bots fill in.
const HONEYPOT: &str = "website";

pub struct CategoryOption {
    pub id: &'static str,
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
    /// Why the last submission was not taken (nothing was stored), in the reader's language.
    pub refused: Option<String>,
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
            refused: None,
        }
    }
}

impl NewTicketPage {
    /// The form again with everything the requester wrote, as they wrote it.
    pub(super) fn refilled(state: &WebState, t: Tr, form: &FormFields) -> Self {
        let field = |name| form.get(name).unwrap_or_default().to_owned();
        NewTicketPage {
            categories: category_options(form.get("category")),
            subject: field("subject"),
            body: field("body"),
            contact: field("contact"),
            pgp_key: field("pgp_key"),
            ..NewTicketPage::new(state, t)
        }
    }
}

/// Counts by mask label (`PHONE`: 2), so the page says what was masked, not which rule did.
fn by_mask_label(state: &WebState, counts: &RedactionCounts) -> Vec<(String, u32)> {
    let mut labels: std::collections::BTreeMap<String, u32> = Default::default();
    for (rule, count) in counts.iter() {
        let label = state.desk.mask_label_of(rule).unwrap_or("other");
        *labels.entry(label.to_owned()).or_default() += count;
    }
    labels.into_iter().collect()
}

pub(super) fn category_options(selected: Option<&str>) -> Vec<CategoryOption> {
    Category::ALL
        .into_iter()
        .map(|c| CategoryOption {
            id: c.id(),
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
    /// What was masked, by kind of value (mask label), never by rule.
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
    NewTicketPage::refilled(&state, tr, &form)
}

pub async fn submit(
    State(state): State<WebState>,
    PageLang(tr): PageLang,
    form: FormFields,
) -> WebResult<Response> {
    if form.get(HONEYPOT).is_some_and(|v| !v.is_empty()) {
        let refused = tr.t("new-honeypot");
        let page = NewTicketPage {
            refused: Some(refused),
            ..NewTicketPage::refilled(&state, tr, &form)
        };
        return Ok((StatusCode::BAD_REQUEST, Extension(Rendered), page).into_response());
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
        language: Some(tr.language()),
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
                redactions: by_mask_label(&state, &filed.redactions),
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
