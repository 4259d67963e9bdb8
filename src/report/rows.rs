//! Rows of results, one per enterprise, as CSV or JSON Lines: the sink of
//! `decree batch --out`. The header is written even when no row comes; the
//! rows' key columns (`--key`) pass through after `line`.
//!
//! CSV: `line,KEY…,ITEM.status,ITEM.min,ITEM.max,…,total.min,total.max`
//! (`min`/`max` for monetary items only), then `BUDGET.allocation` for each
//! budget of the policy. JSON Lines: one object per row in the layout of
//! [`super::json::RowLines`].

use std::io::Write;

use rayon::prelude::*;
use rust_decimal::Decimal;

use super::json::RowLines;
use crate::check::Policy;
use crate::diagnostic::{Code, Diagnostic};
use crate::population::budget::BudgetSink;
use crate::population::{Cell, Delivery, RowView, Sink};

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

/// Writes results as CSV or JSON Lines, in the order rows come. A chunk of
/// rows ([`Sink::chunk`]) is formatted on every core, a part of it each,
/// and the parts are written in order.
pub struct RowWriter<W: Write> {
    out: W,
    name: String,
    header_done: bool,
    layout: Layout,
    /// The allocations of the row about to be written, when the run
    /// allocates budgets ([`BudgetSink`]).
    pending: Vec<Option<Decimal>>,
}

/// What a line of results holds, shared by the cores that format them.
struct Layout {
    format: RowFormat,
    /// Item names, and whether each is monetary.
    items: Vec<(String, bool)>,
    keys: Vec<String>,
    json: RowLines,
    /// The policy's budgets, by name: a column each (issue 16).
    budgets: Vec<String>,
}

/// Rows formatted together by one core, as one buffer.
const LINES_PER_PART: usize = 1024;

impl<W: Write> RowWriter<W> {
    /// A writer of `policy`'s results to `out`, named `name` in
    /// diagnostics, with the key columns `keys` after `line`.
    pub fn new(policy: &Policy, out: W, format: RowFormat, name: &str, keys: &[String]) -> Self {
        RowWriter {
            out,
            name: name.to_string(),
            header_done: false,
            layout: Layout {
                format,
                items: policy
                    .items
                    .iter()
                    .map(|i| (i.name().to_string(), i.kind().is_monetary()))
                    .collect(),
                keys: keys.to_vec(),
                json: RowLines::new(policy, keys),
                budgets: policy.budgets.iter().map(|b| b.name.clone()).collect(),
            },
            pending: Vec::new(),
        }
    }

    /// The output, written to so far (flushed by [`Sink::finish`]).
    pub fn into_inner(self) -> W {
        self.out
    }

    /// Writes one row's results.
    ///
    /// # Errors
    /// A [`Code::Io`] diagnostic when the output cannot be written.
    pub fn write(&mut self, row: &RowView<'_>) -> Result<(), Diagnostic> {
        let mut line = Vec::new();
        self.layout.line(&mut line, row, &self.pending);
        self.pending.clear();
        let written = self.header().and_then(|()| self.out.write_all(&line));
        written.map_err(|e| self.failed(&e))
    }

    /// Writes a chunk's rows, formatted on every core.
    fn write_chunk(&mut self, chunk: &[Delivery<'_>]) -> Result<(), Diagnostic> {
        let layout = &self.layout;
        let parts: Vec<Vec<u8>> = chunk
            .par_chunks(LINES_PER_PART)
            .map(|part| {
                let mut buf = Vec::with_capacity(part.len() * 160);
                for d in part {
                    if let Delivery::Row(r) = d {
                        layout.line(&mut buf, r, &[]);
                    }
                }
                buf
            })
            .collect();
        let mut written = self.header();
        for p in &parts {
            written = written.and_then(|()| self.out.write_all(p));
        }
        written.map_err(|e| self.failed(&e))
    }

    fn failed(&self, e: &std::io::Error) -> Diagnostic {
        Diagnostic::error(Code::Io, format!("cannot write `{}`: {e}", self.name))
    }

    /// The CSV header, once.
    fn header(&mut self) -> std::io::Result<()> {
        if self.header_done || self.layout.format != RowFormat::Csv {
            return Ok(());
        }
        self.header_done = true;
        let mut h = vec!["line".to_string()];
        h.extend(self.layout.keys.iter().map(|k| csv_cell(k).into_owned()));
        for (name, monetary) in &self.layout.items {
            h.push(format!("{name}.status"));
            if *monetary {
                h.push(format!("{name}.min"));
                h.push(format!("{name}.max"));
            }
        }
        h.push("total.min".into());
        h.push("total.max".into());
        h.extend(
            self.layout
                .budgets
                .iter()
                .map(|b| format!("{b}.allocation")),
        );
        writeln!(self.out, "{}", h.join(","))
    }
}

impl Layout {
    /// One row's line, with its allocations (empty: none known).
    fn line(&self, out: &mut Vec<u8>, r: &RowView<'_>, allocations: &[Option<Decimal>]) {
        match self.format {
            // Writing to memory cannot fail.
            RowFormat::JsonLines => {
                let _ = self.json.write_allocated(out, r, allocations);
            }
            RowFormat::Csv => self.csv_row(out, r, allocations),
        }
    }

    /// One CSV row, cell by cell: no strings are built per row.
    fn csv_row(&self, out: &mut Vec<u8>, r: &RowView<'_>, allocations: &[Option<Decimal>]) {
        push_u64(out, r.line());
        for k in r.keys() {
            out.push(b',');
            out.extend_from_slice(csv_cell(k).as_bytes());
        }
        self.items_of(out, r);
        let (lo, hi) = r.total();
        for d in [lo, hi] {
            out.push(b',');
            push_decimal(out, d);
        }
        // A budget's allocation, empty where it is not known (or the run
        // allocated nothing).
        for i in 0..self.budgets.len() {
            out.push(b',');
            if let Some(a) = allocations.get(i).copied().flatten() {
                push_decimal(out, a);
            }
        }
        out.push(b'\n');
    }

    /// The items' cells of a row: where the plan decided an item, straight
    /// from its fixed-point columns (the digits its decimals print as,
    /// without making them); otherwise from the item's decimals.
    fn items_of(&self, out: &mut Vec<u8>, r: &RowView<'_>) {
        for ((_, monetary), cell) in self.items.iter().zip(r.cells()) {
            out.push(b',');
            match cell {
                Cell::Fixed((status, amounts, scale)) => {
                    out.extend_from_slice(status.as_str().as_bytes());
                    if *monetary {
                        for v in [amounts.map(|a| a.0), amounts.map(|a| a.1)] {
                            out.push(b',');
                            if let Some(v) = v {
                                push_fixed(out, v, scale);
                            }
                        }
                    }
                }
                Cell::Item(o) => {
                    out.extend_from_slice(o.status.as_str().as_bytes());
                    if *monetary {
                        for d in [o.min, o.max] {
                            out.push(b',');
                            if let Some(d) = d {
                                push_decimal(out, d);
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Writes `v × 10^-scale` as [`push_decimal`] writes the same decimal: the
/// plan's fixed-point amounts without a `Decimal` made (nor normalized).
pub(crate) fn push_fixed(out: &mut Vec<u8>, v: i64, scale: u32) {
    let mut text = Text::new();
    push_digits(&mut text, v.unsigned_abs(), scale);
    if v < 0 {
        text.push(b'-');
    }
    out.extend_from_slice(text.as_bytes());
}

/// Writes `d` as `d.normalize()` displays: no zeros after the last
/// significant decimal, no point when it is whole, `0` for zero (of
/// either sign). The writer's hot path: digits straight from the
/// mantissa, without the formatting machinery.
pub(crate) fn push_decimal(out: &mut Vec<u8>, d: Decimal) {
    let m = d.mantissa();
    let mut text = Text::new();
    match u64::try_from(m.unsigned_abs()) {
        // Nearly every amount: 64-bit division is many times faster.
        Ok(u) => push_digits(&mut text, u, d.scale()),
        Err(_) => push_digits(&mut text, m.unsigned_abs(), d.scale()),
    }
    if m < 0 {
        text.push(b'-');
    }
    out.extend_from_slice(text.as_bytes());
}

/// The digits of `u × 10^-scale`, trailing zeros of the decimals dropped,
/// pushed from the last one back (64- or 128-bit, for speed).
fn push_digits<T>(text: &mut Text, mut u: T, mut scale: u32)
where
    T: Copy + PartialEq + From<u8> + std::ops::Rem<Output = T> + std::ops::DivAssign,
    u8: TryFrom<T>,
{
    let (zero, ten) = (T::from(0), T::from(10));
    while scale > 0 && u % ten == zero {
        u /= ten;
        scale -= 1;
    }
    let digit = |text: &mut Text, u: &mut T| {
        text.push(b'0' + u8::try_from(*u % ten).unwrap_or(0));
        *u /= ten;
    };
    for _ in 0..scale {
        digit(text, &mut u);
    }
    if scale > 0 {
        text.push(b'.');
    }
    loop {
        digit(text, &mut u);
        if u == zero {
            break;
        }
    }
}

/// A number's text built from its last character back, on the stack: a
/// decimal has at most 29 digits, a point and a sign.
struct Text {
    bytes: [u8; 48],
    start: usize,
}

impl Text {
    fn new() -> Text {
        Text {
            bytes: [0; 48],
            start: 48,
        }
    }

    fn push(&mut self, b: u8) {
        if let Some(i) = self.start.checked_sub(1) {
            if let Some(slot) = self.bytes.get_mut(i) {
                *slot = b;
                self.start = i;
            }
        }
    }

    fn as_bytes(&self) -> &[u8] {
        self.bytes.get(self.start..).unwrap_or_default()
    }
}

/// Writes a whole number's digits.
fn push_u64(out: &mut Vec<u8>, mut v: u64) {
    let mut text = Text::new();
    loop {
        text.push(b'0' + (v % 10) as u8);
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(text.as_bytes());
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
    fn allocations(&mut self, allocations: &[Option<Decimal>]) -> Result<(), Diagnostic> {
        self.pending = allocations.to_vec();
        Ok(())
    }
}

impl<W: Write + Send> Sink for RowWriter<W> {
    fn row(&mut self, row: &RowView<'_>) -> Result<(), Diagnostic> {
        self.write(row)
    }

    /// Rows are formatted on every core; rows with allocations pending
    /// (a budget run gives them row by row) one at a time.
    fn chunk(&mut self, chunk: &[Delivery<'_>]) -> Result<(), Diagnostic> {
        if !self.pending.is_empty() {
            return chunk.iter().try_for_each(|d| match d {
                Delivery::Row(r) => self.write(r),
                Delivery::Rejected(_) => Ok(()),
            });
        }
        self.write_chunk(chunk)
    }

    fn finish(&mut self) -> Result<(), Diagnostic> {
        let done = self.header().and_then(|()| self.out.flush());
        done.map_err(|e| self.failed(&e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The writer's digits are `normalize` then `Display`'s, for every
        /// decimal.
        #[test]
        fn decimals_print_as_normalized_display(lo in any::<u32>(), mid in any::<u32>(), hi in any::<u32>(), negative in any::<bool>(), scale in 0u32..=28) {
            let d = Decimal::from_parts(lo, mid, hi, negative, scale);
            let mut out = Vec::new();
            push_decimal(&mut out, d);
            prop_assert_eq!(String::from_utf8_lossy(&out), d.normalize().to_string());
        }
    }

    proptest! {
        /// The plan's fixed-point amounts print as their decimals do.
        #[test]
        fn fixed_point_prints_as_its_decimal(v in any::<i64>(), scale in 0u32..=18) {
            let mut fixed = Vec::new();
            push_fixed(&mut fixed, v, scale);
            let mut decimal = Vec::new();
            push_decimal(&mut decimal, Decimal::new(v, scale));
            prop_assert_eq!(fixed, decimal);
        }
    }

    #[test]
    fn small_decimals_print_as_normalized_display() {
        for (m, s) in [
            (0i64, 3u32),
            (5, 1),
            (5, 4),
            (1000, 3),
            (-1500, 3),
            (12345, 2),
            (1, 0),
            (-7, 28),
            (i64::MAX, 0),
            (i64::MIN, 5),
        ] {
            let d = Decimal::new(m, s);
            let mut out = Vec::new();
            push_decimal(&mut out, d);
            assert_eq!(String::from_utf8_lossy(&out), d.normalize().to_string());
        }
        let mut out = Vec::new();
        push_u64(&mut out, 1_000_200);
        assert_eq!(out, b"1000200");
    }
}
