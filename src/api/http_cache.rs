//! Versions on the wire: strong ETags from the article's edit counter, and
//! `If-Match` preconditions for writes.

use actix_web::http::header::{HeaderMap, IF_MATCH};

use crate::error::AppError;
use crate::service::editorial::Precondition;

/// The strong ETag of a version: `"v7"`. It changes with every edit and with
/// nothing else (view and comment counters live elsewhere).
pub fn etag(version: i64) -> String {
    format!("\"v{version}\"")
}

/// Reads `If-Match` (RFC 9110 §13.1.1): required on writes (428 without it);
/// `*` matches any version; weak tags never match (strong comparison);
/// anything that is not one of our tags matches nothing (412).
pub fn if_match(headers: &HeaderMap) -> Result<Precondition, AppError> {
    // An empty If-Match names no version at all: as good as none.
    let mut values = headers
        .get_all(IF_MATCH)
        .filter(|v| !v.as_bytes().iter().all(u8::is_ascii_whitespace))
        .peekable();
    if values.peek().is_none() {
        return Err(AppError::PreconditionRequired);
    }
    let mut versions = Vec::new();
    for value in values {
        let text = value.to_str().unwrap_or("");
        for tag in text.split(',').map(str::trim) {
            if tag == "*" {
                return Ok(Precondition::Any);
            }
            if let Some(v) = tag
                .strip_prefix("\"v")
                .and_then(|t| t.strip_suffix('"'))
                .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|d| d.parse::<i64>().ok())
            {
                versions.push(v);
            }
        }
    }
    Ok(Precondition::Versions(versions))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::HeaderValue;

    fn parse(values: &[&str]) -> Result<Precondition, AppError> {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(IF_MATCH, HeaderValue::from_str(v).unwrap());
        }
        if_match(&h)
    }

    #[test]
    fn preconditions() {
        assert!(matches!(parse(&[]), Err(AppError::PreconditionRequired)));
        assert!(matches!(parse(&[""]), Err(AppError::PreconditionRequired)));
        assert_eq!(parse(&["*"]).unwrap(), Precondition::Any);
        assert_eq!(parse(&["\"v3\""]).unwrap(), Precondition::Versions(vec![3]));
        assert_eq!(
            parse(&["\"v3\", \"v4\"", "\"v9\""]).unwrap(),
            Precondition::Versions(vec![3, 4, 9])
        );
        // Weak and foreign tags match nothing.
        assert_eq!(
            parse(&["W/\"v3\""]).unwrap(),
            Precondition::Versions(vec![])
        );
        assert_eq!(parse(&["\"abc\""]).unwrap(), Precondition::Versions(vec![]));
        assert_eq!(etag(12), "\"v12\"");
    }
}
