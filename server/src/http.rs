//! The HTTP API. The server decides: it builds every cart from its own catalogue, takes
//! the customer from the signed-in session, and counts the customer's history and
//! usage from its own ledger. What a client sends is a request; its claimed result is
//! compared with the server's own. Bad input always gets a 4xx with
//! `{code, path, message}`, storage trouble a generic 503, never a 500.
//!
//! | route | who | what |
//! |---|---|---|
//! | `GET /.well-known/jwks.json` | anyone | the verification keys |
//! | `GET /api/bundle` | anyone | `{token}`: the signed coupon bundle (current global counts, hidden codes concealed) and the catalogue |
//! | `GET /api/customers` | anyone | the demo personas, `[{customerId, label}]` |
//! | `POST /api/session`, `GET`, `DELETE` | demo | sign in as a customer of the store (the persona picker), who am I, sign out |
//! | `GET /api/customers/{id}/summary` | that customer | `{token}`: their signed summary, with their history and usage counts |
//! | `POST /api/orders` | signed in | build the cart, recheck the claim, reserve the redemptions (idempotent per customer and key) |
//! | `GET /api/orders` | signed in | their own orders of this ledger, every state, newest first, at most [`MAX_LISTED`] |
//! | `GET /api/orders/{id}` | its customer | the order |
//! | `POST /api/orders/{id}/confirm`, `/cancel`, `/refund` | its customer | confirm or cancel a reservation; return a confirmed order, paying back its total less the discounts later orders lose without it |
//! | `GET /*` | anyone | the demo storefront (`www/`) and the package (`/pkg`) |

use std::collections::BTreeMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::error_handling::HandleErrorLayer;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use coupon_engine::json::{to_json, FromJson, ToJson};
use coupon_engine::model::{Bundle, Context, Customer, Order as PastOrder, OrderItem, Timestamp};
use coupon_engine::money::{Amount, Money};
use coupon_engine::recheck::Claim;
use coupon_engine::signing::{self, Jwk, Jwks};
use coupon_engine::{read_json, Engine};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::auth::{Authenticate, CookieSessions};
use crate::catalogue::{CartError, Listing, Wanted};
use crate::ledger::{
    Clawback, Counts, Ledger, LedgerConn, LedgerError, NewOrder, Order, Refund, Returned, Spend,
    Use,
};

/// Largest request body accepted (a cart at the engine's line limit fits well inside).
pub const MAX_BODY: usize = 512 * 1024;

/// The most characters an id from a client may have (keys, product and order ids).
pub const MAX_ID: usize = 128;

/// The most orders `GET /api/orders` lists: the newest ones (a storefront's "your
/// orders" page, not an export).
pub const MAX_LISTED: u32 = 50;

/// How long the catalogue held in memory is used before the server asks the database
/// whether it changed (one row, `catalogue_version`): a price changed through the
/// ledger applies to placements and the signed catalogue within this time.
pub const CATALOGUE_MAX_AGE: Duration = Duration::from_secs(1);

/// What the server knows and how it guards itself.
pub struct Shop {
    /// Coupon definitions as the merchant wrote them (the global counts are added
    /// from the ledger).
    pub bundle: Bundle,
    /// The customers' records from outside this ledger (imported history, segments,
    /// courses, usage counted elsewhere), by id. A signed-in customer with no record
    /// starts with an empty history.
    pub customers: BTreeMap<String, Customer>,
    /// The private signing key.
    pub key: Jwk,
    /// The orders, history, usage counts and catalogue.
    pub ledger: Ledger,
    /// Tells who sent a request.
    pub auth: Arc<dyn Authenticate>,
    /// The demo's sign-in (`POST /api/session`), when enabled.
    pub sign_in: Option<Arc<CookieSessions>>,
    /// Salt for the hashes of hidden coupons' codes in the public bundle.
    pub code_salt: [u8; 16],
    /// How long a reservation holds unless confirmed.
    pub hold_ms: i64,
    /// How many unconfirmed orders a customer may hold at once.
    pub max_open: u32,
    /// How long signed tokens live.
    pub token_ttl_s: i64,
    /// Demo personas for the storefront's picker: (customer id, label).
    pub personas: Vec<(String, String)>,
    /// When set, the store's customer dates are shifted by `now - anchor` when served,
    /// so demo data written for one day ("joined 2 hours ago") stays true on any day.
    pub anchor: Option<Timestamp>,
    /// Placements allowed per customer: a burst, refilled at this rate per minute.
    pub placements: Option<DefaultKeyedRateLimiter<String>>,
    /// The payment methods the store takes, exactly as spelt there; a placement naming
    /// another is refused. Empty: any id that [`is_payment_method`] allows.
    pub payment_methods: Vec<String>,
    /// What requests reuse rather than rebuild.
    pub reused: Reused,
}

/// What requests reuse rather than rebuild: the catalogue as last read (checked
/// against the database's version when older than [`CATALOGUE_MAX_AGE`]), and the
/// engine built for the last global counts read (built again whenever they differ, so
/// a recheck always sees the ledger's exact counts).
#[derive(Default)]
pub struct Reused {
    listing: Mutex<Option<HeldListing>>,
    /// Held by the one request that checks the catalogue; the others go on with the
    /// copy they have.
    checking: tokio::sync::Mutex<()>,
    engine: Mutex<Option<(EngineKey, Arc<Engine>)>>,
}

/// The catalogue held in memory: when it was last known to be the database's, and at
/// which version.
#[derive(Clone)]
struct HeldListing {
    checked_at: Instant,
    version: i64,
    listing: Arc<Listing>,
}

/// Locks a memo; a panic elsewhere while it was held leaves a value that is still
/// whole (it is only ever replaced), so the lock is taken back rather than poisoned.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// What an engine is built from besides the merchant's bundle: the ledger's global
/// counts, the demo's date shift in minutes, and the day its zone offsets are for.
type EngineKey = (Counts, i64, i64);

/// Fills in the offsets of `bundle`'s time zone, from this machine's time zone
/// database, for every bundle issued on `day` (days since 1970, UTC) that lives
/// `ttl_s` seconds: the same list all day, so the engine that rechecks orders and the
/// bundles published that day read the same clock, and a new day brings a new list.
pub fn with_zone_offsets(bundle: &mut Bundle, day: i64, ttl_s: i64) -> Result<(), String> {
    let Some(zone) = &mut bundle.time_zone else {
        return Ok(());
    };
    let issued = day * 86_400;
    let (from, until) = coupon_engine::schedule::offsets_span(issued, issued + 86_400 + ttl_s);
    let changes = zone_offsets::offsets(&zone.name, from, until)?;
    *zone = coupon_engine::model::TimeZone::with_offsets(&zone.name, changes)
        .ok_or_else(|| format!("time zone {:?}: offsets out of range", zone.name))?;
    Ok(())
}

/// Today in days since 1970, UTC, by the server's clock.
pub fn today() -> i64 {
    now().unix_seconds().div_euclid(86_400)
}

/// The placement rate limiter: `per_minute` placements a minute for each customer,
/// in bursts of up to `burst`; `None` when `per_minute` is 0 (no limit).
pub fn placement_limiter(per_minute: u32, burst: u32) -> Option<DefaultKeyedRateLimiter<String>> {
    let rate = NonZeroU32::new(per_minute)?;
    let burst = NonZeroU32::new(burst).unwrap_or(rate);
    Some(RateLimiter::keyed(
        Quota::per_minute(rate).allow_burst(burst),
    ))
}

/// The server's clock. The engine never reads one; the server is where time comes from.
pub fn now() -> Timestamp {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let t =
        chrono::DateTime::from_timestamp_millis(i64::try_from(ms).unwrap_or(0)).unwrap_or_default();
    Timestamp(t.fixed_offset())
}

fn timestamp(ms: i64) -> Timestamp {
    Timestamp(
        chrono::DateTime::from_timestamp_millis(ms)
            .unwrap_or_default()
            .fixed_offset(),
    )
}

/// An error response: `{code, path, message}` plus any detail.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: Value,
    /// The body as the engine wrote it, for the engine's own errors: sent as it is.
    written: Option<String>,
}

impl ApiError {
    fn new(status: StatusCode, code: &str, path: &str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            body: json!({ "code": code, "path": path, "message": message.into() }),
            written: None,
        }
    }

    fn with(mut self, key: &str, value: Value) -> Self {
        self.body[key] = value;
        self
    }

    fn unavailable(what: &dyn std::fmt::Display) -> Self {
        // The details go to the log, never to the client.
        tracing::error!("storage: {what}");
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "",
            "the shop cannot take this request right now; try again shortly",
        )
    }

    fn not_signed_in() -> Self {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "not_signed_in",
            "",
            "sign in first",
        )
    }
}

impl From<coupon_engine::Error> for ApiError {
    fn from(e: coupon_engine::Error) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            body: Value::Null,
            // The engine's own writer, so the body is the bytes every runtime reports.
            written: Some(to_json(&e)),
        }
    }
}

impl From<LedgerError> for ApiError {
    fn from(e: LedgerError) -> Self {
        match e {
            LedgerError::LimitReached { coupon_id, scope } => ApiError::new(
                StatusCode::CONFLICT,
                "limit_reached",
                "claimed.applied",
                format!("the {scope} limit of coupon {coupon_id} is reached"),
            )
            .with("couponId", json!(coupon_id))
            .with("scope", json!(scope)),
            // One answer for a code never issued and one already used: which it is
            // would tell a guesser which codes exist.
            LedgerError::BudgetExhausted { campaign_id } => ApiError::new(
                StatusCode::CONFLICT,
                "budget_exhausted",
                "claimed.applied",
                format!("campaign {campaign_id} has too little budget left for this order"),
            )
            .with("campaignId", json!(campaign_id)),
            LedgerError::CodeUnavailable { coupon_id } => ApiError::new(
                StatusCode::CONFLICT,
                "code_unavailable",
                "codes",
                "this code is not valid, or it has been used",
            )
            .with("couponId", json!(coupon_id)),
            LedgerError::TooManyReservations(n) => ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_reservations",
                "",
                format!("at most {n} unconfirmed orders may be open at once: confirm or cancel one first"),
            ),
            LedgerError::IdempotencyMismatch => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_mismatch",
                "idempotencyKey",
                "this idempotency key was used with another request; use a new key for a new order",
            ),
            LedgerError::HistoryChanged => ApiError::new(
                StatusCode::CONFLICT,
                "orders_changed",
                "",
                "your other orders kept changing while this one was placed: send it again",
            ),
            LedgerError::NotFound => {
                ApiError::new(StatusCode::NOT_FOUND, "unknown_order", "id", "no such order")
            }
            LedgerError::WrongState(s) => ApiError::new(
                StatusCode::CONFLICT,
                "wrong_state",
                "id",
                format!("the order is {}", s.as_str()),
            )
            .with("state", json!(s.as_str())),
            LedgerError::Database(e) => ApiError::unavailable(&e),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self.written {
            Some(text) => (
                self.status,
                [(axum::http::header::CONTENT_TYPE, "application/json")],
                text,
            )
                .into_response(),
            None => (self.status, Json(self.body)).into_response(),
        }
    }
}

type Reply = Result<Response, ApiError>;

/// Whether `method` is spelt as a payment method's id may be: ASCII letters, digits,
/// `-`, `_` and `.`. The engine knows cash on delivery as `cod` in any case: a spelling
/// it does not know (`cod `, a zero-width space, full-width letters) would get the
/// prepaid discounts on an order that anyone reading it takes for cash.
pub fn is_payment_method(method: &str) -> bool {
    !method.is_empty()
        && method
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// An id a client sent: 1 to [`MAX_ID`] characters, none of them a control character.
fn check_id(value: &str, path: &str) -> Result<(), ApiError> {
    if value.is_empty() || value.chars().count() > MAX_ID {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_value",
            path,
            format!("1 to {MAX_ID} characters"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_value",
            path,
            "control characters are not allowed",
        ));
    }
    Ok(())
}

impl Shop {
    /// The signed-in customer's id.
    fn customer_id(&self, headers: &HeaderMap) -> Result<String, ApiError> {
        self.auth
            .customer_id(headers, now().0.timestamp())
            .ok_or_else(ApiError::not_signed_in)
    }

    /// The bundle with the current counts: each coupon's redemptions and each
    /// campaign's spent budget, the merchant's count of those made elsewhere plus this
    /// ledger's; and its time zone's offsets for `day`.
    fn bundle_with(&self, counts: &Counts, day: i64) -> Result<Bundle, ApiError> {
        self.bundle_for(counts, day, self.shift_minutes_at(now()))
    }

    /// The bundle as [`Shop::bundle_with`] makes it, with the demo's dates moved by
    /// `shift` minutes (see [`Shop::anchor`]).
    fn bundle_for(&self, counts: &Counts, day: i64, shift: i64) -> Result<Bundle, ApiError> {
        let used = &counts.used;
        let mut bundle = self.bundle.clone();
        let currency = bundle.currency;
        for k in &mut bundle.campaigns {
            let here = counts.spent.get(&k.id).copied().unwrap_or(0);
            let elsewhere = k.spent.map_or(0, |s| currency.money(s).minor_units());
            k.spent =
                Some(currency.amount(Money::from_minor_units(elsewhere.saturating_add(here))));
        }
        for c in &mut bundle.coupons {
            if let Some(limits) = c.limits.as_mut() {
                limits.global_redeemed = limits
                    .global_redeemed
                    .saturating_add(used.get(&c.id).copied().unwrap_or(0));
            }
            if let Some(w) = c.active_window.as_mut() {
                w.start
                    .iter_mut()
                    .chain(w.end.iter_mut())
                    .for_each(|t| self.shifted(t, shift));
            }
        }
        with_zone_offsets(&mut bundle, day, self.token_ttl_s)
            .map_err(|e| ApiError::unavailable(&e))?;
        Ok(bundle)
    }

    /// The engine for the ledger's current global counts: the one built last when the
    /// counts (and the demo's date shift) are the same, else a new one.
    async fn current_engine(&self, db: &mut LedgerConn) -> Result<Arc<Engine>, ApiError> {
        let key: EngineKey = (db.counts().await?, self.shift_minutes_at(now()), today());
        let reused = lock(&self.reused.engine)
            .as_ref()
            .filter(|(k, _)| *k == key)
            .map(|(_, e)| e.clone());
        if let Some(engine) = reused {
            return Ok(engine);
        }
        let engine = Arc::new(Engine::new(self.bundle_for(&key.0, key.2, key.1)?)?);
        *lock(&self.reused.engine) = Some((key, engine.clone()));
        Ok(engine)
    }

    /// The catalogue: the copy held while it is younger than [`CATALOGUE_MAX_AGE`] or
    /// its version is still the database's, else read again. One request checks at a
    /// time; the others meanwhile use the copy held.
    async fn listing(&self) -> Result<Arc<Listing>, ApiError> {
        let held = lock(&self.reused.listing).clone();
        let fresh = |h: &Option<HeldListing>| {
            h.as_ref()
                .filter(|h| h.checked_at.elapsed() < CATALOGUE_MAX_AGE)
                .map(|h| h.listing.clone())
        };
        if let Some(listing) = fresh(&held) {
            return Ok(listing);
        }
        let _turn = match (&held, self.reused.checking.try_lock()) {
            (_, Ok(turn)) => turn,
            (Some(h), Err(_)) => return Ok(h.listing.clone()),
            (None, Err(_)) => self.reused.checking.lock().await,
        };
        // Another request may have read it while this one waited for its turn.
        let held = lock(&self.reused.listing).clone();
        if let Some(listing) = fresh(&held) {
            return Ok(listing);
        }
        let checked_at = Instant::now();
        let version = self.ledger.catalogue_version().await?;
        let listing = match held {
            Some(h) if h.version == version => h.listing,
            // A change made between these two reads raises the version again, so the
            // next check reads the catalogue again.
            _ => Arc::new(Listing::new(self.ledger.catalogue().await?)),
        };
        *lock(&self.reused.listing) = Some(HeldListing {
            checked_at,
            version,
            listing: listing.clone(),
        });
        Ok(listing)
    }

    /// The demo's date shift at `at`, `at - anchor` in whole minutes (0 without an
    /// anchor).
    fn shift_minutes_at(&self, at: Timestamp) -> i64 {
        self.anchor.map_or(0, |anchor| {
            at.0.signed_duration_since(anchor.0).num_minutes()
        })
    }

    /// Moves a demo date by `shift` minutes (see [`Shop::anchor`]).
    fn shifted(&self, t: &mut Timestamp, shift: i64) {
        if self.anchor.is_some() {
            if let Some(m) = t.0.checked_add_signed(chrono::TimeDelta::minutes(shift)) {
                *t = Timestamp(m);
            }
        }
    }

    /// The customer's record from outside this ledger (imported history, segments,
    /// courses, usage counted elsewhere), its demo dates moved by `shift` minutes; an
    /// empty one for a customer without a record.
    fn imported_customer(&self, id: &str, shift: i64) -> Customer {
        let mut customer = self.customers.get(id).cloned().unwrap_or(Customer {
            id: id.to_string(),
            orders: Vec::new(),
            segments: Vec::new(),
            courses: Vec::new(),
            coupon_usage: BTreeMap::new(),
        });
        customer
            .orders
            .iter_mut()
            .for_each(|o| self.shifted(&mut o.placed_at, shift));
        customer
            .segments
            .iter_mut()
            .for_each(|m| self.shifted(&mut m.joined_at, shift));
        customer
            .courses
            .iter_mut()
            .filter_map(|c| c.updated_at.as_mut())
            .for_each(|t| self.shifted(t, shift));
        customer
    }

    /// The customer's record: imported history and memberships, then every live order
    /// of this ledger, with usage counts from both.
    async fn current_customer(&self, id: &str, db: &mut LedgerConn) -> Result<Customer, ApiError> {
        Ok(self.customer_and_orders(id, db).await?.0)
    }

    /// The customer's record (see [`Shop::current_customer`]) and the live orders of
    /// this ledger it ends with, in the same order.
    async fn customer_and_orders(
        &self,
        id: &str,
        db: &mut LedgerConn,
    ) -> Result<(Customer, Vec<Order>), ApiError> {
        let mut customer = self.imported_customer(id, self.shift_minutes_at(now()));
        for (coupon, used) in db.used_by_customer(id).await? {
            let count = customer.coupon_usage.entry(coupon).or_insert(0);
            *count = count.saturating_add(used);
        }
        let live = db.history(id).await?;
        for order in &live {
            customer.orders.push(past_order(order)?);
        }
        Ok((customer, live))
    }

    /// `iat` and `exp` for a token issued now.
    fn token_times(&self) -> (i64, i64) {
        let iat = now().0.timestamp();
        (iat, iat + self.token_ttl_s)
    }

    fn sign(&self, claims: &impl ToJson) -> Result<String, ApiError> {
        Ok(signing::sign(claims, &self.key)?)
    }
}

/// An order of this ledger as the customer's history records it.
fn past_order(order: &Order) -> Result<PastOrder, ApiError> {
    let corrupt = |what: &str| ApiError::unavailable(&format!("order {}: {what}", order.id));
    Ok(PastOrder {
        id: order.id.clone(),
        placed_at: timestamp(order.created_ms),
        total: Amount::parse(&order.total).map_err(|_| corrupt("total"))?,
        coupon_codes: serde_json::from_str(&order.coupon_codes)
            .map_err(|_| corrupt("coupon codes"))?,
        items: read_json::<Vec<OrderItem>>("items", &order.items).map_err(|_| corrupt("items"))?,
    })
}

fn order_json(order: &Order) -> Value {
    json!({
        "orderId": order.id,
        "state": order.state.as_str(),
        "replayed": order.replayed,
        "paymentMethod": order.payment_method,
        "subtotal": order.subtotal,
        "discountTotal": order.discount_total,
        "totalAfter": order.total,
        "tax": order.tax,
        "placedAt": timestamp(order.created_ms),
        "expiresAt": timestamp(order.expires_ms),
        "items": serde_json::from_str::<Value>(&order.items).unwrap_or(Value::Null),
        "couponCodes": serde_json::from_str::<Value>(&order.coupon_codes).unwrap_or(Value::Null),
        "discounts": order.redemptions.iter().map(|(c, a)| json!({"couponId": c, "amount": a})).collect::<Vec<_>>(),
        "takenBack": order.taken_back.iter().map(|(by, amount)| json!({"byRefundOf": by, "amount": amount})).collect::<Vec<_>>(),
        "refund": order.refund.as_ref().map(|r| json!({
            "amount": r.amount,
            "clawbacks": r.clawbacks.iter().map(|c| json!({"orderId": c.order_id, "couponIds": c.coupon_ids, "amount": c.amount})).collect::<Vec<_>>(),
        })),
    })
}

async fn jwks(State(shop): State<Arc<Shop>>) -> Response {
    let jwks = Jwks {
        keys: vec![shop.key.public()],
    };
    json_reply(StatusCode::OK, &jwks)
}

async fn personas(State(shop): State<Arc<Shop>>) -> Json<Value> {
    Json(json!(shop
        .personas
        .iter()
        .map(|(id, label)| json!({ "customerId": id, "label": label }))
        .collect::<Vec<_>>()))
}

async fn bundle(State(shop): State<Arc<Shop>>) -> Reply {
    // Hidden coupons' codes leave only as salted hashes; the recheck keeps the clear ones.
    let listing = shop.listing().await?;
    let counts = shop.ledger.counts().await?;
    let bundle = shop
        .bundle_with(&counts, today())?
        .concealed(&shop.code_salt);
    let (iat, exp) = shop.token_times();
    let token = shop.sign(&BundleClaims {
        bundle: &bundle,
        catalogue: &listing.catalogue,
        iat,
        exp,
    })?;
    Ok(Json(json!({ "token": token })).into_response())
}

/// The claims of the signed bundle the storefront evaluates with.
#[derive(ToJson)]
struct BundleClaims<'a> {
    bundle: &'a Bundle,
    catalogue: &'a crate::catalogue::Catalogue,
    iat: i64,
    exp: i64,
}

/// The claims of a customer's signed summary.
#[derive(ToJson)]
struct SummaryClaims<'a> {
    sub: &'a str,
    customer: &'a Customer,
    iat: i64,
    exp: i64,
}

/// The body of a `409 claim_rejected`: what differs, and the server's own result to
/// show the shopper instead.
#[derive(ToJson)]
struct Rejected<'a> {
    code: &'a str,
    path: &'a str,
    message: &'a str,
    differences: &'a [coupon_engine::recheck::Difference],
    result: &'a coupon_engine::model::EvaluationResult,
}

/// `value` as a JSON response, written by the engine's own writer.
fn json_reply(status: StatusCode, value: &impl ToJson) -> Response {
    (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        to_json(value),
    )
        .into_response()
}

/// What the demo's sign-in takes.
#[derive(FromJson)]
#[serde(rename_all = "camelCase")]
struct SignIn {
    customer_id: String,
}

fn read_body<T: coupon_engine::model::parse::FromJson>(body: &[u8]) -> Result<T, ApiError> {
    let text = std::str::from_utf8(body).map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            "",
            "the body is not UTF-8",
        )
    })?;
    Ok(read_json("", text)?)
}

async fn body_bytes(body: Body) -> Result<axum::body::Bytes, ApiError> {
    axum::body::to_bytes(body, MAX_BODY).await.map_err(|_| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            "",
            format!("the body is larger than {MAX_BODY} bytes"),
        )
    })
}

async fn sign_in(State(shop): State<Arc<Shop>>, body: Body) -> Reply {
    let Some(sessions) = shop.sign_in.as_ref() else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "no_demo_sign_in",
            "",
            "this server signs customers in through the shop's own authentication",
        ));
    };
    let request: SignIn = read_body(&body_bytes(body).await?)?;
    check_id(&request.customer_id, "customerId")?;
    if !shop.customers.contains_key(&request.customer_id) {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unknown_customer",
            "customerId",
            "the demo signs in only the store's own customers",
        ));
    }
    let jar = sessions.sign_in(&request.customer_id, now().0.timestamp());
    Ok((jar, Json(json!({ "customerId": request.customer_id }))).into_response())
}

async fn who_am_i(State(shop): State<Arc<Shop>>, headers: HeaderMap) -> Reply {
    let id = shop.customer_id(&headers)?;
    Ok(Json(json!({ "customerId": id })).into_response())
}

async fn sign_out(State(shop): State<Arc<Shop>>, headers: HeaderMap) -> Reply {
    match shop.sign_in.as_ref() {
        Some(sessions) => Ok((sessions.sign_out(&headers), Json(json!({}))).into_response()),
        None => Ok(Json(json!({})).into_response()),
    }
}

async fn summary(
    State(shop): State<Arc<Shop>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Reply {
    let me = shop.customer_id(&headers)?;
    check_id(&id, "id")?;
    // The same answer for every other id, known or not: ids cannot be enumerated.
    if id != me {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "id",
            "a summary is given only to its own customer",
        ));
    }
    let customer = shop
        .current_customer(&me, &mut shop.ledger.conn().await?)
        .await?;
    let (iat, exp) = shop.token_times();
    let token = shop.sign(&SummaryClaims {
        sub: &customer.id,
        customer: &customer,
        iat,
        exp,
    })?;
    Ok(Json(json!({ "token": token })).into_response())
}

/// One line a storefront asks for. `unitPrice` and `compareAtPrice`, when sent, are
/// the prices the shopper saw: each must be the catalogue's (a compare-at price where
/// the catalogue has none is refused too). The cart takes both from the catalogue.
#[derive(FromJson)]
#[serde(rename_all = "camelCase")]
struct OrderLine {
    product_id: String,
    quantity: u32,
    unit_price: Option<Amount>,
    compare_at_price: Option<Amount>,
}

/// What a storefront posts to place an order: what to buy, never at what price or
/// for whom.
#[derive(FromJson)]
#[serde(rename_all = "camelCase")]
struct PlaceOrder {
    idempotency_key: String,
    lines: Vec<OrderLine>,
    shipping_id: Option<String>,
    payment_method: Option<String>,
    #[serde(default)]
    codes: Vec<String>,
    claimed: Claim,
}

impl PlaceOrder {
    fn check(&self) -> Result<(), ApiError> {
        check_id(&self.idempotency_key, "idempotencyKey")?;
        if self.lines.is_empty() {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "empty_cart",
                "lines",
                "an order needs at least one line",
            ));
        }
        for (i, line) in self.lines.iter().enumerate() {
            check_id(&line.product_id, &format!("lines[{i}].productId"))?;
        }
        if let Some(s) = &self.shipping_id {
            check_id(s, "shippingId")?;
        }
        if let Some(p) = &self.payment_method {
            check_id(p, "paymentMethod")?;
            if !is_payment_method(p) {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_value",
                    "paymentMethod",
                    "a payment method's id: ASCII letters, digits, '-', '_' and '.'",
                ));
            }
        }
        for (i, code) in self.codes.iter().enumerate() {
            check_id(code, &format!("codes[{i}]"))?;
        }
        Ok(())
    }

    /// A hash of everything the request asks for, in a fixed order (arrays, not
    /// objects, so no serialiser's key order can change it).
    fn hash(&self) -> String {
        let claim = &self.claimed;
        let canonical = json!([
            self.idempotency_key,
            self.lines
                .iter()
                .map(|l| json!([
                    l.product_id,
                    l.quantity,
                    l.unit_price.map(|p| p.to_string()),
                    l.compare_at_price.map(|p| p.to_string())
                ]))
                .collect::<Vec<_>>(),
            self.shipping_id,
            self.payment_method,
            self.codes,
            claim.total_after.to_string(),
            claim.discount_total.to_string(),
            claim
                .applied
                .iter()
                .map(|a| json!([a.coupon_id, a.amount.to_string()]))
                .collect::<Vec<_>>(),
            claim
                .lines
                .iter()
                .map(|l| json!([l.line_id, l.subtotal.to_string()]))
                .collect::<Vec<_>>(),
        ]);
        Sha256::digest(canonical.to_string().as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

async fn place_order(State(shop): State<Arc<Shop>>, headers: HeaderMap, body: Body) -> Reply {
    let me = shop.customer_id(&headers)?;
    let request: PlaceOrder = read_body(&body_bytes(body).await?)?;
    request.check()?;
    shop.check_payment_method(request.payment_method.as_deref())?;
    let hash = request.hash();
    // Read before the connection is taken: SQLite's pool has only that one.
    let listing = shop.listing().await?;
    let mut db = shop.ledger.conn().await?;
    // A retry returns the order already placed, before anything is recomputed: the
    // order's own redemption would otherwise count against it.
    if let Some(existing) = db.find_by_key(&me, &request.idempotency_key, &hash).await? {
        return Ok((StatusCode::OK, Json(order_json(&existing))).into_response());
    }
    // Replays are a cheap read and never limited: a storefront retrying after a
    // network error must get its order back. New placements are.
    if let Some(limiter) = &shop.placements {
        if let Err(wait) = limiter.check_key(&me) {
            let after = wait
                .wait_time_from(governor::clock::Clock::now(
                    &governor::clock::DefaultClock::default(),
                ))
                .as_secs()
                .max(1);
            return Ok((
                StatusCode::TOO_MANY_REQUESTS,
                [("retry-after", after.to_string())],
                Json(json!({ "code": "rate_limited", "path": "", "message": format!("too many orders; try again in {after} s") })),
            )
                .into_response());
        }
    }
    let built = build_cart(&listing, shop.bundle.currency, &request)?;
    // Evaluated again when the customer's orders change between the recheck and the
    // reservation (a concurrent placement of theirs): the second sees the first.
    let mut tries = 0;
    let order = loop {
        tries += 1;
        let (customer, live) = shop.customer_and_orders(&me, &mut db).await?;
        let engine = shop.current_engine(&mut db).await?;
        // Read after the orders, so that they were placed before it: the engine counts
        // only orders placed at or before `now`.
        let now = now();
        let context = Context {
            now,
            payment_method: request.payment_method.clone(),
            codes: request.codes.clone(),
        };
        let recheck = engine
            .recheck(&customer, &built.cart, &context, &request.claimed)
            .map_err(in_request)?;
        if !recheck.accepted {
            // A concurrent retry of this very request may have placed the order meanwhile,
            // and its redemption is what the recheck now sees.
            if let Some(existing) = db.find_by_key(&me, &request.idempotency_key, &hash).await? {
                return Ok((StatusCode::OK, Json(order_json(&existing))).into_response());
            }
            let body = Rejected {
                code: "claim_rejected",
                path: "claimed",
                message: "the claimed result differs from the server's",
                differences: &recheck.differences,
                result: &recheck.result,
            };
            return Ok(json_reply(StatusCode::CONFLICT, &body));
        }
        let result = &recheck.result;
        if let Some(coupon_id) =
            owed_to_unpaid_orders(&engine, &customer, &live, &built.cart, &context, result)?
        {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "unpaid_orders",
                "claimed.applied",
                format!(
                    "coupon {coupon_id} applies only by counting orders not yet paid: \
                     confirm or cancel them first"
                ),
            )
            .with("couponId", json!(coupon_id)));
        }
        let uses = result
            .applied
            .iter()
            .map(|a| {
                let coupon = shop.bundle.coupons.iter().find(|c| c.id == a.coupon_id);
                let limits = coupon.and_then(|c| c.limits.as_ref());
                let imported = shop
                    .customers
                    .get(&me)
                    .and_then(|c| c.coupon_usage.get(&a.coupon_id))
                    .copied()
                    .unwrap_or(0);
                Use {
                    coupon_id: a.coupon_id.clone(),
                    amount: a.amount.to_string(),
                    global_limit: limits
                        .and_then(|l| l.global.map(|g| g.saturating_sub(l.global_redeemed))),
                    per_customer_limit: limits
                        .and_then(|l| l.per_customer.map(|p| p.saturating_sub(imported))),
                    // The code the engine matched to the batch, as it shows it (normalised).
                    batch_code: coupon
                        .filter(|c| c.code_batch.is_some())
                        .and_then(|_| a.code.clone()),
                }
            })
            .collect();
        let spends = campaign_spends(&shop.bundle, result);
        let codes: Vec<&str> = result
            .applied
            .iter()
            .filter_map(|a| a.code.as_deref())
            .collect();
        let placed = db
            .place(&NewOrder {
                customer_id: me.clone(),
                idempotency_key: request.idempotency_key.clone(),
                request_hash: hash.clone(),
                payment_method: request.payment_method.clone(),
                subtotal: result.total_before.to_string(),
                discount_total: result.discount_total.to_string(),
                total: result.total_after.to_string(),
                tax: result.tax.as_ref().map(|t| t.tax.to_string()),
                items: serde_json::to_string(&built.items).unwrap_or_else(|_| "[]".into()),
                coupon_codes: serde_json::to_string(&codes).unwrap_or_else(|_| "[]".into()),
                uses,
                spends,
                now_ms: now.0.timestamp_millis(),
                hold_ms: shop.hold_ms,
                max_open: shop.max_open,
                // The orders the recheck counted: one placed after `now` (by a server whose
                // clock is ahead) was not, and the ledger then has the order evaluated again.
                history: Some(
                    live.iter()
                        .filter(|o| o.created_ms <= now.0.timestamp_millis())
                        .map(|o| o.id.clone())
                        .collect(),
                ),
                // What a refund of one of those orders evaluates this one again with.
                cart: Some(to_json(&built.cart)),
                entered_codes: Some(
                    serde_json::to_string(&request.codes).unwrap_or_else(|_| "[]".into()),
                ),
            })
            .await;
        break match placed {
            Ok(order) => order,
            Err(LedgerError::HistoryChanged) if tries < PLACEMENT_TRIES => continue,
            // A concurrent retry of this request may have placed the order, taking the use
            // or the code this one found gone: its order stands.
            Err(
                e @ (LedgerError::LimitReached { .. }
                | LedgerError::CodeUnavailable { .. }
                | LedgerError::BudgetExhausted { .. }),
            ) => match db.find_by_key(&me, &request.idempotency_key, &hash).await? {
                Some(existing) => existing,
                None => return Err(e.into()),
            },
            Err(e) => return Err(e.into()),
        };
    };
    let status = if order.replayed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(order_json(&order))).into_response())
}

/// An engine error about the cart or context the server built from a placement, at
/// the path of the request's field it came from (the cart's line `i` is `lines[i]`).
fn in_request(mut e: coupon_engine::Error) -> ApiError {
    let built = [
        ("cart.lines", "lines"),
        ("context.codes", "codes"),
        ("context.paymentMethod", "paymentMethod"),
    ];
    for (inner, sent) in built {
        if let Some(rest) = e.path.strip_prefix(inner) {
            if rest.is_empty() || rest.starts_with(['[', '.']) {
                e.path = format!("{sent}{rest}");
                break;
            }
        }
    }
    e.into()
}

/// How many times a placement is evaluated when the customer's orders keep changing
/// under it before it gives up with `409 orders_changed`.
const PLACEMENT_TRIES: u32 = 3;

/// The first applied coupon that applies only because the history counts the
/// customer's unpaid reservations: one that, with those left out, is neither applied
/// nor available (its minimum of orders or spend, or a segment, is then unmet). A
/// shopper could otherwise reserve orders to reach it and cancel them afterwards.
/// Conditions that fewer orders meet (a first order) are judged with the reservations,
/// as the recheck does. Evaluated again only when there are reservations.
fn owed_to_unpaid_orders(
    engine: &Engine,
    customer: &Customer,
    live: &[Order],
    cart: &coupon_engine::model::Cart,
    context: &Context,
    result: &coupon_engine::model::EvaluationResult,
) -> Result<Option<String>, ApiError> {
    use crate::ledger::State;
    use coupon_engine::model::CardStatus;
    if result.applied.is_empty() || live.iter().all(|o| o.state != State::Reserved) {
        return Ok(None);
    }
    // The ledger's orders close the customer's history, in the same order.
    let imported = customer.orders.len() - live.len();
    let mut paid = customer.clone();
    let mut index = 0;
    paid.orders.retain(|_| {
        let keep = index < imported || live[index - imported].state != State::Reserved;
        index += 1;
        keep
    });
    let without = engine.evaluate(&paid, cart, context)?;
    Ok(result
        .applied
        .iter()
        .find(|a| {
            !without.cards.iter().any(|c| {
                c.coupon_id == a.coupon_id
                    && matches!(c.status, CardStatus::Applied | CardStatus::Available)
            })
        })
        .map(|a| a.coupon_id.clone()))
}

/// What the applied discounts take from each campaign's budget, and the room the
/// ledger has in it: the budget less what the store file says was spent elsewhere.
fn campaign_spends(bundle: &Bundle, result: &coupon_engine::model::EvaluationResult) -> Vec<Spend> {
    let currency = bundle.currency;
    let mut spends: Vec<Spend> = Vec::new();
    for a in &result.applied {
        let Some(k) = bundle
            .coupons
            .iter()
            .find(|c| c.id == a.coupon_id)
            .and_then(|c| c.campaign.as_deref())
            .and_then(|k| bundle.campaigns.iter().find(|c| c.id == k))
        else {
            continue;
        };
        let amount = currency.money(a.amount).minor_units();
        match spends.iter_mut().find(|s| s.campaign_id == k.id) {
            Some(s) => s.amount += amount,
            None => spends.push(Spend {
                campaign_id: k.id.clone(),
                amount,
                room: currency.money(k.budget).minor_units()
                    - k.spent.map_or(0, |s| currency.money(s).minor_units()),
            }),
        }
    }
    spends
}

/// The cart of a placement, from the shop's catalogue: an unknown product or delivery
/// option is 422, and a shown price that is not the catalogue's is 409
/// `price_changed`, with each difference.
fn build_cart(
    listing: &Listing,
    currency: coupon_engine::money::Currency,
    request: &PlaceOrder,
) -> Result<crate::catalogue::Built, ApiError> {
    let wanted: Vec<Wanted<'_>> = request
        .lines
        .iter()
        .map(|l| Wanted {
            product_id: &l.product_id,
            quantity: l.quantity,
        })
        .collect();
    let built = listing
        .build_cart(currency, &wanted, request.shipping_id.as_deref())
        .map_err(|e| match e {
            CartError::UnknownProduct(i) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown_product",
                &format!("lines[{i}].productId"),
                format!(
                    "the shop sells no product {:?}",
                    request.lines[i].product_id
                ),
            ),
            CartError::UnknownShipping => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown_shipping_option",
                "shippingId",
                "the shop offers no such delivery option",
            ),
        })?;
    let mut changed: Vec<Value> = Vec::new();
    for (i, l) in request.lines.iter().enumerate() {
        let Some(p) = built.products.get(&l.product_id) else {
            continue;
        };
        let shown = [
            ("unitPrice", l.unit_price, Some(p.price)),
            ("compareAtPrice", l.compare_at_price, p.compare_at_price),
        ];
        for (field, claimed, actual) in shown {
            if claimed.is_some_and(|c| Some(c) != actual) {
                changed.push(
                    json!({ "path": format!("lines[{i}].{field}"), "productId": l.product_id,
                                     "claimed": claimed, "actual": actual }),
                );
            }
        }
    }
    if !changed.is_empty() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "price_changed",
            "lines",
            "a price changed since the storefront showed it: refresh the catalogue",
        )
        .with("differences", json!(changed)));
    }
    Ok(built)
}

/// One of the signed-in customer's orders, named by the path: who asks (401 when
/// nobody is signed in) and which order (400 for an id no order can have).
struct OwnOrder {
    me: String,
    id: String,
}

impl axum::extract::FromRequestParts<Arc<Shop>> for OwnOrder {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        shop: &Arc<Shop>,
    ) -> Result<Self, ApiError> {
        let me = shop.customer_id(&parts.headers)?;
        let Path(id) = Path::<String>::from_request_parts(parts, shop)
            .await
            .map_err(|e| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_value",
                    "id",
                    e.body_text(),
                )
            })?;
        check_id(&id, "id")?;
        Ok(OwnOrder { me, id })
    }
}

/// The signed-in customer's own orders, in every state (a refunded order with what its
/// refund paid), newest first, at most [`MAX_LISTED`]. The customer comes from the
/// session only, so nobody lists another customer's orders.
async fn list_orders(State(shop): State<Arc<Shop>>, headers: HeaderMap) -> Reply {
    let me = shop.customer_id(&headers)?;
    let orders: Vec<Value> = shop
        .ledger
        .orders_of(&me, MAX_LISTED)
        .await?
        .iter()
        .map(order_json)
        .collect();
    Ok(Json(json!({ "orders": orders })).into_response())
}

async fn get_order(State(shop): State<Arc<Shop>>, OwnOrder { me, id }: OwnOrder) -> Reply {
    Ok(Json(order_json(&shop.ledger.get(&id, &me).await?)).into_response())
}

impl Shop {
    /// A placement's payment method against the store's list, when it has one: one of
    /// them, exactly as spelt, and named at all (an order without one gets the
    /// discounts that exclude cash on delivery). `cod.` or `COD` is a well-formed id,
    /// but not how the store spells cash on delivery.
    fn check_payment_method(&self, method: Option<&str>) -> Result<(), ApiError> {
        if self.payment_methods.is_empty() {
            return Ok(());
        }
        match method {
            None => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "missing_field",
                "paymentMethod",
                format!("one of {}", self.payment_methods.join(", ")),
            )),
            Some(m) if !self.payment_methods.iter().any(|p| p == m) => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_value",
                "paymentMethod",
                format!("this store takes {}", self.payment_methods.join(", ")),
            )),
            Some(_) => Ok(()),
        }
    }
}

/// What a payment step may send with a confirmation.
#[derive(FromJson)]
#[serde(rename_all = "camelCase")]
struct Confirm {
    payment_method: Option<String>,
}

async fn confirm(
    State(shop): State<Arc<Shop>>,
    OwnOrder { me, id }: OwnOrder,
    body: Body,
) -> Reply {
    let body = body_bytes(body).await?;
    let paid_with = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        read_body::<Confirm>(&body)?.payment_method
    };
    if paid_with.is_none() && !shop.payment_methods.is_empty() {
        // The order's discounts were decided for the method it was placed with: where
        // the store names its methods, the payment step says which one it took.
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "missing_field",
            "paymentMethod",
            "the payment method the order is paid with",
        ));
    }
    if let Some(method) = &paid_with {
        let order = shop.ledger.get(&id, &me).await?;
        // Discounts such as "pay online, save 12%" were decided for the method the
        // order was placed with.
        if order.payment_method.as_deref() != Some(method.as_str()) {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "payment_method_changed",
                "paymentMethod",
                "the order was placed with another payment method: place it again",
            )
            .with("placedWith", json!(order.payment_method)));
        }
    }
    let order = shop
        .ledger
        .confirm(&id, &me, now().0.timestamp_millis())
        .await?;
    Ok(Json(order_json(&order)).into_response())
}

async fn cancel(State(shop): State<Arc<Shop>>, OwnOrder { me, id }: OwnOrder) -> Reply {
    match shop.ledger.cancel(&id, &me).await {
        Err(LedgerError::WrongState(s)) if s == crate::ledger::State::Confirmed => {
            Err(ApiError::new(
                StatusCode::CONFLICT,
                "wrong_state",
                "id",
                "a confirmed order is returned through /refund, not cancelled",
            )
            .with("state", json!(s.as_str())))
        }
        other => Ok(Json(order_json(&other?)).into_response()),
    }
}

async fn refund(State(shop): State<Arc<Shop>>, OwnOrder { me, id }: OwnOrder) -> Reply {
    let order = shop
        .ledger
        .refund_with(&id, &me, |order, returned| {
            shop.price_refund(order, returned)
        })
        .await?;
    Ok(Json(order_json(&order)).into_response())
}

impl Shop {
    /// What refunding `refunded` pays back: its total, plus what earlier refunds took
    /// back from its own discounts (the customer paid those after all), less, for each
    /// later live order that counted it as history, the discount that order no longer
    /// earns without it.
    ///
    /// A later order is evaluated twice, as its placement did (its cart at the prices
    /// of then, its codes and payment method, `now` its placement time, the counts
    /// without its own uses): with the orders it counted that are still live plus the
    /// refunded one, and without the refunded one. What it loses is the difference, so
    /// a coupon the merchant changed or removed since, or an order refunded before,
    /// takes nothing back here; and never more than its discount less what earlier
    /// refunds took back from it.
    ///
    /// Refused, so that the customer's choices cannot keep a discount they no longer
    /// earn: `409 unpaid_orders` when a later order with discount left counted a
    /// reservation (its history without the refunded order would count an order that
    /// may never be paid), or is itself a reservation that would lose a discount (one
    /// that may never be given); `409 refund_later_order_first` when the lost discounts
    /// come to more than the refund would pay (refunding the later orders first pays
    /// their totals and leaves nothing to take back).
    fn price_refund(&self, refunded: &Order, returned: &Returned) -> Result<Refund, ApiError> {
        let currency = self.bundle.currency;
        let money = |order: &str, text: &str| {
            Amount::parse(text)
                .map(|a| currency.money(a))
                .map_err(|_| ApiError::unavailable(&format!("order {order}: amount {text:?}")))
        };
        let zero = Money::default();
        let mut clawbacks = Vec::new();
        let mut owed = zero;
        for later in &returned.dependents {
            let order = &later.order;
            let mut left = money(&order.id, &order.discount_total)?;
            for taken in &later.clawed_back {
                left -= money(&order.id, taken)?;
            }
            if left <= zero {
                continue;
            }
            // Its history without the refunded order could hold only a reservation that
            // is cancelled afterwards, and then no paid order supports the discount.
            let unpaid: Vec<&str> = later
                .history
                .iter()
                .filter(|o| o.state == crate::ledger::State::Reserved)
                .map(|o| o.id.as_str())
                .collect();
            if !unpaid.is_empty() {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "unpaid_orders",
                    "id",
                    format!(
                        "order {} counts this one and the unpaid orders {}: confirm or cancel them first",
                        order.id,
                        unpaid.join(", ")
                    ),
                )
                .with("orderIds", json!(unpaid)));
            }
            let mut with: Vec<&Order> = later.history.iter().chain([refunded]).collect();
            with.sort_by(|a, b| (a.created_ms, &a.id).cmp(&(b.created_ms, &b.id)));
            let without: Vec<&Order> = later.history.iter().collect();
            let [earned, kept] = self.evaluate_again(later, [&with, &without], returned)?;
            let lost = (currency.money(earned.discount_total)
                - currency.money(kept.discount_total))
            .min(left);
            if lost <= zero {
                continue;
            }
            let coupon_ids = earned
                .applied
                .iter()
                .filter(|a| {
                    let now = kept
                        .applied
                        .iter()
                        .filter(|k| k.coupon_id == a.coupon_id)
                        .map(|k| currency.money(k.amount))
                        .sum::<Money>();
                    now < currency.money(a.amount)
                })
                .map(|a| a.coupon_id.clone())
                .collect::<Vec<_>>();
            // A reservation may yet be cancelled or expire, and its discount never be
            // given: taking it back now could charge for a discount nobody got.
            if order.state == crate::ledger::State::Reserved {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "unpaid_orders",
                    "id",
                    format!(
                        "order {} counts this one for a discount and is not paid yet: confirm or cancel it first",
                        order.id
                    ),
                )
                .with("orderId", json!(order.id))
                .with("orderIds", json!([order.id]))
                .with("couponIds", json!(coupon_ids)));
            }
            owed += lost;
            clawbacks.push(Clawback {
                order_id: order.id.clone(),
                coupon_ids,
                amount: currency.amount(lost).to_string(),
            });
        }
        let mut paid = money(&refunded.id, &refunded.total)?;
        for taken in &returned.recovered {
            paid += money(&refunded.id, taken)?;
        }
        if owed > paid {
            // Paying nothing would leave the customer the part not covered, and the
            // order of their refunds would decide what they keep.
            let later: Vec<&str> = clawbacks.iter().map(|c| c.order_id.as_str()).collect();
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "refund_later_order_first",
                "id",
                format!(
                    "the discounts of orders {} that count this one come to more than it paid: refund them first",
                    later.join(", ")
                ),
            )
            .with("orderIds", json!(later)));
        }
        Ok(Refund {
            amount: currency.amount(paid - owed).to_string(),
            clawbacks,
        })
    }

    /// A later order of a refund evaluated again as its placement evaluated it, once
    /// with each of `histories` as the customer's orders of this ledger: the engine,
    /// the customer's record and the cart are built once for both.
    fn evaluate_again(
        &self,
        later: &crate::ledger::Dependent,
        histories: [&[&Order]; 2],
        returned: &Returned,
    ) -> Result<[coupon_engine::model::EvaluationResult; 2], ApiError> {
        let order = &later.order;
        let corrupt = |what: &dyn std::fmt::Display| {
            ApiError::unavailable(&format!("order {}: evaluated again: {what}", order.id))
        };
        let at = timestamp(order.created_ms);
        let shift = self.shift_minutes_at(at);
        // The counts its placement saw held none of its own uses and spends; those it
        // took since stay taken, so they are given back for this evaluation only.
        let mut counts = returned.counts.clone();
        for (coupon, _) in &order.redemptions {
            if let Some(n) = counts.used.get_mut(coupon) {
                *n = n.saturating_sub(1);
            }
        }
        for (campaign, amount) in &later.spends {
            if let Some(n) = counts.spent.get_mut(campaign) {
                *n = n.saturating_sub(*amount).max(0);
            }
        }
        let bundle = self.bundle_for(&counts, at.unix_seconds().div_euclid(86_400), shift)?;
        let engine = Engine::new(bundle).map_err(|e| corrupt(&e))?;
        let mut customer = self.imported_customer(&order.customer_id, shift);
        for (coupon, used) in &returned.customer_usage {
            let own = order
                .redemptions
                .iter()
                .filter(|(c, _)| c == coupon)
                .count();
            let used = used.saturating_sub(u32::try_from(own).unwrap_or(u32::MAX));
            if used > 0 {
                let count = customer.coupon_usage.entry(coupon.clone()).or_insert(0);
                *count = count.saturating_add(used);
            }
        }
        let cart: coupon_engine::model::Cart =
            read_json("cart", &later.cart).map_err(|e| corrupt(&e))?;
        let codes: Vec<String> =
            serde_json::from_str(&later.entered_codes).map_err(|e| corrupt(&e))?;
        let context = Context {
            now: at,
            payment_method: order.payment_method.clone(),
            codes,
        };
        let imported = customer.orders.len();
        let mut evaluate = |history: &[&Order]| {
            customer.orders.truncate(imported);
            for past in history {
                customer.orders.push(past_order(past)?);
            }
            engine
                .evaluate(&customer, &cart, &context)
                .map_err(|e| corrupt(&e))
        };
        Ok([evaluate(histories[0])?, evaluate(histories[1])?])
    }
}

/// Guards on the API: the longest a request may take, and how many placements run at
/// once (the rest wait their turn).
#[derive(Debug, Clone, Copy)]
pub struct Guards {
    /// The longest a request may take, body included; past it the answer is 408.
    pub request_timeout: Duration,
    /// Placements evaluated at once.
    pub concurrent_placements: usize,
}

impl Default for Guards {
    fn default() -> Self {
        Guards {
            request_timeout: Duration::from_secs(30),
            concurrent_placements: 64,
        }
    }
}

/// The routes. `www` and `pkg` are served as static files when given.
pub fn router(
    shop: Arc<Shop>,
    www: Option<std::path::PathBuf>,
    pkg: Option<std::path::PathBuf>,
    guards: Guards,
) -> Router {
    let placement = post(place_order).layer(tower::limit::GlobalConcurrencyLimitLayer::new(
        guards.concurrent_placements,
    ));
    let mut app = Router::new()
        .route("/.well-known/jwks.json", get(jwks))
        .route("/api/health", get(|| async { Json(json!({ "ok": true })) }))
        .route("/api/bundle", get(bundle))
        .route("/api/customers", get(personas))
        .route("/api/session", post(sign_in).get(who_am_i).delete(sign_out))
        .route("/api/customers/{id}/summary", get(summary))
        .route("/api/orders", placement.get(list_orders))
        .route("/api/orders/{id}", get(get_order))
        .route("/api/orders/{id}/confirm", post(confirm))
        .route("/api/orders/{id}/cancel", post(cancel))
        .route("/api/orders/{id}/refund", post(refund))
        .route("/api/{*rest}", any(no_such_route))
        // The handlers enforce MAX_BODY themselves, to answer with a JSON code.
        .layer(DefaultBodyLimit::max(MAX_BODY + 1))
        .with_state(shop);
    if let Some(pkg) = pkg {
        app = app.nest_service("/pkg", tower_http::services::ServeDir::new(pkg));
    }
    if let Some(www) = www {
        app = app.fallback_service(tower_http::services::ServeDir::new(www));
    }
    app.layer(
        tower::ServiceBuilder::new()
            .layer(HandleErrorLayer::new(|_: tower::BoxError| async {
                ApiError::new(
                    StatusCode::REQUEST_TIMEOUT,
                    "timeout",
                    "",
                    "the request took too long; send it again",
                )
            }))
            .layer(tower::timeout::TimeoutLayer::new(guards.request_timeout)),
    )
}

async fn no_such_route() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "no_such_route",
        "",
        "no such API route",
    )
}
