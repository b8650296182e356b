//! CORS for browser front ends on other origins (the Fetch standard).
//!
//! Public reads (`GET`/`HEAD` without `Authorization`) are open to every
//! origin (`*`, no credentials), as WordPress's REST API and Ghost's Content
//! API are for their readers, unless `KHABAR_CORS_ORIGINS` names a list;
//! everything else (writes, anything with a token) answers only the listed
//! origins. Hand-written rather than `actix-cors`, which has one policy per
//! app and cannot tell a public read from an authenticated call.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpResponse};

use crate::api::AppState;

/// Request headers a browser may send.
const ALLOW_HEADERS: &str =
    "Authorization, Content-Type, If-Match, If-None-Match, If-Modified-Since, Idempotency-Key, X-Request-Id, Accept-Language";
/// Response headers a browser script may read.
const EXPOSE_HEADERS: &str =
    "ETag, Location, Last-Modified, Retry-After, RateLimit, RateLimit-Policy, X-Request-Id";
/// Methods the API has.
const ALLOW_METHODS: &str = "GET, HEAD, POST, PATCH, DELETE, OPTIONS";
/// How long a browser may keep a preflight's answer (seconds).
const MAX_AGE: &str = "600";

/// What `Access-Control-Allow-Origin` says to `origin`, if anything.
fn allowed_origin(origin: &str, public_read: bool, listed: &[String]) -> Option<HeaderValue> {
    if public_read && listed.is_empty() {
        return Some(HeaderValue::from_static("*"));
    }
    listed
        .iter()
        .any(|o| o == "*" && public_read || o.eq_ignore_ascii_case(origin))
        .then(|| HeaderValue::from_str(origin).ok())
        .flatten()
}

fn is_read(method: &Method) -> bool {
    method == Method::GET || method == Method::HEAD
}

/// Answers preflights and adds the CORS headers to answers for other origins.
pub async fn cors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let Some(origin) = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
    else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    };
    let listed: Vec<String> = req
        .app_data::<web::Data<AppState>>()
        .map(|s| s.settings.cors_origins.clone())
        .unwrap_or_default();
    let requested_method = req
        .headers()
        .get(header::ACCESS_CONTROL_REQUEST_METHOD)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    if req.method() == Method::OPTIONS {
        if let Some(method) = requested_method {
            // A preflight: what the real request will be.
            let with_token = req
                .headers()
                .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|h| {
                    h.split(',')
                        .any(|n| n.trim().eq_ignore_ascii_case("authorization"))
                });
            let public_read =
                !with_token && Method::from_bytes(method.as_bytes()).is_ok_and(|m| is_read(&m));
            let mut res = HttpResponse::new(StatusCode::NO_CONTENT);
            let headers = res.headers_mut();
            if let Some(allow) = allowed_origin(&origin, public_read, &listed) {
                headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allow);
                headers.insert(
                    header::ACCESS_CONTROL_ALLOW_METHODS,
                    HeaderValue::from_static(ALLOW_METHODS),
                );
                headers.insert(
                    header::ACCESS_CONTROL_ALLOW_HEADERS,
                    HeaderValue::from_static(ALLOW_HEADERS),
                );
                headers.insert(
                    header::ACCESS_CONTROL_MAX_AGE,
                    HeaderValue::from_static(MAX_AGE),
                );
            }
            vary_origin(headers);
            return Ok(req.into_response(res).map_into_right_body());
        }
    }
    let public_read = is_read(req.method()) && !req.headers().contains_key(header::AUTHORIZATION);
    let mut res = next.call(req).await?;
    let headers = res.headers_mut();
    if let Some(allow) = allowed_origin(&origin, public_read, &listed) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allow);
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSE_HEADERS),
        );
    }
    vary_origin(headers);
    Ok(res.map_into_left_body())
}

/// The answer depends on `Origin` (caches must keep one per origin).
fn vary_origin(headers: &mut HeaderMap) {
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_reads_are_open_and_the_rest_needs_a_listed_origin() {
        let none: Vec<String> = Vec::new();
        let listed = vec!["https://app.example".to_string()];
        assert_eq!(
            allowed_origin("https://x.example", true, &none).unwrap(),
            "*"
        );
        assert!(allowed_origin("https://x.example", false, &none).is_none());
        assert!(allowed_origin("https://x.example", true, &listed).is_none());
        assert_eq!(
            allowed_origin("https://app.example", false, &listed).unwrap(),
            "https://app.example"
        );
        let star = vec!["*".to_string()];
        assert_eq!(
            allowed_origin("https://x.example", true, &star).unwrap(),
            "https://x.example"
        );
        assert!(allowed_origin("https://x.example", false, &star).is_none());
    }
}
