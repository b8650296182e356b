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

/// List, feed and calendar filters resolve a section or tag slug from the
/// taxonomy snapshot (no round trip), and look up a slug the snapshot does
/// not know (one another node created since it was loaded). Until a change
/// is applied (this node's writes at once, another node's within one poll
/// of its notification), the snapshot answers as it was loaded.
#[tokio::test]
async fn filter_slugs_are_resolved_from_the_snapshot_and_looked_up_when_it_lacks_them() {
    use diesel::RunQueryDsl;
    use khabar::db::DbConnection;
    use khabar::service::taxonomy::TaxonomyCache;
    let app = crate::helpers::spawn_app().await;
    let politics = app.get_json("/api/v1/sections/politics", 200).await["data"]["id"]
        .as_i64()
        .unwrap();
    app.db
        .run_blocking(move |conn| {
            let cache = TaxonomyCache::new(std::time::Duration::from_secs(60));
            assert_eq!(cache.section_id(conn, "politics").unwrap(), Some(politics));
            assert_eq!(cache.section_id(conn, "no-such-section").unwrap(), None);
            assert_eq!(cache.tag_id(conn, "no-such-tag").unwrap(), None);
            // Another node renames the section and creates a tag, straight
            // in the database; no notification reaches this cache.
            let write = |conn: &mut DbConnection, statement: &str| match conn {
                DbConnection::Postgres(c) => diesel::sql_query(statement).execute(c).unwrap(),
                DbConnection::Sqlite(c) => diesel::sql_query(statement).execute(c).unwrap(),
            };
            write(
                conn,
                "UPDATE sections SET slug = 'world-politics' WHERE slug = 'politics'",
            );
            write(
                conn,
                "INSERT INTO tags (slug, name, created_at, updated_at) \
                 VALUES ('fresh-tag', 'وسم جديد', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
            );
            // The snapshot still answers the old slug (the database would
            // not: the answer came from memory)...
            assert_eq!(cache.section_id(conn, "politics").unwrap(), Some(politics));
            // ...and a slug it lacks is looked up.
            assert_eq!(
                cache.section_id(conn, "world-politics").unwrap(),
                Some(politics)
            );
            let fresh = cache.tag_id(conn, "fresh-tag").unwrap();
            assert!(fresh.is_some());
            // Once the change is applied, the snapshot is reloaded.
            cache.invalidate();
            assert_eq!(cache.section_id(conn, "politics").unwrap(), None);
            assert_eq!(
                cache.section_id(conn, "world-politics").unwrap(),
                Some(politics)
            );
            assert_eq!(cache.tag_id(conn, "fresh-tag").unwrap(), fresh);
        })
        .unwrap();
}
