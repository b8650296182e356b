//! Request ids and structured request logs.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use tracing::Instrument;

use crate::api::context::{self, Lang, RequestContext};

/// The request id header.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// A client's id is kept when it is short printable ASCII; otherwise we make one.
fn acceptable(id: &str) -> bool {
    !id.is_empty() && id.len() <= 128 && id.bytes().all(|b| b.is_ascii_graphic())
}

/// Echoes or makes `X-Request-Id`, sets the request context (id, language)
/// for error rendering, and logs one structured line per request.
pub async fn request_context(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
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
    let started = Instant::now();
    let result = context::scope(ctx, next.call(req))
        .instrument(span.clone())
        .await;
    let mut res = result?;
    let status = res.status().as_u16();
    let _entered = span.enter();
    let micros = started.elapsed().as_micros() as u64;
    if status >= 500 {
        tracing::warn!(status, micros, "request");
    } else {
        tracing::info!(status, micros, "request");
    }
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        res.headers_mut().insert(REQUEST_ID, value);
    }
    Ok(res)
}
