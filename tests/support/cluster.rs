//! A PostgreSQL cluster of a test's own (`.ci/postgres`), in a temporary directory on a
//! free port, which the test may stop and start again; stopped when dropped.
#![allow(
    dead_code,
    clippy::expect_used,
    reason = "each test crate that includes this uses only part of it; a cluster that cannot start fails loudly"
)]

use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Command;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/.ci/postgres");

pub struct Cluster {
    /// `postgres://postgres@127.0.0.1:PORT/postgres`
    pub url: String,
    data: PathBuf,
    port: u16,
    running: bool,
    _dir: tempfile::TempDir,
}

impl Cluster {
    /// True when PostgreSQL's server programs are installed (Debian's layout, as `.ci/postgres` expects).
    pub fn installed() -> bool {
        std::fs::read_dir("/usr/lib/postgresql")
            .is_ok_and(|mut versions| versions.any(|v| v.is_ok_and(|v| v.path().join("bin/pg_ctl").exists())))
    }

    /// Makes and starts a new cluster.
    pub fn start() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        // The server runs as `postgres` when the tests run as root: it must reach its data.
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let port = TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("port").port();
        let mut cluster = Self { url: String::new(), data: dir.path().join("data"), port, running: false, _dir: dir };
        cluster.url = cluster.run("start");
        cluster.running = true;
        cluster
    }

    /// Stops the server (`pg_ctl stop -m fast`: sessions are ended, as in a restart).
    pub fn stop(&mut self) {
        self.run("stop");
        self.running = false;
    }

    /// Starts the stopped server again, on the same port and data.
    pub fn restart(&mut self) {
        self.run("start");
        self.running = true;
    }

    /// Stops every process of the server where it stands (SIGSTOP), as a hung host
    /// or a silent network would: connections stay open and nothing answers.
    pub fn freeze(&self) {
        self.signal("-STOP");
    }

    /// Lets a frozen server go on (SIGCONT).
    pub fn thaw(&self) {
        self.signal("-CONT");
    }

    fn signal(&self, signal: &str) {
        let pid_file = std::fs::read_to_string(self.data.join("postmaster.pid")).expect("postmaster.pid");
        let postmaster = pid_file.lines().next().expect("the postmaster's pid").trim().to_owned();
        // Its children (backends, writer, checkpointer…) first, then the postmaster.
        let _ = Command::new("pkill").args([signal, "-P", &postmaster]).status();
        let status = Command::new("kill").args([signal, &postmaster]).status().expect("kill");
        assert!(status.success(), "kill {signal} {postmaster}");
    }

    fn run(&self, command: &str) -> String {
        let output = Command::new(SCRIPT)
            .args([command, &self.data.display().to_string(), &self.port.to_string()])
            .output()
            .expect("run .ci/postgres");
        assert!(output.status.success(), ".ci/postgres {command}: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if self.running {
            let _ = Command::new(SCRIPT).args(["stop", &self.data.display().to_string()]).output();
        }
    }
}
