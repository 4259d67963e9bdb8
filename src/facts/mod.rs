//! Facts: an enterprise's facts files (JSON, TOML, YAML), CSV cells and
//! `--set` values, read into typed [`Facts`] by the policy's declarations.
//!
//! [`read_entries`] turns a document into [`Raw`] entries; [`convert`]
//! types one raw value by a unit, with the one set of spellings every
//! input path shares (see [`convert`]'s module: conditions `true`/`false`
//! in any case or `是`/`否`, sets `a;b`, money `"1.2亿"` …), and
//! [`parse_text_value`] does the same for a value written as text.
//! [`load_as`] reads a whole facts document in a format the caller names;
//! [`load`] takes the format from a file's name.
//!
//! Money may be a number of yuan or a string with a magnitude (`"1.2亿"`,
//! `"5000万元"`, `"50M"`), also as people type it (`"5,000万"`,
//! `"５０００万"`: see `spelling`); rates `"20%"` or `0.2`; dates ISO or
//! `"2022年1月1日"`. Every number keeps to the 28-digit rule of
//! [`crate::syntax::literal::MAX_DIGITS`]. JSON numbers are read from their
//! exact text; a TOML or YAML float too long to be exact in binary is
//! refused rather than rounded. Wrong types, negative money and duplicate
//! keys are errors naming the file and key; a bare rate above 1 is a
//! warning ([`doubt`]); the unknown keys of a file are one warning (with a
//! "did you mean" on the keys that resemble a fact); keys starting with `_`
//! are notes and ignored.

mod convert;
mod dated_setting;
mod read;
mod records;
mod setting;
mod spelling;

use std::collections::BTreeMap;

use crate::check::Policy;
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::eval::Facts;
use crate::span::{SourceFile, Span};

pub use convert::{Doubt, convert, doubt, doubt_text, example_of, parse_bool, parse_text_value};
pub use read::{Raw, read_entries};
pub use records::{field_named, records};
pub use setting::apply_setting;

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
    /// The format a file name's extension says (`.json`, `.toml`, `.yaml`,
    /// `.yml`, in any case); `None` for any other name.
    pub fn from_path(path: &str) -> Option<Format> {
        let ext = std::path::Path::new(path)
            .extension()?
            .to_string_lossy()
            .to_ascii_lowercase();
        match ext.as_str() {
            "json" => Some(Format::Json),
            "toml" => Some(Format::Toml),
            "yaml" | "yml" => Some(Format::Yaml),
            _ => None,
        }
    }
}

/// Reads a facts file for `policy`, in the format its name says
/// ([`Format::from_path`]). Returns the facts and any warnings.
///
/// # Errors
/// A name that is no facts file's, and every error of [`load_as`].
pub fn load(policy: &Policy, source: &SourceFile) -> Result<(Facts, Vec<Diagnostic>), Diagnostics> {
    let format = format_of(source)?;
    load_as(policy, source, format)
}

/// The format of a facts file, by its name.
///
/// # Errors
/// A name that is no facts file's.
pub fn format_of(source: &SourceFile) -> Result<Format, Diagnostic> {
    Format::from_path(&source.name).ok_or_else(|| {
        Diagnostic::error(
            Code::Facts,
            format!("`{}` is not a facts file", source.name),
        )
        .help("facts files end in .json, .toml, .yaml or .yml")
    })
}

/// Reads a facts document in `format` for `policy`: the enterprise is
/// named after the source (its name without directory and extension).
/// Returns the facts and any warnings.
///
/// # Errors
/// The document's syntax, and every key given twice or with a value of
/// the wrong type (all of them, not only the first).
pub fn load_as(
    policy: &Policy,
    source: &SourceFile,
    format: Format,
) -> Result<(Facts, Vec<Diagnostic>), Diagnostics> {
    let entries = read_entries(source, format).map_err(Diagnostics::from)?;
    from_entries(policy, source, entries, &[])
}

/// Types the entries of a facts document (as [`read_entries`] gives them)
/// for `policy`. Keys in `not_facts` are known to the caller (a population
/// run's key fields): when they are no fact, they are not warned about.
///
/// # Errors
/// Every key given twice or with a value of the wrong type.
pub fn from_entries(
    policy: &Policy,
    source: &SourceFile,
    entries: Vec<(String, Raw)>,
    not_facts: &[String],
) -> Result<(Facts, Vec<Diagnostic>), Diagnostics> {
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
    let mut unknown: Vec<(String, Span)> = Vec::new();
    let mut given: Vec<usize> = Vec::new();
    for (key, raw) in entries {
        let nth = seen.entry(key.clone()).or_insert(0);
        let this = *nth;
        *nth += 1;
        // Found only for a diagnostic: searching the text for every key
        // would cost more than the rest of reading a population row.
        let at = |key: &str| key_span(&source.text, key, this);
        if key.starts_with('_') {
            continue;
        }
        if this > 0 {
            errors.push(given_twice(source, &key, at(&key)));
            continue;
        }
        let Some((id, unit)) = policy.fact_named(&key).map(|(id, f)| (id, f.unit)) else {
            if !not_facts.contains(&key) {
                let span = at(&key);
                unknown.push((key, span));
            }
            continue;
        };
        given.push(id.0);
        if let Some(d) = doubt(unit, &raw) {
            warnings.push(
                Diagnostic::warning(Code::Facts, format!("fact `{key}`: {}", d.message))
                    .label(at(&key), "a bare number for a rate")
                    .help(d.help)
                    .in_source(source),
            );
        }
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
    warnings.extend(unknown_keys(policy, source, &unknown, &given));
    if errors.is_empty() {
        Ok((facts, warnings))
    } else {
        errors.extend(warnings);
        errors.sort_by_key(|d| d.span().map(|s| s.start));
        Err(Diagnostics(errors))
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

fn given_twice(source: &SourceFile, key: &str, at: Span) -> Diagnostic {
    Diagnostic::error(
        Code::Facts,
        format!("`{key}` is given twice in {}", source.name),
    )
    .label(at, "given again here")
    .label(key_span(&source.text, key, 0), "first given here")
    .help("give each fact once")
    .in_source(source)
}

/// One warning for every key the policy does not declare: a facts file
/// drawn up for a larger policy has dozens, and one warning each would
/// bury the rest. A key gets a label only when it resembles a fact (a
/// likely misspelling, with its did-you-mean); otherwise the first key is
/// labelled, and the message names them all. A fact the file gives
/// (`given`, by index) is never suggested: `is_manufacturing_enterprise`
/// beside `is_industrial_enterprise` is another fact, not a misspelling.
fn unknown_keys(
    policy: &Policy,
    source: &SourceFile,
    keys: &[(String, Span)],
    given: &[usize],
) -> Option<Diagnostic> {
    let ((first, first_at), rest) = keys.split_first()?;
    let names = || {
        policy
            .facts
            .iter()
            .enumerate()
            .filter(|(i, _)| !given.contains(i))
            .map(|(_, f)| f.name.as_str())
    };
    if rest.is_empty() {
        let d = Diagnostic::warning(
            Code::UnknownFact,
            format!("`{first}` is not a fact of this policy: ignored"),
        )
        .label(*first_at, "unknown key")
        .in_source(source);
        return Some(match crate::check::suggest(first, names()) {
            Some(name) => d.help(format!("did you mean `{name}`?")),
            None => d.help("keys starting with `_` are notes and are ignored silently"),
        });
    }
    let listed: Vec<String> = keys.iter().map(|(k, _)| format!("`{k}`")).collect();
    let mut d = Diagnostic::warning(
        Code::UnknownFact,
        format!(
            "{} keys are not facts of this policy and are ignored: {}",
            keys.len(),
            listed.join(", ")
        ),
    );
    let mut near = false;
    for (key, at) in keys {
        if let Some(name) = crate::check::suggest(key, names()) {
            d = d.label(*at, format!("did you mean `{name}`?"));
            near = true;
        }
    }
    if !near {
        d = d.label(*first_at, "not a fact of this policy");
    }
    let help = if near {
        "a misspelt key counts as not given; keys starting with `_` are notes and are ignored silently"
    } else {
        "keys starting with `_` are notes and are ignored silently"
    };
    Some(d.help(help).in_source(source))
}
