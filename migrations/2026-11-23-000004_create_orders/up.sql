CREATE TABLE orders (
    -- The id is random so that an order's link cannot be guessed; `number` is what people read.
    id                     UUID PRIMARY KEY,
    number                 BIGSERIAL NOT NULL UNIQUE,
    user_id                BIGINT REFERENCES users (id) ON DELETE SET NULL,
    -- The cart the order came from: emptied once the order is paid.
    cart_id                UUID REFERENCES carts (id) ON DELETE SET NULL,
    email                  TEXT NOT NULL,
    status                 TEXT NOT NULL DEFAULT 'pending' CHECK (status IN (
        'pending', 'requires_action', 'paid', 'failed',
        'partially_refunded', 'refunded', 'cancelled')),
    currency               TEXT NOT NULL CHECK (currency ~ '^[a-z]{3}$'),
    total_minor            BIGINT NOT NULL CHECK (total_minor > 0),
    amount_paid_minor      BIGINT NOT NULL DEFAULT 0 CHECK (amount_paid_minor >= 0),
    amount_refunded_minor  BIGINT NOT NULL DEFAULT 0 CHECK (amount_refunded_minor >= 0),
    payment_intent_id      TEXT UNIQUE,
    last_payment_error     TEXT,
    reserved_until         TIMESTAMPTZ NOT NULL,
    stock_released         BOOLEAN NOT NULL DEFAULT FALSE,
    created_at             TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at             TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX orders_user ON orders (user_id, created_at DESC);
CREATE INDEX orders_status ON orders (status, created_at DESC);

CREATE TABLE order_items (
    id               BIGSERIAL PRIMARY KEY,
    order_id         UUID NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    product_id       BIGINT NOT NULL REFERENCES products (id),
    -- Snapshots taken at checkout: later catalog edits never change a placed order.
    product_name     TEXT NOT NULL,
    unit_price_minor BIGINT NOT NULL CHECK (unit_price_minor > 0),
    quantity         INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 99)
);

CREATE INDEX order_items_order ON order_items (order_id);

-- Every status change of an order, and every change that was refused, with its cause.
CREATE TABLE order_events (
    id              BIGSERIAL PRIMARY KEY,
    order_id        UUID NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    from_status     TEXT,
    to_status       TEXT NOT NULL,
    applied         BOOLEAN NOT NULL,
    cause           TEXT NOT NULL CHECK (cause IN (
        'checkout', 'webhook', 'return', 'reconciler', 'shopper', 'admin')),
    stripe_event_id TEXT,
    note            TEXT,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX order_events_order ON order_events (order_id, id);
