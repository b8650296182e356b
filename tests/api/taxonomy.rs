use crate::helpers::{assert_problem, spawn_app};

#[tokio::test]
async fn sections_tags_and_authors() {
    let app = spawn_app().await;
    let sections = app
        .get_json("/api/v1/sections?per_page=100&include_total=true", 200)
        .await;
    let list = sections["data"].as_array().unwrap();
    assert!(list.len() >= 5);
    assert_eq!(sections["meta"]["total"], list.len());
    assert!(list
        .iter()
        .any(|s| s["slug"] == "politics" && s["name"] == "سياسة"));

    let one = app.get_json("/api/v1/sections/politics", 200).await;
    assert_eq!(one["data"]["name"], "سياسة");
    assert_problem(
        app.get("/api/v1/sections/nope").await,
        404,
        "section_not_found",
    )
    .await;

    let page = app.get_json("/api/v1/sections?per_page=2", 200).await;
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
    assert_eq!(page["links"]["next"], "/api/v1/sections?per_page=2&page=2");

    let tags = app.get_json("/api/v1/tags?per_page=100", 200).await;
    let tags = tags["data"].as_array().unwrap();
    assert!(tags
        .iter()
        .any(|t| t["slug"] == "iran" && t["name"] == "إيران"));

    let articles = app.get_json("/api/v1/articles?per_page=100", 200).await;
    let author = articles["data"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|a| a["authors"].as_array().unwrap().first().cloned())
        .expect("a credited author");
    let found = app
        .get_json(&format!("/api/v1/authors/{}", author["id"]), 200)
        .await;
    assert_eq!(found["data"]["name"], author["name"]);
    assert!(found["data"]["slug"].as_str().is_some());

    assert_problem(
        app.get("/api/v1/authors/999999").await,
        404,
        "author_not_found",
    )
    .await;
    let body = assert_problem(
        app.get("/api/v1/authors/abc").await,
        400,
        "invalid_parameters",
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "id");
}
