//! Versions on the wire: strong ETags from the article's edit counter, and
//! `If-Match` preconditions for writes; for public reads, `Cache-Control`
//! for CDNs and `If-None-Match` answered 304.

use std::hash::BuildHasher;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{
    HeaderMap, HeaderValue, HttpDate, AUTHORIZATION, CACHE_CONTROL, ETAG, IF_MATCH,
    IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED,
};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::web;

use crate::api::AppState;

use crate::error::AppError;
use crate::service::editorial::Precondition;

/// The strong ETag of a version: `"v7"`. It changes with every edit and with
/// nothing else (view and comment counters live elsewhere).
pub fn etag(version: i64) -> String {
    format!("\"v{version}\"")
}

/// Reads `If-Match` (RFC 9110 §13.1.1): required on writes (428 without it);
/// `*` matches any version; weak tags never match (strong comparison);
/// anything that is not one of our tags matches nothing (412).
pub fn if_match(headers: &HeaderMap) -> Result<Precondition, AppError> {
    // An empty If-Match names no version at all: as good as none.
    let mut values = headers
        .get_all(IF_MATCH)
        .filter(|v| !v.as_bytes().iter().all(u8::is_ascii_whitespace))
        .peekable();
    if values.peek().is_none() {
        return Err(AppError::PreconditionRequired);
    }
    let mut versions = Vec::new();
    for value in values {
        let text = value.to_str().unwrap_or("");
        for tag in text.split(',').map(str::trim) {
            if tag == "*" {
                return Ok(Precondition::Any);
            }
            // `"v7"`, or a public answer's `"v7-h…"`: the version decides.
            if let Some(v) = tag
                .strip_prefix("\"v")
                .and_then(|t| t.strip_suffix('"'))
                .map(|t| t.split_once("-h").map_or(t, |(version, _)| version))
                .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|d| d.parse::<i64>().ok())
            {
                versions.push(v);
            }
        }
    }
    Ok(Precondition::Versions(versions))
}

/// The strong ETag of a public answer: a hash of its bytes. Public answers
/// carry live view counts, so the edit counter alone would not change
/// when they do. (foldhash with a fixed seed: stable across processes and
/// restarts, and 64 bits are plenty to tell two versions of one URL apart.)
pub fn body_etag(body: &[u8]) -> String {
    let hash = foldhash::quality::FixedState::with_seed(0x6b68_6162_6172).hash_one(body);
    format!("\"h{hash:016x}\"")
}

/// Whether an `If-None-Match` value names `tag` (weak comparison, as RFC
/// 9110 §13.1.2 asks for `If-None-Match`), or is `*`.
pub fn none_match_hits(header: &str, tag: &str) -> bool {
    let bare = tag.trim_start_matches("W/");
    header
        .split(',')
        .map(str::trim)
        .any(|t| t == "*" || t.trim_start_matches("W/") == bare)
}

/// Bodies smaller than this are not worth compressing (gzip's header and
/// a round of the compressor cost more than they save).
const MIN_COMPRESSED_BYTES: u64 = 1024;

/// Keeps a small answer out of `Compress` (which skips a response that
/// already says `Content-Encoding`; `api::middleware` removes `identity`
/// on the way out).
fn send_small_as_is<B: MessageBody>(res: &mut actix_web::HttpResponse<B>) {
    // An answer compressed already (the answer cache's kept bytes, small
    // because compressed) says so itself: overwriting that with `identity`
    // sent gzip bytes as if they were JSON.
    if res
        .headers()
        .contains_key(actix_web::http::header::CONTENT_ENCODING)
    {
        return;
    }
    if let actix_web::body::BodySize::Sized(n) = res.body().size() {
        if n < MIN_COMPRESSED_BYTES {
            res.headers_mut().insert(
                actix_web::http::header::CONTENT_ENCODING,
                HeaderValue::from_static("identity"),
            );
        }
    }
}

/// Public reads (`GET /api/…` without `Authorization`, answered 200):
/// `Cache-Control` for CDNs (unless the route set its own), a strong ETag of
/// the body, and 304 without a body when `If-None-Match` names it (or, without
/// `If-None-Match`, when `If-Modified-Since` is not before `Last-Modified`). Runs
/// inside compression, so the tag is of the JSON itself and a 304 is never
/// compressed.
pub async fn conditional_get(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let public_read = req.method() == actix_web::http::Method::GET
        && req.path().starts_with("/api/")
        && !req.headers().contains_key(AUTHORIZATION);
    if !public_read {
        let mut res = next.call(req).await?;
        send_small_as_is(res.response_mut());
        return Ok(res.map_into_boxed_body());
    }
    let if_none_match = req
        .headers()
        .get(IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let if_modified_since = req
        .headers()
        .get(IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<HttpDate>().ok());
    let cache_control = req
        .app_data::<web::Data<AppState>>()
        .map(|s| s.settings.public_cache_control.clone());
    let gzip_here = crate::api::cache::Accepted::prefers_gzip(req.request());
    let res = next.call(req).await?;
    // A 304 comes from the answer cache, which compared the tag itself.
    let status = res.status();
    if status != StatusCode::OK && status != StatusCode::NOT_MODIFIED {
        return Ok(res.map_into_boxed_body());
    }
    let (req, mut res) = res.into_parts();
    if let Some(value) = cache_control.and_then(|v| HeaderValue::from_str(&v).ok()) {
        if !res.headers().contains_key(CACHE_CONTROL) {
            res.headers_mut().insert(CACHE_CONTROL, value);
        }
    }
    if status == StatusCode::NOT_MODIFIED {
        return Ok(ServiceResponse::new(req, res.map_into_boxed_body()));
    }
    let private = res
        .headers()
        .get(CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("no-store") || v.contains("private"));
    let (res, body) = res.into_parts();
    let bytes = match body.try_into_bytes() {
        Ok(bytes) if !private => bytes,
        Ok(bytes) => return Ok(ServiceResponse::new(req, res.set_body(BoxBody::new(bytes)))),
        // A streamed body (none of ours): as it is.
        Err(body) => {
            return Ok(ServiceResponse::new(
                req,
                res.set_body(body).map_into_boxed_body(),
            ))
        }
    };
    // The answer cache gives its answers their final tag (`"h…"`, or an
    // article's `"v7-h…"`: the version in front, so that `If-Match` works
    // with it). Other answers get a hash of their bytes, after the version
    // when the handler set one.
    let given = res
        .headers()
        .get(ETAG)
        .and_then(|v| v.to_str().ok())
        .and_then(|t| t.strip_prefix('"')?.strip_suffix('"'))
        .map(str::to_string);
    let tag = match given {
        Some(t) if t.starts_with('h') || t.contains("-h") => format!("\"{t}\""),
        Some(t)
            if t.len() > 1 && t.starts_with('v') && t[1..].bytes().all(|b| b.is_ascii_digit()) =>
        {
            format!("\"{t}-{}", body_etag(&bytes).trim_start_matches('"'))
        }
        _ => body_etag(&bytes),
    };
    let mut res = res.set_body(BoxBody::new(bytes));
    send_small_as_is(&mut res);
    if let Ok(value) = HeaderValue::from_str(&tag) {
        res.headers_mut().insert(ETAG, value);
    }
    // RFC 9110 §13.1.3: If-Modified-Since counts only without If-None-Match
    // (the tag also follows counters; the date follows edits only).
    let unmodified = match (&if_none_match, if_modified_since) {
        (Some(header), _) => none_match_hits(header, &tag),
        (None, Some(since)) => res
            .headers()
            .get(LAST_MODIFIED)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<HttpDate>().ok())
            .is_some_and(|modified| modified <= since),
        (None, None) => false,
    };
    if unmodified {
        let (head, _) = res.into_parts();
        let mut not_modified = head.set_body(BoxBody::new(()));
        *not_modified.status_mut() = StatusCode::NOT_MODIFIED;
        not_modified
            .headers_mut()
            .remove(actix_web::http::header::CONTENT_TYPE);
        return Ok(ServiceResponse::new(req, not_modified));
    }
    if gzip_here {
        res = gzip_inline(res);
    }
    Ok(ServiceResponse::new(req, res))
}

/// Bodies up to this size are gzipped on the worker (an article: about
/// 20 µs); larger ones (feeds, long lists) are left to `Compress`, which
/// compresses them on the blocking pool instead of holding up the worker.
const MAX_INLINE_GZIP_BYTES: usize = 32 * 1024;

/// `res` gzipped here with this thread's compressor (`api::gzip`), when its
/// body is a size worth it and not compressed already; `Compress` then
/// leaves it as it is.
fn gzip_inline(res: actix_web::HttpResponse) -> actix_web::HttpResponse {
    use actix_web::http::header::{CONTENT_ENCODING, VARY};
    if res.headers().contains_key(CONTENT_ENCODING) {
        return res;
    }
    let (res, body) = res.into_parts();
    let bytes = match body.try_into_bytes() {
        Ok(bytes) => bytes,
        Err(body) => return res.set_body(body),
    };
    let size = bytes.len();
    let gzip = (MIN_COMPRESSED_BYTES as usize..=MAX_INLINE_GZIP_BYTES)
        .contains(&size)
        .then(|| crate::api::gzip::gzip(&bytes))
        .flatten();
    let Some(gzip) = gzip else {
        return res.set_body(BoxBody::new(bytes));
    };
    let mut res = res.set_body(BoxBody::new(gzip));
    let headers = res.headers_mut();
    headers.insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    headers.append(VARY, HeaderValue::from_static("accept-encoding"));
    res
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::HeaderValue;

    fn parse(values: &[&str]) -> Result<Precondition, AppError> {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(IF_MATCH, HeaderValue::from_str(v).unwrap());
        }
        if_match(&h)
    }

    #[test]
    fn preconditions() {
        assert!(matches!(parse(&[]), Err(AppError::PreconditionRequired)));
        assert!(matches!(parse(&[""]), Err(AppError::PreconditionRequired)));
        assert_eq!(parse(&["*"]).unwrap(), Precondition::Any);
        assert_eq!(parse(&["\"v3\""]).unwrap(), Precondition::Versions(vec![3]));
        assert_eq!(
            parse(&["\"v3\", \"v4\"", "\"v9\""]).unwrap(),
            Precondition::Versions(vec![3, 4, 9])
        );
        // Weak and foreign tags match nothing.
        assert_eq!(
            parse(&["W/\"v3\""]).unwrap(),
            Precondition::Versions(vec![])
        );
        assert_eq!(parse(&["\"abc\""]).unwrap(), Precondition::Versions(vec![]));
        // A public answer's tag names its version too.
        assert_eq!(
            parse(&["\"v5-h0123456789abcdef\""]).unwrap(),
            Precondition::Versions(vec![5])
        );
        assert_eq!(etag(12), "\"v12\"");
    }

    #[test]
    fn body_tags_follow_the_bytes_and_if_none_match_compares_weakly() {
        let a = body_etag(b"{\"view_count\":1}");
        assert_eq!(a, body_etag(b"{\"view_count\":1}"));
        assert_ne!(a, body_etag(b"{\"view_count\":2}"));
        assert!(none_match_hits(&a, &a));
        assert!(none_match_hits(&format!("\"x\", W/{a}"), &a));
        assert!(none_match_hits("*", &a));
        assert!(!none_match_hits("\"x\"", &a));
    }
}
