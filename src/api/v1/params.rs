//! Query parameters: documented with their real limits (so the OpenAPI spec
//! states everything the server enforces), read as raw text, then parsed and
//! validated field by field so that one response lists every bad field.

use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::domain::article::EditorialStatus;
use crate::domain::cursor::{Cursor, KeysetOrder};
use crate::domain::search::{self, QueryError, SearchQuery, MAX_QUERY_CHARS, MAX_QUERY_TERMS};
use crate::error::{AppError, FieldError};

/// Largest page size.
pub const MAX_PER_PAGE: u32 = 100;
/// Default page size.
pub const DEFAULT_PER_PAGE: u32 = 20;
/// Largest page number; deeper walks use `cursor`.
pub const MAX_PAGE: u32 = 1_000_000;

/// List order of articles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ArticleSort {
    /// Newest first (the default).
    Newest,
    /// Oldest first.
    Oldest,
    /// Best search match first (the default with `q`; needs `q`): title
    /// matches above summary matches above body-only matches, then newest.
    Relevance,
    /// Most viewed first (all-time written count; equal counts higher id
    /// first). Pages by `cursor` like the time orders; a walk by cursor
    /// may skip or repeat an article whose count moves meanwhile.
    MostViewed,
}

/// Fields a client may ask for with `fields`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ArticleField {
    Id,
    Slug,
    Title,
    Summary,
    BodyHtml,
    BodyText,
    Language,
    Dir,
    Section,
    Tags,
    Byline,
    Authors,
    Source,
    CanonicalUrl,
    Image,
    PublishedAt,
    UpdatedAt,
    ViewCount,
    CommentCount,
    FromArchive,
    CommentsOpen,
}

impl ArticleField {
    /// Every field, in response order.
    pub const ALL: [ArticleField; 21] = [
        ArticleField::Id,
        ArticleField::Slug,
        ArticleField::Title,
        ArticleField::Summary,
        ArticleField::BodyHtml,
        ArticleField::BodyText,
        ArticleField::Language,
        ArticleField::Dir,
        ArticleField::Section,
        ArticleField::Tags,
        ArticleField::Byline,
        ArticleField::Authors,
        ArticleField::Source,
        ArticleField::CanonicalUrl,
        ArticleField::Image,
        ArticleField::PublishedAt,
        ArticleField::UpdatedAt,
        ArticleField::ViewCount,
        ArticleField::CommentCount,
        ArticleField::FromArchive,
        ArticleField::CommentsOpen,
    ];

    /// The JSON key.
    pub fn key(self) -> &'static str {
        match self {
            ArticleField::Id => "id",
            ArticleField::Slug => "slug",
            ArticleField::Title => "title",
            ArticleField::Summary => "summary",
            ArticleField::BodyHtml => "body_html",
            ArticleField::BodyText => "body_text",
            ArticleField::Language => "language",
            ArticleField::Dir => "dir",
            ArticleField::Section => "section",
            ArticleField::Tags => "tags",
            ArticleField::Byline => "byline",
            ArticleField::Authors => "authors",
            ArticleField::Source => "source",
            ArticleField::CanonicalUrl => "canonical_url",
            ArticleField::Image => "image",
            ArticleField::PublishedAt => "published_at",
            ArticleField::UpdatedAt => "updated_at",
            ArticleField::ViewCount => "view_count",
            ArticleField::CommentCount => "comment_count",
            ArticleField::FromArchive => "from_archive",
            ArticleField::CommentsOpen => "comments_open",
        }
    }

    fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.key() == key)
    }
}

/// Query of `GET /articles`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArticleListQuery {
    /// Only articles of this section (slug, e.g. `politics`). An unknown section matches nothing.
    #[param(value_type = Option<String>, min_length = 1, max_length = 200, pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]+$", example = "politics")]
    pub section: Option<String>,
    /// Only articles with this tag (slug, e.g. `damascus`). An unknown tag matches nothing.
    #[param(value_type = Option<String>, min_length = 1, max_length = 200, pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]+$", example = "damascus")]
    pub tag: Option<String>,
    /// Only articles credited to this author (id).
    #[param(value_type = Option<i64>, minimum = 1, example = 3)]
    pub author: Option<String>,
    /// Only articles in this language (ISO 639 code).
    #[param(value_type = Option<String>, pattern = "^[a-z]{2,3}$", example = "ar")]
    pub language: Option<String>,
    /// Search: words (all of them), `"a phrase"` (in order), `-word` or
    /// `-"a phrase"` (none of them). Arabic-aware: hamza forms, ة/ه, ى/ي,
    /// diacritics, tatweel, Eastern digits and attached prefixes (ال، و، ب،
    /// ل، ك، ف) and suffixes match. At most 200 characters and 20 words.
    /// Each result then carries `highlight`.
    #[param(value_type = Option<String>, min_length = 1, max_length = 200, pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]+$", example = "وزير الدفاع")]
    pub q: Option<String>,
    /// Order: `newest` (default) or `oldest` first, `most_viewed` (all-time
    /// written count), or `relevance` (the default with `q`, which it
    /// needs; pages by `page` only, so no `next_cursor`). A `cursor` keeps
    /// the order it was made with.
    #[param(value_type = Option<ArticleSort>)]
    pub sort: Option<String>,
    /// Comma-separated fields to return (sparse fieldset); `id` is always returned.
    /// List items omit `body_html` and `body_text` unless named here.
    #[param(value_type = Option<Vec<ArticleField>>, style = Form, explode = false, min_items = 1, example = "id,title,published_at")]
    pub fields: Option<String>,
    /// 1-based page number (ignored when `cursor` is given; deep walks should use `cursor`).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000000, example = 1)]
    pub page: Option<String>,
    /// Items per page, 1 to 100 (default 20).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100, example = 20)]
    pub per_page: Option<String>,
    /// Opaque keyset cursor from `meta.next_cursor`: continues a walk stably, however deep.
    #[param(value_type = Option<String>, pattern = "^([no]-?[0-9]{1,16}|v[0-9]{1,18})_[0-9]{1,18}$", example = "n1598086800000000_1")]
    pub cursor: Option<String>,
    /// Also count every matching article into `meta.total` (slower on big lists).
    #[param(value_type = Option<bool>)]
    pub include_total: Option<String>,
    /// Editorial state: `published` (the default, for everyone); `draft` and
    /// `scheduled` need an editor's token.
    #[param(value_type = Option<EditorialStatus>)]
    pub status: Option<String>,
    /// Published on or after: a date (`2020-08-22`, a day in the newsroom's
    /// time zone) or an RFC 3339 date-time. Inclusive.
    #[param(value_type = Option<String>, pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-9]{2}))?$", example = "2020-08-22")]
    pub from: Option<String>,
    /// Published on or before: a date (the whole day, in the newsroom's time
    /// zone) or an RFC 3339 date-time. Inclusive.
    #[param(value_type = Option<String>, pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-9]{2}))?$", example = "2020-08-31")]
    pub to: Option<String>,
}

/// Most items of a feed.
pub const MAX_FEED_ITEMS: u32 = 100;
/// Items of a feed unless `limit` says otherwise.
pub const DEFAULT_FEED_ITEMS: u32 = 50;

/// Query of the feeds (`GET /feeds/rss`, `/feeds/atom`, `/feeds/json`): the
/// filters of `GET /articles`, and how many items.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// Only articles of this section (slug, e.g. `politics`). An unknown section gives an empty feed.
    #[param(value_type = Option<String>, min_length = 1, max_length = 200, pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]+$", example = "politics")]
    pub section: Option<String>,
    /// Only articles with this tag (slug, e.g. `iran`). An unknown tag gives an empty feed.
    #[param(value_type = Option<String>, min_length = 1, max_length = 200, pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]+$", example = "iran")]
    pub tag: Option<String>,
    /// Only articles credited to this author (id).
    #[param(value_type = Option<i64>, minimum = 1, example = 3)]
    pub author: Option<String>,
    /// Only articles matching this search, as `q` of `GET /articles`
    /// (Arabic-aware; at most 200 characters and 20 words). Items stay
    /// newest first: a feed is chronological.
    #[param(value_type = Option<String>, min_length = 1, max_length = 200, pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]+$", example = "وزير الدفاع")]
    pub q: Option<String>,
    /// Most items, 1 to 100 (default 50): the latest published.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100, example = 50)]
    pub limit: Option<String>,
}

/// Parsed feed query.
#[derive(Debug, Clone)]
pub struct FeedParams {
    /// Section slug.
    pub section: Option<String>,
    /// Tag slug.
    pub tag: Option<String>,
    /// Author id.
    pub author: Option<i64>,
    /// The parsed search.
    pub search: Option<SearchQuery>,
    /// Most items.
    pub limit: u32,
}

/// Query of plain paged collections (`GET /sections`, `GET /tags`).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// 1-based page number.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000000, example = 1)]
    pub page: Option<String>,
    /// Items per page, 1 to 100 (default 20).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100, example = 20)]
    pub per_page: Option<String>,
    /// Also count the whole collection into `meta.total`.
    #[param(value_type = Option<bool>)]
    pub include_total: Option<String>,
}

/// Page number and size after parsing; the ranges are checked by `validator`.
#[derive(Debug, Clone, Copy, Validate)]
pub struct Paging {
    /// 1-based page number.
    #[validate(range(min = 1, max = 1_000_000))]
    pub page: u64,
    /// Items per page.
    #[validate(range(min = 1, max = 100))]
    pub per_page: u64,
}

/// Parsed `GET /articles` query.
#[derive(Debug, Clone)]
pub struct ArticleListParams {
    pub section: Option<String>,
    pub tag: Option<String>,
    pub author: Option<i64>,
    pub language: Option<String>,
    pub order: KeysetOrder,
    pub fields: Option<Vec<ArticleField>>,
    pub page: u32,
    pub per_page: u32,
    pub cursor: Option<Cursor>,
    pub include_total: bool,
    pub status: EditorialStatus,
    /// Published at or after (UTC).
    pub from: Option<chrono::NaiveDateTime>,
    /// Published before (UTC, exclusive).
    pub until: Option<chrono::NaiveDateTime>,
    /// The parsed search.
    pub search: Option<SearchQuery>,
    /// Rank by relevance (with `search` only).
    pub relevance: bool,
}

/// Parsed page query.
#[derive(Debug, Clone, Copy)]
pub struct PageParams {
    pub page: u32,
    pub per_page: u32,
    pub include_total: bool,
}

/// Collects field errors while parsing.
#[derive(Default)]
struct Errors(Vec<FieldError>);

impl Errors {
    fn push(&mut self, e: FieldError) {
        self.0.push(e);
    }
    fn finish<T>(self, value: T) -> Result<T, AppError> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(AppError::InvalidParameters(self.0))
        }
    }
}

fn has_control(s: &str) -> bool {
    s.chars().any(|c| c.is_control())
}

fn text_param(
    errors: &mut Errors,
    field: &str,
    raw: Option<String>,
    max_chars: usize,
) -> Option<String> {
    let raw = raw?;
    if raw.is_empty() {
        errors.push(FieldError::new(
            field,
            "empty",
            format!("{field} must not be empty."),
            format!("يجب ألا تكون قيمة {field} فارغة."),
        ));
        None
    } else if raw.chars().count() > max_chars || has_control(&raw) {
        errors.push(FieldError::new(
            field,
            "invalid_value",
            format!("{field} must be at most {max_chars} characters without control characters."),
            format!("يجب ألا تتجاوز قيمة {field} ‏{max_chars} حرفاً وألا تحتوي محارف تحكّم."),
        ));
        None
    } else {
        Some(raw)
    }
}

/// Why `q` cannot be searched, in both languages.
fn search_error(e: QueryError) -> FieldError {
    match e {
        QueryError::Empty => FieldError::new(
            "q",
            "empty_query",
            "q has nothing to search for once punctuation and diacritics are removed.",
            "لا يبقى في q ما يُبحث عنه بعد حذف علامات الترقيم والتشكيل.",
        ),
        QueryError::OnlyExclusions => FieldError::new(
            "q",
            "only_exclusions",
            "q only excludes words (-word); add a word to find.",
            "يستبعد q كلمات فقط (-كلمة)؛ أضف كلمة يُبحث عنها.",
        ),
        QueryError::TooLong => FieldError::new(
            "q",
            "query_too_long",
            format!("q must be at most {MAX_QUERY_CHARS} characters."),
            format!("يجب ألا يتجاوز q ‏{MAX_QUERY_CHARS} حرفاً."),
        ),
        QueryError::TooManyTerms => FieldError::new(
            "q",
            "too_many_terms",
            format!("q must have at most {MAX_QUERY_TERMS} words."),
            format!("يجب ألا يتجاوز q ‏{MAX_QUERY_TERMS} كلمة."),
        ),
    }
}

fn integer(errors: &mut Errors, field: &str, raw: Option<&str>) -> Option<u64> {
    let raw = raw?;
    if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
        errors.push(FieldError::new(
            field,
            "invalid_integer",
            format!("{field} must be a whole number (got {raw:?})."),
            format!("يجب أن تكون قيمة {field} عدداً صحيحاً (وصل {raw:?})."),
        ));
        return None;
    }
    match raw.parse::<u64>() {
        Ok(v) => Some(v),
        // Too many digits for any count: out of range, not a server error.
        Err(_) => Some(u64::MAX),
    }
}

fn boolean(errors: &mut Errors, field: &str, raw: Option<&str>) -> bool {
    match raw {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            errors.push(FieldError::new(
                field,
                "invalid_boolean",
                format!("{field} must be true or false (got {other:?})."),
                format!("يجب أن تكون قيمة {field} ‏true أو false (وصل {other:?})."),
            ));
            false
        }
    }
}

fn range_error(field: &str, min: u64, max: u64) -> FieldError {
    FieldError::new(
        field,
        "out_of_range",
        format!("{field} must be between {min} and {max}."),
        format!("يجب أن تكون قيمة {field} بين {min} و{max}."),
    )
}

/// Parses and validates page and per_page.
fn paging(errors: &mut Errors, page: Option<&str>, per_page: Option<&str>) -> (u32, u32) {
    let page_value = integer(errors, "page", page);
    let per_page_value = integer(errors, "per_page", per_page);
    let paging = Paging {
        page: page_value.unwrap_or(1),
        per_page: per_page_value.unwrap_or(u64::from(DEFAULT_PER_PAGE)),
    };
    if let Err(failed) = paging.validate() {
        let fields = failed.field_errors();
        if fields.contains_key("page") {
            errors.push(range_error("page", 1, u64::from(MAX_PAGE)));
        }
        if fields.contains_key("per_page") {
            errors.push(range_error("per_page", 1, u64::from(MAX_PER_PAGE)));
        }
        return (1, DEFAULT_PER_PAGE);
    }
    (paging.page as u32, paging.per_page as u32)
}

impl PageQuery {
    /// Parses and validates; every bad field is reported at once.
    pub fn parse(self) -> Result<PageParams, AppError> {
        let mut errors = Errors::default();
        let (page, per_page) = paging(&mut errors, self.page.as_deref(), self.per_page.as_deref());
        let include_total = boolean(&mut errors, "include_total", self.include_total.as_deref());
        errors.finish(PageParams {
            page,
            per_page,
            include_total,
        })
    }
}

impl FeedQuery {
    /// Parses and validates with the rules of `GET /articles`; every bad
    /// field is reported at once.
    pub fn parse(self, tz: chrono_tz::Tz) -> Result<FeedParams, AppError> {
        let mut errors = Errors::default();
        let list = ArticleListQuery {
            section: self.section,
            tag: self.tag,
            author: self.author,
            q: self.q,
            // Chronological, with or without a search.
            sort: Some("newest".into()),
            ..Default::default()
        }
        .parse(tz);
        let list = match list {
            Ok(list) => Some(list),
            Err(AppError::InvalidParameters(bad)) => {
                errors.0.extend(bad);
                None
            }
            Err(other) => return Err(other),
        };
        let limit = match integer(&mut errors, "limit", self.limit.as_deref()) {
            None => DEFAULT_FEED_ITEMS,
            Some(n) if (1..=u64::from(MAX_FEED_ITEMS)).contains(&n) => n as u32,
            Some(_) => {
                errors.push(range_error("limit", 1, u64::from(MAX_FEED_ITEMS)));
                DEFAULT_FEED_ITEMS
            }
        };
        match list {
            Some(list) => errors.finish(FeedParams {
                section: list.section,
                tag: list.tag,
                author: list.author,
                search: list.search,
                limit,
            }),
            None => Err(AppError::InvalidParameters(errors.0)),
        }
    }
}

impl ArticleListQuery {
    /// Parses and validates (dates in the newsroom's zone `tz`); every bad
    /// field is reported at once.
    pub fn parse(self, tz: chrono_tz::Tz) -> Result<ArticleListParams, AppError> {
        let mut errors = Errors::default();
        let (page, per_page) = paging(&mut errors, self.page.as_deref(), self.per_page.as_deref());
        let include_total = boolean(&mut errors, "include_total", self.include_total.as_deref());
        let section = text_param(&mut errors, "section", self.section, 200);
        let tag = text_param(&mut errors, "tag", self.tag, 200);
        let author = match integer(&mut errors, "author", self.author.as_deref()) {
            Some(v) if v >= 1 && v <= i64::MAX as u64 => Some(v as i64),
            Some(_) => {
                errors.push(range_error("author", 1, i64::MAX as u64));
                None
            }
            None => None,
        };
        let language = match self.language {
            Some(l) if (2..=3).contains(&l.len()) && l.bytes().all(|b| b.is_ascii_lowercase()) => {
                Some(l)
            }
            Some(l) => {
                errors.push(FieldError::new(
                    "language",
                    "invalid_language",
                    format!("language must be a lower-case ISO 639 code such as ar (got {l:?})."),
                    format!("يجب أن تكون اللغة رمز ISO 639 بأحرف صغيرة مثل ar (وصل {l:?})."),
                ));
                None
            }
            None => None,
        };
        let search = match self.q {
            None => None,
            Some(raw) if has_control(&raw) => {
                errors.push(FieldError::new(
                    "q",
                    "invalid_value",
                    "q must not contain control characters.",
                    "يجب ألا يحتوي q محارف تحكّم.",
                ));
                None
            }
            Some(raw) => match search::parse(&raw) {
                Ok(query) => Some(query),
                Err(e) => {
                    errors.push(search_error(e));
                    None
                }
            },
        };
        let searching = search.is_some();
        let (order, relevance) = match self.sort.as_deref() {
            None if searching => (KeysetOrder::Newest, true),
            None | Some("newest") => (KeysetOrder::Newest, false),
            Some("oldest") => (KeysetOrder::Oldest, false),
            Some("most_viewed") => (KeysetOrder::MostViewed, false),
            Some("relevance") if searching => (KeysetOrder::Newest, true),
            Some("relevance") => {
                // Without a valid q there is nothing to rank (a bad q is
                // reported on its own).
                if !errors.0.iter().any(|e| e.field == "q") {
                    errors.push(FieldError::new(
                        "sort",
                        "relevance_needs_q",
                        "sort=relevance needs a search in q.",
                        "الترتيب relevance يحتاج إلى بحث في q.",
                    ));
                }
                (KeysetOrder::Newest, false)
            }
            Some(other) => {
                errors.push(FieldError::new(
                    "sort",
                    "invalid_sort",
                    format!("sort must be newest, oldest, most_viewed or relevance (got {other:?})."),
                    format!("يجب أن يكون الترتيب newest أو oldest أو most_viewed أو relevance (وصل {other:?})."),
                ));
                (KeysetOrder::Newest, false)
            }
        };
        let fields = match self.fields {
            None => None,
            Some(list) => {
                let mut parsed = Vec::new();
                let mut bad = Vec::new();
                for key in list.split(',') {
                    match ArticleField::parse(key) {
                        Some(f) => parsed.push(f),
                        None => bad.push(key.to_string()),
                    }
                }
                if !bad.is_empty() {
                    errors.push(FieldError::new(
                        "fields",
                        "unknown_field",
                        format!(
                            "fields names unknown fields: {bad:?}; known: {}.",
                            ArticleField::ALL.map(|f| f.key()).join(", ")
                        ),
                        format!(
                            "حقول غير معروفة في fields: {bad:?}؛ المعروفة: {}.",
                            ArticleField::ALL.map(|f| f.key()).join("، ")
                        ),
                    ));
                }
                Some(parsed)
            }
        };
        let cursor = match self.cursor {
            None => None,
            Some(text) => match Cursor::decode(&text) {
                Some(c) => Some(c),
                None => {
                    errors.push(FieldError::new(
                        "cursor",
                        "invalid_cursor",
                        "cursor is not one this API issued; start again without it or use meta.next_cursor.",
                        "المؤشر cursor ليس من إصدار هذه الواجهة؛ ابدأ من جديد بدونه أو استخدم meta.next_cursor.",
                    ));
                    None
                }
            },
        };
        let status = match self.status.as_deref() {
            None | Some("published") => EditorialStatus::Published,
            Some("draft") => EditorialStatus::Draft,
            Some("scheduled") => EditorialStatus::Scheduled,
            Some(other) => {
                errors.push(FieldError::new(
                    "status",
                    "invalid_status",
                    format!("status must be published, scheduled or draft (got {other:?})."),
                    format!("يجب أن تكون الحالة published أو scheduled أو draft (وصل {other:?})."),
                ));
                EditorialStatus::Published
            }
        };
        let mut bound = |field: &str, raw: Option<String>, upper: bool| {
            let raw = raw?;
            let parsed = crate::domain::period::parse_bound(&raw, tz, upper);
            if parsed.is_none() {
                errors.push(FieldError::new(
                    field,
                    "invalid_date",
                    format!("{field} must be a date (2020-08-22) or an RFC 3339 date-time from 1900 on (got {raw:?})."),
                    format!("يجب أن تكون قيمة {field} تاريخاً (2020-08-22) أو وقتاً بصيغة RFC 3339 منذ 1900 (وصل {raw:?})."),
                ));
            }
            parsed
        };
        let from = bound("from", self.from, false);
        let until = bound("to", self.to, true);
        if let (Some(f), Some(u)) = (from, until) {
            if f >= u {
                errors.push(FieldError::new(
                    "from",
                    "invalid_range",
                    "from must not be after to.",
                    "يجب ألا يكون from بعد to.",
                ));
            }
        }
        errors.finish(ArticleListParams {
            search,
            relevance,
            from,
            until,
            status,
            section,
            tag,
            author,
            language,
            order,
            fields,
            page,
            per_page,
            cursor,
            include_total,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::cursor::CURSOR_PATTERN;

    fn codes(r: Result<ArticleListParams, AppError>) -> Vec<(String, &'static str)> {
        match r {
            Err(AppError::InvalidParameters(v)) => {
                v.into_iter().map(|e| (e.field, e.code)).collect()
            }
            other => panic!("expected invalid parameters, got {other:?}"),
        }
    }

    #[test]
    fn every_bad_field_is_listed() {
        let q = ArticleListQuery {
            page: Some("-1".into()),
            per_page: Some("101".into()),
            sort: Some("sideways".into()),
            cursor: Some("zzz".into()),
            ..Default::default()
        };
        let got = codes(q.parse(chrono_tz::UTC));
        assert!(got.contains(&("page".into(), "invalid_integer")), "{got:?}");
        assert!(
            got.contains(&("per_page".into(), "out_of_range")),
            "{got:?}"
        );
        assert!(got.contains(&("sort".into(), "invalid_sort")), "{got:?}");
        assert!(
            got.contains(&("cursor".into(), "invalid_cursor")),
            "{got:?}"
        );
    }

    #[test]
    fn huge_numbers_are_out_of_range() {
        let q = ArticleListQuery {
            page: Some("99999999999999999999".into()),
            ..Default::default()
        };
        assert_eq!(
            codes(q.parse(chrono_tz::UTC)),
            vec![("page".to_string(), "out_of_range")]
        );
    }

    #[test]
    fn defaults() {
        let p = ArticleListQuery::default().parse(chrono_tz::UTC).unwrap();
        assert_eq!((p.page, p.per_page, p.include_total), (1, 20, false));
        assert_eq!(p.order, KeysetOrder::Newest);
    }

    #[test]
    fn feed_queries_take_the_list_filters_and_a_limit() {
        let p = FeedQuery::default().parse(chrono_tz::UTC).unwrap();
        assert_eq!(p.limit, DEFAULT_FEED_ITEMS);
        let p = FeedQuery {
            section: Some("politics".into()),
            author: Some("3".into()),
            q: Some("وزير".into()),
            limit: Some("100".into()),
            ..Default::default()
        }
        .parse(chrono_tz::UTC)
        .unwrap();
        assert_eq!(
            (p.section.as_deref(), p.author, p.limit),
            (Some("politics"), Some(3), 100)
        );
        assert!(p.search.is_some());
        let bad = FeedQuery {
            limit: Some("101".into()),
            author: Some("0".into()),
            tag: Some(String::new()),
            ..Default::default()
        }
        .parse(chrono_tz::UTC);
        let mut fields: Vec<String> = match bad {
            Err(AppError::InvalidParameters(v)) => v.into_iter().map(|e| e.field).collect(),
            other => panic!("expected invalid parameters, got {other:?}"),
        };
        fields.sort();
        assert_eq!(fields, ["author", "limit", "tag"]);
    }

    #[test]
    fn the_cursor_pattern_is_the_domain_one() {
        // The literal in the attribute above must stay equal to the constant.
        assert_eq!(
            CURSOR_PATTERN,
            "^([no]-?[0-9]{1,16}|v[0-9]{1,18})_[0-9]{1,18}$"
        );
    }
}
