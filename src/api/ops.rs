//! Liveness and readiness, outside `/api/v1`.

use actix_web::{get, web, HttpResponse};

use crate::api::v1::dto::{HealthDto, ReplicaHealthDto};
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

/// Ready: the primary database answers a query. Lists the read replicas
/// with their state and lag, when there are any.
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
    // The primary decides readiness; replicas only report.
    state.db.write(service::ops::ready).await?;
    let replicas = state.db.replicas().all();
    let replicas = (!replicas.is_empty()).then(|| {
        replicas
            .iter()
            .map(|r| ReplicaHealthDto {
                name: r.name.clone(),
                state: r.state().as_str().into(),
                lag_ms: r.lag_ms(),
                reason: r.reason(),
            })
            .collect()
    });
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
            replicas,
        }))
}
