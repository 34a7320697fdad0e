//! Why work run off the async executor has no answer, and the deadline that bounds
//! the wait for it.

use std::future::Future;
use std::time::Duration;

use actix_web::error::BlockingError;

use crate::store::{StoreError, StoreResult};

/// Why work run here has no answer: the store's own error, or the database's silence.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No answer before the database's deadline; the caller may retry shortly.
    #[error("the database cannot take this request now; retry shortly")]
    Unavailable,
    /// The work panicked, or its thread could not run it.
    #[error(transparent)]
    Failed(anyhow::Error),
}

/// The answer of blocking database work, or [`RunError::Unavailable`] once the database
/// has taken longer than it can when it is working ([`crate::db::Database::deadline`]):
/// a frozen server or a silent network answers nothing, and neither its statement
/// timeout nor the pool notices. The work itself cannot be stopped; it ends when the
/// database answers or the connection breaks.
pub(super) async fn within<T>(
    deadline: Duration,
    work: impl Future<Output = Result<StoreResult<T>, BlockingError>>,
) -> Result<T, RunError> {
    match actix_web::rt::time::timeout(deadline, work).await {
        Ok(done) => done.map_err(|err| RunError::Failed(err.into()))?.map_err(RunError::from),
        Err(_) => {
            tracing::warn!(?deadline, "the database did not answer in time");
            Err(RunError::Unavailable)
        }
    }
}
