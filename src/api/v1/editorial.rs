//! Writing articles (editors): `POST /articles`, `PATCH` and `DELETE
//! /articles/{id_or_slug}`.

use actix_web::http::header::{CACHE_CONTROL, ETAG, LOCATION};
use actix_web::{delete, patch, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer};
use utoipa::ToSchema;

use crate::api::auth::{Authorized, Editorial};
use crate::api::http_cache::{etag, if_match};
use crate::api::json::JsonObject;
use crate::api::v1::dto::{EditorialArticleDto, One};
use crate::api::v1::responses::{AuthErrors, BodyErrors, Unavailable, VersionErrors};
use crate::api::AppState;
use crate::domain::article::{ArticleKey, ArticleStatus};
use crate::domain::Entity;
use crate::error::{AppError, Problem};
use crate::service::articles::{self as reading, Found};
use crate::service::editorial::{self, ArticleChanges, ImageInput, SourceInput};

/// `Some(None)` for an explicit `null`, `Some(Some(v))` for a value; a
/// missing field stays `None` through `#[serde(default)]`.
fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// A new article. Only `title` and `section_id` are required; a `published`
/// article also needs a body. Unknown fields (`id`, `view_count`…) are a 400.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticleCreate {
    /// Headline, 1–300 characters of plain text (markup is removed).
    #[schema(value_type = String, min_length = 1, max_length = 300, example = "وزير الدفاع الإيراني من موسكو: تعزيز التعاون ضروري وحتمي")]
    pub title: Option<String>,
    /// Section id.
    #[schema(value_type = i64, minimum = 1, example = 1)]
    pub section_id: Option<i64>,
    /// The lead paragraph, at most 1,000 characters of plain text.
    #[schema(max_length = 1000)]
    pub summary: Option<String>,
    /// The body as HTML; sanitised to the article allow-list (paragraphs,
    /// headings, lists, links, images, quotes, figures, tables). Required to publish.
    #[schema(example = "<p>وصف وزير الدفاع الروسي سيرغي شويغو…</p>")]
    pub body_html: Option<String>,
    /// Tag ids, in display order (at most 50).
    #[schema(max_items = 50)]
    pub tag_ids: Option<Vec<i64>>,
    /// Author ids, in credit order (at most 20).
    #[schema(max_items = 20)]
    pub author_ids: Option<Vec<i64>>,
    /// The byline as printed, e.g. "فريق ماسة".
    #[schema(max_length = 200)]
    pub byline: Option<String>,
    /// Where the article comes from.
    pub source: Option<SourceInput>,
    /// Canonical address, when it is not this site's (http or https).
    pub canonical_url: Option<String>,
    /// Lead image.
    pub image: Option<ImageInput>,
    /// Language (ISO 639), default `ar`; `dir` follows from it.
    #[schema(pattern = "^[a-z]{2,3}$", example = "ar")]
    pub language: Option<String>,
    /// URL slug; made from the title when absent (Arabic kept, `-2`, `-3` on collision).
    pub slug: Option<String>,
    /// `draft` (default) or `published`. Published with a future
    /// `published_at` is scheduled: invisible until then.
    pub status: Option<ArticleStatus>,
    /// Publication time (RFC 3339); set to now when publishing without one.
    pub published_at: Option<DateTime<Utc>>,
    /// Whether comments are accepted (default true).
    pub comments_open: Option<bool>,
}

/// Changes to an article: absent fields stay as they are; `null` clears a
/// nullable one. The slug does not follow title edits; a changed slug keeps
/// redirecting from the old one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticlePatch {
    /// Headline, 1–300 characters.
    #[schema(min_length = 1, max_length = 300)]
    pub title: Option<String>,
    /// Section id.
    #[schema(minimum = 1)]
    pub section_id: Option<i64>,
    /// The lead paragraph.
    #[schema(max_length = 1000)]
    pub summary: Option<String>,
    /// The body as HTML (sanitised).
    pub body_html: Option<String>,
    /// Tag ids (replaces the list).
    #[schema(max_items = 50)]
    pub tag_ids: Option<Vec<i64>>,
    /// Author ids (replaces the list).
    #[schema(max_items = 20)]
    pub author_ids: Option<Vec<i64>>,
    /// The byline.
    #[schema(max_length = 200)]
    pub byline: Option<String>,
    /// Source; `null` removes it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<SourceInput>, nullable)]
    pub source: Option<Option<SourceInput>>,
    /// Canonical address; `null` goes back to this site's.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, nullable)]
    pub canonical_url: Option<Option<String>>,
    /// Lead image; `null` removes it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<ImageInput>, nullable)]
    pub image: Option<Option<ImageInput>>,
    /// Language (ISO 639).
    #[schema(pattern = "^[a-z]{2,3}$")]
    pub language: Option<String>,
    /// New slug (the old one answers 301 from now on).
    pub slug: Option<String>,
    /// `draft` unpublishes; `published` publishes (or schedules, with a future `published_at`).
    pub status: Option<ArticleStatus>,
    /// Publication time; `null` clears it (publishing then sets it to now).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<DateTime<Utc>>, nullable)]
    pub published_at: Option<Option<DateTime<Utc>>>,
    /// Whether comments are accepted.
    pub comments_open: Option<bool>,
}

impl From<ArticleCreate> for ArticleChanges {
    fn from(b: ArticleCreate) -> Self {
        ArticleChanges {
            title: b.title,
            summary: b.summary,
            body_html: b.body_html,
            section_id: b.section_id,
            tag_ids: b.tag_ids,
            author_ids: b.author_ids,
            byline: b.byline,
            source: b.source.map(Some),
            canonical_url: b.canonical_url.map(Some),
            image: b.image.map(Some),
            language: b.language,
            slug: b.slug,
            status: b.status,
            published_at: b.published_at.map(|t| Some(t.naive_utc())),
            comments_open: b.comments_open,
        }
    }
}

impl From<ArticlePatch> for ArticleChanges {
    fn from(b: ArticlePatch) -> Self {
        ArticleChanges {
            title: b.title,
            summary: b.summary,
            body_html: b.body_html,
            section_id: b.section_id,
            tag_ids: b.tag_ids,
            author_ids: b.author_ids,
            byline: b.byline,
            source: b.source,
            canonical_url: b.canonical_url,
            image: b.image,
            language: b.language,
            slug: b.slug,
            status: b.status,
            published_at: b.published_at.map(|t| t.map(|t| t.naive_utc())),
            comments_open: b.comments_open,
        }
    }
}

/// Loads the editor's view of an article and answers with it and its ETag.
async fn answer_with_article(
    state: &AppState,
    id: i64,
    mut builder: actix_web::HttpResponseBuilder,
) -> Result<HttpResponse, AppError> {
    let cache = state.taxonomy.clone();
    let now = crate::service::now();
    let counts = state.views.ticket();
    let found = state
        .db
        .read(move |conn| reading::get_article(conn, &cache, &ArticleKey::Id(id), now, true))
        .await?;
    let Found::Article(mut view) = found else {
        return Err(AppError::NotFound(Entity::Article));
    };
    view.stats.view_count = state.views.observe(counts, id, view.stats.view_count);
    let dto = EditorialArticleDto::from_view(*view, &state.settings, now);
    Ok(builder
        .insert_header((ETAG, etag(dto.version)))
        .insert_header((CACHE_CONTROL, "private, no-store"))
        .json(One { data: dto }))
}

/// The article id behind a path key (an id, or a current slug).
async fn resolve_id(state: &AppState, raw: &str) -> Result<i64, AppError> {
    match ArticleKey::parse(raw).ok_or(AppError::NotFound(Entity::Article))? {
        ArticleKey::Id(id) => Ok(id),
        key @ ArticleKey::Slug(_) => {
            let cache = state.taxonomy.clone();
            let now = crate::service::now();
            match state
                .db
                .read(move |conn| reading::get_article(conn, &cache, &key, now, true))
                .await?
            {
                Found::Article(view) => Ok(view.article.id),
                Found::MovedTo(_) => Err(AppError::NotFound(Entity::Article)),
            }
        }
    }
}

/// Creates an article (a draft unless `status` is `published`).
///
/// Answers 201 with the article as editors see it, its `Location` and `ETag`.
#[utoipa::path(
    tag = "editorial",
    request_body(content = ArticleCreate, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = One<EditorialArticleDto>,
            headers(("Location" = String, description = "The new article"), ("ETag" = String, description = "Its version"))),
        (status = 409, description = "The requested slug is taken", body = Problem, content_type = "application/problem+json"),
        AuthErrors, BodyErrors, Unavailable,
    )
)]
#[post("/articles")]
pub async fn create_article(
    _auth: Authorized<Editorial>,
    state: web::Data<AppState>,
    body: JsonObject<ArticleCreate>,
) -> Result<HttpResponse, AppError> {
    let changes = ArticleChanges::from(body.into_inner());
    let now = crate::service::now();
    let tz = state.settings.timezone;
    let id = state
        .db
        .write(move |conn| editorial::create_article(conn, changes, now, tz))
        .await?;
    state.article_created(id);
    state.refresh_visibility(id).await;
    let mut builder = HttpResponse::Created();
    builder.insert_header((LOCATION, format!("/api/v1/articles/{id}")));
    answer_with_article(&state, id, builder).await
}

/// Edits an article; `If-Match` with the ETag you read is required.
///
/// The version replaced is kept as a revision. Of many edits sent with the
/// same `If-Match`, exactly one succeeds; the rest get 412 and change nothing.
#[utoipa::path(
    tag = "editorial",
    params(
        ("id_or_slug" = String, Path, description = "Numeric id or current slug"),
        ("If-Match" = String, Header, pattern = "^(\\*|\"v[0-9]{1,18}\"(, *\"v[0-9]{1,18}\")*)$", description = "The ETag you read, e.g. `\"v3\"` (or `*`)"),
    ),
    request_body(content = ArticlePatch, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The edited article", body = One<EditorialArticleDto>,
            headers(("ETag" = String, description = "The new version"))),
        (status = 404, description = "No such article (deleted ones included)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The requested slug is taken", body = Problem, content_type = "application/problem+json"),
        AuthErrors, BodyErrors, VersionErrors, Unavailable,
    )
)]
#[patch("/articles/{id_or_slug}")]
pub async fn update_article(
    auth: Authorized<Editorial>,
    state: web::Data<AppState>,
    req: HttpRequest,
    key: web::Path<String>,
    body: JsonObject<ArticlePatch>,
) -> Result<HttpResponse, AppError> {
    let precondition = if_match(req.headers())?;
    let id = resolve_id(&state, &key).await?;
    let changes = ArticleChanges::from(body.into_inner());
    let now = crate::service::now();
    let tz = state.settings.timezone;
    let editor = auth.principal;
    let outcome = state
        .db
        .write(move |conn| {
            editorial::update_article(conn, &editor, id, &precondition, changes, now, tz)
        })
        .await?;
    if outcome.changed {
        state.article_changed(id, outcome.lists_changed);
        state.refresh_visibility(id).await;
    }
    answer_with_article(&state, id, HttpResponse::Ok()).await
}

/// Deletes an article (softly: it leaves every public read and list at once;
/// its slug stays reserved and its revisions stay). `If-Match` is required.
#[utoipa::path(
    tag = "editorial",
    params(
        ("id_or_slug" = String, Path, description = "Numeric id or current slug"),
        ("If-Match" = String, Header, pattern = "^(\\*|\"v[0-9]{1,18}\"(, *\"v[0-9]{1,18}\")*)$", description = "The ETag you read (or `*`)"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such article", body = Problem, content_type = "application/problem+json"),
        AuthErrors, VersionErrors, Unavailable,
    )
)]
#[delete("/articles/{id_or_slug}")]
pub async fn delete_article(
    auth: Authorized<Editorial>,
    state: web::Data<AppState>,
    req: HttpRequest,
    key: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let precondition = if_match(req.headers())?;
    let id = resolve_id(&state, &key).await?;
    let now = crate::service::now();
    let editor = auth.principal;
    state
        .db
        .write(move |conn| editorial::delete_article(conn, &editor, id, &precondition, now))
        .await?;
    state.article_changed(id, true);
    state.refresh_visibility(id).await;
    Ok(HttpResponse::NoContent().finish())
}
