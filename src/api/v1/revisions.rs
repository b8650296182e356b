//! Revisions (editors): `GET /articles/{id}/revisions[/{number}]`.

use actix_web::http::header::CACHE_CONTROL;
use actix_web::{get, web, HttpRequest, HttpResponse};

use crate::api::auth::{Authorized, Editorial};
use crate::api::v1::dto::{List, One, RevisionDetailDto, RevisionDto};
use crate::api::v1::params::PageQuery;
use crate::api::v1::responses::{AuthErrors, Unavailable};
use crate::api::v1::taxonomy::{list_body, parse_id};
use crate::api::AppState;
use crate::domain::Entity;
use crate::error::{AppError, Problem};
use crate::service::{revisions, PageRequest};

/// An article's revisions, newest first: who edited, when, and which fields.
#[utoipa::path(
    tag = "editorial",
    params(("id" = i64, Path, description = "Article id", minimum = 1), PageQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of revisions", body = List<RevisionDto>),
        (status = 400, description = "A parameter is malformed or out of range", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article", body = Problem, content_type = "application/problem+json"),
        AuthErrors, Unavailable,
    )
)]
#[get("/articles/{id}/revisions")]
pub async fn list_revisions(
    _auth: Authorized<Editorial>,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&id)?;
    let params = query.into_inner().parse()?;
    let request = PageRequest {
        page: params.page,
        per_page: params.per_page,
    };
    let page = state
        .db
        .read(move |conn| revisions::list(conn, id, request, params.include_total))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "private, no-store"))
        .json(list_body::<_, RevisionDto>(&req, params, page)))
}

/// One revision with the article as it was.
#[utoipa::path(
    tag = "editorial",
    params(
        ("id" = i64, Path, description = "Article id", minimum = 1),
        ("number" = i32, Path, description = "Revision number", minimum = 1),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The revision", body = One<RevisionDetailDto>),
        (status = 400, description = "An id is not a positive whole number", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article or revision", body = Problem, content_type = "application/problem+json"),
        AuthErrors, Unavailable,
    )
)]
#[get("/articles/{id}/revisions/{number}")]
pub async fn get_revision(
    _auth: Authorized<Editorial>,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (id, number) = path.into_inner();
    let id = parse_id(&id)?;
    let number =
        i32::try_from(parse_id(&number)?).map_err(|_| AppError::NotFound(Entity::Revision))?;
    let revision = state
        .db
        .read(move |conn| revisions::get(conn, id, number))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "private, no-store"))
        .json(One {
            data: RevisionDetailDto {
                revision: RevisionDto::from(revision.row),
                article: revision.snapshot,
            },
        }))
}
