//! Reading an article in a locale: `locale` and its `fallback` chain, checked against
//! the site's locales, and which translation of a group a read answers.

use actix_web::http::header::{HeaderValue, CONTENT_LANGUAGE};
use actix_web::HttpResponse;
use chrono::NaiveDateTime;

use crate::api::error::ApiError;
use crate::content::locale::Locales;
use crate::content::policy::Visibility;
use crate::runner::batches::Batches;
use crate::store::articles::translations::{self, Translation};
use crate::store::articles::{self, Article};
use crate::store::read_model::{self, Document};
use crate::store::{Conn, StoreError, StoreResult};

/// `text` as one of the site's locales, in canonical case; else what is wrong with it.
pub fn configured(locales: &Locales, text: &str) -> Result<String, String> {
    locales.find(text).map(str::to_owned).ok_or_else(|| {
        format!("must be one of the site's locales ({}), compared case-insensitively", locales.all().join(", "))
    })
}

/// The locales a read tries, in order: `locale`, then each of `fallback` (comma-separated)
/// not already tried. `None` without `locale`; `fallback` without it is a 422.
pub fn chain(
    locales: &Locales,
    locale: Option<String>,
    fallback: Option<String>,
) -> Result<Option<Vec<String>>, ApiError> {
    let Some(locale) = locale else {
        return match fallback {
            Some(_) => Err(ApiError::invalid_field("fallback", "needs locale: the locale tried first")),
            None => Ok(None),
        };
    };
    let first = configured(locales, &locale).map_err(|why| ApiError::invalid_field("locale", why))?;
    let mut chain = vec![first];
    for next in fallback.iter().flat_map(|list| list.split(',')) {
        let next =
            configured(locales, next).map_err(|why| ApiError::invalid_field("fallback", format!("{next:?} {why}")))?;
        if !chain.contains(&next) {
            chain.push(next);
        }
    }
    Ok(Some(chain))
}

/// What a single-article read names.
#[derive(Debug, Clone)]
pub enum Target {
    Id(i64),
    /// A slug, looked up in each locale of the chain in turn (else the default locale).
    Slug(String),
}

/// The stored document the public reads for `target` in `chain` at `now`, with its
/// live translations.
pub fn stored(
    conn: &mut Conn,
    target: &Target,
    chain: Option<&[String]>,
    default: &str,
    now: NaiveDateTime,
) -> StoreResult<Found> {
    let found = match (target, chain) {
        (Target::Id(id), None) => read_model::live_by_id(conn, *id, now)?,
        (Target::Id(id), Some(chain)) => match read_model::live_by_id(conn, *id, now)? {
            None => None,
            Some(document) => in_chain(conn, document, chain, now)?,
        },
        (Target::Slug(slug), chain) => {
            let mut found = None;
            for locale in chain.unwrap_or(std::slice::from_ref(&default.to_owned())) {
                found = read_model::live_by_slug(conn, slug, locale, now)?;
                if found.is_some() {
                    break;
                }
            }
            found
        }
    };
    found.map(|document| shown_with(conn, document, now)).transpose()
}

/// `document` with its live translations.
fn shown_with(conn: &mut Conn, document: Document, now: NaiveDateTime) -> StoreResult<(Document, Vec<Translation>)> {
    let shown = match document.translation_group {
        Some(group) => translations::live(conn, group, document.article_id, now)?,
        None => Vec::new(),
    };
    Ok((document, shown))
}

/// The live document a read answers with its live translations, if any.
pub type Found = Option<(Document, Vec<Translation>)>;

/// The public's reads of single articles in the default locale, looked up in batches.
pub type PublicReads = Batches<Target, Found>;

/// Batches of the public's reads in `default` ([`stored_all`]).
pub fn public_reads(default: String) -> PublicReads {
    Batches::new(move |conn, targets| stored_all(conn, targets, &default))
}

/// What [`stored`] answers for each of `targets` read in `default` (no chain): the
/// documents in one query, their translations in one more when any has some; the
/// reads of a batch ([`crate::runner::batches`]).
pub fn stored_all(conn: &mut Conn, targets: Vec<Target>, default: &str) -> StoreResult<Vec<Found>> {
    let now = crate::store::now();
    let ids: Vec<i64> = targets.iter().filter_map(|t| if let Target::Id(id) = t { Some(*id) } else { None }).collect();
    let slugs: Vec<&str> =
        targets.iter().filter_map(|t| if let Target::Slug(slug) = t { Some(slug.as_str()) } else { None }).collect();
    let documents = read_model::live_documents(conn, &ids, &slugs, default, now)?;
    let wanted: Vec<Option<usize>> = targets
        .iter()
        .map(|target| {
            documents.iter().position(|d| match target {
                Target::Id(id) => d.article_id == *id,
                Target::Slug(slug) => d.locale == default && d.slug == *slug,
            })
        })
        .collect();
    let groups: Vec<i64> = documents.iter().filter_map(|d| d.translation_group).collect();
    let members = match groups.is_empty() {
        true => Vec::new(),
        false => translations::live_in_groups(conn, &groups, now)?,
    };
    let mut documents: Vec<Option<Document>> = documents.into_iter().map(Some).collect();
    let mut answers = Vec::with_capacity(targets.len());
    for (i, at) in wanted.iter().enumerate() {
        // The last read of a document takes it; a document read twice in a batch is copied.
        let document = at.and_then(|at| match wanted[i + 1..].contains(&Some(at)) {
            true => documents[at].clone(),
            false => documents[at].take(),
        });
        answers.push(document.map(|document| {
            let shown = members
                .iter()
                .filter(|(group, member)| {
                    Some(*group) == document.translation_group && member.id != document.article_id
                })
                .map(|(_, member)| member.clone())
                .collect();
            (document, shown)
        }));
    }
    Ok(answers)
}

/// The live translation of `document`'s group in the first locale of `chain` that has one.
fn in_chain(
    conn: &mut Conn,
    document: Document,
    chain: &[String],
    now: NaiveDateTime,
) -> StoreResult<Option<Document>> {
    for locale in chain {
        if *locale == document.locale {
            return Ok(Some(document));
        }
        if let Some(group) = document.translation_group {
            if let Some(found) = read_model::live_in_group(conn, group, locale, now)? {
                return Ok(Some(found));
            }
        }
    }
    Ok(None)
}

/// The article a caller with `visibility` reads for `target` in `chain`, built from the
/// rows; `NotFound` when there is none they may read.
pub fn found(
    conn: &mut Conn,
    target: &Target,
    chain: Option<&[String]>,
    default: &str,
    visibility: Visibility,
) -> StoreResult<Article> {
    match (target, chain) {
        (Target::Id(id), None) => articles::find(conn, *id),
        (Target::Id(id), Some(chain)) => {
            let article = articles::find(conn, *id)?;
            if !article.visible_to(visibility) {
                return Err(StoreError::NotFound);
            }
            for locale in chain {
                if article.row.locale == *locale {
                    return Ok(article);
                }
                let sibling =
                    article.siblings.iter().find(|s| s.translation.locale == *locale && visibility.allows(&s.facts));
                if let Some(sibling) = sibling {
                    return articles::find(conn, sibling.translation.id);
                }
            }
            Err(StoreError::NotFound)
        }
        (Target::Slug(slug), chain) => {
            for locale in chain.unwrap_or(std::slice::from_ref(&default.to_owned())) {
                match articles::find_by_slug(conn, slug, locale) {
                    Ok(article) if article.visible_to(visibility) => return Ok(article),
                    Ok(_) | Err(StoreError::NotFound) => {}
                    Err(other) => return Err(other),
                }
            }
            Err(StoreError::NotFound)
        }
    }
}

/// `json` (a stored document, an object) with `"translations"` added last.
pub fn with_translations(json: Vec<u8>, shown: &[Translation]) -> Result<Vec<u8>, ApiError> {
    let mut out = json;
    let Some(end) = out.iter().rposition(|b| *b == b'}') else {
        return Err(ApiError::internal(anyhow::anyhow!("a stored document is not a JSON object")));
    };
    // In the document's own buffer: it is most of the answer, and is not copied again.
    out.truncate(end);
    out.extend_from_slice(b",\"translations\":");
    serde_json::to_writer(&mut out, shown).map_err(ApiError::internal)?;
    out.push(b'}');
    Ok(out)
}

/// `etag` (quoted) made to change with the translations shown.
pub fn etag_with(etag: &str, shown: &[Translation]) -> String {
    let bare = etag.trim_matches('"');
    format!("\"{bare}{}\"", translations::etag_suffix(shown))
}

/// Says in `Content-Language` which locale a single-article answer is in.
pub fn language(response: &mut HttpResponse, locale: &str) {
    if let Ok(value) = HeaderValue::from_str(locale) {
        response.headers_mut().insert(CONTENT_LANGUAGE, value);
    }
}
