//! Properties that must hold for any valid input (proptest shrinks failures to a
//! minimal cart): allocations sum exactly, nothing goes negative, caps hold, the
//! chosen combination is never worse than any single coupon, output is deterministic.

mod common;

use common::request;
use coupon_engine::model::{CardStatus, EvaluationResult};
use coupon_engine::money::Amount;
use coupon_engine::{read_json, Request};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{json, Value};

/// An amount as a `Decimal`, for exact sums: its text, read back.
fn dec(amount: Amount) -> Decimal {
    amount.to_string().parse().unwrap()
}

fn run(request: &Value) -> EvaluationResult {
    let r: Request = read_json("", &request.to_string()).expect("generated requests are valid");
    r.evaluate().expect("evaluates")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn allocations_sum_exactly_and_nothing_goes_negative(req in request()) {
        let result = run(&req);
        let mut applied_sum = Decimal::ZERO;
        for a in &result.applied {
            let parts: Decimal = a.lines.iter().map(|l| dec(l.amount)).sum::<Decimal>() + dec(a.shipping);
            prop_assert_eq!(parts, dec(a.amount), "allocation of {} does not sum", a.coupon_id);
            prop_assert!(dec(a.amount) > Decimal::ZERO);
            applied_sum += dec(a.amount);
        }
        prop_assert_eq!(applied_sum, dec(result.discount_total));
        prop_assert_eq!(dec(result.total_before) - dec(result.discount_total), dec(result.total_after));
        let shipping_taken: Decimal = result.applied.iter().map(|a| dec(a.shipping)).sum();
        prop_assert_eq!(shipping_taken, dec(result.shipping_discount));
        prop_assert!(dec(result.shipping_discount) <= dec(result.shipping), "shipping went below zero");
        let line_discounts: Decimal = result.lines.iter().map(|l| dec(l.discount)).sum();
        prop_assert_eq!(line_discounts + dec(result.shipping_discount), dec(result.discount_total));
        let line_totals: Decimal = result.lines.iter().map(|l| dec(l.total)).sum();
        prop_assert_eq!(line_totals + dec(result.shipping) - dec(result.shipping_discount), dec(result.total_after));
        for l in &result.lines {
            prop_assert!(dec(l.total) >= Decimal::ZERO && dec(l.discount) >= Decimal::ZERO);
            prop_assert_eq!(dec(l.subtotal) - dec(l.discount), dec(l.total));
        }
    }

    #[test]
    fn caps_and_fixed_amounts_are_never_exceeded(req in request()) {
        let result = run(&req);
        for a in &result.applied {
            let def = req["bundle"]["coupons"].as_array().unwrap().iter().find(|c| c["id"] == a.coupon_id.as_str()).unwrap();
            let d = &def["discount"];
            let limit = d["percentage"]["cap"].as_str().or(d["fixedAmount"]["amount"].as_str()).or(d["freeShipping"]["cap"].as_str());
            if let Some(limit) = limit {
                prop_assert!(dec(a.amount) <= limit.parse::<Decimal>().unwrap(), "{} took {} over {}", a.coupon_id, dec(a.amount), limit);
            }
        }
    }

    #[test]
    fn the_combination_beats_every_single_coupon(req in request()) {
        let result = run(&req);
        for card in &result.cards {
            if let (CardStatus::Available | CardStatus::Applied, Some(saving)) = (card.status, card.saving) {
                let usable_now = card.status == CardStatus::Applied
                    || card.reasons.iter().all(|r| serde_json::to_value(r).unwrap()["code"] != "code_not_entered");
                if usable_now {
                    prop_assert!(dec(saving) <= dec(result.discount_total), "{} alone saves {} > {}", card.coupon_id, dec(saving), dec(result.discount_total));
                }
            }
        }
    }

    #[test]
    fn applied_discounts_obey_every_stacking_rule(req in request()) {
        let r: Request = read_json("", &req.to_string()).unwrap();
        let result = r.evaluate().unwrap();
        let coupons: Vec<_> = result.applied.iter().map(|a| r.bundle.coupons.iter().find(|c| c.id == a.coupon_id).unwrap()).collect();
        for (i, a) in coupons.iter().enumerate() {
            for b in &coupons[i + 1..] {
                prop_assert!(a.combines(b), "{} and {} applied together", a.id, b.id);
            }
        }
        let codes = coupons.iter().filter(|c| c.application == coupon_engine::model::Application::Code).count();
        prop_assert!(codes <= r.bundle.max_codes as usize);
        // Classes apply in order: product, then order, then shipping.
        let classes: Vec<_> = result.applied.iter().map(|a| a.class).collect();
        prop_assert!(classes.windows(2).all(|w| w[0] <= w[1]), "{:?}", classes);
    }

    #[test]
    fn unit_caps_touch_at_most_their_units(req in request()) {
        let result = run(&req);
        for a in &result.applied {
            let def = req["bundle"]["coupons"].as_array().unwrap().iter().find(|c| c["id"] == a.coupon_id.as_str()).unwrap();
            let (kind, body) = def["discount"].as_object().unwrap().iter().next().unwrap();
            let Some(max) = body["maxUnits"].as_u64() else { continue };
            // The units come from at most `max` lines, and the discount is a product one.
            prop_assert!(a.lines.len() as u64 <= max, "{} touched {} lines for {} units", a.coupon_id, a.lines.len(), max);
            prop_assert_eq!(a.class, coupon_engine::model::DiscountClass::Product);
            if kind == "amountPerItem" {
                let each: Decimal = body["amount"].as_str().unwrap().parse().unwrap();
                prop_assert!(dec(a.amount) <= each * Decimal::from(max), "{} took {} for {} units", a.coupon_id, dec(a.amount), max);
            }
        }
    }

    #[test]
    fn adding_an_item_never_unmeets_a_minimum_value(req in request(), extra in 1u32..4) {
        let before = run(&req);
        let mut more = req.clone();
        let lines = more["cart"]["lines"].as_array_mut().unwrap();
        match lines.first_mut() {
            Some(first) => first["quantity"] = json!(first["quantity"].as_u64().unwrap() + u64::from(extra)),
            None => return Ok(()),
        }
        let after = run(&more);
        let unmet = |r: &EvaluationResult, id: &str| r.cards.iter().find(|c| c.coupon_id == id)
            .is_some_and(|c| c.reasons.iter().any(|x| serde_json::to_value(x).unwrap()["code"] == "min_purchase_value"));
        for card in &before.cards {
            if !unmet(&before, &card.coupon_id) {
                prop_assert!(!unmet(&after, &card.coupon_id), "{} lost its minimum", card.coupon_id);
            }
        }
    }

    #[test]
    fn removing_a_coupon_never_increases_the_best_saving(req in request(), pick in any::<usize>()) {
        let full = dec(run(&req).discount_total);
        let mut fewer = req.clone();
        let coupons = fewer["bundle"]["coupons"].as_array_mut().unwrap();
        coupons.remove(pick % coupons.len());
        prop_assert!(dec(run(&fewer).discount_total) <= full);
    }

    #[test]
    fn every_discount_stays_within_its_scoped_subtotal(req in request()) {
        let result = run(&req);
        for a in &result.applied {
            for part in &a.lines {
                let line = result.lines.iter().find(|l| l.line_id == part.line_id).unwrap();
                prop_assert!(dec(part.amount) <= dec(line.subtotal));
            }
        }
    }

    #[test]
    fn output_is_deterministic(req in request()) {
        let a = serde_json::to_string(&run(&req)).unwrap();
        let b = serde_json::to_string(&run(&req)).unwrap();
        prop_assert_eq!(&a, &b);
        // Through the JSON API too.
        prop_assert_eq!(coupon_engine::evaluate_json(&req.to_string()).unwrap(), a);
    }
}
