//! `GET /feeds/rss`, `/feeds/atom`, `/feeds/json`: the latest published
//! articles as RSS 2.0 (`rss`), Atom 1.0 (`atom_syndication`) and JSON Feed
//! 1.1 (serde), with the filters of `GET /articles`.
//!
//! Every format is built from the same [`Feed`]: the articles as the API
//! shows them (`ArticleDto`, so links are the same canonical URLs), and the
//! feed's own title, links and date. ETags, `Cache-Control` and 304s come
//! from `api::http_cache` like every public read; the rendered bytes are
//! kept in the answer cache like the article list's.

use std::collections::BTreeMap;

use actix_web::web::Bytes;
use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::auth::Caller;
use crate::api::cache::Scope;
use crate::api::v1::dto::{ArticleDto, SectionRef};
use crate::api::v1::links::page_link;
use crate::api::v1::params::{FeedParams, FeedQuery};
use crate::api::v1::responses::Unavailable;
use crate::api::AppState;
use crate::config::Settings;
use crate::error::{AppError, Problem};
use crate::service::feeds::{self, FeedItems, FeedRequest};

/// Media type of the RSS 2.0 feed.
pub const RSS_MEDIA_TYPE: &str = "application/rss+xml; charset=utf-8";
/// Media type of the Atom 1.0 feed.
pub const ATOM_MEDIA_TYPE: &str = "application/atom+xml; charset=utf-8";
/// Media type of the JSON Feed 1.1 feed.
pub const JSON_FEED_MEDIA_TYPE: &str = "application/feed+json; charset=utf-8";

/// The site's name in feed titles.
pub const SITE_NAME: &str = "خبر";
/// The language of the feeds (the newsroom's).
pub const FEED_LANGUAGE: &str = "ar";
/// `version` of a JSON Feed 1.1 document.
pub const JSON_FEED_VERSION: &str = "https://jsonfeed.org/version/1.1";

const ATOM_NAMESPACE: &str = "http://www.w3.org/2005/Atom";
const GENERATOR: &str = "khabar";

/// The three formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Rss,
    Atom,
    Json,
}

impl Format {
    fn media_type(self) -> &'static str {
        match self {
            Format::Rss => RSS_MEDIA_TYPE,
            Format::Atom => ATOM_MEDIA_TYPE,
            Format::Json => JSON_FEED_MEDIA_TYPE,
        }
    }
}

/// The latest articles as RSS 2.0.
///
/// The latest published articles (50 unless `limit` says otherwise), newest
/// first, narrowed by the filters of `GET /articles` (a search keeps them
/// newest first: a feed is chronological). Each item has the headline, the
/// canonical link, the lead as `description`, the sanitised body as
/// `content:encoded`, the byline as `dc:creator`, the section and tags as
/// `category`, `pubDate` and the last change as `atom:updated`; the `guid`
/// is the article's API address (stable across slug changes). The channel
/// has `language` `ar`, `lastBuildDate` (the latest change of its items)
/// and an `atom:link rel="self"`. Links are absolute, from
/// `KHABAR_PUBLIC_URL`. Public reads carry an `ETag`; `If-None-Match`
/// answers 304.
#[utoipa::path(
    tag = "feeds",
    params(FeedQuery),
    responses(
        (status = 200, description = "An RSS 2.0 document (UTF-8)", body = String, content_type = "application/rss+xml",
            headers(("ETag" = String, description = "A strong tag of the bytes; send it in `If-None-Match` for a 304"))),
        (status = 400, description = "A parameter is malformed or out of range; `errors` lists every bad one", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "A token was sent but is not valid (the feeds need none)", body = Problem, content_type = "application/problem+json"),
        Unavailable,
    ),
    security((), ("bearer" = []))
)]
#[get("/feeds/rss")]
pub async fn rss_feed(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    query: web::Query<FeedQuery>,
) -> Result<HttpResponse, AppError> {
    answer(&state, &req, caller, query.into_inner(), Format::Rss).await
}

/// The latest articles as Atom 1.0.
///
/// The same articles as `GET /feeds/rss`. Each entry has the headline, the
/// article's API address as `id`, the canonical link (`rel="alternate"`),
/// `published` and `updated`, its credited authors (else the byline), the
/// section and tags as `category` (`term` the slug, `label` the name), the
/// lead as `summary` and the sanitised body as `content type="html"`. The
/// feed has `xml:lang="ar"`, `updated` (the latest change of its entries;
/// 1970-01-01 when it is empty) and a `rel="self"` link.
#[utoipa::path(
    tag = "feeds",
    params(FeedQuery),
    responses(
        (status = 200, description = "An Atom 1.0 document (UTF-8)", body = String, content_type = "application/atom+xml",
            headers(("ETag" = String, description = "A strong tag of the bytes; send it in `If-None-Match` for a 304"))),
        (status = 400, description = "A parameter is malformed or out of range; `errors` lists every bad one", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "A token was sent but is not valid (the feeds need none)", body = Problem, content_type = "application/problem+json"),
        Unavailable,
    ),
    security((), ("bearer" = []))
)]
#[get("/feeds/atom")]
pub async fn atom_feed(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    query: web::Query<FeedQuery>,
) -> Result<HttpResponse, AppError> {
    answer(&state, &req, caller, query.into_inner(), Format::Atom).await
}

/// The latest articles as JSON Feed 1.1.
///
/// The same articles as `GET /feeds/rss`, as a JSON Feed 1.1 document
/// (`application/feed+json`): `content_html` is the sanitised body,
/// `summary` the lead, `tags` the section's and tags' names, `authors` the
/// credited authors (else the byline); `_khabar` carries the byline and
/// the section as the API names them.
#[utoipa::path(
    tag = "feeds",
    params(FeedQuery),
    responses(
        (status = 200, description = "A JSON Feed 1.1 document", body = JsonFeed, content_type = "application/feed+json",
            headers(("ETag" = String, description = "A strong tag of the bytes; send it in `If-None-Match` for a 304"))),
        (status = 400, description = "A parameter is malformed or out of range; `errors` lists every bad one", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "A token was sent but is not valid (the feeds need none)", body = Problem, content_type = "application/problem+json"),
        Unavailable,
    ),
    security((), ("bearer" = []))
)]
#[get("/feeds/json")]
pub async fn json_feed(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    query: web::Query<FeedQuery>,
) -> Result<HttpResponse, AppError> {
    answer(&state, &req, caller, query.into_inner(), Format::Json).await
}

/// One feed answer: from the answer cache, or read, rendered and kept.
async fn answer(
    state: &AppState,
    req: &HttpRequest,
    // Checked by the extractor (a bad token is a 401); a feed is the same
    // for everyone.
    _caller: Caller,
    query: FeedQuery,
    format: Format,
) -> Result<HttpResponse, AppError> {
    let cache_key = req.uri().to_string();
    if let Some(hit) = state.responses.answer(req) {
        return Ok(hit);
    }
    let ticket = state.responses.ticket();
    let raw_q = query.q.clone();
    let params = query.parse(state.settings.timezone)?;
    let request = FeedRequest {
        section: params.section.clone(),
        tag: params.tag.clone(),
        author: params.author,
        search: params.search.clone(),
        limit: params.limit,
    };
    let cache = state.taxonomy.clone();
    let now = crate::service::now();
    let found = state
        .db
        .read(move |conn| feeds::latest(conn, &cache, &request, now))
        .await?;
    let shown = Scope::List(found.items.iter().map(|v| v.article.id).collect());
    let feed = Feed::new(
        found,
        &params,
        raw_q.as_deref(),
        &state.settings,
        &page_link(req.path(), req.query_string(), &[]),
        now,
    );
    let body = match format {
        Format::Rss => feed.to_rss()?,
        Format::Atom => feed.to_atom()?,
        Format::Json => {
            let mut out = Vec::with_capacity(feed.expected_len());
            serde_json::to_writer(&mut out, &feed.into_json_feed())
                .map_err(|e| AppError::Internal(format!("JSON Feed: {e}")))?;
            out
        }
    };
    Ok(state.responses.store_rendered(
        ticket,
        cache_key,
        shown,
        Bytes::from(body),
        format.media_type(),
    ))
}

/// What every format shows.
struct Feed {
    /// "خبر", with the filters when there are any.
    title: String,
    /// One sentence about the feed.
    description: String,
    /// The site (`KHABAR_PUBLIC_URL`).
    home: String,
    /// This feed's own absolute address.
    self_url: String,
    /// The base of the API's absolute addresses.
    api: String,
    /// The latest change of any item.
    updated: Option<DateTime<Utc>>,
    /// The articles, newest first.
    items: Vec<FeedItem>,
}

/// One article of a feed.
struct FeedItem {
    /// The article as the API shows it (with its body).
    article: ArticleDto,
    /// Its permanent id: its API address by number.
    id: String,
    /// Its last change (edit, or publication when later).
    updated: DateTime<Utc>,
}

impl Feed {
    fn new(
        found: FeedItems,
        params: &FeedParams,
        raw_q: Option<&str>,
        settings: &Settings,
        self_path: &str,
        now: chrono::NaiveDateTime,
    ) -> Self {
        let home = settings.public_url.trim_end_matches('/').to_string();
        let api = format!("{home}/api/v1");
        let items: Vec<FeedItem> = found
            .items
            .into_iter()
            .map(|view| {
                let updated = feeds::changed_at(&view).and_utc();
                let article = ArticleDto::from_view(view, settings, now);
                FeedItem {
                    id: format!("{api}/articles/{}", article.id),
                    article,
                    updated,
                }
            })
            .collect();
        let filters = describe_filters(params, raw_q, &items);
        let (title, description) = if filters.is_empty() {
            (SITE_NAME.to_string(), format!("آخر ما نُشر في {SITE_NAME}"))
        } else {
            (
                format!("{SITE_NAME} — {filters}"),
                format!("آخر ما نُشر في {SITE_NAME}: {filters}"),
            )
        };
        Feed {
            title,
            description,
            self_url: format!("{home}{self_path}"),
            home,
            api,
            updated: found.updated.map(|t| t.and_utc()),
            items,
        }
    }

    /// About the size of the document: its bodies and leads with room for
    /// escaping and markup, so that the output is not copied again and
    /// again as it grows (50 bodies are ~136 KB).
    fn expected_len(&self) -> usize {
        let text: usize = self
            .items
            .iter()
            .map(|i| {
                let a = &i.article;
                a.body_html.as_ref().map_or(0, String::len) + a.summary.len() + a.title.len()
            })
            .sum();
        text + text / 4 + 1024 * (self.items.len() + 1)
    }

    /// The RSS 2.0 document.
    fn to_rss(&self) -> Result<Vec<u8>, AppError> {
        let mut channel = rss::Channel {
            title: xml_safe(&self.title),
            link: self.home.clone(),
            description: xml_safe(&self.description),
            language: Some(FEED_LANGUAGE.to_string()),
            generator: Some(GENERATOR.to_string()),
            docs: Some("https://www.rssboard.org/rss-specification".to_string()),
            last_build_date: self.updated.map(|t| t.to_rfc2822()),
            ..Default::default()
        };
        channel
            .namespaces
            .insert("atom".to_string(), ATOM_NAMESPACE.to_string());
        channel.extensions = atom_extension(
            "link",
            None,
            &[
                ("href", self.self_url.as_str()),
                ("rel", "self"),
                ("type", "application/rss+xml"),
            ],
        );
        channel.items = self
            .items
            .iter()
            .map(|item| {
                let a = &item.article;
                let mut categories = vec![rss::Category {
                    name: xml_safe(&a.section.name),
                    domain: None,
                }];
                categories.extend(a.tags.iter().map(|t| rss::Category {
                    name: xml_safe(&t.name),
                    domain: None,
                }));
                rss::Item {
                    title: Some(xml_safe(&a.title)),
                    link: Some(a.canonical_url.clone()),
                    // `description` is HTML to feed readers; the lead is text.
                    description: Some(xml_safe(&html_escape::encode_text(&a.summary))),
                    content: a.body_html.as_deref().map(xml_safe),
                    categories,
                    guid: Some(rss::Guid {
                        value: item.id.clone(),
                        permalink: false,
                    }),
                    pub_date: Some(a.published_at.to_rfc2822()),
                    dublin_core_ext: Some(rss::extension::dublincore::DublinCoreExtension {
                        creators: credits(a).into_iter().map(|c| xml_safe(&c)).collect(),
                        ..Default::default()
                    }),
                    extensions: atom_extension("updated", Some(rfc3339(item.updated)), &[]),
                    ..Default::default()
                }
            })
            .collect();
        channel
            .write_to(Vec::with_capacity(self.expected_len()))
            .map_err(|e| AppError::Internal(format!("RSS: {e}")))
    }

    /// The Atom 1.0 document.
    fn to_atom(&self) -> Result<Vec<u8>, AppError> {
        use atom_syndication::{Category, Content, Entry, Generator, Link, Person, Text};
        let link = |href: &str, rel: &str, mime_type: &str| Link {
            href: href.to_string(),
            rel: rel.to_string(),
            mime_type: Some(mime_type.to_string()),
            ..Default::default()
        };
        let entries = self
            .items
            .iter()
            .map(|item| {
                let a = &item.article;
                let mut categories = vec![Category {
                    term: xml_safe(&a.section.slug),
                    scheme: Some(format!("{}/sections", self.api)),
                    label: Some(xml_safe(&a.section.name)),
                }];
                categories.extend(a.tags.iter().map(|t| Category {
                    term: xml_safe(&t.slug),
                    scheme: Some(format!("{}/tags", self.api)),
                    label: Some(xml_safe(&t.name)),
                }));
                Entry {
                    title: Text::plain(xml_safe(&a.title)),
                    id: item.id.clone(),
                    updated: item.updated.fixed_offset(),
                    published: Some(a.published_at.fixed_offset()),
                    authors: credits(a)
                        .into_iter()
                        .map(|name| Person {
                            name: xml_safe(&name),
                            ..Default::default()
                        })
                        .collect(),
                    categories,
                    links: vec![link(&a.canonical_url, "alternate", "text/html")],
                    summary: Some(Text::plain(xml_safe(&a.summary))),
                    content: a.body_html.as_deref().map(|html| Content {
                        value: Some(xml_safe(html)),
                        content_type: Some("html".to_string()),
                        lang: Some(a.language.clone()),
                        ..Default::default()
                    }),
                    ..Default::default()
                }
            })
            .collect();
        let feed = atom_syndication::Feed {
            title: Text::plain(xml_safe(&self.title)),
            subtitle: Some(Text::plain(xml_safe(&self.description))),
            id: self.self_url.clone(),
            updated: self.updated.unwrap_or(DateTime::UNIX_EPOCH).fixed_offset(),
            authors: vec![Person {
                name: SITE_NAME.to_string(),
                uri: Some(self.home.clone()),
                ..Default::default()
            }],
            generator: Some(Generator {
                value: GENERATOR.to_string(),
                ..Default::default()
            }),
            links: vec![
                link(&self.self_url, "self", "application/atom+xml"),
                link(&self.home, "alternate", "text/html"),
            ],
            lang: Some(FEED_LANGUAGE.to_string()),
            entries,
            ..Default::default()
        };
        feed.write_to(Vec::with_capacity(self.expected_len()))
            .map_err(|e| AppError::Internal(format!("Atom: {e}")))
    }

    /// The JSON Feed 1.1 document.
    fn into_json_feed(self) -> JsonFeed {
        let items = self
            .items
            .into_iter()
            .map(|item| {
                let a = item.article;
                let authors = credits(&a)
                    .into_iter()
                    .map(|name| JsonFeedAuthor { name, url: None })
                    .collect();
                let mut tags = vec![a.section.name.clone()];
                tags.extend(a.tags.into_iter().map(|t| t.name));
                JsonFeedItem {
                    id: item.id,
                    url: a.canonical_url,
                    title: a.title,
                    summary: a.summary,
                    content_html: a.body_html.unwrap_or_default(),
                    image: a.image.map(|i| i.url),
                    date_published: a.published_at,
                    date_modified: item.updated,
                    authors,
                    tags,
                    language: a.language,
                    khabar: JsonFeedItemExtension {
                        article_id: a.id,
                        byline: a.byline,
                        section: a.section,
                    },
                }
            })
            .collect();
        JsonFeed {
            version: JSON_FEED_VERSION.to_string(),
            title: self.title,
            description: self.description,
            home_page_url: self.home.clone(),
            feed_url: self.self_url,
            language: FEED_LANGUAGE.to_string(),
            authors: vec![JsonFeedAuthor {
                name: SITE_NAME.to_string(),
                url: Some(self.home),
            }],
            items,
        }
    }
}

/// Who an article is credited to: its authors in credit order, else its
/// byline, else the site.
fn credits(a: &ArticleDto) -> Vec<String> {
    if !a.authors.is_empty() {
        a.authors.iter().map(|au| au.name.clone()).collect()
    } else if !a.byline.trim().is_empty() {
        vec![a.byline.clone()]
    } else {
        vec![SITE_NAME.to_string()]
    }
}

/// The filters in words, for the title: the section's and tag's names (as
/// the items show them; the slug when the feed is empty), the author, the
/// search.
fn describe_filters(params: &FeedParams, raw_q: Option<&str>, items: &[FeedItem]) -> String {
    let first = items.first().map(|i| &i.article);
    let mut parts = Vec::new();
    if let Some(slug) = &params.section {
        parts.push(
            first
                .map(|a| a.section.name.clone())
                .unwrap_or_else(|| slug.clone()),
        );
    }
    if let Some(slug) = &params.tag {
        let name = first
            .and_then(|a| a.tags.iter().find(|t| &t.slug == slug))
            .map_or_else(|| slug.clone(), |t| t.name.clone());
        parts.push(format!("وسم {name}"));
    }
    if let Some(id) = params.author {
        let name = first
            .and_then(|a| a.authors.iter().find(|au| au.id == id))
            .map_or_else(|| id.to_string(), |au| au.name.clone());
        parts.push(format!("بقلم {name}"));
    }
    if let (Some(_), Some(q)) = (&params.search, raw_q) {
        parts.push(format!("بحث «{q}»"));
    }
    parts.join(" · ")
}

/// One Atom-namespace element (`atom:NAME`) as an RSS extension.
fn atom_extension(
    name: &str,
    value: Option<String>,
    attrs: &[(&str, &str)],
) -> rss::extension::ExtensionMap {
    let name = format!("atom:{name}");
    let element = rss::extension::Extension {
        name: name.clone(),
        value,
        attrs: attrs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        children: BTreeMap::new(),
    };
    BTreeMap::from([("atom".to_string(), BTreeMap::from([(name, vec![element])]))])
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// Whether XML 1.0 allows `c` in a document.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Whether XML 1.0 can carry all of `text`, by its bytes: a C0 control is
/// one byte below 0x20, U+FFFE and U+FFFF are `EF BF BE` and `EF BF BF`
/// (a `str` holds no surrogates). Decoding every character of every body
/// to check it was 8% of a feed's CPU.
fn is_xml_text(text: &str) -> bool {
    let bytes = text.as_bytes();
    // No early exit: the compiler checks 32 bytes at a time.
    let control = bytes.iter().fold(false, |found, &b| {
        found | (b < 0x20 && b != b'\t' && b != b'\n' && b != b'\r')
    });
    // Arabic has no 0xEF byte: `memchr` skips through it.
    !control
        && !memchr::memchr_iter(0xEF, bytes).any(|i| {
            bytes.get(i + 1) == Some(&0xBF) && matches!(bytes.get(i + 2), Some(0xBE | 0xBF))
        })
}

/// `text` without the characters XML 1.0 cannot carry (C0 controls other
/// than tab and line ends, U+FFFE, U+FFFF). The API refuses them in every
/// field it writes, but a row written another way (an import, a manual
/// fix) may hold one, and a single one would make the whole document
/// unreadable to every subscriber.
fn xml_safe(text: &str) -> String {
    if is_xml_text(text) {
        text.to_string()
    } else {
        text.chars().filter(|c| is_xml_char(*c)).collect()
    }
}

/// A JSON Feed 1.1 document (<https://www.jsonfeed.org/version/1.1/>).
#[derive(Debug, Serialize, ToSchema)]
pub struct JsonFeed {
    /// The JSON Feed version: `https://jsonfeed.org/version/1.1`.
    #[schema(example = "https://jsonfeed.org/version/1.1")]
    pub version: String,
    /// The feed's title: the site's name, and the filters when there are any.
    #[schema(example = "خبر — سياسة")]
    pub title: String,
    /// What the feed holds.
    pub description: String,
    /// The site (`KHABAR_PUBLIC_URL`).
    #[schema(example = "https://khabar.example")]
    pub home_page_url: String,
    /// This feed's own address (absolute, with its query).
    #[schema(example = "https://khabar.example/api/v1/feeds/json?section=politics")]
    pub feed_url: String,
    /// The feed's language: `ar`.
    #[schema(example = "ar")]
    pub language: String,
    /// Who publishes the feed: the site.
    pub authors: Vec<JsonFeedAuthor>,
    /// The articles, newest first.
    pub items: Vec<JsonFeedItem>,
}

/// An author of a JSON Feed or of one of its items.
#[derive(Debug, Serialize, ToSchema)]
pub struct JsonFeedAuthor {
    /// The name as credited.
    #[schema(example = "فريق ماسة")]
    pub name: String,
    /// A web address, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// One article of a JSON Feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct JsonFeedItem {
    /// Permanent id: the article's API address by number (unchanged when
    /// its slug changes).
    #[schema(example = "https://khabar.example/api/v1/articles/1")]
    pub id: String,
    /// The article's canonical web address.
    pub url: String,
    /// Headline.
    #[schema(example = "وزير الدفاع الإيراني من موسكو: تعزيز التعاون ضروري وحتمي")]
    pub title: String,
    /// The lead paragraph (plain text).
    pub summary: String,
    /// The whole body as sanitised HTML.
    pub content_html: String,
    /// The lead image's address, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Publication time (RFC 3339, UTC).
    pub date_published: DateTime<Utc>,
    /// Last change (RFC 3339, UTC): the last edit, or the publication when later.
    pub date_modified: DateTime<Utc>,
    /// Credited authors in credit order; the byline when none is credited.
    pub authors: Vec<JsonFeedAuthor>,
    /// The section's name, then the tags' names.
    #[schema(example = json!(["سياسة", "إيران", "روسيا"]))]
    pub tags: Vec<String>,
    /// The article's language (ISO 639).
    #[schema(example = "ar")]
    pub language: String,
    /// khabar's own fields (a JSON Feed extension).
    #[serde(rename = "_khabar")]
    pub khabar: JsonFeedItemExtension,
}

/// khabar's extension of a JSON Feed item.
#[derive(Debug, Serialize, ToSchema)]
pub struct JsonFeedItemExtension {
    /// The article's id (`GET /articles/{id}`).
    #[schema(example = 1)]
    pub article_id: i64,
    /// The byline as printed.
    #[schema(example = "فريق ماسة")]
    pub byline: String,
    /// The article's section.
    pub section: SectionRef,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_safe_drops_only_what_xml_cannot_carry() {
        assert_eq!(xml_safe("خبر\tعاجل\n"), "خبر\tعاجل\n");
        assert_eq!(xml_safe("a\u{1}b\u{0}c\u{FFFE}d"), "abcd");
        assert_eq!(xml_safe("\u{1F4F0} \u{E000}"), "\u{1F4F0} \u{E000}");
        assert_eq!(xml_safe("a\u{FFFF}b\u{FFFD}\u{EFBF}"), "ab\u{FFFD}\u{EFBF}");
        assert_eq!(xml_safe("\r\u{1F}\u{7F}"), "\r\u{7F}");
    }

    #[test]
    fn the_byte_check_agrees_with_the_character_check() {
        let samples = [
            "خبر عاجل",
            "a\u{1}",
            "\u{FFFE}",
            "\u{FFFF}x",
            "\u{FFFD}",
            "\u{EFBF}\u{BFBE}",
            "\u{F0000}",
            "\u{D7FF}\u{E000}",
            "tab\there",
            "\u{0}",
            "\u{10FFFF}",
            "ok\u{FFEF}",
        ];
        for sample in samples {
            assert_eq!(
                is_xml_text(sample),
                sample.chars().all(is_xml_char),
                "{sample:?}"
            );
        }
    }

    #[test]
    fn atom_extensions_are_namespaced_elements() {
        let map = atom_extension("link", None, &[("rel", "self")]);
        let element = &map["atom"]["atom:link"][0];
        assert_eq!(element.name, "atom:link");
        assert_eq!(element.attrs["rel"], "self");
    }
}
