//! `GET /articles` and `GET /articles/{id_or_slug}`.

use actix_web::{get, web, HttpRequest, HttpResponse};

use crate::api::v1::dto::{ArticleDto, List, ListLinks, ListMeta, One};
use crate::api::v1::links::page_link;
use crate::api::v1::params::{ArticleField, ArticleListQuery, MAX_PAGE};
use crate::api::AppState;
use crate::domain::article::ArticleKey;
use crate::domain::Entity;
use crate::error::{AppError, Problem};
use crate::service::articles::{self, ListFilter, ListRequest, Position};

/// Published articles, newest first.
///
/// Filters combine (AND). Page with `page`/`per_page`, or walk with `cursor`
/// (stable under inserts, fast at any depth): follow `meta.next_cursor` or
/// `links.next`. A `cursor` wins over `page` and keeps the order it was made with.
#[utoipa::path(
    tag = "articles",
    params(ArticleListQuery),
    responses(
        (status = 200, description = "A page of articles", body = List<ArticleDto>),
        (status = 400, description = "A parameter is malformed or out of range", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is unreachable; retry after `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/articles")]
pub async fn list_articles(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<ArticleListQuery>,
) -> Result<HttpResponse, AppError> {
    let params = query.into_inner().parse()?;
    let cache_key = req.uri().to_string();
    if let Some(hit) = state.responses.get(&cache_key) {
        return Ok(hit);
    }
    let request = ListRequest {
        filter: ListFilter {
            section: params.section.clone(),
            tag: params.tag.clone(),
            author: params.author,
            language: params.language.clone(),
        },
        order: params.order,
        position: match params.cursor {
            Some(cursor) => Position::After(cursor),
            None => Position::Page(params.page),
        },
        per_page: params.per_page,
        include_total: params.include_total,
        with_body: params.fields.as_ref().is_some_and(|f| {
            f.contains(&ArticleField::BodyHtml) || f.contains(&ArticleField::BodyText)
        }),
    };
    let cache = state.taxonomy.clone();
    let page = state
        .db
        .read(move |conn| articles::list_published(conn, &cache, &request))
        .await?;

    let now = chrono::Utc::now().naive_utc();
    let next_cursor = page.next_cursor.map(|c| c.encode());
    let by_cursor = params.cursor.is_some();
    let path = req.path();
    let query_string = req.query_string();
    let links = ListLinks {
        self_link: page_link(path, query_string, &[]),
        next: next_cursor.as_ref().map(|c| {
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
        }),
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
    let items = page
        .items
        .into_iter()
        .map(|view| ArticleDto::from_view(view, &state.settings, now));
    let cache = &state.responses;
    Ok(match &params.fields {
        None => cache.store(
            cache_key,
            &List {
                data: items.collect(),
                meta,
                links,
            },
        ),
        Some(fields) => cache.store(
            cache_key,
            &List {
                data: items.map(|dto| sparse(&dto, fields)).collect(),
                meta,
                links,
            },
        ),
    })
}

/// One published article, by numeric id or by slug.
///
/// Arabic slugs are sent percent-encoded (UTF-8), as every HTTP client does.
/// Drafts are not found.
#[utoipa::path(
    tag = "articles",
    params(
        ("id_or_slug" = String, Path, description = "Numeric id or slug", example = "1"),
        ("fields" = Option<Vec<ArticleField>>, Query, style = Form, explode = false, min_items = 1, description = "Comma-separated fields to return; `id` is always returned"),
    ),
    responses(
        (status = 200, description = "The article with its body", body = One<ArticleDto>),
        (status = 400, description = "`fields` names an unknown field", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No published article has this id or slug", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is unreachable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/articles/{id_or_slug}")]
pub async fn get_article(
    state: web::Data<AppState>,
    req: HttpRequest,
    key: web::Path<String>,
    query: web::Query<FieldsQuery>,
) -> Result<HttpResponse, AppError> {
    let cache_key = req.uri().to_string();
    if let Some(hit) = state.responses.get(&cache_key) {
        return Ok(hit);
    }
    let fields = ArticleListQuery {
        fields: query.into_inner().fields,
        ..Default::default()
    }
    .parse()?
    .fields;
    let raw = key.into_inner();
    let key = ArticleKey::parse(&raw).ok_or(AppError::NotFound(Entity::Article))?;
    let cache = state.taxonomy.clone();
    let view = state
        .db
        .read(move |conn| articles::get_published(conn, &cache, &key))
        .await?;
    let dto = ArticleDto::from_view(view, &state.settings, chrono::Utc::now().naive_utc());
    Ok(match fields {
        None => state.responses.store(cache_key, &One { data: dto }),
        Some(fields) => state.responses.store(
            cache_key,
            &One {
                data: sparse(&dto, &fields),
            },
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
fn sparse(dto: &ArticleDto, fields: &[ArticleField]) -> serde_json::Value {
    let mut value = serde_json::to_value(dto).unwrap_or_default();
    if let serde_json::Value::Object(map) = &mut value {
        map.retain(|key, _| key == "id" || fields.iter().any(|f| f.key() == key));
    }
    value
}
