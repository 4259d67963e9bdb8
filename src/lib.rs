//! decree: the measures of a policy document written as code, checked before
//! they run, evaluated exactly and explained.
//!
//! The pipeline is one stage per module:
//! [`syntax`] (text → [`ast`]) → [`check`] (names, cycles, units → [`Policy`])
//! → [`eval`] (policy + [`Facts`] → [`Evaluation`]) → [`report`] (tables, JSON).
//! Every stage reports problems as [`Diagnostic`]s, which render with miette
//! or serialize as data. The library never prints and never exits.
//!
//! ```
//! use decree::{Facts, Options, SourceFile};
//!
//! let src = SourceFile::new("demo.decree", r#"
//!     fact investment: money "技术改造项目投资额"
//!     measure 8 "以技术改造引领智能化转型" {
//!       subsidy tech_upgrade = min(20% * investment, 5000万)
//!     }
//! "#);
//! let policy = decree::load(&src).expect("a valid policy");
//! let facts = decree::facts_from_pairs(&policy, &[("investment", "1.2亿")]).expect("valid facts");
//! let result = decree::evaluate(&policy, &facts, &Options::default());
//! let item = result.item("tech_upgrade").expect("the item");
//! assert_eq!(item.amount.map(|a| a.to_string()), Some("24000000".to_string()));
//! ```

pub mod ast;
pub mod batch;
pub mod check;
pub mod diagnostic;
pub mod diff;
pub mod eval;
pub mod facts;
pub mod fmt;
pub mod plan;
pub mod repl;
pub mod report;
pub mod span;
pub mod syntax;
pub mod testing;
pub mod value;

pub use check::Policy;
pub use diagnostic::{Code, Diagnostic, Diagnostics, RenderStyle};
pub use eval::{Evaluation, Facts, Options, evaluate};
pub use span::SourceFile;

/// Resource limits applied while reading untrusted input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest source file accepted, in bytes.
    pub max_source_bytes: usize,
    /// Deepest nesting of brackets and expressions.
    pub max_depth: usize,
    /// Most rows in one tier table or schedule.
    pub max_table_rows: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_source_bytes: 4 * 1024 * 1024,
            max_depth: 64,
            max_table_rows: 1000,
        }
    }
}

/// Parses and checks a policy with the default [`Limits`].
pub fn load(source: &SourceFile) -> Result<Policy, Diagnostics> {
    load_with(source, &Limits::default())
}

/// Parses and checks a policy.
pub fn load_with(source: &SourceFile, limits: &Limits) -> Result<Policy, Diagnostics> {
    let program = syntax::parse(source, limits)?;
    check::check(source, &program)
}

/// Builds facts from `(name, value)` pairs written as in a facts file
/// (`"1.2亿"`, `"20%"`, `"2025-01-01"`, `"true"`).
pub fn facts_from_pairs(policy: &Policy, pairs: &[(&str, &str)]) -> Result<Facts, Diagnostics> {
    let mut facts = Facts::default();
    let mut errors = Vec::new();
    for (name, text) in pairs {
        let unit = match policy.lookup(name) {
            Some(check::Symbol::Fact(i)) => policy.facts.get(i).map(|f| f.unit),
            _ => None,
        };
        let Some(unit) = unit else {
            errors.push(Diagnostic::error(
                Code::Facts,
                format!("`{name}` is not a fact of this policy"),
            ));
            continue;
        };
        let raw = match *text {
            "true" => facts::Raw::Bool(true),
            "false" => facts::Raw::Bool(false),
            t => facts::Raw::Str(t.to_string()),
        };
        match facts::convert(policy, unit, &raw) {
            Ok(Some(v)) => {
                facts.values.insert(name.to_string(), v);
            }
            Ok(None) => {}
            Err(why) => errors.push(Diagnostic::error(
                Code::Facts,
                format!("fact `{name}`: {why}"),
            )),
        }
    }
    if errors.is_empty() {
        Ok(facts)
    } else {
        Err(Diagnostics(errors))
    }
}
