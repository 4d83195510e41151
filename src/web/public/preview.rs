//! `POST /tickets/preview`: shows the requester, before anything is stored, what will be
//! masked and with which label, and lets them keep the findings that rules allow keeping.
//! No JavaScript: the preview is a page with the form's fields carried along, one checkbox
//! per choice, and an "Edit" button that posts the fields back to the form.
//!
//! Files are not carried across: the preview reads the form's text and drops its files
//! unread, names them, and asks for them again on its own file input. A browser cannot
//! refill a file input, and holding the files on the server between the two steps would keep
//! a requester's unscreened, unredacted files for an abandoned preview; asking again keeps
//! nothing and works without JavaScript.

use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::form::{NewTicketPage, category_options, sealed_days};
use crate::desk::PlannedMask;
use crate::desk::RequesterKey;
use crate::domain::NewTicketInput;
use crate::web::WebState;
use crate::web::error::{FieldError, Rendered, WebError, WebResult};
use crate::web::lang::{PageLang, Tr};
use crate::web::upload::Upload;

/// A run of the text: plain, or a finding with how it will be stored.
pub struct Segment {
    pub text: String,
    pub finding: Option<FindingView>,
}

pub struct FindingView {
    /// The label as it will be stored: `[PHONE-1]`.
    pub mask: String,
    /// `subject:START:END`, the value of its keep checkbox; `None` when it cannot be kept.
    pub keep_key: Option<String>,
}

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "public/preview.html")]
pub struct PreviewPage {
    pub t: crate::web::lang::Tr,
    pub subject: Vec<Segment>,
    pub body: Vec<Segment>,
    pub findings: usize,
    pub keepable: usize,
    pub fields: Vec<(&'static str, String)>,
    /// Where replies will go, shown (not only carried as a hidden field), so a form posted
    /// from elsewhere cannot slip in an address the requester never sees.
    pub contact: Option<String>,
    /// The attached OpenPGP key, described for the same reason.
    pub key: Option<String>,
    /// Names of the files chosen on the form, which must be chosen again here.
    pub chosen_files: Vec<String>,
    pub sealed_days: Option<i64>,
    pub files: super::form::FileLimits,
    /// Published articles about what the filing says, found by its redacted text.
    pub suggestions: Vec<crate::desk::KbLink>,
    /// The one-time key "this answered my question" carries, so one preview counts once.
    pub answered_key: String,
}

pub async fn show(
    State(state): State<WebState>,
    PageLang(tr): PageLang,
    upload: Upload,
) -> WebResult<Response> {
    let chosen_files: Vec<String> = upload.files.iter().map(|f| f.name.clone()).collect();
    let form = upload.fields;
    let sealed_days = sealed_days(&state).await;
    let field = |name| form.get(name).unwrap_or_default();
    let input = match NewTicketInput::parse(
        field("subject"),
        field("body"),
        field("category"),
        form.get("contact"),
        form.get("pgp_key"),
    ) {
        Ok(input) => input,
        Err(errors) => {
            let page = NewTicketPage {
                t: tr,
                categories: category_options(form.get("category")),
                subject: field("subject").to_owned(),
                body: field("body").to_owned(),
                errors: errors.iter().map(FieldError::from).collect(),
                fingerprint: state.helpdesk_fingerprint.to_string(),
                contact: String::new(),
                pgp_key: String::new(),
                refused: None,
                sealed_days,
                files: super::form::FileLimits::of(&state),
            };
            return Ok(
                (StatusCode::UNPROCESSABLE_ENTITY, Extension(Rendered), page).into_response(),
            );
        }
    };
    if form.get("website").is_some_and(|v| !v.is_empty()) {
        return Err(WebError::BadRequest("new-honeypot"));
    }
    let (subject_masks, body_masks) = state.desk.preview(&input.subject, &input.body).await?;
    let subject = segments("subject", &input.subject, subject_masks);
    let body = segments("body", &input.body, body_masks);
    let all = || {
        subject
            .iter()
            .chain(&body)
            .filter_map(|s| s.finding.as_ref())
    };
    // Suggestions help but are not needed to file: a failing search leaves them out.
    let suggestions = state
        .desk
        .kb_suggest(&input.subject, &input.body, tr.language())
        .await
        .unwrap_or_else(|e| {
            tracing::warn!(error = %e, "no article suggestions for a preview");
            Vec::new()
        });
    let answered_key = if suggestions.is_empty() {
        String::new()
    } else {
        state.desk.kb_deflection_key()?
    };
    let contact = input.contact.as_ref().map(|c| c.as_str().to_owned());
    let key = input.pgp_key.as_deref().map(|key| describe_key(&tr, key));
    let page = PreviewPage {
        t: tr,
        contact,
        key,
        chosen_files,
        sealed_days,
        files: super::form::FileLimits::of(&state),
        suggestions,
        answered_key,
        findings: all().count(),
        keepable: all().filter(|f| f.keep_key.is_some()).count(),
        fields: vec![
            ("subject", input.subject.clone()),
            ("body", input.body.clone()),
            ("category", input.category.id().to_owned()),
            ("contact", field("contact").to_owned()),
            ("pgp_key", field("pgp_key").to_owned()),
        ],
        subject,
        body,
    };
    Ok(page.into_response())
}

/// The key as the requester can recognise it: fingerprint and the addresses it names.
fn describe_key(tr: &Tr, armored: &str) -> String {
    match RequesterKey::parse(armored) {
        Ok(key) if key.user_emails.is_empty() => {
            tr.a("preview-key", "fingerprint", &key.fingerprint)
        }
        Ok(key) => tr.a2(
            "preview-key-with-addresses",
            "fingerprint",
            &key.fingerprint,
            "addresses",
            key.user_emails.join(", "),
        ),
        Err(_) => tr.t("preview-key-unreadable"),
    }
}

fn segments(field: &str, text: &str, masks: Vec<PlannedMask>) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut last = 0;
    for PlannedMask {
        finding,
        mask,
        may_keep,
    } in masks
    {
        if finding.start > last {
            out.push(Segment {
                text: text[last..finding.start].to_owned(),
                finding: None,
            });
        }
        out.push(Segment {
            text: text[finding.start..finding.end].to_owned(),
            finding: Some(FindingView {
                mask,
                keep_key: may_keep.then(|| format!("{field}:{}:{}", finding.start, finding.end)),
            }),
        });
        last = finding.end;
    }
    if last < text.len() {
        out.push(Segment {
            text: text[last..].to_owned(),
            finding: None,
        });
    }
    out
}
