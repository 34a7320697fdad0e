//! argon2id password hashing with OWASP's recommended parameters (19 MiB, t=2, p=1).

use std::sync::{Condvar, LazyLock, Mutex, PoisonError};

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

pub const MIN_PASSWORD_CHARS: usize = 12;
pub const MAX_PASSWORD_CHARS: usize = 1024;

/// Why a new password is refused, if it is: the one rule for the API, the CLI and
/// the first admin from the environment.
pub fn length_problem(password: &str) -> Option<String> {
    let chars = password.chars().count();
    (!(MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&chars))
        .then(|| format!("must be {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters"))
}

/// Hashes computed at once, at most: each takes 19 MiB, so a flood of logins must
/// queue rather than grow memory without bound.
const CONCURRENT_HASHES: usize = 4;

static RUNNING: (Mutex<usize>, Condvar) = (Mutex::new(0), Condvar::new());

/// Runs `f` once fewer than [`CONCURRENT_HASHES`] hashes are under way.
fn throttled<T>(f: impl FnOnce() -> T) -> T {
    let (count, freed) = &RUNNING;
    {
        let mut running = count.lock().unwrap_or_else(PoisonError::into_inner);
        while *running >= CONCURRENT_HASHES {
            running = freed.wait(running).unwrap_or_else(PoisonError::into_inner);
        }
        *running += 1;
    }
    let result = f();
    *count.lock().unwrap_or_else(PoisonError::into_inner) -= 1;
    freed.notify_one();
    result
}

fn hasher() -> Argon2<'static> {
    // The parameters are constants that argon2 accepts; default() is only a fallback
    // that cannot be reached.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A PHC string for `password`. Slow on purpose: call it off the async executor.
pub fn hash(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    throttled(|| Ok(hasher().hash_password(password.as_bytes(), &salt)?.to_string()))
}

/// Whether `password` matches the PHC string `hash`; a malformed hash never matches.
pub fn verify(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .is_ok_and(|parsed| throttled(|| hasher().verify_password(password.as_bytes(), &parsed).is_ok()))
}

/// Verifies against a throw-away hash so that an unknown email costs what a wrong password does.
pub fn verify_dummy(password: &str) -> bool {
    static DUMMY: LazyLock<String> = LazyLock::new(|| hash("folio dummy password for timing").unwrap_or_default());
    verify(password, &DUMMY);
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_only_its_password() {
        let phc = hash("correct horse battery").expect("hashing works");
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("correct horse battery", &phc));
        assert!(!verify("wrong horse battery", &phc));
        assert!(!verify("anything", "not a phc string"));
        assert!(!verify_dummy("correct horse battery"));
    }
}
