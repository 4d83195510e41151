//! The editors' knowledge base pages: list, write, publish, and a resolved ticket's reply
//! made a draft. Plain forms, so editing works without JavaScript. Every article read or
//! write repeats the editor grant in its SQL; an article of another queue is a 404.

use axum::Extension;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use crate::desk::{DeskError, KbArticle, KbFieldError, KbForm, KbRevision, KbSaved};
use crate::domain::Reference;
use crate::web::agent::Nav;
use crate::web::error::{Rendered, WebError, WebResult};
use crate::web::lang::Tr;
use crate::web::session::{CsrfForm, CurrentAgent};

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "agent/kb_list.html")]
pub struct KbListPage {
    pub t: Tr,
    pub nav: Nav,
    pub queues: Vec<String>,
    pub articles: Vec<KbArticle>,
}

/// One error of the form, worded.
pub struct FormError {
    pub field: &'static str,
    pub message: String,
}

pub struct RevisionLine {
    pub id: i64,
    pub by: String,
    pub when: String,
    pub masked: i64,
    pub title: String,
}

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "agent/kb_edit.html")]
pub struct KbEditPage {
    pub t: Tr,
    pub nav: Nav,
    /// `None` for a new article.
    pub id: Option<i64>,
    pub published: bool,
    pub form: KbForm,
    pub queues: Vec<String>,
    pub errors: Vec<FormError>,
    /// Values the redactor masked in the last save, to tell the editor.
    pub masked: Option<u32>,
    pub revisions: Vec<RevisionLine>,
}

impl KbEditPage {
    pub fn public_href(&self) -> String {
        self.t.href(&format!("/kb/{}", self.form.slug))
    }

    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

pub async fn list(agent: CurrentAgent) -> WebResult<KbListPage> {
    let queues = agent.desk.kb_queues().await?;
    if queues.is_empty() {
        return Err(WebError::NotFound);
    }
    Ok(KbListPage {
        nav: Nav::load(&agent).await?,
        t: agent.tr.clone(),
        articles: agent.desk.kb_articles().await?,
        queues,
    })
}

pub async fn new(agent: CurrentAgent) -> WebResult<KbEditPage> {
    let queues = agent.desk.kb_queues().await?;
    let Some(first) = queues.first().cloned() else {
        return Err(WebError::NotFound);
    };
    Ok(KbEditPage {
        nav: Nav::load(&agent).await?,
        t: agent.tr.clone(),
        id: None,
        published: false,
        form: KbForm {
            queue: first,
            category: "general".into(),
            ..KbForm::default()
        },
        queues,
        errors: Vec::new(),
        masked: None,
        revisions: Vec::new(),
    })
}

fn revision_lines(tr: &Tr, revisions: Vec<KbRevision>) -> Vec<RevisionLine> {
    revisions
        .into_iter()
        .map(|r| RevisionLine {
            id: r.id,
            by: r.saved_by,
            when: tr.time(r.saved_at),
            masked: r.masked,
            title: r.en.or(r.ru).map(|t| t.title).unwrap_or_default(),
        })
        .collect()
}

async fn edit_page(agent: &CurrentAgent, id: i64, masked: Option<u32>) -> WebResult<KbEditPage> {
    let (article, revisions) = agent.desk.kb_article(id).await?;
    Ok(KbEditPage {
        nav: Nav::load(agent).await?,
        t: agent.tr.clone(),
        id: Some(id),
        published: article.published,
        form: KbForm::of(&article),
        queues: vec![article.queue.clone()],
        errors: Vec::new(),
        masked,
        revisions: revision_lines(&agent.tr, revisions),
    })
}

#[derive(serde::Deserialize)]
pub struct Saved {
    pub masked: Option<u32>,
}

pub async fn edit(
    agent: CurrentAgent,
    Path(id): Path<i64>,
    axum::extract::Query(saved): axum::extract::Query<Saved>,
) -> WebResult<KbEditPage> {
    edit_page(&agent, id, saved.masked).await
}

fn form_of(form: &CsrfForm) -> KbForm {
    let field = |name: &str| form.fields.get(name).unwrap_or_default().to_owned();
    KbForm {
        queue: field("queue"),
        slug: field("slug"),
        category: field("category"),
        tree: form.fields.get("tree").is_some(),
        title_en: field("title_en"),
        body_en: field("body_en"),
        title_ru: field("title_ru"),
        body_ru: field("body_ru"),
    }
}

fn worded(tr: &Tr, errors: Vec<KbFieldError>) -> Vec<FormError> {
    errors
        .into_iter()
        .map(|e| FormError {
            field: e.field,
            message: if e.step.is_empty() {
                tr.t(e.key)
            } else {
                tr.a(e.key, "step", &e.step)
            },
        })
        .collect()
}

async fn save_form(form: CsrfForm, id: Option<i64>) -> WebResult<Response> {
    let typed = form_of(&form);
    let agent = &form.agent;
    let refusal = match agent.desk.kb_save(id, &typed).await {
        Ok(KbSaved::Saved { id, masked }) => {
            return Ok(Redirect::to(&format!("/agent/kb/{id}?masked={masked}")).into_response());
        }
        Ok(KbSaved::Refused(errors)) => worded(&agent.tr, errors),
        Err(DeskError::Conflict(_)) => vec![FormError {
            field: "slug",
            message: agent.tr.t("conflict-kb-slug"),
        }],
        Err(other) => return Err(other.into()),
    };
    let (published, queues, revisions) = match id {
        Some(id) => {
            let (article, revisions) = agent.desk.kb_article(id).await?;
            (
                article.published,
                vec![article.queue],
                revision_lines(&agent.tr, revisions),
            )
        }
        None => (false, agent.desk.kb_queues().await?, Vec::new()),
    };
    let page = KbEditPage {
        nav: Nav::load(agent).await?,
        t: agent.tr.clone(),
        id,
        published,
        form: typed,
        queues,
        errors: refusal,
        masked: None,
        revisions,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Extension(Rendered), page).into_response())
}

pub async fn create(form: CsrfForm) -> WebResult<Response> {
    save_form(form, None).await
}

pub async fn save(Path(id): Path<i64>, form: CsrfForm) -> WebResult<Response> {
    save_form(form, Some(id)).await
}

pub async fn publish(Path(id): Path<i64>, form: CsrfForm) -> WebResult<Response> {
    form.agent.desk.kb_publish(id, true).await?;
    Ok(Redirect::to(&format!("/agent/kb/{id}")).into_response())
}

pub async fn unpublish(Path(id): Path<i64>, form: CsrfForm) -> WebResult<Response> {
    form.agent.desk.kb_publish(id, false).await?;
    Ok(Redirect::to(&format!("/agent/kb/{id}")).into_response())
}

/// `POST /agent/tickets/{reference}/kb-draft`: one reply of a resolved ticket as a draft.
pub async fn from_ticket(Path(reference): Path<String>, form: CsrfForm) -> WebResult<Response> {
    let reference: Reference = reference.parse().map_err(|()| WebError::NotFound)?;
    let message: i64 = form
        .fields
        .get("message")
        .and_then(|m| m.parse().ok())
        .ok_or(WebError::NotFound)?;
    let id = form
        .agent
        .desk
        .kb_draft_from_ticket(&reference, message)
        .await?;
    Ok(Redirect::to(&format!("/agent/kb/{id}")).into_response())
}
