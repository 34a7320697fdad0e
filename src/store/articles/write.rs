//! Creating and replacing articles: the one write path, which resolves the
//! section and tags and keeps slugs unique. Bodies are rendered before it, outside the
//! write transaction ([`RenderedBody`]): rendering is the slow part of a write, and the
//! transaction holds the only writer connection.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::Value;

pub use super::input::{ArticleContent, ArticlePatch, CoverImage, Seo};
use super::translations::{self, check_free};
use super::{find, revisions, Article};
use crate::content::markdown;
use crate::content::policy::{self, Actor};
use crate::content::slug::slugify;
use crate::content::status::ArticleStatus;
use crate::db::schema::{article_tags, articles, sections};
use crate::store::{
    free_slug, media, now, outbox, read_model, tags, write_tx, Conn, Rejected, StoreError, StoreResult,
};

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
        let rendered =
            markdown::render(&markdown).map_err(|exceeded| Rejected::BodyTooComplex(exceeded.to_string()))?;
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

    /// The body's plain text: what search indexes of it.
    pub fn text(&self) -> &str {
        &self.columns.body_text
    }
}

/// Content ready to be written: validated, with its body rendered.
#[derive(Debug, Clone)]
pub struct Prepared {
    content: ArticleContent,
    body: RenderedBody,
}

impl Prepared {
    pub fn content(&self) -> &ArticleContent {
        &self.content
    }

    pub(super) fn into_parts(self) -> (ArticleContent, RenderedBody) {
        (self.content, self.body)
    }
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

impl Writer {
    pub fn of(actor: &Actor) -> Self {
        Self { id: actor.id, may_create_tags: policy::may_create_tags(actor) }
    }
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = articles, treat_none_as_null = true)]
struct ArticleValues {
    slug: String,
    locale: String,
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
    cover_media_id: Option<i64>,
    cover_image_width: Option<i32>,
    cover_image_height: Option<i32>,
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
            _ => Err(Rejected::ScheduledWithoutFutureDate.into()),
        },
        ArticleStatus::Draft | ArticleStatus::Archived => Ok(published_at),
    }
}

/// Where a new article goes: its locale, and the article it translates, if any.
#[derive(Debug, Clone)]
pub struct Placement {
    /// A configured locale, in canonical case.
    pub locale: String,
    /// The article this one translates: it joins that article's group and takes the
    /// group's section and tags.
    pub translation_of: Option<i64>,
}

fn slug_taken(conn: &mut Conn, candidate: &str, locale: &str, except: Option<i64>) -> StoreResult<bool> {
    let mut query =
        articles::table.filter(articles::slug.eq(candidate)).filter(articles::locale.eq(locale)).into_boxed();
    if let Some(id) = except {
        query = query.filter(articles::id.ne(id));
    }
    Ok(query.count().get_result::<i64>(conn)? > 0)
}

/// The slug to store in `locale`: the one asked for, unless another article of that
/// locale has it (409), or one derived from the title and free in that locale.
fn choose_slug(
    conn: &mut Conn,
    content: &ArticleContent,
    existing: Option<&Article>,
    locale: &str,
) -> StoreResult<String> {
    let except = existing.map(|a| a.row.id);
    match &content.slug {
        Some(wanted) if slug_taken(conn, wanted, locale, except)? => {
            Err(StoreError::conflict("slug", format!("another article in {locale} has this slug")))
        }
        Some(wanted) => Ok(wanted.clone()),
        None => {
            let base = slugify(&content.title).ok_or(Rejected::SlugNotDerivable { from: "title" })?;
            free_slug(&base, |candidate| slug_taken(conn, candidate, locale, None))
        }
    }
}

fn section_id(conn: &mut Conn, slug: Option<&str>) -> StoreResult<Option<i64>> {
    let Some(slug) = slug else { return Ok(None) };
    let id = sections::table.filter(sections::slug.eq(slug)).select(sections::id).first(conn).optional()?;
    Ok(Some(id.ok_or(Rejected::UnknownSection)?))
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

/// The cover to store: one at a URL as given; a media item's with its URL, width and
/// height (a file is content-addressed, so they never change).
struct Cover {
    url: String,
    alt: String,
    media_id: Option<i64>,
    width: Option<i32>,
    height: Option<i32>,
}

fn cover(conn: &mut Conn, cover: Option<&CoverImage>) -> StoreResult<Option<Cover>> {
    let Some(cover) = cover else { return Ok(None) };
    let alt = cover.alt.clone();
    let Some(id) = cover.media_id else {
        return Ok(Some(Cover { url: cover.url.clone(), alt, media_id: None, width: None, height: None }));
    };
    let item = match media::find(conn, id) {
        Err(StoreError::NotFound) => return Err(Rejected::UnknownMedia.into()),
        found => found?,
    };
    Ok(Some(Cover { url: item.url(), alt, media_id: Some(id), width: item.width, height: item.height }))
}

fn values(
    conn: &mut Conn,
    content: &ArticleContent,
    body: Option<&RenderedBody>,
    existing: Option<&Article>,
    locale: &str,
    now: NaiveDateTime,
) -> StoreResult<ArticleValues> {
    let derived_excerpt = match (body, existing) {
        (Some(body), _) => body.excerpt.clone(),
        (None, Some(article)) => article.row.excerpt.clone(),
        (None, None) => String::new(),
    };
    let cover = cover(conn, content.cover_image.as_ref())?;
    Ok(ArticleValues {
        slug: choose_slug(conn, content, existing, locale)?,
        locale: locale.to_owned(),
        title: content.title.clone(),
        excerpt: content.excerpt.clone().unwrap_or(derived_excerpt),
        excerpt_is_custom: content.excerpt.is_some(),
        status: content.status.stored().to_owned(),
        published_at: publication_date(content.status, content.published_at, now)?,
        section_id: section_id(conn, content.section.as_deref())?,
        seo_meta_title: content.seo.meta_title.clone(),
        seo_meta_description: content.seo.meta_description.clone(),
        seo_canonical_url: content.seo.canonical_url.clone(),
        cover_image_url: cover.as_ref().map(|c| c.url.clone()),
        cover_image_alt: cover.as_ref().map(|c| c.alt.clone()),
        cover_media_id: cover.as_ref().and_then(|c| c.media_id),
        cover_image_width: cover.as_ref().and_then(|c| c.width),
        cover_image_height: cover.as_ref().and_then(|c| c.height),
        metadata: Value::Object(content.metadata.clone()).to_string(),
        version: existing.map_or(1, |a| a.row.version.saturating_add(1)),
        updated_at: now,
    })
}

/// Gives article `article_id` the tags `names`; `new` when it has none yet.
fn set_tags(conn: &mut Conn, article_id: i64, names: &[String], writer: Writer, new: bool) -> StoreResult<()> {
    let rows = tags::find_or_create(conn, names, writer.may_create_tags)?;
    if !new {
        diesel::delete(article_tags::table.filter(article_tags::article_id.eq(article_id))).execute(conn)?;
    }
    // One row a statement: a multi-row insert is written differently per backend,
    // and an article has a few tags.
    for (tag, position) in rows.iter().zip(0..) {
        diesel::insert_into(article_tags::table)
            .values((
                article_tags::article_id.eq(article_id),
                article_tags::tag_id.eq(tag.id),
                article_tags::position.eq(position),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Creates an article written by `writer` where `placement` says, and its first
/// revision. A translation (`translation_of`, which the caller has checked it may read)
/// takes its group's section and tags, whatever `prepared` says.
pub fn create(conn: &mut Conn, writer: Writer, prepared: Prepared, placement: Placement) -> StoreResult<Article> {
    let Prepared { mut content, body } = prepared;
    write_tx(conn, |conn| {
        let now = now();
        let group = match placement.translation_of {
            Some(original) => {
                let original = find(conn, original)?;
                let group = translations::group_of(conn, original.row.id, original.row.translation_group)?;
                if original.row.translation_group.is_none() {
                    // Its stored representation now names the group it leads (cache tags).
                    read_model::refresh(conn, &[original.row.id])?;
                }
                check_free(conn, Some(group), &placement.locale, None)?;
                content.section = original.section.as_ref().map(|s| s.slug.clone());
                content.tags = original.tags.iter().map(|t| t.name.clone()).collect();
                Some(group)
            }
            None => None,
        };
        let values = values(conn, &content, Some(&body), None, &placement.locale, now)?;
        let id = diesel::insert_into(articles::table)
            .values((
                values,
                body.columns,
                articles::author_id.eq(writer.id),
                articles::created_at.eq(now),
                articles::translation_group.eq(group),
            ))
            .returning(articles::id)
            .get_result(conn)?;
        set_tags(conn, id, &content.tags, writer, true)?;
        let article = find(conn, id)?;
        read_model::store_new(conn, &article)?;
        revisions::record(conn, &article, writer.id, now)?;
        outbox::article_written(conn, None, &article)?;
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
    replace_in(conn, current, content, rendered, writer, &current.row.locale)
}

/// Like [`replace`], moving the article to `locale` (checked free in its group).
pub(super) fn replace_in(
    conn: &mut Conn,
    current: &Article,
    content: &ArticleContent,
    rendered: Option<RenderedBody>,
    writer: Writer,
    locale: &str,
) -> StoreResult<Article> {
    let now = now();
    let id = current.row.id;
    let body = body_for(Some(current), content, rendered)?;
    let values = values(conn, content, body.as_ref(), Some(current), locale, now)?;
    match body {
        Some(body) => diesel::update(articles::table.find(id)).set((values, body.columns)).execute(conn)?,
        None => diesel::update(articles::table.find(id)).set(values).execute(conn)?,
    };
    set_tags(conn, id, &content.tags, writer, false)?;
    let article = find(conn, id)?;
    read_model::store(conn, &article)?;
    revisions::record(conn, &article, writer.id, now)?;
    outbox::article_written(conn, Some(current), &article)?;
    Ok(article)
}
