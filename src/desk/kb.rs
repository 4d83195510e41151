//! The knowledge base through the doors: anyone reads and searches published articles,
//! editors (agents an admin granted a queue) write them, admins grant. Article text goes
//! through the redactor like every other text: a customer's address pasted into a public
//! article is the very leak the desk exists to prevent, so it is masked and the editor is
//! told how many values were.

mod index;
mod render;
mod tree;

use std::sync::{Arc, RwLock};

use crate::auth::{VoteKey, VotePurpose};
use crate::i18n::Lang;
use crate::redact::{MaskBook, MaskKey, Redacted};
use crate::store::{KbArticle, KbDraft, KbText, KbTranslation, now_unix};

use super::{AdminDesk, AgentDesk, Desk, DeskError};

pub use crate::store::{KbEditorRow, KbFigures, KbRevision, KbWeek};
pub use tree::Tree;

/// Most characters of a title and of a body.
const MAX_TITLE_CHARS: usize = 200;
const MAX_BODY_CHARS: usize = 100_000;

/// How many articles the preview suggests.
pub const SUGGESTIONS: usize = 3;

/// The search index an instance holds, rebuilt when the database says it is stale.
#[derive(Default)]
pub(super) struct KbSearch(RwLock<Arc<index::Index>>);

/// An article as a listing or a search shows it.
#[derive(Debug, Clone)]
pub struct KbLink {
    pub slug: String,
    pub title: String,
    pub lang: Lang,
    pub category: String,
}

/// One category of the public listing.
#[derive(Debug, Clone)]
pub struct KbCategory {
    pub category: String,
    pub articles: Vec<KbLink>,
}

/// A published article (or one step of a decision tree) ready for its public page.
#[derive(Debug, Clone)]
pub struct KbPage {
    pub slug: String,
    pub category: String,
    pub title: String,
    /// Sanitised HTML.
    pub html: String,
    /// The language shown, and the other one when the article has it too.
    pub lang: Lang,
    pub other: Option<Lang>,
    /// The step shown, for a decision tree.
    pub step: Option<String>,
    pub tree: bool,
}

/// What an editor typed on the article form, before any check.
#[derive(Debug, Clone, Default)]
pub struct KbForm {
    pub queue: String,
    pub slug: String,
    pub category: String,
    pub tree: bool,
    pub title_en: String,
    pub body_en: String,
    pub title_ru: String,
    pub body_ru: String,
}

impl KbForm {
    /// The form filled from a stored article.
    pub fn of(article: &KbArticle) -> KbForm {
        let part = |t: &Option<KbTranslation>| {
            t.as_ref()
                .map(|t| (t.title.clone(), t.body.clone()))
                .unwrap_or_default()
        };
        let (title_en, body_en) = part(&article.en);
        let (title_ru, body_ru) = part(&article.ru);
        KbForm {
            queue: article.queue.clone(),
            slug: article.slug.clone(),
            category: article.category.clone(),
            tree: article.tree,
            title_en,
            body_en,
            title_ru,
            body_ru,
        }
    }
}

/// A field the article form must fix: catalogue key, and the step it names for a tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KbFieldError {
    pub field: &'static str,
    pub key: &'static str,
    pub step: String,
}

/// What a save did.
#[derive(Debug, Clone)]
pub enum KbSaved {
    Saved { id: i64, masked: u32 },
    Refused(Vec<KbFieldError>),
}

fn field(field: &'static str, key: &'static str) -> KbFieldError {
    KbFieldError {
        field,
        key,
        step: String::new(),
    }
}

/// Addresses under `/kb/` that the desk's own pages take: an article there could never be read.
const RESERVED_SLUGS: &[&str] = &["search"];

fn valid_slug(slug: &str) -> bool {
    (1..=80).contains(&slug.len())
        && !slug.starts_with('-')
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// The form's checks that need no database: slug, category, languages, lengths, trees.
fn check(form: &KbForm) -> Vec<KbFieldError> {
    let mut errors = Vec::new();
    if !valid_slug(form.slug.trim()) {
        errors.push(field("slug", "kb-error-slug"));
    } else if RESERVED_SLUGS.contains(&form.slug.trim()) {
        errors.push(field("slug", "kb-error-slug-reserved"));
    }
    if !valid_slug(form.category.trim()) || form.category.len() > 40 {
        errors.push(field("category", "kb-error-category"));
    }
    let languages = [
        ("title_en", "body_en", &form.title_en, &form.body_en),
        ("title_ru", "body_ru", &form.title_ru, &form.body_ru),
    ];
    let mut any = false;
    for (title_field, body_field, title, body) in languages {
        let (title, body) = (title.trim(), body.trim());
        if title.is_empty() && body.is_empty() {
            continue;
        }
        any = true;
        if title.is_empty() || title.chars().count() > MAX_TITLE_CHARS {
            errors.push(field(title_field, "kb-error-title"));
        }
        if body.is_empty() || body.chars().count() > MAX_BODY_CHARS {
            errors.push(field(body_field, "kb-error-body"));
        } else if form.tree
            && let Err(refusal) = Tree::parse(body)
        {
            errors.push(KbFieldError {
                field: body_field,
                key: refusal.key,
                step: refusal.step,
            });
        }
    }
    if !any {
        errors.push(field("title_en", "kb-error-no-language"));
    }
    errors
}

fn translation_in(article: &KbArticle, lang: Lang) -> Option<&KbTranslation> {
    match lang {
        Lang::En => article.en.as_ref(),
        Lang::Ru => article.ru.as_ref(),
    }
}

fn other_lang(lang: Lang) -> Lang {
    match lang {
        Lang::En => Lang::Ru,
        Lang::Ru => Lang::En,
    }
}

impl Desk {
    /// The search index as the database now stands: rebuilt when any instance changed a
    /// published article since it was built (one small read per search).
    async fn kb_index(&self) -> Result<Arc<index::Index>, DeskError> {
        let generation = self.store.kb_generation().await?;
        let current = self
            .kb
            .0
            .read()
            .map(|held| Arc::clone(&held))
            .unwrap_or_default();
        if current.generation == generation {
            return Ok(current);
        }
        let articles = self.store.kb_published().await?;
        let fresh = Arc::new(index::Index::build(generation, &articles));
        if let Ok(mut held) = self.kb.0.write() {
            *held = Arc::clone(&fresh);
        }
        Ok(fresh)
    }

    /// The published articles by category, each in `lang` where it has that translation.
    pub async fn kb_listing(&self, lang: Lang) -> Result<Vec<KbCategory>, DeskError> {
        let mut categories: Vec<KbCategory> = Vec::new();
        for article in self.store.kb_published().await? {
            let (shown, text) = match translation_in(&article, lang) {
                Some(text) => (lang, text),
                None => match translation_in(&article, other_lang(lang)) {
                    Some(text) => (other_lang(lang), text),
                    None => continue,
                },
            };
            let link = KbLink {
                slug: article.slug.clone(),
                title: text.title.clone(),
                lang: shown,
                category: article.category.clone(),
            };
            match categories.last_mut() {
                Some(last) if last.category == article.category => last.articles.push(link),
                _ => categories.push(KbCategory {
                    category: article.category.clone(),
                    articles: vec![link],
                }),
            }
        }
        Ok(categories)
    }

    /// A published article, or one step of a published decision tree; `NotFound` for
    /// drafts, unknown slugs and steps.
    /// `keep_lang` is the language a page asked for with `?lang=`, which a tree's answer
    /// links carry along.
    pub async fn kb_page(
        &self,
        slug: &str,
        step: Option<&str>,
        lang: Lang,
        keep_lang: Option<Lang>,
    ) -> Result<KbPage, DeskError> {
        let article = self
            .store
            .kb_published()
            .await?
            .into_iter()
            .find(|a| a.slug == slug)
            .ok_or(DeskError::NotFound)?;
        let (shown, text) = match translation_in(&article, lang) {
            Some(text) => (lang, text),
            None => (
                other_lang(lang),
                translation_in(&article, other_lang(lang)).ok_or(DeskError::NotFound)?,
            ),
        };
        let other = translation_in(&article, other_lang(shown)).map(|_| other_lang(shown));
        let (html, step) = if article.tree {
            let tree = Tree::parse(&text.body).map_err(|_| DeskError::NotFound)?;
            let chosen = match step {
                Some(id) => tree.step(id).ok_or(DeskError::NotFound)?,
                None => tree.start(),
            };
            let base = format!("/kb/{}/", article.slug);
            let query = keep_lang.map_or(String::new(), |l| format!("?lang={}", l.code()));
            let html = render::render(&chosen.body, &|dest| {
                dest.strip_prefix('#')
                    .map(|id| format!("{base}{id}{query}"))
            });
            (html, Some(chosen.id.clone()))
        } else {
            if step.is_some() {
                return Err(DeskError::NotFound);
            }
            (render::render(&text.body, &|_| None), None)
        };
        Ok(KbPage {
            slug: article.slug.clone(),
            category: article.category.clone(),
            title: text.title.clone(),
            html,
            lang: shown,
            other,
            step,
            tree: article.tree,
        })
    }

    /// Published articles matching `query`, best first. The query is neither stored nor
    /// logged: it lives in this call only.
    pub async fn kb_search(
        &self,
        query: &str,
        lang: Lang,
        limit: usize,
    ) -> Result<Vec<KbLink>, DeskError> {
        let index = self.kb_index().await?;
        Ok(index
            .search(query, lang, limit)
            .into_iter()
            .map(|e| KbLink {
                slug: e.slug,
                title: e.title,
                lang: e.lang,
                category: e.category,
            })
            .collect())
    }

    /// The articles the preview suggests for a filing, found by its text as the redactor
    /// leaves it (so a search never sees what will not be stored).
    pub async fn kb_suggest(
        &self,
        subject: &str,
        body: &str,
        lang: Lang,
    ) -> Result<Vec<KbLink>, DeskError> {
        let mut book = MaskBook::new(
            MaskKey::from_bytes(self.keyring.mask_key("preview")),
            Vec::new(),
        );
        let text = format!("{subject}\n{body}");
        let redacted = self
            .redacting(move |redactor| redactor.redact(&text, &mut book).into_inner())
            .await?;
        self.kb_search(&redacted, lang, SUGGESTIONS).await
    }

    /// The one-time key the preview's "this answered my question" carries (see
    /// `auth::VoteKey`).
    pub fn kb_deflection_key(&self) -> Result<String, DeskError> {
        self.kb_vote_key(VotePurpose::Deflection)
    }

    /// The one-time key an article's "Did this help?" carries.
    pub fn kb_helped_key(&self, slug: &str) -> Result<String, DeskError> {
        self.kb_vote_key(VotePurpose::Helped { slug })
    }

    fn kb_vote_key(&self, purpose: VotePurpose<'_>) -> Result<String, DeskError> {
        let key =
            VoteKey::issue(&self.keyring, purpose, now_unix()).map_err(anyhow::Error::from)?;
        Ok(key.as_str().to_owned())
    }

    /// Counts a "Did this help?" answer on a published article if `key` is the one its page
    /// carried and is not spent; nobody is recorded. Whether it counted is not for the
    /// visitor to learn.
    pub async fn kb_feedback(&self, slug: &str, helped: bool, key: &str) -> Result<(), DeskError> {
        let purpose = VotePurpose::Helped { slug };
        match VoteKey::check(&self.keyring, key, purpose, now_unix()) {
            Some(key) => {
                self.store
                    .kb_count_feedback(slug, helped, &key.digest, key.expires_at)
                    .await?;
            }
            // An unknown article still answers "not found", as before.
            None => self.store.kb_published_exists(slug).await?,
        }
        Ok(())
    }

    /// Counts a filing given up on the preview because an article answered it, once per
    /// preview the desk made.
    pub async fn kb_deflected(&self, key: &str) -> Result<(), DeskError> {
        if let Some(key) = VoteKey::check(&self.keyring, key, VotePurpose::Deflection, now_unix()) {
            self.store
                .kb_count_deflection(&key.digest, key.expires_at)
                .await?;
        }
        Ok(())
    }

    /// Redacts one language of an article.
    async fn kb_redact(
        &self,
        slug: &str,
        title: &str,
        body: &str,
    ) -> Result<Option<(KbText, u32)>, DeskError> {
        let (title, body) = (title.trim().to_owned(), body.trim().to_owned());
        if title.is_empty() {
            return Ok(None);
        }
        let mut book = MaskBook::new(
            MaskKey::from_bytes(self.keyring.mask_key(&format!("kb:{slug}"))),
            Vec::new(),
        );
        let (title, body): (Redacted<String>, Redacted<String>) = self
            .redacting(move |redactor| {
                let title = redactor.redact(&title, &mut book);
                let body = redactor.redact(&body, &mut book);
                (title, body)
            })
            .await?;
        let masked = title.counts().total() + body.counts().total();
        Ok(Some((KbText { title, body }, masked)))
    }
}

impl AgentDesk {
    /// The queues whose articles this agent may write.
    pub async fn kb_queues(&self) -> Result<Vec<String>, DeskError> {
        Ok(self.desk.store.kb_editor_queues(&self.scope).await?)
    }

    /// The articles of the queues this agent edits.
    pub async fn kb_articles(&self) -> Result<Vec<KbArticle>, DeskError> {
        Ok(self.desk.store.kb_editor_articles(&self.scope).await?)
    }

    /// One article this agent edits, with its kept saves.
    pub async fn kb_article(&self, id: i64) -> Result<(KbArticle, Vec<KbRevision>), DeskError> {
        let article = self.desk.store.kb_editor_article(&self.scope, id).await?;
        let revisions = self.desk.store.kb_revisions(&self.scope, id).await?;
        Ok((article, revisions))
    }

    /// Saves an article (new when `id` is `None`) after its checks; the text is redacted
    /// first and the count of masked values is handed back for the editor to see.
    pub async fn kb_save(&self, id: Option<i64>, form: &KbForm) -> Result<KbSaved, DeskError> {
        let errors = check(form);
        if !errors.is_empty() {
            return Ok(KbSaved::Refused(errors));
        }
        let slug = form.slug.trim();
        let en = self
            .desk
            .kb_redact(slug, &form.title_en, &form.body_en)
            .await?;
        let ru = self
            .desk
            .kb_redact(slug, &form.title_ru, &form.body_ru)
            .await?;
        let masked = en.as_ref().map_or(0, |t| t.1) + ru.as_ref().map_or(0, |t| t.1);
        let draft = KbDraft {
            queue: form.queue.clone(),
            slug: slug.to_owned(),
            category: form.category.trim().to_owned(),
            tree: form.tree,
            en: en.map(|t| t.0),
            ru: ru.map(|t| t.0),
            masked,
        };
        let id = self.desk.store.kb_save(&self.scope, id, &draft).await?;
        Ok(KbSaved::Saved { id, masked })
    }

    /// Publishes or withdraws an article this agent edits.
    pub async fn kb_publish(&self, id: i64, published: bool) -> Result<(), DeskError> {
        Ok(self
            .desk
            .store
            .kb_set_published(&self.scope, id, published)
            .await?)
    }

    /// Makes a draft article of one of the agent's public replies on a resolved ticket of
    /// a queue this agent edits, from the stored (redacted) text only. The draft gets a
    /// random slug, so nothing public points back at the ticket.
    pub async fn kb_draft_from_ticket(
        &self,
        reference: &crate::domain::Reference,
        message_id: i64,
    ) -> Result<i64, DeskError> {
        let random: [u8; 5] =
            crate::crypto::os_random().map_err(|e| DeskError::Internal(anyhow::anyhow!("{e}")))?;
        let slug = format!("draft-{}", hex::encode(random));
        let ticket = self.ticket(reference).await?;
        let russian = ticket
            .messages
            .iter()
            .find(|m| m.message_id() == message_id)
            .is_some_and(|m| Lang::of_text(&m.body) == Lang::Ru);
        Ok(self
            .desk
            .store
            .kb_draft_from_reply(
                &self.scope,
                reference.as_str(),
                message_id,
                &slug,
                // The requester wrote the ticket's subject: the draft takes a title of the
                // desk's own for the editor to replace, so only the agent's reply is copied.
                &if russian { Lang::Ru } else { Lang::En }.text("kb-draft-title"),
                russian,
            )
            .await?)
    }
}

impl AdminDesk {
    pub async fn kb_editors(&self) -> Result<Vec<KbEditorRow>, DeskError> {
        Ok(self.desk.store.kb_editors(&self.admin).await?)
    }

    /// Lets `agent` write the articles of `queue`; `NotFound` for an unknown one.
    pub async fn kb_grant(&self, agent: &str, queue: &str) -> Result<(), DeskError> {
        Ok(self
            .desk
            .store
            .kb_grant_editor(&self.admin, agent, queue)
            .await?)
    }

    pub async fn kb_revoke(&self, agent: &str, queue: &str) -> Result<(), DeskError> {
        Ok(self
            .desk
            .store
            .kb_revoke_editor(&self.admin, agent, queue)
            .await?)
    }

    /// Self-service figures from `since_week` (days since the epoch / 7) on.
    pub async fn kb_figures(&self, since_week: i64) -> Result<KbFigures, DeskError> {
        Ok(self.desk.store.kb_figures(since_week).await?)
    }
}
