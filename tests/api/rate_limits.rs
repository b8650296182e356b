//! Rate limits: partner tokens (on by default), anonymous readers by address
//! (off by default), with `Retry-After` and the IETF `RateLimit` headers.

use std::time::Duration;

use khabar::domain::role::Role;

use crate::helpers::{assert_problem, spawn_app, spawn_with, Spawn, TestApp};

async fn get_as(app: &TestApp, path: &str, token: Option<&str>, client: &str) -> reqwest::Response {
    let mut req = app.client.get(format!("{}{}", app.address, path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.header("x-forwarded-for", client).send().await.unwrap()
}

fn header(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
}

#[tokio::test]
async fn a_partner_token_has_its_budget_then_429_and_another_token_its_own() {
    let app = spawn_with(Spawn {
        settings: |s| s.rate_limit_partner = 3,
        ..Default::default()
    })
    .await;
    let partner = app.token(Role::Partner);
    for left in [2, 1, 0] {
        let res = get_as(&app, "/api/v1/sections", Some(&partner), "10.0.0.1").await;
        assert_eq!(res.status().as_u16(), 200);
        assert_eq!(
            header(&res, "ratelimit-policy").unwrap(),
            "\"partner\";q=3;w=60"
        );
        let state = header(&res, "ratelimit").unwrap();
        assert!(
            state.starts_with(&format!("\"partner\";r={left};t=")),
            "{state}"
        );
    }
    let res = get_as(&app, "/api/v1/changes", Some(&partner), "10.0.0.1").await;
    let wait: u64 = header(&res, "retry-after").unwrap().parse().unwrap();
    assert!((1..=20).contains(&wait), "{wait}");
    assert_eq!(
        header(&res, "ratelimit").unwrap(),
        format!("\"partner\";r=0;t={wait}")
    );
    assert_problem(res, 429, "too_many_requests").await;
    // Another partner token is not held back; nor are editors, nor anonymous readers.
    let other = app.token(Role::Partner);
    let res = get_as(&app, "/api/v1/sections", Some(&other), "10.0.0.1").await;
    assert_eq!(res.status().as_u16(), 200);
    let editor = app.token(Role::Editor);
    for _ in 0..5 {
        let res = get_as(&app, "/api/v1/sections", Some(&editor), "10.0.0.1").await;
        assert_eq!(res.status().as_u16(), 200);
        assert!(header(&res, "ratelimit").is_none());
        let res = get_as(&app, "/api/v1/sections", None, "10.0.0.1").await;
        assert_eq!(res.status().as_u16(), 200);
    }
}

#[tokio::test]
async fn anonymous_reads_are_not_limited_by_default() {
    let app = spawn_app().await;
    for _ in 0..30 {
        let res = get_as(&app, "/api/v1/sections", None, "10.0.0.1").await;
        assert_eq!(res.status().as_u16(), 200);
        assert!(header(&res, "ratelimit").is_none());
    }
}

#[tokio::test]
async fn anonymous_reads_when_limited_count_per_address_and_the_budget_comes_back() {
    let app = spawn_with(Spawn {
        settings: |s| {
            s.rate_limit_anonymous = 60;
            s.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
        },
        ..Default::default()
    })
    .await;
    for i in 0..60 {
        let res = get_as(&app, "/api/v1/sections", None, "203.0.113.5").await;
        assert_eq!(res.status().as_u16(), 200, "request {i}");
    }
    let res = get_as(&app, "/api/v1/sections", None, "203.0.113.5").await;
    assert_eq!(
        header(&res, "ratelimit-policy").unwrap(),
        "\"anonymous\";q=60;w=60"
    );
    let wait: u64 = header(&res, "retry-after").unwrap().parse().unwrap();
    assert_eq!(wait, 1, "one request a second comes back");
    assert_problem(res, 429, "too_many_requests").await;
    // Another reader behind the same proxy, health checks, and callers with a
    // token are not held back.
    let res = get_as(&app, "/api/v1/sections", None, "203.0.113.6").await;
    assert_eq!(res.status().as_u16(), 200);
    let res = app.get("/healthz").await;
    assert_eq!(res.status().as_u16(), 200);
    let editor = app.token(Role::Editor);
    let res = get_as(&app, "/api/v1/sections", Some(&editor), "203.0.113.5").await;
    assert_eq!(res.status().as_u16(), 200);
    // After Retry-After, one more request is let through.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let res = get_as(&app, "/api/v1/sections", None, "203.0.113.5").await;
    assert_eq!(res.status().as_u16(), 200);
    assert!(header(&res, "ratelimit")
        .unwrap()
        .starts_with("\"anonymous\";r=0;"));
}
