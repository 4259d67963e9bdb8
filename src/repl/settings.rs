//! What the session is given and gives back: the policy and facts files,
//! facts and params set at the prompt, what changed, facts written out.

use std::collections::BTreeMap;

use super::{Reply, Session};
use crate::check::{Policy, Symbol};
use crate::diagnostic::{Code, Diagnostic};
use crate::eval::Options;
use crate::span::SourceFile;
use crate::value::{Unit, Value};

impl Session {
    /// A file's text (through [`Files`](super::Files)), or the reply saying it cannot be
    /// read.
    fn read(&self, path: &str) -> Result<String, Box<Reply>> {
        self.files.read(path).map_err(|e| {
            Box::new(Reply::error(Diagnostic::error(
                Code::Io,
                format!("cannot read `{path}`: {e}"),
            )))
        })
    }

    /// Loads a policy file (through [`Files`](super::Files)).
    pub fn load(&mut self, path: &str) -> Reply {
        if path.is_empty() {
            return self.usage("which policy?", ":load FILE");
        }
        let text = match self.read(path) {
            Ok(t) => t,
            Err(r) => return *r,
        };
        let source = SourceFile::new(path, text.as_str());
        match crate::load(&source) {
            Ok(policy) => {
                let summary = format!(
                    "loaded {path}: {} measures, {} items, {} facts, {} params",
                    policy.measures.len(),
                    policy.items.len(),
                    policy.facts.len(),
                    policy.params.len()
                );
                let warnings = policy.warnings.clone();
                self.path = Some(path.to_string());
                self.text = text;
                self.policy = Some(policy);
                self.definitions.clear();
                Reply {
                    output: summary,
                    diagnostics: warnings,
                    quit: false,
                }
            }
            Err(d) => Reply::errors(d),
        }
    }

    /// Loads an enterprise's facts file (through [`Files`](super::Files)).
    pub fn load_facts(&mut self, path: &str) -> Reply {
        let policy = match self.need_policy() {
            Ok(p) => p,
            Err(r) => return *r,
        };
        if path.is_empty() {
            return self.usage("which facts file?", ":facts FILE");
        }
        let text = match self.read(path) {
            Ok(t) => t,
            Err(r) => return *r,
        };
        match crate::facts::load(policy, &SourceFile::new(path, text)) {
            Ok((facts, warnings)) => {
                let n = facts.len();
                let named: BTreeMap<String, Value> = facts
                    .named(policy)
                    .map(|(k, v)| (k.to_string(), v.clone()))
                    .collect();
                self.facts = named.clone();
                self.loaded_facts = named;
                Reply {
                    output: format!("loaded {n} facts from {path}"),
                    diagnostics: warnings,
                    quit: false,
                }
            }
            Err(d) => Reply::errors(d),
        }
    }

    /// `:set NAME = VALUE`: a fact, a param, `issued` or `at`.
    pub(super) fn set(&mut self, arg: &str) -> Reply {
        let policy = match self.need_policy() {
            Ok(p) => p,
            Err(r) => return *r,
        };
        // `＝` as a Chinese input method types it.
        let Some((name, value)) = arg.split_once(['=', '＝']) else {
            return self.usage("give a name and a value", ":set NAME = VALUE");
        };
        let (name, value) = (name.trim(), value.trim());
        if name == "at" {
            // The spellings of a date fact: 2026-01-01, 2026年1月1日, 2026/1/1.
            return match crate::facts::parse_text_value(policy, Unit::Date, value) {
                Ok(Some(Value::Date(d))) => {
                    self.options.at = Some(d);
                    Reply::text(format!("evaluation date = {d}"))
                }
                _ => self.usage(&format!("`{value}` is not a date"), ":set at = 2026-01-01"),
            };
        }
        let unit = match policy.lookup(name) {
            Some(Symbol::Fact(i)) => policy.fact(i).map(|f| f.unit),
            _ => None,
        };
        let Some(unit) = unit else {
            // A param, or `issued`: the same rules as --set.
            let mut options = self.options.clone();
            return match crate::facts::apply_setting(
                policy,
                &format!("{name}={value}"),
                &mut options,
            ) {
                Ok(warnings) => {
                    self.options = options;
                    let dated = self.options.dated_params.get(name).map(ToString::to_string);
                    let shown = self
                        .options
                        .params
                        .get(name)
                        .map(ToString::to_string)
                        .or(dated)
                        .unwrap_or_else(|| value.to_string());
                    let in_force = self.in_force_words(name);
                    Reply {
                        diagnostics: warnings,
                        ..Reply::text(format!("{name} = {shown}{in_force}"))
                    }
                }
                Err(d) => Reply::error(fact_or_param_help(policy, name, d)),
            };
        };
        // A value in quotes is the text inside; otherwise it reads as a CSV
        // cell or a `--set` value does, with the same spellings.
        let text = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(value);
        match crate::facts::parse_text_value(policy, unit, text) {
            Ok(Some(v)) => {
                let shown = v.to_string();
                self.facts.insert(name.to_string(), v);
                // A bare rate above 1 is taken as written and warned about,
                // as in a facts file.
                let doubt = crate::facts::doubt(unit, &crate::facts::Raw::Str(text.into()));
                let warnings = doubt.map(|d| {
                    Diagnostic::warning(Code::Facts, format!("fact `{name}`: {}", d.message))
                        .help(d.help)
                });
                Reply {
                    diagnostics: warnings.into_iter().collect(),
                    ..Reply::text(format!("{name} = {shown}"))
                }
            }
            Ok(None) => {
                self.facts.remove(name);
                Reply::text(format!("{name} is not given"))
            }
            Err(why) => Reply::error(
                Diagnostic::error(Code::Facts, format!("fact `{name}`: {why}"))
                    .help(format!("`{name}` is {}", policy.unit_name(unit))),
            ),
        }
    }

    /// `:unset NAME`.
    pub(super) fn unset(&mut self, name: &str) -> Reply {
        if self.facts.remove(name).is_some() {
            return Reply::text(format!("{name} is not given now"));
        }
        let dated = self.options.dated_params.remove(name).is_some();
        if self.options.params.remove(name).is_some() || dated {
            return Reply::text(format!("{name} is back to the policy's value"));
        }
        if name == "issued" && self.options.issued.take().is_some() {
            return Reply::text("issued is back to the policy's header");
        }
        Reply::error(
            Diagnostic::error(
                Code::Invalid,
                format!("`{name}` is neither a fact given nor a param set"),
            )
            .help(":changes lists what is set"),
        )
    }

    /// `:changes`: definitions, facts and params changed since loading.
    pub(super) fn changes(&self) -> Reply {
        let mut out = String::new();
        for d in &self.definitions {
            out.push_str(&format!("defined: {}\n", d.lines().next().unwrap_or("")));
        }
        for (k, v) in &self.facts {
            match self.loaded_facts.get(k) {
                None => out.push_str(&format!("fact {k}: (not given) → {v}\n")),
                Some(old) if old != v => out.push_str(&format!("fact {k}: {old} → {v}\n")),
                _ => {}
            }
        }
        for (k, old) in &self.loaded_facts {
            if !self.facts.contains_key(k) {
                out.push_str(&format!("fact {k}: {old} → (not given)\n"));
            }
        }
        for (k, v) in &self.options.params {
            let was = self.policy_value(k);
            out.push_str(&format!("param {k}: {was} → {v}\n"));
        }
        for (k, v) in &self.options.dated_params {
            let was = self.policy_value(k);
            out.push_str(&format!("param {k}: {was} → {v}\n"));
        }
        if let Some(d) = self.options.issued {
            out.push_str(&format!("issued: {d}\n"));
        }
        if out.is_empty() {
            out.push_str("nothing changed since the policy and facts were loaded\n");
        }
        Reply::text(out)
    }

    /// A param's value as the policy writes it: `tbd`, its constant value
    /// or, for a dated value, its parts (`?` for a name it does not have).
    fn policy_value(&self, name: &str) -> String {
        let Some((p, x)) = self
            .policy
            .as_ref()
            .and_then(|p| p.params.iter().find(|x| x.name == name).map(|x| (p, x)))
        else {
            return "?".to_string();
        };
        match &x.value {
            None => "tbd".to_string(),
            Some(e) => crate::eval::constant(p, e, &Options::default())
                .map_or_else(|_| crate::fmt::expr_text(e), |v| v.to_string()),
        }
    }

    /// For a param just set to a dated value, which part is in force at
    /// the session's evaluation date, with its window (or the gap), so a
    /// what-if says which value it is about: `; on 2023-08-01: 3,000万元
    /// (in force from 2023-07-01)`. Empty for any other param.
    fn in_force_words(&self, name: &str) -> String {
        let Some(setting) = self.options.dated_params.get(name) else {
            return String::new();
        };
        let Some(at) = self.options.at else {
            return "; no evaluation date: `:set at = YYYY-MM-DD` picks the part in force"
                .to_string();
        };
        match setting.at(at) {
            Ok((v, window)) => format!("; on {at}: {v} ({window})"),
            Err(crate::dated::InForce::Gap { after, before }) => {
                format!("; on {at}: {}", crate::dated::gap_words(at, after, before))
            }
            Err(crate::dated::InForce::Part(..)) => String::new(),
        }
    }

    /// `:write FILE`: the current facts as a facts file.
    pub(super) fn write(&mut self, path: &str) -> Reply {
        let Some(format) = crate::facts::Format::from_path(path) else {
            return self.usage(
                "write to a .json, .toml or .yaml file",
                ":write scenario.json",
            );
        };
        let mut map = serde_json::Map::new();
        for (k, v) in &self.facts {
            map.insert(k.clone(), fact_json(v));
        }
        let value = serde_json::Value::Object(map);
        let text = match format {
            crate::facts::Format::Json => {
                serde_json::to_string_pretty(&value).map_err(|e| e.to_string())
            }
            crate::facts::Format::Toml => toml::to_string(&value).map_err(|e| e.to_string()),
            crate::facts::Format::Yaml => {
                serde_norway::to_string(&value).map_err(|e| e.to_string())
            }
        };
        match text.and_then(|t| self.files.write(path, &t)) {
            Ok(()) => Reply::text(format!("wrote {} facts to {path}", self.facts.len())),
            Err(e) => Reply::error(Diagnostic::error(
                Code::Io,
                format!("cannot write `{path}`: {e}"),
            )),
        }
    }
}

/// A failed `:set` of a name that is not a fact: a bad value for a param
/// keeps its own diagnostic; an unknown name says what it might have meant.
fn fact_or_param_help(policy: &Policy, name: &str, d: Diagnostic) -> Diagnostic {
    if name == "issued" || matches!(policy.lookup(name), Some(Symbol::Param(_))) {
        return d;
    }
    let names = policy
        .facts
        .iter()
        .map(|f| f.name.as_str())
        .chain(policy.params.iter().map(|p| p.name.as_str()));
    Diagnostic::error(
        Code::UnknownName,
        format!("`{name}` is neither a fact nor a param"),
    )
    .help(match crate::check::suggest(name, names) {
        Some(b) => format!("did you mean `{b}`?"),
        None => ":set takes a fact or a param of the policy (or `issued`, `at`)".to_string(),
    })
}

/// A fact's value as a facts file writes it, readable back exactly.
fn fact_json(v: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        Value::Num(Unit::Money, d) => J::String(crate::value::format_money_plain(*d)),
        Value::Num(Unit::Rate, d) => J::String(crate::value::format_rate(*d)),
        Value::Num(Unit::Area, d) => J::String(format!("{}平方米", d.normalize())),
        // With their unit, which reads back (`1.5吨`, `30元/平方米`).
        Value::Num(Unit::Weight | Unit::MoneyPer(_), _) => J::String(v.to_string()),
        Value::Num(_, d) => J::String(d.normalize().to_string()),
        Value::Bool(b) => J::Bool(*b),
        Value::Set(s) => J::Array(s.iter().map(|x| J::String(x.clone())).collect()),
        Value::Text(t) | Value::Variant(t) => J::String(t.clone()),
        other => J::String(other.to_string()),
    }
}
