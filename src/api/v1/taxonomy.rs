//! Sections, tags and authors.

use actix_web::http::header::LOCATION;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::api::auth::{Authorized, Editorial};
use crate::api::v1::responses::{AuthErrors, BodyErrors, Unavailable};

use crate::api::json::JsonObject;
use crate::api::v1::dto::{AuthorDto, List, ListLinks, ListMeta, One, SectionDto, TagDto};
use crate::api::v1::links::page_link;
use crate::api::v1::params::{PageParams, PageQuery};
use crate::api::AppState;
use crate::db::DbConnection;
use crate::domain::Entity;
use crate::error::{AppError, Problem};
use crate::service::taxonomy::TermChanges;
use crate::service::{taxonomy, Page, PageRequest, ServiceError};

/// The list envelope of a page of a small collection.
pub fn list_body<R, T: From<R>>(req: &HttpRequest, params: PageParams, page: Page<R>) -> List<T> {
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
    let id = parse_id(&id)?;
    let author = state
        .db
        .read(move |conn| taxonomy::get_author(conn, id))
        .await?;
    Ok(HttpResponse::Ok().json(One {
        data: AuthorDto::from(author),
    }))
}

/// A positive whole-number path id (400 otherwise).
pub fn parse_id(raw: &str) -> Result<i64, AppError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id >= 1 && raw.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| {
            AppError::InvalidParameters(vec![crate::error::FieldError::new(
                "id",
                "invalid_id",
                format!("id must be a positive whole number (got {raw:?})."),
                format!("يجب أن يكون المعرّف عدداً صحيحاً موجباً (وصل {raw:?})."),
            )])
        })
}

/// A path slug no record can have (control characters, over 1 KiB) is a 404.
fn path_slug(raw: String, entity: Entity) -> Result<String, AppError> {
    if raw.chars().any(char::is_control) || raw.len() > 1024 {
        Err(AppError::NotFound(entity))
    } else {
        Ok(raw)
    }
}

/// A new section, or changes to one (absent fields stay as they are).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SectionWrite {
    /// Display name, 1–100 characters (required to create).
    #[schema(min_length = 1, max_length = 100, example = "سياسة")]
    pub name: Option<String>,
    /// Slug; made from the name when a new section has none.
    #[schema(example = "politics")]
    pub slug: Option<String>,
    /// Short description.
    #[schema(max_length = 2000)]
    pub description: Option<String>,
    /// Display position (lower first).
    #[schema(minimum = -1000000, maximum = 1000000)]
    pub position: Option<i32>,
}

/// A new tag, or changes to one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TagWrite {
    /// Display name, 1–100 characters (required to create).
    #[schema(min_length = 1, max_length = 100, example = "إيران")]
    pub name: Option<String>,
    /// Slug; made from the name when a new tag has none.
    #[schema(example = "iran")]
    pub slug: Option<String>,
}

/// A new author, or changes to one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthorWrite {
    /// Display name, 1–100 characters (required to create).
    #[schema(min_length = 1, max_length = 100, example = "ليلى حداد")]
    pub name: Option<String>,
    /// Slug; made from the name when a new author has none.
    pub slug: Option<String>,
    /// Short biography.
    #[schema(max_length = 2000)]
    pub bio: Option<String>,
}

impl From<SectionWrite> for TermChanges {
    fn from(w: SectionWrite) -> Self {
        TermChanges {
            slug: w.slug,
            name: w.name,
            description: w.description,
            position: w.position,
        }
    }
}

impl From<TagWrite> for TermChanges {
    fn from(w: TagWrite) -> Self {
        TermChanges {
            slug: w.slug,
            name: w.name,
            ..TermChanges::default()
        }
    }
}

impl From<AuthorWrite> for TermChanges {
    fn from(w: AuthorWrite) -> Self {
        TermChanges {
            slug: w.slug,
            name: w.name,
            description: w.bio,
            position: None,
        }
    }
}

fn now() -> chrono::NaiveDateTime {
    crate::service::now()
}

/// Creates a section.
#[utoipa::path(
    tag = "sections",
    request_body(content = SectionWrite, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = One<SectionDto>, headers(("Location" = String, description = "The new section"))),
        (status = 409, description = "The slug is taken", body = Problem, content_type = "application/problem+json"),
        AuthErrors, BodyErrors, Unavailable,
    )
)]
#[post("/sections")]
pub async fn create_section(
    _auth: Authorized<Editorial>,
    state: web::Data<AppState>,
    body: JsonObject<SectionWrite>,
) -> Result<HttpResponse, AppError> {
    let changes = TermChanges::from(body.into_inner());
    let row = state
        .db
        .write(move |conn| taxonomy::create_section(conn, changes, now()))
        .await?;
    state.taxonomy_changed();
    Ok(HttpResponse::Created()
        .insert_header((
            LOCATION,
            format!(
                "/api/v1/sections/{}",
                crate::api::v1::dto::encode_path_segment(&row.slug)
            ),
        ))
        .json(One {
            data: SectionDto::from(row),
        }))
}

/// Renames, re-slugs, re-describes or moves a section.
#[utoipa::path(
    tag = "sections",
    params(("slug" = String, Path, description = "Section slug")),
    request_body(content = SectionWrite, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The section", body = One<SectionDto>),
        (status = 404, description = "No section has this slug", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The new slug is taken", body = Problem, content_type = "application/problem+json"),
        AuthErrors, BodyErrors, Unavailable,
    )
)]
#[patch("/sections/{slug}")]
pub async fn update_section(
    _auth: Authorized<Editorial>,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    body: JsonObject<SectionWrite>,
) -> Result<HttpResponse, AppError> {
    let slug = path_slug(slug.into_inner(), Entity::Section)?;
    let changes = TermChanges::from(body.into_inner());
    let row = state
        .db
        .write(move |conn| taxonomy::update_section(conn, &slug, changes, now()))
        .await?;
    state.taxonomy_changed();
    Ok(HttpResponse::Ok().json(One {
        data: SectionDto::from(row),
    }))
}

/// Deletes a section that has no articles (409 with the count otherwise).
#[utoipa::path(
    tag = "sections",
    params(("slug" = String, Path, description = "Section slug")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No section has this slug", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The section still has articles; `detail` says how many", body = Problem, content_type = "application/problem+json"),
        AuthErrors, Unavailable,
    )
)]
#[delete("/sections/{slug}")]
pub async fn delete_section(
    _auth: Authorized<Editorial>,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let slug = path_slug(slug.into_inner(), Entity::Section)?;
    state
        .db
        .write(move |conn| taxonomy::delete_section(conn, &slug))
        .await?;
    state.taxonomy_changed();
    Ok(HttpResponse::NoContent().finish())
}

/// One tag by slug.
#[utoipa::path(
    tag = "tags",
    params(("slug" = String, Path, description = "Tag slug", example = "iran")),
    responses(
        (status = 200, description = "The tag", body = One<TagDto>),
        (status = 404, description = "No tag has this slug", body = Problem, content_type = "application/problem+json"),
        Unavailable,
    )
)]
#[get("/tags/{slug}")]
pub async fn get_tag(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let slug = path_slug(slug.into_inner(), Entity::Tag)?;
    let tag = state
        .db
        .read(move |conn| taxonomy::get_tag(conn, &slug))
        .await?;
    Ok(HttpResponse::Ok().json(One {
        data: TagDto::from(tag),
    }))
}

/// Creates a tag.
#[utoipa::path(
    tag = "tags",
    request_body(content = TagWrite, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = One<TagDto>, headers(("Location" = String, description = "The new tag"))),
        (status = 409, description = "The slug is taken", body = Problem, content_type = "application/problem+json"),
        AuthErrors, BodyErrors, Unavailable,
    )
)]
#[post("/tags")]
pub async fn create_tag(
    _auth: Authorized<Editorial>,
    state: web::Data<AppState>,
    body: JsonObject<TagWrite>,
) -> Result<HttpResponse, AppError> {
    let changes = TermChanges::from(body.into_inner());
    let row = state
        .db
        .write(move |conn| taxonomy::create_tag(conn, changes, now()))
        .await?;
    state.taxonomy_changed();
    Ok(HttpResponse::Created()
        .insert_header((
            LOCATION,
            format!(
                "/api/v1/tags/{}",
                crate::api::v1::dto::encode_path_segment(&row.slug)
            ),
        ))
        .json(One {
            data: TagDto::from(row),
        }))
}

/// Renames or re-slugs a tag; its articles show the new name at once.
#[utoipa::path(
    tag = "tags",
    params(("slug" = String, Path, description = "Tag slug")),
    request_body(content = TagWrite, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The tag", body = One<TagDto>),
        (status = 404, description = "No tag has this slug", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The new slug is taken", body = Problem, content_type = "application/problem+json"),
        AuthErrors, BodyErrors, Unavailable,
    )
)]
#[patch("/tags/{slug}")]
pub async fn update_tag(
    _auth: Authorized<Editorial>,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    body: JsonObject<TagWrite>,
) -> Result<HttpResponse, AppError> {
    let slug = path_slug(slug.into_inner(), Entity::Tag)?;
    let changes = TermChanges::from(body.into_inner());
    let row = state
        .db
        .write(move |conn| taxonomy::update_tag(conn, &slug, changes, now()))
        .await?;
    state.taxonomy_changed();
    Ok(HttpResponse::Ok().json(One {
        data: TagDto::from(row),
    }))
}

/// Deletes a tag; articles that carried it lose it.
#[utoipa::path(
    tag = "tags",
    params(("slug" = String, Path, description = "Tag slug")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No tag has this slug", body = Problem, content_type = "application/problem+json"),
        AuthErrors, Unavailable,
    )
)]
#[delete("/tags/{slug}")]
pub async fn delete_tag(
    _auth: Authorized<Editorial>,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let slug = path_slug(slug.into_inner(), Entity::Tag)?;
    state
        .db
        .write(move |conn| taxonomy::delete_tag(conn, &slug, now()))
        .await?;
    state.taxonomy_changed();
    Ok(HttpResponse::NoContent().finish())
}

/// Authors, by name.
#[utoipa::path(
    tag = "authors",
    params(PageQuery),
    responses(
        (status = 200, description = "A page of authors", body = List<AuthorDto>),
        (status = 400, description = "A parameter is malformed or out of range", body = Problem, content_type = "application/problem+json"),
        Unavailable,
    )
)]
#[get("/authors")]
pub async fn list_authors(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    list_page::<_, AuthorDto>(&state, &req, query.into_inner(), taxonomy::list_authors).await
}

/// Creates an author.
#[utoipa::path(
    tag = "authors",
    request_body(content = AuthorWrite, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = One<AuthorDto>, headers(("Location" = String, description = "The new author"))),
        (status = 409, description = "The slug is taken", body = Problem, content_type = "application/problem+json"),
        AuthErrors, BodyErrors, Unavailable,
    )
)]
#[post("/authors")]
pub async fn create_author(
    _auth: Authorized<Editorial>,
    state: web::Data<AppState>,
    body: JsonObject<AuthorWrite>,
) -> Result<HttpResponse, AppError> {
    let changes = TermChanges::from(body.into_inner());
    let row = state
        .db
        .write(move |conn| taxonomy::create_author(conn, changes, now()))
        .await?;
    state.taxonomy_changed();
    Ok(HttpResponse::Created()
        .insert_header((LOCATION, format!("/api/v1/authors/{}", row.id)))
        .json(One {
            data: AuthorDto::from(row),
        }))
}

/// Renames an author or edits the biography.
#[utoipa::path(
    tag = "authors",
    params(("id" = i64, Path, description = "Author id", minimum = 1)),
    request_body(content = AuthorWrite, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The author", body = One<AuthorDto>),
        (status = 404, description = "No author has this id", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The new slug is taken", body = Problem, content_type = "application/problem+json"),
        AuthErrors, BodyErrors, Unavailable,
    )
)]
#[patch("/authors/{id}")]
pub async fn update_author(
    _auth: Authorized<Editorial>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: JsonObject<AuthorWrite>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&id)?;
    let changes = TermChanges::from(body.into_inner());
    let row = state
        .db
        .write(move |conn| taxonomy::update_author(conn, id, changes, now()))
        .await?;
    state.taxonomy_changed();
    Ok(HttpResponse::Ok().json(One {
        data: AuthorDto::from(row),
    }))
}

/// Deletes an author; articles credited to them lose the credit (bylines stay as printed).
#[utoipa::path(
    tag = "authors",
    params(("id" = i64, Path, description = "Author id", minimum = 1)),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "The id is not a positive whole number", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No author has this id", body = Problem, content_type = "application/problem+json"),
        AuthErrors, Unavailable,
    )
)]
#[delete("/authors/{id}")]
pub async fn delete_author(
    _auth: Authorized<Editorial>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&id)?;
    state
        .db
        .write(move |conn| taxonomy::delete_author(conn, id, now()))
        .await?;
    state.taxonomy_changed();
    Ok(HttpResponse::NoContent().finish())
}
