//! The session's state, one input run at a time, and the commands.

use std::collections::BTreeMap;

use super::editing::is_definition;
use super::scenarios::Scenario;
use super::{Files, Reply};
use crate::check::Policy;
use crate::diagnostic::{Code, Diagnostic};
use crate::eval::Options;
use crate::value::Value;

/// A REPL session.
pub struct Session {
    /// The host's files: the session reads and writes only through them.
    pub(super) files: Box<dyn Files>,
    /// The policy file loaded, for `:reload`.
    pub(super) path: Option<String>,
    /// The policy's text with the definitions typed since.
    pub(super) text: String,
    /// The policy `text` checks to.
    pub(super) policy: Option<Policy>,
    /// The facts now, by name.
    pub(super) facts: BTreeMap<String, Value>,
    /// The facts as loaded, for `:changes`.
    pub(super) loaded_facts: BTreeMap<String, Value>,
    /// Evaluation date, issue date and param overrides.
    pub(super) options: Options,
    /// Saved scenarios, by name.
    pub(super) scenarios: BTreeMap<String, Scenario>,
    /// The definitions typed since the policy was loaded, for `:changes`.
    pub(super) definitions: Vec<String>,
    /// How many inputs were run, to name each one's source.
    pub(super) inputs: usize,
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

    /// Runs one input.
    pub fn execute(&mut self, input: &str) -> Reply {
        self.inputs += 1;
        let trimmed = input.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            return Reply::default();
        }
        if let Some(cmd) = super::command_of(trimmed) {
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
            _ if Session::is_quit(name) => Reply {
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
                let known = COMMANDS
                    .iter()
                    .filter_map(|(c, _)| c.split_whitespace().next());
                let typed = format!(":{other}");
                let d = Diagnostic::error(Code::Invalid, format!("unknown command `:{other}`"));
                Reply::error(match crate::check::suggest(&typed, known) {
                    Some(c) => d.help(format!("did you mean `{c}`? (:help lists the commands)")),
                    None => d.help(":help lists the commands"),
                })
            }
        }
    }

    /// A command used wrongly: what is wrong, and how it is used.
    pub(super) fn usage(&self, message: &str, usage: &str) -> Reply {
        Reply::error(
            Diagnostic::error(Code::Invalid, message.to_string()).help(format!("usage: {usage}")),
        )
    }

    /// The policy, or the reply that none is loaded.
    pub(super) fn need_policy(&self) -> Result<&Policy, Box<Reply>> {
        self.policy.as_ref().ok_or_else(|| {
            Box::new(Reply::error(
                Diagnostic::error(Code::Invalid, "no policy is loaded")
                    .help("load one with :load FILE"),
            ))
        })
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
