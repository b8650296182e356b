//! `khabar copy`: a whole site into an empty database, run as the real
//! binary. SQLite -> PostgreSQL and back when `KHABAR_TEST_POSTGRES_URL` is
//! set; SQLite -> SQLite otherwise.

use std::process::Command;
use std::time::Duration;

use khabar::config::Settings;
use khabar::db::{Db, PoolSettings};
use khabar::domain::role::Role;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{fresh_database, spawn_on, spawn_with, Call, Spawn, TestApp};

const BIN: &str = env!("CARGO_BIN_EXE_khabar");

/// Comments go through at once (no flood control, nothing held for being
/// first, clients told apart by `X-Forwarded-For`); views are flushed only
/// when the test asks.
fn settings(s: &mut Settings) {
    s.comments.flood_interval = Duration::ZERO;
    s.comments.hold_first_time = false;
    s.comments.trust_forwarded = true;
    s.views.flush_interval = Duration::from_secs(3600);
    s.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
}

fn options(sqlite: bool, demo_articles: Option<usize>) -> Spawn {
    Spawn {
        demo_articles,
        sqlite,
        settings,
        ..Spawn::default()
    }
}

/// What the newsroom did on the source besides the seed.
struct Activity {
    editor: String,
    moderator: String,
    article: i64,
    old_slug: String,
}

/// A seeded site that has been used: an article edited (a revision, an old
/// slug), comments approved, pending and replied to (one sent with an
/// `Idempotency-Key`), views counted into their day buckets, tokens.
async fn used_site(sqlite: bool) -> (TestApp, Activity) {
    let app = spawn_with(options(sqlite, Some(30))).await;
    let editor = app.token(Role::Editor);
    let moderator = app.token(Role::Moderator);
    let created = app
        .create_article(
            &editor,
            json!({"title": "زلزال قوي يضرب الساحل السوري", "section_id": 1, "status": "published",
                   "summary": "هزة أرضية شعر بها سكان اللاذقية وطرطوس",
                   "body_html": "<p>ضرب زلزال قوي الساحل السوري فجر اليوم.</p>"}),
        )
        .await;
    let article = created["id"].as_i64().unwrap();
    let old_slug = created["slug"].as_str().unwrap().to_string();
    let (_, etag) = app.editor_view(&editor, article).await;
    app.send_json(
        Call::new(Method::PATCH, format!("/api/v1/articles/{article}"))
            .token(&editor)
            .if_match(etag)
            .json(json!({"slug": "zilzal-al-sahel", "title": "زلزال قوي يضرب الساحل السوري فجراً"})),
        200,
    )
    .await;

    let comment = |body: &str| json!({"author_name": "قارئ", "author_email": "reader@example.com", "body": body});
    let post = |body: Value, client: &'static str, key: Option<&'static str>| {
        let mut req = app
            .client
            .post(format!(
                "{}/api/v1/articles/{article}/comments",
                app.address
            ))
            .header("x-forwarded-for", client)
            .json(&body);
        if let Some(key) = key {
            req = req.header("idempotency-key", key);
        }
        req.send()
    };
    let first = post(comment("حمى الله أهلنا في الساحل"), "10.0.0.1", None)
        .await
        .unwrap();
    assert_eq!(first.status().as_u16(), 201);
    let first_id = first.json::<Value>().await.unwrap()["data"]["id"].clone();
    let mut reply = comment("آمين");
    reply["parent_id"] = first_id;
    let replied = post(reply, "10.0.0.2", Some("copy-test-key-1"))
        .await
        .unwrap();
    assert_eq!(replied.status().as_u16(), 201);
    // Three links: held for moderation (pending).
    let held = post(
        comment("http://a.example http://b.example http://c.example"),
        "10.0.0.3",
        None,
    )
    .await
    .unwrap();
    assert_eq!(held.status().as_u16(), 201);

    for n in 1..=5u32 {
        let res = app
            .client
            .post(format!("{}/api/v1/articles/{article}/views", app.address))
            .header("x-forwarded-for", format!("10.1.0.{n}"))
            .header(
                "user-agent",
                "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Firefox/128.0",
            )
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 200);
    }
    assert!(app.views.flush(&app.db).await.unwrap() > 0);
    (
        app,
        Activity {
            editor,
            moderator,
            article,
            old_slug,
        },
    )
}

/// Runs `khabar copy`; returns (success, stdout, stderr).
fn run_copy(from: &str, to: &str) -> (bool, String, String) {
    let out = Command::new(BIN)
        .args(["copy", "--from", from, "--to", to])
        // Not the copy's business: it must not need --database-url.
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// (source, target) of a table's line in the printed comparison.
fn printed_counts(stdout: &str, table: &str) -> (i64, i64, String) {
    let line = stdout
        .lines()
        .find(|l| l.split_whitespace().next() == Some(table))
        .unwrap_or_else(|| panic!("no line for {table}: {stdout}"));
    let cols: Vec<&str> = line.split_whitespace().collect();
    (
        cols[1].parse().unwrap(),
        cols[2].parse().unwrap(),
        cols[3..].join(" "),
    )
}

/// The body of a GET, with its status.
async fn get_as(app: &TestApp, path: &str, token: Option<&str>) -> (u16, String, Option<String>) {
    let mut call = Call::new(Method::GET, path);
    if let Some(token) = token {
        call = call.token(token);
    }
    let res = app.send(call).await;
    let location = res
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string());
    (res.status().as_u16(), res.text().await.unwrap(), location)
}

/// Copies a used site from one backend to the other and checks that the
/// copy serves the same answers, printed its comparison and takes new writes.
async fn copy_and_compare(source_sqlite: bool, target_sqlite: bool) {
    let (source, did) = used_site(source_sqlite).await;
    let (target_url, _pg_name, dir) = fresh_database(target_sqlite);

    let (ok, stdout, stderr) = run_copy(&source.database_url, &target_url);
    assert!(ok, "copy failed: {stdout}\n{stderr}");
    assert!(stdout.contains("the copy matches its source"), "{stdout}");
    for table in [
        "sections",
        "tags",
        "authors",
        "api_tokens",
        "articles",
        "article_stats",
        "article_tags",
        "article_authors",
        "article_slugs",
        "article_revisions",
        "article_views_daily",
        "article_changes",
        "comments",
        "idempotency_keys",
        "view_flush_batches",
    ] {
        let (from, to, note) = printed_counts(&stdout, table);
        assert!(from > 0 && from == to && note == "ok", "{table}: {stdout}");
    }
    let (_, indexed, _) = printed_counts(&stdout, "search_index");
    assert_eq!(indexed, printed_counts(&stdout, "articles").1, "{stdout}");
    let (from, to, _) = printed_counts(&stdout, "archive_counts");
    assert_eq!(from, to, "{stdout}");
    let checksums = stdout
        .lines()
        .find(|l| l.starts_with("article versions sha256"))
        .unwrap_or_else(|| panic!("no checksum line: {stdout}"));
    let words: Vec<&str> = checksums.split_whitespace().collect();
    assert_eq!(words[3], words[5], "{checksums}");
    assert_eq!(words.last(), Some(&"ok"), "{checksums}");

    let target = spawn_on(target_url, None, dir, options(target_sqlite, None)).await;
    let id = did.article;
    let public = [
        format!("/api/v1/articles/{id}"),
        "/api/v1/articles/zilzal-al-sahel".to_string(),
        "/api/v1/articles?per_page=50".to_string(),
        "/api/v1/articles?q=%D8%B2%D9%84%D8%B2%D8%A7%D9%84&per_page=50".to_string(), // q=زلزال
        "/api/v1/articles?q=%D8%A7%D9%84%D8%B3%D8%A7%D8%AD%D9%84&per_page=50".to_string(), // q=الساحل
        format!("/api/v1/articles/{id}/comments"),
        "/api/v1/archive".to_string(),
        "/api/v1/most-viewed?period=7d".to_string(),
        "/api/v1/sections".to_string(),
        "/api/v1/tags?per_page=100".to_string(),
        "/api/v1/authors?per_page=100".to_string(),
    ];
    for path in &public {
        let want = get_as(&source, path, None).await;
        let got = get_as(&target, path, None).await;
        assert_eq!(want.0, 200, "{path} on the source: {}", want.1);
        assert_eq!(got, want, "{path}");
    }
    // The search found the edited article on both.
    let found: Value = serde_json::from_str(&get_as(&target, &public[3], None).await.1).unwrap();
    assert!(found["data"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["id"] == id));
    // The old slug still redirects to the new one.
    let old = format!("/api/v1/articles/{}", percent(&did.old_slug));
    let (status, _, location) = get_as(&target, &old, None).await;
    assert_eq!(status, 301);
    assert_eq!(
        (status, location.clone()),
        (
            get_as(&source, &old, None).await.0,
            get_as(&source, &old, None).await.2
        )
    );
    // The tokens were copied: the source's tokens work on the target.
    for (path, token) in [
        (format!("/api/v1/articles/{id}/revisions"), &did.editor),
        (
            "/api/v1/moderation/comments?status=pending".to_string(),
            &did.moderator,
        ),
    ] {
        let want = get_as(&source, &path, Some(token)).await;
        assert_eq!(want.0, 200, "{path}: {}", want.1);
        assert_eq!(get_as(&target, &path, Some(token)).await, want, "{path}");
    }
    // Ids go on after the copied ones (PostgreSQL sequences were reset).
    let max_id = *source
        .published_ids()
        .iter()
        .chain(&source.draft_ids())
        .max()
        .unwrap();
    let new = target
        .create_article(
            &did.editor,
            json!({"title": "خبر بعد النقل", "section_id": 1, "body_html": "<p>نص</p>"}),
        )
        .await;
    assert_eq!(new["id"].as_i64().unwrap(), max_id + 1);
    let reply = target
        .post_comment(id, "10.0.0.9", json!({"author_name": "قارئ آخر", "author_email": "other@example.com", "body": "تعليق بعد النقل"}))
        .await;
    assert_eq!(reply.status().as_u16(), 201);
}

fn percent(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

#[tokio::test]
async fn sqlite_to_the_test_backend_serves_the_same_answers() {
    copy_and_compare(true, false).await;
}

#[tokio::test]
async fn the_test_backend_to_sqlite_serves_the_same_answers() {
    copy_and_compare(false, true).await;
}

#[tokio::test]
async fn between_two_databases_of_the_test_backend() {
    copy_and_compare(false, false).await;
}

/// Rows of every table `copy` fills, straight from a database.
fn stored_rows(url: &str) -> Vec<(&'static str, i64)> {
    let db = Db::connect(
        url,
        &PoolSettings {
            max_size: 1,
            checkout_timeout: Duration::from_secs(5),
        },
        false,
    )
    .unwrap();
    let mut tables = khabar::service::copy::COPIED_TABLES.to_vec();
    tables.push("archive_counts");
    db.run_blocking(|conn| {
        tables
            .iter()
            .map(|t| (*t, khabar::repo::copy::count_rows(conn, t).unwrap()))
            .collect()
    })
    .unwrap()
}

#[tokio::test]
async fn a_target_with_rows_is_refused_and_left_alone() {
    let source = spawn_with(options(true, Some(5))).await;
    let target = spawn_with(options(false, Some(3))).await;
    let before = stored_rows(&target.database_url);
    let (ok, stdout, stderr) = run_copy(&source.database_url, &target.database_url);
    assert!(!ok, "{stdout}");
    assert!(
        stderr.starts_with("khabar: error: the target database is not empty (sections: "),
        "{stderr}"
    );
    assert!(stderr.contains("articles: 4 rows"), "{stderr}");
    assert_eq!(stored_rows(&target.database_url), before);
    // Nor is a source copied onto itself.
    let (ok, _, stderr) = run_copy(&source.database_url, &source.database_url);
    assert!(!ok && stderr.contains("the same database"), "{stderr}");
    // A missing SQLite source is not created.
    let (ok, _, stderr) = run_copy("sqlite:///nonexistent-dir/none.db", &target.database_url);
    assert!(!ok && stderr.contains("does not exist"), "{stderr}");
    // A source that is not at this version's schema: not khabar's at all, …
    let dir = tempfile::tempdir().unwrap();
    let blank = dir.path().join("blank.db");
    std::fs::File::create(&blank).unwrap();
    let (fresh_url, _pg_name, _fresh_dir) = fresh_database(false);
    let (ok, _, stderr) = run_copy(&format!("sqlite://{}", blank.display()), &fresh_url);
    assert!(
        !ok && stderr.contains("migration(s) of this khabar version not run"),
        "{stderr}"
    );
    // … or migrated by a newer khabar (this one would miss what it added).
    source
        .db
        .run_blocking(|conn| {
            use diesel::RunQueryDsl;
            diesel::sql_query(
                "INSERT INTO __diesel_schema_migrations (version) VALUES ('29991231000000')",
            )
            .execute(conn)
        })
        .unwrap()
        .unwrap();
    let (ok, _, stderr) = run_copy(&source.database_url, &fresh_url);
    assert!(
        !ok && stderr.contains("migrated by a newer khabar"),
        "{stderr}"
    );
    // Refused before anything was written: not even the target's migrations ran.
    let db = Db::connect(
        &fresh_url,
        &PoolSettings {
            max_size: 1,
            checkout_timeout: Duration::from_secs(5),
        },
        false,
    )
    .unwrap();
    let tables = db
        .run_blocking(|conn| {
            khabar::repo::copy::existing_tables(conn, khabar::service::copy::COPIED_TABLES)
        })
        .unwrap()
        .unwrap();
    assert_eq!(tables, Vec::<String>::new());
}

#[tokio::test]
async fn a_failure_part_way_leaves_the_target_empty_and_a_retry_works() {
    let source = spawn_with(options(true, Some(20))).await;
    // A comment of an article that is gone, written while SQLite's foreign
    // keys were off (as a hand repair might): the target refuses it, after
    // the articles and most other tables went in.
    let orphan = |conn: &mut khabar::db::DbConnection, sql: &str| {
        use diesel::RunQueryDsl;
        diesel::sql_query("PRAGMA foreign_keys = OFF").execute(conn)?;
        diesel::sql_query(sql).execute(conn)?;
        diesel::sql_query("PRAGMA foreign_keys = ON").execute(conn)
    };
    source
        .db
        .run_blocking(|conn| {
            orphan(
                conn,
                "INSERT INTO comments (id, article_id, parent_id, depth, author_name, \
                 author_email, body, status, ip_hash, created_at, updated_at) VALUES \
                 (900, 99999, NULL, 0, 'x', 'x@example.com', 'orphan', 'approved', 'h', \
                 '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
            )
        })
        .unwrap()
        .unwrap();
    let (target_url, _pg_name, _dir) = fresh_database(false);
    let (ok, stdout, stderr) = run_copy(&source.database_url, &target_url);
    assert!(!ok, "{stdout}");
    assert!(
        stderr.contains("copying comments failed, the target was left empty"),
        "{stderr}"
    );
    let left = stored_rows(&target_url);
    assert!(left.iter().all(|(_, n)| *n == 0), "{left:?}");

    source
        .db
        .run_blocking(|conn| orphan(conn, "DELETE FROM comments WHERE id = 900"))
        .unwrap()
        .unwrap();
    let (ok, stdout, stderr) = run_copy(&source.database_url, &target_url);
    assert!(ok, "{stdout}\n{stderr}");
    let copied = stored_rows(&target_url);
    assert_eq!(copied, stored_rows(&source.database_url));
    assert!(copied.contains(&("articles", 21)), "{copied:?}");
}
