//! The comparison every test of a population run makes: the rows the
//! population loop gives (through the compiled plan where it compiles,
//! the interpreter otherwise) against each enterprise evaluated alone by
//! the interpreter — every status, amount, cause and total, digit for
//! digit, but for where a row is and what it is called.

use decree::eval::Facts;
use decree::population::read::Source;
use decree::population::{Collect, RowResult, Settings};
use decree::{Options, Policy};

/// Every row of `source` through the population loop, lean (as `decree
/// batch` runs it).
pub fn run<'p>(mut source: impl Source<'p>, options: &Options) -> Collect {
    let mut sink = Collect::default();
    decree::population::run(
        &mut source,
        &mut sink,
        &Settings::lean(options.clone()),
        |_| {},
    )
    .expect("the population runs");
    sink
}

/// Each enterprise of `facts` evaluated alone, as a row.
pub fn each_alone<'a>(
    policy: &Policy,
    facts: impl IntoIterator<Item = &'a Facts>,
    options: &Options,
) -> Vec<RowResult> {
    facts
        .into_iter()
        .map(|f| RowResult::from_evaluation(policy, 0, &decree::evaluate(policy, f, options)))
        .collect()
}

/// Every row of `got` the same as its enterprise evaluated alone
/// (`expected`, in order), digit for digit, and none rejected; `how`
/// names the run in a failure.
pub fn agree(how: &str, got: &Collect, expected: &[RowResult]) {
    assert!(got.rejected.is_empty(), "{how}: {:?}", got.rejected);
    assert_eq!(got.rows.len(), expected.len(), "{how}");
    for (i, (g, e)) in got.rows.iter().zip(expected).enumerate() {
        let g = RowResult {
            line: 0,
            name: e.name.clone(),
            ..g.clone()
        };
        assert_eq!(&g, e, "{how}: enterprise {i}");
        // Digit for digit, not only equal as numbers.
        for (a, b) in g.items.iter().zip(&e.items) {
            assert_eq!(
                format!("{:?}", (a.min, a.max)),
                format!("{:?}", (b.min, b.max)),
                "{how}: enterprise {i}"
            );
        }
    }
}
