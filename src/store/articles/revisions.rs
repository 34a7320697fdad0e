//! Revisions: a snapshot of what the editor wrote at every version, the current one
//! included, recorded in the transaction of the write that made it.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::update::{group_members, may_replace, share_terms};
use super::write::{replace, ArticleContent, CoverImage, RenderedBody, Seo, Writer};
use super::{find, Article, SectionRef, TagRef};
use crate::content::policy::Actor;
use crate::content::status::ArticleStatus;
use crate::db::schema::{article_revisions, users};
use crate::store::{write_tx, Conn, Page, PageRequest, StoreError, StoreResult};

/// An article's content at one version.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Snapshot {
    pub title: String,
    pub slug: String,
    pub excerpt: String,
    /// False when the excerpt was derived from the body; a restore derives it again.
    pub excerpt_is_custom: bool,
    pub body_markdown: String,
    pub status: ArticleStatus,
    pub published_at: Option<NaiveDateTime>,
    pub section: Option<SectionRef>,
    pub tags: Vec<TagRef>,
    pub seo: Seo,
    pub cover_image: Option<CoverImage>,
    pub metadata: Map<String, Value>,
}

impl Snapshot {
    fn of(article: &Article) -> Self {
        let content = ArticleContent::of(article);
        let row = &article.row;
        Self {
            title: content.title,
            slug: row.slug.clone(),
            excerpt: row.excerpt.clone(),
            excerpt_is_custom: row.excerpt_is_custom,
            body_markdown: content.body_markdown,
            status: article.status,
            published_at: row.published_at,
            section: article.section.clone(),
            tags: article.tags.clone(),
            seo: content.seo,
            cover_image: content.cover_image,
            metadata: content.metadata,
        }
    }

    /// The content to write to bring this version back.
    fn content(self) -> ArticleContent {
        ArticleContent {
            title: self.title,
            slug: Some(self.slug),
            excerpt: self.excerpt_is_custom.then_some(self.excerpt),
            body_markdown: self.body_markdown,
            section: self.section.map(|s| s.slug),
            tags: self.tags.into_iter().map(|t| t.name).collect(),
            status: match self.status {
                ArticleStatus::Scheduled => ArticleStatus::Published,
                other => other,
            },
            published_at: self.published_at,
            seo: self.seo,
            cover_image: self.cover_image,
            metadata: self.metadata,
        }
    }
}

/// Who made a revision; `None` once that user is deleted.
#[derive(Debug, Clone)]
pub struct ChangedBy {
    pub id: i64,
    pub display_name: String,
}

#[derive(Debug, Clone)]
pub struct Revision {
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub changed_by: Option<ChangedBy>,
    pub snapshot: Snapshot,
}

/// Records `article` as it now stands. Call inside the write's transaction.
pub fn record(conn: &mut Conn, article: &Article, actor_id: i64, now: NaiveDateTime) -> StoreResult<()> {
    let content = serde_json::to_string(&Snapshot::of(article))
        .map_err(|e| StoreError::Database(diesel::result::Error::SerializationError(Box::new(e))))?;
    diesel::insert_into(article_revisions::table)
        .values((
            article_revisions::article_id.eq(article.row.id),
            article_revisions::version.eq(article.row.version),
            article_revisions::changed_by.eq(actor_id),
            article_revisions::content.eq(content),
            article_revisions::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

type RevisionColumns = (i32, NaiveDateTime, Option<i64>, Option<String>, String);

fn revision((version, created_at, user_id, name, content): RevisionColumns) -> StoreResult<Revision> {
    let snapshot = serde_json::from_str(&content)
        .map_err(|e| StoreError::Database(diesel::result::Error::DeserializationError(Box::new(e))))?;
    let changed_by = user_id.zip(name).map(|(id, display_name)| ChangedBy { id, display_name });
    Ok(Revision { version, created_at, changed_by, snapshot })
}

fn query(article_id: i64) -> article_revisions::BoxedQuery<'static, crate::db::MultiBackend> {
    article_revisions::table.filter(article_revisions::article_id.eq(article_id)).into_boxed()
}

/// The article's revisions with who made each, as [`RevisionColumns`].
#[diesel::dsl::auto_type(no_type_alias)]
fn with_authors(article_id: i64) -> _ {
    article_revisions::table
        .left_join(users::table.on(users::id.nullable().eq(article_revisions::changed_by)))
        .filter(article_revisions::article_id.eq(article_id))
        .select((
            article_revisions::version,
            article_revisions::created_at,
            users::id.nullable(),
            users::display_name.nullable(),
            article_revisions::content,
        ))
}

/// The article's revisions, newest first.
pub fn list(conn: &mut Conn, article_id: i64, page: PageRequest) -> StoreResult<Page<Revision>> {
    let total = query(article_id).count().get_result(conn)?;
    let rows: Vec<RevisionColumns> = with_authors(article_id)
        .order(article_revisions::version.desc())
        .limit(page.per_page)
        .offset(page.offset())
        .load(conn)?;
    let items = rows.into_iter().map(revision).collect::<StoreResult<_>>()?;
    Ok(Page { items, total })
}

pub fn find_version(conn: &mut Conn, article_id: i64, version: i32) -> StoreResult<Revision> {
    let row: RevisionColumns = with_authors(article_id).filter(article_revisions::version.eq(version)).first(conn)?;
    revision(row)
}

/// Writes revision `version` back as the article's next version, as `actor`, once the
/// rules allow it. `rendered` is that revision's body, rendered beforehand. A revision
/// with another section or tags gives them to every translation.
pub fn restore(
    conn: &mut Conn,
    article_id: i64,
    version: i32,
    actor: &Actor,
    rendered: RenderedBody,
) -> StoreResult<Article> {
    write_tx(conn, |conn| {
        let current = find(conn, article_id)?;
        let content = find_version(conn, article_id, version)?.snapshot.content();
        may_replace(actor, &current, content.status)?;
        // The revision's section and tags are the group's again: every translation's.
        let members = group_members(conn, actor, &current, &content)?;
        let restored = replace(conn, &current, &content, Some(rendered), Writer::of(actor))?;
        share_terms(conn, &restored, &members, Writer::of(actor))?;
        Ok(restored)
    })
}
