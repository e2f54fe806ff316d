//! The server binary over real HTTP: signed bundle and summaries, order placement with
//! recheck, idempotency, typed 4xx for bad bodies, and a kill -9 in the middle of a
//! burst that loses no confirmed redemption and creates no extra one.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use coupon_engine::model::Context;
use coupon_engine::signing::{self, Jwks};
use coupon_engine::{read_json, Engine};
use coupon_engine_server::ledger::Ledger;
use serde_json::{json, Value};

struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("coupon-server-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A shop with one limited coupon and `customers` customers.
fn store(limit: u32, customers: usize) -> Value {
    json!({
        "bundle": {"currency": "INR", "coupons": [
            {"id": "last", "code": "LAST", "application": "automatic", "discount": {"fixedAmount": {"amount": "10.00"}},
             "limits": {"global": limit, "perCustomer": 1}, "display": {"title": "₹10 off, limited"}}]},
        "customers": (0..customers).map(|i| json!({"id": format!("c{i}")})).collect::<Vec<_>>(),
    })
}

fn start(dir: &std::path::Path, store: &Value, database: &str) -> Server {
    std::fs::write(dir.join("store.json"), store.to_string()).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_coupon-engine-server"))
        .args(["serve", "--listen", "127.0.0.1:0", "--database", database])
        .arg("--store")
        .arg(dir.join("store.json"))
        .arg("--key")
        .arg(dir.join("key.jwk"))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("server said {line:?}"))
        .to_string();
    Server { child, addr }
}

fn cart() -> Value {
    json!({"currency": "INR", "lines": [{"id": "l1", "productId": "tea", "unitPrice": "100.00", "quantity": 1}]})
}

/// What the shopper's browser would claim: the engine's own result on the signed inputs.
async fn claim(client: &reqwest::Client, addr: &str, customer: &str) -> Value {
    let jwks: Jwks = client
        .get(format!("http://{addr}/.well-known/jwks.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let bundle: Value = client
        .get(format!("http://{addr}/api/bundle"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let summary: Value = client
        .get(format!("http://{addr}/api/customers/{customer}/summary"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let now = coupon_engine_server::http::now();
    let engine = Engine::from_signed(bundle["token"].as_str().unwrap(), &jwks, now).unwrap();
    let customer = signing::verify_summary(
        summary["token"].as_str().unwrap(),
        &jwks,
        now,
        Some(customer),
    )
    .unwrap();
    let cart = read_json("cart", &cart().to_string()).unwrap();
    let result = engine
        .evaluate(
            &customer,
            &cart,
            &Context {
                now,
                payment_method: None,
                codes: vec![],
            },
        )
        .unwrap();
    serde_json::to_value(result).unwrap()
}

fn order(key: &str, customer: &str, claimed: &Value) -> Value {
    json!({"idempotencyKey": key, "customerId": customer, "cart": cart(), "claimed": claimed})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn orders_are_rechecked_reserved_confirmed_and_idempotent() {
    let d = dir("flow");
    let server = start(
        &d,
        &store(5, 10),
        &format!("sqlite://{}?mode=rwc", d.join("orders.db").display()),
    );
    let (client, addr) = (reqwest::Client::new(), server.addr.clone());
    let claimed = claim(&client, &addr, "c1").await;
    assert_eq!(claimed["discountTotal"], "10.00");
    let post = |body: Value| {
        client
            .post(format!("http://{addr}/api/orders"))
            .json(&body)
            .send()
    };
    let placed = post(order("o-1", "c1", &claimed)).await.unwrap();
    assert_eq!(placed.status(), 201);
    let placed: Value = placed.json().await.unwrap();
    assert_eq!(placed["totalAfter"], "90.00");
    let again = post(order("o-1", "c1", &claimed)).await.unwrap();
    assert_eq!(again.status(), 200);
    assert_eq!(again.json::<Value>().await.unwrap()["replayed"], true);
    let id = placed["orderId"].as_str().unwrap();
    let confirmed = client
        .post(format!("http://{addr}/api/orders/{id}/confirm"))
        .send()
        .await
        .unwrap();
    assert_eq!(confirmed.status(), 200);
    // The customer's limit (1) is now used: the summary says so and a second order is refused.
    let second = claim(&client, &addr, "c1").await;
    assert_eq!(
        second["discountTotal"], "0.00",
        "the signed summary carries the usage"
    );
    let refused = post(order("o-2", "c1", &claimed)).await.unwrap();
    assert_eq!(refused.status(), 409);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["code"], "claim_rejected");
    assert_eq!(
        body["differences"][0]["reasons"][0],
        "customer_limit_reached"
    );
    // A tampered claim.
    let mut tampered = claim(&client, &addr, "c2").await;
    tampered["totalAfter"] = json!("1.00");
    let r = post(order("o-3", "c2", &tampered)).await.unwrap();
    assert_eq!(r.status(), 409);
    // Bad bodies: typed 4xx, never 500.
    for (body, status, code) in [
        ("{", 400, "invalid_json"),
        ("[]", 400, "invalid_type"),
        (r#"{"idempotencyKey": "x"}"#, 400, "missing_field"),
    ] {
        let r = client
            .post(format!("http://{addr}/api/orders"))
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), status, "{body}");
        assert_eq!(r.json::<Value>().await.unwrap()["code"], code, "{body}");
    }
    let mut unknown = order("o-4", "nobody", &claimed);
    unknown["cart"]["lines"][0]["quantity"] = json!(1);
    assert_eq!(post(unknown).await.unwrap().status(), 404);
    let huge = "x".repeat(coupon_engine_server::http::MAX_BODY + 1);
    let r = client
        .post(format!("http://{addr}/api/orders"))
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "body_too_large");
    // A cart beyond the engine's line limit is a typed 400.
    let mut too_many = order("o-5", "c3", &claimed);
    too_many["cart"]["lines"] = json!((0..coupon_engine::limits::MAX_LINES + 1)
        .map(
            |i| json!({"id": format!("l{i}"), "productId": "p", "unitPrice": "1.00", "quantity": 1})
        )
        .collect::<Vec<_>>());
    let r = post(too_many).await.unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "out_of_range");
    assert_eq!(
        client
            .post(format!("http://{addr}/api/orders/ord_nope/confirm"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}

/// A fresh PostgreSQL database on the test cluster (scripts/postgres.sh).
async fn postgres_database() -> String {
    let base = match std::env::var("COUPON_ENGINE_TEST_POSTGRES") {
        Ok(url) => url,
        Err(_) => {
            let out = Command::new("bash")
                .arg(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/../scripts/postgres.sh"
                ))
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "PostgreSQL could not be started: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8(out.stdout).unwrap().trim().to_string()
        }
    };
    let name = format!(
        "http_kill_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    let admin = Ledger::admin(&base).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&admin)
        .await
        .unwrap();
    format!("{}/{name}", base.rsplit_once('/').unwrap().0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_mid_burst_on_sqlite() {
    let d = dir("kill-sqlite");
    let database = format!("sqlite://{}?mode=rwc", d.join("orders.db").display());
    kill_9_mid_burst_loses_no_confirmed_redemption_and_creates_no_extra_one(&d, &database).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_mid_burst_on_postgres() {
    let d = dir("kill-postgres");
    kill_9_mid_burst_loses_no_confirmed_redemption_and_creates_no_extra_one(
        &d,
        &postgres_database().await,
    )
    .await;
}

async fn kill_9_mid_burst_loses_no_confirmed_redemption_and_creates_no_extra_one(
    d: &std::path::Path,
    database: &str,
) {
    let limit = 30;
    let shop = store(limit, 120);
    let mut server = start(d, &shop, database);
    let client = reqwest::Client::new();
    let claimed = claim(&client, &server.addr, "c0").await;
    let confirmed = Arc::new(AtomicU32::new(0));
    let tasks: Vec<_> = (0..120)
        .map(|i| {
            let (client, addr, claimed, confirmed) = (
                client.clone(),
                server.addr.clone(),
                claimed.clone(),
                confirmed.clone(),
            );
            tokio::spawn(async move {
                let placed = client
                    .post(format!("http://{addr}/api/orders"))
                    .json(&order(&format!("burst-{i}"), &format!("c{i}"), &claimed))
                    .send()
                    .await;
                let Ok(placed) = placed else { return };
                if placed.status() != 201 {
                    return;
                }
                let id = placed.json::<Value>().await.unwrap()["orderId"]
                    .as_str()
                    .unwrap()
                    .to_string();
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
    let server = start(d, &shop, database);
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
    // And the restarted server goes on redeeming up to the limit, not beyond.
    let mut redeemed = 0;
    for i in 0..(limit + 5) {
        let customer = format!("c{}", 119 - i);
        let claimed = claim(&client, &server.addr, &customer).await;
        let r = client
            .post(format!("http://{}/api/orders", server.addr))
            .json(&order(&format!("after-{i}"), &customer, &claimed))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        if r.json::<Value>().await.unwrap()["discountTotal"] == "10.00" {
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
