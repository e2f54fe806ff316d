//! The redemption ledger: the only place usage limits are enforced.
//!
//! One code path for SQLite (embedded, the default) and PostgreSQL, through sqlx's
//! `Any` driver and portable SQL. A redemption takes a unit of each limit with a
//! conditional update, `used = used + 1 WHERE used < limit`, inside the order's
//! transaction: PostgreSQL re-checks the condition after a concurrent commit to the
//! same row, and SQLite has a single writer, so a limit can never be exceeded, however
//! many orders race for its last uses. Orders are idempotent by key, start as
//! reservations that expire unless confirmed, and release their uses when cancelled
//! or expired.

use std::fmt;

use sqlx::any::{install_default_drivers, AnyPoolOptions};
use sqlx::{AnyPool, Row};

/// Which database the ledger runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// The ledger.
#[derive(Clone)]
pub struct Ledger {
    pool: AnyPool,
    backend: Backend,
}

/// A discount to redeem, with the limits that apply to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Use {
    /// The coupon.
    pub coupon_id: String,
    /// The amount (decimal string), recorded for audit.
    pub amount: String,
    /// Total redemptions allowed, if limited.
    pub global_limit: Option<u32>,
    /// Redemptions per customer, if limited.
    pub per_customer_limit: Option<u32>,
}

/// An order to place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrder {
    /// Makes retries safe: the same key places the order once.
    pub idempotency_key: String,
    /// The customer.
    pub customer_id: String,
    /// The total charged (decimal string).
    pub total: String,
    /// The discounts it redeems.
    pub uses: Vec<Use>,
    /// Now, in milliseconds since the epoch.
    pub now_ms: i64,
    /// How long the reservation holds before it expires unless confirmed.
    pub hold_ms: i64,
}

/// An order's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Uses taken, waiting for confirmation (payment).
    Reserved,
    /// Final.
    Confirmed,
    /// Cancelled; its uses were released.
    Cancelled,
    /// Not confirmed in time; its uses were released.
    Expired,
}

impl State {
    fn as_str(self) -> &'static str {
        match self {
            State::Reserved => "reserved",
            State::Confirmed => "confirmed",
            State::Cancelled => "cancelled",
            State::Expired => "expired",
        }
    }

    fn parse(s: &str) -> State {
        match s {
            "confirmed" => State::Confirmed,
            "cancelled" => State::Cancelled,
            "expired" => State::Expired,
            _ => State::Reserved,
        }
    }
}

/// A placed order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    /// The order id (derived from the idempotency key).
    pub id: String,
    /// Its state.
    pub state: State,
    /// True when this call found the order already placed under the same key.
    pub replayed: bool,
}

/// Why the ledger refused.
#[derive(Debug)]
pub enum LedgerError {
    /// A limit has no use left.
    LimitReached {
        /// The coupon.
        coupon_id: String,
        /// `"global"` or `"customer"`.
        scope: &'static str,
    },
    /// No such order.
    NotFound,
    /// The order is not in a state that allows this.
    WrongState(State),
    /// The database failed.
    Database(sqlx::Error),
}

impl fmt::Display for LedgerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LedgerError::LimitReached { coupon_id, scope } => {
                write!(f, "the {scope} limit of coupon {coupon_id} is reached")
            }
            LedgerError::NotFound => f.write_str("no such order"),
            LedgerError::WrongState(s) => write!(f, "the order is {}", s.as_str()),
            LedgerError::Database(e) => write!(f, "database: {e}"),
        }
    }
}

impl std::error::Error for LedgerError {}

impl From<sqlx::Error> for LedgerError {
    fn from(e: sqlx::Error) -> Self {
        LedgerError::Database(e)
    }
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

impl Ledger {
    /// Connects (`sqlite://path?mode=rwc` or `postgres://…`) and applies the migrations.
    pub async fn connect(url: &str) -> Result<Ledger, LedgerError> {
        install_default_drivers();
        let backend = if url.starts_with("postgres") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        };
        // SQLite has one writer: one connection serialises transactions instead of
        // failing them with "database is locked".
        let connections = if backend == Backend::Sqlite { 1 } else { 16 };
        let pool = AnyPoolOptions::new()
            .max_connections(connections)
            .connect(url)
            .await?;
        if backend == Backend::Sqlite {
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&pool)
                .await?;
            sqlx::query("PRAGMA synchronous = FULL")
                .execute(&pool)
                .await?;
        }
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(|e| LedgerError::Database(e.into()))?;
        Ok(Ledger { pool, backend })
    }

    /// A plain pool on `url` (for administration such as creating test databases).
    pub async fn admin(url: &str) -> Result<AnyPool, LedgerError> {
        install_default_drivers();
        Ok(AnyPoolOptions::new()
            .max_connections(1)
            .connect(url)
            .await?)
    }

    /// The database in use.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Places an order: takes one use of every limit of every discount, or none.
    /// The same idempotency key returns the order already placed.
    pub async fn place(&self, order: &NewOrder) -> Result<Order, LedgerError> {
        let id = order_id(&order.idempotency_key);
        if let Some(existing) = self.find(&id).await? {
            return Ok(Order {
                replayed: true,
                ..existing
            });
        }
        let mut tx = self.pool.begin().await?;
        for u in &order.uses {
            sqlx::query("INSERT INTO coupon_usage (coupon_id, used) VALUES ($1, 0) ON CONFLICT (coupon_id) DO NOTHING")
                .bind(&u.coupon_id)
                .execute(&mut *tx)
                .await?;
            let took = sqlx::query("UPDATE coupon_usage SET used = used + 1 WHERE coupon_id = $1 AND ($2 < 0 OR used < $2)")
                .bind(&u.coupon_id)
                .bind(u.global_limit.map_or(-1, i64::from))
                .execute(&mut *tx)
                .await?;
            if took.rows_affected() == 0 {
                return Err(LedgerError::LimitReached {
                    coupon_id: u.coupon_id.clone(),
                    scope: "global",
                });
            }
            sqlx::query(
                "INSERT INTO customer_usage (coupon_id, customer_id, used) VALUES ($1, $2, 0) \
                 ON CONFLICT (coupon_id, customer_id) DO NOTHING",
            )
            .bind(&u.coupon_id)
            .bind(&order.customer_id)
            .execute(&mut *tx)
            .await?;
            let took = sqlx::query(
                "UPDATE customer_usage SET used = used + 1 WHERE coupon_id = $1 AND customer_id = $2 AND ($3 < 0 OR used < $3)",
            )
            .bind(&u.coupon_id)
            .bind(&order.customer_id)
            .bind(u.per_customer_limit.map_or(-1, i64::from))
            .execute(&mut *tx)
            .await?;
            if took.rows_affected() == 0 {
                return Err(LedgerError::LimitReached {
                    coupon_id: u.coupon_id.clone(),
                    scope: "customer",
                });
            }
        }
        let inserted = sqlx::query(
            "INSERT INTO orders (id, idempotency_key, customer_id, state, total, created_ms, expires_ms) \
             VALUES ($1, $2, $3, 'reserved', $4, $5, $6)",
        )
        .bind(&id)
        .bind(&order.idempotency_key)
        .bind(&order.customer_id)
        .bind(&order.total)
        .bind(order.now_ms)
        .bind(order.now_ms + order.hold_ms)
        .execute(&mut *tx)
        .await;
        match inserted {
            // A concurrent request with the same key won the race: its order stands.
            Err(e) if is_unique_violation(&e) => {
                drop(tx);
                let existing = self.find(&id).await?.ok_or(LedgerError::NotFound)?;
                return Ok(Order {
                    replayed: true,
                    ..existing
                });
            }
            other => other?,
        };
        for u in &order.uses {
            sqlx::query(
                "INSERT INTO redemptions (order_id, coupon_id, amount) VALUES ($1, $2, $3)",
            )
            .bind(&id)
            .bind(&u.coupon_id)
            .bind(&u.amount)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(Order {
            id,
            state: State::Reserved,
            replayed: false,
        })
    }

    /// The order with this id.
    pub async fn find(&self, id: &str) -> Result<Option<Order>, LedgerError> {
        let row = sqlx::query("SELECT state FROM orders WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| Order {
            id: id.to_string(),
            state: State::parse(&r.get::<String, _>(0)),
            replayed: false,
        }))
    }

    /// Confirms a reservation that has not expired.
    pub async fn confirm(&self, id: &str, now_ms: i64) -> Result<Order, LedgerError> {
        let done = sqlx::query("UPDATE orders SET state = 'confirmed' WHERE id = $1 AND state = 'reserved' AND expires_ms > $2")
            .bind(id)
            .bind(now_ms)
            .execute(&self.pool)
            .await?;
        let order = self.find(id).await?.ok_or(LedgerError::NotFound)?;
        match (done.rows_affected(), order.state) {
            (1, _) | (_, State::Confirmed) => Ok(Order {
                state: State::Confirmed,
                ..order
            }),
            (_, State::Reserved) => {
                // Held past its expiry: release it now rather than wait for the sweep.
                self.expire(now_ms).await?;
                Err(LedgerError::WrongState(State::Expired))
            }
            (_, other) => Err(LedgerError::WrongState(other)),
        }
    }

    /// Cancels an order (reserved or confirmed) and releases its uses.
    pub async fn cancel(&self, id: &str) -> Result<Order, LedgerError> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("UPDATE orders SET state = 'cancelled' WHERE id = $1 AND state IN ('reserved', 'confirmed')")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            drop(tx);
            return match self.find(id).await? {
                None => Err(LedgerError::NotFound),
                Some(o) if o.state == State::Cancelled => Ok(o),
                Some(o) => Err(LedgerError::WrongState(o.state)),
            };
        }
        release(&mut tx, id).await?;
        tx.commit().await?;
        Ok(Order {
            id: id.to_string(),
            state: State::Cancelled,
            replayed: false,
        })
    }

    /// Expires every reservation held past its time and releases its uses; returns how many.
    pub async fn expire(&self, now_ms: i64) -> Result<u64, LedgerError> {
        let ids: Vec<String> =
            sqlx::query("SELECT id FROM orders WHERE state = 'reserved' AND expires_ms <= $1")
                .bind(now_ms)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| r.get::<String, _>(0))
                .collect();
        let mut count = 0;
        for id in ids {
            let mut tx = self.pool.begin().await?;
            // Re-checked inside the transaction: a confirmation may have won meanwhile.
            let done = sqlx::query("UPDATE orders SET state = 'expired' WHERE id = $1 AND state = 'reserved' AND expires_ms <= $2")
                .bind(&id)
                .bind(now_ms)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 1 {
                release(&mut tx, &id).await?;
                count += 1;
            }
            tx.commit().await?;
        }
        Ok(count)
    }

    /// Uses taken of every coupon's global limit, by coupon id (one query).
    pub async fn used_all(&self) -> Result<std::collections::BTreeMap<String, u32>, LedgerError> {
        let rows = sqlx::query("SELECT coupon_id, used FROM coupon_usage")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|r| {
                (
                    r.get::<String, _>(0),
                    u32::try_from(r.get::<i64, _>(1)).unwrap_or(0),
                )
            })
            .collect())
    }

    /// Uses taken by one customer, by coupon id (one query).
    pub async fn used_by_customer(
        &self,
        customer_id: &str,
    ) -> Result<std::collections::BTreeMap<String, u32>, LedgerError> {
        let rows = sqlx::query(
            "SELECT coupon_id, used FROM customer_usage WHERE customer_id = $1 AND used > 0",
        )
        .bind(customer_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| {
                (
                    r.get::<String, _>(0),
                    u32::try_from(r.get::<i64, _>(1)).unwrap_or(0),
                )
            })
            .collect())
    }

    /// Uses taken of a coupon's global limit.
    pub async fn used(&self, coupon_id: &str) -> Result<u32, LedgerError> {
        let row = sqlx::query("SELECT used FROM coupon_usage WHERE coupon_id = $1")
            .bind(coupon_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map_or(0, |r| u32::try_from(r.get::<i64, _>(0)).unwrap_or(0)))
    }

    /// Uses taken by one customer.
    pub async fn used_by(&self, coupon_id: &str, customer_id: &str) -> Result<u32, LedgerError> {
        let row = sqlx::query(
            "SELECT used FROM customer_usage WHERE coupon_id = $1 AND customer_id = $2",
        )
        .bind(coupon_id)
        .bind(customer_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map_or(0, |r| u32::try_from(r.get::<i64, _>(0)).unwrap_or(0)))
    }

    /// Redemptions held by live orders (reserved or confirmed): always equals
    /// [`Ledger::used`], whatever happened (for audits and tests).
    pub async fn live_redemptions(&self, coupon_id: &str) -> Result<u32, LedgerError> {
        let row = sqlx::query(
            "SELECT COUNT(*) FROM redemptions r JOIN orders o ON o.id = r.order_id \
             WHERE r.coupon_id = $1 AND o.state IN ('reserved', 'confirmed')",
        )
        .bind(coupon_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(u32::try_from(row.get::<i64, _>(0)).unwrap_or(0))
    }

    /// Redemptions recorded for confirmed orders of a coupon (for audits and tests).
    pub async fn confirmed_redemptions(&self, coupon_id: &str) -> Result<u32, LedgerError> {
        let row = sqlx::query(
            "SELECT COUNT(*) FROM redemptions r JOIN orders o ON o.id = r.order_id WHERE r.coupon_id = $1 AND o.state = 'confirmed'",
        )
        .bind(coupon_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(u32::try_from(row.get::<i64, _>(0)).unwrap_or(0))
    }
}

/// The id of the order placed under an idempotency key.
pub fn order_id(idempotency_key: &str) -> String {
    format!("ord_{idempotency_key}")
}

/// Gives back the uses an order took (inside the caller's transaction).
async fn release(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    order_id: &str,
) -> Result<(), LedgerError> {
    let rows = sqlx::query(
        "SELECT r.coupon_id, o.customer_id FROM redemptions r JOIN orders o ON o.id = r.order_id WHERE r.order_id = $1",
    )
    .bind(order_id)
    .fetch_all(&mut **tx)
    .await?;
    for row in rows {
        let coupon: String = row.get(0);
        let customer: String = row.get(1);
        sqlx::query("UPDATE coupon_usage SET used = used - 1 WHERE coupon_id = $1 AND used > 0")
            .bind(&coupon)
            .execute(&mut **tx)
            .await?;
        sqlx::query("UPDATE customer_usage SET used = used - 1 WHERE coupon_id = $1 AND customer_id = $2 AND used > 0")
            .bind(&coupon)
            .bind(&customer)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}
