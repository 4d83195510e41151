//! The search index of the published articles, in memory: each translation's words folded
//! and stemmed by the same pipeline as ticket search (Snowball via `rust-stemmers`, Russian
//! and English), ranked by term frequency and rarity. Built from the database and rebuilt
//! when the database's generation moves, so every instance sees what any other published.
//! Queries pass through and are never kept.

use std::collections::{BTreeSet, HashMap};

use crate::domain::search::index_terms;
use crate::i18n::Lang;
use crate::store::KbArticle;

use super::render::plain_text;
use super::tree::Tree;

/// Words too common to tell one article from another, in both languages; a filing full of
/// them suggests nothing.
const COMMON: &str = "the a an and or to of in on at for from by is are was be been it its \
    this that these those with as my me i you your we our they them he she his her not no \
    do does did can could how what when why where which who please help hello hi thanks \
    thank have has had will would get got there here if so but all any some just also \
    и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только \
    ее её мне было вот от меня еще ещё нет о из ему теперь когда даже ну ли если уже или ни \
    быть был него до вас нибудь опять уж вам ведь там потом себя ничего ей может они тут где \
    есть надо ней для мы тебя их чем была сам без будто чего раз тоже себе под будет тогда \
    кто этот того потому этого какой совсем ним здесь этом один почти мой тем чтобы нее \
    сейчас были куда зачем всех никогда можно при об другой хоть после над больше тот через \
    эти нас про всего них какая много разве эту моя свою этой перед лучше такой им более \
    всегда между здравствуйте пожалуйста помогите спасибо добрый день";

/// One searchable translation.
#[derive(Debug, Clone)]
pub struct Entry {
    pub slug: String,
    pub lang: Lang,
    pub title: String,
    pub category: String,
}

#[derive(Debug, Default)]
pub struct Index {
    pub generation: i64,
    entries: Vec<Entry>,
    /// term → (entry, weight): a title word weighs three body words.
    postings: HashMap<String, Vec<(usize, u32)>>,
    common: BTreeSet<String>,
}

fn common_terms() -> BTreeSet<String> {
    index_terms(COMMON)
}

impl Index {
    pub fn build(generation: i64, articles: &[KbArticle]) -> Index {
        let mut index = Index {
            generation,
            common: common_terms(),
            ..Index::default()
        };
        for article in articles {
            for (lang, text) in [(Lang::En, &article.en), (Lang::Ru, &article.ru)] {
                let Some(text) = text else { continue };
                let body = if article.tree {
                    Tree::parse(&text.body)
                        .map(|tree| {
                            tree.steps
                                .iter()
                                .map(|s| plain_text(&s.body))
                                .collect::<Vec<_>>()
                                .join(" ")
                        })
                        .unwrap_or_default()
                } else {
                    plain_text(&text.body)
                };
                let slot = index.entries.len();
                index.entries.push(Entry {
                    slug: article.slug.clone(),
                    lang,
                    title: text.title.clone(),
                    category: article.category.clone(),
                });
                let mut weights: HashMap<String, u32> = HashMap::new();
                for term in index_terms(&text.title) {
                    *weights.entry(term).or_default() += 3;
                }
                for term in index_terms(&body) {
                    *weights.entry(term).or_default() += 1;
                }
                for (term, weight) in weights {
                    index.postings.entry(term).or_default().push((slot, weight));
                }
            }
        }
        index
    }

    /// The best entries for `text`, at most `limit`, one per article (the translation in
    /// `lang` when the article has one). Empty when no word of `text` is in any article.
    pub fn search(&self, text: &str, lang: Lang, limit: usize) -> Vec<Entry> {
        let total = self.entries.len().max(1) as f64;
        let mut scores: HashMap<usize, f64> = HashMap::new();
        for term in index_terms(text) {
            if self.common.contains(&term) {
                continue;
            }
            let Some(postings) = self.postings.get(&term) else {
                continue;
            };
            let rarity = (1.0 + total / postings.len() as f64).ln();
            for &(slot, weight) in postings {
                *scores.entry(slot).or_default() += (1.0 + f64::from(weight).ln()) * rarity;
            }
        }
        let mut by_article: HashMap<&str, (usize, f64)> = HashMap::new();
        for (slot, score) in scores {
            let entry = &self.entries[slot];
            let own = if entry.lang == lang { 0.001 } else { 0.0 };
            let best = by_article.entry(&entry.slug).or_insert((slot, f64::MIN));
            if score + own > best.1 {
                *best = (slot, score + own);
            }
        }
        let mut ranked: Vec<(usize, f64)> = by_article.into_values().collect();
        ranked.sort_by(|a, b| {
            b.1.total_cmp(&a.1)
                .then_with(|| self.entries[a.0].slug.cmp(&self.entries[b.0].slug))
        });
        ranked
            .into_iter()
            .take(limit)
            .map(|(slot, _)| self.entries[slot].clone())
            .collect()
    }
}
