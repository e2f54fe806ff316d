//! Properties that must hold for any valid input (proptest shrinks failures to a
//! minimal cart): allocations sum exactly, nothing goes negative, caps hold, the
//! chosen combination is never worse than any single coupon, output is deterministic.

mod common;

use common::request;
use coupon_engine::model::{CardStatus, EvaluationResult};
use coupon_engine::{read_json, Request};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{json, Value};

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
            let parts: Decimal = a.lines.iter().map(|l| l.amount.0).sum::<Decimal>() + a.shipping.0;
            prop_assert_eq!(parts, a.amount.0, "allocation of {} does not sum", a.coupon_id);
            prop_assert!(a.amount.0 > Decimal::ZERO);
            applied_sum += a.amount.0;
        }
        prop_assert_eq!(applied_sum, result.discount_total.0);
        prop_assert_eq!(result.total_before.0 - result.discount_total.0, result.total_after.0);
        let shipping_taken: Decimal = result.applied.iter().map(|a| a.shipping.0).sum();
        prop_assert_eq!(shipping_taken, result.shipping_discount.0);
        prop_assert!(result.shipping_discount.0 <= result.shipping.0, "shipping went below zero");
        let line_discounts: Decimal = result.lines.iter().map(|l| l.discount.0).sum();
        prop_assert_eq!(line_discounts + result.shipping_discount.0, result.discount_total.0);
        let line_totals: Decimal = result.lines.iter().map(|l| l.total.0).sum();
        prop_assert_eq!(line_totals + result.shipping.0 - result.shipping_discount.0, result.total_after.0);
        for l in &result.lines {
            prop_assert!(l.total.0 >= Decimal::ZERO && l.discount.0 >= Decimal::ZERO);
            prop_assert_eq!(l.subtotal.0 - l.discount.0, l.total.0);
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
                prop_assert!(a.amount.0 <= limit.parse::<Decimal>().unwrap(), "{} took {} over {}", a.coupon_id, a.amount.0, limit);
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
                    prop_assert!(saving.0 <= result.discount_total.0, "{} alone saves {} > {}", card.coupon_id, saving.0, result.discount_total.0);
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
        let full = run(&req).discount_total.0;
        let mut fewer = req.clone();
        let coupons = fewer["bundle"]["coupons"].as_array_mut().unwrap();
        coupons.remove(pick % coupons.len());
        prop_assert!(run(&fewer).discount_total.0 <= full);
    }

    #[test]
    fn every_discount_stays_within_its_scoped_subtotal(req in request()) {
        let result = run(&req);
        for a in &result.applied {
            for part in &a.lines {
                let line = result.lines.iter().find(|l| l.line_id == part.line_id).unwrap();
                prop_assert!(part.amount.0 <= line.subtotal.0);
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
