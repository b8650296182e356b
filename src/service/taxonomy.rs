//! Sections, tags and authors.

use crate::db::DbConnection;
use crate::domain::Entity;
use crate::repo::taxonomy::{self as repo, AuthorRow, SectionRow, TagRow};
use crate::service::{Page, PageRequest, ServiceError};

/// A page of sections in display order.
pub fn list_sections(
    conn: &mut DbConnection,
    page: PageRequest,
    include_total: bool,
) -> Result<Page<SectionRow>, ServiceError> {
    let mut items = repo::list_sections(conn, page.offset(), i64::from(page.per_page) + 1)?;
    let has_more = items.len() > page.per_page as usize;
    items.truncate(page.per_page as usize);
    let total = if include_total {
        Some(repo::count_sections(conn)?)
    } else {
        None
    };
    Ok(Page {
        items,
        has_more,
        total,
    })
}

/// One section.
pub fn get_section(conn: &mut DbConnection, slug: &str) -> Result<SectionRow, ServiceError> {
    repo::find_section(conn, slug)?.ok_or(ServiceError::NotFound(Entity::Section))
}

/// A page of tags by name.
pub fn list_tags(
    conn: &mut DbConnection,
    page: PageRequest,
    include_total: bool,
) -> Result<Page<TagRow>, ServiceError> {
    let mut items = repo::list_tags(conn, page.offset(), i64::from(page.per_page) + 1)?;
    let has_more = items.len() > page.per_page as usize;
    items.truncate(page.per_page as usize);
    let total = if include_total {
        Some(repo::count_tags(conn)?)
    } else {
        None
    };
    Ok(Page {
        items,
        has_more,
        total,
    })
}

/// One author.
pub fn get_author(conn: &mut DbConnection, id: i64) -> Result<AuthorRow, ServiceError> {
    repo::find_author(conn, id)?.ok_or(ServiceError::NotFound(Entity::Author))
}
