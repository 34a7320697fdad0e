//! The article list's query: its documented parameters, and reading them.

use chrono::{Datelike, NaiveDateTime};
use utoipa::IntoParams;

use super::fields::{self, Fields};
use super::{cursor, shapes};
use crate::api::caller::MaybeCaller;
use crate::api::error::ApiError;
use crate::api::query::{FromQuery, QueryReader};
use crate::content::locale::Locales;
use crate::content::status::ArticleStatus;
use crate::store::articles::{Key, ListQuery, Sort, StatusFilter};
use crate::store::PageRequest;

/// Longest search accepted, in characters.
const MAX_SEARCH_CHARS: usize = 200;
/// Most `tag` filters in one list query.
const MAX_TAG_FILTERS: usize = 20;

/// Query parameters of the article list, as documented and as read.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArticleListParams {
    /// 1-based page number.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 10_000_000, default = 1)]
    page: i64,
    /// Items per page, 1 to 100.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100, default = 20)]
    per_page: i64,
    /// A section slug; articles of its sub-sections are included. Unknown: an empty page.
    section: Option<String>,
    /// A tag slug; repeat it (up to 20 times) to require every tag given. Unknown: an empty page.
    #[param(value_type = Option<Vec<String>>, max_items = 20)]
    tag: Vec<String>,
    /// An author's user id.
    #[param(minimum = 1)]
    author: Option<i64>,
    /// Only articles published at or after this moment (years 0001 to 9999).
    #[param(value_type = Option<chrono::DateTime<chrono::Utc>>)]
    published_after: Option<NaiveDateTime>,
    /// Only articles published before this moment (years 0001 to 9999).
    #[param(value_type = Option<chrono::DateTime<chrono::Utc>>)]
    published_before: Option<NaiveDateTime>,
    /// Full-text search over title, excerpt and body text: every word must match;
    /// `"quoted phrases"` and `prefix*` work, nothing else is syntax; no word at all finds nothing. Results come by
    /// relevance (articles whose title holds every word first) unless `sort` is given, each with a `snippet`.
    /// The newest 1,000 matches are ranked (the server's `FOLIO_SEARCH_RANKED`); a search matching more lists
    /// the older ones after them, newest first. `meta.total` counts every match, exactly.
    /// How a word matches depends on the database: on SQLite as written (case and accents aside); on
    /// PostgreSQL by its stem in the article's language where the server has one (`needles` finds `needle`;
    /// accents count), that language's stop words (`the`, `he`) ignored: stop words alone find nothing there.
    #[param(min_length = 1, max_length = 200)]
    q: Option<String>,
    /// Sort order; `-` means descending. Default: `-published_at`, or relevance with `q`.
    #[param(inline, value_type = Option<shapes::ArticleSort>)]
    sort: Option<Sort>,
    /// `published` (the default) or, with a token, `draft`, `scheduled`, `archived` or `any`.
    /// Authors see their own articles in statuses other than `published`.
    #[param(inline, value_type = Option<shapes::StatusFilter>)]
    status: StatusFilter,
    /// `body` to include `body_markdown` and `body_html` in each item.
    #[param(inline, value_type = Option<shapes::Include>)]
    include: bool,
    /// The `meta.next_cursor` of the page before: the next page, found by its position in the order
    /// (a keyset), so that articles published meanwhile neither repeat an item nor skip one. Not with
    /// `page`; keep the `sort` (and `q`) it was made with. By relevance (`q` without `sort`) it is a
    /// position: give `sort` for a cursor stable under inserts.
    #[param(value_type = Option<String>)]
    cursor: Option<Key>,
    /// Top-level fields each item should have, comma-separated (`title,slug,published_at`); `id` is always
    /// there. Unknown names: 422. Naming `body_markdown` or `body_html` loads the bodies, as `include=body` does;
    /// `snippet` is a search's matched passage.
    #[param(value_type = Option<String>, example = "title,slug,published_at")]
    fields: Option<Fields>,
    /// One of the site's locales (`FOLIO_LOCALES`): only articles in it, or with `fallback` one item per
    /// translation group. Without it, every locale is listed. Other locales: 422.
    #[param(value_type = Option<String>, example = "fr")]
    locale: Option<String>,
    /// Locales to try in order after `locale`, comma-separated (needs `locale`, else 422): the list shows one
    /// item per translation group, the first locale of the chain that has a translation the caller may read;
    /// filters and `q` apply to the item shown, and totals and pages count groups.
    #[param(value_type = Option<String>, example = "en,de")]
    fallback: Option<String>,
}

impl FromQuery for ArticleListParams {
    fn read(q: &mut QueryReader) -> Self {
        if q.has("cursor") && q.has("page") {
            q.error("cursor", "cannot be combined with page: a cursor says where the page starts");
        }
        let PageRequest { page, per_page } = q.page();
        let mut date = |name: &str| {
            let at = q.timestamp(name);
            // Dates are stored as text: only four-digit years sort as they compare.
            if at.is_some_and(|at| !(1..=9999).contains(&at.year())) {
                q.error(name, "must have a year from 0001 to 9999");
            }
            at
        };
        let (published_after, published_before) = (date("published_after"), date("published_before"));
        let mut params = Self {
            page,
            per_page,
            section: q.text("section"),
            tag: q.repeated("tag", MAX_TAG_FILTERS),
            author: q.int("author", 1, i64::MAX),
            published_after,
            published_before,
            q: q.parsed("q", |s| match s.chars().count() {
                0 => Err("must not be empty".to_owned()),
                n if n > MAX_SEARCH_CHARS => Err(format!("must be at most {MAX_SEARCH_CHARS} characters")),
                _ => Ok(s.to_owned()),
            }),
            sort: q.parsed("sort", |s| {
                Sort::parse(s).ok_or_else(|| {
                    "must be one of published_at, -published_at, title, -title, updated_at, -updated_at".to_owned()
                })
            }),
            status: q
                .parsed("status", |s| match s {
                    "any" => Ok(StatusFilter::Any),
                    other => ArticleStatus::parse(other)
                        .map(StatusFilter::Only)
                        .ok_or_else(|| "must be one of draft, scheduled, published, archived, any".to_owned()),
                })
                .unwrap_or(StatusFilter::Only(ArticleStatus::Published)),
            include: q
                .parsed("include", |s| match s {
                    "body" => Ok(true),
                    _ => Err("must be 'body'".to_owned()),
                })
                .unwrap_or(false),
            cursor: None,
            locale: q.text("locale"),
            fallback: q.text("fallback"),
            fields: q.parsed("fields", |text| {
                let known: Vec<&'static str> = fields::ARTICLE
                    .into_iter()
                    .filter(|name| *name != fields::TRANSLATIONS)
                    .chain([fields::SNIPPET])
                    .collect();
                Fields::parse(text, &known)
            }),
        };
        let order = cursor::order_name(params.sort, params.q.is_some());
        params.cursor = q.parsed("cursor", |text| cursor::decode(text, order));
        params
    }
}

impl ArticleListParams {
    /// The store's query for what `caller` may list.
    pub(super) fn for_caller(
        self,
        caller: &MaybeCaller,
        ranked: usize,
        locales: &Locales,
    ) -> Result<(ListQuery, Option<Fields>), ApiError> {
        let chain = super::locales::chain(locales, self.locale, self.fallback)?;
        if self.status != StatusFilter::Only(ArticleStatus::Published) {
            caller.signed_in("listing articles that are not published needs a Bearer access token")?;
        }
        let include_body = self.include || self.fields.as_ref().is_some_and(Fields::want_body);
        let query = ListQuery {
            visibility: caller.visibility(),
            status: self.status,
            section: self.section,
            tags: self.tag,
            author: self.author,
            published_after: self.published_after,
            published_before: self.published_before,
            search: self.q,
            ranked,
            sort: self.sort,
            page: PageRequest { page: self.page, per_page: self.per_page },
            after: self.cursor,
            include_body,
            search_locales: chain.clone().unwrap_or_else(|| locales.all().to_vec()),
            locales: chain.unwrap_or_default(),
        };
        Ok((query, self.fields))
    }
}
