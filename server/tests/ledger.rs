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
        customer_id: customer.to_string(),
        idempotency_key: key.to_string(),
        request_hash: format!("hash-of-{key}"),
        payment_method: Some("card".into()),
        subtotal: "110.00".to_string(),
        discount_total: "10.00".to_string(),
        total: "100.00".to_string(),
        tax: Some("15.25".to_string()),
        items: r#"[{"productId": "tea", "quantity": 1}]"#.to_string(),
        coupon_codes: "[]".to_string(),
        uses: vec![Use {
            coupon_id: "LAST10".into(),
            amount: "10.00".into(),
            global_limit: global,
            per_customer_limit: per_customer,
            batch_code: None,
        }],
        spends: Vec::new(),
        now_ms: 1_000,
        hold_ms: 60_000,
        max_open: 1_000,
        history: None,
        cart: None,
        entered_codes: None,
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
        // The replay is read back from the row: the tax is stored.
        assert_eq!(
            again.tax.as_deref(),
            Some("15.25"),
            "{:?}",
            ledger.backend()
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
            ledger.confirm(&a.id, "c1", 2_000).await.unwrap().state,
            State::Confirmed
        );
        // A confirmed order is not cancelled; it is refunded.
        assert!(matches!(
            ledger.cancel(&a.id, "c1").await,
            Err(LedgerError::WrongState(State::Confirmed))
        ));
        assert_eq!(
            ledger.refund(&a.id, "c1").await.unwrap().state,
            State::Refunded
        );
        assert_eq!(
            ledger.refund(&a.id, "c1").await.unwrap().state,
            State::Refunded,
            "refunding twice is harmless"
        );
        assert_eq!(ledger.used("LAST10").await.unwrap(), 1);
        assert!(
            ledger.history("c1").await.unwrap().is_empty(),
            "a refunded order leaves the history"
        );
        // b is never confirmed: after its hold it expires and its use comes back.
        assert_eq!(ledger.expire(30_000).await.unwrap(), 0);
        assert_eq!(ledger.expire(61_000).await.unwrap(), 1);
        assert_eq!(ledger.used("LAST10").await.unwrap(), 0);
        assert!(matches!(
            ledger.confirm(&b.id, "c2", 62_000).await,
            Err(LedgerError::WrongState(State::Expired))
        ));
        // A reservation confirmed late is expired on the spot.
        let late = ledger
            .place(&order("late", "c4", Some(2), None))
            .await
            .unwrap();
        assert!(matches!(
            ledger.confirm(&late.id, "c4", 1_000 + 60_000).await,
            Err(LedgerError::WrongState(State::Expired))
        ));
        assert_eq!(ledger.used("LAST10").await.unwrap(), 0);
        assert!(matches!(
            ledger.confirm("ord_nope", "c1", 0).await,
            Err(LedgerError::NotFound)
        ));
    }
}

#[tokio::test]
async fn orders_belong_to_their_customer_and_keys_to_their_request() {
    for ledger in ledgers().await {
        let mine = ledger
            .place(&order("shared-key", "alice", None, None))
            .await
            .unwrap();
        // Another customer's same key is another order.
        let theirs = ledger
            .place(&order("shared-key", "bob", None, None))
            .await
            .unwrap();
        assert_ne!(mine.id, theirs.id);
        assert!(!theirs.replayed);
        // Nobody else can see, confirm, cancel or refund it.
        assert!(matches!(
            ledger.get(&mine.id, "bob").await,
            Err(LedgerError::NotFound)
        ));
        assert!(matches!(
            ledger.confirm(&mine.id, "bob", 2_000).await,
            Err(LedgerError::NotFound)
        ));
        assert!(matches!(
            ledger.cancel(&mine.id, "bob").await,
            Err(LedgerError::NotFound)
        ));
        assert!(matches!(
            ledger.refund(&mine.id, "bob").await,
            Err(LedgerError::NotFound)
        ));
        assert_eq!(
            ledger.get(&mine.id, "alice").await.unwrap().state,
            State::Reserved
        );
        // The same key with another request is refused, and places nothing.
        let mut other = order("shared-key", "alice", None, None);
        other.request_hash = "another request".into();
        assert!(matches!(
            ledger.place(&other).await,
            Err(LedgerError::IdempotencyMismatch)
        ));
        assert_eq!(ledger.history("alice").await.unwrap().len(), 1);
        // Random ids, never derived from the key.
        assert!(mine.id.starts_with("ord_") && !mine.id.contains("shared"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_customer_holds_at_most_max_open_reservations_even_at_once() {
    for ledger in ledgers().await {
        let tasks: Vec<_> = (0..20)
            .map(|i| {
                let ledger = ledger.clone();
                tokio::spawn(async move {
                    let mut o = order(&format!("hold{i}"), "hoarder", None, None);
                    o.max_open = 3;
                    ledger.place(&o).await
                })
            })
            .collect();
        let mut placed = Vec::new();
        for t in tasks {
            match t.await.unwrap() {
                Ok(o) => placed.push(o),
                Err(LedgerError::TooManyReservations(3)) => {}
                Err(e) => panic!("{:?}: unexpected {e}", ledger.backend()),
            }
        }
        assert_eq!(placed.len(), 3, "{:?}", ledger.backend());
        assert_eq!(
            ledger.live_redemptions("LAST10").await.unwrap(),
            3,
            "refused orders redeem nothing"
        );
        // Confirming one frees a place.
        ledger
            .confirm(&placed[0].id, "hoarder", 2_000)
            .await
            .unwrap();
        assert_eq!(ledger.open_reservations("hoarder").await.unwrap(), 2);
        let mut o = order("hold-more", "hoarder", None, None);
        o.max_open = 3;
        ledger.place(&o).await.unwrap();
        o.idempotency_key = "hold-even-more".into();
        o.request_hash = "other".into();
        assert!(matches!(
            ledger.place(&o).await,
            Err(LedgerError::TooManyReservations(3))
        ));
    }
}

#[tokio::test]
async fn a_limit_added_later_counts_the_orders_placed_before_it() {
    for ledger in ledgers().await {
        let backend = ledger.backend();
        ledger.count_limits(&[], &[]).await.unwrap();
        // Without a limit, redemptions touch no counter.
        for (key, customer) in [("a1", "ann"), ("a2", "ann"), ("b1", "bob")] {
            ledger
                .place(&order(key, customer, None, None))
                .await
                .unwrap();
        }
        let cancelled = ledger.place(&order("b2", "bob", None, None)).await.unwrap();
        ledger.cancel(&cancelled.id, "bob").await.unwrap();
        assert_eq!(ledger.used("LAST10").await.unwrap(), 0, "{backend:?}");

        // The store adds both limits: the live orders are counted, the cancelled one not.
        ledger.count_limits(&["LAST10"], &["LAST10"]).await.unwrap();
        assert_eq!(ledger.used("LAST10").await.unwrap(), 3, "{backend:?}");
        assert_eq!(
            ledger.used_by("LAST10", "ann").await.unwrap(),
            2,
            "{backend:?}"
        );
        assert_eq!(
            ledger.used_by("LAST10", "bob").await.unwrap(),
            1,
            "{backend:?}"
        );
        // A limit of 4 has one use left, and ann's limit of 2 has none.
        assert!(matches!(
            ledger.place(&order("a3", "ann", Some(4), Some(2))).await,
            Err(LedgerError::LimitReached {
                scope: "customer",
                ..
            })
        ));
        ledger
            .place(&order("b3", "bob", Some(4), Some(2)))
            .await
            .unwrap();
        assert!(matches!(
            ledger.place(&order("c1", "cat", Some(4), None)).await,
            Err(LedgerError::LimitReached {
                scope: "global",
                ..
            })
        ));
        // Counting again at the next start changes nothing.
        ledger.count_limits(&["LAST10"], &["LAST10"]).await.unwrap();
        assert_eq!(ledger.used("LAST10").await.unwrap(), 4, "{backend:?}");

        // The limits go, orders go on uncounted; when the global one comes back it is
        // counted afresh, with the orders placed meanwhile.
        ledger.count_limits(&[], &[]).await.unwrap();
        assert_eq!(ledger.used("LAST10").await.unwrap(), 0, "{backend:?}");
        ledger.place(&order("c2", "cat", None, None)).await.unwrap();
        ledger.count_limits(&["LAST10"], &[]).await.unwrap();
        assert_eq!(ledger.used("LAST10").await.unwrap(), 5, "{backend:?}");
        assert_eq!(
            ledger.used_by("LAST10", "bob").await.unwrap(),
            0,
            "{backend:?}"
        );
        assert_eq!(
            ledger.live_redemptions("LAST10").await.unwrap(),
            5,
            "{backend:?}"
        );
    }
}

/// An order that takes `code` of the batch of coupon MISSYOU.
fn with_code(key: &str, customer: &str, code: &str) -> NewOrder {
    let mut o = order(key, customer, None, None);
    o.uses[0].coupon_id = "MISSYOU".into();
    o.uses[0].batch_code = Some(code.to_string());
    o
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_batch_code_is_taken_once_even_by_fifty_orders_at_once() {
    for ledger in ledgers().await {
        let codes: Vec<String> = (0..3).map(|i| format!("MISSYOU-CODE{i}")).collect();
        assert_eq!(ledger.store_codes("MISSYOU", &codes).await.unwrap(), 3);
        // Stored again (the server starts again): nothing changes.
        assert_eq!(ledger.store_codes("MISSYOU", &codes).await.unwrap(), 0);
        let tasks: Vec<_> = (0..50)
            .map(|i| {
                let ledger = ledger.clone();
                tokio::spawn(async move {
                    ledger
                        .place(&with_code(
                            &format!("race{i}"),
                            &format!("r{i}"),
                            "MISSYOU-CODE0",
                        ))
                        .await
                })
            })
            .collect();
        let (mut accepted, mut refused) = (Vec::new(), 0);
        for t in tasks {
            match t.await.unwrap() {
                Ok(o) => accepted.push(o),
                Err(LedgerError::CodeUnavailable { coupon_id }) if coupon_id == "MISSYOU" => {
                    refused += 1;
                }
                Err(e) => panic!("{:?}: unexpected {e}", ledger.backend()),
            }
        }
        assert_eq!((accepted.len(), refused), (1, 49), "{:?}", ledger.backend());
        // A refused order leaves nothing behind: only the winner has an order.
        for i in 0..50 {
            let customer = format!("r{i}");
            let orders = ledger.history(&customer).await.unwrap().len();
            let won = usize::from(accepted[0].customer_id == customer);
            assert_eq!(orders, won, "{:?}: {customer}", ledger.backend());
        }
        // A code the ledger never stored is refused like a used one.
        let forged = ledger
            .place(&with_code("forged", "f1", "MISSYOU-NEVER1"))
            .await;
        assert!(
            matches!(forged, Err(LedgerError::CodeUnavailable { .. })),
            "{forged:?}"
        );
        // Another coupon's batch does not hold the code.
        let mut other = with_code("other", "f2", "MISSYOU-CODE1");
        other.uses[0].coupon_id = "OTHER".into();
        assert!(matches!(
            ledger.place(&other).await,
            Err(LedgerError::CodeUnavailable { .. })
        ));
        // Cancelling gives the code back; the next order takes it.
        let winner = &accepted[0];
        ledger
            .cancel(&winner.id, &winner.customer_id)
            .await
            .unwrap();
        let again = ledger
            .place(&with_code("again", "a1", "MISSYOU-CODE0"))
            .await;
        assert!(again.is_ok(), "{:?}: {again:?}", ledger.backend());
        // Other codes of the batch are untouched.
        assert!(ledger
            .place(&with_code("second", "a2", "MISSYOU-CODE1"))
            .await
            .is_ok());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_campaign_budget_is_never_overspent_by_racing_orders() {
    use coupon_engine_server::ledger::Spend;
    for ledger in ledgers().await {
        // ₹1,000 of budget, ₹800 already spent elsewhere (room 20,000 minor units of
        // the 100,000, less 80,000): ₹70 orders, so two fit and the third does not.
        let with_spend = |key: &str, customer: &str| {
            let mut o = order(key, customer, None, None);
            o.uses[0].coupon_id = "DIWALI".into();
            o.spends = vec![Spend {
                campaign_id: "diwali".into(),
                amount: 7_000,
                room: 20_000,
            }];
            o
        };
        let tasks: Vec<_> = (0..40)
            .map(|i| {
                let ledger = ledger.clone();
                let o = with_spend(&format!("race{i}"), &format!("b{i}"));
                tokio::spawn(async move { ledger.place(&o).await })
            })
            .collect();
        let (mut accepted, mut refused) = (Vec::new(), 0);
        for t in tasks {
            match t.await.unwrap() {
                Ok(o) => accepted.push(o),
                Err(LedgerError::BudgetExhausted { campaign_id }) if campaign_id == "diwali" => {
                    refused += 1;
                }
                Err(e) => panic!("{:?}: unexpected {e}", ledger.backend()),
            }
        }
        assert_eq!((accepted.len(), refused), (2, 38), "{:?}", ledger.backend());
        assert_eq!(ledger.counts().await.unwrap().spent["diwali"], 14_000);
        // Cancelling one order gives its share back, and one more order fits.
        ledger
            .cancel(&accepted[0].id, &accepted[0].customer_id)
            .await
            .unwrap();
        assert_eq!(ledger.counts().await.unwrap().spent["diwali"], 7_000);
        assert!(ledger.place(&with_spend("after", "b-after")).await.is_ok());
        assert!(matches!(
            ledger.place(&with_spend("over", "b-over")).await,
            Err(LedgerError::BudgetExhausted { .. })
        ));
        // A refund gives its share back too.
        let confirmed = &accepted[1];
        ledger
            .confirm(&confirmed.id, &confirmed.customer_id, 2_000)
            .await
            .unwrap();
        ledger
            .refund(&confirmed.id, &confirmed.customer_id)
            .await
            .unwrap();
        assert_eq!(ledger.counts().await.unwrap().spent["diwali"], 7_000);
    }
}
