//! The change feed: what a partner needs to mirror the published articles.
//!
//! The log holds which article changed, in commit order; an entry is served
//! with the article as it is *now* when it is public (published and due),
//! and as a tombstone otherwise (deleted, unpublished, draft, or scheduled
//! and not yet due). A partner that applies the entries in order (upsert or
//! remove) and follows the cursor ends up with exactly the public articles
//! at their current versions: any later change of an article adds a later
//! entry. A scheduled article's entry is a tombstone until it is due; then
//! [`log_due_articles`] adds an entry for it.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::NaiveDateTime;

use crate::db::DbConnection;
use crate::domain::FieldError;
use crate::repo::changes::{self as repo, ChangeRow};
use crate::repo::maintenance;
use crate::service::articles::{full_views_by_ids, ArticleView};
use crate::service::taxonomy::TaxonomyCache;
use crate::service::ServiceError;

/// Where the scheduler's last pass ended (a site setting).
const DUE_UNTIL_KEY: &str = "changes_due_until";

/// How far back each pass looks again: a write that began before a pass
/// and committed after it is still found (the check is idempotent).
const DUE_OVERLAP: chrono::Duration = chrono::Duration::minutes(5);

/// How stale the stored mark may get before a pass moves it anyway.
const MARK_EVERY: chrono::Duration = chrono::Duration::hours(1);

const CURSOR_PREFIX: &str = "ch1:";

/// The opaque cursor of a position in the log.
pub fn encode_cursor(seq: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("{CURSOR_PREFIX}{seq}"))
}

/// Reads a cursor made by [`encode_cursor`]; anything else is a 400.
pub fn decode_cursor(text: &str) -> Result<i64, FieldError> {
    URL_SAFE_NO_PAD
        .decode(text.trim())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|s| s.strip_prefix(CURSOR_PREFIX).map(str::to_string))
        .and_then(|digits| digits.parse::<i64>().ok())
        .filter(|seq| *seq >= 0)
        .ok_or_else(|| {
            FieldError::new(
                "since",
                "invalid_cursor",
                "The cursor is not one this API gave out: use next_cursor as it is, or start without one.",
                "المؤشر ليس مما أعطته هذه الواجهة: استعمل next_cursor كما هو أو ابدأ من دونه.",
            )
        })
}

/// One entry of the feed.
#[derive(Debug, Clone)]
pub struct ChangeEntry {
    /// The logged change.
    pub change: ChangeRow,
    /// The article as it is now, when it is public; `None` is a tombstone.
    pub article: Option<ArticleView>,
}

/// A page of the feed.
#[derive(Debug, Clone)]
pub struct ChangePage {
    /// The entries, in commit order.
    pub entries: Vec<ChangeEntry>,
    /// The position after the last entry (`None` when the page is empty:
    /// the partner is up to date and keeps its cursor).
    pub next: Option<i64>,
}

/// The changes after `since` (0: from the start), at most `limit`.
pub fn page(
    conn: &mut DbConnection,
    cache: &TaxonomyCache,
    since: i64,
    limit: i64,
    now: NaiveDateTime,
) -> Result<ChangePage, ServiceError> {
    let changes = repo::after(conn, since, limit)?;
    let mut ids: Vec<i64> = changes.iter().map(|c| c.article_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let public: std::collections::HashMap<i64, ArticleView> = full_views_by_ids(conn, cache, &ids)?
        .into_iter()
        .filter(|v| {
            v.article.status == "published" && v.article.published_at.is_some_and(|at| at <= now)
        })
        .map(|v| (v.article.id, v))
        .collect();
    let next = changes.last().map(|c| c.seq);
    let entries = changes
        .into_iter()
        .map(|change| ChangeEntry {
            article: public.get(&change.article_id).cloned(),
            change,
        })
        .collect();
    Ok(ChangePage { entries, next })
}

/// Logs the scheduled articles that have become public since the last pass
/// (of any process); returns how many.
pub fn log_due_articles(
    conn: &mut DbConnection,
    now: NaiveDateTime,
) -> Result<usize, ServiceError> {
    // Reads, then writes: BEGIN IMMEDIATE on SQLite, so it waits for another
    // writer instead of failing when it upgrades.
    crate::db::write_transaction(conn, |conn| {
        let until = maintenance::setting(conn, DUE_UNTIL_KEY)?
            .and_then(|text| NaiveDateTime::parse_from_str(&text, "%Y-%m-%d %H:%M:%S%.f").ok())
            .unwrap_or(chrono::DateTime::UNIX_EPOCH.naive_utc());
        let logged = repo::record_due(conn, until - DUE_OVERLAP, now)?;
        // The mark only bounds the scan (the check itself is idempotent):
        // moved when something was logged or hourly, not a write a second.
        if logged > 0 || now - until > MARK_EVERY {
            maintenance::set_setting(
                conn,
                DUE_UNTIL_KEY,
                &now.format("%Y-%m-%d %H:%M:%S%.6f").to_string(),
            )?;
        }
        Ok(logged)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        for seq in [0, 1, 42, i64::MAX] {
            assert_eq!(decode_cursor(&encode_cursor(seq)).unwrap(), seq);
        }
        for bad in [
            "",
            "abc",
            "Y2gxOg",
            "Y2gxOi0x",
            "!!!",
            &encode_cursor(7)[1..],
        ] {
            assert!(decode_cursor(bad).is_err(), "{bad}");
        }
    }
}
