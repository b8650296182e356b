//! SQL text built at run time, with bound values, that Diesel may keep as a
//! prepared statement.
//!
//! `diesel::sql_query` marks itself unsafe to cache, so every run would be
//! parsed and planned again; list pages and searches are hot, and their SQL
//! is one of a few dozen shapes. This fragment renders its placeholders
//! through the backend (`?` or `$n`) and lets Diesel's statement cache key
//! it by its text. Hand-written because Diesel's DSL cannot express a list
//! that is driven by a link table, an FTS5 table or a `tsvector`.

use chrono::NaiveDateTime;
use diesel::backend::Backend;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::{BigInt, Bool, Integer, Nullable, Text, Timestamp, Untyped};
use diesel::{QueryResult, RunQueryDsl};

/// A bound value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// Text.
    Text(String),
    /// A 64-bit integer.
    BigInt(i64),
    /// A UTC timestamp without zone.
    Timestamp(NaiveDateTime),
    /// Text or NULL.
    OptText(Option<String>),
    /// A timestamp or NULL.
    OptTimestamp(Option<NaiveDateTime>),
    /// A 32-bit integer or NULL.
    OptInteger(Option<i32>),
    /// A boolean.
    Bool(bool),
}

#[derive(Debug, Clone)]
enum Piece {
    Sql(String),
    Bind(Value),
}

/// SQL text and values, in order.
#[derive(Debug, Clone, Default)]
pub struct RawSql {
    pieces: Vec<Piece>,
    planned_each_time: bool,
}

impl RawSql {
    /// Empty.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends SQL text (never user input).
    pub fn sql(&mut self, text: &str) -> &mut Self {
        match self.pieces.last_mut() {
            Some(Piece::Sql(last)) => last.push_str(text),
            _ => self.pieces.push(Piece::Sql(text.to_string())),
        }
        self
    }

    /// Appends a placeholder bound to `value`.
    pub fn bind(&mut self, value: Value) -> &mut Self {
        self.pieces.push(Piece::Bind(value));
        self
    }

    /// Not kept as a prepared statement: PostgreSQL then plans it with the
    /// values at hand. A kept statement gets a generic plan after five runs,
    /// one that cannot tell a word in a third of the archive from a rare one
    /// (a search for a common word sorted all its matches: 535 ms at 300k).
    pub fn plan_each_time(&mut self) -> &mut Self {
        self.planned_each_time = true;
        self
    }

    /// Whether PostgreSQL may keep this statement (and its plan).
    pub fn is_kept(&self) -> bool {
        !self.planned_each_time
    }

    /// Appends another fragment.
    pub fn append(&mut self, other: RawSql) -> &mut Self {
        for piece in other.pieces {
            match piece {
                Piece::Sql(text) => {
                    self.sql(&text);
                }
                Piece::Bind(value) => {
                    self.bind(value);
                }
            }
        }
        self
    }
}

impl<DB> QueryFragment<DB> for RawSql
where
    DB: Backend,
    String: ToSql<Text, DB>,
    i64: ToSql<BigInt, DB>,
    NaiveDateTime: ToSql<Timestamp, DB>,
    i32: ToSql<Integer, DB>,
    bool: ToSql<Bool, DB>,
    DB: diesel::sql_types::HasSqlType<Text>
        + diesel::sql_types::HasSqlType<BigInt>
        + diesel::sql_types::HasSqlType<Timestamp>
        + diesel::sql_types::HasSqlType<Integer>
        + diesel::sql_types::HasSqlType<Bool>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        if self.planned_each_time {
            out.unsafe_to_cache_prepared();
        }
        for piece in &self.pieces {
            match piece {
                Piece::Sql(text) => out.push_sql(text),
                Piece::Bind(Value::Text(v)) => out.push_bind_param::<Text, String>(v)?,
                Piece::Bind(Value::BigInt(v)) => out.push_bind_param::<BigInt, i64>(v)?,
                Piece::Bind(Value::Timestamp(v)) => {
                    out.push_bind_param::<Timestamp, NaiveDateTime>(v)?
                }
                Piece::Bind(Value::OptText(v)) => {
                    out.push_bind_param::<Nullable<Text>, Option<String>>(v)?
                }
                Piece::Bind(Value::OptTimestamp(v)) => {
                    out.push_bind_param::<Nullable<Timestamp>, Option<NaiveDateTime>>(v)?
                }
                Piece::Bind(Value::OptInteger(v)) => {
                    out.push_bind_param::<Nullable<Integer>, Option<i32>>(v)?
                }
                Piece::Bind(Value::Bool(v)) => out.push_bind_param::<Bool, bool>(v)?,
            }
        }
        Ok(())
    }
}

impl QueryId for RawSql {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for RawSql {
    type SqlType = Untyped;
}

impl<Conn> RunQueryDsl<Conn> for RawSql {}

/// `articles.id IN (SELECT value FROM json_each(?))`: a page's ids as one
/// bound JSON array, for SQLite. Diesel's `eq_any` renders one placeholder
/// per id there and marks the statement unsafe to keep (so does its `sql`
/// literal); this text never changes, so the statement is prepared once per
/// connection. Hand-written: Diesel has no such expression.
#[derive(Debug, Clone)]
pub struct ArticleIdsIn {
    ids_json: String,
}

impl ArticleIdsIn {
    /// The condition for these ids.
    pub fn new(ids: &[i64]) -> Self {
        let list: Vec<String> = ids.iter().map(i64::to_string).collect();
        Self {
            ids_json: format!("[{}]", list.join(",")),
        }
    }
}

impl diesel::Expression for ArticleIdsIn {
    type SqlType = Bool;
}

impl<QS> diesel::AppearsOnTable<QS> for ArticleIdsIn {}

impl<QS> diesel::SelectableExpression<QS> for ArticleIdsIn {}

impl diesel::expression::ValidGrouping<()> for ArticleIdsIn {
    type IsAggregate = diesel::expression::is_aggregate::Never;
}

impl QueryId for ArticleIdsIn {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<DB> QueryFragment<DB> for ArticleIdsIn
where
    DB: Backend + diesel::sql_types::HasSqlType<Text>,
    String: ToSql<Text, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("articles.id IN (SELECT value FROM json_each(");
        out.push_bind_param::<Text, String>(&self.ids_json)?;
        out.push_sql("))");
        Ok(())
    }
}
