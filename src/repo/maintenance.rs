//! Database housekeeping: liveness probes and planner statistics.

use diesel::{sql_query, QueryResult, RunQueryDsl};

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
