//! One thread runs this process's writes, one after another, each on the writer
//! connection.
//!
//! Writes take turns anyway (one SQLite file, or PostgreSQL's write lock): on a thread
//! of their own, the next write starts the moment the last one commits. Taking turns
//! between tasks instead cost every write three thread wake-ups while holding the
//! turn (the blocking thread, the task, the next task), and on a busy machine each
//! wake-up waits for a core.
//!
//! Content writes that queue up behind each other commit together (group commit,
//! [`Writes::run_grouped`]): the thread opens one write transaction, runs each of them
//! in a savepoint of it, commits once, and only then answers them. A commit is a disk
//! flush (SQLite's `synchronous = FULL`, PostgreSQL's WAL flush) plus, on PostgreSQL,
//! the round trips of `BEGIN`, the write lock and `COMMIT`; one commit for many writes
//! is what lets the writes keep up when many editors publish at once. Nothing is
//! answered before it is durable: a group whose commit fails fails every write in it.
//! A write that fails rolls back its own savepoint only, and the others go on.

use std::collections::VecDeque;
use std::panic::AssertUnwindSafe;
use std::sync::mpsc;
use std::time::Instant;

use diesel::result::Error as DieselError;
use tokio::sync::oneshot;

use crate::db::{Conn, Database, STATISTICS_EVERY};
use crate::store::{write_tx, StoreError, StoreResult};

/// The most writes one transaction commits together. It bounds how long the write
/// lock is held at a time (on PostgreSQL other instances wait for it) and how many
/// writes one failed commit fails; past a few dozen, a flush more per group costs
/// little.
const MOST_GROUPED: usize = 64;

/// A grouped write, handed the connection inside its group's transaction (or why
/// there is none).
type Grouped = Box<dyn FnOnce(Result<&mut Conn, &StoreError>) -> Held + Send>;

enum Job {
    /// Runs on its own: it takes the connection and opens its transactions itself.
    Alone(Box<dyn FnOnce() + Send>),
    Grouped(Grouped),
}

/// Answers a grouped write once its group's transaction has ended: committed, or why not.
type Answer = Box<dyn FnOnce(Result<(), &StoreError>) + Send>;

/// A grouped write that has run, with its answer held until its group's transaction ends.
struct Held {
    /// It failed in a way that may have ended the shared transaction (the database
    /// refused, or went away): the group commits what it has and stops there.
    ends_group: bool,
    answer: Answer,
}

/// The queue of the writer thread; the thread ends when the queue is dropped.
pub struct Writes {
    jobs: mpsc::Sender<Job>,
}

impl Writes {
    /// Starts the writer thread, which writes on `db`'s writer connection.
    pub fn start(db: Database) -> std::io::Result<Self> {
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new().name("folio-writer".into()).spawn(move || serve(&db, &queue))?;
        Ok(Self { jobs })
    }

    /// Queues `work`, which takes the writer connection itself; the receiver gets its
    /// result, or is dropped if it panicked.
    pub fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> oneshot::Receiver<T> {
        let (answer, result) = oneshot::channel();
        // The thread has gone only if the process is stopping: the dropped answer says so.
        let _ = self.jobs.send(Job::Alone(Box::new(move || {
            let _ = answer.send(work());
        })));
        result
    }

    /// Queues `work` to run in a [`write_tx`], committed together with the writes
    /// queued beside it; the receiver gets its result once that commit is done (an
    /// error if it failed), or is dropped if a write of its group panicked.
    ///
    /// `work` must only touch the database: whatever else it does happens before its
    /// commit, and stays done if the commit fails.
    pub fn run_grouped<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Conn) -> StoreResult<T> + Send + 'static,
    ) -> oneshot::Receiver<StoreResult<T>> {
        let (answer, result) = oneshot::channel();
        let job = move |conn: Result<&mut Conn, &StoreError>| {
            let written = match conn {
                Ok(conn) => write_tx(conn, work),
                Err(err) => Err(again(err)),
            };
            let ends_group =
                matches!(written, Err(StoreError::Unavailable(_) | StoreError::Database(_) | StoreError::Pool(_)));
            let answer = move |ended: Result<(), &StoreError>| {
                let _ = answer.send(match (written, ended) {
                    (Ok(_), Err(err)) => Err(again(err)),
                    (written, _) => written,
                });
            };
            Held { ends_group, answer: Box::new(answer) }
        };
        let _ = self.jobs.send(Job::Grouped(Box::new(job)));
        result
    }
}

/// The writer thread: runs the queued jobs in order, grouping the grouped ones that
/// wait behind each other.
fn serve(db: &Database, queue: &mpsc::Receiver<Job>) {
    let mut next: Option<Job> = None;
    // First, while the server starts answering: after a bulk load or an import made
    // while folio was stopped, analysing the tables takes a tenth of a second at
    // 10,000 articles, which the first answer need not wait for.
    // PostgreSQL's autovacuum keeps its own statistics.
    if !db.is_shared() {
        refresh_statistics(db);
    }
    let mut statistics = Instant::now();
    loop {
        let job = match next.take() {
            Some(job) => job,
            None => match queue.recv() {
                Ok(job) => job,
                Err(mpsc::RecvError) => return,
            },
        };
        // A panic fails the write, or the group, it happened in and no other: the
        // connection it held was given back as broken while unwinding, its transaction
        // undone, and the answers held were dropped.
        let _ = std::panic::catch_unwind(AssertUnwindSafe(|| match job {
            Job::Alone(work) => work(),
            Job::Grouped(first) => run_group(db, first, queue, &mut next),
        }));
        if !db.is_shared() && statistics.elapsed() >= STATISTICS_EVERY {
            statistics = Instant::now();
            refresh_statistics(db);
        }
    }
}

/// SQLite's planner statistics, refreshed as the writes change the tables' sizes
/// ([`crate::db::refresh_statistics`]).
fn refresh_statistics(db: &Database) {
    let refreshed = match db.writer().as_deref_mut() {
        Ok(Conn::Sqlite(conn)) => crate::db::refresh_statistics(conn).map_err(|e| e.to_string()),
        Ok(Conn::Postgres(_)) => Ok(()),
        Err(err) => Err(err.to_string()),
    };
    if let Err(cause) = refreshed {
        tracing::warn!(%cause, "cannot refresh the query planner's statistics");
    }
}

/// Runs `first` and the grouped jobs queued behind it, up to [`MOST_GROUPED`], in one
/// write transaction; then answers them all. A job that cannot join is left in `next`.
fn run_group(db: &Database, first: Grouped, queue: &mpsc::Receiver<Job>, next: &mut Option<Job>) {
    let mut ready = VecDeque::from([first]);
    let take_next = |ready: &mut VecDeque<Grouped>, next: &mut Option<Job>| {
        if next.is_none() {
            match queue.try_recv() {
                Ok(Job::Grouped(job)) => ready.push_back(job),
                Ok(alone) => *next = Some(alone),
                Err(_) => {}
            }
        }
    };
    take_next(&mut ready, next);
    let mut conn = match db.writer() {
        Ok(conn) => conn,
        Err(err) => {
            let err = StoreError::from(err);
            for job in ready {
                (job(Err(&err)).answer)(Ok(()));
            }
            return;
        }
    };
    if ready.len() == 1 {
        // Alone in the queue: its own transaction, without a savepoint.
        if let Some(job) = ready.pop_front() {
            (job(Ok(&mut conn)).answer)(Ok(()));
        }
        return;
    }
    let mut held: Vec<Held> = Vec::new();
    let ended = write_tx(&mut conn, |conn| {
        while let Some(job) = ready.pop_front() {
            let done = job(Ok(&mut *conn));
            let ends_group = done.ends_group;
            held.push(done);
            if ends_group || held.len() >= MOST_GROUPED {
                break;
            }
            take_next(&mut ready, next);
        }
        Ok(())
    });
    // At most one was taken ahead and not run (the group ended early), and nothing
    // after it: it goes first next time.
    if let Some(job) = ready.pop_front() {
        *next = Some(Job::Grouped(job));
    }
    for done in held {
        (done.answer)(ended.as_ref().map(|_| ()));
    }
}

/// The same failure again, for each write of a group: the error itself cannot be copied.
fn again(err: &StoreError) -> StoreError {
    match err {
        StoreError::Unavailable(cause) => StoreError::Unavailable(cause.clone()),
        StoreError::Pool(err) => StoreError::Unavailable(err.to_string()),
        StoreError::Database(DieselError::DatabaseError(kind, info)) => {
            StoreError::Database(DieselError::DatabaseError(*kind, Box::new(info.message().to_owned())))
        }
        other => StoreError::Database(DieselError::QueryBuilderError(other.to_string().into())),
    }
}
