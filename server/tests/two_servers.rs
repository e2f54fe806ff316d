//! Two server processes on one PostgreSQL database, sharing their signing key and
//! session secret, as a deployment behind a load balancer runs them: a session from
//! one is accepted by the other, and the race for a coupon's last ten uses, split
//! across both, gives exactly ten.

mod common;

use common::*;
use coupon_engine_server::ledger::Ledger;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_on_one_postgres_hand_out_exactly_the_last_ten_uses() {
    let database = postgres_database("two_servers").await;
    let d = dir("two-servers");
    let customers = 60;
    let mut store = limited_shop(1000, customers);
    store["bundle"]["coupons"][0]["limits"]["globalRedeemed"] = json!(990);
    let a = start(&d, &store, &database, &[]);
    let b = start(&d, &store, &database, &[]);
    let want = Want::default();
    // Every customer signs in on A, computes an honest claim (the coupon applies: 10
    // uses are left), and is sent to A or B in turn.
    let mut racers = Vec::new();
    for i in 0..customers {
        let customer = format!("c{i}");
        let client = signed_in(&a, &customer).await;
        let claimed = claim(&a, &client, &customer, &want).await;
        assert_eq!(claimed["discountTotal"], "10.00");
        let server = if i % 2 == 0 { &a } else { &b };
        racers.push((
            client,
            server.url("/api/orders"),
            order(&format!("race-{i}"), &want, &claimed),
        ));
    }
    let tasks: Vec<_> = racers
        .into_iter()
        .map(|(client, url, body)| tokio::spawn(async move { post(&client, &url, &body).await }))
        .collect();
    let (mut won, mut refused) = (0, 0);
    for t in tasks {
        let (status, answer) = t.await.unwrap();
        match (status, answer["code"].as_str()) {
            (201, _) => won += 1,
            (409, Some("limit_reached" | "claim_rejected")) => refused += 1,
            _ => panic!("{status} {answer}"),
        }
    }
    assert_eq!((won, refused), (10, customers - 10));
    let ledger = Ledger::connect(&database).await.unwrap();
    assert_eq!(ledger.used("last").await.unwrap(), 10);
    assert_eq!(ledger.live_redemptions("last").await.unwrap(), 10);
    // Both now show the coupon as exhausted.
    for server in [&a, &b] {
        let client = signed_in(server, "c1").await;
        let after = claim(server, &client, "c1", &want).await;
        assert_eq!(after["discountTotal"], "0.00");
    }
}
