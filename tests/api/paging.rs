use std::collections::HashSet;

use crate::helpers::{spawn_with, Spawn};

fn ids(body: &serde_json::Value) -> Vec<i64> {
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn walking_pages_and_cursors_returns_every_published_article_once() {
    let app = spawn_with(Spawn {
        demo_articles: Some(150),
        ..Spawn::default()
    })
    .await;
    let published = app.published_ids();
    let drafts: HashSet<i64> = app.draft_ids().into_iter().collect();
    assert!(published.len() > 100);

    for sort in ["newest", "oldest"] {
        // Page numbers.
        let mut seen = Vec::new();
        let mut page = 1;
        loop {
            let body = app
                .get_json(
                    &format!("/api/v1/articles?sort={sort}&per_page=7&page={page}"),
                    200,
                )
                .await;
            let got = ids(&body);
            if got.is_empty() {
                break;
            }
            seen.extend(got);
            page += 1;
            assert!(page < 100, "paging does not end");
        }
        let mut sorted = seen.clone();
        sorted.sort_unstable();
        assert_eq!(
            sorted, published,
            "pages ({sort}) return every published article exactly once"
        );
        assert!(seen.iter().all(|id| !drafts.contains(id)));

        // Cursors, following links.next.
        let mut seen_cursor = Vec::new();
        let mut path = format!("/api/v1/articles?sort={sort}&per_page=9");
        let mut steps = 0;
        loop {
            let body = app.get_json(&path, 200).await;
            seen_cursor.extend(ids(&body));
            match body["links"]["next"].as_str() {
                Some(next) => {
                    // After the first page, links continue by cursor only when a cursor was used.
                    let cursor = body["meta"]["next_cursor"]
                        .as_str()
                        .expect("next_cursor beside links.next");
                    path = format!("/api/v1/articles?sort={sort}&per_page=9&cursor={cursor}");
                    if steps > 0 {
                        assert!(next.contains("cursor="), "{next}");
                        assert!(
                            !next.contains("&page=") && !next.contains("?page="),
                            "{next}"
                        );
                    }
                }
                None => {
                    assert!(body["meta"].get("next_cursor").is_none());
                    break;
                }
            }
            steps += 1;
            assert!(steps < 100, "cursor walk does not end");
        }
        assert_eq!(
            seen_cursor, seen,
            "the cursor walk ({sort}) is the page walk, in the same order"
        );
    }
}

#[tokio::test]
async fn a_cursor_walk_is_stable_under_new_articles() {
    let app = spawn_with(Spawn {
        demo_articles: Some(30),
        ..Spawn::default()
    })
    .await;
    let first = app.get_json("/api/v1/articles?per_page=10", 200).await;
    let cursor = first["meta"]["next_cursor"].as_str().unwrap().to_string();
    let before = app
        .get_json(
            &format!("/api/v1/articles?per_page=10&cursor={cursor}"),
            200,
        )
        .await;
    // New articles (newer than everything) arrive between two requests.
    let db = app.db.clone();
    tokio::task::spawn_blocking(move || {
        db.run_blocking(|conn| khabar::seed::run(conn, 5, 99, chrono_tz::Asia::Damascus))
            .unwrap()
            .unwrap()
    })
    .await
    .unwrap();
    let after = app
        .get_json(
            &format!("/api/v1/articles?per_page=10&cursor={cursor}"),
            200,
        )
        .await;
    // Pages after the cursor only change if the new articles are older than it;
    // the items that were there stay in the same order.
    let before_ids = ids(&before);
    let after_ids: Vec<i64> = ids(&after)
        .into_iter()
        .filter(|id| before_ids.contains(id))
        .collect();
    assert!(
        before_ids.starts_with(&after_ids) || after_ids.iter().all(|id| before_ids.contains(id))
    );
    assert!(
        !ids(&first).iter().any(|id| ids(&after).contains(id)),
        "no item repeats across the cursor"
    );
}

/// PostgreSQL: a page that ends within the kept walk (4,096 rows) at a
/// common size is read by a kept statement whose walk is capped by a
/// literal power of two, with the page's `LIMIT` a literal and its `OFFSET`
/// bound, and PostgreSQL runs it on its generic plan instead of planning it
/// again at every bind: with `LIMIT $n OFFSET $m` over the whole archive,
/// the planner assumes a tenth of the rows and on a large archive never
/// prefers the kept plan. Pages past the walk keep both bound.
#[tokio::test]
async fn postgres_pages_within_the_kept_walk_run_on_a_generic_plan() {
    use diesel::prelude::*;
    use khabar::domain::cursor::KeysetOrder;
    use khabar::repo::articles::{
        list_published, ArticleFilter, Bodies, ListOrder, Visibility, Window,
    };
    #[derive(QueryableByName, Debug)]
    struct Prepared {
        #[diesel(sql_type = diesel::sql_types::Text)]
        statement: String,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        parameters: i64,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        generic_plans: i64,
    }
    let app = spawn_with(Spawn {
        demo_articles: Some(30),
        ..Spawn::default()
    })
    .await;
    let at = |text: &str| chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").unwrap();
    let statements = app
        .db
        .run_blocking(|conn| {
            if !matches!(conn, khabar::db::DbConnection::Postgres(_)) {
                return None;
            }
            let filter = ArticleFilter {
                visibility: Visibility::Public {
                    now: at("2030-01-01 00:00:00"),
                },
                section_id: None,
                tag_id: None,
                author_id: None,
                language: None,
                published_from: Some(at("2000-01-01 00:00:00")),
                published_until: Some(at("2029-01-01 00:00:00")),
                search: None,
            };
            // Pages 1, 2 and 40 of 20, and page 500 (past the walk), each
            // more often than PostgreSQL's five custom plans.
            let mut pages = Vec::new();
            for offset in [0, 20, 780, 9_980] {
                for _ in 0..8 {
                    pages.push(
                        list_published(
                            conn,
                            &filter,
                            ListOrder::Keyset(KeysetOrder::Newest),
                            Window::Offset(offset),
                            21,
                            Bodies::None,
                        )
                        .unwrap()
                        .len(),
                    );
                }
            }
            let khabar::db::DbConnection::Postgres(pg) = conn else {
                unreachable!()
            };
            let prepared = diesel::sql_query(
                "SELECT statement, CAST(cardinality(parameter_types) AS BIGINT) AS parameters, \
                 generic_plans FROM pg_prepared_statements \
                 WHERE statement LIKE 'SELECT a.id AS id FROM articles a%' \
                 OR statement LIKE 'SELECT w.id FROM (SELECT a.id AS id, a.published_at AS k FROM articles a%' \
                 ORDER BY statement",
            )
            .load::<Prepared>(pg)
            .unwrap();
            Some((pages, prepared))
        })
        .unwrap();
    let Some((pages, statements)) = statements else {
        return;
    };
    // 30 articles: page 1 full (and one more), the deep pages empty.
    assert_eq!(&pages[..8], &[21; 8]);
    assert!(pages[8..16].iter().all(|n| *n == pages[8] && *n > 0));
    assert_eq!(&pages[16..], &[0; 16]);
    let generic = |tail: &str| -> Vec<bool> {
        statements
            .iter()
            .filter(|s| s.statement.ends_with(tail))
            .map(|s| s.generic_plans > 0)
            .collect()
    };
    assert_eq!(statements.len(), 4, "{statements:#?}");
    // Pages 1, 2 and 40: walks of 32, 64 and 1,024 rows, generic plans.
    for walk in [32, 64, 1024] {
        assert_eq!(
            generic(&format!(
                "LIMIT {walk}) w ORDER BY w.k DESC, w.id DESC LIMIT 21 OFFSET $3"
            )),
            [true],
            "walk {walk}: {statements:#?}"
        );
    }
    // Page 500: LIMIT and OFFSET bound (on a large archive, planned at
    // every bind; on these 30 articles a tenth of the rows is cheap too).
    assert_eq!(
        generic("ORDER BY a.published_at DESC, a.id DESC LIMIT $3 OFFSET $4").len(),
        1,
        "{statements:#?}"
    );
    assert!(statements
        .iter()
        .all(|s| s.parameters == if s.statement.ends_with("$4") { 4 } else { 3 }));
}

/// A page's stamps and counters (what a list page reads when its items are
/// kept) are the items `list_published` returns, in its order, for every
/// order, filter and window. PostgreSQL reads a kept page's stamps in one
/// statement with its ids (`keyset_stamps`); other pages, and SQLite, read
/// the ids and then the stamps; where the walked index carries the stamps
/// (published articles, of all sections or of one), only the counters are
/// joined to it.
#[tokio::test]
async fn a_pages_stamps_are_its_items_in_order_for_every_order_filter_and_window() {
    use diesel::prelude::*;
    use khabar::db::DbConnection;
    use khabar::domain::cursor::{Cursor, KeysetOrder};
    use khabar::domain::id_list;
    use khabar::repo::articles::{
        list_published, list_stamps, ArticleFilter, Bodies, ListOrder, Visibility, Window,
    };
    let app = spawn_with(Spawn {
        demo_articles: Some(60),
        ..Spawn::default()
    })
    .await;
    let at = |text: &str| chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").unwrap();
    type Time = chrono::NaiveDateTime;
    /// id, published, created, updated, views, comments.
    type Stamped = (i64, Option<Time>, Time, Time, i64, i64);
    let one_statement = app
        .db
        .run_blocking(|conn| {
            // Few distinct counts, so that most-viewed pages break ties by id.
            let spread = "UPDATE article_stats SET view_count = (article_id * 7) % 5, \
                          comment_count = article_id % 3";
            match conn {
                DbConnection::Postgres(c) => diesel::sql_query(spread).execute(c),
                DbConnection::Sqlite(c) => diesel::sql_query(spread).execute(c),
            }
            .unwrap();
            let public = ArticleFilter {
                visibility: Visibility::Public {
                    now: at("2030-01-01 00:00:00"),
                },
                section_id: None,
                tag_id: None,
                author_id: None,
                language: None,
                published_from: None,
                published_until: None,
                search: None,
            };
            let newest = ListOrder::Keyset(KeysetOrder::Newest);
            let all = list_published(conn, &public, newest, Window::Offset(0), 100, Bodies::None)
                .unwrap();
            assert!(all.len() > 30, "{}", all.len());
            let first = &all[0].head;
            let filters = [
                public.clone(),
                ArticleFilter {
                    section_id: Some(first.section_id),
                    ..public.clone()
                },
                ArticleFilter {
                    tag_id: id_list::decode(&first.tag_ids).first().copied(),
                    ..public.clone()
                },
                ArticleFilter {
                    author_id: id_list::decode(&first.author_ids).first().copied(),
                    ..public.clone()
                },
                ArticleFilter {
                    visibility: Visibility::Draft,
                    ..public.clone()
                },
            ];
            let mut compared = 0;
            for filter in &filters {
                for keyset in [
                    KeysetOrder::Newest,
                    KeysetOrder::Oldest,
                    KeysetOrder::MostViewed,
                ] {
                    let order = ListOrder::Keyset(keyset);
                    let head =
                        list_published(conn, filter, order, Window::Offset(0), 6, Bodies::None)
                            .unwrap();
                    let mut windows =
                        vec![Window::Offset(0), Window::Offset(20), Window::Offset(7)];
                    if let Some(last) = head.last() {
                        windows.push(Window::After(Cursor {
                            order: keyset,
                            published_at: if filter.visibility.by_creation() {
                                last.head.created_at
                            } else {
                                last.head.published_at.unwrap()
                            },
                            id: last.head.id,
                            views: last.stats.view_count,
                        }));
                    }
                    // 21: a common page size (kept statements); 8: not.
                    for limit in [21, 8] {
                        for window in &windows {
                            let expected: Vec<Stamped> =
                                list_published(conn, filter, order, *window, limit, Bodies::None)
                                    .unwrap()
                                    .into_iter()
                                    .map(|r| {
                                        let s = r.stats;
                                        (
                                            r.head.id,
                                            r.head.published_at,
                                            r.head.created_at,
                                            r.head.updated_at,
                                            s.view_count,
                                            s.comment_count,
                                        )
                                    })
                                    .collect();
                            let got: Vec<Stamped> =
                                list_stamps(conn, filter, order, *window, limit)
                                    .unwrap()
                                    .into_iter()
                                    .map(|(a, s)| {
                                        (
                                            a.id,
                                            a.published_at,
                                            a.created_at,
                                            a.updated_at,
                                            s.view_count,
                                            s.comment_count,
                                        )
                                    })
                                    .collect();
                            assert_eq!(got, expected, "{filter:?} {keyset:?} {window:?} {limit}");
                            compared += usize::from(!got.is_empty());
                        }
                    }
                }
            }
            assert!(compared > 50, "{compared} non-empty pages compared");
            let DbConnection::Postgres(pg) = conn else {
                return None;
            };
            #[derive(QueryableByName)]
            struct Count {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                n: i64,
            }
            let mut kept = |start: &str| {
                diesel::sql_query(
                    "SELECT COUNT(*) AS n FROM pg_prepared_statements WHERE starts_with(statement, $1)",
                )
                .bind::<diesel::sql_types::Text, _>(start)
                .get_result::<Count>(pg)
                .unwrap()
                .n
            };
            Some((
                kept("SELECT a.id, a.published_at, a.created_at, a.updated_at, s.view_count"),
                kept("SELECT p.id, p.k AS published_at, p.c AS created_at, p.u AS updated_at"),
            ))
        })
        .unwrap();
    if let Some((joined, carried)) = one_statement {
        // One per filter, order and kept window (first pages, cursors):
        // the stamps carried by the walk for published articles newest or
        // oldest first, of all sections or of one (two filters, two orders,
        // walks of 32 and 64 rows and a cursor); joined for the others.
        assert!(carried >= 12, "{carried} pages with carried stamps kept");
        assert!(joined >= 15, "{joined} one-statement pages kept");
    }
}

/// The list index (`service::list_index`) answers every page it takes as
/// the database does: the same articles in the same order, their stamps
/// and comment counts, the same total and next cursor; ties in time,
/// embargoed, draft and deleted articles, periods, sections, both orders,
/// page numbers and cursors, on both backends.
#[tokio::test]
async fn the_list_index_answers_every_page_it_takes_as_the_database_does() {
    use khabar::db::DbConnection;
    use khabar::domain::article::EditorialStatus;
    use khabar::domain::cursor::KeysetOrder;
    use khabar::service::articles::{
        list_stamps, list_stamps_indexed, ListFilter, ListRequest, Position,
    };
    use khabar::service::list_index::ListIndex;
    use khabar::service::taxonomy::TaxonomyCache;
    let app = spawn_with(Spawn {
        demo_articles: Some(60),
        ..Spawn::default()
    })
    .await;
    let compared = app
        .db
        .run_blocking(|conn| {
            let shape = [
                // Ties: three articles published in the same microsecond.
                "UPDATE articles SET published_at = (SELECT published_at FROM articles WHERE id = 10) WHERE id IN (11, 12)",
                "UPDATE articles SET published_at = '2031-01-01 00:00:00' WHERE id = 20",
                "UPDATE articles SET status = 'draft' WHERE id = 21",
                "UPDATE articles SET status = 'draft', deleted_at = '2020-01-01 00:00:00' WHERE id = 22",
                "UPDATE article_stats SET comment_count = article_id % 4",
            ];
            for statement in shape {
                match conn {
                    DbConnection::Postgres(c) => diesel::RunQueryDsl::execute(diesel::sql_query(statement), c),
                    DbConnection::Sqlite(c) => diesel::RunQueryDsl::execute(diesel::sql_query(statement), c),
                }
                .unwrap();
            }
            let index = ListIndex::new(true);
            index.refresh(conn).unwrap();
            let cache = TaxonomyCache::new(std::time::Duration::from_secs(60));
            let taxonomy = cache.snapshot(conn, |_| true).unwrap();
            let section = taxonomy.sections.values().map(|s| s.slug.clone()).min().unwrap();
            let now = chrono::Utc::now().naive_utc();
            let mut published = |id: i64| {
                list_stamps(conn, &cache, &base(Position::Page(1), 100), now)
                    .unwrap()
                    .items
                    .iter()
                    .find(|(s, _)| s.id == id)
                    .and_then(|(s, _)| s.published_at)
            };
            let middle = published(30).unwrap();
            let tie = published(10).unwrap();
            let mut compared = 0;
            for order in [KeysetOrder::Newest, KeysetOrder::Oldest] {
                for section in [None, Some(section.clone())] {
                    for (from, until) in [(None, None), (Some(middle), None), (None, Some(middle)), (Some(tie), Some(middle + chrono::Duration::days(400)))] {
                        for per_page in [100, 7, 20] {
                            let mut positions: Vec<Position> =
                                [1, 2, 4].map(Position::Page).to_vec();
                            let mut request = base(Position::Page(1), per_page);
                            request.order = order;
                            request.filter.section = section.clone();
                            request.filter.from = from;
                            request.filter.until = until;
                            // Walk by cursor from the first page.
                            let mut at = Position::Page(1);
                            for _ in 0..4 {
                                let page = list_stamps(conn, &cache, &ListRequest { position: at, ..request.clone() }, now).unwrap();
                                match page.next_cursor {
                                    Some(cursor) => {
                                        at = Position::After(cursor);
                                        positions.push(at);
                                    }
                                    None => break,
                                }
                            }
                            for position in positions {
                                let request = ListRequest { position, ..request.clone() };
                                let stamps = |page: khabar::service::articles::Page<(khabar::repo::articles::ArticleStamp, khabar::repo::articles::StatsRow)>| {
                                    let items: Vec<_> = page.items.iter().map(|(s, c)| (s.id, s.published_at, s.created_at, s.updated_at, c.comment_count)).collect();
                                    (items, page.total, page.next_cursor, page.has_more, page.order)
                                };
                                let expected = stamps(list_stamps(conn, &cache, &request, now).unwrap());
                                let got = stamps(list_stamps_indexed(&index, &taxonomy, &request, now).expect("the index takes this page"));
                                assert_eq!(got, expected, "{request:?}");
                                compared += usize::from(!expected.0.is_empty());
                            }
                        }
                    }
                }
            }
            // Pages it does not take: the database answers them.
            let mut tagged = base(Position::Page(1), 20);
            tagged.filter.tag = Some("x".into());
            assert!(list_stamps_indexed(&index, &taxonomy, &tagged, now).is_none());
            let mut viewed = base(Position::Page(1), 20);
            viewed.order = KeysetOrder::MostViewed;
            assert!(list_stamps_indexed(&index, &taxonomy, &viewed, now).is_none());
            let mut scheduled = base(Position::Page(1), 20);
            scheduled.filter.status = EditorialStatus::Scheduled;
            assert!(list_stamps_indexed(&index, &taxonomy, &scheduled, now).is_none());
            compared
        })
        .unwrap();
    assert!(compared > 90, "{compared} non-empty pages compared");

    fn base(position: Position, per_page: u32) -> ListRequest {
        ListRequest {
            filter: ListFilter::default(),
            order: KeysetOrder::Newest,
            relevance: false,
            position,
            per_page,
            include_total: true,
            with_body: false,
            with_body_text: false,
            with_version: false,
        }
    }
}
