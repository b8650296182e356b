//! Comments: `GET/POST /articles/{id}/comments`, `GET /comments/{id}`, and
//! moderation (`GET/POST /moderation/comments`, `PATCH/DELETE /comments/{id}`).

use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION};
use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::auth::{Authorized, Moderation as Moderator};
use crate::api::cache::Scope;
use crate::api::json::JsonObject;
use crate::api::v1::dto::{List, ListLinks, ListMeta, One};
use crate::api::v1::links::page_link;
use crate::api::v1::params::PageQuery;
use crate::api::v1::responses::{AuthErrors, BodyErrors, Unavailable};
use crate::api::v1::taxonomy::{list_body, parse_id};
use crate::api::AppState;
use crate::domain::comment::CommentStatus;
use crate::domain::cursor::{Cursor, KeysetOrder};
use crate::error::{AppError, FieldError, Problem};
use crate::repo::comments::CommentRow;
use crate::service::comments::{
    self as comments, Idempotency, Moderation, NewComment, PostOutcome, Posted, ThreadPage,
};
use crate::service::{Conflict, PageRequest};

/// A status a moderator sets or filters by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ModeratedStatus {
    /// Public, counted in the article's `comment_count`.
    Approved,
    /// Held for a moderator.
    Pending,
    /// Spam.
    Spam,
    /// Thrown away.
    Trash,
}

impl ModeratedStatus {
    fn domain(self) -> CommentStatus {
        match self {
            ModeratedStatus::Approved => CommentStatus::Approved,
            ModeratedStatus::Pending => CommentStatus::Pending,
            ModeratedStatus::Spam => CommentStatus::Spam,
            ModeratedStatus::Trash => CommentStatus::Trash,
        }
    }
    fn from_domain(status: CommentStatus) -> Self {
        match status {
            CommentStatus::Approved => ModeratedStatus::Approved,
            CommentStatus::Spam => ModeratedStatus::Spam,
            CommentStatus::Trash => ModeratedStatus::Trash,
            CommentStatus::Pending | CommentStatus::Deleted => ModeratedStatus::Pending,
        }
    }
}

/// A new comment: the form's fields marked (*) are required. Text is plain:
/// HTML is removed, line breaks are kept. Unknown fields (`id`, `status`…)
/// are a 400.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentCreate {
    /// (*) Your name, 1–100 characters of plain text (whitespace only is blank).
    #[schema(value_type = String, required = true, min_length = 1, max_length = 100, example = "أبو أحمد")]
    pub author_name: Option<String>,
    /// (*) Your e-mail address; never shown publicly.
    #[schema(value_type = String, required = true, format = "email", max_length = 254, example = "reader@example.com")]
    pub author_email: Option<String>,
    /// (*) The comment, 2–5,000 characters of plain text; line breaks are kept.
    #[schema(value_type = String, required = true, min_length = 2, max_length = 5000, example = "مقال مفيد، شكراً.\nأتمنى المزيد.")]
    pub body: Option<String>,
    /// Your web site (http or https).
    #[schema(format = "uri", example = "https://example.com")]
    pub author_url: Option<String>,
    /// The approved comment of the same article this replies to.
    #[schema(minimum = 1)]
    pub parent_id: Option<i64>,
    /// Leave empty. A field people never see (hide it in your form): anything
    /// in it marks the comment as spam.
    #[schema(example = "")]
    pub website: Option<String>,
}

/// A comment as the public sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommentDto {
    /// Comment id.
    pub id: i64,
    /// The article.
    pub article_id: i64,
    /// The comment this replies to (`null` at the top level).
    pub parent_id: Option<i64>,
    /// Nesting level: 0 at the top level, parent's depth + 1 for a reply.
    pub depth: i32,
    /// `true` for a placeholder kept for its replies: a deleted comment, or
    /// one a moderator hid after it was replied to (then `author_name`,
    /// `author_url` and `body` are `null`).
    pub deleted: bool,
    /// The commenter's name (plain text).
    pub author_name: Option<String>,
    /// The commenter's web site.
    pub author_url: Option<String>,
    /// The comment (plain text; `\n` separates lines).
    pub body: Option<String>,
    /// When it was posted (UTC).
    pub created_at: DateTime<Utc>,
}

impl From<CommentRow> for CommentDto {
    fn from(row: CommentRow) -> Self {
        let deleted = CommentStatus::from_db(&row.status) == CommentStatus::Deleted;
        CommentDto {
            id: row.id,
            article_id: row.article_id,
            parent_id: row.parent_id,
            depth: row.depth,
            deleted,
            author_name: (!deleted).then_some(row.author_name),
            author_url: row.author_url.filter(|_| !deleted),
            body: (!deleted).then_some(row.body),
            created_at: row.created_at.and_utc(),
        }
    }
}

impl CommentDto {
    /// A comment as its article's thread shows it: anything but an approved
    /// comment (one deleted, or hidden by a moderator after it was replied
    /// to) is a placeholder for its replies.
    pub fn in_thread(row: CommentRow) -> Self {
        let approved = CommentStatus::from_db(&row.status) == CommentStatus::Approved;
        CommentDto {
            deleted: !approved,
            author_name: approved.then_some(row.author_name),
            author_url: row.author_url.filter(|_| approved),
            body: approved.then_some(row.body),
            id: row.id,
            article_id: row.article_id,
            parent_id: row.parent_id,
            depth: row.depth,
            created_at: row.created_at.and_utc(),
        }
    }
}

/// The answer to a post: the comment and whether it is public yet.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostedCommentDto {
    /// The comment.
    #[serde(flatten)]
    pub comment: CommentDto,
    /// `approved` (public now) or `pending` (held for a moderator).
    pub status: ModeratedStatus,
}

/// A comment as moderators see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ModerationCommentDto {
    /// The comment.
    #[serde(flatten)]
    pub comment: CommentDto,
    /// Its status.
    pub status: ModeratedStatus,
    /// The commenter's e-mail (lower-cased).
    pub author_email: String,
    /// Salted SHA-256 of the client's address (the address is never stored).
    pub ip_hash: String,
    /// Last status change.
    pub updated_at: DateTime<Utc>,
}

impl From<CommentRow> for ModerationCommentDto {
    fn from(row: CommentRow) -> Self {
        ModerationCommentDto {
            status: ModeratedStatus::from_domain(CommentStatus::from_db(&row.status)),
            author_email: row.author_email.clone(),
            ip_hash: row.ip_hash.clone(),
            updated_at: row.updated_at.and_utc(),
            comment: CommentDto::from(row),
        }
    }
}

/// A moderator's change of one comment.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentPatch {
    /// The new status.
    pub status: ModeratedStatus,
}

/// What a bulk moderation does.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BulkAction {
    /// Make public.
    Approve,
    /// Hold.
    Unapprove,
    /// Mark as spam.
    Spam,
    /// Throw away.
    Trash,
    /// Delete (placeholders stay for replies).
    Delete,
}

/// Many comments, one action, one transaction.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkModeration {
    /// Comment ids, 1–100.
    #[schema(min_items = 1, max_items = 100)]
    pub ids: Vec<i64>,
    /// The action.
    pub action: BulkAction,
}

/// What a bulk moderation did.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkResultDto {
    /// The comments acted on.
    pub ids: Vec<i64>,
    /// The action.
    pub action: BulkAction,
}

/// Query of the public thread.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ThreadQuery {
    /// 1-based page number (ignored with `cursor`).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000000, example = 1)]
    pub page: Option<String>,
    /// Items per page, 1 to 100 (default 20).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100, example = 20)]
    pub per_page: Option<String>,
    /// Opaque cursor from `meta.next_cursor`.
    #[param(value_type = Option<String>, pattern = "^[no]-?[0-9]{1,16}_[0-9]{1,18}$", example = "o1598086800000000_1")]
    pub cursor: Option<String>,
    /// Also count the whole thread into `meta.total`.
    #[param(value_type = Option<bool>)]
    pub include_total: Option<String>,
}

/// Query of the moderation queue.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ModerationQuery {
    /// Only comments with this status (default: all).
    #[param(value_type = Option<ModeratedStatus>)]
    pub status: Option<String>,
    /// Only comments of this article (id).
    #[param(value_type = Option<i64>, minimum = 1)]
    pub article: Option<String>,
    /// 1-based page number.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000000, example = 1)]
    pub page: Option<String>,
    /// Items per page, 1 to 100 (default 20).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100, example = 20)]
    pub per_page: Option<String>,
    /// Also count into `meta.total`.
    #[param(value_type = Option<bool>)]
    pub include_total: Option<String>,
}

/// Most characters of an `Idempotency-Key`.
pub const MAX_KEY_CHARS: usize = 255;

/// The `Idempotency-Key` header: a (structured-field) string of 1–255
/// visible ASCII characters, quoted or not.
fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, AppError> {
    let Some(value) = req.headers().get("idempotency-key") else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or("").trim();
    let key = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .filter(|inner| !inner.is_empty())
        .unwrap_or(text);
    if key.is_empty() || key.len() > MAX_KEY_CHARS || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(AppError::InvalidParameters(vec![FieldError::new(
            "Idempotency-Key",
            "invalid_idempotency_key",
            "Idempotency-Key must be 1 to 255 visible ASCII characters (a UUID is a good choice).",
            "يجب أن يكون Idempotency-Key من 1 إلى 255 محرف ASCII مرئياً (UUID خيار جيد).",
        )]));
    }
    Ok(Some(key.to_string()))
}

fn comment_location(id: i64) -> String {
    format!("/api/v1/comments/{id}")
}

fn posted_body(posted: &Posted) -> String {
    let dto = PostedCommentDto {
        comment: CommentDto::from(posted.row.clone()),
        status: ModeratedStatus::from_domain(posted.shown),
    };
    serde_json::to_string(&One { data: dto }).unwrap_or_default()
}

fn replay(row: crate::repo::comments::IdempotencyRow) -> HttpResponse {
    let status = u16::try_from(row.status)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::CREATED);
    let mut builder = HttpResponse::build(status);
    builder
        .insert_header((CONTENT_TYPE, "application/json"))
        .insert_header((CACHE_CONTROL, "no-store"))
        .insert_header(("idempotent-replayed", "true"));
    if let Some(location) = row.location {
        builder.insert_header((LOCATION, location));
    }
    builder.body(row.body)
}

/// Posts a comment on a published article.
///
/// Answers 201 once the comment is committed, with its `Location` and
/// `status`: `approved` (public now) or `pending` (held: more links than
/// allowed, a blocked word, or the first comment of this e-mail). One
/// comment per client per 15 s by default (429 with `Retry-After`); the same
/// text twice from one client on one article is a 409.
///
/// Send an `Idempotency-Key` to retry safely: a retry with the same key and
/// body gets the first answer again (`Idempotent-Replayed: true`) and makes
/// no second comment; the same key with another body is a 422; a retry
/// while the first request is still being handled is a 409. Keys are kept
/// 24 hours (`KHABAR_IDEMPOTENCY_KEY_HOURS`).
#[utoipa::path(
    tag = "comments",
    params(
        ("id" = i64, Path, description = "Article id", minimum = 1),
        ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "Makes retries safe: a unique value per new comment (e.g. a UUID), 1–255 visible ASCII characters (a structured-field string in double quotes names the same key as its content); kept 24 hours"),
    ),
    request_body(content = CommentCreate, content_type = "application/json"),
    responses(
        (status = 201, description = "Posted (committed)", body = One<PostedCommentDto>,
            headers(("Location" = String, description = "The comment"))),
        (status = 403, description = "Comments are closed on this article", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No published article has this id", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The same comment from the same client, or a request with this Idempotency-Key still in flight", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Comments too fast from one client; retry after `Retry-After` seconds", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
        BodyErrors, Unavailable,
    )
)]
#[post("/articles/{id}/comments")]
pub async fn post_comment(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    body: JsonObject<CommentCreate>,
) -> Result<HttpResponse, AppError> {
    let article_id = parse_id(&id)?;
    let key = idempotency_key(&req)?;
    let body = body.into_inner();
    let runtime = &state.comments;
    let ip_hash = comments::client_hash(
        &runtime.ip_salt,
        &crate::api::client::client_address(
            &req,
            &state.settings.trusted_proxies,
            runtime.trust_forwarded,
        )
        .to_string(),
    );
    let now = crate::service::now();
    let _in_flight = match &key {
        Some(k) => Some(
            runtime
                .in_flight
                .begin(k)
                .ok_or(AppError::Conflict(Conflict::RequestInFlight))?,
        ),
        None => None,
    };
    let idempotency = key.map(|key| Idempotency {
        fingerprint: comments::sha256_hex(
            format!(
                "POST /api/v1/articles/{article_id}/comments\n{}",
                serde_json::to_string(&body).unwrap_or_default()
            )
            .as_bytes(),
        ),
        key,
        expired_before: now
            - chrono::Duration::from_std(runtime.key_ttl).unwrap_or(chrono::Duration::hours(24)),
        location: Box::new(|p: &Posted| comment_location(p.row.id)),
        render: Box::new(posted_body),
    });
    // A retry is answered before flood control: it makes nothing new.
    if let Some(idem) = &idempotency {
        let (key, not_before) = (idem.key.clone(), idem.expired_before);
        // On the primary: a replica may not have the first answer yet.
        let stored = state
            .db
            .write(move |conn| {
                crate::repo::comments::find_key(conn, &key, not_before)
                    .map_err(crate::service::ServiceError::from)
            })
            .await?;
        if let Some(row) = stored {
            if row.fingerprint != idem.fingerprint {
                return Err(AppError::IdempotencyKeyReused);
            }
            return Ok(replay(row));
        }
    }
    let flood_secs = state.settings.comments.flood_interval.as_secs();
    let flood_budget = |reset_secs: u64| crate::api::rate_limit::Budget {
        policy: "comments",
        quota: 1,
        window_secs: flood_secs,
        remaining: 0,
        reset_secs,
    };
    let slot = runtime.flood.reserve(&ip_hash).map_err(|wait| {
        let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        flood_budget(secs).attach(&req);
        AppError::TooManyRequests(secs)
    })?;
    let new = NewComment {
        author_name: body.author_name,
        author_email: body.author_email,
        body: body.body,
        author_url: body.author_url,
        parent_id: body.parent_id,
        honeypot: body.website,
    };
    let rules = runtime.rules.clone();
    let hash = ip_hash.clone();
    let outcome = state
        .db
        .write(move |conn| {
            comments::post_comment(
                conn,
                article_id,
                &new,
                &hash,
                &rules,
                idempotency.as_ref(),
                now,
            )
        })
        .await;
    match outcome {
        Ok(PostOutcome::Created(posted)) => {
            if posted.row.status == CommentStatus::Approved.as_str() {
                state.article_changed(article_id, false);
            }
            if flood_secs > 0 {
                flood_budget(flood_secs).attach(&req);
            }
            Ok(HttpResponse::Created()
                .insert_header((LOCATION, comment_location(posted.row.id)))
                .insert_header((CACHE_CONTROL, "no-store"))
                .insert_header((CONTENT_TYPE, "application/json"))
                .body(posted_body(&posted)))
        }
        Ok(PostOutcome::Replayed(row)) => {
            runtime.flood.release(&ip_hash, slot);
            Ok(replay(row))
        }
        Err(e) => {
            runtime.flood.release(&ip_hash, slot);
            Err(e.into())
        }
    }
}

/// An article's approved comments, oldest first, threaded by `parent_id`
/// and `depth` (a reply always comes after its parent). A deleted comment
/// with replies shows as a placeholder (`deleted: true`, no name or text).
/// E-mail addresses and client addresses are never shown.
#[utoipa::path(
    tag = "comments",
    params(("id" = i64, Path, description = "Article id", minimum = 1), ThreadQuery),
    responses(
        (status = 200, description = "A page of the thread", body = List<CommentDto>),
        (status = 400, description = "A parameter is malformed or out of range", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No published article has this id", body = Problem, content_type = "application/problem+json"),
        Unavailable,
    )
)]
#[get("/articles/{id}/comments")]
pub async fn list_comments(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    query: web::Query<ThreadQuery>,
) -> Result<HttpResponse, AppError> {
    let article_id = parse_id(&id)?;
    // Threads go through the answer cache like articles: every write that
    // changes what a thread shows (an approved post, a moderation) marks the
    // article changed, so no answer older than it is served again.
    let cache_key = req.uri().to_string();
    if let Some(hit) = state.responses.answer(&req) {
        return Ok(hit);
    }
    let ticket = state.responses.ticket();
    let ThreadQuery {
        page,
        per_page,
        cursor,
        include_total,
    } = query.into_inner();
    let paging = PageQuery {
        page,
        per_page,
        include_total,
    }
    .parse();
    let cursor = match cursor {
        None => Ok(None),
        Some(text) => Cursor::decode(&text)
            .filter(|c| c.order == KeysetOrder::Oldest)
            .map(Some)
            .ok_or_else(|| {
                FieldError::new(
                    "cursor",
                    "invalid_cursor",
                    "cursor is not one this API issued; start again without it or use meta.next_cursor.",
                    "المؤشر cursor ليس من إصدار هذه الواجهة؛ ابدأ من جديد بدونه أو استخدم meta.next_cursor.",
                )
            }),
    };
    let (params, cursor) = match (paging, cursor) {
        (Ok(p), Ok(c)) => (p, c),
        (Err(AppError::InvalidParameters(mut errors)), Err(e)) => {
            errors.push(e);
            return Err(AppError::InvalidParameters(errors));
        }
        (Err(e), _) => return Err(e),
        (_, Err(e)) => return Err(AppError::InvalidParameters(vec![e])),
    };
    let position = match cursor {
        Some(c) => ThreadPage::After(c),
        None => ThreadPage::Number(params.page),
    };
    let now = crate::service::now();
    let page = state
        .db
        .read(move |conn| {
            comments::thread(
                conn,
                article_id,
                position,
                params.per_page,
                params.include_total,
                now,
            )
        })
        .await?;
    let next_cursor = page
        .has_more
        .then(|| page.items.last())
        .flatten()
        .map(|last| {
            Cursor {
                order: KeysetOrder::Oldest,
                published_at: last.created_at,
                id: last.id,
                views: 0,
            }
            .encode()
        });
    let (path, query) = (req.path(), req.query_string());
    let by_cursor = cursor.is_some();
    let body = List {
        data: page.items.into_iter().map(CommentDto::in_thread).collect(),
        meta: ListMeta {
            page: (!by_cursor).then_some(params.page),
            per_page: params.per_page,
            total: page.total,
            next_cursor: next_cursor.clone(),
        },
        links: ListLinks {
            self_link: page_link(path, query, &[]),
            next: next_cursor.map(|c| {
                if by_cursor {
                    page_link(path, query, &[("cursor", Some(c))])
                } else {
                    page_link(
                        path,
                        query,
                        &[("page", Some((params.page + 1).to_string()))],
                    )
                }
            }),
            prev: (!by_cursor && params.page > 1).then(|| {
                page_link(
                    path,
                    query,
                    &[("page", Some((params.page - 1).to_string()))],
                )
            }),
        },
    };
    Ok(state.responses.store(
        ticket,
        cache_key,
        Scope::Article(article_id),
        &body,
        None,
        "application/json",
    ))
}

/// One public comment (approved, or a placeholder of a deleted one).
#[utoipa::path(
    tag = "comments",
    params(("id" = i64, Path, description = "Comment id", minimum = 1)),
    responses(
        (status = 200, description = "The comment", body = One<CommentDto>),
        (status = 400, description = "The id is not a positive whole number", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No public comment has this id (held ones included)", body = Problem, content_type = "application/problem+json"),
        Unavailable,
    )
)]
#[get("/comments/{id}")]
pub async fn get_comment(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&id)?;
    let now = crate::service::now();
    let row = state
        .db
        .read(move |conn| comments::get_public(conn, id, now))
        .await?;
    Ok(HttpResponse::Ok().json(One {
        data: CommentDto::from(row),
    }))
}

/// The moderation queue, newest first, with e-mail and hashed client address.
#[utoipa::path(
    tag = "moderation",
    params(ModerationQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of comments", body = List<ModerationCommentDto>),
        (status = 400, description = "A parameter is malformed or out of range", body = Problem, content_type = "application/problem+json"),
        AuthErrors, Unavailable,
    )
)]
#[get("/moderation/comments")]
pub async fn moderation_queue(
    _auth: Authorized<Moderator>,
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<ModerationQuery>,
) -> Result<HttpResponse, AppError> {
    let ModerationQuery {
        status,
        article,
        page,
        per_page,
        include_total,
    } = query.into_inner();
    let mut errors = Vec::new();
    let paging = PageQuery {
        page,
        per_page,
        include_total,
    }
    .parse();
    let status = match status.as_deref() {
        None => None,
        Some(text) => {
            let parsed = CommentStatus::parse_moderated(text);
            if parsed.is_none() {
                errors.push(FieldError::new(
                    "status",
                    "invalid_status",
                    format!("status must be pending, approved, spam or trash (got {text:?})."),
                    format!(
                        "يجب أن تكون الحالة pending أو approved أو spam أو trash (وصل {text:?})."
                    ),
                ));
            }
            parsed
        }
    };
    let article = match article.as_deref() {
        None => None,
        Some(raw) => match parse_id(raw) {
            Ok(id) => Some(id),
            Err(_) => {
                errors.push(FieldError::new(
                    "article",
                    "invalid_id",
                    format!("article must be a positive whole number (got {raw:?})."),
                    format!("يجب أن يكون article عدداً صحيحاً موجباً (وصل {raw:?})."),
                ));
                None
            }
        },
    };
    let params = match paging {
        Ok(p) if errors.is_empty() => p,
        Ok(_) => return Err(AppError::InvalidParameters(errors)),
        Err(AppError::InvalidParameters(mut more)) => {
            more.append(&mut errors);
            return Err(AppError::InvalidParameters(more));
        }
        Err(e) => return Err(e),
    };
    let request = PageRequest {
        page: params.page,
        per_page: params.per_page,
    };
    let page = state
        .db
        .read(move |conn| {
            comments::moderation_queue(conn, status, article, request, params.include_total)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "private, no-store"))
        .json(list_body::<_, ModerationCommentDto>(&req, params, page)))
}

/// Sets a comment's status; `comment_count` follows in the same transaction.
#[utoipa::path(
    tag = "moderation",
    params(("id" = i64, Path, description = "Comment id", minimum = 1)),
    request_body(content = CommentPatch, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The comment as it is now", body = One<ModerationCommentDto>),
        (status = 404, description = "No comment has this id", body = Problem, content_type = "application/problem+json"),
        AuthErrors, BodyErrors, Unavailable,
    )
)]
#[patch("/comments/{id}")]
pub async fn update_comment(
    _auth: Authorized<Moderator>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: JsonObject<CommentPatch>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&id)?;
    let to = body.into_inner().status.domain();
    let now = crate::service::now();
    let (article_id, row) = state
        .db
        .write(move |conn| comments::moderate(conn, id, Moderation::Set(to), now))
        .await?;
    state.article_changed(article_id, false);
    let row = row.ok_or(AppError::NotFound(crate::domain::Entity::Comment))?;
    Ok(HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "no-store"))
        .json(One {
            data: ModerationCommentDto::from(row),
        }))
}

/// Deletes a comment. Its replies stay, under a placeholder (`deleted:
/// true`) that goes when the last of them does.
#[utoipa::path(
    tag = "moderation",
    params(("id" = i64, Path, description = "Comment id", minimum = 1)),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "The id is not a positive whole number", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No comment has this id", body = Problem, content_type = "application/problem+json"),
        AuthErrors, Unavailable,
    )
)]
#[delete("/comments/{id}")]
pub async fn delete_comment(
    _auth: Authorized<Moderator>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&id)?;
    let now = crate::service::now();
    let (article_id, _) = state
        .db
        .write(move |conn| comments::moderate(conn, id, Moderation::Delete, now))
        .await?;
    state.article_changed(article_id, false);
    Ok(HttpResponse::NoContent().finish())
}

/// Applies one action to many comments in one transaction: all of them, or
/// none when an id is unknown (422 naming it).
#[utoipa::path(
    tag = "moderation",
    request_body(content = BulkModeration, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Done", body = One<BulkResultDto>),
        AuthErrors, BodyErrors, Unavailable,
    )
)]
#[post("/moderation/comments")]
pub async fn bulk_moderate(
    _auth: Authorized<Moderator>,
    state: web::Data<AppState>,
    body: JsonObject<BulkModeration>,
) -> Result<HttpResponse, AppError> {
    let BulkModeration { ids, action } = body.into_inner();
    if ids.is_empty() || ids.len() > 100 {
        return Err(AppError::Unprocessable(vec![FieldError::new(
            "ids",
            "invalid_length",
            "ids must list 1 to 100 comment ids.",
            "يجب أن تضم ids من 1 إلى 100 معرّف تعليق.",
        )]));
    }
    let command = match action {
        BulkAction::Approve => Moderation::Set(CommentStatus::Approved),
        BulkAction::Unapprove => Moderation::Set(CommentStatus::Pending),
        BulkAction::Spam => Moderation::Set(CommentStatus::Spam),
        BulkAction::Trash => Moderation::Set(CommentStatus::Trash),
        BulkAction::Delete => Moderation::Delete,
    };
    let now = crate::service::now();
    let list = ids.clone();
    let articles = state
        .db
        .write(move |conn| comments::moderate_many(conn, &list, command, now))
        .await?;
    for article_id in articles {
        state.article_changed(article_id, false);
    }
    let mut ids = ids;
    let mut seen = std::collections::HashSet::new();
    ids.retain(|id| seen.insert(*id));
    Ok(HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "no-store"))
        .json(One {
            data: BulkResultDto { ids, action },
        }))
}
