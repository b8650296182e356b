//! One error type for the HTTP layer, rendered as RFC 9457 problem+json with a
//! stable snake_case `code`, the request id, and Arabic or English text.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::context::{self, Lang};
use crate::db::DbCallError;
use crate::service::ServiceError;

pub use crate::domain::Entity;

impl Entity {
    fn code(self) -> &'static str {
        match self {
            Entity::Article => "article_not_found",
            Entity::Section => "section_not_found",
            Entity::Tag => "tag_not_found",
            Entity::Author => "author_not_found",
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
        }
    }
}

/// One bad input field, in both languages (the response picks one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The parameter or body field, e.g. `per_page`.
    pub field: String,
    /// Stable snake_case code, e.g. `out_of_range`.
    pub code: &'static str,
    /// English message.
    pub en: String,
    /// Arabic message.
    pub ar: String,
}

impl FieldError {
    /// A bad field with its messages.
    pub fn new(
        field: &str,
        code: &'static str,
        en: impl Into<String>,
        ar: impl Into<String>,
    ) -> Self {
        FieldError {
            field: field.to_string(),
            code,
            en: en.into(),
            ar: ar.into(),
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
            AppError::InvalidParameters(fields) => Some(
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
        }
    }
}
