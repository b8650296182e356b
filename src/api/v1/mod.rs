//! `/api/v1`: handlers, DTOs and query parameters.

pub mod articles;
pub mod dto;
pub mod links;
pub mod params;
pub mod taxonomy;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers every v1 handler (and so its OpenAPI path).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(articles::list_articles)
        .service(articles::get_article)
        .service(taxonomy::list_sections)
        .service(taxonomy::get_section)
        .service(taxonomy::list_tags)
        .service(taxonomy::get_author);
}
