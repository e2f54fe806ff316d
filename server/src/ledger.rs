//! The order ledger: orders, the customer's history they make, and the usage counts.
//! The only place usage limits are enforced.
//!
//! One code path for SQLite (embedded, the default) and PostgreSQL, through sqlx's
//! `Any` driver and portable SQL. A redemption takes a unit of each limit with a
//! conditional upsert, `used = used + 1 WHERE used < limit`, inside the order's
//! transaction: PostgreSQL re-checks the condition after a concurrent commit to the
//! same row, and SQLite has a single writer, so a limit can never be exceeded, however
//! many orders race for its last uses, and however many servers share the database.
//! A customer's open reservations are bounded the same way. Counters exist only for
//! the limits coupons have ([`Ledger::count_limits`]): a coupon without a limit is
//! redeemed without touching a row that every order of that coupon would share.
//!
//! The order row is inserted first in that transaction, so a concurrent retry of the
//! same idempotency key waits on the unique key instead of racing for the uses: it
//! then replays the order that won, and never fails for the order's own redemption.

use std::collections::BTreeMap;
use std::fmt;

use sqlx::any::{install_default_drivers, AnyPoolOptions};
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, AnyPool, Connection, Row};

/// Which database the ledger runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// The ledger: a pool on the shop's database.
#[derive(Clone)]
pub struct Ledger {
    pub(crate) pool: AnyPool,
    backend: Backend,
}

/// One connection of the ledger, held for a sequence of statements: a placement's
/// reads and its transaction share one, so a placement waits for the pool once rather
/// than once per statement, and never holds two connections. (SQLite's pool has one
/// connection: nothing else may wait on the pool while one is held.)
pub struct LedgerConn {
    conn: PoolConnection<Any>,
}

/// A discount to redeem, with the uses left under each of its limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Use {
    /// The coupon.
    pub coupon_id: String,
    /// The amount (decimal string), recorded with the order.
    pub amount: String,
    /// Uses this ledger may hand out in total, if limited (the coupon's global limit
    /// less the redemptions counted outside this ledger).
    pub global_limit: Option<u32>,
    /// Uses this ledger may hand out to the customer, if limited.
    pub per_customer_limit: Option<u32>,
    /// The single-use code of the coupon's batch that the order takes, if it has a batch.
    pub batch_code: Option<String>,
}

/// What one order takes from one campaign's budget, in minor units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spend {
    /// The campaign.
    pub campaign_id: String,
    /// The order's discounts from its coupons.
    pub amount: i64,
    /// The most this ledger may spend of the budget in all (the budget less what was
    /// spent elsewhere).
    pub room: i64,
}

/// The ledger's counts that the published bundle carries: each coupon's global uses,
/// and each campaign's spent budget in minor units.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    /// Global uses by coupon id.
    pub used: BTreeMap<String, u32>,
    /// Spent budget by campaign id.
    pub spent: BTreeMap<String, i64>,
}

/// An order to place, built by the server from its own records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrder {
    /// The signed-in customer.
    pub customer_id: String,
    /// Makes retries safe: the same key and request place the order once.
    pub idempotency_key: String,
    /// A hash of the request the key was first used with.
    pub request_hash: String,
    /// How the customer pays.
    pub payment_method: Option<String>,
    /// Before discounts, shipping included (decimal string).
    pub subtotal: String,
    /// All discounts (decimal string).
    pub discount_total: String,
    /// The total charged (decimal string).
    pub total: String,
    /// The tax in the total (decimal string), when the catalogue has tax rates.
    pub tax: Option<String>,
    /// JSON array: the items as the customer's history records them.
    pub items: String,
    /// JSON array: codes of the coupons applied.
    pub coupon_codes: String,
    /// The discounts it redeems.
    pub uses: Vec<Use>,
    /// What it takes from campaign budgets.
    pub spends: Vec<Spend>,
    /// Now, in milliseconds since the epoch.
    pub now_ms: i64,
    /// How long the reservation holds unless confirmed.
    pub hold_ms: i64,
    /// How many reservations the customer may hold open at once.
    pub max_open: u32,
    /// The ids of the customer's live orders that the recheck counted as history, in
    /// [`Ledger::history`]'s order: the order is placed only while they are still
    /// exactly the customer's live orders ([`LedgerError::HistoryChanged`] otherwise).
    /// `None` places it whatever they are, for a caller that did not read them.
    pub history: Option<Vec<String>>,
    /// JSON: the engine's cart the order is priced on, kept so that a refund of an
    /// order in [`NewOrder::history`] can evaluate this one again at the prices of then.
    /// `None` (or no history) keeps nothing: no refund takes back this order's discounts.
    pub cart: Option<String>,
    /// JSON array: the codes entered with the order, for the same evaluation.
    pub entered_codes: Option<String>,
}

/// The states of an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Uses taken, waiting for confirmation (payment).
    Reserved,
    /// Paid; it stays in the customer's history.
    Confirmed,
    /// Cancelled before confirmation; its uses were released.
    Cancelled,
    /// Not confirmed in time; its uses were released.
    Expired,
    /// Returned after confirmation; its uses were released.
    Refunded,
}

impl State {
    /// The state's name, as stored and answered.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Reserved => "reserved",
            State::Confirmed => "confirmed",
            State::Cancelled => "cancelled",
            State::Expired => "expired",
            State::Refunded => "refunded",
        }
    }

    fn parse(s: &str) -> State {
        match s {
            "confirmed" => State::Confirmed,
            "cancelled" => State::Cancelled,
            "expired" => State::Expired,
            "refunded" => State::Refunded,
            _ => State::Reserved,
        }
    }
}

/// A placed order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    /// The order id (random, made by the server).
    pub id: String,
    /// The customer it belongs to.
    pub customer_id: String,
    /// Its state.
    pub state: State,
    /// True when this call found the order already placed under the same key.
    pub replayed: bool,
    /// How the customer pays.
    pub payment_method: Option<String>,
    /// Before discounts (decimal string).
    pub subtotal: String,
    /// All discounts (decimal string).
    pub discount_total: String,
    /// The total charged (decimal string).
    pub total: String,
    /// The tax in the total (decimal string), when the catalogue has tax rates.
    pub tax: Option<String>,
    /// JSON array of the items.
    pub items: String,
    /// JSON array of the coupon codes applied.
    pub coupon_codes: String,
    /// When it was placed, in milliseconds since the epoch.
    pub created_ms: i64,
    /// When an unconfirmed reservation expires.
    pub expires_ms: i64,
    /// The discounts it redeemed: (coupon id, amount).
    pub redemptions: Vec<(String, String)>,
    /// What its refund paid back, once refunded (`None` before, and for refunds made
    /// before the ledger kept it).
    pub refund: Option<Refund>,
    /// What refunds of the customer's earlier orders took back from this order's
    /// discounts: (the refunded order's id, amount), in the order of those refunds.
    /// Filled by [`Ledger::get`] and [`Ledger::orders_of`].
    pub taken_back: Vec<(String, String)>,
}

/// What a refund pays back: the order's total, plus what earlier refunds took back
/// from its discounts, less the discounts of the customer's later orders that the
/// refund takes back (they counted this order as history).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refund {
    /// Paid back (decimal string).
    pub amount: String,
    /// The discounts taken back, one per later order that lost some.
    pub clawbacks: Vec<Clawback>,
}

/// A later order's discount that a refund takes back: the order no longer earns it
/// without the refunded order in its history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clawback {
    /// The later order.
    pub order_id: String,
    /// Its coupons whose discount shrank or went, by id.
    pub coupon_ids: Vec<String>,
    /// The discount taken back (decimal string).
    pub amount: String,
}

/// A later live order of the customer that counted a refunded order as history, with
/// what evaluating it again takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependent {
    /// The order, with its redemptions.
    pub order: Order,
    /// JSON: the engine's cart it was priced on.
    pub cart: String,
    /// JSON array: the codes entered with it.
    pub entered_codes: String,
    /// The orders its recheck counted that are still live, in the history's order
    /// (the refunded order is not among them).
    pub history: Vec<Order>,
    /// What it took from campaign budgets: (campaign id, minor units).
    pub spends: Vec<(String, i64)>,
    /// The discounts earlier refunds took back from it (decimal strings).
    pub clawed_back: Vec<String>,
}

/// What a refund sees, inside its transaction, once the refunded order has left the
/// history (its uses are left out of the counts, and released after pricing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Returned {
    /// The customer's later live orders whose counted history holds the refunded order,
    /// oldest first.
    pub dependents: Vec<Dependent>,
    /// Every coupon's global uses and every campaign's spent budget, without the
    /// refunded order's.
    pub counts: Counts,
    /// The customer's uses of each coupon in this ledger, without the refunded order's.
    pub customer_usage: BTreeMap<String, u32>,
    /// What earlier refunds took back from the refunded order's own discounts (decimal
    /// strings): the customer paid them after all, so its refund pays them back.
    pub recovered: Vec<String>,
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
    /// The order's discounts do not fit in what is left of a campaign's budget.
    BudgetExhausted {
        /// The campaign.
        campaign_id: String,
    },
    /// A code of a batch that the ledger does not hold, or that another order took.
    CodeUnavailable {
        /// The coupon.
        coupon_id: String,
    },
    /// The customer already holds the most open reservations allowed.
    TooManyReservations(u32),
    /// The customer's live orders changed since the recheck read them (another of
    /// their orders was placed, cancelled or expired meanwhile): evaluate again.
    HistoryChanged,
    /// The idempotency key was used before with another request.
    IdempotencyMismatch,
    /// No such order (or not this customer's).
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
            LedgerError::BudgetExhausted { campaign_id } => {
                write!(
                    f,
                    "the budget of campaign {campaign_id} cannot cover this order"
                )
            }
            LedgerError::CodeUnavailable { coupon_id } => {
                write!(
                    f,
                    "the code for coupon {coupon_id} is not one of its batch, or was used"
                )
            }
            LedgerError::TooManyReservations(n) => {
                write!(f, "at most {n} unconfirmed orders may be open at once")
            }
            LedgerError::IdempotencyMismatch => {
                f.write_str("this idempotency key was used with another request")
            }
            LedgerError::HistoryChanged => {
                f.write_str("the customer's orders changed since they were read")
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

/// A new random order id: `ord_` and 26 lowercase base-32 characters (128 bits).
fn new_order_id() -> Result<String, LedgerError> {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut bytes = [0u8; 17];
    getrandom::fill(&mut bytes).map_err(|e| {
        LedgerError::Database(sqlx::Error::Io(std::io::Error::other(e.to_string())))
    })?;
    // 26 characters of 5 bits take 130 bits: the 17 bytes give 136.
    let mut bits: u128 = u128::from_le_bytes(bytes[..16].try_into().unwrap_or_default());
    let mut id = String::with_capacity(30);
    id.push_str("ord_");
    for i in 0..26 {
        let index = if i == 25 {
            usize::from(bytes[16] & 31)
        } else {
            let v = (bits & 31) as usize;
            bits >>= 5;
            v
        };
        id.push(char::from(ALPHABET[index]));
    }
    Ok(id)
}

const ORDER_COLUMNS: &str =
    "id, customer_id, state, payment_method, subtotal, discount_total, total, \
                             items, coupon_codes, created_ms, expires_ms, request_hash, tax, \
                             refund_amount, refund_clawbacks";

/// A stored refund's clawbacks, from their JSON.
fn clawbacks_from_json(text: &str) -> Vec<Clawback> {
    let entries: Vec<serde_json::Value> = serde_json::from_str(text).unwrap_or_default();
    entries
        .iter()
        .map(|e| Clawback {
            order_id: e["orderId"].as_str().unwrap_or_default().to_string(),
            coupon_ids: e["couponIds"]
                .as_array()
                .map(|ids| {
                    ids.iter()
                        .filter_map(|i| i.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
            amount: e["amount"].as_str().unwrap_or("0").to_string(),
        })
        .collect()
}

fn clawbacks_to_json(clawbacks: &[Clawback]) -> String {
    serde_json::Value::Array(
        clawbacks
            .iter()
            .map(|c| {
                serde_json::json!({"orderId": c.order_id, "couponIds": c.coupon_ids, "amount": c.amount})
            })
            .collect(),
    )
    .to_string()
}

fn order_from_row(row: &sqlx::any::AnyRow) -> (Order, String) {
    (
        Order {
            id: row.get(0),
            customer_id: row.get(1),
            state: State::parse(&row.get::<String, _>(2)),
            replayed: false,
            payment_method: row.get(3),
            subtotal: row.get(4),
            discount_total: row.get(5),
            total: row.get(6),
            items: row.get(7),
            coupon_codes: row.get(8),
            created_ms: row.get(9),
            expires_ms: row.get(10),
            redemptions: Vec::new(),
            tax: row.get(12),
            refund: row.get::<Option<String>, _>(13).map(|amount| Refund {
                amount,
                clawbacks: clawbacks_from_json(
                    &row.get::<Option<String>, _>(14).unwrap_or_default(),
                ),
            }),
            taken_back: Vec::new(),
        },
        row.get(11),
    )
}

impl Ledger {
    /// Connects (`sqlite://path?mode=rwc` or `postgres://…`) and applies the migrations.
    pub async fn connect(url: &str) -> Result<Ledger, LedgerError> {
        Self::connect_with(url, 16).await
    }

    /// Connects with at most `connections` PostgreSQL connections (SQLite always has one).
    pub async fn connect_with(url: &str, connections: u32) -> Result<Ledger, LedgerError> {
        install_default_drivers();
        let backend = if url.starts_with("postgres") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        };
        // SQLite has one writer: one connection serialises transactions instead of
        // failing them with "database is locked".
        let connections = if backend == Backend::Sqlite {
            1
        } else {
            connections.max(1)
        };
        // No round trip to test a connection before each use: a connection the server
        // dropped fails its first statement, which answers 503 like any storage error.
        let pool = AnyPoolOptions::new()
            .max_connections(connections)
            .test_before_acquire(false)
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

    /// Keeps usage counters for exactly these limits: the coupons with a global limit
    /// and those with a per-customer limit. A limit not counted before is counted now
    /// from the live orders' redemptions; a limit no longer there loses its counters.
    /// Run at start, before placements: on PostgreSQL the counters are locked while
    /// this runs, so placements of servers already running the same store wait for it
    /// rather than count beside it. (Servers still running a store without the new
    /// limit do not count it: stop them before starting one with a limit added.)
    pub async fn count_limits(
        &self,
        global: &[&str],
        per_customer: &[&str],
    ) -> Result<(), LedgerError> {
        let mut tx = self.pool.begin().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("LOCK TABLE coupon_usage, customer_usage IN SHARE ROW EXCLUSIVE MODE")
                .execute(&mut *tx)
                .await?;
        }
        let counted: Vec<(String, String)> =
            sqlx::query("SELECT coupon_id, scope FROM counted_limits")
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| (r.get(0), r.get(1)))
                .collect();
        let wanted: Vec<(&str, &str)> = global
            .iter()
            .map(|c| (*c, "global"))
            .chain(per_customer.iter().map(|c| (*c, "customer")))
            .collect();
        let table = |scope: &str| {
            if scope == "global" {
                "coupon_usage"
            } else {
                "customer_usage"
            }
        };
        for (coupon, scope) in &counted {
            if !wanted.contains(&(coupon.as_str(), scope.as_str())) {
                drop_counters(&mut tx, table(scope), coupon).await?;
                sqlx::query("DELETE FROM counted_limits WHERE coupon_id = $1 AND scope = $2")
                    .bind(coupon)
                    .bind(scope)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        for (coupon, scope) in wanted {
            if counted.iter().any(|(c, s)| c == coupon && s == scope) {
                continue;
            }
            drop_counters(&mut tx, table(scope), coupon).await?;
            let (columns, group) = if scope == "global" {
                ("coupon_id, used", "r.coupon_id")
            } else {
                ("coupon_id, customer_id, used", "r.coupon_id, o.customer_id")
            };
            sqlx::query(&format!(
                "INSERT INTO {} ({columns}) SELECT {group}, COUNT(*) FROM redemptions r \
                 JOIN orders o ON o.id = r.order_id \
                 WHERE r.coupon_id = $1 AND o.state IN ('reserved', 'confirmed') GROUP BY {group}",
                table(scope)
            ))
            .bind(coupon)
            .execute(&mut *tx)
            .await?;
            sqlx::query("INSERT INTO counted_limits (coupon_id, scope) VALUES ($1, $2)")
                .bind(coupon)
                .bind(scope)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The database in use.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Places an order as a reservation: takes one use of every limit of every
    /// discount and one of the customer's open reservations, or nothing. The same
    /// customer, key and request hash return the order already placed (`replayed`);
    /// the same key with another hash is [`LedgerError::IdempotencyMismatch`].
    pub async fn place(&self, order: &NewOrder) -> Result<Order, LedgerError> {
        self.conn().await?.place(order).await
    }

    /// A connection for a sequence of statements, such as one placement's reads and
    /// its transaction.
    pub async fn conn(&self) -> Result<LedgerConn, LedgerError> {
        Ok(LedgerConn {
            conn: self.pool.acquire().await?,
        })
    }

    /// The order a customer placed under a key, if the request hash matches.
    pub async fn find_by_key(
        &self,
        customer_id: &str,
        key: &str,
        request_hash: &str,
    ) -> Result<Option<Order>, LedgerError> {
        self.conn()
            .await?
            .find_by_key(customer_id, key, request_hash)
            .await
    }

    /// The order with this id, if it belongs to this customer.
    pub async fn get(&self, id: &str, customer_id: &str) -> Result<Order, LedgerError> {
        let row = sqlx::query(&format!(
            "SELECT {ORDER_COLUMNS} FROM orders WHERE id = $1 AND customer_id = $2"
        ))
        .bind(id)
        .bind(customer_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(LedgerError::NotFound)?;
        let mut conn = self.pool.acquire().await?;
        let mut order = with_redemptions(&mut conn, order_from_row(&row).0).await?;
        order.taken_back = taken_back(&mut conn, customer_id)
            .await?
            .remove(id)
            .unwrap_or_default();
        Ok(order)
    }

    /// The customer's orders in every state, newest first, at most `limit`, each with
    /// its redemptions (as [`Ledger::get`] reads one): two queries, whatever the count.
    pub async fn orders_of(
        &self,
        customer_id: &str,
        limit: u32,
    ) -> Result<Vec<Order>, LedgerError> {
        let mut conn = self.pool.acquire().await?;
        let mut orders: Vec<Order> = sqlx::query(&format!(
            "SELECT {ORDER_COLUMNS} FROM orders WHERE customer_id = $1 \
             ORDER BY created_ms DESC, id DESC LIMIT {limit}"
        ))
        .bind(customer_id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| order_from_row(r).0)
        .collect();
        let at: BTreeMap<String, usize> = orders
            .iter()
            .enumerate()
            .map(|(i, o)| (o.id.clone(), i))
            .collect();
        for row in sqlx::query(
            "SELECT r.order_id, r.coupon_id, r.amount FROM redemptions r \
             JOIN orders o ON o.id = r.order_id WHERE o.customer_id = $1 ORDER BY r.coupon_id",
        )
        .bind(customer_id)
        .fetch_all(&mut *conn)
        .await?
        {
            if let Some(&i) = at.get(&row.get::<String, _>(0)) {
                orders[i].redemptions.push((row.get(1), row.get(2)));
            }
        }
        for (id, taken) in taken_back(&mut conn, customer_id).await? {
            if let Some(&i) = at.get(&id) {
                orders[i].taken_back = taken;
            }
        }
        Ok(orders)
    }

    /// The customer's live orders (reserved or confirmed), oldest first: the history
    /// the summary and the recheck see.
    pub async fn history(&self, customer_id: &str) -> Result<Vec<Order>, LedgerError> {
        history(&mut *self.pool.acquire().await?, customer_id).await
    }

    /// Confirms the customer's reservation if it has not expired.
    pub async fn confirm(
        &self,
        id: &str,
        customer_id: &str,
        now_ms: i64,
    ) -> Result<Order, LedgerError> {
        let order = self.get(id, customer_id).await?;
        match order.state {
            State::Confirmed => return Ok(order),
            State::Reserved if order.expires_ms <= now_ms => {
                // Held past its expiry: release it now rather than wait for the sweep.
                self.expire(now_ms).await?;
                return Err(LedgerError::WrongState(State::Expired));
            }
            State::Reserved => {}
            other => return Err(LedgerError::WrongState(other)),
        }
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE orders SET state = 'confirmed' WHERE id = $1 AND state = 'reserved' AND expires_ms > $2",
        )
        .bind(id)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            // Another request moved it first: answer what it became.
            drop(tx);
            let now = self.get(id, customer_id).await?;
            return match now.state {
                State::Confirmed => Ok(now),
                other => Err(LedgerError::WrongState(other)),
            };
        }
        release_hold(&mut tx, customer_id).await?;
        tx.commit().await?;
        Ok(Order {
            state: State::Confirmed,
            ..order
        })
    }

    /// Cancels the customer's reservation and releases its uses. A confirmed order is
    /// returned through [`Ledger::refund`], never cancelled.
    pub async fn cancel(&self, id: &str, customer_id: &str) -> Result<Order, LedgerError> {
        let order = self.get(id, customer_id).await?;
        if order.state == State::Cancelled {
            return Ok(order);
        }
        if order.state != State::Reserved {
            return Err(LedgerError::WrongState(order.state));
        }
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE orders SET state = 'cancelled' WHERE id = $1 AND state = 'reserved'",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            drop(tx);
            let now = self.get(id, customer_id).await?;
            return if now.state == State::Cancelled {
                Ok(now)
            } else {
                Err(LedgerError::WrongState(now.state))
            };
        }
        // The customer's holds row before the usage counters, as a placement takes
        // them, so the two never wait on each other's rows in opposite orders.
        release_hold(&mut tx, customer_id).await?;
        release(&mut tx, id, customer_id).await?;
        tx.commit().await?;
        Ok(Order {
            state: State::Cancelled,
            ..order
        })
    }

    /// Returns the customer's confirmed order and pays back its whole total, taking
    /// back nothing from later orders (nor adding what earlier refunds took from its
    /// own discounts): for a caller without an engine to evaluate them again. The
    /// order server refunds through [`Ledger::refund_with`].
    pub async fn refund(&self, id: &str, customer_id: &str) -> Result<Order, LedgerError> {
        self.refund_with(id, customer_id, |order, _| {
            Ok::<_, LedgerError>(Refund {
                amount: order.total.clone(),
                clawbacks: Vec::new(),
            })
        })
        .await
    }

    /// Returns the customer's confirmed order: it leaves the history, `price` decides,
    /// from what the refund sees ([`Returned`]: the later live orders that counted it
    /// as history, the counts without its uses), what it pays back, and then its uses
    /// are released. All in one transaction that holds the customer's history, so no
    /// placement or other refund of theirs changes it meanwhile. `price` runs before
    /// the release, so the rows every placement of a coupon or campaign shares are not
    /// locked while it does; refused, the transaction rolls back. The answer is kept
    /// with the order: refunding it again answers the same, and takes nothing back a
    /// second time.
    pub async fn refund_with<E: From<LedgerError>>(
        &self,
        id: &str,
        customer_id: &str,
        price: impl FnOnce(&Order, &Returned) -> Result<Refund, E>,
    ) -> Result<Order, E> {
        let order = self.get(id, customer_id).await?;
        match order.state {
            State::Refunded => return Ok(order),
            State::Confirmed => {}
            other => return Err(LedgerError::WrongState(other).into()),
        }
        let mut tx = self.pool.begin().await.map_err(LedgerError::from)?;
        // The customer's holds row first, as a placement takes it before anything it
        // reads of their history: written without a change, it holds their live orders
        // (see LedgerConn::place) until this refund commits.
        sqlx::query("UPDATE customer_holds SET used = used WHERE customer_id = $1")
            .bind(customer_id)
            .execute(&mut *tx)
            .await
            .map_err(LedgerError::from)?;
        let done = sqlx::query(
            "UPDATE orders SET state = 'refunded' WHERE id = $1 AND state = 'confirmed'",
        )
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(LedgerError::from)?;
        if done.rows_affected() == 0 {
            // Another request moved it first: answer what it became.
            drop(tx);
            let now = self.get(id, customer_id).await?;
            return if now.state == State::Refunded {
                Ok(now)
            } else {
                Err(LedgerError::WrongState(now.state).into())
            };
        }
        let returned = returned(&mut tx, &order).await?;
        let refund = price(&order, &returned)?;
        release(&mut tx, id, customer_id).await?;
        sqlx::query("UPDATE orders SET refund_amount = $1, refund_clawbacks = $2 WHERE id = $3")
            .bind(&refund.amount)
            .bind(clawbacks_to_json(&refund.clawbacks))
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(LedgerError::from)?;
        tx.commit().await.map_err(LedgerError::from)?;
        Ok(Order {
            state: State::Refunded,
            refund: Some(refund),
            ..order
        })
    }

    /// Expires every reservation held past its time and releases its uses; returns how many.
    pub async fn expire(&self, now_ms: i64) -> Result<u64, LedgerError> {
        let rows = sqlx::query(
            "SELECT id, customer_id FROM orders WHERE state = 'reserved' AND expires_ms <= $1",
        )
        .bind(now_ms)
        .fetch_all(&self.pool)
        .await?;
        let mut count = 0;
        for row in rows {
            let (id, customer): (String, String) = (row.get(0), row.get(1));
            let mut tx = self.pool.begin().await?;
            // Re-checked inside the transaction: a confirmation may have won meanwhile.
            let done = sqlx::query("UPDATE orders SET state = 'expired' WHERE id = $1 AND state = 'reserved' AND expires_ms <= $2")
                .bind(&id)
                .bind(now_ms)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 1 {
                release_hold(&mut tx, &customer).await?;
                release(&mut tx, &id, &customer).await?;
                count += 1;
            }
            tx.commit().await?;
        }
        Ok(count)
    }

    /// Uses taken of every coupon's global limit, by coupon id (one query).
    pub async fn used_all(&self) -> Result<BTreeMap<String, u32>, LedgerError> {
        used_all(&mut *self.pool.acquire().await?).await
    }

    /// Every coupon's global uses and every campaign's spent budget.
    pub async fn counts(&self) -> Result<Counts, LedgerError> {
        counts_now(&mut *self.pool.acquire().await?).await
    }

    /// Adds the codes of a coupon's batch (codes it holds already stay as they are);
    /// returns how many were new.
    pub async fn store_codes(&self, coupon_id: &str, codes: &[String]) -> Result<u64, LedgerError> {
        // Many rows per statement: a batch is loaded at every start, and a statement
        // per code spends that time on round trips. SQLite slows down with very many
        // parameters in one statement, so a thousand rows (measured in
        // docs/benchmarks.md), far below either database's limit on parameters.
        const ROWS_PER_STATEMENT: usize = 1_000;
        let mut tx = self.pool.begin().await?;
        let mut added = 0;
        for chunk in codes.chunks(ROWS_PER_STATEMENT) {
            // `$n` placeholders, as every statement here writes them (sqlx's
            // QueryBuilder writes `?` for `Any`, which PostgreSQL refuses). The coupon
            // is `$1` in every row.
            let mut sql = String::from("INSERT INTO batch_codes (coupon_id, code) VALUES ");
            for i in 0..chunk.len() {
                let sep = if i == 0 { "" } else { ", " };
                sql.push_str(&format!("{sep}($1, ${})", i + 2));
            }
            sql.push_str(" ON CONFLICT DO NOTHING");
            let mut insert = sqlx::query(&sql).bind(coupon_id);
            for code in chunk {
                insert = insert.bind(code);
            }
            added += insert.execute(&mut *tx).await?.rows_affected();
        }
        tx.commit().await?;
        Ok(added)
    }

    /// Uses taken by one customer, by coupon id (one query).
    pub async fn used_by_customer(
        &self,
        customer_id: &str,
    ) -> Result<BTreeMap<String, u32>, LedgerError> {
        used_by_customer(&mut *self.pool.acquire().await?, customer_id).await
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
        Ok(self
            .used_by_customer(customer_id)
            .await?
            .get(coupon_id)
            .copied()
            .unwrap_or(0))
    }

    /// Reservations the customer holds open.
    pub async fn open_reservations(&self, customer_id: &str) -> Result<u32, LedgerError> {
        let row = sqlx::query("SELECT used FROM customer_holds WHERE customer_id = $1")
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

impl LedgerConn {
    /// The order the customer placed under a key, marked replayed, if the request hash
    /// matches; [`LedgerError::IdempotencyMismatch`] when it does not.
    pub async fn find_by_key(
        &mut self,
        customer_id: &str,
        key: &str,
        request_hash: &str,
    ) -> Result<Option<Order>, LedgerError> {
        let row = sqlx::query(&format!(
            "SELECT {ORDER_COLUMNS} FROM orders WHERE customer_id = $1 AND idempotency_key = $2"
        ))
        .bind(customer_id)
        .bind(key)
        .fetch_optional(&mut *self.conn)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let (order, hash) = order_from_row(&row);
        if hash != request_hash {
            return Err(LedgerError::IdempotencyMismatch);
        }
        let mut order = with_redemptions(&mut self.conn, order).await?;
        order.replayed = true;
        Ok(Some(order))
    }

    /// See [`Ledger::history`].
    pub async fn history(&mut self, customer_id: &str) -> Result<Vec<Order>, LedgerError> {
        history(&mut self.conn, customer_id).await
    }

    /// See [`Ledger::used_all`].
    pub async fn used_all(&mut self) -> Result<BTreeMap<String, u32>, LedgerError> {
        used_all(&mut self.conn).await
    }

    /// See [`Ledger::counts`].
    pub async fn counts(&mut self) -> Result<Counts, LedgerError> {
        counts_now(&mut self.conn).await
    }

    /// See [`Ledger::used_by_customer`].
    pub async fn used_by_customer(
        &mut self,
        customer_id: &str,
    ) -> Result<BTreeMap<String, u32>, LedgerError> {
        used_by_customer(&mut self.conn, customer_id).await
    }

    /// See [`Ledger::place`]. The order row goes first, so a concurrent retry of the
    /// same key fails on the unique key before it takes anything and replays the order
    /// that won. Counters are taken in coupon order, so two orders never wait on each
    /// other's rows in opposite orders, and the global counters (the rows every
    /// placement of a coupon shares) last, so each is locked for the shortest time.
    pub async fn place(&mut self, order: &NewOrder) -> Result<Order, LedgerError> {
        let id = new_order_id()?;
        let mut tx = self.conn.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO orders (id, customer_id, idempotency_key, request_hash, state, payment_method, \
             subtotal, discount_total, total, items, coupon_codes, created_ms, expires_ms, tax, \
             counted_history, cart, entered_codes) \
             VALUES ($1, $2, $3, $4, 'reserved', $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
        )
        .bind(&id)
        .bind(&order.customer_id)
        .bind(&order.idempotency_key)
        .bind(&order.request_hash)
        .bind(&order.payment_method)
        .bind(&order.subtotal)
        .bind(&order.discount_total)
        .bind(&order.total)
        .bind(&order.items)
        .bind(&order.coupon_codes)
        .bind(order.now_ms)
        .bind(order.now_ms + order.hold_ms)
        .bind(&order.tax)
        .bind(
            order
                .history
                .as_ref()
                .map(|ids| serde_json::Value::from(ids.clone()).to_string()),
        )
        .bind(&order.cart)
        .bind(&order.entered_codes)
        .execute(&mut *tx)
        .await;
        match inserted {
            // The key is taken: by an earlier try of this request, or by a concurrent
            // one that won the race. Its order stands.
            Err(e) if is_unique_violation(&e) => {
                tx.rollback().await?;
                return self
                    .find_by_key(
                        &order.customer_id,
                        &order.idempotency_key,
                        &order.request_hash,
                    )
                    .await?
                    .ok_or(LedgerError::NotFound);
            }
            other => other?,
        };
        take(
            &mut tx,
            Counter::Holds(&order.customer_id),
            Some(order.max_open),
        )
        .await?
        .then_some(())
        .ok_or(LedgerError::TooManyReservations(order.max_open))?;
        if let Some(seen) = &order.history {
            // The customer's holds row is now locked until this transaction ends, and
            // everything that changes their live orders (placing, confirming, cancelling,
            // expiring, refunding) writes it: they cannot change before the commit, so
            // this read is the history the order joins. A placement that raced this one
            // and committed first shows here: a first order, read before it, is not one.
            let live: Vec<String> = sqlx::query(
                "SELECT id FROM orders WHERE customer_id = $1 AND id <> $2 \
                 AND state IN ('reserved', 'confirmed') ORDER BY created_ms, id",
            )
            .bind(&order.customer_id)
            .bind(&id)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
            if live != *seen {
                return Err(LedgerError::HistoryChanged);
            }
        }
        let mut uses: Vec<&Use> = order.uses.iter().collect();
        uses.sort_by(|a, b| a.coupon_id.cmp(&b.coupon_id));
        for u in &uses {
            if !take(
                &mut tx,
                Counter::CustomerCoupon(&u.coupon_id, &order.customer_id),
                u.per_customer_limit,
            )
            .await?
            {
                return Err(LedgerError::LimitReached {
                    coupon_id: u.coupon_id.clone(),
                    scope: "customer",
                });
            }
            sqlx::query(
                "INSERT INTO redemptions (order_id, coupon_id, amount) VALUES ($1, $2, $3)",
            )
            .bind(&id)
            .bind(&u.coupon_id)
            .bind(&u.amount)
            .execute(&mut *tx)
            .await?;
        }
        let mut spends: Vec<&Spend> = order.spends.iter().collect();
        spends.sort_by(|a, b| a.campaign_id.cmp(&b.campaign_id));
        for s in spends {
            spend(&mut tx, &id, s).await?;
        }
        for u in &uses {
            let Some(code) = &u.batch_code else { continue };
            let taken = sqlx::query(
                "UPDATE batch_codes SET order_id = $1 WHERE coupon_id = $2 AND code = $3 AND order_id IS NULL",
            )
            .bind(&id)
            .bind(&u.coupon_id)
            .bind(code)
            .execute(&mut *tx)
            .await?;
            if taken.rows_affected() != 1 {
                return Err(LedgerError::CodeUnavailable {
                    coupon_id: u.coupon_id.clone(),
                });
            }
        }
        for u in &uses {
            if !take(&mut tx, Counter::Coupon(&u.coupon_id), u.global_limit).await? {
                return Err(LedgerError::LimitReached {
                    coupon_id: u.coupon_id.clone(),
                    scope: "global",
                });
            }
        }
        tx.commit().await?;
        Ok(Order {
            id,
            customer_id: order.customer_id.clone(),
            state: State::Reserved,
            replayed: false,
            payment_method: order.payment_method.clone(),
            subtotal: order.subtotal.clone(),
            discount_total: order.discount_total.clone(),
            total: order.total.clone(),
            tax: order.tax.clone(),
            items: order.items.clone(),
            coupon_codes: order.coupon_codes.clone(),
            created_ms: order.now_ms,
            expires_ms: order.now_ms + order.hold_ms,
            redemptions: order
                .uses
                .iter()
                .map(|u| (u.coupon_id.clone(), u.amount.clone()))
                .collect(),
            refund: None,
            taken_back: Vec::new(),
        })
    }
}

async fn with_redemptions(
    conn: &mut AnyConnection,
    mut order: Order,
) -> Result<Order, LedgerError> {
    order.redemptions = sqlx::query(
        "SELECT coupon_id, amount FROM redemptions WHERE order_id = $1 ORDER BY coupon_id",
    )
    .bind(&order.id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect();
    Ok(order)
}

/// What the customer's refunds took back from their other orders' discounts, by the
/// order they took it from: (the refunded order's id, amount), oldest refund first.
async fn taken_back(
    conn: &mut AnyConnection,
    customer_id: &str,
) -> Result<BTreeMap<String, Vec<(String, String)>>, LedgerError> {
    let mut taken: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for row in sqlx::query(
        "SELECT id, refund_clawbacks FROM orders WHERE customer_id = $1 AND state = 'refunded' \
         AND refund_clawbacks IS NOT NULL ORDER BY created_ms, id",
    )
    .bind(customer_id)
    .fetch_all(&mut *conn)
    .await?
    {
        let by: String = row.get(0);
        for c in clawbacks_from_json(&row.get::<String, _>(1)) {
            taken
                .entry(c.order_id)
                .or_default()
                .push((by.clone(), c.amount));
        }
    }
    Ok(taken)
}

async fn history(conn: &mut AnyConnection, customer_id: &str) -> Result<Vec<Order>, LedgerError> {
    Ok(sqlx::query(&format!(
        "SELECT {ORDER_COLUMNS} FROM orders WHERE customer_id = $1 \
         AND state IN ('reserved', 'confirmed') ORDER BY created_ms, id"
    ))
    .bind(customer_id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| order_from_row(r).0)
    .collect())
}

/// What a refund of `refunded` sees inside its transaction, after the refunded order
/// left the customer's live orders: see [`Returned`].
async fn returned(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    refunded: &Order,
) -> Result<Returned, LedgerError> {
    let customer_id = &refunded.customer_id;
    let live = history(tx, customer_id).await?;
    let counted: Vec<(String, String, String, String)> = sqlx::query(
        "SELECT id, counted_history, cart, entered_codes FROM orders WHERE customer_id = $1 \
         AND state IN ('reserved', 'confirmed') AND counted_history IS NOT NULL \
         AND cart IS NOT NULL AND entered_codes IS NOT NULL ORDER BY created_ms, id",
    )
    .bind(customer_id)
    .fetch_all(&mut **tx)
    .await?
    .iter()
    .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
    .collect();
    // What earlier refunds of the customer took back, by the order they took it from.
    let mut clawed_back: BTreeMap<String, Vec<String>> = taken_back(tx, customer_id)
        .await?
        .into_iter()
        .map(|(id, taken)| (id, taken.into_iter().map(|(_, amount)| amount).collect()))
        .collect();
    let mut dependents = Vec::new();
    for (id, history_ids, cart, entered_codes) in counted {
        let ids: Vec<String> = serde_json::from_str(&history_ids)
            .map_err(|e| sqlx::Error::Decode(format!("order {id}: counted history: {e}").into()))?;
        if !ids.contains(&refunded.id) {
            continue;
        }
        let Some(order) = live.iter().find(|o| o.id == id).cloned() else {
            continue;
        };
        let order = with_redemptions(tx, order).await?;
        let spends =
            sqlx::query("SELECT campaign_id, amount FROM budget_spends WHERE order_id = $1")
                .bind(&id)
                .fetch_all(&mut **tx)
                .await?
                .iter()
                .map(|r| (r.get(0), r.get(1)))
                .collect();
        dependents.push(Dependent {
            order,
            cart,
            entered_codes,
            // Orders cancelled, expired or refunded since are gone from the live ones.
            history: ids
                .iter()
                .filter_map(|i| live.iter().find(|o| &o.id == i).cloned())
                .collect(),
            spends,
            clawed_back: clawed_back.remove(&id).unwrap_or_default(),
        });
    }
    // The refunded order's uses are released after pricing (see Ledger::refund_with):
    // they are left out here as the release will leave them out.
    let mut counts = counts_now(tx).await?;
    let mut customer_usage = used_by_customer(tx, customer_id).await?;
    for (coupon, _) in &refunded.redemptions {
        for used in [&mut counts.used, &mut customer_usage] {
            if let Some(n) = used.get_mut(coupon) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    used.remove(coupon);
                }
            }
        }
    }
    for row in sqlx::query("SELECT campaign_id, amount FROM budget_spends WHERE order_id = $1")
        .bind(&refunded.id)
        .fetch_all(&mut **tx)
        .await?
    {
        let (campaign, amount): (String, i64) = (row.get(0), row.get(1));
        if let Some(n) = counts.spent.get_mut(&campaign) {
            *n -= amount;
            if *n <= 0 {
                counts.spent.remove(&campaign);
            }
        }
    }
    Ok(Returned {
        dependents,
        counts,
        customer_usage,
        recovered: clawed_back.remove(&refunded.id).unwrap_or_default(),
    })
}

/// Takes `s.amount` of a campaign's budget for order `order_id`, if it fits in
/// `s.room`; one conditional update, so racing orders never overspend.
async fn spend(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    order_id: &str,
    s: &Spend,
) -> Result<(), LedgerError> {
    sqlx::query(
        "INSERT INTO campaign_budgets (campaign_id, spent) VALUES ($1, 0) ON CONFLICT DO NOTHING",
    )
    .bind(&s.campaign_id)
    .execute(&mut **tx)
    .await?;
    let taken = sqlx::query(
        "UPDATE campaign_budgets SET spent = spent + $1 WHERE campaign_id = $2 AND spent + $1 <= $3",
    )
    .bind(s.amount)
    .bind(&s.campaign_id)
    .bind(s.room)
    .execute(&mut **tx)
    .await?;
    if taken.rows_affected() != 1 {
        return Err(LedgerError::BudgetExhausted {
            campaign_id: s.campaign_id.clone(),
        });
    }
    sqlx::query("INSERT INTO budget_spends (order_id, campaign_id, amount) VALUES ($1, $2, $3)")
        .bind(order_id)
        .bind(&s.campaign_id)
        .bind(s.amount)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn counts_now(conn: &mut AnyConnection) -> Result<Counts, LedgerError> {
    let used = used_all(&mut *conn).await?;
    let spent = sqlx::query("SELECT campaign_id, spent FROM campaign_budgets WHERE spent > 0")
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    Ok(Counts { used, spent })
}

async fn used_all(conn: &mut AnyConnection) -> Result<BTreeMap<String, u32>, LedgerError> {
    let rows = sqlx::query("SELECT coupon_id, used FROM coupon_usage WHERE used > 0")
        .fetch_all(&mut *conn)
        .await?;
    Ok(counts(&rows))
}

async fn used_by_customer(
    conn: &mut AnyConnection,
    customer_id: &str,
) -> Result<BTreeMap<String, u32>, LedgerError> {
    let rows = sqlx::query(
        "SELECT coupon_id, used FROM customer_usage WHERE customer_id = $1 AND used > 0",
    )
    .bind(customer_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(counts(&rows))
}

fn counts(rows: &[sqlx::any::AnyRow]) -> BTreeMap<String, u32> {
    rows.iter()
        .map(|r| {
            (
                r.get::<String, _>(0),
                u32::try_from(r.get::<i64, _>(1)).unwrap_or(0),
            )
        })
        .collect()
}

/// A counter row of `used` units, under a limit or not.
#[derive(Clone, Copy)]
enum Counter<'a> {
    /// A coupon's uses by everyone.
    Coupon(&'a str),
    /// A coupon's uses by one customer.
    CustomerCoupon(&'a str, &'a str),
    /// A customer's open reservations.
    Holds(&'a str),
}

/// Takes one unit of a counter in one statement: the row is created holding one unit,
/// or, when it exists, incremented only while `used < limit`. PostgreSQL evaluates the
/// `WHERE` of `ON CONFLICT DO UPDATE` on the row's latest committed version with the
/// row locked, and SQLite has one writer, so concurrent takers never pass a limit.
/// Returns whether a unit was taken.
async fn take(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    counter: Counter<'_>,
    limit: Option<u32>,
) -> Result<bool, LedgerError> {
    let limit = match (counter, limit) {
        (_, Some(0)) => return Ok(false),
        // Only limits are counted (see Ledger::count_limits).
        (Counter::Coupon(_) | Counter::CustomerCoupon(..), None) => return Ok(true),
        (_, limit) => limit.map_or(-1, i64::from),
    };
    let done = match counter {
        Counter::Coupon(coupon) => sqlx::query(
            "INSERT INTO coupon_usage (coupon_id, used) VALUES ($1, 1) ON CONFLICT (coupon_id) \
             DO UPDATE SET used = coupon_usage.used + 1 WHERE $2 < 0 OR coupon_usage.used < $2",
        )
        .bind(coupon)
        .bind(limit),
        Counter::CustomerCoupon(coupon, customer) => sqlx::query(
            "INSERT INTO customer_usage (coupon_id, customer_id, used) VALUES ($1, $2, 1) \
             ON CONFLICT (coupon_id, customer_id) \
             DO UPDATE SET used = customer_usage.used + 1 WHERE $3 < 0 OR customer_usage.used < $3",
        )
        .bind(coupon)
        .bind(customer)
        .bind(limit),
        Counter::Holds(customer) => sqlx::query(
            "INSERT INTO customer_holds (customer_id, used) VALUES ($1, 1) ON CONFLICT (customer_id) \
             DO UPDATE SET used = customer_holds.used + 1 WHERE $2 < 0 OR customer_holds.used < $2",
        )
        .bind(customer)
        .bind(limit),
    }
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Removes a coupon's counters from `table` (`coupon_usage` or `customer_usage`).
async fn drop_counters(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    table: &str,
    coupon_id: &str,
) -> Result<(), LedgerError> {
    sqlx::query(&format!("DELETE FROM {table} WHERE coupon_id = $1"))
        .bind(coupon_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Gives back the customer's hold on one open reservation.
async fn release_hold(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    customer_id: &str,
) -> Result<(), LedgerError> {
    sqlx::query("UPDATE customer_holds SET used = used - 1 WHERE customer_id = $1 AND used > 0")
        .bind(customer_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Gives back the uses an order took (inside the caller's transaction), taking the
/// rows in the order a placement takes them (see LedgerConn::place): the customer's
/// counters by coupon, the campaign budgets by campaign, the codes, then the global
/// counters by coupon. A release and a placement then never wait on each other's rows
/// in opposite orders, which PostgreSQL would break as a deadlock.
async fn release(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    order_id: &str,
    customer_id: &str,
) -> Result<(), LedgerError> {
    let coupons: Vec<String> =
        sqlx::query("SELECT coupon_id FROM redemptions WHERE order_id = $1 ORDER BY coupon_id")
            .bind(order_id)
            .fetch_all(&mut **tx)
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
    let spends: Vec<(String, i64)> = sqlx::query(
        "SELECT campaign_id, amount FROM budget_spends WHERE order_id = $1 ORDER BY campaign_id",
    )
    .bind(order_id)
    .fetch_all(&mut **tx)
    .await?
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect();
    for coupon in &coupons {
        sqlx::query("UPDATE customer_usage SET used = used - 1 WHERE coupon_id = $1 AND customer_id = $2 AND used > 0")
            .bind(coupon)
            .bind(customer_id)
            .execute(&mut **tx)
            .await?;
    }
    for (campaign, amount) in spends {
        sqlx::query("UPDATE campaign_budgets SET spent = spent - $1 WHERE campaign_id = $2")
            .bind(amount)
            .bind(&campaign)
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query("DELETE FROM budget_spends WHERE order_id = $1")
        .bind(order_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("UPDATE batch_codes SET order_id = NULL WHERE order_id = $1")
        .bind(order_id)
        .execute(&mut **tx)
        .await?;
    for coupon in &coupons {
        sqlx::query("UPDATE coupon_usage SET used = used - 1 WHERE coupon_id = $1 AND used > 0")
            .bind(coupon)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}
