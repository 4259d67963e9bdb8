//! The evaluation date and calendar arithmetic on it: `today`, the time
//! elapsed between two dates (`to - from`) compared by the calendar, and
//! `years_between` (full years, for ages).
//!
//! One rule decides every comparison of an elapsed time with years or
//! months: `to - from OP N units` holds exactly when `to OP from + N units`,
//! where `from + N units` is jiff's calendar addition, which clamps to the
//! end of a shorter month (`2020-02-29 + 1 year` is `2021-02-28`,
//! `2024-01-31 + 1 month` is `2024-02-29`). With days, the elapsed days are
//! counted. `years_between` is the largest `n` with `from + n years <= to`,
//! so `years_between(f, t) >= n` holds exactly when `t - f >= n years`.

use std::cmp::Ordering;
use std::collections::BTreeSet;

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::{Cause, Evaluator, Out};
use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;
use crate::value::{Duration, DurationUnit, Value};

impl Evaluator<'_> {
    /// `today`: the evaluation date, or undetermined without one.
    pub(super) fn today(&self) -> Out {
        match self.options.at {
            Some(d) => Out::val(Value::Date(d)),
            None => Out::Unknown(BTreeSet::from([Cause::EvaluationDate])),
        }
    }

    /// How the time from `from` to `to` compares with a duration, by the
    /// calendar (see the module's rule).
    pub(super) fn elapsed_order(
        &self,
        (from, to): (Date, Date),
        d: &Duration,
        span: Span,
    ) -> Result<Ordering, Diagnostic> {
        calendar_order(from, to, d).map_err(|why| {
            self.err(
                Code::Invalid,
                span,
                format!("cannot compare the time from {from} to {to} with {d}: {why}"),
                "here",
            )
            .help("compare an elapsed time with whole years, months or days: 5 years, 18 months")
        })
    }

    /// `years_between(from, to)` of two values, which the checker made dates.
    pub(super) fn years_between_values(
        &self,
        from: &Value,
        to: &Value,
        span: Span,
    ) -> Result<Value, Diagnostic> {
        let (Value::Date(f), Value::Date(t)) = (from, to) else {
            return Err(self.err(
                Code::UnitMismatch,
                span,
                "`years_between` needs two dates",
                "here",
            ));
        };
        let n = years_between(*f, *t).ok_or_else(|| {
            self.err(
                Code::Overflow,
                span,
                "the date falls outside the calendar",
                "here",
            )
        })?;
        Ok(Value::Num(crate::units::Unit::Count, Decimal::from(n)))
    }
}

/// How `to - from` compares with `d`: by days counted for days, else by
/// `to` against `from + d` on the calendar. `Err` says why it cannot be
/// decided (a fraction of a month, a date off the calendar).
pub(crate) fn calendar_order(from: Date, to: Date, d: &Duration) -> Result<Ordering, &'static str> {
    if d.unit == DurationUnit::Days {
        return Ok(Decimal::from((to - from).get_days()).cmp(&d.amount));
    }
    let span = match d.to_span() {
        Some(s) => s,
        None => {
            // 1.5 years is 18 months; 1.5 months is no calendar span.
            let months = d.months().ok_or("too many months")?;
            Duration {
                amount: months,
                unit: DurationUnit::Months,
            }
            .to_span()
            .ok_or("not a whole number of months")?
        }
    };
    let target = from
        .checked_add(span)
        .map_err(|_| "the date falls outside the calendar")?;
    Ok(to.cmp(&target))
}

/// The full years from `from` to `to`: the largest `n` with
/// `from + n years <= to` (negative when `to` is before `from`). `None`
/// only at the ends of the calendar.
pub(crate) fn years_between(from: Date, to: Date) -> Option<i64> {
    let plus = |n: i64| -> Option<Date> {
        let span = jiff::Span::new().try_years(n).ok()?;
        from.checked_add(span).ok()
    };
    let mut n = i64::from(to.year()) - i64::from(from.year());
    // The year difference is right or one too many (or, before `from`,
    // one too few); two steps settle it either way.
    for _ in 0..2 {
        if plus(n)? > to {
            n -= 1;
        }
    }
    for _ in 0..2 {
        if plus(n + 1)? <= to {
            n += 1;
        }
    }
    Some(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn years(n: i64) -> Duration {
        Duration {
            amount: Decimal::from(n),
            unit: DurationUnit::Years,
        }
    }

    #[test]
    fn a_leap_day_plus_a_year_is_the_last_of_february() {
        let from = date("2020-02-29");
        assert_eq!(
            calendar_order(from, date("2021-02-28"), &years(1)),
            Ok(Ordering::Equal)
        );
        assert_eq!(
            calendar_order(from, date("2021-02-27"), &years(1)),
            Ok(Ordering::Less)
        );
        assert_eq!(years_between(from, date("2021-02-28")), Some(1));
        assert_eq!(years_between(from, date("2021-02-27")), Some(0));
    }

    #[test]
    fn a_month_from_the_31st_clamps_to_the_month_end() {
        let month = Duration {
            amount: Decimal::ONE,
            unit: DurationUnit::Months,
        };
        let from = date("2024-01-31");
        assert_eq!(
            calendar_order(from, date("2024-02-29"), &month),
            Ok(Ordering::Equal)
        );
        assert_eq!(
            calendar_order(from, date("2024-02-28"), &month),
            Ok(Ordering::Less)
        );
    }

    #[test]
    fn half_years_are_months_but_half_months_are_not_calendar_spans() {
        let from = date("2020-01-15");
        let one_and_a_half = Duration {
            amount: Decimal::new(15, 1),
            unit: DurationUnit::Years,
        };
        assert_eq!(
            calendar_order(from, date("2021-07-15"), &one_and_a_half),
            Ok(Ordering::Equal)
        );
        let half_month = Duration {
            amount: Decimal::new(5, 1),
            unit: DurationUnit::Months,
        };
        assert!(calendar_order(from, date("2021-07-15"), &half_month).is_err());
    }

    #[test]
    fn days_are_counted() {
        let days = Duration {
            amount: Decimal::from(366),
            unit: DurationUnit::Days,
        };
        assert_eq!(
            calendar_order(date("2020-01-01"), date("2021-01-01"), &days),
            Ok(Ordering::Equal)
        );
    }

    #[test]
    fn ages_before_the_start_are_negative() {
        assert_eq!(
            years_between(date("2024-06-01"), date("2020-06-01")),
            Some(-4)
        );
        assert_eq!(
            years_between(date("2024-06-01"), date("2020-06-02")),
            Some(-4)
        );
        assert_eq!(
            years_between(date("2024-06-01"), date("2020-05-31")),
            Some(-5)
        );
    }

    fn any_date() -> impl Strategy<Value = Date> {
        (1900i16..2100, 1i8..=12, 1i8..=31).prop_map(|(y, m, d)| {
            let last = Date::new(y, m, 1).map(|x| x.days_in_month()).unwrap_or(28);
            Date::new(y, m, d.min(last)).unwrap()
        })
    }

    proptest! {
        /// `years_between(f, t) >= n` exactly when `t - f >= n years`, and
        /// it never falls as `t` moves later.
        #[test]
        fn years_between_agrees_with_the_calendar_comparison(
            f in any_date(), t in any_date(), n in -5i64..150, later in 0i32..800,
        ) {
            let y = years_between(f, t).unwrap();
            let by_comparison = calendar_order(f, t, &years(n)).unwrap() != Ordering::Less;
            prop_assert_eq!(y >= n, by_comparison);
            let t2 = t.checked_add(jiff::Span::new().days(later)).unwrap();
            prop_assert!(years_between(f, t2).unwrap() >= y);
        }
    }
}
