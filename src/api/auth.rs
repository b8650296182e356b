//! Who is calling: bearer tokens turned into a `Principal`, and extractors
//! that state a route's required capability in its signature.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};

use crate::api::AppState;
use crate::domain::role::Capability;
use crate::error::AppError;
use crate::service::tokens::{self, AuthFailure, Principal};

/// The token in `Authorization: Bearer …`: `Ok(None)` without the header.
fn presented_token(req: &HttpRequest) -> Result<Option<String>, AppError> {
    let Some(value) = req.headers().get(AUTHORIZATION) else {
        return Ok(None);
    };
    let text = value
        .to_str()
        .map_err(|_| AppError::Unauthorized(AuthFailure::Malformed))?;
    let (scheme, token) = text
        .split_once(' ')
        .ok_or(AppError::Unauthorized(AuthFailure::Malformed))?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(AppError::Unauthorized(AuthFailure::Malformed));
    }
    Ok(Some(token.to_string()))
}

/// A token already checked for this request (by the rate limits), so that
/// the route's extractor does not look it up again.
#[derive(Debug, Clone)]
struct Authenticated(Principal);

/// Who presented the request's token: `None` without one; an invalid token
/// is an error. Looked up once per request.
pub async fn authenticate(req: &HttpRequest) -> Result<Option<Principal>, AppError> {
    if let Some(Authenticated(principal)) = req.extensions().get::<Authenticated>() {
        return Ok(Some(principal.clone()));
    }
    let Some(token) = presented_token(req)? else {
        return Ok(None);
    };
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| AppError::Internal("AppState missing".into()))?
        .clone();
    // A write handle: a stale `last_used_at` is refreshed by the same call.
    let principal = state
        .db
        .write(move |conn| tokens::authenticate(conn, &token))
        .await?;
    req.extensions_mut()
        .insert(Authenticated(principal.clone()));
    Ok(Some(principal))
}

/// The caller of a public route: anonymous, or recognised by a valid token
/// (a token that is sent but not valid is a 401, never silently ignored).
#[derive(Debug, Clone)]
pub struct Caller(pub Option<Principal>);

impl Caller {
    /// Whether the caller may use `capability`.
    pub fn can(&self, capability: Capability) -> bool {
        self.0.as_ref().is_some_and(|p| p.role.can(capability))
    }
}

impl FromRequest for Caller {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { authenticate(&req).await.map(Caller) })
    }
}

/// A route's requirement, as a type: `Authorized<Editorial>`.
pub trait Requirement {
    /// The capability the route needs.
    const CAPABILITY: Capability;
}

/// Articles and the taxonomy (role `editor` or `admin`).
pub struct Editorial;
impl Requirement for Editorial {
    const CAPABILITY: Capability = Capability::Editorial;
}

/// Comments (role `moderator` or `admin`).
pub struct Moderation;
impl Requirement for Moderation {
    const CAPABILITY: Capability = Capability::Moderation;
}

/// The change feed (role `partner` or `admin`).
pub struct Syndication;
impl Requirement for Syndication {
    const CAPABILITY: Capability = Capability::Syndication;
}

/// Tokens (role `admin`).
pub struct ManageTokens;
impl Requirement for ManageTokens {
    const CAPABILITY: Capability = Capability::ManageTokens;
}

/// A caller whose token grants `R`: 401 without a valid token, 403 with a
/// valid token of another role.
pub struct Authorized<R: Requirement> {
    /// Who is calling.
    pub principal: Principal,
    _requirement: PhantomData<R>,
}

impl<R: Requirement> FromRequest for Authorized<R> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let principal = authenticate(&req)
                .await?
                .ok_or(AppError::Unauthorized(AuthFailure::Missing))?;
            if !principal.role.can(R::CAPABILITY) {
                return Err(AppError::Forbidden);
            }
            Ok(Authorized {
                principal,
                _requirement: PhantomData,
            })
        })
    }
}
