//! One making of each kept page at a time.
//!
//! Right after a write, every request for a busy list (a home page, a popular search)
//! finds its kept page gone. Without a turn each would make the page again, a search
//! each taking the search lane. With one, the first makes it and the others wait for
//! it, then read it as kept.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::OwnedMutexGuard;

/// The pages being made, by key.
#[derive(Default)]
pub struct Making {
    turns: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

/// The turn to make a page: while it is held, other requests for the page wait.
pub struct Turn<'a> {
    guard: Option<OwnedMutexGuard<()>>,
    /// Dropped after the guard: the key is forgotten once nobody waits for it.
    _claim: Claim<'a>,
}

/// A request's part in a page's turns, waiting or holding one.
struct Claim<'a> {
    making: &'a Making,
    key: String,
    lock: Option<Arc<tokio::sync::Mutex<()>>>,
}

/// How a turn came.
pub enum Taken<'a> {
    /// At once: nobody was making the page.
    Free(Turn<'a>),
    /// After another request made the page (or gave up): look for it again.
    Waited(Turn<'a>),
    /// Not within `patience`: make the page without a turn.
    TimedOut,
}

impl Making {
    /// The turn to make the page `key`, waiting up to `patience` for another request
    /// making it.
    pub async fn take(&self, key: &str, patience: Duration) -> Taken<'_> {
        let lock = {
            let mut turns = self.turns.lock().unwrap_or_else(PoisonError::into_inner);
            turns.entry(key.to_owned()).or_default().clone()
        };
        let claim = Claim { making: self, key: key.to_owned(), lock: Some(lock.clone()) };
        if let Ok(guard) = lock.clone().try_lock_owned() {
            return Taken::Free(Turn { guard: Some(guard), _claim: claim });
        }
        match tokio::time::timeout(patience, lock.lock_owned()).await {
            Ok(guard) => Taken::Waited(Turn { guard: Some(guard), _claim: claim }),
            Err(_) => Taken::TimedOut,
        }
    }
}

impl Drop for Turn<'_> {
    /// Hands the turn on.
    fn drop(&mut self) {
        drop(self.guard.take());
    }
}

impl Drop for Claim<'_> {
    /// The last one out forgets the key.
    fn drop(&mut self) {
        let mut turns = self.making.turns.lock().unwrap_or_else(PoisonError::into_inner);
        drop(self.lock.take());
        // Held by the map alone: nobody waits for it or holds it.
        if turns.get(&self.key).is_some_and(|lock| Arc::strong_count(lock) == 1) {
            turns.remove(&self.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_second_request_waits_for_the_first_and_the_last_forgets_the_key() {
        let making = Making::default();
        let Taken::Free(first) = making.take("q=a", Duration::from_secs(5)).await else { panic!("free at first") };
        assert!(matches!(making.take("q=b", Duration::from_secs(5)).await, Taken::Free(_)), "another page is free");
        assert!(
            matches!(making.take("q=a", Duration::from_millis(50)).await, Taken::TimedOut),
            "the page is being made"
        );
        let (waited, ()) = tokio::join!(making.take("q=a", Duration::from_secs(5)), async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            drop(first);
        });
        assert!(matches!(waited, Taken::Waited(_)), "its turn came when the first was done");
        drop(waited);
        assert!(making.turns.lock().unwrap().is_empty(), "nothing is left once every turn is done");
    }
}
