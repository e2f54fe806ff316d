-- What evaluating a placed order again takes, so a refund of an order that its
-- discounts counted as history can take back the discount no longer earned: the ids
-- of the customer's orders its recheck counted (JSON array, in the history's order),
-- the engine's cart it was priced on (JSON, with the catalogue's prices of then), and
-- the codes entered (JSON array). NULL on orders placed before these were kept: no
-- refund takes anything back from those.
ALTER TABLE orders ADD COLUMN counted_history TEXT;
ALTER TABLE orders ADD COLUMN cart TEXT;
ALTER TABLE orders ADD COLUMN entered_codes TEXT;
-- What a refund paid back (decimal string), the discounts it took back from later
-- orders (JSON array of {orderId, couponIds, amount}) and what of those the order's
-- total could not cover (decimal string, NULL when it covered them), so a repeated
-- refund answers the same. NULL on orders not refunded, and on refunds made before
-- these were kept.
ALTER TABLE orders ADD COLUMN refund_amount TEXT;
ALTER TABLE orders ADD COLUMN refund_clawbacks TEXT;
ALTER TABLE orders ADD COLUMN refund_unrecovered TEXT;
