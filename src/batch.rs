//! Population runs: a policy over a whole enterprise register, streamed.
//!
//! Rows come from CSV (header = fact names) or JSON Lines, are typed by the
//! policy's declarations ([`RowReader`]), evaluated in parallel in chunks —
//! through the compiled [`crate::plan::Plan`] where it applies, the
//! interpreter otherwise — and written in input order ([`RowWriter`]). A
//! row that cannot be read is reported with its line number and skipped,
//! never silently dropped. [`Summary`] accumulates per item counts, totals,
//! min/median/max and the causes of undetermined results.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};

use rayon::prelude::*;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::check::{FactId, Policy};
use crate::eval::{Cause, Evaluation, Facts, Options, Status};
use crate::facts::{Raw, convert};
use crate::plan::{Columns, Outcomes, Plan};
use crate::value::Value;

/// A row of the population that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// 1-based line of the input file.
    pub line: u64,
    /// What is wrong with it.
    pub message: String,
}

/// One enterprise of the population.
#[derive(Debug, Clone)]
pub struct Row {
    /// 1-based line of the input file.
    pub line: u64,
    /// Its facts.
    pub facts: Facts,
}

/// The format of a population file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowFormat {
    /// Comma-separated values with a header of fact names.
    Csv,
    /// One JSON object per line.
    JsonLines,
}

impl RowFormat {
    /// The format a file name says (`.csv`, `.jsonl`/`.ndjson`).
    pub fn from_path(path: &str) -> Option<RowFormat> {
        let lower = path.to_ascii_lowercase();
        if lower.ends_with(".csv") {
            Some(RowFormat::Csv)
        } else if lower.ends_with(".jsonl") || lower.ends_with(".ndjson") {
            Some(RowFormat::JsonLines)
        } else {
            None
        }
    }
}

/// Reads rows from a population file, one at a time or a chunk at a time.
pub struct RowReader<'p, R: BufRead> {
    policy: &'p Policy,
    inner: Inner<R>,
}

enum Inner<R: BufRead> {
    Csv {
        reader: csv::Reader<R>,
        columns: Vec<Column>,
        record: csv::ByteRecord,
    },
    Json {
        reader: R,
        line: u64,
        buf: String,
    },
}

/// A CSV column: a fact's name and unit, or a column to ignore.
#[derive(Debug, Clone)]
enum Column {
    Fact(FactId, String, crate::value::Unit),
    Ignored,
}

/// A chunk of rows, read and typed: the plan's fixed-point columns (when
/// there is a plan) and, for rows the interpreter must take, their facts.
pub struct Chunk {
    lines: Vec<u64>,
    facts: ChunkFacts,
    columns: Option<Columns>,
    /// Rows that could not be read, with their lines.
    pub errors: Vec<RowError>,
}

enum ChunkFacts {
    /// Typed facts of every row (JSON Lines).
    Typed(Vec<Facts>),
    /// CSV records, typed again only for rows the plan does not decide.
    Csv(Vec<Column>, Vec<csv::ByteRecord>),
}

impl Chunk {
    /// Rows read.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether no row was read.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

impl<'p, R: BufRead> RowReader<'p, R> {
    /// A reader of `input` in `format`. For CSV the header is read at once;
    /// columns that name no fact are ignored, except that a header naming
    /// nothing at all is an error.
    pub fn new(policy: &'p Policy, input: R, format: RowFormat) -> Result<Self, RowError> {
        let inner = match format {
            RowFormat::Csv => {
                let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(input);
                let header = reader
                    .headers()
                    .map_err(|e| RowError {
                        line: 1,
                        message: format!("unreadable header: {e}"),
                    })?
                    .clone();
                let columns: Vec<Column> = header
                    .iter()
                    .map(|name| match policy.fact_named(name.trim()) {
                        Some((i, f)) => Column::Fact(i, f.name.clone(), f.unit),
                        None => Column::Ignored,
                    })
                    .collect();
                if !columns.iter().any(|c| matches!(c, Column::Fact(..))) {
                    return Err(RowError {
                        line: 1,
                        message: "the header names no fact of the policy".into(),
                    });
                }
                Inner::Csv {
                    reader,
                    columns,
                    record: csv::ByteRecord::new(),
                }
            }
            RowFormat::JsonLines => Inner::Json {
                reader: input,
                line: 0,
                buf: String::new(),
            },
        };
        Ok(RowReader { policy, inner })
    }

    /// The next row, `None` at the end.
    pub fn next_row(&mut self) -> Option<Result<Row, RowError>> {
        let policy = self.policy;
        match &mut self.inner {
            Inner::Csv {
                reader,
                columns,
                record,
            } => {
                let line = reader.position().line();
                match reader.read_byte_record(record) {
                    Ok(false) => None,
                    Err(e) => Some(Err(unreadable(line, &e))),
                    Ok(true) => {
                        let line = record.position().map_or(line, |p| p.line());
                        Some(
                            record_facts(policy, columns, record, line)
                                .map(|facts| Row { line, facts }),
                        )
                    }
                }
            }
            Inner::Json { .. } => {
                let (line, text) = match self.next_json_line()? {
                    Ok(x) => x,
                    Err(e) => return Some(Err(e)),
                };
                Some(json_row(policy, line, &text))
            }
        }
    }

    /// The next non-blank line of a JSON Lines input, with its number;
    /// `None` at the end. Reading is sequential; parsing it is not.
    fn next_json_line(&mut self) -> Option<Result<(u64, String), RowError>> {
        let Inner::Json { reader, line, buf } = &mut self.inner else {
            return None;
        };
        loop {
            buf.clear();
            match reader.read_line(buf) {
                Ok(0) => return None,
                Err(e) => {
                    *line += 1;
                    return Some(Err(RowError {
                        line: *line,
                        message: format!("unreadable line: {e}"),
                    }));
                }
                Ok(_) => {
                    *line += 1;
                    if buf.trim().is_empty() {
                        continue;
                    }
                    return Some(Ok((*line, buf.clone())));
                }
            }
        }
    }

    /// Up to `max` rows, typed for `plan` (CSV cells are parsed straight
    /// into its fixed-point columns); `None` at the end. Unreadable rows
    /// are in the chunk's `errors`, not its rows.
    pub fn next_chunk(&mut self, plan: Option<&Plan>, max: usize) -> Option<Chunk> {
        let policy = self.policy;
        let mut lines = Vec::new();
        let mut errors = Vec::new();
        let mut cols = plan.map(Columns::new);
        let facts = match &mut self.inner {
            Inner::Csv {
                reader, columns, ..
            } => {
                // Each column's plan slot and scale, found once.
                let slots: Vec<Option<(usize, u32)>> = columns
                    .iter()
                    .map(|c| match (c, plan) {
                        (Column::Fact(id, _, unit), Some(plan))
                            if *unit != crate::value::Unit::Bool =>
                        {
                            plan.facts()
                                .iter()
                                .position(|f| f.id == *id)
                                .and_then(|i| Some((i, plan.facts().get(i)?.scale)))
                        }
                        _ => None,
                    })
                    .collect();
                let mut records = Vec::new();
                let mut record = csv::ByteRecord::new();
                while lines.len() < max {
                    let line = reader.position().line();
                    match reader.read_byte_record(&mut record) {
                        Ok(false) => break,
                        Err(e) => errors.push(unreadable(line, &e)),
                        Ok(true) => {
                            let line = record.position().map_or(line, |p| p.line());
                            let row = cols.as_mut().map(Columns::push_row);
                            match read_cells(
                                policy,
                                plan,
                                columns,
                                &slots,
                                &record,
                                cols.as_mut().zip(row),
                            ) {
                                Ok(()) => {
                                    lines.push(line);
                                    records.push(record.clone());
                                }
                                Err(message) => {
                                    if let (Some(c), Some(r)) = (cols.as_mut(), row) {
                                        c.truncate(r);
                                    }
                                    errors.push(RowError { line, message });
                                }
                            }
                        }
                    }
                }
                ChunkFacts::Csv(columns.clone(), records)
            }
            Inner::Json { .. } => {
                // Lines are read in order, then parsed on every core (the
                // facts reader is most of a JSON Lines run), then taken in
                // input order again.
                let mut raw = Vec::new();
                while raw.len() < max {
                    match self.next_json_line() {
                        None => break,
                        Some(x) => raw.push(x),
                    }
                }
                let parsed: Vec<Result<Row, RowError>> = raw
                    .into_par_iter()
                    .map(|x| x.and_then(|(line, text)| json_row(policy, line, &text)))
                    .collect();
                let mut typed = Vec::new();
                for row in parsed {
                    match row {
                        Err(e) => errors.push(e),
                        Ok(row) => {
                            if let (Some(c), Some(plan)) = (cols.as_mut(), plan) {
                                let r = c.push_row();
                                for (slot, f) in plan.facts().iter().enumerate() {
                                    if let Some(v) = row.facts.get(f.id) {
                                        c.set_value(plan, slot, r, v);
                                    }
                                }
                            }
                            lines.push(row.line);
                            typed.push(row.facts);
                        }
                    }
                }
                ChunkFacts::Typed(typed)
            }
        };
        if lines.is_empty() && errors.is_empty() {
            return None;
        }
        Some(Chunk {
            lines,
            facts,
            columns: cols,
            errors,
        })
    }
}

fn unreadable(line: u64, e: &csv::Error) -> RowError {
    let line = e.position().map_or(line, |p| p.line());
    RowError {
        line,
        message: format!("unreadable row: {e}"),
    }
}

/// One CSV cell as a fact value; `None` for an empty cell.
fn cell_value(
    policy: &Policy,
    name: &str,
    unit: crate::value::Unit,
    cell: &[u8],
) -> Result<Option<Value>, String> {
    let cell = cell.trim_ascii();
    if cell.is_empty() {
        return Ok(None);
    }
    let text = std::str::from_utf8(cell)
        .map_err(|_| format!("column `{name}`: the cell is not UTF-8 text"))?;
    let raw = match text {
        "true" | "TRUE" | "True" => Raw::Bool(true),
        "false" | "FALSE" | "False" => Raw::Bool(false),
        c => Raw::Str(c.to_string()),
    };
    convert(policy, unit, &raw).map_err(|why| format!("column `{name}`: {why}"))
}

/// Reads a record's cells into a row of the plan's columns: plain numbers
/// straight to fixed point, anything else through the facts reader, which
/// also checks the cells the plan does not use.
fn read_cells(
    policy: &Policy,
    plan: Option<&Plan>,
    columns: &[Column],
    slots: &[Option<(usize, u32)>],
    record: &csv::ByteRecord,
    mut target: Option<(&mut Columns, usize)>,
) -> Result<(), String> {
    for ((col, slot), cell) in columns.iter().zip(slots).zip(record.iter()) {
        let Column::Fact(id, name, unit) = col else {
            continue;
        };
        if let (Some((slot, scale)), Some((cols, row))) = (slot, target.as_mut()) {
            if let Some(v) = crate::plan::parse_plain(cell.trim_ascii(), *scale) {
                cols.set_fixed(*slot, *row, v);
                continue;
            }
        }
        let value = cell_value(policy, name, *unit, cell)?;
        if let (Some(v), Some((cols, row)), Some(plan)) = (value, target.as_mut(), plan) {
            if let Some(slot) = plan.facts().iter().position(|f| f.id == *id) {
                cols.set_value(plan, slot, *row, &v);
            }
        }
    }
    Ok(())
}

/// A record's facts, typed by the policy.
fn record_facts(
    policy: &Policy,
    columns: &[Column],
    record: &csv::ByteRecord,
    line: u64,
) -> Result<Facts, RowError> {
    let mut facts = Facts::new(format!("row {line}"));
    for (col, cell) in columns.iter().zip(record.iter()) {
        let Column::Fact(id, name, unit) = col else {
            continue;
        };
        match cell_value(policy, name, *unit, cell) {
            Ok(Some(v)) => facts.set(*id, v),
            Ok(None) => {}
            Err(message) => return Err(RowError { line, message }),
        }
    }
    Ok(facts)
}

fn json_row(policy: &Policy, line: u64, text: &str) -> Result<Row, RowError> {
    let source = crate::span::SourceFile::new(format!("line {line}.json"), text);
    match crate::facts::load(policy, &source) {
        Ok((mut facts, _)) => {
            facts.name = format!("row {line}");
            Ok(Row { line, facts })
        }
        Err(d) => Err(RowError {
            line,
            message: d
                .iter()
                .map(|x| x.message.clone())
                .collect::<Vec<_>>()
                .join("; "),
        }),
    }
}

/// What one item came to for one enterprise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemOutcome {
    /// Status.
    pub status: Status,
    /// Least amount (monetary items granted), in yuan.
    pub min: Option<Decimal>,
    /// Greatest amount; differs from `min` for a discretionary range.
    pub max: Option<Decimal>,
    /// Why undetermined (names), empty otherwise.
    pub causes: Vec<Cause>,
}

/// What the policy came to for one enterprise, item by item in the
/// policy's item order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowResult {
    /// Input line.
    pub line: u64,
    /// One outcome per item of the policy, in `Policy::items` order.
    pub items: Vec<ItemOutcome>,
    /// Total of the monetary items granted.
    pub total_min: Decimal,
    /// Greatest total.
    pub total_max: Decimal,
    /// Whether the evaluation failed somewhere (overflow …).
    pub failed: bool,
}

impl RowResult {
    /// A row whose every item failed.
    pub fn failed(policy: &Policy, line: u64) -> RowResult {
        RowResult {
            line,
            items: policy
                .items
                .iter()
                .map(|_| ItemOutcome {
                    status: Status::Error,
                    min: None,
                    max: None,
                    causes: Vec::new(),
                })
                .collect(),
            total_min: Decimal::ZERO,
            total_max: Decimal::ZERO,
            failed: true,
        }
    }

    /// From a full evaluation by the interpreter.
    pub fn from_evaluation(policy: &Policy, line: u64, e: &Evaluation) -> RowResult {
        let mut items = Vec::with_capacity(policy.items.len());
        for info in &policy.items {
            let r = e.item(info.name());
            items.push(match r {
                Some(r) => {
                    let (min, max) = match (r.amount, r.range) {
                        (Some(a), _) => (Some(a), Some(a)),
                        (None, Some(x)) => (Some(x.min), Some(x.max)),
                        _ => (None, None),
                    };
                    ItemOutcome {
                        status: r.status,
                        min,
                        max,
                        causes: r.undetermined_by.clone(),
                    }
                }
                None => ItemOutcome {
                    status: Status::Error,
                    min: None,
                    max: None,
                    causes: Vec::new(),
                },
            });
        }
        RowResult {
            line,
            items,
            total_min: e.total.min,
            total_max: e.total.max,
            failed: !e.errors.is_empty(),
        }
    }
}

/// Runs the plan over rows of typed facts; `None` for each row the
/// interpreter must take.
pub fn plan_rows(plan: &Plan, rows: &[Row]) -> Vec<Option<RowResult>> {
    let mut columns = Columns::new(plan);
    for row in rows {
        let r = columns.push_row();
        for (slot, f) in plan.facts().iter().enumerate() {
            if let Some(v) = row.facts.get(f.id) {
                columns.set_value(plan, slot, r, v);
            }
        }
    }
    let out = plan.run(&columns);
    rows.iter()
        .enumerate()
        .map(|(i, r)| plan_row(plan, &out, i, r.line))
        .collect()
}

/// A row the plan decided, as a [`RowResult`]; `None` when the
/// interpreter must take it.
fn plan_row(plan: &Plan, out: &Outcomes, row: usize, line: u64) -> Option<RowResult> {
    if !out.decided(row) {
        return None;
    }
    let items = (0..plan.item_count())
        .map(|item| {
            let amount = out.amount(plan, row, item);
            Some(ItemOutcome {
                status: out.status(row, item)?,
                min: amount,
                max: amount,
                causes: Vec::new(),
            })
        })
        .collect::<Option<Vec<_>>>()?;
    let total = out.total(plan, row)?;
    Some(RowResult {
        line,
        items,
        total_min: total,
        total_max: total,
        failed: false,
    })
}

/// Evaluates rows of typed facts on every core, in input order: through
/// the plan where it can decide a row, through the interpreter otherwise.
pub fn evaluate_chunk(
    policy: &Policy,
    plan: Option<&Plan>,
    rows: &[Row],
    options: &Options,
) -> Vec<RowResult> {
    let fast: Vec<Option<RowResult>> = match plan {
        Some(plan) => plan_rows(plan, rows),
        None => vec![None; rows.len()],
    };
    rows.par_iter()
        .zip(fast.into_par_iter())
        .map(|(row, fast)| {
            fast.unwrap_or_else(|| {
                let e = crate::evaluate(policy, &row.facts, options);
                RowResult::from_evaluation(policy, row.line, &e)
            })
        })
        .collect()
}

/// A chunk's results: the plan's columns, and the interpreter's results
/// for the rows the plan left to it.
pub struct Evaluated<'a> {
    plan: Option<&'a Plan>,
    outcomes: Option<Outcomes>,
    rows: Vec<Slot>,
    lines: Vec<u64>,
}

/// Who decided one row of an [`Evaluated`] chunk: exactly one of the two,
/// so a row can be neither dropped nor counted twice.
enum Slot {
    /// The plan, with the row's total (taken when the row was decided, so a
    /// row whose total cannot be had goes to the interpreter instead).
    Plan(Decimal),
    /// The interpreter.
    Full(RowResult),
}

impl Evaluated<'_> {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Row `i`'s results; `None` only when `i` is out of range.
    pub fn row(&self, i: usize) -> Option<RowView<'_>> {
        let line = *self.lines.get(i)?;
        match self.rows.get(i)? {
            Slot::Full(r) => Some(RowView::Full(r)),
            Slot::Plan(total) => Some(RowView::Plan {
                plan: self.plan?,
                outcomes: self.outcomes.as_ref()?,
                row: i,
                line,
                total: *total,
            }),
        }
    }

    /// Every row's results, in input order.
    pub fn rows(&self) -> impl Iterator<Item = RowView<'_>> {
        (0..self.len()).filter_map(|i| self.row(i))
    }
}

/// Evaluates a chunk on every core: the plan over its columns, then the
/// interpreter for the rows the plan did not decide.
pub fn evaluate<'a>(
    policy: &Policy,
    plan: Option<&'a Plan>,
    chunk: &Chunk,
    options: &Options,
) -> Evaluated<'a> {
    let outcomes = plan.zip(chunk.columns.as_ref()).map(|(p, c)| p.run(c));
    let rows = (0..chunk.len())
        .into_par_iter()
        .map(|i| {
            let decided = plan
                .zip(outcomes.as_ref())
                .filter(|(_, o)| o.decided(i))
                .and_then(|(p, o)| o.total(p, i));
            if let Some(total) = decided {
                return Slot::Plan(total);
            }
            let line = chunk.lines.get(i).copied().unwrap_or(0);
            let facts = match &chunk.facts {
                ChunkFacts::Typed(f) => f.get(i).cloned().map(Ok),
                ChunkFacts::Csv(columns, records) => records
                    .get(i)
                    .map(|r| record_facts(policy, columns, r, line)),
            };
            Slot::Full(match facts {
                Some(Ok(facts)) => {
                    let e = crate::evaluate(policy, &facts, options);
                    RowResult::from_evaluation(policy, line, &e)
                }
                // The row was read once already; reading it again cannot
                // fail, but if it did the row is an error, not dropped.
                _ => RowResult::failed(policy, line),
            })
        })
        .collect();
    Evaluated {
        plan,
        outcomes,
        rows,
        lines: chunk.lines.clone(),
    }
}

/// One row's results, from the plan's columns or from the interpreter.
pub enum RowView<'a> {
    /// Decided by the plan.
    Plan {
        /// The plan.
        plan: &'a Plan,
        /// Its outcomes for the chunk.
        outcomes: &'a Outcomes,
        /// The row in the chunk.
        row: usize,
        /// The input line.
        line: u64,
        /// The row's total.
        total: Decimal,
    },
    /// Evaluated by the interpreter.
    Full(&'a RowResult),
}

/// One item's result in a [`RowView`].
pub struct ItemView<'a> {
    /// Status.
    pub status: Status,
    /// Least amount.
    pub min: Option<Decimal>,
    /// Greatest amount.
    pub max: Option<Decimal>,
    /// Why undetermined.
    pub causes: &'a [Cause],
}

impl RowView<'_> {
    /// The input line.
    pub fn line(&self) -> u64 {
        match self {
            RowView::Plan { line, .. } => *line,
            RowView::Full(r) => r.line,
        }
    }

    /// Item `i`'s result (in `Policy::items` order).
    pub fn item(&self, i: usize) -> ItemView<'_> {
        match self {
            RowView::Plan {
                plan,
                outcomes,
                row,
                ..
            } => {
                let amount = outcomes.amount(plan, *row, i);
                ItemView {
                    status: outcomes.status(*row, i).unwrap_or(Status::Error),
                    min: amount,
                    max: amount,
                    causes: &[],
                }
            }
            RowView::Full(r) => match r.items.get(i) {
                Some(o) => ItemView {
                    status: o.status,
                    min: o.min,
                    max: o.max,
                    causes: &o.causes,
                },
                None => ItemView {
                    status: Status::Error,
                    min: None,
                    max: None,
                    causes: &[],
                },
            },
        }
    }

    /// As a [`RowResult`] for `policy` (the policy the row was evaluated
    /// with).
    pub fn to_result(&self, policy: &Policy) -> RowResult {
        match self {
            RowView::Full(r) => (*r).clone(),
            RowView::Plan { .. } => {
                let (total_min, total_max) = self.total();
                RowResult {
                    line: self.line(),
                    items: (0..policy.items.len())
                        .map(|i| {
                            let o = self.item(i);
                            ItemOutcome {
                                status: o.status,
                                min: o.min,
                                max: o.max,
                                causes: o.causes.to_vec(),
                            }
                        })
                        .collect(),
                    total_min,
                    total_max,
                    failed: false,
                }
            }
        }
    }

    /// The total, least and greatest.
    pub fn total(&self) -> (Decimal, Decimal) {
        match self {
            RowView::Plan { total, .. } => (*total, *total),
            RowView::Full(r) => (r.total_min, r.total_max),
        }
    }
}

/// Writes results as CSV or JSON Lines.
pub struct RowWriter<W: Write> {
    out: W,
    json: bool,
    header_done: bool,
    names: Vec<(String, bool)>,
    /// The names as JSON strings, quoted and escaped once.
    json_names: Vec<String>,
}

impl<W: Write> RowWriter<W> {
    /// A writer for `policy`'s items; `json` for JSON Lines, else CSV.
    pub fn new(policy: &Policy, out: W, json: bool) -> Self {
        RowWriter {
            out,
            json,
            header_done: false,
            names: policy
                .items
                .iter()
                .map(|i| (i.name().to_string(), i.kind().is_monetary()))
                .collect(),
            json_names: policy
                .items
                .iter()
                .map(|i| serde_json::Value::from(i.name()).to_string())
                .collect(),
        }
    }

    /// Writes one result.
    pub fn write(&mut self, r: &RowResult) -> std::io::Result<()> {
        self.write_view(&RowView::Full(r))
    }

    /// Writes one row's results.
    pub fn write_view(&mut self, r: &RowView<'_>) -> std::io::Result<()> {
        if self.json {
            // Written piece by piece, in the layout serde_json gives a
            // `{"line", "items", "total"}` object: no map is built per row.
            // Names are quoted once (`json_names`); statuses and decimals
            // need no escaping.
            write!(self.out, "{{\"line\":{},\"items\":{{", r.line())?;
            for (i, ((_, monetary), quoted)) in self.names.iter().zip(&self.json_names).enumerate()
            {
                let o = r.item(i);
                let sep = if i == 0 { "" } else { "," };
                write!(
                    self.out,
                    "{sep}{quoted}:{{\"status\":\"{}\"",
                    o.status.as_str()
                )?;
                if *monetary {
                    match (o.min, o.max) {
                        (Some(lo), Some(hi)) if lo == hi => {
                            write!(self.out, ",\"amount\":\"{}\"", lo.normalize())?;
                        }
                        (Some(lo), Some(hi)) => write!(
                            self.out,
                            ",\"min\":\"{}\",\"max\":\"{}\"",
                            lo.normalize(),
                            hi.normalize()
                        )?,
                        _ => {}
                    }
                }
                write!(self.out, "}}")?;
            }
            let (lo, hi) = r.total();
            writeln!(
                self.out,
                "}},\"total\":{{\"min\":\"{}\",\"max\":\"{}\"}}}}",
                lo.normalize(),
                hi.normalize()
            )
        } else {
            if !self.header_done {
                let mut h = vec!["line".to_string()];
                for (name, monetary) in &self.names {
                    h.push(format!("{name}.status"));
                    if *monetary {
                        h.push(format!("{name}.min"));
                        h.push(format!("{name}.max"));
                    }
                }
                h.push("total.min".into());
                h.push("total.max".into());
                writeln!(self.out, "{}", h.join(","))?;
                self.header_done = true;
            }
            // Written cell by cell: no strings are built per row.
            write!(self.out, "{}", r.line())?;
            for (i, (_, monetary)) in self.names.iter().enumerate() {
                let o = r.item(i);
                write!(self.out, ",{}", o.status.as_str())?;
                if *monetary {
                    for d in [o.min, o.max] {
                        match d {
                            Some(d) => write!(self.out, ",{}", d.normalize())?,
                            None => write!(self.out, ",")?,
                        }
                    }
                }
            }
            let (lo, hi) = r.total();
            writeln!(self.out, ",{},{}", lo.normalize(), hi.normalize())
        }
    }

    /// Flushes the output.
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// Most distinct amounts an item's histogram keeps before it coarsens.
const MAX_DISTINCT: usize = 1 << 15;

/// Granted amounts and their counts, for the median in bounded memory:
/// exact while there are at most [`MAX_DISTINCT`] distinct amounts; past
/// that, amounts are counted in buckets of a power of ten yuan, and the
/// median is known to lie in one bucket, which the summary says.
#[derive(Debug, Clone, Default)]
struct Histogram {
    /// `None`: exact amounts. `Some(q)`: buckets `[k·q, (k+1)·q)`.
    quantum: Option<Decimal>,
    counts: BTreeMap<Decimal, u64>,
}

impl Histogram {
    fn key(&self, d: Decimal) -> Decimal {
        match self.quantum {
            None => d.normalize(),
            Some(q) => d
                .checked_div(q)
                .map(|k| (k.floor() * q).normalize())
                .unwrap_or(d),
        }
    }

    fn add(&mut self, d: Decimal) {
        *self.counts.entry(self.key(d)).or_insert(0) += 1;
        while self.counts.len() > MAX_DISTINCT {
            let q = match self.quantum {
                None => Decimal::ONE,
                Some(q) => match q.checked_mul(Decimal::TEN) {
                    Some(q) => q,
                    None => break,
                },
            };
            self.quantum = Some(q);
            let old = std::mem::take(&mut self.counts);
            for (k, c) in old {
                *self.counts.entry(self.key(k)).or_insert(0) += c;
            }
        }
    }

    /// The lower median's amount (or bucket start).
    fn median(&self) -> Option<Decimal> {
        let n: u64 = self.counts.values().sum();
        let target = n.checked_sub(1)? / 2;
        let mut seen = 0;
        for (v, c) in &self.counts {
            if seen + c > target {
                return Some(*v);
            }
            seen += c;
        }
        None
    }
}

/// One item over the population.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ItemStats {
    /// Item name.
    pub name: String,
    /// Measure number.
    pub measure: u32,
    /// Enterprises granted (met, listed).
    pub granted: u64,
    /// Enterprises ineligible (not met).
    pub ineligible: u64,
    /// Enterprises undetermined.
    pub undetermined: u64,
    /// Enterprises whose evaluation failed.
    pub errors: u64,
    /// Total granted (least), in yuan.
    pub total_min: Decimal,
    /// Total granted (greatest).
    pub total_max: Decimal,
    /// Smallest amount granted.
    pub min: Option<Decimal>,
    /// Median amount granted (of the least amounts); when `median_within`
    /// is set, the start of the bucket the median lies in.
    pub median: Option<Decimal>,
    /// Set when there were too many distinct amounts to keep: the median
    /// lies in `[median, median + median_within)`.
    pub median_within: Option<Decimal>,
    /// Largest amount granted.
    pub max: Option<Decimal>,
    /// Why undetermined, with counts.
    pub causes: BTreeMap<String, u64>,
    #[serde(skip)]
    histogram: Histogram,
}

/// The summary of a population run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// Rows evaluated.
    pub rows: u64,
    /// Rows rejected as unreadable.
    pub rejected: u64,
    /// Per item, in the policy's order.
    pub items: Vec<ItemStats>,
    /// Total cost, least.
    pub total_min: Decimal,
    /// Total cost, greatest.
    pub total_max: Decimal,
    /// Set when a total exceeded the largest decimal (about 7.9 × 10²⁸
    /// yuan): the totals are then not meaningful.
    pub overflow: bool,
}

impl Summary {
    /// An empty summary for `policy`.
    pub fn new(policy: &Policy) -> Summary {
        Summary {
            items: policy
                .items
                .iter()
                .map(|i| ItemStats {
                    name: i.name().to_string(),
                    measure: policy.measures.get(i.measure).map_or(0, |m| m.number),
                    ..ItemStats::default()
                })
                .collect(),
            ..Summary::default()
        }
    }

    /// Counts one result in.
    pub fn add(&mut self, r: &RowResult) {
        self.add_view(&RowView::Full(r));
    }

    /// Counts one row's results in. Memory stays bounded: the median keeps
    /// at most [`MAX_DISTINCT`] amounts per item.
    pub fn add_view(&mut self, r: &RowView<'_>) {
        let mut overflow = false;
        let mut plus = |a: Decimal, b: Decimal| {
            a.checked_add(b).unwrap_or_else(|| {
                overflow = true;
                a
            })
        };
        self.rows += 1;
        let (lo, hi) = r.total();
        self.total_min = plus(self.total_min, lo);
        self.total_max = plus(self.total_max, hi);
        for (i, s) in self.items.iter_mut().enumerate() {
            let o = r.item(i);
            match o.status {
                Status::Granted | Status::Met | Status::Listed => s.granted += 1,
                Status::Ineligible | Status::NotMet => s.ineligible += 1,
                Status::Undetermined => s.undetermined += 1,
                Status::Error => s.errors += 1,
                Status::NotInForce => {}
            }
            if let (Status::Granted, Some(lo), Some(hi)) = (o.status, o.min, o.max) {
                s.total_min = plus(s.total_min, lo);
                s.total_max = plus(s.total_max, hi);
                s.min = Some(s.min.map_or(lo, |m| m.min(lo)));
                s.max = Some(s.max.map_or(hi, |m| m.max(hi)));
                s.histogram.add(lo);
            }
            for c in o.causes {
                let key = match c {
                    Cause::Fact { name, .. } => format!("fact {name}"),
                    Cause::Param { name, .. } => format!("tbd {name}"),
                    Cause::Discretion => "discretion".into(),
                };
                *s.causes.entry(key).or_insert(0) += 1;
            }
        }
        self.overflow |= overflow;
    }

    /// Fills in the medians.
    pub fn finish(&mut self) {
        for s in &mut self.items {
            s.median = s.histogram.median();
            s.median_within = s.histogram.quantum;
        }
    }

    /// The summary as a table.
    pub fn table(&self) -> String {
        use crate::value::format_money;
        use comfy_table::{ContentArrangement, Table, presets};
        let money = |d: Option<Decimal>| d.map(format_money).unwrap_or_default();
        let mut t = Table::new();
        t.load_preset(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_width(150)
            .set_header(vec![
                "measure",
                "item",
                "granted",
                "undetermined",
                "total",
                "min",
                "median",
                "max",
                "undetermined because",
            ]);
        for s in &self.items {
            let total = if s.total_min == s.total_max {
                format_money(s.total_min)
            } else {
                format!(
                    "{}..{}",
                    format_money(s.total_min),
                    format_money(s.total_max)
                )
            };
            let causes: Vec<String> = s.causes.iter().map(|(k, v)| format!("{k} ×{v}")).collect();
            t.add_row(vec![
                s.measure.to_string(),
                s.name.clone(),
                s.granted.to_string(),
                s.undetermined.to_string(),
                total,
                money(s.min),
                match (s.median, s.median_within) {
                    (Some(m), Some(q)) => format!("{}..{}", format_money(m), format_money(m + q)),
                    (m, _) => money(m),
                },
                money(s.max),
                causes.join("; "),
            ]);
        }
        let total = if self.total_min == self.total_max {
            format_money(self.total_min)
        } else {
            format!(
                "{}..{}",
                format_money(self.total_min),
                format_money(self.total_max)
            )
        };
        let overflow = if self.overflow {
            "\nA total exceeded the largest decimal: totals are not meaningful.\n"
        } else {
            ""
        };
        let buckets = if self.items.iter().any(|s| s.median_within.is_some()) {
            "\nA median shown as a..b: the item had too many distinct amounts to keep; the median lies in [a, b).\n"
        } else {
            ""
        };
        format!(
            "{} rows evaluated, {} rejected; total {total}\n{t}\n{overflow}{buckets}",
            self.rows, self.rejected
        )
    }
}
