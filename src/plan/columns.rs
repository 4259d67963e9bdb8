//! A batch of rows as the plan reads them: one fixed-point column per fact
//! the plan uses, each cell a value at the fact's scale, missing (not
//! known, for its cause: `causes`), or a value the column cannot hold
//! (fallback: the interpreter reads it).

use rust_decimal::Decimal;

use super::{FALLBACK, OK, Plan};
use crate::units::Unit;
use crate::value::Value;

/// A batch of rows as fixed-point fact columns, one per
/// [`FactSlot`](super::FactSlot).
#[derive(Debug, Clone, Default)]
pub struct Columns {
    pub(super) len: usize,
    values: Vec<Vec<i64>>,
    states: Vec<Vec<u8>>,
    /// Per slot: the cell of a row that does not give the fact (not
    /// known, for its cause: see `causes`).
    missing: Vec<(i64, u8)>,
}

impl Columns {
    /// Empty columns for `plan`'s facts.
    pub fn new(plan: &Plan) -> Columns {
        Columns {
            len: 0,
            values: vec![Vec::new(); plan.facts.len()],
            states: vec![Vec::new(); plan.facts.len()],
            missing: plan.missing.clone(),
        }
    }

    /// Empty columns for `plan`'s facts, with room for `rows` rows (a
    /// chunk's rows are pushed one at a time: no column grows by copying).
    pub fn with_capacity(plan: &Plan, rows: usize) -> Columns {
        Columns {
            len: 0,
            // Not `vec![…; n]`: a clone of an empty vector has no room.
            values: (0..plan.facts.len())
                .map(|_| Vec::with_capacity(rows))
                .collect(),
            states: (0..plan.facts.len())
                .map(|_| Vec::with_capacity(rows))
                .collect(),
            missing: plan.missing.clone(),
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Adds a row whose facts are all missing; returns its index.
    pub fn push_row(&mut self) -> usize {
        for (slot, (v, s)) in self.values.iter_mut().zip(&mut self.states).enumerate() {
            let (x, st) = self.missing.get(slot).copied().unwrap_or((0, FALLBACK));
            v.push(x);
            s.push(st);
        }
        self.len += 1;
        self.len - 1
    }

    /// Removes the rows from `len` on.
    pub fn truncate(&mut self, len: usize) {
        for v in &mut self.values {
            v.truncate(len);
        }
        for s in &mut self.states {
            s.truncate(len);
        }
        self.len = self.len.min(len);
    }

    /// Sets a fact of a row from its integer at the slot's scale.
    pub fn set_fixed(&mut self, slot: usize, row: usize, v: i64) {
        if let (Some(x), Some(s)) = (
            self.values.get_mut(slot).and_then(|c| c.get_mut(row)),
            self.states.get_mut(slot).and_then(|c| c.get_mut(row)),
        ) {
            *x = v;
            *s = OK;
        }
    }

    /// Sets a fact of a row from a typed value; a value the slot's scale
    /// cannot hold exactly is a fallback cell: the interpreter reads it.
    pub fn set_value(&mut self, plan: &Plan, slot: usize, row: usize, v: &Value) {
        let Some(f) = plan.facts.get(slot) else {
            return;
        };
        // A number at the slot's scale; a value of an enumeration or a set
        // of them by the slot's encoding (`kinds::Encoding`).
        match to_scaled(v, f.scale).or_else(|| plan.encode(slot, v)) {
            Some(x) => self.set_fixed(slot, row, x),
            // The row gives the fact, so it is not missing: the
            // interpreter reads it.
            None => {
                if let (Some(x), Some(s)) = (
                    self.values.get_mut(slot).and_then(|c| c.get_mut(row)),
                    self.states.get_mut(slot).and_then(|c| c.get_mut(row)),
                ) {
                    (*x, *s) = (0, FALLBACK);
                }
            }
        }
    }

    /// A fact's values and states for a range of rows.
    pub(super) fn value(&self, slot: usize, range: &std::ops::Range<usize>) -> (&[i64], &[u8]) {
        (
            self.values
                .get(slot)
                .and_then(|c| c.get(range.clone()))
                .unwrap_or(&[]),
            self.states
                .get(slot)
                .and_then(|c| c.get(range.clone()))
                .unwrap_or(&[]),
        )
    }
}

/// A plain decimal (`123`, `123.45`, leading zeros allowed; no
/// sign, no magnitude, no exponent, no spaces) as an integer at `scale`;
/// `None` for anything else, or for a value with more decimals than
/// `scale` or too large for an `i64` at it, which the caller reads the
/// exact way. Where it gives a value, it is the value the facts reader
/// gives ([`crate::facts::parse_text_value`]) at `scale`: the property
/// test `plain_cells_read_as_the_facts_reader_reads_them` checks it.
pub fn parse_plain(text: &[u8], scale: u32) -> Option<i64> {
    // Up to 19 bytes hold at most 19 digits, less than `u64::MAX`: no
    // check per digit. Longer cells take the checked loop.
    if text.len() > 19 {
        return parse_plain_checked(text, scale);
    }
    let (mut v, mut dot) = (0u64, None);
    for (i, b) in text.iter().enumerate() {
        let d = b.wrapping_sub(b'0');
        if d < 10 {
            v = v * 10 + u64::from(d);
        } else if *b == b'.' && dot.is_none() {
            dot = Some(i);
        } else {
            return None;
        }
    }
    let decimals = match dot {
        // Digits on both sides of a point, as the facts reader wants them.
        Some(i) if i == 0 || i + 1 == text.len() => return None,
        Some(i) => text.len() - i - 1,
        None if text.is_empty() => return None,
        None => 0,
    };
    let shift = scale.checked_sub(u32::try_from(decimals).ok()?)?;
    let v = v.checked_mul(u64::try_from(pow10(shift)?).ok()?)?;
    i64::try_from(v).ok()
}

/// [`parse_plain`] for long cells, every step checked.
fn parse_plain_checked(text: &[u8], scale: u32) -> Option<i64> {
    let (int, frac) = match text.iter().position(|b| *b == b'.') {
        Some(dot) => (text.get(..dot)?, text.get(dot + 1..)?),
        None => (text, &[][..]),
    };
    if int.is_empty() || frac.len() > scale as usize || text.last() == Some(&b'.') {
        return None;
    }
    let mut v: i64 = 0;
    for b in int.iter().chain(frac) {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(i64::from(b - b'0'))?;
    }
    v.checked_mul(pow10(scale - frac.len() as u32)?)
}

/// A value as an integer at `scale`, when exact.
pub fn to_scaled(v: &Value, scale: u32) -> Option<i64> {
    match v {
        Value::Num(_, d) => decimal_to_scaled(*d, scale),
        Value::Bool(b) => Some(i64::from(*b)),
        _ => None,
    }
}

fn decimal_to_scaled(d: Decimal, scale: u32) -> Option<i64> {
    let d = d.normalize();
    if d.scale() > scale {
        return None;
    }
    let m = d
        .mantissa()
        .checked_mul(i128::from(pow10(scale - d.scale())?))?;
    i64::try_from(m).ok()
}

pub(super) fn pow10(e: u32) -> Option<i64> {
    10i64.checked_pow(e)
}

/// The scale a fact's column is stored at: money and areas in hundredths
/// (fen, square decimetres), rates in ten-thousandths, counts whole.
pub(super) fn fact_scale(unit: Unit) -> Option<u32> {
    match unit {
        Unit::Money | Unit::Area => Some(2),
        Unit::Rate | Unit::Number => Some(4),
        Unit::Count | Unit::Bool => Some(0),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_decimals_parse_at_a_scale() {
        assert_eq!(parse_plain(b"123.45", 2), Some(12345));
        assert_eq!(parse_plain(b"123", 2), Some(12300));
        assert_eq!(parse_plain(b"0.5", 4), Some(5000));
        // More decimals than the column holds, signs, magnitudes: slow path.
        assert_eq!(parse_plain(b"1.234", 2), None);
        assert_eq!(parse_plain(b"-1", 2), None);
        assert_eq!(parse_plain("1.2亿".as_bytes(), 2), None);
        assert_eq!(parse_plain(b"", 2), None);
        assert_eq!(parse_plain(b".5", 2), None);
        // The facts reader refuses `5.`: so does the fast path.
        assert_eq!(parse_plain(b"5.", 2), None);
        assert_eq!(parse_plain(b"000000000000000000005.", 2), None);
        assert_eq!(parse_plain(b"007.50", 2), Some(750));
        assert_eq!(parse_plain(b"9223372036854775807", 0), Some(i64::MAX));
        assert_eq!(parse_plain(b"9223372036854775808", 0), None);
        assert_eq!(parse_plain(b"92233720368547758.07", 2), Some(i64::MAX));
        assert_eq!(parse_plain(b"92233720368547758.08", 2), None);
        assert_eq!(parse_plain(b"99999999999999999999", 2), None);
    }

    mod against_the_facts_reader {
        //! The fast cell parser against the exact path on any cell text:
        //! where it gives a value, the facts reader gives the same value
        //! at the column's scale; where it gives none, the cell is read
        //! the exact way (so the same value, or the same diagnostic).

        use proptest::prelude::*;

        use super::super::{parse_plain, to_scaled};
        use crate::span::SourceFile;
        use crate::units::Unit;

        fn cell() -> impl Strategy<Value = String> {
            let digits = "[0-9]{0,24}";
            prop_oneof![
                (digits, prop::option::of(digits)).prop_map(|(a, b)| match b {
                    Some(b) => format!("{a}.{b}"),
                    None => a,
                }),
                "[-+ ]?[0-9]{1,21}(\\.[0-9]{0,6})?[ ]?",
                "[0-9]{1,4}[eE][-+]?[0-9]{1,2}",
                "[0-9]{1,3}(\\.[0-9])?(万|亿|元|%| 万)",
                "0{0,22}[1-9][0-9]{0,3}(\\.[0-9]{0,4})?",
                "9{17,21}(\\.9{1,4})?",
                "922337203685477580[0-9](\\.[0-9]{0,2})?",
                "[0-9_.,]{1,8}",
                "\\PC{0,6}",
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(3000))]
            #[test]
            fn plain_cells_read_as_the_facts_reader_reads_them(text in cell()) {
                let Ok(policy) = crate::load(&SourceFile::new("t.decree", "fact a: money")) else {
                    return Err(TestCaseError::fail("the policy does not load"));
                };
                for (unit, scale) in [
                    (Unit::Money, 2),
                    (Unit::Area, 2),
                    (Unit::Rate, 4),
                    (Unit::Number, 4),
                    (Unit::Count, 0),
                ] {
                    let Some(fast) = parse_plain(text.as_bytes().trim_ascii(), scale) else {
                        continue;
                    };
                    let exact = crate::facts::parse_text_value(&policy, unit, &text);
                    let exact = exact.ok().flatten().and_then(|v| to_scaled(&v, scale));
                    prop_assert_eq!(Some(fast), exact, "{:?} as {:?}", text, unit);
                }
            }
        }
    }

    #[test]
    fn scaled_values_are_exact_or_absent() {
        let d = |s: &str| s.parse::<Decimal>().unwrap_or_default();
        assert_eq!(decimal_to_scaled(d("1.50"), 2), Some(150));
        assert_eq!(decimal_to_scaled(d("1.505"), 2), None);
        assert_eq!(decimal_to_scaled(d("100000000000000000000000000"), 2), None);
    }
}
