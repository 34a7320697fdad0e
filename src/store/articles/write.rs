//! Creating, changing and deleting articles: the one write path, which resolves the
//! section and tags and keeps slugs unique. Bodies are rendered before it, outside the
//! write transaction ([`RenderedBody`]): rendering is the slow part of a write, and the
//! transaction holds the only writer connection.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{find, revisions, Article};
use crate::content::markdown;
use crate::content::slug::slugify;
use crate::content::status::ArticleStatus;
use crate::db::schema::{article_tags, articles, sections};
use crate::store::{free_slug, now, tags, write_tx, Conn, StoreError, StoreResult};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seo {
    pub meta_title: Option<String>,
    pub meta_description: Option<String>,
    pub canonical_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverImage {
    pub url: String,
    pub alt: String,
}

/// Everything an editor writes about an article, validated; the rest is derived.
#[derive(Debug, Clone)]
pub struct ArticleContent {
    pub title: String,
    /// An explicit slug; `None` derives one from the title (on create) or keeps the current one.
    pub slug: Option<String>,
    /// An explicit excerpt; `None` derives one from the body.
    pub excerpt: Option<String>,
    pub body_markdown: String,
    /// A section slug.
    pub section: Option<String>,
    /// Tag names in order, trimmed and without case-insensitive duplicates.
    pub tags: Vec<String>,
    pub status: ArticleStatus,
    pub published_at: Option<NaiveDateTime>,
    pub seo: Seo,
    pub cover_image: Option<CoverImage>,
    pub metadata: Map<String, Value>,
}

/// A validated PATCH: `None` leaves a field alone; `Some(None)` clears a nullable one.
#[derive(Debug, Clone, Default)]
pub struct ArticlePatch {
    pub title: Option<String>,
    pub slug: Option<String>,
    pub excerpt: Option<Option<String>>,
    pub body_markdown: Option<String>,
    pub section: Option<Option<String>>,
    pub tags: Option<Vec<String>>,
    pub status: Option<ArticleStatus>,
    pub published_at: Option<Option<NaiveDateTime>>,
    pub seo: Option<Seo>,
    pub cover_image: Option<Option<CoverImage>>,
    pub metadata: Option<Map<String, Value>>,
}

impl ArticleContent {
    /// The content of a stored article, as an editor would resend it.
    pub fn of(article: &Article) -> Self {
        let row = &article.row;
        Self {
            title: row.title.clone(),
            slug: Some(row.slug.clone()),
            excerpt: row.excerpt_is_custom.then(|| row.excerpt.clone()),
            body_markdown: row.body_markdown.clone(),
            section: article.section.as_ref().map(|s| s.slug.clone()),
            tags: article.tags.iter().map(|t| t.name.clone()).collect(),
            // A scheduled article is a published one with a date ahead; resending it must
            // not fail once that date has passed.
            status: match article.status {
                ArticleStatus::Scheduled => ArticleStatus::Published,
                other => other,
            },
            published_at: row.published_at,
            seo: Seo {
                meta_title: row.seo_meta_title.clone(),
                meta_description: row.seo_meta_description.clone(),
                canonical_url: row.seo_canonical_url.clone(),
            },
            cover_image: row
                .cover_image_url
                .clone()
                .map(|url| CoverImage { url, alt: row.cover_image_alt.clone().unwrap_or_default() }),
            metadata: match &article.metadata {
                Value::Object(map) => map.clone(),
                _ => Map::new(),
            },
        }
    }

    /// This content with the patch's fields laid over it.
    pub fn patched(self, patch: ArticlePatch) -> Self {
        Self {
            title: patch.title.unwrap_or(self.title),
            slug: patch.slug.or(self.slug),
            excerpt: patch.excerpt.unwrap_or(self.excerpt),
            body_markdown: patch.body_markdown.unwrap_or(self.body_markdown),
            section: patch.section.unwrap_or(self.section),
            tags: patch.tags.unwrap_or(self.tags),
            status: patch.status.unwrap_or(self.status),
            published_at: patch.published_at.unwrap_or(self.published_at),
            seo: patch.seo.unwrap_or(self.seo),
            cover_image: patch.cover_image.unwrap_or(self.cover_image),
            metadata: patch.metadata.unwrap_or(self.metadata),
        }
    }
}

/// The stored columns derived from a body.
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = articles)]
struct BodyColumns {
    body_markdown: String,
    body_html: String,
    body_text: String,
    toc: String,
    word_count: i32,
    reading_time_minutes: i32,
}

/// A body rendered ahead of the write that stores it, with everything derived from it.
#[derive(Debug, Clone)]
pub struct RenderedBody {
    columns: BodyColumns,
    /// The excerpt derived from the body, for an article without its own.
    excerpt: String,
}

impl RenderedBody {
    /// Renders and sanitises `markdown`: CPU-bound, so call it off the async executor
    /// and before taking the writer connection. A body past the sanitiser's limits is
    /// invalid (`/body_markdown`).
    pub fn render(markdown: String) -> StoreResult<Self> {
        let rendered = markdown::render(&markdown)
            .map_err(|exceeded| StoreError::invalid("/body_markdown", format!("is too complex: it {exceeded}")))?;
        let to_i32 = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
        let columns = BodyColumns {
            body_html: rendered.html,
            body_text: rendered.text,
            toc: serde_json::to_string(&rendered.toc).unwrap_or_else(|_| "[]".into()),
            word_count: to_i32(rendered.word_count),
            reading_time_minutes: to_i32(markdown::reading_time_minutes(rendered.word_count)),
            body_markdown: markdown,
        };
        Ok(Self { columns, excerpt: rendered.excerpt })
    }
}

/// Content ready to be written: validated, with its body rendered.
#[derive(Debug, Clone)]
pub struct Prepared {
    content: ArticleContent,
    body: RenderedBody,
}

impl ArticleContent {
    /// Renders the body (see [`RenderedBody::render`]).
    pub fn prepare(self) -> StoreResult<Prepared> {
        let body = RenderedBody::render(self.body_markdown.clone())?;
        Ok(Prepared { content: self, body })
    }

    /// This content with its body rendered beforehand by [`RenderedBody::render`].
    pub fn with_body(self, body: RenderedBody) -> StoreResult<Prepared> {
        if body.columns.body_markdown != self.body_markdown {
            return Err(stale_body());
        }
        Ok(Prepared { content: self, body })
    }
}

/// A body rendered from other Markdown than the content now holds.
fn stale_body() -> StoreError {
    StoreError::conflict("body_markdown", "the article changed while this write was prepared; send it again")
}

/// Who writes, and whether they may create the tags they name (editors) or only
/// attach existing ones (authors).
#[derive(Debug, Clone, Copy)]
pub struct Writer {
    pub id: i64,
    pub may_create_tags: bool,
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = articles, treat_none_as_null = true)]
struct ArticleValues {
    slug: String,
    title: String,
    excerpt: String,
    excerpt_is_custom: bool,
    status: String,
    published_at: Option<NaiveDateTime>,
    section_id: Option<i64>,
    seo_meta_title: Option<String>,
    seo_meta_description: Option<String>,
    seo_canonical_url: Option<String>,
    cover_image_url: Option<String>,
    cover_image_alt: Option<String>,
    metadata: String,
    version: i32,
    updated_at: NaiveDateTime,
}

/// The stored date for a status: publishing without a date means now; scheduling needs a future one.
fn publication_date(
    status: ArticleStatus,
    published_at: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> StoreResult<Option<NaiveDateTime>> {
    match status {
        ArticleStatus::Published => Ok(Some(published_at.unwrap_or(now))),
        ArticleStatus::Scheduled => match published_at {
            Some(at) if at > now => Ok(Some(at)),
            _ => Err(StoreError::invalid("/published_at", "a scheduled article needs a published_at in the future")),
        },
        ArticleStatus::Draft | ArticleStatus::Archived => Ok(published_at),
    }
}

fn slug_taken(conn: &mut Conn, candidate: &str, except: Option<i64>) -> StoreResult<bool> {
    let mut query = articles::table.filter(articles::slug.eq(candidate)).into_boxed();
    if let Some(id) = except {
        query = query.filter(articles::id.ne(id));
    }
    Ok(query.count().get_result::<i64>(conn)? > 0)
}

fn choose_slug(conn: &mut Conn, content: &ArticleContent, existing: Option<&Article>) -> StoreResult<String> {
    let except = existing.map(|a| a.row.id);
    match &content.slug {
        Some(wanted) if slug_taken(conn, wanted, except)? => {
            Err(StoreError::conflict("slug", "another article has this slug"))
        }
        Some(wanted) => Ok(wanted.clone()),
        None => {
            let base = slugify(&content.title)
                .ok_or_else(|| StoreError::invalid("/slug", "cannot be derived from the title; give one"))?;
            free_slug(&base, |candidate| slug_taken(conn, candidate, None))
        }
    }
}

fn section_id(conn: &mut Conn, slug: Option<&str>) -> StoreResult<Option<i64>> {
    let Some(slug) = slug else { return Ok(None) };
    let id = sections::table.filter(sections::slug.eq(slug)).select(sections::id).first(conn).optional()?;
    id.map(Some).ok_or_else(|| StoreError::invalid("/section", "no section has this slug"))
}

/// The body to store for `content`: `rendered` when given (it must be of this body),
/// else none, keeping what is stored, when neither the body nor a derived excerpt changes.
fn body_for(
    current: Option<&Article>,
    content: &ArticleContent,
    rendered: Option<RenderedBody>,
) -> StoreResult<Option<RenderedBody>> {
    let unchanged = current.is_some_and(|a| {
        a.row.body_markdown == content.body_markdown && (content.excerpt.is_some() || !a.row.excerpt_is_custom)
    });
    match rendered {
        Some(body) if body.columns.body_markdown == content.body_markdown => Ok(Some(body)),
        None if unchanged => Ok(None),
        // Rendered from a body that another write has since replaced.
        _ => Err(stale_body()),
    }
}

fn values(
    conn: &mut Conn,
    content: &ArticleContent,
    body: Option<&RenderedBody>,
    existing: Option<&Article>,
    now: NaiveDateTime,
) -> StoreResult<ArticleValues> {
    let derived_excerpt = match (body, existing) {
        (Some(body), _) => body.excerpt.clone(),
        (None, Some(article)) => article.row.excerpt.clone(),
        (None, None) => String::new(),
    };
    Ok(ArticleValues {
        slug: choose_slug(conn, content, existing)?,
        title: content.title.clone(),
        excerpt: content.excerpt.clone().unwrap_or(derived_excerpt),
        excerpt_is_custom: content.excerpt.is_some(),
        status: content.status.stored().to_owned(),
        published_at: publication_date(content.status, content.published_at, now)?,
        section_id: section_id(conn, content.section.as_deref())?,
        seo_meta_title: content.seo.meta_title.clone(),
        seo_meta_description: content.seo.meta_description.clone(),
        seo_canonical_url: content.seo.canonical_url.clone(),
        cover_image_url: content.cover_image.as_ref().map(|c| c.url.clone()),
        cover_image_alt: content.cover_image.as_ref().map(|c| c.alt.clone()),
        metadata: Value::Object(content.metadata.clone()).to_string(),
        version: existing.map_or(1, |a| a.row.version.saturating_add(1)),
        updated_at: now,
    })
}

fn set_tags(conn: &mut Conn, article_id: i64, names: &[String], writer: Writer) -> StoreResult<()> {
    let rows = tags::find_or_create(conn, names, writer.may_create_tags)?;
    diesel::delete(article_tags::table.filter(article_tags::article_id.eq(article_id))).execute(conn)?;
    let links: Vec<_> = rows
        .iter()
        .zip(0..)
        .map(|(tag, position)| {
            (
                article_tags::article_id.eq(article_id),
                article_tags::tag_id.eq(tag.id),
                article_tags::position.eq(position),
            )
        })
        .collect();
    diesel::insert_into(article_tags::table).values(links).execute(conn)?;
    Ok(())
}

/// Creates an article written by `writer`, and its first revision.
pub fn create(conn: &mut Conn, writer: Writer, prepared: Prepared) -> StoreResult<Article> {
    let Prepared { content, body } = prepared;
    write_tx(conn, |conn| {
        let now = now();
        let values = values(conn, &content, Some(&body), None, now)?;
        let id = diesel::insert_into(articles::table)
            .values((values, body.columns, articles::author_id.eq(writer.id), articles::created_at.eq(now)))
            .returning(articles::id)
            .get_result(conn)?;
        set_tags(conn, id, &content.tags, writer)?;
        let article = find(conn, id)?;
        revisions::record(conn, &article, writer.id, now)?;
        Ok(article)
    })
}

/// Replaces the stored content of `current` with `content` at the next version, with
/// `rendered` as its body (see [`body_for`]). Call inside a write transaction.
pub(super) fn replace(
    conn: &mut Conn,
    current: &Article,
    content: &ArticleContent,
    rendered: Option<RenderedBody>,
    writer: Writer,
) -> StoreResult<Article> {
    let now = now();
    let id = current.row.id;
    let body = body_for(Some(current), content, rendered)?;
    let values = values(conn, content, body.as_ref(), Some(current), now)?;
    match body {
        Some(body) => diesel::update(articles::table.find(id)).set((values, body.columns)).execute(conn)?,
        None => diesel::update(articles::table.find(id)).set(values).execute(conn)?,
    };
    set_tags(conn, id, &content.tags, writer)?;
    let article = find(conn, id)?;
    revisions::record(conn, &article, writer.id, now)?;
    Ok(article)
}

/// Applies `patch` to article `id` once `check` (preconditions, permissions) accepts the
/// current article and the content it would become; all in one transaction. `rendered`
/// is the patch's body rendered beforehand, or the current body's when the patch
/// clears a custom excerpt (which is then derived from it).
pub fn update(
    conn: &mut Conn,
    id: i64,
    writer: Writer,
    patch: ArticlePatch,
    rendered: Option<RenderedBody>,
    check: impl FnOnce(&Article, &ArticleContent) -> StoreResult<()>,
) -> StoreResult<Article> {
    write_tx(conn, |conn| {
        let current = find(conn, id)?;
        let content = ArticleContent::of(&current).patched(patch);
        check(&current, &content)?;
        replace(conn, &current, &content, rendered, writer)
    })
}

/// Deletes article `id` (and its revisions) once `check` accepts it.
pub fn delete(conn: &mut Conn, id: i64, check: impl FnOnce(&Article) -> StoreResult<()>) -> StoreResult<()> {
    write_tx(conn, |conn| {
        let current = find(conn, id)?;
        check(&current)?;
        diesel::delete(articles::table.find(id)).execute(conn)?;
        Ok(())
    })
}
