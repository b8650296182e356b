//! Sections, tags and authors.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::db::DbConnection;
use crate::domain::Entity;
use crate::repo::taxonomy::{self as repo, AuthorRow, SectionRow, TagRow};
use crate::service::{Page, PageRequest, ServiceError};

/// One page of a small collection, fetching one row more to know whether
/// another page follows.
fn paged<T>(
    conn: &mut DbConnection,
    page: PageRequest,
    include_total: bool,
    load: fn(&mut DbConnection, i64, i64) -> diesel::QueryResult<Vec<T>>,
    count: fn(&mut DbConnection) -> diesel::QueryResult<i64>,
) -> Result<Page<T>, ServiceError> {
    let mut items = load(conn, page.offset(), i64::from(page.per_page) + 1)?;
    let has_more = items.len() > page.per_page as usize;
    items.truncate(page.per_page as usize);
    let total = if include_total {
        Some(count(conn)?)
    } else {
        None
    };
    Ok(Page {
        items,
        has_more,
        total,
    })
}

/// A page of sections in display order.
pub fn list_sections(
    conn: &mut DbConnection,
    page: PageRequest,
    include_total: bool,
) -> Result<Page<SectionRow>, ServiceError> {
    paged(
        conn,
        page,
        include_total,
        repo::list_sections,
        repo::count_sections,
    )
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
    paged(conn, page, include_total, repo::list_tags, repo::count_tags)
}

/// One author.
pub fn get_author(conn: &mut DbConnection, id: i64) -> Result<AuthorRow, ServiceError> {
    repo::find_author(conn, id)?.ok_or(ServiceError::NotFound(Entity::Author))
}

/// Sections, tags and authors by id, kept in memory: they are small, read by
/// every article and list, and rarely change. A snapshot is reloaded whole
/// when it is older than `max_age` or lacks an id an article refers to.
pub struct TaxonomyCache {
    snapshot: RwLock<Arc<Taxonomy>>,
    max_age: Duration,
}

/// One consistent snapshot of the taxonomy.
#[derive(Debug, Default)]
pub struct Taxonomy {
    /// Sections by id.
    pub sections: HashMap<i64, SectionRow>,
    /// Tags by id.
    pub tags: HashMap<i64, TagRow>,
    /// Authors by id.
    pub authors: HashMap<i64, AuthorRow>,
    loaded_at: Option<Instant>,
}

impl TaxonomyCache {
    /// An empty cache; the first use loads it.
    pub fn new(max_age: Duration) -> Self {
        TaxonomyCache {
            snapshot: RwLock::new(Arc::new(Taxonomy::default())),
            max_age,
        }
    }

    /// A snapshot that is fresh and knows every id `covers` asks about.
    pub fn snapshot(
        &self,
        conn: &mut DbConnection,
        covers: impl Fn(&Taxonomy) -> bool,
    ) -> Result<Arc<Taxonomy>, ServiceError> {
        let current = self
            .snapshot
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let fresh = current
            .loaded_at
            .is_some_and(|at| at.elapsed() < self.max_age);
        if fresh && covers(&current) {
            return Ok(current);
        }
        let loaded = Arc::new(Taxonomy {
            sections: repo::all_sections(conn)?
                .into_iter()
                .map(|s| (s.id, s))
                .collect(),
            tags: repo::all_tags(conn)?
                .into_iter()
                .map(|t| (t.id, t))
                .collect(),
            authors: repo::all_authors(conn)?
                .into_iter()
                .map(|a| (a.id, a))
                .collect(),
            loaded_at: Some(Instant::now()),
        });
        *self.snapshot.write().unwrap_or_else(|p| p.into_inner()) = loaded.clone();
        Ok(loaded)
    }

    /// Forgets the snapshot (after a write to sections, tags or authors).
    pub fn invalidate(&self) {
        *self.snapshot.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(Taxonomy::default());
    }
}
