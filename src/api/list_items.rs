//! List items rendered once per article edit.
//!
//! A list page shows twenty articles, each as the same JSON every time
//! until the article is edited, except for its counters and the
//! `from_archive` flag. Reading every item's text and serialising it again
//! was most of an uncached list page's CPU (`perf`: row decoding 39%, JSON
//! 21%). Here each item's JSON is kept without those fields, named by the
//! article's last edit (`updated_at`, which every write to the article or
//! its tag and author lists moves) and the taxonomy snapshot's serial (a
//! rename changes the item). A list page then reads only each article's
//! stamp and counters, and the text of the articles not rendered yet.
//!
//! Entries cannot be stale, so nothing invalidates them and another node's
//! writes need no notice; they are dropped by size (least recently used).

use std::sync::Arc;

use chrono::NaiveDateTime;

use crate::api::v1::dto::ArticleDto;

/// What follows the kept part of an item: the live fields, last in
/// [`ArticleDto`]. Found from the end, as only numbers and booleans follow.
const LIVE_FIELDS: &[u8] = b",\"view_count\":";

/// Rendered list items by article id.
pub struct ListItems {
    cache: Option<moka::sync::Cache<i64, Arc<RenderedItem>>>,
}

/// One article edit's list item, without its live fields.
#[derive(Debug)]
pub struct RenderedItem {
    updated_at: NaiveDateTime,
    taxonomy: u64,
    comments_open: bool,
    /// The item's JSON up to its live fields (`{"id":…,"updated_at":"…"`).
    head: Box<[u8]>,
}

impl ListItems {
    /// A store of at most `max_bytes` of items (0: none is kept).
    pub fn new(max_bytes: u64) -> Self {
        ListItems {
            cache: (max_bytes > 0).then(|| {
                moka::sync::Cache::builder()
                    .max_capacity(max_bytes)
                    // The item's bytes, its record and moka's own (roughly).
                    .weigher(|_: &i64, item: &Arc<RenderedItem>| {
                        u32::try_from(item.head.len() + 160).unwrap_or(u32::MAX)
                    })
                    .build()
            }),
        }
    }

    /// Bytes the kept items weigh now (for `/metrics`).
    pub fn weighed_bytes(&self) -> u64 {
        self.cache.as_ref().map_or(0, |c| {
            // Counted once moka has applied the writes it queued.
            c.run_pending_tasks();
            c.weighted_size()
        })
    }

    /// Whether items are kept at all.
    pub fn enabled(&self) -> bool {
        self.cache.is_some()
    }

    /// The kept item of this edit of article `id`, if any.
    pub fn get(
        &self,
        id: i64,
        updated_at: NaiveDateTime,
        taxonomy: u64,
    ) -> Option<Arc<RenderedItem>> {
        let item = self.cache.as_ref()?.get(&id)?;
        (item.updated_at == updated_at && item.taxonomy == taxonomy).then_some(item)
    }

    /// Renders `dto` (a list item: no bodies, no highlight), keeps it as the
    /// edit `dto.updated_at` under the taxonomy `taxonomy`, and returns it.
    pub fn render(&self, dto: &ArticleDto, taxonomy: u64) -> Arc<RenderedItem> {
        let item = Arc::new(RenderedItem::of(dto, taxonomy));
        if let Some(cache) = &self.cache {
            cache.insert(dto.id, item.clone());
        }
        item
    }
}

impl RenderedItem {
    fn of(dto: &ArticleDto, taxonomy: u64) -> Self {
        let json = serde_json::to_vec(dto).unwrap_or_default();
        let end = memchr::memmem::rfind(&json, LIVE_FIELDS).unwrap_or(json.len());
        RenderedItem {
            updated_at: dto.updated_at.naive_utc(),
            taxonomy,
            comments_open: dto.comments_open,
            head: json[..end].into(),
        }
    }

    /// Writes the item with these live fields, as `serde_json` writes an
    /// [`ArticleDto`] without `highlight`.
    pub fn write(
        &self,
        out: &mut Vec<u8>,
        view_count: i64,
        comment_count: i64,
        from_archive: bool,
    ) {
        let mut numbers = itoa::Buffer::new();
        out.extend_from_slice(&self.head);
        out.extend_from_slice(LIVE_FIELDS);
        out.extend_from_slice(numbers.format(view_count).as_bytes());
        out.extend_from_slice(b",\"comment_count\":");
        out.extend_from_slice(numbers.format(comment_count).as_bytes());
        out.extend_from_slice(b",\"from_archive\":");
        out.extend_from_slice(if from_archive { b"true" } else { b"false" });
        out.extend_from_slice(b",\"comments_open\":");
        out.extend_from_slice(if self.comments_open {
            b"true"
        } else {
            b"false"
        });
        out.push(b'}');
    }

    /// Bytes [`write`](Self::write) adds, about.
    pub fn len_hint(&self) -> usize {
        self.head.len() + 96
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::v1::dto::{AuthorRef, ImageDto, SectionRef, SourceDto, TagRef};
    use crate::domain::article::TextDirection;

    fn item(title: &str, comments_open: bool) -> ArticleDto {
        let at = |s: &str| {
            chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f")
                .unwrap()
                .and_utc()
        };
        ArticleDto {
            id: 7,
            slug: "وزير-الدفاع".into(),
            title: title.into(),
            summary: "قال \"الوزير\" إن <التعاون> ضروري".into(),
            body_html: None,
            body_text: None,
            language: "ar".into(),
            dir: TextDirection::Rtl,
            section: SectionRef {
                id: 2,
                slug: "politics".into(),
                name: "سياسة".into(),
            },
            tags: vec![TagRef {
                slug: "iran".into(),
                name: "إيران".into(),
            }],
            byline: "فريق ماسة".into(),
            authors: vec![AuthorRef {
                id: 3,
                name: "ليلى".into(),
            }],
            source: Some(SourceDto {
                name: "الماسة السورية".into(),
                url: None,
            }),
            canonical_url: "https://khabar.example/articles/x".into(),
            image: Some(ImageDto {
                url: "https://img.example/a.jpg".into(),
                caption: None,
            }),
            published_at: at("2020-08-22 10:00:00"),
            updated_at: at("2020-08-22 10:05:00.123456"),
            view_count: 0,
            comment_count: 0,
            from_archive: false,
            comments_open,
            highlight: None,
        }
    }

    #[test]
    fn a_kept_item_with_its_live_fields_is_what_serde_writes() {
        let titles = [
            "وزير الدفاع الإيراني من موسكو",
            // The live fields' key inside a string is escaped, so it cannot be
            // taken for the field itself.
            r#"x,"view_count":1,"comment_count":2"#,
            "",
        ];
        for title in titles {
            for (views, comments, archived, open) in [
                (0, 0, false, true),
                (11_636, 3, true, false),
                (-1, i64::MAX, false, false),
            ] {
                let mut dto = item(title, open);
                let kept = RenderedItem::of(&dto, 1);
                dto.view_count = views;
                dto.comment_count = comments;
                dto.from_archive = archived;
                let mut written = Vec::new();
                kept.write(&mut written, views, comments, archived);
                assert_eq!(
                    String::from_utf8(written).unwrap(),
                    serde_json::to_string(&dto).unwrap(),
                    "{title:?}"
                );
            }
        }
    }

    #[test]
    fn an_item_is_found_only_for_the_same_edit_and_taxonomy() {
        let items = ListItems::new(1 << 20);
        let dto = item("عنوان", true);
        let edit = dto.updated_at.naive_utc();
        items.render(&dto, 5);
        assert!(items.get(7, edit, 5).is_some());
        assert!(items.get(7, edit, 6).is_none(), "a renamed tag or section");
        let later = edit + chrono::Duration::microseconds(1);
        assert!(items.get(7, later, 5).is_none(), "an edit");
        assert!(items.get(8, edit, 5).is_none(), "another article");
        let off = ListItems::new(0);
        assert!(!off.enabled());
        off.render(&dto, 5);
        assert!(off.get(7, edit, 5).is_none());
    }
}
