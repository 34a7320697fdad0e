//! `folio-bench`: the one-command benchmark (issue 4).
//!
//! ```sh
//! cargo run --release -p folio-bench -- [--articles N] [--duration SECS] [--connections C]
//! ```
//!
//! Loads N articles of synthetic text (a Zipf-distributed vocabulary) through folio's store layer into a
//! temporary SQLite database, starts the real `target/release/folio` on it (building
//! it first when missing or stale), measures its cold start, drives read scenarios
//! with wrk and write scenarios with its own keep-alive clients, samples the server's
//! memory, and prints the results against the targets, keeping them in BENCHMARKS.md.

mod dataset;
mod hooks;
mod http;
mod locales;
mod media;
mod postgres;
mod queries;
mod report;
mod scale;
mod server;
mod stats;
mod vocabulary;
mod writes;
mod wrk;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use dataset::{Corpus, Credentials, Loaded};
use http::Client;
use report::{Check, Report, Row, Target};
use server::{RssSampler, Server};

/// The one-command benchmark of folio: data set, real server, HTTP load, report.
#[derive(Debug, Parser)]
#[command(name = "folio-bench", version)]
struct Args {
    /// Articles to load (90% published); 100000 for the large run.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    articles: u64,
    /// Seconds measured per scenario.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    duration: u64,
    /// Concurrent connections (and write threads).
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    connections: u64,
    /// Seconds of warm-up before each measured run.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u64).range(0..=600))]
    warmup: u64,
    /// Articles per loading transaction, when the store lets creates nest in one.
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    batch: u64,
    /// wrk threads; default: the number of CPUs.
    #[arg(long)]
    threads: Option<usize>,
    /// Where to keep the results; default BENCHMARKS.md at the repository root.
    #[arg(long)]
    output: Option<PathBuf>,
    /// Print the results only; leave BENCHMARKS.md alone.
    #[arg(long)]
    no_save: bool,
    /// Keep the temporary directory (database, server log, wrk scripts) and print its path.
    #[arg(long)]
    keep: bool,
    /// Extra environment for the server, e.g. `--server-env MALLOC_ARENA_MAX=2` (repeatable).
    #[arg(long, value_name = "NAME=VALUE")]
    server_env: Vec<String>,
    /// Run only these scenarios (comma-separated): health, slug, section, tags, search, create, update, webhooks,
    /// media; or locales alone (the site's articles regrouped as translations in three locales).
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// The backend: a SQLite file, or a PostgreSQL cluster the bench starts in its temporary directory.
    #[arg(long, value_enum, default_value_t = Backend::Sqlite)]
    database: Backend,
    /// With postgres: also run the slug reads and the creates spread over this many folio
    /// processes on the one database.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=8))]
    instances: u64,
    /// Webhook endpoints for the fan-out scenario (receivers on loopback).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=100))]
    webhooks: u64,
    /// Publishes in each phase of the fan-out scenario, without and with the webhooks.
    #[arg(long, default_value_t = 1_000, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    publishes: u64,
    /// Rounds of the fan-out scenario; the median round's ratio is the figure (single
    /// rounds swing ±8 points on a shared 2-core machine).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=20))]
    rounds: u64,
    /// Photos (2 megapixels, JPEG) uploaded in the media scenario.
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    media_uploads: u64,
    /// 12-megapixel photos whose `wide` variants the media scenario asks for at once.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=200))]
    media_large: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Issue 18's share of `/health` for reads by slug: PostgreSQL answers over a socket.
    fn slug_target(self) -> Target {
        Target::ShareOfHealth(match self {
            Self::Sqlite => 0.5,
            Self::Postgres => 0.25,
        })
    }

    /// Issue 18's share of `/health` for the section and two-tag lists.
    fn list_target(self) -> Target {
        Target::ShareOfHealth(match self {
            Self::Sqlite => 0.3,
            Self::Postgres => 0.15,
        })
    }

    /// Issue 18's creates per second.
    fn create_target(self) -> Target {
        Target::Rate(match self {
            Self::Sqlite => 300.0,
            Self::Postgres => 200.0,
        })
    }
}

/// The server's RSS the media scenario holds while resizing: two decodes at once (a
/// decoded 12-megapixel photo is 36 MB as RGB, its resized copy a few more), on top of
/// the server's own.
const MEDIA_RSS_BOUND: u64 = 250 << 20;

/// Different searches in the search scenario.
const SEARCHES: usize = 300;

const SCENARIO_KEYS: [&str; 10] =
    ["health", "slug", "section", "tags", "search", "create", "update", "webhooks", "media", "locales"];

fn say(message: std::fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stderr(), "{message}");
}

/// A fresh directory under the system's temporary one, removed when dropped unless kept.
struct TempDir {
    path: PathBuf,
    keep: bool,
}

impl TempDir {
    fn new(keep: bool) -> anyhow::Result<Self> {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.subsec_nanos();
        let path = std::env::temp_dir().join(format!("folio-bench-{}-{nanos}", std::process::id()));
        std::fs::create_dir(&path).with_context(|| format!("creating {}", path.display()))?;
        Ok(Self { path, keep })
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if self.keep {
            say(format_args!("kept {}", self.path.display()));
        } else {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// A read scenario: a list of paths wrk walks through.
struct ReadScenario {
    key: &'static str,
    name: String,
    /// What the paths are, for the report.
    about: String,
    paths: Vec<String>,
    /// Lists: a page must have items for the scenario to mean anything.
    expect_items: bool,
    target: Target,
}

fn encode(text: &str) -> String {
    utf8_percent_encode(text, NON_ALPHANUMERIC).to_string()
}

/// The searches, and what they match (measured, when the search scenario runs).
struct Searches {
    queries: Vec<queries::Query>,
    reach: String,
}

/// The locales scenario's two lists, compared with each other.
fn locale_scenarios(groups: usize) -> Vec<ReadScenario> {
    let (plain, chained) = locales::paths();
    vec![
        ReadScenario {
            key: "locales",
            name: "GET /api/v1/articles?page=P".into(),
            about: "the plain list of every locale, pages 1–50 in turn".into(),
            paths: plain,
            expect_items: true,
            target: Target::None,
        },
        ReadScenario {
            key: "locales",
            name: "GET /api/v1/articles?locale=de&fallback=fr,en&page=P".into(),
            about: format!(
                "one item per translation group ({groups} groups: a third in en, fr and de, a third in en and fr, \
                 a third in en alone), pages 1–50 in turn"
            ),
            paths: chained,
            expect_items: true,
            target: Target::None,
        },
    ]
}

fn read_scenarios(loaded: &Loaded, searches: &Searches, backend: Backend, rng: &mut StdRng) -> Vec<ReadScenario> {
    let mut slugs: Vec<&String> = loaded.published.iter().map(|(_, slug)| slug).collect();
    slugs.shuffle(rng);
    let sections: Vec<String> =
        loaded.sections.iter().map(|s| format!("/api/v1/articles?section={}&per_page=20", s.slug)).collect();
    let top_level = loaded.sections.iter().filter(|s| s.top_level).count();
    let pairs: Vec<(String, i64, u32)> = loaded
        .tag_pairs
        .iter()
        .take(20)
        .map(|&(a, b, count)| {
            let pages = ((i64::from(count) + 19) / 20).max(1);
            let page = pages.min(50);
            let path = format!("/api/v1/articles?tag={}&tag={}&page={page}", loaded.tag_slugs[a], loaded.tag_slugs[b]);
            (path, page, count)
        })
        .collect();
    let (min_page, max_page) = pairs.iter().fold((i64::MAX, 0), |(lo, hi), (_, p, _)| (lo.min(*p), hi.max(*p)));
    let (min_count, max_count) = pairs.iter().fold((u32::MAX, 0), |(lo, hi), (_, _, c)| (lo.min(*c), hi.max(*c)));
    vec![
        ReadScenario {
            key: "health",
            name: "GET /health".into(),
            about: "the ceiling: no database".into(),
            paths: vec!["/health".into()],
            expect_items: false,
            target: Target::Ceiling,
        },
        ReadScenario {
            key: "slug",
            name: "GET /api/v1/articles/slug/{slug}".into(),
            about: format!("{} different published slugs in random order", slugs.len()),
            paths: slugs.iter().map(|s| format!("/api/v1/articles/slug/{s}")).collect(),
            expect_items: false,
            target: backend.slug_target(),
        },
        ReadScenario {
            key: "section",
            name: "GET /api/v1/articles?section=…&per_page=20".into(),
            about: format!(
                "all {} sections in turn ({top_level} top-level ones include their sub-sections)",
                sections.len()
            ),
            paths: sections,
            expect_items: true,
            target: backend.list_target(),
        },
        ReadScenario {
            key: "tags",
            name: "GET /api/v1/articles?tag=a&tag=b&page=P".into(),
            about: format!(
                "the {} most common tag pairs ({min_count}–{max_count} published articles each), \
                 page P = min(50, last page) = {min_page}–{max_page}",
                pairs.len()
            ),
            paths: pairs.into_iter().map(|(path, _, _)| path).collect(),
            expect_items: true,
            target: backend.list_target(),
        },
        ReadScenario {
            key: "search",
            name: "GET /api/v1/articles?q=…".into(),
            about: format!(
                "{} different searches in turn, drawn from a vocabulary with a Zipf distribution by the share \
                 of published articles they match (`meta.total`): {}; like every list above, a search's page \
                 is answered from the pages folio keeps after its first request, as nothing is written \
                 meanwhile (`--server-env FOLIO_LIST_CACHE_MB=0` keeps none)",
                searches.queries.len(),
                searches.reach
            ),
            paths: searches.queries.iter().map(|q| format!("/api/v1/articles?q={}", encode(&q.text))).collect(),
            expect_items: true,
            target: Target::Latency { p50_ms: 10.0, p99_ms: 50.0 },
        },
    ]
}

/// One connection, one request at a time, over a spread of the scenario's paths.
struct Probe {
    /// Paths that did not answer as expected, and how.
    problems: Vec<String>,
    /// Median latency with nothing else running.
    median_ms: Option<f64>,
    /// Server CPU (user + system) per request.
    cpu_ms: Option<f64>,
}

/// GETs the scenario's paths in turn, checking each answer and timing it:
/// the cost of one request with nothing else running.
fn probe(server: &Server, scenario: &ReadScenario) -> anyhow::Result<Probe> {
    let mut client = Client::new(server.addr);
    let mut problems = Vec::new();
    let mut latencies = Vec::new();
    let started = Instant::now();
    let cpu_before = server::cpu_seconds(server.pid())?;
    // At least 40 requests and one second (CPU time comes in 10 ms ticks), at most 15 s.
    // Every path once before any repeat, so that repeats do not just measure caches.
    for path in scenario.paths.iter().cycle() {
        let elapsed = started.elapsed();
        let enough = latencies.len() >= 40 && elapsed > Duration::from_secs(1);
        if enough || (latencies.len() >= 3 && elapsed > Duration::from_secs(15)) {
            break;
        }
        let asked = Instant::now();
        let answer = client.get(path, &[]);
        latencies.push(asked.elapsed().as_micros() as u64);
        match answer {
            Ok(r) if r.status != 200 => problems.push(format!("{path}: status {}", r.status)),
            Ok(r) if scenario.expect_items => {
                let items = r.json().ok().and_then(|v| v.get("data").and_then(|d| d.as_array().map(Vec::len)));
                if items.unwrap_or(0) == 0 {
                    problems.push(format!("{path}: no items"));
                }
            }
            Ok(_) => {}
            Err(e) => problems.push(format!("{path}: {}", http::describe(&e))),
        }
    }
    let cpu = server::cpu_seconds(server.pid())? - cpu_before;
    problems.sort();
    problems.dedup();
    let count = latencies.len();
    let latencies = stats::Latencies::new(latencies);
    Ok(Probe {
        problems,
        median_ms: (count > 0).then(|| latencies.percentile_ms(50.0)),
        cpu_ms: (count > 0).then(|| 1000.0 * cpu / count as f64),
    })
}

/// Error lines the server logged, by message.
fn server_errors(log: &str) -> BTreeMap<String, u64> {
    let mut errors = BTreeMap::new();
    for line in log.lines() {
        // Colours off, then the API's own "request failed error=…" lines (one per failed request).
        let plain: String = strip_ansi(line);
        if let Some((_, message)) = plain.split_once("request failed error=") {
            *errors.entry(message.trim().to_owned()).or_default() += 1;
        } else if plain.contains(" ERROR ") && !plain.contains("tracing_actix_web") {
            let message = plain.split_once(" ERROR ").map_or(plain.as_str(), |(_, m)| m).trim().to_owned();
            *errors.entry(message).or_default() += 1;
        }
    }
    errors
}

fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn machine() -> (String, String) {
    let nproc = std::process::Command::new("nproc")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .filter(|s| !s.is_empty())
        .or_else(|| std::thread::available_parallelism().ok().map(|n| n.to_string()))
        .unwrap_or_else(|| "?".into());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines().find_map(|l| {
                l.strip_prefix("model name").and_then(|r| r.split_once(':')).map(|(_, m)| m.trim().to_owned())
            })
        })
        .unwrap_or_else(|| "unknown CPU".into());
    (nproc, cpu)
}

fn command_line() -> String {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .map(|a| {
            if a.chars().all(|c| c.is_ascii_alphanumeric() || "-_=./:".contains(c)) {
                a
            } else {
                format!("'{}'", a.replace('\'', "'\\''"))
            }
        })
        .collect();
    let mut command = "cargo run --release -p folio-bench".to_owned();
    if !args.is_empty() {
        command.push_str(" -- ");
        command.push_str(&args.join(" "));
    }
    command
}

/// Waits for the server to finish work queued by a finished run; notes it when that took long.
fn drained(server: &Server, after: &str, notes: &mut Vec<String>) {
    match server.drain() {
        Some(took) if took > Duration::from_secs(1) => {
            say(format_args!("  the server stayed busy {:.1} s after {after} ended", took.as_secs_f64()));
            notes.push(format!(
                "- The server went on working {:.1} s after {after} ended (work queued before the load stopped).",
                took.as_secs_f64()
            ));
        }
        Some(_) => {}
        None => {
            say(format_args!("  the server was still busy 120 s after {after} ended"));
            notes.push(format!("- The server was still busy 120 s after {after} ended."));
        }
    }
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}

fn run(args: Args) -> anyhow::Result<bool> {
    let articles = usize::try_from(args.articles)?;
    let connections = usize::try_from(args.connections)?;
    let duration = Duration::from_secs(args.duration);
    let warmup = Duration::from_secs(args.warmup);
    let (nproc, cpu) = machine();
    let threads = args.threads.unwrap_or_else(|| nproc.parse().unwrap_or(2)).max(1);

    if let Some(unknown) = args.only.iter().find(|k| !SCENARIO_KEYS.contains(&k.as_str())) {
        anyhow::bail!("--only: unknown scenario '{unknown}'; expected some of {}", SCENARIO_KEYS.join(", "));
    }
    let folio = server::folio_binary()?;
    let wrk_version = wrk::ensure_installed()?;
    anyhow::ensure!(
        args.instances == 1 || args.database == Backend::Postgres,
        "--instances: several folio processes share a database on PostgreSQL only (add --database postgres)"
    );
    let dir = TempDir::new(args.keep)?;
    let cluster = match args.database {
        Backend::Postgres => Some(postgres::Cluster::start(&dir.path)?),
        Backend::Sqlite => None,
    };
    let (database_url, backend) = match &cluster {
        Some(cluster) => (cluster.url.clone(), cluster.version()),
        None => (format!("sqlite://{}", dir.path.join("folio.db").display()), "SQLite".to_owned()),
    };
    let mut rng = StdRng::seed_from_u64(4);
    let jwt_secret: String = (0..48).map(|_| char::from(b'a' + rng.gen_range(0..26u8))).collect();
    let admin = Credentials { email: "admin@bench.folio.test".into(), password: "bench admin password 1".into() };

    // Load the data set first, through the library: far faster than over HTTP.
    let corpus = Corpus::new(20_261_206)?;
    let settings = folio::config::Settings::from_lookup(|name| {
        Ok(match name {
            "DATABASE_URL" => Some(database_url.clone()),
            "FOLIO_JWT_SECRET" => Some(jwt_secret.clone()),
            _ => None,
        })
    })?;
    let options =
        dataset::Options { articles, batch: usize::try_from(args.batch)?, admin: admin.clone(), seed: 20_240_523 };
    let loaded = dataset::load(&settings, &corpus, &options)?;
    let load_secs = loaded.load_time.as_secs_f64();
    say(format_args!(
        "loaded {} articles ({} published) in {load_secs:.1} s ({:.0}/s), database {}",
        loaded.articles,
        loaded.published.len(),
        loaded.articles as f64 / load_secs,
        mb(loaded.db_bytes)
    ));

    // The locales scenario regroups the articles as translations: the others read them as one locale.
    let groups = match args.only.iter().any(|k| k == "locales") {
        true => {
            anyhow::ensure!(
                args.only.len() == 1,
                "--only locales runs alone: it regroups the articles in three locales"
            );
            let db = folio::startup::open_database(&settings)?;
            Some(locales::regroup(&mut *db.writer()?, &loaded.published)?)
        }
        false => None,
    };
    let mut env = vec![
        ("DATABASE_URL".to_owned(), database_url.clone()),
        ("FOLIO_JWT_SECRET".to_owned(), jwt_secret.clone()),
        ("FOLIO_ADMIN_EMAIL".to_owned(), admin.email.clone()),
        ("FOLIO_ADMIN_PASSWORD".to_owned(), admin.password.clone()),
        // 12-megapixel JPEGs of the media scenario run to several megabytes.
        ("FOLIO_MAX_UPLOAD_BYTES".to_owned(), (64 << 20).to_string()),
    ];
    if groups.is_some() {
        env.push(("FOLIO_LOCALES".to_owned(), locales::LOCALES.to_owned()));
    }
    for pair in &args.server_env {
        let (name, value) = pair.split_once('=').context("--server-env: expected NAME=VALUE")?;
        env.push((name.to_owned(), value.to_owned()));
    }
    say(format_args!("starting {}", folio.display()));
    let (mut server, cold_start) = Server::start(&folio, &env, &dir.path, dir.path.join("folio.log"))?;
    let idle_rss = server::proc_status_bytes(server.pid(), "VmRSS").unwrap_or(0);
    say(format_args!(
        "folio is up on {} (pid {}): first 200 on /health {:.1} ms after spawn, idle RSS {}",
        server.addr,
        server.pid(),
        cold_start.as_secs_f64() * 1000.0,
        mb(idle_rss)
    ));
    let sampler = RssSampler::start(server.pid());

    let load = wrk::Load { addr: server.addr, connections, threads };
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    let mut details = Vec::new();
    let mut slug_script = None;
    let wanted = |key: &str| args.only.is_empty() || args.only.iter().any(|k| k == key);
    let queries = queries::choose(&loaded.tally, corpus.vocabulary(), SEARCHES, 18);
    let reach = match wanted("search") {
        true => queries::measure(server.addr, &queries, loaded.published.len(), encode)?,
        false => String::new(),
    };
    let mut scenarios = read_scenarios(&loaded, &Searches { queries, reach }, args.database, &mut rng);
    scenarios.extend(groups.map(locale_scenarios).unwrap_or_default());
    for scenario in scenarios {
        if !wanted(scenario.key) {
            continue;
        }
        say(format_args!("scenario {}: {}", scenario.name, scenario.about));
        let probe = probe(&server, &scenario)?;
        say(format_args!(
            "  one at a time: median {:.2} ms, server CPU {:.3} ms/request",
            probe.median_ms.unwrap_or(0.0),
            probe.cpu_ms.unwrap_or(0.0)
        ));
        if !probe.problems.is_empty() {
            say(format_args!("  pre-check: {} unexpected answers, e.g. {}", probe.problems.len(), probe.problems[0]));
            notes.push(format!(
                "- Pre-check of {}: {} unexpected answers, e.g. `{}`.",
                scenario.name,
                probe.problems.len(),
                probe.problems[0]
            ));
        }
        let slug = scenario.name.chars().filter(char::is_ascii_alphanumeric).collect::<String>();
        let script = wrk::Script::write(&dir.path, &slug, &scenario.paths)?;
        if !warmup.is_zero() {
            load.run(&script, warmup)?;
            drained(&server, &format!("the warm-up of {}", scenario.name), &mut notes);
        }
        let cpu_before = server::cpu_seconds(server.pid())?;
        let result = load.run(&script, duration)?;
        drained(&server, &scenario.name, &mut notes);
        let cpu = server::cpu_seconds(server.pid())? - cpu_before;
        server.check_alive()?;
        let peak_rss = server::proc_status_bytes(server.pid(), "VmHWM")?;
        let completed = result.requests > 0.0;
        say(format_args!(
            "  {:.0} req/s ({} responses), p50 {:.2} ms, p99 {:.2} ms, errors {} ({}), server CPU {:.3} ms/response, \
             peak RSS {}",
            result.rps(),
            result.requests,
            result.p50_us / 1000.0,
            result.p99_us / 1000.0,
            result.errors(),
            result.error_detail(),
            1000.0 * cpu / result.requests.max(1.0),
            mb(peak_rss)
        ));
        if result.errors() > 0 {
            notes.push(format!("- Errors in {}: {}.", scenario.name, result.error_detail()));
        }
        if !completed {
            notes.push(format!("- {}: no response completed within the {} s run.", scenario.name, args.duration));
        }
        details.push(format!("- {}: {}.", scenario.name, scenario.about));
        if scenario.key == "slug" {
            slug_script = Some(script);
        }
        rows.push(Row {
            name: scenario.name,
            read: true,
            rps: result.rps(),
            p50_ms: completed.then_some(result.p50_us / 1000.0),
            p99_ms: completed.then_some(result.p99_us / 1000.0),
            errors: result.errors(),
            single_ms: probe.median_ms,
            single_cpu_ms: probe.cpu_ms,
            cpu_ms: completed.then(|| 1000.0 * cpu / result.requests),
            peak_rss,
            target: scenario.target,
        });
    }

    if let [plain, chained] =
        rows.iter().filter(|row| row.name.starts_with("GET /api/v1/articles?")).collect::<Vec<_>>()[..]
    {
        if groups.is_some() {
            notes.push(format!(
                "- The three-locale fallback list served {:.0} % of the plain list's requests per second \
                 ({:.3} against {:.3} ms of server CPU a request).",
                100.0 * chained.rps / plain.rps.max(f64::MIN_POSITIVE),
                chained.cpu_ms.unwrap_or(0.0),
                plain.cpu_ms.unwrap_or(0.0)
            ));
            notes.push(
                "- The cold start here includes making every stored representation again: the scenario regroups \
                 the articles as translations before the server starts."
                    .to_owned(),
            );
        }
    }

    // Writes: a token for the editor, then creates and conditional updates.
    let token = writes::login(server.addr, &loaded.editor.email, &loaded.editor.password)?;
    let section_slugs: Vec<String> = loaded.sections.iter().map(|s| s.slug.clone()).collect();
    let bodies: Vec<String> = (0..16).map(|k| corpus.body(1_000_000 + k, dataset::BODY_BYTES)).collect();
    let mut ids: Vec<i64> = loaded.published.iter().map(|(id, _)| *id).collect();
    ids.shuffle(&mut rng);
    let write_scenarios = [
        (
            "create",
            "POST /api/v1/articles",
            "an editor publishes a new ~10 KB article per request, each with a distinct title, a section and 3 tags",
            writes::Plan::Create {
                bodies: bodies.clone(),
                sections: section_slugs.clone(),
                tags: loaded.tag_names.clone(),
            },
            args.database.create_target(),
        ),
        (
            "update",
            "PATCH /api/v1/articles/{id} (If-Match)",
            "an editor changes a published article's title: each update first GETs the article for its ETag, \
             then PATCHes with If-Match; latencies are the PATCH's, server CPU is per GET + PATCH; each thread \
             owns its own articles",
            writes::Plan::Update { ids },
            Target::None,
        ),
    ];
    for (key, name, about, plan, target) in write_scenarios {
        if !wanted(key) {
            continue;
        }
        say(format_args!("scenario {name}: {about}"));
        let cpu_before = server::cpu_seconds(server.pid())?;
        let outcome = writes::run(&[server.addr], &token, plan, connections, warmup, duration)?;
        drained(&server, name, &mut notes);
        let cpu = server::cpu_seconds(server.pid())? - cpu_before;
        server.check_alive()?;
        let peak_rss = server::proc_status_bytes(server.pid(), "VmHWM")?;
        let cpu_ms = 1000.0 * cpu / outcome.total.max(1) as f64;
        let (p50, p99) = (outcome.latencies.percentile_ms(50.0), outcome.latencies.percentile_ms(99.0));
        say(format_args!(
            "  {:.0}/s, p50 {p50:.2} ms, p99 {p99:.2} ms, errors {} {:?}; server CPU {cpu_ms:.3} ms/op, peak RSS {}",
            outcome.rate(),
            outcome.errors,
            outcome.error_kinds,
            mb(peak_rss)
        ));
        if !outcome.error_kinds.is_empty() {
            notes.push(format!("- Errors in {name}: {:?}.", outcome.error_kinds));
        }
        details.push(format!("- {name}: {about}."));
        rows.push(Row {
            name: name.into(),
            read: false,
            rps: outcome.rate(),
            p50_ms: (outcome.ok > 0).then_some(p50),
            p99_ms: (outcome.ok > 0).then_some(p99),
            errors: outcome.errors,
            single_ms: None,
            single_cpu_ms: None,
            cpu_ms: Some(cpu_ms),
            peak_rss,
            target,
        });
    }

    let mut other_checks = Vec::new();
    if wanted("webhooks") {
        let (endpoints, publishes) = (usize::try_from(args.webhooks)?, usize::try_from(args.publishes)?);
        let rounds = usize::try_from(args.rounds)?;
        say(format_args!(
            "scenario webhooks: {rounds} rounds of {publishes} publishes without and with {endpoints} webhooks"
        ));
        let admin_token = writes::login(server.addr, &admin.email, &admin.password)?;
        let plan = hooks::FanOut { endpoints, publishes, writers: connections.min(16), rounds };
        let outcome = hooks::run(server.addr, &admin_token, &token, &plan)?;
        drained(&server, "the webhook fan-out", &mut notes);
        let share = outcome.median_share();
        let each = outcome
            .rounds
            .iter()
            .map(|r| format!("{:.0}/s vs {:.0}/s ({:.0} %)", r.with, r.without, r.share() * 100.0))
            .collect::<Vec<_>>()
            .join(", ");
        let (p50, p99) = (outcome.latencies.percentile_ms(50.0), outcome.latencies.percentile_ms(99.0));
        let arrivals = format!(
            "p50 {p50:.1} ms, p99 {p99:.1} ms; {}/{} delivered, the last {:.1} s after the last publish",
            outcome.delivered,
            outcome.expected,
            outcome.drained.as_secs_f64()
        );
        say(format_args!("  creates with/without, each round: {each}; median {:.0} %", share * 100.0));
        say(format_args!("  delivery {arrivals}"));
        details.push(format!(
            "- Webhook fan-out: {rounds} rounds, each {publishes} publishes (short bodies, {} writers) with no \
             webhook and {publishes} with {endpoints} receivers on loopback each subscribed to article.published \
             (webhooks made before and deleted after), in turns: without first, then with first. Delivery latency \
             runs from the 201 that acknowledged an article to the event's arrival at each receiver.",
            plan.writers
        ));
        other_checks.push(Check {
            name: format!("creates/s with {endpoints} webhooks, against none (median round)"),
            measured: format!("{:.0} % ({each})", share * 100.0),
            target: "≥ 90 %".into(),
            pass: share >= 0.9,
        });
        other_checks.push(Check {
            name: format!("webhook delivery, 201 → each of {endpoints} receivers"),
            measured: arrivals,
            target: "every event, once".into(),
            pass: outcome.delivered == outcome.expected,
        });
    }

    if args.instances > 1 {
        let n = args.instances;
        let mut others = Vec::new();
        for k in 1..n {
            let (other, _) = Server::start(&folio, &env, &dir.path, dir.path.join(format!("folio-{k}.log")))?;
            others.push(other);
        }
        say(format_args!("{n} instances on the one database: {}", others.len() + 1));
        let servers: Vec<&Server> = std::iter::once(&server).chain(others.iter()).collect();
        let spread = scale::Spread { servers: &servers, connections, threads, warmup, duration };
        if let Some(script) = &slug_script {
            let row = spread.reads(format!("GET /api/v1/articles/slug/{{slug}}, {n} instances"), script)?;
            say(format_args!("  {n} instances, slug reads: {:.0} req/s", row.rps));
            rows.push(row);
        }
        if wanted("create") {
            let plan = writes::Plan::Create { bodies, sections: section_slugs, tags: loaded.tag_names.clone() };
            let row = spread.writes(format!("POST /api/v1/articles, {n} instances"), &token, plan)?;
            say(format_args!("  {n} instances, creates: {:.0}/s", row.rps));
            rows.push(row);
        }
        details.push(format!(
            "- …, {n} instances: the same load spread over {n} folio processes on the one database (wrk's \
             connections and threads, or the writers, shared out in turn); req/s summed, reads' latencies are \
             the slowest instance's, CPU is all instances' together, peak RSS the largest."
        ));
        for other in &others {
            let logged: u64 = server_errors(&other.log()).values().sum();
            if logged > 0 {
                notes.push(format!("- Another instance logged {logged} errors."));
            }
        }
    }

    let sampled_peak = sampler.finish();
    let hwm = server::proc_status_bytes(server.pid(), "VmHWM").unwrap_or(0);
    // Last, after the server's peak RSS is taken: resizing photos is held to a bound of its own.
    if wanted("media") {
        let plan = media::Plan {
            uploads: usize::try_from(args.media_uploads)?,
            writers: connections.min(8),
            large: usize::try_from(args.media_large)?,
        };
        say(format_args!(
            "scenario media: {} uploads of 2-MP JPEGs by {} writers, then {} 12-MP photos resized at once",
            plan.uploads, plan.writers, plan.large
        ));
        let admin_token = writes::login(server.addr, &admin.email, &admin.password)?;
        let outcome = media::run(server.addr, &admin_token, server.pid(), &plan)?;
        drained(&server, "the media scenario", &mut notes);
        server.check_alive()?;
        let uploads = format!(
            "{:.0}/s, {:.1} MiB/s; p50 {:.0} ms, p99 {:.0} ms",
            outcome.uploads_per_second,
            outcome.mib_per_second,
            outcome.upload_latencies.percentile_ms(50.0),
            outcome.upload_latencies.percentile_ms(99.0)
        );
        let variants = format!(
            "p50 {:.0} ms, max {:.0} ms",
            outcome.variant_latencies.percentile_ms(50.0),
            outcome.variant_latencies.percentile_ms(100.0)
        );
        let at_once = format!(
            "peak RSS {} (before {}); each request p50 {:.1} s, max {:.1} s",
            mb(outcome.rss_peak),
            mb(outcome.rss_before),
            outcome.concurrent_latencies.percentile_ms(50.0) / 1000.0,
            outcome.concurrent_latencies.percentile_ms(100.0) / 1000.0
        );
        say(format_args!(
            "  uploads {uploads}; a card variant of a 12-MP photo {variants}; {} at once: {at_once}",
            plan.large
        ));
        details.push(format!(
            "- Media: {} distinct 2-megapixel JPEGs (~0.5 MB) uploaded by {} connections (`POST /api/v1/media`, \
             multipart); then {} distinct 12-megapixel JPEGs uploaded, a `card` variant (800 px) made of 8 of them \
             one request at a time, and the `wide` variant (1600 px) of all of them asked for at once, the \
             server's RSS sampled every 50 ms meanwhile (its bound: two decodes at once, each 36 MB as RGB plus \
             the 5.8 MB variant, over the server's own; the media scenario runs last, after the server's peak RSS \
             above is taken).",
            plan.uploads, plan.writers, plan.large
        ));
        other_checks.push(Check {
            name: "media uploads, 2-MP JPEGs".into(),
            measured: uploads,
            target: "every upload 201".into(),
            pass: true,
        });
        other_checks.push(Check {
            name: "a variant of a 12-MP photo, made on first request".into(),
            measured: variants,
            target: "made once, kept".into(),
            pass: true,
        });
        other_checks.push(Check {
            name: format!("{} 12-MP photos resized at once", plan.large),
            measured: at_once,
            target: format!("RSS ≤ {}", mb(MEDIA_RSS_BOUND)),
            pass: outcome.rss_peak <= MEDIA_RSS_BOUND,
        });
    }

    let logged = server_errors(&server.log());
    drop(server);
    let logged_errors: u64 = logged.values().sum();
    if !logged.is_empty() {
        notes.push(format!("- The server logged {logged_errors} errors: {logged:?}."));
    }
    let peak = hwm.max(sampled_peak);
    let errors: u64 = rows.iter().map(|r| r.errors).sum();
    let date = chrono::Utc::now().format("%Y-%m-%d %H:%M UTC");
    let cold_ms = cold_start.as_secs_f64() * 1000.0;
    // A run of some scenarios only is kept apart from the full run of that size.
    let only = match args.only.is_empty() {
        true => String::new(),
        false => format!(", {} only", args.only.join(", ")),
    };
    let report = Report {
        title: match args.database {
            Backend::Sqlite => format!("{} articles{only}", report::thousands(articles as f64)),
            Backend::Postgres => format!("{} articles on {backend}{only}", report::thousands(articles as f64)),
        },
        preamble: vec![
            format!("Run {date} with `{}`.", command_line()),
            format!(
                "Machine: {nproc} CPUs (`nproc`), {cpu}. Load generator on the same machine: {wrk_version} \
                 ({threads} threads) for reads, the bench's own keep-alive clients for writes; {connections} \
                 connections, {} s warm-up then {} s measured per scenario.",
                args.warmup, args.duration
            ),
            format!(
                "Data: {} articles ({} published, the rest drafts), ~{} KB of Markdown each, in {} sections, \
                 {} tags (3–6 per article); loaded through folio's store in {load_secs:.1} s ({:.0} articles/s, \
                 {} per transaction); {backend} database {}.",
                report::thousands(loaded.articles as f64),
                report::thousands(loaded.published.len() as f64),
                dataset::BODY_BYTES / 1000,
                loaded.sections.len(),
                loaded.tag_names.len(),
                loaded.articles as f64 / load_secs,
                if loaded.batch > 1 { format!("{} articles", loaded.batch) } else { "one article".into() },
                mb(loaded.db_bytes)
            ),
        ],
        rows,
        checks: [
            vec![
                Check {
                    name: "errors the clients saw, all scenarios".into(),
                    measured: errors.to_string(),
                    target: "0".into(),
                    pass: errors == 0,
                },
                Check {
                    name: "errors the server logged".into(),
                    measured: logged_errors.to_string(),
                    target: "0".into(),
                    pass: logged_errors == 0,
                },
                Check {
                    name: "peak RSS of the server".into(),
                    measured: format!("{} (VmHWM; {} idle)", mb(peak), mb(idle_rss)),
                    target: "≤ 100 MB".into(),
                    pass: peak <= 100_000_000,
                },
                Check {
                    name: "cold start (spawn to first 200 on /health)".into(),
                    measured: format!("{cold_ms:.1} ms"),
                    target: "≤ 100 ms".into(),
                    pass: cold_ms <= 100.0,
                },
            ],
            other_checks,
        ]
        .into_iter()
        .flatten()
        .collect(),
        notes: {
            let mut all = vec!["Scenarios:".to_owned()];
            all.extend(details);
            if !notes.is_empty() {
                all.push("\nNotes:".into());
                all.extend(notes);
            }
            vec![all.join("\n")]
        },
    };

    let mut stdout = std::io::stdout();
    writeln!(stdout, "\n{}", report.markdown())?;
    for line in report.verdicts() {
        writeln!(stdout, "{line}")?;
    }
    if !args.no_save {
        let path = args.output.clone().unwrap_or_else(|| server::repository_root().join("BENCHMARKS.md"));
        let mut key = match args.database {
            Backend::Sqlite => format!("articles={articles}"),
            Backend::Postgres => format!("articles={articles} database=postgres instances={}", args.instances),
        };
        if !args.only.is_empty() {
            key.push_str(&format!(" only={}", args.only.join(",")));
        }
        report::save(&path, &key, &report)?;
        say(format_args!("wrote {}", path.display()));
    }
    Ok(report.all_pass())
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(args) {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            say(format_args!("folio-bench: {e:#}"));
            ExitCode::FAILURE
        }
    }
}
