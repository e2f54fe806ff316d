//! Refunds and the discounts of later orders that counted the refunded one: a return
//! that breaks a later order's history condition takes back the discount that order no
//! longer earns, beside the honest refunds that pay the whole total.

mod common;

use common::*;
use serde_json::{json, Value};

/// Places `want` for `customer` with the honest claim under `key`, and confirms it.
async fn place_confirmed(
    server: &Server,
    client: &reqwest::Client,
    customer: &str,
    want: &Want,
    key: &str,
) -> Value {
    let claimed = claim(server, client, customer, want).await;
    let (status, placed) = post(
        client,
        &server.url("/api/orders"),
        &order(key, want, &claimed),
    )
    .await;
    assert_eq!(status, 201, "{placed}");
    let id = placed["orderId"].as_str().unwrap();
    let (status, confirmed) =
        post_empty(client, &server.url(&format!("/api/orders/{id}/confirm"))).await;
    assert_eq!(
        (status, &confirmed["state"]),
        (200, &json!("confirmed")),
        "{confirmed}"
    );
    confirmed
}

/// POSTs the refund of `order`; returns the status and the answer.
async fn refund(server: &Server, client: &reqwest::Client, order: &Value) -> (u16, Value) {
    let id = order["orderId"].as_str().unwrap();
    post_empty(client, &server.url(&format!("/api/orders/{id}/refund"))).await
}

/// The databases every test runs on: SQLite in `d`, and a fresh PostgreSQL database.
async fn databases(d: &std::path::Path, prefix: &str) -> Vec<String> {
    vec![sqlite(d), postgres_database(prefix).await]
}

/// A shop with 10% off from the third order on.
fn loyalty_shop() -> Value {
    shop(
        json!([{"id": "loyal10", "application": "automatic",
                "orderScope": {"orderCount": {"minPrevious": 2}},
                "discount": {"percentage": {"percent": "10"}},
                "display": {"title": "10% off your third order on"}}]),
        3,
    )
}

fn mugs(n: u32) -> Want {
    Want {
        lines: vec![("mug", n)],
        ..Want::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn refunding_an_order_a_loyalty_discount_counted_takes_that_discount_back() {
    let d = dir("refund-clawback");
    for database in databases(&d, "refund_clawback").await {
        let server = start(&d, &loyalty_shop(), &database, &[]);
        let client = signed_in(&server, "c0").await;
        let first = place_confirmed(&server, &client, "c0", &Want::default(), "one").await;
        let second = place_confirmed(&server, &client, "c0", &Want::default(), "two").await;
        assert_eq!(first["discountTotal"], "0.00", "{first}");
        let third = place_confirmed(&server, &client, "c0", &mugs(1), "three").await;
        assert_eq!(
            (&third["discountTotal"], &third["totalAfter"]),
            (&json!("25.00"), &json!("225.00")),
            "{third}"
        );

        // The attack: return the orders that earned the discount, keep the discount.
        // The first refund takes it back from what it pays.
        let (status, refunded) = refund(&server, &client, &first).await;
        assert_eq!(status, 200, "{database}: {refunded}");
        assert_eq!(refunded["state"], "refunded");
        assert_eq!(
            refunded["refund"],
            json!({
                "amount": "75.00",
                "clawbacks": [{"orderId": third["orderId"], "couponIds": ["loyal10"], "amount": "25.00"}],
                "unrecovered": null,
            }),
            "{database}: {refunded}"
        );
        // Refunded again: the same answer, nothing taken back twice.
        let (status, again) = refund(&server, &client, &first).await;
        assert_eq!(
            (status, &again["refund"]),
            (200, &refunded["refund"]),
            "{again}"
        );
        let id = first["orderId"].as_str().unwrap();
        let read = get_json(&client, &server.url(&format!("/api/orders/{id}"))).await;
        assert_eq!(read["refund"], refunded["refund"], "{read}");
        // The second order's refund finds the discount already taken back: it pays its
        // whole total.
        let (status, refunded) = refund(&server, &client, &second).await;
        assert_eq!(
            (status, &refunded["refund"]),
            (
                200,
                &json!({"amount": "100.00", "clawbacks": [], "unrecovered": null})
            ),
            "{database}: {refunded}"
        );
        // The later order itself is left as it was placed.
        let id = third["orderId"].as_str().unwrap();
        let read = get_json(&client, &server.url(&format!("/api/orders/{id}"))).await;
        assert_eq!(
            (&read["state"], &read["discountTotal"], &read["refund"]),
            (&json!("confirmed"), &json!("25.00"), &Value::Null),
            "{read}"
        );

        // The honest path: the discounted order returned first pays its whole total,
        // and then an order no live discount counts does too.
        let client = signed_in(&server, "c1").await;
        let _first = place_confirmed(&server, &client, "c1", &Want::default(), "one").await;
        let second = place_confirmed(&server, &client, "c1", &Want::default(), "two").await;
        let third = place_confirmed(&server, &client, "c1", &mugs(1), "three").await;
        assert_eq!(third["discountTotal"], "25.00", "{third}");
        let (status, refunded) = refund(&server, &client, &third).await;
        assert_eq!(
            (status, &refunded["refund"]),
            (
                200,
                &json!({"amount": "225.00", "clawbacks": [], "unrecovered": null})
            ),
            "{database}: {refunded}"
        );
        let (status, refunded) = refund(&server, &client, &second).await;
        assert_eq!(
            (status, &refunded["refund"]),
            (
                200,
                &json!({"amount": "100.00", "clawbacks": [], "unrecovered": null})
            ),
            "{database}: {refunded}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_clawback_beyond_the_refunded_total_pays_nothing_and_says_so() {
    let d = dir("refund-unrecovered");
    for database in databases(&d, "refund_unrecovered").await {
        let server = start(&d, &loyalty_shop(), &database, &[]);
        let client = signed_in(&server, "c2").await;
        let first = place_confirmed(&server, &client, "c2", &Want::default(), "one").await;
        let _second = place_confirmed(&server, &client, "c2", &Want::default(), "two").await;
        let big = place_confirmed(&server, &client, "c2", &mugs(5), "big").await;
        assert_eq!(big["discountTotal"], "125.00", "{big}");
        let (status, refunded) = refund(&server, &client, &first).await;
        assert_eq!(
            (status, &refunded["refund"]),
            (
                200,
                &json!({
                    "amount": "0.00",
                    "clawbacks": [{"orderId": big["orderId"], "couponIds": ["loyal10"], "amount": "125.00"}],
                    "unrecovered": "25.00",
                })
            ),
            "{database}: {refunded}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_first_order_discount_and_the_orders_after_it_are_refunded_in_full() {
    let store = shop(
        json!([{"id": "first20", "application": "automatic", "orderScope": "firstOrder",
                "discount": {"percentage": {"percent": "20"}}, "display": {"title": "20% off a first order"}}]),
        1,
    );
    let d = dir("refund-first");
    for database in databases(&d, "refund_first").await {
        let server = start(&d, &store, &database, &[]);
        let client = signed_in(&server, "c0").await;
        let first = place_confirmed(&server, &client, "c0", &Want::default(), "one").await;
        assert_eq!(first["discountTotal"], "20.00", "{first}");
        let second = place_confirmed(&server, &client, "c0", &mugs(1), "two").await;
        let third = place_confirmed(&server, &client, "c0", &mugs(2), "three").await;
        assert_eq!(
            (&second["discountTotal"], &third["discountTotal"]),
            (&json!("0.00"), &json!("0.00"))
        );
        // Returning a later order pays its whole total: the first order's discount
        // counted no order, so it stands.
        let (status, refunded) = refund(&server, &client, &third).await;
        assert_eq!(
            (status, &refunded["refund"]),
            (
                200,
                &json!({"amount": "500.00", "clawbacks": [], "unrecovered": null})
            ),
            "{database}: {refunded}"
        );
        // Returning the first order leaves the second the customer's only order, which
        // a first-order discount would then suit: it lost nothing, so nothing is taken
        // back (and nothing is given either).
        let (status, refunded) = refund(&server, &client, &first).await;
        assert_eq!(
            (status, &refunded["refund"]),
            (
                200,
                &json!({"amount": "80.00", "clawbacks": [], "unrecovered": null})
            ),
            "{database}: {refunded}"
        );
        let (status, refunded) = refund(&server, &client, &second).await;
        assert_eq!(
            (status, &refunded["refund"]),
            (
                200,
                &json!({"amount": "250.00", "clawbacks": [], "unrecovered": null})
            ),
            "{database}: {refunded}"
        );
    }
}
