-- The single-use codes of coupons with a code batch. A code is free while order_id is
-- null; placing an order takes it in the order's transaction (a conditional update, so
-- two orders never both take one), and cancelling, expiring or refunding the order
-- gives it back.
CREATE TABLE batch_codes (
    coupon_id TEXT NOT NULL,
    code TEXT NOT NULL,
    order_id TEXT,
    PRIMARY KEY (coupon_id, code)
);

CREATE INDEX batch_codes_order ON batch_codes (order_id);
