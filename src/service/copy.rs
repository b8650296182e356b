//! `khabar copy`: moves a whole site from one database to another (SQLite
//! to PostgreSQL when one machine is no longer enough, a PostgreSQL snapshot
//! to a laptop's SQLite, or between two of a kind).
//!
//! The target must be empty. Its migrations run first; then one
//! transaction on the target copies every table in foreign-key order, a
//! batch at a time, keeping every id, and checks itself before it commits:
//! a failure anywhere (a row the target refuses, a lost connection, a
//! count that does not match) rolls it back and leaves the target as empty
//! as it was. The source is read in one snapshot (PostgreSQL: a read-only
//! repeatable-read transaction; SQLite: one read transaction), so a server
//! may keep running on it: the copy is the site as of the moment it began.
//!
//! Derived data is not copied but rebuilt on the target from the copied
//! rows, by the same code that keeps it at write time: the search index
//! (SQLite's FTS5 table and PostgreSQL's tsvector columns are different
//! things, both made by `domain::search` from an article's text) and the
//! archive calendar's counts (`archive_counts`, recounted from the articles'
//! stored local days).

use diesel::Connection;
use sha2::{Digest, Sha256};

use crate::db::{self, write_transaction, DbConnection, DbSetupError, DbTarget};
use crate::domain::search::{documents, search_key, PIPELINE_VERSION};
use crate::repo::copy::{self as repo, CopyRow};
use crate::repo::{archive, maintenance, search};

/// Rows per read and per INSERT (articles: 25 columns, well under both
/// backends' limits on bound values).
pub const BATCH: i64 = 1000;

/// Rows per read of the checksum pass (four small columns).
const CHECKSUM_BATCH: i64 = 10_000;

/// Every table that is copied row for row, in foreign-key order.
pub const COPIED_TABLES: &[&str] = &[
    "sections",
    "tags",
    "authors",
    "api_tokens",
    "articles",
    "article_stats",
    "article_tags",
    "article_authors",
    "article_slugs",
    "article_revisions",
    "article_views_daily",
    "article_changes",
    "comments",
    "idempotency_keys",
    "view_flush_batches",
    "site_settings",
];

/// A table the target may hold rows in and still count as empty: a server
/// started once on an empty database stores its settings (time zone, salt);
/// the source's replace them.
const REPLACED_TABLES: &[&str] = &["site_settings"];

/// The derived table rebuilt on the target.
const REBUILT_TABLES: &[&str] = &["archive_counts"];

/// The site setting naming the text pipeline that built the search index.
const PIPELINE_KEY: &str = "search_pipeline";

/// How far the copy is.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    /// The table being copied, or the step after the rows (`indexes`,
    /// `comparing`, `statistics`).
    pub table: &'static str,
    /// Rows copied so far, all tables together.
    pub done: u64,
    /// Rows to copy, all tables together.
    pub total: u64,
}

/// How a table reached the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    /// Row for row, ids kept.
    Copied,
    /// Rebuilt from the copied rows (derived data).
    Rebuilt,
}

/// One line of the comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCount {
    /// Table (or `search_index`).
    pub table: &'static str,
    /// Rows in the source.
    pub source: i64,
    /// Rows in the target.
    pub target: i64,
    /// Copied or rebuilt.
    pub how: How,
}

/// The comparison of source and target that ends a copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyReport {
    /// Row counts per table, in copy order, then the rebuilt ones.
    pub tables: Vec<TableCount>,
    /// SHA-256 over every article's (id, slug, status, version, updated_at,
    /// deleted_at) in id order, read from the source.
    pub source_checksum: String,
    /// The same, read back from the target.
    pub target_checksum: String,
    /// Articles in the target.
    pub articles: i64,
}

impl CopyReport {
    /// Whether every copied table has the source's row count, the article
    /// checksums are equal and every article is in the target's search index.
    pub fn matches(&self) -> bool {
        self.source_checksum == self.target_checksum
            && self.tables.iter().all(|t| match t.how {
                How::Copied => t.source == t.target,
                How::Rebuilt => t.table != SEARCH_INDEX || t.target == self.articles,
            })
    }

    /// The comparison as a table for people.
    pub fn render(&self) -> String {
        let mut out = format!("{:<22} {:>10} {:>10}\n", "table", "source", "target");
        for t in &self.tables {
            let note = match (t.how, t.source == t.target) {
                (How::Copied, true) => "ok",
                (How::Copied, false) => "MISMATCH",
                (How::Rebuilt, _) if t.table == SEARCH_INDEX && t.target != self.articles => {
                    "INCOMPLETE (rebuilt)"
                }
                (How::Rebuilt, _) => "rebuilt",
            };
            out.push_str(&format!(
                "{:<22} {:>10} {:>10}  {note}\n",
                t.table, t.source, t.target
            ));
        }
        let same = if self.source_checksum == self.target_checksum {
            "ok"
        } else {
            "MISMATCH"
        };
        out.push_str(&format!(
            "article versions sha256 {} (source) {} (target)  {same}\n",
            short(&self.source_checksum),
            short(&self.target_checksum)
        ));
        out
    }
}

fn short(hash: &str) -> &str {
    &hash[..hash.len().min(16)]
}

/// The report's name for the search index.
const SEARCH_INDEX: &str = "search_index";

/// Why a copy did not happen or was rolled back.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    /// A URL is not supported, or a database cannot be opened or migrated.
    #[error(transparent)]
    Setup(#[from] DbSetupError),
    /// `--from` and `--to` name the same database.
    #[error("--from and --to are the same database")]
    SameDatabase,
    /// The source SQLite file does not exist (it would be created empty).
    #[error("the source SQLite database {0} does not exist")]
    NoSourceFile(String),
    /// The source is not at this binary's schema.
    #[error(
        "the source database has {0} migration(s) of this khabar version not run: \
         run `khabar --database-url <source> migrate` first"
    )]
    SourceSchema(usize),
    /// A newer khabar migrated the source: this one would not see all of it.
    #[error(
        "the source database was migrated by a newer khabar ({0} migration(s) unknown to this \
         one): copy it with that version"
    )]
    SourceNewer(usize),
    /// The target holds rows.
    #[error("the target database is not empty ({}): khabar copy only fills an empty database", list_rows(.0))]
    NotEmpty(Vec<(String, i64)>),
    /// Copying one table failed (the target was rolled back).
    #[error("copying {table} failed, the target was left empty: {source}")]
    Table {
        /// The table.
        table: &'static str,
        /// The database's error.
        source: diesel::result::Error,
    },
    /// Another database error (the target was rolled back).
    #[error("database error, the target was left empty: {0}")]
    Database(#[from] diesel::result::Error),
    /// The copy does not match its source (the target was rolled back).
    #[error("the copy does not match the source, the target was left empty")]
    Mismatch(Box<CopyReport>),
}

fn list_rows(tables: &[(String, i64)]) -> String {
    tables
        .iter()
        .map(|(t, n)| format!("{t}: {n} rows"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Opens the source and the target (`sqlite://PATH` or `postgres://…`).
/// A source SQLite file must exist; the target's is created when missing.
pub fn open(from: &str, to: &str) -> Result<(DbConnection, DbConnection), CopyError> {
    let source = DbTarget::parse(from)?;
    let target = DbTarget::parse(to)?;
    if same_database(&source, &target) {
        return Err(CopyError::SameDatabase);
    }
    if let DbTarget::Sqlite(path) = &source {
        if !std::path::Path::new(path).exists() {
            return Err(CopyError::NoSourceFile(path.clone()));
        }
    }
    Ok((source.connect()?, target.connect()?))
}

fn same_database(a: &DbTarget, b: &DbTarget) -> bool {
    match (a, b) {
        (DbTarget::Sqlite(a), DbTarget::Sqlite(b)) => {
            let canonical = |p: &str| std::fs::canonicalize(p).ok();
            a == b || canonical(a).is_some_and(|a| Some(a) == canonical(b))
        }
        (DbTarget::Postgres(a), DbTarget::Postgres(b)) => a == b,
        _ => false,
    }
}

/// khabar's tables (but the replaced ones) that exist in `conn` and hold
/// rows, with their counts.
fn occupied(conn: &mut DbConnection) -> Result<Vec<(String, i64)>, diesel::result::Error> {
    let mut known: Vec<&'static str> = COPIED_TABLES.to_vec();
    known.extend_from_slice(REBUILT_TABLES);
    known.retain(|t| !REPLACED_TABLES.contains(t));
    let existing = repo::existing_tables(conn, &known)?;
    let mut found = Vec::new();
    for table in known.iter().filter(|t| existing.iter().any(|e| e == *t)) {
        let n = repo::count_rows(conn, table)?;
        if n > 0 {
            found.push((table.to_string(), n));
        }
    }
    Ok(found)
}

/// Copies everything from `source` into the empty `target`, reporting
/// progress after each batch; returns the comparison of both. See the
/// module's documentation for what it guarantees.
pub fn copy(
    source: &mut DbConnection,
    target: &mut DbConnection,
    progress: &mut dyn FnMut(Progress),
) -> Result<CopyReport, CopyError> {
    let schema = db::schema_state(source)?;
    if schema.pending > 0 {
        return Err(CopyError::SourceSchema(schema.pending));
    }
    if schema.unknown > 0 {
        return Err(CopyError::SourceNewer(schema.unknown));
    }
    // Refused before anything is written, migrations included.
    let rows = occupied(target)?;
    if !rows.is_empty() {
        return Err(CopyError::NotEmpty(rows));
    }
    db::migrate(target)?;
    let bulk = maintenance::begin_bulk_load(target)?;
    let copied = source.transaction(|source| -> Result<CopyReport, CopyError> {
        repo::read_snapshot(source)?;
        write_transaction(target, |target| load(source, target, progress))
    });
    maintenance::end_bulk_load(target, bulk)?;
    let report = copied?;
    // Once committed: one FTS5 segment, and the planner's statistics.
    let rows = report
        .tables
        .iter()
        .filter(|t| t.how == How::Copied)
        .map(|t| t.target as u64)
        .sum();
    progress(Progress {
        table: "statistics",
        done: rows,
        total: rows,
    });
    search::merge_segments(target)?;
    maintenance::refresh_statistics(target)?;
    Ok(report)
}

/// Inside both transactions: the load, the rebuilds and the comparison.
fn load(
    source: &mut DbConnection,
    target: &mut DbConnection,
    progress: &mut dyn FnMut(Progress),
) -> Result<CopyReport, CopyError> {
    // Again inside the transaction: nobody filled it since.
    let rows = occupied(target)?;
    if !rows.is_empty() {
        return Err(CopyError::NotEmpty(rows));
    }
    let mut counts = Vec::with_capacity(COPIED_TABLES.len());
    for table in COPIED_TABLES {
        counts.push((*table, repo::count_rows(source, table)?));
    }
    let mut run = Run {
        done: 0,
        total: counts.iter().map(|(_, n)| *n as u64).sum(),
        progress,
    };
    // Indexes are built once at the end, not kept up row by row.
    let indexes = maintenance::drop_secondary_indexes(target, COPIED_TABLES)?;
    repo::delete_all(target, "site_settings")?;
    run.table::<repo::SectionCopy>(source, target)?;
    run.table::<repo::TagCopy>(source, target)?;
    run.table::<repo::AuthorCopy>(source, target)?;
    run.table::<repo::TokenCopy>(source, target)?;
    run.articles(source, target)?;
    run.table::<repo::StatsCopy>(source, target)?;
    run.table::<repo::ArticleTagCopy>(source, target)?;
    run.table::<repo::ArticleAuthorCopy>(source, target)?;
    run.table::<repo::OldSlugCopy>(source, target)?;
    run.table::<repo::RevisionCopy>(source, target)?;
    run.table::<repo::ViewDayCopy>(source, target)?;
    run.table::<repo::ChangeCopy>(source, target)?;
    run.table::<repo::CommentCopy>(source, target)?;
    run.table::<repo::IdempotencyCopy>(source, target)?;
    run.table::<repo::FlushBatchCopy>(source, target)?;
    run.table::<repo::SettingCopy>(source, target)?;
    // The index was built by this binary's text pipeline, whatever built
    // the source's (without the setting, start-up records it).
    if maintenance::setting(target, PIPELINE_KEY)?.is_some() {
        maintenance::set_setting(target, PIPELINE_KEY, PIPELINE_VERSION)?;
    }
    // Derived: recounted from the copied articles' local days, as seeding does.
    run.advance("archive_counts", 0);
    archive::rebuild_counts(target)?;
    let change_seq = repo::change_seq_high_water(source)?;
    repo::reset_sequences(target, change_seq)?;
    run.advance("indexes", 0);
    maintenance::create_indexes(target, &indexes)?;
    run.advance("comparing", 0);

    let mut tables = Vec::with_capacity(counts.len() + 2);
    for (table, n) in counts {
        tables.push(TableCount {
            table,
            source: n,
            target: repo::count_rows(target, table)?,
            how: How::Copied,
        });
    }
    tables.push(TableCount {
        table: SEARCH_INDEX,
        source: repo::count_indexed(source)?,
        target: repo::count_indexed(target)?,
        how: How::Rebuilt,
    });
    for table in REBUILT_TABLES {
        tables.push(TableCount {
            table,
            source: repo::count_rows(source, table)?,
            target: repo::count_rows(target, table)?,
            how: How::Rebuilt,
        });
    }
    let report = CopyReport {
        tables,
        source_checksum: checksum(source)?,
        target_checksum: checksum(target)?,
        articles: repo::count_rows(target, "articles")?,
    };
    if report.matches() {
        Ok(report)
    } else {
        Err(CopyError::Mismatch(Box::new(report)))
    }
}

/// The state of one copy: rows done, and whom to tell.
struct Run<'p> {
    done: u64,
    total: u64,
    progress: &'p mut dyn FnMut(Progress),
}

impl Run<'_> {
    fn advance(&mut self, table: &'static str, rows: usize) {
        self.done += rows as u64;
        (self.progress)(Progress {
            table,
            done: self.done,
            total: self.total,
        });
    }

    /// Copies one table a batch at a time, in key order.
    fn table<R: CopyRow>(
        &mut self,
        source: &mut DbConnection,
        target: &mut DbConnection,
    ) -> Result<(), CopyError> {
        let failed = |source| CopyError::Table {
            table: R::TABLE,
            source,
        };
        let mut after: Option<R::Key> = None;
        loop {
            let rows = R::load_after(source, after.as_ref(), BATCH).map_err(failed)?;
            let Some(last) = rows.last() else { break };
            after = Some(last.key());
            R::insert(target, &rows).map_err(failed)?;
            self.advance(R::TABLE, rows.len());
            if rows.len() < BATCH as usize {
                break;
            }
        }
        Ok(())
    }

    /// Copies the articles, and writes the target's search index from their
    /// text as it goes (derived data: the source's index is another
    /// backend's structure, and the pipeline is this binary's).
    fn articles(
        &mut self,
        source: &mut DbConnection,
        target: &mut DbConnection,
    ) -> Result<(), CopyError> {
        use repo::ArticleCopy;
        let failed = |source| CopyError::Table {
            table: ArticleCopy::TABLE,
            source,
        };
        // The source is read and the text pipeline run on a thread of
        // their own, a batch or two ahead of the inserts: the target then
        // writes while the next batch is being prepared.
        std::thread::scope(|scope| -> Result<(), CopyError> {
            let (batches, received) = std::sync::mpsc::sync_channel(2);
            scope.spawn(move || {
                let mut after = None;
                loop {
                    let rows = match ArticleCopy::load_after(source, after.as_ref(), BATCH) {
                        Ok(rows) => rows,
                        Err(e) => {
                            let _ = batches.send(Err(e));
                            return;
                        }
                    };
                    let Some(last) = rows.last() else { return };
                    after = Some(last.id);
                    let texts: Vec<(&str, &str, &str)> = rows
                        .iter()
                        .map(|a| (a.title.as_str(), a.summary.as_str(), a.body_text.as_str()))
                        .collect();
                    let docs = documents(&texts);
                    let last_batch = rows.len() < BATCH as usize;
                    // The receiver hangs up when an insert failed: stop.
                    if batches.send(Ok((rows, docs))).is_err() || last_batch {
                        return;
                    }
                }
            });
            for batch in received {
                let (rows, docs) = batch.map_err(failed)?;
                repo::insert_articles(target, &rows, &docs).map_err(failed)?;
                if matches!(target, DbConnection::Sqlite(_)) {
                    let entries: Vec<search::IndexEntry> = rows
                        .iter()
                        .zip(&docs)
                        .map(|(a, doc)| search::IndexEntry {
                            id: a.id,
                            key: search_key(a.published_at.unwrap_or(a.created_at), a.id),
                            doc,
                        })
                        .collect();
                    search::write(target, &entries, &[]).map_err(failed)?;
                }
                self.advance(ArticleCopy::TABLE, rows.len());
            }
            Ok(())
        })
    }
}

/// SHA-256 (hex) over every article's stored version, in id order:
/// `id, slug, status, version, updated_at, deleted_at` (times in
/// microseconds, the precision both backends keep), one line each.
pub fn checksum(conn: &mut DbConnection) -> Result<String, diesel::result::Error> {
    let mut hash = Sha256::new();
    let mut after = i64::MIN;
    loop {
        let rows = repo::article_versions(conn, after, CHECKSUM_BATCH)?;
        for a in &rows {
            let micros = |t: chrono::NaiveDateTime| t.and_utc().timestamp_micros();
            hash.update(format!(
                "{}\t{}\t{}\t{}\t{}\t{}\n",
                a.id,
                a.slug,
                a.status,
                a.version,
                micros(a.updated_at),
                a.deleted_at
                    .map(micros)
                    .map_or("-".into(), |m| m.to_string())
            ));
        }
        match rows.last() {
            Some(last) if rows.len() == CHECKSUM_BATCH as usize => after = last.id,
            _ => break,
        }
    }
    Ok(hash.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_matches_only_when_counts_and_checksums_agree() {
        let mut report = CopyReport {
            tables: vec![
                TableCount {
                    table: "articles",
                    source: 3,
                    target: 3,
                    how: How::Copied,
                },
                TableCount {
                    table: SEARCH_INDEX,
                    source: 2,
                    target: 3,
                    how: How::Rebuilt,
                },
                TableCount {
                    table: "archive_counts",
                    source: 9,
                    target: 8,
                    how: How::Rebuilt,
                },
            ],
            source_checksum: "ab".repeat(32),
            target_checksum: "ab".repeat(32),
            articles: 3,
        };
        // Rebuilt tables may differ from the source's (derived data).
        assert!(report.matches(), "{}", report.render());
        assert!(report.render().contains("rebuilt"));
        report.tables[0].target = 2;
        assert!(!report.matches());
        assert!(report.render().contains("MISMATCH"));
        report.tables[0].target = 3;
        report.target_checksum = "cd".repeat(32);
        assert!(!report.matches());
        report.target_checksum = report.source_checksum.clone();
        report.tables[1].target = 2;
        assert!(!report.matches(), "an article missing from the index");
    }
}
