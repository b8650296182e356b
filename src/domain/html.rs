//! Article HTML: the allow-list editors' markup is cleaned to, and the plain
//! text of that markup and of fields that must carry none.
//!
//! Sanitising is ammonia's (html5ever parses exactly as a browser does, so
//! what survives is what a browser would see). The text functions walk
//! ammonia's *serialised* output rather than its DOM: `Document::to_dom_node`
//! exists only under `--cfg ammonia_unstable`, ammonia's `rcdom` module is
//! private without that flag, and html5ever is not one of our dependencies.
//! The serialised form is simple enough to read by hand (see [`text_blocks`]).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use ammonia::{Builder, UrlRelative};

/// Elements an article body may contain.
const ARTICLE_TAGS: &[&str] = &[
    "p",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6", //
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "sub",
    "sup",
    "small",
    "mark",
    "q",
    "cite",
    "abbr",
    "time",
    "span", //
    "ul",
    "ol",
    "li", //
    "a",
    "img",
    "blockquote",
    "figure",
    "figcaption", //
    "table",
    "caption",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "th",
    "td", //
    "pre",
    "code",
];

/// Attributes per element (besides the generic `dir` and `lang`). `rel` on
/// `a` is not here: ammonia forces it (`link_rel`).
const ARTICLE_ATTRIBUTES: &[(&str, &[&str])] = &[
    ("a", &["href", "title"]),
    ("img", &["src", "alt", "title", "width", "height"]),
    ("blockquote", &["cite"]),
    ("q", &["cite"]),
    ("abbr", &["title"]),
    ("time", &["datetime"]),
    ("ol", &["start"]),
    ("td", &["colspan", "rowspan"]),
    ("th", &["colspan", "rowspan"]),
];

/// `rel` of every link: no `window.opener` for the target, no endorsement.
const LINK_REL: &str = "noopener nofollow";

/// Elements removed together with everything inside them, in article bodies
/// and in plain-text fields alike. Besides script and style: elements whose
/// content the parser reads as raw text (textarea, title, xmp, noscript,
/// noembed, noframes, iframe, plaintext) — unwrapped, that text would come
/// back as literal "<img onerror=…>" text; and embedded documents, forms
/// controls and foreign content (svg, math), whose contents are not article
/// text and are where mutation-XSS tricks live.
const DROPPED_WITH_CONTENT: &[&str] = &[
    "script",
    "style",
    "template",
    "iframe",
    "frame",
    "frameset",
    "noscript",
    "noembed",
    "noframes",
    "xmp",
    "textarea",
    "title",
    "plaintext",
    "object",
    "applet",
    "svg",
    "math",
    "select",
    "datalist",
    "audio",
    "video",
    "canvas",
];

/// Elements that end one paragraph of text and start another.
const BLOCK_TAGS: &[&str] = &[
    "p",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "figure",
    "figcaption",
    "table",
    "caption",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "pre",
    "div",
    "section",
    "article",
    "aside",
    "header",
    "footer",
    "nav",
    "main",
    "address",
    "details",
    "summary",
    "fieldset",
    "legend",
];

/// Elements whose boundaries separate words without ending a paragraph.
const CELL_TAGS: &[&str] = &["td", "th"];

fn set(items: &[&'static str]) -> HashSet<&'static str> {
    items.iter().copied().collect()
}

/// Whether a URL in `src` or `cite` may stay: http(s), or relative (which
/// the page's own scheme resolves). ammonia's `url_schemes` is one list for
/// every URL attribute and lets `mailto:` through, which an image must not
/// have; and it does not treat `cite` as a URL at all.
fn is_web_url(value: &str) -> bool {
    match url::Url::parse(value) {
        Ok(url) => matches!(url.scheme(), "http" | "https"),
        Err(url::ParseError::RelativeUrlWithoutBase) => true,
        Err(_) => false,
    }
}

/// A plain non-negative integer of at most 5 digits (sizes, spans, list start).
fn is_small_number(value: &str) -> bool {
    (1..=5).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_digit())
}

/// Values checks ammonia's allow-lists cannot express (runs after them).
fn article_attribute_filter<'u>(
    element: &str,
    attribute: &str,
    value: &'u str,
) -> Option<Cow<'u, str>> {
    let keep = match (element, attribute) {
        ("img", "src") | (_, "cite") => is_web_url(value),
        ("img", "width" | "height") | ("ol", "start") | (_, "colspan" | "rowspan") => {
            is_small_number(value.trim())
        }
        (_, "dir") => matches!(value.to_ascii_lowercase().as_str(), "rtl" | "ltr" | "auto"),
        (_, "lang") => {
            (1..=35).contains(&value.len())
                && value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        }
        _ => true,
    };
    keep.then_some(Cow::Borrowed(value))
}

static ARTICLE: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let mut builder = Builder::empty();
    builder
        .tags(set(ARTICLE_TAGS))
        .clean_content_tags(set(DROPPED_WITH_CONTENT))
        .generic_attributes(set(&["dir", "lang"]))
        .tag_attributes(
            ARTICLE_ATTRIBUTES
                .iter()
                .map(|&(tag, attrs)| (tag, set(attrs)))
                .collect(),
        )
        .tag_attribute_values(HashMap::from([(
            "th",
            HashMap::from([("scope", set(&["row", "col", "rowgroup", "colgroup"]))]),
        )]))
        .set_tag_attribute_values(HashMap::new())
        .allowed_classes(HashMap::new())
        .url_schemes(set(&["http", "https", "mailto"]))
        .url_relative(UrlRelative::PassThrough)
        .link_rel(Some(LINK_REL))
        .strip_comments(true)
        .id_prefix(None)
        .attribute_filter(article_attribute_filter);
    builder
});

/// Keeps only the elements that structure text, with no attributes at all,
/// so that [`text_blocks`] can tell where words and paragraphs end.
static STRUCTURE_ONLY: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let mut builder = Builder::empty();
    builder
        .tags(set(BLOCK_TAGS).union(&set(CELL_TAGS)).copied().collect())
        .clean_content_tags(set(DROPPED_WITH_CONTENT))
        .generic_attributes(HashSet::new())
        .tag_attributes(HashMap::new())
        .tag_attribute_values(HashMap::new())
        .set_tag_attribute_values(HashMap::new())
        .allowed_classes(HashMap::new())
        .url_schemes(HashSet::new())
        .link_rel(None)
        .strip_comments(true)
        .id_prefix(None);
    builder
});

/// Sanitises editor-supplied HTML to the news-article allow-list.
///
/// Output is html5ever's serialisation: `<br>` (no slash), attribute values
/// always double-quoted, `&`, `<`, `>` and U+00A0 in text written as `&amp;`
/// `&lt;` `&gt;` `&nbsp;` — but `"` and `'` in text left as they are (so
/// `<p>قال "نعم"</p>` comes back byte for byte); in attribute values `"`
/// becomes `&quot;`. Missing `tbody`s are added, unclosed elements closed.
pub fn sanitize_article_html(input: &str) -> String {
    ARTICLE.clean(input).to_string()
}

/// Plain text of sanitised article HTML: each block element (p, h1-h6, li,
/// blockquote, figcaption, tr/table rows, pre, br as line break...) becomes a
/// paragraph; paragraphs are separated by exactly "\n\n"; whitespace inside a
/// paragraph collapsed to single spaces and trimmed; entities decoded; empty
/// paragraphs dropped.
///
/// Table cells of one row are separated by a space; images and other
/// elements without text contribute nothing. The input is sanitised first,
/// so any HTML may be passed.
pub fn html_to_text(html: &str) -> String {
    text_blocks(&sanitize_article_html(html)).join("\n\n")
}

/// Plain text from a field that must carry no markup (a title, a summary, a
/// caption, a byline): every tag removed, the content of
/// script/style/template/iframe/etc. dropped entirely, entities decoded,
/// whitespace collapsed and trimmed. "A < B & C" stays "A < B & C".
///
/// Block boundaries (`<p>`, `<br>`, `<li>`…) become a space, inline tags
/// nothing (`a<b>b</b>` is "ab"). The result is cleaned again while that
/// changes it, so that escaped markup (`&lt;b&gt;x`) does not come back as
/// markup and `plain_text(plain_text(s)) == plain_text(s)`: a stored title
/// read back and saved again stays the same. (Bounded; only text escaped
/// more than `MAX_PASSES - 1` times over could still change.)
pub fn plain_text(input: &str) -> String {
    const MAX_PASSES: usize = 4;
    let mut text = plain_text_once(input);
    for _ in 1..MAX_PASSES {
        // Only '<' can start a tag and only '&' an entity.
        if !text.contains(['<', '&']) {
            break;
        }
        let again = plain_text_once(&text);
        if again == text {
            break;
        }
        text = again;
    }
    text
}

/// Plain text that keeps the writer's lines (a comment): like [`plain_text`]
/// (every tag removed, dangerous elements dropped with their content,
/// entities decoded, escaped markup not revived), but each line break typed
/// in the text is kept: lines are trimmed and their inner whitespace
/// collapsed, runs of blank lines become one blank line, and leading and
/// trailing blank lines go. `\r\n` and `\r` count as line breaks.
pub fn plain_text_lines(input: &str) -> String {
    // Line breaks ride through the cleaner as a private-use character, which
    // is neither whitespace nor markup (and cannot be smuggled in: the input's
    // own are removed first).
    const BREAK: char = '\u{E000}';
    let marked: String = input
        .replace("\r\n", "\n")
        .chars()
        .filter(|&c| c != BREAK)
        .map(|c| if c == '\n' || c == '\r' { BREAK } else { c })
        .collect();
    let text = plain_text(&marked);
    let mut out = String::with_capacity(text.len());
    let mut blank = false;
    for line in text.split(BREAK).map(str::trim) {
        if line.is_empty() {
            blank = true;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank { "\n\n" } else { "\n" });
        }
        out.push_str(line);
        blank = false;
    }
    out
}

fn plain_text_once(input: &str) -> String {
    text_blocks(&STRUCTURE_ONLY.clean(input).to_string()).join(" ")
}

/// What an element does to the text around it.
enum Boundary {
    /// Ends the paragraph.
    Paragraph,
    /// Separates words.
    Word,
    /// Nothing (inline markup: `ab<em>c</em>d` is "abcd").
    None,
}

fn boundary(tag_name: &str) -> Boundary {
    if BLOCK_TAGS.contains(&tag_name) {
        Boundary::Paragraph
    } else if CELL_TAGS.contains(&tag_name) {
        Boundary::Word
    } else {
        Boundary::None
    }
}

/// The paragraphs of text in HTML *as ammonia serialises it*, each with its
/// whitespace collapsed, empty ones dropped.
///
/// Hand-written rather than a DOM walk (see the module docs). It is exact
/// for that input, and only for it, because html5ever's serialiser
/// guarantees that:
/// - a `<` is always the start of a tag: in text it is written `&lt;`;
///   comments are stripped (`strip_comments`), no doctype or processing
///   instruction is ever kept, and no raw-text element (script, style, xmp,
///   iframe…, whose text would be written unescaped) is allowed;
/// - inside a tag, attribute values are always in double quotes, with `"`
///   written `&quot;` (html5ever 0.40 also escapes `<` and `>` there, but
///   quote tracking does not rely on it), so the tag ends at the first `>`
///   outside quotes;
/// - text contains no entity but the ones [`decode_entities`] reverses.
fn text_blocks(serialised: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current = String::new();
    let mut rest = serialised;
    while let Some(lt) = rest.find('<') {
        decode_entities(&rest[..lt], &mut current);
        let tag = &rest[lt + 1..];
        let mut in_quotes = false;
        let end = tag
            .char_indices()
            .find(|&(_, c)| {
                if c == '"' {
                    in_quotes = !in_quotes;
                }
                c == '>' && !in_quotes
            })
            .map_or(tag.len(), |(i, _)| i);
        // "p", "/p", "br", "img src=…": the name is what follows an optional
        // '/' up to whitespace or '/'. The serialiser writes names lower-case.
        let name = tag[..end]
            .trim_start_matches('/')
            .split(|c: char| c.is_ascii_whitespace() || c == '/')
            .next()
            .unwrap_or("");
        match boundary(name) {
            Boundary::Paragraph => end_paragraph(&mut current, &mut blocks),
            Boundary::Word => current.push(' '),
            Boundary::None => {}
        }
        rest = tag.get(end + 1..).unwrap_or("");
    }
    decode_entities(rest, &mut current);
    end_paragraph(&mut current, &mut blocks);
    blocks
}

/// Collapses `current`'s whitespace (U+00A0 included) into a paragraph, if
/// any text is left, and empties it.
fn end_paragraph(current: &mut String, blocks: &mut Vec<String>) {
    let paragraph = current.split_whitespace().collect::<Vec<_>>().join(" ");
    if !paragraph.is_empty() {
        blocks.push(paragraph);
    }
    current.clear();
}

/// Appends `text` to `out` with the character references html5ever's
/// serialiser writes (`&amp;` `&lt;` `&gt;` `&quot;` `&nbsp;`) decoded, plus
/// `&#39;` and any decimal/hex numeric reference, for robustness. Anything
/// else starting with `&` cannot come from the serialiser (every `&` of the
/// text is written `&amp;`) and is copied as it is.
fn decode_entities(text: &str, out: &mut String) {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let decoded = after
            .find(';')
            .filter(|&semi| semi <= 10)
            .and_then(|semi| Some((decode_reference(&after[..semi])?, semi)));
        match decoded {
            Some((c, semi)) => {
                out.push(c);
                rest = &after[semi + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
}

/// The character a reference names (`amp`, `#39`, `#x27`), without `&` and `;`.
fn decode_reference(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some('\u{a0}'),
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code).filter(|&c| c != '\0')
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The vectors of tests/data/xss_vectors.txt (the integration tests read
    /// the same file).
    fn xss_vectors() -> Vec<&'static str> {
        include_str!("../../tests/data/xss_vectors.txt")
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .collect()
    }

    /// Lower-cased, every character reference decoded (the full HTML set
    /// would be overkill: html5ever writes only the ones decode_entities
    /// knows, and a browser would decode the same).
    fn normalised(output: &str) -> String {
        let mut decoded = String::new();
        decode_entities(&output.to_lowercase(), &mut decoded);
        decoded
    }

    /// Whether some tag in `s` has an `on…=` attribute: inside `<…>`, "on"
    /// after whitespace, a quote or '/', then letters, optional spaces, '='.
    fn has_event_handler(s: &str) -> bool {
        let mut rest = s;
        while let Some(lt) = rest.find('<') {
            let tag = &rest[lt + 1..];
            let end = tag.find('>').unwrap_or(tag.len());
            let inside = &tag[..end];
            for (i, _) in inside.match_indices("on") {
                let before = inside[..i].chars().next_back();
                if !matches!(before, Some(c) if c.is_whitespace() || c == '"' || c == '\'' || c == '/')
                {
                    continue;
                }
                let after = inside[i + 2..].trim_start_matches(|c: char| c.is_ascii_alphabetic());
                if after.len() < inside.len() - i - 2 && after.trim_start().starts_with('=') {
                    return true;
                }
            }
            rest = &tag[end.min(tag.len())..];
        }
        false
    }

    /// What in sanitised HTML would still be dangerous, if anything.
    fn danger(output: &str) -> Option<&'static str> {
        const NEEDLES: &[&str] = &[
            "<script",
            "javascript:",
            "vbscript:",
            "data:",
            "style=",
            "<iframe",
            "<object",
            "<embed",
            "<svg",
            "<math",
            "<form",
            "<input",
            "<meta",
            "<link",
            "<base",
            "<style",
        ];
        let s = normalised(output);
        if has_event_handler(&s) {
            return Some("on…= attribute");
        }
        NEEDLES.iter().copied().find(|n| s.contains(n))
    }

    /// Whether plain text has something a browser could read as a tag.
    fn has_tag_start(text: &str) -> bool {
        text.as_bytes().windows(2).any(|w| {
            w[0] == b'<' && (w[1].is_ascii_alphabetic() || matches!(w[1], b'/' | b'!' | b'?'))
        })
    }

    #[test]
    fn the_vector_file_is_big_enough() {
        assert!(xss_vectors().len() >= 30, "{}", xss_vectors().len());
    }

    #[test]
    fn the_danger_check_sees_danger() {
        for raw in [
            "<img src=x onerror=alert(1)>",
            "<a href=\"jav&#x61;script:x\">",
            "<p style=\"x\">",
            "<a href='data:x'>",
            "<svg/onload=alert(1)>",
            "<x ONCLICK = y>",
        ] {
            assert!(danger(raw).is_some(), "{raw}");
        }
        for harmless in [
            "<p>online</p>",
            "<a href=\"https://x/on=1\" rel=\"x\">",
            "<p>on=</p>",
        ] {
            assert_eq!(danger(harmless), None, "{harmless}");
        }
    }

    #[test]
    fn xss_vectors_are_defused_in_article_html() {
        for vector in xss_vectors() {
            let clean = sanitize_article_html(vector);
            assert_eq!(danger(&clean), None, "{vector:?} gave {clean:?}");
            assert_eq!(
                sanitize_article_html(&clean),
                clean,
                "not a fixed point: {vector:?}"
            );
            let text = html_to_text(vector);
            assert!(!has_tag_start(&text), "{vector:?} gave text {text:?}");
        }
    }

    #[test]
    fn xss_vectors_leave_no_markup_in_plain_text() {
        for vector in xss_vectors() {
            let text = plain_text(vector);
            assert!(!has_tag_start(&text), "{vector:?} gave {text:?}");
            assert_eq!(danger(&text), None, "{vector:?} gave {text:?}");
            assert_eq!(plain_text(&text), text, "not a fixed point: {vector:?}");
        }
    }

    #[test]
    fn allowed_markup_survives() {
        let unchanged = [
            "<p>مرحبا <strong>بالعالم</strong></p>",
            "<h2>عنوان</h2><h3>فرعي</h3><p><em>مائل</em> و<b>عريض</b> و<u>خط</u> و<s>شطب</s></p>",
            "<p>H<sub>2</sub>O و m<sup>2</sup> <small>صغير</small> <mark>مظلل</mark> <code>x</code></p>",
            "<ul><li>أ</li><li>ب</li></ul><ol><li>١</li></ol>",
            "<blockquote cite=\"https://example.com/src\"><p>اقتباس</p></blockquote>",
            "<figure><img src=\"https://cdn.example.com/a.jpg\" alt=\"صورة الوزير\"><figcaption>الوزير</figcaption></figure>",
            "<table><caption>النتائج</caption><thead><tr><th>فريق</th><th>نقاط</th></tr></thead><tbody><tr><td colspan=\"2\">لا شيء</td></tr></tbody></table>",
            "<p>سطر<br>سطر</p><hr><pre>a  b</pre>",
            "<p><q>قول</q> <cite>كتاب</cite> <abbr title=\"الأمم المتحدة\">أمم</abbr> <time datetime=\"2024-05-01\">أيار</time></p>",
            "<p dir=\"ltr\" lang=\"en\"><span dir=\"rtl\">نص</span></p>",
            "<img src=\"/media/a.jpg\" alt=\"\" width=\"640\" height=\"480\">",
            "<p>قال الوزير: \"سنواصل العمل\" و'غدا'</p>",
        ];
        for html in unchanged {
            assert_eq!(sanitize_article_html(html), html);
        }
    }

    #[test]
    fn sanitising_table() {
        let cases: &[(&str, &str)] = &[
            // Links: rel forced, schemes checked, relative kept, '&' escaped.
            (
                "<a href=\"https://example.com/x?a=1&b=2\" title=\"t\">x</a>",
                "<a href=\"https://example.com/x?a=1&amp;b=2\" title=\"t\" rel=\"noopener nofollow\">x</a>",
            ),
            (
                "<a href=\"/ar/article/1\" rel=\"opener\" target=\"_blank\">x</a>",
                "<a href=\"/ar/article/1\" rel=\"noopener nofollow\">x</a>",
            ),
            (
                "<a href=\"mailto:desk@example.com\">x</a>",
                "<a href=\"mailto:desk@example.com\" rel=\"noopener nofollow\">x</a>",
            ),
            ("<a href=\"ftp://x/y\">x</a>", "<a rel=\"noopener nofollow\">x</a>"),
            // Images: http(s) or relative only; sizes must be numbers.
            ("<img src=\"mailto:x@y\" alt=\"a\">", "<img alt=\"a\">"),
            ("<img src=\"https://x/a.png\" width=\"100%\" height=\"1e9\">", "<img src=\"https://x/a.png\">"),
            ("<blockquote cite=\"javascript:x\">q</blockquote>", "<blockquote>q</blockquote>"),
            // Not allowed: unwrapped, attributes gone.
            ("<div class=\"x\" id=\"y\"><p style=\"color:red\" onclick=\"x()\">t</p></div>", "<p>t</p>"),
            ("<font color=red>t</font><center>c</center>", "tc"),
            ("<p dir=\"sideways\" lang=\"en us\">t</p>", "<p>t</p>"),
            ("<td>c</td>", "c"),
            // Dropped with their content.
            ("<p>a<script>alert(1)</script>b<style>p{}</style>c</p>", "<p>abc</p>"),
            ("<p>a<!-- comment -->b</p>", "<p>ab</p>"),
            ("<textarea><b>x</b></textarea>y", "y"),
            // Repaired.
            ("<p>a<p>b", "<p>a</p><p>b</p>"),
            ("<table><tr><td>1</td></tr></table>", "<table><tbody><tr><td>1</td></tr></tbody></table>"),
            ("a</br>b<br/>c", "a<br>b<br>c"),
            ("<p>a & b < c > d\u{a0}e</p>", "<p>a &amp; b &lt; c &gt; d&nbsp;e</p>"),
            ("<img alt='say \"hi\"'>", "<img alt=\"say &quot;hi&quot;\">"),
            ("", ""),
        ];
        for &(input, want) in cases {
            assert_eq!(sanitize_article_html(input), want, "{input:?}");
        }
    }

    #[test]
    fn arabic_is_kept_byte_for_byte() {
        let text = "وَزِيرُ الدِّفَاعِ: «التعاون ضروري»، أليس كذلك؟ ١٢٣ ـ\u{200F}نص\u{200C}ي";
        let html = format!("<p>{text}</p>");
        assert_eq!(sanitize_article_html(&html).as_bytes(), html.as_bytes());
        assert_eq!(html_to_text(&html), text);
        assert_eq!(plain_text(text), text);
    }

    #[test]
    fn text_of_article_html_table() {
        let cases: &[(&str, &str)] = &[
            ("<p>أ</p><p>ب</p>", "أ\n\nب"),
            ("<h2>t</h2><ul><li>a</li><li>b</li></ul>", "t\n\na\n\nb"),
            ("<p>a &amp; b &lt;c&gt; &quot;d&quot; &#39;e&#39; &#x41;</p>", "a & b <c> \"d\" 'e' A"),
            ("<p>ab<em>c</em>d</p>", "abcd"),
            ("<p>  a \n\t b  </p>", "a b"),
            ("<p>a&nbsp;&nbsp;b</p>", "a b"),
            ("<p>a<br>b</p>", "a\n\nb"),
            ("<p></p><p> </p><p>x</p><br><br>", "x"),
            ("<blockquote><p>q1</p><p>q2</p></blockquote>", "q1\n\nq2"),
            ("<figure><img src=\"/a.jpg\" alt=\"alt\"><figcaption>cap</figcaption></figure>", "cap"),
            (
                "<table><caption>c</caption><tr><th>h1</th><th>h2</th></tr><tr><td>1</td><td>2</td></tr></table>",
                "c\n\nh1 h2\n\n1 2",
            ),
            ("<pre>x =  1\ny = 2</pre>", "x = 1 y = 2"),
            ("before<h3>head</h3>after", "before\n\nhead\n\nafter"),
            ("<p>a<script>bad()</script>b</p>", "ab"),
            ("<p>a<a href=\"https://x\">link</a>b</p>", "alinkb"),
            ("plain", "plain"),
            ("", ""),
        ];
        for &(html, want) in cases {
            assert_eq!(html_to_text(html), want, "{html:?}");
        }
    }

    #[test]
    fn plain_text_table() {
        let cases: &[(&str, &str)] = &[
            ("<b>عنوان</b> <script>x</script>", "عنوان"),
            ("A < B & C", "A < B & C"),
            ("  a \n b  ", "a b"),
            ("a&amp;b &lt; c", "a&b < c"),
            ("R&D, AT&T &copy", "R&D, AT&T ©"),
            ("<p>one</p><p>two</p>", "one two"),
            ("x<br>y", "x y"),
            ("<i>a</i>b", "ab"),
            ("قال \"نعم\" و'لا'", "قال \"نعم\" و'لا'"),
            (
                "<style>p{color:red}</style>عنوان<template><b>t</b></template>",
                "عنوان",
            ),
            ("<iframe src=x>inner</iframe>ok", "ok"),
            ("<noscript><b>n</b></noscript>ok", "ok"),
            ("&lt;b&gt;bold&lt;/b&gt;", "bold"),
            ("&lt;script&gt;alert(1)&lt;/script&gt;t", "t"),
            ("1 <2 and 3> 2", "1 <2 and 3> 2"),
            ("a\u{a0}b", "a b"),
            ("", ""),
        ];
        for &(input, want) in cases {
            assert_eq!(plain_text(input), want, "{input:?}");
            assert_eq!(plain_text(want), want, "not a fixed point: {want:?}");
        }
    }

    #[test]
    fn plain_text_lines_table() {
        let cases: &[(&str, &str)] = &[
            ("سطر أول\nسطر ثان", "سطر أول\nسطر ثان"),
            ("a\r\nb\rc", "a\nb\nc"),
            ("\n\n a  \n\n\n\n b \n", "a\n\nb"),
            ("<b>x</b>\n<script>\nalert(1)\n</script>y", "x\ny"),
            ("1 < 2\n&lt;b&gt;", "1 < 2"),
            ("a\u{E000}b", "ab"),
            ("", ""),
        ];
        for &(input, want) in cases {
            assert_eq!(plain_text_lines(input), want, "{input:?}");
            assert_eq!(plain_text_lines(want), want, "not a fixed point: {want:?}");
        }
    }

    #[test]
    fn xss_vectors_leave_no_markup_in_comment_text() {
        for v in xss_vectors() {
            let out = plain_text_lines(&format!("{v}\n{v}"));
            assert!(
                danger(&out).is_none() && !has_tag_start(&out),
                "{v:?} -> {out:?}"
            );
        }
    }

    #[test]
    fn the_seed_body_round_trips() {
        let seed = crate::seed::SeedArticle::fixture();
        let paragraphs = seed.all_paragraphs();
        assert!(
            paragraphs.iter().any(|p| p.contains('"')),
            "the fixture has quotes"
        );
        let html = crate::seed::paragraphs_html(paragraphs.iter().copied());
        // Quotes in text are not turned into &quot;: the body is unchanged.
        assert_eq!(sanitize_article_html(&html), html);
        assert_eq!(
            html_to_text(&html),
            crate::seed::paragraphs_text(paragraphs.iter().copied())
        );
        assert_eq!(plain_text(&seed.title), seed.title);
    }
}
