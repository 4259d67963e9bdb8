//! Literal values: numbers with Chinese or Latin magnitudes, percentages,
//! ratios, durations, areas and dates, read exactly.
//!
//! Shared by the parser and by the facts reader, so `"1.2亿"` in a facts file
//! means what `1.2亿` means in a policy.

use std::str::FromStr;

use pest::Parser as _;
use rust_decimal::Decimal;

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
        return match parse_literal(rest)? {
            LitValue::Quantity(u, d) => Ok(LitValue::Quantity(u, -d)),
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
    let q = x
        .checked_div(y)
        .ok_or_else(|| format!("the ratio `{a}:{b}` is too large"))?;
    if q.checked_mul(y) != Some(x) {
        return Err(format!(
            "the ratio `{a}:{b}` has no exact decimal value; write it as a percentage"
        ));
    }
    Ok(LitValue::Quantity(Unit::Rate, q))
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
    let magnitude = unit.strip_suffix('元').unwrap_or(unit);
    let factor =
        money_factor(magnitude).ok_or_else(|| format!("`{unit}` is not a unit decree knows"))?;
    scale(n, factor, number_text, unit).map(|m| LitValue::Quantity(Unit::Money, m))
}

/// Parses the digits of a number exactly; more than 28 significant digits is an error.
pub fn number(text: &str) -> Result<Decimal, String> {
    let clean: String = text.chars().filter(|c| *c != '_').collect();
    let parsed = if clean.contains(['e', 'E']) {
        Decimal::from_scientific(&clean)
    } else {
        Decimal::from_str_exact(&clean)
    };
    parsed.map_err(|_| {
        let mantissa = clean.split(['e', 'E']).next().unwrap_or("");
        let digits = mantissa
            .chars()
            .filter(char::is_ascii_digit)
            .collect::<String>();
        let significant = digits.trim_start_matches('0').trim_end_matches('0').len();
        let decimals = mantissa.split_once('.').map_or(0, |(_, f)| f.len());
        let exponent: i64 = clean
            .split_once(['e', 'E'])
            .and_then(|(_, e)| e.parse().ok())
            .unwrap_or(0);
        // A negative exponent makes decimals, not size: 1e-300 has 300.
        let decimals = i64::try_from(decimals)
            .unwrap_or(i64::MAX)
            .saturating_sub(exponent.min(0));
        if decimals > 28 {
            format!("`{text}` has more than 28 decimals and cannot be represented exactly")
        } else if significant > 28 {
            format!(
                "`{text}` has more than 28 significant digits and cannot be represented exactly"
            )
        } else {
            format!("`{text}` is too large to represent: exact decimals reach about 7.9 × 10^28")
        }
    })
}

/// The power of ten a money magnitude stands for.
fn money_factor(magnitude: &str) -> Option<u32> {
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
fn area_factor(unit: &str) -> Option<u32> {
    match unit {
        "m2" | "㎡" | "平方米" => Some(0),
        "km2" | "平方公里" => Some(6),
        _ => None,
    }
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
fn scale(n: Decimal, exp: u32, text: &str, unit: &str) -> Result<Decimal, String> {
    let factor = Decimal::from_i128_with_scale(10i128.pow(exp), 0);
    n.checked_mul(factor)
        .ok_or_else(|| format!("`{text}{unit}` is too large to represent"))
}

/// `n ÷ 10^places`, exactly.
fn shift(n: Decimal, places: u32, text: &str) -> Result<Decimal, String> {
    let scale = n.scale() + places;
    if scale > 28 {
        return Err(format!("`{text}%` has more than 28 decimals"));
    }
    Ok(Decimal::from_i128_with_scale(n.mantissa(), scale))
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
        assert!(parse_literal("5千克").is_err());
        assert!(parse_literal("12345678901234567890123456789012345678901").is_err());
    }
}
