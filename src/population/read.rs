//! Sources of rows: a population read a chunk at a time and typed by the
//! policy's declarations.
//!
//! * [`Csv`]: comma-separated values, a header of fact names; cells are
//!   parsed straight into the plan's fixed-point columns where they are
//!   plain numbers, the rest through [`crate::facts::parse_text_value`].
//! * [`JsonLines`]: one JSON object of facts per line, read in order and
//!   parsed on every core.
//! * [`Files`]: facts files (JSON, TOML, YAML), one enterprise each, from
//!   an iterator of files the host has read — a folder, or a single file.
//! * [`Typed`]: facts already typed, in memory.
//!
//! A row that cannot be read is a [`RowError`] in the chunk, in its place,
//! never silently dropped.

use std::borrow::Cow;
use std::io::BufRead;

use rayon::prelude::*;

use super::blocks::Records;
use super::csv::Column;
use super::{Row, RowError};
use crate::check::{FactId, Policy};
use crate::diagnostic::{Code, Diagnostic};
use crate::eval::Facts;
use crate::facts::{Format, Raw};
use crate::plan::{Columns, Plan};
use crate::span::SourceFile;
use crate::value::Value;

pub use super::csv::Csv;

/// A source of rows for one policy.
///
/// The policy is the source's own (its rows are typed by it), so a run can
/// never evaluate rows with a policy they were not read for.
pub trait Source<'p>: Send {
    /// The policy the rows are typed by.
    fn policy(&self) -> &'p Policy;

    /// Up to `max` rows, typed for `plan` when there is one (its columns
    /// filled); `None` at the end. Rows that cannot be read are the chunk's
    /// errors.
    fn next_chunk(&mut self, plan: Option<&Plan>, max: usize) -> Option<Chunk>;

    /// Bytes of the input read so far, for progress; 0 for a source that
    /// does not read a byte stream.
    fn bytes_read(&self) -> u64 {
        0
    }
}

impl<'p, S: Source<'p> + ?Sized> Source<'p> for Box<S> {
    fn policy(&self) -> &'p Policy {
        (**self).policy()
    }
    fn next_chunk(&mut self, plan: Option<&Plan>, max: usize) -> Option<Chunk> {
        (**self).next_chunk(plan, max)
    }
    fn bytes_read(&self) -> u64 {
        (**self).bytes_read()
    }
}

/// How a source reads its input.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// The input's name (a file's path), in diagnostics: `pop.csv:4: …`.
    pub name: String,
    /// Columns (CSV) or fields (JSON Lines, facts files) passed through to
    /// the output with each row (`--key id`), in this order. They need not
    /// be facts.
    pub keys: Vec<String>,
    /// Make what is otherwise a warning about the input an error: a CSV
    /// column that is no fact of the policy.
    pub strict: bool,
}

/// What a row is besides its facts.
#[derive(Debug, Clone, Default)]
pub(super) struct RowHead {
    /// Where it is in the input.
    pub line: u64,
    /// The enterprise's name, when it has one of its own (a facts file's);
    /// otherwise it is `row N`.
    pub name: Option<String>,
    /// Its key columns, in the order asked for.
    pub keys: Vec<String>,
    /// Warnings about its facts (unknown keys, nulls).
    pub warnings: Vec<Diagnostic>,
}

impl RowHead {
    /// A row with nothing but its place.
    pub(super) fn at(line: u64) -> RowHead {
        RowHead {
            line,
            ..RowHead::default()
        }
    }

    /// A row named after its facts' enterprise, if they name one.
    fn named(line: u64, facts: &Facts) -> RowHead {
        RowHead {
            line,
            name: (!facts.name.is_empty()).then(|| facts.name.clone()),
            ..RowHead::default()
        }
    }
}

/// The facts of a chunk's rows.
enum ChunkFacts {
    /// Typed facts of every row.
    Typed(Vec<Facts>),
    /// CSV records, typed only for the rows the plan does not decide.
    Csv(Vec<Column>, String, Records),
}

/// A chunk of rows, read and typed: the plan's fixed-point columns (when
/// there is a plan) and, for rows the interpreter must take, their facts.
pub struct Chunk {
    pub(super) rows: Vec<RowHead>,
    facts: ChunkFacts,
    pub(super) columns: Option<Columns>,
    /// Rows that could not be read, in input order.
    pub(super) errors: Vec<RowError>,
}

impl Chunk {
    /// A chunk of typed rows (for a [`Source`] of the caller's own): their
    /// facts go into `plan`'s columns when there is a plan.
    pub fn of_rows(plan: Option<&Plan>, rows: Vec<Row>, errors: Vec<RowError>) -> Chunk {
        let heads = rows
            .iter()
            .map(|r| RowHead::named(r.line, &r.facts))
            .collect();
        let facts = rows.into_iter().map(|r| r.facts).collect();
        Chunk::typed(plan, heads, facts, errors)
    }

    /// A chunk of rows whose facts are typed.
    pub(super) fn typed(
        plan: Option<&Plan>,
        rows: Vec<RowHead>,
        facts: Vec<Facts>,
        errors: Vec<RowError>,
    ) -> Chunk {
        let columns = plan.map(|plan| {
            let mut columns = Columns::new(plan);
            for f in &facts {
                let r = columns.push_row();
                for (slot, fact) in plan.facts().iter().enumerate() {
                    if let Some(v) = f.get(fact.id) {
                        columns.set_value(plan, slot, r, v);
                    }
                }
            }
            columns
        });
        Chunk {
            rows,
            facts: ChunkFacts::Typed(facts),
            columns,
            errors,
        }
    }

    /// A chunk of CSV records, with their columns as the plan reads them.
    pub(super) fn csv(
        rows: Vec<RowHead>,
        header: (Vec<Column>, String),
        records: Records,
        columns: Option<Columns>,
        errors: Vec<RowError>,
    ) -> Chunk {
        Chunk {
            rows,
            facts: ChunkFacts::Csv(header.0, header.1, records),
            columns,
            errors,
        }
    }

    /// Rows read (not counting those that could not be).
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether no row was read.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// One fact of row `i`, as read: `None` when the row does not give it.
    /// Only that cell is typed (a first-come budget's filing order needs
    /// one fact of every row, not the row's whole facts).
    pub(super) fn fact(&self, policy: &Policy, i: usize, id: FactId) -> Option<Value> {
        match &self.facts {
            ChunkFacts::Typed(f) => f.get(i)?.get(id).cloned(),
            ChunkFacts::Csv(columns, name, records) => {
                let line = self.rows.get(i)?.line;
                let record = records.get(i)?;
                columns
                    .iter()
                    .zip(record.iter())
                    .find_map(|(c, cell)| match c {
                        Column::Fact(f, column, unit) if *f == id => {
                            // The cell was read once already: it reads again.
                            super::csv::cell_value(policy, name, line, (column, *unit), cell)
                                .ok()
                                .flatten()
                        }
                        _ => None,
                    })
            }
        }
    }

    /// Row `i`'s facts, for the interpreter.
    pub(super) fn facts(
        &self,
        policy: &Policy,
        i: usize,
    ) -> Option<Result<Cow<'_, Facts>, RowError>> {
        match &self.facts {
            ChunkFacts::Typed(f) => f.get(i).map(|f| Ok(Cow::Borrowed(f))),
            ChunkFacts::Csv(columns, name, records) => {
                let line = self.rows.get(i)?.line;
                let record = records.get(i)?;
                Some(super::csv::record_facts(policy, name, columns, &record, line).map(Cow::Owned))
            }
        }
    }
}

/// Facts already typed, in memory: `Facts` in input order, numbered from 1.
pub struct Typed<'p, I> {
    policy: &'p Policy,
    rows: I,
    line: u64,
}

impl<'p, I: Iterator<Item = Facts> + Send> Typed<'p, I> {
    /// A source of `rows`, typed by `policy`.
    pub fn new(policy: &'p Policy, rows: impl IntoIterator<IntoIter = I>) -> Self {
        Typed {
            policy,
            rows: rows.into_iter(),
            line: 0,
        }
    }
}

impl<'p, I: Iterator<Item = Facts> + Send> Source<'p> for Typed<'p, I> {
    fn policy(&self) -> &'p Policy {
        self.policy
    }

    fn next_chunk(&mut self, plan: Option<&Plan>, max: usize) -> Option<Chunk> {
        let mut heads = Vec::new();
        let mut facts = Vec::new();
        for f in self.rows.by_ref().take(max) {
            self.line += 1;
            heads.push(RowHead::named(self.line, &f));
            facts.push(f);
        }
        (!heads.is_empty()).then(|| Chunk::typed(plan, heads, facts, Vec::new()))
    }
}

/// A facts document (a JSON line, a facts file) as a row: its key fields
/// taken out, its facts typed. The row is named `row N` unless `own_name`.
fn document_row(
    policy: &Policy,
    options: &ReadOptions,
    line: u64,
    source: &SourceFile,
    format: Format,
    own_name: bool,
) -> Result<(RowHead, Facts), RowError> {
    let reject = |diagnostics| RowError { line, diagnostics };
    let entries = crate::facts::read_entries(source, format).map_err(|d| reject(vec![d]))?;
    let keys = options
        .keys
        .iter()
        .map(|k| key_field(source, &entries, k))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|d| reject(vec![d]))?;
    let (mut facts, warnings) = crate::facts::from_entries(policy, source, entries, &options.keys)
        .map_err(|d| reject(d.0))?;
    let name = own_name.then(|| facts.name.clone());
    if !own_name {
        facts.name = format!("row {line}");
    }
    let head = RowHead {
        line,
        name,
        keys,
        warnings,
    };
    Ok((head, facts))
}

/// A key field's value as text.
fn key_field(
    source: &SourceFile,
    entries: &[(String, Raw)],
    key: &str,
) -> Result<String, Diagnostic> {
    let found = entries.iter().find(|(k, _)| k == key).map(|(_, v)| v);
    match found {
        Some(Raw::Str(s)) => Ok(s.clone()),
        Some(Raw::Number(n) | Raw::InexactFloat(n)) => Ok(n.clone()),
        Some(Raw::Bool(b)) => Ok(b.to_string()),
        Some(Raw::List(_) | Raw::Table(_)) => Err(Diagnostic::error(
            Code::Facts,
            format!("{}: the key `{key}` is not a single value", source.name),
        )
        .help("a key passes through to the output as one cell: a text or a number")),
        Some(Raw::Null) | None => {
            let d = Diagnostic::error(
                Code::Facts,
                format!("{}: no key `{key}` (asked for with --key)", source.name),
            );
            let names = entries.iter().map(|(k, _)| k.as_str());
            Err(match crate::check::suggest(key, names) {
                Some(b) => d.help(format!("did you mean `{b}`?")),
                None => d.help("every row must give each key"),
            })
        }
    }
}

/// One JSON object of facts per line; blank lines are skipped.
pub struct JsonLines<'p, R> {
    policy: &'p Policy,
    options: ReadOptions,
    reader: R,
    line: u64,
    bytes: u64,
}

impl<'p, R: BufRead + Send> JsonLines<'p, R> {
    /// A reader of `input` for `policy`.
    pub fn new(policy: &'p Policy, input: R, options: ReadOptions) -> Self {
        JsonLines {
            policy,
            options,
            reader: input,
            line: 0,
            bytes: 0,
        }
    }

    /// The next non-blank line with its number; `None` at the end.
    fn next_line(&mut self) -> Option<Result<(u64, String), RowError>> {
        let mut buf = String::new();
        loop {
            buf.clear();
            match self.reader.read_line(&mut buf) {
                Ok(0) => return None,
                Err(e) => {
                    self.line += 1;
                    let message =
                        format!("{}:{}: unreadable line: {e}", self.options.name, self.line);
                    return Some(Err(RowError {
                        line: self.line,
                        diagnostics: vec![Diagnostic::error(Code::Facts, message)],
                    }));
                }
                Ok(n) => {
                    self.line += 1;
                    self.bytes += n as u64;
                    if !buf.trim().is_empty() {
                        return Some(Ok((self.line, buf)));
                    }
                }
            }
        }
    }
}

impl<'p, R: BufRead + Send> Source<'p> for JsonLines<'p, R> {
    fn policy(&self) -> &'p Policy {
        self.policy
    }

    fn next_chunk(&mut self, plan: Option<&Plan>, max: usize) -> Option<Chunk> {
        // Lines are read in order, then parsed on every core (the facts
        // reader is most of a JSON Lines run), then taken in input order.
        let raw: Vec<_> = std::iter::from_fn(|| self.next_line()).take(max).collect();
        if raw.is_empty() {
            return None;
        }
        let (policy, options) = (self.policy, &self.options);
        let parsed: Vec<Result<(RowHead, Facts), RowError>> = raw
            .into_par_iter()
            .map(|x| {
                let (line, text) = x?;
                let source = SourceFile::new(format!("{}:{line}", options.name), text);
                document_row(policy, options, line, &source, Format::Json, false)
            })
            .collect();
        Some(gather(plan, parsed))
    }

    fn bytes_read(&self) -> u64 {
        self.bytes
    }
}

/// Rows and rejected rows, in input order, as a chunk.
fn gather(plan: Option<&Plan>, parsed: Vec<Result<(RowHead, Facts), RowError>>) -> Chunk {
    let (mut heads, mut facts, mut errors) = (Vec::new(), Vec::new(), Vec::new());
    for row in parsed {
        match row {
            Ok((h, f)) => {
                heads.push(h);
                facts.push(f);
            }
            Err(e) => errors.push(e),
        }
    }
    Chunk::typed(plan, heads, facts, errors)
}

/// Facts files, one enterprise each, in the order the host gives them
/// (a folder in name order, or one file): each is read in the format its
/// name says, and named after the file. The host reads the files: a file
/// it could not read is a diagnostic, and that row is rejected.
pub struct Files<'p, I> {
    policy: &'p Policy,
    options: ReadOptions,
    files: I,
    line: u64,
}

impl<'p, I: Iterator<Item = Result<SourceFile, Diagnostic>> + Send> Files<'p, I> {
    /// A source of the facts files `files`, for `policy`.
    pub fn new(policy: &'p Policy, files: I, options: ReadOptions) -> Self {
        Files {
            policy,
            options,
            files,
            line: 0,
        }
    }
}

impl<'p, I: Iterator<Item = Result<SourceFile, Diagnostic>> + Send> Source<'p> for Files<'p, I> {
    fn policy(&self) -> &'p Policy {
        self.policy
    }

    fn next_chunk(&mut self, plan: Option<&Plan>, max: usize) -> Option<Chunk> {
        let mut files = Vec::new();
        for f in self.files.by_ref().take(max) {
            self.line += 1;
            files.push((self.line, f));
        }
        if files.is_empty() {
            return None;
        }
        let (policy, options) = (self.policy, &self.options);
        let parsed = files
            .into_par_iter()
            .map(|(line, file)| {
                let source = file.map_err(|d| RowError {
                    line,
                    diagnostics: vec![d],
                })?;
                let format = crate::facts::format_of(&source).map_err(|d| RowError {
                    line,
                    diagnostics: vec![d],
                })?;
                document_row(policy, options, line, &source, format, true)
            })
            .collect();
        Some(gather(plan, parsed))
    }
}

/// What kind of population a path holds, by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// `.csv`: a header of fact names, one row per enterprise.
    Csv,
    /// `.jsonl` / `.ndjson`: one JSON object of facts per line.
    JsonLines,
    /// `.json`, `.toml`, `.yaml`, `.yml`: one enterprise's facts file.
    FactsFile,
}

impl Input {
    /// The kind a file name says; `None` for any other name (a folder is
    /// the caller's to recognise).
    pub fn from_path(path: &str) -> Option<Input> {
        let ext = std::path::Path::new(path)
            .extension()?
            .to_string_lossy()
            .to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(Input::Csv),
            "jsonl" | "ndjson" => Some(Input::JsonLines),
            _ => Format::from_path(path).map(|_| Input::FactsFile),
        }
    }
}
