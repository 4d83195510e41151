//! The knowledge base: editor grants, articles and their revisions, and the anonymous counts
//! (helped, deflected). Articles are not ticket data and nothing here names a ticket, so a
//! ticket's purge never reaches them; the one read of ticket text (a reply made into a
//! draft) copies the stored, already redacted body inside one statement's reach.

use super::audit::log_event;
use super::engine::{query, query_scalar};
use super::error::Conflict;
use super::{AdminScope, AgentScope, Store, StoreError, Tx, now_unix};
use crate::crypto::TokenDigest;
use crate::redact::Redacted;

/// One language of an article: its title and Markdown body, as the redactor left them.
#[derive(Debug, Clone)]
pub struct KbText {
    pub title: Redacted<String>,
    pub body: Redacted<String>,
}

/// What an editor saves.
#[derive(Debug, Clone)]
pub struct KbDraft {
    pub queue: String,
    pub slug: String,
    pub category: String,
    pub tree: bool,
    pub en: Option<KbText>,
    pub ru: Option<KbText>,
    /// How many values the redactor masked in this save, kept with the revision.
    pub masked: u32,
}

/// One language of a stored article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KbTranslation {
    pub title: String,
    pub body: String,
}

/// A stored article.
#[derive(Debug, Clone)]
pub struct KbArticle {
    pub id: i64,
    pub queue: String,
    pub slug: String,
    pub category: String,
    pub published: bool,
    pub tree: bool,
    pub en: Option<KbTranslation>,
    pub ru: Option<KbTranslation>,
    pub updated_at: i64,
}

/// One kept save of an article.
#[derive(Debug, Clone)]
pub struct KbRevision {
    pub id: i64,
    pub saved_by: String,
    pub saved_at: i64,
    pub masked: i64,
    pub en: Option<KbTranslation>,
    pub ru: Option<KbTranslation>,
}

/// Who may edit which queue's articles, as the admin page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KbEditorRow {
    pub agent: String,
    pub queue: String,
}

/// The knowledge base's figures for one week (days since the epoch / 7).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KbWeek {
    pub week: i64,
    pub helped: i64,
    pub not_helped: i64,
    pub deflected: i64,
}

/// Self-service figures, week by week, oldest first: answers to "Did this help?" and
/// filings given up because an article answered them. Counts only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KbFigures {
    pub weeks: Vec<KbWeek>,
}

impl KbFigures {
    pub fn helped(&self) -> i64 {
        self.weeks.iter().map(|w| w.helped).sum()
    }

    pub fn not_helped(&self) -> i64 {
        self.weeks.iter().map(|w| w.not_helped).sum()
    }

    pub fn deflected(&self) -> i64 {
        self.weeks.iter().map(|w| w.deflected).sum()
    }
}

/// The week a moment falls in.
pub fn week_of(unix: i64) -> i64 {
    unix.div_euclid(7 * 86_400)
}

/// The columns `article` reads, as a literal so statements stay `&'static str`.
macro_rules! article_columns {
    () => {
        "a.id, q.name as queue, a.slug, a.category, a.state, a.tree, a.title_en, a.body_en, \
         a.title_ru, a.body_ru, a.updated_at"
    };
}

fn translation(
    row: &super::engine::Row,
    title: &str,
    body: &str,
) -> Result<Option<KbTranslation>, StoreError> {
    let title: Option<String> = row.try_get(title)?;
    let body: Option<String> = row.try_get(body)?;
    Ok(match (title, body) {
        (Some(title), Some(body)) => Some(KbTranslation { title, body }),
        _ => None,
    })
}

fn article(row: &super::engine::Row) -> Result<KbArticle, StoreError> {
    let state: String = row.try_get("state")?;
    let tree: i64 = row.try_get("tree")?;
    Ok(KbArticle {
        id: row.try_get("id")?,
        queue: row.try_get("queue")?,
        slug: row.try_get("slug")?,
        category: row.try_get("category")?,
        published: state == "published",
        tree: tree != 0,
        en: translation(row, "title_en", "body_en")?,
        ru: translation(row, "title_ru", "body_ru")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn parts(text: &Option<KbText>) -> (Option<&str>, Option<&str>) {
    match text {
        Some(t) => (Some(t.title.as_str()), Some(t.body.as_str())),
        None => (None, None),
    }
}

impl Store {
    /// Lets `agent` write the articles of `queue`. Audited.
    pub async fn kb_grant_editor(
        &self,
        admin: &AdminScope,
        agent: &str,
        queue: &str,
    ) -> Result<(), StoreError> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        let granted = query(
            "insert into kb_editors (agent_id, queue_id, granted_by, granted_at) \
             select a.id, q.id, $3, $4 from agents a, queues q where a.name = $1 and q.name = $2 \
             on conflict (agent_id, queue_id) do nothing",
        )
        .bind(agent)
        .bind(queue)
        .bind(admin.agent().name().as_str())
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if granted == 0 && !is_editor_by_name(&mut tx, agent, queue).await? {
            return Err(StoreError::NotFound);
        }
        log_event(
            &mut tx,
            &self.audit_key,
            &admin.actor(),
            "kb_editor_granted",
            None,
            format!("agent={agent} queue={queue}"),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Takes the grant back; `NotFound` if there was none. Audited.
    pub async fn kb_revoke_editor(
        &self,
        admin: &AdminScope,
        agent: &str,
        queue: &str,
    ) -> Result<(), StoreError> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        let revoked = query(
            "delete from kb_editors where agent_id = (select id from agents where name = $1) \
             and queue_id = (select id from queues where name = $2)",
        )
        .bind(agent)
        .bind(queue)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if revoked == 0 {
            return Err(StoreError::NotFound);
        }
        log_event(
            &mut tx,
            &self.audit_key,
            &admin.actor(),
            "kb_editor_revoked",
            None,
            format!("agent={agent} queue={queue}"),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every editor grant.
    pub async fn kb_editors(&self, _admin: &AdminScope) -> Result<Vec<KbEditorRow>, StoreError> {
        let rows = query(
            "select a.name as agent, q.name as queue from kb_editors e \
             join agents a on a.id = e.agent_id join queues q on q.id = e.queue_id \
             order by a.name, q.name",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(KbEditorRow {
                    agent: r.try_get("agent")?,
                    queue: r.try_get("queue")?,
                })
            })
            .collect()
    }

    /// The queues whose articles the agent may write.
    pub async fn kb_editor_queues(&self, scope: &AgentScope) -> Result<Vec<String>, StoreError> {
        Ok(query_scalar(
            "select q.name from kb_editors e join queues q on q.id = e.queue_id \
             where e.agent_id = $1 order by q.name",
        )
        .bind(scope.agent_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The articles of the queues the agent edits, newest change first.
    pub async fn kb_editor_articles(
        &self,
        scope: &AgentScope,
    ) -> Result<Vec<KbArticle>, StoreError> {
        let rows = query(concat!(
            "select ",
            article_columns!(),
            " from kb_articles a join queues q on q.id = a.queue_id \
             join kb_editors e on e.queue_id = a.queue_id and e.agent_id = $1 \
             order by a.updated_at desc, a.id desc"
        ))
        .bind(scope.agent_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(article).collect()
    }

    /// One article the agent edits; `NotFound` for any other.
    pub async fn kb_editor_article(
        &self,
        scope: &AgentScope,
        id: i64,
    ) -> Result<KbArticle, StoreError> {
        let row = query(concat!(
            "select ",
            article_columns!(),
            " from kb_articles a join queues q on q.id = a.queue_id \
             join kb_editors e on e.queue_id = a.queue_id and e.agent_id = $1 where a.id = $2"
        ))
        .bind(scope.agent_id)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        article(&row)
    }

    /// The kept saves of an article the agent edits, newest first.
    pub async fn kb_revisions(
        &self,
        scope: &AgentScope,
        id: i64,
    ) -> Result<Vec<KbRevision>, StoreError> {
        let rows = query(
            "select r.id, r.saved_by, r.saved_at, r.masked, r.title_en, r.body_en, r.title_ru, \
             r.body_ru from kb_revisions r join kb_articles a on a.id = r.article_id \
             join kb_editors e on e.queue_id = a.queue_id and e.agent_id = $1 \
             where r.article_id = $2 order by r.id desc",
        )
        .bind(scope.agent_id)
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(KbRevision {
                    id: r.try_get("id")?,
                    saved_by: r.try_get("saved_by")?,
                    saved_at: r.try_get("saved_at")?,
                    masked: r.try_get("masked")?,
                    en: translation(r, "title_en", "body_en")?,
                    ru: translation(r, "title_ru", "body_ru")?,
                })
            })
            .collect()
    }

    /// Saves an article (a new one when `id` is `None`) and keeps the save as a revision.
    /// The editor grant is checked inside the writes: `NotFound` without one. A published
    /// article stays published, so the generation is raised for the search indexes.
    pub async fn kb_save(
        &self,
        scope: &AgentScope,
        id: Option<i64>,
        draft: &KbDraft,
    ) -> Result<i64, StoreError> {
        let now = now_unix();
        let (title_en, body_en) = parts(&draft.en);
        let (title_ru, body_ru) = parts(&draft.ru);
        let mut tx = self.begin_write().await?;
        let id: i64 = match id {
            None => query_scalar(
                "insert into kb_articles (queue_id, slug, category, state, tree, title_en, \
                 body_en, title_ru, body_ru, created_at, updated_at) \
                 select q.id, $3, $4, 'draft', $5, $6, $7, $8, $9, $10, $10 from queues q \
                 join kb_editors e on e.queue_id = q.id and e.agent_id = $1 where q.name = $2 \
                 returning id",
            )
            .bind(scope.agent_id)
            .bind(draft.queue.as_str())
            .bind(draft.slug.as_str())
            .bind(draft.category.as_str())
            .bind(i64::from(draft.tree))
            .bind(title_en)
            .bind(body_en)
            .bind(title_ru)
            .bind(body_ru)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await
            .map_err(|e| StoreError::on_unique(e, Conflict::KbSlug))?
            .ok_or(StoreError::NotFound)?,
            Some(id) => query_scalar(
                "update kb_articles set slug = $3, category = $4, tree = $5, title_en = $6, \
                 body_en = $7, title_ru = $8, body_ru = $9, updated_at = $10 \
                 where id = $2 and queue_id in \
                 (select queue_id from kb_editors where agent_id = $1) returning id",
            )
            .bind(scope.agent_id)
            .bind(id)
            .bind(draft.slug.as_str())
            .bind(draft.category.as_str())
            .bind(i64::from(draft.tree))
            .bind(title_en)
            .bind(body_en)
            .bind(title_ru)
            .bind(body_ru)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await
            .map_err(|e| StoreError::on_unique(e, Conflict::KbSlug))?
            .ok_or(StoreError::NotFound)?,
        };
        let revision = add_revision(&mut tx, scope, id, draft.masked, now).await?;
        bump_generation(&mut tx).await?;
        log_event(
            &mut tx,
            &self.audit_key,
            &scope.actor(),
            "kb_article_saved",
            None,
            format!(
                "article={id} slug={} revision={revision} masked={}",
                draft.slug, draft.masked
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Publishes or withdraws an article the agent edits. Audited.
    pub async fn kb_set_published(
        &self,
        scope: &AgentScope,
        id: i64,
        published: bool,
    ) -> Result<(), StoreError> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        let slug: String = query_scalar(
            "update kb_articles set state = $3, \
             published_at = case when $3 = 'published' then $4 else published_at end \
             where id = $2 and queue_id in \
             (select queue_id from kb_editors where agent_id = $1) returning slug",
        )
        .bind(scope.agent_id)
        .bind(id)
        .bind(if published { "published" } else { "draft" })
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        bump_generation(&mut tx).await?;
        log_event(
            &mut tx,
            &self.audit_key,
            &scope.actor(),
            if published {
                "kb_article_published"
            } else {
                "kb_article_unpublished"
            },
            None,
            format!("article={id} slug={slug}"),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Makes a draft article of an agent's public reply on a resolved ticket of a queue the
    /// agent edits. The text is copied from what is stored, which only the redactor wrote:
    /// nothing unredacted can reach the article. `NotFound` for anything else. Audited with
    /// the ticket's reference (not secret), never its text.
    pub async fn kb_draft_from_reply(
        &self,
        scope: &AgentScope,
        reference: &str,
        message_id: i64,
        slug: &str,
        title: &str,
        russian: bool,
    ) -> Result<i64, StoreError> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        let row = query(
            "select m.body, t.queue_id from messages m \
             join tickets t on t.id = m.ticket_id \
             join kb_editors e on e.queue_id = t.queue_id and e.agent_id = $1 \
             where t.reference = $2 and m.id = $3 and t.status = 'resolved' \
             and m.author = 'agent' and m.internal = 0 and m.event is null",
        )
        .bind(scope.agent_id)
        .bind(reference)
        .bind(message_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let body: String = row.try_get("body")?;
        let subject = title.to_owned();
        let queue_id: i64 = row.try_get("queue_id")?;
        let (en, ru) = if russian {
            ((None, None), (Some(subject), Some(body)))
        } else {
            ((Some(subject), Some(body)), (None, None))
        };
        let id: i64 = query_scalar(
            "insert into kb_articles (queue_id, slug, category, state, tree, title_en, body_en, \
             title_ru, body_ru, created_at, updated_at) \
             values ($1, $2, 'general', 'draft', 0, $3, $4, $5, $6, $7, $7) returning id",
        )
        .bind(queue_id)
        .bind(slug)
        .bind(en.0)
        .bind(en.1)
        .bind(ru.0)
        .bind(ru.1)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| StoreError::on_unique(e, Conflict::KbSlug))?;
        let revision = add_revision(&mut tx, scope, id, 0, now).await?;
        log_event(
            &mut tx,
            &self.audit_key,
            &scope.actor(),
            "kb_draft_from_ticket",
            Some(reference),
            format!("article={id} slug={slug} message={message_id} revision={revision}"),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Every published article, for the public pages and the search index.
    pub async fn kb_published(&self) -> Result<Vec<KbArticle>, StoreError> {
        let rows = query(concat!(
            "select ",
            article_columns!(),
            " from kb_articles a join queues q on q.id = a.queue_id \
             where a.state = 'published' order by a.category, a.slug"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(article).collect()
    }

    /// The generation of the published articles: raised by every change, so an instance
    /// knows its index is stale whichever instance made the change.
    pub async fn kb_generation(&self) -> Result<i64, StoreError> {
        Ok(
            query_scalar("select generation from kb_generation where id = 1")
                .fetch_optional(&self.pool)
                .await?
                .unwrap_or(0),
        )
    }

    /// Counts one answer to "Did this help?" on a published article; `NotFound` otherwise.
    pub async fn kb_count_feedback(
        &self,
        slug: &str,
        helped: bool,
        key: &TokenDigest,
        key_expires_at: i64,
    ) -> Result<bool, StoreError> {
        let now = now_unix();
        let week = week_of(now);
        let mut tx = self.begin_write().await?;
        let id: i64 =
            query_scalar("select id from kb_articles where slug = $1 and state = 'published'")
                .bind(slug)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NotFound)?;
        if !spend_vote_key(&mut tx, key, key_expires_at, now).await? {
            return Ok(false);
        }
        let sql = if helped {
            "insert into kb_feedback (article_id, week, helped, not_helped) values ($1, $2, 1, 0) \
             on conflict (article_id, week) do update set helped = kb_feedback.helped + 1"
        } else {
            "insert into kb_feedback (article_id, week, helped, not_helped) values ($1, $2, 0, 1) \
             on conflict (article_id, week) do update set not_helped = kb_feedback.not_helped + 1"
        };
        query(sql).bind(id).bind(week).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Counts one filing given up on the preview because an article answered it, unless the
    /// preview's key was spent already.
    pub async fn kb_count_deflection(
        &self,
        key: &TokenDigest,
        key_expires_at: i64,
    ) -> Result<bool, StoreError> {
        let now = now_unix();
        let week = week_of(now);
        let mut tx = self.begin_write().await?;
        if !spend_vote_key(&mut tx, key, key_expires_at, now).await? {
            return Ok(false);
        }
        query(
            "insert into kb_deflections (week, count) values ($1, 1) \
             on conflict (week) do update set count = kb_deflections.count + 1",
        )
        .bind(week)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The self-service figures of the weeks from `since_week` on.
    pub async fn kb_figures(&self, since_week: i64) -> Result<KbFigures, StoreError> {
        let mut weeks = std::collections::BTreeMap::<i64, KbWeek>::new();
        let rows = query(
            // `sum` of a bigint is `numeric` on PostgreSQL: cast back to what SQLite returns.
            "select week, cast(sum(helped) as bigint) as helped, \
             cast(sum(not_helped) as bigint) as not_helped from kb_feedback \
             where week >= $1 group by week",
        )
        .bind(since_week)
        .fetch_all(&self.pool)
        .await?;
        for r in &rows {
            let week: i64 = r.try_get("week")?;
            let entry = weeks.entry(week).or_insert(KbWeek {
                week,
                ..KbWeek::default()
            });
            entry.helped = r.try_get("helped")?;
            entry.not_helped = r.try_get("not_helped")?;
        }
        let rows = query("select week, count from kb_deflections where week >= $1")
            .bind(since_week)
            .fetch_all(&self.pool)
            .await?;
        for r in &rows {
            let week: i64 = r.try_get("week")?;
            weeks
                .entry(week)
                .or_insert(KbWeek {
                    week,
                    ..KbWeek::default()
                })
                .deflected = r.try_get("count")?;
        }
        Ok(KbFigures {
            weeks: weeks.into_values().collect(),
        })
    }
}

impl Store {
    /// Whether a published article has this address; `NotFound` otherwise.
    pub async fn kb_published_exists(&self, slug: &str) -> Result<(), StoreError> {
        query_scalar::<i64>("select id from kb_articles where slug = $1 and state = 'published'")
            .bind(slug)
            .fetch_optional(&self.pool)
            .await?
            .map(|_| ())
            .ok_or(StoreError::NotFound)
    }
}

/// Records a vote key as spent; false if it was spent before. Keys past their expiry are
/// forgotten here, since the desk refuses them anyway.
async fn spend_vote_key(
    tx: &mut Tx<'_>,
    key: &TokenDigest,
    expires_at: i64,
    now: i64,
) -> Result<bool, StoreError> {
    query("delete from kb_vote_keys where expires_at < $1")
        .bind(now)
        .execute(&mut **tx)
        .await?;
    let spent = query(
        "insert into kb_vote_keys (key_hash, expires_at) values ($1, $2) \
         on conflict (key_hash) do nothing",
    )
    .bind(&key.0[..])
    .bind(expires_at)
    .execute(&mut **tx)
    .await?;
    Ok(spent.rows_affected() == 1)
}

async fn is_editor_by_name(tx: &mut Tx<'_>, agent: &str, queue: &str) -> Result<bool, StoreError> {
    let found: Option<i64> = query_scalar(
        "select 1 from kb_editors e join agents a on a.id = e.agent_id \
         join queues q on q.id = e.queue_id where a.name = $1 and q.name = $2",
    )
    .bind(agent)
    .bind(queue)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(found.is_some())
}

/// Keeps the article as it now stands as a revision; returns the revision's id.
async fn add_revision(
    tx: &mut Tx<'_>,
    scope: &AgentScope,
    article: i64,
    masked: u32,
    now: i64,
) -> Result<i64, StoreError> {
    Ok(query_scalar(
        "insert into kb_revisions (article_id, saved_by, title_en, body_en, title_ru, body_ru, \
         masked, saved_at) select id, $2, title_en, body_en, title_ru, body_ru, $3, $4 \
         from kb_articles where id = $1 returning id",
    )
    .bind(article)
    .bind(scope.name.as_str())
    .bind(i64::from(masked))
    .bind(now)
    .fetch_one(&mut **tx)
    .await?)
}

async fn bump_generation(tx: &mut Tx<'_>) -> Result<(), StoreError> {
    query(
        "insert into kb_generation (id, generation) values (1, 1) \
         on conflict (id) do update set generation = kb_generation.generation + 1",
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}
