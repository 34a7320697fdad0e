//! The media scenario: upload throughput, how long a variant takes to make, and the
//! server's memory while twenty 12-megapixel images are resized at once.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use image::codecs::jpeg::JpegEncoder;
use image::{ImageBuffer, Rgb};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::http::Client;
use crate::server::RssSampler;
use crate::stats::Latencies;

/// What the scenario does.
pub struct Plan {
    /// Photos uploaded to measure throughput (2 megapixels each, all different).
    pub uploads: usize,
    /// Uploading connections.
    pub writers: usize,
    /// 12-megapixel photos resized at once.
    pub large: usize,
}

pub struct Outcome {
    pub uploads_per_second: f64,
    pub mib_per_second: f64,
    pub upload_latencies: Latencies,
    /// Making one `card` variant of a 12-megapixel photo, one request at a time.
    pub variant_latencies: Latencies,
    /// The `large` `wide` variants asked for at once: each request's time.
    pub concurrent_latencies: Latencies,
    /// The server's RSS before the concurrent resizes, and its peak during them.
    pub rss_before: u64,
    pub rss_peak: u64,
}

/// A JPEG photo-like enough to compress as photos do: gradients under noise, each seed
/// different, so no two uploads share a file.
fn jpeg(width: u32, height: u32, seed: u64) -> anyhow::Result<Vec<u8>> {
    let mut rng = StdRng::seed_from_u64(seed);
    let tint: [u8; 3] = rng.gen();
    let picture = ImageBuffer::from_fn(width, height, |x, y| {
        let noise: u8 = rng.gen_range(0..24);
        let at = |channel: usize, along: u32, of: u32| {
            let gradient = u32::from(tint[channel]) / 2 + along * 120 / of;
            u8::try_from(gradient.min(231)).unwrap_or(231) + noise
        };
        Rgb([at(0, x, width), at(1, y, height), at(2, x + y, width + height)])
    });
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 85).encode_image(&picture)?;
    Ok(out)
}

fn micros(elapsed: Duration) -> u64 {
    u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX)
}

const BOUNDARY: &str = "folio-bench-boundary-7d1f";

/// A `multipart/form-data` body with the one `file` part.
fn form(file: &[u8], name: &str) -> Vec<u8> {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         Content-Type: image/jpeg\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// Uploads `file`; returns its URL.
fn upload(client: &mut Client, token: &str, file: &[u8], name: &str) -> anyhow::Result<String> {
    let auth = format!("Bearer {token}");
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    let headers = [("Authorization", auth.as_str()), ("Content-Type", content_type.as_str())];
    let response = client.request("POST", "/api/v1/media", &headers, Some(&form(file, name)))?;
    if response.status != 201 {
        bail!("upload of {name}: {} {}", response.status, String::from_utf8_lossy(&response.body));
    }
    Ok(response.json()?["url"].as_str().context("upload: no url")?.to_owned())
}

/// A variant of the file at `url`, which must be a 200.
fn variant(client: &mut Client, url: &str, preset: &str) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let response = client.get(&format!("{url}?preset={preset}"), &[])?;
    if response.status != 200 {
        bail!("{url}?preset={preset}: {}", response.status);
    }
    Ok(started.elapsed())
}

pub fn run(addr: SocketAddr, token: &str, pid: u32, plan: &Plan) -> anyhow::Result<Outcome> {
    let small: Vec<Vec<u8>> =
        (0..plan.uploads).map(|k| jpeg(1_632, 1_224, 10_000 + k as u64)).collect::<Result<_, _>>()?;
    let bytes: usize = small.iter().map(Vec::len).sum();
    let started = Instant::now();
    let per_writer = small.len().div_ceil(plan.writers.max(1));
    let upload_latencies = std::thread::scope(|scope| -> anyhow::Result<Vec<u64>> {
        let handles: Vec<_> = small
            .chunks(per_writer.max(1))
            .enumerate()
            .map(|(w, files)| {
                scope.spawn(move || -> anyhow::Result<Vec<u64>> {
                    let mut client = Client::with_timeout(addr, Duration::from_secs(60));
                    let mut latencies = Vec::new();
                    for (k, file) in files.iter().enumerate() {
                        let at = Instant::now();
                        upload(&mut client, token, file, &format!("photo-{w}-{k}.jpg"))?;
                        latencies.push(micros(at.elapsed()));
                    }
                    Ok(latencies)
                })
            })
            .collect();
        let mut all = Vec::new();
        for handle in handles {
            all.extend(handle.join().map_err(|_| anyhow::anyhow!("an upload thread panicked"))??);
        }
        Ok(all)
    })?;
    let elapsed = started.elapsed().as_secs_f64();

    let mut client = Client::with_timeout(addr, Duration::from_secs(120));
    let mut urls = Vec::new();
    for k in 0..plan.large {
        urls.push(upload(&mut client, token, &jpeg(4_000, 3_000, 20_000 + k as u64)?, &format!("large-{k}.jpg"))?);
    }
    let mut variant_latencies = Vec::new();
    for url in urls.iter().take(plan.large.min(8)) {
        variant_latencies.push(micros(variant(&mut client, url, "card")?));
    }

    let rss_before = crate::server::proc_status_bytes(pid, "VmRSS")?;
    let sampler = RssSampler::start(pid);
    let concurrent_latencies = std::thread::scope(|scope| -> anyhow::Result<Vec<u64>> {
        let handles: Vec<_> = urls
            .iter()
            .map(|url| {
                scope.spawn(move || {
                    let mut client = Client::with_timeout(addr, Duration::from_secs(300));
                    variant(&mut client, url, "wide")
                })
            })
            .collect();
        let mut all = Vec::new();
        for handle in handles {
            all.push(micros(handle.join().map_err(|_| anyhow::anyhow!("a resize thread panicked"))??));
        }
        Ok(all)
    })?;
    let rss_peak = sampler.finish().max(rss_before);
    Ok(Outcome {
        uploads_per_second: small.len() as f64 / elapsed,
        mib_per_second: bytes as f64 / elapsed / (1024.0 * 1024.0),
        upload_latencies: Latencies::new(upload_latencies),
        variant_latencies: Latencies::new(variant_latencies),
        concurrent_latencies: Latencies::new(concurrent_latencies),
        rss_before,
        rss_peak,
    })
}
