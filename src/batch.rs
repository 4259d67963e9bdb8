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

use crate::check::{Policy, Symbol};
use crate::eval::{Cause, Evaluation, Facts, Options, Status};
use crate::facts::{Raw, convert};
use crate::plan::Plan;
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

/// Reads rows one at a time from a population file.
pub struct RowReader<'p, R: BufRead> {
    policy: &'p Policy,
    inner: Inner<R>,
}

enum Inner<R: BufRead> {
    Csv {
        reader: csv::Reader<R>,
        columns: Vec<Column>,
        record: csv::StringRecord,
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
    Fact(String, crate::value::Unit),
    Ignored,
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
                    .map(|name| match policy.lookup(name.trim()) {
                        Some(Symbol::Fact(i)) => policy
                            .facts
                            .get(i)
                            .map_or(Column::Ignored, |f| Column::Fact(f.name.clone(), f.unit)),
                        _ => Column::Ignored,
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
                    record: csv::StringRecord::new(),
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
                match reader.read_record(record) {
                    Ok(false) => None,
                    Err(e) => {
                        let line = e.position().map_or(line, |p| p.line());
                        Some(Err(RowError {
                            line,
                            message: format!("unreadable row: {e}"),
                        }))
                    }
                    Ok(true) => {
                        let line = record.position().map_or(line, |p| p.line());
                        let mut facts = Facts {
                            values: BTreeMap::new(),
                            name: format!("row {line}"),
                        };
                        for (col, cell) in columns.iter().zip(record.iter()) {
                            let Column::Fact(name, unit) = col else {
                                continue;
                            };
                            let cell = cell.trim();
                            if cell.is_empty() {
                                continue;
                            }
                            let raw = match cell {
                                "true" | "TRUE" | "True" => Raw::Bool(true),
                                "false" | "FALSE" | "False" => Raw::Bool(false),
                                c => Raw::Str(c.to_string()),
                            };
                            match convert(policy, *unit, &raw) {
                                Ok(Some(v)) => {
                                    facts.values.insert(name.clone(), v);
                                }
                                Ok(None) => {}
                                Err(why) => {
                                    return Some(Err(RowError {
                                        line,
                                        message: format!("column `{name}`: {why}"),
                                    }));
                                }
                            }
                        }
                        Some(Ok(Row { line, facts }))
                    }
                }
            }
            Inner::Json { reader, line, buf } => loop {
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
                        return Some(json_row(policy, *line, buf));
                    }
                }
            },
        }
    }
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

/// Evaluates a chunk of rows on every core, in input order: through the
/// plan where it can decide a row, through the interpreter otherwise.
pub fn evaluate_chunk(
    policy: &Policy,
    plan: Option<&Plan>,
    rows: &[Row],
    options: &Options,
) -> Vec<RowResult> {
    let fast: Vec<Option<RowResult>> = match plan {
        Some(plan) => plan.run(rows),
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

/// Writes results as CSV or JSON Lines.
pub struct RowWriter<W: Write> {
    out: W,
    json: bool,
    header_done: bool,
    names: Vec<(String, bool)>,
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
        }
    }

    /// Writes one result.
    pub fn write(&mut self, r: &RowResult) -> std::io::Result<()> {
        if self.json {
            let mut items = serde_json::Map::new();
            for ((name, monetary), o) in self.names.iter().zip(&r.items) {
                let mut m = serde_json::Map::new();
                m.insert("status".into(), o.status.as_str().into());
                if *monetary {
                    if let (Some(lo), Some(hi)) = (o.min, o.max) {
                        if lo == hi {
                            m.insert("amount".into(), lo.normalize().to_string().into());
                        } else {
                            m.insert("min".into(), lo.normalize().to_string().into());
                            m.insert("max".into(), hi.normalize().to_string().into());
                        }
                    }
                }
                items.insert(name.clone(), serde_json::Value::Object(m));
            }
            let doc = serde_json::json!({
                "line": r.line,
                "items": items,
                "total": {"min": r.total_min.normalize().to_string(), "max": r.total_max.normalize().to_string()},
            });
            writeln!(self.out, "{doc}")
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
            let mut cells = vec![r.line.to_string()];
            for ((_, monetary), o) in self.names.iter().zip(&r.items) {
                cells.push(o.status.as_str().to_string());
                if *monetary {
                    cells.push(o.min.map(|d| d.normalize().to_string()).unwrap_or_default());
                    cells.push(o.max.map(|d| d.normalize().to_string()).unwrap_or_default());
                }
            }
            cells.push(r.total_min.normalize().to_string());
            cells.push(r.total_max.normalize().to_string());
            writeln!(self.out, "{}", cells.join(","))
        }
    }

    /// Flushes the output.
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
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
    /// Median amount granted (of the least amounts).
    pub median: Option<Decimal>,
    /// Largest amount granted.
    pub max: Option<Decimal>,
    /// Why undetermined, with counts.
    pub causes: BTreeMap<String, u64>,
    /// Distinct granted amounts with their counts (for the median).
    #[serde(skip)]
    histogram: BTreeMap<Decimal, u64>,
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

    /// Counts one result in. The median keeps one count per distinct amount,
    /// so its memory grows with the number of distinct amounts, not rows.
    pub fn add(&mut self, r: &RowResult) {
        let plus = |a: Decimal, b: Decimal| a.checked_add(b).unwrap_or(Decimal::MAX);
        self.rows += 1;
        self.total_min = plus(self.total_min, r.total_min);
        self.total_max = plus(self.total_max, r.total_max);
        for (s, o) in self.items.iter_mut().zip(&r.items) {
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
                *s.histogram.entry(lo.normalize()).or_insert(0) += 1;
            }
            for c in &o.causes {
                let key = match c {
                    Cause::Fact { name, .. } => format!("fact {name}"),
                    Cause::Param { name, .. } => format!("tbd {name}"),
                    Cause::Discretion => "discretion".into(),
                };
                *s.causes.entry(key).or_insert(0) += 1;
            }
        }
    }

    /// Fills in the medians.
    pub fn finish(&mut self) {
        for s in &mut self.items {
            let n: u64 = s.histogram.values().sum();
            if n == 0 {
                continue;
            }
            let target = (n - 1) / 2;
            let mut seen = 0;
            for (v, c) in &s.histogram {
                if seen + c > target {
                    s.median = Some(*v);
                    break;
                }
                seen += c;
            }
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
                money(s.median),
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
        format!(
            "{} rows evaluated, {} rejected; total {total}\n{t}\n",
            self.rows, self.rejected
        )
    }
}

/// A fact value as the plan's fixed-point slot, when exact.
pub fn fixed(v: &Value) -> Option<i128> {
    crate::plan::to_fixed(v)
}
