//! Keyset cursors for stable, deep walks through article lists.
//!
//! A cursor names the last item a client saw: its sort order, its publication
//! time and its id. The text form is `{o}{micros}_{id}` (`o` is `n` for
//! newest-first, `o` for oldest-first), or `v{views}_{id}` for most viewed
//! first: short, URL-safe and matched by a pattern in the OpenAPI spec, so
//! that every string the spec allows decodes. Clients treat it as opaque.

use chrono::{DateTime, NaiveDateTime};

/// The list orders that support keyset paging.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeysetOrder {
    /// Newest first.
    Newest,
    /// Oldest first.
    Oldest,
    /// Most viewed first (stored all-time count), then higher id first.
    MostViewed,
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
    /// Stored view count of the last item seen (`MostViewed` only; 0 otherwise).
    pub views: i64,
}

impl Cursor {
    /// A most-viewed cursor after the article `id` stored with `views`.
    pub fn most_viewed(views: i64, id: i64) -> Self {
        Cursor {
            order: KeysetOrder::MostViewed,
            published_at: chrono::DateTime::UNIX_EPOCH.naive_utc(),
            id,
            views,
        }
    }
}

/// The pattern every cursor matches (stated in the OpenAPI spec).
pub const CURSOR_PATTERN: &str = "^([no]-?[0-9]{1,16}|v[0-9]{1,18})_[0-9]{1,18}$";

impl Cursor {
    /// The text form.
    pub fn encode(&self) -> String {
        let tag = match self.order {
            KeysetOrder::Newest => 'n',
            KeysetOrder::Oldest => 'o',
            KeysetOrder::MostViewed => return format!("v{}_{}", self.views, self.id),
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
            'v' => {
                let (views, id) = chars.as_str().split_once('_')?;
                let number = |t: &str| {
                    (!t.is_empty() && t.len() <= 18 && t.bytes().all(|b| b.is_ascii_digit()))
                        .then(|| t.parse::<i64>().ok())
                        .flatten()
                };
                return Some(Cursor::most_viewed(number(views)?, number(id)?));
            }
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
            views: 0,
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
            views: 0,
        };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
        let v = Cursor::most_viewed(11636, 1);
        assert_eq!(v.encode(), "v11636_1");
        assert_eq!(Cursor::decode("v11636_1"), Some(v));
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
            "v_1",
            "v1_",
            "v-1_1",
            "v1_1_1",
            "v9999999999999999999_1",
        ] {
            assert_eq!(Cursor::decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_pattern_and_the_decoder_agree_at_the_limits() {
        // Largest values the pattern allows still decode.
        assert!(Cursor::decode("n9999999999999999_999999999999999999").is_some());
        assert!(Cursor::decode("o-9999999999999999_0").is_some());
        assert!(Cursor::decode("v999999999999999999_999999999999999999").is_some());
    }
}
