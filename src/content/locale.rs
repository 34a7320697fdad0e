//! The site's locales (`FOLIO_LOCALES`): BCP 47 tags, compared case-insensitively and
//! answered in their canonical case (`de-CH`, `zh-Hant-TW`), the first the default.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `FOLIO_LOCALES` when unset.
pub const DEFAULT_LOCALES: &str = "en";
/// The most locales one site may configure: a fallback chain and a query name them all.
pub const MAX_LOCALES: usize = 64;

/// The configured locales, in the order given; the first is the site's default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locales {
    tags: Vec<String>,
}

impl Locales {
    /// `text` as a comma-separated list of BCP 47 tags; `Err` says what is wrong with it.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut tags: Vec<String> = Vec::new();
        for piece in text.split(',').map(str::trim) {
            let tag = canonical(piece).ok_or_else(|| {
                format!("expected comma-separated BCP 47 language tags like en,fr,de-CH; '{piece}' is not one")
            })?;
            if tags.contains(&tag) {
                return Err(format!("names {tag} twice"));
            }
            tags.push(tag);
        }
        if tags.len() > MAX_LOCALES {
            return Err(format!("names {} locales; at most {MAX_LOCALES} are allowed", tags.len()));
        }
        Ok(Self { tags })
    }

    /// The site's default locale: the first configured.
    pub fn default_locale(&self) -> &str {
        &self.tags[0]
    }

    /// Every configured locale, the default first.
    pub fn all(&self) -> &[String] {
        &self.tags
    }

    /// The configured locale `text` names (in any case), in its canonical case.
    pub fn find(&self, text: &str) -> Option<&str> {
        self.tags.iter().find(|tag| tag.eq_ignore_ascii_case(text.trim())).map(String::as_str)
    }

    /// Whether more than one locale is configured.
    pub fn several(&self) -> bool {
        self.tags.len() > 1
    }
}

impl Default for Locales {
    fn default() -> Self {
        Self { tags: vec![DEFAULT_LOCALES.to_owned()] }
    }
}

/// A section's or tag's name and description in one locale: what an article of that
/// locale shows instead of the term's own name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LocalName {
    #[schema(example = "Blogs")]
    pub name: String,
    #[serde(default)]
    #[schema(required = true, example = "Les articles de nos cliniciens.")]
    pub description: Option<String>,
}

/// A section's or tag's names by locale (canonical case), in locale order: the JSON
/// object its `translations` column holds.
pub type LocalNames = BTreeMap<String, LocalName>;

/// The names a `translations` column holds; none when it holds no such object (it is
/// only ever written from a [`LocalNames`], so that never happens).
pub fn local_names(stored: &str) -> LocalNames {
    serde_json::from_str(stored).unwrap_or_default()
}

/// `names` as its `translations` column stores them.
pub fn stored_names(names: &LocalNames) -> String {
    serde_json::to_string(names).unwrap_or_else(|_| "{}".to_owned())
}

/// `tag` in BCP 47's canonical case when it is a well-formed tag (language, then
/// optional script, region, variants, extensions and private use), else `None`.
pub fn canonical(tag: &str) -> Option<String> {
    let subtags: Vec<&str> = tag.split('-').collect();
    let first = subtags.first()?;
    let well_formed =
        subtags.iter().all(|s| (1..=8).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric()));
    if !well_formed || !(2..=8).contains(&first.len()) || !first.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let mut out = vec![first.to_ascii_lowercase()];
    // After a singleton (an extension or `x`), subtags are lower case and keep no roles.
    let mut in_extension = false;
    for subtag in &subtags[1..] {
        let lower = subtag.to_ascii_lowercase();
        if in_extension || subtag.len() == 1 {
            in_extension = true;
            out.push(lower);
        } else if subtag.len() == 4 && subtag.chars().all(|c| c.is_ascii_alphabetic()) {
            let mut script = lower;
            script[..1].make_ascii_uppercase();
            out.push(script);
        } else if subtag.len() == 2 && subtag.chars().all(|c| c.is_ascii_alphabetic())
            || subtag.len() == 3 && subtag.chars().all(|c| c.is_ascii_digit())
        {
            out.push(subtag.to_ascii_uppercase());
        } else {
            out.push(lower);
        }
    }
    Some(out.join("-"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_come_back_in_canonical_case() {
        assert_eq!(canonical("DE-ch").as_deref(), Some("de-CH"));
        assert_eq!(canonical("zh-hant-tw").as_deref(), Some("zh-Hant-TW"));
        assert_eq!(canonical("es-419").as_deref(), Some("es-419"));
        assert_eq!(canonical("en-x-Pirate").as_deref(), Some("en-x-pirate"));
        for bad in ["", "e", "en_GB", "en-", "-en", "1en", "en-toolongsubtag", "fr ch", "é"] {
            assert_eq!(canonical(bad), None, "{bad} must be refused");
        }
    }

    #[test]
    fn the_first_locale_is_the_default_and_lookups_ignore_case() {
        let locales = Locales::parse("en, fr ,de-ch").unwrap();
        assert_eq!(locales.default_locale(), "en");
        assert_eq!(locales.all(), ["en", "fr", "de-CH"]);
        assert_eq!(locales.find("DE-CH"), Some("de-CH"));
        assert_eq!(locales.find("de"), None);
        assert!(locales.several());
        assert!(!Locales::default().several());
    }

    #[test]
    fn bad_lists_say_what_is_wrong() {
        assert!(Locales::parse("en,,fr").unwrap_err().contains("''"));
        assert!(Locales::parse("en,EN").unwrap_err().contains("twice"));
        assert!(Locales::parse("en,fr_FR").unwrap_err().contains("fr_FR"));
    }
}
