//! The senders: a thread of their own at the lowest priority, where each leased send
//! waits in its endpoint's lane ([`super::lanes`]) for a slot, is signed and POSTed,
//! and goes back to the dispatcher as an attempt.

use std::sync::Arc;
use std::time::Duration;

use actix_web::web::Bytes;
use chrono::Utc;
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::guard;
use super::lanes::{Lanes, Outgoing, Reach, PER_ENDPOINT};
use super::resolver::{Hosts, Refused};
use super::sign;
use crate::store::deliveries::{Attempt, Due};
use crate::store::now;

/// How long an endpoint has to answer.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// How long a connection may take to open: a host that drops packets costs a send
/// this long, not the whole [`TIMEOUT`].
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// What reaches the senders: a send the dispatcher leased, or one that finished.
pub enum Input {
    Leased(Outgoing),
    Finished { endpoint: String, due: Due, attempt: Attempt, reach: Reach },
}

/// Signs and POSTs sends.
pub struct Sender {
    client: reqwest::Client,
    hosts: Hosts,
}

impl Sender {
    /// A client that resolves through `hosts` and connects to exactly the addresses
    /// they checked: never through a proxy of the environment, which would resolve the
    /// name again; no redirect followed.
    pub fn new(hosts: Hosts) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .no_proxy()
            .dns_resolver(Arc::new(hosts.clone()))
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(PER_ENDPOINT)
            .user_agent(concat!("folio-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self { client, hosts })
    }

    /// Sends what the dispatcher leases, each endpoint in its lane, and hands each
    /// attempt back to the dispatcher through `attempts`. Ends when the dispatcher has
    /// gone (the process is stopping; the leases then expire).
    pub async fn run(
        self: Arc<Self>,
        inputs: mpsc::WeakUnboundedSender<Input>,
        mut input: mpsc::UnboundedReceiver<Input>,
        attempts: mpsc::UnboundedSender<(Due, Attempt)>,
    ) {
        let mut lanes = Lanes::default();
        while let Some(next) = input.recv().await {
            let returned = match next {
                Input::Leased(outgoing) => lanes.push(outgoing, now()).into_iter().collect(),
                Input::Finished { endpoint, due, attempt, reach } => {
                    let mut returned = lanes.finished(&endpoint, reach, now());
                    returned.push((due, attempt));
                    returned
                }
            };
            for attempt in returned {
                if attempts.send(attempt).is_err() {
                    return;
                }
            }
            for (endpoint, (due, body)) in lanes.ready() {
                let (sender, inputs) = (self.clone(), inputs.clone());
                tokio::spawn(async move {
                    let (attempt, reach) = sender.send(&due, body).await;
                    if let Some(inputs) = inputs.upgrade() {
                        let _ = inputs.send(Input::Finished { endpoint, due, attempt, reach });
                    }
                });
            }
        }
    }

    /// One attempt of `due`.
    async fn send(&self, due: &Due, body: Bytes) -> (Attempt, Reach) {
        let (at, started) = (now(), Instant::now());
        let (status, error, reach) = self.post(due, body).await;
        let duration_ms = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
        (Attempt { at, duration_ms, status, error, not_before: None }, reach)
    }

    async fn post(&self, due: &Due, body: Bytes) -> (Option<u16>, Option<String>, Reach) {
        let not_sent = |error: String| (None, Some(error), Reach::NotSent);
        let url = match guard::parse(&due.webhook.url) {
            Ok(url) => url,
            Err(why) => return not_sent(format!("the URL {why}")),
        };
        // A host given by name is checked by the client's resolver, when it connects.
        if let Err(why) = guard::check_literal(&self.hosts, &url) {
            return not_sent(format!("refused: the URL {why}"));
        }
        let id = due.event.id.to_string();
        let timestamp = Utc::now().timestamp();
        let Some(signature) = sign::signature(&due.webhook.secret, &id, timestamp, &body) else {
            return not_sent("the webhook's secret is not a whsec_ secret".into());
        };
        let sent = self
            .client
            .post(url)
            .header("content-type", "application/json")
            .header("webhook-id", id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body)
            .send()
            .await;
        match sent {
            Ok(response) => {
                let status = response.status();
                let error = (!status.is_success()).then(|| format!("the endpoint answered {status}"));
                (Some(status.as_u16()), error, Reach::Answered)
            }
            Err(err) => (None, Some(unanswered(&err)), Reach::Unanswered),
        }
    }
}

/// Why a send got no answer, in a line: the resolver's refusal, a timeout, or reqwest's
/// error with its causes ("error sending request" alone says nothing).
fn unanswered(err: &reqwest::Error) -> String {
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        if let Some(refused) = cause.downcast_ref::<Refused>() {
            return format!("refused: the URL {refused}");
        }
        source = cause.source();
    }
    if err.is_timeout() {
        return match err.is_connect() {
            true => format!("no connection within {} s", CONNECT_TIMEOUT.as_secs()),
            false => format!("no answer within {} s", TIMEOUT.as_secs()),
        };
    }
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
