//! decree: the measures of a policy document written as code, checked before
//! they run, evaluated exactly and explained.
//!
//! The pipeline is one stage per module:
//! [`syntax`] (text → [`ast`]) → [`check`] (names, cycles, units → [`Policy`])
//! → [`eval`] (policy + [`Facts`] → [`Evaluation`]) → [`report`] (tables, JSON).
//! [`population`] runs a policy over a whole register, streamed, for the
//! CLI and embedders alike; [`facts`] reads an enterprise's facts;
//! [`matching`] matches a partial profile of one to a policy: what is
//! granted, what is still open, and the most each open item could be worth.
//! Every stage reports problems as [`Diagnostic`]s, which render with miette
//! or serialize as data. The library never prints, never exits and opens no
//! file: the host reads files and hands over their text.
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
pub mod check;
pub mod dated;
pub mod diagnostic;
pub mod diff;
pub mod eval;
pub mod facts;
pub mod fmt;
pub mod limits;
/// The profile match for 免申即享 portals: [`matching::match_profile`].
pub mod matching;
pub mod plan;
pub mod population;
pub mod repl;
pub mod report;
pub mod service;
pub mod span;
pub mod syntax;
pub mod testing;
pub mod units;
pub mod value;

pub use check::Policy;
pub use diagnostic::{Code, Diagnostic, Diagnostics, RenderStyle};
pub use eval::{Evaluation, Facts, Options, evaluate};
pub use limits::Limits;
pub use span::SourceFile;

/// Parses and checks a policy with the default [`Limits`].
pub fn load(source: &SourceFile) -> Result<Policy, Diagnostics> {
    load_with(source, &Limits::default())
}

/// Parses and checks a policy.
pub fn load_with(source: &SourceFile, limits: &Limits) -> Result<Policy, Diagnostics> {
    let program = syntax::parse(source, limits)?;
    check_program(source, &program)
}

/// Checks a parsed policy file. A file that declares nothing (empty, or
/// only comments) is an error: it is almost surely the wrong file, and
/// running it would grant nothing and say nothing.
pub fn check_program(source: &SourceFile, program: &ast::Program) -> Result<Policy, Diagnostics> {
    if program.decls.is_empty() {
        let what = if source.text.trim().is_empty() {
            "is empty"
        } else {
            "holds only comments"
        };
        return Err(Diagnostic::error(
            Code::Invalid,
            format!("`{}` {what}: it declares no policy, fact or measure", source.name),
        )
        .label(span::Span::new(0, 0), "nothing declared from here")
        .help("a policy file declares measures, e.g. measure 8 \"…\" { subsidy s = min(20% * investment, 5000万) }")
        .in_source(source)
        .into());
    }
    check::check(source, program)
}

/// Builds facts from JSON, TOML or YAML text, as a facts file with that
/// content would give them; `name` names the enterprise in results and
/// diagnostics. Returns the facts and any warnings (e.g. unknown names).
///
/// # Errors
/// The text's syntax, and every value of the wrong type.
pub fn facts_from_str(
    policy: &Policy,
    name: &str,
    text: &str,
    format: facts::Format,
) -> Result<(Facts, Vec<Diagnostic>), Diagnostics> {
    let (mut facts, warnings) = facts::load_as(policy, &SourceFile::new(name, text), format)?;
    facts.name = name.to_string();
    Ok((facts, warnings))
}

/// Builds facts from any serializable value whose fields are fact names:
/// a struct, a map. Amounts are best given as strings (`"1.2亿"`) or as
/// `rust_decimal::Decimal`s, which serialize exactly; an `f64` is taken as
/// its shortest decimal text.
///
/// ```
/// #[derive(serde::Serialize)]
/// struct Enterprise { investment: &'static str }
///
/// let policy = decree::load(&decree::SourceFile::new("p.decree", r#"
///     fact investment: money
///     measure 8 "技改" { subsidy tech_upgrade = min(20% * investment, 5000万) }
/// "#)).expect("a valid policy");
/// let (facts, warnings) = decree::facts_from_serialize(&policy, "e", &Enterprise { investment: "3亿" })
///     .expect("valid facts");
/// assert!(warnings.is_empty());
/// let result = decree::evaluate(&policy, &facts, &decree::Options::default());
/// assert_eq!(result.total.min.to_string(), "50000000");
/// ```
pub fn facts_from_serialize<T: serde::Serialize + ?Sized>(
    policy: &Policy,
    name: &str,
    value: &T,
) -> Result<(Facts, Vec<Diagnostic>), Diagnostics> {
    let text = serde_json::to_string(value).map_err(|e| {
        Diagnostics::from(
            Diagnostic::error(
                Code::Facts,
                format!("these facts cannot be serialized: {e}"),
            )
            .help("pass a struct or a map of fact names to values"),
        )
    })?;
    facts_from_str(policy, name, &text, facts::Format::Json)
}

/// Builds facts from `(name, value)` pairs written as text, with the
/// spellings of a CSV cell or `--set` ([`facts::parse_text_value`]:
/// `"1.2亿"`, `"20%"`, `"2025-01-01"`, `"true"`, `"是"`, `"a;b"`).
///
/// # Errors
/// Names that are no fact of the policy (with a "did you mean") and values
/// of the wrong type, all of them.
pub fn facts_from_pairs(policy: &Policy, pairs: &[(&str, &str)]) -> Result<Facts, Diagnostics> {
    let mut facts = Facts::default();
    let mut errors = Vec::new();
    for (name, text) in pairs {
        let Some((id, unit)) = policy.fact_named(name).map(|(id, f)| (id, f.unit)) else {
            let d = Diagnostic::error(
                Code::Facts,
                format!("`{name}` is not a fact of this policy"),
            );
            let names = policy.facts.iter().map(|f| f.name.as_str());
            errors.push(match check::suggest(name, names) {
                Some(b) => d.help(format!("did you mean `{b}`?")),
                None => d,
            });
            continue;
        };
        match facts::parse_text_value(policy, unit, text) {
            Ok(Some(v)) => facts.set(id, v),
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
