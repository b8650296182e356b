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
