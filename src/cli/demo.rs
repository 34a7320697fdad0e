//! `folio seed-demo`: publishes a Markdown article with front matter, creating its
//! section, tags and author, so a new install shows real content at once.

use std::io::Write;
use std::path::Path;

use anyhow::{anyhow, bail, Context};
use chrono::DateTime;
use serde_json::Value;

use crate::auth::{password, Role};
use crate::config::Settings;
use crate::content::locale::LocalNames;
use crate::content::policy::Visibility;
use crate::content::{front_matter, slug, status::ArticleStatus};
use crate::startup::open_database;
use crate::store::articles::{self, ArticleContent, Placement, Writer};
use crate::store::sections::{self, SectionInput};
use crate::store::{users, Conn, StoreError};

/// The demo article: a clinic's blog post on dry needling.
const DEMO_ARTICLE: &str = include_str!("../../tests/fixtures/seed-article.md");

fn text(fields: &std::collections::BTreeMap<String, Value>, key: &str) -> Option<String> {
    fields.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// Finds the author by display name, or makes an `author` account nobody can log in to
/// until an admin sets its password.
fn author_id(conn: &mut Conn, name: &str) -> anyhow::Result<i64> {
    let local = slug::slugify(name).unwrap_or_else(|| "demo-author".into());
    let email = format!("{local}@example.com");
    if let Some(user) = users::find_for_login(conn, &email)? {
        return Ok(user.id);
    }
    let (random, _) = crate::auth::token::new_refresh_token();
    let hash = password::hash(&random).map_err(|e| anyhow!("hashing: {e}"))?;
    let user = users::create(
        conn,
        users::NewUser {
            email: &email,
            password_hash: &hash,
            display_name: name,
            role: Role::Author.as_str(),
            bio: None,
        },
    )?;
    Ok(user.id)
}

fn ensure_section(conn: &mut Conn, slug: &str, name: &str) -> anyhow::Result<()> {
    match sections::find_by_slug(conn, Visibility::All, slug) {
        Ok(_) => Ok(()),
        Err(StoreError::NotFound) => {
            let input = SectionInput {
                slug: Some(slug.to_owned()),
                name: name.to_owned(),
                description: None,
                parent_id: None,
                position: 0,
                translations: LocalNames::new(),
            };
            sections::create(conn, Visibility::All, input)?;
            Ok(())
        }
        Err(other) => Err(other.into()),
    }
}

pub fn seed(settings: &Settings, file: Option<&Path>) -> anyhow::Result<()> {
    let source = match file {
        Some(path) => {
            std::fs::read_to_string(path).with_context(|| format!("--file: cannot read {}", path.display()))?
        }
        None => DEMO_ARTICLE.to_owned(),
    };
    let doc = front_matter::parse(&source).map_err(|e| anyhow!("front matter: {e}"))?;
    let f = &doc.fields;
    let title = text(f, "title").ok_or_else(|| anyhow!("front matter: 'title' is missing"))?;
    let db = open_database(settings)?;
    let mut conn = db.writer()?;
    let section = match text(f, "section") {
        Some(section_slug) => {
            let name = text(f, "section_name").unwrap_or_else(|| section_slug.clone());
            ensure_section(&mut conn, &section_slug, &name)?;
            Some(section_slug)
        }
        None => None,
    };
    let author = author_id(&mut conn, &text(f, "author").unwrap_or_else(|| "Demo Author".into()))?;
    let tags = match f.get("tags") {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        _ => Vec::new(),
    };
    let published_at = match text(f, "published_at") {
        Some(at) => Some(DateTime::parse_from_rfc3339(&at).context("front matter: published_at")?.naive_utc()),
        None => None,
    };
    let content = ArticleContent {
        title,
        slug: text(f, "slug"),
        excerpt: text(f, "excerpt"),
        body_markdown: doc.body,
        section,
        tags,
        status: ArticleStatus::Published,
        published_at,
        seo: Default::default(),
        cover_image: None,
        metadata: Default::default(),
    };
    let writer = Writer { id: author, may_create_tags: true };
    let placement = Placement { locale: settings.locales.default_locale().to_owned(), translation_of: None };
    match content.prepare().and_then(|prepared| articles::create(&mut conn, writer, prepared, placement)) {
        Ok(article) => {
            writeln!(
                std::io::stdout(),
                "published article {} at /api/v1/articles/slug/{}",
                article.row.id,
                article.row.slug
            )?;
            Ok(())
        }
        Err(StoreError::Conflict { .. }) => {
            writeln!(std::io::stdout(), "the demo article is already there")?;
            Ok(())
        }
        Err(other) => bail!("publishing the demo article: {other}"),
    }
}
