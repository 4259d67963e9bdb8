//! Columns, as gofmt lines up a block of struct fields: the label column
//! of consecutive facts, params and enum variants, the `=>` of table rows,
//! and end-of-line comments.
//!
//! The printer marks where a column starts with a [`Column`]'s mark (the
//! cell before it is padded with blanks, at least one) and where an
//! end-of-line comment starts with [`NOTE`] (at least two blanks before
//! it); [`align`] then lines up each run of consecutive lines that carry
//! the same mark and the same indentation. A blank line, a comment line,
//! or any line without the mark ends a run: so facts line up with facts,
//! not with the params that follow them. Widths are terminal columns, so Chinese text (two
//! columns a character) lines up.
//!
//! An outlier does not set the column: while the widest cell of a run is
//! more than [`OUTLIER`] columns wider than the next widest, it is left
//! out, and its line keeps the minimal gap. So one long name does not push
//! a whole block of labels (already long, in Chinese) far past the width.

use crate::syntax::print::columns;

/// The columns the formatter lines up, each marked by its own
/// private-use character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Column {
    /// The label of a fact.
    FactLabel,
    /// The label of a param.
    ParamLabel,
    /// The label of an enum variant.
    VariantLabel,
    /// The `=>` of a table row.
    RowArrow,
}

impl Column {
    /// Every column, in the order they are aligned.
    const ALL: [Column; 4] = [
        Column::FactLabel,
        Column::ParamLabel,
        Column::VariantLabel,
        Column::RowArrow,
    ];

    /// The character that marks the column.
    pub(super) fn mark(self) -> char {
        match self {
            Column::FactLabel => '\u{E000}',
            Column::ParamLabel => '\u{E002}',
            Column::VariantLabel => '\u{E003}',
            Column::RowArrow => '\u{E004}',
        }
    }
}

/// Marks the start of an end-of-line comment.
pub(super) const NOTE: char = '\u{E001}';

/// Whether `text` holds a character the formatter uses as a mark (then it
/// is formatted without columns).
pub(super) fn has_marks(text: &str) -> bool {
    text.chars().any(|c| ('\u{E000}'..='\u{E004}').contains(&c))
}

/// How much wider than the rest of its run a cell may be and still set the
/// column.
pub(super) const OUTLIER: usize = 8;

/// The text with every mark replaced by the blanks that align its run.
pub(super) fn align(text: &str) -> String {
    let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    for column in Column::ALL {
        align_runs(&mut lines, column.mark(), 1);
    }
    align_runs(&mut lines, NOTE, 2);
    lines.join("\n")
}

/// The indentation of a line, in blanks.
fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// Aligns every run of lines that carry `mark`, at least `gap` blanks
/// before what follows it.
fn align_runs(lines: &mut [String], mark: char, gap: usize) {
    let mut rest = lines;
    while !rest.is_empty() {
        let Some(start) = rest.iter().position(|l| l.contains(mark)) else {
            return;
        };
        let (_, tail) = rest.split_at_mut(start);
        let depth = tail.first().map_or(0, |l| indent(l));
        let len = tail
            .iter()
            .position(|l| !l.contains(mark) || indent(l) != depth)
            .unwrap_or(tail.len());
        let (run, after) = tail.split_at_mut(len);
        align_run(run, mark, gap);
        rest = after;
    }
}

/// Aligns one run: the column is the widest cell that is not an outlier.
fn align_run(run: &mut [String], mark: char, gap: usize) {
    let width = |l: &String| l.split_once(mark).map_or(0, |(before, _)| columns(before));
    let widths: Vec<usize> = run.iter().map(width).collect();
    let column = column(&widths);
    for line in run.iter_mut() {
        if let Some((before, after)) = line.split_once(mark) {
            let pad = column.saturating_sub(columns(before)) + gap;
            *line = format!("{before}{}{after}", " ".repeat(pad));
        }
    }
}

/// The column a run's cells are padded to: the widest, unless it is more
/// than [`OUTLIER`] wider than the next widest (then the next, and so on).
fn column(widths: &[usize]) -> usize {
    let mut sorted = widths.to_vec();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    sorted.dedup();
    let mut column = sorted.first().copied().unwrap_or(0);
    for next in sorted.iter().skip(1) {
        if column - next > OUTLIER {
            column = *next;
        } else {
            break;
        }
    }
    column
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_align_in_terminal_columns_and_outliers_keep_one_blank() {
        let cell = Column::FactLabel.mark();
        let text = format!(
            "fact a: bool{cell}\"甲\"\nfact 投资额: money{cell}\"乙\"{NOTE}# c\n\nfact b: bool{cell}\"x\""
        );
        assert_eq!(
            align(&text),
            "fact a: bool       \"甲\"\nfact 投资额: money \"乙\"  # c\n\nfact b: bool \"x\""
        );
        let outlier = format!("a{cell}1\nbb{cell}2\n{}{cell}3", "c".repeat(20));
        assert_eq!(align(&outlier), format!("a  1\nbb 2\n{} 3", "c".repeat(20)));
    }
}
