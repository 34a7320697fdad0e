//! The writes of an import, inside its one transaction: users, sections, tags, then
//! articles (each before its translations), each created or updated by its slug (an
//! article's in its locale), or left alone when it already is as the files say. Users
//! are created by email, never changed. An article joins the translation group its
//! `translation_of` names; one without leaves its group as it is.

use std::collections::{HashMap, HashSet};
use std::fmt;

use anyhow::{anyhow, bail};

use super::{Archive, ArticleFile};
use crate::cli::archive::{self, ArticleRecord, SectionRecord};
use crate::content::policy::Visibility;
use crate::store::articles::transfer::{self, Dates};
use crate::store::articles::{Article, Placement};
use crate::store::sections::{self, SectionInput, SectionPatch};
use crate::store::tags::{self, TagInput, TagPatch};
use crate::store::users::{self, NewUser, UserChanges};
use crate::store::{now, Conn, StoreError};

/// How many of a kind were created, updated and found as they were.
#[derive(Debug, Default, Clone, Copy)]
pub struct Tally {
    created: usize,
    updated: usize,
    unchanged: usize,
}

impl Tally {
    fn count(&mut self, change: Change) {
        match change {
            Change::Created => self.created += 1,
            Change::Updated => self.updated += 1,
            Change::Unchanged => self.unchanged += 1,
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Change {
    Created,
    Updated,
    Unchanged,
}

#[derive(Debug, Default)]
pub struct Summary {
    users: Tally,
    sections: Tally,
    tags: Tally,
    articles: Tally,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kinds =
            [("users", self.users), ("sections", self.sections), ("tags", self.tags), ("articles", self.articles)];
        let parts: Vec<String> = kinds
            .iter()
            .map(|(kind, t)| format!("{kind} {} new, {} updated, {} unchanged", t.created, t.updated, t.unchanged))
            .collect();
        f.write_str(&parts.join("; "))
    }
}

/// Sections with every parent before its children; a parent outside the file is
/// looked up in the database when it is written.
fn parents_first(sections: &[SectionRecord]) -> anyhow::Result<Vec<&SectionRecord>> {
    let in_file: HashMap<&str, &SectionRecord> = sections.iter().map(|s| (s.slug.as_str(), s)).collect();
    let mut placed: Vec<&SectionRecord> = Vec::with_capacity(sections.len());
    let mut done = std::collections::HashSet::new();
    while placed.len() < sections.len() {
        let before = placed.len();
        for section in sections {
            let ready = match section.parent.as_deref() {
                None => true,
                Some(parent) => done.contains(parent) || !in_file.contains_key(parent),
            };
            if ready && !done.contains(section.slug.as_str()) {
                done.insert(section.slug.as_str());
                placed.push(section);
            }
        }
        if placed.len() == before {
            bail!("{}: the parents of some sections form a cycle", archive::SECTIONS);
        }
    }
    Ok(placed)
}

impl Archive {
    /// Writes everything; call inside one write transaction.
    pub(super) fn apply(&self, conn: &mut Conn) -> anyhow::Result<Summary> {
        let mut summary = Summary::default();
        let in_file = |name: &str| self.dir.join(name).display().to_string();
        let users_file = in_file(archive::USERS);
        for user in &self.users {
            let change = self.put_user(conn, user).map_err(|e| anyhow!("{users_file}: {}: {e}", user.email))?;
            summary.users.count(change);
        }
        let sections_file = in_file(archive::SECTIONS);
        for section in parents_first(&self.sections)? {
            let change = put_section(conn, section).map_err(|e| anyhow!("{sections_file}: {}: {e}", section.slug))?;
            summary.sections.count(change);
        }
        let tags_file = in_file(archive::TAGS);
        for tag in &self.tags {
            let change = put_tag(conn, tag).map_err(|e| anyhow!("{tags_file}: {}: {e}", tag.slug))?;
            summary.tags.count(change);
        }
        let mut authors: HashMap<String, i64> = HashMap::new();
        for file in originals_first(&self.articles)? {
            let change = put_article(conn, file, &mut authors).map_err(|e| anyhow!("{}: {e}", file.path.display()))?;
            summary.articles.count(change);
        }
        Ok(summary)
    }

    /// Creates the user with this email, with no password: nobody can log in as them
    /// until `folio user set-password` or an admin sets one. A user already there is
    /// left exactly as it is: who may do what (role, disabled) and a person's profile
    /// change through an admin's PATCH, with its audit entry, never through a file.
    fn put_user(&self, conn: &mut Conn, user: &archive::UserRecord) -> Result<Change, StoreError> {
        match users::find_for_login(conn, &user.email)? {
            Some(_) => Ok(Change::Unchanged),
            None => {
                let new = NewUser {
                    email: &user.email,
                    password_hash: "",
                    display_name: &user.display_name,
                    role: &user.role,
                    bio: user.bio.as_deref(),
                };
                let created = users::create(conn, new)?;
                if user.disabled {
                    let disabled = UserChanges { disabled: Some(true), ..UserChanges::default() };
                    users::update(conn, created.id, disabled)?;
                }
                Ok(Change::Created)
            }
        }
    }
}

fn put_section(conn: &mut Conn, section: &SectionRecord) -> anyhow::Result<Change> {
    let parent_id = match section.parent.as_deref() {
        None => None,
        Some(parent) => match sections::find_by_slug(conn, Visibility::All, parent) {
            Ok(found) => Some(found.row.id),
            Err(StoreError::NotFound) => bail!("no section has the parent's slug {parent}"),
            Err(other) => return Err(other.into()),
        },
    };
    match sections::find_by_slug(conn, Visibility::All, &section.slug) {
        Ok(current) => {
            let row = current.row;
            if row.name == section.name
                && row.description == section.description
                && row.parent_id == parent_id
                && row.position == section.position
                && row.local_names() == section.translations
            {
                return Ok(Change::Unchanged);
            }
            let patch = SectionPatch {
                slug: None,
                name: Some(section.name.clone()),
                description: Some(section.description.clone()),
                parent_id: Some(parent_id),
                position: Some(section.position),
                translations: Some(section.translations.clone()),
            };
            sections::update(conn, Visibility::All, row.id, patch)?;
            Ok(Change::Updated)
        }
        Err(StoreError::NotFound) => {
            let input = SectionInput {
                slug: Some(section.slug.clone()),
                name: section.name.clone(),
                description: section.description.clone(),
                parent_id,
                position: section.position,
                translations: section.translations.clone(),
            };
            sections::create(conn, Visibility::All, input)?;
            Ok(Change::Created)
        }
        Err(other) => Err(other.into()),
    }
}

fn put_tag(conn: &mut Conn, tag: &archive::TagRecord) -> Result<Change, StoreError> {
    match tags::find_by_slug(conn, Visibility::All, &tag.slug) {
        Ok(current) => {
            let row = current.row;
            if row.name == tag.name && row.description == tag.description && row.local_names() == tag.translations {
                return Ok(Change::Unchanged);
            }
            let patch = TagPatch {
                slug: None,
                name: Some(tag.name.clone()),
                description: Some(tag.description.clone()),
                translations: Some(tag.translations.clone()),
            };
            tags::update(conn, Visibility::All, row.id, patch)?;
            Ok(Change::Updated)
        }
        Err(StoreError::NotFound) => {
            let input = TagInput {
                slug: Some(tag.slug.clone()),
                name: tag.name.clone(),
                description: tag.description.clone(),
                translations: tag.translations.clone(),
            };
            tags::create(conn, Visibility::All, input)?;
            Ok(Change::Created)
        }
        Err(other) => Err(other),
    }
}

/// The article files with every one after the article its `translation_of` names, when
/// that is in the archive too; one naming an article outside it finds it in the database.
fn originals_first(files: &[ArticleFile]) -> anyhow::Result<Vec<&ArticleFile>> {
    let key = |file: &ArticleFile| (file.record.slug.clone(), file.locale.clone());
    let in_archive: HashSet<(String, String)> = files.iter().map(key).collect();
    let mut placed: Vec<&ArticleFile> = Vec::with_capacity(files.len());
    let mut done = HashSet::new();
    while placed.len() < files.len() {
        let before = placed.len();
        for file in files {
            let ready = match &file.record.translation_of {
                None => true,
                Some(of) => {
                    let original = (of.slug.clone(), of.locale.clone());
                    done.contains(&original) || !in_archive.contains(&original)
                }
            };
            if ready && done.insert(key(file)) {
                placed.push(file);
            }
        }
        if placed.len() == before {
            let stuck = files.iter().find(|f| !done.contains(&key(f))).map(|f| f.path.display().to_string());
            bail!("{}: translation_of: the articles' translation_of form a cycle", stuck.unwrap_or_default());
        }
    }
    Ok(placed)
}

/// Whether `article` already is as `record` says, apart from what the file shows only
/// for its reader (names) or leaves out (dates), and its group ([`transfer::join_group`]
/// decides that).
pub(super) fn unchanged(conn: &mut Conn, article: &Article, record: &ArticleRecord) -> Result<bool, StoreError> {
    let mut stored = ArticleRecord::of(article, &record.author_email);
    stored.translation_of.clone_from(&record.translation_of);
    stored.section_name.clone_from(&record.section_name);
    stored.author.clone_from(&record.author);
    if record.created_at.is_none() {
        stored.created_at = None;
    }
    if record.updated_at.is_none() {
        stored.updated_at = None;
    }
    Ok(stored == *record && users::find(conn, article.row.author_id)?.email == record.author_email)
}

fn put_article(conn: &mut Conn, file: &ArticleFile, authors: &mut HashMap<String, i64>) -> anyhow::Result<Change> {
    let record = &file.record;
    let email = &record.author_email;
    let author = match authors.get(email) {
        Some(id) => *id,
        None => {
            let Some(user) = users::find_for_login(conn, email)? else {
                bail!("author_email: no user has the email {email} (in users.json or the database)");
            };
            authors.insert(email.clone(), user.id);
            user.id
        }
    };
    let original = match &record.translation_of {
        None => None,
        Some(of) => match transfer::find_by_slug(conn, &of.slug, &of.locale)? {
            Some(found) => Some(found.row.id),
            None => bail!(
                "translation_of: no article has the slug {} in {} (in this archive or the database)",
                of.slug,
                of.locale
            ),
        },
    };
    let current = transfer::find_by_slug(conn, &record.slug, &file.locale)?;
    if let Some(article) = &current {
        if unchanged(conn, article, record)? {
            let joined = match original {
                Some(original) => transfer::join_group(conn, article.row.id, original).map_err(in_group)?,
                None => false,
            };
            return Ok(if joined { Change::Updated } else { Change::Unchanged });
        }
    }
    let now = now();
    let dates = Dates {
        created_at: record
            .created_at
            .map(|at| at.naive_utc())
            .or_else(|| current.as_ref().map(|a| a.row.created_at))
            .unwrap_or(now),
        updated_at: record.updated_at.map_or(now, |at| at.naive_utc()),
    };
    let placement = Placement { locale: file.locale.clone(), translation_of: original };
    transfer::put(conn, author, file.prepared()?, dates, current.as_ref(), placement).map_err(|e| match e {
        StoreError::Rejected(crate::store::Rejected::UnknownSection) => {
            anyhow!("section: no section has the slug {}", record.section.as_deref().unwrap_or_default())
        }
        StoreError::Rejected(rejected) => anyhow!("{rejected}"),
        other => in_group(other),
    })?;
    Ok(if current.is_some() { Change::Updated } else { Change::Created })
}

/// A store error while placing an article in its group: a group already holding the
/// article's locale is the fault of `translation_of`.
fn in_group(err: StoreError) -> anyhow::Error {
    match err {
        StoreError::Conflict { field: Some("locale"), message } => anyhow!("translation_of: {message}"),
        other => anyhow!(other),
    }
}
