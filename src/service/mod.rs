//! Use cases: synchronous, given a connection, owning transactions and policy.
//! Nothing here knows HTTP.

pub mod archive;
pub mod articles;
pub mod changes;
pub mod comments;
pub mod copy;
pub mod editorial;
pub mod feeds;
pub mod list_index;
pub mod ops;
pub mod revisions;
pub mod search;
pub mod taxonomy;
pub mod tokens;
pub mod view_dedupe;
pub mod views;

use crate::db::IsConnectionError;
use crate::domain::{Entity, FieldError};
use crate::service::tokens::AuthFailure;

/// Why a use case failed.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The thing asked for does not exist (or is not public).
    #[error("{0:?} not found")]
    NotFound(Entity),
    /// The database failed.
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
    /// Stored data breaks an invariant (a bug or a manual edit).
    #[error("inconsistent data: {0}")]
    Inconsistent(String),
    /// The presented token is not accepted.
    #[error("unauthorized: {0:?}")]
    Unauthorized(AuthFailure),
    /// A command's values break the rules; every bad field is listed.
    #[error("invalid: {0:?}")]
    Invalid(Vec<FieldError>),
    /// The command conflicts with the current state.
    #[error("conflict: {0:?}")]
    Conflict(Conflict),
    /// Comments are closed on this article.
    #[error("comments closed")]
    CommentsClosed,
    /// An `Idempotency-Key` was used before with another request.
    #[error("idempotency key reused with another request")]
    IdempotencyKeyReused,
    /// The client's version (`If-Match`) is not the current one.
    #[error("version mismatch: current is {current}")]
    VersionMismatch {
        /// The current version.
        current: i64,
    },
}

/// What a command conflicts with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conflict {
    /// A section still has this many articles.
    SectionInUse(i64),
    /// The slug belongs to another record (or did).
    SlugTaken(String),
    /// A token tried to revoke itself.
    OwnToken,
    /// The same client left the same comment on the same article before.
    DuplicateComment,
    /// A request with the same `Idempotency-Key` is being handled.
    RequestInFlight,
}

impl IsConnectionError for ServiceError {
    fn is_connection_error(&self) -> bool {
        matches!(self, ServiceError::Database(e) if e.is_connection_error())
    }
    fn connection_error_text(&self) -> String {
        self.to_string()
    }
}

/// Offset paging of a small collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// 1-based page number.
    pub page: u32,
    /// Items per page.
    pub per_page: u32,
}

impl PageRequest {
    /// Rows to skip.
    pub fn offset(&self) -> i64 {
        i64::from(self.page.saturating_sub(1)) * i64::from(self.per_page)
    }
}

/// A page of a collection.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// Whether more items follow.
    pub has_more: bool,
    /// How many items the whole collection has, when asked for.
    pub total: Option<i64>,
}

impl<T> Page<T> {
    /// A page from rows loaded with one more than `per_page`: that extra
    /// row only tells that another page follows, and is dropped.
    pub fn from_rows_plus_one(mut rows: Vec<T>, per_page: u32, total: Option<i64>) -> Self {
        let has_more = rows.len() > per_page as usize;
        rows.truncate(per_page as usize);
        Page {
            items: rows,
            has_more,
            total,
        }
    }
}

/// Turns `validator`'s report into bilingual field errors; `rename` maps a
/// struct field to the name the client sent (e.g. `source_url` → `source.url`).
pub fn field_errors(
    report: &validator::ValidationErrors,
    rename: impl Fn(&str) -> String,
) -> Vec<FieldError> {
    let mut out = Vec::new();
    let mut fields: Vec<_> = report.field_errors().into_iter().collect();
    fields.sort_by(|a, b| a.0.cmp(&b.0));
    for (field, errors) in fields {
        let name = rename(&field);
        for error in errors {
            let param = |key: &str| error.params.get(key).map(|v| v.to_string());
            let (code, en, ar) = match error.code.as_ref() {
                "length" => {
                    let (min, max) = (param("min"), param("max"));
                    let range = match (&min, &max) {
                        (Some(min), Some(max)) => (
                            format!("{min} to {max} characters"),
                            format!("من {min} إلى {max} حرفاً"),
                        ),
                        (None, Some(max)) => (
                            format!("at most {max} characters"),
                            format!("{max} حرفاً على الأكثر"),
                        ),
                        (Some(min), None) => (
                            format!("at least {min} characters"),
                            format!("{min} حرفاً على الأقل"),
                        ),
                        (None, None) => ("of another length".into(), "بطول آخر".into()),
                    };
                    (
                        "invalid_length",
                        format!("{name} must be {}.", range.0),
                        format!("يجب أن تكون قيمة {name} {}.", range.1),
                    )
                }
                "range" => (
                    "out_of_range",
                    format!(
                        "{name} must be between {} and {}.",
                        param("min").unwrap_or_default(),
                        param("max").unwrap_or_default()
                    ),
                    format!(
                        "يجب أن تكون قيمة {name} بين {} و{}.",
                        param("min").unwrap_or_default(),
                        param("max").unwrap_or_default()
                    ),
                ),
                "http_url" => (
                    "invalid_url",
                    format!("{name} must be an absolute http or https URL."),
                    format!("يجب أن تكون قيمة {name} عنواناً مطلقاً يبدأ بـ http أو https."),
                ),
                "language" => (
                    "invalid_language",
                    format!("{name} must be a lower-case ISO 639 code such as ar."),
                    format!("يجب أن تكون قيمة {name} رمز ISO 639 بأحرف صغيرة مثل ar."),
                ),
                "control_characters" => (
                    "invalid_characters",
                    format!("{name} must not contain control characters."),
                    format!("يجب ألا تحتوي قيمة {name} على محارف تحكّم."),
                ),
                other => (
                    "invalid_value",
                    format!("{name} is invalid ({other})."),
                    format!("قيمة {name} غير صالحة ({other})."),
                ),
            };
            out.push(FieldError::new(&name, code, en, ar));
        }
    }
    out
}

/// `validator` rule: an absolute http(s) URL with a host (no `javascript:`,
/// `data:` or relative addresses in stored links).
pub fn http_url(value: &str) -> Result<(), validator::ValidationError> {
    match url::Url::parse(value) {
        Ok(u)
            if matches!(u.scheme(), "http" | "https")
                && u.host_str().is_some()
                && value.len() <= 2000 =>
        {
            Ok(())
        }
        _ => Err(validator::ValidationError::new("http_url")),
    }
}

/// `validator` rule: a lower-case ISO 639 code.
pub fn language_code(value: &str) -> Result<(), validator::ValidationError> {
    if (2..=3).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_lowercase()) {
        Ok(())
    } else {
        Err(validator::ValidationError::new("language"))
    }
}

/// `validator` rule: no control characters (NUL breaks PostgreSQL text).
pub fn no_control(value: &str) -> Result<(), validator::ValidationError> {
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        Err(validator::ValidationError::new("control_characters"))
    } else {
        Ok(())
    }
}

/// A field the client must send.
pub fn required(field: &str) -> FieldError {
    FieldError::new(
        field,
        "required",
        format!("{field} is required."),
        format!("الحقل {field} مطلوب."),
    )
}

/// The current time as stored: UTC, to the microsecond (PostgreSQL keeps
/// microseconds; SQLite would keep more, and the two must agree).
pub fn now() -> chrono::NaiveDateTime {
    use chrono::SubsecRound;
    chrono::Utc::now().naive_utc().trunc_subsecs(6)
}

/// The documented length limit holds for what the client sent, before any
/// cleaning (so a 301-character title is refused even if trimming would
/// shorten it).
pub fn check_raw_length(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: Option<&str>,
    max: usize,
) {
    if value.is_some_and(|v| v.chars().count() > max) {
        errors.push(FieldError::new(
            field,
            "invalid_length",
            format!("{field} must be at most {max} characters."),
            format!("يجب ألا تتجاوز قيمة {field} ‏{max} حرفاً."),
        ));
    }
}
