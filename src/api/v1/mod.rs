//! `/api/v1`: handlers, DTOs and query parameters.

pub mod archive;
pub mod articles;
pub mod changes;
pub mod comments;
pub mod dto;
pub mod editorial;
pub mod feeds;
pub mod links;
pub mod params;
pub mod responses;
pub mod revisions;
pub mod taxonomy;
pub mod tokens;
pub mod views;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers every v1 handler (and so its OpenAPI path).
pub fn configure(cfg: &mut ServiceConfig) {
    // The view beacon first: actix matches routes in order (a regex each for
    // patterns with segments), and it is the busiest POST (measured: routing
    // past the 36 routes before it was a third of its CPU).
    cfg.service(views::record_view)
        .service(articles::list_articles)
        .service(editorial::create_article)
        .service(articles::get_article)
        .service(editorial::update_article)
        .service(editorial::delete_article)
        .service(revisions::list_revisions)
        .service(revisions::get_revision)
        .service(archive::calendar)
        .service(archive::archive_year)
        .service(archive::archive_month)
        .service(archive::archive_day)
        .service(taxonomy::list_sections)
        .service(taxonomy::create_section)
        .service(taxonomy::get_section)
        .service(taxonomy::update_section)
        .service(taxonomy::delete_section)
        .service(taxonomy::list_tags)
        .service(taxonomy::create_tag)
        .service(taxonomy::get_tag)
        .service(taxonomy::update_tag)
        .service(taxonomy::delete_tag)
        .service(taxonomy::list_authors)
        .service(taxonomy::create_author)
        .service(taxonomy::get_author)
        .service(taxonomy::update_author)
        .service(taxonomy::delete_author)
        .service(tokens::list_tokens)
        .service(tokens::create_token)
        .service(tokens::revoke_token)
        .service(comments::list_comments)
        .service(comments::post_comment)
        .service(comments::get_comment)
        .service(comments::update_comment)
        .service(comments::delete_comment)
        .service(comments::moderation_queue)
        .service(comments::bulk_moderate)
        .service(views::most_viewed)
        .service(changes::list_changes)
        .service(feeds::rss_feed)
        .service(feeds::atom_feed)
        .service(feeds::json_feed);
}
