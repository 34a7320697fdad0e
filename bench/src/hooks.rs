//! Webhook fan-out: receivers on loopback, one webhook each subscribed to
//! `article.published`, and the same number of publishes without and with them:
//! creates per second both ways, and how long each event took from the 201 that
//! acknowledged the article to its arrival at every receiver.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::{json, Value};

use crate::http::Client;
use crate::stats::Latencies;

/// When each receiver got each article's `article.published`.
type Arrivals = Arc<Mutex<Vec<(i64, Instant)>>>;

/// An HTTP/1.1 endpoint answering every POST with 200 and noting what arrived.
struct Receiver {
    addr: SocketAddr,
    arrivals: Arrivals,
}

fn serve_connection(stream: TcpStream, arrivals: &Arrivals) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut stream = stream;
    loop {
        let mut length = 0usize;
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        loop {
            line.clear();
            reader.read_line(&mut line)?;
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        let arrived = Instant::now();
        if let Ok(event) = serde_json::from_slice::<Value>(&body) {
            if event["type"] == "article.published" {
                if let Some(id) = event["data"]["id"].as_i64() {
                    arrivals.lock().map_err(|_| std::io::Error::other("poisoned"))?.push((id, arrived));
                }
            }
        }
        stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")?;
    }
}

impl Receiver {
    fn start() -> anyhow::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").context("binding a webhook receiver")?;
        let addr = listener.local_addr()?;
        let arrivals: Arrivals = Arc::default();
        let noted = arrivals.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let noted = noted.clone();
                std::thread::spawn(move || serve_connection(stream, &noted));
            }
        });
        Ok(Self { addr, arrivals })
    }
}

pub struct FanOut {
    pub endpoints: usize,
    pub publishes: usize,
    pub writers: usize,
    pub rounds: usize,
}

/// One round: creates per second without and with the webhooks.
pub struct Round {
    pub without: f64,
    pub with: f64,
}

impl Round {
    pub fn share(&self) -> f64 {
        self.with / self.without.max(f64::MIN_POSITIVE)
    }
}

pub struct Outcome {
    pub rounds: Vec<Round>,
    /// From each 201 to the event's arrival, per receiver.
    pub latencies: Latencies,
    pub delivered: usize,
    pub expected: usize,
    /// From the last 201 to the last arrival, the longest of the rounds.
    pub drained: Duration,
}

impl Outcome {
    /// The median round's share of creates with the webhooks against without.
    pub fn median_share(&self) -> f64 {
        let mut shares: Vec<f64> = self.rounds.iter().map(Round::share).collect();
        shares.sort_by(f64::total_cmp);
        shares.get(shares.len() / 2).copied().unwrap_or(0.0)
    }
}

/// `count` publishes over `writers` keep-alive connections; each article's id and the
/// moment its 201 arrived, and the rate.
fn publish(
    addr: SocketAddr,
    token: &str,
    count: usize,
    writers: usize,
    label: &str,
) -> anyhow::Result<(Vec<(i64, Instant)>, f64)> {
    let started = Instant::now();
    let threads: Vec<_> = (0..writers)
        .map(|w| {
            let auth = format!("Bearer {token}");
            let label = label.to_owned();
            std::thread::spawn(move || -> anyhow::Result<Vec<(i64, Instant)>> {
                let mut client = Client::with_timeout(addr, Duration::from_secs(30));
                let mut acked = Vec::new();
                for n in (w..count).step_by(writers) {
                    let body = json!({"title": format!("Fan-out {label} {n}"), "body_markdown": "A short body.",
                        "status": "published"})
                    .to_string();
                    let headers = [("Authorization", auth.as_str()), ("Content-Type", "application/json")];
                    let response = client.request("POST", "/api/v1/articles", &headers, Some(body.as_bytes()))?;
                    anyhow::ensure!(response.status == 201, "a publish answered {}", response.status);
                    let id = response.json()?["id"].as_i64().context("a 201 without an id")?;
                    acked.push((id, Instant::now()));
                }
                Ok(acked)
            })
        })
        .collect();
    let mut acked = Vec::with_capacity(count);
    for thread in threads {
        acked.extend(thread.join().map_err(|_| anyhow::anyhow!("a publishing thread panicked"))??);
    }
    Ok((acked, count as f64 / started.elapsed().as_secs_f64()))
}

/// What the publishes with the webhooks on came to at the receivers.
struct Arrived {
    samples: Vec<u64>,
    drained: Duration,
}

/// Subscribes one webhook per receiver, publishes, waits (at most two minutes) for
/// every event at every receiver, and deletes the webhooks again.
fn publish_with(
    addr: SocketAddr,
    admin_token: &str,
    token: &str,
    plan: &FanOut,
    receivers: &[Receiver],
    label: &str,
) -> anyhow::Result<(Arrived, f64)> {
    let mut admin = Client::new(addr);
    let auth = format!("Bearer {admin_token}");
    let mut hooks = Vec::with_capacity(receivers.len());
    for receiver in receivers {
        let body = json!({"url": format!("http://{}/hook", receiver.addr), "events": ["article.published"]});
        let headers = [("Authorization", auth.as_str()), ("Content-Type", "application/json")];
        let created = admin.request("POST", "/api/v1/webhooks", &headers, Some(body.to_string().as_bytes()))?;
        anyhow::ensure!(created.status == 201, "creating a webhook answered {}", created.status);
        hooks.push(created.json()?["id"].as_i64().context("a webhook without an id")?);
    }
    let (acked, rate) = publish(addr, token, plan.publishes, plan.writers, label)?;
    let acked: HashMap<i64, Instant> = acked.into_iter().collect();
    let last_ack = acked.values().max().copied().unwrap_or_else(Instant::now);
    let arrivals = || -> Vec<(i64, Instant)> {
        receivers
            .iter()
            .flat_map(|r| r.arrivals.lock().map(|a| a.clone()).unwrap_or_default())
            .filter(|(id, _)| acked.contains_key(id))
            .collect()
    };
    let expected = acked.len() * receivers.len();
    let deadline = Instant::now() + Duration::from_secs(120);
    while arrivals().len() < expected && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut samples = Vec::with_capacity(expected);
    let mut last_arrival = last_ack;
    for (id, arrived) in arrivals() {
        if let Some(sent) = acked.get(&id) {
            samples.push(arrived.saturating_duration_since(*sent).as_micros() as u64);
            last_arrival = last_arrival.max(arrived);
        }
    }
    // A fresh connection: the first may have idled past folio's keep-alive meanwhile.
    let mut admin = Client::new(addr);
    for hook in hooks {
        let deleted =
            admin.request("DELETE", &format!("/api/v1/webhooks/{hook}"), &[("Authorization", &auth)], None)?;
        anyhow::ensure!(deleted.status == 204, "deleting a webhook answered {}", deleted.status);
    }
    Ok((Arrived { samples, drained: last_arrival.saturating_duration_since(last_ack) }, rate))
}

/// Rounds of publishes without and with the webhooks, in turns (without first, then
/// with first, ...), so that neither always runs on the larger database.
pub fn run(addr: SocketAddr, admin_token: &str, token: &str, plan: &FanOut) -> anyhow::Result<Outcome> {
    let receivers = (0..plan.endpoints).map(|_| Receiver::start()).collect::<anyhow::Result<Vec<_>>>()?;
    let mut outcome = Outcome {
        rounds: Vec::new(),
        latencies: Latencies::new(Vec::new()),
        delivered: 0,
        expected: 0,
        drained: Duration::ZERO,
    };
    let mut samples = Vec::new();
    for round in 0..plan.rounds {
        let mut with = |label: &str| -> anyhow::Result<f64> {
            let (arrived, rate) = publish_with(addr, admin_token, token, plan, &receivers, label)?;
            outcome.expected += plan.publishes * plan.endpoints;
            outcome.delivered += arrived.samples.len();
            outcome.drained = outcome.drained.max(arrived.drained);
            samples.extend(arrived.samples);
            Ok(rate)
        };
        let (with_label, without_label) = (format!("with {round}"), format!("without {round}"));
        let (without, with) = if round % 2 == 0 {
            let without = publish(addr, token, plan.publishes, plan.writers, &without_label)?.1;
            (without, with(&with_label)?)
        } else {
            let with = with(&with_label)?;
            (publish(addr, token, plan.publishes, plan.writers, &without_label)?.1, with)
        };
        outcome.rounds.push(Round { without, with });
    }
    outcome.latencies = Latencies::new(samples);
    Ok(outcome)
}
