//! Persistence: one module per table family, synchronous functions taking a connection.
//!
//! This is the only layer that knows the database backend. Functions here are
//! called from `web::block`; multi-step writes run in one [`write_tx`].

pub mod api_keys;
pub mod articles;
pub mod audit;
pub mod changes;
pub mod deliveries;
pub mod delivery_log;
pub mod logins;
pub mod media;
pub mod micropub;
pub mod outbox;
pub mod preview_tokens;
pub mod read_model;
mod search_index;
pub mod sections;
mod sql;
pub mod tags;
pub mod taxonomy;
pub mod tokens;
pub mod users;
pub mod webhooks;

use chrono::{NaiveDateTime, SubsecRound, Utc};
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::helper_types::{Limit, Offset};
use diesel::query_dsl::methods::{LimitDsl, OffsetDsl};
use diesel::query_dsl::{LoadQuery, RunQueryDsl};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::Connection;

use crate::content::policy::Denied;

pub use crate::db::Conn;
use crate::db::WRITE_LOCK;

/// What a store function answers besides its result: storage facts, never HTTP.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique value is taken, or a row is still referenced.
    #[error("{message}")]
    Conflict { field: Option<&'static str>, message: String },
    /// A value the store cannot accept, named by what it is.
    #[error(transparent)]
    Rejected(#[from] Rejected),
    /// The rules ([`crate::content::policy`]) refuse the action against the row as it now stands.
    #[error("denied: {0}")]
    Denied(#[from] Denied),
    /// The current representation is none of those the caller expected (`If-Match`).
    #[error("precondition failed")]
    PreconditionFailed,
    /// The caller's idea of the current version is stale.
    #[error("version {given} is not the current version {current}")]
    Stale { given: i64, current: i64 },
    /// Too soon for this request: retry after `retry_after` seconds.
    #[error("{message}")]
    Throttled { message: String, retry_after: u64 },
    /// The database cannot take writes now (locked, full, read-only).
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Database(DieselError),
    #[error(transparent)]
    Pool(#[from] diesel::r2d2::PoolError),
}

/// A value the store refuses, and why; the API says which request field held it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejected {
    #[error("no section has this slug")]
    UnknownSection,
    /// The `index`th tag named does not exist, and the writer may not create tags.
    #[error("no tag is named {name:?}; an editor creates tags")]
    UnknownTag { index: usize, name: String },
    /// No slug can be derived from the title or name (nothing in it transliterates).
    #[error("cannot be derived from the {from}; give one")]
    SlugNotDerivable { from: &'static str },
    /// The `index`th tag named is new, and nothing in its name makes a slug.
    #[error("no slug can be derived from the tag name {name:?}")]
    TagNameWithoutSlug { index: usize, name: String },
    #[error("no section has this id")]
    UnknownParent,
    #[error("would make the section its own ancestor")]
    ParentCycle,
    #[error("the section tree is too deep")]
    TreeTooDeep,
    /// A deleted user's articles would go to the user themself.
    #[error("must name another user")]
    HeirIsTheUser,
    #[error("no user has this id")]
    UnknownHeir,
    #[error("a scheduled article needs a published_at in the future")]
    ScheduledWithoutFutureDate,
    #[error("no media item has this id")]
    UnknownMedia,
    /// The body passes a limit of the sanitiser; says which.
    #[error("is too complex: it {0}")]
    BodyTooComplex(String),
}

impl From<DieselError> for StoreError {
    fn from(err: DieselError) -> Self {
        match err {
            DieselError::NotFound => Self::NotFound,
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                Self::Conflict { field: None, message: "a unique value is already taken".into() }
            }
            DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => {
                Self::Conflict { field: None, message: "the resource is still referenced".into() }
            }
            DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, ref info) => {
                Self::Unavailable(info.message().to_owned())
            }
            DieselError::DatabaseError(_, ref info) if is_unavailable(info.message()) => {
                Self::Unavailable(info.message().to_owned())
            }
            // A COMMIT the disk refused, whose rollback failed too: the commit's error says why.
            DieselError::RollbackErrorOnCommit { commit_error, .. } => Self::from(*commit_error),
            other => Self::Database(other),
        }
    }
}

/// What SQLite and PostgreSQL say when the database cannot serve now, though nothing
/// is wrong with the request: a retry later may well succeed.
fn is_unavailable(message: &str) -> bool {
    [
        // SQLite
        "database is locked",
        "disk is full",
        "readonly database",
        "disk I/O error",
        // PostgreSQL
        "statement timeout",
        "lock timeout",
        "terminating connection",
        "server closed the connection",
        "no connection to the server",
        "the database system is",
        "could not connect",
        "read-only transaction",
        "No space left on device",
    ]
    .iter()
    .any(|m| message.contains(m))
}

impl StoreError {
    pub fn conflict(field: &'static str, message: impl Into<String>) -> Self {
        Self::Conflict { field: Some(field), message: message.into() }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// The current time as stored: UTC, whole seconds.
pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc().trunc_subsecs(0)
}

/// A 1-based page of a list.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub page: i64,
    pub per_page: i64,
}

impl PageRequest {
    pub fn offset(self) -> i64 {
        (self.page - 1).saturating_mul(self.per_page)
    }

    /// This page of `rows`, a query in its order, which match `total` rows in all.
    pub fn load<'q, Q, T>(self, conn: &mut Conn, rows: Q, total: i64) -> StoreResult<Page<T>>
    where
        Q: LimitDsl,
        Limit<Q>: OffsetDsl,
        Offset<Limit<Q>>: RunQueryDsl<Conn> + LoadQuery<'q, Conn, T>,
    {
        let items = rows.limit(self.per_page).offset(self.offset()).load(conn)?;
        Ok(Page { items, total })
    }
}

/// One page of rows and the total number of rows matching.
#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
}

impl<T> Page<T> {
    /// The same page with each item made a `U`.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page { items: self.items.into_iter().map(f).collect(), total: self.total }
    }
}

/// Runs `f` in a transaction that holds the database's write lock from its first
/// statement, so a read-then-write cannot be overtaken by another writer half-way:
/// SQLite's `BEGIN IMMEDIATE`, or on PostgreSQL an advisory lock every folio process
/// takes, so writers on all instances go one at a time as they do on one SQLite file.
/// Inside a transaction already, `f` runs in a savepoint of it.
///
/// When the disk is full or read-only, SQLite rolls the transaction back itself, so
/// diesel's own rollback then fails ("outside of a transaction") and its error
/// replaces the real one: the real one is kept here, so the caller gets a 503.
pub fn write_tx<T>(conn: &mut Conn, f: impl FnOnce(&mut Conn) -> StoreResult<T>) -> StoreResult<T> {
    type Manager = <Conn as Connection>::TransactionManager;
    let mut unavailable = None;
    let mut noted = |result: StoreResult<T>| {
        result.inspect_err(|err| {
            if let StoreError::Unavailable(cause) = err {
                unavailable = Some(cause.clone());
            }
        })
    };
    let result = if Manager::transaction_manager_status_mut(conn).transaction_depth()?.is_some() {
        conn.transaction(|conn| noted(f(conn)))
    } else {
        begin_writing(conn)?;
        match noted(f(conn).and_then(|value| before_commit(conn).map(|()| value))) {
            Ok(value) => Manager::commit_transaction(conn).map(|()| value).map_err(StoreError::from),
            Err(err) => match Manager::rollback_transaction(conn) {
                Ok(()) | Err(DieselError::BrokenTransactionManager) => Err(err),
                Err(rollback) => Err(rollback.into()),
            },
        }
    };
    match (result, unavailable) {
        (Err(_), Some(cause)) => Err(StoreError::Unavailable(cause)),
        (result, _) => result,
    }
}

/// Runs `f` in a transaction that claims the rows it changes rather than the whole
/// database, for bookkeeping beside the content writes (the webhook dispatcher's).
/// On PostgreSQL it takes no write lock, so it neither waits for the writers nor holds
/// them up: its statements lock the rows they read to change (`FOR UPDATE SKIP
/// LOCKED`, `FOR KEY SHARE`) and its inserts give way on conflict. On SQLite, where one
/// writer writes at a time whatever it claims, it is a [`write_tx`].
pub fn claim_tx<T>(conn: &mut Conn, f: impl FnOnce(&mut Conn) -> StoreResult<T>) -> StoreResult<T> {
    match conn {
        Conn::Postgres(_) => conn.transaction(f),
        Conn::Sqlite(_) => write_tx(conn, f),
    }
}

/// Runs `f` in a read-only transaction that sees the database as it was when the
/// transaction began, whatever other writers do meanwhile: SQLite's transactions read
/// one snapshot; PostgreSQL's do at REPEATABLE READ. For reads that must agree with
/// each other across many queries, such as an export.
pub fn read_snapshot<T, E: From<DieselError>>(
    conn: &mut Conn,
    f: impl FnOnce(&mut Conn) -> Result<T, E>,
) -> Result<T, E> {
    conn.transaction(|conn| {
        if let Conn::Postgres(pg) = conn {
            pg.batch_execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")?;
        }
        f(conn)
    })
}

/// What the outermost write transaction does last, before it commits.
fn before_commit(conn: &mut Conn) -> StoreResult<()> {
    match conn {
        Conn::Sqlite(conn) => Ok(search_index::catch_up(conn)?),
        Conn::Postgres(_) => Ok(()),
    }
}

/// Opens the outermost write transaction with the write lock taken.
fn begin_writing(conn: &mut Conn) -> StoreResult<()> {
    match conn {
        Conn::Sqlite(conn) => AnsiTransactionManager::begin_transaction_sql(conn, "BEGIN IMMEDIATE")?,
        Conn::Postgres(conn) => {
            AnsiTransactionManager::begin_transaction(conn)?;
            if let Err(err) = conn.batch_execute(&format!("SELECT pg_advisory_xact_lock({WRITE_LOCK})")) {
                // Without the lock the transaction must not go on; a failed rollback
                // leaves a broken connection, which the pool then drops.
                let _ = AnsiTransactionManager::rollback_transaction(conn);
                return Err(err.into());
            }
        }
    }
    Ok(())
}

/// Picks `base`, or `base-2`, `base-3`… whichever `taken` says is free.
pub fn free_slug(base: &str, mut taken: impl FnMut(&str) -> StoreResult<bool>) -> StoreResult<String> {
    if !taken(base)? {
        return Ok(base.to_owned());
    }
    for n in 2..10_000 {
        let candidate = crate::content::slug::with_suffix(base, n);
        if !taken(&candidate)? {
            return Ok(candidate);
        }
    }
    Err(StoreError::conflict("slug", "no free slug could be derived; give one explicitly"))
}
