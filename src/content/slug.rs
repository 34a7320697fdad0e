//! URL slugs: validation, derivation from arbitrary Unicode text, and
//! disambiguating suffixes.

/// Longest slug accepted or produced, in bytes (slugs are ASCII).
pub const MAX_SLUG_LEN: usize = 200;

/// True when `s` matches `^[a-z0-9]+(-[a-z0-9]+)*$` and is at most
/// [`MAX_SLUG_LEN`] bytes long.
pub fn is_valid(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_SLUG_LEN
        && s.split('-')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

/// Derives a slug from any Unicode text, or `None` when nothing alphanumeric
/// is left.
///
/// The text is transliterated to ASCII, lowercased, every run of other
/// characters becomes one `-`, and the result is cut to at most
/// [`MAX_SLUG_LEN`], at a `-` boundary when there is one.
pub fn slugify(text: &str) -> Option<String> {
    // Unknown characters become a separator rather than a "[?]" marker.
    let ascii = deunicode::deunicode_with_tofu(text, " ");
    let mut slug = String::with_capacity(ascii.len().min(MAX_SLUG_LEN + 1));
    let mut pending_hyphen = false;
    for c in ascii.chars() {
        if is_quote(c) {
            // "Vu's" should read "vus", not "vu-s".
            continue;
        }
        if c.is_ascii_alphanumeric() {
            if pending_hyphen && !slug.is_empty() {
                slug.push('-');
            }
            pending_hyphen = false;
            slug.push(c.to_ascii_lowercase());
            if slug.len() > MAX_SLUG_LEN {
                // Enough to decide where to cut; the rest cannot survive.
                break;
            }
        } else {
            pending_hyphen = true;
        }
    }
    if slug.is_empty() {
        return None;
    }
    Some(truncate(slug))
}

/// Appends `-n` to `base`, trimming `base` (and any `-` that the trim exposes)
/// so the result stays within [`MAX_SLUG_LEN`].
///
/// `base` is expected to be a valid slug; if nothing of it is left, the
/// result is just `n`, which is still a valid slug.
pub fn with_suffix(base: &str, n: u32) -> String {
    let suffix = format!("-{n}");
    let mut keep = base.len().min(MAX_SLUG_LEN - suffix.len());
    while !base.is_char_boundary(keep) {
        keep -= 1;
    }
    let stem = base[..keep].trim_end_matches('-');
    if stem.is_empty() {
        n.to_string()
    } else {
        format!("{stem}{suffix}")
    }
}

fn is_quote(c: char) -> bool {
    matches!(c, '\'' | '"' | '`')
}

/// Cuts an over-long slug, preferring a word boundary so no word is chopped.
fn truncate(mut slug: String) -> String {
    if slug.len() <= MAX_SLUG_LEN {
        return slug;
    }
    // A '-' at index MAX_SLUG_LEN still leaves a prefix of exactly the maximum.
    let cut = match slug[..=MAX_SLUG_LEN].rfind('-') {
        Some(hyphen) if hyphen > 0 => hyphen,
        _ => MAX_SLUG_LEN,
    };
    slug.truncate(cut);
    slug
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn examples_from_real_titles() {
        for (title, slug) in [
            ("Café Déjà Vu’s Guide", "cafe-deja-vus-guide"),
            ("Hello, World!", "hello-world"),
            ("  --a--b--  ", "a-b"),
            ("\"Quoted\" 'title'", "quoted-title"),
            ("Step 2: Done", "step-2-done"),
        ] {
            assert_eq!(slugify(title).as_deref(), Some(slug), "{title:?}");
        }
    }

    #[test]
    fn nothing_alphanumeric_gives_none() {
        for text in ["!!!", "", "   ", "---", "’’", "\u{0}\t\n"] {
            assert_eq!(slugify(text), None, "{text:?}");
        }
    }

    #[test]
    fn long_titles_are_cut_at_a_word_boundary() {
        let title = "word ".repeat(200);
        let s = slugify(&title).unwrap_or_default();
        assert!(is_valid(&s), "{s}");
        assert!(s.len() <= MAX_SLUG_LEN);
        assert!(s.ends_with("word"));

        let unbroken = "x".repeat(1000);
        assert_eq!(slugify(&unbroken).map(|s| s.len()), Some(MAX_SLUG_LEN));
    }

    #[test]
    fn cjk_and_emoji_give_a_valid_slug_or_none() {
        for text in ["中文标题", "日本語のタイトル", "한국어 제목", "🚀🔥", "🦀 Rust", "\u{10FFFF}"]
        {
            if let Some(s) = slugify(text) {
                assert!(is_valid(&s), "{text:?} -> {s:?}");
            }
        }
        assert_eq!(slugify("🦀 Rust").map(|s| s.ends_with("rust")), Some(true));
    }

    #[test]
    fn validity() {
        for ok in ["a", "a-b", "abc-123-x9", &"a".repeat(MAX_SLUG_LEN)] {
            assert!(is_valid(ok), "{ok}");
        }
        let too_long = "a".repeat(MAX_SLUG_LEN + 1);
        for bad in ["", "-a", "a-", "a--b", "A", "a_b", "é", "a b", &too_long] {
            assert!(!is_valid(bad), "{bad}");
        }
    }

    #[test]
    fn suffixes_stay_within_the_limit() {
        assert_eq!(with_suffix("intro", 1), "intro-1");
        assert_eq!(with_suffix("intro", 12), "intro-12");
        let long = "a".repeat(MAX_SLUG_LEN);
        let suffixed = with_suffix(&long, 7);
        assert_eq!(suffixed.len(), MAX_SLUG_LEN);
        assert!(suffixed.ends_with("a-7") && is_valid(&suffixed));
        // Trimming must not leave "--" behind.
        let hyphen_at_cut = format!("{}-{}", "a".repeat(197), "b".repeat(2));
        assert_eq!(with_suffix(&hyphen_at_cut, 1), format!("{}-1", "a".repeat(197)));
        assert_eq!(with_suffix("", 3), "3");
    }

    proptest! {
        #[test]
        fn slugify_output_is_always_valid(text in any::<String>()) {
            if let Some(s) = slugify(&text) {
                prop_assert!(is_valid(&s), "{:?} -> {:?}", text, s);
            }
        }

        #[test]
        fn suffixed_valid_slugs_stay_valid(text in "[a-z0-9 -]{0,300}", n in any::<u32>()) {
            if let Some(base) = slugify(&text) {
                let s = with_suffix(&base, n);
                prop_assert!(is_valid(&s), "{:?} -> {:?}", base, s);
            }
        }
    }
}
