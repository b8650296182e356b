//! Hand-kept Diesel schema, using only types both backends share
//! (SQLite `INTEGER PRIMARY KEY` is mapped as `BigInt` on purpose).

diesel::table! {
    sections (id) {
        id -> BigInt,
        slug -> Text,
        name -> Text,
        description -> Text,
        position -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    tags (id) {
        id -> BigInt,
        slug -> Text,
        name -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    authors (id) {
        id -> BigInt,
        slug -> Text,
        name -> Text,
        bio -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    articles (id) {
        id -> BigInt,
        slug -> Text,
        title -> Text,
        summary -> Text,
        language -> Text,
        dir -> Text,
        section_id -> BigInt,
        byline -> Text,
        source_name -> Nullable<Text>,
        source_url -> Nullable<Text>,
        canonical_url -> Nullable<Text>,
        image_url -> Nullable<Text>,
        image_caption -> Nullable<Text>,
        status -> Text,
        comments_open -> Bool,
        published_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        tag_ids -> Text,
        author_ids -> Text,
        body_html -> Text,
        body_text -> Text,
        version -> BigInt,
        deleted_at -> Nullable<Timestamp>,
        published_day -> Nullable<Integer>,
    }
}

diesel::table! {
    site_settings (key) {
        key -> Text,
        value -> Text,
    }
}

diesel::table! {
    /// Published articles per local month (`yyyymm`), for everything
    /// (`scope` 'all', `scope_id` 0), per section and per tag; kept at write
    /// time (see the migration 2026-12-02-000002_archive_counts).
    archive_counts (scope, scope_id, month) {
        scope -> Text,
        scope_id -> BigInt,
        month -> Integer,
        n -> BigInt,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        name -> Text,
        role -> Text,
        lookup -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    article_revisions (id) {
        id -> BigInt,
        article_id -> BigInt,
        number -> Integer,
        article_version -> BigInt,
        changed_fields -> Text,
        token_id -> Nullable<BigInt>,
        editor_name -> Text,
        created_at -> Timestamp,
        snapshot -> Text,
    }
}

diesel::table! {
    article_slugs (slug) {
        slug -> Text,
        article_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    article_stats (article_id) {
        article_id -> BigInt,
        view_count -> BigInt,
        comment_count -> BigInt,
    }
}

diesel::table! {
    article_tags (article_id, tag_id) {
        article_id -> BigInt,
        tag_id -> BigInt,
        /// A copy of the article's `published_at` (the order of tag pages).
        published_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    article_authors (article_id, author_id) {
        article_id -> BigInt,
        author_id -> BigInt,
        position -> Integer,
        /// A copy of the article's `published_at` (the order of author pages).
        published_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    /// Reader comments (see the migration 2026-12-04-000002_comments).
    comments (id) {
        id -> BigInt,
        article_id -> BigInt,
        parent_id -> Nullable<BigInt>,
        depth -> Integer,
        author_name -> Text,
        author_email -> Text,
        author_url -> Nullable<Text>,
        body -> Text,
        status -> Text,
        ip_hash -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// First answers of requests sent with an `Idempotency-Key`.
    idempotency_keys (key) {
        key -> Text,
        fingerprint -> Text,
        status -> Integer,
        location -> Nullable<Text>,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// View counts per article and local day (`yyyymmdd`), written by the
    /// view flusher (see the migration 2026-12-04-000001_views).
    article_views_daily (article_id, day) {
        article_id -> BigInt,
        day -> Integer,
        n -> BigInt,
    }
}

diesel::table! {
    /// Flushed view batches, so a retried batch is applied once.
    view_flush_batches (id) {
        id -> Text,
        applied_at -> Timestamp,
    }
}

diesel::table! {
    /// The change feed: one row per article write, `seq` in commit order
    /// (see the migration 2026-12-05-000002_changes).
    article_changes (seq) {
        seq -> BigInt,
        article_id -> BigInt,
        changed_at -> Timestamp,
    }
}

diesel::joinable!(articles -> sections (section_id));
diesel::joinable!(article_views_daily -> articles (article_id));
diesel::joinable!(article_changes -> articles (article_id));
diesel::joinable!(comments -> articles (article_id));
diesel::joinable!(article_stats -> articles (article_id));
diesel::joinable!(article_tags -> articles (article_id));
diesel::joinable!(article_tags -> tags (tag_id));
diesel::joinable!(article_authors -> articles (article_id));
diesel::joinable!(article_authors -> authors (author_id));
diesel::joinable!(article_revisions -> articles (article_id));
diesel::joinable!(article_slugs -> articles (article_id));

diesel::allow_tables_to_appear_in_same_query!(
    sections,
    tags,
    authors,
    articles,
    article_stats,
    article_tags,
    article_authors,
    api_tokens,
    article_revisions,
    article_slugs,
    site_settings,
    archive_counts,
    comments,
    idempotency_keys,
    article_views_daily,
    view_flush_batches,
    article_changes,
);
