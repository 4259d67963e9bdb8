//! The CSV source: a header of fact names (and key columns), then one row
//! per enterprise. Plain numbers go straight into the plan's fixed-point
//! columns (no `Decimal`, no grammar); every other cell is read by
//! [`crate::facts::parse_text_value`], the one reader of values written as
//! text.

use std::io::BufRead;

use super::RowError;
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

/// Comma-separated values with a header of fact names.
pub struct Csv<'p, R> {
    policy: &'p Policy,
    name: String,
    reader: ::csv::Reader<R>,
    columns: Vec<Column>,
    /// For each key asked for, its column and name.
    keys: Vec<(usize, String)>,
    /// With record columns: the enterprises read so far, one per run of
    /// rows with the same key (see `super::grouped`).
    groups: Option<super::grouped::Groups>,
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
        input: R,
        options: &ReadOptions,
    ) -> Result<(Self, Vec<Diagnostic>), Diagnostics> {
        let mut reader = ::csv::ReaderBuilder::new()
            .flexible(false)
            .from_reader(input);
        let header = reader.headers().map_err(|e| {
            Diagnostics::from(Diagnostic::error(
                Code::Facts,
                format!("{}:1: unreadable header: {e}", options.name),
            ))
        })?;
        let names: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
        let header = Header::new(&options.name, names);
        let (columns, warnings) = header.columns(policy, options)?;
        let keys = header.keys(&options.keys)?;
        let groups = super::grouped::Groups::for_columns(&columns, &keys, &header.source)?;
        let csv = Csv {
            policy,
            name: options.name.clone(),
            reader,
            columns,
            keys,
            groups,
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
        let slots = slots(&self.columns, plan);
        let mut cols = plan.map(Columns::new);
        let (mut heads, mut records, mut errors) = (Vec::new(), Vec::new(), Vec::new());
        let mut record = ::csv::ByteRecord::new();
        while heads.len() < max {
            let line = self.reader.position().line();
            match self.reader.read_byte_record(&mut record) {
                Ok(false) => break,
                Err(e) => errors.push(self.unreadable(line, &e)),
                Ok(true) => {
                    let line = record.position().map_or(line, |p| p.line());
                    let row = cols.as_mut().map(Columns::push_row);
                    let read = self.keys_of(&record, line).and_then(|keys| {
                        let target = cols.as_mut().zip(row);
                        read_cells(
                            self.policy,
                            &self.name,
                            plan,
                            &self.columns,
                            &slots,
                            &record,
                            line,
                            target,
                        )
                        .map(|warnings| (keys, warnings))
                    });
                    match read {
                        Ok((keys, warnings)) => {
                            heads.push(RowHead {
                                keys,
                                warnings,
                                ..RowHead::at(line)
                            });
                            records.push(record.clone());
                        }
                        Err(e) => {
                            if let (Some(c), Some(r)) = (cols.as_mut(), row) {
                                c.truncate(r);
                            }
                            errors.push(e);
                        }
                    }
                }
            }
        }
        if heads.is_empty() && errors.is_empty() {
            return None;
        }
        let header = (self.columns.clone(), self.name.clone());
        Some(Chunk::csv(heads, header, records, cols, errors))
    }

    fn bytes_read(&self) -> u64 {
        self.reader.position().byte()
    }
}

impl<R: BufRead> Csv<'_, R> {
    /// The next record with its line, `None` at the end.
    pub(super) fn next_record(&mut self) -> Option<Result<(::csv::ByteRecord, u64), RowError>> {
        let mut record = ::csv::ByteRecord::new();
        let line = self.reader.position().line();
        match self.reader.read_byte_record(&mut record) {
            Ok(false) => None,
            Err(e) => Some(Err(self.unreadable(line, &e))),
            Ok(true) => {
                let line = record.position().map_or(line, |p| p.line());
                Some(Ok((record, line)))
            }
        }
    }

    /// The policy, the input's name, and the columns.
    pub(super) fn parts(&self) -> (&Policy, &str, &[Column]) {
        (self.policy, &self.name, &self.columns)
    }

    /// The state of the grouped reading, taken out while a chunk is read.
    pub(super) fn groups_mut(&mut self) -> &mut Option<super::grouped::Groups> {
        &mut self.groups
    }

    fn unreadable(&self, line: u64, e: &::csv::Error) -> RowError {
        let line = e.position().map_or(line, |p| p.line());
        RowError {
            line,
            diagnostics: vec![Diagnostic::error(
                Code::Facts,
                format!("{}:{line}: unreadable row: {e}", self.name),
            )],
        }
    }

    /// A record's key cells, as text.
    pub(super) fn keys_of(
        &self,
        record: &::csv::ByteRecord,
        line: u64,
    ) -> Result<Vec<String>, RowError> {
        self.keys
            .iter()
            .map(|(i, key)| {
                let cell = record.get(*i).unwrap_or_default();
                std::str::from_utf8(cell.trim_ascii())
                    .map(str::to_string)
                    .map_err(|_| {
                        cell_error(
                            &self.name,
                            line,
                            key,
                            "the cell is not UTF-8 text".into(),
                            None,
                        )
                    })
            })
            .collect()
    }
}

/// Each column's plan slot and scale (`None`: the plan does not read it,
/// or reads it through the facts reader), found once per chunk.
fn slots(columns: &[Column], plan: Option<&Plan>) -> Vec<Option<(usize, u32)>> {
    columns
        .iter()
        .map(|c| match (c, plan) {
            // A condition's cell is never a plain number, nor is a value
            // of an enumeration's or a set's (stored by index, as a bitset).
            (Column::Fact(id, _, unit), Some(plan)) if *unit != Unit::Bool => {
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
#[allow(clippy::too_many_arguments)] // one record's cells, read one way: no state worth a type
fn read_cells(
    policy: &Policy,
    input: &str,
    plan: Option<&Plan>,
    columns: &[Column],
    slots: &[Option<(usize, u32)>],
    record: &::csv::ByteRecord,
    line: u64,
    mut target: Option<(&mut Columns, usize)>,
) -> Result<Vec<Diagnostic>, RowError> {
    let mut warnings = Vec::new();
    for ((col, slot), cell) in columns.iter().zip(slots).zip(record.iter()) {
        let Column::Fact(id, name, unit) = col else {
            continue;
        };
        if *unit == Unit::Rate {
            warnings.extend(rate_doubt(input, line, name, cell));
        }
        if let (Some((slot, scale)), Some((cols, row))) = (slot, target.as_mut()) {
            if let Some(v) = crate::plan::parse_plain(cell.trim_ascii(), *scale) {
                cols.set_fixed(*slot, *row, v);
                continue;
            }
        }
        let value = cell_value(policy, input, line, (name, *unit), cell)?;
        if let (Some(v), Some((cols, row)), Some(plan)) = (value, target.as_mut(), plan) {
            if let Some(slot) = plan.facts().iter().position(|f| f.id == *id) {
                cols.set_value(plan, slot, *row, &v);
            }
        }
    }
    Ok(warnings)
}

/// The warning for a rate cell that is a bare number above 1, if it is one.
pub(super) fn rate_doubt(input: &str, line: u64, column: &str, cell: &[u8]) -> Option<Diagnostic> {
    if cell.contains(&b'%') {
        return None;
    }
    let text = std::str::from_utf8(cell).ok()?;
    let d = crate::facts::doubt(Unit::Rate, &crate::facts::Raw::Str(text.to_string()))?;
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
    record: &::csv::ByteRecord,
    line: u64,
) -> Result<Facts, RowError> {
    let mut facts = Facts::new(format!("row {line}"));
    for (col, cell) in columns.iter().zip(record.iter()) {
        if let Column::Fact(id, name, unit) = col {
            if let Some(v) = cell_value(policy, input, line, (name, *unit), cell)? {
                facts.set(*id, v);
            }
        }
    }
    Ok(facts)
}
