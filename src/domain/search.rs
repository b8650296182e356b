//! Full-text search: what a query means, what an article indexes, and the
//! highlighted snippet. Both backends get their query from here (a
//! PostgreSQL `tsquery` or an SQLite FTS5 expression), built from the same
//! terms as the index (`arabic::readings` per token), so that one query finds
//! the same articles on both.
//!
//! Written by hand: no crate parses this query language or renders it for
//! both engines.

use std::collections::{BTreeMap, HashSet};

use crate::domain::arabic::{folded_alone, is_word_char, normalize, readings, tokenize};

/// Longest query, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// Most words (tokens, phrases' words included) in one query.
pub const MAX_QUERY_TERMS: usize = 20;
/// Bumped whenever the text pipeline (normaliser, tokeniser, stemmer) or the
/// document layout changes: the index is rebuilt at start-up when the stored
/// version differs.
pub const PIPELINE_VERSION: &str = "1";

/// How many of the newest matches `sort=relevance` ranks; older matches
/// follow them, newest first. Ranking every match of a common word would cost
/// what the archive holds (measured: 618 ms for a word in 31% of 100,000
/// articles on PostgreSQL); this keeps a search's cost flat as it grows.
pub const RELEVANCE_WINDOW: usize = 200;

/// Low bits of a search key that hold the article id (ids up to 2^29 - 1).
pub const KEY_ID_BITS: u32 = 29;
/// The id part of a search key.
pub const KEY_ID_MASK: i64 = (1 << KEY_ID_BITS) - 1;
/// Seconds from 1900-01-01 to the Unix epoch.
const SECONDS_BEFORE_EPOCH: i64 = 2_208_988_800;

/// An article's key in SQLite's FTS5 index (its rowid): the second of its
/// publication (of its creation, for drafts without one) since 1900, then its
/// id. FTS5 walks matches in rowid order, so a search by time reads matches
/// newest first and stops after the page, whatever the number of matches.
/// (Times are 1900–2200: 34 bits; ids take 29.)
pub fn search_key(at: chrono::NaiveDateTime, id: i64) -> i64 {
    let seconds = at.and_utc().timestamp() + SECONDS_BEFORE_EPOCH;
    (seconds.max(0) << KEY_ID_BITS) | (id & KEY_ID_MASK)
}

/// The smallest key of any article of that second or later (for ranges).
pub fn search_key_floor(at: chrono::NaiveDateTime) -> i64 {
    search_key(at, 0)
}

/// The largest key of any article of that second or earlier.
pub fn search_key_ceiling(at: chrono::NaiveDateTime) -> i64 {
    search_key(at, KEY_ID_MASK)
}

/// PostgreSQL keeps positions up to 16383 (larger ones are clamped).
const MAX_TS_POSITION: usize = 16_383;
/// PostgreSQL keeps at most 256 positions per lexeme.
const MAX_TS_POSITIONS_PER_LEXEME: usize = 256;

/// Why a query cannot be run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryError {
    /// Nothing searchable is left after normalisation (punctuation, marks).
    Empty,
    /// Only exclusions: nothing to find.
    OnlyExclusions,
    /// More than [`MAX_QUERY_CHARS`] characters.
    TooLong,
    /// More than [`MAX_QUERY_TERMS`] words.
    TooManyTerms,
}

/// One query position: any of these index terms matches it.
pub type Alternatives = Vec<String>;

/// One thing a query asks for (or excludes).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Clause {
    /// One word.
    Term(Alternatives),
    /// Words in this order, next to each other, in one field.
    Phrase(Vec<Alternatives>),
}

impl Clause {
    fn positions(&self) -> &[Alternatives] {
        match self {
            Clause::Term(alternatives) => std::slice::from_ref(alternatives),
            Clause::Phrase(words) => words,
        }
    }

    /// `a|b c`: positions by spaces, alternatives by bars (the phrase check's
    /// argument; terms never contain either).
    fn spec(&self) -> String {
        self.positions()
            .iter()
            .map(|alternatives| alternatives.join("|"))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// A parsed query: every `must` clause and none of the `must_not` ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    /// All of these (AND).
    pub must: Vec<Clause>,
    /// None of these.
    pub must_not: Vec<Clause>,
}

fn is_quote(c: char) -> bool {
    matches!(c, '"' | '\u{201C}' | '\u{201D}' | '\u{00AB}' | '\u{00BB}')
}

/// Parses a reader's query: words (all of them), `"a phrase"` (also in
/// “…” or «…»), `-word` and `-"a phrase"` (none of them). A word that
/// tokenises into several ("covid-19") is a phrase. Limits are checked
/// before any work that grows with the query.
pub fn parse(q: &str) -> Result<SearchQuery, QueryError> {
    let chars: Vec<char> = q.chars().collect();
    if chars.len() > MAX_QUERY_CHARS {
        return Err(QueryError::TooLong);
    }
    let mut must: Vec<Clause> = Vec::new();
    let mut must_not: Vec<Clause> = Vec::new();
    let mut terms = 0;
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let negated = chars[i] == '-' && chars.get(i + 1).is_some_and(|c| !c.is_whitespace());
        if negated {
            i += 1;
        }
        let text: String = if is_quote(chars[i]) {
            let start = i + 1;
            let mut end = start;
            while end < chars.len() && !is_quote(chars[end]) {
                end += 1;
            }
            i = end + 1;
            chars[start..end.min(chars.len())].iter().collect()
        } else {
            let start = i;
            while i < chars.len() && !chars[i].is_whitespace() {
                i += 1;
            }
            chars[start..i].iter().collect()
        };
        let tokens = tokenize(&normalize(&text));
        if tokens.is_empty() {
            continue;
        }
        terms += tokens.len();
        if terms > MAX_QUERY_TERMS {
            return Err(QueryError::TooManyTerms);
        }
        let mut words: Vec<Alternatives> = tokens.iter().map(|t| readings(t)).collect();
        let clause = if words.len() == 1 {
            Clause::Term(words.remove(0))
        } else {
            Clause::Phrase(words)
        };
        let list = if negated { &mut must_not } else { &mut must };
        if !list.contains(&clause) {
            list.push(clause);
        }
    }
    if must.is_empty() {
        return Err(if must_not.is_empty() {
            QueryError::Empty
        } else {
            QueryError::OnlyExclusions
        });
    }
    Ok(SearchQuery { must, must_not })
}

/// A `tsquery` lexeme literal.
fn ts_lexeme(term: &str) -> String {
    format!("'{}'", term.replace('\\', "\\\\").replace('\'', "''"))
}

/// An FTS5 string literal.
fn fts_string(term: &str) -> String {
    format!("\"{}\"", term.replace('"', "\"\""))
}

fn ts_alternatives(alternatives: &[String]) -> String {
    let inner: Vec<String> = alternatives.iter().map(|a| ts_lexeme(a)).collect();
    format!("({})", inner.join(" | "))
}

fn fts_alternatives(alternatives: &[String]) -> String {
    let inner: Vec<String> = alternatives.iter().map(|a| fts_string(a)).collect();
    format!("({})", inner.join(" OR "))
}

impl SearchQuery {
    /// The PostgreSQL `tsquery` text (cast with `::tsquery`: the terms are
    /// already processed, so no text search configuration touches them).
    /// Phrases use `<->`, which PostgreSQL checks against positions.
    pub fn to_tsquery(&self) -> String {
        let clause = |c: &Clause| match c {
            Clause::Term(alternatives) => ts_alternatives(alternatives),
            Clause::Phrase(words) => {
                let inner: Vec<String> = words.iter().map(|w| ts_alternatives(w)).collect();
                format!("({})", inner.join(" <-> "))
            }
        };
        let mut parts: Vec<String> = self.must.iter().map(clause).collect();
        parts.extend(self.must_not.iter().map(|c| format!("!{}", clause(c))));
        parts.join(" & ")
    }

    /// The SQLite FTS5 `MATCH` expression. FTS5 has no alternatives inside a
    /// phrase, so a phrase contributes its words (AND) here and its order is
    /// checked by [`SearchQuery::phrases`]; excluded phrases are left to
    /// [`SearchQuery::excluded_phrases`] entirely.
    pub fn to_fts5(&self) -> String {
        let positive: Vec<String> = self
            .must
            .iter()
            .flat_map(|c| c.positions().iter().map(|a| fts_alternatives(a)))
            .collect();
        let mut expr = format!("({})", positive.join(" AND "));
        let excluded: Vec<String> = self
            .must_not
            .iter()
            .filter_map(|c| match c {
                Clause::Term(alternatives) => Some(fts_alternatives(alternatives)),
                Clause::Phrase(_) => None,
            })
            .collect();
        if !excluded.is_empty() {
            expr = format!("{expr} NOT ({})", excluded.join(" OR "));
        }
        expr
    }

    /// The phrases every result must contain, as [`phrase_in_fields`] specs.
    pub fn phrases(&self) -> Vec<String> {
        self.must
            .iter()
            .filter(|c| matches!(c, Clause::Phrase(_)))
            .map(Clause::spec)
            .collect()
    }

    /// The phrases no result may contain, as [`phrase_in_fields`] specs.
    pub fn excluded_phrases(&self) -> Vec<String> {
        self.must_not
            .iter()
            .filter(|c| matches!(c, Clause::Phrase(_)))
            .map(Clause::spec)
            .collect()
    }

    /// The words [`head_score`] ranks by: every wanted word, its readings
    /// joined by `|`, words by spaces.
    pub fn rank_spec(&self) -> String {
        self.rank_words()
            .iter()
            .map(|word| word.join("|"))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The words ranking weighs (every wanted word once, with its
    /// readings), as [`rank_spec`](Self::rank_spec) lists them.
    pub fn rank_words(&self) -> Vec<&Alternatives> {
        let mut words: Vec<&Alternatives> = Vec::new();
        for position in self.must.iter().flat_map(|c| c.positions()) {
            if !words.contains(&position) {
                words.push(position);
            }
        }
        words
    }

    /// Per ranked word ([`rank_words`](Self::rank_words)), two `tsquery`
    /// texts: the word in the title (weight A) and in the summary (B), for
    /// PostgreSQL to score as [`score_of`] does.
    pub fn ts_rank_words(&self) -> Vec<(String, String)> {
        let weighted = |word: &Alternatives, weight: char| {
            let inner: Vec<String> = word
                .iter()
                .map(|a| format!("{}:{weight}", ts_lexeme(a)))
                .collect();
            inner.join(" | ")
        };
        self.rank_words()
            .into_iter()
            .map(|word| (weighted(word, 'A'), weighted(word, 'B')))
            .collect()
    }

    /// An FTS5 expression that matches `word` in one column only.
    pub fn fts5_in_column(column: &str, word: &Alternatives) -> String {
        format!("{{{column}}} : {}", fts_alternatives(word))
    }

    /// Every term the query looks for (for highlighting).
    pub fn wanted_terms(&self) -> HashSet<&str> {
        self.must
            .iter()
            .flat_map(|c| c.positions())
            .flatten()
            .map(String::as_str)
            .collect()
    }
}

/// Whether a phrase (a spec from [`SearchQuery::phrases`]) occurs in one of
/// these fields, each as stored by [`SearchDocument::fts_field`]. The same
/// rule as PostgreSQL's `<->` over [`SearchDocument::tsvector`]: consecutive
/// positions of one field, each with a reading the phrase allows there.
pub fn phrase_in_fields(fields: &[&str], spec: &str) -> bool {
    let wanted: Vec<Vec<&str>> = spec
        .split(' ')
        .filter(|p| !p.is_empty())
        .map(|p| p.split('|').collect())
        .collect();
    if wanted.is_empty() {
        return false;
    }
    fields.iter().any(|field| {
        let positions: Vec<Vec<&str>> = field
            .split(' ')
            .filter(|p| !p.is_empty())
            .map(|p| p.split('|').collect())
            .collect();
        positions.windows(wanted.len()).any(|window| {
            window
                .iter()
                .zip(&wanted)
                .all(|(have, want)| have.iter().any(|h| want.contains(h)))
        })
    })
}

/// How well title and summary (as stored by [`SearchDocument::fts_field`])
/// match the words of a [`SearchQuery::rank_spec`]: each word scores 1 if
/// the title has it, else 0.4 if the summary has it, else 0 (body only).
/// So a title match always ranks above a summary match, and that above a
/// body-only match, whatever the lengths; SQLite's ranking (bm25 saturates
/// term frequency, so column weights cannot promise that).
pub fn head_score(title: &str, summary: &str, spec: &str) -> f64 {
    let has = |field: &str, word: &[&str]| {
        field
            .split([' ', '|'])
            .any(|term| !term.is_empty() && word.contains(&term))
    };
    let words: Vec<Vec<&str>> = spec
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(|w| w.split('|').collect())
        .collect();
    let in_title: Vec<bool> = words.iter().map(|w| has(title, w)).collect();
    let in_summary: Vec<bool> = words.iter().map(|w| has(summary, w)).collect();
    score_of(&in_title, &in_summary)
}

/// A match's rank from which of the query's words are in the title and
/// which in the summary: each word scores 1 in the title, else 0.4 in the
/// summary, else 0 (SQLite reads the two lists off its FTS5 index).
pub fn score_of(in_title: &[bool], in_summary: &[bool]) -> f64 {
    in_title
        .iter()
        .zip(in_summary)
        .map(|(&t, &s)| {
            if t {
                1.0
            } else if s {
                0.4
            } else {
                0.0
            }
        })
        .sum()
}

/// What an article puts in the index: per field, its words in order, each
/// with its readings (`arabic::readings`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchDocument {
    /// The title's words.
    pub title: Vec<Alternatives>,
    /// The summary's words.
    pub summary: Vec<Alternatives>,
    /// The body's words (from the plain-text body).
    pub body: Vec<Alternatives>,
}

fn positions_of(text: &str) -> Vec<Alternatives> {
    tokenize(&normalize(text))
        .iter()
        .map(|t| readings(t))
        .collect()
}

impl SearchDocument {
    /// Processes an article's searchable text.
    pub fn new(title: &str, summary: &str, body_text: &str) -> Self {
        SearchDocument {
            title: positions_of(title),
            summary: positions_of(summary),
            body: positions_of(body_text),
        }
    }

    /// One field for FTS5 (tokenizer `ascii`, which splits on spaces and
    /// bars): positions separated by spaces, a word's readings by `|`.
    pub fn fts_field(words: &[Alternatives]) -> String {
        words
            .iter()
            .map(|w| w.join("|"))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The whole document as a PostgreSQL `tsvector` literal: title (weight
    /// A), summary (B) and body (D), each word's readings at the word's
    /// position, one empty position between fields so that no phrase spans
    /// two of them.
    pub fn tsvector(&self) -> String {
        ts_literal(&[(&self.title, 'A'), (&self.summary, 'B'), (&self.body, 'D')])
    }

    /// Title and summary only, for ranking (small enough to stay in the row,
    /// so ranking a thousand matches does not read a thousand bodies).
    pub fn head_tsvector(&self) -> String {
        ts_literal(&[(&self.title, 'A'), (&self.summary, 'B')])
    }
}

/// The documents of many articles (title, summary, plain body), processed
/// on two threads: the text pipeline is most of a bulk load's CPU time.
pub fn documents(texts: &[(&str, &str, &str)]) -> Vec<SearchDocument> {
    let build = |part: &[(&str, &str, &str)]| -> Vec<SearchDocument> {
        part.iter()
            .map(|(title, summary, body)| SearchDocument::new(title, summary, body))
            .collect()
    };
    if texts.len() < 64 {
        return build(texts);
    }
    let (first, second) = texts.split_at(texts.len() / 2);
    std::thread::scope(|scope| {
        let other = scope.spawn(|| build(second));
        let mut docs = build(first);
        docs.extend(other.join().expect("the text pipeline does not panic"));
        docs
    })
}

fn ts_literal(fields: &[(&Vec<Alternatives>, char)]) -> String {
    let mut lexemes: BTreeMap<&str, Vec<(usize, char)>> = BTreeMap::new();
    let mut position = 0;
    for (words, weight) in fields {
        for word in words.iter() {
            position += 1;
            for reading in word {
                let at = lexemes.entry(reading.as_str()).or_default();
                if at.len() < MAX_TS_POSITIONS_PER_LEXEME {
                    at.push((position.min(MAX_TS_POSITION), *weight));
                }
            }
        }
        position += 1;
    }
    let mut out = String::new();
    for (lexeme, at) in lexemes {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&ts_lexeme(lexeme));
        out.push(':');
        let list: Vec<String> = at.iter().map(|(p, w)| format!("{p}{w}")).collect();
        out.push_str(&list.join(","));
    }
    out
}

/// Words in a snippet.
const SNIPPET_WORDS: usize = 30;

/// A word of the original text: its byte span and whether the query wants it.
struct Word {
    start: usize,
    end: usize,
    hit: bool,
}

/// Whether each distinct word of a page's texts is wanted: a page's articles
/// share most of their words, and each distinct one goes through the text
/// pipeline once per page (per field, it was most of a search page's time).
/// foldhash, not SipHash: the keys are the page's own words, and hashing
/// them was a sixth of the snippet's time.
type WordMemo = foldhash::HashMap<Box<str>, bool>;

/// A bit per character of normalised text (several characters share one):
/// a word whose letters lack one of a term's bits cannot contain the term.
fn letter_bit(c: char) -> u64 {
    let c = c as u32;
    match c {
        // The Arabic letters, one bit each.
        0x0621..=0x064A => 1 << (c - 0x0621),
        _ => 1 << (42 + c % 22),
    }
}

/// The bits of every letter of `term`.
fn letter_bits(term: &str) -> u64 {
    term.chars().fold(0, |bits, c| bits | letter_bit(c))
}

/// What finding the words of a text needs of one of its characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Letter {
    /// Not part of a word.
    Separator,
    /// Part of a word, normalised alone: the [`letter_bit`] of what it
    /// becomes (0 when normalising removes it).
    Bits(u64),
    /// Part of a word, normalised as its neighbours decide.
    Unsure,
}

impl Letter {
    fn of_slow(c: char) -> Letter {
        match (is_word_char(c), folded_alone(c)) {
            (false, _) => Letter::Separator,
            (true, Some(folded)) => Letter::Bits(folded.map_or(0, letter_bit)),
            (true, None) => Letter::Unsure,
        }
    }
}

/// [`Letter`]s of ASCII and of the Arabic block, looked up: a snippet
/// reads every character of every result's body.
static LETTERS: std::sync::LazyLock<([Letter; 0x80], [Letter; 0x100])> =
    std::sync::LazyLock::new(|| {
        let of = |cp: u32| Letter::of_slow(char::from_u32(cp).expect("a character"));
        (
            std::array::from_fn(|i| of(i as u32)),
            std::array::from_fn(|i| of(0x0600 + i as u32)),
        )
    });

/// What tells whether a word of an article is one the query wants.
struct Wanted<'q> {
    terms: HashSet<&'q str>,
    /// [`letter_bits`] of each term.
    bits: Vec<u64>,
    seen: WordMemo,
}

impl Wanted<'_> {
    /// Whether the query wants `word`, whose normalised letters (when they
    /// do not depend on their neighbours) have the bits `bits`. Most words
    /// of an article lack a letter of every term: they are answered from
    /// the bits alone, with no normalising, stemming or hashing.
    fn wants(&mut self, word: &str, bits: Option<u64>) -> bool {
        if let Some(bits) = bits {
            if !self.bits.iter().any(|term| bits & term == *term) {
                return false;
            }
        }
        if let Some(hit) = self.seen.get(word) {
            return *hit;
        }
        let normalized = normalize(word);
        // Every reading is a stem, a part of the normalised token: most
        // words contain no wanted term and need no stemming.
        let terms = &self.terms;
        let hit = terms.iter().any(|w| normalized.contains(w))
            && tokenize(&normalized)
                .iter()
                .any(|t| readings(t).iter().any(|r| terms.contains(r.as_str())));
        self.seen.insert(word.into(), hit);
        hit
    }

    /// The words of `text` into `words`, each marked wanted or not.
    fn words_of(&mut self, text: &str, words: &mut Vec<Word>) {
        words.clear();
        // The word's start, and its letters' bits while every one of them
        // normalises alone.
        let mut open: Option<(usize, Option<u64>)> = None;
        let (ascii, arabic) = &*LETTERS;
        let bytes = text.as_bytes();
        let mut i = 0;
        // Read as bytes: an ASCII byte, or the two of an Arabic-block
        // character (lead byte D8–DB), is looked up without decoding.
        while i < bytes.len() {
            let (letter, width) = match bytes[i] {
                b @ 0..=0x7F => (ascii[b as usize], 1),
                b @ 0xD8..=0xDB => {
                    let low = usize::from(bytes[i + 1] & 0x3F);
                    (arabic[(usize::from(b & 0x03) << 6) | low], 2)
                }
                _ => {
                    let c = text[i..].chars().next().expect("a character starts here");
                    (Letter::of_slow(c), c.len_utf8())
                }
            };
            match (letter, &mut open) {
                (Letter::Separator, Some((start, bits))) => {
                    let hit = self.wants(&text[*start..i], *bits);
                    words.push(Word {
                        start: *start,
                        end: i,
                        hit,
                    });
                    open = None;
                }
                (Letter::Separator, None) => {}
                (Letter::Bits(letter), Some((_, Some(bits)))) => *bits |= letter,
                (Letter::Bits(letter), None) => open = Some((i, Some(letter))),
                (Letter::Unsure, Some((_, bits))) => *bits = None,
                (Letter::Bits(_), Some((_, None))) => {}
                (Letter::Unsure, None) => open = Some((i, None)),
            }
            i += width;
        }
        if let Some((start, bits)) = open {
            let hit = self.wants(&text[start..], bits);
            words.push(Word {
                start,
                end: text.len(),
                hit,
            });
        }
    }

    /// The window of `text`'s words with the most wanted words (the first
    /// on a tie), its words left in `words`.
    fn best_window(&mut self, text: &str, words: &mut Vec<Word>) -> Window {
        self.words_of(text, words);
        let width = SNIPPET_WORDS.min(words.len());
        let mut hits: usize = words[..width].iter().filter(|w| w.hit).count();
        let (mut best, mut best_start) = (hits, 0);
        for start in 1..=(words.len() - width) {
            hits = hits - usize::from(words[start - 1].hit)
                + usize::from(words[start + width - 1].hit);
            if hits > best {
                (best, best_start) = (hits, start);
            }
        }
        Window {
            hits: best,
            start: best_start,
        }
    }
}

/// Escaped text with whitespace runs collapsed to one space, appended to
/// `out` piece by piece (no copy of the text first: this ran for every word
/// of a snippet).
fn push_plain(out: &mut String, text: &str) {
    let mut piece_start = 0;
    let mut last_space = false;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            html_escape::encode_text_to_string(&text[piece_start..i], out);
            if !last_space {
                out.push(' ');
            }
            last_space = true;
            piece_start = i + c.len_utf8();
        } else {
            last_space = false;
        }
    }
    html_escape::encode_text_to_string(&text[piece_start..], out);
}

/// A field's best window of [`SNIPPET_WORDS`] words.
#[derive(Debug, Clone, Copy)]
struct Window {
    /// Matched words in the window.
    hits: usize,
    /// The window's first word.
    start: usize,
}

impl Window {
    /// The window of `text` (whose words are `words`) as a snippet:
    /// escaped, matched words in `<mark>`, `…` where the field goes on.
    /// Only the window shown is rendered.
    fn render(&self, text: &str, words: &[Word]) -> String {
        if words.is_empty() {
            return String::new();
        }
        let width = SNIPPET_WORDS.min(words.len());
        let window = &words[self.start..self.start + width];
        let from = if self.start == 0 { 0 } else { window[0].start };
        let last = self.start + width == words.len();
        let to = if last {
            text.len()
        } else {
            window[width - 1].end
        };
        let mut out = String::with_capacity(to - from + 64);
        if from > 0 {
            out.push('…');
        }
        let mut at = from;
        for w in window {
            push_plain(&mut out, &text[at..w.start]);
            if w.hit {
                out.push_str("<mark>");
                push_plain(&mut out, &text[w.start..w.end]);
                out.push_str("</mark>");
            } else {
                push_plain(&mut out, &text[w.start..w.end]);
            }
            at = w.end;
        }
        push_plain(&mut out, &text[at..to]);
        if !last {
            out.push('…');
        }
        out.trim().to_string()
    }
}

/// Highlights the articles of one page (see [`Highlighter::highlight`]),
/// sharing the work on the words they have in common.
pub struct Highlighter<'q> {
    wanted: Wanted<'q>,
    /// The words of the summary, the body and the title, kept between
    /// articles for their room.
    summary_words: Vec<Word>,
    body_words: Vec<Word>,
    title_words: Vec<Word>,
}

impl<'q> Highlighter<'q> {
    /// For the results of `query`.
    pub fn new(query: &'q SearchQuery) -> Self {
        let terms = query.wanted_terms();
        Highlighter {
            wanted: Wanted {
                bits: terms.iter().map(|t| letter_bits(t)).collect(),
                terms,
                seen: WordMemo::with_capacity_and_hasher(1024, Default::default()),
            },
            summary_words: Vec::new(),
            body_words: Vec::new(),
            title_words: Vec::new(),
        }
    }

    /// A short extract of an article with the words the query matched in
    /// `<mark>…</mark>` and everything else HTML-escaped: the window of the
    /// summary or body with the most matched words (the summary on a tie),
    /// or the title when only the title matched.
    pub fn highlight(&mut self, title: &str, summary: &str, body_text: &str) -> String {
        let summary_window = self.wanted.best_window(summary, &mut self.summary_words);
        let body_window = self.wanted.best_window(body_text, &mut self.body_words);
        if summary_window.hits == 0 && body_window.hits == 0 {
            let title_window = self.wanted.best_window(title, &mut self.title_words);
            if title_window.hits > 0 || self.summary_words.is_empty() {
                return title_window.render(title, &self.title_words);
            }
            return summary_window.render(summary, &self.summary_words);
        }
        if body_window.hits > summary_window.hits {
            body_window.render(body_text, &self.body_words)
        } else {
            summary_window.render(summary, &self.summary_words)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn highlight(query: &SearchQuery, title: &str, summary: &str, body_text: &str) -> String {
        Highlighter::new(query).highlight(title, summary, body_text)
    }

    fn alt(words: &[&str]) -> Alternatives {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn words_and_phrases() {
        let q = parse("وزير \"الدفاع الوطني\" -موسكو").unwrap();
        assert_eq!(
            q.must,
            vec![
                Clause::Term(alt(&["وزير", "زير"])),
                Clause::Phrase(vec![alt(&["دفاع"]), alt(&["وطن"])]),
            ]
        );
        assert_eq!(q.must_not, vec![Clause::Term(alt(&["موسكو"]))]);
    }

    #[test]
    fn arabic_quotes_and_hyphenated_words_are_phrases() {
        let q = parse("«وزير الدفاع» covid-19").unwrap();
        assert_eq!(q.must.len(), 2);
        assert!(q.must.iter().all(|c| matches!(c, Clause::Phrase(_))));
        // An unclosed quote runs to the end.
        let q = parse("\"وزير الدفاع").unwrap();
        assert!(matches!(&q.must[0], Clause::Phrase(w) if w.len() == 2));
    }

    #[test]
    fn limits_and_empty_queries() {
        assert_eq!(parse(""), Err(QueryError::Empty));
        assert_eq!(parse("  ؟! ، ..."), Err(QueryError::Empty));
        assert_eq!(parse("\u{064E}\u{0650}"), Err(QueryError::Empty));
        assert_eq!(parse("-موسكو"), Err(QueryError::OnlyExclusions));
        assert_eq!(parse(&"ا".repeat(201)), Err(QueryError::TooLong));
        assert!(parse(&"ا".repeat(200)).is_ok());
        let words: Vec<String> = (0..21).map(|i| format!("w{i}")).collect();
        assert_eq!(parse(&words.join(" ")), Err(QueryError::TooManyTerms));
        assert!(parse(&words[..20].join(" ")).is_ok());
        // A phrase's words count.
        let phrase = format!("\"{}\" extra", words[..20].join(" "));
        assert_eq!(parse(&phrase), Err(QueryError::TooManyTerms));
    }

    #[test]
    fn a_lone_hyphen_is_no_exclusion() {
        let q = parse("وزير - الدفاع").unwrap();
        assert_eq!(q.must.len(), 2);
        assert!(q.must_not.is_empty());
    }

    #[test]
    fn repeated_clauses_count_once() {
        let q = parse("وزير الوزير وزير").unwrap();
        // "وزير" and "الوزير" differ in readings (the second has no waw reading).
        assert_eq!(q.must.len(), 2);
    }

    #[test]
    fn tsquery_rendering() {
        let q = parse("وزير \"الدفاع الوطني\" -موسكو").unwrap();
        assert_eq!(
            q.to_tsquery(),
            "('وزير' | 'زير') & (('دفاع') <-> ('وطن')) & !('موسكو')"
        );
    }

    #[test]
    fn ranked_words_as_weighted_tsqueries() {
        let q = parse("وزير \"الدفاع السوري\" وزير -قال").unwrap();
        assert_eq!(
            q.ts_rank_words(),
            vec![
                (
                    "'وزير':A | 'زير':A".to_string(),
                    "'وزير':B | 'زير':B".to_string()
                ),
                ("'دفاع':A".to_string(), "'دفاع':B".to_string()),
                ("'سور':A".to_string(), "'سور':B".to_string()),
            ]
        );
    }

    #[test]
    fn fts5_rendering() {
        let q = parse("وزير \"الدفاع الوطني\" -موسكو -\"بيت المال\"").unwrap();
        assert_eq!(
            q.to_fts5(),
            "((\"وزير\" OR \"زير\") AND (\"دفاع\") AND (\"وطن\")) NOT ((\"موسكو\"))"
        );
        assert_eq!(q.phrases(), vec!["دفاع وطن".to_string()]);
        assert_eq!(q.excluded_phrases(), vec!["بيت مال".to_string()]);
    }

    #[test]
    fn documents() {
        let d = SearchDocument::new("وزير الدفاع", "قال الوزير", "");
        assert_eq!(SearchDocument::fts_field(&d.title), "وزير|زير دفاع");
        assert_eq!(d.tsvector(), "'دفاع':2A 'زير':1A 'قال':4B 'وزير':1A,5B");
        assert_eq!(d.head_tsvector(), d.tsvector());
        assert_eq!(SearchDocument::new("", "", "").tsvector(), "");
    }

    #[test]
    fn phrases_match_in_order_within_one_field() {
        let d = SearchDocument::new("وزير الدفاع", "الوطني اليوم", "");
        let fields = [
            SearchDocument::fts_field(&d.title),
            SearchDocument::fts_field(&d.summary),
        ];
        let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
        let spec = |q: &str| parse(q).unwrap().phrases()[0].clone();
        assert!(phrase_in_fields(&fields, &spec("\"وزير الدفاع\"")));
        assert!(phrase_in_fields(&fields, &spec("\"والوزير دفاع\"")));
        assert!(!phrase_in_fields(&fields, &spec("\"الدفاع وزير\"")));
        // Not across the title/summary boundary.
        assert!(!phrase_in_fields(&fields, &spec("\"الدفاع الوطني\"")));
    }

    #[test]
    fn search_keys_order_by_second_then_id() {
        let t = |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f").unwrap();
        let a = search_key(t("2020-08-22 09:00:00.9"), 7);
        let b = search_key(t("2020-08-22 09:00:00.1"), 8);
        let c = search_key(t("2020-08-22 09:00:01"), 1);
        assert!(a < b && b < c);
        assert_eq!(a & KEY_ID_MASK, 7);
        assert!(search_key(t("1900-01-01 00:00:00"), 1) > 0);
        assert!(search_key(t("2200-12-31 23:59:59"), KEY_ID_MASK) > 0);
        let at = t("2020-08-22 09:00:00.5");
        assert!(search_key_floor(at) <= a && a <= search_key_ceiling(at));
    }

    #[test]
    fn title_beats_summary_beats_body() {
        let q = parse("زلزال قوي").unwrap();
        let spec = q.rank_spec();
        let field = |t: &str| SearchDocument::fts_field(&SearchDocument::new(t, "", "").title);
        let title = head_score(&field("زلزال قوي جدا"), &field(""), &spec);
        let mixed = head_score(&field("زلزال"), &field("قوي"), &spec);
        let summary = head_score(&field("خبر"), &field("زلزال قوي زلزال قوي"), &spec);
        let body = head_score(&field("خبر"), &field("ملخص"), &spec);
        assert!(
            title > mixed && mixed > summary && summary > body,
            "{title} {mixed} {summary} {body}"
        );
        assert_eq!(body, 0.0);
    }

    #[test]
    fn highlight_marks_matches_and_escapes_the_rest() {
        let q = parse("الوزير").unwrap();
        let h = highlight(
            &q,
            "عنوان",
            "ملخص <b>",
            "قال وزيرُ الدفاع & آخرون\n\nإن الوزير سافر.",
        );
        assert_eq!(
            h,
            "قال <mark>وزيرُ</mark> الدفاع &amp; آخرون إن <mark>الوزير</mark> سافر."
        );
        // Title-only match: the title, marked.
        let h = highlight(&q, "الوزير <يصل>", "ملخص", "نص");
        assert_eq!(h, "<mark>الوزير</mark> &lt;يصل&gt;");
    }

    #[test]
    fn one_highlighter_for_a_page_answers_as_one_per_article() {
        let q = parse("الوزير موسكو").unwrap();
        let articles = [
            ("الوزير في موسكو", "ملخص عن الوزير", "زار الوزير موسكو أمس."),
            ("خبر", "لا شيء", "قال وزيرُ الدفاع إن موسكو بعيدة."),
            ("وزير", "", "نص بلا كلمات مطلوبة، الوزير فقط."),
        ];
        let mut page = Highlighter::new(&q);
        for (title, summary, body) in articles {
            assert_eq!(
                page.highlight(title, summary, body),
                highlight(&q, title, summary, body)
            );
        }
    }

    #[test]
    fn words_answered_from_their_letters_are_answered_as_in_full() {
        // The seed article and the lexicon, and words whose letters fold
        // only with their neighbours (composing marks, other scripts).
        let text = [
            include_str!("../seed/fixtures/000_f8f504ff7063314d.txt"),
            include_str!("../seed/lexicon/stories.txt"),
            "وزير الوزير ووزير وزيرة الوزراء وز\u{0654}ير وزي\u{0301}ر Wazir WAZİR café cafe\u{0301} cafe ٣ ٣وزير الأمن وأمنه إسرائيل مستشفى المسؤول",
        ]
        .concat();
        for query in [
            "وزير",
            "الدفاع",
            "قال",
            "cafe",
            "3",
            "امن",
            "اسرائيل",
            "مستشفي",
            "مسؤول",
            "أمن \"وزير الدفاع\"",
            "سوريا -قال",
        ] {
            let q = parse(query).unwrap();
            let mut fast = Highlighter::new(&q).wanted;
            let mut full = Highlighter::new(&q).wanted;
            let mut words = Vec::new();
            fast.words_of(&text, &mut words);
            let hits = words.iter().filter(|w| w.hit).count();
            assert!(hits > 0, "{query}");
            let spans: Vec<&str> = words.iter().map(|w| &text[w.start..w.end]).collect();
            let split: Vec<&str> = text
                .split(|c: char| !is_word_char(c))
                .filter(|w| !w.is_empty())
                .collect();
            assert_eq!(spans, split);
            for w in &words {
                let word = &text[w.start..w.end];
                assert_eq!(w.hit, full.wants(word, None), "{query}: {word}");
            }
        }
    }

    #[test]
    fn highlight_picks_the_densest_window() {
        let q = parse("موسكو").unwrap();
        let filler = "كلمة ".repeat(100);
        let body = format!("{filler}زار موسكو ثم موسكو {filler}");
        let h = highlight(&q, "", "لا شيء", &body);
        assert!(h.starts_with('…') && h.ends_with('…'), "{h}");
        assert_eq!(h.matches("<mark>موسكو</mark>").count(), 2, "{h}");
    }
}
