-- The redemption ledger. Portable SQL: the same statements run on SQLite and PostgreSQL.
CREATE TABLE coupon_usage (
    coupon_id TEXT PRIMARY KEY,
    used BIGINT NOT NULL
);

CREATE TABLE customer_usage (
    coupon_id TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    used BIGINT NOT NULL,
    PRIMARY KEY (coupon_id, customer_id)
);

CREATE TABLE orders (
    id TEXT PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    customer_id TEXT NOT NULL,
    state TEXT NOT NULL,
    total TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL
);

CREATE TABLE redemptions (
    order_id TEXT NOT NULL REFERENCES orders (id),
    coupon_id TEXT NOT NULL,
    amount TEXT NOT NULL,
    PRIMARY KEY (order_id, coupon_id)
);

CREATE INDEX orders_reserved_expiry ON orders (state, expires_ms);
