//! Facts files (JSON, TOML, YAML) and `--set` values, read into typed
//! [`Facts`] by the policy's declarations.
//!
//! Money may be a number of yuan or a string with a magnitude (`"1.2亿"`,
//! `"5000万元"`, `"50M"`); rates `"20%"` or `0.2`; dates ISO. JSON numbers are
//! read from their exact text; a TOML or YAML float too long to be exact in
//! binary is refused rather than rounded. Wrong types, negative money and
//! duplicate keys are errors naming the file and key; unknown keys are
//! warnings; keys starting with `_` are notes and ignored.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use rust_decimal::Decimal;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};

use crate::ast::LitValue;
use crate::check::Policy;
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::eval::{Facts, Options};
use crate::span::{SourceFile, Span};
use crate::syntax::literal;
use crate::value::{Unit, Value};

/// A value as a facts file gives it, before typing.
#[derive(Debug, Clone, PartialEq)]
pub enum Raw {
    /// `null` / `~`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number, as its exact decimal text.
    Number(String),
    /// A string.
    Str(String),
    /// A list.
    List(Vec<Raw>),
    /// A table / object.
    Table,
    /// A binary float (TOML, YAML) that cannot be taken as the decimal the
    /// file meant: more than 15 significant digits, infinite or NaN. Holds
    /// the float's shortest text.
    InexactFloat(String),
}

/// The format of a facts file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `.json`
    Json,
    /// `.toml`
    Toml,
    /// `.yaml` / `.yml`
    Yaml,
}

impl Format {
    /// The format a file name's extension says.
    pub fn from_path(path: &str) -> Option<Format> {
        let ext = path.rsplit('.').next()?.to_ascii_lowercase();
        match ext.as_str() {
            "json" => Some(Format::Json),
            "toml" => Some(Format::Toml),
            "yaml" | "yml" => Some(Format::Yaml),
            _ => None,
        }
    }
}

/// Entries of a map in file order, duplicates kept so they can be reported.
struct Entries<V>(Vec<(String, V)>);

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Entries<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V2<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for V2<V> {
            type Value = Entries<V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a table of facts, name = value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = m.next_entry::<String, V>()? {
                    out.push((k, v));
                }
                Ok(Entries(out))
            }
        }
        d.deserialize_map(V2(std::marker::PhantomData))
    }
}

fn from_json(v: serde_json::Value) -> Raw {
    match v {
        serde_json::Value::Null => Raw::Null,
        serde_json::Value::Bool(b) => Raw::Bool(b),
        serde_json::Value::Number(n) => Raw::Number(n.to_string()),
        serde_json::Value::String(s) => Raw::Str(s),
        serde_json::Value::Array(a) => Raw::List(a.into_iter().map(from_json).collect()),
        serde_json::Value::Object(_) => Raw::Table,
    }
}

fn float_text(f: f64) -> Raw {
    // The shortest text that reads back as the same binary float. With at
    // most 15 significant digits it is exactly what the file said; beyond,
    // it may not be. Zeros padding a large float (`1e20` prints as 1 and 20
    // zeros) are not significant.
    if !f.is_finite() {
        return Raw::InexactFloat(format!("{f}"));
    }
    let text = format!("{f}");
    let digits = text
        .chars()
        .filter(char::is_ascii_digit)
        .collect::<String>();
    let significant = digits.trim_start_matches('0').trim_end_matches('0').len();
    if significant > 15 {
        Raw::InexactFloat(text)
    } else if text.len() > 40 {
        // 1e300 or 1e-300: keep the exponent rather than hundreds of zeros.
        Raw::Number(format!("{f:e}"))
    } else {
        Raw::Number(text)
    }
}

fn from_toml(v: toml::Value) -> Raw {
    match v {
        toml::Value::Boolean(b) => Raw::Bool(b),
        toml::Value::Integer(i) => Raw::Number(i.to_string()),
        toml::Value::Float(f) => float_text(f),
        toml::Value::String(s) => Raw::Str(s),
        toml::Value::Datetime(d) => Raw::Str(d.to_string()),
        toml::Value::Array(a) => Raw::List(a.into_iter().map(from_toml).collect()),
        toml::Value::Table(_) => Raw::Table,
    }
}

fn from_yaml(v: serde_norway::Value) -> Raw {
    match v {
        serde_norway::Value::Null => Raw::Null,
        serde_norway::Value::Bool(b) => Raw::Bool(b),
        serde_norway::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Raw::Number(i.to_string())
            } else if let Some(u) = n.as_u64() {
                Raw::Number(u.to_string())
            } else {
                float_text(n.as_f64().unwrap_or(f64::NAN))
            }
        }
        serde_norway::Value::String(s) => Raw::Str(s),
        serde_norway::Value::Sequence(a) => Raw::List(a.into_iter().map(from_yaml).collect()),
        serde_norway::Value::Mapping(_) => Raw::Table,
        serde_norway::Value::Tagged(t) => from_yaml(t.value),
    }
}

/// Reads the entries of a facts file, or says where its syntax breaks.
pub fn read_entries(source: &SourceFile, format: Format) -> Result<Vec<(String, Raw)>, Diagnostic> {
    let text: &str = &source.text;
    let help = match format {
        Format::Json => {
            "a JSON facts file is one object, name: value: { \"annual_output\": \"620亿\", \"is_industrial_enterprise\": true }"
        }
        Format::Toml => {
            "a TOML facts file is a table of name = value lines, each name once: annual_output = \"620亿\"; write numbers of more than 15 digits in quotes"
        }
        Format::Yaml => {
            "a YAML facts file is a mapping of name: value lines: annual_output: 620亿; write numbers of more than 15 digits in quotes"
        }
    };
    let syntax = |message: String, at: usize| {
        // On character boundaries: the label covers the whole character.
        let mut at = at.min(text.len());
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        let end = at
            + text
                .get(at..)
                .and_then(|r| r.chars().next())
                .map_or(0, char::len_utf8);
        Diagnostic::error(Code::Facts, message)
            .label(
                Span::new(at.min(text.len()), end.max(at.min(text.len()))),
                "here",
            )
            .help(help)
            .in_source(source)
    };
    if format == Format::Json && text.trim().is_empty() {
        return Err(Diagnostic::error(
            Code::Facts,
            format!(
                "`{}` is empty: it is not a JSON object of facts",
                source.name
            ),
        )
        .help("write {} for an enterprise of which no fact is known"));
    }
    match format {
        Format::Json => serde_json::from_str::<Entries<serde_json::Value>>(text)
            .map(|e| e.0.into_iter().map(|(k, v)| (k, from_json(v))).collect())
            .map_err(|e| {
                let at = source.offset_of(e.line(), e.column());
                syntax(
                    format!("this is not a JSON object of facts: {e}"),
                    at.saturating_sub(1),
                )
            }),
        Format::Toml => toml::from_str::<Entries<toml::Value>>(text)
            .map(|e| e.0.into_iter().map(|(k, v)| (k, from_toml(v))).collect())
            .map_err(|e| {
                let at = e.span().map_or(0, |s| s.start);
                syntax(
                    format!("this is not a TOML table of facts: {}", e.message()),
                    at,
                )
            }),
        Format::Yaml => serde_norway::from_str::<Entries<serde_norway::Value>>(text)
            .map(|e| e.0.into_iter().map(|(k, v)| (k, from_yaml(v))).collect())
            .map_err(|e| {
                let at = e.location().map_or(0, |l| l.index());
                syntax(format!("this is not a YAML mapping of facts: {e}"), at)
            }),
    }
}

/// Where a key is written in a facts file, for labels (best effort).
fn key_span(text: &str, key: &str, nth: usize) -> Span {
    let patterns = [
        format!("\"{key}\""),
        format!("{key}:"),
        format!("{key} ="),
        format!("{key}="),
    ];
    for p in &patterns {
        if let Some((at, _)) = text.match_indices(p.as_str()).nth(nth) {
            return Span::new(at, at + p.trim_end_matches([':', '=', ' ']).len());
        }
    }
    Span::new(0, 0)
}

/// Reads a facts file for `policy`. Returns the facts and any warnings.
pub fn load(policy: &Policy, source: &SourceFile) -> Result<(Facts, Vec<Diagnostic>), Diagnostics> {
    let format = Format::from_path(&source.name).ok_or_else(|| {
        Diagnostics::from(
            Diagnostic::error(
                Code::Facts,
                format!("`{}` is not a facts file", source.name),
            )
            .help("facts files end in .json, .toml, .yaml or .yml"),
        )
    })?;
    let entries = read_entries(source, format).map_err(Diagnostics::from)?;
    let name = std::path::Path::new(source.name.as_ref())
        .file_stem()
        .map_or_else(
            || source.name.to_string(),
            |s| s.to_string_lossy().into_owned(),
        );
    let mut facts = Facts::new(name);
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (key, raw) in entries {
        let nth = seen.entry(key.clone()).or_insert(0);
        let this = *nth;
        // Found only for a diagnostic: searching the text for every key
        // would cost more than the rest of reading a population row.
        let at = |key: &str| key_span(&source.text, key, this);
        *nth += 1;
        if key.starts_with('_') {
            continue;
        }
        if *nth > 1 {
            errors.push(
                Diagnostic::error(
                    Code::Facts,
                    format!("`{key}` is given twice in {}", source.name),
                )
                .label(at(&key), "given again here")
                .label(key_span(&source.text, &key, 0), "first given here")
                .help("give each fact once")
                .in_source(source),
            );
            continue;
        }
        let Some((id, unit)) = policy.fact_named(&key).map(|(id, f)| (id, f.unit)) else {
            warnings.push(unknown_key(policy, source, &key, at(&key)));
            continue;
        };
        match convert(policy, unit, &raw) {
            Ok(Some(v)) => facts.set(id, v),
            Ok(None) => warnings.push(
                Diagnostic::warning(
                    Code::Facts,
                    format!("`{key}` is null: treated as not given"),
                )
                .label(at(&key), "null")
                .in_source(source),
            ),
            Err(why) => errors.push(
                Diagnostic::error(
                    Code::Facts,
                    format!("fact `{key}` in {}: {why}", source.name),
                )
                .label(at(&key), format!("expected {}", policy.unit_name(unit)))
                .help(example_of(unit))
                .in_source(source),
            ),
        }
    }
    if errors.is_empty() {
        Ok((facts, warnings))
    } else {
        errors.extend(warnings);
        errors.sort_by_key(|d| d.span().map(|s| s.start));
        Err(Diagnostics(errors))
    }
}

fn unknown_key(policy: &Policy, source: &SourceFile, key: &str, at: Span) -> Diagnostic {
    let best = policy
        .facts
        .iter()
        .map(|f| (strsim::jaro_winkler(key, &f.name), f.name.as_str()))
        .filter(|(s, _)| *s > 0.75)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    let d = Diagnostic::warning(
        Code::UnknownFact,
        format!("`{key}` is not a fact of this policy: ignored"),
    )
    .label(at, "unknown key")
    .in_source(source);
    match best {
        Some((_, name)) => d.help(format!("did you mean `{name}`?")),
        None => d.help("keys starting with `_` are notes and are ignored silently"),
    }
}

fn example_of(unit: Unit) -> &'static str {
    match unit {
        Unit::Money => {
            "money is a number of yuan (12000000) or a string with a magnitude (\"1.2亿\", \"5000万元\", \"50M\")"
        }
        Unit::Rate => "a rate is \"20%\" or 0.2",
        Unit::Count => "a count is a whole number, 0 or more",
        Unit::Area => "an area is \"5000平方米\", \"1.5 km2\" or a number of square metres",
        Unit::Duration => "a duration is \"3 years\", \"18 months\" or \"90 days\"",
        Unit::Date => "a date is \"YYYY-MM-DD\"",
        Unit::Bool => "a condition is true or false",
        Unit::Text => "a text is a string",
        Unit::Enum(_) => "give the name or label of one of the enum's values",
        Unit::Set(_) => "give a list of the enum's values",
        Unit::Number => "give a number",
    }
}

/// Types a raw value by a unit. `Ok(None)` for null.
pub fn convert(policy: &Policy, unit: Unit, raw: &Raw) -> Result<Option<Value>, String> {
    let text = match raw {
        Raw::Null => return Ok(None),
        Raw::Table => return Err("a table is not a value".into()),
        Raw::InexactFloat(shown) => {
            return Err(if shown.parse::<f64>().is_ok_and(f64::is_finite) {
                format!(
                    "a number with more than 15 significant digits is read as a binary float and is not exact (it reads back as {shown}); write it in quotes, as a string, exactly as intended"
                )
            } else {
                format!("`{shown}` is not a finite number")
            });
        }
        Raw::Bool(b) => {
            return if unit == Unit::Bool {
                Ok(Some(Value::Bool(*b)))
            } else {
                Err(format!(
                    "`{b}` is a condition, not {}",
                    crate::value::with_article(&policy.unit_name(unit))
                ))
            };
        }
        Raw::List(items) => {
            let Unit::Set(e) = unit else {
                return Err("a list is not a single value".into());
            };
            let mut set = BTreeSet::new();
            for (n, it) in items.iter().enumerate() {
                match convert(policy, Unit::Enum(e), it) {
                    Ok(Some(Value::Variant(v))) => {
                        set.insert(v);
                    }
                    Err(why) if matches!(it, Raw::Str(_)) => return Err(why),
                    _ => {
                        return Err(format!(
                            "item {} of the list is not a value of the enum: the list must name the enum's values",
                            n + 1
                        ));
                    }
                }
            }
            return Ok(Some(Value::Set(set)));
        }
        Raw::Number(n) | Raw::Str(n) => n.trim(),
    };
    let is_number = matches!(raw, Raw::Number(_));
    if unit != Unit::Text {
        if let Some(c) = text.chars().find(|c| c.is_control()) {
            return Err(format!(
                "\"{}\" contains the control character U+{:04X}, which is part of no value",
                text.escape_debug(),
                u32::from(c)
            ));
        }
    }
    match unit {
        Unit::Text => {
            return if is_number {
                Err("a number is not a text".into())
            } else {
                Ok(Some(Value::Text(text.into())))
            };
        }
        Unit::Bool => return Err(format!("`{text}` is not true or false")),
        Unit::Enum(e) => {
            let info = policy.enums.get(e).ok_or("unknown enum")?;
            let found = info
                .variants
                .iter()
                .find(|(n, l)| n == text || l.as_deref() == Some(text));
            return match found {
                Some((n, _)) => Ok(Some(Value::Variant(n.clone()))),
                None => {
                    let names: Vec<&str> = info.variants.iter().map(|(n, _)| n.as_str()).collect();
                    Err(format!("`{text}` is not one of {}", names.join(", ")))
                }
            };
        }
        Unit::Set(_) => return Err("expected a list".into()),
        _ => {}
    }
    // Plain numbers (most cells of a population file) skip the grammar.
    let plain = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
        && text.bytes().filter(|b| *b == b'.').count() <= 1;
    let lit = match plain.then(|| Decimal::from_str_exact(text).ok()).flatten() {
        Some(d) => LitValue::Quantity(Unit::Number, d),
        None => literal::parse_literal(text)?,
    };
    let value = match (unit, lit) {
        (Unit::Date, LitValue::Date(d)) => Value::Date(d),
        (Unit::Duration, LitValue::Duration(d)) => Value::Duration(d),
        (
            Unit::Money | Unit::Area | Unit::Rate | Unit::Number,
            LitValue::Quantity(Unit::Number, d),
        ) => Value::Num(unit, d),
        (Unit::Count, LitValue::Quantity(Unit::Number, d)) => {
            if d.fract() != Decimal::ZERO {
                return Err(format!("`{text}` is not a whole number"));
            }
            if d.is_sign_negative() && !d.is_zero() {
                return Err(format!("`{text}` is negative"));
            }
            Value::Num(Unit::Count, d)
        }
        (u, LitValue::Quantity(lu, d)) if u == lu => Value::Num(u, d),
        (_, other) => {
            let what = match other {
                LitValue::Quantity(u, _) => u.name(),
                LitValue::Date(_) => "date",
                LitValue::Duration(_) => "duration",
                LitValue::Bool(_) => "bool",
                LitValue::Text(_) => "text",
            };
            return Err(format!(
                "`{text}` is {}, not {}",
                crate::value::with_article(what),
                crate::value::with_article(&policy.unit_name(unit))
            ));
        }
    };
    if let Value::Num(Unit::Money | Unit::Area, d) = &value {
        if d.is_sign_negative() && !d.is_zero() {
            return Err(format!("`{text}` is negative"));
        }
    }
    Ok(Some(value))
}

/// Applies one `--set NAME=VALUE` to evaluation options: a param's value, or
/// `issued=YYYY-MM-DD` for a draft's issue date.
pub fn apply_setting(
    policy: &Policy,
    setting: &str,
    options: &mut Options,
) -> Result<(), Diagnostic> {
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
        return match literal::parse_literal(value) {
            Ok(LitValue::Date(d)) => {
                options.issued = Some(d);
                Ok(())
            }
            _ => Err(
                Diagnostic::error(Code::Set, format!("`{value}` is not a date"))
                    .label(value_span, "expected YYYY-MM-DD")
                    .in_source(&source),
            ),
        };
    }
    let Some((_, param)) = policy.param_named(name) else {
        let best = policy
            .params
            .iter()
            .map(|p| (strsim::jaro_winkler(name, &p.name), p.name.as_str()))
            .filter(|(s, _)| *s > 0.75)
            .max_by(|a, b| a.0.total_cmp(&b.0));
        let d = Diagnostic::error(Code::Set, format!("`{name}` is not a param of this policy"))
            .label(Span::new(0, name.len()), "not a param")
            .in_source(&source);
        return Err(match best {
            Some((_, b)) => d.help(format!("did you mean `{b}`?")),
            None => d.help("only params (and `issued`) can be set; facts come from the facts file"),
        });
    };
    let unit = param.unit;
    let raw = match (unit, value) {
        (Unit::Bool, "true" | "是") => Raw::Bool(true),
        (Unit::Bool, "false" | "否") => Raw::Bool(false),
        _ => Raw::Str(value.to_string()),
    };
    match convert(policy, unit, &raw) {
        Ok(Some(v)) => {
            options.params.insert(name.to_string(), v);
            Ok(())
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_binary_float_is_taken_when_its_shortest_text_is_exact() {
        assert_eq!(float_text(0.1), Raw::Number("0.1".into()));
        assert_eq!(float_text(5e7), Raw::Number("50000000".into()));
        // 1e16 prints as 1 and 16 zeros: one significant digit, exact.
        assert_eq!(float_text(1e16), Raw::Number("10000000000000000".into()));
        // Far too large for a decimal, but exact as written: the exponent is
        // kept, and reading the number then says it is too large.
        assert_eq!(float_text(1e300), Raw::Number("1e300".into()));
        assert_eq!(
            // As a TOML or YAML parser reads `12345678.9012345678`.
            float_text("12345678.9012345678".parse().unwrap()),
            Raw::InexactFloat("12345678.901234567".into())
        );
        assert_eq!(float_text(f64::INFINITY), Raw::InexactFloat("inf".into()));
        assert_eq!(float_text(f64::NAN), Raw::InexactFloat("NaN".into()));
    }

    #[test]
    fn a_text_is_never_mistaken_for_a_float() {
        let src = SourceFile::new(
            "t.decree",
            "fact name: text \"企业名称\"\nfact n: money \"金额\"",
        );
        let policy = crate::load(&src).unwrap();
        let text = Raw::Str("\u{0}inexact:5".into());
        assert_eq!(
            convert(&policy, Unit::Text, &text),
            Ok(Some(Value::Text("\u{0}inexact:5".into())))
        );
        let err = convert(&policy, Unit::Money, &text).unwrap_err();
        assert!(err.contains("U+0000"), "{err}");
        assert!(!err.contains('\u{0}'), "{err}");
    }
}
