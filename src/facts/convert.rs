//! Typing a [`Raw`] value by a fact's or param's declared unit: the one
//! place that decides how a value may be written, for every input path —
//! facts files, CSV cells, JSON Lines, `--set`, the REPL.
//!
//! Text spellings (what [`parse_text_value`] reads, and what a string in a
//! facts file may say):
//!
//! * a condition (`bool`): `true` / `false` in any ASCII case, or `是` / `否`;
//! * a `set of` an enum: its values separated by `;` or `,` (ASCII or
//!   full-width `；` `，`), each by name or label, optionally in brackets
//!   (`[a; b]`); `[]` is the empty set. A text that is one value's name or
//!   label is that value alone, even if the label holds a comma;
//! * an enum: a value's name or label;
//! * numbers, money, rates, areas, durations and dates as literals of the
//!   language (`1.2亿`, `20%`, `5000平方米`, `3 years`, `2025-12-31`), or as
//!   people type them (`5,000万`, `５０００万`, `10人`, `2022年1月1日`,
//!   `1.5万平方米`), which `spelling` rewrites into literals first; at most
//!   28 significant digits, as in a policy.

use std::collections::BTreeSet;

use rust_decimal::Decimal;

use super::{Raw, spelling};
use crate::ast::LitValue;
use crate::check::Policy;
use crate::syntax::literal;
use crate::units::PerUnit;
use crate::value::{Unit, Value};

/// A condition written as text: `true` / `false` in any ASCII case, or
/// `是` / `否`; `None` for anything else.
pub fn parse_bool(text: &str) -> Option<bool> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("true") || text == "是" {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") || text == "否" {
        Some(false)
    } else {
        None
    }
}

/// A value written as text — a CSV cell, a `--set` value, a REPL `:set` —
/// typed by `unit`, with the spellings of this module's documentation.
/// `Ok(None)` for an empty text (not given).
///
/// # Errors
/// Why the text is not a value of `unit`, in words for a diagnostic.
pub fn parse_text_value(policy: &Policy, unit: Unit, text: &str) -> Result<Option<Value>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    convert(policy, unit, &Raw::Str(text.to_string()))
}

/// What to write for a value of `unit`, for a diagnostic's help.
pub fn example_of(unit: Unit) -> &'static str {
    match unit {
        Unit::Money => {
            "money is a number of yuan (12000000) or a string with a magnitude, in digits (\"1.2亿\", \"5,000万元\", \"5000 万\", \"50M\")"
        }
        Unit::Rate => "a rate is \"20%\" or the fraction 0.2",
        Unit::Count => "a count is a whole number, 0 or more (300, \"300人\", \"3家\")",
        Unit::Area => {
            "an area is \"5000平方米\", \"1.5万平方米\", \"1.5 km2\" or a number of square metres"
        }
        Unit::Duration => {
            "a duration is \"3 years\" or \"18 months\": years or whole months (days only in a rule)"
        }
        Unit::Date => "a date is \"2022-01-01\", \"2022年1月1日\" or \"2022/1/1\"",
        Unit::Bool => {
            "a condition is true or false (in any case), or 是 or 否, unquoted or as a string"
        }
        Unit::Text => "a text is a string",
        Unit::Enum(_) => "give the name or label of one of the enum's values",
        Unit::Set(_) => {
            "give a list of the enum's values (names or labels), or write them as text separated by `;`: a;b"
        }
        Unit::Number | Unit::MoneySquared => "give a number",
        Unit::Weight => "a weight is \"5吨\", \"1.5万吨\" or \"500千克\", with its unit",
        Unit::MoneyPer(PerUnit::Area) => {
            "money per area is \"30元/平方米\", \"500元/亩\" or \"50万元/亩\", with its unit"
        }
        Unit::MoneyPer(PerUnit::Count) => {
            "money per count is \"1000元/人\" (or 元/户, 元/家, 元/个)"
        }
        Unit::MoneyPer(PerUnit::Weight) => "money per weight is \"20元/吨\" or \"2元/千克\"",
        Unit::List(_) => {
            "a list of records is a list of tables, one per record, each field by name: [{\"investment\": \"3000万\", \"kind\": \"upgrade\"}]; in CSV, columns LIST.FIELD, one row per record"
        }
    }
}

/// Types a raw value by a unit. `Ok(None)` for null.
///
/// # Errors
/// Why the value is not one of `unit`, in words for a diagnostic.
pub fn convert(policy: &Policy, unit: Unit, raw: &Raw) -> Result<Option<Value>, String> {
    match raw {
        Raw::Null => Ok(None),
        Raw::Table(_) => Err("a table is not a value".into()),
        Raw::InexactFloat(shown) => Err(inexact(shown)),
        Raw::Bool(b) if unit == Unit::Bool => Ok(Some(Value::Bool(*b))),
        Raw::Bool(b) => Err(format!(
            "`{b}` is a condition, not {}",
            crate::value::with_article(&policy.unit_name(unit))
        )),
        Raw::List(items) => match unit {
            Unit::Set(e) => set_of(policy, e, items).map(Some),
            Unit::List(r) => super::records::records(policy, r, items).map(Some),
            _ => Err("a list is not a single value".into()),
        },
        Raw::Number(n) => typed(policy, unit, n.trim(), true).map(Some),
        Raw::Str(s) => typed(policy, unit, s.trim(), false).map(Some),
    }
}

/// Why a binary float is refused.
fn inexact(shown: &str) -> String {
    if shown.parse::<f64>().is_ok_and(f64::is_finite) {
        format!(
            "a number with more than 15 significant digits is read as a binary float and is not exact (it reads back as {shown}); write it in quotes, as a string, exactly as intended"
        )
    } else {
        format!("`{shown}` is not a finite number")
    }
}

/// A list of the values of enum `e`.
fn set_of(policy: &Policy, e: usize, items: &[Raw]) -> Result<Value, String> {
    let mut set = BTreeSet::new();
    for (n, it) in items.iter().enumerate() {
        match it {
            Raw::Str(text) => {
                if let Value::Variant(v) = typed(policy, Unit::Enum(e), text.trim(), false)? {
                    set.insert(v);
                }
            }
            _ => {
                return Err(format!(
                    "item {} of the list is not a value of the enum: the list must name the enum's values",
                    n + 1
                ));
            }
        }
    }
    Ok(Value::Set(set))
}

/// The name of the value of enum `e` that `text` names, by name or label:
/// the lookup alone, which builds no message when there is none.
fn variant_named<'p>(policy: &'p Policy, e: usize, text: &str) -> Option<&'p str> {
    let info = policy.enums.get(e)?;
    info.variants
        .iter()
        .find(|(n, l)| n == text || l.as_deref() == Some(text))
        .map(|(n, _)| n.as_str())
}

/// The value of enum `e` that `text` names, by name or label.
fn variant(policy: &Policy, e: usize, text: &str) -> Result<String, String> {
    let info = policy.enums.get(e).ok_or("unknown enum")?;
    match variant_named(policy, e, text) {
        Some(n) => Ok(n.to_string()),
        None => {
            let names: Vec<&str> = info.variants.iter().map(|(n, _)| n.as_str()).collect();
            let spellings = info
                .variants
                .iter()
                .flat_map(|(n, l)| std::iter::once(n.as_str()).chain(l.as_deref()));
            let hint = crate::check::suggest(text, spellings)
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            Err(format!("`{text}` is not one of {}{hint}", names.join(", ")))
        }
    }
}

/// A set of enum `e` written as text (`a; b`, `[a, b]`, `[]`).
fn set_text(policy: &Policy, e: usize, text: &str) -> Result<Value, String> {
    // One value alone, whatever its label holds. Only looked up: a cell of
    // several values is no value, and the "did you mean" of a miss (a
    // string distance to every spelling) would cost more than the row.
    if let Some(v) = variant_named(policy, e, text) {
        return Ok(Value::Set(BTreeSet::from([v.to_string()])));
    }
    let inner = match text.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
        Some(inner) => inner,
        None => text,
    };
    let mut set = BTreeSet::new();
    for part in inner.split([';', '；', ',', '，']).map(str::trim) {
        if !part.is_empty() {
            set.insert(variant(policy, e, part)?);
        }
    }
    Ok(Value::Set(set))
}

/// A number or a string typed by `unit`.
fn typed(policy: &Policy, unit: Unit, text: &str, is_number: bool) -> Result<Value, String> {
    if unit != Unit::Text {
        if let Some(c) = text.chars().find(|c| c.is_control()) {
            return Err(format!(
                "\"{}\" contains the control character U+{:04X}, which is part of no value",
                text.escape_debug(),
                u32::from(c)
            ));
        }
    }
    match unit {
        Unit::Text if is_number => Err("a number is not a text".into()),
        Unit::Text => Ok(Value::Text(text.into())),
        Unit::Bool if is_number => Err(format!("`{text}` is not true or false")),
        Unit::Bool => parse_bool(text)
            .map(Value::Bool)
            .ok_or_else(|| format!("`{text}` is not true or false")),
        Unit::Enum(e) => variant(policy, e, text).map(Value::Variant),
        Unit::Set(_) if is_number => Err("expected a list".into()),
        Unit::Set(e) => set_text(policy, e, text),
        Unit::List(_) => Err(
            "a list of records cannot be written as one text: give it in a facts file (a list of tables) or as CSV columns LIST.FIELD"
                .into(),
        ),
        _ => quantity(policy, unit, text),
    }
}

/// A quantity, date or duration: plain numbers (most cells of a population
/// file) skip the grammar; anything else is spelled as a literal of the
/// language ([`spelling::spell`]) and read as one.
fn quantity(policy: &Policy, unit: Unit, text: &str) -> Result<Value, String> {
    let (lit, count_word) = match plain_number(text) {
        Some(n) => (LitValue::Quantity(Unit::Number, n?), false),
        None => {
            let spelled = spelling::spell(text)?;
            // The error names what was typed, not its rewritten spelling.
            let lit = literal::parse_literal(&spelled.text).map_err(|why| {
                let why = why.replace(&format!("`{}`", spelled.text), &format!("`{text}`"));
                if why.contains(text) {
                    why
                } else {
                    format!("{why} (as written: `{text}`)")
                }
            })?;
            (lit, spelled.count)
        }
    };
    if count_word && unit != Unit::Count {
        return Err(format!(
            "`{text}` is a count, not {}",
            crate::value::with_article(&policy.unit_name(unit))
        ));
    }
    let value = match (unit, lit) {
        (Unit::Date, LitValue::Date(d)) => Value::Date(d),
        (Unit::Duration, LitValue::Duration(d)) => {
            d.as_kept_value()?;
            Value::Duration(d)
        }
        (
            Unit::Money | Unit::Area | Unit::Rate | Unit::Number,
            LitValue::Quantity(Unit::Number, d),
        ) => Value::Num(unit, d),
        (Unit::Count, LitValue::Quantity(Unit::Number, d)) => {
            if d.fract() != Decimal::ZERO {
                return Err(format!("`{text}` is not a whole number"));
            }
            Value::Num(Unit::Count, d)
        }
        (u, LitValue::Quantity(lu, d)) if u == lu => Value::Num(u, d),
        // An area in 亩 that is no terminating number of square metres
        // (`1亩`), kept exactly.
        (Unit::Area, LitValue::Fraction(Unit::Area, num, den)) => Value::Quotient {
            unit: Unit::Area,
            num,
            den,
        },
        (_, other) => return Err(mismatch(policy, unit, text, &other)),
    };
    match &value {
        Value::Num(Unit::Money | Unit::Area | Unit::Count | Unit::Weight, d)
        | Value::Quotient { num: d, .. }
            if d.is_sign_negative() && !d.is_zero() =>
        {
            Err(format!("`{text}` is negative"))
        }
        _ => Ok(value),
    }
}

/// A plain decimal (`120000000`, `-3`, `0.25`), read under the digits rule;
/// `None` for any other text.
fn plain_number(text: &str) -> Option<Result<Decimal, String>> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (all_digits(whole) && all_digits(fraction)).then(|| literal::number(text))
}

/// A value that reads as written but was probably meant otherwise, for a
/// warning: what was read, and how to write what was likely meant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Doubt {
    /// What the value was read as, one line.
    pub message: String,
    /// How to write it.
    pub help: String,
}

/// Whether a value given for `unit` deserves a [`Doubt`]: a rate given as
/// a bare number above 1 (`20`), which reads as 2000% though 20% was most
/// likely meant. A rate written with `%` is taken as meant.
pub fn doubt(unit: Unit, raw: &Raw) -> Option<Doubt> {
    let (Raw::Number(text) | Raw::Str(text)) = raw else {
        return None;
    };
    doubt_text(unit, text)
}

/// [`doubt`] for a value written as text (a CSV cell).
pub fn doubt_text(unit: Unit, text: &str) -> Option<Doubt> {
    let text = text.trim();
    if unit != Unit::Rate {
        return None;
    }
    let n = plain_number(text)?.ok()?;
    (n > Decimal::ONE).then(|| Doubt {
        message: format!(
            "the rate `{text}` is a bare number above 1: it is read as {}",
            crate::value::format_rate(n)
        ),
        help: format!(
            "a bare number is a fraction of one (0.2 is 20%): write `{text}%` for {text} percent, or `{}` to keep it and silence this warning",
            crate::value::format_rate(n)
        ),
    })
}

/// A literal of another kind than `unit`.
fn mismatch(policy: &Policy, unit: Unit, text: &str, lit: &LitValue) -> String {
    let what = match lit {
        LitValue::Quantity(u, _) | LitValue::Fraction(u, _, _) => u.name(),
        LitValue::Date(_) => "date",
        LitValue::Duration(_) => "duration",
        LitValue::Bool(_) => "bool",
        LitValue::Text(_) => "text",
    };
    format!(
        "`{text}` is {}, not {}",
        crate::value::with_article(what),
        crate::value::with_article(&policy.unit_name(unit))
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::span::SourceFile;

    fn policy() -> Policy {
        crate::load(&SourceFile::new(
            "t.decree",
            "enum honour { national_champion_enterprise \"国家单项冠军示范企业\", city_champion_product \"市级单项冠军产品\" }\n\
             fact honours: set of honour\nfact listed: bool\nfact name: text \"企业名称\"\nfact n: money \"金额\"\n\
             fact staff: count\nfact founded: date\nfact floor: area\nfact share: rate",
        ))
        .unwrap()
    }

    fn set(names: &[&str]) -> Option<Value> {
        Some(Value::Set(names.iter().map(|s| (*s).to_string()).collect()))
    }

    #[test]
    fn conditions_are_true_or_false_in_any_case_or_chinese() {
        for t in ["true", "TRUE", "True", "tRuE", "是", " true "] {
            assert_eq!(parse_bool(t), Some(true), "{t}");
        }
        for f in ["false", "FALSE", "False", "否"] {
            assert_eq!(parse_bool(f), Some(false), "{f}");
        }
        for no in ["yes", "1", "0", "t", "对", ""] {
            assert_eq!(parse_bool(no), None, "{no}");
        }
    }

    #[test]
    fn a_set_is_written_as_values_separated_by_semicolons() {
        let p = policy();
        let unit = p.fact_named("honours").unwrap().1.unit;
        let both = set(&["city_champion_product", "national_champion_enterprise"]);
        for text in [
            "national_champion_enterprise;city_champion_product",
            "国家单项冠军示范企业；市级单项冠军产品",
            "[national_champion_enterprise, 市级单项冠军产品]",
            " city_champion_product ; national_champion_enterprise ;",
        ] {
            assert_eq!(parse_text_value(&p, unit, text), Ok(both.clone()), "{text}");
        }
        assert_eq!(parse_text_value(&p, unit, "[]"), Ok(set(&[])));
        assert_eq!(
            parse_text_value(&p, unit, "国家单项冠军示范企业"),
            Ok(set(&["national_champion_enterprise"]))
        );
        assert_eq!(parse_text_value(&p, unit, ""), Ok(None));
        let err = parse_text_value(&p, unit, "national_champion_enterprise;省级冠军").unwrap_err();
        assert!(err.contains("`省级冠军` is not one of"), "{err}");
    }

    #[test]
    fn a_text_is_never_mistaken_for_a_float() {
        let p = policy();
        let text = Raw::Str("\u{0}inexact:5".into());
        assert_eq!(
            convert(&p, Unit::Text, &text),
            Ok(Some(Value::Text("\u{0}inexact:5".into())))
        );
        let err = convert(&p, Unit::Money, &text).unwrap_err();
        assert!(err.contains("U+0000"), "{err}");
        assert!(!err.contains('\u{0}'), "{err}");
    }

    fn typed(name: &str, text: &str) -> Result<Option<Value>, String> {
        let p = policy();
        let unit = p.fact_named(name).unwrap().1.unit;
        parse_text_value(&p, unit, text)
    }

    fn num(unit: Unit, s: &str) -> Result<Option<Value>, String> {
        Ok(Some(Value::Num(unit, s.parse().unwrap())))
    }

    #[test]
    fn inputs_as_people_type_them() {
        for text in [
            "5,000万",
            "5000 万",
            "50,000,000元",
            "５０００万",
            "５，０００万元",
            "5千万",
            "50000000",
        ] {
            assert_eq!(typed("n", text), num(Unit::Money, "50000000"), "{text}");
        }
        assert_eq!(typed("staff", "10人"), num(Unit::Count, "10"));
        assert_eq!(typed("staff", "3家"), num(Unit::Count, "3"));
        assert_eq!(typed("floor", "1.5万平方米"), num(Unit::Area, "15000"));
        assert_eq!(typed("floor", "2万㎡"), num(Unit::Area, "20000"));
        assert_eq!(typed("share", "２０％"), num(Unit::Rate, "0.2"));
        let day = Ok(Some(Value::Date(jiff::civil::date(2022, 1, 1))));
        for text in [
            "2022年1月1日",
            "2022/1/1",
            "2022-01-01",
            "２０２２年１月１日",
        ] {
            assert_eq!(typed("founded", text), day, "{text}");
        }
    }

    #[test]
    fn what_would_be_a_guess_is_refused() {
        let err = typed("n", "五千万").unwrap_err();
        assert!(err.contains("Chinese numerals"), "{err}");
        let err = typed("n", "5,00万").unwrap_err();
        assert!(err.contains("out of place"), "{err}");
        let err = typed("n", "10人").unwrap_err();
        assert!(err.contains("is a count, not"), "{err}");
        let err = typed("staff", "1.5人").unwrap_err();
        assert!(err.contains("not a whole number"), "{err}");
        let err = typed("founded", "2022年2月30日").unwrap_err();
        assert!(err.contains("not a calendar date"), "{err}");
    }

    #[test]
    fn facts_keep_to_28_digits_as_literals_do() {
        assert_eq!(
            typed("n", "9999999999999999999999999999"),
            num(Unit::Money, "9999999999999999999999999999")
        );
        for text in [
            "12345678901234567890123456789",
            "99999999999999999999999999999",
            "12345678901234567890123456789元",
            "99999999999999999999999999万",
        ] {
            let err = typed("n", text).unwrap_err();
            assert!(
                err.contains("at most 28 significant digits"),
                "{text}: {err}"
            );
        }
    }

    #[test]
    fn a_bare_rate_above_one_is_doubted() {
        let raw = |s: &str| Raw::Number(s.into());
        assert!(doubt(Unit::Rate, &raw("20")).is_some_and(|d| d.help.contains("`20%`")));
        assert!(doubt(Unit::Rate, &Raw::Str("1.5".into())).is_some());
        assert_eq!(doubt(Unit::Rate, &raw("1")), None);
        assert_eq!(doubt(Unit::Rate, &raw("0.2")), None);
        assert_eq!(doubt(Unit::Rate, &Raw::Str("2000%".into())), None);
        assert_eq!(doubt(Unit::Money, &raw("20")), None);
    }
}
