//! `folio export DIR`: the whole site as files that `folio import` reads into another
//! database (see [`super::archive`]). Password hashes are never written.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use anyhow::{bail, Context};

use super::archive::{self, ArticleRecord, SectionRecord, TagRecord, UserRecord};
use super::files;
use crate::config::Settings;
use crate::startup::open_database;
use crate::store::sections::SectionRow;
use crate::store::tags::TagRow;
use crate::store::taxonomy::Term;
use crate::store::{self, articles, users, Conn, PageRequest, StoreError};

/// Every row of a list at once.
pub(super) const ALL: PageRequest = PageRequest { page: 1, per_page: i64::MAX };

/// Creates `dir` when missing; refuses one with anything in it, so an export never
/// mixes with older files.
fn empty_dir(dir: &Path) -> anyhow::Result<()> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                bail!("{} is not empty: export into a new or empty directory", dir.display());
            }
            Ok(())
        }
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))
        }
        Err(err) => Err(err).with_context(|| format!("cannot read {}", dir.display())),
    }
}

/// A new file `name` in `dir`: never one there already, nor through a link put there
/// after [`empty_dir`] looked.
fn write(dir: &Path, name: &str, text: &str) -> anyhow::Result<()> {
    files::create_new(&dir.join(name), text)
}

fn sections(conn: &mut Conn) -> Result<Vec<SectionRecord>, StoreError> {
    let (rows, _) = SectionRow::page(conn, ALL)?;
    let slugs: HashMap<i64, String> = rows.iter().map(|r| (r.id, r.slug.clone())).collect();
    let mut records: Vec<SectionRecord> = rows
        .into_iter()
        .map(|r| SectionRecord {
            translations: r.local_names(),
            parent: r.parent_id.and_then(|id| slugs.get(&id).cloned()),
            slug: r.slug,
            name: r.name,
            description: r.description,
            position: r.position,
        })
        .collect();
    records.sort_by(|a, b| a.slug.cmp(&b.slug));
    Ok(records)
}

fn tags(conn: &mut Conn) -> Result<Vec<TagRecord>, StoreError> {
    let (rows, _) = TagRow::page(conn, ALL)?;
    let mut records: Vec<TagRecord> = rows
        .into_iter()
        .map(|r| TagRecord { translations: r.local_names(), slug: r.slug, name: r.name, description: r.description })
        .collect();
    records.sort_by(|a, b| a.slug.cmp(&b.slug));
    Ok(records)
}

pub fn export(settings: &Settings, dir: &Path) -> anyhow::Result<()> {
    empty_dir(dir)?;
    let db = open_database(settings)?;
    let default_locale = settings.locales.default_locale();
    let mut conn = db.reader()?;
    // One snapshot: a server writing meanwhile cannot leave an article naming a tag
    // or user that the JSON files lack.
    let (count, user_records, section_records, tag_records) = store::read_snapshot(&mut conn, |conn| {
        let all_users = users::list(conn, ALL)?.items;
        let emails: HashMap<i64, String> = all_users.iter().map(|u| (u.id, u.email.clone())).collect();
        let mut user_records: Vec<UserRecord> = all_users
            .into_iter()
            .map(|u| UserRecord {
                email: u.email,
                display_name: u.display_name,
                role: u.role.as_str().to_owned(),
                bio: u.bio,
                disabled: u.disabled,
            })
            .collect();
        user_records.sort_by(|a, b| a.email.cmp(&b.email));
        let section_records = sections(conn)?;
        let tag_records = tags(conn)?;
        let count = articles::transfer::for_each(conn, |article| -> anyhow::Result<()> {
            let email = emails.get(&article.row.author_id).map_or("", String::as_str);
            let record = ArticleRecord::of(&article, email);
            write(dir, &record.file_name(default_locale), &record.to_markdown())
        })?;
        anyhow::Ok((count, user_records, section_records, tag_records))
    })?;
    write(dir, archive::USERS, &archive::to_json(&user_records))?;
    write(dir, archive::SECTIONS, &archive::to_json(&section_records))?;
    write(dir, archive::TAGS, &archive::to_json(&tag_records))?;
    writeln!(
        std::io::stdout(),
        "exported {count} articles, {} sections, {} tags and {} users to {}",
        section_records.len(),
        tag_records.len(),
        user_records.len(),
        dir.display()
    )?;
    Ok(())
}
