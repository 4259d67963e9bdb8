//! Resource limits: how much untrusted input may ask of the host.
//!
//! Every stage that could be driven into deep recursion, long loops or
//! large allocations by its input counts against these bounds and reports
//! a [`crate::Code::Limit`] diagnostic instead.

/// Resource limits for untrusted input: exceeding one is a
/// [`crate::Code::Limit`] diagnostic with a span, never a stack overflow, a hang
/// or an exhausted host. The defaults (also the CLI's) are generous for
/// real policies and small enough to be safe:
///
/// ```
/// let limits = decree::Limits::default()
///     .with_max_source_bytes(64 * 1024)
///     .with_max_steps(10_000);
/// assert_eq!(limits.max_depth, 64);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest source file accepted, in bytes (default 4 MiB).
    pub max_source_bytes: usize,
    /// Deepest nesting of brackets and expressions in the source
    /// (default 64).
    pub max_depth: usize,
    /// Most rows in one tier table or schedule (default 1,000).
    pub max_table_rows: usize,
    /// Most expressions one evaluation may evaluate (default 1,000,000;
    /// the 28-measure draft takes under 1,000).
    pub max_steps: u64,
    /// Deepest nesting of evaluation, counting params defined by params
    /// (default 128).
    pub max_eval_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_source_bytes: 4 * 1024 * 1024,
            max_depth: 64,
            max_table_rows: 1000,
            max_steps: 1_000_000,
            max_eval_depth: 128,
        }
    }
}

impl Limits {
    /// Sets the largest source accepted, in bytes.
    pub fn with_max_source_bytes(mut self, bytes: usize) -> Self {
        self.max_source_bytes = bytes;
        self
    }

    /// Sets the deepest nesting of brackets and expressions.
    pub fn with_max_depth(mut self, depth: usize) -> Self {
        self.max_depth = depth;
        self
    }

    /// Sets the most rows of a tier table or schedule.
    pub fn with_max_table_rows(mut self, rows: usize) -> Self {
        self.max_table_rows = rows;
        self
    }

    /// Sets the most expressions one evaluation may evaluate.
    pub fn with_max_steps(mut self, steps: u64) -> Self {
        self.max_steps = steps;
        self
    }

    /// Sets the deepest nesting of evaluation.
    pub fn with_max_eval_depth(mut self, depth: usize) -> Self {
        self.max_eval_depth = depth;
        self
    }
}
