//! Writing articles: create, edit, publish, schedule, retract. One use case
//! per command, one transaction each, holding every rule: validation,
//! sanitising, slugs, versions, revisions and the read copies of links.

use chrono::NaiveDateTime;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::db::{write_transaction, DbConnection};
use crate::domain::article::{ArticleStatus, TextDirection};
use crate::domain::period::local_day;
use crate::domain::slug::{is_valid_slug, slugify, with_suffix};
use crate::domain::{html, id_list, Entity, FieldError};
use crate::repo::archive::{self, Counted};
use crate::repo::articles::{
    self as repo, ArticleInsertForm, ArticleUpdateForm, EditRow, StatsInsertForm,
};
use crate::repo::changes as change_log;
use crate::repo::revisions::{self as revisions_repo, RevisionInsertForm};
use crate::repo::taxonomy;
use crate::service::search::{self, Indexed};
use crate::service::tokens::Principal;
use crate::service::{
    check_raw_length, field_errors, http_url, language_code, no_control, required, Conflict,
    ServiceError,
};

/// Most tags on one article.
pub const MAX_TAGS: usize = 50;
/// Most credited authors on one article.
pub const MAX_AUTHORS: usize = 20;

/// Where an article comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceInput {
    /// Name of the source, e.g. "الماسة السورية".
    pub name: String,
    /// Its web address.
    pub url: Option<String>,
}

/// A lead image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImageInput {
    /// Image address (http or https).
    pub url: String,
    /// Caption.
    pub caption: Option<String>,
}

/// What a create or an edit asks to change: `None` leaves a field as it is;
/// `Some(None)` clears a nullable one.
#[derive(Debug, Clone, Default)]
pub struct ArticleChanges {
    pub title: Option<String>,
    pub summary: Option<String>,
    pub body_html: Option<String>,
    pub section_id: Option<i64>,
    pub tag_ids: Option<Vec<i64>>,
    pub author_ids: Option<Vec<i64>>,
    pub byline: Option<String>,
    pub source: Option<Option<SourceInput>>,
    pub canonical_url: Option<Option<String>>,
    pub image: Option<Option<ImageInput>>,
    pub language: Option<String>,
    pub slug: Option<String>,
    pub status: Option<ArticleStatus>,
    pub published_at: Option<Option<NaiveDateTime>>,
    pub comments_open: Option<bool>,
}

/// An article's whole editable state: what a revision keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate, ToSchema)]
pub struct ArticleState {
    /// Headline (plain text).
    #[validate(length(min = 1, max = 300), custom(function = "no_control"))]
    pub title: String,
    /// The lead paragraph (plain text).
    #[validate(length(max = 1000), custom(function = "no_control"))]
    pub summary: String,
    /// The body as sanitised HTML.
    #[validate(custom(function = "no_control"))]
    pub body_html: String,
    /// The body as plain text, derived from `body_html`.
    pub body_text: String,
    /// Section id.
    pub section_id: i64,
    /// Tag ids, in display order.
    #[validate(length(max = 50))]
    pub tag_ids: Vec<i64>,
    /// Author ids, in credit order.
    #[validate(length(max = 20))]
    pub author_ids: Vec<i64>,
    /// The byline as printed.
    #[validate(length(max = 200), custom(function = "no_control"))]
    pub byline: String,
    /// Source name.
    #[validate(length(min = 1, max = 200), custom(function = "no_control"))]
    pub source_name: Option<String>,
    /// Source address.
    #[validate(custom(function = "http_url"))]
    pub source_url: Option<String>,
    /// Canonical address.
    #[validate(custom(function = "http_url"))]
    pub canonical_url: Option<String>,
    /// Lead image address.
    #[validate(custom(function = "http_url"))]
    pub image_url: Option<String>,
    /// Lead image caption.
    #[validate(length(max = 500), custom(function = "no_control"))]
    pub image_caption: Option<String>,
    /// Language (ISO 639).
    #[validate(custom(function = "language_code"))]
    pub language: String,
    /// URL slug.
    pub slug: String,
    /// Draft or published (published with a future time is scheduled).
    pub status: ArticleStatus,
    /// Publication time (UTC); set when first published unless given.
    #[serde(with = "utc_text")]
    #[schema(value_type = Option<chrono::DateTime<chrono::Utc>>)]
    pub published_at: Option<NaiveDateTime>,
    /// Whether comments are accepted.
    pub comments_open: bool,
}

/// A revision's time as RFC 3339 with `Z`, as every other time in the API.
/// Snapshots stored before this was added hold the bare naive form, so both
/// are read back.
mod utc_text {
    use chrono::{DateTime, NaiveDateTime};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(at: &Option<NaiveDateTime>, s: S) -> Result<S::Ok, S::Error> {
        at.map(|t| t.and_utc()).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDateTime>, D::Error> {
        let Some(text) = Option::<String>::deserialize(d)? else {
            return Ok(None);
        };
        DateTime::parse_from_rfc3339(&text)
            .map(|t| t.naive_utc())
            .or_else(|_| text.parse::<NaiveDateTime>())
            .map(Some)
            .map_err(serde::de::Error::custom)
    }
}

/// The client-facing name of a state field, for error messages and revisions.
fn api_field(field: &str) -> String {
    match field {
        "source_name" => "source.name".into(),
        "source_url" => "source.url".into(),
        "image_url" => "image.url".into(),
        "image_caption" => "image.caption".into(),
        other => other.into(),
    }
}

impl ArticleState {
    fn from_row(row: &EditRow) -> Self {
        let (a, body) = (&row.head, &row.body);
        ArticleState {
            title: a.title.clone(),
            summary: a.summary.clone(),
            body_html: body.body_html.clone(),
            body_text: body.body_text.clone(),
            section_id: a.section_id,
            tag_ids: id_list::decode(&a.tag_ids),
            author_ids: id_list::decode(&a.author_ids),
            byline: a.byline.clone(),
            source_name: a.source_name.clone(),
            source_url: a.source_url.clone(),
            canonical_url: a.canonical_url.clone(),
            image_url: a.image_url.clone(),
            image_caption: a.image_caption.clone(),
            language: a.language.clone(),
            slug: a.slug.clone(),
            status: ArticleStatus::from_db(&a.status),
            published_at: a.published_at,
            comments_open: a.comments_open,
        }
    }

    fn blank() -> Self {
        ArticleState {
            title: String::new(),
            summary: String::new(),
            body_html: String::new(),
            body_text: String::new(),
            section_id: 0,
            tag_ids: Vec::new(),
            author_ids: Vec::new(),
            byline: String::new(),
            source_name: None,
            source_url: None,
            canonical_url: None,
            image_url: None,
            image_caption: None,
            language: "ar".into(),
            slug: String::new(),
            status: ArticleStatus::Draft,
            published_at: None,
            comments_open: true,
        }
    }

    /// Applies changes; text is cleaned here (markup removed from plain-text
    /// fields, the body sanitised) so that what is validated is what is stored.
    fn apply(mut self, changes: ArticleChanges, now: NaiveDateTime) -> Self {
        let was_published = self.status == ArticleStatus::Published;
        if let Some(title) = changes.title {
            self.title = html::plain_text(&title);
        }
        if let Some(summary) = changes.summary {
            self.summary = html::plain_text(&summary);
        }
        if let Some(body) = changes.body_html {
            self.body_html = html::sanitize_article_html(&body);
            self.body_text = html::html_to_text(&self.body_html);
        }
        if let Some(id) = changes.section_id {
            self.section_id = id;
        }
        if let Some(ids) = changes.tag_ids {
            self.tag_ids = dedup(ids);
        }
        if let Some(ids) = changes.author_ids {
            self.author_ids = dedup(ids);
        }
        if let Some(byline) = changes.byline {
            self.byline = html::plain_text(&byline);
        }
        if let Some(source) = changes.source {
            self.source_name = source.as_ref().map(|s| html::plain_text(&s.name));
            self.source_url = source.and_then(|s| s.url.map(|u| u.trim().to_string()));
        }
        if let Some(url) = changes.canonical_url {
            self.canonical_url = url.map(|u| u.trim().to_string());
        }
        if let Some(image) = changes.image {
            self.image_url = image.as_ref().map(|i| i.url.trim().to_string());
            self.image_caption = image
                .and_then(|i| i.caption)
                .map(|c| html::plain_text(&c))
                .filter(|c| !c.is_empty());
        }
        if let Some(language) = changes.language {
            self.language = language;
        }
        if let Some(slug) = changes.slug {
            self.slug = slug;
        }
        if let Some(status) = changes.status {
            self.status = status;
        }
        if let Some(at) = changes.published_at {
            use chrono::SubsecRound;
            self.published_at = at.map(|t| t.trunc_subsecs(6));
        }
        if let Some(open) = changes.comments_open {
            self.comments_open = open;
        }
        // Publishing sets the time unless the editor gave one.
        if self.status == ArticleStatus::Published
            && (!was_published || self.published_at.is_none())
        {
            self.published_at.get_or_insert(now);
        }
        self
    }

    /// The fields that differ, by their API names.
    fn changed_fields(&self, other: &ArticleState) -> Vec<&'static str> {
        let mut out = Vec::new();
        macro_rules! cmp {
            ($($field:ident => $name:literal),* $(,)?) => {
                $(if self.$field != other.$field && !out.contains(&$name) { out.push($name); })*
            };
        }
        cmp!(
            title => "title", summary => "summary", body_html => "body_html",
            section_id => "section_id", tag_ids => "tag_ids", author_ids => "author_ids",
            byline => "byline", source_name => "source", source_url => "source",
            canonical_url => "canonical_url", image_url => "image", image_caption => "image",
            language => "language", slug => "slug", status => "status",
            published_at => "published_at", comments_open => "comments_open",
        );
        out
    }
}

/// The documented limits, checked on what was sent.
fn check_raw(changes: &ArticleChanges, errors: &mut Vec<FieldError>) {
    check_raw_length(errors, "title", changes.title.as_deref(), 300);
    check_raw_length(errors, "summary", changes.summary.as_deref(), 1000);
    check_raw_length(errors, "byline", changes.byline.as_deref(), 200);
    if let Some(Some(source)) = &changes.source {
        check_raw_length(errors, "source.name", Some(&source.name), 200);
    }
    if let Some(Some(image)) = &changes.image {
        check_raw_length(errors, "image.caption", image.caption.as_deref(), 500);
    }
}

/// What the archive calendar counts of an article written in `state` (its
/// local day computed as the write stores it).
fn counted(state: &ArticleState, tz: Tz) -> Option<Counted> {
    let published = state.status == ArticleStatus::Published;
    let day = state.published_at.map(|t| local_day(t, tz));
    Counted::of(published, day, state.section_id, &state.tag_ids)
}

/// What the archive calendar counted of an article as stored.
fn stored(row: &EditRow) -> Option<Counted> {
    let published = ArticleStatus::from_db(&row.head.status) == ArticleStatus::Published;
    let tag_ids = id_list::decode(&row.head.tag_ids);
    Counted::of(published, row.published_day, row.head.section_id, &tag_ids)
}

fn dedup(ids: Vec<i64>) -> Vec<i64> {
    let mut seen = std::collections::HashSet::new();
    ids.into_iter().filter(|id| seen.insert(*id)).collect()
}

/// Every rule a state must satisfy, each failure listed.
fn check(
    conn: &mut DbConnection,
    state: &ArticleState,
    errors: &mut Vec<FieldError>,
) -> Result<(), ServiceError> {
    if let Err(report) = state.validate() {
        // A field already reported as missing is not also "too short".
        let fresh: Vec<FieldError> = field_errors(&report, api_field)
            .into_iter()
            .filter(|e| !errors.iter().any(|known| known.field == e.field))
            .collect();
        errors.extend(fresh);
    }
    if state.title.is_empty() && !errors.iter().any(|e| e.field == "title") {
        errors.push(required("title"));
    }
    if state.status == ArticleStatus::Published && state.body_text.trim().is_empty() {
        errors.push(FieldError::new(
            "body_html",
            "required_to_publish",
            "A published article needs a body (body_html with text in it).",
            "المقال المنشور يحتاج إلى متن (body_html يحتوي نصاً).",
        ));
    }
    if state
        .published_at
        .is_some_and(|t| !(1900..=2200).contains(&chrono::Datelike::year(&t)))
    {
        errors.push(FieldError::new(
            "published_at",
            "out_of_range",
            "published_at must be between the years 1900 and 2200.",
            "يجب أن يقع published_at بين عامي 1900 و2200.",
        ));
    }
    if state.body_html.len() > 1_000_000 {
        errors.push(FieldError::new(
            "body_html",
            "invalid_length",
            "body_html must be at most 1,000,000 bytes.",
            "يجب ألا يتجاوز body_html ‏1,000,000 بايت.",
        ));
    }
    let section_missing = !errors.iter().any(|e| e.field == "section_id")
        && taxonomy::existing_section_ids(conn, &[state.section_id])?.is_empty();
    if section_missing {
        errors.push(FieldError::new(
            "section_id",
            "unknown_section",
            format!("No section has id {}.", state.section_id),
            format!("لا يوجد قسم بالمعرّف {}.", state.section_id),
        ));
    }
    let known = taxonomy::existing_tag_ids(conn, &state.tag_ids)?;
    for (i, id) in state.tag_ids.iter().enumerate() {
        if !known.contains(id) {
            errors.push(FieldError::new(
                &format!("tag_ids[{i}]"),
                "unknown_tag",
                format!("No tag has id {id}."),
                format!("لا يوجد وسم بالمعرّف {id}."),
            ));
        }
    }
    let known = taxonomy::existing_author_ids(conn, &state.author_ids)?;
    for (i, id) in state.author_ids.iter().enumerate() {
        if !known.contains(id) {
            errors.push(FieldError::new(
                &format!("author_ids[{i}]"),
                "unknown_author",
                format!("No author has id {id}."),
                format!("لا يوجد كاتب بالمعرّف {id}."),
            ));
        }
    }
    Ok(())
}

fn invalid_slug(slug: &str) -> FieldError {
    FieldError::new(
        "slug",
        "invalid_slug",
        format!("slug {slug:?} must be 1 to 80 lower-case letters or digits (any script) joined by single '-', not all digits."),
        format!("يجب أن يكون الرابط {slug:?} من 1 إلى 80 حرفاً أو رقماً تفصل بينها '-' مفردة، وألا يكون أرقاماً فقط."),
    )
}

/// A free slug from the title: the title's slug, or it with `-2`, `-3`…
fn unique_slug(conn: &mut DbConnection, title: &str) -> Result<String, ServiceError> {
    let base = slugify(title);
    if !repo::slug_in_use(conn, &base)? {
        return Ok(base);
    }
    for n in 2.. {
        let candidate = with_suffix(&base, n);
        if !repo::slug_in_use(conn, &candidate)? {
            return Ok(candidate);
        }
    }
    unreachable!("some suffix is free")
}

/// How many times a write is retried when a concurrent one took the same
/// slug between our check and our insert (PostgreSQL; SQLite serialises).
const SLUG_RACE_RETRIES: usize = 3;

fn is_unique_violation(e: &ServiceError) -> bool {
    matches!(
        e,
        ServiceError::Database(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _
        ))
    )
}

/// Creates an article; returns its id.
pub fn create_article(
    conn: &mut DbConnection,
    changes: ArticleChanges,
    now: NaiveDateTime,
    tz: Tz,
) -> Result<i64, ServiceError> {
    let mut attempt = 0;
    loop {
        let result = write_transaction(conn, |conn| create_once(conn, changes.clone(), now, tz));
        match result {
            Err(e) if is_unique_violation(&e) && attempt < SLUG_RACE_RETRIES => attempt += 1,
            other => return other,
        }
    }
}

fn create_once(
    conn: &mut DbConnection,
    changes: ArticleChanges,
    now: NaiveDateTime,
    tz: Tz,
) -> Result<i64, ServiceError> {
    let mut errors = Vec::new();
    if changes.title.is_none() {
        errors.push(required("title"));
    }
    if changes.section_id.is_none() {
        errors.push(required("section_id"));
    }
    let explicit_slug = changes.slug.clone();
    check_raw(&changes, &mut errors);
    let mut state = ArticleState::blank().apply(changes, now);
    check(conn, &state, &mut errors)?;
    if let Some(slug) = &explicit_slug {
        if !is_valid_slug(slug) {
            errors.push(invalid_slug(slug));
        }
    }
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    state.slug = match explicit_slug {
        Some(slug) if repo::slug_in_use(conn, &slug)? => {
            return Err(ServiceError::Conflict(Conflict::SlugTaken(slug)))
        }
        Some(slug) => slug,
        None => unique_slug(conn, &state.title)?,
    };
    let tag_ids = id_list::encode(&state.tag_ids);
    let author_ids = id_list::encode(&state.author_ids);
    let dir = TextDirection::for_language(&state.language);
    let id = repo::insert(
        conn,
        &ArticleInsertForm {
            slug: &state.slug,
            title: &state.title,
            summary: &state.summary,
            body_html: &state.body_html,
            body_text: &state.body_text,
            language: &state.language,
            dir: dir.as_str(),
            section_id: state.section_id,
            byline: &state.byline,
            source_name: state.source_name.as_deref(),
            source_url: state.source_url.as_deref(),
            canonical_url: state.canonical_url.as_deref(),
            image_url: state.image_url.as_deref(),
            image_caption: state.image_caption.as_deref(),
            status: state.status.as_str(),
            comments_open: state.comments_open,
            published_at: state.published_at,
            created_at: now,
            updated_at: now,
            tag_ids: &tag_ids,
            author_ids: &author_ids,
            published_day: state.published_at.map(|t| local_day(t, tz)),
        },
    )?;
    repo::insert_stats(
        conn,
        &[StatsInsertForm {
            article_id: id,
            view_count: 0,
            comment_count: 0,
        }],
    )?;
    let linked_at = repo::link_time(state.status.as_str(), state.published_at);
    repo::replace_tags(conn, id, &state.tag_ids, linked_at)?;
    repo::replace_authors(conn, id, &state.author_ids, linked_at)?;
    search::index_article(
        conn,
        Indexed {
            id,
            key_at: state.published_at.unwrap_or(now),
            title: &state.title,
            summary: &state.summary,
            body_text: &state.body_text,
        },
        None,
    )?;
    archive::adjust(conn, None, counted(&state, tz).as_ref())?;
    change_log::record(conn, id, now)?;
    Ok(id)
}

/// Which versions an `If-Match` accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Precondition {
    /// `If-Match: *`: any current version.
    Any,
    /// One of these versions.
    Versions(Vec<i64>),
}

impl Precondition {
    fn check(&self, current: i64) -> Result<(), ServiceError> {
        match self {
            Precondition::Any => Ok(()),
            Precondition::Versions(v) if v.contains(&current) => Ok(()),
            Precondition::Versions(_) => Err(ServiceError::VersionMismatch { current }),
        }
    }
}

/// What an edit did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EditOutcome {
    /// Whether anything changed (an edit that changes nothing keeps the
    /// version and makes no revision).
    pub changed: bool,
    /// Whether the edit may change which articles lists show, or their order.
    pub lists_changed: bool,
}

/// Fields whose change moves an article in or out of lists, or within them.
const LISTING_FIELDS: [&str; 6] = [
    "status",
    "published_at",
    "section_id",
    "tag_ids",
    "author_ids",
    "language",
];

/// Edits an article at the version the client saw; the replaced version is
/// kept as a revision. Exactly one of many racing edits of one version wins.
pub fn update_article(
    conn: &mut DbConnection,
    editor: &Principal,
    id: i64,
    precondition: &Precondition,
    changes: ArticleChanges,
    now: NaiveDateTime,
    tz: Tz,
) -> Result<EditOutcome, ServiceError> {
    write_transaction(conn, |conn| {
        let row = repo::find_for_edit(conn, id)?.ok_or(ServiceError::NotFound(Entity::Article))?;
        precondition.check(row.version)?;
        let old = ArticleState::from_row(&row);
        let slug_change = changes.slug.clone().filter(|s| *s != old.slug);
        let mut errors = Vec::new();
        check_raw(&changes, &mut errors);
        let mut new = old.clone().apply(changes, now);
        new.slug = old.slug.clone();
        check(conn, &new, &mut errors)?;
        if let Some(slug) = &slug_change {
            if !is_valid_slug(slug) {
                errors.push(invalid_slug(slug));
            }
        }
        if !errors.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
        if let Some(slug) = slug_change {
            // An article may take back one of its own old slugs.
            let owner = repo::old_slug_owner(conn, &slug)?;
            if repo::slug_exists(conn, &slug)? || owner.is_some_and(|o| o != id) {
                return Err(ServiceError::Conflict(Conflict::SlugTaken(slug)));
            }
            new.slug = slug;
        }
        let changed = new.changed_fields(&old);
        if changed.is_empty() {
            return Ok(EditOutcome {
                changed: false,
                lists_changed: false,
            });
        }
        let tag_ids = id_list::encode(&new.tag_ids);
        let author_ids = id_list::encode(&new.author_ids);
        let written = repo::update_if_version(
            conn,
            id,
            row.version,
            &ArticleUpdateForm {
                slug: &new.slug,
                title: &new.title,
                summary: &new.summary,
                language: &new.language,
                dir: TextDirection::for_language(&new.language).as_str(),
                section_id: new.section_id,
                byline: &new.byline,
                source_name: new.source_name.as_deref(),
                source_url: new.source_url.as_deref(),
                canonical_url: new.canonical_url.as_deref(),
                image_url: new.image_url.as_deref(),
                image_caption: new.image_caption.as_deref(),
                status: new.status.as_str(),
                comments_open: new.comments_open,
                published_at: new.published_at,
                updated_at: now,
                tag_ids: &tag_ids,
                author_ids: &author_ids,
                body_html: &new.body_html,
                body_text: &new.body_text,
                version: row.version + 1,
                published_day: new.published_at.map(|t| local_day(t, tz)),
            },
        )?;
        if !written {
            // Another edit of the same version committed first.
            let current = repo::find_for_edit(conn, id)?.map_or(row.version + 1, |r| r.version);
            return Err(ServiceError::VersionMismatch { current });
        }
        let linked_at = repo::link_time(new.status.as_str(), new.published_at);
        if new.tag_ids != old.tag_ids {
            repo::replace_tags(conn, id, &new.tag_ids, linked_at)?;
        }
        if new.author_ids != old.author_ids {
            repo::replace_authors(conn, id, &new.author_ids, linked_at)?;
        }
        if linked_at != repo::link_time(old.status.as_str(), old.published_at) {
            repo::set_link_times(conn, id, linked_at)?;
        }
        // The entry holds the text, and (SQLite) is keyed by the time.
        if (&new.title, &new.summary, &new.body_text, new.published_at)
            != (&old.title, &old.summary, &old.body_text, old.published_at)
        {
            let created_at = row.head.created_at;
            search::index_article(
                conn,
                Indexed {
                    id,
                    key_at: new.published_at.unwrap_or(created_at),
                    title: &new.title,
                    summary: &new.summary,
                    body_text: &new.body_text,
                },
                Some(old.published_at.unwrap_or(created_at)),
            )?;
        }
        archive::adjust(conn, stored(&row).as_ref(), counted(&new, tz).as_ref())?;
        if new.slug != old.slug {
            if repo::old_slug_owner(conn, &new.slug)?.is_some() {
                repo::forget_old_slug(conn, &new.slug)?;
            }
            repo::add_old_slug(conn, &old.slug, id, now)?;
        }
        keep_revision(conn, editor, &row, &old, &changed, now)?;
        change_log::record(conn, id, now)?;
        Ok(EditOutcome {
            changed: true,
            lists_changed: changed.iter().any(|f| LISTING_FIELDS.contains(f)),
        })
    })
}

/// Soft-deletes an article at the version the client saw: it leaves every
/// public read at once, keeps its row, slug and revisions.
pub fn delete_article(
    conn: &mut DbConnection,
    editor: &Principal,
    id: i64,
    precondition: &Precondition,
    now: NaiveDateTime,
) -> Result<(), ServiceError> {
    write_transaction(conn, |conn| {
        let row = repo::find_for_edit(conn, id)?.ok_or(ServiceError::NotFound(Entity::Article))?;
        precondition.check(row.version)?;
        if !repo::soft_delete_if_version(conn, id, row.version, now)? {
            return Err(ServiceError::VersionMismatch {
                current: row.version + 1,
            });
        }
        // A deleted article is a draft: its links leave the public pages.
        repo::set_link_times(conn, id, None)?;
        archive::adjust(conn, stored(&row).as_ref(), None)?;
        let old = ArticleState::from_row(&row);
        keep_revision(conn, editor, &row, &old, &["deleted"], now)?;
        change_log::record(conn, id, now)?;
        Ok(())
    })
}

fn keep_revision(
    conn: &mut DbConnection,
    editor: &Principal,
    row: &EditRow,
    old: &ArticleState,
    changed: &[&str],
    now: NaiveDateTime,
) -> Result<(), ServiceError> {
    let snapshot = serde_json::to_string(old)
        .map_err(|e| ServiceError::Inconsistent(format!("revision snapshot: {e}")))?;
    let number = revisions_repo::next_number(conn, row.head.id)?;
    revisions_repo::insert(
        conn,
        &RevisionInsertForm {
            article_id: row.head.id,
            number,
            article_version: row.version,
            changed_fields: &changed.join(","),
            token_id: Some(editor.token_id),
            editor_name: &editor.name,
            created_at: now,
            snapshot: &snapshot,
        },
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revision_times_are_written_with_z_and_old_snapshots_still_read() {
        #[derive(Serialize, Deserialize)]
        struct At {
            #[serde(with = "utc_text")]
            at: Option<NaiveDateTime>,
        }
        let t = NaiveDateTime::parse_from_str("2020-08-22 09:00:00", "%Y-%m-%d %H:%M:%S").unwrap();
        let written = serde_json::to_string(&At { at: Some(t) }).unwrap();
        assert_eq!(written, r#"{"at":"2020-08-22T09:00:00Z"}"#);
        for stored in [written.as_str(), r#"{"at":"2020-08-22T09:00:00"}"#] {
            assert_eq!(serde_json::from_str::<At>(stored).unwrap().at, Some(t));
        }
        let none = serde_json::to_string(&At { at: None }).unwrap();
        assert_eq!(serde_json::from_str::<At>(&none).unwrap().at, None);
    }
}
