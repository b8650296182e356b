//! Per-request context (request id, language) visible while the request is
//! handled, so that errors render with both without threading the request
//! through every layer.

use std::cell::RefCell;

use actix_web::http::header::HeaderMap;

/// A language the API writes messages in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// English (the default when the client states no preference).
    #[default]
    En,
    /// Arabic.
    Ar,
}

impl Lang {
    /// Picks Arabic or English from `Accept-Language` (RFC 9110 weights).
    pub fn from_headers(headers: &HeaderMap) -> Lang {
        let Some(value) = headers
            .get(actix_web::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
        else {
            return Lang::default();
        };
        let mut best: Option<(f32, Lang)> = None;
        for item in value.split(',') {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let weight = parts
                .find_map(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|q| q.parse::<f32>().ok())
                })
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or("");
            let lang = match primary {
                "ar" => Lang::Ar,
                "en" => Lang::En,
                _ => continue,
            };
            if weight > 0.0 && best.is_none_or(|(w, _)| weight > w) {
                best = Some((weight, lang));
            }
        }
        best.map(|(_, l)| l).unwrap_or_default()
    }

    /// The BCP 47 tag, for `Content-Language`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ar => "ar",
        }
    }
}

/// What an error response needs to know about its request.
#[derive(Debug, Clone, Default)]
pub struct RequestContext {
    /// The request id (`X-Request-Id`).
    pub request_id: String,
    /// The language of messages.
    pub lang: Lang,
}

tokio::task_local! {
    static CONTEXT: RefCell<RequestContext>;
}

/// Runs `fut` with `ctx` as the current request context.
pub async fn scope<F: std::future::Future>(ctx: RequestContext, fut: F) -> F::Output {
    CONTEXT.scope(RefCell::new(ctx), fut).await
}

/// The current request's context (a default one outside any request).
pub fn current() -> RequestContext {
    CONTEXT.try_with(|c| c.borrow().clone()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::{HeaderValue, ACCEPT_LANGUAGE};

    fn lang(value: &str) -> Lang {
        let mut h = HeaderMap::new();
        h.insert(ACCEPT_LANGUAGE, HeaderValue::from_str(value).unwrap());
        Lang::from_headers(&h)
    }

    #[test]
    fn negotiates() {
        assert_eq!(lang("ar"), Lang::Ar);
        assert_eq!(lang("ar-SY,ar;q=0.9,en;q=0.8"), Lang::Ar);
        assert_eq!(lang("fr, en;q=0.5, ar;q=0.4"), Lang::En);
        assert_eq!(lang("en;q=0.2, ar;q=0.7"), Lang::Ar);
        assert_eq!(lang("fr"), Lang::En);
        assert_eq!(lang("ar;q=0"), Lang::En);
        assert_eq!(Lang::from_headers(&HeaderMap::new()), Lang::En);
    }
}
