//! View counters: the beacon, live counts, flushing (exact, under
//! concurrency, across failures, restarts and processes), most-viewed.

use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDate, NaiveDateTime, TimeZone};
use khabar::config::Settings;
use khabar::domain::role::Role;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{assert_problem, spawn_beside, spawn_with, Call, Spawn, TestApp};

const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const GOOGLEBOT: &str = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

/// Loopback is a trusted proxy (clients differ by `X-Forwarded-For`), and
/// nothing is flushed unless a test asks.
fn manual(s: &mut Settings) {
    s.views.flush_interval = Duration::from_secs(3600);
    s.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
}

async fn app() -> TestApp {
    spawn_with(Spawn {
        demo_articles: Some(20),
        settings: manual,
        ..Default::default()
    })
    .await
}

/// A distinct client: address `n` behind the trusted proxy, a browser agent.
fn client_ip(n: u32) -> String {
    std::net::Ipv4Addr::from(0x0a00_0000 + n).to_string()
}

async fn view_as(app: &TestApp, id: i64, ip: &str, agent: &str) -> reqwest::Response {
    app.client
        .post(format!("{}/api/v1/articles/{id}/views", app.address))
        .header("x-forwarded-for", ip)
        .header("user-agent", agent)
        .send()
        .await
        .expect("sent")
}

async fn view(app: &TestApp, id: i64, n: u32) -> Value {
    let res = view_as(app, id, &client_ip(n), FIREFOX).await;
    assert_eq!(res.status().as_u16(), 200);
    res.json::<Value>().await.unwrap()["data"].clone()
}

/// The stored all-time count, straight from the database.
fn stored(app: &TestApp, id: i64) -> i64 {
    app.db
        .run_blocking(|conn| khabar::repo::views::stored_counts(conn, &[id]))
        .unwrap()
        .unwrap()
        .first()
        .map_or(0, |(_, n)| *n)
}

/// Visible published articles, newest first: (id, published_at).
async fn visible(app: &TestApp) -> Vec<(i64, String)> {
    let body = app
        .get_json(
            "/api/v1/articles?per_page=100&fields=id,published_at,section",
            200,
        )
        .await;
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["id"].as_i64().unwrap(),
                a["published_at"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

async fn shown_count(app: &TestApp, id: i64) -> i64 {
    app.get_json(&format!("/api/v1/articles/{id}"), 200).await["data"]["view_count"]
        .as_i64()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_views_of_distinct_clients_count_exactly_once_flushed() {
    let app = app().await;
    let ids: Vec<i64> = visible(&app).await.iter().take(4).map(|a| a.0).collect();
    let before: Vec<i64> = ids.iter().map(|id| stored(&app, *id)).collect();
    const TASKS: u32 = 32;
    const EACH: u32 = 64; // 2,048 views
    let app = Arc::new(app);
    let mut tasks = Vec::new();
    for t in 0..TASKS {
        let (app, ids) = (app.clone(), ids.clone());
        tasks.push(tokio::spawn(async move {
            let mut counted = vec![0i64; ids.len()];
            for i in 0..EACH {
                let n = t * EACH + i;
                let which = (n as usize) % ids.len();
                let data = view(&app, ids[which], n).await;
                assert_eq!(data["counted"], true, "{data}");
                counted[which] += 1;
            }
            counted
        }));
    }
    let mut counted = vec![0i64; ids.len()];
    for task in tasks {
        for (total, c) in counted.iter_mut().zip(task.await.unwrap()) {
            *total += c;
        }
    }
    assert_eq!(counted.iter().sum::<i64>(), i64::from(TASKS * EACH));
    // Nothing written yet, everything shown.
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(stored(&app, *id), before[i]);
        assert_eq!(shown_count(&app, *id).await, before[i] + counted[i]);
    }
    assert_eq!(app.views.pending(), i64::from(TASKS * EACH));
    let written = app.views.flush(&app.db).await.unwrap();
    assert_eq!(written, i64::from(TASKS * EACH));
    assert_eq!(app.views.pending(), 0);
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(stored(&app, *id), before[i] + counted[i], "article {id}");
        assert_eq!(shown_count(&app, *id).await, before[i] + counted[i]);
    }
    // The day buckets got the same views.
    let now = khabar::service::now();
    let ranked = app
        .db
        .run_blocking(|conn| {
            khabar::repo::views::most_viewed(conn, 19000101, 99991231, now, None, 50)
        })
        .unwrap()
        .unwrap();
    assert_eq!(
        ranked.iter().map(|r| r.period_views).sum::<i64>(),
        i64::from(TASKS * EACH)
    );
    // A second flush has nothing to add.
    assert_eq!(app.views.flush(&app.db).await.unwrap(), 0);
    assert_eq!(stored(&app, ids[0]), before[0] + counted[0]);
}

#[tokio::test]
async fn repeats_bots_and_spoofed_addresses_are_not_counted() {
    let app = app().await;
    let id = visible(&app).await[0].0;
    let base = shown_count(&app, id).await;
    let first = view(&app, id, 1).await;
    assert_eq!(first, json!({"view_count": base + 1, "counted": true}));
    // The same client again: answered, not counted.
    assert_eq!(
        view(&app, id, 1).await,
        json!({"view_count": base + 1, "counted": false})
    );
    // Another agent from the same address is another reader.
    let res = view_as(
        &app,
        id,
        &client_ip(1),
        "Mozilla/5.0 (Android 14; Mobile) Firefox/128.0",
    )
    .await;
    assert_eq!(res.json::<Value>().await.unwrap()["data"]["counted"], true);
    // Bots, crawlers, libraries and no agent at all.
    for agent in [
        GOOGLEBOT,
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "curl/8.5.0",
        "python-requests/2.31",
        "",
    ] {
        let res = view_as(&app, id, &client_ip(2), agent).await;
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["data"]["counted"], false, "{agent:?}");
    }
    // Only the right-most address our proxy vouches for names the client:
    // a different spoofed left part is the same client.
    let res = view_as(&app, id, "6.6.6.6, 198.51.100.7", FIREFOX).await;
    assert_eq!(res.json::<Value>().await.unwrap()["data"]["counted"], true);
    let res = view_as(&app, id, "7.7.7.7, 198.51.100.7", FIREFOX).await;
    assert_eq!(res.json::<Value>().await.unwrap()["data"]["counted"], false);
    assert_eq!(app.views.pending(), 3);
    app.views.flush(&app.db).await.unwrap();
    assert_eq!(stored(&app, id), base + 3);
}

#[tokio::test]
async fn without_trusted_proxies_forwarded_for_is_ignored() {
    let app = spawn_with(Spawn {
        demo_articles: Some(0),
        ..Default::default()
    })
    .await;
    let res = view_as(&app, 1, "198.51.100.1", FIREFOX).await;
    assert_eq!(res.json::<Value>().await.unwrap()["data"]["counted"], true);
    let res = view_as(&app, 1, "198.51.100.2", FIREFOX).await;
    assert_eq!(
        res.json::<Value>().await.unwrap()["data"]["counted"],
        false,
        "the peer (loopback) is the client"
    );
}

#[tokio::test]
async fn unknown_draft_scheduled_and_deleted_articles_are_404_and_bad_ids_400() {
    let app = app().await;
    let editor = app.token(Role::Editor);
    let draft = app
        .create_article(
            &editor,
            json!({"title": "مسودة", "section_id": 1, "body_html": "<p>نص</p>"}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let scheduled = app
        .create_article(
            &editor,
            json!({"title": "مجدول", "section_id": 1, "body_html": "<p>نص</p>", "status": "published", "published_at": "2099-01-01T00:00:00Z"}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let doomed = app
        .create_article(
            &editor,
            json!({"title": "يحذف", "section_id": 1, "body_html": "<p>نص</p>", "status": "published"}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    // Published just now: counted at once (this process learnt it with the write).
    assert_eq!(view(&app, doomed, 1).await["counted"], true);
    app.send_json(
        Call::new(Method::DELETE, format!("/api/v1/articles/{doomed}"))
            .token(&editor)
            .if_match("*"),
        204,
    )
    .await;
    for id in [draft, scheduled, doomed, 999_999] {
        let res = view_as(&app, id, &client_ip(9), FIREFOX).await;
        assert_problem(res, 404, "article_not_found").await;
    }
    for bad in ["abc", "0", "-1", "1.5", "99999999999999999999"] {
        let res = app
            .client
            .post(format!("{}/api/v1/articles/{bad}/views", app.address))
            .send()
            .await
            .unwrap();
        assert_problem(res, 400, "invalid_parameters").await;
    }
    // The draft, once published, is counted.
    let (_, tag) = app.editor_view(&editor, draft).await;
    app.send_json(
        Call::new(Method::PATCH, format!("/api/v1/articles/{draft}"))
            .token(&editor)
            .if_match(tag)
            .json(json!({"status": "published"})),
        200,
    )
    .await;
    assert_eq!(view(&app, draft, 1).await["counted"], true);
    // A body is accepted and ignored.
    let res = app
        .client
        .post(format!("{}/api/v1/articles/{draft}/views", app.address))
        .header("user-agent", FIREFOX)
        .header("x-forwarded-for", client_ip(77))
        .json(&json!({"view_count": 1000000}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["data"]["view_count"], 2);
}

#[tokio::test]
async fn pending_views_show_in_every_article_answer_cached_ones_included() {
    let app = spawn_with(Spawn {
        demo_articles: Some(5),
        cache_ttl: Duration::from_secs(60),
        settings: manual,
        ..Default::default()
    })
    .await;
    let id = visible(&app).await[0].0;
    let path = format!("/api/v1/articles/{id}");
    let list = "/api/v1/articles?per_page=50";
    let sparse = "/api/v1/articles?per_page=50&fields=id,view_count";
    // Three reads of each: the second is admitted to the cache, the third a hit.
    for _ in 0..3 {
        for p in [path.as_str(), list, sparse] {
            app.get(p).await;
        }
    }
    let res = app.get(&path).await;
    assert_eq!(res.headers()["x-cache"], "hit");
    let base = res.json::<Value>().await.unwrap()["data"]["view_count"]
        .as_i64()
        .unwrap();
    for n in 0..3 {
        view(&app, id, n).await;
    }
    let res = app.get(&path).await;
    assert_eq!(res.headers()["x-cache"], "hit", "still the cached answer");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["data"]["view_count"], base + 3);
    for p in [list, sparse] {
        let res = app.get(p).await;
        assert_eq!(res.headers()["x-cache"], "hit");
        let body: Value = res.json().await.unwrap();
        let item = body["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == id)
            .unwrap()
            .clone();
        assert_eq!(item["view_count"], base + 3, "{p}");
    }
    // Written: the same numbers, from the database.
    app.views.flush(&app.db).await.unwrap();
    assert_eq!(stored(&app, id), base + 3);
    let fresh = app
        .get_json(&format!("{path}?fields=view_count"), 200)
        .await;
    assert_eq!(fresh["data"]["view_count"], base + 3);
}

#[tokio::test]
async fn a_flush_that_cannot_reach_the_database_keeps_every_view_for_the_next() {
    let app = app().await;
    let id = visible(&app).await[0].0;
    let base = stored(&app, id);
    for n in 0..25 {
        view(&app, id, n).await;
    }
    // A pool whose only connection is taken: every flush through it fails.
    let starved = khabar::db::Db::connect(
        &app.database_url,
        &khabar::db::PoolSettings {
            max_size: 1,
            checkout_timeout: Duration::from_millis(200),
        },
        false,
    )
    .unwrap();
    let (release, released) = std::sync::mpsc::channel::<()>();
    let (held, holding) = std::sync::mpsc::channel::<()>();
    let holder = starved.clone();
    let blocker = std::thread::spawn(move || {
        holder
            .run_blocking(|_conn| {
                held.send(()).unwrap();
                released.recv().unwrap();
            })
            .unwrap();
    });
    holding.recv().unwrap();
    for _ in 0..2 {
        let failed = app.views.flush(&starved).await;
        assert!(failed.is_err(), "{failed:?}");
        assert_eq!(app.views.pending(), 25);
        assert_eq!(stored(&app, id), base);
        assert_eq!(shown_count(&app, id).await, base + 25);
    }
    // Views keep coming while the database is away.
    for n in 25..30 {
        view(&app, id, n).await;
    }
    release.send(()).unwrap();
    blocker.join().unwrap();
    assert_eq!(app.views.flush(&starved).await.unwrap(), 30);
    assert_eq!(stored(&app, id), base + 30);
    assert_eq!(app.views.pending(), 0);
    assert_eq!(shown_count(&app, id).await, base + 30);
}

#[tokio::test]
async fn postgres_going_away_during_flushes_loses_and_doubles_nothing() {
    let Ok(admin_url) = std::env::var("KHABAR_TEST_POSTGRES_URL") else {
        return; // PostgreSQL only: SQLite has no server to lose.
    };
    if admin_url.is_empty() {
        return;
    }
    let app = spawn_with(Spawn {
        demo_articles: Some(5),
        checkout_timeout: Duration::from_millis(400),
        settings: manual,
        ..Default::default()
    })
    .await;
    let name = app.pg_database.clone().unwrap();
    let id = visible(&app).await[0].0;
    let base = stored(&app, id);
    for n in 0..40 {
        view(&app, id, n).await;
    }
    use diesel::{Connection, RunQueryDsl};
    let mut admin = diesel::PgConnection::establish(&admin_url).unwrap();
    let mut outage = |allow: bool| {
        diesel::sql_query(format!(
            "ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS {allow}"
        ))
        .execute(&mut admin)
        .unwrap();
        if !allow {
            diesel::sql_query(format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
            ))
            .execute(&mut admin)
            .unwrap();
        }
    };
    outage(false);
    let failed = app.views.flush(&app.db).await;
    assert!(failed.is_err(), "{failed:?}");
    assert_eq!(app.views.pending(), 40);
    // The beacon reads nothing: it keeps counting while the database is down.
    for n in 40..45 {
        assert_eq!(view(&app, id, n).await["counted"], true);
    }
    outage(true);
    assert_eq!(app.views.flush(&app.db).await.unwrap(), 45);
    assert_eq!(stored(&app, id), base + 45);
}

#[tokio::test]
async fn a_batch_retried_after_an_unknown_outcome_is_applied_once() {
    let app = app().await;
    let id = visible(&app).await[0].0;
    let base = stored(&app, id);
    let now = khabar::service::now();
    let day = khabar::service::views::day_number(now.date());
    let apply = |batch: &'static str| {
        app.db
            .run_blocking(move |conn| {
                khabar::repo::views::add_views(conn, batch, now, &[(id, 7)], &[(id, day, 7)])
            })
            .unwrap()
            .unwrap()
    };
    let first = apply("batch-a");
    assert!(!first.already);
    assert_eq!(first.counts, vec![(id, base + 7)]);
    // The COMMIT's answer was lost; the flusher retries the same batch.
    let again = apply("batch-a");
    assert!(again.already);
    assert_eq!(again.counts, vec![(id, base + 7)]);
    assert_eq!(stored(&app, id), base + 7);
    assert_eq!(apply("batch-b").counts, vec![(id, base + 14)]);
    // Buckets past the longest period and old batch ids are pruned.
    let old_day = khabar::service::views::day_number(now.date() - chrono::Duration::days(40));
    app.db
        .run_blocking(move |conn| {
            khabar::repo::views::add_views(conn, "batch-old", now, &[], &[(id, old_day, 5)])
        })
        .unwrap()
        .unwrap();
    let pruned = app.views.prune(&app.db).await.unwrap();
    assert_eq!(pruned, 1);
    let ranked = app
        .db
        .run_blocking(|conn| {
            khabar::repo::views::most_viewed(conn, 19000101, 99991231, now, None, 5)
        })
        .unwrap()
        .unwrap();
    assert_eq!(ranked[0].period_views, 14, "only the recent buckets remain");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_app_instances_on_one_database_add_up_exactly() {
    let one = app().await;
    let two = spawn_beside(
        &one,
        Spawn {
            settings: manual,
            ..Default::default()
        },
    )
    .await;
    let id = visible(&one).await[0].0;
    let base = stored(&one, id);
    let (a, b) = tokio::join!(
        async {
            for n in 0..150 {
                view(&one, id, n).await;
            }
        },
        async {
            // The same clients: each process dedupes its own readers only.
            for n in 0..120 {
                view(&two, id, n).await;
            }
        }
    );
    let _ = (a, b);
    let (f1, f2) = tokio::join!(one.views.flush(&one.db), two.views.flush(&two.db));
    assert_eq!((f1.unwrap(), f2.unwrap()), (150, 120));
    assert_eq!(stored(&one, id), base + 270);
    // Each process shows the sum once it reads the stored count.
    assert_eq!(shown_count(&one, id).await, base + 270);
    assert_eq!(shown_count(&two, id).await, base + 270);
}

/// Local midnight of the newsroom's today, in UTC.
fn local(day: NaiveDate, h: u32, m: u32) -> NaiveDateTime {
    chrono_tz::Asia::Damascus
        .from_local_datetime(&day.and_hms_opt(h, m, 0).unwrap())
        .unwrap()
        .naive_utc()
}

#[tokio::test]
async fn most_viewed_ranks_each_period_by_the_newsrooms_days() {
    let app = app().await;
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Damascus)
        .date_naive();
    let yesterday = today - chrono::Duration::days(1);
    // Published before the first moment the test's clock shows, newest first.
    let before = local(yesterday, 0, 0).and_utc();
    let articles: Vec<i64> = visible(&app)
        .await
        .into_iter()
        .filter(|(_, at)| chrono::DateTime::parse_from_rfc3339(at).unwrap() < before)
        .map(|(id, _)| id)
        .collect();
    // `newer` was published after `older` (or with a higher id at the same time).
    let (newer, older, third) = (articles[0], articles[1], articles[2]);
    let at = |t: NaiveDateTime| Arc::new(move || t);
    // 23:59 yesterday (local): three views of `third`.
    app.views.set_clock(at(local(yesterday, 23, 59)));
    for n in 0..3 {
        view(&app, third, n).await;
    }
    // 00:01 today: two each of `older` and `newer`, one of `third`.
    app.views.set_clock(at(local(today, 0, 1)));
    for n in 10..12 {
        view(&app, older, n).await;
        view(&app, newer, n).await;
    }
    view(&app, third, 20).await;
    app.views.flush(&app.db).await.unwrap();
    let ranking = |body: &Value| -> Vec<(i64, i64)> {
        body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["id"].as_i64().unwrap(),
                    a["period_views"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    let day = app.get_json("/api/v1/most-viewed?period=1d", 200).await;
    // Equal counts: the newer article first; 23:59 yesterday is not today.
    assert_eq!(ranking(&day), vec![(newer, 2), (older, 2), (third, 1)]);
    assert_eq!(day["meta"]["period"], "1d");
    assert_eq!(day["meta"]["first_day"], today.to_string());
    assert_eq!(day["meta"]["time_zone"], "Asia/Damascus");
    let first = &day["data"][0];
    assert!(first["view_count"].as_i64().unwrap() >= 2);
    assert!(first["title"].is_string() && first.get("body_html").is_none());
    let week = app.get_json("/api/v1/most-viewed?period=7d", 200).await;
    assert_eq!(ranking(&week), vec![(third, 4), (newer, 2), (older, 2)]);
    assert_eq!(
        ranking(
            &app.get_json("/api/v1/most-viewed?period=30d&limit=1", 200)
                .await
        ),
        vec![(third, 4)]
    );
    assert_eq!(
        ranking(&app.get_json("/api/v1/most-viewed", 200).await),
        ranking(&day),
        "1d is the default"
    );
    // One section: only its articles.
    let section = app
        .get_json(&format!("/api/v1/articles/{third}"), 200)
        .await["data"]["section"]["slug"]
        .as_str()
        .unwrap()
        .to_string();
    let by_section = app
        .get_json(
            &format!("/api/v1/most-viewed?period=7d&section={section}"),
            200,
        )
        .await;
    for item in by_section["data"].as_array().unwrap() {
        assert_eq!(item["section"]["slug"], section.as_str());
    }
    assert!(ranking(&by_section).contains(&(third, 4)));
    let none = app
        .get_json("/api/v1/most-viewed?period=7d&section=no-such-section", 200)
        .await;
    assert_eq!(none["data"], json!([]));
    // The next local day: yesterday's 00:01 views leave `1d`.
    app.views
        .set_clock(at(local(today + chrono::Duration::days(1), 0, 1)));
    let tomorrow = app.get_json("/api/v1/most-viewed?period=1d", 200).await;
    assert_eq!(tomorrow["data"], json!([]));
    // Bad parameters: every one listed.
    let res = app.get("/api/v1/most-viewed?period=2d&limit=0").await;
    let body = assert_problem(res, 400, "invalid_parameters").await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["period", "limit"]);
    for bad in [
        "limit=51",
        "limit=abc",
        "limit=-1",
        "limit=",
        "period=",
        "section=",
    ] {
        let res = app.get(&format!("/api/v1/most-viewed?{bad}")).await;
        assert_problem(res, 400, "invalid_parameters").await;
    }
}

#[tokio::test]
async fn sort_most_viewed_ranks_by_all_time_count_and_walks_by_cursor() {
    let app = app().await;
    let articles = visible(&app).await;
    // Lift the oldest visible article to the top.
    let oldest = articles.last().unwrap().0;
    let top = articles
        .iter()
        .map(|(id, _)| stored(&app, *id))
        .max()
        .unwrap();
    let top_id = oldest;
    app.db
        .run_blocking(move |conn| {
            let now = khabar::service::now();
            let day = khabar::service::views::day_number(now.date());
            khabar::repo::views::add_views(
                conn,
                "lift",
                now,
                &[(top_id, top + 5)],
                &[(top_id, day, top + 5)],
            )
        })
        .unwrap()
        .unwrap();
    let total = app
        .get_json("/api/v1/articles?include_total=true&per_page=1", 200)
        .await["meta"]["total"]
        .as_i64()
        .unwrap();
    let first = app
        .get_json("/api/v1/articles?sort=most_viewed&per_page=3", 200)
        .await;
    assert_eq!(first["data"][0]["id"], oldest);
    // Walk every page by cursor: counts never rise, nothing repeats or is missed.
    let mut seen = Vec::new();
    let mut counts = Vec::new();
    let mut path = "/api/v1/articles?sort=most_viewed&per_page=4&fields=id,view_count".to_string();
    loop {
        let page = app.get_json(&path, 200).await;
        for item in page["data"].as_array().unwrap() {
            seen.push(item["id"].as_i64().unwrap());
            counts.push(item["view_count"].as_i64().unwrap());
        }
        match page["meta"]["next_cursor"].as_str() {
            Some(cursor) => {
                assert!(cursor.starts_with('v'), "{cursor}");
                path = format!(
                    "/api/v1/articles?sort=most_viewed&per_page=4&fields=id,view_count&cursor={cursor}"
                );
            }
            None => break,
        }
    }
    assert_eq!(seen.len() as i64, total);
    let mut unique = seen.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), seen.len());
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
    // Page numbers give the same order.
    let by_page = app
        .get_json(
            "/api/v1/articles?sort=most_viewed&per_page=4&page=2&fields=id",
            200,
        )
        .await;
    let page_two: Vec<i64> = by_page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect();
    assert_eq!(page_two, seen[4..8].to_vec());
    // With a search: its matches, most viewed first, each with its snippet.
    let found = app
        .get_json(
            "/api/v1/articles?q=%D9%88%D8%B2%D9%8A%D8%B1&sort=most_viewed&per_page=50&fields=id,view_count",
            200,
        )
        .await;
    let hits = found["data"].as_array().unwrap();
    assert!(!hits.is_empty(), "{found}");
    let counts: Vec<i64> = hits
        .iter()
        .map(|a| a["view_count"].as_i64().unwrap())
        .collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
    assert!(hits.iter().all(|a| a["highlight"].is_string()), "{found}");
    let newest = app
        .get_json("/api/v1/articles?q=%D9%88%D8%B2%D9%8A%D8%B1&sort=newest&per_page=50&include_total=true&fields=id", 200)
        .await;
    assert_eq!(
        hits.len() as i64,
        newest["meta"]["total"].as_i64().unwrap().min(50),
        "the same matches in another order"
    );
    // A forged cursor is a 400, not a 500.
    let res = app
        .get("/api/v1/articles?sort=most_viewed&cursor=v1_")
        .await;
    assert_problem(res, 400, "invalid_cursor").await;
}

/// A free local port.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_writes_the_pending_views_of_the_real_binary() {
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
            .run_blocking(|conn| khabar::seed::run(conn, 0, 7, chrono_tz::Asia::Damascus))
            .unwrap()
            .unwrap();
    })
    .await
    .unwrap();
    let count = || {
        db.run_blocking(|conn| khabar::repo::views::stored_counts(conn, &[1]))
            .unwrap()
            .unwrap()[0]
            .1
    };
    let base = count();
    let start = || {
        let port = free_port();
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_khabar"))
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .env("DATABASE_URL", &url)
            // Nothing is written before the shutdown.
            .env("KHABAR_VIEW_FLUSH_MS", "3600000")
            .env("KHABAR_TRUSTED_PROXIES", "127.0.0.1")
            .env("KHABAR_WORKERS", "2")
            .env("RUST_LOG", "error")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        (child, format!("http://127.0.0.1:{port}"))
    };
    let client = reqwest::Client::new();
    let wait_ready = |base: String| {
        let client = client.clone();
        async move {
            let started = std::time::Instant::now();
            while client.get(format!("{base}/readyz")).send().await.is_err() {
                assert!(
                    started.elapsed() < Duration::from_secs(30),
                    "server did not start"
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    };
    let (mut server, base_url) = start();
    wait_ready(base_url.clone()).await;
    const N: u32 = 300;
    for n in 0..N {
        let res = client
            .post(format!("{base_url}/api/v1/articles/1/views"))
            .header("x-forwarded-for", client_ip(n))
            .header("user-agent", FIREFOX)
            .send()
            .await
            .unwrap();
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["data"]["counted"], true);
        assert_eq!(body["data"]["view_count"], base + i64::from(n) + 1);
    }
    assert_eq!(count(), base, "buffered, not written yet");
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = server.try_wait().unwrap() {
            break status;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "did not stop");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(status.success(), "{status:?}");
    assert_eq!(count(), base + i64::from(N), "flushed on SIGTERM");
    // And a new process shows them.
    let (mut again, base_url) = start();
    wait_ready(base_url.clone()).await;
    let body: Value = client
        .get(format!("{base_url}/api/v1/articles/1"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["data"]["view_count"], base + i64::from(N));
    again.kill().unwrap();
    let _ = again.wait();
}
