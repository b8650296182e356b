//! Deterministic generator of a plausible Arabic demo news corpus.
//!
//! `khabar seed --articles N` uses this module to fill a fresh database with
//! believable Modern Standard Arabic news: sections, tags, authors and
//! articles whose text is assembled offline from hand-written templates and
//! word lists (no network, no data files). The same `(n, seed, now)` always
//! yields the same articles for a given version of this module and of `rand`.
//!
//! The private lexicons below use a tiny template language:
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
// Sections, tags and authors
// ---------------------------------------------------------------------------

const POLITICS: usize = 0;
const ECONOMY: usize = 1;
const SPORT: usize = 2;
const CULTURE: usize = 3;
const WORLD: usize = 4;
const LOCAL: usize = 5;
const HEALTH: usize = 6;
const TECHNOLOGY: usize = 7;

static SECTIONS: [DemoSection; 8] = [
    DemoSection {
        slug: "politics",
        name: "سياسة",
        description: "آخر المستجدات السياسية وأخبار الحكومة ومجلس الشعب",
    },
    DemoSection {
        slug: "economy",
        name: "اقتصاد",
        description: "أخبار الأسواق والأسعار والمال والأعمال والزراعة",
    },
    DemoSection {
        slug: "sport",
        name: "رياضة",
        description: "نتائج المباريات وأخبار الأندية والمنتخبات الوطنية",
    },
    DemoSection {
        slug: "culture",
        name: "ثقافة",
        description: "أخبار الأدب والمسرح والسينما والفنون والتراث",
    },
    DemoSection {
        slug: "world",
        name: "عربي ودولي",
        description: "أبرز الأحداث العربية والدولية وتطوراتها",
    },
    DemoSection {
        slug: "local",
        name: "محليات",
        description: "أخبار المحافظات والخدمات والطقس وشؤون المواطنين اليومية",
    },
    DemoSection {
        slug: "health",
        name: "صحة",
        description: "أخبار الصحة العامة والمستشفيات ونصائح طبية",
    },
    DemoSection {
        slug: "technology",
        name: "تكنولوجيا",
        description: "أخبار الاتصالات والإنترنت والتقنيات الحديثة والابتكار",
    },
];

/// Relative frequency of each section in the generated corpus.
const SECTION_WEIGHTS: [u32; 8] = [16, 15, 14, 10, 14, 14, 8, 9];

const fn tag(slug: &'static str, name: &'static str) -> DemoTag {
    DemoTag { slug, name }
}

static TAGS: [DemoTag; 40] = [
    // Syrian cities.
    tag("damascus", "دمشق"),
    tag("aleppo", "حلب"),
    tag("homs", "حمص"),
    tag("latakia", "اللاذقية"),
    tag("tartus", "طرطوس"),
    tag("hama", "حماة"),
    tag("daraa", "درعا"),
    tag("deir-ez-zor", "دير الزور"),
    tag("idlib", "إدلب"),
    // Arab and international.
    tag("lebanon", "لبنان"),
    tag("iraq", "العراق"),
    tag("jordan", "الأردن"),
    tag("palestine", "فلسطين"),
    tag("united-nations", "الأمم المتحدة"),
    // Politics.
    tag("elections", "الانتخابات"),
    tag("peoples-assembly", "مجلس الشعب"),
    tag("government", "الحكومة"),
    tag("local-administration", "الإدارة المحلية"),
    // Economy.
    tag("oil", "النفط"),
    tag("prices", "الأسعار"),
    tag("syrian-pound", "الليرة السورية"),
    tag("gold", "الذهب"),
    tag("agriculture", "الزراعة"),
    // Sport.
    tag("football", "كرة القدم"),
    tag("syrian-league", "الدوري السوري"),
    tag("national-team", "المنتخب الوطني"),
    // Culture.
    tag("cinema", "السينما"),
    tag("theatre", "المسرح"),
    tag("books", "الكتاب"),
    tag("heritage", "التراث"),
    // Health.
    tag("vaccines", "اللقاحات"),
    tag("hospitals", "المستشفيات"),
    tag("public-health", "الصحة العامة"),
    // Technology.
    tag("artificial-intelligence", "الذكاء الاصطناعي"),
    tag("internet", "الإنترنت"),
    tag("telecom", "الاتصالات"),
    tag("digital-transformation", "التحول الرقمي"),
    // Local.
    tag("weather", "الطقس"),
    tag("electricity", "الكهرباء"),
    tag("drinking-water", "مياه الشرب"),
];

static AUTHORS: [DemoAuthor; 12] = [
    DemoAuthor {
        slug: "samer-al-khatib",
        name: "سامر الخطيب",
        bio: "صحفي ومحلل سياسي، يغطي شؤون الحكومة ومجلس الشعب منذ عام 2010.",
    },
    DemoAuthor {
        slug: "layla-haddad",
        name: "ليلى حداد",
        bio: "صحفية متخصصة في الشأن الاقتصادي وأسواق المال والأسعار.",
    },
    DemoAuthor {
        slug: "mohammad-al-ali",
        name: "محمد العلي",
        bio: "محرر رياضي يتابع الدوري السوري ومباريات المنتخب الوطني.",
    },
    DemoAuthor {
        slug: "rana-qabbani",
        name: "رنا قباني",
        bio: "كاتبة وناقدة أدبية، تكتب عن المسرح والسينما والكتاب.",
    },
    DemoAuthor {
        slug: "khaled-nasr",
        name: "خالد نصر",
        bio: "مراسل للشؤون العربية والدولية، عمل في بيروت والقاهرة.",
    },
    DemoAuthor {
        slug: "hala-suleiman",
        name: "هالة سليمان",
        bio: "صحفية تتابع قضايا الخدمات وهموم المواطنين في دمشق وريفها.",
    },
    DemoAuthor {
        slug: "youssef-darwish",
        name: "يوسف درويش",
        bio: "صحفي متخصص في الشؤون الصحية والطبية، يحمل إجازة في الصيدلة.",
    },
    DemoAuthor {
        slug: "dima-al-shami",
        name: "ديمة الشامي",
        bio: "مهندسة برمجيات وصحفية تكتب عن التقانة والتحول الرقمي.",
    },
    DemoAuthor {
        slug: "omar-al-halabi",
        name: "عمر الحلبي",
        bio: "مراسل في حلب منذ ١٥ عاماً، يغطي أخبار المدينة وريفها.",
    },
    DemoAuthor {
        slug: "salma-ibrahim",
        name: "سلمى إبراهيم",
        bio: "صحفية ومترجمة، تهتم بالعلاقات الدولية وقضايا اللاجئين.",
    },
    DemoAuthor {
        slug: "basel-issa",
        name: "باسل عيسى",
        bio: "باحث اقتصادي وكاتب في شؤون الزراعة والطاقة.",
    },
    DemoAuthor {
        slug: "mona-al-ayoubi",
        name: "منى الأيوبي",
        bio: "شاعرة وصحفية ثقافية، صدرت لها ثلاث مجموعات شعرية.",
    },
];

/// The section each author usually writes for (parallel to `AUTHORS`).
const AUTHOR_BEATS: [usize; 12] = [
    POLITICS, ECONOMY, SPORT, CULTURE, WORLD, LOCAL, HEALTH, TECHNOLOGY, LOCAL, WORLD, ECONOMY,
    CULTURE,
];

/// The sections of the demo site (8 of them; slugs are ASCII).
pub fn sections() -> &'static [DemoSection] {
    &SECTIONS
}

/// The demo tags (40 Arabic tags with unique ASCII slugs).
pub fn tags() -> &'static [DemoTag] {
    &TAGS
}

/// The demo authors (12 plausible Arabic names with short Arabic bios).
pub fn authors() -> &'static [DemoAuthor] {
    &AUTHORS
}

fn tag_index(name: &str) -> Option<usize> {
    if name.is_empty() {
        return None;
    }
    TAGS.iter().position(|t| t.name == name)
}

// ---------------------------------------------------------------------------
// Shared word lists
// ---------------------------------------------------------------------------

struct Place {
    name: &'static str,
    /// Governorate the place belongs to (for governors, directorates...).
    gov: &'static str,
    /// Name of the tag an article located here gets (none if no such tag).
    tag: &'static str,
    weight: u32,
}

/// A Syrian city or town; its tag is its governorate's.
const fn dom(name: &'static str, gov: &'static str, weight: u32) -> Place {
    Place {
        name,
        gov,
        tag: gov,
        weight,
    }
}

/// A foreign city and the tag (country or organisation) it brings, if any.
const fn abroad(name: &'static str, tag: &'static str, weight: u32) -> Place {
    Place {
        name,
        gov: name,
        tag,
        weight,
    }
}

static DOMESTIC_PLACES: [Place; 50] = [
    dom("دمشق", "دمشق", 8),
    dom("حلب", "حلب", 7),
    dom("حمص", "حمص", 5),
    dom("اللاذقية", "اللاذقية", 5),
    dom("طرطوس", "طرطوس", 4),
    dom("حماة", "حماة", 4),
    dom("درعا", "درعا", 3),
    dom("دير الزور", "دير الزور", 3),
    dom("إدلب", "إدلب", 3),
    dom("السويداء", "السويداء", 3),
    dom("الحسكة", "الحسكة", 2),
    dom("القنيطرة", "القنيطرة", 2),
    dom("الرقة", "الرقة", 2),
    dom("دوما", "ريف دمشق", 1),
    dom("جرمانا", "ريف دمشق", 1),
    dom("الزبداني", "ريف دمشق", 1),
    dom("النبك", "ريف دمشق", 1),
    dom("قطنا", "ريف دمشق", 1),
    dom("يبرود", "ريف دمشق", 1),
    dom("التل", "ريف دمشق", 1),
    dom("منبج", "حلب", 1),
    dom("عفرين", "حلب", 1),
    dom("الباب", "حلب", 1),
    dom("السفيرة", "حلب", 1),
    dom("تدمر", "حمص", 1),
    dom("القصير", "حمص", 1),
    dom("الرستن", "حمص", 1),
    dom("تلكلخ", "حمص", 1),
    dom("جبلة", "اللاذقية", 1),
    dom("الحفة", "اللاذقية", 1),
    dom("بانياس", "طرطوس", 1),
    dom("صافيتا", "طرطوس", 1),
    dom("الدريكيش", "طرطوس", 1),
    dom("السلمية", "حماة", 1),
    dom("مصياف", "حماة", 1),
    dom("محردة", "حماة", 1),
    dom("السقيلبية", "حماة", 1),
    dom("بصرى الشام", "درعا", 1),
    dom("نوى", "درعا", 1),
    dom("إزرع", "درعا", 1),
    dom("الميادين", "دير الزور", 1),
    dom("البوكمال", "دير الزور", 1),
    dom("معرة النعمان", "إدلب", 1),
    dom("أريحا", "إدلب", 1),
    dom("جسر الشغور", "إدلب", 1),
    dom("شهبا", "السويداء", 1),
    dom("صلخد", "السويداء", 1),
    dom("القامشلي", "الحسكة", 1),
    dom("رأس العين", "الحسكة", 1),
    dom("الطبقة", "الرقة", 1),
];

static WORLD_PLACES: [Place; 20] = [
    abroad("بيروت", "لبنان", 4),
    abroad("بغداد", "العراق", 3),
    abroad("البصرة", "العراق", 1),
    abroad("عمّان", "الأردن", 3),
    abroad("القدس", "فلسطين", 2),
    abroad("رام الله", "فلسطين", 2),
    abroad("القاهرة", "", 3),
    abroad("الرياض", "", 2),
    abroad("الدوحة", "", 2),
    abroad("أبو ظبي", "", 1),
    abroad("مسقط", "", 1),
    abroad("الجزائر", "", 1),
    abroad("تونس", "", 1),
    abroad("جنيف", "الأمم المتحدة", 2),
    abroad("نيويورك", "الأمم المتحدة", 2),
    abroad("موسكو", "", 2),
    abroad("بكين", "", 1),
    abroad("أنقرة", "", 1),
    abroad("باريس", "", 1),
    abroad("بروكسل", "", 1),
];

/// Capital and nationality adjective (masculine, definite) of countries the
/// national team or foreign ministers come from.
static COUNTRIES: [(&str, &str); 14] = [
    ("عمّان", "الأردني"),
    ("بيروت", "اللبناني"),
    ("بغداد", "العراقي"),
    ("القاهرة", "المصري"),
    ("الرياض", "السعودي"),
    ("الدوحة", "القطري"),
    ("أبو ظبي", "الإماراتي"),
    ("مسقط", "العماني"),
    ("الكويت", "الكويتي"),
    ("المنامة", "البحريني"),
    ("طهران", "الإيراني"),
    ("طشقند", "الأوزبكي"),
    ("بانكوك", "التايلاندي"),
    ("كوالالمبور", "الماليزي"),
];

/// Football clubs: name, home city, home ground.
static TEAMS: [(&str, &str, &str); 14] = [
    ("الوحدة", "دمشق", "ملعب الفيحاء"),
    ("الجيش", "دمشق", "ملعب العباسيين"),
    ("المجد", "دمشق", "ملعب الفيحاء"),
    ("الشرطة", "دمشق", "ملعب العباسيين"),
    ("الاتحاد", "حلب", "ملعب الحمدانية"),
    ("الحرية", "حلب", "ملعب حلب الدولي"),
    ("الكرامة", "حمص", "ملعب خالد بن الوليد"),
    ("الوثبة", "حمص", "ملعب خالد بن الوليد"),
    ("تشرين", "اللاذقية", "ملعب المدينة الرياضية في اللاذقية"),
    ("حطين", "اللاذقية", "ملعب المدينة الرياضية في اللاذقية"),
    ("جبلة", "اللاذقية", "ملعب جبلة البلدي"),
    ("الطليعة", "حماة", "ملعب حماة البلدي"),
    ("الفتوة", "دير الزور", "ملعب دير الزور البلدي"),
    ("الساحل", "طرطوس", "ملعب طرطوس البلدي"),
];

static MALE_NAMES: [&str; 16] = [
    "محمد", "أحمد", "سامر", "خالد", "عمر", "يوسف", "مازن", "باسل", "رامي", "إياد", "فادي", "غسان",
    "نزار", "عماد", "علاء", "أنس",
];

static FEMALE_NAMES: [&str; 14] = [
    "ليلى", "رنا", "سلمى", "هالة", "ريم", "ديمة", "لينا", "نور", "سوسن", "منى", "رشا", "هبة",
    "سلوى", "أمل",
];

static FAMILY_NAMES: [&str; 18] = [
    "الخطيب",
    "حداد",
    "العلي",
    "الحسن",
    "الأيوبي",
    "قباني",
    "الشامي",
    "الحلبي",
    "نصر",
    "سليمان",
    "إبراهيم",
    "عيسى",
    "داود",
    "مرعي",
    "الزعبي",
    "درويش",
    "خوري",
    "الأحمد",
];

static WEEKDAYS: [&str; 7] = [
    "الأحد",
    "الاثنين",
    "الثلاثاء",
    "الأربعاء",
    "الخميس",
    "الجمعة",
    "السبت",
];

static MONTHS: [&str; 12] = [
    "كانون الثاني",
    "شباط",
    "آذار",
    "نيسان",
    "أيار",
    "حزيران",
    "تموز",
    "آب",
    "أيلول",
    "تشرين الأول",
    "تشرين الثاني",
    "كانون الأول",
];

/// Feminine ordinals, for "المرحلة" (league round) and "الدورة" (edition).
static ORDINALS_F: [&str; 22] = [
    "الأولى",
    "الثانية",
    "الثالثة",
    "الرابعة",
    "الخامسة",
    "السادسة",
    "السابعة",
    "الثامنة",
    "التاسعة",
    "العاشرة",
    "الحادية عشرة",
    "الثانية عشرة",
    "الثالثة عشرة",
    "الرابعة عشرة",
    "الخامسة عشرة",
    "السادسة عشرة",
    "السابعة عشرة",
    "الثامنة عشرة",
    "التاسعة عشرة",
    "العشرين",
    "الحادية والعشرين",
    "الثانية والعشرين",
];

/// Masculine ordinals, for "المركز" (league position).
static ORDINALS_M: [&str; 14] = [
    "الأول",
    "الثاني",
    "الثالث",
    "الرابع",
    "الخامس",
    "السادس",
    "السابع",
    "الثامن",
    "التاسع",
    "العاشر",
    "الحادي عشر",
    "الثاني عشر",
    "الثالث عشر",
    "الرابع عشر",
];

/// Titles of books, plays and films (some carry diacritics on purpose).
static WORKS: [&str; 14] = [
    "«ذاكرةُ الياسمين»",
    "«مرايا المدينة»",
    "«على ضفاف بردى»",
    "«أحلامٌ مؤجَّلة»",
    "«الطريق إلى حلب»",
    "«بيتُ الجدّة»",
    "«سنونو الشتاء»",
    "«حكايا من الشام»",
    "«ظلال القلعة»",
    "«نافذة على البحر»",
    "«رسائل لم تُرسَل»",
    "«المقهى الأخير»",
    "«أغنية للمطر»",
    "«شتاء طويل في الذاكرة»",
];

static VENUES: [&str; 3] = [
    "المركز الثقافي العربي في {city}",
    "المسرح القومي في {gov}",
    "دار الثقافة في {city}",
];

static BANDS: [&str; 5] = [
    "الفرقة السيمفونية الوطنية",
    "فرقة الإنشاد العربي",
    "فرقة التخت الشرقي",
    "الفرقة الوطنية للموسيقى العربية",
    "فرقة قوس قزح للفنون الشعبية",
];

static KG_ITEMS: [&str; 9] = [
    "السكر",
    "الأرز",
    "البندورة",
    "البطاطا",
    "اللحم الأحمر",
    "الفروج",
    "زيت الزيتون",
    "الشاي",
    "العدس",
];

static ADVICE: [&str; 6] = [
    "شرب كميات كافية من الماء",
    "غسل اليدين بشكل متكرر",
    "تجنب التعرض المباشر لأشعة الشمس",
    "مراجعة الطبيب عند ظهور الأعراض",
    "الاهتمام بالغذاء المتوازن",
    "ممارسة الرياضة بانتظام",
];

static WARDS: [&str; 4] = [
    "للعناية المشددة",
    "لغسيل الكلى",
    "للأطفال حديثي الولادة",
    "للإسعاف",
];

/// Name, whether it is this site itself, weight for domestic sections,
/// weight for the world section.
static SOURCES: [(&str, bool, u32, u32); 8] = [
    ("الماسة السورية", true, 60, 30),
    ("وكالة سانا", false, 12, 10),
    ("صحيفة الوطن", false, 6, 4),
    ("صحيفة تشرين", false, 5, 3),
    ("صحيفة الثورة", false, 4, 3),
    ("رويترز", false, 5, 20),
    ("وكالة الصحافة الفرنسية", false, 5, 18),
    ("وكالة الأنباء الألمانية", false, 3, 12),
];

const OWN_DESK: &str = "فريق ماسة";

const WHEN: &str = "{اليوم {wd}~اليوم {wd}~صباح اليوم~مساء أمس~أمس {wdprev}~ظهر اليوم~في وقت سابق اليوم~مساء اليوم {wd}~اليوم}";

const TAIL: &str = "{~~ في {city}~ في {city}~ خلال {اجتماع موسع~جلسة عمل~لقاء تشاوري}{ في {city}~}~ مع {ممثلي القطاع الخاص~الفعاليات الأهلية~الجهات المعنية}{ في {city}~}~ خلال {زيارة إلى~جولة في} {city}~ مطلع {month}~ خلال شهر {month}}";

const PLAN_TAIL: &str = "{~ في {city}~ في {city}~ لعام {nextyear}~ خلال {اجتماع موسع~جلسة استثنائية}{ في {city}~}~ بعد {num} أشهر من الدراسة~ اعتبارا من مطلع {month}~ بمشاركة {num} جهات~ للمرحلة المقبلة}";

// Direction-dependent phrases (prices, temperatures, gold).
const UP_N: &str = "ارتفاع";
const DOWN_N: &str = "{انخفاض~تراجع}";
const UP_NA: &str = "ارتفاعا";
const DOWN_NA: &str = "{انخفاضا~تراجعا}";
const UP_VF: &str = "ارتفعت";
const DOWN_VF: &str = "{انخفضت~تراجعت}";
const UP_VM: &str = "ارتفع";
const DOWN_VM: &str = "{انخفض~تراجع}";
const UP_PM: &str = "{يرتفع~يقفز~يصعد}";
const DOWN_PM: &str = "{ينخفض~يتراجع~يهبط}";
const UP_PF: &str = "{تواصل الارتفاع~تعاود الارتفاع~ترتفع مجددا}";
const DOWN_PF: &str = "{تواصل التراجع~تسجل انخفاضا ملحوظا~تتراجع مجددا}";
const UP_REASON: &str = "{ارتفاع تكاليف النقل والإنتاج~تقلبات سعر الصرف~ارتفاع أسعار المحروقات~زيادة الطلب مع اقتراب شهر رمضان}";
const DOWN_REASON: &str =
    "{زيادة العرض مع بدء الموسم~تحسن سعر صرف الليرة~تراجع الطلب في الأسواق~انخفاض تكاليف الاستيراد}";

// ---------------------------------------------------------------------------
// Lexicons
// ---------------------------------------------------------------------------

/// Grammatical gender of a subject: masculine, feminine, or that of the
/// article's featured person.
const M: u8 = 0;
const F: u8 = 1;
const P: u8 = 2;

type Subject = (&'static str, u8);
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
struct Story {
    weight: u32,
    kind: Kind,
    /// Whether the section-wide and cross-section body sentences fit.
    shared: bool,
    titles: &'static [&'static str],
    leads: &'static [&'static str],
    body: &'static [&'static str],
    subjects: &'static [Subject],
    quotes: &'static [&'static str],
    items: &'static [Item],
    tags: &'static [&'static str],
    captions: &'static [&'static str],
}

const STORY: Story = Story {
    weight: 1,
    kind: Kind::Plain,
    shared: true,
    titles: &[],
    leads: &[],
    body: &[],
    subjects: &[],
    quotes: &[],
    items: &[],
    tags: &[],
    captions: &[],
};

/// Everything a section's text is made of.
struct Lex {
    /// Byline used for uncredited pieces written in-house.
    desk: &'static str,
    /// Whether the article is located abroad (`WORLD_PLACES`).
    world: bool,
    subjects: &'static [Subject],
    /// Topics that can be discussed ("يبحث ...").
    issues: &'static [&'static str],
    /// Feminine or definite noun phrases that can be launched or approved.
    plans: &'static [&'static str],
    /// Verbs used with `plans`: present-tense stem (after ي/ت) and
    /// masculine past form (the feminine adds ت).
    plan_verbs: &'static [(&'static str, &'static str)],
    /// Clauses that read well after «إن»/«أن» or inside «».
    quotes: &'static [&'static str],
    /// Verbal nouns describing aims ("تحسين ...").
    goals: &'static [&'static str],
    body: &'static [&'static str],
    captions: &'static [&'static str],
    tags: &'static [&'static str],
    stories: &'static [Story],
}

// Generic stories shared by several sections.
const T_ISSUE: &str = "{main} {ي|ت}{بحث~ناقش~ستعرض~تابع~درس} {issue}{tail}";
const T_ISSUE2: &str = "{main} {ي|ت}{بحث~ناقش~تابع} {issue} {في {city}~خلال {زيارة إلى~جولة ميدانية في} {city}~مع {وفد من~ممثلي} {city2}}";
const T_PLAN: &str = "{main} {ي|ت}{pv} {plan}{ptail}";
const T_TABLE: &str = "{issue} على طاولة {main}{ في {city}~ في {city}~ خلال {زيارة إلى~جولة في} {city}~ مطلع {month}~ يوم {wdnext}~}";
const T_QUOTE: &str = "{main}{ {من~في} {city}~ {من~في} {city}~}: {mquote}";
const L_ISSUE: &str = "{بحث~ناقش~استعرض~تابع}{|ت} {subj} {when} {issue}{، بحضور عدد من المعنيين~، بمشاركة ممثلين عن الجهات المعنية~، خلال اجتماع عقد في {city}~}";
const L_ISSUE2: &str =
    "{ترأس|ترأست} {subj} {when} اجتماعا {موسعا~دوريا~استثنائيا} {خصص~كرس} لمناقشة {issue}";
const L_PLAN: &str =
    "{pvp}{|ت} {subj} {when} {plan}، {في خطوة تهدف إلى~ضمن مساعي~في إطار خطة} {goal}";
const L_QUOTE: &str =
    "{قال|قالت} {subj} {when} {في تصريح صحفي~في بيان رسمي~خلال مؤتمر صحفي} {inna} {mquote}";

const S_DISCUSS: Story = Story {
    titles: &[T_ISSUE, T_ISSUE2, T_TABLE],
    leads: &[L_ISSUE, L_ISSUE2],
    ..STORY
};
const S_PLAN: Story = Story {
    titles: &[T_PLAN],
    leads: &[L_PLAN],
    ..STORY
};
const S_QUOTE: Story = Story {
    titles: &[T_QUOTE],
    leads: &[L_QUOTE],
    ..STORY
};

/// Reported-speech sentences; always available (they use the story's quotes).
static QUOTE_BODY: [&str; 6] = [
    "{قال|قالت} {subj} {في تصريح صحفي~في بيان~في تصريح لـ«{src}»} {inna} {quote}",
    "{أكد|أكدت} {subj} أن {quote}",
    "{أوضح|أوضحت} {subj} {when} أن {quote}",
    "{أضاف|أضافت} {subj}: «{quote}»",
    "{أشار|أشارت} {subj} إلى أن {quote}",
    "{لفت|لفتت} {subj} إلى أن {quote}",
];

/// Cross-section sentences built on the section's issues, plans and goals.
static SHARED_BODY: [&str; 5] = [
    "{شدد|شددت} {subj} على {ضرورة~أهمية} {goal}",
    "{دعا|دعت} {subj} {الجهات المعنية~المؤسسات المختصة} إلى {goal}",
    "يذكر أن {subj} {كان|كانت} قد {pvp}{|ت} {الشهر الماضي~في وقت سابق~مطلع العام الجاري} {plan2}",
    "{بحث~ناقش~استعرض}{|ت} {subj} {في وقت سابق~خلال اجتماع سابق} {issue2}",
    "في سياق متصل، {أعلن|أعلنت} {subj} عن {plan2}",
];

static LEXICONS: [Lex; 8] = [
    // ------------------------------------------------------------ politics
    Lex {
        desk: "المحرر السياسي",
        world: false,
        subjects: &[
            ("رئيس مجلس الوزراء", M),
            ("مجلس الوزراء", M),
            ("وزير الخارجية والمغتربين", M),
            ("وزير الداخلية", M),
            ("وزير الإدارة المحلية والبيئة", M),
            ("وزيرة الشؤون الاجتماعية والعمل", F),
            ("وزارة العدل", F),
            ("الحكومة", F),
            ("مجلس الشعب", M),
            ("رئيس مجلس الشعب", M),
            ("لجنة الموازنة والحسابات في مجلس الشعب", F),
            ("محافظ {gov}", M),
            ("مجلس محافظة {gov}", M),
        ],
        issues: &[
            "مشروع قانون الإدارة المحلية الجديد",
            "آليات تعزيز التعاون مع الدول الصديقة",
            "ملف عودة المهجرين إلى مناطقهم",
            "خطة إعادة تأهيل البنى التحتية في المناطق المتضررة",
            "مشروع الموازنة العامة للدولة لعام {nextyear}",
            "تعديلات مقترحة على قانون الانتخابات العامة",
            "سبل تحسين الواقع الخدمي في المحافظات",
            "أولويات العمل الحكومي في المرحلة المقبلة",
            "الاستعدادات الجارية لانتخابات مجالس الإدارة المحلية",
            "مشروع قانون جديد لتنظيم عمل الجمعيات الأهلية",
            "آلية توزيع الدعم على الأسر الأشد حاجة",
            "نتائج زيارة الوفد الحكومي إلى {city}",
            "تقارير الأداء الفصلية للوزارات",
            "سبل مكافحة الفساد الإداري",
        ],
        plans: &[
            "خطة وطنية لإصلاح القطاع العام",
            "حزمة قرارات لتبسيط الإجراءات الإدارية",
            "استراتيجية جديدة لمكافحة الفساد",
            "آلية جديدة لتقييم أداء المديرين",
            "مبادرة لتعزيز المشاركة المجتمعية في صنع القرار",
            "خطة لإعادة تأهيل المدارس والمراكز الصحية في {city}",
            "حزمة مشاريع خدمية في ريف {city}",
            "تعليمات تنفيذية لقانون الاستثمار",
            "خطة زمنية لتنفيذ مشاريع إعادة الإعمار",
        ],
        plan_verbs: &[("طلق", "أطلق"), ("قر", "أقر"), ("عتمد", "اعتمد")],
        quotes: &[
            "الحكومة ماضية في تنفيذ برنامجها الإصلاحي رغم التحديات",
            "المرحلة المقبلة تتطلب تضافر جهود الجميع",
            "خدمة المواطن هي البوصلة التي توجه عمل المؤسسات",
            "الانتخابات ستجري في موعدها المحدد وفق الدستور",
            "مكافحة الفساد أولوية لا تقبل التأجيل",
            "الحوار الوطني هو الطريق إلى بناء المستقبل",
            "القانون الجديد يمنح الوحدات الإدارية صلاحيات أوسع",
            "الأبواب مفتوحة أمام جميع المقترحات البناءة",
            "تحسين الوضع المعيشي يأتي على رأس أولويات الحكومة",
            "المشاريع المتعثرة ستنجز قبل نهاية العام",
        ],
        goals: &[
            "تحسين الواقع الخدمي في المحافظات",
            "تعزيز الشفافية في عمل المؤسسات العامة",
            "تبسيط الإجراءات الإدارية أمام المواطنين",
            "مكافحة الفساد وتطوير الأداء المؤسسي",
            "توسيع صلاحيات الوحدات الإدارية",
            "تسهيل عودة المهجرين إلى مناطقهم",
            "تعزيز التواصل المباشر مع المواطنين",
        ],
        body: &[
            "{حضر~شارك في} {الاجتماع~اللقاء} عدد من {الوزراء والمحافظين~أعضاء مجلس الشعب~ممثلي النقابات والمنظمات الشعبية}",
            "{تناول~استعرض} المجتمعون {عددا من المقترحات المقدمة~الصعوبات التي تعترض التنفيذ~الجدول الزمني لإنجاز المشاريع}",
            "{خلص~انتهى} الاجتماع إلى {جملة من التوصيات~تشكيل لجنة لمتابعة التنفيذ~تحديد أولويات العمل للمرحلة المقبلة}",
            "تأتي هذه الخطوة في إطار {الجهود الحكومية الرامية إلى~خطة} {goal}",
            "يذكر أن مجلس الشعب كان قد ناقش في {جلسة سابقة~دورته الماضية} {issue2}",
            "من المنتظر أن {يعقد مجلس الشعب جلسة {عادية~استثنائية}~يواصل المجلس مناقشاته} {الأسبوع المقبل~يوم {wdnext} المقبل}",
            "{أكد|أكدت} {subj} {خلال الجلسة~في كلمة {ألقاها|ألقتها} بالمناسبة} أن {quote}",
            "طالب عدد من {أعضاء المجلس~المشاركين} {بضرورة متابعة تنفيذ القرارات~بتسريع إنجاز المشاريع المتعثرة~بتعزيز الرقابة على أداء المؤسسات}",
        ],
        captions: &[
            "جانب من اجتماع مجلس الوزراء (أرشيف)",
            "من جلسة سابقة لمجلس الشعب",
            "مبنى محافظة {gov}",
            "جانب من {الاجتماع~اللقاء} في {city}",
            "صورة من الأرشيف",
        ],
        tags: &["الحكومة", "الإدارة المحلية", "مجلس الشعب"],
        stories: &[
            Story { weight: 4, ..S_DISCUSS },
            Story { weight: 3, ..S_PLAN },
            Story { weight: 1, ..S_QUOTE },
            Story {
                weight: 2,
                titles: &[
                    "{إقبال ملحوظ على~مشاركة واسعة في} انتخابات {item} في {city}{ منذ ساعات الصباح~ رغم الأحوال الجوية~ ونسبة المشاركة تتجاوز {kpct}}",
                    "{city}: {بدء~انطلاق} عملية الاقتراع في انتخابات {item}{ وسط إقبال ملحوظ~ في {kbig} مركز~}",
                    "{city}: نسبة المشاركة في انتخابات {item} تبلغ {kpct}{ حتى الظهر~ في الساعات الأولى~}",
                    "لجنة الانتخابات تعلن {النتائج النهائية~أسماء الفائزين} في {gov}{ بنسبة مشاركة {kpct}~ بنسبة مشاركة {kpct}~ بعد فرز أصوات {kbig} مركز}",
                    "{kbig} مرشح يتنافسون على مقاعد {gov} في انتخابات {item}",
                    "{kbig} مركز اقتراع {تستقبل~تفتح أبوابها أمام} الناخبين في {city}",
                ],
                leads: &[
                    "{انطلقت~بدأت} {when} عملية الاقتراع في انتخابات {item} في {city}، {وسط~في ظل} {إقبال ملحوظ من الناخبين~إجراءات تنظيمية مشددة}",
                ],
                body: &[
                    "يتنافس في {gov} نحو {big} مرشح على المقاعد المخصصة للمحافظة",
                    "بلغ عدد المراكز الانتخابية في {gov} نحو {kbig} مركز",
                    "{أوضح|أوضحت} {subj} أن {صناديق الاقتراع ستغلق عند الساعة السابعة مساء~عملية الفرز ستبدأ فور انتهاء التصويت~نسبة المشاركة بلغت {pct} حتى منتصف النهار}",
                    "تجري العملية الانتخابية {بإشراف قضائي كامل~تحت إشراف اللجنة القضائية العليا للانتخابات}",
                    "من المتوقع أن تعلن النتائج النهائية خلال {num} أيام",
                ],
                subjects: &[
                    ("اللجنة القضائية العليا للانتخابات", F),
                    ("رئيس اللجنة القضائية الفرعية في {gov}", M),
                    ("وزير الداخلية", M),
                    ("محافظ {gov}", M),
                ],
                quotes: &[
                    "العملية الانتخابية تسير بشكل سلس ومنظم",
                    "المشاركة في الانتخابات واجب وطني",
                    "جميع المراكز فتحت أبوابها في الموعد المحدد",
                    "اللجان ستعمل حتى آخر ناخب يصل إلى المركز",
                ],
                items: &[
                    ("مجلس الشعب", "مجلس الشعب"),
                    ("مجالس الإدارة المحلية", "الإدارة المحلية"),
                ],
                tags: &["الانتخابات"],
                captions: &[
                    "ناخبون أمام أحد مراكز الاقتراع في {city}",
                    "جانب من عملية الفرز في {city}",
                    "صناديق الاقتراع في أحد المراكز الانتخابية (أرشيف)",
                ],
                shared: false,
                ..STORY
            },
        ],
    },
    // ------------------------------------------------------------- economy
    Lex {
        desk: "المحرر الاقتصادي",
        world: false,
        subjects: &[
            ("وزير الاقتصاد والتجارة الخارجية", M),
            ("وزارة التجارة الداخلية وحماية المستهلك", F),
            ("مصرف سورية المركزي", M),
            ("وزير المالية", M),
            ("غرفة تجارة دمشق", F),
            ("غرفة صناعة حلب", F),
            ("اتحاد غرف الزراعة السورية", M),
            ("هيئة الاستثمار السورية", F),
            ("سوق دمشق للأوراق المالية", F),
            ("مديرية التجارة الداخلية في {gov}", F),
            ("المؤسسة السورية للتجارة", F),
            ("رئيس اتحاد الحرفيين", M),
        ],
        issues: &[
            "واقع الأسعار في الأسواق المحلية",
            "آليات دعم المشروعات الصغيرة والمتوسطة",
            "سبل تأمين المواد الأساسية بأسعار مناسبة",
            "خطة تسويق محصول القمح للموسم الحالي",
            "واقع الصادرات الزراعية إلى الدول المجاورة",
            "إجراءات ضبط سعر صرف الليرة",
            "مقترحات لتبسيط إجراءات الترخيص الصناعي",
            "واقع عمل المدينة الصناعية في {gov}",
            "تطورات سوق الذهب والعملات",
            "مشروع قانون الاستثمار الجديد",
            "آليات تمويل المستوردات",
            "واقع قطاع السياحة وعودة الحركة إلى الفنادق",
        ],
        plans: &[
            "حزمة إجراءات لدعم الإنتاج المحلي",
            "خطة لتخفيض تكاليف الإنتاج الزراعي",
            "آلية جديدة لتمويل المشروعات الصغيرة",
            "مبادرة لتشجيع التصدير إلى الأسواق العربية",
            "تسهيلات ائتمانية للصناعيين والحرفيين",
            "قائمة أسعار جديدة للمواد الأساسية",
            "نشرة جديدة لأسعار الصرف",
            "حوافز ضريبية للمستثمرين في المناطق الصناعية",
        ],
        plan_verbs: &[("طلق", "أطلق"), ("قر", "أقر"), ("صدر", "أصدر")],
        quotes: &[
            "الأسعار ستشهد انخفاضا تدريجيا خلال الأسابيع المقبلة",
            "الوزارة ماضية في تنفيذ خطتها لضبط الأسواق ومنع الاحتكار",
            "دعم الإنتاج المحلي هو الطريق الأمثل لتحسين الواقع المعيشي",
            "المخزون من المواد الأساسية يكفي لعدة أشهر",
            "الدوريات الرقابية نظمت أكثر من {big} ضبط تمويني منذ مطلع العام",
            "المصرف يعمل على تحقيق الاستقرار في سعر الصرف",
            "الصادرات الزراعية ارتفعت بنسبة {pct} مقارنة بالعام الماضي",
            "الحكومة لن تتهاون مع المتلاعبين بقوت المواطنين",
            "القطاع الخاص شريك أساسي في عملية التنمية",
            "تكاليف الإنتاج ما زالت مرتفعة مقارنة بدول الجوار",
        ],
        goals: &[
            "تحسين الواقع المعيشي للمواطنين",
            "تنشيط الحركة التجارية",
            "دعم الصناعة الوطنية",
            "ضبط الأسعار في الأسواق",
            "تشجيع الاستثمار في القطاعات الإنتاجية",
            "تخفيف الأعباء عن المنتجين",
        ],
        body: &[
            "تشير بيانات {المكتب المركزي للإحصاء~وزارة الاقتصاد} إلى أن {حجم الصادرات~معدل التضخم السنوي~حجم التبادل التجاري مع الدول المجاورة} {ارتفع~تراجع} بنسبة {pct} خلال عام {prevyear}",
            "يبلغ سعر صرف الدولار الأمريكي في النشرة الرسمية {rate} ليرة سورية",
            "يشكو المواطنون في {city} من {ضعف القدرة الشرائية~تفاوت الأسعار بين متجر وآخر~غياب الرقابة على بعض الأسواق}، في ظل {محدودية الدخل~ثبات الرواتب والأجور}",
            "من المتوقع أن {تشهد الأسواق حركة نشطة~يشهد سوق الذهب استقرارا نسبيا~تشهد الأسواق استقرارا نسبيا} خلال {الأيام المقبلة~شهر {month}}",
            "نظمت دوريات حماية المستهلك في {city} {خلال شهر {month}~منذ مطلع الشهر} نحو {big} ضبط تمويني بحق المخالفين",
            "يطالب {الصناعيون~التجار~الحرفيون} {بتخفيض الرسوم الجمركية على المواد الأولية~بتأمين حوامل الطاقة بأسعار مناسبة~بتسهيل إجراءات الاستيراد}",
        ],
        captions: &[
            "أحد أسواق {city} الشعبية",
            "جانب من سوق الذهب في {city}",
            "عمال في أحد معامل المدينة الصناعية في {gov}",
            "عملات ورقية من الليرة السورية",
            "حركة البيع والشراء في أحد أسواق {city}",
        ],
        tags: &["الأسعار", "الليرة السورية"],
        stories: &[
            Story { weight: 3, ..S_DISCUSS },
            Story { weight: 2, ..S_PLAN },
            Story { weight: 1, ..S_QUOTE },
            // Prices of a commodity.
            Story {
                weight: 4,
                titles: &[
                    "{dirn} أسعار {item} في أسواق {city}{ بنسبة {kpct}~ خلال الأسبوع الجاري~ خلال شهر {month}~}",
                    "أسعار {item} {dirp} في أسواق {city}",
                    "{city}: {dirn} {جديد~ملحوظ} في أسعار {item}",
                    "{dirn} أسعار {item} بنسبة {kpct} {منذ مطلع العام~خلال شهر واحد}",
                ],
                leads: &[
                    "{dirv} أسعار {item} في أسواق {city} بنسبة {kpct} {خلال الأسبوع الجاري~مقارنة بالشهر الماضي~منذ مطلع العام}، {وفق~بحسب} {جولة ميدانية لمراسل {src}~بيانات مديرية التجارة الداخلية}",
                ],
                body: &[
                    "بلغ سعر الكيلوغرام الواحد من {kg} نحو {price} ليرة سورية",
                    "{يعزو~يرجع} {التجار~عدد من التجار} {dirn} الأسعار إلى {reason}",
                    "{سجل~رصد} مراسل {src} تفاوتا في الأسعار بين {سوق وآخر~المحال التجارية} {يصل إلى~يتجاوز} {pct}",
                    "{دعا|دعت} {subj} المواطنين إلى {الإبلاغ عن المخالفات عبر الرقم المجاني~الشراء من صالات المؤسسة السورية للتجارة}",
                ],
                items: &[
                    ("الخضار والفواكه", ""),
                    ("المازوت والبنزين", "النفط"),
                    ("السكر والأرز", ""),
                    ("زيت الزيتون", "الزراعة"),
                    ("اللحوم الحمراء", ""),
                    ("الفروج والبيض", ""),
                    ("الألبسة", ""),
                    ("مواد البناء", ""),
                    ("الأعلاف", "الزراعة"),
                    ("الأدوية", ""),
                    ("الأجهزة الكهربائية", ""),
                    ("الغاز المنزلي", "النفط"),
                ],
                tags: &["الأسعار", "الليرة السورية"],
                ..STORY
            },
            // Gold.
            Story {
                weight: 2,
                titles: &[
                    "غرام الذهب {dirpm}{ مجددا~} {بمقدار {delta} ليرة~إلى {gold} ليرة} في السوق المحلية",
                    "غرام الذهب عيار {#21} {dirpm} إلى {gold} ليرة",
                    "{dirn} جديد في أسعار الذهب {بالسوق المحلية~في دمشق~خلال تعاملات اليوم} {بمقدار {delta} ليرة~بنسبة {kpct}}",
                    "الذهب {dirpm} {بمقدار {delta} ليرة~بنسبة {kpct}} {خلال أسبوع~في تعاملات اليوم}",
                ],
                leads: &[
                    "{dirvm} سعر غرام الذهب عيار {#21} قيراطا في السوق المحلية {when} بمقدار {delta} ليرة، ليسجل {gold} ليرة سورية، {وفق~بحسب} النشرة الصادرة عن جمعية الصاغة في دمشق",
                ],
                body: &[
                    "بلغ سعر غرام الذهب عيار {#18} قيراطا نحو {gold18} ليرة سورية",
                    "سجل سعر الأونصة الذهبية في الأسواق العالمية نحو {ounce} دولار",
                    "يرتبط سعر الذهب محليا بسعره في البورصات العالمية وبسعر صرف الدولار",
                    "{أوضح|أوضحت} {subj} أن {حركة البيع والشراء في الأسواق ضعيفة~الطلب على المشغولات الذهبية تراجع~كثيرا من المواطنين يلجؤون إلى الذهب للادخار}",
                ],
                subjects: &[
                    ("جمعية الصاغة والمجوهرات في دمشق", F),
                    ("رئيس جمعية الصاغة في دمشق", M),
                    ("مصرف سورية المركزي", M),
                ],
                quotes: &[
                    "أسعار الذهب تتأثر مباشرة بالتقلبات العالمية",
                    "الذهب ما زال الملاذ الآمن للمدخرين",
                    "حركة السوق ستنشط مع اقتراب موسم الأعياد",
                ],
                tags: &["الذهب", "الأسعار"],
                captions: &["جانب من سوق الذهب في {city}", "مشغولات ذهبية في واجهة أحد المحال"],
                shared: false,
                ..STORY
            },
            // Harvest season.
            Story {
                weight: 2,
                titles: &[
                    "{بدء~انطلاق} موسم {item} في {ريف {city}~محافظة {gov}}{ وتوقعات بإنتاج {kbig} طن~ لعام {year}~}",
                    "{توقعات بإنتاج وفير~مخاوف من تراجع الإنتاج} مع {بدء~انطلاق} موسم {item} في {city}",
                    "مزارعو {ريف {city}~{city}} يستعدون لموسم {item}{ وسط توقعات بإنتاج {kbig} طن~ وسط توقعات متفائلة~ رغم ارتفاع التكاليف}",
                ],
                leads: &[
                    "{بدأ~انطلق} {when} موسم {item} في {ريف {city}~محافظة {gov}}، {وسط~مع} توقعات بإنتاج يصل إلى {kbig} طن",
                ],
                body: &[
                    "قدرت مديرية الزراعة في {gov} المساحات المزروعة هذا الموسم بنحو {big} هكتار",
                    "حددت {الجهات المعنية~اللجنة الاقتصادية} {أسعارا تشجيعية~سعرا تأشيريا} لشراء المحصول من الفلاحين",
                    "يشكو المزارعون من {ارتفاع أسعار الأسمدة والمحروقات~قلة اليد العاملة~تأخر صرف مستحقاتهم~ارتفاع تكاليف النقل}",
                    "{أسهمت~ساهمت} الأمطار {الغزيرة~الأخيرة} في تحسن {الإنتاج~المردود} هذا العام",
                ],
                subjects: &[
                    ("مديرية الزراعة في {gov}", F),
                    ("وزير الزراعة والإصلاح الزراعي", M),
                    ("اتحاد الفلاحين في {gov}", M),
                    ("المؤسسة السورية للحبوب", F),
                ],
                quotes: &[
                    "الموسم الحالي أفضل من الموسم الماضي من حيث الكمية والنوعية",
                    "الأولوية لتسويق المحصول بأسعار عادلة للفلاحين",
                    "الجفاف أثر في إنتاج بعض المناطق",
                    "مراكز الاستلام جاهزة لاستقبال المحصول",
                ],
                items: &[
                    ("قطاف الزيتون", "الزراعة"),
                    ("تسويق القمح", "الزراعة"),
                    ("جني القطن", "الزراعة"),
                    ("قطاف الحمضيات", "الزراعة"),
                    ("حصاد الشعير", "الزراعة"),
                    ("قطاف التفاح", "الزراعة"),
                ],
                tags: &["الزراعة"],
                captions: &["مزارعون خلال موسم {item} في ريف {city}", "حقول زراعية في ريف {city}"],
                ..STORY
            },
        ],
    },
    // --------------------------------------------------------------- sport
    Lex {
        desk: "المحرر الرياضي",
        world: false,
        subjects: &[
            ("اتحاد كرة القدم", M),
            ("الاتحاد الرياضي العام", M),
            ("لجنة المسابقات في اتحاد الكرة", F),
            ("إدارة نادي {team}", F),
            ("رئيس نادي {team}", M),
            ("المكتب التنفيذي للاتحاد الرياضي العام", M),
            ("لجنة الانضباط والأخلاق", F),
        ],
        issues: &[
            "برنامج مباريات المرحلة {ordinal} من الدوري",
            "واقع الملاعب ومنشآت الأندية",
            "عقود اللاعبين المحترفين",
            "تعديلات على نظام المسابقة للموسم المقبل",
            "ملف التحكيم وسبل تطويره",
            "آليات دعم الأندية محدودة الموارد",
            "خطة تطوير كرة القدم النسائية",
            "أوضاع الفئات العمرية في الأندية",
        ],
        plans: &[
            "عقوبات بحق ناديين بسبب أحداث الشغب",
            "رزنامة الموسم الكروي الجديد",
            "جائزة لأفضل لاعب في الدوري",
            "خطة لتأهيل الملاعب قبل انطلاق الموسم",
            "لائحة جديدة لانتقالات اللاعبين",
            "حزمة دعم مالي للأندية",
        ],
        plan_verbs: &[("علن", "أعلن"), ("قر", "أقر"), ("عتمد", "اعتمد")],
        quotes: &[
            "الموسم الحالي سيكون أقوى من سابقه",
            "الاتحاد يعمل على تأمين معسكر خارجي للمنتخب",
            "لا تهاون مع أي تجاوز في الملاعب",
            "دعم الأندية مسؤولية مشتركة",
            "تطوير الفئات العمرية هو أساس أي نهضة كروية",
            "الدوري سينطلق في موعده المحدد",
        ],
        goals: &[
            "تطوير المسابقات المحلية",
            "الارتقاء بمستوى التحكيم",
            "دعم المواهب الشابة في الأندية",
            "تحسين واقع الملاعب والمنشآت الرياضية",
        ],
        body: &[
            "{يستعد~يتحضر} المنتخب الوطني لكرة القدم لخوض {مباراة ودية أمام المنتخب {nat}~مباراتين وديتين في {fcity}} {الشهر المقبل~مطلع الشهر المقبل}",
            "تنطلق مباريات المرحلة {ordinal} من الدوري {يوم {wdnext}~الأسبوع المقبل}، {حيث~إذ} يلتقي {team} مع {team3}",
            "يتصدر فريق {team2} ترتيب الدوري برصيد {pts2} نقطة",
        ],
        captions: &[
            "من مباراة {team} و{team2}",
            "لاعبو {team} خلال المباراة",
            "جماهير {team} في {stadium}",
            "جانب من حصة تدريبية لفريق {team}",
        ],
        tags: &["كرة القدم", "الدوري السوري"],
        stories: &[
            // A home win.
            Story {
                weight: 5,
                kind: Kind::Win,
                shared: false,
                titles: &[
                    "{team} {يفوز على~يتغلب على~يهزم} {team2} {بنتيجة {score}~في الدوري الممتاز~ويعزز موقعه في الترتيب~في المرحلة {ordinal}}",
                    "فوز {ثمين~مستحق~صعب} لفريق {team} على {team2} {بنتيجة {score}~في الدوري السوري~في المرحلة {ordinal}~على {stadium}}",
                    "{team} يحقق فوزا {ثمينا~مستحقا~صعبا} على {team2}{ بنتيجة {score}~ في المرحلة {ordinal}~}",
                    "{scorer} يقود {team} إلى الفوز على {team2}",
                ],
                leads: &[
                    "{فاز~تغلب} فريق {team} على ضيفه {team2} بنتيجة {score} في المباراة التي {جرت~أقيمت} {when} على {stadium} ضمن منافسات المرحلة {ordinal} من الدوري السوري الممتاز لكرة القدم",
                ],
                body: &[
                    "{أحرز~سجل} {scorer} هدف الفوز {في الدقيقة {minute2}~من ركلة جزاء في الدقيقة {minute2}~قبل نهاية المباراة بدقائق}",
                    "رفع {team} رصيده إلى {pts} نقطة {في المركز {rank}~ليتقدم إلى المركز {rank}}",
                    "تجمد رصيد {team2} عند {pts2} نقطة في المركز {rank2}",
                    "{سيطر~هيمن} {team} على {مجريات~أغلب فترات} الشوط الأول، {فيما~بينما} {حاول~سعى} {team2} العودة في الشوط الثاني دون جدوى",
                    "شهدت المباراة حضورا جماهيريا {كبيرا~لافتا~متوسطا}",
                    "أدار المباراة الحكم {man} بمساعدة {man} و{man}",
                    "{يلتقي~يواجه} {team} في المرحلة المقبلة فريق {team3}",
                ],
                subjects: &MATCH_SUBJECTS,
                quotes: &MATCH_QUOTES,
                tags: &["كرة القدم", "الدوري السوري"],
                ..STORY
            },
            // A draw.
            Story {
                weight: 2,
                kind: Kind::Draw,
                shared: false,
                titles: &[
                    "التعادل{ الإيجابي~} يحسم مواجهة {team} و{team2}{ في المرحلة {ordinal}~ بنتيجة {score}~ على {stadium}}",
                    "{team} و{team2} يتعادلان {بنتيجة {score}~في الدوري الممتاز~في المرحلة {ordinal}}",
                    "{team} يفرط بالفوز أمام {team2} ويكتفي بالتعادل{ {score}~ في المرحلة {ordinal}~ على {stadium}}",
                    "تعادل {مثير~مخيب} بين {team} و{team2} {في الدوري السوري~في المرحلة {ordinal}~على {stadium}}",
                ],
                leads: &[
                    "تعادل فريقا {team} و{team2} بنتيجة {score} في المباراة التي {جرت~أقيمت} {when} على {stadium} ضمن منافسات المرحلة {ordinal} من الدوري السوري الممتاز لكرة القدم",
                ],
                body: &[
                    "تقدم {team} عن طريق لاعبه {scorer} في الدقيقة {minute}، قبل أن يدرك {team2} التعادل {في الدقيقة {minute2}~في الشوط الثاني}",
                    "بهذه النتيجة رفع {team} رصيده إلى {pts} نقطة، فيما أصبح رصيد {team2} {pts2} نقطة",
                    "شهدت المباراة حضورا جماهيريا {كبيرا~لافتا~متوسطا}",
                    "أدار المباراة الحكم {man} بمساعدة {man} و{man}",
                    "{يلتقي~يواجه} {team} في المرحلة المقبلة فريق {team3}",
                    "أهدر {team2} {فرصا عدة~فرصة محققة} لخطف الفوز في الدقائق الأخيرة",
                ],
                subjects: &MATCH_SUBJECTS,
                quotes: &MATCH_QUOTES,
                tags: &["كرة القدم", "الدوري السوري"],
                ..STORY
            },
            // The national team.
            Story {
                weight: 2,
                shared: false,
                titles: &[
                    "المنتخب الوطني {يلاقي~يواجه} نظيره {nat} {وديا~في التصفيات الآسيوية}{ في {fcity}~ مطلع {month}~ يوم {wdnext}~ في {fcity} مطلع {month}}",
                    "{main} {ي|ت}علن قائمة المنتخب {الوطني~الأولمبي} {لمعسكر {fcity}~لمواجهة المنتخب {nat}}",
                    "معسكر خارجي للمنتخب الوطني في {fcity}{ لمدة {days} أيام~ مطلع {month}~ خلال شهر {month}} استعدادا {للتصفيات الآسيوية~لكأس آسيا}",
                    "{n11} لاعبا في قائمة المنتخب {الوطني~الأولمبي} {لمعسكر {fcity}~لمواجهة المنتخب {nat}}",
                ],
                leads: &[
                    "{أعلن|أعلنت} {subj} {when} قائمة اللاعبين المستدعين {لمعسكر المنتخب في {fcity}~لخوض مباراة ودية أمام المنتخب {nat}}",
                    "{يستعد~يتحضر} المنتخب الوطني لكرة القدم لخوض مباراة ودية أمام نظيره {nat} في {fcity} {الأسبوع المقبل~مطلع الشهر المقبل}",
                ],
                body: &[
                    "تضم القائمة {n11} لاعبا {بينهم {num} محترفين خارج البلاد~من مختلف الأندية المحلية}",
                    "يقيم المنتخب معسكرا تدريبيا في {fcity} لمدة {days} أيام",
                    "يحتل المنتخب الوطني المركز {rankn} في التصنيف الشهري للاتحاد الدولي لكرة القدم",
                    "يلتحق اللاعبون المحترفون بالمعسكر {خلال الأيام المقبلة~قبل موعد المباراة بأيام}",
                ],
                subjects: &[
                    ("اتحاد كرة القدم", M),
                    ("مدرب المنتخب الوطني", M),
                    ("الجهاز الفني للمنتخب الوطني", M),
                    ("لجنة المنتخبات في اتحاد الكرة", F),
                ],
                quotes: &[
                    "المنتخب يسير وفق برنامج إعداد مدروس",
                    "الهدف هو التأهل إلى نهائيات كأس آسيا",
                    "الباب مفتوح أمام جميع اللاعبين المميزين",
                    "المباراة الودية فرصة مهمة للوقوف على جاهزية اللاعبين",
                ],
                tags: &["المنتخب الوطني", "كرة القدم"],
                captions: &["جانب من تدريبات المنتخب الوطني", "لاعبو المنتخب الوطني خلال معسكر سابق"],
                ..STORY
            },
            Story { weight: 2, ..S_DISCUSS },
            Story { weight: 2, ..S_PLAN },
        ],
    },
    // ------------------------------------------------------------- culture
    Lex {
        desk: "المحرر الثقافي",
        world: false,
        subjects: &[
            ("وزارة الثقافة", F),
            ("وزير الثقافة", M),
            ("اتحاد الكتاب العرب", M),
            ("مديرية الثقافة في {gov}", F),
            ("الهيئة العامة السورية للكتاب", F),
            ("دار الأوبرا السورية", F),
            ("المؤسسة العامة للسينما", F),
            ("المركز الثقافي العربي في {city}", M),
            ("نقابة الفنانين", F),
            ("المديرية العامة للآثار والمتاحف", F),
        ],
        issues: &[
            "واقع الحركة المسرحية في المحافظات",
            "خطة النشر للعام {nextyear}",
            "سبل الحفاظ على المواقع الأثرية",
            "آليات دعم المواهب الشابة",
            "مشروع توثيق التراث اللامادي",
            "برنامج الفعاليات الثقافية الصيفية",
            "واقع المكتبات العامة في {city}",
            "ترميم الأسواق القديمة في {city}",
        ],
        plans: &[
            "جائزة جديدة للرواية العربية",
            "سلسلة إصدارات مخصصة للأطفال",
            "مسابقة وطنية لأفضل نص مسرحي",
            "مبادرة لترميم المكتبات العامة",
            "منحة لدعم الأفلام القصيرة",
            "خطة لتأهيل المراكز الثقافية في الأرياف",
            "منصة إلكترونية للكتاب السوري",
        ],
        plan_verbs: &[("طلق", "أطلق"), ("علن", "أعلن"), ("عتمد", "اعتمد")],
        quotes: &[
            "الثقافة هي خط الدفاع الأول عن هوية المجتمع",
            "الكتاب ما زال يحتفظ بمكانته رغم انتشار الوسائل الرقمية",
            "دعم المبدعين الشباب استثمار في المستقبل",
            "التراث السوري غني ومتنوع ويستحق مزيدا من الاهتمام",
            "المسرح مرآة المجتمع وصوته",
            "الفن قادر على مداواة الجراح",
        ],
        goals: &[
            "دعم الحركة الثقافية في المحافظات",
            "الحفاظ على التراث الوطني",
            "تشجيع القراءة لدى الأطفال واليافعين",
            "رعاية المواهب الشابة",
            "تنشيط الحركة المسرحية",
        ],
        body: &[
            "تشهد {city} حراكا ثقافيا {لافتا~متزايدا} خلال {الأشهر الأخيرة~العام الجاري}",
            "تسعى وزارة الثقافة إلى {goal} {بالتعاون مع~بالتنسيق مع} {المجتمع الأهلي~الجهات المعنية}",
            "يذكر أن {city} {تضم~تحتضن} عددا من المواقع الأثرية والمراكز الثقافية",
            "بلغ عدد رواد {المراكز الثقافية~المكتبات العامة} في {gov} خلال عام {prevyear} نحو {th} ألف زائر",
        ],
        captions: &[
            "جانب من الفعالية في {venue}",
            "من عرض مسرحي سابق (أرشيف)",
            "لوحة من معرض للفن التشكيلي في {city}",
            "جمهور خلال أمسية ثقافية في {city}",
        ],
        tags: &["التراث", "الكتاب"],
        stories: &[
            // A festival.
            Story {
                weight: 4,
                titles: &[
                    "{انطلاق~افتتاح~اختتام} فعاليات {item} في {city}{ في دورته {ordinal}~ {when}~}",
                    "{item} {ينطلق في {city}~يفتتح أبوابه في {city}~يختتم فعالياته في {city}}{ بمشاركة واسعة~ في دورته {ordinal}~}",
                    "{city} تحتضن فعاليات {item}{ في دورته {ordinal}~}",
                ],
                leads: &[
                    "{انطلقت~افتتحت} {when} في {venue} فعاليات {item} في دورته {ordinal}، بمشاركة {نخبة من الفنانين والأدباء~أكثر من {kbig} مشارك~فرق فنية من مختلف المحافظات}",
                ],
                body: &[
                    "{يتضمن~يشمل} برنامج الفعاليات {عروضا مسرحية وموسيقية~أمسيات شعرية وندوات فكرية~معارض للفن التشكيلي وورشات عمل للأطفال}",
                    "تستمر الفعاليات {days} أيام، وتختتم بحفل {فني~موسيقي} {يحييه عدد من الفنانين~في {venue}}",
                    "شهد حفل الافتتاح حضورا رسميا وشعبيا {لافتا~كبيرا}",
                    "{أحيت~قدمت} {band} {حفلا موسيقيا~عرضا فنيا} {لاقى استحسان الحضور~في ختام اليوم الأول}",
                    "يشارك في {item} {num} فنانين من {city} و{city2}",
                    "{شهد الافتتاح جمهور غفير~حضر الفعالية عدد من المهتمين والمثقفين}",
                    "تأتي هذه الفعالية ضمن {برنامج وزارة الثقافة الهادف إلى~الخطة الثقافية السنوية الرامية إلى} {goal}",
                ],
                quotes: &[
                    "المهرجان يهدف إلى تسليط الضوء على المواهب الشابة",
                    "الإقبال الجماهيري فاق التوقعات هذا العام",
                    "الفعاليات تعكس غنى المشهد الثقافي السوري وتنوعه",
                    "المشاركة الواسعة دليل على تعطش الجمهور للفن",
                    "الثقافة هي خط الدفاع الأول عن هوية المجتمع",
                ],
                items: &[
                    ("مهرجان الأغنية السورية", ""),
                    ("معرض الكتاب السوري", "الكتاب"),
                    ("مهرجان المسرح الشبابي", "المسرح"),
                    ("مهرجان الفيلم القصير", "السينما"),
                    ("ملتقى الخط العربي", "التراث"),
                    ("مهرجان الشعر العربي", "الكتاب"),
                    ("ملتقى النحت الدولي", ""),
                    ("معرض الفن التشكيلي السنوي", ""),
                    ("أسبوع التراث الشعبي", "التراث"),
                    ("مهرجان سينما الشباب", "السينما"),
                    ("معرض الصناعات اليدوية التقليدية", "التراث"),
                ],
                captions: &["جانب من افتتاح {item}", "من فعاليات {item} في {city}"],
                ..STORY
            },
            // A new book.
            Story {
                weight: 3,
                shared: false,
                titles: &[
                    "صدور {item} {work} {للكاتب|للكاتبة} {person}",
                    "{work}.. {item} {جديدة~أولى} {تستعيد ذاكرة {city}~عن الحرب والحب~تحتفي بالمكان والناس}",
                    "{work}.. {item} {جديدة~أولى} {للكاتب|للكاتبة} {person}",
                    "{main} {ي|ت}وقع {item} {work} في {venue}",
                    "{إطلاق~توقيع} {item} {work} في {venue}",
                ],
                leads: &[
                    "صدرت {حديثا~مؤخرا} عن {الهيئة العامة السورية للكتاب~دار نشر في {city}} {item} بعنوان {work} {للكاتب|للكاتبة} {person}",
                    "{وقع|وقعت} {subj} {when} في {venue} {item} {work}، {وسط حضور لافت~بحضور عدد من الأدباء والمهتمين}",
                ],
                body: &[
                    "تقع {item} في {pages} صفحة من القطع المتوسط",
                    "يتناول العمل حكايات من الحياة اليومية في {city} {خلال سنوات الحرب~في ستينيات القرن الماضي~في العقد الأخير}",
                    "يذكر أن {subj} {أصدر|أصدرت} {سابقا~قبل ذلك} {عددا من الأعمال الأدبية~روايتين ومجموعة قصصية~مجموعتين شعريتين}",
                    "{حاز|حازت} {subj}{ في وقت سابق~} على {جائزة أدبية محلية~عدة جوائز أدبية}",
                    "{قرأ|قرأت} {subj} {مقاطع~فصولا} من {item} خلال حفل التوقيع",
                ],
                subjects: &[
                    ("{الكاتب|الكاتبة} {person}", P),
                    ("{الروائي|الروائية} {person}", P),
                    ("{الأديب|الأديبة} {person}", P),
                ],
                quotes: &[
                    "الرواية محاولة لالتقاط تفاصيل المدينة قبل أن تضيع",
                    "الكتابة فعل مقاومة للنسيان",
                    "الشعر ما زال قادرا على ملامسة وجدان الناس",
                    "العمل استغرق {num} سنوات من البحث والكتابة",
                    "القارئ السوري ما زال وفيا للكتاب الورقي",
                ],
                items: &[
                    ("رواية", "الكتاب"),
                    ("مجموعة شعرية", "الكتاب"),
                    ("مجموعة قصصية", "الكتاب"),
                    ("سيرة ذاتية", "الكتاب"),
                ],
                tags: &["الكتاب"],
                captions: &["غلاف {item} {work}", "{الكاتب|الكاتبة} {person} خلال حفل التوقيع"],
                ..STORY
            },
            // A play or a film.
            Story {
                weight: 3,
                shared: false,
                titles: &[
                    "{item} {work} {يعرض~يفتتح عروضه} في {venue}",
                    "{main} {ي|ت}قدم {item} {work}{ في {city}~}",
                    "{work}.. {حكاية~قصة} {عائلة دمشقية~مدينة تنهض من الركام~الحب في زمن الحرب} {في {venue}~من إخراج {person}}",
                ],
                leads: &[
                    "{بدأت~انطلقت} {when} في {venue} عروض {work} من إخراج {person}{، وتستمر حتى نهاية الشهر الجاري~}",
                ],
                body: &[
                    "{يشارك في~يؤدي الأدوار الرئيسية في} العمل {عدد من الفنانين الشباب~نخبة من نجوم الدراما السورية}",
                    "{تدور~تجري} أحداث العمل في {city} {خلال سنوات الحرب~في ستينيات القرن الماضي~في زمن غير محدد}",
                    "تستمر العروض{ يوميا~} حتى نهاية الأسبوع الجاري",
                    "سبق أن {قدم|قدمت} {subj} أعمالا {مسرحية~سينمائية} {حازت جوائز في مهرجانات عربية~لاقت نجاحا جماهيريا}",
                ],
                subjects: &[("{المخرج|المخرجة} {person}", P), ("مديرية الثقافة في {gov}", F)],
                quotes: &[
                    "العمل يطرح أسئلة عن الذاكرة والانتماء",
                    "المسرح مرآة المجتمع وصوته",
                    "السينما السورية قادرة على المنافسة رغم الظروف",
                    "الإقبال الجماهيري فاق التوقعات",
                    "الجيل الجديد من الممثلين يبشر بالخير",
                ],
                items: &[
                    ("العرض المسرحي", "المسرح"),
                    ("الفيلم الروائي", "السينما"),
                    ("الفيلم الوثائقي", "السينما"),
                    ("العرض الراقص", "المسرح"),
                ],
                captions: &["مشهد من {item} {work}", "{المخرج|المخرجة} {person} خلال التحضيرات"],
                ..STORY
            },
            Story { weight: 2, ..S_DISCUSS },
            Story { weight: 2, ..S_PLAN },
            Story { weight: 1, ..S_QUOTE },
        ],
    },
    // --------------------------------------------------------------- world
    Lex {
        desk: "محرر الشؤون الدولية",
        world: true,
        subjects: &[
            ("الأمين العام للأمم المتحدة", M),
            ("جامعة الدول العربية", F),
            ("مجلس الأمن الدولي", M),
            ("منظمة الصحة العالمية", F),
            ("الاتحاد الأوروبي", M),
            ("الخارجية الروسية", F),
            ("الرئيس الفرنسي", M),
            ("برنامج الأغذية العالمي", M),
            ("رئيس الوزراء العراقي", M),
            ("الحكومة اللبنانية", F),
            ("وزير الخارجية الأردني", M),
            ("المفوضية السامية لشؤون اللاجئين", F),
            ("الأمين العام لجامعة الدول العربية", M),
        ],
        issues: &[
            "تطورات الأوضاع الإنسانية في المنطقة",
            "سبل التوصل إلى حل سياسي للأزمة",
            "ملف اللاجئين وعودتهم الطوعية",
            "تداعيات ارتفاع أسعار الطاقة عالميا",
            "جهود إعادة الإعمار في الدول المتضررة من النزاعات",
            "مستقبل التعاون الاقتصادي العربي",
            "آليات إيصال المساعدات إلى المتضررين",
            "التغيرات المناخية وأثرها على الأمن الغذائي",
            "أمن الملاحة في البحر الأحمر",
        ],
        plans: &[
            "خطة استجابة إنسانية جديدة",
            "حزمة مساعدات بقيمة {mil} مليون دولار",
            "مبادرة لوقف إطلاق النار",
            "دعوة إلى عقد مؤتمر دولي للسلام",
            "عقوبات جديدة على شركات الطاقة",
            "استراتيجية مشتركة لمواجهة التغير المناخي",
            "خطة لدعم الدول المستضيفة للاجئين",
        ],
        plan_verbs: &[("طلق", "أطلق"), ("علن", "أعلن"), ("قر", "أقر")],
        quotes: &[
            "المجتمع الدولي مطالب بتحمل مسؤولياته تجاه المدنيين",
            "الحوار هو السبيل الوحيد لحل الخلافات",
            "الأوضاع الإنسانية تزداد سوءا يوما بعد يوم",
            "المساعدات يجب أن تصل إلى مستحقيها دون عوائق",
            "المنطقة بحاجة إلى الاستقرار أكثر من أي وقت مضى",
            "العقوبات الأحادية تلحق الضرر بالشعوب قبل الحكومات",
            "التعاون العربي المشترك ضرورة لا غنى عنها",
            "الحل السياسي يبقى الخيار الأمثل",
        ],
        goals: &[
            "تخفيف معاناة المدنيين",
            "تعزيز الاستقرار في المنطقة",
            "دعم جهود التنمية المستدامة",
            "تسهيل وصول المساعدات الإنسانية",
            "خفض التصعيد وحماية المدنيين",
        ],
        body: &[
            "تأتي هذه التطورات في وقت {تشهد فيه المنطقة توترات متصاعدة~يتواصل فيه الحراك الدبلوماسي لحل الأزمات العالقة}",
            "{ذكرت~أفادت} {وسائل إعلام محلية~وكالات الأنباء} بأن {الاتصالات~المشاورات} {مستمرة~متواصلة} بين الأطراف المعنية",
            "{بحث|بحثت} {subj} {خلال اتصال هاتفي مع~في لقاء مع} {وزير الخارجية {nat}~المبعوث الأممي الخاص~وفد من الاتحاد الأوروبي} {issue2}",
            "من المقرر أن يعقد اجتماع {متابعة~تشاوري} في {city2} {الشهر المقبل~خلال الأسابيع المقبلة}",
        ],
        captions: &[
            "جانب من اجتماع في {city}",
            "مقر الأمم المتحدة في نيويورك",
            "صورة عامة لمدينة {city}",
            "من اجتماع سابق (أرشيف)",
        ],
        tags: &["الأمم المتحدة"],
        stories: &[
            Story { weight: 3, ..S_DISCUSS },
            Story { weight: 2, ..S_PLAN },
            Story { weight: 1, ..S_QUOTE },
            // A summit.
            Story {
                weight: 2,
                titles: &[
                    "{item} في {city} {لبحث~لمناقشة} {issue}",
                    "{city} تستضيف أعمال {item}{ بمشاركة {num} دول~ يوم {wdnext}~ مطلع {month}~ بمشاركة {n11} دولة}",
                    "انطلاق أعمال {item} في {city}{ بمشاركة واسعة~ بمشاركة {n11} دولة~ {when}}",
                    "وزراء الخارجية العرب {يجتمعون~يلتقون} في {city}{ {when}~ مطلع {month}~} لبحث {issue}",
                ],
                leads: &[
                    "{انطلقت~بدأت} {when} في {city} أعمال {item} {لبحث~لمناقشة} {issue}، بمشاركة {ممثلين عن {num} دول~وفود من أكثر من {n11} دولة}",
                ],
                body: &[
                    "يتضمن جدول أعمال {item} قضايا عدة، {أبرزها~في مقدمتها} {issue2}",
                    "من المنتظر أن يخرج المشاركون {ببيان ختامي~بجملة من التوصيات} {في ختام الأعمال~يوم {wdnext}}",
                    "تشهد {city} إجراءات أمنية مشددة {تزامنا مع~بالتزامن مع} انعقاد {item}",
                    "{ألقى|ألقت} {subj} كلمة في الجلسة الافتتاحية {أكد|أكدت} فيها أن {quote}",
                ],
                items: &[
                    ("القمة العربية", ""),
                    ("الاجتماع الوزاري العربي", ""),
                    ("مؤتمر المانحين الدولي", "الأمم المتحدة"),
                    ("المؤتمر الدولي للسلام", ""),
                    ("منتدى الطاقة الإقليمي", ""),
                ],
                ..STORY
            },
            // A humanitarian crisis.
            Story {
                weight: 3,
                titles: &[
                    "{main} {ي|ت}حذر من {تفاقم الأوضاع الإنسانية~نقص الغذاء والدواء~انتشار الأمراض} في {item}{ {ويدعو|وتدعو} إلى تحرك عاجل~}",
                    "{n11} شاحنة مساعدات {إنسانية~غذائية~طبية} {تصل إلى~تدخل} {item}",
                    "مساعدات {إنسانية~غذائية~طبية} بقيمة {mil} مليون دولار إلى {item}",
                    "{kth} ألف نازح في {item} بحاجة إلى مساعدات عاجلة",
                    "{main}: {kth} ألف شخص {بحاجة إلى مساعدات عاجلة~نزحوا خلال الأشهر الأخيرة} في {item}",
                ],
                leads: &[
                    "{حذر|حذرت} {subj} {when} من {تفاقم الأوضاع الإنسانية~نقص المواد الغذائية والأدوية~تدهور الوضع الصحي} في {item}، {داعيا|داعية} المجتمع الدولي إلى {تقديم الدعم اللازم~زيادة التمويل المخصص للاستجابة الإنسانية}",
                ],
                body: &[
                    "تشير تقديرات {الأمم المتحدة~المنظمات الإنسانية} إلى أن {kth} ألف شخص {بحاجة إلى مساعدات عاجلة~نزحوا من منازلهم خلال الأشهر الأخيرة}",
                    "{وصلت~دخلت} {when} قافلة مساعدات تضم {n11} شاحنة محملة {بالمواد الغذائية~بالأدوية والمستلزمات الطبية} إلى {item}",
                    "تواجه المستشفيات في {item} نقصا حادا في {الأدوية والوقود~الكوادر الطبية}",
                ],
                quotes: &[
                    "الاحتياجات الإنسانية تفوق الموارد المتاحة بكثير",
                    "الأطفال هم الأكثر تضررا من الأزمة",
                    "الوصول الإنساني ما زال محدودا في عدد من المناطق",
                    "المساعدات يجب أن تصل إلى مستحقيها دون عوائق",
                    "الأوضاع الإنسانية تزداد سوءا يوما بعد يوم",
                ],
                items: &[
                    ("غزة", "فلسطين"),
                    ("جنوب لبنان", "لبنان"),
                    ("السودان", ""),
                    ("اليمن", ""),
                    ("مخيمات اللاجئين في الأردن", "الأردن"),
                    ("شمال العراق", "العراق"),
                    ("الصومال", ""),
                ],
                tags: &["الأمم المتحدة"],
                captions: &[
                    "لاجئون ينتظرون توزيع المساعدات (أرشيف)",
                    "قافلة مساعدات إنسانية في طريقها إلى {item}",
                ],
                ..STORY
            },
        ],
    },
    // --------------------------------------------------------------- local
    Lex {
        desk: "محرر الشؤون المحلية",
        world: false,
        subjects: &[
            ("محافظة {gov}", F),
            ("مجلس مدينة {city}", M),
            ("محافظ {gov}", M),
            ("المؤسسة العامة لمياه الشرب في {gov}", F),
            ("شركة كهرباء {gov}", F),
            ("مديرية التربية في {gov}", F),
            ("مديرية النقل في {gov}", F),
            ("فرع المرور في {gov}", M),
            ("مديرية الخدمات الفنية في {gov}", F),
            ("رئيس مجلس مدينة {city}", M),
        ],
        issues: &[
            "واقع الخدمات في الأحياء الشعبية",
            "خطة تنظيف الشوارع وترحيل القمامة",
            "مشكلة الازدحام المروري في مركز المدينة",
            "برنامج تقنين التيار الكهربائي",
            "واقع مياه الشرب في الريف",
            "استعدادات المدارس لبدء العام الدراسي",
            "أعمال تأهيل الطرق الرئيسية",
            "مشروع توسيع شبكة الصرف الصحي",
        ],
        plans: &[
            "خطة لتأهيل الحدائق العامة",
            "حملة لإزالة المخالفات في الأسواق الشعبية",
            "خطوط نقل جديدة تربط الأحياء بمركز المدينة",
            "مواعيد جديدة لتقنين الكهرباء",
            "حملة نظافة شاملة في أحياء المدينة",
            "خطة لصيانة شبكات المياه قبل الصيف",
        ],
        plan_verbs: &[("طلق", "أطلق"), ("علن", "أعلن"), ("عتمد", "اعتمد")],
        quotes: &[
            "العمل مستمر على مدار الساعة لإنجاز المشروع في موعده",
            "المحافظة تتابع شكاوى المواطنين بشكل يومي",
            "التقنين سيتحسن مع دخول محطات جديدة إلى الخدمة",
            "الأولوية لتأمين مياه الشرب لجميع الأحياء",
            "الحملة ستستمر حتى إزالة جميع المخالفات",
            "الأمطار الأخيرة أسهمت في رفع منسوب السدود",
            "الإمكانات المتاحة محدودة لكننا نعمل بأقصى طاقتنا",
        ],
        goals: &[
            "تحسين الخدمات المقدمة للمواطنين",
            "تخفيف الازدحام المروري",
            "تأمين مياه الشرب لجميع الأحياء",
            "الحفاظ على نظافة المدينة",
            "معالجة شكاوى المواطنين بسرعة",
        ],
        body: &[
            "{أوعز|أوعزت} {subj} {للجهات المعنية~للورشات الفنية} {بمعالجة الأعطال بشكل فوري~بتكثيف العمل لإنجاز المشروع في موعده~بمتابعة شكاوى المواطنين}",
            "{يعاني~يشتكي} سكان {عدد من الأحياء~الأحياء الشرقية~بعض القرى} في {city} من {انقطاع المياه لساعات طويلة~سوء حالة الطرق~قلة وسائل النقل في ساعات الذروة~طول ساعات التقنين}",
            "بلغت نسبة الإنجاز في المشروع نحو {pct}",
            "{رصدت~خصصت} {المحافظة~الجهات المعنية} مبلغ {mil} {مليون~مليار} ليرة {لتنفيذ~لاستكمال} الأعمال",
            "{بلغ~وصل} عدد الشكاوى الواردة {خلال شهر {month}~منذ بداية الشهر} نحو {big} شكوى",
        ],
        captions: &[
            "أحد شوارع {city}",
            "ورشات الصيانة خلال العمل في {city}",
            "منظر عام لمدينة {city}",
            "ازدحام في مركز مدينة {city}",
        ],
        tags: &[],
        stories: &[
            // Public services.
            Story {
                weight: 3,
                titles: &[
                    "{main} {ي|ت}{بحث~ناقش~تابع} {item}{tail}",
                    "{item} {على طاولة~محور اجتماع} {main}",
                ],
                leads: &[
                    "{بحث~ناقش~تابع}{|ت} {subj} {when} {item}، {خلال اجتماع مع المعنيين~خلال جولة ميدانية في أحياء المدينة~بحضور ممثلين عن الجهات الخدمية}",
                ],
                items: &[
                    ("برنامج تقنين التيار الكهربائي", "الكهرباء"),
                    ("واقع مياه الشرب في الأحياء المرتفعة", "مياه الشرب"),
                    ("أعمال تأهيل الطرق الرئيسية", ""),
                    ("خطة تنظيف الشوارع وترحيل القمامة", ""),
                    ("مشكلة الازدحام المروري في مركز المدينة", ""),
                    ("استعدادات المدارس لبدء العام الدراسي", ""),
                    ("مشروع توسيع شبكة الصرف الصحي", ""),
                    ("واقع النقل الداخلي وتوزيع خطوط السرافيس", ""),
                    ("أعطال شبكة الكهرباء في الريف", "الكهرباء"),
                    ("جدول توزيع المياه على الأحياء", "مياه الشرب"),
                ],
                ..STORY
            },
            Story { weight: 2, ..S_PLAN },
            Story { weight: 1, ..S_DISCUSS },
            // The weather.
            Story {
                weight: 2,
                shared: false,
                titles: &[
                    "{dirn} {ملموس~ملحوظ~تدريجي} في درجات الحرارة {في {city} اعتبارا من يوم {wdnext}~على {city} و{city2}~في {city} ومحيطها}",
                    "الأرصاد: {dirn} في درجات الحرارة {في {city}~في {city} يوم {wdnext}~في {city} و{city2}} وسماء {صافية~غائمة جزئيا}",
                    "{city} {تسجل~تشهد} {hilo} درجة حرارة {منذ بداية العام~في البلاد~هذا الشهر~منذ سنوات}{ بـ{ktemp} درجة مئوية~}",
                    "الحرارة العظمى في {city} {تلامس~تقترب من~تصل إلى} {ktemp} درجة {يوم {wdnext}~خلال الأيام المقبلة}",
                    "الطقس: {dirn} في درجات الحرارة {في {city} يوم {wdnext}~في {city}~في {city} و{city2}} {واحتمال هطول أمطار متفرقة~ورياح نشطة~وضباب صباحي}",
                    "{city}: {dirn} {ملموس~ملحوظ} في درجات الحرارة {يوم {wdnext}~حتى نهاية الأسبوع}",
                ],
                leads: &[
                    "{توقعت~رجحت} المديرية العامة للأرصاد الجوية أن تشهد البلاد {dirna} في درجات الحرارة {لتصبح~لتكون} {hilo} من معدلاتها {الموسمية~السنوية} بنحو {num} درجات",
                ],
                body: &[
                    "تتراوح درجات الحرارة العظمى في {city} بين {temps} درجة مئوية",
                    "يكون الجو {صحوا~غائما جزئيا~غائما} {في المناطق الساحلية~في معظم المناطق}",
                    "تهب رياح {شمالية غربية~جنوبية~غربية} {معتدلة~نشطة} السرعة",
                    "{نصح|نصحت} {subj} المواطنين {بعدم التعرض لأشعة الشمس في ساعات الذروة~بتوخي الحذر أثناء القيادة بسبب تشكل الضباب}",
                    "يتوقع أن يتشكل الضباب {صباحا~ليلا} في {المناطق الداخلية~المناطق الجنوبية}",
                    "يكون البحر {خفيف~متوسط} ارتفاع الموج",
                ],
                subjects: &[
                    ("المديرية العامة للأرصاد الجوية", F),
                    ("مدير الأرصاد الجوية", M),
                    ("مركز التنبؤات الجوية", M),
                ],
                quotes: &[
                    "الأجواء ستبقى مستقرة حتى نهاية الأسبوع",
                    "الموسم المطري الحالي أفضل من سابقه",
                    "المنخفض سيؤثر في البلاد اعتبارا من يوم {wdnext}",
                    "درجات الحرارة ستعود إلى معدلاتها الطبيعية خلال أيام",
                ],
                tags: &["الطقس"],
                captions: &["سماء {city} {صباح اليوم~في ساعات الصباح}", "منظر عام لمدينة {city}"],
                ..STORY
            },
            // A fire.
            Story {
                weight: 2,
                shared: false,
                titles: &[
                    "{إخماد~السيطرة على} حريق {item} {where}{ بعد {days} ساعات~ بمشاركة {num} سيارات إطفاء~}",
                    "الدفاع المدني يخمد حريقا {item} {where}{ بعد {days} ساعات~ {when}~}",
                    "حريق {item} {where} {دون إصابات بشرية~دون وقوع إصابات~يخلف أضرارا مادية}",
                ],
                leads: &[
                    "تمكنت فرق الإطفاء والدفاع المدني {when} من إخماد حريق {اندلع~نشب} {item} {where}، {دون وقوع إصابات بشرية~واقتصرت الأضرار على الماديات}",
                ],
                body: &[
                    "{أوضح|أوضحت} {subj} أن {الحريق ناجم عن~أسباب الحريق تعود إلى} {ارتفاع درجات الحرارة~ماس كهربائي~الإهمال}",
                    "استمرت عمليات الإطفاء نحو {days} ساعات",
                    "شاركت في عمليات الإخماد {num} سيارات إطفاء",
                    "{حذر|حذرت} {subj} من {إشعال النيران قرب الأراضي الزراعية~رمي أعقاب السجائر في الأماكن المفتوحة}",
                ],
                subjects: &[
                    ("الدفاع المدني", M),
                    ("فوج إطفاء {city}", M),
                    ("قائد فوج الإطفاء في {city}", M),
                ],
                quotes: &[
                    "فرق الإطفاء وصلت إلى المكان خلال دقائق من تلقي البلاغ",
                    "الرياح النشطة صعبت عمليات الإخماد",
                    "الحريق لم يسفر عن أي إصابات بشرية",
                ],
                items: &[
                    ("في أرض زراعية", ""),
                    ("في محل تجاري", ""),
                    ("في أحراج جبلية", ""),
                    ("في مستودع للأخشاب", ""),
                    ("في منزل سكني", ""),
                    ("في ورشة للنجارة", ""),
                    ("في سوق شعبي", ""),
                    ("في معمل للبلاستيك", ""),
                    ("في شقة سكنية", ""),
                    ("في مخزن للمواد الغذائية", ""),
                ],
                captions: &["فرق الإطفاء خلال إخماد الحريق", "آثار الحريق {item}"],
                ..STORY
            },
        ],
    },
    // -------------------------------------------------------------- health
    Lex {
        desk: "محرر الشؤون الصحية",
        world: false,
        subjects: &[
            ("وزارة الصحة", F),
            ("وزير الصحة", M),
            ("مديرية صحة {gov}", F),
            ("مستشفى المواساة الجامعي", M),
            ("منظمة الصحة العالمية", F),
            ("نقابة الأطباء", F),
            ("مدير الرعاية الصحية الأولية", M),
            ("رئيسة برنامج التلقيح الوطني", F),
            ("نقابة الصيادلة", F),
        ],
        issues: &[
            "واقع الخدمات الطبية في المناطق الريفية",
            "خطة مواجهة الأمراض السارية في فصل الصيف",
            "نقص بعض الأدوية النوعية في الصيدليات",
            "استعدادات المستشفيات لاستقبال الحالات الإسعافية",
            "آليات تأمين أدوية الأمراض المزمنة مجانا",
            "برنامج التلقيح الوطني للأطفال",
            "واقع الكوادر التمريضية في المستشفيات العامة",
            "أسعار الأدوية المحلية",
        ],
        plans: &[
            "خطة لتأهيل أقسام الإسعاف في المستشفيات العامة",
            "عيادة متنقلة لخدمة القرى النائية",
            "تعليمات جديدة لتنظيم عمل الصيدليات",
            "قائمة أسعار جديدة للأدوية",
            "مبادرة لتوطين صناعة الأدوية النوعية",
            "منصة إلكترونية لحجز المواعيد في المستشفيات",
        ],
        plan_verbs: &[("طلق", "أطلق"), ("قر", "أقر"), ("عتمد", "اعتمد")],
        quotes: &[
            "المستشفيات جاهزة لاستقبال جميع الحالات على مدار الساعة",
            "الوزارة تعمل على توطين صناعة الأدوية محليا",
            "الكشف المبكر يرفع نسبة الشفاء بشكل كبير",
            "الأدوية النوعية متوفرة في المستشفيات العامة مجانا",
            "الوضع الصحي في المحافظة مستقر ولا يدعو إلى القلق",
            "نسبة الإصابات تراجعت بنحو {pct} خلال الشهر الأخير",
            "الوقاية تبقى خير علاج",
        ],
        goals: &[
            "تحسين جودة الخدمات الصحية",
            "تأمين الأدوية للمرضى بأسعار مناسبة",
            "تعزيز الرعاية الصحية الأولية",
            "الحد من انتشار الأمراض السارية",
        ],
        body: &[
            "بلغ عدد المراجعين {لأقسام الإسعاف~للمراكز الصحية} في {city} خلال {الأسبوع الماضي~شهر {month}} نحو {big} مراجع",
            "{تشير~تؤكد} الدراسات الطبية إلى أن {النوم الكافي يعزز مناعة الجسم~المشي نصف ساعة يوميا يقلل خطر الإصابة بأمراض القلب~التدخين يبقى السبب الأول لأمراض الرئة}",
            "يضم القطاع الصحي في {gov} {num} مستشفيات عامة و{big} مركز صحي",
            "{دعا|دعت} {subj} المواطنين إلى {مراجعة أقرب مركز صحي عند ظهور الأعراض~الالتزام بمواعيد اللقاحات~عدم تناول الأدوية دون استشارة الطبيب}",
        ],
        captions: &[
            "أحد أقسام مستشفى {city} الوطني",
            "طفل يتلقى جرعة اللقاح",
            "كادر طبي خلال عملية جراحية",
            "صيدلية في {city}",
        ],
        tags: &["الصحة العامة", "المستشفيات"],
        stories: &[
            // A health campaign.
            Story {
                weight: 3,
                titles: &[
                    "{main} {ي|ت}{طلق~بدأ} {item}{ في {city}~}",
                    "{انطلاق~بدء} {item} {في {city}~في جميع المحافظات}{ يوم {wdnext}~ لمدة {days} أيام~ {when}}",
                    "{item} تستهدف أكثر من {kbig} مستفيد{ في {city}~}",
                ],
                leads: &[
                    "{أطلق|أطلقت} {subj} {when} {item} تستمر لمدة {days} أيام{، وتستهدف أكثر من {kbig} مستفيد~}",
                ],
                body: &[
                    "{تتوزع~تنتشر} الفرق الصحية على {big} مركز صحي في {city} وريفها",
                    "تقدم الخدمات مجانا في جميع المراكز الصحية",
                    "{دعا|دعت} {subj} الأهالي إلى {التعاون مع الفرق الصحية~مراجعة أقرب مركز صحي~التأكد من استكمال جرعات أطفالهم}",
                    "{جندت~خصصت} {مديرية الصحة~الوزارة} {big} عامل صحي لتنفيذ الحملة",
                ],
                items: &[
                    ("حملة وطنية للتلقيح ضد شلل الأطفال", "اللقاحات"),
                    ("حملة للكشف المبكر عن سرطان الثدي", "الصحة العامة"),
                    ("حملة للتوعية بمخاطر التدخين", "الصحة العامة"),
                    ("حملة تلقيح ضد الحصبة", "اللقاحات"),
                    ("حملة لمكافحة اللشمانيا", "الصحة العامة"),
                ],
                ..STORY
            },
            // A hospital.
            Story {
                weight: 2,
                titles: &[
                    "افتتاح قسم جديد {ward} في {item}",
                    "{item} {يستقبل~يعالج} أكثر من {kbig} مريض {خلال شهر~منذ مطلع العام}",
                    "أجهزة طبية حديثة {تدخل الخدمة في~تصل إلى} {item}{ بقيمة {mil} مليون ليرة~ بتمويل من منظمة الصحة العالمية~}",
                ],
                leads: &[
                    "{افتتح|افتتحت} {subj} {when} قسما جديدا {ward} في {item}، بتكلفة {mil} {مليون~مليار} ليرة سورية",
                ],
                body: &[
                    "يضم القسم {n11} سريرا مجهزا بأحدث التقنيات",
                    "يخدم {item} سكان {city} والمناطق المجاورة",
                    "{يستقبل~يعالج} {item} {يوميا~شهريا} نحو {big} مريض",
                    "{أوضح|أوضحت} {subj} أن {المشروع~القسم الجديد} {سيخفف~يخفف} الضغط عن {أقسام الإسعاف~المستشفيات الأخرى}",
                ],
                subjects: &[("وزير الصحة", M), ("مدير {item}", M), ("مديرية صحة {gov}", F)],
                items: &[
                    ("مستشفى {city} الوطني", "المستشفيات"),
                    ("مستشفى الأطفال الجامعي في {gov}", "المستشفيات"),
                    ("مستشفى التوليد وأمراض النساء في {city}", "المستشفيات"),
                    ("مستشفى {gov} الجامعي", "المستشفيات"),
                ],
                captions: &["أحد أقسام {item}", "كادر طبي في {item}"],
                ..STORY
            },
            // Medical advice.
            Story {
                weight: 2,
                shared: false,
                titles: &[
                    "{item}.. {الأعراض وطرق الوقاية~الأسباب وسبل العلاج~نصائح للوقاية~متى تجب مراجعة الطبيب} {مع~بحسب} {main}",
                    "{main}: {mquote}",
                    "{main} {ي|ت}حذر من {item}",
                    "{نصائح~إرشادات} {طبية~صحية} {للوقاية من~لتجنب} {item}{ خلال شهر {month}~ مع تقلبات الطقس~ من {الدكتور|الدكتورة} {person}}",
                ],
                leads: &["{حذر|حذرت} {subj} من {item}، {داعيا|داعية} إلى {advice}"],
                body: &[
                    "{أوضح|أوضحت} {subj} أن أبرز أعراض {item} {تشمل~تتضمن} {الصداع وارتفاع الحرارة~التعب والدوار~الغثيان وفقدان الشهية}",
                    "{نصح|نصحت} {subj} {المواطنين~الأهالي} {بضرورة ~ب}{advice}",
                    "{أشار|أشارت} {subj} إلى أن {الأطفال وكبار السن~المصابين بالأمراض المزمنة} {هم الأكثر عرضة~أكثر عرضة من غيرهم} للإصابة",
                    "{تشير~تؤكد} الدراسات الطبية إلى أن {النوم الكافي يعزز مناعة الجسم~المشي نصف ساعة يوميا يقلل خطر الإصابة بأمراض القلب~الإفراط في تناول السكريات يرفع خطر الإصابة بالسكري}",
                ],
                subjects: &[(
                    "{الدكتور|الدكتورة} {person} {اختصاصي|اختصاصية} {الأمراض الداخلية~طب الأطفال~أمراض القلب~التغذية}",
                    P,
                )],
                quotes: &[
                    "الوقاية تبقى خير علاج",
                    "الكشف المبكر يرفع نسبة الشفاء بشكل كبير",
                    "نمط الحياة الصحي يقي من كثير من الأمراض",
                    "الأدوية لا تغني عن الغذاء المتوازن والرياضة",
                    "تناول المضادات الحيوية دون وصفة طبية خطأ شائع",
                    "مراجعة الطبيب ضرورية عند استمرار الأعراض أكثر من {num} أيام",
                ],
                items: &[
                    ("ضربات الشمس", "الصحة العامة"),
                    ("الأنفلونزا الموسمية", "الصحة العامة"),
                    ("التسمم الغذائي", "الصحة العامة"),
                    ("أمراض القلب", ""),
                    ("الجفاف لدى الأطفال", ""),
                    ("ارتفاع ضغط الدم", ""),
                    ("السكري", ""),
                    ("نزلات البرد", "الصحة العامة"),
                    ("الحساسية الموسمية", ""),
                    ("فقر الدم", ""),
                    ("آلام الظهر", ""),
                    ("التهاب الكبد الوبائي", "الصحة العامة"),
                ],
                captions: &["صورة تعبيرية", "{الدكتور|الدكتورة} {person}"],
                ..STORY
            },
            Story { weight: 2, ..S_DISCUSS },
            Story { weight: 1, ..S_PLAN },
        ],
    },
    // ---------------------------------------------------------- technology
    Lex {
        desk: "محرر التكنولوجيا",
        world: false,
        subjects: &[
            ("وزارة الاتصالات والتقانة", F),
            ("وزير الاتصالات والتقانة", M),
            ("الشركة السورية للاتصالات", F),
            ("الهيئة الناظمة للاتصالات والبريد", F),
            ("المؤسسة السورية للبريد", F),
            ("الهيئة العليا للبحث العلمي", F),
            ("جامعة دمشق", F),
            ("الجمعية العلمية السورية للمعلوماتية", F),
            ("المعهد العالي للعلوم التطبيقية والتكنولوجيا", M),
            ("الهيئة الوطنية لخدمات الشبكة", F),
        ],
        issues: &[
            "خطة توسيع شبكة الألياف الضوئية",
            "واقع خدمات الإنترنت في المحافظات",
            "مشروع التحول الرقمي في المؤسسات الحكومية",
            "آليات حماية البيانات الشخصية للمستخدمين",
            "تطبيقات الذكاء الاصطناعي في القطاع الصحي",
            "جودة خدمات الهاتف المحمول",
            "مشروع الحكومة الإلكترونية",
            "سبل دعم الشركات الناشئة في مجال البرمجيات",
        ],
        plans: &[
            "منصة إلكترونية لتقديم الخدمات الحكومية",
            "باقات جديدة للإنترنت المنزلي",
            "مسابقة وطنية للبرمجة",
            "حاضنة أعمال للشركات التقنية الناشئة",
            "بوابة إلكترونية للتسجيل الجامعي",
            "استراتيجية وطنية للذكاء الاصطناعي",
            "خدمة جديدة للدفع الإلكتروني",
        ],
        plan_verbs: &[("طلق", "أطلق"), ("علن", "أعلن"), ("عتمد", "اعتمد")],
        quotes: &[
            "التحول الرقمي لم يعد خيارا بل ضرورة",
            "الشباب السوري يمتلك مهارات عالية في مجال البرمجة",
            "الخدمة ستكون متاحة في جميع المحافظات قبل نهاية العام",
            "الذكاء الاصطناعي سيغير شكل سوق العمل خلال السنوات المقبلة",
            "سرعة الإنترنت سترتفع بنسبة {pct} بعد استكمال المشروع",
            "حماية بيانات المستخدمين أولوية قصوى",
            "البنية التحتية للاتصالات تعرضت لأضرار كبيرة خلال السنوات الماضية",
        ],
        goals: &[
            "تسريع التحول الرقمي",
            "تحسين جودة خدمات الإنترنت",
            "دعم رواد الأعمال في قطاع التقانة",
            "تقليص الفجوة الرقمية بين المدن والأرياف",
            "أتمتة الخدمات الحكومية",
        ],
        body: &[
            "يأتي ذلك ضمن خطة {الوزارة~الحكومة} لتوسيع استخدام التقنيات الحديثة في {المؤسسات العامة~قطاعي التعليم والصحة}",
            "تعمل الوزارة على {رفع سرعات الإنترنت~تحسين جودة التغطية في المناطق الريفية~أتمتة الخدمات الحكومية} {خلال العام الجاري~في المرحلة المقبلة}",
            "بلغ عدد مشتركي {الإنترنت عبر الحزمة العريضة~خدمة الدفع الإلكتروني} نحو {th} ألف مشترك",
        ],
        captions: &[
            "مستخدم يتصفح تطبيقا على هاتفه المحمول",
            "مركز خدمة المواطن في {city}",
            "أبراج الاتصالات في ريف {city}",
            "مشاركون في مسابقة للبرمجة (أرشيف)",
        ],
        tags: &["التحول الرقمي", "الاتصالات"],
        stories: &[
            // A launch.
            Story {
                weight: 3,
                titles: &[
                    "{main} {ي|ت}طلق {item}{ في {city}~}",
                    "{main} {ي|ت}{طلق~دشن} {item}{ في {city}~ رسميا~ {when}~}",
                    "{إطلاق~تدشين} {item}{ في {city}~ في {city}~ رسميا~ اعتبارا من يوم {wdnext}~ بدءا من الشهر المقبل~ {when}~ في {city} و{city2}}",
                    "{item}{ في {city}~ في {city}~ في {city}~}.. {خطوة جديدة~خطوة إضافية} {نحو~على طريق} التحول الرقمي",
                ],
                leads: &[
                    "{أطلق|أطلقت} {subj} {when} {item}، في إطار {مشروع التحول الرقمي~خطة أتمتة الخدمات الحكومية}",
                ],
                body: &[
                    "تتيح الخدمة للمستخدمين {إنجاز معاملاتهم دون الحاجة إلى مراجعة المكاتب~الدفع عبر الهاتف المحمول~متابعة طلباتهم إلكترونيا}",
                    "بلغ عدد مستخدمي الخدمة {حتى الآن~خلال الأسابيع الأولى} نحو {big} مستخدم",
                    "{أوضح|أوضحت} {subj} أن {الخدمة ستعمم على باقي المحافظات تباعا~الاشتراك متاح عبر الموقع الرسمي والتطبيق~الرسوم ستبقى رمزية}",
                ],
                items: &[
                    ("خدمة الدفع الإلكتروني للفواتير", "التحول الرقمي"),
                    ("منصة إلكترونية لتقديم الخدمات الحكومية", "التحول الرقمي"),
                    ("باقات جديدة للإنترنت المنزلي", "الإنترنت"),
                    ("خدمة الجيل الرابع في {city}", "الاتصالات"),
                    ("بوابة إلكترونية للتسجيل الجامعي", "التحول الرقمي"),
                    ("خدمة حجز المواعيد الطبية عبر الإنترنت", "الإنترنت"),
                    ("خدمة الإنترنت عبر الألياف الضوئية في {city}", "الإنترنت"),
                    ("منصة للتعليم الإلكتروني", "التحول الرقمي"),
                    ("بطاقة الدفع الإلكتروني للطلاب", "التحول الرقمي"),
                    ("خدمة تتبع الطرود البريدية عبر الإنترنت", "الإنترنت"),
                ],
                ..STORY
            },
            // Statistics.
            Story {
                weight: 2,
                titles: &[
                    "عدد مستخدمي الإنترنت {يتجاوز~يقترب من} {mln} ملايين مستخدم{ في سورية~ بنهاية {prevyear}~ لأول مرة~}",
                    "{kth} ألف مشترك جديد في خدمة {الإنترنت~الجيل الرابع} خلال {prevyear}",
                    "{نمو~ارتفاع} اشتراكات الإنترنت بنسبة {kpct} خلال {prevyear}",
                ],
                leads: &[
                    "{أظهرت~كشفت} {بيانات~إحصاءات} {الهيئة الناظمة للاتصالات والبريد~وزارة الاتصالات والتقانة} أن عدد مستخدمي الإنترنت {تجاوز~بلغ} {mln} ملايين مستخدم بنهاية عام {prevyear}، بزيادة نسبتها {kpct} {عن العام السابق~مقارنة بالعام الذي سبقه}",
                ],
                body: &[
                    "تستحوذ خدمات الإنترنت عبر الهاتف المحمول على نحو {pct} من إجمالي الاشتراكات",
                    "بلغ متوسط سرعة الإنترنت الثابت نحو {n11} ميغابت في الثانية",
                    "{تتوقع~ترجح} {الوزارة~الهيئة} أن {يرتفع عدد المشتركين~تتحسن جودة الخدمة} خلال العام الجاري",
                    "بلغ عدد مشتركي {الإنترنت عبر الحزمة العريضة~خطوط الهاتف الثابت} نحو {th} ألف مشترك",
                ],
                tags: &["الإنترنت", "الاتصالات"],
                ..STORY
            },
            // Artificial intelligence.
            Story {
                weight: 2,
                shared: false,
                titles: &[
                    "الذكاء الاصطناعي {في خدمة~يطرق أبواب} {item}{ في {city}~ في {city}~ في سورية~ خلال {ندوة~ورشة عمل} في {city}}",
                    "{item} {في عصر~أمام تحديات} الذكاء الاصطناعي.. {ندوة~ورشة عمل~ملتقى} في {city}",
                    "{ندوة~ورشة عمل~مؤتمر علمي} في {city} حول {تطبيقات الذكاء الاصطناعي في~مستقبل} {item}{ يوم {wdnext}~ بمشاركة {kbig} {باحث~طالب}~}",
                    "{num} طلاب من جامعة {gov} يطورون تطبيقا ذكيا لخدمة {item}",
                ],
                leads: &[
                    "{نظم|نظمت} {subj} {when} {ندوة علمية~ورشة عمل} حول {تطبيقات الذكاء الاصطناعي في~دور الذكاء الاصطناعي في تطوير} {item}، بمشاركة {عدد من الأكاديميين والخبراء~طلاب الجامعات والمهتمين}",
                ],
                body: &[
                    "{تناول~ناقش} المشاركون {سبل الاستفادة من التقنيات الحديثة في~التحديات التي تواجه التحول الرقمي في} {item}",
                    "{عرض~قدم} {طلاب~باحثون} من جامعة {gov} {مشروعا~نموذجا أوليا} {يعتمد على~يوظف} تقنيات التعلم الآلي",
                    "{أوصى المشاركون بضرورة~خلص المشاركون إلى أهمية} {إدخال مقررات الذكاء الاصطناعي في المناهج الجامعية~وضع إطار قانوني لاستخدام البيانات}",
                ],
                subjects: &[
                    ("جامعة {gov}", F),
                    ("الهيئة العليا للبحث العلمي", F),
                    ("الجمعية العلمية السورية للمعلوماتية", F),
                    ("كلية الهندسة المعلوماتية في جامعة {gov}", F),
                ],
                quotes: &[
                    "الذكاء الاصطناعي سيغير شكل سوق العمل خلال السنوات المقبلة",
                    "الاستثمار في العقول هو الاستثمار الأنجح",
                    "الجامعات مطالبة بتحديث مناهجها لمواكبة التطورات التقنية",
                    "البيانات هي نفط العصر الحديث",
                ],
                items: &[
                    ("القطاع الصحي", ""),
                    ("التعليم", ""),
                    ("الزراعة", ""),
                    ("الإعلام", ""),
                    ("الصناعة", ""),
                    ("الخدمات المصرفية", ""),
                    ("الترجمة", ""),
                    ("إدارة المرور", ""),
                    ("قطاع الطاقة", ""),
                ],
                tags: &["الذكاء الاصطناعي"],
                ..STORY
            },
            Story { weight: 2, ..S_DISCUSS },
            Story { weight: 1, ..S_PLAN },
        ],
    },
];

static MATCH_SUBJECTS: [Subject; 5] = [
    ("مدرب فريق {team}", M),
    ("مدرب فريق {team2}", M),
    ("قائد فريق {team}", M),
    ("المدير الفني لفريق {team2}", M),
    ("مهاجم فريق {team} {scorer}", M),
];

static MATCH_QUOTES: [&str; 8] = [
    "الفريق قدم أداء جيدا واستحق النتيجة",
    "الفريق بذل جهدا كبيرا رغم صعوبة المباراة",
    "الفريق يحتاج إلى مزيد من التركيز في المباريات المقبلة",
    "التحكيم أثر في مجريات اللقاء",
    "المنافسة على اللقب ما زالت مفتوحة حتى الجولة الأخيرة",
    "الجمهور كان اللاعب رقم واحد في المباراة",
    "الفريق سيعود أقوى في المباريات المقبلة",
    "المباراة كانت صعبة على الفريقين",
];

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

        let section = weighted(&mut rng, &SECTION_WEIGHTS, |w| *w);
        let lex = &LEXICONS[section];
        let source = weighted(&mut rng, &SOURCES, |s| if lex.world { s.3 } else { s.2 });
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
                lex.captions
            } else {
                c.story.captions
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
            source_name: SOURCES[source].0.to_string(),
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
        let lex = &LEXICONS[section];
        let story = &lex.stories[weighted(&mut rng, lex.stories, |s| s.weight)];
        let places: &'static [Place] = if lex.world {
            &WORLD_PLACES
        } else {
            &DOMESTIC_PLACES
        };
        let mut place = weighted(&mut rng, places, |p| p.weight);

        let team = rng.random_range(0..TEAMS.len());
        let mut team2 = rng.random_range(0..TEAMS.len() - 1);
        if team2 >= team {
            team2 += 1;
        }
        if section == SPORT {
            let home = TEAMS[team].1;
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
        let rank = rng.random_range(0..ORDINALS_M.len());
        let mut rank2 = rng.random_range(0..ORDINALS_M.len() - 1);
        if rank2 >= rank {
            rank2 += 1;
        }
        let person_fem = rng.random_bool(0.45);
        let first_len = if person_fem {
            FEMALE_NAMES.len()
        } else {
            MALE_NAMES.len()
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
            lex,
            story,
            places,
            place,
            city,
            gov,
            city_tag,
            country: rng.random_range(0..COUNTRIES.len()),
            team,
            team2,
            score,
            scorer: (
                rng.random_range(0..MALE_NAMES.len()),
                rng.random_range(0..FAMILY_NAMES.len()),
            ),
            person_fem,
            person: (
                rng.random_range(0..first_len),
                rng.random_range(0..FAMILY_NAMES.len()),
            ),
            work: rng.random_range(0..WORKS.len()),
            venue: rng.random_range(0..VENUES.len()),
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
            ordinal: rng.random_range(0..ORDINALS_F.len()),
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
            ward: rng.random_range(0..WARDS.len()),
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
            self.lex.quotes
        } else {
            self.story.quotes
        }
    }

    fn subjects(&self) -> &'static [Subject] {
        if self.story.subjects.is_empty() {
            self.lex.subjects
        } else {
            self.story.subjects
        }
    }

    fn fem(&self, g: u8) -> bool {
        match g {
            F => true,
            P => self.person_fem,
            _ => false,
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
            while kept.len() > 5
                && matches!(
                    *kept.last().unwrap_or(&""),
                    "في" | "على"
                        | "من"
                        | "إلى"
                        | "عن"
                        | "مع"
                        | "خلال"
                        | "بعد"
                        | "قبل"
                        | "بين"
                )
            {
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
            .min(unused(QUOTE_BODY.len(), self.qbody_mask));
        let (lex, shared) = if st.shared {
            (
                unused(self.lex.body.len(), self.lex_mask),
                unused(SHARED_BODY.len(), self.shared_mask),
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
        let st = self.story;
        match pool {
            0 => st.body[fresh(&mut self.rng, st.body.len(), &mut self.story_mask)],
            1 => QUOTE_BODY[fresh(&mut self.rng, QUOTE_BODY.len(), &mut self.qbody_mask)],
            2 => self.lex.body[fresh(&mut self.rng, self.lex.body.len(), &mut self.lex_mask)],
            _ => SHARED_BODY[fresh(&mut self.rng, SHARED_BODY.len(), &mut self.shared_mask)],
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
            let k = self.rng.random_range(0..TEAMS.len());
            if k != self.team && k != self.team2 {
                return TEAMS[k].0;
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
            "fcity" => out.push_str(COUNTRIES[self.country].0),
            "nat" => out.push_str(COUNTRIES[self.country].1),
            "when" => self.render(WHEN, out),
            "tail" => self.render(TAIL, out),
            "ptail" => self.render(PLAN_TAIL, out),
            "wd" => out.push_str(WEEKDAYS[self.weekday]),
            "wdprev" => out.push_str(WEEKDAYS[(self.weekday + 6) % 7]),
            "wdnext" => out.push_str(WEEKDAYS[(self.weekday + 1) % 7]),
            "month" => out.push_str(MONTHS[self.month]),
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
            "rank" => out.push_str(ORDINALS_M[self.rank]),
            "rank2" => out.push_str(ORDINALS_M[self.rank2]),
            "ordinal" => out.push_str(ORDINALS_F[self.ordinal]),
            "score" => {
                push_int(out, self.score.0, e);
                out.push('-');
                push_int(out, self.score.1, e);
            }
            "team" => out.push_str(TEAMS[self.team].0),
            "team2" => out.push_str(TEAMS[self.team2].0),
            "team3" => {
                let t = self.other_team();
                out.push_str(t);
            }
            "stadium" => out.push_str(TEAMS[self.team].2),
            "scorer" => {
                out.push_str(MALE_NAMES[self.scorer.0]);
                out.push(' ');
                out.push_str(FAMILY_NAMES[self.scorer.1]);
            }
            "person" => {
                let first = if self.person_fem {
                    FEMALE_NAMES[self.person.0]
                } else {
                    MALE_NAMES[self.person.0]
                };
                out.push_str(first);
                out.push(' ');
                out.push_str(FAMILY_NAMES[self.person.1]);
            }
            "man" => {
                let first = *MALE_NAMES.choose(&mut self.rng).unwrap_or(&"محمد");
                let last = *FAMILY_NAMES.choose(&mut self.rng).unwrap_or(&"العلي");
                out.push_str(first);
                out.push(' ');
                out.push_str(last);
            }
            "work" => out.push_str(WORKS[self.work]),
            "venue" => self.render(VENUES[self.venue], out),
            "band" => out.push_str(BANDS.choose(&mut self.rng).unwrap_or(&BANDS[0])),
            "kg" => out.push_str(KG_ITEMS.choose(&mut self.rng).unwrap_or(&KG_ITEMS[0])),
            "advice" => out.push_str(ADVICE.choose(&mut self.rng).unwrap_or(&ADVICE[0])),
            "ward" => out.push_str(WARDS[self.ward]),
            "src" => out.push_str(SOURCES[self.source].0),
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
            "dirn" => self.render(self.dir(UP_N, DOWN_N), out),
            "dirna" => self.render(self.dir(UP_NA, DOWN_NA), out),
            "dirv" => self.render(self.dir(UP_VF, DOWN_VF), out),
            "dirvm" => self.render(self.dir(UP_VM, DOWN_VM), out),
            "dirpm" => self.render(self.dir(UP_PM, DOWN_PM), out),
            "dirp" => self.render(self.dir(UP_PF, DOWN_PF), out),
            "reason" => self.render(self.dir(UP_REASON, DOWN_REASON), out),
            "hilo" => out.push_str(self.dir("أعلى", "أدنى")),
            "inna" => {
                let shadda = self.diacritics && self.rng.random_bool(0.6);
                out.push_str(if shadda { "إنّ" } else { "إن" });
            }
            _ if name.starts_with('#') => {
                for b in name.bytes().skip(1) {
                    out.push(digit(b.wrapping_sub(b'0') % 10, e));
                }
            }
            _ => {
                debug_assert!(false, "unknown template slot {{{name}}}");
                out.push_str(name);
            }
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
            self.story.tags
        } else {
            self.lex.tags
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
        let own = SOURCES[self.source].1;
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
            let on_beat = AUTHOR_BEATS.iter().filter(|&&b| b == section).count();
            let candidate = if on_beat > 0 && self.rng.random_bool(0.7) {
                let k = self.rng.random_range(0..on_beat);
                AUTHOR_BEATS
                    .iter()
                    .enumerate()
                    .filter(|(_, &b)| b == section)
                    .nth(k)
                    .map(|(i, _)| i)
                    .unwrap_or(0)
            } else {
                self.rng.random_range(0..AUTHORS.len())
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
                s.push_str(AUTHORS[a].name);
            }
            s
        } else if own {
            (if self.rng.random_bool(0.5) {
                OWN_DESK
            } else {
                self.lex.desk
            })
            .to_string()
        } else if self.rng.random_bool(0.7) {
            SOURCES[self.source].0.to_string()
        } else {
            "وكالات".to_string()
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
        for lex in &LEXICONS {
            for name in lex.tags {
                assert!(tag_index(name).is_some(), "unknown tag {name}");
            }
            for story in lex.stories {
                assert!(!story.titles.is_empty() && !story.leads.is_empty());
                for name in story.tags {
                    assert!(tag_index(name).is_some(), "unknown tag {name}");
                }
                for (_, name) in story.items {
                    assert!(
                        name.is_empty() || tag_index(name).is_some(),
                        "unknown tag {name}"
                    );
                }
            }
        }
        for p in WORLD_PLACES.iter() {
            assert!(
                p.tag.is_empty() || tag_index(p.tag).is_some(),
                "unknown tag {}",
                p.tag
            );
        }
        let tagged = DOMESTIC_PLACES
            .iter()
            .filter(|p| tag_index(p.tag).is_some())
            .count();
        assert!(tagged >= DOMESTIC_PLACES.len() / 2);
        for p in DOMESTIC_PLACES.iter() {
            assert!(DOMESTIC_PLACES.iter().any(|q| q.name == p.gov) || p.gov == "ريف دمشق");
        }
        for (_, city, _) in TEAMS {
            assert!(
                DOMESTIC_PLACES.iter().any(|p| p.name == city),
                "unknown city {city}"
            );
        }
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
                POLITICS,
                ["مجلس", "الحكومة", "وزير", "انتخابات", "محافظ"].as_slice(),
            ),
            (
                ECONOMY,
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
                SPORT,
                ["المباراة", "الدوري", "المنتخب", "فريق", "نادي", "اتحاد"].as_slice(),
            ),
            (
                CULTURE,
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
                HEALTH,
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
                TECHNOLOGY,
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
            .filter(|a| a.section == SPORT && a.summary.starts_with("تعادل فريقا"))
        {
            assert!(!a.summary.contains("فاز"), "{}", a.summary);
        }
    }
}
