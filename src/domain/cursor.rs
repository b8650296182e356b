//! Keyset cursors for stable, deep walks through article lists.
//!
//! A cursor names the last item a client saw: its sort order, its publication
//! time and its id. The text form is `{o}{micros}_{id}` (`o` is `n` for
//! newest-first, `o` for oldest-first): short, URL-safe and matched by a
//! pattern in the OpenAPI spec, so that every string the spec allows decodes.
//! Clients treat it as opaque.

use chrono::{DateTime, NaiveDateTime};

/// The list orders that support keyset paging.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeysetOrder {
    /// Newest first.
    Newest,
    /// Oldest first.
    Oldest,
}

/// A position in a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    /// The order the cursor was made for.
    pub order: KeysetOrder,
    /// Publication time of the last item seen.
    pub published_at: NaiveDateTime,
    /// Id of the last item seen.
    pub id: i64,
}

/// The pattern every cursor matches (stated in the OpenAPI spec).
pub const CURSOR_PATTERN: &str = "^[no]-?[0-9]{1,16}_[0-9]{1,18}$";

impl Cursor {
    /// The text form.
    pub fn encode(&self) -> String {
        let tag = match self.order {
            KeysetOrder::Newest => 'n',
            KeysetOrder::Oldest => 'o',
        };
        format!(
            "{tag}{}_{}",
            self.published_at.and_utc().timestamp_micros(),
            self.id
        )
    }

    /// Parses the text form; `None` for anything else.
    pub fn decode(text: &str) -> Option<Self> {
        let mut chars = text.chars();
        let order = match chars.next()? {
            'n' => KeysetOrder::Newest,
            'o' => KeysetOrder::Oldest,
            _ => return None,
        };
        let (micros, id) = chars.as_str().split_once('_')?;
        let digits = micros.strip_prefix('-').unwrap_or(micros);
        if digits.is_empty()
            || digits.len() > 16
            || id.is_empty()
            || id.len() > 18
            || !digits.bytes().all(|b| b.is_ascii_digit())
            || !id.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let micros: i64 = micros.parse().ok()?;
        let id: i64 = id.parse().ok()?;
        let published_at = DateTime::from_timestamp_micros(micros)?.naive_utc();
        Some(Cursor {
            order,
            published_at,
            id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let c = Cursor {
            order: KeysetOrder::Newest,
            published_at: DateTime::from_timestamp(1_598_086_800, 0)
                .unwrap()
                .naive_utc(),
            id: 42,
        };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
    }

    #[test]
    fn garbage_is_rejected() {
        for bad in [
            "",
            "x1_1",
            "n",
            "n_1",
            "n1_",
            "n1_x",
            "nabc_1",
            "n1_1_1",
            "%%%",
            "n99999999999999999_1",
        ] {
            assert_eq!(Cursor::decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_pattern_and_the_decoder_agree_at_the_limits() {
        // Largest values the pattern allows still decode.
        assert!(Cursor::decode("n9999999999999999_999999999999999999").is_some());
        assert!(Cursor::decode("o-9999999999999999_0").is_some());
    }
}
