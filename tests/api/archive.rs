//! The archive: calendar, periods in the newsroom's time zone, from/to.

use khabar::domain::role::Role;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{assert_problem, spawn_with, Call, Spawn, TestApp};

async fn ids(app: &TestApp, path: &str) -> Vec<i64> {
    let body = app.get_json(path, 200).await;
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect()
}

async fn publish_at(app: &TestApp, token: &str, title: &str, at: &str) -> i64 {
    app.create_article(
        token,
        json!({"title": title, "section_id": 1, "body_html": "<p>نص</p>", "status": "published", "published_at": at}),
    )
    .await["id"]
        .as_i64()
        .unwrap()
}

fn month_count(calendar: &Value, year: i64, month: i64) -> i64 {
    calendar["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|y| y["year"] == year)
        .and_then(|y| {
            y["months"]
                .as_array()
                .unwrap()
                .iter()
                .find(|m| m["month"] == month)
                .map(|m| m["count"].as_i64().unwrap())
        })
        .unwrap_or(0)
}

#[tokio::test]
async fn days_are_the_newsrooms_days_on_every_route() {
    let app = spawn_with(Spawn {
        demo_articles: Some(0),
        ..Spawn::default()
    })
    .await;
    let editor = app.token(Role::Editor);
    // Either side of local midnight in Damascus (UTC+3 in August 2020).
    let late = publish_at(&app, &editor, "بعد منتصف الليل", "2020-08-21T22:30:00Z").await;
    let early = publish_at(&app, &editor, "قبل منتصف الليل", "2020-08-21T20:59:59Z").await;
    // Either side of the DST change of 2020-03-27 (00:00 became 01:00).
    let before_dst = publish_at(&app, &editor, "قبل التوقيت الصيفي", "2020-03-26T21:59:00Z").await;
    let after_dst = publish_at(&app, &editor, "بعد التوقيت الصيفي", "2020-03-26T22:00:00Z").await;

    let day22 = ids(&app, "/api/v1/archive/2020/8/22").await;
    assert!(day22.contains(&late) && day22.contains(&1), "{day22:?}");
    assert!(!day22.contains(&early));
    assert_eq!(
        ids(&app, "/api/v1/archive/2020/08/22").await,
        day22,
        "padded or not"
    );
    assert_eq!(ids(&app, "/api/v1/archive/2020/8/21").await, vec![early]);
    assert_eq!(
        ids(&app, "/api/v1/archive/2020/3/26").await,
        vec![before_dst]
    );
    assert_eq!(
        ids(&app, "/api/v1/archive/2020/3/27").await,
        vec![after_dst]
    );
    // from/to on /articles agree with the period routes.
    assert_eq!(
        ids(&app, "/api/v1/articles?from=2020-08-22&to=2020-08-22").await,
        day22
    );
    assert_eq!(
        ids(
            &app,
            "/api/v1/articles?from=2020-08-21T22:30:00Z&to=2020-08-21T22:30:00Z"
        )
        .await,
        vec![late],
        "date-times are inclusive"
    );
    let august = ids(&app, "/api/v1/archive/2020/8?sort=oldest").await;
    assert_eq!(august, vec![early, late, 1]);
    let year = ids(&app, "/api/v1/archive/2020?per_page=100").await;
    assert_eq!(year.len(), 5);
    // And so does the calendar.
    let calendar = app.get_json("/api/v1/archive", 200).await;
    assert_eq!(calendar["data"][0]["year"], 2020);
    assert_eq!(calendar["data"][0]["count"], 5);
    assert_eq!(month_count(&calendar, 2020, 8), 3);
    assert_eq!(month_count(&calendar, 2020, 3), 2);
    assert_eq!(calendar["data"][0]["months"][0]["month"], 8, "newest first");

    // Moving an article in time moves it between days and months.
    let (_, etag) = app.editor_view(&editor, early).await;
    app.send_json(
        Call::new(Method::PATCH, format!("/api/v1/articles/{early}"))
            .token(&editor)
            .json(json!({"published_at": "2020-03-26T10:00:00Z"}))
            .if_match(etag),
        200,
    )
    .await;
    assert_eq!(
        ids(&app, "/api/v1/archive/2020/8/21").await,
        Vec::<i64>::new()
    );
    let calendar = app.get_json("/api/v1/archive", 200).await;
    assert_eq!(month_count(&calendar, 2020, 8), 2);
    assert_eq!(month_count(&calendar, 2020, 3), 3);
}

#[tokio::test]
async fn drafts_and_scheduled_articles_are_in_no_period_and_no_calendar() {
    let app = spawn_with(Spawn::default()).await;
    let editor = app.token(Role::Editor);
    let calendar = app.get_json("/api/v1/archive?per_page=100", 200).await;
    let total: i64 = calendar["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|y| y["count"].as_i64().unwrap())
        .sum();
    assert_eq!(total as usize, app.published_ids().len());
    let next_year = chrono::Utc::now()
        .format("%Y")
        .to_string()
        .parse::<i32>()
        .unwrap()
        + 1;
    let scheduled = publish_at(
        &app,
        &editor,
        "خبر مؤجل",
        &format!("{next_year}-01-02T10:00:00Z"),
    )
    .await;
    let draft = app
        .create_article(
            &editor,
            json!({"title": "مسودة", "section_id": 1, "published_at": "2020-08-22T10:00:00Z"}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    assert!(ids(&app, &format!("/api/v1/archive/{next_year}"))
        .await
        .is_empty());
    assert!(!ids(&app, "/api/v1/archive/2020/8/22")
        .await
        .contains(&draft));
    let again = app.get_json("/api/v1/archive", 200).await;
    assert_eq!(again, calendar, "neither is counted");
    // Editors can still see the scheduled one in its period.
    let listed = app
        .send_json(
            Call::new(
                Method::GET,
                format!("/api/v1/archive/{next_year}?status=scheduled"),
            )
            .token(&editor),
            200,
        )
        .await;
    assert_eq!(listed["data"][0]["id"], scheduled);
    // Filters: a section's calendar counts only its articles.
    let politics = app.get_json("/api/v1/archive?section=politics", 200).await;
    let politics_total: i64 = politics["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|y| y["count"].as_i64().unwrap())
        .sum();
    let listed = app
        .get_json("/api/v1/articles?section=politics&include_total=true", 200)
        .await;
    assert_eq!(politics_total, listed["meta"]["total"].as_i64().unwrap());
    assert_eq!(
        app.get_json("/api/v1/archive?section=nope", 200).await["data"],
        json!([])
    );
    let tagged = app.get_json("/api/v1/archive?tag=iran", 200).await;
    assert!(
        month_count(&tagged, 2020, 8) >= 1,
        "the seed article is tagged iran"
    );
}

#[tokio::test]
async fn impossible_periods_and_bounds_are_400s() {
    let app = spawn_with(Spawn {
        demo_articles: Some(0),
        ..Spawn::default()
    })
    .await;
    let next_year = chrono::Utc::now()
        .format("%Y")
        .to_string()
        .parse::<i32>()
        .unwrap()
        + 1;
    for path in [
        "/api/v1/archive/2020/0".to_string(),
        "/api/v1/archive/2020/13".into(),
        "/api/v1/archive/2020/1/32".into(),
        "/api/v1/archive/2021/2/29".into(),
        "/api/v1/archive/twenty".into(),
        "/api/v1/archive/1899".into(),
        format!("/api/v1/archive/{}", next_year + 1),
        "/api/v1/archive/2020/8/22?per_page=0".into(),
        "/api/v1/articles?from=2020-08-23&to=2020-08-22".into(),
        "/api/v1/articles?from=yesterday".into(),
        "/api/v1/articles?to=2021-02-29".into(),
    ] {
        assert_problem(app.get(&path).await, 400, "invalid_parameters").await;
    }
    app.get_json("/api/v1/archive/2020/2/29", 200).await;
    app.get_json(&format!("/api/v1/archive/{next_year}"), 200)
        .await;
    // Every bad part is named.
    let body = assert_problem(
        app.get("/api/v1/archive/x/13/40?per_page=0").await,
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
    assert_eq!(fields, ["year", "month", "day", "per_page"], "{body}");
}

#[tokio::test]
async fn stored_days_follow_a_change_of_time_zone() {
    let app = spawn_with(Spawn {
        demo_articles: Some(0),
        ..Spawn::default()
    })
    .await;
    let editor = app.token(Role::Editor);
    let id = publish_at(&app, &editor, "خبر", "2020-08-21T22:30:00Z").await;
    let day = |app: &TestApp| -> i32 {
        use diesel::prelude::*;
        use khabar::db::schema::articles;
        app.db
            .run_blocking(|conn| {
                articles::table
                    .find(id)
                    .select(articles::published_day.assume_not_null())
                    .first::<i32>(conn)
            })
            .unwrap()
            .unwrap()
    };
    assert_eq!(day(&app), 20200822);
    let rewritten = app
        .db
        .run_blocking(|conn| khabar::service::archive::sync_local_days(conn, chrono_tz::UTC))
        .unwrap()
        .unwrap();
    assert!(
        rewritten >= 2,
        "every dated row is recomputed ({rewritten})"
    );
    assert_eq!(day(&app), 20200821);
    let again = app
        .db
        .run_blocking(|conn| khabar::service::archive::sync_local_days(conn, chrono_tz::UTC))
        .unwrap()
        .unwrap();
    assert_eq!(again, 0, "nothing to do when the zone is unchanged");
}

/// A calendar as `(yyyymm, count)`, newest first.
fn months_of(calendar: &Value) -> Vec<(i32, i64)> {
    calendar["data"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|y| {
            let year = y["year"].as_i64().unwrap() as i32;
            y["months"].as_array().unwrap().iter().map(move |m| {
                (
                    year * 100 + m["month"].as_i64().unwrap() as i32,
                    m["count"].as_i64().unwrap(),
                )
            })
        })
        .collect()
}

type CountRow = (String, i64, i32, i64);

/// A section or a tag: id and slug.
type Term = (i64, String);

/// Every row of `archive_counts`, in key order.
fn count_rows(conn: &mut khabar::db::DbConnection) -> Vec<CountRow> {
    use diesel::prelude::*;
    use khabar::db::schema::archive_counts as c;
    c::table
        .select((c::scope, c::scope_id, c::month, c::n))
        .order((c::scope, c::scope_id, c::month))
        .load(conn)
        .unwrap()
}

/// After a write: the maintained counts are what a recount from scratch
/// makes of the articles, with no empty month; and every calendar (all, each
/// section, each tag, a section and a tag together), now and once every
/// scheduled article is due, is what the live count says, through the
/// service and over HTTP.
async fn assert_calendars_exact(app: &TestApp, step: &str) {
    use diesel::prelude::*;
    use khabar::db::schema::{sections, tags};
    use khabar::repo::archive::calendar_live;
    let now = khabar::service::now();
    let later = now + chrono::Duration::days(800);
    let (sections, tags) = app
        .db
        .run_blocking(move |conn| {
            let incremental = count_rows(conn);
            khabar::service::archive::rebuild_calendar(conn).unwrap();
            let recounted = count_rows(conn);
            let only_in = |a: &[CountRow], b: &[CountRow]| -> Vec<CountRow> {
                a.iter().filter(|r| !b.contains(r)).cloned().collect()
            };
            assert!(
                incremental == recounted,
                "{step}: the kept counts differ from a recount: kept only {:?}, recounted only {:?}",
                only_in(&incremental, &recounted),
                only_in(&recounted, &incremental)
            );
            assert!(
                incremental.iter().all(|r| r.3 > 0),
                "{step}: no empty month kept"
            );
            let sections: Vec<Term> = sections::table
                .select((sections::id, sections::slug))
                .load(conn)
                .unwrap();
            let tags: Vec<Term> = tags::table
                .select((tags::id, tags::slug))
                .load(conn)
                .unwrap();
            let mut scopes: Vec<(Option<&Term>, Option<&Term>)> =
                vec![(None, None), (sections.first(), tags.first())];
            scopes.extend(sections.iter().map(|s| (Some(s), None)));
            scopes.extend(tags.iter().map(|t| (None, Some(t))));
            let taxonomy =
                khabar::service::taxonomy::TaxonomyCache::new(std::time::Duration::from_secs(60));
            for at in [now, later] {
                for &(section, tag) in &scopes {
                    let live: Vec<(i32, i64)> =
                        calendar_live(conn, at, section.map(|s| s.0), tag.map(|t| t.0))
                            .unwrap()
                            .into_iter()
                            .map(|m| (m.month, m.n))
                            .collect();
                    let served: Vec<(i32, i64)> = khabar::service::archive::calendar(
                        conn,
                        &taxonomy,
                        at,
                        section.map(|s| s.1.as_str()),
                        tag.map(|t| t.1.as_str()),
                    )
                    .unwrap()
                    .into_iter()
                    .flat_map(|y| {
                        y.months
                            .into_iter()
                            .map(move |(m, n)| (y.year * 100 + m as i32, n))
                    })
                    .collect();
                    assert_eq!(served, live, "{step}: {section:?} {tag:?} at {at}");
                }
            }
            (sections, tags)
        })
        .unwrap();
    let live = |section: Option<i64>, tag: Option<i64>| {
        app.db
            .run_blocking(move |conn| calendar_live(conn, now, section, tag).unwrap())
            .unwrap()
            .into_iter()
            .map(|m| (m.month, m.n))
            .collect::<Vec<_>>()
    };
    let mut paths = vec![
        ("/api/v1/archive".to_string(), None, None),
        (
            format!(
                "/api/v1/archive?section={}&tag={}",
                sections[0].1, tags[0].1
            ),
            Some(sections[0].0),
            Some(tags[0].0),
        ),
    ];
    paths.extend(
        sections
            .iter()
            .take(2)
            .map(|s| (format!("/api/v1/archive?section={}", s.1), Some(s.0), None)),
    );
    paths.extend(
        tags.iter()
            .take(3)
            .map(|t| (format!("/api/v1/archive?tag={}", t.1), None, Some(t.0))),
    );
    for (path, section, tag) in paths {
        let served = months_of(&app.get_json(&path, 200).await);
        assert_eq!(served, live(section, tag), "{step}: GET {path}");
    }
}

#[tokio::test]
async fn the_calendars_counts_follow_every_write() {
    let app = spawn_with(Spawn {
        demo_articles: Some(30),
        ..Spawn::default()
    })
    .await;
    let editor = app.token(Role::Editor);
    assert_calendars_exact(&app, "seeded").await;
    let edit = |id: i64, body: Value| {
        let (app, editor) = (&app, &editor);
        async move {
            let (_, etag) = app.editor_view(editor, id).await;
            app.send_json(
                Call::new(Method::PATCH, format!("/api/v1/articles/{id}"))
                    .token(editor)
                    .json(body)
                    .if_match(etag),
                200,
            )
            .await;
        }
    };
    let create = |body: Value| {
        let (app, editor) = (&app, &editor);
        async move {
            app.create_article(editor, body).await["id"]
                .as_i64()
                .unwrap()
        }
    };
    // 2021-01-31T22:30Z is 1 February in Damascus.
    let a = create(
        json!({"title": "أ", "section_id": 1, "tag_ids": [1, 2], "body_html": "<p>نص</p>",
        "status": "published", "published_at": "2021-01-31T22:30:00Z"}),
    )
    .await;
    assert_calendars_exact(&app, "created").await;
    let b =
        create(json!({"title": "ب", "section_id": 2, "tag_ids": [2, 3], "body_html": "<p>نص</p>"}))
            .await;
    let c = create(
        json!({"title": "ج", "section_id": 2, "tag_ids": [3], "body_html": "<p>نص</p>",
        "status": "published", "published_at": "2021-03-05T10:00:00Z"}),
    )
    .await;
    assert_calendars_exact(&app, "a draft and another month").await;
    edit(a, json!({"published_at": "2021-01-31T20:00:00Z"})).await;
    assert_calendars_exact(&app, "back across the month boundary").await;
    edit(a, json!({"section_id": 2})).await;
    assert_calendars_exact(&app, "another section").await;
    edit(a, json!({"tag_ids": [3, 1]})).await;
    assert_calendars_exact(&app, "other tags").await;
    edit(a, json!({"title": "أ معدّل"})).await;
    assert_calendars_exact(&app, "nothing counted changed").await;
    edit(c, json!({"status": "draft"})).await;
    assert_calendars_exact(&app, "unpublished").await;
    let next_year = chrono::Utc::now()
        .format("%Y")
        .to_string()
        .parse::<i32>()
        .unwrap()
        + 1;
    edit(
        b,
        json!({"status": "published", "published_at": format!("{next_year}-06-01T10:00:00Z")}),
    )
    .await;
    let all = months_of(&app.get_json("/api/v1/archive", 200).await);
    assert!(
        all.iter().all(|m| m.0 / 100 < next_year),
        "scheduled is not counted yet: {all:?}"
    );
    assert_calendars_exact(&app, "scheduled").await;
    edit(c, json!({"status": "published", "tag_ids": [2]})).await;
    assert_calendars_exact(&app, "published again").await;
    app.send_json(
        Call::new(Method::DELETE, format!("/api/v1/articles/{a}"))
            .token(&editor)
            .if_match(app.editor_view(&editor, a).await.1),
        204,
    )
    .await;
    assert_calendars_exact(&app, "deleted").await;
    let tag2: String = app
        .db
        .run_blocking(|conn| {
            use diesel::prelude::*;
            use khabar::db::schema::tags;
            tags::table.find(2).select(tags::slug).first(conn)
        })
        .unwrap()
        .unwrap();
    app.send_json(
        Call::new(Method::DELETE, format!("/api/v1/tags/{tag2}")).token(&editor),
        204,
    )
    .await;
    assert_calendars_exact(&app, "tag deleted").await;
    // A new time zone rewrites every stored day, and the counts with them:
    // this one is in February in Damascus, in January in UTC.
    create(
        json!({"title": "د", "section_id": 1, "tag_ids": [1], "body_html": "<p>نص</p>",
        "status": "published", "published_at": "2021-01-31T22:30:00Z"}),
    )
    .await;
    assert_calendars_exact(&app, "before the new zone").await;
    let rewritten = app
        .db
        .run_blocking(|conn| khabar::service::archive::sync_local_days(conn, chrono_tz::UTC))
        .unwrap()
        .unwrap();
    assert!(rewritten > 0);
    assert_calendars_exact(&app, "another time zone").await;
}
