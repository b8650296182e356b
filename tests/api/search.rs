//! Search: Arabic forms, phrases, exclusions, ranking, highlight, limits,
//! the index following writes, and the same results on both backends.

use std::collections::BTreeSet;

use khabar::domain::role::Role;
use khabar::domain::search::{self, phrase_in_fields, Clause, SearchDocument, SearchQuery};
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{assert_problem, spawn_with, Call, Spawn, TestApp};

fn empty_app() -> Spawn {
    Spawn {
        demo_articles: Some(0),
        ..Spawn::default()
    }
}

/// GET /articles (or another list path) with `q` and extra parameters.
async fn search_page(app: &TestApp, path: &str, q: &str, extra: &[(&str, &str)]) -> Value {
    let mut params = vec![("q", q)];
    params.extend_from_slice(extra);
    if !extra.iter().any(|(k, _)| *k == "per_page") {
        params.push(("per_page", "100"));
    }
    let res = app
        .client
        .get(format!("{}{}", app.address, path))
        .query(&params)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let body = res.text().await.unwrap();
    assert_eq!(status, 200, "q={q:?}: {body}");
    serde_json::from_str(&body).unwrap()
}

/// The seed article (in every app here; its text has "وزير الدفاع", 2020, …).
const SEED_ARTICLE: i64 = 1;

/// What `q` finds among the articles a test made (the seed article aside).
async fn found(app: &TestApp, q: &str) -> Vec<i64> {
    let mut got = ids(&search_page(app, "/api/v1/articles", q, &[]).await);
    got.retain(|id| *id != SEED_ARTICLE);
    got
}

fn ids(page: &Value) -> Vec<i64> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect()
}

async fn publish(app: &TestApp, token: &str, title: &str, summary: &str, body: &str) -> i64 {
    app.create_article(
        token,
        json!({"title": title, "summary": summary, "section_id": 1,
               "body_html": format!("<p>{body}</p>"), "status": "published"}),
    )
    .await["id"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn arabic_spellings_find_each_other() {
    let app = spawn_with(empty_app()).await;
    let editor = app.token(Role::Editor);
    let the_minister = publish(&app, &editor, "الوزير يصل", "", "نص").await;
    let and_the_minister = publish(&app, &editor, "والوزير يغادر", "", "نص").await;
    let for_the_minister = publish(&app, &editor, "كلمة للوزير", "", "نص").await;
    let minister = publish(&app, &editor, "وزير جديد", "", "نص").await;
    let the_school = publish(&app, &editor, "خبر", "", "في المدرسة").await;
    let in_the_school = publish(&app, &editor, "خبر", "", "بالمدرسة أمس").await;
    let cooperation = publish(&app, &editor, "خبر", "", "التعاون مستمر").await;
    let team = publish(&app, &editor, "خبر", "", "الفريق فاز").await;
    let hamza = publish(&app, &editor, "إسلام أحمد", "", "نص").await;
    let diacritics = publish(&app, &editor, "خبر", "مُحَمَّدٌ حضر", "نص").await;
    let maqsura = publish(&app, &editor, "خبر", "", "مستشفى المدينة").await;
    let eastern = publish(&app, &editor, "خبر", "", "عام ٢٠٢٠ كان صعبا").await;
    let western = publish(&app, &editor, "خبر", "", "عام 2021 كان أفضل").await;
    let tatweel = publish(&app, &editor, "خـــبر عاجل", "", "نص").await;
    let moscow = publish(&app, &editor, "وصل وموسكو", "", "نص").await;

    let contains = |got: &[i64], want: &[i64], q: &str| {
        for id in want {
            assert!(got.contains(id), "{q:?} should find {id}; found {got:?}");
        }
    };
    let ministers = [the_minister, and_the_minister, for_the_minister, minister];
    for q in ["وزير", "الوزير", "والوزير", "للوزير"] {
        contains(&found(&app, q).await, &ministers, q);
    }
    for q in ["مدرسة", "مدرسه", "المدرسة"] {
        let got = found(&app, q).await;
        contains(&got, &[the_school, in_the_school], q);
        assert!(!got.contains(&the_minister), "{q:?}: {got:?}");
    }
    contains(&found(&app, "تعاون").await, &[cooperation], "تعاون");
    contains(&found(&app, "فريق").await, &[team], "فريق");
    for q in ["اسلام احمد", "أحمد", "إسلام", "احمد"] {
        assert_eq!(found(&app, q).await, vec![hamza], "{q:?}");
    }
    for q in ["محمد", "مُحمّد"] {
        assert_eq!(found(&app, q).await, vec![diacritics], "{q:?}");
    }
    for q in ["مستشفي", "مستشفى"] {
        assert_eq!(found(&app, q).await, vec![maqsura], "{q:?}");
    }
    for q in ["2020", "٢٠٢٠", "۲۰۲۰"] {
        assert_eq!(found(&app, q).await, vec![eastern], "{q:?}");
    }
    assert_eq!(found(&app, "٢٠٢١").await, vec![western]);
    assert_eq!(found(&app, "خبر عاجل").await, vec![tatweel]);
    // "و" + a word: both readings match.
    assert_eq!(found(&app, "موسكو").await, vec![moscow]);
    assert_eq!(found(&app, "وموسكو").await, vec![moscow]);
    // A word that is not there finds nothing.
    assert!(found(&app, "بركان").await.is_empty());
}

#[tokio::test]
async fn phrases_exclusions_and_ranking() {
    let app = spawn_with(empty_app()).await;
    let editor = app.token(Role::Editor);
    let in_title = publish(&app, &editor, "وزير الدفاع يزور موسكو", "", "نص").await;
    let reversed = publish(&app, &editor, "خبر", "", "الدفاع عن وزير سابق").await;
    let in_body = publish(&app, &editor, "خبر", "", "قال وزير الدفاع إن الاجتماع مهم").await;
    let across = publish(&app, &editor, "حديث الوزير", "الدفاع أولا", "نص").await;
    let sorted = |mut v: Vec<i64>| {
        v.sort_unstable();
        v
    };
    assert_eq!(
        sorted(found(&app, "\"وزير الدفاع\"").await),
        vec![in_title, in_body]
    );
    // Arabic quotation marks too; a phrase never spans title and summary.
    assert_eq!(
        sorted(found(&app, "«الوزير الدفاع»").await),
        vec![in_title, in_body]
    );
    assert_eq!(
        sorted(found(&app, "وزير الدفاع").await),
        vec![in_title, reversed, in_body, across]
    );
    assert_eq!(
        sorted(found(&app, "وزير -موسكو").await),
        vec![reversed, in_body, across]
    );
    assert_eq!(
        sorted(found(&app, "وزير -\"وزير الدفاع\"").await),
        vec![reversed, across]
    );

    // Ranking: title above summary above body-only, although the body-only
    // match is the newest.
    let title = publish(&app, &editor, "زلزال قوي", "", "نص").await;
    let summary = publish(&app, &editor, "خبر", "ضرب زلزال المنطقة", "نص").await;
    let body = publish(&app, &editor, "خبر", "", "وقع زلزال صباحا").await;
    assert_eq!(found(&app, "زلزال").await, vec![title, summary, body]);
    let explicit = search_page(&app, "/api/v1/articles", "زلزال", &[("sort", "relevance")]).await;
    assert_eq!(ids(&explicit), vec![title, summary, body]);
    // newest / oldest still apply, and keep their cursors.
    let newest = search_page(
        &app,
        "/api/v1/articles",
        "زلزال",
        &[("sort", "newest"), ("per_page", "2")],
    )
    .await;
    assert_eq!(ids(&newest), vec![body, summary]);
    let cursor = newest["meta"]["next_cursor"].as_str().unwrap().to_string();
    let rest = search_page(&app, "/api/v1/articles", "زلزال", &[("cursor", &cursor)]).await;
    assert_eq!(ids(&rest), vec![title]);
    let oldest = search_page(&app, "/api/v1/articles", "زلزال", &[("sort", "oldest")]).await;
    assert_eq!(ids(&oldest), vec![title, summary, body]);
    // Ranked pages go by number.
    let first = search_page(&app, "/api/v1/articles", "زلزال", &[("per_page", "2")]).await;
    assert_eq!(ids(&first), vec![title, summary]);
    assert!(first["meta"].get("next_cursor").is_none(), "{first}");
    let next = first["links"]["next"].as_str().unwrap();
    assert!(next.contains("page=2"), "{next}");
    let second = app.get_json(next, 200).await;
    assert_eq!(ids(&second), vec![body]);
    // include_total counts every match.
    let counted = search_page(
        &app,
        "/api/v1/articles",
        "زلزال",
        &[("include_total", "true"), ("per_page", "1")],
    )
    .await;
    assert_eq!(counted["meta"]["total"], 3);
}

#[tokio::test]
async fn highlights_mark_matches_and_escape_everything_else() {
    let app = spawn_with(empty_app()).await;
    let editor = app.token(Role::Editor);
    let id = publish(
        &app,
        &editor,
        "خبر",
        "ملخص",
        "قال &lt;script&gt;alert(1)&lt;/script&gt; إن الزلزالَ ضرب &amp; هدم",
    )
    .await;
    let page = search_page(&app, "/api/v1/articles", "زلزال", &[]).await;
    let item = &page["data"][0];
    assert_eq!(item["id"], id);
    let highlight = item["highlight"].as_str().unwrap();
    assert!(highlight.contains("<mark>الزلزالَ</mark>"), "{highlight}");
    assert!(
        highlight.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{highlight}"
    );
    assert!(highlight.contains("&amp; هدم"), "{highlight}");
    assert!(!highlight.contains("<script>"), "{highlight}");
    // Bodies stay out of list items unless asked for.
    assert!(item.get("body_text").is_none());
    // Sparse answers keep the snippet.
    let sparse = search_page(&app, "/api/v1/articles", "زلزال", &[("fields", "title")]).await;
    assert_eq!(sparse["data"][0]["highlight"], highlight);
    assert_eq!(sparse["data"][0]["title"], "خبر");
    // Without q there is no snippet.
    let plain = app.get_json("/api/v1/articles", 200).await;
    assert!(plain["data"][0].get("highlight").is_none());
}

#[tokio::test]
async fn the_index_follows_every_write() {
    let app = spawn_with(empty_app()).await;
    let editor = app.token(Role::Editor);
    let id = publish(&app, &editor, "بركان يثور", "", "نص").await;
    assert_eq!(found(&app, "بركان").await, vec![id]);
    let edit = |etag: String, body: Value| {
        Call::new(Method::PATCH, format!("/api/v1/articles/{id}"))
            .token(&editor)
            .if_match(etag)
            .json(body)
    };
    // A new title replaces the old words.
    let (_, etag) = app.editor_view(&editor, id).await;
    app.send_json(edit(etag, json!({"title": "إعصار يقترب"})), 200)
        .await;
    assert!(found(&app, "بركان").await.is_empty());
    assert_eq!(found(&app, "إعصار").await, vec![id]);
    // So does a new body.
    let (_, etag) = app.editor_view(&editor, id).await;
    app.send_json(edit(etag, json!({"body_html": "<p>فيضان</p>"})), 200)
        .await;
    assert_eq!(found(&app, "فيضان").await, vec![id]);
    // Unpublished: gone for the public, there for editors.
    let (_, etag) = app.editor_view(&editor, id).await;
    app.send_json(edit(etag, json!({"status": "draft"})), 200)
        .await;
    assert!(found(&app, "إعصار").await.is_empty());
    let drafts = app
        .send_json(
            Call::new(
                Method::GET,
                "/api/v1/articles?status=draft&q=%D8%A5%D8%B9%D8%B5%D8%A7%D8%B1",
            )
            .token(&editor),
            200,
        )
        .await;
    assert_eq!(ids(&drafts), vec![id]);
    // Scheduled: not until its time.
    let (_, etag) = app.editor_view(&editor, id).await;
    app.send_json(
        edit(
            etag,
            json!({"status": "published", "published_at": "2199-01-01T00:00:00Z"}),
        ),
        200,
    )
    .await;
    assert!(found(&app, "إعصار").await.is_empty());
    let (_, etag) = app.editor_view(&editor, id).await;
    app.send_json(
        edit(etag, json!({"published_at": "2020-01-01T00:00:00Z"})),
        200,
    )
    .await;
    assert_eq!(found(&app, "إعصار").await, vec![id]);
    // Deleted: gone.
    let (_, etag) = app.editor_view(&editor, id).await;
    app.send_json(
        Call::new(Method::DELETE, format!("/api/v1/articles/{id}"))
            .token(&editor)
            .if_match(etag),
        204,
    )
    .await;
    assert!(found(&app, "إعصار").await.is_empty());
}

#[tokio::test]
async fn bad_queries_are_problems() {
    let app = spawn_with(empty_app()).await;
    let get = |q: String, extra: &'static str| {
        let client = app.client.clone();
        let url = format!("{}/api/v1/articles{extra}", app.address);
        async move { client.get(url).query(&[("q", q)]).send().await.unwrap() }
    };
    assert_problem(get("؟! ،".into(), "").await, 400, "invalid_parameters").await;
    assert_problem(
        get("\u{064E}\u{0650}".into(), "").await,
        400,
        "invalid_parameters",
    )
    .await;
    assert_problem(get(String::new(), "").await, 400, "invalid_parameters").await;
    assert_problem(get("-وزير".into(), "").await, 400, "invalid_parameters").await;
    assert_problem(get("ا".repeat(201), "").await, 400, "invalid_parameters").await;
    let words: Vec<String> = (0..21).map(|i| format!("كلمة{i}")).collect();
    let body = assert_problem(get(words.join(" "), "").await, 400, "invalid_parameters").await;
    assert_eq!(body["errors"][0]["field"], "q");
    assert_eq!(body["errors"][0]["code"], "too_many_terms");
    // Twenty words are fine.
    let ok = get(words[..20].join(" "), "").await;
    assert_eq!(ok.status().as_u16(), 200);
    // relevance needs q.
    let res = app
        .client
        .get(format!("{}/api/v1/articles?sort=relevance", app.address))
        .send()
        .await
        .unwrap();
    let body = assert_problem(res, 400, "invalid_parameters").await;
    assert_eq!(body["errors"][0]["code"], "relevance_needs_q");
    // The archive's routes search too, and check q the same way.
    assert_problem(
        get("!!".into(), "/../archive/2020").await,
        400,
        "invalid_parameters",
    )
    .await;
}

#[tokio::test]
async fn archive_routes_search_within_their_period() {
    let app = spawn_with(empty_app()).await;
    let editor = app.token(Role::Editor);
    let august = app
        .create_article(
            &editor,
            json!({"title": "بركان في آب", "section_id": 1, "body_html": "<p>نص</p>",
                   "status": "published", "published_at": "2020-08-10T10:00:00Z"}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let september = app
        .create_article(
            &editor,
            json!({"title": "بركان في أيلول", "section_id": 1, "body_html": "<p>نص</p>",
                   "status": "published", "published_at": "2020-09-10T10:00:00Z"}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let month = search_page(&app, "/api/v1/archive/2020/8", "بركان", &[]).await;
    assert_eq!(ids(&month), vec![august]);
    let year = search_page(&app, "/api/v1/archive/2020", "بركان", &[("sort", "oldest")]).await;
    assert_eq!(ids(&year), vec![august, september]);
    let ranged = search_page(
        &app,
        "/api/v1/articles",
        "بركان",
        &[("from", "2020-09-01"), ("to", "2020-09-30")],
    )
    .await;
    assert_eq!(ids(&ranged), vec![september]);
    // With a section filter that matches nothing.
    let other = search_page(
        &app,
        "/api/v1/archive/2020",
        "بركان",
        &[("section", "sport")],
    )
    .await;
    assert!(ids(&other).is_empty());
}

/// What a query should find, worked out in Rust over every visible article:
/// the reference both backends are held to.
fn oracle(texts: &[(i64, String, String, String)], query: &SearchQuery) -> BTreeSet<i64> {
    let clause_matches = |doc: &SearchDocument, fields: &[&str], clause: &Clause| match clause {
        Clause::Term(alternatives) => [&doc.title, &doc.summary, &doc.body]
            .iter()
            .any(|f| f.iter().any(|w| w.iter().any(|r| alternatives.contains(r)))),
        Clause::Phrase(words) => {
            let spec: Vec<String> = words.iter().map(|w| w.join("|")).collect();
            phrase_in_fields(fields, &spec.join(" "))
        }
    };
    texts
        .iter()
        .filter(|(_, title, summary, body)| {
            let doc = SearchDocument::new(title, summary, body);
            let stored = [
                SearchDocument::fts_field(&doc.title),
                SearchDocument::fts_field(&doc.summary),
                SearchDocument::fts_field(&doc.body),
            ];
            let fields: Vec<&str> = stored.iter().map(String::as_str).collect();
            query.must.iter().all(|c| clause_matches(&doc, &fields, c))
                && !query
                    .must_not
                    .iter()
                    .any(|c| clause_matches(&doc, &fields, c))
        })
        .map(|(id, ..)| *id)
        .collect()
}

/// Every id a query finds, walking all its pages by cursor.
async fn all_found(app: &TestApp, q: &str) -> BTreeSet<i64> {
    let mut out = BTreeSet::new();
    let mut extra: Vec<(&str, String)> = vec![("sort", "newest".into())];
    loop {
        let params: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let page = search_page(app, "/api/v1/articles", q, &params).await;
        out.extend(ids(&page));
        match page["meta"]["next_cursor"].as_str() {
            Some(c) => extra = vec![("cursor", c.to_string())],
            None => return out,
        }
    }
}

/// The first hundred ids of a query's ranked pages.
async fn ranked(app: &TestApp, q: &str) -> Vec<i64> {
    ids(&search_page(app, "/api/v1/articles", q, &[("per_page", "100")]).await)
}

/// Twenty queries over the same generated corpus.
const QUERIES: [&str; 20] = [
    "وزير",
    "الوزير",
    "وزير الصحة",
    "\"وزير الصحة\"",
    "الأسعار",
    "مشروع قانون",
    "وزير -الصحة",
    "التعاون",
    "الثقافة -وزير",
    "\"الحركة الثقافية\"",
    "المحافظات",
    "اجتماعا",
    "للأطفال",
    "والتجارة",
    "2025",
    "٢٠٢٤",
    "اليوم الخميس",
    "\"وزير الخارجية\" -الأردني",
    "الإنتاج المحلي",
    "موسكو",
];

async fn visible_texts(app: &TestApp) -> Vec<(i64, String, String, String)> {
    use diesel::prelude::*;
    use khabar::db::schema::articles;
    let now = chrono::Utc::now().naive_utc();
    app.db
        .run_blocking(move |conn| {
            articles::table
                .filter(articles::status.eq("published"))
                .filter(articles::published_at.le(now))
                .select((
                    articles::id,
                    articles::title,
                    articles::summary,
                    articles::body_text,
                ))
                .load(conn)
        })
        .expect("pool")
        .expect("query")
}

#[tokio::test]
async fn twenty_queries_give_the_same_results_on_both_backends() {
    let corpus = || Spawn {
        demo_articles: Some(400),
        ..Spawn::default()
    };
    // SQLite always; PostgreSQL too when the suite has one.
    let lite = spawn_with(Spawn {
        sqlite: true,
        ..corpus()
    })
    .await;
    let pg = if std::env::var("KHABAR_TEST_POSTGRES_URL").is_ok_and(|u| !u.is_empty()) {
        Some(spawn_with(corpus()).await)
    } else {
        None
    };
    let texts = visible_texts(&lite).await;
    let mut nonempty = 0;
    for q in QUERIES {
        let query = search::parse(q).unwrap();
        let want = oracle(&texts, &query);
        let got = all_found(&lite, q).await;
        assert_eq!(got, want, "SQLite, {q:?}");
        if let Some(pg) = &pg {
            assert_eq!(all_found(pg, q).await, got, "PostgreSQL vs SQLite, {q:?}");
            // Both score a match alike (title, summary, body) and break
            // ties newest first: the ranked pages are the same too.
            assert_eq!(
                ranked(pg, q).await,
                ranked(&lite, q).await,
                "ranked, PostgreSQL vs SQLite, {q:?}"
            );
        }
        nonempty += usize::from(!got.is_empty());
    }
    // The queries are about this corpus: most of them find something.
    assert!(nonempty >= 15, "only {nonempty} queries found anything");
}

/// PostgreSQL keeps both search columns in the row, uncompressed: a search
/// by newest first tests `search_doc` row by row and ranks its window by
/// `search_head`, and out of line each of those was a TOAST lookup (a common
/// word's 200 newest matches at 100,000 articles: 2,585 buffers with both
/// out of line, 1,040 with `search_head` alone, 316 with neither). Checked
/// on the demo articles, whose rows pass the 2 KB toast threshold: with the
/// bodies emptied and the old versions vacuumed away, nothing of the table
/// is left in TOAST.
#[tokio::test]
async fn postgres_keeps_both_search_columns_in_the_row() {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
    }
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let app = spawn_with(Spawn {
        demo_articles: Some(40),
        ..Spawn::default()
    })
    .await;
    let counts = app
        .db
        .run_blocking(|conn| -> QueryResult<Option<(i64, i64)>> {
            let khabar::db::DbConnection::Postgres(pg) = conn else {
                return Ok(None);
            };
            let toast: Name = diesel::sql_query(
                "SELECT reltoastrelid::regclass::text AS name FROM pg_class \
                 WHERE oid = to_regclass('articles')",
            )
            .get_result(pg)?;
            let count = |pg: &mut diesel::PgConnection| {
                diesel::sql_query(format!("SELECT count(*) AS n FROM {}", toast.name))
                    .get_result::<Count>(pg)
                    .map(|c| c.n)
            };
            let before = count(pg)?;
            diesel::sql_query("UPDATE articles SET body_html = '', body_text = ''").execute(pg)?;
            diesel::sql_query("VACUUM articles").execute(pg)?;
            Ok(Some((before, count(pg)?)))
        })
        .unwrap()
        .unwrap();
    if let Some((before, after)) = counts {
        assert!(before > 0, "the demo bodies are stored out of line");
        assert_eq!(after, 0, "TOAST chunks left once the bodies are gone");
    }
}

/// The seed and `khabar reindex` load the FTS5 index with merging off and a
/// large buffer; both put FTS5's defaults back before they commit, so that
/// later writes merge as usual.
#[tokio::test]
async fn bulk_loads_leave_fts5_with_its_default_settings() {
    use diesel::prelude::*;
    #[derive(QueryableByName, Debug)]
    struct Setting {
        #[diesel(sql_type = diesel::sql_types::Text)]
        k: String,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        v: i64,
    }
    let app = spawn_with(Spawn {
        demo_articles: Some(50),
        ..Spawn::default()
    })
    .await;
    let settings = || {
        app.db
            .run_blocking(|conn| match conn {
                khabar::db::DbConnection::Sqlite(lite) => diesel::sql_query(
                    "SELECT k, CAST(v AS INTEGER) AS v FROM article_search_config \
                     WHERE k IN ('automerge', 'crisismerge', 'hashsize') ORDER BY k",
                )
                .load::<Setting>(lite)
                .map(Some),
                khabar::db::DbConnection::Postgres(_) => Ok(None),
            })
            .unwrap()
            .unwrap()
    };
    // FTS5 stores a setting only once it is set; what is stored must be
    // the default.
    let defaults = |stored: Vec<Setting>| {
        for setting in &stored {
            let default = match setting.k.as_str() {
                "automerge" => 4,
                "crisismerge" => 16,
                _ => 1 << 20,
            };
            assert_eq!(setting.v, default, "{setting:?}");
        }
    };
    let Some(after_seed) = settings() else {
        return; // PostgreSQL has no FTS5.
    };
    defaults(after_seed);
    app.db
        .run_blocking(|conn| khabar::service::search::rebuild(conn, &mut |_| {}))
        .unwrap()
        .unwrap();
    defaults(settings().unwrap());
    assert!(
        !found(&app, "وزير").await.is_empty(),
        "the rebuilt index answers"
    );
}
