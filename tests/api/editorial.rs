//! The editorial write API: validation, sanitising, slugs, versions,
//! revisions, scheduling, soft deletes, and reads that follow every write.

use std::time::Duration;

use khabar::domain::role::Role;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{assert_problem, spawn_app, spawn_with, Call, Spawn, TestApp};

fn percent(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

fn patch<'a>(id: i64, token: &'a str, etag: &str, body: Value) -> Call<'a> {
    Call::new(Method::PATCH, format!("/api/v1/articles/{id}"))
        .token(token)
        .json(body)
        .if_match(etag)
}

async fn public_ids(app: &TestApp, query: &str) -> Vec<i64> {
    let body = app
        .get_json(&format!("/api/v1/articles?per_page=100{query}"), 200)
        .await;
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn a_draft_is_invisible_until_published_and_every_edit_shows_on_the_next_read() {
    let app = spawn_app().await;
    let editor = app.token(Role::Editor);
    let draft = app
        .create_article(
            &editor,
            json!({
                "title": "وزير الدفاع يلتقي نظيره في دمشق",
                "section_id": 1,
                "summary": "لقاء ثنائي",
                "body_html": "<p>الفقرة الأولى.</p><p>الفقرة الثانية.</p>",
                "tag_ids": [1, 2],
                "byline": "فريق ماسة",
                "source": {"name": "الماسة السورية", "url": "https://example.sy/a"},
                "image": {"url": "https://example.sy/i.jpg", "caption": "صورة"},
            }),
        )
        .await;
    let id = draft["id"].as_i64().unwrap();
    assert_eq!(draft["status"], "draft");
    assert_eq!(draft["version"], 1);
    assert_eq!(draft["published_at"], Value::Null);
    assert_eq!(draft["slug"], "وزير-الدفاع-يلتقي-نظيره-في-دمشق");
    assert_eq!(draft["body_text"], "الفقرة الأولى.\n\nالفقرة الثانية.");
    assert_eq!(draft["source"]["name"], "الماسة السورية");
    assert_eq!(draft["tags"].as_array().unwrap().len(), 2);

    // Public: not found, not listed. Editors: found, listed as drafts.
    assert_problem(
        app.get(&format!("/api/v1/articles/{id}")).await,
        404,
        "article_not_found",
    )
    .await;
    assert!(!public_ids(&app, "").await.contains(&id));
    let drafts = app
        .send_json(
            Call::new(Method::GET, "/api/v1/articles?status=draft&per_page=100").token(&editor),
            200,
        )
        .await;
    let first = &drafts["data"][0];
    assert_eq!(first["id"], id, "newest draft first");
    assert_eq!(first["status"], "draft");
    assert_eq!(first["version"], 1, "lists show editors the version too");

    // Publishing is a status change; published_at is set then.
    let published = app
        .send_json(
            patch(id, &editor, "\"v1\"", json!({"status": "published"})),
            200,
        )
        .await;
    assert_eq!(published["data"]["status"], "published");
    assert!(published["data"]["published_at"].is_string());
    let public = app.get_json(&format!("/api/v1/articles/{id}"), 200).await;
    assert_eq!(public["data"]["title"], "وزير الدفاع يلتقي نظيره في دمشق");
    assert!(public["data"].get("status").is_none());
    assert_eq!(public_ids(&app, "").await[0], id);

    // An edit shows on the very next public read; updated_at moves.
    let before = public["data"]["updated_at"].clone();
    tokio::time::sleep(Duration::from_millis(5)).await;
    let res = app
        .send(patch(
            id,
            &editor,
            "\"v2\"",
            json!({"title": "عنوان مصحح", "tag_ids": [3]}),
        ))
        .await;
    assert_eq!(res.headers()["etag"], "\"v3\"");
    let public = app.get_json(&format!("/api/v1/articles/{id}"), 200).await;
    assert_eq!(public["data"]["title"], "عنوان مصحح");
    assert_ne!(public["data"]["updated_at"], before);
    // The slug is stable when the title changes.
    assert_eq!(public["data"]["slug"], "وزير-الدفاع-يلتقي-نظيره-في-دمشق");
    // Tag links and their read copy moved together.
    let tag3 = app.get_json("/api/v1/tags?per_page=100", 200).await["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == 3)
        .unwrap()["slug"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(public["data"]["tags"][0]["slug"], tag3.as_str());
    assert!(public_ids(&app, &format!("&tag={}", percent(&tag3)))
        .await
        .contains(&id));
    let tag1 = app.get_json("/api/v1/tags?per_page=100", 200).await["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == 1)
        .unwrap()["slug"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(!public_ids(&app, &format!("&tag={}", percent(&tag1)))
        .await
        .contains(&id));

    // Unpublishing hides it again at once.
    app.send_json(
        patch(id, &editor, "\"v3\"", json!({"status": "draft"})),
        200,
    )
    .await;
    assert_problem(
        app.get(&format!("/api/v1/articles/{id}")).await,
        404,
        "article_not_found",
    )
    .await;
}

#[tokio::test]
async fn every_bad_field_is_listed_in_one_422_in_either_language() {
    let app = spawn_app().await;
    let editor = app.token(Role::Editor);
    let bad = json!({
        "title": "",
        "section_id": 99999,
        "summary": "س".repeat(1001),
        "tag_ids": [1, 88888],
        "author_ids": [77777],
        "canonical_url": "javascript:alert(1)",
        "image": {"url": "ftp://example.sy/x.jpg"},
        "source": {"name": "مصدر", "url": "data:text/html,hi"},
        "language": "Arabic",
        "slug": "Not A Slug",
        "status": "published",
    });
    let res = app
        .send(
            Call::new(Method::POST, "/api/v1/articles")
                .token(&editor)
                .json(bad.clone()),
        )
        .await;
    let body = assert_problem(res, 422, "validation_failed").await;
    let fields: Vec<(&str, &str)> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    for expected in [
        ("title", "invalid_length"),
        ("section_id", "unknown_section"),
        ("summary", "invalid_length"),
        ("tag_ids[1]", "unknown_tag"),
        ("author_ids[0]", "unknown_author"),
        ("canonical_url", "invalid_url"),
        ("image.url", "invalid_url"),
        ("source.url", "invalid_url"),
        ("language", "invalid_language"),
        ("slug", "invalid_slug"),
        ("body_html", "required_to_publish"),
    ] {
        assert!(
            fields.contains(&expected),
            "{expected:?} missing from {fields:?}"
        );
    }
    // Arabic messages on request.
    let res = app
        .client
        .post(format!("{}/api/v1/articles", app.address))
        .bearer_auth(&editor)
        .header("accept-language", "ar")
        .json(&bad)
        .send()
        .await
        .unwrap();
    let body = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(body["title"], "فشل التحقق");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("يجب"),
        "{body}"
    );

    // Required fields.
    let res = app
        .send(
            Call::new(Method::POST, "/api/v1/articles")
                .token(&editor)
                .json(json!({})),
        )
        .await;
    let body = assert_problem(res, 422, "validation_failed").await;
    let required: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["code"] == "required")
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(
        required.contains(&"title") && required.contains(&"section_id"),
        "{body}"
    );

    // Nothing was written.
    let drafts = app
        .send_json(
            Call::new(Method::GET, "/api/v1/articles?status=draft&per_page=100").token(&editor),
            200,
        )
        .await;
    let count_before = drafts["data"].as_array().unwrap().len();
    assert_eq!(count_before, app.draft_ids().len());
}

#[tokio::test]
async fn malformed_bodies_are_problems_never_500s() {
    let app = spawn_app().await;
    let editor = app.token(Role::Editor);
    let url = format!("{}/api/v1/articles", app.address);
    // Mass assignment of fields this route does not take: 400 naming the field.
    for field in ["id", "view_count", "comment_count", "version", "created_at"] {
        let mut body = json!({"title": "x", "section_id": 1});
        body[field] = json!(5);
        let res = app
            .send(
                Call::new(Method::POST, "/api/v1/articles")
                    .token(&editor)
                    .json(body),
            )
            .await;
        let problem = assert_problem(res, 400, "invalid_parameters").await;
        assert_eq!(problem["errors"][0]["field"], field);
        assert_eq!(problem["errors"][0]["code"], "unknown_field");
    }
    let send = |content_type: &'static str, body: Vec<u8>| {
        app.client
            .post(&url)
            .bearer_auth(&editor)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let res = send("application/json", b"{\"title\": ".to_vec())
        .await
        .unwrap();
    assert_problem(res, 400, "invalid_parameters").await;
    let res = send(
        "application/json",
        b"{\"title\": 5, \"section_id\": 1}".to_vec(),
    )
    .await
    .unwrap();
    assert_problem(res, 400, "invalid_parameters").await;
    let res = send(
        "text/plain",
        b"{\"title\": \"x\", \"section_id\": 1}".to_vec(),
    )
    .await
    .unwrap();
    assert_problem(res, 415, "unsupported_media_type").await;
    let res = send("application/x-www-form-urlencoded", b"title=x".to_vec())
        .await
        .unwrap();
    assert_problem(res, 415, "unsupported_media_type").await;
    let huge = format!(
        "{{\"title\": \"x\", \"section_id\": 1, \"body_html\": \"{}\"}}",
        "a".repeat(1_100_000)
    );
    let res = send("application/json", huge.into_bytes()).await.unwrap();
    assert_problem(res, 413, "payload_too_large").await;
    // JSON merge-patch is accepted for PATCH.
    let res = app
        .client
        .patch(format!("{url}/2"))
        .bearer_auth(&editor)
        .header("content-type", "application/merge-patch+json")
        .header("if-match", "\"v1\"")
        .body("{\"summary\": \"ملخص\"}")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    // Control characters (a NUL breaks PostgreSQL text) never reach the database.
    let made = app
        .create_article(
            &editor,
            json!({"title": "a\u{0}b", "section_id": 1, "body_html": "<p>x\u{0}y</p>"}),
        )
        .await;
    assert_eq!(made["title"], "ab");
    assert!(!made["body_html"].as_str().unwrap().contains('\u{0}'));
    let res = app
        .send(
            Call::new(Method::POST, "/api/v1/articles")
                .token(&editor)
                .json(json!({"title": "a\u{7}b", "section_id": 1, "slug": "a\u{0}b"})),
        )
        .await;
    let body = assert_problem(res, 422, "validation_failed").await;
    let codes: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["invalid_characters", "invalid_slug"], "{body}");
}

fn dangerous(text: &str) -> Option<&'static str> {
    let lower = text.to_lowercase();
    [
        "<script",
        "javascript:",
        "vbscript:",
        "data:",
        "onerror",
        "onload",
        "ontoggle",
        "onstart",
        "style=",
        "<iframe",
        "<object",
        "<embed",
        "<svg",
        "<math",
        "<form",
        "<input",
        "<meta",
        "<link",
        "<base",
        "<style",
        "expression(",
    ]
    .into_iter()
    .find(|marker| lower.contains(marker))
}

#[tokio::test]
async fn no_known_xss_vector_survives_in_the_body_the_title_or_the_summary() {
    let app = spawn_app().await;
    let editor = app.token(Role::Editor);
    let vectors: Vec<&str> = include_str!("../data/xss_vectors.txt")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .collect();
    assert!(vectors.len() >= 20);
    for (i, vector) in vectors.iter().enumerate() {
        let res = app
            .send(
                Call::new(Method::POST, "/api/v1/articles")
                    .token(&editor)
                    .json(json!({
                        "title": format!("عنوان {i} {vector}"),
                        "summary": vector,
                        "body_html": format!("<p>نص</p>{vector}"),
                        "section_id": 1,
                        "status": "published",
                    })),
            )
            .await;
        assert_eq!(res.status().as_u16(), 201, "{vector}");
        let created: Value = res.json().await.unwrap();
        let id = created["data"]["id"].as_i64().unwrap();
        // What readers get, straight from the public route.
        let public = app.get_json(&format!("/api/v1/articles/{id}"), 200).await;
        for field in ["title", "summary", "body_html", "body_text"] {
            let value = public["data"][field].as_str().unwrap();
            assert_eq!(
                dangerous(value),
                None,
                "vector {vector:?} survived in {field}: {value:?}"
            );
            if field != "body_html" {
                assert!(
                    !value.contains('<') || !value.contains('>'),
                    "markup in {field}: {value:?}"
                );
            }
        }
    }
}

#[tokio::test]
async fn slugs_keep_arabic_stay_unique_stable_and_redirect_when_changed() {
    let app = spawn_app().await;
    let editor = app.token(Role::Editor);
    let body = json!({"title": "أخبار: الطقس في دمشق!", "section_id": 1, "body_html": "<p>نص</p>", "status": "published"});
    let first = app.create_article(&editor, body.clone()).await;
    let second = app.create_article(&editor, body.clone()).await;
    let third = app.create_article(&editor, body.clone()).await;
    assert_eq!(first["slug"], "أخبار-الطقس-في-دمشق");
    assert_eq!(second["slug"], "أخبار-الطقس-في-دمشق-2");
    assert_eq!(third["slug"], "أخبار-الطقس-في-دمشق-3");
    // An explicit slug that is taken is a 409.
    let res = app
        .send(
            Call::new(Method::POST, "/api/v1/articles")
                .token(&editor)
                .json(json!({"title": "x", "section_id": 1, "slug": "أخبار-الطقس-في-دمشق"})),
        )
        .await;
    assert_problem(res, 409, "slug_taken").await;

    // Changing the slug: the old one answers 301 to the new one, and stays reserved.
    let id = first["id"].as_i64().unwrap();
    app.send_json(
        patch(id, &editor, "\"v1\"", json!({"slug": "weather-damascus"})),
        200,
    )
    .await;
    let res = app
        .get(&format!(
            "/api/v1/articles/{}?fields=title",
            percent("أخبار-الطقس-في-دمشق")
        ))
        .await;
    assert_eq!(res.status().as_u16(), 301);
    assert_eq!(
        res.headers()["location"],
        "/api/v1/articles/weather-damascus?fields=title"
    );
    app.get_json("/api/v1/articles/weather-damascus", 200).await;
    let fourth = app.create_article(&editor, body.clone()).await;
    assert_eq!(
        fourth["slug"], "أخبار-الطقس-في-دمشق-4",
        "an old slug stays reserved"
    );
    let res = app
        .send(patch(
            second["id"].as_i64().unwrap(),
            &editor,
            "\"v1\"",
            json!({"slug": "أخبار-الطقس-في-دمشق"}),
        ))
        .await;
    assert_problem(res, 409, "slug_taken").await;
    // The article may take its own old slug back.
    app.send_json(
        patch(
            id,
            &editor,
            "\"v2\"",
            json!({"slug": "أخبار-الطقس-في-دمشق"}),
        ),
        200,
    )
    .await;
    app.get_json(
        &format!("/api/v1/articles/{}", percent("أخبار-الطقس-في-دمشق")),
        200,
    )
    .await;
    let res = app.get("/api/v1/articles/weather-damascus").await;
    assert_eq!(res.status().as_u16(), 301);
}

#[tokio::test]
async fn if_match_guards_every_edit_and_exactly_one_of_fifty_racing_edits_wins() {
    let app = spawn_with(Spawn {
        pool_size: 8,
        ..Spawn::default()
    })
    .await;
    let editor = app.token(Role::Editor);
    // The public answer's tag starts with the version (then a hash that
    // follows its live counters).
    let res = app.get("/api/v1/articles/2").await;
    assert!(res.headers()["etag"]
        .to_str()
        .unwrap()
        .starts_with("\"v1-h"));
    let original = app.editor_view(&editor, 2).await.0;

    // Without If-Match: 428; with a stale one: 412 carrying the current ETag.
    let res = app
        .send(
            Call::new(Method::PATCH, "/api/v1/articles/2")
                .token(&editor)
                .json(json!({"title": "x"})),
        )
        .await;
    assert_problem(res, 428, "if_match_required").await;
    let res = app
        .send(patch(2, &editor, "\"v7\"", json!({"title": "x"})))
        .await;
    assert_eq!(res.headers()["etag"], "\"v1\"");
    assert_problem(res, 412, "version_mismatch").await;
    let res = app
        .send(patch(2, &editor, "W/\"v1\"", json!({"title": "x"})))
        .await;
    assert_problem(res, 412, "version_mismatch").await;
    let res = app
        .send(Call::new(Method::DELETE, "/api/v1/articles/2").token(&editor))
        .await;
    assert_problem(res, 428, "if_match_required").await;
    assert_eq!(
        app.editor_view(&editor, 2).await.0,
        original,
        "refused edits changed nothing"
    );

    // Fifty editors race on version 1.
    let calls = (0..50).map(|i| {
        let app = &app;
        let editor = &editor;
        async move {
            app.send(patch(
                2,
                editor,
                "\"v1\"",
                json!({"title": format!("نسخة {i}")}),
            ))
            .await
            .status()
            .as_u16()
        }
    });
    let statuses = futures_join_all(calls).await;
    let ok = statuses.iter().filter(|s| **s == 200).count();
    let stale = statuses.iter().filter(|s| **s == 412).count();
    assert_eq!((ok, stale), (1, 49), "{statuses:?}");
    let (after, etag) = app.editor_view(&editor, 2).await;
    assert_eq!(etag, "\"v2\"");
    assert_eq!(after["version"], 2);
    let revisions = app
        .send_json(
            Call::new(Method::GET, "/api/v1/articles/2/revisions").token(&editor),
            200,
        )
        .await;
    assert_eq!(revisions["data"].as_array().unwrap().len(), 1);

    // An edit that changes nothing keeps the version and makes no revision.
    app.send_json(
        patch(2, &editor, "\"v2\"", json!({"title": after["title"]})),
        200,
    )
    .await;
    assert_eq!(app.editor_view(&editor, 2).await.1, "\"v2\"");
    // `*` matches whatever version is current.
    app.send_json(patch(2, &editor, "*", json!({"summary": "ملخص جديد"})), 200)
        .await;
    assert_eq!(app.editor_view(&editor, 2).await.1, "\"v3\"");
}

/// Runs the futures concurrently (no extra dependency for one helper).
async fn futures_join_all<F: std::future::Future<Output = u16>>(
    futures: impl Iterator<Item = F>,
) -> Vec<u16> {
    let mut set = Vec::new();
    for f in futures {
        set.push(Box::pin(f));
    }
    let mut out = vec![0; set.len()];
    let mut pending: Vec<usize> = (0..set.len()).collect();
    std::future::poll_fn(|cx| {
        pending.retain(|&i| match set[i].as_mut().poll(cx) {
            std::task::Poll::Ready(v) => {
                out[i] = v;
                false
            }
            std::task::Poll::Pending => true,
        });
        if pending.is_empty() {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    out
}

#[tokio::test]
async fn revisions_keep_who_when_what_and_the_version_replaced() {
    let app = spawn_app().await;
    let editor = app.token(Role::Editor);
    let original = app.editor_view(&editor, 2).await.0;
    app.send_json(
        patch(2, &editor, "\"v1\"", json!({"title": "عنوان أول"})),
        200,
    )
    .await;
    app.send_json(
        patch(
            2,
            &editor,
            "\"v2\"",
            json!({"summary": "ملخص", "body_html": "<p>متن جديد</p>"}),
        ),
        200,
    )
    .await;
    let list = app
        .send_json(
            Call::new(Method::GET, "/api/v1/articles/2/revisions").token(&editor),
            200,
        )
        .await;
    let items = list["data"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["number"], 2, "newest first");
    assert_eq!(items[0]["version"], 2);
    assert_eq!(items[0]["changed_fields"], json!(["summary", "body_html"]));
    assert_eq!(items[1]["changed_fields"], json!(["title"]));
    assert_eq!(items[1]["editor"]["name"], "test");
    assert!(items[1]["created_at"].is_string());
    let first = app
        .send_json(
            Call::new(Method::GET, "/api/v1/articles/2/revisions/1").token(&editor),
            200,
        )
        .await;
    assert_eq!(first["data"]["article"]["title"], original["title"]);
    assert_eq!(first["data"]["article"]["body_text"], original["body_text"]);
    // Times in a kept version are RFC 3339 UTC like the article's own.
    assert_eq!(
        first["data"]["article"]["published_at"],
        original["published_at"]
    );
    assert!(first["data"]["article"]["published_at"]
        .as_str()
        .unwrap()
        .ends_with('Z'));
    let second = app
        .send_json(
            Call::new(Method::GET, "/api/v1/articles/2/revisions/2").token(&editor),
            200,
        )
        .await;
    assert_eq!(second["data"]["article"]["title"], "عنوان أول");
    assert_problem(
        app.send(Call::new(Method::GET, "/api/v1/articles/2/revisions/3").token(&editor))
            .await,
        404,
        "revision_not_found",
    )
    .await;
    assert_problem(
        app.send(Call::new(Method::GET, "/api/v1/articles/999999/revisions").token(&editor))
            .await,
        404,
        "article_not_found",
    )
    .await;
}

#[tokio::test]
async fn a_scheduled_article_appears_when_its_time_comes_without_a_job() {
    let app = spawn_app().await;
    let editor = app.token(Role::Editor);
    let at = chrono::Utc::now() + chrono::Duration::milliseconds(1500);
    let created = app
        .create_article(
            &editor,
            json!({"title": "خبر تحت الحظر", "section_id": 1, "body_html": "<p>نص</p>", "status": "published",
                   "published_at": at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)}),
        )
        .await;
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["status"], "scheduled");
    assert_problem(
        app.get(&format!("/api/v1/articles/{id}")).await,
        404,
        "article_not_found",
    )
    .await;
    assert!(!public_ids(&app, "").await.contains(&id));
    let scheduled = app
        .send_json(
            Call::new(Method::GET, "/api/v1/articles?status=scheduled").token(&editor),
            200,
        )
        .await;
    assert_eq!(scheduled["data"][0]["id"], id);
    let wait = at - chrono::Utc::now() + chrono::Duration::milliseconds(100);
    tokio::time::sleep(wait.to_std().unwrap_or_default()).await;
    app.get_json(&format!("/api/v1/articles/{id}"), 200).await;
    assert_eq!(public_ids(&app, "").await[0], id);
    let scheduled = app
        .send_json(
            Call::new(Method::GET, "/api/v1/articles?status=scheduled").token(&editor),
            200,
        )
        .await;
    assert!(scheduled["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["id"] != id));
}

#[tokio::test]
async fn a_deleted_article_leaves_every_read_at_once_and_keeps_its_slug() {
    // With the answer cache on: the write must still show on the next read.
    let app = spawn_with(Spawn {
        cache_ttl: Duration::from_secs(60),
        ..Spawn::default()
    })
    .await;
    let editor = app.token(Role::Editor);
    let id = app.published_ids()[5];
    let path = format!("/api/v1/articles/{id}");
    for _ in 0..3 {
        app.get_json(&path, 200).await;
        public_ids(&app, "").await;
    }
    assert_eq!(app.get(&path).await.headers()["x-cache"], "hit");
    let other = format!("/api/v1/articles/{}", app.published_ids()[6]);
    for _ in 0..2 {
        app.get_json(&other, 200).await;
    }
    let (view, etag) = app.editor_view(&editor, id).await;
    app.send_json(
        patch(id, &editor, &etag, json!({"title": "عنوان بعد التصحيح"})),
        200,
    )
    .await;
    assert_eq!(
        app.get_json(&path, 200).await["data"]["title"],
        "عنوان بعد التصحيح"
    );
    // An edit of one story leaves other cached answers alone.
    assert_eq!(app.get(&other).await.headers()["x-cache"], "hit");
    let etag = app.editor_view(&editor, id).await.1;
    app.send_json(
        Call::new(Method::DELETE, path.clone())
            .token(&editor)
            .if_match(etag),
        204,
    )
    .await;
    assert_problem(app.get(&path).await, 404, "article_not_found").await;
    assert!(!public_ids(&app, "").await.contains(&id));
    assert_problem(
        app.send(Call::new(Method::GET, path.clone()).token(&editor))
            .await,
        404,
        "article_not_found",
    )
    .await;
    // Its slug stays reserved; its revisions stay readable.
    let res = app
        .send(
            Call::new(Method::POST, "/api/v1/articles")
                .token(&editor)
                .json(json!({"title": "x", "section_id": 1, "slug": view["slug"]})),
        )
        .await;
    assert_problem(res, 409, "slug_taken").await;
    let revisions = app
        .send_json(
            Call::new(Method::GET, format!("{path}/revisions")).token(&editor),
            200,
        )
        .await;
    assert_eq!(revisions["data"][0]["changed_fields"], json!(["deleted"]));
}

#[tokio::test]
async fn taxonomy_writes_show_at_once_and_sections_in_use_are_kept() {
    let app = spawn_with(Spawn {
        cache_ttl: Duration::from_secs(60),
        ..Spawn::default()
    })
    .await;
    let editor = app.token(Role::Editor);
    let path = "/api/v1/articles/1";
    for _ in 0..3 {
        app.get_json(path, 200).await;
    }
    let tags = app.get_json(path, 200).await["data"]["tags"].clone();
    let iran = tags
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["slug"] == "iran")
        .expect("the seed article is tagged iran");
    assert_eq!(iran["name"], "إيران");
    // A rename is visible on the very next read, cache or not.
    app.send_json(
        Call::new(Method::PATCH, "/api/v1/tags/iran")
            .token(&editor)
            .json(json!({"name": "الجمهورية الإسلامية"})),
        200,
    )
    .await;
    let tags = app.get_json(path, 200).await["data"]["tags"].clone();
    assert!(
        tags.as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == "الجمهورية الإسلامية"),
        "{tags}"
    );
    // Deleting a tag takes it off its articles (links and read copy).
    app.send_json(
        Call::new(Method::DELETE, "/api/v1/tags/iran").token(&editor),
        204,
    )
    .await;
    let article = app.get_json(path, 200).await;
    assert!(article["data"]["tags"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["slug"] != "iran"));
    assert!(public_ids(&app, "&tag=iran").await.is_empty());
    assert_problem(app.get("/api/v1/tags/iran").await, 404, "tag_not_found").await;

    // A section with articles cannot go; the answer says how many.
    let res = app
        .send(Call::new(Method::DELETE, "/api/v1/sections/politics").token(&editor))
        .await;
    let body = assert_problem(res, 409, "section_not_empty").await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .chars()
            .any(|c| c.is_ascii_digit()),
        "{body}"
    );
    app.get_json("/api/v1/sections/politics", 200).await;
    // A section renamed shows renamed on its articles; a new empty one can go.
    app.send_json(
        Call::new(Method::PATCH, "/api/v1/sections/politics")
            .token(&editor)
            .json(json!({"name": "السياسة"})),
        200,
    )
    .await;
    assert_eq!(
        app.get_json(path, 200).await["data"]["section"]["name"],
        "السياسة"
    );
    let made = app
        .send_json(
            Call::new(Method::POST, "/api/v1/sections")
                .token(&editor)
                .json(json!({"name": "رياضة محلية"})),
            201,
        )
        .await;
    assert_eq!(made["data"]["slug"], "رياضة-محلية");
    let res = app
        .send(
            Call::new(Method::POST, "/api/v1/sections")
                .token(&editor)
                .json(json!({"name": "x", "slug": "politics"})),
        )
        .await;
    assert_problem(res, 409, "slug_taken").await;
    let res = app
        .send(
            Call::new(Method::POST, "/api/v1/tags")
                .token(&editor)
                .json(json!({"slug": "x"})),
        )
        .await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "name");
    app.send_json(
        Call::new(
            Method::DELETE,
            format!("/api/v1/sections/{}", percent("رياضة-محلية")),
        )
        .token(&editor),
        204,
    )
    .await;
    // Authors: deleting one removes the credit, not the byline.
    let credited = app.get_json("/api/v1/articles?per_page=100", 200).await["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| !a["authors"].as_array().unwrap().is_empty())
        .cloned()
        .unwrap();
    let author_id = credited["authors"][0]["id"].as_i64().unwrap();
    app.send_json(
        Call::new(Method::DELETE, format!("/api/v1/authors/{author_id}")).token(&editor),
        204,
    )
    .await;
    let after = app
        .get_json(&format!("/api/v1/articles/{}", credited["id"]), 200)
        .await;
    assert!(after["data"]["authors"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["id"] != author_id));
    assert_eq!(after["data"]["byline"], credited["byline"]);
}

/// Whether the public list with `query` shows `id` on its first 100 items,
/// for a tag's query and then for an author's.
async fn on_pages(app: &TestApp, queries: &[String; 2], id: i64) -> (bool, bool) {
    (
        public_ids(app, &queries[0]).await.contains(&id),
        public_ids(app, &queries[1]).await.contains(&id),
    )
}

#[tokio::test]
async fn tag_and_author_pages_follow_publish_unpublish_and_delete() {
    // Their pages are read from the link rows alone, which keep a time only
    // while the article is published: every status change must move it.
    let app = spawn_app().await;
    let editor = app.token(Role::Editor);
    let tag = app.get_json("/api/v1/tags?per_page=100", 200).await["data"][0].clone();
    let author = app.get_json("/api/v1/authors?per_page=100", 200).await["data"][0].clone();
    let queries = [
        format!("&tag={}", percent(tag["slug"].as_str().unwrap())),
        format!("&author={}", author["id"]),
    ];
    let total_path = format!("/api/v1/articles?include_total=true{}", queries[0]);
    let draft = app
        .create_article(
            &editor,
            json!({
                "title": "خبر على وسم وكاتب",
                "section_id": 1,
                "summary": "ملخص",
                "body_html": "<p>نص.</p>",
                "tag_ids": [tag["id"]],
                "author_ids": [author["id"]],
            }),
        )
        .await;
    let id = draft["id"].as_i64().unwrap();
    assert_eq!(
        on_pages(&app, &queries, id).await,
        (false, false),
        "a draft"
    );
    for (version, status, shown) in [
        (1, "published", true),
        (2, "draft", false),
        (3, "published", true),
    ] {
        app.send_json(
            patch(
                id,
                &editor,
                &format!("\"v{version}\""),
                json!({"status": status}),
            ),
            200,
        )
        .await;
        assert_eq!(
            on_pages(&app, &queries, id).await,
            (shown, shown),
            "{status}"
        );
    }
    // Totals are counted from the same rows.
    let published_total = app.get_json(&total_path, 200).await["meta"]["total"].clone();
    app.send_json(
        Call::new(Method::DELETE, format!("/api/v1/articles/{id}"))
            .token(&editor)
            .if_match("\"v4\""),
        204,
    )
    .await;
    assert_eq!(
        on_pages(&app, &queries, id).await,
        (false, false),
        "deleted"
    );
    let total = app.get_json(&total_path, 200).await["meta"]["total"].clone();
    assert_eq!(
        total.as_i64().unwrap(),
        published_total.as_i64().unwrap() - 1
    );
}
