//! Feed items rendered once per article edit and format.
//!
//! A feed is fifty articles with their whole bodies; reading the bodies and
//! writing them as XML or JSON was most of an uncached feed's CPU (`perf`:
//! row decoding 49%, writing 31%). A feed item shows nothing that changes
//! without an edit (no counters), so each item is kept as the bytes its
//! format writes, named like a list item (see [`crate::api::list_items`]):
//! by the article's last edit and the taxonomy snapshot's serial. A feed
//! then reads only its articles' stamps, and the bodies of the articles
//! not rendered yet.

use std::sync::Arc;

use chrono::NaiveDateTime;

/// Rendered feed items by article id and format.
pub struct FeedItems {
    cache: Option<moka::sync::Cache<(i64, u8), Arc<FeedFragment>>>,
}

/// One article edit as one format's item.
#[derive(Debug)]
pub struct FeedFragment {
    updated_at: NaiveDateTime,
    taxonomy: u64,
    /// The item as its document writes it.
    pub bytes: Box<[u8]>,
}

impl FeedItems {
    /// A store of at most `max_bytes` of items (0: none is kept).
    pub fn new(max_bytes: u64) -> Self {
        FeedItems {
            cache: (max_bytes > 0).then(|| {
                moka::sync::Cache::builder()
                    .max_capacity(max_bytes)
                    .weigher(|_: &(i64, u8), item: &Arc<FeedFragment>| {
                        u32::try_from(item.bytes.len() + 128).unwrap_or(u32::MAX)
                    })
                    .build()
            }),
        }
    }

    /// Whether items are kept at all (`KHABAR_FEED_ITEM_CACHE_MB` > 0).
    pub fn enabled(&self) -> bool {
        self.cache.is_some()
    }

    /// Bytes the kept items weigh now (for `/metrics`).
    pub fn weighed_bytes(&self) -> u64 {
        self.cache.as_ref().map_or(0, |c| {
            // Counted once moka has applied the writes it queued.
            c.run_pending_tasks();
            c.weighted_size()
        })
    }

    /// The kept item of this edit of article `id` in `format`, if any.
    pub fn get(
        &self,
        id: i64,
        format: u8,
        updated_at: NaiveDateTime,
        taxonomy: u64,
    ) -> Option<Arc<FeedFragment>> {
        let item = self.cache.as_ref()?.get(&(id, format))?;
        (item.updated_at == updated_at && item.taxonomy == taxonomy).then_some(item)
    }

    /// Keeps `bytes` as the item of the edit `updated_at` of article `id`
    /// in `format`, rendered with the taxonomy `taxonomy`.
    pub fn keep(
        &self,
        id: i64,
        format: u8,
        updated_at: NaiveDateTime,
        taxonomy: u64,
        bytes: Vec<u8>,
    ) -> Arc<FeedFragment> {
        let item = Arc::new(FeedFragment {
            updated_at,
            taxonomy,
            bytes: bytes.into_boxed_slice(),
        });
        if let Some(cache) = &self.cache {
            cache.insert((id, format), item.clone());
        }
        item
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_item_is_found_only_for_the_same_edit_format_and_taxonomy() {
        let items = FeedItems::new(1 << 20);
        let edit = chrono::DateTime::from_timestamp(1_600_000_000, 0)
            .unwrap()
            .naive_utc();
        items.keep(7, 0, edit, 3, b"<item/>".to_vec());
        assert_eq!(&*items.get(7, 0, edit, 3).unwrap().bytes, b"<item/>");
        assert!(items.get(7, 1, edit, 3).is_none(), "another format");
        assert!(items.get(7, 0, edit, 4).is_none(), "a renamed term");
        let later = edit + chrono::Duration::microseconds(1);
        assert!(items.get(7, 0, later, 3).is_none(), "an edit");
        let off = FeedItems::new(0);
        off.keep(7, 0, edit, 3, b"<item/>".to_vec());
        assert!(off.get(7, 0, edit, 3).is_none());
    }
}
