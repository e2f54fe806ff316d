//! What the server's HTTP tests share: a server process on a fresh database, a
//! signed-in client per customer, and the claim an honest browser would send (the
//! engine's own result on the signed bundle, catalogue and summary).

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use base64::Engine as _;
use coupon_engine::model::{Cart, Context};
use coupon_engine::signing::{self, Jwks};
use coupon_engine::{read_json, Engine};
use coupon_engine_server::ledger::Ledger;
use serde_json::{json, Value};

/// A server process, killed when dropped.
pub struct Server {
    /// The process.
    pub child: Child,
    /// `127.0.0.1:port`.
    pub addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// `http://addr/path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

/// A fresh directory for one test.
pub fn dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("coupon-server-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// An SQLite database in `dir`.
pub fn sqlite(dir: &std::path::Path) -> String {
    format!("sqlite://{}?mode=rwc", dir.join("shop.db").display())
}

/// The catalogue of the test shop: tea at 100.00, a mug at 250.00 in the "kitchen"
/// collection, a kurta on sale; standard delivery at 50.00.
pub fn catalogue() -> Value {
    json!({
        "products": [
            {"id": "tea", "title": "Tea", "price": "100.00", "collectionIds": ["pantry"]},
            {"id": "mug", "title": "Mug", "price": "250.00", "collectionIds": ["kitchen"]},
            {"id": "kurta", "title": "Kurta", "price": "899.00", "compareAtPrice": "1199.00", "collectionIds": ["apparel"]}
        ],
        "shipping": [{"id": "standard", "title": "Standard", "amount": "50.00"}]
    })
}

/// A shop with these coupons and customers `c0` … `c{n-1}`.
pub fn shop(coupons: Value, customers: usize) -> Value {
    json!({
        "bundle": {"currency": "INR", "coupons": coupons},
        "catalogue": catalogue(),
        "customers": (0..customers).map(|i| json!({"id": format!("c{i}")})).collect::<Vec<_>>(),
    })
}

/// A shop with one automatic ₹10-off coupon limited to `limit` uses, one per customer.
pub fn limited_shop(limit: u32, customers: usize) -> Value {
    shop(
        json!([{"id": "last", "code": "LAST", "application": "automatic",
                "discount": {"fixedAmount": {"amount": "10.00"}},
                "limits": {"global": limit, "perCustomer": 1}, "display": {"title": "₹10 off, limited"}}]),
        customers,
    )
}

/// Starts the server on `store` and `database`, with extra flags. The placement rate
/// limit is off unless the flags set it (tests place many orders in a burst).
/// `coupon-engine-server serve` on the store file, key and session key in `dir`.
pub fn serve(dir: &std::path::Path, database: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_coupon-engine-server"));
    command
        .args(["serve", "--listen", "127.0.0.1:0", "--database", database])
        .arg("--store")
        .arg(dir.join("store.json"))
        .arg("--key")
        .arg(dir.join("key.jwk"))
        .arg("--session-key")
        .arg(dir.join("session.key"));
    command
}

pub fn start(dir: &std::path::Path, store: &Value, database: &str, extra: &[&str]) -> Server {
    std::fs::write(dir.join("store.json"), store.to_string()).unwrap();
    let mut child = serve(dir, database)
        .args(extra)
        .args(if extra.contains(&"--place-per-minute") {
            &[][..]
        } else {
            &["--place-per-minute", "0"][..]
        })
        .env("RUST_LOG", "warn")
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

/// A client with its own cookie jar, not signed in.
pub fn anonymous() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap()
}

/// A client signed in as `customer` through the demo sign-in.
pub async fn signed_in(server: &Server, customer: &str) -> reqwest::Client {
    let client = anonymous();
    let r = client
        .post(server.url("/api/session"))
        .json(&json!({"customerId": customer}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "sign in as {customer}");
    client
}

/// GET as JSON.
pub async fn get_json(client: &reqwest::Client, url: &str) -> Value {
    client.get(url).send().await.unwrap().json().await.unwrap()
}

/// The payload of a JWS (already verified by the engine where it matters).
pub fn payload(token: &str) -> Value {
    let part = token.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .unwrap(),
    )
    .unwrap()
}

/// What a storefront asks for: product ids and quantities, a delivery option, a
/// payment method and entered codes.
#[derive(Clone)]
pub struct Want {
    /// (product id, quantity).
    pub lines: Vec<(&'static str, u32)>,
    /// The delivery option.
    pub shipping: Option<&'static str>,
    /// The payment method.
    pub payment: Option<&'static str>,
    /// Entered codes.
    pub codes: Vec<&'static str>,
}

impl Default for Want {
    fn default() -> Self {
        Want {
            lines: vec![("tea", 1)],
            shipping: None,
            payment: None,
            codes: Vec::new(),
        }
    }
}

/// The cart a storefront builds from the signed catalogue, as the server builds it.
pub fn cart_from(catalogue: &Value, want: &Want) -> Value {
    let lines: Vec<Value> = want
        .lines
        .iter()
        .enumerate()
        .map(|(i, (id, quantity))| {
            let p = catalogue["products"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["id"] == *id)
                .cloned()
                .unwrap_or_else(|| json!({"id": id, "price": "1.00", "collectionIds": []}));
            let mut line = json!({"id": format!("line-{}", i + 1), "productId": id,
                                  "collectionIds": p["collectionIds"], "unitPrice": p["price"], "quantity": quantity});
            for field in ["offerId", "compareAtPrice"] {
                if let Some(value) = p.get(field) {
                    line[field] = value.clone();
                }
            }
            if let Some(rate) = p.get("taxRate") {
                line["taxRate"] = rate.clone();
            }
            line
        })
        .collect();
    let mut cart = json!({"currency": "INR", "lines": lines});
    if catalogue["pricesIncludeTax"] == true {
        cart["pricesIncludeTax"] = json!(true);
    }
    if let Some(s) = want.shipping {
        cart["shipping"] = json!({"options": catalogue["shipping"].as_array().unwrap().iter()
            .map(|o| json!({"id": o["id"], "amount": o["amount"]})).collect::<Vec<_>>(), "selectedId": s});
    }
    cart
}

/// The result an honest browser computes for `want` as `customer`: the engine on the
/// signed bundle, catalogue and summary.
pub async fn claim(
    server: &Server,
    client: &reqwest::Client,
    customer: &str,
    want: &Want,
) -> Value {
    claim_on(server, client, customer, want, |_| {}).await
}

/// The result a browser whose clock says `now` computes for `want` as `customer`.
pub async fn claim_at(
    server: &Server,
    client: &reqwest::Client,
    customer: &str,
    want: &Want,
    now: coupon_engine::model::Timestamp,
) -> Value {
    claim_with(server, client, customer, want, now, |_| {}).await
}

/// The result a browser computes as [`claim`] does, on the cart as `edit` changes it
/// (a tampered cart's claim).
pub async fn claim_on(
    server: &Server,
    client: &reqwest::Client,
    customer: &str,
    want: &Want,
    edit: impl FnOnce(&mut Value),
) -> Value {
    let now = coupon_engine_server::http::now();
    claim_with(server, client, customer, want, now, edit).await
}

/// The result a browser whose clock says `now` computes for `want` as `customer`, on
/// the cart as `edit` changes it.
async fn claim_with(
    server: &Server,
    client: &reqwest::Client,
    customer: &str,
    want: &Want,
    now: coupon_engine::model::Timestamp,
    edit: impl FnOnce(&mut Value),
) -> Value {
    let jwks: Jwks = client
        .get(server.url("/.well-known/jwks.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let bundle = get_json(client, &server.url("/api/bundle")).await;
    let token = bundle["token"].as_str().unwrap();
    let summary = get_json(
        client,
        &server.url(&format!("/api/customers/{customer}/summary")),
    )
    .await;
    let engine = Engine::from_signed(token, &jwks, now).unwrap();
    let customer = signing::verify_summary(
        summary["token"].as_str().expect("a summary token"),
        &jwks,
        now,
        Some(customer),
    )
    .unwrap();
    let mut cart = cart_from(&payload(token)["catalogue"], want);
    edit(&mut cart);
    let cart: Cart = read_json("cart", &cart.to_string()).unwrap();
    let result = engine
        .evaluate(
            &customer,
            &cart,
            &Context {
                now,
                payment_method: want.payment.map(str::to_string),
                codes: want.codes.iter().copied().map(String::from).collect(),
            },
        )
        .unwrap();
    serde_json::to_value(result).unwrap()
}

/// The order body for `want` with `claimed`, the shown prices taken from the claim's
/// lines.
pub fn order(key: &str, want: &Want, claimed: &Value) -> Value {
    let mut body = json!({
        "idempotencyKey": key,
        "lines": want.lines.iter().map(|(id, q)| json!({"productId": id, "quantity": q})).collect::<Vec<_>>(),
        "codes": want.codes,
        "claimed": claimed,
    });
    if let Some(s) = want.shipping {
        body["shippingId"] = json!(s);
    }
    if let Some(p) = want.payment {
        body["paymentMethod"] = json!(p);
    }
    body
}

/// POSTs JSON; returns the status and the JSON answer.
pub async fn post(client: &reqwest::Client, url: &str, body: &Value) -> (u16, Value) {
    let r = client.post(url).json(body).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// POSTs with no body.
pub async fn post_empty(client: &reqwest::Client, url: &str) -> (u16, Value) {
    let r = client.post(url).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// A fresh PostgreSQL database on the test cluster (scripts/postgres.sh).
pub async fn postgres_database(prefix: &str) -> String {
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
        "{prefix}_{}_{}",
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
