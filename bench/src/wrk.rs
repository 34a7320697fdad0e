//! Read load from a separate process: wrk, driven by a Lua script that walks a list
//! of paths so every request asks for something different.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{bail, Context};
use serde::Deserialize;

/// The version line of `wrk`, installing it from Debian's packages when missing.
pub fn ensure_installed() -> anyhow::Result<String> {
    if let Some(version) = version() {
        return Ok(version);
    }
    let _ = writeln!(std::io::stderr(), "wrk is not on PATH: installing it with apt-get (Debian's package `wrk`)");
    let apt = |args: &[&str]| {
        Command::new("apt-get").args(args).env("DEBIAN_FRONTEND", "noninteractive").status().is_ok_and(|s| s.success())
    };
    if !apt(&["install", "-y", "-q", "wrk"]) {
        // A fresh machine has no package lists yet.
        let _ = apt(&["update", "-q"]);
        apt(&["install", "-y", "-q", "wrk"]);
    }
    version().context("wrk is not installed and `apt-get install -y wrk` did not work: install wrk (as root) and retry")
}

fn version() -> Option<String> {
    let output = Command::new("wrk").arg("--version").output().ok()?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr);
    let first = text.lines().next()?.trim();
    first.starts_with("wrk").then(|| first.split(" Copyright").next().unwrap_or(first).to_owned())
}

/// What one wrk run measured.
#[derive(Debug, Clone, Deserialize)]
pub struct WrkSummary {
    pub requests: f64,
    pub duration_us: f64,
    pub connect: f64,
    pub read: f64,
    pub write: f64,
    /// Responses with a status of 400 or more.
    pub status: f64,
    pub timeout: f64,
    pub p50_us: f64,
    pub p99_us: f64,
}

impl WrkSummary {
    pub fn rps(&self) -> f64 {
        if self.duration_us > 0.0 {
            self.requests / (self.duration_us / 1e6)
        } else {
            0.0
        }
    }

    /// Socket errors, timeouts and responses of 400 or more.
    pub fn errors(&self) -> u64 {
        (self.connect + self.read + self.write + self.status + self.timeout) as u64
    }

    pub fn error_detail(&self) -> String {
        format!(
            "connect {}, read {}, write {}, status≥400 {}, timeout {}",
            self.connect, self.read, self.write, self.status, self.timeout
        )
    }
}

const SCRIPT: &str = r#"
local paths = {}
for line in io.lines(PATHS_FILE) do
  if #line > 0 then paths[#paths + 1] = line end
end
local next_thread = 0
setup = function(thread)
  thread:set("thread_index", next_thread)
  next_thread = next_thread + 1
end
local counter = 0
init = function(args)
  -- Threads start at different places in the list.
  counter = math.floor((thread_index or 0) * #paths / 2)
end
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH {\"requests\":%.0f,\"duration_us\":%.0f,\"connect\":%.0f,\"read\":%.0f,\"write\":%.0f,\"status\":%.0f,\"timeout\":%.0f,\"p50_us\":%.0f,\"p99_us\":%.0f}\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"#;

/// A scenario's paths written out with the script that walks them.
pub struct Script {
    path: PathBuf,
}

impl Script {
    pub fn write(dir: &Path, name: &str, paths: &[String]) -> anyhow::Result<Self> {
        anyhow::ensure!(!paths.is_empty(), "scenario {name} has no paths");
        let list = dir.join(format!("{name}.paths"));
        std::fs::write(&list, paths.join("\n") + "\n")?;
        let list_text = list.to_str().context("a temporary path that is not UTF-8")?;
        anyhow::ensure!(!list_text.contains("]]"), "an awkward temporary path: {list_text}");
        let script = SCRIPT.replace("PATHS_FILE", &format!("[[{list_text}]]"));
        let path = dir.join(format!("{name}.lua"));
        std::fs::write(&path, script)?;
        Ok(Self { path })
    }
}

pub struct Load {
    pub addr: SocketAddr,
    pub connections: usize,
    pub threads: usize,
}

impl Load {
    pub fn run(&self, script: &Script, duration: Duration) -> anyhow::Result<WrkSummary> {
        let secs = duration.as_secs().max(1);
        let output = Command::new("wrk")
            .arg(format!("-t{}", self.threads.min(self.connections).max(1)))
            .arg(format!("-c{}", self.connections))
            .arg(format!("-d{secs}s"))
            .args(["--timeout", "10s", "-s"])
            .arg(&script.path)
            .arg(format!("http://{}", self.addr))
            .output()
            .context("running wrk")?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        if !output.status.success() {
            bail!("wrk failed ({}): {stdout}{}", output.status, String::from_utf8_lossy(&output.stderr));
        }
        let line = stdout
            .lines()
            .find_map(|l| l.strip_prefix("BENCH "))
            .with_context(|| format!("wrk printed no summary:\n{stdout}"))?;
        serde_json::from_str(line).with_context(|| format!("parsing wrk's summary {line}"))
    }
}
