//! The best-combination search is exact: for up to 12 candidates it finds what
//! brute force over every subset finds (same saving, same tie-break), it never
//! violates a stacking rule, and the greedy fallback and priority order are never
//! worse than the best single coupon.

use coupon_engine::conditions;
use coupon_engine::facts::Facts;
use coupon_engine::model::{Application, SelectionMode};
use coupon_engine::money::Money;
use coupon_engine::selection::{self, Combinations, Selection};
use coupon_engine::{read_json, Request};
use proptest::prelude::*;
use serde_json::{json, Value};

const CLASSES: [&str; 3] = ["product", "order", "shipping"];

fn coupon(i: usize) -> impl Strategy<Value = Value> {
    let discount = prop_oneof![
        (1u32..60).prop_map(|p| json!({"percentage": {"percent": p.to_string()}})),
        (1u32..400).prop_map(|a| json!({"fixedAmount": {"amount": format!("{a}.00")}})),
        (1u32..80).prop_map(|a| json!({"amountPerItem": {"amount": format!("{a}.00")}})),
        Just(
            json!({"tiered": {"tiers": [{"minValue": "500.00", "percent": "5"}, {"minValue": "1500.00", "percent": "12"}]}})
        ),
        // Tiers that give less at a minimum than just under it: an earlier discount can
        // raise what they take.
        Just(
            json!({"tiered": {"tiers": [{"minValue": "500.00", "percent": "30"}, {"minValue": "1500.00", "amount": "100.00"}]}})
        ),
        Just(
            json!({"buyXGetY": {"buy": {"scope": "entireCart", "quantity": 2}, "get": {"scope": "entireCart", "quantity": 1}}})
        ),
        (1u32..200).prop_map(|c| json!({"freeShipping": {"cap": format!("{c}.00")}})),
    ];
    let scope = prop_oneof![
        Just(Value::Null),
        Just(json!({"products": ["p0"]})),
        Just(json!({"products": ["p1", "p2"]}))
    ];
    // Some coupons measure a minimum after the discounts applied before them, which
    // can leave them out of a combination they fit alone.
    let after = proptest::option::of(1u32..30);
    // A third draw on the campaign budget, which refuses a discount that does not fit
    // whole and can take one that fits once earlier discounts shrink it.
    (discount, scope, proptest::sample::subsequence(CLASSES.to_vec(), 0..=3), -2i32..3, any::<bool>(), after, 0u8..3).prop_map(
        move |(discount, scope, combines, priority, code, after, campaign)| {
            let mut c = json!({"id": format!("c{i}"), "application": if code { "code" } else { "automatic" },
                               "code": format!("K{i}"), "discount": discount, "combinesWith": combines,
                               "priority": priority, "display": {"title": format!("C{i}")}});
            if !scope.is_null() {
                c["purchase"] = json!({"scope": scope});
            }
            if campaign == 0 {
                c["campaign"] = json!("camp");
            }
            if let Some(hundreds) = after {
                c["purchase"]["minValue"] = json!(format!("{}.00", hundreds * 100));
                c["purchase"]["afterDiscounts"] = json!(true);
            }
            c
        },
    )
}

fn request(min_n: usize, max_n: usize) -> impl Strategy<Value = Value> {
    (min_n..=max_n)
        .prop_flat_map(|n| (0..n).map(coupon).collect::<Vec<_>>())
        .prop_flat_map(|coupons| {
            // p0, p1 and p2 are always in the cart, so product-scoped coupons are usable;
            // a cart worth about a tier's minimum or less now and then, so that
            // discounts move it across one.
            let lines = (proptest::collection::vec((0usize..4, 100u32..1500, 1u32..4), 0..3), prop_oneof![3 => Just(1u32), 1 => Just(2u32)])
                .prop_map(|(extra, down)| [(0, 900 / down, 1), (1, 400 / down, 2), (2, 250 / down, 3)].into_iter().chain(extra).collect::<Vec<_>>());
            (Just(coupons), lines, 1u32..4, 50u32..800)
        })
        .prop_map(|(coupons, lines, max_codes, budget)| {
            let n = coupons.len();
            let lines: Vec<Value> = lines.iter().enumerate()
                .map(|(i, (p, price, q))| json!({"id": format!("l{i}"), "productId": format!("p{p}"), "unitPrice": format!("{price}.00"), "quantity": q}))
                .collect();
            json!({"bundle": {"currency": "INR", "coupons": coupons, "maxCodes": max_codes,
                              "campaigns": [{"id": "camp", "budget": format!("{budget}.00")}]},
                   "customer": {"id": "me"},
                   "cart": {"currency": "INR", "lines": lines, "shipping": {"options": [{"id": "s", "amount": "120.00"}], "selectedId": "s"}},
                   "context": {"now": "2026-11-22T10:00:00Z", "codes": (0..n).map(|i| format!("k{i}")).collect::<Vec<_>>()}})
        })
}

/// Runs `check` with the selection context of a request and its candidates.
fn with_combinations(req: &Value, check: impl FnOnce(&Combinations, &[usize])) {
    let r: Request = read_json("", &req.to_string()).unwrap();
    let facts = Facts::new(&r.bundle, &r.customer, &r.cart, &r.context);
    let coupons = &r.bundle.coupons;
    let verdicts: Vec<_> = coupons
        .iter()
        .map(|c| conditions::check(c, &facts))
        .collect();
    let entered: Vec<Option<&str>> = coupons.iter().map(|c| facts.code_entered(c)).collect();
    let scoped: Vec<&[usize]> = verdicts.iter().map(|v| v.scoped.as_slice()).collect();
    let candidates: Vec<usize> = (0..coupons.len())
        .filter(|&i| {
            verdicts[i].usable()
                && (coupons[i].application == Application::Automatic || entered[i].is_some())
        })
        .collect();
    let cx = Combinations::new(
        coupons,
        &scoped,
        &entered,
        &facts,
        r.bundle.max_codes as usize,
    );
    check(&cx, &candidates);
}

fn valid(cx: &Combinations, set: &[usize]) -> bool {
    let mut taken: Vec<usize> = Vec::new();
    set.iter().all(|&c| {
        let ok = cx.fits(&taken, c);
        taken.push(c);
        ok
    })
}

fn brute_force(cx: &Combinations, candidates: &[usize]) -> (Money, Vec<usize>) {
    let mut best = (Money::ZERO, Vec::new());
    for mask in 0u32..(1 << candidates.len()) {
        let set: Vec<usize> = (0..candidates.len())
            .filter(|k| mask & (1 << k) != 0)
            .map(|k| candidates[k])
            .collect();
        if !valid(cx, &set) {
            continue;
        }
        let s = cx.apply(&set);
        let key = (s.saving(), s.indices());
        if key.0 > best.0 || (key.0 == best.0 && key.1 < best.1) {
            best = key;
        }
    }
    best
}

fn best_single(cx: &Combinations, candidates: &[usize]) -> Money {
    candidates
        .iter()
        .map(|&c| cx.apply(&[c]).saving())
        .max()
        .unwrap_or(Money::ZERO)
}

/// The greedy search as its rules state it, without the engine's pruning: the pool of
/// the largest standalone savings, and each round every pool candidate weighed.
fn plain_greedy(cx: &Combinations, candidates: &[usize]) -> Selection {
    let mut pool: Vec<(Money, usize)> = candidates.iter().map(|&c| (cx.alone(c), c)).collect();
    pool.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let pool: Vec<usize> = pool
        .into_iter()
        .take(selection::GREEDY_POOL)
        .map(|(_, c)| c)
        .collect();
    let better = |a: &Selection, b: &Selection| {
        a.saving() > b.saving() || (a.saving() == b.saving() && a.indices() < b.indices())
    };
    let mut set: Vec<usize> = Vec::new();
    let mut best = cx.apply(&[]);
    loop {
        let mut step: Option<(usize, Selection)> = None;
        for &c in &pool {
            if set.contains(&c) || !cx.fits(&set, c) {
                continue;
            }
            let s = cx.apply(&[set.as_slice(), &[c]].concat());
            if s.saving() > best.saving() && step.as_ref().is_none_or(|(_, b)| better(&s, b)) {
                step = Some((c, s));
            }
        }
        match step {
            Some((c, s)) => {
                set.push(c);
                best = s;
            }
            None => return best,
        }
    }
}

fn respects_rules(cx: &Combinations, s: &Selection) -> bool {
    valid(cx, &s.indices())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 120, ..ProptestConfig::default() })]

    #[test]
    fn exact_search_matches_brute_force(req in request(1, 12)) {
        with_combinations(&req, |cx, candidates| {
            let chosen = selection::select(candidates, cx, SelectionMode::BestCombination);
            let (saving, indices) = brute_force(cx, candidates);
            assert_eq!((chosen.saving(), chosen.indices()), (saving, indices), "{} candidates", candidates.len());
            assert!(respects_rules(cx, &chosen));
        });
    }

    #[test]
    fn exact_search_matches_brute_force_for_10_to_12_candidates(req in request(10, 12)) {
        with_combinations(&req, |cx, candidates| {
            let chosen = selection::select(candidates, cx, SelectionMode::BestCombination);
            assert_eq!((chosen.saving(), chosen.indices()), brute_force(cx, candidates));
        });
    }

    #[test]
    fn greedy_matches_a_greedy_that_weighs_every_candidate(req in request(13, 40)) {
        with_combinations(&req, |cx, candidates| {
            // Coupons whose conditions fail are no candidates: up to the limit the search
            // is exact, which `exact_search_matches_brute_force` checks.
            if candidates.len() <= selection::EXACT_LIMIT {
                return;
            }
            let chosen = selection::select(candidates, cx, SelectionMode::BestCombination);
            let reference = plain_greedy(cx, candidates);
            assert_eq!((chosen.saving(), chosen.indices()), (reference.saving(), reference.indices()));
            assert!(respects_rules(cx, &chosen));
        });
    }

    #[test]
    fn a_coupons_saving_alone_is_its_applied_saving(req in request(1, 20)) {
        // `alone` reads offers' totals without splitting them over lines.
        with_combinations(&req, |cx, candidates| {
            for &c in candidates {
                assert_eq!(cx.alone(c), cx.apply(&[c]).saving(), "coupon {c}");
            }
        });
    }

    #[test]
    fn priority_order_obeys_the_rules(req in request(1, 12)) {
        with_combinations(&req, |cx, candidates| {
            let single = best_single(cx, candidates);
            let s = selection::select(candidates, cx, SelectionMode::PriorityOrder);
            assert!(respects_rules(cx, &s));
            // Priority order takes the highest priority first, so it may lose to the
            // best single coupon; it must still obey the rules and save something
            // whenever any candidate does.
            assert!(s.saving() > Money::ZERO || single == Money::ZERO);
        });
    }
}

/// Above the exact limit the greedy fallback runs; it starts from the best single
/// coupon, so it is never worse.
#[test]
fn greedy_fallback_above_the_exact_limit() {
    let coupons: Vec<Value> = (0..selection::EXACT_LIMIT + 4)
        .map(|i| {
            json!({"id": format!("c{i}"), "application": "automatic",
                        "discount": {"fixedAmount": {"amount": format!("{}.00", 10 + i * 7 % 23)}},
                        "combinesWith": if i % 3 == 0 { json!([]) } else { json!(["order"]) },
                        "display": {"title": format!("C{i}")}})
        })
        .collect();
    let req = json!({"bundle": {"currency": "INR", "coupons": coupons}, "customer": {"id": "me"},
                     "cart": {"currency": "INR", "lines": [{"id": "l", "productId": "p", "unitPrice": "5000.00", "quantity": 1}]},
                     "context": {"now": "2026-11-22T10:00:00Z"}});
    with_combinations(&req, |cx, candidates| {
        assert!(candidates.len() > selection::EXACT_LIMIT);
        let s = selection::select(candidates, cx, SelectionMode::BestCombination);
        assert!(respects_rules(cx, &s));
        assert!(s.saving() >= best_single(cx, candidates));
        // Every combinable fixed amount fits in the cart, so greedy takes all of them.
        let combinable: Money = candidates
            .iter()
            .filter(|&&c| c % 3 != 0)
            .map(|&c| cx.apply(&[c]).saving())
            .sum();
        assert_eq!(s.saving(), combinable);
    });
}

/// The work is bounded for the largest inputs: beyond the exact range only the
/// greedy pool is weighed, and at most MAX_APPLIED discounts apply.
#[test]
fn large_inputs_are_bounded_by_the_pool_and_the_discount_cap() {
    let coupons: Vec<Value> = (0..200)
        .map(|i| {
            json!({"id": format!("c{i}"), "application": "automatic",
                        "discount": {"fixedAmount": {"amount": format!("{}.00", 1 + i % 37)}},
                        "combinesWith": ["order"], "display": {"title": format!("C{i}")}})
        })
        .collect();
    let req = json!({"bundle": {"currency": "INR", "coupons": coupons}, "customer": {"id": "me"},
                     "cart": {"currency": "INR", "lines": [{"id": "l", "productId": "p", "unitPrice": "100000.00", "quantity": 1}]},
                     "context": {"now": "2026-11-22T10:00:00Z"}});
    with_combinations(&req, |cx, candidates| {
        let s = selection::select(candidates, cx, SelectionMode::BestCombination);
        assert_eq!(s.considered.len(), selection::GREEDY_POOL);
        assert_eq!(s.applied.len(), selection::MAX_APPLIED);
        // The 16 largest amounts (37 down to 22, each several times over): greedy takes the largest first.
        assert!(
            s.applied
                .iter()
                .all(|(_, o)| o.total >= Money::from_minor_units(2200)),
            "{:?}",
            s.applied.iter().map(|(_, o)| o.total).collect::<Vec<_>>()
        );
        let p = selection::select(candidates, cx, SelectionMode::PriorityOrder);
        assert_eq!(p.applied.len(), selection::MAX_APPLIED);
    });
}

/// A tie in a later round: the coupon with the smaller saving on its own adds as much as
/// the bigger one, and wins on bundle order, so the greedy search must weigh it.
#[test]
fn greedy_weighs_a_smaller_coupon_that_ties_the_round() {
    let fixed = |i: usize, amount: &str, combines: Value| {
        json!({"id": format!("c{i}"), "application": "automatic",
               "discount": {"fixedAmount": {"amount": amount}}, "combinesWith": combines,
               "display": {"title": format!("C{i}")}})
    };
    let mut coupons = vec![
        fixed(0, "400.00", json!(["order"])),
        fixed(1, "500.00", json!(["order"])),
        fixed(2, "600.00", json!(["order"])),
    ];
    // Enough coupons that combine with nothing to put the search past the exact range.
    coupons.extend((3..3 + selection::EXACT_LIMIT).map(|i| fixed(i, "1.00", json!([]))));
    let req = json!({"bundle": {"currency": "INR", "coupons": coupons}, "customer": {"id": "me"},
                     "cart": {"currency": "INR", "lines": [{"id": "l", "productId": "p", "unitPrice": "1000.00", "quantity": 1}]},
                     "context": {"now": "2026-11-22T10:00:00Z"}});
    with_combinations(&req, |cx, candidates| {
        assert!(candidates.len() > selection::EXACT_LIMIT);
        let s = selection::select(candidates, cx, SelectionMode::BestCombination);
        // c2 first (600); then c1 and c0 both add the 400 left, and c0 comes first.
        assert_eq!(
            (s.saving(), s.indices()),
            (Money::from_minor_units(100_000), vec![0, 2])
        );
    });
}
