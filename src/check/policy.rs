//! The checked representation of a policy: what [`super::check`] produces
//! and every later stage reads.
//!
//! Declarations are collected into vectors indexed by [`FactId`],
//! [`ParamId`] and [`ItemId`]; every name used in an item's rule or a
//! param's value carries the [`Symbol`] it resolves to, so evaluation never
//! looks a name up by its text.

use std::collections::HashMap;

use crate::ast::{Expr, FactId, IssueDate, Item, ItemId, ItemKind, ParamId, Symbol};
use crate::diagnostic::Diagnostic;
use crate::span::{SourceFile, Span};
use crate::units::{Duration, Unit};

/// A declared enumeration.
#[derive(Debug, Clone)]
pub struct EnumInfo {
    /// Its name.
    pub name: String,
    /// Its values with their labels.
    pub variants: Vec<(String, Option<String>)>,
    /// Where its name is declared.
    pub span: Span,
    /// Where each value's name is declared, in the order of `variants`.
    pub variant_spans: Vec<Span>,
}

/// A declared record type: the fields of each record of a `list of` fact.
#[derive(Debug, Clone)]
pub struct RecordInfo {
    /// Name.
    pub name: String,
    /// Label (`项目`), shown before each record's number in explanations.
    pub label: Option<String>,
    /// Fields, in declaration order (a record's values are in this order).
    pub fields: Vec<FieldInfo>,
    /// Where it is declared.
    pub span: Span,
}

/// A field of a record type.
#[derive(Debug, Clone)]
pub struct FieldInfo {
    /// Name (`investment`).
    pub name: String,
    /// Unit (type).
    pub unit: Unit,
    /// Label (`投资额`).
    pub label: Option<String>,
    /// Where it is declared.
    pub span: Span,
}

impl RecordInfo {
    /// The field named `name`, with its index.
    pub fn field(&self, name: &str) -> Option<(usize, &FieldInfo)> {
        self.fields.iter().enumerate().find(|(_, f)| f.name == name)
    }

    /// The field that names a record in explanations and results: the
    /// first field of type `text` (a project's name), if there is one.
    pub fn key_field(&self) -> Option<usize> {
        self.fields.iter().position(|f| f.unit == Unit::Text)
    }
}

/// What an item written `for each p in projects` is evaluated over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EachInfo {
    /// The variable standing for one record (`p`).
    pub var: String,
    /// The list fact.
    pub fact: FactId,
    /// Its record type, an index into [`Policy::records`].
    pub record: usize,
}

/// A declared fact.
#[derive(Debug, Clone)]
pub struct FactInfo {
    /// Name.
    pub name: String,
    /// Unit (type).
    pub unit: Unit,
    /// Chinese label.
    pub label: Option<String>,
    /// Where it is declared.
    pub span: Span,
}

/// A declared param.
#[derive(Debug, Clone)]
pub struct ParamInfo {
    /// Name.
    pub name: String,
    /// Unit (type).
    pub unit: Unit,
    /// Label.
    pub label: Option<String>,
    /// The value, `None` when the draft leaves it `tbd`.
    pub value: Option<Expr>,
    /// Where it is declared.
    pub span: Span,
}

/// A measure of the policy.
#[derive(Debug, Clone)]
pub struct MeasureInfo {
    /// Number as in the draft.
    pub number: u32,
    /// Title as in the draft.
    pub title: String,
    /// Quoted clause texts.
    pub cites: Vec<String>,
    /// The chapter it stands in, if any.
    pub chapter: Option<ChapterInfo>,
    /// Its items, in the order written.
    pub items: Vec<ItemId>,
    /// Where it is declared.
    pub span: Span,
}

/// A chapter of the policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChapterInfo {
    /// Number.
    pub number: u32,
    /// Title.
    pub title: String,
    /// Its introductory clause texts.
    pub cites: Vec<String>,
}

/// An item with its resolved unit.
#[derive(Debug, Clone)]
pub struct ItemInfo {
    /// The item as written.
    pub ast: Item,
    /// Unit of its value.
    pub unit: Unit,
    /// Clause texts it comes from (see [`crate::ast::Measure::items_with_cites`]).
    pub cites: Vec<String>,
    /// Index into [`Policy::measures`].
    pub measure: usize,
    /// For an item written `for each p in LIST`: what it goes through.
    pub each: Option<EachInfo>,
}

impl ItemInfo {
    /// Its name.
    pub fn name(&self) -> &str {
        &self.ast.name.node
    }

    /// Its kind.
    pub fn kind(&self) -> ItemKind {
        self.ast.kind.node
    }
}

/// The policy header, resolved.
#[derive(Debug, Clone, Default)]
pub struct HeaderInfo {
    /// Title of the document.
    pub title: Option<String>,
    /// Issue date; `None` when absent or `tbd`.
    pub issued: Option<IssueDate>,
    /// Validity.
    pub valid: Option<Duration>,
}

/// A checked policy, ready to evaluate any number of times.
#[derive(Debug, Clone)]
pub struct Policy {
    /// The source it was read from.
    pub source: SourceFile,
    /// Its header.
    pub header: HeaderInfo,
    /// Enumerations.
    pub enums: Vec<EnumInfo>,
    /// Record types.
    pub records: Vec<RecordInfo>,
    /// Facts, in declaration order.
    pub facts: Vec<FactInfo>,
    /// Params, in declaration order.
    pub params: Vec<ParamInfo>,
    /// Measures, in the order written.
    pub measures: Vec<MeasureInfo>,
    /// Items, in the order written.
    pub items: Vec<ItemInfo>,
    /// Items ordered so that each comes after every item it uses.
    pub order: Vec<ItemId>,
    /// Every declared name.
    pub names: HashMap<String, Symbol>,
    /// Warnings found while checking.
    pub warnings: Vec<Diagnostic>,
    /// Stacking groups (就高不重复), in the order written.
    pub groups: Vec<GroupInfo>,
    /// Cumulative caps per enterprise (累计上限), in the order written.
    pub caps: Vec<CapInfo>,
    /// Budgets shared by a population (issue 16), in the order written.
    pub budgets: Vec<super::BudgetInfo>,
}

/// A stacking group (就高不重复), checked: of its members an enterprise
/// receives one (see `docs/LANGUAGE.md`, §30).
#[derive(Debug, Clone)]
pub struct GroupInfo {
    /// Its name.
    pub name: String,
    /// Its label.
    pub label: Option<String>,
    /// `in order` (按序): the first granted member in the written order
    /// wins, instead of the highest.
    pub in_order: bool,
    /// `per RECORD`: decided record by record (see [`PerRecord`]);
    /// `None` for a group of the enterprise.
    pub per: Option<PerRecord>,
    /// Its members, monetary items, in the order written.
    pub members: Vec<ItemId>,
    /// Where its name is declared.
    pub span: Span,
}

/// What a stacking group or cap written `per RECORD` goes through: every
/// member is an item `for each` record of this one list fact, so the
/// members' results for record *i* (`ItemResult::records`, lined up by
/// index) are decided together, record by record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PerRecord {
    /// The record type, an index into [`Policy::records`].
    pub record: usize,
    /// The list fact every member goes through.
    pub fact: FactId,
}

/// A cumulative cap per enterprise (累计上限), checked.
#[derive(Debug, Clone)]
pub struct CapInfo {
    /// Its name.
    pub name: String,
    /// Its label.
    pub label: Option<String>,
    /// The cap: a money expression of literals and params.
    pub amount: Expr,
    /// How the excess is taken off.
    pub rule: crate::ast::CapRule,
    /// `per RECORD`: the cap holds for each record apart (see
    /// [`PerRecord`]); `None` for a cap of the enterprise.
    pub per: Option<PerRecord>,
    /// The monetary items it covers, in the order listed (a `measure N`
    /// stands for its monetary items in the order written), each once.
    pub items: Vec<ItemId>,
    /// Where its name is declared.
    pub span: Span,
}

impl Policy {
    /// A policy of `source` that declares nothing: where the checker
    /// starts, and the side of a diff that has no file.
    pub fn empty(source: &SourceFile) -> Policy {
        Policy {
            source: source.clone(),
            header: HeaderInfo::default(),
            enums: Vec::new(),
            records: Vec::new(),
            facts: Vec::new(),
            params: Vec::new(),
            measures: Vec::new(),
            items: Vec::new(),
            order: Vec::new(),
            names: std::collections::HashMap::new(),
            warnings: Vec::new(),
            groups: Vec::new(),
            caps: Vec::new(),
            budgets: Vec::new(),
        }
    }
    /// What `name` refers to.
    pub fn lookup(&self, name: &str) -> Option<Symbol> {
        self.names.get(name).copied()
    }

    /// The item named `name`.
    pub fn item_index(&self, name: &str) -> Option<ItemId> {
        match self.lookup(name) {
            Some(Symbol::Item(i)) => Some(i),
            _ => None,
        }
    }

    /// The items a drafter calls `text`: the item of that name, else every
    /// item with that label (a drafter knows an item by its Chinese label
    /// as often as by its name), in the order written.
    pub fn items_called(&self, text: &str) -> Vec<ItemId> {
        if let Some(i) = self.item_index(text) {
            return vec![i];
        }
        self.item_ids()
            .filter(|(_, info)| info.ast.label.as_ref().is_some_and(|l| l.node == text))
            .map(|(i, _)| i)
            .collect()
    }

    /// The item whose name or label is most like `text`, for a "did you
    /// mean" (by [`super::suggest`], the one there is).
    pub fn item_like(&self, text: &str) -> Option<ItemId> {
        let names = self.items.iter().map(|i| i.name());
        let labels = self
            .items
            .iter()
            .filter_map(|i| i.ast.label.as_ref().map(|l| l.node.as_str()));
        let best = super::suggest(text, names.chain(labels))?;
        self.items_called(best).first().copied()
    }

    /// The fact named `name`.
    pub fn fact_named(&self, name: &str) -> Option<(FactId, &FactInfo)> {
        match self.lookup(name) {
            Some(Symbol::Fact(i)) => Some((i, self.fact(i)?)),
            _ => None,
        }
    }

    /// The param named `name`.
    pub fn param_named(&self, name: &str) -> Option<(ParamId, &ParamInfo)> {
        match self.lookup(name) {
            Some(Symbol::Param(i)) => Some((i, self.param(i)?)),
            _ => None,
        }
    }

    /// A fact by its id.
    pub fn fact(&self, id: FactId) -> Option<&FactInfo> {
        self.facts.get(id.0)
    }

    /// A param by its id.
    pub fn param(&self, id: ParamId) -> Option<&ParamInfo> {
        self.params.get(id.0)
    }

    /// An item by its id.
    pub fn item(&self, id: ItemId) -> Option<&ItemInfo> {
        self.items.get(id.0)
    }

    /// Every fact with its id, in declaration order.
    pub fn fact_ids(&self) -> impl Iterator<Item = (FactId, &FactInfo)> {
        self.facts.iter().enumerate().map(|(i, f)| (FactId(i), f))
    }

    /// Every item with its id, in the order written.
    pub fn item_ids(&self) -> impl Iterator<Item = (ItemId, &ItemInfo)> {
        self.items.iter().enumerate().map(|(i, f)| (ItemId(i), f))
    }

    /// The label of what a symbol names (a fact's, param's, item's or enum
    /// value's), when it has one: explanations show it in place of the name.
    pub fn label_of(&self, symbol: Symbol) -> Option<&str> {
        match symbol {
            Symbol::Fact(i) => self.fact(i)?.label.as_deref(),
            Symbol::Param(i) => self.param(i)?.label.as_deref(),
            Symbol::Item(i) => self.item(i)?.ast.label.as_ref().map(|l| l.node.as_str()),
            Symbol::Variant(e, v) => self.enums.get(e)?.variants.get(v)?.1.as_deref(),
            Symbol::Field(r, f) => self.records.get(r)?.fields.get(f)?.label.as_deref(),
            Symbol::Enum(_) | Symbol::Record(_) => None,
        }
    }

    /// The unit of the record field a cause names as `LIST.FIELD`
    /// (`projects.investment`: a field missing from one of the records).
    pub fn field_unit(&self, name: &str) -> Option<Unit> {
        let (list, field) = name.split_once('.')?;
        let (_, fact) = self.fact_named(list)?;
        let Unit::List(r) = fact.unit else {
            return None;
        };
        Some(self.records.get(r)?.field(field)?.1.unit)
    }

    /// The display name of a unit (enumerations by their name).
    pub fn unit_name(&self, unit: Unit) -> String {
        match unit {
            Unit::Enum(e) => self.enums.get(e).map_or("enum".into(), |x| x.name.clone()),
            Unit::Set(e) => format!(
                "set of {}",
                self.enums.get(e).map_or("enum", |x| x.name.as_str())
            ),
            Unit::List(r) => format!(
                "list of {}",
                self.records.get(r).map_or("record", |x| x.name.as_str())
            ),
            u => u.name().to_string(),
        }
    }
}
