//! Two real nodes behind nginx (`scripts/nodes.sh`, `deploy/nginx.conf`):
//! the same answers from either, view counts from both adding up, one
//! reader's repeated beacons counted once, and a node killed mid-run without
//! a 5xx reaching a client's GET. Runs when
//! `KHABAR_TEST_POSTGRES_URL` is set and nginx is installed.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::helpers::fresh_database;

const BIN: &str = env!("CARGO_BIN_EXE_khabar");
const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/nodes.sh");

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Stops nginx and the nodes however the test ends.
struct Nodes {
    run_dir: tempfile::TempDir,
}

impl Drop for Nodes {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .args([SCRIPT, "down"])
            .env("RUN_DIR", self.run_dir.path())
            .output();
    }
}

#[tokio::test]
async fn two_nodes_behind_nginx_answer_alike_and_survive_a_killed_node() {
    if std::env::var("KHABAR_TEST_POSTGRES_URL").is_err()
        || Command::new("nginx").arg("-v").output().is_err()
    {
        eprintln!("needs KHABAR_TEST_POSTGRES_URL and nginx: not tested");
        return;
    }
    let (url, _, _) = fresh_database(false);
    let seeded = Command::new(BIN)
        .args(["--database-url", &url, "seed", "--articles", "20"])
        .output()
        .unwrap();
    assert!(
        seeded.status.success(),
        "{}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    let (front, one, two) = (free_port(), free_port(), free_port());
    let nodes = Nodes {
        run_dir: tempfile::tempdir().unwrap(),
    };
    let up = Command::new("bash")
        .args([SCRIPT, "up"])
        .env("DATABASE_URL", &url)
        .env("KHABAR_BIN", BIN)
        .env("RUN_DIR", nodes.run_dir.path())
        .env("NGINX_PORT", front.to_string())
        .env("NODE_PORTS", format!("{one} {two}"))
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        up.status.success(),
        "nodes.sh up: {}{}",
        String::from_utf8_lossy(&up.stdout),
        String::from_utf8_lossy(&up.stderr)
    );
    let client = reqwest::Client::new();
    let get = |port: u16, path: &str| {
        let request = client.get(format!("http://127.0.0.1:{port}{path}"));
        async move { request.send().await.unwrap() }
    };

    let listed: serde_json::Value = get(one, "/api/v1/articles?per_page=3")
        .await
        .json()
        .await
        .unwrap();
    let id = listed["data"][1]["id"]
        .as_i64()
        .expect("published demo articles");
    let article = format!("/api/v1/articles/{id}");
    // The same answers from either node and through nginx.
    for path in [
        article.as_str(),
        "/api/v1/articles?per_page=5",
        "/api/v1/archive",
    ] {
        let direct: serde_json::Value = get(one, path).await.json().await.unwrap();
        assert_eq!(
            direct,
            get(two, path)
                .await
                .json::<serde_json::Value>()
                .await
                .unwrap(),
            "{path}"
        );
        let res = get(front, path).await;
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(
            direct,
            res.json::<serde_json::Value>().await.unwrap(),
            "{path}"
        );
    }

    // Views posted through nginx land on both nodes and add up exactly.
    let count = |body: serde_json::Value| body["data"]["view_count"].as_i64().unwrap();
    let before = count(get(one, &article).await.json().await.unwrap());
    for n in 0..40 {
        let res = client
            .post(format!("http://127.0.0.1:{front}{article}/views"))
            .header(
                "user-agent",
                format!("Mozilla/5.0 (X11; Linux x86_64) reader-{n}"),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }
    let started = Instant::now();
    loop {
        let a = count(get(one, &article).await.json().await.unwrap());
        let b = count(get(two, &article).await.json().await.unwrap());
        if a == before + 40 && b == before + 40 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "views did not add up: {a} and {b}, expected {}",
            before + 40
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // One reader's repeated beacons reach the node that remembers them
    // (nginx hashes the beacon route by address): counted once, not once
    // per node as round robin would.
    let mut counted = 0;
    for _ in 0..6 {
        let res = client
            .post(format!("http://127.0.0.1:{front}{article}/views"))
            .header(
                "user-agent",
                "Mozilla/5.0 (X11; Linux x86_64) the-same-reader",
            )
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let body: serde_json::Value = res.json().await.unwrap();
        counted += i32::from(body["data"]["counted"] == true);
    }
    assert_eq!(counted, 1, "one reader's six beacons through nginx");

    // Node 1 killed (SIGKILL: no goodbye) in the middle of a run of GETs.
    let pid = std::fs::read_to_string(nodes.run_dir.path().join("node1.pid")).unwrap();
    let paths = [
        "/api/v1/articles/1",
        "/api/v1/articles?page=2",
        "/api/v1/sections",
        "/api/v1/articles/3",
    ];
    let mut statuses = Vec::new();
    for n in 0..300 {
        if n == 60 {
            let killed = Command::new("kill")
                .args(["-KILL", pid.trim()])
                .status()
                .unwrap();
            assert!(killed.success());
        }
        statuses.push(get(front, paths[n % paths.len()]).await.status().as_u16());
    }
    let failed: Vec<_> = statuses
        .iter()
        .enumerate()
        .filter(|(_, s)| **s != 200)
        .collect();
    assert!(
        failed.is_empty(),
        "non-200 answers through nginx: {failed:?}"
    );
    // Node 1 is really gone.
    assert!(reqwest::get(format!("http://127.0.0.1:{one}/healthz"))
        .await
        .is_err());
}
