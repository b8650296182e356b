//! Reading published articles.

use std::collections::HashMap;

use crate::db::DbConnection;
use crate::domain::article::ArticleKey;
use crate::domain::cursor::{Cursor, KeysetOrder};
use crate::domain::Entity;
use crate::repo::articles::{self as repo, ArticleFilter, ArticleRow, StatsRow, Window};
use crate::repo::taxonomy::{self, AuthorRow, SectionRow, TagRow};
use crate::service::ServiceError;

/// An article with everything a reader sees.
#[derive(Debug, Clone)]
pub struct ArticleView {
    /// The article itself.
    pub article: ArticleRow,
    /// Its section.
    pub section: SectionRow,
    /// Its counters.
    pub stats: StatsRow,
    /// Its tags, by name.
    pub tags: Vec<TagRow>,
    /// Its credited authors, in credit order.
    pub authors: Vec<AuthorRow>,
}

/// Which articles, in which order, from where.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    /// Section slug.
    pub section: Option<String>,
    /// Tag slug.
    pub tag: Option<String>,
    /// Author id.
    pub author: Option<i64>,
    /// Language code.
    pub language: Option<String>,
}

/// Where a list page starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// A 1-based page number.
    Page(u32),
    /// Right after this item; the cursor's order wins over the requested one.
    After(Cursor),
}

/// A request for a page of articles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRequest {
    /// Which articles.
    pub filter: ListFilter,
    /// Newest or oldest first.
    pub order: KeysetOrder,
    /// Where to start.
    pub position: Position,
    /// Page size.
    pub per_page: u32,
    /// Whether to count all matches (the slow part of big lists).
    pub include_total: bool,
}

/// A page of articles.
#[derive(Debug, Clone)]
pub struct ArticlePage {
    /// The articles.
    pub items: Vec<ArticleView>,
    /// The cursor of the next page, when there is one.
    pub next_cursor: Option<Cursor>,
    /// How many articles match, when asked.
    pub total: Option<i64>,
    /// The order actually used.
    pub order: KeysetOrder,
}

/// One published article by id or slug; drafts are not found.
pub fn get_published(
    conn: &mut DbConnection,
    key: &ArticleKey,
) -> Result<ArticleView, ServiceError> {
    let row = repo::find_published(conn, key)?.ok_or(ServiceError::NotFound(Entity::Article))?;
    Ok(assemble(conn, vec![row])?
        .pop()
        .expect("one row in, one view out"))
}

/// A page of published articles.
pub fn list_published(
    conn: &mut DbConnection,
    request: &ListRequest,
) -> Result<ArticlePage, ServiceError> {
    let (order, window) = match request.position {
        Position::Page(page) => (
            request.order,
            Window::Offset(i64::from(page.saturating_sub(1)) * i64::from(request.per_page)),
        ),
        Position::After(cursor) => (cursor.order, Window::After(cursor)),
    };
    let Some(filter) = resolve(conn, &request.filter)? else {
        // An unknown section or tag matches nothing (as WordPress and Ghost do).
        return Ok(ArticlePage {
            items: Vec::new(),
            next_cursor: None,
            total: request.include_total.then_some(0),
            order,
        });
    };
    let limit = i64::from(request.per_page) + 1;
    let mut rows = repo::list_published(conn, &filter, order, window, limit)?;
    let has_more = rows.len() > request.per_page as usize;
    rows.truncate(request.per_page as usize);
    let next_cursor = if has_more {
        rows.last().and_then(|(a, _, _)| {
            a.published_at.map(|published_at| Cursor {
                order,
                published_at,
                id: a.id,
            })
        })
    } else {
        None
    };
    let total = if request.include_total {
        Some(repo::count_published(conn, &filter)?)
    } else {
        None
    };
    Ok(ArticlePage {
        items: assemble(conn, rows)?,
        next_cursor,
        total,
        order,
    })
}

/// Turns slugs into ids; `None` when a named section or tag does not exist.
fn resolve(
    conn: &mut DbConnection,
    filter: &ListFilter,
) -> Result<Option<ArticleFilter>, ServiceError> {
    let mut out = ArticleFilter {
        author_id: filter.author,
        language: filter.language.clone(),
        ..ArticleFilter::default()
    };
    if let Some(slug) = &filter.section {
        match taxonomy::find_section(conn, slug)? {
            Some(section) => out.section_id = Some(section.id),
            None => return Ok(None),
        }
    }
    if let Some(slug) = &filter.tag {
        match taxonomy::find_tag(conn, slug)? {
            Some(tag) => out.tag_id = Some(tag.id),
            None => return Ok(None),
        }
    }
    Ok(Some(out))
}

/// Loads tags and authors of all rows in two queries, not two per row.
fn assemble(
    conn: &mut DbConnection,
    rows: Vec<repo::ArticleWithSection>,
) -> Result<Vec<ArticleView>, ServiceError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = rows.iter().map(|(a, _, _)| a.id).collect();
    let mut tags: HashMap<i64, Vec<TagRow>> = HashMap::new();
    for (article_id, tag) in taxonomy::tags_of(conn, &ids)? {
        tags.entry(article_id).or_default().push(tag);
    }
    let mut authors: HashMap<i64, Vec<AuthorRow>> = HashMap::new();
    for (article_id, author) in taxonomy::authors_of(conn, &ids)? {
        authors.entry(article_id).or_default().push(author);
    }
    Ok(rows
        .into_iter()
        .map(|(article, section, stats)| ArticleView {
            tags: tags.remove(&article.id).unwrap_or_default(),
            authors: authors.remove(&article.id).unwrap_or_default(),
            stats: stats.unwrap_or_default(),
            article,
            section,
        })
        .collect())
}
