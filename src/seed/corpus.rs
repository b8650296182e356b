//! Deterministic generator of a plausible Arabic demo news corpus.
//!
//! `khabar seed --articles N` uses this module to fill a fresh database with
//! believable Modern Standard Arabic news: sections, tags, authors and
//! articles whose text is assembled offline from hand-written templates and
//! word lists: the text files under `lexicon/` (format: `lexicon/README.md`),
//! compiled in with `include_str!` and parsed once. This module holds their
//! loader and the generator. The same `(n, seed, now)` always yields the same
//! articles for a given version of this module, its lexicon and `rand`.
//!
//! The lexicon's texts use a tiny template language:
//! - `{name}`: a named slot filled by the generator (`{city}`, `{pct}`, ...);
//!   `{#21}` prints the number 21 in the article's digit style;
//! - `{a~b~c}`: one alternative at random (alternatives may be empty and may
//!   contain nested groups);
//! - `{m|f}`: the masculine or feminine form, chosen by the grammatical
//!   gender of the sentence's current subject, e.g. `{قال|قالت}`.

use chrono::{Datelike, Months, NaiveDateTime, TimeDelta, Timelike};
use rand::rngs::SmallRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use std::sync::LazyLock;

// ---------------------------------------------------------------------------
// Public data types
// ---------------------------------------------------------------------------

/// A section of the demo site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoSection {
    /// URL slug: ASCII lowercase words joined by hyphens.
    pub slug: &'static str,
    /// Arabic display name.
    pub name: &'static str,
    /// Short Arabic description of the section.
    pub description: &'static str,
}

/// A tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoTag {
    /// URL slug: ASCII lowercase transliteration joined by hyphens; unique.
    pub slug: &'static str,
    /// Arabic display name; unique.
    pub name: &'static str,
}

/// An author.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoAuthor {
    /// URL slug: ASCII lowercase transliteration joined by hyphens; unique.
    pub slug: &'static str,
    /// Arabic full name.
    pub name: &'static str,
    /// Short Arabic biography.
    pub bio: &'static str,
}

/// One generated article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoArticle {
    /// Arabic headline, 5 to 12 words, without a trailing period.
    pub title: String,
    /// The lead: one or two Arabic sentences, not repeated in `paragraphs`.
    pub summary: String,
    /// 3 to 8 body paragraphs of 2 to 5 sentences each, following the lead.
    pub paragraphs: Vec<String>,
    /// Index into [`sections()`].
    pub section: usize,
    /// 0 to 4 distinct indices into [`tags()`].
    pub tags: Vec<usize>,
    /// 0 to 2 distinct indices into [`authors()`]; empty when the piece is
    /// credited only by its byline.
    pub authors: Vec<usize>,
    /// Credit line: the author names joined by " و", or a desk or agency
    /// name; never empty.
    pub byline: String,
    /// Where the piece comes from: the site itself or a news agency/paper.
    pub source_name: String,
    /// Publication time (UTC, whole seconds), within the twelve years before
    /// `now`, denser in recent years; articles come out oldest first.
    pub published_at: NaiveDateTime,
    /// Skewed view counter: mostly tens to hundreds, a few tens of thousands.
    pub view_count: i64,
    /// About 3% of the articles are unpublished drafts (with 0 views).
    pub draft: bool,
    /// About 90% of the articles accept comments.
    pub comments_open: bool,
    /// About half of the articles have an image; this is its Arabic caption.
    pub image_caption: Option<String>,
}

// ---------------------------------------------------------------------------
// The lexicon: text files under `lexicon/`, compiled in and parsed once
// ---------------------------------------------------------------------------

/// The sport section's index in `sections()` (the order of `SECTION_TEXTS`,
/// which the loader checks against `taxonomy.txt`).
const SPORT: usize = 2;

const TAXONOMY: &str = include_str!("lexicon/taxonomy.txt");
const PLACES: &str = include_str!("lexicon/places.txt");
const WORDS: &str = include_str!("lexicon/words.txt");
const PHRASES: &str = include_str!("lexicon/phrases.txt");
const STORIES: &str = include_str!("lexicon/stories.txt");

/// Each section's text, by slug, in section order.
const SECTION_TEXTS: [(&str, &str); 8] = [
    ("politics", include_str!("lexicon/sections/politics.txt")),
    ("economy", include_str!("lexicon/sections/economy.txt")),
    ("sport", include_str!("lexicon/sections/sport.txt")),
    ("culture", include_str!("lexicon/sections/culture.txt")),
    ("world", include_str!("lexicon/sections/world.txt")),
    ("local", include_str!("lexicon/sections/local.txt")),
    ("health", include_str!("lexicon/sections/health.txt")),
    (
        "technology",
        include_str!("lexicon/sections/technology.txt"),
    ),
];

static LEXICON: LazyLock<Lexicon> = LazyLock::new(Lexicon::load);

/// The sections of the demo site (8 of them; slugs are ASCII).
pub fn sections() -> &'static [DemoSection] {
    &LEXICON.sections
}

/// The demo tags (40 Arabic tags with unique ASCII slugs).
pub fn tags() -> &'static [DemoTag] {
    &LEXICON.tags
}

/// The demo authors (12 plausible Arabic names with short Arabic bios).
pub fn authors() -> &'static [DemoAuthor] {
    &LEXICON.authors
}

fn tag_index(name: &str) -> Option<usize> {
    if name.is_empty() {
        return None;
    }
    LEXICON.tags.iter().position(|t| t.name == name)
}

/// Everything the generator's text is made of (`lexicon/*.txt`).
struct Lexicon {
    sections: Vec<DemoSection>,
    /// Relative frequency of each section in the generated corpus.
    section_weights: Vec<u32>,
    tags: Vec<DemoTag>,
    authors: Vec<DemoAuthor>,
    /// The section each author usually writes for (parallel to `authors`).
    author_beats: Vec<usize>,
    domestic_places: Vec<Place>,
    world_places: Vec<Place>,
    countries: Vec<Country>,
    teams: Vec<Team>,
    male_names: Vec<&'static str>,
    female_names: Vec<&'static str>,
    family_names: Vec<&'static str>,
    /// Sunday first.
    weekdays: Vec<&'static str>,
    months: Vec<&'static str>,
    /// Feminine ordinals ("المرحلة", "الدورة").
    ordinals_f: Vec<&'static str>,
    /// Masculine ordinals ("المركز").
    ordinals_m: Vec<&'static str>,
    works: Vec<&'static str>,
    venues: Vec<&'static str>,
    bands: Vec<&'static str>,
    kg_items: Vec<&'static str>,
    advice: Vec<&'static str>,
    wards: Vec<&'static str>,
    /// Words a cut headline must not end with.
    dangling: Vec<&'static str>,
    sources: Vec<Source>,
    own_desk: &'static str,
    wire_byline: &'static str,
    when: &'static str,
    tail: &'static str,
    plan_tail: &'static str,
    directions: Vec<Direction>,
    /// Reported-speech sentences; always available (they use the story's quotes).
    quote_body: Vec<&'static str>,
    /// Cross-section sentences built on the section's issues, plans and goals.
    shared_body: Vec<&'static str>,
    /// Each section's text, parallel to `sections`.
    lexicons: Vec<Lex>,
}

struct Place {
    name: &'static str,
    /// Governorate the place belongs to (for governors, directorates...).
    gov: &'static str,
    /// Name of the tag an article located here gets (none if no such tag).
    tag: &'static str,
    weight: u32,
}

/// A country the national team or foreign ministers come from.
struct Country {
    capital: &'static str,
    /// Masculine, definite.
    nationality: &'static str,
}

/// A football club.
struct Team {
    name: &'static str,
    city: &'static str,
    ground: &'static str,
}

/// Where a piece comes from.
struct Source {
    name: &'static str,
    /// Whether it is this site itself.
    own: bool,
    domestic_weight: u32,
    world_weight: u32,
}

/// A slot whose phrase depends on whether the story's numbers go up.
struct Direction {
    slot: &'static str,
    up: &'static str,
    down: &'static str,
}

/// Grammatical gender of a subject: masculine, feminine, or that of the
/// article's featured person.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Gender {
    M,
    F,
    P,
}

type Subject = (&'static str, Gender);
/// A story-specific item (commodity, festival, crop...) and its tag name.
type Item = (&'static str, &'static str);

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Plain,
    Win,
    Draw,
}

/// One kind of story within a section: its headline and lead templates plus
/// the story-specific body sentences, subjects, quotes, items and tags.
#[derive(Clone)]
struct Story {
    weight: u32,
    kind: Kind,
    /// Whether the section-wide and cross-section body sentences fit.
    shared: bool,
    titles: Vec<&'static str>,
    leads: Vec<&'static str>,
    body: Vec<&'static str>,
    subjects: Vec<Subject>,
    quotes: Vec<&'static str>,
    items: Vec<Item>,
    tags: Vec<&'static str>,
    captions: Vec<&'static str>,
}

impl Default for Story {
    fn default() -> Self {
        Story {
            weight: 1,
            kind: Kind::Plain,
            shared: true,
            titles: Vec::new(),
            leads: Vec::new(),
            body: Vec::new(),
            subjects: Vec::new(),
            quotes: Vec::new(),
            items: Vec::new(),
            tags: Vec::new(),
            captions: Vec::new(),
        }
    }
}

/// Everything a section's text is made of.
struct Lex {
    /// Byline used for uncredited pieces written in-house.
    desk: &'static str,
    /// Whether the article is located abroad (`world_places`).
    world: bool,
    subjects: Vec<Subject>,
    /// Topics that can be discussed ("يبحث ...").
    issues: Vec<&'static str>,
    /// Feminine or definite noun phrases that can be launched or approved.
    plans: Vec<&'static str>,
    /// Verbs used with `plans`: present-tense stem (after ي/ت) and
    /// masculine past form (the feminine adds ت).
    plan_verbs: Vec<(&'static str, &'static str)>,
    /// Clauses that read well after «إن»/«أن» or inside «».
    quotes: Vec<&'static str>,
    /// Verbal nouns describing aims ("تحسين ...").
    goals: Vec<&'static str>,
    body: Vec<&'static str>,
    captions: Vec<&'static str>,
    tags: Vec<&'static str>,
    stories: Vec<Story>,
}

impl Lexicon {
    /// Parses the compiled-in files; panics on a malformed one (the unit
    /// tests load it, so a bad edit fails `cargo test`).
    fn load() -> Lexicon {
        let taxonomy = Doc::parse("taxonomy.txt", TAXONOMY);
        taxonomy.only(&[], &["sections", "tags", "authors"]);
        let mut sections = Vec::new();
        let mut section_weights = Vec::new();
        for &line in taxonomy.list("sections") {
            let [slug, weight, name, description] = taxonomy.fields(line, 4);
            sections.push(DemoSection {
                slug,
                name,
                description,
            });
            section_weights.push(taxonomy.number(weight));
        }
        let slugs: Vec<&str> = sections.iter().map(|s| s.slug).collect();
        let expected: Vec<&str> = SECTION_TEXTS.iter().map(|(slug, _)| *slug).collect();
        assert_eq!(slugs, expected, "taxonomy.txt: [sections] out of order");
        let tags = taxonomy
            .list("tags")
            .iter()
            .map(|&line| {
                let [slug, name] = taxonomy.fields(line, 2);
                DemoTag { slug, name }
            })
            .collect();
        let mut authors = Vec::new();
        let mut author_beats = Vec::new();
        for &line in taxonomy.list("authors") {
            let [slug, beat, name, bio] = taxonomy.fields(line, 4);
            authors.push(DemoAuthor { slug, name, bio });
            author_beats.push(
                slugs
                    .iter()
                    .position(|s| *s == beat)
                    .unwrap_or_else(|| taxonomy.fail(&format!("unknown section {beat:?}"))),
            );
        }

        let places = Doc::parse("places.txt", PLACES);
        places.only(&[], &["domestic", "abroad", "countries", "teams"]);
        let domestic_places = places
            .list("domestic")
            .iter()
            .map(|&line| {
                let [name, gov, weight] = places.fields(line, 3);
                Place {
                    name,
                    gov,
                    tag: gov,
                    weight: places.number(weight),
                }
            })
            .collect();
        let world_places = places
            .list("abroad")
            .iter()
            .map(|&line| {
                let [name, tag, weight] = places.fields(line, 1);
                Place {
                    name,
                    gov: name,
                    tag,
                    weight: places.number(weight),
                }
            })
            .collect();
        let countries = places
            .list("countries")
            .iter()
            .map(|&line| {
                let [capital, nationality] = places.fields(line, 2);
                Country {
                    capital,
                    nationality,
                }
            })
            .collect();
        let teams = places
            .list("teams")
            .iter()
            .map(|&line| {
                let [name, city, ground] = places.fields(line, 3);
                Team { name, city, ground }
            })
            .collect();

        let words = Doc::parse("words.txt", WORDS);
        let lists = [
            "male names",
            "female names",
            "family names",
            "weekdays",
            "months",
            "ordinals f",
            "ordinals m",
            "works",
            "venues",
            "bands",
            "kg items",
            "advice",
            "wards",
            "dangling",
            "sources",
            "own desk",
            "wire byline",
        ];
        words.only(&[], &lists);
        let weekdays = words.list("weekdays").to_vec();
        let months = words.list("months").to_vec();
        assert_eq!(weekdays.len(), 7, "words.txt: [weekdays]");
        assert_eq!(months.len(), 12, "words.txt: [months]");
        let sources = words
            .list("sources")
            .iter()
            .map(|&line| {
                let [name, own, domestic, world] = words.fields(line, 4);
                Source {
                    name,
                    own: words.choice(own, &["other", "own"]) == 1,
                    domestic_weight: words.number(domestic),
                    world_weight: words.number(world),
                }
            })
            .collect();

        let phrases = Doc::parse("phrases.txt", PHRASES);
        phrases.only(
            &[],
            &[
                "when",
                "tail",
                "plan tail",
                "direction",
                "quote body",
                "shared body",
            ],
        );
        let directions = phrases
            .list("direction")
            .iter()
            .map(|&line| {
                let [slot, up, down] = phrases.fields(line, 3);
                Direction { slot, up, down }
            })
            .collect();

        let stories = Doc::parse("stories.txt", STORIES);
        stories.only(&[], &[]);
        let generic: Vec<(&str, Story)> = stories
            .stories
            .iter()
            .map(|block| {
                let name = block
                    .attr("name")
                    .unwrap_or_else(|| stories.fail("a generic story without a name"));
                (name, stories.story(block, &[]))
            })
            .collect();

        let lexicons = SECTION_TEXTS
            .iter()
            .map(|&(slug, text)| Lex::parse(slug, text, &generic))
            .collect();

        Lexicon {
            sections,
            section_weights,
            tags,
            authors,
            author_beats,
            domestic_places,
            world_places,
            countries,
            teams,
            male_names: words.list("male names").to_vec(),
            female_names: words.list("female names").to_vec(),
            family_names: words.list("family names").to_vec(),
            weekdays,
            months,
            ordinals_f: words.list("ordinals f").to_vec(),
            ordinals_m: words.list("ordinals m").to_vec(),
            works: words.list("works").to_vec(),
            venues: words.list("venues").to_vec(),
            bands: words.list("bands").to_vec(),
            kg_items: words.list("kg items").to_vec(),
            advice: words.list("advice").to_vec(),
            wards: words.list("wards").to_vec(),
            dangling: words.list("dangling").to_vec(),
            sources,
            own_desk: words.single("own desk"),
            wire_byline: words.single("wire byline"),
            when: phrases.single("when"),
            tail: phrases.single("tail"),
            plan_tail: phrases.single("plan tail"),
            directions,
            quote_body: phrases.list("quote body").to_vec(),
            shared_body: phrases.list("shared body").to_vec(),
            lexicons,
        }
    }
}

impl Lex {
    /// A section's file (`lexicon/sections/<slug>.txt`).
    fn parse(slug: &'static str, text: &'static str, generic: &[(&str, Story)]) -> Lex {
        let doc = Doc::parse(slug, text);
        let lists = [
            "subjects",
            "issues",
            "plans",
            "plan verbs",
            "quotes",
            "goals",
            "body",
            "captions",
            "tags",
        ];
        doc.only(&["desk", "places"], &lists);
        let lex = Lex {
            desk: doc
                .head
                .attr("desk")
                .unwrap_or_else(|| doc.fail("no @desk")),
            world: doc.choice(
                doc.head
                    .attr("places")
                    .unwrap_or_else(|| doc.fail("no @places")),
                &["domestic", "abroad"],
            ) == 1,
            subjects: doc.subjects(doc.list("subjects")),
            issues: doc.list("issues").to_vec(),
            plans: doc.list("plans").to_vec(),
            plan_verbs: doc
                .list("plan verbs")
                .iter()
                .map(|&line| {
                    let [present, past] = doc.fields(line, 2);
                    (present, past)
                })
                .collect(),
            quotes: doc.list("quotes").to_vec(),
            goals: doc.list("goals").to_vec(),
            body: doc.list("body").to_vec(),
            captions: doc.list("captions").to_vec(),
            tags: doc.list("tags").to_vec(),
            stories: doc
                .stories
                .iter()
                .map(|block| doc.story(block, generic))
                .collect(),
        };
        for (what, empty) in [
            ("subjects", lex.subjects.is_empty()),
            ("issues", lex.issues.is_empty()),
            ("plans", lex.plans.is_empty()),
            ("plan verbs", lex.plan_verbs.is_empty()),
            ("quotes", lex.quotes.is_empty()),
            ("goals", lex.goals.is_empty()),
            ("captions", lex.captions.is_empty()),
            ("stories", lex.stories.is_empty()),
        ] {
            if empty {
                doc.fail(&format!("no {what}"));
            }
        }
        if lex
            .stories
            .iter()
            .any(|s| s.titles.is_empty() || s.leads.is_empty())
        {
            doc.fail("a story without titles or leads");
        }
        lex
    }
}

// ---------------------------------------------------------------------------
// The lexicon file format (`lexicon/README.md`)
// ---------------------------------------------------------------------------

/// One parsed lexicon file: directives and lists before the first `@story`,
/// then one block per story.
struct Doc {
    file: &'static str,
    head: Block,
    stories: Vec<Block>,
}

/// `@name value` directives (or a `@story` line's `key=value` attributes)
/// and `[name]` lists, in file order.
#[derive(Default)]
struct Block {
    attrs: Vec<(&'static str, &'static str)>,
    lists: Vec<(&'static str, Vec<&'static str>)>,
}

impl Block {
    fn attr(&self, key: &str) -> Option<&'static str> {
        self.attrs.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }
}

impl Doc {
    fn parse(file: &'static str, text: &'static str) -> Doc {
        let mut doc = Doc {
            file,
            head: Block::default(),
            stories: Vec::new(),
        };
        // Whether item lines may follow (a list is open).
        let mut open = false;
        for (n, raw) in text.lines().enumerate() {
            let line = raw.trim();
            let at = || format!("{file}:{}", n + 1);
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if line == "@story" || line.starts_with("@story ") {
                let rest = &line["@story".len()..];
                let mut block = Block::default();
                for attr in rest.split_whitespace() {
                    let (k, v) = attr
                        .split_once('=')
                        .unwrap_or_else(|| panic!("{}: expected key=value, got {attr:?}", at()));
                    block.attrs.push((k, v));
                }
                doc.stories.push(block);
                open = false;
                continue;
            }
            if let Some(rest) = line.strip_prefix('@') {
                let (name, value) = rest.split_once(' ').unwrap_or((rest, ""));
                if !doc.stories.is_empty() {
                    panic!("{}: @{name} after the first @story", at());
                }
                doc.head.attrs.push((name, value.trim()));
                open = false;
                continue;
            }
            let block = doc.stories.last_mut().unwrap_or(&mut doc.head);
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                if block.lists.iter().any(|(k, _)| *k == name) {
                    panic!("{}: [{name}] twice", at());
                }
                block.lists.push((name, Vec::new()));
                open = true;
            } else if open {
                if let Some((_, items)) = block.lists.last_mut() {
                    items.push(line);
                }
            } else {
                panic!("{}: {line:?} outside a list", at());
            }
        }
        doc
    }

    fn fail(&self, message: &str) -> ! {
        panic!("lexicon {}: {message}", self.file)
    }

    /// Rejects directives and lists other than these (stories are checked
    /// by `story`).
    fn only(&self, attrs: &[&str], lists: &[&str]) {
        for (k, _) in &self.head.attrs {
            if !attrs.contains(k) {
                self.fail(&format!("unknown @{k}"));
            }
        }
        for (k, _) in &self.head.lists {
            if !lists.contains(k) {
                self.fail(&format!("unknown list [{k}]"));
            }
        }
    }

    /// The items of a list before the first story (which must be there).
    fn list(&self, name: &str) -> &[&'static str] {
        self.head
            .lists
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, items)| items.as_slice())
            .unwrap_or_else(|| self.fail(&format!("no [{name}]")))
    }

    /// The only item of a list.
    fn single(&self, name: &str) -> &'static str {
        match self.list(name) {
            [one] => one,
            _ => self.fail(&format!("[{name}] must have exactly one item")),
        }
    }

    /// An item's `;`-separated fields, trimmed: at most `N`, missing
    /// trailing ones empty, the first `required` not empty.
    fn fields<const N: usize>(&self, line: &'static str, required: usize) -> [&'static str; N] {
        let mut out = [""; N];
        let mut parts = line.split(';');
        for field in out.iter_mut() {
            *field = parts.next().unwrap_or("").trim();
        }
        if parts.next().is_some() || out[..required].iter().any(|f| f.is_empty()) {
            self.fail(&format!("expected {N} fields in {line:?}"));
        }
        out
    }

    fn number(&self, s: &str) -> u32 {
        s.parse()
            .unwrap_or_else(|_| self.fail(&format!("not a number: {s:?}")))
    }

    /// The index of `s` among `options`.
    fn choice(&self, s: &str, options: &[&str]) -> usize {
        options
            .iter()
            .position(|o| *o == s)
            .unwrap_or_else(|| self.fail(&format!("{s:?} is not one of {options:?}")))
    }

    /// `text ; m|f|p` lines.
    fn subjects(&self, lines: &[&'static str]) -> Vec<Subject> {
        lines
            .iter()
            .map(|&line| {
                let [text, gender] = self.fields(line, 2);
                let g = [Gender::M, Gender::F, Gender::P][self.choice(gender, &["m", "f", "p"])];
                (text, g)
            })
            .collect()
    }

    /// A story: the generic one it is `like` (or the defaults), with this
    /// block's attributes and lists in place of the base's.
    fn story(&self, block: &Block, generic: &[(&str, Story)]) -> Story {
        let mut story = match block.attr("like") {
            Some(like) => generic
                .iter()
                .find(|(name, _)| *name == like)
                .map(|(_, s)| s.clone())
                .unwrap_or_else(|| self.fail(&format!("no generic story {like:?}"))),
            None => Story::default(),
        };
        for (k, v) in &block.attrs {
            match *k {
                "name" | "like" => {}
                "weight" => story.weight = self.number(v),
                "kind" => {
                    story.kind = [Kind::Plain, Kind::Win, Kind::Draw]
                        [self.choice(v, &["plain", "win", "draw"])]
                }
                "shared" => story.shared = self.choice(v, &["no", "yes"]) == 1,
                _ => self.fail(&format!("unknown story attribute {k:?}")),
            }
        }
        for (name, items) in &block.lists {
            match *name {
                "titles" => story.titles = items.clone(),
                "leads" => story.leads = items.clone(),
                "body" => story.body = items.clone(),
                "subjects" => story.subjects = self.subjects(items),
                "quotes" => story.quotes = items.clone(),
                "items" => {
                    story.items = items
                        .iter()
                        .map(|&line| {
                            let [text, tag] = self.fields(line, 1);
                            (text, tag)
                        })
                        .collect()
                }
                "tags" => story.tags = items.clone(),
                "captions" => story.captions = items.clone(),
                _ => self.fail(&format!("unknown story list [{name}]")),
            }
        }
        story
    }
}

// ---------------------------------------------------------------------------
// Generation
// ---------------------------------------------------------------------------

/// Deterministic: the same (n, seed, now) gives the same articles.
///
/// Yields exactly `n` articles lazily, oldest first, published within the
/// twelve years before `now` (UTC, whole seconds, never after `now`). Article
/// `i` is drawn from its own random stream seeded by `(seed, i)`; its date
/// (which also depends on `n` and `now`) feeds weekday, month and year
/// phrases in its text, so changing `n` or `now` changes the text too.
pub fn generate(n: usize, seed: u64, now: NaiveDateTime) -> impl Iterator<Item = DemoArticle> {
    Generator::new(n, seed, now)
}

struct Generator {
    n: usize,
    next: usize,
    seed: u64,
    start: NaiveDateTime,
    span_secs: i64,
}

impl Generator {
    fn new(n: usize, seed: u64, now: NaiveDateTime) -> Self {
        let end = now.with_nanosecond(0).unwrap_or(now);
        let lower = now.checked_sub_months(Months::new(12 * 12)).unwrap_or(end);
        // Round the lower bound up to a whole second so every date lies in
        // [now - 12 years, now].
        let start = if lower.nanosecond() == 0 {
            lower
        } else {
            lower.with_nanosecond(0).unwrap_or(lower) + TimeDelta::seconds(1)
        };
        let span_secs = (end - start).num_seconds().max(0);
        let start = if span_secs == 0 { end } else { start };
        Generator {
            n,
            next: 0,
            seed,
            start,
            span_secs,
        }
    }

    fn article(&self, i: usize) -> DemoArticle {
        let mut rng = SmallRng::seed_from_u64(splitmix(self.seed ^ splitmix(i as u64 + 1)));

        // Stratified dates: article i lies in the i-th quantile of a density
        // that grows towards `now` (CDF t^1.5), so the output is sorted.
        let u: f64 = rng.random();
        let q = ((i as f64 + u) / self.n as f64).clamp(0.0, 1.0);
        let t = q.powf(1.0 / 1.5);
        let secs = ((t * self.span_secs as f64) as i64).clamp(0, self.span_secs);
        let published_at = self.start + TimeDelta::seconds(secs);

        let lx: &'static Lexicon = &LEXICON;
        let section = weighted(&mut rng, &lx.section_weights, |w| *w);
        let lex = &lx.lexicons[section];
        let source = weighted(&mut rng, &lx.sources, |s| {
            if lex.world {
                s.world_weight
            } else {
                s.domestic_weight
            }
        });
        let mut c = Ctx::new(rng, section, source, published_at);

        let title = c.title();

        // The lead.
        let mut summary = String::with_capacity(512);
        let lead = *c
            .story
            .leads
            .choose(&mut c.rng)
            .expect("story without leads");
        c.sentence(lead, &mut summary, false, true);
        if c.rng.random_bool(0.4) {
            summary.push(' ');
            let tpl = c.pick_body();
            c.sentence(tpl, &mut summary, false, true);
        }

        // The body follows the lead (which it does not repeat), sized to the
        // material the story has so that no sentence is repeated: 3 to 8
        // paragraphs of 2 to 5 sentences each.
        let total = c
            .rng
            .random_range(6..=20usize)
            .min(c.material_left())
            .max(6);
        let most = (8usize).min(total / 2);
        let least = (3usize).max(total.div_ceil(5)).min(most);
        let n_paragraphs = c.rng.random_range(least..=most);
        let mut sizes = [2usize; 8];
        let mut left = total - 2 * n_paragraphs;
        while left > 0 && sizes[..n_paragraphs].iter().any(|&x| x < 5) {
            let k = c.rng.random_range(0..n_paragraphs);
            if sizes[k] < 5 {
                sizes[k] += 1;
                left -= 1;
            }
        }
        let mut paragraphs = Vec::with_capacity(n_paragraphs);
        for &k in &sizes[..n_paragraphs] {
            let mut p = String::with_capacity(256 * k);
            for s in 0..k {
                if s > 0 {
                    p.push(' ');
                }
                c.body_sentence(&mut p, s > 0);
            }
            paragraphs.push(p);
        }

        let image_caption = if c.rng.random_bool(0.5) {
            let pool = if c.story.captions.is_empty() {
                &lex.captions
            } else {
                &c.story.captions
            };
            let tpl = *pool.choose(&mut c.rng).expect("section without captions");
            c.use_main();
            let mut s = String::with_capacity(96);
            c.render(tpl, &mut s);
            Some(s)
        } else {
            None
        };

        let tags = c.tags();
        let (authors, byline) = c.credits(section);
        let draft = c.rng.random_bool(0.03);
        let comments_open = c.rng.random_bool(0.9);
        let view_count = if draft {
            0
        } else {
            let u: f64 = c.rng.random::<f64>().max(1e-6);
            let v = (22.0 * u.powf(-0.85)) as i64 + c.rng.random_range(0..15i64);
            v.min(2_000_000)
        };

        DemoArticle {
            title,
            summary,
            paragraphs,
            section,
            tags,
            authors,
            byline,
            source_name: lx.sources[source].name.to_string(),
            published_at,
            view_count,
            draft,
            comments_open,
            image_caption,
        }
    }
}

impl Iterator for Generator {
    type Item = DemoArticle;

    fn next(&mut self) -> Option<DemoArticle> {
        if self.next >= self.n {
            return None;
        }
        let a = self.article(self.next);
        self.next += 1;
        Some(a)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.n - self.next;
        (left, Some(left))
    }
}

fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn weighted<T>(rng: &mut SmallRng, items: &[T], weight: impl Fn(&T) -> u32) -> usize {
    let total: u32 = items.iter().map(&weight).sum();
    let mut r = rng.random_range(0..total);
    for (i, it) in items.iter().enumerate() {
        let w = weight(it);
        if r < w {
            return i;
        }
        r -= w;
    }
    items.len() - 1
}

/// Picks an index in `0..len` not yet marked in `mask` (starting over once
/// all are used), and marks it.
fn fresh(rng: &mut SmallRng, len: usize, mask: &mut u64) -> usize {
    let bits = len.min(64);
    let full = if bits == 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    if *mask & full == full {
        *mask = 0;
    }
    let start = rng.random_range(0..len);
    for d in 0..len {
        let k = (start + d) % len;
        if k >= 64 {
            return k;
        }
        if *mask & (1 << k) == 0 {
            *mask |= 1 << k;
            return k;
        }
    }
    start
}

fn digit(d: u8, eastern: bool) -> char {
    if eastern {
        char::from_u32(0x0660 + d as u32).unwrap_or('0')
    } else {
        (b'0' + d) as char
    }
}

fn push_int(out: &mut String, mut v: u64, eastern: bool) {
    let mut buf = [0u8; 20];
    let mut n = 0;
    loop {
        buf[n] = (v % 10) as u8;
        n += 1;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    for k in (0..n).rev() {
        out.push(digit(buf[k], eastern));
    }
}

/// A count of thousands (tens, never ending in 10: "210 آلاف" would need a
/// plural) to write before «ألف».
fn thousands(tens: u64) -> u64 {
    let v = tens * 10;
    if v % 100 == 10 {
        v + 10
    } else {
        v
    }
}

/// A percentage given in tenths: 125 → "12.5%" or "١٢٫٥٪".
fn push_pct(out: &mut String, tenths: u32, eastern: bool) {
    push_int(out, u64::from(tenths / 10), eastern);
    if !tenths.is_multiple_of(10) {
        out.push(if eastern { '٫' } else { '.' });
        out.push(digit((tenths % 10) as u8, eastern));
    }
    out.push(if eastern { '٪' } else { '%' });
}

/// Most alternatives a single `{a~b~...}` group may have, plus one.
const MAX_ALTERNATIVES: usize = 32;

/// Position of the next template metacharacter (`{`, `|`, `}`, `~`, which
/// are the consecutive bytes 0x7B..=0x7E) at or after `j`, eight bytes at a
/// time; `b.len()` if there is none.
#[inline]
fn next_special(b: &[u8], mut j: usize) -> usize {
    const L: u64 = 0x0101_0101_0101_0101;
    while j + 8 <= b.len() {
        let mut w = [0u8; 8];
        w.copy_from_slice(&b[j..j + 8]);
        let x = u64::from_le_bytes(w);
        // Exact per-byte test for 0x7A < byte < 0x7F (no carries between
        // bytes; bytes >= 0x80 never match).
        let low = x & (L * 127);
        let m = (L * 254).wrapping_sub(low) & !x & low.wrapping_add(L * 5) & (L * 128);
        if m != 0 {
            return j + (m.trailing_zeros() / 8) as usize;
        }
        j += 8;
    }
    while j < b.len() && !(0x7B..=0x7E).contains(&b[j]) {
        j += 1;
    }
    j
}

/// Per-article state: the chosen story and everything that must stay
/// consistent between the headline, the lead and the body.
struct Ctx {
    rng: SmallRng,
    lx: &'static Lexicon,
    lex: &'static Lex,
    story: &'static Story,
    eastern: bool,
    diacritics: bool,
    places: &'static [Place],
    place: usize,
    city: &'static str,
    gov: &'static str,
    city_tag: &'static str,
    country: usize,
    team: usize,
    team2: usize,
    score: (u64, u64),
    scorer: (usize, usize),
    person_fem: bool,
    person: (usize, usize),
    work: usize,
    venue: usize,
    rural: bool,
    item: usize,
    issue: usize,
    plan: usize,
    pverb: usize,
    mquote: usize,
    up: bool,
    ordinal: usize,
    pts: u64,
    pts2: u64,
    rank: usize,
    rank2: usize,
    kpct: u32,
    kbig: u64,
    kth: u64,
    ktemp: u64,
    gold: u64,
    delta: u64,
    mln: u64,
    n11: u64,
    days: u64,
    ward: usize,
    weekday: usize,
    month: usize,
    year: i32,
    source: usize,
    subj: String,
    subj_fem: bool,
    main: String,
    main_fem: bool,
    quote_mask: u64,
    issue_mask: u64,
    plan_mask: u64,
    story_mask: u64,
    lex_mask: u64,
    shared_mask: u64,
    qbody_mask: u64,
}

impl Ctx {
    fn new(mut rng: SmallRng, section: usize, source: usize, published: NaiveDateTime) -> Ctx {
        let lx: &'static Lexicon = &LEXICON;
        let lex = &lx.lexicons[section];
        let story = &lex.stories[weighted(&mut rng, &lex.stories, |s| s.weight)];
        let places: &'static [Place] = if lex.world {
            &lx.world_places
        } else {
            &lx.domestic_places
        };
        let mut place = weighted(&mut rng, places, |p| p.weight);

        let team = rng.random_range(0..lx.teams.len());
        let mut team2 = rng.random_range(0..lx.teams.len() - 1);
        if team2 >= team {
            team2 += 1;
        }
        if section == SPORT {
            let home = lx.teams[team].city;
            if let Some(p) = places.iter().position(|p| p.name == home) {
                place = p;
            }
        }
        let (city, gov, city_tag) = (places[place].name, places[place].gov, places[place].tag);

        let score = match story.kind {
            Kind::Draw => {
                let g = rng.random_range(1..=2u64);
                (g, g)
            }
            _ => {
                let w = rng.random_range(1..=4u64);
                (w, rng.random_range(0..w))
            }
        };
        let rank = rng.random_range(0..lx.ordinals_m.len());
        let mut rank2 = rng.random_range(0..lx.ordinals_m.len() - 1);
        if rank2 >= rank {
            rank2 += 1;
        }
        let person_fem = rng.random_bool(0.45);
        let first_len = if person_fem {
            lx.female_names.len()
        } else {
            lx.male_names.len()
        };
        let kpct = if rng.random_bool(0.6) {
            rng.random_range(1..=45u32) * 10
        } else {
            rng.random_range(5..=150u32)
        };

        let up = rng.random_bool(0.6);
        let ktemp = if up {
            rng.random_range(33..=46u64)
        } else {
            rng.random_range(11..=18u64)
        };
        let mut c = Ctx {
            eastern: rng.random_bool(0.25),
            diacritics: rng.random_bool(0.1),
            lx,
            lex,
            story,
            places,
            place,
            city,
            gov,
            city_tag,
            country: rng.random_range(0..lx.countries.len()),
            team,
            team2,
            score,
            scorer: (
                rng.random_range(0..lx.male_names.len()),
                rng.random_range(0..lx.family_names.len()),
            ),
            person_fem,
            person: (
                rng.random_range(0..first_len),
                rng.random_range(0..lx.family_names.len()),
            ),
            work: rng.random_range(0..lx.works.len()),
            venue: rng.random_range(0..lx.venues.len()),
            rural: rng.random_bool(0.5),
            item: if story.items.is_empty() {
                0
            } else {
                rng.random_range(0..story.items.len())
            },
            issue: rng.random_range(0..lex.issues.len()),
            plan: rng.random_range(0..lex.plans.len()),
            pverb: rng.random_range(0..lex.plan_verbs.len()),
            mquote: 0,
            up,
            ktemp,
            ordinal: rng.random_range(0..lx.ordinals_f.len()),
            pts: rng.random_range(11..=60u64),
            pts2: rng.random_range(11..=60u64),
            rank,
            rank2,
            kpct,
            kbig: rng.random_range(1..=80u64) * 100,
            kth: thousands(rng.random_range(2..=90u64)),
            gold: rng.random_range(250..=1600u64) * 1000,
            delta: rng.random_range(2..=40u64) * 500,
            mln: rng.random_range(3..=10u64),
            n11: rng.random_range(11..=30u64),
            days: rng.random_range(3..=10u64),
            ward: rng.random_range(0..lx.wards.len()),
            weekday: published.weekday().num_days_from_sunday() as usize,
            month: published.month0() as usize,
            year: published.year(),
            source,
            subj: String::with_capacity(128),
            subj_fem: false,
            main: String::with_capacity(128),
            main_fem: false,
            quote_mask: 0,
            issue_mask: 0,
            plan_mask: 0,
            story_mask: 0,
            lex_mask: 0,
            shared_mask: 0,
            qbody_mask: 0,
            rng,
        };
        c.mquote = c.rng.random_range(0..c.quotes().len());
        c.pick_main();
        c
    }

    fn quotes(&self) -> &'static [&'static str] {
        if self.story.quotes.is_empty() {
            &self.lex.quotes
        } else {
            &self.story.quotes
        }
    }

    fn subjects(&self) -> &'static [Subject] {
        if self.story.subjects.is_empty() {
            &self.lex.subjects
        } else {
            &self.story.subjects
        }
    }

    fn fem(&self, g: Gender) -> bool {
        match g {
            Gender::F => true,
            Gender::P => self.person_fem,
            Gender::M => false,
        }
    }

    /// Chooses and renders the article's main subject (also made current).
    fn pick_main(&mut self) {
        let (text, g) = *self.subjects().choose(&mut self.rng).expect("no subjects");
        self.subj_fem = self.fem(g);
        let mut s = std::mem::take(&mut self.main);
        s.clear();
        self.render(text, &mut s);
        self.main = s;
        self.main_fem = self.subj_fem;
        self.use_main();
    }

    /// Makes the main subject the current one.
    fn use_main(&mut self) {
        self.subj.clear();
        self.subj.push_str(&self.main);
        self.subj_fem = self.main_fem;
    }

    /// Chooses a random current subject (the main one about half the time).
    fn pick_subject(&mut self) {
        let pool = self.subjects();
        if pool.len() == 1 || self.rng.random_bool(0.6) {
            self.use_main();
            return;
        }
        let (text, g) = *pool.choose(&mut self.rng).expect("no subjects");
        self.subj_fem = self.fem(g);
        let mut s = std::mem::take(&mut self.subj);
        s.clear();
        self.render(text, &mut s);
        self.subj = s;
    }

    /// Renders the headline, retrying other slot values until it has 5 to 12
    /// words.
    fn title(&mut self) -> String {
        let mut t = String::with_capacity(200);
        for attempt in 0..24 {
            if attempt > 0 {
                self.issue = self.rng.random_range(0..self.lex.issues.len());
                self.plan = self.rng.random_range(0..self.lex.plans.len());
                self.mquote = self.rng.random_range(0..self.quotes().len());
                if !self.story.items.is_empty() {
                    self.item = self.rng.random_range(0..self.story.items.len());
                }
                self.pick_main();
            }
            self.use_main();
            t.clear();
            let tpl = *self
                .story
                .titles
                .choose(&mut self.rng)
                .expect("story without titles");
            self.render(tpl, &mut t);
            let words = t.split_whitespace().count();
            if (5..=12).contains(&words) {
                break;
            }
        }
        self.quote_mask = 1 << (self.mquote % 64);
        self.issue_mask = 1 << (self.issue % 64);
        self.plan_mask = 1 << (self.plan % 64);
        let words = t.split_whitespace().count();
        if words > 12 {
            // Last resort (about once in 100,000 articles): cut, then drop
            // dangling prepositions.
            let mut kept: Vec<&str> = t.split_whitespace().take(12).collect();
            while kept.len() > 5 && self.lx.dangling.contains(kept.last().unwrap_or(&"")) {
                kept.pop();
            }
            t = kept.join(" ");
        } else if words < 5 {
            t.push_str(" في ");
            t.push_str(self.city);
            t.push_str(" اليوم");
        }
        t.trim_end_matches(['.', '،', ' ']).to_string()
    }

    /// Picks a body sentence template, avoiding repeats within the article.
    /// Unused sentence templates left in each pool: story-specific,
    /// reported speech (bounded by the unused quotes), section-wide, shared.
    fn pools_left(&self) -> [usize; 4] {
        let unused = |len: usize, mask: u64| len.saturating_sub(mask.count_ones() as usize);
        let st = self.story;
        let quotes = unused(self.quotes().len(), self.quote_mask)
            .min(unused(self.lx.quote_body.len(), self.qbody_mask));
        let (lex, shared) = if st.shared {
            (
                unused(self.lex.body.len(), self.lex_mask),
                unused(self.lx.shared_body.len(), self.shared_mask),
            )
        } else {
            (0, 0)
        };
        [unused(st.body.len(), self.story_mask), quotes, lex, shared]
    }

    fn material_left(&self) -> usize {
        self.pools_left().iter().sum()
    }

    /// Picks a body sentence template, avoiding repeats within the article
    /// (once every pool is used up, templates start over).
    fn pick_body(&mut self) -> &'static str {
        const WEIGHTS: [u32; 4] = [40, 25, 20, 15];
        let left = self.pools_left();
        let total: u32 = (0..4).filter(|&k| left[k] > 0).map(|k| WEIGHTS[k]).sum();
        let pool = if total == 0 {
            if self.story.body.is_empty() {
                1
            } else {
                0
            }
        } else {
            let mut r = self.rng.random_range(0..total);
            let mut pool = 0;
            for k in 0..4 {
                if left[k] == 0 {
                    continue;
                }
                if r < WEIGHTS[k] {
                    pool = k;
                    break;
                }
                r -= WEIGHTS[k];
            }
            pool
        };
        let (st, lx, lex) = (self.story, self.lx, self.lex);
        let rng = &mut self.rng;
        match pool {
            0 => st.body[fresh(rng, st.body.len(), &mut self.story_mask)],
            1 => lx.quote_body[fresh(rng, lx.quote_body.len(), &mut self.qbody_mask)],
            2 => lex.body[fresh(rng, lex.body.len(), &mut self.lex_mask)],
            _ => lx.shared_body[fresh(rng, lx.shared_body.len(), &mut self.shared_mask)],
        }
    }

    fn body_sentence(&mut self, out: &mut String, may_join: bool) {
        let tpl = self.pick_body();
        let join = may_join && self.rng.random_bool(0.55);
        self.sentence(tpl, out, join, false);
    }

    /// Renders one sentence ending with a period, optionally joined to the
    /// previous one with «و».
    fn sentence(&mut self, tpl: &'static str, out: &mut String, join: bool, main: bool) {
        if main {
            self.use_main();
        } else {
            self.pick_subject();
        }
        if join {
            out.push('و');
        }
        self.render(tpl, out);
        out.push('.');
    }

    /// Renders a template: literal text is copied, `{...}` groups are
    /// resolved (see the module documentation).
    fn render(&mut self, tpl: &'static str, out: &mut String) {
        let b = tpl.as_bytes();
        let mut rest_start = 0;
        loop {
            // Outside groups a template has no metacharacter but `{`.
            let open = next_special(b, rest_start);
            if open == b.len() {
                break;
            }
            debug_assert_eq!(b[open], b'{', "stray metacharacter in {tpl:?}");
            out.push_str(&tpl[rest_start..open]);
            // One pass to the matching brace, noting top-level separators.
            let mut seps = [0usize; MAX_ALTERNATIVES];
            let (mut n, mut by_gender, mut depth) = (0usize, false, 0usize);
            let mut j = open + 1;
            loop {
                j = next_special(b, j);
                let c = b[j];
                match c {
                    b'{' => depth += 1,
                    b'}' if depth == 0 => break,
                    b'}' => depth -= 1,
                    b'~' | b'|' if depth == 0 => {
                        by_gender = c == b'|';
                        seps[n] = j;
                        n += 1;
                    }
                    _ => {}
                }
                j += 1;
            }
            let close = j;
            if n == 0 {
                self.slot(&tpl[open + 1..close], out);
            } else {
                let k = if by_gender {
                    usize::from(self.subj_fem).min(n)
                } else {
                    self.rng.random_range(0..=n)
                };
                let from = if k == 0 { open + 1 } else { seps[k - 1] + 1 };
                let to = if k == n { close } else { seps[k] };
                self.render(&tpl[from..to], out);
            }
            rest_start = close + 1;
        }
        out.push_str(&tpl[rest_start..]);
    }

    fn other_place(&mut self) -> &'static str {
        let len = self.places.len();
        let mut k = self.rng.random_range(0..len - 1);
        if k >= self.place {
            k += 1;
        }
        self.places[k].name
    }

    fn other_team(&mut self) -> &'static str {
        loop {
            let k = self.rng.random_range(0..self.lx.teams.len());
            if k != self.team && k != self.team2 {
                return self.lx.teams[k].name;
            }
        }
    }

    fn random_pct(&mut self) -> u32 {
        if self.rng.random_bool(0.6) {
            self.rng.random_range(1..=45u32) * 10
        } else {
            self.rng.random_range(5..=150u32)
        }
    }

    fn dir(&self, up: &'static str, down: &'static str) -> &'static str {
        if self.up {
            up
        } else {
            down
        }
    }

    fn slot(&mut self, name: &'static str, out: &mut String) {
        let e = self.eastern;
        let lx = self.lx;
        match name {
            "subj" => out.push_str(&self.subj),
            "main" => out.push_str(&self.main),
            "city" => out.push_str(self.city),
            "gov" => out.push_str(self.gov),
            "where" => {
                out.push_str(if self.rural {
                    "بريف "
                } else {
                    "في مدينة "
                });
                out.push_str(self.city);
            }
            "city2" => {
                let c = self.other_place();
                out.push_str(c);
            }
            "fcity" => out.push_str(lx.countries[self.country].capital),
            "nat" => out.push_str(lx.countries[self.country].nationality),
            "when" => self.render(lx.when, out),
            "tail" => self.render(lx.tail, out),
            "ptail" => self.render(lx.plan_tail, out),
            "wd" => out.push_str(lx.weekdays[self.weekday]),
            "wdprev" => out.push_str(lx.weekdays[(self.weekday + 6) % 7]),
            "wdnext" => out.push_str(lx.weekdays[(self.weekday + 1) % 7]),
            "month" => out.push_str(lx.months[self.month]),
            "year" => push_int(out, self.year.max(0) as u64, e),
            "prevyear" => push_int(out, (self.year - 1).max(0) as u64, e),
            "nextyear" => push_int(out, (self.year + 1).max(0) as u64, e),
            "pct" => {
                let t = self.random_pct();
                push_pct(out, t, e);
            }
            "kpct" => push_pct(out, self.kpct, e),
            "big" => {
                let v = self.rng.random_range(1..=60u64) * 100;
                push_int(out, v, e);
            }
            "th" => {
                let v = thousands(self.rng.random_range(2..=90u64));
                push_int(out, v, e);
            }
            "kth" => push_int(out, self.kth, e),
            "kbig" => push_int(out, self.kbig, e),
            "ktemp" => push_int(out, self.ktemp, e),
            "num" => {
                let v = self.rng.random_range(3..=10u64);
                push_int(out, v, e);
            }
            "days" => push_int(out, self.days, e),
            "n11" => push_int(out, self.n11, e),
            "mln" => push_int(out, self.mln, e),
            "mil" => {
                let v = if self.rng.random_bool(0.6) {
                    self.rng.random_range(11..=99u64)
                } else {
                    self.rng.random_range(1..=9u64) * 100
                };
                push_int(out, v, e);
            }
            "price" => {
                let v = self.rng.random_range(20..=1500u64) * 100;
                push_int(out, v, e);
            }
            "rate" => {
                let v = self.rng.random_range(45..=140u64) * 100;
                push_int(out, v, e);
            }
            "gold" => push_int(out, self.gold, e),
            "gold18" => push_int(out, self.gold * 18 / 21 / 1000 * 1000, e),
            "delta" => push_int(out, self.delta, e),
            "ounce" => {
                let v = self.rng.random_range(120..=270u64) * 10;
                push_int(out, v, e);
            }
            "temps" => {
                let lo = self.rng.random_range(11..=35u64);
                let hi = lo + self.rng.random_range(3..=8u64);
                push_int(out, lo, e);
                out.push_str(" و");
                push_int(out, hi, e);
            }
            "pages" => {
                let v = self.rng.random_range(24..=105u64) * 4;
                push_int(out, v, e);
            }
            "rankn" => {
                let v = self.rng.random_range(80..=160u64);
                push_int(out, v, e);
            }
            "minute" => {
                let v = self.rng.random_range(5..=45u64);
                push_int(out, v, e);
            }
            "minute2" => {
                let v = self.rng.random_range(46..=90u64);
                push_int(out, v, e);
            }
            "pts" => push_int(out, self.pts, e),
            "pts2" => push_int(out, self.pts2, e),
            "rank" => out.push_str(lx.ordinals_m[self.rank]),
            "rank2" => out.push_str(lx.ordinals_m[self.rank2]),
            "ordinal" => out.push_str(lx.ordinals_f[self.ordinal]),
            "score" => {
                push_int(out, self.score.0, e);
                out.push('-');
                push_int(out, self.score.1, e);
            }
            "team" => out.push_str(lx.teams[self.team].name),
            "team2" => out.push_str(lx.teams[self.team2].name),
            "team3" => {
                let t = self.other_team();
                out.push_str(t);
            }
            "stadium" => out.push_str(lx.teams[self.team].ground),
            "scorer" => {
                out.push_str(lx.male_names[self.scorer.0]);
                out.push(' ');
                out.push_str(lx.family_names[self.scorer.1]);
            }
            "person" => {
                let first = if self.person_fem {
                    lx.female_names[self.person.0]
                } else {
                    lx.male_names[self.person.0]
                };
                out.push_str(first);
                out.push(' ');
                out.push_str(lx.family_names[self.person.1]);
            }
            "man" => {
                let first = *lx.male_names.choose(&mut self.rng).unwrap_or(&"محمد");
                let last = *lx.family_names.choose(&mut self.rng).unwrap_or(&"العلي");
                out.push_str(first);
                out.push(' ');
                out.push_str(last);
            }
            "work" => out.push_str(lx.works[self.work]),
            "venue" => self.render(lx.venues[self.venue], out),
            "band" => out.push_str(lx.bands.choose(&mut self.rng).unwrap_or(&lx.bands[0])),
            "kg" => out.push_str(lx.kg_items.choose(&mut self.rng).unwrap_or(&lx.kg_items[0])),
            "advice" => out.push_str(lx.advice.choose(&mut self.rng).unwrap_or(&lx.advice[0])),
            "ward" => out.push_str(lx.wards[self.ward]),
            "src" => out.push_str(lx.sources[self.source].name),
            "issue" => {
                let t = self.lex.issues[self.issue];
                self.render(t, out);
            }
            "issue2" => {
                let k = fresh(&mut self.rng, self.lex.issues.len(), &mut self.issue_mask);
                let t = self.lex.issues[k];
                self.render(t, out);
            }
            "plan" => {
                let t = self.lex.plans[self.plan];
                self.render(t, out);
            }
            "plan2" => {
                let k = fresh(&mut self.rng, self.lex.plans.len(), &mut self.plan_mask);
                let t = self.lex.plans[k];
                self.render(t, out);
            }
            "pv" => out.push_str(self.lex.plan_verbs[self.pverb].0),
            "pvp" => out.push_str(self.lex.plan_verbs[self.pverb].1),
            "goal" => {
                let t = *self.lex.goals.choose(&mut self.rng).expect("no goals");
                self.render(t, out);
            }
            "quote" => {
                let q = self.quotes();
                let k = fresh(&mut self.rng, q.len(), &mut self.quote_mask);
                self.render(q[k], out);
            }
            "mquote" => {
                let t = self.quotes()[self.mquote];
                self.render(t, out);
            }
            "item" => {
                let t = self.story.items[self.item].0;
                self.render(t, out);
            }
            "inna" => {
                let shadda = self.diacritics && self.rng.random_bool(0.6);
                out.push_str(if shadda { "إنّ" } else { "إن" });
            }
            _ if name.starts_with('#') => {
                for b in name.bytes().skip(1) {
                    out.push(digit(b.wrapping_sub(b'0') % 10, e));
                }
            }
            _ => match lx.directions.iter().find(|d| d.slot == name) {
                // `dirn`, `dirv`, `reason`, ...: see `phrases.txt`.
                Some(d) => self.render(self.dir(d.up, d.down), out),
                None => {
                    debug_assert!(false, "unknown template slot {{{name}}}");
                    out.push_str(name);
                }
            },
        }
    }

    /// 0 to 4 distinct tags: the story item's, the place's and topical ones.
    fn tags(&mut self) -> Vec<usize> {
        let mut tags = Vec::with_capacity(4);
        if self.rng.random_range(0..100u32) < 7 {
            return tags;
        }
        let add = |tags: &mut Vec<usize>, name: &str| {
            if let Some(i) = tag_index(name) {
                if tags.len() < 4 && !tags.contains(&i) {
                    tags.push(i);
                }
            }
        };
        if !self.story.items.is_empty() && self.rng.random_bool(0.9) {
            add(&mut tags, self.story.items[self.item].1);
        }
        if self.rng.random_bool(0.75) {
            add(&mut tags, self.city_tag);
        }
        // Stories about a specific item only get the item's own tag plus
        // their explicit tags; others fall back on the section's tags.
        let pool = if !self.story.tags.is_empty() || !self.story.items.is_empty() {
            &self.story.tags
        } else {
            &self.lex.tags
        };
        if !pool.is_empty() {
            let extra = self.rng.random_range(0..=2u32);
            for _ in 0..extra {
                let name = *pool.choose(&mut self.rng).unwrap_or(&"");
                add(&mut tags, name);
            }
        }
        tags
    }

    /// Authors (0 to 2 distinct, usually from the section's beat) and byline.
    fn credits(&mut self, section: usize) -> (Vec<usize>, String) {
        let lx = self.lx;
        let own = lx.sources[self.source].own;
        let r = self.rng.random_range(0..100u32);
        let count = match (own, r) {
            (true, 0..=19) => 0,
            (true, 20..=87) => 1,
            (true, _) => 2,
            (false, 0..=84) => 0,
            (false, _) => 1,
        };
        let mut authors: Vec<usize> = Vec::with_capacity(count);
        while authors.len() < count {
            let on_beat = lx.author_beats.iter().filter(|&&b| b == section).count();
            let candidate = if on_beat > 0 && self.rng.random_bool(0.7) {
                let k = self.rng.random_range(0..on_beat);
                lx.author_beats
                    .iter()
                    .enumerate()
                    .filter(|(_, &b)| b == section)
                    .nth(k)
                    .map(|(i, _)| i)
                    .unwrap_or(0)
            } else {
                self.rng.random_range(0..lx.authors.len())
            };
            if !authors.contains(&candidate) {
                authors.push(candidate);
            }
        }
        let byline = if !authors.is_empty() {
            let mut s = String::with_capacity(48);
            for (k, &a) in authors.iter().enumerate() {
                if k > 0 {
                    s.push_str(" و");
                }
                s.push_str(lx.authors[a].name);
            }
            s
        } else if own {
            (if self.rng.random_bool(0.5) {
                lx.own_desk
            } else {
                self.lex.desk
            })
            .to_string()
        } else if self.rng.random_bool(0.7) {
            lx.sources[self.source].name.to_string()
        } else {
            lx.wire_byline.to_string()
        };
        (authors, byline)
    }
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use std::collections::HashSet;

    fn section_index(slug: &str) -> usize {
        sections().iter().position(|s| s.slug == slug).unwrap()
    }

    fn now() -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2025, 3, 14)
            .unwrap()
            .and_hms_nano_opt(9, 26, 53, 589_793_238)
            .unwrap()
    }

    fn is_slug(s: &str) -> bool {
        !s.is_empty()
            && s.split('-').all(|part| {
                !part.is_empty()
                    && part
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            })
    }

    fn is_arabic_letter(c: char) -> bool {
        ('\u{0600}'..='\u{06FF}').contains(&c)
    }

    fn sentence_count(p: &str) -> usize {
        p.matches(". ").count() + usize::from(p.ends_with('.'))
    }

    fn all_text(a: &DemoArticle) -> String {
        let mut s = a.title.clone();
        s.push('\n');
        s.push_str(&a.summary);
        for p in &a.paragraphs {
            s.push('\n');
            s.push_str(p);
        }
        if let Some(c) = &a.image_caption {
            s.push('\n');
            s.push_str(c);
        }
        s
    }

    #[test]
    fn deterministic_for_same_inputs() {
        let a: Vec<String> = generate(50, 42, now()).map(|a| a.title).collect();
        let b: Vec<String> = generate(50, 42, now()).map(|a| a.title).collect();
        assert_eq!(a.len(), 50);
        assert_eq!(a, b);
        let full_a: Vec<DemoArticle> = generate(20, 7, now()).collect();
        let full_b: Vec<DemoArticle> = generate(20, 7, now()).collect();
        assert_eq!(full_a, full_b);
        // A different seed gives a different corpus.
        let c: Vec<String> = generate(50, 43, now()).map(|a| a.title).collect();
        let same = a.iter().zip(&c).filter(|(x, y)| x == y).count();
        assert!(same < 10, "{same} of 50 titles identical across seeds");
        // A different `now` moves the dates but keeps the sections.
        let later = now() + TimeDelta::days(400);
        let e: Vec<usize> = generate(50, 42, later).map(|a| a.section).collect();
        let f: Vec<usize> = generate(50, 42, now()).map(|a| a.section).collect();
        assert_eq!(e, f);
    }

    #[test]
    fn dates_within_twelve_years_whole_seconds_and_sorted() {
        let now = now();
        let lower = now.checked_sub_months(Months::new(144)).unwrap();
        let articles: Vec<DemoArticle> = generate(5_000, 3, now).collect();
        let mut prev = None;
        for a in &articles {
            assert!(a.published_at >= lower, "{} before {lower}", a.published_at);
            assert!(a.published_at <= now, "{} after {now}", a.published_at);
            assert_eq!(a.published_at.nanosecond(), 0);
            if let Some(p) = prev {
                assert!(a.published_at >= p, "not chronological");
            }
            prev = Some(a.published_at);
        }
        // Spread over the whole window, denser in recent years.
        let first = articles.first().unwrap().published_at;
        let last = articles.last().unwrap().published_at;
        assert!(first < lower + TimeDelta::days(120), "oldest is {first}");
        assert!(last > now - TimeDelta::days(30), "newest is {last}");
        let mid = lower + (now - lower) / 2;
        let recent = articles.iter().filter(|a| a.published_at >= mid).count();
        assert!(
            recent > 2_900 && recent < 4_000,
            "{recent} of 5000 in the recent half"
        );
        // Also holds for a tiny corpus and a `now` without sub-seconds.
        let exact = NaiveDate::from_ymd_opt(2024, 2, 29)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap();
        for a in generate(3, 9, exact) {
            assert!(a.published_at <= exact);
            assert!(a.published_at >= exact.checked_sub_months(Months::new(144)).unwrap());
        }
        assert_eq!(generate(0, 1, now).count(), 0);
    }

    #[test]
    fn indices_in_range_and_distinct() {
        for a in generate(3_000, 11, now()) {
            assert!(a.section < sections().len());
            assert!(a.tags.len() <= 4);
            assert!(a.tags.iter().all(|&t| t < tags().len()));
            assert_eq!(a.tags.iter().collect::<HashSet<_>>().len(), a.tags.len());
            assert!(a.authors.len() <= 2);
            assert!(a.authors.iter().all(|&x| x < authors().len()));
            assert_eq!(
                a.authors.iter().collect::<HashSet<_>>().len(),
                a.authors.len()
            );
            assert!(!a.byline.trim().is_empty());
            assert!(!a.source_name.is_empty());
            if !a.authors.is_empty() {
                let names: Vec<&str> = a.authors.iter().map(|&i| authors()[i].name).collect();
                assert_eq!(a.byline, names.join(" و"));
            }
            assert!(a.view_count >= 0);
        }
    }

    #[test]
    fn slugs_unique_and_well_formed() {
        let mut seen = HashSet::new();
        for s in sections() {
            assert!(is_slug(s.slug), "bad slug {}", s.slug);
            assert!(seen.insert(s.slug), "duplicate {}", s.slug);
            assert!(!s.name.is_empty() && !s.description.is_empty());
        }
        let mut slugs = HashSet::new();
        let mut names = HashSet::new();
        for t in tags() {
            assert!(is_slug(t.slug), "bad slug {}", t.slug);
            assert!(slugs.insert(t.slug), "duplicate {}", t.slug);
            assert!(names.insert(t.name), "duplicate {}", t.name);
            assert!(t.name.chars().any(is_arabic_letter));
        }
        assert!((30..=40).contains(&tags().len()));
        let mut slugs = HashSet::new();
        for a in authors() {
            assert!(is_slug(a.slug), "bad slug {}", a.slug);
            assert!(slugs.insert(a.slug), "duplicate {}", a.slug);
            assert!(a.name.chars().any(is_arabic_letter) && !a.bio.is_empty());
        }
        assert_eq!(sections().len(), 8);
        assert_eq!(authors().len(), 12);
        assert!(!is_slug("Bad-Slug") && !is_slug("a--b") && !is_slug("-a") && !is_slug("a b"));
    }

    #[test]
    fn every_referenced_tag_and_place_exists() {
        let lx: &Lexicon = &LEXICON;
        for lex in &lx.lexicons {
            for name in &lex.tags {
                assert!(tag_index(name).is_some(), "unknown tag {name}");
            }
            for story in &lex.stories {
                assert!(!story.titles.is_empty() && !story.leads.is_empty());
                for name in &story.tags {
                    assert!(tag_index(name).is_some(), "unknown tag {name}");
                }
                for (_, name) in &story.items {
                    assert!(
                        name.is_empty() || tag_index(name).is_some(),
                        "unknown tag {name}"
                    );
                }
            }
        }
        for p in lx.world_places.iter() {
            assert!(
                p.tag.is_empty() || tag_index(p.tag).is_some(),
                "unknown tag {}",
                p.tag
            );
        }
        let tagged = lx
            .domestic_places
            .iter()
            .filter(|p| tag_index(p.tag).is_some())
            .count();
        assert!(tagged >= lx.domestic_places.len() / 2);
        for p in lx.domestic_places.iter() {
            assert!(lx.domestic_places.iter().any(|q| q.name == p.gov) || p.gov == "ريف دمشق");
        }
        for team in &lx.teams {
            assert!(
                lx.domestic_places.iter().any(|p| p.name == team.city),
                "unknown city {}",
                team.city
            );
        }
    }

    #[test]
    fn lexicon_format_parses_lists_fields_and_stories() {
        let doc = Doc::parse(
            "sample",
            "# a comment\n@desk المحرر\n\n[subjects]\n  الوزير ; m \n# between items\nالوزارة;f\n\
             [tags]\n@story weight=3 like=base shared=no\n[titles]\n{main} {ي|ت}علن\n",
        );
        assert_eq!(doc.head.attr("desk"), Some("المحرر"));
        assert_eq!(doc.list("tags"), &[] as &[&str]);
        let subjects = doc.subjects(doc.list("subjects"));
        assert_eq!(subjects.len(), 2);
        assert!(subjects[0] == ("الوزير", Gender::M) && subjects[1] == ("الوزارة", Gender::F));
        let base = Story {
            quotes: vec!["قول"],
            ..Story::default()
        };
        let story = doc.story(&doc.stories[0], &[("base", base)]);
        assert_eq!((story.weight, story.shared), (3, false));
        assert_eq!(story.titles, ["{main} {ي|ت}علن"]);
        assert_eq!(story.quotes, ["قول"]);
        let [text, tag] = doc.fields("نص ; ", 1);
        assert_eq!((text, tag), ("نص", ""));
    }

    #[test]
    #[should_panic(expected = "sample:2: \"orphan\" outside a list")]
    fn lexicon_items_need_a_list() {
        Doc::parse("sample", "# header\norphan\n");
    }

    #[test]
    fn titles_are_arabic_headlines() {
        for a in generate(5_000, 5, now()) {
            let t = &a.title;
            assert!(!t.trim().is_empty());
            assert!(!t.ends_with('.'), "trailing period: {t}");
            let words = t.split_whitespace().count();
            assert!((5..=12).contains(&words), "{words} words: {t}");
            let letters: Vec<char> = t.chars().filter(|c| c.is_alphabetic()).collect();
            let arabic = letters.iter().filter(|&&c| is_arabic_letter(c)).count();
            assert!(
                arabic > 0 && arabic * 10 >= letters.len() * 9,
                "not Arabic: {t}"
            );
        }
    }

    #[test]
    fn text_is_well_formed() {
        for a in generate(3_000, 8, now()) {
            assert!((3..=8).contains(&a.paragraphs.len()));
            let lead = sentence_count(&a.summary);
            assert!(
                (1..=2).contains(&lead),
                "{lead} lead sentences: {}",
                a.summary
            );
            let first_lead = a.summary.split(". ").next().unwrap_or("");
            assert!(!a.paragraphs.iter().any(|p| p.contains(first_lead)));
            for p in &a.paragraphs {
                let n = sentence_count(p);
                assert!((2..=5).contains(&n), "{n} sentences: {p}");
                assert!(p.ends_with('.'));
            }
            let text = all_text(&a);
            for bad in ["{", "}", "~", "|", "  ", " ،", " .", " و ", "و«", "..."] {
                assert!(!text.contains(bad), "{bad:?} in: {text}");
            }
            for line in text.lines() {
                assert_eq!(line, line.trim(), "untrimmed: {line:?}");
            }
            if let Some(c) = &a.image_caption {
                assert!(!c.is_empty());
            }
        }
    }

    #[test]
    fn titles_mostly_distinct() {
        let titles: Vec<String> = generate(10_000, 2024, now()).map(|a| a.title).collect();
        let distinct = titles.iter().collect::<HashSet<_>>().len();
        assert!(
            distinct * 10 >= titles.len() * 9,
            "only {distinct} distinct titles in 10000"
        );
    }

    #[test]
    fn hundred_articles_cover_all_sections() {
        for seed in [0, 1, 2, 42, 2025] {
            let seen: HashSet<usize> = generate(100, seed, now()).map(|a| a.section).collect();
            assert_eq!(seen.len(), sections().len(), "seed {seed}");
        }
    }

    #[test]
    fn flags_and_counters_have_plausible_distributions() {
        let articles: Vec<DemoArticle> = generate(10_000, 99, now()).collect();
        let drafts = articles.iter().filter(|a| a.draft).count();
        assert!((150..=500).contains(&drafts), "{drafts} drafts");
        let open = articles.iter().filter(|a| a.comments_open).count();
        assert!((8_600..=9_400).contains(&open), "{open} open");
        let images = articles
            .iter()
            .filter(|a| a.image_caption.is_some())
            .count();
        assert!((4_500..=5_500).contains(&images), "{images} images");
        let mut views: Vec<i64> = articles
            .iter()
            .filter(|a| !a.draft)
            .map(|a| a.view_count)
            .collect();
        views.sort_unstable();
        let median = views[views.len() / 2];
        assert!((10..1_000).contains(&median), "median {median}");
        assert!(
            *views.last().unwrap() >= 10_000,
            "max {}",
            views.last().unwrap()
        );
        let credited = articles.iter().filter(|a| a.authors.is_empty()).count();
        assert!(credited > 1_000 && credited < 6_000);
        assert!(articles.iter().any(|a| a.authors.len() == 2));
        assert!(articles.iter().any(|a| a.tags.is_empty()));
        assert!(articles.iter().any(|a| a.tags.len() >= 3));
    }

    #[test]
    fn text_has_features_search_normalises() {
        let text: String = generate(2_000, 17, now()).map(|a| all_text(&a)).collect();
        for c in ['أ', 'إ', 'آ', 'ة', 'ى', 'ؤ'] {
            assert!(text.contains(c), "no {c}");
        }
        assert!(
            text.chars().any(|c| ('\u{0660}'..='\u{0669}').contains(&c)),
            "no Eastern digits"
        );
        assert!(
            text.chars().any(|c| c.is_ascii_digit()),
            "no Western digits"
        );
        assert!(
            text.chars().any(|c| ('\u{064B}'..='\u{0652}').contains(&c)),
            "no diacritics"
        );
        assert!(text.contains("اليوم") && text.contains("أمس"));
    }

    #[test]
    fn sections_talk_about_their_topic() {
        let articles: Vec<DemoArticle> = generate(4_000, 5, now()).collect();
        let words = [
            (
                section_index("politics"),
                ["مجلس", "الحكومة", "وزير", "انتخابات", "محافظ"].as_slice(),
            ),
            (
                section_index("economy"),
                [
                    "أسعار",
                    "سعر",
                    "الأسواق",
                    "الاستثمار",
                    "الإنتاج",
                    "مصرف",
                    "التجارة",
                    "موسم",
                    "المالية",
                    "الذهب",
                    "الاقتصاد",
                    "التنمية",
                    "المنتج",
                ]
                .as_slice(),
            ),
            (
                section_index("sport"),
                ["المباراة", "الدوري", "المنتخب", "فريق", "نادي", "اتحاد"].as_slice(),
            ),
            (
                section_index("culture"),
                [
                    "الثقافة",
                    "فعاليات",
                    "الكاتب",
                    "العرض",
                    "المهرجان",
                    "مهرجان",
                    "الفيلم",
                    "رواية",
                    "مجموعة",
                    "المسرح",
                    "الأديب",
                    "الكتاب",
                    "الثقافي",
                    "التراث",
                    "الفن",
                ]
                .as_slice(),
            ),
            (
                section_index("health"),
                [
                    "الصحة",
                    "صحي",
                    "مستشفى",
                    "المستشفيات",
                    "الطب",
                    "حملة",
                    "أدوية",
                    "الدكتور",
                    "المرض",
                    "الأمراض",
                ]
                .as_slice(),
            ),
            (
                section_index("technology"),
                [
                    "الإنترنت",
                    "الاتصالات",
                    "الرقمي",
                    "الذكاء",
                    "إلكترونية",
                    "الخدمة",
                ]
                .as_slice(),
            ),
        ];
        for (section, keys) in words {
            for a in articles.iter().filter(|a| a.section == section) {
                let text = all_text(a);
                assert!(
                    keys.iter().any(|k| text.contains(k)),
                    "off-topic {section}: {text}"
                );
            }
        }
        // Sport results are consistent: a draw's score has equal sides.
        for a in articles
            .iter()
            .filter(|a| a.section == section_index("sport") && a.summary.starts_with("تعادل فريقا"))
        {
            assert!(!a.summary.contains("فاز"), "{}", a.summary);
        }
    }
}
