//! Error responses shared by many operations, declared once for the spec.

use utoipa::IntoResponses;

use crate::error::Problem;

/// 401 and 403: who may call a protected route.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum AuthErrors {
    /// No token, a malformed `Authorization` header, an unknown or a revoked token.
    #[response(
        status = 401,
        description = "No valid bearer token (`WWW-Authenticate: Bearer` says why)",
        content_type = "application/problem+json"
    )]
    Unauthorized(Problem),
    /// A valid token whose role does not allow this route.
    #[response(
        status = 403,
        description = "The token's role does not allow this request",
        content_type = "application/problem+json"
    )]
    Forbidden(Problem),
}

/// 400, 413, 415 and 422: a request body that cannot be accepted.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum BodyErrors {
    /// Malformed JSON, a wrong type, or a field this operation does not take.
    #[response(
        status = 400,
        description = "The body is not valid JSON for this operation (unknown fields included)",
        content_type = "application/problem+json"
    )]
    BadRequest(Problem),
    /// Over 1 MiB.
    #[response(
        status = 413,
        description = "The body is larger than 1 MiB",
        content_type = "application/problem+json"
    )]
    TooLarge(Problem),
    /// Not `application/json`.
    #[response(
        status = 415,
        description = "The body is not sent as application/json",
        content_type = "application/problem+json"
    )]
    UnsupportedMediaType(Problem),
    /// Values that break the rules, every bad field listed in `errors`.
    #[response(
        status = 422,
        description = "Values break the rules; `errors` lists every bad field",
        content_type = "application/problem+json"
    )]
    Unprocessable(Problem),
}

/// 412 and 428: optimistic concurrency on edits.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum VersionErrors {
    /// `If-Match` does not name the current version; the answer's `ETag` does.
    #[response(
        status = 412,
        description = "If-Match does not match the current ETag: someone else edited first; nothing was changed",
        content_type = "application/problem+json"
    )]
    PreconditionFailed(Problem),
    /// No `If-Match`.
    #[response(
        status = 428,
        description = "If-Match is required (send the ETag you read)",
        content_type = "application/problem+json"
    )]
    PreconditionRequired(Problem),
}

/// 503: the database is unreachable.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum Unavailable {
    /// Retry after `Retry-After` seconds.
    #[response(
        status = 503,
        description = "The database is unreachable; retry after `Retry-After` seconds",
        content_type = "application/problem+json"
    )]
    Unavailable(Problem),
}
