//! The OpenAPI document root.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// Declares the bearer scheme that write operations name in `security`, so
/// that Swagger UI's "Authorize" works and generated clients send the header.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("khb_ token (`khabar token create`)")
                    .description(Some(
                        "`Authorization: Bearer khb_…`. Roles: admin (everything), editor (articles, sections, tags, authors), moderator (comments), partner (read-only).",
                    ))
                    .build(),
            ),
        );
    }
}

/// Info, tags and descriptions; paths and schemas are collected from the handlers.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "khabar API",
        description = "JSON REST API for Arabic news content (خبر, \"a news item\"): articles, sections, tags and authors.\n\n\
Lists use the envelope `{data, meta, links}`; one resource is `{data}`. Times are RFC 3339 in UTC. \
Errors are RFC 9457 `application/problem+json` with a stable `code` and the `request_id`; \
titles and messages follow `Accept-Language` (`ar` or `en`).\n\n\
Writes need `Authorization: Bearer khb_…` (see the `bearer` scheme); edits and deletes need `If-Match` with the article's `ETag`.",
        license(name = "MIT", identifier = "MIT")
    ),
    modifiers(&BearerAuth),
    components(schemas(
        crate::api::v1::params::ArticleField,
        crate::api::v1::params::ArticleSort,
        crate::domain::article::EditorialStatus,
    )),
    tags(
        (name = "articles", description = "Published articles"),
        (name = "archive", description = "The archive calendar and its years, months and days, in the newsroom's time zone"),
        (name = "editorial", description = "Writing articles and reading their revisions (role editor or admin)"),
        (name = "views", description = "View counts: the read beacon and the most-viewed rankings"),
        (name = "comments", description = "Reader comments: the public thread of an article and posting to it"),
        (name = "moderation", description = "Moderating comments (role moderator or admin)"),
        (name = "tokens", description = "API tokens (role admin)"),
        (name = "feeds", description = "RSS 2.0, Atom 1.0 and JSON Feed 1.1 feeds of the latest published articles, with the filters of the article list"),
        (name = "syndication", description = "The change feed for partners mirroring the archive (role partner or admin)"),
        (name = "sections", description = "Sections of the site"),
        (name = "tags", description = "Tags"),
        (name = "authors", description = "Authors"),
        (name = "ops", description = "Liveness and readiness, outside /api/v1"),
    )
)]
pub struct ApiDoc;

/// The whole document, exactly as served at `/api/v1/openapi.json`.
pub fn document() -> utoipa::openapi::OpenApi {
    crate::startup::routes_and_openapi(actix_web::App::new()).1
}

/// The document as pretty JSON with a final newline (`khabar openapi`).
pub fn document_json() -> String {
    let mut text = document()
        .to_pretty_json()
        .expect("the OpenAPI document serialises");
    text.push('\n');
    text
}
