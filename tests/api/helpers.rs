//! Spawns the real app (the same `Application::build` as `main`) on port 0
//! against a fresh database: a temp SQLite file, or a new PostgreSQL database
//! per test when `KHABAR_TEST_POSTGRES_URL` is set.

use std::time::Duration;

use diesel::{Connection, PgConnection, RunQueryDsl};
use khabar::config::Settings;
use khabar::db::{Db, PoolSettings};
use khabar::startup::{Application, ServerOptions};

/// A running app and what a test needs to talk to it.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub address: String,
    /// HTTP client.
    pub client: reqwest::Client,
    /// The app's database (for arranging and checking state).
    pub db: Db,
    /// The database URL the app uses.
    pub database_url: String,
    /// PostgreSQL only: the per-test database name.
    pub pg_database: Option<String>,
    /// The app's view counter (flush it, set its clock).
    pub views: std::sync::Arc<khabar::service::views::Views>,
    handle: actix_web::dev::ServerHandle,
    _dir: Option<tempfile::TempDir>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        // Stop without waiting: the runtime is going away with the test.
        drop(tokio::spawn(async move { handle.stop(false).await }));
    }
}

/// Options for `spawn_with`.
pub struct Spawn {
    /// Demo articles to seed beside the seed article (`None`: seed nothing).
    pub demo_articles: Option<usize>,
    /// Pool size.
    pub pool_size: u32,
    /// Connection checkout timeout.
    pub checkout_timeout: Duration,
    /// Answer cache TTL (off by default, so tests see every write at once).
    pub cache_ttl: Duration,
    /// SQLite even when `KHABAR_TEST_POSTGRES_URL` is set (to compare backends).
    pub sqlite: bool,
    /// Changes the app's settings before it starts.
    pub settings: fn(&mut Settings),
    /// Read replica URLs for the app's database URL (none by default).
    pub replicas: fn(&str) -> Vec<String>,
    /// Lag bound and poll interval of the replicas.
    pub replica_settings: khabar::db::replicas::ReplicaSettings,
}

impl Default for Spawn {
    fn default() -> Self {
        Spawn {
            demo_articles: Some(60),
            pool_size: 4,
            checkout_timeout: Duration::from_millis(1500),
            cache_ttl: Duration::ZERO,
            sqlite: false,
            settings: |_| {},
            replicas: |_| Vec::new(),
            replica_settings: Default::default(),
        }
    }
}

/// A fresh database URL: SQLite temp file or a new PostgreSQL database.
/// `sqlite` forces the embedded backend.
pub fn fresh_database(sqlite: bool) -> (String, Option<String>, Option<tempfile::TempDir>) {
    match std::env::var("KHABAR_TEST_POSTGRES_URL") {
        Ok(admin_url) if !admin_url.is_empty() && !sqlite => {
            let name = format!("khabar_test_{}", uuid_simple());
            let mut admin =
                PgConnection::establish(&admin_url).expect("KHABAR_TEST_POSTGRES_URL connects");
            diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
                .execute(&mut admin)
                .expect("create the test database");
            let mut url = url::Url::parse(&admin_url).expect("KHABAR_TEST_POSTGRES_URL is a URL");
            url.set_path(&format!("/{name}"));
            (url.to_string(), Some(name), None)
        }
        _ => {
            let dir = tempfile::tempdir().expect("temp dir");
            let path = dir.path().join("khabar.db");
            (format!("sqlite://{}", path.display()), None, Some(dir))
        }
    }
}

fn uuid_simple() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// The app with the seed article and 60 demo articles.
pub async fn spawn_app() -> TestApp {
    spawn_with(Spawn::default()).await
}

/// The app, as configured.
pub async fn spawn_with(options: Spawn) -> TestApp {
    let (database_url, pg_database, dir) = fresh_database(options.sqlite);
    spawn_on(database_url, pg_database, dir, options).await
}

/// Another app on the database of `app` (seeding nothing).
pub async fn spawn_beside(app: &TestApp, options: Spawn) -> TestApp {
    spawn_on(
        app.database_url.clone(),
        None,
        None,
        Spawn {
            demo_articles: None,
            ..options
        },
    )
    .await
}

/// The app on a given database (`dir` keeps a temp SQLite file alive).
pub async fn spawn_on(
    database_url: String,
    pg_database: Option<String>,
    dir: Option<tempfile::TempDir>,
    options: Spawn,
) -> TestApp {
    let db = Db::connect(
        &database_url,
        &PoolSettings {
            max_size: options.pool_size,
            checkout_timeout: options.checkout_timeout,
        },
        true,
    )
    .expect("test database opens and migrates")
    .with_replicas(
        &(options.replicas)(&database_url),
        &options.replica_settings,
    )
    .expect("replicas are PostgreSQL URLs");
    if let Some(n) = options.demo_articles {
        let seed_db = db.clone();
        tokio::task::spawn_blocking(move || {
            seed_db
                .run_blocking(|conn| khabar::seed::run(conn, n, 7, chrono_tz::Asia::Damascus))
                .expect("pool")
                .expect("seed")
        })
        .await
        .expect("seed task");
    }
    let mut settings = Settings {
        cache_ttl: options.cache_ttl,
        ..Settings::default()
    };
    // Off unless a test turns it on: a listener per app would hold a
    // connection of its own (tests/api/nodes.rs tests it).
    settings.node_invalidation = false;
    // Without notifications PostgreSQL would leave the list index off
    // (`auto`): one app alone is what it is for (nodes.rs tests nodes).
    settings.list_index = khabar::cli::ListIndexMode::On;
    (options.settings)(&mut settings);
    let app = Application::build(
        db.clone(),
        settings,
        "127.0.0.1:0",
        ServerOptions {
            workers: Some(1),
            handle_signals: false,
        },
    )
    .expect("server binds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let handle = app.handle();
    let views = app.views();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client"),
        db,
        database_url,
        pg_database,
        views,
        handle,
        _dir: dir,
    }
}

impl TestApp {
    /// GET a path under the app.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{}", self.address, path))
            .send()
            .await
            .expect("request is sent")
    }

    /// GET a path and parse the JSON body, asserting the status.
    pub async fn get_json(&self, path: &str, status: u16) -> serde_json::Value {
        let res = self.get(path).await;
        let got = res.status().as_u16();
        let body = res.text().await.expect("body");
        assert_eq!(got, status, "GET {path} -> {got}: {body}");
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {path}: not JSON ({e}): {body}"))
    }

    /// The ids of every published article, straight from the database.
    pub fn published_ids(&self) -> Vec<i64> {
        use diesel::prelude::*;
        use khabar::db::schema::articles;
        let mut ids: Vec<i64> = self
            .db
            .run_blocking(|conn| {
                articles::table
                    .filter(articles::status.eq("published"))
                    .select(articles::id)
                    .load(conn)
            })
            .expect("pool")
            .expect("query");
        ids.sort_unstable();
        ids
    }

    /// The ids of every draft.
    pub fn draft_ids(&self) -> Vec<i64> {
        use diesel::prelude::*;
        use khabar::db::schema::articles;
        self.db
            .run_blocking(|conn| {
                articles::table
                    .filter(articles::status.eq("draft"))
                    .select(articles::id)
                    .load(conn)
            })
            .expect("pool")
            .expect("query")
    }
}

/// Asserts an RFC 9457 problem with the given status and code; returns it.
pub async fn assert_problem(res: reqwest::Response, status: u16, code: &str) -> serde_json::Value {
    let got = res.status().as_u16();
    let content_type = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let request_id = res
        .headers()
        .get("x-request-id")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body: serde_json::Value = res.json().await.expect("problem body is JSON");
    assert_eq!(got, status, "{body}");
    assert_eq!(content_type, "application/problem+json", "{body}");
    assert_eq!(body["status"], status, "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["type"], format!("urn:khabar:problem:{code}"), "{body}");
    assert!(
        body["title"].as_str().is_some_and(|t| !t.is_empty()),
        "{body}"
    );
    assert!(
        body["detail"].as_str().is_some_and(|t| !t.is_empty()),
        "{body}"
    );
    assert!(!request_id.is_empty());
    assert_eq!(body["request_id"], request_id.as_str(), "{body}");
    body
}

/// A request to send: method, path, optional token, JSON body and If-Match.
pub struct Call<'a> {
    pub method: reqwest::Method,
    pub path: String,
    pub token: Option<&'a str>,
    pub body: Option<serde_json::Value>,
    pub if_match: Option<String>,
}

impl<'a> Call<'a> {
    /// A call without token, body or If-Match.
    pub fn new(method: reqwest::Method, path: impl Into<String>) -> Self {
        Call {
            method,
            path: path.into(),
            token: None,
            body: None,
            if_match: None,
        }
    }
    /// With `Authorization: Bearer token`.
    pub fn token(mut self, token: &'a str) -> Self {
        self.token = Some(token);
        self
    }
    /// With a JSON body.
    pub fn json(mut self, body: serde_json::Value) -> Self {
        self.body = Some(body);
        self
    }
    /// With `If-Match`.
    pub fn if_match(mut self, tag: impl Into<String>) -> Self {
        self.if_match = Some(tag.into());
        self
    }
}

impl TestApp {
    /// A new token of `role`, made through the service (as the CLI does).
    pub fn token(&self, role: khabar::domain::role::Role) -> String {
        self.db
            .run_blocking(|conn| khabar::service::tokens::create(conn, role, "test"))
            .expect("pool")
            .expect("token")
            .1
    }

    /// Sends a call.
    pub async fn send(&self, call: Call<'_>) -> reqwest::Response {
        let mut req = self
            .client
            .request(call.method, format!("{}{}", self.address, call.path));
        if let Some(token) = call.token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = call.body {
            req = req.json(&body);
        }
        if let Some(tag) = call.if_match {
            req = req.header("if-match", tag);
        }
        req.send().await.expect("request is sent")
    }

    /// Sends a call, asserts the status, returns the JSON body (Null when empty).
    pub async fn send_json(&self, call: Call<'_>, status: u16) -> serde_json::Value {
        let what = format!("{} {}", call.method, call.path);
        let res = self.send(call).await;
        let got = res.status().as_u16();
        let text = res.text().await.expect("body");
        assert_eq!(got, status, "{what} -> {got}: {text}");
        if text.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {text}"))
        }
    }

    /// Creates an article as `token`; returns its JSON (`data`).
    pub async fn create_article(&self, token: &str, body: serde_json::Value) -> serde_json::Value {
        self.send_json(
            Call::new(reqwest::Method::POST, "/api/v1/articles")
                .token(token)
                .json(body),
            201,
        )
        .await["data"]
            .clone()
    }

    /// Posts a reader's comment on an article from client address `client`
    /// (the tests' apps trust 127.0.0.1 as a proxy).
    pub async fn post_comment(
        &self,
        article: i64,
        client: &str,
        comment: serde_json::Value,
    ) -> reqwest::Response {
        self.client
            .post(format!(
                "{}/api/v1/articles/{article}/comments",
                self.address
            ))
            .header("x-forwarded-for", client)
            .json(&comment)
            .send()
            .await
            .unwrap()
    }

    /// Runs one SQL statement on the app's database behind its back (no
    /// write through the app, no notification).
    pub fn execute_sql(&self, statement: String) {
        self.db
            .run_blocking(move |conn| match conn {
                khabar::db::DbConnection::Postgres(c) => diesel::sql_query(statement).execute(c),
                khabar::db::DbConnection::Sqlite(c) => diesel::sql_query(statement).execute(c),
            })
            .unwrap()
            .unwrap();
    }

    /// The editor's view of an article and its ETag.
    pub async fn editor_view(&self, token: &str, id: i64) -> (serde_json::Value, String) {
        let res = self
            .send(Call::new(reqwest::Method::GET, format!("/api/v1/articles/{id}")).token(token))
            .await;
        assert_eq!(res.status().as_u16(), 200);
        assert_eq!(
            res.headers()["content-type"],
            "application/vnd.khabar.editorial+json"
        );
        let etag = res.headers()["etag"].to_str().unwrap().to_string();
        let body: serde_json::Value = res.json().await.unwrap();
        (body["data"].clone(), etag)
    }
}
