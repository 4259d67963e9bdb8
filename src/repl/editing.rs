//! Definitions typed at the prompt edit the policy's text: an item, a
//! measure, a fact, a param or an enum replaces the one of the same name,
//! or is added; the edited text is then checked whole.

use super::{Reply, Session};
use crate::ast::{Decl, MeasureEntry};
use crate::diagnostic::{Code, Diagnostic};
use crate::span::SourceFile;
use crate::{Limits, syntax};

impl Session {
    /// Defines or redefines a measure, a fact, a param, an enum, or an item
    /// (new items go into measure `into`). The policy text is edited and
    /// checked whole; on any error the session keeps the policy it had.
    pub(super) fn define(&mut self, input: &str, into: Option<u32>) -> Reply {
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
                let new_text = source.slice(decl.span()).trim_end().to_string();
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
}

/// Whether an input defines something (a declaration or an item) rather
/// than asking for a value.
pub(super) fn is_definition(input: &str) -> bool {
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

/// Whether an input is a whole declaration (measure, fact, param, enum),
/// not an item.
pub(super) fn starts_with_decl_keyword(input: &str) -> bool {
    let first = input.split_whitespace().next().unwrap_or("");
    ["measure", "fact", "param", "enum"].iter().any(|k| {
        crate::syntax::keywords::keyword(k)
            .is_some_and(|kw| first == kw.english || first == kw.chinese)
    })
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
