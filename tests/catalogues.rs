//! The message catalogues of the package's presentation layer (`messages/*.json`,
//! rendered by `wasm/js/localize.js`) against the reasons the core can emit: every
//! reason code, and every progress line, has its messages in each catalogue, and a
//! template names only values its code provides: the code's params (as the core
//! writes them) plus the few values localize.js derives from them.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::PathBuf;

use coupon_engine::model::{ReasonKind, Timestamp};
use coupon_engine::money::{Amount, Percent};
use serde_json::Value;

/// One of each reason, and its index in the exhaustive match below: a new variant
/// fails to compile there until it has a sample here.
fn samples() -> Vec<ReasonKind> {
    use ReasonKind::*;
    let at = || Timestamp::parse("2026-12-01T00:00:00+05:30").unwrap();
    let money = |s: &str| Amount::parse(s).unwrap();
    let percent = |s: &str| Percent::parse(s).unwrap();
    let ids = || vec!["a".to_string(), "b".to_string()];
    vec![
        NotStarted { starts_at: at() },
        Ended { ended_at: at() },
        ValidityEnded {
            segment_id: "s".into(),
            ended_at: at(),
        },
        ValidityUnknown {
            segment_id: "s".into(),
        },
        GlobalLimitReached { limit: 10 },
        BudgetExhausted {
            campaign_id: "c".into(),
            remaining: money("1.00"),
        },
        BudgetShared {
            campaign_id: "c".into(),
            remaining: money("1.00"),
        },
        CustomerLimitReached { limit: 2, used: 2 },
        NotInAudience {},
        NotInSegment {
            segment_id: "s".into(),
        },
        FirstOrderOnly { previous_orders: 1 },
        OrderCountMismatch { previous_orders: 1 },
        MorePreviousOrders {
            required: 3,
            current: 1,
        },
        MinOrders {
            required: 3,
            current: 1,
            period: Some("90 days".into()),
        },
        MinSpend {
            required: money("10.00"),
            current: money("1.00"),
            period: None,
        },
        UsedCouponRequired {
            code: "W".into(),
            period: None,
        },
        MorePurchases {
            required: 2,
            current: 1,
            product_ids: Some(ids()),
        },
        ProductNotBought {
            product_id: "p".into(),
            price_tier_id: Some("t".into()),
        },
        CourseIncomplete {
            course_id: "c".into(),
            course_name: None,
            required: percent("95"),
            current: percent("94.9"),
        },
        MinPurchaseValue {
            required: money("10.00"),
            current: money("1.00"),
        },
        MinValueAfterDiscounts {
            required: money("10.00"),
            current: money("1.00"),
        },
        MaxPurchaseValue {
            limit: money("10.00"),
            current: money("11.00"),
        },
        MinQuantity {
            required: 3,
            current: 1,
        },
        MaxQuantity {
            limit: 3,
            current: 4,
        },
        NoEligibleItems {},
        SaleItemsExcluded {},
        CodNotAllowed {},
        CodeNotEntered {},
        NotCombinable {
            coupon_id: "c".into(),
            title: "t".into(),
        },
        NothingToDiscount {},
        LowerSaving {},
        NotChosen {},
        TooManyCodes { max: 2 },
        GiftNotInCart {
            product_id: "p".into(),
            quantity: 1,
        },
        GiftChoiceNotInCart {
            product_ids: ids(),
            quantity: 1,
        },
        ShippingNotEligible {},
        BuyXGetYIncomplete { buy: 2, get: 1 },
        ComboIncomplete { missing: ids() },
        OutsideSchedule {
            opens_at: at(),
            day: "sat".into(),
            time: "17:00".into(),
            in_days: 2,
        },
        ScheduleEnded {},
    ]
}

fn index(kind: &ReasonKind) -> usize {
    use ReasonKind::*;
    match kind {
        NotStarted { .. } => 0,
        Ended { .. } => 1,
        ValidityEnded { .. } => 2,
        ValidityUnknown { .. } => 3,
        GlobalLimitReached { .. } => 4,
        BudgetExhausted { .. } => 5,
        BudgetShared { .. } => 6,
        CustomerLimitReached { .. } => 7,
        NotInAudience {} => 8,
        NotInSegment { .. } => 9,
        FirstOrderOnly { .. } => 10,
        OrderCountMismatch { .. } => 11,
        MorePreviousOrders { .. } => 12,
        MinOrders { .. } => 13,
        MinSpend { .. } => 14,
        UsedCouponRequired { .. } => 15,
        MorePurchases { .. } => 16,
        ProductNotBought { .. } => 17,
        CourseIncomplete { .. } => 18,
        MinPurchaseValue { .. } => 19,
        MaxPurchaseValue { .. } => 20,
        MinQuantity { .. } => 21,
        MaxQuantity { .. } => 22,
        NoEligibleItems {} => 23,
        CodNotAllowed {} => 24,
        CodeNotEntered {} => 25,
        NotCombinable { .. } => 26,
        NothingToDiscount {} => 27,
        LowerSaving {} => 28,
        NotChosen {} => 29,
        TooManyCodes { .. } => 30,
        GiftNotInCart { .. } => 31,
        GiftChoiceNotInCart { .. } => 32,
        ShippingNotEligible {} => 33,
        BuyXGetYIncomplete { .. } => 34,
        ComboIncomplete { .. } => 35,
        MinValueAfterDiscounts { .. } => 36,
        SaleItemsExcluded {} => 37,
        OutsideSchedule { .. } => 38,
        ScheduleEnded {} => 39,
    }
}
const VARIANTS: usize = 40;

/// The keys each code needs (its variants: a lifetime period, a secret code, …) and
/// the values localize.js derives beside its params.
fn variants(code: &str) -> (&'static [&'static str], &'static [&'static str]) {
    match code {
        "budget_exhausted" => (&["", ".empty"], &[]),
        "min_orders" | "min_spend" | "used_coupon_required" => (&["", ".lifetime"], &[]),
        "more_purchases" => (&["", ".products"], &[]),
        "product_not_bought" => (&["", ".tier"], &[]),
        "course_incomplete" => (&[""], &["course"]),
        "min_purchase_value" | "min_value_after_discounts" | "min_quantity" => (&[""], &["short"]),
        "code_not_entered" => (&["", ".secret"], &["code"]),
        "outside_schedule" => (&["", ".today", ".tomorrow"], &["weekday"]),
        _ => (&[""], &[]),
    }
}

/// The progress line's keys for a code that has one (the core's `progress_of`).
fn progress_variants(code: &str) -> &'static [&'static str] {
    match code {
        "min_purchase_value" | "min_value_after_discounts" | "min_quantity" => {
            &["", ".scoped", ".sale", ".scoped.sale"]
        }
        "min_spend" => &["", ".lifetime"],
        "min_orders" | "more_previous_orders" | "more_purchases" | "course_incomplete" => &[""],
        _ => &[],
    }
}

const PROGRESS_FIGURES: [&str; 5] = ["current", "target", "remaining", "percent", "scope"];

/// Every key a catalogue needs, with the names its templates may use.
fn needed() -> BTreeMap<String, BTreeSet<String>> {
    let samples = samples();
    let covered: BTreeSet<usize> = samples.iter().map(index).collect();
    assert_eq!(covered.len(), VARIANTS, "a sample for every reason code");
    let mut keys = BTreeMap::new();
    let set = |names: &[&str]| {
        names
            .iter()
            .map(ToString::to_string)
            .collect::<BTreeSet<_>>()
    };
    for kind in &samples {
        let json = serde_json::to_value(kind).unwrap();
        let code = json["code"].as_str().unwrap().to_string();
        let mut names: BTreeSet<String> = json["params"]
            .as_object()
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default();
        let (suffixes, extra) = variants(&code);
        names.extend(set(extra));
        for suffix in suffixes {
            keys.insert(format!("{code}{suffix}"), names.clone());
        }
        let mut progress = names.clone();
        progress.extend(set(&PROGRESS_FIGURES));
        for suffix in progress_variants(&code) {
            keys.insert(format!("progress.{code}{suffix}"), progress.clone());
        }
    }
    let next_tier = set(&["current", "target", "remaining", "percent", "reward"]);
    keys.insert("progress.next_tier".into(), next_tier.clone());
    keys.insert("progress.next_tier.amount".into(), next_tier);
    keys.insert("unknown_code".into(), set(&["code"]));
    keys.insert(
        "date".into(),
        set(&["day", "month", "year", "hour", "minute", "zone"]),
    );
    for unit in ["month", "week", "day", "hour", "minute"] {
        keys.insert(format!("unit.{unit}"), set(&["count"]));
    }
    for day in ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] {
        keys.insert(format!("weekday.{day}"), BTreeSet::new());
    }
    keys.insert("list.comma".into(), BTreeSet::new());
    keys.insert("list.or".into(), BTreeSet::new());
    keys
}

/// A key without its plural or exact-number form: `min_quantity.few` is `min_quantity`.
fn without_form(key: &str) -> &str {
    const FORMS: [&str; 6] = ["zero", "one", "two", "few", "many", "other"];
    match key.rsplit_once('.') {
        Some((base, form)) if FORMS.contains(&form) || form.bytes().all(|b| b.is_ascii_digit()) => {
            base
        }
        _ => key,
    }
}

fn placeholders(template: &str) -> Vec<&str> {
    template
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect()
}

fn catalogues() -> Vec<(String, serde_json::Map<String, Value>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("messages");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .expect("messages/ exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let doc: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap())
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            let Value::Object(map) = doc else {
                panic!("{name}: not an object")
            };
            (name, map)
        })
        .collect()
}

#[test]
fn every_catalogue_has_every_message_with_only_its_codes_values() {
    let needed = needed();
    let catalogues = catalogues();
    let names: Vec<&str> = catalogues.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["en.json", "hi.json", "uk.json"]);
    let mut failures = Vec::new();
    for (name, catalogue) in &catalogues {
        for key in needed.keys() {
            if !catalogue.contains_key(key) {
                failures.push(format!("{name}: no {key:?}"));
            }
        }
        for (key, template) in catalogue {
            let Some(allowed) = needed.get(without_form(key)) else {
                failures.push(format!("{name}: {key:?} is no message key"));
                continue;
            };
            let Some(text) = template.as_str() else {
                failures.push(format!("{name}: {key:?} is not text"));
                continue;
            };
            for placeholder in placeholders(text) {
                if !allowed.contains(placeholder) {
                    failures.push(format!(
                        "{name}: {key:?} names {{{placeholder}}}, not one of {allowed:?}"
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_checks_catch_a_missing_message_and_an_unknown_value() {
    let needed = needed();
    assert!(needed.contains_key("course_incomplete"));
    assert!(needed.contains_key("progress.min_spend.lifetime"));
    assert!(!needed.contains_key("progress.ended"));
    let allowed = &needed["min_purchase_value"];
    assert!(allowed.contains("short") && allowed.contains("required"));
    assert!(!allowed.contains("amount"));
    assert_eq!(placeholders("Add {short} more of {x}"), ["short", "x"]);
    assert_eq!(without_form("min_quantity.few"), "min_quantity");
    assert_eq!(
        without_form("customer_limit_reached.1"),
        "customer_limit_reached"
    );
    assert_eq!(without_form("min_spend.lifetime"), "min_spend.lifetime");
}
