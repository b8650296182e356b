//! CORS: public reads open to every origin, the rest to listed origins only;
//! preflights for every route.

use khabar::domain::role::Role;
use reqwest::Method;

use crate::helpers::{spawn_app, spawn_with, Spawn, TestApp};

const ORIGIN: &str = "https://reader.example";

async fn preflight(app: &TestApp, path: &str, method: &str, headers: &str) -> reqwest::Response {
    let mut req = app
        .client
        .request(Method::OPTIONS, format!("{}{}", app.address, path))
        .header("Origin", ORIGIN)
        .header("Access-Control-Request-Method", method);
    if !headers.is_empty() {
        req = req.header("Access-Control-Request-Headers", headers);
    }
    req.send().await.unwrap()
}

fn header(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
}

#[tokio::test]
async fn public_reads_are_open_to_any_origin_and_writes_are_not() {
    let app = spawn_app().await;
    // A public read: `*`, with the headers a script may read.
    let res = app
        .client
        .get(format!("{}/api/v1/articles?per_page=1", app.address))
        .header("Origin", ORIGIN)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "access-control-allow-origin").unwrap(), "*");
    let exposed = header(&res, "access-control-expose-headers").unwrap();
    for name in ["ETag", "Location", "RateLimit", "Retry-After"] {
        assert!(exposed.contains(name), "{exposed}");
    }
    assert!(header(&res, "access-control-allow-credentials").is_none());
    // Its preflight, for any route, even one with path parameters.
    let res = preflight(&app, "/api/v1/articles/1", "GET", "").await;
    assert_eq!(res.status(), 204);
    assert_eq!(header(&res, "access-control-allow-origin").unwrap(), "*");
    assert!(header(&res, "access-control-allow-methods")
        .unwrap()
        .contains("GET"));
    // A write, or a read with a token, from an unlisted origin: no grant.
    let res = preflight(
        &app,
        "/api/v1/articles",
        "POST",
        "authorization, content-type",
    )
    .await;
    assert_eq!(res.status(), 204);
    assert!(header(&res, "access-control-allow-origin").is_none());
    let editor = app.token(Role::Editor);
    let res = app
        .client
        .get(format!("{}/api/v1/articles?per_page=1", app.address))
        .header("Origin", ORIGIN)
        .bearer_auth(&editor)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(header(&res, "access-control-allow-origin").is_none());
    // Without Origin nothing changes.
    let res = app.get("/api/v1/articles?per_page=1").await;
    assert!(header(&res, "access-control-allow-origin").is_none());
}

#[tokio::test]
async fn listed_origins_may_write_with_a_token_and_others_may_not() {
    let app = spawn_with(Spawn {
        settings: |s| s.cors_origins = vec!["https://reader.example".into()],
        ..Default::default()
    })
    .await;
    let res = preflight(
        &app,
        "/api/v1/articles/1",
        "PATCH",
        "Authorization, If-Match, Content-Type",
    )
    .await;
    assert_eq!(res.status(), 204);
    assert_eq!(header(&res, "access-control-allow-origin").unwrap(), ORIGIN);
    let allowed = header(&res, "access-control-allow-headers").unwrap();
    for name in ["Authorization", "If-Match", "Content-Type"] {
        assert!(allowed.contains(name), "{allowed}");
    }
    assert!(header(&res, "vary").unwrap().contains("Origin"));
    let editor = app.token(Role::Editor);
    let res = app
        .client
        .get(format!("{}/api/v1/articles?per_page=1", app.address))
        .header("Origin", ORIGIN)
        .bearer_auth(&editor)
        .send()
        .await
        .unwrap();
    assert_eq!(header(&res, "access-control-allow-origin").unwrap(), ORIGIN);
    // With a list, public reads are for the listed origins too.
    let res = app
        .client
        .get(format!("{}/api/v1/articles?per_page=1", app.address))
        .header("Origin", "https://elsewhere.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(header(&res, "access-control-allow-origin").is_none());
}
