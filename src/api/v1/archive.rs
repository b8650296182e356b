//! The archive: `GET /archive` (the calendar) and its periods,
//! `/archive/{year}[/{month}[/{day}]]`, in the newsroom's time zone.

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::Datelike;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::auth::Caller;
use crate::api::cache::Scope;
use crate::api::v1::articles::answer_list;
use crate::api::v1::dto::{ArticleDto, ArticleFields, EditorialArticleDto, List, One};
use crate::api::v1::params::ArticleListQuery;
use crate::api::v1::responses::Unavailable;
use crate::api::AppState;
use crate::domain::period::Period;
use crate::error::{AppError, FieldError, Problem};
use crate::service::archive;

/// A month of the calendar.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarMonthDto {
    /// 1–12.
    #[schema(example = 8)]
    pub month: u32,
    /// Published articles that month.
    #[schema(example = 31)]
    pub count: i64,
}

/// A year of the calendar.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarYearDto {
    /// The year.
    #[schema(example = 2020)]
    pub year: i32,
    /// Published articles that year.
    #[schema(example = 362)]
    pub count: i64,
    /// Months with articles, newest first.
    pub months: Vec<CalendarMonthDto>,
}

/// Query of `GET /archive`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CalendarQuery {
    /// Only this section (slug). An unknown section has an empty calendar.
    #[param(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]+$"
    )]
    pub section: Option<String>,
    /// Only this tag (slug). An unknown tag has an empty calendar.
    #[param(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]+$"
    )]
    pub tag: Option<String>,
}

fn slug_param(field: &str, raw: Option<String>, errors: &mut Vec<FieldError>) -> Option<String> {
    let raw = raw?;
    if raw.is_empty() || raw.chars().count() > 200 || raw.chars().any(char::is_control) {
        errors.push(FieldError::new(
            field,
            "invalid_value",
            format!("{field} must be 1 to 200 characters without control characters."),
            format!("يجب أن تكون قيمة {field} من 1 إلى 200 حرف دون محارف تحكّم."),
        ));
        return None;
    }
    Some(raw)
}

/// The archive calendar: published articles per year and month (the
/// newsroom's calendar, `KHABAR_TIMEZONE`), newest first. Drafts and
/// scheduled articles are not counted.
#[utoipa::path(
    tag = "archive",
    params(CalendarQuery),
    responses(
        (status = 200, description = "The calendar", body = One<Vec<CalendarYearDto>>),
        (status = 400, description = "A parameter is malformed", body = Problem, content_type = "application/problem+json"),
        Unavailable,
    )
)]
#[get("/archive")]
pub async fn calendar(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<CalendarQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let mut errors = Vec::new();
    let section = slug_param("section", query.section, &mut errors);
    let tag = slug_param("tag", query.tag, &mut errors);
    if !errors.is_empty() {
        return Err(AppError::InvalidParameters(errors));
    }
    let cache_key = req.uri().to_string();
    if let Some(hit) = state.responses.answer(&req) {
        return Ok(hit);
    }
    let ticket = state.responses.ticket();
    let now = crate::service::now();
    let taxonomy = state.taxonomy.clone();
    let years = state
        .db
        .read(move |conn| {
            archive::calendar(conn, &taxonomy, now, section.as_deref(), tag.as_deref())
        })
        .await?;
    let data: Vec<CalendarYearDto> = years
        .into_iter()
        .map(|y| CalendarYearDto {
            year: y.year,
            count: y.count,
            months: y
                .months
                .into_iter()
                .map(|(month, count)| CalendarMonthDto { month, count })
                .collect(),
        })
        .collect();
    // The calendar changes when lists do (publishing, scheduling, deleting).
    Ok(state.responses.store(
        ticket,
        cache_key,
        Scope::List(Vec::new()),
        &One { data },
        None,
        "application/json",
    ))
}

async fn period_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    query: ArticleListQuery,
    segments: (&str, Option<&str>, Option<&str>),
) -> Result<HttpResponse, AppError> {
    let tz = state.settings.timezone;
    let this_year = chrono::Utc::now().with_timezone(&tz).year();
    let period = Period::parse(segments.0, segments.1, segments.2, this_year);
    let params = query.parse(tz);
    let (period, params) = match (period, params) {
        (Ok(p), Ok(q)) => (p, q),
        (Err(mut e), Err(AppError::InvalidParameters(more))) => {
            e.extend(more);
            return Err(AppError::InvalidParameters(e));
        }
        (Err(e), _) => return Err(AppError::InvalidParameters(e)),
        (_, Err(e)) => return Err(e),
    };
    answer_list(&state, &req, caller, params, Some(period.bounds(tz))).await
}

/// The published articles of a year, paged and filtered like `/articles`.
#[utoipa::path(
    tag = "archive",
    params(("year" = i32, Path, minimum = 1900, description = "The year", example = 2020), ArticleListQuery),
    responses(
        (status = 200, description = "A page of the year's articles",
            content(
                (List<ArticleDto> = "application/json"),
                (List<EditorialArticleDto> = "application/vnd.khabar.editorial+json"),
                (List<ArticleFields> = "application/vnd.khabar.fields+json"),
            )),
        (status = 400, description = "Not a year from 1900 to next year, or a malformed parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "A token was sent but is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`status` other than `published` with a token that is not an editor's (without a token: 401)", body = Problem, content_type = "application/problem+json"),
        Unavailable,
    ),
    security((), ("bearer" = []))
)]
#[get("/archive/{year}")]
pub async fn archive_year(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<String>,
    query: web::Query<ArticleListQuery>,
) -> Result<HttpResponse, AppError> {
    let year = path.into_inner();
    period_page(state, req, caller, query.into_inner(), (&year, None, None)).await
}

/// The published articles of a month (`/archive/2020/8` or `/2020/08`).
#[utoipa::path(
    tag = "archive",
    params(
        ("year" = i32, Path, minimum = 1900, description = "The year", example = 2020),
        ("month" = u32, Path, minimum = 1, maximum = 12, description = "The month, 1–12", example = 8),
        ArticleListQuery,
    ),
    responses(
        (status = 200, description = "A page of the month's articles",
            content(
                (List<ArticleDto> = "application/json"),
                (List<EditorialArticleDto> = "application/vnd.khabar.editorial+json"),
                (List<ArticleFields> = "application/vnd.khabar.fields+json"),
            )),
        (status = 400, description = "Not a month of the archive, or a malformed parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "A token was sent but is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`status` other than `published` with a token that is not an editor's (without a token: 401)", body = Problem, content_type = "application/problem+json"),
        Unavailable,
    ),
    security((), ("bearer" = []))
)]
#[get("/archive/{year}/{month}")]
pub async fn archive_month(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(String, String)>,
    query: web::Query<ArticleListQuery>,
) -> Result<HttpResponse, AppError> {
    let (year, month) = path.into_inner();
    period_page(
        state,
        req,
        caller,
        query.into_inner(),
        (&year, Some(&month), None),
    )
    .await
}

/// The published articles of a day (the newsroom's day: an article published
/// at 2020-08-21T22:30:00Z is in Damascus's 2020-08-22).
#[utoipa::path(
    tag = "archive",
    params(
        ("year" = i32, Path, minimum = 1900, description = "The year", example = 2020),
        ("month" = u32, Path, minimum = 1, maximum = 12, description = "The month, 1–12", example = 8),
        ("day" = u32, Path, minimum = 1, maximum = 31, description = "The day of the month", example = 22),
        ArticleListQuery,
    ),
    responses(
        (status = 200, description = "A page of the day's articles",
            content(
                (List<ArticleDto> = "application/json"),
                (List<EditorialArticleDto> = "application/vnd.khabar.editorial+json"),
                (List<ArticleFields> = "application/vnd.khabar.fields+json"),
            )),
        (status = 400, description = "Not a day of the calendar (2021-02-29, day 32…), or a malformed parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "A token was sent but is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`status` other than `published` with a token that is not an editor's (without a token: 401)", body = Problem, content_type = "application/problem+json"),
        Unavailable,
    ),
    security((), ("bearer" = []))
)]
#[get("/archive/{year}/{month}/{day}")]
pub async fn archive_day(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(String, String, String)>,
    query: web::Query<ArticleListQuery>,
) -> Result<HttpResponse, AppError> {
    let (year, month, day) = path.into_inner();
    period_page(
        state,
        req,
        caller,
        query.into_inner(),
        (&year, Some(&month), Some(&day)),
    )
    .await
}
