//! The list index (`service::list_index`): public list pages found in
//! memory are the pages the database gives, after every kind of write,
//! and follow each write before it is answered.

use std::time::Duration;

use khabar::cli::ListIndexMode;
use khabar::domain::role::Role;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{spawn_beside, spawn_with, Call, Spawn, TestApp};

fn settings(s: &mut khabar::config::Settings) {
    s.list_index = ListIndexMode::On;
    s.comments.flood_interval = Duration::ZERO;
    s.comments.trust_forwarded = true;
    s.comments.hold_first_time = false;
}

/// Every page the index takes, as bytes: first pages and deep ones, both
/// orders, a section, totals, and a walk by cursor.
async fn pages(app: &TestApp, section: &str) -> Vec<(String, String)> {
    let mut paths: Vec<String> = [
        "/api/v1/articles?per_page=100&include_total=true".to_string(),
        "/api/v1/articles?per_page=5&page=3".into(),
        "/api/v1/articles?order=oldest&per_page=10&page=2&include_total=true".into(),
        format!("/api/v1/articles?section={section}&per_page=50&include_total=true"),
    ]
    .to_vec();
    let mut next = Some("/api/v1/articles?per_page=25&cursor_walk=1".to_string());
    let mut out = Vec::new();
    while let Some(path) = next.take() {
        let body: Value = app.get_json(&path.replace("&cursor_walk=1", ""), 200).await;
        next = body["meta"]["next_cursor"]
            .as_str()
            .map(|c| format!("/api/v1/articles?per_page=25&cursor={c}"));
        out.push((path, body.to_string()));
    }
    for path in paths.drain(..) {
        let text = app.get(&path).await.text().await.unwrap();
        out.push((path, text));
    }
    out
}

async fn same_pages(indexed: &TestApp, database: &TestApp, section: &str, after: &str) {
    let got = pages(indexed, section).await;
    let expected = pages(database, section).await;
    assert_eq!(
        got.len(),
        expected.len(),
        "{after}: a walk of another length"
    );
    for ((path, got), (_, expected)) in got.iter().zip(&expected) {
        assert_eq!(got, expected, "{after}: {path}");
    }
}

#[tokio::test]
async fn pages_from_memory_are_the_database_pages_after_every_kind_of_write() {
    let indexed = spawn_with(Spawn {
        demo_articles: Some(40),
        settings,
        ..Spawn::default()
    })
    .await;
    // The same database, every page read from it.
    let database = spawn_beside(
        &indexed,
        Spawn {
            settings: |s| {
                settings(s);
                s.list_index = ListIndexMode::Off;
            },
            ..Spawn::default()
        },
    )
    .await;
    let editor = indexed.token(Role::Editor);
    let ids = indexed.published_ids();
    let first = indexed.get_json("/api/v1/articles?per_page=1", 200).await;
    let section = first["data"][0]["section"]["slug"]
        .as_str()
        .unwrap()
        .to_string();
    same_pages(&indexed, &database, &section, "start").await;

    let patch = |id: i64, body: Value| {
        let (indexed, editor) = (&indexed, &editor);
        async move {
            let (_, tag) = indexed.editor_view(editor, id).await;
            indexed
                .send_json(
                    Call::new(Method::PATCH, format!("/api/v1/articles/{id}"))
                        .token(editor)
                        .json(body)
                        .if_match(tag),
                    200,
                )
                .await
        }
    };
    patch(ids[3], json!({"title": "عنوان جديد بعد التحرير"})).await;
    same_pages(&indexed, &database, &section, "an edit").await;
    patch(ids[4], json!({"status": "draft"})).await;
    same_pages(&indexed, &database, &section, "an unpublish").await;
    let later = chrono::Utc::now() + chrono::Duration::days(3);
    patch(ids[5], json!({"published_at": later.to_rfc3339()})).await;
    same_pages(&indexed, &database, &section, "a reschedule").await;
    let earlier = chrono::Utc::now() - chrono::Duration::days(9000);
    patch(ids[6], json!({"published_at": earlier.to_rfc3339()})).await;
    same_pages(&indexed, &database, &section, "a move to the oldest").await;
    let other_section = if first["data"][0]["section"]["id"] == 1 {
        2
    } else {
        1
    };
    patch(ids[7], json!({"section_id": other_section})).await;
    same_pages(&indexed, &database, &section, "a move to another section").await;
    let created = indexed
        .create_article(
            &editor,
            json!({"title": "خبر عاجل", "section_id": 1, "body_html": "<p>نص</p>", "status": "published"}),
        )
        .await;
    let created_id = created["id"].as_i64().unwrap();
    same_pages(&indexed, &database, &section, "a new article").await;
    let (_, tag) = indexed.editor_view(&editor, ids[8]).await;
    indexed
        .send_json(
            Call::new(Method::DELETE, format!("/api/v1/articles/{}", ids[8]))
                .token(&editor)
                .if_match(tag),
            204,
        )
        .await;
    same_pages(&indexed, &database, &section, "a delete").await;
    let res = indexed
        .post_comment(created_id, "10.0.0.9", json!({"author_name": "قارئ", "author_email": "reader@example.com", "body": "شكرا على الخبر"}))
        .await;
    assert_eq!(res.status().as_u16(), 201);
    let listed = indexed.get_json("/api/v1/articles?per_page=1", 200).await;
    assert_eq!(listed["data"][0]["id"], created_id);
    assert_eq!(
        listed["data"][0]["comment_count"], 1,
        "a comment counts at once"
    );
    same_pages(&indexed, &database, &section, "a comment").await;
}

/// The pages really come from memory: a row changed behind the app's back
/// (no write of its own, no notification) is not seen until the article
/// is marked, which any write to it through the app does.
#[tokio::test]
async fn pages_come_from_memory_and_a_write_through_the_app_marks_its_article() {
    let app = spawn_with(Spawn {
        demo_articles: Some(10),
        settings,
        ..Spawn::default()
    })
    .await;
    let newest = app.get_json("/api/v1/articles?per_page=1", 200).await["data"][0]["id"]
        .as_i64()
        .unwrap();
    app.execute_sql(format!(
        "UPDATE articles SET status = 'draft' WHERE id = {newest}"
    ));
    let listed = app.get_json("/api/v1/articles?per_page=1", 200).await;
    assert_eq!(listed["data"][0]["id"], newest, "read from memory");
    // An editor's write to it (any write through the app) marks it.
    let editor = app.token(Role::Editor);
    let (_, tag) = app.editor_view(&editor, newest).await;
    app.send_json(
        Call::new(Method::PATCH, format!("/api/v1/articles/{newest}"))
            .token(&editor)
            .json(json!({"title": "مسودة"}))
            .if_match(tag),
        200,
    )
    .await;
    let listed = app.get_json("/api/v1/articles?per_page=1", 200).await;
    assert_ne!(listed["data"][0]["id"], newest, "read again once marked");
}

/// Waits (up to 5 s: the keeper looks every second) until the newest
/// listed article is or is not `id`.
async fn newest_becomes(app: &TestApp, id: i64, listed: bool) {
    let started = std::time::Instant::now();
    loop {
        let body = app.get_json("/api/v1/articles?per_page=1", 200).await;
        if (body["data"][0]["id"] == id) == listed {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "newest is still {} (wanted {id} listed: {listed})",
            body["data"][0]["id"]
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Writes of another process reach the index through the change log, with
/// no notification: one by one, and a bulk load (more changes than it
/// marks one by one) by reloading it whole.
#[tokio::test]
async fn another_process_writes_reach_the_index_through_the_change_log() {
    let indexed = spawn_with(Spawn {
        demo_articles: Some(10),
        settings,
        ..Spawn::default()
    })
    .await;
    // Another process on the same database, with no notifications (as in
    // every test): its writes are logged, not told.
    let other = spawn_beside(
        &indexed,
        Spawn {
            settings,
            ..Spawn::default()
        },
    )
    .await;
    // The first page loads the taxonomy snapshot (read from the database);
    // the next ones come from memory.
    for _ in 0..2 {
        indexed.get_json("/api/v1/articles?per_page=1", 200).await;
    }
    let editor = other.token(Role::Editor);
    let created = other
        .create_article(
            &editor,
            json!({"title": "خبر من عملية أخرى", "section_id": 1, "body_html": "<p>نص</p>", "status": "published"}),
        )
        .await;
    let id = created["id"].as_i64().unwrap();
    newest_becomes(&indexed, id, true).await;

    // A bulk load: many changes logged at once, and a row changed with
    // them that no single change names. Changed alone, unlogged, the row
    // is not seen: the page comes from memory.
    indexed.execute_sql(
        "UPDATE articles SET status = 'draft' WHERE id = (SELECT MAX(id) FROM articles)".into(),
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    newest_becomes(&indexed, id, true).await;
    indexed.execute_sql(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10001) \
         INSERT INTO article_changes (article_id, changed_at) SELECT 1, CURRENT_TIMESTAMP FROM n"
            .into(),
    );
    newest_becomes(&indexed, id, false).await;
}
