-- Refunds asked for in the admin. `key` is the form's request id: a double submission or a
-- retry reuses it, so the Refunds API's idempotency key makes one refund. The order's amounts
-- and status still change only when Stripe reports the refund (charge.refunded).
CREATE TABLE refund_requests (
    id               BIGSERIAL PRIMARY KEY,
    key              UUID NOT NULL UNIQUE,
    order_id         UUID NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    admin_id         BIGINT REFERENCES users (id) ON DELETE SET NULL,
    amount_minor     BIGINT NOT NULL CHECK (amount_minor > 0),
    currency         TEXT NOT NULL CHECK (currency ~ '^[a-z]{3}$'),
    -- Asked for with the request; once Stripe accepted the refund, whether the items went back.
    restock          BOOLEAN NOT NULL DEFAULT FALSE,
    -- requested: sent (or about to be sent) to Stripe with no answer yet; then Stripe's refund
    -- status, or refused when Stripe refused the request.
    status           TEXT NOT NULL DEFAULT 'requested' CHECK (status IN (
        'requested', 'pending', 'succeeded', 'failed', 'canceled', 'refused')),
    stripe_refund_id TEXT UNIQUE,
    error            TEXT,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX refund_requests_order ON refund_requests (order_id, created_at);
