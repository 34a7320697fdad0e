//! API keys for integrators: their format, their scopes, and when their use is recorded.
//!
//! A key is `folio_` + 32 random base62 characters + a 6-character base62 CRC32 of
//! the random part, so secret scanners can tell a real leak from a look-alike and a
//! mistyped key is refused without a database read. Only its SHA-256 hash is stored:
//! 190 random bits need no salt or slow hash.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use rand::Rng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

/// What every key starts with; a bearer token without it is a JWT.
pub const PREFIX: &str = "folio_";
const RANDOM_CHARS: usize = 32;
const CHECKSUM_CHARS: usize = 6;
/// Characters of a key shown to tell keys apart: `folio_` and 6 random ones.
pub const SHOWN_CHARS: usize = 12;
const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// What a key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
pub enum Scope {
    /// Read everything an editor may read, drafts included.
    #[serde(rename = "content:read")]
    ContentRead,
    /// What an editor may do to articles, sections and tags (reading included).
    #[serde(rename = "content:write")]
    ContentWrite,
    /// Manage webhooks.
    #[serde(rename = "webhooks")]
    Webhooks,
    /// Manage media.
    #[serde(rename = "media")]
    Media,
}

impl Scope {
    pub const ALL: [Self; 4] = [Self::ContentRead, Self::ContentWrite, Self::Webhooks, Self::Media];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ContentRead => "content:read",
            Self::ContentWrite => "content:write",
            Self::Webhooks => "webhooks",
            Self::Media => "media",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|scope| scope.as_str() == text)
    }

    /// Whether holding `self` grants `needed`: writing content implies reading it.
    pub fn grants(self, needed: Self) -> bool {
        self == needed || (self == Self::ContentWrite && needed == Self::ContentRead)
    }
}

/// Scopes as stored: space-separated, sorted, each once.
pub fn join_scopes(scopes: &[Scope]) -> String {
    let mut scopes = scopes.to_vec();
    scopes.sort();
    scopes.dedup();
    scopes.iter().map(|scope| scope.as_str()).collect::<Vec<_>>().join(" ")
}

/// Scopes as stored, read back; an unknown word (none is written) is skipped.
pub fn split_scopes(text: &str) -> Vec<Scope> {
    text.split_whitespace().filter_map(Scope::parse).collect()
}

fn base62(mut value: u64, width: usize) -> String {
    let mut out = vec![b'0'; width];
    for slot in out.iter_mut().rev() {
        *slot = BASE62[(value % 62) as usize];
        value /= 62;
    }
    out.into_iter().map(char::from).collect()
}

fn checksum(random: &str) -> String {
    base62(u64::from(crc32fast::hash(random.as_bytes())), CHECKSUM_CHARS)
}

/// A new key (shown to its creator once) and its hash (what the database keeps).
pub fn new_key() -> (String, String) {
    let mut rng = rand::rngs::OsRng;
    let random: String = (0..RANDOM_CHARS).map(|_| char::from(BASE62[rng.gen_range(0..BASE62.len())])).collect();
    let key = format!("{PREFIX}{random}{}", checksum(&random));
    let hash = hash_key(&key);
    (key, hash)
}

pub fn hash_key(key: &str) -> String {
    Sha256::digest(key.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `token` is sent as an API key rather than a JWT.
pub fn looks_like_key(token: &str) -> bool {
    token.starts_with(PREFIX)
}

/// Whether `key` is well formed: the right length and alphabet, and its checksum fits.
pub fn well_formed(key: &str) -> bool {
    let Some(rest) = key.strip_prefix(PREFIX) else { return false };
    if rest.len() != RANDOM_CHARS + CHECKSUM_CHARS || !rest.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return false;
    }
    let (random, sum) = rest.split_at(RANDOM_CHARS);
    checksum(random) == sum
}

/// When each key's use was last written, as this instance knows it: `last_used_at` is
/// written at most once a minute per key, not on every request.
#[derive(Debug, Default)]
pub struct KeyUses {
    written: Mutex<HashMap<i64, Instant>>,
}

/// How often a key's `last_used_at` is written at most.
pub const USE_INTERVAL: Duration = Duration::from_secs(60);

impl KeyUses {
    /// Whether key `id`'s use is due to be written; when it is, it counts as written now.
    pub fn due(&self, id: i64) -> bool {
        let now = Instant::now();
        let mut written = self.written.lock().unwrap_or_else(PoisonError::into_inner);
        match written.get(&id) {
            Some(at) if now.duration_since(*at) < USE_INTERVAL => false,
            _ => {
                written.insert(id, now);
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_key_is_well_formed_and_a_changed_character_is_not() {
        let (key, hash) = new_key();
        assert_eq!(key.len(), PREFIX.len() + RANDOM_CHARS + CHECKSUM_CHARS);
        assert!(well_formed(&key), "{key}");
        assert_eq!(hash, hash_key(&key));
        let mut tampered = key.clone().into_bytes();
        tampered[10] = if tampered[10] == b'a' { b'b' } else { b'a' };
        assert!(!well_formed(&String::from_utf8(tampered).unwrap_or_default()));
        assert!(!well_formed("folio_short"));
    }

    #[test]
    fn scopes_round_trip_and_writing_implies_reading() {
        let stored = join_scopes(&[Scope::Webhooks, Scope::ContentRead, Scope::Webhooks]);
        assert_eq!(stored, "content:read webhooks");
        assert_eq!(split_scopes(&stored), vec![Scope::ContentRead, Scope::Webhooks]);
        assert!(Scope::ContentWrite.grants(Scope::ContentRead));
        assert!(!Scope::ContentRead.grants(Scope::ContentWrite));
        assert!(!Scope::Webhooks.grants(Scope::ContentRead));
    }
}
