//! The change feed: a partner that follows it ends up with exactly the public
//! articles at their current versions, whatever happens during the walk.

use std::collections::BTreeMap;
use std::time::Duration;

use khabar::domain::role::Role;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{assert_problem, spawn_app, Call, TestApp};

/// What a partner holds: article id → version.
type Mirror = BTreeMap<i64, i64>;

/// One page of the feed, applied to `mirror`; returns the next cursor.
async fn apply_page(
    app: &TestApp,
    token: &str,
    since: Option<&str>,
    mirror: &mut Mirror,
) -> Option<String> {
    let path = match since {
        Some(c) => format!("/api/v1/changes?limit=7&since={c}"),
        None => "/api/v1/changes?limit=7".to_string(),
    };
    let page = app
        .send_json(Call::new(Method::GET, path).token(token), 200)
        .await;
    for entry in page["data"].as_array().unwrap() {
        let id = entry["article_id"].as_i64().unwrap();
        match entry["change"].as_str().unwrap() {
            "upsert" => {
                assert_eq!(entry["article"]["id"].as_i64(), Some(id));
                assert!(entry["article"]["body_html"].is_string(), "{entry}");
                mirror.insert(id, entry["version"].as_i64().unwrap());
            }
            "removed" => {
                assert!(entry.get("article").is_none(), "{entry}");
                mirror.remove(&id);
            }
            other => panic!("unknown change {other}"),
        }
    }
    page["meta"]["next_cursor"].as_str().map(str::to_string)
}

/// Follows the feed from `cursor` until it is empty; returns the last cursor.
async fn catch_up(
    app: &TestApp,
    token: &str,
    mut cursor: Option<String>,
    mirror: &mut Mirror,
) -> Option<String> {
    while let Some(next) = apply_page(app, token, cursor.as_deref(), mirror).await {
        cursor = Some(next);
    }
    cursor
}

/// The public articles and their versions, from the database.
fn public_versions(app: &TestApp) -> Mirror {
    use diesel::prelude::*;
    use khabar::db::schema::articles;
    let now = chrono::Utc::now().naive_utc();
    app.db
        .run_blocking(move |conn| {
            articles::table
                .filter(articles::status.eq("published"))
                .filter(articles::published_at.le(now))
                .select((articles::id, articles::version))
                .load::<(i64, i64)>(conn)
        })
        .expect("pool")
        .expect("query")
        .into_iter()
        .collect()
}

fn at(offset_ms: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::milliseconds(offset_ms))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// One random editorial write; `ids` are the articles it may touch.
async fn random_write(app: &TestApp, editor: &str, rng: &mut SmallRng, ids: &mut Vec<i64>) {
    let n = rng.random_range(0..100);
    if n < 20 || ids.is_empty() {
        let status = if rng.random_bool(0.7) {
            "published"
        } else {
            "draft"
        };
        let mut body = json!({"title": format!("خبر رقم {}", rng.random::<u32>()), "section_id": 1,
                              "body_html": "<p>نص الخبر</p>", "status": status});
        if n < 5 {
            // Scheduled a moment ahead: a tombstone until it is due.
            body["published_at"] = json!(at(rng.random_range(200..1500)));
        }
        let created = app.create_article(editor, body).await;
        ids.push(created["id"].as_i64().unwrap());
        return;
    }
    let id = ids[rng.random_range(0..ids.len())];
    let res = app
        .send(Call::new(Method::GET, format!("/api/v1/articles/{id}")).token(editor))
        .await;
    if res.status().as_u16() == 404 {
        return; // deleted already
    }
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    let call = match n {
        20..=59 => Call::new(Method::PATCH, format!("/api/v1/articles/{id}"))
            .json(json!({"title": format!("عنوان معدل {}", rng.random::<u32>())})),
        60..=74 => Call::new(Method::PATCH, format!("/api/v1/articles/{id}"))
            .json(json!({"status": "draft"})),
        75..=84 => Call::new(Method::PATCH, format!("/api/v1/articles/{id}"))
            .json(json!({"status": "published"})),
        85..=89 => Call::new(Method::PATCH, format!("/api/v1/articles/{id}"))
            .json(json!({"status": "published", "published_at": at(rng.random_range(200..1500))})),
        _ => Call::new(Method::DELETE, format!("/api/v1/articles/{id}")),
    };
    let status = app
        .send(call.token(editor).if_match(etag))
        .await
        .status()
        .as_u16();
    // 412: another writer got there first; 404: it deleted the article;
    // 422: e.g. publishing a draft that lacks something. Nothing changed.
    assert!(
        matches!(status, 200 | 204 | 404 | 412 | 422),
        "write answered {status}"
    );
}

#[tokio::test]
async fn a_walk_with_writers_beside_it_ends_with_exactly_the_public_articles() {
    let app = spawn_app().await;
    let editor = app.token(Role::Editor);
    let partner = app.token(Role::Partner);
    let mut mirror = Mirror::new();
    let mut ids: Vec<i64> = app.published_ids();
    let mut rng = SmallRng::seed_from_u64(7);
    // Writes interleaved with the walk, one between pages.
    let mut cursor = None;
    for _ in 0..40 {
        cursor = apply_page(&app, &partner, cursor.as_deref(), &mut mirror)
            .await
            .or(cursor);
        random_write(&app, &editor, &mut rng, &mut ids).await;
    }
    // Concurrent writers (their transactions commit in any order) while the
    // partner keeps walking.
    let writer = |w: u64| {
        let (app, editor, mut ids) = (&app, editor.clone(), ids.clone());
        async move {
            let mut rng = SmallRng::seed_from_u64(100 + w);
            for _ in 0..15 {
                random_write(app, &editor, &mut rng, &mut ids).await;
            }
        }
    };
    let walker = async {
        let mut cursor = cursor.clone();
        for _ in 0..30 {
            cursor = apply_page(&app, &partner, cursor.as_deref(), &mut mirror)
                .await
                .or(cursor);
        }
        cursor
    };
    let (_, _, _, _, cursor) = tokio::join!(writer(0), writer(1), writer(2), writer(3), walker);
    // Every scheduled article is due within 1.5 s, and logged within a
    // second after that; a missed or stale entry never heals, so polling
    // until the mirror matches (or 15 s pass) cannot hide a lost change.
    let started = std::time::Instant::now();
    let mut cursor = cursor;
    loop {
        cursor = catch_up(&app, &partner, cursor, &mut mirror).await;
        let truth = public_versions(&app);
        if mirror == truth || started.elapsed() > Duration::from_secs(15) {
            assert_same(&mirror, &truth);
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// The mirror equals the truth; else which articles differ, and how.
fn assert_same(mirror: &Mirror, truth: &Mirror) {
    let differ: Vec<(i64, Option<i64>, Option<i64>)> = mirror
        .keys()
        .chain(truth.keys())
        .filter(|id| mirror.get(id) != truth.get(id))
        .map(|id| (*id, mirror.get(id).copied(), truth.get(id).copied()))
        .collect();
    assert!(differ.is_empty(), "(id, mirror, truth): {differ:?}");
}

#[tokio::test]
async fn a_scheduled_article_is_a_tombstone_until_due_then_comes_by_itself() {
    let app = spawn_app().await;
    let editor = app.token(Role::Editor);
    let partner = app.token(Role::Partner);
    let mut mirror = Mirror::new();
    let cursor = catch_up(&app, &partner, None, &mut mirror).await;
    assert_same(&mirror, &public_versions(&app));
    let created = app
        .create_article(
            &editor,
            json!({"title": "خبر تحت الحظر", "section_id": 1, "body_html": "<p>نص</p>",
                   "status": "published", "published_at": at(1500)}),
        )
        .await;
    let id = created["id"].as_i64().unwrap();
    let page = app
        .send_json(
            Call::new(
                Method::GET,
                format!("/api/v1/changes?since={}", cursor.clone().unwrap()),
            )
            .token(&partner),
            200,
        )
        .await;
    assert_eq!(page["data"][0]["article_id"], id);
    assert_eq!(page["data"][0]["change"], "removed");
    let cursor = page["meta"]["next_cursor"].as_str().map(str::to_string);
    let mut waited = 0;
    loop {
        tokio::time::sleep(Duration::from_millis(250)).await;
        waited += 250;
        let mut probe = mirror.clone();
        catch_up(&app, &partner, cursor.clone(), &mut probe).await;
        if probe.contains_key(&id) {
            assert_same(&probe, &public_versions(&app));
            break;
        }
        assert!(waited < 6000, "the scheduled article never came");
    }
}

#[tokio::test]
async fn the_feed_needs_a_partner_or_admin_and_refuses_bad_cursors() {
    let app = spawn_app().await;
    assert_problem(app.get("/api/v1/changes").await, 401, "token_missing").await;
    let editor = app.token(Role::Editor);
    let res = app
        .send(Call::new(Method::GET, "/api/v1/changes").token(&editor))
        .await;
    assert_eq!(res.status().as_u16(), 403);
    for role in [Role::Partner, Role::Admin] {
        let token = app.token(role);
        let page: Value = app
            .send_json(
                Call::new(Method::GET, "/api/v1/changes?limit=3").token(&token),
                200,
            )
            .await;
        assert_eq!(page["data"].as_array().unwrap().len(), 3);
        assert_eq!(page["data"][0]["change"], "upsert");
    }
    let partner = app.token(Role::Partner);
    for (bad, code) in [
        ("since=garbage", "invalid_cursor"),
        ("since=", "invalid_cursor"),
        ("since=Y2gxOi0x", "invalid_cursor"),
        ("limit=0", "invalid_parameters"),
        ("limit=501", "invalid_parameters"),
        ("limit=x", "invalid_parameters"),
    ] {
        let res = app
            .send(Call::new(Method::GET, format!("/api/v1/changes?{bad}")).token(&partner))
            .await;
        let problem = assert_problem(res, 400, code).await;
        assert_eq!(
            problem["errors"][0]["field"],
            bad.split('=').next().unwrap()
        );
    }
}
