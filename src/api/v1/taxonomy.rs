//! Sections, tags and authors.

use actix_web::{get, web, HttpRequest, HttpResponse};

use crate::api::v1::dto::{AuthorDto, List, ListLinks, ListMeta, One, SectionDto, TagDto};
use crate::api::v1::links::page_link;
use crate::api::v1::params::{PageParams, PageQuery};
use crate::api::AppState;
use crate::db::DbConnection;
use crate::domain::Entity;
use crate::error::{AppError, Problem};
use crate::service::{taxonomy, Page, PageRequest, ServiceError};

fn list_body<R, T: From<R>>(req: &HttpRequest, params: PageParams, page: Page<R>) -> List<T> {
    let (path, query) = (req.path(), req.query_string());
    List {
        data: page.items.into_iter().map(T::from).collect(),
        meta: ListMeta {
            page: Some(params.page),
            per_page: params.per_page,
            total: page.total,
            next_cursor: None,
        },
        links: ListLinks {
            self_link: page_link(path, query, &[]),
            next: page.has_more.then(|| {
                page_link(
                    path,
                    query,
                    &[("page", Some((params.page + 1).to_string()))],
                )
            }),
            prev: (params.page > 1).then(|| {
                page_link(
                    path,
                    query,
                    &[("page", Some((params.page - 1).to_string()))],
                )
            }),
        },
    }
}

/// Parses the page query, loads one page with `load`, answers the envelope.
async fn list_page<R, T>(
    state: &AppState,
    req: &HttpRequest,
    query: PageQuery,
    load: fn(&mut DbConnection, PageRequest, bool) -> Result<Page<R>, ServiceError>,
) -> Result<HttpResponse, AppError>
where
    R: Send + 'static,
    T: From<R> + serde::Serialize,
{
    let params = query.parse()?;
    let request = PageRequest {
        page: params.page,
        per_page: params.per_page,
    };
    let page = state
        .db
        .read(move |conn| load(conn, request, params.include_total))
        .await?;
    Ok(HttpResponse::Ok().json(list_body::<_, T>(req, params, page)))
}

/// The site's sections, in display order.
#[utoipa::path(
    tag = "sections",
    params(PageQuery),
    responses(
        (status = 200, description = "A page of sections", body = List<SectionDto>),
        (status = 400, description = "A parameter is malformed or out of range", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is unreachable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sections")]
pub async fn list_sections(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    list_page::<_, SectionDto>(&state, &req, query.into_inner(), taxonomy::list_sections).await
}

/// One section by slug.
#[utoipa::path(
    tag = "sections",
    params(("slug" = String, Path, description = "Section slug", example = "politics")),
    responses(
        (status = 200, description = "The section", body = One<SectionDto>),
        (status = 404, description = "No section has this slug", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is unreachable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sections/{slug}")]
pub async fn get_section(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    if slug.chars().any(char::is_control) || slug.len() > 1024 {
        return Err(AppError::NotFound(Entity::Section));
    }
    let section = state
        .db
        .read(move |conn| taxonomy::get_section(conn, &slug))
        .await?;
    Ok(HttpResponse::Ok().json(One {
        data: SectionDto::from(section),
    }))
}

/// Tags, by name.
#[utoipa::path(
    tag = "tags",
    params(PageQuery),
    responses(
        (status = 200, description = "A page of tags", body = List<TagDto>),
        (status = 400, description = "A parameter is malformed or out of range", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is unreachable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/tags")]
pub async fn list_tags(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    list_page::<_, TagDto>(&state, &req, query.into_inner(), taxonomy::list_tags).await
}

/// One author by id.
#[utoipa::path(
    tag = "authors",
    params(("id" = i64, Path, description = "Author id", minimum = 1, example = 1)),
    responses(
        (status = 200, description = "The author", body = One<AuthorDto>),
        (status = 400, description = "The id is not a positive whole number", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No author has this id", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is unreachable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/authors/{id}")]
pub async fn get_author(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let raw = id.into_inner();
    let id = raw
        .parse::<i64>()
        .ok()
        .filter(|id| *id >= 1 && raw.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| {
            AppError::InvalidParameters(vec![crate::error::FieldError::new(
                "id",
                "invalid_id",
                format!("id must be a positive whole number (got {raw:?})."),
                format!("يجب أن يكون المعرّف عدداً صحيحاً موجباً (وصل {raw:?})."),
            )])
        })?;
    let author = state
        .db
        .read(move |conn| taxonomy::get_author(conn, id))
        .await?;
    Ok(HttpResponse::Ok().json(One {
        data: AuthorDto::from(author),
    }))
}
