//! Operational checks.

use crate::db::DbConnection;
use crate::repo;
use crate::service::ServiceError;

/// Ready to serve: the database answers a query.
pub fn ready(conn: &mut DbConnection) -> Result<(), ServiceError> {
    repo::maintenance::ping(conn)?;
    Ok(())
}
