//! The same load spread over several folio processes on one PostgreSQL database:
//! what a second instance gives (or costs) on this machine.

use std::net::SocketAddr;
use std::time::Duration;

use crate::report::{Row, Target};
use crate::server::{self, Server};
use crate::writes::{self, Plan};
use crate::wrk::{Load, Script, WrkSummary};

/// How the load is split: `connections` and `threads` are shared out over the servers.
pub struct Spread<'a> {
    pub servers: &'a [&'a Server],
    pub connections: usize,
    pub threads: usize,
    pub warmup: Duration,
    pub duration: Duration,
}

impl Spread<'_> {
    fn cpu_seconds(&self) -> anyhow::Result<f64> {
        self.servers.iter().map(|s| server::cpu_seconds(s.pid())).sum()
    }

    fn peak_rss(&self) -> u64 {
        self.servers.iter().filter_map(|s| server::proc_status_bytes(s.pid(), "VmHWM").ok()).max().unwrap_or(0)
    }

    /// One wrk per server at once, each with its share of the connections.
    fn wrk_all(&self, script: &Script, duration: Duration) -> anyhow::Result<Vec<WrkSummary>> {
        let n = self.servers.len().max(1);
        std::thread::scope(|scope| {
            let runs: Vec<_> = self
                .servers
                .iter()
                .map(|server| {
                    let load = Load {
                        addr: server.addr,
                        connections: (self.connections / n).max(1),
                        threads: (self.threads / n).max(1),
                    };
                    scope.spawn(move || load.run(script, duration))
                })
                .collect();
            runs.into_iter().map(|run| run.join().map_err(|_| anyhow::anyhow!("a wrk thread panicked"))?).collect()
        })
    }

    /// A read scenario over every server at once. Requests and errors are summed; the
    /// latencies are the slowest server's (wrk reports percentiles per process).
    pub fn reads(&self, name: String, script: &Script) -> anyhow::Result<Row> {
        if !self.warmup.is_zero() {
            self.wrk_all(script, self.warmup)?;
        }
        let cpu_before = self.cpu_seconds()?;
        let results = self.wrk_all(script, self.duration)?;
        let cpu = self.cpu_seconds()? - cpu_before;
        let requests: f64 = results.iter().map(|r| r.requests).sum();
        let slowest = |f: fn(&WrkSummary) -> f64| results.iter().map(f).fold(0.0, f64::max) / 1000.0;
        Ok(Row {
            name,
            read: true,
            rps: results.iter().map(WrkSummary::rps).sum(),
            p50_ms: (requests > 0.0).then(|| slowest(|r| r.p50_us)),
            p99_ms: (requests > 0.0).then(|| slowest(|r| r.p99_us)),
            errors: results.iter().map(WrkSummary::errors).sum(),
            single_ms: None,
            single_cpu_ms: None,
            cpu_ms: (requests > 0.0).then(|| 1000.0 * cpu / requests),
            peak_rss: self.peak_rss(),
            target: Target::None,
        })
    }

    /// A write scenario with its writers spread over the servers in turn.
    pub fn writes(&self, name: String, token: &str, plan: Plan) -> anyhow::Result<Row> {
        let addrs: Vec<SocketAddr> = self.servers.iter().map(|s| s.addr).collect();
        let cpu_before = self.cpu_seconds()?;
        let outcome = writes::run(&addrs, token, plan, self.connections, self.warmup, self.duration)?;
        let cpu = self.cpu_seconds()? - cpu_before;
        Ok(Row {
            name,
            read: false,
            rps: outcome.rate(),
            p50_ms: (outcome.ok > 0).then(|| outcome.latencies.percentile_ms(50.0)),
            p99_ms: (outcome.ok > 0).then(|| outcome.latencies.percentile_ms(99.0)),
            errors: outcome.errors,
            single_ms: None,
            single_cpu_ms: None,
            cpu_ms: Some(1000.0 * cpu / outcome.total.max(1) as f64),
            peak_rss: self.peak_rss(),
            target: Target::None,
        })
    }
}
