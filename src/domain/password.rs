//! New passwords, before they are hashed.

use super::{accept, chars, string, validated, Refused};

pub const MIN_PASSWORD_CHARS: usize = 12;
pub const MAX_PASSWORD_CHARS: usize = 1024;

fn check(value: String) -> Result<String, Refused> {
    let valid = (MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&chars(&value));
    accept(valid, value, || format!("must be {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters"))
}

validated!(
    /// A new password: 12 to 1024 characters. Its `Debug` does not show it.
    Password,
    example = "correct horse battery staple",
    check = check,
    schema = string().min_length(Some(MIN_PASSWORD_CHARS)).max_length(Some(MAX_PASSWORD_CHARS)),
);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_12_to_1024_characters_and_never_printed() {
        assert!(Password::try_from("elevenchars").is_err());
        assert!(Password::try_from("x".repeat(1025)).is_err());
        let password = Password::try_from("twelve chars").expect("12 characters");
        assert_eq!(format!("{password:?}"), "Password(..)");
    }
}
