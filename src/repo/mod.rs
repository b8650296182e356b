//! Diesel queries, one file per aggregate: synchronous functions taking a
//! `&mut DbConnection`. Portable DSL unless a backend needs its own SQL.

/// Runs `$body` with the concrete connection bound to `$c`. Used on the hot
/// read paths: through `MultiConnection` every execution re-renders the SQL
/// text (and keys boxed statements by it); on the concrete connection a
/// statically-typed query is a pure statement-cache hit.
macro_rules! on_backend {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::db::DbConnection::Postgres($c) => $body,
            $crate::db::DbConnection::Sqlite($c) => $body,
        }
    };
}

pub mod archive;
pub mod articles;
pub mod changes;
pub mod comments;
pub mod copy;
pub mod list_index;
pub mod listing;
pub mod maintenance;
pub mod revisions;
pub mod search;
pub mod sql;
pub mod taxonomy;
pub mod tokens;
pub mod views;
