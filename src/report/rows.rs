//! Rows of results, one per enterprise, as CSV or JSON Lines: the sink of
//! `decree batch --out`. The header is written even when no row comes; the
//! rows' key columns (`--key`) pass through after `line`.
//!
//! CSV: `line,KEY…,ITEM.status,ITEM.min,ITEM.max,…,total.min,total.max`
//! (`min`/`max` for monetary items only), then `BUDGET.allocation` for each
//! budget of the policy. JSON Lines: one object per row in the layout of
//! [`super::json::RowLines`].

use std::io::Write;

use super::json::RowLines;
use crate::check::Policy;
use crate::diagnostic::{Code, Diagnostic};
use crate::population::RowView;
use crate::population::Sink;
use crate::population::budget::BudgetSink;

/// The format of a file of results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowFormat {
    /// Comma-separated values with a header.
    Csv,
    /// One JSON object per line.
    JsonLines,
}

impl RowFormat {
    /// The format a file name says (`.jsonl`/`.ndjson`: JSON Lines; `.csv`:
    /// CSV); `None` for another name.
    pub fn from_path(path: &str) -> Option<RowFormat> {
        match crate::population::read::Input::from_path(path)? {
            crate::population::read::Input::Csv => Some(RowFormat::Csv),
            crate::population::read::Input::JsonLines => Some(RowFormat::JsonLines),
            crate::population::read::Input::FactsFile => None,
        }
    }
}

/// Writes results as CSV or JSON Lines, in the order rows come.
pub struct RowWriter<W: Write> {
    out: W,
    name: String,
    format: RowFormat,
    header_done: bool,
    /// Item names, and whether each is monetary.
    items: Vec<(String, bool)>,
    keys: Vec<String>,
    json: RowLines,
    /// The policy's budgets, by name: a column each (issue 16).
    budgets: Vec<String>,
    /// The allocations of the row about to be written, when the run
    /// allocates budgets ([`BudgetSink`]).
    pending: Vec<Option<rust_decimal::Decimal>>,
}

impl<W: Write> RowWriter<W> {
    /// A writer of `policy`'s results to `out`, named `name` in
    /// diagnostics, with the key columns `keys` after `line`.
    pub fn new(policy: &Policy, out: W, format: RowFormat, name: &str, keys: &[String]) -> Self {
        RowWriter {
            out,
            name: name.to_string(),
            format,
            header_done: false,
            items: policy
                .items
                .iter()
                .map(|i| (i.name().to_string(), i.kind().is_monetary()))
                .collect(),
            keys: keys.to_vec(),
            json: RowLines::new(policy, keys),
            budgets: policy.budgets.iter().map(|b| b.name.clone()).collect(),
            pending: Vec::new(),
        }
    }

    /// Writes one row's results.
    ///
    /// # Errors
    /// A [`Code::Io`] diagnostic when the output cannot be written.
    pub fn write(&mut self, row: &RowView<'_>) -> Result<(), Diagnostic> {
        let written = match self.format {
            RowFormat::JsonLines => self.json.write_allocated(&mut self.out, row, &self.pending),
            RowFormat::Csv => self.header().and_then(|()| self.csv_row(row)),
        };
        self.pending.clear();
        written.map_err(|e| self.failed(&e))
    }

    fn failed(&self, e: &std::io::Error) -> Diagnostic {
        Diagnostic::error(Code::Io, format!("cannot write `{}`: {e}", self.name))
    }

    /// The CSV header, once.
    fn header(&mut self) -> std::io::Result<()> {
        if self.header_done || self.format != RowFormat::Csv {
            return Ok(());
        }
        self.header_done = true;
        let mut h = vec!["line".to_string()];
        h.extend(self.keys.iter().map(|k| csv_cell(k).into_owned()));
        for (name, monetary) in &self.items {
            h.push(format!("{name}.status"));
            if *monetary {
                h.push(format!("{name}.min"));
                h.push(format!("{name}.max"));
            }
        }
        h.push("total.min".into());
        h.push("total.max".into());
        h.extend(self.budgets.iter().map(|b| format!("{b}.allocation")));
        writeln!(self.out, "{}", h.join(","))
    }

    /// One CSV row, cell by cell: no strings are built per row.
    fn csv_row(&mut self, r: &RowView<'_>) -> std::io::Result<()> {
        write!(self.out, "{}", r.line())?;
        for k in r.keys() {
            write!(self.out, ",{}", csv_cell(k))?;
        }
        for ((_, monetary), o) in self.items.iter().zip(r.items()) {
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
        write!(self.out, ",{},{}", lo.normalize(), hi.normalize())?;
        // A budget's allocation, empty where it is not known (or the run
        // allocated nothing).
        for i in 0..self.budgets.len() {
            match self.pending.get(i).copied().flatten() {
                Some(a) => write!(self.out, ",{}", a.normalize())?,
                None => write!(self.out, ",")?,
            }
        }
        writeln!(self.out)
    }
}

/// A text as one CSV cell: quoted when it holds a comma, a quote or a line
/// break.
fn csv_cell(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains([',', '"', '\n', '\r']) {
        std::borrow::Cow::Owned(format!("\"{}\"", text.replace('"', "\"\"")))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Each row's allocations come just before the row: kept for its line.
impl<W: Write + Send> BudgetSink for RowWriter<W> {
    fn allocations(
        &mut self,
        allocations: &[Option<rust_decimal::Decimal>],
    ) -> Result<(), Diagnostic> {
        self.pending = allocations.to_vec();
        Ok(())
    }
}

impl<W: Write + Send> Sink for RowWriter<W> {
    fn row(&mut self, row: &RowView<'_>) -> Result<(), Diagnostic> {
        self.write(row)
    }

    fn finish(&mut self) -> Result<(), Diagnostic> {
        let done = self.header().and_then(|()| self.out.flush());
        done.map_err(|e| self.failed(&e))
    }
}
