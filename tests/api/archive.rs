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
