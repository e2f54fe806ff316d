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
