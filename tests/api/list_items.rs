//! List items rendered once per article edit (`KHABAR_LIST_ITEM_CACHE_MB`):
//! the same bytes as rendering every item every time, and never stale.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{spawn_beside, spawn_with, Call, Spawn, TestApp};
use khabar::domain::role::Role;

const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

async fn text(app: &TestApp, path: &str) -> String {
    let res = app.get(path).await;
    assert_eq!(res.status().as_u16(), 200, "{path}");
    res.text().await.unwrap()
}

/// Article `id` as the list at `path` shows it.
async fn listed(app: &TestApp, path: &str, id: i64) -> Value {
    let page: Value = serde_json::from_str(&text(app, path).await).unwrap();
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("article {id} is on {path}"))
}

#[tokio::test]
async fn kept_list_items_are_the_rendered_bytes_and_follow_edits_renames_and_counts() {
    let app = spawn_with(Spawn::default()).await;
    // The same database, rendering every item every time.
    let rendering = spawn_beside(
        &app,
        Spawn {
            settings: |s| s.list_item_cache_bytes = 0,
            ..Spawn::default()
        },
    )
    .await;
    let pages = [
        "/api/v1/articles?per_page=100",
        "/api/v1/articles?tag=iran&per_page=5",
        "/api/v1/archive/2020/8/22",
        "/api/v1/articles?section=politics&order=oldest&per_page=3&page=2",
        "/api/v1/articles?include_total=true&per_page=7",
        "/api/v1/articles?per_page=3&cursor=n1900000000000000_999999999",
    ];
    for path in pages {
        let first = text(&app, path).await;
        // Twice: rendered, then from the kept items.
        assert_eq!(text(&app, path).await, first, "{path}");
        assert_eq!(text(&rendering, path).await, first, "{path}");
    }

    let path = pages[0];
    let editor = app.token(Role::Editor);
    // An edit shows on the next page.
    let (_, etag) = app.editor_view(&editor, 1).await;
    app.send_json(
        Call::new(Method::PATCH, "/api/v1/articles/1")
            .token(&editor)
            .if_match(etag)
            .json(json!({"title": "عنوان جديد بعد التعديل"})),
        200,
    )
    .await;
    assert_eq!(
        listed(&app, path, 1).await["title"],
        "عنوان جديد بعد التعديل"
    );
    // A renamed tag shows on the next page (no edit of the article).
    app.send_json(
        Call::new(Method::PATCH, "/api/v1/tags/iran")
            .token(&editor)
            .json(json!({"name": "الجمهورية الإسلامية"})),
        200,
    )
    .await;
    let item = listed(&app, path, 1).await;
    assert!(
        item["tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == "الجمهورية الإسلامية"),
        "{item}"
    );
    // A view shows at once, as on a page rendered whole.
    let before = item["view_count"].as_i64().unwrap();
    let res = app
        .client
        .post(format!("{}/api/v1/articles/1/views", app.address))
        .header("user-agent", FIREFOX)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(listed(&app, path, 1).await["view_count"], before + 1);
}

#[tokio::test]
async fn kept_feed_items_are_the_rendered_bytes_and_follow_edits_and_renames() {
    let app = spawn_with(Spawn::default()).await;
    let rendering = spawn_beside(
        &app,
        Spawn {
            settings: |s| s.feed_item_cache_bytes = 0,
            ..Spawn::default()
        },
    )
    .await;
    let feeds = [
        "/api/v1/feeds/rss",
        "/api/v1/feeds/atom?tag=iran",
        "/api/v1/feeds/json?section=politics&limit=5",
    ];
    for path in feeds {
        let first = text(&app, path).await;
        assert_eq!(text(&app, path).await, first, "{path}");
        assert_eq!(text(&rendering, path).await, first, "{path}");
    }
    let editor = app.token(Role::Editor);
    let (_, etag) = app.editor_view(&editor, 1).await;
    app.send_json(
        Call::new(Method::PATCH, "/api/v1/articles/1")
            .token(&editor)
            .if_match(etag)
            .json(json!({"body_html": "<p>نص جديد للخبر بعد التعديل</p>"})),
        200,
    )
    .await;
    app.send_json(
        Call::new(Method::PATCH, "/api/v1/tags/iran")
            .token(&editor)
            .json(json!({"name": "الجمهورية الإسلامية"})),
        200,
    )
    .await;
    for path in feeds {
        let body = text(&app, path).await;
        if path.contains("tag=iran") || path.ends_with("rss") {
            assert!(body.contains("نص جديد للخبر بعد التعديل"), "{path}: {body}");
            assert!(body.contains("الجمهورية الإسلامية"), "{path}");
        }
    }
}

/// The value of `khabar_item_cache_total` for `cache` and `result` (0 when
/// not counted yet). The recorder is the process's: other tests add to it.
async fn item_lookups(app: &TestApp, cache: &str, result: &str) -> f64 {
    let text = text(app, "/metrics").await;
    text.lines()
        .find(|l| {
            l.starts_with("khabar_item_cache_total{")
                && l.contains(&format!("cache=\"{cache}\""))
                && l.contains(&format!("result=\"{result}\""))
        })
        .map_or(0.0, |l| l.rsplit(' ').next().unwrap().parse().unwrap())
}

#[tokio::test]
async fn item_store_lookups_are_counted_by_store_and_result() {
    let app = spawn_with(Spawn::default()).await;
    for (cache, path) in [
        ("list_items", "/api/v1/articles?per_page=4&section=politics"),
        ("feed_items", "/api/v1/feeds/atom?section=politics&limit=4"),
    ] {
        let hits = item_lookups(&app, cache, "hit").await;
        let misses = item_lookups(&app, cache, "miss").await;
        // Rendered, then from the kept items (the answer cache keeps an
        // answer only when it is asked for again, so it does not answer
        // the second request).
        text(&app, path).await;
        text(&app, path).await;
        assert!(
            item_lookups(&app, cache, "miss").await >= misses + 4.0,
            "{cache}: the first answer renders its four items"
        );
        assert!(
            item_lookups(&app, cache, "hit").await >= hits + 4.0,
            "{cache}: the second finds them kept"
        );
    }
}
