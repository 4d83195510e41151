//! The public knowledge base: listing, articles, decision-tree steps, search, "Did this
//! help?" and the preview's "this answered my question". No script, no cookie, nothing
//! loaded from elsewhere (the requester's policy), and the search words are neither stored
//! nor logged: the access log names the route pattern only, never the query string.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};

use crate::desk::{KbCategory, KbLink, KbPage};
use crate::web::WebState;
use crate::web::error::{WebError, WebResult};
use crate::web::extract::FormFields;
use crate::web::lang::{PageLang, Tr};

/// The most results a search shows.
const RESULTS: usize = 20;

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "public/kb_index.html")]
pub struct KbIndexPage {
    pub t: Tr,
    pub categories: Vec<KbCategory>,
}

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "public/kb_article.html")]
pub struct KbArticlePage {
    pub t: Tr,
    pub page: KbPage,
    pub thanks: bool,
    /// The one-time key "Did this help?" carries, so one page view counts once.
    pub vote_key: String,
}

impl KbArticlePage {
    /// Where "Did this help?" posts: the article's own address, language kept.
    pub fn action(&self) -> String {
        self.t.href(&format!("/kb/{}", self.page.slug))
    }
}

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "public/kb_search.html")]
pub struct KbSearchPage {
    pub t: Tr,
    pub q: String,
    pub results: Vec<KbLink>,
}

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "public/kb_answered.html")]
pub struct KbAnsweredPage {
    pub t: Tr,
}

#[derive(serde::Deserialize, Default)]
pub struct ArticleQuery {
    pub thanks: Option<String>,
}

#[derive(serde::Deserialize, Default)]
pub struct SearchQuery {
    pub q: Option<String>,
}

pub async fn list(State(state): State<WebState>, PageLang(t): PageLang) -> WebResult<KbIndexPage> {
    let categories = state.desk.kb_listing(t.language()).await?;
    Ok(KbIndexPage { t, categories })
}

pub async fn show(
    State(state): State<WebState>,
    PageLang(t): PageLang,
    Path(slug): Path<String>,
    Query(asked): Query<ArticleQuery>,
) -> WebResult<KbArticlePage> {
    let keep = t.explicit().then(|| t.language());
    let page = state.desk.kb_page(&slug, None, t.language(), keep).await?;
    let vote_key = state.desk.kb_helped_key(&page.slug)?;
    Ok(KbArticlePage {
        t,
        page,
        thanks: asked.thanks.is_some(),
        vote_key,
    })
}

pub async fn step(
    State(state): State<WebState>,
    PageLang(t): PageLang,
    Path((slug, step)): Path<(String, String)>,
) -> WebResult<KbArticlePage> {
    let keep = t.explicit().then(|| t.language());
    let page = state
        .desk
        .kb_page(&slug, Some(&step), t.language(), keep)
        .await?;
    let vote_key = state.desk.kb_helped_key(&page.slug)?;
    Ok(KbArticlePage {
        t,
        page,
        thanks: false,
        vote_key,
    })
}

pub async fn search(
    State(state): State<WebState>,
    PageLang(t): PageLang,
    Query(asked): Query<SearchQuery>,
) -> WebResult<KbSearchPage> {
    let q = asked.q.unwrap_or_default();
    let results = if q.trim().is_empty() {
        Vec::new()
    } else {
        state.desk.kb_search(&q, t.language(), RESULTS).await?
    };
    Ok(KbSearchPage { t, q, results })
}

/// `POST /kb/{slug}`: one answer to "Did this help?". Counted per article and week with
/// nothing about who answered, once per page the desk made (its one-time key); no rate limit
/// besides, since one would need to remember addresses.
pub async fn feedback(
    State(state): State<WebState>,
    PageLang(t): PageLang,
    Path(slug): Path<String>,
    fields: FormFields,
) -> WebResult<Response> {
    let helped = match fields.get("helped") {
        Some("yes") => true,
        Some("no") => false,
        _ => return Err(WebError::BadRequest("kb-feedback-unknown")),
    };
    let key = fields.get("key").unwrap_or_default();
    state.desk.kb_feedback(&slug, helped, key).await?;
    let back = t.href(&format!("/kb/{slug}"));
    let joiner = if back.contains('?') { '&' } else { '?' };
    Ok(Redirect::to(&format!("{back}{joiner}thanks=1#kb-feedback")).into_response())
}

/// `POST /tickets/answered`: the requester found their answer on the preview and files
/// nothing; only the week's count goes up, once per preview the desk made.
pub async fn answered(
    State(state): State<WebState>,
    PageLang(t): PageLang,
    fields: FormFields,
) -> WebResult<KbAnsweredPage> {
    state
        .desk
        .kb_deflected(fields.get("key").unwrap_or_default())
        .await?;
    Ok(KbAnsweredPage { t })
}
