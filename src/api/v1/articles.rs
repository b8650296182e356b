//! `GET /articles` and `GET /articles/{id_or_slug}`.

use std::sync::Arc;

use actix_web::http::header::{HeaderValue, CACHE_CONTROL, ETAG, LAST_MODIFIED, LOCATION};
use actix_web::{get, web, HttpRequest, HttpResponse, ResponseError};

use crate::api::auth::Caller;
use crate::api::cache::{http_date, Scope, Ticket, X_CACHE};
use crate::api::http_cache::etag;
use crate::api::list_items::{ListItems, RenderedItem};
use crate::api::v1::dto::{
    encode_path_segment, ArticleDto, ArticleFields, EditorialArticleDto, List, ListLinks, ListMeta,
    One, EDITORIAL_MEDIA_TYPE, FIELDS_MEDIA_TYPE,
};
use crate::api::v1::links::page_link;
use crate::api::v1::params::{ArticleField, ArticleListParams, ArticleListQuery, MAX_PAGE};
use crate::api::AppState;
use crate::domain::article::{is_archived, ArticleKey, EditorialStatus};
use crate::domain::role::Capability;
use crate::domain::Entity;
use crate::error::{AppError, Problem};
use crate::repo::articles::{ArticleStamp, StatsRow};
use crate::service::articles::{self, ArticleView, Found, ListFilter, ListRequest, Page, Position};
use crate::service::tokens::AuthFailure;

/// Published articles, newest first.
///
/// Filters combine (AND). Page with `page`/`per_page`, or walk with `cursor`
/// (stable under inserts, fast at any depth): follow `meta.next_cursor` or
/// `links.next`. A `cursor` wins over `page` and keeps the order it was made with.
///
/// With an editor's token, `status=draft|scheduled` lists drafts (newest
/// created first) or embargoed articles, and items carry `status` and `version`.
#[utoipa::path(
    tag = "articles",
    params(ArticleListQuery),
    responses(
        (status = 200, description = "A page of articles: complete (`application/json`), as editors see them (with an editor's token), or sparse (with `fields`)",
            content(
                (List<ArticleDto> = "application/json"),
                (List<EditorialArticleDto> = "application/vnd.khabar.editorial+json"),
                (List<ArticleFields> = "application/vnd.khabar.fields+json"),
            )),
        (status = 400, description = "A parameter is malformed or out of range", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "A token was sent but is not valid, or `status` other than `published` without a token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`status` other than `published` with a token that is not an editor's", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is unreachable; retry after `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []))
)]
#[get("/articles")]
pub async fn list_articles(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    query: web::Query<ArticleListQuery>,
) -> Result<HttpResponse, AppError> {
    let params = query.into_inner().parse(state.settings.timezone)?;
    answer_list(&state, &req, caller, params, None).await
}

/// One page of an article list, for `/articles` and the archive's periods
/// (`period`: `[from, until)` in UTC, narrowed further by `from`/`to`).
pub async fn answer_list(
    state: &AppState,
    req: &HttpRequest,
    caller: Caller,
    params: ArticleListParams,
    period: Option<(chrono::NaiveDateTime, chrono::NaiveDateTime)>,
) -> Result<HttpResponse, AppError> {
    let editor = caller.can(Capability::Editorial);
    if params.status != EditorialStatus::Published && !editor {
        return Err(match caller.0 {
            None => AppError::Unauthorized(AuthFailure::Missing),
            Some(_) => AppError::Forbidden,
        });
    }
    // Editors' answers are never shared through the answer cache.
    let cache_key = req.uri().to_string();
    if !editor {
        if let Some(hit) = state.responses.answer(req) {
            return Ok(hit);
        }
    }
    let ticket = state.responses.ticket();
    let request = ListRequest {
        filter: ListFilter {
            section: params.section.clone(),
            tag: params.tag.clone(),
            author: params.author,
            language: params.language.clone(),
            status: params.status,
            from: [period.map(|p| p.0), params.from]
                .into_iter()
                .flatten()
                .max(),
            until: [period.map(|p| p.1), params.until]
                .into_iter()
                .flatten()
                .min(),
            search: params.search.clone(),
        },
        order: params.order,
        relevance: params.relevance,
        position: match params.cursor {
            Some(cursor) => Position::After(cursor),
            None => Position::Page(params.page),
        },
        per_page: params.per_page,
        include_total: params.include_total,
        with_body: params.fields.as_ref().is_some_and(|f| {
            f.contains(&ArticleField::BodyHtml) || f.contains(&ArticleField::BodyText)
        }),
        with_body_text: true,
        with_version: editor,
    };
    let now = crate::service::now();
    let counts = state.views.ticket();
    if !editor
        && params.fields.is_none()
        && request.filter.search.is_none()
        && state.list_items.enabled()
    {
        let items = state.list_items.clone();
        return answer_rendered_list(
            state, req, &params, request, items, ticket, cache_key, now, counts,
        )
        .await;
    }
    let cache = state.taxonomy.clone();
    let mut page = state
        .db
        .read(move |conn| articles::list_articles(conn, &cache, &request, now))
        .await?;
    // Stored counts plus this process's views not written yet.
    for item in &mut page.items {
        item.stats.view_count = state
            .views
            .observe(counts, item.article.id, item.stats.view_count);
    }
    let (meta, links) = meta_and_links(req, &params, &page);
    if editor {
        let items = page
            .items
            .into_iter()
            .map(|view| EditorialArticleDto::from_view(view, &state.settings, now))
            .map(|dto| match &params.fields {
                None => serde_json::to_value(&dto).unwrap_or_default(),
                Some(fields) => sparse(&dto, fields),
            });
        let body = serde_json::to_vec(&List {
            data: items.collect::<Vec<_>>(),
            meta,
            links,
        })
        .unwrap_or_default();
        return Ok(HttpResponse::Ok()
            .content_type(if params.fields.is_some() {
                FIELDS_MEDIA_TYPE
            } else {
                EDITORIAL_MEDIA_TYPE
            })
            .insert_header((CACHE_CONTROL, "private, no-store"))
            .body(body));
    }
    let shown = Scope::List(page.items.iter().map(|v| v.article.id).collect());
    let items = page
        .items
        .into_iter()
        .map(|view| ArticleDto::from_view(view, &state.settings, now));
    let cache = &state.responses;
    Ok(match &params.fields {
        None => cache.store(
            ticket,
            cache_key,
            shown,
            &List {
                data: items.collect(),
                meta,
                links,
            },
            None,
            "application/json",
        ),
        Some(fields) => cache.store(
            ticket,
            cache_key,
            shown,
            &List {
                data: items.map(|dto| sparse(&dto, fields)).collect(),
                meta,
                links,
            },
            None,
            FIELDS_MEDIA_TYPE,
        ),
    })
}

/// A page's paging facts and links.
fn meta_and_links<T>(
    req: &HttpRequest,
    params: &ArticleListParams,
    page: &Page<T>,
) -> (ListMeta, ListLinks) {
    let next_cursor = page.next_cursor.map(|c| c.encode());
    let by_cursor = params.cursor.is_some();
    let path = req.path();
    let query_string = req.query_string();
    let links = ListLinks {
        self_link: page_link(path, query_string, &[]),
        // Ranked pages go by number only (a cursor is keyed by time).
        next: if page.ranked {
            (page.has_more && params.page < MAX_PAGE).then(|| {
                page_link(
                    path,
                    query_string,
                    &[("page", Some((params.page + 1).to_string()))],
                )
            })
        } else {
            next_cursor.as_ref().map(|c| {
                // Past the last page number the spec allows, continue by cursor.
                if by_cursor || params.page >= MAX_PAGE {
                    page_link(path, query_string, &[("cursor", Some(c.clone()))])
                } else {
                    page_link(
                        path,
                        query_string,
                        &[("page", Some((params.page + 1).to_string()))],
                    )
                }
            })
        },
        prev: (!by_cursor && params.page > 1).then(|| {
            page_link(
                path,
                query_string,
                &[("page", Some((params.page - 1).to_string()))],
            )
        }),
    };
    let meta = ListMeta {
        page: (!by_cursor).then_some(params.page),
        per_page: params.per_page,
        total: page.total,
        next_cursor,
    };
    (meta, links)
}

/// What a rendered list page needs from the database.
struct StampedPage {
    page: Page<(ArticleStamp, StatsRow)>,
    /// The kept rendering of each item, where there is one.
    rendered: Vec<Option<Arc<RenderedItem>>>,
    /// The articles not rendered yet (or edited since).
    unrendered: Vec<ArticleView>,
    taxonomy: u64,
}

/// The ids of a page's items not rendered yet (counted in the metrics).
fn unrendered_ids(
    page: &Page<(ArticleStamp, StatsRow)>,
    rendered: &[Option<Arc<RenderedItem>>],
) -> Vec<i64> {
    let missing: Vec<i64> = page
        .items
        .iter()
        .zip(rendered)
        .filter(|(_, item)| item.is_none())
        .map(|((stamp, _), _)| stamp.id)
        .collect();
    crate::api::metrics::count_item_lookups(
        "list_items",
        rendered.len() - missing.len(),
        missing.len(),
    );
    missing
}

/// A page's stamps from the list index, and the taxonomy serial its items
/// are rendered with; `None` when the index cannot answer it (see
/// [`articles::list_stamps_indexed`]): the database is read instead.
///
/// Marked articles are read again first (from the primary). While other
/// nodes count views, the page's stored counts are read (one statement by
/// key), as a page read from the database shows them; alone, this node's
/// counter holds them.
async fn stamps_from_index(
    state: &AppState,
    request: &ListRequest,
    now: chrono::NaiveDateTime,
) -> Option<(Page<(ArticleStamp, StatsRow)>, u64)> {
    let index = &state.list_index;
    if !index.enabled() || index.needs_reload() {
        return None;
    }
    if index.needs_refresh() {
        let _turn = index.page_refresh_turn().await;
        if index.needs_refresh() {
            let refreshing = index.clone();
            if let Err(e) = state.db.write(move |conn| refreshing.refresh(conn)).await {
                tracing::warn!(error = %e, "list index: reading marked articles failed");
                return None;
            }
        }
    }
    let taxonomy = state.taxonomy.fresh()?;
    let page = articles::list_stamps_indexed(index, &taxonomy, request, now)?;
    let page = if state.responses.others_counting() {
        state
            .db
            .read(move |conn| articles::with_stored_view_counts(conn, page))
            .await
            .ok()?
    } else {
        page
    };
    Some((page, taxonomy.serial))
}

/// A public list page without `fields` or `q`, from items rendered once per
/// article edit (see [`crate::api::list_items`]): the same bytes as
/// serialising a [`List`] of [`ArticleDto`]s.
#[allow(clippy::too_many_arguments)]
async fn answer_rendered_list(
    state: &AppState,
    req: &HttpRequest,
    params: &ArticleListParams,
    request: ListRequest,
    items: Arc<ListItems>,
    ticket: Ticket,
    cache_key: String,
    now: chrono::NaiveDateTime,
    counts: crate::service::views::ViewTicket,
) -> Result<HttpResponse, AppError> {
    let indexed = stamps_from_index(state, &request, now).await;
    metrics::counter!("khabar_list_pages_total", "from" => if indexed.is_some() { "index" } else { "database" })
        .increment(1);
    let stamped = match indexed {
        Some((page, taxonomy)) => {
            let rendered: Vec<Option<Arc<RenderedItem>>> = page
                .items
                .iter()
                .map(|(stamp, _)| items.get(stamp.id, stamp.updated_at, taxonomy))
                .collect();
            let missing = unrendered_ids(&page, &rendered);
            let unrendered = if missing.is_empty() {
                Vec::new()
            } else {
                let taxonomy_cache = state.taxonomy.clone();
                state
                    .db
                    .read(move |conn| articles::views_by_ids(conn, &taxonomy_cache, &missing))
                    .await?
            };
            StampedPage {
                page,
                rendered,
                unrendered,
                taxonomy,
            }
        }
        None => {
            let taxonomy_cache = state.taxonomy.clone();
            let kept = items.clone();
            state
                .db
                .read(move |conn| {
                    let page = articles::list_stamps(conn, &taxonomy_cache, &request, now)?;
                    let taxonomy = articles::taxonomy_serial(conn, &taxonomy_cache)?;
                    let rendered: Vec<Option<Arc<RenderedItem>>> = page
                        .items
                        .iter()
                        .map(|(stamp, _)| kept.get(stamp.id, stamp.updated_at, taxonomy))
                        .collect();
                    let missing = unrendered_ids(&page, &rendered);
                    let unrendered = articles::views_by_ids(conn, &taxonomy_cache, &missing)?;
                    Ok::<_, crate::service::ServiceError>(StampedPage {
                        page,
                        rendered,
                        unrendered,
                        taxonomy,
                    })
                })
                .await?
        }
    };
    let StampedPage {
        page,
        rendered,
        unrendered,
        taxonomy,
    } = stamped;
    let mut fresh: std::collections::HashMap<i64, Arc<RenderedItem>> = unrendered
        .into_iter()
        .map(|view| {
            let dto = ArticleDto::from_view(view, &state.settings, now);
            (dto.id, items.render(&dto, taxonomy))
        })
        .collect();
    let (meta, links) = meta_and_links(req, params, &page);
    let mut shown = Vec::with_capacity(page.items.len());
    let size: usize = rendered.iter().flatten().map(|i| i.len_hint()).sum();
    let mut body = Vec::with_capacity(size + 1024 * (1 + fresh.len()));
    body.extend_from_slice(b"{\"data\":[");
    for ((stamp, stats), item) in page.items.iter().zip(rendered) {
        // An article that went away between the two reads is left out.
        let Some(item) = item.or_else(|| fresh.remove(&stamp.id)) else {
            continue;
        };
        if !shown.is_empty() {
            body.push(b',');
        }
        shown.push(stamp.id);
        let published = stamp.published_at.unwrap_or(stamp.created_at);
        item.write(
            &mut body,
            // Stored counts plus this process's views not written yet.
            state.views.observe(counts, stamp.id, stats.view_count),
            stats.comment_count,
            is_archived(published, now, state.settings.archive_after),
        );
    }
    body.extend_from_slice(b"],\"meta\":");
    serde_json::to_writer(&mut body, &meta).map_err(|e| AppError::Internal(e.to_string()))?;
    body.extend_from_slice(b",\"links\":");
    serde_json::to_writer(&mut body, &links).map_err(|e| AppError::Internal(e.to_string()))?;
    body.push(b'}');
    Ok(state.responses.store_json(
        ticket,
        cache_key,
        Scope::List(shown),
        body,
        "application/json",
    ))
}

/// One published article, by numeric id or by slug.
///
/// Arabic slugs are sent percent-encoded (UTF-8), as every HTTP client does.
/// Drafts, scheduled and deleted articles are not found. A slug the article
/// had before answers 301 to the current one. With an editor's token, any
/// article that is not deleted is shown, with `status` and `version`.
/// `ETag` is the article's version (`If-Match` for edits).
#[utoipa::path(
    tag = "articles",
    params(
        ("id_or_slug" = String, Path, description = "Numeric id or slug", example = "1"),
        ("fields" = Option<Vec<ArticleField>>, Query, style = Form, explode = false, min_items = 1, description = "Comma-separated fields to return; `id` is always returned"),
    ),
    responses(
        (status = 200, description = "The article with its body: complete (`application/json`), as editors see it (with an editor's token), or sparse (with `fields`)",
            content(
                (One<ArticleDto> = "application/json"),
                (One<EditorialArticleDto> = "application/vnd.khabar.editorial+json"),
                (One<ArticleFields> = "application/vnd.khabar.fields+json"),
            ),
            headers(
                ("ETag" = String, description = "The article's version, e.g. `\"v3\"`; public answers add a hash of the body (`\"v3-h…\"`), which changes with the counters too"),
                ("Last-Modified" = String, description = "The article's last edit (HTTP date); counters are not edits. `If-Modified-Since` is honoured when `If-None-Match` is absent"),
            )),
        (status = 304, description = "Not modified: `If-None-Match` names the current `ETag`, or (without it) `If-Modified-Since` is not before `Last-Modified`"),
        (status = 301, description = "The slug is an old one; `Location` is the article's current address",
            headers(("Location" = String, description = "The current address"))),
        (status = 400, description = "`fields` names an unknown field", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "A token was sent but is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No published article has this id or slug", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is unreachable", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []))
)]
#[get("/articles/{id_or_slug}")]
pub async fn get_article(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    key: web::Path<String>,
    query: web::Query<FieldsQuery>,
) -> Result<HttpResponse, AppError> {
    let editor = caller.can(Capability::Editorial);
    let cache_key = req.uri().to_string();
    if !editor {
        if let Some(hit) = state.responses.answer(&req) {
            return Ok(hit);
        }
    }
    let ticket = state.responses.ticket();
    let fields = ArticleListQuery {
        fields: query.into_inner().fields,
        ..Default::default()
    }
    .parse(state.settings.timezone)?
    .fields;
    let raw = key.into_inner();
    let key = ArticleKey::parse(&raw).ok_or(AppError::NotFound(Entity::Article))?;
    // Only ids: a slug can be taken by any edit of any article.
    let public_id = match key {
        ArticleKey::Id(id) if !editor => Some(id),
        _ => None,
    };
    if public_id.is_some_and(|id| state.responses.known_missing(id)) {
        let mut missing = AppError::NotFound(Entity::Article).error_response();
        missing
            .headers_mut()
            .insert(X_CACHE, HeaderValue::from_static("hit"));
        return Ok(missing);
    }
    let cache = state.taxonomy.clone();
    let now = crate::service::now();
    let counts = state.views.ticket();
    let found = match (&state.article_batches, public_id) {
        (Some(batches), Some(id)) => batches
            .published(&state.db, &state.taxonomy, id)
            .await
            .and_then(|view| {
                view.map(|view| Found::Article(Box::new(view)))
                    .ok_or(AppError::NotFound(Entity::Article))
            }),
        _ => state
            .db
            .read(move |conn| articles::get_article(conn, &cache, &key, now, editor))
            .await
            .map_err(AppError::from),
    };
    if let (Err(AppError::NotFound(Entity::Article)), Some(id)) = (&found, public_id) {
        state.responses.remember_missing(ticket, id);
    }
    let found = found?;
    let view = match found {
        Found::Article(mut view) => {
            view.stats.view_count =
                state
                    .views
                    .observe(counts, view.article.id, view.stats.view_count);
            *view
        }
        Found::MovedTo(slug) => {
            let mut location = format!("/api/v1/articles/{}", encode_path_segment(&slug));
            if !req.query_string().is_empty() {
                location = format!("{location}?{}", req.query_string());
            }
            return Ok(HttpResponse::MovedPermanently()
                .insert_header((LOCATION, location))
                .finish());
        }
    };
    let tag = etag(view.version);
    if editor {
        let dto = EditorialArticleDto::from_view(view, &state.settings, now);
        let (data, media_type) = match &fields {
            None => (
                serde_json::to_value(&dto).unwrap_or_default(),
                EDITORIAL_MEDIA_TYPE,
            ),
            Some(fields) => (sparse(&dto, fields), FIELDS_MEDIA_TYPE),
        };
        let mut answer = HttpResponse::Ok();
        if let Some(time) = http_date(dto.updated_at) {
            answer.insert_header((LAST_MODIFIED, time));
        }
        return Ok(answer
            .content_type(media_type)
            .insert_header((ETAG, tag))
            .insert_header((CACHE_CONTROL, "private, no-store"))
            .body(serde_json::to_vec(&One { data }).unwrap_or_default()));
    }
    let dto = ArticleDto::from_view(view, &state.settings, now);
    let shown = Scope::Article(dto.id);
    // The last edit of the content; counters are not edits (the ETag
    // follows those, and wins over If-Modified-Since).
    let edited = Some(dto.updated_at);
    Ok(match fields {
        None => state.responses.store_with_last_modified(
            ticket,
            cache_key,
            shown,
            &One { data: dto },
            Some(tag),
            edited,
            "application/json",
        ),
        Some(fields) => state.responses.store_with_last_modified(
            ticket,
            cache_key,
            shown,
            &One {
                data: sparse(&dto, &fields),
            },
            Some(tag),
            edited,
            FIELDS_MEDIA_TYPE,
        ),
    })
}

/// Query of `GET /articles/{id_or_slug}`.
#[derive(Debug, Default, serde::Deserialize)]
pub struct FieldsQuery {
    /// Comma-separated field names.
    pub fields: Option<String>,
}

/// Keeps `id` and the named fields only.
fn sparse<T: serde::Serialize>(dto: &T, fields: &[ArticleField]) -> serde_json::Value {
    let mut value = serde_json::to_value(dto).unwrap_or_default();
    if let serde_json::Value::Object(map) = &mut value {
        // A search result's snippet belongs to the result, whatever is named.
        map.retain(|key, _| {
            key == "id" || key == "highlight" || fields.iter().any(|f| f.key() == key)
        });
    }
    value
}
