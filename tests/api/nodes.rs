//! Several nodes on one PostgreSQL database: a write on one node stops the
//! others from serving what it changed from their answer caches, through
//! `LISTEN/NOTIFY`, well before the cache TTL. PostgreSQL only (SQLite is
//! one process per file).

use std::time::{Duration, Instant};

use khabar::domain::role::Role;
use reqwest::Method;
use serde_json::json;

use crate::helpers::{spawn_beside, spawn_with, Call, Spawn, TestApp};

/// Long enough that only an invalidation explains a fresh answer.
const TTL: Duration = Duration::from_secs(120);
/// What the README promises (notification round trip plus one listener poll),
/// with room for a loaded CI machine.
const BOUND: Duration = Duration::from_secs(3);

fn node(invalidation: bool) -> Spawn {
    Spawn {
        cache_ttl: TTL,
        settings: if invalidation {
            |s| s.node_invalidation = true
        } else {
            |s| s.node_invalidation = false
        },
        ..Default::default()
    }
}

/// GETs `path` until the answer is served from the cache (so that a stale
/// copy is really there to be dropped).
async fn cached(app: &TestApp, path: &str) -> serde_json::Value {
    for _ in 0..5 {
        let res = app.get(path).await;
        let hit = res.headers().get("x-cache").is_some_and(|v| v == "hit");
        let body: serde_json::Value = res.json().await.unwrap();
        if hit {
            return body;
        }
    }
    panic!("{path} is never served from the cache");
}

/// Waits until `check` holds for the answer to `path` on `app`, within BOUND.
async fn within_bound(
    app: &TestApp,
    path: &str,
    what: &str,
    check: impl Fn(u16, &serde_json::Value) -> bool,
) {
    let started = Instant::now();
    loop {
        let res = app.get(path).await;
        let status = res.status().as_u16();
        let body: serde_json::Value = res.json().await.unwrap_or_default();
        if check(status, &body) {
            return;
        }
        assert!(
            started.elapsed() < BOUND,
            "{what}: still {status} {body} after {BOUND:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_write_on_one_node_reaches_the_caches_of_the_others() {
    if std::env::var("KHABAR_TEST_POSTGRES_URL").is_err() {
        eprintln!("PostgreSQL only: KHABAR_TEST_POSTGRES_URL is not set");
        return;
    }
    let writer = spawn_with(node(true)).await;
    let reader = spawn_beside(&writer, node(true)).await;
    // A node that does not listen: the control, whose cache hides the writes.
    let deaf = spawn_beside(&writer, node(false)).await;
    let editor = writer.token(Role::Editor);
    let ids = writer.published_ids();
    let (edited_id, deleted_id) = (ids[0], ids[1]);
    let edited = format!("/api/v1/articles/{edited_id}");
    let deleted = format!("/api/v1/articles/{deleted_id}");
    let list = "/api/v1/articles?per_page=50";
    for app in [&reader, &deaf] {
        cached(app, &edited).await;
        cached(app, &deleted).await;
        cached(app, list).await;
    }

    // An edit.
    let (_, tag) = writer.editor_view(&editor, edited_id).await;
    let title = "عنوان عدّل على عقدة أخرى";
    writer
        .send_json(
            Call::new(Method::PATCH, edited.clone())
                .token(&editor)
                .json(json!({"title": title}))
                .if_match(tag),
            200,
        )
        .await;
    within_bound(&reader, &edited, "edited article", |s, b| {
        s == 200 && b["data"]["title"] == title
    })
    .await;
    within_bound(&reader, list, "list showing it", |_, b| {
        b["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["title"] == title)
    })
    .await;

    // A delete.
    let (_, tag) = writer.editor_view(&editor, deleted_id).await;
    let res = writer
        .send(
            Call::new(Method::DELETE, deleted.clone())
                .token(&editor)
                .if_match(tag),
        )
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    within_bound(&reader, &deleted, "deleted article", |s, _| s == 404).await;

    // A section renamed: every answer naming it.
    let section = cached(&reader, &edited).await["data"]["section"]["slug"]
        .as_str()
        .unwrap()
        .to_string();
    let renamed = "قسم بعد إعادة التسمية";
    writer
        .send_json(
            Call::new(Method::PATCH, format!("/api/v1/sections/{section}"))
                .token(&editor)
                .json(json!({"name": renamed})),
            200,
        )
        .await;
    within_bound(&reader, &edited, "renamed section", |_, b| {
        b["data"]["section"]["name"] == renamed
    })
    .await;

    // The control still serves its cached copies: only the notifications
    // made the reader fresh.
    let stale = deaf.get_json(&edited, 200).await;
    assert_ne!(stale["data"]["title"], title);
    assert_eq!(deaf.get(&deleted).await.status(), 200);
}

/// With the answer cache off, list pages come from each node's list index:
/// another node's unpublish, comment and views reach them through the
/// notifications, within the same bound.
#[tokio::test]
async fn another_nodes_writes_reach_the_list_pages_a_node_keeps_in_memory() {
    if std::env::var("KHABAR_TEST_POSTGRES_URL").is_err() {
        eprintln!("PostgreSQL only: KHABAR_TEST_POSTGRES_URL is not set");
        return;
    }
    let node = || Spawn {
        cache_ttl: Duration::ZERO,
        settings: |s| {
            s.node_invalidation = true;
            // `auto`: on, as the nodes notify each other.
            s.list_index = khabar::cli::ListIndexMode::Auto;
            s.comments.flood_interval = Duration::ZERO;
            s.comments.trust_forwarded = true;
            s.comments.hold_first_time = false;
            s.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
        },
        ..Default::default()
    };
    let writer = spawn_with(node()).await;
    let reader = spawn_beside(&writer, node()).await;
    let editor = writer.token(Role::Editor);
    let list = "/api/v1/articles?per_page=5";
    let shown = reader.get_json(list, 200).await;
    let first = shown["data"][0]["id"].as_i64().unwrap();
    let second = shown["data"][1]["id"].as_i64().unwrap();
    let counted = shown["data"][1]["view_count"].as_i64().unwrap() + 3;

    // Views counted and written by the writer.
    for n in 0..3 {
        let res = writer
            .client
            .post(format!("{}/api/v1/articles/{second}/views", writer.address))
            .header(
                "user-agent",
                "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
            )
            .header("x-forwarded-for", format!("10.1.0.{n}"))
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "{}", res.status());
    }
    writer.views.tick(&writer.db).await.unwrap();
    within_bound(&reader, list, "the writer's views", |_, b| {
        b["data"][1]["view_count"] == counted
    })
    .await;

    // A comment.
    let res = writer
        .post_comment(second, "10.0.0.9", json!({"author_name": "قارئ", "author_email": "reader@example.com", "body": "شكرا على الخبر"}))
        .await;
    assert_eq!(res.status().as_u16(), 201);
    within_bound(&reader, list, "the writer's comment", |_, b| {
        b["data"][1]["comment_count"] == 1
    })
    .await;

    // An unpublish.
    let (_, tag) = writer.editor_view(&editor, first).await;
    writer
        .send_json(
            Call::new(Method::PATCH, format!("/api/v1/articles/{first}"))
                .token(&editor)
                .json(json!({"status": "draft"}))
                .if_match(tag),
            200,
        )
        .await;
    within_bound(&reader, list, "the writer's unpublish", |_, b| {
        b["data"][0]["id"] == second
    })
    .await;
}
