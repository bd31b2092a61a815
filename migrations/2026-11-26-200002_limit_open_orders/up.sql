-- At most this many of a product in one order (and one cart line), whatever the stock: a real
-- shopper rarely wants more, and nobody can take a product off the shelf in one go.
ALTER TABLE products
    ADD COLUMN max_per_order INTEGER NOT NULL DEFAULT 10 CHECK (max_per_order BETWEEN 1 AND 99);

-- The client address an order was placed from, to bound the unpaid orders one address holds.
-- Only recent orders can still hold stock, so the count reads the address's recent ones.
CREATE TABLE order_origins (
    order_id    UUID PRIMARY KEY REFERENCES orders (id) ON DELETE CASCADE,
    placed_from TEXT NOT NULL,
    placed_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX order_origins_recent ON order_origins (placed_from, placed_at);
