//! gzip on this thread's compressor: answers compressed inline, and a
//! cached answer's gzip form that takes new view counts without being
//! compressed again.
//!
//! `actix_web::middleware::Compress` makes a new encoder for every answer
//! (zlib zeroes about 300 KB of windows and tables for it, more than
//! compressing an article costs) and compresses any body over 1 KB on the
//! blocking pool, a hop between threads per answer. [`gzip`] compresses on
//! the worker with one compressor per thread, reset between answers.
//!
//! A cached answer shows live view counts (`api::cache`): its counts move
//! with every view beacon, so a compressed copy made for one set of counts
//! is stale at the next view, and a hot story read by gzip clients (every
//! mobile HTTP stack asks for gzip) was compressed again on nearly every hit,
//! one hit at a time under the entry's lock. Here the answer is deflated once
//! with each count left out: at a count the stream is flushed to a byte
//! boundary and the compressor is told that `width` bytes it never matches
//! were written there (a dictionary: for raw deflate zlib allows one after
//! any flush), so what follows may still refer back past the count. A hit
//! then writes the gzip header, the deflated runs, each count padded with
//! spaces to its hole's width as a stored (uncompressed) block, an empty
//! final block, and the CRC-32 of the whole, combined from the runs' CRCs and
//! the counts' (RFC 1951 §3.2.4, RFC 1952). That is a copy of the compressed
//! bytes per hit. The spaces after a count are JSON whitespace: the answer
//! decodes to the same JSON value.
//!
//! Hand-written: no crate compresses around holes to be filled later.
//! Compression itself is `flate2`'s (on zlib-rs), checksums `crc32fast`'s.

use std::cell::RefCell;

use actix_web::web::Bytes;

/// The answer's runs between its holes, deflated.
pub struct SplicedGzip {
    /// Every run's deflate blocks, one after the other.
    deflated: Bytes,
    /// Per run: where its blocks end in `deflated`, the CRC-32 and length
    /// of its plain bytes, and the width of the hole after it.
    runs: Vec<Run>,
}

#[derive(Clone, Copy)]
struct Run {
    end: u32,
    crc: u32,
    len: u32,
    /// Bytes the count after this run takes, padded (0 after the last run).
    hole: u8,
}

/// The gzip member header (RFC 1952 §2.3): deflate, no flags, no time, no
/// extra flags, operating system unknown.
const HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];

/// A final, empty block with fixed Huffman codes (BFINAL 1, BTYPE 01, then
/// the end-of-block code): the stream's end after the last sync flush.
const FINAL_BLOCK: [u8; 2] = [0x03, 0x00];

/// What the compressor is told stands in a hole: a byte that never occurs
/// in JSON text (UTF-8 has no 0xFF), so no match ever copies from a hole.
const HOLE_FILLER: u8 = 0xFF;

/// A hole is as wide as its count then plus this many digits (a count may
/// grow a hundredfold before its form must be made again), and at least
/// `MIN_HOLE` wide.
const HOLE_ROOM: usize = 2;
const MIN_HOLE: usize = 6;
/// The widest hole: an `i64` has at most 20 characters.
const MAX_HOLE: usize = 24;

thread_local! {
    /// One compressor per thread, reset for each answer (see above).
    static DEFLATER: RefCell<flate2::Compress> =
        RefCell::new(flate2::Compress::new(flate2::Compression::fast(), false));
}

impl SplicedGzip {
    /// Deflates `body` around `holes` (byte ranges of its counts, in order,
    /// not overlapping, within `body`); `None` if that fails.
    pub fn new(body: &[u8], holes: &[std::ops::Range<usize>]) -> Option<SplicedGzip> {
        // A body with the filler byte in it (never JSON) is not spliced.
        if memchr::memchr(HOLE_FILLER, body).is_some() {
            return None;
        }
        let mut deflated = Vec::with_capacity(body.len() / 2 + 64);
        let mut runs = Vec::with_capacity(holes.len() + 1);
        DEFLATER.with(|deflater| {
            let mut deflater = deflater.borrow_mut();
            deflater.reset();
            let mut at = 0;
            for i in 0..=holes.len() {
                let (end, next, hole) = match holes.get(i) {
                    Some(h) => (h.start, h.end, (h.len() + HOLE_ROOM).max(MIN_HOLE)),
                    None => (body.len(), body.len(), 0),
                };
                let plain = body.get(at..end)?;
                deflate_to_byte_boundary(&mut deflater, plain, &mut deflated)?;
                if hole > 0 {
                    deflater
                        .set_dictionary([HOLE_FILLER; MAX_HOLE].get(..hole)?)
                        .ok()?;
                }
                runs.push(Run {
                    end: u32::try_from(deflated.len()).ok()?,
                    crc: crc32fast::hash(plain),
                    len: u32::try_from(plain.len()).ok()?,
                    hole: u8::try_from(hole).ok()?,
                });
                at = next;
            }
            Some(())
        })?;
        deflated.shrink_to_fit();
        let spliced = SplicedGzip {
            deflated: Bytes::from(deflated),
            runs,
        };
        debug_assert!(spliced.decodes_to(body, holes), "spliced gzip decodes");
        Some(spliced)
    }

    /// The bytes kept.
    pub fn kept_len(&self) -> usize {
        self.deflated.len() + self.runs.len() * std::mem::size_of::<Run>()
    }

    /// The gzip answer with `counts` in its holes, one count per hole as
    /// `new` was given them; `None` if a count is wider than its hole.
    pub fn with_counts(&self, counts: &[i64]) -> Option<Bytes> {
        let holes = self.runs.len() - 1;
        if counts.len() != holes {
            return None;
        }
        let padded: usize = self.runs.iter().map(|r| usize::from(r.hole) + 5).sum();
        let mut out =
            Vec::with_capacity(HEADER.len() + self.deflated.len() + padded + FINAL_BLOCK.len() + 8);
        out.extend_from_slice(&HEADER);
        let mut crc = crc32fast::Hasher::new();
        let mut at = 0;
        let mut digits = itoa::Buffer::new();
        for (run, count) in self.runs.iter().zip(counts.iter().map(Some).chain([None])) {
            let end = run.end as usize;
            out.extend_from_slice(&self.deflated[at..end]);
            at = end;
            crc.combine(&crc32fast::Hasher::new_with_initial_len(
                run.crc,
                u64::from(run.len),
            ));
            let Some(count) = count else { break };
            let mut hole = [b' '; MAX_HOLE];
            let width = usize::from(run.hole);
            let number = digits.format(*count).as_bytes();
            hole.get_mut(..number.len())
                .filter(|_| number.len() <= width)?
                .copy_from_slice(number);
            stored_block(&hole[..width], &mut out);
            crc.update(&hole[..width]);
        }
        out.extend_from_slice(&FINAL_BLOCK);
        let total = crc.total_len();
        out.extend_from_slice(&crc.finalize().to_le_bytes());
        // ISIZE: the plain length modulo 2^32.
        out.extend_from_slice(&(total as u32).to_le_bytes());
        Some(Bytes::from(out))
    }

    /// Whether the form with `body`'s own counts decodes to `body` with
    /// spaces after its counts (checked in debug builds).
    fn decodes_to(&self, body: &[u8], holes: &[std::ops::Range<usize>]) -> bool {
        use std::io::Read;
        let counts: Option<Vec<i64>> = holes
            .iter()
            .map(|h| std::str::from_utf8(&body[h.clone()]).ok()?.parse().ok())
            .collect();
        let Some(gzip) = counts.and_then(|c| self.with_counts(&c)) else {
            return false;
        };
        let mut plain = Vec::new();
        if flate2::read::GzDecoder::new(&gzip[..])
            .read_to_end(&mut plain)
            .is_err()
        {
            return false;
        }
        let mut expected = Vec::with_capacity(plain.len());
        let mut at = 0;
        for (hole, run) in holes.iter().zip(&self.runs) {
            expected.extend_from_slice(&body[at..hole.end]);
            expected.resize(expected.len() + usize::from(run.hole) - hole.len(), b' ');
            at = hole.end;
        }
        expected.extend_from_slice(&body[at..]);
        plain == expected
    }
}

/// `body` as one gzip member, deflated at the fast level on this thread's
/// compressor; `None` if compression fails.
pub fn gzip(body: &[u8]) -> Option<Bytes> {
    let mut out = Vec::with_capacity(body.len() / 3 + 64);
    out.extend_from_slice(&HEADER);
    DEFLATER.with(|deflater| {
        let mut deflater = deflater.borrow_mut();
        deflater.reset();
        // Each round has room for more output; the bound only guards
        // against a compressor that stops making progress.
        for _ in 0..64 {
            out.reserve(body.len() / 4 + 64);
            let read = usize::try_from(deflater.total_in()).ok()?;
            let status = deflater
                .compress_vec(&body[read..], &mut out, flate2::FlushCompress::Finish)
                .ok()?;
            if status == flate2::Status::StreamEnd {
                return Some(());
            }
        }
        None
    })?;
    out.extend_from_slice(&crc32fast::hash(body).to_le_bytes());
    // ISIZE: the plain length modulo 2^32.
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    Some(Bytes::from(out))
}

/// Appends `plain` deflated and flushed to a byte boundary, with no final
/// block. Nothing for nothing.
fn deflate_to_byte_boundary(
    deflater: &mut flate2::Compress,
    plain: &[u8],
    out: &mut Vec<u8>,
) -> Option<()> {
    if plain.is_empty() {
        return Some(());
    }
    let start = deflater.total_in();
    // Each round has room for more output, so the rounds are few; the bound
    // only guards against a compressor that stops making progress.
    for _ in 0..64 {
        out.reserve(plain.len() / 2 + 64);
        let read = usize::try_from(deflater.total_in() - start).ok()?;
        deflater
            .compress_vec(&plain[read..], out, flate2::FlushCompress::Sync)
            .ok()?;
        // The flush is complete once the compressor returns with room left.
        let read = usize::try_from(deflater.total_in() - start).ok()?;
        if read == plain.len() && out.len() < out.capacity() {
            return Some(());
        }
    }
    None
}

/// Appends `bytes` (at most 65,535) as a stored block, not final, at a byte
/// boundary: the header bits and their padding make one zero byte, then the
/// length and its complement, little-endian (RFC 1951 §3.2.4).
fn stored_block(bytes: &[u8], out: &mut Vec<u8>) {
    let len = u16::try_from(bytes.len()).expect("a hole is narrow");
    out.push(0);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&(!len).to_le_bytes());
    out.extend_from_slice(bytes);
}

#[cfg(test)]
// Holes are byte ranges: one-range lists are meant.
#[allow(clippy::single_range_in_vec_init)]
mod tests {
    use super::*;
    use std::io::Read;

    fn gunzip(bytes: &[u8]) -> Vec<u8> {
        let mut plain = Vec::new();
        flate2::read::GzDecoder::new(bytes)
            .read_to_end(&mut plain)
            .expect("valid gzip");
        plain
    }

    /// `body` with each hole's bytes replaced by its count, padded with
    /// spaces to the hole's width.
    fn filled(body: &[u8], holes: &[std::ops::Range<usize>], counts: &[i64]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut at = 0;
        for (hole, count) in holes.iter().zip(counts) {
            out.extend_from_slice(&body[at..hole.start]);
            let width = (hole.len() + HOLE_ROOM).max(MIN_HOLE);
            out.extend_from_slice(format!("{count:<width$}").as_bytes());
            at = hole.end;
        }
        out.extend_from_slice(&body[at..]);
        out
    }

    fn holes_of(body: &str) -> Vec<std::ops::Range<usize>> {
        body.match_indices("\"view_count\":0")
            .map(|(at, key)| at + key.len() - 1..at + key.len())
            .collect()
    }

    fn json(bytes: &[u8]) -> serde_json::Value {
        serde_json::from_slice(bytes).expect("JSON")
    }

    #[test]
    fn any_counts_decode_to_the_answer_with_them_and_the_same_json() {
        let item = |n: usize| {
            format!(
                "{{\"id\":{n},\"title\":\"{}\",\"view_count\":0,\"body\":\"{}\"}}",
                "عنوان الخبر ".repeat(n % 7 + 1),
                "نص الخبر الكامل ".repeat(40 + n)
            )
        };
        let one = format!("{{\"data\":{}}}", item(1));
        let list = format!(
            "{{\"data\":[{}]}}",
            (0..20).map(item).collect::<Vec<_>>().join(",")
        );
        for body in [one, list] {
            let holes = holes_of(&body);
            let spliced = SplicedGzip::new(body.as_bytes(), &holes).unwrap();
            assert!(spliced.kept_len() < body.len() / 4, "it compresses");
            for counts in [
                vec![0; holes.len()],
                (0..holes.len() as i64).map(|i| i * 10_003).collect(),
                vec![99_999; holes.len()],
            ] {
                let plain = gunzip(&spliced.with_counts(&counts).unwrap());
                assert_eq!(plain, filled(body.as_bytes(), &holes, &counts));
                let mut value = json(body.as_bytes());
                let items: Vec<&mut serde_json::Value> = match &mut value["data"] {
                    serde_json::Value::Array(items) => items.iter_mut().collect(),
                    one => vec![one],
                };
                for (item, count) in items.into_iter().zip(&counts) {
                    item["view_count"] = (*count).into();
                }
                assert_eq!(json(&plain), value);
            }
        }
    }

    #[test]
    fn references_across_holes_survive_counts_of_other_widths() {
        // Runs that repeat what came before a hole: deflate refers back
        // across it, and the hole's fixed width keeps those distances true.
        let unit = "{\"view_count\":0,\"x\":\"abcdefghij\"}";
        let body = unit.repeat(50);
        let holes = holes_of(&body);
        let spliced = SplicedGzip::new(body.as_bytes(), &holes).unwrap();
        for counts in [vec![7; 50], (0..50).map(|i| i * i * 37).collect()] {
            assert_eq!(
                gunzip(&spliced.with_counts(&counts).unwrap()),
                filled(body.as_bytes(), &holes, &counts)
            );
        }
        // Each count costs its stored block (11 bytes) and a flush (5), and
        // the run after it one reference back: 20 bytes a repeat or less.
        assert!(
            spliced.deflated.len() < 50 * 20,
            "repeats compress across holes: {} of {}",
            spliced.deflated.len(),
            body.len()
        );
    }

    #[test]
    fn holes_at_the_edges_and_side_by_side_and_none() {
        let body = b"12345678901234567890";
        for holes in [
            vec![0..3],
            vec![17..20],
            vec![0..3, 3..5, 18..20],
            vec![0..19],
            vec![],
        ] {
            let spliced = SplicedGzip::new(body, &holes).unwrap();
            let counts: Vec<i64> = (0..holes.len() as i64).map(|i| 7 + i * 300).collect();
            assert_eq!(
                gunzip(&spliced.with_counts(&counts).unwrap()),
                filled(body, &holes, &counts),
                "{holes:?}"
            );
        }
        let empty = SplicedGzip::new(b"", &[]).unwrap();
        assert_eq!(gunzip(&empty.with_counts(&[]).unwrap()), b"");
    }

    #[test]
    fn counts_wider_than_their_holes_or_miscounted_are_refused() {
        let body = b"{\"view_count\":12}";
        let spliced = SplicedGzip::new(body, &[14..16]).unwrap();
        assert!(
            spliced.with_counts(&[9_999]).is_some(),
            "two digits of room"
        );
        assert!(
            spliced.with_counts(&[99_999]).is_some(),
            "six wide at least"
        );
        assert!(spliced.with_counts(&[1_000_000]).is_none());
        assert!(spliced.with_counts(&[]).is_none());
        assert!(spliced.with_counts(&[1, 2]).is_none());
    }

    #[test]
    fn gzip_round_trips_any_body_on_a_reused_compressor() {
        let article = "نص الخبر الكامل ".repeat(300);
        let noise: Vec<u8> = (0..70_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        for body in [article.as_bytes(), &noise, b"", b"x", article.as_bytes()] {
            assert_eq!(gunzip(&gzip(body).unwrap()), body);
        }
        assert!(gzip(article.as_bytes()).unwrap().len() < article.len() / 10);
    }

    #[test]
    fn bodies_it_cannot_splice_are_refused() {
        assert!(SplicedGzip::new(b"abc", &[2..9]).is_none(), "outside");
        assert!(SplicedGzip::new(b"a\xffc", &[1..2]).is_none(), "the filler");
        let long = [b'1'; 30];
        assert!(SplicedGzip::new(&long, &[0..30]).is_none(), "too wide");
    }
}
