//! Bulk loads leave the planner with statistics (`khabar seed` ends with
//! `ANALYZE`, on PostgreSQL `VACUUM (ANALYZE)`).

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double, Text};
use khabar::db::DbConnection;

use crate::helpers::spawn_app;

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct SqliteStat {
    #[diesel(sql_type = Text)]
    stat: String,
}

#[derive(QueryableByName)]
struct PgClass {
    #[diesel(sql_type = Double)]
    reltuples: f64,
}

#[tokio::test]
async fn seeding_leaves_planner_statistics() {
    let app = spawn_app().await;
    let (rows, estimates) = app
        .db
        .run_blocking(|conn| -> QueryResult<(i64, Vec<f64>)> {
            let rows = diesel::sql_query("SELECT COUNT(*) AS n FROM articles")
                .get_result::<Count>(conn)?
                .n;
            let estimates = match conn {
                // One row per index of the table (or one for the table when it
                // has none); `stat` starts with the row count.
                DbConnection::Sqlite(lite) => {
                    diesel::sql_query("SELECT stat FROM sqlite_stat1 WHERE tbl = 'articles'")
                        .load::<SqliteStat>(lite)?
                        .iter()
                        .map(|s| {
                            s.stat
                                .split(' ')
                                .next()
                                .and_then(|n| n.parse().ok())
                                .unwrap_or(-1.0)
                        })
                        .collect()
                }
                // -1 (never analysed) or 0 until `ANALYZE` counts the rows.
                DbConnection::Postgres(pg) => diesel::sql_query(
                    "SELECT reltuples::float8 AS reltuples FROM pg_class \
                     WHERE relname = 'articles' AND relkind = 'r'",
                )
                .load::<PgClass>(pg)?
                .iter()
                .map(|c| c.reltuples)
                .collect(),
            };
            Ok((rows, estimates))
        })
        .expect("pool")
        .expect("statistics query (no sqlite_stat1: ANALYZE never ran)");
    assert_eq!(rows, 61, "the seed article and 60 demo articles");
    assert!(!estimates.is_empty(), "no statistics for articles");
    for estimate in &estimates {
        assert!(*estimate > 0.0, "articles has no row estimate: {estimate}");
    }
    // A small table is counted whole (a partial index may count fewer rows).
    let most = estimates.iter().copied().fold(0.0, f64::max);
    assert_eq!(most, rows as f64, "statistics taken before the load");
}

/// PostgreSQL: the seed vacuums what it loaded, so the visibility map says
/// every page is visible to all: index-only scans (tag and author pages
/// read the link rows' index alone) then skip the heap, and the first reads
/// after a load do not set hint bits page by page. `relallvisible` is 0
/// until a vacuum sets the map; autovacuum may be off, as on this machine.
#[tokio::test]
async fn seeding_leaves_postgres_tables_vacuumed_for_index_only_scans() {
    #[derive(QueryableByName)]
    struct Pages {
        #[diesel(sql_type = Text)]
        relname: String,
        #[diesel(sql_type = BigInt)]
        pages: i64,
        #[diesel(sql_type = BigInt)]
        all_visible: i64,
    }
    let app = spawn_app().await;
    let tables = app
        .db
        .run_blocking(|conn| match conn {
            DbConnection::Postgres(pg) => diesel::sql_query(
                "SELECT relname::text AS relname, relpages::bigint AS pages, \
                 relallvisible::bigint AS all_visible FROM pg_class \
                 WHERE relname IN ('articles', 'article_tags', 'article_authors') \
                 AND relkind = 'r' AND relnamespace = to_regnamespace(current_schema()) \
                 ORDER BY 1",
            )
            .load::<Pages>(pg)
            .map(Some),
            DbConnection::Sqlite(_) => Ok(None),
        })
        .expect("pool")
        .expect("pg_class");
    let Some(tables) = tables else { return };
    assert_eq!(tables.len(), 3);
    for t in &tables {
        assert!(t.pages > 0, "{} has pages", t.relname);
        // All of them unless a transaction of the same database was open
        // during the vacuum; none without it.
        assert!(
            t.all_visible * 10 >= t.pages * 9,
            "{}: {} of {} pages marked all-visible in the visibility map",
            t.relname,
            t.all_visible,
            t.pages
        );
    }
}

#[tokio::test]
async fn seeding_rebuilds_every_index_it_dropped_for_the_load() {
    use khabar::repo::maintenance::secondary_indexes;
    use khabar::seed::BULK_TABLES;
    let app = spawn_app().await;
    let before = app
        .db
        .run_blocking(|conn| secondary_indexes(conn, BULK_TABLES))
        .unwrap()
        .unwrap();
    assert!(
        before.iter().any(|i| i == "articles_status_published_idx"),
        "{before:?}"
    );
    app.db
        .run_blocking(|conn| khabar::seed::run(conn, 40, 3, chrono_tz::Asia::Damascus))
        .unwrap()
        .unwrap();
    let after = app
        .db
        .run_blocking(|conn| secondary_indexes(conn, BULK_TABLES))
        .unwrap()
        .unwrap();
    assert_eq!(before, after);
    // The slugs are still unique (PostgreSQL's constraint is dropped for the
    // load and added back).
    let duplicate = app
        .db
        .run_blocking(|conn| {
            diesel::sql_query(
                "UPDATE articles SET slug = (SELECT slug FROM articles WHERE id = 1) WHERE id = 2",
            )
            .execute(conn)
        })
        .unwrap();
    assert!(
        duplicate.is_err(),
        "a second article took the first one's slug"
    );
    // And the lists still walk them: a page comes back in order.
    let page = app.get_json("/api/v1/articles?per_page=5", 200).await;
    assert_eq!(page["data"].as_array().unwrap().len(), 5);
    // PostgreSQL's published walks still carry each row's stamp, which a
    // list page reads from them (`repo::listing::walk_carries_stamps`).
    let definitions = app
        .db
        .run_blocking(|conn| match conn {
            DbConnection::Postgres(pg) => {
                #[derive(QueryableByName)]
                struct Definition {
                    #[diesel(sql_type = Text)]
                    definition: String,
                }
                diesel::sql_query(
                    "SELECT indexdef AS definition FROM pg_indexes WHERE indexname IN \
                     ('articles_status_published_idx', 'articles_section_published_idx') \
                     AND schemaname = current_schema()",
                )
                .load::<Definition>(pg)
                .map(|rows| rows.into_iter().map(|r| r.definition).collect())
            }
            DbConnection::Sqlite(_) => Ok(Vec::new()),
        })
        .unwrap()
        .unwrap();
    if app.pg_database.is_some() {
        assert_eq!(definitions.len(), 2, "{definitions:?}");
        for definition in &definitions {
            assert!(
                definition.ends_with("INCLUDE (created_at, updated_at)"),
                "{definition}"
            );
        }
    }
}

/// PostgreSQL's seed drops the bulk tables' foreign keys for the load and
/// adds them back after; SQLite's stay with their tables. Either way a link
/// to a missing article is refused afterwards.
#[tokio::test]
async fn seeding_keeps_every_foreign_key_it_dropped_for_the_load() {
    #[derive(QueryableByName, Debug, PartialEq)]
    struct Key {
        #[diesel(sql_type = Text)]
        name: String,
    }
    fn foreign_keys(conn: &mut DbConnection) -> QueryResult<Vec<Key>> {
        match conn {
            DbConnection::Postgres(pg) => diesel::sql_query(
                "SELECT c.conname::text AS name FROM pg_constraint c \
                 JOIN pg_class t ON t.oid = c.conrelid \
                 WHERE c.contype = 'f' AND c.convalidated \
                 AND t.relname IN ('articles', 'article_stats', 'article_tags', 'article_authors') \
                 AND t.relnamespace = to_regnamespace(current_schema()) ORDER BY 1",
            )
            .load(pg),
            DbConnection::Sqlite(lite) => diesel::sql_query(
                "SELECT m.name || '.' || f.\"from\" AS name FROM sqlite_master m, \
                 pragma_foreign_key_list(m.name) f \
                 WHERE m.name IN ('articles', 'article_stats', 'article_tags', 'article_authors') \
                 ORDER BY 1",
            )
            .load(lite),
        }
    }
    let app = spawn_app().await;
    let before = app.db.run_blocking(foreign_keys).unwrap().unwrap();
    // articles → sections, stats → articles, tags → articles and tags,
    // authors → articles and authors.
    assert_eq!(before.len(), 6, "{before:?}");
    app.db
        .run_blocking(|conn| khabar::seed::run(conn, 40, 5, chrono_tz::Asia::Damascus))
        .unwrap()
        .unwrap();
    let after = app.db.run_blocking(foreign_keys).unwrap().unwrap();
    assert_eq!(before, after);
    let orphan = app
        .db
        .run_blocking(|conn| {
            diesel::sql_query(
                "INSERT INTO article_tags (article_id, tag_id) \
                 SELECT MAX(a.id) + 1000, MIN(t.id) FROM articles a, tags t",
            )
            .execute(conn)
        })
        .unwrap();
    assert!(orphan.is_err(), "a tag link to a missing article was kept");
}

/// The server takes the statistics a load left missing before it serves
/// (on SQLite, the settings it writes at start get their `sqlite_stat1`
/// row), not on the keeper's first tick a minute later: new statistics
/// written while reads ran stalled every read in flight.
#[tokio::test]
async fn the_server_takes_missing_statistics_before_it_serves() {
    let app = spawn_app().await;
    let rows = app
        .db
        .run_blocking(|conn| match conn {
            DbConnection::Sqlite(lite) => diesel::sql_query(
                "SELECT COUNT(*) AS n FROM sqlite_stat1 WHERE tbl = 'site_settings'",
            )
            .get_result::<Count>(lite)
            .map(|c| Some(c.n)),
            // PostgreSQL's load analyzes every table, empty or not.
            DbConnection::Postgres(_) => Ok(None),
        })
        .unwrap()
        .unwrap();
    let Some(rows) = rows else { return };
    assert_eq!(rows, 1, "the settings written at start have statistics");
}

/// SQLite: the keeper analyzes a table once it has rows, never an empty
/// one, and not again while its row count holds, whichever pooled
/// connection it runs on. A connection that read a table before another
/// connection analyzed it still sees it unanalyzed, and `PRAGMA optimize`
/// there proposes it again: the server analyzed its settings table (4
/// rows) at start and again at the keeper's first tick, and an ANALYZE
/// while reads run can stall them (~100 ms at a million articles).
#[tokio::test]
async fn the_keeper_analyzes_a_table_once_it_has_rows_and_not_again() {
    use khabar::db::DbTarget;
    use khabar::repo::maintenance::refresh_stale_statistics;
    #[derive(QueryableByName, Debug)]
    struct Step {
        #[diesel(sql_type = Text)]
        optimize: String,
    }
    let app = spawn_app().await;
    let target = DbTarget::parse(&app.database_url).unwrap();
    let mut first = target.connect().unwrap();
    if matches!(first, DbConnection::Postgres(_)) {
        return;
    }
    let mut second = target.connect().unwrap();
    let probe = |conn: &mut DbConnection| {
        diesel::sql_query("SELECT n FROM stats_probe WHERE n = 2")
            .execute(conn)
            .unwrap();
    };
    diesel::sql_query("CREATE TABLE stats_probe (n BIGINT)")
        .execute(&mut first)
        .unwrap();
    diesel::sql_query("CREATE INDEX stats_probe_n ON stats_probe (n)")
        .execute(&mut first)
        .unwrap();
    probe(&mut first);
    let empty = refresh_stale_statistics(&mut first).unwrap();
    assert!(empty.is_empty(), "empty tables analyzed: {empty:?}");
    diesel::sql_query("INSERT INTO stats_probe (n) VALUES (1), (2), (3)")
        .execute(&mut first)
        .unwrap();
    probe(&mut second);
    let filled = refresh_stale_statistics(&mut first).unwrap();
    assert_eq!(filled, vec!["stats_probe".to_string()]);
    // The other connection still sees no statistics, and SQLite's own
    // judgement there would analyze the table again.
    probe(&mut second);
    let DbConnection::Sqlite(lite) = &mut second else {
        unreachable!()
    };
    let proposed: Vec<Step> = diesel::sql_query("SELECT * FROM pragma_optimize(0x10003)")
        .load(lite)
        .unwrap();
    assert!(
        proposed.iter().any(|s| s.optimize.contains("stats_probe")),
        "{proposed:?}"
    );
    for conn in [&mut first, &mut second] {
        let again = refresh_stale_statistics(conn).unwrap();
        assert!(again.is_empty(), "analyzed again: {again:?}");
    }
}

#[tokio::test]
async fn the_server_refreshes_statistics_of_tables_that_changed_much() {
    use khabar::repo::maintenance::refresh_stale_statistics;
    let app = spawn_app().await;
    let is_postgres = app
        .db
        .run_blocking(|conn| matches!(conn, DbConnection::Postgres(_)))
        .unwrap();
    app.db
        .run_blocking(|conn| -> QueryResult<()> {
            diesel::sql_query("CREATE TABLE stats_probe (n BIGINT)").execute(conn)?;
            diesel::sql_query(
                "INSERT INTO stats_probe (n) SELECT n FROM (SELECT 1 AS n) one \
                 CROSS JOIN (SELECT id FROM articles LIMIT 60) a \
                 CROSS JOIN (SELECT id FROM articles LIMIT 10) b",
            )
            .execute(conn)?;
            if let DbConnection::Postgres(pg) = conn {
                // A backend that flushed its counters less than a second
                // ago holds the next ones for 10 s (PostgreSQL 15's
                // PGSTAT_IDLE_INTERVAL): with the list index's keeper
                // reading the change log every second, the connection
                // that inserted often had. Flushed when it goes idle.
                diesel::sql_query("SELECT pg_stat_force_next_flush()").execute(pg)?;
            }
            Ok(())
        })
        .unwrap()
        .unwrap();
    // PostgreSQL's activity counters reach the statistics views once the
    // inserting backend flushes them; SQLite counts at once.
    let mut analyzed = Vec::new();
    for _ in 0..50 {
        analyzed = app
            .db
            .run_blocking(refresh_stale_statistics)
            .unwrap()
            .unwrap();
        if analyzed.iter().any(|t| t == "stats_probe") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        analyzed.iter().any(|t| t == "stats_probe"),
        "600 new rows, never analyzed: {analyzed:?}"
    );
    if !is_postgres {
        let again = app
            .db
            .run_blocking(refresh_stale_statistics)
            .unwrap()
            .unwrap();
        assert!(again.is_empty(), "{again:?}");
        return;
    }
    let estimate = app
        .db
        .run_blocking(|conn| {
            diesel::sql_query(
                "SELECT reltuples::float8 AS reltuples FROM pg_class WHERE relname = 'stats_probe'",
            )
            .get_result::<PgClass>(conn)
        })
        .unwrap()
        .unwrap();
    assert_eq!(estimate.reltuples, 600.0);
    // Fresh now: not analyzed again.
    let again = app
        .db
        .run_blocking(refresh_stale_statistics)
        .unwrap()
        .unwrap();
    assert!(!again.iter().any(|t| t == "stats_probe"), "{again:?}");
}
