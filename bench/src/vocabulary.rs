//! A synthetic language for the benchmark's articles: a fixed vocabulary whose words
//! occur with Zipf's law, as words of a natural language do (the word of rank r about
//! 1/r as often as the first), and a set of two-word collocations that recur as units,
//! as "dry needling" does in real text. Everything is made from a seed: the same
//! seed gives the same words, articles and searches on every machine, with nothing to
//! download or install.

use std::collections::HashSet;

use rand::distributions::{Distribution, WeightedIndex};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Distinct words: enough that the rarest occur in about 0.1 % of ~10 KB articles.
const WORDS: usize = 100_000;
/// Two-word collocations, themselves Zipf-distributed.
const COLLOCATIONS: usize = 2_000;
/// Share of the tokens of running text that are a collocation rather than one word.
const COLLOCATION_SHARE: f64 = 0.03;
/// Zipf–Mandelbrot offset: the few most common words are less dominant than 1/r says.
const OFFSET: f64 = 2.7;

const ONSETS: [&str; 30] = [
    "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z", "br", "ch", "cl", "dr",
    "fl", "gr", "pl", "pr", "sh", "st", "th", "tr",
];
const VOWELS: [&str; 8] = ["a", "e", "i", "o", "u", "ai", "ea", "ou"];
const CODAS: [&str; 10] = ["", "", "", "n", "r", "s", "l", "m", "nd", "st"];

/// One syllable-built word; frequent words are short, as in natural languages.
fn make_word(rank: usize, rng: &mut StdRng) -> String {
    let syllables = match rank {
        0..=199 => 1,
        200..=4_999 => 2,
        _ => rng.gen_range(2..=3),
    };
    let mut word = String::new();
    for _ in 0..syllables {
        word.push_str(ONSETS[rng.gen_range(0..ONSETS.len())]);
        word.push_str(VOWELS[rng.gen_range(0..VOWELS.len())]);
    }
    word.push_str(CODAS[rng.gen_range(0..CODAS.len())]);
    word
}

fn zipf(n: usize) -> anyhow::Result<WeightedIndex<f64>> {
    Ok(WeightedIndex::new((0..n).map(|rank| 1.0 / (rank as f64 + OFFSET)))?)
}

pub struct Vocabulary {
    /// By rank: the most frequent first.
    words: Vec<String>,
    word_dist: WeightedIndex<f64>,
    /// Word ranks of each collocation, the most frequent collocation first.
    collocations: Vec<[u32; 2]>,
    collocation_dist: WeightedIndex<f64>,
}

/// The words an article's text holds, for counting how many articles a search matches.
#[derive(Default)]
pub struct Used {
    pub words: Vec<u32>,
    pub collocations: Vec<u32>,
}

impl Vocabulary {
    pub fn new(seed: u64) -> anyhow::Result<Self> {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut seen = HashSet::new();
        let mut words = Vec::with_capacity(WORDS);
        while words.len() < WORDS {
            let word = make_word(words.len(), &mut rng);
            if word.len() >= 2 && seen.insert(word.clone()) {
                words.push(word);
            }
        }
        // Collocations join words of middling frequency, never a word with itself.
        let collocations = (0..COLLOCATIONS)
            .map(|_| {
                let first = rng.gen_range(50..5_000);
                let second = (first + rng.gen_range(1..4_950) - 50) % 4_950 + 50;
                [first, second]
            })
            .collect();
        Ok(Self { words, word_dist: zipf(WORDS)?, collocations, collocation_dist: zipf(COLLOCATIONS)? })
    }

    pub fn word(&self, rank: u32) -> &str {
        &self.words[rank as usize]
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Collocation `k` as the words it is written with.
    pub fn collocation(&self, k: u32) -> String {
        let [a, b] = self.collocations[k as usize];
        format!("{} {}", self.word(a), self.word(b))
    }

    pub fn collocation_count(&self) -> usize {
        self.collocations.len()
    }

    /// A word's rank drawn by frequency.
    pub fn sample(&self, rng: &mut StdRng) -> u32 {
        self.word_dist.sample(rng) as u32
    }

    /// Appends `count` tokens of running text to `out`, recording what it used.
    pub fn run_of_text(&self, count: usize, rng: &mut StdRng, out: &mut String, used: &mut Used) {
        for i in 0..count {
            if i > 0 {
                out.push(' ');
            }
            if rng.gen_bool(COLLOCATION_SHARE) {
                let k = self.collocation_dist.sample(rng) as u32;
                let [a, b] = self.collocations[k as usize];
                used.collocations.push(k);
                used.words.extend([a, b]);
                out.push_str(&self.collocation(k));
            } else {
                let rank = self.sample(rng);
                used.words.push(rank);
                out.push_str(self.word(rank));
            }
        }
    }

    /// `count` words, each capitalised, as in a heading or title.
    pub fn title_words(&self, count: usize, rng: &mut StdRng, used: &mut Used) -> String {
        let mut plain = String::new();
        self.run_of_text(count, rng, &mut plain, used);
        plain.split(' ').map(capitalised).collect::<Vec<_>>().join(" ")
    }
}

pub fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
}
