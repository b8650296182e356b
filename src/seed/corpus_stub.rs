use chrono::NaiveDateTime;
pub struct DemoSection {
    pub slug: &'static str,
    pub name: &'static str,
    pub description: &'static str,
}
pub struct DemoTag {
    pub slug: &'static str,
    pub name: &'static str,
}
pub struct DemoAuthor {
    pub slug: &'static str,
    pub name: &'static str,
    pub bio: &'static str,
}
pub fn sections() -> &'static [DemoSection] {
    &[DemoSection {
        slug: "politics",
        name: "سياسة",
        description: "",
    }]
}
pub fn tags() -> &'static [DemoTag] {
    &[DemoTag {
        slug: "damascus",
        name: "دمشق",
    }]
}
pub fn authors() -> &'static [DemoAuthor] {
    &[DemoAuthor {
        slug: "a",
        name: "ليلى",
        bio: "",
    }]
}
pub struct DemoArticle {
    pub title: String,
    pub summary: String,
    pub paragraphs: Vec<String>,
    pub section: usize,
    pub tags: Vec<usize>,
    pub authors: Vec<usize>,
    pub byline: String,
    pub source_name: String,
    pub published_at: NaiveDateTime,
    pub view_count: i64,
    pub draft: bool,
    pub comments_open: bool,
    pub image_caption: Option<String>,
}
pub fn generate(n: usize, seed: u64, now: NaiveDateTime) -> impl Iterator<Item = DemoArticle> {
    (0..n).map(move |i| DemoArticle {
        title: format!("عنوان {i}"),
        summary: "ملخص".into(),
        paragraphs: vec!["فقرة".into()],
        section: 0,
        tags: vec![0],
        authors: vec![0],
        byline: "ليلى".into(),
        source_name: "سانا".into(),
        published_at: now - chrono::Duration::hours(i as i64 + seed as i64),
        view_count: 1,
        draft: i % 10 == 3,
        comments_open: true,
        image_caption: None,
    })
}
