//! Facts documents as text: JSON, TOML and YAML read into [`Raw`]
//! entries, in file order, before any typing.
//!
//! JSON numbers keep their exact text (serde_json's
//! `arbitrary_precision`); a TOML or YAML float is taken as its shortest
//! decimal text only when that text is what the file meant (at most 15
//! significant digits), and is otherwise an [`Raw::InexactFloat`] that
//! typing refuses.

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};

use super::Format;
use crate::diagnostic::{Code, Diagnostic};
use crate::span::{SourceFile, Span};

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
    /// A table / object, its entries in file order (a record of a list
    /// fact; anywhere else, not a value).
    Table(Vec<(String, Raw)>),
    /// A binary float (TOML, YAML) that cannot be taken as the decimal the
    /// file meant: more than 15 significant digits, infinite or NaN. Holds
    /// the float's shortest text.
    InexactFloat(String),
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
        serde_json::Value::Object(o) => {
            Raw::Table(o.into_iter().map(|(k, v)| (k, from_json(v))).collect())
        }
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
        toml::Value::Table(t) => {
            Raw::Table(t.into_iter().map(|(k, v)| (k, from_toml(v))).collect())
        }
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
        serde_norway::Value::Mapping(m) => Raw::Table(
            m.into_iter()
                .map(|(k, v)| (yaml_key(k), from_yaml(v)))
                .collect(),
        ),
        serde_norway::Value::Tagged(t) => from_yaml(t.value),
    }
}

/// A YAML mapping's key as text (a key that is no string, such as `1`,
/// as its YAML text).
fn yaml_key(k: serde_norway::Value) -> String {
    match k {
        serde_norway::Value::String(s) => s,
        other => serde_norway::to_string(&other)
            .map(|t| t.trim().to_string())
            .unwrap_or_default(),
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
}
