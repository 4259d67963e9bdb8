//! The CSV source: a header of fact names (and key columns), then one row
//! per enterprise. Plain numbers go straight into the plan's fixed-point
//! columns (no `Decimal`, no grammar); every other cell is read by
//! [`crate::facts::parse_text_value`], the one reader of values written as
//! text.

use std::collections::VecDeque;
use std::io::BufRead;

use super::RowError;
use super::blocks::{At, Blocks, Parsed, Record, Records, wrong_width};
use super::read::{Chunk, ReadOptions, RowHead, Source};
use crate::check::{FactId, Policy};
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::eval::Facts;
use crate::plan::{Columns, Plan};
use crate::span::{SourceFile, Span};
use crate::value::{Unit, Value};

/// A CSV column: a fact, or a column that is not one (a key, a note, a
/// column warned about).
#[derive(Debug, Clone)]
pub(super) enum Column {
    /// A fact of the policy.
    Fact(FactId, String, Unit),
    /// A field of a list fact's records (`projects.investment`): the list
    /// fact, the field's index, the column's name and the field's unit.
    Field(FactId, usize, String, Unit),
    /// Not a fact: its cells are not read as facts.
    Other,
}

/// Comma-separated values with a header of fact names, read on every core
/// a batch of blocks at a time ([`super::blocks`]).
pub struct Csv<'p, R> {
    policy: &'p Policy,
    name: String,
    blocks: Blocks<R>,
    columns: Vec<Column>,
    /// How many cells every record has: the header's.
    width: usize,
    /// For each key asked for, its column and name.
    keys: Vec<(usize, String)>,
    /// Chunks parsed with the last batch, not yet taken.
    ready: VecDeque<Chunk>,
    /// With record columns: the enterprises read so far, one per run of
    /// rows with the same key (see `super::grouped`).
    groups: Option<super::grouped::Groups>,
    /// With record columns: records parsed, not yet grouped.
    records: VecDeque<Result<(::csv::ByteRecord, u64), RowError>>,
}

impl<'p, R: BufRead + Send> Csv<'p, R> {
    /// A reader of `input` for `policy`; the header is read at once.
    /// Returns the reader and its warnings: each column that names no
    /// fact (with a "did you mean"), once. Columns whose name starts with
    /// `_` are notes, ignored silently.
    ///
    /// # Errors
    /// An unreadable header, one that names no fact, a fact named twice, a
    /// key that names no column, and under `options.strict` a column that
    /// names no fact.
    pub fn new(
        policy: &'p Policy,
        mut input: R,
        options: &ReadOptions,
    ) -> Result<(Self, Vec<Diagnostic>), Diagnostics> {
        let unreadable = |e: &dyn std::fmt::Display| {
            Diagnostics::from(Diagnostic::error(
                Code::Facts,
                format!("{}:1: unreadable header: {e}", options.name),
            ))
        };
        let (bytes, end, eof) = super::blocks::header(&mut input).map_err(|e| unreadable(&e))?;
        // The header's cells as the csv crate reads them (a BOM taken off,
        // UTF-8 checked), from its own bytes.
        let head = bytes.get(..end).unwrap_or_default();
        let mut reader = ::csv::ReaderBuilder::new().from_reader(head);
        let header = reader.headers().map_err(|e| unreadable(&e))?;
        let names: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
        let at = At {
            line: 1 + memchr::memchr_iter(b'\n', head).count() as u64,
            byte: end as u64,
        };
        let rest = bytes.get(end..).unwrap_or_default().to_vec();
        let header = Header::new(&options.name, names);
        let (columns, warnings) = header.columns(policy, options)?;
        let keys = header.keys(&options.keys)?;
        let groups = super::grouped::Groups::for_columns(&columns, &keys, &header.source)?;
        let csv = Csv {
            policy,
            name: options.name.clone(),
            blocks: Blocks::new(input, rest, at, eof),
            width: columns.len(),
            columns,
            keys,
            ready: VecDeque::new(),
            groups,
            records: VecDeque::new(),
        };
        Ok((csv, warnings))
    }
}

/// A header's column names, and the header as a source for labels.
struct Header {
    names: Vec<String>,
    spans: Vec<Span>,
    source: SourceFile,
}

impl Header {
    fn new(input: &str, names: Vec<String>) -> Header {
        let mut text = String::new();
        let mut spans = Vec::new();
        for (i, n) in names.iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            spans.push(Span::new(text.len(), text.len() + n.len()));
            text.push_str(n);
        }
        Header {
            names,
            spans,
            source: SourceFile::new(input, text),
        }
    }

    fn span(&self, i: usize) -> Span {
        self.spans.get(i).copied().unwrap_or(Span::new(0, 0))
    }

    /// Each column as a fact or not; warnings (errors under `strict`) for
    /// columns that name no fact and are no key.
    fn columns(
        &self,
        policy: &Policy,
        options: &ReadOptions,
    ) -> Result<(Vec<Column>, Vec<Diagnostic>), Diagnostics> {
        let strict = options.strict;
        let (mut columns, mut warnings, mut errors) = (Vec::new(), Vec::new(), Vec::new());
        for (i, name) in self.names.iter().enumerate() {
            if let Some(field) = super::grouped::field_column(policy, name) {
                match field {
                    Ok(c) => columns.push(c),
                    Err(why) => {
                        columns.push(Column::Other);
                        let d = Diagnostic::warning(Code::Facts, format!("column `{name}`: {why}"))
                            .label(self.span(i), "no such field")
                            .in_source(&self.source);
                        warnings.push(d);
                    }
                }
                continue;
            }
            match policy.fact_named(name) {
                Some((id, f)) => {
                    if let Some(first) =
                        self.names.iter().position(|n| n == name).filter(|&j| j < i)
                    {
                        errors.push(
                            Diagnostic::error(
                                Code::Facts,
                                format!("column `{name}` is given twice"),
                            )
                            .label(self.span(i), "given again here")
                            .label(self.span(first), "first given here")
                            .help("give each fact once")
                            .in_source(&self.source),
                        );
                    }
                    columns.push(Column::Fact(id, f.name.clone(), f.unit));
                }
                None => {
                    columns.push(Column::Other);
                    if !name.starts_with('_') && !options.keys.contains(name) {
                        let d = self.unknown(policy, i, strict);
                        if strict {
                            errors.push(d)
                        } else {
                            warnings.push(d)
                        }
                    }
                }
            }
        }
        if !columns
            .iter()
            .any(|c| matches!(c, Column::Fact(..) | Column::Field(..)))
        {
            errors.push(
                Diagnostic::error(
                    Code::Facts,
                    format!(
                        "{}:1: the header names no fact of the policy",
                        self.source.name
                    ),
                )
                .help(
                    "the first line of a population CSV names a fact of the policy in each column",
                ),
            );
        }
        if errors.is_empty() {
            Ok((columns, warnings))
        } else {
            Err(Diagnostics(errors))
        }
    }

    /// Column `i` names no fact of `policy`.
    fn unknown(&self, policy: &Policy, i: usize, strict: bool) -> Diagnostic {
        let name = self.names.get(i).map_or("", String::as_str);
        let (make, what): (fn(Code, String) -> Diagnostic, &str) = if strict {
            (Diagnostic::error, "")
        } else {
            (Diagnostic::warning, ": ignored")
        };
        let message = if name.is_empty() {
            format!("column {} has no name{what}", i + 1)
        } else {
            format!("column `{name}` is not a fact of this policy{what}")
        };
        let d = make(Code::UnknownFact, message)
            .label(self.span(i), "unknown column")
            .in_source(&self.source);
        let facts = policy.facts.iter().map(|f| f.name.as_str());
        match crate::check::suggest(name, facts) {
            Some(b) => d.help(format!("did you mean `{b}`?")),
            None if strict => d.help("without --strict, such columns are ignored with a warning"),
            None => d.help("columns starting with `_` are notes and are ignored silently"),
        }
    }

    /// The column of each key.
    fn keys(&self, keys: &[String]) -> Result<Vec<(usize, String)>, Diagnostics> {
        let mut found = Vec::new();
        let mut errors = Vec::new();
        for key in keys {
            match self.names.iter().position(|n| n == key) {
                Some(i) => found.push((i, key.clone())),
                None => {
                    let d = Diagnostic::error(
                        Code::Facts,
                        format!("--key `{key}` names no column of {}", self.source.name),
                    )
                    .label(Span::new(0, self.source.text.len()), "the header")
                    .in_source(&self.source);
                    let names = self.names.iter().map(String::as_str);
                    errors.push(match crate::check::suggest(key, names) {
                        Some(b) => d.help(format!("did you mean `{b}`?")),
                        None => {
                            d.help("a key is a column of the header, passed through to the output")
                        }
                    });
                }
            }
        }
        if errors.is_empty() {
            Ok(found)
        } else {
            Err(Diagnostics(errors))
        }
    }
}

impl<'p, R: BufRead + Send> Source<'p> for Csv<'p, R> {
    fn policy(&self) -> &'p Policy {
        self.policy
    }

    fn next_chunk(&mut self, plan: Option<&Plan>, max: usize) -> Option<Chunk> {
        if self.groups.is_some() {
            return self.next_groups(plan, max);
        }
        loop {
            if let Some(chunk) = self.ready.pop_front() {
                return Some(chunk);
            }
            if let Some(e) = self.blocks.take_failure(&self.name) {
                let header = (self.columns.clone(), self.name.clone());
                let cols = plan.map(Columns::new);
                return Some(Chunk::csv(
                    Vec::new(),
                    header,
                    Records::default(),
                    cols,
                    vec![e],
                ));
            }
            let reader = BlockReader {
                policy: self.policy,
                name: &self.name,
                plan,
                columns: &self.columns,
                slots: slots(&self.columns, plan),
                width: self.width,
                keys: &self.keys,
                rows: max.min(ROOM),
            };
            let chunks = self.blocks.parse(max, blocks_per_batch(), |b, at, last| {
                reader.chunk(b, at, last)
            })?;
            // Blocks of blank lines only make no chunk.
            let read = chunks
                .into_iter()
                .filter(|c| !c.is_empty() || !c.errors.is_empty());
            self.ready.extend(read);
        }
    }

    fn bytes_read(&self) -> u64 {
        self.blocks.bytes_read()
    }
}

/// Blocks parsed at once: two for each core, so that a core whose block
/// is done early takes another.
fn blocks_per_batch() -> usize {
    rayon::current_num_threads().max(1) * 2
}

/// What parsing a block into a chunk needs, shared by the cores.
struct BlockReader<'a> {
    policy: &'a Policy,
    name: &'a str,
    plan: Option<&'a Plan>,
    columns: &'a [Column],
    slots: Vec<Option<(usize, u32)>>,
    width: usize,
    keys: &'a [(usize, String)],
    /// Rows a block's chunk makes room for at once.
    rows: usize,
}

/// Most rows a chunk makes room for before its first row.
const ROOM: usize = 16_384;

impl BlockReader<'_> {
    /// A block's rows as a chunk: each record's cells into the plan's
    /// columns, the record kept for the interpreter; a record that cannot
    /// be read is an error at its line.
    fn chunk(&self, bytes: &[u8], at: At, last: bool) -> (Chunk, Parsed) {
        // Room for the block's rows (a line each, or fewer), no more: a
        // block of wide rows holds far fewer than a chunk may.
        let rows = (memchr::memchr_iter(b'\n', bytes).count() + 1).min(self.rows);
        let mut cols = self.plan.map(|p| Columns::with_capacity(p, rows));
        let mut heads = Vec::with_capacity(rows);
        let mut kept = Records::with_capacity(rows, bytes.len());
        let mut errors = Vec::new();
        let parsed = super::blocks::records(bytes, at, last, |line, record| {
            if record.len() != self.width {
                errors.push(wrong_width(self.name, line, record.len(), self.width));
                return;
            }
            let row = cols.as_mut().map(Columns::push_row);
            let read = keys_of(self.name, self.keys, &record, line).and_then(|keys| {
                let target = cols.as_mut().zip(row);
                let input = (self.policy, self.name, self.plan);
                read_cells(input, self.columns, &self.slots, &record, line, target)
                    .map(|warnings| (keys, warnings))
            });
            match read {
                Ok((keys, warnings)) => {
                    heads.push(RowHead {
                        keys,
                        warnings,
                        ..RowHead::at(line)
                    });
                    kept.push(record);
                }
                Err(e) => {
                    if let (Some(c), Some(r)) = (cols.as_mut(), row) {
                        c.truncate(r);
                    }
                    errors.push(e);
                }
            }
        });
        let header = (self.columns.to_vec(), self.name.to_string());
        (Chunk::csv(heads, header, kept, cols, errors), parsed)
    }
}

impl<R: BufRead> Csv<'_, R> {
    /// The next record with its line, `None` at the end: for the grouped
    /// reading, which takes records one at a time.
    pub(super) fn next_record(&mut self) -> Option<Result<(::csv::ByteRecord, u64), RowError>> {
        loop {
            if let Some(r) = self.records.pop_front() {
                return Some(r);
            }
            if let Some(e) = self.blocks.take_failure(&self.name) {
                return Some(Err(e));
            }
            let (name, width) = (self.name.as_str(), self.width);
            let parsed = self.blocks.parse(GROUPED_BLOCK, 1, |bytes, at, last| {
                let mut out = Vec::new();
                let parsed = super::blocks::records(bytes, at, last, |line, record| {
                    out.push(if record.len() == width {
                        let mut owned = ::csv::ByteRecord::new();
                        record.iter().for_each(|c| owned.push_field(c));
                        Ok((owned, line))
                    } else {
                        Err(wrong_width(name, line, record.len(), width))
                    });
                });
                (out, parsed)
            })?;
            self.records.extend(parsed.into_iter().flatten());
        }
    }

    /// How many blocks were parsed again, cut inside a record.
    #[cfg(test)]
    pub(super) fn reparsed(&self) -> u64 {
        self.blocks.reparsed()
    }

    /// The policy, the input's name, and the columns.
    pub(super) fn parts(&self) -> (&Policy, &str, &[Column]) {
        (self.policy, &self.name, &self.columns)
    }

    /// The state of the grouped reading, taken out while a chunk is read.
    pub(super) fn groups_mut(&mut self) -> &mut Option<super::grouped::Groups> {
        &mut self.groups
    }

    /// A record's key cells, as text.
    pub(super) fn keys_of(&self, record: &impl Cells, line: u64) -> Result<Vec<String>, RowError> {
        keys_of(&self.name, &self.keys, record, line)
    }
}

/// Lines of records parsed at a time for the grouped reading.
const GROUPED_BLOCK: usize = 4096;

/// A record's cells, however it was read: parsed in a block, or kept.
pub(super) trait Cells {
    /// Its cells, in order.
    fn cells(&self) -> impl Iterator<Item = &[u8]>;
    /// Cell `i`, if it has one.
    fn cell(&self, i: usize) -> Option<&[u8]>;
}

impl Cells for ::csv::ByteRecord {
    fn cells(&self) -> impl Iterator<Item = &[u8]> {
        self.iter()
    }
    fn cell(&self, i: usize) -> Option<&[u8]> {
        self.get(i)
    }
}

impl Cells for Record<'_> {
    fn cells(&self) -> impl Iterator<Item = &[u8]> {
        self.iter()
    }
    fn cell(&self, i: usize) -> Option<&[u8]> {
        self.get(i)
    }
}

/// A record's key cells, as text.
fn keys_of(
    input: &str,
    keys: &[(usize, String)],
    record: &impl Cells,
    line: u64,
) -> Result<Vec<String>, RowError> {
    if keys.is_empty() {
        // Most runs ask for none: no collecting per row.
        return Ok(Vec::new());
    }
    keys.iter()
        .map(|(i, key)| {
            let cell = record.cell(*i).unwrap_or_default();
            std::str::from_utf8(cell.trim_ascii())
                .map(str::to_string)
                .map_err(|_| {
                    cell_error(input, line, key, "the cell is not UTF-8 text".into(), None)
                })
        })
        .collect()
}

/// Each column's plan slot and scale (`None`: the plan does not read it,
/// or reads it through the facts reader), found once per chunk.
fn slots(columns: &[Column], plan: Option<&Plan>) -> Vec<Option<(usize, u32)>> {
    columns
        .iter()
        .map(|c| match (c, plan) {
            // A value of an enumeration's or a set's is no plain cell
            // (stored by index, as a bitset); a condition's is read as one
            // by `plain_cell`.
            (Column::Fact(id, _, _), Some(plan)) => {
                let i = plan.facts().iter().position(|f| f.id == *id)?;
                plan.plain_cells(i).then_some(())?;
                Some((i, plan.facts().get(i)?.scale))
            }
            _ => None,
        })
        .collect()
}

fn cell_error(input: &str, line: u64, column: &str, why: String, unit: Option<Unit>) -> RowError {
    let d = Diagnostic::error(
        Code::Facts,
        format!("{input}:{line}: column `{column}`: {why}"),
    );
    RowError {
        line,
        diagnostics: vec![match unit {
            Some(u) => d.help(crate::facts::example_of(u)),
            None => d,
        }],
    }
}

/// One CSV cell as a fact value; `None` for an empty cell.
pub(super) fn cell_value(
    policy: &Policy,
    input: &str,
    line: u64,
    (name, unit): (&str, Unit),
    cell: &[u8],
) -> Result<Option<Value>, RowError> {
    let text = std::str::from_utf8(cell)
        .map_err(|_| cell_error(input, line, name, "the cell is not UTF-8 text".into(), None))?;
    crate::facts::parse_text_value(policy, unit, text)
        .map_err(|why| cell_error(input, line, name, why, Some(unit)))
}

/// Reads a record's cells into a row of the plan's columns: plain numbers
/// straight to fixed point, anything else through the facts reader, which
/// also checks the cells the plan does not use. Returns the warnings about
/// the cells: a rate written as a bare number above 1 (`20`), read as
/// written, as a facts file's is ([`crate::facts::doubt`]).
fn read_cells(
    (policy, input, plan): (&Policy, &str, Option<&Plan>),
    columns: &[Column],
    slots: &[Option<(usize, u32)>],
    record: &impl Cells,
    line: u64,
    mut target: Option<(&mut Columns, usize)>,
) -> Result<Vec<Diagnostic>, RowError> {
    let mut warnings = Vec::new();
    for ((col, slot), cell) in columns.iter().zip(slots).zip(record.cells()) {
        let Column::Fact(id, name, unit) = col else {
            continue;
        };
        if *unit == Unit::Rate {
            warnings.extend(rate_doubt(input, line, name, cell));
        }
        if let (Some((slot, scale)), Some((cols, row))) = (slot, target.as_mut()) {
            if let Some(v) = plain_cell(cell, *unit, *scale) {
                cols.set_fixed(*slot, *row, v);
                continue;
            }
        }
        let value = cell_value(policy, input, line, (name, *unit), cell)?;
        if let (Some(v), Some((cols, row)), Some(plan)) = (value, target.as_mut(), plan) {
            // The slot the column was matched to; a column read for its
            // check only has none.
            let slot = slot
                .map(|(s, _)| s)
                .or_else(|| plan.facts().iter().position(|f| f.id == *id));
            if let Some(slot) = slot {
                cols.set_value(plan, slot, *row, &v);
            }
        }
    }
    Ok(warnings)
}

/// A cell most of a population is written in, straight to the plan's fixed
/// point at `scale`: a plain decimal, or a condition (`true`, `是`, …, as
/// [`crate::facts::parse_bool`] reads one) as 1 or 0. `None` for anything
/// else, which goes through the facts reader.
fn plain_cell(cell: &[u8], unit: Unit, scale: u32) -> Option<i64> {
    let cell = cell.trim_ascii();
    if unit == Unit::Bool {
        let b = crate::facts::parse_bool(std::str::from_utf8(cell).ok()?)?;
        return Some(i64::from(b));
    }
    crate::plan::parse_plain(cell, scale)
}

/// The warning for a rate cell that is a bare number above 1, if it is one.
pub(super) fn rate_doubt(input: &str, line: u64, column: &str, cell: &[u8]) -> Option<Diagnostic> {
    if cell.contains(&b'%') {
        return None;
    }
    let text = std::str::from_utf8(cell).ok()?;
    let d = crate::facts::doubt_text(Unit::Rate, text)?;
    Some(
        Diagnostic::warning(
            Code::Facts,
            format!("{input}:{line}: column `{column}`: {}", d.message),
        )
        .help(d.help),
    )
}

/// A record's facts, typed by the policy: for the rows the interpreter
/// takes.
pub(super) fn record_facts(
    policy: &Policy,
    input: &str,
    columns: &[Column],
    record: &impl Cells,
    line: u64,
) -> Result<Facts, RowError> {
    let mut facts = Facts::new(format!("row {line}"));
    for (col, cell) in columns.iter().zip(record.cells()) {
        if let Column::Fact(id, name, unit) = col {
            if let Some(v) = cell_value(policy, input, line, (name, *unit), cell)? {
                facts.set(*id, v);
            }
        }
    }
    Ok(facts)
}
