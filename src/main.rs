//! Thin entry point: parse the CLI, initialise logging, dispatch.

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use khabar::cli::{Cli, Command, ServeArgs, TokenCommand};
use khabar::config::Settings;
use khabar::db::{one_line, Db, PoolSettings};
use khabar::startup::{Application, ServerOptions};

/// mimalloc instead of glibc's allocator (see Cargo.toml).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc 3's `mimalloc.h` (the Rust binding
/// names no constant for it). Checked by the test below: its default,
/// 1000 (ms, in the `options.c` of the mimalloc this crate builds).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// How long (ms) the server's allocator keeps freed pages before giving
/// them back to the OS. At 0, every page a request emptied went back at
/// once: `madvise` and the TLB shootdowns it sends the other core were 9%
/// of the server's CPU on uncached article reads, and 10 ms served
/// 23-26% more of them (SQLite 22,000-22,900 -> 27,600-28,100 req/s,
/// PostgreSQL Zipf reads with the cache on 23,197 -> 29,131) for 4 MB more
/// at peak (PostgreSQL, `bench/run.sh` with the cache on: 126.3 -> 130.1
/// MB; 1, 3 ms gained only 6%).
const SERVER_PURGE_DELAY_MS: std::ffi::c_long = 10;

/// Sets the allocator's purge delay to [`SERVER_PURGE_DELAY_MS`].
fn set_server_purge_delay() {
    // SAFETY: sets a plain integer option; mimalloc reads it atomically.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, SERVER_PURGE_DELAY_MS) };
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve);
    // The server gives freed memory back to the OS after
    // `SERVER_PURGE_DELAY_MS` rather than mimalloc's second: under load
    // the second kept ~20 MB more resident (PostgreSQL server's peak 182.9
    // -> 160.9 MB in `bench/run.sh`). Not the batch commands: a seed that
    // frees and allocates gigabytes paid for it in page faults. The
    // variable itself, when set, wins.
    if matches!(command, Command::Serve) && std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        set_server_purge_delay();
    }
    let json_logs = matches!(command, Command::Serve) && cli.serve.log_format == "json";
    let log_writer = init_tracing(json_logs);
    let result = run(command, &cli.database, cli.serve);
    // Queued log lines first, so that the error is the last line.
    drop(log_writer);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("khabar: error: {}", one_line(&message));
            ExitCode::FAILURE
        }
    }
}

/// Logs to stderr through a writer thread: a worker formats its line and
/// hands it over instead of making a write syscall per request. Not lossy:
/// when the writer falls 128,000 lines behind, workers wait rather than drop
/// lines. The guard flushes what is queued when `main` returns.
fn init_tracing(json: bool) -> tracing_appender::non_blocking::WorkerGuard {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .thread_name("khabar-log")
        .finish(std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    if json {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .init();
    } else {
        builder.init();
    }
    guard
}

fn connect(database: &khabar::cli::DatabaseArgs, migrate: bool) -> Result<Db, String> {
    khabar::db::set_sqlite_mmap_mb(database.sqlite_mmap_mb);
    let settings = PoolSettings {
        max_size: database.pool_size(),
        checkout_timeout: Duration::from_millis(database.db_timeout_ms),
    };
    Db::connect(&database.database_url, &settings, migrate).map_err(|e| e.to_string())
}

fn run(
    command: Command,
    database: &khabar::cli::DatabaseArgs,
    serve_args: ServeArgs,
) -> Result<(), String> {
    match command {
        Command::Openapi => {
            print!("{}", khabar::openapi::document_json());
            Ok(())
        }
        Command::Migrate => {
            connect(database, true)?;
            println!("migrations are up to date");
            Ok(())
        }
        Command::Seed(args) => {
            // Migrated and loaded on one connection, with no pool: SQLite
            // leaves WAL for the load only when no other connection has the
            // file open (`begin_bulk_load`), and a pool dropped just before
            // could still be opening its first connection on its own thread
            // (seen: a 1M load then ran through an 8 GB WAL).
            khabar::db::set_sqlite_mmap_mb(database.sqlite_mmap_mb);
            let mut conn = khabar::db::DbTarget::parse(&database.database_url)
                .and_then(|target| target.connect())
                .map_err(|e| e.to_string())?;
            khabar::db::migrate(&mut conn).map_err(|e| e.to_string())?;
            let sqlite = conn.kind() == khabar::db::BackendKind::Sqlite;
            let started = std::time::Instant::now();
            let report = khabar::seed::run(
                &mut conn,
                args.articles,
                args.random_seed,
                serve_args.timezone,
            )
            .map_err(|e| format!("seeding failed: {e}"))?;
            match report.seed_article_id {
                Some(id) => println!("seed article loaded as id {id}"),
                None => println!("seed article already present"),
            }
            println!(
                "{} demo articles generated in {:.1}s",
                report.generated,
                started.elapsed().as_secs_f64()
            );
            let phases: Vec<String> = report
                .phases
                .iter()
                .map(|(name, took)| format!("{name} {:.1}s", took.as_secs_f64()))
                .collect();
            eprintln!("seed phases: {}", phases.join(", "));
            if sqlite {
                eprintln!(
                    "{}",
                    if report.left_wal {
                        "seed journal: rollback journal for the load, WAL again now"
                    } else {
                        "seed journal: WAL (another connection had the file open; a large load is slower)"
                    }
                );
            }
            Ok(())
        }
        Command::Reindex => reindex(database),
        Command::Serve => serve(serve_args, database),
        Command::Token(command) => token(command, database),
        Command::Copy(args) => copy(&args, database),
    }
}

fn copy(args: &khabar::cli::CopyArgs, database: &khabar::cli::DatabaseArgs) -> Result<(), String> {
    use khabar::service::copy::{self, CopyError};
    khabar::db::set_sqlite_mmap_mb(database.sqlite_mmap_mb);
    let started = std::time::Instant::now();
    let (mut source, mut target) = copy::open(&args.from, &args.to).map_err(|e| e.to_string())?;
    // Drawn on standard error when it is a terminal, hidden otherwise.
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{elapsed_precise} [{bar:40}] {pos}/{len} rows {msg} ({per_sec}, {eta} left)",
        )
        .map_err(|e| e.to_string())?
        .progress_chars("=> "),
    );
    let copied = copy::copy(&mut source, &mut target, &mut |p| {
        bar.set_length(p.total);
        bar.set_position(p.done);
        bar.set_message(p.table);
    });
    bar.finish_and_clear();
    match copied {
        Ok(report) => {
            print!("{}", report.render());
            println!(
                "copied {} rows in {:.1}s; the copy matches its source",
                report
                    .tables
                    .iter()
                    .filter(|t| t.how == copy::How::Copied)
                    .map(|t| t.target)
                    .sum::<i64>(),
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Err(CopyError::Mismatch(report)) => {
            print!("{}", report.render());
            Err(CopyError::Mismatch(report).to_string())
        }
        Err(e) => Err(e.to_string()),
    }
}

fn reindex(database: &khabar::cli::DatabaseArgs) -> Result<(), String> {
    let db = connect(database, true)?;
    let started = std::time::Instant::now();
    let total = db
        .run_blocking(khabar::repo::articles::count_all)
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    // Drawn on standard error when it is a terminal, hidden otherwise.
    let bar = indicatif::ProgressBar::new(total.max(0) as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{elapsed_precise} [{bar:40}] {pos}/{len} articles ({per_sec}, {eta} left)",
        )
        .map_err(|e| e.to_string())?
        .progress_chars("=> "),
    );
    let indexed = db
        .run_blocking(|conn| {
            khabar::service::search::rebuild(conn, &mut |done| bar.set_position(done))
        })
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("reindex failed: {e}"))?;
    bar.finish_and_clear();
    db.run_blocking(khabar::service::archive::rebuild_calendar)
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("rebuilding the calendar's counts failed: {e}"))?;
    println!(
        "{indexed} articles indexed for search, calendar counts rebuilt, in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn token(command: TokenCommand, database: &khabar::cli::DatabaseArgs) -> Result<(), String> {
    use khabar::service::{tokens, PageRequest};
    let db = connect(database, true)?;
    let failed = |e: khabar::service::ServiceError| e.to_string();
    match command {
        TokenCommand::Create { role, name } => {
            let name = tokens::validate_name(&name)?;
            let (info, text) = db
                .run_blocking(|conn| tokens::create(conn, role, &name))
                .map_err(|e| e.to_string())?
                .map_err(failed)?;
            eprintln!(
                "token {} ({}, role {}) created; it is shown once, store it now:",
                info.row.id,
                info.row.name,
                info.role.as_str()
            );
            println!("{text}");
        }
        TokenCommand::List => {
            let mut page = 1;
            println!("id\trole\tprefix\tname\tcreated_at\tlast_used_at\trevoked_at");
            loop {
                let request = PageRequest {
                    page,
                    per_page: 100,
                };
                let found = db
                    .run_blocking(|conn| tokens::list(conn, request, false))
                    .map_err(|e| e.to_string())?
                    .map_err(failed)?;
                for t in &found.items {
                    let when = |t: Option<chrono::NaiveDateTime>| {
                        t.map(|t| t.and_utc().to_rfc3339())
                            .unwrap_or_else(|| "-".into())
                    };
                    println!(
                        "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                        t.row.id,
                        t.role.as_str(),
                        t.display_prefix(),
                        t.row.name,
                        t.row.created_at.and_utc().to_rfc3339(),
                        when(t.row.last_used_at),
                        when(t.row.revoked_at)
                    );
                }
                if !found.has_more {
                    break;
                }
                page += 1;
            }
        }
        TokenCommand::Revoke { id } => {
            let info = db
                .run_blocking(|conn| tokens::revoke(conn, id))
                .map_err(|e| e.to_string())?
                .map_err(|e| match e {
                    khabar::service::ServiceError::NotFound(_) => format!("no token has id {id}"),
                    other => other.to_string(),
                })?;
            println!("token {} ({}) is revoked", info.row.id, info.row.name);
        }
    }
    Ok(())
}

fn serve(args: ServeArgs, database: &khabar::cli::DatabaseArgs) -> Result<(), String> {
    let replicas: Vec<String> = database
        .database_replica_url
        .iter()
        .map(|url| url.trim().to_string())
        .filter(|url| !url.is_empty())
        .collect();
    let db = connect(database, true)?
        .with_replicas(
            &replicas,
            &khabar::db::replicas::ReplicaSettings {
                max_lag: Duration::from_millis(database.replica_max_lag_ms),
                poll: Duration::from_millis(database.replica_poll_ms),
            },
        )
        .map_err(|e| e.to_string())?;
    if args.demo {
        let seeded = db
            .run_blocking(|conn| -> Result<bool, diesel::result::Error> {
                if khabar::repo::articles::count_all(conn)? == 0 {
                    khabar::seed::run(conn, 300, 1, args.timezone)?;
                    Ok(true)
                } else {
                    Ok(false)
                }
            })
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("seeding demo data failed: {e}"))?;
        if seeded {
            tracing::info!("database was empty: loaded the seed article and 300 demo articles");
        }
    }
    let settings = Settings::from_args(&args);
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(
            db,
            settings,
            &args.bind,
            ServerOptions {
                workers: args.workers,
                handle_signals: true,
            },
        )
        .map_err(|e| format!("cannot listen on {}: {e}", args.bind))?;
        tracing::info!(bind = %args.bind, port = app.port(), "khabar is serving; docs at /docs");
        app.run_until_stopped().await.map_err(|e| e.to_string())
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_purge_delay_option_is_the_one_set_at_start_and_the_server_sets_10_ms() {
        // mimalloc's default for `purge_delay` is 1000 (ms); no other
        // option has that default. (`main` has not run in a test.)
        // SAFETY: reads a plain integer option.
        let default = unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        assert_eq!(default, 1000);
        // What the server sets (the only test here that touches it).
        super::set_server_purge_delay();
        // SAFETY: reads a plain integer option.
        let set = unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        assert_eq!(set, 10);
    }
}
