//! The benchmark's data: articles modelled on the seed article, written through
//! folio's own store layer so that rendered HTML, tables of contents, the search
//! index (kept by triggers) and revisions are exactly what the API would write.

use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context};
use chrono::{Duration as Span, NaiveDateTime};
use diesel::connection::SimpleConnection;
use rand::distributions::{Distribution, WeightedIndex};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;

use folio::auth::{password, Role};
use folio::config::Settings;
use folio::content::front_matter;
use folio::content::policy::Visibility;
use folio::content::status::ArticleStatus;
use folio::startup::open_database;
use folio::store::articles::{self, Article, ArticleContent, Writer};
use folio::store::sections::{self, SectionInput};
use folio::store::tags::{self, TagInput};
use folio::store::{self, users, write_tx, Conn, StoreResult};

const SEED_ARTICLE: &str = include_str!("../../tests/fixtures/seed-article.md");

/// Sections: three top-level ones, each with children (ten in all).
const SECTIONS: [(&str, &[&str]); 3] = [
    ("Blogs", &["Recovery", "Training", "Nutrition"]),
    ("News", &["Clinic News", "Research"]),
    ("Guides", &["Exercises", "Injury Care"]),
];
pub const TAG_COUNT: usize = 200;
/// Roughly how long each article body is, in bytes of Markdown.
pub const BODY_BYTES: usize = 10_000;
const PUBLISHED_PERCENT: u32 = 90;
const PAST_SECONDS: i64 = 2 * 365 * 24 * 3600;

/// Words too common to make a useful search.
const STOPWORDS: &[&str] = &[
    "about", "after", "again", "these", "their", "there", "which", "where", "while", "would", "could", "should",
    "other", "those", "being", "through", "because", "before", "between", "during", "within", "without", "under",
];

/// The seed article cut into the pieces every generated article is built from.
pub struct Corpus {
    /// Paragraphs before the first `##` heading.
    intro: Vec<String>,
    /// Each `##` heading with everything up to the next one.
    groups: Vec<String>,
    /// The text of every heading, for titles and phrase searches.
    headings: Vec<String>,
    /// Distinct words of the body, lower-cased, in order of first appearance.
    words: Vec<String>,
    seed_tags: Vec<String>,
}

impl Corpus {
    pub fn from_seed() -> anyhow::Result<Self> {
        let doc = front_matter::parse(SEED_ARTICLE).map_err(|e| anyhow!("the seed article's front matter: {e}"))?;
        let seed_tags = match doc.fields.get("tags") {
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
            _ => Vec::new(),
        };
        let mut intro = String::new();
        let mut groups: Vec<String> = Vec::new();
        let mut headings = Vec::new();
        for line in doc.body.lines() {
            if let Some(heading) = line.strip_prefix('#').map(|h| h.trim_start_matches('#').trim()) {
                headings.push(heading.to_owned());
            }
            if line.starts_with("## ") {
                groups.push(String::new());
            }
            let target = groups.last_mut().unwrap_or(&mut intro);
            target.push_str(line);
            target.push('\n');
        }
        let intro: Vec<String> =
            intro.split("\n\n").map(str::trim).filter(|p| !p.is_empty()).map(str::to_owned).collect();
        anyhow::ensure!(!intro.is_empty() && groups.len() >= 2, "the seed article has no intro or too few sections");
        let mut seen = BTreeSet::new();
        let words = doc
            .body
            .split(|c: char| !c.is_ascii_alphabetic())
            .map(str::to_ascii_lowercase)
            .filter(|w| w.len() >= 5 && !STOPWORDS.contains(&w.as_str()))
            .filter(|w| seen.insert(w.clone()))
            .collect();
        Ok(Self { intro, groups, headings, words, seed_tags })
    }

    /// Article `n`'s body: a numbered sentence, the intro's paragraphs rotated, then the
    /// seed's sections rotated until the body reaches about `target` bytes.
    pub fn body(&self, n: usize, topic: &str, target: usize) -> String {
        let mut body = String::with_capacity(target + 4096);
        body.push_str(&format!(
            "Benchmark note {n}: this piece looks at {topic} and how it fits the recovery work described below.\n\n"
        ));
        let len = self.intro.len();
        for k in 0..len {
            body.push_str(&self.intro[(n + k) % len]);
            body.push_str("\n\n");
        }
        let groups = self.groups.len();
        for k in 0..groups {
            if body.len() >= target {
                break;
            }
            body.push_str(&self.groups[(n + k) % groups]);
            body.push('\n');
        }
        body
    }

    pub fn title(&self, n: usize, topic: &str) -> String {
        let heading = &self.headings[n % self.headings.len()];
        format!("{heading}: {topic}, part {n}")
    }

    /// `count` distinct tag names: the seed's own tags, then words of its body.
    pub fn tag_names(&self, count: usize) -> Vec<String> {
        let mut keys = BTreeSet::new();
        let mut names = Vec::with_capacity(count);
        let candidates = self.seed_tags.iter().cloned().chain(self.words.iter().filter(|w| w.len() >= 6).map(|w| {
            let mut chars = w.chars();
            chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        }));
        for name in candidates.chain((1..).map(|n| format!("Topic {n}"))) {
            if names.len() == count {
                break;
            }
            if keys.insert(name.to_lowercase()) {
                names.push(name);
            }
        }
        names
    }

    /// About `count` different searches: single words, quoted phrases from the
    /// headings, two-word searches and prefixes, all from the seed article.
    pub fn queries(&self, count: usize) -> Vec<String> {
        let mut queries = Vec::new();
        let singles = count * 6 / 10;
        let step = (self.words.len() / singles.max(1)).max(1);
        queries.extend(self.words.iter().step_by(step).take(singles).cloned());
        for heading in &self.headings {
            // Adjacent words only, so each phrase really occurs.
            let words: Vec<&str> = heading.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
            for pair in words.windows(2).filter(|p| p[0].len() >= 4 && p[1].len() >= 4).step_by(2) {
                queries.push(format!("\"{} {}\"", pair[0].to_lowercase(), pair[1].to_lowercase()));
            }
        }
        let mut k = 0;
        while queries.len() < count * 9 / 10 && k + 7 < self.words.len() {
            queries.push(format!("{} {}", self.words[k], self.words[k + 7]));
            k += 11;
        }
        let mut k = 3;
        while queries.len() < count && k < self.words.len() {
            queries.push(format!("{}*", &self.words[k][..5]));
            k += 13;
        }
        let mut seen = BTreeSet::new();
        queries.retain(|q| seen.insert(q.clone()));
        queries.truncate(count);
        queries
    }
}

/// Who the write scenarios log in as.
#[derive(Clone)]
pub struct Credentials {
    pub email: String,
    pub password: String,
}

pub struct SectionInfo {
    pub slug: String,
    pub top_level: bool,
}

/// What was loaded, for building the scenarios.
pub struct Loaded {
    pub articles: usize,
    /// Published articles: id and slug.
    pub published: Vec<(i64, String)>,
    pub sections: Vec<SectionInfo>,
    pub tag_names: Vec<String>,
    pub tag_slugs: Vec<String>,
    /// Published articles carrying both tags (indices into the tag lists), most first.
    pub tag_pairs: Vec<(usize, usize, u32)>,
    pub editor: Credentials,
    pub load_time: Duration,
    /// Articles per transaction actually used.
    pub batch: usize,
    pub db_bytes: u64,
}

fn progress(message: std::fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stderr(), "{message}");
}

/// Creates a user straight in the store, with a real argon2id hash so they can log in.
fn user(conn: &mut Conn, email: &str, hash: &str, name: &str, role: Role) -> anyhow::Result<i64> {
    let user = users::create(
        conn,
        users::NewUser {
            email,
            password_hash: hash,
            display_name: name,
            role: role.as_str(),
            bio: Some("Writes for the folio benchmark."),
        },
    )?;
    Ok(user.id)
}

fn hash(password: &str) -> anyhow::Result<String> {
    password::hash(password).map_err(|e| anyhow!("hashing a password: {e}"))
}

/// One article's content and the facts the scenarios need about it.
struct Planned {
    author: i64,
    content: ArticleContent,
    tags: Vec<usize>,
}

#[derive(diesel::QueryableByName)]
struct Size {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    bytes: i64,
}

/// What the database takes on disk.
fn database_bytes(conn: &mut Conn) -> anyhow::Result<u64> {
    let sql = match conn {
        Conn::Sqlite(_) => "SELECT page_count * page_size AS bytes FROM pragma_page_count(), pragma_page_size()",
        Conn::Postgres(_) => "SELECT pg_database_size(current_database()) AS bytes",
    };
    let size: Size = diesel::RunQueryDsl::get_result(diesel::sql_query(sql), conn)?;
    Ok(u64::try_from(size.bytes).unwrap_or(0))
}

/// Inserts the batch in one transaction: each create is a savepoint of it.
fn insert(conn: &mut Conn, planned: &[Planned]) -> anyhow::Result<Vec<Article>> {
    let each = |conn: &mut Conn| -> StoreResult<Vec<Article>> {
        planned
            .iter()
            .map(|p| {
                let writer = Writer { id: p.author, may_create_tags: true };
                articles::create(conn, writer, p.content.clone().prepare()?)
            })
            .collect()
    };
    write_tx(conn, each).context("creating articles")
}

pub struct Options {
    pub articles: usize,
    pub batch: usize,
    pub admin: Credentials,
    pub seed: u64,
}

pub fn load(settings: &Settings, corpus: &Corpus, options: &Options) -> anyhow::Result<Loaded> {
    let started = Instant::now();
    let db = open_database(settings)?;
    let mut pooled = db.writer()?;
    let conn = &mut *pooled;
    let mut rng = StdRng::seed_from_u64(options.seed);

    progress(format_args!("loading: users (argon2id hashes)…"));
    let editor = Credentials { email: "editor@bench.folio.test".into(), password: "bench editor password 1".into() };
    user(conn, &options.admin.email, &hash(&options.admin.password)?, "Bench Admin", Role::Admin)?;
    let mut authors = vec![user(conn, &editor.email, &hash(&editor.password)?, "Bench Editor", Role::Editor)?];
    let locked = hash(&format!("{:x}", rng.gen::<u128>()))?;
    for n in 1..=4 {
        authors.push(user(
            conn,
            &format!("author{n}@bench.folio.test"),
            &locked,
            &format!("Author {n}"),
            Role::Author,
        )?);
    }

    progress(format_args!("loading: sections and {TAG_COUNT} tags…"));
    let mut section_list = Vec::new();
    for (position, (name, children)) in (0..).zip(SECTIONS) {
        let input = |name: &str, parent_id, position| SectionInput {
            slug: None,
            name: name.to_owned(),
            description: Some(format!("Everything about {name}.")),
            parent_id,
            position,
        };
        let parent = sections::create(conn, Visibility::All, input(name, None, position))?;
        let parent_id = parent.row.id;
        section_list.push(SectionInfo { slug: parent.row.slug, top_level: true });
        for (child_position, child) in (0..).zip(children.iter()) {
            let section = sections::create(conn, Visibility::All, input(child, Some(parent_id), child_position))?;
            section_list.push(SectionInfo { slug: section.row.slug, top_level: false });
        }
    }
    let tag_names = corpus.tag_names(TAG_COUNT);
    let mut tag_slugs = Vec::with_capacity(tag_names.len());
    for name in &tag_names {
        let tag = tags::create(conn, Visibility::All, TagInput { slug: None, name: name.clone(), description: None })?;
        tag_slugs.push(tag.row.slug);
    }

    // Popularity follows Zipf's law: tag k is on about 1/k as many articles as the first.
    let weights: Vec<f64> = (1..=tag_names.len()).map(|k| 1.0 / k as f64).collect();
    let tag_dist = WeightedIndex::new(&weights)?;
    let now = store::now();
    let mut pair_counts: HashMap<(usize, usize), u32> = HashMap::new();
    let mut published = Vec::new();
    let articles_started = Instant::now();
    let mut last_report = Instant::now();
    let mut done = 0;
    progress(format_args!("loading: {} articles of ~{} KB…", options.articles, BODY_BYTES / 1000));
    while done < options.articles {
        let end = (done + options.batch.max(1)).min(options.articles);
        let planned: Vec<Planned> = (done..end)
            .map(|n| {
                let count = rng.gen_range(3..=6);
                let mut chosen: Vec<usize> = Vec::with_capacity(count);
                while chosen.len() < count {
                    let tag = tag_dist.sample(&mut rng);
                    if !chosen.contains(&tag) {
                        chosen.push(tag);
                    }
                }
                let is_published = rng.gen_range(0..100) < PUBLISHED_PERCENT;
                let published_at: Option<NaiveDateTime> =
                    is_published.then(|| now - Span::seconds(rng.gen_range(3600..PAST_SECONDS)));
                let topic = &tag_names[chosen[0]];
                let content = ArticleContent {
                    title: corpus.title(n, topic),
                    slug: None,
                    excerpt: None,
                    body_markdown: corpus.body(n, topic, BODY_BYTES),
                    section: Some(section_list[rng.gen_range(0..section_list.len())].slug.clone()),
                    tags: chosen.iter().map(|&t| tag_names[t].clone()).collect(),
                    status: if is_published { ArticleStatus::Published } else { ArticleStatus::Draft },
                    published_at,
                    seo: Default::default(),
                    cover_image: None,
                    metadata: Default::default(),
                };
                Planned { author: authors[rng.gen_range(0..authors.len())], content, tags: chosen }
            })
            .collect();
        let created = insert(conn, &planned)?;
        for (plan, article) in planned.iter().zip(created) {
            if plan.content.status != ArticleStatus::Published {
                continue;
            }
            published.push((article.row.id, article.row.slug));
            for (i, &a) in plan.tags.iter().enumerate() {
                for &b in &plan.tags[i + 1..] {
                    *pair_counts.entry((a.min(b), a.max(b))).or_default() += 1;
                }
            }
        }
        done = end;
        if last_report.elapsed() >= Duration::from_secs(2) || done == options.articles {
            last_report = Instant::now();
            let rate = done as f64 / articles_started.elapsed().as_secs_f64();
            progress(format_args!("  articles: {done}/{} ({rate:.0}/s)", options.articles));
        }
    }
    if let Conn::Sqlite(sqlite) = conn {
        sqlite.batch_execute("PRAGMA wal_checkpoint(TRUNCATE);")?;
    } else {
        // Fresh planner statistics, as a day of autovacuum would leave them.
        conn.batch_execute("VACUUM ANALYZE")?;
    }
    let load_time = started.elapsed();
    let db_bytes = database_bytes(conn)?;
    // Closing every connection lets SQLite remove the WAL: the server starts on one file.
    drop(pooled);
    drop(db);

    let mut tag_pairs: Vec<(usize, usize, u32)> = pair_counts.into_iter().map(|((a, b), n)| (a, b, n)).collect();
    tag_pairs.sort_by(|x, y| y.2.cmp(&x.2).then(x.0.cmp(&y.0)).then(x.1.cmp(&y.1)));
    tag_pairs.truncate(100);
    Ok(Loaded {
        articles: options.articles,
        published,
        sections: section_list,
        tag_names,
        tag_slugs,
        tag_pairs,
        editor,
        load_time,
        batch: options.batch,
        db_bytes,
    })
}
