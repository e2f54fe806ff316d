-- The limits the usage counters are kept for. A counter exists only for a limit a
-- coupon has: a coupon without one is redeemed without touching a shared row. When a
-- store adds a limit, the server counts it from the live redemptions at start
-- (Ledger::count_limits) and records it here; when it drops one, the row and the
-- counters go.
CREATE TABLE counted_limits (
    coupon_id TEXT NOT NULL,
    -- 'global' (coupon_usage) or 'customer' (customer_usage).
    scope TEXT NOT NULL,
    PRIMARY KEY (coupon_id, scope)
);

-- Counting a limit from the redemptions reads one coupon's.
CREATE INDEX redemptions_coupon ON redemptions (coupon_id);
