//! The benchmark's data: articles in a synthetic language with a natural distribution
//! of words ([`Vocabulary`]), written through folio's own store layer so that rendered
//! HTML, tables of contents, the search index (kept by triggers) and revisions are
//! exactly what the API would write.

use std::collections::HashMap;
use std::io::Write;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context};
use chrono::{Duration as Span, NaiveDateTime};
use diesel::connection::SimpleConnection;
use rand::distributions::{Distribution, WeightedIndex};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use folio::auth::{password, Role};
use folio::config::Settings;
use folio::content::policy::Visibility;
use folio::content::status::ArticleStatus;
use folio::startup::open_database;
use folio::store::articles::{self, Article, ArticleContent, Placement, Writer};
use folio::store::sections::{self, SectionInput};
use folio::store::tags::{self, TagInput};
use folio::store::{self, users, write_tx, Conn, StoreResult};

use crate::queries::Tally;
use crate::vocabulary::{capitalised, Used, Vocabulary};

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
/// Tags are named after words of this rank on: common, but not the most common.
const FIRST_TAG_RANK: u32 = 300;

/// Articles written in the synthetic language of [`Vocabulary`]: Markdown with headings,
/// paragraphs, lists, emphasis and links, each article's text a function of its number.
pub struct Corpus {
    vocabulary: Vocabulary,
    seed: u64,
}

/// One article's text, and the words it holds.
pub struct Text {
    pub title: String,
    pub body: String,
    pub used: Used,
}

impl Corpus {
    pub fn new(seed: u64) -> anyhow::Result<Self> {
        Ok(Self { vocabulary: Vocabulary::new(seed)?, seed })
    }

    pub fn vocabulary(&self) -> &Vocabulary {
        &self.vocabulary
    }

    fn rng(&self, n: usize) -> StdRng {
        StdRng::seed_from_u64(self.seed ^ (n as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15))
    }

    /// Article `n`: a title naming tag `topic`, and a body of about `target` bytes.
    pub fn article(&self, n: usize, topic: usize, target: usize) -> Text {
        let mut rng = self.rng(n);
        let mut used = Used::default();
        let words = rng.gen_range(2..=5);
        let mut title = self.vocabulary.title_words(words, &mut rng, &mut used);
        let topic_rank = FIRST_TAG_RANK + topic as u32;
        used.words.push(topic_rank);
        title.push_str(&format!(" {} {n}", capitalised(self.vocabulary.word(topic_rank))));
        let body = self.body_of(n, target, &mut rng, &mut used);
        Text { title, body, used }
    }

    /// A body of about `target` bytes for article number `n`.
    pub fn body(&self, n: usize, target: usize) -> String {
        self.body_of(n, target, &mut self.rng(n), &mut Used::default())
    }

    fn body_of(&self, n: usize, target: usize, rng: &mut StdRng, used: &mut Used) -> String {
        let mut body = String::with_capacity(target + 2048);
        self.paragraph(n, rng, &mut body, used);
        while body.len() < target {
            let words = rng.gen_range(2..=5);
            body.push_str(&format!("## {}\n\n", self.vocabulary.title_words(words, rng, used)));
            for _ in 0..rng.gen_range(1..=3) {
                self.paragraph(n, rng, &mut body, used);
            }
            if rng.gen_bool(0.3) {
                let words = rng.gen_range(2..=4);
                body.push_str(&format!("### {}\n\n", self.vocabulary.title_words(words, rng, used)));
                self.paragraph(n, rng, &mut body, used);
            }
            if rng.gen_bool(0.3) {
                for _ in 0..rng.gen_range(3..=5) {
                    body.push_str("- ");
                    self.vocabulary.run_of_text(rng.gen_range(3..=8), rng, &mut body, used);
                    body.push('\n');
                }
                body.push('\n');
            }
        }
        body
    }

    /// Three to six sentences; now and then one in bold, or a link.
    fn paragraph(&self, n: usize, rng: &mut StdRng, out: &mut String, used: &mut Used) {
        for s in 0..rng.gen_range(3..=6) {
            if s > 0 {
                out.push(' ');
            }
            let mut sentence = String::new();
            self.vocabulary.run_of_text(rng.gen_range(8..=20), rng, &mut sentence, used);
            let sentence = capitalised(&sentence);
            match rng.gen_range(0..20) {
                0 => out.push_str(&format!("**{sentence}**.")),
                1 => out.push_str(&format!("[{sentence}](https://example.com/notes/{n}/{s}).")),
                _ => out.push_str(&format!("{sentence}.")),
            }
        }
        out.push_str("\n\n");
    }

    /// `count` distinct tag names: words of middling frequency, capitalised.
    pub fn tag_names(&self, count: usize) -> Vec<String> {
        (0..count as u32).map(|k| capitalised(self.vocabulary.word(FIRST_TAG_RANK + k))).collect()
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
    /// How many published articles hold each word, collocation and prefix.
    pub tally: Tally,
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
    used: Used,
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
                let placement = Placement { locale: "en".to_owned(), translation_of: None };
                articles::create(conn, writer, p.content.clone().prepare()?, placement)
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
            translations: Default::default(),
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
        let tag = tags::create(
            conn,
            Visibility::All,
            TagInput { slug: None, name: name.clone(), description: None, translations: Default::default() },
        )?;
        tag_slugs.push(tag.row.slug);
    }

    // Popularity follows Zipf's law: tag k is on about 1/k as many articles as the first.
    let weights: Vec<f64> = (1..=tag_names.len()).map(|k| 1.0 / k as f64).collect();
    let tag_dist = WeightedIndex::new(&weights)?;
    let now = store::now();
    let mut pair_counts: HashMap<(usize, usize), u32> = HashMap::new();
    let mut published = Vec::new();
    let mut tally = Tally::new(corpus.vocabulary());
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
                let Text { title, body, used } = corpus.article(n, chosen[0], BODY_BYTES);
                let content = ArticleContent {
                    title,
                    slug: None,
                    excerpt: None,
                    body_markdown: body,
                    section: Some(section_list[rng.gen_range(0..section_list.len())].slug.clone()),
                    tags: chosen.iter().map(|&t| tag_names[t].clone()).collect(),
                    status: if is_published { ArticleStatus::Published } else { ArticleStatus::Draft },
                    published_at,
                    seo: Default::default(),
                    cover_image: None,
                    metadata: Default::default(),
                };
                Planned { author: authors[rng.gen_range(0..authors.len())], content, tags: chosen, used }
            })
            .collect();
        let created = insert(conn, &planned)?;
        for (plan, article) in planned.iter().zip(created) {
            if plan.content.status != ArticleStatus::Published {
                continue;
            }
            published.push((article.row.id, article.row.slug));
            tally.add(&plan.used, corpus.vocabulary());
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
        tally,
    })
}
