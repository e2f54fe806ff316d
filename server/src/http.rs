//! The HTTP API. Bad input always gets a 4xx with `{code, path, message}`, never a 500.
//!
//! | route | what |
//! |---|---|
//! | `GET /.well-known/jwks.json` | the verification keys |
//! | `GET /api/bundle` | `{token}`: the signed coupon bundle, with the ledger's current global counts |
//! | `GET /api/customers` | the demo personas, `[{customerId, label}]` |
//! | `GET /api/customers/{id}/summary` | `{token}`: the customer's signed summary, with their usage counts |
//! | `POST /api/orders` | recheck the claimed result, then reserve its redemptions (idempotent by key) |
//! | `POST /api/orders/{id}/confirm`, `/cancel` | confirm a reservation; cancel and release |
//! | `GET /*` | the demo storefront (`www/`) and the package (`/pkg`) |

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use coupon_engine::model::{Bundle, Cart, Context, Customer, Timestamp};
use coupon_engine::recheck::Claim;
use coupon_engine::signing::{self, Jwk, Jwks};
use coupon_engine::{read_json, Engine};
use serde_json::{json, Value};

use crate::ledger::{Ledger, LedgerError, NewOrder, Use};

/// Largest request body accepted (a cart at the engine's line limit fits well inside).
pub const MAX_BODY: usize = 512 * 1024;

/// What the server knows: the coupon bundle, the customers, the signing key.
pub struct Shop {
    /// Coupon definitions (the global counts are filled in from the ledger).
    pub bundle: Bundle,
    /// Customer summaries by id (usage counts are filled in from the ledger).
    pub customers: BTreeMap<String, Customer>,
    /// The private signing key.
    pub key: Jwk,
    /// The redemption ledger.
    pub ledger: Ledger,
    /// How long a reservation holds unless confirmed.
    pub hold_ms: i64,
    /// How long signed tokens live.
    pub token_ttl_s: i64,
    /// Demo personas for the storefront's picker: (customer id, label).
    pub personas: Vec<(String, String)>,
    /// When set, customer dates are shifted by `now - anchor` when served, so demo
    /// data written for one day ("joined 2 hours ago") stays true on any day.
    pub anchor: Option<Timestamp>,
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

/// An error response: `{code, path, message}` plus any detail.
struct ApiError {
    status: StatusCode,
    body: Value,
}

impl ApiError {
    fn new(status: StatusCode, code: &str, path: &str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            body: json!({ "code": code, "path": path, "message": message.into() }),
        }
    }
}

impl From<coupon_engine::Error> for ApiError {
    fn from(e: coupon_engine::Error) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            body: serde_json::to_value(&e).unwrap_or_default(),
        }
    }
}

impl From<LedgerError> for ApiError {
    fn from(e: LedgerError) -> Self {
        match e {
            LedgerError::LimitReached { coupon_id, scope } => ApiError {
                status: StatusCode::CONFLICT,
                body: json!({ "code": "limit_reached", "path": "applied", "couponId": coupon_id, "scope": scope,
                              "message": format!("the {scope} limit of coupon {coupon_id} is reached") }),
            },
            LedgerError::NotFound => ApiError::new(
                StatusCode::NOT_FOUND,
                "unknown_order",
                "id",
                "no such order",
            ),
            LedgerError::WrongState(s) => ApiError::new(
                StatusCode::CONFLICT,
                "wrong_state",
                "id",
                LedgerError::WrongState(s).to_string(),
            ),
            LedgerError::Database(e) => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "",
                format!("storage: {e}"),
            ),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

type Reply = Result<Response, ApiError>;

impl Shop {
    /// The bundle with the ledger's current global counts.
    async fn current_bundle(&self) -> Result<Bundle, ApiError> {
        let mut bundle = self.bundle.clone();
        let used = self.ledger.used_all().await?;
        for c in &mut bundle.coupons {
            if let Some(limits) = c.limits.as_mut() {
                limits.global_redeemed = used.get(&c.id).copied().unwrap_or(0);
            }
            if let Some(w) = c.active_window.as_mut() {
                w.start
                    .iter_mut()
                    .chain(w.end.iter_mut())
                    .for_each(|t| self.shifted(t));
            }
        }
        Ok(bundle)
    }

    /// Moves a demo date by `now - anchor`, in whole minutes (see [`Shop::anchor`]).
    fn shifted(&self, t: &mut Timestamp) {
        if let Some(anchor) = self.anchor {
            let shift =
                chrono::TimeDelta::minutes(now().0.signed_duration_since(anchor.0).num_minutes());
            if let Some(m) = t.0.checked_add_signed(shift) {
                *t = Timestamp(m);
            }
        }
    }

    /// A customer with their current usage counts.
    async fn current_customer(&self, id: &str) -> Result<Customer, ApiError> {
        let mut customer = self.customers.get(id).cloned().ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "unknown_customer",
                "customerId",
                format!("no customer {id:?}"),
            )
        })?;
        customer
            .coupon_usage
            .extend(self.ledger.used_by_customer(id).await?);
        customer
            .orders
            .iter_mut()
            .for_each(|o| self.shifted(&mut o.placed_at));
        customer
            .segments
            .iter_mut()
            .for_each(|m| self.shifted(&mut m.joined_at));
        customer
            .courses
            .iter_mut()
            .filter_map(|c| c.updated_at.as_mut())
            .for_each(|t| self.shifted(t));
        Ok(customer)
    }

    fn sign(&self, mut claims: Value) -> Result<String, ApiError> {
        let iat = now().0.timestamp();
        claims["iat"] = json!(iat);
        claims["exp"] = json!(iat + self.token_ttl_s);
        Ok(signing::sign(&claims, &self.key)?)
    }
}

async fn jwks(State(shop): State<Arc<Shop>>) -> Json<Jwks> {
    Json(Jwks {
        keys: vec![shop.key.public()],
    })
}

async fn personas(State(shop): State<Arc<Shop>>) -> Json<Value> {
    Json(json!(shop
        .personas
        .iter()
        .map(|(id, label)| json!({ "customerId": id, "label": label }))
        .collect::<Vec<_>>()))
}

async fn bundle(State(shop): State<Arc<Shop>>) -> Reply {
    let bundle = shop.current_bundle().await?;
    let token = shop.sign(json!({ "bundle": bundle }))?;
    Ok(Json(json!({ "token": token })).into_response())
}

async fn summary(State(shop): State<Arc<Shop>>, Path(id): Path<String>) -> Reply {
    let customer = shop.current_customer(&id).await?;
    let token = shop.sign(json!({ "sub": customer.id, "customer": customer }))?;
    Ok(Json(json!({ "token": token })).into_response())
}

/// What a storefront posts to place an order.
struct PlaceOrder {
    idempotency_key: String,
    customer_id: String,
    cart: Cart,
    payment_method: Option<String>,
    codes: Vec<String>,
    claimed: Claim,
}
coupon_engine::from_json_struct!(strict PlaceOrder {
    idempotency_key: "idempotencyKey",
    customer_id: "customerId",
    cart: "cart",
    payment_method: "paymentMethod",
    codes: "codes" = Vec::new(),
    claimed: "claimed",
});

async fn place_order(State(shop): State<Arc<Shop>>, body: Body) -> Reply {
    let body = axum::body::to_bytes(body, MAX_BODY).await.map_err(|_| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            "",
            format!("the body is larger than {MAX_BODY} bytes"),
        )
    })?;
    let text = std::str::from_utf8(&body).map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            "",
            "the body is not UTF-8",
        )
    })?;
    let request: PlaceOrder = read_json("", text)?;
    if request.idempotency_key.is_empty() || request.idempotency_key.len() > 128 {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_value",
            "idempotencyKey",
            "1 to 128 characters",
        ));
    }
    // A retry returns the order already placed, before anything is recomputed: the
    // order's own redemption would otherwise count against it.
    if let Some(existing) = shop
        .ledger
        .find(&crate::ledger::order_id(&request.idempotency_key))
        .await?
    {
        return Ok(Json(json!({ "orderId": existing.id, "state": format!("{:?}", existing.state).to_lowercase(), "replayed": true }))
            .into_response());
    }
    let customer = shop.current_customer(&request.customer_id).await?;
    let engine = Engine::new(shop.current_bundle().await?)?;
    let now = now();
    let context = Context {
        now,
        payment_method: request.payment_method,
        codes: request.codes,
    };
    let recheck = engine.recheck(&customer, &request.cart, &context, &request.claimed)?;
    if !recheck.accepted {
        return Ok((
            StatusCode::CONFLICT,
            Json(json!({ "code": "claim_rejected", "path": "claimed", "message": "the claimed result differs from the server's",
                         "differences": recheck.differences, "result": recheck.result })),
        )
            .into_response());
    }
    let uses = recheck
        .result
        .applied
        .iter()
        .map(|a| {
            let limits = engine
                .bundle()
                .coupons
                .iter()
                .find(|c| c.id == a.coupon_id)
                .and_then(|c| c.limits.as_ref());
            Use {
                coupon_id: a.coupon_id.clone(),
                amount: a.amount.0.to_string(),
                global_limit: limits.and_then(|l| l.global),
                per_customer_limit: limits.and_then(|l| l.per_customer),
            }
        })
        .collect();
    let order = shop
        .ledger
        .place(&NewOrder {
            idempotency_key: request.idempotency_key,
            customer_id: customer.id.clone(),
            total: recheck.result.total_after.0.to_string(),
            uses,
            now_ms: now.0.timestamp_millis(),
            hold_ms: shop.hold_ms,
        })
        .await?;
    let status = if order.replayed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(json!({ "orderId": order.id, "state": format!("{:?}", order.state).to_lowercase(), "replayed": order.replayed,
                              "totalAfter": recheck.result.total_after, "discountTotal": recheck.result.discount_total }))).into_response())
}

async fn confirm(State(shop): State<Arc<Shop>>, Path(id): Path<String>) -> Reply {
    let order = shop.ledger.confirm(&id, now().0.timestamp_millis()).await?;
    Ok(Json(json!({ "orderId": order.id, "state": "confirmed" })).into_response())
}

async fn cancel(State(shop): State<Arc<Shop>>, Path(id): Path<String>) -> Reply {
    let order = shop.ledger.cancel(&id).await?;
    Ok(Json(json!({ "orderId": order.id, "state": "cancelled" })).into_response())
}

/// The routes. `www` and `pkg` are served as static files when given.
pub fn router(
    shop: Arc<Shop>,
    www: Option<std::path::PathBuf>,
    pkg: Option<std::path::PathBuf>,
) -> Router {
    let mut app = Router::new()
        .route("/.well-known/jwks.json", get(jwks))
        .route("/api/health", get(|| async { Json(json!({ "ok": true })) }))
        .route("/api/bundle", get(bundle))
        .route("/api/customers", get(personas))
        .route("/api/customers/{id}/summary", get(summary))
        .route("/api/orders", post(place_order))
        .route("/api/orders/{id}/confirm", post(confirm))
        .route("/api/orders/{id}/cancel", post(cancel))
        // The order handler enforces MAX_BODY itself, to answer with a JSON code.
        .layer(DefaultBodyLimit::max(MAX_BODY + 1))
        .with_state(shop);
    if let Some(pkg) = pkg {
        app = app.nest_service("/pkg", tower_http::services::ServeDir::new(pkg));
    }
    if let Some(www) = www {
        app = app.fallback_service(tower_http::services::ServeDir::new(www));
    }
    app
}
