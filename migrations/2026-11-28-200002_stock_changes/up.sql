-- Every change of a product's (or a variant's) stock, written by the stock module in the
-- transaction that makes it: what changed, by how much, to what, why, and who or what did it
-- (the admin, the order).
CREATE TABLE stock_changes (
    id          BIGSERIAL PRIMARY KEY,
    product_id  BIGINT NOT NULL REFERENCES products (id),
    variant_id  BIGINT REFERENCES product_variants (id),
    delta       INTEGER NOT NULL CHECK (delta <> 0),
    stock_after INTEGER NOT NULL CHECK (stock_after >= 0),
    reason      TEXT NOT NULL
                CHECK (reason IN ('checkout', 'cancellation', 'refund', 'admin')),
    -- Deferred: checkout reserves the stock before it writes the order, in one transaction.
    order_id    UUID REFERENCES orders (id) DEFERRABLE INITIALLY DEFERRED,
    user_id     BIGINT REFERENCES users (id),
    note        TEXT,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX stock_changes_product ON stock_changes (product_id, id);
