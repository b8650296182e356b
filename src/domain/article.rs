//! Articles: how they are addressed and the values their fields may take.

use chrono::{Duration, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How a client names one article: a numeric id or a slug.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArticleKey {
    /// The numeric id.
    Id(i64),
    /// The slug (already percent-decoded).
    Slug(String),
}

impl ArticleKey {
    /// All ASCII digits is an id (slugs are never all digits); anything else is
    /// a slug. `None` for a key no article can have: empty, over 1 KiB, with
    /// control characters (PostgreSQL rejects NUL in text), or an id too large.
    pub fn parse(raw: &str) -> Option<Self> {
        if raw.is_empty() || raw.len() > 1024 || raw.chars().any(char::is_control) {
            return None;
        }
        if raw.bytes().all(|b| b.is_ascii_digit()) {
            raw.parse().ok().map(ArticleKey::Id)
        } else {
            Some(ArticleKey::Slug(raw.to_string()))
        }
    }
}

/// Publication state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ArticleStatus {
    /// Not visible to the public.
    Draft,
    /// Visible to the public.
    Published,
}

impl ArticleStatus {
    /// The value stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            ArticleStatus::Draft => "draft",
            ArticleStatus::Published => "published",
        }
    }
}

impl ArticleStatus {
    /// Parses the stored value.
    pub fn from_db(value: &str) -> Self {
        if value == "published" {
            ArticleStatus::Published
        } else {
            ArticleStatus::Draft
        }
    }
}

/// Where an article stands, as editors see it: a `published` article whose
/// time has not come is `scheduled` (embargoed), invisible to the public.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EditorialStatus {
    /// Not visible to the public.
    Draft,
    /// Published with a future `published_at`: visible from that moment on.
    Scheduled,
    /// Visible to the public.
    #[default]
    Published,
}

impl EditorialStatus {
    /// The status of a stored article at `now`.
    pub fn of(
        status: ArticleStatus,
        published_at: Option<NaiveDateTime>,
        now: NaiveDateTime,
    ) -> Self {
        match (status, published_at) {
            (ArticleStatus::Draft, _) => EditorialStatus::Draft,
            (ArticleStatus::Published, Some(at)) if at > now => EditorialStatus::Scheduled,
            (ArticleStatus::Published, _) => EditorialStatus::Published,
        }
    }
}

/// Text direction of an article's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TextDirection {
    /// Right to left (Arabic, Persian, Hebrew, Urdu…).
    Rtl,
    /// Left to right.
    Ltr,
}

impl TextDirection {
    /// The direction a language is written in.
    pub fn for_language(language: &str) -> Self {
        match language {
            "ar" | "fa" | "he" | "ur" | "ps" | "ku" | "ckb" | "yi" | "dv" | "sd" => {
                TextDirection::Rtl
            }
            _ => TextDirection::Ltr,
        }
    }
    /// Parses the stored value.
    pub fn from_db(value: &str) -> Self {
        if value == "ltr" {
            TextDirection::Ltr
        } else {
            TextDirection::Rtl
        }
    }
    /// The value stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            TextDirection::Rtl => "rtl",
            TextDirection::Ltr => "ltr",
        }
    }
}

/// True once an article is older than the archive age (the site shows
/// "من الأرشيف" on such pages).
pub fn is_archived(
    published_at: NaiveDateTime,
    now: NaiveDateTime,
    archive_after: Duration,
) -> bool {
    now - published_at > archive_after
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        assert_eq!(ArticleKey::parse("42"), Some(ArticleKey::Id(42)));
        assert_eq!(
            ArticleKey::parse("وزير-الدفاع"),
            Some(ArticleKey::Slug("وزير-الدفاع".into()))
        );
        assert_eq!(ArticleKey::parse(""), None);
        assert_eq!(ArticleKey::parse("a\u{0}b"), None);
        assert_eq!(ArticleKey::parse("99999999999999999999"), None);
    }

    #[test]
    fn archive_age() {
        let day = |d: &str| {
            NaiveDateTime::parse_from_str(&format!("{d} 00:00:00"), "%Y-%m-%d %H:%M:%S").unwrap()
        };
        let age = Duration::days(365);
        assert!(is_archived(day("2020-08-22"), day("2026-11-29"), age));
        assert!(!is_archived(day("2026-11-01"), day("2026-11-29"), age));
    }

    #[test]
    fn scheduled_is_published_in_the_future() {
        let at = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap();
        let now = at("2026-12-01 12:00:00");
        let of = |status, published| EditorialStatus::of(status, published, now);
        assert_eq!(of(ArticleStatus::Draft, None), EditorialStatus::Draft);
        assert_eq!(
            of(ArticleStatus::Draft, Some(at("2027-01-01 00:00:00"))),
            EditorialStatus::Draft
        );
        assert_eq!(
            of(ArticleStatus::Published, Some(at("2026-12-01 12:00:01"))),
            EditorialStatus::Scheduled
        );
        assert_eq!(
            of(ArticleStatus::Published, Some(now)),
            EditorialStatus::Published
        );
    }

    #[test]
    fn direction() {
        assert_eq!(TextDirection::for_language("ar"), TextDirection::Rtl);
        assert_eq!(TextDirection::for_language("en"), TextDirection::Ltr);
    }
}
