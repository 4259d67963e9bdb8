//! Text to AST: the only module that knows pest and its `Rule`s.
//!
//! [`parse`] runs the pest grammar in `grammar/`, maps pest's errors to
//! [`Diagnostic`]s worded for drafters, and lowers the parse tree into
//! [`crate::ast`] at once (module `lower`).
//!
//! What every tool must read or write as the grammar does lives here too:
//! the keyword table ([`keywords`]), literals ([`literal`]), the one scan of
//! texts, comments and brackets ([`scan`]), the one precedence table
//! (`precedence`) the parser and the printer are built from, and the one
//! expression printer (`print`) behind the formatter, explanations and diffs.

pub mod keywords;
pub mod literal;
mod lower;
pub mod per_unit;
pub(crate) mod precedence;
pub(crate) mod print;
mod reparse;
pub mod scan;
mod shift;

pub use reparse::reparse;

use pest::Parser as _;

use crate::Limits;
use crate::ast::{Expr, Program};
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::span::{SourceFile, Span};

mod parser {
    //! The pest parser generated from the grammar files.
    #![allow(missing_docs)]
    #[derive(pest_derive::Parser)]
    #[grammar = "grammar/decree.pest"]
    #[grammar = "grammar/keywords.pest"]
    pub struct DecreeParser;
}
use parser::{DecreeParser, Rule};

/// Parses a whole file into a [`Program`].
pub fn parse(source: &SourceFile, limits: &Limits) -> Result<Program, Diagnostics> {
    check_size_and_nesting(source, limits)?;
    parse_checked(source, limits)
}

/// [`parse`] of a file that has passed [`check_size_and_nesting`].
fn parse_checked(source: &SourceFile, limits: &Limits) -> Result<Program, Diagnostics> {
    let pairs = DecreeParser::parse(Rule::file, &source.text)
        .map_err(|e| Diagnostics::from(syntax_error(source, &e)))?;
    lower::Lowerer::new(source, limits).program(pairs)
}

/// Parses a single expression (for `--set` values, facts written as decree
/// literals, and the REPL).
pub fn parse_expr(source: &SourceFile, limits: &Limits) -> Result<Expr, Diagnostics> {
    check_size_and_nesting(source, limits)?;
    let pairs = DecreeParser::parse(Rule::expr_only, &source.text)
        .map_err(|e| Diagnostics::from(syntax_error(source, &e)))?;
    lower::Lowerer::new(source, limits).expr_only(pairs)
}

/// Rejects inputs too large or too deeply bracketed before pest sees them,
/// so that hostile input is a diagnostic and never a stack overflow.
fn check_size_and_nesting(source: &SourceFile, limits: &Limits) -> Result<(), Diagnostics> {
    check_size(source, limits)?;
    check_nesting(source, limits)
}

/// Rejects a file over the size limit or with a NUL byte in it.
fn check_size(source: &SourceFile, limits: &Limits) -> Result<(), Diagnostics> {
    if source.text.len() > limits.max_source_bytes {
        // Labelled but without a snippet: the file's first line may be
        // the whole 50 MB.
        let at = limits.max_source_bytes;
        return Err(Diagnostic::error(
            Code::Limit,
            format!(
                "`{}` is {} bytes, more than the limit of {} bytes",
                source.name,
                source.text.len(),
                limits.max_source_bytes
            ),
        )
        .label(Span::new(at, at), "the limit is reached here")
        .help("is it the right file? The 28-measure draft is under 100 KB; a program embedding decree can raise the limit (Limits::max_source_bytes)")
        .into());
    }
    if let Some(at) = source.text.find('\0') {
        return Err(Diagnostic::error(
            Code::Syntax,
            "the file contains a NUL byte (U+0000): it is not a text policy",
        )
        .label(Span::new(at, at + 1), "NUL byte here")
        .help("a policy is UTF-8 text; NUL bytes mean a binary or UTF-16 file: save it as UTF-8")
        .in_source(source)
        .into());
    }
    Ok(())
}

/// Rejects a file whose brackets nest deeper than the limit.
fn check_nesting(source: &SourceFile, limits: &Limits) -> Result<(), Diagnostics> {
    if let Some(at) = too_deep(&source.text, 0, limits) {
        return Err(Diagnostic::error(
            Code::Limit,
            format!("brackets nested more than {} deep", limits.max_depth),
        )
        .label(at, "too deep from here")
        .help("write the expression in steps, as separate items")
        .in_source(source)
        .into());
    }
    Ok(())
}

/// The first bracket of `text` that opens deeper than the limit, counting
/// from `depth` (the brackets open where `text` starts) as the grammar
/// reads brackets: not in texts, not in comments (see `scan`).
fn too_deep(text: &str, mut depth: usize, limits: &Limits) -> Option<Span> {
    for token in scan::scan(text) {
        match token.kind {
            scan::TokenKind::Open => {
                depth += 1;
                if depth > limits.max_depth {
                    return Some(token.span);
                }
            }
            scan::TokenKind::Close => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// Maps a pest error to a diagnostic that names what was expected in words.
fn syntax_error(source: &SourceFile, e: &pest::error::Error<Rule>) -> Diagnostic {
    let at = match e.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    };
    let found = source.text.get(at..).and_then(|r| r.chars().next());
    let len = found.map_or(0, char::len_utf8);
    let found_text = match found {
        None => "the end of the file".to_string(),
        Some(c) if c.is_whitespace() => "a blank".to_string(),
        Some(c) if c.is_control() => format!("the control character U+{:04X}", u32::from(c)),
        Some(c) => format!("`{c}`"),
    };
    // A reserved word where a name was expected reads as "found `b`"
    // unless the whole word is named: say it is a keyword.
    let wants_name = match &e.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => positives
            .iter()
            .any(|r| describe(*r).as_deref() == Some("a name")),
        pest::error::ErrorVariant::CustomError { .. } => false,
    };
    let reserved = reserved_word_at(&source.text, at).filter(|_| wants_name);
    let (found_text, len) = match reserved {
        Some((word, _)) => (format!("the keyword `{word}`"), word.len()),
        None => (found_text, len),
    };
    let message = match &e.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => {
            let mut wanted: Vec<String> = Vec::new();
            for rule in positives {
                if let Some(w) = describe(*rule) {
                    if !wanted.contains(&w) {
                        wanted.push(w);
                    }
                }
            }
            condense(&mut wanted);
            match wanted.len() {
                0 => format!("unexpected {found_text}"),
                1 => format!("expected {}, found {found_text}", wanted.concat()),
                _ => {
                    let (last, rest) = wanted
                        .split_last()
                        .map_or((String::new(), &[][..]), |(l, r)| (l.clone(), r));
                    format!("expected {} or {last}, found {found_text}", rest.join(", "))
                }
            }
        }
        pest::error::ErrorVariant::CustomError { message } => {
            return Diagnostic::error(
                Code::Limit,
                format!("the file is nested too deeply to read ({message})"),
            )
            .label(Span::new(at, at + len), "too deep from here")
            .help("write deeply nested expressions in steps, as separate items")
            .in_source(source);
        }
    };
    let help = match reserved {
        Some((word, k)) => format!(
            "`{word}` is a keyword ({} / {}) and cannot name anything: choose another name, such as `{word}_1`",
            k.english, k.chinese
        ),
        None => "see docs/LANGUAGE.md for the syntax of each declaration".to_string(),
    };
    Diagnostic::error(Code::Syntax, message)
        .label(Span::new(at, at + len), "here")
        .help(help)
        .in_source(source)
}

/// The reserved keyword spelt by the whole word at `at`, if it is one.
fn reserved_word_at(text: &str, at: usize) -> Option<(&str, &'static keywords::Keyword)> {
    let rest = text.get(at..)?;
    let end = rest
        .char_indices()
        .find(|&(_, c)| !(c == '_' || unicode_ident::is_xid_continue(c)))
        .map_or(rest.len(), |(i, _)| i);
    let word = rest.get(..end).filter(|w| !w.is_empty())?;
    let k = keywords::KEYWORDS.iter().find(|k| {
        (k.english == word || k.chinese == word) && !keywords::CONTEXTUAL.contains(&k.rule)
    })?;
    Some((word, k))
}

/// Drops alternatives that a broader one already names: "an expression"
/// covers numbers, names and `if`; "an operator" covers `and` and `or`.
fn condense(wanted: &mut Vec<String>) {
    const STARTS_EXPR: &[&str] = &[
        "a date like 2025-12-31",
        "a number",
        "a text in quotes",
        "a name",
        "`(`",
        "`soft`",
        "`if`",
        "`not`",
        "`true`",
        "`false`",
        "`tiers`",
        "`first reaching`",
        "`schedule`",
        "`min`",
        "`max`",
        "`clamp`",
        "`round`",
    ];
    const OPERATORS: &[&str] = &["`and`", "`or`", "`in`"];
    if wanted.iter().any(|w| w == "an expression") {
        wanted.retain(|w| !STARTS_EXPR.contains(&w.as_str()));
    }
    if wanted.iter().any(|w| w == "an operator") {
        wanted.retain(|w| !OPERATORS.contains(&w.as_str()));
    }
}

/// A rule as a drafter would name it, or `None` for rules not worth naming.
fn describe(rule: Rule) -> Option<String> {
    let words = match rule {
        Rule::expr | Rule::expr_only | Rule::item_body => "an expression",
        Rule::number | Rule::quantity | Rule::ratio | Rule::integer => "a number",
        Rule::ident => "a name",
        Rule::string | Rule::string_inner | Rule::string_cn => "a text in quotes",
        Rule::date_lit => "a date like 2025-12-31",
        Rule::unit | Rule::percent | Rule::money_unit | Rule::magnitude | Rule::yuan => "a unit",
        Rule::word_unit | Rule::duration_unit | Rule::area_unit => "a unit",
        Rule::per_money | Rule::per_what | Rule::weight_word | Rule::weight_unit => "a unit",
        Rule::type_ref | Rule::set_type => {
            "a type (money, rate, count, area, duration, date, bool, text or an enum)"
        }
        Rule::item_kind => {
            "an item kind (subsidy, award, interest_subsidy, matching, benefit, eligibility, target, commitment)"
        }
        Rule::op_add | Rule::op_sub | Rule::op_mul | Rule::op_div | Rule::op_range => "an operator",
        Rule::op_le | Rule::op_ge | Rule::op_lt | Rule::op_gt | Rule::op_eq | Rule::op_ne => {
            "an operator"
        }
        Rule::op_and | Rule::op_or | Rule::op_in => "an operator",
        Rule::op_neg | Rule::op_not | Rule::op_soft => "an expression",
        Rule::tier_cmp => "a comparison",
        Rule::lbrace => "`{`",
        Rule::rbrace => "`}`",
        Rule::lparen => "`(`",
        Rule::rparen => "`)`",
        Rule::comma => "`,`",
        Rule::colon => "`:`",
        Rule::lbracket => "`[`",
        Rule::rbracket => "`]`",
        Rule::arrow => "`=>`",
        Rule::assign => "`=`",
        Rule::EOI => "the end of the file",
        Rule::policy_decl | Rule::enum_decl | Rule::fact_decl | Rule::param_decl => "a declaration",
        Rule::chapter_decl | Rule::measure_decl => "a declaration",
        Rule::item | Rule::cite_clause => "an item or `cite`",
        Rule::when_clause | Rule::by_clause | Rule::concerns_clause => "a clause",
        Rule::tier_row | Rule::bracket_row => "a row `threshold => value`",
        Rule::else_row => "`else => value`",
        Rule::above_row => "`above => rate`",
        Rule::issued_field | Rule::valid_field => "`issued` or `valid`",
        other => {
            let name = format!("{other:?}");
            let rule = name.strip_prefix("kw_")?;
            let kw = keywords::keyword(rule)?;
            return Some(format!("`{}`", kw.english));
        }
    };
    Some(words.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth_error(text: &str) -> bool {
        let limits = Limits::default().with_max_depth(4);
        check_size_and_nesting(&SourceFile::new("t.decree", text), &limits)
            .is_err_and(|d| d.iter().any(|x| x.code == Code::Limit))
    }

    #[test]
    fn brackets_in_texts_and_comments_are_not_nesting() {
        assert!(!depth_error("cite “（（（（（（”\n"));
        assert!(!depth_error("cite \"a\\\"(((((\"\n"));
        assert!(!depth_error("# (((((\nfact a: money\n"));
        assert!(!depth_error("# ((\r(((\n"));
    }

    #[test]
    fn brackets_after_a_text_are_nesting() {
        // An escaped quote does not close the text, so what follows the
        // real closing quote is code.
        assert!(depth_error("cite \"a\\\"\" (((((\n"));
        assert!(depth_error("cite “a”（（（（（\n"));
        assert!(depth_error("【【【【【"));
    }

    /// Whether a reserved keyword stands at the start of `text`, read from
    /// the keyword table rather than the grammar: the oracle for the
    /// generated `keyword` rule.
    fn reserved_at(text: &str) -> bool {
        let spelled = |spelling: &str| -> bool {
            let mut rest = text;
            for (i, word) in spelling.split(' ').enumerate() {
                if i > 0 {
                    let trimmed = rest.trim_start_matches([' ', '\t']);
                    if trimmed.len() == rest.len() {
                        return false;
                    }
                    rest = trimmed;
                }
                match rest.strip_prefix(word) {
                    Some(r) => rest = r,
                    None => return false,
                }
            }
            rest.chars()
                .next()
                .is_none_or(|c| !unicode_ident::is_xid_continue(c))
        };
        keywords::KEYWORDS
            .iter()
            .filter(|k| !keywords::CONTEXTUAL.contains(&k.rule))
            .any(|k| spelled(k.english) || spelled(k.chinese))
    }

    fn keyword_rule_matches(text: &str) -> bool {
        DecreeParser::parse(Rule::keyword, text).is_ok()
    }

    #[test]
    fn the_keyword_rule_reserves_exactly_the_table_s_spellings() {
        let suffixes = [
            "", " ", "\t", "x", "_", "1", "中", "(", "（", ".", " most", "\tof",
        ];
        for k in keywords::KEYWORDS {
            for spelling in [k.english, k.chinese] {
                let blanks = [
                    spelling.to_string(),
                    spelling.replace(' ', "\t "),
                    spelling.replace(' ', ""),
                ];
                let cut: Vec<String> = spelling
                    .char_indices()
                    .map(|(i, _)| spelling.get(..i).unwrap_or_default().to_string())
                    .collect();
                for base in blanks.iter().chain(&cut) {
                    for suffix in suffixes {
                        let text = format!("{base}{suffix}");
                        assert_eq!(keyword_rule_matches(&text), reserved_at(&text), "{text:?}");
                    }
                }
            }
        }
        // A contextual keyword is not reserved; a reserved one is.
        assert!(!keyword_rule_matches("listed "));
        assert!(keyword_rule_matches("when "));
        assert!(keyword_rule_matches("at \t most"));
        assert!(!keyword_rule_matches("atmost"));
    }

    proptest::proptest! {
        #[test]
        fn the_keyword_rule_agrees_with_the_table_on_any_text(
            text in "[a-z_ \t1(政策资助条件取小大先到得按每个则否是非或且属于]{0,14}"
        ) {
            proptest::prop_assert_eq!(keyword_rule_matches(&text), reserved_at(&text), "{:?}", text);
        }
    }

    /// Whether `inner` is a text's inside by the rule the grammar's ranges
    /// stand for: no `"`, no line end, a `\\` only before `"`, `\\`, `n`, `t`.
    fn text_inside(inner: &str) -> bool {
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            match c {
                '"' | '\n' | '\r' => return false,
                '\\' if !matches!(chars.next(), Some('"' | '\\' | 'n' | 't')) => return false,
                _ => {}
            }
        }
        true
    }

    fn parses_whole(rule: Rule, text: &str) -> bool {
        DecreeParser::parse(rule, text)
            .ok()
            .and_then(|mut pairs| pairs.next())
            .is_some_and(|p| p.as_str().len() == text.len())
    }

    proptest::proptest! {
        #[test]
        fn texts_hold_exactly_the_characters_they_did(inner in "[a-z\"\\\\\n\r\t“”中#\u{0}\u{B}\u{C}\u{E}\u{21}\u{23}\\[\\]\u{201C}\u{201E}]{0,10}") {
            let quoted = format!("\"{inner}\"");
            proptest::prop_assert_eq!(parses_whole(Rule::string, &quoted), text_inside(&inner), "{:?}", quoted);
            let chinese = format!("“{inner}”");
            let cn_inside = !inner.contains(['”', '\n', '\r']);
            proptest::prop_assert_eq!(parses_whole(Rule::string, &chinese), cn_inside, "{:?}", chinese);
        }
    }
}
