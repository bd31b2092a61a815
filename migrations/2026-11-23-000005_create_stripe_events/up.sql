-- Every webhook event received. The primary key makes a duplicate delivery a no-op.
CREATE TABLE stripe_events (
    id           TEXT PRIMARY KEY,
    event_type   TEXT NOT NULL,
    payload      JSONB NOT NULL,
    order_id     UUID REFERENCES orders (id) ON DELETE SET NULL,
    received_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    processed_at TIMESTAMPTZ,
    outcome      TEXT NOT NULL DEFAULT 'received' CHECK (outcome IN (
        'received', 'applied', 'ignored', 'unhandled', 'failed')),
    error        TEXT
);

CREATE INDEX stripe_events_received ON stripe_events (received_at DESC);
CREATE INDEX stripe_events_order ON stripe_events (order_id);
