//! Keeping the search index true to the articles.

use chrono::NaiveDateTime;

use crate::db::{write_transaction, DbConnection};
use crate::domain::search::{documents, search_key, SearchDocument, PIPELINE_VERSION};
use crate::repo::maintenance;
use crate::repo::search::{self as repo, IndexEntry};
use crate::service::ServiceError;

/// Articles per batch of a (re)build.
const BATCH: i64 = 1000;
/// The site setting that records which pipeline built the index.
const PIPELINE_KEY: &str = "search_pipeline";

/// What one article's index entry is made of.
#[derive(Debug, Clone, Copy)]
pub struct Indexed<'a> {
    /// Article id.
    pub id: i64,
    /// Publication time, else creation time (the search key's time).
    pub key_at: NaiveDateTime,
    /// Title.
    pub title: &'a str,
    /// Summary.
    pub summary: &'a str,
    /// Plain-text body.
    pub body_text: &'a str,
}

/// Writes one article's index entry, replacing the one made from `previous`
/// (`None` for a new article); call inside the article's write transaction.
pub fn index_article(
    conn: &mut DbConnection,
    article: Indexed,
    previous: Option<NaiveDateTime>,
) -> Result<(), ServiceError> {
    let doc = SearchDocument::new(article.title, article.summary, article.body_text);
    let entry = IndexEntry {
        id: article.id,
        key: search_key(article.key_at, article.id),
        doc: &doc,
    };
    let replacing: Vec<i64> = previous
        .map(|at| search_key(at, article.id))
        .into_iter()
        .collect();
    repo::write(conn, &[entry], &replacing)?;
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
    // SQLite's FTS5 rows are written many batches at a time: every
    // statement ends an FTS5 segment (`repo::FTS_ROWS_PER_STATEMENT`).
    let mut fts_rows = repo::FtsRows::default();
    loop {
        let rows = repo::texts(conn, after, BATCH, only_missing)?;
        let Some(last) = rows.last() else { break };
        after = last.id;
        let texts: Vec<(&str, &str, &str)> = rows
            .iter()
            .map(|r| (r.title.as_str(), r.summary.as_str(), r.body_text.as_str()))
            .collect();
        let docs = documents(&texts);
        let entries: Vec<IndexEntry> = rows
            .iter()
            .zip(&docs)
            .map(|(r, doc)| IndexEntry {
                id: r.id,
                key: search_key(r.key_at, r.id),
                doc,
            })
            .collect();
        // Missing entries have nothing to delete; a rebuild starts empty.
        if matches!(conn, DbConnection::Sqlite(_)) {
            fts_rows.add(
                conn,
                entries.iter().map(|e| repo::FtsRow::new(e.key, e.doc)),
            )?;
        } else {
            repo::write(conn, &entries, &[])?;
        }
        done += rows.len() as u64;
        progress(done);
        if rows.len() < BATCH as usize {
            break;
        }
    }
    fts_rows.finish(conn)?;
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
        repo::bulk_load_settings(conn, true)?;
        let done = index_all(conn, false, progress)?;
        repo::bulk_load_settings(conn, false)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::{sql_query, RunQueryDsl};

    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }

    fn count(conn: &mut DbConnection, sql: &str) -> i64 {
        let DbConnection::Sqlite(lite) = conn else {
            unreachable!("SQLite only")
        };
        sql_query(sql).get_result::<Count>(lite).unwrap().n
    }

    #[test]
    fn start_up_indexes_only_the_articles_missing_from_a_sqlite_index() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/k.db", dir.path().display());
        let mut conn = crate::db::DbTarget::parse(&url).unwrap().connect().unwrap();
        crate::db::migrate(&mut conn).unwrap();
        crate::seed::run(&mut conn, 5, 1, chrono_tz::Asia::Damascus).unwrap();
        assert_eq!(sync_index(&mut conn).unwrap(), 0);
        let all = count(&mut conn, "SELECT COUNT(*) AS n FROM articles");
        // FTS5 rowids are search keys, not article ids: one entry lost.
        let DbConnection::Sqlite(lite) = &mut conn else {
            unreachable!()
        };
        sql_query(
            "DELETE FROM article_search WHERE rowid = (SELECT MAX(rowid) FROM article_search)",
        )
        .execute(lite)
        .unwrap();
        assert_eq!(sync_index(&mut conn).unwrap(), 1);
        assert_eq!(
            count(&mut conn, "SELECT COUNT(*) AS n FROM article_search"),
            all
        );
        assert!(!repo::may_be_incomplete(&mut conn).unwrap());
    }
}
