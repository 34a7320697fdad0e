//! One thread runs this process's writes, one after another, each on the writer
//! connection.
//!
//! Writes take turns anyway (one SQLite file, or PostgreSQL's write lock): on a thread
//! of their own, the next write starts the moment the last one commits. Taking turns
//! between tasks instead cost every write three thread wake-ups while holding the
//! turn (the blocking thread, the task, the next task), and on a busy machine each
//! wake-up waits for a core.

use std::panic::AssertUnwindSafe;
use std::sync::mpsc;

use tokio::sync::oneshot;

type Job = Box<dyn FnOnce() + Send>;

/// The queue of the writer thread; the thread ends when the queue is dropped.
pub struct Writes {
    jobs: mpsc::Sender<Job>,
}

impl Writes {
    pub fn start() -> std::io::Result<Self> {
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new().name("folio-writer".into()).spawn(move || {
            for job in queue {
                // A panic fails that write (its answer is dropped) and no other: the
                // connection it held was given back as broken while unwinding.
                let _ = std::panic::catch_unwind(AssertUnwindSafe(job));
            }
        })?;
        Ok(Self { jobs })
    }

    /// Queues `work`; the receiver gets its result, or is dropped if it panicked.
    pub fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> oneshot::Receiver<T> {
        let (answer, result) = oneshot::channel();
        // The thread has gone only if the process is stopping: the dropped answer says so.
        let _ = self.jobs.send(Box::new(move || {
            let _ = answer.send(work());
        }));
        result
    }
}
