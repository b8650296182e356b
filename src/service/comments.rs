//! Comments: posting (validation, plain text, the hold policy, duplicates,
//! idempotent retries), the public thread, and moderation. Every status
//! change moves `article_stats.comment_count` in the same transaction.
//! Flood control and in-flight idempotency keys are in-memory guards here
//! too (no HTTP: the API layer holds them and asks).

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use sha2::{Digest, Sha256};

use crate::db::{write_transaction, DbConnection};
use crate::domain::comment::{email_key, CommentStatus, HoldPolicy};
use crate::domain::cursor::Cursor;
use crate::domain::{html, Entity, FieldError};
use crate::repo::comments::{
    self as repo, CommentInsertForm, CommentRow, IdempotencyRow, ThreadPosition,
};
use crate::repo::maintenance;
use crate::service::{http_url, no_control, required, Conflict, Page, ServiceError};

/// Most characters of a name.
pub const MAX_NAME_CHARS: usize = 100;
/// Fewest characters of a body.
pub const MIN_BODY_CHARS: usize = 2;
/// Most characters of a body.
pub const MAX_BODY_CHARS: usize = 5_000;
/// Most characters of an e-mail address.
pub const MAX_EMAIL_CHARS: usize = 254;

/// What a reader sent.
#[derive(Debug, Clone, Default)]
pub struct NewComment {
    pub author_name: Option<String>,
    pub author_email: Option<String>,
    pub body: Option<String>,
    pub author_url: Option<String>,
    pub parent_id: Option<i64>,
    /// The honeypot field: people leave it empty.
    pub honeypot: Option<String>,
}

/// The rules a new comment is held to.
#[derive(Debug, Clone)]
pub struct PostingRules {
    /// When to hold a comment for moderation.
    pub policy: HoldPolicy,
    /// Levels of nesting (top level is depth 0).
    pub max_depth: i32,
}

/// A comment as posted.
#[derive(Debug, Clone)]
pub struct Posted {
    /// The stored row.
    pub row: CommentRow,
    /// The status the poster is told (a honeypot catch is told `pending`).
    pub shown: CommentStatus,
}

/// The `Idempotency-Key` of a request and how to store its answer.
pub struct Idempotency {
    /// The key as sent.
    pub key: String,
    /// SHA-256 of what the request asked (path and body).
    pub fingerprint: String,
    /// Keys stored before this are expired.
    pub expired_before: NaiveDateTime,
    /// The answer's `Location`.
    pub location: Box<dyn Fn(&Posted) -> String + Send>,
    /// The answer's body.
    pub render: Box<dyn Fn(&Posted) -> String + Send>,
}

/// What a post did.
#[derive(Debug, Clone)]
pub enum PostOutcome {
    /// A new comment (committed).
    Created(Posted),
    /// The first answer to this key, replayed.
    Replayed(IdempotencyRow),
}

/// Hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The stored form of a client address: salted SHA-256.
pub fn client_hash(salt: &str, address: &str) -> String {
    sha256_hex(format!("{salt}\u{0}{address}").as_bytes())
}

/// The salt of client hashes: the configured one, or one made once and kept
/// in the database (so hashes stay comparable across restarts and nodes).
pub fn ip_salt(conn: &mut DbConnection, configured: Option<&str>) -> Result<String, ServiceError> {
    if let Some(salt) = configured {
        return Ok(salt.to_string());
    }
    const KEY: &str = "comment_ip_salt";
    write_transaction(conn, |conn| {
        if let Some(salt) = maintenance::setting(conn, KEY)? {
            return Ok(salt);
        }
        let salt = format!(
            "{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        maintenance::set_setting(conn, KEY, &salt)?;
        Ok(salt)
    })
}

fn blank(field: &str) -> FieldError {
    FieldError::new(
        field,
        "blank",
        format!("{field} is required and must not be blank."),
        format!("الحقل {field} مطلوب ولا يجوز أن يكون فارغاً."),
    )
}

fn too_long(field: &str, max: usize) -> FieldError {
    FieldError::new(
        field,
        "invalid_length",
        format!("{field} must be at most {max} characters."),
        format!("يجب ألا تتجاوز قيمة {field} ‏{max} حرفاً."),
    )
}

fn control(field: &str) -> FieldError {
    FieldError::new(
        field,
        "invalid_characters",
        format!("{field} must not contain control characters."),
        format!("يجب ألا تحتوي قيمة {field} على محارف تحكّم."),
    )
}

/// A required one-line text field as stored: plain text, or an error.
fn required_line(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: Option<&str>,
    max: usize,
) -> String {
    let Some(raw) = value else {
        errors.push(required(field));
        return String::new();
    };
    // Line breaks and tabs are whitespace here (collapsed to one space).
    if no_control(raw).is_err() {
        errors.push(control(field));
        return String::new();
    }
    let text = html::plain_text(raw);
    if text.is_empty() {
        errors.push(blank(field));
    } else if text.chars().count() > max || raw.chars().count() > max * 10 {
        errors.push(too_long(field, max));
    }
    text
}

/// Checks every field at once; returns the cleaned (name, e-mail, body, url).
fn validate(new: &NewComment) -> Result<(String, String, String, Option<String>), Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = required_line(
        &mut errors,
        "author_name",
        new.author_name.as_deref(),
        MAX_NAME_CHARS,
    );
    let email = match new.author_email.as_deref() {
        None => {
            errors.push(required("author_email"));
            String::new()
        }
        Some(raw) if raw.trim().is_empty() => {
            errors.push(blank("author_email"));
            String::new()
        }
        Some(raw) => {
            let email = email_key(raw);
            if email.chars().count() > MAX_EMAIL_CHARS
                || !validator::ValidateEmail::validate_email(&email)
            {
                errors.push(FieldError::new(
                    "author_email",
                    "invalid_email",
                    "author_email must be a valid e-mail address.",
                    "يجب أن تكون قيمة author_email عنوان بريد إلكتروني صالحاً.",
                ));
            }
            email
        }
    };
    let body = match new.body.as_deref() {
        None => {
            errors.push(required("body"));
            String::new()
        }
        Some(raw) if no_control(raw).is_err() => {
            errors.push(control("body"));
            String::new()
        }
        Some(raw) => {
            let body = html::plain_text_lines(raw);
            let n = body.chars().count();
            if body.is_empty() {
                errors.push(blank("body"));
            } else if !(MIN_BODY_CHARS..=MAX_BODY_CHARS).contains(&n)
                || raw.chars().count() > MAX_BODY_CHARS * 4
            {
                errors.push(FieldError::new(
                    "body",
                    "invalid_length",
                    format!("body must be {MIN_BODY_CHARS} to {MAX_BODY_CHARS} characters of text."),
                    format!("يجب أن يكون نص التعليق body من {MIN_BODY_CHARS} إلى {MAX_BODY_CHARS} حرفاً."),
                ));
            }
            body
        }
    };
    let url = match new.author_url.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => {
            if http_url(raw).is_err() {
                errors.push(FieldError::new(
                    "author_url",
                    "invalid_url",
                    "author_url must be an absolute http or https URL.",
                    "يجب أن تكون قيمة author_url عنواناً مطلقاً يبدأ بـ http أو https.",
                ));
            }
            Some(raw.to_string())
        }
    };
    if errors.is_empty() {
        Ok((name, email, body, url))
    } else {
        Err(errors)
    }
}

fn bad_parent(id: i64) -> FieldError {
    FieldError::new(
        "parent_id",
        "invalid_parent",
        format!("parent_id {id} is not an approved comment of this article."),
        format!("التعليق {id} في parent_id ليس تعليقاً معتمداً على هذا المقال."),
    )
}

fn is_unique_violation(e: &ServiceError) -> bool {
    matches!(
        e,
        ServiceError::Database(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _
        ))
    )
}

fn replay_or_refuse(row: IdempotencyRow, fingerprint: &str) -> Result<PostOutcome, ServiceError> {
    if row.fingerprint == fingerprint {
        Ok(PostOutcome::Replayed(row))
    } else {
        Err(ServiceError::IdempotencyKeyReused)
    }
}

/// Posts a comment on a published article: 404 unless public, 403 when
/// comments are closed, every bad field at once, 409 for the same body from
/// the same client on the same article. With an idempotency key, the first
/// answer is stored in the same transaction as the comment, and a retry
/// gets it back.
pub fn post_comment(
    conn: &mut DbConnection,
    article_id: i64,
    new: &NewComment,
    ip_hash: &str,
    rules: &PostingRules,
    idempotency: Option<&Idempotency>,
    now: NaiveDateTime,
) -> Result<PostOutcome, ServiceError> {
    let result = write_transaction(conn, |conn| {
        if let Some(idem) = idempotency {
            if let Some(row) = repo::find_key(conn, &idem.key, idem.expired_before)? {
                return replay_or_refuse(row, &idem.fingerprint);
            }
        }
        let posted = post_once(conn, article_id, new, ip_hash, rules, now)?;
        if let Some(idem) = idempotency {
            repo::store_key(
                conn,
                &IdempotencyRow {
                    key: idem.key.clone(),
                    fingerprint: idem.fingerprint.clone(),
                    status: 201,
                    location: Some((idem.location)(&posted)),
                    body: (idem.render)(&posted),
                    created_at: now,
                },
                idem.expired_before,
            )?;
        }
        Ok(PostOutcome::Created(posted))
    });
    match (result, idempotency) {
        // Another process stored this key first (PostgreSQL): its answer wins
        // and this transaction's comment was rolled back.
        (Err(e), Some(idem)) if is_unique_violation(&e) => {
            match repo::find_key(conn, &idem.key, idem.expired_before)? {
                Some(row) => replay_or_refuse(row, &idem.fingerprint),
                None => Err(e),
            }
        }
        (result, _) => result,
    }
}

fn post_once(
    conn: &mut DbConnection,
    article_id: i64,
    new: &NewComment,
    ip_hash: &str,
    rules: &PostingRules,
    now: NaiveDateTime,
) -> Result<Posted, ServiceError> {
    match repo::comments_open(conn, article_id, now)? {
        None => return Err(ServiceError::NotFound(Entity::Article)),
        Some(false) => return Err(ServiceError::CommentsClosed),
        Some(true) => {}
    }
    let (cleaned, mut errors) = match validate(new) {
        Ok(c) => (Some(c), Vec::new()),
        Err(errors) => (None, errors),
    };
    let mut depth = 0;
    if let Some(parent_id) = new.parent_id {
        match repo::find(conn, parent_id)? {
            Some(p)
                if p.article_id == article_id
                    && CommentStatus::from_db(&p.status) == CommentStatus::Approved =>
            {
                depth = p.depth + 1;
                if depth >= rules.max_depth {
                    errors.push(FieldError::new(
                        "parent_id",
                        "too_deep",
                        format!(
                            "Replies nest at most {} levels deep; reply to a comment higher up.",
                            rules.max_depth
                        ),
                        format!(
                            "لا تتداخل الردود أكثر من {} مستويات؛ ردّ على تعليق أعلى.",
                            rules.max_depth
                        ),
                    ));
                }
            }
            _ => errors.push(bad_parent(parent_id)),
        }
    }
    let Some((name, email, body, url)) = cleaned.filter(|_| errors.is_empty()) else {
        return Err(ServiceError::Invalid(errors));
    };
    if repo::duplicate_exists(conn, article_id, ip_hash, &body)? {
        return Err(ServiceError::Conflict(Conflict::DuplicateComment));
    }
    let trapped = new
        .honeypot
        .as_deref()
        .is_some_and(|h| !h.trim().is_empty());
    let status = if trapped {
        CommentStatus::Spam
    } else {
        let known = repo::has_approved_with_email(conn, &email)?;
        let others = [name.as_str(), email.as_str(), url.as_deref().unwrap_or("")];
        match rules.policy.hold(&body, &others, known) {
            Some(_) => CommentStatus::Pending,
            None => CommentStatus::Approved,
        }
    };
    let row = repo::insert(
        conn,
        &CommentInsertForm {
            article_id,
            parent_id: new.parent_id,
            depth,
            author_name: &name,
            author_email: &email,
            author_url: url.as_deref(),
            body: &body,
            status: status.as_str(),
            ip_hash,
            created_at: now,
            updated_at: now,
        },
    )?;
    if status == CommentStatus::Approved {
        repo::add_to_count(conn, article_id, 1)?;
    }
    Ok(Posted {
        row,
        shown: if trapped {
            CommentStatus::Pending
        } else {
            status
        },
    })
}

/// Where a page of a thread starts.
#[derive(Debug, Clone, Copy)]
pub enum ThreadPage {
    /// A page number (1-based).
    Number(u32),
    /// After a cursor.
    After(Cursor),
}

/// A page of an article's public thread: approved comments and placeholders
/// of deleted ones with replies, oldest first.
pub fn thread(
    conn: &mut DbConnection,
    article_id: i64,
    position: ThreadPage,
    per_page: u32,
    include_total: bool,
    now: NaiveDateTime,
) -> Result<Page<CommentRow>, ServiceError> {
    let position = match position {
        ThreadPage::Number(page) => {
            ThreadPosition::Offset(i64::from(page.saturating_sub(1)) * i64::from(per_page))
        }
        ThreadPage::After(c) => ThreadPosition::After(c.published_at, c.id),
    };
    let items = repo::list_public(conn, article_id, position, i64::from(per_page) + 1, now)?;
    // A page shows rows only of a public article: ask about the article
    // only when there are none (a second statement for the rare case).
    if items.is_empty() && repo::comments_open(conn, article_id, now)?.is_none() {
        return Err(ServiceError::NotFound(Entity::Article));
    }
    let total = include_total
        .then(|| repo::count_public(conn, article_id))
        .transpose()?;
    Ok(Page::from_rows_plus_one(items, per_page, total))
}

/// One public comment (approved, or a placeholder).
pub fn get_public(
    conn: &mut DbConnection,
    id: i64,
    now: NaiveDateTime,
) -> Result<CommentRow, ServiceError> {
    let row = repo::find(conn, id)?
        .filter(|r| {
            matches!(
                CommentStatus::from_db(&r.status),
                CommentStatus::Approved | CommentStatus::Deleted
            )
        })
        .ok_or(ServiceError::NotFound(Entity::Comment))?;
    if repo::comments_open(conn, row.article_id, now)?.is_none() {
        return Err(ServiceError::NotFound(Entity::Comment));
    }
    Ok(row)
}

/// The moderation queue.
pub fn moderation_queue(
    conn: &mut DbConnection,
    status: Option<CommentStatus>,
    article_id: Option<i64>,
    page: crate::service::PageRequest,
    include_total: bool,
) -> Result<Page<CommentRow>, ServiceError> {
    let items = repo::list_moderation(
        conn,
        status,
        article_id,
        page.offset(),
        i64::from(page.per_page) + 1,
    )?;
    let total = include_total
        .then(|| repo::count_moderation(conn, status, article_id))
        .transpose()?;
    Ok(Page::from_rows_plus_one(items, page.per_page, total))
}

/// A moderator's command on one comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moderation {
    /// Set this status.
    Set(CommentStatus),
    /// Delete (a placeholder stays while replies hang under it).
    Delete,
}

/// Applies `action` to comment `id` (inside the caller's transaction);
/// returns the comment as it is now (`None` once deleted).
fn moderate_one(
    conn: &mut DbConnection,
    id: i64,
    action: Moderation,
    now: NaiveDateTime,
) -> Result<(i64, Option<CommentRow>), ServiceError> {
    // A concurrent change of the same comment (PostgreSQL) makes the
    // conditional update miss; read again and retry, so the counter moves
    // exactly once per real transition.
    for _ in 0..5 {
        let row = repo::find(conn, id)?
            .filter(|r| CommentStatus::from_db(&r.status) != CommentStatus::Deleted)
            .ok_or(ServiceError::NotFound(Entity::Comment))?;
        let old = CommentStatus::from_db(&row.status);
        let was_counted = i64::from(old == CommentStatus::Approved);
        match action {
            Moderation::Set(to) => {
                if to == old {
                    return Ok((row.article_id, Some(row)));
                }
                if !repo::set_status_if(conn, id, old, to, now)? {
                    continue;
                }
                let delta = i64::from(to == CommentStatus::Approved) - was_counted;
                repo::add_to_count(conn, row.article_id, delta)?;
                return Ok((row.article_id, repo::find(conn, id)?));
            }
            Moderation::Delete => {
                if !repo::set_status_if(conn, id, old, CommentStatus::Deleted, now)? {
                    continue;
                }
                repo::add_to_count(conn, row.article_id, -was_counted)?;
                if repo::has_replies(conn, id)? {
                    repo::make_placeholder(conn, id, now)?;
                } else {
                    repo::delete_row(conn, id)?;
                    // A placeholder whose last reply went goes too.
                    let mut parent = row.parent_id;
                    while let Some(pid) = parent {
                        match repo::find(conn, pid)? {
                            Some(p)
                                if CommentStatus::from_db(&p.status) == CommentStatus::Deleted
                                    && !repo::has_replies(conn, pid)? =>
                            {
                                repo::delete_row(conn, pid)?;
                                parent = p.parent_id;
                            }
                            _ => break,
                        }
                    }
                }
                return Ok((row.article_id, None));
            }
        }
    }
    Err(ServiceError::Inconsistent(format!(
        "comment {id} kept changing under moderation"
    )))
}

/// Applies a moderator's command to one comment, in one transaction;
/// returns the article's id and the comment as it is now.
pub fn moderate(
    conn: &mut DbConnection,
    id: i64,
    action: Moderation,
    now: NaiveDateTime,
) -> Result<(i64, Option<CommentRow>), ServiceError> {
    write_transaction(conn, |conn| moderate_one(conn, id, action, now))
}

/// Applies one command to many comments in one transaction: all of them
/// or, when one id is unknown, none (422 naming it). Returns the articles
/// touched.
pub fn moderate_many(
    conn: &mut DbConnection,
    ids: &[i64],
    action: Moderation,
    now: NaiveDateTime,
) -> Result<Vec<i64>, ServiceError> {
    write_transaction(conn, |conn| {
        let unique: Vec<i64> = {
            let mut seen = HashSet::new();
            ids.iter().copied().filter(|id| seen.insert(*id)).collect()
        };
        let found: HashSet<i64> = repo::find_many(conn, &unique)?
            .into_iter()
            .filter(|r| CommentStatus::from_db(&r.status) != CommentStatus::Deleted)
            .map(|r| r.id)
            .collect();
        let errors: Vec<FieldError> = ids
            .iter()
            .enumerate()
            .filter(|(_, id)| !found.contains(id))
            .map(|(i, id)| {
                FieldError::new(
                    &format!("ids[{i}]"),
                    "unknown_comment",
                    format!("No comment has id {id}."),
                    format!("لا يوجد تعليق بالمعرّف {id}."),
                )
            })
            .collect();
        if !errors.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
        let mut articles = Vec::new();
        for id in unique {
            // A reply deleted with its parent in the same batch is already gone.
            match moderate_one(conn, id, action, now) {
                Ok((article, _)) => articles.push(article),
                Err(ServiceError::NotFound(_)) if action == Moderation::Delete => {}
                Err(e) => return Err(e),
            }
        }
        articles.sort_unstable();
        articles.dedup();
        Ok(articles)
    })
}

/// An article's stored `comment_count` (for checks).
pub fn stored_count(conn: &mut DbConnection, article_id: i64) -> Result<i64, ServiceError> {
    Ok(repo::stored_count(conn, article_id)?)
}

/// Forgets idempotency keys stored before `before`.
pub fn prune_keys(conn: &mut DbConnection, before: NaiveDateTime) -> Result<usize, ServiceError> {
    Ok(repo::prune_keys(conn, before)?)
}

/// Flood control: one accepted comment per client per interval, in memory
/// (per process), bounded to `MAX_CLIENTS` clients (beyond that, the least
/// recently seen are forgotten, so the bound holds under any flood).
pub struct FloodGate {
    interval: Duration,
    last: Option<moka::sync::Cache<String, Instant>>,
}

/// Most clients remembered by flood control.
pub const MAX_CLIENTS: u64 = 200_000;

impl FloodGate {
    /// A gate letting one comment through per `interval` (zero: no gate).
    pub fn new(interval: Duration) -> Self {
        FloodGate {
            interval,
            last: (!interval.is_zero()).then(|| {
                moka::sync::Cache::builder()
                    .max_capacity(MAX_CLIENTS)
                    .time_to_live(interval)
                    .build()
            }),
        }
    }

    /// Takes the client's slot, or says how long to wait. The slot is held
    /// (so concurrent posts of one client cannot both pass); give it back
    /// with `release` when the comment was not accepted.
    pub fn reserve(&self, client: &str) -> Result<Option<Instant>, Duration> {
        let Some(cache) = &self.last else {
            return Ok(None);
        };
        let now = Instant::now();
        let mut wait = None;
        cache
            .entry(client.to_string())
            .and_compute_with(|existing| match existing {
                Some(e) if now.duration_since(*e.value()) < self.interval => {
                    wait = Some(self.interval - now.duration_since(*e.value()));
                    moka::ops::compute::Op::Nop
                }
                _ => moka::ops::compute::Op::Put(now),
            });
        match wait {
            Some(w) => Err(w),
            None => Ok(Some(now)),
        }
    }

    /// Gives back a slot taken at `taken` (if no later post took it since).
    pub fn release(&self, client: &str, taken: Option<Instant>) {
        let (Some(cache), Some(taken)) = (&self.last, taken) else {
            return;
        };
        cache
            .entry(client.to_string())
            .and_compute_with(|existing| match existing {
                Some(e) if *e.value() == taken => moka::ops::compute::Op::Remove,
                _ => moka::ops::compute::Op::Nop,
            });
    }
}

/// Idempotency keys whose first request is being handled by this process.
/// Memory only: a crash forgets them, and the database never holds a mark
/// that could block a retry (a key row is written with its comment or not
/// at all).
#[derive(Default)]
pub struct InFlight {
    keys: Arc<Mutex<HashSet<String>>>,
}

/// A key held in flight until dropped.
pub struct InFlightGuard {
    keys: Arc<Mutex<HashSet<String>>>,
    key: String,
}

impl InFlight {
    /// Marks `key` in flight; `None` when it already is.
    pub fn begin(&self, key: &str) -> Option<InFlightGuard> {
        let mut keys = self.keys.lock().unwrap_or_else(|p| p.into_inner());
        keys.insert(key.to_string()).then(|| InFlightGuard {
            keys: self.keys.clone(),
            key: key.to_string(),
        })
    }
}

impl Drop for InFlightGuard {
    fn drop(&mut self) {
        self.keys
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.key);
    }
}

/// What the comment routes keep between requests.
pub struct CommentRuntime {
    /// Flood control.
    pub flood: FloodGate,
    /// Idempotency keys being handled.
    pub in_flight: InFlight,
    /// The posting rules.
    pub rules: PostingRules,
    /// Salt of client-address hashes.
    pub ip_salt: String,
    /// How long idempotency keys are kept.
    pub key_ttl: Duration,
    /// Whether `X-Forwarded-For` names the client.
    pub trust_forwarded: bool,
}

impl CommentRuntime {
    /// From the settings and the salt (see [`ip_salt`]).
    pub fn new(settings: &crate::config::CommentSettings, ip_salt: String) -> Self {
        use crate::domain::comment::{BlockList, DEFAULT_BLOCKLIST};
        CommentRuntime {
            flood: FloodGate::new(settings.flood_interval),
            in_flight: InFlight::default(),
            rules: PostingRules {
                policy: HoldPolicy {
                    max_links: settings.max_links,
                    blocklist: BlockList::new(DEFAULT_BLOCKLIST, &settings.extra_blocklist),
                    hold_first_time: settings.hold_first_time,
                },
                max_depth: settings.max_depth,
            },
            ip_salt,
            key_ttl: settings.idempotency_ttl,
            trust_forwarded: settings.trust_forwarded,
        }
    }
}
