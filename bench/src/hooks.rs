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
}

pub struct Outcome {
    pub rate_without: f64,
    pub rate_with: f64,
    /// From each 201 to the event's arrival, per receiver.
    pub latencies: Latencies,
    pub delivered: usize,
    pub expected: usize,
    /// From the last 201 to the last arrival.
    pub drained: Duration,
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

/// Publishes without webhooks, then subscribes the receivers and publishes again, and
/// waits (at most two minutes) for every event at every receiver.
pub fn run(addr: SocketAddr, admin_token: &str, token: &str, plan: &FanOut) -> anyhow::Result<Outcome> {
    let (_, rate_without) = publish(addr, token, plan.publishes, plan.writers, "without")?;
    let mut receivers = Vec::new();
    let mut admin = Client::new(addr);
    for _ in 0..plan.endpoints {
        let receiver = Receiver::start()?;
        let body = json!({"url": format!("http://{}/hook", receiver.addr), "events": ["article.published"]});
        let headers = [("Authorization", &*format!("Bearer {admin_token}")), ("Content-Type", "application/json")];
        let created = admin.request("POST", "/api/v1/webhooks", &headers, Some(body.to_string().as_bytes()))?;
        anyhow::ensure!(created.status == 201, "creating a webhook answered {}", created.status);
        receivers.push(receiver);
    }
    let (acked, rate_with) = publish(addr, token, plan.publishes, plan.writers, "with")?;
    let expected = acked.len() * receivers.len();
    let count = || receivers.iter().map(|r| r.arrivals.lock().map_or(0, |a| a.len())).sum::<usize>();
    let last_ack = acked.iter().map(|(_, at)| *at).max().unwrap_or_else(Instant::now);
    let deadline = Instant::now() + Duration::from_secs(120);
    while count() < expected && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let acked: HashMap<i64, Instant> = acked.into_iter().collect();
    let mut samples = Vec::with_capacity(expected);
    let mut last_arrival = last_ack;
    for receiver in &receivers {
        let arrivals = receiver.arrivals.lock().map_err(|_| anyhow::anyhow!("poisoned"))?;
        for (id, arrived) in arrivals.iter() {
            if let Some(sent) = acked.get(id) {
                samples.push(arrived.saturating_duration_since(*sent).as_micros() as u64);
                last_arrival = last_arrival.max(*arrived);
            }
        }
    }
    Ok(Outcome {
        rate_without,
        rate_with,
        delivered: samples.len(),
        expected,
        latencies: Latencies::new(samples),
        drained: last_arrival.saturating_duration_since(last_ack),
    })
}
