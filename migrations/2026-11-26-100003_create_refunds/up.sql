-- Every refund Stripe reports for an order's payment, whoever made it (the admin, the Stripe
-- Dashboard), with its status: a refund can be pending, then succeed, and can still fail later.
-- The order's amount refunded is the sum of the refunds that count (not failed or canceled).
-- Rows are kept even when a refund is reported before the order knew it was paid.
CREATE TABLE refunds (
    id             TEXT PRIMARY KEY,
    order_id       UUID NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    amount_minor   BIGINT NOT NULL CHECK (amount_minor > 0),
    currency       TEXT NOT NULL CHECK (currency ~ '^[a-z]{3}$'),
    status         TEXT NOT NULL CHECK (status IN (
        'pending', 'requires_action', 'succeeded', 'failed', 'canceled')),
    failure_reason TEXT,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX refunds_order ON refunds (order_id);

-- Orders refunded before this table: their refunded total as one row, replaced by Stripe's own
-- list the first time the shop reads it.
INSERT INTO refunds (id, order_id, amount_minor, currency, status)
SELECT 'legacy_' || id, id, amount_refunded_minor, currency, 'succeeded'
FROM orders
WHERE amount_refunded_minor > 0;
