//! Slugs that keep Arabic letters, so that URLs read in the reader's language.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::{is_nfc, UnicodeNormalization};

/// Longest slug, in characters.
pub const MAX_SLUG_CHARS: usize = 80;

/// Tashkeel (harakat, tanween, shadda, sukun, dagger alef…) and tatweel carry no
/// meaning a URL needs; they are dropped so that one headline has one slug.
/// (Several of them are `Alphabetic` in Unicode, so `is_alphanumeric` alone
/// would keep them.)
fn is_arabic_mark(c: char) -> bool {
    matches!(c, '\u{0610}'..='\u{061A}' | '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{06D6}'..='\u{06ED}' | '\u{0640}')
}

/// Invisible characters that pasted headlines often carry (zero-width
/// (non-)joiners, bidi marks, word joiner, BOM, soft hyphen): dropped without
/// separating words, so "عنوان\u{200F}" and "عنوان" have one slug.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{061C}' | '\u{200C}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
}

/// Characters `slugify` skips without starting a new word: Arabic marks,
/// invisible format characters, and combining marks that are not letters
/// (an accent NFC could not compose onto its base).
fn is_skipped(c: char) -> bool {
    is_arabic_mark(c) || is_invisible(c) || (is_combining_mark(c) && !c.is_alphanumeric())
}

/// Makes a URL slug from a title: the title is NFC-normalised first (so a
/// decomposed and a precomposed "é" give one slug); letters and digits of any
/// script are kept (lower-cased), everything else — spaces, Latin and Arabic
/// punctuation (، ؛ ؟ « » quotes…), symbols — becomes a single `-`; at most
/// `MAX_SLUG_CHARS` characters, never empty, never all digits (an all-digit
/// key is read as an id). The result always satisfies [`is_valid_slug`].
pub fn slugify(title: &str) -> String {
    let mut out = String::with_capacity(title.len());
    let mut pending_dash = false;
    let mut count = 0;
    for c in title.nfc() {
        if is_skipped(c) {
            continue;
        }
        if !c.is_alphanumeric() {
            pending_dash = true;
            continue;
        }
        // Lower-casing may expand ('İ' → "i\u{307}"): keep only the letters of
        // the expansion and count what is written, not what was read.
        let lower = c.to_lowercase().filter(|l| l.is_alphanumeric());
        let len = lower.clone().count();
        if len == 0 {
            continue;
        }
        let dash = usize::from(pending_dash && !out.is_empty());
        if count + dash + len > MAX_SLUG_CHARS {
            break;
        }
        if dash == 1 {
            out.push('-');
        }
        out.extend(lower);
        count += dash + len;
        pending_dash = false;
    }
    // Dropping skipped characters can bring a base and a mark together again.
    if !is_nfc(&out) {
        out = out.nfc().collect();
    }
    if out.is_empty() {
        "article".to_string()
    } else if out.bytes().all(|b| b.is_ascii_digit()) {
        // At most MAX_SLUG_CHARS - 2 digits were read only if the title was
        // that long; keep the bound.
        let digits: String = out.chars().take(MAX_SLUG_CHARS - 2).collect();
        format!("n-{digits}")
    } else {
        out
    }
}

/// `base` with a numeric suffix for the n-th collision (n >= 2): "slug-2",
/// truncated so the result stays within MAX_SLUG_CHARS characters and never
/// ends with '-'. For `n < 2` (the first article keeps the bare slug) `base`
/// is returned unchanged.
pub fn with_suffix(base: &str, n: u32) -> String {
    if n < 2 {
        return base.to_string();
    }
    let suffix = format!("-{n}");
    let room = MAX_SLUG_CHARS - suffix.len(); // the suffix is ASCII, at most 11 bytes
    let head: String = base.chars().take(room).collect();
    let head = head.trim_end_matches('-');
    let head = if head.is_empty() { "article" } else { head };
    format!("{head}{suffix}")
}

/// True when `slug` is one `slugify` could produce or an editor may choose:
/// 1..=MAX_SLUG_CHARS chars, only letters/digits (any script, lower-case
/// Latin) and single '-' between them, not all digits.
///
/// Also: no upper-case letter of any script, no tashkeel or tatweel (slugify
/// drops them, so a slug with them would name a second URL for one
/// headline), and NFC-normalised. "All digits" means ASCII digits, the rule
/// `ArticleKey::parse` uses to tell an id from a slug.
pub fn is_valid_slug(slug: &str) -> bool {
    let len = slug.chars().count();
    if len == 0 || len > MAX_SLUG_CHARS || slug.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    // `true` at the start so that a leading '-' is rejected like a double one.
    let mut after_dash = true;
    for c in slug.chars() {
        if c == '-' {
            if after_dash {
                return false;
            }
            after_dash = true;
        } else if c.is_alphanumeric()
            && !is_arabic_mark(c)
            && c.to_lowercase().eq(std::iter::once(c))
        {
            after_dash = false;
        } else {
            return false;
        }
    }
    !after_dash && is_nfc(slug)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_arabic_and_drops_punctuation_and_marks() {
        assert_eq!(
            slugify("وزير الدفاع الإيراني من موسكو: تعزيز التعاون ضروري وحتمي"),
            "وزير-الدفاع-الإيراني-من-موسكو-تعزيز-التعاون-ضروري-وحتمي"
        );
        assert_eq!(slugify("مُحَمَّد ـــ Hello, World!"), "محمد-hello-world");
    }

    #[test]
    fn never_empty_nor_numeric() {
        assert_eq!(slugify("!!!"), "article");
        assert_eq!(slugify("2020"), "n-2020");
        assert!(slugify(&"كلمة ".repeat(100)).chars().count() <= MAX_SLUG_CHARS);
        assert!(slugify(&"1".repeat(200)).chars().count() <= MAX_SLUG_CHARS);
    }

    #[test]
    fn slugify_table() {
        let cases: &[(&str, &str)] = &[
            ("مرحبا، يا عالم!", "مرحبا-يا-عالم"),
            ("ما الجديد؟", "ما-الجديد"),
            ("أولاً؛ ثانياً", "أولا-ثانيا"),
            ("«الاتفاق» النهائي", "الاتفاق-النهائي"),
            ("قال: \"نعم\" و'لا'", "قال-نعم-و-لا"),
            ("“Smart” quotes — and dashes", "smart-quotes-and-dashes"),
            ("  --Leading and trailing--  ", "leading-and-trailing"),
            ("Café", "café"),
            ("Cafe\u{301}", "café"),
            ("ÉCOLE", "école"),
            ("عنوان\u{200F} جديد\u{200C}ة", "عنوان-جديدة"),
            ("İstanbul", "istanbul"),
            ("عام ٢٠٢٤", "عام-٢٠٢٤"),
            ("COVID-19", "covid-19"),
            ("؟؟؟", "article"),
            ("", "article"),
            ("٢٠٢٤", "٢٠٢٤"),
            ("2024!", "n-2024"),
        ];
        for &(title, want) in cases {
            let got = slugify(title);
            assert_eq!(got, want, "slugify({title:?})");
            assert!(
                is_valid_slug(&got),
                "slugify({title:?}) = {got:?} is not valid"
            );
        }
    }

    #[test]
    fn nfc_makes_decomposed_and_precomposed_one_slug() {
        let precomposed = "r\u{e9}sum\u{e9} \u{d9}";
        let decomposed = "re\u{301}sume\u{301} U\u{300}";
        assert_ne!(precomposed, decomposed);
        assert_eq!(slugify(precomposed), slugify(decomposed));
        assert_eq!(slugify(decomposed), "r\u{e9}sum\u{e9}-\u{f9}");
    }

    #[test]
    fn with_suffix_appends_and_keeps_the_bound() {
        assert_eq!(with_suffix("slug", 2), "slug-2");
        assert_eq!(with_suffix("مرحبا-يا-عالم", 17), "مرحبا-يا-عالم-17");
        assert_eq!(with_suffix("slug", 1), "slug");
        assert_eq!(with_suffix("", 3), "article-3");

        let base = "ب".repeat(MAX_SLUG_CHARS);
        for n in [2, 9, 10, 99, 100, 12_345, u32::MAX] {
            let s = with_suffix(&base, n);
            assert!(s.chars().count() <= MAX_SLUG_CHARS, "{n}: {s}");
            assert!(s.ends_with(&format!("-{n}")), "{n}: {s}");
            assert!(is_valid_slug(&s), "{n}: {s}");
        }
        assert_eq!(with_suffix(&base, 2).chars().count(), MAX_SLUG_CHARS);

        // Truncation right after a '-' of the base must not leave "--".
        let base = format!("{}-{}", "a".repeat(77), "b".repeat(2));
        assert_eq!(base.chars().count(), MAX_SLUG_CHARS);
        let s = with_suffix(&base, 2);
        assert_eq!(s, format!("{}-2", "a".repeat(77)));
        assert!(is_valid_slug(&s));
    }

    #[test]
    fn validity() {
        let rejected = [
            "",
            "a--b",
            "-a",
            "a-",
            "123",
            "A",
            "a b",
            "a/b",
            "Über",
            "مُحمد",
            "ـعنوان",
            "a_b",
            "a.b",
            "e\u{301}",
            "١\u{200F}",
        ];
        for s in rejected {
            assert!(!is_valid_slug(s), "{s:?} should be rejected");
        }
        assert!(!is_valid_slug(&"a".repeat(MAX_SLUG_CHARS + 1)));

        let accepted = [
            "a",
            "n-2020",
            "2020-2021",
            "covid-19",
            "مرحبا-يا-عالم",
            "وزير-الدفاع",
            "٢٠٢٤",
            "über",
            "café",
        ];
        for s in accepted {
            assert!(is_valid_slug(s), "{s:?} should be accepted");
        }
        assert!(is_valid_slug(&"ع".repeat(MAX_SLUG_CHARS)));
    }
}
