//! The search scenario's queries, chosen by how many articles they match, as readers'
//! searches spread on a real site: most find a handful to a few hundred articles, some
//! find nearly everything. Words, collocations and prefixes are counted as the articles
//! are made ([`Tally`]); what each query matches is then measured against the server.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;

use anyhow::Context;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;

use crate::http::Client;
use crate::vocabulary::{Used, Vocabulary};

/// Typical searches match this share of the published articles, at least and at most.
const TYPICAL: (f64, f64) = (0.001, 0.10);
/// A search "matches nearly everything" from this share on.
const NEARLY_ALL: f64 = 0.90;
/// Prefixes searched for are this long.
const PREFIX_LENGTHS: std::ops::RangeInclusive<usize> = 3..=5;

/// How many published articles hold each word, collocation and prefix.
pub struct Tally {
    pub published: u32,
    words: Vec<u32>,
    collocations: Vec<u32>,
    prefixes: HashMap<String, u32>,
}

impl Tally {
    pub fn new(vocabulary: &Vocabulary) -> Self {
        Self {
            published: 0,
            words: vec![0; vocabulary.len()],
            collocations: vec![0; vocabulary.collocation_count()],
            prefixes: HashMap::new(),
        }
    }

    /// Counts a published article that holds `used`.
    pub fn add(&mut self, used: &Used, vocabulary: &Vocabulary) {
        self.published += 1;
        let words: HashSet<u32> = used.words.iter().copied().collect();
        let mut prefixes = HashSet::new();
        for &word in &words {
            self.words[word as usize] += 1;
            let text = vocabulary.word(word);
            prefixes.extend(PREFIX_LENGTHS.filter(|&n| n <= text.len()).map(|n| &text[..n]));
        }
        for prefix in prefixes {
            *self.prefixes.entry(prefix.to_owned()).or_default() += 1;
        }
        for collocation in used.collocations.iter().copied().collect::<HashSet<u32>>() {
            self.collocations[collocation as usize] += 1;
        }
    }

    fn share(&self, count: u32) -> f64 {
        f64::from(count) / f64::from(self.published.max(1))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Word,
    TwoWords,
    Phrase,
    Prefix,
    NearlyAll,
}

impl Class {
    const ALL: [(Self, &'static str); 5] = [
        (Self::Word, "single words"),
        (Self::TwoWords, "two words"),
        (Self::Phrase, "\"quoted phrases\""),
        (Self::Prefix, "prefix*"),
        (Self::NearlyAll, "common words, pairs and prefixes that match nearly everything"),
    ];
}

pub struct Query {
    pub text: String,
    pub class: Class,
}

/// Picks `count` of `candidates` (text, share) with shares spread evenly on a log scale
/// over the typical range, each once; among equal shares, at random.
fn spread(mut candidates: Vec<(String, f64)>, count: usize, rng: &mut StdRng) -> Vec<String> {
    candidates.retain(|(_, share)| (TYPICAL.0..=TYPICAL.1).contains(share));
    candidates.sort_by(|a, b| a.0.cmp(&b.0));
    candidates.shuffle(rng);
    candidates.sort_by(|a, b| a.1.total_cmp(&b.1));
    let mut taken = vec![false; candidates.len()];
    let mut chosen = Vec::new();
    let ratio = TYPICAL.1 / TYPICAL.0;
    for i in 0..count {
        let target = TYPICAL.0 * ratio.powf((i as f64 + 0.5) / count as f64);
        let at = candidates.partition_point(|(_, share)| *share < target);
        let free = (at..candidates.len()).chain((0..at).rev()).find(|&k| !taken[k]);
        if let Some(k) = free {
            taken[k] = true;
            chosen.push(candidates[k].0.clone());
        }
    }
    chosen
}

/// About `count` searches: 42 % single words, 20 % two words, 15 % phrases, 15 %
/// prefixes (all with typical reach), 8 % that match nearly everything.
pub fn choose(tally: &Tally, vocabulary: &Vocabulary, count: usize, seed: u64) -> Vec<Query> {
    let mut rng = StdRng::seed_from_u64(seed);
    let words: Vec<(String, f64)> = (0..vocabulary.len() as u32)
        .map(|w| (vocabulary.word(w).to_owned(), tally.share(tally.words[w as usize])))
        .collect();
    let share = |part: f64| (count as f64 * part).round() as usize;
    let mut queries: Vec<Query> = Vec::new();
    let add = |queries: &mut Vec<Query>, class: Class, texts: Vec<String>| {
        queries.extend(texts.into_iter().map(|text| Query { text, class }));
    };

    // Two words: a common one and a rarer one, whose product of shares is typical.
    let common: Vec<&(String, f64)> = words.iter().filter(|(_, s)| (0.1..=0.6).contains(s)).collect();
    let rarer: Vec<&(String, f64)> = words.iter().filter(|(_, s)| (0.01..=TYPICAL.1).contains(s)).collect();
    let pairs: Vec<(String, f64)> = (0..share(0.20) * 20)
        .filter_map(|_| {
            let (a, sa) = common.choose(&mut rng)?;
            let (b, sb) = rarer.choose(&mut rng)?;
            Some((format!("{a} {b}"), sa * sb))
        })
        // Shares multiplied are only an estimate: a floor keeps every pair matching something.
        .filter(|(_, estimate)| *estimate >= 0.005)
        .collect();
    add(&mut queries, Class::TwoWords, spread(pairs, share(0.20), &mut rng));
    let phrases = (0..vocabulary.collocation_count() as u32)
        .map(|k| (format!("\"{}\"", vocabulary.collocation(k)), tally.share(tally.collocations[k as usize])))
        .collect();
    add(&mut queries, Class::Phrase, spread(phrases, share(0.15), &mut rng));
    let prefixes = tally.prefixes.iter().map(|(p, n)| (format!("{p}*"), tally.share(*n))).collect();
    add(&mut queries, Class::Prefix, spread(prefixes, share(0.15), &mut rng));

    let everywhere: Vec<&String> = words.iter().filter(|(_, s)| *s >= NEARLY_ALL).map(|(w, _)| w).collect();
    let nearly_all = share(0.08);
    let mut all = Vec::new();
    for (i, word) in everywhere.iter().enumerate().take(nearly_all) {
        all.push(match i % 4 {
            0 | 1 => (*word).clone(),
            2 => format!("{word} {}", everywhere[(i + 1) % everywhere.len()]),
            _ => format!("{}*", &word[..word.len().min(3)]),
        });
    }
    add(&mut queries, Class::NearlyAll, all);
    let singles = count.saturating_sub(queries.len());
    add(&mut queries, Class::Word, spread(words, singles, &mut rng));
    // Each class in turn, so that any stretch of the list has some of each.
    queries.shuffle(&mut rng);
    let mut seen = HashSet::new();
    queries.retain(|q| seen.insert(q.text.clone()));
    queries
}

/// What share of the published articles each class of `queries` matches, as the server
/// counts them (`meta.total`), for the scenario's description.
pub fn measure(
    addr: SocketAddr,
    queries: &[Query],
    published: usize,
    encode: impl Fn(&str) -> String,
) -> anyhow::Result<String> {
    let mut client = Client::new(addr);
    let mut shares: Vec<(Class, f64)> = Vec::with_capacity(queries.len());
    for query in queries {
        let path = format!("/api/v1/articles?q={}&per_page=1", encode(&query.text));
        let answer = client.get(&path, &[]).with_context(|| format!("GET {path}"))?;
        anyhow::ensure!(answer.status == 200, "GET {path}: status {}", answer.status);
        let total = answer.json()?.pointer("/meta/total").and_then(serde_json::Value::as_f64).unwrap_or(0.0);
        shares.push((query.class, total / published.max(1) as f64));
    }
    let mut parts = Vec::new();
    for (class, name) in Class::ALL {
        let mut of: Vec<f64> = shares.iter().filter(|(c, _)| *c == class).map(|(_, s)| *s).collect();
        if of.is_empty() {
            continue;
        }
        of.sort_by(f64::total_cmp);
        let percent = |s: f64| format!("{:.2}", s * 100.0).trim_end_matches('0').trim_end_matches('.').to_owned();
        parts.push(format!(
            "{} {name} ({}–{} %, median {} %)",
            of.len(),
            percent(of[0]),
            percent(of[of.len() - 1]),
            percent(of[of.len() / 2])
        ));
    }
    Ok(parts.join(", "))
}
