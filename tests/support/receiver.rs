//! A real HTTP/1.1 endpoint on port 0 for webhook tests: it records every request,
//! answers as told, and checks Standard Webhooks signatures computed from the
//! specification alone.
#![expect(clippy::unwrap_used, reason = "tests fail loudly")]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// One request the receiver got, and what it answered.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: HashMap<String, String>,
    pub body: String,
    pub answered: u16,
    /// When the request had arrived in full.
    pub at: Instant,
}

impl Received {
    pub fn id(&self) -> &str {
        &self.headers["webhook-id"]
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }
}

/// How the receiver answers.
#[derive(Debug, Clone, Copy)]
pub enum Mode {
    /// 500 to the first `n` attempts of each webhook-id, then 200.
    RefuseFirst(usize),
    /// Record the request and never answer.
    Hang,
    /// Record the request, and answer 200 after this long.
    Slow(Duration),
}

/// A real HTTP/1.1 endpoint on port 0 that records every request.
pub struct Receiver {
    pub address: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
    mode: Arc<Mutex<Mode>>,
}

impl Receiver {
    pub async fn start(mode: Mode) -> Self {
        Self::start_at("127.0.0.1:0".parse().unwrap(), mode).await
    }

    pub async fn start_at(address: SocketAddr, mode: Mode) -> Self {
        let listener = TcpListener::bind(address).await.unwrap();
        let address = listener.local_addr().unwrap();
        let received = Arc::new(Mutex::new(Vec::new()));
        let mode = Arc::new(Mutex::new(mode));
        let (log, how) = (received.clone(), mode.clone());
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else { return };
                let (log, how) = (log.clone(), how.clone());
                tokio::spawn(async move { serve(stream, log, how).await });
            }
        });
        Self { address, received, mode }
    }

    pub fn url(&self) -> String {
        format!("http://{}/hook", self.address)
    }

    pub fn set_mode(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }

    pub fn all(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Waits until `done` holds for what was received, or fails after `seconds`.
    pub async fn wait_for(&self, seconds: u64, what: &str, done: impl Fn(&[Received]) -> bool) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(seconds);
        loop {
            let all = self.all();
            if done(&all) {
                return all;
            }
            assert!(Instant::now() < deadline, "waited {seconds} s for {what}; received {all:#?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

async fn serve(mut stream: tokio::net::TcpStream, log: Arc<Mutex<Vec<Received>>>, mode: Arc<Mutex<Mode>>) {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let Ok(n) = stream.read(&mut chunk).await else { return };
        if n == 0 {
            return;
        }
        buffer.extend_from_slice(&chunk[..n]);
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).to_string();
    let headers: HashMap<String, String> = head
        .lines()
        .skip(1)
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers.get("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
    while buffer.len() < head_end + length {
        let Ok(n) = stream.read(&mut chunk).await else { return };
        if n == 0 {
            return;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    let body = String::from_utf8_lossy(&buffer[head_end..head_end + length]).to_string();
    let current = *mode.lock().unwrap();
    let answered = match current {
        Mode::Hang => {
            log.lock().unwrap().push(Received { headers, body, answered: 0, at: Instant::now() });
            tokio::time::sleep(Duration::from_secs(3600)).await;
            return;
        }
        Mode::Slow(delay) => {
            log.lock().unwrap().push(Received { headers, body, answered: 200, at: Instant::now() });
            tokio::time::sleep(delay).await;
            200
        }
        Mode::RefuseFirst(n) => {
            let mut log = log.lock().unwrap();
            let id = headers.get("webhook-id").cloned().unwrap_or_default();
            let earlier = log.iter().filter(|r| r.headers.get("webhook-id") == Some(&id)).count();
            let answered = if earlier < n { 500 } else { 200 };
            log.push(Received { headers, body, answered, at: Instant::now() });
            answered
        }
    };
    let reply = format!("HTTP/1.1 {answered} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
    let _ = stream.write_all(reply.as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// The Standard Webhooks signature, computed here from the specification alone.
pub fn expected_signature(secret: &str, received: &Received) -> String {
    let key = STANDARD.decode(secret.strip_prefix("whsec_").unwrap()).unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    let timestamp = &received.headers["webhook-timestamp"];
    mac.update(format!("{}.{timestamp}.{}", received.id(), received.body).as_bytes());
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}
