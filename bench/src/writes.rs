//! Write load: creates and conditional updates need a fresh body or ETag per request,
//! which a generic load generator cannot give, so threads with keep-alive connections
//! drive them (the server is local; one connection per thread).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::json;

use crate::http::Client;
use crate::stats::Latencies;

/// What a write scenario does with each request.
pub enum Plan {
    /// `POST /api/v1/articles`, each with a distinct title.
    Create { bodies: Vec<String>, sections: Vec<String>, tags: Vec<String> },
    /// `GET /api/v1/articles/{id}` for its ETag, then `PATCH` it with `If-Match`;
    /// each worker owns its own articles so workers never race each other.
    Update { ids: Vec<i64> },
}

pub struct Outcome {
    /// 2xx answers completed inside the measured window.
    pub ok: u64,
    /// Anything else inside the window: other statuses and socket errors.
    pub errors: u64,
    /// Why the errors happened, with counts.
    pub error_kinds: BTreeMap<String, u64>,
    pub latencies: Latencies,
    pub window: Duration,
    /// Every operation finished, warm-up included, whatever its answer.
    pub total: u64,
}

impl Outcome {
    pub fn rate(&self) -> f64 {
        self.ok as f64 / self.window.as_secs_f64()
    }
}

#[derive(Default)]
struct Tally {
    total: u64,
    ok: u64,
    errors: u64,
    error_kinds: BTreeMap<String, u64>,
    latencies_us: Vec<u64>,
}

impl Tally {
    fn error(&mut self, kind: String) {
        self.errors += 1;
        *self.error_kinds.entry(kind).or_default() += 1;
    }
}

/// Logs in over HTTP and returns the access token.
pub fn login(addr: SocketAddr, email: &str, password: &str) -> anyhow::Result<String> {
    let body = json!({ "email": email, "password": password }).to_string();
    let response = Client::new(addr)
        .request("POST", "/api/v1/auth/login", &[("Content-Type", "application/json")], Some(body.as_bytes()))
        .context("logging in")?;
    anyhow::ensure!(
        response.status == 200,
        "login answered {}: {}",
        response.status,
        String::from_utf8_lossy(&response.body)
    );
    let token = response.json()?.get("access_token").and_then(|t| t.as_str()).map(str::to_owned);
    token.context("the login answer has no access_token")
}

struct Worker {
    index: usize,
    workers: usize,
    addr: SocketAddr,
    auth: String,
    plan: Arc<Plan>,
    run_id: u64,
}

impl Worker {
    fn run(self, measure_from: Instant, measure_until: Instant) -> Tally {
        let mut tally = Tally::default();
        let mut client = Client::with_timeout(self.addr, Duration::from_secs(10));
        let mut n = 0usize;
        while Instant::now() < measure_until {
            let result = match &*self.plan {
                Plan::Create { bodies, sections, tags } => self.create(&mut client, n, bodies, sections, tags),
                Plan::Update { ids } => self.update(&mut client, n, ids),
            };
            n += 1;
            tally.total += 1;
            let finished = Instant::now();
            if finished < measure_from || finished > measure_until {
                continue;
            }
            match result {
                Ok((status, latency)) if (200..300).contains(&status) => {
                    tally.ok += 1;
                    tally.latencies_us.push(latency.as_micros() as u64);
                }
                Ok((status, _)) => tally.error(format!("status {status}")),
                Err(e) => tally.error(e),
            }
        }
        tally
    }

    fn create(
        &self,
        client: &mut Client,
        n: usize,
        bodies: &[String],
        sections: &[String],
        tags: &[String],
    ) -> Result<(u16, Duration), String> {
        let k = n * self.workers + self.index;
        let tag_names: Vec<&String> = (0..3).map(|t| &tags[(k * 7 + t * 31) % tags.len()]).collect();
        let body = json!({
            "title": format!("Bench create {} worker {} number {n}", self.run_id, self.index),
            "body_markdown": bodies[k % bodies.len()],
            "section": sections[k % sections.len()],
            "tags": tag_names,
            "status": "published",
        })
        .to_string();
        let headers = [("Authorization", self.auth.as_str()), ("Content-Type", "application/json")];
        let started = Instant::now();
        let response = client
            .request("POST", "/api/v1/articles", &headers, Some(body.as_bytes()))
            .map_err(|e| crate::http::describe(&e))?;
        Ok((response.status, started.elapsed()))
    }

    fn update(&self, client: &mut Client, n: usize, ids: &[i64]) -> Result<(u16, Duration), String> {
        let own = ids.len().saturating_sub(self.index).div_ceil(self.workers).max(1);
        let id = ids.get(self.index + (n % own) * self.workers).or(ids.first()).copied().unwrap_or(1);
        let path = format!("/api/v1/articles/{id}");
        let read =
            client.get(&path, &[("Authorization", self.auth.as_str())]).map_err(|e| crate::http::describe(&e))?;
        if !read.is_success() {
            return Ok((read.status, Duration::ZERO));
        }
        let etag = read.header("etag").ok_or("no ETag on GET")?.to_owned();
        let body =
            json!({ "title": format!("Bench update {} worker {} round {n}", self.run_id, self.index) }).to_string();
        let headers =
            [("Authorization", self.auth.as_str()), ("Content-Type", "application/json"), ("If-Match", etag.as_str())];
        let started = Instant::now();
        let response =
            client.request("PATCH", &path, &headers, Some(body.as_bytes())).map_err(|e| crate::http::describe(&e))?;
        Ok((response.status, started.elapsed()))
    }
}

/// Runs `workers` threads for `warmup + duration`, spread over the servers at `addrs`
/// in turn; counts what completes after the warm-up.
pub fn run(
    addrs: &[SocketAddr],
    token: &str,
    plan: Plan,
    workers: usize,
    warmup: Duration,
    duration: Duration,
) -> anyhow::Result<Outcome> {
    anyhow::ensure!(!addrs.is_empty(), "no server to write to");
    let plan = Arc::new(plan);
    let run_id = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_millis() as u64;
    let start = Instant::now();
    let measure_from = start + warmup;
    let measure_until = measure_from + duration;
    let handles: Vec<_> = (0..workers)
        .map(|index| {
            let addr = addrs[index % addrs.len()];
            let worker = Worker { index, workers, addr, auth: format!("Bearer {token}"), plan: plan.clone(), run_id };
            std::thread::spawn(move || worker.run(measure_from, measure_until))
        })
        .collect();
    let mut total = Tally::default();
    for handle in handles {
        let tally = handle.join().map_err(|_| anyhow::anyhow!("a write worker panicked"))?;
        total.total += tally.total;
        total.ok += tally.ok;
        total.errors += tally.errors;
        for (kind, count) in tally.error_kinds {
            *total.error_kinds.entry(kind).or_default() += count;
        }
        total.latencies_us.extend(tally.latencies_us);
    }
    Ok(Outcome {
        ok: total.ok,
        errors: total.errors,
        error_kinds: total.error_kinds,
        latencies: Latencies::new(total.latencies_us),
        window: duration,
        total: total.total,
    })
}
