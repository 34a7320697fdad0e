//! A deadline for receiving a request's whole body.
//!
//! The server cuts slow request heads (its client request timeout), but a body may
//! trickle in a byte at a time for as long as the client likes, holding a connection
//! and a worker's attention. Every request body must arrive within the configured
//! time (`FOLIO_BODY_TIMEOUT_SECONDS`, 30 s by default); a body still arriving then
//! ends in an error that the JSON extractor answers with 408 and a closed connection.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::rt::time::{sleep, Sleep};
use actix_web::web::{Bytes, Data};
use futures_util::Stream;

use super::state::AppState;

/// The body stream of a request, ended by an error once its deadline passes.
struct Deadline {
    body: Payload,
    timer: Pin<Box<Sleep>>,
    done: bool,
}

/// Whether `err` is the deadline passing (rather than the client going away).
pub fn is_timeout(err: &PayloadError) -> bool {
    matches!(err, PayloadError::Io(e) if e.kind() == io::ErrorKind::TimedOut)
}

impl Stream for Deadline {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.done {
            return Poll::Ready(None);
        }
        // Polling the timer also has it wake this task when the time is up.
        if self.timer.as_mut().poll(cx).is_ready() {
            self.done = true;
            let err = io::Error::new(io::ErrorKind::TimedOut, "the body did not arrive in time");
            return Poll::Ready(Some(Err(PayloadError::Io(err))));
        }
        let next = Pin::new(&mut self.body).poll_next(cx);
        if let Poll::Ready(None) = next {
            self.done = true;
        }
        next
    }
}

/// Puts every request body on the clock.
pub async fn body(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    // A request that declares no body (most reads) has nothing to time.
    let headers = req.headers();
    let has_body = headers.contains_key(header::TRANSFER_ENCODING)
        || headers.get(header::CONTENT_LENGTH).is_some_and(|length| length.as_bytes() != b"0");
    let limit = req.app_data::<Data<AppState>>().map(|state| state.body_timeout).filter(|_| has_body);
    if let Some(limit) = limit {
        let body = req.parts_mut().1.take();
        let timed = Deadline { body, timer: Box::pin(sleep(limit)), done: false };
        req.set_payload(Payload::from(Box::pin(timed) as Pin<Box<dyn Stream<Item = _>>>));
    }
    next.call(req).await
}
