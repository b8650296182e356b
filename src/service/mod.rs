//! Use cases: synchronous, given a connection, owning transactions and policy.
//! Nothing here knows HTTP.

pub mod articles;
pub mod ops;
pub mod taxonomy;

use crate::db::IsConnectionError;
use crate::domain::Entity;

/// Why a use case failed.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The thing asked for does not exist (or is not public).
    #[error("{0:?} not found")]
    NotFound(Entity),
    /// The database failed.
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
    /// Stored data breaks an invariant (a bug or a manual edit).
    #[error("inconsistent data: {0}")]
    Inconsistent(String),
}

impl IsConnectionError for ServiceError {
    fn is_connection_error(&self) -> bool {
        matches!(self, ServiceError::Database(e) if e.is_connection_error())
    }
    fn connection_error_text(&self) -> String {
        self.to_string()
    }
}

/// Offset paging of a small collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// 1-based page number.
    pub page: u32,
    /// Items per page.
    pub per_page: u32,
}

impl PageRequest {
    /// Rows to skip.
    pub fn offset(&self) -> i64 {
        i64::from(self.page.saturating_sub(1)) * i64::from(self.per_page)
    }
}

/// A page of a collection.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// Whether more items follow.
    pub has_more: bool,
    /// How many items the whole collection has, when asked for.
    pub total: Option<i64>,
}
