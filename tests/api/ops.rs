use crate::helpers::spawn_app;

#[tokio::test]
async fn health_and_readiness() {
    let app = spawn_app().await;
    let health = app.get_json("/healthz", 200).await;
    assert_eq!(health["status"], "ok");
    let ready = app.get_json("/readyz", 200).await;
    assert_eq!(ready["status"], "ok");
    let expected = if app.pg_database.is_some() {
        "postgres"
    } else {
        "sqlite"
    };
    assert_eq!(ready["database"], expected);
    assert!(app.database_url.starts_with(expected));
}

#[tokio::test]
async fn request_ids_are_echoed_or_made() {
    let app = spawn_app().await;
    let res = app
        .client
        .get(format!("{}/healthz", app.address))
        .header("X-Request-Id", "partner-trace-42")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["x-request-id"], "partner-trace-42");
    let made = app.get("/healthz").await;
    let id = made.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(id.len(), 36, "a UUID is made: {id}");
    let other = app.get("/healthz").await;
    assert_ne!(other.headers()["x-request-id"].to_str().unwrap(), id);
}

#[tokio::test]
async fn the_served_spec_is_the_committed_one() {
    let app = spawn_app().await;
    let served = app.get_json("/api/v1/openapi.json", 200).await;
    let printed: serde_json::Value =
        serde_json::from_str(&khabar::openapi::document_json()).unwrap();
    assert_eq!(
        served, printed,
        "the served spec is what `khabar openapi` prints"
    );
    let committed_text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json"))
            .expect("openapi/openapi.json is committed");
    assert_eq!(
        committed_text,
        khabar::openapi::document_json(),
        "openapi/openapi.json is stale: run `cargo run -- openapi > openapi/openapi.json`"
    );
    // The limits the server enforces are in the spec.
    let params = &served["paths"]["/api/v1/articles"]["get"]["parameters"];
    let per_page = params
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "per_page")
        .unwrap();
    assert_eq!(per_page["schema"]["maximum"], 100);
    assert_eq!(per_page["schema"]["minimum"], 1);

    // The complete article is described as complete, so generated clients
    // type its fields as present; only the sparse schema leaves them optional.
    let schemas = &served["components"]["schemas"];
    let required = |name: &str| -> Vec<String> {
        schemas[name]["required"]
            .as_array()
            .unwrap_or(&Vec::new())
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    for field in [
        "id",
        "slug",
        "title",
        "summary",
        "language",
        "dir",
        "section",
        "tags",
        "byline",
        "authors",
        "canonical_url",
        "published_at",
        "updated_at",
        "view_count",
        "comment_count",
        "from_archive",
        "comments_open",
    ] {
        assert!(
            required("ArticleDto").contains(&field.to_string()),
            "ArticleDto.{field}"
        );
        assert!(
            required("EditorialArticleDto").contains(&field.to_string()),
            "EditorialArticleDto.{field}"
        );
    }
    assert_eq!(required("ArticleFields"), vec!["id".to_string()]);
    let create = required("ArticleCreate");
    assert!(
        create.contains(&"title".into()) && create.contains(&"section_id".into()),
        "{create:?}"
    );
    assert!(required("ArticlePatch").is_empty());
    // Every write names the bearer scheme.
    assert_eq!(
        served["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    for (path, method) in [
        ("/api/v1/articles", "post"),
        ("/api/v1/articles/{id_or_slug}", "patch"),
        ("/api/v1/articles/{id_or_slug}", "delete"),
        ("/api/v1/tokens", "post"),
        ("/api/v1/sections", "post"),
    ] {
        assert_eq!(
            served["paths"][path][method]["security"],
            serde_json::json!([{"bearer": []}]),
            "{method} {path}"
        );
    }
}

#[tokio::test]
async fn head_is_get_without_a_body() {
    let app = spawn_app().await;
    let res = app
        .client
        .head(format!("{}/api/v1/articles/1", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/json");
    assert!(res.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn swagger_ui_is_served_offline() {
    let app = spawn_app().await;
    let res = app.get("/docs").await;
    assert_eq!(res.status(), 308);
    assert_eq!(res.headers()["location"], "/docs/");
    let res = app.get("/docs/").await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("swagger"), "{html}");
}

#[tokio::test]
async fn metrics_count_requests_by_route_template_in_prometheus_text() {
    let app = spawn_app().await;
    let id = app.published_ids()[0];
    for _ in 0..3 {
        assert_eq!(
            app.get(&format!("/api/v1/articles/{id}")).await.status(),
            200
        );
    }
    assert_eq!(app.get("/no/such/path/4711").await.status(), 404);
    app.get_json("/api/v1/articles?per_page=3", 200).await;
    let res = app.get("/metrics").await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let text = res.text().await.unwrap();
    let has = |needle: &str| {
        text.lines()
            .any(|l| l.starts_with(needle) || l.contains(needle))
    };
    // Templates, not paths: the id and the unknown path never become labels.
    assert!(has("route=\"/api/v1/articles/{id_or_slug}\""), "{text}");
    assert!(has("route=\"unmatched\""), "{text}");
    assert!(!text.contains(&format!("/api/v1/articles/{id}\"")));
    // (As a path: numbers such as a histogram sum may well contain 4711.)
    assert!(!text.contains("/4711"));
    for name in [
        "khabar_http_requests_total{",
        "khabar_http_request_duration_seconds_bucket{",
        "khabar_db_pool_wait_seconds",
        "khabar_db_pool_max_connections",
        "khabar_db_pool_connections{",
        "khabar_views_pending",
        "khabar_moderation_queue",
        "khabar_cache_bytes{cache=\"answers\"}",
        "khabar_cache_bytes{cache=\"list_items\"}",
        "khabar_cache_bytes{cache=\"feed_items\"}",
        "khabar_cache_bytes{cache=\"list_index\"}",
        "khabar_list_pages_total{from=\"index\"}",
    ] {
        assert!(text.contains(name), "{name} missing:\n{text}");
    }
    let line = text
        .lines()
        .find(|l| {
            l.starts_with("khabar_http_requests_total{")
                && l.contains("route=\"/api/v1/articles/{id_or_slug}\"")
                && l.contains("status=\"200\"")
        })
        .expect("a counter line for the article route");
    let count: f64 = line.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(count >= 3.0, "{line}");
}

#[tokio::test]
async fn metrics_can_require_a_token() {
    let app = crate::helpers::spawn_with(crate::helpers::Spawn {
        settings: |s| s.metrics_token = Some("s3cret-metrics".into()),
        ..Default::default()
    })
    .await;
    crate::helpers::assert_problem(app.get("/metrics").await, 401, "token_missing").await;
    let wrong = app
        .client
        .get(format!("{}/metrics", app.address))
        .bearer_auth("nope")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let right = app
        .client
        .get(format!("{}/metrics", app.address))
        .bearer_auth("s3cret-metrics")
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), 200);
}
