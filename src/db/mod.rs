//! The two backends: connection pools with their session settings, and embedded
//! migrations per backend.
//!
//! `DATABASE_URL` picks SQLite (one file, one process) or PostgreSQL (any number of
//! folio processes on one database). Both are reached through [`Conn`], one
//! connection type whose variant is the backend; the store is written once against it.
//!
//! Writes go through a pool of one connection, so that a process's writers queue
//! here instead of failing with "database is locked"; reads use their own pool and
//! never wait for a writer (WAL on SQLite, MVCC on PostgreSQL).
//! On PostgreSQL the webhook dispatcher's bookkeeping, which locks rows rather than
//! the database ([`crate::store::claim_tx`]), runs on a connection of the readers' pool.

mod hint;
pub mod schema;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{CustomizeConnection, ManageConnection, Pool, PooledConnection, R2D2Connection};
use diesel::{Connection, PgConnection, RunQueryDsl, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::config::{DatabaseTuning, DatabaseUrl};

/// The connection every store function takes: SQLite or PostgreSQL.
#[derive(diesel::MultiConnection)]
pub enum Conn {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

impl Conn {
    /// True on PostgreSQL: where the store writes SQL of its own, it asks this.
    pub fn is_postgres(&self) -> bool {
        matches!(self, Self::Postgres(_))
    }
}

pub type Pooled = PooledConnection<Manager>;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");
/// How long a SQLite connection waits for a lock held by another process before giving up.
const BUSY_TIMEOUT_MS: u32 = 5_000;
/// The PostgreSQL advisory lock held while migrating: instances starting together
/// on an empty database migrate it once, the others wait and find nothing to do.
const MIGRATION_LOCK: i64 = 0x666f_6c69_6f00_0001;
/// The PostgreSQL advisory lock every write transaction takes (see [`crate::store::write_tx`]).
pub const WRITE_LOCK: i64 = 0x666f_6c69_6f00_0002;
/// How long a request waits for a PostgreSQL connection before it is told to retry:
/// a server that went away must answer 503 quickly, not hold the request.
const POSTGRES_CHECKOUT_TIMEOUT: Duration = Duration::from_secs(3);
const SQLITE_CHECKOUT_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The database named by `DATABASE_URL` cannot be used; one line for the operator,
    /// ending in what to do about it.
    #[error("DATABASE_URL: {0}")]
    Url(String),
    #[error("cannot open the database: {0}")]
    Open(String),
    #[error("cannot migrate the database: {0}")]
    Migrate(String),
}

/// Seconds libpq waits for a PostgreSQL server to answer a connection, unless the URL
/// says otherwise: its own default is to wait forever on a host that drops packets.
const CONNECT_TIMEOUT_SECONDS: u32 = 5;

fn with_connect_timeout(url: &str) -> String {
    if url.contains("connect_timeout=") {
        return url.to_owned();
    }
    // An empty query (`…/folio?`) or a trailing `&` takes the parameter as it is.
    let separator = match url.chars().last() {
        Some('?' | '&') => "",
        _ if url.contains('?') => "&",
        _ => "?",
    };
    format!("{url}{separator}connect_timeout={CONNECT_TIMEOUT_SECONDS}")
}

/// Opens connections of the backend `DATABASE_URL` names, and no other: a URL one
/// backend refuses is never tried on the next.
#[derive(Debug, Clone)]
pub struct Manager {
    url: DatabaseUrl,
}

impl Manager {
    fn establish(&self) -> diesel::ConnectionResult<Conn> {
        match &self.url {
            DatabaseUrl::Sqlite(path) => SqliteConnection::establish(path).map(Conn::Sqlite),
            DatabaseUrl::Postgres(url) => PgConnection::establish(&with_connect_timeout(url)).map(Conn::Postgres),
        }
    }
}

impl ManageConnection for Manager {
    type Connection = Conn;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<Conn, Self::Error> {
        self.establish().map_err(diesel::r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut Conn) -> Result<(), Self::Error> {
        conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut Conn) -> bool {
        conn.is_broken()
    }
}

/// The page cache of each SQLite reader, in KiB (see [`SessionSettings`]).
const READER_CACHE_KIB: u32 = 512;

/// What every new connection is told before use.
///
/// SQLite: `synchronous = FULL`, so each commit reaches the disk before folio answers
/// it. With NORMAL, a WAL commit is only written, and the kernel drops unwritten pages
/// when the file system fails and goes read-only (or the machine loses power):
/// articles already answered with 201 were gone after the repair.
///
/// SQLite readers keep a page cache of [`READER_CACHE_KIB`], a quarter of the default:
/// nine connections of 2 MiB each filled with the search index's pages, and the
/// operating system caches the file anyway. A search load left 36 MB of anonymous
/// memory instead of 47-51, and reads by slug and from lists went no slower (bench,
/// 10,000 articles). The writer keeps the default: with less (a limit on SQLite's
/// memory as a whole), creates were 5 % slower.
///
/// PostgreSQL: no statement (a lock wait included) runs longer than the setting, so a
/// stuck query ends as a 503 instead of holding a connection. No JIT: folio's queries
/// run in milliseconds, and a plan costed past `jit_above_cost` (a list in a fallback
/// chain) spent 26 ms compiling for a query that runs in 18.
#[derive(Debug)]
struct SessionSettings {
    statement_timeout: Duration,
    /// SQLite's page cache, when not its default.
    cache_kib: Option<u32>,
}

impl SessionSettings {
    fn apply(&self, conn: &mut Conn) -> diesel::QueryResult<()> {
        match conn {
            Conn::Sqlite(conn) => {
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = {BUSY_TIMEOUT_MS};
                     PRAGMA journal_mode = WAL;
                     PRAGMA synchronous = FULL;
                     PRAGMA foreign_keys = ON;"
                ))?;
                match self.cache_kib {
                    Some(kib) => conn.batch_execute(&format!("PRAGMA cache_size = -{kib};")),
                    None => Ok(()),
                }
            }
            Conn::Postgres(conn) => {
                let ms = self.statement_timeout.as_millis();
                conn.batch_execute(&format!(
                    "SET statement_timeout = {ms}; SET lock_timeout = {ms}; SET application_name = 'folio'; SET jit = off;"
                ))
            }
        }
    }
}

impl CustomizeConnection<Conn, diesel::r2d2::Error> for SessionSettings {
    fn on_acquire(&self, conn: &mut Conn) -> Result<(), diesel::r2d2::Error> {
        self.apply(conn).map_err(diesel::r2d2::Error::QueryError)
    }
}

/// Tables analysed with fewer rows than this are given no statistics of their own
/// (see [`refresh_statistics`]).
const SMALL_TABLE_ROWS: i64 = 1_000;

/// Refreshes SQLite's planner statistics, on the writer thread: when it starts, and now
/// and then while there are writes ([`STATISTICS_EVERY`]).
///
/// Fresh statistics let the planner pick the covering indexes; the analysis limit keeps
/// this to milliseconds. What a small table's statistics say stops being true as it
/// grows, and a connection keeps what it read: taken when a site was new, they said
/// the search index's pages (`articles_fts_data`) were two rows, so the planner read
/// every page of the index for each range FTS5 deletes when it merges segments, and
/// creates slowed in step with the index (a seventh of their first rate at 10,000
/// articles). A small table is therefore said to have 2^20 rows, what SQLite assumes
/// of a table it has no statistics for: right for a table that grows, harmless for
/// one that stays small. (Deleting its row would not do: a connection that read the
/// small figure keeps it until it reads the schema again.)
pub fn refresh_statistics(conn: &mut SqliteConnection) -> diesel::QueryResult<()> {
    conn.batch_execute("PRAGMA analysis_limit = 400; PRAGMA optimize = 0x10002;")?;
    let analysed: bool = diesel::select(diesel::dsl::sql::<diesel::sql_types::Bool>(
        "EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_stat1')",
    ))
    .get_result(conn)?;
    if analysed {
        // `stat` begins with the rows counted: the table's, or a partial index's (fewer),
        // so a table is small when its largest count is. One row per small table stays,
        // for the table; its indexes, without rows, take SQLite's defaults from it.
        // `ANALYZE sqlite_schema` has this connection read the statistics again.
        conn.batch_execute(&format!(
            "DELETE FROM sqlite_stat1
                 WHERE tbl IN (SELECT tbl FROM sqlite_stat1 GROUP BY tbl
                               HAVING max(CAST(stat AS INTEGER)) < {SMALL_TABLE_ROWS})
                   AND rowid NOT IN (SELECT min(rowid) FROM sqlite_stat1 GROUP BY tbl);
             UPDATE sqlite_stat1 SET idx = NULL, stat = '{ASSUMED_ROWS}'
                 WHERE CAST(stat AS INTEGER) < {SMALL_TABLE_ROWS}
                   AND tbl NOT IN (SELECT tbl FROM sqlite_stat1 WHERE CAST(stat AS INTEGER) >= {SMALL_TABLE_ROWS});
             ANALYZE sqlite_schema;"
        ))?;
    }
    Ok(())
}

/// The rows SQLite assumes a table has when it has no statistics for it.
const ASSUMED_ROWS: i64 = 1 << 20;

/// How often the writer refreshes SQLite's planner statistics while there are writes.
pub const STATISTICS_EVERY: Duration = Duration::from_secs(600);

/// The database as the store sees it: a single writer and a pool of readers.
#[derive(Clone)]
pub struct Database {
    reader: Pool<Manager>,
    writer: Pool<Manager>,
    postgres: bool,
    deadline: Duration,
    /// SQLite: the connection that tells [`Database::version`], and does nothing else.
    versions: Option<Arc<Mutex<SqliteConnection>>>,
}

/// What the database holds, as a value that changes with every commit, whichever
/// process or instance made it: while two reads of it are equal, every query answers
/// the same (see [`Database::version`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Version {
    /// SQLite's `PRAGMA data_version` on a connection that never writes.
    Sqlite(i64),
    /// PostgreSQL's current snapshot (`xmin:xmax:in-progress`): equal snapshots see the
    /// same committed transactions.
    Postgres(String),
}

#[derive(diesel::QueryableByName)]
struct DataVersion {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    data_version: i64,
}

#[derive(diesel::QueryableByName)]
struct Snapshot {
    #[diesel(sql_type = diesel::sql_types::Text)]
    snapshot: String,
}

impl Database {
    /// Opens the database named by `url` (a SQLite file is created when missing).
    pub fn open(url: &DatabaseUrl, tuning: &DatabaseTuning) -> Result<Self, DbError> {
        let manager = Manager { url: url.clone() };
        let session = |cache_kib| SessionSettings { statement_timeout: tuning.statement_timeout, cache_kib };
        // The pools retry a failing open for their whole timeout; one direct attempt
        // tells a database that cannot work at once.
        let what = match url {
            DatabaseUrl::Sqlite(path) => format!("the SQLite database '{path}'"),
            DatabaseUrl::Postgres(_) => format!("the PostgreSQL database {url:?}"),
        };
        // libpq's messages run over several lines, and may quote the URL; the operator
        // gets one line, without the password.
        let line =
            |err: &dyn std::fmt::Display| url.redact(&err.to_string().split_whitespace().collect::<Vec<_>>().join(" "));
        let refuse = |doing: &str, err: &dyn std::fmt::Display| {
            let reason = line(err);
            DbError::Url(match hint::for_failure(url, &reason) {
                Some(hint) => format!("{doing} {what}: {reason}; {hint}"),
                None => format!("{doing} {what}: {reason}"),
            })
        };
        // On SQLite it stays, as the connection that reads the database's version.
        let mut probe = manager.establish().map_err(|err| refuse("cannot open", &err))?;
        session(Some(READER_CACHE_KIB)).apply(&mut probe).map_err(|err| refuse("cannot use", &err))?;
        let versions = match probe {
            Conn::Sqlite(conn) => Some(Arc::new(Mutex::new(conn))),
            Conn::Postgres(_) => None,
        };
        let postgres = matches!(url, DatabaseUrl::Postgres(_));
        let checkout = if postgres { POSTGRES_CHECKOUT_TIMEOUT } else { SQLITE_CHECKOUT_TIMEOUT };
        let build = |size: u32, cache_kib: Option<u32>| {
            Pool::builder()
                .max_size(size)
                .min_idle(Some(1))
                // No `SELECT 1` before every use: on PostgreSQL a round trip per request.
                // A connection that broke fails its next query, is found broken
                // (`has_broken`) and replaced; the request gets 503 meanwhile.
                .test_on_check_out(false)
                .connection_timeout(checkout)
                .connection_customizer(Box::new(session(cache_kib)))
                .build(manager.clone())
        };
        let writer = build(1, None).map_err(|err| DbError::Open(line(&err)))?;
        let reader = build(tuning.readers.max(1), Some(READER_CACHE_KIB)).map_err(|err| DbError::Open(line(&err)))?;
        // The longest a working database can take to answer: a connection's checkout,
        // the longest statement, and a margin; past it, it is taken for stuck.
        let deadline = checkout + tuning.statement_timeout + Duration::from_secs(2);
        Ok(Self { reader, writer, postgres, deadline, versions })
    }

    /// How long a request waits for the database before it is told to retry.
    pub fn deadline(&self) -> Duration {
        self.deadline
    }

    /// True on PostgreSQL, where other folio processes may share the database.
    pub fn is_shared(&self) -> bool {
        self.postgres
    }

    /// Applies pending migrations; returns the names of those applied.
    ///
    /// A SQLite database that cannot be written (its disk failed and went read-only)
    /// but needs no migration is served as it is: reads work, writes answer 503.
    pub fn migrate(&self) -> Result<Vec<String>, DbError> {
        let mut pooled = self.writer.get().map_err(|e| DbError::Migrate(e.to_string()))?;
        let failed = |e: Box<dyn std::error::Error + Send + Sync>| DbError::Migrate(e.to_string());
        let names = |applied: Vec<diesel::migration::MigrationVersion<'_>>| -> Vec<String> {
            applied.iter().map(ToString::to_string).collect()
        };
        match &mut *pooled {
            Conn::Sqlite(conn) => conn.run_pending_migrations(SQLITE_MIGRATIONS).map(names).map_err(failed),
            Conn::Postgres(conn) => {
                // Held for the session, not a transaction: each migration has its own.
                // An index built on a large table may take longer than any request should.
                conn.batch_execute(&format!("SET statement_timeout = 0; SELECT pg_advisory_lock({MIGRATION_LOCK})"))
                    .map_err(|e| DbError::Migrate(e.to_string()))?;
                let applied = conn.run_pending_migrations(POSTGRES_MIGRATIONS).map(names).map_err(failed);
                let unlocked = conn.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"));
                let applied = applied?;
                unlocked.map_err(|e| DbError::Migrate(e.to_string()))?;
                // The connection goes back to the pool: requests keep their timeout.
                drop(pooled);
                Ok(applied)
            }
        }
    }

    /// The database's [`Version`] now. Read it before a read whose answer is kept
    /// under it: a commit in between makes the version change, so an answer is never
    /// kept under a version older than the data it holds. On PostgreSQL this is a
    /// round trip on `conn`; SQLite asks its own connection (a connection's
    /// `data_version` counts the commits of the others, so one connection must ask).
    pub fn version(&self, conn: &mut Conn) -> diesel::QueryResult<Version> {
        match (&self.versions, conn) {
            (Some(versions), _) => {
                let mut versions = versions.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                let found: DataVersion = diesel::sql_query("PRAGMA data_version").get_result(&mut *versions)?;
                Ok(Version::Sqlite(found.data_version))
            }
            (None, Conn::Postgres(conn)) => {
                let found: Snapshot =
                    diesel::sql_query("SELECT txid_current_snapshot()::text AS snapshot").get_result(conn)?;
                Ok(Version::Postgres(found.snapshot))
            }
            (None, Conn::Sqlite(_)) => Err(diesel::result::Error::QueryBuilderError(
                "a SQLite database opened without its version connection".into(),
            )),
        }
    }

    pub fn reader(&self) -> Result<Pooled, diesel::r2d2::PoolError> {
        self.reader.get()
    }

    pub fn writer(&self) -> Result<Pooled, diesel::r2d2::PoolError> {
        self.writer.get()
    }
}
