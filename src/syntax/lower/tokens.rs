//! Lowering tokens: literals (through [`crate::syntax::literal`]), dates,
//! numbers, names and texts with their escapes.

use super::{Lowered, Lowerer, P};
use crate::ast::*;
use crate::diagnostic::Code;
use crate::span::Spanned;
use crate::syntax::{Rule, literal};

impl Lowerer<'_> {
    /// A literal's value; a malformed one is a diagnostic on it.
    pub(super) fn literal(&self, p: P<'_>) -> Lowered<LitValue> {
        let at = self.span(&p);
        let result = match p.as_rule() {
            Rule::kw_true => Ok(LitValue::Bool(true)),
            Rule::kw_false => Ok(LitValue::Bool(false)),
            Rule::string => Ok(LitValue::Text(self.string(p).node)),
            Rule::date_lit => literal::date(p.as_str()),
            Rule::ratio => {
                let mut n = p.into_inner();
                let a = n.next().map(|x| x.as_str()).unwrap_or("");
                let b = n.next().map(|x| x.as_str()).unwrap_or("");
                literal::ratio(a, b)
            }
            Rule::quantity => {
                let mut n = p.into_inner();
                let number = n.next().map(|x| x.as_str()).unwrap_or("");
                let unit = n.next().map(|x| x.as_str());
                literal::quantity(number, unit)
            }
            _ => return Err(self.missing(at)),
        };
        result.map_err(|msg| {
            let d = self.err(Code::Literal, at, msg.clone(), "this literal");
            if msg.contains("28 significant") || msg.contains("too large") {
                d.help("decree computes exactly, with at most 28 significant digits; write the value as the draft states it")
            } else {
                d
            }
        })
    }

    /// A `YYYY-MM-DD` date that must be a calendar date.
    pub(super) fn date(&self, p: &P<'_>) -> Lowered<jiff::civil::Date> {
        match literal::date(p.as_str()) {
            Ok(LitValue::Date(d)) => Ok(d),
            Ok(_) | Err(_) => Err(self
                .err(
                    Code::Literal,
                    self.span(p),
                    format!("`{}` is not a calendar date", p.as_str()),
                    "this date",
                )
                .help("write dates as YYYY-MM-DD")),
        }
    }

    /// A chapter or measure number.
    pub(super) fn integer(&self, p: &P<'_>) -> Lowered<Spanned<u32>> {
        p.as_str()
            .parse::<u32>()
            .map(|n| Spanned::new(n, self.span(p)))
            .map_err(|_| self.err(Code::Literal, self.span(p), "number too large", "here"))
    }

    /// A name as written.
    pub(super) fn ident(&self, p: &P<'_>) -> Ident {
        Spanned::new(p.as_str().to_string(), self.span(p))
    }

    /// A text in quotes, its escapes resolved.
    pub(super) fn string(&self, p: P<'_>) -> Text {
        let at = self.span(&p);
        let raw = p.into_inner().next().map(|i| i.as_str()).unwrap_or("");
        let mut out = String::with_capacity(raw.len());
        let mut chars = raw.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some(other) => out.push(other),
                    None => {}
                }
            } else {
                out.push(c);
            }
        }
        Spanned::new(out, at)
    }
}
