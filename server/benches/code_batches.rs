//! How long the order server takes to load a coupon's code batch at start
//! (`Ledger::store_codes`): the first load of N codes into an empty ledger, and a
//! restart's load of the same N, all held already. On SQLite (a fresh file) and, when
//! `COUPON_ENGINE_TEST_POSTGRES` names a server (scripts/postgres.sh), on PostgreSQL.
//!
//! ```sh
//! cargo bench -p coupon-engine-server --bench code_batches                 # 100,000 codes
//! cargo bench -p coupon-engine-server --bench code_batches -- --codes 1000000
//! ```

use std::time::Instant;

use coupon_engine_server::ledger::Ledger;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let count: usize = args
        .iter()
        .position(|a| a == "--codes")
        .and_then(|i| args.get(i + 1))
        .map_or(100_000, |n| n.parse().expect("--codes takes a number"));
    // Codes as `coupon-engine codes` makes them: a prefix and 10 characters.
    let codes: Vec<String> = (0..count).map(|i| format!("HELLO-{i:010}")).collect();
    let mut databases = Vec::new();
    let dir = std::env::temp_dir().join(format!("code-batches-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    databases.push((
        "SQLite",
        format!("sqlite://{}?mode=rwc", dir.join("shop.db").display()),
    ));
    if let Ok(base) = std::env::var("COUPON_ENGINE_TEST_POSTGRES") {
        let name = format!("code_batches_{}", std::process::id());
        let admin = Ledger::admin(&base).await.unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&admin)
            .await
            .unwrap();
        databases.push((
            "PostgreSQL",
            format!("{}/{name}", base.rsplit_once('/').unwrap().0),
        ));
    }
    println!("| database | codes | first load | restart (all held) |");
    println!("|---|---:|---:|---:|");
    for (name, url) in databases {
        let ledger = Ledger::connect(&url).await.unwrap();
        let start = Instant::now();
        let added = ledger.store_codes("emailed", &codes).await.unwrap();
        let first = start.elapsed();
        assert_eq!(added, count as u64, "every code is new");
        let start = Instant::now();
        let again = ledger.store_codes("emailed", &codes).await.unwrap();
        let restart = start.elapsed();
        assert_eq!(again, 0, "no code is added twice");
        println!(
            "| {name} | {count} | {:.2} s | {:.2} s |",
            first.as_secs_f64(),
            restart.as_secs_f64()
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}
