//! Refunds and the discounts of later orders that counted the refunded one: a return
//! that breaks a later order's history condition takes back the discount that order no
//! longer earns, beside the honest refunds that pay the whole total.

mod common;

use common::*;
use coupon_engine_server::ledger::{Clawback, Ledger, LedgerError, NewOrder, Refund, Returned};
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

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_minimum_spend_met_by_a_refunded_order_is_taken_back() {
    // ₹40 off once ₹200 has been spent.
    let store = shop(
        json!([{"id": "spent200", "application": "automatic", "behavior": {"minSpend": "200.00"},
                "discount": {"fixedAmount": {"amount": "40.00"}}, "display": {"title": "₹40 off after ₹200 spent"}}]),
        1,
    );
    let d = dir("refund-spend");
    for database in databases(&d, "refund_spend").await {
        let server = start(&d, &store, &database, &[]);
        let client = signed_in(&server, "c0").await;
        let mug = place_confirmed(&server, &client, "c0", &mugs(1), "mug").await;
        let tea = place_confirmed(&server, &client, "c0", &Want::default(), "tea").await;
        assert_eq!(tea["discountTotal"], "40.00", "{tea}");
        let (status, refunded) = refund(&server, &client, &mug).await;
        assert_eq!(
            (status, &refunded["refund"]),
            (
                200,
                &json!({
                    "amount": "210.00",
                    "clawbacks": [{"orderId": tea["orderId"], "couponIds": ["spent200"], "amount": "40.00"}],
                    "unrecovered": null,
                })
            ),
            "{database}: {refunded}"
        );
    }
}

/// An order of customer `c0` placed at `now_ms`, counting `history` when given (and
/// then keeping a cart and codes, as the server does); without, it is an order placed
/// before the ledger kept them.
fn placed(key: &str, now_ms: i64, history: Option<Vec<String>>) -> NewOrder {
    NewOrder {
        customer_id: "c0".into(),
        idempotency_key: key.into(),
        request_hash: key.into(),
        payment_method: None,
        subtotal: "100.00".into(),
        discount_total: "0.00".into(),
        total: "100.00".into(),
        tax: None,
        items: "[]".into(),
        coupon_codes: "[]".into(),
        uses: Vec::new(),
        spends: Vec::new(),
        now_ms,
        hold_ms: 60_000,
        max_open: 5,
        cart: history.as_ref().map(|_| "{}".to_string()),
        entered_codes: history.as_ref().map(|_| "[]".to_string()),
        history,
    }
}

/// What a refund saw: for each dependent, its id, the ids of its history and what
/// earlier refunds took from it.
type Seen = Vec<(String, Vec<String>, Vec<String>)>;

fn seen(returned: &Returned) -> Seen {
    returned
        .dependents
        .iter()
        .map(|d| {
            (
                d.order.id.clone(),
                d.history.iter().map(|o| o.id.clone()).collect(),
                d.clawed_back.clone(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_refund_sees_the_later_orders_that_counted_it_and_what_was_taken_before() {
    let d = dir("refund-ledger");
    for database in [sqlite(&d), postgres_database("refund_ledger").await] {
        let ledger = Ledger::connect(&database).await.unwrap();
        let mut ids = Vec::new();
        let mut t = 1_000;
        let mut place = |key: &'static str, history: Option<Vec<String>>| {
            t += 1_000;
            placed(key, t, history)
        };
        for order in [place("a", None), place("e", None)] {
            let o = ledger.place(&order).await.unwrap();
            ledger.confirm(&o.id, "c0", 0).await.unwrap();
            ids.push(o.id);
        }
        let (a, e) = (ids[0].clone(), ids[1].clone());
        let later = ledger
            .place(&place("b", Some(vec![a.clone(), e.clone()])))
            .await
            .unwrap();
        ledger.confirm(&later.id, "c0", 0).await.unwrap();
        // Placed before the ledger kept its history: never evaluated again.
        let old = ledger.place(&place("old", None)).await.unwrap();
        ledger.confirm(&old.id, "c0", 0).await.unwrap();

        let mut first: Option<Seen> = None;
        let refunded = ledger
            .refund_with(&a, "c0", |order, returned| {
                assert_eq!(order.id, a);
                first = Some(seen(returned));
                Ok::<_, LedgerError>(Refund {
                    amount: "95.00".into(),
                    clawbacks: vec![Clawback {
                        order_id: returned.dependents[0].order.id.clone(),
                        coupon_ids: vec!["loyal".into()],
                        amount: "5.00".into(),
                    }],
                    unrecovered: None,
                })
            })
            .await
            .unwrap();
        // The later order, with the orders it counted that are still live.
        assert_eq!(
            first,
            Some(vec![(later.id.clone(), vec![e.clone()], vec![])]),
            "{database}"
        );
        // Refunded again: the stored answer, without asking again.
        let again = ledger
            .refund_with(&a, "c0", |_, _| -> Result<Refund, LedgerError> {
                panic!("a refunded order is not priced again")
            })
            .await
            .unwrap();
        assert_eq!(again.refund, refunded.refund, "{database}");
        assert_eq!(again.refund.unwrap().amount, "95.00");
        // The next refund sees what the first took back from the later order.
        let mut second: Option<Seen> = None;
        ledger
            .refund_with(&e, "c0", |order, returned| {
                second = Some(seen(returned));
                Ok::<_, LedgerError>(Refund {
                    amount: order.total.clone(),
                    clawbacks: Vec::new(),
                    unrecovered: None,
                })
            })
            .await
            .unwrap();
        assert_eq!(
            second,
            Some(vec![(later.id.clone(), vec![], vec!["5.00".to_string()])]),
            "{database}"
        );
        // The order placed after it counted no history that the ledger kept: a refund
        // of the later order sees no order that depends on it.
        let mut third: Option<Seen> = None;
        ledger
            .refund_with(&later.id, "c0", |order, returned| {
                third = Some(seen(returned));
                Ok::<_, LedgerError>(Refund {
                    amount: order.total.clone(),
                    clawbacks: Vec::new(),
                    unrecovered: None,
                })
            })
            .await
            .unwrap();
        assert_eq!(third, Some(vec![]), "{database}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_refund_waits_for_an_unpaid_order_that_counted_it() {
    let d = dir("refund-unpaid");
    for database in databases(&d, "refund_unpaid").await {
        let server = start(&d, &loyalty_shop(), &database, &[]);
        let url = server.url("/api/orders");
        for (customer, then_confirm) in [("c0", true), ("c1", false)] {
            let client = signed_in(&server, customer).await;
            let first = place_confirmed(&server, &client, customer, &Want::default(), "one").await;
            place_confirmed(&server, &client, customer, &Want::default(), "two").await;
            let claimed = claim(&server, &client, customer, &mugs(1)).await;
            let (status, third) = post(&client, &url, &order("three", &mugs(1), &claimed)).await;
            assert_eq!(
                (status, &third["discountTotal"]),
                (201, &json!("25.00")),
                "{third}"
            );
            // Its discount may never be given (cancelled, expired): nothing is taken
            // back for it, and the refund waits.
            let (status, answer) = refund(&server, &client, &first).await;
            assert_eq!(
                (
                    status,
                    &answer["code"],
                    &answer["orderId"],
                    &answer["couponIds"]
                ),
                (
                    409,
                    &json!("unpaid_orders"),
                    &third["orderId"],
                    &json!(["loyal10"])
                ),
                "{database}: {answer}"
            );
            let id = first["orderId"].as_str().unwrap();
            let read = get_json(&client, &server.url(&format!("/api/orders/{id}"))).await;
            assert_eq!(
                (&read["state"], &read["refund"]),
                (&json!("confirmed"), &Value::Null)
            );
            let third_id = third["orderId"].as_str().unwrap();
            let step = if then_confirm { "confirm" } else { "cancel" };
            let (status, moved) = post_empty(
                &client,
                &server.url(&format!("/api/orders/{third_id}/{step}")),
            )
            .await;
            assert_eq!(status, 200, "{moved}");
            let (status, refunded) = refund(&server, &client, &first).await;
            let expected = if then_confirm {
                json!({"amount": "75.00",
                       "clawbacks": [{"orderId": third_id, "couponIds": ["loyal10"], "amount": "25.00"}],
                       "unrecovered": null})
            } else {
                json!({"amount": "100.00", "clawbacks": [], "unrecovered": null})
            };
            assert_eq!(
                (status, &refunded["refund"]),
                (200, &expected),
                "{database} {step}: {refunded}"
            );
        }
    }
}
