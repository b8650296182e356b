//! Reading published articles.

use chrono::NaiveDateTime;

use crate::db::DbConnection;
use crate::domain::article::{ArticleKey, EditorialStatus};
use crate::domain::cursor::{Cursor, KeysetOrder};
use crate::domain::search::{Highlighter, SearchQuery};
use crate::domain::{id_list, Entity};
use crate::repo::articles::{
    self as repo, ArticleBody, ArticleFilter, ArticleHead, ArticleRecord, ArticleStamp, Bodies,
    ListOrder, StatsRow, Visibility, Window,
};
use crate::repo::taxonomy::{AuthorRow, SectionRow, TagRow};
use crate::service::list_index::{IndexQuery, ListIndex};
use crate::service::taxonomy::{Taxonomy, TaxonomyCache};
use crate::service::ServiceError;

/// An article with everything a reader sees.
#[derive(Debug, Clone)]
pub struct ArticleView {
    /// The article without its body.
    pub article: ArticleHead,
    /// The body, when asked for.
    pub body: Option<ArticleBody>,
    /// Its section.
    pub section: SectionRow,
    /// Its counters.
    pub stats: StatsRow,
    /// Its tags, in display order.
    pub tags: Vec<TagRow>,
    /// Its credited authors, in credit order.
    pub authors: Vec<AuthorRow>,
    /// The edit counter (the ETag); 0 in lists.
    pub version: i64,
    /// A search result's snippet, matched words in `<mark>` (HTML-escaped).
    pub highlight: Option<String>,
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
    /// Editorial state (anything but `Published` is for editors).
    pub status: EditorialStatus,
    /// Published at or after this instant (UTC).
    pub from: Option<NaiveDateTime>,
    /// Published before this instant (UTC, exclusive).
    pub until: Option<NaiveDateTime>,
    /// Only articles matching this search.
    pub search: Option<SearchQuery>,
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
    /// Newest or oldest first (a cursor keeps its own).
    pub order: KeysetOrder,
    /// Best search match first (with a search, and pages by number only).
    pub relevance: bool,
    /// Where to start.
    pub position: Position,
    /// Page size.
    pub per_page: u32,
    /// Whether to count all matches (the slow part of big lists).
    pub include_total: bool,
    /// Whether to load the bodies.
    pub with_body: bool,
    /// With the bodies, whether to load the plain text as well as the HTML
    /// (a feed shows only the HTML; the text is as long again).
    pub with_body_text: bool,
    /// Whether to load the versions (editors' lists).
    pub with_version: bool,
}

/// A page of articles.
pub type ArticlePage = Page<ArticleView>;

/// A page of a list.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// The cursor of the next page, when there is one.
    pub next_cursor: Option<Cursor>,
    /// How many articles match, when asked.
    pub total: Option<i64>,
    /// The order actually used.
    pub order: KeysetOrder,
    /// Whether the page is ranked by relevance.
    pub ranked: bool,
    /// Whether more items follow this page.
    pub has_more: bool,
}

/// What a lookup by key found.
#[derive(Debug, Clone)]
pub enum Found {
    /// The article.
    Article(Box<ArticleView>),
    /// The key is a slug the article had before; it now has this one.
    MovedTo(String),
}

/// One article by id or slug: published and due for the public, in any
/// state but deleted for editors. An old slug says where the article moved.
pub fn get_article(
    conn: &mut DbConnection,
    cache: &TaxonomyCache,
    key: &ArticleKey,
    now: NaiveDateTime,
    editor: bool,
) -> Result<Found, ServiceError> {
    if let Some(record) = repo::find_article(conn, key, now, editor)? {
        let view = assemble(conn, cache, vec![record])?
            .pop()
            .expect("one record in, one view out");
        return Ok(Found::Article(Box::new(view)));
    }
    if let ArticleKey::Slug(slug) = key {
        if let Some(id) = repo::old_slug_owner(conn, slug)? {
            if let Some(record) = repo::find_article(conn, &ArticleKey::Id(id), now, editor)? {
                return Ok(Found::MovedTo(record.head.slug));
            }
        }
    }
    Err(ServiceError::NotFound(Entity::Article))
}

/// How a list request reads the database.
struct Plan {
    order: KeysetOrder,
    window: Window,
    ranked: bool,
    list_order: ListOrder,
    /// One more than the page, to tell whether more follow.
    limit: i64,
}

impl Plan {
    fn of(request: &ListRequest) -> Plan {
        let (order, window) = match request.position {
            Position::Page(page) => (
                request.order,
                Window::Offset(i64::from(page.saturating_sub(1)) * i64::from(request.per_page)),
            ),
            Position::After(cursor) => (cursor.order, Window::After(cursor)),
        };
        let ranked = request.relevance
            && request.filter.search.is_some()
            && matches!(window, Window::Offset(_));
        Plan {
            order,
            window,
            ranked,
            list_order: if ranked {
                ListOrder::Relevance
            } else {
                ListOrder::Keyset(order)
            },
            limit: i64::from(request.per_page) + 1,
        }
    }

    /// A page that matches nothing.
    fn empty<T>(&self, request: &ListRequest) -> Page<T> {
        Page {
            items: Vec::new(),
            next_cursor: None,
            total: request.include_total.then_some(0),
            order: self.order,
            ranked: self.ranked,
            has_more: false,
        }
    }

    /// Cuts the extra row off and makes the page around `rows`.
    fn page<T>(
        &self,
        conn: &mut DbConnection,
        request: &ListRequest,
        filter: &ArticleFilter,
        rows: Vec<T>,
        keys: impl Fn(&T) -> RowKeys,
    ) -> Result<Page<T>, ServiceError> {
        let total = if request.include_total {
            Some(repo::count_published(conn, filter)?)
        } else {
            None
        };
        Ok(self.page_counted(request, filter.visibility.by_creation(), rows, keys, total))
    }

    /// [`Plan::page`] with the total already counted (or not asked for).
    fn page_counted<T>(
        &self,
        request: &ListRequest,
        by_creation: bool,
        mut rows: Vec<T>,
        keys: impl Fn(&T) -> RowKeys,
        total: Option<i64>,
    ) -> Page<T> {
        let has_more = rows.len() > request.per_page as usize;
        rows.truncate(request.per_page as usize);
        // Ranked pages go by number: a cursor is keyed by time, not by rank.
        let next_cursor = if has_more && !self.ranked {
            rows.last().and_then(|row| {
                let keys = keys(row);
                if self.order == KeysetOrder::MostViewed {
                    return Some(Cursor::most_viewed(keys.views, keys.id));
                }
                let key = if by_creation {
                    Some(keys.created_at)
                } else {
                    keys.published_at
                };
                key.map(|published_at| Cursor {
                    order: self.order,
                    published_at,
                    id: keys.id,
                    views: 0,
                })
            })
        } else {
            None
        };
        Page {
            items: rows,
            next_cursor,
            total,
            order: self.order,
            ranked: self.ranked,
            has_more,
        }
    }
}

/// What a row's place in a list and its cursor are made of.
struct RowKeys {
    id: i64,
    views: i64,
    created_at: NaiveDateTime,
    published_at: Option<NaiveDateTime>,
}

/// A page of articles (published and due, unless an editor asked for drafts
/// or scheduled ones).
pub fn list_articles(
    conn: &mut DbConnection,
    cache: &TaxonomyCache,
    request: &ListRequest,
    now: NaiveDateTime,
) -> Result<ArticlePage, ServiceError> {
    let plan = Plan::of(request);
    let Some(filter) = resolve(conn, cache, &request.filter, now)? else {
        // An unknown section or tag matches nothing (as WordPress and Ghost do).
        return Ok(plan.empty(request));
    };
    // A search's snippets are cut from the body's text, loaded even when
    // the body is not shown.
    let bodies = if request.with_body && (request.with_body_text || filter.search.is_some()) {
        Bodies::Full
    } else if request.with_body {
        Bodies::HtmlOnly
    } else if filter.search.is_some() {
        Bodies::TextOnly
    } else {
        Bodies::None
    };
    let mut rows = repo::list_published(
        conn,
        &filter,
        plan.list_order,
        plan.window,
        plan.limit,
        bodies,
    )?;
    if request.with_version {
        let ids: Vec<i64> = rows.iter().map(|r| r.head.id).collect();
        let versions: std::collections::HashMap<i64, i64> =
            repo::versions(conn, &ids)?.into_iter().collect();
        for row in &mut rows {
            row.version = versions.get(&row.head.id).copied().unwrap_or_default();
        }
    }
    let page = plan.page(conn, request, &filter, rows, |r| RowKeys {
        id: r.head.id,
        views: r.stats.view_count,
        created_at: r.head.created_at,
        published_at: r.head.published_at,
    })?;
    let mut items = assemble(conn, cache, page.items)?;
    if let Some(search) = &filter.search {
        let mut highlighter = Highlighter::new(search);
        for item in &mut items {
            let body = item.body.as_ref().map_or("", |b| b.body_text.as_str());
            item.highlight =
                Some(highlighter.highlight(&item.article.title, &item.article.summary, body));
            if !request.with_body {
                item.body = None;
            }
        }
    }
    Ok(Page {
        items,
        next_cursor: page.next_cursor,
        total: page.total,
        order: page.order,
        ranked: page.ranked,
        has_more: page.has_more,
    })
}

/// The same page as [`list_articles`] (without search, bodies or
/// versions), each article as its stamp and counters: for callers that
/// keep what they rendered of each article edit and read the text only of
/// the articles they have not rendered yet ([`views_by_ids`]).
pub fn list_stamps(
    conn: &mut DbConnection,
    cache: &TaxonomyCache,
    request: &ListRequest,
    now: NaiveDateTime,
) -> Result<Page<(ArticleStamp, StatsRow)>, ServiceError> {
    let plan = Plan::of(request);
    let Some(filter) = resolve(conn, cache, &request.filter, now)? else {
        return Ok(plan.empty(request));
    };
    let rows = repo::list_stamps(conn, &filter, plan.list_order, plan.window, plan.limit)?;
    plan.page(conn, request, &filter, rows, |(stamp, stats)| RowKeys {
        id: stamp.id,
        views: stats.view_count,
        created_at: stamp.created_at,
        published_at: stamp.published_at,
    })
}

/// The same page as [`list_stamps`], from the list index (no database):
/// `None` when the index cannot answer it (a tag, author, language or
/// search filter, drafts or embargoed articles, most viewed first, a
/// section the taxonomy snapshot does not know, an index not ready). The
/// counters' view counts are not held there: they are 0, for the caller's
/// live counts (`Views`) to replace.
pub fn list_stamps_indexed(
    index: &ListIndex,
    taxonomy: &Taxonomy,
    request: &ListRequest,
    now: NaiveDateTime,
) -> Option<Page<(ArticleStamp, StatsRow)>> {
    let filter = &request.filter;
    if filter.status != EditorialStatus::Published
        || filter.tag.is_some()
        || filter.author.is_some()
        || filter.language.is_some()
        || filter.search.is_some()
    {
        return None;
    }
    let plan = Plan::of(request);
    if plan.ranked {
        return None;
    }
    let section = match &filter.section {
        Some(slug) => Some(taxonomy.section_named(slug)?),
        None => None,
    };
    let found = index.page(&IndexQuery {
        section,
        from: filter.from,
        until: filter.until,
        now,
        order: plan.order,
        window: plan.window,
        limit: usize::try_from(plan.limit).ok()?,
        with_total: request.include_total,
    })?;
    let rows = found
        .rows
        .into_iter()
        .map(|listed| {
            (
                ArticleStamp {
                    id: listed.id,
                    published_at: Some(listed.published_at),
                    created_at: listed.created_at,
                    updated_at: listed.updated_at,
                },
                StatsRow {
                    view_count: 0,
                    comment_count: listed.comment_count,
                },
            )
        })
        .collect();
    Some(plan.page_counted(
        request,
        false,
        rows,
        |(stamp, stats)| RowKeys {
            id: stamp.id,
            views: stats.view_count,
            created_at: stamp.created_at,
            published_at: stamp.published_at,
        },
        found.total,
    ))
}

/// Puts the stored view counts into a page from the list index, whose view
/// counts are 0: while other nodes count views too, only the database has
/// every node's counts (one statement by key for the page's articles).
pub fn with_stored_view_counts(
    conn: &mut DbConnection,
    mut page: Page<(ArticleStamp, StatsRow)>,
) -> Result<Page<(ArticleStamp, StatsRow)>, ServiceError> {
    if page.items.is_empty() {
        return Ok(page);
    }
    let ids: Vec<i64> = page.items.iter().map(|(stamp, _)| stamp.id).collect();
    let stored: std::collections::HashMap<i64, i64> =
        crate::repo::views::stored_counts(conn, &ids)?
            .into_iter()
            .collect();
    for (stamp, stats) in &mut page.items {
        stats.view_count = stored.get(&stamp.id).copied().unwrap_or(0);
    }
    Ok(page)
}

/// The taxonomy snapshot's serial (see [`Taxonomy::serial`]), loading a
/// fresh snapshot when the one held is old.
pub fn taxonomy_serial(
    conn: &mut DbConnection,
    cache: &TaxonomyCache,
) -> Result<u64, ServiceError> {
    Ok(cache.snapshot(conn, |_| true)?.serial)
}

/// These articles (no bodies), in the order of `ids`, with everything a
/// list shows; ids that have no row are left out.
pub fn views_by_ids(
    conn: &mut DbConnection,
    cache: &TaxonomyCache,
    ids: &[i64],
) -> Result<Vec<ArticleView>, ServiceError> {
    let rows = repo::rows_by_ids(conn, ids, Bodies::None)?;
    assemble(conn, cache, rows)
}

/// These articles with their HTML bodies (not the text), in the order of
/// `ids`; ids that have no row are left out.
pub fn views_with_html_by_ids(
    conn: &mut DbConnection,
    cache: &TaxonomyCache,
    ids: &[i64],
) -> Result<Vec<ArticleView>, ServiceError> {
    let rows = repo::rows_by_ids(conn, ids, Bodies::HtmlOnly)?;
    assemble(conn, cache, rows)
}

/// These articles with bodies and versions, in any state, in the order of
/// `ids`; ids that have no row are left out.
pub fn full_views_by_ids(
    conn: &mut DbConnection,
    cache: &TaxonomyCache,
    ids: &[i64],
) -> Result<Vec<ArticleView>, ServiceError> {
    let rows = repo::full_rows_by_ids(conn, ids)?;
    let versions: std::collections::HashMap<i64, i64> =
        repo::versions(conn, ids)?.into_iter().collect();
    let mut views = assemble(conn, cache, rows)?;
    for view in &mut views {
        view.version = versions.get(&view.article.id).copied().unwrap_or_default();
    }
    Ok(views)
}

/// The published, due articles among `ids`, each as `get_article` shows
/// it, in no particular order; ids not found are left out.
pub fn published_views_by_ids(
    conn: &mut DbConnection,
    cache: &TaxonomyCache,
    ids: &[i64],
    now: NaiveDateTime,
) -> Result<Vec<ArticleView>, ServiceError> {
    let rows = repo::published_by_ids(conn, ids, now)?;
    assemble(conn, cache, rows)
}

/// Turns slugs into ids; `None` when a named section or tag does not exist.
fn resolve(
    conn: &mut DbConnection,
    taxonomy: &TaxonomyCache,
    filter: &ListFilter,
    now: NaiveDateTime,
) -> Result<Option<ArticleFilter>, ServiceError> {
    let mut out = ArticleFilter {
        visibility: match filter.status {
            EditorialStatus::Published => Visibility::Public { now },
            EditorialStatus::Scheduled => Visibility::Scheduled { now },
            EditorialStatus::Draft => Visibility::Draft,
        },
        section_id: None,
        tag_id: None,
        author_id: filter.author,
        language: filter.language.clone(),
        published_from: filter.from,
        published_until: filter.until,
        search: filter.search.clone(),
    };
    if let Some(slug) = &filter.section {
        match taxonomy.section_id(conn, slug)? {
            Some(id) => out.section_id = Some(id),
            None => return Ok(None),
        }
    }
    if let Some(slug) = &filter.tag {
        match taxonomy.tag_id(conn, slug)? {
            Some(id) => out.tag_id = Some(id),
            None => return Ok(None),
        }
    }
    Ok(Some(out))
}

/// Attaches section, tag and author records from the taxonomy cache.
fn assemble(
    conn: &mut DbConnection,
    cache: &TaxonomyCache,
    records: Vec<ArticleRecord>,
) -> Result<Vec<ArticleView>, ServiceError> {
    if records.is_empty() {
        return Ok(Vec::new());
    }
    let refs: Vec<(i64, Vec<i64>, Vec<i64>)> = records
        .iter()
        .map(|r| {
            (
                r.head.section_id,
                id_list::decode(&r.head.tag_ids),
                id_list::decode(&r.head.author_ids),
            )
        })
        .collect();
    let covers = |t: &Taxonomy| {
        refs.iter().all(|(section, tags, authors)| {
            t.sections.contains_key(section)
                && tags.iter().all(|id| t.tags.contains_key(id))
                && authors.iter().all(|id| t.authors.contains_key(id))
        })
    };
    let taxonomy = cache.snapshot(conn, covers)?;
    records
        .into_iter()
        .zip(refs)
        .map(|(record, (section_id, tag_ids, author_ids))| {
            let section = taxonomy.sections.get(&section_id).cloned().ok_or_else(|| {
                ServiceError::Inconsistent(format!(
                    "article {} names missing section {section_id}",
                    record.head.id
                ))
            })?;
            Ok(ArticleView {
                tags: tag_ids
                    .iter()
                    .filter_map(|id| taxonomy.tags.get(id).cloned())
                    .collect(),
                authors: author_ids
                    .iter()
                    .filter_map(|id| taxonomy.authors.get(id).cloned())
                    .collect(),
                section,
                version: record.version,
                highlight: None,
                stats: record.stats,
                body: record.body,
                article: record.head,
            })
        })
        .collect()
}
