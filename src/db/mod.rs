//! The SQLite backend: connection pools with their pragmas, and embedded migrations.
//!
//! Writes go through a pool of one connection so that SQLite's single writer is
//! queued here instead of failing with "database is locked"; reads use their own
//! pool and never wait for a writer (WAL).

pub mod schema;

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel::{Connection, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::config::{DatabaseUrl, DATABASE_URL_FORMS};

/// The connection type every store function takes.
pub type Conn = SqliteConnection;
type Manager = ConnectionManager<SqliteConnection>;
pub type Pooled = PooledConnection<Manager>;

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");
/// How long a connection waits for a lock held by another process before giving up.
const BUSY_TIMEOUT_MS: u32 = 5_000;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The database named by `DATABASE_URL` cannot be used; one line for the operator.
    #[error("DATABASE_URL: {0}; the accepted forms are {DATABASE_URL_FORMS}")]
    Url(String),
    #[error("cannot open the database: {0}")]
    Open(#[from] diesel::r2d2::PoolError),
    #[error("cannot migrate the database: {0}")]
    Migrate(String),
}

/// `synchronous = FULL`: each commit reaches the disk before folio answers it. With
/// NORMAL, a WAL commit is only written, and the kernel drops unwritten pages when the
/// file system fails and goes read-only (or the machine loses power): articles already
/// answered with 201 were gone after the repair. The cost is an fsync per write.
#[derive(Debug)]
struct Pragmas;

impl CustomizeConnection<SqliteConnection, diesel::r2d2::Error> for Pragmas {
    fn on_acquire(&self, conn: &mut SqliteConnection) -> Result<(), diesel::r2d2::Error> {
        conn.batch_execute(&format!(
            "PRAGMA busy_timeout = {BUSY_TIMEOUT_MS};
             PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             PRAGMA foreign_keys = ON;"
        ))
        .map_err(diesel::r2d2::Error::QueryError)
    }
}

/// The database as the store sees it: a single writer and a pool of readers.
#[derive(Clone)]
pub struct Database {
    reader: Pool<Manager>,
    writer: Pool<Manager>,
}

impl Database {
    /// Opens (creating when missing) the database named by `database_url`.
    pub fn open(database_url: &DatabaseUrl, readers: u32) -> Result<Self, DbError> {
        let path = match database_url {
            DatabaseUrl::Sqlite(path) => path.clone(),
            DatabaseUrl::Postgres(_) => {
                return Err(DbError::Url(format!("{database_url:?}: this build of folio runs on SQLite only")))
            }
        };
        // The pools retry a failing open for their whole timeout; one direct attempt
        // tells a path that cannot work at once.
        let mut probe = SqliteConnection::establish(&path)
            .map_err(|err| DbError::Url(format!("cannot open the SQLite database '{path}': {err}")))?;
        Pragmas
            .on_acquire(&mut probe)
            .map_err(|err| DbError::Url(format!("cannot use the SQLite database '{path}': {err}")))?;
        drop(probe);
        let build = |size: u32| {
            Pool::builder()
                .max_size(size)
                .min_idle(Some(1))
                .connection_timeout(Duration::from_secs(10))
                .connection_customizer(Box::new(Pragmas))
                .build(Manager::new(path.clone()))
        };
        let writer = build(1)?;
        let reader = build(readers.max(1))?;
        Ok(Self { reader, writer })
    }

    /// Applies pending migrations; returns the names of those applied.
    ///
    /// A database that cannot be written (its disk failed and went read-only) but
    /// needs no migration is served as it is: reads work, writes answer 503.
    pub fn migrate(&self) -> Result<Vec<String>, DbError> {
        let mut conn = self.writer.get().map_err(|e| DbError::Migrate(e.to_string()))?;
        let applied: Vec<String> = conn
            .run_pending_migrations(MIGRATIONS)
            .map(|applied| applied.iter().map(ToString::to_string).collect())
            .map_err(|e| DbError::Migrate(e.to_string()))?;
        // Fresh statistics let the planner pick the covering indexes; the limit keeps
        // this to milliseconds on a large database. Without them queries are slower, not wrong.
        if let Err(cause) = conn.batch_execute("PRAGMA analysis_limit = 400; PRAGMA optimize = 0x10002;") {
            tracing::warn!(%cause, "cannot refresh the query planner's statistics (is the database read-only?)");
        }
        Ok(applied)
    }

    pub fn reader(&self) -> Result<Pooled, diesel::r2d2::PoolError> {
        self.reader.get()
    }

    pub fn writer(&self) -> Result<Pooled, diesel::r2d2::PoolError> {
        self.writer.get()
    }
}
