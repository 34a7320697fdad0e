//! Draft preview tokens: `fpv_` + 32 random bytes in base64url without padding. Only
//! their SHA-256 hash is stored: 256 random bits need no salt or slow hash. The prefix
//! lets secret scanners (and people) tell one from any other token.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// What every preview token starts with.
pub const PREFIX: &str = "fpv_";
/// Characters after the prefix: 32 bytes in base64url without padding.
const RANDOM_CHARS: usize = 43;

/// A new token (shown to its maker once) and its hash (what the database keeps).
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
    let hash = hash(&token);
    (token, hash)
}

pub fn hash(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `token` could be one: the prefix, then 43 base64url characters. Anything else
/// is refused without a database read.
pub fn well_formed(token: &str) -> bool {
    token.strip_prefix(PREFIX).is_some_and(|rest| {
        rest.len() == RANDOM_CHARS && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_tokens_are_well_formed_distinct_and_hashed() {
        let (token, hash) = new_token();
        assert!(well_formed(&token), "{token}");
        assert_eq!(super::hash(&token), hash);
        assert_ne!(new_token().0, token);
        for bad in ["", "fpv_", "fpv_short", &token[1..], &format!("{token}x"), &token.replace("fpv_", "fpx_")] {
            assert!(!well_formed(bad), "{bad}");
        }
        let mut wrong_alphabet = token.clone();
        wrong_alphabet.replace_range(10..11, "+");
        assert!(!well_formed(&wrong_alphabet));
    }
}
