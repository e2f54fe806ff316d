//! Attacks on the newer features of the order server (history conditions, campaign
//! budgets, code batches, gift and reward choices, unit caps) and malformed bodies,
//! each refused, beside the honest path that still works.

mod common;

use common::*;
use serde_json::{json, Value};

/// Places `want` for `customer` with the honest claim under `key`.
async fn place_honest(
    server: &Server,
    client: &reqwest::Client,
    customer: &str,
    want: &Want,
    key: &str,
) -> (u16, Value) {
    let claimed = claim(server, client, customer, want).await;
    post(
        client,
        &server.url("/api/orders"),
        &order(key, want, &claimed),
    )
    .await
}

/// The databases every race runs on: SQLite in `d`, and a fresh PostgreSQL database.
async fn databases(d: &std::path::Path, prefix: &str) -> Vec<String> {
    vec![sqlite(d), postgres_database(prefix).await]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_first_order_discount_is_given_once_however_many_orders_race() {
    let store = shop(
        json!([{"id": "first20", "application": "automatic", "orderScope": "firstOrder",
                "discount": {"percentage": {"percent": "20"}}, "display": {"title": "20% off a first order"}}]),
        1,
    );
    let d = dir("first-race");
    for database in databases(&d, "attack_first_race").await {
        let server = start(&d, &store, &database, &["--max-open", "10"]);
        let client = signed_in(&server, "c0").await;
        let want = Want::default();
        // Every claim made before any order is placed: each says "first order".
        let claimed = claim(&server, &client, "c0", &want).await;
        assert_eq!(claimed["discountTotal"], "20.00", "{claimed}");
        let tasks: Vec<_> = (0..8)
            .map(|i| {
                let (client, url, body) = (
                    client.clone(),
                    server.url("/api/orders"),
                    order(&format!("race-{i}"), &want, &claimed),
                );
                tokio::spawn(async move { post(&client, &url, &body).await })
            })
            .collect();
        let mut discounted = 0;
        for t in tasks {
            let (status, answer) = t.await.unwrap();
            eprintln!(
                "DEBUG {status} {}",
                answer.to_string().chars().take(300).collect::<String>()
            );
            match status {
                201 => {
                    assert_eq!(answer["discountTotal"], "20.00", "{answer}");
                    discounted += 1;
                }
                _ => assert_eq!(
                    (status, &answer["code"]),
                    (409, &json!("claim_rejected")),
                    "{database}: {answer}"
                ),
            }
        }
        assert_eq!(discounted, 1, "{database}: first-order discounts given");
        // The honest next order, without the discount, goes through.
        let (status, placed) = place_honest(&server, &client, "c0", &want, "second").await;
        assert_eq!(
            (status, &placed["discountTotal"]),
            (201, &json!("0.00")),
            "{placed}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn unpaid_reservations_do_not_earn_a_loyalty_discount() {
    // 15% off from the third order on, and ₹40 off once ₹200 has been spent.
    let store = shop(
        json!([
            {"id": "loyal15", "application": "automatic", "orderScope": {"orderCount": {"minPrevious": 2}},
             "discount": {"percentage": {"percent": "15"}}, "display": {"title": "15% off your third order on"},
             "combinesWith": ["order"]},
            {"id": "spent200", "application": "automatic", "behavior": {"minSpend": "200.00"},
             "discount": {"fixedAmount": {"amount": "40.00"}}, "display": {"title": "₹40 off after ₹200 spent"},
             "combinesWith": ["order"]},
            {"id": "ten", "code": "TEN", "application": "code",
             "discount": {"fixedAmount": {"amount": "10.00"}}, "display": {"title": "₹10 off"}}
        ]),
        2,
    );
    let d = dir("unpaid-history");
    let server = start(&d, &store, &sqlite(&d), &["--max-open", "5"]);
    let url = server.url("/api/orders");
    let client = signed_in(&server, "c0").await;
    let mug = Want {
        lines: vec![("mug", 1)],
        ..Want::default()
    };
    // Two orders of tea reserved and never paid: the history the summary shows counts
    // them, so a device offers both discounts on the third ...
    let mut reserved = Vec::new();
    for key in ["pump-1", "pump-2"] {
        let (status, placed) = place_honest(&server, &client, "c0", &Want::default(), key).await;
        assert_eq!(
            (status, &placed["discountTotal"]),
            (201, &json!("0.00")),
            "{placed}"
        );
        reserved.push(placed["orderId"].as_str().unwrap().to_string());
    }
    let claimed = claim(&server, &client, "c0", &mug).await;
    assert_eq!(claimed["discountTotal"], "77.50", "{claimed}");
    // ... which the server refuses: cancelled afterwards, they would have bought it.
    let (status, answer) = post(&client, &url, &order("third", &mug, &claimed)).await;
    assert_eq!(
        (
            status,
            &answer["code"],
            &answer["path"],
            &answer["couponId"]
        ),
        (
            409,
            &json!("unpaid_orders"),
            &json!("claimed.applied"),
            &json!("loyal15")
        ),
        "{answer}"
    );
    // Claiming only the spend discount is refused the same way.
    let mut spend_only = claimed.clone();
    spend_only["applied"] = json!([{"couponId": "spent200", "amount": "40.00"}]);
    spend_only["discountTotal"] = json!("40.00");
    spend_only["totalAfter"] = json!("210.00");
    let (status, answer) = post(&client, &url, &order("spend-only", &mug, &spend_only)).await;
    assert_eq!(
        (status, &answer["code"]),
        (409, &json!("claim_rejected")),
        "{answer}"
    );
    // Paid, they count: the same claim goes through.
    for id in &reserved {
        let (status, _) =
            post_empty(&client, &server.url(&format!("/api/orders/{id}/confirm"))).await;
        assert_eq!(status, 200);
    }
    let (status, placed) = post(&client, &url, &order("third", &mug, &claimed)).await;
    assert_eq!(
        (status, &placed["discountTotal"]),
        (201, &json!("77.50")),
        "{placed}"
    );
    // A discount that needs no history is given beside an open reservation.
    let c1 = signed_in(&server, "c1").await;
    let (status, _) = place_honest(&server, &c1, "c1", &Want::default(), "open").await;
    assert_eq!(status, 201);
    let ten = Want {
        codes: vec!["TEN"],
        ..Want::default()
    };
    let (status, placed) = place_honest(&server, &c1, "c1", &ten, "beside").await;
    assert_eq!(
        (status, &placed["discountTotal"]),
        (201, &json!("10.00")),
        "{placed}"
    );
}

/// A shop with ₹25 off the mug and ₹15 off tea, both drawing on campaign `diwali`,
/// whose budget of ₹100 had `spent` spent elsewhere.
fn budget_shop(spent: &str, customers: usize) -> Value {
    let mut store = shop(
        json!([
            {"id": "mug25", "application": "automatic", "campaign": "diwali", "combinesWith": ["product"],
             "discount": {"fixedAmount": {"amount": "25.00"}}, "purchase": {"scope": {"products": ["mug"]}},
             "display": {"title": "₹25 off mugs"}},
            {"id": "tea15", "application": "automatic", "campaign": "diwali", "combinesWith": ["product"],
             "discount": {"fixedAmount": {"amount": "15.00"}}, "purchase": {"scope": {"products": ["tea"]}},
             "display": {"title": "₹15 off tea"}}
        ]),
        customers,
    );
    store["bundle"]["campaigns"] = json!([{"id": "diwali", "budget": "100.00", "spent": spent}]);
    store
}

/// The campaign's spent budget as the published bundle says.
async fn published_spent(server: &Server) -> Value {
    let token = get_json(&anonymous(), &server.url("/api/bundle")).await["token"]
        .as_str()
        .unwrap()
        .to_string();
    payload(&token)["bundle"]["campaigns"][0]["spent"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_campaign_budget_is_never_overspent_by_racing_orders() {
    let d = dir("budget-race");
    for database in databases(&d, "attack_budget_race").await {
        // ₹60 left: two ₹25 mugs fit, a third does not.
        let server = start(&d, &budget_shop("40.00", 12), &database, &[]);
        let mug = Want {
            lines: vec![("mug", 1)],
            ..Want::default()
        };
        // Twelve shoppers each claim the discount on the same published budget, then
        // place their orders at once.
        let mut ready = Vec::new();
        for i in 0..12 {
            let customer = format!("c{i}");
            let client = signed_in(&server, &customer).await;
            let claimed = claim(&server, &client, &customer, &mug).await;
            assert_eq!(claimed["discountTotal"], "25.00", "{claimed}");
            ready.push((client, order("race", &mug, &claimed)));
        }
        let tasks: Vec<_> = ready
            .into_iter()
            .map(|(client, body)| {
                let url = server.url("/api/orders");
                tokio::spawn(async move { post(&client, &url, &body).await })
            })
            .collect();
        let mut given = 0;
        for t in tasks {
            let (status, answer) = t.await.unwrap();
            if status == 201 {
                assert_eq!(answer["discountTotal"], "25.00", "{answer}");
                given += 1;
            } else {
                assert!(
                    status == 409
                        && (answer["code"] == "budget_exhausted"
                            || answer["code"] == "claim_rejected"),
                    "{database}: {status} {answer}"
                );
            }
        }
        assert_eq!(given, 2, "{database}");
        assert_eq!(published_spent(&server).await, "90.00", "{database}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_coupons_racing_for_one_campaigns_budget_never_overspend_it() {
    let d = dir("budget-shared");
    for database in databases(&d, "attack_budget_shared").await {
        // ₹60 left, drawn on by ₹25 off mugs and ₹15 off tea from twelve shoppers at once.
        let server = start(&d, &budget_shop("40.00", 12), &database, &[]);
        let mut ready = Vec::new();
        for i in 0..12 {
            let customer = format!("c{i}");
            let client = signed_in(&server, &customer).await;
            let want = Want {
                lines: vec![(if i % 2 == 0 { "mug" } else { "tea" }, 1)],
                ..Want::default()
            };
            let claimed = claim(&server, &client, &customer, &want).await;
            ready.push((client, order("race", &want, &claimed)));
        }
        let tasks: Vec<_> = ready
            .into_iter()
            .map(|(client, body)| {
                let url = server.url("/api/orders");
                tokio::spawn(async move { post(&client, &url, &body).await })
            })
            .collect();
        let mut given = 0;
        for t in tasks {
            let (status, answer) = t.await.unwrap();
            match status {
                201 => {
                    given += answer["discountTotal"]
                        .as_str()
                        .unwrap()
                        .strip_suffix(".00")
                        .unwrap()
                        .parse::<i64>()
                        .unwrap();
                }
                _ => assert!(
                    status == 409
                        && (answer["code"] == "budget_exhausted"
                            || answer["code"] == "claim_rejected"),
                    "{database}: {status} {answer}"
                ),
            }
        }
        assert!(given > 0 && given <= 60, "{database}: ₹{given} given");
        assert_eq!(
            published_spent(&server).await,
            json!(format!("{}.00", 40 + given)),
            "{database}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_discount_larger_than_the_budget_left_is_not_given_in_part() {
    let d = dir("budget-part");
    // ₹20 left: the ₹25 off the mug does not fit, the ₹15 off tea does; both from one
    // campaign in one order take ₹40, which does not fit either.
    let server = start(&d, &budget_shop("80.00", 2), &sqlite(&d), &[]);
    let url = server.url("/api/orders");
    let client = signed_in(&server, "c0").await;
    let both = Want {
        lines: vec![("mug", 1), ("tea", 1)],
        ..Want::default()
    };
    let honest = claim(&server, &client, "c0", &both).await;
    assert_eq!(honest["discountTotal"], "15.00", "{honest}");
    for (key, applied, discount, total) in [
        // The mug's discount cut down to what is left.
        (
            "part",
            json!([{"couponId": "mug25", "amount": "20.00"}]),
            "20.00",
            "330.00",
        ),
        // Both discounts, as if each had the campaign's budget to itself.
        (
            "both",
            json!([{"couponId": "mug25", "amount": "25.00"}, {"couponId": "tea15", "amount": "15.00"}]),
            "40.00",
            "310.00",
        ),
        // The larger one alone.
        (
            "larger",
            json!([{"couponId": "mug25", "amount": "25.00"}]),
            "25.00",
            "325.00",
        ),
    ] {
        let mut tampered = honest.clone();
        tampered["applied"] = applied;
        tampered["discountTotal"] = json!(discount);
        tampered["totalAfter"] = json!(total);
        let (status, answer) = post(&client, &url, &order(key, &both, &tampered)).await;
        assert_eq!(
            (status, &answer["code"], &answer["result"]["discountTotal"]),
            (409, &json!("claim_rejected"), &json!("15.00")),
            "{key}: {answer}"
        );
    }
    let (status, placed) = post(&client, &url, &order("honest", &both, &honest)).await;
    assert_eq!(
        (status, &placed["discountTotal"]),
        (201, &json!("15.00")),
        "{placed}"
    );
    assert_eq!(published_spent(&server).await, "95.00");
    // Cancelled, the order gives its ₹15 back; the published budget says so.
    let id = placed["orderId"].as_str().unwrap();
    let (status, _) = post_empty(&client, &server.url(&format!("/api/orders/{id}/cancel"))).await;
    assert_eq!(status, 200);
    assert_eq!(published_spent(&server).await, "80.00");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn retries_of_one_order_spend_its_budget_once() {
    let d = dir("budget-retry");
    for database in databases(&d, "attack_budget_retry").await {
        let server = start(&d, &budget_shop("40.00", 1), &database, &[]);
        let client = signed_in(&server, "c0").await;
        let mug = Want {
            lines: vec![("mug", 1)],
            ..Want::default()
        };
        let claimed = claim(&server, &client, "c0", &mug).await;
        let tasks: Vec<_> = (0..10)
            .map(|_| {
                let (client, url, body) = (
                    client.clone(),
                    server.url("/api/orders"),
                    order("once", &mug, &claimed),
                );
                tokio::spawn(async move { post(&client, &url, &body).await })
            })
            .collect();
        let mut ids = std::collections::BTreeSet::new();
        for t in tasks {
            let (status, answer) = t.await.unwrap();
            assert!(
                status == 201 || status == 200,
                "{database}: {status} {answer}"
            );
            ids.insert(answer["orderId"].as_str().unwrap().to_string());
        }
        assert_eq!(ids.len(), 1, "{database}");
        assert_eq!(published_spent(&server).await, "65.00", "{database}");
        // The same key with the discount claimed on another cart is not a retry.
        let two = Want {
            lines: vec![("mug", 2)],
            ..Want::default()
        };
        let other = claim(&server, &client, "c0", &two).await;
        let (status, answer) = post(
            &client,
            &server.url("/api/orders"),
            &order("once", &two, &other),
        )
        .await;
        assert_eq!(
            (status, &answer["code"]),
            (422, &json!("idempotency_mismatch")),
            "{answer}"
        );
        assert_eq!(published_spent(&server).await, "65.00", "{database}");
    }
}

/// Codes of a batch, made with a fixed generator so every run has the same.
fn batch_codes(batch: &code_batch::Batch<'_>, seed: u64, n: usize) -> Vec<String> {
    let mut state = seed;
    let mut fill = |bytes: &mut [u8]| {
        for b in bytes {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            *b = state.to_le_bytes()[7];
        }
    };
    (0..n).map(|_| batch.generate(&mut fill)).collect()
}

/// A shop with two batch coupons: 20% off by a MISSYOU- code, ₹50 off by a WINBACK-
/// code; and the codes issued for each.
fn batches_shop(customers: usize) -> (Value, Vec<String>, Vec<String>) {
    let missyou = code_batch::Batch {
        prefix: "MISSYOU-",
        length: 8,
        salt: "winback-2026-12-batch-a",
    };
    let winback = code_batch::Batch {
        prefix: "WINBACK-",
        length: 8,
        salt: "winback-2026-12-batch-b",
    };
    let (a, b) = (
        batch_codes(&missyou, 0x9e37_79b9_7f4a_7c15, 5),
        batch_codes(&winback, 0x2545_f491_4f6c_dd1d, 5),
    );
    let mut store = shop(
        json!([
            {"id": "missyou", "application": "code", "combinesWith": ["order"],
             "codeBatch": {"prefix": missyou.prefix, "length": 8, "salt": missyou.salt},
             "discount": {"percentage": {"percent": "20"}}, "display": {"title": "20% off", "visible": false}},
            {"id": "winback", "application": "code", "combinesWith": ["order"],
             "codeBatch": {"prefix": winback.prefix, "length": 8, "salt": winback.salt},
             "discount": {"fixedAmount": {"amount": "50.00"}}, "display": {"title": "₹50 off", "visible": false}}
        ]),
        customers,
    );
    store["codeBatches"] =
        json!([{"couponId": "missyou", "codes": a}, {"couponId": "winback", "codes": b}]);
    (store, a, b)
}

/// `Want` holds static texts, as the other tests' do.
fn leak(code: String) -> &'static str {
    Box::leak(code.into_boxed_str())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_batch_code_is_taken_once_in_any_spelling_and_any_race() {
    let d = dir("batch-race");
    for database in databases(&d, "attack_batch_race").await {
        let (store, codes, _) = batches_shop(8);
        let server = start(&d, &store, &database, &[]);
        let mug = |code: &'static str| Want {
            lines: vec![("mug", 1)],
            codes: vec![code],
            ..Want::default()
        };
        // Eight shoppers enter one code, each spelt their own way, and order at once.
        let spellings = [
            codes[0].clone(),
            codes[0].to_lowercase(),
            format!("  {}  ", codes[0]),
            format!("   {}", codes[0].to_lowercase()),
            codes[0].to_ascii_uppercase(),
            format!("{} ", codes[0]),
            codes[0].replacen("MISSYOU", "missyou", 1),
            format!(" {}", codes[0]),
        ];
        let mut ready = Vec::new();
        for (i, spelt) in spellings.into_iter().enumerate() {
            let customer = format!("c{i}");
            let client = signed_in(&server, &customer).await;
            let want = mug(leak(spelt));
            let claimed = claim(&server, &client, &customer, &want).await;
            assert_eq!(claimed["discountTotal"], "50.00", "{claimed}");
            ready.push((client, order("race", &want, &claimed)));
        }
        let tasks: Vec<_> = ready
            .into_iter()
            .map(|(client, body)| {
                let url = server.url("/api/orders");
                tokio::spawn(async move { post(&client, &url, &body).await })
            })
            .collect();
        let mut given = 0;
        for t in tasks {
            let (status, answer) = t.await.unwrap();
            if status == 201 {
                given += 1;
            } else {
                assert_eq!(
                    (status, &answer["code"], &answer["path"]),
                    (409, &json!("code_unavailable"), &json!("codes")),
                    "{database}: {answer}"
                );
            }
        }
        assert_eq!(given, 1, "{database}");
        // The next code of the batch still works.
        let c0 = signed_in(&server, "c0").await;
        let (status, placed) =
            place_honest(&server, &c0, "c0", &mug(leak(codes[1].clone())), "next").await;
        assert_eq!(
            (status, &placed["discountTotal"]),
            (201, &json!("50.00")),
            "{placed}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_code_of_one_batch_does_not_open_another_coupon() {
    let d = dir("batch-other");
    let (store, missyou, winback) = batches_shop(2);
    let server = start(&d, &store, &sqlite(&d), &[]);
    let url = server.url("/api/orders");
    let client = signed_in(&server, "c0").await;
    let want = Want {
        lines: vec![("mug", 1)],
        codes: vec![leak(missyou[0].clone())],
        ..Want::default()
    };
    let honest = claim(&server, &client, "c0", &want).await;
    assert_eq!(honest["applied"][0]["couponId"], "missyou", "{honest}");
    // A MISSYOU- code claimed for the ₹50 WINBACK- coupon, alone or beside its own.
    for (key, applied, discount, total) in [
        (
            "swap",
            json!([{"couponId": "winback", "amount": "50.00"}]),
            "50.00",
            "200.00",
        ),
        (
            "both",
            json!([{"couponId": "missyou", "amount": "50.00"}, {"couponId": "winback", "amount": "50.00"}]),
            "100.00",
            "150.00",
        ),
    ] {
        let mut tampered = honest.clone();
        tampered["applied"] = applied;
        tampered["discountTotal"] = json!(discount);
        tampered["totalAfter"] = json!(total);
        let (status, answer) = post(&client, &url, &order(key, &want, &tampered)).await;
        assert_eq!(
            (status, &answer["code"]),
            (409, &json!("claim_rejected")),
            "{key}: {answer}"
        );
    }
    // A WINBACK- code with its prefix changed to MISSYOU- fails the batch's check.
    let forged = Want {
        codes: vec![leak(winback[0].replacen("WINBACK-", "MISSYOU-", 1))],
        ..want.clone()
    };
    let claimed = claim(&server, &client, "c0", &forged).await;
    assert_eq!(
        (
            &claimed["discountTotal"],
            claimed["unknownCodes"].as_array().unwrap().len()
        ),
        (&json!("0.00"), 1),
        "{claimed}"
    );
    let mut tampered = honest.clone();
    tampered["applied"] = json!([{"couponId": "missyou", "amount": "50.00"}]);
    let (status, answer) = post(&client, &url, &order("forged", &forged, &tampered)).await;
    assert_eq!(
        (status, &answer["code"]),
        (409, &json!("claim_rejected")),
        "{answer}"
    );
    // One code entered twice, in two spellings, gives one discount.
    let twice = Want {
        codes: vec![leak(missyou[0].clone()), leak(missyou[0].to_lowercase())],
        ..want.clone()
    };
    let claimed = claim(&server, &client, "c0", &twice).await;
    assert_eq!(claimed["discountTotal"], "50.00", "{claimed}");
    let mut doubled = claimed.clone();
    doubled["applied"] = json!([{"couponId": "missyou", "amount": "50.00"}, {"couponId": "missyou", "amount": "50.00"}]);
    doubled["discountTotal"] = json!("100.00");
    doubled["totalAfter"] = json!("150.00");
    let (status, answer) = post(&client, &url, &order("doubled", &twice, &doubled)).await;
    assert_eq!(
        (status, &answer["code"]),
        (409, &json!("claim_rejected")),
        "{answer}"
    );
    let (status, placed) = post(&client, &url, &order("twice", &twice, &claimed)).await;
    assert_eq!(
        (status, &placed["discountTotal"]),
        (201, &json!("50.00")),
        "{placed}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_code_held_by_an_expired_reservation_is_free_and_the_reservation_is_gone() {
    let d = dir("batch-expired");
    let (store, codes, _) = batches_shop(2);
    let server = start(&d, &store, &sqlite(&d), &["--hold", "1"]);
    let want = Want {
        lines: vec![("mug", 1)],
        codes: vec![leak(codes[0].clone())],
        ..Want::default()
    };
    let (c0, c1) = (
        signed_in(&server, "c0").await,
        signed_in(&server, "c1").await,
    );
    let claimed = claim(&server, &c0, "c0", &want).await;
    let body = order("held", &want, &claimed);
    let (status, placed) = post(&c0, &server.url("/api/orders"), &body).await;
    assert_eq!(status, 201, "{placed}");
    // While it is held, the code is taken.
    let (status, answer) = place_honest(&server, &c1, "c1", &want, "while-held").await;
    assert_eq!((status, &answer["code"]), (409, &json!("code_unavailable")));
    tokio::time::sleep(std::time::Duration::from_millis(1_200)).await;
    // Past its hold, the reservation cannot be confirmed, and its code is free again.
    let id = placed["orderId"].as_str().unwrap();
    let (status, answer) = post_empty(&c0, &server.url(&format!("/api/orders/{id}/confirm"))).await;
    assert_eq!(
        (status, &answer["code"], &answer["state"]),
        (409, &json!("wrong_state"), &json!("expired")),
        "{answer}"
    );
    let (status, theirs) = place_honest(&server, &c1, "c1", &want, "after-expiry").await;
    assert_eq!(
        (status, &theirs["discountTotal"]),
        (201, &json!("50.00")),
        "{theirs}"
    );
    // The first shopper's retry of the expired order replays it, expired, and takes
    // nothing; a new order with the code finds it taken.
    let (status, replay) = post(&c0, &server.url("/api/orders"), &body).await;
    assert_eq!(
        (status, &replay["orderId"], &replay["state"]),
        (200, &placed["orderId"], &json!("expired")),
        "{replay}"
    );
    let (status, answer) = place_honest(&server, &c0, "c0", &want, "again").await;
    assert_eq!(
        (status, &answer["code"]),
        (409, &json!("code_unavailable")),
        "{answer}"
    );
}

/// `claimed` with these discounts, their total and the total after them.
fn with_applied(claimed: &Value, applied: Value, discount: &str, total: &str) -> Value {
    let mut tampered = claimed.clone();
    tampered["applied"] = applied;
    tampered["discountTotal"] = json!(discount);
    tampered["totalAfter"] = json!(total);
    tampered
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn gifts_rewards_and_unit_caps_are_the_coupons_not_the_shoppers() {
    let store = shop(
        json!([
            // A gift of tea or, when the cart holds no tea, a mug.
            {"id": "gift", "code": "GIFT", "application": "code",
             "discount": {"freeGift": {"productIds": ["tea", "mug"]}}, "display": {"title": "A free gift"}},
            // Buy two, get the cheapest third free.
            {"id": "b2g1", "code": "B2G1", "application": "code",
             "discount": {"buyXGetY": {"buy": {"scope": "entireCart", "quantity": 2},
                                       "get": {"scope": "entireCart", "quantity": 1}}},
             "display": {"title": "Buy 2, get the cheapest free"}},
            // Half off one unit, the dearest.
            {"id": "half1", "code": "HALF1", "application": "code",
             "discount": {"percentage": {"percent": "50", "maxUnits": 1}}, "display": {"title": "Half off one item"}},
            // ₹30 off each of at most two units.
            {"id": "each30", "code": "EACH30", "application": "code",
             "discount": {"amountPerItem": {"amount": "30.00", "maxUnits": 2}}, "display": {"title": "₹30 off two items"}}
        ]),
        1,
    );
    let d = dir("rewards");
    let server = start(&d, &store, &sqlite(&d), &["--max-open", "10"]);
    let url = server.url("/api/orders");
    let client = signed_in(&server, "c0").await;
    let want = |lines: Vec<(&'static str, u32)>, code: &'static str| Want {
        lines,
        codes: vec![code],
        ..Want::default()
    };
    let three = vec![("kurta", 1), ("mug", 1), ("tea", 1)];
    // Each attack: what the shopper asks for, the discount they claim and what the
    // coupon gives.
    let cases = [
        // The dearer gift, when the cart holds the merchant's first choice.
        (want(three.clone(), "GIFT"), "gift", "250.00", "100.00"),
        // A gift that is not on offer.
        (want(vec![("kurta", 1)], "GIFT"), "gift", "899.00", "0.00"),
        // Two gifts where the coupon gives one.
        (want(vec![("tea", 2)], "GIFT"), "gift", "200.00", "100.00"),
        // The most expensive unit free, where the coupon gives the cheapest.
        (want(three.clone(), "B2G1"), "b2g1", "899.00", "100.00"),
        // Half off both mugs, where the cap is one unit.
        (
            want(vec![("mug", 2), ("tea", 1)], "HALF1"),
            "half1",
            "250.00",
            "125.00",
        ),
        // The same, with the mugs on two lines.
        (
            want(vec![("mug", 1), ("mug", 1)], "HALF1"),
            "half1",
            "250.00",
            "125.00",
        ),
        // ₹30 off each of three units, where the cap is two.
        (want(vec![("mug", 3)], "EACH30"), "each30", "90.00", "60.00"),
        (
            want(vec![("mug", 1), ("tea", 1), ("kurta", 1)], "EACH30"),
            "each30",
            "90.00",
            "60.00",
        ),
    ];
    for (i, (want, coupon, claimed, actual)) in cases.into_iter().enumerate() {
        let honest = claim(&server, &client, "c0", &want).await;
        assert_eq!(honest["discountTotal"], actual, "case {i}: {honest}");
        // Whole rupees throughout.
        let rupees = |a: &str| a.strip_suffix(".00").unwrap().parse::<i64>().unwrap();
        let total = format!(
            "{}.00",
            rupees(honest["totalBefore"].as_str().unwrap()) - rupees(claimed)
        );
        let tampered = with_applied(
            &honest,
            json!([{"couponId": coupon, "amount": claimed}]),
            claimed,
            &total,
        );
        let (status, answer) = post(
            &client,
            &url,
            &order(&format!("attack-{i}"), &want, &tampered),
        )
        .await;
        assert_eq!(
            (status, &answer["code"], &answer["result"]["discountTotal"]),
            (409, &json!("claim_rejected"), &json!(actual)),
            "case {i}: {answer}"
        );
        // The honest order goes through with the coupon's own reward.
        let (status, placed) = post(
            &client,
            &url,
            &order(&format!("honest-{i}"), &want, &honest),
        )
        .await;
        assert_eq!(
            (status, &placed["discountTotal"]),
            (201, &json!(actual)),
            "case {i}: {placed}"
        );
        let id = placed["orderId"].as_str().unwrap();
        post_empty(&client, &server.url(&format!("/api/orders/{id}/cancel"))).await;
    }
    // The shopper's own choice among the gifts on offer is theirs: no tea, a free mug.
    let mine = want(vec![("kurta", 1), ("mug", 1)], "GIFT");
    let (status, placed) = place_honest(&server, &client, "c0", &mine, "choice").await;
    assert_eq!(
        (status, &placed["discountTotal"]),
        (201, &json!("250.00")),
        "{placed}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn totals_net_of_tax_or_in_another_order_of_discounts_are_refused() {
    // GST in the prices (5% on tea, 18% on the mug); 50% off first, then ₹100 off
    // orders of ₹1,000 or more measured after discounts.
    let mut store = shop(
        json!([
            {"id": "half", "application": "automatic", "priority": 10, "combinesWith": ["order"],
             "discount": {"percentage": {"percent": "50"}}, "display": {"title": "50% off"}},
            {"id": "after1000", "application": "automatic", "combinesWith": ["order"],
             "purchase": {"minValue": "1000.00", "afterDiscounts": true},
             "discount": {"fixedAmount": {"amount": "100.00"}}, "display": {"title": "₹100 off ₹1,000 after discounts"}}
        ]),
        1,
    );
    store["catalogue"]["pricesIncludeTax"] = json!(true);
    for p in store["catalogue"]["products"].as_array_mut().unwrap() {
        p["taxRate"] = json!(if p["id"] == "tea" { "5" } else { "18" });
    }
    let d = dir("tax-order");
    let server = start(&d, &store, &sqlite(&d), &[]);
    let url = server.url("/api/orders");
    let client = signed_in(&server, "c0").await;
    // Eight mugs, ₹2,000 with GST: half off leaves ₹1,000, so both discounts apply.
    let want = Want {
        lines: vec![("mug", 8)],
        ..Want::default()
    };
    let honest = claim(&server, &client, "c0", &want).await;
    assert_eq!(
        (&honest["discountTotal"], &honest["totalAfter"]),
        (&json!("1100.00"), &json!("900.00")),
        "{honest}"
    );
    // A device that shows prices net of GST (₹2,000 / 1.18 = ₹1,694.92) and discounts those.
    let mut net = honest.clone();
    net["lines"][0]["subtotal"] = json!("1694.92");
    net["applied"] = json!([{"couponId": "half", "amount": "847.46"}]);
    net["discountTotal"] = json!("847.46");
    net["totalAfter"] = json!("847.46");
    // A device that takes the ₹100 first and half off what is left.
    let reordered = with_applied(
        &honest,
        json!([{"couponId": "after1000", "amount": "100.00"}, {"couponId": "half", "amount": "950.00"}]),
        "1050.00",
        "950.00",
    );
    // A device that claims its total without the tax it owes (₹900 less ₹137.29).
    let mut untaxed = honest.clone();
    untaxed["totalAfter"] = json!("762.71");
    for (key, tampered) in [("net", net), ("reordered", reordered), ("untaxed", untaxed)] {
        let (status, answer) = post(&client, &url, &order(key, &want, &tampered)).await;
        assert_eq!(
            (status, &answer["code"], &answer["result"]["totalAfter"]),
            (409, &json!("claim_rejected"), &json!("900.00")),
            "{key}: {answer}"
        );
    }
    assert!(honest["tax"]["tax"].is_string(), "{honest}");
    let (status, placed) = post(&client, &url, &order("honest", &want, &honest)).await;
    assert_eq!(
        (status, &placed["totalAfter"], &placed["tax"]),
        (201, &json!("900.00"), &honest["tax"]["tax"]),
        "{placed}"
    );
}

/// POSTs raw bytes; returns the status and the answer, JSON or not.
async fn post_raw(client: &reqwest::Client, url: &str, body: Vec<u8>) -> (u16, String) {
    let r = client
        .post(url)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn malformed_bodies_get_a_typed_error_never_a_crash() {
    let d = dir("malformed");
    let server = start(&d, &limited_shop(100, 1), &sqlite(&d), &[]);
    let client = signed_in(&server, "c0").await;
    let want = Want::default();
    let honest = claim(&server, &client, "c0", &want).await;
    let good = order("good", &want, &honest);
    let edit = |f: &dyn Fn(&mut Value)| {
        let mut body = good.clone();
        f(&mut body);
        body.to_string().into_bytes()
    };
    let nested = {
        let mut text = good.to_string();
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        text.insert_str(text.len() - 1, &format!(",\"x\":{deep}"));
        text.into_bytes()
    };
    // (what, body, status, code, path); a path ending in `…` is a prefix.
    let cases: Vec<(&str, Vec<u8>, u16, &str, &str)> = vec![
        (
            "truncated",
            b"{\"idempotencyKey\": \"a\"".to_vec(),
            400,
            "invalid_json",
            "idempotencyKey",
        ),
        ("empty", Vec::new(), 400, "invalid_json", "$"),
        ("an array", b"[]".to_vec(), 400, "invalid_type", ""),
        ("null", b"null".to_vec(), 400, "invalid_type", ""),
        (
            "not UTF-8",
            vec![b'{', 0xff, 0xfe, b'}'],
            400,
            "invalid_json",
            "",
        ),
        (
            "a key twice",
            {
                let text = good.to_string();
                format!("{{\"idempotencyKey\":\"dup\",{}", &text[1..]).into_bytes()
            },
            400,
            "duplicate_id",
            "idempotencyKey",
        ),
        ("too deep", nested, 400, "out_of_range", "x[0]…"),
        (
            "too large",
            edit(&|b| b["idempotencyKey"] = json!("k".repeat(600_000))),
            413,
            "body_too_large",
            "",
        ),
        (
            "no key",
            edit(&|b| {
                b.as_object_mut().unwrap().remove("idempotencyKey");
            }),
            400,
            "missing_field",
            "idempotencyKey",
        ),
        (
            "key a number",
            edit(&|b| b["idempotencyKey"] = json!(7)),
            400,
            "invalid_type",
            "idempotencyKey",
        ),
        (
            "empty key",
            edit(&|b| b["idempotencyKey"] = json!("")),
            400,
            "invalid_value",
            "idempotencyKey",
        ),
        (
            "lines an object",
            edit(&|b| b["lines"] = json!({})),
            400,
            "invalid_type",
            "lines",
        ),
        (
            "quantity 0",
            edit(&|b| b["lines"][0]["quantity"] = json!(0)),
            400,
            "invalid_quantity",
            "lines[0].quantity",
        ),
        (
            "quantity -1",
            edit(&|b| b["lines"][0]["quantity"] = json!(-1)),
            400,
            "invalid_value",
            "lines[0].quantity",
        ),
        (
            "quantity 1.5",
            edit(&|b| b["lines"][0]["quantity"] = json!(1.5)),
            400,
            "invalid_type",
            "lines[0].quantity",
        ),
        (
            "quantity text",
            edit(&|b| b["lines"][0]["quantity"] = json!("1")),
            400,
            "invalid_type",
            "lines[0].quantity",
        ),
        (
            "quantity past 32 bits",
            edit(&|b| b["lines"][0]["quantity"] = json!(4_294_967_296_u64)),
            400,
            "invalid_value",
            "lines[0].quantity",
        ),
        (
            "quantity null",
            edit(&|b| b["lines"][0]["quantity"] = Value::Null),
            400,
            "invalid_type",
            "lines[0].quantity",
        ),
        (
            "huge quantities",
            edit(&|b| {
                b["lines"] = json!((0..50)
                    .map(|_| json!({"productId": "kurta", "quantity": 4_294_967_295_u32}))
                    .collect::<Vec<_>>());
            }),
            400,
            "out_of_range",
            "lines[0].quantity",
        ),
        (
            "too many lines",
            edit(&|b| {
                b["lines"] = json!((0..9_000)
                    .map(|_| json!({"productId": "tea", "quantity": 1}))
                    .collect::<Vec<_>>());
            }),
            400,
            "out_of_range",
            "lines",
        ),
        (
            "price text",
            edit(&|b| b["lines"][0]["unitPrice"] = json!("abc")),
            400,
            "invalid_amount",
            "lines[0].unitPrice",
        ),
        (
            "price a number",
            edit(&|b| b["lines"][0]["unitPrice"] = json!(100)),
            400,
            "invalid_type",
            "lines[0].unitPrice",
        ),
        (
            "price with an exponent",
            edit(&|b| b["lines"][0]["unitPrice"] = json!("1e2")),
            400,
            "invalid_amount",
            "lines[0].unitPrice",
        ),
        (
            "price negative",
            edit(&|b| b["lines"][0]["unitPrice"] = json!("-100.00")),
            400,
            "out_of_range",
            "lines[0].unitPrice",
        ),
        (
            "compare-at text",
            edit(&|b| b["lines"][0]["compareAtPrice"] = json!("lots")),
            400,
            "invalid_amount",
            "lines[0].compareAtPrice",
        ),
        (
            "codes a string",
            edit(&|b| b["codes"] = json!("LAST")),
            400,
            "invalid_type",
            "codes",
        ),
        (
            "a code a number",
            edit(&|b| b["codes"] = json!([7])),
            400,
            "invalid_type",
            "codes[0]",
        ),
        (
            "too many codes",
            edit(&|b| b["codes"] = json!((0..5_000).map(|i| format!("C{i}")).collect::<Vec<_>>())),
            400,
            "out_of_range",
            "codes",
        ),
        (
            "shipping a number",
            edit(&|b| b["shippingId"] = json!(1)),
            400,
            "invalid_type",
            "shippingId",
        ),
        (
            "payment an object",
            edit(&|b| b["paymentMethod"] = json!({})),
            400,
            "invalid_type",
            "paymentMethod",
        ),
        (
            "no claim",
            edit(&|b| {
                b.as_object_mut().unwrap().remove("claimed");
            }),
            400,
            "missing_field",
            "claimed",
        ),
        (
            "claim an array",
            edit(&|b| b["claimed"] = json!([])),
            400,
            "invalid_type",
            "claimed",
        ),
        (
            "claimed total NaN",
            edit(&|b| b["claimed"]["totalAfter"] = json!("NaN")),
            400,
            "invalid_amount",
            "claimed.totalAfter",
        ),
        (
            "claimed total a float",
            edit(&|b| b["claimed"]["totalAfter"] = json!(140.0)),
            400,
            "invalid_type",
            "claimed.totalAfter",
        ),
        (
            "claimed amount negative",
            edit(&|b| b["claimed"]["applied"][0]["amount"] = json!("-10.00")),
            400,
            "out_of_range",
            "claimed.applied[0].amount",
        ),
        (
            "claimed applied an object",
            edit(&|b| b["claimed"]["applied"] = json!({})),
            400,
            "invalid_type",
            "claimed.applied",
        ),
        (
            "claimed line without id",
            edit(&|b| {
                b["claimed"]["lines"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("lineId");
            }),
            400,
            "missing_field",
            "claimed.lines[0].lineId",
        ),
    ];
    let url = server.url("/api/orders");
    for (what, body, status, code, path) in cases {
        let (got, text) = post_raw(&client, &url, body).await;
        let answer: Value =
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("{what}: {text}"));
        let at = answer["path"].as_str().unwrap_or_default();
        let path_ok = match path.strip_suffix('…') {
            Some(prefix) => at.starts_with(prefix),
            None => at == path,
        };
        assert!(
            got == status && answer["code"] == code && path_ok,
            "{what}: {got} {answer}"
        );
    }
    // A confirmation's body is checked as strictly.
    let (_, placed) = post(&client, &url, &good).await;
    let confirm = server.url(&format!(
        "/api/orders/{}/confirm",
        placed["orderId"].as_str().unwrap()
    ));
    for (what, body, code, path) in [
        ("garbage", b"pay".to_vec(), "invalid_json", "$"),
        (
            "method a number",
            b"{\"paymentMethod\": 5}".to_vec(),
            "invalid_type",
            "paymentMethod",
        ),
        (
            "unknown field",
            b"{\"total\": \"0.00\"}".to_vec(),
            "unknown_field",
            "total",
        ),
    ] {
        let (got, text) = post_raw(&client, &confirm, body).await;
        let answer: Value =
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("{what}: {text}"));
        assert_eq!(
            (got, &answer["code"], &answer["path"]),
            (400, &json!(code), &json!(path)),
            "{what}: {answer}"
        );
    }
    // The good order, placed after them all, still confirms.
    let (status, confirmed) = post_empty(&client, &confirm).await;
    assert_eq!(
        (status, &confirmed["state"]),
        (200, &json!("confirmed")),
        "{confirmed}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cash_on_delivery_spelt_otherwise_is_refused() {
    let store = shop(
        json!([{"id": "prepaid", "application": "automatic", "disableCod": true,
                "discount": {"percentage": {"percent": "12"}}, "display": {"title": "12% off paying online"}}]),
        1,
    );
    let d = dir("cod-spelling");
    let server = start(&d, &store, &sqlite(&d), &["--max-open", "10"]);
    let url = server.url("/api/orders");
    let client = signed_in(&server, "c0").await;
    // Spellings the engine does not read as cash on delivery, so the prepaid discount
    // applies, which a person or a payment step reading the order would: refused.
    for (i, method) in ["cod ", " cod", "cod\u{200b}", "ｃｏｄ", "c o d"]
        .into_iter()
        .enumerate()
    {
        let want = Want {
            payment: Some(leak(method.to_string())),
            ..Want::default()
        };
        let claimed = claim(&server, &client, "c0", &want).await;
        assert_eq!(claimed["discountTotal"], "12.00", "{method:?}: {claimed}");
        let (status, answer) = post(
            &client,
            &url,
            &order(&format!("spelt-{i}"), &want, &claimed),
        )
        .await;
        assert_eq!(
            (status, &answer["code"], &answer["path"]),
            (400, &json!("invalid_value"), &json!("paymentMethod")),
            "{method:?}: {answer}"
        );
    }
    // Cash on delivery in any case gets no prepaid discount; paying by card does.
    for (method, discount) in [
        ("cod", "0.00"),
        ("COD", "0.00"),
        ("card", "12.00"),
        ("net-banking_2", "12.00"),
    ] {
        let want = Want {
            payment: Some(method),
            ..Want::default()
        };
        let (status, placed) = place_honest(&server, &client, "c0", &want, method).await;
        assert_eq!(
            (status, &placed["discountTotal"], &placed["paymentMethod"]),
            (201, &json!(discount), &json!(method)),
            "{placed}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_store_that_lists_its_payment_methods_takes_only_those() {
    let mut store = shop(
        json!([{"id": "prepaid", "application": "automatic", "disableCod": true,
                "discount": {"percentage": {"percent": "12"}}, "display": {"title": "12% off paying online"}}]),
        1,
    );
    store["paymentMethods"] = json!(["card", "upi", "cod"]);
    let d = dir("payment-methods");
    let server = start(&d, &store, &sqlite(&d), &["--max-open", "10"]);
    let url = server.url("/api/orders");
    let client = signed_in(&server, "c0").await;
    // Well-formed ids the store does not take: `cod.` and `COD` are cash on delivery to
    // a person, and a method nobody offers is not one to discount.
    for (i, method) in ["cod.", "COD", "cheque"].into_iter().enumerate() {
        let want = Want {
            payment: Some(method),
            ..Want::default()
        };
        let claimed = claim(&server, &client, "c0", &want).await;
        let (status, answer) = post(
            &client,
            &url,
            &order(&format!("unlisted-{i}"), &want, &claimed),
        )
        .await;
        assert_eq!(
            (status, &answer["code"], &answer["path"]),
            (400, &json!("invalid_value"), &json!("paymentMethod")),
            "{method:?}: {answer}"
        );
        assert_eq!(
            answer["message"], "this store takes card, upi, cod",
            "{answer}"
        );
    }
    // No method at all would get the prepaid discount too: named or refused.
    let claimed = claim(&server, &client, "c0", &Want::default()).await;
    assert_eq!(claimed["discountTotal"], "12.00", "{claimed}");
    let (status, answer) = post(
        &client,
        &url,
        &order("no-method", &Want::default(), &claimed),
    )
    .await;
    assert_eq!(
        (status, &answer["code"], &answer["path"]),
        (400, &json!("missing_field"), &json!("paymentMethod")),
        "{answer}"
    );
    // The listed ones are placed, cash on delivery without the prepaid discount.
    for (method, discount) in [("cod", "0.00"), ("upi", "12.00"), ("card", "12.00")] {
        let want = Want {
            payment: Some(method),
            ..Want::default()
        };
        let (status, placed) = place_honest(&server, &client, "c0", &want, method).await;
        assert_eq!(
            (status, &placed["discountTotal"], &placed["paymentMethod"]),
            (201, &json!(discount), &json!(method)),
            "{placed}"
        );
        // The payment step names the method it took: without it, no confirmation.
        let confirm = server.url(&format!(
            "/api/orders/{}/confirm",
            placed["orderId"].as_str().unwrap()
        ));
        let (status, answer) = post_empty(&client, &confirm).await;
        assert_eq!(
            (status, &answer["code"], &answer["path"]),
            (400, &json!("missing_field"), &json!("paymentMethod")),
            "{answer}"
        );
        let (status, answer) = post(&client, &confirm, &json!({"paymentMethod": method})).await;
        assert_eq!(
            (status, &answer["state"]),
            (200, &json!("confirmed")),
            "{answer}"
        );
    }
}

#[test]
fn a_store_file_with_a_misspelt_or_repeated_payment_method_does_not_start() {
    for (methods, error) in [
        (
            json!(["card", "cod "]),
            "paymentMethods[1]: \"cod \" is not an id",
        ),
        (
            json!(["card", "upi", "card"]),
            "paymentMethods[2]: \"card\" is listed twice",
        ),
    ] {
        let d = dir("payment-methods-typo");
        let mut store = shop(json!([]), 1);
        store["paymentMethods"] = methods;
        std::fs::write(d.join("store.json"), store.to_string()).unwrap();
        let out = serve(&d, &sqlite(&d)).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success());
        assert!(stderr.contains(error), "{stderr}");
    }
}
