//! Reading an article's revisions (editors).

use crate::db::DbConnection;
use crate::domain::Entity;
use crate::repo::articles as articles_repo;
use crate::repo::revisions::{self as repo, RevisionRow};
use crate::service::editorial::ArticleState;
use crate::service::{Page, PageRequest, ServiceError};

/// One revision with the version it kept.
#[derive(Debug, Clone)]
pub struct Revision {
    /// The stored row.
    pub row: RevisionRow,
    /// The kept version.
    pub snapshot: ArticleState,
}

/// A page of an article's revisions, newest first (deleted articles keep theirs).
pub fn list(
    conn: &mut DbConnection,
    article_id: i64,
    page: PageRequest,
    include_total: bool,
) -> Result<Page<RevisionRow>, ServiceError> {
    if !articles_repo::exists(conn, article_id)? {
        return Err(ServiceError::NotFound(Entity::Article));
    }
    let items = repo::list(
        conn,
        article_id,
        page.offset(),
        i64::from(page.per_page) + 1,
    )?;
    let total = include_total
        .then(|| repo::count(conn, article_id))
        .transpose()?;
    Ok(Page::from_rows_plus_one(items, page.per_page, total))
}

/// One revision.
pub fn get(
    conn: &mut DbConnection,
    article_id: i64,
    number: i32,
) -> Result<Revision, ServiceError> {
    if !articles_repo::exists(conn, article_id)? {
        return Err(ServiceError::NotFound(Entity::Article));
    }
    let row =
        repo::find(conn, article_id, number)?.ok_or(ServiceError::NotFound(Entity::Revision))?;
    let snapshot = serde_json::from_str(&row.snapshot).map_err(|e| {
        ServiceError::Inconsistent(format!(
            "revision {} of article {article_id}: {e}",
            row.number
        ))
    })?;
    Ok(Revision { row, snapshot })
}
