//! Diesel queries, one file per aggregate: synchronous functions taking a
//! `&mut DbConnection`. Portable DSL unless a backend needs its own SQL.

pub mod articles;
pub mod taxonomy;
