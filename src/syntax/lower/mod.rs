//! Lowering pest's parse tree into the typed AST, a span on every node.
//!
//! Nothing after this module sees a pest `Pair`. Declarations are lowered
//! here, tests written in the language in `test_decl`, expressions in
//! `expr` (a Pratt parser built from the one precedence table,
//! [`super::precedence::LEVELS`]) and tokens — literals, names, texts — in
//! `tokens`. Every expression's nesting depth is counted on the way up, so
//! no later recursive stage can be driven into a stack overflow by a
//! hostile file.

mod across;
mod expr;
mod issue16;
mod records;
mod test_decl;
mod tokens;

use pest::iterators::{Pair, Pairs};

use super::Rule;
use crate::Limits;
use crate::ast::*;
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::span::{Loc, SourceFile, Span, Spanned};
use crate::units::PerUnit;
use crate::value::Unit;

type P<'i> = Pair<'i, Rule>;
type Lowered<T> = Result<T, Diagnostic>;

/// Lowers pairs of one source file.
pub(super) struct Lowerer<'s> {
    src: &'s SourceFile,
    limits: &'s Limits,
    /// Errors that do not stop lowering (bad literals), so that every one in
    /// a declaration is reported.
    deferred: std::cell::RefCell<Vec<Diagnostic>>,
    /// How many `expr`s are being lowered, one inside another: bounds the
    /// recursion of lowering itself (nested `if`s have no brackets to count).
    nesting: std::cell::Cell<usize>,
    /// Where in `src` the parsed text starts: 0 for a whole file, the
    /// offset of the slice an editor's change made pest read again
    /// (`super::reparse`), so that every span is the file's.
    base: usize,
}

/// Punctuation pairs exist only for error messages.
fn is_punct(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::lbrace
            | Rule::rbrace
            | Rule::lparen
            | Rule::rparen
            | Rule::comma
            | Rule::colon
            | Rule::lbracket
            | Rule::rbracket
            | Rule::arrow
            | Rule::assign
            | Rule::EOI
    )
}

/// Whether a pair is a keyword token (kept out of the AST): the rules
/// named `kw_*`, found once from their names rather than by formatting a
/// name for every pair lowered.
fn is_keyword(rule: Rule) -> bool {
    static KEYWORDS: std::sync::LazyLock<Vec<bool>> = std::sync::LazyLock::new(|| {
        let mut table = vec![false; Rule::all_rules().len()];
        for r in Rule::all_rules() {
            if let Some(slot) = table.get_mut(*r as usize) {
                *slot = format!("{r:?}").starts_with("kw_");
            }
        }
        table
    });
    KEYWORDS.get(rule as usize).copied().unwrap_or(false)
}

/// The children that carry meaning: no punctuation, no keywords.
fn parts(p: P<'_>) -> impl Iterator<Item = P<'_>> {
    p.into_inner()
        .filter(|c| !is_punct(c.as_rule()) && !is_keyword(c.as_rule()))
}

impl<'s> Lowerer<'s> {
    /// A lowerer for pairs parsed from `src`, within `limits`.
    pub(super) fn new(src: &'s SourceFile, limits: &'s Limits) -> Self {
        Lowerer {
            src,
            limits,
            deferred: std::cell::RefCell::new(Vec::new()),
            nesting: std::cell::Cell::new(0),
            base: 0,
        }
    }

    /// A lowerer for pairs parsed from the slice of `src` that starts at
    /// byte `base`.
    pub(super) fn at(src: &'s SourceFile, limits: &'s Limits, base: usize) -> Self {
        Lowerer {
            base,
            ..Lowerer::new(src, limits)
        }
    }

    /// The span of a pair, in the file.
    pub(super) fn span(&self, p: &P<'_>) -> Span {
        let s = p.as_span();
        Span::new(self.base + s.start(), self.base + s.end())
    }

    /// An error at `at`, labelled, in this source.
    pub(super) fn err(
        &self,
        code: Code,
        at: Span,
        message: impl Into<String>,
        label: &str,
    ) -> Diagnostic {
        Diagnostic::error(code, message)
            .label(at, label)
            .in_source(self.src)
    }

    /// A construct the grammar guarantees but the tree lacks.
    pub(super) fn missing(&self, at: Span) -> Diagnostic {
        self.err(Code::Syntax, at, "incomplete construct", "here")
    }

    /// A whole file: every declaration, with every error found.
    pub(super) fn program(&self, pairs: Pairs<'_, Rule>) -> Result<Program, Diagnostics> {
        self.every(pairs, |p| self.decl(p))
            .map(|decls| Program { decls })
    }

    /// A run of measures (`measure_run`): those of a chapter that an
    /// editor's change made pest read again.
    pub(super) fn measures(&self, pairs: Pairs<'_, Rule>) -> Result<Vec<Measure>, Diagnostics> {
        self.every(pairs, |p| self.measure(p))
    }

    /// A run of a measure's cites and items (`entry_run`), read again as
    /// [`Lowerer::measures`] are.
    pub(super) fn entries(&self, pairs: Pairs<'_, Rule>) -> Result<Vec<MeasureEntry>, Diagnostics> {
        self.every(pairs, |p| self.entry(p))
    }

    /// Each part of the one pair in `pairs`, lowered by `lower`, with every
    /// error found, deferred ones too, in the order of the text.
    fn every<T>(
        &self,
        pairs: Pairs<'_, Rule>,
        lower: impl Fn(P<'_>) -> Lowered<T>,
    ) -> Result<Vec<T>, Diagnostics> {
        let mut out = Vec::new();
        let mut errors = Vec::new();
        for whole in pairs {
            for p in parts(whole) {
                match lower(p) {
                    Ok(d) => out.push(d),
                    Err(e) => errors.push(e),
                }
            }
        }
        errors.extend(self.deferred.take());
        if errors.is_empty() {
            Ok(out)
        } else {
            errors.sort_by_key(|d| d.span().map(|s| s.start));
            errors.dedup();
            Err(Diagnostics(errors))
        }
    }

    /// A lone expression (`expr_only`).
    pub(super) fn expr_only(&self, pairs: Pairs<'_, Rule>) -> Result<Expr, Diagnostics> {
        let whole = pairs.into_iter().next();
        let e = whole.and_then(|p| parts(p).next());
        let result = match e {
            Some(e) => self.expr(e).map(|(e, _)| e).map_err(Diagnostics::from),
            None => Err(self.missing(Span::default()).into()),
        };
        let deferred = self.deferred.take();
        match result {
            Ok(e) if deferred.is_empty() => Ok(e),
            Ok(_) => Err(Diagnostics(deferred)),
            Err(mut d) => {
                d.0.extend(deferred);
                Err(d)
            }
        }
    }

    fn decl(&self, p: P<'_>) -> Lowered<Decl> {
        Ok(match p.as_rule() {
            Rule::policy_decl => Decl::Policy(self.policy(p)?),
            Rule::enum_decl => Decl::Enum(self.enum_decl(p)?),
            Rule::fact_decl => Decl::Fact(self.fact(p)?),
            Rule::param_decl => Decl::Param(self.param(p)?),
            Rule::chapter_decl => Decl::Chapter(self.chapter(p)?),
            Rule::measure_decl => Decl::Measure(self.measure(p)?),
            Rule::include_decl => {
                let at = self.span(&p);
                let s = parts(p).next().ok_or_else(|| self.missing(at))?;
                Decl::Include(self.string(s))
            }
            Rule::test_decl => Decl::Test(self.test(p)?),
            Rule::record_decl => Decl::Record(self.record(p)?),
            Rule::exclusive_decl => Decl::Exclusive(self.exclusive(p)?),
            Rule::cap_decl => Decl::Cap(self.cap(p)?),
            Rule::budget_decl => Decl::Budget(self.budget(p)?),
            _ => return Err(self.missing(self.span(&p))),
        })
    }

    fn policy(&self, p: P<'_>) -> Lowered<PolicyHeader> {
        let whole = self.span(&p);
        let mut it = parts(p);
        let title = self.string(it.next().ok_or_else(|| self.missing(whole))?);
        let mut header = PolicyHeader {
            title,
            issued: None,
            valid: None,
            span: Loc(whole),
        };
        for field in it {
            let at = self.span(&field);
            match field.as_rule() {
                Rule::issued_field => {
                    let has_date = field
                        .clone()
                        .into_inner()
                        .find(|c| c.as_rule() == Rule::date_lit);
                    let date = match has_date {
                        Some(d) => IssueDate::On(self.date(&d)?),
                        None => IssueDate::Tbd,
                    };
                    self.once(&mut header.issued, date, at, "the issue date")?;
                }
                Rule::valid_field => {
                    let q = parts(field).next().ok_or_else(|| self.missing(at))?;
                    let d = match self.literal(q)? {
                        LitValue::Duration(d) => d,
                        _ => {
                            return Err(self
                                .err(
                                    Code::UnitMismatch,
                                    at,
                                    "validity must be a duration",
                                    "not a duration",
                                )
                                .help("write e.g. `valid 5 years` (有效期 5年)"));
                        }
                    };
                    self.once(&mut header.valid, d, at, "the validity")?;
                }
                _ => return Err(self.missing(at)),
            }
        }
        Ok(header)
    }

    /// Fills a header field, which may be given only once.
    fn once<T>(
        &self,
        field: &mut Option<Spanned<T>>,
        value: T,
        at: Span,
        what: &str,
    ) -> Lowered<()> {
        if field.is_some() {
            return Err(self.err(
                Code::Duplicate,
                at,
                format!("{what} is given twice"),
                "again here",
            ));
        }
        *field = Some(Spanned::new(value, at));
        Ok(())
    }

    fn enum_decl(&self, p: P<'_>) -> Lowered<EnumDecl> {
        let whole = self.span(&p);
        let mut it = parts(p);
        let name = self.ident(&it.next().ok_or_else(|| self.missing(whole))?);
        let mut variants = Vec::new();
        for v in it {
            let mut vi = parts(v);
            let vname = vi.next().ok_or_else(|| self.missing(whole))?;
            let label = vi.next().map(|l| self.string(l));
            variants.push((self.ident(&vname), label));
        }
        Ok(EnumDecl {
            name,
            variants,
            span: Loc(whole),
        })
    }

    fn type_ref(&self, p: P<'_>) -> Lowered<Spanned<TypeRef>> {
        let at = self.span(&p);
        let inner = p.into_inner().next().ok_or_else(|| self.missing(at))?;
        let ty = match inner.as_rule() {
            Rule::kw_money => TypeRef::Unit(Unit::Money),
            Rule::kw_rate => TypeRef::Unit(Unit::Rate),
            Rule::kw_count => TypeRef::Unit(Unit::Count),
            Rule::kw_area => TypeRef::Unit(Unit::Area),
            Rule::kw_weight => TypeRef::Unit(Unit::Weight),
            Rule::kw_money_per_area => TypeRef::Unit(Unit::MoneyPer(PerUnit::Area)),
            Rule::kw_money_per_count => TypeRef::Unit(Unit::MoneyPer(PerUnit::Count)),
            Rule::kw_money_per_weight => TypeRef::Unit(Unit::MoneyPer(PerUnit::Weight)),
            Rule::kw_duration => TypeRef::Unit(Unit::Duration),
            Rule::kw_date => TypeRef::Unit(Unit::Date),
            Rule::kw_bool => TypeRef::Unit(Unit::Bool),
            Rule::kw_text => TypeRef::Unit(Unit::Text),
            Rule::set_type => {
                let name = parts(inner).next().ok_or_else(|| self.missing(at))?;
                TypeRef::SetOf(self.ident(&name))
            }
            Rule::list_type => {
                let name = parts(inner).next().ok_or_else(|| self.missing(at))?;
                TypeRef::ListOf(self.ident(&name))
            }
            Rule::ident => TypeRef::Enum(self.ident(&inner)),
            _ => return Err(self.missing(at)),
        };
        Ok(Spanned::new(ty, at))
    }

    fn fact(&self, p: P<'_>) -> Lowered<FactDecl> {
        let whole = self.span(&p);
        let mut it = parts(p);
        let name = self.ident(&it.next().ok_or_else(|| self.missing(whole))?);
        let ty = self.type_ref(it.next().ok_or_else(|| self.missing(whole))?)?;
        let label = it.next().map(|l| self.string(l));
        Ok(FactDecl {
            name,
            ty,
            label,
            span: Loc(whole),
        })
    }

    fn param(&self, p: P<'_>) -> Lowered<ParamDecl> {
        let whole = self.span(&p);
        let tbd = p.clone().into_inner().find(|c| c.as_rule() == Rule::kw_tbd);
        let mut it = parts(p);
        let name = self.ident(&it.next().ok_or_else(|| self.missing(whole))?);
        let ty = self.type_ref(it.next().ok_or_else(|| self.missing(whole))?)?;
        let (value, value_span) = match tbd {
            Some(t) => (None, Loc(self.span(&t))),
            None => {
                let e = it.next().ok_or_else(|| self.missing(whole))?;
                let (e, _) = if e.as_rule() == Rule::dated_parts {
                    self.dated_parts(e)?
                } else {
                    self.expr(e)?
                };
                let s = Loc(e.span);
                (Some(e), s)
            }
        };
        let label = it.next().map(|l| self.string(l));
        Ok(ParamDecl {
            name,
            ty,
            value,
            value_span,
            label,
            span: Loc(whole),
        })
    }

    fn chapter(&self, p: P<'_>) -> Lowered<Chapter> {
        let whole = self.span(&p);
        let mut it = parts(p);
        let number = self.integer(&it.next().ok_or_else(|| self.missing(whole))?)?;
        let title = self.string(it.next().ok_or_else(|| self.missing(whole))?);
        let mut cites = Vec::new();
        let mut measures = Vec::new();
        for c in it {
            match c.as_rule() {
                Rule::cite_clause => cites.push(self.cite(c)?),
                _ => measures.push(self.measure(c)?),
            }
        }
        Ok(Chapter {
            number,
            title,
            cites,
            measures,
            span: Loc(whole),
        })
    }

    fn measure(&self, p: P<'_>) -> Lowered<Measure> {
        let whole = self.span(&p);
        let mut it = parts(p);
        let number = self.integer(&it.next().ok_or_else(|| self.missing(whole))?)?;
        let title = self.string(it.next().ok_or_else(|| self.missing(whole))?);
        let mut entries = Vec::new();
        for c in it {
            entries.push(self.entry(c)?);
        }
        Ok(Measure {
            number,
            title,
            entries,
            span: Loc(whole),
        })
    }

    /// A measure's cite or item.
    fn entry(&self, p: P<'_>) -> Lowered<MeasureEntry> {
        Ok(match p.as_rule() {
            Rule::cite_clause => MeasureEntry::Cite(self.cite(p)?),
            _ => MeasureEntry::Item(Box::new(self.item(p)?)),
        })
    }

    fn cite(&self, p: P<'_>) -> Lowered<Text> {
        let at = self.span(&p);
        let s = parts(p).next().ok_or_else(|| self.missing(at))?;
        Ok(self.string(s))
    }

    fn item(&self, p: P<'_>) -> Lowered<Item> {
        let whole = self.span(&p);
        let mut it = parts(p);
        let kind_pair = it.next().ok_or_else(|| self.missing(whole))?;
        let kind = self.item_kind(kind_pair)?;
        let name = self.ident(&it.next().ok_or_else(|| self.missing(whole))?);
        let mut label = None;
        let mut next = it.next().ok_or_else(|| self.missing(whole))?;
        if next.as_rule() == Rule::string {
            label = Some(self.string(next));
            next = it.next().ok_or_else(|| self.missing(whole))?;
        }
        let body = self.item_body(next)?;
        let mut item = Item {
            kind,
            name,
            label,
            body,
            when: None,
            by: None,
            concerns: None,
            each: None,
            span: Loc(whole),
        };
        for clause in it {
            let at = self.span(&clause);
            let dup = |what: &str| {
                self.err(
                    Code::Duplicate,
                    at,
                    format!("`{what}` is given twice for this item"),
                    "again here",
                )
            };
            match clause.as_rule() {
                Rule::when_clause => {
                    let e = parts(clause).next().ok_or_else(|| self.missing(at))?;
                    if item.when.is_some() {
                        return Err(dup("when").help("combine the conditions with `and`"));
                    }
                    item.when = Some(self.expr(e)?.0);
                }
                Rule::by_clause => {
                    let d = parts(clause).next().ok_or_else(|| self.missing(at))?;
                    if item.by.is_some() {
                        return Err(dup("by"));
                    }
                    item.by = Some(Spanned::new(self.date(&d)?, at));
                }
                Rule::concerns_clause => {
                    let s = parts(clause).next().ok_or_else(|| self.missing(at))?;
                    if item.concerns.is_some() {
                        return Err(dup("concerns"));
                    }
                    item.concerns = Some(self.string(s));
                }
                Rule::each_clause => {
                    if item.each.is_some() {
                        return Err(dup("for each"));
                    }
                    item.each = Some(self.each(clause)?);
                }
                _ => return Err(self.missing(at)),
            }
        }
        Ok(item)
    }

    fn item_kind(&self, p: P<'_>) -> Lowered<Spanned<ItemKind>> {
        let at = self.span(&p);
        let kw = p.into_inner().next().ok_or_else(|| self.missing(at))?;
        let kind = match kw.as_rule() {
            Rule::kw_subsidy => ItemKind::Subsidy,
            Rule::kw_award => ItemKind::Award,
            Rule::kw_interest_subsidy => ItemKind::InterestSubsidy,
            Rule::kw_matching => ItemKind::Matching,
            Rule::kw_benefit => ItemKind::Benefit,
            Rule::kw_eligibility => ItemKind::Eligibility,
            Rule::kw_target => ItemKind::Target,
            Rule::kw_commitment => ItemKind::Commitment,
            Rule::kw_tax_relief => ItemKind::TaxRelief,
            _ => return Err(self.missing(at)),
        };
        Ok(Spanned::new(kind, at))
    }

    fn item_body(&self, p: P<'_>) -> Lowered<ItemBody> {
        let at = self.span(&p);
        let inner = p.into_inner().next().ok_or_else(|| self.missing(at))?;
        Ok(match inner.as_rule() {
            Rule::at_most => {
                let e = parts(inner).next().ok_or_else(|| self.missing(at))?;
                ItemBody::AtMost(self.expr(e)?.0)
            }
            Rule::at_least => {
                let e = parts(inner).next().ok_or_else(|| self.missing(at))?;
                ItemBody::AtLeast(self.expr(e)?.0)
            }
            _ => ItemBody::Value(self.expr(inner)?.0),
        })
    }
}
