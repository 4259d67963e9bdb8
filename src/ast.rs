//! The abstract syntax tree of a decree file.
//!
//! Produced by [`crate::syntax`], read by every later stage. Every node carries
//! a span; equality ignores spans and the spelling of literals (`5000万` equals
//! `50M`), so two files that mean the same compare equal.

use rust_decimal::Decimal;

use crate::span::{Loc, Spanned};
use crate::units::{Duration, Unit};

/// A name as written, with its span.
pub type Ident = Spanned<String>;

/// A string literal as written (escapes resolved), with its span.
pub type Text = Spanned<String>;

/// A whole file: its declarations in source order.
#[derive(Debug, Clone, PartialEq)]
pub struct Program {
    /// Declarations in the order written.
    pub decls: Vec<Decl>,
}

/// A top-level declaration.
#[derive(Debug, Clone, PartialEq)]
pub enum Decl {
    /// `policy "title" { … }`
    Policy(PolicyHeader),
    /// `enum name { a "label", b }`
    Enum(EnumDecl),
    /// `fact name: type "label"`
    Fact(FactDecl),
    /// `param name: type = value|tbd "label"`
    Param(ParamDecl),
    /// `chapter N "title" { measure … }`
    Chapter(Chapter),
    /// `measure N "title" { … }` outside any chapter.
    Measure(Measure),
    /// `include "policy.decree"`: a file of tests names the policy it tests.
    Include(Text),
    /// `test "name" { facts {…} set … at … expect … }`
    Test(TestDecl),
    /// `record project "项目" { investment: money "投资额", … }`: the
    /// fields of each record of a list fact.
    Record(RecordDecl),
    /// `exclusive NAME "label" [in order] { a, b }` (就高不重复): a stacking group.
    Exclusive(Exclusive),
    /// `cap NAME "label" = AMOUNT over { a, measure 8 } pro rata|in order`
    /// (累计上限): a cumulative cap per enterprise.
    Cap(CapDecl),
    /// `budget NAME "label" = 2亿 for { a, measure 9 } pro rata`: a fund
    /// shared by a population (issue 16).
    Budget(BudgetDecl),
}

/// `budget NAME "label" = AMOUNT for { members } RULE` (资金总额 … 用于 …):
/// the most a population run pays for the named items altogether.
#[derive(Debug, Clone, PartialEq)]
pub struct BudgetDecl {
    /// Its name.
    pub name: Ident,
    /// Its label.
    pub label: Option<Text>,
    /// The fund: a constant money expression (params, dated values).
    pub amount: Expr,
    /// The items it pays for, by item or by measure, as written.
    pub members: Vec<BudgetMember>,
    /// How it is shared when demand exceeds it.
    pub rule: Spanned<BudgetRule>,
    /// `pro rata against NAME` (`按比例核减 按 NAME`): the expected total
    /// demand (a money param), against which one enterprise's allocation is
    /// estimated outside a population run.
    pub against: Option<Expr>,
    /// The whole declaration.
    pub span: Loc,
}

/// One entry of a budget's `for { … }`.
#[derive(Debug, Clone, PartialEq)]
pub enum BudgetMember {
    /// A monetary item, by name.
    Item(Name, Loc),
    /// Every monetary item of a measure.
    Measure(Spanned<u32>),
}

/// How a budget is shared when the population's demand exceeds it.
#[derive(Debug, Clone, PartialEq)]
pub enum BudgetRule {
    /// `pro rata` (按比例核减): every entitlement scaled by budget ÷ demand.
    ProRata,
    /// `first come by FACT` (先到先得 按 FACT): in the order of a date or
    /// count fact, then input order.
    FirstCome(Name, Loc),
}

/// `record name "label" { field: type "label", … }`: a record type, the
/// shape of each entry of a `list of` fact (an enterprise's projects).
#[derive(Debug, Clone, PartialEq)]
pub struct RecordDecl {
    /// Name of the record type.
    pub name: Ident,
    /// A label shown in explanations (`项目`).
    pub label: Option<Text>,
    /// Its fields, in the order written.
    pub fields: Vec<FieldDecl>,
    /// The whole declaration.
    pub span: Loc,
}

/// A stacking group (就高不重复): of its members, an enterprise receives
/// one; the others are superseded (see `docs/LANGUAGE.md`, §30).
#[derive(Debug, Clone, PartialEq)]
pub struct Exclusive {
    /// Its name.
    pub name: Ident,
    /// Its label.
    pub label: Option<Text>,
    /// `in order` (按序): the first granted member in the written order
    /// wins; otherwise the highest does.
    pub in_order: bool,
    /// `per RECORD` (每个 RECORD): the group is decided record by record
    /// (同一项目就高不重复), not once for the enterprise; the record type.
    pub per: Option<Ident>,
    /// The member items, as written.
    pub members: Vec<Ident>,
    /// The whole declaration.
    pub span: Loc,
}

/// One field of a record type: `investment: money "投资额"`.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDecl {
    /// Name used after the record's variable (`p.investment`) and as the
    /// key in facts files.
    pub name: Ident,
    /// Type of the field (any fact type but a list).
    pub ty: Spanned<TypeRef>,
    /// Label used in explanations.
    pub label: Option<Text>,
}

/// `for each p in projects`: the item is evaluated once per record of the
/// list fact, with the record's fields as `p.field`.
#[derive(Debug, Clone, PartialEq)]
pub struct ForEach {
    /// The variable standing for one record.
    pub var: Ident,
    /// The list fact whose records are gone through.
    pub list: Ident,
    /// The whole clause.
    pub span: Loc,
}

/// What a cap covers: an item, or every monetary item of a measure.
#[derive(Debug, Clone, PartialEq)]
pub enum Covered {
    /// An item by name.
    Item(Ident),
    /// `measure N`: every monetary item of measure N.
    Measure(Spanned<u32>),
}

/// How a cap takes off the excess.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CapRule {
    /// `pro rata` (按比例核减): every item in proportion to its amount.
    ProRata,
    /// `in order` (按序): items kept in the listed order, the excess taken
    /// off the last listed first.
    InOrder,
}

/// A cumulative cap per enterprise (累计上限).
#[derive(Debug, Clone, PartialEq)]
pub struct CapDecl {
    /// Its name.
    pub name: Ident,
    /// Its label.
    pub label: Option<Text>,
    /// The cap (money; params allowed; `soft` for 原则上).
    pub amount: Expr,
    /// `per RECORD` (每个 RECORD): the cap holds for each record apart
    /// (单个项目累计不超过), not for the enterprise; the record type.
    pub per: Option<Ident>,
    /// What it covers, as written.
    pub over: Vec<Covered>,
    /// How the excess is taken off.
    pub rule: Spanned<CapRule>,
    /// The whole declaration.
    pub span: Loc,
}

/// A test written in the language: facts, settings and expectations.
#[derive(Debug, Clone, PartialEq)]
pub struct TestDecl {
    /// What the test is about.
    pub name: Text,
    /// Facts of the enterprise.
    pub facts: Vec<(Ident, FactInput)>,
    /// Param values (`set NAME = VALUE`); `issued` sets the issue date.
    pub sets: Vec<(Ident, Expr)>,
    /// Evaluation date.
    pub at: Option<Spanned<jiff::civil::Date>>,
    /// What must hold.
    pub expects: Vec<Expect>,
    /// The whole test.
    pub span: Loc,
}

/// A fact's value in a test.
#[derive(Debug, Clone, PartialEq)]
pub enum FactInput {
    /// A value: `1.2亿`, `20%`, `true`, an enum value.
    Value(Expr),
    /// A list of enum values, for a `set of` fact.
    List(Vec<Ident>),
    /// Records, for a `list of` fact: each its fields' values.
    Records(Vec<Spanned<Vec<(Ident, FactInput)>>>),
}

/// `expect ITEM = …`
#[derive(Debug, Clone, PartialEq)]
pub struct Expect {
    /// The item.
    pub item: Ident,
    /// What it must be.
    pub want: Expected,
    /// The whole line.
    pub span: Loc,
}

/// What an `expect` states.
#[derive(Debug, Clone, PartialEq)]
pub enum Expected {
    /// A status, and for `undetermined by X, Y` the facts or params named.
    Status(Spanned<ExpectStatus>, Vec<Ident>),
    /// A value, a bound or a range (`2400万`, `at most 1%`, `2%..3%`).
    Value(ItemBody),
}

/// A status an `expect` can state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpectStatus {
    /// `granted`
    Granted,
    /// `ineligible`
    Ineligible,
    /// `undetermined`
    Undetermined,
    /// `not_in_force`
    NotInForce,
    /// `met`
    Met,
    /// `not_met`
    NotMet,
    /// `listed`
    Listed,
    /// `superseded by y`: another member of a stacking group is granted.
    Superseded,
}

impl ExpectStatus {
    /// The rule of its keyword in the keyword table (`not_in_force`), also
    /// its English spelling.
    pub fn keyword(self) -> &'static str {
        match self {
            ExpectStatus::Granted => "granted",
            ExpectStatus::Ineligible => "ineligible",
            ExpectStatus::Undetermined => "undetermined",
            ExpectStatus::NotInForce => "not_in_force",
            ExpectStatus::Met => "met",
            ExpectStatus::NotMet => "not_met",
            ExpectStatus::Listed => "listed",
            ExpectStatus::Superseded => "superseded",
        }
    }
}

/// The policy header.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyHeader {
    /// The document's title.
    pub title: Text,
    /// Issue date; `None` for `issued tbd`, absent field also `None`.
    pub issued: Option<Spanned<IssueDate>>,
    /// Validity, e.g. 5 years.
    pub valid: Option<Spanned<Duration>>,
    /// Span of the whole header.
    pub span: Loc,
}

/// The issue date as the header states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssueDate {
    /// `issued tbd`: the draft has no date yet.
    Tbd,
    /// `issued 2020-11-01`.
    On(jiff::civil::Date),
}

/// An enumeration of named values, e.g. honour titles.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumDecl {
    /// Name of the enumeration.
    pub name: Ident,
    /// Its values, each with an optional label.
    pub variants: Vec<(Ident, Option<Text>)>,
    /// The whole declaration.
    pub span: Loc,
}

/// A declared type.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeRef {
    /// A built-in unit (money, rate, …).
    Unit(Unit),
    /// A value of a named enumeration.
    Enum(Ident),
    /// A set of values of a named enumeration.
    SetOf(Ident),
    /// A list of records of a named record type (`list of project`).
    ListOf(Ident),
}

/// `fact name: type "label"`
#[derive(Debug, Clone, PartialEq)]
pub struct FactDecl {
    /// Name used in expressions and facts files.
    pub name: Ident,
    /// Type of the fact.
    pub ty: Spanned<TypeRef>,
    /// Chinese label used in explanations.
    pub label: Option<Text>,
    /// The whole declaration.
    pub span: Loc,
}

/// `param name: type = value "label"`
#[derive(Debug, Clone, PartialEq)]
pub struct ParamDecl {
    /// Name.
    pub name: Ident,
    /// Declared type.
    pub ty: Spanned<TypeRef>,
    /// Its value, or `None` for `tbd`.
    pub value: Option<Expr>,
    /// Span of the value or of `tbd`.
    pub value_span: Loc,
    /// Label.
    pub label: Option<Text>,
    /// The whole declaration.
    pub span: Loc,
}

/// A chapter grouping measures.
#[derive(Debug, Clone, PartialEq)]
pub struct Chapter {
    /// Chapter number.
    pub number: Spanned<u32>,
    /// Title.
    pub title: Text,
    /// Introductory text cited.
    pub cites: Vec<Text>,
    /// Its measures.
    pub measures: Vec<Measure>,
    /// Span of the whole chapter.
    pub span: Loc,
}

impl Decl {
    /// Where the declaration is written; for an `include`, where its text
    /// is (the keyword before it has no node). Declarations end in the
    /// order written.
    pub fn span(&self) -> crate::span::Span {
        match self {
            Decl::Policy(h) => h.span.0,
            Decl::Enum(e) => e.span.0,
            Decl::Fact(f) => f.span.0,
            Decl::Param(p) => p.span.0,
            Decl::Chapter(c) => c.span.0,
            Decl::Measure(m) => m.span.0,
            Decl::Include(t) => t.span,
            Decl::Test(t) => t.span.0,
            Decl::Record(r) => r.span.0,
            Decl::Exclusive(g) => g.span.0,
            Decl::Cap(c) => c.span.0,
            Decl::Budget(b) => b.span.0,
        }
    }
}

/// `measure N "title" { cite …  items… }`
#[derive(Debug, Clone, PartialEq)]
pub struct Measure {
    /// Measure number as in the draft.
    pub number: Spanned<u32>,
    /// Title as in the draft.
    pub title: Text,
    /// Clause texts and items in the order written: a `cite` introduces
    /// the items that follow it.
    pub entries: Vec<MeasureEntry>,
    /// Span of the whole measure.
    pub span: Loc,
}

/// One line of a measure's body.
#[derive(Debug, Clone, PartialEq)]
pub enum MeasureEntry {
    /// `cite "…"`: clause text quoted from the draft.
    Cite(Text),
    /// An item.
    Item(Box<Item>),
}

impl Measure {
    /// The quoted clause texts, in order.
    pub fn cites(&self) -> impl Iterator<Item = &Text> {
        self.entries.iter().filter_map(|e| match e {
            MeasureEntry::Cite(c) => Some(c),
            MeasureEntry::Item(_) => None,
        })
    }

    /// The items, in order.
    pub fn items(&self) -> impl Iterator<Item = &Item> {
        self.entries.iter().filter_map(|e| match e {
            MeasureEntry::Item(i) => Some(i.as_ref()),
            MeasureEntry::Cite(_) => None,
        })
    }

    /// Each item with the clause texts it comes from: the run of `cite`s
    /// written just before it (shared by the items that follow until the
    /// next `cite`), or every cite of the measure when none precedes it.
    pub fn items_with_cites(&self) -> Vec<(&Item, Vec<&Text>)> {
        let mut out = Vec::new();
        let mut current: Vec<&Text> = Vec::new();
        let mut after_item = false;
        // Collected once: per item it made a long measure quadratic.
        let all: Vec<&Text> = self.cites().collect();
        for e in &self.entries {
            match e {
                MeasureEntry::Cite(c) => {
                    if after_item {
                        current.clear();
                        after_item = false;
                    }
                    current.push(c);
                }
                MeasureEntry::Item(i) => {
                    after_item = true;
                    let cites = if current.is_empty() {
                        all.clone()
                    } else {
                        current.clone()
                    };
                    out.push((i.as_ref(), cites));
                }
            }
        }
        out
    }
}

/// The kind of an item, which fixes what its value must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// Money granted as a subsidy (资助).
    Subsidy,
    /// Money granted as an award (奖励).
    Award,
    /// Money granted as an interest subsidy (贴息).
    InterestSubsidy,
    /// Money granted to match other funds (配套).
    Matching,
    /// A non-monetary benefit of any type (待遇).
    Benefit,
    /// A named status other items can use (资格).
    Eligibility,
    /// A city-level goal (目标).
    Target,
    /// A qualitative commitment (承诺).
    Commitment,
    /// Revenue forgone (税收优惠): a tax reduction, an extra deduction, a
    /// reduced rate. Monetary, but counted apart from outlays.
    TaxRelief,
}

impl ItemKind {
    /// Whether the item grants money.
    pub fn is_monetary(self) -> bool {
        matches!(
            self,
            ItemKind::Subsidy
                | ItemKind::Award
                | ItemKind::InterestSubsidy
                | ItemKind::Matching
                | ItemKind::TaxRelief
        )
    }

    /// Whether the item is revenue forgone (a tax relief) rather than an
    /// outlay.
    pub fn is_revenue_forgone(self) -> bool {
        self == ItemKind::TaxRelief
    }

    /// The keyword rule name (see [`crate::syntax::keywords`]).
    pub fn keyword(self) -> &'static str {
        match self {
            ItemKind::Subsidy => "subsidy",
            ItemKind::Award => "award",
            ItemKind::InterestSubsidy => "interest_subsidy",
            ItemKind::Matching => "matching",
            ItemKind::Benefit => "benefit",
            ItemKind::Eligibility => "eligibility",
            ItemKind::Target => "target",
            ItemKind::Commitment => "commitment",
            ItemKind::TaxRelief => "tax_relief",
        }
    }
}

/// One item of a measure.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// What kind of item.
    pub kind: Spanned<ItemKind>,
    /// Its name, unique in the file.
    pub name: Ident,
    /// A label shown in outputs.
    pub label: Option<Text>,
    /// Its value.
    pub body: ItemBody,
    /// `when` condition.
    pub when: Option<Expr>,
    /// `by DATE` for targets.
    pub by: Option<Spanned<jiff::civil::Date>>,
    /// `concerns "…"`: who the item concerns.
    pub concerns: Option<Text>,
    /// `for each p in projects`: evaluated once per record.
    pub each: Option<ForEach>,
    /// Span of the whole item.
    pub span: Loc,
}

/// What an item's `=` is followed by.
#[derive(Debug, Clone, PartialEq)]
pub enum ItemBody {
    /// A value.
    Value(Expr),
    /// `at most X` (不超过): an upper bound, e.g. a fee cap.
    AtMost(Expr),
    /// `at least X` (不少于): a lower bound, e.g. a minimum lease term.
    AtLeast(Expr),
}

impl ItemBody {
    /// The expression inside.
    pub fn expr(&self) -> &Expr {
        match self {
            ItemBody::Value(e) | ItemBody::AtMost(e) | ItemBody::AtLeast(e) => e,
        }
    }

    /// The expression inside, to change it.
    pub fn expr_mut(&mut self) -> &mut Expr {
        match self {
            ItemBody::Value(e) | ItemBody::AtMost(e) | ItemBody::AtLeast(e) => e,
        }
    }
}

/// An expression with its span.
pub type Expr = Spanned<ExprKind>;

/// The fact with this index in the checked policy's facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FactId(pub usize);

/// The param with this index in the checked policy's params.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ParamId(pub usize);

/// The item with this index in the checked policy's items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ItemId(pub usize);

/// What a name refers to, once the checker has resolved it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Symbol {
    /// A fact.
    Fact(FactId),
    /// A param.
    Param(ParamId),
    /// An item.
    Item(ItemId),
    /// A value of an enumeration: (enum index, variant index).
    Variant(usize, usize),
    /// An enumeration itself (usable only as a type).
    Enum(usize),
    /// A record type (usable only as a type): its index in the policy.
    Record(usize),
    /// A field of the record a per-record item is evaluated for
    /// (`p.investment`): (record type index, field index).
    Field(usize, usize),
}

/// A name used in an expression. The parser leaves `symbol` empty; the
/// checker fills it in, so that no later stage looks a name up by its
/// text. Equality compares the text only: the same rule in two versions
/// of a policy is equal whatever the indices of what it names.
#[derive(Debug, Clone)]
pub struct Name {
    /// The name as written.
    pub text: String,
    /// What it refers to; `None` before checking, or for a name declared
    /// nowhere.
    pub symbol: Option<Symbol>,
}

impl Name {
    /// An unresolved name.
    pub fn new(text: impl Into<String>) -> Self {
        Name {
            text: text.into(),
            symbol: None,
        }
    }
}

impl PartialEq for Name {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl std::ops::Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        &self.text
    }
}

impl std::fmt::Display for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// An expression.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A literal.
    Lit(Literal),
    /// A reference to a fact, param, item or enum value.
    Name(Name),
    /// `-x`, `not x`, `soft x`.
    Unary(UnaryOp, Box<Expr>),
    /// `a op b`.
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `a op b op c …`: three or more operands of one arithmetic or logical
    /// operator (`+ - × ÷ and or`), applied left to right as written. The
    /// parser builds a chain instead of nested `Binary`s so that a long sum
    /// nests one level, not one per term: the depth limit measures real
    /// nesting, and no stage recurses once per term.
    Chain(BinaryOp, Vec<Expr>),
    /// `if c then a else b`.
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `min(…)`, `max(…)`, `clamp(x, lo, hi)`, `round(x, step)`, `sum(…)`.
    Call(Builtin, Vec<Expr>),
    /// A tier table: first row whose threshold the subject meets wins.
    Tiers(Box<Tiers>),
    /// A marginal schedule: each bracket at its own rate.
    Schedule(Box<Schedule>),
    /// A value that changes by date (`5000万 from 2021-01-01, 3000万 from
    /// 2023-07-01`): the part in force at the evaluation date (issue 16).
    Dated(Box<Dated>),
    /// `today` (评估日期): the evaluation date.
    Today,
}

/// The parts of a dated value, as written.
#[derive(Debug, Clone)]
pub struct Dated {
    /// Each part with its window.
    pub parts: Vec<DatedPart>,
    /// Written bare as a param's value (`param p: money = 1 from …`), not
    /// as `dated { … }`: kept so the formatter prints it as written; never
    /// part of equality.
    pub bare: bool,
}

impl PartialEq for Dated {
    fn eq(&self, other: &Self) -> bool {
        self.parts == other.parts
    }
}

/// `VALUE from DATE [until DATE]`: a value in force from a day, through a
/// last day when `until` is written (else until the next part begins).
#[derive(Debug, Clone, PartialEq)]
pub struct DatedPart {
    /// The value in force.
    pub value: Expr,
    /// The first day it is in force.
    pub from: Spanned<jiff::civil::Date>,
    /// The last day it is in force, when written.
    pub until: Option<Spanned<jiff::civil::Date>>,
    /// The whole part.
    pub span: Loc,
}

/// The direct subexpressions of an expression kind, in the order written,
/// each given to `$f`; with `mut`, to change them. One body serves both
/// traversals, so they cannot visit differently.
macro_rules! each_child {
    ($kind:expr, $f:expr $(, $m:tt)?) => {
        match $kind {
            ExprKind::Lit(_) | ExprKind::Name(_) | ExprKind::Today => {}
            ExprKind::Unary(_, x) => $f(x),
            ExprKind::Binary(_, l, r) => {
                $f(l);
                $f(r);
            }
            ExprKind::If(c, t, e) => {
                $f(c);
                $f(t);
                $f(e);
            }
            ExprKind::Call(_, args) | ExprKind::Chain(_, args) => {
                for a in & $($m)? *args {
                    $f(a);
                }
            }
            ExprKind::Tiers(t) => {
                $f(& $($m)? t.subject);
                if let Some(p) = & $($m)? t.prior {
                    $f(p);
                }
                for (a, b) in & $($m)? t.rows {
                    $f(a);
                    $f(b);
                }
                if let Some(o) = & $($m)? t.otherwise {
                    $f(o);
                }
            }
            ExprKind::Dated(d) => {
                for p in & $($m)? d.parts {
                    $f(& $($m)? p.value);
                }
            }
            ExprKind::Schedule(s) => {
                $f(& $($m)? s.base);
                for (a, b) in & $($m)? s.brackets {
                    $f(a);
                    $f(b);
                }
                if let Some(o) = & $($m)? s.above {
                    $f(o);
                }
            }
        }
    };
}

impl ExprKind {
    /// Calls `f` on each direct subexpression, in the order written.
    pub fn for_each_child<'e>(&'e self, f: &mut impl FnMut(&'e Expr)) {
        each_child!(self, f);
    }

    /// Calls `f` on each direct subexpression, to change it.
    pub fn for_each_child_mut(&mut self, f: &mut impl FnMut(&mut Expr)) {
        each_child!(self, f, mut);
    }
}

/// Calls `f` on `e` and every expression inside it, outermost first. The
/// parser bounds how deep expressions nest, so the recursion is bounded.
pub fn walk_exprs<'e>(e: &'e Expr, f: &mut impl FnMut(&'e Expr)) {
    f(e);
    e.node.for_each_child(&mut |c| walk_exprs(c, f));
}

/// Calls `f` on `e` and every expression inside it, to change them.
pub fn walk_exprs_mut(e: &mut Expr, f: &mut impl FnMut(&mut Expr)) {
    f(e);
    e.node.for_each_child_mut(&mut |c| walk_exprs_mut(c, f));
}

/// A tier table.
#[derive(Debug, Clone, PartialEq)]
pub struct Tiers {
    /// `tiers X` or, for `first reaching X over P`, the current value X.
    pub subject: Expr,
    /// For `first reaching X over P`: the prior peak P.
    pub prior: Option<Expr>,
    /// How the subject is compared with each threshold (default `>=`).
    pub cmp: CmpOp,
    /// Rows `threshold => value`, tried in order.
    pub rows: Vec<(Expr, Expr)>,
    /// `else => value`.
    pub otherwise: Option<Expr>,
}

/// A marginal schedule.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    /// The base the brackets divide.
    pub base: Expr,
    /// `upper bound => rate`, increasing.
    pub brackets: Vec<(Expr, Expr)>,
    /// `above => rate` for the part beyond the last bound.
    pub above: Option<Expr>,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CmpOp {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `==`
    Eq,
    /// `!=`
    Ne,
}

impl CmpOp {
    /// Whether it asks for an order or only for equality.
    pub fn comparison(self) -> crate::units::Comparison {
        match self {
            CmpOp::Eq | CmpOp::Ne => crate::units::Comparison::Equality,
            _ => crate::units::Comparison::Order,
        }
    }

    /// The ASCII symbol.
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
        }
    }
}

/// A unary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// `-x`
    Neg,
    /// `not x`
    Not,
    /// `soft x`: a cap that holds only in principle (原则上).
    Soft,
}

/// A binary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// A comparison.
    Cmp(CmpOp),
    /// `and`
    And,
    /// `or`
    Or,
    /// `x in set`
    In,
    /// `lo..hi`: a discretionary band.
    Range,
}

impl BinaryOp {
    /// Whether a run of this operator is parsed as one [`ExprKind::Chain`]:
    /// arithmetic and the connectives, which read left to right; not
    /// comparisons, `in` or ranges, which take exactly two operands.
    pub fn chains(self) -> bool {
        matches!(
            self,
            BinaryOp::Add
                | BinaryOp::Sub
                | BinaryOp::Mul
                | BinaryOp::Div
                | BinaryOp::And
                | BinaryOp::Or
        )
    }

    /// The symbol shown in explanations.
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "×",
            BinaryOp::Div => "÷",
            BinaryOp::Cmp(c) => c.symbol(),
            BinaryOp::And => "and",
            BinaryOp::Or => "or",
            BinaryOp::In => "in",
            BinaryOp::Range => "..",
        }
    }
}

/// A built-in function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Builtin {
    /// Smallest argument.
    Min,
    /// Largest argument.
    Max,
    /// `clamp(x, lo, hi)`.
    Clamp,
    /// `round(x, step)`: to the nearest multiple of `step`, halves away from zero.
    Round,
    /// `sum(a, b, …)`: the total of any number of like amounts.
    Sum,
    /// `amount_of(item)`: a monetary item's amount, 0元 when it is not
    /// granted (ineligible, not in force, superseded).
    AmountOf,
    /// `years_between(from, to)`: the full years from one date to another.
    YearsBetween,
    /// `round_down(x, step)`: to the multiple of `step` at or below `x`.
    RoundDown,
    /// `round_up(x, step)`: to the multiple of `step` at or above `x`.
    RoundUp,
}

impl Builtin {
    /// The English name.
    pub fn name(self) -> &'static str {
        match self {
            Builtin::Min => "min",
            Builtin::Max => "max",
            Builtin::Clamp => "clamp",
            Builtin::Round => "round",
            Builtin::Sum => "sum",
            Builtin::AmountOf => "amount_of",
            Builtin::YearsBetween => "years_between",
            Builtin::RoundDown => "round_down",
            Builtin::RoundUp => "round_up",
        }
    }

    /// Every built-in function, in the order the language reference lists them.
    pub const ALL: [Builtin; 9] = [
        Builtin::Min,
        Builtin::Max,
        Builtin::Clamp,
        Builtin::Round,
        Builtin::Sum,
        Builtin::AmountOf,
        Builtin::YearsBetween,
        Builtin::RoundDown,
        Builtin::RoundUp,
    ];

    /// How many arguments the function takes, least and most.
    pub fn arity(self) -> (usize, usize) {
        match self {
            Builtin::Min | Builtin::Max | Builtin::Sum => (1, usize::MAX),
            Builtin::Clamp => (3, 3),
            Builtin::Round => (2, 2),
            Builtin::AmountOf => (1, 1),
            Builtin::YearsBetween | Builtin::RoundDown | Builtin::RoundUp => (2, 2),
        }
    }

    /// How it is called, for diagnostics: `clamp(value, low, high)`.
    pub fn signature(self) -> &'static str {
        match self {
            Builtin::Min => "min(a, b, …)",
            Builtin::Max => "max(a, b, …)",
            Builtin::Clamp => "clamp(value, low, high)",
            Builtin::Round => "round(value, step)",
            Builtin::Sum => "sum(a, b, …)",
            Builtin::AmountOf => "amount_of(item)",
            Builtin::YearsBetween => "years_between(from, to)",
            Builtin::RoundDown => "round_down(value, step)",
            Builtin::RoundUp => "round_up(value, step)",
        }
    }
}

/// A literal: its value and the text it was written as.
#[derive(Debug, Clone)]
pub struct Literal {
    /// The value.
    pub value: LitValue,
    /// The text as written, kept so the formatter prints `5000万` as `5000万`.
    pub raw: String,
}

impl PartialEq for Literal {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

/// The value of a literal.
#[derive(Debug, Clone, PartialEq)]
pub enum LitValue {
    /// A number with a unit (money in yuan, rates as fractions, area in m²).
    Quantity(Unit, Decimal),
    /// A quantity whose decimal does not terminate, kept exactly as the
    /// fraction numerator ÷ denominator (positive): `1亩` is 2000/3 m².
    Fraction(Unit, Decimal, Decimal),
    /// A duration.
    Duration(Duration),
    /// A date.
    Date(jiff::civil::Date),
    /// `true` / `false`.
    Bool(bool),
    /// A text.
    Text(String),
}
