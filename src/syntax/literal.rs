//! Literal values: numbers with Chinese or Latin magnitudes, percentages,
//! ratios, durations, areas and dates, read exactly.
//!
//! Shared by the parser and by the facts reader, so `"1.2亿"` in a facts file
//! means what `1.2亿` means in a policy.

use std::str::FromStr;

use pest::Parser as _;
use rust_decimal::Decimal;

use super::keywords::Surface;
use super::{DecreeParser, Rule};
use crate::ast::LitValue;
use crate::value::{Duration, DurationUnit, Unit};

/// Reads a whole string as one literal (`"5000万元"`, `"20%"`, `"1:1"`,
/// `"3 years"`, `"2025-12-31"`, `"42"`). The error says why it is not one.
pub fn parse_literal(text: &str) -> Result<LitValue, String> {
    let trimmed = text.trim();
    if let Some(rest) = trimmed
        .strip_prefix('-')
        .or_else(|| trimmed.strip_prefix('−'))
    {
        // An error names the whole text, sign included.
        let unsigned = parse_literal(rest)
            .map_err(|why| why.replace(&format!("`{}`", rest.trim()), &format!("`{trimmed}`")))?;
        return match unsigned {
            LitValue::Quantity(u, d) => Ok(LitValue::Quantity(u, -d)),
            LitValue::Fraction(u, n, d) => Ok(LitValue::Fraction(u, -n, d)),
            LitValue::Duration(d) => Ok(LitValue::Duration(crate::value::Duration {
                amount: -d.amount,
                unit: d.unit,
            })),
            _ => Err(format!("`{trimmed}` cannot be negative")),
        };
    }
    let mut pairs = DecreeParser::parse(Rule::literal_only, trimmed)
        .map_err(|_| format!("`{trimmed}` is not a number, amount, rate, duration or date"))?;
    let inner = pairs
        .next()
        .and_then(|p| p.into_inner().next())
        .ok_or_else(|| format!("`{trimmed}` is empty"))?;
    match inner.as_rule() {
        Rule::date_lit => date(inner.as_str()),
        Rule::ratio => {
            let mut nums = inner.into_inner();
            let a = nums.next().map(|p| p.as_str()).unwrap_or("");
            let b = nums.next().map(|p| p.as_str()).unwrap_or("");
            ratio(a, b)
        }
        _ => {
            let mut parts = inner.into_inner();
            let number = parts.next().map(|p| p.as_str()).unwrap_or("");
            let unit = parts.next().map(|p| p.as_str());
            quantity(number, unit)
        }
    }
}

/// A date literal `YYYY-MM-DD`.
pub fn date(text: &str) -> Result<LitValue, String> {
    jiff::civil::Date::from_str(text)
        .map(LitValue::Date)
        .map_err(|_| format!("`{text}` is not a calendar date"))
}

/// A ratio `a:b`, as the rate a÷b; it must be exact.
pub fn ratio(a: &str, b: &str) -> Result<LitValue, String> {
    let x = number(a)?;
    let y = number(b)?;
    if y.is_zero() {
        return Err(format!("the ratio `{a}:{b}` divides by zero"));
    }
    let whole = format!("{a}:{b}");
    let q = x.checked_div(y).ok_or_else(|| too_many_digits(&whole))?;
    if q.checked_mul(y) != Some(x) {
        return Err(format!(
            "the ratio `{whole}` has no exact decimal value; write it as a percentage"
        ));
    }
    within_digits(q, &whole).map(|q| LitValue::Quantity(Unit::Rate, q))
}

/// A number with an optional unit suffix, e.g. (`"1.2"`, `Some("亿")`).
pub fn quantity(number_text: &str, unit: Option<&str>) -> Result<LitValue, String> {
    let n = number(number_text)?;
    let Some(unit) = unit.map(str::trim) else {
        return Ok(LitValue::Quantity(Unit::Number, n));
    };
    if unit == "%" || unit == "％" {
        return shift(n, 2, number_text).map(|r| LitValue::Quantity(Unit::Rate, r));
    }
    if let Some(d) = duration_unit(unit) {
        return Ok(LitValue::Duration(Duration { amount: n, unit: d }));
    }
    if let Some(factor) = area_factor(unit) {
        return scale(n, factor, number_text, unit).map(|a| LitValue::Quantity(Unit::Area, a));
    }
    if let Some(factor) = magnified_area(unit) {
        return scale(n, factor, number_text, unit).map(|a| LitValue::Quantity(Unit::Area, a));
    }
    if let Some(per) = unit.split_once(['/', '／']) {
        return super::per_unit::money_per(n, number_text, per);
    }
    if let Some(read) = super::per_unit::mu_or_weight(n, number_text, unit) {
        return read;
    }
    let magnitude = unit.strip_suffix('元').unwrap_or(unit);
    let factor =
        money_factor(magnitude).ok_or_else(|| format!("`{unit}` is not a unit decree knows"))?;
    scale(n, factor, number_text, unit).map(|m| LitValue::Quantity(Unit::Money, m))
}

/// The most digits a number may have: [`digits`] of every value read,
/// literal or fact, is at most this. Within it every value is exact in a
/// [`Decimal`] (28 digits stay below its 7.9 × 10^28, and 28 decimals are
/// its finest scale), so the rule is the one a drafter can check by eye,
/// not the decimal type's odd maximum.
pub const MAX_DIGITS: u32 = 28;

/// The digits a value needs written out in full: its whole digits (leading
/// zeros aside) and its decimals (trailing zeros aside), together. `5000万`
/// (50000000) has 8, `0.25` has 2, `0.0001` has 4.
pub fn digits(d: Decimal) -> u32 {
    let d = d.normalize();
    let mantissa = d.mantissa().unsigned_abs();
    let written = if mantissa == 0 {
        0
    } else {
        mantissa.ilog10() + 1
    };
    written.max(d.scale())
}

/// The rule's words, for a value written as `text` that breaks it.
pub fn too_many_digits(text: &str) -> String {
    format!(
        "`{text}` has more than {MAX_DIGITS} digits: a value has at most {MAX_DIGITS} significant digits, whole digits and decimals together, so that it stays exact"
    )
}

/// `d`, if it keeps to [`MAX_DIGITS`]; else the rule's error for `text`.
pub fn within_digits(d: Decimal, text: &str) -> Result<Decimal, String> {
    if digits(d) > MAX_DIGITS {
        Err(too_many_digits(text))
    } else {
        Ok(d)
    }
}

/// Parses the digits of a number exactly (`_` may group them). More than
/// [`MAX_DIGITS`] digits is an error naming the rule, whatever the decimal
/// type could have held.
pub fn number(text: &str) -> Result<Decimal, String> {
    let clean: String = text.chars().filter(|c| *c != '_').collect();
    let parsed = if clean.contains(['e', 'E']) {
        Decimal::from_scientific(&clean)
    } else {
        Decimal::from_str_exact(&clean)
    };
    match parsed {
        Ok(d) => within_digits(d, text),
        // What the decimal type cannot hold is beyond the rule too: 29
        // digits, 29 decimals, 1e300 or 1e-300.
        Err(_) if clean.bytes().any(|b| b.is_ascii_digit()) => Err(too_many_digits(text)),
        Err(_) => Err(format!("`{text}` is not a number")),
    }
}

/// The units a number may be written with, by the surface whose readers
/// write them, each with what it means: what an editor offers after a
/// number. Money magnitudes are Chinese in both surfaces (`5000万`); every
/// spelling here reads as a literal with that unit (a test checks it).
pub const UNITS: &[(&str, Surface, &str)] = &[
    ("万", Surface::English, "× 10,000 yuan"),
    ("亿", Surface::English, "× 100,000,000 yuan"),
    ("元", Surface::English, "yuan"),
    ("%", Surface::English, "a rate"),
    (" years", Surface::English, "a duration"),
    (" months", Surface::English, "a duration"),
    (" days", Surface::English, "a duration"),
    (" m2", Surface::English, "square metres"),
    (" km2", Surface::English, "square kilometres"),
    ("万", Surface::Chinese, "万元"),
    ("万元", Surface::Chinese, "万元"),
    ("亿", Surface::Chinese, "亿元"),
    ("亿元", Surface::Chinese, "亿元"),
    ("万亿", Surface::Chinese, "万亿元"),
    ("元", Surface::Chinese, "元"),
    ("%", Surface::Chinese, "比率"),
    ("年", Surface::Chinese, "期限"),
    ("个月", Surface::Chinese, "期限"),
    ("天", Surface::Chinese, "期限"),
    ("平方米", Surface::Chinese, "面积"),
    ("平方公里", Surface::Chinese, "面积"),
    // issue 16 round 2, U: 亩, weights, money per unit.
    (" mu", Surface::English, "mu (亩), 2000/3 square metres"),
    (" tonnes", Surface::English, "a weight"),
    ("亩", Surface::Chinese, "面积（1亩为2000/3平方米）"),
    ("吨", Surface::Chinese, "重量"),
    ("元/平方米", Surface::Chinese, "单位面积金额"),
    ("元/亩", Surface::Chinese, "单位面积金额"),
    ("元/人", Surface::Chinese, "单位数量金额"),
    ("元/吨", Surface::Chinese, "单位重量金额"),
];

/// The power of ten a money magnitude stands for.
pub(super) fn money_factor(magnitude: &str) -> Option<u32> {
    Some(match magnitude {
        "" => 0,
        "千" | "K" => 3,
        "万" => 4,
        "十万" => 5,
        "百万" | "M" => 6,
        "千万" => 7,
        "亿" => 8,
        "十亿" | "B" => 9,
        "百亿" => 10,
        "千亿" => 11,
        "万亿" => 12,
        _ => return None,
    })
}

/// The power of ten an area unit stands for, in square metres.
pub(super) fn area_factor(unit: &str) -> Option<u32> {
    match unit {
        "m2" | "㎡" | "平方米" => Some(0),
        "km2" | "平方公里" => Some(6),
        _ => None,
    }
}

/// The power of ten of an area with a magnitude before its unit
/// (`万平方米`: 10^4 square metres), exactly.
fn magnified_area(unit: &str) -> Option<u32> {
    ["平方米", "平方公里", "㎡", "m2", "km2"]
        .iter()
        .find_map(|area| {
            let magnitude = unit.strip_suffix(area)?;
            let m = money_factor(magnitude).filter(|m| *m > 0)?;
            m.checked_add(area_factor(area)?)
        })
}

fn duration_unit(unit: &str) -> Option<DurationUnit> {
    match unit {
        "years" | "year" | "年" => Some(DurationUnit::Years),
        "months" | "month" | "个月" | "月" => Some(DurationUnit::Months),
        "days" | "day" | "天" | "日" => Some(DurationUnit::Days),
        _ => None,
    }
}

/// `n × 10^exp`, exactly.
pub(super) fn scale(n: Decimal, exp: u32, text: &str, unit: &str) -> Result<Decimal, String> {
    let factor = Decimal::from_i128_with_scale(10i128.pow(exp), 0);
    let whole = format!("{text}{unit}");
    let scaled = n
        .checked_mul(factor)
        .ok_or_else(|| too_many_digits(&whole))?;
    within_digits(scaled, &whole)
}

/// `n ÷ 10^places`, exactly.
fn shift(n: Decimal, places: u32, text: &str) -> Result<Decimal, String> {
    let scale = n.scale() + places;
    if scale > MAX_DIGITS {
        return Err(too_many_digits(&format!("{text}%")));
    }
    within_digits(
        Decimal::from_i128_with_scale(n.mantissa(), scale),
        &format!("{text}%"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn money(s: &str) -> String {
        match parse_literal(s).unwrap() {
            LitValue::Quantity(Unit::Money, d) => d.normalize().to_string(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn areas_take_a_magnitude_exactly() {
        for (text, square_metres) in [("1.5万平方米", 15000), ("2万㎡", 20000), ("3千m2", 3000)]
        {
            match parse_literal(text).unwrap() {
                LitValue::Quantity(Unit::Area, d) => assert_eq!(d, Decimal::from(square_metres)),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn every_unit_offered_reads() {
        for (unit, _, _) in UNITS {
            let read = parse_literal(&format!("5{unit}"));
            assert!(
                matches!(read, Ok(LitValue::Quantity(u, _)) if u != Unit::Number)
                    || matches!(read, Ok(LitValue::Duration(_) | LitValue::Fraction(..))),
                "{unit}: {read:?}"
            );
        }
    }

    #[test]
    fn magnitudes() {
        assert_eq!(money("5000万"), "50000000");
        assert_eq!(money("5000万元"), "50000000");
        assert_eq!(money("1.2亿"), "120000000");
        assert_eq!(money("3万亿"), "3000000000000");
        assert_eq!(money("50M"), "50000000");
        assert_eq!(money("2B"), "2000000000");
        assert_eq!(money("10K"), "10000");
        assert_eq!(money("300元"), "300");
    }

    #[test]
    fn rates_ratios_durations() {
        assert_eq!(
            parse_literal("20%").unwrap(),
            LitValue::Quantity(Unit::Rate, Decimal::new(2, 1))
        );
        assert_eq!(
            parse_literal("1:1").unwrap(),
            LitValue::Quantity(Unit::Rate, Decimal::ONE)
        );
        assert!(parse_literal("1:3").is_err());
        assert!(matches!(
            parse_literal("3 years").unwrap(),
            LitValue::Duration(Duration {
                unit: DurationUnit::Years,
                ..
            })
        ));
        // A weight since issue 16's units: 5千克 is 0.005吨.
        assert_eq!(
            parse_literal("5千克"),
            Ok(LitValue::Quantity(Unit::Weight, Decimal::new(5, 3)))
        );
        assert!(parse_literal("5千米").is_err());
        assert!(parse_literal("12345678901234567890123456789012345678901").is_err());
    }

    #[test]
    fn at_most_28_digits_whole_and_decimal_together() {
        let ok = |s: &str| parse_literal(s).is_ok();
        let rule = |s: &str| {
            parse_literal(s)
                .unwrap_err()
                .contains("at most 28 significant digits")
        };
        assert!(ok("9999999999999999999999999999元"));
        assert!(ok("0.0000000000000000000000000001"));
        assert!(ok("99999999999999999999999999.99"));
        assert!(ok("9999999999999999999999.9999万"));
        // 29 digits, whether or not the decimal type could hold them.
        assert!(rule("12345678901234567890123456789元"));
        assert!(rule("99999999999999999999999999999元"));
        assert!(rule("10000000000000000000000000000"));
        assert!(rule("0.00000000000000000000000000001"));
        assert!(rule("999999999999999999999999.99999"));
        assert!(rule("99999999999999999999999999万"));
        assert!(rule("1e300"));
        assert!(rule("1e-300"));
        assert!(ok("0.00000000000000000000000001%"));
        assert!(rule("0.000000000000000000000000001%"));
        assert_eq!(digits(Decimal::new(50_000_000, 0)), 8);
        assert_eq!(digits(Decimal::new(25, 2)), 2);
        assert_eq!(digits(Decimal::new(1, 4)), 4);
        assert_eq!(digits(Decimal::ZERO), 0);
    }
}
