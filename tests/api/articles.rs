use khabar::seed::SeedArticle;

use crate::helpers::{spawn_app, spawn_with, Spawn};

fn percent(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

#[tokio::test]
async fn the_seed_article_comes_out_exactly_as_published() {
    let app = spawn_with(Spawn {
        demo_articles: Some(0),
        ..Spawn::default()
    })
    .await;
    let seed = SeedArticle::fixture();
    let body = app.get_json("/api/v1/articles/1", 200).await;
    let a = &body["data"];
    assert_eq!(a["id"], 1);
    assert_eq!(
        a["title"],
        "وزير الدفاع الإيراني من موسكو: تعزيز التعاون ضروري وحتمي"
    );
    assert_eq!(a["summary"].as_str().unwrap(), seed.lead);
    assert!(a["summary"]
        .as_str()
        .unwrap()
        .starts_with("وزير الدفاع الروسي يلتقي نظيره الإيراني في موسكو"));
    // Byte for byte: every paragraph, in order, in the plain text and the HTML.
    let paragraphs = seed.all_paragraphs();
    assert_eq!(paragraphs.len(), 8);
    assert_eq!(a["body_text"].as_str().unwrap(), paragraphs.join("\n\n"));
    let html = a["body_html"].as_str().unwrap();
    let expected_html: String = paragraphs.iter().map(|p| format!("<p>{p}</p>")).collect();
    assert_eq!(html, expected_html);
    assert!(html.contains("بـ\"الاستراتيجية\""));
    // The page's own flattened body is the same words.
    assert_eq!(
        a["body_text"].as_str().unwrap().replace("\n\n", " "),
        "وزير الدفاع الروسي يلتقي نظيره الإيراني في موسكو، والطرفان يؤكدان على أهمية العلاقة بين البلدين. وصف وزير الدفاع الروسي سيرغي شويغو، اليوم الأحد، علاقات بلاده مع إيران بـ\"الاستراتيجية\"، مضيفاً أن العلاقات بين البلدين تتصف \"بمستوى عالٍ من الحوار السياسي والتفاهم المتبادل\". وقال شويغو إن آفاق التعاون بين إيران وروسيا، تتعزز أكثر فأكثر في مجال الدفاع والأمن، مؤكداً على ضرورة استمرار التعاون الإقليمي لإحلال السلام والاستقرار في المنطقة. وجاء موقف شويغو في مستهل اجتماعه بنظيره الإيراني أمير حاتمي في موسكو، على هامش معرض الجيش 2020، حيث لفت حاتمي إلى الدور الهام الذي تلعبه روسيا على الساحتين الدولية والإقليمية، ولا سيما في سوريا. وتابع حاتمي أنه \"بالنظر إلى العمق الاستراتيجي للبلدين، فإن تعزيز التعاون بين طهران وموسكو ضروري وحتمي\". وشدد وزير الدفاع الإيراني على أن رفض مجلس الأمن الدولي لمشروع القرار الأميركي بشأن تمديد الحظر التسليحي على إيران، \"أظهر مرة أخرى هزيمة الولايات المتحدة وحلفائها الإقليميين\". وأعلن وزير الخارجية الأميركي مايك بومبيو، يوم الجمعة، أن واشنطن \"تشعر بخيبة أمل لأن حلفاءها لم يدعموا جهودها من أجل إعادة فرض عقوبات الأمم المتحدة، التي تشمل حظر التسلح\". وقال بومبيو إن واشنطن تتأهب لمنع روسيا والصين، من الإقدام على أية محاولات لانتهاك العقوبات المفروضة على إيران."
    );
    assert_eq!(a["byline"], "فريق ماسة");
    assert_eq!(a["authors"], serde_json::json!([]));
    assert_eq!(a["view_count"], 11636);
    assert_eq!(a["comment_count"], 0);
    assert!(a["published_at"]
        .as_str()
        .unwrap()
        .starts_with("2020-08-22T"));
    assert!(a["published_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(a["source"]["name"], "الماسة السورية");
    assert_eq!(a["from_archive"], true);
    assert_eq!(a["language"], "ar");
    assert_eq!(a["dir"], "rtl");
    assert_eq!(a["comments_open"], true);
    assert_eq!(a["section"]["slug"], "politics");
    assert_eq!(a["section"]["name"], "سياسة");
    let tag_names: Vec<&str> = a["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert!(
        tag_names.contains(&"إيران") && tag_names.contains(&"روسيا"),
        "{tag_names:?}"
    );
    assert!(a["canonical_url"].as_str().unwrap().starts_with("https://"));
    assert!(a.get("status").is_none(), "status is for editors only");
}

#[tokio::test]
async fn an_arabic_slug_works_percent_encoded() {
    let app = spawn_app().await;
    let slug = "وزير-الدفاع-الإيراني-من-موسكو-تعزيز-التعاون-ضروري-وحتمي";
    let body = app
        .get_json(&format!("/api/v1/articles/{}", percent(slug)), 200)
        .await;
    assert_eq!(body["data"]["id"], 1);
    assert_eq!(body["data"]["slug"], slug);
    // The canonical URL carries the slug percent-encoded; RFC 3986 unreserved
    // characters such as '-' stay as they are.
    let encoded: Vec<String> = slug.split('-').map(percent).collect();
    let canonical = body["data"]["canonical_url"].as_str().unwrap();
    assert!(canonical.ends_with(&encoded.join("-")), "{canonical}");
    assert!(!canonical.contains("%2D"), "{canonical}");
}

#[tokio::test]
async fn drafts_and_unknown_articles_are_not_found() {
    let app = spawn_app().await;
    let drafts = app.draft_ids();
    assert!(!drafts.is_empty(), "the demo corpus has drafts");
    for id in drafts {
        crate::helpers::assert_problem(
            app.get(&format!("/api/v1/articles/{id}")).await,
            404,
            "article_not_found",
        )
        .await;
    }
    crate::helpers::assert_problem(
        app.get("/api/v1/articles/999999").await,
        404,
        "article_not_found",
    )
    .await;
    crate::helpers::assert_problem(
        app.get("/api/v1/articles/no-such-slug").await,
        404,
        "article_not_found",
    )
    .await;
    crate::helpers::assert_problem(
        app.get("/api/v1/articles/%00x").await,
        404,
        "article_not_found",
    )
    .await;
}

#[tokio::test]
async fn the_list_is_newest_first_with_the_envelope() {
    let app = spawn_app().await;
    let body = app.get_json("/api/v1/articles?per_page=5", 200).await;
    let data = body["data"].as_array().unwrap();
    assert_eq!(data.len(), 5);
    let times: Vec<&str> = data
        .iter()
        .map(|a| a["published_at"].as_str().unwrap())
        .collect();
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted);
    for a in data {
        assert!(a.get("body_html").is_none(), "list items omit body_html");
        assert!(a.get("body_text").is_none());
        assert!(a["title"].as_str().is_some());
        assert!(a["section"]["slug"].as_str().is_some());
    }
    assert_eq!(body["meta"]["page"], 1);
    assert_eq!(body["meta"]["per_page"], 5);
    assert!(body["meta"].get("total").is_none(), "total only when asked");
    assert!(body["meta"]["next_cursor"].as_str().is_some());
    assert_eq!(body["links"]["self"], "/api/v1/articles?per_page=5");
    assert_eq!(body["links"]["next"], "/api/v1/articles?per_page=5&page=2");
    assert!(body["links"].get("prev").is_none());

    let page2 = app
        .get_json("/api/v1/articles?per_page=5&page=2&include_total=true", 200)
        .await;
    assert_eq!(page2["meta"]["total"], app.published_ids().len());
    assert_eq!(
        page2["links"]["prev"],
        "/api/v1/articles?per_page=5&include_total=true&page=1"
    );

    let oldest = app
        .get_json("/api/v1/articles?sort=oldest&per_page=1", 200)
        .await;
    let newest = app
        .get_json("/api/v1/articles?sort=newest&per_page=1", 200)
        .await;
    assert!(
        oldest["data"][0]["published_at"].as_str() < newest["data"][0]["published_at"].as_str()
    );
}

#[tokio::test]
async fn filters_narrow_the_list() {
    let app = spawn_app().await;
    let politics = app
        .get_json("/api/v1/articles?section=politics&per_page=100", 200)
        .await;
    let items = politics["data"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(items.iter().all(|a| a["section"]["slug"] == "politics"));
    assert!(items.iter().any(|a| a["id"] == 1));

    let iran = app
        .get_json("/api/v1/articles?tag=iran&per_page=100", 200)
        .await;
    let items = iran["data"].as_array().unwrap();
    assert!(items.iter().any(|a| a["id"] == 1));
    assert!(items.iter().all(|a| a["tags"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["slug"] == "iran")));

    // An author credited somewhere: every listed article credits them.
    let all = app.get_json("/api/v1/articles?per_page=100", 200).await;
    let author_id = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|a| {
            a["authors"]
                .as_array()
                .unwrap()
                .first()
                .map(|au| au["id"].as_i64().unwrap())
        })
        .expect("some article credits an author");
    let by_author = app
        .get_json(
            &format!("/api/v1/articles?author={author_id}&per_page=100"),
            200,
        )
        .await;
    let items = by_author["data"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(items.iter().all(|a| a["authors"]
        .as_array()
        .unwrap()
        .iter()
        .any(|au| au["id"] == author_id)));

    let arabic = app
        .get_json("/api/v1/articles?language=ar&include_total=true", 200)
        .await;
    assert_eq!(arabic["meta"]["total"], app.published_ids().len());
    let english = app
        .get_json("/api/v1/articles?language=en&include_total=true", 200)
        .await;
    assert_eq!(english["meta"]["total"], 0);
    assert_eq!(english["data"], serde_json::json!([]));

    let nowhere = app
        .get_json(
            "/api/v1/articles?section=no-such-section&include_total=true",
            200,
        )
        .await;
    assert_eq!(nowhere["data"], serde_json::json!([]));
    assert_eq!(nowhere["meta"]["total"], 0);
}

#[tokio::test]
async fn sparse_fieldsets_return_only_what_is_asked() {
    let app = spawn_app().await;
    let body = app
        .get_json("/api/v1/articles?fields=title,body_html&per_page=3", 200)
        .await;
    for a in body["data"].as_array().unwrap() {
        let mut keys: Vec<&String> = a.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(keys, vec!["body_html", "id", "title"]);
        assert!(a["body_html"].as_str().unwrap().starts_with("<p>"));
    }
    // A search loads only the body's text for its snippets, unless the HTML
    // is asked for.
    let found = app
        .get_json(
            "/api/v1/articles?q=%D9%88%D8%B2%D9%8A%D8%B1&fields=title,body_html&per_page=3",
            200,
        )
        .await;
    assert!(!found["data"].as_array().unwrap().is_empty());
    for a in found["data"].as_array().unwrap() {
        assert!(a["body_html"].as_str().unwrap().starts_with("<p>"), "{a}");
    }
    let one = app
        .get_json("/api/v1/articles/1?fields=view_count", 200)
        .await;
    assert_eq!(
        one["data"],
        serde_json::json!({"id": 1, "view_count": 11636})
    );
    // Sparse answers have their own media type; complete ones are plain JSON.
    let res = app.get("/api/v1/articles/1?fields=title").await;
    assert_eq!(
        res.headers()["content-type"],
        "application/vnd.khabar.fields+json"
    );
    let res = app.get("/api/v1/articles?fields=title").await;
    assert_eq!(
        res.headers()["content-type"],
        "application/vnd.khabar.fields+json"
    );
    let res = app.get("/api/v1/articles/1").await;
    assert_eq!(res.headers()["content-type"], "application/json");
    // A token holder gets another answer from the same URL: shared caches must know.
    let vary = res
        .headers()
        .get_all("vary")
        .iter()
        .map(|v| v.to_str().unwrap().to_lowercase())
        .collect::<Vec<_>>()
        .join(",");
    assert!(vary.contains("authorization"), "{vary}");
    // An empty list is not a fieldset (the spec says minItems 1).
    for path in ["/api/v1/articles/1?fields=", "/api/v1/articles?fields="] {
        crate::helpers::assert_problem(app.get(path).await, 400, "invalid_parameters").await;
    }
}

/// A story is cached past the list TTL (its own TTL, a minute by default),
/// and an edit still ends its cached answer at once.
#[tokio::test]
async fn article_answers_outlive_the_list_ttl_until_an_edit() {
    use khabar::domain::role::Role;
    use reqwest::Method;
    let app = spawn_with(Spawn {
        demo_articles: Some(3),
        cache_ttl: std::time::Duration::from_millis(600),
        ..Spawn::default()
    })
    .await;
    for path in ["/api/v1/articles/1", "/api/v1/articles?per_page=2"] {
        app.get(path).await;
        app.get(path).await;
        assert_eq!(app.get(path).await.headers()["x-cache"], "hit", "{path}");
    }
    tokio::time::sleep(std::time::Duration::from_millis(900)).await;
    assert_eq!(
        app.get("/api/v1/articles?per_page=2").await.headers()["x-cache"],
        "miss",
        "a list lives for the cache TTL"
    );
    assert_eq!(
        app.get("/api/v1/articles/1").await.headers()["x-cache"],
        "hit",
        "a story lives longer"
    );
    let token = app.token(Role::Editor);
    let (_, etag) = app.editor_view(&token, 1).await;
    app.send_json(
        crate::helpers::Call::new(Method::PATCH, "/api/v1/articles/1")
            .token(&token)
            .if_match(etag)
            .json(serde_json::json!({"title": "عنوان بعد التحرير"})),
        200,
    )
    .await;
    let after = app.get("/api/v1/articles/1").await;
    assert_eq!(after.headers()["x-cache"], "miss", "the edit ended it");
    let body: serde_json::Value = after.json().await.unwrap();
    assert_eq!(body["data"]["title"], "عنوان بعد التحرير");
}

/// Many reads by id at once (on PostgreSQL they are gathered into batches):
/// each gets its own article, or 404 for drafts and unknown ids, and a
/// repeated id gets the same article each time.
#[tokio::test]
async fn concurrent_reads_by_id_each_get_their_own_article() {
    let app = spawn_with(Spawn {
        demo_articles: Some(40),
        cache_ttl: std::time::Duration::ZERO,
        ..Spawn::default()
    })
    .await;
    let published = app.published_ids();
    let drafts = app.draft_ids();
    assert!(!drafts.is_empty(), "the demo corpus has drafts");
    let mut wanted: Vec<i64> = published.iter().chain(&drafts).copied().collect();
    wanted.extend([999_999, 0, published[0], published[0], published[1]]);
    let mut calls = tokio::task::JoinSet::new();
    for id in wanted {
        let client = app.client.clone();
        let url = format!("{}/api/v1/articles/{id}", app.address);
        calls.spawn(async move {
            let res = client.get(url).send().await.expect("request is sent");
            let status = res.status().as_u16();
            let body: serde_json::Value = res.json().await.expect("JSON");
            (id, status, body)
        });
    }
    let mut seen = 0;
    while let Some(done) = calls.join_next().await {
        let (id, status, body) = done.expect("task");
        seen += 1;
        if published.contains(&id) {
            assert_eq!(status, 200, "article {id}: {body}");
            assert_eq!(body["data"]["id"], id, "article {id} answered another");
        } else {
            assert_eq!(status, 404, "article {id}: {body}");
            assert_eq!(body["code"], "article_not_found", "article {id}");
        }
    }
    assert_eq!(seen, published.len() + drafts.len() + 5);
}

/// A hot id that answers 404 (a draft, an id not created yet) is answered
/// from memory, and stops being missing the moment it is published or created.
#[tokio::test]
async fn missing_articles_are_remembered_until_published_or_created() {
    use khabar::domain::role::Role;
    use reqwest::Method;
    let app = spawn_with(Spawn {
        demo_articles: Some(3),
        cache_ttl: std::time::Duration::from_secs(60),
        ..Spawn::default()
    })
    .await;
    let token = app.token(Role::Editor);
    let draft = app
        .create_article(
            &token,
            serde_json::json!({"title": "مسودة خبر", "section_id": 1, "body_html": "<p>نص</p>", "status": "draft"}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let next = draft + 1;
    for id in [draft, next] {
        let path = format!("/api/v1/articles/{id}");
        let first = app.get(&path).await;
        assert_ne!(
            first.headers().get("x-cache").map(|v| v.to_str().unwrap()),
            Some("hit"),
            "{path}: read from the database"
        );
        crate::helpers::assert_problem(first, 404, "article_not_found").await;
        let again = app.get(&path).await;
        assert_eq!(again.headers()["x-cache"], "hit", "{path}: remembered");
        assert_eq!(again.headers()["cache-control"], "no-store");
        crate::helpers::assert_problem(again, 404, "article_not_found").await;
    }
    let (_, etag) = app.editor_view(&token, draft).await;
    app.send_json(
        crate::helpers::Call::new(Method::PATCH, format!("/api/v1/articles/{draft}"))
            .token(&token)
            .if_match(etag)
            .json(serde_json::json!({"status": "published"})),
        200,
    )
    .await;
    assert_eq!(
        app.get(&format!("/api/v1/articles/{draft}"))
            .await
            .status()
            .as_u16(),
        200,
        "published: found at once"
    );
    let created = app
        .create_article(
            &token,
            serde_json::json!({"title": "خبر جديد", "section_id": 1, "body_html": "<p>نص</p>", "status": "published"}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    assert_eq!(created, next, "ids are given in order");
    assert_eq!(
        app.get(&format!("/api/v1/articles/{next}"))
            .await
            .status()
            .as_u16(),
        200,
        "created: found at once"
    );
}

#[tokio::test]
async fn answers_are_reused_for_the_cache_ttl_only() {
    use diesel::prelude::*;
    use khabar::db::schema::article_stats;
    let app = spawn_with(Spawn {
        demo_articles: Some(5),
        cache_ttl: std::time::Duration::from_millis(600),
        // Articles have a TTL of their own (a minute by default).
        settings: |s| s.article_cache_ttl = std::time::Duration::from_millis(600),
        ..Spawn::default()
    })
    .await;
    // A key is admitted on its second miss (one-off reads never fill the cache).
    let first = app.get("/api/v1/articles/1").await;
    assert_eq!(first.headers()["x-cache"], "miss");
    assert_eq!(
        app.get("/api/v1/articles/1").await.headers()["x-cache"],
        "miss"
    );
    let second = app.get("/api/v1/articles/1").await;
    assert_eq!(second.headers()["x-cache"], "hit");
    let cached: serde_json::Value = second.json().await.unwrap();
    assert_eq!(cached["data"]["view_count"], 11636);

    app.db
        .run_blocking(|conn| {
            diesel::update(article_stats::table.find(1))
                .set(article_stats::view_count.eq(11640))
                .execute(conn)
        })
        .unwrap()
        .unwrap();
    let within_ttl = app.get_json("/api/v1/articles/1", 200).await;
    assert_eq!(
        within_ttl["data"]["view_count"], 11636,
        "served from the cache"
    );
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    let after = app.get("/api/v1/articles/1").await;
    assert_eq!(after.headers()["x-cache"], "miss", "expired after the TTL");
    let fresh: serde_json::Value = after.json().await.unwrap();
    assert_eq!(fresh["data"]["view_count"], 11640, "fresh after the TTL");

    // Lists are cached per query string; errors never are.
    assert_eq!(
        app.get("/api/v1/articles?per_page=2").await.headers()["x-cache"],
        "miss"
    );
    assert_eq!(
        app.get("/api/v1/articles?per_page=2").await.headers()["x-cache"],
        "miss",
        "admitted on the second miss"
    );
    assert_eq!(
        app.get("/api/v1/articles?per_page=2").await.headers()["x-cache"],
        "hit"
    );
    assert_eq!(
        app.get("/api/v1/articles?per_page=3").await.headers()["x-cache"],
        "miss"
    );
    assert!(app
        .get("/api/v1/articles/999999")
        .await
        .headers()
        .get("x-cache")
        .is_none());
}
