//! An article's publication status, including the computed `scheduled`.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `draft`, `scheduled` (published with a future `published_at`), `published` or `archived`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ArticleStatus {
    Draft,
    Scheduled,
    Published,
    Archived,
}

impl ArticleStatus {
    pub const ALL: [Self; 4] = [Self::Draft, Self::Scheduled, Self::Published, Self::Archived];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Scheduled => "scheduled",
            Self::Published => "published",
            Self::Archived => "archived",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// What is stored: a scheduled article is a published one whose date lies ahead,
    /// so it goes live when that moment passes with no job to flip it.
    pub fn stored(self) -> &'static str {
        match self {
            Self::Scheduled => Self::Published.as_str(),
            other => other.as_str(),
        }
    }

    /// The status a reader sees at `now` for a stored status and date. This is the one
    /// meaning of "live" (`effective(..).is_live()`): stored as published, and its moment
    /// has come. The store's SQL twin is `store::articles::LIVE` (same rule, in a query).
    pub fn effective(stored: &str, published_at: Option<NaiveDateTime>, now: NaiveDateTime) -> Self {
        match Self::parse(stored) {
            Some(Self::Published) if published_at.is_some_and(|at| at > now) => Self::Scheduled,
            Some(status) => status,
            None => Self::Draft,
        }
    }

    /// Whether the public reads it: published, and not scheduled ahead.
    pub fn is_live(self) -> bool {
        self == Self::Published
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, NaiveDate};

    use super::*;

    #[test]
    fn a_published_article_with_a_future_date_is_scheduled_until_then() {
        let now = NaiveDate::from_ymd_opt(2026, 1, 1).and_then(|d| d.and_hms_opt(12, 0, 0)).unwrap_or_default();
        let later = now + Duration::hours(1);
        assert_eq!(ArticleStatus::effective("published", Some(later), now), ArticleStatus::Scheduled);
        assert_eq!(ArticleStatus::effective("published", Some(later), later), ArticleStatus::Published);
        assert_eq!(ArticleStatus::effective("draft", Some(later), now), ArticleStatus::Draft);
        assert_eq!(ArticleStatus::Scheduled.stored(), "published");
    }
}
