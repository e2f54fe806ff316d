-- The order server's tables. Portable SQL: the same statements run on SQLite and
-- PostgreSQL. Amounts are decimal strings, as in the engine's JSON.

-- The catalogue: what the shop sells and at what price. Placement builds every cart
-- from these rows, never from prices a client sends.
CREATE TABLE products (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    price TEXT NOT NULL,
    compare_at_price TEXT,
    -- JSON array of collection ids.
    collection_ids TEXT NOT NULL,
    offer_id TEXT,
    price_tier_id TEXT,
    position BIGINT NOT NULL
);

CREATE TABLE shipping_options (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    amount TEXT NOT NULL,
    position BIGINT NOT NULL
);

-- Uses taken by live orders (reserved or confirmed), per coupon and per customer.
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

-- Reservations a customer holds open, bounded like a usage limit.
CREATE TABLE customer_holds (
    customer_id TEXT PRIMARY KEY,
    used BIGINT NOT NULL
);

CREATE TABLE orders (
    -- Random, made by the server.
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL,
    -- The client's retry key, unique per customer, bound to the request's hash.
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    -- reserved, confirmed, cancelled, expired or refunded.
    state TEXT NOT NULL,
    payment_method TEXT,
    subtotal TEXT NOT NULL,
    discount_total TEXT NOT NULL,
    total TEXT NOT NULL,
    -- JSON: what the customer's history records of the order (items, coupon codes).
    items TEXT NOT NULL,
    coupon_codes TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL,
    UNIQUE (customer_id, idempotency_key)
);

CREATE TABLE redemptions (
    order_id TEXT NOT NULL REFERENCES orders (id),
    coupon_id TEXT NOT NULL,
    amount TEXT NOT NULL,
    PRIMARY KEY (order_id, coupon_id)
);

CREATE INDEX orders_reserved_expiry ON orders (state, expires_ms);
CREATE INDEX orders_customer_state ON orders (customer_id, state);
