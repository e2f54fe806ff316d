//! `coupon-engine-server serve`: the reference order server.
//!
//! ```text
//! coupon-engine-server serve --store server/store.json                      # SQLite in target/shop.db
//! coupon-engine-server serve --store server/store.json --database postgres://user@host/db
//! ```
//! It prints `listening on ADDR` once it accepts connections.

// Each placement allocates the customer's record, the cart and the result afresh on
// one of several threads: mimalloc's per-thread heaps serve that with less contention
// than the system allocator (measured in docs/benchmarks.md, "Order server").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use coupon_engine::model::{Bundle, Customer, Timestamp};
use coupon_engine::model::{Cart, Context, Line};
use coupon_engine::signing::Jwk;
use coupon_engine::{read_json, Engine};
use coupon_engine_server::auth::{Authenticate, CookieSessions};
use coupon_engine_server::catalogue::Catalogue;
use coupon_engine_server::http::{
    is_payment_method, now, placement_limiter, router, today, with_zone_offsets, Guards, Reused,
    Shop,
};
use coupon_engine_server::ledger::Ledger;
use coupon_engine_server::serve::{serve, ConnectionLimits};
use sha2::Digest;

#[derive(Parser)]
#[command(
    name = "coupon-engine-server",
    version,
    about = "The coupon-engine reference order server"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API, the demo storefront and the package.
    Serve {
        /// The shop: {"bundle": …, "catalogue": …, "customers": […]}. The catalogue is
        /// written to the database on every start.
        #[arg(long, default_value = "server/store.json")]
        store: PathBuf,
        /// sqlite://path?mode=rwc (default) or postgres://…
        #[arg(long, default_value = "sqlite://target/shop.db?mode=rwc")]
        database: String,
        /// Connections to PostgreSQL (SQLite always uses one).
        #[arg(long, default_value_t = 16)]
        database_connections: u32,
        /// Address to listen on (port 0 picks a free one).
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// The private signing key (created on first start when missing).
        #[arg(long, default_value = "target/server-key.jwk")]
        key: PathBuf,
        /// The demo storefront to serve at /.
        #[arg(long, default_value = "www")]
        www: PathBuf,
        /// The built package to serve at /pkg.
        #[arg(long, default_value = "pkg")]
        pkg: PathBuf,
        /// Seconds a reservation holds unless confirmed.
        #[arg(long, default_value_t = 900)]
        hold: i64,
        /// The secret that signs session cookies (64 random bytes, created on first
        /// start when missing). Servers that share it accept each other's sessions.
        #[arg(long, default_value = "target/session.key")]
        session_key: PathBuf,
        /// Mark the session cookie Secure (set it when the shop is served over HTTPS).
        #[arg(long)]
        secure_cookies: bool,
        /// Turn off the demo's sign-in (`POST /api/session` as any customer of the store).
        #[arg(long)]
        no_demo_sign_in: bool,
        /// Unconfirmed orders a customer may hold at once.
        #[arg(long, default_value_t = 3)]
        max_open: u32,
        /// Orders a customer may place per minute (0: no limit).
        #[arg(long, default_value_t = 30)]
        place_per_minute: u32,
        /// Orders a customer may place in one burst.
        #[arg(long, default_value_t = 10)]
        place_burst: u32,
        /// Placements evaluated at once; the rest wait their turn.
        #[arg(long, default_value_t = 64)]
        concurrent_placements: usize,
        /// Connections served at once; the rest wait in the kernel's backlog.
        #[arg(long, default_value_t = 1024)]
        max_connections: usize,
        /// Seconds a client may take to send a request's headers.
        #[arg(long, default_value_t = 10)]
        header_timeout: u64,
        /// Seconds a request may take, body included.
        #[arg(long, default_value_t = 30)]
        request_timeout: u64,
    },
}

#[derive(coupon_engine::json::FromJson)]
struct StoreFile {
    bundle: Bundle,
    catalogue: Catalogue,
    customers: Vec<Customer>,
    #[serde(default)]
    personas: Vec<Persona>,
    /// The codes of coupons with a code batch (from `coupon-engine codes`), added to
    /// the ledger on every start.
    #[serde(default, rename = "codeBatches")]
    code_batches: Vec<StoredBatch>,
    /// The day the demo data was written for (see `Shop::anchor`).
    anchor: Option<String>,
    /// The payment methods the store takes (`card`, `upi`, `cod`...): a placement
    /// naming another is refused. Empty: any well-formed id.
    #[serde(default, rename = "paymentMethods")]
    payment_methods: Vec<String>,
}

/// One coupon's batch of codes.
#[derive(coupon_engine::json::FromJson)]
#[serde(rename_all = "camelCase")]
struct StoredBatch {
    coupon_id: String,
    codes: Vec<String>,
}

/// Each payment method is one a placement can name, and named once.
fn check_payment_methods(methods: &[String]) -> Result<(), String> {
    for (i, method) in methods.iter().enumerate() {
        if !is_payment_method(method) {
            return Err(format!(
                "paymentMethods[{i}]: {method:?} is not an id of ASCII letters, digits, '-', '_' and '.'"
            ));
        }
        if methods[..i].contains(method) {
            return Err(format!("paymentMethods[{i}]: {method:?} is listed twice"));
        }
    }
    Ok(())
}

/// Each stored batch belongs to a coupon with a `codeBatch`, and each code is one of
/// that batch's: a typo in the store file fails the start rather than every shopper.
fn check_batches(bundle: &Bundle, batches: &[StoredBatch]) -> Result<(), String> {
    for (i, stored) in batches.iter().enumerate() {
        let batch = bundle
            .coupons
            .iter()
            .find(|c| c.id == stored.coupon_id)
            .and_then(|c| c.code_batch.as_ref())
            .ok_or_else(|| {
                format!(
                    "codeBatches[{i}]: no coupon {} with a codeBatch",
                    stored.coupon_id
                )
            })?;
        if let Some((j, code)) = stored
            .codes
            .iter()
            .enumerate()
            .find(|(_, c)| !batch.batch().matches(c))
        {
            return Err(format!(
                "codeBatches[{i}].codes[{j}]: {code} is not a code of the batch"
            ));
        }
    }
    Ok(())
}

#[derive(coupon_engine::json::FromJson)]
#[serde(rename_all = "camelCase")]
struct Persona {
    customer_id: String,
    label: String,
}

fn fail(message: String) -> ! {
    eprintln!("coupon-engine-server: {message}");
    std::process::exit(2)
}

fn load_key(path: &PathBuf) -> Jwk {
    let fresh = || {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed)
            .unwrap_or_else(|e| fail(format!("no randomness for a new key: {e}")));
        let key = Jwk::from_seed(seed, &format!("server-{}", now().0.format("%Y%m%d%H%M%S")));
        coupon_engine::json::to_json(&key).into_bytes()
    };
    let text = String::from_utf8(create_once(path, fresh))
        .unwrap_or_else(|_| fail(format!("{}: not UTF-8", path.display())));
    read_json("key", &text).unwrap_or_else(|e| fail(format!("{}: {e}", path.display())))
}

/// Reads a secret file, or makes one with fresh randomness.
fn load_secret<const N: usize>(path: &PathBuf) -> [u8; N] {
    let fresh = || {
        let mut secret = vec![0u8; N];
        getrandom::fill(&mut secret)
            .unwrap_or_else(|e| fail(format!("no randomness for a new secret: {e}")));
        secret
    };
    create_once(path, fresh)
        .try_into()
        .unwrap_or_else(|_| fail(format!("{}: not {N} bytes", path.display())))
}

/// The file's bytes; a missing file is first written with `make()` (mode 0600). The
/// bytes go to a file of this process's own and are then linked into place, which
/// fails when the file exists: servers starting together on a missing file all end up
/// with the one that was linked first, and none reads a half-written file.
fn create_once(path: &PathBuf, make: impl FnOnce() -> Vec<u8>) -> Vec<u8> {
    if let Ok(bytes) = std::fs::read(path) {
        return bytes;
    }
    let own = path.with_extension(format!("new-{}", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(&own)
        .and_then(|mut f| std::io::Write::write_all(&mut f, &make()))
        .unwrap_or_else(|e| fail(format!("cannot write {}: {e}", own.display())));
    let linked = std::fs::hard_link(&own, path);
    let _ = std::fs::remove_file(&own);
    match linked {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => fail(format!("cannot write {}: {e}", path.display())),
    }
    std::fs::read(path).unwrap_or_else(|e| fail(format!("{}: {e}", path.display())))
}

/// The salt of hidden coupons' code hashes: taken from the signing key's public half,
/// so every server sharing the key publishes the same bundle, and a new key brings a
/// new salt. It needs no secrecy, only to differ between shops.
fn code_salt(key: &Jwk) -> [u8; 16] {
    let public = coupon_engine::json::to_json(&key.public());
    let digest = sha2::Sha256::digest(&public);
    let mut salt = [0u8; 16];
    salt.copy_from_slice(&digest[..16]);
    salt
}

/// Every product and delivery option is a valid cart line for the engine (currency,
/// decimals, bounds, a tax rate on every product or on none), so no shopper meets a
/// catalogue error at checkout.
fn check_catalogue(engine: &Engine, catalogue: &Catalogue) -> Result<(), coupon_engine::Error> {
    let customer = read_json::<Customer>("customer", r#"{"id": "catalogue-check"}"#)?;
    let lines = catalogue
        .products
        .iter()
        .map(|p| Line {
            id: p.id.clone(),
            product_id: p.id.clone(),
            collection_ids: p.collection_ids.clone(),
            offer_id: p.offer_id.clone(),
            unit_price: p.price,
            compare_at_price: p.compare_at_price,
            quantity: 1,
            tax_rate: p.tax_rate,
        })
        .collect();
    let shipping = read_json(
        "catalogue.shipping",
        &serde_json::json!({"options": catalogue.shipping.iter().map(|o| serde_json::json!({"id": o.id, "amount": o.amount})).collect::<Vec<_>>()}).to_string(),
    )?;
    let cart = Cart {
        currency: engine.bundle().currency,
        lines,
        shipping: Some(shipping),
        prices_include_tax: catalogue.prices_include_tax,
    };
    let context = Context {
        now: now(),
        payment_method: None,
        codes: Vec::new(),
    };
    engine.evaluate(&customer, &cart, &context).map(|_| ())
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let Command::Serve {
        store,
        database,
        database_connections,
        listen,
        key,
        www,
        pkg,
        hold,
        session_key,
        secure_cookies,
        no_demo_sign_in,
        max_open,
        place_per_minute,
        place_burst,
        concurrent_placements,
        max_connections,
        header_timeout,
        request_timeout,
    } = Cli::parse().command;
    let text = std::fs::read_to_string(&store)
        .unwrap_or_else(|e| fail(format!("{}: {e}", store.display())));
    let file: StoreFile =
        read_json("store", &text).unwrap_or_else(|e| fail(format!("{}: {e}", store.display())));
    // How long signed tokens live.
    let token_ttl_s = 3600;
    // The store names its time zone; the offsets are computed for each day's bundles.
    let mut zoned = file.bundle.clone();
    with_zone_offsets(&mut zoned, today(), token_ttl_s)
        .unwrap_or_else(|e| fail(format!("{}: bundle.timeZone: {e}", store.display())));
    let engine = Engine::new(zoned).unwrap_or_else(|e| fail(format!("{}: {e}", store.display())));
    check_catalogue(&engine, &file.catalogue)
        .unwrap_or_else(|e| fail(format!("{}: catalogue: {e}", store.display())));
    // Before the database is touched: a typo in the store file changes nothing.
    check_batches(&file.bundle, &file.code_batches)
        .unwrap_or_else(|e| fail(format!("{}: {e}", store.display())));
    check_payment_methods(&file.payment_methods)
        .unwrap_or_else(|e| fail(format!("{}: {e}", store.display())));
    let ledger = Ledger::connect_with(&database, database_connections)
        .await
        .unwrap_or_else(|e| fail(format!("{database}: {e}")));
    ledger
        .seed_catalogue(&file.catalogue)
        .await
        .unwrap_or_else(|e| fail(format!("{database}: writing the catalogue: {e}")));
    for stored in &file.code_batches {
        ledger
            .store_codes(&stored.coupon_id, &stored.codes)
            .await
            .unwrap_or_else(|e| fail(format!("{database}: storing codes: {e}")));
    }
    let limited = |has: fn(&coupon_engine::model::Limits) -> bool| -> Vec<&str> {
        file.bundle
            .coupons
            .iter()
            .filter(|c| c.limits.as_ref().is_some_and(has))
            .map(|c| c.id.as_str())
            .collect()
    };
    ledger
        .count_limits(
            &limited(|l| l.global.is_some()),
            &limited(|l| l.per_customer.is_some()),
        )
        .await
        .unwrap_or_else(|e| fail(format!("{database}: counting the coupons' limits: {e}")));
    let sessions = Arc::new(CookieSessions::new(
        &load_secret::<64>(&session_key),
        secure_cookies,
        7 * 24 * 3600,
    ));
    let key = load_key(&key);
    let shop = Arc::new(Shop {
        bundle: file.bundle,
        customers: file
            .customers
            .into_iter()
            .map(|c| (c.id.clone(), c))
            .collect::<BTreeMap<_, _>>(),
        code_salt: code_salt(&key),
        key,
        ledger: ledger.clone(),
        auth: sessions.clone() as Arc<dyn Authenticate>,
        sign_in: (!no_demo_sign_in).then_some(sessions),
        hold_ms: hold * 1000,
        max_open,
        token_ttl_s,
        personas: file
            .personas
            .into_iter()
            .map(|p| (p.customer_id, p.label))
            .collect(),
        anchor: file
            .anchor
            .map(|a| Timestamp::parse(&a).unwrap_or_else(|e| fail(format!("anchor: {e}")))),
        placements: placement_limiter(place_per_minute, place_burst),
        payment_methods: file.payment_methods,
        reused: Reused::default(),
    });
    // Reservations never confirmed give their uses back; idle rate-limit keys go.
    let sweeper = shop.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(5));
        loop {
            tick.tick().await;
            if let Err(e) = sweeper.ledger.expire(now().0.timestamp_millis()).await {
                tracing::error!("expiring reservations: {e}");
            }
            if let Some(limiter) = &sweeper.placements {
                limiter.retain_recent();
            }
        }
    });
    let app = router(
        shop,
        www.is_dir().then_some(www),
        pkg.is_dir().then_some(pkg),
        Guards {
            request_timeout: std::time::Duration::from_secs(request_timeout),
            concurrent_placements,
        },
    );
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .unwrap_or_else(|e| fail(format!("{listen}: {e}")));
    let addr = listener.local_addr().map_or(listen, |a| a.to_string());
    println!("listening on {addr}");
    serve(
        listener,
        app,
        ConnectionLimits {
            max_connections,
            header_timeout: std::time::Duration::from_secs(header_timeout),
        },
        async {
            let _ = tokio::signal::ctrl_c().await;
        },
    )
    .await;
}
