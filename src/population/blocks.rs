//! A CSV read on every core: the input is cut into large blocks at record
//! boundaries, and the blocks are parsed at once, in input order. A record
//! without a quote is read in place: its cells are the bytes between its
//! commas, up to the `\r` or `\n` that ends it (nothing copied, no state
//! machine); a record with a quote anywhere goes through the block's own
//! [`csv_core`] reader, whose cells these are for every other record too
//! (the property test `cells_are_the_csv_crates` checks it).
//!
//! A boundary is a line break outside quotes. [`scan`] finds them in one
//! pass (`memchr` over quotes and line breaks), with the quoting rules of
//! `csv_core`'s default dialect: a quote opens a quoted field only at the
//! start of a field, `""` inside one is a quote, and a quote anywhere else
//! is an ordinary character. Each block is parsed from a record's start,
//! and a block that does not end at the end of a record (which the scan
//! rules out, but a parse checks) is parsed again in one piece with what
//! follows it, so a wrong cut can cost time but never a row.
//!
//! Lines are counted as the blocks are cut, so every row's line is known
//! before its block is parsed: the line of its first character (blank
//! lines and the `\n` of a `\r\n` before it counted). Memory is flat: a
//! batch holds a few blocks, each of at most [`BLOCK_BYTES`] and one
//! record whatever the rows' width, and its bytes are dropped once parsed.

use std::io::{BufRead, Read};

use csv_core::ReadRecordResult;

use crate::diagnostic::{Code, Diagnostic};

/// One record's cells, as parsed: `ends[i]` is where cell `i` ends in
/// `bytes`, the first cell starts at `start`, and each next one `gap`
/// bytes after the end of the one before: 0 for cells the [`csv_core`]
/// reader unescaped one after the other, 1 for cells read in place, a
/// comma between each two.
#[derive(Debug, Clone, Copy)]
pub(super) struct Record<'a> {
    bytes: &'a [u8],
    start: usize,
    ends: &'a [usize],
    gap: usize,
}

impl<'a> Record<'a> {
    /// How many cells it has.
    pub(super) fn len(&self) -> usize {
        self.ends.len()
    }

    /// Its cells, in order.
    pub(super) fn iter(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        let (bytes, start, ends, gap) = (self.bytes, self.start, self.ends, self.gap);
        let starts = std::iter::once(start).chain(ends.iter().map(move |e| e + gap));
        starts
            .zip(ends.iter().copied())
            .map(move |(a, b)| bytes.get(a..b).unwrap_or_default())
    }

    /// Cell `i`; `None` past the last.
    pub(super) fn get(&self, i: usize) -> Option<&'a [u8]> {
        let end = *self.ends.get(i)?;
        let start = match i.checked_sub(1) {
            Some(j) => *self.ends.get(j)? + self.gap,
            None => self.start,
        };
        self.bytes.get(start..end)
    }
}

/// The records of a chunk, kept flat (one buffer of cells for all), for the
/// rows the interpreter takes.
#[derive(Debug, Clone, Default)]
pub(super) struct Records {
    bytes: Vec<u8>,
    ends: Vec<usize>,
    /// Where each record's cell ends begin in `ends`.
    firsts: Vec<usize>,
    /// Each record's [`Record::gap`].
    gaps: Vec<u8>,
}

impl Records {
    /// Room for `n` records of `bytes` bytes in all.
    pub(super) fn with_capacity(n: usize, bytes: usize) -> Records {
        Records {
            bytes: Vec::with_capacity(bytes),
            ends: Vec::new(),
            firsts: Vec::with_capacity(n),
            gaps: Vec::with_capacity(n),
        }
    }

    /// Keeps a record.
    pub(super) fn push(&mut self, r: Record<'_>) {
        self.firsts.push(self.ends.len());
        self.gaps.push(u8::from(r.gap > 0));
        // A record's cells lie one after the other (with their commas, when
        // read in place): copied at once.
        let end = r.ends.last().copied().unwrap_or(r.start);
        let base = self.bytes.len();
        self.bytes
            .extend_from_slice(r.bytes.get(r.start..end).unwrap_or_default());
        let from = r.start;
        self.ends
            .extend(r.ends.iter().map(|e| base + e.saturating_sub(from)));
    }

    /// Record `i`.
    pub(super) fn get(&self, i: usize) -> Option<Record<'_>> {
        let first = *self.firsts.get(i)?;
        let last = self.firsts.get(i + 1).copied().unwrap_or(self.ends.len());
        // Each record's bytes start where the one before ended.
        let start = match first.checked_sub(1) {
            Some(j) => *self.ends.get(j)?,
            None => 0,
        };
        Some(Record {
            bytes: &self.bytes,
            start,
            ends: self.ends.get(first..last)?,
            gap: usize::from(*self.gaps.get(i)?),
        })
    }
}

/// Where a block starts in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct At {
    /// The line of its first byte (1-based).
    pub line: u64,
    /// Its offset in the input.
    pub byte: u64,
}

/// A block of a batch: its bytes' range in the batch, and where it starts.
#[derive(Debug, Clone)]
pub(super) struct Block {
    pub range: std::ops::Range<usize>,
    pub at: At,
    /// Whether the input ends with this block.
    pub last: bool,
}

/// The record boundaries [`scan`] found: the end of each block (after a
/// line break outside quotes) with the line breaks in it, and how far the
/// scan got (the bytes after it may still be inside a quoted field).
#[derive(Debug, Default)]
struct Scan {
    cuts: Vec<(usize, u64)>,
    /// Line breaks after the last cut, up to `scanned`.
    tail_lines: u64,
    /// Where the scan stopped, with the quoting state there known.
    scanned: usize,
}

/// Cuts `bytes`, which begin at a record's start, after every `every`-th
/// line break outside quotes, or after the first one outside quotes once a
/// block holds `most` bytes (so a block is at most `most` bytes and one
/// record), up to `blocks` cuts.
fn scan(bytes: &[u8], every: usize, most: usize, blocks: usize) -> Scan {
    let mut s = Scan::default();
    let (mut i, mut rows, mut lines, mut from) = (0usize, 0usize, 0u64, 0usize);
    'scan: while s.cuts.len() < blocks {
        // Up to the next quote, every line break is a record's end: they are
        // found in one pass, not one search each.
        let rest = bytes.get(i..).unwrap_or_default();
        let quote = memchr::memchr(b'"', rest).map_or(bytes.len(), |k| i + k);
        for k in memchr::memchr_iter(b'\n', bytes.get(i..quote).unwrap_or_default()) {
            let end = i + k + 1;
            lines += 1;
            rows += 1;
            if rows >= every || end - from >= most {
                s.cuts.push((end, lines));
                (rows, lines, from) = (0, 0, end);
                if s.cuts.len() >= blocks {
                    i = end;
                    break 'scan;
                }
            }
        }
        if quote >= bytes.len() {
            i = bytes.len();
            break;
        }
        let j = quote;
        // A quote: it opens a quoted field only at a field's start.
        let opens = match j.checked_sub(1).and_then(|p| bytes.get(p)) {
            None => true,
            Some(b) => matches!(b, b',' | b'\n' | b'\r'),
        };
        if !opens {
            i = j + 1;
            continue;
        }
        match closing_quote(bytes, j + 1) {
            Some((end, inside)) => {
                lines += inside;
                i = end;
            }
            // The field goes on past what has been read.
            None => {
                s.tail_lines = lines;
                s.scanned = j;
                return s;
            }
        }
    }
    s.tail_lines = lines;
    s.scanned = i;
    s
}

/// The end of a quoted field whose text starts at `from` (just past the
/// closing quote), and the line breaks inside it; `None` when `bytes` end
/// first, or end just after a quote that may be the first of a `""`.
fn closing_quote(bytes: &[u8], from: usize) -> Option<(usize, u64)> {
    let mut q = from;
    let mut inside = 0u64;
    loop {
        let rest = bytes.get(q..)?;
        let k = memchr::memchr(b'"', rest)?;
        inside += memchr::memchr_iter(b'\n', rest.get(..k)?).count() as u64;
        let c = q + k;
        match bytes.get(c + 1) {
            Some(b'"') => q = c + 2,
            Some(_) => return Some((c + 1, inside)),
            None => return None,
        }
    }
}

/// A CSV input read a batch of blocks at a time.
pub(super) struct Blocks<R> {
    input: R,
    /// Bytes read from a record's start on, not yet parsed.
    buf: Vec<u8>,
    at: At,
    eof: bool,
    /// A read that failed: told once, as a row that could not be read.
    failed: Option<std::io::Error>,
    /// Bytes per line seen so far, to size the next read.
    bytes_per_line: usize,
    /// At least this many bytes are read before cutting: doubled when a
    /// batch could not be parsed to the end of one record.
    min_read: usize,
    /// Blocks parsed again because they were cut inside a record (which
    /// the scan's rules should never do: the tests check it stays 0).
    reparsed: u64,
}

/// A batch: the bytes of whole records, and its blocks.
pub(super) struct Batch {
    pub bytes: Vec<u8>,
    pub blocks: Vec<Block>,
}

/// Bytes read at least at a time.
const READ: usize = 64 * 1024;

/// Bytes read at most before cutting, unless one record is longer.
const MAX_READ: usize = 256 * 1024 * 1024;

/// Bytes of input a block holds at most (and one record past them): what
/// keeps memory flat whatever the rows' width. A block of a wide file
/// (the draft's 79 facts, 540 bytes a row) has fewer rows than a chunk
/// may, and its chunk, typed and evaluated, stays a few megabytes; the
/// anchor's 7 facts fill 16,384 rows in about 1.1 MB.
pub(super) const BLOCK_BYTES: usize = 2 * 1024 * 1024;

impl<R: BufRead> Blocks<R> {
    /// The blocks of `input`, which starts at `at`; `rest` holds bytes of
    /// it already read (after the header), and `eof` says the input ended
    /// with them.
    pub(super) fn new(input: R, rest: Vec<u8>, at: At, eof: bool) -> Self {
        Blocks {
            input,
            buf: rest,
            at,
            eof,
            failed: None,
            bytes_per_line: 128,
            min_read: READ,
            reparsed: 0,
        }
    }

    /// Bytes of the input parsed, or waiting to be.
    pub(super) fn bytes_read(&self) -> u64 {
        self.at.byte
    }

    /// How many blocks were parsed again, cut inside a record.
    #[cfg(test)]
    pub(super) fn reparsed(&self) -> u64 {
        self.reparsed
    }

    /// A failed read, taken once, as a row error at the line reached.
    pub(super) fn take_failure(&mut self, input: &str) -> Option<super::RowError> {
        let e = self.failed.take()?;
        let line = self.at.line;
        Some(super::RowError {
            line,
            diagnostics: vec![
                Diagnostic::error(Code::Io, format!("{input}:{line}: cannot read on: {e}"))
                    .help("the rows before this line were read; check the file and run again"),
            ],
        })
    }

    /// Reads until `want` bytes are buffered or the input ends.
    fn fill(&mut self, want: usize) {
        self.buf.reserve(want.saturating_sub(self.buf.len()));
        while !self.eof && self.buf.len() < want {
            let more = (want - self.buf.len()).max(READ) as u64;
            match self.input.by_ref().take(more).read_to_end(&mut self.buf) {
                // Less than asked for: the input has ended.
                Ok(n) => self.eof = (n as u64) < more,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.failed = Some(e);
                    self.eof = true;
                }
            }
        }
    }

    /// The next batch: up to `blocks` blocks of up to `every` lines each,
    /// and of at most [`BLOCK_BYTES`] bytes and one record each; `None` at
    /// the end of the input.
    pub(super) fn next_batch(&mut self, every: usize, blocks: usize) -> Option<Batch> {
        let every = every.max(1);
        let blocks = blocks.max(1);
        let per_block = every.saturating_mul(self.bytes_per_line).min(BLOCK_BYTES);
        let want = per_block
            .saturating_mul(blocks)
            .clamp(self.min_read, MAX_READ.max(self.min_read));
        self.fill(want);
        loop {
            let s = scan(&self.buf, every, BLOCK_BYTES, blocks);
            if s.cuts.len() >= blocks || self.eof {
                return self.cut(s);
            }
            // Fewer lines than asked for in what was read: read more.
            let before = self.buf.len();
            self.fill(before.saturating_mul(2).max(READ));
            if self.buf.len() == before {
                return self.cut(s);
            }
        }
    }

    /// Takes the scanned blocks out of the buffer as a batch.
    fn cut(&mut self, s: Scan) -> Option<Batch> {
        let mut blocks = Vec::with_capacity(s.cuts.len() + 1);
        let (mut start, mut at) = (0usize, self.at);
        for (end, lines) in &s.cuts {
            blocks.push(Block {
                range: start..*end,
                at,
                last: false,
            });
            at = At {
                line: at.line + lines,
                byte: at.byte + (*end - start) as u64,
            };
            start = *end;
        }
        // At the end of the input, what is left is the last block.
        if self.eof && start < self.buf.len() {
            blocks.push(Block {
                range: start..self.buf.len(),
                at,
                last: true,
            });
            start = self.buf.len();
            at.byte = self.at.byte + start as u64;
        } else if let Some(b) = blocks.last_mut().filter(|_| self.eof) {
            b.last = true;
        }
        if blocks.is_empty() {
            return None;
        }
        let read_lines = at.line - self.at.line;
        if read_lines > 0 {
            self.bytes_per_line = (start / read_lines as usize).max(1);
        }
        let rest = self.buf.split_off(start);
        let bytes = std::mem::replace(&mut self.buf, rest);
        self.at = at;
        Some(Batch { bytes, blocks })
    }

    /// Gives back the bytes of a batch from `from` on (they were cut at a
    /// place that was no record boundary), to be read again with what
    /// follows; `at` is where they start. When not one record could be
    /// parsed, the next batch reads at least twice as much.
    pub(super) fn give_back(&mut self, mut bytes: Vec<u8>, from: usize, at: At, progressed: bool) {
        let mut rest = bytes.split_off(from.min(bytes.len()));
        rest.append(&mut self.buf);
        self.buf = rest;
        self.at = at;
        if !progressed {
            self.min_read = self.min_read.saturating_mul(2);
        }
    }
}

impl<R: BufRead> Blocks<R> {
    /// The next batch, each of its blocks given to `parse` on every core
    /// (its bytes, where it starts, whether the input ends with it), the
    /// results in input order; `None` at the end of the input. A block
    /// that did not end at a record's end is parsed again in one piece
    /// with the rest of the batch, and what follows the last whole record
    /// is read again with the next batch.
    pub(super) fn parse<T: Send>(
        &mut self,
        every: usize,
        blocks: usize,
        parse: impl Fn(&[u8], At, bool) -> (T, Parsed) + Sync,
    ) -> Option<Vec<T>> {
        let batch = self.next_batch(every, blocks)?;
        let bytes = &batch.bytes;
        let of = |b: &Block| bytes.get(b.range.clone()).unwrap_or_default();
        let parsed: Vec<(T, Parsed)> = {
            use rayon::prelude::*;
            batch
                .blocks
                .par_iter()
                .map(|b| parse(of(b), b.at, b.last))
                .collect()
        };
        let mut out = Vec::with_capacity(parsed.len());
        for ((t, p), b) in parsed.into_iter().zip(&batch.blocks) {
            if p.clean {
                out.push(t);
                continue;
            }
            self.reparsed += 1;
            let last = batch.blocks.last().is_some_and(|b| b.last);
            let from = b.range.start;
            let (t, p) = parse(bytes.get(from..).unwrap_or_default(), b.at, last);
            out.push(t);
            if !p.clean {
                self.give_back(batch.bytes, from + p.consumed, p.next, p.consumed > 0);
            }
            break;
        }
        Some(out)
    }
}

/// The first record of `input` (the header) and the bytes read with it:
/// returns the bytes, where the header ends in them, and whether the input
/// ended. The header is parsed as the file's start: a BOM is taken off.
///
/// # Errors
/// A read that failed.
pub(super) fn header<R: BufRead>(input: &mut R) -> std::io::Result<(Vec<u8>, usize, bool)> {
    let mut buf = Vec::new();
    let mut eof = false;
    loop {
        let want = (buf.len() * 2).max(READ) as u64;
        let got = input.by_ref().take(want).read_to_end(&mut buf)?;
        eof |= (got as u64) < want;
        let mut core = csv_core::Reader::new();
        let (mut fields, mut ends) = (vec![0u8; buf.len() + 1], vec![0usize; 64]);
        let (mut pos, mut nout, mut nend) = (0usize, 0usize, 0usize);
        loop {
            let (res, nin, out, end) = core.read_record(
                buf.get(pos..).unwrap_or_default(),
                fields.get_mut(nout..).unwrap_or_default(),
                ends.get_mut(nend..).unwrap_or_default(),
            );
            pos += nin;
            nout += out;
            nend += end;
            match res {
                ReadRecordResult::Record | ReadRecordResult::End => return Ok((buf, pos, eof)),
                ReadRecordResult::InputEmpty if pos >= buf.len() && !eof => break,
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull => fields.resize(fields.len() * 2, 0),
                ReadRecordResult::OutputEndsFull => ends.resize(ends.len() * 2, 0),
            }
        }
    }
}

/// How the parse of a block ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Parsed {
    /// Bytes of the block parsed into whole records.
    pub consumed: usize,
    /// Where the bytes after them start.
    pub next: At,
    /// Whether the block ended at the end of a record.
    pub clean: bool,
}

/// Parses the records of `bytes` (which begin at a record's start, at
/// `at`), giving each with its line to `each`. At the end of the input
/// (`last`) a last record without a line break is a record; otherwise the
/// bytes after the last whole record are left, and the block is not clean.
pub(super) fn records(
    bytes: &[u8],
    at: At,
    last: bool,
    mut each: impl FnMut(u64, Record<'_>),
) -> Parsed {
    let mut core = csv_core::Reader::new();
    let mut fields = vec![0u8; 256];
    let mut ends = vec![0usize; 16];
    // The cell ends of a record read in place.
    let mut in_place: Vec<usize> = Vec::with_capacity(16);
    let (mut pos, mut line) = (0usize, at.line);
    // The reader takes a BOM off the first bytes it is given, as it should
    // at the start of a file but not of a block: so its first input is one
    // byte, which cannot be a BOM.
    let mut fresh = true;
    loop {
        // Blank lines and the `\n` of a `\r\n` come before a record starts:
        // skipped here as the reader would, so the record's line is its own.
        while let Some(b) = bytes.get(pos).filter(|b| matches!(b, b'\r' | b'\n')) {
            line += u64::from(*b == b'\n');
            pos += 1;
        }
        let (start, start_line) = (pos, line);
        if pos >= bytes.len() {
            return Parsed {
                consumed: pos,
                next: At {
                    line,
                    byte: at.byte + pos as u64,
                },
                clean: true,
            };
        }
        // A record without quotes is read in place: its cells are the bytes
        // between commas up to the first `\r` or `\n` (each ends a record in
        // the reader's default dialect), or the end of the input. Only a
        // record with a quote anywhere in it goes through the reader.
        let rest = bytes.get(pos..).unwrap_or_default();
        let plain = match memchr::memchr3(b'\n', b'\r', b'"', rest) {
            Some(k) => (rest.get(k) != Some(&b'"')).then_some(k),
            None => last.then_some(rest.len()),
        };
        if let Some(k) = plain {
            let cells = rest.get(..k).unwrap_or_default();
            in_place.clear();
            in_place.extend(memchr::memchr_iter(b',', cells).map(|c| pos + c));
            in_place.push(pos + k);
            each(
                start_line,
                Record {
                    bytes,
                    start: pos,
                    ends: &in_place,
                    gap: 1,
                },
            );
            // The line break after it is skipped with the blank lines.
            pos += k;
            continue;
        }
        let (mut nout, mut nend) = (0usize, 0usize);
        let ended = loop {
            let input = bytes.get(pos..).unwrap_or_default();
            let input = if fresh {
                input.get(..1).unwrap_or(input)
            } else {
                input
            };
            let lines_before = core.line();
            let (res, nin, out, end) = core.read_record(
                input,
                fields.get_mut(nout..).unwrap_or_default(),
                ends.get_mut(nend..).unwrap_or_default(),
            );
            fresh = false;
            line += core.line() - lines_before;
            pos += nin;
            nout += out;
            nend += end;
            match res {
                ReadRecordResult::InputEmpty if pos >= bytes.len() && !last => break false,
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull => fields.resize(fields.len() * 2, 0),
                ReadRecordResult::OutputEndsFull => ends.resize(ends.len() * 2, 0),
                ReadRecordResult::Record => break true,
                ReadRecordResult::End => break false,
            }
        };
        if !ended {
            // The block ends inside a record (or, at the end of the input,
            // with nothing after the blank lines).
            let clean = last;
            return Parsed {
                consumed: if clean { pos } else { start },
                next: At {
                    line: if clean { line } else { start_line },
                    byte: at.byte + if clean { pos } else { start } as u64,
                },
                clean,
            };
        }
        each(
            start_line,
            Record {
                bytes: fields.get(..nout).unwrap_or_default(),
                start: 0,
                ends: ends.get(..nend).unwrap_or_default(),
                gap: 0,
            },
        );
    }
}

/// The error of a record with more or fewer cells than the header.
pub(super) fn wrong_width(input: &str, line: u64, cells: usize, header: usize) -> super::RowError {
    let (more, what) = if cells > header {
        (
            "more",
            "a comma inside a cell needs the cell in double quotes",
        )
    } else {
        (
            "fewer",
            "give every column a cell, empty when the fact is not known",
        )
    };
    super::RowError {
        line,
        diagnostics: vec![
            Diagnostic::error(
                Code::Facts,
                format!(
                    "{input}:{line}: unreadable row: {cells} cells, {more} than the header's {header}"
                ),
            )
            .help(what),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Vec<(u64, Vec<String>)> {
        let mut out = Vec::new();
        records(text.as_bytes(), At { line: 1, byte: 0 }, true, |line, r| {
            out.push((
                line,
                r.iter()
                    .map(|c| String::from_utf8_lossy(c).into_owned())
                    .collect(),
            ));
        });
        out
    }

    #[test]
    fn lines_are_the_records_own() {
        let rows = parse("a,b\r\n\r\nc,\"d\ne\"\n\nf,g");
        let lines: Vec<u64> = rows.iter().map(|r| r.0).collect();
        assert_eq!(lines, [1, 3, 6]);
        assert_eq!(
            rows.get(1).map(|r| r.1.clone()),
            Some(vec!["c".into(), "d\ne".into()])
        );
    }

    #[test]
    fn a_bom_is_a_cell_of_a_block_not_dropped() {
        let rows = parse("\u{feff}a,b\n");
        assert_eq!(
            rows.first().map(|r| r.1.clone()),
            Some(vec!["\u{feff}a".into(), "b".into()])
        );
    }

    #[test]
    fn cuts_fall_outside_quotes() {
        let text = b"a,\"x\ny\"\nb,c\"d\ne,\"\"\"\n\"\n";
        let s = scan(text, 1, usize::MAX, 10);
        let cuts: Vec<usize> = s.cuts.iter().map(|c| c.0).collect();
        // `c"d` is no quoted field; `"""\n"` is one, holding `"\n`.
        assert_eq!(cuts, [8, 14, 22]);
        let lines: Vec<u64> = s.cuts.iter().map(|c| c.1).collect();
        assert_eq!(lines, [2, 1, 2]);
    }

    #[test]
    fn blocks_are_bounded_in_bytes() {
        // 1,000 lines of 100 bytes, cut at most every 1,000 bytes.
        let text = format!("{}\n", "1".repeat(99)).repeat(1000);
        let s = scan(text.as_bytes(), usize::MAX, 1000, 1000);
        assert_eq!(s.cuts.len(), 100);
        let mut from = 0;
        for (end, lines) in &s.cuts {
            assert!(end - from <= 1000, "{from}..{end}");
            assert_eq!(*lines, 10);
            from = *end;
        }
        // A batch of wide rows (the draft's are 540 bytes) holds its blocks,
        // each at most BLOCK_BYTES and one record, however many rows a
        // chunk may have: what is in flight does not grow with the rows.
        let row = format!("{}\n", "1,".repeat(269).trim_end_matches(','));
        let input = row.repeat(40_000).into_bytes();
        let mut blocks = Blocks::new(&input[..], Vec::new(), At { line: 2, byte: 0 }, false);
        let mut rows = 0;
        while let Some(batch) = blocks.next_batch(16_384, 4) {
            assert!(batch.blocks.len() <= 4);
            for b in &batch.blocks {
                assert!(b.range.len() <= BLOCK_BYTES + row.len(), "{:?}", b.range);
            }
            assert!(batch.bytes.len() <= 4 * (BLOCK_BYTES + row.len()));
            rows += batch.bytes.len() / row.len();
        }
        assert_eq!(rows, 40_000);
    }

    #[test]
    fn an_open_quote_waits_for_more() {
        let s = scan(b"a\n\"b\nc", 1, usize::MAX, 10);
        assert_eq!(s.cuts.len(), 1);
        assert_eq!(s.scanned, 2);
        // A quote at the very end may begin a `""`.
        let s = scan(b"\"b\"", 1, usize::MAX, 10);
        assert!(s.cuts.is_empty());
    }

    mod against_one_block {
        //! The reader on every core against the same reader in one block:
        //! blocks of one, two, three lines, so that cuts (and reads) land
        //! everywhere, give the same rows, cells, plan columns, warnings,
        //! rejected rows and lines.

        use proptest::prelude::*;

        use crate::eval::Options;
        use crate::plan::Plan;
        use crate::population::read::Csv;
        use crate::population::read::{ReadOptions, Source};
        use crate::span::SourceFile;

        const POLICY: &str = "fact a: money\nfact b: money\nfact r: rate\nmeasure 1 \"m\" {\n  subsidy s = min(20% * a, 5万)\n  award t = min(b, 100万)\n}\n";

        /// Everything a chunk's rows say, in input order, as text; and
        /// how many blocks had to be parsed again.
        fn read_all(text: &[u8], max: usize) -> (Vec<String>, u64) {
            let Ok(policy) = crate::load(&SourceFile::new("t.decree", POLICY)) else {
                return (vec!["the policy does not load".into()], 0);
            };
            let options = Options::default();
            let plan = Plan::compile(&policy, &options);
            let read = ReadOptions {
                name: "t.csv".into(),
                keys: vec!["id".into()],
                strict: false,
            };
            let mut csv = match Csv::new(&policy, text, &read) {
                Ok((csv, _)) => csv,
                Err(d) => return (vec![format!("header: {d:?}")], 0),
            };
            let mut out = Vec::new();
            while let Some(chunk) = csv.next_chunk(plan.as_ref(), max) {
                let outcomes = plan
                    .as_ref()
                    .zip(chunk.columns.as_ref())
                    .map(|(p, c)| p.run(c));
                for (i, head) in chunk.rows.iter().enumerate() {
                    let facts = chunk
                        .facts(&policy, i)
                        .map(|f| f.map(|f| format!("{:?}", f.into_owned())));
                    let planned = plan
                        .as_ref()
                        .zip(outcomes.as_ref())
                        .map(|(p, o)| (o.decided(i), o.total(p, i)));
                    let warnings: Vec<&str> =
                        head.warnings.iter().map(|w| w.message.as_str()).collect();
                    out.push(format!(
                        "row {} {:?} {warnings:?} {facts:?} {planned:?}",
                        head.line, head.keys
                    ));
                }
                for e in &chunk.errors {
                    out.push(format!("rejected {} {}", e.line, e.message()));
                }
            }
            // Rows and rejected rows in input order, however chunked.
            out.sort_by_key(|l| l.split(' ').nth(1).and_then(|n| n.parse::<u64>().ok()));
            (out, csv.reparsed())
        }

        fn cell() -> impl Strategy<Value = String> {
            prop_oneof![
                Just(String::new()),
                Just("12".to_string()),
                Just("3.25".to_string()),
                Just("0.5".to_string()),
                Just("20".to_string()),
                Just(" 7 ".to_string()),
                Just("x".to_string()),
                Just("1.2亿".to_string()),
                Just("\"4\"".to_string()),
                Just("\"a,b\"".to_string()),
                Just("\"q\"\"r\"".to_string()),
                Just("\"two\nlines\"".to_string()),
                Just("\"cr\r\nlf\"".to_string()),
                Just("ab\"c".to_string()),
                Just("\"\"".to_string()),
                Just("\u{feff}9".to_string()),
                // A bare `\r` ends a record in the reader's dialect, read
                // in place as through the reader.
                Just("x\ry".to_string()),
                Just("1.5\r".to_string()),
            ]
        }

        fn csv_text() -> impl Strategy<Value = Vec<u8>> {
            let row = prop::collection::vec(cell(), 1..=6);
            let end = prop_oneof![Just("\n"), Just("\r\n"), Just("\n\n"), Just("\r\n\r\n")];
            (
                any::<bool>(),
                prop::collection::vec((row, end), 0..12),
                any::<bool>(),
            )
                .prop_map(|(bom, rows, final_break)| {
                    let mut text = String::new();
                    if bom {
                        text.push('\u{feff}');
                    }
                    text.push_str("id,a,b,r\n");
                    let n = rows.len();
                    for (k, (cells, end)) in rows.into_iter().enumerate() {
                        text.push_str(&cells.join(","));
                        if k + 1 < n || final_break {
                            text.push_str(end);
                        }
                    }
                    text.into_bytes()
                })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(400))]
            #[test]
            fn blocks_of_any_size_read_as_one(text in csv_text()) {
                let (whole, _) = read_all(&text, usize::MAX);
                for max in [1, 2, 3, 5] {
                    let (rows, reparsed) = read_all(&text, max);
                    prop_assert_eq!(&rows, &whole, "blocks of {} lines", max);
                    // Every cut was at a record's end.
                    prop_assert_eq!(reparsed, 0);
                }
            }

            /// The cells are the csv crate's, record for record.
            #[test]
            fn cells_are_the_csv_crates(text in csv_text()) {
                let mut theirs = Vec::new();
                let mut reader = ::csv::ReaderBuilder::new().flexible(true).has_headers(false).from_reader(&text[..]);
                for r in reader.byte_records().flatten() {
                    theirs.push(r.iter().map(<[u8]>::to_vec).collect::<Vec<_>>());
                }
                let mut ours = Vec::new();
                super::records(&text, super::At { line: 1, byte: 0 }, true, |_, r| {
                    ours.push(r.iter().map(<[u8]>::to_vec).collect::<Vec<_>>());
                });
                // A BOM is the file's, not the first cell's: the block
                // reader keeps it, the file reader takes it off.
                if let Some(first) = ours.first_mut().and_then(|r| r.first_mut()) {
                    if first.starts_with(b"\xef\xbb\xbf") {
                        first.drain(..3);
                    }
                }
                prop_assert_eq!(ours, theirs);
            }
        }
    }
}
