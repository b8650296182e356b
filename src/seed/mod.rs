//! `khabar seed`: the seed article (a fixture compiled into the binary, so a
//! clean clone seeds with nothing beside it) and a generated Arabic corpus.

pub mod corpus;

use std::time::{Duration, Instant};

use chrono::{NaiveDate, NaiveDateTime, TimeZone};

use crate::db::DbConnection;
use crate::domain::article::TextDirection;
use crate::domain::id_list;
use crate::domain::search::{search_key, SearchDocument};
use crate::domain::slug::slugify;
use crate::repo::articles::{
    self as articles, ArticleAuthorForm, ArticleInsertForm, ArticleTagForm, StatsInsertForm,
};
use crate::repo::maintenance;
use crate::repo::search::{self, FtsRow, FtsRows, IndexEntry};
use crate::repo::taxonomy::{self, AuthorInsertForm, SectionInsertForm, TagInsertForm};

/// The article page the product serves, as published.
pub const SEED_FIXTURE: &str = include_str!("fixtures/000_f8f504ff7063314d.txt");

/// The seed article, parsed from the fixture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedArticle {
    /// The headline.
    pub title: String,
    /// The lead paragraph.
    pub lead: String,
    /// Body paragraphs after the lead.
    pub paragraphs: Vec<String>,
    /// The byline ("فريق ماسة").
    pub byline: String,
    /// Publication date as printed.
    pub date: NaiveDate,
    /// View count as printed.
    pub views: i64,
    /// The source line's name ("الماسة السورية").
    pub source: String,
    /// The page's body block: lead and paragraphs flattened into one line.
    pub flattened_body: String,
}

impl SeedArticle {
    /// Parses the fixture's layout: lead, paragraphs, bullet facts (byline,
    /// date, views, archive label), headline, flattened body, source line.
    pub fn parse(text: &str) -> Result<Self, String> {
        let lines: Vec<&str> = text.lines().map(|l| l.trim_end()).collect();
        let bullet = |l: &str| l.trim_start().starts_with('•');
        let first_bullet = lines
            .iter()
            .position(|l| bullet(l))
            .ok_or("no bullet facts")?;
        let mut body = lines[..first_bullet]
            .iter()
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.trim().to_string());
        let lead = body.next().ok_or("no lead")?;
        let paragraphs: Vec<String> = body.collect();
        let facts: Vec<String> = lines[first_bullet..]
            .iter()
            .take_while(|l| bullet(l))
            .map(|l| l.trim_start().trim_start_matches('•').trim().to_string())
            .collect();
        if facts.len() < 3 {
            return Err(format!("expected byline, date and views, got {facts:?}"));
        }
        let mut rest = lines[first_bullet + facts.len()..]
            .iter()
            .map(|l| l.trim())
            .filter(|l| !l.is_empty());
        let title = rest.next().ok_or("no headline")?.to_string();
        let flattened_body = rest.next().ok_or("no body block")?.to_string();
        let source = rest
            .find_map(|l| l.strip_prefix("المصدر"))
            .map(|s| s.trim_start_matches([' ', ':']).trim().to_string())
            .ok_or("no source line")?;
        Ok(SeedArticle {
            title,
            lead,
            paragraphs,
            byline: facts[0].clone(),
            date: NaiveDate::parse_from_str(&facts[1], "%Y-%m-%d").map_err(|e| e.to_string())?,
            views: facts[2].parse().map_err(|e| format!("views: {e}"))?,
            source,
            flattened_body,
        })
    }

    /// The fixture compiled into the binary.
    pub fn fixture() -> Self {
        Self::parse(SEED_FIXTURE).expect("the compiled-in seed fixture parses")
    }

    /// Lead and paragraphs, in order.
    pub fn all_paragraphs(&self) -> Vec<&str> {
        std::iter::once(self.lead.as_str())
            .chain(self.paragraphs.iter().map(String::as_str))
            .collect()
    }
}

/// `<p>` per paragraph, text escaped: the only HTML we write ourselves.
pub fn paragraphs_html<'a>(paragraphs: impl IntoIterator<Item = &'a str>) -> String {
    let mut html = String::new();
    for p in paragraphs {
        html.push_str("<p>");
        html.push_str(&html_escape::encode_text(p));
        html.push_str("</p>");
    }
    html
}

/// Plain text: paragraphs separated by a blank line.
pub fn paragraphs_text<'a>(paragraphs: impl IntoIterator<Item = &'a str>) -> String {
    paragraphs.into_iter().collect::<Vec<_>>().join("\n\n")
}

/// What `seed` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeedReport {
    /// Id of the seed article, when this run inserted it.
    pub seed_article_id: Option<i64>,
    /// Demo articles inserted.
    pub generated: usize,
    /// Where the time went: (phase, duration), in order.
    pub phases: Vec<(&'static str, std::time::Duration)>,
    /// SQLite loaded with a rollback journal instead of through the WAL
    /// (only when no other connection had the file open; much faster for
    /// large loads). False on PostgreSQL.
    pub left_wal: bool,
}

/// The tables a seed fills in bulk (their secondary indexes are rebuilt
/// after the load).
pub const BULK_TABLES: &[&str] = &[
    "articles",
    "article_stats",
    "article_tags",
    "article_authors",
];

/// Articles per INSERT statement (19 columns: well under SQLite's bind limit).
const BATCH: usize = 500;

/// Loads the seed article (unless present) and `demo_articles` generated ones,
/// all in one transaction that also rebuilds the calendar's counts: a failed
/// seed leaves the database as it was. Once it has committed, refreshes the
/// planner's statistics.
pub fn run(
    conn: &mut DbConnection,
    demo_articles: usize,
    random_seed: u64,
    timezone: chrono_tz::Tz,
) -> Result<SeedReport, diesel::result::Error> {
    let now = chrono::Utc::now().naive_utc().with_nanosecond_zero();
    let bulk = maintenance::begin_bulk_load(conn)?;
    let loaded = load(conn, demo_articles, random_seed, timezone, now);
    maintenance::end_bulk_load(conn, bulk)?;
    let mut report = loaded?;
    report.left_wal = bulk.left_wal;
    let started = Instant::now();
    maintenance::refresh_statistics(conn)?;
    report.phases.push(("statistics", started.elapsed()));
    Ok(report)
}

/// The load itself, in one transaction.
fn load(
    conn: &mut DbConnection,
    demo_articles: usize,
    random_seed: u64,
    timezone: chrono_tz::Tz,
    now: NaiveDateTime,
) -> Result<SeedReport, diesel::result::Error> {
    // BEGIN IMMEDIATE on SQLite: a deferred transaction that reads first
    // fails at once with "database is locked" when it upgrades to write
    // beside another connection, instead of waiting on busy_timeout.
    crate::db::write_transaction(conn, |conn| -> Result<SeedReport, diesel::result::Error> {
        let mut report = SeedReport::default();
        let section_ids = ensure_taxonomy(conn, now)?;
        report.seed_article_id = insert_seed_article(conn, now, timezone)?;
        let tag_ids = corpus::tags()
            .iter()
            .map(|t| taxonomy::find_tag(conn, t.slug).map(|r| r.map(|r| r.id).unwrap_or_default()))
            .collect::<Result<Vec<_>, _>>()?;
        let author_ids = corpus::authors()
            .iter()
            .map(|a| {
                taxonomy::ensure_author(
                    conn,
                    &AuthorInsertForm {
                        slug: a.slug,
                        name: a.name,
                        bio: a.bio,
                        created_at: now,
                        updated_at: now,
                    },
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        // Indexes are built once at the end, not kept up row by row (each
        // insert into nine indexes of a growing table reads their pages).
        let mut indexes = maintenance::drop_secondary_indexes(conn, BULK_TABLES)?;
        indexes.extend(maintenance::drop_unique_constraints(conn, BULK_TABLES)?);
        // Checked once the indexes are back (the last statements run).
        indexes.extend(maintenance::drop_foreign_keys(conn, BULK_TABLES)?);
        search::bulk_load_settings(conn, true)?;
        let mut search_time = Duration::ZERO;
        let base = articles::max_id(conn)? + 1;
        let mut fts_rows = FtsRows::default();
        let postgres = matches!(conn, DbConnection::Postgres(_));
        // Articles are generated and put through the text pipeline on a
        // thread of their own, a few batches ahead of the inserts: the
        // generator's CPU then overlaps the database's (PostgreSQL's process,
        // or SQLite's work on this thread) instead of alternating with it.
        let loading = Instant::now();
        let made =
            std::thread::scope(|scope| -> Result<Duration, diesel::result::Error> {
                let (sender, batches) = std::sync::mpsc::sync_channel::<Batch>(BATCHES_AHEAD);
                let (tag_ids, author_ids) = (&tag_ids, &author_ids);
                let generator = scope.spawn(move || {
                    generate_batches(
                        postgres,
                        demo_articles,
                        random_seed,
                        now,
                        base,
                        tag_ids,
                        author_ids,
                        sender,
                    )
                });
                for batch in batches {
                    let ids =
                        insert_batch(conn, &batch, &section_ids, tag_ids, author_ids, timezone)?;
                    let started = Instant::now();
                    // SQLite's FTS5 rows are written many batches at a time: every
                    // statement ends an FTS5 segment (see `FTS_ROWS_PER_STATEMENT`).
                    if !postgres {
                        fts_rows.add(
                            conn,
                            ids.iter().zip(&batch.articles).zip(&batch.docs).map(
                                |((id, a), doc)| FtsRow::new(search_key(a.published_at, *id), doc),
                            ),
                        )?;
                    }
                    search_time += started.elapsed();
                    report.generated += ids.len();
                }
                // The receiver is gone when an insert failed: the generator then
                // stops at its next batch.
                Ok(generator
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            })?;
        // Waits for the generator included: what the load took.
        let rows_time = loading.elapsed() - search_time;
        let started = Instant::now();
        fts_rows.finish(conn)?;
        search_time += started.elapsed();
        search::bulk_load_settings(conn, false)?;
        report
            .phases
            .push(("generation and text pipeline (beside the rows)", made));
        report.phases.push(("rows", rows_time));
        report.phases.push(("search index", search_time));
        // Merged inside the load: on SQLite its pages then go straight to
        // the file, not through the WAL and a checkpoint.
        let started = Instant::now();
        search::merge_segments(conn)?;
        report
            .phases
            .push(("search index merge", started.elapsed()));
        let started = Instant::now();
        maintenance::create_indexes(conn, &indexes)?;
        report.phases.push(("indexes", started.elapsed()));
        // The calendar's counts, recounted once rather than kept row by row.
        let started = Instant::now();
        crate::repo::archive::rebuild_counts(conn)?;
        report.phases.push(("calendar", started.elapsed()));
        // One change-feed entry per new article, so a partner's walk from
        // the start finds them (scheduled ones again when they are due).
        let started = Instant::now();
        crate::repo::changes::record_unlogged(conn, now)?;
        report.phases.push(("change log", started.elapsed()));
        Ok(report)
    })
}

/// Batches the generator may run ahead of the inserts (a batch of 500
/// articles is under 1 MB of text, a few MB with its search documents).
const BATCHES_AHEAD: usize = 2;

/// A batch of generated articles, ready to insert.
struct Batch {
    articles: Vec<corpus::DemoArticle>,
    prepared: Vec<Prepared>,
    /// SQLite: the search documents, for FTS5 rows once the ids are known.
    docs: Vec<SearchDocument>,
    /// PostgreSQL: each article's `search_doc` and `search_head` literals,
    /// written with its row.
    vectors: Vec<(String, String)>,
}

/// Generates `count` articles in batches of [`BATCH`], each with what its
/// rows need and its search document, and sends them until done or until
/// the receiver is gone. Returns the time it was busy. The ids are those
/// the inserts will get (`base` onwards, in order): slugs and image URLs
/// carry them.
#[allow(clippy::too_many_arguments)]
fn generate_batches(
    postgres: bool,
    count: usize,
    random_seed: u64,
    now: NaiveDateTime,
    base: i64,
    tag_ids: &[i64],
    author_ids: &[i64],
    sender: std::sync::mpsc::SyncSender<Batch>,
) -> Duration {
    let mut busy = Duration::ZERO;
    // Generated lazily: 100,000 articles are ~170 MB of text.
    let mut generated = corpus::generate(count, random_seed, now);
    for chunk_index in 0.. {
        let started = Instant::now();
        let articles: Vec<corpus::DemoArticle> = generated.by_ref().take(BATCH).collect();
        if articles.is_empty() {
            break;
        }
        let prepared: Vec<Prepared> = articles
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let tags: Vec<i64> = a.tags.iter().map(|t| tag_ids[*t]).collect();
                let authors: Vec<i64> = a.authors.iter().map(|au| author_ids[*au]).collect();
                Prepared::new(a, base + (chunk_index * BATCH + i) as i64, &tags, &authors)
            })
            .collect();
        let texts: Vec<(&str, &str, &str)> = articles
            .iter()
            .zip(&prepared)
            .map(|(a, p)| (a.title.as_str(), a.summary.as_str(), p.body_text.as_str()))
            .collect();
        let docs = crate::domain::search::documents(&texts);
        let (docs, vectors) = if postgres {
            let vectors = docs
                .iter()
                .map(|d| (d.tsvector(), d.head_tsvector()))
                .collect();
            (Vec::new(), vectors)
        } else {
            (docs, Vec::new())
        };
        busy += started.elapsed();
        let batch = Batch {
            articles,
            prepared,
            docs,
            vectors,
        };
        if sender.send(batch).is_err() {
            break;
        }
    }
    busy
}

/// Inserts a batch's articles, counters, tag links and credits; returns
/// the articles' ids in order.
fn insert_batch(
    conn: &mut DbConnection,
    batch: &Batch,
    section_ids: &[i64],
    tag_ids: &[i64],
    author_ids: &[i64],
    timezone: chrono_tz::Tz,
) -> Result<Vec<i64>, diesel::result::Error> {
    let forms: Vec<ArticleInsertForm> = batch
        .articles
        .iter()
        .zip(&batch.prepared)
        .map(|(a, p)| ArticleInsertForm {
            slug: &p.slug,
            title: &a.title,
            summary: &a.summary,
            body_html: &p.body_html,
            body_text: &p.body_text,
            language: "ar",
            dir: TextDirection::Rtl.as_str(),
            section_id: section_ids[a.section],
            byline: &a.byline,
            source_name: Some(&a.source_name),
            source_url: None,
            canonical_url: None,
            image_url: p.image_url.as_deref(),
            image_caption: a.image_caption.as_deref(),
            status: if a.draft { "draft" } else { "published" },
            comments_open: a.comments_open,
            published_at: (!a.draft).then_some(a.published_at),
            created_at: a.published_at,
            updated_at: a.published_at,
            tag_ids: &p.tag_ids,
            author_ids: &p.author_ids,
            published_day: (!a.draft)
                .then(|| crate::domain::period::local_day(a.published_at, timezone)),
        })
        .collect();
    // PostgreSQL keeps the search columns on the row: written with it.
    // SQLite's FTS5 entries need the ids (the caller writes them).
    let ids = match conn {
        DbConnection::Postgres(pg) => articles::insert_many_indexed(pg, &forms, &batch.vectors)?,
        DbConnection::Sqlite(_) => articles::insert_many(conn, &forms)?,
    };
    let mut stats = Vec::with_capacity(ids.len());
    let mut tag_links = Vec::new();
    let mut author_links = Vec::new();
    for (id, a) in ids.iter().zip(&batch.articles) {
        stats.push(StatsInsertForm {
            article_id: *id,
            view_count: a.view_count,
            comment_count: 0,
        });
        let published_at = (!a.draft).then_some(a.published_at);
        tag_links.extend(a.tags.iter().map(|t| ArticleTagForm {
            article_id: *id,
            tag_id: tag_ids[*t],
            published_at,
        }));
        author_links.extend(
            a.authors
                .iter()
                .enumerate()
                .map(|(pos, au)| ArticleAuthorForm {
                    article_id: *id,
                    author_id: author_ids[*au],
                    position: pos as i32,
                    published_at,
                }),
        );
    }
    articles::insert_stats(conn, &stats)?;
    for links in tag_links.chunks(BATCH * 4) {
        articles::insert_tags(conn, links)?;
    }
    for links in author_links.chunks(BATCH * 4) {
        articles::insert_authors(conn, links)?;
    }
    Ok(ids)
}

/// The owned strings an insert form borrows.
struct Prepared {
    slug: String,
    body_html: String,
    body_text: String,
    image_url: Option<String>,
    tag_ids: String,
    author_ids: String,
}

impl Prepared {
    fn new(a: &corpus::DemoArticle, unique: i64, tag_ids: &[i64], author_ids: &[i64]) -> Self {
        let paragraphs =
            std::iter::once(a.summary.as_str()).chain(a.paragraphs.iter().map(String::as_str));
        Prepared {
            slug: format!(
                "{}-{unique}",
                slugify(&a.title)
                    .chars()
                    .take(60)
                    .collect::<String>()
                    .trim_end_matches('-')
            ),
            body_html: paragraphs_html(paragraphs.clone()),
            body_text: paragraphs_text(paragraphs),
            image_url: a
                .image_caption
                .as_ref()
                .map(|_| format!("https://khabar.example/media/demo/{unique}.jpg")),
            tag_ids: id_list::encode(tag_ids),
            author_ids: id_list::encode(author_ids),
        }
    }
}

/// Sections and tags of the demo corpus plus the seed article's; returns the
/// corpus sections' ids by index.
fn ensure_taxonomy(
    conn: &mut DbConnection,
    now: NaiveDateTime,
) -> Result<Vec<i64>, diesel::result::Error> {
    let ids = corpus::sections()
        .iter()
        .enumerate()
        .map(|(i, s)| {
            taxonomy::ensure_section(
                conn,
                &SectionInsertForm {
                    slug: s.slug,
                    name: s.name,
                    description: s.description,
                    position: i as i32,
                    created_at: now,
                    updated_at: now,
                },
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    for t in corpus::tags()
        .iter()
        .map(|t| (t.slug, t.name))
        .chain(SEED_TAGS.iter().copied())
    {
        taxonomy::ensure_tag(
            conn,
            &TagInsertForm {
                slug: t.0,
                name: t.1,
                created_at: now,
                updated_at: now,
            },
        )?;
    }
    Ok(ids)
}

/// The seed article's section and tags.
const SEED_SECTION: (&str, &str, &str) = (
    "politics",
    "سياسة",
    "الأخبار السياسية المحلية والإقليمية والدولية",
);
const SEED_TAGS: [(&str, &str); 3] = [
    ("iran", "إيران"),
    ("russia", "روسيا"),
    ("defense", "الدفاع"),
];

/// Inserts the seed article unless its slug exists; returns its id when inserted.
fn insert_seed_article(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    timezone: chrono_tz::Tz,
) -> Result<Option<i64>, diesel::result::Error> {
    let seed = SeedArticle::fixture();
    let slug = slugify(&seed.title);
    if articles::slug_exists(conn, &slug)? {
        return Ok(None);
    }
    let section_id = taxonomy::ensure_section(
        conn,
        &SectionInsertForm {
            slug: SEED_SECTION.0,
            name: SEED_SECTION.1,
            description: SEED_SECTION.2,
            position: 0,
            created_at: now,
            updated_at: now,
        },
    )?;
    // Only the date is printed; noon in the newsroom keeps that date in UTC too.
    let published_at = timezone
        .from_local_datetime(&seed.date.and_hms_opt(12, 0, 0).expect("noon exists"))
        .earliest()
        .map(|t| t.naive_utc())
        .unwrap_or_else(|| seed.date.and_hms_opt(9, 0, 0).expect("valid time"));
    let paragraphs = seed.all_paragraphs();
    let body_html = paragraphs_html(paragraphs.iter().copied());
    let body_text = paragraphs_text(paragraphs.iter().copied());
    let mut tag_ids = Vec::new();
    for (tag_slug, _) in SEED_TAGS {
        if let Some(tag) = taxonomy::find_tag(conn, tag_slug)? {
            tag_ids.push(tag.id);
        }
    }
    let tag_list = id_list::encode(&tag_ids);
    let id = articles::insert(
        conn,
        &ArticleInsertForm {
            slug: &slug,
            title: &seed.title,
            summary: &seed.lead,
            body_html: &body_html,
            body_text: &body_text,
            language: "ar",
            dir: TextDirection::Rtl.as_str(),
            section_id,
            byline: &seed.byline,
            source_name: Some(&seed.source),
            source_url: None,
            canonical_url: None,
            image_url: None,
            image_caption: None,
            status: "published",
            comments_open: true,
            published_at: Some(published_at),
            created_at: published_at,
            updated_at: published_at,
            tag_ids: &tag_list,
            author_ids: "",
            published_day: Some(crate::domain::period::local_day(published_at, timezone)),
        },
    )?;
    articles::insert_stats(
        conn,
        &[StatsInsertForm {
            article_id: id,
            view_count: seed.views,
            comment_count: 0,
        }],
    )?;
    let links: Vec<ArticleTagForm> = tag_ids
        .iter()
        .map(|tag_id| ArticleTagForm {
            article_id: id,
            tag_id: *tag_id,
            published_at: Some(published_at),
        })
        .collect();
    articles::insert_tags(conn, &links)?;
    let doc = SearchDocument::new(&seed.title, &seed.lead, &body_text);
    let entry = IndexEntry {
        id,
        key: search_key(published_at, id),
        doc: &doc,
    };
    search::write(conn, &[entry], &[])?;
    Ok(Some(id))
}

trait NanosecondZero {
    fn with_nanosecond_zero(self) -> Self;
}

impl NanosecondZero for NaiveDateTime {
    /// Whole seconds keep SQLite's text timestamps in one format.
    fn with_nanosecond_zero(self) -> Self {
        chrono::Timelike::with_nanosecond(&self, 0).unwrap_or(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fixture_parses_as_published() {
        let seed = SeedArticle::fixture();
        assert_eq!(
            seed.title,
            "وزير الدفاع الإيراني من موسكو: تعزيز التعاون ضروري وحتمي"
        );
        assert_eq!(seed.byline, "فريق ماسة");
        assert_eq!(seed.date, NaiveDate::from_ymd_opt(2020, 8, 22).unwrap());
        assert_eq!(seed.views, 11636);
        assert_eq!(seed.source, "الماسة السورية");
        assert!(seed
            .lead
            .starts_with("وزير الدفاع الروسي يلتقي نظيره الإيراني"));
        assert_eq!(seed.paragraphs.len(), 7);
        assert!(seed.paragraphs[6].ends_with("المفروضة على إيران."));
    }

    #[test]
    fn the_page_body_is_exactly_lead_and_paragraphs() {
        // The page repeats the body flattened into one line: it must be the
        // same words, in the same order, as lead + paragraphs.
        let seed = SeedArticle::fixture();
        assert_eq!(seed.flattened_body, seed.all_paragraphs().join(" "));
    }

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            paragraphs_html(["a <b> & \"c\""]),
            "<p>a &lt;b&gt; &amp; \"c\"</p>"
        );
    }
}
