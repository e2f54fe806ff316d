//! Tax: each line's amounts with and without tax, from the cart's tax rates.
//!
//! Discounts are computed on the prices as the cart gives them (with tax when
//! `pricesIncludeTax`, what the shopper sees); this step only breaks the outcome down.
//! The side the prices are given on is exact. On the other side the subtotal and the
//! total (the price the shopper pays, on which the tax is due) are each converted and
//! rounded to the minor unit, and the discount is their difference, so
//! `subtotal - discount = total` on both sides, `tax` is the tax on the discounted
//! price, and no rounding is ever lost.

use crate::model::{LineTax, TaxAmounts};
use crate::money::{Currency, Money, Percent};

/// One line's (or the cart's) amounts on both sides, in minor units.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Breakdown {
    /// Before the discount, without and with tax.
    pub subtotal: [Money; 2],
    /// After the discount, without and with tax.
    pub total: [Money; 2],
}

impl Breakdown {
    /// A line of `subtotal` with `discount` taken off, both as the cart gives prices
    /// (with tax when `inclusive`), taxed at `rate`.
    pub fn line(subtotal: Money, discount: Money, rate: &Percent, inclusive: bool) -> Self {
        let total = subtotal - discount;
        if inclusive {
            Breakdown {
                subtotal: [subtotal.without_tax(rate), subtotal],
                total: [total.without_tax(rate), total],
            }
        } else {
            Breakdown {
                subtotal: [subtotal, subtotal.with_tax(rate)],
                total: [total, total.with_tax(rate)],
            }
        }
    }

    /// The discount, without and with tax.
    pub fn discount(&self) -> [Money; 2] {
        [
            self.subtotal[0] - self.total[0],
            self.subtotal[1] - self.total[1],
        ]
    }

    /// The sum of two breakdowns (the cart's, over its lines).
    pub fn plus(self, other: Breakdown) -> Breakdown {
        Breakdown {
            subtotal: [
                self.subtotal[0] + other.subtotal[0],
                self.subtotal[1] + other.subtotal[1],
            ],
            total: [
                self.total[0] + other.total[0],
                self.total[1] + other.total[1],
            ],
        }
    }

    /// The result's form, in `currency`.
    pub fn amounts(&self, currency: Currency) -> TaxAmounts {
        let (total, discount) = (self.total, self.discount());
        TaxAmounts {
            subtotal_ex_tax: currency.amount(self.subtotal[0]),
            subtotal_with_tax: currency.amount(self.subtotal[1]),
            discount_ex_tax: currency.amount(discount[0]),
            discount_with_tax: currency.amount(discount[1]),
            total_ex_tax: currency.amount(total[0]),
            total_with_tax: currency.amount(total[1]),
            tax: currency.amount(total[1] - total[0]),
        }
    }

    /// A line's result form: its rate and amounts.
    pub fn line_tax(&self, rate: Percent, currency: Currency) -> LineTax {
        LineTax {
            rate,
            amounts: self.amounts(currency),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn money(units: i64) -> Money {
        Money::from_minor_units(units)
    }

    fn percent(text: &str) -> Percent {
        Percent::parse(text).unwrap()
    }

    #[test]
    fn vendures_case_is_half_off_with_and_without_tax() {
        // 83.33 before 20% tax shows as 100.00; half off, it is 41.67 before tax and
        // 50.00 with it, 8.33 of tax (20% of 41.67 is 8.334).
        let line = Breakdown::line(money(10_000), money(5_000), &percent("20"), true);
        assert_eq!(line.subtotal, [money(8_333), money(10_000)]);
        assert_eq!(line.total, [money(4_167), money(5_000)]);
        assert_eq!(line.discount(), [money(4_166), money(5_000)]);
        // Prices given without tax: half of 83.33 rounds to 41.67 off, leaving 41.66,
        // and 20% on that is 8.33 (8.332), so 49.99 with tax.
        let line = Breakdown::line(money(8_333), money(4_167), &percent("20"), false);
        assert_eq!(line.subtotal, [money(8_333), money(10_000)]);
        assert_eq!(line.total, [money(4_166), money(4_999)]);
    }

    #[test]
    fn every_identity_holds_for_any_line() {
        for rate in ["0", "5", "12", "18", "20", "28", "7.7", "100"] {
            let rate = percent(rate);
            for subtotal in [
                0,
                1,
                2,
                3,
                99,
                100,
                101,
                8_333,
                10_000,
                123_457,
                999_999_999,
            ] {
                for discount in [0, 1, subtotal / 3, subtotal / 2, subtotal]
                    .into_iter()
                    .filter(|d| *d <= subtotal)
                {
                    for inclusive in [true, false] {
                        let b = Breakdown::line(money(subtotal), money(discount), &rate, inclusive);
                        let side = usize::from(inclusive);
                        assert_eq!(b.subtotal[side], money(subtotal));
                        assert_eq!(b.discount()[side], money(discount));
                        let (total, off) = (b.total, b.discount());
                        assert!(total[0] >= Money::ZERO && total[1] >= total[0]);
                        assert!(off[0] >= Money::ZERO && off[1] >= Money::ZERO);
                        // The tax is the rate's on the discounted price, rounded once.
                        let tax = total[1] - total[0];
                        let exact = if inclusive {
                            total[1] - total[1].without_tax(&rate)
                        } else {
                            total[0].percent(&rate)
                        };
                        assert_eq!(tax, exact);
                    }
                }
            }
        }
    }
}
