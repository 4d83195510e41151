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
use crate::web::upload::Upload;

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
    /// Days sealed attachments are kept, told beside the file input; `None` when the desk
    /// could not say just now.
    pub sealed_days: Option<i64>,
    pub files: FileLimits,
}

/// The attachment limits, as the file input's hint tells them.
#[derive(Clone, Copy)]
pub struct FileLimits {
    pub count: usize,
    pub megabytes: usize,
}

impl FileLimits {
    pub(super) fn of(state: &WebState) -> Self {
        let limits = &state.config.attachments;
        FileLimits {
            count: limits.max_count,
            megabytes: limits.max_bytes.div_ceil(1024 * 1024),
        }
    }
}

impl NewTicketPage {
    pub(super) fn new(state: &WebState, t: Tr) -> Self {
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
            sealed_days: None,
            files: FileLimits::of(state),
        }
    }

    /// The page with the retention of sealed attachments filled in.
    pub(super) async fn with_days(self, state: &WebState) -> Self {
        NewTicketPage {
            sealed_days: sealed_days(state).await,
            ..self
        }
    }
}

/// Days sealed attachments are kept, as the pages tell requesters. A failure to read it
/// leaves the sentence without the number rather than failing the page.
pub(super) async fn sealed_days(state: &WebState) -> Option<i64> {
    match state.desk.sealed_attachment_days().await {
        Ok(days) => Some(days),
        Err(err) => {
            tracing::warn!(error = %err, "reading the attachment retention failed");
            None
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
fn by_mask_label<'a>(
    state: &WebState,
    counts: impl Iterator<Item = (&'a str, u32)>,
) -> Vec<(String, u32)> {
    let mut labels: std::collections::BTreeMap<String, u32> = Default::default();
    for (rule, count) in counts {
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
    /// Files the ticket was filed without, for want of a virus scan.
    pub held_back: Option<String>,
    /// Files kept with the ticket.
    pub files: usize,
}

pub async fn show(State(state): State<WebState>, PageLang(tr): PageLang) -> NewTicketPage {
    NewTicketPage::new(&state, tr).with_days(&state).await
}

/// The sentence telling which files were left out and why.
pub(super) fn held_back_text(tr: &Tr, held_back: Option<&crate::desk::HeldBack>) -> Option<String> {
    held_back.map(|h| {
        let key = match h.why {
            crate::desk::Unscanned::ScannerDown => "attachments-held-back",
            // Not a passing outage: this desk takes no such files until a scanner is set up.
            crate::desk::Unscanned::NoScanner => "attachments-held-back-no-scanner",
        };
        tr.a(key, "names", h.names.join(", "))
    })
}

/// Back from the preview to the form, every field as it was. The fields travel in the
/// request itself: nothing is stored and no cookie is set, so an abandoned edit leaves no
/// trace on the server.
pub async fn edit(
    State(state): State<WebState>,
    PageLang(tr): PageLang,
    upload: Upload,
) -> NewTicketPage {
    NewTicketPage::refilled(&state, tr, &upload.fields)
        .with_days(&state)
        .await
}

/// Files the ticket with the files it carries. A file over a limit, one that carries
/// malware or an image that cannot be read refuses the whole submission: nothing is stored
/// and the form comes back with the text and the reason.
pub async fn submit(
    State(state): State<WebState>,
    PageLang(tr): PageLang,
    upload: Upload,
) -> WebResult<Response> {
    let Upload {
        fields: form,
        files,
        refused,
    } = upload;
    if form.get(HONEYPOT).is_some_and(|v| !v.is_empty()) {
        let refused = tr.t("new-honeypot");
        let page = NewTicketPage {
            refused: Some(refused),
            ..NewTicketPage::refilled(&state, tr, &form)
        };
        return Ok((StatusCode::BAD_REQUEST, Extension(Rendered), page).into_response());
    }
    if let Some(refusal) = refused {
        let status = if refusal.too_large {
            StatusCode::PAYLOAD_TOO_LARGE
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        let page = NewTicketPage {
            errors: vec![refusal.error],
            ..NewTicketPage::refilled(&state, tr, &form)
        }
        .with_days(&state)
        .await;
        return Ok((status, Extension(Rendered), page).into_response());
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
        Ok(input) => state
            .desk
            .file_ticket_with_files(input, files)
            .await
            .map_err(WebError::from),
        Err(errors) => Err(WebError::from(crate::desk::DeskError::Invalid(errors))),
    };
    match outcome {
        Ok(filed) => {
            let path = format!("/t/{}", filed.token.as_str());
            let held_back = held_back_text(&tr, filed.held_back.as_ref());
            let page = CreatedPage {
                t: tr,
                reference: filed.reference.to_string(),
                link: access_link(&state, &path),
                path,
                redactions: by_mask_label(&state, filed.redactions.iter()),
                held_back,
                files: filed.files,
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
            }
            .with_days(&state)
            .await;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Extension(Rendered), page).into_response())
        }
        Err(other) => Err(other),
    }
}
