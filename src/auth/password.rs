//! argon2id password hashing with OWASP's recommended parameters (19 MiB, t=2, p=1).

use std::sync::LazyLock;

use argon2::password_hash::{self, rand_core::OsRng, Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

fn hasher() -> Argon2<'static> {
    // The parameters are constants that argon2 accepts; default() is only a fallback
    // that cannot be reached.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Runs `argon` over `password` and `salt` into `out`, in 19 MiB of memory of its own,
/// given back when it ends. (The binary has glibc map blocks this large on their own,
/// so that freeing one returns it to the system; see `main.rs`.)
fn compute(argon: &Argon2<'_>, password: &str, salt: &[u8], out: &mut [u8]) -> password_hash::Result<()> {
    let mut blocks = vec![Block::default(); argon.params().block_count()];
    Ok(argon.hash_password_into_with_memory(password.as_bytes(), salt, out, &mut blocks)?)
}

/// A PHC string for `password`. Slow on purpose and 19 MiB: the server calls it
/// only through its hash lane (`super::lane`), which bounds how many run at once.
pub fn hash(password: &str) -> password_hash::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    let argon = hasher();
    let mut salt_bytes = [0u8; 64];
    let raw_salt = salt.as_salt().decode_b64(&mut salt_bytes)?;
    let output_len = argon.params().output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    let output = Output::init_with(output_len, |out| compute(&argon, password, raw_salt, out))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(argon.params())?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches the PHC string `hash`, whatever its argon2 parameters.
fn matches(password: &str, hash: &str) -> password_hash::Result<bool> {
    let parsed = PasswordHash::new(hash)?;
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else { return Ok(false) };
    let algorithm = Algorithm::try_from(parsed.algorithm)?;
    let version = parsed.version.map(Version::try_from).transpose()?.unwrap_or_default();
    let argon = Argon2::new(algorithm, version, Params::try_from(&parsed)?);
    let mut salt_bytes = [0u8; 64];
    let raw_salt = salt.decode_b64(&mut salt_bytes)?;
    let computed = Output::init_with(expected.len(), |out| compute(&argon, password, raw_salt, out))?;
    // Output's equality takes the same time wherever the first difference is.
    Ok(computed == expected)
}

/// A throw-away hash, checked so that a login that cannot succeed costs what a wrong password does.
static DUMMY: LazyLock<String> = LazyLock::new(|| hash("folio dummy password for timing").unwrap_or_default());

/// Whether `password` matches the PHC string `hash`; a malformed hash never matches.
/// An empty hash is a user with no password yet (imported by `folio import`): it never
/// matches either, but takes as long as a real check, so the answer's timing does not
/// tell which accounts have no password.
pub fn verify(password: &str, hash: &str) -> bool {
    if hash.is_empty() {
        let _ = matches(password, &DUMMY);
        return false;
    }
    matches(password, hash).unwrap_or(false)
}

/// Verifies against a throw-away hash so that an unknown email costs what a wrong password does.
pub fn verify_dummy(password: &str) -> bool {
    let _ = matches(password, &DUMMY);
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
        // No password yet: nothing matches, the dummy's own password least of all.
        for guess in ["", "folio dummy password for timing", "correct horse battery"] {
            assert!(!verify(guess, ""), "{guess:?}");
        }
    }

    #[test]
    fn hashes_made_by_the_argon2_crate_verify_and_ours_verify_there() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let salt = SaltString::generate(&mut OsRng);
        // Other parameters than ours, as an older hash in the database may have.
        let theirs =
            Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(8 * 1024, 3, 1, None).expect("params"))
                .hash_password(b"correct horse battery", &salt)
                .expect("hashing works")
                .to_string();
        assert!(verify("correct horse battery", &theirs));
        assert!(!verify("wrong horse battery", &theirs));
        let ours = hash("correct horse battery").expect("hashing works");
        let parsed = PasswordHash::new(&ours).expect("a PHC string");
        assert!(hasher().verify_password(b"correct horse battery", &parsed).is_ok());
    }
}
