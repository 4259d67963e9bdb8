//! Products a policy keeps that may not terminate because an area is in
//! 亩: 1亩 is 2000/3 平方米, so `1元/平方米 * land_area` for a land area of
//! 1亩 is 2000/3 元, which no decimal holds. Such a product is exact in a
//! comparison, but kept unrounded it is a `decree::precision` error at run
//! time; the checker warns of it (with the kept divisions of
//! `check::quotients`) so the drafter says how it rounds.
//!
//! Not warned of: a product whose price per area is a constant that is a
//! multiple of 3 in its last digits (`30元/平方米`, and every price per 亩:
//! `500元/亩` is 0.75元/平方米), whose product with any area in 亩
//! terminates; a product of literal areas in 平方米.

use super::Checker;
use crate::ast::*;
use crate::units::{PerUnit, Unit};

impl Checker<'_> {
    /// Whether the product `e` (a `×`, or a chain of them) multiplies an
    /// area that may be a fraction (given in 亩) by a price per area whose
    /// product with it may not terminate.
    pub(super) fn mu_product_may_not_terminate(&self, e: &Expr) -> bool {
        let mut factors = Vec::new();
        product_factors(e, &mut factors);
        let may_be_mu = factors.iter().any(|f| self.area_may_be_mu(f));
        let priced = factors
            .iter()
            .any(|f| self.unit_of_name_or_literal(f) == Some(Unit::MoneyPer(PerUnit::Area)));
        let safe_price = factors.iter().any(|f| self.price_per_area_in_thirds(f));
        may_be_mu && priced && !safe_price
    }

    /// The unit of a literal or a name (a fact, param, item or record
    /// field), without inferring anything else.
    fn unit_of_name_or_literal(&self, e: &Expr) -> Option<Unit> {
        match &e.node {
            ExprKind::Lit(Literal {
                value: LitValue::Quantity(u, _) | LitValue::Fraction(u, _, _),
                ..
            }) => Some(*u),
            ExprKind::Name(Name {
                symbol: Some(s), ..
            }) => match *s {
                Symbol::Fact(i) => self.policy.fact(i).map(|f| f.unit),
                Symbol::Param(i) => self.policy.param(i).map(|p| p.unit),
                Symbol::Item(i) => self.policy.item(i).map(|it| it.unit),
                Symbol::Field(r, f) => self
                    .policy
                    .records
                    .get(r)
                    .and_then(|rec| rec.fields.get(f))
                    .map(|fi| fi.unit),
                _ => None,
            },
            _ => None,
        }
    }

    /// Whether `e` is an area that may be given in 亩: an area fact, param,
    /// item or field (its value comes from the input), or a literal in 亩
    /// that does not terminate in 平方米.
    fn area_may_be_mu(&self, e: &Expr) -> bool {
        match &e.node {
            ExprKind::Lit(Literal {
                value: LitValue::Fraction(Unit::Area, ..),
                ..
            }) => true,
            ExprKind::Name(_) => self.unit_of_name_or_literal(e) == Some(Unit::Area),
            // `min(land_area, 20亩)` is one of its arguments.
            ExprKind::Call(_, args) => args.iter().any(|a| self.area_may_be_mu(a)),
            ExprKind::If(_, t, f) => self.area_may_be_mu(t) || self.area_may_be_mu(f),
            _ => false,
        }
    }

    /// Whether `e` is a constant price per area whose product with any area
    /// in 亩 terminates: `r × 2000/3` terminates when 3 divides `r`'s
    /// digits. A param defined as such a literal counts.
    fn price_per_area_in_thirds(&self, e: &Expr) -> bool {
        self.constant(e).is_some_and(|(unit, r)| {
            unit == Unit::MoneyPer(PerUnit::Area) && r.normalize().mantissa() % 3 == 0
        })
    }
}

/// The factors of a product, through nested `×`.
pub(super) fn product_factors<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
    match &e.node {
        ExprKind::Binary(BinaryOp::Mul, l, r) => {
            product_factors(l, out);
            product_factors(r, out);
        }
        ExprKind::Chain(BinaryOp::Mul, terms) => {
            for t in terms {
                product_factors(t, out);
            }
        }
        _ => out.push(e),
    }
}
