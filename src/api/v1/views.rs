//! `POST /articles/{id}/views` (the view beacon) and `GET /most-viewed`.

use actix_web::http::header::CACHE_CONTROL;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::api::cache::Scope;
use crate::api::v1::dto::{
    ArticleDto, MostViewedDto, MostViewedList, MostViewedMeta, One, ViewRecordedDto,
};
use crate::api::v1::responses::Unavailable;
use crate::api::v1::taxonomy::parse_id;
use crate::api::AppState;
use crate::domain::Entity;
use crate::error::{AppError, FieldError, Problem};
use crate::service::views::{self, Period};

/// Largest `limit` of `GET /most-viewed`.
pub const MAX_MOST_VIEWED: u32 = 50;
/// Default `limit` of `GET /most-viewed`.
pub const DEFAULT_MOST_VIEWED: u32 = 10;

/// Records one read of a published article.
///
/// Counting is done here, not on `GET`, so that article reads stay
/// cacheable. The body is ignored (send none). No token is needed.
/// Not counted (`counted: false`, still 200): known bots and crawlers by
/// `User-Agent` (an empty one included), and the same client (address and
/// `User-Agent`, kept only as a salted hash in memory) viewing the same
/// article again within the dedupe window (30 minutes by default). Counts
/// are buffered and written every flush interval (1 s by default); the
/// answer, and every article answer of this server, already includes them.
#[utoipa::path(
    tag = "views",
    params(("id" = i64, Path, description = "Article id", minimum = 1, example = 1)),
    responses(
        (status = 200, description = "The view was recorded, or deliberately not counted (`counted`)", body = One<ViewRecordedDto>),
        (status = 400, description = "The id is not a positive whole number", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No published article has this id (drafts, scheduled and deleted articles included)", body = Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
#[post("/articles/{id}/views")]
pub async fn record_view(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&id)?;
    let ip = crate::api::client::client_address(&req, &state.settings.trusted_proxies, false);
    let user_agent = req
        .headers()
        .get(actix_web::http::header::USER_AGENT)
        .map(|v| String::from_utf8_lossy(v.as_bytes()))
        .unwrap_or_default();
    let recorded = state
        .views
        .record(id, ip, &user_agent)
        .ok_or(AppError::NotFound(Entity::Article))?;
    Ok(HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "no-store"))
        .json(One {
            data: ViewRecordedDto {
                view_count: recorded.view_count,
                counted: recorded.counted,
            },
        }))
}

/// Query of `GET /most-viewed`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MostViewedQuery {
    /// `1d` (today, since local midnight), `7d` (today and the 6 days
    /// before) or `30d`; days are the newsroom's (`KHABAR_TIMEZONE`).
    /// Default `1d`.
    #[param(value_type = Option<String>, pattern = "^(1d|7d|30d)$", example = "7d")]
    pub period: Option<String>,
    /// Only articles of this section (slug). An unknown section ranks nothing.
    #[param(value_type = Option<String>, min_length = 1, max_length = 200, pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]+$", example = "politics")]
    pub section: Option<String>,
    /// How many articles, 1 to 50 (default 10).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 50, example = 10)]
    pub limit: Option<String>,
}

/// The most-viewed articles of a period.
///
/// Published articles ranked by their views in the period, best first;
/// equal counts put the newer article first. Each carries `period_views`
/// beside its all-time `view_count`. Period counts come from the written
/// day buckets, so they trail the beacon by up to one flush interval (1 s
/// by default) plus the answer cache (2 s by default).
#[utoipa::path(
    tag = "views",
    params(MostViewedQuery),
    responses(
        (status = 200, description = "The ranking", body = MostViewedList),
        (status = 400, description = "A parameter is malformed or out of range; `errors` lists every bad one", body = Problem, content_type = "application/problem+json"),
        Unavailable,
    ),
    security(())
)]
#[get("/most-viewed")]
pub async fn most_viewed(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<MostViewedQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let mut errors = Vec::new();
    let period = match query.period.as_deref() {
        None => Period::Day,
        Some(text) => Period::parse(text).unwrap_or_else(|| {
            errors.push(FieldError::new(
                "period",
                "invalid_period",
                format!("period must be 1d, 7d or 30d (got {text:?})."),
                format!("يجب أن تكون الفترة 1d أو 7d أو 30d (وصل {text:?})."),
            ));
            Period::Day
        }),
    };
    let limit = match query.limit.as_deref() {
        None => DEFAULT_MOST_VIEWED,
        Some(text) => {
            match text.parse::<u32>() {
                Ok(n)
                    if (1..=MAX_MOST_VIEWED).contains(&n)
                        && text.bytes().all(|b| b.is_ascii_digit()) =>
                {
                    n
                }
                _ => {
                    errors.push(FieldError::new(
                    "limit",
                    "out_of_range",
                    format!("limit must be a whole number from 1 to {MAX_MOST_VIEWED} (got {text:?})."),
                    format!("يجب أن يكون limit عدداً صحيحاً من 1 إلى {MAX_MOST_VIEWED} (وصل {text:?})."),
                ));
                    DEFAULT_MOST_VIEWED
                }
            }
        }
    };
    let section = match query.section {
        Some(s) if s.is_empty() || s.chars().count() > 200 || s.chars().any(char::is_control) => {
            errors.push(FieldError::new(
                "section",
                "invalid_value",
                "section must be 1 to 200 characters without control characters.",
                "يجب أن يكون section من 1 إلى 200 حرف بلا محارف تحكّم.",
            ));
            None
        }
        other => other,
    };
    if !errors.is_empty() {
        return Err(AppError::InvalidParameters(errors));
    }
    let cache_key = req.uri().to_string();
    if let Some(hit) = state.responses.answer(&req) {
        return Ok(hit);
    }
    let ticket = state.responses.ticket();
    let counts = state.views.ticket();
    let now = state.views.now();
    let tz = state.settings.timezone;
    let cache = state.taxonomy.clone();
    let ranking = state
        .db
        .read(move |conn| {
            views::most_viewed(
                conn,
                &cache,
                period,
                section.as_deref(),
                i64::from(limit),
                now,
                tz,
            )
        })
        .await?;
    let shown = Scope::List(ranking.items.iter().map(|m| m.view.article.id).collect());
    let data = ranking
        .items
        .into_iter()
        .map(|mut m| {
            let id = m.view.article.id;
            m.view.stats.view_count = state.views.observe(counts, id, m.view.stats.view_count);
            MostViewedDto {
                article: ArticleDto::from_view(m.view, &state.settings, now),
                period_views: m.period_views,
            }
        })
        .collect();
    Ok(state.responses.store(
        ticket,
        cache_key,
        shown,
        &MostViewedList {
            data,
            meta: MostViewedMeta {
                period: period.as_str().to_string(),
                first_day: ranking.first_day,
                last_day: ranking.last_day,
                time_zone: tz.name().to_string(),
                limit,
            },
        },
        None,
        "application/json",
    ))
}
