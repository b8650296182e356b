//! The feeds (RSS 2.0, Atom 1.0, JSON Feed 1.1), read back with an
//! independent parser (`feed-rs`) and compared with the article list.

use feed_rs::model::{Entry, Feed, FeedType};
use khabar::domain::role::Role;
use khabar::seed::SeedArticle;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{assert_problem, spawn_with, Call, Spawn, TestApp};

/// Where the test apps say they live (`KHABAR_PUBLIC_URL`).
const PUBLIC_URL: &str = "https://akhbar.test";
const SEED_TITLE: &str = "وزير الدفاع الإيراني من موسكو: تعزيز التعاون ضروري وحتمي";

/// Path, media type and what `feed-rs` recognises.
const FORMATS: [(&str, &str, FeedType); 3] = [
    (
        "/api/v1/feeds/rss",
        "application/rss+xml; charset=utf-8",
        FeedType::RSS2,
    ),
    (
        "/api/v1/feeds/atom",
        "application/atom+xml; charset=utf-8",
        FeedType::Atom,
    ),
    (
        "/api/v1/feeds/json",
        "application/feed+json; charset=utf-8",
        FeedType::JSON,
    ),
];

/// An app with the seed article and `demo` generated ones, at `PUBLIC_URL`.
async fn app_with(demo: usize) -> TestApp {
    spawn_with(Spawn {
        demo_articles: Some(demo),
        settings: |s| s.public_url = PUBLIC_URL.to_string(),
        ..Spawn::default()
    })
    .await
}

/// GETs a feed, checks status and media type, and parses it back.
async fn read_feed(app: &TestApp, path: &str, media_type: &str) -> (Feed, String) {
    let res = app.get(path).await;
    let status = res.status().as_u16();
    let content_type = res.headers()["content-type"].to_str().unwrap().to_string();
    let body = res.text().await.unwrap();
    assert_eq!(status, 200, "GET {path}: {body}");
    assert_eq!(content_type, media_type, "GET {path}");
    let feed = feed_rs::parser::parse(body.as_bytes())
        .unwrap_or_else(|e| panic!("GET {path} does not parse ({e}): {body}"));
    (feed, body)
}

/// The public articles the list gives for `query`, newest first (id, title,
/// canonical URL), at most 100.
async fn listed(app: &TestApp, query: &str) -> Vec<(i64, String, String)> {
    let sep = if query.is_empty() { "" } else { "&" };
    let body = app
        .get_json(
            &format!("/api/v1/articles?per_page=100&sort=newest{sep}{query}"),
            200,
        )
        .await;
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["id"].as_i64().unwrap(),
                a["title"].as_str().unwrap().to_string(),
                a["canonical_url"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// An entry's article id, from its permanent id (the article's API address).
fn article_id(entry: &Entry) -> i64 {
    entry
        .id
        .strip_prefix(&format!("{PUBLIC_URL}/api/v1/articles/"))
        .unwrap_or_else(|| panic!("entry id {:?} is not an article address", entry.id))
        .parse()
        .unwrap()
}

fn ids(feed: &Feed) -> Vec<i64> {
    feed.entries.iter().map(article_id).collect()
}

fn title(entry: &Entry) -> &str {
    &entry.title.as_ref().expect("entry has a title").content
}

#[tokio::test]
async fn every_format_parses_back_with_the_latest_articles_newest_first() {
    let app = app_with(12).await;
    let expected = listed(&app, "").await;
    assert!(expected.len() > 5, "the corpus has articles");
    assert!(expected.len() < 50, "all of them fit the default limit");
    for (path, media_type, kind) in FORMATS {
        let (feed, _) = read_feed(&app, path, media_type).await;
        assert_eq!(feed.feed_type, kind, "{path}");
        assert_eq!(feed.language.as_deref(), Some("ar"), "{path}");
        assert_eq!(feed.title.as_ref().unwrap().content, "خبر", "{path}");
        // Absolute links from KHABAR_PUBLIC_URL, its own address among them.
        // (feed-rs writes a bare origin with its `/`.)
        let links: Vec<&str> = feed
            .links
            .iter()
            .map(|l| l.href.trim_end_matches('/'))
            .collect();
        assert!(links.contains(&PUBLIC_URL), "{path}: {links:?}");
        assert!(
            links.contains(&format!("{PUBLIC_URL}{path}").as_str()),
            "{path}: {links:?}"
        );
        assert_eq!(feed.entries.len(), expected.len(), "{path}");
        for (entry, (id, title_listed, canonical)) in feed.entries.iter().zip(&expected) {
            assert_eq!(article_id(entry), *id, "{path}: same order as the list");
            assert_eq!(title(entry), title_listed, "{path}");
            assert_eq!(entry.links[0].href, *canonical, "{path}");
            assert!(entry.links[0].href.starts_with(PUBLIC_URL), "{path}");
            assert!(entry.published.is_some(), "{path}");
            assert!(entry.updated >= entry.published, "{path}");
            let body = entry.content.as_ref().and_then(|c| c.body.as_deref());
            assert!(body.is_some_and(|b| b.starts_with("<p>")), "{path}");
            assert!(!entry.authors.is_empty(), "{path}");
            assert!(!entry.categories.is_empty(), "{path}");
        }
        // The feed's date is its newest change.
        let newest = feed.entries.iter().filter_map(|e| e.updated).max();
        if kind != FeedType::JSON {
            // (JSON Feed has no date of its own.)
            assert_eq!(feed.updated, newest, "{path}");
        }
    }
}

#[tokio::test]
async fn the_seed_article_round_trips_exactly_in_every_format() {
    let app = app_with(3).await;
    let seed = SeedArticle::fixture();
    let article = app.get_json("/api/v1/articles/1", 200).await["data"].clone();
    assert_eq!(article["title"], SEED_TITLE);
    let published: chrono::DateTime<chrono::Utc> =
        article["published_at"].as_str().unwrap().parse().unwrap();
    let expected_html: String = seed
        .all_paragraphs()
        .iter()
        .map(|p| format!("<p>{p}</p>"))
        .collect();
    assert_eq!(article["body_html"], expected_html.as_str());
    for (path, media_type, kind) in FORMATS {
        let (feed, raw) = read_feed(&app, path, media_type).await;
        let entry = feed
            .entries
            .iter()
            .find(|e| article_id(e) == 1)
            .unwrap_or_else(|| panic!("{path} has the seed article"));
        assert_eq!(title(entry), SEED_TITLE, "{path}");
        assert_eq!(
            entry.summary.as_ref().unwrap().content,
            seed.lead,
            "{path}: the lead as the summary"
        );
        let content = entry.content.as_ref().unwrap();
        assert_eq!(
            content.body.as_deref(),
            Some(expected_html.as_str()),
            "{path}: the sanitised body, byte for byte"
        );
        assert_eq!(
            entry.links[0].href,
            article["canonical_url"].as_str().unwrap(),
            "{path}"
        );
        assert_eq!(entry.published, Some(published), "{path}");
        let authors: Vec<&str> = entry.authors.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(authors, ["فريق ماسة"], "{path}: the byline");
        // The section, then the tags.
        let names: Vec<&str> = entry
            .categories
            .iter()
            .map(|c| c.label.as_deref().unwrap_or(c.term.as_str()))
            .collect();
        assert_eq!(names[0], "سياسة", "{path}: {names:?}");
        assert!(
            names.contains(&"إيران") && names.contains(&"روسيا"),
            "{path}: {names:?}"
        );
        if kind == FeedType::Atom {
            assert_eq!(entry.categories[0].term, "politics");
        }
        // Arabic is sent as UTF-8 text, not as character references.
        assert!(raw.contains(SEED_TITLE), "{path}");
    }
    // JSON Feed: the byline and the section in khabar's extension, and the
    // version and item language of 1.1.
    let json_feed = app.get_json("/api/v1/feeds/json", 200).await;
    assert_eq!(json_feed["version"], "https://jsonfeed.org/version/1.1");
    assert_eq!(
        json_feed["feed_url"],
        format!("{PUBLIC_URL}/api/v1/feeds/json")
    );
    let item = json_feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["_khabar"]["article_id"] == 1)
        .unwrap();
    assert_eq!(item["_khabar"]["byline"], "فريق ماسة");
    assert_eq!(item["_khabar"]["section"]["slug"], "politics");
    assert_eq!(item["language"], "ar");
    assert_eq!(item["url"], article["canonical_url"]);
}

#[tokio::test]
async fn filters_narrow_the_items_as_they_narrow_the_list() {
    let app = app_with(20).await;
    let all = ids(&read_feed(&app, FORMATS[0].0, FORMATS[0].1).await.0);
    // The seed article's words; an author credited on some article.
    let author = app.get_json("/api/v1/articles?per_page=100", 200).await["data"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|a| a["authors"][0]["id"].as_i64())
        .expect("some article credits an author");
    let search = "q=%D8%B4%D9%88%D9%8A%D8%BA%D9%88"; // شويغو
    for query in [
        "section=politics".to_string(),
        "tag=iran".to_string(),
        format!("author={author}"),
        search.to_string(),
        format!("section=politics&{search}"),
    ] {
        let expected: Vec<i64> = listed(&app, &query)
            .await
            .into_iter()
            .map(|(id, ..)| id)
            .collect();
        assert!(!expected.is_empty(), "{query}");
        assert!(expected.len() < all.len(), "{query} narrows");
        for (path, media_type, _) in FORMATS {
            let (feed, _) = read_feed(&app, &format!("{path}?{query}"), media_type).await;
            assert_eq!(ids(&feed), expected, "{path}?{query}");
            let feed_title = &feed.title.as_ref().unwrap().content;
            assert!(
                feed_title.starts_with("خبر — "),
                "{path}?{query}: the title names the filter: {feed_title}"
            );
        }
    }
    // A search stays chronological (the list ranks by relevance by default).
    let (feed, _) = read_feed(&app, &format!("/api/v1/feeds/atom?{search}"), FORMATS[1].1).await;
    let times: Vec<_> = feed.entries.iter().map(|e| e.published).collect();
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted);
    assert!(ids(&feed).contains(&1));
    // An unknown section or tag is an empty feed, still a valid one.
    for (path, media_type, _) in FORMATS {
        for query in ["section=no-such-section", "tag=no-such-tag"] {
            let (feed, _) = read_feed(&app, &format!("{path}?{query}"), media_type).await;
            assert!(feed.entries.is_empty(), "{path}?{query}");
        }
    }
}

#[tokio::test]
async fn limit_takes_the_newest_and_defaults_to_fifty() {
    let app = app_with(60).await;
    let expected: Vec<i64> = listed(&app, "")
        .await
        .into_iter()
        .map(|(id, ..)| id)
        .collect();
    assert!(
        expected.len() > 50,
        "more published articles than the default"
    );
    for (path, media_type, _) in FORMATS {
        let (feed, _) = read_feed(&app, path, media_type).await;
        assert_eq!(ids(&feed), expected[..50], "{path}");
        let (feed, _) = read_feed(&app, &format!("{path}?limit=3"), media_type).await;
        assert_eq!(ids(&feed), expected[..3], "{path}?limit=3");
        let (feed, _) = read_feed(&app, &format!("{path}?limit=100"), media_type).await;
        assert_eq!(ids(&feed), expected, "{path}?limit=100");
    }
}

#[tokio::test]
async fn bad_parameters_are_problems_listing_every_bad_field() {
    let app = app_with(0).await;
    for (path, ..) in FORMATS {
        for (query, field) in [
            ("limit=0", "limit"),
            ("limit=101", "limit"),
            ("limit=ten", "limit"),
            ("limit=-1", "limit"),
            ("author=0", "author"),
            ("author=x", "author"),
            ("section=", "section"),
            ("tag=", "tag"),
            ("q=%21%21%21", "q"),
            ("q=-word", "q"),
        ] {
            let body = assert_problem(
                app.get(&format!("{path}?{query}")).await,
                400,
                "invalid_parameters",
            )
            .await;
            assert_eq!(body["errors"][0]["field"], field, "{path}?{query}: {body}");
        }
        let body = assert_problem(
            app.get(&format!("{path}?limit=0&author=x&q=%21")).await,
            400,
            "invalid_parameters",
        )
        .await;
        let mut fields: Vec<&str> = body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        fields.sort_unstable();
        assert_eq!(fields, ["author", "limit", "q"], "{path}: {body}");
        // A token that is not valid is refused, never ignored.
        let unknown = khabar::domain::token::from_secret(&[9u8; 32]);
        let res = app.send(Call::new(Method::GET, path).token(&unknown)).await;
        assert_problem(res, 401, "token_invalid").await;
    }
}

#[tokio::test]
async fn feeds_carry_etags_and_answer_304_until_an_article_changes() {
    let app = app_with(3).await;
    for (path, media_type, _) in FORMATS {
        let res = app.get(path).await;
        assert_eq!(res.status().as_u16(), 200);
        let etag = res.headers()["etag"].to_str().unwrap().to_string();
        assert!(etag.starts_with("\"h"), "{path}: a strong tag: {etag}");
        let cache_control = res.headers()["cache-control"].to_str().unwrap();
        assert!(cache_control.starts_with("public, max-age="), "{path}");
        assert_eq!(res.headers()["content-type"], media_type);
        // The same bytes, the same tag.
        let again = app.get(path).await;
        assert_eq!(again.headers()["etag"].to_str().unwrap(), etag, "{path}");
        let res = app
            .client
            .get(format!("{}{path}", app.address))
            .header("If-None-Match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 304, "{path}");
        assert_eq!(res.headers()["etag"].to_str().unwrap(), etag, "{path}");
        assert!(res.bytes().await.unwrap().is_empty(), "{path}: no body");
        // Another query is another answer.
        let other = app.get(&format!("{path}?limit=1")).await;
        assert_ne!(other.headers()["etag"].to_str().unwrap(), etag, "{path}");
    }
    // A new article: every feed changes, and so does its tag.
    let before: Vec<String> = {
        let mut tags = Vec::new();
        for (path, ..) in FORMATS {
            tags.push(
                app.get(path).await.headers()["etag"]
                    .to_str()
                    .unwrap()
                    .to_string(),
            );
        }
        tags
    };
    let editor = app.token(Role::Editor);
    let made = app
        .create_article(
            &editor,
            json!({"title": "خبر عاجل من حلب", "section_id": 1, "body_html": "<p>نص الخبر</p>", "status": "published"}),
        )
        .await;
    for ((path, media_type, _), old) in FORMATS.iter().zip(&before) {
        let res = app
            .client
            .get(format!("{}{path}", app.address))
            .header("If-None-Match", old)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 200, "{path}: changed");
        assert_ne!(res.headers()["etag"].to_str().unwrap(), old, "{path}");
        let body = res.text().await.unwrap();
        let feed = feed_rs::parser::parse(body.as_bytes()).unwrap();
        assert_eq!(article_id(&feed.entries[0]), made["id"].as_i64().unwrap());
        assert_eq!(
            title(&feed.entries[0]),
            "خبر عاجل من حلب",
            "{path} {media_type}"
        );
    }
}

#[tokio::test]
async fn cached_feeds_keep_their_media_type_and_never_outlive_an_edit() {
    let app = spawn_with(Spawn {
        demo_articles: Some(3),
        cache_ttl: std::time::Duration::from_secs(60),
        ..Spawn::default()
    })
    .await;
    for (path, media_type, _) in FORMATS {
        let mut states = Vec::new();
        let mut bodies = Vec::new();
        for _ in 0..3 {
            let res = app.get(path).await;
            assert_eq!(res.headers()["content-type"], media_type, "{path}");
            states.push(res.headers()["x-cache"].to_str().unwrap().to_string());
            bodies.push(res.text().await.unwrap());
        }
        assert_eq!(states.last().unwrap(), "hit", "{path}: {states:?}");
        assert!(bodies.windows(2).all(|w| w[0] == w[1]), "{path}");
    }
    // An edit of an article the feeds show: no cached feed shows the old title.
    let editor = app.token(Role::Editor);
    let (_, etag) = app.editor_view(&editor, 1).await;
    app.send_json(
        Call::new(Method::PATCH, "/api/v1/articles/1")
            .token(&editor)
            .if_match(etag)
            .json(json!({"title": "عنوان جديد للمقال"})),
        200,
    )
    .await;
    for (path, media_type, _) in FORMATS {
        let (feed, _) = read_feed(&app, path, media_type).await;
        let seed = feed.entries.iter().find(|e| e.id.ends_with("/articles/1"));
        assert_eq!(title(seed.unwrap()), "عنوان جديد للمقال", "{path}");
    }
}

#[tokio::test]
async fn markup_in_the_text_cannot_break_the_xml() {
    let app = app_with(0).await;
    let editor = app.token(Role::Editor);
    let headline = "أسعار <الذهب> & \"الفضة\" ]]> اليوم";
    let made: Value = app
        .create_article(
            &editor,
            json!({
                "title": headline,
                "summary": "ملخص فيه < و & و ]]>",
                "body_html": "<p>سطر أول &amp; <b>غامق</b> <a href=\"https://example.com/\" title=\"&quot;x&quot;\">رابط</a></p>",
                "section_id": 1,
                "status": "published",
            }),
        )
        .await;
    let public = app
        .get_json(&format!("/api/v1/articles/{}", made["id"]), 200)
        .await;
    let stored_title = public["data"]["title"].as_str().unwrap();
    let summary = public["data"]["summary"].as_str().unwrap();
    let body_html = public["data"]["body_html"].as_str().unwrap();
    for (path, media_type, kind) in FORMATS {
        let (feed, _) = read_feed(&app, path, media_type).await;
        let entry = &feed.entries[0];
        assert_eq!(title(entry), stored_title, "{path}");
        let got = &entry.summary.as_ref().unwrap().content;
        if kind == FeedType::RSS2 {
            // RSS's `description` is HTML: the lead arrives escaped.
            assert_eq!(html_escape::decode_html_entities(got), summary, "{path}");
        } else {
            assert_eq!(got, summary, "{path}");
        }
        let got = entry.content.as_ref().unwrap().body.as_deref().unwrap();
        assert_eq!(got, body_html, "{path}");
    }
}
