//! Population runs: a policy over a whole enterprise register, streamed —
//! the one loop that `decree batch`, `decree eval --facts DIR` and
//! `decree diff --facts` share, and that an embedder (a server, a Python
//! binding) calls the same way.
//!
//! [`run`] takes a [`Source`] of rows ([`read`]: CSV, JSON Lines, facts
//! files, typed facts in memory) and a [`Sink`] ([`crate::report::rows::RowWriter`],
//! [`Summary`], [`Collect`], the caller's own), and reports progress
//! through a callback. Rows are read a chunk at a time, the next chunk
//! while this one is evaluated (`rayon::join`), on every core: through the
//! compiled [`Plan`](crate::plan::Plan) where it decides a row, the
//! interpreter otherwise. The sink sees every row, and every row that could
//! not be read, in input order; memory is flat in the number of rows.
//!
//! The library opens no file itself: a folder of facts files is read
//! through the iterator of files the host gives ([`read::Files`]).

pub mod budget;
pub mod read;
mod run;
pub mod summary;

mod blocks;
mod csv;
mod grouped;
mod view;

use rust_decimal::Decimal;

use crate::check::Policy;
use crate::diagnostic::Diagnostic;
use crate::eval::{Cause, Evaluation, Facts, ItemResult, Options, Status};

pub use read::{Chunk, Source};
pub use run::run;
pub use summary::Summary;
pub(crate) use view::Cell;
pub use view::{ItemView, RowView};

/// One enterprise of a population, typed already.
#[derive(Debug, Clone)]
pub struct Row {
    /// Where it is in the input: its 1-based line, or its place in a folder.
    pub line: u64,
    /// Its facts.
    pub facts: Facts,
}

/// A row of the population that could not be read: reported to the sink
/// in its place, and never evaluated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// Where it is in the input: its 1-based line, or its place (1-based,
    /// in name order) in a folder of facts files.
    pub line: u64,
    /// What is wrong with it, each naming the input and line (or file).
    pub diagnostics: Vec<Diagnostic>,
}

impl RowError {
    /// Its diagnostics' messages, in one line.
    pub fn message(&self) -> String {
        self.diagnostics
            .iter()
            .map(|d| d.message.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// How much of each row a run keeps for its sink.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// Statuses, amounts, totals and causes: through the plan where it
    /// applies, the interpreter without explanations
    /// ([`Options::skip_explanations`]) elsewhere.
    Lean,
    /// Every row through the interpreter with the options as given; the
    /// sink sees each row's whole [`Evaluation`] ([`RowView::evaluation`]).
    Full,
}

/// How a population is evaluated.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The evaluation options of every row (date, params, limits).
    pub options: Options,
    /// What the sink sees of each row.
    pub detail: Detail,
}

impl Settings {
    /// Statuses and amounts only, as fast as the policy allows.
    pub fn lean(options: Options) -> Settings {
        Settings {
            options,
            detail: Detail::Lean,
        }
    }

    /// Every row's whole evaluation, explanations included (unless the
    /// options skip them).
    pub fn full(options: Options) -> Settings {
        Settings {
            options,
            detail: Detail::Full,
        }
    }
}

/// How far a run has come, after each chunk.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Rows evaluated.
    pub rows: u64,
    /// Rows that could not be read.
    pub rejected: u64,
    /// Bytes of the input read, for a source that reads a byte stream
    /// (CSV, JSON Lines); 0 otherwise.
    pub bytes: u64,
}

/// How many rejected rows a [`Tally`] keeps, to tell where they are.
pub const FIRST_REJECTED: usize = 20;

/// What a finished run counted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Rows evaluated.
    pub rows: u64,
    /// Rows that could not be read.
    pub rejected: u64,
    /// Rows whose evaluation met an error (an item with status `error`).
    pub failed: u64,
    /// The first [`FIRST_REJECTED`] rejected rows.
    pub first_rejected: Vec<RowError>,
}

/// A row of a chunk as a sink is given it: read and evaluated, or not read.
#[derive(Clone, Copy)]
pub enum Delivery<'a> {
    /// A row's results.
    Row(RowView<'a>),
    /// A row that could not be read, in its place among the rows.
    Rejected(&'a RowError),
}

/// Where a run's rows go, in input order.
pub trait Sink {
    /// One row's results.
    ///
    /// # Errors
    /// Stops the run: [`run`] returns the diagnostic.
    fn row(&mut self, row: &RowView<'_>) -> Result<(), Diagnostic>;

    /// A row that could not be read, in its place among the rows. Skipped
    /// by default; a sink that must stop at the first (`--strict`) returns
    /// an error.
    ///
    /// # Errors
    /// Stops the run: [`run`] returns the diagnostic.
    fn rejected(&mut self, error: &RowError) -> Result<(), Diagnostic> {
        let _ = error;
        Ok(())
    }

    /// The end of the rows (a writer writes its header if no row came, and
    /// flushes).
    ///
    /// # Errors
    /// [`run`] returns the diagnostic.
    fn finish(&mut self) -> Result<(), Diagnostic> {
        Ok(())
    }

    /// A chunk's rows and rejected rows, in input order: [`run`] gives
    /// every chunk here. By default each goes to [`Sink::row`] or
    /// [`Sink::rejected`]; a sink whose work per row can be shared among
    /// the cores (a writer formatting lines) does the chunk at once.
    ///
    /// # Errors
    /// Stops the run: [`run`] returns the diagnostic.
    fn chunk(&mut self, chunk: &[Delivery<'_>]) -> Result<(), Diagnostic> {
        chunk.iter().try_for_each(|d| match d {
            Delivery::Row(r) => self.row(r),
            Delivery::Rejected(e) => self.rejected(e),
        })
    }
}

impl<S: Sink + ?Sized> Sink for &mut S {
    fn row(&mut self, row: &RowView<'_>) -> Result<(), Diagnostic> {
        (**self).row(row)
    }
    fn chunk(&mut self, chunk: &[Delivery<'_>]) -> Result<(), Diagnostic> {
        (**self).chunk(chunk)
    }
    fn rejected(&mut self, error: &RowError) -> Result<(), Diagnostic> {
        (**self).rejected(error)
    }
    fn finish(&mut self) -> Result<(), Diagnostic> {
        (**self).finish()
    }
}

/// A sink that may be absent (`--out` not given): nothing goes to it.
impl<S: Sink> Sink for Option<S> {
    fn row(&mut self, row: &RowView<'_>) -> Result<(), Diagnostic> {
        self.as_mut().map_or(Ok(()), |s| s.row(row))
    }
    fn chunk(&mut self, chunk: &[Delivery<'_>]) -> Result<(), Diagnostic> {
        self.as_mut().map_or(Ok(()), |s| s.chunk(chunk))
    }
    fn rejected(&mut self, error: &RowError) -> Result<(), Diagnostic> {
        self.as_mut().map_or(Ok(()), |s| s.rejected(error))
    }
    fn finish(&mut self) -> Result<(), Diagnostic> {
        self.as_mut().map_or(Ok(()), Sink::finish)
    }
}

/// Two sinks, each row (and each chunk) to the first and then to the
/// second.
impl<A: Sink, B: Sink> Sink for (A, B) {
    fn row(&mut self, row: &RowView<'_>) -> Result<(), Diagnostic> {
        self.0.row(row)?;
        self.1.row(row)
    }
    fn chunk(&mut self, chunk: &[Delivery<'_>]) -> Result<(), Diagnostic> {
        self.0.chunk(chunk)?;
        self.1.chunk(chunk)
    }
    fn rejected(&mut self, error: &RowError) -> Result<(), Diagnostic> {
        self.0.rejected(error)?;
        self.1.rejected(error)
    }
    fn finish(&mut self) -> Result<(), Diagnostic> {
        self.0.finish()?;
        self.1.finish()
    }
}

/// Every row's results and every rejected row, in memory: for tests and
/// for populations small enough to hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Collect {
    /// The rows' results, in input order.
    pub rows: Vec<RowResult>,
    /// The rows that could not be read, in input order.
    pub rejected: Vec<RowError>,
}

impl Sink for Collect {
    fn row(&mut self, row: &RowView<'_>) -> Result<(), Diagnostic> {
        self.rows.push(row.to_result());
        Ok(())
    }
    fn rejected(&mut self, error: &RowError) -> Result<(), Diagnostic> {
        self.rejected.push(error.clone());
        Ok(())
    }
}

/// An item's least and greatest amount: its amount, or the ends of its
/// range; `None` when it has neither.
pub(crate) fn amounts(r: &ItemResult) -> (Option<Decimal>, Option<Decimal>) {
    match (r.amount, r.range) {
        (Some(a), _) => (Some(a), Some(a)),
        (None, Some(x)) => (Some(x.min), Some(x.max)),
        _ => (None, None),
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

impl ItemOutcome {
    /// An item that failed.
    fn error() -> ItemOutcome {
        ItemOutcome {
            status: Status::Error,
            min: None,
            max: None,
            causes: Vec::new(),
        }
    }
}

/// What the policy came to for one enterprise, item by item in the
/// policy's item order: a row's results without explanations, small
/// enough to keep for a chunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowResult {
    /// Where the row is in the input.
    pub line: u64,
    /// The enterprise's name (a facts file's name, or `row N`).
    pub name: String,
    /// The row's key columns (`--key`), in the order asked for.
    pub keys: Vec<String>,
    /// One outcome per item of the policy, in `Policy::items` order.
    pub items: Vec<ItemOutcome>,
    /// Total of the monetary items granted.
    pub total_min: Decimal,
    /// Greatest total.
    pub total_max: Decimal,
    /// Whether the total counts every monetary item (none undetermined or
    /// failed).
    pub complete: bool,
    /// The errors met while evaluating (overflow …), empty when none.
    pub errors: Vec<Diagnostic>,
}

impl RowResult {
    /// A row whose every item failed.
    pub(crate) fn failed(policy: &Policy, line: u64, name: String) -> RowResult {
        RowResult {
            line,
            name,
            keys: Vec::new(),
            items: policy.items.iter().map(|_| ItemOutcome::error()).collect(),
            total_min: Decimal::ZERO,
            total_max: Decimal::ZERO,
            complete: false,
            errors: Vec::new(),
        }
    }

    /// From an evaluation by the interpreter. Items are taken in the
    /// evaluation's order, which is `policy`'s; an item missing from it
    /// (which evaluation never does) is an error, not dropped.
    pub fn from_evaluation(policy: &Policy, line: u64, e: &Evaluation) -> RowResult {
        let mut results = e.measures.iter().flat_map(|m| &m.items);
        let items = policy
            .items
            .iter()
            .map(|_| match results.next() {
                Some(r) => {
                    let (min, max) = amounts(r);
                    ItemOutcome {
                        status: r.status,
                        min,
                        max,
                        causes: r.undetermined_by.clone(),
                    }
                }
                None => ItemOutcome::error(),
            })
            .collect();
        RowResult {
            line,
            name: e.enterprise.clone(),
            keys: Vec::new(),
            items,
            total_min: e.total.min,
            total_max: e.total.max,
            complete: e.total.complete,
            errors: e.errors.clone(),
        }
    }
}
