//! The audit trail: one row per write, recorded in that write's transaction.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{now, Conn, Page, PageRequest, StoreResult};
use crate::db::schema::audit_log;

/// Who is writing, as the trail records them.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: i64,
    pub role: &'static str,
    pub client: String,
    /// The API key the write was made with, if any.
    pub api_key_id: Option<i64>,
}

/// What was written: `action` on `resource` `resource_id`, at `version` for articles.
#[derive(Debug, Clone, Copy)]
pub struct Change {
    pub action: &'static str,
    pub resource: &'static str,
    pub resource_id: Option<i64>,
    pub version: Option<i32>,
}

impl Change {
    pub fn new(action: &'static str, resource: &'static str, resource_id: i64) -> Self {
        Self { action, resource, resource_id: Some(resource_id), version: None }
    }

    pub fn at_version(self, version: i32) -> Self {
        Self { version: Some(version), ..self }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_log)]
pub struct Entry {
    pub id: i64,
    pub at: NaiveDateTime,
    pub user_id: Option<i64>,
    pub role: String,
    pub action: String,
    pub resource: String,
    pub resource_id: Option<i64>,
    pub version: Option<i32>,
    pub client: String,
    pub api_key_id: Option<i64>,
}

/// Records a change. Call inside the write's own transaction.
pub fn record(conn: &mut Conn, actor: &Actor, change: Change) -> StoreResult<()> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::at.eq(now()),
            audit_log::user_id.eq(actor.user_id),
            audit_log::role.eq(actor.role),
            audit_log::action.eq(change.action),
            audit_log::resource.eq(change.resource),
            audit_log::resource_id.eq(change.resource_id),
            audit_log::version.eq(change.version),
            audit_log::client.eq(&actor.client),
            audit_log::api_key_id.eq(actor.api_key_id),
        ))
        .execute(conn)?;
    Ok(())
}

/// Filters of the trail; all optional.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub user_id: Option<i64>,
    pub resource: Option<String>,
    pub resource_id: Option<i64>,
    /// Inclusive.
    pub since: Option<NaiveDateTime>,
    /// Exclusive.
    pub until: Option<NaiveDateTime>,
}

fn filtered(filter: &Filter) -> audit_log::BoxedQuery<'static, crate::db::MultiBackend> {
    let mut query = audit_log::table.into_boxed();
    if let Some(user_id) = filter.user_id {
        query = query.filter(audit_log::user_id.eq(user_id));
    }
    if let Some(resource) = filter.resource.clone() {
        query = query.filter(audit_log::resource.eq(resource));
    }
    if let Some(resource_id) = filter.resource_id {
        query = query.filter(audit_log::resource_id.eq(resource_id));
    }
    if let Some(since) = filter.since {
        query = query.filter(audit_log::at.ge(since));
    }
    if let Some(until) = filter.until {
        query = query.filter(audit_log::at.lt(until));
    }
    query
}

/// The trail, newest first.
pub fn list(conn: &mut Conn, filter: &Filter, page: PageRequest) -> StoreResult<Page<Entry>> {
    let total = filtered(filter).count().get_result(conn)?;
    page.load(conn, filtered(filter).order(audit_log::id.desc()).select(Entry::as_select()), total)
}
