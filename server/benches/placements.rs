//! Placements per second and their latency on the reference order server (issue 21,
//! item 9), on SQLite and on PostgreSQL.
//!
//! ```sh
//! cargo build --release -p coupon-engine-server
//! cargo bench -p coupon-engine-server --bench placements                 # both databases × S and M
//! cargo bench -p coupon-engine-server --bench placements -- --database postgres --bundle m \
//!     --placements 5000 --seconds 20 --clients 50 --customers 400
//! scripts/bench-server.sh                                                # and write docs/benchmarks.md
//! ```
//!
//! Each run starts the server binary on 127.0.0.1 (port 0) with a fresh store and
//! database, signs `--customers` customers in through the demo sign-in (the session
//! cookie is sent by hand), reads the signed bundle and each customer's signed
//! summary, and computes with the engine, before the clock starts, every order the
//! run will place, as the storefront does (the claim is what the recheck compares:
//! totals, applied discounts, line subtotals; `--claim full` sends the whole result). Then
//! `--clients` concurrent clients, one keep-alive connection each, place at most
//! `--placements` orders for at most `--seconds`; every `POST /api/orders` is timed
//! from sending to the last byte of its answer.
//!
//! The workload is the engine's (`bench/workload`): the S bundle (10 coupons) or the
//! M bundle (100 coupons and segment rules); every customer has the workload
//! customer's record (200 past orders, segments, courses, coupon usage) under its own
//! id; the catalogue is the products the workload carts use, with their prices,
//! collections and offers (the coupons' scopes and thresholds were drawn around
//! them); each order is 5 distinct products drawn from it (seeded), standard delivery,
//! UPI and the workload's three entered codes.
//!
//! Customers place several orders each, one at a time (a customer belongs to one
//! client), and each order changes what the next may claim: the history grows,
//! per-customer limits fill, global limits run out. The claims are therefore computed
//! as the server will see them: each customer's signed summary plus the orders
//! computed for them before (total, items, codes, uses), with the global counts taken
//! in the order the clients send (round by round: every customer's n-th order in
//! round n). Where the real interleaving differs near a global limit, the server
//! answers 409 with its own result and the client places again with it, as the
//! storefront does; both answers are counted and timed.
//!
//! After the run the server stops and the ledger is audited: for each coupon with a
//! global limit, the uses taken are at most what the ledger may hand out (the limit
//! less the store's redeemed count) and equal the live orders' redemptions; for each
//! per-customer limit, no customer has more uses than the limit less their imported
//! usage; the orders and redemptions in the database are what the clients were told.
//! Any over-redemption fails the run.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use coupon_engine::model::{
    Bundle, Cart, Context, Customer, Line, Order, OrderItem, Shipping, ShippingOption,
};
use coupon_engine::money::Amount;
use coupon_engine::recheck::Claim;
use coupon_engine::signing::{self, Jwks};
use coupon_engine::{read_json, Engine};
use coupon_engine_server::http::now;
use coupon_engine_server::ledger::Ledger;
use coupon_engine_workload::{self as workload, Rng};
use serde_json::{json, Value};
use sqlx::Row;

type Error = Box<dyn std::error::Error + Send + Sync>;

fn fail<T>(message: impl std::fmt::Display) -> Result<T, Error> {
    Err(message.to_string().into())
}

// ---------------------------------------------------------------------------------
// Options

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Database {
    Sqlite,
    Postgres,
}

impl Database {
    fn name(self) -> &'static str {
        match self {
            Database::Sqlite => "SQLite",
            Database::Postgres => "PostgreSQL",
        }
    }
}

struct Options {
    databases: Vec<Database>,
    sizes: Vec<workload::Size>,
    placements: usize,
    seconds: u64,
    clients: usize,
    customers: usize,
    server: PathBuf,
    server_args: Vec<String>,
    write_doc: Option<PathBuf>,
    command: String,
    keep: bool,
    compact_claim: bool,
}

const USAGE: &str = "\
placements [--database sqlite,postgres] [--bundle s,m] [--placements 20000] [--seconds 30]
           [--clients 50] [--customers 400] [--server BINARY] [--server-arg ARG]...
           [--write-doc FILE --command TEXT] [--keep]

  --server-arg   passed on to `coupon-engine-server serve` (repeat it for each word)
  --write-doc    replace the section \"## Order server: placements\" of FILE
  --keep         keep each run's directory, server log and database
  --claim full   send the whole result, cards included, as the claim instead of only what
                 the server compares (totals, applied discounts, line subtotals: --claim
                 compact, what the storefront sends)";

fn options() -> Result<Options, Error> {
    let mut o = Options {
        databases: vec![Database::Sqlite, Database::Postgres],
        sizes: vec![workload::SIZES[0], workload::SIZES[1]],
        placements: 20_000,
        seconds: 30,
        clients: 50,
        // The store file holds at most 16 MB of JSON: about 470 customers with 200
        // past orders each.
        customers: 400,
        server: PathBuf::from(env!("CARGO_BIN_EXE_coupon-engine-server")),
        server_args: Vec::new(),
        write_doc: None,
        command: "cargo bench -p coupon-engine-server --bench placements".into(),
        keep: false,
        compact_claim: true,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .ok_or_else(|| format!("{arg} needs a value\n{USAGE}"))
        };
        match arg.as_str() {
            // cargo bench passes --bench to `harness = false` targets.
            "--bench" => {}
            "--database" => {
                o.databases = value()?
                    .split(',')
                    .map(|d| match d {
                        "sqlite" => Ok(Database::Sqlite),
                        "postgres" => Ok(Database::Postgres),
                        other => Err(format!("--database {other}? (sqlite, postgres)")),
                    })
                    .collect::<Result<_, _>>()?;
            }
            "--bundle" => {
                o.sizes = value()?
                    .split(',')
                    .map(|s| {
                        workload::SIZES
                            .iter()
                            .find(|size| size.name == s)
                            .copied()
                            .ok_or_else(|| format!("--bundle {s}? (s, m, l)"))
                    })
                    .collect::<Result<_, _>>()?;
            }
            "--placements" => o.placements = value()?.parse()?,
            "--seconds" => o.seconds = value()?.parse()?,
            "--clients" => o.clients = value()?.parse()?,
            "--customers" => o.customers = value()?.parse()?,
            "--server" => o.server = PathBuf::from(value()?),
            "--server-arg" => o.server_args.push(value()?),
            "--write-doc" => o.write_doc = Some(PathBuf::from(value()?)),
            "--command" => o.command = value()?,
            "--keep" => o.keep = true,
            "--claim" => {
                o.compact_claim = match value()?.as_str() {
                    "full" => false,
                    "compact" => true,
                    other => return fail(format!("--claim {other}? (full, compact)")),
                }
            }
            "--help" | "-h" => {
                println!("{USAGE}");
                std::process::exit(0)
            }
            other => return fail(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    if o.placements == 0 || o.clients == 0 || o.customers == 0 || o.seconds == 0 {
        return fail("--placements, --clients, --customers and --seconds must be above 0");
    }
    if o.seconds > 600 || o.placements > 1_000_000 {
        return fail("at most 600 s and 1,000,000 placements a run");
    }
    Ok(o)
}

// ---------------------------------------------------------------------------------
// The store

/// One product of the benchmark store.
struct Product {
    id: String,
    price: Amount,
    collections: Vec<String>,
    offer: Option<String>,
    tier: Option<String>,
}

/// The products the workload carts use (S, M and L), as the carts sell them.
fn products(workloads: &[workload::Workload]) -> Result<Vec<Product>, Error> {
    let mut by_id = BTreeMap::new();
    for line in workloads
        .iter()
        .flat_map(|w| w.cart["lines"].as_array().into_iter().flatten())
    {
        let id = line["productId"].as_str().unwrap_or_default().to_string();
        let offer = line["offerId"].as_str().map(str::to_string);
        let tier = offer
            .as_deref()
            .and_then(|o| o.strip_prefix(&format!("{id}-")))
            .map(str::to_string);
        let price = Amount::parse(line["unitPrice"].as_str().unwrap_or_default())
            .map_err(|e| format!("the price of {id}: {e:?}"))?;
        let collections = line["collectionIds"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c.as_str().map(str::to_string))
            .collect();
        by_id.insert(
            id.clone(),
            Product {
                id,
                price,
                collections,
                offer,
                tier,
            },
        );
    }
    Ok(by_id.into_values().collect())
}

/// The workload carts' delivery options: (id, title, price).
const SHIPPING: [(&str, &str, &str); 3] = [
    ("standard", "Standard", "49.00"),
    ("express", "Express", "149.00"),
    ("pickup", "Pickup", "0.00"),
];

fn customer_id(i: usize) -> String {
    format!("cus-{i:05}")
}

/// Uses left of each global limit when a run starts: the limits that the orders use
/// run out during the run, so the race for their last uses is part of the load.
const USES_LEFT: u64 = 100;

/// The workload's bundle, with the store's redeemed counts raised so that no global
/// limit has more than [`USES_LEFT`] uses left.
fn bench_bundle(w: &workload::Workload) -> Value {
    let mut bundle = w.bundle.clone();
    for c in bundle["coupons"].as_array_mut().into_iter().flatten() {
        if let Some(global) = c["limits"]["global"].as_u64() {
            let redeemed = c["limits"]["globalRedeemed"].as_u64().unwrap_or(0);
            c["limits"]["globalRedeemed"] = json!(redeemed.max(global.saturating_sub(USES_LEFT)));
        }
    }
    bundle
}

/// The store file: the workload's bundle (see [`bench_bundle`]), the catalogue, and
/// `customers` customers who each have the workload customer's record.
fn store(w: &workload::Workload, products: &[Product], customers: usize) -> Value {
    let products: Vec<Value> = products
        .iter()
        .map(|p| {
            let mut v = json!({"id": p.id, "title": p.id, "price": p.price.to_string(),
                               "collectionIds": p.collections});
            if let Some(o) = &p.offer {
                v["offerId"] = json!(o);
            }
            if let Some(t) = &p.tier {
                v["priceTierId"] = json!(t);
            }
            v
        })
        .collect();
    let shipping: Vec<Value> = SHIPPING
        .iter()
        .map(|(id, title, amount)| json!({"id": id, "title": title, "amount": amount}))
        .collect();
    let customers: Vec<Value> = (0..customers)
        .map(|i| {
            let mut c = w.customer.clone();
            c["id"] = json!(customer_id(i));
            c
        })
        .collect();
    // The workload was written for workload::NOW: the server moves its dates to today.
    json!({
        "bundle": bench_bundle(w),
        "catalogue": {"products": products, "shipping": shipping},
        "customers": customers,
        "anchor": workload::NOW,
    })
}

/// 5 distinct products, with quantities as in the workload carts (courses: 1).
fn draw_cart(products: &[Product], rng: &mut Rng) -> Vec<(usize, u32)> {
    let mut picked: Vec<usize> = Vec::with_capacity(5);
    while picked.len() < 5 {
        let p = rng.below(products.len());
        if !picked.contains(&p) {
            picked.push(p);
        }
    }
    picked
        .into_iter()
        .map(|p| {
            let quantity = match (&products[p].tier, rng.below(20)) {
                (Some(_), _) | (None, 0..=11) => 1,
                (None, 12..=16) => 2,
                (None, r) => r as u32 - 14,
            };
            (p, quantity)
        })
        .collect()
}

/// The cart the storefront builds from the catalogue, as the server builds it
/// (line i has the id `line-{i+1}`).
fn engine_cart(bundle: &Bundle, products: &[Product], lines: &[(usize, u32)]) -> Cart {
    Cart {
        currency: bundle.currency,
        lines: lines
            .iter()
            .enumerate()
            .map(|(i, &(p, quantity))| Line {
                id: format!("line-{}", i + 1),
                product_id: products[p].id.clone(),
                collection_ids: products[p].collections.clone(),
                offer_id: products[p].offer.clone(),
                unit_price: products[p].price,
                compare_at_price: None,
                quantity,
                tax_rate: None,
            })
            .collect(),
        shipping: Some(Shipping {
            options: SHIPPING
                .iter()
                .map(|(id, _, amount)| ShippingOption {
                    id: (*id).to_string(),
                    amount: Amount::parse(amount).unwrap_or(Amount::ZERO),
                })
                .collect(),
            selected_id: Some("standard".into()),
        }),
        prices_include_tax: false,
    }
}

// ---------------------------------------------------------------------------------
// The server and its database

/// A server process, killed when dropped.
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

fn start(o: &Options, dir: &Path, database: &str) -> Result<Server, Error> {
    let log = std::fs::File::create(dir.join("server.log"))?;
    let mut child = Command::new(&o.server)
        .args(["serve", "--listen", "127.0.0.1:0", "--database", database])
        .arg("--store")
        .arg(dir.join("store.json"))
        .arg("--key")
        .arg(dir.join("key.jwk"))
        .arg("--session-key")
        .arg(dir.join("session.key"))
        .arg("--www")
        .arg(dir.join("no-www"))
        .arg("--pkg")
        .arg(dir.join("no-pkg"))
        // No per-customer rate limit, and every order may stay a reservation.
        .args(["--place-per-minute", "0", "--max-open", "1000000000"])
        .args(&o.server_args)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .map_err(|e| format!("{}: {e}", o.server.display()))?;
    let mut line = String::new();
    BufReader::new(child.stdout.take().ok_or("no stdout")?).read_line(&mut line)?;
    let server = Server {
        addr: line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_default()
            .to_string(),
        child,
    };
    if !server.addr.starts_with("127.0.0.1:") {
        let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
        return fail(format!("the server said {line:?}\n{log}"));
    }
    Ok(server)
}

/// The test cluster of scripts/postgres.sh (or `COUPON_ENGINE_TEST_POSTGRES`).
fn postgres_base() -> Result<String, Error> {
    if let Ok(url) = std::env::var("COUPON_ENGINE_TEST_POSTGRES") {
        return Ok(url);
    }
    let out = Command::new("bash")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../scripts/postgres.sh"
        ))
        .output()?;
    if !out.status.success() {
        return fail(format!(
            "PostgreSQL could not be started: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8(out.stdout)?.trim().to_string())
}

/// A fresh database for one run: its URL, and for PostgreSQL an administration pool
/// on the cluster with the database's name (to read its statistics and drop it).
async fn database(
    database: Database,
    dir: &Path,
    size: workload::Size,
) -> Result<(String, Option<(sqlx::AnyPool, String)>), Error> {
    match database {
        Database::Sqlite => Ok((
            format!("sqlite://{}?mode=rwc", dir.join("shop.db").display()),
            None,
        )),
        Database::Postgres => {
            let base = postgres_base()?;
            let name = format!("bench_placements_{}_{}", size.name, std::process::id());
            let admin = Ledger::admin(&base).await?;
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
                .execute(&admin)
                .await?;
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&admin)
                .await?;
            let url = format!("{}/{name}", base.rsplit_once('/').ok_or("a URL")?.0);
            Ok((url, Some((admin, name))))
        }
    }
}

// ---------------------------------------------------------------------------------
// CPU accounting (/proc): where the machine's cores went during the load.

fn ticks_per_second() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

/// User + system ticks of a process.
fn process_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command may hold spaces: fields are counted after its closing parenthesis.
    let fields: Vec<&str> = stat.get(stat.rfind(')')? + 2..)?.split(' ').collect();
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

/// Busy and total ticks of the whole machine.
fn machine_ticks() -> (u64, u64) {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let v: Vec<u64> = stat
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .skip(1)
        .take(8)
        .filter_map(|x| x.parse().ok())
        .collect();
    let total: u64 = v.iter().sum();
    let idle = v.get(3).copied().unwrap_or(0) + v.get(4).copied().unwrap_or(0);
    (total.saturating_sub(idle), total)
}

/// Every process whose command is `postgres`: the cluster's backends and helpers.
fn postgres_ticks() -> u64 {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0;
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|c| c.trim() == "postgres")
        })
        .filter_map(process_ticks)
        .sum()
}

#[derive(Clone, Copy)]
struct Cpu {
    server: u64,
    client: u64,
    postgres: u64,
    busy: u64,
    total: u64,
}

impl Cpu {
    fn now(server: u32, postgres: bool) -> Cpu {
        let (busy, total) = machine_ticks();
        Cpu {
            server: process_ticks(server).unwrap_or(0),
            client: process_ticks(std::process::id()).unwrap_or(0),
            postgres: if postgres { postgres_ticks() } else { 0 },
            busy,
            total,
        }
    }
}

/// CPU time per placement, in ms: server, database, load generator, the rest of the
/// machine; and how busy the machine was.
#[derive(Default)]
struct CpuShare {
    server: f64,
    database: f64,
    client: f64,
    rest: f64,
    busy_percent: f64,
}

fn cpu_share(before: Cpu, after: Cpu, placed: usize) -> CpuShare {
    let ms = 1000.0 / ticks_per_second() / placed.max(1) as f64;
    let per = |a: u64, b: u64| b.saturating_sub(a) as f64 * ms;
    let server = per(before.server, after.server);
    let database = per(before.postgres, after.postgres);
    let client = per(before.client, after.client);
    let busy = per(before.busy, after.busy);
    CpuShare {
        server,
        database,
        client,
        rest: (busy - server - database - client).max(0.0),
        busy_percent: after.busy.saturating_sub(before.busy) as f64
            / after.total.saturating_sub(before.total).max(1) as f64
            * 100.0,
    }
}

// ---------------------------------------------------------------------------------
// One run

/// One order to place: whose, and the request body.
struct Job {
    customer: usize,
    body: Vec<u8>,
}

/// What the storefront holds after signing in and reading the shop.
struct SignedIn {
    bundle: Bundle,
    customers: Vec<Customer>,
    cookies: Vec<String>,
}

/// The orders of a run, computed before it, one queue per client.
struct Prepared {
    queues: Vec<Vec<Job>>,
    jobs: usize,
    claim_bytes: f64,
    applied: f64,
    /// The engine's part of the last order, step by step (µs).
    costs: Vec<(String, f64)>,
}

#[derive(Default)]
struct Tally {
    /// Every `POST /api/orders`, in µs.
    latencies: Vec<u32>,
    /// First attempts only, in µs.
    first: Vec<u32>,
    /// By status and code: "409 claim_rejected", …
    answers: BTreeMap<String, usize>,
    placed: usize,
    placed_after_retry: usize,
    /// Orders not placed: a transport error, or no 201 after [`TRIES`] tries.
    unplaced: usize,
    redemptions: usize,
    requests: usize,
}

impl Tally {
    fn add(&mut self, t: Tally) {
        self.latencies.extend(t.latencies);
        self.first.extend(t.first);
        for (k, n) in t.answers {
            *self.answers.entry(k).or_default() += n;
        }
        self.placed += t.placed;
        self.placed_after_retry += t.placed_after_retry;
        self.unplaced += t.unplaced;
        self.redemptions += t.redemptions;
        self.requests += t.requests;
    }
}

#[derive(Default)]
struct Audit {
    over_redeemed: u64,
    mismatches: Vec<String>,
    limited: Vec<String>,
    orders: i64,
    redemptions: i64,
}

struct Outcome {
    database: Database,
    size: workload::Size,
    customers: usize,
    tally: Tally,
    elapsed: Duration,
    bounded_by: &'static str,
    prepared: Prepared,
    cpu: CpuShare,
    audit: Audit,
    /// PostgreSQL transactions committed per request.
    transactions: Option<f64>,
}

fn payload(token: &str) -> Result<Value, Error> {
    let part = token.split('.').nth(1).ok_or("not a JWS")?;
    Ok(serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part)?,
    )?)
}

async fn get_json(
    client: &reqwest::Client,
    url: &str,
    cookie: Option<&str>,
) -> Result<Value, Error> {
    let mut request = client.get(url);
    if let Some(c) = cookie {
        request = request.header(reqwest::header::COOKIE, c);
    }
    let r = request.send().await?;
    if !r.status().is_success() {
        return fail(format!("GET {url}: {}", r.status()));
    }
    Ok(r.json().await?)
}

/// Signs every customer in and reads what the storefront reads: the key set, the
/// signed bundle and catalogue, each customer's signed summary.
async fn sign_in(base: &str, customers: usize) -> Result<SignedIn, Error> {
    let client = reqwest::Client::new();
    let jwks: Jwks = client
        .get(format!("{base}/.well-known/jwks.json"))
        .send()
        .await?
        .json()
        .await?;
    let token = get_json(&client, &format!("{base}/api/bundle"), None).await?;
    let token = token["token"].as_str().ok_or("no bundle token")?;
    // Verified as the storefront does; the bundle itself is kept for its global counts.
    Engine::from_signed(token, &jwks, now())?;
    let bundle: Bundle = read_json("bundle", &payload(token)?["bundle"].to_string())?;
    let mut signed_in = SignedIn {
        bundle,
        customers: Vec::with_capacity(customers),
        cookies: Vec::with_capacity(customers),
    };
    for i in 0..customers {
        let id = customer_id(i);
        let r = client
            .post(format!("{base}/api/session"))
            .json(&json!({ "customerId": id }))
            .send()
            .await?;
        if r.status() != 200 {
            return fail(format!("sign in as {id}: {}", r.status()));
        }
        let cookie = r
            .headers()
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("coupon_session="))
            .and_then(|v| v.split(';').next())
            .ok_or("no session cookie")?
            .to_string();
        let summary = get_json(
            &client,
            &format!("{base}/api/customers/{id}/summary"),
            Some(&cookie),
        )
        .await?;
        signed_in.customers.push(signing::verify_summary(
            summary["token"].as_str().ok_or("no summary token")?,
            &jwks,
            now(),
            Some(&id),
        )?);
        signed_in.cookies.push(cookie);
    }
    Ok(signed_in)
}

/// Every order of the run, round by round (each customer's n-th order in round n),
/// the order the clients send them in; each customer's record and the bundle's
/// global counts grow as the server's ledger will.
fn prepare(
    o: &Options,
    w: &workload::Workload,
    products: &[Product],
    shop: &mut SignedIn,
) -> Result<Prepared, Error> {
    let codes: Vec<String> = w.context["codes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c.as_str().map(str::to_string))
        .collect();
    let used = shop.customers.len();
    let mut engine = Engine::new(shop.bundle.clone())?;
    let mut rng = Rng::new(0xB0B0_0000_0000_0021 ^ w.size.coupons as u64);
    let mut queues: Vec<Vec<Job>> = (0..o.clients).map(|_| Vec::new()).collect();
    let (mut claim_bytes, mut applied, mut jobs) = (0usize, 0usize, 0usize);
    let mut last = None;
    'rounds: for round in 0..o.placements.div_ceil(used) {
        for (k, customer) in shop.customers.iter_mut().enumerate() {
            if jobs == o.placements {
                break 'rounds;
            }
            let lines = draw_cart(products, &mut rng);
            let cart = engine_cart(&shop.bundle, products, &lines);
            let context = Context {
                now: now(),
                payment_method: Some("upi".into()),
                codes: codes.clone(),
            };
            let result = engine.evaluate(customer, &cart, &context)?;
            let mut claimed = serde_json::to_value(&result)?;
            if o.compact_claim {
                claimed = compact(&claimed);
            }
            let key = format!("bench-{round}-{k}");
            let body = serde_json::to_vec(&json!({
                "idempotencyKey": key,
                "lines": lines.iter().map(|&(p, q)| json!({"productId": products[p].id, "quantity": q})).collect::<Vec<_>>(),
                "shippingId": "standard",
                "paymentMethod": "upi",
                "codes": codes,
                "claimed": claimed,
            }))?;
            claim_bytes += claimed.to_string().len();
            applied += result.applied.len();
            jobs += 1;
            queues[k % o.clients].push(Job { customer: k, body });
            // What the server's ledger will hold once this order is placed.
            customer.orders.push(Order {
                id: key,
                placed_at: context.now,
                total: result.total_after,
                coupon_codes: result
                    .applied
                    .iter()
                    .filter_map(|a| a.code.clone())
                    .collect(),
                items: lines
                    .iter()
                    .map(|&(p, quantity)| OrderItem {
                        product_id: products[p].id.clone(),
                        price_tier_id: products[p].tier.clone(),
                        collection_ids: products[p].collections.clone(),
                        quantity,
                    })
                    .collect(),
            });
            let mut ran_out = false;
            for a in &result.applied {
                *customer
                    .coupon_usage
                    .entry(a.coupon_id.clone())
                    .or_insert(0) += 1;
                let limits = shop
                    .bundle
                    .coupons
                    .iter_mut()
                    .find(|c| c.id == a.coupon_id)
                    .and_then(|c| c.limits.as_mut());
                if let Some(l) = limits {
                    if let Some(global) = l.global {
                        l.global_redeemed += 1;
                        ran_out |= l.global_redeemed >= global;
                    }
                }
            }
            // A count below its limit changes no claim; a limit running out does.
            if ran_out {
                engine = Engine::new(shop.bundle.clone())?;
            }
            last = Some((k, cart, context, claimed.to_string()));
        }
    }
    let costs = match &last {
        Some((k, cart, context, claimed)) => {
            engine_costs(&shop.bundle, &shop.customers[*k], cart, context, claimed)?
        }
        None => Vec::new(),
    };
    Ok(Prepared {
        queues,
        jobs,
        claim_bytes: claim_bytes as f64 / jobs.max(1) as f64,
        applied: applied as f64 / jobs.max(1) as f64,
        costs,
    })
}

/// What `recheck::Claim` reads of a result, and nothing else.
fn compact(result: &Value) -> Value {
    let list = |key: &str, fields: [&str; 2]| -> Vec<Value> {
        result[key]
            .as_array()
            .into_iter()
            .flatten()
            .map(|v| json!({fields[0]: v[fields[0]], fields[1]: v[fields[1]]}))
            .collect()
    };
    json!({
        "totalAfter": result["totalAfter"],
        "discountTotal": result["discountTotal"],
        "applied": list("applied", ["couponId", "amount"]),
        "lines": list("lines", ["lineId", "subtotal"]),
    })
}

/// The median time of `f` over `n` calls, in µs.
fn median_us(n: usize, mut f: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..n)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[n / 2]
}

/// The engine's part of a placement, step by step as `http::place_order` takes it,
/// alone on one core: read the claim, copy the bundle and build an engine on it,
/// copy the customer's record, recheck.
fn engine_costs(
    bundle: &Bundle,
    customer: &Customer,
    cart: &Cart,
    context: &Context,
    claimed: &str,
) -> Result<Vec<(String, f64)>, Error> {
    let claim: Claim = read_json("claimed", claimed)?;
    let engine = Engine::new(bundle.clone())?;
    engine.recheck(customer, cart, context, &claim)?;
    let n = 301;
    Ok(vec![
        (
            "read the claim".into(),
            median_us(n, || {
                std::hint::black_box(read_json::<Claim>("claimed", claimed).ok());
            }),
        ),
        (
            "copy the bundle + Engine::new".into(),
            median_us(n, || {
                std::hint::black_box(Engine::new(bundle.clone()).ok());
            }),
        ),
        (
            format!("copy the customer ({} orders)", customer.orders.len()),
            median_us(n, || {
                std::hint::black_box(customer.clone());
            }),
        ),
        (
            "recheck".into(),
            median_us(n, || {
                std::hint::black_box(engine.recheck(customer, cart, context, &claim).ok());
            }),
        ),
    ])
}

/// The most times one order is sent (a 409 with the server's result is sent again).
const TRIES: usize = 6;

/// One client: its own keep-alive connection, its customers' orders in turn.
async fn client(
    compact_claims: bool,
    url: String,
    queue: Vec<Job>,
    cookies: Arc<Vec<String>>,
    tickets: Arc<AtomicUsize>,
    limit: usize,
    deadline: Instant,
) -> Tally {
    let mut t = Tally::default();
    let Ok(client) = reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .timeout(Duration::from_secs(60))
        .build()
    else {
        *t.answers.entry("no client".into()).or_default() += 1;
        return t;
    };
    for job in queue {
        if tickets.fetch_add(1, Ordering::Relaxed) >= limit || Instant::now() >= deadline {
            break;
        }
        let mut body = job.body;
        t.unplaced += 1;
        for attempt in 0..TRIES {
            let sent = Instant::now();
            let answer = client
                .post(&url)
                .header(reqwest::header::COOKIE, &cookies[job.customer])
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.clone())
                .send()
                .await;
            let answer = match answer {
                Ok(r) => Ok((r.status().as_u16(), r.bytes().await)),
                Err(e) => Err(e),
            };
            t.requests += 1;
            let (status, bytes) = match answer {
                Ok((status, Ok(bytes))) => (status, bytes),
                Ok((_, Err(e))) | Err(e) => {
                    let kind = if e.is_timeout() {
                        "timeout"
                    } else {
                        "connection error"
                    };
                    *t.answers.entry(kind.into()).or_default() += 1;
                    break;
                }
            };
            let us = u32::try_from(sent.elapsed().as_micros()).unwrap_or(u32::MAX);
            t.latencies.push(us);
            if attempt == 0 {
                t.first.push(us);
            }
            let answer: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            let key = match answer["code"].as_str() {
                Some(code) => format!("{status} {code}"),
                None => status.to_string(),
            };
            *t.answers.entry(key).or_default() += 1;
            match status {
                201 => {
                    t.placed += 1;
                    t.unplaced -= 1;
                    t.placed_after_retry += usize::from(attempt > 0);
                    t.redemptions += answer["discounts"].as_array().map_or(0, Vec::len);
                    break;
                }
                // The server's own result (a limit ran out before this order): place
                // again with it, as the storefront does. A limit taken between the
                // recheck and the reservation: ask again, and get the result.
                409 if attempt + 1 < TRIES => {
                    if let Some(result) = answer.get("result") {
                        let mut v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                        v["claimed"] = if compact_claims {
                            compact(result)
                        } else {
                            result.clone()
                        };
                        body = serde_json::to_vec(&v).unwrap_or_default();
                    }
                }
                _ => break,
            }
        }
    }
    t
}

async fn transactions(pg: Option<&(sqlx::AnyPool, String)>) -> Option<i64> {
    let (admin, name) = pg?;
    sqlx::query("SELECT xact_commit FROM pg_stat_database WHERE datname = $1")
        .bind(name.as_str())
        .fetch_one(admin)
        .await
        .ok()
        .map(|r| r.get::<i64, _>(0))
}

fn run(
    o: &Options,
    database_kind: Database,
    w: &workload::Workload,
    products: &[Product],
) -> Result<Outcome, Error> {
    let size = w.size;
    let dir = std::env::temp_dir().join(format!(
        "coupon-bench-placements-{}-{}-{}",
        size.name,
        database_kind.name(),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let customers = o.customers.min(o.placements);
    std::fs::write(
        dir.join("store.json"),
        store(w, products, customers).to_string(),
    )?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (url, pg) = rt.block_on(database(database_kind, &dir, size))?;
    eprintln!(
        "\n== {} × {} ({} coupons): {customers} customers, {} clients, at most {} placements in {} s",
        database_kind.name(),
        size.name.to_uppercase(),
        size.coupons,
        o.clients,
        o.placements,
        o.seconds
    );
    let server = start(o, &dir, &url)?;
    let base = format!("http://{}", server.addr);
    let started = Instant::now();
    let mut shop = rt.block_on(sign_in(&base, customers))?;
    let mut prepared = prepare(o, w, products, &mut shop)?;
    eprintln!(
        "   signed in, read and computed {} orders in {:.1} s: claims of {:.1} KB, {:.2} discounts each; \
         the engine's part alone: {}",
        prepared.jobs,
        started.elapsed().as_secs_f64(),
        prepared.claim_bytes / 1024.0,
        prepared.applied,
        costs_text(&prepared.costs),
    );

    if pg.is_some() {
        // Idle backends report their statistics after 10 s: the setup's are counted
        // before the load starts.
        std::thread::sleep(Duration::from_secs(11));
    }
    let transactions_before = rt.block_on(transactions(pg.as_ref()));
    let cookies = Arc::new(std::mem::take(&mut shop.cookies));
    let tickets = Arc::new(AtomicUsize::new(0));
    let queues = std::mem::take(&mut prepared.queues);
    let cpu_before = Cpu::now(server.child.id(), pg.is_some());
    let started = Instant::now();
    let deadline = started + Duration::from_secs(o.seconds);
    let tally = rt.block_on(async {
        let tasks: Vec<_> = queues
            .into_iter()
            .map(|queue| {
                tokio::spawn(client(
                    o.compact_claim,
                    format!("{base}/api/orders"),
                    queue,
                    cookies.clone(),
                    tickets.clone(),
                    o.placements,
                    deadline,
                ))
            })
            .collect();
        let mut tally = Tally::default();
        for task in tasks {
            if let Ok(t) = task.await {
                tally.add(t);
            }
        }
        tally
    });
    let elapsed = started.elapsed();
    let cpu = cpu_share(
        cpu_before,
        Cpu::now(server.child.id(), pg.is_some()),
        tally.placed,
    );
    let bounded_by = if tickets.load(Ordering::Relaxed) >= o.placements.min(prepared.jobs) {
        "placements"
    } else {
        "time"
    };
    eprintln!("   the machine was {:.0}% busy", cpu.busy_percent);

    // The server stops (its connections close and report), then the ledger is audited.
    drop(server);
    let transactions_after = rt.block_on(transactions(pg.as_ref()));
    let audit = rt.block_on(audit(&url, w, customers))?;
    if let Some((admin, name)) = &pg {
        if !o.keep {
            let _ =
                rt.block_on(sqlx::query(&format!("DROP DATABASE IF EXISTS {name}")).execute(admin));
        }
    }
    if o.keep {
        eprintln!("   kept {} and {url}", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
    let mut tally = tally;
    tally.latencies.sort_unstable();
    tally.first.sort_unstable();
    let transactions = match (transactions_before, transactions_after) {
        (Some(a), Some(b)) => Some((b - a) as f64 / tally.requests.max(1) as f64),
        _ => None,
    };
    Ok(Outcome {
        database: database_kind,
        size,
        customers,
        tally,
        elapsed,
        bounded_by,
        prepared,
        cpu,
        audit,
        transactions,
    })
}

/// Over-redemption: every limit against the ledger, after the run.
async fn audit(url: &str, w: &workload::Workload, customers: usize) -> Result<Audit, Error> {
    // The bundle and customer record as the store file holds them: the merchant's
    // counts, before this ledger's.
    let bundle: Bundle = read_json("bundle", &bench_bundle(w).to_string())?;
    let imported: Customer = read_json("customer", &w.customer.to_string())?;
    let ledger = Ledger::connect_with(url, 2).await?;
    let mut usage = Vec::with_capacity(customers);
    for i in 0..customers {
        usage.push(ledger.used_by_customer(&customer_id(i)).await?);
    }
    let mut a = Audit::default();
    for c in &bundle.coupons {
        let Some(limits) = &c.limits else { continue };
        if let Some(global) = limits.global {
            let allowed = global.saturating_sub(limits.global_redeemed);
            let used = ledger.used(&c.id).await?;
            let live = ledger.live_redemptions(&c.id).await?;
            a.over_redeemed += u64::from(used.saturating_sub(allowed));
            if used != live {
                a.mismatches.push(format!(
                    "{}: {used} uses counted, {live} live redemptions",
                    c.id
                ));
            }
            a.limited.push(format!("{} {used}/{allowed}", c.id));
        }
        if let Some(per) = limits.per_customer {
            let allowed =
                per.saturating_sub(imported.coupon_usage.get(&c.id).copied().unwrap_or(0));
            for u in &usage {
                let used = u.get(&c.id).copied().unwrap_or(0);
                a.over_redeemed += u64::from(used.saturating_sub(allowed));
            }
        }
    }
    let pool = Ledger::admin(url).await?;
    a.orders = sqlx::query("SELECT COUNT(*) FROM orders")
        .fetch_one(&pool)
        .await?
        .get(0);
    a.redemptions = sqlx::query("SELECT COUNT(*) FROM redemptions")
        .fetch_one(&pool)
        .await?
        .get(0);
    pool.close().await;
    Ok(a)
}

// ---------------------------------------------------------------------------------
// Reporting

/// The nearest-rank percentile of sorted values.
fn percentile(sorted: &[u32], p: f64) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(us: u32) -> String {
    let ms = f64::from(us) / 1000.0;
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else if ms < 100.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

/// 12345 → "12,345".
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn costs_text(costs: &[(String, f64)]) -> String {
    costs
        .iter()
        .map(|(what, us)| format!("{what} {us:.0} µs"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every answer other than 201, by status and code.
fn other_answers(t: &Tally) -> String {
    let others: Vec<String> = t
        .answers
        .iter()
        .filter(|(k, _)| k.as_str() != "201")
        .map(|(k, n)| format!("{k} × {n}"))
        .collect();
    if others.is_empty() {
        "none".into()
    } else {
        others.join(", ")
    }
}

impl Outcome {
    fn rate(&self) -> f64 {
        self.tally.placed as f64 / self.elapsed.as_secs_f64()
    }

    fn p(&self, p: f64) -> u32 {
        percentile(&self.tally.latencies, p)
    }

    fn name(&self) -> String {
        format!(
            "{} × {} ({} coupons)",
            self.database.name(),
            self.size.name.to_uppercase(),
            self.size.coupons
        )
    }

    fn over_redemption(&self) -> String {
        if self.audit.mismatches.is_empty() {
            self.audit.over_redeemed.to_string()
        } else {
            format!(
                "{} (the ledger does not add up: {})",
                self.audit.over_redeemed,
                self.audit.mismatches.join("; ")
            )
        }
    }

    fn line(&self) -> String {
        let t = &self.tally;
        format!(
            "{}: {} placed in {:.1} s = {:.0} placements/s; p50 {} · p95 {} · p99 {} · max {}; \
             other answers: {}; not placed {}; over-redemption {}; CPU per placement: server {:.2} ms, \
             database {:.2} ms, load generator {:.2} ms, rest of the machine {:.2} ms",
            self.name(),
            t.placed,
            self.elapsed.as_secs_f64(),
            self.rate(),
            ms(self.p(50.0)),
            ms(self.p(95.0)),
            ms(self.p(99.0)),
            ms(t.latencies.last().copied().unwrap_or(0)),
            other_answers(t),
            t.unplaced,
            self.over_redemption(),
            self.cpu.server,
            self.cpu.database,
            self.cpu.client,
            self.cpu.rest,
        )
    }
}

fn sh(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(", ")
}

fn machine(load: &str) -> Vec<(&'static str, String)> {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name")?.split_once(':'))
        .map_or("unknown".into(), |(_, v)| v.trim().to_string());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or("unknown".into(), |kb| {
            format!("{:.1} GiB", kb / 1024.0 / 1024.0)
        });
    let os = std::fs::read_to_string("/etc/os-release")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("PRETTY_NAME="))
        .map_or("Linux".into(), |v| v.trim_matches('"').to_string());
    let postgres = std::fs::read_dir("/usr/lib/postgresql")
        .ok()
        .and_then(|d| {
            d.filter_map(|e| Some(e.ok()?.path()))
                .max_by_key(|p| p.file_name().map(std::ffi::OsStr::to_os_string))
        })
        .map(|p| sh(&p.join("bin/postgres").to_string_lossy(), &["--version"]))
        .unwrap_or_default();
    vec![
        ("CPU", cpu),
        (
            "cores",
            std::thread::available_parallelism()
                .map_or(0, std::num::NonZero::get)
                .to_string(),
        ),
        ("memory", memory),
        ("OS", format!("{os} (kernel {})", sh("uname", &["-r"]))),
        ("rustc", sh("rustc", &["--version"])),
        (
            "PostgreSQL",
            format!("{postgres} (scripts/postgres.sh: default settings, so fsync and synchronous_commit on)"),
        ),
        (
            "SQLite",
            "the one bundled with sqlx 0.8 (WAL, synchronous = FULL, one connection)".into(),
        ),
        ("date", sh("date", &["-u", "+%Y-%m-%dT%H:%M:%SZ"])),
        ("load average before the runs", load.to_string()),
    ]
}

const SECTION: &str = "## Order server: placements";
const FINDINGS: &str = "### Where the time goes";

/// The section: the runs, how they were measured, and the findings as people wrote them.
fn section(
    o: &Options,
    results: &[Outcome],
    products: usize,
    load: &str,
    findings: Option<&str>,
) -> String {
    let mut s = format!(
        "{SECTION}\n\n\
         The latest run of `{}` (issue 21, item 9; `server/benches/placements.rs`), written by the\n\
         script itself: rerun it to refresh this section (the findings below are kept). The goal,\n\
         ≥ 1,000 placements/s on PostgreSQL with p99 ≤ 50 ms on this 2-core machine, is recorded\n\
         here and never asserted.\n\n| machine | |\n|---|---|\n",
        o.command
    );
    for (k, v) in machine(load) {
        s.push_str(&format!("| {k} | {v} |\n"));
    }
    s.push_str(&format!("| command | `{}` |\n\n", o.command));
    s.push_str(
        "| database | bundle | placed | placements/s | p50 | p95 | p99 | max | other answers | over-redemption | CPU per placement: server · database · load generator · rest of the machine |\n\
         |---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for r in results {
        let goal = if r.database == Database::Postgres {
            format!(
                " ({} the 1,000/s goal; p99 {} 50 ms)",
                if r.rate() >= 1000.0 {
                    "meets"
                } else {
                    "misses"
                },
                if r.p(99.0) <= 50_000 { "≤" } else { ">" }
            )
        } else {
            String::new()
        };
        let t = &r.tally;
        s.push_str(&format!(
            "| {} | {} ({} coupons) | {} in {:.1} s | **{:.0}**{goal} | {} | {} | {} | {} | {} | **{}** | {:.2} · {:.2} · {:.2} · {:.2} ms |\n",
            r.database.name(),
            r.size.name.to_uppercase(),
            r.size.coupons,
            thousands(t.placed),
            r.elapsed.as_secs_f64(),
            r.rate(),
            ms(r.p(50.0)),
            ms(r.p(95.0)),
            ms(r.p(99.0)),
            ms(t.latencies.last().copied().unwrap_or(0)),
            other_answers(t),
            r.over_redemption(),
            r.cpu.server,
            r.cpu.database,
            r.cpu.client,
            r.cpu.rest,
        ));
    }
    s.push('\n');
    for r in results {
        let t = &r.tally;
        s.push_str(&format!(
            "- {}: {} customers; stopped by its bound on {}; {} requests, {} of the orders placed \
             on a later try with the server's result, {} not placed; claims of {:.1} KB with {:.2} discounts applied \
             on average; first tries alone p50 {} · p99 {}; the machine {:.0}% busy; the database holds \
             {} orders and {} redemptions, as the clients were told ({} and {}); global limits, uses \
             taken / uses the ledger could give: {}{}. The engine's part of one placement, alone on \
             one core: {}.\n",
            r.name(),
            r.customers,
            r.bounded_by,
            t.requests,
            t.placed_after_retry,
            t.unplaced,
            r.prepared.claim_bytes / 1024.0,
            r.prepared.applied,
            ms(percentile(&t.first, 50.0)),
            ms(percentile(&t.first, 99.0)),
            r.cpu.busy_percent,
            r.audit.orders,
            r.audit.redemptions,
            t.placed,
            t.redemptions,
            if r.audit.limited.is_empty() {
                "none".into()
            } else {
                r.audit.limited.join(", ")
            },
            r.transactions.map_or(String::new(), |x| format!(
                "; {x:.1} PostgreSQL transactions committed per request"
            )),
            costs_text(&r.prepared.costs),
        ));
    }
    s.push_str(&format!(
        "\nHow it is measured: the release server binary on 127.0.0.1 with its default guards \
         (`--concurrent-placements 64`, `--database-connections 16`), no per-customer rate limit \
         (`--place-per-minute 0`) and no bound on open reservations (`--max-open`), on a fresh \
         database per run. The S and M bundles of `bench/workload`, with the store's redeemed counts \
         raised so that no global limit has more than {USES_LEFT} uses left (the limits the orders use run \
         out during the run); every customer (`cus-00000`, …) \
         carries the workload customer's record (200 past orders, segments, courses, coupon usage); \
         the catalogue is the {products} products the workload carts use; each order is a 5-line cart \
         drawn from it (seeded), standard delivery, UPI, the workload's three entered codes, and {} \
         as the claim. {} clients (tokio, one thread, one keep-alive \
         connection each) share the customers, each customer placing one order at a time. Claims are \
         computed before the clock starts, from each customer's signed summary and the orders computed \
         for them before (history, per-customer and global counts, round by round); a 409 carrying the \
         server's result is placed again with it (where a global limit runs out in another order than \
         computed). Latency: each `POST /api/orders`, from sending to the answer's last byte, second \
         tries included. CPU: user + system time from /proc of the server process, of every `postgres` \
         process, of the load generator, and of the rest of the machine, divided by the orders placed. \
         After each run the server stops and the ledger is audited: each global limit's uses at most \
         what the ledger may give and equal to the live orders' redemptions, each customer's uses at \
         most the per-customer limit less their imported usage.\n\n",
        if o.compact_claim {
            "what the storefront sends: only what the server compares (totals, applied discounts, line subtotals)"
        } else {
            "the whole result, cards included (`--claim full`)"
        },
        o.clients,
    ));
    s.push_str(findings.unwrap_or("### Where the time goes\n\nNot written yet.\n"));
    if !s.ends_with('\n') {
        s.push('\n');
    }
    s
}

/// Replaces the section in the page (or puts it before the page's "## Log", or at the
/// end), keeping the rest of the page, and the section's findings, as they are.
fn write_doc(
    path: &Path,
    o: &Options,
    results: &[Outcome],
    products: usize,
    load: &str,
) -> Result<(), Error> {
    let old = std::fs::read_to_string(path).unwrap_or_else(|_| "# Benchmarks\n".into());
    let (before, after, findings) = match old.find(SECTION) {
        Some(start) => {
            let body_start = start + SECTION.len();
            let end = old[body_start..]
                .find("\n## ")
                .map_or(old.len(), |i| body_start + i + 1);
            let body = &old[start..end];
            let findings = body
                .find(FINDINGS)
                .map(|i| format!("{}\n", body[i..].trim_end()));
            (old[..start].to_string(), old[end..].to_string(), findings)
        }
        None => match old.find("## Log") {
            Some(i) => (old[..i].to_string(), old[i..].to_string(), None),
            None => (format!("{}\n\n", old.trim_end()), String::new(), None),
        },
    };
    let section = section(o, results, products, load, findings.as_deref());
    let gap = if after.is_empty() { "" } else { "\n" };
    std::fs::write(path, format!("{before}{section}{gap}{after}"))?;
    eprintln!("wrote the section to {}", path.display());
    Ok(())
}

fn main() {
    if let Err(e) = real_main() {
        eprintln!("placements: {e}");
        std::process::exit(1);
    }
}

fn real_main() -> Result<(), Error> {
    let o = options()?;
    if !o.server.is_file() {
        return fail(format!(
            "{} is missing: cargo build --release -p coupon-engine-server",
            o.server.display()
        ));
    }
    let load = load_average();
    let all: Vec<workload::Workload> = workload::SIZES
        .iter()
        .map(|s| workload::generate(*s))
        .collect();
    let products = products(&all)?;
    let mut results = Vec::new();
    for &database in &o.databases {
        for size in &o.sizes {
            let w = all
                .iter()
                .find(|w| w.size.name == size.name)
                .ok_or("no such workload")?;
            let r = run(&o, database, w, &products)?;
            eprintln!("   {}", r.line());
            results.push(r);
        }
    }
    println!();
    for r in &results {
        println!("{}", r.line());
    }
    if let Some(path) = &o.write_doc {
        write_doc(path, &o, &results, products.len(), &load)?;
    }
    let over: u64 = results.iter().map(|r| r.audit.over_redeemed).sum();
    if over > 0 || results.iter().any(|r| !r.audit.mismatches.is_empty()) {
        return fail(format!(
            "the ledger does not add up: {over} uses over their limits"
        ));
    }
    Ok(())
}
