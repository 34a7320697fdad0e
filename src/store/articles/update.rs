//! Changing and deleting an article, once the rules allow it and the article is what the
//! caller expected: a patch laid over its content, and what a change of the section or
//! tags does to its translations, whose section and tags they are too.

use super::translations::check_free;
use super::write::{replace, replace_in, ArticleContent, ArticlePatch, RenderedBody, Writer};
use super::{find, Article};
use crate::content::policy::{self, Actor};
use crate::content::status::ArticleStatus;
use crate::db::schema::articles;
use crate::store::{outbox, read_model, write_tx, Conn, StoreError, StoreResult};
use diesel::prelude::*;

/// What the caller expects of the article it changes, checked against the current row
/// in the write's transaction.
#[derive(Debug, Clone, Default)]
pub struct Expected {
    /// From `If-Match`: the [`Article::fingerprint`]s the caller accepts; `None` accepts any.
    pub fingerprints: Option<Vec<String>>,
    /// The version the change is based on.
    pub version: Option<i64>,
}

impl Expected {
    /// `PreconditionFailed` when the article is not what `If-Match` expects, `Stale`
    /// when its version is not the one given; both are checked when both are given.
    pub(super) fn hold_for(&self, current: &Article) -> StoreResult<()> {
        if let Some(accepted) = &self.fingerprints {
            // An answer's ETag adds what it showed of the translations (`-…`): the
            // article itself is what a write expects.
            let fingerprint = current.fingerprint();
            if !accepted.iter().any(|tag| tag.split('-').next() == Some(fingerprint.as_str())) {
                return Err(StoreError::PreconditionFailed);
            }
        }
        if let Some(given) = self.version {
            let current = i64::from(current.row.version);
            if given != current {
                return Err(StoreError::Stale { given, current });
            }
        }
        Ok(())
    }
}

/// Whether `actor` may replace `current` with content of status `next` (deleting: its own).
pub(super) fn may_replace(actor: &Actor, current: &Article, next: ArticleStatus) -> StoreResult<()> {
    policy::may_change(actor, &current.facts())?;
    policy::may_write_as(actor, next)?;
    Ok(())
}

/// Applies `patch` to article `id` as `actor`, once the rules allow it and the article
/// is what the caller `expected`; all in one transaction. `rendered` is the patch's body
/// rendered beforehand, or the current body's when the patch clears a custom excerpt
/// (which is then derived from it). A new section or tags are the group's: every
/// translation takes them, with a revision each ([`group_members`]).
pub fn update(
    conn: &mut Conn,
    id: i64,
    actor: &Actor,
    patch: ArticlePatch,
    rendered: Option<RenderedBody>,
    expected: &Expected,
) -> StoreResult<Article> {
    write_tx(conn, |conn| {
        let current = find(conn, id)?;
        let locale = patch.locale.clone().unwrap_or_else(|| current.row.locale.clone());
        let content = ArticleContent::of(&current).patched(patch);
        may_replace(actor, &current, content.status)?;
        expected.hold_for(&current)?;
        if locale != current.row.locale {
            check_free(conn, current.row.translation_group, &locale, Some(id))?;
        }
        let members = group_members(conn, actor, &current, &content)?;
        let writer = Writer::of(actor);
        let updated = replace_in(conn, &current, &content, rendered, writer, &locale)?;
        share_terms(conn, &updated, &members, writer)?;
        Ok(updated)
    })
}

/// The other translations of `current` when `content` changes its section or tags,
/// which belong to the group: `actor` must be allowed to change every one (else 403).
/// None when the terms stay, or the article has no translation.
pub(super) fn group_members(
    conn: &mut Conn,
    actor: &Actor,
    current: &Article,
    content: &ArticleContent,
) -> StoreResult<Vec<Article>> {
    let same_section = content.section.as_deref() == current.section.as_ref().map(|s| s.slug.as_str());
    let same_tags = content.tags.iter().eq(current.tags.iter().map(|t| &t.name));
    if (same_section && same_tags) || current.siblings.is_empty() {
        return Ok(Vec::new());
    }
    let mut members = Vec::with_capacity(current.siblings.len());
    for sibling in &current.siblings {
        let member = find(conn, sibling.translation.id)?;
        if policy::may_change(actor, &member.facts()).is_err() {
            return Err(policy::Denied::Forbidden(
                "the section and tags belong to every translation: only a caller who may change each of them may change them",
            )
            .into());
        }
        members.push(member);
    }
    Ok(members)
}

/// Gives each of `members` the section and tags `updated` now has, a revision each.
pub(super) fn share_terms(conn: &mut Conn, updated: &Article, members: &[Article], writer: Writer) -> StoreResult<()> {
    let section = updated.section.as_ref().map(|s| s.slug.clone());
    let tags: Vec<String> = updated.tags.iter().map(|t| t.name.clone()).collect();
    for member in members {
        let mut content = ArticleContent::of(member);
        content.section.clone_from(&section);
        content.tags.clone_from(&tags);
        replace(conn, member, &content, None, writer)?;
    }
    Ok(())
}

/// Deletes article `id` (and its revisions) as `actor`, once the rules allow it and the
/// article is what the caller `expected`.
pub fn delete(conn: &mut Conn, id: i64, actor: &Actor, expected: &Expected) -> StoreResult<()> {
    write_tx(conn, |conn| {
        let current = find(conn, id)?;
        may_replace(actor, &current, current.status)?;
        expected.hold_for(&current)?;
        read_model::remove(conn, id)?;
        diesel::delete(articles::table.find(id)).execute(conn)?;
        outbox::article_deleted(conn, &current)?;
        Ok(())
    })
}
