//! The read model: each published article's public representation, made at write time.
//!
//! The JSON the public reads of an article (its document, body included, and the
//! summary a list shows), and the document's ETag, are made when the article or
//! anything it embeds (its section, tags, author's name and bio) changes, in the
//! transaction of that change, and stored beside the article. A public read by id or
//! slug is then one indexed look-up that copies stored bytes ([`live_by_id`],
//! [`live_by_slug`]); a public list joins its page's stored summaries ([`summaries`]).
//!
//! Only articles stored as published have a row, in the form they take when live: the
//! public sees nothing else. Whether one is live is a comparison of `live_from` with
//! the time of the read, so a scheduled article goes live with no write and no job.
//! Authenticated reads (drafts, scheduled articles as such, revisions) are built from
//! the rows as before.

mod documents;
pub mod kept;
pub mod listing;
pub mod representation;
pub mod syndication;

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

pub use self::documents::{live_by_id, live_by_slug, live_documents, live_in_group, Document};
use self::representation::{ArticleResponse, ArticleSummary};
use super::articles::{rows, with_relations, Article};
use super::{Conn, StoreResult};
use crate::content::status::ArticleStatus;
use crate::db::schema::{article_documents, article_summaries, article_tags, articles};

/// The stored representation's format, the list index's scopes included. Rows of
/// another format are made again at
/// start-up ([`rebuild`]), so a release that changes the representation upgrades
/// every stored one before it serves.
pub const FORMAT: i32 = 6;

/// Articles made again per batch by [`refresh`] and [`rebuild`]: bodies included, a
/// batch holds a few megabytes at most.
const BATCH: usize = 100;

#[derive(Insertable)]
#[diesel(table_name = article_documents)]
struct DocumentRow {
    article_id: i64,
    slug: String,
    live_from: NaiveDateTime,
    format: i32,
    etag: String,
    updated_at: NaiveDateTime,
    document: String,
    cache_tags: String,
    locale: String,
    title: String,
    translation_group: Option<i64>,
}

#[derive(Insertable)]
#[diesel(table_name = article_summaries)]
struct SummaryRow {
    article_id: i64,
    etag: String,
    summary: String,
}

/// The article as the public sees it once live: a scheduled article's representation
/// is stored ahead of its moment, in the form it then takes.
fn live_form(article: &Article) -> Option<Article> {
    let live_from = article.row.published_at?;
    (article.row.status == ArticleStatus::Published.stored()).then(|| {
        let mut live = article.clone();
        live.status = ArticleStatus::Published;
        live.row.published_at = Some(live_from);
        live
    })
}

/// Serialising folio's own types cannot fail; were it to, the write fails with it.
fn json(value: &impl serde::Serialize) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|err| diesel::result::Error::SerializationError(Box::new(err)).into())
}

fn rows_of(live: Article) -> StoreResult<(DocumentRow, SummaryRow)> {
    let etag = format!("\"{}\"", live.fingerprint());
    let (article_id, slug, updated_at) = (live.row.id, live.row.slug.clone(), live.row.updated_at);
    let (locale, title, translation_group) =
        (live.row.locale.clone(), live.row.title.clone(), live.row.translation_group);
    let live_from = live.row.published_at.unwrap_or(updated_at);
    let summary = json(&ArticleSummary::new(live.clone(), None, false))?;
    let cache_tags = live.cache_tags().join(" ");
    let document = json(&ArticleResponse::from(live))?;
    let summary_row = SummaryRow { article_id, etag: etag.clone(), summary };
    Ok((
        DocumentRow {
            article_id,
            slug,
            live_from,
            format: FORMAT,
            etag,
            updated_at,
            document,
            cache_tags,
            locale,
            title,
            translation_group,
        },
        summary_row,
    ))
}

/// Stores the representation of `article` as it now stands, or removes it when the
/// article is not stored as published. Call in the transaction that changed it.
pub fn store(conn: &mut Conn, article: &Article) -> StoreResult<()> {
    store_all(conn, std::slice::from_ref(article), false)
}

/// Stores the representation of `article`, just created: it has none yet, so there is
/// nothing to look up or remove first (on PostgreSQL, four round trips fewer inside
/// the write lock). Call in the transaction that created it.
pub fn store_new(conn: &mut Conn, article: &Article) -> StoreResult<()> {
    store_all(conn, std::slice::from_ref(article), true)
}

/// Stores the representations of `found`; `new` when they have none yet.
fn store_all(conn: &mut Conn, found: &[Article], new: bool) -> StoreResult<()> {
    if !new {
        forget(conn, &found.iter().map(|a| a.row.id).collect::<Vec<_>>())?;
    }
    let parents = listing::parents(conn)?;
    for article in found {
        let live = live_form(article);
        let listed = live
            .as_ref()
            .map(|live| (live.row.published_at.unwrap_or(live.row.updated_at), listing::scopes_of(live, &parents)));
        match new {
            true => listing::set_new(conn, article.row.id, listed)?,
            false => listing::set(conn, article.row.id, listed)?,
        }
        if let Some(live) = live {
            let (document, summary) = rows_of(live)?;
            diesel::insert_into(article_documents::table).values(document).execute(conn)?;
            diesel::insert_into(article_summaries::table).values(summary).execute(conn)?;
        }
    }
    Ok(())
}

/// Takes article `id` out of the read model: it is being deleted. Call in the
/// transaction that deletes it, before the row goes.
pub fn remove(conn: &mut Conn, id: i64) -> StoreResult<()> {
    listing::set(conn, id, None)?;
    forget(conn, &[id])
}

/// Deletes the stored documents and summaries of articles `ids`.
fn forget(conn: &mut Conn, ids: &[i64]) -> StoreResult<()> {
    diesel::delete(article_documents::table.filter(article_documents::article_id.eq_any(ids))).execute(conn)?;
    diesel::delete(article_summaries::table.filter(article_summaries::article_id.eq_any(ids))).execute(conn)?;
    Ok(())
}

/// Makes the representations of articles `ids` again, a batch at a time: something
/// they embed changed. Call in the transaction of that change.
pub fn refresh(conn: &mut Conn, ids: &[i64]) -> StoreResult<()> {
    let now = super::now();
    for batch in ids.chunks(BATCH) {
        let found = rows(conn, batch, true)?;
        let found = with_relations(conn, found, now)?;
        store_all(conn, &found, false)?;
    }
    Ok(())
}

/// What an article may embed, whose change changes the article's representation.
#[derive(Debug, Clone, Copy)]
pub enum Embedded {
    /// A section's name or slug: what its articles embed.
    Section(i64),
    /// A section's place in the tree: the lists its articles and those of the sections
    /// below it are in.
    SectionTree(i64),
    Tag(i64),
    Author(i64),
}

/// The articles that embed `what` and have a representation: those to make again
/// when it changes. Read before a change that detaches them (a tag being deleted).
pub fn embedding(conn: &mut Conn, what: Embedded) -> StoreResult<Vec<i64>> {
    let stored = article_documents::table.select(article_documents::article_id);
    let ids = match what {
        Embedded::Section(id) => articles::table
            .filter(articles::section_id.eq(id))
            .filter(articles::id.eq_any(stored))
            .select(articles::id)
            .load(conn)?,
        Embedded::SectionTree(id) => {
            let parents = listing::parents(conn)?;
            let below = |mut at: Option<i64>| {
                while let Some(section) = at {
                    if section == id {
                        return true;
                    }
                    at = parents.get(&section).copied().flatten();
                }
                false
            };
            let tree: Vec<i64> = parents.keys().copied().filter(|section| below(Some(*section))).collect();
            articles::table
                .filter(articles::section_id.eq_any(tree))
                .filter(articles::id.eq_any(stored))
                .select(articles::id)
                .load(conn)?
        }
        Embedded::Author(id) => articles::table
            .filter(articles::author_id.eq(id))
            .filter(articles::id.eq_any(stored))
            .select(articles::id)
            .load(conn)?,
        Embedded::Tag(id) => article_tags::table
            .filter(article_tags::tag_id.eq(id))
            .filter(article_tags::article_id.eq_any(stored))
            .select(article_tags::article_id)
            .load(conn)?,
    };
    Ok(ids)
}

/// Makes again the representations of the articles that embed `what`, which changed.
pub fn embedded_changed(conn: &mut Conn, what: Embedded) -> StoreResult<()> {
    let ids = embedding(conn, what)?;
    refresh(conn, &ids)
}

/// Makes the representations that are missing or of another [`FORMAT`]; returns how
/// many. Run at start-up, after the migrations.
///
/// A representation is kept for a published article only, one each ([`store_all`]):
/// when there are as many of the current format as published articles, none is
/// missing. Those two counts read two indexes; finding which articles lack one reads
/// every published article's (200 ms of each start at 100,000 articles on SQLite).
pub fn rebuild(conn: &mut Conn) -> StoreResult<usize> {
    let published = articles::table.filter(articles::status.eq(ArticleStatus::Published.stored())).select(articles::id);
    let current = article_documents::table.filter(article_documents::format.eq(FORMAT));
    let published_count: i64 = published.count().get_result(conn)?;
    let current_count: i64 = current.count().get_result(conn)?;
    if published_count == current_count {
        return Ok(0);
    }
    // Each backend in the form it answers without visiting every pair: SQLite answers
    // NOT IN from the (format, article_id) index alone (NOT EXISTS would read each
    // document's row); PostgreSQL runs `<> ALL (subquery)` as a loop over every pair
    // (a second at 10,000 articles) and NOT EXISTS as one hash anti-join.
    let stale: Vec<i64> = match conn {
        Conn::Sqlite(_) => {
            published.filter(articles::id.ne_all(current.select(article_documents::article_id))).load(conn)?
        }
        Conn::Postgres(_) => published
            .filter(diesel::dsl::not(diesel::dsl::exists(
                current.filter(article_documents::article_id.eq(articles::id)),
            )))
            .load(conn)?,
    };
    for batch in stale.chunks(BATCH) {
        super::write_tx(conn, |conn| refresh(conn, batch))?;
    }
    Ok(stale.len())
}

/// The stored summaries (or, `with_body`, documents) of articles `ids`, by id, with
/// their ETags.
pub fn summaries(conn: &mut Conn, ids: &[i64], with_body: bool) -> StoreResult<HashMap<i64, (String, String)>> {
    let rows: Vec<(i64, String, String)> = if with_body {
        article_documents::table
            .filter(article_documents::article_id.eq_any(ids))
            .select((article_documents::article_id, article_documents::document, article_documents::etag))
            .load(conn)?
    } else {
        article_summaries::table
            .filter(article_summaries::article_id.eq_any(ids))
            .select((article_summaries::article_id, article_summaries::summary, article_summaries::etag))
            .load(conn)?
    };
    Ok(rows.into_iter().map(|(id, json, etag)| (id, (json, etag))).collect())
}

#[cfg(test)]
mod tests {
    use sha2::{Digest, Sha256};
    use utoipa::PartialSchema;

    use super::representation::{
        ArticleFields, ArticleResponse, ArticleSummary, AuthorRef, CoverImage, SectionRef, Seo, TagRef,
    };
    use super::FORMAT;
    use crate::content::markdown::TocEntry;
    use crate::content::status::ArticleStatus;

    /// Stored representations outlive the code that made them: a change of their shape
    /// must come with a new [`FORMAT`], so that start-up makes every one again. When this
    /// fails, raise `FORMAT` and write the new pair here.
    #[test]
    fn a_new_representation_comes_with_a_new_format() {
        let shapes = [
            ArticleResponse::schema(),
            ArticleSummary::schema(),
            ArticleFields::schema(),
            SectionRef::schema(),
            TagRef::schema(),
            AuthorRef::schema(),
            Seo::schema(),
            CoverImage::schema(),
            TocEntry::schema(),
            ArticleStatus::schema(),
        ];
        let text = serde_json::to_string(&shapes).unwrap_or_default();
        let digest: String = Sha256::digest(text.as_bytes()).iter().take(8).map(|b| format!("{b:02x}")).collect();
        assert_eq!((FORMAT, digest.as_str()), (6, "94f3170c2e2205d0"), "the representation changed: raise FORMAT");
    }
}
