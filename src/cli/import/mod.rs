//! `folio import DIR`: reads what `folio export` wrote into the database of
//! `DATABASE_URL`, idempotently (sections and tags matched by slug, articles by slug
//! and locale, users by email; translations join the group of the article their
//! `translation_of` names). Every file is read and checked, and every body rendered, before the
//! database is touched; the writes then run in one transaction, so bad input leaves
//! nothing half-imported. Only regular files of bounded size are read
//! ([`super::files::read_regular`]).

mod apply;

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use super::archive::{self, ArticleRecord, SectionRecord, TagRecord, UserRecord};
use super::files;
use crate::api::articles::locales::configured;
use crate::api::articles::{check_date, CreateArticle};
use crate::auth::Role;
use crate::config::Settings;
use crate::content::locale::{LocalNames, Locales};
use crate::domain::{Description, DisplayName, Email, Name, Slug};
use crate::startup::open_database;
use crate::store::articles::{transfer, ArticleContent, Prepared};
use crate::store::Conn;
use crate::store::{self, StoreError};
use crate::validation::Errors;

/// An article file, read and checked; rendered when it differs from the stored article.
struct ArticleFile {
    path: PathBuf,
    record: ArticleRecord,
    /// The configured locale the article is in.
    locale: String,
    content: ArticleContent,
    prepared: Option<Prepared>,
}

impl ArticleFile {
    /// The content with its body rendered: beforehand when it was found to differ
    /// ([`Archive::render_changed`]), else now.
    fn prepared(&self) -> anyhow::Result<Prepared> {
        match &self.prepared {
            Some(prepared) => Ok(prepared.clone()),
            None => self.content.clone().prepare().map_err(|e| anyhow!("body_markdown {e}")),
        }
    }
}

/// Everything in an export directory, checked.
struct Archive {
    dir: PathBuf,
    users: Vec<UserRecord>,
    sections: Vec<SectionRecord>,
    tags: Vec<TagRecord>,
    articles: Vec<ArticleFile>,
}

fn read_json<T: DeserializeOwned>(path: &Path) -> anyhow::Result<Vec<T>> {
    let text = files::read_regular(path, files::MAX_JSON_BYTES, "a JSON file")?;
    let mut json = serde_json::Deserializer::from_str(&text);
    serde_path_to_error::deserialize(&mut json)
        .map_err(|e| anyhow!("{}: at {}: {}", path.display(), e.path(), e.inner()))
}

/// `Err` naming `what` in `file` when `check` refuses the value.
fn check<T, E: std::fmt::Display>(file: &Path, what: &str, checked: Result<T, E>) -> anyhow::Result<T> {
    checked.map_err(|e| anyhow!("{}: {what}: {e}", file.display()))
}

fn check_users(path: &Path, users: &mut [UserRecord]) -> anyhow::Result<()> {
    let mut seen = HashSet::new();
    for (i, user) in users.iter_mut().enumerate() {
        user.email = check(path, &format!("[{i}].email"), Email::try_from(user.email.as_str()))?.into_inner();
        user.display_name =
            check(path, &format!("[{i}].display_name"), DisplayName::try_from(user.display_name.as_str()))?.into();
        user.bio = match user.bio.take() {
            Some(bio) => Some(check(path, &format!("[{i}].bio"), Description::try_from(bio))?.into()),
            None => None,
        };
        if Role::parse(&user.role).is_none() {
            bail!("{}: [{i}].role: '{}' is not a role: use admin, editor or author", path.display(), user.role);
        }
        if !seen.insert(user.email.clone()) {
            bail!("{}: [{i}].email: {} is listed twice", path.display(), user.email);
        }
    }
    Ok(())
}

/// A term's (or its translation's) name and description, checked as the API checks them.
fn check_names(path: &Path, at: &str, name: &mut String, description: &mut Option<String>) -> anyhow::Result<()> {
    *name = check(path, &format!("{at}.name"), Name::try_from(name.as_str()))?.into();
    if let Some(text) = description.take() {
        *description = Some(check(path, &format!("{at}.description"), Description::try_from(text))?.into());
    }
    Ok(())
}

/// The names of a term in other locales, keyed by configured locale in canonical case.
fn check_translations(path: &Path, i: usize, translations: &mut LocalNames, locales: &Locales) -> anyhow::Result<()> {
    let mut checked = LocalNames::new();
    for (key, mut local) in std::mem::take(translations) {
        let at = format!("[{i}].translations.{key}");
        let locale = check(path, &at, configured(locales, &key))?;
        check_names(path, &at, &mut local.name, &mut local.description)?;
        if checked.insert(locale.clone(), local).is_some() {
            bail!("{}: {at}: names {locale}, which another key names too", path.display());
        }
    }
    *translations = checked;
    Ok(())
}

fn check_term(
    path: &Path,
    i: usize,
    slug: &str,
    name: &mut String,
    description: &mut Option<String>,
) -> anyhow::Result<()> {
    check(path, &format!("[{i}].slug"), Slug::try_from(slug))?;
    check_names(path, &format!("[{i}]"), name, description)
}

fn check_sections(path: &Path, sections: &mut [SectionRecord], locales: &Locales) -> anyhow::Result<()> {
    let mut seen = HashSet::new();
    for (i, section) in sections.iter_mut().enumerate() {
        check_term(path, i, &section.slug, &mut section.name, &mut section.description)?;
        check_translations(path, i, &mut section.translations, locales)?;
        if !seen.insert(section.slug.clone()) {
            bail!("{}: [{i}].slug: {} is listed twice", path.display(), section.slug);
        }
    }
    Ok(())
}

fn check_tags(path: &Path, tags: &mut [TagRecord], locales: &Locales) -> anyhow::Result<()> {
    let (mut slugs, mut names) = (HashSet::new(), HashSet::new());
    for (i, tag) in tags.iter_mut().enumerate() {
        check_term(path, i, &tag.slug, &mut tag.name, &mut tag.description)?;
        check_translations(path, i, &mut tag.translations, locales)?;
        if !slugs.insert(tag.slug.clone()) || !names.insert(store::tags::name_key(&tag.name)) {
            bail!("{}: [{i}]: the tag {} is listed twice", path.display(), tag.name);
        }
    }
    Ok(())
}

/// Reads and checks (as the API checks a new article) one article file of at most `limit` bytes.
fn read_article(path: &Path, limit: u64, locales: &Locales) -> anyhow::Result<ArticleFile> {
    let source =
        files::read_regular(path, limit, "an article file (FOLIO_MAX_BODY_BYTES plus 64 KiB of front matter)")?;
    let mut record = ArticleRecord::parse(&source).map_err(|e| anyhow!("{}: {e}", path.display()))?;
    record.author_email = check(path, "author_email", Email::try_from(record.author_email.as_str()))?.into_inner();
    let mut body = json!({
        "title": record.title,
        "slug": record.slug,
        "excerpt": record.excerpt,
        "body_markdown": record.body,
        "section": record.section,
        "tags": record.tags,
        "status": record.status,
        "seo": record.seo,
        "cover_image": record.cover_image,
        "metadata": record.metadata,
    });
    if let (Some(at), Value::Object(map)) = (record.published_at, &mut body) {
        map.insert("published_at".into(), json!(at));
    }
    let input: CreateArticle = serde_path_to_error::deserialize(body)
        .map_err(|e| anyhow!("{}: {}: {}", path.display(), e.path(), e.inner()))?;
    let mut errors = Errors::default();
    // Only an import sets these; the API's rule for its own dates holds for them too.
    for (field, at) in [("/created_at", record.created_at), ("/updated_at", record.updated_at)] {
        if let Some(at) = at {
            check_date(&mut errors, field, at);
        }
    }
    let content = input.validate(&mut errors);
    let content = errors.finish(content).map_err(|found| {
        let list: Vec<String> = found.iter().map(|e| format!("{} {}", e.field, e.message)).collect();
        anyhow!("{}: {}", path.display(), list.join("; "))
    })?;
    let locale = match &record.locale {
        Some(text) => check(path, "locale", configured(locales, text))?,
        None => locales.default_locale().to_owned(),
    };
    record.locale = Some(locale.clone());
    if let Some(original) = &mut record.translation_of {
        check(path, "translation_of.slug", Slug::try_from(original.slug.as_str()))?;
        original.locale = check(path, "translation_of.locale", configured(locales, &original.locale))?;
        if (original.slug.as_str(), original.locale.as_str()) == (record.slug.as_str(), locale.as_str()) {
            bail!("{}: translation_of: names the article itself", path.display());
        }
    }
    Ok(ArticleFile { path: path.to_owned(), record, locale, content, prepared: None })
}

impl Archive {
    /// Reads every file of `dir`, article files of at most `article_limit` bytes.
    fn read(dir: &Path, article_limit: u64, locales: &Locales) -> anyhow::Result<Self> {
        if !dir.is_dir() {
            bail!("{} is not a directory", dir.display());
        }
        let mut users: Vec<UserRecord> = read_json(&dir.join(archive::USERS))?;
        check_users(&dir.join(archive::USERS), &mut users)?;
        let mut sections: Vec<SectionRecord> = read_json(&dir.join(archive::SECTIONS))?;
        check_sections(&dir.join(archive::SECTIONS), &mut sections, locales)?;
        let mut tags: Vec<TagRecord> = read_json(&dir.join(archive::TAGS))?;
        check_tags(&dir.join(archive::TAGS), &mut tags, locales)?;
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .with_context(|| format!("cannot read {}", dir.display()))?
            .map(|entry| entry.map(|e| e.path()))
            .collect::<Result<_, _>>()
            .with_context(|| format!("cannot read {}", dir.display()))?;
        // Whatever their type: a link or a FIFO named like an article is refused when read.
        paths.retain(|p| p.extension().is_some_and(|e| e == "md"));
        paths.sort();
        let mut slugs = HashSet::new();
        let mut articles = Vec::with_capacity(paths.len());
        for path in paths {
            let file = read_article(&path, article_limit, locales)?;
            if !slugs.insert((file.record.slug.clone(), file.locale.clone())) {
                bail!("{}: another file has the slug {} in {}", path.display(), file.record.slug, file.locale);
            }
            articles.push(file);
        }
        Ok(Self { dir: dir.to_owned(), users, sections, tags, articles })
    }

    /// Renders the bodies of the articles that are new or differ from what is stored,
    /// before the write transaction takes the write lock: rendering is the slow part.
    fn render_changed(&mut self, conn: &mut Conn) -> anyhow::Result<()> {
        for file in &mut self.articles {
            let in_file = |e: StoreError| anyhow!("{}: {e}", file.path.display());
            let current = transfer::find_by_slug(conn, &file.record.slug, &file.locale).map_err(in_file)?;
            let same = match &current {
                Some(article) => apply::unchanged(conn, article, &file.record).map_err(in_file)?,
                None => false,
            };
            if !same {
                let prepared = file.content.clone().prepare();
                file.prepared = Some(prepared.map_err(|e| anyhow!("{}: body_markdown {e}", file.path.display()))?);
            }
        }
        Ok(())
    }
}

pub fn import(settings: &Settings, dir: &Path) -> anyhow::Result<()> {
    let mut archive = Archive::read(dir, files::max_article_bytes(settings.max_body_bytes), &settings.locales)?;
    let db = open_database(settings)?;
    archive.render_changed(&mut *db.reader()?)?;
    let mut conn = db.writer()?;
    // The store's transaction takes the write lock; what went wrong inside is kept
    // here whole, with the file it concerns.
    let mut failure = None;
    let outcome = store::write_tx(&mut conn, |conn| {
        archive.apply(conn).map_err(|err| {
            failure = Some(err);
            StoreError::Conflict { field: None, message: "the import failed".into() }
        })
    });
    let summary = match (outcome, failure) {
        (Ok(summary), _) => summary,
        (Err(_), Some(err)) => return Err(err.context("nothing was imported")),
        (Err(err), None) => return Err(anyhow!(err).context("nothing was imported")),
    };
    writeln!(std::io::stdout(), "imported {}: {summary}", archive.dir.display())?;
    Ok(())
}
