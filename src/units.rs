//! Units: the static types of values, and their algebra.
//!
//! A [`Unit`] is what the checker infers for every expression (money, rate,
//! count, area, duration, date, …); the functions below say which units
//! combine and what they give: money × rate is money, money ÷ money is a
//! rate, a date minus a date is a duration. The checker and the interpreter
//! share these rules, so what checks is what evaluates.

use std::fmt;

use rust_decimal::Decimal;

/// The unit (static type) of a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Unit {
    /// An amount of money, in yuan.
    Money,
    /// A rate or ratio, as a fraction.
    Rate,
    /// A count of things.
    Count,
    /// A bare number (a literal without unit).
    Number,
    /// An area, in square metres.
    Area,
    /// A duration in years, months or days.
    Duration,
    /// A calendar date.
    Date,
    /// True or false.
    Bool,
    /// A text.
    Text,
    /// A value of the enumeration with this index in the policy.
    Enum(usize),
    /// A set of values of the enumeration with this index.
    Set(usize),
    /// A list of records of the record type with this index: a fact's
    /// type only, gone through by `for each`.
    List(usize),
    /// Money times money: only ever the dividend of a division by money
    /// (`amount × budget ÷ total_demand` is money); the checker lets it
    /// stand nowhere else.
    MoneySquared,
    /// A weight, in tonnes (吨; 千克 and 公斤 are thousandths).
    Weight,
    /// Money per unit of something (`30元/平方米`, `1000元/人`, `20元/吨`):
    /// in yuan per square metre, per one, per tonne. Times that unit it is
    /// money.
    MoneyPer(PerUnit),
}

/// What an amount of money is per: the unit a [`Unit::MoneyPer`] is
/// multiplied by to give money.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PerUnit {
    /// Per square metre (`元/平方米`; `元/亩` is read as 3/2000 of it).
    Area,
    /// Per one of a count (`元/人`, `元/户`, `元/家`).
    Count,
    /// Per tonne (`元/吨`; `元/千克` is a thousand of it).
    Weight,
}

impl PerUnit {
    /// The unit that, multiplied by money per it, gives money.
    pub fn unit(self) -> Unit {
        match self {
            PerUnit::Area => Unit::Area,
            PerUnit::Count => Unit::Count,
            PerUnit::Weight => Unit::Weight,
        }
    }

    /// The word after `元/` a value per this unit is shown with.
    pub fn word(self) -> &'static str {
        match self {
            PerUnit::Area => "平方米",
            PerUnit::Count => "个",
            PerUnit::Weight => "吨",
        }
    }
}

impl Unit {
    /// Whether values of this unit are plain decimals that arithmetic applies to.
    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            Unit::Money
                | Unit::Rate
                | Unit::Count
                | Unit::Number
                | Unit::Area
                | Unit::MoneySquared
                | Unit::Weight
                | Unit::MoneyPer(_)
        )
    }

    /// Whether this is a unit without dimension (rate, count, bare number).
    pub fn is_dimensionless(self) -> bool {
        matches!(self, Unit::Rate | Unit::Count | Unit::Number)
    }

    /// The name used in messages (enumerations need the policy for their name).
    pub fn name(self) -> &'static str {
        match self {
            Unit::Money => "money",
            Unit::Rate => "rate",
            Unit::Count => "count",
            Unit::Number => "number",
            Unit::Area => "area",
            Unit::Duration => "duration",
            Unit::Date => "date",
            Unit::Bool => "bool",
            Unit::Text => "text",
            Unit::Enum(_) => "enumeration value",
            Unit::Set(_) => "set",
            Unit::List(_) => "list",
            Unit::MoneySquared => "money × money",
            Unit::Weight => "weight",
            Unit::MoneyPer(PerUnit::Area) => "money per area",
            Unit::MoneyPer(PerUnit::Count) => "money per count",
            Unit::MoneyPer(PerUnit::Weight) => "money per weight",
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A unit or kind name with its indefinite article, as messages need it:
/// `money`, `a rate`, `an award`.
pub fn with_article(word: &str) -> String {
    if word == "money" || word == "text" || word.starts_with("money ") {
        return word.to_string();
    }
    let vowel = word.chars().next().is_some_and(|c| "aeiou".contains(c));
    format!("{} {word}", if vowel { "an" } else { "a" })
}

/// The calendar unit of a duration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DurationUnit {
    /// Years.
    Years,
    /// Months.
    Months,
    /// Days.
    Days,
}

/// A duration as written: an amount of years, months or days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Duration {
    /// How many.
    pub amount: Decimal,
    /// Of what.
    pub unit: DurationUnit,
}

impl Duration {
    /// The duration in months, for years and months.
    pub fn months(&self) -> Option<Decimal> {
        match self.unit {
            DurationUnit::Years => self.amount.checked_mul(Decimal::from(12)),
            DurationUnit::Months => Some(self.amount),
            DurationUnit::Days => None,
        }
    }

    /// A key that orders durations of the same family (months or days).
    pub fn comparable(&self, other: &Duration) -> Option<(Decimal, Decimal)> {
        match (self.unit, other.unit) {
            (DurationUnit::Days, DurationUnit::Days) => Some((self.amount, other.amount)),
            (DurationUnit::Days, _) | (_, DurationUnit::Days) => None,
            _ => Some((self.months()?, other.months()?)),
        }
    }

    /// Whether this duration may be a fact's or a param's value: years or
    /// months, a whole number of months. Kept so, every comparison of such a
    /// value is decided for any input: with years and months by months, with
    /// the time between two dates by the calendar. `Err` says why not.
    pub fn as_kept_value(&self) -> Result<(), String> {
        let months = self.months().ok_or_else(|| {
            format!(
                "{self} is in days, but a duration fact or param is kept in years or months \
                 (so that it compares with years and months); write it in months, or \
                 declare a count of days"
            )
        })?;
        if months.fract().is_zero() {
            Ok(())
        } else {
            Err(format!(
                "{self} is not a whole number of months, so it is no span on the calendar"
            ))
        }
    }

    /// As a jiff span, when the amount is whole.
    pub fn to_span(&self) -> Option<jiff::Span> {
        let n: i64 = self.amount.normalize().try_into().ok()?;
        if Decimal::from(n) != self.amount {
            return None;
        }
        match self.unit {
            DurationUnit::Years => jiff::Span::new().try_years(n).ok(),
            DurationUnit::Months => jiff::Span::new().try_months(n).ok(),
            DurationUnit::Days => jiff::Span::new().try_days(n).ok(),
        }
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = match self.unit {
            DurationUnit::Years => "年",
            DurationUnit::Months => "个月",
            DurationUnit::Days => "天",
        };
        write!(f, "{}{unit}", self.amount.normalize())
    }
}

/// The common unit of two values that may stand in the same place: equal
/// units, or a bare number beside a rate or a count.
pub fn join(a: Unit, b: Unit) -> Option<Unit> {
    match (a, b) {
        _ if a == b => Some(a),
        (Unit::Number, u @ (Unit::Rate | Unit::Count))
        | (u @ (Unit::Rate | Unit::Count), Unit::Number) => Some(u),
        _ => None,
    }
}

/// What a comparison asks of its operands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// `==`, `!=`: any two values of one unit.
    Equality,
    /// `<`, `<=`, `>`, `>=`: values that have an order.
    Order,
}

/// Whether two values of these units can be compared so.
pub fn comparable(kind: Comparison, a: Unit, b: Unit) -> bool {
    let Some(u) = join(a, b) else { return false };
    match u {
        Unit::Bool | Unit::Text | Unit::Enum(_) | Unit::Set(_) => kind == Comparison::Equality,
        _ => true,
    }
}

/// The unit of `a + b`.
pub fn sum(a: Unit, b: Unit) -> Option<Unit> {
    match (a, b) {
        (Unit::Date, Unit::Duration) | (Unit::Duration, Unit::Date) => Some(Unit::Date),
        (Unit::Duration, Unit::Duration) => Some(Unit::Duration),
        _ => join(a, b).filter(|u| u.is_numeric()),
    }
}

/// The unit of `a - b`.
pub fn difference(a: Unit, b: Unit) -> Option<Unit> {
    match (a, b) {
        (Unit::Date, Unit::Duration) => Some(Unit::Date),
        (Unit::Duration, Unit::Duration) | (Unit::Date, Unit::Date) => Some(Unit::Duration),
        _ => join(a, b).filter(|u| u.is_numeric()),
    }
}

/// The unit of `a × b`.
pub fn product(a: Unit, b: Unit) -> Option<Unit> {
    use Unit::*;
    let scaled = |x: Unit, y: Unit| -> Option<Unit> {
        match (x, y) {
            // Money per unit times that unit is money (`30元/平方米 × 面积`).
            (MoneyPer(per), y) if y == per.unit() => Some(Money),
            (Money | Area | MoneySquared | Weight | MoneyPer(_), Rate | Count | Number) => Some(x),
            (Money, Money) => Some(MoneySquared),
            (Duration, Count | Number) => Some(Duration),
            (Rate, Rate | Number) => Some(Rate),
            (Rate, Count) | (Count, Count | Number) => Some(Count),
            (Number, Number) => Some(Number),
            _ => None,
        }
    };
    scaled(a, b).or_else(|| scaled(b, a))
}

/// The unit of `a ÷ b`.
pub fn quotient(a: Unit, b: Unit) -> Option<Unit> {
    use Unit::*;
    match (a, b) {
        (Money, Money) | (Area, Area) | (Count, Count) | (Rate, Rate) => Some(Rate),
        (MoneySquared, Money) => Some(Money),
        (Weight, Weight) => Some(Rate),
        (MoneyPer(p), MoneyPer(q)) if p == q => Some(Rate),
        // An amount over an area or a weight is a price per unit.
        (Money, Area) => Some(MoneyPer(PerUnit::Area)),
        (Money, Weight) => Some(MoneyPer(PerUnit::Weight)),
        (Weight | MoneyPer(_), Rate | Count | Number) => Some(a),
        (MoneySquared, Rate | Count | Number) => Some(MoneySquared),
        (Money | Area | Duration, Rate | Count | Number) => Some(a),
        (Count, Number | Rate) => Some(Count),
        (Rate, Number | Count) => Some(Rate),
        (Number, Number | Count | Rate) => Some(Number),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_price_times_its_own_unit_is_money_and_times_another_none() {
        let all = [PerUnit::Area, PerUnit::Count, PerUnit::Weight];
        for per in all {
            let price = Unit::MoneyPer(per);
            assert_eq!(product(price, per.unit()), Some(Unit::Money), "{per:?}");
            assert_eq!(product(per.unit(), price), Some(Unit::Money), "{per:?}");
            assert_eq!(product(price, Unit::Number), Some(price));
            assert_eq!(quotient(price, price), Some(Unit::Rate));
            for other in all.iter().filter(|o| **o != per) {
                // A count scales any price; an area or a weight only its own.
                if other.unit() != Unit::Count {
                    assert_eq!(product(price, other.unit()), None, "{per:?} × {other:?}");
                }
            }
            assert_eq!(product(price, Unit::Money), None);
            assert_eq!(sum(price, Unit::Money), None);
        }
        assert_eq!(
            quotient(Unit::Money, Unit::Area),
            Some(Unit::MoneyPer(PerUnit::Area))
        );
        assert_eq!(
            quotient(Unit::Money, Unit::Weight),
            Some(Unit::MoneyPer(PerUnit::Weight))
        );
        assert_eq!(sum(Unit::Area, Unit::Weight), None);
    }
}
