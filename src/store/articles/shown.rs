//! Which articles a list may show: who may read them and in what status, and in a
//! fallback chain of locales, the one translation of each group it shows. Written for
//! the articles table or an alias of it, so the chain can ask the same of a group's
//! other translations.

use chrono::NaiveDateTime;
use diesel::sql_types::{BigInt, Text, Timestamp};

use super::list::{ListQuery, StatusFilter};
use super::{LIVE, SCHEDULED};
use crate::content::policy::Visibility;
use crate::content::status::ArticleStatus;
use crate::store::sql::Sql;

/// ` AND …` for `status`, on the articles table or its alias `table`.
fn status_clause(q: Sql, status: ArticleStatus, now: NaiveDateTime, table: &str) -> Sql {
    let on = |sql: &str| sql.replace("articles.", &format!("{table}."));
    match status {
        ArticleStatus::Published => q.push(" AND ").with::<Timestamp, _>(&on(LIVE), now),
        ArticleStatus::Scheduled => q.push(" AND ").with::<Timestamp, _>(&on(SCHEDULED), now),
        other => q.with::<Text, _>(&on(" AND articles.status = ?"), other.stored()),
    }
}

/// ` AND …` for who may see an article and the status listed, on the articles table or
/// its alias `table`: what makes an article one the list may show.
pub(super) fn shown_rules(mut q: Sql, query: &ListQuery, now: NaiveDateTime, table: &str) -> Sql {
    let live = LIVE.replace("articles.", &format!("{table}."));
    q = match query.visibility {
        Visibility::All => q,
        Visibility::Public => q.push(" AND ").with::<Timestamp, _>(&live, now),
        Visibility::Author(id) => q
            .push(" AND (")
            .with::<Timestamp, _>(&live, now)
            .with::<BigInt, _>(&format!(" OR {table}.author_id = ?)"), id),
    };
    match (query.status, query.visibility) {
        // The public sees live articles only: asking for those adds nothing.
        (StatusFilter::Only(ArticleStatus::Published), Visibility::Public) | (StatusFilter::Any, _) => q,
        (StatusFilter::Only(status), _) => status_clause(q, status, now, table),
    }
}

/// What a list in a fallback chain keeps of each group.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Chain {
    /// The translation the chain chooses: the list's items.
    Choose,
    /// Every translation in the chain's locales: enough to count groups.
    Every,
}

/// ` AND …` keeping the articles shown in `query.locales`: those in the locale asked for,
/// or with a fallback chain the one translation of each group in the earliest locale of
/// the chain that the caller may read in the status listed. The filters and the search
/// apply to the article shown, so a group whose shown article they refuse is not listed.
pub(super) fn in_locales(mut q: Sql, query: &ListQuery, now: NaiveDateTime, keep: Chain) -> Sql {
    let chain = &query.locales;
    if chain.is_empty() {
        return q;
    }
    q = q.push(" AND articles.locale IN (").list::<Text, _>(chain.clone()).push(")");
    if keep == Chain::Every {
        return q;
    }
    for (i, locale) in chain.iter().enumerate().skip(1) {
        // Shown in `locale` only when no earlier locale of the chain has a translation
        // of the same group that the list may show (the caller may read it, in the
        // status listed).
        q = q
            .with::<Text, _>(" AND NOT (articles.locale = ?", locale.clone())
            .push(" AND articles.translation_group IS NOT NULL AND EXISTS (SELECT 1 FROM articles t")
            .push(" WHERE t.translation_group = articles.translation_group AND t.locale IN (")
            .list::<Text, _>(chain[..i].to_vec())
            .push(")");
        q = shown_rules(q, query, now, "t").push("))");
    }
    q
}
