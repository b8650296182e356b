//! A gzip form of a cached answer that takes new view counts without being
//! compressed again.
//!
//! A cached answer shows live view counts (`api::cache`): its counts move
//! with every view beacon, so a compressed copy made for one set of counts
//! is stale at the next view, and a hot story read by gzip clients (every
//! mobile HTTP stack asks for gzip) was compressed again on nearly every hit,
//! one hit at a time under the entry's lock. Here the answer's parts between
//! its counts are deflated once, each ending on a byte boundary (a sync
//! flush); a hit writes the gzip header, the parts, each count as a stored
//! (uncompressed) block, an empty final block, and the CRC-32 of the whole,
//! combined from the parts' own CRCs and the counts' digits (RFC 1951
//! §3.2.4, RFC 1952). That is a copy of the compressed bytes per hit.
//!
//! Hand-written: no crate compresses around holes to be filled later.
//! Compression itself is `flate2`'s, checksums `crc32fast`'s.

use actix_web::web::Bytes;

/// The answer's parts between its holes, each deflated on its own.
pub struct SplicedGzip {
    /// Every part's deflate blocks, one after the other.
    deflated: Bytes,
    /// Per part: where its blocks end in `deflated`, and the CRC-32 and
    /// length of its plain bytes.
    parts: Vec<Part>,
}

#[derive(Clone, Copy)]
struct Part {
    end: usize,
    crc: u32,
    len: u64,
}

/// The gzip member header (RFC 1952 §2.3): deflate, no flags, no time, no
/// extra flags, operating system unknown.
const HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];

/// A final, empty block with fixed Huffman codes (BFINAL 1, BTYPE 01, then
/// the end-of-block code): the stream's end after the last sync flush.
const FINAL_BLOCK: [u8; 2] = [0x03, 0x00];

impl SplicedGzip {
    /// Deflates `body` around `holes` (byte ranges, in order, not
    /// overlapping, within `body`); `None` if compression fails.
    pub fn new(body: &[u8], holes: &[std::ops::Range<usize>]) -> Option<SplicedGzip> {
        let mut deflated = Vec::with_capacity(body.len() / 2 + 64);
        let mut parts = Vec::with_capacity(holes.len() + 1);
        let mut at = 0;
        let ends = holes.iter().map(|h| h.start).chain([body.len()]);
        let next_starts = holes.iter().map(|h| h.end);
        for (end, next) in ends.zip(next_starts.map(Some).chain([None])) {
            let plain = body.get(at..end)?;
            deflate_to_byte_boundary(plain, &mut deflated)?;
            parts.push(Part {
                end: deflated.len(),
                crc: crc32fast::hash(plain),
                len: plain.len() as u64,
            });
            at = next.unwrap_or(end);
        }
        deflated.shrink_to_fit();
        Some(SplicedGzip {
            deflated: Bytes::from(deflated),
            parts,
        })
    }

    /// The bytes kept.
    pub fn kept_len(&self) -> usize {
        self.deflated.len() + self.parts.len() * std::mem::size_of::<Part>()
    }

    /// The gzip answer with `counts` in its holes (one count per hole, as
    /// `new` was given them; missing counts leave the holes empty).
    pub fn with_counts(&self, counts: &[i64]) -> Bytes {
        let mut out = Vec::with_capacity(
            HEADER.len() + self.deflated.len() + counts.len() * 25 + FINAL_BLOCK.len() + 8,
        );
        out.extend_from_slice(&HEADER);
        let mut crc = crc32fast::Hasher::new();
        let mut total: u64 = 0;
        let mut at = 0;
        for (i, part) in self.parts.iter().enumerate() {
            out.extend_from_slice(&self.deflated[at..part.end]);
            at = part.end;
            crc.combine(&crc32fast::Hasher::new_with_initial_len(part.crc, part.len));
            total += part.len;
            if let Some(count) = counts.get(i).filter(|_| i + 1 < self.parts.len()) {
                let digits = count.to_string();
                stored_block(digits.as_bytes(), &mut out);
                crc.update(digits.as_bytes());
                total += digits.len() as u64;
            }
        }
        out.extend_from_slice(&FINAL_BLOCK);
        out.extend_from_slice(&crc.finalize().to_le_bytes());
        // ISIZE: the plain length modulo 2^32.
        out.extend_from_slice(&(total as u32).to_le_bytes());
        Bytes::from(out)
    }
}

/// Appends `plain` deflated (raw, fast level, a fresh window) and flushed to
/// a byte boundary, with no final block. Nothing for nothing.
fn deflate_to_byte_boundary(plain: &[u8], out: &mut Vec<u8>) -> Option<()> {
    if plain.is_empty() {
        return Some(());
    }
    let mut deflater = flate2::Compress::new(flate2::Compression::fast(), false);
    // Each round has room for more output, so the rounds are few; the bound
    // only guards against a compressor that stops making progress.
    for _ in 0..64 {
        out.reserve(plain.len() / 2 + 64);
        let read = usize::try_from(deflater.total_in()).ok()?;
        deflater
            .compress_vec(&plain[read..], out, flate2::FlushCompress::Sync)
            .ok()?;
        // The flush is complete once the compressor returns with room left.
        if usize::try_from(deflater.total_in()).ok()? == plain.len() && out.len() < out.capacity() {
            return Some(());
        }
    }
    None
}

/// Appends `bytes` (at most 65,535) as a stored block, not final, at a byte
/// boundary: the header bits and their padding make one zero byte, then the
/// length and its complement, little-endian (RFC 1951 §3.2.4).
fn stored_block(bytes: &[u8], out: &mut Vec<u8>) {
    let len = u16::try_from(bytes.len()).expect("a count's digits are short");
    out.push(0);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&(!len).to_le_bytes());
    out.extend_from_slice(bytes);
}

#[cfg(test)]
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

    /// `body` with each hole's bytes replaced by its count.
    fn filled(body: &[u8], holes: &[std::ops::Range<usize>], counts: &[i64]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut at = 0;
        for (hole, count) in holes.iter().zip(counts) {
            out.extend_from_slice(&body[at..hole.start]);
            out.extend_from_slice(count.to_string().as_bytes());
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

    #[test]
    fn any_counts_decode_to_the_answer_filled_with_them() {
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
            assert!(spliced.kept_len() < body.len() / 2, "it compresses");
            for counts in [
                vec![0; holes.len()],
                (0..holes.len() as i64).map(|i| i * 1_000_003).collect(),
                vec![i64::MAX; holes.len()],
                vec![-1; holes.len()],
            ] {
                assert_eq!(
                    gunzip(&spliced.with_counts(&counts)),
                    filled(body.as_bytes(), &holes, &counts)
                );
            }
        }
    }

    #[test]
    fn holes_at_the_edges_and_side_by_side_and_none() {
        let body = b"12345678901234567890";
        for holes in [
            vec![0..3],
            vec![17..20],
            vec![0..3, 3..5, 18..20],
            vec![0..20],
            vec![],
        ] {
            let spliced = SplicedGzip::new(body, &holes).unwrap();
            let counts: Vec<i64> = (0..holes.len() as i64).map(|i| 7 + i * 300).collect();
            assert_eq!(
                gunzip(&spliced.with_counts(&counts)),
                filled(body, &holes, &counts),
                "{holes:?}"
            );
        }
        let empty = SplicedGzip::new(b"", &[]).unwrap();
        assert_eq!(gunzip(&empty.with_counts(&[])), b"");
    }

    #[test]
    fn holes_outside_the_body_are_refused() {
        assert!(SplicedGzip::new(b"abc", &[2..9]).is_none());
    }
}
