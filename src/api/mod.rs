//! The HTTP layer: handlers, DTOs, extractors and middleware. Only this layer
//! knows HTTP.

pub mod context;
pub mod middleware;
pub mod ops;
pub mod routes;
pub mod v1;

use crate::config::Settings;
use crate::db::Db;

/// Shared state of every handler.
pub struct AppState {
    /// The database.
    pub db: Db,
    /// Deployment settings.
    pub settings: Settings,
}
