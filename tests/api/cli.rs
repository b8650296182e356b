//! The binary itself: start-up errors, seeding, graceful shutdown.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_khabar");

#[test]
fn a_bad_database_url_fails_start_up_with_one_line_naming_the_cause() {
    for (url, expected) in [
        ("mysql://x", "is not supported"),
        (
            "postgres://nobody@127.0.0.1:1/none",
            "cannot connect to PostgreSQL",
        ),
        (
            "sqlite:///nonexistent-dir/k.db",
            "cannot connect to SQLite database /nonexistent-dir/k.db",
        ),
    ] {
        let out = Command::new(BIN)
            .args(["--database-url", url, "migrate"])
            .output()
            .unwrap();
        assert!(!out.status.success(), "{url}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(lines.len(), 1, "{url}: {stderr}");
        assert!(lines[0].starts_with("khabar: error: "), "{stderr}");
        assert!(lines[0].contains(expected), "{url}: {stderr}");
    }
}

#[test]
fn seed_then_serve_then_sigterm_stops_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/k.db", dir.path().display());
    let seeded = Command::new(BIN)
        .args(["--database-url", &url, "seed", "--articles", "25"])
        .output()
        .unwrap();
    assert!(
        seeded.status.success(),
        "{}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    let text = String::from_utf8_lossy(&seeded.stdout);
    assert!(text.contains("seed article loaded as id 1"), "{text}");
    assert!(text.contains("25 demo articles"), "{text}");
    // A seed opens no other connection: the load leaves the WAL.
    let log = String::from_utf8_lossy(&seeded.stderr);
    assert!(
        log.contains("seed journal: rollback journal for the load"),
        "{log}"
    );

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(BIN)
        .args([
            "--database-url",
            &url,
            "serve",
            "--bind",
            &format!("127.0.0.1:{port}"),
        ])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let ready = loop {
        if let Ok(body) = http_get(port, "/readyz") {
            break body;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "server did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(ready.contains("\"status\":\"ok\""), "{ready}");
    let article = http_get(port, "/api/v1/articles/1").unwrap();
    assert!(article.contains("فريق ماسة"), "{article}");

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(35);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "SIGTERM did not stop the server");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "a graceful stop exits 0: {status:?}");
}

/// A minimal HTTP/1.0 GET: enough to poll our own server without a runtime.
fn http_get(port: u16, path: &str) -> std::io::Result<String> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n")?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    if response.starts_with("HTTP/1.0 200") || response.starts_with("HTTP/1.1 200") {
        Ok(response)
    } else {
        Err(std::io::Error::other(response))
    }
}

#[test]
fn token_create_list_and_revoke_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/k.db", dir.path().display());
    let run = |args: &[&str]| {
        let out = Command::new(BIN)
            .args(["--database-url", &url])
            .args(args)
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (ok, stdout, stderr) = run(&[
        "token",
        "create",
        "--role",
        "editor",
        "--name",
        "غرفة الأخبار",
    ]);
    assert!(ok, "{stderr}");
    // The token alone on stdout (for scripts); the notice on stderr.
    let token = stdout.trim().to_string();
    assert!(
        token.starts_with("khb_") && !token.contains(' '),
        "{stdout}"
    );
    assert!(stderr.contains("shown once"), "{stderr}");

    let (ok, listing, _) = run(&["token", "list"]);
    assert!(ok);
    assert!(
        listing.contains("غرفة الأخبار") && listing.contains("editor"),
        "{listing}"
    );
    assert!(listing.contains(&token[..12]), "{listing}");
    assert!(
        !listing.contains(&token[12..]),
        "a listing shows the secret: {listing}"
    );

    let (ok, _, stderr) = run(&["token", "create", "--role", "root", "--name", "x"]);
    assert!(!ok && stderr.contains("unknown role"), "{stderr}");
    let (ok, _, stderr) = run(&["token", "create", "--role", "admin", "--name", "  "]);
    assert!(!ok && stderr.contains("token name"), "{stderr}");

    let (ok, stdout, stderr) = run(&["token", "revoke", "1"]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("revoked"), "{stdout}");
    let (_, listing, _) = run(&["token", "list"]);
    let line = listing.lines().find(|l| l.starts_with("1\t")).unwrap();
    assert!(!line.ends_with("\t-"), "revoked_at is shown: {line}");
    let (ok, _, stderr) = run(&["token", "revoke", "99"]);
    assert!(!ok && stderr.contains("no token has id 99"), "{stderr}");
}

#[test]
fn json_logs_carry_the_request_id_on_every_line_of_a_request() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/k.db", dir.path().display());
    let seeded = Command::new(BIN)
        .args(["--database-url", &url, "seed", "--articles", "3"])
        .output()
        .unwrap();
    assert!(seeded.status.success());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let log_path = dir.path().join("server.log");
    let mut child = Command::new(BIN)
        .args([
            "--database-url",
            &url,
            "serve",
            "--log-format",
            "json",
            "--bind",
            &format!("127.0.0.1:{port}"),
        ])
        // Debug for khabar: the database call, logged on a blocking thread.
        .env("RUST_LOG", "warn,khabar=debug")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log_path).unwrap())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while http_get(port, "/readyz").is_err() {
        assert!(started.elapsed() < Duration::from_secs(20), "no start");
        std::thread::sleep(Duration::from_millis(100));
    }
    {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(
            stream,
            "GET /api/v1/articles/1 HTTP/1.0\r\nHost: localhost\r\nX-Request-Id: trace-me-42\r\n\r\n"
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        assert!(response.starts_with("HTTP/1.0 200"), "{response}");
        assert!(response.contains("trace-me-42"), "echoed: {response}");
    }
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    child.wait().unwrap();
    let log = std::fs::read_to_string(&log_path).unwrap();
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let of_request: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|l| l["span"]["request_id"] == "trace-me-42")
        .collect();
    let messages: Vec<&str> = of_request
        .iter()
        .filter_map(|l| l["message"].as_str())
        .collect();
    // The request's own line, and the database call made on another thread.
    assert!(messages.contains(&"request"), "{log}");
    assert!(messages.contains(&"database call"), "{log}");
    let request_line = of_request
        .iter()
        .find(|l| l["message"] == "request")
        .unwrap();
    assert_eq!(request_line["status"], 200, "{log}");
    assert_eq!(request_line["span"]["path"], "/api/v1/articles/1", "{log}");
}
