//! The server binary over real HTTP, the honest path: sign in, the signed bundle with
//! its catalogue and the summary, an order placed with the claim a browser computes,
//! replayed, confirmed, entering the customer's history; and a kill -9 in the middle
//! of a burst that loses no confirmed redemption and creates no extra one.

mod common;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use common::*;
use coupon_engine_server::ledger::Ledger;
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_honest_order_is_placed_replayed_confirmed_and_enters_the_history() {
    let d = dir("flow");
    let server = start(&d, &limited_shop(5, 10), &sqlite(&d), &[]);
    let client = signed_in(&server, "c1").await;
    let who = get_json(&client, &server.url("/api/session")).await;
    assert_eq!(who["customerId"], "c1");
    let want = Want {
        lines: vec![("tea", 2), ("mug", 1)],
        shipping: Some("standard"),
        payment: Some("card"),
        codes: vec![],
    };
    let claimed = claim(&server, &client, "c1", &want).await;
    assert_eq!(claimed["subtotal"], "450.00");
    assert_eq!(claimed["discountTotal"], "10.00");
    assert_eq!(claimed["totalAfter"], "490.00");
    let url = server.url("/api/orders");
    let (status, placed) = post(&client, &url, &order("k-1", &want, &claimed)).await;
    assert_eq!(status, 201, "{placed}");
    assert_eq!(placed["totalAfter"], "490.00");
    assert_eq!(placed["state"], "reserved");
    assert_eq!(placed["paymentMethod"], "card");
    assert_eq!(
        placed["discounts"],
        json!([{"couponId": "last", "amount": "10.00"}])
    );
    let id = placed["orderId"].as_str().unwrap().to_string();
    assert!(
        id.starts_with("ord_") && id.len() == 30 && !id.contains("k-1"),
        "{id}"
    );
    // The same request again replays the order.
    let (status, again) = post(&client, &url, &order("k-1", &want, &claimed)).await;
    assert_eq!(
        (status, &again["orderId"], &again["replayed"]),
        (200, &json!(id), &json!(true))
    );
    let (status, got) = (
        200,
        get_json(&client, &server.url(&format!("/api/orders/{id}"))).await,
    );
    assert_eq!((status, &got["state"]), (200, &json!("reserved")));
    let (status, confirmed) = post(
        &client,
        &server.url(&format!("/api/orders/{id}/confirm")),
        &json!({"paymentMethod": "card"}),
    )
    .await;
    assert_eq!(
        (status, &confirmed["state"]),
        (200, &json!("confirmed")),
        "{confirmed}"
    );
    // The order is now in the signed summary: its time, total, items and usage.
    let summary = get_json(&client, &server.url("/api/customers/c1/summary")).await;
    let customer = &payload(summary["token"].as_str().unwrap())["customer"];
    assert_eq!(
        customer["orders"].as_array().unwrap().len(),
        1,
        "{customer}"
    );
    assert_eq!(customer["orders"][0]["id"], json!(id));
    assert_eq!(customer["orders"][0]["total"], "490.00");
    assert_eq!(customer["orders"][0]["items"][0]["productId"], "tea");
    assert_eq!(customer["orders"][0]["items"][0]["quantity"], 2);
    assert_eq!(
        customer["orders"][0]["items"][1]["collectionIds"],
        json!(["kitchen"])
    );
    assert_eq!(customer["couponUsage"]["last"], 1);
    // The per-customer limit is used: the next honest claim has no discount, and is accepted.
    let second = claim(&server, &client, "c1", &want).await;
    assert_eq!(second["discountTotal"], "0.00");
    let (status, placed) = post(&client, &url, &order("k-2", &want, &second)).await;
    assert_eq!(
        (status, &placed["totalAfter"]),
        (201, &json!("500.00")),
        "{placed}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_first_order_coupon_works_once_then_shows_as_used() {
    let d = dir("first-order");
    let store = shop(
        json!([{"id": "first20", "application": "automatic", "orderScope": "firstOrder",
                "discount": {"percentage": {"percent": "20"}}, "display": {"title": "20% off your first order"}}]),
        2,
    );
    let server = start(&d, &store, &sqlite(&d), &[]);
    let client = signed_in(&server, "c0").await;
    let url = server.url("/api/orders");
    let want = Want::default();
    let first = claim(&server, &client, "c0", &want).await;
    assert_eq!(first["discountTotal"], "20.00");
    let (status, placed) = post(&client, &url, &order("first", &want, &first)).await;
    assert_eq!(status, 201, "{placed}");
    // Reserved, it already counts: the history holds one order.
    let second = claim(&server, &client, "c0", &want).await;
    assert_eq!(second["discountTotal"], "0.00");
    let card = second["cards"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["couponId"] == "first20")
        .unwrap();
    assert_ne!(card["status"], "applied", "{card}");
    // Claiming it again is refused; the honest claim is accepted.
    let (status, refused) = post(&client, &url, &order("again", &want, &first)).await;
    assert_eq!(
        (status, &refused["code"]),
        (409, &json!("claim_rejected")),
        "{refused}"
    );
    let (status, _) = post(&client, &url, &order("honest", &want, &second)).await;
    assert_eq!(status, 201);
    // Cancelled, the first order leaves the history, and the coupon comes back.
    let (_, honest) = post(&client, &url, &order("honest", &want, &second)).await;
    for id in [
        placed["orderId"].as_str().unwrap(),
        honest["orderId"].as_str().unwrap(),
    ] {
        let (status, body) =
            post_empty(&client, &server.url(&format!("/api/orders/{id}/cancel"))).await;
        assert_eq!(
            (status, &body["state"]),
            (200, &json!("cancelled")),
            "{body}"
        );
    }
    let third = claim(&server, &client, "c0", &want).await;
    assert_eq!(third["discountTotal"], "20.00");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_mid_burst_on_sqlite() {
    let d = dir("kill-sqlite");
    kill_9_mid_burst_loses_no_confirmed_redemption_and_creates_no_extra_one(&d, &sqlite(&d)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_mid_burst_on_postgres() {
    let d = dir("kill-postgres");
    kill_9_mid_burst_loses_no_confirmed_redemption_and_creates_no_extra_one(
        &d,
        &postgres_database("http_kill").await,
    )
    .await;
}

async fn kill_9_mid_burst_loses_no_confirmed_redemption_and_creates_no_extra_one(
    d: &std::path::Path,
    database: &str,
) {
    let limit = 30;
    let shop = limited_shop(limit, 120);
    let mut server = start(d, &shop, database, &[]);
    let want = Want::default();
    let mut clients = Vec::new();
    for i in 0..120 {
        let customer = format!("c{i}");
        let client = signed_in(&server, &customer).await;
        let claimed = claim(&server, &client, &customer, &want).await;
        clients.push((client, claimed));
    }
    let confirmed = Arc::new(AtomicU32::new(0));
    let addr = server.addr.clone();
    let tasks: Vec<_> = clients
        .into_iter()
        .enumerate()
        .map(|(i, (client, claimed))| {
            let (addr, confirmed, want) = (addr.clone(), confirmed.clone(), want.clone());
            tokio::spawn(async move {
                let placed = client
                    .post(format!("http://{addr}/api/orders"))
                    .json(&order(&format!("burst-{i}"), &want, &claimed))
                    .send()
                    .await;
                let Ok(placed) = placed else { return };
                if placed.status() != 201 {
                    return;
                }
                let Ok(body) = placed.json::<Value>().await else {
                    return;
                };
                let id = body["orderId"].as_str().unwrap().to_string();
                if let Ok(r) = client
                    .post(format!("http://{addr}/api/orders/{id}/confirm"))
                    .send()
                    .await
                {
                    if r.status() == 200 {
                        confirmed.fetch_add(1, Ordering::SeqCst);
                    }
                }
            })
        })
        .collect();
    // Kill the server the moment ten confirmations have been acknowledged.
    while confirmed.load(Ordering::SeqCst) < 10 {
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    server.child.kill().unwrap(); // SIGKILL
    server.child.wait().unwrap();
    for t in tasks {
        t.await.unwrap();
    }
    let acknowledged = confirmed.load(Ordering::SeqCst);
    eprintln!("killed after {acknowledged} acknowledged confirmations");
    // Restart on the same database: everything acknowledged is there, nothing extra.
    let server = start(d, &shop, database, &[]);
    let ledger = Ledger::connect(database).await.unwrap();
    let kept = ledger.confirmed_redemptions("last").await.unwrap();
    let used = ledger.used("last").await.unwrap();
    eprintln!(
        "after restart: {kept} confirmed redemptions kept, {used} uses taken (limit {limit})"
    );
    assert!(
        kept >= acknowledged,
        "{acknowledged} confirmations acknowledged, {kept} kept"
    );
    assert!(used <= limit, "{used} uses of {limit}");
    assert_eq!(
        used,
        ledger.live_redemptions("last").await.unwrap(),
        "uses and live redemptions agree"
    );
    // And the restarted server goes on redeeming up to the limit, not beyond, for
    // customers who have not redeemed yet (the last ones, whose orders mostly never ran).
    let mut redeemed = 0;
    for i in 0..(limit + 5) {
        let customer = format!("c{}", 119 - i);
        let client = signed_in(&server, &customer).await;
        let claimed = claim(&server, &client, &customer, &want).await;
        let (status, body) = post(
            &client,
            &server.url("/api/orders"),
            &order(&format!("after-{i}"), &want, &claimed),
        )
        .await;
        assert!(status == 201 || status == 200, "{status} {body}");
        if status == 201 && body["discountTotal"] == "10.00" {
            redeemed += 1;
        }
    }
    assert_eq!(ledger.used("last").await.unwrap(), used + redeemed);
    assert_eq!(
        ledger.used("last").await.unwrap(),
        limit,
        "the remaining uses were all taken, and no more"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_product_removed_from_the_store_file_can_no_longer_be_ordered() {
    let d = dir("removed");
    let mut store = limited_shop(100, 1);
    let server = start(&d, &store, &sqlite(&d), &[]);
    let client = signed_in(&server, "c0").await;
    let want = Want {
        lines: vec![("mug", 1)],
        ..Want::default()
    };
    let claimed = claim(&server, &client, "c0", &want).await;
    drop(server);
    store["catalogue"]["products"]
        .as_array_mut()
        .unwrap()
        .retain(|p| p["id"] != "mug");
    let server = start(&d, &store, &sqlite(&d), &[]);
    let client = signed_in(&server, "c0").await;
    let bundle = get_json(&client, &server.url("/api/bundle")).await;
    let products = &payload(bundle["token"].as_str().unwrap())["catalogue"]["products"];
    assert!(
        products
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["id"] != "mug"),
        "{products}"
    );
    let (status, answer) = post(
        &client,
        &server.url("/api/orders"),
        &order("mug", &want, &claimed),
    )
    .await;
    assert_eq!(
        (status, &answer["code"]),
        (422, &json!("unknown_product")),
        "{answer}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_orders_list_holds_the_customers_own_orders_newest_first() {
    let d = dir("orders-list");
    orders_list_on(&d, &sqlite(&d)).await;
    orders_list_on(&d, &postgres_database("orders_list").await).await;
}

async fn orders_list_on(d: &std::path::Path, database: &str) {
    let server = start(d, &limited_shop(100, 2), database, &[]);
    let url = server.url("/api/orders");
    let mine = signed_in(&server, "c0").await;
    let theirs = signed_in(&server, "c1").await;
    let want = Want::default();
    // Another customer's order, placed first and last, never shows in c0's list.
    let other = claim(&server, &theirs, "c1", &want).await;
    let (status, their_first) = post(&theirs, &url, &order("c1-a", &want, &other)).await;
    assert_eq!(status, 201, "{their_first}");

    // c0: an order with the coupon, confirmed then refunded; one confirmed; one only
    // reserved; each a little after the last, so that their times differ.
    let first = claim(&server, &mine, "c0", &want).await;
    assert_eq!(first["discountTotal"], "10.00");
    let mut ids = Vec::new();
    for (i, claimed) in [first.clone(), Value::Null, Value::Null].iter().enumerate() {
        let claimed = if claimed.is_null() {
            claim(&server, &mine, "c0", &want).await
        } else {
            claimed.clone()
        };
        tokio::time::sleep(std::time::Duration::from_millis(3)).await;
        let (status, placed) = post(&mine, &url, &order(&format!("c0-{i}"), &want, &claimed)).await;
        assert_eq!(status, 201, "{placed}");
        ids.push(placed["orderId"].as_str().unwrap().to_string());
    }
    for id in &ids[..2] {
        let (status, body) =
            post_empty(&mine, &server.url(&format!("/api/orders/{id}/confirm"))).await;
        assert_eq!(status, 200, "{body}");
    }
    let (status, refunded) = post_empty(
        &mine,
        &server.url(&format!("/api/orders/{}/refund", ids[0])),
    )
    .await;
    assert_eq!(status, 200, "{refunded}");
    let other = claim(&server, &theirs, "c1", &want).await;
    let (status, their_last) = post(&theirs, &url, &order("c1-b", &want, &other)).await;
    assert_eq!(status, 201, "{their_last}");

    let listed = get_json(&mine, &url).await;
    let orders = listed["orders"].as_array().expect("an orders array");
    let listed_ids: Vec<&str> = orders
        .iter()
        .map(|o| o["orderId"].as_str().unwrap())
        .collect();
    assert_eq!(listed_ids, [&ids[2], &ids[1], &ids[0]], "{listed}");
    let states: Vec<&str> = orders
        .iter()
        .map(|o| o["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["reserved", "confirmed", "refunded"]);
    // Each entry is the order as `GET /api/orders/{id}` answers it: its discounts by
    // coupon, and the refund once refunded.
    for (entry, id) in orders.iter().zip([&ids[2], &ids[1], &ids[0]]) {
        let alone = get_json(&mine, &server.url(&format!("/api/orders/{id}"))).await;
        assert_eq!(entry, &alone);
    }
    assert_eq!(
        orders[2]["discounts"],
        json!([{"couponId": "last", "amount": "10.00"}])
    );
    assert_eq!(
        orders[2]["refund"],
        json!({"amount": "90.00", "clawbacks": []})
    );
    assert_eq!(orders[1]["refund"], Value::Null);
    // c1 sees their own two and none of c0's.
    let theirs_listed = get_json(&theirs, &url).await;
    let their_ids: Vec<&str> = theirs_listed["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["orderId"].as_str().unwrap())
        .collect();
    assert_eq!(
        their_ids,
        [
            their_last["orderId"].as_str().unwrap(),
            their_first["orderId"].as_str().unwrap()
        ]
    );
    // The list is the session's customer's: naming another in the query changes nothing.
    for query in ["?customerId=c1", "?customer_id=c1&limit=1000"] {
        let asked = get_json(&mine, &format!("{url}{query}")).await;
        assert_eq!(asked, listed, "{query}");
    }
    // Signed out, nobody's orders.
    let r = anonymous().get(&url).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "not_signed_in", "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_orders_list_holds_the_newest_orders_up_to_its_bound() {
    use coupon_engine_server::http::MAX_LISTED;
    let d = dir("orders-bound");
    let server = start(&d, &shop(json!([]), 1), &sqlite(&d), &[]);
    let url = server.url("/api/orders");
    let client = signed_in(&server, "c0").await;
    let want = Want::default();
    // Nothing applies whatever the history, so one claim serves every order.
    let claimed = claim(&server, &client, "c0", &want).await;
    let mut ids = Vec::new();
    for i in 0..MAX_LISTED + 2 {
        let (status, placed) =
            post(&client, &url, &order(&format!("k-{i}"), &want, &claimed)).await;
        assert_eq!(status, 201, "{placed}");
        let id = placed["orderId"].as_str().unwrap().to_string();
        let (status, body) =
            post_empty(&client, &server.url(&format!("/api/orders/{id}/confirm"))).await;
        assert_eq!(status, 200, "{body}");
        ids.push(id);
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    let listed = get_json(&client, &url).await;
    let listed_ids: Vec<&str> = listed["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["orderId"].as_str().unwrap())
        .collect();
    let newest: Vec<&str> = ids
        .iter()
        .rev()
        .take(MAX_LISTED as usize)
        .map(String::as_str)
        .collect();
    assert_eq!(listed_ids, newest);
}
