//! HTTP caching of public reads: `Cache-Control` for CDNs, strong ETags of
//! the body, 304 on `If-None-Match`; compression by `Accept-Encoding`.

use khabar::domain::role::Role;
use reqwest::Method;
use serde_json::json;

use std::time::Duration;

use crate::helpers::{spawn_app, spawn_beside, spawn_with, Call, Spawn, TestApp};

fn header(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
}

async fn get_with(app: &TestApp, path: &str, name: &str, value: &str) -> reqwest::Response {
    app.client
        .get(format!("{}{}", app.address, path))
        .header(name, value)
        .send()
        .await
        .unwrap()
}

/// `bytes` decoded from the content coding an answer named (`None`: as sent).
fn decoded(coding: Option<&str>, bytes: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    match coding {
        Some("gzip") => {
            flate2::read::GzDecoder::new(bytes)
                .read_to_end(&mut out)
                .unwrap();
        }
        Some("br") => {
            brotli::Decompressor::new(bytes, 4096)
                .read_to_end(&mut out)
                .unwrap();
        }
        None => out = bytes.to_vec(),
        Some(other) => panic!("{other}"),
    }
    out
}

/// One counted view of the article at `path` (a browser's User-Agent).
async fn count_view(app: &TestApp, path: &str) {
    let res = app
        .client
        .post(format!("{}{path}/views", app.address))
        .header(
            "user-agent",
            "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

/// 200 with a tag and CDN caching, then 304 without a body for that tag.
async fn revalidates(app: &TestApp, path: &str) -> String {
    let res = app.get(path).await;
    assert_eq!(res.status(), 200, "{path}");
    assert_eq!(
        header(&res, "cache-control").unwrap(),
        "public, max-age=5, stale-while-revalidate=30",
        "{path}"
    );
    let tag = header(&res, "etag").unwrap_or_else(|| panic!("{path}: no ETag"));
    assert!(
        tag.starts_with("\"h") || tag.starts_with("\"v"),
        "{path}: {tag}"
    );
    let res = get_with(app, path, "if-none-match", &tag).await;
    assert_eq!(res.status(), 304, "{path}");
    assert_eq!(header(&res, "etag").unwrap(), tag);
    assert!(header(&res, "content-encoding").is_none());
    assert!(res.bytes().await.unwrap().is_empty());
    // Another tag: the whole answer.
    let res = get_with(app, path, "if-none-match", "\"h0000000000000000\"").await;
    assert_eq!(res.status(), 200, "{path}");
    tag
}

#[tokio::test]
async fn every_public_read_revalidates_to_304() {
    let app = spawn_app().await;
    let id = app.published_ids()[0];
    let year = chrono::Utc::now().format("%Y").to_string();
    for path in [
        "/api/v1/articles".to_string(),
        format!("/api/v1/articles/{id}"),
        "/api/v1/articles?q=%D9%88%D8%B2%D9%8A%D8%B1".to_string(),
        "/api/v1/archive".to_string(),
        format!("/api/v1/archive/{year}"),
        "/api/v1/sections".to_string(),
        "/api/v1/sections/politics".to_string(),
        "/api/v1/tags".to_string(),
        "/api/v1/authors".to_string(),
        "/api/v1/most-viewed".to_string(),
        format!("/api/v1/articles/{id}/comments"),
    ] {
        revalidates(&app, &path).await;
    }
}

#[tokio::test]
async fn an_edit_or_a_view_changes_the_tag() {
    let app = spawn_app().await;
    let editor = app.token(Role::Editor);
    let id = app.published_ids()[0];
    let path = format!("/api/v1/articles/{id}");
    let first = revalidates(&app, &path).await;
    // The public tag names the version: it serves as If-Match.
    let etag = first.clone();
    assert!(etag.starts_with("\"v1-h"), "{etag}");
    app.send_json(
        Call::new(Method::PATCH, path.clone())
            .token(&editor)
            .json(json!({"title": "عنوان جديد للخبر"}))
            .if_match(etag),
        200,
    )
    .await;
    let res = get_with(&app, &path, "if-none-match", &first).await;
    assert_eq!(res.status(), 200);
    let second = header(&res, "etag").unwrap();
    assert_ne!(first, second);
    // A counted view changes `view_count`, so the tag too.
    count_view(&app, &path).await;
    let res = get_with(&app, &path, "if-none-match", &second).await;
    assert_eq!(res.status(), 200);
    // Editors' answers stay private, with the version's tag.
    let res = app
        .send(Call::new(Method::GET, path.clone()).token(&editor))
        .await;
    assert_eq!(header(&res, "cache-control").unwrap(), "private, no-store");
    assert_eq!(header(&res, "etag").unwrap(), "\"v2\"");
    // Errors are not cached.
    let res = app.get("/api/v1/articles/99999999").await;
    assert_eq!(res.status(), 404);
    assert_eq!(header(&res, "cache-control").unwrap(), "no-store");
}

#[tokio::test]
async fn answers_are_compressed_as_asked_and_small_ones_not() {
    let app = spawn_app().await;
    let path = "/api/v1/articles?per_page=50";
    for (asked, got) in [
        ("gzip", Some("gzip")),
        ("br", Some("br")),
        ("identity", None),
    ] {
        let res = get_with(&app, path, "accept-encoding", asked).await;
        assert_eq!(res.status(), 200);
        assert_eq!(header(&res, "content-encoding").as_deref(), got, "{asked}");
        let vary: Vec<String> = res
            .headers()
            .get_all("vary")
            .iter()
            .map(|v| v.to_str().unwrap().to_lowercase())
            .collect();
        assert!(
            vary.iter().any(|v| v.contains("accept-encoding")),
            "{asked}: {vary:?}"
        );
    }
    // A small answer is sent as it is.
    let res = get_with(&app, "/healthz", "accept-encoding", "gzip").await;
    assert!(header(&res, "content-encoding").is_none());
    // The tag is of the JSON, whatever the encoding: a gzip client revalidates.
    let tag = header(&app.get(path).await, "etag").unwrap();
    let res = app
        .client
        .get(format!("{}{}", app.address, path))
        .header("accept-encoding", "gzip")
        .header("if-none-match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 304);
    assert!(header(&res, "content-encoding").is_none());
}

/// Apps ask for gzip, browsers for brotli as well: a story is gzipped on the
/// worker when it misses, and sent from the cache's spliced gzip form on
/// hits (also to browsers, whose brotli would be made again for every new
/// count), and every form decodes to the JSON an identity client reads, with
/// the live view count.
#[tokio::test]
async fn gzip_answers_decode_to_the_json_on_misses_and_on_hits_with_new_counts() {
    let app = spawn_with(Spawn {
        demo_articles: Some(5),
        cache_ttl: Duration::from_secs(60),
        ..Default::default()
    })
    .await;
    let id = app.published_ids()[0];
    let path = format!("/api/v1/articles/{id}");
    let read = |accept: &'static str| {
        let (app, path) = (&app, &path);
        async move {
            let res = get_with(app, path, "accept-encoding", accept).await;
            assert_eq!(res.status(), 200);
            let state = header(&res, "x-cache").unwrap();
            let coding = header(&res, "content-encoding");
            let plain = decoded(coding.as_deref(), &res.bytes().await.unwrap());
            let json: serde_json::Value = serde_json::from_slice(&plain).unwrap();
            (state, coding, json)
        }
    };
    let (state, coding, missed) = read("gzip").await;
    assert_eq!((state.as_str(), coding.as_deref()), ("miss", Some("gzip")));
    read("identity").await; // the second miss: kept
    let (state, coding, plain) = read("identity").await;
    assert_eq!((state.as_str(), coding), ("hit", None));
    assert_eq!(missed, plain);
    for round in 0..3 {
        for accept in ["gzip", "gzip, deflate, br"] {
            let (state, coding, json) = read(accept).await;
            assert_eq!(state, "hit", "{accept}");
            assert_eq!(coding.as_deref(), Some("gzip"), "{accept}");
            let mut expected = plain.clone();
            expected["data"]["view_count"] =
                (plain["data"]["view_count"].as_i64().unwrap() + round).into();
            assert_eq!(json, expected, "{accept}, {round} views later");
        }
        // A counted view: each round from another browser (views are
        // counted once per client).
        let res = app
            .client
            .post(format!("{}{path}/views", app.address))
            .header("user-agent", format!("Mozilla/5.0 Firefox/12{round}.0"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }
    let (state, coding, json) = read("br").await;
    assert_eq!((state.as_str(), coding.as_deref()), ("hit", Some("br")));
    assert_eq!(
        json["data"]["view_count"],
        plain["data"]["view_count"].as_i64().unwrap() + 3
    );
}

#[tokio::test]
async fn articles_carry_last_modified_and_honour_if_modified_since() {
    let app = spawn_app().await;
    let editor = app.token(Role::Editor);
    // A demo article, last edited long before this test (so an edit now is
    // a later second).
    let mut found = None;
    for id in app.published_ids() {
        let res = app.get(&format!("/api/v1/articles/{id}")).await;
        let modified = header(&res, "last-modified").expect("an article has Last-Modified");
        let when = chrono::DateTime::parse_from_rfc2822(&modified).expect("an HTTP date");
        let body: serde_json::Value = res.json().await.unwrap();
        let updated =
            chrono::DateTime::parse_from_rfc3339(body["data"]["updated_at"].as_str().unwrap())
                .unwrap();
        // The article's last edit, to the second.
        assert_eq!(when.timestamp(), updated.timestamp(), "{modified}");
        if when < chrono::Utc::now() - chrono::Duration::days(1) {
            found = Some((id, modified));
            break;
        }
    }
    let (id, modified) = found.expect("a demo article edited before today");
    let path = format!("/api/v1/articles/{id}");
    // Not modified since that time, nor since a later one.
    let res = get_with(&app, &path, "if-modified-since", &modified).await;
    assert_eq!(res.status(), 304);
    assert_eq!(header(&res, "last-modified").unwrap(), modified);
    assert!(header(&res, "etag").is_some());
    assert!(res.bytes().await.unwrap().is_empty());
    let res = get_with(
        &app,
        &path,
        "if-modified-since",
        "Fri, 01 Jan 2100 00:00:00 GMT",
    )
    .await;
    assert_eq!(res.status(), 304);
    // Modified since an earlier time; a malformed date is ignored.
    for since in ["Sat, 01 Jan 2000 00:00:00 GMT", "yesterday"] {
        let res = get_with(&app, &path, "if-modified-since", since).await;
        assert_eq!(res.status(), 200, "{since}");
    }
    // If-None-Match wins: a tag that does not match means 200 whatever the date.
    let res = app
        .client
        .get(format!("{}{}", app.address, path))
        .header("if-modified-since", &modified)
        .header("if-none-match", "\"h0000000000000000\"")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // An edit moves Last-Modified: the old date now gets the whole answer.
    let tag = header(&app.get(&path).await, "etag").unwrap();
    app.send_json(
        Call::new(Method::PATCH, path.clone())
            .token(&editor)
            .json(json!({"title": "عنوان بعد التعديل"}))
            .if_match(tag),
        200,
    )
    .await;
    let res = get_with(&app, &path, "if-modified-since", &modified).await;
    assert_eq!(res.status(), 200);
    assert_ne!(header(&res, "last-modified").unwrap(), modified);
}

#[tokio::test]
async fn cached_answers_revalidate_from_the_cache_with_the_tags_of_uncached_ones() {
    let cached = spawn_with(Spawn {
        demo_articles: Some(5),
        cache_ttl: Duration::from_secs(60),
        ..Default::default()
    })
    .await;
    let uncached = spawn_beside(&cached, Spawn::default()).await;
    let id = cached.published_ids()[0];
    let article = format!("/api/v1/articles/{id}");
    let list = "/api/v1/articles?per_page=50".to_string();
    for path in [&article, &list] {
        // Miss, miss (admitted), hit: one tag, the one a node without the
        // cache gives (tags do not depend on where an answer came from).
        let mut tags = Vec::new();
        for expected in ["miss", "miss", "hit"] {
            let res = cached.get(path).await;
            assert_eq!(header(&res, "x-cache").unwrap(), expected, "{path}");
            tags.push(header(&res, "etag").unwrap());
        }
        tags.push(header(&uncached.get(path).await, "etag").unwrap());
        assert!(tags.iter().all(|t| *t == tags[0]), "{path}: {tags:?}");
        // The cache answers 304 itself, with the CDN's Cache-Control.
        let res = get_with(&cached, path, "if-none-match", &tags[0]).await;
        assert_eq!(res.status(), 304, "{path}");
        assert_eq!(header(&res, "x-cache").unwrap(), "hit");
        assert_eq!(header(&res, "etag").unwrap(), tags[0]);
        assert!(header(&res, "cache-control").unwrap().starts_with("public"));
        assert!(res.bytes().await.unwrap().is_empty());
    }
    let tag_of = |res: &reqwest::Response| header(res, "etag").unwrap();
    let before = (
        tag_of(&cached.get(&article).await),
        tag_of(&cached.get(&list).await),
    );
    // A counted view changes the live count a hit shows, and so its tag.
    count_view(&cached, &article).await;
    for (path, old) in [(&article, &before.0), (&list, &before.1)] {
        let res = get_with(&cached, path, "if-none-match", old).await;
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(header(&res, "x-cache").unwrap(), "hit", "{path}");
        assert_ne!(&tag_of(&res), old, "{path}");
    }
}

#[tokio::test]
async fn cached_answers_are_compressed_once_and_follow_the_live_counts() {
    let app = spawn_with(Spawn {
        demo_articles: Some(30),
        cache_ttl: Duration::from_secs(60),
        ..Default::default()
    })
    .await;
    let id = app.published_ids()[0];
    let path = "/api/v1/articles?per_page=50";
    let decode = |coding: &str, bytes: &[u8]| -> serde_json::Value {
        serde_json::from_slice(&decoded(Some(coding), bytes)).unwrap()
    };
    let count_of = |page: &serde_json::Value| {
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == id)
            .unwrap()["view_count"]
            .clone()
    };
    app.get(path).await;
    app.get(path).await;
    let plain: serde_json::Value = app.get(path).await.json().await.unwrap();
    for round in 0..2 {
        for coding in ["gzip", "br"] {
            // Twice: the first hit compresses and keeps, the second reuses.
            for _ in 0..2 {
                let res = get_with(&app, path, "accept-encoding", coding).await;
                assert_eq!(header(&res, "x-cache").unwrap(), "hit");
                assert_eq!(header(&res, "content-encoding").unwrap(), coding);
                let vary: Vec<_> = res.headers().get_all("vary").iter().collect();
                assert!(
                    vary.iter()
                        .any(|v| v.to_str().unwrap() == "accept-encoding"),
                    "{vary:?}"
                );
                let page = decode(coding, &res.bytes().await.unwrap());
                if round == 0 {
                    assert_eq!(page, plain, "{coding}");
                } else {
                    assert_eq!(count_of(&page), count_of(&plain).as_i64().unwrap() + 1);
                }
            }
        }
        // A counted view: the kept compressed forms are of the old count.
        count_view(&app, &format!("/api/v1/articles/{id}")).await;
    }
}

#[tokio::test]
async fn a_cached_answer_small_once_compressed_still_says_it_is_compressed() {
    let app = spawn_with(Spawn {
        cache_ttl: Duration::from_secs(60),
        ..Default::default()
    })
    .await;
    let admin = app.token(Role::Admin);
    // The calendar: over 1 KB as JSON, well under it gzipped.
    let path = "/api/v1/archive";
    for token in [None, Some(admin.as_str())] {
        for _ in 0..3 {
            let mut call = app
                .client
                .get(format!("{}{path}", app.address))
                .header("accept-encoding", "gzip");
            if let Some(token) = token {
                call = call.bearer_auth(token);
            }
            let res = call.send().await.unwrap();
            assert_eq!(res.status(), 200);
            let encoding = header(&res, "content-encoding");
            let json = decoded(encoding.as_deref(), &res.bytes().await.unwrap());
            let calendar: serde_json::Value = serde_json::from_slice(&json)
                .unwrap_or_else(|e| panic!("{token:?} {encoding:?}: {e}"));
            assert!(calendar["data"].is_array());
        }
    }
}
