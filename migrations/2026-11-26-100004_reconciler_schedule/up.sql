-- The reconciler's schedule: each order has its own next check, with backoff, so that orders
-- that never change (abandoned, failing) cannot starve the others. NULL: not watched any more
-- (cancelled, or paid longer ago than the watch window). A new order is due at once; the
-- reconciler then waits until it is stale before asking Stripe.
ALTER TABLE orders
    ADD COLUMN next_check_at TIMESTAMPTZ DEFAULT now(),
    ADD COLUMN checks        INTEGER NOT NULL DEFAULT 0 CHECK (checks >= 0),
    ADD COLUMN checked_at    TIMESTAMPTZ,
    -- When the payment was confirmed: paid orders are watched for refunds and disputes for a
    -- bounded time after it.
    ADD COLUMN paid_at       TIMESTAMPTZ;

UPDATE orders SET next_check_at = NULL WHERE status = 'cancelled';
UPDATE orders SET paid_at = updated_at
WHERE status IN ('paid', 'partially_refunded', 'refunded');

CREATE INDEX orders_next_check ON orders (next_check_at) WHERE next_check_at IS NOT NULL;
-- Reservations end on time whatever the schedule says.
CREATE INDEX orders_open_reserved ON orders (reserved_until)
    WHERE status IN ('pending', 'requires_action', 'failed');
