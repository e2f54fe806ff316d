//! Refunds and the discounts of later orders that counted the refunded one: a return
//! that breaks a later order's history condition takes back the discount that order no
//! longer earns, beside the honest refunds that pay the whole total.

mod common;

use common::*;
use coupon_engine_server::ledger::{
    Clawback, Ledger, LedgerError, NewOrder, Refund, Returned, Spend, Use,
};
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
            (200, &json!({"amount": "100.00", "clawbacks": []})),
            "{database}: {refunded}"
        );
        // The later order keeps its record as placed, and says what the first refund
        // took back from its discount; the refunded orders took nothing back from.
        let id = third["orderId"].as_str().unwrap();
        let read = get_json(&client, &server.url(&format!("/api/orders/{id}"))).await;
        assert_eq!(
            (
                &read["state"],
                &read["discountTotal"],
                &read["refund"],
                &read["takenBack"]
            ),
            (
                &json!("confirmed"),
                &json!("25.00"),
                &Value::Null,
                &json!([{"byRefundOf": first["orderId"], "amount": "25.00"}])
            ),
            "{read}"
        );
        let listed = get_json(&client, &server.url("/api/orders")).await;
        let entry = listed["orders"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["orderId"] == third["orderId"])
            .unwrap();
        assert_eq!(entry, &read, "the list says the same");
        let id = second["orderId"].as_str().unwrap();
        let read = get_json(&client, &server.url(&format!("/api/orders/{id}"))).await;
        assert_eq!(read["takenBack"], json!([]), "{read}");
        // Its own refund pays its total and the discount the first refund took back
        // from it: everything returned, everything paid is paid back.
        let (status, refunded) = refund(&server, &client, &third).await;
        assert_eq!(
            (status, &refunded["refund"]),
            (200, &json!({"amount": "250.00", "clawbacks": []})),
            "{database}: {refunded}"
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
            (200, &json!({"amount": "225.00", "clawbacks": []})),
            "{database}: {refunded}"
        );
        let (status, refunded) = refund(&server, &client, &second).await;
        assert_eq!(
            (status, &refunded["refund"]),
            (200, &json!({"amount": "100.00", "clawbacks": []})),
            "{database}: {refunded}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_clawback_beyond_the_refunded_total_waits_for_the_later_order() {
    let d = dir("refund-beyond");
    for database in databases(&d, "refund_beyond").await {
        let server = start(&d, &loyalty_shop(), &database, &[]);
        let client = signed_in(&server, "c2").await;
        let first = place_confirmed(&server, &client, "c2", &Want::default(), "one").await;
        let _second = place_confirmed(&server, &client, "c2", &Want::default(), "two").await;
        let big = place_confirmed(&server, &client, "c2", &mugs(5), "big").await;
        assert_eq!(big["discountTotal"], "125.00", "{big}");
        // The attack: the refund would pay nothing and leave the customer the part of
        // the discount its total cannot cover. Refused, and the order stays as it was.
        let (status, answer) = refund(&server, &client, &first).await;
        assert_eq!(
            (status, &answer["code"], &answer["orderIds"]),
            (
                409,
                &json!("refund_later_order_first"),
                &json!([big["orderId"]])
            ),
            "{database}: {answer}"
        );
        let id = first["orderId"].as_str().unwrap();
        let read = get_json(&client, &server.url(&format!("/api/orders/{id}"))).await;
        assert_eq!(
            (&read["state"], &read["refund"]),
            (&json!("confirmed"), &Value::Null),
            "{read}"
        );
        // The honest path: the later order first pays its total, and then the earlier
        // one pays its own with nothing left to take back.
        let (status, refunded) = refund(&server, &client, &big).await;
        assert_eq!(
            (status, &refunded["refund"]),
            (200, &json!({"amount": "1125.00", "clawbacks": []})),
            "{database}: {refunded}"
        );
        let (status, refunded) = refund(&server, &client, &first).await;
        assert_eq!(
            (status, &refunded["refund"]),
            (200, &json!({"amount": "100.00", "clawbacks": []})),
            "{database}: {refunded}"
        );
    }
}

/// A decimal string of two places in minor units.
fn minor(amount: &Value) -> i64 {
    let text = amount.as_str().unwrap();
    let (units, cents) = text.split_once('.').unwrap();
    units.parse::<i64>().unwrap() * 100 + cents.parse::<i64>().unwrap()
}

/// Refunds `orders` in turn, each expected to succeed; returns what they paid back in
/// all, in minor units.
async fn refund_all(
    server: &Server,
    client: &reqwest::Client,
    orders: &[&Value],
    database: &str,
) -> i64 {
    let mut back = 0;
    for o in orders {
        let (status, refunded) = refund(server, client, o).await;
        assert_eq!(status, 200, "{database}: {refunded}");
        back += minor(&refunded["refund"]["amount"]);
    }
    back
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_order_of_the_refunds_does_not_change_what_is_paid_back() {
    // 10% off once 350 has been spent: a mug and a tea earn it for a big order.
    let store = shop(
        json!([{"id": "spend350", "application": "automatic",
                "behavior": {"minSpend": "350.00"},
                "discount": {"percentage": {"percent": "10"}},
                "display": {"title": "10% after 350 spent"}}]),
        2,
    );
    let d = dir("refund-order");
    for database in databases(&d, "refund_order").await {
        let server = start(&d, &store, &database, &[]);
        let mut paid_back = Vec::new();
        for customer in ["c0", "c1"] {
            let client = signed_in(&server, customer).await;
            let mug = place_confirmed(&server, &client, customer, &mugs(1), "mug").await;
            let tea = place_confirmed(&server, &client, customer, &Want::default(), "tea").await;
            let big = place_confirmed(&server, &client, customer, &mugs(10), "big").await;
            assert_eq!(
                (&big["discountTotal"], &big["totalAfter"]),
                (&json!("250.00"), &json!("2250.00")),
                "{big}"
            );
            let paid =
                minor(&mug["totalAfter"]) + minor(&tea["totalAfter"]) + minor(&big["totalAfter"]);
            let back = if customer == "c0" {
                // The attack: the cheap order first, whose total cannot cover the
                // discount it takes back, then the dear one in full.
                let (status, answer) = refund(&server, &client, &tea).await;
                assert_eq!(
                    (status, &answer["code"], &answer["orderIds"]),
                    (
                        409,
                        &json!("refund_later_order_first"),
                        &json!([big["orderId"]])
                    ),
                    "{database}: {answer}"
                );
                // The dear one covers it: it pays nothing and takes the discount back,
                // which the big order's refund pays back with its total.
                let (status, refunded) = refund(&server, &client, &mug).await;
                assert_eq!(
                    (status, &refunded["refund"]),
                    (
                        200,
                        &json!({"amount": "0.00",
                                "clawbacks": [{"orderId": big["orderId"], "couponIds": ["spend350"], "amount": "250.00"}]})
                    ),
                    "{database}: {refunded}"
                );
                let rest = refund_all(&server, &client, &[&tea], &database).await;
                let (status, refunded) = refund(&server, &client, &big).await;
                assert_eq!(
                    (status, &refunded["refund"]),
                    (200, &json!({"amount": "2500.00", "clawbacks": []})),
                    "{database}: {refunded}"
                );
                rest + minor(&refunded["refund"]["amount"])
            } else {
                // The honest path: the discounted order first, each pays its total.
                refund_all(&server, &client, &[&big, &tea, &mug], &database).await
            };
            assert_eq!(
                back, paid,
                "{database} {customer}: everything returned pays back everything paid"
            );
            paid_back.push(back);
        }
        assert_eq!(paid_back[0], paid_back[1], "{database}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_refund_waits_for_an_unpaid_order_a_later_order_counted() {
    // 10% off mugs for a returning customer: one earlier order earns it.
    let store = shop(
        json!([{"id": "back10", "application": "automatic",
                "orderScope": {"orderCount": {"minPrevious": 1}},
                "purchase": {"scope": {"products": ["mug"]}},
                "discount": {"percentage": {"percent": "10"}},
                "display": {"title": "10% off when you come back"}}]),
        2,
    );
    let d = dir("refund-reserved");
    for database in databases(&d, "refund_reserved").await {
        let server = start(&d, &store, &database, &[]);
        let url = server.url("/api/orders");
        for (customer, then_confirm) in [("c0", true), ("c1", false)] {
            let client = signed_in(&server, customer).await;
            let a = place_confirmed(&server, &client, customer, &Want::default(), "a").await;
            let want = Want::default();
            let claimed = claim(&server, &client, customer, &want).await;
            let (status, b) = post(&client, &url, &order("b", &want, &claimed)).await;
            assert_eq!((status, &b["state"]), (201, &json!("reserved")), "{b}");
            let later = place_confirmed(&server, &client, customer, &mugs(1), "later").await;
            assert_eq!(later["discountTotal"], "25.00", "{later}");
            // The attack: the reservation keeps the later order's discount earned while
            // the paid order is refunded in full, and is then cancelled. Refused.
            let (status, answer) = refund(&server, &client, &a).await;
            assert_eq!(
                (status, &answer["code"], &answer["orderIds"]),
                (409, &json!("unpaid_orders"), &json!([b["orderId"]])),
                "{database}: {answer}"
            );
            let id = a["orderId"].as_str().unwrap();
            let read = get_json(&client, &server.url(&format!("/api/orders/{id}"))).await;
            assert_eq!(
                (&read["state"], &read["refund"]),
                (&json!("confirmed"), &Value::Null)
            );
            let b_id = b["orderId"].as_str().unwrap();
            let step = if then_confirm { "confirm" } else { "cancel" };
            let (status, moved) =
                post_empty(&client, &server.url(&format!("/api/orders/{b_id}/{step}"))).await;
            assert_eq!(status, 200, "{moved}");
            let taken_back = json!({"amount": "75.00",
                "clawbacks": [{"orderId": later["orderId"], "couponIds": ["back10"], "amount": "25.00"}]});
            let (status, refunded) = refund(&server, &client, &a).await;
            if then_confirm {
                // Paid, the reservation earns the discount on its own: nothing is
                // taken back until it is refunded too.
                assert_eq!(
                    (status, &refunded["refund"]),
                    (200, &json!({"amount": "100.00", "clawbacks": []})),
                    "{database}: {refunded}"
                );
                let (status, refunded) = refund(&server, &client, &b).await;
                assert_eq!(
                    (status, &refunded["refund"]),
                    (200, &taken_back),
                    "{database}: {refunded}"
                );
            } else {
                // Cancelled, it supports nothing: the refund takes the discount back.
                assert_eq!(
                    (status, &refunded["refund"]),
                    (200, &taken_back),
                    "{database}: {refunded}"
                );
            }
        }
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
            (200, &json!({"amount": "500.00", "clawbacks": []})),
            "{database}: {refunded}"
        );
        // Returning the first order leaves the second the customer's only order, which
        // a first-order discount would then suit: it lost nothing, so nothing is taken
        // back (and nothing is given either).
        let (status, refunded) = refund(&server, &client, &first).await;
        assert_eq!(
            (status, &refunded["refund"]),
            (200, &json!({"amount": "80.00", "clawbacks": []})),
            "{database}: {refunded}"
        );
        let (status, refunded) = refund(&server, &client, &second).await;
        assert_eq!(
            (status, &refunded["refund"]),
            (200, &json!({"amount": "250.00", "clawbacks": []})),
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
        let mut recovered = Vec::new();
        ledger
            .refund_with(&later.id, "c0", |order, returned| {
                third = Some(seen(returned));
                recovered.clone_from(&returned.recovered);
                Ok::<_, LedgerError>(Refund {
                    amount: order.total.clone(),
                    clawbacks: Vec::new(),
                })
            })
            .await
            .unwrap();
        assert_eq!(third, Some(vec![]), "{database}");
        // It sees what the first refund took back from its own discount.
        assert_eq!(recovered, vec!["5.00".to_string()], "{database}");
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
                })
            } else {
                json!({"amount": "100.00", "clawbacks": []})
            };
            assert_eq!(
                (status, &refunded["refund"]),
                (200, &expected),
                "{database} {step}: {refunded}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_refund_is_priced_without_the_order_s_uses_and_releases_them_after() {
    let d = dir("refund-counts");
    for database in [sqlite(&d), postgres_database("refund_counts").await] {
        let ledger = Ledger::connect(&database).await.unwrap();
        let mut order = placed("a", 2_000, None);
        order.uses = vec![Use {
            coupon_id: "lim".into(),
            amount: "5.00".into(),
            global_limit: Some(10),
            per_customer_limit: Some(3),
            batch_code: None,
        }];
        order.spends = vec![Spend {
            campaign_id: "camp".into(),
            amount: 500,
            room: 10_000,
        }];
        let a = ledger.place(&order).await.unwrap();
        ledger.confirm(&a.id, "c0", 0).await.unwrap();
        let held = ledger.counts().await.unwrap();
        assert_eq!(
            (held.used.get("lim"), held.spent.get("camp")),
            (Some(&1), Some(&500)),
            "{database}"
        );
        // Refused while pricing: the transaction rolls back, nothing is released.
        let refused = ledger
            .refund_with(&a.id, "c0", |_, returned| {
                assert!(!returned.counts.used.contains_key("lim"), "{returned:?}");
                assert!(!returned.counts.spent.contains_key("camp"), "{returned:?}");
                assert!(!returned.customer_usage.contains_key("lim"), "{returned:?}");
                Err::<Refund, _>(LedgerError::HistoryChanged)
            })
            .await;
        assert!(
            matches!(refused, Err(LedgerError::HistoryChanged)),
            "{refused:?}"
        );
        assert_eq!(ledger.counts().await.unwrap(), held, "{database}");
        assert_eq!(ledger.used_by("lim", "c0").await.unwrap(), 1, "{database}");
        assert_eq!(
            ledger.get(&a.id, "c0").await.unwrap().state,
            coupon_engine_server::ledger::State::Confirmed
        );
        // Refunded: its uses and its share of the budget are given back.
        let refunded = ledger.refund(&a.id, "c0").await.unwrap();
        assert_eq!(refunded.refund.unwrap().amount, "100.00");
        let now = ledger.counts().await.unwrap();
        assert_eq!(
            (now.used.get("lim"), now.spent.get("camp")),
            (None, None),
            "{database}: {now:?}"
        );
        assert_eq!(ledger.used_by("lim", "c0").await.unwrap(), 0, "{database}");
    }
}
