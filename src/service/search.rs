//! Keeping the search index true to the articles.

use crate::db::{write_transaction, DbConnection};
use crate::domain::search::{documents, SearchDocument, PIPELINE_VERSION};
use crate::repo::{maintenance, search as repo};
use crate::service::ServiceError;

/// Articles per batch of a (re)build.
const BATCH: i64 = 1000;
/// The site setting that records which pipeline built the index.
const PIPELINE_KEY: &str = "search_pipeline";

/// (Re)writes one article's index entry; call inside the article's write
/// transaction.
pub fn index_article(
    conn: &mut DbConnection,
    id: i64,
    title: &str,
    summary: &str,
    body_text: &str,
    fresh: bool,
) -> Result<(), ServiceError> {
    let doc = SearchDocument::new(title, summary, body_text);
    repo::write(conn, &[(id, &doc)], fresh)?;
    Ok(())
}

/// Indexes articles by id order, a batch at a time; `only_missing` skips
/// those already in the index. Calls `progress(done)` after each batch.
fn index_all(
    conn: &mut DbConnection,
    only_missing: bool,
    progress: &mut dyn FnMut(u64),
) -> Result<u64, ServiceError> {
    let mut after = 0;
    let mut done = 0;
    loop {
        let rows = repo::texts(conn, after, BATCH, only_missing)?;
        let Some(last) = rows.last() else { break };
        after = last.id;
        let texts: Vec<(&str, &str, &str)> = rows
            .iter()
            .map(|r| (r.title.as_str(), r.summary.as_str(), r.body_text.as_str()))
            .collect();
        let docs = documents(&texts);
        let entries: Vec<(i64, &SearchDocument)> = rows.iter().map(|r| r.id).zip(&docs).collect();
        // Missing entries have nothing to delete; a rebuild starts empty.
        repo::write(conn, &entries, true)?;
        done += rows.len() as u64;
        progress(done);
        if rows.len() < BATCH as usize {
            break;
        }
    }
    Ok(done)
}

/// Rebuilds the whole index from the articles (`khabar reindex`), in one
/// transaction: searches see the old index until the new one is complete.
/// Returns how many articles were indexed.
pub fn rebuild(
    conn: &mut DbConnection,
    progress: &mut dyn FnMut(u64),
) -> Result<u64, ServiceError> {
    let done = write_transaction(conn, |conn| -> Result<u64, ServiceError> {
        repo::clear(conn)?;
        let done = index_all(conn, false, progress)?;
        maintenance::set_setting(conn, PIPELINE_KEY, PIPELINE_VERSION)?;
        Ok(done)
    })?;
    repo::tidy(conn)?;
    Ok(done)
}

/// At start-up: rebuilds the index if it was built by another version of
/// the text pipeline, else indexes any article that is missing (rows written
/// before search existed). Returns how many articles it indexed.
pub fn sync_index(conn: &mut DbConnection) -> Result<u64, ServiceError> {
    let stored = maintenance::setting(conn, PIPELINE_KEY)?;
    if stored.as_deref().is_some_and(|v| v != PIPELINE_VERSION) {
        tracing::warn!(
            stored = stored.as_deref().unwrap_or_default(),
            current = PIPELINE_VERSION,
            "the search index was built by another text pipeline; rebuilding it"
        );
        return rebuild(conn, &mut |_| {});
    }
    let mut done = 0;
    if repo::may_be_incomplete(conn)? {
        done = write_transaction(conn, |conn| index_all(conn, true, &mut |_| {}))?;
    }
    if stored.is_none() {
        maintenance::set_setting(conn, PIPELINE_KEY, PIPELINE_VERSION)?;
    }
    Ok(done)
}
