//! Response bodies: separate from database rows, documented for the OpenAPI spec.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::config::Settings;
use crate::domain::article::{is_archived, ArticleStatus, EditorialStatus, TextDirection};
use crate::domain::role::Role;
use crate::repo::revisions::RevisionRow;
use crate::repo::taxonomy::{AuthorRow, SectionRow, TagRow};
use crate::service::articles::ArticleView;
use crate::service::editorial::ArticleState;
use crate::service::tokens::TokenInfo;

/// Characters kept as they are in URL paths: RFC 3986 unreserved ones
/// (letters, digits, `-`, `.`, `_`, `~`); Arabic letters are UTF-8 encoded.
#[cfg(test)]
const PATH_SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A slug as a URL path segment: the unreserved characters as they are,
/// every other byte as `%XX`.
///
/// Hand-written (the same as `percent_encoding` with `PATH_SEGMENT`, tested
/// against it): the crate's iterator yields a three-byte chunk for every
/// byte of an Arabic slug, and pushing those one by one was 4% of a list
/// page's CPU (`perf`), for 20 slugs of ~60 bytes.
pub fn encode_path_segment(segment: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut encoded = Vec::with_capacity(segment.len() * 3);
    for &byte in segment.as_bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            encoded.push(byte);
        } else {
            encoded.extend_from_slice(&[
                b'%',
                HEX[usize::from(byte >> 4)],
                HEX[usize::from(byte & 0x0f)],
            ]);
        }
    }
    // Only ASCII was pushed.
    String::from_utf8(encoded).unwrap_or_default()
}

/// One resource.
#[derive(Debug, Serialize, ToSchema)]
pub struct One<T> {
    /// The resource.
    pub data: T,
}

/// A page of a collection.
#[derive(Debug, Serialize, ToSchema)]
pub struct List<T> {
    /// The items of this page.
    pub data: Vec<T>,
    /// Paging facts.
    pub meta: ListMeta,
    /// Links to this page and its neighbours.
    pub links: ListLinks,
}

/// Paging facts of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListMeta {
    /// The page number (absent when the page was reached by `cursor`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// Items per page.
    pub per_page: u32,
    /// Every matching item, with `include_total=true` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<i64>,
    /// Cursor of the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// Links of a list page, relative to the API host.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListLinks {
    /// This page.
    #[serde(rename = "self")]
    pub self_link: String,
    /// The next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// The previous page (page-number paging only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prev: Option<String>,
}

/// The section an article belongs to.
#[derive(Debug, Serialize, ToSchema)]
pub struct SectionRef {
    /// Section id.
    pub id: i64,
    /// Section slug.
    #[schema(example = "politics")]
    pub slug: String,
    /// Display name.
    #[schema(example = "سياسة")]
    pub name: String,
}

/// A tag on an article.
#[derive(Debug, Serialize, ToSchema)]
pub struct TagRef {
    /// Tag slug.
    #[schema(example = "iran")]
    pub slug: String,
    /// Display name.
    #[schema(example = "إيران")]
    pub name: String,
}

/// An author credited on an article.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuthorRef {
    /// Author id (`GET /authors/{id}`).
    pub id: i64,
    /// Display name.
    #[schema(example = "ليلى حداد")]
    pub name: String,
}

/// Where an article comes from.
#[derive(Debug, Serialize, ToSchema)]
pub struct SourceDto {
    /// Name of the source.
    #[schema(example = "الماسة السورية")]
    pub name: String,
    /// Its web address, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// The lead image.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImageDto {
    /// Image address.
    pub url: String,
    /// Caption, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
}

/// A news article, complete (`application/json`). A sparse answer (with
/// `fields`) is `ArticleFields`, sent as `application/vnd.khabar.fields+json`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleDto {
    /// Article id.
    #[schema(example = 1)]
    pub id: i64,
    /// URL slug; Arabic letters are kept (send it percent-encoded).
    #[schema(example = "وزير-الدفاع-الإيراني-من-موسكو-تعزيز-التعاون-ضروري-وحتمي")]
    pub slug: String,
    /// Headline.
    #[schema(example = "وزير الدفاع الإيراني من موسكو: تعزيز التعاون ضروري وحتمي")]
    pub title: String,
    /// The lead paragraph.
    pub summary: String,
    /// The body as sanitised HTML (`<p>` paragraphs). Omitted from list items unless named in `fields`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_html: Option<String>,
    /// The body as plain text, paragraphs separated by a blank line. Omitted from list items unless named in `fields`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_text: Option<String>,
    /// Language (ISO 639), e.g. `ar`.
    #[schema(example = "ar")]
    pub language: String,
    /// Text direction for rendering.
    pub dir: TextDirection,
    /// The article's section.
    pub section: SectionRef,
    /// Tags, in display order.
    pub tags: Vec<TagRef>,
    /// The byline as printed, e.g. "فريق ماسة" (the editorial team).
    #[schema(example = "فريق ماسة")]
    pub byline: String,
    /// Credited authors, in credit order (may be empty when only a byline is printed).
    pub authors: Vec<AuthorRef>,
    /// Where the article comes from, when credited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceDto>,
    /// The canonical web address of the article.
    pub canonical_url: String,
    /// Lead image, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageDto>,
    /// Publication time (RFC 3339, UTC).
    pub published_at: DateTime<Utc>,
    /// Last update (RFC 3339, UTC).
    pub updated_at: DateTime<Utc>,
    /// Reads counted so far.
    #[schema(example = 11636)]
    pub view_count: i64,
    /// Approved comments.
    pub comment_count: i64,
    /// True once the article is older than the configured archive age (shown as "من الأرشيف").
    pub from_archive: bool,
    /// Whether new comments are accepted.
    pub comments_open: bool,
    /// With `q` only: an extract of the article with the matched words in
    /// `<mark>…</mark>`; everything else in it is HTML-escaped, so it can be
    /// inserted as HTML as it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "قال <mark>وزير</mark> الدفاع الإيراني…")]
    pub highlight: Option<String>,
}

fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

impl ArticleDto {
    /// Builds the public view; the bodies are included when the view has them.
    pub fn from_view(view: ArticleView, settings: &Settings, now: NaiveDateTime) -> Self {
        let (body_html, body_text) = match view.body {
            Some(body) => (Some(body.body_html), Some(body.body_text)),
            None => (None, None),
        };
        let a = view.article;
        let published = a.published_at.unwrap_or(a.created_at);
        let canonical_url = a.canonical_url.unwrap_or_else(|| {
            format!(
                "{}/articles/{}",
                settings.public_url,
                encode_path_segment(&a.slug)
            )
        });
        ArticleDto {
            id: a.id,
            slug: a.slug,
            title: a.title,
            summary: a.summary,
            body_html,
            body_text,
            dir: TextDirection::from_db(&a.dir),
            language: a.language,
            section: SectionRef {
                id: view.section.id,
                slug: view.section.slug,
                name: view.section.name,
            },
            tags: view
                .tags
                .into_iter()
                .map(|t| TagRef {
                    slug: t.slug,
                    name: t.name,
                })
                .collect(),
            byline: a.byline,
            authors: view
                .authors
                .into_iter()
                .map(|au| AuthorRef {
                    id: au.id,
                    name: au.name,
                })
                .collect(),
            source: a.source_name.map(|name| SourceDto {
                name,
                url: a.source_url,
            }),
            canonical_url,
            image: a.image_url.map(|url| ImageDto {
                url,
                caption: a.image_caption,
            }),
            published_at: utc(published),
            updated_at: utc(a.updated_at),
            view_count: view.stats.view_count,
            comment_count: view.stats.comment_count,
            from_archive: is_archived(published, now, settings.archive_after),
            comments_open: a.comments_open,
            highlight: view.highlight,
        }
    }
}

/// A section of the site.
#[derive(Debug, Serialize, ToSchema)]
pub struct SectionDto {
    /// Section id.
    pub id: i64,
    /// Slug, used in `GET /sections/{slug}` and the `section` filter.
    #[schema(example = "politics")]
    pub slug: String,
    /// Display name.
    #[schema(example = "سياسة")]
    pub name: String,
    /// Short description.
    pub description: String,
}

impl From<SectionRow> for SectionDto {
    fn from(s: SectionRow) -> Self {
        SectionDto {
            id: s.id,
            slug: s.slug,
            name: s.name,
            description: s.description,
        }
    }
}

/// A tag.
#[derive(Debug, Serialize, ToSchema)]
pub struct TagDto {
    /// Tag id.
    pub id: i64,
    /// Slug, used in the `tag` filter.
    #[schema(example = "iran")]
    pub slug: String,
    /// Display name.
    #[schema(example = "إيران")]
    pub name: String,
}

impl From<TagRow> for TagDto {
    fn from(t: TagRow) -> Self {
        TagDto {
            id: t.id,
            slug: t.slug,
            name: t.name,
        }
    }
}

/// An author.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuthorDto {
    /// Author id, used in the `author` filter.
    pub id: i64,
    /// Slug.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// Short biography.
    pub bio: String,
}

impl From<AuthorRow> for AuthorDto {
    fn from(a: AuthorRow) -> Self {
        AuthorDto {
            id: a.id,
            slug: a.slug,
            name: a.name,
            bio: a.bio,
        }
    }
}

/// `GET /healthz` and `GET /readyz` answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct HealthDto {
    /// `ok` when healthy.
    #[schema(example = "ok")]
    pub status: String,
    /// The database backend (`/readyz` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    /// Each connection pool: the primary first, then every read replica
    /// (`/readyz` only, on PostgreSQL).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pools: Option<Vec<PoolHealthDto>>,
}

/// A connection pool: the primary, or a read replica as the last lag poll
/// found it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PoolHealthDto {
    /// `primary`, or a replica's `host:port/database` (never credentials).
    #[schema(example = "127.0.0.1:5433/khabar")]
    pub name: String,
    /// `up` (takes reads), `lagging` (behind beyond the bound), `down`
    /// (unreachable or not a replica) or `unknown` (not measured yet). The
    /// primary is `up` whenever `/readyz` answers 200.
    #[schema(example = "up")]
    pub state: String,
    /// Milliseconds behind the primary at the last poll, when measured (0 for the primary).
    pub lag_ms: Option<i64>,
    /// Why a replica is out of rotation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Open connections.
    pub connections: u32,
    /// Of which idle.
    pub idle: u32,
    /// Most connections the pool opens.
    pub max: u32,
}

/// An article as editors see it: everything the public sees, plus its
/// editorial state and version. `published_at` is null for a draft that was
/// never given a time.
#[derive(Debug, Serialize, ToSchema)]
pub struct EditorialArticleDto {
    /// Article id.
    #[schema(example = 1)]
    pub id: i64,
    /// `draft`, `scheduled` (published with a future `published_at`) or `published`.
    pub status: EditorialStatus,
    /// Edit counter; the `ETag` header is `"v{version}"`.
    #[schema(example = 3)]
    pub version: i64,
    /// URL slug (stable when the title changes; old slugs redirect).
    pub slug: String,
    /// Headline.
    pub title: String,
    /// The lead paragraph.
    pub summary: String,
    /// The body as sanitised HTML. Omitted from list items unless named in `fields`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_html: Option<String>,
    /// The body as plain text. Omitted from list items unless named in `fields`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_text: Option<String>,
    /// Language (ISO 639).
    pub language: String,
    /// Text direction.
    pub dir: TextDirection,
    /// The article's section.
    pub section: SectionRef,
    /// Tags, in display order.
    pub tags: Vec<TagRef>,
    /// The byline as printed.
    pub byline: String,
    /// Credited authors, in credit order.
    pub authors: Vec<AuthorRef>,
    /// Where the article comes from, when credited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceDto>,
    /// The canonical web address.
    pub canonical_url: String,
    /// Lead image, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageDto>,
    /// Publication time (UTC); null for a draft without one.
    #[schema(required = true)]
    pub published_at: Option<DateTime<Utc>>,
    /// Creation time (UTC).
    pub created_at: DateTime<Utc>,
    /// Last edit (UTC).
    pub updated_at: DateTime<Utc>,
    /// Reads counted so far.
    pub view_count: i64,
    /// Approved comments.
    pub comment_count: i64,
    /// Whether the article is older than the archive age.
    pub from_archive: bool,
    /// Whether new comments are accepted.
    pub comments_open: bool,
    /// With `q` only: an extract of the article with the matched words in
    /// `<mark>…</mark>`; everything else in it is HTML-escaped, so it can be
    /// inserted as HTML as it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "قال <mark>وزير</mark> الدفاع الإيراني…")]
    pub highlight: Option<String>,
}

impl EditorialArticleDto {
    /// The editor's view of an article at `now`.
    pub fn from_view(view: ArticleView, settings: &Settings, now: NaiveDateTime) -> Self {
        let status = EditorialStatus::of(
            ArticleStatus::from_db(&view.article.status),
            view.article.published_at,
            now,
        );
        let (version, published_at, created_at) = (
            view.version,
            view.article.published_at.map(utc),
            utc(view.article.created_at),
        );
        let a = ArticleDto::from_view(view, settings, now);
        EditorialArticleDto {
            id: a.id,
            status,
            version,
            slug: a.slug,
            title: a.title,
            summary: a.summary,
            body_html: a.body_html,
            body_text: a.body_text,
            language: a.language,
            dir: a.dir,
            section: a.section,
            tags: a.tags,
            byline: a.byline,
            authors: a.authors,
            source: a.source,
            canonical_url: a.canonical_url,
            image: a.image,
            published_at,
            created_at,
            updated_at: a.updated_at,
            view_count: a.view_count,
            comment_count: a.comment_count,
            from_archive: a.from_archive,
            comments_open: a.comments_open,
            highlight: a.highlight,
        }
    }
}

/// An API token as listed: never the token itself.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenDto {
    /// Token id (`DELETE /tokens/{id}` revokes it).
    pub id: i64,
    /// Who or what the token is for.
    #[schema(example = "newsroom CMS")]
    pub name: String,
    /// Its role.
    pub role: Role,
    /// The token's first characters, to recognise it (`khb_` + 8 characters).
    #[schema(example = "khb_Zx81aQ0c…")]
    pub prefix: String,
    /// When it was made (UTC).
    pub created_at: DateTime<Utc>,
    /// Last use, to within five minutes (UTC); null if never used.
    #[schema(required = true)]
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it was revoked (UTC); null while it is valid.
    #[schema(required = true)]
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<TokenInfo> for TokenDto {
    fn from(t: TokenInfo) -> Self {
        TokenDto {
            prefix: t.display_prefix(),
            id: t.row.id,
            name: t.row.name,
            role: t.role,
            created_at: utc(t.row.created_at),
            last_used_at: t.row.last_used_at.map(utc),
            revoked_at: t.row.revoked_at.map(utc),
        }
    }
}

/// A token just made: the only answer that ever contains the token.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewTokenDto {
    /// The token record.
    #[serde(flatten)]
    pub info: TokenDto,
    /// The bearer token. Shown once: store it now; only its hash is kept.
    #[schema(example = "khb_Zx81aQ0cT0pSecretPartOfTheTokenIsHere1234")]
    pub token: String,
}

/// Who made a revision.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionEditorDto {
    /// The token's id, when the edit came through the API.
    #[schema(required = true)]
    pub token_id: Option<i64>,
    /// The token's name.
    pub name: String,
}

/// One revision: the version an edit replaced.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionDto {
    /// Revision number within the article (1 is the first edit).
    pub number: i32,
    /// The article version this revision keeps.
    pub version: i64,
    /// Who made the edit that replaced it.
    pub editor: RevisionEditorDto,
    /// When that edit was made (UTC).
    pub created_at: DateTime<Utc>,
    /// Fields the edit changed (`deleted` for a deletion).
    #[schema(example = json!(["title", "body_html"]))]
    pub changed_fields: Vec<String>,
}

impl From<RevisionRow> for RevisionDto {
    fn from(r: RevisionRow) -> Self {
        RevisionDto {
            number: r.number,
            version: r.article_version,
            editor: RevisionEditorDto {
                token_id: r.token_id,
                name: r.editor_name,
            },
            created_at: utc(r.created_at),
            changed_fields: r
                .changed_fields
                .split(',')
                .filter(|f| !f.is_empty())
                .map(str::to_string)
                .collect(),
        }
    }
}

/// One revision with the content it kept.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionDetailDto {
    /// The revision.
    #[serde(flatten)]
    pub revision: RevisionDto,
    /// The article as it was at that version.
    pub article: ArticleState,
}

/// Media type of a complete article as editors see it (`EditorialArticleDto`).
pub const EDITORIAL_MEDIA_TYPE: &str = "application/vnd.khabar.editorial+json";
/// Media type of a sparse answer (`ArticleFields`, with `fields=`).
pub const FIELDS_MEDIA_TYPE: &str = "application/vnd.khabar.fields+json";

/// A sparse article (`fields=`): `id` and the fields named, nothing else. Sent as
/// `application/vnd.khabar.fields+json`, so that the complete article
/// (`application/json`) keeps every field required.
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // a schema only: answers are `ArticleDto` values with keys removed
pub struct ArticleFields {
    /// Article id (always present).
    pub id: i64,
    #[schema(required = false)]
    pub slug: Option<String>,
    #[schema(required = false)]
    pub title: Option<String>,
    #[schema(required = false)]
    pub summary: Option<String>,
    #[schema(required = false)]
    pub body_html: Option<String>,
    #[schema(required = false)]
    pub body_text: Option<String>,
    #[schema(required = false)]
    pub language: Option<String>,
    #[schema(required = false)]
    pub dir: Option<TextDirection>,
    #[schema(required = false)]
    pub section: Option<SectionRef>,
    #[schema(required = false)]
    pub tags: Option<Vec<TagRef>>,
    #[schema(required = false)]
    pub byline: Option<String>,
    #[schema(required = false)]
    pub authors: Option<Vec<AuthorRef>>,
    #[schema(required = false)]
    pub source: Option<SourceDto>,
    #[schema(required = false)]
    pub canonical_url: Option<String>,
    #[schema(required = false)]
    pub image: Option<ImageDto>,
    /// Null only for an editor's draft without a time.
    #[schema(required = false, nullable)]
    pub published_at: Option<DateTime<Utc>>,
    #[schema(required = false)]
    pub updated_at: Option<DateTime<Utc>>,
    #[schema(required = false)]
    pub view_count: Option<i64>,
    #[schema(required = false)]
    pub comment_count: Option<i64>,
    #[schema(required = false)]
    pub from_archive: Option<bool>,
    #[schema(required = false)]
    pub comments_open: Option<bool>,
    /// With `q` only: the matched words in `<mark>…</mark>`, the rest escaped.
    #[schema(required = false)]
    pub highlight: Option<String>,
}

/// What `POST /articles/{id}/views` did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ViewRecordedDto {
    /// The article's count: stored, plus views this server has not written
    /// yet, this one included when it was counted.
    #[schema(example = 11637)]
    pub view_count: i64,
    /// Whether this view was counted: false for known bots and crawlers (by
    /// `User-Agent`) and for the same client's repeat views within the
    /// dedupe window.
    pub counted: bool,
}

/// An article of a most-viewed ranking: the article as lists show it, with
/// its views in the period.
#[derive(Debug, Serialize, ToSchema)]
pub struct MostViewedDto {
    /// The article (without its body).
    #[serde(flatten)]
    pub article: ArticleDto,
    /// Views in the period (written views; the all-time `view_count` also
    /// shows views this server has not written yet).
    #[schema(example = 420)]
    pub period_views: i64,
}

/// What a most-viewed ranking covers.
#[derive(Debug, Serialize, ToSchema)]
pub struct MostViewedMeta {
    /// `1d`, `7d` or `30d`.
    #[schema(example = "7d")]
    pub period: String,
    /// First local day of the period (the newsroom's time zone).
    #[schema(value_type = String, format = Date, example = "2026-11-29")]
    pub first_day: chrono::NaiveDate,
    /// Last local day of the period: today.
    #[schema(value_type = String, format = Date, example = "2026-12-05")]
    pub last_day: chrono::NaiveDate,
    /// The newsroom's time zone (IANA name).
    #[schema(example = "Asia/Damascus")]
    pub time_zone: String,
    /// Most items asked for.
    #[schema(example = 10)]
    pub limit: u32,
}

/// `GET /most-viewed`.
#[derive(Debug, Serialize, ToSchema)]
pub struct MostViewedList {
    /// Best first; equal counts newer first.
    pub data: Vec<MostViewedDto>,
    /// The period.
    pub meta: MostViewedMeta,
}

/// What a change-feed entry asks a mirror to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// The article is public: store it as given (replacing any copy).
    Upsert,
    /// The article is not public (deleted, unpublished, or scheduled and not
    /// yet due): drop any copy.
    Removed,
}

/// One entry of the change feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeDto {
    /// The position right after this entry (to resume from it).
    #[schema(example = "Y2gxOjQy")]
    pub cursor: String,
    /// The article that changed.
    #[schema(example = 42)]
    pub article_id: i64,
    /// When the change committed (or the scheduled article became due).
    pub changed_at: chrono::DateTime<chrono::Utc>,
    /// `upsert` (public now: `article` holds it) or `removed` (a tombstone).
    pub change: ChangeKind,
    /// The article's edit counter (its ETag is `"v{version}"`), with `upsert`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = 3)]
    pub version: Option<i64>,
    /// The article as it is now, bodies included, with `upsert`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub article: Option<ArticleDto>,
}

/// Where a change-feed walk stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeMeta {
    /// Pass as `since` for the next page; `null` when this page is empty
    /// (you are up to date: poll again later with the cursor you have).
    #[schema(example = "Y2gxOjQy")]
    pub next_cursor: Option<String>,
    /// Most entries asked for.
    #[schema(example = 100)]
    pub limit: i64,
}

/// `GET /changes`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeList {
    /// The entries, in commit order.
    pub data: Vec<ChangeDto>,
    /// The cursor to continue from.
    pub meta: ChangeMeta,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_are_encoded_as_percent_encoding_does() {
        let every_ascii: String = (0u8..128).map(char::from).collect();
        for segment in [
            "",
            "وزير-الدفاع-يزور-موسكو-2020",
            "already-latin_slug.v2~x",
            "a b/c?d#e%f",
            "مدرسة (ابتدائية) ١٢٣",
            "emoji-😀-é",
            every_ascii.as_str(),
        ] {
            let expected: String =
                percent_encoding::utf8_percent_encode(segment, PATH_SEGMENT).collect();
            assert_eq!(encode_path_segment(segment), expected, "{segment:?}");
        }
    }
}
