//! Read replicas against a real streaming replica (`scripts/replica.sh`):
//! public reads go to the replica, reads with a token to the primary; a
//! replica that lags beyond the bound or is down is out of rotation, and
//! comes back by itself. Runs when `KHABAR_TEST_REPLICA_PORT` names the
//! replica's port (`.ci/run` starts it); skipped otherwise.

use std::process::Command;
use std::time::{Duration, Instant};

use khabar::db::replicas::ReplicaSettings;
use khabar::domain::role::Role;
use reqwest::Method;
use serde_json::json;

use crate::helpers::{spawn_beside, spawn_with, Call, Spawn, TestApp};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/replica.sh");

fn replica_port() -> Option<u16> {
    std::env::var("KHABAR_TEST_REPLICA_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
}

/// The replica's URL for a primary URL: the same database on the replica's port.
fn replica_of(url: &str) -> Vec<String> {
    let mut replica = url::Url::parse(url).expect("a URL");
    replica.set_port(replica_port()).expect("a URL with a host");
    vec![replica.to_string()]
}

fn script(action: &str) {
    let out = Command::new("bash")
        .args([SCRIPT, action])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "replica.sh {action}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Leaves the replica streaming and replaying, however the test ends.
struct Restore;

impl Drop for Restore {
    fn drop(&mut self) {
        let _ = Command::new("bash").args([SCRIPT, "up"]).output();
        let _ = Command::new("bash").args([SCRIPT, "resume"]).output();
    }
}

/// Waits until `/readyz` shows the replica in `state`; returns its entry.
async fn replica_becomes(app: &TestApp, state: &str) -> serde_json::Value {
    let started = Instant::now();
    loop {
        let ready = app.get_json("/readyz", 200).await;
        assert_eq!(ready["pools"][0]["name"], "primary", "{ready}");
        let replica = ready["pools"][1].clone();
        if replica["state"] == state {
            return replica;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the replica did not become {state}: {ready}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn public_title(app: &TestApp, id: i64) -> String {
    let body = app.get_json(&format!("/api/v1/articles/{id}"), 200).await;
    body["data"]["title"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn reads_go_to_the_replica_and_fall_back_to_the_primary() {
    let Some(_) = replica_port() else {
        eprintln!("KHABAR_TEST_REPLICA_PORT is not set: replica routing not tested");
        return;
    };
    assert!(
        std::env::var("KHABAR_TEST_POSTGRES_URL").is_ok(),
        "replicas need KHABAR_TEST_POSTGRES_URL"
    );
    let _restore = Restore;
    script("up");
    script("resume");
    // A: a generous lag bound, so that a paused replica keeps its reads.
    let app = spawn_with(Spawn {
        demo_articles: Some(5),
        replicas: replica_of,
        replica_settings: ReplicaSettings {
            max_lag: Duration::from_secs(600),
            poll: Duration::from_millis(100),
        },
        ..Default::default()
    })
    .await;
    // B: the same database with a tight bound.
    let tight = spawn_beside(
        &app,
        Spawn {
            replicas: replica_of,
            replica_settings: ReplicaSettings {
                max_lag: Duration::from_millis(300),
                poll: Duration::from_millis(100),
            },
            ..Default::default()
        },
    )
    .await;
    let up = replica_becomes(&app, "up").await;
    // Named by host, port and database, never by credentials.
    let replica_url = url::Url::parse(&replica_of(&app.database_url)[0]).unwrap();
    let name = format!(
        "{}:{}{}",
        replica_url.host_str().unwrap(),
        replica_url.port().unwrap(),
        replica_url.path()
    );
    assert_eq!(up["name"], name.as_str());
    replica_becomes(&tight, "up").await;
    // Operators see each pool and the replica's state in /metrics.
    let metrics = app.get("/metrics").await.text().await.unwrap();
    for expected in [
        format!("khabar_replica_in_rotation{{replica=\"{name}\"}} 1"),
        format!("khabar_db_pool_max_connections{{pool=\"{name}\"}}"),
        "khabar_db_pool_max_connections{pool=\"primary\"}".to_string(),
        format!("khabar_replica_lag_seconds{{replica=\"{name}\"}}"),
    ] {
        assert!(metrics.contains(&expected), "{expected} in {metrics}");
    }

    let editor = app.token(Role::Editor);
    let id = app.published_ids()[0];
    let path = format!("/api/v1/articles/{id}");
    let before = public_title(&app, id).await;

    // Routing: with replay paused, an edit reaches the primary only. The
    // public read still shows the old title (it went to the replica); the
    // editor's read shows the new one (primary).
    script("pause");
    let tag = app
        .send(Call::new(Method::GET, path.clone()).token(&editor))
        .await
        .headers()["etag"]
        .to_str()
        .unwrap()
        .to_string();
    let edited = "عنوان لا يعرفه إلا الخادم الرئيسي";
    app.send_json(
        Call::new(Method::PATCH, path.clone())
            .token(&editor)
            .json(json!({"title": edited}))
            .if_match(tag),
        200,
    )
    .await;
    assert_eq!(
        public_title(&app, id).await,
        before,
        "public reads go to the replica"
    );
    let as_editor = app
        .send(Call::new(Method::GET, path.clone()).token(&editor))
        .await
        .json::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(
        as_editor["data"]["title"], edited,
        "token reads go to the primary"
    );

    // Lag: B's bound is passed while replay is paused; B reads the primary.
    let lagging = replica_becomes(&tight, "lagging").await;
    assert!(lagging["lag_ms"].as_i64().unwrap() > 300, "{lagging}");
    assert!(
        lagging["reason"].as_str().unwrap().contains("behind"),
        "{lagging}"
    );
    assert_eq!(public_title(&tight, id).await, edited);
    // A's bound is not passed: still up, still the replica's answer.
    assert_eq!(replica_becomes(&app, "up").await["state"], "up");
    assert_eq!(public_title(&app, id).await, before);

    // Recovery: replay resumes, the replica catches up and is back in B's rotation.
    script("resume");
    let back = replica_becomes(&tight, "up").await;
    assert!(back["lag_ms"].as_i64().unwrap() <= 300, "{back}");
    assert_eq!(public_title(&app, id).await, edited);

    // Down: out of rotation, reads from the primary; back when it returns.
    // Reads right after the stop, before any poll noticed: a read that
    // loses its replica connection runs again on the primary (no 503).
    script("down");
    for _ in 0..20 {
        assert_eq!(public_title(&app, id).await, edited);
    }
    let down = replica_becomes(&app, "down").await;
    assert!(down["reason"].is_string(), "{down}");
    script("up");
    replica_becomes(&app, "up").await;
    assert_eq!(public_title(&app, id).await, edited);
}
