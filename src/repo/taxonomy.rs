//! Sections, tags and authors.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{authors, sections, tags};
use crate::db::DbConnection;

/// A section row.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = sections)]
pub struct SectionRow {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub position: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A tag row.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = tags)]
pub struct TagRow {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// An author row.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = authors)]
pub struct AuthorRow {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub bio: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A new section.
#[derive(Debug, Insertable)]
#[diesel(table_name = sections)]
pub struct SectionInsertForm<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    pub position: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A new tag.
#[derive(Debug, Insertable)]
#[diesel(table_name = tags)]
pub struct TagInsertForm<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A new author.
#[derive(Debug, Insertable)]
#[diesel(table_name = authors)]
pub struct AuthorInsertForm<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub bio: &'a str,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Sections in display order.
pub fn list_sections(
    conn: &mut DbConnection,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<SectionRow>> {
    sections::table
        .order((sections::position.asc(), sections::id.asc()))
        .offset(offset)
        .limit(limit)
        .select(SectionRow::as_select())
        .load(conn)
}

/// How many sections exist.
pub fn count_sections(conn: &mut DbConnection) -> QueryResult<i64> {
    sections::table.count().get_result(conn)
}

/// One section by slug.
pub fn find_section(conn: &mut DbConnection, slug: &str) -> QueryResult<Option<SectionRow>> {
    sections::table
        .filter(sections::slug.eq(slug))
        .select(SectionRow::as_select())
        .first(conn)
        .optional()
}

/// Tags by name.
pub fn list_tags(conn: &mut DbConnection, offset: i64, limit: i64) -> QueryResult<Vec<TagRow>> {
    tags::table
        .order((tags::name.asc(), tags::id.asc()))
        .offset(offset)
        .limit(limit)
        .select(TagRow::as_select())
        .load(conn)
}

/// How many tags exist.
pub fn count_tags(conn: &mut DbConnection) -> QueryResult<i64> {
    tags::table.count().get_result(conn)
}

/// One tag by slug.
pub fn find_tag(conn: &mut DbConnection, slug: &str) -> QueryResult<Option<TagRow>> {
    tags::table
        .filter(tags::slug.eq(slug))
        .select(TagRow::as_select())
        .first(conn)
        .optional()
}

/// One author by id.
pub fn find_author(conn: &mut DbConnection, id: i64) -> QueryResult<Option<AuthorRow>> {
    authors::table
        .find(id)
        .select(AuthorRow::as_select())
        .first(conn)
        .optional()
}

/// Inserts a section unless its slug exists; returns its id either way.
pub fn ensure_section(conn: &mut DbConnection, form: &SectionInsertForm) -> QueryResult<i64> {
    if let Some(found) = find_section(conn, form.slug)? {
        return Ok(found.id);
    }
    diesel::insert_into(sections::table)
        .values(form)
        .returning(sections::id)
        .get_result(conn)
}

/// Inserts a tag unless its slug exists; returns its id either way.
pub fn ensure_tag(conn: &mut DbConnection, form: &TagInsertForm) -> QueryResult<i64> {
    if let Some(found) = find_tag(conn, form.slug)? {
        return Ok(found.id);
    }
    diesel::insert_into(tags::table)
        .values(form)
        .returning(tags::id)
        .get_result(conn)
}

/// Inserts an author unless the slug exists; returns the id either way.
pub fn ensure_author(conn: &mut DbConnection, form: &AuthorInsertForm) -> QueryResult<i64> {
    let found = authors::table
        .filter(authors::slug.eq(form.slug))
        .select(authors::id)
        .first::<i64>(conn)
        .optional()?;
    if let Some(id) = found {
        return Ok(id);
    }
    diesel::insert_into(authors::table)
        .values(form)
        .returning(authors::id)
        .get_result(conn)
}

/// Every section (small table: loaded whole into the taxonomy cache).
pub fn all_sections(conn: &mut DbConnection) -> QueryResult<Vec<SectionRow>> {
    sections::table.select(SectionRow::as_select()).load(conn)
}

/// Every tag.
pub fn all_tags(conn: &mut DbConnection) -> QueryResult<Vec<TagRow>> {
    tags::table.select(TagRow::as_select()).load(conn)
}

/// Every author.
pub fn all_authors(conn: &mut DbConnection) -> QueryResult<Vec<AuthorRow>> {
    authors::table.select(AuthorRow::as_select()).load(conn)
}

/// Which of these section ids exist.
pub fn existing_section_ids(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<i64>> {
    sections::table
        .filter(sections::id.eq_any(ids))
        .select(sections::id)
        .load(conn)
}

/// Which of these tag ids exist.
pub fn existing_tag_ids(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<i64>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    tags::table
        .filter(tags::id.eq_any(ids))
        .select(tags::id)
        .load(conn)
}

/// Which of these author ids exist.
pub fn existing_author_ids(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<i64>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    authors::table
        .filter(authors::id.eq_any(ids))
        .select(authors::id)
        .load(conn)
}

/// Inserts a section; returns its row.
pub fn insert_section(
    conn: &mut DbConnection,
    form: &SectionInsertForm,
) -> QueryResult<SectionRow> {
    diesel::insert_into(sections::table)
        .values(form)
        .returning(sections::id)
        .get_result::<i64>(conn)
        .and_then(|id| {
            sections::table
                .find(id)
                .select(SectionRow::as_select())
                .first(conn)
        })
}

/// Inserts a tag; returns its row.
pub fn insert_tag(conn: &mut DbConnection, form: &TagInsertForm) -> QueryResult<TagRow> {
    diesel::insert_into(tags::table)
        .values(form)
        .returning(tags::id)
        .get_result::<i64>(conn)
        .and_then(|id| tags::table.find(id).select(TagRow::as_select()).first(conn))
}

/// Inserts an author; returns its row.
pub fn insert_author(conn: &mut DbConnection, form: &AuthorInsertForm) -> QueryResult<AuthorRow> {
    diesel::insert_into(authors::table)
        .values(form)
        .returning(authors::id)
        .get_result::<i64>(conn)
        .and_then(|id| {
            authors::table
                .find(id)
                .select(AuthorRow::as_select())
                .first(conn)
        })
}

/// Rewrites a section's editable columns.
pub fn update_section(conn: &mut DbConnection, row: &SectionRow) -> QueryResult<()> {
    diesel::update(sections::table.find(row.id))
        .set((
            sections::slug.eq(&row.slug),
            sections::name.eq(&row.name),
            sections::description.eq(&row.description),
            sections::position.eq(row.position),
            sections::updated_at.eq(row.updated_at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Rewrites a tag's editable columns.
pub fn update_tag(conn: &mut DbConnection, row: &TagRow) -> QueryResult<()> {
    diesel::update(tags::table.find(row.id))
        .set((
            tags::slug.eq(&row.slug),
            tags::name.eq(&row.name),
            tags::updated_at.eq(row.updated_at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Rewrites an author's editable columns.
pub fn update_author(conn: &mut DbConnection, row: &AuthorRow) -> QueryResult<()> {
    diesel::update(authors::table.find(row.id))
        .set((
            authors::slug.eq(&row.slug),
            authors::name.eq(&row.name),
            authors::bio.eq(&row.bio),
            authors::updated_at.eq(row.updated_at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Deletes a section row.
pub fn delete_section(conn: &mut DbConnection, id: i64) -> QueryResult<()> {
    diesel::delete(sections::table.find(id))
        .execute(conn)
        .map(|_| ())
}

/// Deletes a tag row (its links go with it).
pub fn delete_tag(conn: &mut DbConnection, id: i64) -> QueryResult<()> {
    diesel::delete(tags::table.find(id))
        .execute(conn)
        .map(|_| ())
}

/// Deletes an author row (its credits go with it).
pub fn delete_author(conn: &mut DbConnection, id: i64) -> QueryResult<()> {
    diesel::delete(authors::table.find(id))
        .execute(conn)
        .map(|_| ())
}

/// Whether a slug is taken in a table.
pub fn section_slug_taken(conn: &mut DbConnection, slug: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        sections::table.filter(sections::slug.eq(slug)),
    ))
    .get_result(conn)
}

/// Whether a tag slug is taken.
pub fn tag_slug_taken(conn: &mut DbConnection, slug: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(tags::table.filter(tags::slug.eq(slug)))).get_result(conn)
}

/// Whether an author slug is taken.
pub fn author_slug_taken(conn: &mut DbConnection, slug: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        authors::table.filter(authors::slug.eq(slug)),
    ))
    .get_result(conn)
}

/// Authors by name.
pub fn list_authors(
    conn: &mut DbConnection,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<AuthorRow>> {
    authors::table
        .order((authors::name.asc(), authors::id.asc()))
        .offset(offset)
        .limit(limit)
        .select(AuthorRow::as_select())
        .load(conn)
}

/// How many authors exist.
pub fn count_authors(conn: &mut DbConnection) -> QueryResult<i64> {
    authors::table.count().get_result(conn)
}
