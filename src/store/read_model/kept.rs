//! Pages of public lists, searches among them, kept in memory while the database holds
//! the same data.
//!
//! A page of a public list costs a few indexed look-ups, a search the matching of its
//! words and the ranking of up to a thousand matches: far more than copying the page
//! it made. A kept page answers again while two things hold:
//! - the database's [`Version`], read before the page was made, is the same: every
//!   commit changes it, whether this process, another instance or a command-line
//!   import made it, so the first read after a write anywhere makes the page anew;
//! - the next scheduled article has not gone live: that changes lists with no write,
//!   so a page is kept until the earliest `live_from` still to come.
//!
//! So a kept page is never stale, and there is no expiry to tune. Pages are kept up
//! to a budget of bytes (`FOLIO_LIST_CACHE_MB`), those used least given up first; a
//! budget of 0 keeps none and reads no version.

use std::sync::{Arc, Mutex, PoisonError};

use chrono::NaiveDateTime;
use diesel::dsl::min;
use diesel::prelude::*;

use super::listing::EVERY;
use crate::db::schema::article_listing;
use crate::db::{Conn, Version};
use crate::store::StoreResult;

/// How often [`KeptPages::sweep`] runs.
pub const SWEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// Pages of type `T` (a page as answered), by the list's query string.
pub struct KeptPages<T> {
    /// `None` when the budget is 0.
    pages: Option<moka::sync::Cache<String, Arc<Kept<T>>>>,
    /// The next go-live as of the latest version read, found once per version.
    era: Mutex<Option<Era>>,
}

struct Kept<T> {
    ticket: Ticket,
    page: T,
}

/// Under what a page made now is kept: the database's version read before it is made,
/// and the first moment after now when a scheduled article goes live (`None`: nothing
/// is scheduled).
#[derive(Debug, Clone)]
pub struct Ticket {
    version: Version,
    until: Option<NaiveDateTime>,
}

impl Ticket {
    fn holds(&self, version: &Version, at: NaiveDateTime) -> bool {
        self.version == *version && self.until.is_none_or(|until| at < until)
    }
}

/// From `from` on, nothing goes live before `ticket.until`.
struct Era {
    ticket: Ticket,
    from: NaiveDateTime,
}

impl<T: Clone + Send + Sync + 'static> KeptPages<T> {
    /// Pages of up to `budget_bytes` in all, each `size` bytes.
    pub fn new(budget_bytes: u64, size: fn(&T) -> usize) -> Self {
        let pages = (budget_bytes > 0).then(|| {
            moka::sync::Cache::builder()
                .max_capacity(budget_bytes)
                .weigher(move |key: &String, kept: &Arc<Kept<T>>| {
                    u32::try_from(key.len() + size(&kept.page)).unwrap_or(u32::MAX)
                })
                .build()
        });
        Self { pages, era: Mutex::new(None) }
    }

    /// False when the budget is 0: no page is kept, and no version need be read.
    pub fn keeps(&self) -> bool {
        self.pages.is_some()
    }

    /// The page kept for `key`, if it is still the answer at `at` when the database is at
    /// `version`. Read the version after the request came and before `at`: then it
    /// counts every commit the request could have seen.
    pub fn kept(&self, key: &str, version: &Version, at: NaiveDateTime) -> Option<T> {
        let kept = self.pages.as_ref()?.get(key)?;
        kept.ticket.holds(version, at).then(|| kept.page.clone())
    }

    /// Keeps `page` for `key` under `ticket`.
    pub fn keep(&self, key: String, ticket: Ticket, page: T) {
        if let Some(pages) = &self.pages {
            pages.insert(key, Arc::new(Kept { ticket, page }));
        }
    }

    /// Drops every kept page once none can be answered again (the database is past the
    /// `version` they were kept under, or a scheduled article went live before `at`):
    /// their memory goes back soon after a write, not when the budget runs out. Run now
    /// and then ([`SWEEP_EVERY`]).
    pub fn sweep(&self, version: &Version, at: NaiveDateTime) {
        let Some(pages) = &self.pages else { return };
        let era = self.era.lock().unwrap_or_else(PoisonError::into_inner);
        if !era.as_ref().is_some_and(|era| era.ticket.holds(version, at)) {
            pages.invalidate_all();
            pages.run_pending_tasks();
        }
    }

    /// True when no page is kept (near enough: a page kept a moment ago may not count yet).
    pub fn is_empty(&self) -> bool {
        self.pages.as_ref().is_none_or(|pages| {
            // The count is brought up to date by the cache's pending work.
            pages.run_pending_tasks();
            pages.entry_count() == 0
        })
    }

    /// The ticket to keep a page under when it is made after `at` and the database was
    /// at `version` before: the next go-live, found once per version. Call it before the
    /// page is read: a commit in between changes the version, and the page is then
    /// never answered.
    pub fn ticket(&self, conn: &mut Conn, version: Version, at: NaiveDateTime) -> StoreResult<Ticket> {
        let mut era = self.era.lock().unwrap_or_else(PoisonError::into_inner);
        let holds = era.as_ref().filter(|era| era.ticket.holds(&version, at));
        if let Some(known) = holds.filter(|era| era.from <= at) {
            return Ok(known.ticket.clone());
        }
        let passed = holds.is_none();
        let (kind, scope_id) = EVERY;
        let until = article_listing::table
            .filter(article_listing::kind.eq(kind))
            .filter(article_listing::scope_id.eq(scope_id))
            .filter(article_listing::live_from.gt(at))
            .select(min(article_listing::live_from))
            .get_result::<Option<NaiveDateTime>>(conn)?;
        // Pages kept under another version, or until a moment now past, are never
        // answered again: they go now rather than when the budget runs out.
        if let Some(pages) = self.pages.as_ref().filter(|_| passed) {
            pages.invalidate_all();
        }
        let ticket = Ticket { version, until };
        *era = Some(Era { ticket: ticket.clone(), from: at });
        Ok(ticket)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use diesel::connection::SimpleConnection;

    use super::*;
    use crate::config::{DatabaseTuning, DatabaseUrl};
    use crate::db::Database;
    use crate::store::now;

    #[test]
    fn a_page_is_answered_until_a_commit_then_swept() {
        let dir = tempfile::tempdir().expect("a folder");
        let url = DatabaseUrl::Sqlite(dir.path().join("folio.db").to_string_lossy().into_owned());
        let db = Database::open(&url, &DatabaseTuning { readers: 2, statement_timeout: Duration::from_secs(5) })
            .expect("opened");
        db.migrate().expect("migrated");
        let kept = KeptPages::new(1 << 20, String::len);
        let mut conn = db.reader().expect("a reader");
        let version = db.version(&mut conn).expect("a version");
        let at = now();
        assert_eq!(kept.kept("q=a", &version, at), None, "nothing is kept yet");
        let ticket = kept.ticket(&mut conn, version.clone(), at).expect("a ticket");
        kept.keep("q=a".into(), ticket, "the page".to_owned());
        assert_eq!(kept.kept("q=a", &version, now()).as_deref(), Some("the page"));
        kept.sweep(&version, now());
        assert!(!kept.is_empty(), "a page that can still be answered is kept");

        // Any commit, by any connection.
        db.writer().expect("the writer").batch_execute("CREATE TABLE anything (x INTEGER)").expect("committed");
        let later = db.version(&mut conn).expect("a version");
        assert_ne!(later, version, "a commit changes the version");
        assert_eq!(kept.kept("q=a", &later, now()), None, "a page is not answered after a commit");
        kept.sweep(&later, now());
        assert!(kept.is_empty(), "a page that can no longer be answered goes at the next sweep");

        let none = KeptPages::new(0, String::len);
        assert!(!none.keeps(), "a budget of 0");
        none.keep("q=a".into(), kept.ticket(&mut conn, later.clone(), now()).expect("a ticket"), "the page".into());
        assert_eq!(none.kept("q=a", &later, now()), None, "a budget of 0 keeps nothing");
    }
}
