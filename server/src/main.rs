//! `coupon-engine-server serve`: the reference order server.
//!
//! ```text
//! coupon-engine-server serve --store server/store.json                      # SQLite in target/orders.db
//! coupon-engine-server serve --store server/store.json --database postgres://user@host/db
//! ```
//! It prints `listening on ADDR` once it accepts connections.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use coupon_engine::model::{Bundle, Customer, Timestamp};
use coupon_engine::signing::Jwk;
use coupon_engine::{read_json, Engine};
use coupon_engine_server::http::{now, router, Shop};
use coupon_engine_server::ledger::Ledger;

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
        /// The shop: {"bundle": …, "customers": […]}.
        #[arg(long, default_value = "server/store.json")]
        store: PathBuf,
        /// sqlite://path?mode=rwc (default) or postgres://…
        #[arg(long, default_value = "sqlite://target/orders.db?mode=rwc")]
        database: String,
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
    },
}

struct StoreFile {
    bundle: Bundle,
    customers: Vec<Customer>,
    personas: Vec<Persona>,
    /// The day the demo data was written for (see `Shop::anchor`).
    anchor: Option<String>,
}
coupon_engine::from_json_struct!(strict StoreFile {
    bundle: "bundle",
    customers: "customers",
    personas: "personas" = Vec::new(),
    anchor: "anchor",
});

struct Persona {
    customer_id: String,
    label: String,
}
coupon_engine::from_json_struct!(strict Persona { customer_id: "customerId", label: "label" });

fn fail(message: String) -> ! {
    eprintln!("coupon-engine-server: {message}");
    std::process::exit(2)
}

fn load_key(path: &PathBuf) -> Jwk {
    if let Ok(text) = std::fs::read_to_string(path) {
        return read_json("key", &text)
            .unwrap_or_else(|e| fail(format!("{}: {e}", path.display())));
    }
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed)
        .unwrap_or_else(|e| fail(format!("no randomness for a new key: {e}")));
    let key = Jwk::from_seed(seed, &format!("server-{}", now().0.format("%Y%m%d%H%M%S")));
    let text = serde_json::to_string_pretty(&key).unwrap_or_default();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options
        .open(path)
        .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()));
    written.unwrap_or_else(|e| fail(format!("cannot write {}: {e}", path.display())));
    key
}

#[tokio::main]
async fn main() {
    let Command::Serve {
        store,
        database,
        listen,
        key,
        www,
        pkg,
        hold,
    } = Cli::parse().command;
    let text = std::fs::read_to_string(&store)
        .unwrap_or_else(|e| fail(format!("{}: {e}", store.display())));
    let file: StoreFile =
        read_json("store", &text).unwrap_or_else(|e| fail(format!("{}: {e}", store.display())));
    Engine::new(file.bundle.clone()).unwrap_or_else(|e| fail(format!("{}: {e}", store.display())));
    let ledger = Ledger::connect(&database)
        .await
        .unwrap_or_else(|e| fail(format!("{database}: {e}")));
    let shop = Arc::new(Shop {
        bundle: file.bundle,
        customers: file
            .customers
            .into_iter()
            .map(|c| (c.id.clone(), c))
            .collect::<BTreeMap<_, _>>(),
        key: load_key(&key),
        ledger: ledger.clone(),
        hold_ms: hold * 1000,
        token_ttl_s: 3600,
        personas: file
            .personas
            .into_iter()
            .map(|p| (p.customer_id, p.label))
            .collect(),
        anchor: file
            .anchor
            .map(|a| Timestamp::parse(&a).unwrap_or_else(|e| fail(format!("anchor: {e}")))),
    });
    // Reservations never confirmed give their uses back.
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(5));
        loop {
            tick.tick().await;
            if let Err(e) = ledger.expire(now().0.timestamp_millis()).await {
                eprintln!("coupon-engine-server: expiring reservations: {e}");
            }
        }
    });
    let app = router(
        shop,
        www.is_dir().then_some(www),
        pkg.is_dir().then_some(pkg),
    );
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .unwrap_or_else(|e| fail(format!("{listen}: {e}")));
    let addr = listener.local_addr().map_or(listen, |a| a.to_string());
    println!("listening on {addr}");
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .unwrap_or_else(|e| fail(format!("serving: {e}")));
}
