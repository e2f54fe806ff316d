//! Every attack on the order server that issue 21 reported, each refused, beside the
//! honest path that still works. The server decides prices, identity, history and
//! counts from its own records; what a client sends is a request.

mod common;

use std::io::{Read, Write};
use std::time::Duration;

use common::*;
use coupon_engine::model::Timestamp;
use coupon_engine::money::Amount;
use coupon_engine_server::http::CATALOGUE_MAX_AGE;
use coupon_engine_server::ledger::Ledger;
use serde_json::{json, Value};

/// A shop with 50% off the kitchen collection and the limited ₹10 off.
fn kitchen_shop() -> Value {
    shop(
        json!([
            {"id": "kitchen50", "application": "automatic", "purchase": {"scope": {"collections": ["kitchen"]}},
             "discount": {"percentage": {"percent": "50"}}, "display": {"title": "Half off the kitchen"},
             "combinesWith": ["order"]},
            {"id": "last", "code": "LAST", "application": "automatic", "discount": {"fixedAmount": {"amount": "10.00"}},
             "limits": {"global": 100, "perCustomer": 1}, "display": {"title": "₹10 off, limited"}, "combinesWith": ["product"]}
        ]),
        4,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn prices_collections_and_shipping_come_from_the_catalogue() {
    let d = dir("prices");
    let server = start(&d, &kitchen_shop(), &sqlite(&d), &[]);
    let client = signed_in(&server, "c0").await;
    let url = server.url("/api/orders");
    let want = Want {
        lines: vec![("tea", 1)],
        shipping: Some("standard"),
        ..Want::default()
    };
    let honest = claim(&server, &client, "c0", &want).await;
    assert_eq!(honest["totalAfter"], "140.00");

    // A shown price that is not the catalogue's: price_changed, with the current price.
    let mut body = order("cheap", &want, &honest);
    body["lines"][0]["unitPrice"] = json!("0.01");
    let (status, answer) = post(&client, &url, &body).await;
    assert_eq!(
        (status, &answer["code"]),
        (409, &json!("price_changed")),
        "{answer}"
    );
    assert_eq!(answer["differences"][0]["actual"], "100.00");
    assert_eq!(answer["differences"][0]["path"], "lines[0].unitPrice");

    // A claim computed on a tampered cart (tea at 0.01) is rejected ...
    let mut cheap = honest.clone();
    cheap["lines"][0]["subtotal"] = json!("0.01");
    cheap["totalAfter"] = json!("40.01");
    let (status, answer) = post(&client, &url, &order("cheap-claim", &want, &cheap)).await;
    assert_eq!(
        (status, &answer["code"]),
        (409, &json!("claim_rejected")),
        "{answer}"
    );
    // ... and copying the server's own answer back places the order at the real price.
    let (status, placed) = post(&client, &url, &order("copied", &want, &answer["result"])).await;
    assert_eq!(
        (status, &placed["totalAfter"]),
        (201, &json!("140.00")),
        "{placed}"
    );

    // Tea claimed to be in the kitchen collection (50% off): rejected.
    let client1 = signed_in(&server, "c1").await;
    let mut kitchen_tea = claim(&server, &client1, "c1", &want).await;
    kitchen_tea["discountTotal"] = json!("60.00");
    kitchen_tea["totalAfter"] = json!("90.00");
    kitchen_tea["applied"] = json!([{"couponId": "kitchen50", "amount": "50.00"}, {"couponId": "last", "amount": "10.00"}]);
    let (status, answer) = post(&client1, &url, &order("kitchen-tea", &want, &kitchen_tea)).await;
    assert_eq!(
        (status, &answer["code"]),
        (409, &json!("claim_rejected")),
        "{answer}"
    );

    // The client cannot send a cart, collections, offers, a price of delivery or a customer.
    for (field, value) in [
        ("cart", json!({"currency": "INR", "lines": []})),
        ("customerId", json!("c3")),
        (
            "shipping",
            json!({"options": [{"id": "standard", "amount": "0.00"}], "selectedId": "standard"}),
        ),
    ] {
        let mut body = order(&format!("extra-{field}"), &want, &honest);
        body[field] = value;
        let (status, answer) = post(&client, &url, &body).await;
        assert_eq!(
            (status, &answer["code"], &answer["path"]),
            (400, &json!("unknown_field"), &json!(field)),
            "{answer}"
        );
    }
    for field in ["collectionIds", "offerId", "id"] {
        let mut body = order(&format!("line-{field}"), &want, &honest);
        body["lines"][0][field] = json!(["kitchen"]);
        let (status, answer) = post(&client, &url, &body).await;
        assert_eq!(
            (status, &answer["code"]),
            (400, &json!("unknown_field")),
            "{field}: {answer}"
        );
    }
    let mut body = order("free-delivery", &want, &honest);
    body["shippingId"] = json!("free");
    let (status, answer) = post(&client, &url, &body).await;
    assert_eq!(
        (status, &answer["code"]),
        (422, &json!("unknown_shipping_option")),
        "{answer}"
    );
    let mut body = order("no-such-product", &want, &honest);
    body["lines"][0]["productId"] = json!("gold-bar");
    let (status, answer) = post(&client, &url, &body).await;
    assert_eq!(
        (status, &answer["code"], &answer["path"]),
        (422, &json!("unknown_product"), &json!("lines[0].productId"))
    );
    let mut body = order("empty", &want, &honest);
    body["lines"] = json!([]);
    assert_eq!(post(&client, &url, &body).await.1["code"], "empty_cart");

    // The merchant raises a price: once the server has read it (within
    // CATALOGUE_MAX_AGE, seen in the signed catalogue), a claim made at the old one is
    // refused, the storefront's shown price answers price_changed, and the new honest
    // claim goes through.
    Ledger::connect(&sqlite(&d))
        .await
        .unwrap()
        .set_price("tea", &Amount::parse("120.00").unwrap())
        .await
        .unwrap();
    let changed_at = std::time::Instant::now();
    loop {
        let token = get_json(&anonymous(), &server.url("/api/bundle")).await["token"].clone();
        let products = payload(token.as_str().unwrap())["catalogue"]["products"].clone();
        let tea = products
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == "tea")
            .unwrap()
            .clone();
        if tea["price"] == "120.00" {
            break;
        }
        assert!(
            changed_at.elapsed() < CATALOGUE_MAX_AGE * 5,
            "the server still sells tea at {}",
            tea["price"]
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let client2 = signed_in(&server, "c2").await;
    let stale = honest.clone();
    let (status, answer) = post(&client2, &url, &order("stale", &want, &stale)).await;
    assert_eq!((status, &answer["code"]), (409, &json!("claim_rejected")));
    let mut body = order("stale-price", &want, &stale);
    body["lines"][0]["unitPrice"] = json!("100.00");
    let (status, answer) = post(&client2, &url, &body).await;
    assert_eq!(
        (status, &answer["differences"][0]["actual"]),
        (409, &json!("120.00")),
        "{answer}"
    );
    let fresh = claim(&server, &client2, "c2", &want).await;
    let mut body = order("fresh", &want, &fresh);
    body["lines"][0]["unitPrice"] = json!("120.00");
    let (status, placed) = post(&client2, &url, &body).await;
    assert_eq!(
        (status, &placed["totalAfter"]),
        (201, &json!("160.00")),
        "{placed}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn only_the_signed_in_customer_is_served() {
    let d = dir("identity");
    let server = start(&d, &limited_shop(100, 3), &sqlite(&d), &[]);
    let nobody = anonymous();
    let want = Want::default();
    let c0 = signed_in(&server, "c0").await;
    let honest = claim(&server, &c0, "c0", &want).await;
    let url = server.url("/api/orders");
    // Not signed in: 401 everywhere that is a customer's.
    for (status, answer) in [
        post(&nobody, &url, &order("anon", &want, &honest)).await,
        post_empty(&nobody, &server.url("/api/orders/ord_x/confirm")).await,
        post_empty(&nobody, &server.url("/api/orders/ord_x/cancel")).await,
        (
            nobody
                .get(server.url("/api/customers/c0/summary"))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16(),
            json!({"code": "not_signed_in"}),
        ),
        (
            nobody
                .get(server.url("/api/session"))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16(),
            json!({"code": "not_signed_in"}),
        ),
    ] {
        assert_eq!(
            (status, &answer["code"]),
            (401, &json!("not_signed_in")),
            "{answer}"
        );
    }
    // Another customer's summary, and an unknown one's, get the same 403: no enumeration.
    let theirs = c0
        .get(server.url("/api/customers/c1/summary"))
        .send()
        .await
        .unwrap();
    let unknown = c0
        .get(server.url("/api/customers/nobody/summary"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        (theirs.status().as_u16(), unknown.status().as_u16()),
        (403, 403)
    );
    assert_eq!(
        theirs.json::<Value>().await.unwrap(),
        unknown.json::<Value>().await.unwrap()
    );
    // The demo signs in only the store's customers.
    let (status, answer) = post(
        &nobody,
        &server.url("/api/session"),
        &json!({"customerId": "cus-made-up"}),
    )
    .await;
    assert_eq!((status, &answer["code"]), (401, &json!("unknown_customer")));
    // A session cookie edited to name another customer is not a session.
    let r = anonymous()
        .post(server.url("/api/session"))
        .json(&json!({"customerId": "c0"}))
        .send()
        .await
        .unwrap();
    let cookie = r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    assert!(cookie.ends_with("%3Ac0"), "{cookie}");
    let forged = format!("{}%3Ac1", cookie.strip_suffix("%3Ac0").unwrap());
    let raw = reqwest::Client::new();
    let r = raw
        .get(server.url("/api/session"))
        .header("cookie", &forged)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = raw
        .get(server.url("/api/session"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "the untouched cookie is a session");
    // A cookie signed by another shop's secret is not a session either.
    let other = dir("identity-other");
    let other_server = start(&other, &limited_shop(100, 3), &sqlite(&other), &[]);
    let r = raw
        .get(other_server.url("/api/session"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // Signed out, the session is gone.
    c0.delete(server.url("/api/session")).send().await.unwrap();
    assert_eq!(
        c0.get(server.url("/api/session"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn orders_belong_to_their_customer() {
    let d = dir("ownership");
    let server = start(&d, &limited_shop(100, 3), &sqlite(&d), &[]);
    let want = Want::default();
    let url = server.url("/api/orders");
    let (alice, bob) = (
        signed_in(&server, "c0").await,
        signed_in(&server, "c1").await,
    );
    let a = claim(&server, &alice, "c0", &want).await;
    let b = claim(&server, &bob, "c1", &want).await;
    // The same key from two customers: two orders, each their own.
    let (sa, mine) = post(&alice, &url, &order("1", &want, &a)).await;
    let (sb, theirs) = post(&bob, &url, &order("1", &want, &b)).await;
    assert_eq!((sa, sb), (201, 201), "{mine} {theirs}");
    assert_ne!(mine["orderId"], theirs["orderId"]);
    let id = mine["orderId"].as_str().unwrap();
    // Bob can neither see, confirm, cancel nor refund Alice's order.
    assert_eq!(
        bob.get(server.url(&format!("/api/orders/{id}")))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    for action in ["confirm", "cancel", "refund"] {
        let (status, answer) =
            post_empty(&bob, &server.url(&format!("/api/orders/{id}/{action}"))).await;
        assert_eq!(
            (status, &answer["code"]),
            (404, &json!("unknown_order")),
            "{action}"
        );
    }
    // Alice confirms; a confirmed order is refunded, never cancelled.
    let (status, _) = post_empty(&alice, &server.url(&format!("/api/orders/{id}/confirm"))).await;
    assert_eq!(status, 200);
    let (status, answer) =
        post_empty(&alice, &server.url(&format!("/api/orders/{id}/cancel"))).await;
    assert_eq!(
        (status, &answer["code"], &answer["state"]),
        (409, &json!("wrong_state"), &json!("confirmed"))
    );
    let (status, answer) =
        post_empty(&alice, &server.url(&format!("/api/orders/{id}/refund"))).await;
    assert_eq!(
        (status, &answer["state"]),
        (200, &json!("refunded")),
        "{answer}"
    );
    // Refunded, its use comes back and it leaves the history.
    let again = claim(&server, &alice, "c0", &want).await;
    assert_eq!(again["discountTotal"], "10.00");
    let summary = get_json(&alice, &server.url("/api/customers/c0/summary")).await;
    assert_eq!(
        payload(summary["token"].as_str().unwrap())["customer"]["orders"],
        json!([])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn retries_replay_and_a_reused_key_with_another_request_is_refused() {
    for database in [None, Some(postgres_database("attack_retry").await)] {
        let d = dir("retries");
        let database = database.unwrap_or_else(|| sqlite(&d));
        let server = start(&d, &limited_shop(100, 2), &database, &[]);
        let client = signed_in(&server, "c0").await;
        let want = Want::default();
        let honest = claim(&server, &client, "c0", &want).await;
        let url = server.url("/api/orders");
        // Twenty concurrent retries of one key on a per-customer-limited coupon: one
        // order, every answer is it, none is a 409 caused by its own use.
        let tasks: Vec<_> = (0..20)
            .map(|_| {
                let (client, url, body) =
                    (client.clone(), url.clone(), order("retry", &want, &honest));
                tokio::spawn(async move { post(&client, &url, &body).await })
            })
            .collect();
        let mut ids = std::collections::BTreeSet::new();
        let mut created = 0;
        for t in tasks {
            let (status, answer) = t.await.unwrap();
            assert!(
                status == 201 || status == 200,
                "{database}: {status} {answer}"
            );
            created += usize::from(status == 201);
            ids.insert(answer["orderId"].as_str().unwrap().to_string());
        }
        assert_eq!((created, ids.len()), (1, 1), "{database}");
        // The same key with another request: 422, and nothing placed.
        let mut other = want.clone();
        other.lines = vec![("mug", 1)];
        let claimed = claim(&server, &client, "c0", &other).await;
        let (status, answer) = post(&client, &url, &order("retry", &other, &claimed)).await;
        assert_eq!(
            (status, &answer["code"]),
            (422, &json!("idempotency_mismatch")),
            "{answer}"
        );
        let summary = get_json(&client, &server.url("/api/customers/c0/summary")).await;
        assert_eq!(
            payload(summary["token"].as_str().unwrap())["customer"]["orders"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_stores_counts_are_honoured_and_reservations_are_bounded() {
    let d = dir("limits");
    let mut store = shop(
        json!([
            {"id": "few-left", "application": "automatic", "discount": {"fixedAmount": {"amount": "5.00"}},
             "limits": {"global": 5, "globalRedeemed": 3}, "display": {"title": "₹5 off"}, "combinesWith": ["order"]},
            {"id": "gone", "application": "automatic", "discount": {"fixedAmount": {"amount": "7.00"}},
             "limits": {"global": 3, "globalRedeemed": 3}, "display": {"title": "₹7 off"}, "combinesWith": ["order"]},
            {"id": "once", "application": "automatic", "discount": {"fixedAmount": {"amount": "1.00"}},
             "limits": {"perCustomer": 1}, "display": {"title": "₹1 off once"}, "combinesWith": ["order"]}
        ]),
        5,
    );
    store["customers"][4]["couponUsage"] = json!({"once": 1});
    let server = start(&d, &store, &sqlite(&d), &["--max-open", "2"]);
    let url = server.url("/api/orders");
    let want = Want::default();
    // 3 of 3 used elsewhere: never applied, and a claim of it is refused.
    let c0 = signed_in(&server, "c0").await;
    let honest = claim(&server, &c0, "c0", &want).await;
    let card = |r: &Value, id: &str| {
        r["cards"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["couponId"] == id)
            .unwrap()["status"]
            .clone()
    };
    assert_eq!(card(&honest, "gone"), "exhausted");
    let mut forged = honest.clone();
    forged["applied"]
        .as_array_mut()
        .unwrap()
        .push(json!({"couponId": "gone", "amount": "7.00"}));
    let (status, answer) = post(&c0, &url, &order("forged", &want, &forged)).await;
    assert_eq!((status, &answer["code"]), (409, &json!("claim_rejected")));
    // 3 of 5 used elsewhere: two more uses, then exhausted.
    let mut redeemed = 0;
    for i in 0..4 {
        let customer = format!("c{i}");
        let client = signed_in(&server, &customer).await;
        let claimed = claim(&server, &client, &customer, &want).await;
        let (status, placed) =
            post(&client, &url, &order(&format!("few-{i}"), &want, &claimed)).await;
        assert_eq!(status, 201, "{placed}");
        redeemed += placed["discounts"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["couponId"] == "few-left")
            .count();
    }
    assert_eq!(redeemed, 2);
    // Usage counted elsewhere for this customer (couponUsage in the store): used up.
    let c4 = signed_in(&server, "c4").await;
    assert_eq!(
        card(&claim(&server, &c4, "c4", &want).await, "once"),
        "exhausted"
    );
    // At most --max-open unconfirmed orders: the third is refused until one is confirmed.
    let mut ids = Vec::new();
    for i in 0..2 {
        let claimed = claim(&server, &c4, "c4", &want).await;
        let (status, placed) = post(&c4, &url, &order(&format!("hold-{i}"), &want, &claimed)).await;
        assert_eq!(status, 201, "{placed}");
        ids.push(placed["orderId"].as_str().unwrap().to_string());
    }
    let claimed = claim(&server, &c4, "c4", &want).await;
    let (status, answer) = post(&c4, &url, &order("hold-2", &want, &claimed)).await;
    assert_eq!(
        (status, &answer["code"]),
        (429, &json!("too_many_reservations")),
        "{answer}"
    );
    post_empty(&c4, &server.url(&format!("/api/orders/{}/confirm", ids[0]))).await;
    let (status, _) = post(&c4, &url, &order("hold-2", &want, &claimed)).await;
    assert_eq!(status, 201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_payment_method_is_kept_and_checked_at_confirmation() {
    let d = dir("payment");
    let store = shop(
        json!([{"id": "prepaid", "application": "automatic", "disableCod": true,
                "discount": {"percentage": {"percent": "12"}}, "display": {"title": "12% off paying online"}}]),
        1,
    );
    let server = start(&d, &store, &sqlite(&d), &[]);
    let c0 = signed_in(&server, "c0").await;
    let want = Want {
        payment: Some("card"),
        ..Want::default()
    };
    let claimed = claim(&server, &c0, "c0", &want).await;
    assert_eq!(claimed["discountTotal"], "12.00");
    let (_, placed) = post(
        &c0,
        &server.url("/api/orders"),
        &order("pay", &want, &claimed),
    )
    .await;
    assert_eq!(placed["paymentMethod"], "card");
    let id = placed["orderId"].as_str().unwrap();
    let confirm = server.url(&format!("/api/orders/{id}/confirm"));
    let (status, answer) = post(&c0, &confirm, &json!({"paymentMethod": "cod"})).await;
    assert_eq!(
        (status, &answer["code"]),
        (409, &json!("payment_method_changed")),
        "{answer}"
    );
    let (status, answer) = post(&c0, &confirm, &json!({"paymentMethod": "card"})).await;
    assert_eq!((status, &answer["state"]), (200, &json!("confirmed")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn control_characters_rate_limits_and_storage_errors_get_clean_answers() {
    let d = dir("hardening");
    let database = postgres_database("attack_hardening").await;
    let server = start(
        &d,
        &limited_shop(100, 2),
        &database,
        &["--place-per-minute", "3", "--place-burst", "3"],
    );
    let c0 = signed_in(&server, "c0").await;
    let want = Want::default();
    let honest = claim(&server, &c0, "c0", &want).await;
    let url = server.url("/api/orders");
    // A NUL byte in an order id never reaches PostgreSQL.
    for path in ["/api/orders/ord_%00x", "/api/orders/ord_%00x/confirm"] {
        let r = if path.ends_with("confirm") {
            c0.post(server.url(path)).send().await.unwrap()
        } else {
            c0.get(server.url(path)).send().await.unwrap()
        };
        assert_eq!(r.status(), 400, "{path}");
        let answer: Value = r.json().await.unwrap();
        assert_eq!(
            (&answer["code"], &answer["path"]),
            (&json!("invalid_value"), &json!("id"))
        );
    }
    for (field, value) in [("idempotencyKey", "a\u{0}b"), ("codes", "LAST\n")] {
        let mut body = order("ctl", &want, &honest);
        body[field] = if field == "codes" {
            json!([value])
        } else {
            json!(value)
        };
        let (status, answer) = post(&c0, &url, &body).await;
        assert_eq!(
            (status, &answer["code"]),
            (400, &json!("invalid_value")),
            "{field}: {answer}"
        );
    }
    let mut body = order("ctl-product", &want, &honest);
    body["lines"][0]["productId"] = json!("tea\u{7}");
    assert_eq!(post(&c0, &url, &body).await.0, 400);
    // The rate limit: 3 placements in a burst, then 429 (replays are not limited).
    for i in 0..3 {
        let (status, answer) = post(&c0, &url, &order(&format!("burst-{i}"), &want, &honest)).await;
        assert_eq!(status, if i == 0 { 201 } else { 409 }, "{answer}"); // one use per customer
    }
    assert_eq!(
        post(&c0, &url, &order("burst-0", &want, &honest)).await.0,
        200
    );
    let (status, answer) = post(&c0, &url, &order("one-too-many", &want, &honest)).await;
    assert_eq!(
        (status, &answer["code"]),
        (429, &json!("rate_limited")),
        "{answer}"
    );
    // Another customer is not slowed by it.
    let c1 = signed_in(&server, "c1").await;
    let theirs = claim(&server, &c1, "c1", &want).await;
    assert_eq!(post(&c1, &url, &order("fine", &want, &theirs)).await.0, 201);
    // The database loses a table: a generic 503, no database text.
    let admin = Ledger::admin(&database).await.unwrap();
    sqlx::query("DROP TABLE customer_usage")
        .execute(&admin)
        .await
        .unwrap();
    let r = c1
        .get(server.url("/api/customers/c1/summary"))
        .send()
        .await
        .unwrap();
    let status = r.status();
    let text = r.text().await.unwrap();
    assert_eq!(status, 503, "{text}");
    assert!(
        text.contains("\"unavailable\"")
            && !text.contains("customer_usage")
            && !text.contains("relation"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn half_sent_requests_are_cut_off_and_cannot_starve_the_server() {
    let d = dir("slow");
    let server = start(
        &d,
        &limited_shop(100, 1),
        &sqlite(&d),
        &["--header-timeout", "1", "--max-connections", "4"],
    );
    // Four clients that never finish their headers take every connection slot ...
    let mut slow: Vec<std::net::TcpStream> = (0..4)
        .map(|_| {
            let mut s = std::net::TcpStream::connect(&server.addr).unwrap();
            s.write_all(b"GET /api/health HTTP/1.1\r\nHost: x\r\n")
                .unwrap();
            s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
            s
        })
        .collect();
    // ... until the header timeout closes them; an honest request is then served.
    let health = anonymous()
        .get(server.url("/api/health"))
        .timeout(Duration::from_secs(20))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    for s in &mut slow {
        let mut rest = Vec::new();
        // Closed by the server: the read ends (with whatever it answered), it does not time out.
        let read = s.read_to_end(&mut rest);
        assert!(
            read.is_ok()
                || read
                    .as_ref()
                    .is_err_and(|e| e.kind() == std::io::ErrorKind::ConnectionReset),
            "{read:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hidden_coupons_codes_stay_out_of_the_public_bundle() {
    let d = dir("hidden");
    let store = shop(
        json!([{"id": "secret", "code": "Staff-Only-7Q2X", "application": "code",
                "discount": {"percentage": {"percent": "30"}},
                "display": {"title": "Staff discount", "visible": false}},
               {"id": "public", "code": "WELCOME5", "application": "code",
                "discount": {"fixedAmount": {"amount": "5.00"}}, "display": {"title": "₹5 off"}}]),
        1,
    );
    let server = start(&d, &store, &sqlite(&d), &[]);
    let c0 = signed_in(&server, "c0").await;
    let token = get_json(&anonymous(), &server.url("/api/bundle")).await["token"]
        .as_str()
        .unwrap()
        .to_string();
    let text = payload(&token).to_string().to_ascii_uppercase();
    assert!(
        !text.contains("STAFF-ONLY-7Q2X"),
        "the hidden code is in the public bundle"
    );
    assert!(text.contains("WELCOME5"), "a visible coupon keeps its code");
    // Offline, the right code still shows the card and applies.
    let want = Want {
        codes: vec!["staff-only-7q2x"],
        ..Want::default()
    };
    let claimed = claim(&server, &c0, "c0", &want).await;
    assert_eq!(claimed["discountTotal"], "30.00", "{claimed}");
    let (status, placed) = post(
        &c0,
        &server.url("/api/orders"),
        &order("staff", &want, &claimed),
    )
    .await;
    assert_eq!(
        (status, &placed["discountTotal"]),
        (201, &json!("30.00")),
        "{placed}"
    );
    // A wrong code is unknown and not applied.
    let wrong = Want {
        codes: vec!["STAFF-ONLY-7Q2Y"],
        ..Want::default()
    };
    let claimed = claim(&server, &c0, "c0", &wrong).await;
    assert_eq!(
        (
            claimed["discountTotal"].clone(),
            claimed["unknownCodes"].as_array().unwrap().len()
        ),
        (json!("0.00"), 1)
    );
    // Two servers on one key publish the same concealed bundle.
    let again = start(&d, &store, &sqlite(&dir("hidden-2")), &[]);
    let other = get_json(&anonymous(), &again.url("/api/bundle")).await["token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(payload(&token)["bundle"], payload(&other)["bundle"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_batch_code_is_taken_once_and_unissued_codes_are_refused() {
    let d = dir("batch");
    let batch = code_batch::Batch {
        prefix: "MISSYOU-",
        length: 8,
        salt: "winback-2026-12-batch-a",
    };
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut fill = |bytes: &mut [u8]| {
        for b in bytes {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            *b = state.to_le_bytes()[7];
        }
    };
    let issued: Vec<String> = (0..20).map(|_| batch.generate(&mut fill)).collect();
    // Well formed, with its check, but never issued: what a guesser who read the
    // public salt would try.
    let forged = batch.generate(&mut fill);
    let mut store = shop(
        json!([{"id": "missyou", "application": "code",
                "codeBatch": {"prefix": batch.prefix, "length": 8, "salt": batch.salt},
                "discount": {"percentage": {"percent": "20"}},
                "display": {"title": "20% off, just for you", "visible": false}}]),
        3,
    );
    store["codeBatches"] = json!([{"couponId": "missyou", "codes": issued}]);
    let server = start(&d, &store, &sqlite(&d), &[]);
    // The public bundle tells how to recognise a code, and holds none.
    let token = get_json(&anonymous(), &server.url("/api/bundle")).await["token"]
        .as_str()
        .unwrap()
        .to_string();
    let text = payload(&token).to_string();
    assert!(
        issued.iter().all(|code| !text.contains(&code[8..])),
        "a code is in the bundle"
    );
    let place =
        |client: reqwest::Client, customer: &'static str, code: String, key: &'static str| {
            let server = &server;
            // `Want` holds static texts, as the other tests' do.
            let code: &'static str = Box::leak(code.into_boxed_str());
            async move {
                let want = Want {
                    codes: vec![code],
                    ..Want::default()
                };
                let claimed = claim(server, &client, customer, &want).await;
                post(
                    &client,
                    &server.url("/api/orders"),
                    &order(key, &want, &claimed),
                )
                .await
            }
        };
    let (c0, c1, c2) = (
        signed_in(&server, "c0").await,
        signed_in(&server, "c1").await,
        signed_in(&server, "c2").await,
    );
    // The honest path: a customer's own code, typed in lower case, applies once.
    let (status, placed) = place(c0.clone(), "c0", issued[0].to_lowercase(), "own").await;
    assert_eq!(
        (status, &placed["discountTotal"]),
        (201, &json!("20.00")),
        "{placed}"
    );
    // The same code from another customer (forwarded email): refused.
    let (status, body) = place(c1.clone(), "c1", issued[0].clone(), "forwarded").await;
    assert_eq!(
        (status, &body["code"]),
        (409, &json!("code_unavailable")),
        "{body}"
    );
    // A forged code passes the offline check but the ledger never issued it, and gets
    // the same answer as a used one.
    let (status, body) = place(c2.clone(), "c2", forged, "forged").await;
    assert_eq!(
        (status, &body["code"], &body["path"]),
        (409, &json!("code_unavailable"), &json!("codes")),
        "{body}"
    );
    // Cancelling the first order gives its code back.
    let id = placed["orderId"].as_str().unwrap();
    let (status, _) = post_empty(&c0, &server.url(&format!("/api/orders/{id}/cancel"))).await;
    assert_eq!(status, 200);
    let (status, body) = place(c1, "c1", issued[0].clone(), "after-cancel").await;
    assert_eq!(
        (status, &body["discountTotal"]),
        (201, &json!("20.00")),
        "{body}"
    );
    // Another issued code still works for the next customer.
    let (status, body) = place(c2, "c2", issued[1].clone(), "second").await;
    assert_eq!(
        (status, &body["discountTotal"]),
        (201, &json!("20.00")),
        "{body}"
    );
}

#[test]
fn a_store_file_with_a_code_outside_its_batch_does_not_start() {
    let d = dir("batch-typo");
    let mut store = shop(
        json!([{"id": "missyou", "application": "code",
                "codeBatch": {"prefix": "MISSYOU-", "length": 8, "salt": "winback-2026-12-batch-a"},
                "discount": {"percentage": {"percent": "20"}}, "display": {"title": "20% off"}}]),
        1,
    );
    store["codeBatches"] = json!([{"couponId": "missyou", "codes": ["MISSYOU-7KQ2MZTAH2"]}]);
    std::fs::write(d.join("store.json"), store.to_string()).unwrap();
    let out = serve(&d, &sqlite(&d)).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("codeBatches[0].codes[0]: MISSYOU-7KQ2MZTAH2 is not a code of the batch"),
        "{stderr}"
    );
}

/// The test catalogue with GST in its prices: 5% on tea, 18% on the rest.
fn gst_shop() -> Value {
    let mut store = kitchen_shop();
    store["catalogue"]["pricesIncludeTax"] = json!(true);
    for p in store["catalogue"]["products"].as_array_mut().unwrap() {
        p["taxRate"] = json!(if p["id"] == "tea" { "5" } else { "18" });
    }
    store
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_tax_an_order_charges_comes_from_the_catalogue() {
    let d = dir("tax");
    let server = start(&d, &gst_shop(), &sqlite(&d), &[]);
    let url = server.url("/api/orders");
    let want = Want {
        lines: vec![("tea", 2), ("mug", 1)],
        ..Want::default()
    };

    // The signed catalogue carries the rates; the honest storefront's result has the
    // breakdown, and the order records the tax the server computed.
    let client = signed_in(&server, "c0").await;
    let honest = claim(&server, &client, "c0", &want).await;
    // Tea 200.00 at 5%, the mug 250.00 at 18% with half off; ₹10 off the order, 6.15 of
    // it on the tea. Tea pays 193.85 (184.62 + 9.23 tax), the mug 121.15 (102.67 + 18.48).
    assert_eq!(honest["totalAfter"], "315.00", "{honest}");
    assert_eq!(honest["tax"]["tax"], "27.71", "{honest}");
    let (status, placed) = post(&client, &url, &order("gst", &want, &honest)).await;
    assert_eq!((status, &placed["tax"]), (201, &json!("27.71")), "{placed}");
    let id = placed["orderId"].as_str().unwrap();
    let fetched = get_json(&client, &server.url(&format!("/api/orders/{id}"))).await;
    assert_eq!(fetched["tax"], "27.71", "{fetched}");

    // A storefront cannot send its own rate, or say its prices exclude tax.
    for (at_line, field, value) in [
        (true, "taxRate", json!("0")),
        (false, "pricesIncludeTax", json!(false)),
    ] {
        let mut body = order(&format!("own-{field}"), &want, &honest);
        if at_line {
            body["lines"][0][field] = value;
        } else {
            body[field] = value;
        }
        let (status, answer) = post(&client, &url, &body).await;
        assert_eq!(
            (status, &answer["code"]),
            (400, &json!("unknown_field")),
            "{field}: {answer}"
        );
    }

    // A storefront that evaluates without the rates shows the same totals; the claim
    // matches and the order still charges the catalogue's tax.
    let client1 = signed_in(&server, "c1").await;
    let mut untaxed = claim(&server, &client1, "c1", &want).await;
    untaxed["tax"] = Value::Null;
    for line in untaxed["lines"].as_array_mut().unwrap() {
        line["tax"] = Value::Null;
    }
    let (status, placed) = post(&client1, &url, &order("untaxed", &want, &untaxed)).await;
    assert_eq!((status, &placed["tax"]), (201, &json!("27.71")), "{placed}");
}

#[test]
fn a_store_file_with_a_tax_rate_on_some_products_only_does_not_start() {
    let d = dir("tax-partial");
    let mut store = gst_shop();
    store["catalogue"]["products"][1]
        .as_object_mut()
        .unwrap()
        .remove("taxRate");
    std::fs::write(d.join("store.json"), store.to_string()).unwrap();
    let out = serve(&d, &sqlite(&d)).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("catalogue:") && stderr.contains("taxRate"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_campaign_budget_is_spent_by_the_ledger_and_published_with_the_bundle() {
    let d = dir("budget");
    // ₹25 off the mug, from a ₹60 budget of which ₹10 went elsewhere: two orders fit.
    let mut store = shop(
        json!([{"id": "mug25", "application": "automatic", "campaign": "diwali",
                "discount": {"fixedAmount": {"amount": "25.00"}},
                "purchase": {"scope": {"products": ["mug"]}},
                "display": {"title": "₹25 off mugs"}}]),
        3,
    );
    store["bundle"]["campaigns"] = json!([{"id": "diwali", "budget": "60.00", "spent": "10.00"}]);
    let server = start(&d, &store, &sqlite(&d), &[]);
    let want = Want {
        lines: vec![("mug", 1)],
        ..Want::default()
    };
    for (customer, key) in [("c0", "first"), ("c1", "second")] {
        let client = signed_in(&server, customer).await;
        let claimed = claim(&server, &client, customer, &want).await;
        let (status, placed) = post(
            &client,
            &server.url("/api/orders"),
            &order(key, &want, &claimed),
        )
        .await;
        assert_eq!(
            (status, &placed["discountTotal"]),
            (201, &json!("25.00")),
            "{placed}"
        );
    }
    // The published bundle carries what is spent: ₹10 elsewhere and ₹50 here.
    let token = get_json(&anonymous(), &server.url("/api/bundle")).await["token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(payload(&token)["bundle"]["campaigns"][0]["spent"], "60.00");
    // The third shopper's device sees the coupon exhausted and claims no discount.
    let c2 = signed_in(&server, "c2").await;
    let honest = claim(&server, &c2, "c2", &want).await;
    assert_eq!(honest["discountTotal"], "0.00", "{honest}");
    let card = &honest["cards"][0];
    assert_eq!(
        (card["status"].as_str(), card["reasons"][0]["code"].as_str()),
        (Some("exhausted"), Some("budget_exhausted")),
        "{card}"
    );
    // A device that claims the discount all the same is refused by the recheck.
    let mut tampered = honest.clone();
    tampered["discountTotal"] = json!("25.00");
    tampered["totalAfter"] = json!("225.00");
    tampered["applied"] = json!([{"couponId": "mug25", "amount": "25.00"}]);
    let (status, body) = post(
        &c2,
        &server.url("/api/orders"),
        &order("tampered", &want, &tampered),
    )
    .await;
    assert_eq!(
        (status, &body["code"]),
        (409, &json!("claim_rejected")),
        "{body}"
    );
    // The honest order, without the discount, goes through.
    let (status, placed) = post(
        &c2,
        &server.url("/api/orders"),
        &order("honest", &want, &honest),
    )
    .await;
    assert_eq!(
        (status, &placed["discountTotal"]),
        (201, &json!("0.00")),
        "{placed}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_scheduled_coupon_is_rechecked_on_the_servers_clock() {
    let d = dir("schedule");
    // Windows around the server's clock in India (+05:30, no daylight saving): the
    // tea's opened half an hour ago, the mug's opens in 20 minutes.
    let now = coupon_engine_server::http::now();
    let minute = (now.unix_seconds() + 19_800)
        .div_euclid(60)
        .rem_euclid(1440);
    let clock = |m: i64| {
        let m = m.rem_euclid(1440);
        format!("{:02}:{:02}", m / 60, m % 60)
    };
    let mut store = shop(
        json!([
            {"id": "tea-hour", "application": "automatic", "purchase": {"scope": {"products": ["tea"]}},
             "discount": {"percentage": {"percent": "10"}},
             "schedule": [format!("{}-{}", clock(minute - 30), clock(minute + 30))],
             "display": {"title": "Tea hour: 10% off tea"}},
            {"id": "mug-hour", "application": "automatic", "purchase": {"scope": {"products": ["mug"]}},
             "discount": {"fixedAmount": {"amount": "25.00"}},
             "schedule": [format!("{}-{}", clock(minute + 20), clock(minute + 50))],
             "display": {"title": "Mug hour: ₹25 off mugs"}}
        ]),
        2,
    );
    // The store names the zone; the server fills in its offsets.
    store["bundle"]["timeZone"] = json!({"name": "Asia/Kolkata"});
    let server = start(&d, &store, &sqlite(&d), &[]);
    let token = get_json(&anonymous(), &server.url("/api/bundle")).await["token"]
        .as_str()
        .unwrap()
        .to_string();
    let zone = &payload(&token)["bundle"]["timeZone"];
    assert_eq!(zone["name"], "Asia/Kolkata", "{zone}");
    assert!(
        zone["offsets"][0].as_str().unwrap().ends_with("+05:30"),
        "{zone}"
    );
    // The honest path: tea in its hour.
    let c0 = signed_in(&server, "c0").await;
    let tea = Want::default();
    let claimed = claim(&server, &c0, "c0", &tea).await;
    let (status, placed) = post(
        &c0,
        &server.url("/api/orders"),
        &order("tea", &tea, &claimed),
    )
    .await;
    assert_eq!(
        (status, &placed["discountTotal"]),
        (201, &json!("10.00")),
        "{placed}"
    );
    // The mug's hour has not begun: an honest device shows when it opens...
    let c1 = signed_in(&server, "c1").await;
    let mug = Want {
        lines: vec![("mug", 1)],
        ..Want::default()
    };
    let honest = claim(&server, &c1, "c1", &mug).await;
    let card = honest["cards"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["couponId"] == "mug-hour")
        .unwrap();
    assert_eq!(
        (card["status"].as_str(), card["reasons"][0]["code"].as_str()),
        (Some("locked"), Some("outside_schedule")),
        "{card}"
    );
    assert_eq!(
        card["reasons"][0]["params"]["time"],
        json!(clock(minute + 20))
    );
    // ...and a device whose clock says it is the mug's hour claims the discount, which
    // the server's clock refuses.
    let later = Timestamp(now.0 + chrono::TimeDelta::minutes(35));
    let early = claim_at(&server, &c1, "c1", &mug, later).await;
    assert_eq!(early["discountTotal"], "25.00", "{early}");
    let (status, body) = post(
        &c1,
        &server.url("/api/orders"),
        &order("early", &mug, &early),
    )
    .await;
    assert_eq!(
        (status, &body["code"]),
        (409, &json!("claim_rejected")),
        "{body}"
    );
    let difference = &body["differences"][0];
    assert_eq!(
        (difference["code"].as_str(), &difference["reasons"]),
        (Some("not_applicable"), &json!(["outside_schedule"])),
        "{body}"
    );
    // The honest order, at full price, goes through.
    let (status, placed) = post(
        &c1,
        &server.url("/api/orders"),
        &order("mug", &mug, &honest),
    )
    .await;
    assert_eq!(
        (status, &placed["discountTotal"]),
        (201, &json!("0.00")),
        "{placed}"
    );
}

#[test]
fn a_store_file_with_an_unknown_time_zone_does_not_start() {
    let d = dir("unknown-zone");
    let mut store = shop(json!([]), 1);
    store["bundle"]["timeZone"] = json!({"name": "Mars/Olympus_Mons"});
    std::fs::write(d.join("store.json"), store.to_string()).unwrap();
    let out = serve(&d, &sqlite(&d)).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("bundle.timeZone: time zone \"Mars/Olympus_Mons\""),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn whether_a_line_is_on_sale_comes_from_the_catalogue() {
    // 15% off full-price items: the kurta (₹899, was ₹1,199) is on sale, the mug is not.
    let store = shop(
        json!([{"id": "full15", "application": "automatic", "purchase": {"excludeSaleItems": true},
                "discount": {"percentage": {"percent": "15"}}, "display": {"title": "15% off full-price items"}}]),
        2,
    );
    let d = dir("sale");
    for database in [sqlite(&d), postgres_database("attack_sale").await] {
        let server = start(&d, &store, &database, &[]);
        let client = signed_in(&server, "c0").await;
        let url = server.url("/api/orders");
        let want = Want {
            lines: vec![("kurta", 1), ("mug", 1)],
            ..Want::default()
        };
        let honest = claim(&server, &client, "c0", &want).await;
        assert_eq!(
            honest["discountTotal"], "37.50",
            "15% of the mug alone: {honest}"
        );

        // A claim computed with the kurta's compare-at price dropped, so that the sale
        // line is discounted too: rejected, and the server's result leaves it alone.
        let dropped = claim_on(&server, &client, "c0", &want, |cart| {
            cart["lines"][0]
                .as_object_mut()
                .unwrap()
                .remove("compareAtPrice");
        })
        .await;
        assert_eq!(dropped["discountTotal"], "172.35", "{dropped}");
        let (status, answer) = post(&client, &url, &order("dropped", &want, &dropped)).await;
        assert_eq!(
            (status, &answer["code"], &answer["result"]["discountTotal"]),
            (409, &json!("claim_rejected"), &json!("37.50")),
            "{answer}"
        );

        // A compare-at price the shopper cannot have seen: invented for the mug, or the
        // kurta's shown at its price (off sale). Both are price_changed, with the
        // catalogue's (none for the mug).
        for (line, shown, actual) in [(1, "300.00", Value::Null), (0, "899.00", json!("1199.00"))] {
            let mut body = order(&format!("shown-{line}"), &want, &honest);
            body["lines"][line]["compareAtPrice"] = json!(shown);
            let (status, answer) = post(&client, &url, &body).await;
            assert_eq!(
                (status, &answer["code"]),
                (409, &json!("price_changed")),
                "{answer}"
            );
            let difference = &answer["differences"][0];
            assert_eq!(
                (&difference["path"], &difference["actual"]),
                (&json!(format!("lines[{line}].compareAtPrice")), &actual),
                "{answer}"
            );
        }

        // The honest order, the shown prices sent as the catalogue has them, goes through.
        let mut body = order("honest", &want, &honest);
        body["lines"][0]["unitPrice"] = json!("899.00");
        body["lines"][0]["compareAtPrice"] = json!("1199.00");
        body["lines"][1]["unitPrice"] = json!("250.00");
        let (status, placed) = post(&client, &url, &body).await;
        assert_eq!(
            (status, &placed["discountTotal"], &placed["totalAfter"]),
            (201, &json!("37.50"), &json!("1111.50")),
            "{placed}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_minimum_after_discounts_is_measured_by_the_recheck_too() {
    // 50% off first, then ₹100 off orders of ₹1,000 or more measured after discounts:
    // six mugs (₹1,500) come to ₹750, so only the 50% applies.
    let store = shop(
        json!([
            {"id": "half", "application": "automatic", "priority": 10, "combinesWith": ["order"],
             "discount": {"percentage": {"percent": "50"}}, "display": {"title": "50% off"}},
            {"id": "after1000", "application": "automatic", "combinesWith": ["order"],
             "purchase": {"minValue": "1000.00", "afterDiscounts": true},
             "discount": {"fixedAmount": {"amount": "100.00"}}, "display": {"title": "₹100 off ₹1,000 after discounts"}}
        ]),
        1,
    );
    let d = dir("after-discounts");
    let server = start(&d, &store, &sqlite(&d), &[]);
    let client = signed_in(&server, "c0").await;
    let url = server.url("/api/orders");
    let want = Want {
        lines: vec![("mug", 6)],
        ..Want::default()
    };
    let honest = claim(&server, &client, "c0", &want).await;
    assert_eq!(honest["discountTotal"], "750.00", "{honest}");
    assert_eq!(
        honest["cards"][1]["reasons"][0]["code"], "min_value_after_discounts",
        "{honest}"
    );
    // A device that measures the minimum before discounts and claims both: rejected.
    let mut tampered = honest.clone();
    tampered["discountTotal"] = json!("850.00");
    tampered["totalAfter"] = json!("650.00");
    tampered["applied"] = json!([{"couponId": "half", "amount": "750.00"}, {"couponId": "after1000", "amount": "100.00"}]);
    let (status, answer) = post(&client, &url, &order("tampered", &want, &tampered)).await;
    assert_eq!(
        (status, &answer["code"], &answer["result"]["discountTotal"]),
        (409, &json!("claim_rejected"), &json!("750.00")),
        "{answer}"
    );
    let (status, placed) = post(&client, &url, &order("honest", &want, &honest)).await;
    assert_eq!(
        (status, &placed["discountTotal"], &placed["totalAfter"]),
        (201, &json!("750.00"), &json!("750.00")),
        "{placed}"
    );
}
