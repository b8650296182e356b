//! Liveness and readiness, outside `/api/v1`.

use actix_web::{get, web, HttpResponse};

use crate::api::v1::dto::{HealthDto, PoolHealthDto};
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

/// Ready: the primary database answers a query. On PostgreSQL, lists each
/// pool (the primary, then every read replica) with its state, lag and
/// connections.
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
    let primary = state.db.pool_state();
    let pools = (kind == BackendKind::Postgres).then(|| {
        std::iter::once(PoolHealthDto {
            name: "primary".into(),
            state: "up".into(),
            lag_ms: Some(0),
            reason: None,
            connections: primary.connections,
            idle: primary.idle,
            max: primary.max,
        })
        .chain(state.db.replicas().all().iter().map(|r| {
            let pool = r.pool_state();
            PoolHealthDto {
                name: r.name.clone(),
                state: r.state().as_str().into(),
                lag_ms: r.lag_ms(),
                reason: r.reason(),
                connections: pool.connections,
                idle: pool.idle,
                max: pool.max,
            }
        }))
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
            pools,
        }))
}
