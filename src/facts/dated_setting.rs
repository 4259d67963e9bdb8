//! A dated value in a `--set` or the REPL's `:set` (issue 16):
//! `cap=5000万 from 2021-01-01, 3000万 from 2023-07-01` (zh `自` / `至`),
//! each part's value in the spellings of a facts file's values, each date
//! in a date fact's. Overlapping parts are refused as the checker refuses
//! them in a policy.

use super::convert::parse_text_value;
use crate::check::Policy;
use crate::dated::{DatedSetting, windows_of};
use crate::value::{Unit, Value};

/// Whether a setting's value is written as a dated value (has a `from`
/// or `自` word).
pub(super) fn is_dated(value: &str) -> bool {
    spaced(value)
        .split_whitespace()
        .any(|w| w == "from" || w == "自")
}

/// `value` with its Chinese words set apart as a drafter types them
/// without blanks: `自` and `至` before a date (`自2023-07-01`) become
/// words, and a full-width comma or semicolon ends a part as `,` does
/// (`2023-01-01，3000万`). A `自` or `至` not before a digit (in a text)
/// is left as it is.
fn spaced(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 8);
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '自' | '至' => {
                let rest: String = chars.clone().collect();
                if rest.trim_start().starts_with(|d: char| d.is_ascii_digit()) {
                    out.push(' ');
                    out.push(c);
                    out.push(' ');
                } else {
                    out.push(c);
                }
            }
            '，' | '；' => out.push_str(", "),
            _ => out.push(c),
        }
    }
    out
}

/// The parts of a dated setting's value for a param of `unit`; the error
/// says what is wrong in words.
pub(super) fn parse_dated(
    policy: &Policy,
    unit: Unit,
    value: &str,
) -> Result<DatedSetting, String> {
    let mut values = Vec::new();
    let mut days = Vec::new();
    let value = spaced(value);
    let mut words = value.split_whitespace().peekable();
    while words.peek().is_some() {
        let mut written = Vec::new();
        for w in words.by_ref() {
            if w == "from" || w == "自" {
                break;
            }
            written.push(w.trim_start_matches([',', '，', ';', '；']));
        }
        let written = written.join(" ");
        let v = match parse_text_value(policy, unit, written.trim()) {
            Ok(Some(v)) => v,
            Ok(None) => return Err("a part has no value before `from`".into()),
            Err(why) => return Err(format!("`{written}`: {why}")),
        };
        let from = date(policy, words.next())?;
        let until = match words.peek() {
            Some(&w) if w == "until" || w == "至" => {
                words.next();
                Some(date(policy, words.next())?)
            }
            _ => None,
        };
        values.push(v);
        days.push((from, until));
    }
    if values.is_empty() {
        return Err("no value".into());
    }
    let ws = windows_of(&days);
    for pair in ws.windows(2) {
        if let [(i, w), (_, next)] = pair {
            let ends_after = w.to.is_none_or(|to| to >= next.from);
            let same_day = days.get(*i).is_some_and(|d| d.0 == next.from);
            if ends_after || same_day {
                return Err(format!("two parts are both in force on {}", next.from));
            }
        }
    }
    Ok(DatedSetting { values, days })
}

/// A part's date, without the comma that ends the part.
fn date(policy: &Policy, word: Option<&str>) -> Result<jiff::civil::Date, String> {
    let Some(w) = word.map(|w| w.trim_end_matches([',', '，', ';', '；'])) else {
        return Err("a date must follow `from` and `until`".into());
    };
    match parse_text_value(policy, Unit::Date, w) {
        Ok(Some(Value::Date(d))) => Ok(d),
        _ => Err(format!("`{w}` is not a date")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> Policy {
        let source = crate::span::SourceFile::new(
            "p.decree",
            "param cap: money = 1万\nparam note: text = \"x\"\n",
        );
        crate::load(&source).expect("checks")
    }

    #[test]
    fn the_chinese_form_typed_without_blanks_reads_as_the_english_one() {
        let p = policy();
        let english = parse_dated(
            &p,
            Unit::Money,
            "5000万 from 2023-01-01 until 2023-06-30, 3000万 from 2023-07-01",
        );
        for typed in [
            "5000万 自 2023-01-01 至 2023-06-30, 3000万 自 2023-07-01",
            "5000万 自2023-01-01 至2023-06-30，3000万 自2023-07-01",
            "5000万元 自 2023年1月1日 至 2023年6月30日；3000万元 自 2023年7月1日",
        ] {
            assert!(is_dated(typed), "{typed}");
            assert_eq!(parse_dated(&p, Unit::Money, typed), english, "{typed}");
        }
        assert!(english.is_ok());
    }

    #[test]
    fn a_text_with_the_characters_is_no_dated_value() {
        assert!(!is_dated("自主创新"));
        assert!(!is_dated("至少三年"));
        assert_eq!(spaced("自主创新，至少"), "自主创新, 至少");
    }
}
