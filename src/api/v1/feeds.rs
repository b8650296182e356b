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
use std::sync::Arc;

use actix_web::web::Bytes;
use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::auth::Caller;
use crate::api::cache::Scope;
use crate::api::feed_items::FeedFragment;
use crate::api::v1::dto::{ArticleDto, SectionRef};
use crate::api::v1::links::page_link;
use crate::api::v1::params::{FeedParams, FeedQuery};
use crate::api::v1::responses::Unavailable;
use crate::api::AppState;
use crate::error::{AppError, Problem};
use crate::repo::articles::ArticleStamp;
use crate::service::articles::{self, ArticleView};
use crate::service::feeds::{self, FeedRequest};
use crate::service::taxonomy::Taxonomy;

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
/// The namespace of the items' `content:encoded` (the rss crate declares it
/// only when an item is in the channel it writes).
const CONTENT_NAMESPACE: &str = "http://purl.org/rss/1.0/modules/content/";
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

/// One feed answer: from the answer cache, or read and written from items
/// rendered once per article edit (see [`crate::api::feed_items`]).
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
    let taxonomy_cache = state.taxonomy.clone();
    let kept = state.feed_items.clone();
    let now = crate::service::now();
    let found = state
        .db
        .read(move |conn| {
            let stamps = feeds::latest(conn, &taxonomy_cache, &request, now)?;
            let taxonomy = taxonomy_cache.snapshot(conn, |_| true)?;
            let rendered: Vec<Option<Arc<FeedFragment>>> = stamps
                .iter()
                .map(|s| kept.get(s.id, format as u8, s.updated_at, taxonomy.serial))
                .collect();
            let missing: Vec<i64> = stamps
                .iter()
                .zip(&rendered)
                .filter(|(_, r)| r.is_none())
                .map(|(s, _)| s.id)
                .collect();
            if kept.enabled() {
                crate::api::metrics::count_item_lookups(
                    "feed_items",
                    rendered.len() - missing.len(),
                    missing.len(),
                );
            }
            let unrendered = articles::views_with_html_by_ids(conn, &taxonomy_cache, &missing)?;
            Ok::<_, crate::service::ServiceError>(Found {
                stamps,
                rendered,
                unrendered,
                taxonomy,
            })
        })
        .await?;
    let Found {
        stamps,
        rendered,
        unrendered,
        taxonomy,
    } = found;
    let home = state.settings.public_url.trim_end_matches('/').to_string();
    let api = format!("{home}/api/v1");
    let mut fresh = std::collections::HashMap::new();
    for view in unrendered {
        let id = view.article.id;
        let edit = view.article.updated_at;
        let a = &view.article;
        let updated = feeds::changed_at(a.published_at, a.created_at, a.updated_at).and_utc();
        let article = ArticleDto::from_view(view, &state.settings, now);
        let item = FeedItem {
            id: format!("{api}/articles/{id}"),
            article,
            updated,
        };
        let bytes = render_item(format, &api, item)?;
        let fragment = state
            .feed_items
            .keep(id, format as u8, edit, taxonomy.serial, bytes);
        fresh.insert(id, fragment);
    }
    let mut shown = Vec::with_capacity(stamps.len());
    let mut items = Vec::with_capacity(stamps.len());
    for (stamp, kept) in stamps.iter().zip(rendered) {
        // An article that went away between the two reads is left out.
        if let Some(item) = kept.or_else(|| fresh.remove(&stamp.id)) {
            shown.push(stamp.id);
            items.push(item);
        }
    }
    let updated = stamps
        .iter()
        .filter(|s| shown.contains(&s.id))
        .map(|s| feeds::changed_at(s.published_at, s.created_at, s.updated_at))
        .max()
        .map(|t| t.and_utc());
    let filters = describe_filters(&params, raw_q.as_deref(), &taxonomy, !items.is_empty());
    let (title, description) = if filters.is_empty() {
        (SITE_NAME.to_string(), format!("آخر ما نُشر في {SITE_NAME}"))
    } else {
        (
            format!("{SITE_NAME} — {filters}"),
            format!("آخر ما نُشر في {SITE_NAME}: {filters}"),
        )
    };
    let feed = Feed {
        title,
        description,
        self_url: format!("{home}{}", page_link(req.path(), req.query_string(), &[])),
        home,
        updated,
    };
    let body = feed.document(format, &items)?;
    Ok(state.responses.store_rendered(
        ticket,
        cache_key,
        Scope::List(shown),
        Bytes::from(body),
        format.media_type(),
    ))
}

/// What a feed needs from the database.
struct Found {
    stamps: Vec<ArticleStamp>,
    /// The kept item of each article in this format, where there is one.
    rendered: Vec<Option<Arc<FeedFragment>>>,
    /// The articles not rendered yet (or edited since), with their bodies.
    unrendered: Vec<ArticleView>,
    taxonomy: Arc<Taxonomy>,
}

/// The feed around its items.
struct Feed {
    /// "خبر", with the filters when there are any.
    title: String,
    /// One sentence about the feed.
    description: String,
    /// The site (`KHABAR_PUBLIC_URL`).
    home: String,
    /// This feed's own absolute address.
    self_url: String,
    /// The latest change of any item.
    updated: Option<DateTime<Utc>>,
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

/// Renders one item in `format`: the element (`<item>`, `<entry>`) or the
/// JSON object exactly as the whole document writes it.
fn render_item(format: Format, api: &str, item: FeedItem) -> Result<Vec<u8>, AppError> {
    let cut = |doc: Vec<u8>, open: &[u8], close: &[u8]| -> Result<Vec<u8>, AppError> {
        let start = memchr::memmem::find(&doc, open);
        let end = memchr::memmem::rfind(&doc, close);
        match (start, end) {
            (Some(start), Some(end)) => Ok(doc[start..end + close.len()].to_vec()),
            _ => Err(AppError::Internal(
                "feed item not found in its document".into(),
            )),
        }
    };
    match format {
        Format::Rss => {
            let channel = rss::Channel {
                items: vec![rss_item(&item)],
                ..Default::default()
            };
            let doc = channel
                .write_to(Vec::new())
                .map_err(|e| AppError::Internal(format!("RSS: {e}")))?;
            cut(doc, b"<item>", b"</item>")
        }
        Format::Atom => {
            let feed = atom_syndication::Feed {
                entries: vec![atom_entry(api, &item)],
                ..Default::default()
            };
            let doc = feed
                .write_to(Vec::new())
                .map_err(|e| AppError::Internal(format!("Atom: {e}")))?;
            cut(doc, b"<entry>", b"</entry>")
        }
        Format::Json => serde_json::to_vec(&json_item(item))
            .map_err(|e| AppError::Internal(format!("JSON Feed: {e}"))),
    }
}

/// One article as an RSS item.
fn rss_item(item: &FeedItem) -> rss::Item {
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
}

/// One article as an Atom entry.
fn atom_entry(api: &str, item: &FeedItem) -> atom_syndication::Entry {
    use atom_syndication::{Category, Content, Entry, Person, Text};
    let a = &item.article;
    let mut categories = vec![Category {
        term: xml_safe(&a.section.slug),
        scheme: Some(format!("{api}/sections")),
        label: Some(xml_safe(&a.section.name)),
    }];
    categories.extend(a.tags.iter().map(|t| Category {
        term: xml_safe(&t.slug),
        scheme: Some(format!("{api}/tags")),
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
        links: vec![atom_link(&a.canonical_url, "alternate", "text/html")],
        summary: Some(Text::plain(xml_safe(&a.summary))),
        content: a.body_html.as_deref().map(|html| Content {
            value: Some(xml_safe(html)),
            content_type: Some("html".to_string()),
            lang: Some(a.language.clone()),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn atom_link(href: &str, rel: &str, mime_type: &str) -> atom_syndication::Link {
    atom_syndication::Link {
        href: href.to_string(),
        rel: rel.to_string(),
        mime_type: Some(mime_type.to_string()),
        ..Default::default()
    }
}

/// One article as a JSON Feed item.
fn json_item(item: FeedItem) -> JsonFeedItem {
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
}

impl Feed {
    /// The whole document in `format` around `items` (each rendered by
    /// [`render_item`] in the same format): the document is written with
    /// no items and they are put where its writer puts them, last in the
    /// channel, the feed or the `items` array.
    fn document(&self, format: Format, items: &[Arc<FeedFragment>]) -> Result<Vec<u8>, AppError> {
        let size = items.iter().map(|i| i.bytes.len() + 1).sum::<usize>() + 2048;
        let (shell, close): (Vec<u8>, &[u8]) = match format {
            Format::Rss => (self.rss_shell(!items.is_empty())?, b"</channel>"),
            Format::Atom => (self.atom_shell()?, b"</feed>"),
            Format::Json => (
                serde_json::to_vec(&self.json_shell())
                    .map_err(|e| AppError::Internal(format!("JSON Feed: {e}")))?,
                b"]}",
            ),
        };
        let at = memchr::memmem::rfind(&shell, close)
            .ok_or_else(|| AppError::Internal("feed without its end".into()))?;
        let mut out = Vec::with_capacity(shell.len() + size);
        out.extend_from_slice(&shell[..at]);
        for (i, item) in items.iter().enumerate() {
            if format == Format::Json && i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(&item.bytes);
        }
        out.extend_from_slice(&shell[at..]);
        Ok(out)
    }

    /// The RSS 2.0 document without items (`with_items`: declaring the
    /// namespaces the items use, as the writer does when they are in it).
    fn rss_shell(&self, with_items: bool) -> Result<Vec<u8>, AppError> {
        let mut channel = self.rss_channel();
        if with_items {
            channel
                .namespaces
                .insert("content".to_string(), CONTENT_NAMESPACE.to_string());
            channel.namespaces.insert(
                "dc".to_string(),
                rss::extension::dublincore::NAMESPACE.to_string(),
            );
        }
        channel
            .write_to(Vec::with_capacity(2048))
            .map_err(|e| AppError::Internal(format!("RSS: {e}")))
    }

    /// The RSS 2.0 channel without items.
    fn rss_channel(&self) -> rss::Channel {
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
        channel
    }

    /// The Atom 1.0 document without entries.
    fn atom_shell(&self) -> Result<Vec<u8>, AppError> {
        self.atom_feed()
            .write_to(Vec::with_capacity(2048))
            .map_err(|e| AppError::Internal(format!("Atom: {e}")))
    }

    /// The Atom 1.0 feed without entries.
    fn atom_feed(&self) -> atom_syndication::Feed {
        use atom_syndication::{Generator, Person, Text};
        atom_syndication::Feed {
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
                atom_link(&self.self_url, "self", "application/atom+xml"),
                atom_link(&self.home, "alternate", "text/html"),
            ],
            lang: Some(FEED_LANGUAGE.to_string()),
            ..Default::default()
        }
    }

    /// The JSON Feed 1.1 document without items.
    fn json_shell(&self) -> JsonFeed {
        JsonFeed {
            version: JSON_FEED_VERSION.to_string(),
            title: self.title.clone(),
            description: self.description.clone(),
            home_page_url: self.home.clone(),
            feed_url: self.self_url.clone(),
            language: FEED_LANGUAGE.to_string(),
            authors: vec![JsonFeedAuthor {
                name: SITE_NAME.to_string(),
                url: Some(self.home.clone()),
            }],
            items: Vec::new(),
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
fn describe_filters(
    params: &FeedParams,
    raw_q: Option<&str>,
    taxonomy: &Taxonomy,
    has_items: bool,
) -> String {
    // Names only when the feed shows articles (an empty feed says what was
    // asked for).
    let named = |found: Option<String>, asked: String| {
        if has_items {
            found.unwrap_or(asked)
        } else {
            asked
        }
    };
    let mut parts = Vec::new();
    if let Some(slug) = &params.section {
        let found = taxonomy.sections.values().find(|s| &s.slug == slug);
        parts.push(named(found.map(|s| s.name.clone()), slug.clone()));
    }
    if let Some(slug) = &params.tag {
        let found = taxonomy.tags.values().find(|t| &t.slug == slug);
        let name = named(found.map(|t| t.name.clone()), slug.clone());
        parts.push(format!("وسم {name}"));
    }
    if let Some(id) = params.author {
        let found = taxonomy.authors.get(&id);
        let name = named(found.map(|a| a.name.clone()), id.to_string());
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

    fn feed_item(id: i64, title: &str) -> FeedItem {
        let at = chrono::DateTime::from_timestamp(1_598_090_400 + id, 0).unwrap();
        FeedItem {
            article: ArticleDto {
                id,
                slug: format!("خبر-{id}"),
                title: title.into(),
                summary: "قال \"الوزير\" إن <التعاون> ضروري & حتمي".into(),
                body_html: Some("<p>الفقرة الأولى.</p><p>الثانية &amp; الأخيرة</p>".into()),
                body_text: None,
                language: "ar".into(),
                dir: crate::domain::article::TextDirection::Rtl,
                section: SectionRef {
                    id: 2,
                    slug: "politics".into(),
                    name: "سياسة".into(),
                },
                tags: vec![crate::api::v1::dto::TagRef {
                    slug: "iran".into(),
                    name: "إيران".into(),
                }],
                byline: "فريق ماسة".into(),
                authors: Vec::new(),
                source: None,
                canonical_url: format!("https://khabar.example/articles/{id}"),
                image: None,
                published_at: at,
                updated_at: at,
                view_count: 0,
                comment_count: 0,
                from_archive: false,
                comments_open: true,
                highlight: None,
            },
            id: format!("https://khabar.example/api/v1/articles/{id}"),
            updated: at,
        }
    }

    #[test]
    fn a_feed_written_from_its_items_is_the_feed_written_whole() {
        let feed = Feed {
            title: "خبر — سياسة".into(),
            description: "آخر ما نُشر".into(),
            home: "https://khabar.example".into(),
            self_url: "https://khabar.example/api/v1/feeds/rss?section=politics".into(),
            updated: chrono::DateTime::from_timestamp(1_598_090_500, 0),
        };
        let api = "https://khabar.example/api/v1";
        let titles = ["وزير الدفاع", "عنوان </item></entry>]} آخر"];
        for count in [0, 1, 2] {
            let items = || (1..=count).map(|id| feed_item(id, titles[(id as usize) % 2]));
            for format in [Format::Rss, Format::Atom, Format::Json] {
                let fragments: Vec<Arc<FeedFragment>> = items()
                    .map(|item| {
                        let bytes = render_item(format, api, item).unwrap();
                        crate::api::feed_items::FeedItems::new(0).keep(
                            1,
                            0,
                            Default::default(),
                            0,
                            bytes,
                        )
                    })
                    .collect();
                let spliced = feed.document(format, &fragments).unwrap();
                let whole = match format {
                    Format::Rss => {
                        let mut channel = feed.rss_channel();
                        channel.items = items().map(|i| rss_item(&i)).collect();
                        channel.write_to(Vec::new()).unwrap()
                    }
                    Format::Atom => {
                        let mut doc = feed.atom_feed();
                        doc.entries = items().map(|i| atom_entry(api, &i)).collect();
                        doc.write_to(Vec::new()).unwrap()
                    }
                    Format::Json => {
                        let mut doc = feed.json_shell();
                        doc.items = items().map(json_item).collect();
                        serde_json::to_vec(&doc).unwrap()
                    }
                };
                assert_eq!(
                    String::from_utf8(spliced).unwrap(),
                    String::from_utf8(whole).unwrap(),
                    "{format:?} with {count} items"
                );
            }
        }
    }
}
