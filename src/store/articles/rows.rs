//! Article rows read by id, in a given order, with or without their bodies: a list
//! reads its page's rows without them.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::ArticleRow;
use crate::db::schema::articles;
use crate::store::{Conn, StoreResult};

/// The rows of `ids`, in that order; without their bodies unless `with_body`.
pub(in crate::store) fn rows(conn: &mut Conn, ids: &[i64], with_body: bool) -> StoreResult<Vec<ArticleRow>> {
    let mut found: Vec<ArticleRow> = if with_body {
        articles::table.filter(articles::id.eq_any(ids)).select(ArticleRow::as_select()).load(conn)?
    } else {
        let empty = || diesel::dsl::sql::<diesel::sql_types::Text>("''");
        articles::table
            .filter(articles::id.eq_any(ids))
            .select((
                (articles::id, articles::slug, articles::title, articles::excerpt, articles::excerpt_is_custom),
                (empty(), empty()),
                (articles::toc, articles::word_count, articles::reading_time_minutes, articles::status),
                (articles::published_at, articles::section_id, articles::author_id),
                (articles::seo_meta_title, articles::seo_meta_description, articles::seo_canonical_url),
                (
                    articles::cover_image_url,
                    articles::cover_image_alt,
                    articles::cover_media_id,
                    articles::cover_image_width,
                    articles::cover_image_height,
                ),
                (articles::metadata, articles::version),
                (articles::created_at, articles::updated_at, articles::locale, articles::translation_group),
            ))
            .load::<SummaryColumns>(conn)?
            .into_iter()
            .map(ArticleRow::from)
            .collect()
    };
    let position: HashMap<i64, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    found.sort_by_key(|row| position.get(&row.id).copied().unwrap_or(usize::MAX));
    Ok(found)
}

type SummaryColumns = (
    (i64, String, String, String, bool),
    (String, String),
    (String, i32, i32, String),
    (Option<NaiveDateTime>, Option<i64>, i64),
    (Option<String>, Option<String>, Option<String>),
    (Option<String>, Option<String>, Option<i64>, Option<i32>, Option<i32>),
    (String, i32),
    (NaiveDateTime, NaiveDateTime, String, Option<i64>),
);

impl From<SummaryColumns> for ArticleRow {
    fn from(columns: SummaryColumns) -> Self {
        let (
            (id, slug, title, excerpt, excerpt_is_custom),
            (body_markdown, body_html),
            toc_etc,
            dates,
            seo,
            cover,
            (metadata, version),
            times,
        ) = columns;
        let (toc, word_count, reading_time_minutes, status) = toc_etc;
        let (published_at, section_id, author_id) = dates;
        let (seo_meta_title, seo_meta_description, seo_canonical_url) = seo;
        let (cover_image_url, cover_image_alt, cover_media_id, cover_image_width, cover_image_height) = cover;
        let (created_at, updated_at, locale, translation_group) = times;
        Self {
            id,
            slug,
            title,
            excerpt,
            excerpt_is_custom,
            body_markdown,
            body_html,
            toc,
            word_count,
            reading_time_minutes,
            status,
            published_at,
            section_id,
            author_id,
            seo_meta_title,
            seo_meta_description,
            seo_canonical_url,
            cover_image_url,
            cover_image_alt,
            cover_media_id,
            cover_image_width,
            cover_image_height,
            metadata,
            version,
            created_at,
            updated_at,
            locale,
            translation_group,
        }
    }
}
