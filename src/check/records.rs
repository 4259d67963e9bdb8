//! Records: `record` types, `list of` facts and items written
//! `for each p in LIST`. Declarations are collected here, each per-record
//! item's list and record variable resolved, and every field reference
//! (`p.investment`) given its [`Symbol::Field`]; `infer` then gives fields
//! their units and reports what is misplaced (a list used as a value, a
//! field outside its item, a per-record item used by another).

use super::{Checker, EachInfo, FieldInfo, RecordInfo};
use crate::ast::*;
use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;
use crate::units::Unit;

impl Checker<'_> {
    /// A `record` declaration: its name declared, its fields collected
    /// (their types are resolved with the facts' types).
    pub(super) fn collect_record(&mut self, r: &RecordDecl) {
        let idx = self.policy.records.len();
        self.declare(&r.name, Symbol::Record(idx));
        let mut fields: Vec<FieldInfo> = Vec::new();
        for f in &r.fields {
            if let Some(prev) = fields.iter().find(|p| p.name == f.name.node) {
                let d = Diagnostic::error(
                    Code::Duplicate,
                    format!("record `{}` has two fields `{}`", r.name.node, f.name.node),
                )
                .label(f.name.span, "declared again here")
                .label(prev.span, "first declared here")
                .help("every field of a record needs a name of its own");
                self.error(d);
                continue;
            }
            fields.push(FieldInfo {
                name: f.name.node.clone(),
                unit: Unit::Number,
                label: f.label.as_ref().map(|l| l.node.clone()),
                span: f.name.span,
            });
        }
        self.policy.records.push(RecordInfo {
            name: r.name.node.clone(),
            label: r.label.as_ref().map(|l| l.node.clone()),
            fields,
            span: r.name.span,
        });
    }

    /// The unit of `list of NAME`: a list of that record type.
    pub(super) fn list_type(&mut self, name: &Ident) -> Unit {
        match self.policy.lookup(&name.node) {
            Some(Symbol::Record(r)) => Unit::List(r),
            _ => {
                let d = self
                    .unknown(name, "record type", |s| matches!(s, Symbol::Record(_)))
                    .help("declare it first: record project \"项目\" { investment: money \"投资额\" }");
                self.error(d);
                Unit::Number
            }
        }
    }

    /// Fields' types, params that cannot be lists, and every per-record
    /// item's list, variable and field references.
    pub(super) fn resolve_records(&mut self, program: &Program) {
        let decls = program.decls.iter().filter_map(|d| match d {
            Decl::Record(r) => Some(r),
            _ => None,
        });
        for (r, decl) in decls.enumerate() {
            for f in &decl.fields {
                let unit = match &f.ty.node {
                    TypeRef::ListOf(_) => {
                        self.error(
                            Diagnostic::error(Code::Invalid, "a record's field cannot be a list")
                                .label(f.ty.span, "a list of records")
                                .help("records do not nest: declare the inner records as a list fact of their own"),
                        );
                        Unit::Number
                    }
                    _ => self.resolve_type(&f.ty),
                };
                let slot = self.policy.records.get_mut(r);
                if let Some(info) =
                    slot.and_then(|x| x.fields.iter_mut().find(|x| x.name == f.name.node))
                {
                    info.unit = unit;
                }
            }
        }
        for p in program.decls.iter().filter_map(|d| match d {
            Decl::Param(p) => Some(p),
            _ => None,
        }) {
            if let TypeRef::ListOf(_) = p.ty.node {
                self.error(
                    Diagnostic::error(Code::Invalid, "a param cannot be a list of records")
                        .label(p.ty.span, "a list of records")
                        .help(
                            "a list of records is a fact of the enterprise: declare it with `fact`",
                        ),
                );
            }
        }
        for i in 0..self.policy.items.len() {
            self.resolve_each(ItemId(i));
        }
    }

    /// One item's `for each`: the list fact, the variable, the fields.
    fn resolve_each(&mut self, idx: ItemId) {
        let Some(item) = self.policy.item(idx) else {
            return;
        };
        let Some(each) = item.ast.each.clone() else {
            return;
        };
        let kind = item.ast.kind.clone();
        let Some(info) = self.each_info(&each) else {
            return;
        };
        if !kind.node.is_monetary() {
            self.error(
                Diagnostic::error(
                    Code::Invalid,
                    format!("only an item of money can be evaluated `for each` record, not {}", crate::value::with_article(kind.node.keyword())),
                )
                .label(each.span.0, "evaluated per record")
                .label(kind.span, "not an item of money")
                .help("a per-record item's amount is the sum of its records' amounts: make it a subsidy, award, interest_subsidy or matching"),
            );
        }
        let fields = self
            .policy
            .records
            .get(info.record)
            .map(|r| r.fields.clone());
        let fields = fields.unwrap_or_default();
        let prefix = format!("{}.", info.var);
        let record = info.record;
        if let Some(it) = self.policy.items.get_mut(idx.0) {
            let resolve = |e: &mut Expr| {
                walk_exprs_mut(e, &mut |x| {
                    if let ExprKind::Name(n) = &mut x.node {
                        let field = n.text.strip_prefix(&prefix);
                        if let Some(f) = field.and_then(|f| fields.iter().position(|x| x.name == f))
                        {
                            n.symbol = Some(Symbol::Field(record, f));
                        }
                    }
                });
            };
            resolve(it.ast.body.expr_mut());
            if let Some(w) = &mut it.ast.when {
                resolve(w);
            }
            it.each = Some(info);
        }
    }

    /// What `for each VAR in LIST` goes through, or `None` after saying
    /// why it cannot.
    fn each_info(&mut self, each: &ForEach) -> Option<EachInfo> {
        if let Some(prev) = self.declared_at.get(&each.var.node).copied() {
            self.error(
                Diagnostic::error(
                    Code::Duplicate,
                    format!(
                        "the record variable `{}` is already a declared name",
                        each.var.node
                    ),
                )
                .label(each.var.span, "the record variable")
                .label(prev, "declared here")
                .help("name the record variable apart from every fact, param and item, e.g. `p`"),
            );
            return None;
        }
        match self.policy.lookup(&each.list.node) {
            Some(Symbol::Fact(f)) => match self.policy.fact(f).map(|x| x.unit) {
                Some(Unit::List(record)) => Some(EachInfo {
                    var: each.var.node.clone(),
                    fact: f,
                    record,
                }),
                Some(u) => {
                    let shown = self.policy.unit_name(u);
                    self.error(
                        Diagnostic::error(
                            Code::UnitMismatch,
                            format!("`for each` goes through a list of records, but `{}` is {}", each.list.node, crate::value::with_article(&shown)),
                        )
                        .label(each.list.span, format!("this is {shown}"))
                        .help("declare the fact as a list: fact projects: list of project \"申报项目\""),
                    );
                    None
                }
                None => None,
            },
            _ => {
                let lists: Vec<&str> = self
                    .policy
                    .facts
                    .iter()
                    .filter(|f| matches!(f.unit, Unit::List(_)))
                    .map(|f| f.name.as_str())
                    .collect();
                let d = Diagnostic::error(
                    Code::UnknownName,
                    format!("unknown list fact `{}`", each.list.node),
                )
                .label(each.list.span, "not a declared fact");
                let d = match super::suggest(&each.list.node, lists.iter().copied()) {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None => d.help("declare it first: fact projects: list of project \"申报项目\""),
                };
                self.error(d);
                None
            }
        }
    }

    /// Why a name that resolved to nothing is no value, when it concerns
    /// records: a field the record has not, a record variable outside its
    /// item, or the variable alone. `None` for any other unknown name.
    pub(super) fn record_name_error(&self, text: &str, span: Span) -> Option<Diagnostic> {
        let each = self.each.as_ref();
        let record = each.and_then(|e| self.policy.records.get(e.record));
        if let Some((var, field)) = text.split_once('.') {
            return Some(match (each, record) {
                (Some(e), Some(r)) if e.var == var => {
                    let d = Diagnostic::error(
                        Code::UnknownName,
                        format!("record `{}` has no field `{field}`", r.name),
                    )
                    .label(span, "no such field");
                    match super::suggest(field, r.fields.iter().map(|f| f.name.as_str())) {
                        Some(s) => d.help(format!("did you mean `{var}.{s}`?")),
                        None => {
                            let names: Vec<&str> = r.fields.iter().map(|f| f.name.as_str()).collect();
                            d.help(format!("its fields are {}", names.join(", ")))
                        }
                    }
                }
                _ => Diagnostic::error(
                    Code::UnknownName,
                    format!("`{var}` is no record here, so `{text}` names nothing"),
                )
                .label(span, "not a record variable of this item")
                .help(format!("a field is used in an item written `for each {var} in LIST`, which binds `{var}` to each record")),
            });
        }
        match (each, record) {
            (Some(e), Some(r)) if e.var == text => Some(
                Diagnostic::error(
                    Code::Invalid,
                    format!("`{text}` is a whole record of `{}`, not a value", r.name),
                )
                .label(span, "a record")
                .help(match r.fields.first() {
                    Some(f) => format!("use one of its fields, e.g. `{text}.{}`", f.name),
                    None => "use one of its fields".to_string(),
                }),
            ),
            _ => None,
        }
    }

    /// Why a resolved name cannot stand where it does, when it concerns
    /// records: a record type, a list fact, or (in a per-record item)
    /// another per-record item. `None` when it may.
    pub(super) fn record_symbol_error(
        &self,
        sym: Symbol,
        text: &str,
        span: Span,
    ) -> Option<Diagnostic> {
        match sym {
            Symbol::Record(_) => Some(
                Diagnostic::error(Code::Invalid, format!("`{text}` is a record type, not a value"))
                    .label(span, "a record type")
                    .help("a record type is used in `fact NAME: list of TYPE`"),
            ),
            Symbol::Fact(f) if matches!(self.policy.fact(f).map(|x| x.unit), Some(Unit::List(_))) => Some(
                Diagnostic::error(
                    Code::Invalid,
                    format!("`{text}` is a list of records, which is gone through only by `for each`"),
                )
                .label(span, "a list of records")
                .help(format!("write the rule for one record and add `for each p in {text}`; its amount is the sum over the records")),
            ),
            Symbol::Item(i) if self.each.is_some() => {
                let other = self.policy.item(i)?;
                other.each.as_ref()?;
                Some(
                    Diagnostic::error(
                        Code::Invalid,
                        format!("a per-record item cannot use `{text}`, which is per-record too"),
                    )
                    .label(span, "evaluated per record")
                    .help("use the record's fields directly (one per-record item per rule), or use the total of the other item from an item that is not per record"),
                )
            }
            _ => None,
        }
    }
}
