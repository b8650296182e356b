//! Database housekeeping: liveness probes and planner statistics.

use diesel::prelude::*;
use diesel::{sql_query, QueryResult, RunQueryDsl};

use crate::db::schema::site_settings;

use crate::db::{DbConnection, SQLITE_BUSY_TIMEOUT_MS};

/// The database answers a trivial query.
pub fn ping(conn: &mut DbConnection) -> QueryResult<()> {
    sql_query("SELECT 1").execute(conn).map(drop)
}

/// Refreshes the query planner's statistics; run after every bulk load (a
/// planner without statistics picks slow plans for list pages).
///
/// PostgreSQL: `VACUUM (ANALYZE)` on every table, not `ANALYZE` alone.
/// Autovacuum may be off (and lags a load anyway), and until a table is
/// vacuumed its visibility map is empty: every index-only scan (the tag
/// and author pages read their link rows' index alone) visits the heap
/// for each entry, and the first read of each page after the load sets
/// its hint bits and dirties it. Measured on the 100,000-article seed: a
/// tag page's link scan made 61 heap fetches for 61 entries before,
/// none after. SQLite: `ANALYZE` (fills `sqlite_stat1`), then `PRAGMA
/// optimize`. Call it once the load has committed (`VACUUM` cannot run
/// in a transaction).
pub fn refresh_statistics(conn: &mut DbConnection) -> QueryResult<()> {
    match conn {
        DbConnection::Postgres(pg) => {
            sql_query("VACUUM (ANALYZE)").execute(pg)?;
        }
        DbConnection::Sqlite(lite) => {
            sql_query("ANALYZE").execute(lite)?;
            sql_query("PRAGMA optimize").execute(lite)?;
        }
    }
    Ok(())
}

/// A table whose rows changed since its statistics were taken.
#[derive(QueryableByName)]
struct StaleTable {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
}

/// A statement `PRAGMA optimize` proposes.
#[derive(QueryableByName)]
struct OptimizeStep {
    #[diesel(sql_type = diesel::sql_types::Text, column_name = "optimize")]
    statement: String,
}

#[derive(QueryableByName)]
struct RowCount {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// The table of an `ANALYZE "main"."name"` that `PRAGMA optimize` lists.
fn analyzed_table(statement: &str) -> Option<String> {
    let name = statement
        .strip_prefix("ANALYZE \"main\".\"")?
        .strip_suffix('"')?;
    Some(name.replace("\"\"", "\""))
}

/// Refreshes the statistics of the tables that changed much since they were
/// last taken, as autovacuum's analyze would (more than 50 rows plus 10% of
/// the table): a server on a PostgreSQL without autovacuum otherwise plans
/// its comment threads as if the table were empty. Returns the tables it
/// analyzed. SQLite: the tables `PRAGMA optimize` proposes, by the same
/// rule, or without statistics and not empty.
pub fn refresh_stale_statistics(conn: &mut DbConnection) -> QueryResult<Vec<String>> {
    match conn {
        DbConnection::Postgres(pg) => {
            let stale: Vec<StaleTable> = sql_query(
                "SELECT relname::text AS name FROM pg_stat_user_tables \
                 WHERE schemaname = current_schema() \
                 AND n_mod_since_analyze > 50 + 0.1 * n_live_tup",
            )
            .load(pg)?;
            for table in &stale {
                // Quoted as an identifier; the name comes from the catalog.
                let quoted = table.name.replace('"', "\"\"");
                sql_query(format!("ANALYZE \"{quoted}\"")).execute(pg)?;
            }
            Ok(stale.into_iter().map(|t| t.name).collect())
        }
        DbConnection::Sqlite(lite) => {
            // What `PRAGMA optimize` would analyze (0x10000: every table,
            // not only those this pooled connection happened to read; 1:
            // list them, run nothing), kept to the tables whose row count
            // moved as PostgreSQL's rule above says. A connection that read
            // a table before another one analyzed it still sees it
            // unanalyzed, and optimize there proposes it again (the
            // settings table, 4 rows with statistics of 4, at the first
            // tick after start); an ANALYZE while reads run can stall them
            // (~100 ms at a million articles).
            let proposed: Vec<OptimizeStep> =
                sql_query("SELECT * FROM pragma_optimize(0x10003)").load(lite)?;
            let mut analyzed = Vec::new();
            for step in proposed {
                let Some(table) = analyzed_table(&step.statement) else {
                    continue;
                };
                let quoted = table.replace('"', "\"\"");
                let rows = sql_query(format!("SELECT COUNT(*) AS n FROM \"{quoted}\""))
                    .get_result::<RowCount>(lite)?
                    .n;
                let counted: Option<RowCount> = sql_query(
                    "SELECT CAST(stat AS INTEGER) AS n FROM sqlite_stat1 WHERE tbl = ? LIMIT 1",
                )
                .bind::<diesel::sql_types::Text, _>(&table)
                .get_result(lite)
                .optional()?;
                let stale = match counted {
                    // Statistics of an empty table tell the planner nothing.
                    None => rows > 0,
                    Some(RowCount { n: before }) => (rows - before).abs() > 50 + before / 10,
                };
                if stale {
                    // A bounded sample per index: the write lock ANALYZE
                    // takes must stay short on a million-article archive.
                    sql_query("PRAGMA analysis_limit = 1000").execute(lite)?;
                    let ran = sql_query(format!("ANALYZE \"{quoted}\"")).execute(lite);
                    sql_query("PRAGMA analysis_limit = 0").execute(lite)?;
                    ran?;
                    analyzed.push(table);
                }
            }
            Ok(analyzed)
        }
    }
}

/// SQLite's page cache for one connection during a bulk load, in KiB: a
/// load touches every index's right edge and the FTS5 segments, and with the
/// default 2 MiB the transaction's dirty pages spilled to the WAL and were
/// read back over and over (300,000 articles took 5x the time of 100,000).
const BULK_CACHE_KIB: i64 = 512 * 1024;

/// How much of the file a bulk load maps, in bytes: all of it (SQLite maps
/// no further than the file's end; the build's `SQLITE_MAX_MMAP_SIZE` caps
/// it at 1 TiB). A million articles make a 6 GB file; past the 2 GiB the
/// server maps, every page the index builds read was copied by `pread` into
/// the page cache (a third of their time in `perf`).
const BULK_MMAP_BYTES: u64 = 1 << 40;

/// SQLite's default page cache (`-2000`: 2,000 KiB).
const DEFAULT_CACHE_KIB: i64 = 2000;

/// What [`begin_bulk_load`] changed, for [`end_bulk_load`] to undo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BulkLoad {
    /// The SQLite database left WAL for a rollback journal.
    pub left_wal: bool,
}

#[derive(QueryableByName)]
struct JournalMode {
    #[diesel(sql_type = diesel::sql_types::Text)]
    journal_mode: String,
}

/// Sets the journal mode and says which one the database is in now.
fn set_journal_mode(
    lite: &mut diesel::sqlite::SqliteConnection,
    mode: &str,
) -> QueryResult<String> {
    // `mode` is one of this module's constants, never input.
    let row: JournalMode = sql_query(format!("PRAGMA journal_mode = {mode}")).get_result(lite)?;
    Ok(row.journal_mode.to_ascii_lowercase())
}

/// Prepares this connection for a bulk load until [`end_bulk_load`]
/// (SQLite; PostgreSQL's buffers and WAL are the server's): a large page
/// cache, the whole file memory-mapped, and a rollback journal instead of
/// the WAL when no other connection has the database open.
///
/// Why the journal: a transaction larger than the page cache spills its
/// pages into the WAL, and every read of a page then searches the WAL's
/// index from its newest part back, a search that grows with the WAL. One
/// transaction of a million articles wrote an 8.7 GB WAL, and the seed took
/// 465 s, 20.7x the time of 100,000 (236 s, 13.1x, with the journal). A
/// rollback journal keeps only the pages that
/// existed before the transaction (a load mostly appends new ones), so
/// spilled pages go to the file itself and are read back from it. The load
/// stays one atomic transaction either way: an interrupted load leaves a
/// hot journal that the next connection rolls back.
///
/// SQLite can leave WAL only while no other connection has the file open;
/// with a running server beside it the switch fails at once (no busy wait)
/// and the load goes on in WAL, as before. The other way round, a server
/// started during such a load cannot put the file in WAL: it fails at once
/// with "database is locked" and can be started again once the load is
/// done.
pub fn begin_bulk_load(conn: &mut DbConnection) -> QueryResult<BulkLoad> {
    let DbConnection::Sqlite(lite) = conn else {
        return Ok(BulkLoad { left_wal: false });
    };
    sql_query(format!("PRAGMA cache_size = -{BULK_CACHE_KIB}")).execute(lite)?;
    sql_query(format!("PRAGMA mmap_size = {BULK_MMAP_BYTES}")).execute(lite)?;
    sql_query("PRAGMA busy_timeout = 0").execute(lite)?;
    let switched = set_journal_mode(lite, "TRUNCATE");
    sql_query(format!("PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")).execute(lite)?;
    let left_wal = match switched {
        Ok(mode) => mode == "truncate",
        // Another connection has the database open.
        Err(diesel::result::Error::DatabaseError(_, info))
            if info.message().contains("locked") || info.message().contains("busy") =>
        {
            false
        }
        Err(e) => return Err(e),
    };
    Ok(BulkLoad { left_wal })
}

/// Gives the connection its usual page cache and the database its WAL back.
pub fn end_bulk_load(conn: &mut DbConnection, load: BulkLoad) -> QueryResult<()> {
    if let DbConnection::Sqlite(lite) = conn {
        sql_query(format!("PRAGMA cache_size = -{DEFAULT_CACHE_KIB}")).execute(lite)?;
        sql_query(format!(
            "PRAGMA mmap_size = {}",
            crate::db::sqlite_mmap_bytes()
        ))
        .execute(lite)?;
        if load.left_wal {
            let mode = set_journal_mode(lite, "WAL")?;
            if mode != "wal" {
                return Err(diesel::result::Error::QueryBuilderError(
                    format!("SQLite stayed in journal mode {mode} after a bulk load").into(),
                ));
            }
        }
    }
    Ok(())
}

/// A stored site setting.
pub fn setting(conn: &mut DbConnection, key: &str) -> QueryResult<Option<String>> {
    site_settings::table
        .filter(site_settings::key.eq(key))
        .select(site_settings::value)
        .first(conn)
        .optional()
}

/// Stores a site setting.
pub fn set_setting(conn: &mut DbConnection, key: &str, value: &str) -> QueryResult<()> {
    diesel::delete(site_settings::table.filter(site_settings::key.eq(key))).execute(conn)?;
    diesel::insert_into(site_settings::table)
        .values((site_settings::key.eq(key), site_settings::value.eq(value)))
        .execute(conn)
        .map(|_| ())
}

#[derive(QueryableByName)]
struct IndexDefinition {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    definition: String,
}

/// The secondary indexes of `tables`: not those that enforce a primary key
/// or a unique constraint (SQLite keeps no SQL for those).
fn find_secondary_indexes(
    conn: &mut DbConnection,
    tables: &[&'static str],
) -> QueryResult<Vec<IndexDefinition>> {
    let names = sql_names(tables);
    match conn {
        DbConnection::Postgres(pg) => sql_query(format!(
            "SELECT i.relname::text AS name, pg_get_indexdef(i.oid) AS definition \
             FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid \
             JOIN pg_class t ON t.oid = x.indrelid \
             WHERE t.relname IN ({names}) AND t.relnamespace = to_regnamespace(current_schema()) \
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid) \
             ORDER BY 1"
        ))
        .load(pg),
        DbConnection::Sqlite(lite) => sql_query(format!(
            "SELECT name, sql AS definition FROM sqlite_master \
             WHERE type = 'index' AND tbl_name IN ({names}) AND sql IS NOT NULL ORDER BY 1"
        ))
        .load(lite),
    }
}

/// Drops the secondary indexes of `tables` and returns the statements that
/// make them again, for [`create_indexes`] once a bulk load is in: building
/// an index over a million rows at once is far cheaper than keeping it up
/// row by row (PostgreSQL's GIN index worst of all). Inside a transaction, a
/// failed load brings them back with everything else.
pub fn drop_secondary_indexes(
    conn: &mut DbConnection,
    tables: &[&'static str],
) -> QueryResult<Vec<String>> {
    let found = find_secondary_indexes(conn, tables)?;
    for index in &found {
        sql_query(format!("DROP INDEX \"{}\"", index.name)).execute(conn)?;
    }
    Ok(found.into_iter().map(|i| i.definition).collect())
}

/// `tables` as an SQL list of string literals (`'a', 'b'`). The names are
/// the callers' constants, never input.
pub(crate) fn sql_names(tables: &[&'static str]) -> String {
    tables
        .iter()
        .map(|t| format!("'{t}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// PostgreSQL: drops the UNIQUE constraints of `tables` that no foreign key
/// depends on, and returns the statements that add them again, for
/// [`create_indexes`]. A bulk load otherwise inserts into their indexes row
/// by row in random order (the article slugs: at a million articles that
/// index outgrows the buffer cache, and every checkpoint during the load
/// makes its pages be logged whole again). Adding them back checks every
/// row, so a duplicate fails the load as the insert would have. SQLite
/// keeps its UNIQUE constraints (they are part of the table); its article
/// slugs are a unique index instead, which [`drop_secondary_indexes`] takes.
pub fn drop_unique_constraints(
    conn: &mut DbConnection,
    tables: &[&'static str],
) -> QueryResult<Vec<String>> {
    drop_constraints(
        conn,
        tables,
        "c.contype = 'u' AND NOT EXISTS (SELECT 1 FROM pg_constraint f \
         WHERE f.contype = 'f' AND f.conindid = c.conindid)",
    )
}

/// PostgreSQL: drops the foreign keys of `tables` and returns the
/// statements that add them again, for [`create_indexes`] after the
/// indexes. Kept during a bulk load, every inserted row runs its checks as
/// a query of its own in an after-row trigger: a fifth of PostgreSQL's time
/// in a seed. Adding a key back checks every row with one join, so a row
/// without its parent fails the load as the insert would have. SQLite keeps
/// them (they are part of the table, and its check is a primary-key probe
/// in the same process).
pub fn drop_foreign_keys(
    conn: &mut DbConnection,
    tables: &[&'static str],
) -> QueryResult<Vec<String>> {
    drop_constraints(conn, tables, "c.contype = 'f'")
}

#[derive(QueryableByName)]
struct Constraint {
    #[diesel(sql_type = diesel::sql_types::Text)]
    drop: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    add: String,
}

/// PostgreSQL: drops the constraints of `tables` that `condition` (SQL on
/// `pg_constraint c`, a constant) selects; returns the statements that add
/// them again. Nothing on SQLite.
fn drop_constraints(
    conn: &mut DbConnection,
    tables: &[&'static str],
    condition: &str,
) -> QueryResult<Vec<String>> {
    let DbConnection::Postgres(pg) = conn else {
        return Ok(Vec::new());
    };
    let found: Vec<Constraint> = sql_query(format!(
        "SELECT format('ALTER TABLE %I DROP CONSTRAINT %I', t.relname, c.conname) AS drop, \
         format('ALTER TABLE %I ADD CONSTRAINT %I %s', t.relname, c.conname, \
         pg_get_constraintdef(c.oid)) AS add \
         FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid \
         WHERE {condition} AND t.relname IN ({names}) \
         AND t.relnamespace = to_regnamespace(current_schema()) \
         ORDER BY c.conname",
        names = sql_names(tables)
    ))
    .load(pg)?;
    for constraint in &found {
        sql_query(&constraint.drop).execute(pg)?;
    }
    Ok(found.into_iter().map(|c| c.add).collect())
}

/// Sort memory for PostgreSQL's index builds after a bulk load: with the
/// default (64 MB) the builds of a million articles sort on disk in runs,
/// and the GIN build of the search index flushes its entries many times.
const BULK_INDEX_MEMORY: &str = "512MB";

#[derive(QueryableByName)]
struct CacheSize {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    cache_size: i64,
}

#[derive(QueryableByName)]
struct SorterThreads {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    threads: i64,
}

/// SQLite's page cache while [`create_indexes`] runs, in KiB. SQLite's
/// sorter sorts runs as large as the page cache (up to 512 MiB) in memory
/// and merges them; with the bulk load's 512 MiB the keys of a million
/// articles were one run, sorted as a linked list far larger than the CPU's
/// caches. Runs of 2 MiB, sorted by worker threads and then merged, built
/// the nine indexes of a million articles in 7.3 s instead of 13.5–14.0 s
/// (the same at 100,000: 0.72–0.83 s either way).
const INDEX_BUILD_CACHE_KIB: i64 = 2000;

/// SQLite's sorter threads while [`create_indexes`] runs (`PRAGMA
/// threads`: helpers that sort and merge runs beside the connection's own
/// thread).
fn index_build_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(4))
}

/// Runs the statements [`drop_secondary_indexes`] returned (inside the
/// load's transaction: on PostgreSQL with [`BULK_INDEX_MEMORY`] for it; on
/// SQLite with small sort runs and sorter threads, see
/// [`INDEX_BUILD_CACHE_KIB`], then the connection's own settings again).
pub fn create_indexes(conn: &mut DbConnection, definitions: &[String]) -> QueryResult<()> {
    match conn {
        DbConnection::Postgres(pg) => {
            sql_query(format!(
                "SET LOCAL maintenance_work_mem = '{BULK_INDEX_MEMORY}'"
            ))
            .execute(pg)?;
            for definition in definitions {
                sql_query(definition.as_str()).execute(pg)?;
            }
            Ok(())
        }
        DbConnection::Sqlite(lite) => {
            let cache: CacheSize = sql_query("PRAGMA cache_size").get_result(lite)?;
            let threads: SorterThreads = sql_query("PRAGMA threads").get_result(lite)?;
            sql_query(format!("PRAGMA cache_size = -{INDEX_BUILD_CACHE_KIB}")).execute(lite)?;
            sql_query(format!("PRAGMA threads = {}", index_build_threads())).execute(lite)?;
            let built = definitions
                .iter()
                .try_for_each(|definition| sql_query(definition.as_str()).execute(lite).map(drop));
            sql_query(format!("PRAGMA threads = {}", threads.threads)).execute(lite)?;
            sql_query(format!("PRAGMA cache_size = {}", cache.cache_size)).execute(lite)?;
            built
        }
    }
}

/// The names of the secondary indexes of `tables`.
pub fn secondary_indexes(
    conn: &mut DbConnection,
    tables: &[&'static str],
) -> QueryResult<Vec<String>> {
    Ok(find_secondary_indexes(conn, tables)?
        .into_iter()
        .map(|i| i.name)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::DbTarget;

    fn journal_mode(conn: &mut DbConnection) -> String {
        let DbConnection::Sqlite(lite) = conn else {
            unreachable!("SQLite only")
        };
        let row: JournalMode = sql_query("PRAGMA journal_mode").get_result(lite).unwrap();
        row.journal_mode
    }

    #[test]
    fn a_lone_sqlite_bulk_load_leaves_wal_and_returns_to_it() {
        let dir = tempfile::tempdir().unwrap();
        let target = DbTarget::parse(&format!("sqlite://{}/k.db", dir.path().display())).unwrap();
        let mut conn = target.connect().unwrap();
        assert_eq!(journal_mode(&mut conn), "wal");
        let load = begin_bulk_load(&mut conn).unwrap();
        assert!(load.left_wal);
        assert_eq!(journal_mode(&mut conn), "truncate");
        end_bulk_load(&mut conn, load).unwrap();
        assert_eq!(journal_mode(&mut conn), "wal");
    }

    #[test]
    fn a_sqlite_bulk_load_maps_the_whole_file_and_then_what_the_server_maps() {
        #[derive(QueryableByName)]
        struct Mmap {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            mmap_size: i64,
        }
        fn mmap_size(conn: &mut DbConnection) -> u64 {
            let DbConnection::Sqlite(lite) = conn else {
                unreachable!("SQLite only")
            };
            let row: Mmap = sql_query("PRAGMA mmap_size").get_result(lite).unwrap();
            row.mmap_size as u64
        }
        let dir = tempfile::tempdir().unwrap();
        let target = DbTarget::parse(&format!("sqlite://{}/k.db", dir.path().display())).unwrap();
        let mut conn = target.connect().unwrap();
        assert_eq!(mmap_size(&mut conn), crate::db::sqlite_mmap_bytes());
        let load = begin_bulk_load(&mut conn).unwrap();
        // SQLite clamps the request to its build's SQLITE_MAX_MMAP_SIZE
        // (2 GiB unless .cargo/config.toml raises it).
        assert_eq!(mmap_size(&mut conn), BULK_MMAP_BYTES);
        end_bulk_load(&mut conn, load).unwrap();
        assert_eq!(mmap_size(&mut conn), crate::db::sqlite_mmap_bytes());
    }

    #[test]
    fn a_bulk_load_beside_another_connection_stays_in_wal_without_waiting() {
        let dir = tempfile::tempdir().unwrap();
        let target = DbTarget::parse(&format!("sqlite://{}/k.db", dir.path().display())).unwrap();
        let mut conn = target.connect().unwrap();
        let mut other = target.connect().unwrap();
        sql_query("CREATE TABLE t (x INTEGER)")
            .execute(&mut other)
            .unwrap();
        let started = std::time::Instant::now();
        let load = begin_bulk_load(&mut conn).unwrap();
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        assert!(!load.left_wal);
        assert_eq!(journal_mode(&mut conn), "wal");
        // The busy timeout is back: writes wait for each other again.
        #[derive(QueryableByName)]
        struct Timeout {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            timeout: i64,
        }
        let DbConnection::Sqlite(lite) = &mut conn else {
            unreachable!("SQLite only")
        };
        let busy: Timeout = sql_query("PRAGMA busy_timeout").get_result(lite).unwrap();
        assert_eq!(busy.timeout as u64, SQLITE_BUSY_TIMEOUT_MS);
        end_bulk_load(&mut conn, load).unwrap();
        assert_eq!(journal_mode(&mut other), "wal");
    }

    #[test]
    fn sqlite_index_builds_get_their_sort_settings_back_to_the_loads() {
        fn settings(conn: &mut DbConnection) -> (i64, i64) {
            let DbConnection::Sqlite(lite) = conn else {
                unreachable!("SQLite only")
            };
            let cache: CacheSize = sql_query("PRAGMA cache_size").get_result(lite).unwrap();
            let threads: SorterThreads = sql_query("PRAGMA threads").get_result(lite).unwrap();
            (cache.cache_size, threads.threads)
        }
        let dir = tempfile::tempdir().unwrap();
        let target = DbTarget::parse(&format!("sqlite://{}/k.db", dir.path().display())).unwrap();
        let mut conn = target.connect().unwrap();
        sql_query("CREATE TABLE t (x INTEGER, y TEXT)")
            .execute(&mut conn)
            .unwrap();
        sql_query(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) \
             INSERT INTO t SELECT (i * 7919) % 5000, printf('%08d', i) FROM n",
        )
        .execute(&mut conn)
        .unwrap();
        let load = begin_bulk_load(&mut conn).unwrap();
        sql_query("PRAGMA threads = 1").execute(&mut conn).unwrap();
        let during_load = settings(&mut conn);
        assert_eq!(during_load, (-BULK_CACHE_KIB, 1));
        create_indexes(
            &mut conn,
            &[
                "CREATE INDEX t_x ON t (x, y)".to_string(),
                "CREATE UNIQUE INDEX t_y ON t (y)".to_string(),
            ],
        )
        .unwrap();
        assert_eq!(settings(&mut conn), during_load);
        // A duplicate fails the build, and the settings still come back.
        let duplicates = ["CREATE UNIQUE INDEX t_z ON t (x % 10)".to_string()];
        assert!(create_indexes(&mut conn, &duplicates).is_err());
        assert_eq!(settings(&mut conn), during_load);
        end_bulk_load(&mut conn, load).unwrap();
        let DbConnection::Sqlite(lite) = &mut conn else {
            unreachable!("SQLite only")
        };
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let sorted: Count = sql_query("SELECT count(*) AS n FROM t INDEXED BY t_x WHERE x >= 0")
            .get_result(lite)
            .unwrap();
        assert_eq!(sorted.n, 5000);
    }
}
