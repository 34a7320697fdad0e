//! Translation groups: each translation is a whole article, in a group that shares a
//! section and tags. An article with no translation has no group (`translation_group`
//! NULL); the first translation of one gives both the original's id as their group,
//! which stays the group's key whichever member is later deleted.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::content::policy::{ArticleFacts, Visibility};
use crate::content::status::ArticleStatus;
use crate::db::schema::{article_documents, articles};
use crate::store::{Conn, StoreError, StoreResult};

/// Another translation of an article, as its readers see it: for hreflang links and a
/// language switcher.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Translation {
    #[schema(example = 7)]
    pub id: i64,
    #[schema(example = "fr")]
    pub locale: String,
    #[schema(example = "la-science-du-dry-needling")]
    pub slug: String,
    #[schema(example = "La science du dry needling")]
    pub title: String,
}

/// A member of an article's group, with what decides who may read it.
#[derive(Debug, Clone)]
pub struct Sibling {
    pub translation: Translation,
    pub facts: ArticleFacts,
}

/// The siblings a caller with `visibility` may read now, ordered by locale.
pub fn readable(siblings: &[Sibling], visibility: Visibility) -> Vec<Translation> {
    siblings.iter().filter(|s| visibility.allows(&s.facts)).map(|s| s.translation.clone()).collect()
}

/// What an article's ETag adds for the translations it shows: nothing when none, so an
/// article without translations keeps the ETag it always had.
pub fn etag_suffix(shown: &[Translation]) -> String {
    if shown.is_empty() {
        return String::new();
    }
    let mut hash = Sha256::new();
    for t in shown {
        for part in [t.id.to_string().as_str(), &t.locale, &t.slug, &t.title] {
            hash.update(part.len().to_le_bytes());
            hash.update(part.as_bytes());
        }
    }
    let hex: String = hash.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("-{hex}")
}

/// `"{fingerprint}{suffix}"`: the ETag of an article showing `shown`.
pub fn etag(fingerprint: &str, shown: &[Translation]) -> String {
    format!("\"{fingerprint}{}\"", etag_suffix(shown))
}

type SiblingColumns = (i64, Option<i64>, String, String, String, i64, String, Option<NaiveDateTime>);

/// The members of `groups`, by group, ordered by locale, as of `now`.
pub fn members(conn: &mut Conn, groups: &[i64], now: NaiveDateTime) -> StoreResult<HashMap<i64, Vec<Sibling>>> {
    let mut by_group: HashMap<i64, Vec<Sibling>> = HashMap::new();
    if groups.is_empty() {
        return Ok(by_group);
    }
    let rows: Vec<SiblingColumns> = articles::table
        .filter(articles::translation_group.eq_any(groups))
        .order((articles::translation_group, articles::locale))
        .select((
            articles::id,
            articles::translation_group,
            articles::locale,
            articles::slug,
            articles::title,
            articles::author_id,
            articles::status,
            articles::published_at,
        ))
        .load(conn)?;
    for (id, group, locale, slug, title, author_id, status, published_at) in rows {
        let Some(group) = group else { continue };
        let status = ArticleStatus::effective(&status, published_at, now);
        by_group.entry(group).or_default().push(Sibling {
            translation: Translation { id, locale, slug, title },
            facts: ArticleFacts { author_id, status },
        });
    }
    Ok(by_group)
}

/// The translations of stored article `id` in `group` live at `now`, as the public
/// sees them: read from the stored documents, so a sibling going live on schedule
/// appears then, with no write.
pub fn live(conn: &mut Conn, group: i64, id: i64, now: NaiveDateTime) -> StoreResult<Vec<Translation>> {
    let members = live_in_groups(conn, &[group], now)?;
    Ok(members.into_iter().map(|(_, member)| member).filter(|member| member.id != id).collect())
}

/// The members of `groups` live at `now`, each with its group, by locale: what [`live`]
/// lists for each, for a batch of reads in one query.
pub fn live_in_groups(conn: &mut Conn, groups: &[i64], now: NaiveDateTime) -> StoreResult<Vec<(i64, Translation)>> {
    let query = article_documents::table
        .filter(article_documents::translation_group.eq_any(groups))
        .filter(article_documents::live_from.le(now))
        .order(article_documents::locale)
        .select((
            article_documents::translation_group.assume_not_null(),
            article_documents::article_id,
            article_documents::locale,
            article_documents::slug,
            article_documents::title,
        ));
    let rows: Vec<(i64, i64, String, String, String)> = match conn {
        Conn::Sqlite(conn) => query.load(conn)?,
        Conn::Postgres(conn) => query.load(conn)?,
    };
    Ok(rows
        .into_iter()
        .map(|(group, id, locale, slug, title)| (group, Translation { id, locale, slug, title }))
        .collect())
}

/// The group of `article` (id, group), made when it has none yet: its own id becomes the
/// group's key, on its row and its stored document.
pub fn group_of(conn: &mut Conn, id: i64, group: Option<i64>) -> StoreResult<i64> {
    if let Some(group) = group {
        return Ok(group);
    }
    diesel::update(articles::table.find(id)).set(articles::translation_group.eq(id)).execute(conn)?;
    diesel::update(article_documents::table.find(id)).set(article_documents::translation_group.eq(id)).execute(conn)?;
    Ok(id)
}

/// Whether `group` holds an article in `locale` other than `except`.
pub fn holds(conn: &mut Conn, group: i64, locale: &str, except: Option<i64>) -> StoreResult<bool> {
    let mut query =
        articles::table.filter(articles::translation_group.eq(group)).filter(articles::locale.eq(locale)).into_boxed();
    if let Some(id) = except {
        query = query.filter(articles::id.ne(id));
    }
    Ok(query.count().get_result::<i64>(conn)? > 0)
}

/// 409 when `group` already holds `locale`.
pub fn check_free(conn: &mut Conn, group: Option<i64>, locale: &str, except: Option<i64>) -> StoreResult<()> {
    match group {
        Some(group) if holds(conn, group, locale, except)? => Err(StoreError::conflict(
            "locale",
            format!("this article's translation group already has a translation in {locale}"),
        )),
        _ => Ok(()),
    }
}

/// Gives articles stored before locales existed (an empty locale) the site's default.
/// Run at start-up, after the migrations; returns how many.
pub fn adopt_default_locale(conn: &mut Conn, default: &str) -> StoreResult<usize> {
    Ok(diesel::update(articles::table.filter(articles::locale.eq("")))
        .set(articles::locale.eq(default))
        .execute(conn)?)
}
