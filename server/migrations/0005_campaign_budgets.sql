-- Campaign budgets, in minor units. A placement adds its campaigns' discounts to
-- `spent` with a conditional update inside the order's transaction (`spent + amount
-- <= room`), so racing orders never overspend; each order's share is kept in
-- `budget_spends` so cancelling, expiring or refunding it gives exactly that back.
CREATE TABLE campaign_budgets (
    campaign_id TEXT PRIMARY KEY,
    spent BIGINT NOT NULL
);

CREATE TABLE budget_spends (
    order_id TEXT NOT NULL,
    campaign_id TEXT NOT NULL,
    amount BIGINT NOT NULL,
    PRIMARY KEY (order_id, campaign_id)
);
