//! `--set NAME=VALUE`: a param's value for one run, or a draft's issue
//! date, written with the same spellings as a facts file's values.

use super::Raw;
use super::convert::{doubt, example_of, parse_text_value};
use crate::check::Policy;
use crate::diagnostic::{Code, Diagnostic};
use crate::eval::Options;
use crate::span::{SourceFile, Span};
use crate::value::{Unit, Value};

/// Applies one `--set NAME=VALUE` to evaluation options: a param's value, or
/// `issued=YYYY-MM-DD` for a draft's issue date. Returns the warnings about
/// a value taken as written but likely meant otherwise ([`super::doubt`]:
/// `--set rate=20`).
///
/// # Errors
/// A [`Code::Set`] diagnostic, labelled in the setting's text: not
/// `NAME=VALUE`, a name that is no param (with a "did you mean"), or a
/// value that is not one of the param's type.
pub fn apply_setting(
    policy: &Policy,
    setting: &str,
    options: &mut Options,
) -> Result<Vec<Diagnostic>, Diagnostic> {
    let source = SourceFile::new("--set", setting);
    let whole = Span::new(0, setting.len());
    let Some((name, value)) = setting.split_once('=') else {
        return Err(
            Diagnostic::error(Code::Set, format!("`{setting}` is not NAME=VALUE"))
                .label(whole, "here")
                .help("e.g. --set growth_rate_threshold=15% or --set issued=2021-01-01")
                .in_source(&source),
        );
    };
    let (name, value) = (name.trim(), value.trim());
    let value_span = Span::new(setting.len() - value.len(), setting.len());
    if name == "issued" {
        // The same spellings as a date fact: ISO, 2022年1月1日, 2022/1/1.
        return match parse_text_value(policy, Unit::Date, value) {
            Ok(Some(Value::Date(d))) => {
                options.issued = Some(d);
                Ok(Vec::new())
            }
            _ => Err(
                Diagnostic::error(Code::Set, format!("`{value}` is not a date"))
                    .label(value_span, "expected a date")
                    .help(example_of(Unit::Date))
                    .in_source(&source),
            ),
        };
    }
    let Some((_, param)) = policy.param_named(name) else {
        let d = Diagnostic::error(Code::Set, format!("`{name}` is not a param of this policy"))
            .label(Span::new(0, name.len()), "not a param")
            .in_source(&source);
        let names = policy.params.iter().map(|p| p.name.as_str());
        return Err(match crate::check::suggest(name, names) {
            Some(b) => d.help(format!("did you mean `{b}`?")),
            None => d.help("only params (and `issued`) can be set; facts come from the facts file"),
        });
    };
    let unit = param.unit;
    if super::dated_setting::is_dated(value) {
        return match super::dated_setting::parse_dated(policy, unit, value) {
            Ok(setting) => {
                options.params.remove(name);
                options.dated_params.insert(name.to_string(), setting);
                Ok(Vec::new())
            }
            Err(why) => Err(Diagnostic::error(Code::Set, format!("`{name}`: {why}"))
                .label(value_span, "a dated value")
                .help("write each part as VALUE from DATE [until DATE] (in Chinese 自 and 至), e.g. 5000万 from 2021-01-01, 3000万 from 2023-07-01")
                .in_source(&source)),
        };
    }
    match parse_text_value(policy, unit, value) {
        Ok(Some(v)) => {
            options.dated_params.remove(name);
            options.params.insert(name.to_string(), v);
            let doubts = doubt(unit, &Raw::Str(value.to_string())).map(|d| {
                Diagnostic::warning(Code::Set, format!("`{name}`: {}", d.message))
                    .label(value_span, "a bare number for a rate")
                    .help(d.help)
                    .in_source(&source)
            });
            Ok(doubts.into_iter().collect())
        }
        Ok(None) => Err(Diagnostic::error(Code::Set, "no value")
            .label(value_span, "here")
            .in_source(&source)),
        Err(why) => Err(Diagnostic::error(Code::Set, format!("`{name}`: {why}"))
            .label(value_span, format!("expected {}", policy.unit_name(unit)))
            .help(example_of(unit))
            .in_source(&source)),
    }
}
