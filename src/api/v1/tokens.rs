//! API tokens (admins): `GET/POST /tokens`, `DELETE /tokens/{id}`.

use actix_web::http::header::CACHE_CONTROL;
use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::api::auth::{Authorized, ManageTokens};
use crate::api::json::JsonObject;
use crate::api::v1::dto::{List, NewTokenDto, One, TokenDto};
use crate::api::v1::params::PageQuery;
use crate::api::v1::responses::{AuthErrors, BodyErrors, Unavailable};
use crate::api::v1::taxonomy::{list_body, parse_id};
use crate::api::AppState;
use crate::domain::role::Role;
use crate::error::{AppError, FieldError, Problem};
use crate::service::PageRequest;
use crate::service::{tokens, Conflict};

/// A token to make.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenCreate {
    /// Who or what it is for, 1–100 characters.
    #[schema(min_length = 1, max_length = 100, example = "newsroom CMS")]
    pub name: String,
    /// Its role.
    pub role: Role,
}

/// Every token, newest first (never the tokens themselves).
#[utoipa::path(
    tag = "tokens",
    params(PageQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of tokens", body = List<TokenDto>),
        (status = 400, description = "A parameter is malformed or out of range", body = Problem, content_type = "application/problem+json"),
        AuthErrors, Unavailable,
    )
)]
#[get("/tokens")]
pub async fn list_tokens(
    _auth: Authorized<ManageTokens>,
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let params = query.into_inner().parse()?;
    let request = PageRequest {
        page: params.page,
        per_page: params.per_page,
    };
    let page = state
        .db
        .read(move |conn| tokens::list(conn, request, params.include_total))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "private, no-store"))
        .json(list_body::<_, TokenDto>(&req, params, page)))
}

/// Makes a token. The answer is the only time the token is shown.
#[utoipa::path(
    tag = "tokens",
    request_body(content = TokenCreate, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The new token, shown once", body = One<NewTokenDto>),
        AuthErrors, BodyErrors, Unavailable,
    )
)]
#[post("/tokens")]
pub async fn create_token(
    _auth: Authorized<ManageTokens>,
    state: web::Data<AppState>,
    body: JsonObject<TokenCreate>,
) -> Result<HttpResponse, AppError> {
    let TokenCreate { name, role } = body.into_inner();
    let name = tokens::validate_name(&name).map_err(|why| {
        AppError::Unprocessable(vec![FieldError::new(
            "name",
            "invalid_length",
            format!("name: {why}."),
            "يجب أن يكون الاسم من 1 إلى 100 حرف دون محارف تحكّم.",
        )])
    })?;
    let (info, token) = state
        .db
        .write(move |conn| tokens::create(conn, role, &name))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((CACHE_CONTROL, "no-store"))
        .json(One {
            data: NewTokenDto {
                info: TokenDto::from(info),
                token,
            },
        }))
}

/// Revokes a token: from the next request on it is refused (401). The token
/// making the request cannot revoke itself (409), so an admin cannot lock
/// themselves out by mistake; use another admin token or `khabar token revoke`.
#[utoipa::path(
    tag = "tokens",
    params(("id" = i64, Path, description = "Token id", minimum = 1)),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The revoked token", body = One<TokenDto>),
        (status = 400, description = "The id is not a positive whole number", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No token has this id", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A token cannot revoke itself", body = Problem, content_type = "application/problem+json"),
        AuthErrors, Unavailable,
    )
)]
#[delete("/tokens/{id}")]
pub async fn revoke_token(
    auth: Authorized<ManageTokens>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&id)?;
    if id == auth.principal.token_id {
        return Err(AppError::Conflict(Conflict::OwnToken));
    }
    let info = state.db.write(move |conn| tokens::revoke(conn, id)).await?;
    Ok(HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "no-store"))
        .json(One {
            data: TokenDto::from(info),
        }))
}
