use std::time::Duration;

use crate::helpers::{assert_problem, spawn_app, spawn_with, Spawn};

#[tokio::test]
async fn bad_paging_values_are_400_problems() {
    let app = spawn_app().await;
    for (query, field, code) in [
        ("per_page=0", "per_page", "out_of_range"),
        ("per_page=101", "per_page", "out_of_range"),
        ("page=-1", "page", "invalid_integer"),
        ("page=0", "page", "out_of_range"),
        ("page=99999999999999999999", "page", "out_of_range"),
        ("page=1000001", "page", "out_of_range"),
        ("page=abc", "page", "invalid_integer"),
        ("per_page=1.5", "per_page", "invalid_integer"),
        ("include_total=yes", "include_total", "invalid_boolean"),
        ("sort=random", "sort", "invalid_sort"),
        ("fields=title,nope", "fields", "unknown_field"),
        ("author=0", "author", "out_of_range"),
        ("author=x", "author", "invalid_integer"),
        ("language=Arabic", "language", "invalid_language"),
        ("section=", "section", "empty"),
    ] {
        let body = assert_problem(
            app.get(&format!("/api/v1/articles?{query}")).await,
            400,
            "invalid_parameters",
        )
        .await;
        let errors = body["errors"]
            .as_array()
            .unwrap_or_else(|| panic!("{query}: {body}"));
        assert_eq!(errors.len(), 1, "{query}: {body}");
        assert_eq!(errors[0]["field"], field, "{query}: {body}");
        assert_eq!(errors[0]["code"], code, "{query}: {body}");
        assert!(errors[0]["message"].as_str().unwrap().contains(field));
    }
    for path in ["/api/v1/sections?per_page=0", "/api/v1/tags?page=-1"] {
        assert_problem(app.get(path).await, 400, "invalid_parameters").await;
    }
}

#[tokio::test]
async fn every_bad_field_is_listed_at_once() {
    let app = spawn_app().await;
    let body = assert_problem(
        app.get("/api/v1/articles?per_page=0&page=x&sort=up").await,
        400,
        "invalid_parameters",
    )
    .await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields.len(), 3, "{body}");
    for f in ["per_page", "page", "sort"] {
        assert!(fields.contains(&f), "{body}");
    }
}

#[tokio::test]
async fn a_garbage_cursor_is_a_400() {
    let app = spawn_app().await;
    for cursor in ["garbage", "n123", "x1_1", "n1_1_1", "%F0%9F%92%A9"] {
        let body = assert_problem(
            app.get(&format!("/api/v1/articles?cursor={cursor}")).await,
            400,
            "invalid_cursor",
        )
        .await;
        assert_eq!(body["errors"][0]["field"], "cursor");
    }
}

#[tokio::test]
async fn errors_speak_arabic_when_asked() {
    let app = spawn_app().await;
    let res = app
        .client
        .get(format!("{}/api/v1/articles?per_page=101", app.address))
        .header("Accept-Language", "ar-SY,ar;q=0.9,en;q=0.5")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-language"], "ar");
    let body = assert_problem(res, 400, "invalid_parameters").await;
    assert_eq!(body["title"], "مُدخلات غير صالحة");
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("يجب"));

    let res = app
        .client
        .get(format!("{}/api/v1/articles/999999", app.address))
        .header("Accept-Language", "ar")
        .send()
        .await
        .unwrap();
    let body = assert_problem(res, 404, "article_not_found").await;
    assert_eq!(body["title"], "المقال غير موجود");

    let body = assert_problem(
        app.get("/api/v1/articles/999999").await,
        404,
        "article_not_found",
    )
    .await;
    assert_eq!(body["title"], "Article not found");
}

#[tokio::test]
async fn unknown_routes_are_404_and_wrong_methods_405() {
    let app = spawn_app().await;
    assert_problem(
        app.get("/api/v1/nothing-here").await,
        404,
        "route_not_found",
    )
    .await;
    assert_problem(app.get("/").await, 404, "route_not_found").await;
    assert_problem(app.get("/api/v2/articles").await, 404, "route_not_found").await;

    for (method, path, allow) in [
        (
            reqwest::Method::POST,
            "/api/v1/articles/1",
            "GET, DELETE, PATCH, HEAD",
        ),
        (
            reqwest::Method::DELETE,
            "/api/v1/sections",
            "GET, POST, HEAD",
        ),
        (reqwest::Method::PUT, "/healthz", "GET, HEAD"),
    ] {
        let res = app
            .client
            .request(method.clone(), format!("{}{}", app.address, path))
            .send()
            .await
            .unwrap();
        assert_eq!(res.headers()["allow"], allow, "{method} {path}");
        assert_problem(res, 405, "method_not_allowed").await;
    }
}

#[tokio::test]
async fn a_saturated_or_missing_database_is_a_503_and_the_service_recovers() {
    let app = spawn_with(Spawn {
        demo_articles: Some(5),
        pool_size: 1,
        checkout_timeout: Duration::from_millis(300),
        ..Spawn::default()
    })
    .await;
    assert_eq!(app.get("/api/v1/articles/1").await.status(), 200);
    // Hold the only connection, as a hung or unreachable database would.
    let db = app.db.clone();
    let holder = tokio::task::spawn_blocking(move || {
        db.run_blocking(|_| std::thread::sleep(Duration::from_millis(1500)))
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let res = app.get("/api/v1/articles/1").await;
    assert_eq!(res.headers()["retry-after"], "5");
    assert_problem(res, 503, "database_unavailable").await;
    assert_problem(app.get("/readyz").await, 503, "database_unavailable").await;
    assert_eq!(
        app.get("/healthz").await.status(),
        200,
        "liveness does not depend on the database"
    );
    holder.await.unwrap().unwrap();
    assert_eq!(
        app.get("/api/v1/articles/1").await.status(),
        200,
        "recovers by itself"
    );
    assert_eq!(app.get("/readyz").await.status(), 200);
}

/// A real outage: PostgreSQL refuses and drops every connection to the
/// database, then comes back. Runs only against PostgreSQL.
#[tokio::test]
async fn a_postgres_outage_is_a_503_and_the_service_recovers() {
    use diesel::{Connection, PgConnection, RunQueryDsl};
    let Ok(admin_url) = std::env::var("KHABAR_TEST_POSTGRES_URL") else {
        eprintln!("skipped: KHABAR_TEST_POSTGRES_URL is not set");
        return;
    };
    let app = spawn_with(Spawn {
        demo_articles: Some(5),
        pool_size: 2,
        checkout_timeout: Duration::from_millis(500),
        ..Spawn::default()
    })
    .await;
    let name = app.pg_database.clone().unwrap();
    assert_eq!(app.get("/api/v1/articles/1").await.status(), 200);
    let mut admin = PgConnection::establish(&admin_url).unwrap();
    diesel::sql_query(format!("ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS false"))
        .execute(&mut admin)
        .unwrap();
    diesel::sql_query(format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()"
    ))
    .execute(&mut admin)
    .unwrap();
    for _ in 0..3 {
        let res = app.get("/api/v1/articles/1").await;
        assert_eq!(res.headers()["retry-after"], "5");
        assert_problem(res, 503, "database_unavailable").await;
    }
    diesel::sql_query(format!("ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS true"))
        .execute(&mut admin)
        .unwrap();
    let mut recovered = false;
    for _ in 0..20 {
        if app.get("/api/v1/articles/1").await.status() == 200 {
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(
        recovered,
        "the service recovers by itself when the database returns"
    );
}
