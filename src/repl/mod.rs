//! The REPL's session: what-if scenarios over a policy, as data.
//!
//! A [`Session`] holds a policy (its text, which definitions typed at the
//! prompt edit), an enterprise's facts, param overrides and saved scenarios.
//! [`Session::execute`] runs one input — a `:command`, a definition or an
//! expression — and returns a [`Reply`] with the text to show and the
//! diagnostics; the session keeps its state whatever the input. It never
//! prints and never touches files itself: the host passes [`Files`].
//! The terminal front end (rustyline) is in [`editor`].

pub mod editor;

use std::collections::BTreeMap;

use crate::ast::{Decl, Expr, MeasureEntry};
use crate::check::{Policy, Symbol};
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::eval::{Evaluation, Facts, Options, Status};
use crate::facts::Raw;
use crate::span::SourceFile;
use crate::syntax::scan::{TokenKind, scan};
use crate::value::{Unit, Value, format_money};
use crate::{Limits, report, syntax};

/// File access granted by the host.
pub trait Files {
    /// Reads a whole file as text.
    fn read(&self, path: &str) -> Result<String, String>;
    /// Writes a whole file.
    fn write(&self, path: &str, text: &str) -> Result<(), String>;
}

/// What one input produced.
#[derive(Debug, Default)]
pub struct Reply {
    /// Text to show.
    pub output: String,
    /// Errors and warnings, to render.
    pub diagnostics: Vec<Diagnostic>,
    /// Whether the user asked to leave.
    pub quit: bool,
}

impl Reply {
    fn text(output: impl Into<String>) -> Reply {
        Reply {
            output: output.into(),
            ..Reply::default()
        }
    }

    fn error(d: Diagnostic) -> Reply {
        Reply {
            diagnostics: vec![d],
            ..Reply::default()
        }
    }

    fn errors(d: Diagnostics) -> Reply {
        Reply {
            diagnostics: d.0,
            ..Reply::default()
        }
    }

    /// Whether it carries an error.
    pub fn failed(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// A saved what-if: the policy text, facts and settings at one moment.
#[derive(Debug, Clone)]
struct Scenario {
    text: String,
    facts: BTreeMap<String, Value>,
    options: Options,
}

/// A REPL session.
pub struct Session {
    files: Box<dyn Files>,
    path: Option<String>,
    original: String,
    text: String,
    policy: Option<Policy>,
    facts: BTreeMap<String, Value>,
    loaded_facts: BTreeMap<String, Value>,
    options: Options,
    scenarios: BTreeMap<String, Scenario>,
    definitions: Vec<String>,
    inputs: usize,
}

/// The commands, for `:help` and completion.
pub const COMMANDS: &[(&str, &str)] = &[
    (":help", "this list"),
    (
        ":load FILE",
        "load a policy (forgets definitions, keeps facts)",
    ),
    (":reload", "read the policy file again"),
    (
        ":facts FILE",
        "load an enterprise's facts (.json, .toml, .yaml)",
    ),
    (
        ":set NAME = VALUE",
        "set a fact or a param (also `issued`, `at`): :set investment = 3亿",
    ),
    (":unset NAME", "forget a fact or a param override"),
    (":eval [N]", "evaluate every measure, or measure N"),
    (":explain ITEM", "how an item's value was reached"),
    (
        ":save NAME",
        "save the current facts, settings and policy as a scenario",
    ),
    (":scenarios", "list saved scenarios"),
    (
        ":compare A [B]",
        "compare scenario A with B (default: the current state), item by item",
    ),
    (
        ":changes",
        "what changed since the policy and facts were loaded",
    ),
    (
        ":write FILE",
        "write the current facts to a file (.json, .toml, .yaml)",
    ),
    (
        ":add N ITEM",
        "add a new item to measure N: :add 8 award x = 100万",
    ),
    (":quit", "leave"),
];

impl Session {
    /// A session with no policy yet.
    pub fn new(files: Box<dyn Files>) -> Session {
        Session {
            files,
            path: None,
            original: String::new(),
            text: String::new(),
            policy: None,
            facts: BTreeMap::new(),
            loaded_facts: BTreeMap::new(),
            options: Options::default(),
            scenarios: BTreeMap::new(),
            definitions: Vec::new(),
            inputs: 0,
        }
    }

    /// Sets the evaluation date (the CLI passes today's).
    pub fn set_date(&mut self, at: Option<jiff::civil::Date>) {
        self.options.at = at;
    }

    /// The policy, if one is loaded.
    pub fn policy(&self) -> Option<&Policy> {
        self.policy.as_ref()
    }

    /// Names worth completing: items, facts, params, enum values and
    /// measure numbers.
    pub fn names(&self) -> Vec<String> {
        let Some(p) = &self.policy else {
            return Vec::new();
        };
        let mut names: Vec<String> = p.names.keys().cloned().collect();
        names.extend(p.measures.iter().map(|m| m.number.to_string()));
        names.sort();
        names
    }

    /// Whether `input` is unfinished: brackets still open, or it ends with
    /// `=` or an operator, so the prompt should continue on the next line.
    pub fn needs_more(input: &str) -> bool {
        const CONTINUED_BY: [&str; 10] = ["=", "=>", "+", "-", "*", "/", "×", "÷", "and", "or"];
        let mut depth: i64 = 0;
        let mut code_end = 0;
        for token in scan(input) {
            match token.kind {
                TokenKind::Comment { .. } => continue,
                TokenKind::Open => depth += 1,
                TokenKind::Close => depth -= 1,
                TokenKind::Text | TokenKind::Code => {}
            }
            code_end = token.span.end;
        }
        let code = input.get(..code_end).unwrap_or("");
        depth > 0 || CONTINUED_BY.iter().any(|s| code.ends_with(s)) || Self::stops_short(input)
    }

    /// Whether the input is decree that the parser finds unfinished: its
    /// only syntax error is at the very end (`if x >= 1亿` waiting for `then`).
    fn stops_short(input: &str) -> bool {
        let code: Vec<&str> = input
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .collect();
        let code = code.join("\n");
        let text = code.trim();
        if text.is_empty() {
            return false;
        }
        // `:add N ITEM` continues like the item it adds.
        let body = match text.strip_prefix(":add") {
            Some(rest) => rest
                .trim_start()
                .split_once(char::is_whitespace)
                .map_or("", |(_, item)| item.trim()),
            None if text.starts_with(':') => return false,
            None => text,
        };
        if body.is_empty() {
            return false;
        }
        let (wrapped, offset) = if starts_with_decl_keyword(body) {
            (body.to_string(), 0)
        } else if is_definition(body) {
            (
                format!("measure 0 \"\" {{\n{body}\n}}"),
                "measure 0 \"\" {\n".len(),
            )
        } else {
            let src = SourceFile::new("<input>", body);
            return match syntax::parse_expr(&src, &Limits::default()) {
                Err(d) => d.iter().any(|x| {
                    x.code == Code::Syntax && x.span().is_some_and(|s| s.start >= body.len())
                }),
                Ok(_) => false,
            };
        };
        let src = SourceFile::new("<input>", wrapped.as_str());
        match syntax::parse(&src, &Limits::default()) {
            Err(d) => d.iter().any(|x| {
                x.code == Code::Syntax && x.span().is_some_and(|s| s.start >= offset + body.len())
            }),
            Ok(_) => false,
        }
    }

    /// Runs one input.
    pub fn execute(&mut self, input: &str) -> Reply {
        self.inputs += 1;
        let trimmed = input.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            return Reply::default();
        }
        if let Some(cmd) = trimmed.strip_prefix(':') {
            let (name, rest) = cmd.split_once(char::is_whitespace).unwrap_or((cmd, ""));
            return self.command(name, rest.trim());
        }
        if is_definition(trimmed) {
            return self.define(trimmed, None);
        }
        self.expression(trimmed)
    }

    fn command(&mut self, name: &str, arg: &str) -> Reply {
        match name {
            "help" | "h" | "?" => Reply::text(help()),
            "quit" | "q" | "exit" => Reply {
                quit: true,
                ..Reply::default()
            },
            "load" => self.load(arg),
            "reload" => match self.path.clone() {
                Some(p) => self.load(&p),
                None => self.usage("no policy file to reload", ":load FILE"),
            },
            "facts" => self.load_facts(arg),
            "set" => self.set(arg),
            "unset" => self.unset(arg),
            "eval" => self.eval(arg),
            "explain" => self.explain(arg),
            "save" => self.save(arg),
            "scenarios" => self.list_scenarios(),
            "compare" => self.compare(arg),
            "changes" => self.changes(),
            "write" => self.write(arg),
            "add" => match arg.split_once(char::is_whitespace) {
                Some((n, item)) => match n.parse::<u32>() {
                    Ok(n) => self.define(item.trim(), Some(n)),
                    Err(_) => self.usage(&format!("`{n}` is not a measure number"), ":add N ITEM"),
                },
                None => self.usage(
                    "give a measure number and an item",
                    ":add 8 award x = 100万",
                ),
            },
            other => {
                let known: Vec<&str> = COMMANDS
                    .iter()
                    .filter_map(|(c, _)| c.split_whitespace().next())
                    .collect();
                let best = known
                    .iter()
                    .map(|c| (strsim::jaro_winkler(&format!(":{other}"), c), *c))
                    .max_by(|a, b| a.0.total_cmp(&b.0))
                    .filter(|(s, _)| *s > 0.7);
                let d = Diagnostic::error(Code::Invalid, format!("unknown command `:{other}`"));
                Reply::error(match best {
                    Some((_, c)) => {
                        d.help(format!("did you mean `{c}`? (:help lists the commands)"))
                    }
                    None => d.help(":help lists the commands"),
                })
            }
        }
    }

    fn usage(&self, message: &str, usage: &str) -> Reply {
        Reply::error(
            Diagnostic::error(Code::Invalid, message.to_string()).help(format!("usage: {usage}")),
        )
    }

    fn need_policy(&self) -> Result<&Policy, Box<Reply>> {
        self.policy.as_ref().ok_or_else(|| {
            Box::new(Reply::error(
                Diagnostic::error(Code::Invalid, "no policy is loaded")
                    .help("load one with :load FILE"),
            ))
        })
    }

    // ------------------------------------------------------------ loading

    /// Loads a policy file (through [`Files`]).
    pub fn load(&mut self, path: &str) -> Reply {
        if path.is_empty() {
            return self.usage("which policy?", ":load FILE");
        }
        let text = match self.files.read(path) {
            Ok(t) => t,
            Err(e) => {
                return Reply::error(Diagnostic::error(
                    Code::Io,
                    format!("cannot read `{path}`: {e}"),
                ));
            }
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
                self.original = text.clone();
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

    /// Loads an enterprise's facts file (through [`Files`]).
    pub fn load_facts(&mut self, path: &str) -> Reply {
        let policy = match self.need_policy() {
            Ok(p) => p,
            Err(r) => return *r,
        };
        if path.is_empty() {
            return self.usage("which facts file?", ":facts FILE");
        }
        let text = match self.files.read(path) {
            Ok(t) => t,
            Err(e) => {
                return Reply::error(Diagnostic::error(
                    Code::Io,
                    format!("cannot read `{path}`: {e}"),
                ));
            }
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

    // ------------------------------------------------------------ settings

    fn set(&mut self, arg: &str) -> Reply {
        let policy = match self.need_policy() {
            Ok(p) => p,
            Err(r) => return *r,
        };
        let Some((name, value)) = arg.split_once('=') else {
            return self.usage("give a name and a value", ":set NAME = VALUE");
        };
        let (name, value) = (name.trim(), value.trim());
        if name == "at" {
            return match value.parse::<jiff::civil::Date>() {
                Ok(d) => {
                    self.options.at = Some(d);
                    Reply::text(format!("evaluation date = {d}"))
                }
                Err(_) => self.usage(&format!("`{value}` is not a date"), ":set at = 2026-01-01"),
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
                Ok(()) => {
                    self.options = options;
                    let shown = self
                        .options
                        .params
                        .get(name)
                        .map_or(value.to_string(), ToString::to_string);
                    Reply::text(format!("{name} = {shown}"))
                }
                Err(d) => Reply::error(fact_or_param_help(policy, name, d)),
            };
        };
        let raw = parse_raw(value);
        match crate::facts::convert(policy, unit, &raw) {
            Ok(Some(v)) => {
                let shown = v.to_string();
                self.facts.insert(name.to_string(), v);
                Reply::text(format!("{name} = {shown}"))
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

    fn unset(&mut self, name: &str) -> Reply {
        if self.facts.remove(name).is_some() {
            return Reply::text(format!("{name} is not given now"));
        }
        if self.options.params.remove(name).is_some() {
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

    // ------------------------------------------------------------ evaluation

    fn facts(&self, policy: &Policy) -> Facts {
        let named = self.facts.iter().map(|(k, v)| (k.as_str(), v));
        Facts::from_named(policy, "repl", named)
    }

    fn evaluation(&self, policy: &Policy) -> Evaluation {
        crate::evaluate(policy, &self.facts(policy), &self.options)
    }

    fn eval(&mut self, arg: &str) -> Reply {
        let policy = match self.need_policy() {
            Ok(p) => p,
            Err(r) => return *r,
        };
        let mut e = self.evaluation(policy);
        if !arg.is_empty() {
            let Ok(n) = arg.parse::<u32>() else {
                return self.usage(&format!("`{arg}` is not a measure number"), ":eval [N]");
            };
            e.measures.retain(|m| m.number == n);
            if e.measures.is_empty() {
                return Reply::error(Diagnostic::error(
                    Code::UnknownName,
                    format!("no measure {n}"),
                ));
            }
            let (total, overflow) = crate::eval::Total::sum(&e.measures);
            e.total = total;
            // Errors of the whole evaluation stand; the measure's own sum
            // may overflow as the whole one did: say it once.
            if let Some(d) = overflow {
                if !e.errors.iter().any(|x| x.message == d.message) {
                    e.errors.push(d);
                }
            }
        }
        Reply {
            output: report::to_table(&e),
            diagnostics: e.errors.clone(),
            quit: false,
        }
    }

    fn explain(&mut self, name: &str) -> Reply {
        let policy = match self.need_policy() {
            Ok(p) => p,
            Err(r) => return *r,
        };
        let e = self.evaluation(policy);
        match e.item(name) {
            Some(item) => Reply::text(report::explain(&e, item)),
            None => {
                let best = policy
                    .items
                    .iter()
                    .map(|i| (strsim::jaro_winkler(name, i.name()), i.name()))
                    .max_by(|a, b| a.0.total_cmp(&b.0))
                    .filter(|(s, _)| *s > 0.75);
                let d = Diagnostic::error(Code::UnknownName, format!("no item `{name}`"));
                Reply::error(match best {
                    Some((_, b)) => d.help(format!("did you mean `{b}`?")),
                    None => d,
                })
            }
        }
    }

    fn expression(&mut self, input: &str) -> Reply {
        let policy = match self.need_policy() {
            Ok(p) => p,
            Err(r) => return *r,
        };
        let source = SourceFile::new(format!("<input {}>", self.inputs), input);
        let expr: Expr = match syntax::parse_expr(&source, &Limits::default()) {
            Ok(e) => e,
            Err(d) => return Reply::errors(d),
        };
        let expr = match crate::check::check_expr(policy, &source, &expr) {
            Ok((_, resolved)) => resolved,
            Err(d) => return Reply::errors(d),
        };
        let (_, result) =
            crate::eval::evaluate_expr(policy, &self.facts(policy), &self.options, &expr);
        match result {
            Ok((out, trace)) => {
                let mut text = format!("= {}", out.render());
                if let Some(n) = &trace.note {
                    text.push_str(&format!("  — {n}"));
                }
                Reply::text(text)
            }
            Err(d) => Reply::error(d.in_source(&source)),
        }
    }

    // ------------------------------------------------------------ definitions

    /// Defines or redefines a measure, a fact, a param, an enum, or an item
    /// (new items go into measure `into`). The policy text is edited and
    /// checked whole; on any error the session keeps the policy it had.
    fn define(&mut self, input: &str, into: Option<u32>) -> Reply {
        if self.policy.is_none() {
            return Reply::error(
                Diagnostic::error(Code::Invalid, "no policy is loaded")
                    .help("load one with :load FILE"),
            );
        }
        let is_item = !starts_with_decl_keyword(input);
        let wrapped;
        let text_to_parse = if is_item {
            wrapped = format!("measure 0 \"\" {{\n{input}\n}}");
            wrapped.as_str()
        } else {
            input
        };
        let source = SourceFile::new(format!("<input {}>", self.inputs), text_to_parse);
        let program = match syntax::parse(&source, &Limits::default()) {
            Ok(p) => p,
            Err(d) => return Reply::errors(d),
        };
        let current = SourceFile::new("<policy>", self.text.as_str());
        let Ok(current_program) = syntax::parse(&current, &Limits::default()) else {
            return Reply::error(Diagnostic::error(
                Code::Invalid,
                "the current policy no longer parses",
            ));
        };
        let mut text = self.text.clone();
        let mut described = Vec::new();
        for decl in &program.decls {
            let result = if is_item {
                let Decl::Measure(m) = decl else { continue };
                let mut r = Ok(String::new());
                for entry in &m.entries {
                    if let MeasureEntry::Item(item) = entry {
                        let item_text = source.slice(item.span.0).trim_end().to_string();
                        r = replace_item(
                            &mut text,
                            &current_program,
                            &item.name.node,
                            &item_text,
                            into,
                        );
                    }
                }
                r
            } else {
                let new_text = source.slice(decl_span(decl)).trim_end().to_string();
                replace_decl(&mut text, &current_program, decl, &new_text)
            };
            match result {
                Ok(what) => described.push(what),
                Err(d) => return Reply::error(d),
            }
        }
        let new_source = SourceFile::new(
            self.path.clone().unwrap_or_else(|| "<policy>".into()),
            text.as_str(),
        );
        match crate::load(&new_source) {
            Ok(policy) => {
                self.text = text;
                self.policy = Some(policy);
                self.definitions.push(input.to_string());
                Reply::text(described.join("\n"))
            }
            Err(d) => {
                let mut r = Reply::errors(d);
                r.output = "not applied: the policy would not check (it is unchanged)".into();
                r
            }
        }
    }

    // ------------------------------------------------------------ scenarios

    fn snapshot(&self) -> Scenario {
        Scenario {
            text: self.text.clone(),
            facts: self.facts.clone(),
            options: self.options.clone(),
        }
    }

    fn save(&mut self, name: &str) -> Reply {
        if name.is_empty() || name.contains(char::is_whitespace) {
            return self.usage("give the scenario a one-word name", ":save base");
        }
        if self.policy.is_none() {
            return Reply::error(Diagnostic::error(Code::Invalid, "no policy is loaded"));
        }
        let existed = self
            .scenarios
            .insert(name.to_string(), self.snapshot())
            .is_some();
        Reply::text(if existed {
            format!("scenario `{name}` replaced")
        } else {
            format!("scenario `{name}` saved")
        })
    }

    fn list_scenarios(&self) -> Reply {
        if self.scenarios.is_empty() {
            return Reply::text("no scenarios saved (:save NAME)");
        }
        let mut out = String::new();
        for (name, s) in &self.scenarios {
            let params: Vec<String> = s
                .options
                .params
                .iter()
                .map(|(k, v)| format!("{k} = {v}"))
                .collect();
            out.push_str(&format!("{name}: {} facts", s.facts.len()));
            if !params.is_empty() {
                out.push_str(&format!(", {}", params.join(", ")));
            }
            out.push('\n');
        }
        Reply::text(out)
    }

    fn scenario_evaluation(&self, s: &Scenario) -> Result<Evaluation, Diagnostics> {
        let source = SourceFile::new("<scenario>", s.text.as_str());
        let policy = crate::load(&source)?;
        let facts = Facts::from_named(&policy, "", s.facts.iter().map(|(k, v)| (k.as_str(), v)));
        Ok(crate::evaluate(&policy, &facts, &s.options))
    }

    fn compare(&mut self, arg: &str) -> Reply {
        let names: Vec<&str> = arg.split_whitespace().collect();
        let (a_name, b_name) = match names.as_slice() {
            [a] => (*a, "current"),
            [a, b] => (*a, *b),
            _ => return self.usage("name one or two scenarios", ":compare base [what_if]"),
        };
        let pick = |n: &str| -> Result<Scenario, Box<Reply>> {
            if n == "current" {
                return Ok(self.snapshot());
            }
            self.scenarios.get(n).cloned().ok_or_else(|| {
                Box::new(Reply::error(
                    Diagnostic::error(Code::UnknownName, format!("no scenario `{n}`"))
                        .help(":scenarios lists them"),
                ))
            })
        };
        let (a, b) = match (pick(a_name), pick(b_name)) {
            (Ok(a), Ok(b)) => (a, b),
            (Err(r), _) | (_, Err(r)) => return *r,
        };
        let (ea, eb) = match (self.scenario_evaluation(&a), self.scenario_evaluation(&b)) {
            (Ok(x), Ok(y)) => (x, y),
            (Err(d), _) | (_, Err(d)) => return Reply::errors(d),
        };
        Reply::text(compare_table(a_name, b_name, &ea, &eb))
    }

    fn changes(&self) -> Reply {
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
            let was = self
                .policy
                .as_ref()
                .and_then(|p| p.params.iter().find(|x| x.name == *k).map(|x| (p, x)))
                .map_or("?".to_string(), |(p, x)| match &x.value {
                    None => "tbd".to_string(),
                    Some(e) => crate::eval::constant(p, e, &Options::default())
                        .map_or_else(|_| "?".into(), |v| v.to_string()),
                });
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

    fn write(&mut self, path: &str) -> Reply {
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

fn help() -> String {
    let mut out = String::from("commands:\n");
    for (c, what) in COMMANDS {
        out.push_str(&format!("  {c:<20} {what}\n"));
    }
    out.push_str(
        "anything else is decree:\n  an expression         min(20% * tech_upgrade_investment, 5000万)\n  a definition          subsidy tech_upgrade = min(15% * tech_upgrade_investment, 3000万)\n                        measure 8 \"…\" { … }   fact …   param …\n",
    );
    out
}

/// A failed `:set` of a name that is not a fact: a bad value for a param
/// keeps its own diagnostic; an unknown name says what it might have meant.
fn fact_or_param_help(policy: &Policy, name: &str, d: Diagnostic) -> Diagnostic {
    if name == "issued" || matches!(policy.lookup(name), Some(Symbol::Param(_))) {
        return d;
    }
    let best = policy
        .facts
        .iter()
        .map(|f| f.name.as_str())
        .chain(policy.params.iter().map(|p| p.name.as_str()))
        .map(|n| (strsim::jaro_winkler(name, n), n))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .filter(|(s, _)| *s > 0.75);
    Diagnostic::error(
        Code::UnknownName,
        format!("`{name}` is neither a fact nor a param"),
    )
    .help(match best {
        Some((_, b)) => format!("did you mean `{b}`?"),
        None => ":set takes a fact or a param of the policy (or `issued`, `at`)".to_string(),
    })
}

/// A value typed at the prompt, as a facts file would give it.
fn parse_raw(value: &str) -> Raw {
    match value {
        "true" | "是" => Raw::Bool(true),
        "false" | "否" => Raw::Bool(false),
        v if v.starts_with('[') && v.ends_with(']') => Raw::List(
            v.trim_start_matches('[')
                .trim_end_matches(']')
                .split([',', '，'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Raw::Str(s.to_string()))
                .collect(),
        ),
        v => Raw::Str(v.trim_matches('"').to_string()),
    }
}

/// A fact's value as a facts file writes it, readable back exactly.
fn fact_json(v: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        Value::Num(Unit::Money, d) => J::String(crate::value::format_money_plain(*d)),
        Value::Num(Unit::Rate, d) => J::String(crate::value::format_rate(*d)),
        Value::Num(Unit::Area, d) => J::String(format!("{}平方米", d.normalize())),
        Value::Num(_, d) => J::String(d.normalize().to_string()),
        Value::Bool(b) => J::Bool(*b),
        Value::Set(s) => J::Array(s.iter().map(|x| J::String(x.clone())).collect()),
        Value::Text(t) | Value::Variant(t) => J::String(t.clone()),
        other => J::String(other.to_string()),
    }
}

fn is_definition(input: &str) -> bool {
    let first = input.split_whitespace().next().unwrap_or("");
    let kinds = [
        "measure",
        "fact",
        "param",
        "enum",
        "subsidy",
        "award",
        "interest_subsidy",
        "matching",
        "benefit",
        "eligibility",
        "target",
        "commitment",
    ];
    kinds.iter().any(|k| {
        crate::syntax::keywords::keyword(k)
            .is_some_and(|kw| first == kw.english || first == kw.chinese)
    })
}

fn starts_with_decl_keyword(input: &str) -> bool {
    let first = input.split_whitespace().next().unwrap_or("");
    ["measure", "fact", "param", "enum"].iter().any(|k| {
        crate::syntax::keywords::keyword(k)
            .is_some_and(|kw| first == kw.english || first == kw.chinese)
    })
}

fn decl_span(decl: &Decl) -> crate::span::Span {
    match decl {
        Decl::Measure(m) => m.span.0,
        Decl::Fact(f) => f.span.0,
        Decl::Param(p) => p.span.0,
        Decl::Enum(e) => e.span.0,
        Decl::Policy(h) => h.span.0,
        Decl::Chapter(c) => c.title.span,
        Decl::Include(t) => t.span,
        Decl::Test(t) => t.span.0,
    }
}

/// Replaces `span` of `text` with `new`, keeping the blanks the old text
/// ended with (pest spans can include trailing blanks).
fn splice(text: &mut String, span: crate::span::Span, new: &str) {
    let old = text.get(span.start..span.end).unwrap_or("");
    let tail_len = old.len() - old.trim_end().len();
    let tail = old.get(old.len() - tail_len..).unwrap_or("").to_string();
    text.replace_range(span.start..span.end, &format!("{new}{tail}"));
}

fn all_measures(program: &crate::ast::Program) -> Vec<&crate::ast::Measure> {
    let mut out = Vec::new();
    for d in &program.decls {
        match d {
            Decl::Measure(m) => out.push(m),
            Decl::Chapter(c) => out.extend(c.measures.iter()),
            _ => {}
        }
    }
    out
}

fn replace_item(
    text: &mut String,
    program: &crate::ast::Program,
    name: &str,
    item_text: &str,
    into: Option<u32>,
) -> Result<String, Diagnostic> {
    for m in all_measures(program) {
        if let Some(item) = m.items().find(|i| i.name.node == name) {
            if into.is_some_and(|n| n != m.number.node) {
                return Err(Diagnostic::error(
                    Code::Duplicate,
                    format!("`{name}` already exists, in measure {}", m.number.node),
                )
                .help("type the definition without :add to redefine it"));
            }
            splice(text, item.span.0, item_text);
            return Ok(format!("redefined `{name}` in measure {}", m.number.node));
        }
    }
    let Some(n) = into else {
        return Err(
            Diagnostic::error(Code::UnknownName, format!("`{name}` is a new item")).help(format!(
                "say which measure it belongs to: :add N {item_text}"
            )),
        );
    };
    let Some(m) = all_measures(program)
        .into_iter()
        .find(|m| m.number.node == n)
    else {
        return Err(Diagnostic::error(
            Code::UnknownName,
            format!("no measure {n}"),
        ));
    };
    // Insert before the measure's closing brace.
    let end = m.span.0.end;
    let close = text
        .get(..end)
        .and_then(|t| t.rfind(['}', '｝']))
        .unwrap_or(end);
    text.insert_str(close, &format!("  {item_text}\n"));
    Ok(format!("added `{name}` to measure {n}"))
}

fn replace_decl(
    text: &mut String,
    program: &crate::ast::Program,
    decl: &Decl,
    new: &str,
) -> Result<String, Diagnostic> {
    let existing = match decl {
        Decl::Measure(m) => all_measures(program)
            .into_iter()
            .find(|x| x.number.node == m.number.node)
            .map(|x| (x.span.0, format!("measure {}", m.number.node))),
        Decl::Fact(f) => program.decls.iter().find_map(|d| match d {
            Decl::Fact(x) if x.name.node == f.name.node => {
                Some((x.span.0, format!("fact `{}`", f.name.node)))
            }
            _ => None,
        }),
        Decl::Param(p) => program.decls.iter().find_map(|d| match d {
            Decl::Param(x) if x.name.node == p.name.node => {
                Some((x.span.0, format!("param `{}`", p.name.node)))
            }
            _ => None,
        }),
        Decl::Enum(e) => program.decls.iter().find_map(|d| match d {
            Decl::Enum(x) if x.name.node == e.name.node => {
                Some((x.span.0, format!("enum `{}`", e.name.node)))
            }
            _ => None,
        }),
        _ => {
            return Err(Diagnostic::error(
                Code::Invalid,
                "only measures, facts, params, enums and items can be defined here",
            ));
        }
    };
    match existing {
        Some((span, what)) => {
            splice(text, span, new);
            Ok(format!("redefined {what}"))
        }
        None => {
            text.push_str(&format!("\n{new}\n"));
            Ok(match decl {
                Decl::Measure(m) => format!("defined measure {}", m.number.node),
                _ => "defined".to_string(),
            })
        }
    }
}

/// Two evaluations side by side, item by item, with the change in money.
fn compare_table(a_name: &str, b_name: &str, a: &Evaluation, b: &Evaluation) -> String {
    use comfy_table::{ContentArrangement, Table, presets};
    let mut table = Table::new();
    table
        .load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(150)
        .set_header(vec!["measure", "item", a_name, b_name, "change"]);
    let mut hidden = 0;
    // Measures of both, in A's order then B's new ones; within a measure,
    // A's items then the items only B has.
    let mut numbers: Vec<u32> = a.measures.iter().map(|m| m.number).collect();
    numbers.extend(
        b.measures
            .iter()
            .map(|m| m.number)
            .filter(|n| !a.measures.iter().any(|m| m.number == *n)),
    );
    for n in numbers {
        let ma = a.measures.iter().find(|m| m.number == n);
        let mb = b.measures.iter().find(|m| m.number == n);
        let title = ma.or(mb).map_or(String::new(), |m| m.title.clone());
        let mut names: Vec<&str> = ma
            .map(|m| m.items.iter().map(|i| i.name.as_str()).collect())
            .unwrap_or_default();
        if let Some(mb) = mb {
            let extra: Vec<&str> = mb
                .items
                .iter()
                .map(|i| i.name.as_str())
                .filter(|x| !names.contains(x))
                .collect();
            names.extend(extra);
        }
        let mut first = true;
        for name in names {
            let ia = ma.and_then(|m| m.items.iter().find(|x| x.name == name));
            let ib = mb.and_then(|m| m.items.iter().find(|x| x.name == name));
            let shown_a = ia.map(shown).unwrap_or_else(|| "(absent)".into());
            let shown_b = ib.map(shown).unwrap_or_else(|| "(absent)".into());
            let monetary = ia.or(ib).is_some_and(|i| i.kind.is_monetary());
            let granted = ia.is_some_and(|i| i.status == Status::Granted);
            if shown_a == shown_b && !(monetary && granted) {
                hidden += 1;
                continue;
            }
            // An item absent or not granted counts as 0元.
            let amount = |i: Option<&crate::eval::ItemResult>| match i {
                Some(i) if i.status == Status::Granted => i.amount,
                _ => Some(rust_decimal::Decimal::ZERO),
            };
            let delta = match (monetary, amount(ia), amount(ib)) {
                (true, Some(x), Some(y)) => signed(y - x),
                _ if shown_a != shown_b => "changed".into(),
                _ => String::new(),
            };
            let measure = if first {
                format!("{n} {title}")
            } else {
                String::new()
            };
            first = false;
            table.add_row(vec![measure, name.to_string(), shown_a, shown_b, delta]);
        }
    }
    let total = |e: &Evaluation| {
        if e.total.min == e.total.max {
            format_money(e.total.min)
        } else {
            format!(
                "{}..{}",
                format_money(e.total.min),
                format_money(e.total.max)
            )
        }
    };
    let delta = if a.total.min == a.total.max && b.total.min == b.total.max {
        signed(b.total.min - a.total.min)
    } else {
        format!(
            "{}..{}",
            signed(b.total.min - a.total.min),
            signed(b.total.max - a.total.max)
        )
    };
    table.add_row(vec![
        "total".into(),
        String::new(),
        total(a),
        total(b),
        delta,
    ]);
    let mut out = table.to_string();
    out.push('\n');
    if hidden > 0 {
        out.push_str(&format!(
            "({hidden} items the same and not granted in either are not shown)\n"
        ));
    }
    out
}

fn shown(item: &crate::eval::ItemResult) -> String {
    let v = report::shown_value(item);
    match item.status {
        Status::Granted | Status::Met | Status::NotMet if !v.is_empty() => v,
        s => s.as_str().to_string(),
    }
}

fn signed(d: rust_decimal::Decimal) -> String {
    if d.is_sign_positive() && !d.is_zero() {
        format!("+{}", format_money(d))
    } else {
        format_money(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_open_bracket_or_a_trailing_operator_asks_for_more() {
        assert!(Session::needs_more("min(20% * x,\n"));
        assert!(Session::needs_more("取小（20% * x，\n"));
        assert!(Session::needs_more("1万 +  # more below\n"));
        assert!(!Session::needs_more("min(1, 2) # (\n"));
        assert!(!Session::needs_more("1 + 2\n"));
    }

    #[test]
    fn brackets_and_operators_in_texts_and_comments_do_not_count() {
        assert!(!Session::needs_more(":explain \"(\"\n"));
        assert!(!Session::needs_more("cite “（”\n"));
        assert!(!Session::needs_more("\"a\\\"(\"\n"));
        assert!(!Session::needs_more("# x = (\n"));
        // The operator is in code, the `#` in a text.
        assert!(Session::needs_more("\"a # b\" and\n"));
    }
}
