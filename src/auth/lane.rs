//! The hash lane: password hashing runs on a few threads of its own, never on the
//! blocking threads that database reads need, and only so much of it may wait.
//!
//! Each argon2 hash takes 19 MiB and a core for tens of milliseconds. A flood of
//! logins handed straight to blocking threads holds every one of them, 19 MiB each
//! (reads then queue behind the flood). Here at most [`HashLane::threads`] hashes run
//! at once, always on the same threads, and a caller is admitted only while fewer
//! than `admitted` hashes are running or waiting: past that it is told to retry,
//! before it has cost anything.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::oneshot;

type Job = Box<dyn FnOnce() + Send>;

/// Why the lane did not run a job.
#[derive(Debug, thiserror::Error)]
pub enum LaneError {
    /// As many hashes as allowed are running or waiting; retry shortly.
    #[error("too many password hashes are running or waiting")]
    Busy,
    /// The lane's threads are gone (they could not start, or a job panicked).
    #[error("the password hashing threads have stopped")]
    Stopped,
}

pub struct HashLane {
    jobs: Sender<Job>,
    admitted: Arc<AtomicUsize>,
    limit: usize,
    threads: usize,
}

/// A place in the lane, held from admission until the job has run.
pub struct Ticket {
    jobs: Sender<Job>,
    admitted: Arc<AtomicUsize>,
}

impl Drop for Ticket {
    fn drop(&mut self) {
        self.admitted.fetch_sub(1, Ordering::SeqCst);
    }
}

fn work(jobs: &Mutex<Receiver<Job>>) {
    loop {
        // The lock is held only to take the next job, not while running it.
        let next = jobs.lock().unwrap_or_else(PoisonError::into_inner).recv();
        match next {
            Ok(job) => job(),
            Err(_) => return, // the lane is dropped
        }
    }
}

impl HashLane {
    /// A lane of `threads` hashing threads admitting `admitted` jobs at once, running or waiting.
    pub fn new(threads: usize, admitted: usize) -> Self {
        let (jobs, queue) = channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        let mut started = 0;
        for n in 0..threads.max(1) {
            let queue = queue.clone();
            match std::thread::Builder::new().name(format!("folio-hash-{n}")).spawn(move || work(&queue)) {
                Ok(_) => started += 1,
                // With no thread at all the queue is dropped here and every job fails
                // as Stopped; fewer threads only make the lane narrower.
                Err(err) => tracing::error!(%err, "cannot start a password hashing thread"),
            }
        }
        Self { jobs, admitted: Arc::new(AtomicUsize::new(0)), limit: admitted.max(started), threads: started }
    }

    /// The hashing threads running.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// A place in the lane, unless it is full.
    pub fn admit(&self) -> Result<Ticket, LaneError> {
        self.admitted
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| (n < self.limit).then_some(n + 1))
            .map_err(|_| LaneError::Busy)?;
        Ok(Ticket { jobs: self.jobs.clone(), admitted: self.admitted.clone() })
    }

    /// Admits `job` and runs it on a hashing thread.
    pub async fn run<T: Send + 'static>(&self, job: impl FnOnce() -> T + Send + 'static) -> Result<T, LaneError> {
        self.admit()?.run(job).await
    }
}

impl Ticket {
    /// Runs `job` on a hashing thread once one is free; the place is given up when it ends.
    pub async fn run<T: Send + 'static>(self, job: impl FnOnce() -> T + Send + 'static) -> Result<T, LaneError> {
        let (answer, answered) = oneshot::channel();
        let jobs = self.jobs.clone();
        let ticket = self;
        let boxed: Job = Box::new(move || {
            // A caller that went away while waiting (a dropped connection) needs no answer.
            if !answer.is_closed() {
                let _ = answer.send(job());
            }
            drop(ticket);
        });
        jobs.send(boxed).map_err(|_| LaneError::Stopped)?;
        answered.await.map_err(|_| LaneError::Stopped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_lane_refuses_until_a_place_is_given_up() {
        let lane = HashLane::new(1, 2);
        let first = lane.admit().expect("room");
        let _second = lane.admit().expect("room");
        assert!(matches!(lane.admit(), Err(LaneError::Busy)));
        drop(first);
        assert!(lane.admit().is_ok());
    }
}
