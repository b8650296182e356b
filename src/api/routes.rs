//! Answers for requests no handler takes: 404 for unknown paths, 405 (with
//! `Allow`) for known paths with another method. The route table is read
//! from the OpenAPI document, so it can never drift from the handlers.

use actix_web::{web, HttpRequest, HttpResponse};

use crate::error::AppError;

/// Path templates and their methods.
#[derive(Debug, Clone, Default)]
pub struct RouteTable {
    routes: Vec<(Vec<Option<String>>, Vec<String>)>,
}

impl RouteTable {
    /// From the spec's paths (`{name}` segments match any one segment).
    pub fn from_openapi(api: &utoipa::openapi::OpenApi) -> Self {
        let routes = api
            .paths
            .paths
            .iter()
            .map(|(template, item)| {
                let segments = template
                    .split('/')
                    .map(|s| (!s.starts_with('{')).then(|| s.to_string()))
                    .collect();
                let value = serde_json::to_value(item).unwrap_or_default();
                let mut methods: Vec<String> = [
                    "get", "put", "post", "delete", "options", "head", "patch", "trace",
                ]
                .iter()
                .filter(|m| value.get(**m).is_some())
                .map(|m| m.to_ascii_uppercase())
                .collect();
                if methods.iter().any(|m| m == "GET") {
                    // Served by the middleware as GET without a body.
                    methods.push("HEAD".into());
                }
                (segments, methods)
            })
            .collect();
        RouteTable { routes }
    }

    /// The methods a path accepts, if any route matches it.
    pub fn allowed(&self, path: &str) -> Option<&[String]> {
        let parts: Vec<&str> = path.split('/').collect();
        self.routes.iter().find_map(|(segments, methods)| {
            (segments.len() == parts.len()
                && segments
                    .iter()
                    .zip(&parts)
                    .all(|(s, p)| s.as_deref().map_or(!p.is_empty(), |s| s == *p)))
            .then_some(methods.as_slice())
        })
    }
}

/// The app's default service.
pub async fn fallback(
    req: HttpRequest,
    table: web::Data<RouteTable>,
) -> Result<HttpResponse, AppError> {
    Err(match table.allowed(req.path()) {
        Some(methods) => AppError::MethodNotAllowed(methods.to_vec()),
        None => AppError::RouteNotFound,
    })
}
