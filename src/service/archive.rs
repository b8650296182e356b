//! The archive: the calendar, and keeping the stored local days true.

use chrono::NaiveDateTime;
use chrono_tz::Tz;

use crate::db::{write_transaction, DbConnection};
use crate::domain::period::local_day;
use crate::repo::archive::{self as repo, Scope};
use crate::service::taxonomy::TaxonomyCache;
use crate::service::ServiceError;

/// One year of the calendar, with its months (newest first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarYear {
    /// The year.
    pub year: i32,
    /// Articles that year.
    pub count: i64,
    /// `(month, count)`, newest first, months without articles left out.
    pub months: Vec<(u32, i64)>,
}

/// The calendar of published articles, newest first; an unknown section or
/// tag has an empty calendar. Read from the counts kept at write time (see
/// `repo::archive::adjust`), except for one section and one tag together.
pub fn calendar(
    conn: &mut DbConnection,
    taxonomy: &TaxonomyCache,
    now: NaiveDateTime,
    section: Option<&str>,
    tag: Option<&str>,
) -> Result<Vec<CalendarYear>, ServiceError> {
    let section_id = match section {
        Some(slug) => match taxonomy.section_id(conn, slug)? {
            Some(id) => Some(id),
            None => return Ok(Vec::new()),
        },
        None => None,
    };
    let tag_id = match tag {
        Some(slug) => match taxonomy.tag_id(conn, slug)? {
            Some(id) => Some(id),
            None => return Ok(Vec::new()),
        },
        None => None,
    };
    // Counts are kept per section and per tag, not per pair of them.
    let months = match (section_id, tag_id) {
        (Some(_), Some(_)) => repo::calendar_live(conn, now, section_id, tag_id)?,
        (Some(id), None) => repo::calendar(conn, now, Scope::Section(id))?,
        (None, Some(id)) => repo::calendar(conn, now, Scope::Tag(id))?,
        (None, None) => repo::calendar(conn, now, Scope::All)?,
    };
    let mut years: Vec<CalendarYear> = Vec::new();
    for m in months {
        let (year, month) = (m.month / 100, (m.month % 100) as u32);
        match years.last_mut() {
            Some(y) if y.year == year => {
                y.count += m.n;
                y.months.push((month, m.n));
            }
            _ => years.push(CalendarYear {
                year,
                count: m.n,
                months: vec![(month, m.n)],
            }),
        }
    }
    Ok(years)
}

/// Recomputes the calendar's counts from the articles, in one transaction:
/// after a bulk load or a rewrite of the stored local days (seed, a change
/// of time zone, `khabar reindex`), or to repair them.
pub fn rebuild_calendar(conn: &mut DbConnection) -> Result<(), ServiceError> {
    write_transaction(conn, |conn| Ok(repo::rebuild_counts(conn)?))
}

/// How many rows one batch of the local-day backfill updates.
const BATCH: i64 = 2000;

/// Makes every stored local day true for `tz`: fills the days of rows
/// written before they were stored, and recomputes all of them when the
/// newsroom's time zone changed since they were computed, then rebuilds the
/// calendar's counts if it wrote any. Returns how many rows it wrote. Runs
/// at start-up; cheap when nothing is to do.
pub fn sync_local_days(conn: &mut DbConnection, tz: Tz) -> Result<usize, ServiceError> {
    let zone = tz.name();
    let changed = repo::stored_timezone(conn)?.is_some_and(|stored| stored != zone);
    let mut written = 0;
    let mut after = 0;
    loop {
        let batch = write_transaction(conn, |conn| -> Result<usize, ServiceError> {
            let rows = repo::dated(conn, after, BATCH, !changed)?;
            let days: Vec<(i64, i32)> = rows
                .iter()
                .map(|&(id, at)| (id, local_day(at, tz)))
                .collect();
            repo::set_days(conn, &days)?;
            after = rows.last().map_or(after, |r| r.0);
            Ok(rows.len())
        })?;
        written += batch;
        if batch < BATCH as usize {
            break;
        }
    }
    if written > 0 {
        rebuild_calendar(conn)?;
    }
    repo::set_timezone(conn, zone)?;
    Ok(written)
}
