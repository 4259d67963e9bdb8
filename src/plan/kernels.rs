//! The kernels: each operation of the plan over one batch of rows, as
//! loops over equally long slices. Items are decided by the rules of
//! [`crate::eval::decide`]; the kernels know nothing of rows or files.

use super::causes::join;
use super::columns::Columns;
use super::{
    Arg, Arith, Body, DEFER, Decisions, FALLBACK, GRANTED, INELIGIBLE, LISTED, MET, NOT_MET,
    NOTHING, OK, Op, Plan, Reg, UNDETERMINED, UNKNOWN,
};
use crate::ast::{CmpOp, ItemKind};
use crate::eval::arith::Rounding;
use crate::eval::decide::{
    self, Connective, Logic, Pick, Rule, Seen, Shape, Sign, Verdict, pick_row,
};

/// What the operations of one batch read: the registers written so far,
/// the fact columns, the constants, and state columns to lend.
pub(super) struct Env<'a> {
    pub regs: &'a [Reg],
    pub columns: &'a Columns,
    pub range: &'a std::ops::Range<usize>,
    pub consts: &'a [Vec<i64>],
    pub ok: &'a [u8],
    pub nothing: &'a [u8],
    pub ones: &'a [i64],
    pub fallback: &'a (Vec<i64>, Vec<u8>),
    /// Per item, its decisions tabulated once per thread (see
    /// [`DecideTable`]); an item without one gets its table built.
    pub tables: &'a [Option<DecideTable>],
}

impl<'a> Env<'a> {
    /// An operand's values and states, exactly one per row of the batch
    /// (all "fallback" if the operand is somehow missing), so kernels can
    /// zip slices without bounds checks.
    pub fn arg(&self, a: Arg) -> (&'a [i64], &'a [u8]) {
        let n = self.range.len();
        let (v, s) = match a {
            Arg::Reg(r) => self
                .regs
                .get(r)
                .map_or((&[][..], &[][..]), |r| (&r.v[..], &r.s[..])),
            Arg::Fact(slot) => self.columns.value(slot, self.range),
            Arg::Const(i) => (self.consts.get(i).map_or(&[][..], |c| &c[..]), self.ok),
            Arg::Nothing => (self.ones, self.nothing),
        };
        match (v.get(..n), s.get(..n)) {
            (Some(v), Some(s)) => (v, s),
            _ => (
                self.fallback.0.get(..n).unwrap_or(&[]),
                self.fallback.1.get(..n).unwrap_or(&[]),
            ),
        }
    }

    /// Runs one operation over the batch, writing `out` (and, for an
    /// item's decision, its status codes).
    pub fn apply(&self, op: &Op, out: &mut Reg, plan: &Plan, status: &mut Decisions) {
        match op {
            Op::Rescale(x, f) => {
                let f = *f;
                unary(self.arg(*x), out, |v| v.checked_mul(f));
            }
            Op::Neg(x) => unary(self.arg(*x), out, i64::checked_neg),
            Op::YearsBetween(a, b) => lifted(self.arg(*a), self.arg(*b), out, |f, t| {
                let (f, t) = (super::kinds::cell_date(f)?, super::kinds::cell_date(t)?);
                crate::eval::years_between(f, t)
            }),
            Op::Round(x, r) => {
                let r = *r;
                unary(self.arg(*x), out, |v| round(v, r));
            }
            Op::Not(x) => unary(self.arg(*x), out, |v| Some(i64::from(v == 0))),
            Op::Arith(op, a, b) => arith(*op, self.arg(*a), self.arg(*b), out),
            Op::Div(a, b, factor) => {
                let f = *factor;
                lifted(self.arg(*a), self.arg(*b), out, |x, y| {
                    if y == 0 {
                        return None;
                    }
                    let p = i128::from(x).checked_mul(f)?;
                    let y = i128::from(y);
                    if p % y != 0 {
                        return None;
                    }
                    i64::try_from(p / y).ok()
                });
            }
            Op::And(a, b) => map2(out, self.arg(*a), self.arg(*b), |x, sx, y, sy| {
                connect(Connective::And, (x, sx), (y, sy))
            }),
            Op::Or(a, b) => map2(out, self.arg(*a), self.arg(*b), |x, sx, y, sy| {
                connect(Connective::Or, (x, sx), (y, sy))
            }),
            // A condition not known: the interpreter evaluates both
            // branches (either may fail) and, unless they are the same
            // value (which the plan leaves to it), is not known for the
            // condition's causes alone.
            Op::If(c, t, f) => map3(
                out,
                self.arg(*c),
                self.arg(*t),
                self.arg(*f),
                |c, t, f| match c {
                    (0, OK) => f,
                    (_, OK) => t,
                    (x, UNKNOWN) => {
                        let fails = t.1 == FALLBACK || f.1 == FALLBACK;
                        if fails || (t.1 == OK && f.1 == OK) {
                            (0, FALLBACK)
                        } else {
                            (x, UNKNOWN)
                        }
                    }
                    _ => (0, FALLBACK),
                },
            ),
            Op::Clamp(x, lo, hi) => map3(
                out,
                self.arg(*x),
                self.arg(*lo),
                self.arg(*hi),
                |x, l, h| match (x, l, h) {
                    ((x, OK), (l, OK), (h, OK)) if l <= h => (x.max(l).min(h), OK),
                    _ => (0, FALLBACK),
                },
            ),
            Op::ConstTiers {
                subject,
                prior,
                cmp,
                rows,
                otherwise,
            } => {
                let (s, p) = (self.arg(*subject), prior.map(|p| self.arg(p)));
                const_tiers_by(*cmp, out, s, p, rows, *otherwise);
            }
            Op::Decide { item, when, body } => self.decide(*item, *when, body, out, plan, status),
            Op::Unplanned => super::kinds::unplanned(out),
            Op::Strict(x) => map1(out, self.arg(*x), |x, sx| {
                if sx == UNKNOWN {
                    (0, FALLBACK)
                } else {
                    (x, sx)
                }
            }),
            Op::Unknown(bits) => {
                out.v.iter_mut().for_each(|v| *v = *bits);
                out.s.iter_mut().for_each(|s| *s = UNKNOWN);
            }
            Op::In(v, set) => super::kinds::member(self.arg(*v), self.arg(*set), out),
            Op::DecideKind { item, when, body } => {
                let kind = plan.items.get(*item).map_or(ItemKind::Commitment, |i| i.0);
                let when = when.map_or((self.ones, self.ok), |w| self.arg(w));
                let (a, b) = match body {
                    super::kinds::KindBody::Benefit(v) => (*v, *v),
                    super::kinds::KindBody::Range(lo, hi) => (*lo, *hi),
                };
                let args = [self.arg(a), self.arg(b)];
                let codes = super::kinds::decide_kind(kind, when, body, args, out);
                if let Some(slot) = status.get_mut(*item) {
                    *slot = codes;
                }
            }
            Op::Fused(f) => super::fused::apply(self, f, out, plan, status),
        }
    }

    /// An item's decision for every row: its status codes, and in `out`
    /// what other items see of it.
    fn decide(
        &self,
        item: usize,
        when: Option<Arg>,
        body: &Body,
        out: &mut Reg,
        plan: &Plan,
        d: &mut Decisions,
    ) {
        let Some(&(kind, scale, _)) = plan.items.get(item) else {
            return;
        };
        // No `when` is a `when` that always holds.
        let (wv, ws) = when.map_or((self.ones, self.ok), |w| self.arg(w));
        let (has_body, (bv, bs)) = match body {
            Body::Value(b) => (true, self.arg(*b)),
            _ => (false, (self.ones, self.ok)),
        };
        let constant = matches!(body, Body::Constant);
        let table = match self.tables.get(item) {
            Some(Some(t)) => *t,
            _ => DecideTable::new(kind, has_body, constant),
        };
        let mut codes = vec![DEFER; out.v.len()];
        let cells = out.v.iter_mut().zip(out.s.iter_mut()).zip(codes.iter_mut());
        let args = wv.iter().zip(ws).zip(bv.iter().zip(bs));
        for (((v, s), code), ((w, sw), (b, sb))) in cells.zip(args) {
            (*code, (*v, *s)) = table.decide((*w, *sw), (*b, *sb));
        }
        d.settle(item, kind, scale, plan.total_scale, &codes, &out.v);
        if let Some(slot) = d.status.get_mut(item) {
            *slot = codes;
        }
    }
}

/// Classes of a `when` cell: false, true, nothing, not decidable.
const WHEN_CLASSES: usize = 4;
/// Classes of a body cell: a negative, zero or positive value, nothing,
/// not decidable.
const BODY_CLASSES: usize = 5;

/// [`decide_item`] for one item, tabulated: its result depends on the
/// `when` cell only through its class (a condition's logic) and on the
/// body cell only through its class (the value's sign, or nothing, or not
/// decidable) — except that a value other items see may be the body's own
/// value, which the table marks rather than holds. Built by calling
/// `decide_item` on a representative of each class, so the rules stay
/// those of `crate::eval::decide`; a row is then one lookup.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DecideTable {
    entries: [Entry; WHEN_CLASSES * BODY_CLASSES],
    /// The item's kind, whether it has a body and whether that is a
    /// constant, for the cells that are not known (`undetermined`).
    kind: ItemKind,
    has_body: bool,
    constant: bool,
}

/// A status code and what other items see: the body's value when `pass`,
/// the fixed cell otherwise.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Entry {
    code: u8,
    pass: bool,
    cell: (i64, u8),
}

impl Entry {
    /// The entry of a cell the plan cannot decide.
    const DEFER: Entry = Entry {
        code: DEFER,
        pass: false,
        cell: (0, FALLBACK),
    };

    /// The status code, and the seen cell for a body of value `x`.
    #[inline(always)]
    pub fn apply(self, x: i64) -> (u8, (i64, u8)) {
        (self.code, if self.pass { (x, OK) } else { self.cell })
    }
}

impl DecideTable {
    /// The table of an item of `kind`, with a body (a value), or a
    /// constant benefit, or neither (a commitment).
    pub fn new(kind: ItemKind, has_body: bool, constant: bool) -> DecideTable {
        let whens = [(0, OK), (1, OK), (0, NOTHING), (0, FALLBACK)];
        let bodies = [(-1, OK), (0, OK), (1, OK), (0, NOTHING), (0, FALLBACK)];
        let mut entries = [Entry::default(); WHEN_CLASSES * BODY_CLASSES];
        let cells = entries.chunks_exact_mut(BODY_CLASSES).zip(whens);
        for (row, when) in cells {
            for (e, body) in row.iter_mut().zip(bodies) {
                // Two representatives of the class: a seen value that
                // follows the body's is the body's (signs kept: -1, -2;
                // 1, 2; zero is its own class).
                let other = (body.0 * 2, body.1);
                let run = |b: (i64, u8)| decide_item(kind, when, has_body.then_some(b), constant);
                let (code, seen) = run(body);
                let (_, seen2) = run(other);
                let pass = body.1 == OK && seen.1 == OK && seen.0 == body.0 && seen2.0 == other.0;
                *e = Entry {
                    code,
                    pass,
                    cell: seen,
                };
            }
        }
        DecideTable {
            entries,
            kind,
            has_body,
            constant,
        }
    }

    /// An item whose `when` or body is not known, as the interpreter
    /// decides it (`eval::item`): a `when` that is not known leaves the
    /// item undetermined for its causes and those of its rule (a rule that
    /// might fail, or whose causes the plan cannot tell, defers); a `when`
    /// that holds and a rule not known, for the rule's causes. What other
    /// items see is the same causes.
    #[cold]
    fn undetermined(&self, when: (i64, u8), body: (i64, u8)) -> (u8, (i64, u8)) {
        const DEFERRED: (u8, (i64, u8)) = (DEFER, (0, FALLBACK));
        let open = |bits: i64| (UNDETERMINED, (bits, UNKNOWN));
        match when {
            (w, UNKNOWN) => {
                if self.kind == ItemKind::Commitment || self.constant {
                    return open(w);
                }
                if !self.has_body || self.kind == ItemKind::Benefit {
                    return DEFERRED;
                }
                match body.1 {
                    OK | NOTHING => open(w),
                    UNKNOWN => open(w | body.0),
                    _ => DEFERRED,
                }
            }
            (x, OK) if x != 0 => {
                if self.kind == ItemKind::Commitment || self.constant || !self.has_body {
                    return self.decide_classes(when, (0, OK));
                }
                if self.kind == ItemKind::Benefit {
                    return DEFERRED;
                }
                open(body.0)
            }
            // A `when` that decides alone: the body is never evaluated.
            (_, OK | NOTHING) => self.decide_classes(when, (0, NOTHING)),
            _ => DEFERRED,
        }
    }

    /// The entries for a `when` that holds and a body that is a value:
    /// negative, zero, positive.
    pub fn when_holds(&self) -> [Entry; 3] {
        let e = |b: usize| {
            self.entries
                .get(BODY_CLASSES + b)
                .copied()
                .unwrap_or(Entry::DEFER)
        };
        [e(0), e(1), e(2)]
    }

    /// The status code and seen cell for a `when` cell and a body cell
    /// (ignored for an item without a body).
    #[inline]
    pub fn decide(&self, when: (i64, u8), body: (i64, u8)) -> (u8, (i64, u8)) {
        if when.1 == UNKNOWN || (body.1 == UNKNOWN && self.has_body) {
            return self.undetermined(when, body);
        }
        self.decide_classes(when, body)
    }

    /// [`DecideTable::decide`] of cells that are values, nothing or not
    /// decidable: one lookup.
    #[inline(always)]
    fn decide_classes(&self, when: (i64, u8), body: (i64, u8)) -> (u8, (i64, u8)) {
        let w = match when.1 {
            OK => usize::from(when.0 != 0),
            NOTHING => 2,
            _ => 3,
        };
        let b = match body.1 {
            OK => (body.0.signum() + 1) as usize,
            NOTHING => 3,
            _ => 4,
        };
        let e = self
            .entries
            .get(w * BODY_CLASSES + b)
            .copied()
            .unwrap_or(Entry::DEFER);
        e.apply(body.0)
    }
}

/// Add, subtract, multiply, compare, min, max: one loop per operation and
/// comparator, so nothing is dispatched per row.
fn arith(op: Arith, a: Operand<'_>, b: Operand<'_>, out: &mut Reg) {
    match op {
        Arith::Add => lifted(a, b, out, i64::checked_add),
        Arith::Sub => lifted(a, b, out, i64::checked_sub),
        Arith::Mul => lifted(a, b, out, i64::checked_mul),
        Arith::Cmp(CmpOp::Lt) => lifted(a, b, out, |x, y| Some(i64::from(x < y))),
        Arith::Cmp(CmpOp::Le) => lifted(a, b, out, |x, y| Some(i64::from(x <= y))),
        Arith::Cmp(CmpOp::Gt) => lifted(a, b, out, |x, y| Some(i64::from(x > y))),
        Arith::Cmp(CmpOp::Ge) => lifted(a, b, out, |x, y| Some(i64::from(x >= y))),
        Arith::Cmp(CmpOp::Eq) => lifted(a, b, out, |x, y| Some(i64::from(x == y))),
        Arith::Cmp(CmpOp::Ne) => lifted(a, b, out, |x, y| Some(i64::from(x != y))),
        Arith::Min => first_not_value(a, b, out, i64::min),
        Arith::Max => first_not_value(a, b, out, i64::max),
    }
}

/// A constant tier table, one loop per comparator.
fn const_tiers_by(
    cmp: CmpOp,
    out: &mut Reg,
    s: Operand<'_>,
    p: Option<Operand<'_>>,
    rows: &[(i64, i64)],
    o: Option<i64>,
) {
    match cmp {
        CmpOp::Ge => const_tiers(out, s, p, rows, o, |x, t| x >= t),
        CmpOp::Gt => const_tiers(out, s, p, rows, o, |x, t| x > t),
        CmpOp::Le => const_tiers(out, s, p, rows, o, |x, t| x <= t),
        CmpOp::Lt => const_tiers(out, s, p, rows, o, |x, t| x < t),
        CmpOp::Eq => const_tiers(out, s, p, rows, o, |x, t| x == t),
        CmpOp::Ne => const_tiers(out, s, p, rows, o, |x, t| x != t),
    }
}

type Operand<'a> = (&'a [i64], &'a [u8]);

// The kernels zip equally long slices (see `Env::arg`), so the loops have
// no bounds checks and compile to straight-line code. A cell whose state
// is not `OK` may hold any value: every consumer looks at the state first.

fn map1(out: &mut Reg, x: Operand<'_>, f: impl Fn(i64, u8) -> (i64, u8)) {
    let cells = out.v.iter_mut().zip(out.s.iter_mut());
    for ((v, s), (x, sx)) in cells.zip(x.0.iter().zip(x.1)) {
        (*v, *s) = f(*x, *sx);
    }
}

fn map2(out: &mut Reg, a: Operand<'_>, b: Operand<'_>, f: impl Fn(i64, u8, i64, u8) -> (i64, u8)) {
    let cells = out.v.iter_mut().zip(out.s.iter_mut());
    let args = a.0.iter().zip(a.1).zip(b.0.iter().zip(b.1));
    for ((v, s), ((x, sx), (y, sy))) in cells.zip(args) {
        (*v, *s) = f(*x, *sx, *y, *sy);
    }
}

fn map3(
    out: &mut Reg,
    a: Operand<'_>,
    b: Operand<'_>,
    c: Operand<'_>,
    f: impl Fn((i64, u8), (i64, u8), (i64, u8)) -> (i64, u8),
) {
    let cells = out.v.iter_mut().zip(out.s.iter_mut());
    let args =
        a.0.iter()
            .zip(a.1)
            .zip(b.0.iter().zip(b.1))
            .zip(c.0.iter().zip(c.1));
    for ((v, s), (((x, sx), (y, sy)), (z, sz))) in cells.zip(args) {
        (*v, *s) = f((*x, *sx), (*y, *sy), (*z, *sz));
    }
}

/// `v` rounded by `r` ([`super::Rounder`]), as `eval::arith::divide_to_whole`
/// rounds and the interpreter multiplies back; `None` past `i64`.
pub(super) fn round(v: i64, r: super::Rounder) -> Option<i64> {
    let x = i128::from(v).checked_mul(i128::from(r.factor))?;
    let step = i128::from(r.step);
    if step <= 0 {
        return None;
    }
    // Toward minus infinity, then up by one where `how` says.
    let (floor, rest) = (x.div_euclid(step), x.rem_euclid(step));
    let n = match r.how {
        Rounding::Down => floor,
        Rounding::Up => floor + i128::from(rest != 0),
        // Halves away from zero: up from the floor past the half, at the
        // half for a positive `x` only.
        Rounding::HalfAwayFromZero => {
            let twice = rest * 2;
            floor + i128::from(twice > step || (twice == step && x > 0))
        }
    };
    i64::try_from(n.checked_mul(step)?).ok()
}

fn unary(x: Operand<'_>, out: &mut Reg, f: impl Fn(i64) -> Option<i64>) {
    map1(out, x, |x, sx| {
        // Not a value: kept as it is (a cell not known keeps its causes).
        if sx != OK {
            return (x, sx);
        }
        match f(x) {
            Some(y) => (y, OK),
            None => (0, FALLBACK),
        }
    });
}

fn const_tiers(
    out: &mut Reg,
    subject: Operand<'_>,
    prior: Option<Operand<'_>>,
    rows: &[(i64, i64)],
    otherwise: Option<i64>,
    hit: impl Fn(i64, i64) -> bool,
) {
    // A short table is one lookup per row; a long one asks `pick_row` per
    // row, which the lookup tabulates.
    let memo = TierTable::new(rows, otherwise);
    let none = otherwise.map_or((0, NOTHING), |o| (o, OK));
    let pick = |x: i64, p: Option<i64>| {
        let fresh = |t: i64| p.is_none_or(|p| p < t);
        if let Some(m) = &memo {
            return m.cell(|t| hit(x, t), fresh);
        }
        let tests = rows
            .iter()
            .map(|(t, _)| (Logic::Decided(hit(x, *t)), Logic::Decided(fresh(*t))));
        tier_cell(pick_row(tests), rows, none)
    };
    match prior {
        None => map1(out, subject, |x, sx| {
            if sx != OK {
                return open_tiers(rows, none, (x, sx), None, &hit);
            }
            pick(x, None)
        }),
        Some(prior) => map2(out, subject, prior, |x, sx, p, sp| {
            if sx != OK || sp != OK {
                return open_tiers(rows, none, (x, sx), Some((p, sp)), &hit);
            }
            pick(x, Some(p))
        }),
    }
}

/// A constant tier table whose subject or prior is not known, as the
/// interpreter's `tiers` decides it: each row's test by `pick_row`, a test
/// of a subject (or prior) not known being not known; a row left open
/// makes the table not known for the causes of its tests — the subject's
/// and the prior's, whichever are not known (`eval::tables::row_test`).
/// A subject that is nothing, or any operand the plan cannot decide,
/// leaves the row to the interpreter.
#[cold]
pub(super) fn open_tiers(
    rows: &[(i64, i64)],
    none: (i64, u8),
    subject: (i64, u8),
    prior: Option<(i64, u8)>,
    hit: &impl Fn(i64, i64) -> bool,
) -> (i64, u8) {
    let usable = |c: (i64, u8)| c.1 == OK || c.1 == UNKNOWN;
    if !usable(subject) || prior.is_some_and(|p| !usable(p)) {
        return (0, FALLBACK);
    }
    let bits = [Some(subject), prior]
        .into_iter()
        .flatten()
        .filter(|c| c.1 == UNKNOWN)
        .fold(0, |acc, c| acc | c.0);
    let tests = rows.iter().map(|(t, _)| {
        let reached = match subject {
            (x, OK) => Logic::Decided(hit(x, *t)),
            _ => Logic::Unknown,
        };
        let fresh = match prior {
            None => Logic::Decided(true),
            Some((p, OK)) => Logic::Decided(p < *t),
            Some(_) => Logic::Unknown,
        };
        (reached, fresh)
    });
    match pick_row(tests) {
        Pick::Undecided(_) => (bits, UNKNOWN),
        pick => tier_cell(pick, rows, none),
    }
}

/// The cell a pick of a constant table gives.
fn tier_cell(pick: Pick, rows: &[(i64, i64)], none: (i64, u8)) -> (i64, u8) {
    match pick {
        Pick::Row(n) => rows.get(n).map_or((0, FALLBACK), |(_, v)| (*v, OK)),
        Pick::Otherwise => none,
        Pick::Undecided(_) => (0, FALLBACK),
    }
}

/// A constant tier table of a few rows with [`pick_row`] tabulated: with
/// constant thresholds and a subject (and prior) that are values, every
/// test is decided, so the row picked depends only on which thresholds
/// are reached and which the prior had not reached — two bits a row. The
/// table holds the cell for each combination, built by asking `pick_row`,
/// so the rule stays `crate::eval::decide`'s.
#[derive(Debug, Clone)]
pub(crate) struct TierTable {
    thresholds: Vec<i64>,
    /// The rows and the `else` cell, for a subject or prior not known
    /// ([`open_tiers`]).
    pub rows: Vec<(i64, i64)>,
    /// The cell when no row applies.
    pub none: (i64, u8),
    /// By mask (bit `2i`: row `i`'s test holds; bit `2i + 1`: the prior
    /// had not reached row `i`): the table's cell.
    cells: Vec<(i64, u8)>,
}

impl TierTable {
    /// Rows tabulated at most: `4^4` cells.
    pub const MAX_ROWS: usize = 4;

    /// The table of `rows` (threshold, value) and its `else` value, or
    /// `None` for more than [`Self::MAX_ROWS`] rows.
    pub fn new(rows: &[(i64, i64)], otherwise: Option<i64>) -> Option<TierTable> {
        if rows.len() > Self::MAX_ROWS {
            return None;
        }
        let none = otherwise.map_or((0, NOTHING), |o| (o, OK));
        let cells = (0..1usize << (2 * rows.len()))
            .map(|mask| {
                let bit = |b: usize| Logic::Decided(mask >> b & 1 == 1);
                let tests = (0..rows.len()).map(|i| (bit(2 * i), bit(2 * i + 1)));
                tier_cell(pick_row(tests), rows, none)
            })
            .collect();
        Some(TierTable {
            thresholds: rows.iter().map(|(t, _)| *t).collect(),
            rows: rows.to_vec(),
            none,
            cells,
        })
    }

    /// The table's cell, given whether the subject meets a threshold and
    /// whether the prior had not reached it.
    #[inline(always)]
    pub fn cell(&self, hit: impl Fn(i64) -> bool, fresh: impl Fn(i64) -> bool) -> (i64, u8) {
        let mut mask = 0usize;
        for (i, t) in self.thresholds.iter().enumerate() {
            mask |= usize::from(hit(*t)) << (2 * i) | usize::from(fresh(*t)) << (2 * i + 1);
        }
        self.cells.get(mask).copied().unwrap_or((0, FALLBACK))
    }
}

/// Arithmetic: a fallback on either side wins, then a nothing, then not
/// known (with the causes of both sides), as the interpreter's `combine`;
/// only two values are computed.
fn lifted(a: Operand<'_>, b: Operand<'_>, out: &mut Reg, f: impl Fn(i64, i64) -> Option<i64>) {
    map2(out, a, b, |x, sx, y, sy| {
        if (sx | sy) != OK {
            return join((x, sx), (y, sy));
        }
        match f(x, y) {
            Some(r) => (r, OK),
            None => (0, FALLBACK),
        }
    });
}

/// Min and max: the interpreter evaluates every argument (any may fail:
/// a fallback wins), then the first nothing decides, then the causes of
/// every argument not known.
fn first_not_value(a: Operand<'_>, b: Operand<'_>, out: &mut Reg, f: impl Fn(i64, i64) -> i64) {
    map2(out, a, b, |x, sx, y, sy| {
        if (sx | sy) != OK {
            return join((x, sx), (y, sy));
        }
        (f(x, y), OK)
    });
}

/// A cell as a condition. A cell the plan cannot decide has no logic:
/// the interpreter must take the row.
fn logic((x, s): (i64, u8)) -> Option<Logic> {
    match s {
        OK => Some(Logic::Decided(x != 0)),
        NOTHING => Some(Logic::Nothing),
        UNKNOWN => Some(Logic::Unknown),
        _ => None,
    }
}

/// A condition as a cell; not known (which a plan cell cannot carry, with
/// its causes) sends the row to the interpreter.
fn cell(l: Logic) -> (i64, u8) {
    match l {
        Logic::Decided(b) => (i64::from(b), OK),
        Logic::Nothing => (0, NOTHING),
        Logic::Unknown => (0, FALLBACK),
    }
}

/// Kleene's `and` / `or` of two cells, by the interpreter's rule: left to
/// right, a decisive left side deciding alone. A left side the plan cannot
/// decide might have failed in the interpreter, which evaluates it first,
/// so the row falls back whatever the right side is.
fn connect(op: Connective, a: (i64, u8), b: (i64, u8)) -> (i64, u8) {
    let Some(left) = logic(a) else {
        return (0, FALLBACK);
    };
    if let Some(v) = decide::decides_alone(op, left) {
        return cell(Logic::Decided(v));
    }
    match logic(b) {
        // Not known keeps the causes of both sides (`eval::expr::connect`).
        Some(right) => match decide::connect(op, left, right) {
            Logic::Unknown => join(
                if a.1 == UNKNOWN { a } else { (0, OK) },
                if b.1 == UNKNOWN { b } else { (0, OK) },
            ),
            l => cell(l),
        },
        None => (0, FALLBACK),
    }
}

/// An item's status code and what other items see of it, as the
/// interpreter decides them (by the rules of [`decide`]).
fn decide_item(
    kind: ItemKind,
    when: (i64, u8),
    body: Option<(i64, u8)>,
    constant: bool,
) -> (u8, (i64, u8)) {
    let Some(when) = logic(when) else {
        return (DEFER, (0, FALLBACK));
    };
    let (verdict, value) = match decide::by_condition(when) {
        Some(v) => (v, (0, OK)),
        None if kind == ItemKind::Commitment => (decide::by_rule(kind, Rule::Listed), (1, OK)),
        // Granted, but its value is a benefit the fast path does not carry.
        None if constant => return (GRANTED, (0, FALLBACK)),
        // A benefit's computed value is not carried either (the compiler
        // gives such an item no body; this keeps it so).
        None if kind == ItemKind::Benefit => return (DEFER, (0, FALLBACK)),
        None => match body {
            None | Some((_, FALLBACK)) => return (DEFER, (0, FALLBACK)),
            Some((_, NOTHING)) => (decide::by_rule(kind, Rule::Nothing), (0, NOTHING)),
            Some((x, _)) => (decide::by_rule(kind, Rule::Value(shape(kind, x))), (x, OK)),
        },
    };
    let code = match verdict {
        Verdict::Granted => GRANTED,
        Verdict::Ineligible(_) => INELIGIBLE,
        Verdict::Met => MET,
        Verdict::NotMet => NOT_MET,
        Verdict::Listed => LISTED,
        // Not known, or an error (a negative amount) the interpreter
        // reports: its row.
        Verdict::Undetermined | Verdict::Negative => return (DEFER, (0, FALLBACK)),
    };
    let seen = match decide::seen(kind, verdict) {
        Seen::Value => value,
        Seen::False => (0, OK),
        Seen::NotGranted => (0, NOTHING),
        Seen::Failed => (0, FALLBACK),
    };
    (code, seen)
}

/// The shape of an item's value cell: a condition for eligibilities and
/// targets, an amount by its sign otherwise.
fn shape(kind: ItemKind, x: i64) -> Shape {
    match kind {
        ItemKind::Eligibility | ItemKind::Target => Shape::Bool(x != 0),
        _ => Shape::Amount(match x.signum() {
            -1 => Sign::Negative,
            0 => Sign::Zero,
            _ => Sign::Positive,
        }),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal::Decimal;

    fn how(k: u8) -> Rounding {
        match k % 3 {
            0 => Rounding::HalfAwayFromZero,
            1 => Rounding::Down,
            _ => Rounding::Up,
        }
    }

    proptest! {
        /// The plan's rounding in fixed point gives the interpreter's
        /// digits: `divide_to_whole` of the decimals, times the step.
        #[test]
        fn fixed_point_rounding_is_the_interpreters(
            v in -10_000_000_000i64..10_000_000_000,
            sx in 0u32..5,
            st in 0u32..5,
            step in 1i64..100_000,
            k in any::<u8>(),
        ) {
            let scale = sx.max(st);
            let r = super::super::Rounder {
                factor: 10i64.pow(scale - sx),
                step: step * 10i64.pow(scale - st),
                how: how(k),
            };
            let (x, s) = (Decimal::new(v, sx), Decimal::new(step, st));
            let n = crate::eval::arith::divide_to_whole(x, s, how(k)).unwrap();
            let want = (n * s).normalize();
            let got = Decimal::new(round(v, r).unwrap(), scale).normalize();
            prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn halves_round_away_from_zero_and_past_i64_falls_back() {
        let r = |how| super::super::Rounder {
            factor: 1,
            step: 10,
            how,
        };
        let half = r(Rounding::HalfAwayFromZero);
        assert_eq!(round(5, half), Some(10));
        assert_eq!(round(-5, half), Some(-10));
        assert_eq!(round(-4, half), Some(0));
        assert_eq!(round(-4, r(Rounding::Down)), Some(-10));
        assert_eq!(round(-4, r(Rounding::Up)), Some(0));
        assert_eq!(round(i64::MAX, r(Rounding::Up)), None);
    }
}
