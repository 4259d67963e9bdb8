//! Quantities and dates as people type them into inputs (facts files, CSV
//! cells, `--set`, the REPL), rewritten into the language's own literal
//! before [`crate::syntax::literal`] reads it — so an input means exactly
//! what the same literal means in a policy.
//!
//! What is rewritten, and nothing else:
//!
//! * full-width digits and punctuation (`５０００万`, `２０％`, `．`, `，`);
//! * thousands separators, `,` or `，`, only where they stand every three
//!   digits from the point (`5,000万`, `5,000,000元`); a misplaced one
//!   (`5,00万`) is an error, never guessed at;
//! * blanks between the number and its unit (`5000 万`);
//! * a magnitude before an area unit (`1.5万平方米`, `2万㎡`), scaled exactly;
//! * a count's measure word (`10人`, `3家`, `个`, `项`, `户`, `名`), which
//!   makes the value a count;
//! * dates as `2022年1月1日`, `2022/1/1` or `2022-1-1`, to ISO.
//!
//! Chinese numerals (`五千万`) are refused with the forms that are read:
//! turning them into digits would be a guess at what a drafter meant by
//! `一千五` or `两万`. A magnitude made of 千/百/十 before 万 or 亿
//! (`5千万`) is the language's own (see `literal::quantity`).

use rust_decimal::Decimal;

use crate::syntax::literal;

/// An input's text in the language's literal spelling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spelled {
    /// The literal to read (`5000万`, `2022-01-01`, `15000平方米`).
    pub text: String,
    /// Whether a count's measure word was written (`10人`): the value is a
    /// count, whatever else it could be.
    pub count: bool,
}

/// Measure words that make a number a count (one list with the prices per
/// count of `syntax::per_unit`).
use crate::syntax::per_unit::COUNT_WORDS;

/// Magnitudes that may stand before an area unit, as powers of ten.
const AREA_MAGNITUDES: [(&str, u32); 3] = [("万", 4), ("亿", 8), ("千", 3)];

/// Area units, as the language writes them.
const AREA_UNITS: [&str; 5] = ["平方米", "平方公里", "㎡", "m2", "km2"];

/// Characters that start a number in Chinese numerals.
const CHINESE_NUMERALS: &str = "〇零一二三四五六七八九十百千两壹贰叁肆伍陆柒捌玖拾佰仟";

/// Rewrites `text` (already trimmed) into the language's literal spelling.
///
/// # Errors
/// Chinese numerals, a misplaced thousands separator, or a magnitude and
/// area too large for exact decimals, in words for a diagnostic.
pub fn spell(text: &str) -> Result<Spelled, String> {
    let narrow = narrow(text);
    let (sign, body) = match narrow.strip_prefix('-') {
        Some(rest) => ("-", rest.trim_start()),
        None => ("", narrow.as_str()),
    };
    if body
        .chars()
        .next()
        .is_some_and(|c| CHINESE_NUMERALS.contains(c))
    {
        return Err(format!(
            "`{text}` is written in Chinese numerals, which decree does not read: write it in digits"
        ));
    }
    if let Some(date) = date(body) {
        return Ok(Spelled {
            text: format!("{sign}{date}"),
            count: false,
        });
    }
    let split = body
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, ',' | '.' | '_')))
        .unwrap_or(body.len());
    let (number, suffix) = body.split_at(split);
    let number = ungroup(number, text)?;
    let suffix = suffix.trim_start();
    if COUNT_WORDS.contains(&suffix) {
        return Ok(Spelled {
            text: format!("{sign}{number}"),
            count: true,
        });
    }
    if let Some(area) = scaled_area(&number, suffix, text)? {
        return Ok(Spelled {
            text: format!("{sign}{area}"),
            count: false,
        });
    }
    // A blank before a word unit is the language's own (`3 years`); before
    // a magnitude it is not, and means nothing.
    let blank = suffix.len() < body.len() - split;
    let word = suffix.starts_with(|c: char| c.is_ascii_alphabetic())
        && !["K", "M", "B"].iter().any(|m| suffix.starts_with(m));
    let glue = if blank && word { " " } else { "" };
    Ok(Spelled {
        text: format!("{sign}{number}{glue}{suffix}"),
        count: false,
    })
}

/// Full-width digits and punctuation as their ASCII forms; `−` as `-`.
fn narrow(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '０'..='９' => {
                char::from_u32(u32::from(c) - u32::from('０') + u32::from('0')).unwrap_or(c)
            }
            '．' => '.',
            '，' => ',',
            '％' => '%',
            '－' | '−' => '-',
            '／' => '/',
            '：' => ':',
            '　' => ' ',
            other => other,
        })
        .collect()
}

/// A number without its thousands separators, which must stand every three
/// digits of the whole part (`5,000`, `12,345.6`), or why not.
fn ungroup(number: &str, original: &str) -> Result<String, String> {
    if !number.contains(',') {
        return Ok(number.to_string());
    }
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    let mut groups = whole.split(',');
    let first_ok = groups
        .next()
        .is_some_and(|g| (1..=3).contains(&g.len()) && g.bytes().all(|b| b.is_ascii_digit()));
    let rest_ok = groups.all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()));
    if !(first_ok && rest_ok) || fraction.contains(',') {
        return Err(format!(
            "`{original}` has a thousands separator out of place: separators stand every three digits of the whole part (5,000万, 5,000,000元), and the decimal point is `.`"
        ));
    }
    Ok(number.replace(',', ""))
}

/// `1.5万平方米` as `15000平方米`, exactly; `None` when the suffix is not a
/// magnitude before an area unit.
fn scaled_area(number: &str, suffix: &str, original: &str) -> Result<Option<String>, String> {
    for (word, exp) in AREA_MAGNITUDES {
        let Some(unit) = suffix.strip_prefix(word).map(str::trim_start) else {
            continue;
        };
        if !AREA_UNITS.contains(&unit) {
            continue;
        }
        let n = literal::number(number)?;
        let factor = Decimal::from_i128_with_scale(10i128.pow(exp), 0);
        let scaled = n
            .checked_mul(factor)
            .ok_or_else(|| literal::too_many_digits(original))?;
        let scaled = literal::within_digits(scaled, original)?.normalize();
        return Ok(Some(format!("{scaled}{unit}")));
    }
    Ok(None)
}

/// A date written `2022年1月1日`, `2022/1/1` or `2022-1-1`, in ISO; `None`
/// for any other text (which the literal reader then judges).
fn date(text: &str) -> Option<String> {
    let parts: Vec<&str> = if let Some(rest) = text.strip_suffix('日') {
        let (year, rest) = rest.split_once('年')?;
        let (month, day) = rest.split_once('月')?;
        vec![year, month, day]
    } else {
        let parts: Vec<&str> = text.split(['/', '-']).collect();
        if parts.len() != 3 {
            return None;
        }
        parts
    };
    let [year, month, day] = parts.as_slice() else {
        return None;
    };
    let digits = |s: &str, n: std::ops::RangeInclusive<usize>| {
        n.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    (digits(year, 4..=4) && digits(month, 1..=2) && digits(day, 1..=2))
        .then(|| format!("{year}-{month:0>2}-{day:0>2}"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn text(s: &str) -> String {
        spell(s).unwrap().text
    }

    #[test]
    fn money_as_people_type_it() {
        assert_eq!(text("5,000万"), "5000万");
        assert_eq!(text("5000 万"), "5000万");
        assert_eq!(text("5,000,000元"), "5000000元");
        assert_eq!(text("５０００万"), "5000万");
        assert_eq!(text("５，０００．５万元"), "5000.5万元");
        assert_eq!(text("5千万"), "5千万");
        assert_eq!(text("-5,000万"), "-5000万");
        assert_eq!(text("12,345.67"), "12345.67");
    }

    #[test]
    fn a_misplaced_separator_is_refused() {
        for bad in [
            "5,00万",
            "50,00",
            ",500",
            "5,000,00元",
            "1,2",
            "1.234,5",
            "5,,000",
        ] {
            let err = spell(bad).unwrap_err();
            assert!(err.contains("out of place"), "{bad}: {err}");
        }
    }

    #[test]
    fn chinese_numerals_are_refused_with_the_forms_read() {
        for bad in ["五千万", "十万", "两亿", "一千五百人", "-三万"] {
            let err = spell(bad).unwrap_err();
            assert!(
                err.contains("Chinese numerals") && err.contains("in digits"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn counts_dates_areas_rates() {
        assert_eq!(
            spell("10人").unwrap(),
            Spelled {
                text: "10".into(),
                count: true
            }
        );
        assert!(spell("3 家").unwrap().count);
        assert!(!spell("3个月").unwrap().count);
        assert_eq!(text("2022年1月1日"), "2022-01-01");
        assert_eq!(text("2022/1/1"), "2022-01-01");
        assert_eq!(text("２０２２/12/31"), "2022-12-31");
        assert_eq!(text("2022-1-1"), "2022-01-01");
        assert_eq!(text("2022-01-01"), "2022-01-01");
        assert_eq!(text("1.5万平方米"), "15000平方米");
        assert_eq!(text("2万㎡"), "20000㎡");
        assert_eq!(text("5000平方米"), "5000平方米");
        assert_eq!(text("２０％"), "20%");
        assert_eq!(text("3 years"), "3 years");
        assert_eq!(text("1.5 km2"), "1.5 km2");
    }
}
