//! What Micropub keeps beside an article (`micropub_posts`): the properties folio has
//! no field for, as the client sent them, how the content came, whether the post had a
//! name, and the status a deleted post had. The article itself is written by the one
//! article write path ([`super::articles`]), in the same transaction.

use diesel::prelude::*;
use serde_json::{Map, Value};

use super::articles::{
    self, Article, ArticleContent, ArticlePatch, Expected, Placement, Prepared, RenderedBody, Writer,
};
use super::{write_tx, Conn, StoreResult};
use crate::content::policy::Actor;
use crate::content::status::ArticleStatus;
use crate::db::schema::{micropub_posts, tags};

/// How a post's content came: Markdown text, or HTML (`{"html": …}`), given back the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentKind {
    Markdown,
    Html,
}

impl ContentKind {
    fn stored(self) -> &'static str {
        match self {
            Self::Markdown => "markdown",
            Self::Html => "html",
        }
    }
}

/// Micropub's facts about one article.
#[derive(Debug, Clone, PartialEq)]
pub struct PostFacts {
    /// Every property folio has no field for, each an array of values as it came.
    pub properties: Map<String, Value>,
    pub content_kind: ContentKind,
    /// Whether the client gave a `name` (else the title was derived from the content).
    pub named: bool,
    /// The status the article had before a Micropub delete archived it.
    pub status_before_delete: Option<ArticleStatus>,
}

impl PostFacts {
    /// What an article written through the API (not Micropub) reads as: no extra
    /// properties, Markdown content, its title a name.
    pub fn of_api_article() -> Self {
        Self { properties: Map::new(), content_kind: ContentKind::Markdown, named: true, status_before_delete: None }
    }
}

#[derive(Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = micropub_posts, treat_none_as_null = true)]
struct PostRow {
    article_id: i64,
    properties: String,
    content_kind: String,
    named: bool,
    status_before_delete: Option<String>,
}

impl PostRow {
    fn new(article_id: i64, facts: &PostFacts) -> Self {
        Self {
            article_id,
            properties: Value::Object(facts.properties.clone()).to_string(),
            content_kind: facts.content_kind.stored().to_owned(),
            named: facts.named,
            status_before_delete: facts.status_before_delete.map(|s| s.stored().to_owned()),
        }
    }

    fn facts(self) -> PostFacts {
        PostFacts {
            properties: match serde_json::from_str(&self.properties) {
                Ok(Value::Object(map)) => map,
                _ => Map::new(),
            },
            content_kind: if self.content_kind == "html" { ContentKind::Html } else { ContentKind::Markdown },
            named: self.named,
            status_before_delete: self.status_before_delete.as_deref().and_then(ArticleStatus::parse),
        }
    }
}

/// Micropub's facts about article `article_id`, those of an API article when it has none.
pub fn facts(conn: &mut Conn, article_id: i64) -> StoreResult<PostFacts> {
    let row = micropub_posts::table.find(article_id).select(PostRow::as_select()).first(conn).optional()?;
    Ok(row.map_or_else(PostFacts::of_api_article, PostRow::facts))
}

/// Stores `facts` for article `article_id`, replacing what was kept.
fn save(conn: &mut Conn, article_id: i64, facts: &PostFacts) -> StoreResult<()> {
    let row = PostRow::new(article_id, facts);
    // Update, else insert: the same statements on both backends.
    let updated = diesel::update(micropub_posts::table.find(article_id)).set(&row).execute(conn)?;
    if updated == 0 {
        diesel::insert_into(micropub_posts::table).values(&row).execute(conn)?;
    }
    Ok(())
}

/// Creates the article (exactly as `POST /articles` does: revision, events, read model)
/// and keeps Micropub's facts with it, in one transaction.
pub fn create(
    conn: &mut Conn,
    writer: Writer,
    prepared: Prepared,
    placement: Placement,
    facts: PostFacts,
) -> StoreResult<Article> {
    write_tx(conn, |conn| {
        let article = articles::create(conn, writer, prepared, placement)?;
        save(conn, article.row.id, &facts)?;
        Ok(article)
    })
}

/// Changes the article (exactly as `PATCH /articles/{id}` does) and replaces Micropub's
/// facts, in one transaction.
pub fn update(
    conn: &mut Conn,
    id: i64,
    actor: &Actor,
    change: (ArticlePatch, Option<RenderedBody>, Expected),
    facts: PostFacts,
) -> StoreResult<Article> {
    let (patch, rendered, expected) = change;
    write_tx(conn, |conn| {
        let article = articles::update(conn, id, actor, patch, rendered, &expected)?;
        save(conn, id, &facts)?;
        Ok(article)
    })
}

/// A Micropub delete: archives the article (a new version, as an API update would),
/// remembering the status it had for undelete. `None` when it was archived already.
pub fn delete(conn: &mut Conn, article: &Article, actor: &Actor) -> StoreResult<Option<Article>> {
    let id = article.row.id;
    write_tx(conn, |conn| {
        let current = articles::find(conn, id)?;
        let before = ArticleContent::of(&current).status;
        if before == ArticleStatus::Archived {
            return Ok(None);
        }
        let mut facts = facts(conn, id)?;
        facts.status_before_delete = Some(before);
        let patch = ArticlePatch { status: Some(ArticleStatus::Archived), ..ArticlePatch::default() };
        let archived = articles::update(conn, id, actor, patch, None, &Expected::default())?;
        save(conn, id, &facts)?;
        Ok(Some(archived))
    })
}

/// A Micropub undelete: gives an archived article back the status it had before its
/// delete (published when that is not known). `None` when it is not archived.
pub fn undelete(conn: &mut Conn, article: &Article, actor: &Actor) -> StoreResult<Option<Article>> {
    let id = article.row.id;
    write_tx(conn, |conn| {
        let current = articles::find(conn, id)?;
        if current.status != ArticleStatus::Archived {
            return Ok(None);
        }
        let mut facts = facts(conn, id)?;
        let status = facts.status_before_delete.take().unwrap_or(ArticleStatus::Published);
        let patch = ArticlePatch { status: Some(status), ..ArticlePatch::default() };
        let restored = articles::update(conn, id, actor, patch, None, &Expected::default())?;
        save(conn, id, &facts)?;
        Ok(Some(restored))
    })
}

/// Every tag name, in order, whose name starts with `prefix` (case-insensitively).
pub fn tag_names(conn: &mut Conn, prefix: &str) -> StoreResult<Vec<String>> {
    let names: Vec<String> = tags::table.select(tags::name).order(tags::name.asc()).load(conn)?;
    let prefix = prefix.to_lowercase();
    Ok(names.into_iter().filter(|name| name.to_lowercase().starts_with(&prefix)).collect())
}
