//! Liveness and readiness, outside `/api/v1`.

use actix_web::{get, web, HttpResponse};

use crate::api::v1::dto::HealthDto;
use crate::api::AppState;
use crate::db::BackendKind;
use crate::error::{AppError, Problem};
use crate::service;

/// Alive: answers without touching the database.
#[utoipa::path(
    tag = "ops",
    responses((status = 200, description = "The process is alive", body = HealthDto))
)]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("cache-control", "no-store"))
        .content_type("application/json")
        .body(r#"{"status":"ok"}"#)
}

/// Ready: the database answers a query.
#[utoipa::path(
    tag = "ops",
    responses(
        (status = 200, description = "The database is reachable", body = HealthDto),
        (status = 503, description = "The database is unreachable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let kind = state.db.kind();
    state.db.read(service::ops::ready).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("cache-control", "no-store"))
        .json(HealthDto {
            status: "ok".into(),
            database: Some(
                match kind {
                    BackendKind::Postgres => "postgres",
                    BackendKind::Sqlite => "sqlite",
                }
                .into(),
            ),
        }))
}
