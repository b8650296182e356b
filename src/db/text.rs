//! Long article text read from the database with one fast UTF-8 check.
//!
//! Diesel reads a SQLite text value through `str::from_utf8` twice (once to
//! check, once to borrow), and PostgreSQL's once with the standard library's
//! check, which is slow on Arabic (no ASCII fast path). Titles, summaries and
//! bodies are read on every list page, feed and article: a feed of 50
//! articles spent a fifth of its CPU there. Hand-written because Diesel has
//! no switch for it; the check itself is `simdutf8`'s.

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::pg::Pg;
use diesel::sql_types::Text;
use diesel::sqlite::Sqlite;

/// A `TEXT` column's value, checked as UTF-8 once. Invalid bytes (a row
/// written by another tool) are replaced, as Diesel does, never an error.
#[derive(Debug, Clone, PartialEq, Eq, diesel::deserialize::FromSqlRow)]
pub struct CheckedText(pub String);

impl CheckedText {
    fn from_bytes(bytes: &[u8]) -> Self {
        match simdutf8::basic::from_utf8(bytes) {
            Ok(text) => CheckedText(text.to_owned()),
            Err(_) => CheckedText(String::from_utf8_lossy(bytes).into_owned()),
        }
    }
}

impl From<CheckedText> for String {
    fn from(text: CheckedText) -> String {
        text.0
    }
}

impl FromSql<Text, Sqlite> for CheckedText {
    fn from_sql(mut value: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        // The bytes as stored (SQLite's text is UTF-8 here), borrowed from
        // the value while it lives. SQLite copies a text value to hand it
        // out as bytes, so this is two copies and one fast check where
        // Diesel's read is one copy and two slow checks.
        Ok(CheckedText::from_bytes(value.read_blob()))
    }
}

impl FromSql<Text, Pg> for CheckedText {
    fn from_sql(value: <Pg as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        Ok(CheckedText::from_bytes(value.as_bytes()))
    }
}

impl FromSql<Text, super::MultiBackend> for CheckedText {
    fn from_sql(
        value: <super::MultiBackend as Backend>::RawValue<'_>,
    ) -> deserialize::Result<Self> {
        value.from_sql::<CheckedText, Text>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_text_is_kept_and_invalid_bytes_are_replaced() {
        assert_eq!(
            CheckedText::from_bytes("وزير الدفاع".as_bytes()).0,
            "وزير الدفاع"
        );
        assert_eq!(CheckedText::from_bytes(b"").0, "");
        assert_eq!(CheckedText::from_bytes(b"a\xffb").0, "a\u{FFFD}b");
    }
}
