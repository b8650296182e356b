//! Arabic text for search: the one pipeline used both when indexing articles
//! and when parsing queries, so that both sides produce the same terms.
//!
//! `normalize` → `tokenize` → `stem` per token, after Lucene's
//! `ArabicNormalizer` and `ArabicStemmer` (Larkey et al., "Light-10").
//!
//! A leading و is ambiguous: "وزير" (minister) is a word, "وموسكو" is
//! "and Moscow". Lucene's stemmer always strips it (from words of 4+ letters),
//! so on its own it stems "وزير" to "زير" but "الوزير" to "وزير". Hence
//! [`index_terms`] and [`query_alternatives`] give both readings of such a
//! token: as a word that begins with و, and as و + a word.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

const ALEF: char = '\u{0627}';
const TEH_MARBUTA: char = '\u{0629}';
const HEH: char = '\u{0647}';
const WAW: char = '\u{0648}';
const YEH: char = '\u{064A}';

/// Lucene's prefixes, in Lucene's order (the first that fits is removed, and
/// only one). No prefix is a prefix of another that comes later, so this is
/// also "longest first".
const PREFIXES: [&[char]; 7] = [
    &['\u{0627}', '\u{0644}'],             // ال
    &['\u{0648}', '\u{0627}', '\u{0644}'], // وال
    &['\u{0628}', '\u{0627}', '\u{0644}'], // بال
    &['\u{0643}', '\u{0627}', '\u{0644}'], // كال
    &['\u{0641}', '\u{0627}', '\u{0644}'], // فال
    &['\u{0644}', '\u{0644}'],             // لل
    &['\u{0648}'],                         // و
];

/// Lucene's suffixes, in Lucene's order (one pass; each one that fits is
/// removed, so "معلماتها" loses ها and then ات). After [`normalize`] ة is
/// already ه, so the ية and ة entries never fire there; they are kept so that
/// the list is Lucene's.
const SUFFIXES: [&[char]; 10] = [
    &['\u{0647}', '\u{0627}'], // ها
    &['\u{0627}', '\u{0646}'], // ان
    &['\u{0627}', '\u{062A}'], // ات
    &['\u{0648}', '\u{0646}'], // ون
    &['\u{064A}', '\u{0646}'], // ين
    &['\u{064A}', '\u{0647}'], // يه
    &['\u{064A}', '\u{0629}'], // ية
    &['\u{0647}'],             // ه
    &['\u{0629}'],             // ة
    &['\u{064A}'],             // ي
];

/// Unicode NFC; hamza forms of alef (أ إ آ ٱ) → ا; ة → ه; ى → ي; ؤ → و;
/// ئ → ي; tashkeel (U+064B–U+065F, U+0670) and tatweel (U+0640) removed;
/// Arabic-Indic (U+0660–0669) and Eastern Arabic-Indic/Persian (U+06F0–06F9)
/// digits → ASCII; everything else lower-cased (full Unicode lower-casing;
/// Arabic has no case).
///
/// NFC comes first so that a decomposed أ (ا + U+0654) is folded like a
/// precomposed one. The result is NFC again and `normalize` is idempotent.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // ASCII and the Arabic letters need no NFC: the only marks among them
    // are the ones folding removes, so reordering them changes nothing.
    if text.chars().all(nfc_inert) {
        text.chars().for_each(|c| push_folded(&mut out, c));
        return out;
    }
    // Most news text is already NFC: skip recomposition when the quick check
    // says so (it is the costliest step of a bulk index otherwise).
    if is_nfc_quick(text.chars()) == IsNormalized::Yes {
        text.chars().for_each(|c| push_folded(&mut out, c));
    } else {
        text.nfc().for_each(|c| push_folded(&mut out, c));
    }
    // Lower-casing can, rarely, leave a sequence that is not NFC.
    if is_nfc_quick(out.chars()) == IsNormalized::Yes || unicode_normalization::is_nfc(&out) {
        out
    } else {
        out.nfc().collect()
    }
}

/// Characters whose text is NFC whatever follows, once folded: ASCII,
/// Latin-1 and general punctuation (no canonical decompositions there), and
/// the Arabic block except the marks that compose with a letter (madda and
/// hamza above/below, U+0653–U+0655) and the marks folding keeps
/// (U+0610–U+061A, U+06D6–U+06ED), whose order NFC may change.
fn nfc_inert(c: char) -> bool {
    c.is_ascii()
        || matches!(c, '\u{00A0}'..='\u{00BF}' | '\u{2010}'..='\u{205E}')
        || matches!(c, '\u{0600}'..='\u{06FF}')
            && !matches!(c, '\u{0610}'..='\u{061A}' | '\u{0653}'..='\u{0655}' | '\u{06D6}'..='\u{06ED}')
}

/// One NFC character of [`normalize`], folded.
fn push_folded(out: &mut String, c: char) {
    match fold_arabic_or_ascii(c) {
        Some(Some(folded)) => out.push(folded),
        Some(None) => {}
        None => out.extend(c.to_lowercase()),
    }
}

/// The folding of an ASCII or Arabic-block character: `Some(None)` when
/// folding removes it; `None` for other scripts (lower-cased by the caller).
fn fold_arabic_or_ascii(c: char) -> Option<Option<char>> {
    Some(match c {
        // أ إ آ ٱ
        '\u{0623}' | '\u{0625}' | '\u{0622}' | '\u{0671}' => Some(ALEF),
        TEH_MARBUTA => Some(HEH),
        // ى, ئ
        '\u{0649}' | '\u{0626}' => Some(YEH),
        // ؤ
        '\u{0624}' => Some(WAW),
        // tashkeel, superscript alef, tatweel
        '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}' => None,
        '\u{0660}'..='\u{0669}' => Some(ascii_digit(c, 0x0660)),
        '\u{06F0}'..='\u{06F9}' => Some(ascii_digit(c, 0x06F0)),
        _ if c.is_ascii() => Some(c.to_ascii_lowercase()),
        '\u{0600}'..='\u{06FF}' => Some(c),
        _ => return None,
    })
}

/// What `c` becomes in [`normalize`]d text whatever its neighbours, for the
/// characters where that is so (ASCII and the Arabic block but for the
/// marks NFC may move or compose): `Some(None)` when folding removes it;
/// `None` when its neighbours decide (other scripts, those marks).
pub fn folded_alone(c: char) -> Option<Option<char>> {
    if c.is_ascii() || matches!(c, '\u{0600}'..='\u{06FF}') && nfc_inert(c) {
        fold_arabic_or_ascii(c)
    } else {
        None
    }
}

fn ascii_digit(c: char, zero: u32) -> char {
    char::from(b'0' + (c as u32 - zero) as u8)
}

/// Splits normalised text into word tokens: runs of letters and digits of any
/// script (with any combining marks inside them); everything else separates.
/// No empty tokens.
pub fn tokenize(normalized: &str) -> Vec<String> {
    normalized
        .split(|c: char| !is_word_char(c))
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// Letters and digits of any script, and combining marks; with fast paths
/// for ASCII and the Arabic letters (U+0621–U+064A, all alphabetic).
pub fn is_word_char(c: char) -> bool {
    match c {
        _ if c.is_ascii() => c.is_ascii_alphanumeric(),
        '\u{0621}'..='\u{064A}' => true,
        _ => c.is_alphanumeric() || is_combining_mark(c),
    }
}

/// Light stemming of ONE normalised token, exactly as Lucene's
/// `ArabicStemmer`:
///
/// * prefix: the first of ال وال بال كال فال لل و that the token starts with
///   is removed (only one). ال وال بال كال فال لل need at least 2 letters to
///   remain; the single و needs a token of at least 4 letters (3 remain).
/// * suffix: one pass over ها ان ات ون ين يه ية ه ة ي; each one the token
///   (as shortened so far) ends with is removed if at least 2 letters remain.
///
/// Lengths are counted in characters. Non-Arabic tokens (Latin, digits) never
/// match an affix and come back unchanged.
pub fn stem(token: &str) -> String {
    stem_with(token, true)
}

/// [`stem`], optionally without the single-و prefix rule.
fn stem_with(token: &str, strip_waw: bool) -> String {
    // Tokens are short: a stack buffer of chars, no allocation but the result.
    let mut buf = ['\0'; 64];
    let mut n = 0;
    for c in token.chars() {
        if n == buf.len() {
            let long: Vec<char> = token.chars().collect();
            return stem_chars(&long, strip_waw);
        }
        buf[n] = c;
        n += 1;
    }
    stem_chars(&buf[..n], strip_waw)
}

fn stem_chars(s: &[char], strip_waw: bool) -> String {
    let n = s.len();
    let (mut start, mut end) = (0, n);
    for p in PREFIXES {
        let fits = if p.len() == 1 {
            strip_waw && n >= 4
        } else {
            n >= p.len() + 2
        };
        if fits && s.starts_with(p) {
            start = p.len();
            break;
        }
    }
    for x in SUFFIXES {
        if end - start >= x.len() + 2 && s[start..end].ends_with(x) {
            end -= x.len();
        }
    }
    s[start..end].iter().collect()
}

/// The readings of one normalised token, deduplicated, in this order:
///
/// 1. the token as a word: [`stem`] without the single-و rule (ال وال بال …
///    are still removed), so "وزير" → "وزير", like "الوزير" → "وزير";
/// 2. if the token starts with و and has at least 4 letters (Lucene's limit
///    for و): و + a word, the [`stem`] of the rest, so "وموسكو" → "موسكو".
///
/// [`stem`] of the token itself is always one of these, except when و is
/// followed by another prefix ("وبالمدرسة"): Lucene removes only one prefix
/// ("بالمدرس"); reading 2 removes both ("مدرس"), like "بالمدرسة".
pub fn readings(token: &str) -> Vec<String> {
    let mut out = Vec::with_capacity(2);
    if token.is_empty() {
        return out;
    }
    out.push(stem_with(token, false));
    if let Some(rest) = token.strip_prefix(WAW) {
        if token.chars().count() >= 4 {
            let other = stem(rest);
            if !out.contains(&other) {
                out.push(other);
            }
        }
    }
    out
}

/// The search terms of a text: normalize → tokenize → for each token its
/// readings (see the module docs: a leading و gives two). Order: by token;
/// deduplicated within a token, not across tokens.
pub fn index_terms(text: &str) -> Vec<String> {
    tokenize(&normalize(text))
        .iter()
        .flat_map(|t| readings(t))
        .collect()
}

/// For one normalised query token (as from [`tokenize`]): the alternatives,
/// any of which should match a term from [`index_terms`]. Deduplicated.
pub fn query_alternatives(token: &str) -> Vec<String> {
    readings(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Does query word `query` match `text`?
    fn matches(query: &str, text: &str) -> bool {
        let terms = index_terms(text);
        query_alternatives(&normalize(query))
            .iter()
            .any(|a| terms.contains(a))
    }

    #[test]
    fn normalize_table() {
        let cases: &[(&str, &str, &str)] = &[
            ("hamza above", "أحمد", "احمد"),
            ("hamza below", "إسلام", "اسلام"),
            ("madda", "آمن", "امن"),
            ("wasla", "ٱلله", "الله"),
            ("decomposed hamza above", "\u{0627}\u{0654}حمد", "احمد"),
            ("decomposed hamza below", "\u{0627}\u{0655}سلام", "اسلام"),
            ("decomposed madda", "\u{0627}\u{0653}من", "امن"),
            ("teh marbuta", "مدرسة", "مدرسه"),
            ("alef maqsura", "مستشفى", "مستشفي"),
            ("waw hamza", "مؤتمر", "موتمر"),
            ("yeh hamza", "رئيس", "رييس"),
            ("decomposed waw hamza", "م\u{0648}\u{0654}تمر", "موتمر"),
            ("fathatan U+064B", "شكرًا", "شكرا"),
            ("damma, fatha, shadda", "مُحَمَّد", "محمد"),
            ("kasra, sukun", "بِسْم", "بسم"),
            ("U+065F end of range", "ب\u{065F}ت", "بت"),
            ("U+0654 alone is removed", "ه\u{0654}", "ه"),
            ("superscript alef U+0670", "هٰذا", "هذا"),
            ("tatweel", "ـــخبر", "خبر"),
            ("tatweel inside", "خـــبر", "خبر"),
            ("arabic-indic digits", "٢٠٢٠", "2020"),
            ("arabic-indic 0-9", "٠١٢٣٤٥٦٧٨٩", "0123456789"),
            ("persian digits", "۲۰۲۰", "2020"),
            ("persian 0-9", "۰۱۲۳۴۵۶۷۸۹", "0123456789"),
            ("latin case", "Moscow", "moscow"),
            ("latin upper", "COVID-19", "covid-19"),
            (
                "NFC decomposed e acute",
                "Caf\u{0065}\u{0301}",
                "caf\u{00E9}",
            ),
            ("NFC decomposed upper", "\u{0045}\u{0301}", "\u{00E9}"),
            ("non-latin case", "ΑΘΗΝΑ", "αθηνα"),
            ("punctuation kept", "قال: «نعم»، ثم؟", "قال: «نعم»، ثم؟"),
            ("mixed", "زار Putin موسكو", "زار putin موسكو"),
            ("empty", "", ""),
            ("untouched letters", "كتب", "كتب"),
            ("ة inside sentence", "المدرسة الجديدة", "المدرسه الجديده"),
        ];
        for (name, input, want) in cases {
            assert_eq!(normalize(input), *want, "{name}: {input:?}");
            assert_eq!(normalize(want), *want, "{name}: idempotent");
        }
    }

    #[test]
    fn tokenize_table() {
        let cases: &[(&str, &[&str])] = &[
            ("covid-19", &["covid", "19"]),
            ("زار putin موسكو", &["زار", "putin", "موسكو"]),
            ("قال: «نعم»، ثم؟", &["قال", "نعم", "ثم"]),
            ("  ", &[]),
            ("", &[]),
            ("a_b.c", &["a", "b", "c"]),
            ("2020م", &["2020م"]),
            ("i\u{0307}stanbul", &["i\u{0307}stanbul"]),
        ];
        for (input, want) in cases {
            assert_eq!(tokenize(input), *want, "{input:?}");
        }
    }

    #[test]
    fn stem_table() {
        // (normalised token, Lucene's stem)
        let cases: &[(&str, &str)] = &[
            ("الوزير", "وزير"),
            ("والوزير", "وزير"),
            ("بالمدرسه", "مدرس"),
            ("كالبحر", "بحر"),
            ("فالامر", "امر"),
            ("للوزير", "وزير"),
            ("المدرسه", "مدرس"),
            ("مدرسه", "مدرس"),
            ("وزير", "زير"), // Lucene; index_terms keeps "وزير" too
            ("وموسكو", "موسكو"),
            ("فريق", "فريق"),
            ("الفريق", "فريق"),
            ("تعاون", "تعا"),
            ("التعاون", "تعا"),
            ("والاستقرار", "استقرار"),
            ("الاستقرار", "استقرار"),
            ("استقرار", "استقرار"),
            ("كتابها", "كتاب"),
            ("معلماتها", "معلم"),
            ("مكتبات", "مكتب"),
            ("لاعبون", "لاعب"),
            ("مسلمين", "مسلم"),
            ("فلسطينيه", "فلسطين"),
            ("عربيه", "عرب"),
            ("مستشفي", "مستشف"),
            ("كتابه", "كتاب"),
            ("بلدان", "بلد"),
            // length limits
            ("الم", "الم"), // ال needs 2 left
            ("الاب", "اب"),  // ... and gets them
            ("لله", "لل"),  // لل needs 2 left; then ه goes
            ("وهو", "وهو"), // و needs 4 letters
            ("ولد", "ولد"), // ditto
            ("وطنه", "طن"), // و, then ه (2 left)
            ("بها", "بها"), // ها needs 2 left
            ("اب", "اب"),
            ("ي", "ي"),
            // unnormalised ة/ية, as in Lucene's list
            ("عربية", "عرب"),
            ("مدرسة", "مدرس"),
            // non-Arabic
            ("moscow", "moscow"),
            ("covid", "covid"),
            ("2020", "2020"),
            ("", ""),
        ];
        for (input, want) in cases {
            assert_eq!(stem(input), *want, "stem({input:?})");
        }
    }

    #[test]
    fn matching_table() {
        // (query word, text, should match)
        let cases: &[(&str, &str, bool)] = &[
            ("وزير", "الوزير", true),
            ("وزير", "والوزير", true),
            ("وزير", "للوزير", true),
            ("الوزير", "وزير", true),
            ("وزير", "وزير", true),
            ("مدرسة", "المدرسة", true),
            ("مدرسة", "بالمدرسة", true),
            ("المدرسة", "مدرسة", true),
            ("تعاون", "التعاون", true),
            ("فريق", "الفريق", true),
            ("الفريق", "فريق", true),
            ("وموسكو", "موسكو", true),
            ("موسكو", "وموسكو", true),
            ("والصين", "الصين", true),
            ("الصين", "والصين", true),
            ("أحمد", "احمد", true),
            ("احمد", "أحمد", true),
            ("إحمد", "أحمد", true),
            ("أحمد", "إحمد", true),
            ("احمد", "إحمد", true),
            ("مُحَمَّد", "محمد", true),
            ("محمد", "مُحَمَّد", true),
            ("ـــخبر", "خبر", true),
            ("خبر", "ـــخبر", true),
            ("٢٠٢٠", "2020", true),
            ("۲۰۲۰", "٢٠٢٠", true),
            ("مدرسة", "مدرسه", true),
            ("مدرسه", "مدرسة", true),
            ("مستشفى", "مستشفي", true),
            ("مستشفي", "مستشفى", true),
            ("مؤتمر", "موتمر", true),
            ("رئيس", "رييس", true),
            ("والاستقرار", "استقرار", true),
            ("استقرار", "الاستقرار", true),
            ("الاستقرار", "والاستقرار", true),
            ("Moscow", "moscow", true),
            ("moscow", "MOSCOW", true),
            ("covid", "COVID-19", true),
            ("19", "COVID-19", true),
            ("putin", "زار Putin موسكو", true),
            ("موسكو", "زار Putin موسكو", true),
            ("وبالمدرسة", "المدرسة", true),
            // things that must not match
            ("فريق", "ريق", false),
            ("موسكو", "باريس", false),
            ("covid", "covid19", false),
            ("مدرسة", "مدير", false),
        ];
        for (query, text, want) in cases {
            assert_eq!(
                matches(query, text),
                *want,
                "{query:?} in {text:?}: alternatives {:?}, terms {:?}",
                query_alternatives(&normalize(query)),
                index_terms(text)
            );
        }
    }

    #[test]
    fn index_terms_table() {
        let cases: &[(&str, &[&str])] = &[
            ("وزير", &["وزير", "زير"]),
            ("الوزير", &["وزير"]),
            ("والوزير", &["وزير"]),
            ("وموسكو", &["وموسكو", "موسكو"]),
            ("والصين", &["صين"]),
            ("وهو", &["وهو"]),
            ("زار Putin موسكو", &["زار", "putin", "موسكو"]),
            ("COVID-19", &["covid", "19"]),
            ("Moscow", &["moscow"]),
            // deduplicated within a token, not across tokens
            ("موسكو وموسكو موسكو", &["موسكو", "وموسكو", "موسكو", "موسكو"]),
            ("", &[]),
        ];
        for (input, want) in cases {
            assert_eq!(index_terms(input), *want, "{input:?}");
        }
    }

    #[test]
    fn query_alternatives_table() {
        let cases: &[(&str, &[&str])] = &[
            ("وزير", &["وزير", "زير"]),
            ("الوزير", &["وزير"]),
            ("وموسكو", &["وموسكو", "موسكو"]),
            ("والصين", &["صين"]),
            ("فريق", &["فريق"]),
            ("moscow", &["moscow"]),
            ("", &[]),
        ];
        for (input, want) in cases {
            assert_eq!(query_alternatives(input), *want, "{input:?}");
        }
    }

    #[test]
    fn a_character_folded_alone_is_folded_so_in_any_word() {
        // Every pair of the characters that say they fold alone (of ASCII
        // and the Arabic block), and the marks that compose are not among them.
        let alone: Vec<char> = ('\u{0000}'..='\u{007F}')
            .chain('\u{0600}'..='\u{06FF}')
            .filter(|c| folded_alone(*c).is_some())
            .collect();
        assert!(alone.len() > 300);
        assert_eq!(folded_alone('\u{0654}'), None);
        assert_eq!(folded_alone('\u{0301}'), None);
        assert_eq!(folded_alone('É'), None);
        assert_eq!(folded_alone('أ'), Some(Some('ا')));
        assert_eq!(folded_alone('\u{064E}'), Some(None));
        let folded = |text: &[char]| -> String {
            text.iter()
                .filter_map(|c| folded_alone(*c).unwrap())
                .collect()
        };
        for a in &alone {
            for b in &alone {
                assert_eq!(
                    normalize(&format!("{a}{b}")),
                    folded(&[*a, *b]),
                    "{a:?}{b:?}"
                );
            }
        }
    }

    #[test]
    fn the_fast_path_equals_nfc_then_folding() {
        // Every pair and triple of these, in every order: letters, the marks
        // that compose with them, marks folding keeps or drops, punctuation.
        let pool = [
            'ا', 'و', 'ي', 'ه', 'ة', 'ى', 'أ', 'a', 'E', '1', '٣', ' ', '«', '»', '–', '…', '،',
            '\u{0653}', '\u{0654}', '\u{0655}', '\u{064E}', '\u{0651}', '\u{0670}', '\u{0640}',
            '\u{0610}', '\u{06D6}', '\u{0301}', '\u{00A0}', '\u{2000}', 'É',
        ];
        let reference = |text: &str| -> String {
            let mut out = String::new();
            text.nfc().for_each(|c| push_folded(&mut out, c));
            out.nfc().collect()
        };
        let mut checked = 0;
        for a in pool {
            for b in pool {
                for c in pool {
                    for text in [format!("{a}{b}"), format!("{a}{b}{c}")] {
                        assert_eq!(normalize(&text), reference(&text), "{text:?}");
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 1000);
    }
}
