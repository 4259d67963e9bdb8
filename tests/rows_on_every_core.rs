//! The writer on every core writes what it writes row by row: the same
//! bytes, CSV and JSON Lines, for a population of plan rows, interpreter
//! rows (a fact missing, a magnitude), keys that need quoting and rows that
//! cannot be read, over many chunks.

#![allow(clippy::unwrap_used)]

use decree::diagnostic::Diagnostic;
use decree::population::read::{Csv, ReadOptions};
use decree::population::{self, RowView, Settings, Sink};
use decree::report::rows::{RowFormat, RowWriter};
use decree::{Options, SourceFile};

/// A sink that gives its writer one row at a time (the default
/// `Sink::chunk` loops over `row`): the sequential writer.
struct OneByOne(RowWriter<Vec<u8>>);

impl Sink for OneByOne {
    fn row(&mut self, row: &RowView<'_>) -> Result<(), Diagnostic> {
        self.0.row(row)
    }
    fn finish(&mut self) -> Result<(), Diagnostic> {
        self.0.finish()
    }
}

/// A population of `n` rows, from a fixed linear congruential sequence.
fn population(n: usize) -> String {
    let mut text = String::from(
        "id,investment,fixed_asset_investment,loan_interest,lease_interest,annual_output,prior_peak_output,actual_sales\n",
    );
    let mut x: u64 = 42;
    let mut next = || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        x >> 33
    };
    for i in 0..n {
        let id = match i % 7 {
            0 => format!("\"A,{i}\""),
            1 => format!("\"say \"\"{i}\"\"\""),
            _ => format!("E{i}"),
        };
        text.push_str(&id);
        for col in 0..7 {
            let v = next();
            let cell = match (v % 97, col) {
                (0, _) => String::new(),
                (1, _) => "1.2亿".to_string(),
                (2, 3) => "not a number".to_string(),
                _ => format!("{}.{:02}", v % 100_000_000, v % 100),
            };
            text.push(',');
            text.push_str(&cell);
        }
        text.push_str(if i % 5 == 0 { "\r\n" } else { "\n" });
    }
    text
}

/// A sink that gives its writer each row as its kept decimal results
/// (`RowView::to_result`): the writer's path for the interpreter's rows,
/// against which the plan's rows, written from fixed point, are checked.
struct AsDecimals(RowWriter<Vec<u8>>);

impl Sink for AsDecimals {
    fn row(&mut self, row: &RowView<'_>) -> Result<(), Diagnostic> {
        let kept = row.to_result();
        self.0.row(&RowView::of_result(&kept))
    }
    fn finish(&mut self) -> Result<(), Diagnostic> {
        self.0.finish()
    }
}

fn as_decimals(text: &str) -> Vec<u8> {
    let source = std::fs::read_to_string("examples/bench/anchor.decree").unwrap_or_default();
    let policy = decree::load(&SourceFile::new("anchor.decree", source)).unwrap();
    let keys = vec!["id".to_string()];
    let read = ReadOptions {
        name: "pop.csv".into(),
        keys: keys.clone(),
        strict: false,
    };
    let (mut csv, _) = Csv::new(&policy, text.as_bytes(), &read).unwrap();
    let writer = RowWriter::new(&policy, Vec::new(), RowFormat::Csv, "out", &keys);
    let mut sink = AsDecimals(writer);
    population::run(
        &mut csv,
        &mut sink,
        &Settings::lean(Options::default()),
        |_| {},
    )
    .unwrap();
    sink.0.into_inner()
}

/// The plan's rows are written from its fixed-point columns, the others
/// from decimals: the bytes are the same.
#[test]
fn fixed_point_rows_write_as_their_decimals() {
    let text = population(20_000);
    assert!(written(&text, RowFormat::Csv, false) == as_decimals(&text));
}

fn written(text: &str, format: RowFormat, one_by_one: bool) -> Vec<u8> {
    let source = std::fs::read_to_string("examples/bench/anchor.decree").unwrap_or_default();
    let policy = decree::load(&SourceFile::new("anchor.decree", source)).unwrap();
    let keys = vec!["id".to_string()];
    let read = ReadOptions {
        name: "pop.csv".into(),
        keys: keys.clone(),
        strict: false,
    };
    let (mut csv, _) = Csv::new(&policy, text.as_bytes(), &read).unwrap();
    let writer = RowWriter::new(&policy, Vec::new(), format, "out", &keys);
    let settings = Settings::lean(Options::default());
    if one_by_one {
        let mut sink = OneByOne(writer);
        population::run(&mut csv, &mut sink, &settings, |_| {}).unwrap();
        sink.0.into_inner()
    } else {
        let mut sink = writer;
        population::run(&mut csv, &mut sink, &settings, |_| {}).unwrap();
        sink.into_inner()
    }
}

#[test]
fn chunks_on_every_core_write_the_rows_bytes() {
    let text = population(40_000);
    for format in [RowFormat::Csv, RowFormat::JsonLines] {
        let all_at_once = written(&text, format, false);
        let one_by_one = written(&text, format, true);
        assert!(all_at_once.len() > 1_000_000, "{format:?}");
        assert!(all_at_once == one_by_one, "{format:?}: the outputs differ");
    }
}
