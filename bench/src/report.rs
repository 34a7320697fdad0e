//! The results table with each target's PASS/MISS, printed and kept in BENCHMARKS.md.

use std::path::Path;

use anyhow::Context;

/// What a scenario is held to.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    /// The reference the reads are compared with.
    Ceiling,
    /// Measured, not judged.
    None,
    /// Its req/s as a share of `/health`'s, at least.
    ShareOfHealth(f64),
    /// Latency ceilings in milliseconds.
    Latency { p50_ms: f64, p99_ms: f64 },
    /// Successful requests per second, at least.
    Rate(f64),
}

pub struct Row {
    pub name: String,
    /// Reads are compared with `/health`; writes are not.
    pub read: bool,
    pub rps: f64,
    /// `None` when no request completed.
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub errors: u64,
    /// Median latency of one request at a time (reads).
    pub single_ms: Option<f64>,
    /// Server CPU time (user + system) per request in milliseconds, one at a time (reads).
    pub single_cpu_ms: Option<f64>,
    /// Server CPU time per completed request under load, the work left when the run
    /// ended included.
    pub cpu_ms: Option<f64>,
    /// The server's VmHWM after the scenario.
    pub peak_rss: u64,
    pub target: Target,
}

/// A target outside the table of scenarios.
pub struct Check {
    pub name: String,
    pub measured: String,
    pub target: String,
    pub pass: bool,
}

pub struct Report {
    pub title: String,
    /// Paragraphs before the tables: command, machine, data.
    pub preamble: Vec<String>,
    pub rows: Vec<Row>,
    pub checks: Vec<Check>,
    /// Paragraphs after the tables: what each scenario asked for, notes.
    pub notes: Vec<String>,
}

fn verdict(pass: bool) -> &'static str {
    if pass {
        "PASS"
    } else {
        "MISS"
    }
}

/// A share with as many decimals as make it readable: 45%, 4.2%, 0.13%.
fn percent(p: f64) -> String {
    match p {
        p if p >= 10.0 => format!("{p:.0}%"),
        p if p >= 1.0 => format!("{p:.1}%"),
        p => format!("{p:.2}%"),
    }
}

fn number(value: Option<f64>, decimals: usize) -> String {
    value.map_or_else(|| "—".into(), |v| format!("{v:.decimals$}"))
}

pub fn thousands(n: f64) -> String {
    let whole = n.round() as i64;
    let digits = whole.abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if whole < 0 {
        out.insert(0, '-');
    }
    out
}

impl Report {
    fn health_rps(&self) -> Option<f64> {
        self.rows.iter().find(|r| r.name.contains("/health")).map(|r| r.rps).filter(|&r| r > 0.0)
    }

    /// The target text and, when there is one, whether it holds.
    fn judge(&self, row: &Row) -> (String, Option<bool>) {
        let share = self.health_rps().map(|h| row.rps / h);
        match row.target {
            Target::Ceiling => ("ceiling".into(), None),
            Target::None => ("—".into(), None),
            Target::ShareOfHealth(min) => {
                (format!("≥ {:.0}% of /health", min * 100.0), Some(share.is_some_and(|s| s >= min)))
            }
            Target::Latency { p50_ms, p99_ms } => (
                format!("p50 ≤ {p50_ms} ms, p99 ≤ {p99_ms} ms"),
                Some(row.p50_ms.is_some_and(|p| p <= p50_ms) && row.p99_ms.is_some_and(|p| p <= p99_ms)),
            ),
            Target::Rate(min) => (format!("≥ {min:.0}/s"), Some(row.rps >= min)),
        }
    }

    pub fn all_pass(&self) -> bool {
        self.rows.iter().all(|r| self.judge(r).1 != Some(false)) && self.checks.iter().all(|c| c.pass)
    }

    pub fn markdown(&self) -> String {
        let mut out = format!("## {}\n\n", self.title);
        for paragraph in &self.preamble {
            out.push_str(paragraph);
            out.push_str("\n\n");
        }
        out.push_str(
            "| scenario | req/s | vs /health | p50 ms | p99 ms | errors | 1 conn: ms | 1 conn: CPU ms/req \
             | loaded: CPU ms/req | peak RSS MB | target | result |\n",
        );
        out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|\n");
        let health = self.health_rps();
        for row in &self.rows {
            let share = match (row.read, health) {
                (true, Some(h)) => percent(100.0 * row.rps / h),
                _ => "—".into(),
            };
            let (target, pass) = self.judge(row);
            out.push_str(&format!(
                "| {} | {} | {share} | {} | {} | {} | {} | {} | {} | {:.1} | {target} | {} |\n",
                row.name,
                thousands(row.rps),
                number(row.p50_ms, 2),
                number(row.p99_ms, 2),
                row.errors,
                number(row.single_ms, 2),
                number(row.single_cpu_ms, 3),
                number(row.cpu_ms, 3),
                row.peak_rss as f64 / 1e6,
                pass.map_or("", verdict),
            ));
        }
        out.push_str("\n| check | measured | target | result |\n|---|---:|---|---|\n");
        for check in &self.checks {
            out.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                check.name,
                check.measured,
                check.target,
                verdict(check.pass)
            ));
        }
        for note in &self.notes {
            out.push('\n');
            out.push_str(note);
            out.push('\n');
        }
        out
    }

    /// One line per target, for the terminal.
    pub fn verdicts(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for row in &self.rows {
            if let (target, Some(pass)) = self.judge(row) {
                lines.push(format!("{}  {}: {target}", verdict(pass), row.name));
            }
        }
        for check in &self.checks {
            lines.push(format!(
                "{}  {}: {} (target {})",
                verdict(check.pass),
                check.name,
                check.measured,
                check.target
            ));
        }
        lines
    }
}

const FILE_HEADER: &str = "# Benchmarks\n\n\
Made by `folio-bench` (`src/bin/folio-bench/`): it loads a synthetic data set through folio's store, \
starts the real release binary on it and drives it over HTTP from separate processes. Each section below \
is replaced when the bench runs again with the same number of articles.\n";

/// Writes the report into `path` under a marker for `key`, replacing an older run with the
/// same key and keeping the others.
pub fn save(path: &Path, key: &str, report: &Report) -> anyhow::Result<()> {
    let begin = format!("<!-- folio-bench {key} -->");
    let end = "<!-- /folio-bench -->";
    let block = format!("{begin}\n{}{end}\n", report.markdown());
    let existing = std::fs::read_to_string(path).unwrap_or_default();
    let text = if existing.trim().is_empty() {
        format!("{FILE_HEADER}\n{block}")
    } else if let Some(start) = existing.find(&begin) {
        let after = existing[start..].find(end).map_or(existing.len(), |i| start + i + end.len());
        let rest = existing[after..].trim_start_matches('\n');
        format!("{}{block}{}{rest}", &existing[..start], if rest.is_empty() { "" } else { "\n" })
    } else {
        format!("{}\n\n{block}", existing.trim_end())
    };
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}
