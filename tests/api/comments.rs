//! Comments: posting and its rules, the public thread, moderation, the
//! counter, abuse defences and idempotent retries.

use std::time::Duration;

use khabar::config::Settings;
use khabar::domain::role::Role;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{assert_problem, spawn_with, Call, Spawn, TestApp};

/// No flood control, every comment of a new e-mail held (the defaults but flood).
fn no_flood(s: &mut Settings) {
    s.comments.flood_interval = Duration::ZERO;
    s.comments.trust_forwarded = true;
}

/// No flood control and nothing held for being first.
fn open_door(s: &mut Settings) {
    no_flood(s);
    s.comments.hold_first_time = false;
}

async fn app_with(settings: fn(&mut Settings)) -> TestApp {
    spawn_with(Spawn {
        demo_articles: Some(0),
        settings,
        ..Default::default()
    })
    .await
}

/// A published article open to comments; returns its id.
async fn article(app: &TestApp, editor: &str) -> i64 {
    app.create_article(
        editor,
        json!({"title": "مقال للتعليقات", "section_id": 1, "body_html": "<p>نص</p>", "status": "published"}),
    )
    .await["id"]
        .as_i64()
        .unwrap()
}

fn comment(name: &str, email: &str, body: &str) -> Value {
    json!({"author_name": name, "author_email": email, "body": body})
}

/// Posts as client `client` (an address in `X-Forwarded-For`).
async fn post_as(app: &TestApp, article: i64, client: &str, body: &Value) -> reqwest::Response {
    app.client
        .post(format!(
            "{}/api/v1/articles/{article}/comments",
            app.address
        ))
        .header("x-forwarded-for", client)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn post(app: &TestApp, article: i64, body: &Value) -> reqwest::Response {
    post_as(app, article, "10.0.0.1", body).await
}

async fn post_ok(app: &TestApp, article: i64, body: &Value) -> Value {
    let res = post(app, article, body).await;
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    assert_eq!(status, 201, "{text}");
    serde_json::from_str::<Value>(&text).unwrap()["data"].clone()
}

async fn comment_count(app: &TestApp, article: i64) -> i64 {
    app.get_json(&format!("/api/v1/articles/{article}"), 200)
        .await["data"]["comment_count"]
        .as_i64()
        .unwrap()
}

async fn set_status(app: &TestApp, token: &str, id: i64, status: &str) -> Value {
    app.send_json(
        Call::new(Method::PATCH, format!("/api/v1/comments/{id}"))
            .token(token)
            .json(json!({"status": status})),
        200,
    )
    .await["data"]
        .clone()
}

async fn thread(app: &TestApp, article: i64) -> Vec<Value> {
    app.get_json(
        &format!("/api/v1/articles/{article}/comments?per_page=100"),
        200,
    )
    .await["data"]
        .as_array()
        .unwrap()
        .clone()
}

async fn queue(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    app.send_json(
        Call::new(
            Method::GET,
            format!("/api/v1/moderation/comments?per_page=100{query}"),
        )
        .token(token),
        200,
    )
    .await["data"]
        .as_array()
        .unwrap()
        .clone()
}

fn assert_no_private_fields(value: &Value) {
    let text = value.to_string();
    for private in ["author_email", "ip_hash", "website", "@example"] {
        assert!(
            !text.contains(private),
            "{private} in a public answer: {text}"
        );
    }
}

#[tokio::test]
async fn a_first_comment_is_held_then_approved_and_the_thread_shows_approved_only() {
    let app = app_with(no_flood).await;
    let editor = app.token(Role::Editor);
    let moderator = app.token(Role::Moderator);
    let id = article(&app, &editor).await;

    let res = post(
        &app,
        id,
        &comment("أبو أحمد", "Reader@Example.com", "مقال مفيد"),
    )
    .await;
    assert_eq!(res.status().as_u16(), 201);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let first: Value = res.json().await.unwrap();
    let first = &first["data"];
    assert_eq!(first["status"], "pending", "a first-time commenter is held");
    assert_eq!(location, format!("/api/v1/comments/{}", first["id"]));
    assert_eq!(first["body"], "مقال مفيد");
    assert_eq!(first["depth"], 0);
    assert_eq!(first["parent_id"], Value::Null);
    assert_no_private_fields(first);
    assert!(thread(&app, id).await.is_empty(), "pending is not public");
    assert_eq!(comment_count(&app, id).await, 0);
    assert_problem(app.get(&location).await, 404, "comment_not_found").await;

    let first_id = first["id"].as_i64().unwrap();
    set_status(&app, &moderator, first_id, "approved").await;
    assert_eq!(comment_count(&app, id).await, 1);
    assert_eq!(app.get_json(&location, 200).await["data"]["id"], first_id);

    // Known now (e-mail compared case-insensitively): approved at once.
    let second = post_ok(
        &app,
        id,
        &comment("أبو أحمد", "reader@example.com", "تعليق ثان"),
    )
    .await;
    assert_eq!(second["status"], "approved");
    let reply = post_ok(
        &app,
        id,
        &json!({"author_name": "أبو أحمد", "author_email": "reader@example.com", "body": "رد", "parent_id": first_id}),
    )
    .await;
    assert_eq!(reply["status"], "approved");
    assert_eq!(reply["depth"], 1);
    assert_eq!(reply["parent_id"], first_id);
    assert_eq!(comment_count(&app, id).await, 3);

    let shown = thread(&app, id).await;
    let ids: Vec<i64> = shown.iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(
        ids,
        [
            first_id,
            second["id"].as_i64().unwrap(),
            reply["id"].as_i64().unwrap()
        ],
        "oldest first"
    );
    for c in &shown {
        assert_no_private_fields(c);
        assert!(c.get("status").is_none());
    }
}

async fn errors_of(res: reqwest::Response) -> Vec<(String, String, String)> {
    let body = assert_problem(res, 422, "validation_failed").await;
    body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_string(),
                e["code"].as_str().unwrap().to_string(),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn fields(errors: &[(String, String, String)]) -> Vec<(&str, &str)> {
    errors
        .iter()
        .map(|(f, c, _)| (f.as_str(), c.as_str()))
        .collect()
}

#[tokio::test]
async fn each_required_field_missing_alone_and_all_together_and_blank_ones() {
    let app = app_with(no_flood).await;
    let editor = app.token(Role::Editor);
    let id = article(&app, &editor).await;
    let full = comment("سامر", "samer@example.com", "نص التعليق");
    for field in ["author_name", "author_email", "body"] {
        let mut body = full.clone();
        body.as_object_mut().unwrap().remove(field);
        let errors = errors_of(post(&app, id, &body).await).await;
        assert_eq!(fields(&errors), [(field, "required")], "{field}");
        let mut body = full.clone();
        body[field] = json!(" \n\t ");
        let errors = errors_of(post(&app, id, &body).await).await;
        assert_eq!(fields(&errors), [(field, "blank")], "blank {field}");
    }
    let errors = errors_of(post(&app, id, &json!({})).await).await;
    assert_eq!(
        fields(&errors),
        [
            ("author_name", "required"),
            ("author_email", "required"),
            ("body", "required")
        ]
    );
    // In Arabic.
    let res = app
        .client
        .post(format!("{}/api/v1/articles/{id}/comments", app.address))
        .header("accept-language", "ar")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-language"], "ar");
    let body = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(body["title"], "فشل التحقق");
    let messages: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert_eq!(messages[0], "الحقل author_name مطلوب.");
    assert!(messages.iter().all(|m| m.contains("مطلوب")), "{messages:?}");
    // Markup only is blank once the markup is removed.
    let errors = errors_of(
        post(
            &app,
            id,
            &comment("<b></b>", "a@example.com", "<script>x</script>"),
        )
        .await,
    )
    .await;
    assert_eq!(
        fields(&errors),
        [("author_name", "blank"), ("body", "blank")]
    );
}

#[tokio::test]
async fn every_rule_of_every_field_is_reported_at_once() {
    let app = app_with(|s| {
        no_flood(s);
        s.comments.max_depth = 2;
        s.comments.hold_first_time = false;
    })
    .await;
    let editor = app.token(Role::Editor);
    let moderator = app.token(Role::Moderator);
    let id = article(&app, &editor).await;
    let other = article(&app, &editor).await;
    let errors = errors_of(
        post(
            &app,
            id,
            &json!({
                "author_name": "ن".repeat(101),
                "author_email": "not-an-email",
                "body": "x",
                "author_url": "javascript:alert(1)",
                "parent_id": 999_999,
            }),
        )
        .await,
    )
    .await;
    assert_eq!(
        fields(&errors),
        [
            ("author_name", "invalid_length"),
            ("author_email", "invalid_email"),
            ("body", "invalid_length"),
            ("author_url", "invalid_url"),
            ("parent_id", "invalid_parent"),
        ]
    );
    // Limits are inclusive.
    let ok = post_ok(
        &app,
        id,
        &json!({"author_name": "ن".repeat(100), "author_email": "a@example.com", "body": "ab", "author_url": "https://example.com/x"}),
    )
    .await;
    assert_eq!(ok["author_url"], "https://example.com/x");
    let long = "ب".repeat(5_000);
    post_ok(&app, id, &comment("a", "a@example.com", &long)).await;
    let errors = errors_of(
        post(
            &app,
            id,
            &comment("a", "a@example.com", &format!("{long}ب")),
        )
        .await,
    )
    .await;
    assert_eq!(fields(&errors), [("body", "invalid_length")]);
    for url in ["ftp://example.com", "/relative", "data:text/html,x"] {
        let mut body = comment("a", "a@example.com", &format!("url {url}"));
        body["author_url"] = json!(url);
        let errors = errors_of(post(&app, id, &body).await).await;
        assert_eq!(fields(&errors), [("author_url", "invalid_url")], "{url}");
    }
    // Parents: approved, same article, not too deep.
    let top = ok["id"].as_i64().unwrap();
    let reply_to = |parent: i64, text: &str| json!({"author_name": "a", "author_email": "a@example.com", "body": text, "parent_id": parent});
    let on_other = post_ok(&app, other, &comment("a", "a@example.com", "هناك")).await;
    let errors =
        errors_of(post(&app, id, &reply_to(on_other["id"].as_i64().unwrap(), "رد")).await).await;
    assert_eq!(fields(&errors), [("parent_id", "invalid_parent")]);
    let child = post_ok(&app, id, &reply_to(top, "رد أول")).await;
    assert_eq!(child["depth"], 1);
    let errors = errors_of(
        post(
            &app,
            id,
            &reply_to(child["id"].as_i64().unwrap(), "رد عميق"),
        )
        .await,
    )
    .await;
    assert_eq!(fields(&errors), [("parent_id", "too_deep")]);
    set_status(&app, &moderator, top, "pending").await;
    let errors = errors_of(post(&app, id, &reply_to(top, "رد على معلق")).await).await;
    assert_eq!(fields(&errors), [("parent_id", "invalid_parent")]);

    // Unknown fields and malformed bodies are 400s.
    for extra in [json!({"status": "approved"}), json!({"id": 5})] {
        let mut body = comment("a", "a@example.com", "نص جديد");
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let problem = assert_problem(post(&app, id, &body).await, 400, "invalid_parameters").await;
        assert_eq!(problem["errors"][0]["code"], "unknown_field");
    }
    let res = app
        .client
        .post(format!("{}/api/v1/articles/{id}/comments", app.address))
        .header("content-type", "application/json")
        .body("{\"author_name\": ")
        .send()
        .await
        .unwrap();
    assert_problem(res, 400, "invalid_parameters").await;
    let problem = assert_problem(
        post(&app, id, &json!({"parent_id": "x"})).await,
        400,
        "invalid_parameters",
    )
    .await;
    assert_eq!(problem["errors"][0]["code"], "invalid_value");
}

#[tokio::test]
async fn text_is_plain_with_its_line_breaks_kept() {
    let app = app_with(open_door).await;
    let editor = app.token(Role::Editor);
    let id = article(&app, &editor).await;
    let c = post_ok(
        &app,
        id,
        &comment(
            "<b>سامر</b>",
            "s@example.com",
            "سطر أول\r\n<i>سطر</i> ثان\n\n\n<script>alert(1)</script>فقرة",
        ),
    )
    .await;
    assert_eq!(c["author_name"], "سامر");
    assert_eq!(c["body"], "سطر أول\nسطر ثان\n\nفقرة");
}

#[tokio::test]
async fn closed_articles_are_403_and_unpublished_ones_404() {
    let app = app_with(open_door).await;
    let editor = app.token(Role::Editor);
    let id = article(&app, &editor).await;
    let body = comment("a", "a@example.com", "نص");
    app.send_json(
        Call::new(Method::PATCH, format!("/api/v1/articles/{id}"))
            .token(&editor)
            .if_match("\"v1\"")
            .json(json!({"comments_open": false})),
        200,
    )
    .await;
    assert_eq!(
        app.get_json(&format!("/api/v1/articles/{id}"), 200).await["data"]["comments_open"],
        false
    );
    assert_problem(post(&app, id, &body).await, 403, "comments_closed").await;
    // The thread stays readable.
    app.get_json(&format!("/api/v1/articles/{id}/comments"), 200)
        .await;

    let draft = app
        .create_article(&editor, json!({"title": "مسودة", "section_id": 1}))
        .await["id"]
        .as_i64()
        .unwrap();
    let scheduled = app
        .create_article(
            &editor,
            json!({"title": "لاحقاً", "section_id": 1, "body_html": "<p>x</p>", "status": "published", "published_at": "2099-01-01T00:00:00Z"}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let deleted = article(&app, &editor).await;
    // Its approved comments must not show once it is deleted.
    assert_eq!(
        post_ok(&app, deleted, &comment("b", "b@example.com", "قبل الحذف")).await["status"],
        "approved"
    );
    app.send_json(
        Call::new(Method::DELETE, format!("/api/v1/articles/{deleted}"))
            .token(&editor)
            .if_match("*"),
        204,
    )
    .await;
    for missing in [draft, scheduled, deleted, 999_999] {
        assert_problem(post(&app, missing, &body).await, 404, "article_not_found").await;
        assert_problem(
            app.get(&format!("/api/v1/articles/{missing}/comments"))
                .await,
            404,
            "article_not_found",
        )
        .await;
    }
    assert_problem(post(&app, 0, &body).await, 400, "invalid_parameters").await;
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
async fn no_known_xss_vector_survives_in_any_comment_field() {
    let app = app_with(open_door).await;
    let editor = app.token(Role::Editor);
    let moderator = app.token(Role::Moderator);
    let id = article(&app, &editor).await;
    let vectors: Vec<&str> = include_str!("../data/xss_vectors.txt")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .collect();
    assert!(vectors.len() >= 20);
    let mut stored = 0;
    for (i, vector) in vectors.iter().enumerate() {
        let res = post(
            &app,
            id,
            &json!({
                "author_name": format!("قارئ {i} {vector}"),
                "author_email": "x@example.com",
                "body": format!("تعليق {i}\n{vector}\n{vector}"),
                "author_url": vector,
            }),
        )
        .await;
        let status = res.status().as_u16();
        let body: Value = res.json().await.unwrap();
        // A vector is never a valid address: refused, never stored.
        assert_eq!(status, 422, "{vector}: {body}");
        assert!(
            body["errors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["field"] == "author_url"),
            "{body}"
        );
        // Without the address the rest is accepted and defused.
        let res = post(
            &app,
            id,
            &json!({
                "author_name": format!("قارئ {i} {vector}"),
                "author_email": "x@example.com",
                "body": format!("تعليق {i}\n{vector}\n{vector}"),
            }),
        )
        .await;
        assert_eq!(res.status().as_u16(), 201, "{vector}");
        stored += 1;
    }
    let public = thread(&app, id).await;
    let moderated = queue(&app, &moderator, &format!("&article={id}")).await;
    assert_eq!(public.len(), stored);
    assert_eq!(moderated.len(), stored);
    for c in public.iter().chain(&moderated) {
        for field in ["author_name", "body"] {
            let value = c[field].as_str().unwrap();
            assert_eq!(dangerous(value), None, "{field}: {value:?}");
            assert!(
                !value.contains('<') || !value.contains('>'),
                "markup in {field}: {value:?}"
            );
        }
    }
}

#[tokio::test]
async fn flood_control_answers_429_with_retry_after_per_client() {
    let app = app_with(|s| {
        s.comments.trust_forwarded = true;
        s.comments.hold_first_time = false;
    })
    .await;
    let editor = app.token(Role::Editor);
    let id = article(&app, &editor).await;
    let res = post_as(&app, id, "10.0.0.7", &comment("a", "a@example.com", "الأول")).await;
    assert_eq!(res.status().as_u16(), 201);
    // The budget shows: one comment per 15 s, none left for 15 s.
    assert_eq!(res.headers()["ratelimit-policy"], "\"comments\";q=1;w=15");
    assert_eq!(res.headers()["ratelimit"], "\"comments\";r=0;t=15");
    let res = post_as(
        &app,
        id,
        "10.0.0.7",
        &comment("a", "a@example.com", "الثاني"),
    )
    .await;
    let wait: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=15).contains(&wait), "{wait}");
    assert_eq!(
        res.headers()["ratelimit"].to_str().unwrap(),
        format!("\"comments\";r=0;t={wait}")
    );
    assert_problem(res, 429, "too_many_requests").await;
    // Another client is not held back; a refused post does not use the slot.
    let res = post_as(&app, id, "10.0.0.8", &json!({})).await;
    assert_eq!(res.status().as_u16(), 422);
    let res = post_as(
        &app,
        id,
        "10.0.0.8",
        &comment("b", "b@example.com", "الثاني"),
    )
    .await;
    assert_eq!(res.status().as_u16(), 201);
    assert_eq!(thread(&app, id).await.len(), 2);
    // Behind the proxy, the client is the hop the proxy appended: entries
    // the client wrote before it do not make it someone else.
    let res = post_as(
        &app,
        id,
        "203.0.113.1, 10.0.0.8",
        &comment("b", "b@example.com", "الثالث"),
    )
    .await;
    assert_problem(res, 429, "too_many_requests").await;
}

#[tokio::test]
async fn x_forwarded_for_is_ignored_unless_the_deployment_trusts_it() {
    let app = app_with(|s| s.comments.hold_first_time = false).await;
    let editor = app.token(Role::Editor);
    let id = article(&app, &editor).await;
    let res = post_as(&app, id, "10.0.0.1", &comment("a", "a@example.com", "الأول")).await;
    assert_eq!(res.status().as_u16(), 201);
    // A spoofed header does not make a new client.
    let res = post_as(
        &app,
        id,
        "10.0.0.2",
        &comment("a", "a@example.com", "الثاني"),
    )
    .await;
    assert_problem(res, 429, "too_many_requests").await;
}

#[tokio::test]
async fn the_same_comment_twice_from_one_client_is_409() {
    let app = app_with(open_door).await;
    let editor = app.token(Role::Editor);
    let id = article(&app, &editor).await;
    let other = article(&app, &editor).await;
    let body = comment("a", "a@example.com", "نفس النص");
    assert_eq!(
        post_as(&app, id, "10.1.1.1", &body).await.status().as_u16(),
        201
    );
    assert_problem(
        post_as(&app, id, "10.1.1.1", &body).await,
        409,
        "duplicate_comment",
    )
    .await;
    // Markup around the same text is the same text.
    let wrapped = comment("a", "a@example.com", "<b>نفس</b> النص");
    assert_problem(
        post_as(&app, id, "10.1.1.1", &wrapped).await,
        409,
        "duplicate_comment",
    )
    .await;
    // Another client, or another article: fine.
    assert_eq!(
        post_as(&app, id, "10.1.1.2", &body).await.status().as_u16(),
        201
    );
    assert_eq!(
        post_as(&app, other, "10.1.1.1", &body)
            .await
            .status()
            .as_u16(),
        201
    );
}

#[tokio::test]
async fn a_filled_honeypot_looks_accepted_but_is_stored_as_spam() {
    let app = app_with(open_door).await;
    let editor = app.token(Role::Editor);
    let moderator = app.token(Role::Moderator);
    let id = article(&app, &editor).await;
    let mut body = comment("bot", "bot@example.com", "buy now");
    body["website"] = json!("https://spam.example");
    let c = post_ok(&app, id, &body).await;
    assert_eq!(c["status"], "pending", "the bot is not told");
    assert!(thread(&app, id).await.is_empty());
    let spam = queue(&app, &moderator, "&status=spam").await;
    assert_eq!(spam.len(), 1);
    assert_eq!(spam[0]["id"], c["id"]);
    assert_eq!(comment_count(&app, id).await, 0);
    // An empty honeypot is fine.
    let mut body = comment("human", "h@example.com", "hello");
    body["website"] = json!("");
    assert_eq!(post_ok(&app, id, &body).await["status"], "approved");
}

#[tokio::test]
async fn links_blocked_words_and_first_comments_are_held() {
    let app = app_with(|s| {
        no_flood(s);
        s.comments.extra_blocklist = vec!["كلمة سيئة".into()];
    })
    .await;
    let editor = app.token(Role::Editor);
    let moderator = app.token(Role::Moderator);
    let id = article(&app, &editor).await;
    let first = post_ok(&app, id, &comment("a", "a@example.com", "أول تعليق")).await;
    assert_eq!(first["status"], "pending");
    set_status(&app, &moderator, first["id"].as_i64().unwrap(), "approved").await;
    let known = |text: &str| comment("a", "a@example.com", text);
    assert_eq!(
        post_ok(&app, id, &known("https://a.example https://b.example")).await["status"],
        "approved"
    );
    assert_eq!(
        post_ok(
            &app,
            id,
            &known("https://a.example https://b.example www.c.example")
        )
        .await["status"],
        "pending"
    );
    assert_eq!(
        post_ok(&app, id, &known("أفضل CASINO هنا")).await["status"],
        "pending"
    );
    assert_eq!(
        post_ok(&app, id, &known("هذه كلمةٌ سيئة")).await["status"],
        "pending",
        "configured words too"
    );
    let mut body = known("اسم مريب");
    body["author_name"] = json!("viagra shop");
    assert_eq!(
        post_ok(&app, id, &body).await["status"],
        "pending",
        "the name is checked too"
    );
    assert_eq!(comment_count(&app, id).await, 2);
}

#[tokio::test]
async fn only_moderators_and_admins_moderate_and_others_change_nothing() {
    let app = app_with(open_door).await;
    let editor = app.token(Role::Editor);
    let id = article(&app, &editor).await;
    let c = post_ok(&app, id, &comment("a", "a@example.com", "نص")).await;
    let cid = c["id"].as_i64().unwrap();
    let partner = app.token(Role::Partner);
    let calls = || {
        vec![
            Call::new(Method::GET, "/api/v1/moderation/comments"),
            Call::new(Method::PATCH, format!("/api/v1/comments/{cid}"))
                .json(json!({"status": "spam"})),
            Call::new(Method::POST, "/api/v1/moderation/comments")
                .json(json!({"ids": [cid], "action": "trash"})),
            Call::new(Method::DELETE, format!("/api/v1/comments/{cid}")),
        ]
    };
    for call in calls() {
        assert_problem(app.send(call).await, 401, "token_missing").await;
    }
    for token in [&editor, &partner] {
        for call in calls() {
            assert_problem(app.send(call.token(token)).await, 403, "forbidden").await;
        }
    }
    assert_eq!(comment_count(&app, id).await, 1);
    assert_eq!(thread(&app, id).await.len(), 1);
    for role in [Role::Moderator, Role::Admin] {
        let token = app.token(role);
        let listed = queue(&app, &token, "").await;
        assert_eq!(listed[0]["author_email"], "a@example.com");
        assert_eq!(listed[0]["ip_hash"].as_str().unwrap().len(), 64);
        assert!(
            !listed[0].to_string().contains("10.0.0.1"),
            "the address is never stored"
        );
        set_status(&app, &token, cid, "approved").await;
    }
}

#[tokio::test]
async fn comment_count_follows_every_transition_even_through_the_answer_cache() {
    let app = spawn_with(Spawn {
        demo_articles: Some(0),
        settings: open_door,
        cache_ttl: Duration::from_secs(60),
        ..Default::default()
    })
    .await;
    let editor = app.token(Role::Editor);
    let moderator = app.token(Role::Moderator);
    let id = article(&app, &editor).await;
    let count = || async {
        // Twice: the second read is served from the cache when allowed.
        comment_count(&app, id).await;
        let list = app.get_json("/api/v1/articles?per_page=100", 200).await;
        let in_list = list["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == id)
            .unwrap()["comment_count"]
            .as_i64()
            .unwrap();
        let one = comment_count(&app, id).await;
        assert_eq!(one, in_list, "the article and the list agree");
        for _ in 0..3 {
            assert_eq!(
                thread(&app, id).await.len() as i64,
                one,
                "the thread agrees"
            );
        }
        one
    };
    assert_eq!(count().await, 0);
    let a = post_ok(&app, id, &comment("a", "a@example.com", "أأ")).await["id"]
        .as_i64()
        .unwrap();
    assert_eq!(count().await, 1);
    let b = post_ok(&app, id, &comment("a", "a@example.com", "ب ب")).await["id"]
        .as_i64()
        .unwrap();
    assert_eq!(count().await, 2);
    for (status, want) in [
        ("pending", 1),
        ("pending", 1),
        ("approved", 2),
        ("spam", 1),
        ("trash", 1),
        ("approved", 2),
    ] {
        set_status(&app, &moderator, b, status).await;
        assert_eq!(count().await, want, "after {status}");
    }
    let bulk = |ids: Vec<i64>, action: &str| {
        Call::new(Method::POST, "/api/v1/moderation/comments")
            .token(&moderator)
            .json(json!({"ids": ids, "action": action}))
    };
    app.send_json(bulk(vec![a, b], "unapprove"), 200).await;
    assert_eq!(count().await, 0);
    app.send_json(bulk(vec![a, b, a], "approve"), 200).await;
    assert_eq!(count().await, 2);
    // One unknown id: nothing changes.
    let res = app.send(bulk(vec![a, 999_999], "spam")).await;
    let problem = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "ids[1]");
    assert_eq!(count().await, 2);
    app.send_json(
        Call::new(Method::DELETE, format!("/api/v1/comments/{a}")).token(&moderator),
        204,
    )
    .await;
    assert_eq!(count().await, 1);
    app.send_json(bulk(vec![b], "delete"), 200).await;
    assert_eq!(count().await, 0);
    assert_problem(
        app.send(Call::new(Method::DELETE, format!("/api/v1/comments/{a}")).token(&moderator))
            .await,
        404,
        "comment_not_found",
    )
    .await;
}

#[tokio::test]
async fn a_deleted_parent_leaves_its_replies_under_a_placeholder() {
    let app = app_with(open_door).await;
    let editor = app.token(Role::Editor);
    let moderator = app.token(Role::Moderator);
    let id = article(&app, &editor).await;
    let parent = post_ok(&app, id, &comment("a", "a@example.com", "الأصل")).await["id"]
        .as_i64()
        .unwrap();
    let reply = post_ok(
        &app,
        id,
        &json!({"author_name": "b", "author_email": "b@example.com", "body": "رد", "parent_id": parent}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    app.send_json(
        Call::new(Method::DELETE, format!("/api/v1/comments/{parent}")).token(&moderator),
        204,
    )
    .await;
    let shown = thread(&app, id).await;
    assert_eq!(shown.len(), 2);
    assert_eq!(shown[0]["id"], parent);
    assert_eq!(shown[0]["deleted"], true);
    assert_eq!(shown[0]["body"], Value::Null);
    assert_eq!(shown[0]["author_name"], Value::Null);
    assert_eq!(shown[1]["parent_id"], parent);
    assert_eq!(comment_count(&app, id).await, 1);
    assert!(queue(&app, &moderator, "")
        .await
        .iter()
        .all(|c| c["id"] != parent));
    // The placeholder goes with its last reply.
    app.send_json(
        Call::new(Method::DELETE, format!("/api/v1/comments/{reply}")).token(&moderator),
        204,
    )
    .await;
    assert!(thread(&app, id).await.is_empty());
    assert_eq!(comment_count(&app, id).await, 0);
}

#[tokio::test]
async fn a_parent_hidden_after_a_reply_stays_as_a_placeholder() {
    let app = app_with(open_door).await;
    let editor = app.token(Role::Editor);
    let moderator = app.token(Role::Moderator);
    let id = article(&app, &editor).await;
    let parent = post_ok(&app, id, &comment("a", "a@example.com", "الأصل")).await["id"]
        .as_i64()
        .unwrap();
    let lonely = post_ok(&app, id, &comment("c", "c@example.com", "وحيد")).await["id"]
        .as_i64()
        .unwrap();
    post_ok(
        &app,
        id,
        &json!({"author_name": "b", "author_email": "b@example.com", "body": "رد", "parent_id": parent}),
    )
    .await;
    for status in ["spam", "trash", "pending"] {
        set_status(&app, &moderator, parent, status).await;
        set_status(&app, &moderator, lonely, status).await;
        // The reply keeps a parent in the thread; the hidden comment
        // without replies is gone; neither shows its text.
        let shown = thread(&app, id).await;
        assert_eq!(shown.len(), 2, "{status}: {shown:?}");
        assert_eq!(shown[0]["id"], parent);
        assert_eq!(shown[0]["deleted"], true);
        assert_eq!(shown[0]["body"], Value::Null);
        assert_eq!(shown[0]["author_name"], Value::Null);
        assert_eq!(shown[1]["parent_id"], parent);
        let page = app
            .get_json(
                &format!("/api/v1/articles/{id}/comments?include_total=true"),
                200,
            )
            .await;
        assert_eq!(page["meta"]["total"], 2, "{status}");
        assert_eq!(comment_count(&app, id).await, 1, "{status}");
    }
    set_status(&app, &moderator, parent, "approved").await;
    let shown = thread(&app, id).await;
    assert_eq!(shown[0]["deleted"], false);
    assert_eq!(shown[0]["body"], "الأصل");
}

#[tokio::test]
async fn the_thread_pages_by_number_and_by_cursor() {
    let app = app_with(open_door).await;
    let editor = app.token(Role::Editor);
    let id = article(&app, &editor).await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(
            post_ok(
                &app,
                id,
                &comment("a", "a@example.com", &format!("تعليق {i}")),
            )
            .await["id"]
                .as_i64()
                .unwrap(),
        );
    }
    let first = app
        .get_json(
            &format!("/api/v1/articles/{id}/comments?per_page=2&include_total=true"),
            200,
        )
        .await;
    assert_eq!(first["meta"]["total"], 5);
    assert_eq!(first["data"][0]["id"], ids[0]);
    let page2 = app
        .get_json(
            &format!("/api/v1/articles/{id}/comments?per_page=2&page=2"),
            200,
        )
        .await;
    assert_eq!(page2["data"][0]["id"], ids[2]);
    // Walk by cursor.
    let mut walked = Vec::new();
    let mut next = Some(format!("/api/v1/articles/{id}/comments?per_page=2"));
    while let Some(link) = next {
        let body = app.get_json(&link, 200).await;
        walked.extend(
            body["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_i64().unwrap()),
        );
        next = body["meta"]["next_cursor"]
            .as_str()
            .map(|c| format!("/api/v1/articles/{id}/comments?per_page=2&cursor={c}"));
    }
    assert_eq!(walked, ids);
    for bad in [
        "per_page=0",
        "page=0",
        "cursor=zzz",
        "cursor=n1_1",
        "include_total=maybe",
    ] {
        assert_problem(
            app.get(&format!("/api/v1/articles/{id}/comments?{bad}"))
                .await,
            400,
            if bad.starts_with("cursor") {
                "invalid_cursor"
            } else {
                "invalid_parameters"
            },
        )
        .await;
    }
}

async fn post_keyed(
    app: &TestApp,
    article: i64,
    key: &str,
    body: &Value,
) -> (u16, Option<String>, String) {
    post_keyed_as(app, article, "10.9.9.9", key, body).await
}

async fn post_keyed_as(
    app: &TestApp,
    article: i64,
    client: &str,
    key: &str,
    body: &Value,
) -> (u16, Option<String>, String) {
    let res = app
        .client
        .post(format!(
            "{}/api/v1/articles/{article}/comments",
            app.address
        ))
        .header("idempotency-key", key)
        .header("x-forwarded-for", client)
        .json(body)
        .send()
        .await
        .unwrap();
    let location = res
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string());
    (res.status().as_u16(), location, res.text().await.unwrap())
}

#[tokio::test]
async fn an_idempotency_key_replays_the_first_answer_and_never_makes_a_second_comment() {
    // Flood control on: a replay is not a new comment, so it is not held back.
    let app = app_with(|s| {
        s.comments.trust_forwarded = true;
    })
    .await;
    let editor = app.token(Role::Editor);
    let moderator = app.token(Role::Moderator);
    let id = article(&app, &editor).await;
    let body = comment("a", "a@example.com", "مرة واحدة");
    let first = post_keyed(&app, id, "k-1", &body).await;
    assert_eq!(first.0, 201, "{}", first.2);
    let again = post_keyed(&app, id, "k-1", &body).await;
    assert_eq!(again, first, "status, Location and body replayed");
    let quoted = post_keyed(&app, id, "\"k-1\"", &body).await;
    assert_eq!(quoted, first, "a structured-field string is the same key");
    assert_eq!(queue(&app, &moderator, "").await.len(), 1, "one comment");
    // The same key with another body.
    let res = app
        .client
        .post(format!("{}/api/v1/articles/{id}/comments", app.address))
        .header("idempotency-key", "k-1")
        .json(&comment("a", "a@example.com", "نص آخر"))
        .send()
        .await
        .unwrap();
    assert_problem(res, 422, "idempotency_key_reused").await;
    // Bad keys.
    for key in ["", "with space", &"k".repeat(256)] {
        let res = app
            .client
            .post(format!("{}/api/v1/articles/{id}/comments", app.address))
            .header("idempotency-key", key)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_problem(res, 400, "invalid_parameters").await;
    }
    // An expired key is forgotten: the key can name a new request.
    let ttl = chrono::Duration::hours(25);
    app.db
        .run_blocking(move |conn| {
            use diesel::prelude::*;
            use khabar::db::schema::idempotency_keys::dsl::*;
            diesel::update(idempotency_keys)
                .set(created_at.eq(khabar::service::now() - ttl))
                .execute(conn)
        })
        .unwrap()
        .unwrap();
    // Expired keys are pruned (the server does it hourly).
    let pruned = app
        .db
        .run_blocking(|conn| {
            khabar::service::comments::prune_keys(
                conn,
                khabar::service::now() - chrono::Duration::hours(24),
            )
        })
        .unwrap()
        .unwrap();
    assert_eq!(pruned, 1);
    let fresh = post_keyed_as(
        &app,
        id,
        "10.9.9.10",
        "k-1",
        &comment("b", "b@example.com", "جديد"),
    )
    .await;
    assert_eq!(fresh.0, 201, "{}", fresh.2);
    assert_ne!(fresh.1, first.1);
    assert_eq!(queue(&app, &moderator, "").await.len(), 2);
}

#[tokio::test]
async fn concurrent_retries_of_one_key_make_one_comment() {
    let app = app_with(open_door).await;
    let editor = app.token(Role::Editor);
    let moderator = app.token(Role::Moderator);
    let id = article(&app, &editor).await;
    let body = comment("a", "a@example.com", "مرة واحدة فقط");
    let answers = futures_join(
        (0..12)
            .map(|_| post_keyed(&app, id, "same-key", &body))
            .collect(),
    )
    .await;
    let created: Vec<_> = answers.iter().filter(|a| a.0 == 201).collect();
    assert!(!created.is_empty());
    assert!(
        answers
            .iter()
            .all(|a| a.0 == 201 || (a.0 == 409 && a.2.contains("request_in_flight"))),
        "{answers:?}"
    );
    assert!(created.iter().all(|a| a.2 == created[0].2), "one answer");
    assert_eq!(queue(&app, &moderator, "").await.len(), 1);
    // Once the first is done, a retry gets its answer.
    assert_eq!(
        post_keyed(&app, id, "same-key", &body).await.2,
        created[0].2
    );
}

/// Awaits every future concurrently (no extra dependency).
async fn futures_join<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut pinned: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = pinned.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (f, slot) in pinned.iter_mut().zip(out.iter_mut()) {
            if slot.is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => *slot = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.into_iter().map(Option::unwrap).collect()
}

#[test]
fn an_in_flight_key_is_refused_until_its_request_ends() {
    let in_flight = khabar::service::comments::InFlight::default();
    let guard = in_flight.begin("k").expect("free");
    assert!(in_flight.begin("k").is_none(), "in flight");
    assert!(in_flight.begin("other").is_some());
    drop(guard);
    assert!(
        in_flight.begin("k").is_some(),
        "released when the request ends"
    );
}

/// A free local port.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts the real binary on `url`; returns it and its base address once ready.
async fn start_server(url: &str) -> (std::process::Child, String) {
    let port = free_port();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_khabar"))
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", url)
        .env("KHABAR_COMMENT_FLOOD_SECS", "0")
        .env("KHABAR_WORKERS", "2")
        .env("RUST_LOG", "error")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let started = std::time::Instant::now();
    while reqwest::get(format!("{base}/readyz")).await.is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "server did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    (child, base)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_loses_no_acknowledged_comment_and_retries_never_duplicate() {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};

    let (url, _pg, _dir) = crate::helpers::fresh_database(false);
    let db = khabar::db::Db::connect(
        &url,
        &khabar::db::PoolSettings {
            max_size: 2,
            checkout_timeout: Duration::from_secs(5),
        },
        true,
    )
    .unwrap();
    let seed_db = db.clone();
    tokio::task::spawn_blocking(move || {
        seed_db
            .run_blocking(|conn| {
                khabar::seed::run(conn, 0, 7, chrono_tz::Asia::Damascus).unwrap();
                use diesel::prelude::*;
                use khabar::db::schema::articles::dsl::*;
                diesel::update(articles)
                    .set(comments_open.eq(true))
                    .execute(conn)
            })
            .unwrap()
            .unwrap();
    })
    .await
    .unwrap();

    // Logical comments by key: the id of the first 201, once one arrived.
    let acked: Arc<Mutex<HashMap<String, i64>>> = Arc::default();
    // Keys sent without an answer (the server died): retried after the restart.
    let pending: Arc<Mutex<Vec<String>>> = Arc::default();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut interrupted = 0;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    const ROUNDS: u64 = 5;
    for round in 0..ROUNDS {
        let (mut server, base) = start_server(&url).await;
        let last_round = round == ROUNDS - 1;
        interrupted += pending.lock().unwrap().len();
        // Eight clients post new comments without pause (retrying every
        // unanswered one first) until the server dies under them; in the
        // last round they only retry.
        let workers: Vec<_> = (0..8)
            .map(|_| {
                let (client, base) = (client.clone(), base.clone());
                let (acked, pending, next) = (acked.clone(), pending.clone(), next.clone());
                tokio::spawn(async move {
                    loop {
                        let retry = pending.lock().unwrap().pop();
                        let key = match retry {
                            Some(key) => key,
                            None if last_round => return,
                            None => format!(
                                "key-{}",
                                next.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
                            ),
                        };
                        let n = key["key-".len()..].to_string();
                        let res = client
                            .post(format!("{base}/api/v1/articles/1/comments"))
                            .header("idempotency-key", &key)
                            .json(&json!({"author_name": "قارئ", "author_email": "r@example.com", "body": format!("تعليق رقم {n}")}))
                            .send()
                            .await;
                        let answered = match res {
                            Ok(r) if r.status().as_u16() == 201 => r.json::<Value>().await.ok(),
                            Ok(r) if r.status().as_u16() == 409 => {
                                // In flight in this process: ask again shortly.
                                tokio::time::sleep(Duration::from_millis(20)).await;
                                pending.lock().unwrap().push(key);
                                continue;
                            }
                            _ => None,
                        };
                        match answered {
                            Some(body) => {
                                let id = body["data"]["id"].as_i64().unwrap();
                                let mut acked = acked.lock().unwrap();
                                let first = *acked.entry(key.clone()).or_insert(id);
                                assert_eq!(first, id, "{key}: a retry answered another comment");
                            }
                            None => {
                                pending.lock().unwrap().push(key);
                                return;
                            }
                        }
                    }
                })
            })
            .collect();
        if last_round {
            for w in workers {
                w.await.unwrap();
            }
            server.kill().unwrap();
            server.wait().unwrap();
        } else {
            tokio::time::sleep(Duration::from_millis(300 + 100 * round)).await;
            server.kill().unwrap();
            server.wait().unwrap();
            for w in workers {
                w.await.unwrap();
            }
        }
    }
    let next = next.load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        pending.lock().unwrap().is_empty(),
        "every retry was answered"
    );
    assert!(interrupted > 0, "the kills interrupted requests");
    assert!(next > 100, "only {next} comments were posted");
    let acked = acked.lock().unwrap().clone();
    assert_eq!(acked.len(), next, "every comment was answered in the end");
    // Every 201 is in the database exactly once.
    let rows: Vec<(i64, String)> = db
        .run_blocking(|conn| {
            use diesel::prelude::*;
            use khabar::db::schema::comments::dsl::*;
            comments.select((id, body)).load(conn)
        })
        .unwrap()
        .unwrap();
    assert_eq!(rows.len(), next, "no duplicates and nothing lost");
    for (key, id) in &acked {
        let n = &key["key-".len()..];
        let found: Vec<_> = rows
            .iter()
            .filter(|(_, b)| *b == format!("تعليق رقم {n}"))
            .collect();
        assert_eq!(found.len(), 1, "{key}");
        assert_eq!(found[0].0, *id, "{key}");
    }
}
