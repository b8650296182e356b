//! Request ids and structured request logs.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use tracing::Instrument;

use actix_web::http::header::AUTHORIZATION;
use actix_web::{web, HttpMessage, ResponseError};

use crate::api::auth::authenticate;
use crate::api::cache::X_CACHE;
use crate::api::client::client_address;
use crate::api::context::{self, Lang, RequestContext};
use crate::api::rate_limit::Budget;
use crate::api::AppState;
use crate::domain::role::Role;
use crate::error::AppError;

/// The request id header.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// A client's id is kept when it is short printable ASCII; otherwise we make one.
fn acceptable(id: &str) -> bool {
    !id.is_empty() && id.len() <= 128 && id.bytes().all(|b| b.is_ascii_graphic())
}

/// Takes the request from its client's budget, when a limit applies: a
/// partner token's (every request it signs), or an anonymous reader's
/// address (a GET of `/api/` without `Authorization`; health checks are
/// never limited). `Err` over the limit, with the seconds to wait.
async fn take_from_budget(req: &ServiceRequest) -> Result<(), u64> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(());
    };
    let outcome = if req.headers().contains_key(AUTHORIZATION) {
        let Some(limiter) = &state.limits.partner else {
            return Ok(());
        };
        // An invalid token is the route's to refuse (or to ignore).
        match authenticate(req.request()).await {
            Ok(Some(p)) if p.role == Role::Partner => limiter.check(&p.token_id),
            _ => return Ok(()),
        }
    } else {
        let Some(limiter) = &state.limits.anonymous else {
            return Ok(());
        };
        if req.method() != actix_web::http::Method::GET || !req.path().starts_with("/api/") {
            return Ok(());
        }
        limiter.check(&client_address(
            req.request(),
            &state.settings.trusted_proxies,
            false,
        ))
    };
    match outcome {
        Ok(budget) => {
            budget.attach(req.request());
            Ok(())
        }
        Err((budget, wait)) => {
            budget.attach(req.request());
            Err(wait)
        }
    }
}

/// The method as a metrics label (any other is one label).
fn static_method(method: &actix_web::http::Method) -> &'static str {
    use actix_web::http::Method;
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PATCH => "PATCH",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Echoes or makes `X-Request-Id`, sets the request context (id, language)
/// for error rendering, and logs one structured line per request.
pub async fn request_context(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    // HEAD is GET without the body (RFC 9110 §9.3.2): route it as GET; the
    // HTTP/1 codec still knows the request was HEAD and sends no body.
    if req.method() == actix_web::http::Method::HEAD {
        req.head_mut().method = actix_web::http::Method::GET;
    }
    let request_id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| acceptable(v))
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let ctx = RequestContext {
        request_id: request_id.clone(),
        lang: Lang::from_headers(req.headers()),
    };
    let span = tracing::info_span!(
        "request",
        request_id = %request_id,
        method = %req.method(),
        path = %req.path(),
    );
    let method = static_method(req.method());
    let started = Instant::now();
    // Requests with a token (editors, moderators, partners) read from the
    // primary: they see their own writes at once, whatever a replica's lag.
    let token = req
        .headers()
        .contains_key(actix_web::http::header::AUTHORIZATION);
    let result = context::scope(
        ctx,
        crate::db::replicas::reading_from_primary(token, async move {
            if let Err(wait) = take_from_budget(&req).await {
                let refused = AppError::TooManyRequests(wait).error_response();
                return Ok(req.into_response(refused).map_into_right_body());
            }
            next.call(req)
                .await
                .map(ServiceResponse::map_into_left_body)
        }),
    )
    .instrument(span.clone())
    .await;
    let mut res = result?;
    let route = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_string());
    crate::api::metrics::record_request(route, method, res.status().as_u16(), started.elapsed());
    if let Some(cache) = res.headers().get(X_CACHE).and_then(|v| v.to_str().ok()) {
        let result = if cache == "hit" { "hit" } else { "miss" };
        metrics::counter!("khabar_answer_cache_total", "result" => result).increment(1);
    }
    // A rate-limited caller sees its budget on every answer, errors too.
    let budget = res.request().extensions().get::<Budget>().cloned();
    if let Some(budget) = budget {
        budget.write_headers(res.headers_mut());
    }
    let status = res.status().as_u16();
    let _entered = span.enter();
    let micros = started.elapsed().as_micros() as u64;
    if status >= 500 {
        tracing::warn!(status, micros, "request");
    } else {
        tracing::info!(status, micros, "request");
    }
    // `api::http_cache` marks small answers `identity` to keep them out of
    // `Compress`; the client needs no such header.
    if res
        .headers()
        .get(actix_web::http::header::CONTENT_ENCODING)
        .is_some_and(|v| v == "identity")
    {
        res.headers_mut()
            .remove(actix_web::http::header::CONTENT_ENCODING);
    }
    // Compression varies by `Accept-Encoding` even where it sent the body
    // as it is (identity, small answers): say so, so that a cache never
    // hands this copy to a client that asked otherwise.
    if res.status() == actix_web::http::StatusCode::OK {
        let varies = res
            .headers()
            .get_all(actix_web::http::header::VARY)
            .any(|v| {
                v.to_str()
                    .is_ok_and(|v| v.to_ascii_lowercase().contains("accept-encoding"))
            });
        if !varies {
            res.headers_mut().append(
                actix_web::http::header::VARY,
                HeaderValue::from_static("accept-encoding"),
            );
        }
    }
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        res.headers_mut().insert(REQUEST_ID, value);
    }
    Ok(res)
}
