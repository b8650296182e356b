//! API tokens: their text form and their hashes. Only a SHA-256 of a token is
//! stored; the text is shown once, when it is made.

use base64::Engine;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Every token starts with this, so that a leaked one is recognisable (and
/// secret scanners can be taught the pattern).
pub const PREFIX: &str = "khb_";

/// Characters after the prefix that find the token's row. Public enough to
/// show in `token list`; the remaining characters are the secret.
pub const LOOKUP_CHARS: usize = 8;

/// Random bytes in a token (256 bits).
pub const SECRET_BYTES: usize = 32;

/// Length of the text after the prefix: base64url of the secret, no padding.
const BODY_CHARS: usize = 43;

/// The token text for these random bytes: `khb_` + base64url.
pub fn from_secret(secret: &[u8; SECRET_BYTES]) -> String {
    let body = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret);
    format!("{PREFIX}{body}")
}

/// The lookup part of a presented token, or `None` when it cannot be one of
/// ours (wrong prefix, length or alphabet).
pub fn lookup_of(token: &str) -> Option<&str> {
    let body = token.strip_prefix(PREFIX)?;
    let well_formed = body.len() == BODY_CHARS
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    well_formed.then(|| &body[..LOOKUP_CHARS])
}

/// Hex SHA-256 of the whole token text: what is stored.
pub fn hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares two stored-form hashes in constant time.
pub fn hashes_equal(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_form() {
        let token = from_secret(&[7u8; SECRET_BYTES]);
        assert!(token.starts_with("khb_"));
        assert_eq!(token.len(), PREFIX.len() + BODY_CHARS);
        assert_eq!(lookup_of(&token), Some(&token[4..12]));
    }

    #[test]
    fn malformed_tokens_have_no_lookup() {
        let good = from_secret(&[1u8; SECRET_BYTES]);
        for bad in [
            "",
            "khb_",
            "abc",
            &good[1..],
            &format!("{good}x"),
            &good.replace('_', "-"),
            &format!("khb_{}", "é".repeat(20)),
        ] {
            assert_eq!(lookup_of(bad), None, "{bad}");
        }
    }

    #[test]
    fn hashes() {
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(hashes_equal(&hash("a"), &hash("a")));
        assert!(!hashes_equal(&hash("a"), &hash("b")));
        assert!(!hashes_equal("ab", "abc"));
    }
}
