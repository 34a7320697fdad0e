//! The folio server under test: the real release binary as a child process, its
//! cold start, and its memory as the kernel reports it.

use std::io::Write;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use anyhow::{bail, Context};

use crate::http::Client;

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// The repository (workspace) root, one above this crate: the server is built there
/// and BENCHMARKS.md lives there.
pub fn repository_root() -> &'static Path {
    let bench = Path::new(env!("CARGO_MANIFEST_DIR"));
    bench.parent().unwrap_or(bench)
}

/// `target/release/folio`, built first when it is missing or older than this bench.
pub fn folio_binary() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe().context("locating the folio-bench binary")?;
    let profile_dir = exe.parent().context("the bench binary has no directory")?;
    let target_dir = profile_dir.parent().context("the bench binary is not in a target directory")?;
    let folio = target_dir.join("release").join(format!("folio{}", std::env::consts::EXE_SUFFIX));
    let stale = match (modified(&folio), modified(&exe)) {
        (Some(server), Some(bench)) => server < bench,
        _ => true,
    };
    if stale {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let _ = writeln!(std::io::stderr(), "building: cargo build --release -p folio --bin folio");
        let mut build = Command::new(&cargo);
        build
            .args(["build", "--release", "-p", "folio", "--bin", "folio"])
            .current_dir(repository_root())
            .env("CARGO_TARGET_DIR", target_dir);
        // What `cargo run` told this bench about itself: ring's build script reruns when
        // CARGO_MANIFEST_DIR changes, so passing it on would rebuild ring (and folio)
        // here and again at the next `cargo run`.
        for (name, _) in std::env::vars_os() {
            let name = name.to_string_lossy();
            if name.starts_with("CARGO_PKG_")
                || [
                    "CARGO_MANIFEST_DIR",
                    "CARGO_MANIFEST_PATH",
                    "CARGO_CRATE_NAME",
                    "CARGO_BIN_NAME",
                    "CARGO_PRIMARY_PACKAGE",
                ]
                .contains(&&*name)
            {
                build.env_remove(&*name);
            }
        }
        let status = build.status().with_context(|| format!("running {cargo} build"))?;
        anyhow::ensure!(status.success(), "cargo build --release -p folio --bin folio failed ({status})");
    }
    anyhow::ensure!(folio.exists(), "{} is missing after the build", folio.display());
    Ok(folio)
}

/// A port nobody listens on now: bind port 0, read it, let it go.
pub fn free_port() -> anyhow::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("binding 127.0.0.1:0 to find a free port")?;
    Ok(listener.local_addr()?.port())
}

/// The running server; killed when dropped.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    log: PathBuf,
}

impl Server {
    /// Spawns `binary serve` with `env` and waits for its first 200 on `/health`;
    /// returns the server and the time from spawn to that answer.
    /// It runs in `dir`, so no `.env` of the repository is read.
    pub fn start(
        binary: &Path,
        env: &[(String, String)],
        dir: &Path,
        log: PathBuf,
    ) -> anyhow::Result<(Self, Duration)> {
        let port = free_port()?;
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let log_file = std::fs::File::create(&log).with_context(|| format!("creating {}", log.display()))?;
        let mut command = Command::new(binary);
        command
            .arg("serve")
            .current_dir(dir)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("FOLIO_BIND", addr.to_string())
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(log_file.try_clone()?)
            .stderr(log_file);
        for (name, value) in env {
            command.env(name, value);
        }
        let started = Instant::now();
        let child = command.spawn().with_context(|| format!("starting {}", binary.display()))?;
        let mut server = Self { child, addr, log };
        loop {
            let mut client = Client::with_timeout(addr, Duration::from_secs(1));
            if client.get("/health", &[]).is_ok_and(|r| r.status == 200) {
                break;
            }
            if let Some(status) = server.child.try_wait()? {
                bail!("folio exited during start-up ({status}):\n{}", server.log_tail());
            }
            if started.elapsed() > Duration::from_secs(30) {
                bail!("folio did not answer /health within 30 s:\n{}", server.log_tail());
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        let cold_start = started.elapsed();
        server.wait_ready()?;
        Ok((server, cold_start))
    }

    /// Waits until the server is idle, that is the work queued by a finished load run
    /// is done: its CPU use stays under 5% of one core for two 250 ms windows running, and
    /// `/ready` (which needs a pooled database connection) answers within 20 ms. Returns
    /// how long that took, or `None` when the server was still busy after three minutes.
    pub fn drain(&self) -> Option<Duration> {
        let started = Instant::now();
        let window = Duration::from_millis(250);
        let mut client = Client::with_timeout(self.addr, Duration::from_secs(60));
        let mut quiet = 0;
        let mut cpu = cpu_seconds(self.child.id()).ok()?;
        while started.elapsed() < Duration::from_secs(180) {
            std::thread::sleep(window);
            let now = cpu_seconds(self.child.id()).ok()?;
            let idle = now - cpu < 0.05 * window.as_secs_f64();
            cpu = now;
            quiet = if idle { quiet + 1 } else { 0 };
            if quiet >= 2 {
                let asked = Instant::now();
                let ready = client.get("/ready", &[]).is_ok_and(|r| r.status == 200);
                if ready && asked.elapsed() < Duration::from_millis(20) {
                    return Some(started.elapsed());
                }
                quiet = 0;
            }
        }
        None
    }

    fn wait_ready(&mut self) -> anyhow::Result<()> {
        let started = Instant::now();
        let mut client = Client::new(self.addr);
        loop {
            match client.get("/ready", &[]) {
                Ok(r) if r.status == 200 => return Ok(()),
                _ if started.elapsed() > Duration::from_secs(30) => bail!("folio is not /ready after 30 s"),
                _ => std::thread::sleep(Duration::from_millis(10)),
            }
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Fails when the server has died, with the end of its log.
    pub fn check_alive(&mut self) -> anyhow::Result<()> {
        if let Some(status) = self.child.try_wait()? {
            bail!("folio died ({status}):\n{}", self.log_tail());
        }
        Ok(())
    }

    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// Everything the server logged (at `warn` and above).
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `kB` field of `/proc/PID/status` (`VmRSS`, `VmHWM`), in bytes.
pub fn proc_status_bytes(pid: u32, field: &str) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).context("reading /proc/PID/status")?;
    let line = status
        .lines()
        .find_map(|l| l.strip_prefix(field).and_then(|rest| rest.strip_prefix(':')))
        .with_context(|| format!("/proc/{pid}/status has no {field}"))?;
    let kb: u64 = line.trim().trim_end_matches("kB").trim().parse().with_context(|| format!("parsing {field}"))?;
    Ok(kb * 1024)
}

/// Clock ticks per second of `/proc/PID/stat`'s times.
fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse::<f64>().ok())
        .filter(|&t| t > 0.0)
        .unwrap_or(100.0)
}

/// CPU seconds (user + system) the process has used so far.
pub fn cpu_seconds(pid: u32) -> anyhow::Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).context("reading /proc/PID/stat")?;
    // The command name may hold spaces; the fields after it are plain numbers.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).context("an odd /proc/PID/stat")?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After the name come state (field 3), …, utime (14) and stime (15).
    let ticks = |i: usize| -> anyhow::Result<f64> { Ok(fields.get(i).context("short /proc/PID/stat")?.parse()?) };
    Ok((ticks(11)? + ticks(12)?) / clock_ticks())
}

/// Samples the server's `VmRSS` every 50 ms until stopped; yields the largest seen.
pub struct RssSampler {
    stop: Arc<AtomicBool>,
    handle: JoinHandle<u64>,
}

impl RssSampler {
    pub fn start(pid: u32) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let handle = std::thread::spawn(move || {
            let mut peak = 0;
            while !flag.load(Ordering::Relaxed) {
                if let Ok(rss) = proc_status_bytes(pid, "VmRSS") {
                    peak = peak.max(rss);
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            peak
        });
        Self { stop, handle }
    }

    pub fn finish(self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        self.handle.join().unwrap_or(0)
    }
}
