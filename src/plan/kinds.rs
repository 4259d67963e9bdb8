//! The plan's value kinds beyond scaled numbers and conditions, and their
//! kernels: values of an enumeration (by index) and sets of them
//! (bitsets, `v in set`), ranges `lo..hi` as a monetary item's rule (a
//! pair of registers), benefits whose value is computed, and the
//! *unplanned* register that stands for what only the interpreter can
//! compute (see `compile`).
//!
//! Every decision goes through [`crate::eval::decide`], as the kernels of
//! `kernels.rs` do: the cells are classified, the shared rules decide.

use super::causes::join;
use super::{
    Arg, DEFER, FALLBACK, GRANTED, INELIGIBLE, NOTHING, OK, Plan, RANGED, Reg, UNDETERMINED,
    UNKNOWN,
};
use crate::ast::ItemKind;
use crate::check::Policy;
use crate::eval::decide::{self, Logic, Rule, Seen, Shape, Sign, Verdict};
use crate::units::Unit;
use crate::value::Value;

/// How a fact's values are stored in its column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Encoding {
    /// A number at the slot's scale (or a condition, 0 or 1).
    Number,
    /// A value of an enumeration: its index among these variants.
    Variant(Vec<String>),
    /// A set of values of an enumeration: bit `k` for variant `k`.
    Set(Vec<String>),
    /// A duration in years or months, as months at scale 2 (how the
    /// interpreter compares two of them, `Duration::comparable`); one in
    /// days, or of more decimals, has no cell.
    Duration,
    /// A date as the number `yyyymmdd` ([`date_cell`]), which orders as
    /// the dates do; compared, and counted in whole years, only
    /// (`Compiler::date`).
    Date,
}

/// A date as its cell: `year × 10000 + month × 100 + day`, in the dates'
/// order (a month and day are always below 10000).
pub(crate) fn date_cell(d: jiff::civil::Date) -> i64 {
    i64::from(d.year()) * 10_000 + i64::from(d.month()) * 100 + i64::from(d.day())
}

/// The date of a cell ([`date_cell`]); `None` for a number that is none.
pub(crate) fn cell_date(v: i64) -> Option<jiff::civil::Date> {
    let (year, rest) = (v.div_euclid(10_000), v.rem_euclid(10_000));
    jiff::civil::Date::new(
        i16::try_from(year).ok()?,
        i8::try_from(rest / 100).ok()?,
        i8::try_from(rest % 100).ok()?,
    )
    .ok()
}

/// The scale of a duration's months in its column.
pub(crate) const DURATION_SCALE: u32 = 2;

/// Most variants an enumeration may have for its sets to be bitsets of an
/// `i64` (the sign bit unused).
const MAX_VARIANTS: usize = 63;

impl Encoding {
    /// How a fact of `unit` is stored; `None` when it has no column.
    pub(crate) fn of(policy: &Policy, unit: Unit) -> Option<Encoding> {
        let variants = |e: usize| {
            let info = policy.enums.get(e)?;
            (info.variants.len() <= MAX_VARIANTS)
                .then(|| info.variants.iter().map(|(n, _)| n.clone()).collect())
        };
        Some(match unit {
            Unit::Enum(e) => Encoding::Variant(variants(e)?),
            Unit::Set(e) => Encoding::Set(variants(e)?),
            Unit::Duration => Encoding::Duration,
            Unit::Date => Encoding::Date,
            _ => Encoding::Number,
        })
    }

    /// A value that is no number as its cell; `None` when the column cannot
    /// hold it (the row's fact is then missing, and the interpreter reads
    /// it).
    pub(crate) fn encode(&self, v: &Value) -> Option<i64> {
        match (self, v) {
            (Encoding::Variant(names), Value::Variant(n)) => {
                i64::try_from(names.iter().position(|x| x == n)?).ok()
            }
            (Encoding::Set(names), Value::Set(members)) => {
                members.iter().try_fold(0i64, |acc, m| {
                    let k = names.iter().position(|x| x == m)?;
                    Some(acc | 1i64.checked_shl(u32::try_from(k).ok()?)?)
                })
            }
            (Encoding::Duration, Value::Duration(d)) => {
                super::to_scaled(&Value::Num(Unit::Number, d.months()?), DURATION_SCALE)
            }
            (Encoding::Date, Value::Date(d)) => Some(date_cell(*d)),
            _ => None,
        }
    }

    /// Whether a cell of this column may be read as a plain decimal
    /// (`parse_plain`): only a number's.
    pub(crate) fn plain(&self) -> bool {
        *self == Encoding::Number
    }
}

/// The rule of an item decided by [`decide_kind`].
#[derive(Debug, Clone, Copy)]
pub(crate) enum KindBody {
    /// A benefit's computed value (a bound's value: `at most X` is X).
    Benefit(Arg),
    /// A monetary item's range `lo..hi`, both at the item's scale.
    Range(Arg, Arg),
}

/// Every cell "the interpreter must decide this".
pub(super) fn unplanned(out: &mut Reg) {
    out.v.iter_mut().for_each(|v| *v = 0);
    out.s.iter_mut().for_each(|s| *s = FALLBACK);
}

/// `v in set`: whether bit `v` of the set is on. Either side not a value
/// is what the interpreter's `combine` makes of it: nothing, or (a
/// fallback) its own decision.
pub(super) fn member(v: (&[i64], &[u8]), set: (&[i64], &[u8]), out: &mut Reg) {
    let cells = out.v.iter_mut().zip(out.s.iter_mut());
    let args = v.0.iter().zip(v.1).zip(set.0.iter().zip(set.1));
    for ((o, so), ((x, sx), (s, ss))) in cells.zip(args) {
        if (*sx | *ss) != OK {
            (*o, *so) = join((*x, *sx), (*s, *ss));
            continue;
        }
        let bit = u32::try_from(*x).ok().filter(|k| *k < 64);
        (*o, *so) = match bit {
            Some(k) => ((*s >> k) & 1, OK),
            None => (0, FALLBACK),
        };
    }
}

/// A cell as a condition; `None` when the plan cannot decide it.
fn logic((x, s): (i64, u8)) -> Option<Logic> {
    match s {
        OK => Some(Logic::Decided(x != 0)),
        NOTHING => Some(Logic::Nothing),
        UNKNOWN => Some(Logic::Unknown),
        _ => None,
    }
}

/// Undetermined for the causes `bits`, which other items see.
fn open(bits: i64) -> (u8, (i64, u8)) {
    (UNDETERMINED, (bits, UNKNOWN))
}

/// The causes a rule not known adds to those of a `when` not known
/// (`eval::item` evaluates the rule for them): `Some(0)` for a rule that is
/// a value or nothing, `None` for one that might fail or whose causes the
/// plan cannot tell (the interpreter decides the row).
fn rule_causes(body: &KindBody, a: (i64, u8), b: (i64, u8)) -> Option<i64> {
    let cells: &[(i64, u8)] = match body {
        KindBody::Benefit(_) => &[a],
        KindBody::Range(..) => &[a, b],
    };
    if cells.iter().any(|c| c.1 == FALLBACK) {
        return None;
    }
    // `lo..hi` is `combine`d: nothing beats not known; two values make a
    // range, an empty one an error.
    if cells.iter().any(|c| c.1 == NOTHING) {
        return Some(0);
    }
    if let [(lo, OK), (hi, OK)] = cells
        && lo > hi
    {
        return None;
    }
    Some(
        cells
            .iter()
            .filter(|c| c.1 == UNKNOWN)
            .fold(0, |acc, c| acc | c.0),
    )
}

/// The status code of a verdict; `None` for what the plan leaves to the
/// interpreter (not known, an error).
fn code(v: Verdict) -> Option<u8> {
    match v {
        Verdict::Granted => Some(GRANTED),
        Verdict::Ineligible(_) => Some(INELIGIBLE),
        Verdict::Met => Some(super::MET),
        Verdict::NotMet => Some(super::NOT_MET),
        Verdict::Listed => Some(super::LISTED),
        Verdict::Undetermined | Verdict::Negative => None,
    }
}

/// What other items see of an item with this verdict, its value cell
/// being `value`.
fn seen(kind: ItemKind, v: Verdict, value: (i64, u8)) -> (i64, u8) {
    match decide::seen(kind, v) {
        Seen::Value => value,
        Seen::False => (0, OK),
        Seen::NotGranted => (0, NOTHING),
        Seen::Failed => (0, FALLBACK),
    }
}

const DEFERRED: (u8, (i64, u8)) = (DEFER, (0, FALLBACK));

/// A benefit: granted whenever its `when` holds and its value is one.
fn benefit(when: Logic, value: (i64, u8)) -> (u8, (i64, u8)) {
    let kind = ItemKind::Benefit;
    let verdict = match decide::by_condition(when) {
        Some(v) => return code(v).map_or(DEFERRED, |c| (c, seen(kind, v, (0, OK)))),
        None => match value.1 {
            OK => decide::by_rule(kind, Rule::Value(Shape::Other)),
            NOTHING => decide::by_rule(kind, Rule::Nothing),
            UNKNOWN => return open(value.0),
            _ => return DEFERRED,
        },
    };
    code(verdict).map_or(DEFERRED, |c| (c, seen(kind, verdict, value)))
}

/// A monetary item whose rule is `lo..hi`: the interpreter's `range`
/// (an empty one is an error) and its shape (below zero when the low end
/// is, zero when the high end is). Granted with two ends is `RANGED`, and
/// what other items see of it is a range, which the plan does not carry.
fn range(kind: ItemKind, when: Logic, lo: (i64, u8), hi: (i64, u8)) -> (u8, (i64, u8)) {
    if let Some(v) = decide::by_condition(when) {
        return code(v).map_or(DEFERRED, |c| (c, seen(kind, v, (0, OK))));
    }
    let rule = match (lo, hi) {
        ((_, FALLBACK), _) | (_, (_, FALLBACK)) => return DEFERRED,
        ((_, NOTHING), _) | (_, (_, NOTHING)) => Rule::Nothing,
        // Not known, for the causes of either end (`combine`).
        ((_, UNKNOWN), _) | (_, (_, UNKNOWN)) => return open(join(lo, hi).0),
        ((l, _), (h, _)) if l > h => return DEFERRED,
        ((l, _), (h, _)) => Rule::Value(Shape::Amount(if l < 0 {
            Sign::Negative
        } else if h == 0 {
            Sign::Zero
        } else {
            Sign::Positive
        })),
    };
    let verdict = decide::by_rule(kind, rule);
    let Some(c) = code(verdict) else {
        return DEFERRED;
    };
    match (verdict, rule) {
        // The amount (the low end) is in the register's value; others
        // see a range, which sends them to the interpreter.
        (Verdict::Granted, _) if lo.0 == hi.0 => (GRANTED, (lo.0, FALLBACK)),
        (Verdict::Granted, _) => (RANGED, (lo.0, FALLBACK)),
        (_, Rule::Nothing) => (c, seen(kind, verdict, (0, NOTHING))),
        _ => (c, seen(kind, verdict, (0, OK))),
    }
}

/// Decides an item of a [`KindBody`] for every row: its status codes, and
/// in `out` what other items see of it (for a range, the low end's value
/// under a fallback state).
pub(super) fn decide_kind(
    kind: ItemKind,
    when: (&[i64], &[u8]),
    body: &KindBody,
    args: [(&[i64], &[u8]); 2],
    out: &mut Reg,
) -> Vec<u8> {
    let mut codes = vec![DEFER; out.v.len()];
    let [a, b] = args;
    let cells = out.v.iter_mut().zip(out.s.iter_mut()).zip(codes.iter_mut());
    let rows = when
        .0
        .iter()
        .zip(when.1)
        .zip(a.0.iter().zip(a.1).zip(b.0.iter().zip(b.1)));
    for (((v, s), c), ((w, sw), ((x, sx), (y, sy)))) in cells.zip(rows) {
        let decided = match logic((*w, *sw)) {
            None => DEFERRED,
            Some(Logic::Unknown) => {
                rule_causes(body, (*x, *sx), (*y, *sy)).map_or(DEFERRED, |more| open(*w | more))
            }
            Some(when) => match body {
                KindBody::Benefit(_) => benefit(when, (*x, *sx)),
                KindBody::Range(..) => range(kind, when, (*x, *sx), (*y, *sy)),
            },
        };
        (*c, (*v, *s)) = decided;
    }
    codes
}

/// The high ends of the ranges granted in a batch, per item (empty for an
/// item without a range), read from their registers; and every row with a
/// range granted marked as not decided, since the batch's total counts
/// only the low ends (`Outcomes` sums such a row in decimals).
pub(super) fn highs(
    plan: &Plan,
    status: &[Vec<u8>],
    regs: &[Reg],
    n: usize,
    decided: &mut [bool],
) -> Vec<Vec<i64>> {
    plan.highs
        .iter()
        .zip(status)
        .map(|(h, st)| {
            let Some(r) = h.and_then(|h| regs.get(h)) else {
                return Vec::new();
            };
            for (d, c) in decided.iter_mut().zip(st) {
                if *c == RANGED {
                    *d = false;
                }
            }
            r.v.get(..n).map(<[i64]>::to_vec).unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_are_bitsets_of_their_variants_and_unknown_names_have_no_cell() {
        let e = Encoding::Set(vec!["a".into(), "b".into(), "c".into()]);
        let set = |names: &[&str]| Value::Set(names.iter().map(|n| n.to_string()).collect());
        assert_eq!(e.encode(&set(&["a", "c"])), Some(0b101));
        assert_eq!(e.encode(&set(&[])), Some(0));
        assert_eq!(e.encode(&set(&["z"])), None);
        let v = Encoding::Variant(vec!["a".into(), "b".into()]);
        assert_eq!(v.encode(&Value::Variant("b".into())), Some(1));
        assert_eq!(v.encode(&Value::Bool(true)), None);
        assert!(!e.plain() && Encoding::Number.plain());
    }

    #[test]
    fn ranges_decide_by_the_shared_rules() {
        let yes = Logic::Decided(true);
        let k = ItemKind::Subsidy;
        assert_eq!(range(k, yes, (0, OK), (100, OK)).0, RANGED);
        assert_eq!(
            range(k, yes, (100, OK), (100, OK)),
            (GRANTED, (100, FALLBACK))
        );
        // Zero at the top: not granted; an empty range or a negative low
        // end is the interpreter's error.
        assert_eq!(range(k, yes, (0, OK), (0, OK)), (INELIGIBLE, (0, NOTHING)));
        assert_eq!(range(k, yes, (5, OK), (1, OK)).0, DEFER);
        assert_eq!(range(k, yes, (-1, OK), (1, OK)).0, DEFER);
        assert_eq!(
            range(k, yes, (0, NOTHING), (1, OK)),
            (INELIGIBLE, (0, NOTHING))
        );
        assert_eq!(range(k, yes, (0, NOTHING), (1, FALLBACK)).0, DEFER);
        assert_eq!(
            range(k, Logic::Decided(false), (0, FALLBACK), (1, OK)).0,
            INELIGIBLE
        );
    }

    #[test]
    fn a_benefit_is_granted_whenever_its_value_is_one() {
        let yes = Logic::Decided(true);
        assert_eq!(benefit(yes, (7, OK)), (GRANTED, (7, OK)));
        assert_eq!(benefit(yes, (0, NOTHING)), (INELIGIBLE, (0, NOTHING)));
        assert_eq!(benefit(yes, (0, FALLBACK)).0, DEFER);
        assert_eq!(benefit(Logic::Nothing, (0, FALLBACK)).0, INELIGIBLE);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod date_tests {
    use super::*;
    use proptest::prelude::*;

    fn any_date() -> impl Strategy<Value = jiff::civil::Date> {
        (-9999i16..=9999, 1i8..=12, 1i8..=31)
            .prop_filter_map("a day of the calendar", |(y, m, d)| {
                jiff::civil::Date::new(y, m, d).ok()
            })
    }

    proptest! {
        /// A date's cell orders as the dates do and gives the date back:
        /// the plan compares dates by their cells.
        #[test]
        fn date_cells_order_as_dates_and_read_back(a in any_date(), b in any_date()) {
            prop_assert_eq!(date_cell(a).cmp(&date_cell(b)), a.cmp(&b));
            prop_assert_eq!(cell_date(date_cell(a)), Some(a));
        }
    }

    #[test]
    fn a_number_that_is_no_date_has_none() {
        assert_eq!(cell_date(20_201_301), None);
        assert_eq!(cell_date(20_200_230), None);
        assert_eq!(cell_date(i64::MAX), None);
    }
}
