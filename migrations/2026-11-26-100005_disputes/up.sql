-- Disputes: a paid order can be disputed by the cardholder's bank; won, it goes back where its
-- refunds say; lost, the money is gone.
ALTER TABLE orders DROP CONSTRAINT orders_status_check;
ALTER TABLE orders ADD CONSTRAINT orders_status_check CHECK (status IN (
    'pending', 'requires_action', 'paid', 'failed',
    'partially_refunded', 'refunded', 'cancelled', 'disputed', 'dispute_lost'));

-- Every dispute Stripe reports for an order's payment, with its status in Stripe's words.
CREATE TABLE disputes (
    id           TEXT PRIMARY KEY,
    order_id     UUID NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    currency     TEXT NOT NULL CHECK (currency ~ '^[a-z]{3}$'),
    reason       TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN (
        'warning_needs_response', 'warning_under_review', 'warning_closed',
        'needs_response', 'under_review', 'appeal_needs_response', 'appeal_under_review',
        'won', 'lost', 'prevented')),
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX disputes_order ON disputes (order_id);
