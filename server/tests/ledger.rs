//! The ledger against real databases: an SQLite file and a PostgreSQL server (a
//! throwaway cluster started by scripts/postgres.sh). Every test runs on both.

use std::sync::atomic::{AtomicU32, Ordering};

use coupon_engine_server::ledger::{Ledger, LedgerError, NewOrder, State, Use};

static FRESH: AtomicU32 = AtomicU32::new(0);

fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "{prefix}_{}_{}_{nanos}",
        std::process::id(),
        FRESH.fetch_add(1, Ordering::SeqCst)
    )
}

/// A fresh, empty ledger on each backend.
async fn ledgers() -> Vec<Ledger> {
    let dir = std::env::temp_dir().join(unique("coupon-ledger"));
    std::fs::create_dir_all(&dir).unwrap();
    let sqlite = Ledger::connect(&format!(
        "sqlite://{}?mode=rwc",
        dir.join("ledger.db").display()
    ))
    .await
    .unwrap();
    let base = match std::env::var("COUPON_ENGINE_TEST_POSTGRES") {
        Ok(url) => url,
        Err(_) => {
            let out = std::process::Command::new("bash")
                .arg(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/../scripts/postgres.sh"
                ))
                .output()
                .expect("scripts/postgres.sh runs");
            assert!(
                out.status.success(),
                "PostgreSQL could not be started: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8(out.stdout).unwrap().trim().to_string()
        }
    };
    let db = unique("ledger");
    let admin = Ledger::admin(&base).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {db}"))
        .execute(&admin)
        .await
        .unwrap();
    let postgres = Ledger::connect(&format!("{}/{db}", base.rsplit_once('/').unwrap().0))
        .await
        .unwrap();
    vec![sqlite, postgres]
}

fn order(key: &str, customer: &str, global: Option<u32>, per_customer: Option<u32>) -> NewOrder {
    NewOrder {
        idempotency_key: key.to_string(),
        customer_id: customer.to_string(),
        total: "100.00".to_string(),
        uses: vec![Use {
            coupon_id: "LAST10".into(),
            amount: "10.00".into(),
            global_limit: global,
            per_customer_limit: per_customer,
        }],
        now_ms: 1_000,
        hold_ms: 60_000,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_concurrent_orders_race_for_the_last_ten_uses() {
    for ledger in ledgers().await {
        // 990 of 1,000 uses are gone already.
        for i in 0..990 {
            let mut o = order(&format!("old{i}"), &format!("c{i}"), Some(1000), None);
            o.uses[0].global_limit = Some(1000);
            ledger.place(&o).await.unwrap();
        }
        let tasks: Vec<_> = (0..200)
            .map(|i| {
                let ledger = ledger.clone();
                tokio::spawn(async move {
                    ledger
                        .place(&order(
                            &format!("race{i}"),
                            &format!("r{i}"),
                            Some(1000),
                            None,
                        ))
                        .await
                })
            })
            .collect();
        let mut accepted = 0;
        let mut refused = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(_) => accepted += 1,
                Err(LedgerError::LimitReached {
                    scope: "global", ..
                }) => refused += 1,
                Err(e) => panic!("{:?}: unexpected {e}", ledger.backend()),
            }
        }
        assert_eq!((accepted, refused), (10, 190), "{:?}", ledger.backend());
        assert_eq!(ledger.used("LAST10").await.unwrap(), 1000);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_per_customer_limit_holds_under_concurrency() {
    for ledger in ledgers().await {
        let tasks: Vec<_> = (0..20)
            .map(|i| {
                let ledger = ledger.clone();
                tokio::spawn(async move {
                    ledger
                        .place(&order(&format!("k{i}"), "same-customer", None, Some(2)))
                        .await
                })
            })
            .collect();
        let mut ok = 0;
        for t in tasks {
            if t.await.unwrap().is_ok() {
                ok += 1;
            }
        }
        assert_eq!(ok, 2, "{:?}", ledger.backend());
        assert_eq!(ledger.used_by("LAST10", "same-customer").await.unwrap(), 2);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_order_sent_twice_redeems_once() {
    for ledger in ledgers().await {
        let first = ledger
            .place(&order("retry-me", "c1", Some(5), None))
            .await
            .unwrap();
        let again = ledger
            .place(&order("retry-me", "c1", Some(5), None))
            .await
            .unwrap();
        assert_eq!(
            (first.id.as_str(), first.replayed, again.replayed),
            (again.id.as_str(), false, true)
        );
        // And sent 20 times at once.
        let tasks: Vec<_> = (0..20)
            .map(|_| {
                let ledger = ledger.clone();
                tokio::spawn(async move {
                    ledger
                        .place(&order("burst", "c2", Some(5), None))
                        .await
                        .unwrap()
                })
            })
            .collect();
        let mut fresh = 0;
        for t in tasks {
            if !t.await.unwrap().replayed {
                fresh += 1;
            }
        }
        assert_eq!(fresh, 1, "{:?}", ledger.backend());
        assert_eq!(ledger.used("LAST10").await.unwrap(), 2);
    }
}

#[tokio::test]
async fn cancelling_releases_and_expired_reservations_give_back_their_uses() {
    for ledger in ledgers().await {
        let a = ledger
            .place(&order("a", "c1", Some(2), None))
            .await
            .unwrap();
        let b = ledger
            .place(&order("b", "c2", Some(2), None))
            .await
            .unwrap();
        assert!(matches!(
            ledger.place(&order("c", "c3", Some(2), None)).await,
            Err(LedgerError::LimitReached { .. })
        ));
        assert_eq!(
            ledger.confirm(&a.id, 2_000).await.unwrap().state,
            State::Confirmed
        );
        assert_eq!(ledger.cancel(&a.id).await.unwrap().state, State::Cancelled);
        assert_eq!(
            ledger.cancel(&a.id).await.unwrap().state,
            State::Cancelled,
            "cancelling twice is harmless"
        );
        assert_eq!(ledger.used("LAST10").await.unwrap(), 1);
        // b is never confirmed: after its hold it expires and its use comes back.
        assert_eq!(ledger.expire(30_000).await.unwrap(), 0);
        assert_eq!(ledger.expire(61_000).await.unwrap(), 1);
        assert_eq!(ledger.used("LAST10").await.unwrap(), 0);
        assert!(matches!(
            ledger.confirm(&b.id, 62_000).await,
            Err(LedgerError::WrongState(State::Expired))
        ));
        // A reservation confirmed late is expired on the spot.
        let late = ledger
            .place(&order("late", "c4", Some(2), None))
            .await
            .unwrap();
        assert!(matches!(
            ledger.confirm(&late.id, 1_000 + 60_000).await,
            Err(LedgerError::WrongState(State::Expired))
        ));
        assert_eq!(ledger.used("LAST10").await.unwrap(), 0);
        assert!(matches!(
            ledger.confirm("ord_nope", 0).await,
            Err(LedgerError::NotFound)
        ));
    }
}
