//! Tests written in the language (`test "…" { facts {…} expect … }`), and
//! the coverage of a policy by its tests.
//!
//! [`run`] evaluates each test's facts against a checked policy and compares
//! every `expect`; a failure is a [`Diagnostic`] at the `expect` line, with
//! the expected and actual values. [`coverage`] lists the items, `when`
//! branches, `if` branches, tier rows (and, for `first reaching`, a level
//! reached before), schedule brackets and `min`/`max` arguments no test
//! reached, numbered as the evaluator records them ([`Hit`]).

use std::collections::BTreeSet;

use crate::ast::*;
use crate::check::{Policy, Symbol};
use crate::diagnostic::{Code, Diagnostic};
use crate::eval::{self, Cause, Evaluation, Facts, Hit, ItemResult, Options, Status};
use crate::facts::{Raw, convert};
use crate::span::{SourceFile, Span, Spanned};
use crate::value::{Unit, Value};

/// The result of one test.
#[derive(Debug, Clone)]
pub struct TestResult {
    /// The test's name.
    pub name: String,
    /// Failed expectations and errors (empty when the test passed).
    pub failures: Vec<Diagnostic>,
    /// How many `expect`s held.
    pub passed_expects: usize,
}

impl TestResult {
    /// Whether every expectation held.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// What a set of tests reached: branches taken and items computed.
#[derive(Debug, Clone, Default)]
pub struct Reached {
    hits: BTreeSet<Hit>,
    items: BTreeSet<usize>,
}

/// Every test declared in a program.
pub fn tests_in(program: &Program) -> Vec<&TestDecl> {
    program
        .decls
        .iter()
        .filter_map(|d| match d {
            Decl::Test(t) => Some(t),
            _ => None,
        })
        .collect()
}

/// Runs tests (written in `source`) against `policy`, recording what they
/// reach into `reached`.
pub fn run(
    policy: &Policy,
    source: &SourceFile,
    tests: &[&TestDecl],
    reached: &mut Reached,
) -> Vec<TestResult> {
    tests
        .iter()
        .map(|t| run_one(policy, source, t, reached))
        .collect()
}

fn fail(source: &SourceFile, span: Span, message: String, label: &str) -> Diagnostic {
    Diagnostic::error(Code::TestFailed, message)
        .label(span, label)
        .in_source(source)
}

fn run_one(
    policy: &Policy,
    source: &SourceFile,
    t: &TestDecl,
    reached: &mut Reached,
) -> TestResult {
    let mut result = TestResult {
        name: t.name.node.clone(),
        failures: Vec::new(),
        passed_expects: 0,
    };
    let mut options = Options {
        at: t.at.as_ref().map(|a| a.node),
        ..Options::default()
    };
    for (name, e) in &t.sets {
        match setting(policy, source, name, e, &mut options) {
            Ok(()) => {}
            Err(d) => result.failures.push(d),
        }
    }
    let mut facts = Facts::new(t.name.node.clone());
    for (name, input) in &t.facts {
        match fact_value(policy, source, name, input) {
            Ok((id, v)) => facts.set(id, v),
            Err(d) => result.failures.push(d),
        }
    }
    if !result.failures.is_empty() {
        return result;
    }
    let evaluation = eval::evaluate(policy, &facts, &options);
    record(policy, &evaluation, reached);
    for d in &evaluation.errors {
        result.failures.push(
            Diagnostic::error(
                Code::TestFailed,
                format!("evaluation failed: {}", d.message),
            )
            .label(t.name.span, "in this test")
            .in_source(source),
        );
    }
    for expect in &t.expects {
        match check_expect(policy, source, &evaluation, expect, &options) {
            Ok(()) => result.passed_expects += 1,
            Err(d) => result.failures.push(d),
        }
    }
    result
}

fn record(policy: &Policy, evaluation: &Evaluation, reached: &mut Reached) {
    reached.hits.extend(evaluation.hits.iter().copied());
    for item in evaluation.measures.iter().flat_map(|m| &m.items) {
        if matches!(
            item.status,
            Status::Granted | Status::Met | Status::NotMet | Status::Listed
        ) {
            if let Some(i) = policy.item_index(&item.name) {
                reached.items.insert(i.0);
            }
        }
    }
}

fn setting(
    policy: &Policy,
    source: &SourceFile,
    name: &Ident,
    e: &Expr,
    options: &mut Options,
) -> Result<(), Diagnostic> {
    if name.node == "issued" {
        return match constant(policy, e, options) {
            Ok(Value::Date(d)) => {
                options.issued = Some(d);
                Ok(())
            }
            _ => Err(fail(
                source,
                e.span,
                "`issued` must be a date".into(),
                "not a date",
            )),
        };
    }
    let Some(Symbol::Param(i)) = policy.lookup(&name.node) else {
        return Err(fail(
            source,
            name.span,
            format!("`{}` is not a param of the policy", name.node),
            "not a param",
        ));
    };
    let unit = policy.param(i).map_or(Unit::Number, |p| p.unit);
    let v = constant(policy, e, options).map_err(|d| d.in_source(source))?;
    let v = fit(policy, unit, v).map_err(|why| {
        fail(
            source,
            e.span,
            format!("`{}`: {why}", name.node),
            "wrong type",
        )
    })?;
    options.params.insert(name.node.clone(), v);
    Ok(())
}

/// A constant given for a fact or param of `unit`: a bare number stands for
/// a count or a number; everything else must have the unit itself.
fn fit(policy: &Policy, unit: Unit, v: Value) -> Result<Value, String> {
    match (unit, v) {
        (Unit::Count | Unit::Number | Unit::Rate, Value::Num(Unit::Number, d)) => {
            Ok(Value::Num(unit, d))
        }
        (u, Value::Num(vu, d)) if u == vu => Ok(Value::Num(u, d)),
        // An area in 亩 that is a fraction of square metres (`1亩`).
        (
            Unit::Area,
            v @ Value::Quotient {
                unit: Unit::Area, ..
            },
        ) => Ok(v),
        (Unit::Duration, Value::Duration(d)) => d.as_kept_value().map(|()| Value::Duration(d)),
        (Unit::Date, v @ Value::Date(_)) => Ok(v),
        (Unit::Bool, v @ Value::Bool(_)) | (Unit::Text, v @ Value::Text(_)) => Ok(v),
        (Unit::Enum(_), Value::Variant(n)) => Ok(Value::Variant(n)),
        (u, v) => Err(format!(
            "{v} is not {}",
            crate::value::with_article(&policy.unit_name(u))
        )),
    }
}

/// A test's records for the list fact `name`: each field found by name
/// (the one reader of facts files' records says which) and its value typed
/// as a fact's is.
fn records_value(
    policy: &Policy,
    source: &SourceFile,
    name: &Ident,
    unit: Unit,
    records: &[Spanned<Vec<(Ident, FactInput)>>],
) -> Result<Value, Diagnostic> {
    let Some(info) = (match unit {
        Unit::List(r) => policy.records.get(r),
        _ => None,
    }) else {
        return Err(fail(
            source,
            name.span,
            format!(
                "fact `{}` is {}, not a list of records",
                name.node,
                policy.unit_name(unit)
            ),
            "not a list fact",
        ));
    };
    let mut out = Vec::with_capacity(records.len());
    for r in records {
        let mut rec = crate::value::Record {
            fields: vec![None; info.fields.len()],
        };
        for (field, input) in &r.node {
            let (i, f) = crate::facts::field_named(info, &field.node)
                .map_err(|why| fail(source, field.span, why, "unknown field"))?;
            if rec.fields.get(i).is_some_and(Option::is_some) {
                return Err(fail(
                    source,
                    field.span,
                    format!("the field `{}` is given twice", field.node),
                    "again here",
                ));
            }
            let v = match input {
                FactInput::Records(_) => {
                    return Err(fail(
                        source,
                        field.span,
                        "records do not nest".into(),
                        "a list of records",
                    ));
                }
                other => typed_input(policy, source, field, f.unit, other)?,
            };
            if let Some(slot) = rec.fields.get_mut(i) {
                *slot = Some(v);
            }
        }
        out.push(rec);
    }
    Ok(Value::Records(out))
}

fn fact_value(
    policy: &Policy,
    source: &SourceFile,
    name: &Ident,
    input: &FactInput,
) -> Result<(FactId, Value), Diagnostic> {
    let Some((id, unit)) = policy.fact_named(&name.node).map(|(id, f)| (id, f.unit)) else {
        let d = fail(
            source,
            name.span,
            format!("`{}` is not a fact of the policy", name.node),
            "unknown fact",
        );
        let names = policy.facts.iter().map(|f| f.name.as_str());
        return Err(match crate::check::suggest(&name.node, names) {
            Some(b) => d.help(format!("did you mean `{b}`?")),
            None => d,
        });
    };
    let value = typed_input(policy, source, name, unit, input)?;
    Ok((id, value))
}

/// A fact's (or a record field's) value as a test writes it, typed by
/// `unit`.
fn typed_input(
    policy: &Policy,
    source: &SourceFile,
    name: &Ident,
    unit: Unit,
    input: &FactInput,
) -> Result<Value, Diagnostic> {
    Ok(match input {
        FactInput::List(items) => {
            let raw = Raw::List(items.iter().map(|i| Raw::Str(i.node.clone())).collect());
            match convert(policy, unit, &raw) {
                Ok(Some(v)) => v,
                Ok(None) => return Err(fail(source, name.span, "no value".into(), "here")),
                Err(why) => {
                    return Err(fail(
                        source,
                        name.span,
                        format!("fact `{}`: {why}", name.node),
                        "wrong value",
                    ));
                }
            }
        }
        FactInput::Records(records) => records_value(policy, source, name, unit, records)?,
        FactInput::Value(e) => {
            let v = constant(policy, e, &Options::default()).map_err(|d| d.in_source(source))?;
            fit(policy, unit, v).map_err(|why| {
                fail(
                    source,
                    e.span,
                    format!("fact `{}`: {why}", name.node),
                    "wrong type",
                )
            })?
        }
    })
}

/// The value of an expression written in a test (a fact's value, a
/// setting, an expected value), its names resolved against the policy.
fn constant(policy: &Policy, e: &Expr, options: &Options) -> Result<Value, Diagnostic> {
    let mut e = e.clone();
    crate::check::resolve_names(policy, &mut e);
    eval::constant(policy, &e, options)
}

fn status_name(s: ExpectStatus) -> Status {
    match s {
        ExpectStatus::Granted => Status::Granted,
        ExpectStatus::Ineligible => Status::Ineligible,
        ExpectStatus::Undetermined => Status::Undetermined,
        ExpectStatus::NotInForce => Status::NotInForce,
        ExpectStatus::Met => Status::Met,
        ExpectStatus::NotMet => Status::NotMet,
        ExpectStatus::Listed => Status::Listed,
        ExpectStatus::Superseded => Status::Superseded,
    }
}

/// What an item came to, in words, for failure messages.
fn actual(item: &ItemResult) -> String {
    let value = crate::report::shown_value(item);
    let mut s = if value.is_empty() {
        item.status.as_str().to_string()
    } else {
        format!("{value} ({})", item.status.as_str())
    };
    if let Some(r) = &item.reason {
        s.push_str(&format!(": {r}"));
    }
    if !item.undetermined_by.is_empty() {
        let causes: Vec<String> = item
            .undetermined_by
            .iter()
            .map(ToString::to_string)
            .collect();
        s.push_str(&format!(" by {}", causes.join(", ")));
    }
    s
}

fn check_expect(
    policy: &Policy,
    source: &SourceFile,
    evaluation: &Evaluation,
    expect: &Expect,
    options: &Options,
) -> Result<(), Diagnostic> {
    let Some(item) = evaluation.item(&expect.item.node) else {
        let d = fail(
            source,
            expect.item.span,
            format!("no item `{}` in the policy", expect.item.node),
            "unknown item",
        );
        let names = policy.items.iter().map(|i| i.name());
        return Err(match crate::check::suggest(&expect.item.node, names) {
            Some(b) => d.help(format!("did you mean `{b}`?")),
            None => d,
        });
    };
    let line = expect.span.0;
    let mismatch = |wanted: String| {
        fail(
            source,
            line,
            format!("expected `{}` = {wanted}, got {}", item.name, actual(item)),
            "this expectation does not hold",
        )
        .help(match item.notes.first() {
            Some(n) => format!("decree explain {} --facts … shows why ({n})", item.name),
            None => format!(
                "decree explain {} shows how the value was reached",
                item.name
            ),
        })
    };
    match &expect.want {
        Expected::Status(status, by) => expect_status(item, status.node, by).map_err(mismatch),
        Expected::Value(body) => {
            let e = body.expr();
            let v = constant(policy, e, options).map_err(|d| d.in_source(source))?;
            expect_value(item, body, v).map_err(mismatch)
        }
    }
}

/// Whether an item has the status expected (and, for `undetermined by X`,
/// is left open by X); else what was expected, in words.
fn expect_status(item: &ItemResult, status: ExpectStatus, by: &[Ident]) -> Result<(), String> {
    let want = status_name(status);
    let wanted_text = if by.is_empty() {
        want.as_str().to_string()
    } else {
        let names: Vec<&str> = by.iter().map(|b| b.node.as_str()).collect();
        format!("{} by {}", want.as_str(), names.join(", "))
    };
    // `superseded by y`: the member that supersedes it.
    let named = |b: &Ident| {
        if status == ExpectStatus::Superseded {
            return item.superseded_by.as_deref() == Some(b.node.as_str());
        }
        item.undetermined_by.iter().any(|c| match c {
            Cause::Fact { name, .. } | Cause::Param { name, .. } => *name == b.node,
            Cause::Discretion => b.node == "discretion",
            Cause::EvaluationDate => b.node == "evaluation_date",
        })
    };
    if item.status == want && by.iter().all(named) {
        Ok(())
    } else {
        Err(wanted_text)
    }
}

/// Whether an item came to the value expected (a bound for `at most` /
/// `at least`; decided by a soft cap exactly when `soft X` is expected);
/// else what was expected, in words.
fn expect_value(item: &ItemResult, body: &ItemBody, v: Value) -> Result<(), String> {
    let want = match body {
        ItemBody::Value(_) => v,
        ItemBody::AtMost(_) => Value::Bound(crate::value::BoundKind::AtMost, Box::new(v)),
        ItemBody::AtLeast(_) => Value::Bound(crate::value::BoundKind::AtLeast, Box::new(v)),
    };
    let got = item.raw.as_ref().filter(|_| {
        matches!(
            item.status,
            Status::Granted | Status::Met | Status::NotMet | Status::Listed
        )
    });
    // `soft X` expects the soft cap to have decided the value; a value a
    // soft cap decided must be expected as `soft X`.
    let want_soft = matches!(body.expr().node, ExprKind::Unary(UnaryOp::Soft, _));
    match got {
        Some(g) if same(g, &want) && want_soft == item.soft_cap => Ok(()),
        _ if want_soft => Err(format!("soft {want}")),
        _ => Err(want.to_string()),
    }
}

/// Equality of values as a drafter means it: numbers by value, whatever
/// their scale or the bare-number/rate distinction.
fn same(a: &Value, b: &Value) -> bool {
    // A fraction (an area in 亩) equals what it equals exactly.
    if let Some(o) = crate::eval::quotient::order(a, b) {
        return o == Ok(std::cmp::Ordering::Equal);
    }
    match (a.bounds(), b.bounds()) {
        (Some((ua, alo, ahi)), Some((ub, blo, bhi))) => {
            crate::units::join(ua, ub).is_some() && alo == blo && ahi == bhi
        }
        _ => match (a, b) {
            (Value::Bound(k1, x), Value::Bound(k2, y)) => k1 == k2 && same(x, y),
            (Value::Duration(x), Value::Duration(y)) => {
                x.comparable(y).is_some_and(|(p, q)| p == q)
            }
            _ => a == b,
        },
    }
}

/// One thing the tests did not reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    /// Measure number.
    pub measure: u32,
    /// Item name.
    pub item: String,
    /// What was not reached, in words.
    pub what: String,
    /// Where it is written.
    pub span: Span,
}

/// Coverage of a policy by tests.
#[derive(Debug, Clone, Default)]
pub struct Coverage {
    /// How many points there are.
    pub total: usize,
    /// What was not reached.
    pub gaps: Vec<Gap>,
}

/// The points of `policy` that `reached` does not cover.
pub fn coverage(policy: &Policy, reached: &Reached) -> Coverage {
    let mut cov = Coverage::default();
    for (idx, info) in policy.items.iter().enumerate() {
        let measure = policy.measures.get(info.measure).map_or(0, |m| m.number);
        let mut gap = |what: String, span: Span, hit: bool| {
            cov.total += 1;
            if !hit {
                cov.gaps.push(Gap {
                    measure,
                    item: info.name().to_string(),
                    what,
                    span,
                });
            }
        };
        let is = |span: Span, branch: usize| {
            reached.hits.contains(&Hit {
                span,
                branch: u32::try_from(branch).unwrap_or(u32::MAX),
            })
        };
        gap(
            "the item is never granted or computed".into(),
            info.ast.name.span,
            reached.items.contains(&idx),
        );
        if let Some(w) = &info.ast.when {
            gap("its `when` is never true".into(), w.span, is(w.span, 1));
            gap("its `when` is never false".into(), w.span, is(w.span, 0));
        }
        for (span, branch, what) in item_points(policy, info) {
            gap(what, span, is(span, branch));
        }
    }
    cov
}

/// The branches of one item: of every construct in its rule and its
/// `when`, found by [`walk_exprs`] (the one traversal, so a construct
/// inside a tier row, a schedule or a condition is listed as surely as the
/// evaluator records it). Each is (construct span, branch, description),
/// numbered as [`Hit`] says.
fn item_points(policy: &Policy, info: &crate::check::ItemInfo) -> Vec<(Span, usize, String)> {
    let mut out = Vec::new();
    let exprs = std::iter::once(info.ast.body.expr()).chain(info.ast.when.as_ref());
    for root in exprs {
        walk_exprs(root, &mut |e| construct_points(policy, e, &mut out));
    }
    out
}

/// The branches of one construct, not of those inside it.
fn construct_points(policy: &Policy, e: &Expr, out: &mut Vec<(Span, usize, String)>) {
    let show = |x: &Expr| eval::describe(policy, x);
    match &e.node {
        ExprKind::If(c, _, _) => {
            out.push((e.span, 0, format!("`if {}` is never true", show(c))));
            out.push((e.span, 1, format!("`if {}` is never false", show(c))));
        }
        ExprKind::Call(f, args) if matches!(f, Builtin::Min | Builtin::Max) && args.len() > 1 => {
            for (i, a) in args.iter().enumerate() {
                let what = format!(
                    "`{}` argument {} ({}) never decides",
                    f.name(),
                    i + 1,
                    show(a)
                );
                out.push((e.span, i, what));
            }
        }
        ExprKind::Tiers(t) => tier_points(policy, e.span, t, out),
        ExprKind::Schedule(s) => {
            for (i, (bound, rate)) in s.brackets.iter().enumerate() {
                let what = format!(
                    "schedule bracket {} (up to {} at {}) is never reached",
                    i + 1,
                    show(bound),
                    show(rate)
                );
                out.push((e.span, i, what));
            }
            if let Some(rate) = &s.above {
                let n = s.brackets.len();
                let what = format!(
                    "schedule bracket {} (above, at {}) is never reached",
                    n + 1,
                    show(rate)
                );
                out.push((e.span, n, what));
            }
        }
        _ => {}
    }
}

/// A tier table's branches: each row, the `else` row (or no row), and for
/// `first reaching` a level the prior peak had already reached.
fn tier_points(policy: &Policy, span: Span, t: &Tiers, out: &mut Vec<(Span, usize, String)>) {
    for (i, (th, v)) in t.rows.iter().enumerate() {
        let what = format!(
            "tier row {} ({} => {}) never matches",
            i + 1,
            eval::describe(policy, th),
            eval::describe(policy, v)
        );
        out.push((span, i, what));
    }
    let last = match (&t.otherwise, &t.prior) {
        (Some(_), None) => "the else row never matches",
        (Some(_), Some(_)) => "no test falls below every level (the else row)",
        (None, Some(_)) => "no test falls below every level",
        (None, None) => "no test falls below every row",
    };
    out.push((span, t.rows.len(), last.to_string()));
    if t.prior.is_some() {
        let what = "no test reaches only a level its prior peak had already reached";
        out.push((span, t.rows.len() + 1, what.to_string()));
    }
}

/// The policy a file of tests names with `include`, if any. A file that
/// includes a policy holds only tests (one `include`, no declarations).
pub fn include_of<'p>(
    source: &SourceFile,
    program: &'p Program,
) -> Result<Option<&'p Text>, Diagnostic> {
    let mut include: Option<&Text> = None;
    let mut other: Option<Span> = None;
    for d in &program.decls {
        match d {
            Decl::Include(t) => {
                if let Some(first) = include {
                    return Err(Diagnostic::error(
                        Code::Duplicate,
                        "a file of tests includes one policy",
                    )
                    .label(t.span, "second include")
                    .label(first.span, "first include")
                    .in_source(source));
                }
                include = Some(t);
            }
            Decl::Test(_) => {}
            Decl::Record(r) => other = other.or(Some(r.name.span)),
            Decl::Policy(h) => other = other.or(Some(h.span.0)),
            Decl::Fact(f) => other = other.or(Some(f.name.span)),
            Decl::Param(p) => other = other.or(Some(p.name.span)),
            Decl::Enum(e) => other = other.or(Some(e.name.span)),
            Decl::Measure(m) => other = other.or(Some(m.number.span)),
            Decl::Chapter(c) => other = other.or(Some(c.number.span)),
            Decl::Exclusive(g) => other = other.or(Some(g.name.span)),
            Decl::Cap(c) => other = other.or(Some(c.name.span)),
            Decl::Budget(b) => other = other.or(Some(b.name.span)),
        }
    }
    match (include, other) {
        (Some(inc), Some(decl)) => Err(Diagnostic::error(
            Code::Invalid,
            "a file that includes a policy holds only tests",
        )
        .label(decl, "a declaration")
        .label(inc.span, "the policy is included here")
        .help("move the declaration into the included policy, or drop the include")
        .in_source(source)),
        (inc, _) => Ok(inc),
    }
}

/// Renders coverage gaps per measure, for `decree test --coverage`.
pub fn render_coverage(policy: &Policy, cov: &Coverage) -> String {
    let reached = cov.total.saturating_sub(cov.gaps.len());
    let mut out = format!(
        "coverage of {}: {reached} of {} points reached\n",
        policy.source.name, cov.total
    );
    for m in &policy.measures {
        let gaps: Vec<&Gap> = cov.gaps.iter().filter(|g| g.measure == m.number).collect();
        if gaps.is_empty() {
            continue;
        }
        out.push_str(&format!("measure {} {}\n", m.number, m.title));
        for g in gaps {
            let (line, _) = policy.source.line_col(g.span.start);
            out.push_str(&format!(
                "  {}:{line}  {}: {}\n",
                policy.source.name, g.item, g.what
            ));
        }
    }
    if cov.gaps.is_empty() {
        out.push_str("every item, branch, tier row and min/max argument is reached\n");
    }
    out
}
