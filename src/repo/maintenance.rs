//! Database housekeeping: liveness probes and planner statistics.

use diesel::prelude::*;
use diesel::{sql_query, QueryResult, RunQueryDsl};

use crate::db::schema::site_settings;

use crate::db::DbConnection;

/// The database answers a trivial query.
pub fn ping(conn: &mut DbConnection) -> QueryResult<()> {
    sql_query("SELECT 1").execute(conn).map(drop)
}

/// Refreshes the query planner's statistics; run after every bulk load (a
/// planner without statistics picks slow plans for list pages).
///
/// PostgreSQL: `ANALYZE` on every table. SQLite: `ANALYZE` (fills
/// `sqlite_stat1`), then `PRAGMA optimize`. Call it once the load has
/// committed.
pub fn refresh_statistics(conn: &mut DbConnection) -> QueryResult<()> {
    match conn {
        DbConnection::Postgres(pg) => {
            sql_query("ANALYZE").execute(pg)?;
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

/// Refreshes the statistics of the tables that changed much since they were
/// last taken, as autovacuum's analyze would (more than 50 rows plus 10% of
/// the table): a server on a PostgreSQL without autovacuum otherwise plans
/// its comment threads as if the table were empty. Returns the tables it
/// analyzed. SQLite: `PRAGMA optimize`, which does the same for SQLite (it
/// runs `ANALYZE` only where the statistics are stale or missing).
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
            // A bounded sample per index: the write lock ANALYZE takes must
            // stay short on a million-article archive.
            sql_query("PRAGMA analysis_limit = 1000").execute(lite)?;
            sql_query("PRAGMA optimize").execute(lite)?;
            sql_query("PRAGMA analysis_limit = 0").execute(lite)?;
            Ok(Vec::new())
        }
    }
}

/// SQLite's page cache for one connection during a bulk load, in KiB: a
/// load touches every index's right edge and the FTS5 segments, and with the
/// default 2 MiB the transaction's dirty pages spilled to the WAL and were
/// read back over and over (300,000 articles took 5x the time of 100,000).
const BULK_CACHE_KIB: i64 = 512 * 1024;

/// SQLite's default page cache (`-2000`: 2,000 KiB).
const DEFAULT_CACHE_KIB: i64 = 2000;

/// Gives this connection a bulk load's page cache (SQLite; PostgreSQL's
/// buffers are the server's) until [`end_bulk_load`].
pub fn begin_bulk_load(conn: &mut DbConnection) -> QueryResult<()> {
    if let DbConnection::Sqlite(lite) = conn {
        sql_query(format!("PRAGMA cache_size = -{BULK_CACHE_KIB}")).execute(lite)?;
    }
    Ok(())
}

/// Gives the connection its usual page cache back (it returns to the pool).
pub fn end_bulk_load(conn: &mut DbConnection) -> QueryResult<()> {
    if let DbConnection::Sqlite(lite) = conn {
        sql_query(format!("PRAGMA cache_size = -{DEFAULT_CACHE_KIB}")).execute(lite)?;
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
    // The names are the caller's constants, never input.
    let names = tables
        .iter()
        .map(|t| format!("'{t}'"))
        .collect::<Vec<_>>()
        .join(", ");
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

/// Runs the statements [`drop_secondary_indexes`] returned.
pub fn create_indexes(conn: &mut DbConnection, definitions: &[String]) -> QueryResult<()> {
    for definition in definitions {
        sql_query(definition.as_str()).execute(conn)?;
    }
    Ok(())
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
