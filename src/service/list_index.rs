//! The published articles' order, kept in memory, so that a public list
//! page of all sections or one, newest or oldest first, by page number or
//! cursor, with or without a period, is found without a database round
//! trip (its items come from the kept list items; only items not rendered
//! yet are read).
//!
//! Why: on PostgreSQL a list page's round trip cost as much CPU as the rest
//! of the request (0.15–0.19 ms of the server's, 2026-12-07), so the page
//! rate stayed at half of issue 9's target whatever the statement.
//!
//! Kept exact by marks, never by age. Every write to an article marks it
//! (`AppState::article_changed`, after the commit and before the answer);
//! other nodes' writes mark it when their notification arrives; every
//! second the change log names what any process wrote, bulk loads too
//! ([`ListIndex::follow_changes`]). A page asked for while anything is
//! marked first reads the marked articles again from the primary
//! ([`ListIndex::refresh`]). So a page never shows the state before a
//! write this node answered. Other nodes' writes show once their
//! notification arrives (as their effect on the answer cache does), or
//! at the latest when the change log names them.
//!
//! Written by hand: no crate keeps a sorted, position-addressable set
//! whose ranks (page offsets and totals) are binary searches; `Vec` with
//! `insert`/`remove` is that, and articles are written a few times a
//! minute while pages are read thousands of times a second.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, RwLock};

use chrono::NaiveDateTime;

use crate::db::DbConnection;
use crate::domain::cursor::KeysetOrder;
use crate::repo::articles::Window;
use crate::repo::changes;
use crate::repo::list_index::{self as repo, IndexRow};

/// Articles read per statement when the index is loaded whole.
pub const ROWS_PER_READ: i64 = 10_000;

/// Marked articles read per statement on a refresh.
const IDS_PER_READ: usize = 500;

/// Most changes [`ListIndex::follow_changes`] marks one by one; past it
/// (a bulk load) the index is reloaded whole instead. Marks are cheap and
/// the next page reads them 500 at a time; a reload reads the archive and
/// holds two copies while it builds (the bench's POST row alone writes 900
/// articles a second).
const MOST_FOLLOWED: i64 = 10_000;

/// One listed article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    /// Publication time, µs since the epoch (the list key, with `id`).
    published: i64,
    id: i64,
    section: i64,
    created: i64,
    updated: i64,
    comments: i64,
}

impl Entry {
    fn key(&self) -> (i64, i64) {
        (self.published, self.id)
    }

    fn of(row: &IndexRow) -> Option<Entry> {
        Some(Entry {
            published: micros(row.listed_from()?),
            id: row.id,
            section: row.section_id,
            created: micros(row.created_at),
            updated: micros(row.updated_at),
            comments: row.comment_count.unwrap_or(0),
        })
    }
}

/// What a list page shows of one article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listed {
    /// Article id.
    pub id: i64,
    /// Publication time (UTC).
    pub published_at: NaiveDateTime,
    /// Creation time (UTC).
    pub created_at: NaiveDateTime,
    /// Last edit (UTC).
    pub updated_at: NaiveDateTime,
    /// Stored comment count.
    pub comment_count: i64,
}

impl From<&Entry> for Listed {
    fn from(e: &Entry) -> Self {
        Listed {
            id: e.id,
            published_at: time(e.published),
            created_at: time(e.created),
            updated_at: time(e.updated),
            comment_count: e.comments,
        }
    }
}

/// A public list page the index can answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexQuery {
    /// Only this section.
    pub section: Option<i64>,
    /// Published at or after (UTC).
    pub from: Option<NaiveDateTime>,
    /// Published before (UTC, exclusive).
    pub until: Option<NaiveDateTime>,
    /// The request's moment: later publications are still embargoed.
    pub now: NaiveDateTime,
    /// `Newest` or `Oldest` (`MostViewed` is not kept in this order).
    pub order: KeysetOrder,
    /// From where.
    pub window: Window,
    /// At most this many rows.
    pub limit: usize,
    /// Whether to count every match too.
    pub with_total: bool,
}

/// The rows of a page, and the count of every match when asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexedPage {
    /// In list order.
    pub rows: Vec<Listed>,
    /// Every article the filter matches (not only from the window on).
    pub total: Option<i64>,
}

/// Each listed article's publication time (its entry's key) by id: a
/// `Vec` indexed by id, since article ids are dense row ids. 8 bytes an
/// id; a `HashMap` took 17 an article and doubled at once when full (the
/// bench's POST row took it past 114,688 articles: 4.5 MB more at the
/// server's peak).
#[derive(Default)]
struct Placed(Vec<i64>);

/// Room kept for new articles past `len`: an eighth, so that a table of
/// 100,000 is copied once per 12,500 new articles (each copy is, for a
/// moment, the table twice: 5 MB at 100,000).
fn headroom(len: usize) -> usize {
    len / 8 + 64
}

/// No entry for this id.
const UNPLACED: i64 = i64::MIN;

/// Ids further than this past the highest one are refused (as the view
/// counter refuses them): a table of them would be mostly holes.
const MOST_SKIPPED_IDS: usize = 10_000_000;

impl Placed {
    fn take(&mut self, id: i64) -> Option<i64> {
        let slot = self.0.get_mut(usize::try_from(id).ok()?)?;
        (*slot != UNPLACED).then(|| std::mem::replace(slot, UNPLACED))
    }

    /// Whether the id could be placed.
    fn put(&mut self, id: i64, published: i64) -> bool {
        let Ok(at) = usize::try_from(id) else {
            return false;
        };
        if at >= self.0.len() {
            if at > self.0.len() + MOST_SKIPPED_IDS {
                return false;
            }
            let len = at + 1;
            self.0.reserve_exact(len + headroom(len) - self.0.len());
            self.0.resize(len, UNPLACED);
        }
        self.0[at] = published;
        true
    }
}

#[derive(Default)]
struct Index {
    loaded: bool,
    /// Listed articles by `(published, id)`, ascending.
    entries: Vec<Entry>,
    placed: Placed,
}

impl Index {
    fn remove(&mut self, id: i64) {
        if let Some(published) = self.placed.take(id) {
            if let Ok(at) = self
                .entries
                .binary_search_by_key(&(published, id), Entry::key)
            {
                self.entries.remove(at);
            }
        }
    }

    fn apply(&mut self, id: i64, row: Option<&IndexRow>) {
        self.remove(id);
        if let Some(entry) = row.and_then(Entry::of) {
            if !self.placed.put(entry.id, entry.published) {
                tracing::warn!(
                    article = id,
                    "list index: an id far past the others; pages read the database"
                );
                self.loaded = false;
                return;
            }
            if self.entries.len() == self.entries.capacity() {
                // Grow by an eighth: `Vec` would double (48 MB more at a
                // million), and each step copies the whole table once.
                self.entries.reserve_exact(headroom(self.entries.len()));
            }
            let at = self.entries.partition_point(|e| e.key() < entry.key());
            self.entries.insert(at, entry);
        }
    }

    fn build(rows: impl IntoIterator<Item = Entry>) -> Index {
        let mut entries: Vec<Entry> = rows.into_iter().collect();
        entries.sort_unstable_by_key(Entry::key);
        entries.shrink_to(entries.len() + headroom(entries.len()));
        let mut placed = Placed::default();
        let mut loaded = true;
        // The highest id first: one allocation.
        if let Some(top) = entries.iter().max_by_key(|e| e.id) {
            loaded &= placed.put(top.id, top.published);
        }
        for e in &entries {
            loaded &= placed.put(e.id, e.published);
        }
        if !loaded {
            tracing::warn!("list index: ids far apart; pages read the database");
        }
        Index {
            loaded,
            entries,
            placed,
        }
    }
}

/// What was marked since the last refresh, each mark numbered so that a
/// refresh only clears what it read after.
#[derive(Default)]
struct Marks {
    serial: u64,
    ids: HashMap<i64, u64>,
    everything: Option<u64>,
}

/// The published articles' order in memory (see the module).
pub struct ListIndex {
    enabled: bool,
    index: RwLock<Index>,
    marks: Mutex<Marks>,
    /// Whether anything is marked: read by every page, so not behind a lock.
    marked: AtomicBool,
    /// One refresh at a time; a page that finds marks waits for it.
    refreshing: Mutex<()>,
    /// One page at a time takes a connection to refresh (see
    /// [`ListIndex::page_refresh_turn`]).
    pages_refreshing: tokio::sync::Mutex<()>,
    /// The last change-log number whose article was marked or loaded
    /// (`None` until the first load).
    followed: Mutex<Option<i64>>,
}

fn micros(t: NaiveDateTime) -> i64 {
    t.and_utc().timestamp_micros()
}

fn time(us: i64) -> NaiveDateTime {
    chrono::DateTime::from_timestamp_micros(us)
        .unwrap_or_default()
        .naive_utc()
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl ListIndex {
    /// An empty index, to be loaded by the first [`ListIndex::refresh`];
    /// a disabled one answers nothing and never reads.
    pub fn new(enabled: bool) -> Self {
        ListIndex {
            enabled,
            index: RwLock::new(Index::default()),
            marks: Mutex::new(Marks {
                everything: Some(0),
                ..Marks::default()
            }),
            marked: AtomicBool::new(enabled),
            refreshing: Mutex::new(()),
            pages_refreshing: tokio::sync::Mutex::new(()),
            followed: Mutex::new(None),
        }
    }

    /// Whether it answers pages at all.
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// After a write to an article (any node's): read it again before the
    /// next page.
    pub fn mark(&self, id: i64) {
        if !self.enabled {
            return;
        }
        let mut marks = lock(&self.marks);
        marks.serial += 1;
        let serial = marks.serial;
        marks.ids.insert(id, serial);
        self.marked.store(true, Ordering::SeqCst);
    }

    /// After writes that are not known one by one (a reconnected listener
    /// may have missed some): read everything again before the next page.
    pub fn mark_everything(&self) {
        if !self.enabled {
            return;
        }
        let mut marks = lock(&self.marks);
        marks.serial += 1;
        marks.everything = Some(marks.serial);
        self.marked.store(true, Ordering::SeqCst);
    }

    /// Whether a page must wait for [`ListIndex::refresh`] first.
    pub fn needs_refresh(&self) -> bool {
        self.enabled && self.marked.load(Ordering::SeqCst)
    }

    /// Whether everything must be read again (at start, or after the
    /// listener reconnected): a reload is left to a thread of its own
    /// ([`ListIndex::refresh`] there), as it reads the whole archive; pages
    /// read the database meanwhile.
    pub fn needs_reload(&self) -> bool {
        self.needs_refresh() && lock(&self.marks).everything.is_some()
    }

    /// A page's turn to refresh the index: pages that find marks wait
    /// here, holding no connection and no thread, and the next in line
    /// usually finds the marks read already ([`ListIndex::needs_refresh`]
    /// again). Without it, every page that found marks took a connection
    /// and a blocking thread to wait on the refresh running.
    pub async fn page_refresh_turn(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.pages_refreshing.lock().await
    }

    /// Reads what was marked (everything, the first time) and applies it;
    /// run it on the primary: a replica may not have the write yet. Marks
    /// made while it reads stay for the next refresh. On an error the
    /// marks stay too, and pages go to the database meanwhile.
    pub fn refresh(&self, conn: &mut DbConnection) -> diesel::QueryResult<()> {
        if !self.needs_refresh() {
            return Ok(());
        }
        let _one_at_a_time = lock(&self.refreshing);
        let (ids, everything) = {
            let marks = lock(&self.marks);
            (marks.ids.clone(), marks.everything)
        };
        if ids.is_empty() && everything.is_none() {
            // Another page's refresh read them while this one waited.
            return Ok(());
        }
        if everything.is_some() {
            // Read first: a change logged while the rows are read is
            // marked again by the next follow.
            let seq = changes::last_seq(conn)?;
            let mut rows = Vec::new();
            let mut after = 0;
            loop {
                let chunk = repo::rows_after(conn, after, ROWS_PER_READ)?;
                rows.extend(chunk.iter().filter_map(Entry::of));
                match chunk.last() {
                    Some(last) if chunk.len() as i64 == ROWS_PER_READ => after = last.id,
                    _ => break,
                }
            }
            *self.index.write().unwrap_or_else(|p| p.into_inner()) = Index::build(rows);
            *lock(&self.followed) = Some(seq);
        } else {
            let wanted: Vec<i64> = ids.keys().copied().collect();
            let mut found = HashMap::with_capacity(wanted.len());
            for chunk in wanted.chunks(IDS_PER_READ) {
                for row in repo::rows_by_ids(conn, chunk)? {
                    found.insert(row.id, row);
                }
            }
            let mut index = self.index.write().unwrap_or_else(|p| p.into_inner());
            for id in &wanted {
                index.apply(*id, found.get(id));
            }
        }
        let mut marks = lock(&self.marks);
        if marks.everything == everything {
            marks.everything = None;
        }
        for (id, serial) in ids {
            if marks.ids.get(&id) == Some(&serial) {
                marks.ids.remove(&id);
            }
        }
        let still = marks.everything.is_some() || !marks.ids.is_empty();
        self.marked.store(still, Ordering::SeqCst);
        Ok(())
    }

    /// Marks the articles the change log names since the last look: the
    /// editorial writes and bulk loads of every process, this one's too
    /// (already marked: read again, no harm). Many at once (a bulk load)
    /// mark everything instead. Returns how many changes it read.
    pub fn follow_changes(&self, conn: &mut DbConnection) -> diesel::QueryResult<usize> {
        let Some(after) = *lock(&self.followed) else {
            // Not loaded yet: the load takes the log's position.
            return Ok(0);
        };
        let logged = changes::after(conn, after, MOST_FOLLOWED + 1)?;
        let Some(last) = logged.last().map(|c| c.seq) else {
            return Ok(0);
        };
        if logged.len() as i64 > MOST_FOLLOWED {
            self.mark_everything();
        } else {
            logged.iter().for_each(|c| self.mark(c.article_id));
        }
        let mut followed = lock(&self.followed);
        *followed = Some(followed.map_or(last, |f| f.max(last)));
        Ok(logged.len())
    }

    /// The page, or `None` when the index cannot answer it now: disabled,
    /// not loaded, something marked and not read yet, or an order it does
    /// not keep. The caller then reads the database.
    pub fn page(&self, query: &IndexQuery) -> Option<IndexedPage> {
        if self.needs_refresh() || query.order == KeysetOrder::MostViewed {
            return None;
        }
        let index = self.index.read().unwrap_or_else(|p| p.into_inner());
        if !index.loaded {
            return None;
        }
        let entries = &index.entries;
        let now = micros(query.now);
        let until = query.until.map(micros);
        let from = query.from.map(micros);
        // What the filter's period and the embargo leave.
        let lo = from.map_or(0, |f| entries.partition_point(|e| e.published < f));
        let hi = entries
            .partition_point(|e| e.published <= now && until.is_none_or(|u| e.published < u));
        let matching = if lo < hi { &entries[lo..hi] } else { &[][..] };
        let in_section = |e: &&Entry| query.section.is_none_or(|s| e.section == s);
        let total = query.with_total.then(|| match query.section {
            None => matching.len() as i64,
            Some(_) => matching.iter().filter(in_section).count() as i64,
        });
        let newest_first = query.order == KeysetOrder::Newest;
        let (window, skip) = match query.window {
            Window::Offset(offset) => (matching, usize::try_from(offset).unwrap_or(0)),
            Window::After(cursor) => {
                let key = (micros(cursor.published_at), cursor.id);
                if newest_first {
                    (&matching[..matching.partition_point(|e| e.key() < key)], 0)
                } else {
                    (&matching[matching.partition_point(|e| e.key() <= key)..], 0)
                }
            }
        };
        let rows: Vec<Listed> = if newest_first {
            let walk = window.iter().rev().filter(in_section);
            walk.skip(skip)
                .take(query.limit)
                .map(Listed::from)
                .collect()
        } else {
            let walk = window.iter().filter(in_section);
            walk.skip(skip)
                .take(query.limit)
                .map(Listed::from)
                .collect()
        };
        Some(IndexedPage { rows, total })
    }

    /// How many articles it lists, and roughly the bytes it holds.
    pub fn size(&self) -> (usize, usize) {
        let index = self.index.read().unwrap_or_else(|p| p.into_inner());
        let bytes = index.entries.capacity() * std::mem::size_of::<Entry>()
            + index.placed.0.capacity() * std::mem::size_of::<i64>();
        (index.entries.len(), bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::cursor::Cursor;

    fn at(minute: i64) -> NaiveDateTime {
        time(1_700_000_000_000_000 + minute * 60_000_000)
    }

    fn row(id: i64, minute: i64, section: i64, status: &str, deleted: bool) -> IndexRow {
        IndexRow {
            id,
            status: status.into(),
            published_at: Some(at(minute)),
            deleted_at: deleted.then(|| at(0)),
            section_id: section,
            created_at: at(minute - 1),
            updated_at: at(minute),
            comment_count: Some(id % 3),
        }
    }

    fn loaded(rows: &[IndexRow]) -> ListIndex {
        let list = ListIndex::new(true);
        *list.index.write().unwrap() = Index::build(rows.iter().filter_map(Entry::of));
        let mut marks = list.marks.lock().unwrap();
        marks.everything = None;
        list.marked.store(false, Ordering::SeqCst);
        drop(marks);
        list
    }

    fn query(order: KeysetOrder, window: Window, limit: usize) -> IndexQuery {
        IndexQuery {
            section: None,
            from: None,
            until: None,
            now: at(100),
            order,
            window,
            limit,
            with_total: true,
        }
    }

    fn ids(page: &IndexedPage) -> Vec<i64> {
        page.rows.iter().map(|r| r.id).collect()
    }

    #[test]
    fn pages_follow_the_order_the_embargo_the_period_and_the_section() {
        // Ids 1..=10 at minutes 10, 20, …; 4 and 5 share a minute; 9 is a
        // draft, 10 deleted, 8 embargoed until minute 200.
        let mut rows: Vec<IndexRow> = (1..=7)
            .map(|id| row(id, id * 10, id % 2, "published", false))
            .collect();
        rows[4].published_at = Some(at(40));
        rows.push(row(8, 200, 0, "published", false));
        rows.push(row(9, 50, 0, "draft", false));
        rows.push(row(10, 50, 0, "published", true));
        let list = loaded(&rows);
        let newest = list
            .page(&query(KeysetOrder::Newest, Window::Offset(0), 10))
            .unwrap();
        assert_eq!(ids(&newest), [7, 6, 5, 4, 3, 2, 1]);
        assert_eq!(newest.total, Some(7));
        let oldest = list
            .page(&query(KeysetOrder::Oldest, Window::Offset(2), 3))
            .unwrap();
        assert_eq!(ids(&oldest), [3, 4, 5]);
        let after = Cursor {
            order: KeysetOrder::Newest,
            published_at: at(40),
            id: 5,
            views: 0,
        };
        let page = list
            .page(&query(KeysetOrder::Newest, Window::After(after), 2))
            .unwrap();
        assert_eq!(ids(&page), [4, 3]);
        let page = list
            .page(&query(
                KeysetOrder::Oldest,
                Window::After(Cursor {
                    order: KeysetOrder::Oldest,
                    ..after
                }),
                5,
            ))
            .unwrap();
        assert_eq!(ids(&page), [6, 7]);
        let mut q = query(KeysetOrder::Newest, Window::Offset(1), 10);
        q.section = Some(1);
        q.from = Some(at(20));
        q.until = Some(at(70));
        let page = list.page(&q).unwrap();
        // Section 1 in [20, 70): 3 and 5; the first skipped.
        assert_eq!(ids(&page), [3]);
        assert_eq!(page.total, Some(2));
        q.now = at(500);
        q.until = None;
        q.window = Window::Offset(0);
        q.section = Some(0);
        assert_eq!(ids(&list.page(&q).unwrap()), [8, 6, 4, 2]);
        assert_eq!(
            list.page(&query(KeysetOrder::MostViewed, Window::Offset(0), 3)),
            None
        );
    }

    #[test]
    fn marks_hold_pages_back_until_applied_and_applying_moves_and_drops_entries() {
        let list = loaded(&[
            row(1, 10, 0, "published", false),
            row(2, 20, 0, "published", false),
        ]);
        let q = query(KeysetOrder::Newest, Window::Offset(0), 10);
        assert_eq!(ids(&list.page(&q).unwrap()), [2, 1]);
        list.mark(1);
        assert!(list.needs_refresh());
        assert_eq!(list.page(&q), None, "a marked index answers nothing");
        {
            let mut index = list.index.write().unwrap();
            index.apply(1, Some(&row(1, 30, 0, "published", false)));
            index.apply(2, Some(&row(2, 20, 0, "draft", false)));
            index.apply(3, Some(&row(3, 5, 0, "published", false)));
            index.apply(4, None);
            assert_eq!(index.placed.0.iter().filter(|p| **p != UNPLACED).count(), 2);
        }
        list.marked.store(false, Ordering::SeqCst);
        assert_eq!(ids(&list.page(&q).unwrap()), [1, 3]);
        let disabled = ListIndex::new(false);
        disabled.mark(1);
        assert!(!disabled.needs_refresh());
        assert_eq!(disabled.page(&q), None);
    }
}
