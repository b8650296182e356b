//! `GET /changes`: the change feed for partners mirroring the archive.

use actix_web::http::header::CACHE_CONTROL;
use actix_web::{get, web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::api::auth::{Authorized, Syndication};
use crate::api::v1::dto::{ArticleDto, ChangeDto, ChangeKind, ChangeList, ChangeMeta};
use crate::api::v1::responses::{AuthErrors, Unavailable};
use crate::api::AppState;
use crate::error::{AppError, FieldError, Problem};
use crate::service::changes;

/// Largest `limit` of `GET /changes`.
pub const MAX_CHANGES: i64 = 500;
/// Default `limit` of `GET /changes`.
pub const DEFAULT_CHANGES: i64 = 100;

/// Query of `GET /changes`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChangesQuery {
    /// Where to continue: a `next_cursor` of an earlier page, as it is.
    /// Without it the feed starts at the beginning (every article once).
    #[param(value_type = Option<String>, min_length = 1, max_length = 200, example = "Y2gxOjQy")]
    pub since: Option<String>,
    /// Most entries, 1 to 500 (default 100).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 500, example = 100)]
    pub limit: Option<String>,
}

/// The changes to articles after a cursor, in commit order.
///
/// Every create, edit, publication, unpublication and deletion, and every
/// scheduled article at the moment it becomes public (within a second),
/// once each, in the order they committed. An entry carries the article as
/// it is *now* when it is public (`change: upsert`, with bodies and
/// `version`), else a tombstone (`change: removed`: its id and the time).
/// Apply the entries in order (replace by `article_id`, or remove) and
/// follow `meta.next_cursor` until it is `null`: you then hold exactly the
/// public articles at their current versions. Keep the last cursor and poll
/// again for what comes next. Partner or admin token.
#[utoipa::path(
    tag = "syndication",
    params(ChangesQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of changes", body = ChangeList),
        (status = 400, description = "A parameter is malformed or out of range, or the cursor is not one this API gave out", body = Problem, content_type = "application/problem+json"),
        AuthErrors, Unavailable,
    )
)]
#[get("/changes")]
pub async fn list_changes(
    _auth: Authorized<Syndication>,
    state: web::Data<AppState>,
    query: web::Query<ChangesQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let mut errors = Vec::new();
    let limit = match query.limit.as_deref() {
        None => DEFAULT_CHANGES,
        Some(text) => match text.parse::<i64>() {
            Ok(n) if (1..=MAX_CHANGES).contains(&n) && text.bytes().all(|b| b.is_ascii_digit()) => {
                n
            }
            _ => {
                errors.push(FieldError::new(
                    "limit",
                    "out_of_range",
                    format!("limit must be a whole number from 1 to {MAX_CHANGES} (got {text:?})."),
                    format!("يجب أن يكون limit عدداً صحيحاً من 1 إلى {MAX_CHANGES} (وصل {text:?})."),
                ));
                DEFAULT_CHANGES
            }
        },
    };
    let since = match query.since.as_deref() {
        None => 0,
        Some(text) => match changes::decode_cursor(text) {
            Ok(seq) => seq,
            Err(bad) => {
                errors.push(bad);
                0
            }
        },
    };
    if !errors.is_empty() {
        return Err(AppError::InvalidParameters(errors));
    }
    let now = crate::service::now();
    let cache = state.taxonomy.clone();
    let page = state
        .db
        .read(move |conn| changes::page(conn, &cache, since, limit, now))
        .await?;
    let data = page
        .entries
        .into_iter()
        .map(|entry| {
            let version = entry.article.as_ref().map(|v| v.version);
            ChangeDto {
                cursor: changes::encode_cursor(entry.change.seq),
                article_id: entry.change.article_id,
                changed_at: entry.change.changed_at.and_utc(),
                change: if entry.article.is_some() {
                    ChangeKind::Upsert
                } else {
                    ChangeKind::Removed
                },
                version,
                article: entry
                    .article
                    .map(|view| ArticleDto::from_view(view, &state.settings, now)),
            }
        })
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "private, no-store"))
        .json(ChangeList {
            data,
            meta: ChangeMeta {
                next_cursor: page.next.map(changes::encode_cursor),
                limit,
            },
        }))
}
