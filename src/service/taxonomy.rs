//! Sections, tags and authors.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use validator::Validate;

use crate::db::{write_transaction, DbConnection};
use crate::domain::slug::{is_valid_slug, slugify, with_suffix};
use crate::domain::{html, id_list, Entity, FieldError};
use crate::repo::archive as archive_repo;
use crate::repo::articles as articles_repo;
use crate::repo::taxonomy::{
    self as repo, AuthorInsertForm, AuthorRow, SectionInsertForm, SectionRow, TagInsertForm, TagRow,
};
use crate::service::{
    check_raw_length, field_errors, no_control, required, Conflict, Page, PageRequest, ServiceError,
};

/// One page of a small collection, fetching one row more to know whether
/// another page follows.
fn paged<T>(
    conn: &mut DbConnection,
    page: PageRequest,
    include_total: bool,
    load: fn(&mut DbConnection, i64, i64) -> diesel::QueryResult<Vec<T>>,
    count: fn(&mut DbConnection) -> diesel::QueryResult<i64>,
) -> Result<Page<T>, ServiceError> {
    let items = load(conn, page.offset(), i64::from(page.per_page) + 1)?;
    let total = include_total.then(|| count(conn)).transpose()?;
    Ok(Page::from_rows_plus_one(items, page.per_page, total))
}

/// A page of sections in display order.
pub fn list_sections(
    conn: &mut DbConnection,
    page: PageRequest,
    include_total: bool,
) -> Result<Page<SectionRow>, ServiceError> {
    paged(
        conn,
        page,
        include_total,
        repo::list_sections,
        repo::count_sections,
    )
}

/// One section.
pub fn get_section(conn: &mut DbConnection, slug: &str) -> Result<SectionRow, ServiceError> {
    repo::find_section(conn, slug)?.ok_or(ServiceError::NotFound(Entity::Section))
}

/// A page of tags by name.
pub fn list_tags(
    conn: &mut DbConnection,
    page: PageRequest,
    include_total: bool,
) -> Result<Page<TagRow>, ServiceError> {
    paged(conn, page, include_total, repo::list_tags, repo::count_tags)
}

/// One author.
pub fn get_author(conn: &mut DbConnection, id: i64) -> Result<AuthorRow, ServiceError> {
    repo::find_author(conn, id)?.ok_or(ServiceError::NotFound(Entity::Author))
}

/// Sections, tags and authors by id, kept in memory: they are small, read by
/// every article and list, and rarely change. A snapshot is reloaded whole
/// when it is older than `max_age` or lacks an id an article refers to.
///
/// Writes bump a generation: a snapshot loaded while a write was landing is
/// not installed, so a rename is never undone by a slow reload.
pub struct TaxonomyCache {
    snapshot: RwLock<Arc<Taxonomy>>,
    max_age: Duration,
    generation: std::sync::atomic::AtomicU64,
}

/// One consistent snapshot of the taxonomy.
#[derive(Debug, Default)]
pub struct Taxonomy {
    /// Sections by id.
    pub sections: HashMap<i64, SectionRow>,
    /// Tags by id.
    pub tags: HashMap<i64, TagRow>,
    /// Authors by id.
    pub authors: HashMap<i64, AuthorRow>,
    /// Changes whenever the content does (not on a reload that finds the
    /// same rows): what was rendered from one snapshot is good for every
    /// snapshot of the same serial.
    pub serial: u64,
    loaded_at: Option<Instant>,
    /// Section ids by slug.
    section_slugs: HashMap<String, i64>,
    /// Tag ids by slug.
    tag_slugs: HashMap<String, i64>,
}

impl Taxonomy {
    /// The id of the section with this slug, if this snapshot knows it.
    pub fn section_named(&self, slug: &str) -> Option<i64> {
        self.section_slugs.get(slug).copied()
    }

    fn same_content(&self, other: &Taxonomy) -> bool {
        self.sections == other.sections && self.tags == other.tags && self.authors == other.authors
    }
}

/// Serials of taxonomy snapshots, unique in the process.
static TAXONOMY_SERIALS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

impl TaxonomyCache {
    /// An empty cache; the first use loads it.
    pub fn new(max_age: Duration) -> Self {
        TaxonomyCache {
            snapshot: RwLock::new(Arc::new(Taxonomy::default())),
            max_age,
            generation: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// A snapshot that is fresh and knows every id `covers` asks about.
    pub fn snapshot(
        &self,
        conn: &mut DbConnection,
        covers: impl Fn(&Taxonomy) -> bool,
    ) -> Result<Arc<Taxonomy>, ServiceError> {
        let current = self
            .snapshot
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let fresh = current
            .loaded_at
            .is_some_and(|at| at.elapsed() < self.max_age);
        if fresh && covers(&current) {
            return Ok(current);
        }
        let generation = self.generation.load(std::sync::atomic::Ordering::SeqCst);
        let mut loaded = Taxonomy {
            sections: repo::all_sections(conn)?
                .into_iter()
                .map(|s| (s.id, s))
                .collect(),
            tags: repo::all_tags(conn)?
                .into_iter()
                .map(|t| (t.id, t))
                .collect(),
            authors: repo::all_authors(conn)?
                .into_iter()
                .map(|a| (a.id, a))
                .collect(),
            serial: 0,
            loaded_at: Some(Instant::now()),
            section_slugs: HashMap::new(),
            tag_slugs: HashMap::new(),
        };
        loaded.section_slugs = (loaded.sections.values())
            .map(|s| (s.slug.clone(), s.id))
            .collect();
        loaded.tag_slugs = (loaded.tags.values())
            .map(|t| (t.slug.clone(), t.id))
            .collect();
        loaded.serial = if loaded.same_content(&current) {
            current.serial
        } else {
            TAXONOMY_SERIALS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        };
        let loaded = Arc::new(loaded);
        let mut slot = self.snapshot.write().unwrap_or_else(|p| p.into_inner());
        if self.generation.load(std::sync::atomic::Ordering::SeqCst) == generation {
            *slot = loaded.clone();
        }
        Ok(loaded)
    }

    /// The snapshot held, if it is fresh (no database at hand to load one).
    pub fn fresh(&self) -> Option<Arc<Taxonomy>> {
        let current = self
            .snapshot
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        current
            .loaded_at
            .is_some_and(|at| at.elapsed() < self.max_age)
            .then_some(current)
    }

    /// The id of the section with this slug, or `None` if there is none.
    /// Answered from the snapshot, which saves list, feed and calendar
    /// requests filtered by section a round trip; a slug the snapshot does
    /// not know (a section another node created since) is looked up.
    pub fn section_id(
        &self,
        conn: &mut DbConnection,
        slug: &str,
    ) -> Result<Option<i64>, ServiceError> {
        if let Some(id) = self.snapshot(conn, |_| true)?.section_slugs.get(slug) {
            return Ok(Some(*id));
        }
        Ok(repo::find_section(conn, slug)?.map(|s| s.id))
    }

    /// The id of the tag with this slug, or `None` if there is none; as
    /// [`TaxonomyCache::section_id`].
    pub fn tag_id(&self, conn: &mut DbConnection, slug: &str) -> Result<Option<i64>, ServiceError> {
        if let Some(id) = self.snapshot(conn, |_| true)?.tag_slugs.get(slug) {
            return Ok(Some(*id));
        }
        Ok(repo::find_tag(conn, slug)?.map(|t| t.id))
    }

    /// Forgets the snapshot (after a write to sections, tags or authors).
    pub fn invalidate(&self) {
        let mut slot = self.snapshot.write().unwrap_or_else(|p| p.into_inner());
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        *slot = Arc::new(Taxonomy::default());
    }
}

/// Changes to a section, tag or author: `None` leaves a field as it is.
/// (Tags have no description or position; authors call their description `bio`.)
#[derive(Debug, Clone, Default)]
pub struct TermChanges {
    /// New slug (made from the name when a new term has none).
    pub slug: Option<String>,
    /// New display name.
    pub name: Option<String>,
    /// New description (sections) or biography (authors).
    pub description: Option<String>,
    /// New display position (sections).
    pub position: Option<i32>,
}

/// A term's editable state, validated as a whole.
#[derive(Debug, Validate)]
struct TermState {
    #[validate(length(min = 1, max = 100), custom(function = "no_control"))]
    name: String,
    #[validate(length(max = 2000), custom(function = "no_control"))]
    description: String,
    #[validate(range(min = -1_000_000, max = 1_000_000))]
    position: i32,
}

/// Which table a term lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Section,
    Tag,
    Author,
}

fn slug_taken(conn: &mut DbConnection, kind: Kind, slug: &str) -> diesel::QueryResult<bool> {
    match kind {
        Kind::Section => repo::section_slug_taken(conn, slug),
        Kind::Tag => repo::tag_slug_taken(conn, slug),
        Kind::Author => repo::author_slug_taken(conn, slug),
    }
}

/// Validates a term; picks its slug (given, kept, or made from the name and
/// made unique with `-2`, `-3`…).
fn settle(
    conn: &mut DbConnection,
    kind: Kind,
    current_slug: Option<&str>,
    state: &mut TermState,
    requested_slug: Option<String>,
    name_given: bool,
) -> Result<String, ServiceError> {
    let mut errors = Vec::new();
    check_raw_length(&mut errors, "name", Some(&state.name), 100);
    let description_field = if kind == Kind::Author {
        "bio"
    } else {
        "description"
    };
    check_raw_length(
        &mut errors,
        description_field,
        Some(&state.description),
        2000,
    );
    state.name = html::plain_text(&state.name);
    state.description = html::plain_text(&state.description);
    if !name_given && current_slug.is_none() {
        errors.push(required("name"));
    } else if let (true, Err(report)) = (errors.is_empty(), state.validate()) {
        errors.extend(field_errors(&report, |f| {
            if f == "description" && kind == Kind::Author {
                "bio".into()
            } else {
                f.into()
            }
        }));
    }
    if let Some(slug) = &requested_slug {
        if !is_valid_slug(slug) {
            errors.push(FieldError::new(
                "slug",
                "invalid_slug",
                format!("slug {slug:?} must be 1 to 80 lower-case letters or digits joined by single '-', not all digits."),
                format!("يجب أن يكون الرابط {slug:?} من 1 إلى 80 حرفاً أو رقماً تفصل بينها '-' مفردة."),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    match (requested_slug, current_slug) {
        (Some(slug), current) if Some(slug.as_str()) != current => {
            if slug_taken(conn, kind, &slug)? {
                return Err(ServiceError::Conflict(Conflict::SlugTaken(slug)));
            }
            Ok(slug)
        }
        (_, Some(current)) => Ok(current.to_string()),
        (Some(slug), None) => Ok(slug),
        (None, None) => {
            let base = slugify(&state.name);
            let mut candidate = base.clone();
            let mut n = 1;
            while slug_taken(conn, kind, &candidate)? {
                n += 1;
                candidate = with_suffix(&base, n);
            }
            Ok(candidate)
        }
    }
}

/// Creates a section.
pub fn create_section(
    conn: &mut DbConnection,
    changes: TermChanges,
    now: NaiveDateTime,
) -> Result<SectionRow, ServiceError> {
    write_transaction(conn, |conn| {
        let mut state = TermState {
            name: changes.name.clone().unwrap_or_default(),
            description: changes.description.unwrap_or_default(),
            position: changes.position.unwrap_or(0),
        };
        let slug = settle(
            conn,
            Kind::Section,
            None,
            &mut state,
            changes.slug,
            changes.name.is_some(),
        )?;
        Ok(repo::insert_section(
            conn,
            &SectionInsertForm {
                slug: &slug,
                name: &state.name,
                description: &state.description,
                position: state.position,
                created_at: now,
                updated_at: now,
            },
        )?)
    })
}

/// Renames or re-describes a section.
pub fn update_section(
    conn: &mut DbConnection,
    slug: &str,
    changes: TermChanges,
    now: NaiveDateTime,
) -> Result<SectionRow, ServiceError> {
    write_transaction(conn, |conn| {
        let mut row =
            repo::find_section(conn, slug)?.ok_or(ServiceError::NotFound(Entity::Section))?;
        let mut state = TermState {
            name: changes.name.unwrap_or(row.name.clone()),
            description: changes.description.unwrap_or(row.description.clone()),
            position: changes.position.unwrap_or(row.position),
        };
        row.slug = settle(
            conn,
            Kind::Section,
            Some(&row.slug),
            &mut state,
            changes.slug,
            true,
        )?;
        row.name = state.name;
        row.description = state.description;
        row.position = state.position;
        row.updated_at = now;
        repo::update_section(conn, &row)?;
        Ok(row)
    })
}

/// Deletes a section that no article uses (409 with the count otherwise).
pub fn delete_section(conn: &mut DbConnection, slug: &str) -> Result<(), ServiceError> {
    write_transaction(conn, |conn| {
        let row = repo::find_section(conn, slug)?.ok_or(ServiceError::NotFound(Entity::Section))?;
        let used = articles_repo::count_in_section(conn, row.id)?;
        if used > 0 {
            return Err(ServiceError::Conflict(Conflict::SectionInUse(used)));
        }
        repo::delete_section(conn, row.id)?;
        Ok(())
    })
}

/// Creates a tag.
pub fn create_tag(
    conn: &mut DbConnection,
    changes: TermChanges,
    now: NaiveDateTime,
) -> Result<TagRow, ServiceError> {
    write_transaction(conn, |conn| {
        let mut state = TermState {
            name: changes.name.clone().unwrap_or_default(),
            description: String::new(),
            position: 0,
        };
        let slug = settle(
            conn,
            Kind::Tag,
            None,
            &mut state,
            changes.slug,
            changes.name.is_some(),
        )?;
        Ok(repo::insert_tag(
            conn,
            &TagInsertForm {
                slug: &slug,
                name: &state.name,
                created_at: now,
                updated_at: now,
            },
        )?)
    })
}

/// Renames a tag (its articles show the new name at once).
pub fn update_tag(
    conn: &mut DbConnection,
    slug: &str,
    changes: TermChanges,
    now: NaiveDateTime,
) -> Result<TagRow, ServiceError> {
    write_transaction(conn, |conn| {
        let mut row = repo::find_tag(conn, slug)?.ok_or(ServiceError::NotFound(Entity::Tag))?;
        let mut state = TermState {
            name: changes.name.unwrap_or(row.name.clone()),
            description: String::new(),
            position: 0,
        };
        row.slug = settle(
            conn,
            Kind::Tag,
            Some(&row.slug),
            &mut state,
            changes.slug,
            true,
        )?;
        row.name = state.name;
        row.updated_at = now;
        repo::update_tag(conn, &row)?;
        Ok(row)
    })
}

/// Deletes a tag; the articles that carried it lose it (links and read copies
/// in the same transaction).
pub fn delete_tag(
    conn: &mut DbConnection,
    slug: &str,
    now: NaiveDateTime,
) -> Result<(), ServiceError> {
    write_transaction(conn, |conn| {
        let row = repo::find_tag(conn, slug)?.ok_or(ServiceError::NotFound(Entity::Tag))?;
        for (article_id, ids) in articles_repo::tagged_with(conn, row.id)? {
            let kept: Vec<i64> = id_list::decode(&ids)
                .into_iter()
                .filter(|id| *id != row.id)
                .collect();
            articles_repo::set_tag_ids(conn, article_id, &id_list::encode(&kept), now)?;
        }
        repo::delete_tag(conn, row.id)?;
        archive_repo::forget_tag(conn, row.id)?;
        Ok(())
    })
}

/// Creates an author.
pub fn create_author(
    conn: &mut DbConnection,
    changes: TermChanges,
    now: NaiveDateTime,
) -> Result<AuthorRow, ServiceError> {
    write_transaction(conn, |conn| {
        let mut state = TermState {
            name: changes.name.clone().unwrap_or_default(),
            description: changes.description.unwrap_or_default(),
            position: 0,
        };
        let slug = settle(
            conn,
            Kind::Author,
            None,
            &mut state,
            changes.slug,
            changes.name.is_some(),
        )?;
        Ok(repo::insert_author(
            conn,
            &AuthorInsertForm {
                slug: &slug,
                name: &state.name,
                bio: &state.description,
                created_at: now,
                updated_at: now,
            },
        )?)
    })
}

/// Renames an author or edits the biography.
pub fn update_author(
    conn: &mut DbConnection,
    id: i64,
    changes: TermChanges,
    now: NaiveDateTime,
) -> Result<AuthorRow, ServiceError> {
    write_transaction(conn, |conn| {
        let mut row = repo::find_author(conn, id)?.ok_or(ServiceError::NotFound(Entity::Author))?;
        let mut state = TermState {
            name: changes.name.unwrap_or(row.name.clone()),
            description: changes.description.unwrap_or(row.bio.clone()),
            position: 0,
        };
        row.slug = settle(
            conn,
            Kind::Author,
            Some(&row.slug),
            &mut state,
            changes.slug,
            true,
        )?;
        row.name = state.name;
        row.bio = state.description;
        row.updated_at = now;
        repo::update_author(conn, &row)?;
        Ok(row)
    })
}

/// Deletes an author; articles credited to them lose the credit (their
/// byline text stays as printed).
pub fn delete_author(
    conn: &mut DbConnection,
    id: i64,
    now: NaiveDateTime,
) -> Result<(), ServiceError> {
    write_transaction(conn, |conn| {
        let row = repo::find_author(conn, id)?.ok_or(ServiceError::NotFound(Entity::Author))?;
        for (article_id, ids) in articles_repo::credited_to(conn, row.id)? {
            let kept: Vec<i64> = id_list::decode(&ids)
                .into_iter()
                .filter(|id| *id != row.id)
                .collect();
            articles_repo::set_author_ids(conn, article_id, &id_list::encode(&kept), now)?;
        }
        repo::delete_author(conn, row.id)?;
        Ok(())
    })
}

/// A page of authors by name.
pub fn list_authors(
    conn: &mut DbConnection,
    page: PageRequest,
    include_total: bool,
) -> Result<Page<AuthorRow>, ServiceError> {
    paged(
        conn,
        page,
        include_total,
        repo::list_authors,
        repo::count_authors,
    )
}

/// One tag.
pub fn get_tag(conn: &mut DbConnection, slug: &str) -> Result<TagRow, ServiceError> {
    repo::find_tag(conn, slug)?.ok_or(ServiceError::NotFound(Entity::Tag))
}
