//! Properties of the campaign features, held to the README's statement of each rule
//! by reference models written here from that text (not from `src/`): tax-inclusive
//! and tax-exclusive breakdowns, unit caps, reward choice, gift choice, sale items,
//! minimums after discounts, campaign budgets and weekly schedules on the merchant's
//! clock. Amounts are compared as whole minor units in `i128`, never through floats.

use coupon_engine::model::TimeZone;
use coupon_engine::{evaluate_json, read_json, Engine, Request};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{json, Value};

// ---------------------------------------------------------------------------------
// Helpers

/// An amount of `minor` minor units in a currency with `exp` decimals, as JSON text.
fn amount(minor: u64, exp: u32) -> String {
    Decimal::new(minor as i64, exp).to_string()
}

/// A decimal string of the result (or the request) in minor units, checking that it
/// has exactly `exp` decimals, as money rule 2 says every output has.
fn minor(v: &Value, exp: u32) -> i128 {
    let text = v.as_str().unwrap_or_else(|| panic!("not an amount: {v}"));
    assert!(has_places(v, exp), "{text} does not have {exp} decimals");
    let d: Decimal = text.parse().unwrap();
    let scaled = d * Decimal::from(10i64.pow(exp));
    scaled.trunc().mantissa() / 10i128.pow(scaled.trunc().scale())
}

/// `minor` for an input amount, which may carry fewer decimals than the currency.
fn input_minor(v: &Value, exp: u32) -> i128 {
    let d: Decimal = v.as_str().unwrap().parse().unwrap();
    let scaled = (d * Decimal::from(10i64.pow(exp))).normalize();
    assert_eq!(scaled.fract(), Decimal::ZERO);
    scaled.mantissa() / 10i128.pow(scaled.scale())
}

/// Whether a result amount has exactly `exp` decimals.
fn has_places(v: &Value, exp: u32) -> bool {
    let text = v.as_str().unwrap();
    match text.split_once('.') {
        Some((_, f)) => f.len() == exp as usize,
        None => exp == 0,
    }
}

/// `n / d` rounded half away from zero (the README's one rounding rule), `d > 0`.
fn div_round(n: i128, d: i128) -> i128 {
    let (q, r) = (n / d, n % d);
    if 2 * r.abs() >= d {
        q + n.signum()
    } else {
        q
    }
}

/// A percent as (numerator, denominator) of a fraction of one: "7.7" is 77 / 1000.
fn ratio(percent: &str) -> (i128, i128) {
    let d: Decimal = percent.parse().unwrap();
    (d.mantissa(), 100 * 10i128.pow(d.scale()))
}

fn run(req: &Value) -> Value {
    let text = evaluate_json(&req.to_string()).unwrap_or_else(|e| {
        panic!(
            "generated request refused: {} at {}: {}",
            e.code.as_str(),
            e.path,
            e.message
        )
    });
    serde_json::from_str(&text).unwrap()
}

fn exponent(req: &Value) -> u32 {
    match req["bundle"]["currency"].as_str().unwrap() {
        "JPY" => 0,
        "KWD" => 3,
        _ => 2,
    }
}

fn reason_codes(card: &Value) -> Vec<String> {
    card["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap().to_string())
        .collect()
}

fn card<'a>(result: &'a Value, id: &str) -> &'a Value {
    result["cards"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["couponId"] == id)
        .unwrap()
}

fn coupon_def<'a>(req: &'a Value, id: &str) -> &'a Value {
    req["bundle"]["coupons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap()
}

fn line_index(req: &Value, id: &str) -> usize {
    req["cart"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .position(|l| l["id"] == id)
        .unwrap()
}

fn on_sale(line: &Value, exp: u32) -> bool {
    line.get("compareAtPrice")
        .is_some_and(|c| input_minor(c, exp) > input_minor(&line["unitPrice"], exp))
}

/// The cart lines a coupon's purchase scope covers (less those on sale, when it
/// excludes them), in cart order: README, "purchase conditions" and "Sale items".
fn scoped_lines(req: &Value, coupon: &Value) -> Vec<usize> {
    let exp = exponent(req);
    let purchase = &coupon["purchase"];
    let scope = &purchase["scope"];
    let exclude = purchase["excludeSaleItems"] == json!(true);
    let ids = |key: &str| -> Vec<String> {
        scope[key].as_array().map_or(Vec::new(), |a| {
            a.iter().map(|v| v.as_str().unwrap().to_string()).collect()
        })
    };
    req["cart"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .filter(|(_, l)| {
            let covered = if scope.is_null() || scope == "entireCart" {
                true
            } else if scope.get("products").is_some() {
                ids("products").iter().any(|p| l["productId"] == p.as_str())
            } else {
                let cs = ids("collections");
                l["collectionIds"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|c| cs.iter().any(|x| c == x.as_str()))
            };
            covered && !(exclude && on_sale(l, exp))
        })
        .map(|(i, _)| i)
        .collect()
}

fn line_subtotals(req: &Value) -> Vec<i128> {
    let exp = exponent(req);
    req["cart"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            input_minor(&l["unitPrice"], exp) * i128::from(l["quantity"].as_u64().unwrap() as u32)
        })
        .collect()
}

/// What is left of each line before the `k`-th applied discount: the subtotals less
/// the allocations of the discounts applied before it (money rule 6).
fn left_before(req: &Value, result: &Value, k: usize) -> Vec<i128> {
    let exp = exponent(req);
    let mut left = line_subtotals(req);
    for a in &result["applied"].as_array().unwrap()[..k] {
        for part in a["lines"].as_array().unwrap() {
            left[line_index(req, part["lineId"].as_str().unwrap())] -= minor(&part["amount"], exp);
        }
    }
    left
}

// ---------------------------------------------------------------------------------
// A request that uses every campaign feature together

const RATES: [&str; 12] = [
    "0", "5", "12", "18", "20", "28", "7.7", "2.5", "19.6", "0.01", "33.3333", "100",
];

fn line(i: usize, exp: u32) -> impl Strategy<Value = Value> {
    (0usize..6, 0usize..3, 0u64..300_000, 1u32..5, 0u8..4, 1u64..50_000, proptest::sample::select(RATES.to_vec()))
        .prop_map(move |(p, k, price, qty, sale, delta, rate)| {
            let mut l = json!({"id": format!("l{i}"), "productId": format!("p{p}"), "collectionIds": [format!("k{k}")],
                               "unitPrice": amount(price, exp), "quantity": qty, "taxRate": rate});
            match sale {
                1 => l["compareAtPrice"] = json!(amount(price + delta, exp)),
                2 => l["compareAtPrice"] = json!(amount(price, exp)),
                3 => l["compareAtPrice"] = json!(amount(price.saturating_sub(delta), exp)),
                _ => {}
            }
            l
        })
}

fn max_units() -> impl Strategy<Value = Option<u32>> {
    proptest::option::weighted(0.4, 1u32..7)
}

/// One coupon's discount and whether `excludeSaleItems` may go with it.
fn campaign_discount(exp: u32) -> impl Strategy<Value = (Value, bool)> {
    let with_max = |mut d: Value, max: Option<u32>| {
        if let Some(n) = max {
            let kind = d.as_object_mut().unwrap().values_mut().next().unwrap();
            kind["maxUnits"] = json!(n);
        }
        d
    };
    prop_oneof![
        (
            1u32..=1000,
            proptest::option::of(1u64..200_000),
            max_units()
        )
            .prop_map(move |(pct, cap, max)| {
                let mut p = json!({"percent": Decimal::new(i64::from(pct), 1).to_string()});
                if let Some(c) = cap {
                    p["cap"] = json!(amount(c, exp));
                }
                (with_max(json!({"percentage": p}), max), true)
            }),
        (1u64..1_000_000, max_units()).prop_map(move |(a, max)| (
            with_max(json!({"fixedAmount": {"amount": amount(a, exp)}}), max),
            true
        )),
        (1u64..50_000, max_units()).prop_map(move |(a, max)| (
            with_max(json!({"amountPerItem": {"amount": amount(a, exp)}}), max),
            true
        )),
        (0u64..200_000).prop_map(move |a| (json!({"fixedPrice": {"price": amount(a, exp)}}), true)),
        (1u64..400_000, 1u32..300).prop_map(move |(min, pct)| (
            json!({"tiered": {"tiers": [
            {"minValue": amount(min, exp), "percent": Decimal::new(i64::from(pct), 1).to_string()},
            {"minValue": amount(min * 3, exp), "amount": amount(min / 2 + 1, exp)}]}}),
            true
        )),
        (
            1u32..3,
            1u32..3,
            proptest::option::of(1u32..=100),
            any::<bool>()
        )
            .prop_map(|(buy, get, pct, dearest)| {
                let mut d = json!({"buy": {"scope": {"collections": ["k0", "k1"]}, "quantity": buy},
                               "get": {"scope": {"products": ["p0", "p1", "p2"]}, "quantity": get},
                               "reward": if dearest { "mostExpensive" } else { "cheapest" }});
                if let Some(p) = pct {
                    d["percent"] = json!(p.to_string());
                }
                (json!({"buyXGetY": d}), false)
            }),
        Just((json!({"freeShipping": {}}), true)),
        proptest::sample::subsequence(vec!["p0", "p2", "p4", "p5"], 1..=3)
            .prop_shuffle()
            .prop_map(|ps| (json!({"freeGift": {"productIds": ps}}), false)),
    ]
}

fn campaign_coupon(i: usize, exp: u32) -> impl Strategy<Value = Value> {
    let scope = prop_oneof![
        Just(Value::Null),
        proptest::collection::vec(0usize..6, 1..3).prop_map(
            |ps| json!({"products": ps.iter().map(|p| format!("p{p}")).collect::<Vec<_>>()})
        ),
        (0usize..3).prop_map(|c| json!({"collections": [format!("k{c}")]})),
    ];
    // Mostly stackable, so that discounts apply before one another.
    let classes = prop_oneof![
        2 => Just(vec!["product", "order", "shipping"]),
        1 => proptest::sample::subsequence(vec!["product", "order", "shipping"], 0..=3),
    ];
    (
        campaign_discount(exp),
        scope,
        classes,
        proptest::option::of(0u64..1_500_000),
        any::<bool>(),
        any::<bool>(),
        proptest::option::of(0usize..2),
        -2i32..3,
    )
        .prop_map(move |((discount, sale_ok), scope, combines, min_value, after, exclude, campaign, priority)| {
            let mut c = json!({"id": format!("c{i}"), "application": "automatic", "discount": discount,
                               "combinesWith": combines, "priority": priority,
                               "display": {"title": format!("Coupon {i}")}});
            let mut purchase = json!({});
            if !scope.is_null() {
                purchase["scope"] = scope;
            }
            if let Some(m) = min_value {
                purchase["minValue"] = json!(amount(m, exp));
                if after {
                    purchase["afterDiscounts"] = json!(true);
                }
            }
            if exclude && sale_ok {
                purchase["excludeSaleItems"] = json!(true);
            }
            c["purchase"] = purchase;
            if let Some(k) = campaign {
                c["campaign"] = json!(format!("camp{k}"));
            }
            c
        })
}

fn campaign_request() -> impl Strategy<Value = Value> {
    prop_oneof![Just(("INR", 2u32)), Just(("EUR", 2)), Just(("JPY", 0)), Just(("KWD", 3))].prop_flat_map(|(code, exp)| {
        let coupons = (1usize..6).prop_flat_map(move |n| (0..n).map(|i| campaign_coupon(i, exp)).collect::<Vec<_>>());
        let lines = (0usize..7).prop_flat_map(move |n| (0..n).map(|i| line(i, exp)).collect::<Vec<_>>());
        // A budget, and what is spent of it: mostly some left, sometimes none.
        let budgets = proptest::collection::vec((0u64..3_000_000, 0u64..=120), 2)
            .prop_map(|b| b.into_iter().map(|(budget, pct)| (budget, budget * pct / 100)).collect::<Vec<_>>());
        (coupons, lines, any::<bool>(), any::<bool>(), budgets).prop_map(move |(coupons, mut lines, inclusive, taxed, budgets)| {
            if !taxed {
                for l in &mut lines {
                    l.as_object_mut().unwrap().remove("taxRate");
                }
            }
            let campaigns: Vec<Value> = budgets
                .iter()
                .enumerate()
                .map(|(k, (budget, spent))| json!({"id": format!("camp{k}"), "budget": amount(*budget, exp), "spent": amount(*spent, exp)}))
                .collect();
            json!({"bundle": {"currency": code, "coupons": coupons, "campaigns": campaigns},
                   "customer": {"id": "me"},
                   "cart": {"currency": code, "lines": lines, "pricesIncludeTax": inclusive && taxed,
                            "shipping": {"options": [{"id": "s", "amount": amount(4_900, exp)}], "selectedId": "s"}},
                   "context": {"now": "2026-11-22T10:00:00Z"}})
        })
    })
}

/// Stackable coupons, some measuring a minimum after discounts between what the
/// discounts before them leave and the cart's value, where the rule decides.
fn after_discounts_request() -> impl Strategy<Value = Value> {
    let lines = (1usize..5).prop_flat_map(|n| (0..n).map(|i| line(i, 2)).collect::<Vec<_>>());
    let coupon = |_: usize| {
        (
            campaign_discount(2),
            0u64..=100,
            any::<bool>(),
            -2i32..3,
            prop_oneof![Just(Value::Null), Just(json!({"collections": ["k1"]}))],
        )
    };
    (lines, (1usize..5).prop_flat_map(move |n| (0..n).map(coupon).collect::<Vec<_>>())).prop_map(|(lines, coupons)| {
        let subtotal: u64 = lines
            .iter()
            .map(|l| input_minor(&l["unitPrice"], 2) as u64 * l["quantity"].as_u64().unwrap())
            .sum();
        let coupons: Vec<Value> = coupons
            .into_iter()
            .enumerate()
            .map(|(i, ((discount, _), share, after, priority, scope))| {
                let mut c = json!({"id": format!("c{i}"), "application": "automatic", "discount": discount,
                                   "combinesWith": ["product", "order", "shipping"], "priority": priority,
                                   "purchase": {"minValue": amount(subtotal * share / 100, 2), "afterDiscounts": after},
                                   "display": {"title": format!("Coupon {i}")}});
                if !scope.is_null() {
                    c["purchase"]["scope"] = scope;
                }
                c
            })
            .collect();
        let mut lines = lines;
        for l in &mut lines {
            l.as_object_mut().unwrap().remove("taxRate");
        }
        inr_request(coupons, lines)
    })
}

/// The README's money rule 8 for one line, from the text: the side the prices are
/// given on is exact; the other side's subtotal and total are each converted and
/// rounded once; the discount is their difference. Returns (subtotal, discount, total)
/// without and with tax, and the tax.
fn tax_line(
    subtotal: i128,
    total: i128,
    rate: &str,
    inclusive: bool,
) -> ([i128; 2], [i128; 2], [i128; 2], i128) {
    let (num, den) = ratio(rate);
    let (sub, tot) = if inclusive {
        let ex = |x: i128| div_round(x * den, den + num);
        ([ex(subtotal), subtotal], [ex(total), total])
    } else {
        let with = |x: i128| x + div_round(x * num, den);
        ([subtotal, with(subtotal)], [total, with(total)])
    };
    let discount = [sub[0] - tot[0], sub[1] - tot[1]];
    (sub, discount, tot, tot[1] - tot[0])
}

// ---------------------------------------------------------------------------------
// Unit caps, reward choice, gift choice and line order

/// Lines for the unit-level properties: few products, small quantities.
fn unit_lines(max: usize) -> impl Strategy<Value = Vec<Value>> {
    proptest::collection::vec((0usize..4, 0usize..2, 0u64..40_000, 1u32..6), 0..max).prop_map(
        |ls| {
            ls.iter()
                .enumerate()
                .map(|(i, (p, k, price, q))| {
                    json!({"id": format!("l{i}"), "productId": format!("p{p}"),
                 "collectionIds": [format!("k{k}")], "unitPrice": amount(*price, 2), "quantity": q})
                })
                .collect()
        },
    )
}

/// Lines whose prices come from a few values, so that equal units on different lines,
/// in and out of a scope, are common.
fn tied_lines(max: usize) -> impl Strategy<Value = Vec<Value>> {
    proptest::collection::vec((0usize..4, 0usize..2, 1u64..4, 1u32..4), 0..max).prop_map(|ls| {
        ls.iter()
            .enumerate()
            .map(|(i, (p, k, price, q))| json!({"id": format!("l{i}"), "productId": format!("p{p}"),
                 "collectionIds": [format!("k{k}")], "unitPrice": amount(price * 10_000, 2), "quantity": q}))
            .collect()
    })
}

/// `lines` in an order drawn from `seed`.
fn shuffled(lines: &[Value], seed: u64) -> Vec<Value> {
    let mut out = lines.to_vec();
    let mut s = seed;
    for i in (1..out.len()).rev() {
        s = s
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        out.swap(i, (s >> 33) as usize % (i + 1));
    }
    out
}

fn inr_request(coupons: Vec<Value>, lines: Vec<Value>) -> Value {
    json!({"bundle": {"currency": "INR", "coupons": coupons}, "customer": {"id": "me"},
           "cart": {"currency": "INR", "lines": lines}, "context": {"now": "2026-11-22T10:00:00Z"}})
}

/// Largest remainder (money rule 4), as the README states it.
fn largest_remainder(total: i128, weights: &[i128]) -> Vec<i128> {
    let sum: i128 = weights.iter().sum();
    if total <= 0 || sum <= 0 {
        return vec![0; weights.len()];
    }
    let total = total.min(sum);
    let mut shares: Vec<i128> = weights.iter().map(|w| total * w / sum).collect();
    let mut order: Vec<(i128, usize)> = weights
        .iter()
        .enumerate()
        .map(|(i, w)| (total * w % sum, i))
        .collect();
    order.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let leftover = total - shares.iter().sum::<i128>();
    for &(_, i) in order.iter().take(leftover as usize) {
        shares[i] += 1;
    }
    shares
}

/// The README's unit cap: the `max` most expensive scoped units by what is left of
/// each unit (`left / quantity`, exact), equal units in cart order; per line the
/// number of units chosen and their value, rounded half-up once per line (rule 5).
fn dearest_units(
    scoped: &[usize],
    left: &[i128],
    qty: &[i128],
    max: i128,
) -> Vec<(usize, i128, i128)> {
    let mut order = scoped.to_vec();
    // Stable sort, most expensive first: equal unit values keep cart order.
    order.sort_by(|&a, &b| (left[b] * qty[a]).cmp(&(left[a] * qty[b])));
    let mut need = max;
    let mut chosen = Vec::new();
    for i in order {
        if need == 0 {
            break;
        }
        let c = need.min(qty[i]);
        need -= c;
        chosen.push((i, c, div_round(left[i] * c, qty[i])));
    }
    chosen.sort_unstable();
    chosen
}

fn unit_cap_coupon() -> impl Strategy<Value = Value> {
    let scope = prop_oneof![
        Just(Value::Null),
        Just(json!({"products": ["p0", "p1"]})),
        Just(json!({"collections": ["k1"]}))
    ];
    let kind = prop_oneof![
        (1u32..=1000, proptest::option::of(1u64..100_000)).prop_map(|(pct, cap)| {
            let mut p = json!({"percent": Decimal::new(i64::from(pct), 1).to_string()});
            if let Some(c) = cap {
                p["cap"] = json!(amount(c, 2));
            }
            json!({"percentage": p})
        }),
        (1u64..200_000).prop_map(|a| json!({"fixedAmount": {"amount": amount(a, 2)}})),
        (1u64..30_000).prop_map(|a| json!({"amountPerItem": {"amount": amount(a, 2)}})),
    ];
    (kind, scope, 1u32..9).prop_map(|(mut discount, scope, max)| {
        discount
            .as_object_mut()
            .unwrap()
            .values_mut()
            .next()
            .unwrap()["maxUnits"] = json!(max);
        let mut c = json!({"id": "capped", "application": "automatic", "discount": discount,
                           "combinesWith": ["product"], "display": {"title": "Capped"}});
        if !scope.is_null() {
            c["purchase"] = json!({"scope": scope});
        }
        c
    })
}

/// A product discount that applies before the capped one, so the cap picks units by
/// what is left of them.
fn earlier_coupon() -> impl Strategy<Value = Option<Value>> {
    let kind = prop_oneof![
        (1u32..=700).prop_map(
            |pct| json!({"percentage": {"percent": Decimal::new(i64::from(pct), 1).to_string()}})
        ),
        (1u64..20_000).prop_map(|a| json!({"amountPerItem": {"amount": amount(a, 2)}})),
    ];
    proptest::option::of((kind, prop_oneof![Just("p0"), Just("p2"), Just("p3")]).prop_map(|(discount, p)| {
        json!({"id": "first", "application": "automatic", "discount": discount, "priority": 1,
               "purchase": {"scope": {"products": [p]}}, "combinesWith": ["product"], "display": {"title": "First"}})
    }))
}

fn bxgy_coupon() -> impl Strategy<Value = Value> {
    let scope = || {
        prop_oneof![
            Just(json!("entireCart")),
            Just(json!({"collections": ["k0"]})),
            Just(json!({"collections": ["k1"]})),
            Just(json!({"products": ["p0", "p1"]})),
            Just(json!({"products": ["p2"]})),
        ]
    };
    (scope(), scope(), 1u32..4, 1u32..3, proptest::option::of(1u32..=100), proptest::option::of(1u32..4)).prop_map(
        |(buy, get, bq, gq, pct, limit)| {
            let mut d = json!({"buy": {"scope": buy, "quantity": bq}, "get": {"scope": get, "quantity": gq}});
            if let Some(p) = pct {
                d["percent"] = json!(p.to_string());
            }
            if let Some(l) = limit {
                d["limit"] = json!(l);
            }
            d
        },
    )
}

fn with_reward(bxgy: &Value, reward: Option<&str>) -> Value {
    let mut d = bxgy.clone();
    if let Some(r) = reward {
        d["reward"] = json!(r);
    }
    json!({"id": "bxgy", "application": "automatic", "discount": {"buyXGetY": d}, "display": {"title": "B"}})
}

// ---------------------------------------------------------------------------------
// Schedules

const DAY: i64 = 86_400;
const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// A weekly window: days (a bit per weekday, Monday first; 0 means every day) and
/// opening and closing minutes (`to <= from` runs past midnight; `None`: all day).
#[derive(Debug, Clone)]
struct Window {
    days: u8,
    hours: Option<(u32, u32)>,
}

impl Window {
    fn text(&self) -> String {
        let days: Vec<&str> = (0..7)
            .filter(|d| self.days & (1 << d) != 0)
            .map(|d| DAYS[d])
            .collect();
        let hhmm = |m: u32| format!("{:02}:{:02}", m / 60, m % 60);
        match (&self.hours, days.is_empty()) {
            (Some((f, t)), true) => format!("{}-{}", hhmm(*f), hhmm(*t)),
            (Some((f, t)), false) => format!("{} {}-{}", days.join(","), hhmm(*f), hhmm(*t)),
            (None, _) => days.join(","),
        }
    }

    fn on(&self, weekday: usize) -> bool {
        self.days == 0 || self.days & (1 << weekday) != 0
    }

    /// Open at second `second` of a local day whose weekday is `weekday`, by the
    /// README: a window opens on its days at its opening (inclusive) and closes at its
    /// close (exclusive); one whose close is not after its opening runs past midnight
    /// and belongs to the day it starts on.
    fn open(&self, weekday: usize, second: i64) -> bool {
        let (from, to) = self
            .hours
            .map_or((0, DAY), |(f, t)| (i64::from(f) * 60, i64::from(t) * 60));
        if to > from {
            self.on(weekday) && from <= second && second < to
        } else {
            (self.on(weekday) && from <= second) || (self.on((weekday + 6) % 7) && second < to)
        }
    }
}

fn window() -> impl Strategy<Value = Window> {
    let hours = prop_oneof![
        1 => Just(None),
        4 => (0u32..288, 1u32..=288).prop_filter_map("opens and closes at once", |(f, t)| {
            (f != t).then_some(Some((f * 5, t * 5)))
        }),
    ];
    (0u8..128, hours).prop_filter_map("a window needs days or hours", |(days, hours)| {
        (days != 0 || hours.is_some()).then_some(Window { days, hours })
    })
}

/// The offset in force at `t`, by the README: before the first entry the first's,
/// from each entry's instant on its own.
fn offset_at(changes: &[(i64, i64)], t: i64) -> i64 {
    changes
        .iter()
        .rev()
        .find(|c| c.0 <= t)
        .or(changes.first())
        .map_or(0, |c| c.1)
}

/// Local day number and second of the day at instant `t`. 1970-01-01 was a Thursday.
fn local(changes: &[(i64, i64)], t: i64) -> (i64, i64) {
    let l = t + offset_at(changes, t);
    (l.div_euclid(DAY), l.rem_euclid(DAY))
}

fn weekday(day: i64) -> usize {
    (day + 3).rem_euclid(7) as usize
}

fn open_at(windows: &[Window], changes: &[(i64, i64)], t: i64) -> bool {
    let (day, second) = local(changes, t);
    windows.iter().any(|w| w.open(weekday(day), second))
}

/// The first instant from `t` on, before `until`, at which the schedule's state is
/// `want`: offsets change and windows open and close only on whole minutes here,
/// so the state is constant from one minute to the next and these are the only
/// instants to try.
fn brute_next(
    windows: &[Window],
    changes: &[(i64, i64)],
    t: i64,
    until: i64,
    want: bool,
) -> Option<i64> {
    std::iter::once(t)
        .chain((t.div_euclid(60) + 1..).map(|m| m * 60))
        .take_while(|&s| s < until)
        .find(|&s| open_at(windows, changes, s) == want)
}

fn utc_text(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .unwrap()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// Windows, the zone's changes (instant, offset), `now` and the active window's end.
type ScheduleCase = (Vec<Window>, Vec<(i64, i64)>, i64, Option<i64>);

/// A schedule case: windows, changes of offset around `now`, and maybe an end.
fn schedule_case() -> impl Strategy<Value = ScheduleCase> {
    // Two weeks from Monday 23 November 2026, any second of the day.
    let base = 1_795_392_000; // 2026-11-23T00:00:00Z (a Monday)
    let offsets = prop_oneof![
        3 => (-48i64..=56).prop_map(|q| q * 15 * 60),
        1 => Just(345 * 60), // +05:45
        1 => Just(-(9 * 60 + 30) * 60),
    ];
    // Changes of offset from a little before `now` to past the 15 days ahead.
    let changes = proptest::collection::vec((1i64..(8 * 24 * 60), offsets), 1..5);
    (
        proptest::collection::vec(window(), 1..4),
        changes,
        0i64..(14 * DAY),
        0i64..(3 * 24 * 60),
        proptest::option::of(1i64..(20 * 24 * 60)),
    )
        .prop_map(move |(windows, gaps, now, first, end)| {
            let now = base + now;
            let mut at = now - first * 60;
            let changes = gaps
                .into_iter()
                .map(|(gap, offset)| {
                    let change = (at.div_euclid(60) * 60, offset);
                    at += gap * 60;
                    change
                })
                .collect();
            (windows, changes, now, end.map(|m| now + m * 60))
        })
}

fn schedule_request(
    windows: &[Window],
    changes: &[(i64, i64)],
    now: i64,
    end: Option<i64>,
) -> Value {
    let zone =
        TimeZone::with_offsets("Test/Zone", changes.iter().map(|&(t, o)| (t, o as i32))).unwrap();
    let mut coupon = json!({"id": "sched", "application": "automatic", "discount": {"percentage": {"percent": "10"}},
                            "schedule": windows.iter().map(Window::text).collect::<Vec<_>>(),
                            "display": {"title": "Scheduled"}});
    if let Some(e) = end {
        coupon["activeWindow"] = json!({"end": utc_text(e)});
    }
    json!({"bundle": {"currency": "INR", "coupons": [coupon], "timeZone": zone},
           "customer": {"id": "me"},
           "cart": {"currency": "INR", "lines": [{"id": "l1", "productId": "p", "unitPrice": "1000.00", "quantity": 1}]},
           "context": {"now": utc_text(now)}})
}

// ---------------------------------------------------------------------------------
// The properties

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// (1) Every allocation sums exactly, per line and overall, and with tax rates each
    /// line's breakdown is money rule 8's: exact on the side the prices are given on,
    /// each other-side amount rounded once, the tax the rate's on the discounted
    /// price, nothing negative, and the cart's breakdown the sum of its lines'.
    #[test]
    fn allocations_and_tax_breakdowns_sum_exactly(req in campaign_request()) {
        let exp = exponent(&req);
        let result = run(&req);
        let lines = result["lines"].as_array().unwrap();
        let mut per_line = vec![0i128; lines.len()];
        let mut applied_sum = 0;
        for a in result["applied"].as_array().unwrap() {
            let mut parts = minor(&a["shipping"], exp);
            for part in a["lines"].as_array().unwrap() {
                let amount = minor(&part["amount"], exp);
                prop_assert!(amount > 0, "{} allocates {} to {}", a["couponId"], amount, part["lineId"]);
                per_line[line_index(&req, part["lineId"].as_str().unwrap())] += amount;
                parts += amount;
            }
            prop_assert_eq!(parts, minor(&a["amount"], exp), "{} does not sum", a["couponId"]);
            applied_sum += parts;
        }
        let discount_total = minor(&result["discountTotal"], exp);
        prop_assert_eq!(applied_sum, discount_total);
        prop_assert_eq!(minor(&result["totalBefore"], exp) - discount_total, minor(&result["totalAfter"], exp));
        let shipping_discount = minor(&result["shippingDiscount"], exp);
        let inclusive = req["cart"]["pricesIncludeTax"] == json!(true);
        let mut sums = [0i128; 7];
        for (i, l) in lines.iter().enumerate() {
            let (subtotal, discount, total) = (minor(&l["subtotal"], exp), minor(&l["discount"], exp), minor(&l["total"], exp));
            prop_assert_eq!(discount, per_line[i], "line {} discount is not its allocations", i);
            prop_assert_eq!(subtotal - discount, total);
            prop_assert!(total >= 0 && discount >= 0, "line {} below zero", i);
            let rate = req["cart"]["lines"][i]["taxRate"].as_str();
            prop_assert_eq!(rate.is_some(), !l["tax"].is_null());
            let Some(rate) = rate else { continue };
            let t = &l["tax"]["amounts"];
            let (sub, off, tot, tax) = tax_line(subtotal, total, rate, inclusive);
            let got = ["subtotalExTax", "subtotalWithTax", "discountExTax", "discountWithTax", "totalExTax", "totalWithTax", "tax"]
                .map(|k| minor(&t[k], exp));
            prop_assert_eq!(got, [sub[0], sub[1], off[0], off[1], tot[0], tot[1], tax], "line {} at {}% ({})", i, rate, if inclusive { "inclusive" } else { "exclusive" });
            // Discount with tax = discount without it + the difference of the taxes.
            prop_assert_eq!(off[1], off[0] + (sub[1] - sub[0]) - tax);
            prop_assert!(got.iter().all(|&x| x >= 0), "negative amount in line {}: {:?}", i, got);
            prop_assert!(off[0] <= sub[0] && off[1] <= sub[1]);
            for (s, g) in sums.iter_mut().zip(got) {
                *s += g;
            }
        }
        if lines.is_empty() || req["cart"]["lines"][0]["taxRate"].is_null() {
            prop_assert!(result["tax"].is_null());
        } else {
            let t = &result["tax"];
            let got = ["subtotalExTax", "subtotalWithTax", "discountExTax", "discountWithTax", "totalExTax", "totalWithTax", "tax"]
                .map(|k| minor(&t[k], exp));
            prop_assert_eq!(got, sums);
            // The side the prices are given on carries the line discounts exactly.
            prop_assert_eq!(got[if inclusive { 3 } else { 2 }] + shipping_discount, discount_total);
        }
    }

    /// (4) A coupon that excludes sale items never discounts a line on sale, and its
    /// conditions count full-price lines only.
    #[test]
    fn excluded_sale_items_are_never_discounted(req in campaign_request()) {
        let exp = exponent(&req);
        let result = run(&req);
        let subtotals = line_subtotals(&req);
        for a in result["applied"].as_array().unwrap() {
            let def = coupon_def(&req, a["couponId"].as_str().unwrap());
            if def["purchase"]["excludeSaleItems"] != json!(true) {
                continue;
            }
            for part in a["lines"].as_array().unwrap() {
                let l = &req["cart"]["lines"][line_index(&req, part["lineId"].as_str().unwrap())];
                prop_assert!(!on_sale(l, exp), "{} discounted sale line {}", a["couponId"], l["id"]);
            }
            if let Some(min) = def["purchase"].get("minValue") {
                let value: i128 = scoped_lines(&req, def).iter().map(|&i| subtotals[i]).sum();
                prop_assert!(value >= input_minor(min, exp), "{} applied with {} of full-price items", a["couponId"], value);
            }
        }
    }

    /// (5) A coupon measuring its minimum after discounts applies only when what the
    /// discounts applied before it (in application order) leave of its scoped lines
    /// reaches the minimum; and the application order is rule 6's.
    #[test]
    fn minimums_after_discounts_hold_on_the_discounted_cart(
        req in prop_oneof![campaign_request(), after_discounts_request()]
    ) {
        let exp = exponent(&req);
        let result = run(&req);
        let applied = result["applied"].as_array().unwrap();
        let position = |id: &str| req["bundle"]["coupons"].as_array().unwrap().iter().position(|c| c["id"] == id).unwrap();
        let class_rank = |c: &str| ["product", "order", "shipping"].iter().position(|x| *x == c).unwrap();
        let keys: Vec<(usize, i64, usize)> = applied.iter().map(|a| {
            let id = a["couponId"].as_str().unwrap();
            (class_rank(a["class"].as_str().unwrap()), -coupon_def(&req, id)["priority"].as_i64().unwrap(), position(id))
        }).collect();
        prop_assert!(keys.windows(2).all(|w| w[0] < w[1]), "application order {:?}", keys);
        for (k, a) in applied.iter().enumerate() {
            let def = coupon_def(&req, a["couponId"].as_str().unwrap());
            if def["purchase"]["afterDiscounts"] != json!(true) {
                continue;
            }
            let left = left_before(&req, &result, k);
            let value: i128 = scoped_lines(&req, def).iter().map(|&i| left[i]).sum();
            let min = input_minor(&def["purchase"]["minValue"], exp);
            prop_assert!(value >= min, "{} applied on {} after discounts, minimum {}", a["couponId"], value, min);
        }
        // A card that says the minimum after discounts is missed is locked and unapplied,
        // and its current value is what the applied discounts before it leave.
        for c in result["cards"].as_array().unwrap() {
            let Some(reason) = c["reasons"].as_array().unwrap().iter().find(|r| r["code"] == "min_value_after_discounts") else {
                continue;
            };
            prop_assert_eq!(&c["status"], "locked");
            prop_assert!(c["saving"].is_null());
            prop_assert!(applied.iter().all(|a| a["couponId"] != c["couponId"]));
            let id = c["couponId"].as_str().unwrap();
            let def = coupon_def(&req, id);
            let class = if def["discount"].get("freeShipping").is_some() {
                2
            } else if def["purchase"].get("scope").is_some()
                || def["discount"].as_object().unwrap().values().next().unwrap().get("maxUnits").is_some()
                || ["amountPerItem", "fixedPrice", "buyXGetY", "freeGift"].iter().any(|k| def["discount"].get(*k).is_some())
            {
                0
            } else {
                1
            };
            let key = (class, -def["priority"].as_i64().unwrap(), position(id));
            let before = keys.iter().filter(|k| **k < key).count();
            let left = left_before(&req, &result, before);
            let value: i128 = scoped_lines(&req, def).iter().map(|&i| left[i]).sum();
            prop_assert_eq!(minor(&reason["params"]["current"], exp), value, "{}", c);
            prop_assert_eq!(minor(&reason["params"]["required"], exp), input_minor(&def["purchase"]["minValue"], exp));
            prop_assert!(value < input_minor(&def["purchase"]["minValue"], exp));
        }
    }

    /// Campaign budgets: what the coupons of one campaign take together fits in what
    /// is left of its budget, and a coupon that would not fit alone is exhausted.
    #[test]
    fn campaigns_never_overspend(req in campaign_request()) {
        let exp = exponent(&req);
        let result = run(&req);
        for camp in req["bundle"]["campaigns"].as_array().unwrap() {
            let room = (input_minor(&camp["budget"], exp) - input_minor(&camp["spent"], exp)).max(0);
            let taken: i128 = result["applied"].as_array().unwrap().iter()
                .filter(|a| coupon_def(&req, a["couponId"].as_str().unwrap())["campaign"] == camp["id"])
                .map(|a| minor(&a["amount"], exp))
                .sum();
            prop_assert!(taken <= room, "{} took {} of {}", camp["id"], taken, room);
        }
        for c in result["cards"].as_array().unwrap() {
            if reason_codes(c).iter().any(|r| r == "budget_exhausted") {
                prop_assert_eq!(&c["status"], "exhausted");
            }
        }
    }

    /// A coupon of a campaign alone: refused whole, `exhausted` with what is left, when
    /// its discount does not fit in what is left of the budget; otherwise the same
    /// discount as without the campaign.
    #[test]
    fn a_discount_that_does_not_fit_its_budget_is_refused_whole(req in campaign_request()) {
        let exp = exponent(&req);
        for c in req["bundle"]["coupons"].as_array().unwrap() {
            let Some(campaign) = c.get("campaign") else { continue };
            let camp = req["bundle"]["campaigns"].as_array().unwrap().iter().find(|k| k["id"] == *campaign).unwrap();
            let room = (input_minor(&camp["budget"], exp) - input_minor(&camp["spent"], exp)).max(0);
            let mut alone = req.clone();
            alone["bundle"]["coupons"] = json!([c]);
            let with_budget = run(&alone);
            alone["bundle"]["coupons"][0].as_object_mut().unwrap().remove("campaign");
            let free = minor(&run(&alone)["discountTotal"], exp);
            let card = &with_budget["cards"][0];
            if free > room {
                prop_assert_eq!(&card["status"], "exhausted", "{} saves {} of {}", c["id"], free, room);
                let reason = card["reasons"].as_array().unwrap().iter().find(|r| r["code"] == "budget_exhausted").unwrap();
                prop_assert_eq!(minor(&reason["params"]["remaining"], exp), room);
                prop_assert_eq!(minor(&with_budget["discountTotal"], exp), 0);
            } else {
                prop_assert_eq!(minor(&with_budget["discountTotal"], exp), free);
            }
        }
    }

    /// (4) Excluding sale items takes exactly the coupon's percent of the full-price
    /// lines of its scope, and with only sale lines in scope the card says so.
    #[test]
    fn a_percentage_off_full_price_items_takes_its_percent_of_them(
        pct in 1u32..=1000, min in proptest::option::of(0u64..400_000), lines in (0usize..6).prop_flat_map(|n| (0..n).map(|i| line(i, 2)).collect::<Vec<_>>()),
        scope in prop_oneof![Just(Value::Null), Just(json!({"collections": ["k1"]}))],
    ) {
        let mut purchase = json!({"excludeSaleItems": true});
        if !scope.is_null() {
            purchase["scope"] = scope.clone();
        }
        if let Some(m) = min {
            purchase["minValue"] = json!(amount(m, 2));
        }
        let percent = Decimal::new(i64::from(pct), 1).to_string();
        let coupon = json!({"id": "full", "application": "automatic", "discount": {"percentage": {"percent": percent}},
                            "purchase": purchase, "display": {"title": "Full price"}});
        let mut lines = lines;
        for l in &mut lines {
            l.as_object_mut().unwrap().remove("taxRate");
        }
        let req = inr_request(vec![coupon.clone()], lines);
        let result = run(&req);
        let mut in_scope = coupon.clone();
        in_scope["purchase"].as_object_mut().unwrap().remove("excludeSaleItems");
        let all = scoped_lines(&req, &in_scope);
        let full = scoped_lines(&req, &coupon);
        let subtotals = line_subtotals(&req);
        let value: i128 = full.iter().map(|&i| subtotals[i]).sum();
        let c = card(&result, "full");
        if all.is_empty() {
            prop_assert_eq!(reason_codes(c), vec!["no_eligible_items".to_string()]);
        } else if full.is_empty() {
            prop_assert_eq!(&c["status"], "locked");
            prop_assert_eq!(reason_codes(c), vec!["sale_items_excluded".to_string()]);
        } else if min.is_some_and(|m| value < i128::from(m)) {
            prop_assert_eq!(&c["status"], "locked");
            let reason = &c["reasons"][0];
            prop_assert_eq!(&reason["code"], "min_purchase_value");
            prop_assert_eq!(minor(&reason["params"]["current"], 2), value);
        } else {
            let (n, d) = ratio(&percent);
            prop_assert_eq!(minor(&result["discountTotal"], 2), div_round(value * n, d));
            let weights: Vec<i128> = full.iter().map(|&i| subtotals[i]).collect();
            let mut expected: Vec<(usize, i128)> = full.iter().copied().zip(largest_remainder(div_round(value * n, d), &weights)).collect();
            expected.retain(|e| e.1 > 0);
            let got: Vec<(usize, i128)> = result["applied"].as_array().unwrap().first().map_or(Vec::new(), |a| {
                a["lines"].as_array().unwrap().iter().map(|x| (line_index(&req, x["lineId"].as_str().unwrap()), minor(&x["amount"], 2))).collect()
            });
            prop_assert_eq!(got, expected);
        }
    }

    /// (6) Evaluating is deterministic, and every way in gives the same result.
    #[test]
    fn evaluation_is_deterministic_through_every_entry(req in campaign_request()) {
        let once = evaluate_json(&req.to_string()).unwrap();
        prop_assert_eq!(&once, &evaluate_json(&req.to_string()).unwrap());
        let r: Request = read_json("", &req.to_string()).unwrap();
        let engine = Engine::new(r.bundle.clone()).unwrap();
        let direct = coupon_engine::json::to_json(&engine.evaluate(&r.customer, &r.cart, &r.context).unwrap());
        prop_assert_eq!(&once, &direct);
        let shopper = engine.shopper(r.customer.clone()).unwrap();
        let session = coupon_engine::json::to_json(&engine.evaluate_for(&shopper, &r.cart, &r.context).unwrap());
        prop_assert_eq!(&once, &session);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    /// (2) A unit cap of N discounts at most N units, the most expensive first by what
    /// is left of each, and takes exactly the README's amount: a percentage or fixed
    /// amount on the chosen units' value (split by largest remainder over their
    /// lines), an amount per item off each chosen unit, never more than the unit.
    #[test]
    fn unit_caps_pick_the_dearest_units_and_take_the_readme_amount(
        capped in unit_cap_coupon(), first in earlier_coupon(), lines in prop_oneof![unit_lines(6), tied_lines(6)]
    ) {
        let mut coupons: Vec<Value> = first.into_iter().collect();
        coupons.push(capped.clone());
        let req = inr_request(coupons, lines);
        let result = run(&req);
        let applied = result["applied"].as_array().unwrap();
        let k = applied.iter().position(|a| a["couponId"] == "capped");
        let left = left_before(&req, &result, k.unwrap_or(applied.len()));
        let qty: Vec<i128> = req["cart"]["lines"].as_array().unwrap().iter().map(|l| i128::from(l["quantity"].as_u64().unwrap() as u32)).collect();
        let (kind, body) = capped["discount"].as_object().unwrap().iter().next().unwrap();
        let max = i128::from(body["maxUnits"].as_u64().unwrap() as u32);
        let chosen = dearest_units(&scoped_lines(&req, &capped), &left, &qty, max);
        prop_assert!(chosen.iter().map(|c| c.1).sum::<i128>() <= max);
        let mut expected: Vec<(usize, i128)> = match kind.as_str() {
            "amountPerItem" => {
                let each = input_minor(&body["amount"], 2);
                chosen.iter().map(|&(i, c, v)| (i, v.min(each * c))).collect()
            }
            _ => {
                let base: i128 = chosen.iter().map(|c| c.2).sum();
                let amount = if kind == "percentage" {
                    let (n, d) = ratio(body["percent"].as_str().unwrap());
                    let p = div_round(base * n, d);
                    body.get("cap").map_or(p, |c| p.min(input_minor(c, 2)))
                } else {
                    input_minor(&body["amount"], 2)
                };
                let weights: Vec<i128> = chosen.iter().map(|c| c.2).collect();
                chosen.iter().map(|c| c.0).zip(largest_remainder(amount.min(base), &weights)).collect()
            }
        };
        expected.retain(|e| e.1 > 0);
        let got: Vec<(usize, i128)> = k.map_or(Vec::new(), |k| {
            applied[k]["lines"].as_array().unwrap().iter()
                .map(|p| (line_index(&req, p["lineId"].as_str().unwrap()), minor(&p["amount"], 2)))
                .collect()
        });
        if k.is_none() && !expected.is_empty() {
            // Left out of the combination: only when the other coupon saves more alone.
            let c = card(&result, "capped");
            prop_assert!(reason_codes(c).iter().any(|r| r == "not_combinable" || r == "lower_saving"), "{}", c);
            return Ok(());
        }
        prop_assert_eq!(got, expected, "{}", serde_json::to_string(&req).unwrap());
    }

    /// (2) Each or across: an amount per item comes off every scoped unit (at most the
    /// unit's value); a fixed amount is spread across the scoped lines, exactly the
    /// amount or their whole subtotal, whichever is less.
    #[test]
    fn each_takes_off_every_unit_and_across_spreads_exactly(
        each in 1u64..30_000, across in 1u64..300_000, lines in unit_lines(6),
        scope in prop_oneof![Just(Value::Null), Just(json!({"products": ["p0", "p1"]}))],
    ) {
        let coupon = |id: &str, discount: Value| {
            let mut c = json!({"id": id, "application": "automatic", "discount": discount, "display": {"title": id}});
            if !scope.is_null() {
                c["purchase"] = json!({"scope": scope});
            }
            c
        };
        let per_item = coupon("each", json!({"amountPerItem": {"amount": amount(each, 2)}}));
        let spread = coupon("across", json!({"fixedAmount": {"amount": amount(across, 2)}}));
        let subtotals = line_subtotals(&inr_request(vec![], lines.clone()));
        for (c, is_each) in [(per_item, true), (spread, false)] {
            let req = inr_request(vec![c.clone()], lines.clone());
            let result = run(&req);
            let scoped = scoped_lines(&req, &c);
            let got: Vec<(usize, i128)> = result["applied"].as_array().unwrap().first().map_or(Vec::new(), |a| {
                a["lines"].as_array().unwrap().iter()
                    .map(|p| (line_index(&req, p["lineId"].as_str().unwrap()), minor(&p["amount"], 2)))
                    .collect()
            });
            let mut expected: Vec<(usize, i128)> = if is_each {
                scoped.iter().map(|&i| {
                    let q = i128::from(req["cart"]["lines"][i]["quantity"].as_u64().unwrap() as u32);
                    let unit = input_minor(&req["cart"]["lines"][i]["unitPrice"], 2);
                    (i, q * unit.min(i128::from(each)))
                }).collect()
            } else {
                let weights: Vec<i128> = scoped.iter().map(|&i| subtotals[i]).collect();
                scoped.iter().copied().zip(largest_remainder(i128::from(across), &weights)).collect()
            };
            expected.retain(|e| e.1 > 0);
            prop_assert_eq!(got, expected);
        }
    }

    /// (3) "Most expensive" rewards never give less than "cheapest" (the default).
    #[test]
    fn the_dearest_reward_never_saves_less_than_the_cheapest(bxgy in bxgy_coupon(), lines in unit_lines(6)) {
        let saving = |reward| {
            let req = inr_request(vec![with_reward(&bxgy, reward)], lines.clone());
            minor(&run(&req)["discountTotal"], 2)
        };
        let (default, cheapest, dearest) = (saving(None), saving(Some("cheapest")), saving(Some("mostExpensive")));
        prop_assert_eq!(default, cheapest);
        prop_assert!(dearest >= cheapest, "mostExpensive saves {} < cheapest {}", dearest, cheapest);
    }

    /// (3) and (6) with equal units on several lines: the reward order and the cart's
    /// line order change which of the equal units is rewarded, never how many.
    #[test]
    fn buy_x_get_y_with_equal_units_is_independent_of_line_order(
        bxgy in bxgy_coupon(), lines in tied_lines(6), seed in any::<u64>(), dearest in any::<bool>(),
    ) {
        let coupon = with_reward(&bxgy, Some(if dearest { "mostExpensive" } else { "cheapest" }));
        let a = run(&inr_request(vec![coupon.clone()], lines.clone()));
        let b = run(&inr_request(vec![coupon.clone()], shuffled(&lines, seed)));
        prop_assert_eq!(&a["discountTotal"], &b["discountTotal"], "{}\n{}", coupon, serde_json::to_string(&lines).unwrap());
        let cheapest = run(&inr_request(vec![with_reward(&bxgy, None)], lines.clone()));
        let dearest = run(&inr_request(vec![with_reward(&bxgy, Some("mostExpensive"))], lines.clone()));
        prop_assert!(minor(&dearest["discountTotal"], 2) >= minor(&cheapest["discountTotal"], 2));
    }

    /// A choice of gifts gives the first of them, in the coupon's order, that the cart
    /// holds; with none of them in the cart, every choice is listed to add, in order.
    #[test]
    fn a_gift_choice_gives_the_first_choice_in_the_cart(
        choices in proptest::sample::subsequence(vec!["p0", "p1", "p2", "p3", "p5"], 1..=4).prop_shuffle(),
        quantity in proptest::option::of(1u32..4), lines in unit_lines(5),
    ) {
        let mut gift = json!({"productIds": choices});
        if let Some(q) = quantity {
            gift["quantity"] = json!(q);
        }
        let coupon = json!({"id": "gift", "application": "automatic", "discount": {"freeGift": gift}, "display": {"title": "G"}});
        let req = inr_request(vec![coupon], lines);
        let result = run(&req);
        let cart = req["cart"]["lines"].as_array().unwrap();
        let held = choices.iter().find(|p| cart.iter().any(|l| l["productId"] == **p));
        match held {
            Some(p) => {
                // The `quantity` cheapest units of that product, equal prices in cart order.
                let mut need = i128::from(quantity.unwrap_or(1));
                let mut expected = Vec::new();
                let mut of_product: Vec<(usize, &Value)> = cart.iter().enumerate().filter(|(_, l)| l["productId"] == *p).collect();
                of_product.sort_by_key(|(i, l)| (input_minor(&l["unitPrice"], 2), *i));
                for (i, l) in of_product {
                    let take = need.min(i128::from(l["quantity"].as_u64().unwrap() as u32));
                    if take > 0 {
                        expected.push((i, take * input_minor(&l["unitPrice"], 2)));
                    }
                    need -= take;
                }
                expected.retain(|e| e.1 > 0);
                let got: Vec<(usize, i128)> = result["applied"].as_array().unwrap().first().map_or(Vec::new(), |a| {
                    a["lines"].as_array().unwrap().iter()
                        .map(|x| (line_index(&req, x["lineId"].as_str().unwrap()), minor(&x["amount"], 2)))
                        .collect()
                });
                prop_assert_eq!(got, expected);
                prop_assert!(result["giftsToAdd"].as_array().unwrap().is_empty());
            }
            None => {
                let c = card(&result, "gift");
                if cart.is_empty() {
                    // No eligible items at all: locked, and no gift is offered to add.
                    prop_assert_eq!(&c["status"], "locked");
                    prop_assert!(reason_codes(c).contains(&"no_eligible_items".to_string()));
                    prop_assert!(result["giftsToAdd"].as_array().unwrap().is_empty());
                    return Ok(());
                }
                prop_assert_eq!(&c["status"], "available");
                let want = if choices.len() == 1 { "gift_not_in_cart" } else { "gift_choice_not_in_cart" };
                prop_assert!(reason_codes(c).iter().any(|r| r == want), "{}", c);
                let listed: Vec<&str> = result["giftsToAdd"].as_array().unwrap().iter().map(|g| g["productId"].as_str().unwrap()).collect();
                prop_assert_eq!(listed, choices.clone());
            }
        }
    }

    /// (6) The discount does not depend on the order of the cart's lines: for one
    /// coupon on the whole cart the units it picks are by price, and ties between equal
    /// units change which line is named, never how much comes off.
    #[test]
    fn the_saving_does_not_depend_on_line_order(
        discount in campaign_discount(2), lines in unit_lines(6), seed in any::<u64>(),
    ) {
        let (discount, _) = discount;
        let coupon = json!({"id": "one", "application": "automatic", "discount": discount, "display": {"title": "One"}});
        let req = inr_request(vec![coupon.clone()], lines.clone());
        let other = inr_request(vec![coupon], shuffled(&lines, seed));
        let (a, b) = (run(&req), run(&other));
        prop_assert_eq!(&a["discountTotal"], &b["discountTotal"], "{}\nvs\n{}", serde_json::to_string(&req).unwrap(), serde_json::to_string(&other).unwrap());
        prop_assert_eq!(&a["cards"][0]["status"], &b["cards"][0]["status"]);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 250, ..ProptestConfig::default() })]

    /// (7) A scheduled coupon applies at `now` iff `now` falls in its weekly hours at
    /// the merchant's offset in force then; closed, its card names the real next
    /// opening (instant, day, time and days ahead on the merchant's clock) within 15
    /// days and before its end, or says it does not open again; open, it counts down
    /// to the real close.
    #[test]
    fn schedules_open_exactly_in_their_hours_and_name_the_next_opening(case in schedule_case()) {
        let (windows, changes, now, end) = case;
        let req = schedule_request(&windows, &changes, now, end);
        let result = run(&req);
        let open = open_at(&windows, &changes, now);
        let c = &result["cards"][0];
        prop_assert_eq!(result["applied"].as_array().unwrap().len() == 1, open, "{}\n{}", req, c);
        let until = end.map_or(now + 15 * DAY, |e| e.min(now + 15 * DAY));
        let change = brute_next(&windows, &changes, now, until, !open);
        if open {
            prop_assert_eq!(&c["status"], "applied");
            let expires = change.or(end).map(utc_text);
            prop_assert_eq!(c["expiresAt"].as_str().map(str::to_string), expires, "{}", req);
        } else if let Some(at) = change {
            prop_assert_eq!(&c["status"], "locked", "{}", c);
            let reason = c["reasons"].as_array().unwrap().iter().find(|r| r["code"] == "outside_schedule").unwrap();
            let (day, second) = local(&changes, at);
            let params = &reason["params"];
            prop_assert_eq!(params["opensAt"].as_str().unwrap(), utc_text(at), "{}", req);
            prop_assert_eq!(params["day"].as_str().unwrap(), DAYS[weekday(day)]);
            prop_assert_eq!(params["time"].as_str().unwrap(), format!("{:02}:{:02}", second / 3600, second % 3600 / 60));
            // Days ahead on the merchant's calendar. A clock set back past midnight can
            // open the hours on the calendar day before today's; the card then says
            // "today" (0), as it has no word for yesterday.
            prop_assert_eq!(params["inDays"].as_i64().unwrap(), (day - local(&changes, now).0).max(0));
        } else {
            prop_assert_eq!(&c["status"], "expired", "{}\n{}", req, c);
            prop_assert_eq!(reason_codes(c), vec!["schedule_ended".to_string()]);
        }
    }
}

// ---------------------------------------------------------------------------------
// Plain cases

/// Vendure's case: 50% off a jacket at 83.33 before 20% tax (100.00 with it) leaves it
/// at 41.67 before tax and 50.00 with it, 8.33 of it tax.
#[test]
fn vendures_half_off_a_taxed_jacket() {
    let coupon = json!({"id": "half", "application": "automatic", "discount": {"percentage": {"percent": "50"}}, "display": {"title": "Half"}});
    let req = json!({"bundle": {"currency": "EUR", "coupons": [coupon]}, "customer": {"id": "me"},
        "cart": {"currency": "EUR", "pricesIncludeTax": true,
                 "lines": [{"id": "l1", "productId": "jacket", "unitPrice": "100.00", "quantity": 1, "taxRate": "20"}]},
        "context": {"now": "2026-11-22T10:00:00Z"}});
    let t = &run(&req)["lines"][0]["tax"]["amounts"];
    assert_eq!(t["subtotalExTax"], "83.33");
    assert_eq!(t["totalExTax"], "41.67");
    assert_eq!(t["totalWithTax"], "50.00");
    assert_eq!(t["tax"], "8.33");
    assert_eq!(t["discountWithTax"], "50.00");
    assert_eq!(t["discountExTax"], "41.66");
}

/// The README's GST example, the kettle's line: ₹317.60 of the ₹500, ₹269.15 without
/// its 18% GST; it pays ₹1,681.40, ₹1,424.92 without tax and ₹256.48 tax.
#[test]
fn the_readme_gst_kettle_line() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/18-prices-with-gst.json"
    ))
    .unwrap();
    let req: Value = serde_json::from_str(&text).unwrap();
    let result = run(&req);
    let kettle = result["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["lineId"] == "l2")
        .unwrap();
    assert_eq!(kettle["discount"], "317.60");
    let t = &kettle["tax"]["amounts"];
    assert_eq!(
        (
            &t["discountExTax"],
            &t["totalWithTax"],
            &t["totalExTax"],
            &t["tax"]
        ),
        (
            &json!("269.15"),
            &json!("1681.40"),
            &json!("1424.92"),
            &json!("256.48")
        )
    );
}
