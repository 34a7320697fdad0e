//! Articles: reading one or a page with their section, tags and author in a fixed
//! number of queries, and who may see what.

mod input;
mod keyset;
mod list;
mod relevance;
pub mod revisions;
mod rows;
mod search;
mod shown;
mod snippets;
pub mod transfer;
pub mod translations;
mod update;
mod write;

use std::collections::HashMap;

use crate::db::MultiBackend;
use chrono::NaiveDateTime;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable, Timestamp};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use keyset::{Continuation, Key};
pub use list::{list, list_stored, Hit, ListQuery, Sort, StatusFilter, StoredHit};
pub(super) use rows::rows;
pub use search::vector_ahead;
pub use update::{delete, update, Expected};
pub use write::{create, ArticleContent, ArticlePatch, CoverImage, Placement, Prepared, RenderedBody, Seo, Writer};

use super::{Conn, StoreResult};
use crate::content::markdown::TocEntry;
use crate::content::policy::{ArticleFacts, Visibility};
use crate::content::status::ArticleStatus;
use crate::db::schema::{article_tags, articles, sections, tags, users};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = articles)]
pub struct ArticleRow {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub excerpt: String,
    pub excerpt_is_custom: bool,
    pub body_markdown: String,
    pub body_html: String,
    pub toc: String,
    pub word_count: i32,
    pub reading_time_minutes: i32,
    pub status: String,
    pub published_at: Option<NaiveDateTime>,
    pub section_id: Option<i64>,
    pub author_id: i64,
    pub seo_meta_title: Option<String>,
    pub seo_meta_description: Option<String>,
    pub seo_canonical_url: Option<String>,
    pub cover_image_url: Option<String>,
    pub cover_image_alt: Option<String>,
    pub cover_media_id: Option<i64>,
    pub cover_image_width: Option<i32>,
    pub cover_image_height: Option<i32>,
    pub metadata: String,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub locale: String,
    pub translation_group: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionRef {
    pub id: i64,
    pub slug: String,
    pub name: String,
    /// Its name in the article's locale, when it has one there: what the article shows.
    #[serde(skip)]
    pub local_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagRef {
    pub id: i64,
    pub slug: String,
    pub name: String,
    /// Its name in the article's locale, when it has one there: what the article shows.
    #[serde(skip)]
    pub local_name: Option<String>,
}

impl SectionRef {
    /// The name the article shows: its locale's, else the section's own.
    pub fn shown(&self) -> &str {
        self.local_name.as_deref().unwrap_or(&self.name)
    }
}

impl TagRef {
    /// The name the article shows: its locale's, else the tag's own.
    pub fn shown(&self) -> &str {
        self.local_name.as_deref().unwrap_or(&self.name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorRef {
    pub id: i64,
    pub display_name: String,
    pub bio: Option<String>,
}

/// An article with everything it embeds, as of `now`.
#[derive(Debug, Clone)]
pub struct Article {
    pub row: ArticleRow,
    pub status: ArticleStatus,
    pub toc: Vec<TocEntry>,
    pub metadata: serde_json::Value,
    pub section: Option<SectionRef>,
    pub tags: Vec<TagRef>,
    pub author: AuthorRef,
    /// The other members of its translation group, whoever may read them.
    pub siblings: Vec<translations::Sibling>,
}

impl Article {
    /// What the rules need to know of it.
    pub fn facts(&self) -> ArticleFacts {
        ArticleFacts { author_id: self.row.author_id, status: self.status }
    }

    /// Whether a caller with this visibility may read the article.
    pub fn visible_to(&self, visibility: Visibility) -> bool {
        visibility.allows(&self.facts())
    }

    /// Its translations a caller with this visibility may read now.
    pub fn translations_for(&self, visibility: Visibility) -> Vec<translations::Translation> {
        translations::readable(&self.siblings, visibility)
    }

    /// What identifies the article's JSON representation, as opaque hex: it changes
    /// whenever that JSON would. The row's own fields all change with `version` (and
    /// `updated_at`); besides them the JSON shows the status as of now (`scheduled`
    /// turns `published` with no write) and what it embeds of other rows (section, tags,
    /// author), which change without the article's version. An ETag built from it is
    /// checked without serialising the article.
    /// What a CDN purges when this article changes, as a read of it names them:
    /// `article-{id}`, `translations-{group}` when it has translations, `section-{id}`,
    /// and `tag-{id}` of each tag.
    pub fn cache_tags(&self) -> Vec<String> {
        let mut tags = vec![format!("article-{}", self.row.id)];
        // Every translation shows the others' slugs and titles: a change of one purges all.
        tags.extend(self.row.translation_group.map(|group| format!("translations-{group}")));
        tags.extend(self.section.iter().map(|s| format!("section-{}", s.id)));
        tags.extend(self.tags.iter().map(|t| format!("tag-{}", t.id)));
        tags
    }

    pub fn fingerprint(&self) -> String {
        let row = &self.row;
        let mut parts = vec![
            "article/1".to_owned(),
            row.id.to_string(),
            row.version.to_string(),
            row.updated_at.to_string(),
            self.status.as_str().to_owned(),
        ];
        match &self.section {
            Some(s) => parts.extend([s.id.to_string(), s.slug.clone(), s.shown().to_owned()]),
            None => parts.push("no section".to_owned()),
        }
        parts.push(self.tags.len().to_string());
        for tag in &self.tags {
            parts.extend([tag.id.to_string(), tag.slug.clone(), tag.shown().to_owned()]);
        }
        let author = &self.author;
        parts.extend([author.id.to_string(), author.display_name.clone()]);
        parts.push(author.bio.as_ref().map_or_else(|| "no bio".to_owned(), |bio| format!("bio {bio}")));
        let mut hash = Sha256::new();
        for part in &parts {
            // Length-prefixed, so that no two different lists hash the same bytes.
            hash.update(part.len().to_le_bytes());
            hash.update(part.as_bytes());
        }
        hash.finalize().iter().take(16).map(|b| format!("{b:02x}")).collect()
    }
}

/// A condition on the articles of a query whose rows come from `QS` (the articles
/// table, or a join with it).
pub type Condition<QS> = Box<dyn BoxableExpression<QS, MultiBackend, SqlType = Nullable<Bool>>>;

/// Live in SQL, the twin of `ArticleStatus::effective(..).is_live()`: stored as published
/// and dated at or before now. Its one `?` takes now ([`with_now`]).
pub(super) const LIVE: &str = "(articles.status = 'published' AND articles.published_at <= ?)";

/// Scheduled in SQL: stored as published and dated after now. Its one `?` takes now.
pub(super) const SCHEDULED: &str = "(articles.status = 'published' AND articles.published_at > ?)";

fn is_live<QS: 'static>(now: NaiveDateTime) -> Condition<QS> {
    // diesel's `sql(..).bind(..)` writes the placeholder itself: the text around it.
    let (before, after) = LIVE.split_once('?').unwrap_or((LIVE, ""));
    Box::new(sql::<Nullable<Bool>>(before).bind::<Timestamp, _>(now).sql(after))
}

/// The condition an article must meet for a caller with this visibility to read it.
pub fn readable_by<QS: 'static>(visibility: Visibility, now: NaiveDateTime) -> Condition<QS>
where
    articles::id: SelectableExpression<QS>,
    articles::author_id: SelectableExpression<QS>,
{
    match visibility {
        Visibility::All => Box::new(sql::<Nullable<Bool>>("1 = 1")),
        Visibility::Public => is_live(now),
        Visibility::Author(id) => Box::new(is_live(now).or(articles::author_id.eq(id))),
    }
}

/// The name a section's or tag's stored `translations` give it in `locale`, if any.
pub fn localized(translations: &str, locale: &str) -> Option<String> {
    let names: HashMap<String, LocalName> = serde_json::from_str(translations).ok()?;
    names.into_iter().find(|(tag, _)| tag.eq_ignore_ascii_case(locale)).map(|(_, local)| local.name)
}

/// A section's or tag's name (and description) in one locale, as stored.
#[derive(Debug, Clone, Deserialize)]
struct LocalName {
    name: String,
}

fn parse_metadata(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|_| serde_json::Value::Object(Default::default()))
}

/// Loads sections, tags and authors of `rows` in three queries, whatever their number.
pub fn with_relations(conn: &mut Conn, rows: Vec<ArticleRow>, now: NaiveDateTime) -> StoreResult<Vec<Article>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let section_ids: Vec<i64> = rows.iter().filter_map(|r| r.section_id).collect();
    let author_ids: Vec<i64> = rows.iter().map(|r| r.author_id).collect();

    let groups: Vec<i64> = rows.iter().filter_map(|r| r.translation_group).collect();
    let sections: HashMap<i64, (SectionRef, String)> = sections::table
        .filter(sections::id.eq_any(&section_ids))
        .select((sections::id, sections::slug, sections::name, sections::translations))
        .load::<(i64, String, String, String)>(conn)?
        .into_iter()
        .map(|(id, slug, name, names)| (id, (SectionRef { id, slug, name, local_name: None }, names)))
        .collect();
    let authors: HashMap<i64, AuthorRef> = users::table
        .filter(users::id.eq_any(&author_ids))
        .select((users::id, users::display_name, users::bio))
        .load::<(i64, String, Option<String>)>(conn)?
        .into_iter()
        .map(|(id, display_name, bio)| (id, AuthorRef { id, display_name, bio }))
        .collect();
    let locales: HashMap<i64, &str> = rows.iter().map(|r| (r.id, r.locale.as_str())).collect();
    let mut tags_by_article: HashMap<i64, Vec<TagRef>> = HashMap::new();
    let tag_rows: Vec<(i64, i64, String, String, String)> = article_tags::table
        .inner_join(tags::table)
        .filter(article_tags::article_id.eq_any(&ids))
        .order((article_tags::article_id, article_tags::position))
        .select((article_tags::article_id, tags::id, tags::slug, tags::name, tags::translations))
        .load(conn)?;
    for (article_id, id, slug, name, names) in tag_rows {
        let local_name = localized(&names, locales.get(&article_id).copied().unwrap_or_default());
        tags_by_article.entry(article_id).or_default().push(TagRef { id, slug, name, local_name });
    }
    let members = translations::members(conn, &groups, now)?;

    Ok(rows
        .into_iter()
        .map(|row| Article {
            status: ArticleStatus::effective(&row.status, row.published_at, now),
            toc: serde_json::from_str(&row.toc).unwrap_or_default(),
            metadata: parse_metadata(&row.metadata),
            section: row
                .section_id
                .and_then(|id| sections.get(&id))
                .map(|(section, names)| SectionRef { local_name: localized(names, &row.locale), ..section.clone() }),
            tags: tags_by_article.remove(&row.id).unwrap_or_default(),
            siblings: row
                .translation_group
                .and_then(|group| members.get(&group))
                .map(|all| all.iter().filter(|s| s.translation.id != row.id).cloned().collect())
                .unwrap_or_default(),
            author: authors.get(&row.author_id).cloned().unwrap_or(AuthorRef {
                id: row.author_id,
                display_name: String::new(),
                bio: None,
            }),
            row,
        })
        .collect())
}

/// One article by id, whatever its status: the caller checks `visible_to`.
pub fn find(conn: &mut Conn, id: i64) -> StoreResult<Article> {
    let row = articles::table.find(id).select(ArticleRow::as_select()).first(conn)?;
    one(conn, row)
}

/// The article with `slug` in `locale`, whatever its status.
pub fn find_by_slug(conn: &mut Conn, slug: &str, locale: &str) -> StoreResult<Article> {
    let row = articles::table
        .filter(articles::slug.eq(slug))
        .filter(articles::locale.eq(locale))
        .select(ArticleRow::as_select())
        .first(conn)?;
    one(conn, row)
}

fn one(conn: &mut Conn, row: ArticleRow) -> StoreResult<Article> {
    with_relations(conn, vec![row], super::now())?.pop().ok_or(super::StoreError::NotFound)
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, NaiveDate};
    use diesel::sql_types::Text;
    use diesel::SqliteConnection;

    use super::*;

    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        status: String,
        #[diesel(sql_type = Nullable<Timestamp>)]
        published_at: Option<NaiveDateTime>,
        #[diesel(sql_type = Bool)]
        live: bool,
    }

    #[test]
    fn the_live_sql_means_what_the_status_computation_means() {
        let now = NaiveDate::from_ymd_opt(2026, 6, 1).and_then(|d| d.and_hms_opt(12, 0, 0)).unwrap_or_default();
        let mut conn = SqliteConnection::establish(":memory:").expect("in-memory database");
        diesel::sql_query("CREATE TABLE articles (status TEXT NOT NULL, published_at TIMESTAMP)")
            .execute(&mut conn)
            .expect("table");
        for status in ["draft", "published", "archived"] {
            for at in [None, Some(now - Duration::seconds(1)), Some(now), Some(now + Duration::seconds(1))] {
                // Never stored: publishing without a date stores now (`publication_date`).
                if status == "published" && at.is_none() {
                    continue;
                }
                diesel::sql_query("INSERT INTO articles VALUES (?, ?)")
                    .bind::<Text, _>(status)
                    .bind::<Nullable<Timestamp>, _>(at)
                    .execute(&mut conn)
                    .expect("row");
            }
        }
        let rows: Vec<Row> = diesel::sql_query(format!("SELECT status, published_at, {LIVE} AS live FROM articles"))
            .bind::<Timestamp, _>(now)
            .load(&mut conn)
            .expect("rows");
        assert_eq!(rows.len(), 11);
        for row in rows {
            let status = ArticleStatus::effective(&row.status, row.published_at, now);
            assert_eq!(row.live, status.is_live(), "{} at {:?}", row.status, row.published_at);
        }
    }
}
