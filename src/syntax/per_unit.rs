//! Literals of the units issue 16 added for land and quantities: areas in
//! 亩 (`3亩`, `1.5万亩`), weights (`5吨`, `500千克`) and money per unit
//! (`30元/平方米`, `50万元/亩`, `1000元/人`, `20元/吨`).
//!
//! Every value is exact. 1亩 is 2000/3 平方米, which does not terminate in
//! decimals: an area in 亩 that is no whole number of square metres' thirds
//! is kept as a fraction ([`LitValue::Fraction`]), never rounded. Money per
//! 亩 is kept per square metre, where it always terminates (÷ 2000/3 is
//! × 0.0015), so `500元/亩` is exactly `0.75元/平方米`.

use rust_decimal::Decimal;

use super::literal::{
    MAX_DIGITS, area_factor, money_factor, scale, too_many_digits, within_digits,
};
use crate::ast::LitValue;
use crate::units::{PerUnit, Unit};

/// Square metres in one 亩, as the fraction `MU_NUM / MU_DEN`.
pub const MU_NUM: i64 = 2000;
/// See [`MU_NUM`].
pub const MU_DEN: i64 = 3;

/// Measure words that make a number a count (`10人`, `3家`), and that a
/// price may be per (`1000元/人`). `个月` is a duration, so a word counts
/// only when it is the whole suffix.
pub const COUNT_WORDS: [&str; 6] = ["人", "家", "个", "项", "户", "名"];

/// The spellings of 亩.
const MU: [&str; 2] = ["亩", "mu"];

/// A weight unit's size in tonnes, as a power of ten to divide by.
fn weight_shift(unit: &str) -> Option<u32> {
    match unit {
        "吨" | "tonnes" | "tonne" => Some(0),
        "千克" | "公斤" | "kg" => Some(3),
        _ => None,
    }
}

/// `unit` split into a magnitude's power of ten and what follows it: `万亩`
/// is `(4, "亩")`, `吨` is `(0, "吨")`.
fn magnified(unit: &str) -> (u32, &str) {
    [
        "万亿", "千亿", "百亿", "十亿", "亿", "千万", "百万", "十万", "万", "千",
    ]
    .iter()
    .find_map(|m| {
        let rest = unit.strip_prefix(m)?;
        Some((money_factor(m)?, rest))
    })
    .unwrap_or((0, unit))
}

/// An area in 亩 or a weight, when `unit` is one (`亩`, `1.5万亩`, `吨`,
/// `千克`); `None` for any other unit.
pub fn mu_or_weight(n: Decimal, text: &str, unit: &str) -> Option<Result<LitValue, String>> {
    let (exp, rest) = magnified(unit);
    // `千克` is a unit, not a magnitude before `克`.
    let (exp, rest) = if weight_shift(unit).is_some() {
        (0, unit)
    } else {
        (exp, rest)
    };
    if MU.contains(&rest) {
        return Some(
            scale(n, exp, text, unit).and_then(|mu| mu_area(mu, &format!("{text}{unit}"))),
        );
    }
    let shift = weight_shift(rest)?;
    Some(scale(n, exp, text, unit).and_then(|t| {
        let tonnes =
            divide_by_power(t, shift).ok_or_else(|| too_many_digits(&format!("{text}{unit}")))?;
        within_digits(tonnes, &format!("{text}{unit}")).map(|w| LitValue::Quantity(Unit::Weight, w))
    }))
}

/// `mu` 亩 in square metres: a plain area when it is a terminating decimal,
/// else the exact fraction `mu × 2000 / 3`.
pub fn mu_area(mu: Decimal, whole: &str) -> Result<LitValue, String> {
    let num = mu
        .checked_mul(Decimal::from(MU_NUM))
        .ok_or_else(|| too_many_digits(whole))?;
    let den = Decimal::from(MU_DEN);
    match exact_quotient(num, den) {
        Some(m2) => Ok(LitValue::Quantity(Unit::Area, m2)),
        None => Ok(LitValue::Fraction(Unit::Area, num, den)),
    }
}

/// `a ÷ b` when it terminates within 28 digits.
fn exact_quotient(a: Decimal, b: Decimal) -> Option<Decimal> {
    let q = a.checked_div(b)?;
    (q.checked_mul(b) == Some(a) && super::literal::digits(q) <= MAX_DIGITS).then(|| q.normalize())
}

/// `d ÷ 10^places`, exactly (the digits move; none is lost).
fn divide_by_power(d: Decimal, places: u32) -> Option<Decimal> {
    let scale = d.scale().checked_add(places)?;
    (scale <= MAX_DIGITS).then(|| Decimal::from_i128_with_scale(d.mantissa(), scale))
}

/// Money per unit: `unit` is `(money, per)` as split at the slash (`万元`,
/// `亩`). The value is kept per square metre, per one, or per tonne.
///
/// # Errors
/// An unknown magnitude or unit after the slash, or too many digits.
pub fn money_per(n: Decimal, text: &str, (money, per): (&str, &str)) -> Result<LitValue, String> {
    let whole = format!("{text}{money}/{per}");
    let magnitude = money.strip_suffix('元').unwrap_or(money);
    let factor = money_factor(magnitude)
        .ok_or_else(|| format!("`{money}` is not an amount of money in `{whole}`"))?;
    let yuan = scale(n, factor, text, money)?;
    let (per_unit, value) = if let Some(k) = area_factor(per) {
        (PerUnit::Area, divide_by_power(yuan, k))
    } else if MU.contains(&per) {
        // ÷ (2000/3) is × 3 ÷ 2000, which always terminates.
        let thirds = yuan.checked_mul(Decimal::from(MU_DEN));
        (
            PerUnit::Area,
            thirds.and_then(|t| exact_quotient(t, Decimal::from(MU_NUM))),
        )
    } else if COUNT_WORDS.contains(&per) {
        (PerUnit::Count, Some(yuan))
    } else if let Some(shift) = weight_shift(per) {
        let exp = 10i128
            .checked_pow(shift)
            .map(|p| Decimal::from_i128_with_scale(p, 0));
        (PerUnit::Weight, exp.and_then(|e| yuan.checked_mul(e)))
    } else {
        return Err(format!(
            "`{per}` is not a unit decree prices by: write money per 平方米, 亩, 吨, 千克 or a count's word (人, 户, 家, 个, 项, 名)"
        ));
    };
    let value = value.ok_or_else(|| too_many_digits(&whole))?;
    within_digits(value, &whole).map(|v| LitValue::Quantity(Unit::MoneyPer(per_unit), v))
}

#[cfg(test)]
mod tests {
    use super::super::literal::parse_literal;
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap_or_default()
    }

    #[test]
    fn mu_is_two_thousand_thirds_of_a_square_metre() {
        assert_eq!(
            parse_literal("3亩"),
            Ok(LitValue::Quantity(Unit::Area, d("2000")))
        );
        assert_eq!(
            parse_literal("1亩"),
            Ok(LitValue::Fraction(Unit::Area, d("2000"), d("3")))
        );
        assert_eq!(
            parse_literal("1.5万亩"),
            Ok(LitValue::Quantity(Unit::Area, d("10000000")))
        );
        assert_eq!(
            parse_literal("-1亩"),
            Ok(LitValue::Fraction(Unit::Area, d("-2000"), d("3")))
        );
    }

    #[test]
    fn weights_are_in_tonnes() {
        assert_eq!(
            parse_literal("5吨"),
            Ok(LitValue::Quantity(Unit::Weight, d("5")))
        );
        assert_eq!(
            parse_literal("500千克"),
            Ok(LitValue::Quantity(Unit::Weight, d("0.5")))
        );
        assert_eq!(
            parse_literal("2万吨"),
            Ok(LitValue::Quantity(Unit::Weight, d("20000")))
        );
        assert_eq!(
            parse_literal("3 tonnes"),
            Ok(LitValue::Quantity(Unit::Weight, d("3")))
        );
    }

    #[test]
    fn money_per_unit_is_kept_per_square_metre_one_or_tonne() {
        let per = |s: &str| match parse_literal(s) {
            Ok(LitValue::Quantity(Unit::MoneyPer(p), v)) => (p, v.normalize().to_string()),
            other => panic!("{s}: {other:?}"),
        };
        assert_eq!(per("30元/平方米"), (PerUnit::Area, "30".into()));
        assert_eq!(per("500元/亩"), (PerUnit::Area, "0.75".into()));
        assert_eq!(per("50万元/亩"), (PerUnit::Area, "750".into()));
        assert_eq!(per("50万/亩"), (PerUnit::Area, "750".into()));
        assert_eq!(per("1元/平方公里"), (PerUnit::Area, "0.000001".into()));
        assert_eq!(per("1000元/人"), (PerUnit::Count, "1000".into()));
        assert_eq!(per("20元/吨"), (PerUnit::Weight, "20".into()));
        assert_eq!(per("2元/千克"), (PerUnit::Weight, "2000".into()));
        assert!(parse_literal("30元/米").is_err());
    }
}
