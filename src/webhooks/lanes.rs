//! The senders' lanes: every endpoint (a URL's scheme, host and port) has a queue of
//! its own and one send slot of its own, and may take up to [`PER_ENDPOINT`] − 1 more
//! from a pool of [`SHARED`], endpoints taking turns. An endpoint that hangs holds its
//! own slot and a few shared ones, never a slot another endpoint needs: the next send
//! to a healthy endpoint starts at once, whatever the others do.
//!
//! An endpoint whose last [`BACKOFF_AFTER`] sends got no answer (timed out, refused
//! the connection, did not resolve) is backed off, for 30 s at first and twice as long
//! each time it fails again, up to 10 min: the sends that reach it meanwhile are not
//! made but recorded at once as failed attempts saying so, their next attempt due when
//! the retry schedule says and not before the back-off ends. Then one send probes it;
//! an answer, whatever its status, ends the back-off.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use actix_web::web::Bytes;
use chrono::NaiveDateTime;

use crate::store::deliveries::{Attempt, Due};

/// Sends in flight to one endpoint, at most.
pub const PER_ENDPOINT: usize = 4;
/// Slots beyond each endpoint's first, shared by all.
const SHARED: usize = 64;
/// Sends to one endpoint that may wait for a slot; more are recorded as failed at once,
/// so that one slow endpoint cannot take all the sends a process holds.
const WAITING: usize = 256;
/// Sends in a row without an answer that back an endpoint off.
pub const BACKOFF_AFTER: u32 = 3;
const FIRST_BACKOFF: Duration = Duration::from_secs(30);
const LONGEST_BACKOFF: Duration = Duration::from_secs(600);

/// A leased send and its body, as it waits in its lane.
pub type Outgoing = (Due, Bytes);

/// How a send went, as far as its endpoint's health goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// The endpoint answered, with any status.
    Answered,
    /// Nothing answered: no address, no connection, or no answer in time.
    Unanswered,
    /// Not sent: the webhook's URL or secret cannot be used.
    NotSent,
}

struct Endpoint {
    waiting: VecDeque<Outgoing>,
    in_flight: usize,
    /// Sends in a row that got no answer.
    unanswered: u32,
    /// The length of its next back-off.
    backoff: Duration,
    /// Backed off until then.
    until: Option<NaiveDateTime>,
}

impl Default for Endpoint {
    fn default() -> Self {
        Self { waiting: VecDeque::new(), in_flight: 0, unanswered: 0, backoff: FIRST_BACKOFF, until: None }
    }
}

impl Endpoint {
    /// Sends it may have in flight: one while a probe finds out whether it is back.
    fn limit(&self) -> usize {
        match self.unanswered >= BACKOFF_AFTER {
            true => 1,
            false => PER_ENDPOINT,
        }
    }

    fn idle(&self) -> bool {
        self.in_flight == 0 && self.waiting.is_empty() && self.unanswered == 0
    }

    /// The attempt recorded for a send its back-off turns away.
    fn turned_away(&self, due: Due, until: NaiveDateTime, now: NaiveDateTime) -> (Due, Attempt) {
        let error = format!(
            "not sent: the endpoint is backed off after {} sends in a row got no answer; next try at {}",
            self.unanswered,
            until.and_utc().format("%Y-%m-%dT%H:%M:%SZ")
        );
        (due, Attempt::not_sent(now, error, Some(until)))
    }
}

/// Which endpoint a send goes to: its URL's origin.
fn endpoint_of(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(parsed) => parsed.origin().ascii_serialization(),
        Err(_) => url.to_owned(),
    }
}

/// Every endpoint's queue and slots, and whose turn it is.
#[derive(Default)]
pub struct Lanes {
    endpoints: HashMap<String, Endpoint>,
    /// Endpoints with sends waiting, in the order they take slots.
    turn: VecDeque<String>,
    /// Shared slots in use: each endpoint's sends in flight beyond its first.
    shared: usize,
}

impl Lanes {
    /// Queues a send, or returns its attempt when its endpoint is backed off or its
    /// queue is full.
    pub fn push(&mut self, outgoing: Outgoing, now: NaiveDateTime) -> Option<(Due, Attempt)> {
        let key = endpoint_of(&outgoing.0.webhook.url);
        let endpoint = self.endpoints.entry(key.clone()).or_default();
        if let Some(until) = endpoint.until.filter(|until| *until > now) {
            return Some(endpoint.turned_away(outgoing.0, until, now));
        }
        if endpoint.waiting.len() >= WAITING {
            let error = format!("not sent: {WAITING} sends to the endpoint were waiting already");
            return Some((outgoing.0, Attempt::not_sent(now, error, None)));
        }
        if endpoint.waiting.is_empty() {
            self.turn.push_back(key);
        }
        endpoint.waiting.push_back(outgoing);
        None
    }

    /// The sends that may start now, each with its endpoint, taking a slot each:
    /// endpoints in turn, one send each per round.
    pub fn ready(&mut self) -> Vec<(String, Outgoing)> {
        let mut started = Vec::new();
        let mut progress = true;
        while progress {
            progress = false;
            for _ in 0..self.turn.len() {
                let Some(key) = self.turn.pop_front() else { break };
                let Some(endpoint) = self.endpoints.get_mut(&key) else { continue };
                let room = endpoint.in_flight == 0 || (endpoint.in_flight < endpoint.limit() && self.shared < SHARED);
                if room {
                    if let Some(outgoing) = endpoint.waiting.pop_front() {
                        if endpoint.in_flight > 0 {
                            self.shared += 1;
                        }
                        endpoint.in_flight += 1;
                        started.push((key.clone(), outgoing));
                        progress = true;
                    }
                }
                if !endpoint.waiting.is_empty() {
                    self.turn.push_back(key);
                }
            }
        }
        started
    }

    /// Notes that a send to `key` finished as `reach`; returns the waiting sends that a
    /// back-off it starts turns away.
    pub fn finished(&mut self, key: &str, reach: Reach, now: NaiveDateTime) -> Vec<(Due, Attempt)> {
        let Some(endpoint) = self.endpoints.get_mut(key) else { return Vec::new() };
        if endpoint.in_flight > 1 {
            self.shared -= 1;
        }
        endpoint.in_flight = endpoint.in_flight.saturating_sub(1);
        let mut turned = Vec::new();
        match reach {
            Reach::Answered => {
                endpoint.unanswered = 0;
                endpoint.backoff = FIRST_BACKOFF;
                endpoint.until = None;
            }
            Reach::Unanswered => {
                endpoint.unanswered += 1;
                let backed_off = endpoint.until.is_some_and(|until| until > now);
                if endpoint.unanswered >= BACKOFF_AFTER && !backed_off {
                    let until = now + chrono::Duration::from_std(endpoint.backoff).unwrap_or_default();
                    endpoint.until = Some(until);
                    endpoint.backoff = (endpoint.backoff * 2).min(LONGEST_BACKOFF);
                    let waiting: Vec<Outgoing> = endpoint.waiting.drain(..).collect();
                    turned = waiting.into_iter().map(|(due, _)| endpoint.turned_away(due, until, now)).collect();
                }
            }
            Reach::NotSent => {}
        }
        if endpoint.idle() {
            self.endpoints.remove(key);
        }
        turned
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use actix_web::web::Bytes;

    use super::*;
    use crate::store::deliveries::{Event, Target};

    fn send(url: &str, event: i64) -> Outgoing {
        let webhook = Arc::new(Target { id: 1, url: url.into(), secret: String::new() });
        let event = Arc::new(Event { id: event, kind: "ping".into(), payload: "{}".into(), created_at: now() });
        (Due { delivery: None, attempts: 0, webhook, event }, Bytes::new())
    }

    fn now() -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default().naive_utc()
    }

    #[test]
    fn an_endpoint_at_its_limit_never_holds_up_another() {
        let mut lanes = Lanes::default();
        for event in 0..10 {
            assert!(lanes.push(send("http://hanging.example/", event), now()).is_none());
        }
        assert_eq!(lanes.ready().len(), PER_ENDPOINT, "the hanging endpoint's own slot and three shared");
        lanes.push(send("http://healthy.example/", 1), now());
        let started = lanes.ready();
        assert_eq!(started.len(), 1);
        assert_eq!(started[0].0, "http://healthy.example");
    }

    #[test]
    fn sends_without_an_answer_back_the_endpoint_off_and_an_answer_ends_it() {
        let mut lanes = Lanes::default();
        let key = "http://dead.example";
        for event in 0..6 {
            lanes.push(send(key, event), now());
        }
        assert_eq!(lanes.ready().len(), PER_ENDPOINT);
        assert!(lanes.finished(key, Reach::Unanswered, now()).is_empty());
        assert!(lanes.finished(key, Reach::Unanswered, now()).is_empty());
        let turned = lanes.finished(key, Reach::Unanswered, now());
        assert_eq!(turned.len(), 2, "the waiting sends are turned away");
        assert!(turned.iter().all(|(_, a)| a.error.as_deref().is_some_and(|e| e.contains("backed off"))));
        assert!(lanes.push(send(key, 7), now()).is_some(), "turned away while backed off");
        assert!(lanes.finished(key, Reach::Unanswered, now()).is_empty(), "the fourth: backed off already");

        let later = now() + chrono::Duration::seconds(31);
        for event in 8..10 {
            assert!(lanes.push(send(key, event), later).is_none(), "queued once the back-off is over");
        }
        assert_eq!(lanes.ready().len(), 1, "one send probes the endpoint");
        assert!(lanes.ready().is_empty());
        lanes.finished(key, Reach::Answered, later);
        assert_eq!(lanes.ready().len(), 1, "answered: sends go again");
    }
}
