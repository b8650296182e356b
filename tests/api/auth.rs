//! Tokens and roles: the authorisation matrix of every write route.

use khabar::domain::role::Role;
use reqwest::Method;
use serde_json::json;

use crate::helpers::{assert_problem, spawn_app, Call, TestApp};

/// How a caller presents itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Nobody,
    Malformed,
    Unknown,
    Revoked,
    Partner,
    Moderator,
    Editor,
    Admin,
}

const EVERYONE: [Who; 8] = [
    Who::Nobody,
    Who::Malformed,
    Who::Unknown,
    Who::Revoked,
    Who::Partner,
    Who::Moderator,
    Who::Editor,
    Who::Admin,
];

/// Which routes a role may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Needs {
    Editorial,
    Admin,
}

struct Tokens {
    unknown: String,
    revoked: String,
    partner: String,
    moderator: String,
    editor: String,
    admin: String,
}

async fn tokens(app: &TestApp) -> Tokens {
    let revoked = app.token(Role::Editor);
    let admin = app.token(Role::Admin);
    // Revoke through the API, as an admin would.
    let list = app
        .send_json(
            Call::new(Method::GET, "/api/v1/tokens?per_page=100").token(&admin),
            200,
        )
        .await;
    let prefix = &revoked[..12];
    let id = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["prefix"].as_str().unwrap().starts_with(prefix))
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    app.send_json(
        Call::new(Method::DELETE, format!("/api/v1/tokens/{id}")).token(&admin),
        200,
    )
    .await;
    Tokens {
        unknown: khabar::domain::token::from_secret(&[9u8; 32]),
        revoked,
        partner: app.token(Role::Partner),
        moderator: app.token(Role::Moderator),
        editor: app.token(Role::Editor),
        admin,
    }
}

/// Sends `call` as `who`.
async fn send_as(app: &TestApp, t: &Tokens, who: Who, call: Call<'_>) -> reqwest::Response {
    let token = match who {
        Who::Nobody => None,
        Who::Malformed => {
            let mut req = app
                .client
                .request(call.method, format!("{}{}", app.address, call.path))
                .header("authorization", format!("Basic {}", t.editor));
            if let Some(body) = call.body {
                req = req.json(&body);
            }
            if let Some(tag) = call.if_match {
                req = req.header("if-match", tag);
            }
            return req.send().await.unwrap();
        }
        Who::Unknown => Some(t.unknown.as_str()),
        Who::Revoked => Some(t.revoked.as_str()),
        Who::Partner => Some(t.partner.as_str()),
        Who::Moderator => Some(t.moderator.as_str()),
        Who::Editor => Some(t.editor.as_str()),
        Who::Admin => Some(t.admin.as_str()),
    };
    let call = match token {
        Some(token) => call.token(token),
        None => call,
    };
    app.send(call).await
}

/// What the database holds, to prove a denied request changed nothing.
async fn state_of(app: &TestApp, admin: &str) -> serde_json::Value {
    let article = app.editor_view(admin, 2).await;
    json!({
        "article": article.0,
        "etag": article.1,
        "sections": app.get_json("/api/v1/sections?per_page=100", 200).await["data"],
        "tags": app.get_json("/api/v1/tags?per_page=100", 200).await["data"],
        "authors": app.get_json("/api/v1/authors?per_page=100", 200).await["data"],
        "tokens": app.send_json(Call::new(Method::GET, "/api/v1/tokens?per_page=100").token(admin), 200).await["data"]
            .as_array().unwrap().iter().map(|t| json!([t["id"], t["revoked_at"]])).collect::<Vec<_>>(),
        "drafts": app.send_json(Call::new(Method::GET, "/api/v1/articles?status=draft&per_page=100").token(admin), 200).await["data"]
            .as_array().unwrap().len(),
        "revisions": app.send_json(Call::new(Method::GET, "/api/v1/articles/2/revisions").token(admin), 200).await["data"],
    })
}

/// Every protected route, aimed at records that exist, with valid bodies.
fn routes(version: &str, token_id: i64) -> Vec<(Needs, Call<'static>)> {
    let e = Needs::Editorial;
    vec![
        (
            e,
            Call::new(Method::POST, "/api/v1/articles")
                .json(json!({"title": "خبر", "section_id": 1})),
        ),
        (
            e,
            Call::new(Method::PATCH, "/api/v1/articles/2")
                .json(json!({"title": "عنوان آخر"}))
                .if_match(version),
        ),
        (
            e,
            Call::new(Method::DELETE, "/api/v1/articles/2").if_match(version),
        ),
        (e, Call::new(Method::GET, "/api/v1/articles/2/revisions")),
        (e, Call::new(Method::GET, "/api/v1/articles/2/revisions/1")),
        (e, Call::new(Method::GET, "/api/v1/articles?status=draft")),
        (
            e,
            Call::new(Method::GET, "/api/v1/articles?status=scheduled"),
        ),
        (
            e,
            Call::new(Method::POST, "/api/v1/sections").json(json!({"name": "قسم جديد"})),
        ),
        (
            e,
            Call::new(Method::PATCH, "/api/v1/sections/politics")
                .json(json!({"name": "سياسة محلية"})),
        ),
        (e, Call::new(Method::DELETE, "/api/v1/sections/politics")),
        (
            e,
            Call::new(Method::POST, "/api/v1/tags").json(json!({"name": "وسم"})),
        ),
        (
            e,
            Call::new(Method::PATCH, "/api/v1/tags/iran").json(json!({"name": "ايران"})),
        ),
        (e, Call::new(Method::DELETE, "/api/v1/tags/iran")),
        (
            e,
            Call::new(Method::POST, "/api/v1/authors").json(json!({"name": "كاتب"})),
        ),
        (
            e,
            Call::new(Method::PATCH, "/api/v1/authors/1").json(json!({"bio": "سيرة"})),
        ),
        (e, Call::new(Method::DELETE, "/api/v1/authors/1")),
        (Needs::Admin, Call::new(Method::GET, "/api/v1/tokens")),
        (
            Needs::Admin,
            Call::new(Method::POST, "/api/v1/tokens").json(json!({"name": "x", "role": "admin"})),
        ),
        (
            Needs::Admin,
            Call::new(Method::DELETE, format!("/api/v1/tokens/{token_id}")),
        ),
    ]
}

#[tokio::test]
async fn every_protected_route_refuses_every_caller_without_its_role_and_changes_nothing() {
    let app = spawn_app().await;
    let t = tokens(&app).await;
    // One revision exists, so revision routes have something to show.
    let (_, etag) = app.editor_view(&t.admin, 2).await;
    app.send_json(
        Call::new(Method::PATCH, "/api/v1/articles/2")
            .token(&t.admin)
            .json(json!({"summary": "ملخص"}))
            .if_match(etag.clone()),
        200,
    )
    .await;
    let (_, etag) = app.editor_view(&t.admin, 2).await;
    let before = state_of(&app, &t.admin).await;
    let partner_id = before["tokens"][0][0].as_i64().unwrap();

    for who in EVERYONE {
        for (needs, call) in routes(&etag, partner_id) {
            let allowed = matches!(
                (who, needs),
                (Who::Admin, _) | (Who::Editor, Needs::Editorial)
            );
            if allowed {
                continue; // success paths are checked below, on their own records
            }
            let what = format!("{who:?} {} {}", call.method, call.path);
            let res = send_as(&app, &t, who, call).await;
            let (status, code) = match who {
                Who::Nobody => (401, "token_missing"),
                Who::Malformed => (401, "token_malformed"),
                Who::Unknown => (401, "token_invalid"),
                Who::Revoked => (401, "token_revoked"),
                _ => (403, "forbidden"),
            };
            assert_eq!(res.status().as_u16(), status, "{what}");
            if status == 401 {
                let challenge = res.headers()["www-authenticate"]
                    .to_str()
                    .unwrap()
                    .to_string();
                assert!(
                    challenge.starts_with("Bearer realm=\"khabar\""),
                    "{what}: {challenge}"
                );
            }
            assert_problem(res, status, code).await;
        }
    }
    assert_eq!(
        state_of(&app, &t.admin).await,
        before,
        "a denied request changed something"
    );
}

#[tokio::test]
async fn editors_and_admins_may_use_their_routes() {
    let app = spawn_app().await;
    let t = tokens(&app).await;
    for (who, token) in [
        (Who::Editor, t.editor.clone()),
        (Who::Admin, t.admin.clone()),
    ] {
        let n = format!("{who:?}").to_lowercase();
        let created = app
            .create_article(
                &token,
                json!({"title": format!("خبر {n}"), "section_id": 1}),
            )
            .await;
        let id = created["id"].as_i64().unwrap();
        let path = format!("/api/v1/articles/{id}");
        let ok = |method: Method, path: String| Call::new(method, path).token(&token);
        let patched = app
            .send_json(
                ok(Method::PATCH, path.clone())
                    .json(json!({"summary": "ملخص"}))
                    .if_match("\"v1\""),
                200,
            )
            .await;
        assert_eq!(patched["data"]["version"], 2);
        app.send_json(ok(Method::GET, format!("{path}/revisions")), 200)
            .await;
        app.send_json(ok(Method::GET, format!("{path}/revisions/1")), 200)
            .await;
        app.send_json(ok(Method::GET, "/api/v1/articles?status=draft".into()), 200)
            .await;
        app.send_json(ok(Method::DELETE, path.clone()).if_match("\"v2\""), 204)
            .await;

        let section = app
            .send_json(
                ok(Method::POST, "/api/v1/sections".into())
                    .json(json!({"name": format!("قسم {n}")})),
                201,
            )
            .await;
        let slug = section["data"]["slug"].as_str().unwrap().to_string();
        let s_path = format!("/api/v1/sections/{}", urlencoding(&slug));
        app.send_json(
            ok(Method::PATCH, s_path.clone()).json(json!({"description": "وصف"})),
            200,
        )
        .await;
        app.send_json(ok(Method::DELETE, s_path), 204).await;

        let tag = app
            .send_json(
                ok(Method::POST, "/api/v1/tags".into())
                    .json(json!({"name": format!("وسم {n}"), "slug": format!("tag-{n}")})),
                201,
            )
            .await;
        assert_eq!(tag["data"]["slug"], format!("tag-{n}"));
        app.send_json(
            ok(Method::PATCH, format!("/api/v1/tags/tag-{n}")).json(json!({"name": "اسم"})),
            200,
        )
        .await;
        app.send_json(ok(Method::DELETE, format!("/api/v1/tags/tag-{n}")), 204)
            .await;

        let author = app
            .send_json(
                ok(Method::POST, "/api/v1/authors".into())
                    .json(json!({"name": format!("كاتب {n}")})),
                201,
            )
            .await;
        let a_path = format!("/api/v1/authors/{}", author["data"]["id"]);
        app.send_json(
            ok(Method::PATCH, a_path.clone()).json(json!({"bio": "سيرة"})),
            200,
        )
        .await;
        app.send_json(ok(Method::DELETE, a_path), 204).await;

        let token_routes = [
            ok(Method::GET, "/api/v1/tokens".into()),
            ok(Method::POST, "/api/v1/tokens".into()).json(json!({"name": "x", "role": "partner"})),
        ];
        for call in token_routes {
            let res = app.send(call).await;
            let expected = if who == Who::Admin {
                [200, 201]
            } else {
                [403, 403]
            };
            assert!(
                expected.contains(&res.status().as_u16()),
                "{who:?}: {}",
                res.status()
            );
        }
    }
}

fn urlencoding(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

#[tokio::test]
async fn a_token_is_shown_once_hashed_at_rest_and_refused_once_revoked() {
    let app = spawn_app().await;
    let admin = app.token(Role::Admin);
    let made = app
        .send_json(
            Call::new(Method::POST, "/api/v1/tokens")
                .token(&admin)
                .json(json!({"name": "تطبيق الجوال", "role": "editor"})),
            201,
        )
        .await;
    let token = made["data"]["token"].as_str().unwrap().to_string();
    assert!(token.starts_with("khb_") && token.len() > 40, "{token}");
    assert_eq!(made["data"]["role"], "editor");
    assert_eq!(made["data"]["last_used_at"], serde_json::Value::Null);
    let id = made["data"]["id"].as_i64().unwrap();

    // Usable at once; the use is recorded.
    app.send_json(
        Call::new(Method::GET, "/api/v1/articles?status=draft").token(&token),
        200,
    )
    .await;
    let listed = app
        .send_json(Call::new(Method::GET, "/api/v1/tokens").token(&admin), 200)
        .await;
    let text = listed.to_string();
    assert!(
        !text.contains(&token[4..]),
        "a listing shows the token: {text}"
    );
    let mine = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .unwrap()
        .clone();
    assert!(mine.get("token").is_none());
    assert!(mine["last_used_at"].is_string(), "{mine}");
    assert_eq!(mine["prefix"], format!("{}…", &token[..12]));

    // Only the SHA-256 is stored.
    let stored: Vec<String> = app
        .db
        .run_blocking(|conn| {
            use diesel::prelude::*;
            use khabar::db::schema::api_tokens;
            api_tokens::table.select(api_tokens::token_hash).load(conn)
        })
        .unwrap()
        .unwrap();
    assert!(stored.contains(&khabar::domain::token::hash(&token)));
    assert!(stored.iter().all(|h| !h.contains(&token[4..])));

    // Malformed headers and lookalike tokens.
    for header in [
        "Bearer",
        "Bearer ",
        "Token abc",
        "bearer khb_short",
        &format!("Bearer {token}x"),
    ] {
        let res = app
            .client
            .post(format!("{}/api/v1/articles", app.address))
            .header("authorization", header)
            .json(&json!({"title": "x", "section_id": 1}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 401, "{header}");
    }

    app.send_json(
        Call::new(Method::DELETE, format!("/api/v1/tokens/{id}")).token(&admin),
        200,
    )
    .await;
    let res = app
        .send(Call::new(Method::GET, "/api/v1/articles?status=draft").token(&token))
        .await;
    assert_problem(res, 401, "token_revoked").await;
    assert_problem(
        app.send(Call::new(Method::DELETE, "/api/v1/tokens/999999").token(&admin))
            .await,
        404,
        "token_not_found",
    )
    .await;
    // A public read with a bad token is refused rather than silently anonymous.
    let res = app
        .send(Call::new(Method::GET, "/api/v1/articles/1").token(&token))
        .await;
    assert_problem(res, 401, "token_revoked").await;
}
