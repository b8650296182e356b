//! Slugs that keep Arabic letters, so that URLs read in the reader's language.

/// Tashkeel (harakat, tanween, shadda, sukun, dagger alef…) and tatweel carry no
/// meaning a URL needs; they are dropped so that one headline has one slug.
fn is_arabic_mark(c: char) -> bool {
    matches!(c, '\u{0610}'..='\u{061A}' | '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{06D6}'..='\u{06ED}' | '\u{0640}')
}

/// Makes a URL slug from a title: letters and digits of any script are kept
/// (Latin lower-cased), everything else becomes a single `-`; at most
/// `MAX_SLUG_CHARS` characters, never empty, never all digits (an all-digit
/// key is read as an id).
pub fn slugify(title: &str) -> String {
    let mut out = String::with_capacity(title.len());
    let mut pending_dash = false;
    let mut count = 0;
    for c in title.chars() {
        if is_arabic_mark(c) {
            continue;
        }
        if c.is_alphanumeric() {
            let dash = usize::from(pending_dash && !out.is_empty());
            if count + dash + 1 > MAX_SLUG_CHARS {
                break;
            }
            if dash == 1 {
                out.push('-');
                count += 1;
            }
            pending_dash = false;
            for lower in c.to_lowercase() {
                out.push(lower);
            }
            count += 1;
        } else {
            pending_dash = true;
        }
    }
    let trimmed = out.trim_end_matches('-');
    if trimmed.is_empty() {
        "article".to_string()
    } else if trimmed.chars().all(|c| c.is_ascii_digit()) {
        format!("n-{trimmed}")
    } else {
        trimmed.to_string()
    }
}

/// Longest slug, in characters.
pub const MAX_SLUG_CHARS: usize = 80;

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
    }
}
