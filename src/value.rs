//! Values and how drafters read them.
//!
//! Money is kept in yuan, rates as fractions (20% is `0.2`), areas in square
//! metres; all as exact [`Decimal`]s. Formatting follows Chinese drafting
//! habits: `2,400万元`, `1.2亿元`, `20%`. Units themselves and their algebra
//! are in [`crate::units`].

use std::collections::BTreeSet;
use std::fmt;

use rust_decimal::Decimal;

pub use crate::units::{Duration, DurationUnit, Unit, with_article};

/// Which side a bound limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BoundKind {
    /// 不超过: the value may not exceed.
    AtMost,
    /// 不少于: the value may not fall below.
    AtLeast,
}

/// A computed value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A number with a numeric unit.
    Num(Unit, Decimal),
    /// A discretionary band `lo..hi` of a numeric unit.
    Range(Unit, Decimal, Decimal),
    /// A duration.
    Duration(Duration),
    /// A date.
    Date(jiff::civil::Date),
    /// True or false.
    Bool(bool),
    /// A text.
    Text(String),
    /// A value of an enumeration, by name.
    Variant(String),
    /// A set of enumeration values, by name.
    Set(BTreeSet<String>),
    /// A bound on a value, for benefits (`at most 1%`).
    Bound(BoundKind, Box<Value>),
    /// The records of a `list of` fact (an enterprise's projects), in the
    /// order given.
    Records(Vec<Record>),
    /// The time from one date to another (`to - from`), kept with its
    /// ends so that it compares with years and months by the calendar.
    Elapsed {
        /// The earlier end as written (the subtrahend).
        from: jiff::civil::Date,
        /// The later end as written (the minuend).
        to: jiff::civil::Date,
    },
    /// A quotient that does not terminate in decimals (`4亿 ÷ 3亿`), kept
    /// exactly as a fraction so that comparisons of it are exact.
    Quotient {
        /// Its unit.
        unit: Unit,
        /// The numerator.
        num: Decimal,
        /// The denominator, positive.
        den: Decimal,
    },
}

/// One record of a `list of` fact: its fields' values in the order the
/// record type declares them, `None` for a field not given.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Record {
    /// Values by field index.
    pub fields: Vec<Option<Value>>,
}

impl Value {
    /// The money amount, if this is money.
    pub fn money(&self) -> Option<Decimal> {
        match self {
            Value::Num(Unit::Money, d) => Some(*d),
            _ => None,
        }
    }

    /// Lower and upper bounds of a numeric value (equal for a point).
    pub fn bounds(&self) -> Option<(Unit, Decimal, Decimal)> {
        match self {
            Value::Num(u, d) => Some((*u, *d, *d)),
            Value::Range(u, lo, hi) => Some((*u, *lo, *hi)),
            _ => None,
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Num(u, d) => f.write_str(&format_quantity(*u, *d)),
            Value::Range(u, lo, hi) => {
                write!(
                    f,
                    "{}..{}",
                    format_quantity(*u, *lo),
                    format_quantity(*u, *hi)
                )
            }
            Value::Duration(d) => write!(f, "{d}"),
            Value::Date(d) => write!(f, "{d}"),
            Value::Bool(true) => f.write_str("true"),
            Value::Bool(false) => f.write_str("false"),
            Value::Text(t) => write!(f, "\"{t}\""),
            Value::Variant(v) => f.write_str(v),
            Value::Set(s) => {
                let names: Vec<&str> = s.iter().map(String::as_str).collect();
                write!(f, "{{{}}}", names.join(", "))
            }
            Value::Bound(BoundKind::AtMost, v) => write!(f, "≤ {v}"),
            Value::Bound(BoundKind::AtLeast, v) => write!(f, "≥ {v}"),
            // Without the policy the fields have no names: each record as
            // its values in declaration order, `—` for one not given.
            Value::Records(rs) => {
                let shown: Vec<String> = rs
                    .iter()
                    .map(|r| {
                        let fields: Vec<String> = r
                            .fields
                            .iter()
                            .map(|v| v.as_ref().map_or("—".into(), ToString::to_string))
                            .collect();
                        format!("({})", fields.join(", "))
                    })
                    .collect();
                write!(f, "[{}]", shown.join(", "))
            }
            // An area in 亩 (`1亩` is 2000/3 m²) reads exactly in 亩.
            Value::Quotient {
                unit: Unit::Area,
                num,
                den,
            } if area_in_mu(*num, *den).is_some() => {
                let mu = area_in_mu(*num, *den).unwrap_or_default();
                write!(f, "{}亩", group_thousands(mu))
            }
            Value::Quotient { unit, num, den } => {
                // Shown rounded, for reading only: the value itself is exact.
                let shown = num.checked_div(*den).unwrap_or_default().round_dp(8);
                write!(f, "≈{}", format_quantity(*unit, shown.normalize()))
            }
            Value::Elapsed { from, to } => {
                write!(f, "{}天（{from}至{to}）", (*to - *from).get_days())
            }
        }
    }
}

/// A number of the given unit as drafters read it. Counts and bare numbers
/// are grouped by thousands only from five whole digits on ([`group_long`]):
/// a year held as a count is `2021`, a headcount `1500`, a population
/// `12,000`.
pub fn format_quantity(unit: Unit, d: Decimal) -> String {
    match unit {
        Unit::Money => format_money(d),
        Unit::Rate => format_rate(d),
        Unit::Area => format_area(d),
        // Only ever a step of an explanation (`amount × budget`), before
        // the division by money.
        Unit::MoneySquared => format!("{}元²", group_long(d.normalize())),
        Unit::Weight => format!("{}吨", group_thousands(d.normalize())),
        // `30元/平方米`, `1,000元/个`, `20元/吨`: exact, per the unit kept.
        Unit::MoneyPer(per) => format!("{}/{}", format_money(d), per.word()),
        _ => group_long(d.normalize()),
    }
}

/// Money as drafters read it, in the magnitude its size calls for — 万亿
/// from a trillion yuan, 亿 from a hundred million, 万 from ten thousand,
/// else yuan — with every digit it has: exact, never rounded. `24000000` →
/// `2,400万元`; `120000000` → `1.2亿元`; `838591999.2` → `8.385919992亿元`;
/// `1234.5` → `1,234.5元`. A range's ends and a total read the same way.
pub fn format_money(yuan: Decimal) -> String {
    let (scaled, word) = money_magnitude(yuan);
    let mut text = group_thousands(scaled);
    text.push_str(word);
    text.push('元');
    text
}

/// An amount or a range of amounts as drafters read them, each end as
/// [`format_money`] shows an amount alone: `2,400万元`, `0元..50万元`,
/// `8.385919992亿元..9.112919992亿元`.
pub fn format_money_range(min: Decimal, max: Decimal) -> String {
    if min == max {
        format_money(min)
    } else {
        format!("{}..{}", format_money(min), format_money(max))
    }
}

/// Money as a facts file or a literal writes it: [`format_money`] without
/// thousands separators, so that it reads back exactly. `24000000` →
/// `2400万元`; `1234.5` → `1234.5元`.
pub fn format_money_plain(yuan: Decimal) -> String {
    let (scaled, word) = money_magnitude(yuan);
    format!("{scaled}{word}元")
}

/// The amount in the largest magnitude it reaches (or in yuan), exactly,
/// and the magnitude's word. Moving the decimal point keeps every digit;
/// only an amount already at the finest scale (28 decimals) cannot move
/// it, and is shown in yuan rather than rounded.
fn money_magnitude(yuan: Decimal) -> (Decimal, &'static str) {
    const MAGNITUDES: [(u32, &str); 3] = [(12, "万亿"), (8, "亿"), (4, "万")];
    let abs = yuan.abs();
    for (exp, word) in MAGNITUDES {
        let unit = Decimal::from_i128_with_scale(10i128.pow(exp), 0);
        if abs >= unit {
            // Moving the point: the same digits at a larger scale.
            let scale = yuan.scale() + exp;
            if scale <= 28 {
                return (
                    Decimal::from_i128_with_scale(yuan.mantissa(), scale).normalize(),
                    word,
                );
            }
            break;
        }
    }
    (yuan.normalize(), "")
}

/// A rate as a percentage: `0.2` → `20%`.
pub fn format_rate(rate: Decimal) -> String {
    match rate.checked_mul(Decimal::ONE_HUNDRED) {
        Some(p) => format!("{}%", p.normalize()),
        None => rate.normalize().to_string(),
    }
}

/// The area `num ÷ den` square metres in 亩 (× 3/2000), when that is a
/// terminating decimal: `2000/3` m² is `1` 亩. An area given in 亩 always
/// is; `None` for one that is no exact number of 亩 either.
pub fn area_in_mu(num: Decimal, den: Decimal) -> Option<Decimal> {
    use crate::syntax::per_unit::{MU_DEN, MU_NUM};
    let n = num.checked_mul(Decimal::from(MU_DEN))?;
    let d = den.checked_mul(Decimal::from(MU_NUM))?;
    let q = n.checked_div(d)?;
    (q.checked_mul(d) == Some(n) && q.scale() < 28).then(|| q.normalize())
}

/// An area: square kilometres when whole, else square metres.
pub fn format_area(m2: Decimal) -> String {
    let km2 = Decimal::from(1_000_000);
    if m2.abs() >= km2 {
        if let Some(k) = m2.checked_div(km2) {
            let k = k.normalize();
            if k.scale() <= 4 {
                return format!("{}平方公里", group_thousands(k));
            }
        }
    }
    format!("{}平方米", group_thousands(m2.normalize()))
}

/// A count or bare number: as [`group_thousands`], but four whole digits
/// or fewer stand ungrouped, as Chinese drafting writes them (GB/T 15835):
/// `2021`, `1500`, `12,000`.
pub fn group_long(d: Decimal) -> String {
    if d.abs() < Decimal::from(10_000) {
        d.to_string()
    } else {
        group_thousands(d)
    }
}

/// `1234567.5` → `1,234,567.5`.
pub fn group_thousands(d: Decimal) -> String {
    let s = d.to_string();
    let (sign, rest) = match s.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", s.as_str()),
    };
    let (int, frac) = match rest.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (rest, None),
    };
    // One buffer, sized for the separators and a magnitude word after
    // (explanations format an amount at every step).
    let mut grouped = String::with_capacity(s.len() + int.len() / 3 + 8);
    grouped.push_str(sign);
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    if let Some(f) = frac {
        grouped.push('.');
        grouped.push_str(f);
    }
    grouped
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn money_reads_as_drafters_write_it() {
        assert_eq!(format_money(d("24000000")), "2,400万元");
        assert_eq!(format_money(d("120000000")), "1.2亿元");
        assert_eq!(format_money(d("50000000")), "5,000万元");
        assert_eq!(format_money(d("3000000000000")), "3万亿元");
        assert_eq!(format_money(d("12345678.9")), "1,234.56789万元");
        assert_eq!(format_money(d("838591999.2")), "8.385919992亿元");
        assert_eq!(format_money(d("9999.99")), "9,999.99元");
        assert_eq!(format_money(d("10000.01")), "1.000001万元");
        assert_eq!(
            format_money(d("9999999999999999999999999999")),
            "9,999,999,999,999,999.999999999999万亿元"
        );
        assert_eq!(
            format_money(d("0.0000000000000000000000000001")),
            "0.0000000000000000000000000001元"
        );
        assert_eq!(format_money(d("1234.50")), "1,234.5元");
        assert_eq!(format_money(d("0")), "0元");
        assert_eq!(format_money(d("-3000000")), "-300万元");
    }

    #[test]
    fn a_range_reads_as_its_ends_alone() {
        assert_eq!(
            format_money_range(d("838591999.2"), d("911291999.2")),
            "8.385919992亿元..9.112919992亿元"
        );
        assert_eq!(format_money_range(d("0"), d("500000")), "0元..50万元");
    }

    #[test]
    fn counts_group_from_five_digits() {
        assert_eq!(format_quantity(Unit::Count, d("2021")), "2021");
        assert_eq!(format_quantity(Unit::Count, d("9999")), "9999");
        assert_eq!(format_quantity(Unit::Count, d("12000")), "12,000");
        assert_eq!(format_quantity(Unit::Number, d("-1500")), "-1500");
        assert_eq!(format_area(d("5000")), "5,000平方米");
    }

    #[test]
    fn areas_in_mu_weights_and_prices_read_with_their_unit() {
        let mu = |num: i64| Value::Quotient {
            unit: Unit::Area,
            num: Decimal::from(num),
            den: Decimal::from(3),
        };
        assert_eq!(mu(62_000).to_string(), "31亩");
        assert_eq!(mu(2_000).to_string(), "1亩");
        // 1/3 m² is 0.0005亩; 1/7 m² is no exact number of 亩 either.
        assert_eq!(mu(1).to_string(), "0.0005亩");
        let seventh = Value::Quotient {
            unit: Unit::Area,
            num: Decimal::ONE,
            den: Decimal::from(7),
        };
        assert_eq!(seventh.to_string(), "≈0.14285714平方米");
        assert_eq!(area_in_mu(d("2000"), d("3")), Some(d("1")));
        assert_eq!(area_in_mu(d("1"), d("7")), None);
        assert_eq!(format_quantity(Unit::Weight, d("1500")), "1,500吨");
        use crate::units::PerUnit;
        assert_eq!(
            format_quantity(Unit::MoneyPer(PerUnit::Area), d("30")),
            "30元/平方米"
        );
        assert_eq!(
            format_quantity(Unit::MoneyPer(PerUnit::Area), d("750")),
            "750元/平方米"
        );
        assert_eq!(
            format_quantity(Unit::MoneyPer(PerUnit::Weight), d("20")),
            "20元/吨"
        );
        assert_eq!(
            format_quantity(Unit::MoneyPer(PerUnit::Count), d("10000")),
            "1万元/个"
        );
    }

    #[test]
    fn rates_are_percentages() {
        assert_eq!(format_rate(d("0.2")), "20%");
        assert_eq!(format_rate(d("1")), "100%");
        assert_eq!(format_rate(d("0.025")), "2.5%");
    }

    proptest::proptest! {
        #[test]
        fn thousands_are_grouped_by_threes_and_keep_every_digit(
            mantissa in proptest::num::i64::ANY, scale in 0u32..12
        ) {
            let v = Decimal::new(mantissa, scale);
            let grouped = group_thousands(v);
            proptest::prop_assert_eq!(grouped.replace(',', ""), v.to_string());
            let int = grouped.trim_start_matches('-').split('.').next().unwrap_or_default();
            let groups: Vec<&str> = int.split(',').collect();
            proptest::prop_assert!(groups.first().is_some_and(|g| (1..=3).contains(&g.len())));
            proptest::prop_assert!(groups.iter().skip(1).all(|g| g.len() == 3));
            proptest::prop_assert_eq!(format_money(Decimal::new(mantissa, 2)).ends_with('元'), true);
        }
    }
}
