//! One error type for the HTTP layer, rendered as RFC 9457 problem+json with a
//! stable snake_case `code`, the request id, and Arabic or English text.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::context::{self, Lang};
use crate::db::DbCallError;
use crate::service::tokens::AuthFailure;
use crate::service::{Conflict, ServiceError};

pub use crate::domain::{Entity, FieldError};

impl Entity {
    fn code(self) -> &'static str {
        match self {
            Entity::Article => "article_not_found",
            Entity::Section => "section_not_found",
            Entity::Tag => "tag_not_found",
            Entity::Author => "author_not_found",
            Entity::Token => "token_not_found",
            Entity::Revision => "revision_not_found",
            Entity::Comment => "comment_not_found",
        }
    }
    fn text(self, lang: Lang) -> (&'static str, &'static str) {
        match (self, lang) {
            (Entity::Article, Lang::En) => (
                "Article not found",
                "No published article has this id or slug.",
            ),
            (Entity::Article, Lang::Ar) => (
                "المقال غير موجود",
                "لا يوجد مقال منشور بهذا المعرّف أو الرابط.",
            ),
            (Entity::Section, Lang::En) => ("Section not found", "No section has this slug."),
            (Entity::Section, Lang::Ar) => ("القسم غير موجود", "لا يوجد قسم بهذا الرابط."),
            (Entity::Tag, Lang::En) => ("Tag not found", "No tag has this slug."),
            (Entity::Tag, Lang::Ar) => ("الوسم غير موجود", "لا يوجد وسم بهذا الرابط."),
            (Entity::Author, Lang::En) => ("Author not found", "No author has this id."),
            (Entity::Author, Lang::Ar) => ("الكاتب غير موجود", "لا يوجد كاتب بهذا المعرّف."),
            (Entity::Token, Lang::En) => ("Token not found", "No token has this id."),
            (Entity::Token, Lang::Ar) => ("الرمز غير موجود", "لا يوجد رمز وصول بهذا المعرّف."),
            (Entity::Revision, Lang::En) => (
                "Revision not found",
                "This article has no revision with this number.",
            ),
            (Entity::Revision, Lang::Ar) => (
                "النسخة غير موجودة",
                "لا توجد نسخة سابقة من المقال بهذا الرقم.",
            ),
            (Entity::Comment, Lang::En) => ("Comment not found", "No comment has this id."),
            (Entity::Comment, Lang::Ar) => ("التعليق غير موجود", "لا يوجد تعليق بهذا المعرّف."),
        }
    }
}

/// Every way a request can fail.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Query, path or body values that are malformed or out of range (400).
    #[error("invalid parameters: {0:?}")]
    InvalidParameters(Vec<FieldError>),
    /// The thing asked for does not exist (404).
    #[error("not found: {0:?}")]
    NotFound(Entity),
    /// No route matches the path (404).
    #[error("no such route")]
    RouteNotFound,
    /// The route exists but not with this method (405).
    #[error("method not allowed")]
    MethodNotAllowed(Vec<String>),
    /// No usable credentials (401, with `WWW-Authenticate`).
    #[error("unauthorized: {0:?}")]
    Unauthorized(AuthFailure),
    /// Valid credentials without the role the route needs (403).
    #[error("forbidden")]
    Forbidden,
    /// Well-formed values that break the rules (422); every bad field listed.
    #[error("validation failed: {0:?}")]
    Unprocessable(Vec<FieldError>),
    /// The request conflicts with the current state (409).
    #[error("conflict: {0:?}")]
    Conflict(Conflict),
    /// `If-Match` names another version (412).
    #[error("precondition failed")]
    PreconditionFailed {
        /// The current ETag.
        current_etag: String,
    },
    /// A write without `If-Match` (428).
    #[error("precondition required")]
    PreconditionRequired,
    /// The body is larger than allowed (413).
    #[error("payload too large")]
    PayloadTooLarge(usize),
    /// The body is not JSON (415).
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// Comments are closed on this article (403).
    #[error("comments closed")]
    CommentsClosed,
    /// Too many requests from this client (429, with Retry-After in seconds).
    #[error("too many requests; retry after {0} s")]
    TooManyRequests(u64),
    /// An `Idempotency-Key` reused with another request (422).
    #[error("idempotency key reused")]
    IdempotencyKeyReused,
    /// The database cannot be reached (503, with Retry-After).
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A bug or an unexpected failure (500); the cause is logged, not shown.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Seconds a client should wait before retrying after a 503.
pub const RETRY_AFTER_SECS: u32 = 5;

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:khabar:problem:invalid_parameters",
    "title": "Invalid parameters",
    "status": 400,
    "detail": "One or more parameters are invalid; see errors.",
    "code": "invalid_parameters",
    "request_id": "7f1c0e8e-3f7a-4a0e-9d0b-6c1f2b8a9e11",
    "errors": [{"field": "per_page", "code": "out_of_range", "message": "per_page must be between 1 and 100."}]
}))]
pub struct Problem {
    /// A URI naming the problem type: `urn:khabar:problem:{code}`.
    #[serde(rename = "type")]
    pub type_uri: String,
    /// Short summary, in the language asked for by `Accept-Language` (ar or en).
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// Explanation of this occurrence.
    pub detail: String,
    /// Stable snake_case code for programs to branch on.
    pub code: String,
    /// The request id, as in the `X-Request-Id` response header; quote it when reporting a problem.
    pub request_id: String,
    /// Every bad field at once, on validation failures.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<ProblemField>>,
}

/// One bad field of a request.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemField {
    /// The parameter or body field, e.g. `per_page`.
    pub field: String,
    /// Stable snake_case code, e.g. `out_of_range`, `invalid_integer`.
    pub code: String,
    /// What is wrong, in the language of the response.
    pub message: String,
}

impl AppError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::InvalidParameters(errors) => {
                if errors.len() == 1 && errors[0].code == "invalid_cursor" {
                    "invalid_cursor"
                } else {
                    "invalid_parameters"
                }
            }
            AppError::NotFound(entity) => entity.code(),
            AppError::RouteNotFound => "route_not_found",
            AppError::MethodNotAllowed(_) => "method_not_allowed",
            AppError::Unauthorized(AuthFailure::Missing) => "token_missing",
            AppError::Unauthorized(AuthFailure::Malformed) => "token_malformed",
            AppError::Unauthorized(AuthFailure::Unknown) => "token_invalid",
            AppError::Unauthorized(AuthFailure::Revoked) => "token_revoked",
            AppError::Forbidden => "forbidden",
            AppError::Unprocessable(_) => "validation_failed",
            AppError::Conflict(Conflict::SectionInUse(_)) => "section_not_empty",
            AppError::Conflict(Conflict::SlugTaken(_)) => "slug_taken",
            AppError::Conflict(Conflict::OwnToken) => "token_in_use",
            AppError::Conflict(Conflict::DuplicateComment) => "duplicate_comment",
            AppError::Conflict(Conflict::RequestInFlight) => "request_in_flight",
            AppError::CommentsClosed => "comments_closed",
            AppError::TooManyRequests(_) => "too_many_requests",
            AppError::IdempotencyKeyReused => "idempotency_key_reused",
            AppError::PreconditionFailed { .. } => "version_mismatch",
            AppError::PreconditionRequired => "if_match_required",
            AppError::PayloadTooLarge(_) => "payload_too_large",
            AppError::UnsupportedMediaType => "unsupported_media_type",
            AppError::Unavailable(_) => "database_unavailable",
            AppError::Internal(_) => "internal_error",
        }
    }

    fn texts(&self, lang: Lang) -> (String, String) {
        let pair = |en: (&str, &str), ar: (&str, &str)| {
            let (t, d) = if lang == Lang::Ar { ar } else { en };
            (t.to_string(), d.to_string())
        };
        match self {
            AppError::InvalidParameters(_) => pair(
                (
                    "Invalid parameters",
                    "One or more parameters are invalid; see errors.",
                ),
                (
                    "مُدخلات غير صالحة",
                    "قيمة واحدة أو أكثر غير صالحة؛ راجع قائمة الأخطاء.",
                ),
            ),
            AppError::NotFound(entity) => {
                let (t, d) = entity.text(lang);
                (t.to_string(), d.to_string())
            }
            AppError::RouteNotFound => pair(
                ("Not found", "No API route matches this path; see /docs."),
                (
                    "غير موجود",
                    "لا يوجد مسار في الواجهة يطابق هذا العنوان؛ راجع ‎/docs.",
                ),
            ),
            AppError::MethodNotAllowed(allow) => {
                let list = allow.join(", ");
                if lang == Lang::Ar {
                    (
                        "الطريقة غير مسموحة".to_string(),
                        format!("هذا المسار لا يقبل هذه الطريقة؛ المسموح: {list}."),
                    )
                } else {
                    (
                        "Method not allowed".to_string(),
                        format!("This route does not accept this method; allowed: {list}."),
                    )
                }
            }
            AppError::Unauthorized(failure) => {
                let (en, ar) = match failure {
                    AuthFailure::Missing => (
                        "This route needs a token: send Authorization: Bearer <token>.",
                        "هذا المسار يحتاج إلى رمز وصول: أرسل Authorization: Bearer <token>.",
                    ),
                    AuthFailure::Malformed => (
                        "The Authorization header must be Bearer followed by a khb_ token.",
                        "يجب أن تكون ترويسة Authorization بالشكل Bearer يليها رمز يبدأ بـ khb_.",
                    ),
                    AuthFailure::Unknown => (
                        "The token is not known.",
                        "رمز الوصول غير معروف.",
                    ),
                    AuthFailure::Revoked => (
                        "The token was revoked.",
                        "رمز الوصول أُلغي.",
                    ),
                };
                pair(("Unauthorized", en), ("غير مصرّح", ar))
            }
            AppError::Forbidden => pair(
                (
                    "Forbidden",
                    "The token's role does not allow this request.",
                ),
                ("ممنوع", "دور رمز الوصول لا يسمح بهذا الطلب."),
            ),
            AppError::Unprocessable(_) => pair(
                (
                    "Validation failed",
                    "One or more fields break the rules; see errors.",
                ),
                (
                    "فشل التحقق",
                    "حقل واحد أو أكثر لا يستوفي الشروط؛ راجع قائمة الأخطاء.",
                ),
            ),
            AppError::Conflict(Conflict::SectionInUse(n)) => {
                if lang == Lang::Ar {
                    (
                        "القسم غير فارغ".into(),
                        format!("لا يمكن حذف القسم: فيه {n} مقالاً (بما فيها المسودات والمحذوفة)."),
                    )
                } else {
                    (
                        "Section not empty".into(),
                        format!("The section still has {n} article(s) (drafts and deleted ones included); move them first."),
                    )
                }
            }
            AppError::Conflict(Conflict::SlugTaken(slug)) => {
                if lang == Lang::Ar {
                    ("الرابط مستخدم".into(), format!("الرابط {slug:?} مستخدم أو كان مستخدماً."))
                } else {
                    ("Slug taken".into(), format!("The slug {slug:?} is in use or was used before."))
                }
            }
            AppError::Conflict(Conflict::OwnToken) => pair(
                (
                    "Token in use",
                    "A token cannot revoke itself; use another admin token or `khabar token revoke`.",
                ),
                (
                    "الرمز قيد الاستخدام",
                    "لا يمكن لرمز وصول أن يلغي نفسه؛ استخدم رمز مدير آخر أو الأمر khabar token revoke.",
                ),
            ),
            AppError::Conflict(Conflict::DuplicateComment) => pair(
                (
                    "Duplicate comment",
                    "You already left this comment on this article.",
                ),
                ("تعليق مكرر", "سبق أن تركت هذا التعليق على هذا المقال."),
            ),
            AppError::Conflict(Conflict::RequestInFlight) => pair(
                (
                    "Request in flight",
                    "A request with this Idempotency-Key is still being handled; retry in a moment to get its answer.",
                ),
                (
                    "الطلب قيد التنفيذ",
                    "طلب بمفتاح Idempotency-Key نفسه ما زال قيد التنفيذ؛ أعد المحاولة بعد لحظة لتحصل على جوابه.",
                ),
            ),
            AppError::CommentsClosed => pair(
                ("Comments closed", "This article does not accept comments."),
                ("التعليقات مغلقة", "لا يقبل هذا المقال التعليقات."),
            ),
            AppError::TooManyRequests(secs) => {
                if lang == Lang::Ar {
                    (
                        "طلبات كثيرة".into(),
                        format!("تعليقات متتالية بسرعة كبيرة؛ انتظر {secs} ثانية ثم حاول."),
                    )
                } else {
                    (
                        "Too many requests".into(),
                        format!("Comments are coming too fast; wait {secs} s, then retry."),
                    )
                }
            }
            AppError::IdempotencyKeyReused => pair(
                (
                    "Idempotency key reused",
                    "This Idempotency-Key was used with another request; send a new key for a new request.",
                ),
                (
                    "مفتاح Idempotency-Key مستخدم",
                    "استُخدم مفتاح Idempotency-Key هذا مع طلب آخر؛ أرسل مفتاحاً جديداً لكل طلب جديد.",
                ),
            ),
            AppError::PreconditionFailed { current_etag } => {
                if lang == Lang::Ar {
                    (
                        "النسخة تغيّرت".into(),
                        format!("عُدّل المقال منذ قرأته؛ النسخة الحالية {current_etag}. أعد القراءة ثم حاول."),
                    )
                } else {
                    (
                        "Precondition failed".into(),
                        format!("The article changed since you read it; the current ETag is {current_etag}. Read it again, then retry."),
                    )
                }
            }
            AppError::PreconditionRequired => pair(
                (
                    "Precondition required",
                    "Send If-Match with the ETag you read, so that edits never overwrite each other.",
                ),
                (
                    "الشرط المسبق مطلوب",
                    "أرسل If-Match مع قيمة ETag التي قرأتها، كي لا تطغى التعديلات بعضها على بعض.",
                ),
            ),
            AppError::PayloadTooLarge(limit) => {
                if lang == Lang::Ar {
                    ("الطلب كبير جداً".into(), format!("يجب ألا يتجاوز جسم الطلب {limit} بايت."))
                } else {
                    ("Payload too large".into(), format!("The request body must be at most {limit} bytes."))
                }
            }
            AppError::UnsupportedMediaType => pair(
                (
                    "Unsupported media type",
                    "Send the body as JSON with Content-Type: application/json.",
                ),
                (
                    "نوع المحتوى غير مدعوم",
                    "أرسل جسم الطلب بصيغة JSON مع Content-Type: application/json.",
                ),
            ),
            AppError::Unavailable(_) => pair(
                (
                    "Service unavailable",
                    "The database is unreachable right now; retry shortly.",
                ),
                (
                    "الخدمة غير متاحة",
                    "قاعدة البيانات غير متاحة حالياً؛ أعد المحاولة بعد قليل.",
                ),
            ),
            AppError::Internal(_) => pair(
                (
                    "Internal error",
                    "The request failed on our side; quote the request id when reporting it.",
                ),
                (
                    "خطأ داخلي",
                    "تعذّر تنفيذ الطلب بسبب خطأ لدينا؛ اذكر معرّف الطلب عند الإبلاغ عنه.",
                ),
            ),
        }
    }

    /// The problem document for the current request's language and id.
    pub fn to_problem(&self) -> Problem {
        let ctx = context::current();
        let (title, detail) = self.texts(ctx.lang);
        let errors = match self {
            AppError::InvalidParameters(fields) | AppError::Unprocessable(fields) => Some(
                fields
                    .iter()
                    .map(|f| ProblemField {
                        field: f.field.clone(),
                        code: f.code.to_string(),
                        message: if ctx.lang == Lang::Ar {
                            f.ar.clone()
                        } else {
                            f.en.clone()
                        },
                    })
                    .collect(),
            ),
            _ => None,
        };
        let code = self.code();
        Problem {
            type_uri: format!("urn:khabar:problem:{code}"),
            title,
            status: self.status_code().as_u16(),
            detail,
            code: code.to_string(),
            request_id: ctx.request_id,
            errors,
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::InvalidParameters(_) => StatusCode::BAD_REQUEST,
            AppError::NotFound(_) | AppError::RouteNotFound => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::CommentsClosed => StatusCode::FORBIDDEN,
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::PreconditionFailed { .. } => StatusCode::PRECONDITION_FAILED,
            AppError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let problem = self.to_problem();
        match self {
            AppError::Internal(cause) => {
                tracing::error!(request_id = %problem.request_id, cause = %cause, "request failed")
            }
            AppError::Unavailable(cause) => {
                tracing::warn!(request_id = %problem.request_id, cause = %cause, "database unavailable")
            }
            _ => {}
        }
        let mut builder = HttpResponse::build(self.status_code());
        builder
            .content_type("application/problem+json")
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .insert_header((header::CONTENT_LANGUAGE, context::current().lang.tag()));
        match self {
            AppError::Unavailable(_) => {
                builder.insert_header((header::RETRY_AFTER, RETRY_AFTER_SECS.to_string()));
            }
            AppError::MethodNotAllowed(allow) => {
                builder.insert_header((header::ALLOW, allow.join(", ")));
            }
            AppError::TooManyRequests(secs) => {
                builder.insert_header((header::RETRY_AFTER, secs.to_string()));
            }
            AppError::Unauthorized(failure) => {
                // RFC 6750 §3: a request without credentials gets the bare
                // challenge; a bad token says so.
                let challenge = match failure {
                    AuthFailure::Missing => r#"Bearer realm="khabar""#,
                    AuthFailure::Malformed => r#"Bearer realm="khabar", error="invalid_request""#,
                    AuthFailure::Unknown | AuthFailure::Revoked => {
                        r#"Bearer realm="khabar", error="invalid_token""#
                    }
                };
                builder.insert_header((header::WWW_AUTHENTICATE, challenge));
            }
            AppError::PreconditionFailed { current_etag } => {
                builder.insert_header((header::ETAG, current_etag.as_str()));
            }
            _ => {}
        }
        builder.json(problem)
    }
}

impl From<DbCallError<ServiceError>> for AppError {
    fn from(err: DbCallError<ServiceError>) -> Self {
        match err {
            DbCallError::Unavailable(cause) => AppError::Unavailable(cause),
            DbCallError::Panicked(cause) => AppError::Internal(cause),
            DbCallError::Inner(ServiceError::NotFound(entity)) => AppError::NotFound(entity),
            DbCallError::Inner(ServiceError::Database(e)) => AppError::Internal(format!("{e:?}")),
            DbCallError::Inner(ServiceError::Inconsistent(why)) => AppError::Internal(why),
            DbCallError::Inner(ServiceError::Unauthorized(failure)) => {
                AppError::Unauthorized(failure)
            }
            DbCallError::Inner(ServiceError::Invalid(fields)) => AppError::Unprocessable(fields),
            DbCallError::Inner(ServiceError::Conflict(c)) => AppError::Conflict(c),
            DbCallError::Inner(ServiceError::CommentsClosed) => AppError::CommentsClosed,
            DbCallError::Inner(ServiceError::IdempotencyKeyReused) => {
                AppError::IdempotencyKeyReused
            }
            DbCallError::Inner(ServiceError::VersionMismatch { current }) => {
                AppError::PreconditionFailed {
                    current_etag: crate::api::http_cache::etag(current),
                }
            }
        }
    }
}
